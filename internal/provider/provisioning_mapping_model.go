package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
	"github.com/terraform-concur/terraform-provider-concur/internal/provisioning"
)

// attrUsers and attrIDs are the attributes that hold the channel's users, which travel as plain
// protocol values (provisioning_mapping_server.go) rather than through the model: each user's
// state as one JSON string (see userDocument), and its Concur id.
const (
	attrUsers = "users"
	attrIDs   = "ids"
)

// provisioningMappingModel is everything of a channel but its users; Users and IDs are always
// null here and exist because the framework reads a whole object into a struct.
type provisioningMappingModel struct {
	ID                     types.String        `tfsdk:"id"`
	Source                 *mappingSourceModel `tfsdk:"source"`
	AttributeMapping       types.Map           `tfsdk:"attribute_mapping"`
	CreateOnlyAttributes   types.Set           `tfsdk:"create_only_attributes"`
	ProvisionDisabledUsers types.Bool          `tfsdk:"provision_disabled_users"`
	DeprovisionAction      types.String        `tfsdk:"deprovision_action"`
	MaxDeprovisions        types.Int64         `tfsdk:"max_deprovisions"`
	AllowEmptySource       types.Bool          `tfsdk:"allow_empty_source"`
	OnDestroy              types.String        `tfsdk:"on_destroy"`
	TakeOverFrom           types.String        `tfsdk:"take_over_from"`
	Users                  types.Map           `tfsdk:"users"`
	IDs                    types.Map           `tfsdk:"ids"`
}

type mappingSourceModel struct {
	GroupDN        types.String `tfsdk:"group_dn"`
	Nested         types.Bool   `tfsdk:"nested"`
	Filter         types.String `tfsdk:"filter"`
	BaseDN         types.String `tfsdk:"base_dn"`
	Scope          types.String `tfsdk:"scope"`
	DisabledFilter types.String `tfsdk:"disabled_filter"`
}

func (s mappingSourceModel) toSource() provisioning.Source {
	return provisioning.Source{
		GroupDN:        s.GroupDN.ValueString(),
		Nested:         s.Nested.ValueBool(),
		Filter:         s.Filter.ValueString(),
		BaseDN:         s.BaseDN.ValueString(),
		Scope:          directory.Scope(s.Scope.ValueString()),
		DisabledFilter: s.DisabledFilter.ValueString(),
	}
}

func (m provisioningMappingModel) channel(ctx context.Context) (provisioning.Channel, diag.Diagnostics) {
	mapping, diags := m.compileMapping(ctx)
	return provisioning.Channel{
		Source:  m.Source.toSource(),
		Mapping: mapping,
		Options: m.options(),
	}, diags
}

func (m provisioningMappingModel) options() provisioning.Options {
	return provisioning.Options{
		ProvisionDisabledUsers: m.ProvisionDisabledUsers.ValueBool(),
		DeprovisionAction:      provisioning.ParseDeprovisionAction(m.DeprovisionAction.ValueString()),
		MaxDeprovisions:        int(m.MaxDeprovisions.ValueInt64()),
		AllowEmptySource:       m.AllowEmptySource.ValueBool(),
		OnDestroy:              provisioning.OnDestroy(m.OnDestroy.ValueString()),
		Ownership:              provisioning.Ownership{TakeOverFrom: m.TakeOverFrom.ValueString()},
	}
}

// compileMapping compiles the attribute mapping, reporting each problem on its key.
func (m provisioningMappingModel) compileMapping(ctx context.Context) (*provisioning.Mapping, diag.Diagnostics) {
	var diags diag.Diagnostics
	templates := map[string]string{}
	var createOnly []string
	diags.Append(m.AttributeMapping.ElementsAs(ctx, &templates, false)...)
	if !m.CreateOnlyAttributes.IsNull() {
		diags.Append(m.CreateOnlyAttributes.ElementsAs(ctx, &createOnly, false)...)
	}
	if diags.HasError() {
		return nil, diags
	}
	mapping, err := provisioning.CompileMapping(templates, createOnly)
	for _, problem := range mappingProblems(err) {
		diags.AddAttributeError(path.Root("attribute_mapping").AtMapKey(problem.Key), "Invalid attribute mapping", problem.Error())
	}
	return mapping, diags
}

