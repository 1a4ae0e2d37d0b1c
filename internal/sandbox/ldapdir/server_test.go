package ldapdir

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
)

func startServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	srv, err := Start("127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	return srv
}

func dial(t *testing.T, srv *Server, bindDN, password string) *ldap.Conn {
	t.Helper()
	conn, err := ldap.DialURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	conn.SetTimeout(30 * time.Second)
	if bindDN != "" {
		if err := conn.Bind(bindDN, password); err != nil {
			t.Fatalf("bind: %v", err)
		}
	}
	return conn
}

func search(conn *ldap.Conn, base, filter string, attrs ...string) (*ldap.SearchResult, error) {
	return conn.Search(ldap.NewSearchRequest(base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false, filter, attrs, nil))
}

func TestDemoDirectory(t *testing.T) {
	t.Parallel()
	srv := startServer(t, DemoConfig())
	anonymous := dial(t, srv, "", "")
	if err := anonymous.Bind(DemoBindDN, "wrong"); !ldap.IsErrorWithCode(err, ldap.LDAPResultInvalidCredentials) {
		t.Errorf("wrong password: want invalid credentials, got %v", err)
	}
	if _, err := search(anonymous, "dc=example,dc=com", "(uid=*)"); !ldap.IsErrorWithCode(err, ldap.LDAPResultInsufficientAccessRights) {
		t.Errorf("search before bind: want insufficient access, got %v", err)
	}
	conn := dial(t, srv, DemoBindDN, DemoBindPassword)

	res, err := search(conn, "ou=people,dc=example,dc=com", "(&(objectClass=inetOrgPerson)(employeeNumber=*))", "uid", "MAIL")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Entries) != 7 {
		t.Errorf("people with an employeeNumber: got %d, want 7 (grace has none)", len(res.Entries))
	}
	if got := res.Entries[0].GetAttributeValue("mail"); got != "alice.martin@example.com" {
		t.Errorf("requested attribute: got %q", got)
	}
	if len(res.Entries[0].Attributes) != 2 {
		t.Errorf("only requested attributes: got %d", len(res.Entries[0].Attributes))
	}

	locked, err := search(conn, "dc=example,dc=com", "(&(memberOf=cn=finance,ou=groups,dc=example,dc=com)(nsAccountLock=TRUE))", "1.1")
	if err != nil || len(locked.Entries) != 1 || !strings.HasPrefix(locked.Entries[0].DN, "uid=henry.ito") {
		t.Errorf("locked finance member: got %v, %v", locked, err)
	}

	root, err := conn.Search(ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", []string{"namingContexts"}, nil))
	if err != nil || root.Entries[0].GetAttributeValue("namingContexts") != "dc=example,dc=com" {
		t.Errorf("root DSE: %v, %v", root, err)
	}
	if _, err := search(conn, "ou=nowhere,dc=example,dc=com", "(objectClass=*)"); !ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
		t.Errorf("missing base: want noSuchObject, got %v", err)
	}
	one, err := conn.Search(ldap.NewSearchRequest("dc=example,dc=com", ldap.ScopeSingleLevel, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", []string{"1.1"}, nil))
	if err != nil || len(one.Entries) != 2 {
		t.Errorf("scope one under the suffix: want the two OUs, got %v, %v", one, err)
	}
}

func TestRunTimeChanges(t *testing.T) {
	t.Parallel()
	srv := startServer(t, DemoConfig())
	conn := dial(t, srv, DemoBindDN, DemoBindPassword)
	group := "cn=concur-users,ou=groups,dc=example,dc=com"
	count := func() int {
		res, err := search(conn, "dc=example,dc=com", "(memberOf:1.2.840.113556.1.4.1941:="+group+")", "1.1")
		if err != nil {
			t.Fatal(err)
		}
		return len(res.Entries)
	}
	before := count()
	if err := srv.Add("uid=ivy.chen,ou=people,dc=example,dc=com", map[string][]string{"objectClass": {"inetOrgPerson"}, "uid": {"ivy.chen"}, "employeeNumber": {"1009"}}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Modify(group, Change{Op: AddValues, Attribute: "member", Values: []string{"uid=ivy.chen,ou=people,dc=example,dc=com"}}); err != nil {
		t.Fatal(err)
	}
	if got := count(); got != before+1 {
		t.Errorf("after adding a member: %d, want %d", got, before+1)
	}
	if err := srv.Modify(group, Change{Op: DeleteValues, Attribute: "member", Values: []string{"UID=ivy.chen, ou=people,dc=example,dc=com"}}); err != nil {
		t.Fatal(err)
	}
	if got := count(); got != before {
		t.Errorf("after removing the member (another spelling of the DN): %d, want %d", got, before)
	}
	if err := srv.Delete("uid=ivy.chen,ou=people,dc=example,dc=com"); err != nil {
		t.Fatal(err)
	}
	if _, ok := srv.Entry("uid=ivy.chen,ou=people,dc=example,dc=com"); ok {
		t.Error("deleted entry still there")
	}
	if err := srv.Modify("uid=nobody,dc=example,dc=com"); err == nil {
		t.Error("modify of a missing entry succeeded")
	}
	if err := srv.Modify(group, Change{Op: ReplaceValues, Attribute: "memberOf"}); err == nil {
		t.Error("memberOf is derived and cannot be set")
	}
}

// bigLDIF has a group of n members, for paging and ranged retrieval.
func bigLDIF(n int) string {
	var b strings.Builder
	b.WriteString("dn: dc=big,dc=test\nobjectClass: domain\ndc: big\n\n")
	for i := range n {
		fmt.Fprintf(&b, "dn: cn=u%d,dc=big,dc=test\nobjectClass: user\ncn: u%d\n\n", i, i)
	}
	b.WriteString("dn: cn=everyone,dc=big,dc=test\nobjectClass: group\ncn: everyone\n")
	for i := range n {
		fmt.Fprintf(&b, "member: cn=u%d,dc=big,dc=test\n", i)
	}
	return b.String()
}

func TestPagingAndSizeLimit(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Config{LDIF: bigLDIF(1200), SizeLimit: 500})
	conn := dial(t, srv, "", "")
	req := func() *ldap.SearchRequest {
		return ldap.NewSearchRequest("dc=big,dc=test", ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=user)", []string{"cn"}, nil)
	}
	res, err := conn.Search(req())
	if !ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded) || len(res.Entries) != 500 {
		t.Errorf("unpaged: want 500 entries and sizeLimitExceeded, got %d, %v", len(res.Entries), err)
	}
	paged, err := conn.SearchWithPaging(req(), 1000) // the server caps pages at 500
	if err != nil || len(paged.Entries) != 1200 {
		t.Fatalf("paged: got %d entries, %v", len(paged.Entries), err)
	}
	seen := map[string]bool{}
	for _, e := range paged.Entries {
		seen[e.DN] = true
	}
	if len(seen) != 1200 {
		t.Errorf("paged: %d distinct entries, want 1200", len(seen))
	}
}

