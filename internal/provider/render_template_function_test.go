package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

func TestAccRenderTemplateFunction(t *testing.T) {
	t.Parallel()
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: requiredProviders + `
output "login" {
  value = provider::concur::render_template("{mail|lower}", { mail = "Ann.Able@Example.COM" })
}
output "display" {
  value = provider::concur::render_template("{GIVENNAME|trim} {sn|upper} ({title|default:Employee})", { givenName = " Ann ", sn = "Able" })
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("login", knownvalue.StringExact("ann.able@example.com")),
					statecheck.ExpectKnownOutputValue("display", knownvalue.StringExact("Ann ABLE (Employee)")),
				},
			},
			{
				Config: requiredProviders + `
output "bad" {
  value = provider::concur::render_template("{mail|shout}", {})
}
`,
				ExpectError: regexp.MustCompile(`Invalid template: unknown filter\s+"shout"`),
			},
		},
	})
}
