package directory

import (
	"context"
)

// The server, not the client, decides whether an entry is disabled: the
// disabled filter may use matching rules (the Active Directory bit rule,
// generalized time ordering) that only the server implements faithfully.

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

// markDisabled sets Disabled on entries that were found one DN at a time (the
// members of a group), asking the server about each with a base search.
func (c *Client) markDisabled(ctx context.Context, s *session, entries []Entry) error {
	if c.cfg.DisabledFilter == "" || len(entries) == 0 {
		return nil
	}
	dns := make([]string, len(entries))
	for i, e := range entries {
		dns[i] = e.DN
	}
	matches, err := s.readMany(ctx, dns, c.cfg.DisabledFilter, nil)
	if err != nil {
		return err
	}
	for i, match := range matches {
		entries[i].Disabled = match != nil
	}
	return nil
}
