package concur

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The Spend and Travel profiles of a user and their mapping to the User Provisioning Service's
// extensions live in this file.

// Schemas of the extensions the client writes through the User Provisioning Service; an
// *ExtensionError names the ones that failed.
const (
	SchemaSpendUser     = "urn:ietf:params:scim:schemas:extension:spend:2.0:User"
	SchemaSpendApprover = "urn:ietf:params:scim:schemas:extension:spend:2.0:Approver"
	SchemaSpendRole     = "urn:ietf:params:scim:schemas:extension:spend:2.0:Role"
	SchemaTravelUser    = "urn:ietf:params:scim:schemas:extension:travel:2.0:User"
)

// SpendProfile is a user's Spend User extension with its primary approvers and spend roles. As on
// User, "" means unset and writing "" clears. Concur needs ReimbursementCurrency, Country and
// Locale whenever the Spend User extension is sent.
type SpendProfile struct {
	ReimbursementCurrency       string // ISO 4217, such as USD
	Country                     string // ISO 3166-1 alpha-2, such as US
	StateProvince               string // ISO 3166-2 subdivision, such as WA
	Locale                      string // such as en-US
	LedgerCode                  string
	ReimbursementType           string // one of ReimbursementTypes
	CashAdvanceAccountCode      string
	BudgetCountryCode           string // ISO 3166-1 alpha-2
	TestEmployee                string // "true", "false" or "" (unset); Concur accepts it only at creation
	NonEmployee                 string // "true", "false" or "" (unset)
	OfficeLocationCountry       string // ISO 3166-1 alpha-2
	OfficeLocationStateProvince string // ISO 3166-2 subdivision
	OfficeLocationCity          string
	Custom                      [22]string // customData custom1 to custom22: Custom[0] is custom1
	OrgUnit                     [6]string  // customData orgUnit1 to orgUnit6: OrgUnit[0] is orgUnit1

	Approvers SpendApprovers
	// Roles are compared as a set by role name. The roles that follow entitlements (EXP_USER,
	// REQ_USER, INV_PMT_USER) are read back but never written: Concur changes them only with
	// the entitlements.
	Roles []SpendRole
}

// Approver references a user by Concur id, employee number, or both. Writes send what is set
// (Concur resolves an employee number itself); reads fill in the employee number.
type Approver struct {
	ID             string // the approver's Concur id (the reference's value)
	EmployeeNumber string
}

// SpendApprovers are the primary approver of each kind. Writing one replaces that kind's list,
// so a secondary approver (report and request only) set in Concur does not survive it.
type SpendApprovers struct {
	Report, CashAdvance, Request, Invoice, PurchaseRequest, Statement, Budget Approver
}

// SpendRole is a spend role and the groups it applies to (none: the global group).
type SpendRole struct {
	Name   string
	Groups []string
}

// TravelProfile is a user's Travel User extension. Concur needs a rule class, by name or id,
// whenever the extension is sent.
type TravelProfile struct {
	RuleClass   string // the rule class name, exactly as Travel spells it
	RuleClassID string // or its id, a whole number; sent instead of the name when set
	NameRemark  string // travelNameRemark
	CrsName     string // travelCrsName, the GDS profile name
	OrgUnit     string
	Gender      string   // one of TravelGenders
	Manager     Approver // the travel approver
}

// entitlementRoles follow the user's entitlements; the Role extension cannot change them.
var entitlementRoles = map[string]bool{"EXP_USER": true, "REQ_USER": true, "INV_PMT_USER": true}

// The wire forms. Concur sends null for unset scalars, which encoding/json turns into zero values.

