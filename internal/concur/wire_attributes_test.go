package concur

import (
	"encoding/json"
	"reflect"
	"testing"
)

// handledApart are the string fields of User outside wireAttributes: read-only, immutable, or
// the manager, whose PATCH value is an object.
var handledApart = map[string]bool{
	"ID": true, "DisplayName": true, "CompanyID": true, "ManagerID": true, "ManagerEmployeeNumber": true,
}

// Every writable string field of User must reach the create body, come back from a read of it,
// and be sent by an update: a field missing from wireAttributes would be created empty, or
// created but never updated.
func TestEveryUserFieldIsCreatedReadAndPatched(t *testing.T) {
	const value = "2025-01-15" // a value every field holds, dates included
	fields := reflect.TypeOf(User{})
	for i := range fields.NumField() {
		field := fields.Field(i)
		if field.Type.Kind() != reflect.String || handledApart[field.Name] {
			continue
		}
		t.Run(field.Name, func(t *testing.T) {
			var u User
			reflect.ValueOf(&u).Elem().Field(i).SetString(value)

			body, err := json.Marshal(scimUserForCreate(u))
			if err != nil {
				t.Fatal(err)
			}
			var sent scimUser
			if err := json.Unmarshal(body, &sent); err != nil {
				t.Fatal(err)
			}
			if got := reflect.ValueOf(sent.user()).Field(i).String(); got != value {
				t.Errorf("the create body %s reads back as %s = %q, want %q", body, field.Name, got, value)
			}

			ops := patchOps(User{}, u)
			if len(ops) != 1 || ops[0].Op != "replace" || ops[0].Value == nil {
				t.Fatalf("setting %s patches %+v, want one replace", field.Name, ops)
			}
			if back := patchOps(u, User{}); len(back) != 1 || back[0].Op != "remove" || back[0].Path != ops[0].Path {
				t.Errorf("clearing %s patches %+v, want one remove of %s", field.Name, back, ops[0].Path)
			}
		})
	}
}

func TestWireAttributesHaveDistinctPaths(t *testing.T) {
	seen := map[string]bool{}
	for _, a := range wireAttributes {
		if seen[a.path] {
			t.Errorf("two wire attributes patch %s", a.path)
		}
		seen[a.path] = true
	}
}
