package directory

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"

	"github.com/go-ldap/ldap/v3"
)

// Two facts shape how a group is read on Active Directory.
//
// A user is not in the member values of the user's primary group (Domain Users, for most
// users): the user's primaryGroupID holds the group's relative identifier instead, its
// primaryGroupToken, which is the last part of the group's objectSid. Neither memberOf nor
// the in-chain matching rule sees that membership, so every group is asked for with
// (primaryGroupID=<RID>) beside (memberOf=<group>).
//
// Nesting is followed level by level, with equality filters on memberOf, instead of with the
// in-chain rule (memberOf:1.2.840.113556.1.4.1941:=<group>) in one search: Samba's DC
// evaluates that rule on every entry under the base (1.2 s for a domain of 1,900 entries,
// against 14 ms for the equality search), and the level-by-level walk also finds the primary
// members of the subgroups. It costs one search per level (with its pages) instead of one.

// readADGroup reads the group, then searches for its members (and, nested, level by level for
// the members of the groups found among them) and finally for the disabled ones among all.
func (c *Client) readADGroup(ctx context.Context, s *session, groupDN string, q GroupQuery) (GroupResult, error) {
	group, err := s.read(ctx, groupDN, anyGroupClass(), []string{"objectSid"})
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
	attributes := WithAttributes(q.Attributes, "objectClass")
	if q.Nested {
		attributes = WithAttributes(attributes, "objectSid")
	}
	result := GroupResult{DN: group.DN}
	seen := map[string]bool{NormalizeDN(group.DN): true}
	var members []*ldap.Entry
	var terms []string
	for level := []*ldap.Entry{group}; len(level) > 0; {
		levelTerms := membershipTerms(level, base)
		terms = append(terms, levelTerms...)
		level = nil
		for _, filter := range anyOfTerms(levelTerms, filterBudget) {
			raw, err := s.search(ctx, base, ldap.ScopeWholeSubtree, filter, attributes)
			if err != nil {
				return GroupResult{}, err
			}
			for _, r := range raw {
				key := NormalizeDN(r.DN)
				switch {
				case seen[key]: // a member of two groups, or a cycle back to a group read before
				case isGroup(r):
					result.Subgroups = append(result.Subgroups, r.DN)
					if q.Nested {
						level = append(level, r)
					}
				default:
					members = append(members, r)
				}
				seen[key] = true
			}
		}
	}
	disabled, err := c.disabledMembers(ctx, s, base, terms, len(members))
	if err != nil {
		return GroupResult{}, err
	}
	for _, r := range members {
		entry := project(r, q.Attributes)
		entry.Disabled = disabled[NormalizeDN(r.DN)]
		result.Members = append(result.Members, entry)
	}
	sortByDN(result.Members)
	return result, nil
}

// membershipTerms are the filters matching the members of groups: (memberOf=<group>) for each,
// and (primaryGroupID=<RID>) for each group of the domain base lies in. A primaryGroupID is
// relative to the user's own domain, so a group of another domain must not match the users
// under base.
func membershipTerms(groups []*ldap.Entry, base string) []string {
	baseDomain, inDomain := domainOf(base)
	var terms []string
	for _, g := range groups {
		terms = append(terms, "(memberOf="+ldap.EscapeFilter(g.DN)+")")
		domain, ok := domainOf(g.DN)
		if !inDomain || !ok || NormalizeDN(domain) != NormalizeDN(baseDomain) {
			continue
		}
		if rid, ok := domainRID(g.GetEqualFoldRawAttributeValue("objectSid")); ok {
			terms = append(terms, fmt.Sprintf("(primaryGroupID=%d)", rid))
		}
	}
	return terms
}

// anyOfTerms ORs terms into as few filters as budget bytes allow.
func anyOfTerms(terms []string, budget int) []string {
	same := func(term string) string { return term }
	var filters []string
	for len(terms) > 0 {
		n := takeBatch(terms, same, 0, budget)
		filters = append(filters, anyOf(terms[:n], same))
		terms = terms[n:]
	}
	return filters
}

// disabledMembers returns the normalized DNs of the disabled entries matching any of the
// membership terms: a search of DNs only, whose pages hold the disabled members alone.
func (c *Client) disabledMembers(ctx context.Context, s *session, base string, terms []string, members int) (map[string]bool, error) {
	disabled := map[string]bool{}
	if c.cfg.DisabledFilter == "" || members == 0 {
		return disabled, nil
	}
	for _, filter := range anyOfTerms(terms, filterBudget-len(c.cfg.DisabledFilter)) {
		raw, err := s.search(ctx, base, ldap.ScopeWholeSubtree, "(&"+c.cfg.DisabledFilter+filter+")", nil)
		if err != nil {
			return nil, err
		}
		for _, r := range raw {
			disabled[NormalizeDN(r.DN)] = true
		}
	}
	return disabled, nil
}

// ntAuthority and domainSubAuthority begin the SID of every domain account, S-1-5-21-...; a
// builtin group (S-1-5-32-...) is no one's primary group.
var ntAuthority = []byte{0, 0, 0, 0, 0, 5}

const domainSubAuthority = 21

// domainRID is the relative identifier of a domain account's binary SID: its last
// sub-authority. A SID is a revision (1), the count of sub-authorities, a 6-byte big-endian
// authority and the sub-authorities, 4 bytes little-endian each.
func domainRID(sid []byte) (uint32, bool) {
	if len(sid) < 8 || sid[0] != 1 {
		return 0, false
	}
	count := int(sid[1])
	if count < 2 || len(sid) != 8+4*count || !bytes.Equal(sid[2:8], ntAuthority) ||
		binary.LittleEndian.Uint32(sid[8:12]) != domainSubAuthority {
		return 0, false
	}
	return binary.LittleEndian.Uint32(sid[len(sid)-4:]), true
}
