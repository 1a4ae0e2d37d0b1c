package concur

// The User Provisioning Service and the Spend and Travel reads against internal/sandbox, an
// independent emulator of the documented API.

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
)

func sandboxClient(t *testing.T) (*sandbox.Server, *Client) {
	t.Helper()
	s, cfg := startSandbox(t, sandbox.Options{})
	cfg.ProvisionPollDelay = 10 * time.Millisecond
	cfg.CompanyID = s.Credentials().CompanyID
	return s, newTestClient(t, cfg)
}

// approverUser is a spend user holding the roles that let it approve reports and budgets.
func approverUser(empID string) User {
	u := spendUser(empID)
	u.Spend.Roles = []SpendRole{{Name: "EXP_APPROVER"}, {Name: "SHD_BUDGET_APPROVER"}}
	return u
}

func TestSandboxBulkCreatesProfilesAndMapsFailures(t *testing.T) {
	s, c := sandboxClient(t)
	ctx := context.Background()
	manager := mustCreate(t, c, approverUser("M1"))

	good := spendUser("E1")
	good.Spend.StateProvince, good.Spend.LedgerCode, good.Spend.NonEmployee = "WA", "DEFAULT", "true"
	good.Spend.Custom[1], good.Spend.OrgUnit[0] = "c2", "R&D"
	good.Spend.Approvers.Report = Approver{EmployeeNumber: "M1"}
	good.Spend.Roles = []SpendRole{{Name: "EXP_APPROVER", Groups: []string{}}}
	badIdentity := spendUser("E2")
	badIdentity.UserName = "e2#x@example.com"
	badSpend := spendUser("E3")
	badSpend.Spend.ReimbursementCurrency = "ABC"

	results, err := c.ProvisionUsers(ctx, []Provision{{Key: "E1", To: good}, {Key: "E2", To: badIdentity}, {Key: "E3", To: badSpend}})
	if err != nil {
		t.Fatal(err)
	}
	created := results["E1"]
	if created.Err != nil || created.ID == "" {
		t.Fatalf("E1: %+v", created)
	}
	var opErr *OperationError
	if r := results["E2"]; !errors.As(r.Err, &opErr) || r.ID != "" || !strings.Contains(r.Err.Error(), "emp_id E2") {
		t.Errorf("E2: %+v, want an OperationError naming it", r)
	}
	var extErr *ExtensionError
	if r := results["E3"]; !errors.As(r.Err, &extErr) || r.ID == "" || !extErr.Failed(SchemaSpendUser) {
		t.Errorf("E3: %+v, want its identity saved and the Spend User failed", r)
	} else if !strings.Contains(extErr.Error(), "reimbursementCurrency") {
		t.Errorf("E3's error does not name the attribute: %v", extErr)
	}

	profiles, err := c.FindSpendProfilesByIDs(ctx, []string{created.ID, manager.ID, results["E3"].ID})
	if err != nil {
		t.Fatal(err)
	}
	got := profiles[created.ID]
	if got == nil {
		t.Fatalf("no spend profile for E1 in %v", profiles)
	}
	want := good.Spend
	want.Approvers.Report = Approver{ID: manager.ID, EmployeeNumber: "M1"}
	got.Roles = writableRoles(got.Roles) // the sandbox shows EXP_USER for the Expense entitlement, if any
	if got.TestEmployee == "false" {
		got.TestEmployee = "" // Concur reads back the default of what was left unset
	}
	if !sameSpend(*got, want) {
		t.Errorf("E1 reads back as\n%+v\nwant\n%+v", *got, want)
	}
	if profiles[results["E3"].ID] != nil {
		t.Errorf("E3's failed spend user was saved: %+v", profiles[results["E3"].ID])
	}
	if n := s.Counters()["POST /profile/v4/Bulk"]; n != 1 {
		t.Errorf("%d bulk requests, want 1", n)
	}
}

// sameSpend compares profiles, roles as sets.
func sameSpend(a, b SpendProfile) bool {
	ra, rb := a.Roles, b.Roles
	a.Roles, b.Roles = nil, nil
	if !reflect.DeepEqual(a, b) || len(ra) != len(rb) {
		return false
	}
	for _, r := range rb {
		if !slices.ContainsFunc(ra, func(x SpendRole) bool { return x.Name == r.Name && sameGroups(x.Groups, r.Groups) }) {
			return false
		}
	}
	return true
}

