package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-concur/terraform-provider-concur/internal/provisioning"
)

var _ resource.ResourceWithModifyPlan = &provisioningMappingResource{}

// ModifyPlan refuses, on the attribute to correct, ownership settings the marker rules refuse: a
// mapped external_id while the provider's owner is set, or a take_over_from without an owner. The
// framework calls it from the channel's own PlanResourceChange (provisioning_mapping_server.go)
// before the users are planned, so a refused channel reads neither the directory nor Concur.
func (r *provisioningMappingResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil || req.Plan.Raw.IsNull() {
		return
	}
	var mapping types.Map
	var takeOverFrom types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("attribute_mapping"), &mapping)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("take_over_from"), &takeOverFrom)...)
	if resp.Diagnostics.HasError() || mapping.IsUnknown() || takeOverFrom.IsUnknown() {
		return
	}
	_, mapsExternalID := mapping.Elements()[provisioning.MarkerAttribute]
	err := provisioning.Ownership{Owner: r.data.owner, TakeOverFrom: takeOverFrom.ValueString()}.Check(mapsExternalID)
	var refused *provisioning.OwnershipError
	if errors.As(err, &refused) {
		resp.Diagnostics.Append(ownershipSettingError(refused))
	}
}

// ownershipSettingError reports a refused ownership setting of a channel on the attribute to correct.
func ownershipSettingError(refused *provisioning.OwnershipError) diag.Diagnostic {
	at := path.Root(refused.Attribute)
	if refused.Attribute == provisioning.MarkerAttribute {
		at = path.Root("attribute_mapping").AtMapKey(provisioning.MarkerAttribute)
	}
	return diag.NewAttributeErrorDiagnostic(at, "Conflicting ownership settings", refused.Reason+".")
}

// destroySkippedWarning names the managed users a destroy left alone because another owner's
// marker names their account.
func destroySkippedWarning(skipped []provisioning.ElsewhereUser, action provisioning.DeprovisionAction) diag.Diagnostics {
	var diags diag.Diagnostics
	if len(skipped) == 0 {
		return diags
	}
	diags.AddWarning(fmt.Sprintf("%s left to another owner", count(len(skipped), "person", "people")), fmt.Sprintf(
		"The Concur accounts of these people carry the owner marker of another configuration, so destroying the channel did not %s them "+
			"and stopped managing them; the accounts are as their owner left them:\n%s", action, elsewhereByOwner(skipped)))
	return diags
}
