package provisioning

import (
	"fmt"
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
)

// Attribute is one Concur attribute a mapping and concur_user can set: the one row that the
// provider's schemas, the mapping's keys, the plan-time checks and the docs are derived from.
type Attribute struct {
	Name        string                     // as the provider's schemas and mappings spell it
	Description string                     // Markdown, for the docs
	Field       func(*concur.User) *string // where the value lives on a Concur user
	Rule        Rule                       // Concur's rule for a value that is set
	Required    bool                       // Concur cannot create a user without it
	IgnoreCase  bool                       // Concur compares (and may store) it without regard to case
	// ServerDefault marks an attribute Concur fills in when it is not sent, so leaving it out of a
	// configuration keeps what Concur holds rather than clearing it.
	ServerDefault bool
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

var (
	employeeNumber = Rule{"a Concur employee ID", concur.CheckEmployeeNumber}
	date           = Rule{"a date", concur.CheckDate}
)

// Attributes is the catalogue, in the order the docs list them. Adding an attribute is one row
// here and its field on concur.User (with its wire form in internal/concur).
var Attributes = []Attribute{
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
	return *attributesByName[name].Field(u)
}

// SetUserAttribute writes one attribute of a Concur user.
func SetUserAttribute(u *concur.User, name, value string) {
	*attributesByName[name].Field(u) = value
}
