package provisioning

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/sandboxtest"
)

func TestOwnerNamesAndMarkers(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"team-a", "hr.emea_2", strings.Repeat("x", MaxOwnerLength)} {
		if err := CheckOwnerName(name); err != nil {
			t.Errorf("CheckOwnerName(%q) = %v, want nil", name, err)
		}
	}
	for _, name := range []string{"", "team a", "team:a", "équipe", strings.Repeat("x", MaxOwnerLength+1)} {
		if err := CheckOwnerName(name); err == nil {
			t.Errorf("CheckOwnerName(%q) = nil, want an error", name)
		}
	}
	if got := Marker("team-a", "E:1"); got != "tf-concur:team-a:E:1" {
		t.Errorf("Marker = %q", got)
	}
	for externalID, want := range map[string]string{
		"tf-concur:team-a:E:1": "team-a", // an emp_id may hold a colon; the owner cannot
		"tf-concur:team a:E1":  "",       // not an owner name: another system's value
		"tf-concur:team-a":     "",
		"SAP-4711":             "",
		"":                     "",
	} {
		owner, marked := MarkerOwner(externalID)
		if owner != want || marked != (want != "") {
			t.Errorf("MarkerOwner(%q) = %q, %v; want %q", externalID, owner, marked, want)
		}
	}
}

func TestOwnershipStatus(t *testing.T) {
	t.Parallel()
	a := Ownership{Owner: "a", TakeOverFrom: "b"}
	unset := Ownership{}
	for _, tc := range []struct {
		own        Ownership
		externalID string
		want       AccountStatus
		markedBy   string
	}{
		{a, "", AccountUnmarked, ""},
		{a, Marker("a", "E1"), AccountOurs, "a"},
		{a, Marker("b", "E1"), AccountTakenOver, "b"},
		{a, Marker("c", "E1"), AccountElsewhere, "c"},
		{a, "SAP-4711", AccountForeignID, ""},
		// Without an owner, every marker is another configuration's, and nothing is taken over.
		{unset, Marker("a", "E1"), AccountElsewhere, "a"},
		{Ownership{TakeOverFrom: "a"}, Marker("a", "E1"), AccountElsewhere, "a"},
		{unset, "", AccountUnmarked, ""},
	} {
		status, markedBy := tc.own.Status(tc.externalID)
		if status != tc.want || markedBy != tc.markedBy {
			t.Errorf("%+v.Status(%q) = %v, %q; want %v, %q", tc.own, tc.externalID, status, markedBy, tc.want, tc.markedBy)
		}
	}
}

func TestOwnershipCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		own            Ownership
		mapsExternalID bool
		attribute      string
	}{
		{Ownership{Owner: "a"}, false, ""},
		{Ownership{}, true, ""},
		{Ownership{Owner: "a"}, true, MarkerAttribute},
		{Ownership{TakeOverFrom: "b"}, false, "take_over_from"},
		{Ownership{Owner: "a", TakeOverFrom: "a"}, false, "take_over_from"},
	} {
		err := tc.own.Check(tc.mapsExternalID)
		var refused *OwnershipError
		switch {
		case tc.attribute == "" && err != nil:
			t.Errorf("%+v.Check(%v) = %v, want nil", tc.own, tc.mapsExternalID, err)
		case tc.attribute != "" && (!errors.As(err, &refused) || refused.Attribute != tc.attribute):
			t.Errorf("%+v.Check(%v) = %v, want an OwnershipError on %s", tc.own, tc.mapsExternalID, err, tc.attribute)
		}
	}
}

func ownedOptions(owner, takeOverFrom string) Options {
	opts := defaultOptions()
	opts.Ownership = Ownership{Owner: owner, TakeOverFrom: takeOverFrom}
	return opts
}

