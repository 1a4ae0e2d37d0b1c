package provisioning

import (
	"fmt"
	"maps"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/sandboxtest"
)

const (
	endpointBulk   = "POST /profile/v4/Bulk"
	endpointStatus = "GET /profile/v4/provisions/{id}/status"
	coreUserSchema = "urn:ietf:params:scim:schemas:core:2.0:User"
)

// applyWith is apply with options, for the tests that choose how Apply writes.
func (c *channel) applyWith(plan *Plan, options ...ApplyOption) []Failure {
	c.t.Helper()
	recorded, failures, err := Apply(c.ctx, c.client, c.recorded, plan.Users, Ownership{}, options...)
	if err != nil {
		c.t.Fatalf("Apply: %v", err)
	}
	c.recorded = recorded
	return failures
}

// people are n directory entries E0000... with uid u0000...; edit, when given, adjusts each.
func people(n int, edit func(i int, attrs map[string]string)) []directory.Entry {
	entries := make([]directory.Entry, n)
	for i := range entries {
		attrs := map[string]string{"title": fmt.Sprintf("Analyst %d", i)}
		if edit != nil {
			edit(i, attrs)
		}
		entries[i] = person(fmt.Sprintf("u%04d", i), fmt.Sprintf("E%04d", i), attrs)
	}
	return entries
}

func TestApplyGoesInBulkFromTheThreshold(t *testing.T) {
	t.Parallel()
	for _, n := range []int{BulkMinimumIdentityWrites - 1, BulkMinimumIdentityWrites} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			c := newChannel(t, nil)
			c.sync(people(n, nil)...)

			counters := c.server.Counters()
			bulk, oneByOne := counters[endpointBulk], counters[endpointCreate]
			wantBulk := (n + concur.MaxBulkOperations - 1) / concur.MaxBulkOperations
			if n < BulkMinimumIdentityWrites && (bulk != 0 || oneByOne != n) {
				t.Errorf("%d creates sent %d bulk requests and %d creates, want %d creates one by one", n, bulk, oneByOne, n)
			}
			if n >= BulkMinimumIdentityWrites && (bulk != wantBulk || oneByOne != 0) {
				t.Errorf("%d creates sent %d bulk requests and %d creates, want %d bulk requests", n, bulk, oneByOne, wantBulk)
			}
			if got := c.server.UserCount(); got != n {
				t.Errorf("Concur has %d users, want %d", got, n)
			}
			for empID, user := range c.recorded {
				if user.ID == "" || user.ID != concurID(t, c.server, empID) {
					t.Errorf("recorded %s with Concur id %q, want the id of its account", empID, user.ID)
				}
			}
		})
	}
}

// Writes that carry a profile wait for a provision status even one by one, so they go in bulk
// from far fewer than identity writes do; deprovisions never count.
func TestBulkRoundRule(t *testing.T) {
	t.Parallel()
	round := func(n int, kind ChangeKind, attributes map[string]string) []operation {
		ops := make([]operation, n)
		for i := range ops {
			ops[i] = operation{kind: kind, key: fmt.Sprint(i), to: ManagedUser{Attributes: attributes}}
		}
		return ops
	}
	identity := map[string]string{AttrTitle: "Analyst"}
	spend := map[string]string{AttrTitle: "Analyst", "reimbursement_currency": "EUR", "country": "DE", "locale": "de-DE"}
	defaults := newApplySettings(nil)
	for _, tc := range []struct {
		name     string
		settings applySettings
		round    []operation
		want     bool
	}{
		{"identity below", defaults, round(BulkMinimumIdentityWrites-1, ChangeCreate, identity), false},
		{"identity at", defaults, round(BulkMinimumIdentityWrites, ChangeUpdate, identity), true},
		{"profiles below", defaults, round(BulkMinimumWrites-1, ChangeCreate, spend), false},
		{"profiles at", defaults, round(BulkMinimumWrites, ChangeLink, spend), true},
		{"deactivations", defaults, round(2*BulkMinimumIdentityWrites, ChangeDeactivate, spend), false},
		{"forced", newApplySettings([]ApplyOption{BulkFrom(1)}), round(1, ChangeCreate, identity), true},
	} {
		if got := tc.settings.inBulkRound(tc.round); got != tc.want {
			t.Errorf("%s: %d operations in bulk = %v, want %v", tc.name, len(tc.round), got, tc.want)
		}
	}
}

