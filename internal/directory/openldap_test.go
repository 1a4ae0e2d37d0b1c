package directory_test

import (
	"errors"
	"fmt"
	"net"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
	"github.com/terraform-concur/terraform-provider-concur/internal/directory/ldaptest"
)

// TestOpenLDAP runs every case against one real slapd, because loading the
// 2,500-entry fixture is the slow part.
func TestOpenLDAP(t *testing.T) {
	t.Parallel()
	srv := ldaptest.Start(t, ldaptest.Options{SizeLimit: sizeLimit, TLS: true})
	start := time.Now()
	srv.Load(t, fixtureLDIF())
	t.Logf("loaded the fixture in %s", time.Since(start).Round(time.Millisecond))

	for name, test := range map[string]func(*testing.T, *ldaptest.Server){
		"DirectMembers":             testDirectMembers,
		"NestedClientSideWithCycle": testNestedClientSide,
		"NestedServerSideDynlist":   testNestedServerSide,
		"PagedBigGroup":             testPagedBigGroup,
		"FilterSource":              testFilterSource,
		"DisabledFilter":            testDisabledFilter,
		"FilterMetacharacters":      testFilterMetacharacters,
		"UniqueAndPosixGroups":      testUniqueAndPosixGroups,
		"KeyByAttribute":            testKeyByAttribute,
		"TLS":                       testTLS,
		"WrongPassword":             testWrongPassword,
		"NotFound":                  testNotFound,
		"EntryIDs":                  testEntryIDs,
		"UndefinedDisabledFilter":   testUndefinedDisabledFilter,
		"BatchedAsEntryByEntry":     testBatchedAsEntryByEntry,
		"MixedMembers":              testMixedMembers,
		"BatchInVanishedContainer":  testBatchInVanishedContainer,
	} {
		t.Run(name, func(t *testing.T) { test(t, srv) })
	}
}

func testDirectMembers(t *testing.T, srv *ldaptest.Server) {
	client := newClient(t, readerConfig(srv))
	res, err := client.GroupMembers(testContext(t), directory.GroupQuery{DN: group("direct"), Attributes: []string{"UID", "mail"}})
	if err != nil {
		t.Fatal(err)
	}
	assertDNs(t, "members", dnsOf(res.Members), lowerSorted(person("alice"), person("bob")))
	assertDNs(t, "unresolved", lowerSorted(unresolvedNames(res.Unresolved)...), lowerSorted(person("ghost")))
	alice := res.Members[0]
	if alice.Value("UID") != "alice" || alice.Value("mail") != "alice@example.org" {
		t.Errorf("attributes keyed as requested: got %v", alice.Attributes)
	}
	if _, extra := alice.Attributes["objectClass"]; extra || len(alice.Attributes) != 2 {
		t.Errorf("only the requested attributes: got %v", alice.Attributes)
	}
}

func testNestedClientSide(t *testing.T, srv *ldaptest.Server) {
	client := newClient(t, readerConfig(srv))
	ctx := testContext(t)

	direct, err := client.GroupMembers(ctx, directory.GroupQuery{DN: group("level1")})
	if err != nil {
		t.Fatal(err)
	}
	assertDNs(t, "direct members", dnsOf(direct.Members), lowerSorted(person("alice")))
	assertDNs(t, "direct subgroups", lowerSorted(direct.Subgroups...), lowerSorted(group("level2")))

	nested, err := client.GroupMembers(ctx, directory.GroupQuery{DN: group("level1"), Nested: true})
	if err != nil {
		t.Fatal(err)
	}
	assertDNs(t, "nested members", dnsOf(nested.Members), lowerSorted(person("alice"), person("bob"), person("carol"), person("dave")))
	// level3 lists level1 again: the cycle ends because level1 was visited.
	assertDNs(t, "nested subgroups", lowerSorted(nested.Subgroups...), lowerSorted(group("level2"), group("level3")))
}