// The marker rules on one plan: who is created, linked, taken over, left alone or left unmarked.
func TestPlanUsersOwnerMarkers(t *testing.T) {
	t.Parallel()
	mapping := testMapping(t)
	entries := []directory.Entry{
		person("new", "E1", nil), person("bare", "E2", nil), person("ours", "E3", nil),
		person("theirs", "E4", nil), person("given", "E5", nil), person("sap", "E6", nil),
	}
	desired := DesiredUsers(entries, mapping, nil)
	existing := map[string]*concur.User{
		"E2": {ID: "id-2", EmployeeNumber: "E2"},
		"E3": {ID: "id-3", EmployeeNumber: "E3", ExternalID: Marker("a", "E3")},
		"E4": {ID: "id-4", EmployeeNumber: "E4", ExternalID: Marker("c", "E4")},
		"E5": {ID: "id-5", EmployeeNumber: "E5", ExternalID: Marker("b", "E5")},
		"E6": {ID: "id-6", EmployeeNumber: "E6", ExternalID: "SAP-4711"},
	}

	plan := mustPlan(t, desired, nil, existing, mapping, ownedOptions("a", "b"))

	for empID, want := range map[string]string{
		"E1": Marker("a", "E1"), "E2": Marker("a", "E2"), "E3": Marker("a", "E3"), "E5": Marker("a", "E5"),
		"E6": "SAP-4711", // another system's id is never overwritten
	} {
		if got := plan.Users[empID].Attributes[MarkerAttribute]; got != want {
			t.Errorf("%s: external_id = %q, want %q", empID, got, want)
		}
	}
	if _, planned := plan.Users["E4"]; planned {
		t.Errorf("E4, whose account owner c manages, is in the plan: %+v", plan.Users["E4"])
	}
	wantElsewhere := []ElsewhereUser{{EmpID: "E4", DN: "uid=theirs," + peopleBase, Owner: "c"}}
	if !reflect.DeepEqual(plan.ManagedElsewhere, wantElsewhere) {
		t.Errorf("ManagedElsewhere = %+v, want %+v", plan.ManagedElsewhere, wantElsewhere)
	}
	if want := []TakenOverUser{{EmpID: "E5", From: "b"}}; !reflect.DeepEqual(plan.TakenOver, want) {
		t.Errorf("TakenOver = %+v, want %+v", plan.TakenOver, want)
	}
	if want := []string{"E6"}; !reflect.DeepEqual(plan.Unmarkable, want) {
		t.Errorf("Unmarkable = %v, want %v", plan.Unmarkable, want)
	}
	if !reflect.DeepEqual(plan.Claimed(), []string{"E1", "E2", "E3", "E5", "E6"}) {
		t.Errorf("Claimed = %v: the person managed elsewhere is no claim of this channel", plan.Claimed())
	}
	if got, want := plan.Summary(), "create 1, link 4, unchanged 0, left alone (managed elsewhere) 1"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
}

// Without an owner nothing is written, and other owners' markers are still respected.
func TestPlanUsersWithoutOwner(t *testing.T) {
	t.Parallel()
	mapping := testMapping(t)
	desired := DesiredUsers([]directory.Entry{person("bare", "E2", nil), person("theirs", "E4", nil), person("sap", "E6", nil)}, mapping, nil)
	existing := map[string]*concur.User{
		"E2": {ID: "id-2", EmployeeNumber: "E2"},
		"E4": {ID: "id-4", EmployeeNumber: "E4", ExternalID: Marker("c", "E4")},
	}
	managed := managedFromDesired(DesiredUsers([]directory.Entry{person("sap", "E6", nil)}, mapping, nil), "id-")
	managed["E6"].Attributes[MarkerAttribute] = "SAP-4711" // read back by Refresh

	plan := mustPlan(t, desired, managed, existing, mapping, defaultOptions())

	if _, has := plan.Users["E2"].Attributes[MarkerAttribute]; has {
		t.Errorf("E2 is planned with an external_id %q, though no owner is set", plan.Users["E2"].Attributes[MarkerAttribute])
	}
	if _, planned := plan.Users["E4"]; planned || len(plan.ManagedElsewhere) != 1 || plan.ManagedElsewhere[0].Owner != "c" {
		t.Errorf("E4 planned %v, ManagedElsewhere %+v; want left to owner c", planned, plan.ManagedElsewhere)
	}
	if got := plan.Users["E6"].Attributes[MarkerAttribute]; got != "SAP-4711" || plan.Unchanged != 1 || len(plan.Unmarkable) != 0 {
		t.Errorf("E6 external_id %q, unchanged %d, unmarkable %v; want the id carried, no change, no warning", got, plan.Unchanged, plan.Unmarkable)
	}
}

