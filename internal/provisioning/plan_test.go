package provisioning

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
)

func defaultOptions() Options {
	return Options{DeprovisionAction: DeprovisionDeactivate, MaxDeprovisions: 100}
}

func mustPlan(t *testing.T, desired Desired, managed map[string]ManagedUser, existing map[string]*concur.User, mapping *Mapping, opts Options) *Plan {
	t.Helper()
	plan, err := PlanUsers(desired, managed, existing, mapping, opts)
	if err != nil {
		t.Fatalf("PlanUsers: %v", err)
	}
	return plan
}

func TestPlanUsersCreatesNewUsers(t *testing.T) {
	t.Parallel()
	mapping := testMapping(t)
	desired := DesiredUsers([]directory.Entry{person("jroe", "E1", nil)}, mapping, nil)

	plan := mustPlan(t, desired, nil, nil, mapping, defaultOptions())

	want := []Change{{Kind: ChangeCreate, EmpID: "E1", DN: "uid=jroe," + peopleBase}}
	if !reflect.DeepEqual(plan.Changes, want) {
		t.Errorf("changes = %+v, want %+v", plan.Changes, want)
	}
	got := plan.Users["E1"]
	if got.ID != "" || !got.Active || got.DN != "uid=jroe,"+peopleBase || !reflect.DeepEqual(got.Attributes, desired.Users["E1"].Attributes) {
		t.Errorf("planned user = %+v, want active, no id yet, the rendered attributes", got)
	}
	if plan.Summary() != "create 1, unchanged 0" {
		t.Errorf("summary = %q", plan.Summary())
	}
}

func TestPlanUsersLinksExistingConcurUser(t *testing.T) {
	t.Parallel()
	mapping := testMapping(t, AttrTitle)
	desired := DesiredUsers([]directory.Entry{
		person("jroe", "E1", map[string]string{"title": "Directory Title", "departmentNumber": "ENG"}),
	}, mapping, nil)

	existing := map[string]*concur.User{"E1": {
		ID: "concur-1", EmployeeNumber: "E1", UserName: "JROE@example.com", Email: "jroe@example.com",
		GivenName: "Old", FamilyName: "Name", Title: "Concur Title", Department: "FIN", Active: true,
	}}

	plan := mustPlan(t, desired, nil, existing, mapping, defaultOptions())

	want := []Change{{Kind: ChangeLink, EmpID: "E1", DN: "uid=jroe," + peopleBase}}
	if !reflect.DeepEqual(plan.Changes, want) {
		t.Errorf("changes = %+v, want %+v", plan.Changes, want)
	}
	got := plan.Users["E1"]
	if got.ID != "concur-1" {
		t.Errorf("ID = %q, want the existing user's concur-1", got.ID)
	}
	for key, want := range map[string]string{
		AttrTitle:      "Concur Title",     // create-only: Concur's value is kept
		AttrDepartment: "ENG",              // mapped: the directory's value
		AttrLoginID:    "JROE@example.com", // case-only difference: Concur's spelling, no change
		AttrFirstName:  "Given",
	} {
		if got.Attributes[key] != want {
			t.Errorf("%s = %q, want %q", key, got.Attributes[key], want)
		}
	}
	if plan.Summary() != "link 1, unchanged 0" {
		t.Errorf("summary = %q", plan.Summary())
	}
}