// One user that Concur refuses in a bulk fails alone, named by emp_id with Concur's reason; the
// others are recorded, and the next apply sends only the one that failed.
func TestApplyBulkKeepsPartialFailures(t *testing.T) {
	t.Parallel()
	c := newChannel(t, nil)
	entries := people(30, nil)
	if err := c.server.SetExtensionFailures(sandbox.ExtensionFailure{Extension: coreUserSchema, EmployeeNumber: "E0007"}); err != nil {
		t.Fatal(err)
	}

	failures := c.applyWith(c.plan(entries...), BulkFrom(BulkMinimumWrites))

	if len(failures) != 1 || failures[0].EmpID != "E0007" || failures[0].Kind != ChangeCreate {
		t.Fatalf("failures = %s, want E0007's create alone", failuresText(failures))
	}
	if text := failures[0].Error(); !strings.Contains(text, "SERVICE_UNAVAILABLE") || !strings.Contains(text, "E0007") {
		t.Errorf("failure %q does not name the emp_id and Concur's reason", text)
	}
	if _, ok := c.recorded["E0007"]; ok || len(c.recorded) != 29 {
		t.Errorf("recorded %d users (E0007 among them: %v), want the 29 that were created", len(c.recorded), ok)
	}
	if _, exists := c.server.UserByEmployeeNumber("E0007"); exists {
		t.Error("E0007 exists in Concur although its create failed")
	}

	if err := c.server.SetExtensionFailures(); err != nil {
		t.Fatal(err)
	}
	c.server.ResetCounters()
	plan := c.sync(entries...)
	if got := plan.Summary(); got != "create 1, unchanged 29" {
		t.Errorf("retry plan: %s, want only E0007 created", got)
	}
	if counters := c.server.Counters(); counters[endpointCreate] != 1 || counters[endpointBulk] != 0 || counters[endpointPatch] != 0 {
		t.Errorf("the retry sent %v, want one create", counters)
	}
	if c.recorded["E0007"].ID != concurID(t, c.server, "E0007") {
		t.Errorf("E0007 recorded as %+v after the retry", c.recorded["E0007"])
	}
}

// A bulk create that Concur refuses because the emp_id exists (an account created since the plan)
// links that account, as a create one by one does; one refused for another account's login ID
// fails, and neither makes a second account.
func TestApplyBulkLinksDuplicates(t *testing.T) {
	t.Parallel()
	c := newChannel(t, nil)
	plan := c.plan(people(25, nil)...)
	linkedID := seedConcurUser(t, c.server, "E0003", "someone.else@example.com", map[string]any{"nickName": "Kept"})
	seedConcurUser(t, c.server, "X9", "u0004@example.com", nil)

	failures := c.applyWith(plan, BulkFrom(BulkMinimumWrites))

	if len(failures) != 1 || failures[0].EmpID != "E0004" || !concur.IsConflict(failures[0].Err) {
		t.Fatalf("failures = %s, want E0004's create refused for its login ID", failuresText(failures))
	}
	if got := c.server.UserCount(); got != 25 {
		t.Errorf("Concur has %d users, want 25: 23 created, E0003 linked and X9", got)
	}
	if got := c.recorded["E0003"].ID; got != linkedID {
		t.Errorf("E0003 recorded with id %q, want the existing account %s", got, linkedID)
	}
	e3 := sandboxtest.MustUser(t, c.server, "E0003")
	if e3["userName"] != "u0003@example.com" || e3["title"] != "Analyst 3" || e3["nickName"] != "Kept" {
		t.Errorf("linked E0003: userName %v title %v nickName %v, want the mapped values and the unmapped Kept", e3["userName"], e3["title"], e3["nickName"])
	}
	if c.server.Counters()[endpointBulk] != 1 {
		t.Errorf("requests = %v, want the creates in one bulk", c.server.Counters())
	}
}

// Reports whose manager the same apply creates get the manager's Concur id. A hierarchy that
// would take three rounds in bulk (E0000; E0001 and E0000's reports; E0001's reports) takes two:
// everyone, the reports without their manager, then the reports' managers.
func TestApplyBulkLinksManagersCreatedInTheSameApply(t *testing.T) {
	t.Parallel()
	c := newChannel(t, nil)
	entries := people(40, func(i int, attrs map[string]string) {
		switch {
		case i >= 2:
			attrs["managerNumber"] = fmt.Sprintf("E%04d", i%2)
		case i == 1:
			attrs["managerNumber"] = "E0000"
		}
	})

	if failures := c.applyWith(c.plan(entries...), BulkFrom(1)); len(failures) > 0 {
		t.Fatal(failuresText(failures))
	}

	for i := 1; i < 40; i++ {
		report := fmt.Sprintf("E%04d", i)
		manager := "E0000"
		if i >= 2 {
			manager = fmt.Sprintf("E%04d", i%2)
		}
		ref, _ := enterprise(sandboxtest.MustUser(t, c.server, report), "manager").(map[string]any)
		if want := c.recorded[manager].ID; want == "" || ref["value"] != want {
			t.Errorf("%s manager = %v, want %s's Concur id %s", report, ref, manager, want)
		}
	}
	if got := c.server.Counters()[endpointBulk]; got != 2 {
		t.Errorf("%d bulk requests, want 2: everyone, then the managers of the 39 reports", got)
	}
	if plan := c.plan(entries...); plan.Summary() != "unchanged 40" {
		t.Errorf("the next plan: %s, want nothing to do", plan.Summary())
	}
}

