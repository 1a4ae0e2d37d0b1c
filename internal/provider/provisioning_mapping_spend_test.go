package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
	"github.com/terraform-concur/terraform-provider-concur/internal/directory/ldaptest"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
)

// spendChannel is how many people spendPeople holds: a few hundred, so that the first apply
// loads them through /profile/v4/Bulk.
const spendChannel = 300

// spendPeople is a channel of spendChannel people from 2001 on, in the group spenders: 2001 approves
// expense reports (employeeType EXP_APPROVER) for the others, except that 2003's approver is 2002,
// who lacks the role, and 2005's reimbursement currency is no ISO 4217 code.
func spendPeople() string {
	var b strings.Builder
	for _, ou := range []string{"people", "groups"} {
		fmt.Fprintf(&b, "dn: ou=%s,%s\nobjectClass: organizationalUnit\nou: %s\n\n", ou, dirSuffix, ou)
	}
	var members []string
	for i := 1; i <= spendChannel; i++ {
		uid, empID := fmt.Sprintf("p%02d", i), fmt.Sprintf("%d", 2000+i)
		currency, approver := "EUR", "2001"
		switch i {
		case 1:
			approver = ""
		case 3:
			approver = "2002"
		case 5:
			currency = "EURO"
		}
		fmt.Fprintf(&b, "dn: %s\nobjectClass: inetOrgPerson\nuid: %s\ncn: Person %s\ngivenName: Person\nsn: %s\nmail: %s@example.org\n"+
			"employeeNumber: %s\nbusinessCategory: %s\nl: Munich\n", dirPerson(uid), uid, uid, uid, uid, empID, currency)
		if approver != "" {
			fmt.Fprintf(&b, "departmentNumber: %s\n", approver)
		}
		if i == 1 {
			b.WriteString("employeeType: EXP_APPROVER\n")
		}
		b.WriteString("\n")
		members = append(members, "member: "+dirPerson(uid))
	}
	fmt.Fprintf(&b, "dn: %s\nobjectClass: groupOfNames\ncn: spenders\n%s\n", dirGroup("spenders"), strings.Join(members, "\n"))
	return b.String()
}

func spendMappingConfig(s *sandbox.Server, srv *ldaptest.Server) string {
	return directoryProviderConfig(s, directoryBlock(srv.URL, srv.ReaderDN, srv.ReaderPassword)) + fmt.Sprintf(`
resource "concur_provisioning_mapping" "spenders" {
  source = {
    group_dn = %q
  }
  attribute_mapping = {
    emp_id                 = "{employeeNumber}"
    login_id               = "{mail|lower}"
    email                  = "{mail|lower}"
    first_name             = "{givenName}"
    last_name              = "{sn}"
    reimbursement_currency = "{businessCategory}"
    country                = "DE"
    locale                 = "de-DE"
    ledger_code            = "DEFAULT"
    office_location_city   = "{l}"
    spend_roles            = "{employeeType}"
    report_approver_emp_id = "{departmentNumber}"
  }
}
`, dirGroup("spenders"))
}

// flat joins the words of terraform's output, which wraps long messages.
func flat(r terraformResult) string { return strings.Join(strings.Fields(r.Stdout+r.Stderr), " ") }

func expectSaid(t *testing.T, r terraformResult, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(flat(r), want) {
			t.Errorf("terraform does not say %q:\n%s", want, r)
		}
	}
}

func reportApprover(t *testing.T, s *sandbox.Server, empID string) string {
	t.Helper()
	_, spend, err := spendOf(t, s, empID)
	if err != nil {
		t.Fatal(err)
	}
	return spend.Approvers.Report.EmployeeNumber
}