type scimSpendUser struct {
	ReimbursementCurrency       string           `json:"reimbursementCurrency,omitempty"`
	Country                     string           `json:"country,omitempty"`
	StateProvince               string           `json:"stateProvince,omitempty"`
	Locale                      string           `json:"locale,omitempty"`
	LedgerCode                  string           `json:"ledgerCode,omitempty"`
	ReimbursementType           string           `json:"reimbursementType,omitempty"`
	CashAdvanceAccountCode      string           `json:"cashAdvanceAccountCode,omitempty"`
	BudgetCountryCode           string           `json:"budgetCountryCode,omitempty"`
	TestEmployee                *bool            `json:"testEmployee,omitempty"`
	NonEmployee                 *bool            `json:"nonEmployee,omitempty"`
	OfficeLocationCountry       string           `json:"officeLocationCountry,omitempty"`
	OfficeLocationStateProvince string           `json:"officeLocationStateProvince,omitempty"`
	OfficeLocationCity          string           `json:"officeLocationCity,omitempty"`
	CustomData                  []scimCustomData `json:"customData,omitempty"`
}

type scimCustomData struct {
	ID    string `json:"id"`
	Value string `json:"value"`
}

// scimApprovers is the Approver extension: approvers by kind ("report", "budget", ...).
type scimApprovers map[string][]scimSpendApprover

type scimSpendApprover struct {
	Approver scimUserReference `json:"approver"`
	Primary  bool              `json:"primary"`
}

type scimUserReference struct {
	Value          string `json:"value,omitempty"`
	EmployeeNumber string `json:"employeeNumber,omitempty"`
}

type scimRoles struct {
	Roles []scimRole `json:"roles"`
}

type scimRole struct {
	RoleName   string   `json:"roleName"`
	RoleGroups []string `json:"roleGroups"` // documented as required: sent as [] when empty
}

type scimTravelUser struct {
	RuleClass        *scimRuleClass     `json:"ruleClass,omitempty"`
	TravelNameRemark string             `json:"travelNameRemark,omitempty"`
	TravelCrsName    string             `json:"travelCrsName,omitempty"`
	OrgUnit          string             `json:"orgUnit,omitempty"`
	Gender           string             `json:"gender,omitempty"`
	Manager          *scimUserReference `json:"manager,omitempty"`
}

type scimRuleClass struct {
	ID   json.Number `json:"id,omitempty"`
	Name string      `json:"name,omitempty"`
}

// profileExtensions are the extension objects of a UPS user body, a Spend read or a Travel read.
type profileExtensions struct {
	Spend     *scimSpendUser  `json:"urn:ietf:params:scim:schemas:extension:spend:2.0:User,omitempty"`
	Approvers scimApprovers   `json:"urn:ietf:params:scim:schemas:extension:spend:2.0:Approver,omitempty"`
	Roles     *scimRoles      `json:"urn:ietf:params:scim:schemas:extension:spend:2.0:Role,omitempty"`
	Travel    *scimTravelUser `json:"urn:ietf:params:scim:schemas:extension:travel:2.0:User,omitempty"`
}

// upsUser is the body of a UPS create: the identity and its extensions in one object.
type upsUser struct {
	scimUser
	profileExtensions
}

// spendAttribute binds a text field of SpendProfile to its wire field and PATCH path, as
// wireAttribute does for the identity.
type spendAttribute struct {
	name  string // attribute of the Spend User schema
	field func(*SpendProfile) *string
	wire  func(*scimSpendUser) *string
}

var spendAttributes = []spendAttribute{
	{"reimbursementCurrency", func(p *SpendProfile) *string { return &p.ReimbursementCurrency }, func(s *scimSpendUser) *string { return &s.ReimbursementCurrency }},
	{"country", func(p *SpendProfile) *string { return &p.Country }, func(s *scimSpendUser) *string { return &s.Country }},
	{"stateProvince", func(p *SpendProfile) *string { return &p.StateProvince }, func(s *scimSpendUser) *string { return &s.StateProvince }},
	{"locale", func(p *SpendProfile) *string { return &p.Locale }, func(s *scimSpendUser) *string { return &s.Locale }},
	{"ledgerCode", func(p *SpendProfile) *string { return &p.LedgerCode }, func(s *scimSpendUser) *string { return &s.LedgerCode }},
	{"reimbursementType", func(p *SpendProfile) *string { return &p.ReimbursementType }, func(s *scimSpendUser) *string { return &s.ReimbursementType }},
	{"cashAdvanceAccountCode", func(p *SpendProfile) *string { return &p.CashAdvanceAccountCode }, func(s *scimSpendUser) *string { return &s.CashAdvanceAccountCode }},
	{"budgetCountryCode", func(p *SpendProfile) *string { return &p.BudgetCountryCode }, func(s *scimSpendUser) *string { return &s.BudgetCountryCode }},
	{"officeLocationCountry", func(p *SpendProfile) *string { return &p.OfficeLocationCountry }, func(s *scimSpendUser) *string { return &s.OfficeLocationCountry }},
	{"officeLocationStateProvince", func(p *SpendProfile) *string { return &p.OfficeLocationStateProvince }, func(s *scimSpendUser) *string { return &s.OfficeLocationStateProvince }},
	{"officeLocationCity", func(p *SpendProfile) *string { return &p.OfficeLocationCity }, func(s *scimSpendUser) *string { return &s.OfficeLocationCity }},
}

