package sandbox

import (
	"strings"
	"time"
)

// UserRecord is the sandbox's stored form of an Identity user. It is deliberately the
// sandbox's own type (the client package has its own); the API JSON is produced by
// render and read by decodeUser. An empty string means "unset" and renders as null.
//
// Stored records are never mutated: every change stores a fresh copy, so a handler can
// keep rendering a record after the store lock is released.
type UserRecord struct {
	ID                string
	ExternalID        string
	UserName          string
	Active            bool
	Name              NameRecord
	NickName          string
	Title             string
	DateOfBirth       string // YYYY-MM-DD
	PreferredLanguage string
	Timezone          string
	Emails            []EmailRecord
	PhoneNumbers      []map[string]any // passed through after light validation
	Addresses         []map[string]any
	EmergencyContacts []map[string]any
	Entitlements      []string
	Enterprise        EnterpriseRecord
	SAPUserUUID       string
	Created           time.Time
	LastModified      time.Time
	Version           int

	seq uint64 // creation order; the paging cursor is built from it
}

// NameRecord is the SCIM name complex attribute (formatted is derived, not stored).
type NameRecord struct {
	GivenName, FamilyName, MiddleName, MiddleInitial                  string
	HonorificPrefix, HonorificSuffix, FamilyNamePrefix, AcademicTitle string
}

// EmailRecord is one emails[] entry; Value is stored lower-case as Concur does.
type EmailRecord struct {
	Value, Type             string
	Notifications, Verified bool
}

// EnterpriseRecord is the enterprise extension. Dates are stored as YYYY-MM-DD.
type EnterpriseRecord struct {
	CompanyID, EmployeeNumber        string
	CostCenter, Department, Division string
	StartDate, TerminationDate       string
	ManagerID                        string
	LeavesOfAbsence                  []map[string]any
}

// displayName is server-derived: the nickname (Concur's "preferred name") replaces the
// given name when set.
func (u *UserRecord) displayName() string {
	first := u.Name.GivenName
	if u.NickName != "" {
		first = u.NickName
	}
	return strings.TrimSpace(first + " " + u.Name.FamilyName)
}

// formattedName mirrors the documented example "Roe, Jane " (family, given, middle),
// trailing space included when there is no middle name.
func (u *UserRecord) formattedName() string {
	return u.Name.FamilyName + ", " + u.Name.GivenName + " " + u.Name.MiddleName
}

// clone returns a copy that can be changed without touching the stored record.
func (u *UserRecord) clone() *UserRecord {
	c := *u
	c.Emails = append([]EmailRecord(nil), u.Emails...)
	c.PhoneNumbers = copyObjects(u.PhoneNumbers)
	c.Addresses = copyObjects(u.Addresses)
	c.EmergencyContacts = copyObjects(u.EmergencyContacts)
	c.Entitlements = append([]string(nil), u.Entitlements...)
	c.Enterprise.LeavesOfAbsence = copyObjects(u.Enterprise.LeavesOfAbsence)
	return &c
}

func copyObjects(in []map[string]any) []map[string]any {
	if in == nil {
		return nil
	}
	out := make([]map[string]any, len(in))
	for i, m := range in {
		out[i], _ = deepCopy(m).(map[string]any)
	}
	return out
}

// deepCopy copies decoded JSON so that patching a rendered document never reaches
// into a stored record.
func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[k] = deepCopy(x)
		}
		return m
	case []any:
		s := make([]any, len(t))
		for i, x := range t {
			s[i] = deepCopy(x)
		}
		return s
	case []map[string]any:
		s := make([]any, len(t))
		for i, x := range t {
			s[i] = deepCopy(x)
		}
		return s
	default:
		return v
	}
}

// nullable renders "" as JSON null, as Concur does for unset scalars.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func objectsOrEmpty(in []map[string]any) []any {
	out := make([]any, 0, len(in))
	for _, m := range in {
		out = append(out, deepCopy(m))
	}
	return out
}

// apiDate renders a stored YYYY-MM-DD the way the documented responses do.
func apiDate(d string) any {
	if d == "" {
		return nil
	}
	return d + "T00:00:00.000"
}

func apiTimestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// managerInfo is what a rendered manager reference needs from the manager's record.
type managerInfo struct{ EmployeeNumber, DisplayName string }

