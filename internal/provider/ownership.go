package provider

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/terraform-concur/terraform-provider-concur/internal/provisioning"
)

// A provider never learns resource addresses, so owners are named by what it does know: a
// channel by its source and id, a concur_user by its emp_id.

func channelOwner(model provisioningMappingModel) provisioning.Owner {
	source := "an unknown source"
	if model.Source != nil {
		switch s := model.Source; {
		case s.GroupDN.ValueString() != "":
			source = fmt.Sprintf("group %q", s.GroupDN.ValueString())
		case s.Filter.ValueString() != "":
			source = fmt.Sprintf("filter %q under %q", s.Filter.ValueString(), s.BaseDN.ValueString())
		}
	}
	if id := model.ID.ValueString(); id != "" {
		return provisioning.Owner{Key: "channel:" + id, Name: fmt.Sprintf("the concur_provisioning_mapping over %s (id %s)", source, id)}
	}
	// A new channel has no id until it is applied; two over one source differ in the rest of their
	// configuration. Two new channels configured exactly alike cannot be told apart here (Terraform
	// names no addresses); the first plan after they are applied, with their ids, refuses them.
	return provisioning.Owner{Key: "new channel:" + source + ":" + configurationHash(model), Name: "the new concur_provisioning_mapping over " + source}
}

// configurationHash is a short digest of what a channel is configured to do besides its source.
func configurationHash(model provisioningMappingModel) string {
	var source mappingSourceModel
	if model.Source != nil {
		source = *model.Source
	}
	digest := sha256.Sum256([]byte(fmt.Sprint(source, model.AttributeMapping, model.CreateOnlyAttributes, model.ProvisionDisabledUsers,
		model.DeprovisionAction, model.MaxDeprovisions, model.AllowEmptySource, model.OnDestroy)))
	return hex.EncodeToString(digest[:8])
}

const (
	userOwnerPrefix        = "concur_user:"
	destroyedUserKeyPrefix = "destroyed concur_user:"
)

func userOwner(empID string) provisioning.Owner {
	return provisioning.Owner{Key: userOwnerPrefix + empID, Name: fmt.Sprintf("a concur_user with emp_id %q", empID)}
}

// destroyedUserOwner claims the person of a concur_user the plan destroys: the destroy deactivates
// (or deletes) the account, which no channel may be provisioning at the same time.
func destroyedUserOwner(empID string) provisioning.Owner {
	return provisioning.Owner{Key: destroyedUserKeyPrefix + empID, Name: fmt.Sprintf("the concur_user with emp_id %q, which this plan destroys,", empID)}
}

// claim registers the people owner's plan manages and reports, on at, those another object of
// the configuration already claimed. The engine decides; this only says it in the user's terms.
// An empty path reports on the object as a whole (a destroy has no attributes to point at).
func (d *providerData) claim(diags *diag.Diagnostics, at path.Path, owner provisioning.Owner, empIDs []string) {
	var claimErr *provisioning.ClaimError
	if !errors.As(d.claims.Claim(owner, empIDs), &claimErr) {
		return
	}
	for _, conflict := range claimErr.Conflicts {
		summary, detail := "People claimed by two objects of this configuration",
			fmt.Sprintf("Nothing was changed: %s and %s both manage %s. One Concur account can have only one owner: "+
				"two owners write over each other's values, and one deactivates whom the other provisions. "+
				"(Terraform does not tell a provider resource addresses, so objects are named by their source or emp_id.)\n\n%s",
				claimErr.Claimant.Name, conflict.Owner.Name, listSome(conflict.EmpIDs, listedEmpIDs), claimAdvice(claimErr.Claimant, conflict.Owner))
		if at.Equal(path.Empty()) {
			diags.AddError(summary, detail)
		} else {
			diags.AddAttributeError(at, summary, detail)
		}
	}
}