// Without user.provision.write the apply writes one by one, after a single refused bulk request,
// and warns with the scope and what it would save.
func TestApplyWithoutTheProvisionScopeWritesOneByOne(t *testing.T) {
	t.Parallel()
	c := newChannel(t, nil)
	if err := c.server.WithoutScopes(concur.ScopeProvisionWrite); err != nil {
		t.Fatal(err)
	}
	c.server.ExpireTokens()
	n := 3*concur.MaxBulkOperations + 10
	var warnings []Warning

	failures := c.applyWith(c.plan(people(n, nil)...), BulkFrom(BulkMinimumWrites), WarnWith(func(w Warning) { warnings = append(warnings, w) }))

	if len(failures) > 0 {
		t.Fatal(failuresText(failures))
	}
	if got := c.server.UserCount(); got != n || len(c.recorded) != n {
		t.Errorf("Concur has %d users and %d are recorded, want %d", got, len(c.recorded), n)
	}
	if counters := c.server.Counters(); counters[endpointBulk] != 1 || counters[endpointCreate] != n {
		t.Errorf("requests = %v, want one refused bulk and %d creates", counters, n)
	}
	if len(warnings) != 1 {
		t.Fatalf("warnings = %+v, want one", warnings)
	}
	text := warnings[0].Summary + "\n" + warnings[0].Detail
	for _, want := range []string{concur.ScopeProvisionWrite, fmt.Sprintf("%d requests where the bulk takes about 8", n)} {
		if !strings.Contains(text, want) {
			t.Errorf("warning %q does not say %q", text, want)
		}
	}
}

