package sandbox

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// filterFixture creates five users with varied attributes, keyed by employeeNumber.
func filterFixture(t *testing.T) *apiClient {
	c := newClient(t, Options{})
	boss := c.create(with(userDoc("E1"),
		"userName", "Alice.Admin@Example.com", "name.givenName", "Alice", "name.familyName", "Admin",
		"emails", []any{map[string]any{"value": "alice@example.com", "type": "work"}, map[string]any{"value": "alice@home.org", "type": "home"}},
		"nickName", "Ali", "externalId", "ext-1", "entitlements", []any{"Expense", "Travel"},
		entURN+":department", "Finance", entURN+":costCenter", "CC-1", entURN+":startDate", "2020-01-15",
		"addresses", []any{map[string]any{"type": "work", "country": "US", "locality": "Bellevue"}},
	))
	c.create(with(userDoc("E2"),
		"userName", "bob@example.com", "name.givenName", "Bob", "name.familyName", "Builder", "active", false,
		"emails", []any{map[string]any{"value": "bob@example.com", "type": "work"}},
		entURN+":department", "Engineering", entURN+":startDate", "2022-06-01", entURN+":terminationDate", "2024-12-31",
		entURN+":manager", map[string]any{"value": boss["id"]},
	))
	c.create(with(userDoc("E3"),
		"userName", "carol@corp.example.net", "name.givenName", "Carol", "name.familyName", "Cole",
		"emails", []any{map[string]any{"value": "carol@corp.example.net", "type": "work"}},
		entURN+":department", "Engineering", entURN+":startDate", "2023-03-10",
		entURN+":manager", map[string]any{"value": boss["id"]},
		"addresses", []any{map[string]any{"type": "home", "country": "DE", "locality": "Berlin"}},
	))
	c.create(with(userDoc("E4"),
		"userName", "dave@example.com", "name.givenName", "Dave", "name.familyName", "Adams",
		"emails", []any{map[string]any{"value": "dave@other.org", "type": "work"}},
		"title", "Quote \"Man\"",
	))
	c.create(with(userDoc("E5"),
		"userName", "eve@example.com", "name.givenName", "Eve", "name.familyName", "Evans", "active", false,
		"emails", []any{map[string]any{"value": "eve@example.com", "type": "work"}, map[string]any{"value": "eve@home.org", "type": "home"}},
		"externalId", "EXT-5",
	))
	return c
}

func TestSearchFilterGrammar(t *testing.T) {
	t.Parallel()
	c := filterFixture(t)
	ent := entURN + ":"
	tests := []struct {
		filter string
		want   []string
	}{
		{`userName eq "bob@example.com"`, []string{"E2"}},
		{`userName eq "BOB@EXAMPLE.COM"`, []string{"E2"}},         // caseExact false
		{`UserName Eq "alice.admin@example.com"`, []string{"E1"}}, // attribute and operator names too
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bob@example.com"`, []string{"E2"}},
		{`userName ne "bob@example.com"`, []string{"E1", "E3", "E4", "E5"}},
		{`userName co "example.com"`, []string{"E1", "E2", "E4", "E5"}},
		{`userName co "EXAMPLE"`, []string{"E1", "E2", "E3", "E4", "E5"}},
		{`userName sw "CA"`, []string{"E3"}},
		{`userName ew ".net"`, []string{"E3"}},
		{`nickName pr`, []string{"E1"}},
		{`not (nickName pr)`, []string{"E2", "E3", "E4", "E5"}},
		{`externalId pr`, []string{"E1", "E5"}},
		{`externalId eq "ext-5"`, nil}, // externalId is caseExact
		{`externalId eq "EXT-5"`, []string{"E5"}},
		{`active eq false`, []string{"E2", "E5"}},
		{`active eq true and name.familyName sw "a"`, []string{"E1", "E4"}},
		{`active eq false or userName sw "a"`, []string{"E1", "E2", "E5"}},
		// and binds tighter than or; parentheses override
		{`userName sw "a" or userName sw "b" and active eq true`, []string{"E1"}},
		{`(userName sw "a" or userName sw "b") and active eq false`, []string{"E2"}},
		{`not (active eq true) and not (userName sw "e")`, []string{"E2"}},
		{`name.givenName gt "C"`, []string{"E3", "E4", "E5"}},
		{`name.givenName ge "carol"`, []string{"E3", "E4", "E5"}},
		{`name.givenName lt "bob"`, []string{"E1"}},
		{`name.givenName le "bob"`, []string{"E1", "E2"}},
		{`emails.value ew "@home.org"`, []string{"E1", "E5"}},
		{`emails co "other.org"`, []string{"E4"}},
		{`emails[type eq "work" and value ew "example.com"]`, []string{"E1", "E2", "E5"}},
		{`emails[type eq "home"]`, []string{"E1", "E5"}},
		{`emails[type eq "home" and value sw "eve"]`, []string{"E5"}},
		{`addresses[country eq "de"]`, []string{"E3"}},
		{`addresses.locality eq "Bellevue"`, []string{"E1"}},
		{`entitlements eq "Travel"`, []string{"E1"}},
		{ent + `employeeNumber eq "E3"`, []string{"E3"}},
		{ent + `employeeNumber eq "e3"`, nil}, // employee ids compare exactly
		{ent + `employeeNumber eq "E1" or ` + ent + `employeeNumber eq "E4" or ` + ent + `employeeNumber eq "nobody"`, []string{"E1", "E4"}},
		{ent + `employeeNumber eq "E2" and active eq true`, nil},
		{ent + `department eq "engineering"`, []string{"E2", "E3"}},
		{ent + `department ne "Engineering"`, []string{"E1", "E4", "E5"}}, // ne matches nulls
		{ent + `costCenter pr`, []string{"E1"}},
		{ent + `startDate gt "2021-01-01"`, []string{"E2", "E3"}},
		{ent + `startDate ge "2023-03-10T00:00:00Z"`, []string{"E3"}},
		{ent + `terminationDate lt "2025-01-01"`, []string{"E2"}},
		{ent + `manager.employeeNumber eq "E1"`, []string{"E2", "E3"}},
		{ent + `manager.value pr`, []string{"E2", "E3"}},
		{`meta.created gt "2000-01-01T00:00:00Z"`, []string{"E1", "E2", "E3", "E4", "E5"}},
		{`meta.lastModified lt "2000-01-01T00:00:00Z"`, nil},
		{`userName eq null`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			resp := c.search(map[string]any{"filter": tt.filter})
			expectStatus(t, resp, 200)
			got := resourceEmpIDs(resp.body)
			want := tt.want
			if want == nil {
				want = []string{}
			}
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
			if resp.body["totalResults"] != float64(len(want)) {
				t.Errorf("totalResults %v, want %d", resp.body["totalResults"], len(want))
			}
		})
	}
}

