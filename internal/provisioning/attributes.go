package provisioning

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
)

// Names of the Concur attributes a mapping can set, as the provider's schemas spell them.
const (
	AttrEmpID             = "emp_id"
	AttrLoginID           = "login_id"
	AttrEmail             = "email"
	AttrFirstName         = "first_name"
	AttrLastName          = "last_name"
	AttrMiddleName        = "middle_name"
	AttrNickName          = "nick_name"
	AttrTitle             = "title"
	AttrDepartment        = "department"
	AttrCostCenter        = "cost_center"
	AttrDivision          = "division"
	AttrManagerEmpID      = "manager_emp_id"
	AttrPreferredLanguage = "preferred_language"
	AttrTimezone          = "timezone"
	AttrStartDate         = "start_date"
	AttrTerminationDate   = "termination_date"
	AttrExternalID        = "external_id"
	AttrSpendRoles        = "spend_roles"
	AttrTestEmployee      = "test_employee"
)

// Attribute is one Concur attribute a mapping and concur_user can set: the one row that the
// provider's schemas, the mapping's keys, the plan-time checks and the docs are derived from.
type Attribute struct {
	Name        string                     // as the provider's schemas and mappings spell it
	Description string                     // Markdown, for the docs
	Field       func(*concur.User) *string // where the value lives on a Concur user, when it is plain text
	Rule        Rule                       // Concur's rule for a value that is set
	Required    bool                       // Concur cannot create a user without it
	IgnoreCase  bool                       // Concur compares (and may store) it without regard to case
	// ServerDefault marks an attribute Concur fills in when it is not sent, so leaving it out of a
	// configuration keeps what Concur holds rather than clearing it.
	ServerDefault bool
	// Read and Write stand in for Field where the value is not one text field of the user: the
	// spend roles (a list) and the approvers (a reference whose Concur id must go with a new
	// employee ID).
	Read  func(*concur.User) string
	Write func(*concur.User, string)
	// Profile is the schema of the UPS extension that holds the attribute (concur.SchemaSpendUser,
	// ...); "" for the identity. Such an attribute is written through the User Provisioning
	// Service and read from the Spend or Travel API, which the provider calls only for users
	// whose configuration or state holds one.
	Profile string
	// CreateOnly marks an attribute Concur accepts only when it first provisions the profile.
	CreateOnly bool
	// ApproverRole is, for an approver, the spend role Concur requires the approver to hold.
	ApproverRole string
	// Reference marks an approver's emp_id, which names another user who must exist first.
	Reference bool
}

// Value reads the attribute of a Concur user.
func (a Attribute) Value(u *concur.User) string {
	if a.Field != nil {
		return *a.Field(u)
	}
	return a.Read(u)
}

// SetValue writes the attribute of a Concur user.
func (a Attribute) SetValue(u *concur.User, value string) {
	if a.Field != nil {
		*a.Field(u) = value
		return
	}
	a.Write(u, value)
}

// IsSpend reports whether the attribute lives in one of the Spend extensions.
func (a Attribute) IsSpend() bool {
	return a.Profile == concur.SchemaSpendUser || a.Profile == concur.SchemaSpendApprover || a.Profile == concur.SchemaSpendRole
}

// Rule is Concur's rule for an attribute's value, with what it asks for in a few words.
type Rule struct {
	What  string
	Check func(string) error
}

func personName(limit int) Rule {
	return Rule{fmt.Sprintf("a name of at most %d characters, without control characters", limit),
		func(value string) error { return concur.CheckName(value, limit) }}
}

func maxLength(limit int) Rule {
	return Rule{fmt.Sprintf("at most %d characters", limit),
		func(value string) error { return concur.CheckLength(value, limit) }}
}

func oneOf(allowed []string) Rule {
	return Rule{"one of " + strings.Join(allowed, ", "),
		func(value string) error { return concur.CheckOneOf(value, allowed) }}
}

