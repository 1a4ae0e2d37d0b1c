package provider

import (
	"encoding/json"
	"maps"

	"github.com/terraform-concur/terraform-provider-concur/internal/provisioning"
)

// The private data of a channel (Terraform keeps it with the state, opaque, and never walks it
// value by value) carries what the engine needs of each user but a reviewer does not: the
// directory entry a user comes from, and which managed users' emp_ids the refresh found held
// by another account (ManagedUser.EmpIDHeldBy). Every value left out of the users attribute
// is one less that Terraform decodes, compares and encodes for every user in every command.
type mappingPrivate struct {
	// Entries holds, by emp_id, the DN and the immutable entry ID ("" where the directory has
	// none) of the user's directory entry.
	Entries     map[string][2]string `json:"entries,omitempty"`
	EmpIDHeldBy map[string]string    `json:"emp_id_held_by,omitempty"`
}

// privateOf records users' entries and emp_id holders; nil when there is nothing to record.
func privateOf(users map[string]provisioning.ManagedUser) ([]byte, error) {
	private := mappingPrivate{Entries: map[string][2]string{}, EmpIDHeldBy: map[string]string{}}
	for empID, user := range users {
		if user.DN != "" || user.EntryID != "" {
			private.Entries[empID] = [2]string{user.DN, user.EntryID}
		}
		if user.EmpIDHeldBy != "" {
			private.EmpIDHeldBy[empID] = user.EmpIDHeldBy
		}
	}
	if len(private.Entries) == 0 && len(private.EmpIDHeldBy) == 0 {
		return nil, nil
	}
	return json.Marshal(private)
}

// withPrivate fills in users' entries and emp_id holders from private data. State upgraded
// from schema version 1 has no entries: the refresh reads them back from the directory
// (recoverEntries), and the next apply, even one without changes, records them.
func withPrivate(users map[string]provisioning.ManagedUser, private []byte) error {
	if len(private) == 0 {
		return nil
	}
	var decoded mappingPrivate
	if err := json.Unmarshal(private, &decoded); err != nil {
		return err
	}
	for empID, user := range users {
		if entry, ok := decoded.Entries[empID]; ok {
			user.DN, user.EntryID = entry[0], entry[1]
		}
		user.EmpIDHeldBy = decoded.EmpIDHeldBy[empID]
		users[empID] = user
	}
	return nil
}

// plannedPrivate is the private data a plan hands to its apply, which receives no prior private
// data of its own: the entries and holders of the users planned and of those the plan lets go.
func plannedPrivate(prior, planned map[string]provisioning.ManagedUser) ([]byte, error) {
	users := maps.Clone(prior)
	maps.Copy(users, planned)
	return privateOf(users)
}
