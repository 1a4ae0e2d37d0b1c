package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory/ldaptest"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/sandboxtest"
)

const mappingAddress = "concur_provisioning_mapping.staff"

// The channel's directory: staff holds ann and ben directly and cid through the nested team
// group; dan is outside the group until a step adds him.
var mappingPeople = []dirPersonSpec{
	{uid: "ann", employeeNumber: "1001", given: "Ann", family: "Able", title: "Analyst"},
	{uid: "ben", employeeNumber: "1002", given: "Ben", family: "Baker", title: "Buyer"},
	{uid: "cid", employeeNumber: "1003", given: "Cid", family: "Cole", title: "Clerk"},
	{uid: "dan", employeeNumber: "1004", given: "Dan", family: "Dunn", title: "Driver"},
}

var mappingGroups = map[string][]string{
	"team":  {dirPerson("cid")},
	"staff": {dirPerson("ann"), dirPerson("ben"), dirGroup("team")},
}

// mappingConfig is a channel over the staff group; extra lines go into the resource.
func mappingConfig(s *sandbox.Server, srv *ldaptest.Server, extra ...string) string {
	return directoryProviderConfig(s, directoryBlock(srv.URL, srv.ReaderDN, srv.ReaderPassword,
		`disabled_filter = "(pwdAccountLockedTime=*)"`)) + fmt.Sprintf(`
resource "concur_provisioning_mapping" "staff" {
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
    department = "Operations"
  }
  %s
}
`, dirGroup("staff"), strings.Join(extra, "\n  "))
}