// TestPlanUsersManagedUser starts from a channel in sync with its directory (E1, E2) and
// changes the directory entry of E1.
func TestPlanUsersManagedUser(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		attrs        map[string]string
		disabled     bool
		createOnly   []string
		opts         func(*Options)
		wantKind     ChangeKind // "" for unchanged
		wantReason   string
		wantInPlan   bool
		wantActive   bool
		wantAttrs    map[string]string
		wantUnchange int
	}{
		{name: "nothing changed", wantInPlan: true, wantActive: true, wantUnchange: 2},
		{
			name: "mapped attribute differs", attrs: map[string]string{"title": "Manager"},
			wantKind: ChangeUpdate, wantInPlan: true, wantActive: true, wantUnchange: 1,
			wantAttrs: map[string]string{AttrTitle: "Manager"},
		},
		{
			name: "case-only difference of login_id and email is no change", attrs: map[string]string{"mail": "A@EXAMPLE.COM"},
			wantInPlan: true, wantActive: true, wantUnchange: 2,
			wantAttrs: map[string]string{AttrLoginID: "a@example.com", AttrEmail: "a@example.com"},
		},
		{
			name: "case-only difference of another attribute is a change", attrs: map[string]string{"title": "ANALYST"},
			wantKind: ChangeUpdate, wantInPlan: true, wantActive: true, wantUnchange: 1,
			wantAttrs: map[string]string{AttrTitle: "ANALYST"},
		},
		{
			name: "attribute emptied in the directory is cleared", attrs: map[string]string{"title": ""},
			wantKind: ChangeUpdate, wantInPlan: true, wantActive: true, wantUnchange: 1,
			wantAttrs: map[string]string{AttrTitle: ""},
		},
		{
			name: "create-only attribute is never updated", attrs: map[string]string{"title": "Manager"}, createOnly: []string{AttrTitle},
			wantInPlan: true, wantActive: true, wantUnchange: 2,
			wantAttrs: map[string]string{AttrTitle: "Analyst"},
		},
		{
			name: "disabled in the directory is disabled", disabled: true,
			wantKind: ChangeDeactivate, wantReason: reasonDisabled, wantInPlan: true, wantActive: false, wantUnchange: 1,
		},
		{
			name: "disabled in the directory with provision_disabled_users is disabled", disabled: true,
			opts:     func(o *Options) { o.ProvisionDisabledUsers = true },
			wantKind: ChangeDeactivate, wantReason: reasonDisabled, wantInPlan: true, wantActive: false, wantUnchange: 1,
		},
		{
			name: "disabled in the directory with deprovision_action delete is deleted", disabled: true,
			opts:     func(o *Options) { o.DeprovisionAction = DeprovisionDelete },
			wantKind: ChangeDelete, wantReason: reasonDisabled, wantInPlan: false, wantUnchange: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mapping := testMapping(t, tt.createOnly...)
			before := DesiredUsers([]directory.Entry{person("a", "E1", nil), person("b", "E2", nil)}, mapping, nil)
			managed := managedFromDesired(before, "id-")
			changed := person("a", "E1", tt.attrs)
			changed.Disabled = tt.disabled
			desired := DesiredUsers([]directory.Entry{changed, person("b", "E2", nil)}, mapping, nil)
			opts := defaultOptions()
			if tt.opts != nil {
				tt.opts(&opts)
			}

			plan := mustPlan(t, desired, managed, nil, mapping, opts)

			var wantChanges []Change
			if tt.wantKind != "" {
				wantChanges = []Change{{Kind: tt.wantKind, EmpID: "E1", DN: changed.DN, Reason: tt.wantReason}}
			}
			if !reflect.DeepEqual(plan.Changes, wantChanges) {
				t.Errorf("changes = %+v, want %+v", plan.Changes, wantChanges)
			}
			if plan.Unchanged != tt.wantUnchange {
				t.Errorf("unchanged = %d, want %d", plan.Unchanged, tt.wantUnchange)
			}
			got, inPlan := plan.Users["E1"]
			if inPlan != tt.wantInPlan {
				t.Fatalf("E1 in the planned users: %v, want %v", inPlan, tt.wantInPlan)
			}
			if !inPlan {
				return
			}
			if got.ID != "id-E1" || got.Active != tt.wantActive {
				t.Errorf("planned E1: ID %q active %v, want id-E1 active %v", got.ID, got.Active, tt.wantActive)
			}
			for key, want := range tt.wantAttrs {
				if got.Attributes[key] != want {
					t.Errorf("%s = %q, want %q", key, got.Attributes[key], want)
				}
			}
			if e2 := plan.Users["E2"]; !reflect.DeepEqual(e2, managed["E2"]) {
				t.Errorf("E2 = %+v, want it as managed %+v", e2, managed["E2"])
			}
		})
	}
}

