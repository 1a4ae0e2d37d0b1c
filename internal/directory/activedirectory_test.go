package directory_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
	"github.com/terraform-concur/terraform-provider-concur/internal/directory/adtest"
)

// TestActiveDirectory runs every Active Directory case against one Samba domain controller
// (adtest), which holds adtest's fixture; the cases that change the directory come last.
func TestActiveDirectory(t *testing.T) {
	t.Parallel() // the only test of this package with a DC; adtest.Start serialises DCs anyway
	dc := adtest.Start(t)
	for _, tc := range []struct {
		name string
		test func(*testing.T, *adtest.DC)
	}{
		{"GroupsAsTheirClosure", testADGroupsAsTheirClosure},
		{"DomainUsers", testADDomainUsers},
		{"BigGroupRoundTrips", testADBigGroupRoundTrips},
		{"GenericKind", testADGenericKind},
		{"ReadEntries", testADReadEntries},
		{"FilterSource", testADFilterSource},
		{"BindNames", testADBindNames},
		{"TLSRequired", testADTLSRequired},
		{"Certificates", testADCertificates},
		{"ConcurrentUse", testADConcurrentUse},
		{"CancelledContext", testADCancelledContext},
		{"EntryIDSurvivesRenameAndMove", testADEntryIDSurvivesRenameAndMove},
		{"DisabledByAnAdministrator", testADDisabledByAnAdministrator},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.test(t, dc) })
	}
}

// adConfig binds as the service account over LDAPS.
func adConfig(dc *adtest.DC) directory.Config {
	return directory.Config{
		URL: dc.LDAPSURL, CACertPEM: dc.CACertPEM, BindDN: adtest.ServiceDN, BindPassword: adtest.ServicePassword,
		Kind: directory.KindActiveDirectory, Timeout: testTimeout,
	}
}

// closure is what reading a fixture group should give, worked out from adtest.Groups alone:
// its users and subgroups, direct or at any depth.
func closure(cn string, nested bool) (users, subgroups []string) {
	seen := map[string]bool{adtest.GroupDN(cn): true}
	pending := []string{cn}
	for len(pending) > 0 {
		group := pending[0]
		pending = pending[1:]
		for _, dn := range adtest.Groups[group] {
			if seen[dn] {
				continue
			}
			seen[dn] = true
			sub, isGroup := strings.CutSuffix(strings.TrimPrefix(dn, "CN="), ","+adtest.GroupsDN)
			if !isGroup {
				users = append(users, dn)
				continue
			}
			subgroups = append(subgroups, dn)
			if nested {
				pending = append(pending, sub)
			}
		}
	}
	return lowerSorted(users...), lowerSorted(subgroups...)
}

func fixturePerson(t *testing.T, dn string) adtest.Person {
	t.Helper()
	for _, p := range adtest.People {
		if sameDN(adtest.PersonDN(p.CN), dn) {
			return p
		}
	}
	t.Fatalf("%s is no person of the fixture", dn)
	return adtest.Person{}
}

// Every fixture group, direct and nested, reads as its closure: the in-chain rule through the
// Travel -> Sales -> EMEA -> Travel cycle, primary members (Cara and Dan are in Contractors
// only through primaryGroupID) also through Staff, a non-ASCII name and a CN with a comma, the
// disabled users flagged, and nothing unresolved.
func testADGroupsAsTheirClosure(t *testing.T, dc *adtest.DC) {
	client := newClient(t, adConfig(dc))
	for cn := range adtest.Groups {
		for _, nested := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s nested=%v", cn, nested), func(t *testing.T) {
				res, err := client.GroupMembers(testContext(t), directory.GroupQuery{DN: adtest.GroupDN(cn), Nested: nested, Attributes: []string{"employeeID", "givenName"}})
				if err != nil {
					t.Fatal(err)
				}
				users, subgroups := closure(cn, nested)
				assertDNs(t, "members", dnsOf(res.Members), users)
				assertDNs(t, "subgroups", lowerSorted(res.Subgroups...), subgroups)
				if len(res.Unresolved) != 0 {
					t.Errorf("unresolved %v, want none", res.Unresolved)
				}
				for _, m := range res.Members {
					p := fixturePerson(t, m.DN)
					if m.Disabled != p.Disabled || m.Value("employeeID") != p.EmployeeID || m.Value("givenName") != p.GivenName {
						t.Errorf("%s: disabled %v, employeeID %q, givenName %q; want %v, %q, %q",
							m.DN, m.Disabled, m.Value("employeeID"), m.Value("givenName"), p.Disabled, p.EmployeeID, p.GivenName)
					}
				}
			})
		}
	}
}

