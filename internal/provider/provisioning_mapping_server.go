package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-concur/terraform-provider-concur/internal/provisioning"
)

// mappingServer serves the calls that carry a concur_provisioning_mapping's state. The
// framework visits every element of a value in several passes, each element with a logging
// context one step longer than the last, so a channel of n users costs it n² time (about
// 13 values per user). Here the users map is read and written once, as plain values; the
// framework still does what is small and has rules of its own: the schema, validation, and
// planning the scalar attributes (defaults, unknown values), to which the users are handed
// only afterwards.
type mappingServer struct {
	provider  *concurProvider
	framework tfprotov6.ProviderServer
	schema    schema.Schema
	valueType tftypes.Object
}

func newMappingServer(p *concurProvider, framework tfprotov6.ProviderServer) *mappingServer {
	ctx := context.Background()
	var resp resource.SchemaResponse
	(&provisioningMappingResource{}).Schema(ctx, resource.SchemaRequest{}, &resp)
	valueType := invariant[tftypes.Object](resp.Schema.Type().TerraformType(ctx), "a resource's type to be an object")
	return &mappingServer{
		provider:  p,
		framework: framework,
		schema:    resp.Schema,
		valueType: valueType,
	}
}

// resource is the channel's logic with the provider's configuration of this run.
func (s *mappingServer) resource() *provisioningMappingResource {
	return &provisioningMappingResource{data: s.provider.configured()}
}

func (s *mappingServer) UpgradeResourceState(_ context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	resp := &tfprotov6.UpgradeResourceStateResponse{}
	if req.Version < 0 || req.Version > s.schema.Version {
		resp.Diagnostics = []*tfprotov6.Diagnostic{{
			Severity: tfprotov6.DiagnosticSeverityError,
			Summary:  "State written by another version of the provider",
			Detail: fmt.Sprintf("This concur_provisioning_mapping was recorded with schema version %d, and this provider reads version %d. "+
				"Use the provider version that wrote the state, or a newer one.", req.Version, s.schema.Version),
		}}
		return resp, nil
	}
	if req.RawState == nil || len(req.RawState.JSON) == 0 {
		resp.Diagnostics = valueError("recorded state", errors.New("the state arrived without its JSON"))
		return resp, nil
	}
	// State of this schema version is already in the schema's own JSON, which Terraform reads as
	// it reads a provider's msgpack: handing it back unchanged spares decoding and encoding a
	// whole company's users, the largest single cost of a plan in the provider. Older versions
	// are rewritten step by step on the JSON, one version at a time.
	upgraded := req.RawState.JSON
	for version, upgrade := range mappingUpgrades[req.Version:] {
		var err error
		if upgraded, err = upgrade(upgraded); err != nil {
			resp.Diagnostics = valueError(fmt.Sprintf("recorded state of schema version %d", int(req.Version)+version), err)
			return resp, nil
		}
	}
	resp.UpgradedState = &tfprotov6.DynamicValue{JSON: upgraded}
	return resp, nil
}

// mappingUpgrades holds, at index v, the rewrite of state of schema version v into version v+1.
var mappingUpgrades = []func([]byte) ([]byte, error){upgradeMappingStateV0, upgradeMappingStateV1, upgradeMappingStateV2}

// upgradeMappingStateV0 rewrites the deprovision action that version 0 spelled "disable" (its
// default) as "deactivate". The users stay raw JSON: they are most of the state, and unchanged.
func upgradeMappingStateV0(state []byte) ([]byte, error) {
	var attributes map[string]json.RawMessage
	if err := json.Unmarshal(state, &attributes); err != nil {
		return nil, err
	}
	var action string
	if raw, ok := attributes["deprovision_action"]; ok && json.Unmarshal(raw, &action) == nil &&
		action == provisioning.DeprovisionDisableDeprecated {
		deactivate, err := json.Marshal(provisioning.DeprovisionDeactivate)
		if err != nil {
			return nil, err
		}
		attributes["deprovision_action"] = deactivate
	}
	return json.Marshal(attributes)
}