func TestSearchFilterByID(t *testing.T) {
	t.Parallel()
	c := filterFixture(t)
	all := c.search(map[string]any{})
	first := all.body["Resources"].([]any)[0].(map[string]any)["id"].(string)
	resp := c.search(map[string]any{"filter": `id eq "` + first + `"`})
	if got := resourceEmpIDs(resp.body); !slices.Equal(got, []string{"E1"}) {
		t.Errorf("id eq: %v", got)
	}
	// Concur documents quotes as optional for id.
	resp = c.search(map[string]any{"filter": `id eq ` + first + ` or userName eq "bob@example.com"`})
	if got := resourceEmpIDs(resp.body); !slices.Equal(got, []string{"E1", "E2"}) {
		t.Errorf("unquoted id: %v %s", got, resp.raw)
	}
	resp = c.search(map[string]any{"filter": `id eq "` + strings.ToUpper(first) + `"`})
	if got := resourceEmpIDs(resp.body); len(got) != 0 {
		t.Errorf("id compares exactly, got %v", got)
	}
}

func TestSearchInvalidFilters(t *testing.T) {
	t.Parallel()
	c := filterFixture(t)
	for _, f := range []string{
		`userName eq`,
		`userName xx "a"`,
		`(userName eq "a"`,
		`userName eq "a" and`,
		`favouriteColour eq "blue"`,
		`title eq "Analyst"`,     // exists but is not documented as filterable
		`employeeNumber eq "E1"`, // extension attributes need their URN in v4.1
		`urn:example:bogus:employeeNumber eq "E1"`,
		`active gt true`,
		`active eq "yes"`,
		`userName eq true`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:startDate gt "yesterday"`,
		`emails[kind eq "work"]`,
		`name[givenName eq "x"]`,
		`userName gt null`,
	} {
		t.Run(f, func(t *testing.T) {
			resp := c.search(map[string]any{"filter": f})
			expectStatus(t, resp, 400)
			if resp.body["scimType"] != "invalidFilter" {
				t.Errorf("scimType %v: %s", resp.body["scimType"], resp.raw)
			}
		})
	}
}

func TestSearchRequestValidation(t *testing.T) {
	t.Parallel()
	c := filterFixture(t)
	for name, body := range map[string]map[string]any{
		"missing schemas": {"schemas": nil},
		"wrong schema":    {"schemas": []any{"urn:ietf:params:scim:api:messages:2.0:SearchRequest"}},
		"count too big":   {"count": 1001},
		"count zero":      {"count": 0},
		"bad cursor":      {"cursor": "!!not-a-cursor"},
	} {
		t.Run(name, func(t *testing.T) {
			if body["schemas"] == nil {
				delete(body, "schemas")
				resp := c.do(http.MethodPost, searchV41, body)
				expectStatus(t, resp, 400)
				return
			}
			expectStatus(t, c.search(body), 400)
		})
	}
}

func TestSearchAttributes(t *testing.T) {
	t.Parallel()
	c := filterFixture(t)
	resp := c.search(map[string]any{
		"filter":     `userName eq "bob@example.com"`,
		"attributes": []any{"userName", "active", entURN + ":employeeNumber", "name.givenName"},
	})
	r := resp.body["Resources"].([]any)[0].(map[string]any)
	if len(r) != 5 || r["userName"] != "bob@example.com" || r["active"] != false ||
		get(r, "ent.employeeNumber") != "E2" || get(r, "name.givenName") != "Bob" || r["id"] == nil {
		t.Errorf("projected resource %v", r)
	}
	if _, ok := r["meta"]; ok {
		t.Error("meta was not asked for")
	}
	resp = c.search(map[string]any{"filter": `userName eq "bob@example.com"`, "excludedAttributes": []any{"emails", entURN}})
	r = resp.body["Resources"].([]any)[0].(map[string]any)
	if _, ok := r["emails"]; ok {
		t.Error("emails excluded but returned")
	}
	if _, ok := r[entURN]; ok {
		t.Error("enterprise extension excluded but returned")
	}
	if r["userName"] != "bob@example.com" {
		t.Errorf("resource %v", r)
	}
}

// JSON allows either case in \u escapes (RFC 8259), and Go's encoder writes lower case: a
// control character in an employee number must not make the whole search invalid.
func TestSearchFilterAcceptsLowerCaseUnicodeEscapes(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	c.create(userDoc("E\x1b1"))
	c.create(userDoc("Eé2"))
	ent := entURN + ":"
	for filter, want := range map[string][]string{
		ent + `employeeNumber eq "E\u001b1"`:                           {"E\x1b1"},
		ent + `employeeNumber eq "E\u001B1"`:                           {"E\x1b1"},
		ent + `employeeNumber eq "E\u00e92" or userName eq "a\\u00e9"`: {"Eé2"},
		ent + `employeeNumber eq "E\\u00e92"`:                          {}, // an escaped backslash, then text
	} {
		resp := c.search(map[string]any{"filter": filter})
		expectStatus(t, resp, 200)
		if got := resourceEmpIDs(resp.body); !slices.Equal(got, want) {
			t.Errorf("%s: got %q, want %q", filter, got, want)
		}
	}
	resp := c.do(http.MethodGet, usersV4+"?filter="+url.QueryEscape(`employeeNumber eq "E\u001b1"`), nil)
	expectStatus(t, resp, 200)
	if got := resourceEmpIDs(resp.body); !slices.Equal(got, []string{"E\x1b1"}) {
		t.Errorf("v4 filter with a lower-case escape: %q", got)
	}
}

func TestSearchRefusesNotAndNeInsideBrackets(t *testing.T) {
	t.Parallel()
	c := filterFixture(t)
	for _, f := range []string{
		`emails[type ne "work"]`,
		`emails[not (type eq "work")]`,
		`emails[type eq "work" and value ne "bob@example.com"]`,
	} {
		resp := c.search(map[string]any{"filter": f})
		expectStatus(t, resp, 400)
		if resp.body["scimType"] != "invalidFilter" || !strings.Contains(resp.body["detail"].(string), "inside emails[...]") {
			t.Errorf("%s: %s", f, resp.raw)
		}
	}
	// Outside brackets both stay allowed.
	expectStatus(t, c.search(map[string]any{"filter": `not (emails[type eq "home"]) and emails.type ne "home"`}), 200)
}

// A client filters on a timestamp as it read it: microseconds.
func TestSearchComparesTimestampsAtTheShownPrecision(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	created := c.create(userDoc("1"))
	c.create(userDoc("2"))
	shown := get(created, "meta.created").(string)
	for filter, want := range map[string][]string{
		`meta.created eq "` + shown + `"`: {"1"},
		`meta.created le "` + shown + `"`: {"1"},
		`meta.created gt "` + shown + `"`: {"2"},
	} {
		resp := c.search(map[string]any{"filter": filter})
		expectStatus(t, resp, 200)
		if got := resourceEmpIDs(resp.body); !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", filter, got, want)
		}
	}
}
