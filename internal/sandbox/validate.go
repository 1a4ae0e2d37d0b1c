package sandbox

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // timezone names are validated even on machines without zoneinfo
	"unicode/utf8"
)

// Server defaults Concur applies when a value is absent.
const (
	defaultPreferredLanguage = "en-US"
	defaultTimezone          = "America/New_York"
)

// fieldLimit is one documented maximum length (from the Identity OpenAPI User schema).
type fieldLimit struct {
	path string
	max  int
	get  func(*UserRecord) string
}

var fieldLimits = []fieldLimit{
	{"userName", 128, func(u *UserRecord) string { return u.UserName }}, // v1 LoginId limit (inferred)
	{"name.givenName", 32, func(u *UserRecord) string { return u.Name.GivenName }},
	{"name.familyName", 32, func(u *UserRecord) string { return u.Name.FamilyName }},
	{"name.middleName", 60, func(u *UserRecord) string { return u.Name.MiddleName }},
	{"name.middleInitial", 1, func(u *UserRecord) string { return u.Name.MiddleInitial }},
	{"name.honorificPrefix", 60, func(u *UserRecord) string { return u.Name.HonorificPrefix }},
	{"name.honorificSuffix", 60, func(u *UserRecord) string { return u.Name.HonorificSuffix }},
	{"name.familyNamePrefix", 28, func(u *UserRecord) string { return u.Name.FamilyNamePrefix }},
	{"displayName", 60, (*UserRecord).displayName},
	{"nickName", 60, func(u *UserRecord) string { return u.NickName }},
	{"title", 255, func(u *UserRecord) string { return u.Title }},
	{schemaEnterprise + ":employeeNumber", 48, func(u *UserRecord) string { return u.Enterprise.EmployeeNumber }},
	{schemaEnterprise + ":costCenter", 25, func(u *UserRecord) string { return u.Enterprise.CostCenter }},
	{schemaEnterprise + ":department", 48, func(u *UserRecord) string { return u.Enterprise.Department }}, // not documented; org-unit size (inferred)
	{schemaEnterprise + ":division", 48, func(u *UserRecord) string { return u.Enterprise.Division }},
	{schemaSAP + ":userUuid", 36, func(u *UserRecord) string { return u.SAPUserUUID }},
}

// userNameForbidden are the characters the Identity docs forbid in a login name.
const userNameForbidden = `%[#!*&()~'{^}\/?><,;:"+=]|`

