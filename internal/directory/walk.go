package directory

import (
	"context"
	"fmt"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// uidBatch is how many memberUid values go into one (|(uid=..)...) search.
const uidBatch = 100

// walkGroups expands the group breadth first. Every DN, group or user, is
// visited once, which both ends cycles (A contains B contains A) and returns
// a user who is in several subgroups only once.
func (c *Client) walkGroups(ctx context.Context, s *session, groupDN string, q GroupQuery) (GroupResult, error) {
	result := GroupResult{DN: groupDN}
	seen := map[string]bool{NormalizeDN(groupDN): true}
	readAttrs := WithAttributes(q.Attributes, "objectClass")
	pending := []string{groupDN}
	for len(pending) > 0 {
		group := pending[0]
		pending = pending[1:]
		refs, err := s.readGroupRefs(ctx, group)
		if err != nil {
			return GroupResult{}, err
		}
		if refs == nil {
			if group == groupDN {
				return GroupResult{}, fmt.Errorf("%w: group %q", ErrNotFound, groupDN)
			}
			result.Unresolved = append(result.Unresolved, group)
			continue
		}
		var fresh []string
		for _, dn := range refs.dns {
			if key := NormalizeDN(dn); !seen[key] {
				seen[key] = true
				fresh = append(fresh, dn)
			}
		}
		found, err := s.readMany(ctx, fresh, "(objectClass=*)", readAttrs)
		if err != nil {
			return GroupResult{}, err
		}
		for i, raw := range found {
			switch {
			case raw == nil:
				result.Unresolved = append(result.Unresolved, fresh[i])
			case isGroup(raw):
				result.Subgroups = append(result.Subgroups, raw.DN)
				if q.Nested {
					pending = append(pending, raw.DN)
				}
			default:
				result.Members = append(result.Members, project(raw, q.Attributes))
			}
		}
		if len(refs.uids) > 0 {
			byUID, err := c.resolveUIDs(ctx, s, q, groupDN, refs.uids, readAttrs)
			if err != nil {
				return GroupResult{}, err
			}
			for _, uid := range refs.uids {
				raw := byUID[uid]
				switch {
				case raw == nil:
					result.Unresolved = append(result.Unresolved, "memberUid="+uid)
				case !seen[NormalizeDN(raw.DN)]:
					seen[NormalizeDN(raw.DN)] = true
					result.Members = append(result.Members, project(raw, q.Attributes))
				}
			}
		}
	}
	if err := c.markDisabled(ctx, s, result.Members); err != nil {
		return GroupResult{}, err
	}
	sortByDN(result.Members)
	return result, nil
}

// groupRefs are a group's member values: DNs from member and uniqueMember,
// user names from memberUid.
type groupRefs struct {
	dns  []string
	uids []string
}

// readGroupRefs reads the member values of one group, following Active
// Directory's ranged retrieval; nil means the entry does not exist.
func (s *session) readGroupRefs(ctx context.Context, dn string) (*groupRefs, error) {
	raw, err := s.read(ctx, dn, "(objectClass=*)", []string{"member", "uniqueMember", "memberUid"})
	if err != nil || raw == nil {
		return nil, err
	}
	refs := &groupRefs{}
	for _, attr := range raw.Attributes {
		name, values, err := s.completeRange(ctx, dn, attr)
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

// resolveUIDs finds the entries whose uid is one of uids, under the user base.
// An entry per uid is expected; if several share one, the first wins.
func (c *Client) resolveUIDs(ctx context.Context, s *session, q GroupQuery, groupDN string, uids, attributes []string) (map[string]*ldap.Entry, error) {
	base, err := c.userBase(ctx, s, q, groupDN)
	if err != nil {
		return nil, err
	}
	byUID := map[string]*ldap.Entry{}
	for start := 0; start < len(uids); start += uidBatch {
		batch := uids[start:min(start+uidBatch, len(uids))]
		var filter strings.Builder
		filter.WriteString("(|")
		for _, uid := range batch {
			filter.WriteString("(uid=" + ldap.EscapeFilter(uid) + ")")
		}
		filter.WriteString(")")
		raw, err := s.search(ctx, base, ldap.ScopeWholeSubtree, filter.String(), WithAttributes(attributes, "uid"))
		if err != nil {
			return nil, err
		}
		for _, entry := range raw {
			for _, uid := range entry.GetEqualFoldAttributeValues("uid") {
				for _, wanted := range batch {
					if strings.EqualFold(uid, wanted) && byUID[wanted] == nil {
						byUID[wanted] = entry
					}
				}
			}
		}
	}
	return byUID, nil
}
