package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/sandboxtest"
)

const userAddress = "concur_user.jane"

// userConfig is a concur_user with the given extra attribute lines.
func userConfig(s *sandbox.Server, empID string, extra ...string) string {
	return providerConfig(s) + fmt.Sprintf(`
resource "concur_user" "jane" {
  emp_id     = %q
  login_id   = "Jane.Roe@Example.com"
  email      = "Jane.Roe@Example.com"
  first_name = "Jane"
  last_name  = "Roe"
  %s
}
`, empID, strings.Join(extra, "\n  "))
}

func TestAccUser_lifecycle(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy: func(*terraform.State) error {
			// Destroy deactivates by default: the user and its data stay in Concur.
			user, ok := s.UserByEmployeeNumber("E2001")
			if !ok {
				return fmt.Errorf("destroy removed the user; it should only deactivate it")
			}
			if user["active"] != false {
				return fmt.Errorf("after destroy the user is active=%v, want false", user["active"])
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				// Create. Concur lower-cases the e-mail; the configured spelling stays in state.
				Config: userConfig(s, "E2001", `title = "Analyst"`, `department = "Finance"`),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(userAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(userAddress, tfjsonpath.New("email"), knownvalue.StringExact("Jane.Roe@Example.com")),
					statecheck.ExpectKnownValue(userAddress, tfjsonpath.New("display_name"), knownvalue.StringExact("Jane Roe")),
					statecheck.ExpectKnownValue(userAddress, tfjsonpath.New("preferred_language"), knownvalue.StringExact("en-US")),
					statecheck.ExpectKnownValue(userAddress, tfjsonpath.New("timezone"), knownvalue.StringExact("America/New_York")),
					statecheck.ExpectKnownValue(userAddress, tfjsonpath.New("active"), knownvalue.Bool(true)),
				},
				Check: func(*terraform.State) error {
					user := sandboxtest.MustUser(t, s, "E2001")
					if got := field(user, "emails"); fmt.Sprint(got) == "" || !strings.Contains(fmt.Sprint(got), "jane.roe@example.com") {
						return fmt.Errorf("sandbox e-mails = %v, want the lower-cased work address", got)
					}
					if got := field(user, "enterprise.department"); got != "Finance" {
						return fmt.Errorf("sandbox department = %v, want Finance", got)
					}
					return nil
				},
			},
			{
				// Re-planning the same configuration changes nothing.
				Config: userConfig(s, "E2001", `title = "Analyst"`, `department = "Finance"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// Update one attribute and clear another: only those two are sent.
				Config: userConfig(s, "E2001", `title = "Senior Analyst"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(userAddress, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(userAddress, tfjsonpath.New("display_name"), knownvalue.StringExact("Jane Roe")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(userAddress, tfjsonpath.New("id"))},
				Check: func(*terraform.State) error {
					user := sandboxtest.MustUser(t, s, "E2001")
					if got := field(user, "title"); got != "Senior Analyst" {
						return fmt.Errorf("sandbox title = %v, want Senior Analyst", got)
					}
					if got := field(user, "enterprise.department"); got != nil {
						return fmt.Errorf("sandbox department = %v, want it cleared", got)
					}
					return nil
				},
			},
			{
				// Import by emp_id with the import command fills every attribute. The e-mail comes
				// back as Concur stores it, lower-case, which the configuration's spelling equals.
				ResourceName:                         userAddress,
				ImportState:                          true,
				ImportStateId:                        "E2001",
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "emp_id",
				ImportStateVerifyIgnore:              []string{"email"},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if got := states[0].Attributes["email"]; got != "jane.roe@example.com" {
						return fmt.Errorf("imported email = %q, want Concur's jane.roe@example.com", got)
					}
					return nil
				},
			},
			{
				// A title changed by hand in Concur shows in the plan and is put back.
				PreConfig: func() {
					if err := s.ModifyUser("E2001", map[string]any{"title": "Changed by hand"}); err != nil {
						t.Fatal(err)
					}
				},
				Config: userConfig(s, "E2001", `title = "Senior Analyst"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(userAddress, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(userAddress, tfjsonpath.New("title"), knownvalue.StringExact("Senior Analyst")),
					},
				},
				Check: func(*terraform.State) error {
					if got := field(sandboxtest.MustUser(t, s, "E2001"), "title"); got != "Senior Analyst" {
						return fmt.Errorf("sandbox title = %v, want the drift reverted to Senior Analyst", got)
					}
					return nil
				},
			},
			{
				// A user deactivated by hand is reactivated.
				PreConfig: func() {
					if err := s.ModifyUser("E2001", map[string]any{"active": false}); err != nil {
						t.Fatal(err)
					}
				},
				Config: userConfig(s, "E2001", `title = "Senior Analyst"`),
				Check: func(*terraform.State) error {
					if got := sandboxtest.MustUser(t, s, "E2001")["active"]; got != true {
						return fmt.Errorf("sandbox active = %v, want the user reactivated", got)
					}
					return nil
				},
			},
			{
				// Changing emp_id updates the same Concur user in place.
				Config: userConfig(s, "E2002", `title = "Senior Analyst"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(userAddress, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(userAddress, tfjsonpath.New("id"))},
				Check: func(*terraform.State) error {
					if _, ok := s.UserByEmployeeNumber("E2001"); ok {
						return fmt.Errorf("the old emp_id E2001 still exists in the sandbox")
					}
					sandboxtest.MustUser(t, s, "E2002")
					return nil
				},
			},
			{
				// Deleted by hand: the next plan creates it again.
				PreConfig: func() {
					if !s.DeleteUserByEmployeeNumber("E2002") {
						t.Fatal("the sandbox had no E2002 to delete")
					}
				},
				Config: userConfig(s, "E2002", `title = "Senior Analyst"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(userAddress, plancheck.ResourceActionCreate)},
				},
				Check: func(*terraform.State) error {
					sandboxtest.MustUser(t, s, "E2002")
					return nil
				},
			},
			{
				// Back to the first emp_id, so CheckDestroy can find the destroyed user.
				Config: userConfig(s, "E2001", `title = "Senior Analyst"`),
			},
		},
	})
}

func TestAccUser_importBlock(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	seedUsers(t, s, seededUser(s, "E3001", "max.muster@example.com", "Max", "Muster"))
	resourceConfig := `
resource "concur_user" "max" {
  emp_id     = "E3001"
  login_id   = "max.muster@example.com"
  email      = "max.muster@example.com"
  first_name = "Max"
  last_name  = "Muster"
  title      = "Engineer"
  department = "R&D"
}
`
	importBlock := `
import {
  to = concur_user.max
  id = "E3001"
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				// The import block adopts the existing user: the plan imports, nothing is created or changed.
				Config: providerConfig(s) + importBlock + resourceConfig,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{expectImportsOnly{want: 1}},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("concur_user.max", tfjsonpath.New("id"), knownvalue.StringExact(field(sandboxtest.MustUser(t, s, "E3001"), "id").(string))),
				},
				Check: func(*terraform.State) error {
					if s.UserCount() != 1 {
						return fmt.Errorf("sandbox holds %d users after the import, want 1", s.UserCount())
					}
					return nil
				},
			},
			{
				// The framework's own import-block step: plannable import of the same user.
				Config:                               providerConfig(s) + resourceConfig,
				ResourceName:                         "concur_user.max",
				ImportState:                          true,
				ImportStateKind:                      resource.ImportBlockWithID,
				ImportStateId:                        "E3001",
				ImportStateVerifyIdentifierAttribute: "emp_id",
				ImportPlanChecks: resource.ImportPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("concur_user.max", plancheck.ResourceActionNoop)},
				},
			},
		},
	})
}