func TestPlanUsersDisabledNewUser(t *testing.T) {
	t.Parallel()
	mapping := testMapping(t)
	entry := person("jroe", "E1", nil)
	entry.Disabled = true
	desired := DesiredUsers([]directory.Entry{entry}, mapping, nil)

	t.Run("skipped without provision_disabled_users", func(t *testing.T) {
		plan := mustPlan(t, desired, nil, nil, mapping, defaultOptions())
		if len(plan.Users) != 0 || len(plan.Changes) != 0 {
			t.Errorf("plan = %+v, want nothing planned", plan)
		}
		if !reflect.DeepEqual(plan.SkippedDisabled, []string{"E1"}) || plan.Summary() != "unchanged 0, not provisioned (disabled) 1" {
			t.Errorf("skipped %v, summary %q; want E1 reported as not provisioned", plan.SkippedDisabled, plan.Summary())
		}
	})
	t.Run("created inactive with provision_disabled_users", func(t *testing.T) {
		opts := defaultOptions()
		opts.ProvisionDisabledUsers = true
		plan := mustPlan(t, desired, nil, nil, mapping, opts)
		if want := []Change{{Kind: ChangeCreate, EmpID: "E1", DN: entry.DN}}; !reflect.DeepEqual(plan.Changes, want) {
			t.Errorf("changes = %+v, want %+v", plan.Changes, want)
		}
		if user, ok := plan.Users["E1"]; !ok || user.Active {
			t.Errorf("planned E1 = %+v (present %v), want it inactive", user, ok)
		}
	})
}

func TestPlanUsersLeaver(t *testing.T) {
	t.Parallel()
	mapping := testMapping(t)
	before := DesiredUsers([]directory.Entry{person("a", "E1", nil), person("b", "E2", nil)}, mapping, nil)
	managed := managedFromDesired(before, "id-")
	desired := DesiredUsers([]directory.Entry{person("a", "E1", nil)}, mapping, nil)

	t.Run("deactivate", func(t *testing.T) {
		plan := mustPlan(t, desired, managed, nil, mapping, defaultOptions())
		want := []Change{{Kind: ChangeDeactivate, EmpID: "E2", DN: managed["E2"].DN, Reason: reasonOutOfSource}}
		if !reflect.DeepEqual(plan.Changes, want) {
			t.Errorf("changes = %+v, want %+v", plan.Changes, want)
		}
		if !strings.HasPrefix(plan.Changes[0].Reason, "no longer in the source") {
			t.Errorf("reason = %q", plan.Changes[0].Reason)
		}
		wantUser := managed["E2"]
		wantUser.Active = false
		if got := plan.Users["E2"]; !reflect.DeepEqual(got, wantUser) {
			t.Errorf("E2 = %+v, want it kept under management, inactive: %+v", got, wantUser)
		}
		if managed["E2"].Active != true {
			t.Error("PlanUsers modified the managed map it was given")
		}
		if plan.Summary() != "deactivate 1, unchanged 1" {
			t.Errorf("summary = %q", plan.Summary())
		}
	})
	t.Run("delete", func(t *testing.T) {
		opts := defaultOptions()
		opts.DeprovisionAction = DeprovisionDelete
		plan := mustPlan(t, desired, managed, nil, mapping, opts)
		want := []Change{{Kind: ChangeDelete, EmpID: "E2", DN: managed["E2"].DN, Reason: reasonOutOfSource}}
		if !reflect.DeepEqual(plan.Changes, want) {
			t.Errorf("changes = %+v, want %+v", plan.Changes, want)
		}
		if _, ok := plan.Users["E2"]; ok {
			t.Error("deleted E2 is still in the planned users")
		}
	})
	t.Run("already inactive leaver is unchanged", func(t *testing.T) {
		inactive := maps.Clone(managed)
		e2 := inactive["E2"]
		e2.Active = false
		inactive["E2"] = e2
		plan := mustPlan(t, desired, inactive, nil, mapping, Options{DeprovisionAction: DeprovisionDeactivate, MaxDeprovisions: 0})
		if len(plan.Changes) != 0 || plan.Unchanged != 2 {
			t.Errorf("changes = %+v, unchanged %d; want no change, 2 unchanged", plan.Changes, plan.Unchanged)
		}
		if got := plan.Users["E2"]; !reflect.DeepEqual(got, e2) {
			t.Errorf("E2 = %+v, want %+v", got, e2)
		}
	})
}

