package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/defaults"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
	"github.com/terraform-concur/terraform-provider-concur/internal/provisioning"
)

// userServer answers the concur_user calls in which the framework would do nothing, without it.
// A concur_user has 78 attributes, and each of the framework's passes over a value looks every
// attribute up by path, rebuilding the schema's attribute map at each step (v1.19.0,
// resource/schema.Schema.GetAttributes): the cost per resource grows with the square of the
// attributes, and refreshing 1,000 users was CPU-bound in the provider. Here, state at the
// current schema version is upgraded as the framework's passthrough does, a user in state is read
// as userResource.Read reads it, and a plan that changes nothing (the whole of a refresh without
// drift) is answered after the same ownership checks ModifyPlan makes; every other call (imports,
// changes) goes to the framework.
type userServer struct {
	provider  *concurProvider
	framework tfprotov6.ProviderServer
	schema    schema.Schema
	valueType tftypes.Object
	// identityType is the type of the resource identity (Terraform 1.12 and later).
	identityType tftypes.Object
	// nullIdentity is what the framework plans as the identity of a resource that has none yet
	// (Terraform before 1.12 sends none).
	nullIdentity *tfprotov6.ResourceIdentityData
	// defaults are the values planned for the attributes with a schema default that the
	// configuration leaves null.
	defaults map[string]tftypes.Value
}

func newUserServer(p *concurProvider, framework tfprotov6.ProviderServer) *userServer {
	ctx := context.Background()
	var resp resource.SchemaResponse
	(&userResource{}).Schema(ctx, resource.SchemaRequest{}, &resp)
	checkFastPaths(resp.Schema)
	var identity resource.IdentitySchemaResponse
	(&userResource{}).IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &identity)
	identityType := identity.IdentitySchema.Type().TerraformType(ctx)
	nullIdentity, err := tfprotov6.NewDynamicValue(identityType, tftypes.NewValue(identityType, nil))
	if err != nil {
		panic(fmt.Sprintf("provider bug: encoding a null concur_user identity: %s", err))
	}
	return &userServer{
		provider:     p,
		framework:    framework,
		schema:       resp.Schema,
		valueType:    invariant[tftypes.Object](resp.Schema.Type().TerraformType(ctx), "a resource's type to be an object"),
		identityType: invariant[tftypes.Object](identityType, "an identity's type to be an object"),
		nullIdentity: &tfprotov6.ResourceIdentityData{IdentityData: &nullIdentity},
		defaults:     schemaDefaults(ctx, resp.Schema),
	}
}

// checkFastPaths stops the provider at start-up when the concur_user schema gains what the fast
// paths do not do as the framework would: a write-only attribute (the framework nulls it), a plan
// modifier that may change a plan equal to the state, or a custom type with a semantic equality
// other than caseInsensitiveString's.
func checkFastPaths(s schema.Schema) {
	unchangedAlike := map[reflect.Type]bool{
		reflect.TypeOf(stringplanmodifier.UseStateForUnknown()): true, // keeps a known value
		reflect.TypeOf(displayNameFollowsNames{}):               true, // plans the state's value
	}
	for name, attribute := range s.Attributes {
		if attribute.IsWriteOnly() {
			panic(fmt.Sprintf("provider bug: userServer does not null write-only attributes, and %s is one", name))
		}
		var modifiers []any
		switch a := attribute.(type) {
		case schema.StringAttribute:
			for _, modifier := range a.PlanModifiers {
				modifiers = append(modifiers, modifier)
			}
			if a.CustomType != nil && a.CustomType != (caseInsensitiveStringType{}) {
				panic(fmt.Sprintf("provider bug: userServer.readKnown does not apply the semantic equality of %s's type %T", name, a.CustomType))
			}
		case schema.BoolAttribute:
			for _, modifier := range a.PlanModifiers {
				modifiers = append(modifiers, modifier)
			}
			if a.CustomType != nil {
				panic(fmt.Sprintf("provider bug: userServer.readKnown does not apply the semantic equality of %s's type %T", name, a.CustomType))
			}
		}
		for _, modifier := range modifiers {
			if !unchangedAlike[reflect.TypeOf(modifier)] {
				panic(fmt.Sprintf("provider bug: userServer.planUnchanged does not run %s's plan modifier %T", name, modifier))
			}
		}
	}
}