func TestAccUser_importUnknownEmpID(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:        userConfig(s, "E5001"),
			ResourceName:  userAddress,
			ImportState:   true,
			ImportStateId: "E5001",
			ExpectError:   regexp.MustCompile(wrapTolerant(`No Concur user has emp_id "E5001"`)),
		}},
	})
}

func TestAccUser_managerAndDeleteMode(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	seedUsers(t, s, seededUser(s, "M001", "boss@example.com", "Bea", "Boss"))
	config := userConfig(s, "E6001", `manager_emp_id = "M001"`, `deletion_mode = "delete"`, `start_date = "2025-01-15"`, `termination_date = "2026-12-31"`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy: func(*terraform.State) error {
			if _, ok := s.UserByEmployeeNumber("E6001"); ok {
				return fmt.Errorf("deletion_mode = delete left the user in the sandbox")
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(userAddress, tfjsonpath.New("manager_emp_id"), knownvalue.StringExact("M001")),
					statecheck.ExpectKnownValue(userAddress, tfjsonpath.New("start_date"), knownvalue.StringExact("2025-01-15")),
				},
				Check: func(*terraform.State) error {
					manager := sandboxtest.MustUser(t, s, "M001")
					if got, want := field(sandboxtest.MustUser(t, s, "E6001"), "enterprise.manager.value"), manager["id"]; got != want {
						return fmt.Errorf("sandbox manager.value = %v, want the manager's id %v", got, want)
					}
					return nil
				},
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

func TestAccUser_invalidConfigurationsFailAtPlan(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	cases := []struct {
		name   string
		config string
		want   string
	}{
		{"login without domain", `login_id = "jane"`, `not of the form user@domain`},
		{"forbidden login character", `login_id = "jane+roe@example.com"`, `contains "\+"`},
		{"bad e-mail", `email = "jane at example"`, `not a plain e-mail address`},
		{"first name too long", `first_name = "` + strings.Repeat("a", 33) + `"`, `33 characters long; Concur accepts at most 32`},
		{"cost center too long", `cost_center = "` + strings.Repeat("c", 26) + `"`, `at most 25`},
		{"empty title", `title = ""`, `(?s)title.*at least 1`},
		{"bad language", `preferred_language = "english"`, `not a language tag`},
		{"bad timezone", `timezone = "Mars/Olympus"`, `not an IANA timezone`},
		{"bad date", `start_date = "15.01.2025"`, `not a date of the form YYYY-MM-DD`},
		{"date out of range", `termination_date = "2099-01-01"`, `outside the range Concur accepts`},
		{"termination before start", `start_date = "2025-06-01"` + "\n" + `termination_date = "2025-01-01"`, `termination_date 2025-01-01 is before start_date`},
		{"own manager", `manager_emp_id = "E7001"`, `user's own emp_id "E7001"`},
		{"unknown deletion mode", `deletion_mode = "purge"`, `deletion_mode.*value must be one of`},
		{"emp_id with spaces", `emp_id = " E7001"`, `leading or trailing spaces`},
		{"NUL in emp_id", `emp_id = "E70\u000001"`, `(?s)emp_id.*control character U\+0000 at character 4`},
		{"newline in first name", `first_name = "Ja\nne"`, `(?s)first_name.*control character U\+000A at character 3`},
		{"ESC in last name", `last_name = "Ro\u001be"`, `(?s)last_name.*control character U\+001B`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					Config:      invalidUserConfig(s, tc.config),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(wrapTolerant(tc.want)),
				}},
			})
		})
	}
	if s.UserCount() != 0 {
		t.Fatalf("an invalid configuration reached Concur: %d users exist", s.UserCount())
	}
}

// invalidUserConfig is a valid user with one attribute replaced (or added) by override.
func invalidUserConfig(s *sandbox.Server, override string) string {
	attributes := map[string]string{
		"emp_id": `"E7001"`, "login_id": `"jane@example.com"`, "email": `"jane@example.com"`,
		"first_name": `"Jane"`, "last_name": `"Roe"`,
	}
	var lines []string
	for _, line := range strings.Split(override, "\n") {
		name, value, _ := strings.Cut(line, " = ")
		attributes[name] = value
	}
	for name, value := range attributes {
		lines = append(lines, name+" = "+value)
	}
	return providerConfig(s) + "\nresource \"concur_user\" \"jane\" {\n  " + strings.Join(lines, "\n  ") + "\n}\n"
}
