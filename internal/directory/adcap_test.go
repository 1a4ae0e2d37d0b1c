package directory_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/ldapdir"
)

// Active Directory behaviour is tested against Samba's domain controller (activedirectory_test.go).
// These tests run against the in-process ldapdir instead, for what Samba does not show: a DC
// that caps a plain member read at 1,500 values (Samba returns them all), a member value that
// names no entry (which a DC never keeps), and 10,000 users, which take minutes to load into
// Samba.

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

// adLDIF: Big has adBigSize members; Travel lists Ann and a user who is gone.
func adLDIF() string {
	var b strings.Builder
	fmt.Fprintf(&b, "dn: %s\nobjectClass: domain\ndc: corp\n\n", adSuffix)
	fmt.Fprintf(&b, "dn: %s\nobjectClass: container\ncn: Users\n\n", adUsers)
	user := func(name string, id string) {
		fmt.Fprintf(&b, "dn: %s\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: user\ncn: %s\nemployeeID: %s\nuserAccountControl: 512\n\n",
			adUser(name), name, id)
	}
	user("Ann", "A1")
	big := make([]string, adBigSize)
	for i := range adBigSize {
		user(fmt.Sprintf("bulk%04d", i), fmt.Sprintf("B%04d", i))
		big[i] = adUser(fmt.Sprintf("bulk%04d", i))
	}
	group := func(name string, members ...string) {
		fmt.Fprintf(&b, "dn: %s\nobjectClass: top\nobjectClass: group\ncn: %s\n", adGroup(name), name)
		for _, m := range members {
			fmt.Fprintf(&b, "member: %s\n", m)
		}
		b.WriteString("\n")
	}
	group("Travel", adUser("Ann"), adUser("Gone"))
	group("Big", big...)
	return b.String()
}

// startAD runs ldapdir as a DC that caps plain reads of an attribute at 1,500 values.
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

// With kind generic (a directory not declared Active Directory) the group's member values are
// read, through ranged retrieval, and their entries looked up. Active Directory has no entryDN,
// so the first search by DN finds nothing: from then on each entry is read by itself, and
// finding that out cost that one search.
func TestActiveDirectoryAsGenericServer(t *testing.T) {
	t.Parallel()
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
	assertDNs(t, "unresolved", lowerSorted(unresolvedNames(travel.Unresolved)...), lowerSorted(adUser("Gone")))
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

// TestActiveDirectoryRoundTrips counts the searches of reading 10,000-member groups with the
// default page size: the group, a page per 500 members (subgroups included) of each level of
// nesting, and a page per 500 disabled members (1,000 here). The naming context comes from the
// group's DN, not the root DSE.
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
		// Three levels: Top's 6,000 users and Mid (13 pages), Mid's 2,500 and Low (6), Low's
		// 1,500 and Top and Mid again (4).
		{"nested", directory.GroupQuery{DN: adGroup("Top"), Nested: true}, 2, 1 + 13 + 6 + 4 + 2},
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