var (
	userNameShape = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)
	emailShape    = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	languageShape = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z]{2,4})?$`)
	countryShape  = regexp.MustCompile(`^[A-Z]{2}$`)
)

var (
	emailTypes        = []string{"work", "home", "work2", "other", "other2"}
	phoneTypes        = []string{"work", "home", "mobile", "fax", "pager", "other", "work2"}
	addressTypes      = []string{"work", "home", "other", "billing", "bank", "shipping"}
	entitlementValues = []string{"Expense", "Invoice", "Request", "Travel", "Locate", "Analytics", "Unified Analytics"}
	relationships     = []string{"Spouse", "Brother", "Parent", "Sister", "Life Partner", "Other"}
	leaveTypes        = []string{"voluntary", "mandatory"}
	academicTitles    = []string{"Dr.", "Doctor", "Prof.", "Professor", "Prof. Dr.", "Professor Doctor", "B.A.", "Bachelor of Arts", "MBA", "Master of Business Administration", "Ph.D", "Doctor of Philosophy"}
)

// applyDefaults fills the values Concur sets when a request leaves them out.
func applyDefaults(u *UserRecord) {
	if u.PreferredLanguage == "" {
		u.PreferredLanguage = defaultPreferredLanguage
	}
	if u.Timezone == "" {
		u.Timezone = defaultTimezone
	}
}

// validateUser checks the documented rules that need only the record itself.
// Rules that need the rest of the company (uniqueness, manager, companyId) live in the store.
func validateUser(u *UserRecord) []scimMessage {
	var msgs []scimMessage
	bad := func(path, format string, args ...any) {
		msgs = append(msgs, invalidValue(path, fmt.Sprintf(format, args...)))
	}

	switch {
	case u.UserName == "":
		msgs = append(msgs, requiredValue("userName"))
	case strings.ContainsAny(u.UserName, userNameForbidden):
		bad("userName", "Invalid 'userName': must not contain any of %s", userNameForbidden)
	case !userNameShape.MatchString(u.UserName):
		bad("userName", "Invalid 'userName': must have the form user@domain")
	}
	if u.Name.GivenName == "" {
		msgs = append(msgs, requiredValue("name.givenName"))
	}
	if u.Name.FamilyName == "" {
		msgs = append(msgs, requiredValue("name.familyName"))
	}
	for _, l := range fieldLimits {
		if utf8.RuneCountInString(l.get(u)) > l.max {
			bad(l.path, "Invalid '%s' Size: maximum %d characters", l.path, l.max)
		}
	}
	if t := u.Name.AcademicTitle; t != "" && !slices.Contains(academicTitles, t) {
		bad("name.academicTitle", "Invalid 'name.academicTitle' value %q", t)
	}
	if !languageShape.MatchString(u.PreferredLanguage) {
		bad("preferredLanguage", "Invalid 'preferredLanguage' %q: expected a language tag such as en-US", u.PreferredLanguage)
	}
	if !knownTimezone(u.Timezone) {
		bad("timezone", "Invalid 'timezone' %q: expected an Olson time zone name", u.Timezone)
	}

	msgs = append(msgs, validateEmails(u.Emails)...)
	msgs = append(msgs, validatePhoneNumbers(u.PhoneNumbers)...)
	msgs = append(msgs, validateAddresses(u.Addresses)...)
	msgs = append(msgs, validateEmergencyContacts(u.EmergencyContacts)...)
	msgs = append(msgs, validateLeaves(u.Enterprise.LeavesOfAbsence)...)
	for _, e := range u.Entitlements {
		if !slices.Contains(entitlementValues, e) {
			bad("entitlements", "Invalid 'entitlements' value %q", e)
		}
	}
	if s, t := u.Enterprise.StartDate, u.Enterprise.TerminationDate; s != "" && t != "" && t < s {
		bad(schemaEnterprise+":terminationDate", "'terminationDate' must not be before 'startDate'")
	}
	return msgs
}

// knownZones caches time zone lookups: LoadLocation parses tzdata on every call, which
// dominated loading large seed files.
var knownZones sync.Map

func knownTimezone(name string) bool {
	if ok, cached := knownZones.Load(name); cached {
		b, _ := ok.(bool)
		return b
	}
	_, err := time.LoadLocation(name)
	ok := err == nil && name != "Local" && name != ""
	knownZones.Store(name, ok)
	return ok
}

func validateEmails(emails []EmailRecord) []scimMessage {
	var msgs []scimMessage
	if len(emails) == 0 {
		return []scimMessage{requiredValue("emails")}
	}
	seen := map[string]bool{}
	for _, e := range emails {
		switch {
		case e.Value == "":
			msgs = append(msgs, requiredValue("emails.value"))
		case utf8.RuneCountInString(e.Value) > 255:
			msgs = append(msgs, invalidValue("emails.value", "Invalid 'emails.value' Size: maximum 255 characters"))
		case !emailShape.MatchString(e.Value):
			msgs = append(msgs, invalidValue("emails.value", fmt.Sprintf("Invalid 'emails.value' %q: not an e-mail address", e.Value)))
		}
		if e.Type != "" && !slices.Contains(emailTypes, e.Type) {
			msgs = append(msgs, invalidValue("emails.type", fmt.Sprintf("Invalid 'emails.type' %q", e.Type)))
		}
		if seen[e.Type] {
			msgs = append(msgs, invalidValue("emails.type", fmt.Sprintf("Only one e-mail of type %q is allowed", e.Type)))
		}
		seen[e.Type] = true
	}
	return msgs
}

func validatePhoneNumbers(phones []map[string]any) []scimMessage {
	var msgs []scimMessage
	seen := map[string]bool{}
	for _, p := range phones {
		if s, _ := p["value"].(string); s == "" {
			msgs = append(msgs, requiredValue("phoneNumbers.value"))
		}
		t, _ := p["type"].(string)
		if !slices.Contains(phoneTypes, t) {
			msgs = append(msgs, invalidValue("phoneNumbers.type", fmt.Sprintf("Invalid 'phoneNumbers.type' %q", t)))
		}
		if seen[t] && t != "mobile" {
			msgs = append(msgs, invalidValue("phoneNumbers.type", fmt.Sprintf("Only one phone number of type %q is allowed", t)))
		}
		seen[t] = true
	}
	return msgs
}

func validateAddresses(addresses []map[string]any) []scimMessage {
	var msgs []scimMessage
	seen := map[string]bool{}
	limits := map[string]int{"locality": 30, "region": 30, "postalCode": 20}
	for _, a := range addresses {
		t, _ := a["type"].(string)
		if !slices.Contains(addressTypes, t) {
			msgs = append(msgs, invalidValue("addresses.type", fmt.Sprintf("Invalid 'addresses.type' %q", t)))
		}
		if seen[t] {
			msgs = append(msgs, invalidValue("addresses.type", fmt.Sprintf("Only one address of type %q is allowed", t)))
		}
		seen[t] = true
		for field, limit := range limits {
			if s, _ := a[field].(string); utf8.RuneCountInString(s) > limit {
				msgs = append(msgs, invalidValue("addresses."+field, fmt.Sprintf("Invalid 'addresses.%s' Size: maximum %d characters", field, limit)))
			}
		}
		if c, ok := a["country"].(string); ok && c != "" && !countryShape.MatchString(c) {
			msgs = append(msgs, invalidValue("addresses.country", fmt.Sprintf("Invalid 'addresses.country' %q: expected ISO 3166-1 alpha-2", c)))
		}
	}
	return msgs
}

func validateEmergencyContacts(contacts []map[string]any) []scimMessage {
	var msgs []scimMessage
	if len(contacts) > 1 {
		msgs = append(msgs, invalidValue("emergencyContacts", "At most one emergency contact is allowed"))
	}
	for _, c := range contacts {
		if s, _ := c["name"].(string); s == "" {
			msgs = append(msgs, requiredValue("emergencyContacts.name"))
		}
		if r, _ := c["relationship"].(string); !slices.Contains(relationships, r) {
			msgs = append(msgs, invalidValue("emergencyContacts.relationship", fmt.Sprintf("Invalid 'emergencyContacts.relationship' %q", r)))
		}
	}
	return msgs
}

func validateLeaves(leaves []map[string]any) []scimMessage {
	var msgs []scimMessage
	path := schemaEnterprise + ":leavesOfAbsence"
	if len(leaves) > 100 {
		msgs = append(msgs, invalidValue(path, "At most 100 leaves of absence are allowed"))
	}
	for _, l := range leaves {
		start, _ := l["startDate"].(string)
		end, _ := l["endDate"].(string)
		if _, err := time.Parse("2006-01-02", start); err != nil {
			msgs = append(msgs, invalidValue(path+".startDate", "'leavesOfAbsence.startDate' is required as YYYY-MM-DD"))
		}
		if end != "" {
			if _, err := time.Parse("2006-01-02", end); err != nil || end < start {
				msgs = append(msgs, invalidValue(path+".endDate", "'leavesOfAbsence.endDate' must be a YYYY-MM-DD date after startDate"))
			}
		}
		if t, _ := l["type"].(string); t != "" && !slices.Contains(leaveTypes, t) {
			msgs = append(msgs, invalidValue(path+".type", fmt.Sprintf("Invalid 'leavesOfAbsence.type' %q", t)))
		}
	}
	return msgs
}