// The same directory, provisioned and then changed once through /profile/v4/Bulk and once one
// user at a time, leaves the same Concur users, field by field.
func TestBulkAndOneByOneWritesAgree(t *testing.T) {
	t.Parallel()
	const n = 45
	initial := people(n, func(i int, attrs map[string]string) { // three levels: E0000, E0001 and E0002, the rest
		switch {
		case i >= 3:
			attrs["managerNumber"] = fmt.Sprintf("E%04d", 1+i%2)
		case i > 0:
			attrs["managerNumber"] = "E0000"
		}
		if i%5 == 0 {
			attrs["departmentNumber"] = ""
		}
	})
	changed := people(n+5, func(i int, attrs map[string]string) {
		switch {
		case i >= n:
			attrs["managerNumber"] = "E0000"
		case i >= 3:
			attrs["managerNumber"] = fmt.Sprintf("E%04d", n+i%5) // managers created by this apply
		}
		if i%4 == 0 {
			attrs["title"] = "Lead"
			attrs["departmentNumber"] = ""
		}
	})
	concurUsers := func(t *testing.T, options ...ApplyOption) map[string]map[string]any {
		c := newChannel(t, nil)
		seedConcurUser(t, c.server, "E0002", "linked@example.com", map[string]any{"nickName": "Kept"})
		for _, entries := range [][]directory.Entry{initial, changed} {
			plan, err := PlanUsers(DesiredUsers(entries, c.mapping, nil), c.recorded, existingUsers(t, c), c.mapping, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if failures := c.applyWith(plan, options...); len(failures) > 0 {
				t.Fatal(failuresText(failures))
			}
		}
		return comparableUsers(c.server.Users())
	}

	inBulk := concurUsers(t, BulkFrom(1))
	oneByOne := concurUsers(t, BulkFrom(math.MaxInt))

	if len(inBulk) != n+5 || len(oneByOne) != n+5 {
		t.Fatalf("%d users in bulk, %d one by one, want %d", len(inBulk), len(oneByOne), n+5)
	}
	for _, empID := range sortedKeys(oneByOne) {
		if !reflect.DeepEqual(inBulk[empID], oneByOne[empID]) {
			t.Errorf("%s differs:\n  in bulk    %v\n  one by one %v", empID, inBulk[empID], oneByOne[empID])
		}
	}
}

// existingUsers is what PlanChannel looks up: every Concur user, by employee number.
func existingUsers(t *testing.T, c *channel) map[string]*concur.User {
	t.Helper()
	found := map[string]*concur.User{}
	err := c.client.SearchUsers(c.ctx, "", func(u *concur.User) error {
		found[u.EmployeeNumber] = u
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// comparableUsers keys the sandbox's users by employee number, without what must differ between two
// sandboxes: ids, meta and the manager's id (its employee number stays).
func comparableUsers(users []map[string]any) map[string]map[string]any {
	byEmpID := map[string]map[string]any{}
	for _, user := range users {
		user = maps.Clone(user)
		delete(user, "id")
		delete(user, "meta")
		if ext, ok := user[enterpriseSchema].(map[string]any); ok {
			ext = maps.Clone(ext)
			if manager, ok := ext["manager"].(map[string]any); ok {
				ext["manager"] = manager["employeeNumber"]
			}
			user[enterpriseSchema] = ext
		}
		empID, _ := enterprise(user, "employeeNumber").(string)
		byEmpID[empID] = user
	}
	return byEmpID
}

// A bulk request that fails as a whole leaves its users' outcome unknown: they are written one by
// one, which creates those Concur did not and links those it did, never twice.
func TestApplyBulkRequestFailedAsAWholeIsWrittenOneByOne(t *testing.T) {
	t.Parallel()
	for name, faults := range map[string]sandbox.Faults{
		"answered 503, not processed": {ErrorStatus: 503, FailNext: map[string]int{endpointBulk: 1}},
		"processed, answer lost":      {DropAfterCommitNext: map[string]int{endpointBulk: 1}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := newChannel(t, nil)
			entries := people(30, nil)
			c.server.SetFaults(faults)

			failures := c.applyWith(c.plan(entries...), BulkFrom(BulkMinimumWrites))

			if len(failures) > 0 {
				t.Fatal(failuresText(failures))
			}
			if got := c.server.UserCount(); got != 30 || len(c.recorded) != 30 {
				t.Errorf("Concur has %d users and %d are recorded, want 30 of each", got, len(c.recorded))
			}
			for empID, user := range c.recorded {
				if user.ID != concurID(t, c.server, empID) {
					t.Errorf("%s recorded with id %q, not its account's", empID, user.ID)
				}
			}
			if counters := c.server.Counters(); counters[endpointBulk] != 1 || counters[endpointCreate] != 30 {
				t.Errorf("requests = %v, want the failed bulk, then 30 creates one by one", counters)
			}
			if plan := c.plan(entries...); plan.Summary() != "unchanged 30" {
				t.Errorf("the next plan: %s, want nothing to do", plan.Summary())
			}
		})
	}
}

// When a manager the apply creates fails, the reports sent without their manager are created and
// recorded, and each is reported with why its manager could not be set; once the manager is
// created, the next apply sets it with one write a report.
func TestApplyBulkReportsWhoseManagerFailed(t *testing.T) {
	t.Parallel()
	c := newChannel(t, nil)
	entries := people(40, func(i int, attrs map[string]string) {
		switch {
		case i >= 2:
			attrs["managerNumber"] = fmt.Sprintf("E%04d", i%2)
		case i == 1:
			attrs["managerNumber"] = "E0000"
		}
	})
	if err := c.server.SetExtensionFailures(sandbox.ExtensionFailure{Extension: coreUserSchema, EmployeeNumber: "E0001"}); err != nil {
		t.Fatal(err)
	}

	failures := c.applyWith(c.plan(entries...), BulkFrom(1))

	failed := map[string]Failure{}
	for _, f := range failures {
		failed[f.EmpID] = f
	}
	if f, ok := failed["E0001"]; !ok || f.Kind != ChangeCreate || len(failures) != 20 {
		t.Fatalf("failures = %s, want E0001's create and its 19 reports' manager", failuresText(failures))
	}
	for i := 3; i < 40; i += 2 {
		report := fmt.Sprintf("E%04d", i)
		f, ok := failed[report]
		if !ok || f.Kind != ChangeUpdate || !strings.Contains(f.Error(), `manager with employee number "E0001"`) {
			t.Errorf("%s: failure %v, want its manager E0001 named", report, f)
		}
		if c.recorded[report].ID == "" || c.recorded[report].Attributes[AttrManagerEmpID] != "" {
			t.Errorf("%s recorded as %+v, want created without a manager", report, c.recorded[report])
		}
	}

	if err := c.server.SetExtensionFailures(); err != nil {
		t.Fatal(err)
	}
	c.server.ResetCounters()
	plan := c.sync(entries...)
	if got := plan.Summary(); got != "create 1, update 19, unchanged 20" {
		t.Errorf("retry plan: %s, want E0001 created and its reports' manager set", got)
	}
	for i := 3; i < 40; i += 2 {
		report := fmt.Sprintf("E%04d", i)
		ref, _ := enterprise(sandboxtest.MustUser(t, c.server, report), "manager").(map[string]any)
		if want := c.recorded["E0001"].ID; want == "" || ref["value"] != want {
			t.Errorf("%s manager = %v, want E0001's Concur id %s", report, ref, want)
		}
	}
}
