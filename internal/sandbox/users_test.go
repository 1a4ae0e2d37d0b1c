package sandbox

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestCreateGetReplaceDelete(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	doc := with(userDoc("000123"),
		"userName", "Jane.Roe@Example.com",
		"emails", []any{map[string]any{"value": "Jane.Roe@EXAMPLE.com", "type": "work"}},
		"name.givenName", "Jane", "name.familyName", "Roe",
		entURN+":startDate", "2025-01-15",
		entURN+":terminationDate", "2025-03-31T00:00:00Z",
	)
	created := c.create(doc)
	id := created["id"].(string)
	checks := map[string]any{
		"userName":            "Jane.Roe@Example.com",
		"active":              true,
		"displayName":         "Jane Roe",
		"name.formatted":      "Roe, Jane ",
		"preferredLanguage":   "en-US",
		"timezone":            "America/New_York",
		"title":               nil,
		"nickName":            nil,
		"meta.version":        float64(0),
		"meta.resourceType":   "User",
		"ent.companyId":       DefaultCredentials.CompanyID,
		"ent.startDate":       "2025-01-15T00:00:00.000",
		"ent.terminationDate": "2025-03-31T00:00:00.000",
		"ent.costCenter":      nil,
		"ent.manager":         nil,
		"meta.location":       c.base + "/profile/identity/v4/Users/" + id,
	}
	for path, want := range checks {
		if got := get(created, path); got != want {
			t.Errorf("%s = %#v, want %#v", path, got, want)
		}
	}
	if email := get(created, "emails").([]any)[0].(map[string]any)["value"]; email != "jane.roe@example.com" {
		t.Errorf("e-mail stored as %v, want lower-case", email)
	}

	got := c.do(http.MethodGet, usersV41+"/"+id, nil)
	expectStatus(t, got, 200)
	if got.body["userName"] != "Jane.Roe@Example.com" {
		t.Errorf("GET returned %s", got.raw)
	}
	expectStatus(t, c.do(http.MethodGet, usersV4+"/"+id, nil), 200)

	// PUT is a full replace: what the body leaves out is reset, version moves.
	replaced := c.do(http.MethodPut, usersV41+"/"+id, with(userDoc("000123"), "title", "Analyst", "nickName", "Jo"))
	expectStatus(t, replaced, 200)
	for path, want := range map[string]any{
		"title": "Analyst", "displayName": "Jo Family", "ent.startDate": nil, "meta.version": float64(1),
		"userName": "user000123@example.com",
	} {
		if got := get(replaced.body, path); got != want {
			t.Errorf("after PUT %s = %#v, want %#v", path, got, want)
		}
	}
	// The same PUT again changes nothing, so the version stays.
	same := c.do(http.MethodPut, usersV41+"/"+id, with(userDoc("000123"), "title", "Analyst", "nickName", "Jo"))
	if get(same.body, "meta.version") != float64(1) {
		t.Errorf("no-op PUT moved the version: %v", get(same.body, "meta.version"))
	}

	expectStatus(t, c.do(http.MethodDelete, usersV41+"/"+id, nil), 204)
	notFound := c.do(http.MethodGet, usersV41+"/"+id, nil)
	expectStatus(t, notFound, 404)
	if notFound.body["status"] != "404" {
		t.Errorf("404 body %s", notFound.raw)
	}
	expectStatus(t, c.do(http.MethodDelete, usersV41+"/"+id, nil), 404)
	expectStatus(t, c.do(http.MethodPut, usersV41+"/"+id, userDoc("000123")), 404)
	expectStatus(t, c.do(http.MethodPatch, usersV41+"/"+id, patchBody(op("replace", "title", "x"))), 404)
	if c.srv.UserCount() != 0 {
		t.Errorf("UserCount %d after delete", c.srv.UserCount())
	}
}

