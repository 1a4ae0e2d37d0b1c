package adtest

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/go-ldap/ldap/v3"
)

// The domain every DC holds.
const (
	Realm     = "TEST.LAN"
	NetBIOS   = "TEST"
	BaseDN    = "DC=test,DC=lan"
	PeopleDN  = "OU=People," + BaseDN
	GroupsDN  = "OU=Groups," + BaseDN
	BulkDN    = "OU=Bulk," + BaseDN
	ServiceOU = "OU=Service Accounts," + BaseDN

	// AdminDN is the domain's Administrator, which loads the fixture and may change anything.
	AdminDN       = "CN=Administrator,CN=Users," + BaseDN
	AdminUPN      = "Administrator@test.lan"
	AdminPassword = "Adm1n-Pa55-word"

	// The service account a provider binds as: an ordinary user, by DN, UPN or down-level name.
	ServiceDN        = "CN=svc-concur," + ServiceOU
	ServiceUPN       = "svc-concur@test.lan"
	ServiceDownLevel = NetBIOS + `\svc-concur`
	ServicePassword  = "Svc-Pa55-word"

	// DomainUsersDN is the primary group of every user the fixture does not give another one:
	// its members are the users whose primaryGroupID is 513, and none is in its member values.
	DomainUsersDN = "CN=Domain Users,CN=Users," + BaseDN

	// BigGroupDN lists BigGroupSize users of BulkDN, more than the 1,500 values Active
	// Directory returns of an attribute in one read; every tenth is disabled.
	BigGroupDN   = "CN=Big," + BulkDN
	BigGroupSize = 1700
)

// Person is one user under PeopleDN.
type Person struct {
	CN         string
	Account    string // sAMAccountName; the UPN and mail are Account@test.lan
	EmployeeID string
	GivenName  string
	Surname    string
	Disabled   bool
	// PrimaryGroup is the CN of the group (under GroupsDN) that is the person's primary group;
	// empty leaves Domain Users.
	PrimaryGroup string
}

// People are the fixture's users. Ben and Dan are disabled; Cara and Dan have Contractors as
// their primary group, so they are members of it only through primaryGroupID, and members of
// Domain Users through its member values.
var People = []Person{
	{CN: "Ann Archer", Account: "ann", EmployeeID: "A1", GivenName: "Ann", Surname: "Archer"},
	{CN: "Ben Baker", Account: "ben", EmployeeID: "A2", GivenName: "Ben", Surname: "Baker", Disabled: true},
	{CN: "Zoë Ångström", Account: "zoe", EmployeeID: "A3", GivenName: "Zoë", Surname: "Ångström"},
	{CN: "Doe, John", Account: "jdoe", EmployeeID: "A4", GivenName: "John", Surname: "Doe"},
	{CN: "Cara Cole", Account: "cara", EmployeeID: "A5", GivenName: "Cara", Surname: "Cole", PrimaryGroup: "Contractors"},
	{CN: "Dan Dunn", Account: "dan", EmployeeID: "A6", GivenName: "Dan", Surname: "Dunn", Disabled: true, PrimaryGroup: "Contractors"},
}

// Groups under GroupsDN, by CN, with their members' DNs. Travel -> Sales -> EMEA -> Travel is a
// cycle; Staff lists Contractors, whose members are all primary ones.
var Groups = map[string][]string{
	"Travel":      {PersonDN("Ann Archer"), PersonDN("Doe, John"), GroupDN("Sales")},
	"Sales":       {PersonDN("Ben Baker"), GroupDN("EMEA")},
	"EMEA":        {PersonDN("Zoë Ångström"), GroupDN("Travel")},
	"Contractors": {PersonDN("Cara Cole"), PersonDN("Dan Dunn")},
	"Staff":       {PersonDN("Ann Archer"), GroupDN("Contractors")},
}

// groupOrder is the order the groups are created in.
var groupOrder = []string{"Contractors", "EMEA", "Sales", "Staff", "Travel"}

// PersonDN is the DN of the person whose CN is cn.
func PersonDN(cn string) string { return "CN=" + ldap.EscapeDN(cn) + "," + PeopleDN }

// GroupDN is the DN of the fixture group whose CN is cn.
func GroupDN(cn string) string { return "CN=" + ldap.EscapeDN(cn) + "," + GroupsDN }

// BulkUserDN is the DN of the i-th member of BigGroupDN, bulk0000 to bulk1699; its
// employeeID is B0000 to B1699.
func BulkUserDN(i int) string { return fmt.Sprintf("CN=bulk%04d,%s", i, BulkDN) }

// BulkDisabled says whether the i-th bulk user is disabled.
func BulkDisabled(i int) bool { return i%10 == 0 }

// userAccountControl flags (MS-ADTS 2.2.16).
const (
	uacAccountDisable    = 0x2
	uacPasswordNotNeeded = 0x20
	uacNormalAccount     = 0x200
	uacDontExpirePasswd  = 0x10000
)

// step is one change that loads the fixture. Its text (String) is part of the template's key,
// so a changed fixture builds a new template.
type step struct {
	add *ldap.AddRequest
	mod *ldap.ModifyRequest
	// primaryGroup makes user's primary group the group at primaryGroup: it needs the group's
	// RID, which the DC assigns when it creates the group.
	user, primaryGroup string
}

func (s step) String() string {
	var b strings.Builder
	switch {
	case s.add != nil:
		fmt.Fprintf(&b, "add %s", s.add.DN)
		for _, a := range s.add.Attributes {
			if a.Type == "unicodePwd" {
				fmt.Fprintf(&b, " %s=%s", a.Type, ServicePassword)
				continue
			}
			fmt.Fprintf(&b, " %s=%q", a.Type, a.Vals)
		}
	case s.mod != nil:
		fmt.Fprintf(&b, "modify %s", s.mod.DN)
		for _, c := range s.mod.Changes {
			fmt.Fprintf(&b, " %d:%s=%q", c.Operation, c.Modification.Type, c.Modification.Vals)
		}
	default:
		fmt.Fprintf(&b, "primary group of %s: %s", s.user, s.primaryGroup)
	}
	return b.String()
}

