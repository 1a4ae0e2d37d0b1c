package directory_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
	"github.com/terraform-concur/terraform-provider-concur/internal/directory/ldaptest"
)

const (
	suffix   = "dc=example,dc=org"
	people   = "ou=people," + suffix
	groups   = "ou=groups," + suffix
	bulk     = "ou=bulk," + suffix
	bulkSize = 2500
	// sizeLimit is below bulkSize so that only paged searches see everyone.
	sizeLimit = 500
)

// testTimeout leaves room for a slow, busy two-core machine.
const testTimeout = 60 * time.Second

func person(uid string) string { return "uid=" + uid + "," + people }
func group(cn string) string   { return "cn=" + cn + "," + groups }
func bulkUser(i int) string    { return fmt.Sprintf("uid=bulk%04d,%s", i, bulk) }

// fixtureLDIF is the directory every OpenLDAP test reads. frank is locked
// (pwdAccountLockedTime), grace has no employeeNumber and heidi shares bob's.
func fixtureLDIF() string {
	var b strings.Builder
	for _, ou := range []string{"people", "groups", "bulk"} {
		fmt.Fprintf(&b, "dn: ou=%s,%s\nobjectClass: organizationalUnit\nou: %s\n\n", ou, suffix, ou)
	}
	employee := map[string]string{"alice": "E001", "bob": "E002", "carol": "E003", "dave": "E004", "erin": "E005", "frank": "E006", "heidi": "E002"}
	for _, uid := range []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"} {
		fmt.Fprintf(&b, "dn: %s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\nmail: %s@example.org\n", person(uid), uid, uid, uid, uid)
		if id := employee[uid]; id != "" {
			fmt.Fprintf(&b, "employeeNumber: %s\n", id)
		}
		if uid == "frank" {
			b.WriteString("pwdAccountLockedTime: 20240101000000Z\n")
		}
		b.WriteString("\n")
	}
	for i := range bulkSize {
		fmt.Fprintf(&b, "dn: %s\nobjectClass: inetOrgPerson\nuid: bulk%04d\ncn: bulk %d\nsn: bulk\nemployeeNumber: B%04d\n\n", bulkUser(i), i, i, i)
	}
	groupOfNames := func(cn string, members ...string) {
		fmt.Fprintf(&b, "dn: %s\nobjectClass: groupOfNames\ncn: %s\n", group(cn), cn)
		for _, m := range members {
			fmt.Fprintf(&b, "member: %s\n", m)
		}
		b.WriteString("\n")
	}
	groupOfNames("direct", person("alice"), person("bob"), person("ghost"))
	// level1 -> level2 -> level3 -> level1 is a cycle.
	groupOfNames("level1", person("alice"), group("level2"))
	groupOfNames("level2", person("bob"), group("level3"))
	groupOfNames("level3", person("carol"), person("dave"), group("level1"))
	// top -> middle -> bottom, acyclic, for server-side nesting.
	groupOfNames("bottom", person("carol"), person("frank"))
	groupOfNames("middle", person("bob"), group("bottom"))
	groupOfNames("top", person("alice"), group("middle"))
	groupOfNames("a*)(uid=*", person("erin"))
	groupOfNames("admins", person("frank"))
	groupOfNames("keyed", person("alice"), person("bob"), person("frank"), person("grace"), person("heidi"))
	bigMembers := make([]string, bulkSize)
	for i := range bulkSize {
		bigMembers[i] = bulkUser(i)
	}
	groupOfNames("big", bigMembers...)
	fmt.Fprintf(&b, "dn: %s\nobjectClass: groupOfUniqueNames\ncn: unique\nuniqueMember: %s\nuniqueMember: %s#'0101'B\n\n", group("unique"), person("alice"), person("bob"))
	fmt.Fprintf(&b, "dn: %s\nobjectClass: posixGroup\ncn: posix\ngidNumber: 5000\nmemberUid: carol\nmemberUid: dave\nmemberUid: nobody\n\n", group("posix"))
	return b.String()
}

// readerConfig binds as the ordinary account, which the size limit applies to.
func readerConfig(srv *ldaptest.Server) directory.Config {
	return directory.Config{
		URL:            srv.URL,
		BindDN:         srv.ReaderDN,
		BindPassword:   srv.ReaderPassword,
		Timeout:        20 * time.Second,
		DisabledFilter: "(pwdAccountLockedTime=*)",
	}
}

func newClient(t *testing.T, cfg directory.Config) *directory.Client {
	t.Helper()
	client, err := directory.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return client
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

func dnsOf(entries []directory.Entry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = strings.ToLower(e.DN)
	}
	slices.Sort(out)
	return out
}

func lowerSorted(dns ...string) []string {
	out := make([]string, len(dns))
	for i, dn := range dns {
		out[i] = strings.ToLower(dn)
	}
	slices.Sort(out)
	return out
}

func assertDNs(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %v\n want %v", what, got, want)
	}
}

func sameDN(a, b string) bool {
	pa, errA := ldap.ParseDN(a)
	pb, errB := ldap.ParseDN(b)
	return errA == nil && errB == nil && pa.EqualFold(pb)
}
