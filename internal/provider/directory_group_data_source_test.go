package provider

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
	"github.com/terraform-concur/terraform-provider-concur/internal/directory/ldaptest"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/sandboxtest"
)

// The directory every data source test reads. carol is locked; grace has no employeeNumber;
// heidi shares bob's. staff includes the group finance.
var testPeople = []dirPersonSpec{
	{uid: "alice", employeeNumber: "E001", given: "Alice", family: "Able", title: "Controller"},
	{uid: "bob", employeeNumber: "E002", given: "Bob", family: "Baker"},
	{uid: "carol", employeeNumber: "E003", given: "Carol", family: "Cole", locked: true},
	{uid: "dave", employeeNumber: "E004", given: "Dave", family: "Dunn"},
	{uid: "grace", given: "Grace", family: "Gale"},
	{uid: "heidi", employeeNumber: "E002", given: "Heidi", family: "Hale"},
}

var testGroups = map[string][]string{
	"finance": {dirPerson("carol"), dirPerson("dave")},
	"staff":   {dirPerson("alice"), dirPerson("bob"), dirGroup("finance")},
	"keyed":   {dirPerson("alice"), dirPerson("bob"), dirPerson("grace"), dirPerson("heidi")},
}

// startTestDirectory runs a private slapd holding testPeople and testGroups.
func startTestDirectory(t *testing.T, opts ldaptest.Options) *ldaptest.Server {
	t.Helper()
	srv := ldaptest.Start(t, opts)
	srv.Load(t, directoryLDIF(testPeople, testGroups))
	return srv
}

func TestAccDirectoryGroupDataSource_directNestedAndDisabled(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := startTestDirectory(t, ldaptest.Options{})
	config := directoryProviderConfig(s, directoryBlock(srv.URL, srv.ReaderDN, srv.ReaderPassword,
		`disabled_filter = "(pwdAccountLockedTime=*)"`)) + fmt.Sprintf(`
data "concur_directory_group" "direct" {
  dn            = %q
  nested        = false
  attributes    = ["mail", "givenName", "sn", "title"]
  key_attribute = "employeeNumber"
}

data "concur_directory_group" "nested" {
  dn            = %q
  attributes    = ["mail"]
  key_attribute = "employeeNumber"
}

data "concur_directory_group" "by_name" {
  name          = "finance"
  base_dn       = %q
  key_attribute = "employeeNumber"
}
`, dirGroup("staff"), dirGroup("staff"), dirGroups)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				// Direct members only: the finance group is not expanded.
				statecheck.ExpectKnownValue("data.concur_directory_group.direct", jsonPath("members"), knownvalue.MapSizeExact(2)),
				statecheck.ExpectKnownValue("data.concur_directory_group.direct", jsonPath("member_count"), knownvalue.Int64Exact(2)),
				statecheck.ExpectKnownValue("data.concur_directory_group.direct", jsonPath("members", "E001"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"dn":       knownvalue.StringExact(dirPerson("alice")),
					"disabled": knownvalue.Bool(false),
					"attributes": knownvalue.MapExact(map[string]knownvalue.Check{
						"mail":           knownvalue.StringExact("alice@example.org"),
						"givenName":      knownvalue.StringExact("Alice"),
						"sn":             knownvalue.StringExact("Able"),
						"title":          knownvalue.StringExact("Controller"),
						"employeeNumber": knownvalue.StringExact("E001"),
					}),
				})),
				// Bob has no title: the attribute is absent, not empty.
				statecheck.ExpectKnownValue("data.concur_directory_group.direct", jsonPath("members", "E002", "attributes"), knownvalue.MapSizeExact(4)),
				// Nested (the default): finance's carol and dave too; carol is locked.
				statecheck.ExpectKnownValue("data.concur_directory_group.nested", jsonPath("nested"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.concur_directory_group.nested", jsonPath("members"), knownvalue.MapSizeExact(4)),
				statecheck.ExpectKnownValue("data.concur_directory_group.nested", jsonPath("members", "E003", "disabled"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.concur_directory_group.nested", jsonPath("members", "E003", "dn"), knownvalue.StringExact(dirPerson("carol"))),
				statecheck.ExpectKnownValue("data.concur_directory_group.nested", jsonPath("members", "E004", "disabled"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue("data.concur_directory_group.nested", jsonPath("members", "E004", "attributes", "mail"), knownvalue.StringExact("dave@example.org")),
				// By name: the DN found is reported, cn is the default naming attribute.
				statecheck.ExpectKnownValue("data.concur_directory_group.by_name", jsonPath("dn"), knownvalue.StringExact(dirGroup("finance"))),
				statecheck.ExpectKnownValue("data.concur_directory_group.by_name", jsonPath("naming_attribute"), knownvalue.StringExact("cn")),
				statecheck.ExpectKnownValue("data.concur_directory_group.by_name", jsonPath("member_count"), knownvalue.Int64Exact(2)),
			},
		}},
	})
}