// fixtureSteps loads People, Groups, the bulk users with BigGroupDN and the service account.
// Users need no password (PASSWD_NOTREQD) except the service account, which binds.
func fixtureSteps() []step {
	var steps []step
	add := func(dn string, attrs ...ldap.Attribute) {
		req := ldap.NewAddRequest(dn, nil)
		req.Attributes = attrs
		steps = append(steps, step{add: req})
	}
	attr := func(name string, values ...string) ldap.Attribute { return ldap.Attribute{Type: name, Vals: values} }
	userClasses := attr("objectClass", "top", "person", "organizationalPerson", "user")
	uac := func(disabled bool) ldap.Attribute {
		flags := uacNormalAccount | uacPasswordNotNeeded
		if disabled {
			flags |= uacAccountDisable
		}
		return attr("userAccountControl", strconv.Itoa(flags))
	}

	for _, ou := range []string{PeopleDN, GroupsDN, BulkDN, ServiceOU} {
		name := strings.TrimPrefix(strings.SplitN(ou, ",", 2)[0], "OU=")
		add(ou, attr("objectClass", "top", "organizationalUnit"), attr("ou", name))
	}
	add(ServiceDN, userClasses, attr("sAMAccountName", "svc-concur"), attr("userPrincipalName", ServiceUPN),
		attr("userAccountControl", strconv.Itoa(uacNormalAccount|uacDontExpirePasswd)),
		attr("unicodePwd", unicodePassword(ServicePassword)))
	for _, p := range People {
		add(PersonDN(p.CN), userClasses, attr("sAMAccountName", p.Account), attr("userPrincipalName", p.Account+"@test.lan"),
			attr("givenName", p.GivenName), attr("sn", p.Surname), attr("displayName", p.GivenName+" "+p.Surname),
			attr("mail", p.Account+"@test.lan"), attr("employeeID", p.EmployeeID), uac(p.Disabled))
	}
	big := make([]string, BigGroupSize)
	for i := range BigGroupSize {
		name := fmt.Sprintf("bulk%04d", i)
		add(BulkUserDN(i), userClasses, attr("sAMAccountName", name), attr("mail", name+"@test.lan"),
			attr("employeeID", fmt.Sprintf("B%04d", i)), uac(BulkDisabled(i)))
		big[i] = BulkUserDN(i)
	}
	add(BigGroupDN, attr("objectClass", "top", "group"), attr("sAMAccountName", "Big"), attr("member", big...))

	// Groups are created with their users, then given their subgroups, which a cycle needs.
	for _, cn := range groupOrder {
		var users []string
		for _, m := range Groups[cn] {
			if !strings.HasSuffix(m, ","+GroupsDN) {
				users = append(users, m)
			}
		}
		attrs := []ldap.Attribute{attr("objectClass", "top", "group"), attr("sAMAccountName", cn)}
		if len(users) > 0 {
			attrs = append(attrs, attr("member", users...))
		}
		add(GroupDN(cn), attrs...)
	}
	for _, cn := range groupOrder {
		var subgroups []string
		for _, m := range Groups[cn] {
			if strings.HasSuffix(m, ","+GroupsDN) {
				subgroups = append(subgroups, m)
			}
		}
		if len(subgroups) > 0 {
			req := ldap.NewModifyRequest(GroupDN(cn), nil)
			req.Add("member", subgroups)
			steps = append(steps, step{mod: req})
		}
	}
	// Active Directory makes a group a user's primary group only when the user is a member:
	// the member value then moves into primaryGroupID, and Domain Users gains a member value.
	for _, p := range People {
		if p.PrimaryGroup != "" {
			steps = append(steps, step{user: PersonDN(p.CN), primaryGroup: GroupDN(p.PrimaryGroup)})
		}
	}
	return steps
}

// unicodePwd is the password in double quotes, in UTF-16LE (MS-ADTS 3.1.1.3.1.5.1); the DC
// accepts it over an encrypted connection only.
func unicodePassword(password string) string {
	units := utf16.Encode([]rune(`"` + password + `"`))
	raw := make([]byte, 2*len(units))
	for i, u := range units {
		binary.LittleEndian.PutUint16(raw[2*i:], u)
	}
	return string(raw)
}

// load runs the steps on conn, bound as the Administrator.
func load(ctx context.Context, conn *ldap.Conn, steps []step) error {
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		var err error
		switch {
		case s.add != nil:
			err = conn.Add(s.add)
		case s.mod != nil:
			err = conn.Modify(s.mod)
		default:
			err = setPrimaryGroup(conn, s.user, s.primaryGroup)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// setPrimaryGroup sets the user's primaryGroupID to the group's primaryGroupToken.
func setPrimaryGroup(conn *ldap.Conn, user, group string) error {
	res, err := conn.Search(ldap.NewSearchRequest(group, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=group)", []string{"primaryGroupToken"}, nil))
	if err != nil {
		return err
	}
	if len(res.Entries) != 1 || res.Entries[0].GetAttributeValue("primaryGroupToken") == "" {
		return fmt.Errorf("the DC gave no primaryGroupToken for %s", group)
	}
	req := ldap.NewModifyRequest(user, nil)
	req.Replace("primaryGroupID", []string{res.Entries[0].GetAttributeValue("primaryGroupToken")})
	return conn.Modify(req)
}