// A channel with Spend profiles and approvers: one bad currency and one approver without the role
// are named at plan by emp_id while the rest land, and are retried alone once fixed; a directory
// change or a hand edit of one Spend field sends only that extension; a failing extension records
// the identity and fails the apply naming the emp_id, the extension and the attribute.
func TestE2EProvisioningMappingSpendProfiles(t *testing.T) {
	t.Parallel()
	tf := newTerraformWorkspace(t)
	s := newSandbox(t)
	srv := ldaptest.Start(t, ldaptest.Options{})
	srv.Load(t, spendPeople())
	tf.WriteFile(t, "main.tf", spendMappingConfig(s, srv))

	plan := tf.Run(t, "plan", "-no-color", "-input=false")
	if plan.ExitCode != 0 {
		t.Fatalf("plan failed: %s", plan)
	}
	expectSaid(t, plan,
		fmt.Sprintf(`Provisioning: create %d, unchanged 0`, spendChannel-1),
		`"2005" (`+dirPerson("p05")+`): reimbursement_currency: "EURO" is not an ISO 4217 currency code`,
		`Approvers Concur would refuse`,
		`2003: report_approver_emp_id 2002 lacks the spend role EXP_APPROVER`,
	)
	tf.Apply(t)
	if bulk := s.Counters()["POST /profile/v4/Bulk"]; bulk == 0 {
		t.Errorf("the first apply sent no bulk request, want the %d creates loaded through /profile/v4/Bulk", spendChannel-1)
	}
	if n := s.UserCount(); n != spendChannel-1 {
		t.Fatalf("the sandbox holds %d users after the first apply, want the %d valid ones", n, spendChannel-1)
	}
	if got := reportApprover(t, s, "2003"); got != "" {
		t.Errorf("2003 was given the approver %q, who lacks the role", got)
	}
	last := fmt.Sprint(2000 + spendChannel)
	if got := reportApprover(t, s, last); got != "2001" {
		t.Errorf("%s's report approver is %q, want 2001", last, got)
	}
	if code, r := tf.PlanExitCode(t); code != 0 {
		t.Errorf("the plan after the apply is not empty (held-back approvers and invalid users are no changes): %s", r)
	}

	// The directory is fixed: only 2005 is created, 2002 gets the role and then 2003 the approver.
	changeDirectory(t, srv,
		modify(dirPerson("p05"), func(r *ldap.ModifyRequest) { r.Replace("businessCategory", []string{"EUR"}) }),
		modify(dirPerson("p02"), func(r *ldap.ModifyRequest) { r.Add("employeeType", []string{"EXP_APPROVER"}) }),
	)
	s.ResetCounters()
	expectSaid(t, tf.Apply(t), fmt.Sprintf(`Provisioning: create 1, update 2, unchanged %d`, spendChannel-3))
	if creates := s.Counters()[upsCreateRoute]; creates != 1 {
		t.Errorf("the retry sent %d creates, want 1 (2005)", creates)
	}
	if got := reportApprover(t, s, "2003"); got != "2002" {
		t.Errorf("2003's report approver is %q after the fix, want 2002", got)
	}

	// One Spend field changed in the directory: one profile PATCH, no identity write.
	changeDirectory(t, srv, modify(dirPerson("p10"), func(r *ldap.ModifyRequest) { r.Replace("l", []string{"Berlin"}) }))
	s.ResetCounters()
	expectSaid(t, tf.Apply(t), fmt.Sprintf(`Provisioning: update 1, unchanged %d`, spendChannel-1))
	if n, m := s.Counters()[upsPatchRoute], s.Counters()[identityPatchRoute]; n != 1 || m != 0 {
		t.Errorf("a changed city sent %d profile PATCHes and %d identity PATCHes, want 1 and 0", n, m)
	}
	if _, spend, _ := spendOf(t, s, "2010"); spend.OfficeLocationCity != "Berlin" {
		t.Errorf("2010's office city is %q, want Berlin", spend.OfficeLocationCity)
	}

	// A hand edit of a Spend field in Concur is drift the plan shows and the apply puts back.
	editSpend(t, s, "2011", func(p *concur.SpendProfile) { p.LedgerCode = "HANDMADE" })
	plan = tf.Run(t, "plan", "-no-color", "-input=false")
	expectSaid(t, plan, fmt.Sprintf(`Provisioning: update 1, unchanged %d`, spendChannel-1), `~ ledger_code = "HANDMADE" -> "DEFAULT"`)
	tf.Apply(t)
	if _, spend, _ := spendOf(t, s, "2011"); spend.LedgerCode != "DEFAULT" {
		t.Errorf("2011's ledger code is %q after the apply, want DEFAULT put back", spend.LedgerCode)
	}

	// The Spend User extension fails for 2012: the apply fails naming it; the next one retries it alone.
	if err := s.SetExtensionFailures(sandbox.ExtensionFailure{Extension: concur.SchemaSpendUser, EmployeeNumber: "2012"}); err != nil {
		t.Fatal(err)
	}
	changeDirectory(t, srv,
		modify(dirPerson("p12"), func(r *ldap.ModifyRequest) { r.Replace("l", []string{"Hamburg"}); r.Replace("sn", []string{"Twelve"}) }),
		modify(dirPerson("p13"), func(r *ldap.ModifyRequest) { r.Replace("l", []string{"Hamburg"}) }),
	)
	failed := tf.Run(t, "apply", "-auto-approve", "-input=false", "-no-color")
	if failed.ExitCode == 0 {
		t.Fatalf("the apply succeeded although 2012's Spend User extension failed: %s", failed)
	}
	expectSaid(t, failed, `update emp_id "2012"`, `Spend User extension failed (503)`, `SERVICE_UNAVAILABLE`,
		`users["2012"].attributes["office_location_city"]`)
	if got, _ := sandboxField(s, "2012", "name.familyName"); got != "Twelve" {
		t.Errorf("2012's identity was not saved: last name %v", got)
	}
	if err := s.SetExtensionFailures(); err != nil {
		t.Fatal(err)
	}
	s.ResetCounters()
	plan = tf.Run(t, "plan", "-no-color", "-input=false")
	expectSaid(t, plan, fmt.Sprintf(`Provisioning: update 1, unchanged %d`, spendChannel-1), `~ office_location_city = "Munich" -> "Hamburg"`)
	tf.Apply(t)
	if n, m := s.Counters()[upsPatchRoute], s.Counters()[identityPatchRoute]; n != 1 || m != 0 {
		t.Errorf("the retry sent %d profile PATCHes and %d identity PATCHes, want only 2012's profile", n, m)
	}
	if _, spend, _ := spendOf(t, s, "2012"); spend.OfficeLocationCity != "Hamburg" {
		t.Errorf("2012's office city is %q after the retry, want Hamburg", spend.OfficeLocationCity)
	}
}

// A Concur app without the spend write scope: the apply fails for each user, naming the scope.
func TestAccProvisioningMapping_spendWithoutScope(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	if err := s.WithoutScopes("spend.user.general.writeonly"); err != nil {
		t.Fatal(err)
	}
	srv := ldaptest.Start(t, ldaptest.Options{})
	srv.Load(t, spendPeople())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:      spendMappingConfig(s, srv),
			ExpectError: regexp.MustCompile(wrapTolerant(fmt.Sprintf(`(?s)Could not provision %d users.*create emp_id "2001"`, spendChannel-1) + `.*spend.user.general.writeonly.*the access token lacks the scope spend.user.general.writeonly\.`)),
		}},
	})
	if n := s.UserCount(); n != 0 {
		t.Errorf("the refused creates left %d users in Concur", n)
	}
}
