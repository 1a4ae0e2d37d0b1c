package sandbox

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// TravelRuleClasses are the sandbox company's Concur Travel rule classes (id -> name). The travel
// extension's ruleClass must name one of them, by id or by exact name, as it must name one that
// Travel maintains on Concur.
var TravelRuleClasses = map[int]string{
	100001: "Default Travel Class",
	100002: "Executive Travel Class",
}

// travelRecord is the travel User extension.
type travelRecord struct {
	RuleClassID                             int
	Name                                    travelName
	TravelNameRemark, TravelCrsName, Gender string
	OrgUnit, XMLProfileSyncID, ManagerID    string
	Groups                                  []int
	CustomFields                            []travelCustomField
	nameGiven                               bool // the request sent a name object
}

type travelName struct {
	NamePrefix, GivenName, MiddleName, FamilyName, HonorificSuffix string
	HasNoMiddleName                                                bool
}

type travelCustomField struct{ Name, Value string }

var (
	travelAttrs   = []string{"ruleClass", "name", "travelNameRemark", "travelCrsName", "gender", "orgUnit", "groups", "manager", "customFields", "xmlProfileSyncId"}
	travelGenders = []string{"Female", "Male"}
)

// decodeTravel reads and checks a travel User object. The manager comes back as a reference,
// resolved against the company by the caller.
func decodeTravel(obj map[string]any) (*travelRecord, *approverRef, []scimMessage) {
	r := &docReader{}
	p := schemaTravelUser + ":"
	t := &travelRecord{
		TravelNameRemark: r.str(obj, "travelNameRemark", p+"travelNameRemark"),
		TravelCrsName:    r.str(obj, "travelCrsName", p+"travelCrsName"),
		Gender:           r.str(obj, "gender", p+"gender"),
		OrgUnit:          r.str(obj, "orgUnit", p+"orgUnit"),
		XMLProfileSyncID: r.str(obj, "xmlProfileSyncId", p+"xmlProfileSyncId"),
	}
	if rc := r.object(obj, "ruleClass", p+"ruleClass"); rc == nil {
		r.msgs = append(r.msgs, requiredValue(p+"ruleClass"))
	} else {
		id, hasID := jsonInt(rc["id"])
		name := r.str(rc, "name", p+"ruleClass.name")
		if rc["id"] != nil && !hasID {
			r.fail(p+"ruleClass.id", "'%sruleClass.id' must be an integer", p)
		}
		t.RuleClassID = ruleClassID(id, hasID, name)
		if t.RuleClassID == 0 {
			r.fail(p+"ruleClass", "Unknown rule class (id %v, name %q): the sandbox company's rule classes are %s",
				rc["id"], name, describeRuleClasses())
		}
	}
	if name := r.object(obj, "name", p+"name"); name != nil {
		t.nameGiven = true
		t.Name = travelName{
			NamePrefix:      r.str(name, "namePrefix", p+"name.namePrefix"),
			GivenName:       r.str(name, "givenName", p+"name.givenName"),
			MiddleName:      r.str(name, "middleName", p+"name.middleName"),
			FamilyName:      r.str(name, "familyName", p+"name.familyName"),
			HonorificSuffix: r.str(name, "honorificSuffix", p+"name.honorificSuffix"),
			HasNoMiddleName: r.boolean(name, "hasNoMiddleName", p+"name.hasNoMiddleName", false),
		}
		if t.Name.HasNoMiddleName && t.Name.MiddleName != "" {
			r.fail(p+"name.middleName", "'%sname.middleName' must be empty when hasNoMiddleName is true", p)
		}
	}
	if t.Gender != "" && !slices.Contains(travelGenders, t.Gender) {
		r.fail(p+"gender", "Invalid '%sgender' %q: use Female or Male", p, t.Gender)
	}
	switch groups := obj["groups"].(type) {
	case nil:
	case []any:
		for _, g := range groups {
			id, ok := jsonInt(g)
			if !ok || id <= 0 {
				r.fail(p+"groups", "'%sgroups' must list positive integer group ids", p)
				break
			}
			t.Groups = append(t.Groups, id)
		}
	default:
		r.fail(p+"groups", "'%sgroups' must be an array of group ids", p)
	}
	seen := map[string]bool{}
	for _, f := range r.objects(obj, "customFields", p+"customFields") {
		field := travelCustomField{Name: r.str(f, "name", p+"customFields.name"), Value: r.str(f, "value", p+"customFields.value")}
		switch {
		case field.Name == "":
			r.msgs = append(r.msgs, requiredValue(p+"customFields.name"))
		case seen[strings.ToLower(field.Name)]:
			r.fail(p+"customFields.name", "Custom field %q is listed twice", field.Name)
		}
		seen[strings.ToLower(field.Name)] = true
		t.CustomFields = append(t.CustomFields, field)
	}
	var manager *approverRef
	if m := r.object(obj, "manager", p+"manager"); m != nil {
		manager = &approverRef{
			value:          r.str(m, "value", p+"manager.value"),
			employeeNumber: r.str(m, "employeeNumber", p+"manager.employeeNumber"),
			path:           p + "manager",
		}
		if manager.value == "" && manager.employeeNumber == "" {
			r.msgs = append(r.msgs, requiredValue(p+"manager.value"))
			manager = nil
		}
	}
	return t, manager, append(r.msgs, unknownAttributes(schemaTravelUser, obj, travelAttrs)...)
}

