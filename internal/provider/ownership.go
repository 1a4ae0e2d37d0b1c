package provider

import (
	"errors"
	"fmt"
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
	return provisioning.Owner{Key: "new channel:" + source, Name: "the new concur_provisioning_mapping over " + source}
}

const userOwnerPrefix = "concur_user:"

func userOwner(empID string) provisioning.Owner {
	return provisioning.Owner{Key: userOwnerPrefix + empID, Name: fmt.Sprintf("a concur_user with emp_id %q", empID)}
}

// claim registers the people owner's plan manages and reports, on at, those another object of
// the configuration already claimed. The engine decides; this only says it in the user's terms.
func (d *providerData) claim(diags *diag.Diagnostics, at path.Path, owner provisioning.Owner, empIDs []string) {
	var claimErr *provisioning.ClaimError
	if !errors.As(d.claims.Claim(owner, empIDs), &claimErr) {
		return
	}
	for _, conflict := range claimErr.Conflicts {
		diags.AddAttributeError(at, "People claimed by two objects of this configuration",
			fmt.Sprintf("Nothing was changed: %s and %s both manage %s. One Concur account can have only one owner: "+
				"two owners write over each other's values, and one deactivates whom the other provisions. "+
				"(Terraform does not tell a provider resource addresses, so objects are named by their source or emp_id.)\n\n%s",
				claimErr.Claimant.Name, conflict.Owner.Name, listSome(conflict.EmpIDs, listedEmpIDs), claimAdvice(claimErr.Claimant, conflict.Owner)))
	}
}

func claimAdvice(claimant, other provisioning.Owner) string {
	if strings.HasPrefix(claimant.Key, userOwnerPrefix) || strings.HasPrefix(other.Key, userOwnerPrefix) {
		return "Either remove the concur_user (with a removed block and lifecycle { destroy = false }, so the account " +
			"stays as it is) and let the channel manage the person, or exclude the person from the channel's source " +
			"(a filter such as (&(...)(!(employeeID=E123))), or a group they are not in)."
	}
	return "Narrow one channel's source so it no longer includes these people (a group they are not in, or a filter " +
		"such as (&(...)(!(employeeID=E123)))), or remove them from one of the groups."
}
