package provisioning

import (
	"context"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
)

// readDesired reads the channel's source and renders it: the users it wants, by emp_id.
func readDesired(ctx context.Context, dir *directory.Client, channel Channel) (Desired, error) {
	entries, unresolved, err := ReadSource(ctx, dir, channel.Source, channel.Mapping.SourceAttributes())
	if err != nil {
		return Desired{}, err
	}
	resolve, err := referencedEntries(ctx, dir, entries, channel.Mapping)
	if err != nil {
		return Desired{}, err
	}
	desired := DesiredUsers(entries, channel.Mapping, resolve)
	desired.Unresolved = unresolved
	return desired, nil
}

// RecoverEntries fills in the directory entry (DN and entry ID) of the managed users recorded
// without one, from the channel's source, and says how many it filled in. Those are users of
// state written before the entries were kept, and the entry ID is what tells an emp_id change
// from a new hire who reuses a leaver's login: without it, a plan could hand the leaver's
// account to the new hire. The directory is read only when some user lacks an entry; a user no
// longer in the source keeps none.
func RecoverEntries(ctx context.Context, dir *directory.Client, channel Channel, managed map[string]ManagedUser) (int, error) {
	if !LackEntries(managed) {
		return 0, nil
	}
	desired, err := readDesired(ctx, dir, channel)
	if err != nil {
		return 0, err
	}
	recovered := 0
	for empID, user := range managed {
		if want, ok := desired.Users[empID]; ok && user.DN == "" {
			user.DN, user.EntryID = want.DN, want.EntryID
			managed[empID] = user
			recovered++
		}
	}
	return recovered, nil
}

// LackEntries reports whether some managed user is recorded without its directory entry.
func LackEntries(managed map[string]ManagedUser) bool {
	for _, user := range managed {
		if user.DN == "" {
			return true
		}
	}
	return false
}
