package directory

import "sort"

// Keyed is a set of entries indexed by one attribute, with the entries that
// could not be indexed listed rather than dropped.
type Keyed struct {
	// ByKey maps each key value held by exactly one entry to that entry.
	ByKey map[string]Entry
	// MissingKey lists the DNs of entries without the attribute.
	MissingKey []string
	// Duplicates maps each key value held by more than one entry to their
	// DNs. Those entries are not in ByKey: picking one would be a guess.
	Duplicates map[string][]string
}

// KeyBy indexes entries by the first value of attribute (which should be one
// of the attributes they were read with).
func KeyBy(entries []Entry, attribute string) Keyed {
	return KeyByFunc(entries, func(entry Entry) string { return entry.Value(attribute) })
}

// KeyByFunc indexes entries by the key that key computes for each, such as an
// employee ID rendered from a template; an empty key is a missing one.
func KeyByFunc(entries []Entry, key func(Entry) string) Keyed {
	keyed := Keyed{ByKey: map[string]Entry{}, Duplicates: map[string][]string{}}
	for _, entry := range entries {
		value := key(entry)
		if value == "" {
			keyed.MissingKey = append(keyed.MissingKey, entry.DN)
			continue
		}
		if dns, dup := keyed.Duplicates[value]; dup {
			keyed.Duplicates[value] = append(dns, entry.DN)
			continue
		}
		if first, taken := keyed.ByKey[value]; taken {
			keyed.Duplicates[value] = []string{first.DN, entry.DN}
			delete(keyed.ByKey, value)
			continue
		}
		keyed.ByKey[value] = entry
	}
	sort.Strings(keyed.MissingKey)
	return keyed
}
