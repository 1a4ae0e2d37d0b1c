package provisioning

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/sandboxtest"
)

const pathEmployeeNumber = enterpriseSchema + ":employeeNumber"

// identityChannel is a channel over ten directory people, E0000 to E0009, provisioned into
// Concur; run refreshes, plans and applies as the provider does on every terraform apply.
type identityChannel struct {
	*channel
	dir    *directory.Client
	source Channel
}

func newIdentityChannel(t *testing.T, tune func(*concur.Config)) *identityChannel {
	t.Helper()
	c := &identityChannel{channel: newChannel(t, tune), dir: startDirectoryWith(t, ldifWithManagers(10))}
	c.source = Channel{
		Source:  Source{Filter: "(objectClass=inetOrgPerson)", BaseDN: peopleBase, Scope: directory.ScopeOne},
		Mapping: c.mapping, Options: c.opts,
	}
	if plan := c.run(); plan.Summary() != "create 10, unchanged 0" {
		t.Fatalf("first plan: %s", plan.Summary())
	}
	return c
}

// refreshAndPlan is terraform plan: the managed users read back from Concur, then planned.
func (c *identityChannel) refreshAndPlan() *Plan {
	c.t.Helper()
	refreshed, err := Refresh(c.ctx, c.client, c.recorded, c.mapping, "")
	if err != nil {
		c.t.Fatalf("Refresh: %v", err)
	}
	c.recorded = refreshed
	plan, _, err := PlanChannel(c.ctx, c.client, c.dir, c.source, refreshed)
	if err != nil {
		c.t.Fatalf("PlanChannel: %v", err)
	}
	return plan
}

// run is terraform apply, failing the test on any failure.
func (c *identityChannel) run() *Plan {
	c.t.Helper()
	plan := c.refreshAndPlan()
	if failures := c.apply(plan); len(failures) > 0 {
		c.t.Fatalf("Apply: %s", failuresText(failures))
	}
	return plan
}

// Defect 1: an administrator changes a managed user's employeeNumber (and login) in Concur. The
// user is still known by its Concur id: the change is drift that the next apply puts back, with
// no second account and no 409 on every apply.
func TestHandEditedEmployeeNumberIsDriftPutBack(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		patch map[string]any
	}{
		{"employeeNumber and userName", map[string]any{pathEmployeeNumber: "Z0002", "userName": "renamed0002@example.com"}},
		{"employeeNumber only", map[string]any{pathEmployeeNumber: "Z0002"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newIdentityChannel(t, nil)
			id := c.recorded["E0002"].ID
			if err := c.server.ModifyUser("E0002", tt.patch); err != nil {
				t.Fatal(err)
			}

			plan := c.refreshAndPlan()

			user, managed := c.recorded["E0002"]
			if !managed || user.ID != id || user.Attributes[AttrEmpID] != "Z0002" {
				t.Fatalf("refreshed E0002 = %+v (managed %v), want account %s under E0002 with the emp_id Z0002 Concur holds", user, managed, id)
			}
			if got := plan.Summary(); got != "update 1, unchanged 9" {
				t.Errorf("plan: %s, want the one user's drift put back", got)
			}
			if got := plan.Users["E0002"]; got.ID != id || got.Attributes[AttrEmpID] != "E0002" || got.Attributes[AttrLoginID] != "u0002@example.com" {
				t.Errorf("planned E0002 = %+v, want account %s with emp_id E0002 and login u0002@example.com", got, id)
			}
			if failures := c.apply(plan); len(failures) > 0 {
				t.Fatalf("Apply: %s", failuresText(failures))
			}

			if n := c.server.UserCount(); n != 10 {
				t.Errorf("Concur has %d users, want the same 10", n)
			}
			back := sandboxtest.MustUser(t, c.server, "E0002")
			if back["id"] != id || back["userName"] != "u0002@example.com" {
				t.Errorf("E0002 in Concur: id %v userName %v, want account %s with u0002@example.com", back["id"], back["userName"], id)
			}
			if plan := c.run(); plan.Summary() != "unchanged 10" {
				t.Errorf("the apply after: %s, want nothing left to do", plan.Summary())
			}
			if got := c.recorded["E0002"]; got.ID != id {
				t.Errorf("recorded E0002 = %+v, want account %s", got, id)
			}
		})
	}
}