func testNestedServerSide(t *testing.T, srv *ldaptest.Server) {
	cfg := readerConfig(srv)
	cfg.TransitiveMemberOf = true
	res, err := newClient(t, cfg).GroupMembers(testContext(t), directory.GroupQuery{DN: group("top"), Nested: true, Attributes: []string{"uid"}})
	if err != nil {
		t.Fatal(err)
	}
	assertDNs(t, "members through dynlist", dnsOf(res.Members), lowerSorted(person("alice"), person("bob"), person("carol"), person("frank")))
	// dynlist reports the groups' own memberOf one level deep only; what
	// matters is that groups land in Subgroups, not in Members.
	if !slices.ContainsFunc(res.Subgroups, func(dn string) bool { return sameDN(dn, group("middle")) }) {
		t.Errorf("subgroups: got %v, want cn=middle among them", res.Subgroups)
	}
	for _, m := range res.Members {
		if m.Disabled != (m.Value("uid") == "frank") {
			t.Errorf("%s: Disabled = %v", m.DN, m.Disabled)
		}
	}
}

func testPagedBigGroup(t *testing.T, srv *ldaptest.Server) {
	ctx := testContext(t)
	assertServerLimits(t, srv)

	client := newClient(t, readerConfig(srv))
	start := time.Now()
	users, err := client.SearchUsers(ctx, directory.FilterQuery{BaseDN: bulk, Filter: "(objectClass=inetOrgPerson)", Attributes: []string{"employeeNumber"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("filter source of %d entries, paged by %d: %s", len(users), directory.DefaultPageSize, time.Since(start).Round(time.Millisecond))
	if len(users) != bulkSize {
		t.Errorf("filter source: got %d entries, want %d", len(users), bulkSize)
	}

	start = time.Now()
	walked, err := client.GroupMembers(ctx, directory.GroupQuery{DN: group("big"), Attributes: []string{"employeeNumber"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("group of %d members read member by member: %s", len(walked.Members), time.Since(start).Round(time.Millisecond))
	if len(walked.Members) != bulkSize || walked.Members[0].Value("employeeNumber") != "B0000" {
		t.Errorf("group read client-side: got %d members, want %d", len(walked.Members), bulkSize)
	}

	cfg := readerConfig(srv)
	cfg.TransitiveMemberOf = true
	start = time.Now()
	searched, err := newClient(t, cfg).GroupMembers(ctx, directory.GroupQuery{Name: "big", BaseDN: suffix, Nested: true, Attributes: []string{"employeeNumber"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("group of %d members by a paged memberOf search: %s", len(searched.Members), time.Since(start).Round(time.Millisecond))
	if len(searched.Members) != bulkSize {
		t.Errorf("group read server-side: got %d members, want %d", len(searched.Members), bulkSize)
	}
}

// assertServerLimits proves the size limit is real: without paging the
// reader gets only sizeLimit entries and an error.
func assertServerLimits(t *testing.T, srv *ldaptest.Server) {
	conn := srv.Conn(t, srv.ReaderDN, srv.ReaderPassword)
	res, err := conn.Search(ldap.NewSearchRequest(bulk, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=inetOrgPerson)", []string{"1.1"}, nil))
	if !ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded) || res == nil || len(res.Entries) != sizeLimit {
		t.Fatalf("an unpaged search should stop at %d entries with sizeLimitExceeded; got err=%v", sizeLimit, err)
	}
}

func testFilterSource(t *testing.T, srv *ldaptest.Server) {
	client := newClient(t, readerConfig(srv))
	ctx := testContext(t)
	users, err := client.SearchUsers(ctx, directory.FilterQuery{
		BaseDN: people, Scope: directory.ScopeOne,
		Filter:     "(&(objectClass=inetOrgPerson)(|(uid=a*)(mail=erin@*)(employeeNumber=E006)))",
		Attributes: []string{"uid", "employeeNumber"},
	})
	if err != nil {
		t.Fatal(err)
	}
	assertDNs(t, "filter source", dnsOf(users), lowerSorted(person("alice"), person("erin"), person("frank")))

	none, err := client.SearchUsers(ctx, directory.FilterQuery{BaseDN: suffix, Scope: directory.ScopeBase, Filter: "(uid=alice)"})
	if err != nil || len(none) != 0 {
		t.Errorf("scope base on the suffix finds no person: got %v, %v", none, err)
	}
	one, err := client.SearchUsers(ctx, directory.FilterQuery{BaseDN: suffix, Scope: directory.ScopeSub, Filter: "(uid=alice)"})
	if err != nil || len(one) != 1 {
		t.Errorf("scope sub from the suffix finds alice: got %v, %v", one, err)
	}
}

func testDisabledFilter(t *testing.T, srv *ldaptest.Server) {
	client := newClient(t, readerConfig(srv))
	ctx := testContext(t)
	users, err := client.SearchUsers(ctx, directory.FilterQuery{BaseDN: people, Filter: "(objectClass=inetOrgPerson)", Attributes: []string{"uid"}})
	if err != nil {
		t.Fatal(err)
	}
	members, err := client.GroupMembers(ctx, directory.GroupQuery{DN: group("keyed"), Attributes: []string{"uid"}})
	if err != nil {
		t.Fatal(err)
	}
	for source, entries := range map[string][]directory.Entry{"filter source": users, "group": members.Members} {
		disabled := 0
		for _, e := range entries {
			if e.Disabled != (e.Value("uid") == "frank") {
				t.Errorf("%s: %s Disabled = %v", source, e.DN, e.Disabled)
			}
			if e.Disabled {
				disabled++
			}
		}
		if disabled != 1 {
			t.Errorf("%s: %d disabled entries, want frank only", source, disabled)
		}
	}

	noFilter := readerConfig(srv)
	noFilter.DisabledFilter = ""
	plain, err := newClient(t, noFilter).SearchUsers(ctx, directory.FilterQuery{BaseDN: people, Filter: "(uid=frank)"})
	if err != nil || len(plain) != 1 || plain[0].Disabled {
		t.Errorf("without a disabled filter nobody is disabled: got %+v, %v", plain, err)
	}
}

func testFilterMetacharacters(t *testing.T, srv *ldaptest.Server) {
	client := newClient(t, readerConfig(srv))
	ctx := testContext(t)
	res, err := client.GroupMembers(ctx, directory.GroupQuery{Name: "a*)(uid=*", BaseDN: groups})
	if err != nil {
		t.Fatal(err)
	}
	if !sameDN(res.DN, group("a*)(uid=*")) {
		t.Errorf("found %q, want the group literally named a*)(uid=*", res.DN)
	}
	assertDNs(t, "members", dnsOf(res.Members), lowerSorted(person("erin")))

	// Unescaped, "a*" would match cn=admins.
	_, err = client.GroupMembers(ctx, directory.GroupQuery{Name: "a*", BaseDN: groups})
	if !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("a wildcard in a name is literal: want ErrNotFound, got %v", err)
	}

	cfg := readerConfig(srv)
	cfg.TransitiveMemberOf = true
	nested, err := newClient(t, cfg).GroupMembers(ctx, directory.GroupQuery{DN: group("a*)(uid=*"), Nested: true})
	if err != nil {
		t.Fatal(err)
	}
	assertDNs(t, "members by memberOf search", dnsOf(nested.Members), lowerSorted(person("erin")))
}

func testUniqueAndPosixGroups(t *testing.T, srv *ldaptest.Server) {
	client := newClient(t, readerConfig(srv))
	ctx := testContext(t)
	unique, err := client.GroupMembers(ctx, directory.GroupQuery{DN: group("unique")})
	if err != nil {
		t.Fatal(err)
	}
	assertDNs(t, "groupOfUniqueNames", dnsOf(unique.Members), lowerSorted(person("alice"), person("bob")))

	posix, err := client.GroupMembers(ctx, directory.GroupQuery{Name: "posix", BaseDN: groups, UserBaseDN: people, Attributes: []string{"uid"}})
	if err != nil {
		t.Fatal(err)
	}
	assertDNs(t, "posixGroup", dnsOf(posix.Members), lowerSorted(person("carol"), person("dave")))
	assertDNs(t, "unresolved memberUid", unresolvedNames(posix.Unresolved), []string{"memberUid=nobody"})

	// Without a user base the naming context from the root DSE is searched.
	fromRoot, err := client.GroupMembers(ctx, directory.GroupQuery{DN: group("posix")})
	if err != nil {
		t.Fatal(err)
	}
	assertDNs(t, "posixGroup from the naming context", dnsOf(fromRoot.Members), lowerSorted(person("carol"), person("dave")))
}

func testKeyByAttribute(t *testing.T, srv *ldaptest.Server) {
	res, err := newClient(t, readerConfig(srv)).GroupMembers(testContext(t), directory.GroupQuery{DN: group("keyed"), Attributes: []string{"employeeNumber"}})
	if err != nil {
		t.Fatal(err)
	}
	keyed := directory.KeyBy(res.Members, "employeeNumber")
	if len(keyed.ByKey) != 2 || keyed.ByKey["E001"].DN == "" || keyed.ByKey["E006"].DN == "" {
		t.Errorf("ByKey: got %v, want E001 (alice) and E006 (frank)", keyed.ByKey)
	}
	assertDNs(t, "missing key", lowerSorted(keyed.MissingKey...), lowerSorted(person("grace")))
	assertDNs(t, "duplicate key E002", lowerSorted(keyed.Duplicates["E002"]...), lowerSorted(person("bob"), person("heidi")))
	if !keyed.ByKey["E006"].Disabled {
		t.Errorf("keying keeps the disabled flag")
	}
}

func testTLS(t *testing.T, srv *ldaptest.Server) {
	ctx := testContext(t)
	for name, cfg := range map[string]directory.Config{
		"StartTLS": {URL: srv.URL, StartTLS: true},
		"LDAPS":    {URL: srv.LDAPSURL},
	} {
		t.Run(name, func(t *testing.T) {
			cfg.BindDN, cfg.BindPassword, cfg.Timeout = srv.ReaderDN, srv.ReaderPassword, 20*time.Second

			err := newClient(t, cfg).Ping(ctx)
			t.Logf("without the CA: %v", err)
			if !errors.Is(err, directory.ErrCertificate) || !strings.Contains(err.Error(), "certificate") {
				t.Errorf("without the CA: want ErrCertificate saying certificate, got %v", err)
			}

			trusted := cfg
			trusted.CACertPEM = srv.CACertPEM
			users, err := newClient(t, trusted).SearchUsers(ctx, directory.FilterQuery{BaseDN: people, Filter: "(uid=alice)"})
			if err != nil || len(users) != 1 {
				t.Errorf("with the CA: got %v, %v", users, err)
			}

			insecure := cfg
			insecure.InsecureSkipVerify = true
			if err := newClient(t, insecure).Ping(ctx); err != nil {
				t.Errorf("InsecureSkipVerify: %v", err)
			}
		})
	}
}

func testWrongPassword(t *testing.T, srv *ldaptest.Server) {
	cfg := readerConfig(srv)
	cfg.BindPassword = "not-the-Passw0rd"
	err := newClient(t, cfg).Ping(testContext(t))
	t.Logf("wrong password: %v", err)
	if !errors.Is(err, directory.ErrInvalidCredentials) || !strings.Contains(err.Error(), "invalid credentials") {
		t.Errorf("want ErrInvalidCredentials saying invalid credentials, got %v", err)
	}
	if err != nil && strings.Contains(err.Error(), cfg.BindPassword) {
		t.Errorf("the error shows the password: %v", err)
	}
}

func testNotFound(t *testing.T, srv *ldaptest.Server) {
	client := newClient(t, readerConfig(srv))
	ctx := testContext(t)
	if _, err := client.GroupMembers(ctx, directory.GroupQuery{DN: group("missing")}); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("missing group DN: want ErrNotFound, got %v", err)
	}
	if _, err := client.SearchUsers(ctx, directory.FilterQuery{BaseDN: "ou=missing," + suffix}); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("missing base DN: want ErrNotFound, got %v", err)
	}
}

// TestUnreachable needs no server: a closed port is refused at once, and a
// server that accepts but never answers must fail within the timeout.
func TestUnreachable(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "ldap://" + closed.Addr().String()
	_ = closed.Close()

	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = silent.Close() }()
	go func() {
		for {
			conn, err := silent.Accept()
			if err != nil {
				return
			}
			defer func() { _ = conn.Close() }()
		}
	}()

	const timeout = 2 * time.Second
	for name, tc := range map[string]struct {
		cfg  directory.Config
		want error
	}{
		"ClosedPort":           {directory.Config{URL: closedURL, BindDN: "cn=x", BindPassword: "pw"}, directory.ErrUnreachable},
		"SilentServerBind":     {directory.Config{URL: "ldap://" + silent.Addr().String(), BindDN: "cn=x", BindPassword: "pw"}, directory.ErrTimeout},
		"SilentServerStartTLS": {directory.Config{URL: "ldap://" + silent.Addr().String(), StartTLS: true}, directory.ErrTimeout},
		"SilentServerLDAPS":    {directory.Config{URL: "ldaps://" + silent.Addr().String()}, directory.ErrTimeout},
	} {
		t.Run(name, func(t *testing.T) {
			tc.cfg.Timeout = timeout
			start := time.Now()
			err := newClient(t, tc.cfg).Ping(ctx)
			elapsed := time.Since(start)
			t.Logf("after %s: %v", elapsed.Round(time.Millisecond), err)
			if !errors.Is(err, tc.want) {
				t.Errorf("want %v, got %v", tc.want, err)
			}
			// Generous slack for a busy machine, far below the test timeout.
			if elapsed > timeout+10*time.Second {
				t.Errorf("took %s with a %s timeout", elapsed, timeout)
			}
		})
	}
}

// Every entry carries the server's entryUUID, which a modify keeps: the provider tells an
// entry whose attributes change from a new entry that reuses a DN.
func testEntryIDs(t *testing.T, srv *ldaptest.Server) {
	client := newClient(t, readerConfig(srv))
	read := func() directory.Entry {
		t.Helper()
		entries, err := client.ReadEntries(testContext(t), []string{person("alice")}, []string{"mail"})
		if err != nil || len(entries) != 1 {
			t.Fatalf("read alice: %v, %v", entries, err)
		}
		return entries[0]
	}
	before := read()
	if len(before.ID) != 36 || strings.Count(before.ID, "-") != 4 {
		t.Fatalf("alice's ID = %q, want her entryUUID", before.ID)
	}
	if _, leaked := before.Attributes["entryUUID"]; leaked {
		t.Errorf("entryUUID is in Attributes %v; only what was requested belongs there", before.Attributes)
	}
	conn := srv.Conn(t, srv.AdminDN, srv.AdminPassword)
	modify := ldap.NewModifyRequest(person("alice"), nil)
	modify.Replace("title", []string{"Renamed"})
	if err := conn.Modify(modify); err != nil {
		t.Fatal(err)
	}
	if after := read(); after.ID != before.ID {
		t.Errorf("alice's ID changed from %s to %s on a modify", before.ID, after.ID)
	}
}

// A disabled filter the server cannot evaluate (an attribute it does not know) marks nobody
// disabled, for a group as for a filter source: never everyone.
func testUndefinedDisabledFilter(t *testing.T, srv *ldaptest.Server) {
	cfg := readerConfig(srv)
	cfg.DisabledFilter = "(noSuchAttributeXyz=TRUE)"
	client := newClient(t, cfg)
	members, err := client.GroupMembers(testContext(t), directory.GroupQuery{DN: group("keyed"), Attributes: []string{"uid"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, member := range members.Members {
		if member.Disabled {
			t.Errorf("%s is disabled by a filter that matches nothing", member.DN)
		}
	}
}

// Reading members a page of DNs per search gives exactly what reading them one by one gives:
// the same members with the same attributes, IDs and disabled flags, and the same subgroups and
// unresolved values in the same order. A page size of 2 makes many batches, and makes the
// disabled state come from searches about the members rather than from all the disabled
// entries under them (27 locked users take more pages than that).
func testBatchedAsEntryByEntry(t *testing.T, srv *ldaptest.Server) {
	ctx := testContext(t)
	for _, pageSize := range []uint32{0, 2} {
		for _, nested := range []bool{false, true} {
			for _, groupCN := range []string{"mixed", "keyed", "level1"} {
				t.Run(fmt.Sprintf("%s page size %d nested %v", groupCN, pageSize, nested), func(t *testing.T) {
					cfg := readerConfig(srv)
					cfg.PageSize = pageSize
					batched, oneByOne := newClient(t, cfg), newClient(t, cfg)
					directory.ReadEntryByEntry(oneByOne)
					q := directory.GroupQuery{DN: group(groupCN), Nested: nested, Attributes: []string{"uid", "MAIL", "employeeNumber"}}
					got, err := batched.GroupMembers(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					want, err := oneByOne.GroupMembers(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					t.Logf("%d searches batched, %d one by one", batched.Searches(), oneByOne.Searches())
					if !reflect.DeepEqual(got, want) {
						t.Errorf("batched read differs:\n got  %+v\n want %+v", got, want)
					}
					assertDisabledAsServerSays(t, srv, got.Members)
				})
			}
		}
	}
}

// assertDisabledAsServerSays checks each entry's disabled flag against a base search of the
// entry with the disabled filter.
func assertDisabledAsServerSays(t *testing.T, srv *ldaptest.Server, entries []directory.Entry) {
	t.Helper()
	conn := srv.Conn(t, srv.ReaderDN, srv.ReaderPassword)
	for _, e := range entries {
		res, err := conn.Search(ldap.NewSearchRequest(e.DN, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, readerConfig(srv).DisabledFilter, []string{"1.1"}, nil))
		if err != nil {
			t.Fatalf("read %s: %v", e.DN, err)
		}
		if disabled := len(res.Entries) == 1; e.Disabled != disabled {
			t.Errorf("%s: Disabled = %v, the server says %v", e.DN, e.Disabled, disabled)
		}
	}
}

// Every kind of member value comes out as a user, a subgroup or an unresolved value, whichever
// way the entries are read. secret (hidden from the reader) is unresolved; quiet and mute,
// which the reader may read but not find by entryDN, are members.
func testMixedMembers(t *testing.T, srv *ldaptest.Server) {
	res, err := newClient(t, readerConfig(srv)).GroupMembers(testContext(t), directory.GroupQuery{DN: group("mixed"), Nested: true, Attributes: []string{"uid"}})
	if err != nil {
		t.Fatal(err)
	}
	assertDNs(t, "members", dnsOf(res.Members), lowerSorted(person("alice"), person("bob"), person("carol"), person("dave"), person("frank"),
		quietUser, muteUser, bulkUser(1), bulkUser(100)))
	assertDNs(t, "subgroups", lowerSorted(res.Subgroups...), lowerSorted(group("level1"), group("unique"), group("posix"), group("level2"), group("level3")))
	assertDNs(t, "unresolved", unresolvedNames(res.Unresolved), []string{person("ghost"), hiddenUser, "uid=x,ou=gone," + suffix, "memberUid=nobody"})
	for _, m := range res.Members {
		if want := m.Value("uid") == "frank" || m.Value("uid") == "mute" || m.Value("uid") == "bulk0100"; m.Disabled != want {
			t.Errorf("%s: Disabled = %v, want %v", m.DN, m.Disabled, want)
		}
	}
}

// A batch whose DNs all lie in a container that is gone (its search base names no entry) is read
// one by one, and the next batch is searched by DN again.
func testBatchInVanishedContainer(t *testing.T, srv *ldaptest.Server) {
	cfg := readerConfig(srv)
	cfg.DisabledFilter = ""
	cfg.PageSize = 2
	client := newClient(t, cfg)
	res, err := client.GroupMembers(testContext(t), directory.GroupQuery{DN: group("stale")})
	if err != nil {
		t.Fatal(err)
	}
	assertDNs(t, "members", dnsOf(res.Members), lowerSorted(person("alice"), person("bob")))
	assertDNs(t, "unresolved", unresolvedNames(res.Unresolved), []string{"uid=x1,ou=gone," + suffix, "uid=x2,ou=gone," + suffix})
	// The group; x1 and x2: a refused search and a read each; alice and bob: one search.
	if got := client.Searches(); got != 1+3+1 {
		t.Errorf("%d searches, want 5", got)
	}
}

// unresolvedNames are the unresolved member values as messages name them.
func unresolvedNames(members []directory.UnresolvedMember) []string {
	names := make([]string, len(members))
	for i, m := range members {
		names[i] = m.String()
	}
	return names
}
