package provisioning

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
)

// Refresh reads the managed users back from Concur by the Concur id recorded for each, in
// batched searches (never one request per user), and returns what Concur holds now under the
// same keys: any attribute changed by hand, emp_id included, shows as drift that the next plan
// puts back. A user whose account was deleted in Concur drops out, so the plan creates it again,
// unless another account now holds its emp_id: then the user stays as recorded, with
// EmpIDHeldBy naming that account, and so does a user whose account now carries another emp_id
// while another account holds its own; the plan names both and writes to neither. Refresh reads
// the mapping's attributes (those recorded for each user when mapping is nil), so an attribute
// mapped since a user was recorded is read too, and externalId where it is recorded or set.
//
// A user whose account now carries another owner's marker (an owner other than owner, the
// configuration's), not the recorded externalId, was taken over by another configuration (see
// owner.go): it drops out without any write, and the plan names the person as managed elsewhere
// while they stay in the source. A marker of owner's own that differs from the recorded one is
// drift like any other.
func Refresh(ctx context.Context, client *concur.Client, managed map[string]ManagedUser, mapping *Mapping, owner string) (map[string]ManagedUser, error) {
	if len(managed) == 0 {
		return managed, nil
	}
	ids := make([]string, 0, len(managed))
	for _, key := range sortedKeys(managed) {
		ids = append(ids, managed[key].ID)
	}
	found, err := client.FindUsersByIDs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("reading %d managed users from Concur by id: %w", len(managed), err)
	}
	if err := ReadProfiles(ctx, client, slices.Collect(maps.Values(found)), refreshedKeys(managed, mapping)); err != nil {
		return nil, fmt.Errorf("reading the profiles of %d managed users: %w", len(found), err)
	}

	refreshed := make(map[string]ManagedUser, len(managed))
	// Only where the account is gone or carries another emp_id can another account hold this one.
	var unsure []string
	for key, recorded := range managed {
		current, ok := found[recorded.ID]
		if !ok {
			if recorded.ID != "" { // without an id the user was never linked: the plan links it
				unsure = append(unsure, key)
			}
			continue
		}
		if takenOverSince(recorded, current, owner) {
			continue // another configuration's now: forgotten without a write (the plan finds it by emp_id, managed elsewhere)
		}
		refreshed[key] = refreshedUser(recorded, current, mapping)
		if current.EmployeeNumber != key {
			unsure = append(unsure, key)
		}
	}
	if len(unsure) == 0 {
		return refreshed, nil
	}
	holders, err := client.FindUsersByEmployeeNumbers(ctx, unsure)
	if err != nil {
		return nil, fmt.Errorf("looking up who holds the emp_ids of %d managed users whose Concur account is gone or carries another emp_id: %w", len(unsure), err)
	}
	for _, key := range unsure {
		holder, held := holders[key]
		if !held || holder.ID == managed[key].ID {
			continue
		}
		user, present := refreshed[key]
		if !present {
			user = managed[key]
		}
		user.EmpIDHeldBy = holder.ID
		refreshed[key] = user
	}
	return refreshed, nil
}

// refreshedKeys are the attributes Refresh reads: the mapping's, or else those recorded.
func refreshedKeys(managed map[string]ManagedUser, mapping *Mapping) []string {
	if mapping != nil {
		return mapping.Keys()
	}
	var keys []string
	for _, user := range managed {
		for key := range user.Attributes {
			if !slices.Contains(keys, key) {
				keys = append(keys, key)
			}
		}
	}
	return keys
}

// refreshedUser is the recorded user with the attributes and active state Concur holds now.
func refreshedUser(recorded ManagedUser, current *concur.User, mapping *Mapping) ManagedUser {
	user := recorded
	user.Active = current.Active
	user.EmpIDHeldBy = ""
	keys := sortedKeys(recorded.Attributes)
	if mapping != nil {
		keys = mapping.Keys()
		// The marker rules need the externalId an account holds; it is recorded where it is set.
		if _, read := recorded.Attributes[MarkerAttribute]; (read || current.ExternalID != "") && !mapping.mapsMarker() {
			keys = append(keys, MarkerAttribute)
		}
	}
	user.Attributes = make(map[string]string, len(keys))
	for _, key := range keys {
		now := UserAttribute(current, key)
		if was := recorded.Attributes[key]; sameValue(key, now, was) {
			now = was // Concur lower-cases e-mails; the recorded spelling is no drift
		}
		user.Attributes[key] = now
	}
	return user
}