// A response without employeeNumber (a proxy or an API change that leaves the attribute out)
// keeps every managed user, known by id, with the missing value as drift.
func TestResponseWithoutEmployeeNumberKeepsTheUsers(t *testing.T) {
	t.Parallel()
	emulator := sandbox.New(sandbox.Options{})
	var strip atomic.Bool
	srv := httptest.NewServer(withoutEmployeeNumbers(emulator.Handler(), &strip))
	t.Cleanup(srv.Close)
	credentials := emulator.Credentials()
	client, err := concur.New(testContext(t), concur.Config{BaseURL: srv.URL, ClientID: credentials.ClientID,
		ClientSecret: credentials.ClientSecret, RefreshToken: credentials.RefreshToken, CompanyID: credentials.CompanyID})
	if err != nil {
		t.Fatal(err)
	}
	mapping := testMapping(t)
	entries := []directory.Entry{person("a", "E1", nil), person("b", "E2", nil)}
	managed := seedFromEntries(t, emulator, mapping, entries)
	strip.Store(true)

	refreshed, err := Refresh(testContext(t), client, managed, mapping, "")
	if err != nil {
		t.Fatal(err)
	}

	if len(refreshed) != len(managed) {
		t.Fatalf("refreshed %d users, want the %d managed", len(refreshed), len(managed))
	}
	for empID, user := range refreshed {
		if user.ID != managed[empID].ID || user.Attributes[AttrEmpID] != "" || user.EmpIDHeldBy != "" {
			t.Errorf("refreshed %s = %+v, want account %s with no emp_id read", empID, user, managed[empID].ID)
		}
	}
	plan, err := PlanUsers(DesiredUsers(entries, mapping, nil), refreshed, nil, mapping, defaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if got := plan.Summary(); got != "update 2, unchanged 0" {
		t.Errorf("plan: %s, want the emp_ids written back, nobody created", got)
	}
}

// withoutEmployeeNumbers serves h, leaving every employeeNumber out of its JSON answers while
// strip is set.
func withoutEmployeeNumbers(h http.Handler, strip *atomic.Bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strip.Load() || strings.HasPrefix(r.URL.Path, "/oauth2/") {
			h.ServeHTTP(w, r)
			return
		}
		recorder := httptest.NewRecorder()
		h.ServeHTTP(recorder, r)
		body := recorder.Body.Bytes()
		var doc any
		if json.Unmarshal(body, &doc) == nil {
			dropKey(doc, "employeeNumber")
			body, _ = json.Marshal(doc)
		}
		for name, values := range recorder.Header() {
			w.Header()[name] = values
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(recorder.Code)
		_, _ = bytes.NewReader(body).WriteTo(w)
	})
}

func dropKey(v any, key string) {
	switch v := v.(type) {
	case map[string]any:
		delete(v, key)
		for _, child := range v {
			dropKey(child, key)
		}
	case []any:
		for _, child := range v {
			dropKey(child, key)
		}
	}
}

