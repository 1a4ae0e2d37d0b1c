package directory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// groupRefAttributes hold a group's member values.
var groupRefAttributes = []string{"member", "uniqueMember", "memberUid"}

// walkGroups expands the group here. It first reads every entry the group's member values
// reach (readMembers, a page of DNs per search), then assembles the result breadth first from
// what it read, visiting every DN once, which both ends cycles (A contains B contains A) and
// returns a user who is in several subgroups only once.
func (c *Client) walkGroups(ctx context.Context, s *session, groupDN string, q GroupQuery) (GroupResult, error) {
	root, err := s.readGroupRefs(ctx, groupDN)
	if err != nil {
		return GroupResult{}, err
	}
	if root == nil {
		return GroupResult{}, fmt.Errorf("%w: group %q", ErrNotFound, groupDN)
	}
	read, err := c.readMembers(ctx, s, q, groupDN, root)
	if err != nil {
		return GroupResult{}, err
	}
	result, members := read.assemble(groupDN, root, q.Nested)
	for _, m := range members {
		result.Members = append(result.Members, project(m.entry, q.Attributes))
	}
	if err := c.markDisabled(ctx, s, result.Members, members); err != nil {
		return GroupResult{}, err
	}
	sortByDN(result.Members)
	return result, nil
}

// walked is what the walk read: the entry behind each DN value, by its normalized form, and
// the entry behind each memberUid value.
type walked struct {
	byDN  map[string]*walkedDN
	byUID map[string]*ldap.Entry
}

type walkedDN struct {
	found
	// refs are the member values of a group the walk expands.
	refs *groupRefs
}

// readMembers reads every entry the member values of the group (and, when nested, of the
// groups among them) name. DNs wait in one queue, so a batch is cut short only when the queue
// runs dry. Subgroups are read as early as possible, so that their members join the queue
// before it does: a group's values go to the front of the queue, those in containers that
// hold few of them first, since groups usually live apart from the users they list.
func (c *Client) readMembers(ctx context.Context, s *session, q GroupQuery, groupDN string, root *groupRefs) (*walked, error) {
	read := &walked{byDN: map[string]*walkedDN{NormalizeDN(groupDN): {refs: root}}}
	var queue, uids []string
	enqueue := func(refs *groupRefs) {
		var fresh []string
		for _, dn := range refs.dns {
			if key := NormalizeDN(dn); read.byDN[key] == nil {
				read.byDN[key] = &walkedDN{}
				fresh = append(fresh, dn)
			}
		}
		queue = append(fewestPerContainerFirst(fresh), queue...)
		uids = append(uids, refs.uids...)
	}
	enqueue(root)
	attributes := WithAttributes(q.Attributes, "objectClass")
	if q.Nested {
		attributes = WithAttributes(attributes, groupRefAttributes...)
	}
	for len(queue) > 0 {
		n := takeBatch(queue, func(dn string) string { return dnTerm(s.dnAttribute, dn) }, int(s.pageSize), filterBudget)
		batch := queue[:n]
		queue = queue[n:]
		results, err := s.readBatch(ctx, batch, attributes)
		if err != nil {
			return nil, err
		}
		for i, dn := range batch {
			value := read.byDN[NormalizeDN(dn)]
			value.found = results[i]
			if q.Nested && value.entry != nil && isGroup(value.entry) {
				if value.refs, err = s.groupRefsOf(ctx, value.entry); err != nil {
					return nil, err
				}
				enqueue(value.refs)
			}
		}
	}
	if len(uids) > 0 {
		var err error
		if read.byUID, err = c.resolveUIDs(ctx, s, q, groupDN, uids, WithAttributes(q.Attributes, "objectClass")); err != nil {
			return nil, err
		}
	}
	return read, nil
}

// fewestPerContainerFirst orders dns by how many of them share their parent, fewest first,
// keeping the order of those that tie.
func fewestPerContainerFirst(dns []string) []string {
	parent := make(map[string]string, len(dns))
	count := map[string]int{}
	for _, dn := range dns {
		if parsed, err := ldap.ParseDN(dn); err == nil && len(parsed.RDNs) > 1 {
			parent[dn] = strings.ToLower((&ldap.DN{RDNs: parsed.RDNs[1:]}).String())
		}
		count[parent[dn]]++
	}
	sorted := slices.Clone(dns)
	slices.SortStableFunc(sorted, func(a, b string) int { return cmp.Compare(count[parent[a]], count[parent[b]]) })
	return sorted
}