func TestAccProvisioningMapping_lifecycle(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := ldaptest.Start(t, ldaptest.Options{})
	srv.Load(t, directoryLDIF(mappingPeople, mappingGroups))
	// ben already has a Concur account: the channel links it instead of duplicating it.
	seedUsers(t, s, seededUser(s, "1002", "ben@example.org", "Ben", "Baker"))
	benID := field(sandboxtest.MustUser(t, s, "1002"), "id").(string)
	config := mappingConfig(s, srv)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				// First apply: ann and cid (through the nested group) are created, ben is linked.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(mappingAddress, jsonPath("ids", "1002"), knownvalue.StringExact(benID)),
					plancheck.ExpectUnknownValue(mappingAddress, jsonPath("ids", "1001")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(mappingAddress, jsonPath("users"), knownvalue.MapSizeExact(3)),
					statecheck.ExpectKnownValue(mappingAddress, jsonPath("users", "1003"), userField("active", knownvalue.Bool(true))), // nested through team
					statecheck.ExpectKnownValue(mappingAddress, jsonPath("users", "1001"), userField("attributes.title", knownvalue.StringExact("Analyst"))),
					expectField(s, "1001", "title", "Analyst"),
					expectField(s, "1003", "enterprise.department", "Operations"),
					expectField(s, "1002", "id", benID),
					expectField(s, "1002", "title", "Buyer"), // the seeded "Engineer" is updated to the mapped value
					sandboxCheck(func() error {
						if s.UserCount() != 3 {
							return fmt.Errorf("sandbox holds %d users, want 3 (ben linked, not duplicated)", s.UserCount())
						}
						return nil
					}),
				},
			},
			{
				// Nothing changed anywhere: the plan is empty.
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// The directory changes: dan joins, ann's title changes, cid leaves the nested group,
				// ben's title is removed, and ann gets a nickname in Concur that the channel does not map.
				PreConfig: func() {
					changeDirectory(t, srv,
						modify(dirGroup("staff"), func(r *ldap.ModifyRequest) { r.Add("member", []string{dirPerson("dan")}) }),
						modify(dirPerson("ann"), func(r *ldap.ModifyRequest) { r.Replace("title", []string{"Senior Analyst"}) }),
						modify(dirGroup("team"), func(r *ldap.ModifyRequest) { r.Replace("member", []string{dirPerson("ann")}) }),
						modify(dirPerson("ben"), func(r *ldap.ModifyRequest) { r.Delete("title", nil) }),
					)
					if err := s.ModifyUser("1001", map[string]any{"nickName": "Annie"}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(mappingAddress, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(mappingAddress, jsonPath("users", "1003"), userField("active", knownvalue.Bool(false))),
					plancheck.ExpectKnownValue(mappingAddress, jsonPath("users", "1001"), userField("attributes.title", knownvalue.StringExact("Senior Analyst"))),
					plancheck.ExpectUnknownValue(mappingAddress, jsonPath("ids", "1004")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					expectField(s, "1001", "title", "Senior Analyst"),
					expectField(s, "1001", "nickName", "Annie"), // unmapped: never touched
					expectField(s, "1002", "title", nil),        // emptied in the directory: cleared in Concur
					expectField(s, "1003", "active", false),     // left the group: disabled, data kept
					expectField(s, "1004", "active", true),      // joined: created
				},
			},
			{
				// Drift: a title changed by hand, a user deactivated by hand and a user deleted in
				// Concur are all put back.
				PreConfig: func() {
					if err := s.ModifyUser("1001", map[string]any{"title": "Changed by hand"}); err != nil {
						t.Fatal(err)
					}
					if err := s.ModifyUser("1002", map[string]any{"active": false}); err != nil {
						t.Fatal(err)
					}
					if !s.DeleteUserByEmployeeNumber("1004") {
						t.Fatal("no 1004 to delete")
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(mappingAddress, jsonPath("users", "1001"), userField("attributes.title", knownvalue.StringExact("Senior Analyst"))),
					plancheck.ExpectUnknownValue(mappingAddress, jsonPath("ids", "1004")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					expectField(s, "1001", "title", "Senior Analyst"),
					expectField(s, "1002", "active", true),
					expectField(s, "1004", "active", true),
				},
			},
			{
				// ben's emp_id changes in the directory: the same Concur user is updated in place.
				PreConfig: func() {
					changeDirectory(t, srv, modify(dirPerson("ben"), func(r *ldap.ModifyRequest) { r.Replace("employeeNumber", []string{"2002"}) }))
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(mappingAddress, jsonPath("ids", "2002"), knownvalue.StringExact(benID)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					expectField(s, "2002", "id", benID),
					sandboxCheck(func() error {
						if _, ok := s.UserByEmployeeNumber("1002"); ok {
							return fmt.Errorf("the old emp_id 1002 still exists")
						}
						return nil
					}),
				},
			},
			{
				// ann is disabled in the directory: deprovisioned (disabled) with the data kept.
				PreConfig: func() {
					changeDirectory(t, srv, modify(dirPerson("ann"), func(r *ldap.ModifyRequest) {
						r.Add("pwdAccountLockedTime", []string{"20250101000000Z"})
					}))
				},
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(mappingAddress, jsonPath("users", "1001"), userField("active", knownvalue.Bool(false))),
					expectField(s, "1001", "active", false),
				},
			},
		},
	})
}

func TestAccProvisioningMapping_guards(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := ldaptest.Start(t, ldaptest.Options{})
	srv.Load(t, directoryLDIF(mappingPeople, mappingGroups))
	config := mappingConfig(s, srv, "max_deprovisions = 1")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: config},
			{
				// Two users leave at once, over max_deprovisions = 1: the plan fails and nobody is touched.
				PreConfig: func() {
					changeDirectory(t, srv,
						modify(dirGroup("staff"), func(r *ldap.ModifyRequest) { r.Delete("member", []string{dirPerson("ann"), dirPerson("ben")}) }))
				},
				Config:      config,
				ExpectError: regexp.MustCompile(wrapTolerant(`(?s)deactivate 2 users, more than max_deprovisions \(1\).*1001, 1002.*raise max_deprovisions`)),
			},
			{
				// The source returns nobody (its only member is gone from the directory): refused even
				// though max_deprovisions would allow it.
				PreConfig: func() {
					changeDirectory(t, srv,
						modify(dirGroup("staff"), func(r *ldap.ModifyRequest) { r.Replace("member", []string{dirPerson("ghost")}) }))
				},
				Config:      mappingConfig(s, srv, "max_deprovisions = 10"),
				ExpectError: regexp.MustCompile(wrapTolerant(`(?s)returned no users while 3 users are managed.*allow_empty_source`)),
			},
			{
				// Allowing it deprovisions everyone, as asked.
				Config: mappingConfig(s, srv, "max_deprovisions = 10", "allow_empty_source = true"),
				ConfigStateChecks: []statecheck.StateCheck{
					expectField(s, "1001", "active", false),
					expectField(s, "1003", "active", false),
				},
			},
		},
	})
}