// Defect 2: an administrator moves a managed user's emp_id to another account. The channel does
// not take that account over: the plan names both accounts, and writes to neither until the emp_id
// is given back; then the drift is put back on the channel's own account.
func TestEmpIDMovedToAnotherAccountIsNamedNotAdopted(t *testing.T) {
	t.Parallel()
	c := newIdentityChannel(t, nil)
	own := c.recorded["E0003"].ID
	other := seedConcurUser(t, c.server, "X9", "other@example.com", nil)
	if err := c.server.ModifyUser("E0003", map[string]any{pathEmployeeNumber: "OLD0003"}); err != nil {
		t.Fatal(err)
	}
	if err := c.server.ModifyUser("X9", map[string]any{pathEmployeeNumber: "E0003"}); err != nil {
		t.Fatal(err)
	}
	before := sandboxtest.MustUser(t, c.server, "E0003")

	plan := c.refreshAndPlan()

	want := []EmpIDConflict{{EmpID: "E0003", DN: "uid=u0003," + peopleBase, ID: own, CurrentEmpID: "OLD0003", HeldBy: other}}
	if got := withoutAdvice(plan.EmpIDConflicts); !reflect.DeepEqual(got, want) {
		t.Fatalf("conflicts = %+v, want %+v", got, want)
	}
	for _, name := range []string{own, other, "OLD0003", "E0003"} {
		if advice := plan.EmpIDConflicts[0].Advice; !strings.Contains(advice, name) {
			t.Errorf("advice %q does not name %s", advice, name)
		}
	}
	if _, changed := changesByEmpID(t, plan)["E0003"]; changed {
		t.Errorf("the plan changes E0003: %+v", plan.Changes)
	}
	if got := plan.Summary(); got != "unchanged 9, left alone (emp_id held by another account) 1" {
		t.Errorf("plan: %s", got)
	}
	c.server.ResetCounters()
	if failures := c.apply(plan); len(failures) > 0 {
		t.Fatal(failuresText(failures))
	}
	if counters := c.server.Counters(); counters[endpointPatch]+counters[endpointCreate] != 0 {
		t.Errorf("the apply wrote %v", counters)
	}
	if after := sandboxtest.MustUser(t, c.server, "E0003"); !reflect.DeepEqual(after, before) {
		t.Errorf("the other account changed:\n%v\nwas\n%v", after, before)
	}
	if got := c.recorded["E0003"]; got.ID != own {
		t.Errorf("recorded E0003 = %+v, want the channel's account %s", got, own)
	}
	if again := c.refreshAndPlan(); len(again.EmpIDConflicts) != 1 {
		t.Errorf("the next plan: %s, conflicts %+v; want the conflict named again", again.Summary(), again.EmpIDConflicts)
	}

	// Resolved in Concur: the other account gets its own employeeNumber back.
	if err := c.server.ModifyUser("E0003", map[string]any{pathEmployeeNumber: "X9"}); err != nil {
		t.Fatal(err)
	}
	if plan := c.run(); plan.Summary() != "update 1, unchanged 9" || len(plan.EmpIDConflicts) != 0 {
		t.Errorf("after the fix: %s, conflicts %+v; want E0003 put back", plan.Summary(), plan.EmpIDConflicts)
	}
	if got := sandboxtest.MustUser(t, c.server, "E0003")["id"]; got != own {
		t.Errorf("E0003 is account %v, want the channel's %s", got, own)
	}
}

// Defect 2, the other way: the channel's account was deleted in Concur and another account now
// holds the emp_id. The plan names both; nothing is created or linked; destroying the channel
// later has nothing to disable for them.
func TestEmpIDOfADeletedAccountHeldByAnotherIsNamedNotAdopted(t *testing.T) {
	t.Parallel()
	c := newIdentityChannel(t, nil)
	gone := c.recorded["E0004"]
	c.server.DeleteUserByEmployeeNumber("E0004")
	other := seedConcurUser(t, c.server, "E0004", "someone@example.com", nil)
	before := sandboxtest.MustUser(t, c.server, "E0004")

	plan := c.refreshAndPlan()

	want := []EmpIDConflict{{EmpID: "E0004", DN: gone.DN, ID: gone.ID, Gone: true, HeldBy: other}}
	if got := withoutAdvice(plan.EmpIDConflicts); !reflect.DeepEqual(got, want) {
		t.Fatalf("conflicts = %+v, want %+v", got, want)
	}
	if advice := plan.EmpIDConflicts[0].Advice; !strings.Contains(advice, gone.ID) || !strings.Contains(advice, other) {
		t.Errorf("advice %q names neither account", advice)
	}
	if _, changed := changesByEmpID(t, plan)["E0004"]; changed {
		t.Errorf("the plan changes E0004: %+v", plan.Changes)
	}
	c.server.ResetCounters()
	if failures := c.apply(plan); len(failures) > 0 {
		t.Fatal(failuresText(failures))
	}
	if counters := c.server.Counters(); counters[endpointPatch]+counters[endpointCreate] != 0 {
		t.Errorf("the apply wrote %v", counters)
	}
	if after := sandboxtest.MustUser(t, c.server, "E0004"); !reflect.DeepEqual(after, before) {
		t.Errorf("the other account changed:\n%v\nwas\n%v", after, before)
	}
	if n := c.server.UserCount(); n != 10 {
		t.Errorf("Concur has %d users, want 10 (no second account for E0004)", n)
	}

	destroyed, err := Destroy(c.ctx, c.client, c.recorded, Options{OnDestroy: OnDestroyDeprovision, DeprovisionAction: DeprovisionDeactivate})
	if err != nil || len(destroyed.Failures) > 0 || destroyed.Kept {
		t.Fatalf("Destroy: %v %s (kept %v)", err, failuresText(destroyed.Failures), destroyed.Kept)
	}
	recorded := destroyed.Users
	if _, ok := recorded["E0004"]; ok || len(recorded) != 9 {
		t.Errorf("after deprovisioning, recorded %d users (E0004 among them: %v); want the 9 whose accounts exist", len(recorded), ok)
	}
	if sandboxtest.MustUser(t, c.server, "E0004")["active"] != true {
		t.Error("deprovisioning the channel disabled the other account")
	}
}