// Without a disabled filter nobody is disabled, locked or not.
func TestAccDirectoryGroupDataSource_noDisabledFilter(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := startTestDirectory(t, ldaptest.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: directoryProviderConfig(s, directoryBlock(srv.URL, srv.ReaderDN, srv.ReaderPassword)) + fmt.Sprintf(`
data "concur_directory_group" "finance" {
  dn            = %q
  key_attribute = "employeeNumber"
}
`, dirGroup("finance")),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.concur_directory_group.finance", jsonPath("members", "E003", "disabled"), knownvalue.Bool(false)),
			},
		}},
	})
}

// Members without the key, or sharing one, are left out of members (and warned about, which
// TestMemberWarnings checks: plugin-testing cannot see warnings).
func TestAccDirectoryGroupDataSource_keying(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := startTestDirectory(t, ldaptest.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: directoryProviderConfig(s, directoryBlock(srv.URL, srv.ReaderDN, srv.ReaderPassword)) + fmt.Sprintf(`
data "concur_directory_group" "keyed" {
  dn            = %q
  attributes    = ["EmployeeNumber", "uid"]
  key_attribute = "employeeNumber"
}
`, dirGroup("keyed")),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.concur_directory_group.keyed", jsonPath("members"), knownvalue.MapExact(map[string]knownvalue.Check{
					"E001": knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"dn": knownvalue.StringExact(dirPerson("alice")),
						// The key keeps the spelling it was requested with in attributes.
						"attributes": knownvalue.MapExact(map[string]knownvalue.Check{
							"EmployeeNumber": knownvalue.StringExact("E001"),
							"uid":            knownvalue.StringExact("alice"),
						}),
					}),
				})),
				statecheck.ExpectKnownValue("data.concur_directory_group.keyed", jsonPath("member_count"), knownvalue.Int64Exact(4)),
			},
		}},
	})
}

func TestMemberWarnings(t *testing.T) {
	t.Parallel()
	entry := func(uid, key string) directory.Entry {
		e := directory.Entry{DN: dirPerson(uid), Attributes: map[string][]string{"uid": {uid}}}
		if key != "" {
			e.Attributes["employeeNumber"] = []string{key}
		}
		return e
	}
	keyed := directory.KeyBy([]directory.Entry{
		entry("alice", "E001"), entry("bob", "E002"), entry("grace", ""), entry("heidi", "E002"), entry("ivan", "E002"), entry("judy", ""),
	}, "employeeNumber")
	diags := memberWarnings(dirGroup("keyed"), "employeeNumber", keyed, []directory.UnresolvedMember{{DN: dirPerson("ghost")}})
	if diags.HasError() || len(diags) != 3 {
		t.Fatalf("want 3 warnings, got %v", diags)
	}
	want := []struct{ summary, detail string }{
		{"Group members without employeeNumber left out",
			`2 members of "cn=keyed,ou=groups,dc=example,dc=org" have no employeeNumber, so they cannot be keyed and are not in members: ` +
				`uid=grace,ou=people,dc=example,dc=org; uid=judy,ou=people,dc=example,dc=org.`},
		{"Group members sharing employeeNumber left out",
			`so none of them is in members: employeeNumber "E002" is held by uid=bob,ou=people,dc=example,dc=org and ` +
				`uid=heidi,ou=people,dc=example,dc=org and uid=ivan,ou=people,dc=example,dc=org. Make employeeNumber unique`},
		{"Group members with no directory entry", `uid=ghost,ou=people,dc=example,dc=org`},
	}
	for i, w := range want {
		if diags[i].Summary() != w.summary || !strings.Contains(diags[i].Detail(), w.detail) {
			t.Errorf("warning %d:\n got %q: %s\nwant %q containing %s", i, diags[i].Summary(), diags[i].Detail(), w.summary, w.detail)
		}
	}
	if _, ok := keyed.ByKey["E002"]; ok {
		t.Error("a shared key must not be in members")
	}
	if got := memberWarnings("cn=g", "employeeNumber", directory.KeyBy([]directory.Entry{entry("alice", "E001")}, "employeeNumber"), nil); len(got) != 0 {
		t.Errorf("a cleanly keyed group warns: %v", got)
	}
}