// A first apply that fails for one user keeps the others; the resource is then replaced, which
// on_destroy = keep makes safe: the replacement links the users already created and creates only
// the one that failed. Random 503s on the way are retried.
func TestAccProvisioningMapping_partialFailureThenCleanReapply(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := ldaptest.Start(t, ldaptest.Options{})
	srv.Load(t, directoryLDIF(mappingPeople, mappingGroups))
	// cid's manager (emp_id 9999) is not in Concur yet, so cid cannot be created.
	changeDirectory(t, srv, modify(dirPerson("cid"), func(r *ldap.ModifyRequest) { r.Add("departmentNumber", []string{"9999"}) }))
	config := mappingConfig(s, srv, `max_deprovisions = 0`)
	config = strings.Replace(config, `department = "Operations"`, `manager_emp_id = "{departmentNumber}"`, 1)
	const createRoute = "POST /profile/identity/v4.1/Users"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { s.SetFaults(sandbox.Faults{ErrorRate: 0.2, ErrorStatus: 503}) },
				Config:      config,
				ExpectError: regexp.MustCompile(wrapTolerant(`(?s)Could not provision 1 user.*create emp_id "1003".*9999`)),
			},
			{
				// The manager now exists: the replacement creates only cid.
				PreConfig: func() {
					if s.UserCount() != 2 {
						t.Fatalf("after the failed apply the sandbox holds %d users, want the 2 that succeeded", s.UserCount())
					}
					s.SetFaults(sandbox.Faults{})
					seedUsers(t, s, seededUser(s, "9999", "boss@example.org", "Bo", "Boss"))
					s.ResetCounters()
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(mappingAddress, plancheck.ResourceActionReplace),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(mappingAddress, jsonPath("users"), knownvalue.MapSizeExact(3)),
					expectField(s, "1003", "enterprise.manager.employeeNumber", "9999"),
					sandboxCheck(func() error {
						if creates := s.Counters()[createRoute]; creates != 1 {
							return fmt.Errorf("the re-apply sent %d creates, want only the 1 that failed", creates)
						}
						if s.UserCount() != 4 {
							return fmt.Errorf("sandbox holds %d users, want the 3 provisioned and the manager", s.UserCount())
						}
						for _, empID := range []string{"1001", "1002", "1003"} {
							if active, _ := sandboxField(s, empID, "active"); active != true {
								return fmt.Errorf("user %s active = %v after the replacement, want true", empID, active)
							}
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

func TestAccProvisioningMapping_filterSourceOptionsAndDestroy(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := ldaptest.Start(t, ldaptest.Options{})
	people := append([]dirPersonSpec{{uid: "eve", employeeNumber: "1005", given: "Eve", family: "Eden", title: "Editor", locked: true}}, mappingPeople...)
	srv.Load(t, directoryLDIF(people, mappingGroups))
	config := directoryProviderConfig(s, directoryBlock(srv.URL, srv.ReaderDN, srv.ReaderPassword)) + fmt.Sprintf(`
resource "concur_provisioning_mapping" "staff" {
  source = {
    filter          = "(&(objectClass=inetOrgPerson)(employeeNumber=*))"
    base_dn         = %q
    scope           = "one"
    disabled_filter = "(pwdAccountLockedTime=*)"
  }
  attribute_mapping = {
    emp_id     = "E-{employeeNumber}"
    login_id   = "{uid}@corp.example.org"
    email      = "{mail|upper}"
    first_name = "{givenName}"
    last_name  = "{sn|upper}"
    title      = "{title|default:Employee}"
    start_date = "2025-01-01"
  }
  create_only_attributes   = ["start_date"]
  provision_disabled_users = true
  deprovision_action       = "delete"
  on_destroy               = "deprovision"
}
`, dirPeople)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy: func(*terraform.State) error {
			// on_destroy = deprovision with deprovision_action = delete removes every managed user.
			if s.UserCount() != 0 {
				return fmt.Errorf("after destroy the sandbox holds %d users, want 0", s.UserCount())
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				// Five people match the filter; eve is locked and provisioned inactive.
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(mappingAddress, jsonPath("users"), knownvalue.MapSizeExact(5)),
					statecheck.ExpectKnownValue(mappingAddress, jsonPath("users", "E-1005"), userField("active", knownvalue.Bool(false))),
					statecheck.ExpectKnownValue(mappingAddress, jsonPath("users", "E-1001"), userField("attributes.last_name", knownvalue.StringExact("ABLE"))),
					expectField(s, "E-1005", "active", false),
					expectField(s, "E-1001", "userName", "ann@corp.example.org"),
					expectField(s, "E-1001", "enterprise.startDate", "2025-01-01T00:00:00.000"),
				},
			},
			{
				// The upper-case e-mail Concur stores lower-case is no change.
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// start_date is create-only: changing the template leaves existing users alone.
				Config:            strings.Replace(config, `start_date = "2025-01-01"`, `start_date = "2026-06-01"`, 1),
				ConfigStateChecks: []statecheck.StateCheck{expectField(s, "E-1001", "enterprise.startDate", "2025-01-01T00:00:00.000")},
			},
			{
				// dan leaves the filter's scope: with deprovision_action = delete he is deleted.
				PreConfig: func() {
					changeDirectory(t, srv, func(conn *ldap.Conn) error {
						return conn.Del(ldap.NewDelRequest(dirPerson("dan"), nil))
					})
				},
				Config: strings.Replace(config, `start_date = "2025-01-01"`, `start_date = "2026-06-01"`, 1),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(mappingAddress, jsonPath("users"), knownvalue.MapSizeExact(4)),
					sandboxCheck(func() error {
						if _, ok := s.UserByEmployeeNumber("E-1004"); ok {
							return fmt.Errorf("E-1004 still exists after leaving the source with deprovision_action = delete")
						}
						return nil
					}),
				},
			},
		},
	})
}

func TestAccProvisioningMapping_invalidConfigurationsFailAtPlan(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	cases := []struct{ name, mapping, source, want string }{
		{"unknown filter", `email = "{mail|lowr}"`, "", `attribute_mapping\["email"\].*unknown filter "lowr"`},
		{"unknown attribute", `shoe_size = "{shoeSize}"`, "", `attribute_mapping\["shoe_size"\].*not a Concur attribute`},
		{"unbalanced brace", `first_name = "{givenName"`, "", `attribute_mapping\["first_name"\]`},
		{"missing required key", `last_name = null`, "", `attribute_mapping\["last_name"\]`},
		{"bad group DN", "", `group_dn = "not a dn"`, `source.group_dn`},
		{"bad filter", "", `filter = "(uid=*"` + "\n    base_dn = \"dc=example,dc=org\"", `source.filter`},
		{"both group and filter", "", `group_dn = "cn=a,dc=example,dc=org"` + "\n    filter = \"(uid=*)\"\n    base_dn = \"dc=example,dc=org\"", `either group_dn or filter`},
		{"neither group nor filter", "", `base_dn = "dc=example,dc=org"`, `set group_dn`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mapping := map[string]string{
				"emp_id": `"{employeeNumber}"`, "login_id": `"{mail}"`, "email": `"{mail}"`,
				"first_name": `"{givenName}"`, "last_name": `"{sn}"`,
			}
			if tc.mapping != "" {
				key, value, _ := strings.Cut(tc.mapping, " = ")
				if value == "null" {
					delete(mapping, key)
				} else {
					mapping[key] = value
				}
			}
			var lines []string
			for key, value := range mapping {
				lines = append(lines, key+" = "+value)
			}
			source := tc.source
			if source == "" {
				source = `group_dn = "cn=staff,dc=example,dc=org"`
			}
			config := providerConfig(s) + fmt.Sprintf(`
resource "concur_provisioning_mapping" "staff" {
  source = {
    %s
  }
  attribute_mapping = {
    %s
  }
}
`, source, strings.Join(lines, "\n    "))
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					Config:      config,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(`(?s)` + tc.want),
				}},
			})
		})
	}
}

