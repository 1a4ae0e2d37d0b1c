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

// Six people; alpha holds p1..p4 and beta p3..p6, so p3 and p4 (emp_ids 2003, 2004) are in both.
var ownershipPeople = []dirPersonSpec{
	{uid: "p1", employeeNumber: "2001", given: "Pia", family: "One", title: "Analyst"},
	{uid: "p2", employeeNumber: "2002", given: "Per", family: "Two", title: "Buyer"},
	{uid: "p3", employeeNumber: "2003", given: "Pam", family: "Three", title: "Clerk"},
	{uid: "p4", employeeNumber: "2004", given: "Pat", family: "Four", title: "Driver"},
	{uid: "p5", employeeNumber: "2005", given: "Pol", family: "Five", title: "Editor"},
	{uid: "p6", employeeNumber: "2006", given: "Pip", family: "Six", title: "Fitter"},
}

var ownershipGroups = map[string][]string{
	"alpha": {dirPerson("p1"), dirPerson("p2"), dirPerson("p3"), dirPerson("p4")},
	"beta":  {dirPerson("p3"), dirPerson("p4"), dirPerson("p5"), dirPerson("p6")},
	"solo":  {dirPerson("p5"), dirPerson("p6")},
	"core":  {dirPerson("p1"), dirPerson("p2")},
}

func ownershipDirectory(t *testing.T) *ldaptest.Server {
	srv := ldaptest.Start(t, ldaptest.Options{})
	srv.Load(t, directoryLDIF(ownershipPeople, ownershipGroups))
	return srv
}

func ownershipProvider(s *sandbox.Server, srv *ldaptest.Server) string {
	return directoryProviderConfig(s, directoryBlock(srv.URL, srv.ReaderDN, srv.ReaderPassword))
}

// channelOver is a channel named name over the members of group.
func channelOver(name, group string) string {
	return fmt.Sprintf(`
resource "concur_provisioning_mapping" %q {
  source = {
    group_dn = %q
  }
  attribute_mapping = {
    emp_id     = "{employeeNumber}"
    login_id   = "{mail|lower}"
    email      = "{mail|lower}"
    first_name = "{givenName}"
    last_name  = "{sn}"
    title      = "{title}"
  }
}
`, name, dirGroup(group))
}

// userFor is a concur_user for one of ownershipPeople, with a title of its own.
func userFor(name, uid, empID string) string {
	return fmt.Sprintf(`
resource "concur_user" %q {
  emp_id     = %q
  login_id   = "%[2]s@example.org"
  email      = "%[2]s@example.org"
  first_name = "Someone"
  last_name  = "Else"
  title      = "Set by hand"
}
`, name, empID, uid)
}

// words matches the given words in order with any white space between them, as Terraform wraps
// a diagnostic's lines.
func words(text string) *regexp.Regexp {
	parts := strings.Fields(text)
	for i, part := range parts {
		parts[i] = regexp.QuoteMeta(part)
	}
	return regexp.MustCompile(strings.Join(parts, `\s+`))
}

func TestAccOwnership_overlappingChannelsFailThePlan(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := ownershipDirectory(t)
	config := ownershipProvider(s, srv) + channelOver("alpha", "alpha") + channelOver("beta", "beta")
	// Whichever channel Terraform plans second is refused, on every run.
	refused := regexp.MustCompile(`(?s)People claimed by two objects of this configuration.*` +
		`new\s+concur_provisioning_mapping\s+over\s+group\s+"cn=(alpha|beta),[^"]*"\s+and\s+the\s+new\s+` +
		`concur_provisioning_mapping\s+over\s+group\s+"cn=(alpha|beta),[^"]*"\s+both\s+manage\s+2003,\s+2004\..*` +
		`Narrow\s+one\s+channel's\s+source`)
	step := resource.TestStep{Config: config, PlanOnly: true, ExpectError: refused}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps:                    []resource.TestStep{step, step, step},
	})
	for _, empID := range []string{"2001", "2002", "2003", "2004", "2005", "2006"} {
		if _, ok := s.UserByEmployeeNumber(empID); ok {
			t.Errorf("the sandbox has a user with emp_id %s, though every plan was refused", empID)
		}
	}
}