func TestMemberWarningsListsAtMostTwentyDNs(t *testing.T) {
	t.Parallel()
	var entries []directory.Entry
	for i := range 25 {
		entries = append(entries, directory.Entry{DN: fmt.Sprintf("uid=u%02d,%s", i, dirPeople)})
	}
	diags := memberWarnings("cn=g", "employeeID", directory.KeyBy(entries, "employeeID"), nil)
	if len(diags) != 1 || !strings.Contains(diags[0].Detail(), "25 members") || !strings.Contains(diags[0].Detail(), "uid=u19,") ||
		strings.Contains(diags[0].Detail(), "uid=u20,") || !strings.Contains(diags[0].Detail(), "and 5 more") {
		t.Errorf("warning: %v", diags)
	}
}

// closedPortURL is an ldap:// URL where nothing listens.
func closedPortURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return "ldap://" + addr
}

func TestAccDirectoryGroupDataSource_errorsAtPlan(t *testing.T) {
	s := newSandbox(t)
	srv := startTestDirectory(t, ldaptest.Options{TLS: true})
	group := func(args string) string {
		return "\ndata \"concur_directory_group\" \"g\" {\n" + args + "\n  key_attribute = \"employeeNumber\"\n}\n"
	}
	staff := group(fmt.Sprintf("  dn = %q", dirGroup("staff")))
	cases := []struct {
		name, config, want string
	}{
		{"wrong password",
			directoryProviderConfig(s, directoryBlock(srv.URL, srv.ReaderDN, "not-the-password")) + staff,
			`(?s)Directory bind failed: invalid credentials.*Check directory.bind_dn and directory.bind_password`},
		{"unreachable port",
			directoryProviderConfig(s, directoryBlock(closedPortURL(t), srv.ReaderDN, srv.ReaderPassword)) + staff,
			`(?s)Directory server unreachable.*Check the host and port in directory.url`},
		{"untrusted certificate",
			directoryProviderConfig(s, directoryBlock(srv.LDAPSURL, srv.ReaderDN, srv.ReaderPassword)) + staff,
			`(?s)Directory server certificate not trusted.*Set directory.ca_cert_pem`},
		{"invalid group DN",
			directoryProviderConfig(s, directoryBlock(srv.URL, srv.ReaderDN, srv.ReaderPassword)) + group(`  dn = "staff"`),
			`(?s)Invalid dn.*invalid DN "staff"`},
		{"invalid base DN",
			directoryProviderConfig(s, directoryBlock(srv.URL, srv.ReaderDN, srv.ReaderPassword)) + group("  name = \"staff\"\n  base_dn = \"ou=groups,dc\""),
			`(?s)Invalid base_dn.*invalid DN "ou=groups,dc"`},
		{"invalid key attribute",
			directoryProviderConfig(s, directoryBlock(srv.URL, srv.ReaderDN, srv.ReaderPassword)) +
				fmt.Sprintf("data \"concur_directory_group\" \"g\" {\n  dn = %q\n  key_attribute = \"employee number\"\n}\n", dirGroup("staff")),
			`(?s)Invalid key_attribute.*"employee number" is not an LDAP attribute name`},
		{"group not found",
			directoryProviderConfig(s, directoryBlock(srv.URL, srv.ReaderDN, srv.ReaderPassword)) + group("  name = \"nobody\"\n  base_dn = \""+dirGroups+"\""),
			`(?s)Directory group not found.*no group with cn="nobody"`},
		{"name without base DN",
			directoryProviderConfig(s, directoryBlock(srv.URL, srv.ReaderDN, srv.ReaderPassword)) + group(`  name = "staff"`),
			`(?s)Invalid Attribute Combination.*These attributes must be configured together: \[name,base_dn\]`},
		{"invalid disabled filter",
			directoryProviderConfig(s, directoryBlock(srv.URL, srv.ReaderDN, srv.ReaderPassword, `disabled_filter = "nsAccountLock=TRUE"`)) + staff,
			`(?s)Invalid directory.disabled_filter.*invalid LDAP filter`},
		{"invalid URL scheme",
			directoryProviderConfig(s, directoryBlock(strings.Replace(srv.URL, "ldap://", "http://", 1), srv.ReaderDN, srv.ReaderPassword)) + staff,
			`(?s)Invalid directory.url.*scheme must be ldap:// or ldaps://`},
		{"no directory configured",
			providerConfig(s) + staff,
			`(?s)No directory configured.*directory block.*CONCUR_DIRECTORY_URL`},
	}
	for _, name := range []string{envDirectoryURL, envDirectoryBindDN, envDirectoryBindPassword} {
		t.Setenv(name, "")
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					Config:      tc.config,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(wrapTolerant(tc.want)),
				}},
			})
		})
	}
}