func claimAdvice(claimant, other provisioning.Owner) string {
	switch {
	case strings.HasPrefix(claimant.Key, destroyedUserKeyPrefix) || strings.HasPrefix(other.Key, destroyedUserKeyPrefix):
		return "Destroying the concur_user would deactivate (or delete) the account that the channel provisions. To hand the person " +
			"over to the channel, replace the concur_user's resource block with a removed block that keeps the account:\n\n" +
			"  removed {\n    from = <address of the concur_user>\n    lifecycle {\n      destroy = false\n    }\n  }\n\n" +
			"To stop provisioning the person instead, exclude them from the channel's source as well."
	case strings.HasPrefix(claimant.Key, userOwnerPrefix) || strings.HasPrefix(other.Key, userOwnerPrefix):
		return "Either remove the concur_user (with a removed block and lifecycle { destroy = false }, so the account " +
			"stays as it is) and let the channel manage the person, or exclude the person from the channel's source " +
			"(a filter such as (&(...)(!(employeeID=E123))), or a group they are not in)."
	}
	return "Narrow one channel's source so it no longer includes these people (a group they are not in, or a filter " +
		"such as (&(...)(!(employeeID=E123)))), or remove them from one of the groups."
}

// ownershipWarnings names the people a channel's plan leaves to another owner, takes over, or
// manages without a marker because their externalId is another system's.
func ownershipWarnings(plan *provisioning.Plan, owner string) diag.Diagnostics {
	var diags diag.Diagnostics
	if len(plan.ManagedElsewhere) > 0 {
		recorded := false
		for _, user := range plan.ManagedElsewhere {
			recorded = recorded || user.Managed
		}
		detail := "The Concur accounts of these people carry the owner marker of another configuration, so this channel links, " +
			"writes, deactivates and deletes none of them:\n" + elsewhereByOwner(plan.ManagedElsewhere) + "\n\n" + takeOverAdvice(owner)
		if recorded {
			detail += " If the owner named is this configuration's former owner name, set take_over_from to it once (or set owner back)."
		}
		diags.AddWarning(fmt.Sprintf("%s managed elsewhere", count(len(plan.ManagedElsewhere), "person", "people")), detail)
	}
	if len(plan.TakenOver) > 0 {
		lines := make([]string, 0, len(plan.TakenOver))
		for _, user := range plan.TakenOver {
			lines = append(lines, fmt.Sprintf("%s from owner %q", user.EmpID, user.From))
		}
		diags.AddWarning(fmt.Sprintf("Taking over %s", count(len(plan.TakenOver), "person", "people")),
			fmt.Sprintf("take_over_from links these accounts and rewrites their owner marker to owner %q. The previous owner's "+
				"next plan drops them without writing to them; remove them from its source too, so its plans stop naming them:\n%s",
				owner, listLines(lines)))
	}
	if len(plan.Unmarkable) > 0 {
		diags.Append(unmarkableWarning(plan.Unmarkable))
	}
	return diags
}

// elsewhereByOwner lists people managed elsewhere, one line per owner.
func elsewhereByOwner(users []provisioning.ElsewhereUser) string {
	byOwner := map[string][]string{}
	for _, user := range users {
		byOwner[user.Owner] = append(byOwner[user.Owner], user.EmpID)
	}
	owners := make([]string, 0, len(byOwner))
	for name := range byOwner {
		owners = append(owners, name)
	}
	sort.Strings(owners)
	lines := make([]string, 0, len(owners))
	for _, name := range owners {
		lines = append(lines, fmt.Sprintf("managed elsewhere by owner %q: %s", name, listSome(byOwner[name], listedEmpIDs)))
	}
	return strings.Join(lines, "\n")
}

func takeOverAdvice(owner string) string {
	if owner == "" {
		return "Leave them to their owner and narrow this channel's source, or set the provider's owner and take them over with " +
			"take_over_from = \"<their owner>\" on this channel."
	}
	return "Leave them to their owner and narrow this channel's source, or take them over with take_over_from = \"<their owner>\" on this channel."
}

// unmarkableWarning names the accounts whose externalId is another system's id: the owner marker
// would overwrite it, so they are managed without one.
func unmarkableWarning(empIDs []string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Accounts that cannot carry the owner marker",
		fmt.Sprintf("The externalId of these Concur accounts holds a value that is not an owner marker, most likely another "+
			"system's id, which the provider never overwrites: %s. They are managed as before, without a marker, so another "+
			"configuration could link them too. If externalId belongs to another system, unset the provider's owner; "+
			"if the value is stale, clear the field in Concur and the next plan marks the accounts.", listSome(empIDs, listedEmpIDs)))
}