func TestPlanUsersReactivatesReturningUser(t *testing.T) {
	t.Parallel()
	mapping := testMapping(t)
	desired := DesiredUsers([]directory.Entry{person("a", "E1", nil)}, mapping, nil)
	managed := managedFromDesired(desired, "id-")
	e1 := managed["E1"]
	e1.Active = false
	managed["E1"] = e1

	plan := mustPlan(t, desired, managed, nil, mapping, defaultOptions())

	if want := []Change{{Kind: ChangeReactivate, EmpID: "E1", DN: e1.DN}}; !reflect.DeepEqual(plan.Changes, want) {
		t.Errorf("changes = %+v, want %+v", plan.Changes, want)
	}
	if got := plan.Users["E1"]; !got.Active || got.ID != "id-E1" {
		t.Errorf("E1 = %+v, want active with its Concur id", got)
	}
}

func TestPlanUsersEmpIDChange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		after directory.Entry
	}{
		{"same DN", person("a", "E9", nil)},
		{"DN changed too, same login_id", func() directory.Entry {
			e := person("a", "E9", nil)
			e.DN = "uid=a,ou=moved," + peopleBase
			return e
		}()},
		{"same login_id in another case", func() directory.Entry {
			e := person("renamed", "E9", map[string]string{"mail": "A@Example.com"})
			return e
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mapping := testMapping(t)
			managed := managedFromDesired(DesiredUsers([]directory.Entry{person("a", "E1", nil), person("b", "E2", nil)}, mapping, nil), "id-")
			desired := DesiredUsers([]directory.Entry{tt.after, person("b", "E2", nil)}, mapping, nil)

			plan := mustPlan(t, desired, managed, nil, mapping, Options{DeprovisionAction: DeprovisionDeactivate})

			want := []Change{{Kind: ChangeRename, EmpID: "E9", PreviousEmpID: "E1", DN: tt.after.DN}}
			if !reflect.DeepEqual(plan.Changes, want) {
				t.Fatalf("changes = %+v, want %+v (an emp_id change, not a disable and a create)", plan.Changes, want)
			}
			if _, ok := plan.Users["E1"]; ok {
				t.Error("the previous emp_id E1 is still planned")
			}
			got := plan.Users["E9"]
			if got.ID != "id-E1" || got.EmpID != "E9" || got.Attributes[AttrEmpID] != "E9" || !got.Active {
				t.Errorf("E9 = %+v, want the Concur id of E1 under emp_id E9", got)
			}
			if plan.Summary() != "change emp_id 1, unchanged 1" {
				t.Errorf("summary = %q", plan.Summary())
			}
		})
	}
}

func TestPlanUsersGuards(t *testing.T) {
	t.Parallel()
	mapping := testMapping(t)
	var entries []directory.Entry
	for i := range 5 {
		entries = append(entries, person(fmt.Sprintf("u%d", i), fmt.Sprintf("E%d", i), nil))
	}
	managed := managedFromDesired(DesiredUsers(entries, mapping, nil), "id-")
	// E4, E3 and E1 leave (listed out of order to check the guard sorts them).
	remaining := DesiredUsers([]directory.Entry{entries[2], entries[0]}, mapping, nil)
	empty := DesiredUsers(nil, mapping, nil)

	tests := []struct {
		name       string
		desired    Desired
		opts       Options
		wantKind   GuardKind
		wantEmpIDs []string
	}{
		{
			name: "more deprovisions than max_deprovisions", desired: remaining,
			opts:     Options{DeprovisionAction: DeprovisionDeactivate, MaxDeprovisions: 2},
			wantKind: GuardMaxDeprovisions, wantEmpIDs: []string{"E1", "E3", "E4"},
		},
		{
			name: "more deletions than max_deprovisions", desired: remaining,
			opts:     Options{DeprovisionAction: DeprovisionDelete, MaxDeprovisions: 0},
			wantKind: GuardMaxDeprovisions, wantEmpIDs: []string{"E1", "E3", "E4"},
		},
		{
			name: "exactly max_deprovisions passes", desired: remaining,
			opts: Options{DeprovisionAction: DeprovisionDeactivate, MaxDeprovisions: 3},
		},
		{
			name: "empty source with managed users", desired: empty,
			opts:     Options{DeprovisionAction: DeprovisionDeactivate, MaxDeprovisions: 100},
			wantKind: GuardEmptySource, wantEmpIDs: []string{"E0", "E1", "E2", "E3", "E4"},
		},
		{
			name: "empty source allowed", desired: empty,
			opts: Options{DeprovisionAction: DeprovisionDeactivate, MaxDeprovisions: 100, AllowEmptySource: true},
		},
		{
			name: "empty source allowed is still bound by max_deprovisions", desired: empty,
			opts:     Options{DeprovisionAction: DeprovisionDeactivate, MaxDeprovisions: 4, AllowEmptySource: true},
			wantKind: GuardMaxDeprovisions, wantEmpIDs: []string{"E0", "E1", "E2", "E3", "E4"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := PlanUsers(tt.desired, managed, nil, mapping, tt.opts)
			if tt.wantKind == 0 {
				if err != nil {
					t.Fatalf("PlanUsers: %v", err)
				}
				if len(plan.Changes) == 0 {
					t.Error("no changes planned")
				}
				return
			}
			var guard *GuardError
			if !errors.As(err, &guard) {
				t.Fatalf("err = %v (plan %v), want a *GuardError", err, plan)
			}
			if plan != nil {
				t.Error("a plan was returned with the guard error")
			}
			if guard.Kind != tt.wantKind || !reflect.DeepEqual(guard.EmpIDs, tt.wantEmpIDs) {
				t.Errorf("guard = kind %d emp_ids %v, want %d %v", guard.Kind, guard.EmpIDs, tt.wantKind, tt.wantEmpIDs)
			}
			// The provider attaches the message to the setting; the message counts the users.
			if count := fmt.Sprint(len(tt.wantEmpIDs)); !strings.Contains(guard.Error(), count) {
				t.Errorf("message %q does not give the count %s", guard.Error(), count)
			}
		})
	}
}