var (
	employeeNumber = Rule{"a Concur employee ID", concur.CheckEmployeeNumber}
	date           = Rule{"a date", concur.CheckDate}
	currencyCode   = Rule{"an ISO 4217 currency code", concur.CheckCurrencyCode}
	countryCode    = Rule{"an ISO 3166-1 alpha-2 country code", concur.CheckCountryCode}
	subdivision    = Rule{"an ISO 3166-2 subdivision code without the country", concur.CheckSubdivisionCode}
	boolean        = Rule{`"true" or "false"`, concur.CheckBoolean}
	plainText      = Rule{"text without control characters", concur.CheckNoControlCharacters}
	spendRoles     = Rule{"spend role codes, comma-separated in alphabetical order", concur.CheckSpendRoleList}
)

// Attributes is the catalogue, in the order the docs list them: the identity's, then the Spend
// and Travel profiles'. Adding an attribute is one row and its field on concur.User (with its wire
// form in internal/concur).
var Attributes = slices.Concat(identityAttributes, spendAttributes(), travelAttributes())

var identityAttributes = []Attribute{
	{Name: AttrEmpID, Required: true, Rule: employeeNumber,
		Field:       func(u *concur.User) *string { return &u.EmployeeNumber },
		Description: "The employee ID (Concur's enterprise `employeeNumber`), unique within the company. It is the key that links a Concur user to its directory record and the ID to import with. Changing it updates the user in place."},
	{Name: AttrLoginID, Required: true, IgnoreCase: true, Rule: Rule{"a Concur login ID", concur.CheckUserName},
		Field:       func(u *concur.User) *string { return &u.UserName },
		Description: "The login ID (Concur's `userName`), of the form `user@domain` and unique across all of SAP Concur. Compared case-insensitively."},
	{Name: AttrEmail, Required: true, IgnoreCase: true, Rule: Rule{"an e-mail address", concur.CheckEmail},
		Field:       func(u *concur.User) *string { return &u.Email },
		Description: "The work e-mail address. Concur stores e-mails lower-case; values that differ only in case are equal."},
	{Name: AttrFirstName, Required: true, Rule: personName(concur.MaxGivenName),
		Field:       func(u *concur.User) *string { return &u.GivenName },
		Description: "The given name, at most 32 characters."},
	{Name: AttrLastName, Required: true, Rule: personName(concur.MaxFamilyName),
		Field:       func(u *concur.User) *string { return &u.FamilyName },
		Description: "The family name, at most 32 characters."},
	{Name: AttrMiddleName, Rule: personName(concur.MaxMiddleName),
		Field:       func(u *concur.User) *string { return &u.MiddleName },
		Description: "The middle name, at most 60 characters."},
	{Name: AttrNickName, Rule: personName(concur.MaxNickName),
		Field:       func(u *concur.User) *string { return &u.NickName },
		Description: "The preferred name, at most 60 characters. Concur shows it instead of the first name."},
	{Name: AttrTitle, Rule: maxLength(concur.MaxTitle),
		Field:       func(u *concur.User) *string { return &u.Title },
		Description: "The job title, at most 255 characters."},
	{Name: AttrPreferredLanguage, ServerDefault: true, Rule: Rule{"a language tag", concur.CheckLanguage},
		Field:       func(u *concur.User) *string { return &u.PreferredLanguage },
		Description: "The preferred language as a tag such as `en-US`. Concur defaults it to `en-US`."},
	{Name: AttrTimezone, ServerDefault: true, Rule: Rule{"an IANA timezone", concur.CheckTimezone},
		Field:       func(u *concur.User) *string { return &u.Timezone },
		Description: "The IANA timezone such as `Europe/Berlin`. Concur defaults it to `America/New_York`."},
	{Name: AttrDepartment, Rule: maxLength(concur.MaxDepartment),
		Field:       func(u *concur.User) *string { return &u.Department },
		Description: "The department, as provisioned (not Expense's own field of that name)."},
	{Name: AttrCostCenter, Rule: maxLength(concur.MaxCostCenter),
		Field:       func(u *concur.User) *string { return &u.CostCenter },
		Description: "The cost center, at most 25 characters."},
	{Name: AttrDivision, Rule: maxLength(concur.MaxDivision),
		Field:       func(u *concur.User) *string { return &u.Division },
		Description: "The division, at most 48 characters."},
	{Name: AttrManagerEmpID, Rule: employeeNumber,
		Field:       func(u *concur.User) *string { return &u.ManagerEmployeeNumber },
		Description: "The employee ID of the user's manager; the provider resolves it to the manager's Concur user, which must exist."},
	{Name: AttrStartDate, ServerDefault: true, Rule: date,
		Field:       func(u *concur.User) *string { return &u.StartDate },
		Description: "The start date, `YYYY-MM-DD`. When none is configured, the provider keeps whatever Concur holds (Concur may set one itself)."},
	{Name: AttrTerminationDate, Rule: date,
		Field:       func(u *concur.User) *string { return &u.TerminationDate },
		Description: "The termination date, `YYYY-MM-DD`; it also drives Concur's data-retention period."},
	{Name: AttrExternalID, Rule: maxLength(concur.MaxExternalID),
		Field:       func(u *concur.User) *string { return &u.ExternalID },
		Description: "An identifier of the provisioning client, unique within the company."},
}

