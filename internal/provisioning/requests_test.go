package provisioning

import (
	"fmt"
	"strings"
	"testing"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/ldapdir"

	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/sandboxtest"
)

// requestUsers is the size of the channel the request-count tests provision: large enough that
// one request per user, or one per dozen, cannot hide in a constant.
const requestUsers = 500

// ldifWithManagers is a directory of n people under ou=people; everyone but the first ten
// reports to one of them, so the channel creates managers and their reports in one apply.
func ldifWithManagers(n int) string {
	var b strings.Builder
	b.WriteString("dn: dc=example,dc=com\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n\n")
	b.WriteString("dn: ou=people,dc=example,dc=com\nobjectClass: organizationalUnit\nou: people\n\n")
	for i := range n {
		fmt.Fprintf(&b, "dn: uid=u%04d,%s\nobjectClass: inetOrgPerson\nuid: u%04d\ncn: User %d\ngivenName: Given\nsn: Family%d\n"+
			"mail: u%04d@example.com\nemployeeNumber: E%04d\ntitle: Analyst\ndepartmentNumber: FIN\n", i, peopleBase, i, i, i, i, i)
		if i >= 10 {
			fmt.Fprintf(&b, "managerNumber: E%04d\n", i%10)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func startDirectoryWith(t *testing.T, ldif string) *directory.Client {
	t.Helper()
	srv, err := ldapdir.Start("127.0.0.1:0", ldapdir.Config{LDIF: ldif, BindDN: ldapBindDN, BindPassword: ldapPassword})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	dir, err := directory.New(directory.Config{URL: srv.URL(), BindDN: ldapBindDN, BindPassword: ldapPassword})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// totalRequests counts the requests the sandbox received, and those to the token endpoint.
func totalRequests(counters map[string]int) (all, token int) {
	for endpoint, n := range counters {
		all += n
		if strings.Contains(endpoint, "/oauth2/") {
			token += n
		}
	}
	return all, token
}

// The requests a channel costs, counted by the sandbox: the first provisioning of 500 users
// (with managers created in the same apply) writes the ten managers one by one, then their 490
// reports in five bulk requests, each with one status read; the everyday refresh and plan with
// nothing to change sends a handful of searches. The token request is counted apart: it is
// one per run, whatever the size.
func TestRequestsPerUser(t *testing.T) {
	t.Parallel()
	dir := startDirectoryWith(t, ldifWithManagers(requestUsers))
	c := newChannel(t, nil)
	channel := Channel{
		Source:  Source{Filter: "(objectClass=inetOrgPerson)", BaseDN: peopleBase, Scope: directory.ScopeOne},
		Mapping: c.mapping, Options: c.opts,
	}

	plan, _, err := PlanChannel(c.ctx, c.client, dir, channel, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := plan.Summary(), fmt.Sprintf("create %d, unchanged 0", requestUsers); got != want {
		t.Fatalf("first plan: %s, want %s", got, want)
	}
	recorded, failures, err := Apply(c.ctx, c.client, nil, plan.Users)
	if err != nil || len(failures) > 0 {
		t.Fatalf("Apply: %v %s", err, failuresText(failures))
	}
	all, token := totalRequests(c.server.Counters())
	t.Logf("initial provisioning of %d users: %d requests (%d token) %v", requestUsers, all, token, c.server.Counters())
	if perUser := float64(all-token) / requestUsers; perUser > 0.06 {
		t.Errorf("initial provisioning sent %.3f requests per user, want at most 0.06: %v", perUser, c.server.Counters())
	}
	if token > 1 {
		t.Errorf("%d token requests in one run, want 1", token)
	}
	for i := 10; i < requestUsers; i += 97 {
		report := fmt.Sprintf("E%04d", i)
		ref, _ := enterprise(sandboxtest.MustUser(t, c.server, report), "manager").(map[string]any)
		if want := recorded[fmt.Sprintf("E%04d", i%10)].ID; ref["value"] != want || want == "" {
			t.Errorf("%s manager = %v, want the Concur id %s of the manager created in the same apply", report, ref, want)
		}
	}

	c.server.ResetCounters()
	refreshed, err := Refresh(c.ctx, c.client, recorded, c.mapping)
	if err != nil {
		t.Fatal(err)
	}
	next, _, err := PlanChannel(c.ctx, c.client, dir, channel, refreshed)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := next.Summary(), fmt.Sprintf("unchanged %d", requestUsers); got != want {
		t.Fatalf("no-change plan: %s, want %s", got, want)
	}
	all, token = totalRequests(c.server.Counters())
	t.Logf("no-change refresh and plan of %d users: %d requests (%d token) %v", requestUsers, all, token, c.server.Counters())
	if perUser := float64(all-token) / requestUsers; perUser > 0.01 {
		t.Errorf("a no-change refresh and plan sent %.3f requests per managed user, want at most 0.01: %v", perUser, c.server.Counters())
	}
}
