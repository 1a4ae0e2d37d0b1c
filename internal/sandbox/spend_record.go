package sandbox

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/currency"
	"golang.org/x/text/language"
)

// Extension URNs of the User Provisioning Service that the sandbox validates and stores.
const (
	schemaSpendUser     = "urn:ietf:params:scim:schemas:extension:spend:2.0:User"
	schemaSpendRole     = "urn:ietf:params:scim:schemas:extension:spend:2.0:Role"
	schemaSpendApprover = "urn:ietf:params:scim:schemas:extension:spend:2.0:Approver"
	schemaTravelUser    = "urn:ietf:params:scim:schemas:extension:travel:2.0:User"
)

// opaqueExtensions are the other spend extensions UPS documents: the sandbox stores what is sent
// (an object) and shows it on the spend read API, without checking its attributes.
var opaqueExtensions = []string{
	"urn:ietf:params:scim:schemas:extension:spend:2.0:Delegate",
	"urn:ietf:params:scim:schemas:extension:spend:2.0:ApproverLimit",
	"urn:ietf:params:scim:schemas:extension:spend:2.0:UserPreference",
	"urn:ietf:params:scim:schemas:extension:spend:2.0:WorkflowPreference",
	"urn:ietf:params:scim:schemas:extension:spend:2.0:InvoicePreference",
	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:Payroll",
}

// spendProfile is what UPS stores for one user beyond the identity. Like UserRecord it is never
// changed in place: a write stores a fresh copy.
type spendProfile struct {
	userID       string
	user         *spendUserRecord // nil until the spend User extension is provisioned
	roles        []spendRole
	approvers    map[string][]spendApprover // approval type -> approvers
	travel       *travelRecord
	opaque       map[string]map[string]any // URN -> object, for opaqueExtensions
	lastModified time.Time
}

func (p *spendProfile) clone() *spendProfile {
	c := *p
	if p.user != nil {
		u := *p.user
		u.CustomData = slices.Clone(p.user.CustomData)
		c.user = &u
	}
	c.roles = make([]spendRole, len(p.roles))
	for i, r := range p.roles {
		c.roles[i] = spendRole{Name: r.Name, Groups: slices.Clone(r.Groups)}
	}
	c.approvers = map[string][]spendApprover{}
	for k, v := range p.approvers {
		c.approvers[k] = slices.Clone(v)
	}
	if p.travel != nil {
		t := *p.travel
		t.Groups = slices.Clone(p.travel.Groups)
		t.CustomFields = slices.Clone(p.travel.CustomFields)
		c.travel = &t
	}
	c.opaque = map[string]map[string]any{}
	for k, v := range p.opaque {
		c.opaque[k], _ = deepCopy(v).(map[string]any)
	}
	return &c
}

// spendUserRecord is the spend User extension.
type spendUserRecord struct {
	ReimbursementCurrency, ReimbursementType, LedgerCode, Country, BudgetCountryCode string
	StateProvince, Locale, CashAdvanceAccountCode                                    string
	TestEmployee, NonEmployee                                                        bool
	OfficeLocationCountry, OfficeLocationStateProvince, OfficeLocationCity           string
	CustomData                                                                       []customDatum
}

type customDatum struct{ ID, Value string }

type spendRole struct {
	Name   string
	Groups []string
}

type spendApprover struct {
	UserID  string
	Primary bool
}

var (
	reimbursementTypes = []string{"ACCOUNTS_PAYABLE", "ADP_PAYROLL", "CONCUR_PAY", "OTHER"}
	customDataIDs      = func() []string {
		var ids []string
		for i := 1; i <= 22; i++ {
			ids = append(ids, fmt.Sprintf("custom%d", i))
		}
		for i := 1; i <= 6; i++ {
			ids = append(ids, fmt.Sprintf("orgUnit%d", i))
		}
		return ids
	}()
	currencyShape = regexp.MustCompile(`^[A-Z]{3}$`)
	localeShape   = regexp.MustCompile(`^[a-z]{2}-([A-Z]{2}|[0-9]{3})$`) // es-419 too: the docs' own example
	subCountry    = regexp.MustCompile(`^[A-Z0-9]{1,3}$`)
)

// spendUserAttrs are the attributes of the spend User extension, as the v4.1 read shows them.
var spendUserAttrs = []string{"reimbursementCurrency", "reimbursementType", "ledgerCode", "country", "budgetCountryCode",
	"stateProvince", "locale", "cashAdvanceAccountCode", "testEmployee", "nonEmployee", "biManager", "biHierarchy",
	"customData", "officeLocationCountry", "officeLocationStateProvince", "officeLocationCity"}

