package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory/ldaptest"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
)

// A channel of a few hundred people with a Spend profile is loaded through /profile/v4/Bulk
// (written one by one, each would wait for its provision). Concur refuses one of them: the others land and are recorded, the apply names the one by emp_id with Concur's reason,
// and the next apply creates only that one.
func TestAccProvisioningMapping_bulkLoadWithOneFailure(t *testing.T) {
	t.Parallel()
	const people = 250
	s := newSandbox(t)
	srv := ldaptest.Start(t, ldaptest.Options{})
	var specs []dirPersonSpec
	var members []string
	for i := range people {
		uid := fmt.Sprintf("p%03d", i)
		specs = append(specs, dirPersonSpec{uid: uid, employeeNumber: fmt.Sprint(2000 + i), given: "Pat", family: fmt.Sprintf("Person%03d", i), title: "Analyst"})
		members = append(members, dirPerson(uid))
	}
	srv.Load(t, directoryLDIF(specs, map[string][]string{"staff": members}))
	config := strings.Replace(mappingConfig(s, srv), `department = "Operations"`,
		`department = "Operations"
    reimbursement_currency = "USD"
    country                = "US"
    locale                 = "en-US"`, 1)
	const (
		bulkRoute   = "POST /profile/v4/Bulk"
		createRoute = "POST /profile/identity/v4.1/Users"
		upsRoute    = "POST /profile/v4/Users"
		patchRoute  = "PATCH /profile/identity/v4.1/Users/{id}"
		failing     = "2042"
	)
	var untouched any // emp_id 2000's meta.lastModified after the first apply

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					err := s.SetExtensionFailures(sandbox.ExtensionFailure{Extension: "urn:ietf:params:scim:schemas:core:2.0:User", EmployeeNumber: failing})
					if err != nil {
						t.Fatal(err)
					}
				},
				Config:      config,
				ExpectError: regexp.MustCompile(wrapTolerant(`(?s)Could not provision 1 user.*create emp_id "` + failing + `".*SERVICE_UNAVAILABLE`)),
			},
			{
				PreConfig: func() {
					counters := s.Counters()
					if s.UserCount() != people-1 || counters[bulkRoute] != 3 || counters[createRoute] != 0 {
						t.Fatalf("after the first apply the sandbox holds %d users (want %d) after %d bulk requests (want 3) and %d single creates (want 0)",
							s.UserCount(), people-1, counters[bulkRoute], counters[createRoute])
					}
					if err := s.SetExtensionFailures(); err != nil {
						t.Fatal(err)
					}
					if untouched, _ = sandboxField(s, "2000", "meta.lastModified"); untouched == nil {
						t.Fatal("emp_id 2000 has no meta.lastModified to compare")
					}
					s.ResetCounters()
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(mappingAddress, plancheck.ResourceActionReplace),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(mappingAddress, jsonPath("users"), knownvalue.MapSizeExact(people)),
					expectField(s, failing, "title", "Analyst"),
					sandboxCheck(func() error {
						// The replacement links the 249 recorded users, which changes none of them: the
						// one write is the create, sent in bulk as its round is large.
						counters := s.Counters()
						if counters[createRoute]+counters[upsRoute]+counters[bulkRoute] != 1 || counters[patchRoute] != 0 {
							return fmt.Errorf("the re-apply sent %v, want one write: the create that failed", counters)
						}
						if modified, _ := sandboxField(s, "2000", "meta.lastModified"); modified != untouched {
							return fmt.Errorf("emp_id 2000 was modified again (%v, was %v)", modified, untouched)
						}
						if s.UserCount() != people {
							return fmt.Errorf("sandbox holds %d users, want %d", s.UserCount(), people)
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
