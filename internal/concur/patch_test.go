package concur

import (
	"encoding/json"
	"testing"
)

func TestPatchOpsSendsOnlyWhatDiffers(t *testing.T) {
	from := User{UserName: "jane@example.com", Active: true, GivenName: "Jane", FamilyName: "Roe", Title: "Analyst",
		Department: "Finance", Email: "jane@example.com", StartDate: "2025-01-15", ManagerID: "m-1"}

	tests := []struct {
		name string
		edit func(*User)
		want string
	}{
		{"nothing", func(*User) {}, `null`},
		{"core attribute", func(u *User) { u.Title = "Lead" }, `[{"op":"replace","path":"title","value":"Lead"}]`},
		{"cleared attribute", func(u *User) { u.Title = "" }, `[{"op":"remove","path":"title"}]`},
		{"added attribute", func(u *User) { u.NickName = "JJ" }, `[{"op":"replace","path":"nickName","value":"JJ"}]`},
		{"name", func(u *User) { u.GivenName = "Janet" }, `[{"op":"replace","path":"name.givenName","value":"Janet"}]`},
		{"email", func(u *User) { u.Email = "janet@example.com" },
			`[{"op":"replace","path":"emails[type eq \"work\"].value","value":"janet@example.com"}]`},
		{"extension attribute", func(u *User) { u.Department = "Sales" },
			`[{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Sales"}]`},
		{"deactivation", func(u *User) { u.Active = false }, `[{"op":"replace","path":"active","value":false}]`},
		{"date sent in the documented format", func(u *User) { u.TerminationDate = "2025-03-31" },
			`[{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:terminationDate","value":"2025-03-31T00:00:00Z"}]`},
		{"same date in another form", func(u *User) { u.StartDate = "2025-01-15T00:00:00.000" }, `null`},
		{"manager", func(u *User) { u.ManagerID = "m-2" },
			`[{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":{"value":"m-2"}}]`},
		{"manager cleared", func(u *User) { u.ManagerID = "" },
			`[{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}]`},
		{"read-only and immutable fields ignored", func(u *User) { u.ID, u.DisplayName, u.Version, u.CompanyID = "x", "X", 9, "c" }, `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			to := from
			tt.edit(&to)
			got, err := json.Marshal(patchOps(from, to))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("patchOps:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// Callers that record a manager by employee number only (the Terraform state does) must get
// no manager operation when it did not change, and a remove when it was cleared.
func TestManagerKnownByEmployeeNumberOnly(t *testing.T) {
	c := &Client{managerIDs: map[string]string{}}
	from := User{ManagerEmployeeNumber: "M1"}

	unchanged := User{ManagerEmployeeNumber: "M1"}
	if err := c.resolveManager(t.Context(), from, &unchanged); err != nil {
		t.Fatal(err)
	}
	if ops := patchOps(from, unchanged); len(ops) != 0 {
		t.Errorf("unchanged manager sent %+v, want nothing", ops)
	}

	cleared := User{}
	if err := c.resolveManager(t.Context(), from, &cleared); err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(patchOps(from, cleared))
	if want := `[{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}]`; string(got) != want {
		t.Errorf("cleared manager sent %s, want %s", got, want)
	}
}