func mappingProblems(err error) []*provisioning.MappingError {
	if err == nil {
		return nil
	}
	var problems []*provisioning.MappingError
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		for _, e := range joined.Unwrap() {
			var problem *provisioning.MappingError
			if errors.As(e, &problem) {
				problems = append(problems, problem)
			}
		}
	}
	if len(problems) == 0 {
		problems = append(problems, &provisioning.MappingError{Key: "", Reason: err.Error()})
	}
	return problems
}

// userDocument is one user in the users attribute, as a JSON string: one value for Terraform to
// carry instead of one for each field, and Terraform's plan still shows each field that changes
// (it renders JSON strings as jsonencode diffs). The emp_id is the key, so the attributes hold it
// only where Concur holds another (drift that the plan shows and puts back).
type userDocument struct {
	Active     bool              `json:"active"`
	Attributes map[string]string `json:"attributes"`
}

// usersFrom converts the users and ids attributes to the engine's type; unknown or null maps are
// empty, and a user not created yet has an empty id. The entries come from private data
// (withPrivate).
func usersFrom(users, ids tftypes.Value) (map[string]provisioning.ManagedUser, error) {
	managed := map[string]provisioning.ManagedUser{}
	if users.IsNull() || !users.IsKnown() {
		return managed, nil
	}
	var documents, known map[string]tftypes.Value
	if err := users.As(&documents); err != nil {
		return nil, err
	}
	if ids.IsKnown() && !ids.IsNull() {
		if err := ids.As(&known); err != nil {
			return nil, err
		}
	}
	for empID, document := range documents {
		var text string
		if err := stringFrom(document, &text); err != nil {
			return nil, err
		}
		var decoded userDocument
		if err := json.Unmarshal([]byte(text), &decoded); err != nil {
			return nil, fmt.Errorf("the user with emp_id %q: %w", empID, err)
		}
		user := provisioning.ManagedUser{EmpID: empID, Active: decoded.Active, Attributes: make(map[string]string, len(decoded.Attributes)+1)}
		user.Attributes[provisioning.AttrEmpID] = empID
		maps.Copy(user.Attributes, decoded.Attributes)
		if err := stringFrom(known[empID], &user.ID); err != nil {
			return nil, err
		}
		managed[empID] = user
	}
	return managed, nil
}

// usersValue converts the engine's users to the users and ids attributes; a user not created
// yet has an unknown id.
func usersValue(users map[string]provisioning.ManagedUser) (documents, ids tftypes.Value, err error) {
	documentValues := make(map[string]tftypes.Value, len(users))
	idValues := make(map[string]tftypes.Value, len(users))
	for empID, user := range users {
		attributes := make(map[string]string, len(user.Attributes))
		for key, v := range user.Attributes {
			if key != provisioning.AttrEmpID || v != empID {
				attributes[key] = v
			}
		}
		text, err := json.Marshal(userDocument{Active: user.Active, Attributes: attributes})
		if err != nil {
			return documents, ids, err
		}
		documentValues[empID] = tftypes.NewValue(tftypes.String, string(text))
		idValues[empID] = tftypes.NewValue(tftypes.String, user.ID)
		if user.ID == "" {
			idValues[empID] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
		}
	}
	return tftypes.NewValue(usersType, documentValues), tftypes.NewValue(usersType, idValues), nil
}

// usersType is the type of both the users and the ids attributes.
var usersType = tftypes.Map{ElementType: tftypes.String}

// stringFrom reads a string value; null and unknown read as "".
func stringFrom(value tftypes.Value, target *string) error {
	if value.IsNull() || !value.IsKnown() {
		*target = ""
		return nil
	}
	return value.As(target)
}

func knownValues(values ...types.String) bool {
	for _, v := range values {
		if v.IsUnknown() {
			return false
		}
	}
	return true
}
