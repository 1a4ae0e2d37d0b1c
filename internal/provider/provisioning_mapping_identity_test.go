package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory/ldaptest"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/sandboxtest"
)

// A managed user is the Concur account recorded in state: hand edits of its emp_id and login
// are drift put back, never a second account; an emp_id another account takes over is named in
// the plan, and neither account is written.
func TestAccProvisioningMapping_managedUsersAreKnownByTheirConcurID(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := ldaptest.Start(t, ldaptest.Options{})
	srv.Load(t, directoryLDIF(mappingPeople, mappingGroups))
	seedUsers(t, s, seededUser(s, "X9001", "other.person@example.org", "Otto", "Other"))
	config := mappingConfig(s, srv)
	var benID, cidID string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(*terraform.State) error {
					benID = field(sandboxtest.MustUser(t, s, "1002"), "id").(string)
					cidID = field(sandboxtest.MustUser(t, s, "1003"), "id").(string)
					return nil
				},
			},
			{
				// Defect 1: ben's emp_id and login edited by hand in Concur.
				PreConfig: func() {
					if err := s.ModifyUser("1002", map[string]any{"userName": "renamed1002@example.org", enterpriseURN + ":employeeNumber": "Z1002"}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(mappingAddress, jsonPath("ids", "1002"), knownvalue.NotNull()),
					// The plan puts 1002 back: the attributes repeat the emp_id only while Concur holds
					// another, so the six other mapped attributes are all that is left.
					plancheck.ExpectKnownValue(mappingAddress, jsonPath("users", "1002"), userField("attributes", knownvalue.MapSizeExact(6))),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					expectField(s, "1002", "userName", "ben@example.org"),
					sandboxCheck(func() error {
						if got := field(sandboxtest.MustUser(t, s, "1002"), "id"); got != benID {
							return fmt.Errorf("emp_id 1002 is account %v, want ben's own %s put back", got, benID)
						}
						if s.UserCount() != 4 {
							return fmt.Errorf("sandbox holds %d users, want 4 (3 managed, 1 other): no second account", s.UserCount())
						}
						return nil
					}),
				},
			},
			{
				// Defect 2: cid's account loses emp_id 1003 and another account is given it.
				PreConfig: func() {
					if err := s.ModifyUser("1003", map[string]any{enterpriseURN + ":employeeNumber": "OLD1003"}); err != nil {
						t.Fatal(err)
					}
					if err := s.ModifyUser("X9001", map[string]any{enterpriseURN + ":employeeNumber": "1003"}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(mappingAddress, jsonPath("ids", "1003"), knownvalue.StringFunc(func(id string) error {
						if id != cidID {
							return fmt.Errorf("users[1003].id = %s, want cid's own account %s, not the other one", id, cidID)
						}
						return nil
					})),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					expectField(s, "1003", "userName", "other.person@example.org"), // the other account is not rewritten
					sandboxCheck(func() error {
						if _, ok := s.UserByEmployeeNumber("OLD1003"); !ok {
							return fmt.Errorf("cid's account no longer carries OLD1003: it was written while another account holds 1003")
						}
						return nil
					}),
				},
			},
		},
	})
}

// The plan names an emp_id that another account holds, with both accounts.
func TestE2EProvisioningMapping_planNamesAnEmpIDHeldByAnotherAccount(t *testing.T) {
	t.Parallel()
	tf := newTerraformWorkspace(t)
	s := newSandbox(t)
	srv := ldaptest.Start(t, ldaptest.Options{})
	srv.Load(t, directoryLDIF(mappingPeople, mappingGroups))
	seedUsers(t, s, seededUser(s, "X9001", "other.person@example.org", "Otto", "Other"))
	tf.WriteFile(t, "main.tf", mappingConfig(s, srv))
	tf.Apply(t)
	cidID := field(sandboxtest.MustUser(t, s, "1003"), "id").(string)
	otherID := field(sandboxtest.MustUser(t, s, "X9001"), "id").(string)
	moveEmpID(t, s, "1003", "OLD1003")
	moveEmpID(t, s, "X9001", "1003")

	plan := tf.Run(t, "plan", "-no-color")
	text := regexp.MustCompile(`\s+`).ReplaceAllString(plan.Stdout, " ")
	for _, want := range []string{"Employee IDs held by other Concur accounts", cidID, otherID, `now carries emp_id "OLD1003"`} {
		if !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(text) {
			t.Errorf("the plan does not say %q: %s", want, plan)
		}
	}
	if code, res := tf.PlanExitCode(t); code != 0 {
		t.Errorf("the plan must change nothing for a person whose emp_id another account holds (exit %d): %s", code, res)
	}
}

func moveEmpID(t *testing.T, s *sandbox.Server, from, to string) {
	t.Helper()
	if err := s.ModifyUser(from, map[string]any{enterpriseURN + ":employeeNumber": to}); err != nil {
		t.Fatal(err)
	}
}
