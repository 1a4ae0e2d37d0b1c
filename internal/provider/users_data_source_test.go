package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/sandboxtest"
)

func TestAccUsersDataSource_bulkImportWithForEach(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	seedUsers(t, s,
		seededUser(s, "B001", "ann@example.com", "Ann", "Able"),
		seededUser(s, "B002", "ben@example.com", "Ben", "Baker"),
		seededUser(s, "B003", "cat@example.com", "Cat", "Cole"),
	)
	// Every optional attribute set on someone, so the import shows that mapping them all from
	// the data source leaves nothing to change.
	if err := s.ModifyUser("B001", map[string]any{
		"nickName": "Annie", "name.middleName": "Q", "externalId": "hr-1", "preferredLanguage": "de-DE", "timezone": "Europe/Berlin",
		enterpriseURN + ":costCenter": "CC-1", enterpriseURN + ":division": "EMEA",
		enterpriseURN + ":startDate": "2024-01-15", enterpriseURN + ":terminationDate": "2030-06-30",
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.ModifyUser("B002", map[string]any{enterpriseURN + ":manager": map[string]any{"value": field(sandboxtest.MustUser(t, s, "B001"), "id")}}); err != nil {
		t.Fatal(err)
	}
	config := providerConfig(s) + `
data "concur_users" "existing" {
  filter = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq \"R&D\""
}

# terraform-plugin-testing cannot read string instance keys back from state, so this test
# imports into count instances; the documented for_each-over-a-map form works the same way.
# OpenTofu's import for_each takes a map (not a list): emp_id to position.
locals {
  existing = values(data.concur_users.existing.users)
}

import {
  for_each = { for index, user in local.existing : user.emp_id => index }
  to       = concur_user.all[each.value]
  id       = each.key
}

resource "concur_user" "all" {
  count              = length(local.existing)
  emp_id             = local.existing[count.index].emp_id
  login_id           = local.existing[count.index].login_id
  email              = local.existing[count.index].email
  first_name         = local.existing[count.index].first_name
  last_name          = local.existing[count.index].last_name
  middle_name        = local.existing[count.index].middle_name
  nick_name          = local.existing[count.index].nick_name
  title              = local.existing[count.index].title
  active             = local.existing[count.index].active
  preferred_language = local.existing[count.index].preferred_language
  timezone           = local.existing[count.index].timezone
  department         = local.existing[count.index].department
  cost_center        = local.existing[count.index].cost_center
  division           = local.existing[count.index].division
  manager_emp_id     = local.existing[count.index].manager_emp_id
  start_date         = local.existing[count.index].start_date
  termination_date   = local.existing[count.index].termination_date
  external_id        = local.existing[count.index].external_id
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				// All three existing users are imported; none is created or changed.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{expectImportsOnly{want: 3}},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.concur_users.existing", tfjsonpath.New("users").AtMapKey("B002").AtMapKey("login_id"), knownvalue.StringExact("ben@example.com")),
					statecheck.ExpectKnownValue("data.concur_users.existing", tfjsonpath.New("users"), knownvalue.MapSizeExact(3)),
					statecheck.ExpectKnownValue("data.concur_users.existing", tfjsonpath.New("users").AtMapKey("B002").AtMapKey("manager_emp_id"), knownvalue.StringExact("B001")),
					statecheck.ExpectKnownValue("data.concur_users.existing", tfjsonpath.New("users").AtMapKey("B001").AtMapKey("termination_date"), knownvalue.StringExact("2030-06-30")),
					statecheck.ExpectKnownValue("data.concur_users.existing", tfjsonpath.New("users").AtMapKey("B001").AtMapKey("timezone"), knownvalue.StringExact("Europe/Berlin")),
					sandboxCheck(func() error {
						if s.UserCount() != 3 {
							return fmt.Errorf("sandbox holds %d users, want the 3 imported ones", s.UserCount())
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

func TestAccUserDataSource_lookups(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	seedUsers(t, s, seededUser(s, "L001", "lou@example.com", "Lou", "Lane"))
	id := field(sandboxtest.MustUser(t, s, "L001"), "id").(string)
	config := providerConfig(s) + fmt.Sprintf(`
data "concur_user" "by_emp_id" {
  emp_id = "L001"
}
data "concur_user" "by_login" {
  login_id = "LOU@example.com"
}
data "concur_user" "by_id" {
  id = %q
}
`, id)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.concur_user.by_emp_id", tfjsonpath.New("id"), knownvalue.StringExact(id)),
				statecheck.ExpectKnownValue("data.concur_user.by_login", tfjsonpath.New("emp_id"), knownvalue.StringExact("L001")),
				statecheck.ExpectKnownValue("data.concur_user.by_id", tfjsonpath.New("last_name"), knownvalue.StringExact("Lane")),
				statecheck.ExpectKnownValue("data.concur_user.by_id", tfjsonpath.New("department"), knownvalue.StringExact("R&D")),
			},
		}},
	})
}
