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

// RequiredAttributes must be in every mapping: Concur cannot create a user without them.
var RequiredAttributes = []string{AttrEmpID, AttrLoginID, AttrEmail, AttrFirstName, AttrLastName}

// userFields binds each attribute name to its field of concur.User, so mapping, comparing and
// writing users all go through one table.
var userFields = map[string]func(*concur.User) *string{
	AttrEmpID:             func(u *concur.User) *string { return &u.EmployeeNumber },
	AttrLoginID:           func(u *concur.User) *string { return &u.UserName },
	AttrEmail:             func(u *concur.User) *string { return &u.Email },
	AttrFirstName:         func(u *concur.User) *string { return &u.GivenName },
	AttrLastName:          func(u *concur.User) *string { return &u.FamilyName },
	AttrMiddleName:        func(u *concur.User) *string { return &u.MiddleName },
	AttrNickName:          func(u *concur.User) *string { return &u.NickName },
	AttrTitle:             func(u *concur.User) *string { return &u.Title },
	AttrDepartment:        func(u *concur.User) *string { return &u.Department },
	AttrCostCenter:        func(u *concur.User) *string { return &u.CostCenter },
	AttrDivision:          func(u *concur.User) *string { return &u.Division },
	AttrManagerEmpID:      func(u *concur.User) *string { return &u.ManagerEmployeeNumber },
	AttrPreferredLanguage: func(u *concur.User) *string { return &u.PreferredLanguage },
	AttrTimezone:          func(u *concur.User) *string { return &u.Timezone },
	AttrStartDate:         func(u *concur.User) *string { return &u.StartDate },
	AttrTerminationDate:   func(u *concur.User) *string { return &u.TerminationDate },
	AttrExternalID:        func(u *concur.User) *string { return &u.ExternalID },
}

// attributeRules are Concur's rules for each attribute's value, checked on rendered values so
// one bad directory entry is reported at plan time instead of failing at apply.
var attributeRules = map[string]func(string) error{
	AttrEmpID:             concur.CheckEmployeeNumber,
	AttrLoginID:           concur.CheckUserName,
	AttrEmail:             concur.CheckEmail,
	AttrFirstName:         personName(concur.MaxGivenName),
	AttrLastName:          personName(concur.MaxFamilyName),
	AttrMiddleName:        personName(concur.MaxMiddleName),
	AttrNickName:          personName(concur.MaxNickName),
	AttrTitle:             maxLength(concur.MaxTitle),
	AttrDepartment:        maxLength(concur.MaxDepartment),
	AttrCostCenter:        maxLength(concur.MaxCostCenter),
	AttrDivision:          maxLength(concur.MaxDivision),
	AttrManagerEmpID:      concur.CheckEmployeeNumber,
	AttrPreferredLanguage: concur.CheckLanguage,
	AttrTimezone:          concur.CheckTimezone,
	AttrStartDate:         concur.CheckDate,
	AttrTerminationDate:   concur.CheckDate,
	AttrExternalID:        maxLength(concur.MaxExternalID),
}

func personName(limit int) func(string) error {
	return func(value string) error { return concur.CheckName(value, limit) }
}

func maxLength(limit int) func(string) error {
	return func(value string) error { return concur.CheckLength(value, limit) }
}

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

// caseInsensitiveAttributes are compared without regard to case, as Concur does.
var caseInsensitiveAttributes = map[string]bool{AttrLoginID: true, AttrEmail: true}

// sameValue reports whether two values of an attribute are the same to Concur: login ID and
// e-mail differ only if they differ in more than case (Concur stores e-mails lower-case).
func sameValue(attribute, a, b string) bool {
	return a == b || caseInsensitiveAttributes[attribute] && strings.EqualFold(a, b)
}

// IsConcurAttribute reports whether name is an attribute a mapping can set.
func IsConcurAttribute(name string) bool {
	_, ok := userFields[name]
	return ok
}

// ConcurAttributes lists every attribute a mapping can set, sorted.
func ConcurAttributes() []string {
	names := make([]string, 0, len(userFields))
	for name := range userFields {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// UserAttribute reads one attribute of a Concur user.
func UserAttribute(u *concur.User, name string) string {
	return *userFields[name](u)
}

// SetUserAttribute writes one attribute of a Concur user.
func SetUserAttribute(u *concur.User, name, value string) {
	*userFields[name](u) = value
}