// spendAttributes are the rows of the Spend User, Approver and Role extensions.
func spendAttributes() []Attribute {
	spendUser := func(name string, rule Rule, field func(*concur.SpendProfile) *string, description string) Attribute {
		return Attribute{Name: name, Rule: rule, Profile: concur.SchemaSpendUser, Description: description,
			Field: func(u *concur.User) *string { return field(&u.Spend) }}
	}
	rows := []Attribute{
		spendUser("reimbursement_currency", currencyCode, func(p *concur.SpendProfile) *string { return &p.ReimbursementCurrency },
			"The currency the user is reimbursed in, an ISO 4217 code such as `USD` (Ping's `crnKey`). Concur requires it, with `country` and `locale`, whenever a Spend attribute is set."),
		spendUser("country", countryCode, func(p *concur.SpendProfile) *string { return &p.Country },
			"The country of the user's Expense profile, an ISO 3166-1 alpha-2 code such as `US` (Ping's `ctryCode`). Concur requires it whenever a Spend attribute is set."),
		spendUser("state_province", subdivision, func(p *concur.SpendProfile) *string { return &p.StateProvince },
			"The state or province, the ISO 3166-2 subdivision code without the country, such as `WA` for `US-WA` (the part of Ping's `ctrySubCode` after the hyphen)."),
		spendUser("locale", Rule{"a locale such as en-US", concur.CheckSpendLocale}, func(p *concur.SpendProfile) *string { return &p.Locale },
			"The Expense locale, a language and a region such as `en-US` (Ping's `localeName`, whose `en_US` is written `en-US` here). Concur requires it whenever a Spend attribute is set."),
		spendUser("ledger_code", maxLength(concur.MaxLedgerCode), func(p *concur.SpendProfile) *string { return &p.LedgerCode },
			"The code of the account-code ledger, such as `DEFAULT` (Ping's `ledgerKey`), at most 20 characters."),
		spendUser("reimbursement_type", oneOf(concur.ReimbursementTypes), func(p *concur.SpendProfile) *string { return &p.ReimbursementType },
			"How the user is reimbursed: `ACCOUNTS_PAYABLE`, `ADP_PAYROLL`, `CONCUR_PAY` or `OTHER`."),
		spendUser("cash_advance_account_code", maxLength(concur.MaxCashAdvanceAccountCode), func(p *concur.SpendProfile) *string { return &p.CashAdvanceAccountCode },
			"The account code for cash advances, at most 20 characters."),
		spendUser("budget_country_code", countryCode, func(p *concur.SpendProfile) *string { return &p.BudgetCountryCode },
			"The country of the user's budget, an ISO 3166-1 alpha-2 code such as `US`."),
		serverDefault(createOnly(spendUser(AttrTestEmployee, boolean, func(p *concur.SpendProfile) *string { return &p.TestEmployee },
			"Whether the user is a test user, `\"true\"` or `\"false\"` (Ping's `isTestEmp`). Concur accepts it only when the Spend profile is first provisioned, so it is set at creation and never changed afterwards. Concur sets `\"false\"` when none is given."))),
		serverDefault(spendUser("non_employee", boolean, func(p *concur.SpendProfile) *string { return &p.NonEmployee },
			"Whether the user is not an employee (a contractor, for example), `\"true\"` or `\"false\"`. Concur sets `\"false\"` when none is given.")),
		spendUser("office_location_country", countryCode, func(p *concur.SpendProfile) *string { return &p.OfficeLocationCountry },
			"The country of the user's office, an ISO 3166-1 alpha-2 code such as `DE`."),
		spendUser("office_location_state_province", subdivision, func(p *concur.SpendProfile) *string { return &p.OfficeLocationStateProvince },
			"The state or province of the user's office, the ISO 3166-2 subdivision code without the country, such as `BY`."),
		spendUser("office_location_city", plainText, func(p *concur.SpendProfile) *string { return &p.OfficeLocationCity },
			"The city of the user's office."),
	}
	for i := range len(concur.SpendProfile{}.Custom) {
		rows = append(rows, spendUser(fmt.Sprintf("custom%d", i+1), maxLength(concur.MaxCustomData), func(p *concur.SpendProfile) *string { return &p.Custom[i] },
			fmt.Sprintf("The Expense employee form's custom field %d (Ping's `custom%d`), at most 48 characters; what it holds is the company's configuration.", i+1, i+1)))
	}
	for i := range len(concur.SpendProfile{}.OrgUnit) {
		rows = append(rows, spendUser(fmt.Sprintf("org_unit%d", i+1), maxLength(concur.MaxCustomData), func(p *concur.SpendProfile) *string { return &p.OrgUnit[i] },
			fmt.Sprintf("The Expense employee form's organizational unit %d (Ping's `orgUnit%d`), at most 48 characters; what it holds is the company's configuration.", i+1, i+1)))
	}
	approvers := []struct {
		name, what, role string
		of               func(*concur.SpendApprovers) *concur.Approver
	}{
		{"report", "expense reports", "EXP_APPROVER", func(a *concur.SpendApprovers) *concur.Approver { return &a.Report }},
		{"cash_advance", "cash advances", "EXP_APPROVER", func(a *concur.SpendApprovers) *concur.Approver { return &a.CashAdvance }},
		{"request", "requests", "REQ_APPROVER", func(a *concur.SpendApprovers) *concur.Approver { return &a.Request }},
		{"invoice", "invoices (payment requests)", "INV_APPROVER", func(a *concur.SpendApprovers) *concur.Approver { return &a.Invoice }},
		{"purchase_request", "purchase requests", "INV_PURCH_REQ_APPROVER", func(a *concur.SpendApprovers) *concur.Approver { return &a.PurchaseRequest }},
		{"statement", "card statements", "STATEMENT_APPROVER", func(a *concur.SpendApprovers) *concur.Approver { return &a.Statement }},
		{"budget", "budgets", "SHD_BUDGET_APPROVER", func(a *concur.SpendApprovers) *concur.Approver { return &a.Budget }},
	}
	for _, k := range approvers {
		rows = append(rows, approverAttribute(k.name+"_approver_emp_id", concur.SchemaSpendApprover, k.role,
			func(u *concur.User) *concur.Approver { return k.of(&u.Spend.Approvers) },
			fmt.Sprintf("The emp_id of the user's primary approver of %s, who must be a Concur user holding the spend role `%s`. The provider checks the role at plan time where it can know it.", k.what, k.role)))
	}
	return append(rows, Attribute{Name: AttrSpendRoles, Rule: spendRoles, Profile: concur.SchemaSpendRole,
		Read:  func(u *concur.User) string { return concur.FormatSpendRoles(u.Spend.Roles) },
		Write: func(u *concur.User, value string) { u.Spend.Roles = concur.ParseSpendRoles(value) },
		Description: "The user's spend roles, Concur role codes comma-separated in alphabetical order, such as `EXP_APPROVER,REQ_APPROVER` (Ping's `expenseUserApprover` and `invoiceUserApprover` become `EXP_APPROVER` and `INV_APPROVER`). " +
			"The roles that follow the user's product entitlements (`EXP_USER`, `REQ_USER`, `INV_PMT_USER`) are left out: Concur changes them only with the entitlements. Roles set in Concur for particular groups keep their groups."})
}