// assemble lists the group's members, subgroups and unresolved values from what was read,
// breadth first and in the order the groups list them.
func (read *walked) assemble(groupDN string, root *groupRefs, nested bool) (GroupResult, []found) {
	result := GroupResult{DN: groupDN}
	var members []found
	seen := map[string]bool{NormalizeDN(groupDN): true}
	pending := []*groupRefs{root}
	for len(pending) > 0 {
		refs := pending[0]
		pending = pending[1:]
		for _, dn := range refs.dns {
			key := NormalizeDN(dn)
			if seen[key] {
				continue
			}
			seen[key] = true
			value := read.byDN[key]
			switch {
			case value.entry == nil:
				result.Unresolved = append(result.Unresolved, UnresolvedMember{DN: dn})
			case isGroup(value.entry):
				result.Subgroups = append(result.Subgroups, value.entry.DN)
				if nested {
					pending = append(pending, value.refs)
				}
			default:
				members = append(members, value.found)
			}
		}
		for _, uid := range refs.uids {
			entry := read.byUID[uid]
			switch {
			case entry == nil:
				result.Unresolved = append(result.Unresolved, UnresolvedMember{UID: uid})
			case !seen[NormalizeDN(entry.DN)]:
				seen[NormalizeDN(entry.DN)] = true
				members = append(members, found{entry: entry})
			}
		}
	}
	return result, members
}

// groupRefs are a group's member values: DNs from member and uniqueMember,
// user names from memberUid.
type groupRefs struct {
	dns  []string
	uids []string
}

// readGroupRefs reads the member values of one group; nil means the entry does not exist.
func (s *session) readGroupRefs(ctx context.Context, dn string) (*groupRefs, error) {
	raw, err := s.read(ctx, dn, "(objectClass=*)", groupRefAttributes)
	if err != nil || raw == nil {
		return nil, err
	}
	return s.groupRefsOf(ctx, raw)
}

// groupRefsOf collects the member values of a group entry, following Active Directory's ranged
// retrieval.
func (s *session) groupRefsOf(ctx context.Context, raw *ldap.Entry) (*groupRefs, error) {
	refs := &groupRefs{}
	for _, attr := range raw.Attributes {
		if name, _, _ := parseRange(attr.Name); !containsFold(groupRefAttributes, name) {
			continue
		}
		name, values, err := s.completeRange(ctx, raw.DN, attr)
		if err != nil {
			return nil, err
		}
		switch strings.ToLower(name) {
		case "member":
			refs.dns = append(refs.dns, values...)
		case "uniquemember":
			for _, v := range values {
				refs.dns = append(refs.dns, stripOptionalUID(v))
			}
		case "memberuid":
			refs.uids = append(refs.uids, values...)
		}
	}
	return refs, nil
}

// stripOptionalUID removes the "#'0101'B" suffix a uniqueMember value may
// carry (RFC 4517 Name and Optional UID).
func stripOptionalUID(value string) string {
	if i := strings.LastIndex(value, "#'"); i > 0 && strings.HasSuffix(value, "'B") {
		return value[:i]
	}
	return value
}

// resolveUIDs finds the entries whose uid is one of uids, under the user base, a page of uids
// per search. An entry per uid is expected; if several share one, the first wins.
func (c *Client) resolveUIDs(ctx context.Context, s *session, q GroupQuery, groupDN string, uids, attributes []string) (map[string]*ldap.Entry, error) {
	base, err := c.userBase(ctx, s, q, groupDN)
	if err != nil {
		return nil, err
	}
	// Each spelling of a uid is looked up once, however many groups list it.
	spellings := map[string][]string{}
	var distinct []string
	for _, uid := range uids {
		key := strings.ToLower(uid)
		if !slices.Contains(spellings[key], uid) {
			spellings[key] = append(spellings[key], uid)
			distinct = append(distinct, uid)
		}
	}
	uidTerm := func(uid string) string { return "(uid=" + ldap.EscapeFilter(uid) + ")" }
	byUID := map[string]*ldap.Entry{}
	for len(distinct) > 0 {
		n := takeBatch(distinct, uidTerm, int(s.pageSize), filterBudget)
		batch := distinct[:n]
		distinct = distinct[n:]
		raw, _, err := s.searchPages(base, ldap.ScopeWholeSubtree, anyOf(batch, uidTerm), WithAttributes(attributes, "uid"), 0)
		if err != nil {
			return nil, classify(ctx, fmt.Sprintf("search for %d memberUid values under %q", len(batch), base), err)
		}
		for _, entry := range raw {
			for _, uid := range entry.GetEqualFoldAttributeValues("uid") {
				for _, wanted := range spellings[strings.ToLower(uid)] {
					if byUID[wanted] == nil {
						byUID[wanted] = entry
					}
				}
			}
		}
	}
	return byUID, nil
}
