package concur

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	_ "time/tzdata" // timezone names are checked without relying on the host's zoneinfo

	"golang.org/x/text/currency"
	"golang.org/x/text/language"
)

// Field limits of the Identity v4.1 user schema (OpenAPI maxLength values). The provider checks
// them at plan time so a bad value fails before any user is touched.
const (
	MaxEmployeeNumber = 48
	MaxUserName       = 128 // not in the Identity schema; the User v1 LoginId limit, the tightest one documented
	MaxEmail          = 255
	MaxGivenName      = 32
	MaxFamilyName     = 32
	MaxMiddleName     = 60
	MaxNickName       = 60
	MaxTitle          = 255
	MaxCostCenter     = 25
	MaxDivision       = 48
	MaxDepartment     = 255
	MaxExternalID     = 255

	// Spend User extension (UPS OpenAPI maxLength values).
	MaxLedgerCode             = 20
	MaxCashAdvanceAccountCode = 20
	// MaxCustomData bounds a customData value (custom1-22, orgUnit1-6): UPS documents no limit,
	// User v1 documented 48 for the same employee-form fields.
	MaxCustomData = 48
)

// userNameForbidden are the characters Concur rejects in a login ID.
const userNameForbidden = `%[#!*&()~'{^}\/?><,;:"+=]|`

var (
	languageTag   = regexp.MustCompile(`^[a-z]{2,3}(-[A-Z]{2})?$`)
	uuidForm      = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	upperLetters3 = regexp.MustCompile(`^[A-Z]{3}$`)
	upperLetters2 = regexp.MustCompile(`^[A-Z]{2}$`)
	subdivision   = regexp.MustCompile(`^[A-Z0-9]{2}$`)
	spendLocale   = regexp.MustCompile(`^[a-z]{2}-([A-Z]{2}|[0-9]{3})$`)
	roleCode      = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	digits        = regexp.MustCompile(`^[0-9]{1,18}$`)
	earliestDay   = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	latestDay     = time.Date(2079, 6, 6, 0, 0, 0, 0, time.UTC)
)

// CheckLength returns an error when value is longer than limit characters.
func CheckLength(value string, limit int) error {
	if n := utf8.RuneCountInString(value); n > limit {
		return fmt.Errorf("%q is %d characters long; Concur accepts at most %d", value, n, limit)
	}
	return nil
}

// CheckNoControlCharacters rejects control characters (NUL, ESC, tabs, line breaks, ...): Concur
// stores them as sent, where they break searches by that value and the names people see.
func CheckNoControlCharacters(value string) error {
	for i, r := range []rune(value) {
		if unicode.IsControl(r) {
			return fmt.Errorf("%q contains the control character %U at character %d; Concur would store it as sent", value, r, i+1)
		}
	}
	return nil
}

// CheckName checks a person's name: no control characters, at most limit characters.
func CheckName(value string, limit int) error {
	if err := CheckNoControlCharacters(value); err != nil {
		return err
	}
	return CheckLength(value, limit)
}

// CheckEmployeeNumber checks an empId: not blank, no control characters, no surrounding spaces,
// at most 48 characters.
func CheckEmployeeNumber(value string) error {
	if strings.TrimSpace(value) == "" {
		return fmt.Errorf("the employee ID must not be empty")
	}
	if err := CheckNoControlCharacters(value); err != nil {
		return err
	}
	if strings.TrimSpace(value) != value {
		return fmt.Errorf("%q has leading or trailing spaces; Concur would store a different employee ID than the directory holds", value)
	}
	return CheckLength(value, MaxEmployeeNumber)
}

// CheckUserName checks a login ID: user@domain, no control characters, none of Concur's forbidden
// characters.
func CheckUserName(value string) error {
	if err := CheckNoControlCharacters(value); err != nil {
		return err
	}
	if i := strings.IndexAny(value, userNameForbidden); i >= 0 {
		return fmt.Errorf("%q contains %q; Concur login IDs must not contain any of %s", value, value[i:i+1], userNameForbidden)
	}
	if strings.ContainsAny(value, " \t\r\n") {
		return fmt.Errorf("%q contains white space; Concur login IDs are of the form user@domain", value)
	}
	local, domain, found := strings.Cut(value, "@")
	if !found || local == "" || domain == "" || strings.Contains(domain, "@") {
		return fmt.Errorf("%q is not of the form user@domain that Concur requires for login IDs", value)
	}
	return CheckLength(value, MaxUserName)
}

// CheckEmail checks an e-mail address: one plain address, at most 255 characters.
func CheckEmail(value string) error {
	addr, err := mail.ParseAddress(value)
	if err != nil || addr.Address != value || addr.Name != "" {
		return fmt.Errorf("%q is not a plain e-mail address such as jane.roe@example.com", value)
	}
	return CheckLength(value, MaxEmail)
}

// CheckLanguage checks a preferred language such as en-US.
func CheckLanguage(value string) error {
	if !languageTag.MatchString(value) {
		return fmt.Errorf("%q is not a language tag such as \"en-US\" or \"de-DE\" (language lower-case, region upper-case, joined by a hyphen)", value)
	}
	return nil
}

// CheckTimezone checks an Olson timezone name such as America/New_York.
func CheckTimezone(value string) error {
	// LoadLocation accepts "" and "Local" as the host's zone, which mean nothing to Concur.
	if _, err := time.LoadLocation(value); err != nil || value == "" || value == "Local" {
		return fmt.Errorf("%q is not an IANA timezone name such as \"America/New_York\" or \"Europe/Berlin\"", value)
	}
	return nil
}

