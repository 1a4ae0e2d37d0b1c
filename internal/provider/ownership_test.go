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

// ownedProvider is ownershipProvider with the provider's owner set.
func ownedProvider(s *sandbox.Server, srv *ldaptest.Server, owner string) string {
	return directoryProviderConfig(s, fmt.Sprintf("\n  owner = %q\n", owner)+directoryBlock(srv.URL, srv.ReaderDN, srv.ReaderPassword))
}

// Destroying a concur_user whose person a channel of the configuration provisions would
// deactivate the account the channel provisions: the plan fails, whichever of the two Terraform
// plans first (it plans them concurrently, in no order a configuration can set, so the step runs
// twice), and names the removed block that hands the person over instead.
func TestAccOwnership_destroyedConcurUserThatAChannelProvisions(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := ownershipDirectory(t)
	provider := ownershipProvider(s, srv)
	refused := regexp.MustCompile(`(?s)People claimed by two objects of this configuration.*` +
		wrapTolerant(`the concur_user with emp_id "2005", which this plan destroys,`) + `.*` +
		wrapTolerant(`replace the concur_user's resource block with a removed block`) + `.*destroy\s+=\s+false`)
	destroyWhileProvisioned := resource.TestStep{
		Config:      provider + channelOver("solo", "solo"),
		ExpectError: refused,
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: provider + userFor("pol", "p5", "2005")},
			destroyWhileProvisioned,
			destroyWhileProvisioned,
			{
				Config:           provider + userFor("pol", "p5", "2005"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{
					expectField(s, "2005", "active", true),
					expectField(s, "2005", "title", "Set by hand"),
				},
			},
		},
	})
}

// With the provider's owner set, a concur_user shows and writes its marker; a channel and a
// concur_user of the configuration cannot map or set external_id themselves; take_over_from needs
// an owner.
func TestAccOwnership_concurUserCarriesTheMarker(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := ownershipDirectory(t)
	owned := ownedProvider(s, srv, "team-a")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: owned + userFor("pol", "p5", "2005"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue("concur_user.pol", jsonPath("external_id"), knownvalue.StringExact("tf-concur:team-a:2005")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{expectField(s, "2005", "externalId", "tf-concur:team-a:2005")},
			},
			{
				Config:      owned + strings.Replace(userFor("pol", "p5", "2005"), `title`, `external_id = "mine"`+"\n  title", 1),
				ExpectError: words(`the provider's owner is set ("team-a"), so external_id carries the owner marker`),
			},
			{
				Config: owned + userFor("pol", "p5", "2005") + strings.Replace(channelOver("core", "core"),
					`title      = "{title}"`, `title      = "{title}"`+"\n    external_id = \"{uid}\"", 1),
				ExpectError: regexp.MustCompile(`(?s)in resource "concur_provisioning_mapping" "core".*external_id = "\{uid\}".*` + wrapTolerant(`so external_id carries the owner marker`)),
			},
			{
				Config:      ownershipProvider(s, srv) + strings.Replace(userFor("pol", "p5", "2005"), `title`, `take_over_from = "team-b"`+"\n  title", 1),
				ExpectError: words(`take_over_from = "team-b" needs the provider's owner`),
			},
		},
	})
}

// Another owner's account: a concur_user that would change it fails the plan, one that would not
// is warned, and its destroy leaves the account as it is; take_over_from rewrites the marker.
func TestAccOwnership_concurUserOfAnotherOwner(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := ownershipDirectory(t)
	owned := ownedProvider(s, srv, "team-a")
	pol := userFor("pol", "p5", "2005")
	markAs := func(owner string) func() {
		return func() {
			if err := s.ModifyUser("2005", map[string]any{"externalId": "tf-concur:" + owner + ":2005"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: owned + pol},
			{
				// Team B takes the account over by hand-made marker; the next plan of team A refuses to write.
				PreConfig:   markAs("team-b"),
				Config:      owned + strings.Replace(pol, "Set by hand", "Changed by A", 1),
				ExpectError: words(`carries the owner marker of owner "team-b", another configuration, so this concur_user does not write to it`),
			},
			{
				Config:            owned + strings.Replace(pol, `title`, `take_over_from = "team-b"`+"\n  title", 1),
				ConfigStateChecks: []statecheck.StateCheck{expectField(s, "2005", "externalId", "tf-concur:team-a:2005")},
			},
			{
				PreConfig:         markAs("team-c"),
				Config:            owned,
				ConfigStateChecks: []statecheck.StateCheck{expectField(s, "2005", "active", true)},
			},
		},
	})
}

