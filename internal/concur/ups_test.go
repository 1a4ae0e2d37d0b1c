package concur

// The User Provisioning Service against a small server that answers in the documented wire
// format: /Bulk and /Users return a provision id, whose status stays pending for a number of
// polls and then pages its operations.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

type fakeUPS struct {
	t *testing.T

	mu           sync.Mutex
	pendingPolls int // status polls of each provision answered "pending" before it completes
	pageSize     int // operations per status page at most
	bulkBodies   [][]byte
	userBodies   []map[string]any // bodies of POST and PATCH /profile/v4/Users and Identity PATCH, in order
	requests     []string
	provisions   map[string]*fakeProvision
	forbid       string // an endpoint ("POST /profile/v4/Bulk") answered 403
	challenge    string // its WWW-Authenticate
}

type fakeProvision struct {
	operations []map[string]any
	polls      int
}

func newFakeUPS(t *testing.T) (*fakeUPS, *Client) {
	f := &fakeUPS{t: t, pageSize: 100, provisions: map[string]*fakeProvision{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c := newTestClient(t, Config{BaseURL: srv.URL, AccessToken: "at", CompanyID: "co", ProvisionPollDelay: time.Millisecond})
	return f, c
}

func (f *fakeUPS) count(prefix string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.requests {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

func (f *fakeUPS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	endpoint := r.Method + " " + r.URL.Path
	f.mu.Lock()
	f.requests = append(f.requests, endpoint)
	forbidden := f.forbid != "" && strings.HasPrefix(endpoint, f.forbid)
	f.mu.Unlock()
	if forbidden {
		if f.challenge != "" {
			w.Header().Set("WWW-Authenticate", f.challenge)
		}
		writeJSONResponse(w, http.StatusForbidden, map[string]any{"status": "403", "detail": "Forbidden"})
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == upsBulkPath:
		var req struct {
			Schemas    []string         `json:"schemas"`
			Operations []map[string]any `json:"Operations"`
		}
		if err := json.Unmarshal(body, &req); err != nil || len(req.Schemas) != 1 || req.Schemas[0] != schemaBulkRequest {
			f.t.Errorf("bulk request %s: %v", body, err)
		}
		var ops []map[string]any
		for _, op := range req.Operations {
			ops = append(ops, f.outcome(op["method"].(string), op["path"].(string), op["bulkId"].(string), op["data"].(map[string]any)))
		}
		f.mu.Lock()
		f.bulkBodies = append(f.bulkBodies, body)
		id := f.newProvision(ops)
		f.mu.Unlock()
		writeJSONResponse(w, http.StatusAccepted, map[string]any{
			"schemas": []string{"urn:ietf:params:scim:schemas:extension:concur:2.0:Provision:Status"}, "id": id,
			"status": map[string]any{"completed": false, "success": nil},
			"meta":   map[string]any{"location": "http://x" + provisionsPath + id + "/status", "provisionType": "Bulk"},
		})
	case strings.HasPrefix(r.URL.Path, upsUsersPath) || strings.HasPrefix(r.URL.Path, usersPath):
		var data map[string]any
		_ = json.Unmarshal(body, &data)
		id := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, usersPath), upsUsersPath)
		id = strings.TrimPrefix(id, "/")
		if id == "" {
			id = "id-" + fmt.Sprint(data[schemaEnterpriseUser].(map[string]any)["employeeNumber"])
		}
		f.mu.Lock()
		f.userBodies = append(f.userBodies, data)
		identity := map[string]any{"id": id, "userName": "jane@example.com", "active": true,
			schemaEnterpriseUser: map[string]any{"employeeNumber": "E1", "companyId": "co"}}
		if strings.HasPrefix(r.URL.Path, upsUsersPath) {
			op := f.outcome(r.Method, "/Users/"+id, "gen-temp-bulk-id", data)
			pid := f.newProvision([]map[string]any{op})
			identity["meta"] = map[string]any{"version": 0, "provisionId": pid, "statusUrl": "http://x" + provisionsPath + pid + "/status"}
		}
		f.mu.Unlock()
		status := http.StatusOK
		if r.Method == http.MethodPost {
			status = http.StatusCreated
		}
		writeJSONResponse(w, status, identity)
	case strings.HasPrefix(r.URL.Path, provisionsPath):
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, provisionsPath), "/status")
		if r.URL.Query().Get("attributes") != "operations" {
			f.t.Errorf("status read without attributes=operations: %s", r.URL)
		}
		start, _ := strconv.Atoi(r.URL.Query().Get("startIndex"))
		count, _ := strconv.Atoi(r.URL.Query().Get("count"))
		f.mu.Lock()
		p := f.provisions[id]
		p.polls++
		pending := p.polls <= f.pendingPolls
		count = min(count, f.pageSize)
		f.mu.Unlock()
		if pending {
			writeJSONResponse(w, http.StatusOK, map[string]any{"id": id, "status": map[string]any{"completed": false, "success": nil},
				"operationsCount": map[string]any{"total": len(p.operations), "success": 0, "failed": 0, "pending": len(p.operations)}})
			return
		}
		success := true
		for _, op := range p.operations {
			success = success && op["status"].(map[string]any)["success"].(bool)
		}
		page := p.operations[min(start-1, len(p.operations)):min(start-1+count, len(p.operations))]
		writeJSONResponse(w, http.StatusOK, map[string]any{"id": id, "status": map[string]any{"completed": true, "success": success},
			"totalResults": len(p.operations), "startIndex": start, "itemsPerPage": len(page), "operations": page})
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeUPS) newProvision(ops []map[string]any) string {
	id := fmt.Sprintf("prov-%d", len(f.provisions)+1)
	f.provisions[id] = &fakeProvision{operations: ops}
	return id
}

// outcome is the documented status of one operation: a userName starting with "bad" fails the
// identity, a reimbursementCurrency of "BAD" fails the Spend User extension.
func (f *fakeUPS) outcome(method, path, bulkID string, data map[string]any) map[string]any {
	ok := map[string]any{"completed": true, "success": true, "code": "200", "result": "success"}
	failed := func(code string) map[string]any {
		return map[string]any{"completed": true, "success": false, "code": code, "result": "error"}
	}
	extensions := []map[string]any{
		{"name": schemaCoreUser, "status": ok},
		{"name": schemaEnterpriseUser, "status": ok},
		{"name": SchemaSpendUser, "status": map[string]any{"completed": true, "success": true, "code": "200", "result": "no-op"}},
	}
	id := "id-" + bulkID
	if method != http.MethodPost {
		id = strings.TrimPrefix(path, "/Users/")
	}
	encoded, _ := json.Marshal(data)
	switch {
	case strings.HasPrefix(fmt.Sprint(data["userName"]), "bad"):
		extensions[0] = map[string]any{"name": schemaCoreUser, "status": failed("400"), "messages": []map[string]any{
			{"code": "INVALID_VALUE", "message": "Invalid 'name.givenName' Size", "schemaPath": "name.givenName", "type": "error"}}}
		return map[string]any{"id": "1", "bulkId": bulkID, "status": map[string]any{"completed": true, "success": false, "code": "400"},
			"resource": map[string]any{"type": "User"}, "extensions": extensions}
	case strings.Contains(string(encoded), `"reimbursementCurrency":"BAD"`):
		extensions[2] = map[string]any{"name": SchemaSpendUser, "status": failed("400"), "messages": []map[string]any{{"code": "INVALID_VALUE",
			"message":    "Invalid 'urn:ietf:params:scim:schemas:extension:spend:2.0:User:reimbursementCurrency' Size",
			"schemaPath": SchemaSpendUser + ":reimbursementCurrency", "type": "error"}}}
		return map[string]any{"id": "1", "bulkId": bulkID, "status": map[string]any{"completed": true, "success": false, "code": "400"},
			"resource": map[string]any{"id": id, "type": "User"}, "extensions": extensions}
	}
	return map[string]any{"id": "1", "bulkId": bulkID, "status": map[string]any{"completed": true, "success": true},
		"resource": map[string]any{"id": id, "type": "User"}, "extensions": extensions}
}

func spendUser(empID string) User {
	u := newUser(empID)
	u.Spend = SpendProfile{ReimbursementCurrency: "USD", Country: "US", Locale: "en-US"}
	return u
}

// Updates that each change one title.
func titleUpdates(n int, value string) []Provision {
	users := make([]Provision, n)
	for i := range users {
		key := employeeNumber(i)
		from := newUser(key)
		to := from
		to.Title = value
		users[i] = Provision{Key: key, ID: "u-" + key, From: from, To: to}
	}
	return users
}

func operationsIn(t *testing.T, body []byte) int {
	t.Helper()
	var req struct{ Operations []json.RawMessage }
	if err := json.Unmarshal(body, &req); err != nil {
		t.Fatal(err)
	}
	return len(req.Operations)
}

func TestBulkSplitsAt100Operations(t *testing.T) {
	f, c := newFakeUPS(t)
	users := titleUpdates(250, "Director")
	results, err := c.ProvisionUsers(context.Background(), users)
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, body := range f.bulkBodies {
		sizes = append(sizes, operationsIn(t, body))
	}
	slices.Sort(sizes) // the requests go out concurrently
	if fmt.Sprint(sizes) != "[50 100 100]" {
		t.Errorf("bulk requests of %v operations, want 100, 100 and 50", sizes)
	}
	for _, u := range users {
		if r := results[u.Key]; r.Err != nil || r.ID != u.ID {
			t.Errorf("%s: %+v, want saved as %s", u.Key, r, u.ID)
		}
	}
}

func TestBulkSplitsAt400KB(t *testing.T) {
	f, c := newFakeUPS(t)
	// About 22 KB per operation: 40 of them are too many bytes for two requests.
	var users []Provision
	for i := range 40 {
		u := spendUser(employeeNumber(i))
		for j := range u.Spend.Custom {
			u.Spend.Custom[j] = strings.Repeat("x", 1000)
		}
		users = append(users, Provision{Key: u.EmployeeNumber, To: u})
	}
	huge := spendUser("HUGE")
	for j := range huge.Spend.Custom {
		huge.Spend.Custom[j] = strings.Repeat("y", 20_000)
	}
	users = append(users, Provision{Key: "HUGE", To: huge})
	results, err := c.ProvisionUsers(context.Background(), users)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, body := range f.bulkBodies {
		if len(body) > MaxBulkBytes {
			t.Errorf("a bulk request of %d bytes, over the limit of %d", len(body), MaxBulkBytes)
		}
		total += operationsIn(t, body)
	}
	if len(f.bulkBodies) < 3 || total != 40 {
		t.Errorf("%d requests carrying %d operations; want at least 3 carrying the 40 that fit", len(f.bulkBodies), total)
	}
	for _, u := range users[:40] {
		if r := results[u.Key]; r.Err != nil || r.ID != "id-"+u.Key {
			t.Errorf("%s: %+v", u.Key, r)
		}
	}
	if err := results["HUGE"].Err; err == nil || !strings.Contains(err.Error(), "emp_id HUGE") || !strings.Contains(err.Error(), "400000 bytes") {
		t.Errorf("an operation larger than any request: %v", err)
	}
}

// Three creates in one bulk: one saved, one refused as a whole, one saved without its Spend User.
func TestBulkPollsUntilCompletedAndMapsEachOperationToItsEmpID(t *testing.T) {
	f, c := newFakeUPS(t)
	f.pendingPolls, f.pageSize = 2, 2 // two pending answers, then operations on two pages
	good, badIdentity, badSpend := spendUser("E1"), spendUser("E2"), spendUser("E3")
	badIdentity.UserName = "bad@example.com"
	badSpend.Spend.ReimbursementCurrency = "BAD"
	results, err := c.ProvisionUsers(context.Background(), []Provision{{Key: "E1", To: good}, {Key: "E2", To: badIdentity}, {Key: "E3", To: badSpend}})
	if err != nil {
		t.Fatal(err)
	}
	if n := f.count("GET " + provisionsPath); n != 4 {
		t.Errorf("%d status reads, want 2 pending, then 2 pages of operations", n)
	}
	if r := results["E1"]; r.Err != nil || r.ID != "id-E1" {
		t.Errorf("E1: %+v", r)
	}

	var opErr *OperationError
	if r := results["E2"]; r.ID != "" || !errors.As(r.Err, &opErr) {
		t.Fatalf("E2: %+v, want an OperationError and no id", r)
	}
	for _, want := range []string{"emp_id E2", "(400)", "INVALID_VALUE Invalid 'name.givenName' Size (name.givenName)", "nothing of it was saved", "prov-1"} {
		if !strings.Contains(opErr.Error(), want) {
			t.Errorf("identity failure %q does not say %q", opErr, want)
		}
	}

	var extErr *ExtensionError
	if r := results["E3"]; r.ID != "id-E3" || !errors.As(r.Err, &extErr) {
		t.Fatalf("E3: %+v, want its id and an ExtensionError", r)
	}
	if extErr.ID != "id-E3" || !extErr.Failed(SchemaSpendUser) || extErr.Failed(SchemaTravelUser) {
		t.Errorf("extension error %+v", extErr)
	}
	for _, want := range []string{"emp_id E3 is saved (Concur id id-E3)", "Spend User extension failed (400)", SchemaSpendUser + ":reimbursementCurrency", "only what failed is sent again"} {
		if !strings.Contains(extErr.Error(), want) {
			t.Errorf("spend failure %q does not say %q", extErr, want)
		}
	}
}

func TestProvisionPollingStopsWithTheContext(t *testing.T) {
	f, c := newFakeUPS(t)
	f.pendingPolls = 1 << 30
	c.cfg.ProvisionPollDelay = 5 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	results, err := c.ProvisionUsers(ctx, titleUpdates(1, "Director"))
	if err != nil {
		t.Fatal(err)
	}
	r := results[employeeNumber(0)]
	if !errors.Is(r.Err, context.DeadlineExceeded) || !strings.Contains(r.Err.Error(), "provision prov-1 is still pending") {
		t.Errorf("result %+v, want the deadline and the pending provision named", r)
	}
	// Backoff: each wait doubles, so 300 ms hold a handful of polls, not 60.
	if n := f.count("GET " + provisionsPath); n > 8 {
		t.Errorf("%d polls in 300 ms from a 5 ms start; want the waits to double", n)
	}
}

func TestProvisionPollDelayDefaultsToConcursFiveSeconds(t *testing.T) {
	c := newTestClient(t, Config{BaseURL: "https://example.com", AccessToken: "at"})
	if c.cfg.ProvisionPollDelay != 5*time.Second {
		t.Errorf("first poll after %v, want 5s", c.cfg.ProvisionPollDelay)
	}
}

func TestCreateUserWithProfileGoesThroughUPS(t *testing.T) {
	f, c := newFakeUPS(t)
	f.pendingPolls = 1
	u := spendUser("E1")
	u.Spend.Custom[1] = "c2"
	u.Spend.Approvers.Report = Approver{EmployeeNumber: "M1"}
	u.Travel = TravelProfile{RuleClassID: "624905"}
	created, err := c.CreateUser(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	if created.ID != "id-E1" || created.Spend.Custom[1] != "c2" || created.Travel.RuleClassID != "624905" {
		t.Errorf("created %+v", created)
	}
	if n := f.count("POST " + upsUsersPath); n != 1 || f.count("POST "+usersPath) != 0 {
		t.Errorf("%d UPS creates and %d Identity creates, want 1 and 0", n, f.count("POST "+usersPath))
	}
	body, _ := json.Marshal(f.userBodies[0])
	for _, want := range []string{`"customData":[{"id":"custom2","value":"c2"}]`, `"report":[{"approver":{"employeeNumber":"M1"},"primary":true}]`,
		`"ruleClass":{"id":624905}`, `"companyId":"co"`, `"reimbursementCurrency":"USD"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the create body %s lacks %s", body, want)
		}
	}

	// Without a profile the create stays on Identity v4.1.
	if _, err := c.CreateUser(context.Background(), newUser("E2")); err != nil {
		t.Fatal(err)
	}
	if n := f.count("POST " + usersPath); n != 1 {
		t.Errorf("%d Identity creates for a user without a profile, want 1", n)
	}
}

func TestCreateUserReturnsTheUserWhenOnlyItsSpendFailed(t *testing.T) {
	_, c := newFakeUPS(t)
	u := spendUser("E1")
	u.Spend.ReimbursementCurrency = "BAD"
	created, err := c.CreateUser(context.Background(), u)
	var extErr *ExtensionError
	if !errors.As(err, &extErr) || created == nil || created.ID != "id-E1" || extErr.ID != "id-E1" {
		t.Fatalf("CreateUser = %+v, %v; want the user and an ExtensionError", created, err)
	}
	if created.Spend.ReimbursementCurrency != "" {
		t.Errorf("the returned user holds the unsaved currency %q", created.Spend.ReimbursementCurrency)
	}
}

// Identity changes go through Identity v4.1, profile changes through UPS, each once.
func TestUpdateUserSplitsIdentityAndProfile(t *testing.T) {
	f, c := newFakeUPS(t)
	from := spendUser("E1")
	to := from
	to.Title = "Director"
	to.Spend.Country = "DE"
	updated, err := c.UpdateUser(context.Background(), "u1", from, to)
	if err != nil {
		t.Fatal(err)
	}
	if f.count("PATCH "+usersPath+"/u1") != 1 || f.count("PATCH "+upsUsersPath+"/u1") != 1 {
		t.Errorf("requests %v", f.requests)
	}
	identity, _ := json.Marshal(f.userBodies[0])
	profile, _ := json.Marshal(f.userBodies[1])
	if !strings.Contains(string(identity), `"path":"title"`) || strings.Contains(string(identity), "spend") {
		t.Errorf("identity patch %s", identity)
	}
	if !strings.Contains(string(profile), `"path":"`+SchemaSpendUser+`:country","value":"DE"`) || strings.Contains(string(profile), "title") {
		t.Errorf("profile patch %s", profile)
	}
	if updated.ID != "u1" || updated.Spend.Country != "DE" {
		t.Errorf("updated %+v", updated)
	}

	// Nothing of the profile changes: no UPS request.
	before := f.count("PATCH " + upsUsersPath)
	to2 := to
	to2.Title = "CEO"
	if _, err := c.UpdateUser(context.Background(), "u1", to, to2); err != nil {
		t.Fatal(err)
	}
	if f.count("PATCH "+upsUsersPath) != before {
		t.Error("an identity-only change went through UPS")
	}
}

func TestScopeErrorsNameTheScope(t *testing.T) {
	f, c := newFakeUPS(t)
	f.forbid = "POST " + upsBulkPath
	results, err := c.ProvisionUsers(context.Background(), []Provision{{Key: "E1", To: spendUser("E1")}})
	if err != nil {
		t.Fatal(err)
	}
	var scopeErr *ScopeError
	if !errors.As(results["E1"].Err, &scopeErr) {
		t.Fatalf("result %+v, want a ScopeError", results["E1"])
	}
	for _, want := range []string{"emp_id E1", "403", "user.provision.write", "identity.user.coreenterprise.writeonly", "spend.user.general.writeonly", "grant the app"} {
		if !strings.Contains(scopeErr.Error(), want) && !strings.Contains(results["E1"].Err.Error(), want) {
			t.Errorf("%q does not name %q", results["E1"].Err, want)
		}
	}

	f.forbid, f.challenge = "GET "+spendUsersPath, `Bearer error="insufficient_scope", scope="spend.user.general.read"`
	_, err = c.FindSpendProfilesByIDs(context.Background(), []string{"u1"})
	if !errors.As(err, &scopeErr) || scopeErr.Scopes[0] != "spend.user.general.read" || !strings.Contains(err.Error(), "spend.user.general.read") {
		t.Errorf("spend read: %v", err)
	}

	f.forbid, f.challenge = "GET "+provisionsPath, ""
	_, err = c.UpdateUser(context.Background(), "u1", spendUser("E1"), spendUser("E1"))
	if err != nil {
		t.Fatalf("no change, no request: %v", err)
	}
	to := spendUser("E1")
	to.Spend.LedgerCode = "L1"
	_, err = c.UpdateUser(context.Background(), "u1", spendUser("E1"), to)
	if !errors.As(err, &scopeErr) || !strings.Contains(err.Error(), "user.provision.read") {
		t.Errorf("status read: %v", err)
	}
}
