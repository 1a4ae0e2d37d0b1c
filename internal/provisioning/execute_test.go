package provisioning

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/sandboxtest"
)

// channel drives a provisioning channel against the sandbox the way the provider does:
// plan from the directory entries and the recorded users, then apply and record the result.
type channel struct {
	t        *testing.T
	ctx      context.Context
	server   *sandbox.Server
	client   *concur.Client
	mapping  *Mapping
	opts     Options
	recorded map[string]ManagedUser
}

func newChannel(t *testing.T, tune func(*concur.Config), createOnly ...string) *channel {
	t.Helper()
	server, client := startSandbox(t, tune)
	return &channel{
		t: t, ctx: testContext(t), server: server, client: client,
		mapping: testMapping(t, createOnly...), opts: defaultOptions(), recorded: map[string]ManagedUser{},
	}
}

func (c *channel) plan(entries ...directory.Entry) *Plan {
	c.t.Helper()
	plan, err := PlanUsers(DesiredUsers(entries, c.mapping, nil), c.recorded, nil, c.mapping, c.opts)
	if err != nil {
		c.t.Fatalf("PlanUsers: %v", err)
	}
	return plan
}

// apply applies a plan, records the result and returns the failures; an error of the whole
// apply fails the test.
func (c *channel) apply(plan *Plan) []Failure {
	c.t.Helper()
	recorded, failures, err := Apply(c.ctx, c.client, c.recorded, plan.Users, c.opts.Ownership)
	if err != nil {
		c.t.Fatalf("Apply: %v", err)
	}
	c.recorded = recorded
	return failures
}

// sync plans and applies, failing the test on any failure.
func (c *channel) sync(entries ...directory.Entry) *Plan {
	c.t.Helper()
	plan := c.plan(entries...)
	if failures := c.apply(plan); len(failures) > 0 {
		c.t.Fatalf("Apply: %s", failuresText(failures))
	}
	return plan
}

func TestApplyCreates(t *testing.T) {
	t.Parallel()
	c := newChannel(t, nil)
	entries := []directory.Entry{
		person("jroe", "E1", map[string]string{"title": "Controller"}),
		person("jdoe", "E2", map[string]string{"departmentNumber": ""}),
	}

	c.sync(entries...)

	if n := c.server.UserCount(); n != 2 {
		t.Fatalf("Concur has %d users, want 2", n)
	}
	for _, entry := range entries {
		empID := entry.Attributes["employeeNumber"][0]
		user := sandboxtest.MustUser(t, c.server, empID)
		recorded := c.recorded[empID]
		if recorded.ID == "" || recorded.ID != user["id"] || !recorded.Active || recorded.DN != entry.DN {
			t.Errorf("recorded %s = %+v, want active with Concur id %v and DN %s", empID, recorded, user["id"], entry.DN)
		}
		mail := entry.Attributes["mail"][0]
		if user["userName"] != mail || workEmail(user) != mail || user["active"] != true {
			t.Errorf("%s in Concur: userName %v, work e-mail %q, active %v", empID, user["userName"], workEmail(user), user["active"])
		}
	}
	e1, e2 := sandboxtest.MustUser(t, c.server, "E1"), sandboxtest.MustUser(t, c.server, "E2")
	if e1["title"] != "Controller" || enterprise(e1, "department") != "FIN" {
		t.Errorf("E1 title %v department %v, want Controller FIN", e1["title"], enterprise(e1, "department"))
	}
	if d := enterprise(e2, "department"); d != nil {
		t.Errorf("E2 department = %v, want none (its directory entry has none)", d)
	}

	// Applying the same state again sends no request.
	c.server.ResetCounters()
	c.sync(entries...)
	if counters := c.server.Counters(); len(counters) != 0 {
		t.Errorf("a second apply without changes sent %v", counters)
	}
}