func TestRangedRetrieval(t *testing.T) {
	t.Parallel()
	const n = 3200
	srv := startServer(t, Config{LDIF: bigLDIF(n), ActiveDirectory: true})
	conn := dial(t, srv, "", "")
	read := func(attr string) *ldap.EntryAttribute {
		res, err := conn.Search(ldap.NewSearchRequest("cn=everyone,dc=big,dc=test", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", []string{attr}, nil))
		if err != nil || len(res.Entries) != 1 || len(res.Entries[0].Attributes) != 1 {
			t.Fatalf("read %s: %v, %v", attr, res, err)
		}
		return res.Entries[0].Attributes[0]
	}
	for _, tc := range []struct {
		ask, name string
		count     int
	}{
		{"member", "member;range=0-1499", 1500},
		{"member;range=1500-*", "member;range=1500-2999", 1500},
		{"member;range=3000-*", "member;range=3000-*", 200},
	} {
		got := read(tc.ask)
		if got.Name != tc.name || len(got.Values) != tc.count {
			t.Errorf("ask %s: got %s with %d values, want %s with %d", tc.ask, got.Name, len(got.Values), tc.name, tc.count)
		}
	}
	if got := read("cn"); got.Name != "cn" {
		t.Errorf("a short attribute is not ranged: got %s", got.Name)
	}
}

func TestPutReplacesOrAddsWholeEntries(t *testing.T) {
	t.Parallel()
	srv := startServer(t, DemoConfig())
	emma := "uid=emma.schmidt,ou=people,dc=example,dc=com"
	changes, err := ParseLDIF(`dn: ` + emma + `
objectClass: inetOrgPerson
uid: emma.schmidt
sn: Schmidt-Weber

dn: uid=ivy.chen,ou=people,dc=example,dc=com
objectClass: inetOrgPerson
uid: ivy.chen
`)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Put(changes...); err != nil {
		t.Fatal(err)
	}
	entry, _ := srv.Entry(emma)
	if got := entry.Values("sn"); len(got) != 1 || got[0] != "Schmidt-Weber" {
		t.Errorf("emma's sn = %v, want the replacement's", got)
	}
	if got := entry.Values("givenName"); len(got) != 0 {
		t.Errorf("emma kept givenName %v; a put replaces the whole entry", got)
	}
	if _, ok := srv.Entry("uid=ivy.chen,ou=people,dc=example,dc=com"); !ok {
		t.Error("the new entry was not added")
	}
	// A bad DN anywhere in the batch changes nothing.
	if err := srv.Put(Entry{DN: emma}, Entry{DN: "not a dn"}); err == nil {
		t.Error("a put with an invalid DN succeeded")
	}
	if entry, _ := srv.Entry(emma); len(entry.Values("sn")) != 1 {
		t.Error("a failed put changed the directory")
	}
}
