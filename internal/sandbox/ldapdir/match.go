package ldapdir

import (
	"strconv"
	"strings"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"
)

// Active Directory matching rules the server evaluates.
const (
	ruleBitAnd  = "1.2.840.113556.1.4.803"
	ruleBitOr   = "1.2.840.113556.1.4.804"
	ruleInChain = "1.2.840.113556.1.4.1941"
)

// matches evaluates a filter, compiled by ldap.CompileFilter, against e.
// Comparisons ignore case, as the common directory string syntaxes do; values
// that are DNs compare by their normalized form. An assertion about an
// attribute the entry lacks is false (this server does not model RFC 4511's
// Undefined).
func (s *store) matches(e *stored, f *ber.Packet) bool {
	switch f.Tag {
	case ldap.FilterAnd:
		for _, child := range f.Children {
			if !s.matches(e, child) {
				return false
			}
		}
		return true
	case ldap.FilterOr:
		for _, child := range f.Children {
			if s.matches(e, child) {
				return true
			}
		}
		return false
	case ldap.FilterNot:
		return !s.matches(e, f.Children[0])
	case ldap.FilterPresent:
		return len(s.values(e, f.Data.String())) > 0
	case ldap.FilterEqualityMatch, ldap.FilterApproxMatch:
		return s.anyValue(e, f, equalValues)
	case ldap.FilterGreaterOrEqual:
		return s.anyValue(e, f, func(v, asserted string) bool { return compareValues(v, asserted) >= 0 })
	case ldap.FilterLessOrEqual:
		return s.anyValue(e, f, func(v, asserted string) bool { return compareValues(v, asserted) <= 0 })
	case ldap.FilterSubstrings:
		return s.matchesSubstrings(e, f)
	case ldap.FilterExtensibleMatch:
		return s.matchesExtensible(e, f)
	}
	return false
}

// namedBy answers a filter that only names entries by DN, (dnAttribute=<dn>) or an OR of such
// terms, from the index of DNs, as real servers do, instead of testing every entry against
// every term. It returns the matching entries in load order, and false for any other filter.
func (s *store) namedBy(f *ber.Packet) ([]*stored, bool) {
	terms := []*ber.Packet{f}
	if f.Tag == ldap.FilterOr {
		terms = f.Children
	}
	named := map[string]bool{}
	for _, term := range terms {
		if term.Tag != ldap.FilterEqualityMatch || !strings.EqualFold(term.Children[0].Data.String(), s.dnAttribute) {
			return nil, false
		}
		named[normalizeOrLower(term.Children[1].Data.String())] = true
	}
	var found []*stored
	for _, norm := range s.order {
		if named[norm] {
			found = append(found, s.entries[norm])
		}
	}
	return found, true
}

// anyValue applies test to each value of the asserted attribute.
func (s *store) anyValue(e *stored, f *ber.Packet, test func(value, asserted string) bool) bool {
	attr, asserted := f.Children[0].Data.String(), f.Children[1].Data.String()
	for _, v := range s.values(e, attr) {
		if test(v, asserted) {
			return true
		}
	}
	return false
}

func equalValues(a, b string) bool {
	if strings.EqualFold(a, b) {
		return true
	}
	if strings.Contains(a, "=") && strings.Contains(b, "=") {
		na, _, errA := normalize(a)
		nb, _, errB := normalize(b)
		return errA == nil && errB == nil && na == nb
	}
	return false
}

// compareValues orders integers numerically and everything else as
// case-folded text (which also orders generalized times correctly).
func compareValues(a, b string) int {
	ia, errA := strconv.ParseInt(a, 10, 64)
	ib, errB := strconv.ParseInt(b, 10, 64)
	if errA == nil && errB == nil {
		return compareInts(ia, ib)
	}
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}

func compareInts(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (s *store) matchesSubstrings(e *stored, f *ber.Packet) bool {
	attr := f.Children[0].Data.String()
	for _, v := range s.values(e, attr) {
		if matchesPieces(strings.ToLower(v), f.Children[1].Children) {
			return true
		}
	}
	return false
}

// matchesPieces checks initial, any... and final substrings in order.
func matchesPieces(value string, pieces []*ber.Packet) bool {
	for _, piece := range pieces {
		text := strings.ToLower(piece.Data.String())
		switch piece.Tag {
		case ldap.FilterSubstringsInitial:
			if !strings.HasPrefix(value, text) {
				return false
			}
			value = value[len(text):]
		case ldap.FilterSubstringsAny:
			i := strings.Index(value, text)
			if i < 0 {
				return false
			}
			value = value[i+len(text):]
		case ldap.FilterSubstringsFinal:
			if !strings.HasSuffix(value, text) {
				return false
			}
		}
	}
	return true
}

func (s *store) matchesExtensible(e *stored, f *ber.Packet) bool {
	var rule, attr, asserted string
	for _, child := range f.Children {
		switch child.Tag {
		case ldap.MatchingRuleAssertionMatchingRule:
			rule = child.Data.String()
		case ldap.MatchingRuleAssertionType:
			attr = child.Data.String()
		case ldap.MatchingRuleAssertionMatchValue:
			asserted = child.Data.String()
		}
	}
	switch rule {
	case "":
		return containsEqual(s.values(e, attr), asserted)
	case ruleBitAnd, ruleBitOr:
		return matchesBits(s.values(e, attr), asserted, rule == ruleBitAnd)
	case ruleInChain:
		return s.inChain(e, attr, asserted)
	}
	return false
}

func containsEqual(values []string, asserted string) bool {
	for _, v := range values {
		if equalValues(v, asserted) {
			return true
		}
	}
	return false
}

// matchesBits is LDAP_MATCHING_RULE_BIT_AND (all asserted bits set) or
// LDAP_MATCHING_RULE_BIT_OR (any of them set).
func matchesBits(values []string, asserted string, all bool) bool {
	mask, err := strconv.ParseInt(asserted, 10, 64)
	if err != nil {
		return false
	}
	for _, v := range values {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			continue
		}
		if (all && n&mask == mask) || (!all && n&mask != 0) {
			return true
		}
	}
	return false
}

// inChain is LDAP_MATCHING_RULE_IN_CHAIN: follows attr (memberOf upwards,
// member downwards) from e, through every entry it reaches, looking for
// target. The visited set ends cycles.
func (s *store) inChain(e *stored, attr, target string) bool {
	want := normalizeOrLower(target)
	visited := map[string]bool{e.norm: true}
	frontier := s.values(e, attr)
	for len(frontier) > 0 {
		dn := frontier[0]
		frontier = frontier[1:]
		norm := normalizeOrLower(dn)
		if norm == want {
			return true
		}
		if visited[norm] {
			continue
		}
		visited[norm] = true
		if next := s.entries[norm]; next != nil {
			frontier = append(frontier, s.values(next, attr)...)
		}
	}
	return false
}