// spendFlags are the Spend User booleans, held as "true", "false" or "".
var spendFlags = []struct {
	name  string
	field func(*SpendProfile) *string
	wire  func(*scimSpendUser) **bool
}{
	{"testEmployee", func(p *SpendProfile) *string { return &p.TestEmployee }, func(s *scimSpendUser) **bool { return &s.TestEmployee }},
	{"nonEmployee", func(p *SpendProfile) *string { return &p.NonEmployee }, func(s *scimSpendUser) **bool { return &s.NonEmployee }},
}

type customDataField struct {
	id    string
	field func(*SpendProfile) *string
}

// customDataFields are the customData entries by id: custom1..custom22, orgUnit1..orgUnit6.
var customDataFields = func() []customDataField {
	var fields []customDataField
	for i := range len(SpendProfile{}.Custom) {
		fields = append(fields, customDataField{fmt.Sprintf("custom%d", i+1), func(p *SpendProfile) *string { return &p.Custom[i] }})
	}
	for i := range len(SpendProfile{}.OrgUnit) {
		fields = append(fields, customDataField{fmt.Sprintf("orgUnit%d", i+1), func(p *SpendProfile) *string { return &p.OrgUnit[i] }})
	}
	return fields
}()

// approverKinds are the Approver extension's kinds, as the wire names them.
var approverKinds = []struct {
	name  string
	field func(*SpendApprovers) *Approver
}{
	{"report", func(a *SpendApprovers) *Approver { return &a.Report }},
	{"cashAdvance", func(a *SpendApprovers) *Approver { return &a.CashAdvance }},
	{"request", func(a *SpendApprovers) *Approver { return &a.Request }},
	{"invoice", func(a *SpendApprovers) *Approver { return &a.Invoice }},
	{"purchaseRequest", func(a *SpendApprovers) *Approver { return &a.PurchaseRequest }},
	{"statement", func(a *SpendApprovers) *Approver { return &a.Statement }},
	{"budget", func(a *SpendApprovers) *Approver { return &a.Budget }},
}

// travelAttributes are the Travel User text fields written as plain values.
var travelAttributes = []struct {
	name  string
	field func(*TravelProfile) *string
	wire  func(*scimTravelUser) *string
}{
	{"travelNameRemark", func(p *TravelProfile) *string { return &p.NameRemark }, func(s *scimTravelUser) *string { return &s.TravelNameRemark }},
	{"travelCrsName", func(p *TravelProfile) *string { return &p.CrsName }, func(s *scimTravelUser) *string { return &s.TravelCrsName }},
	{"orgUnit", func(p *TravelProfile) *string { return &p.OrgUnit }, func(s *scimTravelUser) *string { return &s.OrgUnit }},
	{"gender", func(p *TravelProfile) *string { return &p.Gender }, func(s *scimTravelUser) *string { return &s.Gender }},
}

func (a Approver) isSet() bool { return a.ID != "" || a.EmployeeNumber != "" }

// sameApprover compares by employee number where both have one, else by id: a desired approver
// is usually known by employee number only, and one read back by both.
func sameApprover(a, b Approver) bool {
	switch {
	case a.EmployeeNumber != "" && b.EmployeeNumber != "":
		return a.EmployeeNumber == b.EmployeeNumber
	case a.ID != "" && b.ID != "":
		return a.ID == b.ID
	}
	return !a.isSet() && !b.isSet()
}

