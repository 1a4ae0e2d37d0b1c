package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
	"github.com/terraform-concur/terraform-provider-concur/internal/provisioning"
)

// attrUsers is the attribute that holds the channel's users, which travel as plain protocol
// values (provisioning_mapping_server.go) rather than through the model.
const attrUsers = "users"

// provisioningMappingModel is everything of a channel but its users; Users is always null
// here and exists because the framework reads a whole object into a struct.
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

// usersFrom converts the users attribute to the engine's type; an unknown or null map is empty,
// and a user not created yet has an empty id. The attributes hold emp_id only where Concur's
// differs from the key (see usersValue), and the entries come from private data (withPrivate).
func usersFrom(value tftypes.Value) (map[string]provisioning.ManagedUser, error) {
	users := map[string]provisioning.ManagedUser{}
	if value.IsNull() || !value.IsKnown() {
		return users, nil
	}
	var elements map[string]tftypes.Value
	if err := value.As(&elements); err != nil {
		return nil, err
	}
	for empID, element := range elements {
		var fields map[string]tftypes.Value
		if err := element.As(&fields); err != nil {
			return nil, err
		}
		user := provisioning.ManagedUser{EmpID: empID}
		var values map[string]tftypes.Value
		err := errors.Join(
			stringFrom(fields["id"], &user.ID),
			fields["active"].As(&user.Active),
			fields["attributes"].As(&values),
		)
		if err != nil {
			return nil, err
		}
		user.Attributes = make(map[string]string, len(values)+1)
		user.Attributes[provisioning.AttrEmpID] = empID
		for key, v := range values {
			var s string
			if err := stringFrom(v, &s); err != nil {
				return nil, err
			}
			user.Attributes[key] = s
		}
		users[empID] = user
	}
	return users, nil
}

// usersValue converts the engine's users to the users attribute; a user not created yet has an
// unknown id. The key is the emp_id, so the attributes repeat it only where Concur holds another
// (drift that the plan shows and puts back): one value less per user for Terraform to carry.
func usersValue(usersType tftypes.Map, users map[string]provisioning.ManagedUser) tftypes.Value {
	userType := invariant[tftypes.Object](usersType.ElementType, "a user to be an object")
	attributesType := userType.AttributeTypes["attributes"]
	elements := make(map[string]tftypes.Value, len(users))
	for empID, user := range users {
		id := tftypes.NewValue(tftypes.String, user.ID)
		if user.ID == "" {
			id = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
		}
		attributes := make(map[string]tftypes.Value, len(user.Attributes))
		for key, v := range user.Attributes {
			if key == provisioning.AttrEmpID && v == empID {
				continue
			}
			attributes[key] = tftypes.NewValue(tftypes.String, v)
		}
		elements[empID] = tftypes.NewValue(userType, map[string]tftypes.Value{
			"id":         id,
			"active":     tftypes.NewValue(tftypes.Bool, user.Active),
			"attributes": tftypes.NewValue(attributesType, attributes),
		})
	}
	return tftypes.NewValue(usersType, elements)
}

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
