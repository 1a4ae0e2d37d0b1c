package sandbox

import (
	"net/http"
	"testing"
)

func op(kind, path string, value any) map[string]any {
	m := map[string]any{"op": kind, "value": value}
	if path != "" {
		m["path"] = path
	}
	return m
}

func patchBody(ops ...map[string]any) map[string]any {
	list := make([]any, len(ops))
	for i, o := range ops {
		list[i] = o
	}
	return map[string]any{"schemas": []any{schemaPatchOp}, "Operations": list}
}

func TestPatchOperations(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	boss := c.create(userDoc("boss"))["id"].(string)
	tests := []struct {
		name string
		ops  []map[string]any
		want map[string]any // dotted path -> value after the patch
		noop bool           // the operations cancel out: meta.version must not move
	}{
		{"deactivate", []map[string]any{op("replace", "active", false)}, map[string]any{"active": false}, false},
		{"given name", []map[string]any{op("replace", "name.givenName", "Janet")}, map[string]any{"name.givenName": "Janet", "displayName": "Janet Family"}, false},
		{"nickName add then remove", []map[string]any{op("add", "nickName", "JJ"), op("remove", "nickName", nil)}, map[string]any{"nickName": nil}, true},
		{"nickName replaces given in displayName", []map[string]any{op("add", "nickName", "JJ")}, map[string]any{"displayName": "JJ Family"}, false},
		{"title", []map[string]any{op("replace", "title", "Boss")}, map[string]any{"title": "Boss"}, false},
		{"title cleared by null", []map[string]any{op("replace", "title", "Boss"), op("replace", "title", nil)}, map[string]any{"title": nil}, true},
		{"attribute names are case-insensitive", []map[string]any{op("Replace", "TITLE", "Chief")}, map[string]any{"title": "Chief"}, false},
		{"work email", []map[string]any{op("replace", `emails[type eq "work"].value`, "New@Example.com")}, map[string]any{"emails.0.value": "new@example.com"}, false},
		{"add home email via filter", []map[string]any{op("add", `emails[type eq "home"].value`, "h@example.com")}, map[string]any{"emails.1.value": "h@example.com", "emails.1.type": "home"}, false},
		{"enterprise scalar", []map[string]any{op("replace", entURN+":department", "Finance")}, map[string]any{"ent.department": "Finance"}, false},
		{"termination date", []map[string]any{op("replace", entURN+":terminationDate", "2025-03-31T00:00:00Z")}, map[string]any{"ent.terminationDate": "2025-03-31T00:00:00.000"}, false},
		{"manager", []map[string]any{op("add", entURN+":manager", map[string]any{"value": boss})}, map[string]any{"ent.manager.value": boss, "ent.manager.employeeNumber": "boss"}, false},
		{"manager removed", []map[string]any{op("add", entURN+":manager", map[string]any{"value": boss}), op("remove", entURN+":manager", nil)}, map[string]any{"ent.manager": nil}, true},
		{"replace without path", []map[string]any{op("replace", "", map[string]any{
			"title": "Lead", "name": map[string]any{"familyName": "Smith"}, "id": "ignored",
			entURN: map[string]any{"costCenter": "CC-1", "division": "EMEA"},
		})}, map[string]any{"title": "Lead", "name.familyName": "Smith", "name.givenName": "Given1", "ent.costCenter": "CC-1", "ent.division": "EMEA"}, false},
		{"userName", []map[string]any{op("replace", "userName", "renamed@example.com")}, map[string]any{"userName": "renamed@example.com"}, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := c.create(with(userDoc("1"), "userName", "u1@example.com", entURN+":employeeNumber", "1"))["id"].(string)
			defer c.do(http.MethodDelete, usersV41+"/"+id, nil)
			resp := c.do(http.MethodPatch, usersV41+"/"+id, patchBody(tt.ops...))
			expectStatus(t, resp, 200)
			for path, want := range tt.want {
				if got := getIndexed(resp.body, path); got != want {
					t.Errorf("%s = %#v, want %#v", path, got, want)
				}
			}
			want := float64(1)
			if tt.noop {
				want = 0
			}
			if v := get(resp.body, "meta.version"); v != want {
				t.Errorf("case %d: version %v after one PATCH, want %v", i, v, want)
			}
		})
	}
}