func TestApplyUpdatesWithMinimalPatches(t *testing.T) {
	t.Parallel()
	c := newChannel(t, nil)
	c.sync(person("a", "E1", nil), person("b", "E2", nil), person("c", "E3", nil))
	// An administrator sets an attribute the mapping does not manage.
	if err := c.server.ModifyUser("E1", map[string]any{"nickName": "Jimmy"}); err != nil {
		t.Fatal(err)
	}
	c.server.ResetCounters()

	plan := c.sync(
		person("a", "E1", map[string]string{"title": "Lead"}),
		person("b", "E2", map[string]string{"departmentNumber": ""}),
		person("c", "E3", nil),
	)

	if got := plan.Summary(); got != "update 2, unchanged 1" {
		t.Errorf("summary = %q", got)
	}
	counters := c.server.Counters()
	if counters[endpointPatch] != 2 || counters[endpointCreate] != 0 || counters[endpointDelete] != 0 {
		t.Errorf("requests = %v, want exactly 2 patches", counters)
	}
	e1 := sandboxtest.MustUser(t, c.server, "E1")
	if e1["title"] != "Lead" {
		t.Errorf("E1 title = %v, want Lead", e1["title"])
	}
	if e1["nickName"] != "Jimmy" {
		t.Errorf("E1 nickName = %v, want the unmapped Jimmy set in Concur to survive the update", e1["nickName"])
	}
	e2 := sandboxtest.MustUser(t, c.server, "E2")
	if d := enterprise(e2, "department"); d != nil {
		t.Errorf("E2 department = %v, want it cleared", d)
	}
	if e2["title"] != "Analyst" {
		t.Errorf("E2 title = %v, want it untouched", e2["title"])
	}
	if got := c.recorded["E2"].Attributes[AttrDepartment]; got != "" {
		t.Errorf("recorded E2 department = %q, want \"\"", got)
	}
}

func TestApplyEmpIDChangeKeepsTheConcurUser(t *testing.T) {
	t.Parallel()
	c := newChannel(t, nil)
	c.sync(person("a", "E1", nil))
	id := concurID(t, c.server, "E1")

	plan := c.sync(person("a", "E9", nil))

	if got := plan.Summary(); got != "change emp_id 1, unchanged 0" {
		t.Errorf("summary = %q", got)
	}
	if _, ok := c.server.UserByEmployeeNumber("E1"); ok {
		t.Error("a Concur user still has emp_id E1")
	}
	if got := concurID(t, c.server, "E9"); got != id {
		t.Errorf("E9 has Concur id %s, want the same user %s", got, id)
	}
	if n := c.server.UserCount(); n != 1 {
		t.Errorf("Concur has %d users, want 1", n)
	}
	if _, ok := c.recorded["E1"]; ok || c.recorded["E9"].ID != id {
		t.Errorf("recorded = %+v, want only E9 with id %s", c.recorded, id)
	}
}

func TestApplyDeprovisions(t *testing.T) {
	t.Parallel()
	t.Run("deactivate, then reactivate", func(t *testing.T) {
		c := newChannel(t, nil)
		c.sync(person("a", "E1", nil), person("b", "E2", nil))

		c.sync(person("a", "E1", nil))

		if active := sandboxtest.MustUser(t, c.server, "E2")["active"]; active != false {
			t.Errorf("E2 active = %v, want false", active)
		}
		if got, ok := c.recorded["E2"]; !ok || got.Active {
			t.Errorf("recorded E2 = %+v (present %v), want kept and inactive", got, ok)
		}
		if sandboxtest.MustUser(t, c.server, "E1")["active"] != true {
			t.Error("E1 was deactivated too")
		}

		plan := c.sync(person("a", "E1", nil), person("b", "E2", nil))
		if got := plan.Summary(); got != "reactivate 1, unchanged 1" {
			t.Errorf("summary = %q", got)
		}
		if active := sandboxtest.MustUser(t, c.server, "E2")["active"]; active != true {
			t.Errorf("E2 active = %v after coming back, want true", active)
		}
	})
	t.Run("delete", func(t *testing.T) {
		c := newChannel(t, nil)
		c.opts.DeprovisionAction = DeprovisionDelete
		c.sync(person("a", "E1", nil), person("b", "E2", nil))

		c.sync(person("a", "E1", nil))

		if _, ok := c.server.UserByEmployeeNumber("E2"); ok {
			t.Error("E2 still exists in Concur")
		}
		if _, ok := c.recorded["E2"]; ok {
			t.Error("E2 is still recorded")
		}
		if n := c.server.UserCount(); n != 1 {
			t.Errorf("Concur has %d users, want 1", n)
		}
	})
	t.Run("delete of a user already gone in Concur", func(t *testing.T) {
		c := newChannel(t, nil)
		c.opts.DeprovisionAction = DeprovisionDelete
		c.sync(person("a", "E1", nil), person("b", "E2", nil))
		c.server.DeleteUserByEmployeeNumber("E2")

		c.sync(person("a", "E1", nil))

		if _, ok := c.recorded["E2"]; ok {
			t.Error("E2 is still recorded")
		}
	})
}

