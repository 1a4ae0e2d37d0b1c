package concur

import (
	"encoding/json"
	"strings"
)

// The mapping between User and Concur's Identity v4.1 JSON lives in this file.

const (
	schemaCoreUser       = "urn:ietf:params:scim:schemas:core:2.0:User"
	schemaEnterpriseUser = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	schemaSearchRequest  = "urn:ietf:params:scim:api:messages:concur:2.0:SearchRequest"
	schemaPatchOp        = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

	pathEmployeeNumber = schemaEnterpriseUser + ":employeeNumber"
	pathManager        = schemaEnterpriseUser + ":manager"
	pathWorkEmail      = `emails[type eq "work"].value`
)

// User is the provider's view of an Identity v4.1 user. "" means unset; writing "" clears.
type User struct {
	ID                                string // read-only UUID
	UserName                          string // login ID
	Active                            bool
	GivenName, FamilyName, MiddleName string
	NickName                          string
	DisplayName                       string // read-only, server-derived
	Title                             string
	PreferredLanguage                 string
	Timezone                          string
	Email                             string // the emails[type=work] value
	ExternalID                        string
	CompanyID                         string // enterprise companyId
	EmployeeNumber                    string // enterprise employeeNumber (the empId)
	CostCenter, Department, Division  string
	ManagerID                         string // enterprise manager.value (Concur UUID of the manager)
	ManagerEmployeeNumber             string // enterprise manager.employeeNumber
	StartDate, TerminationDate        string // normalised to YYYY-MM-DD
	Version                           int    // meta.version
}

// scimUser is the wire form. Concur sends null for unset scalars, which encoding/json turns
// into zero values, so plain strings suffice.
type scimUser struct {
	Schemas           []string        `json:"schemas,omitempty"`
	ID                string          `json:"id,omitempty"`
	ExternalID        string          `json:"externalId,omitempty"`
	UserName          string          `json:"userName,omitempty"`
	Active            bool            `json:"active"`
	DisplayName       string          `json:"displayName,omitempty"`
	NickName          string          `json:"nickName,omitempty"`
	Title             string          `json:"title,omitempty"`
	PreferredLanguage string          `json:"preferredLanguage,omitempty"`
	Timezone          string          `json:"timezone,omitempty"`
	Name              scimName        `json:"name"`
	Emails            []scimEmail     `json:"emails,omitempty"`
	Meta              *scimMeta       `json:"meta,omitempty"`
	Enterprise        *scimEnterprise `json:"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User,omitempty"`
}

type scimName struct {
	GivenName  string `json:"givenName,omitempty"`
	FamilyName string `json:"familyName,omitempty"`
	MiddleName string `json:"middleName,omitempty"`
}

type scimEmail struct {
	Value string `json:"value"`
	Type  string `json:"type"`
}

type scimMeta struct {
	Version json.Number `json:"version"` // a number in the docs; tolerated as a string
}

type scimEnterprise struct {
	CompanyID       string       `json:"companyId,omitempty"`
	EmployeeNumber  string       `json:"employeeNumber,omitempty"`
	CostCenter      string       `json:"costCenter,omitempty"`
	Department      string       `json:"department,omitempty"`
	Division        string       `json:"division,omitempty"`
	StartDate       string       `json:"startDate,omitempty"`
	TerminationDate string       `json:"terminationDate,omitempty"`
	Manager         *scimManager `json:"manager,omitempty"`
}

type scimManager struct {
	Value          string `json:"value,omitempty"`
	EmployeeNumber string `json:"employeeNumber,omitempty"`
}

type listResponse struct {
	TotalResults int        `json:"totalResults"`
	Resources    []scimUser `json:"Resources"`
	NextCursor   string     `json:"nextCursor"`
}

func (s scimUser) user() User {
	u := User{
		ID:                s.ID,
		UserName:          s.UserName,
		Active:            s.Active,
		GivenName:         s.Name.GivenName,
		FamilyName:        s.Name.FamilyName,
		MiddleName:        s.Name.MiddleName,
		NickName:          s.NickName,
		DisplayName:       s.DisplayName,
		Title:             s.Title,
		PreferredLanguage: s.PreferredLanguage,
		Timezone:          s.Timezone,
		ExternalID:        s.ExternalID,
	}
	for _, e := range s.Emails {
		if e.Type == "work" {
			u.Email = e.Value
		}
	}
	if s.Meta != nil {
		if v, err := s.Meta.Version.Int64(); err == nil {
			u.Version = int(v)
		}
	}
	if e := s.Enterprise; e != nil {
		u.CompanyID, u.EmployeeNumber = e.CompanyID, e.EmployeeNumber
		u.CostCenter, u.Department, u.Division = e.CostCenter, e.Department, e.Division
		u.StartDate, u.TerminationDate = normalizeDate(e.StartDate), normalizeDate(e.TerminationDate)
		if m := e.Manager; m != nil {
			u.ManagerID, u.ManagerEmployeeNumber = m.Value, m.EmployeeNumber
		}
	}
	return u
}