// Domain Users lists no member values for the users whose primary group it is, which is
// nearly everyone: they are read by primaryGroupID in the same search as memberOf. Every user
// but Guest (whose primary group is Domain Guests) is a member, Cara and Dan through member
// values since their primary group is Contractors.
func testADDomainUsers(t *testing.T, dc *adtest.DC) {
	client := newClient(t, adConfig(dc))
	ctx := testContext(t)
	everyone, err := client.SearchUsers(ctx, directory.FilterQuery{BaseDN: adtest.BaseDN, Filter: "(&(objectCategory=person)(objectClass=user)(!(sAMAccountName=Guest)))"})
	if err != nil {
		t.Fatal(err)
	}
	if len(everyone) < adtest.BigGroupSize+len(adtest.People) {
		t.Fatalf("found only %d users", len(everyone))
	}
	client = newClient(t, adConfig(dc))
	res, err := client.GroupMembers(ctx, directory.GroupQuery{DN: adtest.DomainUsersDN, Attributes: []string{"employeeID"}})
	if err != nil {
		t.Fatal(err)
	}
	assertDNs(t, "Domain Users", dnsOf(res.Members), dnsOf(everyone))
	// The group, ceil(members / 500) pages, and one page of the ~170 disabled members.
	pages := int64((len(everyone) + directory.DefaultPageSize - 1) / directory.DefaultPageSize)
	if got, want := client.Searches(), 1+pages+1; got != want {
		t.Errorf("%d searches for %d members, want %d", got, len(res.Members), want)
	}
	for _, m := range res.Members {
		if strings.HasPrefix(m.DN, "CN=bulk") && m.Disabled != strings.HasSuffix(m.Value("employeeID"), "0") {
			t.Errorf("%s: Disabled = %v", m.DN, m.Disabled)
		}
	}
}

// The 1,700-member group, more than the 1,500 values a DC gives of an attribute in one read, is
// read whole by a paged memberOf search that never reads its member values: a search for the
// group, a page per page_size members and a page of the disabled ones, direct or nested.
func testADBigGroupRoundTrips(t *testing.T, dc *adtest.DC) {
	for _, tc := range []struct {
		nested   bool
		pageSize uint32
		searches int64
	}{
		{false, 500, 1 + 4 + 1},
		{true, 500, 1 + 4 + 1},
		// Active Directory's MaxPageSize (Samba does not cap a page).
		{false, 1000, 1 + 2 + 1},
		{true, 1000, 1 + 2 + 1},
	} {
		t.Run(fmt.Sprintf("nested=%v page=%d", tc.nested, tc.pageSize), func(t *testing.T) {
			cfg := adConfig(dc)
			cfg.PageSize = tc.pageSize
			client := newClient(t, cfg)
			start := time.Now()
			res, err := client.GroupMembers(testContext(t), directory.GroupQuery{DN: adtest.BigGroupDN, Nested: tc.nested, Attributes: []string{"employeeID"}})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d members in %d searches, %s", len(res.Members), client.Searches(), time.Since(start).Round(time.Millisecond))
			if keyed := directory.KeyBy(res.Members, "employeeID"); len(keyed.ByKey) != adtest.BigGroupSize {
				t.Errorf("%d distinct members, want %d", len(keyed.ByKey), adtest.BigGroupSize)
			}
			for _, m := range res.Members {
				var i int
				if _, err := fmt.Sscanf(m.Value("employeeID"), "B%04d", &i); err != nil || m.Disabled != adtest.BulkDisabled(i) {
					t.Errorf("%s (%s): Disabled = %v", m.DN, m.Value("employeeID"), m.Disabled)
				}
			}
			if got := client.Searches(); got != tc.searches {
				t.Errorf("%d searches, want %d", got, tc.searches)
			}
		})
	}
}

