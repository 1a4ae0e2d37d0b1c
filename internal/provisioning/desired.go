package provisioning

import (
	"fmt"
	"strings"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
)

// DesiredUser is what one directory entry asks for in Concur.
type DesiredUser struct {
	EmpID      string
	EntryID    string
	DN         string
	Disabled   bool
	Attributes map[string]string
}

// Desired is the directory source rendered through a mapping, keyed by emp_id, with every
// entry that could not be keyed listed rather than dropped.
type Desired struct {
	Users map[string]DesiredUser
	// SourceCount is how many of the source's entries are people, that is render an emp_id
	// (duplicates and invalid values included). An entry without one is not counted: an emptied
	// groupOfNames keeps a placeholder member, and the empty-source guard must still see it empty.
	SourceCount int
	// MissingEmpID lists the DNs whose emp_id rendered empty.
	MissingEmpID []string
	// DuplicateEmpIDs maps an emp_id rendered by more than one entry to their DNs; none of
	// those entries is provisioned, since picking one would be a guess.
	DuplicateEmpIDs map[string][]string
	// Unresolved lists the group's member values that name no readable entry: deleted users a
	// group still lists, or entries the bind account may not read.
	Unresolved []directory.UnresolvedMember
}

// DesiredUsers renders every entry through the mapping and keys it by the emp_id it renders.
// resolve answers the mapping's ref filters (see EntryIndex); nil when it has none.
func DesiredUsers(entries []directory.Entry, mapping *Mapping, resolve Resolve) Desired {
	rendered := make(map[string]map[string]string, len(entries)) // by DN
	keyed := directory.KeyByFunc(entries, func(entry directory.Entry) string {
		attributes := mapping.Render(entryValues(entry), resolve)
		rendered[entry.DN] = attributes
		return attributes[AttrEmpID]
	})
	desired := Desired{
		Users:           make(map[string]DesiredUser, len(keyed.ByKey)),
		SourceCount:     len(entries) - len(keyed.MissingKey),
		MissingEmpID:    keyed.MissingKey,
		DuplicateEmpIDs: keyed.Duplicates,
	}
	for empID, entry := range keyed.ByKey {
		desired.Users[empID] = DesiredUser{EmpID: empID, EntryID: entry.ID, DN: entry.DN, Disabled: entry.Disabled, Attributes: rendered[entry.DN]}
	}
	return desired
}

// notPeople names, for the empty-source guard, the entries the source returned that are not
// people (they render no emp_id), such as the placeholder member an emptied group keeps.
func (d Desired) notPeople() string {
	switch len(d.MissingEmpID) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf(" (only %s, which renders no emp_id: a placeholder, not a person)", d.MissingEmpID[0])
	default:
		return fmt.Sprintf(" (only %d entries that render no emp_id, such as %s: placeholders, not people)", len(d.MissingEmpID), d.MissingEmpID[0])
	}
}

// entryValues looks attributes up the way LDAP names them: without regard to case.
func entryValues(entry directory.Entry) func(string) []string {
	return func(attribute string) []string {
		if values, ok := entry.Attributes[attribute]; ok {
			return values
		}
		for name, values := range entry.Attributes {
			if strings.EqualFold(name, attribute) {
				return values
			}
		}
		return nil
	}
}

// EntryIndex finds directory entries by DN, whatever the DN's spelling, for ref filters such as
// {manager|ref:employeeID}.
type EntryIndex map[string]directory.Entry

// Add indexes entries.
func (x EntryIndex) Add(entries ...directory.Entry) {
	for _, entry := range entries {
		x[directory.NormalizeDN(entry.DN)] = entry
	}
}

// Resolve is the first value of attribute of the entry dn names, "" when the entry is unknown.
func (x EntryIndex) Resolve(dn, attribute string) string {
	entry, ok := x[directory.NormalizeDN(dn)]
	if !ok {
		return ""
	}
	if values := entryValues(entry)(attribute); len(values) > 0 {
		return values[0]
	}
	return ""
}

// Missing lists, once each, the DNs the mapping's ref filters point at from entries that the
// index does not hold.
func (x EntryIndex) Missing(entries []directory.Entry, mapping *Mapping) []string {
	seen := map[string]bool{}
	var missing []string
	for _, entry := range entries {
		for _, dn := range mapping.ReferencedDNs(entryValues(entry)) {
			if directory.ValidateDN(dn) != nil {
				continue // not a DN: the ref renders "", as for a DN that names nothing
			}
			key := directory.NormalizeDN(dn)
			if _, held := x[key]; !held && !seen[key] {
				seen[key] = true
				missing = append(missing, dn)
			}
		}
	}
	return missing
}