// getIndexed is get with numeric steps into arrays ("emails.0.value").
func getIndexed(body map[string]any, path string) any {
	var cur any = body
	for _, p := range splitDots(path) {
		if p == "ent" {
			p = entURN
		}
		switch v := cur.(type) {
		case map[string]any:
			cur = v[p]
		case []any:
			i := int(p[0] - '0')
			if i >= len(v) {
				return nil
			}
			cur = v[i]
		default:
			return nil
		}
	}
	return cur
}

func splitDots(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func TestPatchErrors(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	id := c.create(userDoc("1"))["id"].(string)
	tests := []struct {
		name     string
		body     map[string]any
		status   int
		scimType string
	}{
		{"wrong schema", map[string]any{"schemas": []any{schemaUser}, "Operations": []any{op("replace", "title", "x")}}, 400, "invalidSyntax"},
		{"no operations", patchBody(), 400, "invalidSyntax"},
		{"unknown op", patchBody(op("merge", "title", "x")), 400, "invalidSyntax"},
		{"unknown attribute", patchBody(op("replace", "favouriteColour", "x")), 400, "invalidPath"},
		{"bad path syntax", patchBody(op("replace", "emails[type eq", "x")), 400, "invalidPath"},
		{"read-only id", patchBody(op("replace", "id", "x")), 400, "mutability"},
		{"read-only manager displayName", patchBody(op("replace", entURN+":manager.displayName", "x")), 400, "mutability"},
		{"remove without path", patchBody(op("remove", "", nil)), 400, "noTarget"},
		{"replace with no matching element", patchBody(op("replace", `emails[type eq "home"].value`, "h@example.com")), 400, "noTarget"},
		{"remove required given name", patchBody(op("remove", "name.givenName", nil)), 400, "invalidValue"},
		{"remove all emails", patchBody(op("remove", "emails", nil)), 400, "invalidValue"},
		{"too long title", patchBody(op("replace", "title", string(make([]byte, 256)))), 400, "invalidValue"},
		{"unknown manager", patchBody(op("add", entURN+":manager", map[string]any{"value": "nobody"})), 400, "invalidValue"},
		{"bad userName", patchBody(op("replace", "userName", "no-at-sign")), 400, "invalidValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := c.do(http.MethodPatch, usersV41+"/"+id, tt.body)
			expectStatus(t, resp, tt.status)
			if resp.body["scimType"] != tt.scimType {
				t.Errorf("scimType %v, want %s: %s", resp.body["scimType"], tt.scimType, resp.raw)
			}
		})
	}
	// None of the failed patches changed the user.
	after := c.do(http.MethodGet, usersV41+"/"+id, nil)
	if get(after.body, "meta.version") != float64(0) || after.body["title"] != nil {
		t.Errorf("failed patches changed the user: %s", after.raw)
	}
}

func TestPatchNoChangeKeepsVersion(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	id := c.create(with(userDoc("1"), "title", "Analyst"))["id"].(string)
	resp := c.do(http.MethodPatch, usersV41+"/"+id, patchBody(op("replace", "title", "Analyst")))
	expectStatus(t, resp, 200)
	if get(resp.body, "meta.version") != float64(0) {
		t.Errorf("version %v after a no-op patch", get(resp.body, "meta.version"))
	}
	for want := 1; want <= 3; want++ {
		resp = c.do(http.MethodPatch, usersV41+"/"+id, patchBody(op("replace", "active", want%2 == 0)))
		if get(resp.body, "meta.version") != float64(want) {
			t.Errorf("version %v, want %d", get(resp.body, "meta.version"), want)
		}
	}
}