// An import takes the account over from the owner its marker names, when the provider's owner is set.
func TestAccOwnership_importTakesOver(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := ownershipDirectory(t)
	seedUsers(t, s, strings.Replace(seededUser(s, "2006", "p6@example.org", "Pip", "Six"),
		`"userName"`, `"externalId": "tf-concur:team-b:2006", "userName"`, 1))
	config := ownedProvider(s, srv, "team-a") + `
import {
  to = concur_user.pip
  id = "2006"
}

resource "concur_user" "pip" {
  emp_id     = "2006"
  login_id   = "p6@example.org"
  email      = "p6@example.org"
  first_name = "Pip"
  last_name  = "Six"
  title      = "Engineer"
  department = "R&D"
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue("concur_user.pip", jsonPath("external_id"), knownvalue.StringExact("tf-concur:team-a:2006")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{expectField(s, "2006", "externalId", "tf-concur:team-a:2006")},
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// Users a channel recorded before the owner was set gain the marker on the next apply, which the
// plan shows; an account whose externalId is another system's keeps it.
func TestAccOwnership_channelUsersGainTheMarker(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := ownershipDirectory(t)
	seedUsers(t, s, strings.Replace(seededUser(s, "2003", "p3@example.org", "Pam", "Three"),
		`"userName"`, `"externalId": "SAP-2003", "userName"`, 1))
	owned := ownedProvider(s, srv, "team-a") + channelOver("alpha", "alpha")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:            ownershipProvider(s, srv) + channelOver("alpha", "alpha"),
				ConfigStateChecks: []statecheck.StateCheck{expectField(s, "2001", "externalId", nil)},
			},
			{
				Config: owned,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("concur_provisioning_mapping.alpha", plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue("concur_provisioning_mapping.alpha", jsonPath("users", "2001"),
						userField("attributes.external_id", knownvalue.StringExact("tf-concur:team-a:2001"))),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					expectField(s, "2001", "externalId", "tf-concur:team-a:2001"),
					expectField(s, "2004", "externalId", "tf-concur:team-a:2004"),
					expectField(s, "2003", "externalId", "SAP-2003"),
				},
			},
			{
				Config:           owned,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// A hand edit of the marker is drift, put back.
				PreConfig:         func() { _ = s.ModifyUser("2002", map[string]any{"externalId": nil}) },
				Config:            owned,
				ConfigStateChecks: []statecheck.StateCheck{expectField(s, "2002", "externalId", "tf-concur:team-a:2002")},
			},
		},
	})
}

// A concur_user whose emp_id is known only at apply is checked then: Terraform plans it again in
// the apply, with the emp_id known, and so the channel that creates the person in that apply.
func TestAccOwnership_concurUserEmpIDKnownAtApply(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := ownershipDirectory(t)
	later := `
resource "terraform_data" "emp_id" {
  input = "2005"
}
` + strings.Replace(userFor("pol", "p5", "2005"), `"2005"`, `terraform_data.emp_id.output`, 1)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      ownershipProvider(s, srv) + later + channelOver("solo", "solo"),
				ExpectError: regexp.MustCompile(`(?s)People claimed by two objects of this configuration.*` + wrapTolerant(`a concur_user with emp_id "2005"`)),
			},
		},
	})
}

// Without an owner, a concur_user that sets no external_id keeps the one another system wrote on
// the account: the plan is empty and the id stays.
func TestAccOwnership_concurUserKeepsAnotherSystemsID(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := ownershipDirectory(t)
	config := ownershipProvider(s, srv) + userFor("pol", "p5", "2005")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					if err := s.ModifyUser("2005", map[string]any{"externalId": "SAP-2005"}); err != nil {
						t.Fatal(err)
					}
				},
				Config:            config,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{expectField(s, "2005", "externalId", "SAP-2005")},
			},
		},
	})
}

// A take_over_from left on a concur_user takes nothing over when it is destroyed: the account that
// owner marked again is left as it is.
func TestAccOwnership_concurUserDestroyTakesNothingOver(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := ownershipDirectory(t)
	owned := ownedProvider(s, srv, "team-a")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:            owned + strings.Replace(userFor("pol", "p5", "2005"), `title`, `take_over_from = "team-b"`+"\n  title", 1),
				ConfigStateChecks: []statecheck.StateCheck{expectField(s, "2005", "externalId", "tf-concur:team-a:2005")},
			},
			{
				PreConfig: func() {
					if err := s.ModifyUser("2005", map[string]any{"externalId": "tf-concur:team-b:2005"}); err != nil {
						t.Fatal(err)
					}
				},
				Config:            owned,
				ConfigStateChecks: []statecheck.StateCheck{expectField(s, "2005", "active", true)},
			},
		},
	})
}

// Destroying a channel with on_destroy = "deprovision" after the provider's owner was renamed
// leaves the accounts the old name marks, which are another owner's now, active.
func TestAccOwnership_channelDestroyLeavesAnotherOwnersAccounts(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := ownershipDirectory(t)
	deprovisioning := strings.Replace(channelOver("core", "core"), "  attribute_mapping", "  on_destroy = \"deprovision\"\n  attribute_mapping", 1)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:            ownedProvider(s, srv, "team-a") + deprovisioning,
				ConfigStateChecks: []statecheck.StateCheck{expectField(s, "2001", "externalId", "tf-concur:team-a:2001")},
			},
			{
				Config: ownedProvider(s, srv, "team-z"),
				ConfigStateChecks: []statecheck.StateCheck{
					expectField(s, "2001", "active", true),
					expectField(s, "2002", "active", true),
					expectField(s, "2002", "externalId", "tf-concur:team-a:2002"),
				},
			},
		},
	})
}

// A take_over_from known only at apply is checked then (Terraform plans the channel again in the
// apply, with the value known), and refused as an ownership setting (here: without the provider's
// owner), on the attribute, not as a directory error.
func TestAccOwnership_takeOverFromKnownAtApply(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := ownershipDirectory(t)
	config := ownershipProvider(s, srv) + `
resource "terraform_data" "from" {
  input = "team-b"
}
` + strings.Replace(channelOver("core", "core"), "  attribute_mapping", "  take_over_from = terraform_data.from.output\n  attribute_mapping", 1)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)Conflicting ownership settings.*` + wrapTolerant(`take_over_from = "team-b" needs the provider's owner`)),
			},
		},
	})
}
