package provisioning

import (
	"testing"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
)

// Every row of the catalogue must be complete and reach a field of its own on concur.User: a row
// without a rule would panic at plan time, and two rows sharing a field would overwrite each other.
func TestAttributeCatalogueRowsAreComplete(t *testing.T) {
	owner := map[*string]string{}
	var u concur.User
	for _, a := range Attributes {
		if a.Name == "" || a.Description == "" || a.Rule.What == "" || a.Rule.Check == nil || a.Field == nil {
			t.Errorf("attribute %q: the row lacks a name, description, rule or field: %+v", a.Name, a)
			continue
		}
		field := a.Field(&u)
		if other, taken := owner[field]; taken {
			t.Errorf("%s and %s write the same field of concur.User", other, a.Name)
		}
		owner[field] = a.Name

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
	want := []string{AttrEmpID, AttrLoginID, AttrEmail, AttrFirstName, AttrLastName}
	if len(RequiredAttributes) != len(want) {
		t.Fatalf("RequiredAttributes = %v, want %v", RequiredAttributes, want)
	}
	for i := range want {
		if RequiredAttributes[i] != want[i] {
			t.Fatalf("RequiredAttributes = %v, want %v", RequiredAttributes, want)
		}
	}
}

func TestLoginIDAndEmailAreComparedIgnoringCase(t *testing.T) {
	for _, name := range []string{AttrLoginID, AttrEmail} {
		if !sameValue(name, "Jane.Roe@Example.com", "jane.roe@example.com") {
			t.Errorf("%s values differing only in case count as different", name)
		}
	}
	if sameValue(AttrFirstName, "Jane", "jane") {
		t.Error("first_name values differing in case count as the same")
	}
}