// Users without emp_id still count as a source that returned entries: they are no outage.
func TestPlanSummary(t *testing.T) {
	t.Parallel()
	mapping := testMapping(t)
	var entries []directory.Entry
	for i := 1; i <= 4; i++ {
		entries = append(entries, person(fmt.Sprintf("u%d", i), fmt.Sprintf("E%d", i), nil))
	}
	managed := managedFromDesired(DesiredUsers(entries, mapping, nil), "id-")
	desired := DesiredUsers([]directory.Entry{
		entries[0], entries[1], person("u3", "E3", map[string]string{"title": "Lead"}), person("u5", "E5", nil),
	}, mapping, nil)

	plan := mustPlan(t, desired, managed, nil, mapping, defaultOptions())

	if got, want := plan.Summary(), "create 1, update 1, deactivate 1, unchanged 2"; got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	kinds := changesByEmpID(t, plan)
	if kinds["E3"].Kind != ChangeUpdate || kinds["E4"].Kind != ChangeDeactivate || kinds["E5"].Kind != ChangeCreate {
		t.Errorf("changes = %+v", plan.Changes)
	}
	for i := 1; i < len(plan.Changes); i++ {
		if plan.Changes[i-1].EmpID > plan.Changes[i].EmpID {
			t.Errorf("changes are not sorted by emp_id: %+v", plan.Changes)
		}
	}
}

func BenchmarkPlanUsers(b *testing.B) {
	const n = 20000
	mapping := testMapping(b)
	entries := make([]directory.Entry, n)
	for i := range entries {
		entries[i] = person(fmt.Sprintf("user%05d", i), fmt.Sprintf("E%05d", i), map[string]string{"managerNumber": "E00000"})
	}
	managed := managedFromDesired(DesiredUsers(entries, mapping, nil), "id-")
	// 1% changes: a quarter each new title, leaver (replaced by a joiner), emp_id change, disabled.
	for i := 0; i < n; i += 100 {
		switch (i / 100) % 4 {
		case 0:
			entries[i] = person(fmt.Sprintf("user%05d", i), fmt.Sprintf("E%05d", i), map[string]string{"title": "Lead"})
		case 1:
			entries[i] = person(fmt.Sprintf("new%05d", i), fmt.Sprintf("N%05d", i), nil)
		case 2:
			entries[i] = person(fmt.Sprintf("user%05d", i), fmt.Sprintf("R%05d", i), nil)
		case 3:
			entries[i].Disabled = true
		}
	}
	desired := DesiredUsers(entries, mapping, nil)
	opts := Options{DeprovisionAction: DeprovisionDeactivate, MaxDeprovisions: n}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		plan, err := PlanUsers(desired, managed, nil, mapping, opts)
		if err != nil {
			b.Fatal(err)
		}
		// A leaver replaced by a joiner is two changes.
		if want := n / 100 / 4 * 5; len(plan.Changes) != want {
			b.Fatalf("%d changes, want %d: %s", len(plan.Changes), want, plan.Summary())
		}
	}
}