// What a reviewer reads in `terraform plan`: the per-user diff, the one-line summary with the
// reason of each deprovision, the emp_id change, and the entries that cannot be provisioned.
// terraform-plugin-testing cannot see warnings, so this runs the real terraform.
func TestE2EProvisioningMappingPlanTellsWhoChangesAndWhy(t *testing.T) {
	t.Parallel()
	tf := newTerraformWorkspace(t)
	s := newSandbox(t)
	srv := ldaptest.Start(t, ldaptest.Options{})
	people := append([]dirPersonSpec{{uid: "nokey", given: "No", family: "Key"}}, mappingPeople...)
	srv.Load(t, directoryLDIF(people, mappingGroups))
	changeDirectory(t, srv, modify(dirGroup("staff"), func(r *ldap.ModifyRequest) { r.Add("member", []string{dirPerson("nokey")}) }))
	tf.WriteFile(t, "main.tf", mappingConfig(s, srv))
	tf.Apply(t)

	changeDirectory(t, srv,
		modify(dirPerson("cid"), func(r *ldap.ModifyRequest) { r.Add("pwdAccountLockedTime", []string{"20250101000000Z"}) }),
		modify(dirPerson("ann"), func(r *ldap.ModifyRequest) { r.Replace("sn", []string{"Able-Baker"}) }),
		modify(dirPerson("ben"), func(r *ldap.ModifyRequest) { r.Replace("employeeNumber", []string{"2002"}) }),
		modify(dirGroup("staff"), func(r *ldap.ModifyRequest) { r.Add("member", []string{dirPerson("dan")}) }),
	)
	plan := tf.Run(t, "plan", "-no-color")
	if plan.ExitCode != 0 {
		t.Fatalf("plan failed: %s", plan)
	}
	output := strings.Join(strings.Fields(plan.Stdout+plan.Stderr), " ")
	for _, want := range []string{
		`Provisioning: create 1, update 1, change emp_id 1, deactivate 1, unchanged 0`,
		`deactivate 1003: disabled in the directory`,
		`~ last_name = "Able" -> "Able-Baker"`,
		`+ "1004" = jsonencode(`,
		`- "1002" = jsonencode(`,
		`+ "2002" = jsonencode(`,
		`Employee IDs changed in the directory`,
		`1002 -> 2002 (` + dirPerson("ben") + `)`,
		`1 entry of the source rendered an empty emp_id and is not provisioned: ` + dirPerson("nokey"),
	} {
		if !strings.Contains(output, want) {
			t.Errorf("the plan does not say %q:\n%s", want, plan.Stdout+plan.Stderr)
		}
	}
}

