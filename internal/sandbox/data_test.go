package sandbox

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

const seedJSON = `[
 {"id": "11111111-1111-4111-8111-111111111111", "userName": "emp@example.com", "name": {"givenName": "Emma", "familyName": "Emp"},
  "emails": [{"type": "work", "value": "Emp@Example.com"}],
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "E1", "manager": {"employeeNumber": "M1"}}},
 {"userName": "mgr@example.com", "active": false, "name": {"givenName": "Max", "familyName": "Mgr"},
  "emails": [{"type": "work", "value": "mgr@example.com"}],
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "M1", "department": "Ops"}}
]`

func TestLoadUsersJSON(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	if err := c.srv.LoadUsersJSON(strings.NewReader(seedJSON)); err != nil {
		t.Fatal(err)
	}
	if c.srv.UserCount() != 2 {
		t.Fatalf("UserCount %d", c.srv.UserCount())
	}
	emp, ok := c.srv.UserByEmployeeNumber("E1")
	if !ok {
		t.Fatal("E1 missing")
	}
	for path, want := range map[string]any{
		"id": "11111111-1111-4111-8111-111111111111", "ent.manager.employeeNumber": "M1",
		"ent.manager.displayName": "Max Mgr", "ent.companyId": DefaultCredentials.CompanyID,
		"meta.version": 0, "active": true,
	} {
		if got := get(emp, path); got != want {
			t.Errorf("%s = %#v, want %#v", path, got, want)
		}
	}
	var listed []any
	for _, u := range c.srv.Users() {
		listed = append(listed, get(u, "ent.employeeNumber"), get(u, "ent.manager.displayName"))
	}
	if want := []any{"E1", "Max Mgr", "M1", nil}; !reflect.DeepEqual(listed, want) {
		t.Errorf("Users() in creation order: %v, want %v", listed, want)
	}
	// Seeded users are served by the API like any other.
	got := c.do(http.MethodGet, usersV41+"/11111111-1111-4111-8111-111111111111", nil)
	expectStatus(t, got, 200)
	if get(got.body, "emails").([]any)[0].(map[string]any)["value"] != "emp@example.com" {
		t.Errorf("seeded e-mail %s", got.raw)
	}

	for name, bad := range map[string]string{
		"not json":        `{`,
		"invalid user":    `[{"userName": "x"}]`,
		"duplicate":       `[{"userName": "emp@example.com", "name": {"givenName": "A", "familyName": "B"}, "emails": [{"type": "work", "value": "a@example.com"}]}]`,
		"unknown manager": `[{"userName": "n@example.com", "name": {"givenName": "A", "familyName": "B"}, "emails": [{"type": "work", "value": "a@example.com"}], "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"manager": {"employeeNumber": "nobody"}}}]`,
	} {
		if err := c.srv.LoadUsersJSON(strings.NewReader(bad)); err == nil {
			t.Errorf("%s: expected an error", name)
		}
	}
}

func TestModifyUserOutOfBand(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	if err := c.srv.LoadUsersJSON(strings.NewReader(seedJSON)); err != nil {
		t.Fatal(err)
	}
	err := c.srv.ModifyUser("E1", map[string]any{
		"title":                "Auditor",
		"active":               false,
		"name.givenName":       "Emily",
		"emails.work":          "Emily@Example.com",
		entURN + ":department": "Audit",
		entURN + ":costCenter": "CC-9",
	})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := c.srv.UserByEmployeeNumber("E1")
	for path, want := range map[string]any{
		"title": "Auditor", "active": false, "name.givenName": "Emily", "displayName": "Emily Emp",
		"ent.department": "Audit", "ent.costCenter": "CC-9", "meta.version": 1,
	} {
		if got := get(u, path); got != want {
			t.Errorf("%s = %#v, want %#v", path, got, want)
		}
	}
	if v := get(u, "emails").([]any)[0].(map[string]any)["value"]; v != "emily@example.com" {
		t.Errorf("work e-mail %v", v)
	}
	if err := c.srv.ModifyUser("E1", map[string]any{"title": nil}); err != nil {
		t.Fatal(err)
	}
	u, _ = c.srv.UserByEmployeeNumber("E1")
	if u["title"] != nil || get(u, "meta.version") != 2 {
		t.Errorf("after clearing title: %v, version %v", u["title"], get(u, "meta.version"))
	}
	if err := c.srv.ModifyUser("E1", map[string]any{"name.givenName": nil}); err == nil {
		t.Error("clearing a required attribute must fail")
	}
	if err := c.srv.ModifyUser("nobody", map[string]any{"title": "x"}); err == nil {
		t.Error("unknown employee number must fail")
	}
	if !c.srv.DeleteUserByEmployeeNumber("E1") || c.srv.DeleteUserByEmployeeNumber("E1") {
		t.Error("DeleteUserByEmployeeNumber must delete once")
	}
	if _, ok := c.srv.UserByEmployeeNumber("E1"); ok {
		t.Error("deleted user still found")
	}
}