func TestCreateValidation(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name     string
		doc      map[string]any
		wantPath string // schemaPath of a message, or "" for none expected
		scimType string
	}{
		{"missing userName", with(userDoc("1"), "userName", nil), "userName", "invalidValue"},
		{"userName without domain", with(userDoc("1"), "userName", "jane"), "userName", "invalidValue"},
		{"userName with forbidden char", with(userDoc("1"), "userName", "ja+ne@example.com"), "userName", "invalidValue"},
		{"userName with pipe", with(userDoc("1"), "userName", "ja|ne@example.com"), "userName", "invalidValue"},
		{"userName with comma", with(userDoc("1"), "userName", "ja,ne@example.com"), "userName", "invalidValue"},
		{"missing givenName", with(userDoc("1"), "name.givenName", nil), "name.givenName", "invalidValue"},
		{"missing familyName", with(userDoc("1"), "name.familyName", nil), "name.familyName", "invalidValue"},
		{"givenName too long", with(userDoc("1"), "name.givenName", long(33)), "name.givenName", "invalidValue"},
		{"familyName too long", with(userDoc("1"), "name.familyName", long(33)), "name.familyName", "invalidValue"},
		{"middleName too long", with(userDoc("1"), "name.middleName", long(61)), "name.middleName", "invalidValue"},
		{"nickName too long", with(userDoc("1"), "nickName", long(61)), "nickName", "invalidValue"},
		{"title too long", with(userDoc("1"), "title", long(256)), "title", "invalidValue"},
		{"email too long", with(userDoc("1"), "emails", []any{map[string]any{"type": "work", "value": long(250) + "@example.com"}}), "emails.value", "invalidValue"},
		{"no emails", with(userDoc("1"), "emails", []any{}), "emails", "invalidValue"},
		{"email without value", with(userDoc("1"), "emails", []any{map[string]any{"type": "work"}}), "emails.value", "invalidValue"},
		{"two work emails", with(userDoc("1"), "emails", []any{map[string]any{"type": "work", "value": "a@example.com"}, map[string]any{"type": "work", "value": "b@example.com"}}), "emails.type", "invalidValue"},
		{"bad email type", with(userDoc("1"), "emails", []any{map[string]any{"type": "office", "value": "a@example.com"}}), "emails.type", "invalidValue"},
		{"employeeNumber too long", with(userDoc("1"), entURN+":employeeNumber", long(49)), entURN + ":employeeNumber", "invalidValue"},
		{"costCenter too long", with(userDoc("1"), entURN+":costCenter", long(26)), entURN + ":costCenter", "invalidValue"},
		{"division too long", with(userDoc("1"), entURN+":division", long(49)), entURN + ":division", "invalidValue"},
		{"displayName too long (derived)", with(userDoc("1"), "nickName", long(30), "name.familyName", long(30)), "displayName", "invalidValue"},
		{"bad startDate", with(userDoc("1"), entURN+":startDate", "15/01/2025"), entURN + ":startDate", "invalidValue"},
		{"startDate out of range", with(userDoc("1"), entURN+":startDate", "1899-12-31"), entURN + ":startDate", "invalidValue"},
		{"termination before start", with(userDoc("1"), entURN+":startDate", "2025-02-01", entURN+":terminationDate", "2025-01-01"), entURN + ":terminationDate", "invalidValue"},
		{"bad timezone", with(userDoc("1"), "timezone", "Mars/Olympus"), "timezone", "invalidValue"},
		{"bad language", with(userDoc("1"), "preferredLanguage", "English"), "preferredLanguage", "invalidValue"},
		{"active not boolean", with(userDoc("1"), "active", 3), "active", "invalidValue"},
		{"title not a string", with(userDoc("1"), "title", 3), "title", "invalidValue"},
		{"missing companyId", with(userDoc("1"), entURN+":companyId", nil), entURN + ":companyId", "invalidValue"},
		{"other company", with(userDoc("1"), entURN+":companyId", "11111111-2222-4333-8444-555555555555"), entURN + ":companyId", "invalidValue"},
		{"unknown manager", with(userDoc("1"), entURN+":manager", map[string]any{"value": "11111111-2222-4333-8444-555555555555"}), entURN + ":manager.value", "invalidValue"},
		{"manager without value", with(userDoc("1"), entURN+":manager", map[string]any{"employeeNumber": "7"}), entURN + ":manager.value", "invalidValue"},
		{"bad entitlement", with(userDoc("1"), "entitlements", []any{"Gaming"}), "entitlements", "invalidValue"},
		{"two home phones", with(userDoc("1"), "phoneNumbers", []any{map[string]any{"type": "home", "value": "1"}, map[string]any{"type": "home", "value": "2"}}), "phoneNumbers.type", "invalidValue"},
		{"bad address country", with(userDoc("1"), "addresses", []any{map[string]any{"type": "work", "country": "USA"}}), "addresses.country", "invalidValue"},
		{"missing schemas", with(userDoc("1"), "schemas", nil), "schemas", "invalidSyntax"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := c.do(http.MethodPost, usersV41, tt.doc)
			expectStatus(t, resp, 400)
			if resp.body["scimType"] != tt.scimType || resp.body["status"] != "400" {
				t.Errorf("body %s", resp.raw)
			}
			if schemas, _ := resp.body["schemas"].([]any); !slices.Contains(schemas, any(schemaError)) {
				t.Errorf("schemas %v", resp.body["schemas"])
			}
			if paths := scimMessages(resp.body); !slices.Contains(paths, tt.wantPath) {
				t.Errorf("messages %v, want one for %s", paths, tt.wantPath)
			}
		})
	}
	expectStatus(t, c.do(http.MethodPost, usersV41, "{not json"), 400)
	if n := c.srv.UserCount(); n != 0 {
		t.Fatalf("invalid creates stored %d users", n)
	}
}