// unknownAttributes reports attributes an extension object carries that the sandbox does not
// model. Nulls are ignored, so echoing a read back is harmless.
func unknownAttributes(urn string, obj map[string]any, known []string) []scimMessage {
	var msgs []scimMessage
	for k, v := range obj {
		if _, ok := canonical(known, k); !ok && v != nil {
			msgs = append(msgs, invalidValue(urn+":"+k, fmt.Sprintf("'%s' is not an attribute of %s", k, urn)))
		}
	}
	return msgs
}

// decodeSpendUser reads and checks a spend User object. before is the stored extension (nil at
// the first provisioning): testEmployee may only be set then.
func decodeSpendUser(obj map[string]any, before *spendUserRecord) (*spendUserRecord, []scimMessage) {
	r := &docReader{}
	p := schemaSpendUser + ":"
	u := &spendUserRecord{
		ReimbursementCurrency:       r.str(obj, "reimbursementCurrency", p+"reimbursementCurrency"),
		ReimbursementType:           r.str(obj, "reimbursementType", p+"reimbursementType"),
		LedgerCode:                  r.str(obj, "ledgerCode", p+"ledgerCode"),
		Country:                     r.str(obj, "country", p+"country"),
		BudgetCountryCode:           r.str(obj, "budgetCountryCode", p+"budgetCountryCode"),
		StateProvince:               r.str(obj, "stateProvince", p+"stateProvince"),
		Locale:                      r.str(obj, "locale", p+"locale"),
		CashAdvanceAccountCode:      r.str(obj, "cashAdvanceAccountCode", p+"cashAdvanceAccountCode"),
		NonEmployee:                 r.boolean(obj, "nonEmployee", p+"nonEmployee", false),
		OfficeLocationCountry:       r.str(obj, "officeLocationCountry", p+"officeLocationCountry"),
		OfficeLocationStateProvince: r.str(obj, "officeLocationStateProvince", p+"officeLocationStateProvince"),
		OfficeLocationCity:          r.str(obj, "officeLocationCity", p+"officeLocationCity"),
	}
	testEmployee := obj["testEmployee"]
	u.TestEmployee = r.boolean(obj, "testEmployee", p+"testEmployee", false)
	if before != nil {
		if testEmployee != nil && u.TestEmployee != before.TestEmployee {
			r.msgs = append(r.msgs, scimMessage{Code: "INVALID_VALUE", SchemaPath: p + "testEmployee", Type: "error",
				Message: "'testEmployee' can only be set when the spend user is created"})
		}
		u.TestEmployee = before.TestEmployee
	}
	for i, d := range r.objects(obj, "customData", p+"customData") {
		u.CustomData = append(u.CustomData, customDatum{
			ID:    r.str(d, "id", fmt.Sprintf("%scustomData[%d].id", p, i)),
			Value: r.str(d, "value", fmt.Sprintf("%scustomData[%d].value", p, i)),
		})
	}
	msgs := append(r.msgs, unknownAttributes(schemaSpendUser, obj, spendUserAttrs)...)
	for _, field := range []string{"biManager", "biHierarchy"} {
		if obj[field] != nil {
			msgs = append(msgs, invalidValue(p+field, fmt.Sprintf("'%s' is not emulated by the sandbox; leave it out", field)))
		}
	}
	return u, append(msgs, validateSpendUser(u)...)
}