func TestSandboxUpdatePatchesAndClearsProfileFields(t *testing.T) {
	_, c := sandboxClient(t)
	ctx := context.Background()
	manager := mustCreate(t, c, approverUser("M1"))
	other := mustCreate(t, c, approverUser("M2"))
	u := spendUser("E1")
	u.Spend.LedgerCode, u.Spend.Custom[2] = "L1", "c3"
	u.Spend.Approvers.Report = Approver{EmployeeNumber: "M1"}
	u.Spend.Approvers.Budget = Approver{EmployeeNumber: "M2"}
	u.Spend.Roles = []SpendRole{{Name: "EXP_APPROVER"}, {Name: "REQ_APPROVER"}}
	created := mustCreate(t, c, u)

	read := func() SpendProfile {
		t.Helper()
		profiles, err := c.FindSpendProfilesByIDs(ctx, []string{created.ID})
		if err != nil || profiles[created.ID] == nil {
			t.Fatalf("reading E1's spend profile: %v, %v", profiles, err)
		}
		return *profiles[created.ID]
	}
	held := read()
	if held.Approvers.Report != (Approver{ID: manager.ID, EmployeeNumber: "M1"}) || held.Custom[2] != "c3" {
		t.Fatalf("created as %+v", held)
	}

	from := *created
	from.Spend = held
	to := from
	to.Title = "Director"
	to.Spend.LedgerCode, to.Spend.Custom[2], to.Spend.Custom[0] = "", "", "c1"
	to.Spend.Approvers.Budget = Approver{EmployeeNumber: "M1"}
	to.Spend.Roles = []SpendRole{{Name: "EXP_APPROVER", Groups: []string{}}}
	if _, err := c.UpdateUser(ctx, created.ID, from, to); err != nil {
		t.Fatal(err)
	}
	after := read()
	if after.LedgerCode != "" || after.Custom[2] != "" || after.Custom[0] != "c1" {
		t.Errorf("spend user after the update: %+v", after)
	}
	if after.Approvers.Report != (Approver{ID: manager.ID, EmployeeNumber: "M1"}) || after.Approvers.Budget != (Approver{ID: manager.ID, EmployeeNumber: "M1"}) {
		t.Errorf("approvers after the update: %+v (M2 is %s)", after.Approvers, other.ID)
	}
	if roles := writableRoles(after.Roles); len(roles) != 1 || roles[0].Name != "EXP_APPROVER" {
		t.Errorf("roles after the update: %+v", after.Roles)
	}
	identity, err := c.GetUser(ctx, created.ID)
	if err != nil || identity.Title != "Director" {
		t.Errorf("identity after the update: %+v, %v", identity, err)
	}
	if again, _ := profilePatchOps(User{Spend: after}, to); len(again) != 0 {
		t.Errorf("reading back and comparing finds differences: %v", opPaths(again))
	}
}

// Clearing an approver removes it by the documented path report[approver.value eq "<id>"]
// (Spend User Provisioning, "Remove a Single Approver").
func TestSandboxClearsAnApprover(t *testing.T) {
	_, c := sandboxClient(t)
	ctx := context.Background()
	mustCreate(t, c, approverUser("M1"))
	u := spendUser("E1")
	u.Spend.Approvers.Report = Approver{EmployeeNumber: "M1"}
	created := mustCreate(t, c, u)
	profiles, err := c.FindSpendProfilesByIDs(ctx, []string{created.ID})
	if err != nil || profiles[created.ID] == nil {
		t.Fatalf("reading E1: %v, %v", profiles, err)
	}
	from := *created
	from.Spend = *profiles[created.ID]
	to := from
	to.Spend.Approvers.Report = Approver{}
	if _, err := c.UpdateUser(ctx, created.ID, from, to); err != nil {
		t.Fatal(err)
	}
	if profiles, err = c.FindSpendProfilesByIDs(ctx, []string{created.ID}); err != nil || profiles[created.ID].Approvers.Report.isSet() {
		t.Errorf("the report approver is still there: %+v, %v", profiles[created.ID], err)
	}
}

func TestSandboxPollsAPendingProvision(t *testing.T) {
	s, c := sandboxClient(t)
	s.SetProvisionDelay(time.Second)
	u := spendUser("E1")
	created, err := c.CreateUser(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	if n := s.Counters()["GET /profile/v4/provisions/{id}/status"]; n < 2 {
		t.Errorf("%d status reads; a provision pending for 1 s needs more than one from a 10 ms start", n)
	}
	profiles, err := c.FindSpendProfilesByIDs(context.Background(), []string{created.ID})
	if err != nil || profiles[created.ID] == nil || profiles[created.ID].Country != "US" {
		t.Errorf("spend profile after the provision: %v, %v", profiles, err)
	}
}

func TestSandboxTravelProfileRoundTrip(t *testing.T) {
	_, c := sandboxClient(t)
	ctx := context.Background()
	manager := mustCreate(t, c, newUser("M1"))
	id := slices.Sorted(maps.Keys(sandbox.TravelRuleClasses))[0]
	u := newUser("E1")
	u.Travel = TravelProfile{RuleClassID: strconv.Itoa(id), NameRemark: "remark", Gender: "Female", Manager: Approver{EmployeeNumber: "M1"}}
	created := mustCreate(t, c, u)
	profiles, err := c.FindTravelProfilesByIDs(ctx, []string{created.ID})
	if err != nil {
		t.Fatal(err)
	}
	want := u.Travel
	want.RuleClass = sandbox.TravelRuleClasses[id]
	want.Manager.ID = manager.ID
	if got := profiles[created.ID]; got == nil || *got != want {
		t.Errorf("travel profile %+v, want %+v", got, want)
	}
}

func TestSandboxMissingSpendScopeIsNamed(t *testing.T) {
	s, c := sandboxClient(t)
	if err := s.WithoutScopes("spend.user.general.writeonly"); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateUser(context.Background(), spendUser("E1"))
	var scopeErr *ScopeError
	if !errors.As(err, &scopeErr) || !slices.Contains(scopeErr.Scopes, "spend.user.general.writeonly") {
		t.Errorf("CreateUser without the spend scope: %v", err)
	}
}