// The bind password never shows in the diagnostic of a failed bind.
func TestDirectoryErrorHidesPassword(t *testing.T) {
	t.Parallel()
	srv := ldaptest.Start(t, ldaptest.Options{})
	const secret = "s3cret-Pa55word-never-shown"
	client, err := directory.New(directory.Config{URL: srv.URL, BindDN: srv.ReaderDN, BindPassword: secret, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	err = client.Ping(t.Context())
	var diags diag.Diagnostics
	addDirectoryError(&diags, "Reading the members of the group", err)
	if len(diags) != 1 || diags[0].Summary() != "Directory bind failed: invalid credentials" {
		t.Fatalf("diagnostics: %v", diags)
	}
	if detail := diags[0].Detail(); strings.Contains(detail, secret) || !strings.Contains(detail, srv.ReaderDN) {
		t.Errorf("the detail must name the bind DN and not the password: %s", detail)
	}
}

// With TLS: StartTLS and LDAPS with the CA given in ca_cert_pem.
func TestAccDirectoryGroupDataSource_tls(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := startTestDirectory(t, ldaptest.Options{TLS: true})
	ca := fmt.Sprintf("ca_cert_pem = %q", srv.CACertPEM)
	readStaff := func(name string) string {
		return fmt.Sprintf("\ndata \"concur_directory_group\" %q {\n  dn = %q\n  key_attribute = \"employeeNumber\"\n}\n", name, dirGroup("staff"))
	}
	for _, tc := range []struct{ name, block string }{
		{"starttls", directoryBlock(strings.Replace(srv.URL, "127.0.0.1", "localhost", 1), srv.ReaderDN, srv.ReaderPassword, ca, "start_tls = true")},
		{"ldaps", directoryBlock(strings.Replace(srv.LDAPSURL, "127.0.0.1", "localhost", 1), srv.ReaderDN, srv.ReaderPassword, ca)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					Config: directoryProviderConfig(s, tc.block) + readStaff("staff"),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("data.concur_directory_group.staff", jsonPath("members"), knownvalue.MapSizeExact(4)),
					},
				}},
			})
		})
	}
}

// Only the environment configures the directory (and Concur), as in a CI job.
func TestAccDirectoryGroupDataSource_environmentOnly(t *testing.T) {
	s := newSandbox(t)
	srv := startTestDirectory(t, ldaptest.Options{})
	c := s.Credentials()
	for name, value := range map[string]string{
		envBaseURL: s.URL(), envClientID: c.ClientID, envClientSecret: c.ClientSecret, envRefreshToken: c.RefreshToken,
		envDirectoryURL: srv.URL, envDirectoryBindDN: srv.ReaderDN, envDirectoryBindPassword: srv.ReaderPassword,
		envDirectoryDisabledFilter: "(pwdAccountLockedTime=*)", envDirectoryTimeout: "60s",
	} {
		t.Setenv(name, value)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`provider "concur" {}

data "concur_directory_group" "finance" {
  dn            = %q
  key_attribute = "employeeNumber"
}
`, dirGroup("finance")),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.concur_directory_group.finance", jsonPath("members", "E003", "disabled"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.concur_directory_group.finance", jsonPath("members"), knownvalue.MapSizeExact(2)),
			},
		}},
	})
}