// A user created in Concur between plan and apply is linked, not duplicated.
func TestApplyLinksUserCreatedSincePlan(t *testing.T) {
	t.Parallel()
	c := newChannel(t, nil)
	plan := c.plan(person("a", "E1", map[string]string{"title": "Controller"}))
	if got := plan.Summary(); got != "create 1, unchanged 0" {
		t.Fatalf("summary = %q", got)
	}
	id := seedConcurUser(t, c.server, "E1", "someone.else@example.com", map[string]any{"nickName": "Kept", "title": "Old"})

	if failures := c.apply(plan); len(failures) > 0 {
		t.Fatalf("Apply: %s", failuresText(failures))
	}

	if n := c.server.UserCount(); n != 1 {
		t.Fatalf("Concur has %d users, want the existing one only", n)
	}
	if got := c.recorded["E1"].ID; got != id {
		t.Errorf("recorded id = %q, want the existing user's %s", got, id)
	}
	user := sandboxtest.MustUser(t, c.server, "E1")
	if user["title"] != "Controller" || user["userName"] != "a@example.com" || user["nickName"] != "Kept" {
		t.Errorf("linked user: title %v userName %v nickName %v; want the mapped Controller, a@example.com and the unmapped Kept",
			user["title"], user["userName"], user["nickName"])
	}
}

