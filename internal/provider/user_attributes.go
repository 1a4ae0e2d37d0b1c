package provider

import (
	"context"
	"fmt"
	"reflect"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

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

	// The Spend and Travel profiles, read only where the configuration or state holds one of them.
	ReimbursementCurrency        types.String `tfsdk:"reimbursement_currency"`
	Country                      types.String `tfsdk:"country"`
	StateProvince                types.String `tfsdk:"state_province"`
	Locale                       types.String `tfsdk:"locale"`
	LedgerCode                   types.String `tfsdk:"ledger_code"`
	ReimbursementType            types.String `tfsdk:"reimbursement_type"`
	CashAdvanceAccountCode       types.String `tfsdk:"cash_advance_account_code"`
	BudgetCountryCode            types.String `tfsdk:"budget_country_code"`
	TestEmployee                 types.String `tfsdk:"test_employee"`
	NonEmployee                  types.String `tfsdk:"non_employee"`
	OfficeLocationCountry        types.String `tfsdk:"office_location_country"`
	OfficeLocationStateProvince  types.String `tfsdk:"office_location_state_province"`
	OfficeLocationCity           types.String `tfsdk:"office_location_city"`
	Custom1                      types.String `tfsdk:"custom1"`
	Custom2                      types.String `tfsdk:"custom2"`
	Custom3                      types.String `tfsdk:"custom3"`
	Custom4                      types.String `tfsdk:"custom4"`
	Custom5                      types.String `tfsdk:"custom5"`
	Custom6                      types.String `tfsdk:"custom6"`
	Custom7                      types.String `tfsdk:"custom7"`
	Custom8                      types.String `tfsdk:"custom8"`
	Custom9                      types.String `tfsdk:"custom9"`
	Custom10                     types.String `tfsdk:"custom10"`
	Custom11                     types.String `tfsdk:"custom11"`
	Custom12                     types.String `tfsdk:"custom12"`
	Custom13                     types.String `tfsdk:"custom13"`
	Custom14                     types.String `tfsdk:"custom14"`
	Custom15                     types.String `tfsdk:"custom15"`
	Custom16                     types.String `tfsdk:"custom16"`
	Custom17                     types.String `tfsdk:"custom17"`
	Custom18                     types.String `tfsdk:"custom18"`
	Custom19                     types.String `tfsdk:"custom19"`
	Custom20                     types.String `tfsdk:"custom20"`
	Custom21                     types.String `tfsdk:"custom21"`
	Custom22                     types.String `tfsdk:"custom22"`
	OrgUnit1                     types.String `tfsdk:"org_unit1"`
	OrgUnit2                     types.String `tfsdk:"org_unit2"`
	OrgUnit3                     types.String `tfsdk:"org_unit3"`
	OrgUnit4                     types.String `tfsdk:"org_unit4"`
	OrgUnit5                     types.String `tfsdk:"org_unit5"`
	OrgUnit6                     types.String `tfsdk:"org_unit6"`
	ReportApproverEmpID          types.String `tfsdk:"report_approver_emp_id"`
	CashAdvanceApproverEmpID     types.String `tfsdk:"cash_advance_approver_emp_id"`
	RequestApproverEmpID         types.String `tfsdk:"request_approver_emp_id"`
	InvoiceApproverEmpID         types.String `tfsdk:"invoice_approver_emp_id"`
	PurchaseRequestApproverEmpID types.String `tfsdk:"purchase_request_approver_emp_id"`
	StatementApproverEmpID       types.String `tfsdk:"statement_approver_emp_id"`
	BudgetApproverEmpID          types.String `tfsdk:"budget_approver_emp_id"`
	SpendRoles                   types.String `tfsdk:"spend_roles"`
	TravelRuleClass              types.String `tfsdk:"travel_rule_class"`
	TravelOrgUnit                types.String `tfsdk:"travel_org_unit"`
	TravelNameRemark             types.String `tfsdk:"travel_name_remark"`
	TravelCrsName                types.String `tfsdk:"travel_crs_name"`
	TravelGender                 types.String `tfsdk:"travel_gender"`
	TravelApproverEmpID          types.String `tfsdk:"travel_approver_emp_id"`
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
		a.SetValue(&u, text.ValueString())
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
		model.Field(modelFields[a.Name]).Set(reflect.ValueOf(modelValue(a, a.Value(u))))
	}
	return m
}

// terraformValues is the protocol value of each of the model's attributes, by name, for the calls
// served without the framework (userServer).
func (m userAttributes) terraformValues(ctx context.Context) (map[string]tftypes.Value, error) {
	model := reflect.ValueOf(m)
	values := make(map[string]tftypes.Value, model.NumField())
	for i := range model.NumField() {
		value, _ := model.Field(i).Interface().(attr.Value) // every field is, as the framework's conversion requires
		converted, err := value.ToTerraformValue(ctx)
		if err != nil {
			return nil, err
		}
		values[model.Type().Field(i).Tag.Get("tfsdk")] = converted
	}
	return values, nil
}

// heldAttributes names the catalogue attributes that hold a value, which decides the profiles
// to read.
func (m userAttributes) heldAttributes() []string {
	model := reflect.ValueOf(m)
	var names []string
	for _, a := range provisioning.Attributes {
		if value, _ := model.Field(modelFields[a.Name]).Interface().(interface{ IsNull() bool }); !value.IsNull() {
			names = append(names, a.Name)
		}
	}
	return names
}

// changedFrom names the catalogue attributes whose value differs from before's.
func (m userAttributes) changedFrom(before userAttributes) []string {
	now, was := reflect.ValueOf(m), reflect.ValueOf(before)
	var names []string
	for _, a := range provisioning.Attributes {
		value, _ := now.Field(modelFields[a.Name]).Interface().(attr.Value) // both field types are, as modelFields checked
		previous, _ := was.Field(modelFields[a.Name]).Interface().(attr.Value)
		if !value.Equal(previous) {
			names = append(names, a.Name)
		}
	}
	return names
}