func TestCreateAcceptsEdgeValues(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	long := func(n int) string { return strings.Repeat("y", n) }
	doc := with(userDoc("1"),
		"active", nil, // absent active defaults to true
		"name.givenName", long(32), "name.familyName", long(27), "name.middleName", long(60),
		"title", long(255), entURN+":costCenter", long(25), entURN+":employeeNumber", long(48),
		entURN+":startDate", "2079-06-06T00:00:00.000", "preferredLanguage", "fr-CA", "timezone", "Europe/Paris",
	)
	u := c.create(doc)
	if u["active"] != true || u["preferredLanguage"] != "fr-CA" || get(u, "ent.startDate") != "2079-06-06T00:00:00.000" {
		t.Errorf("created %v", u)
	}
}

func TestUniqueness(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	c.create(with(userDoc("100"), "externalId", "hr-100"))
	tests := []struct {
		name   string
		doc    map[string]any
		detail string
	}{
		{"employeeNumber", with(userDoc("100"), "userName", "other@example.com"), "Principal with lookup type 'companyId,employeeNumber' with provided value already exists"},
		{"userName ignoring case", with(userDoc("101"), "userName", "USER100@example.com"), "Principal with lookup type 'userName' with provided value already exists"},
		{"externalId", with(userDoc("102"), "externalId", "hr-100"), "Principal with lookup type 'companyId,externalId' with provided value already exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := c.do(http.MethodPost, usersV41, tt.doc)
			expectStatus(t, resp, 409)
			if resp.body["scimType"] != "uniqueness" || resp.body["detail"] != tt.detail || resp.body["status"] != "409" {
				t.Errorf("body %s", resp.raw)
			}
		})
	}
	// Updates are held to the same rules; changing one's own values is fine.
	other := c.create(userDoc("200"))
	resp := c.do(http.MethodPut, usersV41+"/"+other["id"].(string), with(userDoc("100"), "userName", "user200@example.com"))
	expectStatus(t, resp, 409)
	resp = c.do(http.MethodPatch, usersV41+"/"+other["id"].(string), patchBody(op("replace", "userName", "User100@Example.com")))
	expectStatus(t, resp, 409)
	expectStatus(t, c.do(http.MethodPut, usersV41+"/"+other["id"].(string), with(userDoc("200"), "userName", "USER200@example.com")), 200)
	// A deleted user's values are free again.
	c.srv.DeleteUserByEmployeeNumber("100")
	c.create(with(userDoc("100"), "externalId", "hr-100"))
}