// A directory value Concur would refuse is reported at plan time: a new user is not created, a
// managed one is kept exactly as it is (never deprovisioned for it), and the rest of the plan
// goes on.
func TestPlanUsersSetsAsideValuesConcurWouldRefuse(t *testing.T) {
	t.Parallel()
	mapping := testMapping(t)
	before := DesiredUsers([]directory.Entry{person("a", "E1", nil), person("b", "E2", nil)}, mapping, nil)
	managed := managedFromDesired(before, "id-")
	desired := DesiredUsers([]directory.Entry{
		person("a", "E1", map[string]string{"mail": "not an address", "title": "Lead"}),
		person("b", "E2", map[string]string{"title": "Lead"}),
		person("c", "E3", map[string]string{"givenName": strings.Repeat("x", 33)}),
	}, mapping, nil)

	plan := mustPlan(t, desired, managed, nil, mapping, defaultOptions())

	if !reflect.DeepEqual(plan.Users["E1"], managed["E1"]) {
		t.Errorf("E1 planned %+v, want it kept as managed %+v", plan.Users["E1"], managed["E1"])
	}
	if _, created := plan.Users["E3"]; created {
		t.Error("E3, whose first name is too long for Concur, is planned")
	}
	if got := changesByEmpID(t, plan); len(got) != 1 || got["E2"].Kind != ChangeUpdate {
		t.Errorf("changes %+v, want only E2's update", plan.Changes)
	}
	if len(plan.Invalid) != 2 || plan.Invalid[0].EmpID != "E1" || !strings.Contains(plan.Invalid[0].Reason, "email") ||
		plan.Invalid[1].EmpID != "E3" || !strings.Contains(plan.Invalid[1].Reason, "first_name") {
		t.Errorf("invalid = %+v, want E1 (email) and E3 (first_name)", plan.Invalid)
	}
}

func TestCheckAttributes(t *testing.T) {
	t.Parallel()
	valid := map[string]string{AttrEmpID: "E1", AttrLoginID: "a@example.com", AttrEmail: "a@example.com", AttrFirstName: "A", AttrLastName: "B", AttrTitle: ""}
	if err := CheckAttributes(valid); err != nil {
		t.Fatalf("valid attributes refused: %v", err)
	}
	for name, value := range map[string]string{
		AttrLastName: "", AttrLoginID: "a b@example.com", AttrTimezone: "Mars/Base", AttrStartDate: "2025-13-01", AttrCostCenter: strings.Repeat("c", 26),
	} {
		bad := maps.Clone(valid)
		bad[name] = value
		if err := CheckAttributes(bad); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s = %q: error %v, want one naming %s", name, value, err, name)
		}
	}
	for what, change := range map[string]map[string]string{
		"termination_date": {AttrStartDate: "2025-06-01", AttrTerminationDate: "2025-01-01"},
		"manager_emp_id":   {AttrManagerEmpID: "E1"},
	} {
		bad := maps.Clone(valid)
		maps.Copy(bad, change)
		if err := CheckAttributes(bad); err == nil || !strings.Contains(err.Error(), what) {
			t.Errorf("%v: error %v, want one naming %s", change, err, what)
		}
	}
}

