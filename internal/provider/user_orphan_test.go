package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
)

// An account that holds the emp_id already (an apply that stopped between Concur's create and
// Terraform's state write leaves one) fails the plan, which names the import block to use.
func TestAccUser_existingEmpIDFailsThePlanNamingTheImport(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	seedUsers(t, s, seededUser(s, "E4001", "taken@example.com", "Tak", "En"))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:   userConfig(s, "E4001"),
			PlanOnly: true,
			ExpectError: regexp.MustCompile(wrapTolerant(`(?s)emp_id "E4001" already exists \(id [0-9a-f-]{36}\), so this resource cannot create it.*` +
				`import \{\s+to = <address of this resource>\s+id = "E4001"\s+\}`)),
		}},
	})
	if s.UserCount() != 1 {
		t.Fatalf("sandbox holds %d users, want the one seeded user and no duplicate", s.UserCount())
	}
}

// The import the plan names works: with it, the orphan is imported and updated to the
// configuration, not created again.
func TestAccUser_orphanImportedAsThePlanSays(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	seedUsers(t, s, seededUser(s, "E4002", "Jane.Roe@Example.com", "Jane", "Roe"))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: userConfig(s, "E4002", `title = "Engineer"`, `department = "R&D"`) + `
import {
  to = ` + userAddress + `
  id = "E4002"
}
`,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(userAddress, plancheck.ResourceActionUpdate)},
			},
		}},
	})
	if s.UserCount() != 1 {
		t.Fatalf("sandbox holds %d users, want the one imported user", s.UserCount())
	}
}