func validateSpendUser(u *spendUserRecord) []scimMessage {
	p := schemaSpendUser + ":"
	var msgs []scimMessage
	bad := func(field, format string, args ...any) {
		msgs = append(msgs, invalidValue(p+field, fmt.Sprintf(format, args...)))
	}
	required := map[string]string{"reimbursementCurrency": u.ReimbursementCurrency, "country": u.Country, "locale": u.Locale}
	for _, field := range []string{"reimbursementCurrency", "country", "locale"} {
		if required[field] == "" {
			msgs = append(msgs, requiredValue(p+field))
		}
	}
	if c := u.ReimbursementCurrency; c != "" && !isCurrency(c) {
		bad("reimbursementCurrency", "Invalid '%sreimbursementCurrency' %q: expected an ISO 4217 currency code such as USD", p, c)
	}
	if l := u.Locale; l != "" && !isLocale(l) {
		bad("locale", "Invalid '%slocale' %q: expected a locale such as en-US", p, l)
	}
	for field, value := range map[string]string{"country": u.Country, "budgetCountryCode": u.BudgetCountryCode, "officeLocationCountry": u.OfficeLocationCountry} {
		if value != "" && !isCountry(value) {
			bad(field, "Invalid '%s%s' %q: expected an ISO 3166-1 alpha-2 country code such as US", p, field, value)
		}
	}
	for field, value := range map[string]string{"stateProvince": u.StateProvince, "officeLocationStateProvince": u.OfficeLocationStateProvince} {
		if value != "" && !subCountry.MatchString(value) {
			bad(field, "Invalid '%s%s' %q: expected an ISO 3166-2 subdivision code such as WA", p, field, value)
		}
	}
	for field, value := range map[string]string{"ledgerCode": u.LedgerCode, "cashAdvanceAccountCode": u.CashAdvanceAccountCode} {
		if utf8.RuneCountInString(value) > 20 {
			bad(field, "Invalid '%s%s' Size: maximum 20 characters", p, field)
		}
	}
	if t := u.ReimbursementType; t != "" && !slices.Contains(reimbursementTypes, t) {
		bad("reimbursementType", "Invalid '%sreimbursementType' %q: use one of %s", p, t, strings.Join(reimbursementTypes, ", "))
	}
	seen := map[string]bool{}
	for _, d := range u.CustomData {
		switch {
		case !slices.Contains(customDataIDs, d.ID):
			bad("customData.id", "Invalid '%scustomData.id' %q: use custom1 to custom22 or orgUnit1 to orgUnit6", p, d.ID)
		case seen[d.ID]:
			bad("customData.id", "'%scustomData' lists %q twice", p, d.ID)
		}
		seen[d.ID] = true
	}
	return msgs
}

func isCurrency(c string) bool {
	if !currencyShape.MatchString(c) {
		return false
	}
	_, err := currency.ParseISO(c)
	return err == nil
}

func isCountry(c string) bool {
	if !countryShape.MatchString(c) {
		return false
	}
	region, err := language.ParseRegion(c)
	return err == nil && region.IsCountry()
}

func isLocale(l string) bool {
	if !localeShape.MatchString(l) {
		return false
	}
	_, err := language.Parse(l)
	return err == nil
}

// renderSpendUser is the spend User object as the v4.1 read shows it: every attribute, unset
// ones null, customData an array.
func (u *spendUserRecord) render() map[string]any {
	custom := make([]any, 0, len(u.CustomData))
	for _, d := range u.CustomData {
		custom = append(custom, map[string]any{"id": d.ID, "value": d.Value})
	}
	return map[string]any{
		"reimbursementCurrency":       nullable(u.ReimbursementCurrency),
		"reimbursementType":           nullable(u.ReimbursementType),
		"ledgerCode":                  nullable(u.LedgerCode),
		"country":                     nullable(u.Country),
		"budgetCountryCode":           nullable(u.BudgetCountryCode),
		"stateProvince":               nullable(u.StateProvince),
		"locale":                      nullable(u.Locale),
		"cashAdvanceAccountCode":      nullable(u.CashAdvanceAccountCode),
		"testEmployee":                u.TestEmployee,
		"nonEmployee":                 u.NonEmployee,
		"biManager":                   nil,
		"customData":                  custom,
		"officeLocationCountry":       nullable(u.OfficeLocationCountry),
		"officeLocationStateProvince": nullable(u.OfficeLocationStateProvince),
		"officeLocationCity":          nullable(u.OfficeLocationCity),
	}
}

