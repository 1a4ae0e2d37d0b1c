package provisioning

import (
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
)

const (
	endpointSpendGet  = "GET /profile/spend/v4.1/Users/{id}"
	endpointSpendList = "GET /profile/spend/v4.1/Users"
	endpointTravelGet = "GET /profile/travel/v4/Users/{id}"
	endpointUPSPatch  = "PATCH /profile/v4/Users/{id}"
)

func quickProvisions(cfg *concur.Config) { cfg.ProvisionPollDelay = 10 * time.Millisecond }

// spendTemplates is the test mapping with a Spend profile and an expense report approver.
func spendTemplates() map[string]string {
	templates := testTemplates()
	maps.Copy(templates, map[string]string{
		"reimbursement_currency": "{currency}", "country": "DE", "locale": "de-DE", "ledger_code": "DEFAULT",
		AttrSpendRoles: "{roles}", "report_approver_emp_id": "{approver}",
	})
	return templates
}

// A company without Concur Expense must neither pay for nor fail on Spend reads: Refresh reads
// profiles only for a mapping that holds Spend or Travel keys.
func TestRefreshReadsProfilesOnlyForMappingsWithProfileKeys(t *testing.T) {
	t.Parallel()
	server, client := startSandbox(t, nil)
	if err := server.WithoutScopes("spend.user.general.read", "travel.user.general.read"); err != nil {
		t.Fatal(err)
	}
	mapping := testMapping(t)
	managed := seedFromEntries(t, server, mapping, []directory.Entry{person("ann", "1001", nil), person("ben", "1002", nil)})
	if _, err := Refresh(testContext(t), client, managed, mapping, ""); err != nil {
		t.Fatalf("a mapping without Spend keys failed on the Spend scope: %v", err)
	}
	if reads := server.Counters()[endpointSpendGet] + server.Counters()[endpointSpendList] + server.Counters()[endpointTravelGet]; reads != 0 {
		t.Errorf("refreshing a mapping without Spend or Travel keys sent %d profile reads", reads)
	}

	withSpend, err := CompileMapping(spendTemplates(), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Refresh(testContext(t), client, managed, withSpend, "")
	if err == nil || !strings.Contains(err.Error(), "spend.user.general.read") {
		t.Errorf("refreshing a mapping with Spend keys without the read scope: %v, want an error naming spend.user.general.read", err)
	}
}

// An extension that fails leaves the user recorded, identity saved, with the failed extension's
// attributes as Concur holds them; the next apply sends only them.
func TestApplyRecordsTheIdentityWhenAnExtensionFails(t *testing.T) {
	t.Parallel()
	server, client := startSandbox(t, quickProvisions)
	mapping, err := CompileMapping(spendTemplates(), nil)
	if err != nil {
		t.Fatal(err)
	}
	desired := DesiredUsers([]directory.Entry{
		person("ann", "1001", map[string]string{"currency": "EUR"}),
		person("ben", "1002", map[string]string{"currency": "USD"}),
	}, mapping, nil)
	plan, err := PlanUsers(desired, nil, nil, mapping, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := server.SetExtensionFailures(sandbox.ExtensionFailure{Extension: concur.SchemaSpendUser, EmployeeNumber: "1002"}); err != nil {
		t.Fatal(err)
	}
	recorded, failures, err := Apply(testContext(t), client, nil, plan.Users, Ownership{})
	if err != nil {
		t.Fatal(err)
	}
	if len(failures) != 1 || failures[0].EmpID != "1002" {
		t.Fatalf("want one failure, 1002's: %s", failuresText(failures))
	}
	msg := failures[0].Error()
	for _, want := range []string{`emp_id "1002"`, "Spend User extension failed (503)", "SERVICE_UNAVAILABLE", `users["1002"].attributes["reimbursement_currency"]`} {
		if !strings.Contains(msg, want) {
			t.Errorf("the failure does not say %q: %s", want, msg)
		}
	}
	ben, ok := recorded["1002"]
	if !ok || ben.ID == "" || ben.Attributes["reimbursement_currency"] != "" || ben.Attributes[AttrLastName] != "Snben" {
		t.Fatalf("1002 is recorded as %+v, want its Concur id, its identity and no Spend values (Concur holds none)", ben)
	}
	if recorded["1001"].Attributes["reimbursement_currency"] != "EUR" {
		t.Errorf("1001 is recorded as %+v", recorded["1001"])
	}

	if err := server.SetExtensionFailures(); err != nil {
		t.Fatal(err)
	}
	server.ResetCounters()
	again, failures, err := Apply(testContext(t), client, recorded, plan.Users, Ownership{})
	if err != nil || len(failures) > 0 {
		t.Fatalf("the retry: %v, %s", err, failuresText(failures))
	}
	if n, m := server.Counters()[endpointUPSPatch], server.Counters()[endpointPatch]; n != 1 || m != 0 {
		t.Errorf("the retry sent %d profile PATCHes and %d identity PATCHes, want 1 and 0", n, m)
	}
	if again["1002"].Attributes["reimbursement_currency"] != "USD" {
		t.Errorf("after the retry 1002 is recorded as %+v", again["1002"])
	}
}

// An approver who lacks the spend role of the approval is held back at plan, whether the channel
// provisions the approver (by its mapped roles) or Concur holds it (by its Spend profile).
func TestPlanHoldsBackApproversWithoutTheirRole(t *testing.T) {
	t.Parallel()
	_, client := startSandbox(t, quickProvisions)
	for _, u := range []struct{ empID, roles string }{{"9001", "EXP_APPROVER"}, {"9002", "REQ_APPROVER"}} {
		user := concur.User{EmployeeNumber: u.empID, UserName: u.empID + "@example.com", Email: u.empID + "@example.com",
			GivenName: "Outside", FamilyName: u.empID, Active: true}
		user.Spend = concur.SpendProfile{ReimbursementCurrency: "USD", Country: "US", Locale: "en-US", Roles: concur.ParseSpendRoles(u.roles)}
		if _, err := client.CreateUser(testContext(t), user); err != nil {
			t.Fatal(err)
		}
	}
	mapping, err := CompileMapping(spendTemplates(), nil)
	if err != nil {
		t.Fatal(err)
	}
	entry := func(uid, empID, roles, approver string) directory.Entry {
		return person(uid, empID, map[string]string{"currency": "EUR", "roles": roles, "approver": approver})
	}
	desired := DesiredUsers([]directory.Entry{
		entry("boss", "1000", "EXP_APPROVER", ""),
		entry("clerk", "1001", "", ""),
		entry("ann", "1002", "", "1000"), // in the channel, with the role
		entry("ben", "1003", "", "1001"), // in the channel, without it
		entry("cid", "1004", "", "9001"), // in Concur, with it
		entry("dan", "1005", "", "9002"), // in Concur, without it
		entry("eve", "1006", "", "9999"), // nowhere
	}, mapping, nil)
	plan, err := PlanUsers(desired, nil, nil, mapping, Options{})
	if err != nil {
		t.Fatal(err)
	}
	create := func(c Change) map[string]string { return nil }
	if err := checkApproverRoles(testContext(t), client, plan, mapping, create); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range plan.ApproversWithoutRole {
		got = append(got, a.String())
	}
	want := []string{
		"1003: report_approver_emp_id 1001 lacks the spend role EXP_APPROVER",
		"1005: report_approver_emp_id 9002 lacks the spend role EXP_APPROVER",
		"1006: report_approver_emp_id 9999 is neither a Concur user nor provisioned by this channel",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("approvers held back:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for empID, approver := range map[string]string{"1002": "1000", "1003": "", "1004": "9001", "1005": "", "1006": ""} {
		if a := plan.Users[empID].Attributes["report_approver_emp_id"]; a != approver {
			t.Errorf("%s is planned with the approver %q, want %q", empID, a, approver)
		}
	}
	if desired.Users["1003"].Attributes["report_approver_emp_id"] != "1001" {
		t.Error("holding an approver back changed the desired state")
	}
}

// A mapped attribute that the Spend profile requires and that renders empty makes the user one
// Concur would refuse; a mapping that leaves it out keeps what Concur holds.
func TestCheckAttributesWantsTheProfilesRequiredAttributesWhereMapped(t *testing.T) {
	t.Parallel()
	identity := map[string]string{AttrEmpID: "1001", AttrLoginID: "ann@example.com", AttrEmail: "ann@example.com", AttrFirstName: "Ann", AttrLastName: "Able"}
	with := func(extra map[string]string) map[string]string {
		attributes := maps.Clone(identity)
		maps.Copy(attributes, extra)
		return attributes
	}
	err := CheckAttributes(with(map[string]string{"ledger_code": "DEFAULT", "reimbursement_currency": "", "country": "DE", "locale": "de-DE"}))
	if err == nil || !strings.Contains(err.Error(), "reimbursement_currency is empty, and Concur requires it whenever a Spend attribute is set (here country, ledger_code, locale)") {
		t.Errorf("an empty mapped currency: %v", err)
	}
	if err := CheckAttributes(with(map[string]string{"ledger_code": "DEFAULT"})); err != nil {
		t.Errorf("a mapping of ledger_code alone keeps the currency Concur holds, yet: %v", err)
	}
	if err := CheckAttributes(with(map[string]string{"travel_org_unit": "Sales", "travel_rule_class": ""})); err == nil {
		t.Error("an empty mapped travel rule class is accepted")
	}
}