func (a Approver) reference() *scimUserReference {
	return &scimUserReference{Value: a.ID, EmployeeNumber: a.EmployeeNumber}
}

// hasSpendUser reports whether any Spend User field is set.
func (p *SpendProfile) hasSpendUser() bool {
	for _, a := range spendAttributes {
		if *a.field(p) != "" {
			return true
		}
	}
	for _, f := range spendFlags {
		if *f.field(p) != "" {
			return true
		}
	}
	return slices.ContainsFunc(p.Custom[:], isSet) || slices.ContainsFunc(p.OrgUnit[:], isSet)
}

func isSet(v string) bool { return v != "" }

func (p *SpendProfile) hasApprovers() bool {
	for _, k := range approverKinds {
		if k.field(&p.Approvers).isSet() {
			return true
		}
	}
	return false
}

func (p *TravelProfile) isSet() bool { return *p != TravelProfile{} }

// HasProfile reports whether u carries anything only the User Provisioning Service writes.
func (u *User) HasProfile() bool {
	return u.Spend.hasSpendUser() || u.Spend.hasApprovers() || len(writableRoles(u.Spend.Roles)) > 0 || u.Travel.isSet()
}

// flag turns "true"/"false" into a JSON boolean; "" is nil.
func flag(v string) *bool {
	if v == "" {
		return nil
	}
	b := v == "true"
	return &b
}

func flagText(b *bool) string {
	if b == nil {
		return ""
	}
	return strconv.FormatBool(*b)
}

// FormatSpendRoles writes the names of the roles that do not follow entitlements, in
// alphabetical order and comma-separated, as CheckSpendRoleList wants them.
func FormatSpendRoles(roles []SpendRole) string {
	names := make([]string, 0, len(roles))
	for _, r := range writableRoles(roles) {
		names = append(names, r.Name)
	}
	slices.Sort(names)
	return strings.Join(slices.Compact(names), ",")
}

// ParseSpendRoles reads role names written by FormatSpendRoles as roles of the global group.
func ParseSpendRoles(value string) []SpendRole {
	if value == "" {
		return nil
	}
	var roles []SpendRole
	for _, name := range strings.Split(value, ",") {
		roles = append(roles, SpendRole{Name: name})
	}
	return roles
}

// HasSpendRole reports whether roles include the named one.
func HasSpendRole(roles []SpendRole, name string) bool {
	return slices.ContainsFunc(roles, func(r SpendRole) bool { return r.Name == name })
}

// writableRoles drops the roles that follow entitlements.
func writableRoles(roles []SpendRole) []SpendRole {
	return slices.DeleteFunc(slices.Clone(roles), func(r SpendRole) bool { return entitlementRoles[r.Name] })
}

func wireRole(r SpendRole) scimRole {
	groups := r.Groups
	if groups == nil {
		groups = []string{}
	}
	return scimRole{RoleName: r.Name, RoleGroups: groups}
}

// extensions is the wire form of u's profile: only the extensions with something set.
func (u *User) extensions() profileExtensions {
	var x profileExtensions
	p := &u.Spend
	if p.hasSpendUser() {
		x.Spend = &scimSpendUser{}
		for _, a := range spendAttributes {
			*a.wire(x.Spend) = *a.field(p)
		}
		for _, f := range spendFlags {
			*f.wire(x.Spend) = flag(*f.field(p))
		}
		for _, c := range customDataFields {
			if v := *c.field(p); v != "" {
				x.Spend.CustomData = append(x.Spend.CustomData, scimCustomData{ID: c.id, Value: v})
			}
		}
	}
	for _, k := range approverKinds {
		if a := *k.field(&p.Approvers); a.isSet() {
			if x.Approvers == nil {
				x.Approvers = scimApprovers{}
			}
			x.Approvers[k.name] = []scimSpendApprover{{Approver: *a.reference(), Primary: true}}
		}
	}
	if roles := writableRoles(p.Roles); len(roles) > 0 {
		x.Roles = &scimRoles{}
		for _, r := range roles {
			x.Roles.Roles = append(x.Roles.Roles, wireRole(r))
		}
	}
	if t := u.Travel; t.isSet() {
		x.Travel = &scimTravelUser{RuleClass: t.ruleClass()}
		for _, a := range travelAttributes {
			*a.wire(x.Travel) = *a.field(&t)
		}
		if t.Manager.isSet() {
			x.Travel.Manager = t.Manager.reference()
		}
	}
	return x
}