// spendRoleCodes are the roleName values the Spend Role Codes page lists.
var spendRoleCodes = strings.Fields(`BUDGET_REPORTING_USER EXP_APPROVER EXP_ATTENDEE_ADMIN EXP_ATTENDEE_ADMIN_RO
	EXP_CARD_ADMIN EXP_CASHADVANCE_ADMIN EXP_CONFIG_ADMIN EXP_CONFIG_ADMIN_CLIENT EXP_CONFIG_ADMIN_RO EXP_EMPLOYEE_ADMIN
	EXP_EXTRACT_ADMIN EXP_FB_TAX_ADMIN EXP_FIND_ATTENDEES_USER EXP_PCARD_ADMIN EXP_PROCESSOR EXP_PROCESSOR_ADMIN
	EXP_PROCESSOR_AUDIT EXP_PROCESSOR_CR EXP_PROXY_USER EXP_RECEIPT_PROCESSOR EXP_REIMBURSEMENT_APPROVER
	EXP_REIMBURSEMENT_AUDITOR EXP_TRAVEL_AND_EXPENSE_USER EXP_USER INV_APPROVER INV_AP_USER INV_CONFIG_ADMIN
	INV_CONFIG_ADMIN_RO INV_EMPLOYEE_ADMIN INV_IC_VERIFIER INV_IMAGE_PROCESSOR INV_PMT_MANAGER INV_PMT_USER INV_PROCESSOR
	INV_PROCESSOR_AUDIT INV_PROCESSOR_MANAGER INV_PROXY_USER INV_PURCH_ORDER_PROCESSOR INV_PURCH_ORDER_PROCESSOR_AUDIT
	INV_PURCH_RECEIVER INV_PURCH_REQ_APPROVER INV_PURCH_REQ_PROCESSOR INV_PURCH_REQ_PROCESSOR_AUDIT
	INV_PURCH_REQ_PROXY_USER INV_PURCH_REQ_USER INV_PURCH_USER INV_RECEIPT_PROCESSOR INV_RECEIPT_USER INV_TAX_ADMIN
	INV_VENDOR_ADMIN REPORTING_BUSINESS_AUTHOR REPORTING_CAS_ANALYST REPORTING_CONFIG_ADMIN REPORTING_CONSUMER
	REPORTING_DASHBOARD_USER REPORTING_EMPLOYEE_ADMIN REPORTING_HIST_DATA_USER REPORTING_PRO_AUTHOR REQ_APPROVER
	REQ_CONFIG_ADMIN REQ_CONFIG_ADMIN_RO REQ_EVENT_ADMIN REQ_PROCESSOR REQ_PROCESSOR_ADMIN REQ_PROCESSOR_AUDIT
	REQ_PROXY_USER REQ_RISK_ADMIN REQ_USER SHD_APP_CENTER_ADMIN SHD_AUTHORIZED_APPROVER SHD_BILLING_ATTRIBUTES_USER
	SHD_BUDGET_ADMIN SHD_BUDGET_APPROVER SHD_BUDGET_OWNER SHD_BUDGET_VIEWER SHD_COMPANY_INFO_ADMIN SHD_CONFIG_ADMIN
	SHD_CONFIG_ADMIN_RO SHD_COST_OBJECT_APPROVER SHD_DATA_RETENTION_ADMIN SHD_EMPLOYEE_ADMIN SHD_EMPLOYEE_ADMIN_RO
	SHD_IMPORT_EXTRACT_ADMIN_RO SHD_PASSWORD_ADMIN SHD_PAYROLL_ADMIN SHD_ROLE_ADMIN SHD_TAX_ADMIN SHD_TAX_ADMIN_RO
	SHD_TRAINING_ADMIN SHD_WEB_SERVICES_ADMIN STATEMENT_APPROVER STATEMENT_PROCESSOR STATEMENT_PROCESSOR_ADMIN
	STATEMENT_PROCESSOR_AUDITOR STATEMENT_USER TRAVEL_USER`)

// entitlementRoles are the spend roles that follow the identity's entitlements: the Role
// extension cannot grant or remove them.
var entitlementRoles = map[string]string{"EXP_USER": "Expense", "REQ_USER": "Request", "INV_PMT_USER": "Invoice"}

// decodeRoles reads a spend Role object. A role that follows an entitlement the user has is
// accepted and not stored (it is derived); one whose entitlement the user lacks is an error.
func decodeRoles(obj map[string]any, entitlements []string) ([]spendRole, []scimMessage) {
	r := &docReader{}
	path := schemaSpendRole + ":roles"
	var roles []spendRole
	seen := map[string]bool{}
	for i, o := range r.objects(obj, "roles", path) {
		name := r.str(o, "roleName", fmt.Sprintf("%s[%d].roleName", path, i))
		groups := r.strings(o, "roleGroups", fmt.Sprintf("%s[%d].roleGroups", path, i))
		switch entitlement, derived := entitlementRoles[name]; {
		case name == "":
			r.msgs = append(r.msgs, requiredValue(path+".roleName"))
		case !slices.Contains(spendRoleCodes, name):
			r.fail(path+".roleName", "Unknown spend role %q: see the Spend Role Codes page", name)
		case seen[name]:
			r.fail(path+".roleName", "Role %q is listed twice", name)
		case derived && !slices.Contains(entitlements, entitlement):
			r.fail(path+".roleName", "Role %s follows the %s entitlement and cannot be set through %s: add %q to entitlements",
				name, entitlement, schemaSpendRole, entitlement)
		case derived:
		default:
			roles = append(roles, spendRole{Name: name, Groups: groups})
		}
		seen[name] = true
	}
	return roles, append(r.msgs, unknownAttributes(schemaSpendRole, obj, []string{"roles"})...)
}

