package provider

import (
	"context"
	"errors"

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
	if !errors.As(err, &refused) {
		return
	}
	at := path.Root(refused.Attribute)
	if refused.Attribute == provisioning.MarkerAttribute {
		at = path.Root("attribute_mapping").AtMapKey(provisioning.MarkerAttribute)
	}
	resp.Diagnostics.AddAttributeError(at, "Conflicting ownership settings", refused.Reason+".")
}
