package concur

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeSpend answers the Spend v4.1 and Travel v4 reads for users s1..sN, whose report approver
// Concur returns by id only, and the identity search that gives the approver's employee number.
type fakeSpend struct {
	users    int
	mu       sync.Mutex
	requests map[string]int // "list", "get", "search", "travel"
}

func (f *fakeSpend) spendUser(i int) map[string]any {
	return map[string]any{
		"schemas": []string{"urn:ietf:params:scim:schemas:ScimResource", SchemaSpendUser},
		"id":      fmt.Sprintf("s%d", i),
		SchemaSpendUser: map[string]any{"reimbursementCurrency": "EUR", "country": "DE", "locale": "de-DE", "testEmployee": false,
			"customData": []map[string]any{{"id": "custom3", "value": fmt.Sprintf("c%d", i)}}},
		SchemaSpendApprover: map[string]any{"report": []map[string]any{{"approver": map[string]any{"value": "mgr"}, "primary": true}}},
		SchemaSpendRole:     map[string]any{"roles": []map[string]any{{"roleName": "EXP_USER"}}},
	}
}

func (f *fakeSpend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	count := func(kind string) {
		f.mu.Lock()
		f.requests[kind]++
		f.mu.Unlock()
	}
	exists := func(id string) (int, bool) {
		i, err := strconv.Atoi(strings.TrimPrefix(id, "s"))
		return i, err == nil && strings.HasPrefix(id, "s") && i >= 1 && i <= f.users
	}
	switch {
	case r.URL.Path == spendUsersPath:
		count("list")
		start, _ := strconv.Atoi(r.URL.Query().Get("startIndex"))
		n, _ := strconv.Atoi(r.URL.Query().Get("count"))
		var resources []map[string]any
		for i := start; i < start+n && i <= f.users; i++ {
			resources = append(resources, f.spendUser(i))
		}
		writeJSONResponse(w, 200, map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:ListResponse"},
			"totalResults": f.users, "Resources": resources, "startIndex": start, "itemsPerPage": len(resources)})
	case strings.HasPrefix(r.URL.Path, spendUsersPath+"/"):
		count("get")
		if i, ok := exists(strings.TrimPrefix(r.URL.Path, spendUsersPath+"/")); ok {
			writeJSONResponse(w, 200, f.spendUser(i))
			return
		}
		writeJSONResponse(w, 404, map[string]any{"status": "404", "detail": "User not found"})
	case strings.HasPrefix(r.URL.Path, travelUsersPath+"/"):
		count("travel")
		id := strings.TrimPrefix(r.URL.Path, travelUsersPath+"/")
		if _, ok := exists(id); ok {
			writeJSONResponse(w, 200, map[string]any{"id": id, SchemaTravelUser: map[string]any{
				"ruleClass": map[string]any{"name": "Default", "id": 7}, "manager": map[string]any{"value": "mgr"}}})
			return
		}
		writeJSONResponse(w, 404, map[string]any{"errorCode": "NOT_FOUND", "errorMessage": "no travel user"})
	case r.URL.Path == searchPath:
		count("search")
		writeJSONResponse(w, 200, map[string]any{"totalResults": 1, "Resources": []map[string]any{
			{"id": "mgr", "userName": "m@example.com", schemaEnterpriseUser: map[string]any{"employeeNumber": "M1"}}}})
	default:
		http.NotFound(w, r)
	}
}

func newFakeSpend(t *testing.T, users int) (*fakeSpend, *Client) {
	f := &fakeSpend{users: users, requests: map[string]int{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, newTestClient(t, Config{BaseURL: srv.URL, AccessToken: "at"})
}

func spendIDs(from, to int) []string {
	var ids []string
	for i := from; i <= to; i++ {
		ids = append(ids, fmt.Sprintf("s%d", i))
	}
	return ids
}

func TestSpendReadsListTheCompanyWhenThatIsCheaper(t *testing.T) {
	f, c := newFakeSpend(t, 250)
	ids := append(spendIDs(1, 200), "gone")
	found, err := c.FindSpendProfilesByIDs(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 200 || found["gone"] != nil {
		t.Errorf("%d profiles (gone: %v), want the 200 that exist", len(found), found["gone"])
	}
	// Three pages of 100 hold all 250; the id the listing lacks is read with GET (404).
	if f.requests["list"] != 3 || f.requests["get"] != 1 || f.requests["search"] != 1 {
		t.Errorf("requests %v, want 3 pages, 1 GET and 1 search for the approver", f.requests)
	}
	p := found["s150"]
	want := Approver{ID: "mgr", EmployeeNumber: "M1"}
	if p == nil || p.Country != "DE" || p.Custom[2] != "c150" || p.TestEmployee != "false" || p.Approvers.Report != want || len(p.Roles) != 1 {
		t.Errorf("s150: %+v", p)
	}
}

func TestSpendReadsGetEachWhenFewOrSpread(t *testing.T) {
	f, c := newFakeSpend(t, 10_000)
	if _, err := c.FindSpendProfilesByIDs(context.Background(), spendIDs(1, 3)); err != nil {
		t.Fatal(err)
	}
	if f.requests["list"] != 0 || f.requests["get"] != 3 {
		t.Errorf("3 ids: requests %v, want 3 GETs", f.requests)
	}
	// 20 ids among 10,000 spend users: the first page is read, then a GET for each id it lacked,
	// since the other 99 pages would cost more.
	f.requests = map[string]int{}
	found, err := c.FindSpendProfilesByIDs(context.Background(), append(spendIDs(95, 99), spendIDs(9001, 9015)...))
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 20 || f.requests["list"] != 1 || f.requests["get"] != 15 {
		t.Errorf("%d found with requests %v, want 20 with 1 page and 15 GETs", len(found), f.requests)
	}
	if f.requests["search"] != 0 {
		t.Errorf("the approver's employee number was read again: %v", f.requests)
	}
}

func TestTravelReadsGetEachAndFillTheManager(t *testing.T) {
	f, c := newFakeSpend(t, 5)
	found, err := c.FindTravelProfilesByIDs(context.Background(), []string{"s1", "s2", "s9"})
	if err != nil {
		t.Fatal(err)
	}
	want := TravelProfile{RuleClass: "Default", RuleClassID: "7", Manager: Approver{ID: "mgr", EmployeeNumber: "M1"}}
	if len(found) != 2 || found["s1"] == nil || *found["s1"] != want {
		t.Errorf("found %v (s1 %+v)", found, found["s1"])
	}
	if f.requests["travel"] != 3 {
		t.Errorf("requests %v, want 3 travel GETs", f.requests)
	}
}