// CheckUUID checks an identifier Concur writes as a UUID, such as a companyId.
func CheckUUID(value string) error {
	if !uuidForm.MatchString(value) {
		return fmt.Errorf("%q is not a UUID such as \"3fa85f64-5717-4562-b3fc-2c963f66afa6\"", value)
	}
	return nil
}

// ParseDate parses a YYYY-MM-DD date within the range Concur accepts (1900-01-01 to 2079-06-06).
func ParseDate(value string) (time.Time, error) {
	day, err := time.Parse(time.DateOnly, value)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date of the form YYYY-MM-DD", value)
	}
	if day.Before(earliestDay) || day.After(latestDay) {
		return time.Time{}, fmt.Errorf("%q is outside the range Concur accepts, 1900-01-01 to 2079-06-06", value)
	}
	return day, nil
}

// CheckDate checks a YYYY-MM-DD date within Concur's range.
func CheckDate(value string) error {
	_, err := ParseDate(value)
	return err
}

// ReimbursementTypes are the values Concur accepts for a spend user's reimbursementType.
var ReimbursementTypes = []string{"ACCOUNTS_PAYABLE", "ADP_PAYROLL", "CONCUR_PAY", "OTHER"}

// TravelGenders are the values Concur accepts for a travel user's gender.
var TravelGenders = []string{"Female", "Male"}

// CheckCurrencyCode checks an ISO 4217 alphabetic currency code such as USD, as the spend
// reimbursementCurrency takes it. Whether the company reimburses in it only Concur knows.
func CheckCurrencyCode(value string) error {
	if _, err := currency.ParseISO(value); err != nil || !upperLetters3.MatchString(value) {
		return fmt.Errorf("%q is not an ISO 4217 currency code such as \"USD\" or \"EUR\" (three upper-case letters)", value)
	}
	return nil
}

// CheckCountryCode checks an ISO 3166-1 alpha-2 country code such as US, as the spend country,
// budgetCountryCode and officeLocationCountry take it.
func CheckCountryCode(value string) error {
	region, err := language.ParseRegion(value)
	if err != nil || !upperLetters2.MatchString(value) || !region.IsCountry() {
		return fmt.Errorf("%q is not an ISO 3166-1 alpha-2 country code such as \"US\" or \"DE\" (two upper-case letters)", value)
	}
	return nil
}

// CheckSubdivisionCode checks the subdivision part of an ISO 3166-2 code, such as WA of US-WA, as
// the spend stateProvince and officeLocationStateProvince take it (Concur allows two characters).
func CheckSubdivisionCode(value string) error {
	if !subdivision.MatchString(value) {
		return fmt.Errorf("%q is not a two-character ISO 3166-2 subdivision code such as \"WA\" (without the country prefix)", value)
	}
	return nil
}

// CheckSpendLocale checks a spend locale: a language and a region such as en-US (the Spend docs
// say five characters, yet their own example is es-419, so a UN M.49 region is accepted too).
// Whether the company has the locale configured only Concur knows.
func CheckSpendLocale(value string) error {
	if _, err := language.Parse(value); err != nil || !spendLocale.MatchString(value) {
		return fmt.Errorf("%q is not a locale such as \"en-US\" or \"es-419\" (language lower-case, region upper-case, joined by a hyphen)", value)
	}
	return nil
}

// CheckOneOf checks that value is one of allowed, exactly as Concur spells it.
func CheckOneOf(value string, allowed []string) error {
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	for _, a := range allowed {
		if strings.EqualFold(value, a) {
			return fmt.Errorf("%q must be written %q", value, a)
		}
	}
	return fmt.Errorf("%q is not one of %s", value, strings.Join(allowed, ", "))
}

// CheckBoolean checks a yes/no value held as text: "true" or "false".
func CheckBoolean(value string) error {
	if value != "true" && value != "false" {
		return fmt.Errorf("%q is neither \"true\" nor \"false\"", value)
	}
	return nil
}

// CheckSpendRoleName checks the form of a spend role code such as EXP_APPROVER; which codes exist
// is listed on Concur's Spend Role Codes page.
func CheckSpendRoleName(value string) error {
	if !roleCode.MatchString(value) {
		return fmt.Errorf("%q is not a spend role code such as \"EXP_APPROVER\" (upper-case letters, digits and underscores)", value)
	}
	return nil
}

// CheckSpendRoleList checks spend role codes written as one text: comma-separated without
// spaces, each once, in alphabetical order (the order FormatSpendRoles reads them back in, so a
// value read from Concur equals the one written).
func CheckSpendRoleList(value string) error {
	names := strings.Split(value, ",")
	for _, name := range names {
		if err := CheckSpendRoleName(name); err != nil {
			return err
		}
		if entitlementRoles[name] {
			return fmt.Errorf("%s follows the user's entitlement to its product, which Concur changes it with; leave it out", name)
		}
	}
	if sorted := slices.Compact(slices.Sorted(slices.Values(names))); !slices.Equal(sorted, names) {
		return fmt.Errorf("%q must list each role once, in alphabetical order: %q", value, strings.Join(sorted, ","))
	}
	return nil
}

// CheckRuleClassID checks a travel rule class id, a whole number.
func CheckRuleClassID(value string) error {
	if !digits.MatchString(value) {
		return fmt.Errorf("%q is not a travel rule class id, a whole number such as 624905", value)
	}
	return nil
}
