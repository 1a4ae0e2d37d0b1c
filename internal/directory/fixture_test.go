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

const (
	hiddenUser = "uid=secret,ou=hidden," + suffix
	quietUser  = "uid=quiet,ou=unsearchable," + suffix
	muteUser   = "uid=mute,ou=unsearchable," + suffix
)

// fixtureLDIF is the directory every OpenLDAP test reads. frank is locked
// (pwdAccountLockedTime), grace has no employeeNumber and heidi shares bob's.
// Every hundredth bulk user is locked. The reader may not see secret (under
// ou=hidden) and may read quiet and mute (mute locked) but not find them by
// entryDN (ou=unsearchable); see ldaptest's access rules.
func fixtureLDIF() string {
	var b strings.Builder
	for _, ou := range []string{"people", "groups", "bulk", "hidden", "unsearchable"} {
		fmt.Fprintf(&b, "dn: ou=%s,%s\nobjectClass: organizationalUnit\nou: %s\n\n", ou, suffix, ou)
	}
	for _, dn := range []string{hiddenUser, quietUser, muteUser} {
		uid := strings.TrimPrefix(strings.Split(dn, ",")[0], "uid=")
		fmt.Fprintf(&b, "dn: %s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\nmail: %s@example.org\n", dn, uid, uid, uid, uid)
		if dn == muteUser {
			b.WriteString("pwdAccountLockedTime: 20240101000000Z\n")
		}
		b.WriteString("\n")
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
		fmt.Fprintf(&b, "dn: %s\nobjectClass: inetOrgPerson\nuid: bulk%04d\ncn: bulk %d\nsn: bulk\nemployeeNumber: B%04d\n", bulkUser(i), i, i, i)
		if i%100 == 0 {
			b.WriteString("pwdAccountLockedTime: 20240101000000Z\n")
		}
		b.WriteString("\n")
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
	// mixed has every kind of member value: users (one spelled oddly, two locked), a deleted
	// user, one the reader may not see, two it may not find by entryDN, one in an OU that does
	// not exist, the three kinds of group (level1 starting the cycle), and itself.
	groupOfNames("mixed", person("alice"), "UID=Bob, OU=People, DC=example, DC=org", person("frank"), person("ghost"),
		hiddenUser, quietUser, muteUser, "uid=x,ou=gone,"+suffix, bulkUser(1), bulkUser(100),
		group("level1"), group("unique"), group("posix"), group("mixed"))
	// stale lists two users of an OU that is gone before two that exist.
	groupOfNames("stale", "uid=x1,ou=gone,"+suffix, "uid=x2,ou=gone,"+suffix, person("alice"), person("bob"))
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
