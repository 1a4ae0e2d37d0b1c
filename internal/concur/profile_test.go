package concur

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// The Spend v4.1 GET example of the docs, trimmed to what the client reads.
const documentedSpendUser = `{
  "schemas": ["urn:ietf:params:scim:schemas:ScimResource", "urn:ietf:params:scim:schemas:extension:spend:2.0:User"],
  "id": "94bf66c2-272c-4760-91f5-4d5290a033a8",
  "meta": {"resourceType": "User", "created": null, "version": null},
  "urn:ietf:params:scim:schemas:extension:spend:2.0:User": {
    "reimbursementCurrency": "USD", "reimbursementType": null, "ledgerCode": "DEFAULT", "country": "US",
    "budgetCountryCode": null, "stateProvince": null, "locale": "en-US", "cashAdvanceAccountCode": "",
    "testEmployee": false, "nonEmployee": true, "biManager": null,
    "officeLocationCity": "Redmond",
    "customData": [{"id": "orgUnit4", "value": "R&D"}, {"id": "custom5", "value": ""}, {"id": "custom22", "value": "x"}]
  },
  "urn:ietf:params:scim:schemas:extension:spend:2.0:Approver": {
    "report": [{"approver": {"value": "7a18"}, "primary": true}, {"approver": {"value": "8b29"}, "primary": false}],
    "budget": [{"approver": {"value": "7a18", "employeeNumber": "E7"}, "primary": true}]
  },
  "urn:ietf:params:scim:schemas:extension:spend:2.0:Delegate": {},
  "urn:ietf:params:scim:schemas:extension:spend:2.0:Role": {
    "roles": [{"roleName": "EXP_USER"}, {"roleName": "EXP_REIMBURSEMENT_APPROVER", "roleGroups": [""]}, {"roleName": "SHD_BUDGET_APPROVER", "roleGroups": ["R&D-QA-Exp"]}]
  }
}`

func TestSpendProfileFromDocumentedResponse(t *testing.T) {
	var r spendResource
	if err := json.Unmarshal([]byte(documentedSpendUser), &r); err != nil {
		t.Fatal(err)
	}
	want := SpendProfile{ReimbursementCurrency: "USD", LedgerCode: "DEFAULT", Country: "US", Locale: "en-US",
		TestEmployee: "false", NonEmployee: "true", OfficeLocationCity: "Redmond",
		Approvers: SpendApprovers{Report: Approver{ID: "7a18"}, Budget: Approver{ID: "7a18", EmployeeNumber: "E7"}},
		Roles:     []SpendRole{{Name: "EXP_USER"}, {Name: "EXP_REIMBURSEMENT_APPROVER", Groups: []string{}}, {Name: "SHD_BUDGET_APPROVER", Groups: []string{"R&D-QA-Exp"}}}}
	want.OrgUnit[3], want.Custom[21] = "R&D", "x"
	got := r.spendProfile()
	if r.ID != "94bf66c2-272c-4760-91f5-4d5290a033a8" || !reflect.DeepEqual(got, want) {
		t.Errorf("spend profile:\n got %+v\nwant %+v", got, want)
	}
}

func TestTravelProfileFromDocumentedResponse(t *testing.T) {
	body := `{"id": "2d2f", "urn:ietf:params:scim:schemas:extension:travel:2.0:User": {
	  "ruleClass": {"name": "Test Rule Class", "id": 624905}, "travelCrsName": "Testing Name", "travelNameRemark": "Testing",
	  "gender": "Male", "orgUnit": "OrgUnit1", "customFields": [{"name": "Canary ID", "value": "1"}],
	  "manager": {"value": "824C", "employeeNumber": "E4"}, "groups": [143519481]}}`
	var r profileExtensions
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	want := TravelProfile{RuleClass: "Test Rule Class", RuleClassID: "624905", CrsName: "Testing Name", NameRemark: "Testing",
		Gender: "Male", OrgUnit: "OrgUnit1", Manager: Approver{ID: "824C", EmployeeNumber: "E4"}}
	if got := r.travelProfile(); got != want {
		t.Errorf("travel profile:\n got %+v\nwant %+v", got, want)
	}
}

// fullProfileUser sets every Spend and Travel field to a distinct value.
func fullProfileUser() User {
	u := newUser("E1")
	s := &u.Spend
	for i, a := range spendAttributes {
		*a.field(s) = strings.Repeat("v", i+1)
	}
	s.TestEmployee, s.NonEmployee = "true", "false"
	for i, c := range customDataFields {
		*c.field(s) = c.id + "-value" + strings.Repeat("!", i)
	}
	for i, k := range approverKinds {
		*k.field(&s.Approvers) = Approver{EmployeeNumber: "A" + k.name, ID: strings.Repeat("i", i+1)}
	}
	s.Roles = []SpendRole{{Name: "EXP_APPROVER", Groups: []string{"R&D-QA-Exp"}}, {Name: "REQ_APPROVER", Groups: []string{}}}
	u.Travel = TravelProfile{RuleClass: "Default", NameRemark: "r", CrsName: "c", OrgUnit: "o", Gender: "Female", Manager: Approver{EmployeeNumber: "M1"}}
	return u
}

// Every profile field reaches the create body and reads back from it.
func TestCreateBodyCarriesEveryProfileField(t *testing.T) {
	u := fullProfileUser()
	data, err := json.Marshal(upsUser{scimUserForCreate(u), u.extensions()})
	if err != nil {
		t.Fatal(err)
	}
	var back upsUser
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if got := back.spendProfile(); !reflect.DeepEqual(got, u.Spend) {
		t.Errorf("the create body %s reads back as\n%+v\nwant\n%+v", data, got, u.Spend)
	}
	if got := back.travelProfile(); got != u.Travel {
		t.Errorf("travel reads back as %+v, want %+v", got, u.Travel)
	}
	if back.user().EmployeeNumber != "E1" {
		t.Errorf("the identity is missing from %s", data)
	}
	if got := createdSchemas(u); !reflect.DeepEqual(got, []string{schemaCoreUser, schemaEnterpriseUser, SchemaSpendUser, SchemaSpendApprover, SchemaSpendRole, SchemaTravelUser}) {
		t.Errorf("created schemas %v", got)
	}
}