// scimUserForCreate is the create body: only what the caller set, read-only fields left out.
func scimUserForCreate(u User) scimUser {
	s := scimUser{
		Schemas:           []string{schemaCoreUser, schemaEnterpriseUser},
		ExternalID:        u.ExternalID,
		UserName:          u.UserName,
		Active:            u.Active,
		NickName:          u.NickName,
		Title:             u.Title,
		PreferredLanguage: u.PreferredLanguage,
		Timezone:          u.Timezone,
		Name:              scimName{GivenName: u.GivenName, FamilyName: u.FamilyName, MiddleName: u.MiddleName},
		Enterprise: &scimEnterprise{
			CompanyID:       u.CompanyID,
			EmployeeNumber:  u.EmployeeNumber,
			CostCenter:      u.CostCenter,
			Department:      u.Department,
			Division:        u.Division,
			StartDate:       wireDate(u.StartDate),
			TerminationDate: wireDate(u.TerminationDate),
		},
	}
	if u.Email != "" {
		s.Emails = []scimEmail{{Value: u.Email, Type: "work"}}
	}
	if u.ManagerID != "" {
		s.Enterprise.Manager = &scimManager{Value: u.ManagerID}
	}
	return s
}

// patchableAttribute is a User field that UpdateUser may change, with its SCIM path.
// CompanyID is absent because Concur treats it as immutable; the manager is handled apart
// because its value is an object.
type patchableAttribute struct {
	path  string
	value func(User) string   // the comparable form
	wire  func(string) string // the form to send, when it differs
}

var patchableAttributes = []patchableAttribute{
	{"userName", func(u User) string { return u.UserName }, nil},
	{"name.givenName", func(u User) string { return u.GivenName }, nil},
	{"name.familyName", func(u User) string { return u.FamilyName }, nil},
	{"name.middleName", func(u User) string { return u.MiddleName }, nil},
	{"nickName", func(u User) string { return u.NickName }, nil},
	{"title", func(u User) string { return u.Title }, nil},
	{"preferredLanguage", func(u User) string { return u.PreferredLanguage }, nil},
	{"timezone", func(u User) string { return u.Timezone }, nil},
	{pathWorkEmail, func(u User) string { return u.Email }, nil},
	{"externalId", func(u User) string { return u.ExternalID }, nil},
	{pathEmployeeNumber, func(u User) string { return u.EmployeeNumber }, nil},
	{schemaEnterpriseUser + ":costCenter", func(u User) string { return u.CostCenter }, nil},
	{schemaEnterpriseUser + ":department", func(u User) string { return u.Department }, nil},
	{schemaEnterpriseUser + ":division", func(u User) string { return u.Division }, nil},
	{schemaEnterpriseUser + ":startDate", func(u User) string { return normalizeDate(u.StartDate) }, wireDate},
	{schemaEnterpriseUser + ":terminationDate", func(u User) string { return normalizeDate(u.TerminationDate) }, wireDate},
}

// normalizeDate turns the date forms Concur returns ("2025-01-15", "2025-01-15T00:00:00.000",
// "2025-01-15T00:00:00Z") into YYYY-MM-DD, the provider's form.
func normalizeDate(v string) string {
	if len(v) > len("2006-01-02") && v[len("2006-01-02")] == 'T' {
		return v[:len("2006-01-02")]
	}
	return v
}

// wireDate sends a YYYY-MM-DD date in the documented format YYYY-MM-DDThh:mm:ssZ.
func wireDate(v string) string {
	if len(v) == len("2006-01-02") {
		return v + "T00:00:00Z"
	}
	return v
}

// scimString quotes v as a SCIM filter string literal, whose escaping is JSON's.
func scimString(v string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // encoding a string cannot fail
	return strings.TrimSuffix(b.String(), "\n")
}