// upgradeMappingStateV1 drops what version 2 no longer keeps in the users: each user's dn and
// entry_id (version 2 keeps them as private data, which an upgrade cannot write, so the refresh
// reads them back from the directory) and the emp_id that repeats its key.
func upgradeMappingStateV1(state []byte) ([]byte, error) {
	var attributes map[string]json.RawMessage
	if err := json.Unmarshal(state, &attributes); err != nil {
		return nil, err
	}
	raw, ok := attributes[attrUsers]
	if !ok || string(raw) == "null" {
		return state, nil
	}
	var users map[string]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &users); err != nil {
		return nil, fmt.Errorf("reading users: %w", err)
	}
	for empID, user := range users {
		delete(user, "dn")
		delete(user, "entry_id")
		var values map[string]*string
		if err := json.Unmarshal(user["attributes"], &values); err != nil {
			return nil, fmt.Errorf("reading the attributes of user %q: %w", empID, err)
		}
		if recorded := values[provisioning.AttrEmpID]; recorded != nil && *recorded == empID {
			delete(values, provisioning.AttrEmpID)
		}
		encoded, err := json.Marshal(values)
		if err != nil {
			return nil, err
		}
		user["attributes"] = encoded
	}
	var err error
	if attributes[attrUsers], err = json.Marshal(users); err != nil {
		return nil, err
	}
	return json.Marshal(attributes)
}

// upgradeMappingStateV2 turns version 2's users, an object each, into version 3's: each user's
// active state and attributes as one JSON string (userDocument), and its Concur id in ids.
func upgradeMappingStateV2(state []byte) ([]byte, error) {
	var attributes map[string]json.RawMessage
	if err := json.Unmarshal(state, &attributes); err != nil {
		return nil, err
	}
	raw, ok := attributes[attrUsers]
	if !ok || string(raw) == "null" {
		attributes[attrIDs] = json.RawMessage("null")
		return json.Marshal(attributes)
	}
	var users map[string]struct {
		ID         *string           `json:"id"`
		Active     bool              `json:"active"`
		Attributes map[string]string `json:"attributes"`
	}
	if err := json.Unmarshal(raw, &users); err != nil {
		return nil, fmt.Errorf("reading users: %w", err)
	}
	documents := make(map[string]string, len(users))
	ids := make(map[string]*string, len(users))
	for empID, user := range users {
		if user.Attributes == nil {
			user.Attributes = map[string]string{}
		}
		document, err := json.Marshal(userDocument{Active: user.Active, Attributes: user.Attributes})
		if err != nil {
			return nil, err
		}
		documents[empID], ids[empID] = string(document), user.ID
	}
	var err error
	if attributes[attrUsers], err = json.Marshal(documents); err != nil {
		return nil, err
	}
	if attributes[attrIDs], err = json.Marshal(ids); err != nil {
		return nil, err
	}
	return json.Marshal(attributes)
}

func (s *mappingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	resp := &tfprotov6.ReadResourceResponse{}
	current, state, users, err := s.read(ctx, req.CurrentState)
	if err == nil {
		err = withPrivate(users, req.Private)
	}
	if err != nil {
		resp.Diagnostics = valueError("state", err)
		return resp, nil
	}
	refreshed, diags := s.resource().refreshUsers(ctx, state, users)
	resp.Diagnostics = protocolDiagnostics(diags)
	if diags.HasError() {
		return resp, nil
	}
	resp.NewState, err = s.encodeWithUsers(current, refreshed)
	if err == nil {
		resp.Private, err = privateOf(refreshed)
	}
	if err != nil {
		resp.Diagnostics = append(resp.Diagnostics, valueError("refreshed state", err)...)
	}
	return resp, nil
}

