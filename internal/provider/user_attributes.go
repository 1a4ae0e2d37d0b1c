package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
)

// userAttributes is the part of a Concur user that the resource and both data sources share.
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

// userAttributeDescriptions is the one place each attribute is explained; the resource and
// the data sources build their schemas from it.
var userAttributeDescriptions = map[string]string{
	"id":                 "The Concur user UUID, assigned by Concur.",
	"emp_id":             "The employee ID (Concur's enterprise `employeeNumber`), unique within the company. It is the key that links a Concur user to its directory record and the ID to import with. Changing it updates the user in place.",
	"login_id":           "The login ID (Concur's `userName`), of the form `user@domain` and unique across all of SAP Concur. Compared case-insensitively.",
	"email":              "The work e-mail address. Concur stores e-mails lower-case; values that differ only in case are equal.",
	"first_name":         "The given name, at most 32 characters.",
	"last_name":          "The family name, at most 32 characters.",
	"middle_name":        "The middle name, at most 60 characters.",
	"nick_name":          "The preferred name, at most 60 characters. Concur shows it instead of the first name.",
	"display_name":       "The display name Concur derives from the preferred or first name and the last name.",
	"title":              "The job title, at most 255 characters.",
	"active":             "Whether the user can sign in to Concur.",
	"preferred_language": "The preferred language as a tag such as `en-US`. Concur defaults it to `en-US`.",
	"timezone":           "The IANA timezone such as `Europe/Berlin`. Concur defaults it to `America/New_York`.",
	"department":         "The department, as provisioned (not Expense's own field of that name).",
	"cost_center":        "The cost center, at most 25 characters.",
	"division":           "The division, at most 48 characters.",
	"manager_emp_id":     "The employee ID of the user's manager; the provider resolves it to the manager's Concur user, which must exist.",
	"start_date":         "The start date, `YYYY-MM-DD`. When none is configured, the provider keeps whatever Concur holds (Concur may set one itself).",
	"termination_date":   "The termination date, `YYYY-MM-DD`; it also drives Concur's data-retention period.",
	"external_id":        "An identifier of the provisioning client, unique within the company.",
}

func (m userAttributes) toConcur() concur.User {
	return concur.User{
		ID:                    m.ID.ValueString(),
		EmployeeNumber:        m.EmpID.ValueString(),
		UserName:              m.LoginID.ValueString(),
		Email:                 m.Email.ValueString(),
		GivenName:             m.FirstName.ValueString(),
		FamilyName:            m.LastName.ValueString(),
		MiddleName:            m.MiddleName.ValueString(),
		NickName:              m.NickName.ValueString(),
		Title:                 m.Title.ValueString(),
		Active:                m.Active.ValueBool(),
		PreferredLanguage:     m.PreferredLanguage.ValueString(),
		Timezone:              m.Timezone.ValueString(),
		Department:            m.Department.ValueString(),
		CostCenter:            m.CostCenter.ValueString(),
		Division:              m.Division.ValueString(),
		ManagerEmployeeNumber: m.ManagerEmpID.ValueString(),
		StartDate:             m.StartDate.ValueString(),
		TerminationDate:       m.TerminationDate.ValueString(),
		ExternalID:            m.ExternalID.ValueString(),
	}
}

// userAttributesFrom maps a Concur user to Terraform values; fields Concur leaves empty are null.
func userAttributesFrom(u *concur.User) userAttributes {
	return userAttributes{
		ID:                types.StringValue(u.ID),
		EmpID:             types.StringValue(u.EmployeeNumber),
		LoginID:           newCaseInsensitiveString(u.UserName),
		Email:             newCaseInsensitiveString(u.Email),
		FirstName:         types.StringValue(u.GivenName),
		LastName:          types.StringValue(u.FamilyName),
		MiddleName:        optionalString(u.MiddleName),
		NickName:          optionalString(u.NickName),
		DisplayName:       types.StringValue(u.DisplayName),
		Title:             optionalString(u.Title),
		Active:            types.BoolValue(u.Active),
		PreferredLanguage: types.StringValue(u.PreferredLanguage),
		Timezone:          types.StringValue(u.Timezone),
		Department:        optionalString(u.Department),
		CostCenter:        optionalString(u.CostCenter),
		Division:          optionalString(u.Division),
		ManagerEmpID:      optionalString(u.ManagerEmployeeNumber),
		StartDate:         optionalString(u.StartDate),
		TerminationDate:   optionalString(u.TerminationDate),
		ExternalID:        optionalString(u.ExternalID),
	}
}

func optionalString(value string) types.String {
	if value == "" {
		return types.StringNull()
	}
	return types.StringValue(value)
}
