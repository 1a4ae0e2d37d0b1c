package provisioning

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/sandboxtest"
)

// Sandbox endpoints, as its Counters and Faults name them.
const (
	endpointCreate = "POST /profile/identity/v4.1/Users"
	endpointSearch = "POST /profile/identity/v4.1/Users/.search"
	endpointGet    = "GET /profile/identity/v4.1/Users/{id}"
	endpointList   = "GET /profile/identity/v4.1/Users"
	endpointPatch  = "PATCH /profile/identity/v4.1/Users/{id}"
	endpointDelete = "DELETE /profile/identity/v4.1/Users/{id}"

	enterpriseSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	peopleBase       = "ou=people,dc=example,dc=com"
)

// testTemplates is the mapping most tests use: the directory attributes of an inetOrgPerson.
func testTemplates() map[string]string {
	return map[string]string{
		AttrEmpID:        "{employeeNumber}",
		AttrLoginID:      "{mail}",
		AttrEmail:        "{mail}",
		AttrFirstName:    "{givenName}",
		AttrLastName:     "{sn}",
		AttrTitle:        "{title}",
		AttrDepartment:   "{departmentNumber}",
		AttrManagerEmpID: "{managerNumber}",
	}
}

func testMapping(t testing.TB, createOnly ...string) *Mapping {
	t.Helper()
	mapping, err := CompileMapping(testTemplates(), createOnly)
	if err != nil {
		t.Fatal(err)
	}
	return mapping
}

// person is a directory entry uid=<uid>,ou=people with the given employee number and a
// complete set of attributes; attrs overrides or adds attributes ("" removes one).
func person(uid, empID string, attrs map[string]string) directory.Entry {
	values := map[string]string{
		"employeeNumber":   empID,
		"mail":             uid + "@example.com",
		"givenName":        "Given",
		"sn":               "Sn" + uid,
		"title":            "Analyst",
		"departmentNumber": "FIN",
	}
	maps.Copy(values, attrs)
	entry := directory.Entry{DN: "uid=" + uid + "," + peopleBase, Attributes: map[string][]string{}}
	for name, value := range values {
		if value != "" {
			entry.Attributes[name] = []string{value}
		}
	}
	return entry
}

// managedFromDesired is what a channel records after provisioning desired users as planned.
func managedFromDesired(desired Desired, idPrefix string) map[string]ManagedUser {
	managed := make(map[string]ManagedUser, len(desired.Users))
	for empID, want := range desired.Users {
		managed[empID] = ManagedUser{
			EmpID: empID, ID: idPrefix + empID, EntryID: want.EntryID, DN: want.DN, Active: !want.Disabled,
			Attributes: maps.Clone(want.Attributes),
		}
	}
	return managed
}

// changesByEmpID indexes a plan's changes, failing on two changes for one user.
func changesByEmpID(t *testing.T, plan *Plan) map[string]Change {
	t.Helper()
	byEmpID := map[string]Change{}
	for _, change := range plan.Changes {
		if _, twice := byEmpID[change.EmpID]; twice {
			t.Fatalf("two changes for emp_id %s: %+v", change.EmpID, plan.Changes)
		}
		byEmpID[change.EmpID] = change
	}
	return byEmpID
}

// startSandbox starts a Concur emulator and a client for it; tune adjusts the client's Config.
func startSandbox(t *testing.T, tune func(*concur.Config)) (*sandbox.Server, *concur.Client) {
	t.Helper()
	server := sandboxtest.NewServer(t, sandbox.Options{})
	credentials := server.Credentials()
	cfg := concur.Config{
		BaseURL: server.URL(), ClientID: credentials.ClientID, ClientSecret: credentials.ClientSecret,
		RefreshToken: credentials.RefreshToken, CompanyID: credentials.CompanyID, RequestTimeout: 30 * time.Second,
		// The sandbox completes a bulk write when it answers: its status needs no wait of Concur's 5 s.
		ProvisionPollDelay: 10 * time.Millisecond,
	}
	if tune != nil {
		tune(&cfg)
	}
	client, err := concur.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return server, client
}

// testContext bounds a test's calls to the sandbox, generously for a slow, busy machine.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// seedConcurUser loads one user straight into the sandbox (as an administrator would), and
// returns its Concur id.
func seedConcurUser(t *testing.T, server *sandbox.Server, empID, userName string, extra map[string]any) string {
	t.Helper()
	doc := map[string]any{
		"schemas":        []string{"urn:ietf:params:scim:schemas:core:2.0:User", enterpriseSchema},
		"userName":       userName,
		"active":         true,
		"name":           map[string]any{"givenName": "Seeded", "familyName": "User" + empID},
		"emails":         []map[string]any{{"value": userName, "type": "work"}},
		enterpriseSchema: map[string]any{"employeeNumber": empID},
	}
	maps.Copy(doc, extra)
	data, err := json.Marshal([]map[string]any{doc})
	if err != nil {
		t.Fatal(err)
	}
	if err := server.LoadUsersJSON(strings.NewReader(string(data))); err != nil {
		t.Fatal(err)
	}
	return concurID(t, server, empID)
}

func concurID(t *testing.T, server *sandbox.Server, empID string) string {
	t.Helper()
	id, _ := sandboxtest.MustUser(t, server, empID)["id"].(string)
	return id
}

// enterprise returns one attribute of the enterprise extension of a user's API JSON.
func enterprise(user map[string]any, name string) any {
	ext, _ := user[enterpriseSchema].(map[string]any)
	return ext[name]
}

func workEmail(user map[string]any) string {
	emails, _ := user["emails"].([]any)
	for _, e := range emails {
		if m, _ := e.(map[string]any); m["type"] == "work" {
			s, _ := m["value"].(string)
			return s
		}
	}
	return ""
}

func failuresText(failures []Failure) string {
	var lines []string
	for _, f := range failures {
		lines = append(lines, f.Error())
	}
	return fmt.Sprintf("%d failures:\n%s", len(failures), strings.Join(lines, "\n"))
}