// travelAttributes are the rows of the Travel User extension.
func travelAttributes() []Attribute {
	travelUser := func(name string, rule Rule, field func(*concur.TravelProfile) *string, description string) Attribute {
		return Attribute{Name: name, Rule: rule, Profile: concur.SchemaTravelUser, Description: description,
			Field: func(u *concur.User) *string { return field(&u.Travel) }}
	}
	return []Attribute{
		travelUser("travel_rule_class", plainText, func(p *concur.TravelProfile) *string { return &p.RuleClass },
			"The name of the user's Travel rule class, exactly as Concur Travel spells it. Concur requires it whenever a Travel attribute is set."),
		travelUser("travel_org_unit", plainText, func(p *concur.TravelProfile) *string { return &p.OrgUnit },
			"The user's organizational unit in Concur Travel."),
		travelUser("travel_name_remark", plainText, func(p *concur.TravelProfile) *string { return &p.NameRemark },
			"The remark Concur Travel adds to the traveller's name."),
		travelUser("travel_crs_name", plainText, func(p *concur.TravelProfile) *string { return &p.CrsName },
			"The traveller's name in the reservation system (GDS) profile."),
		travelUser("travel_gender", oneOf(concur.TravelGenders), func(p *concur.TravelProfile) *string { return &p.Gender },
			"The gender Concur Travel passes to carriers: `Female` or `Male`."),
		approverAttribute("travel_approver_emp_id", concur.SchemaTravelUser, "",
			func(u *concur.User) *concur.Approver { return &u.Travel.Manager },
			"The emp_id of the user's Travel approver (Travel's manager), who must be a Concur user other than the user."),
	}
}

