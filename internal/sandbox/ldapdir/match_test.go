package ldapdir

import (
	"slices"
	"testing"

	"github.com/go-ldap/ldap/v3"
)

const matchLDIF = `
dn: dc=corp,dc=test
objectClass: domain
dc: corp

dn: CN=Ann Lee,dc=corp,dc=test
objectClass: top
objectClass: person
objectClass: user
cn: Ann Lee
sAMAccountName: ann
mail: Ann.Lee@Corp.Test
employeeID: 42
userAccountControl: 514
whenCreated: 20230105120000.0Z

dn: cn=staff,dc=corp,dc=test
objectClass: group
cn: staff
member: cn=ann lee, dc=corp, dc=test

dn: cn=all,dc=corp,dc=test
objectClass: group
cn: all
member: cn=staff,dc=corp,dc=test

dn: cn=loop-a,dc=corp,dc=test
objectClass: group
member: cn=loop-b,dc=corp,dc=test

dn: cn=loop-b,dc=corp,dc=test
objectClass: group
member: cn=loop-a,dc=corp,dc=test
`

func TestFilterMatching(t *testing.T) {
	t.Parallel()
	entries, err := ParseLDIF(matchLDIF)
	if err != nil {
		t.Fatal(err)
	}
	st, err := newStore(entries, "distinguishedName")
	if err != nil {
		t.Fatal(err)
	}
	ann := st.get("cn=Ann Lee,dc=corp,dc=test")
	all := st.get("cn=all,dc=corp,dc=test")
	loop := st.get("cn=loop-a,dc=corp,dc=test")
	for _, tc := range []struct {
		entry  *stored
		filter string
		want   bool
	}{
		{ann, "(sAMAccountName=ANN)", true},
		{ann, "(SAMACCOUNTNAME=ann)", true},
		{ann, "(sAMAccountName=bob)", false},
		{ann, "(mail=*)", true},
		{ann, "(telephoneNumber=*)", false},
		{ann, "(mail=ann.*@corp.test)", true},
		{ann, "(mail=*lee*corp*)", true},
		{ann, "(mail=*corp*lee*)", false},
		{ann, "(mail=bob*)", false},
		{ann, "(cn=*Lee)", true},
		{ann, "(&(objectClass=user)(employeeID=42))", true},
		{ann, "(&(objectClass=user)(employeeID=43))", false},
		{ann, "(|(employeeID=43)(cn=ann lee))", true},
		{ann, "(!(objectClass=group))", true},
		{ann, "(!(objectClass=user))", false},
		{ann, "(employeeID>=9)", true}, // numeric, not text, ordering
		{ann, "(employeeID<=100)", true},
		{ann, "(employeeID>=100)", false},
		{ann, "(whenCreated>=20230101000000.0Z)", true},
		{ann, "(whenCreated<=20221231000000.0Z)", false},
		{ann, "(userAccountControl:1.2.840.113556.1.4.803:=2)", true},
		{ann, "(userAccountControl:1.2.840.113556.1.4.803:=514)", true},
		{ann, "(userAccountControl:1.2.840.113556.1.4.803:=16)", false},
		{ann, "(userAccountControl:1.2.840.113556.1.4.804:=18)", true},
		{ann, "(!(userAccountControl:1.2.840.113556.1.4.803:=2))", false},
		{ann, "(memberOf=CN=staff,DC=corp,DC=test)", true}, // derived, DN-normalized
		{ann, "(memberOf=cn=all,dc=corp,dc=test)", false},  // not direct
		{ann, "(memberOf:1.2.840.113556.1.4.1941:=cn=all,dc=corp,dc=test)", true},
		{ann, "(memberOf:1.2.840.113556.1.4.1941:=cn=loop-a,dc=corp,dc=test)", false},
		{all, "(member:1.2.840.113556.1.4.1941:=cn=ann lee,dc=corp,dc=test)", true},
		{loop, "(member:1.2.840.113556.1.4.1941:=cn=ann lee,dc=corp,dc=test)", false}, // cycle ends
		{loop, "(memberOf:1.2.840.113556.1.4.1941:=cn=loop-a,dc=corp,dc=test)", true},
		{ann, "(distinguishedName=CN=ann lee, DC=Corp,dc=test)", true}, // derived, DN-normalized
		{ann, "(distinguishedName=cn=staff,dc=corp,dc=test)", false},
		{all, "(distinguishedName=cn=staff,dc=corp,dc=test)", false}, // not a member's DN
		{ann, "(entryDN=cn=ann lee,dc=corp,dc=test)", false},         // not Active Directory's
		{ann, "(cn:=ann lee)", true},
		{ann, "(cn:9.9.9:=ann lee)", false}, // unknown rule
	} {
		filter, err := ldap.CompileFilter(tc.filter)
		if err != nil {
			t.Fatalf("%s: %v", tc.filter, err)
		}
		if got := st.matches(tc.entry, filter); got != tc.want {
			t.Errorf("%s on %s: got %v, want %v", tc.filter, tc.entry.DN, got, tc.want)
		}
	}
}