// renderRoles shows the stored roles; withDerived adds the roles that follow entitlements, as
// the spend read does.
func renderRoles(roles []spendRole, entitlements []string, withDerived bool) map[string]any {
	list := []any{}
	if withDerived {
		for _, name := range []string{"EXP_USER", "REQ_USER", "INV_PMT_USER"} {
			if slices.Contains(entitlements, entitlementRoles[name]) {
				list = append(list, map[string]any{"roleName": name})
			}
		}
	}
	for _, role := range roles {
		m := map[string]any{"roleName": role.Name}
		if len(role.Groups) > 0 {
			m["roleGroups"] = toAnySlice(role.Groups)
		}
		list = append(list, m)
	}
	return map[string]any{"roles": list}
}

func toAnySlice(in []string) []any {
	out := make([]any, len(in))
	for i, s := range in {
		out[i] = s
	}
	return out
}

// approverRoles is the spend role an approver of each approval type must hold. report, request,
// purchaseRequest and invoice (payment) follow the role table of the v4.1 spend retrieval page's
// Approver Limit section; the others are the approver roles the Spend Role Codes page describes.
var approverRoles = map[string]string{
	"report":          "EXP_APPROVER",
	"cashAdvance":     "EXP_APPROVER",
	"request":         "REQ_APPROVER",
	"invoice":         "INV_APPROVER",
	"purchaseRequest": "INV_PURCH_REQ_APPROVER",
	"statement":       "STATEMENT_APPROVER",
	"budget":          "SHD_BUDGET_APPROVER",
}

// approvalTypes lists the Approver extension's attributes in the documented order.
var approvalTypes = []string{"report", "cashAdvance", "request", "invoice", "purchaseRequest", "statement", "budget"}

// approverRef is an approver as a request names it, before it is resolved to a user.
type approverRef struct {
	value, employeeNumber, path string
	primary                     bool
}

// decodeApprovers reads a spend Approver object into references; resolving them needs the
// company (see resolveApprovers).
func decodeApprovers(obj map[string]any) (map[string][]approverRef, []scimMessage) {
	r := &docReader{}
	refs := map[string][]approverRef{}
	for _, kind := range approvalTypes {
		path := schemaSpendApprover + ":" + kind
		primaries := 0
		for i, o := range r.objects(obj, kind, path) {
			at := fmt.Sprintf("%s[%d]", path, i)
			approver := r.object(o, "approver", at+".approver")
			if approver == nil {
				r.msgs = append(r.msgs, requiredValue(at+".approver"))
				continue
			}
			if o["primary"] == nil {
				r.msgs = append(r.msgs, requiredValue(at+".primary"))
			}
			ref := approverRef{
				value:          r.str(approver, "value", at+".approver.value"),
				employeeNumber: r.str(approver, "employeeNumber", at+".approver.employeeNumber"),
				primary:        r.boolean(o, "primary", at+".primary", false),
				path:           at + ".approver",
			}
			if ref.value == "" && ref.employeeNumber == "" {
				r.msgs = append(r.msgs, requiredValue(at+".approver.value"))
				continue
			}
			if ref.primary {
				primaries++
			} else if kind != "report" && kind != "request" {
				r.fail(at+".primary", "Only report and request approvers may be non-primary")
			}
			refs[kind] = append(refs[kind], ref)
		}
		if primaries > 1 {
			r.fail(path, "'%s' has %d primary approvers; at most one may be primary", kind, primaries)
		}
	}
	return refs, append(r.msgs, unknownAttributes(schemaSpendApprover, obj, approvalTypes)...)
}

// renderApprovers shows approvers by UUID, as the documented read does.
func renderApprovers(approvers map[string][]spendApprover) map[string]any {
	out := map[string]any{}
	for _, kind := range approvalTypes {
		list := approvers[kind]
		if len(list) == 0 {
			continue
		}
		items := make([]any, 0, len(list))
		for _, a := range list {
			items = append(items, map[string]any{"approver": map[string]any{"value": a.UserID}, "primary": a.Primary})
		}
		out[kind] = items
	}
	return out
}
