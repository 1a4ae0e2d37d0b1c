package directory_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/ldapdir"
)

// OpenLDAP has none of Active Directory's behaviours, so these tests run
// against ldapdir, which implements them: the userAccountControl bit rule,
// the in-chain rule, distinguishedName, ranged retrieval past 1,500 values
// and a page cap.

const (
	adSuffix   = "DC=corp,DC=test"
	adUsers    = "CN=Users," + adSuffix
	adBindDN   = "CN=svc-concur," + adUsers
	adPassword = "Sv(-pa55"
	adBigSize  = 2000
	// adPageCap plays MaxPageSize: each page holds at most this many entries.
	adPageCap = 1000
)

func adUser(name string) string  { return "CN=" + name + "," + adUsers }
func adGroup(name string) string { return "CN=" + name + "," + adUsers }

// adLDIF: ben (514) and cara (66050) have ACCOUNTDISABLE set; Travel ->
// Sales -> EMEA -> Travel is a cycle; Big has adBigSize members, every
// tenth disabled.
func adLDIF() string {
	var b strings.Builder
	fmt.Fprintf(&b, "dn: %s\nobjectClass: domain\ndc: corp\n\n", adSuffix)
	fmt.Fprintf(&b, "dn: %s\nobjectClass: container\ncn: Users\n\n", adUsers)
	user := func(name string, id string, uac int) {
		fmt.Fprintf(&b, "dn: %s\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: user\ncn: %s\nsAMAccountName: %s\nemployeeID: %s\nuserAccountControl: %d\n\n",
			adUser(name), name, strings.ToLower(name), id, uac)
	}
	user("Ann", "A1", 512)
	user("Ben", "A2", 514)
	user("Cara", "A3", 66050)
	user("Dan", "A4", 512)
	for i := range adBigSize {
		uac := 512
		if i%10 == 0 {
			uac = 514
		}
		user(fmt.Sprintf("bulk%04d", i), fmt.Sprintf("B%04d", i), uac)
	}
	group := func(name string, members ...string) {
		fmt.Fprintf(&b, "dn: %s\nobjectClass: top\nobjectClass: group\ncn: %s\n", adGroup(name), name)
		for _, m := range members {
			fmt.Fprintf(&b, "member: %s\n", m)
		}
		b.WriteString("\n")
	}
	group("Travel", adUser("Ann"), adGroup("Sales"), adUser("Gone"))
	group("Sales", adUser("Ben"), adGroup("EMEA"))
	group("EMEA", adUser("Cara"), adGroup("Travel"))
	big := make([]string, adBigSize)
	for i := range adBigSize {
		big[i] = adUser(fmt.Sprintf("bulk%04d", i))
	}
	group("Big", big...)
	return b.String()
}

