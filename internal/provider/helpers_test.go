package provider

// Helpers that several acceptance tests share: the Concur sandbox and its provider block, test
// directories in slapd, and checks on state and on the sandbox.

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory/ldaptest"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/sandboxtest"
)

// newSandbox starts a Concur sandbox for one test.
func newSandbox(t *testing.T) *sandbox.Server {
	t.Helper()
	return sandboxtest.NewServer(t, sandbox.Options{})
}

// requiredProviders names the provider's source, which TF_ACC_PROVIDER_NAMESPACE matches.
const requiredProviders = `
terraform {
  required_providers {
    concur = { source = "terraform-concur/concur" }
  }
}
`

// providerConfig is the provider block pointing at the sandbox with a refresh token.
func providerConfig(s *sandbox.Server) string {
	c := s.Credentials()
	return requiredProviders + fmt.Sprintf(`
provider "concur" {
  base_url      = %q
  client_id     = %q
  client_secret = %q
  refresh_token = %q
  company_id    = %q
}
`, s.URL(), c.ClientID, c.ClientSecret, c.RefreshToken, c.CompanyID)
}

const enterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

// field reads a dotted API path such as "name.givenName" or "enterprise.department" from a
// user's API representation.
func field(user map[string]any, dotted string) any {
	var current any = user
	parts := strings.Split(dotted, ".")
	if parts[0] == "enterprise" {
		parts[0] = enterpriseURN
	}
	for _, part := range parts {
		object, ok := current.(map[string]any)
		if !ok {
			return nil
		}
		current = object[part]
	}
	return current
}

// sandboxCheck runs an assertion on the sandbox after a step, where the legacy Check function
// cannot be used (it does not support for_each addresses).
func sandboxCheck(check func() error) statecheck.StateCheck { return sandboxStateCheck(check) }

type sandboxStateCheck func() error

func (c sandboxStateCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = c()
}

// seedUsers loads API-shaped users into the sandbox, as if they existed before Terraform.
func seedUsers(t *testing.T, s *sandbox.Server, users ...string) {
	t.Helper()
	if err := s.LoadUsersJSON(strings.NewReader("[" + strings.Join(users, ",") + "]")); err != nil {
		t.Fatal(err)
	}
}

func seededUser(s *sandbox.Server, empID, login, given, family string) string {
	return fmt.Sprintf(`{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", %[6]q],
  "userName": %[2]q, "active": true,
  "name": {"givenName": %[3]q, "familyName": %[4]q},
  "title": "Engineer",
  "emails": [{"value": %[2]q, "type": "work"}],
  %[6]q: {"companyId": %[5]q, "employeeNumber": %[1]q, "department": "R&D"}
}`, empID, login, given, family, s.Credentials().CompanyID, enterpriseURN)
}

// wrapTolerant lets a pattern's spaces match the line breaks Terraform puts into long messages.
func wrapTolerant(pattern string) string {
	return strings.ReplaceAll(pattern, " ", `\s+`)
}

// sandboxField reads one attribute of a sandbox user, failing when the user is missing.
func sandboxField(s *sandbox.Server, empID, dotted string) (any, error) {
	user, ok := s.UserByEmployeeNumber(empID)
	if !ok {
		return nil, fmt.Errorf("the sandbox has no user with emp_id %s", empID)
	}
	return field(user, dotted), nil
}

func expectField(s *sandbox.Server, empID, dotted string, want any) statecheck.StateCheck {
	return sandboxCheck(func() error {
		got, err := sandboxField(s, empID, dotted)
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("sandbox user %s: %s = %v, want %v", empID, dotted, got, want)
		}
		return nil
	})
}

// expectImportsOnly checks that a plan imports exactly want resources and creates, updates or
// deletes nothing.
type expectImportsOnly struct{ want int }

func (e expectImportsOnly) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	imports := 0
	for _, change := range req.Plan.ResourceChanges {
		if change.Change.Importing != nil {
			imports++
		}
		if !change.Change.Actions.NoOp() && !change.Change.Actions.Read() {
			resp.Error = fmt.Errorf("%s: planned %v, want only an import", change.Address, change.Change.Actions)
			return
		}
	}
	if imports != e.want {
		resp.Error = fmt.Errorf("the plan imports %d resources, want %d", imports, e.want)
	}
}

const (
	dirSuffix = "dc=example,dc=org"
	dirPeople = "ou=people," + dirSuffix
	dirGroups = "ou=groups," + dirSuffix
)

func dirPerson(uid string) string { return "uid=" + uid + "," + dirPeople }
func dirGroup(cn string) string   { return "cn=" + cn + "," + dirGroups }

// dirPersonSpec is one person of a test directory. An empty employeeNumber leaves the attribute
// out; locked sets pwdAccountLockedTime, which the tests' disabled filter matches.
type dirPersonSpec struct {
	uid, employeeNumber, given, family, title string
	locked                                    bool
}

