package provider

import (
	"fmt"
	"reflect"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
	"github.com/terraform-concur/terraform-provider-concur/internal/provisioning"
)

// userAttributes is the part of a Concur user that the resource and both data sources share: one
// field for each attribute of the engine's catalogue (provisioning.Attributes), converted by
// their tfsdk tags, and the three that Concur alone sets or that are not text.
type userAttributes struct {
	ID                types.String          `tfsdk:"id"`
	EmpID             types.String          `tfsdk:"emp_id"`
	LoginID           caseInsensitiveString `tfsdk:"login_id"`
	Email             caseInsensitiveString `tfsdk:"email"`
	FirstName         types.String          `tfsdk:"first_name"`
	LastName          types.String          `tfsdk:"last_name"`
	MiddleName        types.String          `tfsdk:"middle_name"`
	NickName          types.String          `tfsdk:"nick_name"`
	DisplayName       types.String          `tfsdk:"display_name"`
	Title             types.String          `tfsdk:"title"`
	Active            types.Bool            `tfsdk:"active"`
	PreferredLanguage types.String          `tfsdk:"preferred_language"`
	Timezone          types.String          `tfsdk:"timezone"`
	Department        types.String          `tfsdk:"department"`
	CostCenter        types.String          `tfsdk:"cost_center"`
	Division          types.String          `tfsdk:"division"`
	ManagerEmpID      types.String          `tfsdk:"manager_emp_id"`
	StartDate         types.String          `tfsdk:"start_date"`
	TerminationDate   types.String          `tfsdk:"termination_date"`
	ExternalID        types.String          `tfsdk:"external_id"`
}

// Descriptions of the user attributes outside the catalogue; the catalogue describes the others.
const (
	idDescription          = "The Concur user UUID, assigned by Concur."
	displayNameDescription = "The display name Concur derives from the preferred or first name and the last name."
	activeDescription      = "Whether the user can sign in to Concur."
)

// modelFields is the index in userAttributes of each catalogue attribute's field. A catalogue
// row without its field, or with one of the wrong type, stops the provider at start-up (and so
// every test), naming the field to add.
var modelFields = func() map[string]int {
	model := reflect.TypeOf(userAttributes{})
	byTag := map[string]reflect.StructField{}
	for i := range model.NumField() {
		byTag[model.Field(i).Tag.Get("tfsdk")] = model.Field(i)
	}
	fields := make(map[string]int, len(provisioning.Attributes))
	for _, a := range provisioning.Attributes {
		field, ok := byTag[a.Name]
		want := reflect.TypeOf(modelValue(a, ""))
		if !ok || field.Type != want {
			panic(fmt.Sprintf("userAttributes needs a field of type %s tagged `tfsdk:%q` for the Concur attribute %s", want, a.Name, a.Name))
		}
		fields[a.Name] = field.Index[0]
	}
	return fields
}()

// modelValue is the Terraform value of a catalogue attribute: null when Concur leaves an
// optional one empty.
func modelValue(a provisioning.Attribute, value string) any {
	null := value == "" && !a.Required
	switch {
	case a.IgnoreCase && null:
		return caseInsensitiveString{StringValue: types.StringNull()}
	case a.IgnoreCase:
		return newCaseInsensitiveString(value)
	case null:
		return types.StringNull()
	default:
		return types.StringValue(value)
	}
}

func (m userAttributes) toConcur() concur.User {
	u := concur.User{ID: m.ID.ValueString(), Active: m.Active.ValueBool()}
	model := reflect.ValueOf(m)
	for _, a := range provisioning.Attributes {
		text, _ := model.Field(modelFields[a.Name]).Interface().(interface{ ValueString() string }) // both field types are strings, as modelFields checked
		*a.Field(&u) = text.ValueString()
	}
	return u
}

// userAttributesFrom maps a Concur user to Terraform values; fields Concur leaves empty are null.
func userAttributesFrom(u *concur.User) userAttributes {
	m := userAttributes{
		ID:          types.StringValue(u.ID),
		DisplayName: types.StringValue(u.DisplayName),
		Active:      types.BoolValue(u.Active),
	}
	model := reflect.ValueOf(&m).Elem()
	for _, a := range provisioning.Attributes {
		model.Field(modelFields[a.Name]).Set(reflect.ValueOf(modelValue(a, *a.Field(u))))
	}
	return m
}