// Destroying a channel that would deprovision everyone is held to max_deprovisions.
func TestAccProvisioningMapping_destroyGuard(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := ldaptest.Start(t, ldaptest.Options{})
	srv.Load(t, directoryLDIF(mappingPeople, mappingGroups))
	deprovisionOnDestroy := mappingConfig(s, srv, `on_destroy = "deprovision"`, "max_deprovisions = 2")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: deprovisionOnDestroy},
			{
				Config:      deprovisionOnDestroy,
				Destroy:     true,
				ExpectError: regexp.MustCompile(wrapTolerant(`(?s)stopped the destroy.*deactivate 3 users, more than max_deprovisions \(2\).*on_destroy = "keep"`)),
			},
			{
				// Nobody was touched; with keep, destroying only stops managing them.
				Config: mappingConfig(s, srv, `on_destroy = "keep"`),
				ConfigStateChecks: []statecheck.StateCheck{
					expectField(s, "1001", "active", true),
					expectField(s, "1003", "active", true),
				},
			},
		},
	})
	if active, _ := sandboxField(s, "1002", "active"); active != true {
		t.Errorf("after destroying with on_destroy = keep, 1002 active = %v, want true", active)
	}
}

// A new hire whose entry reuses a leaver's DN and mailbox is another person: OpenLDAP's
// entryUUID tells them apart, so the leaver is disabled, not handed over (with the leaver's
// expense history) to the new hire. Concur keeps the disabled leaver's login, so the new hire
// needs another one, which the failed create says.
func TestAccProvisioningMapping_reusedDNIsANewPerson(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := ldaptest.Start(t, ldaptest.Options{})
	srv.Load(t, directoryLDIF(mappingPeople, mappingGroups))
	config := mappingConfig(s, srv)
	annID := ""

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					sandboxCheck(func() error { id, err := sandboxField(s, "1001", "id"); annID, _ = id.(string); return err }),
				},
			},
			{
				PreConfig: func() {
					changeDirectory(t, srv,
						func(conn *ldap.Conn) error { return conn.Del(ldap.NewDelRequest(dirPerson("ann"), nil)) },
						func(conn *ldap.Conn) error {
							add := ldap.NewAddRequest(dirPerson("ann"), nil)
							add.Attribute("objectClass", []string{"inetOrgPerson"})
							add.Attribute("uid", []string{"ann"})
							add.Attribute("cn", []string{"Ann Newhire"})
							add.Attribute("givenName", []string{"Ann"})
							add.Attribute("sn", []string{"Newhire"})
							add.Attribute("mail", []string{"ann@example.org"})
							add.Attribute("employeeNumber", []string{"1009"})
							return conn.Add(add)
						})
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(mappingAddress, jsonPath("users", "1001"), userField("active", knownvalue.Bool(false))),
					plancheck.ExpectUnknownValue(mappingAddress, jsonPath("ids", "1009")),
				}},
				ExpectError: regexp.MustCompile(wrapTolerant(`(?s)create emp_id "1009".*userName`)),
			},
			{
				// With a mailbox of her own, the new hire is created; the leaver stays disabled.
				PreConfig: func() {
					changeDirectory(t, srv, modify(dirPerson("ann"), func(r *ldap.ModifyRequest) { r.Replace("mail", []string{"ann.newhire@example.org"}) }))
				},
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					expectField(s, "1001", "active", false),
					sandboxCheck(func() error {
						if id, _ := sandboxField(s, "1001", "id"); id != annID {
							return fmt.Errorf("1001 has id %v, want the leaver's own account %s", id, annID)
						}
						return nil
					}),
					expectField(s, "1009", "name.familyName", "Newhire"),
				},
			},
		},
	})
}

