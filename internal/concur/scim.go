package concur

import (
	"encoding/json"
	"slices"
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

// User is the provider's view of a Concur user: its Identity v4.1 identity and its profiles. "" means unset; writing "" clears.
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

	// Spend and Travel are written through the User Provisioning Service and read from the Spend
	// and Travel APIs (FindSpendProfilesByIDs, FindTravelProfilesByIDs); Identity reads leave
	// them empty.
	Spend  SpendProfile
	Travel TravelProfile
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

// wireAttribute binds a string field of User to its place in the wire form and its SCIM PATCH
// path, so reading, creating and updating a user all go through one table. CompanyID is read
// apart because Concur treats it as immutable; the manager is handled apart because its value is
// an object.
type wireAttribute struct {
	path  string
	field func(*User) *string
	wire  func(*scimUser) *string
	date  bool // YYYY-MM-DD for the provider, YYYY-MM-DDThh:mm:ssZ on the wire
}

var wireAttributes = []wireAttribute{
	{"userName", func(u *User) *string { return &u.UserName }, func(s *scimUser) *string { return &s.UserName }, false},
	{"name.givenName", func(u *User) *string { return &u.GivenName }, func(s *scimUser) *string { return &s.Name.GivenName }, false},
	{"name.familyName", func(u *User) *string { return &u.FamilyName }, func(s *scimUser) *string { return &s.Name.FamilyName }, false},
	{"name.middleName", func(u *User) *string { return &u.MiddleName }, func(s *scimUser) *string { return &s.Name.MiddleName }, false},
	{"nickName", func(u *User) *string { return &u.NickName }, func(s *scimUser) *string { return &s.NickName }, false},
	{"title", func(u *User) *string { return &u.Title }, func(s *scimUser) *string { return &s.Title }, false},
	{"preferredLanguage", func(u *User) *string { return &u.PreferredLanguage }, func(s *scimUser) *string { return &s.PreferredLanguage }, false},
	{"timezone", func(u *User) *string { return &u.Timezone }, func(s *scimUser) *string { return &s.Timezone }, false},
	{pathWorkEmail, func(u *User) *string { return &u.Email }, (*scimUser).workEmail, false},
	{"externalId", func(u *User) *string { return &u.ExternalID }, func(s *scimUser) *string { return &s.ExternalID }, false},
	{pathEmployeeNumber, func(u *User) *string { return &u.EmployeeNumber }, func(s *scimUser) *string { return &s.enterprise().EmployeeNumber }, false},
	{schemaEnterpriseUser + ":costCenter", func(u *User) *string { return &u.CostCenter }, func(s *scimUser) *string { return &s.enterprise().CostCenter }, false},
	{schemaEnterpriseUser + ":department", func(u *User) *string { return &u.Department }, func(s *scimUser) *string { return &s.enterprise().Department }, false},
	{schemaEnterpriseUser + ":division", func(u *User) *string { return &u.Division }, func(s *scimUser) *string { return &s.enterprise().Division }, false},
	{schemaEnterpriseUser + ":startDate", func(u *User) *string { return &u.StartDate }, func(s *scimUser) *string { return &s.enterprise().StartDate }, true},
	{schemaEnterpriseUser + ":terminationDate", func(u *User) *string { return &u.TerminationDate }, func(s *scimUser) *string { return &s.enterprise().TerminationDate }, true},
}

// enterprise returns the enterprise extension, adding an empty one when s has none.
func (s *scimUser) enterprise() *scimEnterprise {
	if s.Enterprise == nil {
		s.Enterprise = &scimEnterprise{}
	}
	return s.Enterprise
}

// workEmail returns the value of the work e-mail, adding an empty one when s has none.
func (s *scimUser) workEmail() *string {
	for i := len(s.Emails) - 1; i >= 0; i-- {
		if s.Emails[i].Type == "work" {
			return &s.Emails[i].Value
		}
	}
	s.Emails = append(s.Emails, scimEmail{Type: "work"})
	return &s.Emails[len(s.Emails)-1].Value
}

// value is the comparable form of a's field in u.
func (a wireAttribute) value(u User) string {
	if a.date {
		return normalizeDate(*a.field(&u))
	}
	return *a.field(&u)
}

// wireValue is the form of a value to send.
func (a wireAttribute) wireValue(v string) string {
	if a.date {
		return wireDate(v)
	}
	return v
}

func (s scimUser) user() User {
	u := User{ID: s.ID, Active: s.Active, DisplayName: s.DisplayName}
	s.Emails = slices.Clip(s.Emails) // the accessors may add parts to s: never into the caller's array
	for _, a := range wireAttributes {
		*a.field(&u) = *a.wire(&s)
		if a.date {
			*a.field(&u) = normalizeDate(*a.field(&u))
		}
	}
	if s.Meta != nil {
		if v, err := s.Meta.Version.Int64(); err == nil {
			u.Version = int(v)
		}
	}
	if e := s.Enterprise; e != nil {
		u.CompanyID = e.CompanyID
		if m := e.Manager; m != nil {
			u.ManagerID, u.ManagerEmployeeNumber = m.Value, m.EmployeeNumber
		}
	}
	return u
}

// scimUserForCreate is the create body: only what the caller set, read-only fields left out.
func scimUserForCreate(u User) scimUser {
	s := scimUser{
		Schemas:    []string{schemaCoreUser, schemaEnterpriseUser},
		Active:     u.Active,
		Enterprise: &scimEnterprise{CompanyID: u.CompanyID},
	}
	for _, a := range wireAttributes {
		*a.wire(&s) = a.wireValue(*a.field(&u))
	}
	if u.Email == "" {
		s.Emails = nil // an unset e-mail is left out, not sent empty
	}
	if u.ManagerID != "" {
		s.Enterprise.Manager = &scimManager{Value: u.ManagerID}
	}
	return s
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
