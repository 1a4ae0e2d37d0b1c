package directory

import (
	"context"
	"fmt"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// filterBudget bounds the length of a filter that lists entries (by DN or uid). OpenLDAP closes
// the connection of an anonymous client whose request passes 256 KiB (sockbuf_max_incoming,
// measured); bound clients may send 4 MiB to OpenLDAP, 2 MiB to 389-ds (nsslapd-maxbersize)
// and 10 MB to Active Directory (MaxReceiveBuffer). Half the smallest leaves room for the rest
// of the request. It also bounds the server's work, since OpenLDAP tries the terms of an OR on
// each candidate entry one after another.
const filterBudget = 128 << 10

// found is what reading one DN gave.
type found struct {
	// entry is nil when no entry the bind account may read has the DN.
	entry *ldap.Entry
	// bySearch says the entry came back from a search by DN, so a search by DN can also
	// check its disabled state.
	bySearch bool
}

// readBatch reads the entries dns name with one search, (|(entryDN=dn1)(entryDN=dn2)...)
// under their nearest common ancestor, where the server allows it. A DN that search does not
// return is read by itself, as every DN was before batching, so a deleted entry, one the bind
// account may not read or may not search by DN, or one in another naming context comes out
// exactly as a base read says. The result is indexed like dns; callers keep a batch within a
// page and filterBudget (takeBatch), so the search is one request.
//
// Telling a server that cannot search by DN costs nothing extra: when it refuses the filter,
// or answers it with none of the entries that reading them one by one then finds, the rest of
// the operation reads entry by entry, and that first batch cost one search more than that.
func (s *session) readBatch(ctx context.Context, dns []string, attributes []string) ([]found, error) {
	results := make([]found, len(dns))
	base, ok := commonAncestor(dns)
	searched := false
	if s.dnAttribute != "" && ok {
		filter := anyOf(dns, func(dn string) string { return dnTerm(s.dnAttribute, dn) })
		raw, _, err := s.searchPages(base, ldap.ScopeWholeSubtree, filter, attributes, 0)
		switch {
		case err == nil:
			searched = true
			byDN := make(map[string]*ldap.Entry, len(raw))
			for _, entry := range raw {
				byDN[NormalizeDN(entry.DN)] = entry
			}
			for i, dn := range dns {
				if entry := byDN[NormalizeDN(dn)]; entry != nil {
					results[i] = found{entry: entry, bySearch: true}
				}
			}
		case ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject), ldap.IsErrorWithCode(err, ldap.LDAPResultReferral):
			// The base is no entry here (the DNs lie in several naming contexts, or all in
			// a container that is gone): only this batch is read one by one.
		case refused(err):
			s.dnAttribute = "" // the filter, or a batch this size, is not accepted
		default:
			return nil, classify(ctx, fmt.Sprintf("search for %d entries by DN under %q", len(dns), base), err)
		}
	}
	var missing []string
	var at []int
	searchFoundSome := false
	for i, r := range results {
		if r.entry == nil {
			missing = append(missing, dns[i])
			at = append(at, i)
		} else {
			searchFoundSome = true
		}
	}
	if len(missing) == 0 {
		return results, nil
	}
	raw, err := s.readMany(ctx, missing, "(objectClass=*)", attributes)
	if err != nil {
		return nil, err
	}
	for j, entry := range raw {
		results[at[j]] = found{entry: entry}
		if entry != nil && searched && !searchFoundSome {
			s.dnAttribute = ""
		}
	}
	return results, nil
}

// takeBatch says how many of values go into one filter listing them: at most maxCount (0: no
// limit), within budget bytes of term, and at least one.
func takeBatch(values []string, term func(string) string, maxCount, budget int) int {
	size := len("(|)")
	for i, value := range values {
		size += len(term(value))
		if i > 0 && (size > budget || (maxCount > 0 && i >= maxCount)) {
			return i
		}
	}
	return len(values)
}

// anyOf is the filter matching any of values, each written by term.
func anyOf(values []string, term func(string) string) string {
	var b strings.Builder
	b.WriteString("(|")
	for _, value := range values {
		b.WriteString(term(value))
	}
	b.WriteString(")")
	return b.String()
}

func dnTerm(attribute, dn string) string {
	return "(" + attribute + "=" + ldap.EscapeFilter(dn) + ")"
}

// commonAncestor is the deepest DN at or above every one of dns; false when they share none
// or one is not a DN. Under it one subtree search reaches them all.
func commonAncestor(dns []string) (string, bool) {
	var common []*ldap.RelativeDN
	for i, dn := range dns {
		parsed, err := ldap.ParseDN(dn)
		if err != nil || len(parsed.RDNs) == 0 {
			return "", false
		}
		if i == 0 {
			common = parsed.RDNs
			continue
		}
		shared := 0
		for shared < len(common) && shared < len(parsed.RDNs) &&
			common[len(common)-1-shared].EqualFold(parsed.RDNs[len(parsed.RDNs)-1-shared]) {
			shared++
		}
		common = common[len(common)-shared:]
		if len(common) == 0 {
			return "", false
		}
	}
	if len(common) == 0 {
		return "", false
	}
	return (&ldap.DN{RDNs: common}).String(), true
}
