package ldapdir

import (
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/go-ldap/ldap/v3"
)

// Errors of the run-time editing methods.
var (
	ErrNoSuchEntry   = errors.New("no such entry")
	ErrEntryExists   = errors.New("entry already exists")
	ErrInvalidChange = errors.New("invalid change")
)

// memberAttributes are the attributes whose DN values make memberOf.
var memberAttributes = []string{"member", "uniqueMember"}

// store holds the entries in load order, indexed by normalized DN. memberOf is
// not stored: like Active Directory and OpenLDAP's memberof overlay, it is
// derived from the groups' member and uniqueMember values.
type store struct {
	mu      sync.RWMutex
	order   []string
	entries map[string]*stored
	// memberOf maps a normalized member DN to the DNs of the groups listing
	// it. Every change rebuilds it (reindex), so readers only read.
	memberOf map[string][]string
	// dnAttribute holds each entry's own DN, derived like memberOf: entryDN (RFC 5020) or,
	// on Active Directory, distinguishedName.
	dnAttribute string
}

type stored struct {
	Entry
	norm string
	// ancestors are the normalized DNs above the entry, nearest first.
	ancestors []string
}

func newStore(entries []Entry, dnAttribute string) (*store, error) {
	s := &store{entries: map[string]*stored{}, dnAttribute: dnAttribute}
	for _, e := range entries {
		if err := s.add(e); err != nil {
			return nil, err
		}
	}
	s.reindex()
	return s, nil
}

// normalize gives the form all spellings of a DN share.
func normalize(dn string) (string, []string, error) {
	parsed, err := ldap.ParseDN(dn)
	if err != nil {
		return "", nil, err
	}
	rdns := make([]string, len(parsed.RDNs))
	for i, rdn := range parsed.RDNs {
		rdns[i] = strings.ToLower(rdn.String())
	}
	ancestors := make([]string, 0, len(rdns))
	for i := 1; i < len(rdns); i++ {
		ancestors = append(ancestors, strings.Join(rdns[i:], ","))
	}
	return strings.Join(rdns, ","), ancestors, nil
}

func normalizeOrLower(dn string) string {
	if norm, _, err := normalize(dn); err == nil {
		return norm
	}
	return strings.ToLower(dn)
}

func (s *store) add(e Entry) error {
	norm, ancestors, err := normalize(e.DN)
	if err != nil || norm == "" {
		return fmt.Errorf("%w: DN %q: %v", ErrInvalidChange, e.DN, err)
	}
	if _, exists := s.entries[norm]; exists {
		return fmt.Errorf("%w: %s", ErrEntryExists, e.DN)
	}
	// memberOf and the DN attribute are derived; a stored copy would go stale.
	e.Attributes = slices.DeleteFunc(slices.Clone(e.Attributes), func(a Attribute) bool {
		return strings.EqualFold(a.Name, "memberOf") || strings.EqualFold(a.Name, s.dnAttribute)
	})
	// Like a real server, give every entry an immutable identifier (RFC 4530's entryUUID).
	if e.find("entryUUID") == nil {
		e.add("entryUUID", newEntryUUID())
	}
	s.entries[norm] = &stored{Entry: e, norm: norm, ancestors: ancestors}
	s.order = append(s.order, norm)
	return nil
}

func (s *store) delete(dn string) error {
	norm := normalizeOrLower(dn)
	if _, exists := s.entries[norm]; !exists {
		return fmt.Errorf("%w: %s", ErrNoSuchEntry, dn)
	}
	delete(s.entries, norm)
	s.order = slices.DeleteFunc(s.order, func(n string) bool { return n == norm })
	return nil
}

// sorted returns the entries in load order.
func (s *store) sorted() []*stored {
	out := make([]*stored, len(s.order))
	for i, norm := range s.order {
		out[i] = s.entries[norm]
	}
	return out
}

func (s *store) get(dn string) *stored {
	return s.entries[normalizeOrLower(dn)]
}

// values returns an attribute's values, deriving memberOf.
func (s *store) values(e *stored, name string) []string {
	_, values := s.attribute(e, name)
	return values
}

// attribute returns the name as the entry spells it and the values, as a
// server answers with its own spelling whatever case the client asked in.
func (s *store) attribute(e *stored, name string) (string, []string) {
	if strings.EqualFold(name, "memberOf") {
		return "memberOf", s.groupsOf(e.norm)
	}
	if strings.EqualFold(name, s.dnAttribute) {
		return s.dnAttribute, []string{e.DN}
	}
	if attr := e.find(name); attr != nil {
		return attr.Name, attr.Values
	}
	return name, nil
}

// attributeNames lists the entry's attributes, memberOf included when the
// entry is a member of something.
func (s *store) attributeNames(e *stored) []string {
	names := make([]string, 0, len(e.Attributes)+1)
	for _, a := range e.Attributes {
		names = append(names, a.Name)
	}
	if len(s.groupsOf(e.norm)) > 0 {
		names = append(names, "memberOf")
	}
	return names
}

// groupsOf returns the DNs of the groups that list norm as a member.
func (s *store) groupsOf(norm string) []string {
	return s.memberOf[norm]
}

// reindex rebuilds memberOf; callers hold the write lock.
func (s *store) reindex() {
	index := map[string][]string{}
	for _, groupNorm := range s.order {
		group := s.entries[groupNorm]
		for _, attr := range memberAttributes {
			for _, member := range group.Values(attr) {
				key := normalizeOrLower(member)
				index[key] = append(index[key], group.DN)
			}
		}
	}
	s.memberOf = index
}

// inScope reports whether e lies in the scope of base (normalized).
func inScope(e *stored, base string, scope int64) bool {
	switch scope {
	case ldap.ScopeBaseObject:
		return e.norm == base
	case ldap.ScopeSingleLevel:
		return len(e.ancestors) > 0 && e.ancestors[0] == base
	default:
		return e.norm == base || slices.Contains(e.ancestors, base)
	}
}

// namingContexts are the DNs of the top entries: those with no parent here.
func (s *store) namingContexts() []string {
	var tops []string
	for _, norm := range s.order {
		e := s.entries[norm]
		if len(e.ancestors) == 0 || s.entries[e.ancestors[0]] == nil {
			tops = append(tops, e.DN)
		}
	}
	return tops
}

// newEntryUUID is a random (version 4) UUID.
func newEntryUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