// ruleClass is the rule class reference to send: by id when one is set, else by name.
func (p TravelProfile) ruleClass() *scimRuleClass {
	switch {
	case p.RuleClassID != "":
		return &scimRuleClass{ID: json.Number(p.RuleClassID)}
	case p.RuleClass != "":
		return &scimRuleClass{Name: p.RuleClass}
	}
	return nil
}

// sameRuleClass compares by id when both have one, else by name: a desired rule class is known
// by one of them, and one read back by both.
func sameRuleClass(a, b TravelProfile) bool {
	switch {
	case a.RuleClassID != "" && b.RuleClassID != "":
		return a.RuleClassID == b.RuleClassID
	case a.RuleClass != "" && b.RuleClass != "":
		return a.RuleClass == b.RuleClass
	}
	return a.ruleClass() == nil && b.ruleClass() == nil
}

// spendProfile reads the Spend extensions of a Spend read or a UPS body.
func (x profileExtensions) spendProfile() SpendProfile {
	var p SpendProfile
	if s := x.Spend; s != nil {
		for _, a := range spendAttributes {
			*a.field(&p) = *a.wire(s)
		}
		for _, f := range spendFlags {
			*f.field(&p) = flagText(*f.wire(s))
		}
		for _, d := range s.CustomData {
			for _, c := range customDataFields {
				if c.id == d.ID {
					*c.field(&p) = d.Value
				}
			}
		}
	}
	for _, k := range approverKinds {
		for _, a := range x.Approvers[k.name] {
			if a.Primary {
				*k.field(&p.Approvers) = Approver{ID: a.Approver.Value, EmployeeNumber: a.Approver.EmployeeNumber}
			}
		}
	}
	if x.Roles != nil {
		for _, r := range x.Roles.Roles {
			p.Roles = append(p.Roles, SpendRole{Name: r.RoleName, Groups: slices.DeleteFunc(r.RoleGroups, func(g string) bool { return g == "" })})
		}
	}
	return p
}

// travelProfile reads the Travel User extension.
func (x profileExtensions) travelProfile() TravelProfile {
	var p TravelProfile
	t := x.Travel
	if t == nil {
		return p
	}
	for _, a := range travelAttributes {
		*a.field(&p) = *a.wire(t)
	}
	if t.RuleClass != nil {
		p.RuleClass, p.RuleClassID = t.RuleClass.Name, t.RuleClass.ID.String()
	}
	if t.Manager != nil {
		p.Manager = Approver{ID: t.Manager.Value, EmployeeNumber: t.Manager.EmployeeNumber}
	}
	return p
}