func startAD(t *testing.T) directory.Config {
	t.Helper()
	srv, err := ldapdir.Start("127.0.0.1:0", ldapdir.Config{
		LDIF: adLDIF(), BindDN: adBindDN, BindPassword: adPassword,
		ActiveDirectory: true, SizeLimit: adPageCap,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return directory.Config{
		URL: srv.URL(), BindDN: adBindDN, BindPassword: adPassword,
		Kind: directory.KindActiveDirectory, Timeout: 20 * time.Second,
	}
}

func TestActiveDirectoryInChainNesting(t *testing.T) {
	client := newClient(t, startAD(t))
	res, err := client.GroupMembers(testContext(t), directory.GroupQuery{Name: "Travel", BaseDN: adSuffix, Nested: true, Attributes: []string{"sAMAccountName"}})
	if err != nil {
		t.Fatal(err)
	}
	assertDNs(t, "members through the in-chain rule", dnsOf(res.Members), lowerSorted(adUser("Ann"), adUser("Ben"), adUser("Cara")))
	assertDNs(t, "subgroups", lowerSorted(res.Subgroups...), lowerSorted(adGroup("Sales"), adGroup("EMEA")))
	// The dangling member CN=Gone would be reported by a client-side walk;
	// a server-side search simply does not find it.
	if len(res.Unresolved) != 0 {
		t.Errorf("expected the server to resolve nesting, got unresolved %v", res.Unresolved)
	}
	assertDisabled(t, res.Members, "ben", "cara")
}

// Direct members come from one (memberOf=<group>) search. Active Directory holds no member value
// that names no entry, so nothing is unresolved; the dangling CN=Gone that ldapdir lets Travel
// list is not looked at.
func TestActiveDirectoryDirectMembersOfCycle(t *testing.T) {
	client := newClient(t, startAD(t))
	res, err := client.GroupMembers(testContext(t), directory.GroupQuery{DN: adGroup("Travel"), Attributes: []string{"sAMAccountName"}})
	if err != nil {
		t.Fatal(err)
	}
	assertDNs(t, "direct members", dnsOf(res.Members), lowerSorted(adUser("Ann")))
	assertDNs(t, "subgroups", lowerSorted(res.Subgroups...), lowerSorted(adGroup("Sales")))
	if len(res.Unresolved) != 0 {
		t.Errorf("unresolved %v, want none", res.Unresolved)
	}
	// The group, its members, the disabled ones among them.
	if got := client.Searches(); got != 3 {
		t.Errorf("%d searches, want 3", got)
	}
}

// With kind generic (a directory not declared Active Directory) the group's member values are
// read, through ranged retrieval, and their entries looked up. Active Directory has no entryDN,
// so the first search by DN finds nothing: from then on each entry is read by itself, and
// finding that out cost that one search.
func TestActiveDirectoryAsGenericServer(t *testing.T) {
	cfg := startAD(t)
	cfg.Kind = directory.KindGeneric
	client := newClient(t, cfg)
	res, err := client.GroupMembers(testContext(t), directory.GroupQuery{DN: adGroup("Big"), Attributes: []string{"employeeID"}})
	if err != nil {
		t.Fatal(err)
	}
	if keyed := directory.KeyBy(res.Members, "employeeID"); len(keyed.ByKey) != adBigSize {
		t.Errorf("got %d distinct members, want %d", len(keyed.ByKey), adBigSize)
	}
	// The group and its second range of values, one search by DN, a base read per member.
	if got, want := client.Searches(), int64(2+1+adBigSize); got != want {
		t.Errorf("%d searches, want %d", got, want)
	}

	travel, err := client.GroupMembers(testContext(t), directory.GroupQuery{DN: adGroup("Travel")})
	if err != nil {
		t.Fatal(err)
	}
	assertDNs(t, "unresolved", lowerSorted(travel.Unresolved...), lowerSorted(adUser("Gone")))
}

// Managers and other referenced entries are read a page of DNs per search, by distinguishedName.
func TestActiveDirectoryReadEntries(t *testing.T) {
	client := newClient(t, startAD(t))
	dns := []string{"cn=ann,cn=users,dc=corp,dc=test", adUser("Nobody")}
	for i := range 600 {
		dns = append(dns, adUser(fmt.Sprintf("bulk%04d", i)))
	}
	entries, err := client.ReadEntries(testContext(t), dns, []string{"employeeID"})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 601 || entries[0].Value("employeeID") != "A1" {
		t.Fatalf("got %d entries, the first %+v", len(entries), entries[0])
	}
	// Two pages of DNs, and the one that names no entry read by itself.
	if got := client.Searches(); got != 3 {
		t.Errorf("%d searches, want 3", got)
	}
}

// A group larger than MaxValRange is read whole by a memberOf search, which never reads its
// member values, so ranged retrieval does not come into it; the server's page cap does.
func TestActiveDirectoryBigGroup(t *testing.T) {
	client := newClient(t, startAD(t))
	ctx := testContext(t)
	start := time.Now()
	direct, err := client.GroupMembers(ctx, directory.GroupQuery{DN: adGroup("Big"), Attributes: []string{"employeeID"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d direct members by a memberOf search paged at %d: %s", len(direct.Members), adPageCap, time.Since(start).Round(time.Millisecond))
	if len(direct.Members) != adBigSize {
		t.Fatalf("memberOf search: got %d members, want %d", len(direct.Members), adBigSize)
	}
	if keyed := directory.KeyBy(direct.Members, "employeeID"); len(keyed.ByKey) != adBigSize {
		t.Errorf("every member once: %d distinct employeeIDs", len(keyed.ByKey))
	}
	if got := countDisabled(direct.Members); got != adBigSize/10 {
		t.Errorf("disabled by the bit rule: %d, want %d", got, adBigSize/10)
	}

	start = time.Now()
	nested, err := client.GroupMembers(ctx, directory.GroupQuery{DN: adGroup("Big"), Nested: true, UserBaseDN: adUsers, Attributes: []string{"employeeID"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d members by an in-chain search paged at %d: %s", len(nested.Members), adPageCap, time.Since(start).Round(time.Millisecond))
	if len(nested.Members) != adBigSize || countDisabled(nested.Members) != adBigSize/10 {
		t.Errorf("in-chain search: got %d members, %d disabled", len(nested.Members), countDisabled(nested.Members))
	}
}

func TestActiveDirectoryFilterSource(t *testing.T) {
	client := newClient(t, startAD(t))
	users, err := client.SearchUsers(testContext(t), directory.FilterQuery{
		BaseDN: adUsers, Scope: directory.ScopeOne,
		Filter:     "(&(objectClass=user)(|(sAMAccountName=ann)(sAMAccountName=ben)(sAMAccountName=cara)(sAMAccountName=dan)))",
		Attributes: []string{"sAMAccountName", "employeeID"},
	})
	if err != nil {
		t.Fatal(err)
	}
	assertDNs(t, "filter source", dnsOf(users), lowerSorted(adUser("Ann"), adUser("Ben"), adUser("Cara"), adUser("Dan")))
	assertDisabled(t, users, "ben", "cara")
}

func assertDisabled(t *testing.T, entries []directory.Entry, disabled ...string) {
	t.Helper()
	for _, e := range entries {
		want := slices.Contains(disabled, e.Value("sAMAccountName"))
		if e.Disabled != want {
			t.Errorf("%s: Disabled = %v, want %v", e.DN, e.Disabled, want)
		}
	}
}

func countDisabled(entries []directory.Entry) int {
	n := 0
	for _, e := range entries {
		if e.Disabled {
			n++
		}
	}
	return n
}

// One Client serves concurrent callers: each operation has its own
// connection.
func TestConcurrentUse(t *testing.T) {
	client := newClient(t, startAD(t))
	ctx := testContext(t)
	errs := make(chan error, 16)
	for i := range 16 {
		go func() {
			var err error
			if i%2 == 0 {
				var res directory.GroupResult
				res, err = client.GroupMembers(ctx, directory.GroupQuery{DN: adGroup("Travel"), Nested: true})
				if err == nil && len(res.Members) != 3 {
					err = fmt.Errorf("got %d members", len(res.Members))
				}
			} else {
				var users []directory.Entry
				users, err = client.SearchUsers(ctx, directory.FilterQuery{BaseDN: adUsers, Filter: "(sAMAccountName=ann)"})
				if err == nil && len(users) != 1 {
					err = fmt.Errorf("got %d users", len(users))
				}
			}
			errs <- err
		}()
	}
	for range 16 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// A cancelled context ends an operation promptly with the context's error.
func TestCancelledContext(t *testing.T) {
	client := newClient(t, startAD(t))
	ctx, cancel := context.WithCancel(testContext(t))
	cancel()
	_, err := client.GroupMembers(ctx, directory.GroupQuery{DN: adGroup("Big")})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("want context.Canceled, got %v", err)
	}
}

// TestActiveDirectoryRoundTrips counts the searches of reading 10,000-member groups with the
// default page size: the group, a page per 500 members (subgroups included), and a page per 500
// disabled members (1,000 here). The naming context comes from the group's DN, not the root DSE.
func TestActiveDirectoryRoundTrips(t *testing.T) {
	t.Parallel() // its own server
	const users = 10000
	var b strings.Builder
	fmt.Fprintf(&b, "dn: %s\nobjectClass: domain\ndc: corp\n\n", adSuffix)
	fmt.Fprintf(&b, "dn: %s\nobjectClass: container\ncn: Users\n\n", adUsers)
	user := func(i int) string { return adUser(fmt.Sprintf("u%05d", i)) }
	for i := range users {
		uac := 512
		if i%10 == 0 {
			uac = 514
		}
		fmt.Fprintf(&b, "dn: %s\nobjectClass: user\ncn: u%05d\nemployeeID: E%05d\nuserAccountControl: %d\n\n", user(i), i, i, uac)
	}
	group := func(name string, from, to int, subgroups ...string) {
		fmt.Fprintf(&b, "dn: %s\nobjectClass: group\ncn: %s\n", adGroup(name), name)
		for i := from; i < to; i++ {
			fmt.Fprintf(&b, "member: %s\n", user(i))
		}
		for _, sub := range subgroups {
			fmt.Fprintf(&b, "member: %s\n", adGroup(sub))
		}
		b.WriteString("\n")
	}
	group("Everyone", 0, users)
	group("Top", 0, 6000, "Mid")
	group("Mid", 6000, 8500, "Low")
	group("Low", 8500, users, "Top", "Mid")
	srv, err := ldapdir.Start("127.0.0.1:0", ldapdir.Config{
		LDIF: b.String(), BindDN: adBindDN, BindPassword: adPassword, ActiveDirectory: true, SizeLimit: adPageCap,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	cfg := directory.Config{URL: srv.URL(), BindDN: adBindDN, BindPassword: adPassword, Kind: directory.KindActiveDirectory, Timeout: 20 * time.Second}

	for _, tc := range []struct {
		name      string
		query     directory.GroupQuery
		subgroups int
		searches  int64
	}{
		{"direct", directory.GroupQuery{DN: adGroup("Everyone")}, 0, 1 + 20 + 2},
		// The in-chain search also finds Mid, Low and Top itself (the cycle): 10,003 entries.
		{"nested", directory.GroupQuery{DN: adGroup("Top"), Nested: true}, 2, 1 + 21 + 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client := newClient(t, cfg)
			tc.query.Attributes = []string{"employeeID"}
			start := time.Now()
			res, err := client.GroupMembers(testContext(t), tc.query)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d members in %d searches, %s", len(res.Members), client.Searches(), time.Since(start).Round(time.Millisecond))
			if keyed := directory.KeyBy(res.Members, "employeeID"); len(keyed.ByKey) != users || len(res.Subgroups) != tc.subgroups {
				t.Errorf("got %d distinct members and subgroups %v, want %d and %d subgroups", len(keyed.ByKey), res.Subgroups, users, tc.subgroups)
			}
			if got := countDisabled(res.Members); got != users/10 {
				t.Errorf("%d disabled, want %d", got, users/10)
			}
			if got := client.Searches(); got != tc.searches {
				t.Errorf("%d searches, want %d", got, tc.searches)
			}
		})
	}
}
