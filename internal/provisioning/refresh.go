package provisioning

import (
	"context"
	"fmt"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
)

// Refresh reads the managed users back from Concur in batched searches (never one request per
// user) and returns what Concur holds now: attributes changed by hand show as drift in the
// next plan, and users deleted in Concur drop out, so the plan creates them again. It reads the
// mapping's attributes (those recorded for each user when mapping is nil), so an attribute
// mapped since a user was recorded is read too.
func Refresh(ctx context.Context, client *concur.Client, managed map[string]ManagedUser, mapping *Mapping) (map[string]ManagedUser, error) {
	if len(managed) == 0 {
		return managed, nil
	}
	found, err := client.FindUsersByEmployeeNumbers(ctx, sortedKeys(managed))
	if err != nil {
		return nil, fmt.Errorf("reading %d managed users from Concur: %w", len(managed), err)
	}
	refreshed := make(map[string]ManagedUser, len(managed))
	for empID, recorded := range managed {
		current, ok := found[empID]
		if !ok {
			continue
		}
		user := recorded
		user.ID = current.ID
		user.Active = current.Active
		keys := sortedKeys(recorded.Attributes)
		if mapping != nil {
			keys = mapping.Keys()
		}
		user.Attributes = make(map[string]string, len(keys))
		for _, key := range keys {
			now := UserAttribute(current, key)
			if was := recorded.Attributes[key]; sameValue(key, now, was) {
				now = was // Concur lower-cases e-mails; the recorded spelling is no drift
			}
			user.Attributes[key] = now
		}
		refreshed[empID] = user
	}
	return refreshed, nil
}