// The acceptance test with real Terraform: directory group → data source → for_each
// into concur_user → the users exist in the Concur sandbox; an unchanged directory plans
// nothing; a member removed from the group plans exactly one destroy, which deactivates them.
func TestE2EDirectoryGroupForEachIntoConcurUsers(t *testing.T) {
	t.Parallel()
	tf := newTerraformWorkspace(t)
	s := newSandbox(t)
	srv := startTestDirectory(t, ldaptest.Options{})
	tf.WriteFile(t, "main.tf", directoryProviderConfig(s, directoryBlock(srv.URL, srv.ReaderDN, srv.ReaderPassword,
		`disabled_filter = "(pwdAccountLockedTime=*)"`))+fmt.Sprintf(`
data "concur_directory_group" "staff" {
  dn            = %q
  attributes    = ["mail", "givenName", "sn", "title"]
  key_attribute = "employeeNumber"
}

resource "concur_user" "member" {
  for_each   = data.concur_directory_group.staff.members
  emp_id     = each.key
  login_id   = each.value.attributes.mail
  email      = each.value.attributes.mail
  first_name = each.value.attributes.givenName
  last_name  = each.value.attributes.sn
  title      = lookup(each.value.attributes, "title", null)
  active     = !each.value.disabled
}
`, dirGroup("staff")))

	tf.Apply(t)
	want := map[string]struct {
		login, given, family, title string
		active                      bool
	}{
		"E001": {"alice@example.org", "Alice", "Able", "Controller", true},
		"E002": {"bob@example.org", "Bob", "Baker", "", true},
		"E003": {"carol@example.org", "Carol", "Cole", "", false}, // locked in the directory
		"E004": {"dave@example.org", "Dave", "Dunn", "", true},
	}
	if s.UserCount() != len(want) {
		t.Errorf("the sandbox holds %d users, want %d", s.UserCount(), len(want))
	}
	for empID, w := range want {
		user := sandboxtest.MustUser(t, s, empID)
		title, _ := field(user, "title").(string)
		if field(user, "userName") != w.login || field(user, "name.givenName") != w.given ||
			field(user, "name.familyName") != w.family || title != w.title || field(user, "active") != w.active {
			t.Errorf("user %s in the sandbox: %v", empID, user)
		}
	}

	if code, plan := tf.PlanExitCode(t); code != 0 {
		t.Fatalf("a second plan with the directory unchanged is not empty: %s", plan)
	}

	// bob leaves the group.
	changeDirectory(t, srv, modify(dirGroup("staff"), func(r *ldap.ModifyRequest) {
		r.Delete("member", []string{dirPerson("bob")})
	}))
	changes, plan := tf.PlannedChanges(t)
	if len(changes) != 1 || changes[0].Address != `concur_user.member["E002"]` || strings.Join(changes[0].Actions, ",") != "delete" {
		t.Fatalf("after bob left the group, want exactly concur_user.member[\"E002\"] destroyed, got %v\n%s", changes, plan)
	}
	if !strings.Contains(plan.Stdout, "Plan: 0 to add, 0 to change, 1 to destroy.") {
		t.Errorf("plan summary: %s", plan.Stdout)
	}

	tf.Apply(t)
	list := runTerraform(t, tf.Dir, "state", "list")
	if got := strings.Fields(list.Stdout); list.ExitCode != 0 || !slices.Equal(got, []string{
		"data.concur_directory_group.staff",
		`concur_user.member["E001"]`, `concur_user.member["E003"]`, `concur_user.member["E004"]`,
	}) {
		t.Errorf("state after bob left: %s", list)
	}
	if field(sandboxtest.MustUser(t, s, "E002"), "active") != false {
		t.Error("bob is still active in Concur after leaving the group")
	}
	if field(sandboxtest.MustUser(t, s, "E001"), "active") != true {
		t.Error("alice was touched by bob's removal")
	}
}