// directoryLDIF writes people and groupOfNames groups (cn → member DNs) under dirSuffix.
func directoryLDIF(people []dirPersonSpec, groups map[string][]string) string {
	var b strings.Builder
	for _, ou := range []string{"people", "groups"} {
		fmt.Fprintf(&b, "dn: ou=%s,%s\nobjectClass: organizationalUnit\nou: %s\n\n", ou, dirSuffix, ou)
	}
	for _, p := range people {
		fmt.Fprintf(&b, "dn: %s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s %s\ngivenName: %s\nsn: %s\nmail: %s@example.org\n",
			dirPerson(p.uid), p.uid, p.given, p.family, p.given, p.family, p.uid)
		if p.employeeNumber != "" {
			fmt.Fprintf(&b, "employeeNumber: %s\n", p.employeeNumber)
		}
		if p.title != "" {
			fmt.Fprintf(&b, "title: %s\n", p.title)
		}
		if p.locked {
			b.WriteString("pwdAccountLockedTime: 20240101000000Z\n")
		}
		b.WriteString("\n")
	}
	// Groups that others include must exist first: write them in a stable order, members-only
	// groups (no group among their members) first.
	var first, then []string
	for cn, members := range groups {
		nests := false
		for _, m := range members {
			nests = nests || strings.HasPrefix(m, "cn=")
		}
		if nests {
			then = append(then, cn)
		} else {
			first = append(first, cn)
		}
	}
	for _, cn := range append(slices.Sorted(slices.Values(first)), slices.Sorted(slices.Values(then))...) {
		fmt.Fprintf(&b, "dn: %s\nobjectClass: groupOfNames\ncn: %s\n", dirGroup(cn), cn)
		for _, m := range groups[cn] {
			fmt.Fprintf(&b, "member: %s\n", m)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// directoryBlock is a provider directory block for srv with the reader account; extra lines go
// inside the block.
func directoryBlock(url, bindDN, password string, extra ...string) string {
	lines := []string{
		fmt.Sprintf("url           = %q", url),
		fmt.Sprintf("bind_dn       = %q", bindDN),
		fmt.Sprintf("bind_password = %q", password),
		`timeout       = "60s"`,
	}
	return "\n  directory {\n    " + strings.Join(append(lines, extra...), "\n    ") + "\n  }\n"
}

// directoryProviderConfig is providerConfig with a directory block added to the provider.
func directoryProviderConfig(s *sandbox.Server, block string) string {
	config := providerConfig(s)
	i := strings.LastIndex(config, "}")
	return config[:i] + block + config[i:]
}

// jsonPath is a path into the state JSON: an attribute, then nested attribute names or map keys.
func jsonPath(first string, rest ...string) tfjsonpath.Path {
	p := tfjsonpath.New(first)
	for _, step := range rest {
		p = p.AtMapKey(step)
	}
	return p
}

// changeDirectory applies LDAP modifications as the directory's admin, with the relax control
// so operational attributes such as pwdAccountLockedTime can be set.
func changeDirectory(t *testing.T, srv *ldaptest.Server, changes ...func(*ldap.Conn) error) {
	t.Helper()
	conn := srv.Conn(t, srv.AdminDN, srv.AdminPassword)
	for _, change := range changes {
		if err := change(conn); err != nil {
			t.Fatal(err)
		}
	}
}

func modify(dn string, edit func(*ldap.ModifyRequest)) func(*ldap.Conn) error {
	return func(conn *ldap.Conn) error {
		req := ldap.NewModifyRequest(dn, []ldap.Control{ldap.NewControlString("1.3.6.1.4.1.4203.666.5.12", true, "")})
		edit(req)
		return conn.Modify(req)
	}
}

// userField checks one field of a channel's user, which the users attribute holds as a JSON
// string: "active", "attributes", or "attributes.<name>".
func userField(field string, check knownvalue.Check) knownvalue.Check {
	return userFieldCheck{field: field, check: check}
}

type userFieldCheck struct {
	field string
	check knownvalue.Check
}

func (c userFieldCheck) CheckValue(value any) error {
	text, ok := value.(string)
	if !ok {
		return fmt.Errorf("expected the user as a JSON string, got %T", value)
	}
	var user map[string]any
	if err := json.Unmarshal([]byte(text), &user); err != nil {
		return fmt.Errorf("the user %q is not JSON: %w", text, err)
	}
	var field any = user
	for _, step := range strings.Split(c.field, ".") {
		object, ok := field.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: %v is not an object", c.field, field)
		}
		if field, ok = object[step]; !ok {
			return fmt.Errorf("%s: the user %s has no %q", c.field, text, step)
		}
	}
	if err := c.check.CheckValue(field); err != nil {
		return fmt.Errorf("%s: %w", c.field, err)
	}
	return nil
}

func (c userFieldCheck) String() string { return c.field + " " + c.check.String() }

// stateUser is one user of a channel in state or in a plan: its id from ids, and the JSON
// string of its users element decoded.
type stateUser struct {
	ID         string
	Active     bool              `json:"active"`
	Attributes map[string]string `json:"attributes"`
}

// currentUsers reads the users of a channel recorded at the current schema version: each user's
// JSON string decoded, with its id from ids.
func currentUsers(t *testing.T, users, ids any) map[string]stateUser {
	t.Helper()
	encoded, err := json.Marshal(map[string]any{"users": users, "ids": ids})
	if err != nil {
		t.Fatal(err)
	}
	var recorded struct {
		Users map[string]string `json:"users"`
		IDs   map[string]string `json:"ids"`
	}
	if err := json.Unmarshal(encoded, &recorded); err != nil {
		t.Fatalf("the users are not one JSON string each: %v\n%s", err, encoded)
	}
	decoded := make(map[string]stateUser, len(recorded.Users))
	for empID, document := range recorded.Users {
		var user stateUser
		if err := json.Unmarshal([]byte(document), &user); err != nil {
			t.Fatalf("user %s: %v in %s", empID, err, document)
		}
		user.ID = recorded.IDs[empID]
		decoded[empID] = user
	}
	return decoded
}