// schemaDefaults reads the default of every attribute that has one. Every concur_user attribute
// is a string or a bool; one of another type stops the provider at start-up.
func schemaDefaults(ctx context.Context, s schema.Schema) map[string]tftypes.Value {
	values := map[string]tftypes.Value{}
	for name, attribute := range s.Attributes {
		var value tftypes.Value
		var err error
		switch a := attribute.(type) {
		case schema.StringAttribute:
			if a.Default == nil {
				continue
			}
			var resp defaults.StringResponse
			a.Default.DefaultString(ctx, defaults.StringRequest{}, &resp)
			value, err = resp.PlanValue.ToTerraformValue(ctx)
		case schema.BoolAttribute:
			if a.Default == nil {
				continue
			}
			var resp defaults.BoolResponse
			a.Default.DefaultBool(ctx, defaults.BoolRequest{}, &resp)
			value, err = resp.PlanValue.ToTerraformValue(ctx)
		default:
			panic(fmt.Sprintf("provider bug: userServer reads strings and bools only, and %s is a %T", name, attribute))
		}
		if err != nil {
			panic(fmt.Sprintf("provider bug: the default of %s: %s", name, err))
		}
		values[name] = value
	}
	return values
}

// UpgradeResourceState reads state of the current schema version as the framework's passthrough
// does (attributes the schema no longer has are dropped); older versions go to the framework.
func (s *userServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	if req.Version != s.schema.Version || req.RawState == nil || len(req.RawState.JSON) == 0 {
		return s.framework.UpgradeResourceState(ctx, req)
	}
	value, err := req.RawState.UnmarshalWithOpts(s.valueType, tfprotov6.UnmarshalOpts{
		ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true},
	})
	if err != nil {
		return s.framework.UpgradeResourceState(ctx, req) // which says what is wrong with it
	}
	upgraded, err := tfprotov6.NewDynamicValue(s.valueType, value)
	if err != nil {
		return s.framework.UpgradeResourceState(ctx, req)
	}
	return &tfprotov6.UpgradeResourceStateResponse{UpgradedState: &upgraded}, nil
}

func (s *userServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	if resp, read := s.readKnown(ctx, req); read {
		return resp, nil
	}
	return s.framework.ReadResource(ctx, req)
}

// readKnown refreshes a user that state knows by its Concur id, as userResource.Read does with the
// framework's semantic equality (a login or e-mail that differs only in case keeps the state's
// spelling); a user Concur no longer has is forgotten. It leaves to the framework what needs more
// than that: an import (private data set), state an earlier release wrote without a deletion_mode.
func (s *userServer) readKnown(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, bool) {
	data := s.provider.configured()
	if data == nil || req.CurrentState == nil || !emptyPrivate(req.Private) {
		return nil, false
	}
	current, err := req.CurrentState.Unmarshal(s.valueType)
	if err != nil || current.IsNull() {
		return nil, false
	}
	var state map[string]tftypes.Value
	if current.As(&state) != nil {
		return nil, false
	}
	id, known := stringOf(state["id"])
	empID, _ := stringOf(state["emp_id"])
	if _, kept := stringOf(state["deletion_mode"]); !known || !kept {
		return nil, false
	}
	var held []string
	for _, a := range provisioning.Attributes {
		if !state[a.Name].IsNull() {
			held = append(held, a.Name)
		}
	}
	user, diags := (&userResource{data: data}).readAccount(ctx, id, empID, held)
	if diags.HasError() {
		return &tfprotov6.ReadResourceResponse{NewState: req.CurrentState, NewIdentity: s.identityOr(req.CurrentIdentity), Diagnostics: protocolDiagnostics(diags)}, true
	}
	if user == nil {
		// Deleted outside Terraform: forgotten, with the identity the user had (see Read).
		gone, err := tfprotov6.NewDynamicValue(s.valueType, tftypes.NewValue(s.valueType, nil))
		if err != nil {
			return nil, false
		}
		identity, err := s.identity(state)
		if err != nil {
			return nil, false
		}
		return &tfprotov6.ReadResourceResponse{NewState: &gone, NewIdentity: identity}, true
	}
	read, err := userAttributesFrom(user).terraformValues(ctx)
	if err != nil {
		return nil, false
	}
	refreshed := maps.Clone(state)
	maps.Copy(refreshed, read)
	for _, a := range provisioning.Attributes {
		prior, held := stringOf(state[a.Name])
		now, holds := stringOf(refreshed[a.Name])
		if !a.IgnoreCase || !held || !holds {
			continue
		}
		if same, _ := newCaseInsensitiveString(prior).StringSemanticEquals(ctx, newCaseInsensitiveString(now)); same {
			refreshed[a.Name] = state[a.Name]
		}
	}
	newState, err := tfprotov6.NewDynamicValue(s.valueType, tftypes.NewValue(s.valueType, refreshed))
	if err != nil {
		return nil, false
	}
	identity, err := s.identity(refreshed)
	if err != nil {
		return nil, false
	}
	data.warnIfTokenRotated(&diags)
	return &tfprotov6.ReadResourceResponse{NewState: &newState, NewIdentity: identity, Diagnostics: protocolDiagnostics(diags)}, true
}

