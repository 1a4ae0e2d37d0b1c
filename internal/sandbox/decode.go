package sandbox

import (
	"fmt"
	"strings"
	"time"
)

// docReader pulls typed values out of a decoded JSON document and collects a message
// for each value of the wrong type instead of stopping at the first.
type docReader struct{ msgs []scimMessage }

func (r *docReader) fail(path, format string, args ...any) {
	r.msgs = append(r.msgs, invalidValue(path, fmt.Sprintf(format, args...)))
}

func (r *docReader) str(m map[string]any, key, path string) string {
	switch v := m[key].(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(v)
	default:
		r.fail(path, "'%s' must be a string", path)
		return ""
	}
}

func (r *docReader) boolean(m map[string]any, key, path string, absent bool) bool {
	switch v := m[key].(type) {
	case nil:
		return absent
	case bool:
		return v
	case string: // some SCIM clients send "true"/"false"; Concur's schema says boolean
		if strings.EqualFold(v, "true") {
			return true
		}
		if strings.EqualFold(v, "false") {
			return false
		}
	}
	r.fail(path, "'%s' must be a boolean", path)
	return absent
}

func (r *docReader) object(m map[string]any, key, path string) map[string]any {
	switch v := m[key].(type) {
	case nil:
		return nil
	case map[string]any:
		return v
	default:
		r.fail(path, "'%s' must be an object", path)
		return nil
	}
}

// objects reads an array of objects. Empty and absent both give nil: the record has
// one representation of "none", so unchanged updates compare equal.
func (r *docReader) objects(m map[string]any, key, path string) []map[string]any {
	switch v := m[key].(type) {
	case nil:
		return nil
	case []any:
		out := make([]map[string]any, 0, len(v))
		for i, x := range v {
			o, ok := x.(map[string]any)
			if !ok {
				r.fail(path, "'%s[%d]' must be an object", path, i)
				continue
			}
			copied, _ := deepCopy(o).(map[string]any)
			out = append(out, copied)
		}
		if len(out) == 0 {
			return nil
		}
		return out
	default:
		r.fail(path, "'%s' must be an array", path)
		return nil
	}
}

func (r *docReader) strings(m map[string]any, key, path string) []string {
	switch v := m[key].(type) {
	case nil:
		return nil
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				r.fail(path, "'%s' must be an array of strings", path)
				continue
			}
			out = append(out, s)
		}
		if len(out) == 0 {
			return nil
		}
		return out
	default:
		r.fail(path, "'%s' must be an array", path)
		return nil
	}
}

// date reads startDate-style values. Concur documents YYYY-MM-DD'T'hh:mm:ss'Z', returns
// YYYY-MM-DDT00:00:00.000 and its guides show plain YYYY-MM-DD, so all of those (and
// RFC 3339) are accepted; only the day is kept.
func (r *docReader) date(m map[string]any, key, path string) string {
	s := r.str(m, key, path)
	if s == "" {
		return ""
	}
	d, ok := parseAPIDate(s)
	if !ok {
		r.fail(path, "Invalid '%s' format: expected YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ", path)
		return ""
	}
	if d < "1900-01-01" || d > "2079-06-06" {
		r.fail(path, "'%s' must be between 1900-01-01 and 2079-06-06", path)
		return ""
	}
	return d
}

var apiDateLayouts = []string{
	"2006-01-02",
	"2006-01-02T15:04:05Z",
	"2006-01-02T15:04:05.000Z",
	"2006-01-02T15:04:05.000",
	"2006-01-02T15:04:05",
	time.RFC3339Nano,
}

func parseAPIDate(s string) (string, bool) {
	for _, layout := range apiDateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("2006-01-02"), true
		}
	}
	return "", false
}

// decodeUser turns a request document (POST/PUT body, or a patched rendering) into a
// record. Read-only attributes (id, meta, displayName, name.formatted, manager
// employeeNumber/displayName, organization, localeOverrides) are ignored, as Concur does.
// Rules about values (required, lengths, formats) are checked afterwards by validateUser.
func decodeUser(doc map[string]any) (*UserRecord, []scimMessage) {
	r := &docReader{}
	u := &UserRecord{
		ExternalID:        r.str(doc, "externalId", "externalId"),
		UserName:          r.str(doc, "userName", "userName"),
		Active:            r.boolean(doc, "active", "active", true),
		NickName:          r.str(doc, "nickName", "nickName"),
		Title:             r.str(doc, "title", "title"),
		DateOfBirth:       r.date(doc, "dateOfBirth", "dateOfBirth"),
		PreferredLanguage: r.str(doc, "preferredLanguage", "preferredLanguage"),
		Timezone:          r.str(doc, "timezone", "timezone"),
		PhoneNumbers:      r.objects(doc, "phoneNumbers", "phoneNumbers"),
		Addresses:         r.objects(doc, "addresses", "addresses"),
		EmergencyContacts: r.objects(doc, "emergencyContacts", "emergencyContacts"),
		Entitlements:      r.strings(doc, "entitlements", "entitlements"),
	}
	if name := r.object(doc, "name", "name"); name != nil {
		u.Name = NameRecord{
			GivenName:        r.str(name, "givenName", "name.givenName"),
			FamilyName:       r.str(name, "familyName", "name.familyName"),
			MiddleName:       r.str(name, "middleName", "name.middleName"),
			MiddleInitial:    r.str(name, "middleInitial", "name.middleInitial"),
			HonorificPrefix:  r.str(name, "honorificPrefix", "name.honorificPrefix"),
			HonorificSuffix:  r.str(name, "honorificSuffix", "name.honorificSuffix"),
			FamilyNamePrefix: r.str(name, "familyNamePrefix", "name.familyNamePrefix"),
			AcademicTitle:    r.str(name, "academicTitle", "name.academicTitle"),
		}
	}
	for _, e := range r.objects(doc, "emails", "emails") {
		u.Emails = append(u.Emails, EmailRecord{
			Value:         strings.ToLower(r.str(e, "value", "emails.value")),
			Type:          r.str(e, "type", "emails.type"),
			Notifications: r.boolean(e, "notifications", "emails.notifications", false),
			Verified:      r.boolean(e, "verified", "emails.verified", false),
		})
	}
	if ent := r.object(doc, schemaEnterprise, schemaEnterprise); ent != nil {
		p := schemaEnterprise + ":"
		u.Enterprise = EnterpriseRecord{
			CompanyID:       r.str(ent, "companyId", p+"companyId"),
			EmployeeNumber:  r.str(ent, "employeeNumber", p+"employeeNumber"),
			CostCenter:      r.str(ent, "costCenter", p+"costCenter"),
			Department:      r.str(ent, "department", p+"department"),
			Division:        r.str(ent, "division", p+"division"),
			StartDate:       r.date(ent, "startDate", p+"startDate"),
			TerminationDate: r.date(ent, "terminationDate", p+"terminationDate"),
			LeavesOfAbsence: r.objects(ent, "leavesOfAbsence", p+"leavesOfAbsence"),
		}
		if mgr := r.object(ent, "manager", p+"manager"); mgr != nil {
			u.Enterprise.ManagerID = r.str(mgr, "value", p+"manager.value")
			if u.Enterprise.ManagerID == "" && (mgr["employeeNumber"] != nil || mgr["$ref"] != nil) {
				r.msgs = append(r.msgs, requiredValue(p+"manager.value"))
			}
		}
	}
	if sap := r.object(doc, schemaSAP, schemaSAP); sap != nil {
		u.SAPUserUUID = r.str(sap, "userUuid", schemaSAP+":userUuid")
	}
	return u, r.msgs
}