// A user the plan links (found by PlanUsers' existing map) is updated in place.
func TestApplyLinksExistingUser(t *testing.T) {
	t.Parallel()
	c := newChannel(t, nil, AttrTitle)
	id := seedConcurUser(t, c.server, "E1", "a@example.com", map[string]any{"title": "Concur Title", "active": false})
	entries := []directory.Entry{person("a", "E1", map[string]string{"title": "Directory Title", "departmentNumber": "ENG"})}
	existing, err := c.client.FindUsersByEmployeeNumbers(c.ctx, []string{"E1"})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := PlanUsers(DesiredUsers(entries, c.mapping, nil), nil, existing, c.mapping, c.opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := plan.Summary(); got != "link 1, unchanged 0" {
		t.Fatalf("summary = %q", got)
	}
	c.server.ResetCounters()

	if failures := c.apply(plan); len(failures) > 0 {
		t.Fatalf("Apply: %s", failuresText(failures))
	}

	if n := c.server.UserCount(); n != 1 {
		t.Errorf("Concur has %d users, want 1", n)
	}
	if creates := c.server.Counters()[endpointCreate]; creates != 0 {
		t.Errorf("%d creates sent, want none", creates)
	}
	user := sandboxtest.MustUser(t, c.server, "E1")
	if user["id"] != id || user["title"] != "Concur Title" || enterprise(user, "department") != "ENG" || user["active"] != true {
		t.Errorf("linked user: id %v title %v department %v active %v; want %s, the create-only Concur Title, ENG, active",
			user["id"], user["title"], enterprise(user, "department"), user["active"], id)
	}
	if got := c.recorded["E1"]; got.ID != id || got.Attributes[AttrTitle] != "Concur Title" {
		t.Errorf("recorded = %+v", got)
	}
}

// A new user whose manager is created in the same apply is created after the manager.
func TestApplyCreatesManagersFirst(t *testing.T) {
	t.Parallel()
	c := newChannel(t, nil)
	// The employee sorts before the manager and before the manager's manager.
	c.sync(
		person("emp", "A100", map[string]string{"managerNumber": "M500"}),
		person("mgr", "M500", map[string]string{"managerNumber": "Z900"}),
		person("boss", "Z900", nil),
		person("peer", "B200", map[string]string{"managerNumber": "Z900"}),
	)

	for employee, manager := range map[string]string{"A100": "M500", "M500": "Z900", "B200": "Z900"} {
		got := enterprise(sandboxtest.MustUser(t, c.server, employee), "manager")
		ref, _ := got.(map[string]any)
		if want := concurID(t, c.server, manager); ref["value"] != want {
			t.Errorf("%s manager = %v, want value %s (%s)", employee, got, want, manager)
		}
	}
	if got := enterprise(sandboxtest.MustUser(t, c.server, "Z900"), "manager"); got != nil {
		t.Errorf("Z900 manager = %v, want none", got)
	}
	// Read back, the managers are no drift.
	refreshed, err := Refresh(c.ctx, c.client, c.recorded, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(refreshed, c.recorded) {
		t.Errorf("refreshed = %+v\nwant the recorded %+v", refreshed, c.recorded)
	}

	// Moving to another manager, then to none.
	c.sync(
		person("emp", "A100", map[string]string{"managerNumber": "Z900"}),
		person("mgr", "M500", map[string]string{"managerNumber": "Z900"}),
		person("boss", "Z900", nil),
		person("peer", "B200", nil),
	)
	ref, _ := enterprise(sandboxtest.MustUser(t, c.server, "A100"), "manager").(map[string]any)
	if want := concurID(t, c.server, "Z900"); ref["value"] != want {
		t.Errorf("A100 manager = %v, want value %s", ref, want)
	}
	if got := enterprise(sandboxtest.MustUser(t, c.server, "B200"), "manager"); got != nil {
		t.Errorf("B200 manager = %v, want it removed", got)
	}
}

// Concur refuses one create and one update (their login ID belongs to a user outside the
// channel, which only Concur knows): the others succeed, the refused create stays unrecorded
// and the refused update keeps its prior entry, each failure with Concur's reason.
func TestApplyPartialFailureKeepsSuccesses(t *testing.T) {
	t.Parallel()
	c := newChannel(t, nil)
	c.sync(person("a", "E1", nil), person("b", "E2", nil))
	prior := c.recorded["E2"]
	if err := c.server.LoadUsersJSON(strings.NewReader(`[{"userName": "taken@example.com", "active": true,
		"name": {"givenName": "Tak", "familyName": "En"}, "emails": [{"value": "taken@example.com", "type": "work"}],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "X9"}}]`)); err != nil {
		t.Fatal(err)
	}

	plan := c.plan(
		person("a", "E1", map[string]string{"title": "Lead"}),
		person("b", "E2", map[string]string{"mail": "taken@example.com", "title": "Lead"}),
		person("c", "E3", nil),
		person("d", "E4", map[string]string{"mail": "taken@example.com"}),
	)
	failures := c.apply(plan)

	if len(failures) != 2 {
		t.Fatalf("Apply: %s; want E2 and E4 to fail", failuresText(failures))
	}
	for i, want := range []struct {
		empID string
		kind  ChangeKind
	}{{"E2", ChangeUpdate}, {"E4", ChangeCreate}} {
		got := failures[i]
		if got.EmpID != want.empID || got.Kind != want.kind {
			t.Errorf("failure %d = %s %s, want %s %s", i, got.Kind, got.EmpID, want.kind, want.empID)
		}
		var apiErr *concur.APIError
		if !errors.As(got.Err, &apiErr) || apiErr.StatusCode != 409 {
			t.Errorf("failure %s: %v, want Concur's 409", got.EmpID, got.Err)
		}
		if !strings.Contains(got.Error(), want.empID) || !strings.Contains(got.Error(), "userName") {
			t.Errorf("failure message %q names neither the emp_id nor Concur's reason", got.Error())
		}
	}
	if got := c.recorded["E2"]; !reflect.DeepEqual(got, prior) {
		t.Errorf("recorded E2 = %+v, want the prior entry %+v", got, prior)
	}
	if _, ok := c.recorded["E4"]; ok {
		t.Error("the failed create E4 is recorded")
	}
	if got := c.recorded["E1"]; got.Attributes[AttrTitle] != "Lead" {
		t.Errorf("recorded E1 = %+v, want the update recorded", got)
	}
	if got := c.recorded["E3"]; got.ID == "" || got.ID != concurID(t, c.server, "E3") {
		t.Errorf("recorded E3 = %+v, want the created user", got)
	}
	if title := sandboxtest.MustUser(t, c.server, "E2")["title"]; title != "Analyst" {
		t.Errorf("E2 title = %v in Concur, want the refused update not applied", title)
	}
}

// A create that fails on a server error is retried, alone, by the next apply.
func TestApplyRetriesOnlyTheFailedUser(t *testing.T) {
	t.Parallel()
	// One request at a time, so the failures hit the first create (E1); one retry per
	// create, so two injected failures exhaust it.
	c := newChannel(t, func(cfg *concur.Config) { cfg.MaxConcurrency = 1; cfg.MaxRetries = 1 })
	entries := []directory.Entry{person("a", "E1", nil), person("b", "E2", nil), person("c", "E3", nil)}
	plan := c.plan(entries...)
	c.server.SetFaults(sandbox.Faults{FailNext: map[string]int{endpointCreate: 2}})

	failures := c.apply(plan)

	if len(failures) != 1 || failures[0].EmpID != "E1" || failures[0].Kind != ChangeCreate {
		t.Fatalf("Apply: %s; want the create of E1 to fail", failuresText(failures))
	}
	if msg := failures[0].Error(); !strings.Contains(msg, `"E1"`) || !strings.Contains(msg, "500") {
		t.Errorf("failure message %q, want the emp_id and Concur's 500", msg)
	}
	if _, ok := c.recorded["E1"]; ok {
		t.Error("the failed E1 is recorded")
	}
	if _, ok := c.server.UserByEmployeeNumber("E1"); ok {
		t.Error("E1 exists in Concur")
	}
	for _, empID := range []string{"E2", "E3"} {
		if got := c.recorded[empID]; got.ID == "" || got.ID != concurID(t, c.server, empID) {
			t.Errorf("recorded %s = %+v, want the created user", empID, got)
		}
	}

	// The next run plans against the recorded state, as the provider does.
	c.server.ResetCounters()
	replan := c.plan(entries...)
	if got := replan.Summary(); got != "create 1, unchanged 2" {
		t.Errorf("second plan: %s", got)
	}
	if failures := c.apply(replan); len(failures) > 0 {
		t.Fatalf("second Apply: %s", failuresText(failures))
	}
	counters := c.server.Counters()
	if counters[endpointCreate] != 1 || counters[endpointPatch] != 0 || counters[endpointDelete] != 0 || counters[endpointGet] != 0 {
		t.Errorf("second apply sent %v, want exactly one create", counters)
	}
	for _, empID := range []string{"E2", "E3"} {
		if got := c.recorded[empID]; got.ID == "" || got.ID != concurID(t, c.server, empID) {
			t.Errorf("recorded %s = %+v after the second apply, want its Concur id kept", empID, got)
		}
	}
	if got := c.recorded["E1"]; got.ID == "" || got.ID != concurID(t, c.server, "E1") {
		t.Errorf("recorded E1 = %+v, want the created user", got)
	}
	if n := c.server.UserCount(); n != 3 {
		t.Errorf("Concur has %d users, want 3", n)
	}
}

// When the users to link cannot be read, nothing is applied and the error is reported once.
func TestApplyLinkReadFailureChangesNothing(t *testing.T) {
	t.Parallel()
	c := newChannel(t, func(cfg *concur.Config) { cfg.MaxRetries = 1 })
	c.sync(person("a", "E1", nil))
	prior := c.recorded
	seedConcurUser(t, c.server, "E2", "b@example.com", nil)
	existing, err := c.client.FindUsersByEmployeeNumbers(c.ctx, []string{"E2"})
	if err != nil {
		t.Fatal(err)
	}
	entries := []directory.Entry{person("a", "E1", map[string]string{"title": "Lead"}), person("b", "E2", nil)}
	plan, err := PlanUsers(DesiredUsers(entries, c.mapping, nil), c.recorded, existing, c.mapping, c.opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := plan.Summary(); got != "link 1, update 1, unchanged 0" {
		t.Fatalf("summary = %q", got)
	}
	c.server.SetFaults(sandbox.Faults{FailNext: map[string]int{endpointSearch: 10}})

	recorded, failures, err := Apply(c.ctx, c.client, c.recorded, plan.Users, c.opts.Ownership)

	if err == nil || len(failures) != 0 {
		t.Fatalf("Apply: error %v, failures %s; want one error and no per-user failures", err, failuresText(failures))
	}
	if !reflect.DeepEqual(recorded, prior) {
		t.Errorf("recorded = %+v, want the prior state %+v", recorded, prior)
	}
	if title := sandboxtest.MustUser(t, c.server, "E1")["title"]; title != "Analyst" {
		t.Errorf("E1 title = %v, want unchanged", title)
	}
}

// A create is sent without looking its emp_id up again: one request per new user.
func TestApplyCreatesWithoutLookups(t *testing.T) {
	t.Parallel()
	c := newChannel(t, nil)
	plan := c.plan(person("a", "E1", nil), person("b", "E2", map[string]string{"managerNumber": "E1"}))
	c.server.ResetCounters()

	if failures := c.apply(plan); len(failures) > 0 {
		t.Fatal(failuresText(failures))
	}

	counters := c.server.Counters()
	if all, token := totalRequests(counters); counters[endpointCreate] != 2 || all-token != 2 {
		t.Errorf("creating 2 users, one the other's manager, sent %v; want the 2 creates (and a token) only", counters)
	}
	ref, _ := enterprise(sandboxtest.MustUser(t, c.server, "E2"), "manager").(map[string]any)
	if want := concurID(t, c.server, "E1"); ref["value"] != want {
		t.Errorf("E2 manager = %v, want %s", ref, want)
	}
}

// A create refused because another account holds the login ID fails with Concur's reason; it
// links nothing.
func TestApplyCreateConflictOnLoginIsAFailure(t *testing.T) {
	t.Parallel()
	c := newChannel(t, nil)
	otherID := seedConcurUser(t, c.server, "X9", "a@example.com", nil)

	failures := c.apply(c.plan(person("a", "E1", nil)))

	if len(failures) != 1 || !concur.IsConflict(failures[0].Err) || !strings.Contains(failures[0].Error(), "userName") {
		t.Fatalf("Apply: %s; want E1's create to fail with Concur's 409 on userName", failuresText(failures))
	}
	if _, ok := c.recorded["E1"]; ok {
		t.Error("E1 is recorded")
	}
	if got := sandboxtest.MustUser(t, c.server, "X9"); got["id"] != otherID || enterprise(got, "employeeNumber") != "X9" {
		t.Errorf("the other account is now %v", got)
	}
}

// A report whose manager gets a new emp_id in the same apply is linked after the manager's
// emp_id changed in Concur, so the new emp_id resolves.
func TestApplyManagerRenamedInTheSameApply(t *testing.T) {
	t.Parallel()
	c := newChannel(t, func(cfg *concur.Config) { cfg.MaxConcurrency = 4 })
	c.sync(person("boss", "M1", nil), person("emp", "E1", map[string]string{"managerNumber": "M1"}))

	c.sync(person("boss", "M2", nil), person("emp", "E1", map[string]string{"managerNumber": "M2"}))

	ref, _ := enterprise(sandboxtest.MustUser(t, c.server, "E1"), "manager").(map[string]any)
	if want := concurID(t, c.server, "M2"); ref["value"] != want {
		t.Errorf("E1 manager = %v, want the renamed manager %s", ref, want)
	}
}

// A user whose directory entry only gains an ID (state from before entry IDs) or moves to another
// DN is no change for Concur: the plan counts it unchanged, and the apply records the new
// bookkeeping without a request.
func TestApplyRecordsDirectoryBookkeepingWithoutRequests(t *testing.T) {
	t.Parallel()
	c := newChannel(t, nil)
	c.sync(person("a", "E1", nil))
	moved := person("a", "E1", nil)
	moved.ID, moved.DN = "uuid-a", "uid=a,ou=moved,dc=example,dc=com"

	plan := c.plan(moved)
	if plan.Summary() != "unchanged 1" {
		t.Errorf("summary = %q, want unchanged 1", plan.Summary())
	}
	c.server.ResetCounters()
	if failures := c.apply(plan); len(failures) > 0 {
		t.Fatal(failuresText(failures))
	}
	if n := len(c.server.Counters()); n != 0 {
		t.Errorf("the apply sent requests %v, want none", c.server.Counters())
	}
	if got := c.recorded["E1"]; got.EntryID != "uuid-a" || got.DN != moved.DN {
		t.Errorf("recorded %+v, want the new entry ID and DN", got)
	}
}
