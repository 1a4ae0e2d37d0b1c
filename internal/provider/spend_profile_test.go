package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
)

// Routes of the sandbox that the Spend tests count.
const (
	upsPatchRoute      = "PATCH /profile/v4/Users/{id}"
	upsCreateRoute     = "POST /profile/v4/Users"
	identityPatchRoute = "PATCH /profile/identity/v4.1/Users/{id}"
	spendGetRoute      = "GET /profile/spend/v4.1/Users/{id}"
	spendListRoute     = "GET /profile/spend/v4.1/Users"
)

// sandboxClient is a Concur client of the sandbox, for tests that act in Concur as someone
// other than Terraform would (a hand edit) or read back what Terraform wrote.
func sandboxClient(t *testing.T, s *sandbox.Server) *concur.Client {
	t.Helper()
	c := s.Credentials()
	client, err := concur.New(context.Background(), concur.Config{BaseURL: s.URL(), ClientID: c.ClientID, ClientSecret: c.ClientSecret,
		RefreshToken: c.RefreshToken, CompanyID: c.CompanyID, ProvisionPollDelay: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// spendOf reads the Spend profile Concur holds for an emp_id.
func spendOf(t *testing.T, s *sandbox.Server, empID string) (*concur.User, concur.SpendProfile, error) {
	client := sandboxClient(t, s)
	user, err := client.FindUserByEmployeeNumber(context.Background(), empID)
	if err != nil {
		return nil, concur.SpendProfile{}, err
	}
	profiles, err := client.FindSpendProfilesByIDs(context.Background(), []string{user.ID})
	if err != nil || profiles[user.ID] == nil {
		return user, concur.SpendProfile{}, fmt.Errorf("the Spend profile of %s: %v", empID, err)
	}
	return user, *profiles[user.ID], nil
}

// editSpend changes a user's Spend profile in Concur behind Terraform's back.
func editSpend(t *testing.T, s *sandbox.Server, empID string, edit func(*concur.SpendProfile)) {
	t.Helper()
	user, spend, err := spendOf(t, s, empID)
	if err != nil {
		t.Fatal(err)
	}
	from := *user
	from.Spend = spend
	to := from
	edit(&to.Spend)
	if _, err := sandboxClient(t, s).UpdateUser(context.Background(), user.ID, from, to); err != nil {
		t.Fatal(err)
	}
}

func expectSpend(t *testing.T, s *sandbox.Server, empID string, check func(concur.SpendProfile) error) statecheck.StateCheck {
	return sandboxCheck(func() error {
		_, spend, err := spendOf(t, s, empID)
		if err != nil {
			return err
		}
		return check(spend)
	})
}

// An employee with the whole Spend profile, approvers and a Travel profile.
func spendUserConfig(s *sandbox.Server, ledger string) string {
	return providerConfig(s) + fmt.Sprintf(`
resource "concur_user" "boss" {
  emp_id                 = "B100"
  login_id               = "boss@example.com"
  email                  = "boss@example.com"
  first_name             = "Bo"
  last_name              = "Boss"
  reimbursement_currency = "USD"
  country                = "US"
  locale                 = "en-US"
  spend_roles            = "EXP_APPROVER,REQ_APPROVER"
}

resource "concur_user" "jane" {
  emp_id     = "E3001"
  login_id   = "jane.roe@example.com"
  email      = "jane.roe@example.com"
  first_name = "Jane"
  last_name  = "Roe"

  reimbursement_currency         = "EUR"
  country                        = "DE"
  state_province                 = "BY"
  locale                         = "de-DE"
  ledger_code                    = %q
  reimbursement_type             = "ACCOUNTS_PAYABLE"
  cash_advance_account_code      = "CA-100"
  budget_country_code            = "DE"
  test_employee                  = "false"
  non_employee                   = "false"
  office_location_country        = "DE"
  office_location_state_province = "BY"
  office_location_city           = "Munich"
  custom1                        = "Blue"
  custom22                       = "Last"
  org_unit1                      = "EMEA"
  org_unit6                      = "Team 6"

  report_approver_emp_id       = concur_user.boss.emp_id
  cash_advance_approver_emp_id = concur_user.boss.emp_id
  request_approver_emp_id      = concur_user.boss.emp_id

  travel_rule_class      = "Default Travel Class"
  travel_approver_emp_id = concur_user.boss.emp_id
}
`, ledger)
}

const janeAddress = "concur_user.jane"

func TestAccUser_spendProfile(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	janeHas := func(attribute, value string) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(janeAddress, tfjsonpath.New(attribute), knownvalue.StringExact(value))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: spendUserConfig(s, "DEFAULT"),
				ConfigStateChecks: []statecheck.StateCheck{
					janeHas("reimbursement_currency", "EUR"),
					janeHas("report_approver_emp_id", "B100"),
					janeHas("travel_rule_class", "Default Travel Class"),
					statecheck.ExpectKnownValue("concur_user.boss", tfjsonpath.New("spend_roles"), knownvalue.StringExact("EXP_APPROVER,REQ_APPROVER")),
					expectSpend(t, s, "E3001", func(p concur.SpendProfile) error {
						if p.ReimbursementCurrency != "EUR" || p.StateProvince != "BY" || p.LedgerCode != "DEFAULT" || p.Custom[21] != "Last" ||
							p.OrgUnit[5] != "Team 6" || p.OfficeLocationCity != "Munich" || p.Approvers.Report.EmployeeNumber != "B100" ||
							p.Approvers.CashAdvance.EmployeeNumber != "B100" || p.Approvers.Request.EmployeeNumber != "B100" {
							return fmt.Errorf("Concur holds the Spend profile %+v", p)
						}
						return nil
					}),
				},
			},
			{
				// Read back from Concur (identity, Spend and Travel), nothing differs.
				Config:           spendUserConfig(s, "DEFAULT"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// A Spend field changed by hand in Concur shows as drift and is put back, with one
				// profile PATCH and no identity write.
				PreConfig: func() {
					editSpend(t, s, "E3001", func(p *concur.SpendProfile) { p.Custom[0] = "Red" })
					s.ResetCounters()
				},
				Config: spendUserConfig(s, "DEFAULT"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(janeAddress, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("concur_user.boss", plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					janeHas("custom1", "Blue"),
					expectSpend(t, s, "E3001", func(p concur.SpendProfile) error {
						if p.Custom[0] != "Blue" {
							return fmt.Errorf("custom1 is %q in Concur after the apply, want Blue put back", p.Custom[0])
						}
						return nil
					}),
					sandboxCheck(func() error {
						if n, m := s.Counters()[upsPatchRoute], s.Counters()[identityPatchRoute]; n != 1 || m != 0 {
							return fmt.Errorf("putting custom1 back sent %d profile PATCHes and %d identity PATCHes, want 1 and 0", n, m)
						}
						return nil
					}),
				},
			},
			{
				// The Spend User extension fails: the apply names the emp_id, the extension, Concur's
				// message and the attribute, and keeps what Concur holds.
				PreConfig: func() {
					if err := s.SetExtensionFailures(sandbox.ExtensionFailure{Extension: concur.SchemaSpendUser, EmployeeNumber: "E3001"}); err != nil {
						t.Fatal(err)
					}
				},
				Config:      spendUserConfig(s, "LEDGER-2"),
				ExpectError: regexp.MustCompile(wrapTolerant(`(?s)ledger_code.*emp_id E3001 is saved.*Spend User extension failed \(503\).*SERVICE_UNAVAILABLE`)),
			},
			{
				// Once Concur recovers, the next plan shows the ledger change still to make.
				PreConfig: func() {
					if err := s.SetExtensionFailures(); err != nil {
						t.Fatal(err)
					}
				},
				Config: spendUserConfig(s, "LEDGER-2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(janeAddress, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(janeAddress, tfjsonpath.New("ledger_code"), knownvalue.StringExact("LEDGER-2")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{janeHas("ledger_code", "LEDGER-2")},
			},
			{
				Config:           spendUserConfig(s, "LEDGER-2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// Spend values Concur would refuse, test_employee changed after creation and an incomplete
// profile fail at plan, on the attribute.
func TestAccUser_spendValuesFailAtPlan(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	for _, c := range []struct {
		lines []string
		want  string
	}{
		{[]string{`reimbursement_currency = "EURO"`, `country = "DE"`, `locale = "de-DE"`}, `(?s)reimbursement_currency.*ISO 4217`},
		{[]string{`reimbursement_currency = "EUR"`, `country = "XX"`, `locale = "de-DE"`}, `(?s)country.*ISO 3166-1`},
		{[]string{`reimbursement_currency = "EUR"`, `country = "DE"`, `locale = "de_DE"`}, `(?s)locale.*not a locale`},
		{[]string{`reimbursement_currency = "EUR"`, `country = "DE"`, `locale = "de-DE"`, `reimbursement_type = "cash"`}, `(?s)reimbursement_type.*not one of ACCOUNTS_PAYABLE`},
		{[]string{`reimbursement_currency = "EUR"`, `country = "DE"`, `locale = "de-DE"`, `non_employee = "yes"`}, `(?s)non_employee.*neither "true" nor "false"`},
		{[]string{`reimbursement_currency = "EUR"`, `country = "DE"`, `locale = "de-DE"`, `spend_roles = "REQ_APPROVER,EXP_APPROVER"`}, `(?s)spend_roles.*alphabetical order: "EXP_APPROVER,REQ_APPROVER"`},
		{[]string{`reimbursement_currency = "EUR"`, `country = "DE"`, `locale = "de-DE"`, `spend_roles = "EXP_APPROVER,EXP_USER"`}, `(?s)spend_roles.*EXP_USER follows the user's entitlement`},
		{[]string{`ledger_code = "DEFAULT"`}, `(?s)reimbursement_currency.*Concur requires it whenever a Spend attribute is set \(here ledger_code\)`},
		{[]string{`travel_org_unit = "Sales"`}, `(?s)travel_rule_class.*whenever a Travel attribute is set`},
	} {
		t.Run(c.want, func(t *testing.T) {
			t.Parallel()
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					Config: userConfig(s, "E3100", c.lines...), PlanOnly: true,
					ExpectError: regexp.MustCompile(wrapTolerant(c.want)),
				}},
			})
		})
	}
}

// A token without the spend write scope fails the create with an error that names the scope.
func TestAccUser_spendWithoutScope(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	if err := s.WithoutScopes("spend.user.general.writeonly"); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:      userConfig(s, "E3200", `reimbursement_currency = "EUR"`, `country = "DE"`, `locale = "de-DE"`),
			ExpectError: regexp.MustCompile(wrapTolerant(`(?s)emp_id "E3200".*spend.user.general.writeonly.*the access token lacks the scope spend.user.general.writeonly\.`)),
		}},
	})
	if s.UserCount() != 0 {
		t.Errorf("the refused create left %d users in Concur", s.UserCount())
	}
}

// A create whose Spend User extension fails keeps the user (its identity is saved): the next plan
// shows the profile as the change still to make, and the apply after Concur recovers sends it.
func TestAccUser_createWithFailingSpendExtension(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	config := userConfig(s, "E3400", `reimbursement_currency = "EUR"`, `country = "DE"`, `locale = "de-DE"`, `title = "Analyst"`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					if err := s.SetExtensionFailures(sandbox.ExtensionFailure{Extension: concur.SchemaSpendUser}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             config,
				ExpectNonEmptyPlan: true, // the refresh after the apply reads the profile Concur lacks
				ConfigStateChecks: []statecheck.StateCheck{
					expectField(s, "E3400", "title", "Analyst"),
					sandboxCheck(func() error {
						if _, spend, err := spendOf(t, s, "E3400"); err == nil {
							return fmt.Errorf("Concur holds the Spend profile %+v although its extension failed", spend)
						}
						return nil
					}),
				},
			},
			{
				PreConfig: func() {
					if err := s.SetExtensionFailures(); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(userAddress, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					expectSpend(t, s, "E3400", func(p concur.SpendProfile) error {
						if p.ReimbursementCurrency != "EUR" {
							return fmt.Errorf("Concur holds the currency %q after the retry, want EUR", p.ReimbursementCurrency)
						}
						return nil
					}),
				},
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// An existing employee with a Spend profile brought under management with an import block: the
// profile attributes the configuration adds are compared with what Concur holds, so equal values
// send nothing.
func TestAccUser_importWithSpendProfile(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	existing := concur.User{EmployeeNumber: "E3300", UserName: "jane.roe@example.com", Email: "jane.roe@example.com",
		GivenName: "Jane", FamilyName: "Roe", Active: true}
	existing.Spend = concur.SpendProfile{ReimbursementCurrency: "EUR", Country: "DE", Locale: "de-DE", LedgerCode: "DEFAULT"}
	existing.Spend.Custom[0] = "Blue"
	if _, err := sandboxClient(t, s).CreateUser(context.Background(), existing); err != nil {
		t.Fatal(err)
	}
	config := providerConfig(s) + `
import {
  to = concur_user.jane
  id = "E3300"
}

resource "concur_user" "jane" {
  emp_id                 = "E3300"
  login_id               = "jane.roe@example.com"
  email                  = "jane.roe@example.com"
  first_name             = "Jane"
  last_name              = "Roe"
  reimbursement_currency = "EUR"
  country                = "DE"
  locale                 = "de-DE"
  ledger_code            = "DEFAULT"
  custom1                = "Blue"
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				PreConfig: s.ResetCounters,
				Config:    config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(janeAddress, tfjsonpath.New("custom1"), knownvalue.StringExact("Blue")),
					sandboxCheck(func() error {
						if n := s.Counters()[upsPatchRoute]; n != 0 {
							return fmt.Errorf("adopting values Concur already holds sent %d profile PATCHes, want none", n)
						}
						return nil
					}),
				},
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// The data sources read the profiles when asked to, and only then.
				Config: config + `
data "concur_user" "with" {
  emp_id        = concur_user.jane.emp_id
  read_profiles = true
}

data "concur_users" "without" {}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.concur_user.with", tfjsonpath.New("ledger_code"), knownvalue.StringExact("DEFAULT")),
					statecheck.ExpectKnownValue("data.concur_user.with", tfjsonpath.New("custom1"), knownvalue.StringExact("Blue")),
					statecheck.ExpectKnownValue("data.concur_users.without", tfjsonpath.New("users").AtMapKey("E3300").AtMapKey("ledger_code"), knownvalue.Null()),
				},
			},
		},
	})
}
