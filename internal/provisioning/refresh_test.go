package provisioning

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/sandboxtest"
)

// seedFromEntries loads into the sandbox the users that the test mapping makes of entries,
// as if a channel had provisioned them, and returns what that channel records.
func seedFromEntries(t *testing.T, server *sandbox.Server, mapping *Mapping, entries []directory.Entry) map[string]ManagedUser {
	t.Helper()
	desired := DesiredUsers(entries, mapping, nil)
	docs := make([]map[string]any, 0, len(entries))
	for _, empID := range sortedKeys(desired.Users) {
		a := desired.Users[empID].Attributes
		docs = append(docs, map[string]any{
			"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User", enterpriseSchema},
			"userName": a[AttrLoginID],
			"active":   true,
			"title":    a[AttrTitle],
			"name":     map[string]any{"givenName": a[AttrFirstName], "familyName": a[AttrLastName]},
			"emails":   []map[string]any{{"value": a[AttrEmail], "type": "work"}},
			enterpriseSchema: map[string]any{
				"employeeNumber": empID, "department": a[AttrDepartment],
			},
		})
	}
	data, err := json.Marshal(docs)
	if err != nil {
		t.Fatal(err)
	}
	if err := server.LoadUsersJSON(strings.NewReader(string(data))); err != nil {
		t.Fatal(err)
	}
	managed := managedFromDesired(desired, "")
	for empID, user := range managed {
		user.ID = concurID(t, server, empID)
		managed[empID] = user
	}
	return managed
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	const n = 300
	c := newChannel(t, nil)
	entries := make([]directory.Entry, n)
	for i := range entries {
		entries[i] = person(fmt.Sprintf("user%03d", i), fmt.Sprintf("E%03d", i), nil)
	}
	// The directory spells E002's address in mixed case; Concur keeps e-mails in lower case.
	entries[2] = person("user002", "E002", map[string]string{"mail": "User002@Example.COM"})
	managed := seedFromEntries(t, c.server, c.mapping, entries)

	// What an administrator does by hand in Concur.
	for empID, patch := range map[string]map[string]any{
		"E001": {"title": "Changed by hand"},
		"E002": {"userName": "USER002@example.com"},
		"E004": {"active": false},
	} {
		if err := c.server.ModifyUser(empID, patch); err != nil {
			t.Fatal(err)
		}
	}
	if !c.server.DeleteUserByEmployeeNumber("E003") {
		t.Fatal("E003 was not seeded")
	}
	c.server.ResetCounters()

	refreshed, err := Refresh(c.ctx, c.client, managed, nil, "")
	if err != nil {
		t.Fatal(err)
	}

	counters := c.server.Counters()
	// 300 users in searches of 100 ids, and one search for the deleted user's emp_id (is another
	// account holding it?): a handful of requests, never one per user.
	if searches := counters[endpointSearch] + counters[endpointList]; searches == 0 || searches > 10 {
		t.Errorf("refreshing %d users sent %d searches (%v), want a handful", n, searches, counters)
	}
	if gets := counters[endpointGet]; gets != 1 {
		t.Errorf("refresh read %d users one by one, want 1: the deleted E003, whose 404 confirms it is gone", gets)
	}

	if got := refreshed["E001"].Attributes[AttrTitle]; got != "Changed by hand" {
		t.Errorf("E001 title = %q, want the drift to show", got)
	}
	if e2 := sandboxtest.MustUser(t, c.server, "E002"); workEmail(e2) != "user002@example.com" || e2["userName"] != "USER002@example.com" {
		t.Fatalf("E002 in Concur: e-mail %q, userName %v; the test expects other spellings than recorded", workEmail(e2), e2["userName"])
	}
	for _, key := range []string{AttrEmail, AttrLoginID} {
		if got := refreshed["E002"].Attributes[key]; got != "User002@Example.COM" {
			t.Errorf("E002 %s = %q, want the recorded spelling kept for a case-only difference", key, got)
		}
	}
	if _, ok := refreshed["E003"]; ok {
		t.Error("E003, deleted in Concur, is still managed")
	}
	if refreshed["E004"].Active {
		t.Error("E004, deactivated in Concur, is still active")
	}
	if len(refreshed) != n-1 {
		t.Errorf("%d users refreshed, want %d", len(refreshed), n-1)
	}
	for empID, user := range refreshed {
		switch empID {
		case "E001", "E004":
			continue
		}
		if !reflect.DeepEqual(user, managed[empID]) {
			t.Errorf("%s refreshed as %+v, want it as recorded %+v", empID, user, managed[empID])
		}
	}
	if managed["E001"].Attributes[AttrTitle] != "Analyst" || !managed["E004"].Active {
		t.Error("Refresh modified the map it was given")
	}

	// The next plan puts the drift back and recreates the deleted user.
	plan, err := PlanUsers(DesiredUsers(entries, c.mapping, nil), refreshed, nil, c.mapping, c.opts)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := plan.Summary(), fmt.Sprintf("create 1, update 1, reactivate 1, unchanged %d", n-3); got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	recorded, failures, err := Apply(c.ctx, c.client, refreshed, plan.Users, Ownership{})
	if err != nil || len(failures) > 0 {
		t.Fatalf("Apply: %s", failuresText(failures))
	}
	if title := sandboxtest.MustUser(t, c.server, "E001")["title"]; title != "Analyst" {
		t.Errorf("E001 title = %v, want the drift put back", title)
	}
	if active := sandboxtest.MustUser(t, c.server, "E004")["active"]; active != true {
		t.Errorf("E004 active = %v, want reactivated", active)
	}
	if recorded["E003"].ID != concurID(t, c.server, "E003") {
		t.Errorf("recorded E003 = %+v, want the recreated user", recorded["E003"])
	}
	again, err := Refresh(c.ctx, c.client, recorded, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, recorded) {
		for empID := range recorded {
			if !reflect.DeepEqual(again[empID], recorded[empID]) {
				t.Errorf("after apply, %s refreshes as %+v, recorded %+v", empID, again[empID], recorded[empID])
			}
		}
	}
}

func TestRefreshNothingManaged(t *testing.T) {
	t.Parallel()
	c := newChannel(t, nil)
	refreshed, err := Refresh(c.ctx, c.client, nil, nil, "")
	if err != nil || len(refreshed) != 0 {
		t.Errorf("Refresh(nil) = %v, %v", refreshed, err)
	}
	if counters := c.server.Counters(); len(counters) != 0 {
		t.Errorf("sent %v", counters)
	}
}

// With the mapping, a refresh reads every mapped attribute, also one mapped after the user was
// recorded, so the plan compares it with what Concur really holds.
func TestRefreshReadsAttributesMappedSinceRecorded(t *testing.T) {
	t.Parallel()
	c := newChannel(t, nil)
	c.sync(person("a", "E1", nil))
	recorded := c.recorded["E1"]
	delete(recorded.Attributes, AttrDepartment)

	refreshed, err := Refresh(c.ctx, c.client, map[string]ManagedUser{"E1": recorded}, c.mapping, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := refreshed["E1"].Attributes[AttrDepartment]; got != "FIN" {
		t.Errorf("department = %q after a refresh with the mapping, want Concur's FIN", got)
	}
}