func (s *mappingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	prior, priorModel, managed, err := s.read(ctx, req.PriorState)
	if err != nil {
		return &tfprotov6.PlanResourceChangeResponse{Diagnostics: valueError("prior state", err)}, nil
	}
	proposed, err := s.decode(req.ProposedNewState)
	if err != nil {
		return &tfprotov6.PlanResourceChangeResponse{Diagnostics: valueError("proposed state", err)}, nil
	}
	if err := withPrivate(managed, req.PriorPrivate); err != nil {
		return &tfprotov6.PlanResourceChangeResponse{Diagnostics: valueError("private state", err)}, nil
	}
	// The framework plans everything but the users, and has no private data of its own here.
	light := *req
	light.PriorPrivate = nil
	if light.PriorState, err = s.encodeWithoutUsers(prior); err == nil {
		light.ProposedNewState, err = s.encodeWithoutUsers(proposed)
	}
	if err != nil {
		return &tfprotov6.PlanResourceChangeResponse{Diagnostics: valueError("proposed state", err)}, nil
	}
	resp, err := s.framework.PlanResourceChange(ctx, &light)
	if err != nil || hasProtocolError(resp.Diagnostics) {
		return resp, err
	}
	if resp.PlannedPrivate, err = privateOf(managed); err != nil {
		resp.Diagnostics = append(resp.Diagnostics, valueError("private state", err)...)
		return resp, nil
	}
	r := s.resource()
	if proposed.IsNull() {
		resp.Diagnostics = append(resp.Diagnostics, protocolDiagnostics(guardDestroy(priorModel, managed))...)
		return resp, nil
	}

	planned, err := s.decode(resp.PlannedState)
	if err != nil {
		resp.Diagnostics = append(resp.Diagnostics, valueError("planned state", err)...)
		return resp, nil
	}
	// The framework marks the users unknown where the channel's settings change; otherwise they
	// are what the state holds, until the channel is planned below.
	users, err := objectAttribute(proposed, attrUsers)
	ids, idsErr := objectAttribute(proposed, attrIDs)
	if err == nil {
		err = idsErr
	}
	if frameworkUsers, attrErr := objectAttribute(planned, attrUsers); err == nil && attrErr == nil && !frameworkUsers.IsKnown() {
		users, ids = frameworkUsers, tftypes.NewValue(usersType, tftypes.UnknownValue)
	}
	if err != nil {
		resp.Diagnostics = append(resp.Diagnostics, valueError("proposed state", err)...)
		return resp, nil
	}
	config, err := s.decode(req.Config)
	if err != nil {
		resp.Diagnostics = append(resp.Diagnostics, valueError("configuration", err)...)
		return resp, nil
	}
	// With a setting unknown until another resource is applied, the users are planned at apply.
	model, diags := s.model(ctx, planned)
	if r.data != nil && !diags.HasError() && config.IsFullyKnown() {
		plan, planDiags := r.planUsers(ctx, model, managed)
		diags.Append(planDiags...)
		if diags.HasError() {
			resp.Diagnostics = append(resp.Diagnostics, protocolDiagnostics(diags)...)
			return resp, nil
		}
		if users, ids, err = usersValue(plan.Users); err != nil {
			resp.Diagnostics = append(resp.Diagnostics, valueError("planned users", err)...)
			return resp, nil
		}
		if resp.PlannedPrivate, err = plannedPrivate(managed, plan.Users); err != nil {
			resp.Diagnostics = append(resp.Diagnostics, valueError("planned private state", err)...)
			return resp, nil
		}
	}
	resp.Diagnostics = append(resp.Diagnostics, protocolDiagnostics(diags)...)
	if planned, err = withAttribute(planned, attrUsers, users); err == nil {
		planned, err = withAttribute(planned, attrIDs, ids)
	}
	if err == nil {
		resp.PlannedState, err = s.encode(planned)
	}
	if err != nil {
		resp.Diagnostics = append(resp.Diagnostics, valueError("planned state", err)...)
	}
	return resp, nil
}

func (s *mappingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	resp := &tfprotov6.ApplyResourceChangeResponse{}
	// The plan's private data holds the entries of both the prior and the planned users.
	prior, priorModel, priorUsers, err := s.read(ctx, req.PriorState)
	if err == nil {
		err = withPrivate(priorUsers, req.PlannedPrivate)
	}
	if err != nil {
		resp.Diagnostics = valueError("prior state", err)
		return resp, nil
	}
	planned, plannedModel, plannedUsers, err := s.read(ctx, req.PlannedState)
	if err == nil {
		err = withPrivate(plannedUsers, req.PlannedPrivate)
	}
	if err != nil {
		resp.Diagnostics = valueError("planned state", err)
		return resp, nil
	}
	r := s.resource()

	var recorded map[string]provisioning.ManagedUser
	var diags diag.Diagnostics
	newState := planned
	gone := false
	switch {
	case planned.IsNull():
		var kept bool
		recorded, kept, diags = r.destroyUsers(ctx, priorModel, priorUsers)
		if gone = !kept; gone {
			resp.NewState, err = s.encode(planned)
			break
		}
		// The channel stays, recording who is done, so destroying again retries only the rest.
		resp.NewState, err = s.encodeWithUsers(prior, recorded)
	default:
		if prior.IsNull() {
			newState, err = withAttribute(planned, "id", tftypes.NewValue(tftypes.String, newChannelID()))
			if err != nil {
				break
			}
		}
		usersUnknown := false
		if value, attrErr := objectAttribute(planned, attrUsers); attrErr == nil {
			usersUnknown = !value.IsKnown()
		}
		recorded, diags = r.applyUsers(ctx, plannedModel, plannedUsers, usersUnknown, priorUsers)
		if recorded != nil {
			resp.NewState, err = s.encodeWithUsers(newState, recorded)
		} else {
			resp.NewState, err = s.encodeWithUsers(prior, priorUsers)
		}
	}
	// What the apply recorded, else (nothing applied: the state stays as it was) the prior users.
	if kept := recorded; err == nil && !gone {
		if kept == nil {
			kept = priorUsers
		}
		resp.Private, err = privateOf(kept)
	}
	resp.Diagnostics = protocolDiagnostics(diags)
	if err != nil {
		resp.Diagnostics = append(resp.Diagnostics, valueError("new state", err)...)
	}
	return resp, nil
}

