package concur

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestUserFromDocumentedResponse(t *testing.T) {
	body := `{
	  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
	  "id": "6f1d", "externalId": null, "userName": "jane.roe@example.com", "active": true,
	  "displayName": "Jane Roe", "nickName": null, "title": "Analyst", "preferredLanguage": "en-US", "timezone": "America/New_York",
	  "name": {"familyName": "Roe", "givenName": "Jane", "middleName": null},
	  "emails": [{"value": "home@example.com", "type": "home"}, {"value": "jane.roe@example.com", "type": "work"}],
	  "phoneNumbers": null,
	  "meta": {"version": 3},
	  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
	    "companyId": "aa07", "employeeNumber": "000123", "costCenter": "CC-100", "department": null,
	    "startDate": "2025-01-15T00:00:00.000", "terminationDate": null,
	    "manager": {"value": "0b7e", "employeeNumber": "000001", "displayName": "John Doe"}
	  }
	}`
	var s scimUser
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		t.Fatal(err)
	}
	want := User{ID: "6f1d", UserName: "jane.roe@example.com", Active: true, DisplayName: "Jane Roe", Title: "Analyst",
		PreferredLanguage: "en-US", Timezone: "America/New_York", GivenName: "Jane", FamilyName: "Roe",
		Email: "jane.roe@example.com", Version: 3, CompanyID: "aa07", EmployeeNumber: "000123", CostCenter: "CC-100",
		StartDate: "2025-01-15", ManagerID: "0b7e", ManagerEmployeeNumber: "000001"}
	if got := s.user(); !reflect.DeepEqual(got, want) {
		t.Errorf("user():\n got %+v\nwant %+v", got, want)
	}
}

func TestUserToleratesNullsAndStringVersion(t *testing.T) {
	var s scimUser
	body := `{"id":"x","name":null,"emails":null,"meta":{"version":"7"},"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":null}`
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		t.Fatal(err)
	}
	if got := s.user(); !reflect.DeepEqual(got, User{ID: "x", Version: 7}) {
		t.Errorf("got %+v", got)
	}
}

func TestNormalizeDate(t *testing.T) {
	for _, in := range []string{"2025-01-15", "2025-01-15T00:00:00.000", "2025-01-15T00:00:00Z", "2025-01-15T00:00:00.000Z"} {
		if got := normalizeDate(in); got != "2025-01-15" {
			t.Errorf("normalizeDate(%q) = %q", in, got)
		}
	}
	if got := normalizeDate(""); got != "" {
		t.Errorf("normalizeDate(\"\") = %q", got)
	}
}

func TestCreateBodyCarriesOnlySetFields(t *testing.T) {
	got, err := json.Marshal(scimUserForCreate(User{
		UserName: "a@example.com", Active: true, GivenName: "A", FamilyName: "B", Email: "a@example.com",
		CompanyID: "c1", EmployeeNumber: "e1", StartDate: "2025-01-15", ManagerID: "m1", DisplayName: "ignored", ID: "ignored",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],` +
		`"userName":"a@example.com","active":true,"name":{"givenName":"A","familyName":"B"},"emails":[{"value":"a@example.com","type":"work"}],` +
		`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"companyId":"c1","employeeNumber":"e1","startDate":"2025-01-15T00:00:00Z","manager":{"value":"m1"}}}`
	if string(got) != want {
		t.Errorf("create body:\n got %s\nwant %s", got, want)
	}
}

func TestScimStringEscapesFilterLiterals(t *testing.T) {
	for in, want := range map[string]string{
		`plain`:       `"plain"`,
		`say "hi"`:    `"say \"hi\""`,
		`back\slash`:  `"back\\slash"`,
		"tab\there":   `"tab\there"`,
		`<a&b>`:       `"<a&b>"`,
		`or "x" eq "`: `"or \"x\" eq \""`,
	} {
		if got := scimString(in); got != want {
			t.Errorf("scimString(%q) = %s, want %s", in, got, want)
		}
	}
}
