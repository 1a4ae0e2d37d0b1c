package directory_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
	"github.com/terraform-concur/terraform-provider-concur/internal/directory/ldaptest"
)

// scaleUsers is the size of the groups whose reads are counted: the company size the round-trip
// target names. One ldapadd loads them in a few seconds.
const scaleUsers = 10000

func scaleUser(i int) string { return fmt.Sprintf("uid=u%05d,%s", i, people) }

// scaleLDIF: scaleUsers users, every tenth locked; "all" lists them all; top -> mid -> low ->
// top is a cycle that holds them all too, each group listing its subgroup after its users (as
// a group that gained a subgroup later does), low listing mid again.
func scaleLDIF() string {
	var b strings.Builder
	for _, ou := range []string{"people", "groups"} {
		fmt.Fprintf(&b, "dn: ou=%s,%s\nobjectClass: organizationalUnit\nou: %s\n\n", ou, suffix, ou)
	}
	for i := range scaleUsers {
		fmt.Fprintf(&b, "dn: %s\nobjectClass: inetOrgPerson\nuid: u%05d\ncn: user %d\nsn: user\nemployeeNumber: E%05d\n", scaleUser(i), i, i, i)
		if i%10 == 0 {
			b.WriteString("pwdAccountLockedTime: 20240101000000Z\n")
		}
		b.WriteString("\n")
	}
	groupOf := func(cn string, from, to int, subgroups ...string) {
		fmt.Fprintf(&b, "dn: %s\nobjectClass: groupOfNames\ncn: %s\n", group(cn), cn)
		for i := from; i < to; i++ {
			fmt.Fprintf(&b, "member: %s\n", scaleUser(i))
		}
		for _, sub := range subgroups {
			fmt.Fprintf(&b, "member: %s\n", group(sub))
		}
		b.WriteString("\n")
	}
	groupOf("all", 0, scaleUsers)
	groupOf("thousand", 0, 1000)
	groupOf("top", 0, 6000, "mid")
	groupOf("mid", 6000, 8500, "low")
	groupOf("low", 8500, scaleUsers, "top", "mid")
	return b.String()
}

// TestOpenLDAPRoundTrips counts the LDAP searches of large group reads against a slapd that
// keeps no memberOf, with the default page size (500). A group read costs one search for the
// group's member values, one per page of member DNs (500 DNs per search), and with a disabled
// filter one per page of disabled entries under the members' common ancestor (here 1,000 locked
// users: 2), or, when those are more pages than asking about the members by DN would take, one
// page and then that; a filter source costs its pages and the pages of its disabled entries.
func TestOpenLDAPRoundTrips(t *testing.T) {
	t.Parallel() // its own server
	srv := ldaptest.Start(t, ldaptest.Options{SizeLimit: sizeLimit, WithoutMemberOf: true})
	start := time.Now()
	srv.Load(t, scaleLDIF())
	t.Logf("loaded %d users in %s", scaleUsers, time.Since(start).Round(time.Millisecond))

	withDisabled := readerConfig(srv)
	withoutDisabled := readerConfig(srv)
	withoutDisabled.DisabledFilter = ""
	for _, tc := range []struct {
		name          string
		cfg           directory.Config
		query         directory.GroupQuery
		members       int
		subgroups     int
		searches      int64
		disabledCount int
	}{
		{"1000 direct", withoutDisabled, directory.GroupQuery{DN: group("thousand")}, 1000, 0, 1 + 2, 0},
		// The 1,000 locked users of ou=people take two pages, more than asking about the
		// members by DN (one search): after one page the client does that instead.
		{"1000 direct, disabled state", withDisabled, directory.GroupQuery{DN: group("thousand")}, 1000, 0, 1 + 2 + 1 + 1, 100},
		{"10000 direct", withoutDisabled, directory.GroupQuery{DN: group("all")}, scaleUsers, 0, 1 + 20, 0},
		{"10000 direct, disabled state", withDisabled, directory.GroupQuery{DN: group("all")}, scaleUsers, 0, 1 + 20 + 2, 1000},
		// 10,002 DNs (the users, mid and low): 21 searches.
		{"10000 nested", withoutDisabled, directory.GroupQuery{DN: group("top"), Nested: true}, scaleUsers, 2, 1 + 21, 0},
		{"10000 nested, disabled state", withDisabled, directory.GroupQuery{DN: group("top"), Nested: true}, scaleUsers, 2, 1 + 21 + 2, 1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client := newClient(t, tc.cfg)
			tc.query.Attributes = []string{"employeeNumber", "mail"}
			start := time.Now()
			res, err := client.GroupMembers(testContext(t), tc.query)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d members in %d searches, %s", len(res.Members), client.Searches(), time.Since(start).Round(time.Millisecond))
			if len(res.Members) != tc.members || len(res.Subgroups) != tc.subgroups || len(res.Unresolved) != 0 {
				t.Errorf("got %d members, subgroups %v, unresolved %v; want %d members, %d subgroups", len(res.Members), res.Subgroups, res.Unresolved, tc.members, tc.subgroups)
			}
			if keyed := directory.KeyBy(res.Members, "employeeNumber"); len(keyed.ByKey) != tc.members {
				t.Errorf("%d distinct employeeNumbers, want one per member", len(keyed.ByKey))
			}
			if got := countDisabled(res.Members); got != tc.disabledCount {
				t.Errorf("%d disabled, want %d", got, tc.disabledCount)
			}
			for _, m := range res.Members {
				if want := strings.HasSuffix(m.Value("employeeNumber"), "0"); m.Disabled != want && tc.disabledCount > 0 {
					t.Errorf("%s: Disabled = %v, want %v", m.DN, m.Disabled, want)
					break
				}
			}
			if got := client.Searches(); got != tc.searches {
				t.Errorf("%d searches, want %d", got, tc.searches)
			}
			if got := client.Searches(); got > 25 {
				t.Errorf("%d searches; a group read must take at most 25", got)
			}
		})
	}

	t.Run("filter source", func(t *testing.T) {
		client := newClient(t, withDisabled)
		users, err := client.SearchUsers(testContext(t), directory.FilterQuery{BaseDN: people, Filter: "(objectClass=inetOrgPerson)", Attributes: []string{"employeeNumber"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(users) != scaleUsers || countDisabled(users) != scaleUsers/10 {
			t.Errorf("got %d users, %d disabled", len(users), countDisabled(users))
		}
		if got, want := client.Searches(), int64(20+2); got != want {
			t.Errorf("%d searches, want %d: the pages of the users and of the disabled ones", got, want)
		}
	})

	t.Run("entries by DN", func(t *testing.T) {
		client := newClient(t, withoutDisabled)
		dns := []string{scaleUser(3), "uid=nobody," + people}
		for i := range 998 {
			dns = append(dns, scaleUser(9000+i))
		}
		entries, err := client.ReadEntries(testContext(t), dns, []string{"employeeNumber"})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 999 || entries[0].Value("employeeNumber") != "E00003" {
			t.Errorf("got %d entries, the first %v", len(entries), entries[0].Attributes)
		}
		// Two pages of DNs, and the one that names no entry read by itself.
		if got := client.Searches(); got != 2+1 {
			t.Errorf("%d searches, want 3", got)
		}
	})
}
