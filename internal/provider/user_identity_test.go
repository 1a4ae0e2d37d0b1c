package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/sandboxtest"
)

// Resource identity needs Terraform 1.12 or OpenTofu 1.12; make test runs this on both.
func TestAccUser_importByIdentity(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	seedUsers(t, s, seededUser(s, "E6001", "ida.ident@example.com", "Ida", "Ident"))
	concurID := field(sandboxtest.MustUser(t, s, "E6001"), "id").(string)
	resourceConfig := `
resource "concur_user" "ida" {
  emp_id     = "E6001"
  login_id   = "ida.ident@example.com"
  email      = "ida.ident@example.com"
  first_name = "Ida"
  last_name  = "Ident"
  title      = "Engineer"
  department = "R&D"
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		Steps: []resource.TestStep{
			{
				// An import block naming the identity adopts the user, and state records both ids.
				Config: providerConfig(s) + `
import {
  to       = concur_user.ida
  identity = { emp_id = "E6001" }
}
` + resourceConfig,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{expectImportsOnly{want: 1}},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity("concur_user.ida", map[string]knownvalue.Check{
						"emp_id": knownvalue.StringExact("E6001"),
						"id":     knownvalue.StringExact(concurID),
					}),
				},
			},
			{
				// The testing framework's own identity import of the same user plans no change.
				Config:          providerConfig(s) + resourceConfig,
				ResourceName:    "concur_user.ida",
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
				ImportPlanChecks: resource.ImportPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("concur_user.ida", plancheck.ResourceActionNoop)},
				},
			},
			{
				// A changed emp_id is an update in place, and the identity follows it.
				Config: providerConfig(s) + regexp.MustCompile(`"E6001"`).ReplaceAllString(resourceConfig, `"E6002"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("concur_user.ida", plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity("concur_user.ida", map[string]knownvalue.Check{
						"emp_id": knownvalue.StringExact("E6002"),
						"id":     knownvalue.StringExact(concurID),
					}),
					sandboxCheck(func() error {
						if got := field(sandboxtest.MustUser(t, s, "E6002"), "id"); got != concurID {
							return fmt.Errorf("E6002 is Concur user %v, want the imported %s", got, concurID)
						}
						return nil
					}),
				},
			},
		},
	})
}