// Users recorded before the owner was set gain the marker, the active and the inactive alike; an
// emp_id change rewrites it; a recorded marker of another owner (the owner was renamed) is kept
// as recorded and named, never written.
func TestPlanUsersMarksManagedUsers(t *testing.T) {
	t.Parallel()
	mapping := testMapping(t)
	entries := []directory.Entry{person("kept", "E1", nil), person("renamed", "E9", nil), person("old", "E3", nil)}
	managed := managedFromDesired(DesiredUsers([]directory.Entry{
		person("kept", "E1", nil), person("renamed", "E2", nil), person("old", "E3", nil), person("left", "E4", nil),
	}, mapping, nil), "id-")
	managed["E2"].Attributes[MarkerAttribute] = Marker("a", "E2")
	managed["E3"].Attributes[MarkerAttribute] = Marker("former", "E3")
	left := managed["E4"]
	left.Active = false
	managed["E4"] = left

	plan := mustPlan(t, DesiredUsers(entries, mapping, nil), managed, nil, mapping, ownedOptions("a", ""))

	changes := changesByEmpID(t, plan)
	for empID, want := range map[string]ChangeKind{"E1": ChangeUpdate, "E9": ChangeRename, "E4": ChangeUpdate} {
		if changes[empID].Kind != want {
			t.Errorf("%s: change %q, want %q", empID, changes[empID].Kind, want)
		}
	}
	for empID, want := range map[string]string{"E1": Marker("a", "E1"), "E9": Marker("a", "E9"), "E4": Marker("a", "E4")} {
		if got := plan.Users[empID].Attributes[MarkerAttribute]; got != want {
			t.Errorf("%s: external_id %q, want %q", empID, got, want)
		}
	}
	if plan.Users["E4"].Active {
		t.Errorf("E4 left the source inactive and is planned active")
	}
	if _, changed := changes["E3"]; changed || !reflect.DeepEqual(plan.Users["E3"], managed["E3"]) {
		t.Errorf("E3 (marked by owner former) is changed: %+v, planned %+v", changes["E3"], plan.Users["E3"])
	}
	if want := []ElsewhereUser{{EmpID: "E3", DN: managed["E3"].DN, Owner: "former", Managed: true}}; !reflect.DeepEqual(plan.ManagedElsewhere, want) {
		t.Errorf("ManagedElsewhere = %+v, want %+v", plan.ManagedElsewhere, want)
	}
}