// Declared generic, a DC is read as any LDAP server: the member values (Samba gives all 1,700
// in one read), then the entries. The DC has no entryDN, so after one search by DN that finds
// none each entry is read by itself: what kind = active_directory saves.
func testADGenericKind(t *testing.T, dc *adtest.DC) {
	cfg := adConfig(dc)
	cfg.Kind, cfg.DisabledFilter = directory.KindGeneric, directory.ActiveDirectoryDisabledFilter
	client := newClient(t, cfg)
	res, err := client.GroupMembers(testContext(t), directory.GroupQuery{DN: adtest.BigGroupDN, Attributes: []string{"employeeID"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Members) != adtest.BigGroupSize || countDisabled(res.Members) != adtest.BigGroupSize/10 {
		t.Errorf("got %d members, %d disabled", len(res.Members), countDisabled(res.Members))
	}
	// The member values, one search by entryDN, a read per member, the disabled entries under OU=Bulk.
	t.Logf("kind generic: %d members in %d searches", len(res.Members), client.Searches())
	if got, want := client.Searches(), int64(1+1+adtest.BigGroupSize+1); got != want {
		t.Errorf("%d searches, want %d", got, want)
	}
}

// Managers and other referenced entries are read a page of DNs per search, by
// distinguishedName, whatever the DN's spelling; a DN that names no entry is read by itself.
func testADReadEntries(t *testing.T, dc *adtest.DC) {
	client := newClient(t, adConfig(dc))
	// Samba matches a DN in a filter ignoring the case of ASCII letters only (a DN spelt
	// with another case of Å would be read by itself).
	dns := []string{adtest.PersonDN("Zoë Ångström"), strings.ToLower(adtest.PersonDN("Doe, John")), "CN=Nobody," + adtest.PeopleDN}
	for i := range 600 {
		dns = append(dns, adtest.BulkUserDN(i))
	}
	entries, err := client.ReadEntries(testContext(t), dns, []string{"employeeID"})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 602 || entries[0].Value("employeeID") != "A3" || entries[1].Value("employeeID") != "A4" {
		t.Fatalf("got %d entries, the first two %+v %+v", len(entries), entries[0], entries[1])
	}
	if got := client.Searches(); got != 2+1 {
		t.Errorf("%d searches, want 3: two pages of DNs and the one that names no entry", got)
	}
}

func testADFilterSource(t *testing.T, dc *adtest.DC) {
	users, err := newClient(t, adConfig(dc)).SearchUsers(testContext(t), directory.FilterQuery{
		BaseDN: adtest.PeopleDN, Scope: directory.ScopeOne, Filter: "(&(objectClass=user)(employeeID=A*))",
		Attributes: []string{"employeeID"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, p := range adtest.People {
		want = append(want, adtest.PersonDN(p.CN))
	}
	assertDNs(t, "filter source", dnsOf(users), lowerSorted(want...))
	for _, u := range users {
		if p := fixturePerson(t, u.DN); u.Disabled != p.Disabled {
			t.Errorf("%s: Disabled = %v, want %v", u.DN, u.Disabled, p.Disabled)
		}
	}
}

// Active Directory accepts a UPN and a down-level name in a simple bind; other servers get
// a DN only, which Validate says before any connection.
func testADBindNames(t *testing.T, dc *adtest.DC) {
	for _, name := range []string{adtest.ServiceDN, adtest.ServiceUPN, adtest.ServiceDownLevel} {
		cfg := adConfig(dc)
		cfg.BindDN = name
		if err := newClient(t, cfg).Ping(testContext(t)); err != nil {
			t.Errorf("bind as %s: %v", name, err)
		}
		cfg.BindPassword = "not-the-Pa55word"
		if err := newClient(t, cfg).Ping(testContext(t)); !errors.Is(err, directory.ErrInvalidCredentials) {
			t.Errorf("bind as %s with a wrong password: want ErrInvalidCredentials, got %v", name, err)
		}
	}
	for _, name := range []string{adtest.ServiceUPN, adtest.ServiceDownLevel} {
		cfg := adConfig(dc)
		cfg.BindDN, cfg.Kind = name, directory.KindGeneric
		err := cfg.Validate()
		if !errors.Is(err, directory.ErrInvalidConfig) || !strings.Contains(err.Error(), "only Active Directory accepts") {
			t.Errorf("%s with kind generic: %v", name, err)
		}
	}
}

// A DC refuses a simple bind on a plain connection (strong authentication required); StartTLS
// on the same port, with the CA, is accepted, by IP and by name.
func testADTLSRequired(t *testing.T, dc *adtest.DC) {
	cfg := adConfig(dc)
	cfg.URL, cfg.CACertPEM = dc.URL, ""
	err := newClient(t, cfg).Ping(testContext(t))
	t.Logf("plain bind: %v", err)
	if !errors.Is(err, directory.ErrEncryptionRequired) {
		t.Errorf("plain bind: want ErrEncryptionRequired, got %v", err)
	}
	for _, url := range []string{dc.URL, strings.Replace(dc.URL, "127.0.0.1", "localhost", 1)} {
		cfg := adConfig(dc)
		cfg.URL, cfg.StartTLS = url, true
		if err := newClient(t, cfg).Ping(testContext(t)); err != nil {
			t.Errorf("StartTLS on %s: %v", url, err)
		}
	}
}

// Without the DC's CA its certificate is not trusted, unless it is not verified at all.
func testADCertificates(t *testing.T, dc *adtest.DC) {
	cfg := adConfig(dc)
	cfg.CACertPEM = ""
	if err := newClient(t, cfg).Ping(testContext(t)); !errors.Is(err, directory.ErrCertificate) {
		t.Errorf("without the CA: want ErrCertificate, got %v", err)
	}
	cfg.InsecureSkipVerify = true
	if err := newClient(t, cfg).Ping(testContext(t)); err != nil {
		t.Errorf("InsecureSkipVerify: %v", err)
	}
}

// One Client serves concurrent callers: each operation has its own connection.
func testADConcurrentUse(t *testing.T, dc *adtest.DC) {
	client := newClient(t, adConfig(dc))
	ctx := testContext(t)
	travel, _ := closure("Travel", true)
	errs := make(chan error, 16)
	for i := range 16 {
		go func() {
			var err error
			if i%2 == 0 {
				var res directory.GroupResult
				res, err = client.GroupMembers(ctx, directory.GroupQuery{DN: adtest.GroupDN("Travel"), Nested: true})
				if err == nil && !slices.Equal(dnsOf(res.Members), travel) {
					err = fmt.Errorf("got members %v", dnsOf(res.Members))
				}
			} else {
				var users []directory.Entry
				users, err = client.SearchUsers(ctx, directory.FilterQuery{BaseDN: adtest.PeopleDN, Filter: "(sAMAccountName=ann)"})
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
func testADCancelledContext(t *testing.T, dc *adtest.DC) {
	ctx, cancel := context.WithCancel(testContext(t))
	cancel()
	_, err := newClient(t, adConfig(dc)).GroupMembers(ctx, directory.GroupQuery{DN: adtest.BigGroupDN})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("want context.Canceled, got %v", err)
	}
}

// guidInDN is the objectGUID in a DN the DC writes with the extended DN control.
var guidInDN = regexp.MustCompile(`^<GUID=([0-9a-f-]{36})>;`)

// An entry's ID is its objectGUID, as the DC itself writes it, and stays when the entry is
// renamed, moved to another OU and given another employeeID.
func testADEntryIDSurvivesRenameAndMove(t *testing.T, dc *adtest.DC) {
	conn := dc.Conn(t)
	dn := adtest.PersonDN("Ann Archer")
	extended, err := conn.Search(ldap.NewSearchRequest(dn, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)",
		[]string{"1.1"}, []ldap.Control{extendedDN}))
	if err != nil || len(extended.Entries) != 1 {
		t.Fatalf("read %s with the extended DN control: %v", dn, err)
	}
	m := guidInDN.FindStringSubmatch(extended.Entries[0].DN)
	if m == nil {
		t.Fatalf("the DC wrote no GUID in %q", extended.Entries[0].DN)
	}
	client := newClient(t, adConfig(dc))
	read := func(dn string) directory.Entry {
		t.Helper()
		entries, err := client.ReadEntries(testContext(t), []string{dn}, []string{"employeeID"})
		if err != nil || len(entries) != 1 {
			t.Fatalf("read %s: %v, %v", dn, entries, err)
		}
		return entries[0]
	}
	if got := read(dn).ID; got != m[1] {
		t.Fatalf("ID %q, want the objectGUID %s", got, m[1])
	}
	moved := "CN=Ann Archer-Smith," + adtest.GroupsDN
	rename := ldap.NewModifyDNRequest(dn, "CN=Ann Archer-Smith", true, adtest.GroupsDN)
	if err := conn.ModifyDN(rename); err != nil {
		t.Fatal(err)
	}
	change := ldap.NewModifyRequest(moved, nil)
	change.Replace("employeeID", []string{"A1-new"})
	if err := conn.Modify(change); err != nil {
		t.Fatal(err)
	}
	after := read(moved)
	if after.ID != m[1] || after.Value("employeeID") != "A1-new" {
		t.Errorf("after rename, move and a new employeeID: ID %q, employeeID %q; want ID %s", after.ID, after.Value("employeeID"), m[1])
	}
}

// extendedDN is LDAP_SERVER_EXTENDED_DN_OID with the value SEQUENCE { INTEGER 1 }: the DC writes
// each DN with the entry's GUID and SID in their text forms (MS-ADTS 3.1.1.3.4.1.5).
var extendedDN = ldap.NewControlString(ldap.ControlTypeMicrosoftExtendedDN, false, "\x30\x03\x02\x01\x01")

// An administrator disables an account (as samba-tool user disable does, by setting the
// ACCOUNTDISABLE bit of userAccountControl): the next read flags it.
func testADDisabledByAnAdministrator(t *testing.T, dc *adtest.DC) {
	conn := dc.Conn(t)
	dn := adtest.PersonDN("Doe, John")
	res, err := conn.Search(ldap.NewSearchRequest(dn, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)",
		[]string{"userAccountControl"}, nil))
	if err != nil || len(res.Entries) != 1 {
		t.Fatalf("read %s: %v", dn, err)
	}
	var uac int
	if _, err := fmt.Sscan(res.Entries[0].GetAttributeValue("userAccountControl"), &uac); err != nil {
		t.Fatal(err)
	}
	disable := ldap.NewModifyRequest(dn, nil)
	disable.Replace("userAccountControl", []string{fmt.Sprint(uac | 2)})
	if err := conn.Modify(disable); err != nil {
		t.Fatal(err)
	}
	got, err := newClient(t, adConfig(dc)).GroupMembers(testContext(t), directory.GroupQuery{DN: adtest.GroupDN("Travel")})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range got.Members {
		if m.Disabled != sameDN(m.DN, dn) {
			t.Errorf("%s: Disabled = %v", m.DN, m.Disabled)
		}
	}
}