// jsonInt reads a JSON number that is a whole number.
func jsonInt(v any) (int, bool) {
	f, ok := v.(float64)
	if !ok || f != float64(int(f)) {
		return 0, false
	}
	return int(f), true
}

// ruleClassID finds a rule class by id or exact name; when both are given they must agree.
func ruleClassID(id int, hasID bool, name string) int {
	if hasID {
		if known, ok := TravelRuleClasses[id]; ok && (name == "" || name == known) {
			return id
		}
		return 0
	}
	for id, known := range TravelRuleClasses {
		if name != "" && name == known {
			return id
		}
	}
	return 0
}

func describeRuleClasses() string {
	var parts []string
	for _, id := range slices.Sorted(maps.Keys(TravelRuleClasses)) {
		parts = append(parts, fmt.Sprintf("%d %q", id, TravelRuleClasses[id]))
	}
	return strings.Join(parts, ", ")
}

// render is the travel extension as GET /profile/travel/v4/Users/{id} shows it; the manager's
// employeeNumber is looked up.
func (t *travelRecord) render(lookup func(id string) *managerInfo) map[string]any {
	var name any
	if t.nameGiven {
		name = map[string]any{
			"namePrefix": nullable(t.Name.NamePrefix), "givenName": nullable(t.Name.GivenName),
			"middleName": nullable(t.Name.MiddleName), "familyName": nullable(t.Name.FamilyName),
			"honorificSuffix": nullable(t.Name.HonorificSuffix), "hasNoMiddleName": t.Name.HasNoMiddleName,
		}
	}
	var manager any
	if t.ManagerID != "" {
		m := map[string]any{"value": t.ManagerID, "employeeNumber": nil}
		if info := lookup(t.ManagerID); info != nil {
			m["employeeNumber"] = nullable(info.EmployeeNumber)
		}
		manager = m
	}
	groups := make([]any, 0, len(t.Groups))
	for _, g := range t.Groups {
		groups = append(groups, g)
	}
	fields := make([]any, 0, len(t.CustomFields))
	for _, f := range t.CustomFields {
		fields = append(fields, map[string]any{"name": f.Name, "value": f.Value})
	}
	doc := map[string]any{
		"ruleClass":        map[string]any{"id": t.RuleClassID, "name": TravelRuleClasses[t.RuleClassID]},
		"travelCrsName":    nullable(t.TravelCrsName),
		"name":             name,
		"travelNameRemark": nullable(t.TravelNameRemark),
		"gender":           nullable(t.Gender),
		"orgUnit":          nullable(t.OrgUnit),
		"customFields":     fields,
		"manager":          manager,
		"groups":           groups,
	}
	if t.XMLProfileSyncID != "" {
		doc["xmlProfileSyncId"] = t.XMLProfileSyncID
	}
	return doc
}

// handleTravelGet is GET /profile/travel/v4/Users/{id}: the travel extension of a user whose
// travel profile UPS provisioned.
func (s *Server) handleTravelGet(w http.ResponseWriter, r *http.Request) {
	if !grantFrom(r.Context()).has(scopeTravelRead) {
		writeErr(w, insufficientScope(r, scopeTravelRead, ""))
		return
	}
	id := pathID(r)
	p, ok := s.ups.profile(id)
	if _, exists := s.users.get(id); !exists || !ok || p.travel == nil {
		writeErr(w, newSCIMError(http.StatusNotFound, "", fmt.Sprintf("No travel user %s: provision the travel extension through /profile/v4/Users first", id)))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, schemaTravelUser: p.travel.render(s.users.managerInfo)})
}
