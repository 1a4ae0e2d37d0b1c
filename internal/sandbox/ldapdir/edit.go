package ldapdir

import (
	"fmt"
	"slices"
	"strings"
)

// ChangeOp is what a Change does to an attribute, as in an LDAP modify.
type ChangeOp int

const (
	// AddValues adds values to the attribute, creating it if needed.
	AddValues ChangeOp = iota
	// DeleteValues removes the given values, or the whole attribute when no
	// values are given.
	DeleteValues
	// ReplaceValues sets the attribute to exactly the values (none removes it).
	ReplaceValues
)

// Change is one step of Modify.
type Change struct {
	Op        ChangeOp
	Attribute string
	Values    []string
}

// Add creates an entry at run time (the demo's "someone joins").
func (s *Server) Add(dn string, attributes map[string][]string) error {
	e := Entry{DN: dn}
	for name, values := range attributes {
		e.add(name, slices.Clone(values)...)
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	if err := s.store.add(e); err != nil {
		return err
	}
	s.store.reindex()
	return nil
}

// Delete removes an entry. Groups that list it keep the dangling member
// value, as on a server without referential integrity.
func (s *Server) Delete(dn string) error {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	if err := s.store.delete(dn); err != nil {
		return err
	}
	s.store.reindex()
	return nil
}

// Modify applies the changes to one entry, all or none.
func (s *Server) Modify(dn string, changes ...Change) error {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	e := s.store.get(dn)
	if e == nil {
		return fmt.Errorf("%w: %s", ErrNoSuchEntry, dn)
	}
	// Build new slices rather than editing in place: answers being written
	// to clients may still hold the old ones.
	attrs := slices.Clone(e.Attributes)
	for _, change := range changes {
		if strings.EqualFold(change.Attribute, "memberOf") {
			return fmt.Errorf("%w: memberOf is derived from the groups' members", ErrInvalidChange)
		}
		i := slices.IndexFunc(attrs, func(a Attribute) bool { return strings.EqualFold(a.Name, change.Attribute) })
		var current []string
		if i >= 0 {
			current = attrs[i].Values
		}
		next, err := apply(change, current)
		if err != nil {
			return err
		}
		switch {
		case i >= 0 && len(next) == 0:
			attrs = slices.Delete(attrs, i, i+1)
		case i >= 0:
			attrs[i] = Attribute{Name: attrs[i].Name, Values: next}
		case len(next) > 0:
			attrs = append(attrs, Attribute{Name: change.Attribute, Values: next})
		}
	}
	e.Attributes = attrs
	s.store.reindex()
	return nil
}

func apply(change Change, current []string) ([]string, error) {
	switch change.Op {
	case AddValues:
		return append(slices.Clone(current), change.Values...), nil
	case DeleteValues:
		if len(change.Values) == 0 {
			return nil, nil
		}
		return slices.DeleteFunc(slices.Clone(current), func(v string) bool { return containsEqual(change.Values, v) }), nil
	case ReplaceValues:
		return slices.Clone(change.Values), nil
	}
	return nil, fmt.Errorf("%w: unknown operation %d on %s", ErrInvalidChange, change.Op, change.Attribute)
}

// Entry returns a copy of the entry at dn, with its derived memberOf.
func (s *Server) Entry(dn string) (Entry, bool) {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	e := s.store.get(dn)
	if e == nil {
		return Entry{}, false
	}
	out := Entry{DN: e.DN}
	for _, name := range s.store.attributeNames(e) {
		out.Attributes = append(out.Attributes, Attribute{Name: name, Values: slices.Clone(s.store.values(e, name))})
	}
	return out, true
}

// Put writes whole entries at run time, all or none: each replaces the entry of the same DN
// (keeping its entryUUID, as a modify would) or is added. The demo uses it to apply "the directory the next morning" from an LDIF file.
func (s *Server) Put(entries ...Entry) error {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	// Check every DN before changing anything, so a bad file leaves the directory as it was.
	for _, e := range entries {
		if _, _, err := normalize(e.DN); err != nil {
			return fmt.Errorf("%w: %q: %v", ErrInvalidChange, e.DN, err)
		}
	}
	for _, e := range entries {
		if old := s.store.get(e.DN); old != nil {
			// A replaced entry is the same entry, modified: it keeps its identifier.
			if e.find("entryUUID") == nil {
				e.Attributes = append(slices.Clone(e.Attributes), Attribute{Name: "entryUUID", Values: old.Values("entryUUID")})
			}
			if err := s.store.delete(e.DN); err != nil {
				return err
			}
		}
		if err := s.store.add(e); err != nil {
			return err
		}
	}
	s.store.reindex()
	return nil
}