func TestAccOwnership_channelAndConcurUserForOnePerson(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := ownershipDirectory(t)
	provider := ownershipProvider(s, srv)
	refused := words(`a concur_user with emp_id "2005"`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				// Objects over different people live side by side, and the apply's own re-plan
				// does not count as a second owner.
				Config: provider + channelOver("alpha", "alpha") + userFor("pol", "p5", "2005"),
			},
			{
				Config:   provider + channelOver("alpha", "alpha") + userFor("pol", "p5", "2005"),
				PlanOnly: true,
			},
			{
				// A channel whose group holds the concur_user's person is refused, whichever
				// Terraform plans first, and nothing is written.
				Config:      provider + channelOver("alpha", "alpha") + userFor("pol", "p5", "2005") + channelOver("solo", "solo"),
				ExpectError: regexp.MustCompile(`(?s)People claimed by two objects.*` + refused.String() + `.*Either\s+remove\s+the\s+concur_user`),
			},
			{
				Config:      provider + channelOver("alpha", "alpha") + userFor("pol", "p5", "2005") + channelOver("solo", "solo"),
				ExpectError: regexp.MustCompile(`(?s)People claimed by two objects.*` + refused.String()),
			},
			{
				// Back to the first configuration: nothing changed in between.
				Config:           provider + channelOver("alpha", "alpha") + userFor("pol", "p5", "2005"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{
					expectField(s, "2005", "title", "Set by hand"),
					sandboxCheck(func() error {
						if _, ok := s.UserByEmployeeNumber("2006"); ok {
							return fmt.Errorf("the refused channel created 2006")
						}
						return nil
					}),
				},
			},
		},
	})
}

// accountsOf reads, per emp_id, the sandbox account's id and its change counter.
func accountsOf(t *testing.T, s *sandbox.Server, empIDs ...string) map[string][2]any {
	t.Helper()
	accounts := map[string][2]any{}
	for _, empID := range empIDs {
		user, ok := s.UserByEmployeeNumber(empID)
		if !ok {
			t.Fatalf("the sandbox has no user with emp_id %s", empID)
		}
		accounts[empID] = [2]any{field(user, "id"), field(user, "meta.version")}
	}
	return accounts
}

// expectUntouched checks that the accounts are the same ones, active, and not written since.
func expectUntouched(s *sandbox.Server, before *map[string][2]any) statecheck.StateCheck {
	return sandboxCheck(func() error {
		for empID, account := range *before {
			user, ok := s.UserByEmployeeNumber(empID)
			if !ok {
				return fmt.Errorf("the account of %s is gone", empID)
			}
			if got := [2]any{field(user, "id"), field(user, "meta.version")}; got != account {
				return fmt.Errorf("%s: id and version %v, want %v (the account was replaced or written)", empID, got, account)
			}
			if field(user, "active") != true {
				return fmt.Errorf("%s was deactivated during the hand-over", empID)
			}
		}
		return nil
	})
}

// The guide's recipe: the channel that loses people is replaced by one over the narrowed source
// (on_destroy = "keep" touches nobody) in the same apply as the channel that gains them links
// them. Nobody is written or deactivated, and the next plan is empty.
func TestAccOwnership_handOverBetweenChannels(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := ownershipDirectory(t)
	provider := ownershipProvider(s, srv)
	before := map[string][2]any{}
	handedOver := provider + channelOver("core", "core") + channelOver("b", "beta")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: provider + channelOver("a", "alpha") + channelOver("b", "solo")},
			{
				PreConfig: func() { before = accountsOf(t, s, "2001", "2002", "2003", "2004", "2005", "2006") },
				Config:    handedOver,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("concur_provisioning_mapping.a", plancheck.ResourceActionDestroy),
					plancheck.ExpectResourceAction("concur_provisioning_mapping.core", plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction("concur_provisioning_mapping.b", plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					expectUntouched(s, &before),
					statecheck.ExpectKnownValue("concur_provisioning_mapping.b", jsonPath("users"), knownvalue.MapSizeExact(4)),
					statecheck.ExpectKnownValue("concur_provisioning_mapping.core", jsonPath("users"), knownvalue.MapSizeExact(2)),
				},
			},
			{
				Config:            handedOver,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{expectUntouched(s, &before)},
			},
		},
	})
}

// From concur_user resources to a channel: a removed block forgets the concur_user without
// touching the account, and the channel links it in the same apply; the person stays active.
func TestAccOwnership_handOverFromConcurUserToChannel(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := ownershipDirectory(t)
	provider := ownershipProvider(s, srv)
	var polID any
	handedOver := provider + channelOver("solo", "solo") + `
removed {
  from = concur_user.pol
  lifecycle {
    destroy = false
  }
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: provider + userFor("pol", "p5", "2005")},
			{
				PreConfig: func() { polID = accountsOf(t, s, "2005")["2005"][0] },
				Config:    handedOver,
				ConfigStateChecks: []statecheck.StateCheck{
					sandboxCheck(func() error {
						if id, _ := sandboxField(s, "2005", "id"); id != polID {
							return fmt.Errorf("2005 is account %v, want the concur_user's %v", id, polID)
						}
						return nil
					}),
					expectField(s, "2005", "active", true),
					// The channel's values replace the concur_user's.
					expectField(s, "2005", "title", "Editor"),
					statecheck.ExpectKnownValue("concur_provisioning_mapping.solo", jsonPath("users"), knownvalue.MapSizeExact(2)),
				},
			},
			{
				Config:           handedOver,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}
