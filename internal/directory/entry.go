package directory

import (
	"sort"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// Entry is one directory entry as the provider sees it.
type Entry struct {
	DN string
	// Attributes holds only the requested attributes the entry has, keyed by
	// the name as requested (the server's spelling may differ in case).
	Attributes map[string][]string
	// Disabled is true when the server matched the entry against the
	// configured disabled filter (on Active Directory the ACCOUNTDISABLE bit).
	Disabled bool
}

// Value returns the first value of attribute, or "" when the entry has none.
func (e Entry) Value(attribute string) string {
	if values := e.Attributes[attribute]; len(values) > 0 {
		return values[0]
	}
	return ""
}

// project keeps the requested attributes of a go-ldap entry.
func project(raw *ldap.Entry, requested []string) Entry {
	entry := Entry{DN: raw.DN, Attributes: map[string][]string{}}
	for _, name := range requested {
		for _, attr := range raw.Attributes {
			if strings.EqualFold(attr.Name, name) && len(attr.Values) > 0 {
				entry.Attributes[name] = append(entry.Attributes[name], attr.Values...)
			}
		}
	}
	return entry
}

func sortByDN(entries []Entry) {
	sort.Slice(entries, func(i, j int) bool { return NormalizeDN(entries[i].DN) < NormalizeDN(entries[j].DN) })
}

// withAttributes returns requested plus the extra attributes the client needs
// for itself, without duplicates.
func WithAttributes(requested []string, extra ...string) []string {
	all := append([]string{}, requested...)
	for _, name := range extra {
		if !containsFold(all, name) {
			all = append(all, name)
		}
	}
	return all
}

func containsFold(list []string, s string) bool {
	for _, item := range list {
		if strings.EqualFold(item, s) {
			return true
		}
	}
	return false
}