// A managed account given a newcomer's emp_id by hand is not linked as the newcomer: its own
// emp_id is put back and the newcomer gets an account of its own.
func TestManagedAccountCarryingANewcomersEmpIDIsNotLinkedTwice(t *testing.T) {
	t.Parallel()
	// One request at a time, in emp_id order: the newcomer's create (E0000 sorts first) meets the
	// account that still carries its emp_id.
	c := &identityChannel{channel: newChannel(t, func(cfg *concur.Config) { cfg.MaxConcurrency = 1 })}
	c.dir = startDirectoryWith(t, ldifWithManagers(10))
	c.source = Channel{
		Source:  Source{Filter: "(&(objectClass=inetOrgPerson)(!(uid=u0000)))", BaseDN: peopleBase, Scope: directory.ScopeOne},
		Mapping: c.mapping, Options: c.opts,
	}
	c.run()
	account := c.recorded["E0009"].ID
	if err := c.server.ModifyUser("E0009", map[string]any{pathEmployeeNumber: "E0000"}); err != nil {
		t.Fatal(err)
	}
	c.source.Source.Filter = "(objectClass=inetOrgPerson)" // u0000, E0000, joins

	plan := c.refreshAndPlan()
	changes := changesByEmpID(t, plan)
	if changes["E0000"].Kind != ChangeCreate || changes["E0009"].Kind != ChangeUpdate {
		t.Fatalf("plan: %+v; want E0000 created and E0009 put back, never the account linked as E0000", plan.Changes)
	}
	failures := c.apply(plan)
	if len(failures) != 1 || failures[0].EmpID != "E0000" || !strings.Contains(failures[0].Error(), "E0009") {
		t.Fatalf("Apply: %s; want E0000's create refused while the account of E0009 held its emp_id, saying so", failuresText(failures))
	}
	if got := sandboxtest.MustUser(t, c.server, "E0009")["id"]; got != account {
		t.Errorf("E0009 is account %v, want %s with its emp_id back", got, account)
	}

	c.run()
	if c.recorded["E0000"].ID == "" || c.recorded["E0000"].ID == account {
		t.Errorf("E0000 recorded as %+v, want an account of its own", c.recorded["E0000"])
	}
	if n := c.server.UserCount(); n != 10 {
		t.Errorf("Concur has %d users, want 10", n)
	}
}

func withoutAdvice(conflicts []EmpIDConflict) []EmpIDConflict {
	out := make([]EmpIDConflict, len(conflicts))
	for i, c := range conflicts {
		c.Advice = ""
		out[i] = c
	}
	return out
}

// The account of a user in conflict is never linked as someone else either, even when a newcomer
// now carries the emp_id that account holds.
func TestPlanUsersDoesNotLinkTheAccountOfAUserInConflict(t *testing.T) {
	t.Parallel()
	mapping := testMapping(t)
	desired := DesiredUsers([]directory.Entry{person("a", "E1", nil), person("n", "OLD1", nil)}, mapping, nil)
	managed := managedFromDesired(Desired{Users: map[string]DesiredUser{"E1": desired.Users["E1"]}}, "id-")
	held := managed["E1"]
	held.Attributes[AttrEmpID], held.EmpIDHeldBy = "OLD1", "id-other"
	managed["E1"] = held

	plan, err := PlanUsers(desired, managed, map[string]*concur.User{"OLD1": {ID: "id-E1", EmployeeNumber: "OLD1"}}, mapping, defaultOptions())
	if err != nil {
		t.Fatal(err)
	}

	if got := changesByEmpID(t, plan)["OLD1"]; got.Kind != ChangeCreate || plan.Users["OLD1"].ID != "" {
		t.Errorf("OLD1: %+v planned as %+v; want a create, not a link of the account the channel manages as E1", got, plan.Users["OLD1"])
	}
	if len(plan.EmpIDConflicts) != 1 || !reflect.DeepEqual(plan.Users["E1"], held) {
		t.Errorf("E1 planned as %+v with conflicts %+v; want it kept as recorded and named", plan.Users["E1"], plan.EmpIDConflicts)
	}
}