// render produces the full API representation of a user. lookupManager resolves the
// manager's read-only employeeNumber and displayName (nil when the manager is gone).
func (u *UserRecord) render(baseURL string, lookupManager func(id string) *managerInfo) map[string]any {
	emails := make([]any, 0, len(u.Emails))
	for _, e := range u.Emails {
		emails = append(emails, map[string]any{
			"value": e.Value, "type": nullable(e.Type),
			"notifications": e.Notifications, "verified": e.Verified,
		})
	}
	var manager any
	if u.Enterprise.ManagerID != "" {
		m := map[string]any{"value": u.Enterprise.ManagerID, "employeeNumber": nil, "displayName": nil}
		if info := lookupManager(u.Enterprise.ManagerID); info != nil {
			m["employeeNumber"] = nullable(info.EmployeeNumber)
			m["displayName"] = nullable(info.DisplayName)
		}
		manager = m
	}
	var leaves any
	if u.Enterprise.LeavesOfAbsence != nil {
		leaves = objectsOrEmpty(u.Enterprise.LeavesOfAbsence)
	}
	var emergency any
	if u.EmergencyContacts != nil {
		emergency = objectsOrEmpty(u.EmergencyContacts)
	}
	doc := map[string]any{
		"schemas":           []any{schemaUser, schemaEnterprise, schemaSAP},
		"id":                u.ID,
		"externalId":        nullable(u.ExternalID),
		"userName":          u.UserName,
		"active":            u.Active,
		"displayName":       nullable(u.displayName()),
		"nickName":          nullable(u.NickName),
		"title":             nullable(u.Title),
		"dateOfBirth":       nullable(u.DateOfBirth),
		"preferredLanguage": nullable(u.PreferredLanguage),
		"timezone":          nullable(u.Timezone),
		"name": map[string]any{
			"familyName":       u.Name.FamilyName,
			"givenName":        u.Name.GivenName,
			"middleName":       nullable(u.Name.MiddleName),
			"middleInitial":    nullable(u.Name.MiddleInitial),
			"formatted":        u.formattedName(),
			"honorificPrefix":  nullable(u.Name.HonorificPrefix),
			"honorificSuffix":  nullable(u.Name.HonorificSuffix),
			"familyNamePrefix": nullable(u.Name.FamilyNamePrefix),
			"academicTitle":    nullable(u.Name.AcademicTitle),
		},
		"emails":            emails,
		"phoneNumbers":      objectsOrEmpty(u.PhoneNumbers),
		"addresses":         objectsOrEmpty(u.Addresses),
		"emergencyContacts": emergency,
		"localeOverrides":   defaultLocaleOverrides(),
		"meta": map[string]any{
			"resourceType": "User",
			"created":      apiTimestamp(u.Created),
			"lastModified": apiTimestamp(u.LastModified),
			"version":      u.Version,
			"location":     baseURL + "/profile/identity/v4/Users/" + u.ID,
		},
		schemaEnterprise: map[string]any{
			"companyId":       u.Enterprise.CompanyID,
			"employeeNumber":  nullable(u.Enterprise.EmployeeNumber),
			"costCenter":      nullable(u.Enterprise.CostCenter),
			"department":      nullable(u.Enterprise.Department),
			"division":        nullable(u.Enterprise.Division),
			"startDate":       apiDate(u.Enterprise.StartDate),
			"terminationDate": apiDate(u.Enterprise.TerminationDate),
			"manager":         manager,
			"organization":    sandboxOrganization,
			"leavesOfAbsence": leaves,
		},
	}
	// entitlements are request-only: returned when asked for with `attributes`
	// (the caller adds them then); the SAP object only when set.
	if u.SAPUserUUID != "" {
		doc[schemaSAP] = map[string]any{"userUuid": u.SAPUserUUID}
	}
	return doc
}

func (u *UserRecord) entitlementsJSON() []any {
	out := make([]any, 0, len(u.Entitlements))
	for _, e := range u.Entitlements {
		out = append(out, e)
	}
	return out
}

const sandboxOrganization = "Concur Sandbox Company"

// defaultLocaleOverrides is the read-only localeOverrides object of the documented
// example; the sandbox does not model per-user locale preferences.
func defaultLocaleOverrides() map[string]any {
	return map[string]any{
		"preferenceEndDayViewHour":         20,
		"preferenceFirstDayOfWeek":         "Sunday",
		"preferenceDateFormat":             "mm/dd/yyyy",
		"preferenceCurrencySymbolLocation": "BeforeAmount",
		"preferenceHourMinuteSeparator":    ":",
		"preferenceDistance":               "mile",
		"preferenceDefaultCalView":         "month",
		"preference24Hour":                 "H:mm AM/PM",
		"preferenceNumberFormat":           "1,000.00",
		"preferenceStartDayViewHour":       8,
		"preferenceNegativeCurrencyFormat": nil,
		"preferenceNegativeNumberFormat":   nil,
	}
}