// profilePatchOps lists the operations that turn from's Spend and Travel profiles into to's,
// touching only what differs, and the extensions they touch. The paths are the documented ones;
// an added customData value goes in an object keyed by the schema, as Concur's example does, so
// an entry that does not exist yet is created; a changed one is replaced by its id.
func profilePatchOps(from, to User) (ops []patchOp, schemas []string) {
	touched := func(schema string) {
		if !slices.Contains(schemas, schema) {
			schemas = append(schemas, schema)
		}
	}
	scalar := func(schema, name, was, want string, value any) {
		switch {
		case was == want:
			return
		case want == "":
			ops = append(ops, patchOp{Op: "remove", Path: schema + ":" + name})
		default:
			ops = append(ops, patchOp{Op: "replace", Path: schema + ":" + name, Value: value})
		}
		touched(schema)
	}

	was, want := &from.Spend, &to.Spend
	for _, a := range spendAttributes {
		scalar(SchemaSpendUser, a.name, *a.field(was), *a.field(want), *a.field(want))
	}
	for _, f := range spendFlags {
		scalar(SchemaSpendUser, f.name, *f.field(was), *f.field(want), flag(*f.field(want)))
	}
	var customData []scimCustomData
	for _, c := range customDataFields {
		switch old, v := *c.field(was), *c.field(want); {
		case old == v:
		case v == "":
			ops = append(ops, patchOp{Op: "remove", Path: SchemaSpendUser + ":customData[id eq " + scimString(c.id) + "]"})
			touched(SchemaSpendUser)
		case old != "": // the entry exists: adding it again would list its id twice
			ops = append(ops, patchOp{Op: "replace", Path: SchemaSpendUser + ":customData[id eq " + scimString(c.id) + "].value", Value: v})
			touched(SchemaSpendUser)
		default:
			customData = append(customData, scimCustomData{ID: c.id, Value: v})
		}
	}
	if len(customData) > 0 {
		ops = append(ops, patchOp{Op: "add", Value: map[string]scimSpendUser{SchemaSpendUser: {CustomData: customData}}})
		touched(SchemaSpendUser)
	}

	for _, k := range approverKinds {
		old, a := *k.field(&was.Approvers), *k.field(&want.Approvers)
		path := SchemaSpendApprover + ":" + k.name
		switch {
		case sameApprover(old, a):
			continue
		case !a.isSet() && old.ID != "":
			ops = append(ops, patchOp{Op: "remove", Path: path + "[approver.value eq " + scimString(old.ID) + "]"})
		case !a.isSet():
			ops = append(ops, patchOp{Op: "remove", Path: path})
		default:
			ops = append(ops, patchOp{Op: "replace", Path: path, Value: []scimSpendApprover{{Approver: *a.reference(), Primary: true}}})
		}
		touched(SchemaSpendApprover)
	}

	oldRoles := map[string]SpendRole{}
	for _, r := range writableRoles(was.Roles) {
		oldRoles[r.Name] = r
	}
	newRoles := map[string]bool{}
	var added []scimRole
	for _, r := range writableRoles(want.Roles) {
		newRoles[r.Name] = true
		old, held := oldRoles[r.Name]
		if held && sameGroups(old.Groups, r.Groups) {
			continue
		}
		if held { // other groups: the role is removed and added again with them
			ops = append(ops, patchOp{Op: "remove", Path: SchemaSpendRole + ":roles[roleName eq " + scimString(r.Name) + "]"})
		}
		added = append(added, wireRole(r))
	}
	for _, r := range writableRoles(was.Roles) {
		if !newRoles[r.Name] {
			ops = append(ops, patchOp{Op: "remove", Path: SchemaSpendRole + ":roles[roleName eq " + scimString(r.Name) + "]"})
			touched(SchemaSpendRole)
		}
	}
	if len(added) > 0 {
		ops = append(ops, patchOp{Op: "add", Path: SchemaSpendRole + ":roles", Value: added})
		touched(SchemaSpendRole)
	}

	oldTravel, newTravel := from.Travel, to.Travel
	if !sameRuleClass(oldTravel, newTravel) {
		if rc := newTravel.ruleClass(); rc != nil {
			ops = append(ops, patchOp{Op: "replace", Path: SchemaTravelUser + ":ruleClass", Value: rc})
		} else {
			ops = append(ops, patchOp{Op: "remove", Path: SchemaTravelUser + ":ruleClass"})
		}
		touched(SchemaTravelUser)
	}
	for _, a := range travelAttributes {
		scalar(SchemaTravelUser, a.name, *a.field(&oldTravel), *a.field(&newTravel), *a.field(&newTravel))
	}
	if !sameApprover(oldTravel.Manager, newTravel.Manager) {
		if newTravel.Manager.isSet() {
			ops = append(ops, patchOp{Op: "replace", Path: SchemaTravelUser + ":manager", Value: newTravel.Manager.reference()})
		} else {
			ops = append(ops, patchOp{Op: "remove", Path: SchemaTravelUser + ":manager"})
		}
		touched(SchemaTravelUser)
	}
	return ops, schemas
}

// sameGroups compares role groups as sets.
func sameGroups(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}