func TestNamedByDN(t *testing.T) {
	t.Parallel()
	entries, err := ParseLDIF(matchLDIF)
	if err != nil {
		t.Fatal(err)
	}
	st, err := newStore(entries, "entryDN")
	if err != nil {
		t.Fatal(err)
	}
	for filter, want := range map[string][]string{
		"(entryDN=CN=staff, DC=corp,DC=test)":                                     {"cn=staff,dc=corp,dc=test"},
		"(|(entryDN=cn=all,dc=corp,dc=test)(entryDN=cn=Ann Lee,dc=corp,dc=test))": {"CN=Ann Lee,dc=corp,dc=test", "cn=all,dc=corp,dc=test"},
		"(|(entryDN=cn=gone,dc=corp,dc=test)(entryDN=cn=loop-b,dc=corp,dc=test))": {"cn=loop-b,dc=corp,dc=test"},
		"(|(entryDN=cn=all,dc=corp,dc=test)(cn=staff))":                           nil,
		"(&(entryDN=cn=all,dc=corp,dc=test))":                                     nil,
		"(distinguishedName=cn=all,dc=corp,dc=test)":                              nil,
	} {
		compiled, err := ldap.CompileFilter(filter)
		if err != nil {
			t.Fatal(err)
		}
		named, ok := st.namedBy(compiled)
		var got []string
		for _, e := range named {
			got = append(got, e.DN)
		}
		if ok != (want != nil) || !slices.Equal(got, want) {
			t.Errorf("%s: got %v (%v), want %v", filter, got, ok, want)
		}
	}
}

func TestParseLDIF(t *testing.T) {
	t.Parallel()
	entries, err := ParseLDIF("version: 1\n# comment\n#  folded comment\ndn: cn=x,\n dc=test\ncn: x\ndescription:: aMOpbGxv\nmail: a@b\nmail: c@d\n\n\ndn: cn=y,dc=test\ncn: y\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].DN != "cn=x,dc=test" || entries[1].DN != "cn=y,dc=test" {
		t.Fatalf("entries: %+v", entries)
	}
	if got := entries[0].Values("DESCRIPTION"); len(got) != 1 || got[0] != "héllo" {
		t.Errorf("base64 value: %q", got)
	}
	if got := entries[0].Values("mail"); len(got) != 2 {
		t.Errorf("multi-valued: %q", got)
	}
	for _, bad := range []string{"cn: x\n", "dn: cn=x\nchangetype: modify\n", "dn: cn=x\nnocolon\n", "dn: cn=x\njpegPhoto:< file:///x\n"} {
		if _, err := ParseLDIF(bad); err == nil {
			t.Errorf("ParseLDIF(%q) accepted", bad)
		}
	}
}