func serverDefault(a Attribute) Attribute {
	a.ServerDefault = true
	return a
}

func createOnly(a Attribute) Attribute {
	a.CreateOnly = true
	return a
}

// profileRequirements are the attributes Concur needs whenever an extension is sent.
var profileRequirements = []struct {
	profile  string
	what     string
	required []string
}{
	{concur.SchemaSpendUser, "a Spend attribute", []string{"reimbursement_currency", "country", "locale"}},
	{concur.SchemaTravelUser, "a Travel attribute", []string{"travel_rule_class"}},
}

// CheckProfiles rejects a Spend User or Travel profile whose attributes Concur requires are in
// attributes but empty while another of the profile is set: Concur refuses to create or keep it
// so. A mapping that leaves one out keeps what Concur holds; concur_user passes all of them.
// It returns the first attribute missing and why.
func CheckProfiles(attributes map[string]string) (string, error) {
	for _, r := range profileRequirements {
		var set []string
		for _, name := range sortedKeys(attributes) {
			if attributes[name] != "" && attributesByName[name].Profile == r.profile {
				set = append(set, name)
			}
		}
		if len(set) == 0 {
			continue
		}
		for _, name := range r.required {
			if value, present := attributes[name]; present && value == "" {
				return name, fmt.Errorf("%s is empty, and Concur requires it whenever %s is set (here %s)", name, r.what, strings.Join(set, ", "))
			}
		}
	}
	return "", nil
}

