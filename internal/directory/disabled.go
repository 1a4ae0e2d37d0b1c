package directory

import (
	"context"
	"fmt"

	"github.com/go-ldap/ldap/v3"
)

// The server, not the client, decides whether an entry is disabled: the
// disabled filter may use matching rules (the Active Directory bit rule,
// generalized time ordering) that only the server implements faithfully.
// Only the entries the server returns for a filter that includes the disabled
// filter are disabled; a filter the server cannot evaluate (Undefined) returns
// none, so it disables nobody, never everyone.

// disabledIn returns the normalized DNs of the entries that match both filter
// and the disabled filter, with one more paged search that returns DNs only.
// Disabled accounts are few, so this costs little even for a large source.
func (c *Client) disabledIn(ctx context.Context, s *session, base string, scope int, filter string) (map[string]bool, error) {
	disabled := map[string]bool{}
	if c.cfg.DisabledFilter == "" {
		return disabled, nil
	}
	raw, err := s.search(ctx, base, scope, "(&"+filter+c.cfg.DisabledFilter+")", nil)
	if err != nil {
		return nil, err
	}
	for _, r := range raw {
		disabled[NormalizeDN(r.DN)] = true
	}
	return disabled, nil
}

// markDisabled sets Disabled on the members of a group, which were read by DN rather than
// found by one filter. members[i] was read as read[i].
//
// First it asks for every disabled entry under the members' common ancestor, DNs only, for
// as many pages as asking about the members themselves would take: where disabled accounts
// are few, one request answers for the whole group. Where they are more, it asks about the
// members: by DN for those a search by DN found, a filterBudget of DNs per search, and with a
// base search each for the others.
func (c *Client) markDisabled(ctx context.Context, s *session, members []Entry, read []found) error {
	if c.cfg.DisabledFilter == "" || len(members) == 0 {
		return nil
	}
	var all, bySearch, byRead []string
	for i, m := range members {
		all = append(all, m.DN)
		if read[i].bySearch {
			bySearch = append(bySearch, m.DN)
		} else {
			byRead = append(byRead, m.DN)
		}
	}
	chunks := c.disabledChunks(bySearch)
	disabled, err := c.disabledUnder(ctx, s, all, len(chunks)+len(byRead))
	if err != nil {
		return err
	}
	if disabled == nil {
		if disabled, err = c.disabledAmong(ctx, s, chunks, byRead); err != nil {
			return err
		}
	}
	for i := range members {
		members[i].Disabled = disabled[NormalizeDN(members[i].DN)]
	}
	return nil
}

// disabledUnder returns the normalized DNs of every disabled entry under the common ancestor of
// dns, or nil when that takes more than maxPages pages or the server refuses the search.
func (c *Client) disabledUnder(ctx context.Context, s *session, dns []string, maxPages int) (map[string]bool, error) {
	base, ok := commonAncestor(dns)
	if !ok {
		return nil, nil
	}
	raw, complete, err := s.searchPages(base, ldap.ScopeWholeSubtree, c.cfg.DisabledFilter, nil, maxPages)
	switch {
	case refused(err), err == nil && !complete:
		return nil, nil
	case err != nil:
		return nil, classify(ctx, fmt.Sprintf("search %s under %q", c.cfg.DisabledFilter, base), err)
	}
	disabled := make(map[string]bool, len(raw))
	for _, r := range raw {
		disabled[NormalizeDN(r.DN)] = true
	}
	return disabled, nil
}

// disabledChunks splits dns into the lists that one (&<disabled filter>(|(entryDN=...)...))
// search each can ask about.
func (c *Client) disabledChunks(dns []string) [][]string {
	term := func(dn string) string { return dnTerm(c.dnAttribute, dn) }
	var chunks [][]string
	for len(dns) > 0 {
		n := takeBatch(dns, term, 0, filterBudget-len(c.cfg.DisabledFilter))
		chunks = append(chunks, dns[:n])
		dns = dns[n:]
	}
	return chunks
}

// disabledAmong asks the server which of the members are disabled: a search per chunk of DNs
// that a search by DN found (the disabled filter first, so that the server tests the long list
// of DNs only on the few disabled entries), and a base search for each of the others, or for a
// chunk whose search the server refuses.
func (c *Client) disabledAmong(ctx context.Context, s *session, chunks [][]string, byRead []string) (map[string]bool, error) {
	disabled := map[string]bool{}
	for _, chunk := range chunks {
		base, ok := commonAncestor(chunk)
		if !ok { // members in several naming contexts
			byRead = append(byRead, chunk...)
			continue
		}
		filter := "(&" + c.cfg.DisabledFilter + anyOf(chunk, func(dn string) string { return dnTerm(c.dnAttribute, dn) }) + ")"
		raw, _, err := s.searchPages(base, ldap.ScopeWholeSubtree, filter, nil, 0)
		switch {
		case refused(err):
			byRead = append(byRead, chunk...)
		case err != nil:
			return nil, classify(ctx, fmt.Sprintf("search %s among %d entries under %q", c.cfg.DisabledFilter, len(chunk), base), err)
		}
		for _, r := range raw {
			disabled[NormalizeDN(r.DN)] = true
		}
	}
	matches, err := s.readMany(ctx, byRead, c.cfg.DisabledFilter, nil)
	if err != nil {
		return nil, err
	}
	for i, match := range matches {
		if match != nil {
			disabled[NormalizeDN(byRead[i])] = true
		}
	}
	return disabled, nil
}