// A managed user whose entry gets a new emp_id and is disabled at the same time is not renamed
// (the plan does not provision the new emp_id) and is never dropped: with disable, it is
// disabled under its recorded emp_id, so nothing is deleted at apply.
func TestPlanUsersEmpIDChangeOfADisabledUser(t *testing.T) {
	t.Parallel()
	mapping := testMapping(t)
	managed := managedFromDesired(DesiredUsers([]directory.Entry{person("a", "E1", nil)}, mapping, nil), "id-")
	renamedAndDisabled := person("a", "E9", nil)
	renamedAndDisabled.Disabled = true
	desired := DesiredUsers([]directory.Entry{renamedAndDisabled}, mapping, nil)

	t.Run("not provisioned: disabled, kept", func(t *testing.T) {
		plan := mustPlan(t, desired, managed, nil, mapping, defaultOptions())
		if user, ok := plan.Users["E1"]; !ok || user.Active || user.ID != "id-E1" {
			t.Errorf("E1 planned %+v (present %v), want it kept and disabled", user, ok)
		}
		if _, ok := plan.Users["E9"]; ok {
			t.Error("E9 is planned although disabled users are not provisioned")
		}
		if got := changesByEmpID(t, plan); len(got) != 1 || got["E1"].Kind != ChangeDeactivate {
			t.Errorf("changes = %+v, want E1 disabled only", plan.Changes)
		}
	})
	t.Run("provisioned: renamed, inactive", func(t *testing.T) {
		opts := defaultOptions()
		opts.ProvisionDisabledUsers = true
		plan := mustPlan(t, desired, managed, nil, mapping, opts)
		if user := plan.Users["E9"]; user.ID != "id-E1" || user.Active {
			t.Errorf("E9 planned %+v, want E1's Concur user, inactive", user)
		}
		if got := changesByEmpID(t, plan); got["E9"].Kind != ChangeRename || got["E9"].PreviousEmpID != "E1" {
			t.Errorf("changes = %+v, want E1 renamed to E9", plan.Changes)
		}
	})
}

// A managed user whose DN the group still lists but the directory does not return is
// deprovisioned, with a reason that says so.
func TestPlanUsersUnresolvedMemberReason(t *testing.T) {
	t.Parallel()
	mapping := testMapping(t)
	managed := managedFromDesired(DesiredUsers([]directory.Entry{person("a", "E1", nil), person("b", "E2", nil)}, mapping, nil), "id-")
	desired := DesiredUsers([]directory.Entry{person("a", "E1", nil)}, mapping, nil)
	desired.Unresolved = []directory.UnresolvedMember{{DN: "UID=b, " + peopleBase}}

	plan := mustPlan(t, desired, managed, nil, mapping, defaultOptions())
	if got := changesByEmpID(t, plan)["E2"]; got.Kind != ChangeDeactivate || got.Reason != reasonUnresolved {
		t.Errorf("E2 change = %+v, want a disable because the entry is unreadable", got)
	}

	// A posixGroup names members by uid.
	desired.Unresolved = []directory.UnresolvedMember{{UID: "B"}}
	plan = mustPlan(t, desired, managed, nil, mapping, defaultOptions())
	if got := changesByEmpID(t, plan)["E2"]; got.Reason != reasonUnresolved {
		t.Errorf("E2 change = %+v, want the unresolved memberUid as the reason", got)
	}

	// A memberUid of someone else is no reason for this one.
	desired.Unresolved = []directory.UnresolvedMember{{UID: "bob"}}
	plan = mustPlan(t, desired, managed, nil, mapping, defaultOptions())
	if got := changesByEmpID(t, plan)["E2"]; got.Reason == reasonUnresolved {
		t.Errorf("E2 change = %+v, want it out of the source, not unresolved", got)
	}
}

func TestCheckDestroy(t *testing.T) {
	t.Parallel()
	mapping := testMapping(t)
	managed := managedFromDesired(DesiredUsers([]directory.Entry{person("a", "E1", nil), person("b", "E2", nil), person("c", "E3", nil)}, mapping, nil), "id-")
	inactive := managed["E3"]
	inactive.Active = false
	managed["E3"] = inactive

	opts := Options{DeprovisionAction: DeprovisionDelete, MaxDeprovisions: 2, OnDestroy: OnDestroyKeep}
	if err := CheckDestroy(managed, opts); err != nil {
		t.Errorf("keeping all 3 with max 2: %v", err)
	}
	opts = Options{DeprovisionAction: DeprovisionDeactivate, MaxDeprovisions: 2, OnDestroy: OnDestroyDeprovision}
	if err := CheckDestroy(managed, opts); err != nil {
		t.Errorf("disabling the 2 active users of 3 with max 2: %v", err)
	}
	opts.DeprovisionAction = DeprovisionDelete
	var guard *GuardError
	if err := CheckDestroy(managed, opts); !errors.As(err, &guard) || !reflect.DeepEqual(guard.EmpIDs, []string{"E1", "E2", "E3"}) || guard.Kind != GuardMaxDeprovisions {
		t.Errorf("deleting all 3 with max 2: %v, want a guard naming E1, E2, E3", err)
	}
}