func opPaths(ops []patchOp) []string {
	var paths []string
	for _, op := range ops {
		paths = append(paths, op.Op+" "+op.Path)
	}
	return paths
}

// Setting every profile field from nothing and clearing it again touches every field once, with
// the documented paths.
func TestProfilePatchSetsAndClearsEveryField(t *testing.T) {
	full := fullProfileUser()
	set, schemas := profilePatchOps(User{}, full)
	if !reflect.DeepEqual(schemas, []string{SchemaSpendUser, SchemaSpendApprover, SchemaSpendRole, SchemaTravelUser}) {
		t.Errorf("schemas %v", schemas)
	}
	paths := opPaths(set)
	for _, want := range []string{
		"replace " + SchemaSpendUser + ":reimbursementCurrency",
		"replace " + SchemaSpendUser + ":testEmployee",
		"add ", // customData, in an object keyed by the schema
		"replace " + SchemaSpendApprover + ":report",
		"replace " + SchemaSpendApprover + ":budget",
		"add " + SchemaSpendRole + ":roles",
		"replace " + SchemaTravelUser + ":ruleClass",
		"replace " + SchemaTravelUser + ":manager",
	} {
		if !slices.Contains(paths, want) {
			t.Errorf("setting everything sends %v, without %q", paths, want)
		}
	}
	if want := len(spendAttributes) + len(spendFlags) + 1 + len(approverKinds) + 1 + 1 + len(travelAttributes) + 1; len(set) != want {
		t.Errorf("%d operations, want %d: %v", len(set), want, paths)
	}
	body, _ := json.Marshal(set)
	for _, c := range customDataFields {
		if !strings.Contains(string(body), `"id":"`+c.id+`"`) {
			t.Errorf("customData %s is not sent: %s", c.id, body)
		}
	}
	if again, _ := profilePatchOps(full, full); len(again) != 0 {
		t.Errorf("an unchanged profile sends %v", opPaths(again))
	}

	cleared := opPaths(mustOps(profilePatchOps(full, newUser("E1"))))
	for _, want := range []string{
		"remove " + SchemaSpendUser + ":ledgerCode",
		"remove " + SchemaSpendUser + `:customData[id eq "custom7"]`,
		"remove " + SchemaSpendApprover + `:report[approver.value eq "i"]`,
		"remove " + SchemaSpendRole + `:roles[roleName eq "EXP_APPROVER"]`,
		"remove " + SchemaTravelUser + ":ruleClass",
		"remove " + SchemaTravelUser + ":manager",
	} {
		if !slices.Contains(cleared, want) {
			t.Errorf("clearing everything sends %v, without %q", cleared, want)
		}
	}
}

func mustOps(ops []patchOp, _ []string) []patchOp { return ops }

// A customData value that exists is replaced by its id: adding it again would list the id twice,
// which Concur refuses.
func TestProfilePatchReplacesAnExistingCustomDataValue(t *testing.T) {
	from, to := newUser("E1"), newUser("E1")
	from.Spend.Custom[0], to.Spend.Custom[0] = "Blue", "Red"
	to.Spend.Custom[1] = "New"
	ops := mustOps(profilePatchOps(from, to))
	paths := opPaths(ops)
	if !slices.Contains(paths, "replace "+SchemaSpendUser+`:customData[id eq "custom1"].value`) || !slices.Contains(paths, "add ") || len(ops) != 2 {
		t.Errorf("changing custom1 and adding custom2 sends %v", paths)
	}
	body, _ := json.Marshal(ops)
	if strings.Contains(string(body), `"id":"custom1"`) {
		t.Errorf("custom1 is added again: %s", body)
	}
}

func TestProfilePatchComparesReferencesAndRoleSets(t *testing.T) {
	held := newUser("E1")
	held.Spend.Approvers.Report = Approver{ID: "u-7", EmployeeNumber: "E7"}
	held.Spend.Roles = []SpendRole{{Name: "EXP_USER"}, {Name: "EXP_APPROVER", Groups: []string{"b", "a"}}, {Name: "REQ_APPROVER"}}
	held.Travel = TravelProfile{RuleClass: "Default", RuleClassID: "42"}

	same := newUser("E1")
	same.Spend.Approvers.Report = Approver{EmployeeNumber: "E7"}                                               // desired by employee number only
	same.Spend.Roles = []SpendRole{{Name: "REQ_APPROVER"}, {Name: "EXP_APPROVER", Groups: []string{"a", "b"}}} // EXP_USER follows entitlements
	same.Travel = TravelProfile{RuleClass: "Default"}
	if ops, _ := profilePatchOps(held, same); len(ops) != 0 {
		t.Errorf("the same approver, roles and rule class send %v", opPaths(ops))
	}

	changed := same
	changed.Spend.Roles = []SpendRole{{Name: "EXP_APPROVER", Groups: []string{"a"}}}
	got := opPaths(mustOps(profilePatchOps(held, changed)))
	want := []string{
		"remove " + SchemaSpendRole + `:roles[roleName eq "EXP_APPROVER"]`,
		"remove " + SchemaSpendRole + `:roles[roleName eq "REQ_APPROVER"]`,
		"add " + SchemaSpendRole + ":roles",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("changing roles sends %v, want %v", got, want)
	}
}