// read decodes a state or plan into its value (without its users, unless they are unknown), its
// model (all but the users) and its users.
func (s *mappingServer) read(ctx context.Context, dv *tfprotov6.DynamicValue) (tftypes.Value, provisioningMappingModel, map[string]provisioning.ManagedUser, error) {
	value, err := s.decode(dv)
	if err != nil {
		return value, provisioningMappingModel{}, nil, err
	}
	users, err := objectAttribute(value, attrUsers)
	if err != nil {
		return value, provisioningMappingModel{}, nil, err
	}
	ids, err := objectAttribute(value, attrIDs)
	if err != nil {
		return value, provisioningMappingModel{}, nil, err
	}
	managed, err := usersFrom(users, ids)
	if err != nil {
		return value, provisioningMappingModel{}, nil, err
	}
	// The users are in managed now; the value keeps them only where they are unknown (planned at
	// apply), so a company's worth of protocol values is garbage before the call does its work.
	if users.IsKnown() {
		if value, err = withoutUsers(value); err != nil {
			return value, provisioningMappingModel{}, nil, err
		}
	}
	model, diags := s.model(ctx, value)
	if diags.HasError() {
		return value, model, nil, fmt.Errorf("%s", diags.Errors()[0].Detail())
	}
	return value, model, managed, nil
}

// model reads everything but the users through the framework, which is cheap without them.
func (s *mappingServer) model(ctx context.Context, value tftypes.Value) (provisioningMappingModel, diag.Diagnostics) {
	var model provisioningMappingModel
	if value.IsNull() {
		return model, nil
	}
	light, err := withoutUsers(value)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Unreadable channel", err.Error())
		return model, diags
	}
	return model, tfsdk.State{Schema: s.schema, Raw: light}.Get(ctx, &model)
}

func (s *mappingServer) decode(dv *tfprotov6.DynamicValue) (tftypes.Value, error) {
	if dv == nil {
		return tftypes.NewValue(s.valueType, nil), nil
	}
	return dv.Unmarshal(s.valueType)
}

func (s *mappingServer) encode(value tftypes.Value) (*tfprotov6.DynamicValue, error) {
	dv, err := tfprotov6.NewDynamicValue(s.valueType, value)
	return &dv, err
}

func (s *mappingServer) encodeWithUsers(value tftypes.Value, users map[string]provisioning.ManagedUser) (*tfprotov6.DynamicValue, error) {
	documents, ids, err := usersValue(users)
	if err == nil {
		value, err = withAttribute(value, attrUsers, documents)
	}
	if err == nil {
		value, err = withAttribute(value, attrIDs, ids)
	}
	if err != nil {
		return nil, err
	}
	return s.encode(value)
}

func (s *mappingServer) encodeWithoutUsers(value tftypes.Value) (*tfprotov6.DynamicValue, error) {
	value, err := withoutUsers(value)
	if err != nil {
		return nil, err
	}
	return s.encode(value)
}

// withoutUsers is a channel's value with null users and ids.
func withoutUsers(value tftypes.Value) (tftypes.Value, error) {
	value, err := withAttribute(value, attrUsers, tftypes.NewValue(usersType, nil))
	if err != nil {
		return value, err
	}
	return withAttribute(value, attrIDs, tftypes.NewValue(usersType, nil))
}