// Where the directory identifies entries, an emp_id change is recognised by the entry's ID
// alone: a moved and renamed entry keeps its Concur user, and a new entry that reuses a
// leaver's DN and login is a new person.
func TestPlanUsersRenamesByEntryID(t *testing.T) {
	t.Parallel()
	mapping := testMapping(t)
	withID := func(e directory.Entry, id string) directory.Entry { e.ID = id; return e }
	managed := managedFromDesired(DesiredUsers([]directory.Entry{withID(person("a", "E1", nil), "uuid-a")}, mapping, nil), "id-")

	t.Run("same entry, new DN, login and emp_id", func(t *testing.T) {
		moved := withID(person("a2", "E9", map[string]string{"mail": "other@example.com"}), "uuid-a")
		plan := mustPlan(t, DesiredUsers([]directory.Entry{moved}, mapping, nil), managed, nil, mapping, defaultOptions())
		if got := changesByEmpID(t, plan)["E9"]; got.Kind != ChangeRename || plan.Users["E9"].ID != "id-E1" {
			t.Errorf("changes %+v, E9 %+v; want E1's Concur user renamed to E9", plan.Changes, plan.Users["E9"])
		}
	})
	t.Run("new entry reusing the DN and login", func(t *testing.T) {
		reused := withID(person("a", "E9", nil), "uuid-new")
		plan := mustPlan(t, DesiredUsers([]directory.Entry{reused}, mapping, nil), managed, nil, mapping, defaultOptions())
		changes := changesByEmpID(t, plan)
		if changes["E1"].Kind != ChangeDeactivate || changes["E9"].Kind != ChangeCreate {
			t.Errorf("changes %+v, want E1 disabled and E9 created", plan.Changes)
		}
	})
	t.Run("recorded without an ID: the DN still matches", func(t *testing.T) {
		old := managed["E1"]
		old.EntryID = ""
		moved := withID(person("a", "E9", nil), "uuid-a")
		plan := mustPlan(t, DesiredUsers([]directory.Entry{moved}, mapping, nil), map[string]ManagedUser{"E1": old}, nil, mapping, defaultOptions())
		if got := changesByEmpID(t, plan)["E9"]; got.Kind != ChangeRename || plan.Users["E9"].EntryID != "uuid-a" {
			t.Errorf("changes %+v, E9 %+v; want a rename that records the entry ID", plan.Changes, plan.Users["E9"])
		}
	})
}

// A managed user who is disabled in the directory is deprovisioned even when one of their values
// is one Concur would refuse (a re-hire's stale termination date, say).
func TestPlanUsersDisabledWinsOverInvalid(t *testing.T) {
	t.Parallel()
	mapping := testMapping(t)
	managed := managedFromDesired(DesiredUsers([]directory.Entry{person("a", "E1", nil)}, mapping, nil), "id-")
	disabledAndInvalid := person("a", "E1", map[string]string{"mail": "not an address"})
	disabledAndInvalid.Disabled = true

	plan := mustPlan(t, DesiredUsers([]directory.Entry{disabledAndInvalid}, mapping, nil), managed, nil, mapping, defaultOptions())
	if got := changesByEmpID(t, plan)["E1"]; got.Kind != ChangeDeactivate {
		t.Errorf("E1 change = %+v, want it disabled", got)
	}
}

// When the DN match is another person (entry IDs differ), the login ID may still find the
// leaver recorded before entry IDs existed.
func TestPlanUsersRenameFallsBackToLoginPastARejectedDN(t *testing.T) {
	t.Parallel()
	mapping := testMapping(t)
	withID := func(e directory.Entry, id string) directory.Entry { e.ID = id; return e }
	managed := managedFromDesired(DesiredUsers([]directory.Entry{
		withID(person("a", "E1", nil), "uuid-a"),
		person("b", "E2", nil), // recorded without an entry ID
	}, mapping, nil), "id-")
	newcomer := withID(person("a", "E9", map[string]string{"mail": "b@example.com"}), "uuid-new") // a's DN, b's login

	plan := mustPlan(t, DesiredUsers([]directory.Entry{newcomer}, mapping, nil), managed, nil, mapping, defaultOptions())
	if got := changesByEmpID(t, plan)["E9"]; got.Kind != ChangeRename || got.PreviousEmpID != "E2" {
		t.Errorf("E9 change = %+v, want E2 renamed to E9 (by login)", got)
	}
}