// A destroy with on_destroy = deprovision that fails for one user keeps the channel, records who
// is done, and the next destroy deprovisions only that user.
func TestAccProvisioningMapping_destroyPartialFailure(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := ldaptest.Start(t, ldaptest.Options{})
	srv.Load(t, directoryLDIF(mappingPeople, mappingGroups))
	config := mappingConfig(s, srv, `on_destroy = "deprovision"`)
	const patchRoute = "PATCH /profile/identity/v4.1/Users/{id}"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy: func(*terraform.State) error {
			if patches := s.Counters()[patchRoute]; patches != 1 {
				return fmt.Errorf("the second destroy sent %d PATCH requests, want 1 for the user left", patches)
			}
			for _, empID := range []string{"1001", "1002", "1003"} {
				if active, _ := sandboxField(s, empID, "active"); active != false {
					return fmt.Errorf("user %s active = %v after the destroy, want false", empID, active)
				}
			}
			return nil
		},
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig:   func() { s.SetFaults(sandbox.Faults{ErrorStatus: 500, FailNext: map[string]int{patchRoute: 1}}) },
				Config:      config,
				Destroy:     true,
				ExpectError: regexp.MustCompile(wrapTolerant(`(?s)Could not deprovision 1 user.*deactivate emp_id "100[123]"`)),
			},
			{
				PreConfig: func() {
					s.SetFaults(sandbox.Faults{})
					s.ResetCounters()
				},
				Config:  config,
				Destroy: true,
			},
		},
	})
}

// With transitive_member_of, nested members come from one (memberOf=<group>) search that the
// server answers through its dynlist overlay: the same users, locked ones disabled.
func TestAccProvisioningMapping_serverSideNesting(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := ldaptest.Start(t, ldaptest.Options{})
	people := append([]dirPersonSpec{{uid: "eve", employeeNumber: "1005", given: "Eve", family: "Eden", locked: true}}, mappingPeople...)
	groups := map[string][]string{"team": {dirPerson("cid"), dirPerson("eve")}, "staff": mappingGroups["staff"]}
	srv.Load(t, directoryLDIF(people, groups))
	config := strings.Replace(mappingConfig(s, srv, "provision_disabled_users = true"),
		`disabled_filter = "(pwdAccountLockedTime=*)"`, `disabled_filter = "(pwdAccountLockedTime=*)"`+"\n    transitive_member_of = true", 1)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(mappingAddress, jsonPath("users"), knownvalue.MapSizeExact(4)),
				statecheck.ExpectKnownValue(mappingAddress, jsonPath("users", "1003"), userField("active", knownvalue.Bool(true))),
				statecheck.ExpectKnownValue(mappingAddress, jsonPath("users", "1005"), userField("active", knownvalue.Bool(false))),
				statecheck.ExpectKnownValue(mappingAddress, jsonPath("users", "1001"), userField("active", knownvalue.Bool(true))),
			},
		}},
	})
}

// A source known only at apply (a group DN another resource produces) plans the users as
// unknown and provisions them at apply, and the next plan is empty.
func TestAccProvisioningMapping_sourceKnownOnlyAtApply(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := ldaptest.Start(t, ldaptest.Options{})
	srv.Load(t, directoryLDIF(mappingPeople, mappingGroups))
	config := strings.Replace(mappingConfig(s, srv), fmt.Sprintf("group_dn = %q", dirGroup("staff")), "group_dn = terraform_data.group.output", 1) +
		fmt.Sprintf("\nresource \"terraform_data\" \"group\" {\n  input = %q\n}\n", dirGroup("staff"))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(mappingAddress, jsonPath("users")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(mappingAddress, jsonPath("users"), knownvalue.MapSizeExact(3)),
					expectField(s, "1003", "title", "Clerk"),
				},
			},
			{Config: config, PlanOnly: true},
		},
	})
}
