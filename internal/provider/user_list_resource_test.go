package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/sandboxtest"
)

// terraform query needs Terraform 1.14; make test runs this on 1.14.3.
func TestAccUserList_query(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	// seededUser puts everyone in R&D; the sales users are moved to Sales.
	seedUsers(t, s,
		seededUser(s, "L001", "lea@example.com", "Lea", "Lang"),
		seededUser(s, "L002", "max@example.com", "Max", "Mohr"),
		seededUser(s, "L003", "ole@example.com", "Ole", "Ott"),
		seededUser(s, "", "no.empid@example.com", "No", "Key"),
	)
	for _, empID := range []string{"L002", "L003"} {
		if err := s.ModifyUser(empID, map[string]any{enterpriseURN + ":department": "Sales"}); err != nil {
			t.Fatal(err)
		}
	}
	leaID := field(sandboxtest.MustUser(t, s, "L001"), "id").(string)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		Steps: []resource.TestStep{
			// The configuration step writes the provider block, which the query step's file uses.
			{Config: providerConfig(s)},
			{
				Query: true,
				Config: fmt.Sprintf(`
list "concur_user" "sales" {
  provider = concur
  config {
    filter = %q
  }
}

list "concur_user" "everyone" {
  provider         = concur
  include_resource = true
}
`, enterpriseURN+":department eq \"Sales\""),
				QueryResultChecks: []querycheck.QueryResultCheck{
					// The filter picks the two sales users, each by its identity.
					querycheck.ExpectLength("concur_user.sales", 2),
					querycheck.ExpectIdentity("concur_user.sales", map[string]knownvalue.Check{
						"emp_id": knownvalue.StringExact("L002"), "id": knownvalue.NotNull(),
					}),
					querycheck.ExpectIdentity("concur_user.sales", map[string]knownvalue.Check{
						"emp_id": knownvalue.StringExact("L003"), "id": knownvalue.NotNull(),
					}),
					// Without a filter, everyone with an emp_id, with the whole resource to import.
					querycheck.ExpectLength("concur_user.everyone", 3),
					querycheck.ExpectIdentity("concur_user.everyone", map[string]knownvalue.Check{
						"emp_id": knownvalue.StringExact("L001"), "id": knownvalue.StringExact(leaID),
					}),
					querycheck.ExpectResourceDisplayName("concur_user.everyone",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"emp_id": knownvalue.StringExact("L001"), "id": knownvalue.StringExact(leaID)}),
						knownvalue.StringExact("Lea Lang (L001)")),
					querycheck.ExpectResourceKnownValues("concur_user.everyone",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"emp_id": knownvalue.StringExact("L001"), "id": knownvalue.StringExact(leaID)}),
						[]querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("login_id"), KnownValue: knownvalue.StringExact("lea@example.com")},
							{Path: tfjsonpath.New("department"), KnownValue: knownvalue.StringExact("R&D")},
							{Path: tfjsonpath.New("deletion_mode"), KnownValue: knownvalue.StringExact("deactivate")},
						}),
				},
			},
		},
	})
}

// The importing guide's first path, end to end: terraform query writes import blocks and
// configuration for an existing tenant, the plan imports exactly those users and changes
// nobody, and after the apply the plan is empty.
func TestE2EUserList_generateConfigImportsTheTenant(t *testing.T) {
	t.Parallel()
	tf := newTerraformWorkspace(t)
	if !cliHasQuery(t, tf) {
		t.Skip("terraform query needs Terraform 1.14 or later")
	}
	s := newSandbox(t)
	seedUsers(t, s,
		seededUser(s, "Q001", "ann@example.com", "Ann", "Able"),
		seededUser(s, "Q002", "ben@example.com", "Ben", "Baker"),
	)
	if err := s.ModifyUser("Q002", map[string]any{"title": "Buyer", enterpriseURN + ":costCenter": "CC-7"}); err != nil {
		t.Fatal(err)
	}
	tf.WriteFile(t, "main.tf", providerConfig(s))
	tf.WriteFile(t, "users.tfquery.hcl", `
list "concur_user" "all" {
  provider         = concur
  include_resource = true
}
`)
	if query := tf.Run(t, "query", "-generate-config-out=users.tf", "-no-color"); query.ExitCode != 0 {
		t.Fatalf("query failed: %s", query)
	}
	generated, err := os.ReadFile(filepath.Join(tf.Dir, "users.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`emp_id = "Q001"`, `emp_id = "Q002"`, `cost_center`, `"CC-7"`} {
		if !strings.Contains(strings.Join(strings.Fields(string(generated)), " "), want) {
			t.Errorf("generated configuration lacks %s:\n%s", want, generated)
		}
	}

	plan := tf.Run(t, "plan", "-no-color")
	if plan.ExitCode != 0 || !strings.Contains(plan.Stdout, "Plan: 2 to import, 0 to add, 0 to change, 0 to destroy.") {
		t.Fatalf("the generated configuration must import both users and change nothing: %s", plan)
	}
	tf.Apply(t)
	if code, res := tf.PlanExitCode(t); code != 0 {
		t.Fatalf("plan after the import is not empty (exit %d): %s", code, res)
	}
	if s.UserCount() != 2 {
		t.Errorf("the sandbox holds %d users after the import, want the 2 it had", s.UserCount())
	}
}

// cliHasQuery tells whether the CLI under test has the query command (Terraform 1.14+).
func cliHasQuery(t *testing.T, tf *terraformWorkspace) bool {
	t.Helper()
	return tf.Run(t, "query", "-help").ExitCode == 0
}
