package directory

import (
	"context"
	"fmt"

	"github.com/go-ldap/ldap/v3"
)

// Scope is how far below BaseDN a filter source searches.
type Scope string

const (
	ScopeBase Scope = "base" // the base entry only
	ScopeOne  Scope = "one"  // its immediate children
	ScopeSub  Scope = "sub"  // the whole subtree (the default)
)

func (s Scope) ldapScope() (int, error) {
	switch s {
	case ScopeBase:
		return ldap.ScopeBaseObject, nil
	case ScopeOne:
		return ldap.ScopeSingleLevel, nil
	case ScopeSub, "":
		return ldap.ScopeWholeSubtree, nil
	}
	return 0, fmt.Errorf("%w: scope %q: must be base, one or sub", ErrInvalidConfig, s)
}

// FilterQuery selects users by an LDAP filter under a base DN.
type FilterQuery struct {
	BaseDN string
	// Filter defaults to (objectClass=*).
	Filter string
	Scope  Scope
	// Attributes to return for each entry.
	Attributes []string
}

// Validate checks the query without contacting the server.
func (q FilterQuery) Validate() error {
	if err := ValidateDN(q.BaseDN); err != nil {
		return fmt.Errorf("%w: base DN: %v", ErrInvalidConfig, err)
	}
	if q.Filter != "" {
		if err := ValidateFilter(q.Filter); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalidConfig, err)
		}
	}
	_, err := q.Scope.ldapScope()
	return err
}

// SearchUsers returns every entry that matches the query, sorted by DN, with
// Disabled set from the server's answer to the disabled filter.
func (c *Client) SearchUsers(ctx context.Context, q FilterQuery) ([]Entry, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	var entries []Entry
	err := c.withSession(ctx, func(s *session) error {
		var err error
		entries, err = c.searchUsers(ctx, s, q)
		return err
	})
	return entries, err
}

func (c *Client) searchUsers(ctx context.Context, s *session, q FilterQuery) ([]Entry, error) {
	filter := q.Filter
	if filter == "" {
		filter = "(objectClass=*)"
	}
	scope, _ := q.Scope.ldapScope() // checked by Validate
	raw, disabled, err := c.searchWithDisabled(ctx, s, q.BaseDN, scope, filter, q.Attributes)
	if err != nil {
		return nil, err
	}
	entries := make([]Entry, 0, len(raw))
	for _, r := range raw {
		entry := project(r, q.Attributes)
		entry.Disabled = disabled[NormalizeDN(r.DN)]
		entries = append(entries, entry)
	}
	sortByDN(entries)
	return entries, nil
}

// searchWithDisabled runs the paged search and tells which of its entries the
// server considers disabled, by normalized DN; a search that finds no one needs no second one.
func (c *Client) searchWithDisabled(ctx context.Context, s *session, base string, scope int, filter string, attributes []string) ([]*ldap.Entry, map[string]bool, error) {
	raw, err := s.search(ctx, base, scope, filter, attributes)
	if err != nil {
		return nil, nil, err
	}
	if len(raw) == 0 {
		return raw, map[string]bool{}, nil
	}
	disabled, err := c.disabledIn(ctx, s, base, scope, filter)
	if err != nil {
		return nil, nil, err
	}
	return raw, disabled, nil
}

// ReadEntries reads the entries the DNs name, such as the managers a mapping refers to, with the
// given attributes, a page of DNs per search. A DN that names no entry is left out, not an error.
func (c *Client) ReadEntries(ctx context.Context, dns []string, attributes []string) ([]Entry, error) {
	for _, dn := range dns {
		if err := ValidateDN(dn); err != nil {
			return nil, fmt.Errorf("%w: %q: %v", ErrInvalidConfig, dn, err)
		}
	}
	var entries []Entry
	err := c.withSession(ctx, func(s *session) error {
		for rest := dns; len(rest) > 0; {
			n := takeBatch(rest, func(dn string) string { return dnTerm(s.dnAttribute, dn) }, int(s.pageSize), filterBudget)
			results, err := s.readBatch(ctx, rest[:n], attributes)
			if err != nil {
				return err
			}
			rest = rest[n:]
			for _, r := range results {
				if r.entry != nil {
					entries = append(entries, project(r.entry, attributes))
				}
			}
		}
		return nil
	})
	return entries, err
}