// identity is the resource identity of a user's attributes (see userResourceModel.identity).
func (s *userServer) identity(attributes map[string]tftypes.Value) (*tfprotov6.ResourceIdentityData, error) {
	identity, err := tfprotov6.NewDynamicValue(s.identityType, tftypes.NewValue(s.identityType, map[string]tftypes.Value{
		"emp_id": attributes["emp_id"], "id": attributes["id"],
	}))
	return &tfprotov6.ResourceIdentityData{IdentityData: &identity}, err
}

// identityOr is the identity Terraform sent, or the framework's null identity where it sent none
// (Terraform before 1.12).
func (s *userServer) identityOr(sent *tfprotov6.ResourceIdentityData) *tfprotov6.ResourceIdentityData {
	if sent == nil || sent.IdentityData == nil {
		return s.nullIdentity
	}
	return sent
}

func (s *userServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	if resp, unchanged := s.planUnchanged(req); unchanged {
		return resp, nil
	}
	return s.framework.PlanResourceChange(ctx, req)
}

// planUnchanged answers the plan of a user that stays as it is: one in state whose configuration
// proposes no change, with nothing the framework would plan differently (a default the state does
// not hold) and nothing ModifyPlan would say or change (see userResource.ModifyPlan). Where it
// answers, the framework would plan the prior state, identity and private data as they are.
func (s *userServer) planUnchanged(req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, bool) {
	data := s.provider.configured()
	if data == nil || req.PriorState == nil || req.ProposedNewState == nil || req.Config == nil || !emptyPrivate(req.PriorPrivate) {
		return nil, false
	}
	prior, err := req.PriorState.Unmarshal(s.valueType)
	if err != nil || prior.IsNull() {
		return nil, false
	}
	proposed, err := req.ProposedNewState.Unmarshal(s.valueType)
	if err != nil || !proposed.Equal(prior) {
		return nil, false
	}
	config, err := req.Config.Unmarshal(s.valueType)
	if err != nil || !config.IsFullyKnown() {
		return nil, false
	}
	var state, configured map[string]tftypes.Value
	if prior.As(&state) != nil || config.As(&configured) != nil {
		return nil, false
	}
	for name, value := range s.defaults {
		if configured[name].IsNull() && !state[name].Equal(value) {
			return nil, false
		}
	}
	user, ok := concurUserOf(state)
	if !ok || concur.CheckEmployeeNumber(user.EmployeeNumber) != nil {
		return nil, false
	}
	own := provisioning.Ownership{Owner: data.owner}
	if takeOverFrom, ok := stringOf(state["take_over_from"]); ok {
		own.TakeOverFrom = takeOverFrom
	}
	configuredID, setsID := stringOf(configured[provisioning.MarkerAttribute])
	if own.Check(setsID) != nil {
		return nil, false
	}
	var diags diag.Diagnostics
	data.claim(&diags, path.Root("emp_id"), userOwner(user.EmployeeNumber), []string{user.EmployeeNumber})
	if len(diags) > 0 {
		return nil, false
	}
	var configuredExternalID *string
	if setsID {
		configuredExternalID = &configuredID
	}
	decision := own.PlanUser(user.EmployeeNumber, &user, user, configuredExternalID)
	held, holds := stringOf(state[provisioning.MarkerAttribute])
	if decision.Refused || decision.Unmarkable || decision.Status == provisioning.AccountElsewhere || decision.Status == provisioning.AccountTakenOver ||
		decision.Set != holds || decision.ExternalID != held {
		return nil, false
	}
	return &tfprotov6.PlanResourceChangeResponse{PlannedState: req.PriorState, PlannedPrivate: req.PriorPrivate, PlannedIdentity: s.identityOr(req.PriorIdentity)}, true
}

// concurUserOf is the Concur user a concur_user value describes; false when a value the
// catalogue reads is not a known string.
func concurUserOf(attributes map[string]tftypes.Value) (concur.User, bool) {
	user := concur.User{}
	if id, ok := stringOf(attributes["id"]); ok {
		user.ID = id
	}
	var active bool
	if err := attributes["active"].As(&active); err != nil {
		return user, false
	}
	user.Active = active
	for _, a := range provisioning.Attributes {
		value := attributes[a.Name]
		if !value.IsKnown() {
			return user, false
		}
		text, _ := stringOf(value)
		a.SetValue(&user, text)
	}
	return user, true
}

// stringOf is a string value's text; false when it is null, unknown or not a string.
func stringOf(value tftypes.Value) (string, bool) {
	var text string
	if !value.IsKnown() || value.IsNull() || value.As(&text) != nil {
		return "", false
	}
	return text, true
}

// emptyPrivate says whether a resource's private data holds no key (the framework's encoding is
// a JSON object, or nothing).
func emptyPrivate(private []byte) bool {
	if len(private) == 0 {
		return true
	}
	var keys map[string]json.RawMessage
	return json.Unmarshal(private, &keys) == nil && len(keys) == 0
}