func TestCompanyIDIsImmutable(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	id := c.create(userDoc("1"))["id"].(string)
	other := "11111111-2222-4333-8444-555555555555"
	for name, resp := range map[string]apiResponse{
		"put":          c.do(http.MethodPut, usersV41+"/"+id, with(userDoc("1"), entURN+":companyId", other)),
		"patch":        c.do(http.MethodPatch, usersV41+"/"+id, patchBody(op("replace", entURN+":companyId", other))),
		"patch remove": c.do(http.MethodPatch, usersV41+"/"+id, patchBody(op("remove", entURN+":companyId", nil))),
	} {
		expectStatus(t, resp, 400)
		if resp.body["scimType"] != "mutability" {
			t.Errorf("%s: %s", name, resp.raw)
		}
	}
	// Leaving companyId out of a PUT keeps it.
	resp := c.do(http.MethodPut, usersV41+"/"+id, with(userDoc("1"), entURN+":companyId", nil))
	expectStatus(t, resp, 200)
	if get(resp.body, "ent.companyId") != DefaultCredentials.CompanyID {
		t.Errorf("companyId %v", get(resp.body, "ent.companyId"))
	}
}

func TestManagerReference(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	boss := c.create(with(userDoc("1"), "name.givenName", "Ada", "name.familyName", "Boss", "nickName", "Addie"))
	bossID := boss["id"].(string)
	u := c.create(with(userDoc("2"), entURN+":manager", map[string]any{"value": bossID}))
	want := map[string]any{"value": bossID, "employeeNumber": "1", "displayName": "Addie Boss"}
	for k, v := range want {
		if got := get(u, "ent.manager."+k); got != v {
			t.Errorf("manager.%s = %v, want %v", k, got, v)
		}
	}
	// The manager's changes show through; a self-reference is refused.
	c.do(http.MethodPatch, usersV41+"/"+bossID, patchBody(op("remove", "nickName", nil)))
	got := c.do(http.MethodGet, usersV41+"/"+u["id"].(string), nil)
	if get(got.body, "ent.manager.displayName") != "Ada Boss" {
		t.Errorf("manager displayName %v", get(got.body, "ent.manager.displayName"))
	}
	self := c.do(http.MethodPatch, usersV41+"/"+bossID, patchBody(op("add", entURN+":manager", map[string]any{"value": bossID})))
	expectStatus(t, self, 400)

	// Deleting the manager leaves a dangling reference that does not block updates.
	expectStatus(t, c.do(http.MethodDelete, usersV41+"/"+bossID, nil), 204)
	after := c.do(http.MethodPatch, usersV41+"/"+u["id"].(string), patchBody(op("replace", "title", "Orphan")))
	expectStatus(t, after, 200)
	if get(after.body, "ent.manager.value") != bossID || get(after.body, "ent.manager.displayName") != nil {
		t.Errorf("dangling manager %v", get(after.body, "ent.manager"))
	}
}

func TestProjectionOnGet(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	id := c.create(with(userDoc("1"), "entitlements", []any{"Expense"}))["id"].(string)
	full := c.do(http.MethodGet, usersV41+"/"+id, nil).body
	if _, ok := full["entitlements"]; ok {
		t.Error("entitlements are request-only and must not be returned by default")
	}
	some := c.do(http.MethodGet, usersV41+"/"+id+"?attributes=userName,entitlements,"+entURN+":employeeNumber", nil).body
	if len(some) != 4 || some["id"] != id || get(some, "ent.employeeNumber") != "1" || some["entitlements"].([]any)[0] != "Expense" {
		t.Errorf("attributes projection %v", some)
	}
	less := c.do(http.MethodGet, usersV41+"/"+id+"?excludedAttributes=meta,name.givenName,id", nil).body
	if _, ok := less["meta"]; ok || less["id"] != id || get(less, "name.givenName") != nil || get(less, "name.familyName") != "Family" {
		t.Errorf("excludedAttributes projection %v", less)
	}
}