func TestPlanUsersRefusesMappedExternalIDWithOwner(t *testing.T) {
	t.Parallel()
	templates := testTemplates()
	templates[AttrExternalID] = "{uid}"
	mapping, err := CompileMapping(templates, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = PlanUsers(DesiredUsers([]directory.Entry{person("jroe", "E1", nil)}, mapping, nil), nil, nil, mapping, ownedOptions("a", ""))
	var refused *OwnershipError
	if !errors.As(err, &refused) || refused.Attribute != MarkerAttribute {
		t.Fatalf("PlanUsers = %v, want an OwnershipError on external_id", err)
	}
}

// team is one configuration's channel over the shared sandbox, planned the way the provider does:
// refresh, look up the emp_ids it does not manage, plan, apply.
type team struct {
	*channel
}

func (tm team) run(entries ...directory.Entry) *Plan {
	tm.t.Helper()
	refreshed, err := Refresh(tm.ctx, tm.client, tm.recorded, tm.mapping, tm.opts.Ownership.Owner)
	if err != nil {
		tm.t.Fatal(err)
	}
	tm.recorded = refreshed
	desired := DesiredUsers(entries, tm.mapping, nil)
	var unmanaged []string
	for empID := range desired.Users {
		if _, ok := refreshed[empID]; !ok {
			unmanaged = append(unmanaged, empID)
		}
	}
	existing, err := lookUp(tm.ctx, tm.client, unmanaged)
	if err != nil {
		tm.t.Fatal(err)
	}
	plan, err := PlanUsers(desired, refreshed, existing, tm.mapping, tm.opts)
	if err != nil {
		tm.t.Fatal(err)
	}
	if failures := tm.apply(plan); len(failures) > 0 {
		tm.t.Fatal(failuresText(failures))
	}
	return plan
}

// Two configurations over one Concur company: the second leaves the first's people alone, a
// take-over moves one person, and the first then forgets that person without a write.
func TestOwnersAcrossConfigurations(t *testing.T) {
	t.Parallel()
	a := team{newChannel(t, nil)}
	a.opts = ownedOptions("team-a", "")
	b := team{&channel{t: t, ctx: a.ctx, server: a.server, client: a.client, mapping: a.mapping, opts: ownedOptions("team-b", ""), recorded: map[string]ManagedUser{}}}
	people := []directory.Entry{person("u1", "E1", nil), person("u2", "E2", nil), person("u3", "E3", nil)}

	a.run(people[:2]...)
	if got, _ := sandboxtest.MustUser(t, a.server, "E1")["externalId"].(string); got != Marker("team-a", "E1") {
		t.Fatalf("E1's externalId = %q, want team-a's marker", got)
	}
	plan := b.run(people[1:]...)
	if len(plan.ManagedElsewhere) != 1 || plan.ManagedElsewhere[0].EmpID != "E2" || plan.ManagedElsewhere[0].Owner != "team-a" {
		t.Fatalf("b's plan: ManagedElsewhere = %+v, want E2 of team-a", plan.ManagedElsewhere)
	}
	if _, managed := b.recorded["E2"]; managed {
		t.Fatalf("b records E2, which team-a manages")
	}

	b.opts.Ownership.TakeOverFrom = "team-a"
	plan = b.run(people[1:]...)
	if want := []TakenOverUser{{EmpID: "E2", From: "team-a"}}; !reflect.DeepEqual(plan.TakenOver, want) {
		t.Fatalf("b's take-over: TakenOver = %+v, want %+v", plan.TakenOver, want)
	}
	if got, _ := sandboxtest.MustUser(t, a.server, "E2")["externalId"].(string); got != Marker("team-b", "E2") {
		t.Fatalf("E2's externalId after the take-over = %q, want team-b's marker", got)
	}

	version := sandboxtest.MustUser(t, a.server, "E2")["meta"].(map[string]any)["version"]
	plan = a.run(people[:2]...)
	if _, managed := a.recorded["E2"]; managed {
		t.Errorf("a still records E2 after team-b took it over")
	}
	if len(plan.ManagedElsewhere) != 1 || plan.ManagedElsewhere[0].Owner != "team-b" || len(plan.Changes) != 0 {
		t.Errorf("a's plan after the take-over: changes %+v, ManagedElsewhere %+v; want no change and E2 named as team-b's", plan.Changes, plan.ManagedElsewhere)
	}
	user := sandboxtest.MustUser(t, a.server, "E2")
	if user["meta"].(map[string]any)["version"] != version || user["active"] != true {
		t.Errorf("E2 was written by a after the take-over: version %v (was %v), active %v", user["meta"].(map[string]any)["version"], version, user["active"])
	}
}

// An account created with the emp_id since the plan is linked at apply only when no other owner
// marked it.
func TestApplyLeavesAccountOfAnotherOwnerCreatedSincePlan(t *testing.T) {
	t.Parallel()
	c := newChannel(t, nil)
	c.opts = ownedOptions("team-a", "")
	plan := c.plan(person("jroe", "E1", nil))
	seedConcurUser(t, c.server, "E1", "other@example.com", map[string]any{"externalId": Marker("team-b", "E1")})

	failures := c.apply(plan)

	if len(failures) != 1 || !strings.Contains(failures[0].Error(), `managed elsewhere: its externalId names the owner "team-b"`) {
		t.Fatalf("failures = %s, want E1 refused as team-b's", failuresText(failures))
	}
	if _, recorded := c.recorded["E1"]; recorded {
		t.Errorf("E1 is recorded though team-b manages it")
	}
	if got := sandboxtest.MustUser(t, c.server, "E1")["userName"]; got != "other@example.com" {
		t.Errorf("E1's account was written: userName %v", got)
	}
}

func TestRemoveUserLeavesAccountOfAnotherOwner(t *testing.T) {
	t.Parallel()
	server, client := startSandbox(t, nil)
	ctx := testContext(t)
	theirs := seedConcurUser(t, server, "E1", "e1@example.com", map[string]any{"externalId": Marker("team-b", "E1")})
	ours := seedConcurUser(t, server, "E2", "e2@example.com", map[string]any{"externalId": Marker("team-a", "E2")})
	own := Ownership{Owner: "team-a"}

	var elsewhere *ManagedElsewhereError
	if err := RemoveUser(ctx, client, theirs, Deactivate, own); !errors.As(err, &elsewhere) || elsewhere.Owner != "team-b" {
		t.Errorf("RemoveUser(E1) = %v, want a ManagedElsewhereError naming team-b", err)
	}
	if err := RemoveUser(ctx, client, ours, Deactivate, own); err != nil {
		t.Errorf("RemoveUser(E2) = %v", err)
	}
	if sandboxtest.MustUser(t, server, "E1")["active"] != true || sandboxtest.MustUser(t, server, "E2")["active"] != false {
		t.Errorf("want E1 (team-b's) active and E2 (team-a's) deactivated")
	}
}

// markAccount writes an owner's marker on an account, as another configuration's apply would.
func markAccount(t *testing.T, c *channel, empID, owner string) {
	t.Helper()
	if err := c.server.ModifyUser(empID, map[string]any{"externalId": Marker(owner, empID)}); err != nil {
		t.Fatal(err)
	}
}

func accountVersion(t *testing.T, c *channel, empID string) any {
	t.Helper()
	return sandboxtest.MustUser(t, c.server, empID)["meta"].(map[string]any)["version"]
}

// An account another owner marked between the plan and the apply (a saved plan may be hours old)
// is not linked, updated, deactivated or deleted; the accounts are read again in one search.
func TestApplyLeavesAccountsMarkedByAnotherOwnerSincePlan(t *testing.T) {
	t.Parallel()
	for _, action := range []DeprovisionAction{DeprovisionDeactivate, DeprovisionDelete} {
		t.Run(string(action), func(t *testing.T) {
			t.Parallel()
			c := newChannel(t, nil)
			c.opts = ownedOptions("team-a", "")
			c.opts.DeprovisionAction = action
			c.sync(person("u1", "E1", nil), person("u2", "E2", nil), person("u3", "E3", nil))
			linkID := seedConcurUser(t, c.server, "E4", "u4@example.com", nil)
			desired := DesiredUsers([]directory.Entry{person("u1", "E1", map[string]string{"title": "Changed"}), person("u4", "E4", nil)}, c.mapping, nil)
			plan, err := PlanUsers(desired, c.recorded, map[string]*concur.User{"E4": {ID: linkID, EmployeeNumber: "E4"}}, c.mapping, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := plan.Summary(), fmt.Sprintf("link 1, update 1, %s 2, unchanged 0", action); got != want {
				t.Fatalf("plan: %s, want %s", got, want)
			}
			for _, empID := range []string{"E1", "E2", "E4"} {
				markAccount(t, c, empID, "team-b")
			}
			before := map[string]any{"E1": accountVersion(t, c, "E1"), "E2": accountVersion(t, c, "E2"), "E4": accountVersion(t, c, "E4")}
			c.server.ResetCounters()

			failures := c.apply(plan)

			failed := map[string]bool{}
			for _, failure := range failures {
				var elsewhere *ManagedElsewhereError
				if !errors.As(failure.Err, &elsewhere) || elsewhere.Owner != "team-b" {
					t.Errorf("failure %v, want a ManagedElsewhereError naming team-b", failure)
				}
				failed[failure.EmpID] = true
			}
			if !reflect.DeepEqual(failed, map[string]bool{"E1": true, "E2": true, "E4": true}) {
				t.Errorf("failed %v, want E1 (update), E2 (%s) and E4 (link) refused: %s", failed, action, failuresText(failures))
			}
			for empID, version := range before {
				user := sandboxtest.MustUser(t, c.server, empID)
				if user["meta"].(map[string]any)["version"] != version || user["active"] != true {
					t.Errorf("%s (team-b's) was written: version %v (was %v), active %v", empID, user["meta"].(map[string]any)["version"], version, user["active"])
				}
			}
			if _, recorded := c.recorded["E4"]; recorded {
				t.Errorf("E4 is recorded, though team-b manages it")
			}
			// E3, still team-a's, is deprovisioned as planned.
			if user, exists := c.server.UserByEmployeeNumber("E3"); action == DeprovisionDelete && exists || action == DeprovisionDeactivate && user["active"] != false {
				t.Errorf("E3 was not %sd: %v", action, user)
			}
			if got := c.server.Counters()[endpointSearch]; got != 1 {
				t.Errorf("the apply sent %d searches, want the one that reads the four accounts it writes: %v", got, c.server.Counters())
			}
		})
	}
}

// The apply of a take-over links an account the owner taken over from marked since the plan.
func TestApplyTakesOverAccountMarkedSincePlan(t *testing.T) {
	t.Parallel()
	c := newChannel(t, nil)
	c.opts = ownedOptions("team-a", "team-b")
	id := seedConcurUser(t, c.server, "E1", "u1@example.com", nil)
	desired := DesiredUsers([]directory.Entry{person("u1", "E1", nil)}, c.mapping, nil)
	plan, err := PlanUsers(desired, nil, map[string]*concur.User{"E1": {ID: id, EmployeeNumber: "E1"}}, c.mapping, c.opts)
	if err != nil {
		t.Fatal(err)
	}
	markAccount(t, c, "E1", "team-b")

	if failures := c.apply(plan); len(failures) > 0 {
		t.Fatal(failuresText(failures))
	}
	if got := sandboxtest.MustUser(t, c.server, "E1")["externalId"]; got != Marker("team-a", "E1") {
		t.Errorf("E1's externalId = %v, want team-a's marker", got)
	}
}

// Destroying a channel with on_destroy = deprovision leaves the accounts another owner's marker
// names as Concur holds them right before, and says so; a leftover take_over_from takes nobody over.
func TestDestroyLeavesAccountsOfAnotherOwner(t *testing.T) {
	t.Parallel()
	c := newChannel(t, nil)
	c.opts = ownedOptions("team-a", "")
	c.sync(person("u1", "E1", nil), person("u2", "E2", nil), person("u3", "E3", nil))
	markAccount(t, c, "E2", "team-b")
	version := accountVersion(t, c, "E2")
	opts := ownedOptions("team-a", "team-b")
	opts.OnDestroy = OnDestroyDeprovision

	destroyed, err := Destroy(c.ctx, c.client, c.recorded, opts)

	if err != nil || destroyed.Kept || len(destroyed.Failures) > 0 {
		t.Fatalf("Destroy = %+v, %v; want done, the account of team-b skipped", destroyed, err)
	}
	if want := []ElsewhereUser{{EmpID: "E2", DN: "uid=u2," + peopleBase, Owner: "team-b", Managed: true}}; !reflect.DeepEqual(destroyed.Skipped, want) {
		t.Errorf("Skipped = %+v, want %+v", destroyed.Skipped, want)
	}
	if user := sandboxtest.MustUser(t, c.server, "E2"); user["active"] != true || user["meta"].(map[string]any)["version"] != version {
		t.Errorf("E2 (team-b's) was written by the destroy: %v", user)
	}
	for _, empID := range []string{"E1", "E3"} {
		if active := sandboxtest.MustUser(t, c.server, empID)["active"]; active != false {
			t.Errorf("%s active = %v after the destroy, want false", empID, active)
		}
	}
}

// An account that carries this configuration's own marker, but not the recorded one (an apply
// stopped after writing it), is drift that the plan puts back; another owner's marker drops the user.
func TestRefreshTellsOwnMarkerFromAnotherOwners(t *testing.T) {
	t.Parallel()
	c := newChannel(t, nil)
	c.opts = ownedOptions("team-a", "")
	people := []directory.Entry{person("u1", "E1", nil), person("u2", "E2", nil)}
	c.sync(people...)
	if err := c.server.ModifyUser("E1", map[string]any{"externalId": Marker("team-a", "E1-old")}); err != nil {
		t.Fatal(err)
	}
	markAccount(t, c, "E2", "team-b")

	refreshed, err := Refresh(c.ctx, c.client, c.recorded, c.mapping, "team-a")
	if err != nil {
		t.Fatal(err)
	}

	if got := refreshed["E1"].Attributes[MarkerAttribute]; got != Marker("team-a", "E1-old") {
		t.Fatalf("E1 refreshed with external_id %q (present %v), want the drifted %q", got, refreshed["E1"].ID != "", Marker("team-a", "E1-old"))
	}
	if _, kept := refreshed["E2"]; kept {
		t.Errorf("E2, which team-b marked, is still managed")
	}
	c.recorded = refreshed
	plan := c.sync(people[:1]...)
	if changes := changesByEmpID(t, plan); changes["E1"].Kind != ChangeUpdate {
		t.Errorf("E1: change %+v, want the marker put back", changes["E1"])
	}
	if got := sandboxtest.MustUser(t, c.server, "E1")["externalId"]; got != Marker("team-a", "E1") {
		t.Errorf("E1's externalId = %v after the apply, want %q", got, Marker("team-a", "E1"))
	}
}

// A recorded user whose marker names the owner taken over from is announced like a linked one.
func TestPlanUsersAnnouncesTakeOverOfRecordedUsers(t *testing.T) {
	t.Parallel()
	mapping := testMapping(t)
	desired := DesiredUsers([]directory.Entry{person("u1", "E1", nil), person("u2", "E2", nil)}, mapping, nil)
	managed := managedFromDesired(desired, "id-")
	managed["E1"].Attributes[MarkerAttribute] = Marker("former", "E1")
	managed["E2"].Attributes[MarkerAttribute] = Marker("team-a", "E2")

	plan := mustPlan(t, desired, managed, nil, mapping, ownedOptions("team-a", "former"))

	if want := []TakenOverUser{{EmpID: "E1", From: "former"}}; !reflect.DeepEqual(plan.TakenOver, want) {
		t.Errorf("TakenOver = %+v, want %+v", plan.TakenOver, want)
	}
	if got := plan.Users["E1"].Attributes[MarkerAttribute]; got != Marker("team-a", "E1") {
		t.Errorf("E1 planned with external_id %q, want team-a's marker", got)
	}
}

// Refused ownership settings are found before the directory is read, so they are reported as what
// they are even where reading the source would fail (here: a group that does not exist).
func TestPlanChannelChecksOwnershipFirst(t *testing.T) {
	t.Parallel()
	c := newChannel(t, nil)
	dir := startDirectoryWith(t, ldifWithManagers(1))
	channel := Channel{Source: Source{GroupDN: "cn=nobody," + peopleBase}, Mapping: c.mapping, Options: ownedOptions("", "team-b")}
	_, _, err := PlanChannel(c.ctx, c.client, dir, channel, nil)
	var refused *OwnershipError
	if !errors.As(err, &refused) || refused.Attribute != "take_over_from" {
		t.Fatalf("PlanChannel = %v, want an OwnershipError on take_over_from", err)
	}
}
