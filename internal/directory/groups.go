package directory

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// groupClasses are the object classes that make an entry a group, whose
// members are expanded instead of being returned as users.
var groupClasses = []string{"groupOfNames", "groupOfUniqueNames", "posixGroup", "group"}

// attributeName accepts an attribute description (name or OID, no options),
// so a naming attribute cannot smuggle filter syntax.
var attributeName = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9-]*|[0-9]+(\.[0-9]+)+)$`)

// GroupQuery names a group, by DN or by name under a base DN, and says what to
// return about its members.
type GroupQuery struct {
	// DN names the group directly. Set either DN or Name.
	DN string
	// Name is the value of NamingAttribute (default cn) of a group somewhere
	// under BaseDN.
	Name            string
	BaseDN          string
	NamingAttribute string
	// Nested includes the members of member groups, at any depth.
	Nested bool
	// UserBaseDN is where memberUid values are looked up and where memberOf
	// searches (Active Directory, TransitiveMemberOf) look for members; it
	// defaults to the naming context holding the group.
	UserBaseDN string
	// Attributes to return for each member.
	Attributes []string
}

// GroupResult is a group's membership. Nothing is dropped silently: a member
// value that names no readable entry is listed in Unresolved.
type GroupResult struct {
	// DN of the group, as the server spells it when it was found by name.
	DN string
	// Members are the user (non-group) members, sorted by DN, each once.
	Members []Entry
	// Subgroups are the groups met among the members: expanded when Nested,
	// otherwise only listed.
	Subgroups []string
	// Unresolved are the member values with no readable entry behind them.
	Unresolved []UnresolvedMember
}

// UnresolvedMember is a group's member value that names no readable entry: a DN (a deleted
// user the group still lists, or one the bind account may not read), or the user name of a
// memberUid value that matches no entry.
type UnresolvedMember struct {
	DN  string // of a member or uniqueMember value
	UID string // of a memberUid value
}

// String names the value as messages show it: the DN, or memberUid=<uid>.
func (m UnresolvedMember) String() string {
	if m.UID != "" {
		return "memberUid=" + m.UID
	}
	return m.DN
}

// NamedByUnresolved returns whether one of the members names the entry a DN points at: the
// same DN, or for a memberUid an entry whose RDN is that uid, the only tie between a DN and a
// user name that a DN carries.
func NamedByUnresolved(members []UnresolvedMember) func(dn string) bool {
	dns, uids := map[string]bool{}, map[string]bool{}
	for _, m := range members {
		if m.UID != "" {
			uids[strings.ToLower(m.UID)] = true
		} else {
			dns[NormalizeDN(m.DN)] = true
		}
	}
	return func(dn string) bool {
		if dns[NormalizeDN(dn)] {
			return true
		}
		parsed, err := ldap.ParseDN(dn)
		if err != nil || len(parsed.RDNs) == 0 || len(parsed.RDNs[0].Attributes) != 1 {
			return false
		}
		rdn := parsed.RDNs[0].Attributes[0]
		return strings.EqualFold(rdn.Type, "uid") && uids[strings.ToLower(rdn.Value)]
	}
}

// Validate checks the query without contacting the server.
func (q GroupQuery) Validate() error {
	switch {
	case q.DN != "" && q.Name != "":
		return fmt.Errorf("%w: name the group by DN or by name, not both", ErrInvalidConfig)
	case q.DN != "":
		if err := ValidateDN(q.DN); err != nil {
			return fmt.Errorf("%w: group DN: %v", ErrInvalidConfig, err)
		}
	case q.Name != "":
		if err := ValidateDN(q.BaseDN); err != nil {
			return fmt.Errorf("%w: a group named by name needs a base DN: %v", ErrInvalidConfig, err)
		}
		if q.NamingAttribute != "" && !attributeName.MatchString(q.NamingAttribute) {
			return fmt.Errorf("%w: naming attribute %q is not an attribute name", ErrInvalidConfig, q.NamingAttribute)
		}
	default:
		return fmt.Errorf("%w: the group needs a DN or a name", ErrInvalidConfig)
	}
	if q.UserBaseDN != "" {
		if err := ValidateDN(q.UserBaseDN); err != nil {
			return fmt.Errorf("%w: user base DN: %v", ErrInvalidConfig, err)
		}
	}
	return nil
}

// GroupMembers returns the members of the group.
//
// On Active Directory the group's member values are never read (so ranged retrieval is not
// needed): paged (memberOf=<group>) searches find the members, one search per level of
// nesting, together with the group's primary members (see readADGroup). Unresolved stays
// empty there: a DC keeps member and memberOf in step and holds no value that names a deleted
// entry. A server with TransitiveMemberOf expands nesting with one (memberOf=<group>) search.
// Otherwise the group's member values are read and their entries looked up a page of DNs per
// search, and nested groups are expanded here, visiting each group once so that cycles end.
func (c *Client) GroupMembers(ctx context.Context, q GroupQuery) (GroupResult, error) {
	if err := q.Validate(); err != nil {
		return GroupResult{}, err
	}
	var result GroupResult
	err := c.withSession(ctx, func(s *session) error {
		groupDN, err := findGroup(ctx, s, q)
		if err != nil {
			return err
		}
		switch {
		case c.cfg.Kind == KindActiveDirectory:
			result, err = c.readADGroup(ctx, s, groupDN, q)
		case q.Nested && c.cfg.TransitiveMemberOf:
			result, err = c.searchMembers(ctx, s, groupDN, q)
		default:
			result, err = c.walkGroups(ctx, s, groupDN, q)
		}
		return err
	})
	return result, err
}

// findGroup returns the DN of the group the query names.
func findGroup(ctx context.Context, s *session, q GroupQuery) (string, error) {
	if q.DN != "" {
		return q.DN, nil
	}
	attr := q.NamingAttribute
	if attr == "" {
		attr = "cn"
	}
	filter := fmt.Sprintf("(&(%s=%s)%s)", attr, ldap.EscapeFilter(q.Name), anyGroupClass())
	raw, err := s.search(ctx, q.BaseDN, ldap.ScopeWholeSubtree, filter, nil)
	if err != nil {
		return "", err
	}
	switch len(raw) {
	case 0:
		return "", fmt.Errorf("%w: no group with %s=%q under %q", ErrNotFound, attr, q.Name, q.BaseDN)
	case 1:
		return raw[0].DN, nil
	}
	dns := make([]string, len(raw))
	for i, r := range raw {
		dns[i] = r.DN
	}
	return "", fmt.Errorf("%w: %s=%q under %q names %d groups: %s", ErrAmbiguous, attr, q.Name, q.BaseDN, len(raw), strings.Join(dns, "; "))
}

// searchMembers asks a server that computes nested memberOf for every entry whose memberOf
// includes the group, in one paged search. Groups among them are told apart by objectClass
// here: a filter naming a class the server's schema lacks (posixGroup, group) would be
// Undefined and match nothing.
func (c *Client) searchMembers(ctx context.Context, s *session, groupDN string, q GroupQuery) (GroupResult, error) {
	group, err := s.read(ctx, groupDN, anyGroupClass(), nil)
	if err != nil {
		return GroupResult{}, err
	}
	if group == nil {
		return GroupResult{}, fmt.Errorf("%w: group %q", ErrNotFound, groupDN)
	}
	base, err := c.userBase(ctx, s, q, groupDN)
	if err != nil {
		return GroupResult{}, err
	}
	filter := "(memberOf=" + ldap.EscapeFilter(group.DN) + ")"
	raw, disabled, err := c.searchWithDisabled(ctx, s, base, ldap.ScopeWholeSubtree, filter, WithAttributes(q.Attributes, "objectClass"))
	if err != nil {
		return GroupResult{}, err
	}
	result := GroupResult{DN: group.DN}
	for _, r := range raw {
		if NormalizeDN(r.DN) == NormalizeDN(group.DN) {
			continue // in a cycle the group is its own transitive member
		}
		if isGroup(r) {
			result.Subgroups = append(result.Subgroups, r.DN)
			continue
		}
		entry := project(r, q.Attributes)
		entry.Disabled = disabled[NormalizeDN(r.DN)]
		result.Members = append(result.Members, entry)
	}
	sortByDN(result.Members)
	return result, nil
}

// userBase is where members are searched for: the query's UserBaseDN or
// else the naming context that holds the group: on Active Directory the
// domain its DN ends in, otherwise the one the root DSE names.
func (c *Client) userBase(ctx context.Context, s *session, q GroupQuery, groupDN string) (string, error) {
	if q.UserBaseDN != "" {
		return q.UserBaseDN, nil
	}
	if c.cfg.Kind == KindActiveDirectory {
		if domain, ok := domainOf(groupDN); ok {
			return domain, nil
		}
	}
	root, err := s.read(ctx, "", "(objectClass=*)", []string{"namingContexts", "defaultNamingContext"})
	if err != nil {
		return "", err
	}
	if root != nil {
		group, err := ldap.ParseDN(groupDN)
		if err != nil {
			return "", fmt.Errorf("%w: group DN %q: %v", ErrInvalidConfig, groupDN, err)
		}
		for _, nc := range root.GetAttributeValues("namingContexts") {
			if parsed, err := ldap.ParseDN(nc); err == nil && (parsed.AncestorOfFold(group) || parsed.EqualFold(group)) {
				return nc, nil
			}
		}
		if nc := root.GetAttributeValue("defaultNamingContext"); nc != "" {
			return nc, nil
		}
	}
	return "", fmt.Errorf("%w: the server names no naming context holding %q; set the user base DN", ErrInvalidConfig, groupDN)
}

// domainOf is the domain naming context an Active Directory DN lies in: its trailing DC=
// components (DC=corp,DC=example,DC=com, or DC=DomainDnsZones,... for that partition).
func domainOf(dn string) (string, bool) {
	parsed, err := ldap.ParseDN(dn)
	if err != nil {
		return "", false
	}
	first := len(parsed.RDNs)
	for first > 0 && isDomainComponent(parsed.RDNs[first-1]) {
		first--
	}
	if first == len(parsed.RDNs) {
		return "", false
	}
	return (&ldap.DN{RDNs: parsed.RDNs[first:]}).String(), true
}

func isDomainComponent(rdn *ldap.RelativeDN) bool {
	return len(rdn.Attributes) == 1 && strings.EqualFold(rdn.Attributes[0].Type, "dc")
}

func anyGroupClass() string {
	var b strings.Builder
	b.WriteString("(|")
	for _, class := range groupClasses {
		b.WriteString("(objectClass=" + class + ")")
	}
	b.WriteString(")")
	return b.String()
}

func isGroup(raw *ldap.Entry) bool {
	for _, class := range raw.GetEqualFoldAttributeValues("objectClass") {
		if containsFold(groupClasses, class) {
			return true
		}
	}
	return false
}