// approverAttribute is the row of an approver referenced by emp_id. Writing a new emp_id drops the
// Concur id read with the old one, so the reference names one user.
func approverAttribute(name, profile, role string, of func(*concur.User) *concur.Approver, description string) Attribute {
	return Attribute{Name: name, Rule: employeeNumber, Profile: profile, ApproverRole: role, Reference: true, Description: description,
		Read: func(u *concur.User) string { return of(u).EmployeeNumber },
		Write: func(u *concur.User, value string) {
			if approver := of(u); approver.EmployeeNumber != value {
				*approver = concur.Approver{EmployeeNumber: value}
			}
		}}
}

// attributesByName indexes the catalogue.
var attributesByName = func() map[string]Attribute {
	byName := make(map[string]Attribute, len(Attributes))
	for _, a := range Attributes {
		byName[a.Name] = a
	}
	return byName
}()

// RequiredAttributes must be in every mapping: Concur cannot create a user without them.
var RequiredAttributes = func() []string {
	var names []string
	for _, a := range Attributes {
		if a.Required {
			names = append(names, a.Name)
		}
	}
	return names
}()

// attributeRules are Concur's rules for each attribute's value, checked on rendered values so
// one bad directory entry is reported at plan time instead of failing at apply.
var attributeRules = func() map[string]func(string) error {
	rules := make(map[string]func(string) error, len(Attributes))
	for _, a := range Attributes {
		rules[a.Name] = a.Rule.Check
	}
	return rules
}()

// CheckAttributes checks rendered values against Concur's rules: required attributes must not
// be empty, and a value that is set must be one Concur accepts. It names the first bad one.
func CheckAttributes(attributes map[string]string) error {
	for _, name := range RequiredAttributes {
		if attributes[name] == "" {
			return fmt.Errorf("%s is empty, and Concur requires it", name)
		}
	}
	for _, name := range sortedKeys(attributes) {
		if value := attributes[name]; value != "" {
			if err := attributeRules[name](value); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	if err := CheckDateOrder(attributes[AttrStartDate], attributes[AttrTerminationDate]); err != nil {
		return err
	}
	if _, err := CheckProfiles(attributes); err != nil {
		return err
	}
	return CheckManager(attributes[AttrEmpID], attributes[AttrManagerEmpID])
}

// CheckDateOrder rejects a termination date before the start date, which Concur refuses;
// either may be empty.
func CheckDateOrder(start, termination string) error {
	startDay, startErr := concur.ParseDate(start)
	endDay, endErr := concur.ParseDate(termination)
	if startErr == nil && endErr == nil && endDay.Before(startDay) {
		return fmt.Errorf("termination_date %s is before start_date %s; Concur refuses it", termination, start)
	}
	return nil
}

// CheckManager rejects a user who is their own manager.
func CheckManager(empID, manager string) error {
	if manager != "" && manager == empID {
		return fmt.Errorf("manager_emp_id is the user's own emp_id %q", empID)
	}
	return nil
}

// sameValue reports whether two values of an attribute are the same to Concur: login ID and
// e-mail differ only if they differ in more than case (Concur stores e-mails lower-case).
func sameValue(attribute, a, b string) bool {
	return a == b || attributesByName[attribute].IgnoreCase && strings.EqualFold(a, b)
}

// AttributeNamed returns the catalogue row of an attribute.
func AttributeNamed(name string) (Attribute, bool) {
	a, ok := attributesByName[name]
	return a, ok
}

// IsConcurAttribute reports whether name is an attribute a mapping can set.
func IsConcurAttribute(name string) bool {
	_, ok := attributesByName[name]
	return ok
}

// ConcurAttributes lists every attribute a mapping can set, sorted.
func ConcurAttributes() []string {
	names := make([]string, 0, len(Attributes))
	for _, a := range Attributes {
		names = append(names, a.Name)
	}
	sort.Strings(names)
	return names
}

// UserAttribute reads one attribute of a Concur user.
func UserAttribute(u *concur.User, name string) string {
	return attributesByName[name].Value(u)
}

// SetUserAttribute writes one attribute of a Concur user.
func SetUserAttribute(u *concur.User, name, value string) {
	attributesByName[name].SetValue(u, value)
}
