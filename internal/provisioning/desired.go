package provisioning

import (
	"strings"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
)

// DesiredUser is what one directory entry asks for in Concur.
type DesiredUser struct {
	EmpID      string
	DN         string
	Disabled   bool
	Attributes map[string]string
}

// Desired is the directory source rendered through a mapping, keyed by emp_id, with every
// entry that could not be keyed listed rather than dropped.
type Desired struct {
	Users map[string]DesiredUser
	// SourceCount is how many entries the source returned, keyed or not.
	SourceCount int
	// MissingEmpID lists the DNs whose emp_id rendered empty.
	MissingEmpID []string
	// DuplicateEmpIDs maps an emp_id rendered by more than one entry to their DNs; none of
	// those entries is provisioned, since picking one would be a guess.
	DuplicateEmpIDs map[string][]string
}

// DesiredUsers renders every entry through the mapping and keys it by the emp_id it renders.
func DesiredUsers(entries []directory.Entry, mapping *Mapping) Desired {
	rendered := make(map[string]map[string]string, len(entries)) // by DN
	keyed := directory.KeyByFunc(entries, func(entry directory.Entry) string {
		attributes := mapping.Render(entryValues(entry))
		rendered[entry.DN] = attributes
		return attributes[AttrEmpID]
	})
	desired := Desired{
		Users:           make(map[string]DesiredUser, len(keyed.ByKey)),
		SourceCount:     len(entries),
		MissingEmpID:    keyed.MissingKey,
		DuplicateEmpIDs: keyed.Duplicates,
	}
	for empID, entry := range keyed.ByKey {
		desired.Users[empID] = DesiredUser{EmpID: empID, DN: entry.DN, Disabled: entry.Disabled, Attributes: rendered[entry.DN]}
	}
	return desired
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
