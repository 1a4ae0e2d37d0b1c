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
	keyed := Keyed{ByKey: map[string]Entry{}, Duplicates: map[string][]string{}}
	for _, entry := range entries {
		key := entry.Value(attribute)
		if key == "" {
			keyed.MissingKey = append(keyed.MissingKey, entry.DN)
			continue
		}
		if dns, dup := keyed.Duplicates[key]; dup {
			keyed.Duplicates[key] = append(dns, entry.DN)
			continue
		}
		if first, taken := keyed.ByKey[key]; taken {
			keyed.Duplicates[key] = []string{first.DN, entry.DN}
			delete(keyed.ByKey, key)
			continue
		}
		keyed.ByKey[key] = entry
	}
	sort.Strings(keyed.MissingKey)
	return keyed
}
