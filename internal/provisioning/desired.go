package provisioning

import (
	"sort"
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

// DesiredUsers renders every entry through the mapping.
func DesiredUsers(entries []directory.Entry, mapping *Mapping) Desired {
	desired := Desired{
		Users:           make(map[string]DesiredUser, len(entries)),
		SourceCount:     len(entries),
		DuplicateEmpIDs: map[string][]string{},
	}
	for _, entry := range entries {
		attributes := mapping.Render(entryValues(entry))
		empID := attributes[AttrEmpID]
		if empID == "" {
			desired.MissingEmpID = append(desired.MissingEmpID, entry.DN)
			continue
		}
		if dns, duplicate := desired.DuplicateEmpIDs[empID]; duplicate {
			desired.DuplicateEmpIDs[empID] = append(dns, entry.DN)
			continue
		}
		if first, taken := desired.Users[empID]; taken {
			desired.DuplicateEmpIDs[empID] = []string{first.DN, entry.DN}
			delete(desired.Users, empID)
			continue
		}
		desired.Users[empID] = DesiredUser{EmpID: empID, DN: entry.DN, Disabled: entry.Disabled, Attributes: attributes}
	}
	sort.Strings(desired.MissingEmpID)
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
