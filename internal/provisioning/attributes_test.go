package provisioning

import (
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
)

// Every row of the catalogue must be complete and reach a field of its own on concur.User: a row
// without a rule would panic at plan time, and two rows sharing a field would overwrite each other.
func TestAttributeCatalogueRowsAreComplete(t *testing.T) {
	t.Parallel()
	owner := map[*string]string{}
	var u concur.User
	for _, a := range Attributes {
		if a.Name == "" || a.Description == "" || a.Rule.What == "" || a.Rule.Check == nil || (a.Field == nil) == (a.Read == nil || a.Write == nil) {
			t.Errorf("attribute %q: the row lacks a name, description, rule, or a field or else accessors: %+v", a.Name, a)
			continue
		}
		if a.Field != nil {
			field := a.Field(&u)
			if other, taken := owner[field]; taken {
				t.Errorf("%s and %s write the same field of concur.User", other, a.Name)
			}
			owner[field] = a.Name
		}

		SetUserAttribute(&u, a.Name, "value of "+a.Name)
		if got := UserAttribute(&u, a.Name); got != "value of "+a.Name {
			t.Errorf("%s reads back %q", a.Name, got)
		}
	}
	if len(ConcurAttributes()) != len(Attributes) {
		t.Errorf("ConcurAttributes lists %d names for %d rows: two rows share a name", len(ConcurAttributes()), len(Attributes))
	}
}

func TestRequiredAttributesAreTheOnesConcurNeedsToCreateAUser(t *testing.T) {
	t.Parallel()
	want := []string{AttrEmpID, AttrLoginID, AttrEmail, AttrFirstName, AttrLastName}
	if !slices.Equal(RequiredAttributes, want) {
		t.Errorf("RequiredAttributes = %v, want %v", RequiredAttributes, want)
	}
}

func TestLoginIDAndEmailAreComparedIgnoringCase(t *testing.T) {
	t.Parallel()
	for _, name := range []string{AttrLoginID, AttrEmail} {
		if !sameValue(name, "Jane.Roe@Example.com", "jane.roe@example.com") {
			t.Errorf("%s values differing only in case count as different", name)
		}
	}
	if sameValue(AttrFirstName, "Jane", "jane") {
		t.Error("first_name values differing in case count as the same")
	}
}

// A text field added to concur.User needs its catalogue row, or no mapping or concur_user could
// set it. The ones left out are Concur's own (id, display name), immutable (company) or the
// manager's Concur id, which the executor resolves from manager_emp_id.
func TestEveryWritableUserFieldHasACatalogueRow(t *testing.T) {
	t.Parallel()
	notSetByMappings := map[string]bool{"ID": true, "DisplayName": true, "CompanyID": true, "ManagerID": true}
	var u concur.User
	inCatalogue := map[*string]bool{}
	for _, a := range Attributes {
		if a.Field != nil {
			inCatalogue[a.Field(&u)] = true
		}
	}
	fields := reflect.ValueOf(&u).Elem()
	for i := range fields.NumField() {
		name := fields.Type().Field(i).Name
		if fields.Field(i).Kind() != reflect.String || notSetByMappings[name] {
			continue
		}
		if field, ok := fields.Field(i).Addr().Interface().(*string); !ok || !inCatalogue[field] {
			t.Errorf("concur.User.%s has no row in the attribute catalogue", name)
		}
	}
}

// A description that states a length limit must state the one the rule checks.
func TestDescribedLengthLimitsAreTheCheckedOnes(t *testing.T) {
	t.Parallel()
	limit := regexp.MustCompile(`at most \d+ characters`)
	for _, a := range Attributes {
		if described := limit.FindString(a.Description); described != "" && limit.FindString(a.Rule.What) != described {
			t.Errorf("%s is described as %q but its rule checks %q", a.Name, described, a.Rule.What)
		}
	}
}

// A text field of the Spend or Travel profile needs its catalogue row too. RuleClassID is left
// out on purpose: the rule class is mapped by name, and one read back carries both.
func TestEveryProfileFieldHasACatalogueRow(t *testing.T) {
	t.Parallel()
	var u concur.User
	inCatalogue := map[*string]bool{}
	for _, a := range Attributes {
		if a.Field != nil {
			inCatalogue[a.Field(&u)] = true
		}
	}
	check := func(profile reflect.Value, skip map[string]bool) {
		for i := range profile.NumField() {
			name, field := profile.Type().Field(i).Name, profile.Field(i)
			switch {
			case skip[name]:
			case field.Kind() == reflect.String:
				if !inCatalogue[field.Addr().Interface().(*string)] {
					t.Errorf("%s.%s has no row in the attribute catalogue", profile.Type().Name(), name)
				}
			case field.Kind() == reflect.Array:
				for j := range field.Len() {
					if !inCatalogue[field.Index(j).Addr().Interface().(*string)] {
						t.Errorf("%s.%s[%d] has no row in the attribute catalogue", profile.Type().Name(), name, j)
					}
				}
			}
		}
	}
	check(reflect.ValueOf(&u.Spend).Elem(), nil)
	check(reflect.ValueOf(&u.Travel).Elem(), map[string]bool{"RuleClassID": true})
	var approvers []string
	for _, a := range Attributes {
		if a.ApproverRole != "" {
			approvers = append(approvers, a.Name)
		}
	}
	if kinds := reflect.TypeOf(concur.SpendApprovers{}).NumField(); len(approvers) != kinds {
		t.Errorf("the catalogue has %d spend approvers (%v), concur.SpendApprovers %d kinds", len(approvers), approvers, kinds)
	}
}

// Each profile attribute checks Concur's rule at plan time.
func TestProfileAttributesCheckConcursRules(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, good, bad string }{
		{"reimbursement_currency", "EUR", "EURO"},
		{"reimbursement_currency", "USD", "usd"},
		{"country", "DE", "XX"},
		{"budget_country_code", "US", "USA"},
		{"state_province", "WA", "US-WA"},
		{"locale", "en-US", "en_US"},
		{"ledger_code", "DEFAULT", strings.Repeat("x", 21)},
		{"reimbursement_type", "CONCUR_PAY", "cash"},
		{AttrTestEmployee, "false", "N"},
		{"custom22", "Blue", strings.Repeat("x", 49)},
		{"org_unit6", "EMEA", strings.Repeat("x", 49)},
		{AttrSpendRoles, "EXP_APPROVER,REQ_APPROVER", "REQ_APPROVER,EXP_APPROVER"},
		{AttrSpendRoles, "EXP_APPROVER", "EXP_APPROVER, REQ_APPROVER"},
		{"budget_approver_emp_id", "E100", " E100"},
		{"travel_gender", "Female", "F"},
	} {
		a, ok := AttributeNamed(c.name)
		if !ok {
			t.Errorf("no attribute %s", c.name)
			continue
		}
		if err := a.Rule.Check(c.good); err != nil {
			t.Errorf("%s refuses %q: %v", c.name, c.good, err)
		}
		if err := a.Rule.Check(c.bad); err == nil {
			t.Errorf("%s accepts %q, which Concur refuses", c.name, c.bad)
		}
	}
}
