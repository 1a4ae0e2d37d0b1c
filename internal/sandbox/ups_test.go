package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	upsUsers  = "/profile/v4/Users"
	upsBulk   = "/profile/v4/Bulk"
	spendList = "/profile/spend/v4.1/Users"
)

// spendDoc is a valid spend User extension.
func spendDoc() map[string]any {
	return map[string]any{"reimbursementCurrency": "USD", "country": "US", "locale": "en-US"}
}

// upsUserDoc is a create body for /profile/v4/Users: the identity of userDoc plus extensions
// given as URN, object pairs.
func upsUserDoc(empID string, extensions ...any) map[string]any {
	doc := userDoc(empID)
	for i := 0; i < len(extensions); i += 2 {
		doc[extensions[i].(string)] = extensions[i+1]
	}
	return doc
}

func bulkBody(ops ...map[string]any) map[string]any {
	list := make([]any, len(ops))
	for i, op := range ops {
		list[i] = op
	}
	return map[string]any{"schemas": []any{schemaBulkRequest}, "failOnErrors": 1, "Operations": list}
}

func bulkPost(bulkID string, data map[string]any) map[string]any {
	delete(data, "schemas") // the documented bulk examples leave it out
	return map[string]any{"method": "POST", "path": "/Users", "bulkId": bulkID, "data": data}
}

func bulkPatch(id string, ops ...any) map[string]any {
	return map[string]any{"method": "PATCH", "path": "/Users/" + id, "data": map[string]any{"Operations": ops}}
}

// spendAttr reads an attribute of the spend User extension of a spend read's body.
func spendAttr(body map[string]any, attr string) any {
	su, _ := body[schemaSpendUser].(map[string]any)
	return su[attr]
}

// status reads a provision request's detailed status.
func (c *apiClient) status(id, query string) map[string]any {
	c.t.Helper()
	resp := c.do(http.MethodGet, "/profile/v4/provisions/"+id+"/status?attributes=operations"+query, nil)
	expectStatus(c.t, resp, 200)
	return resp.body
}

// upsCreate creates a user through UPS and returns its id and provision id.
func (c *apiClient) upsCreate(doc map[string]any) (id, provisionID string) {
	c.t.Helper()
	resp := c.do(http.MethodPost, upsUsers, doc)
	expectStatus(c.t, resp, 201)
	return resp.body["id"].(string), get(resp.body, "meta.provisionId").(string)
}

// extensionOutcome finds one extension's status and messages in an operation of a status body.
func extensionOutcome(t *testing.T, status map[string]any, opIndex int, urn string) (result string, messages []map[string]any) {
	t.Helper()
	ops, _ := status["operations"].([]any)
	for _, o := range ops {
		op := o.(map[string]any)
		if op["id"] != fmt.Sprint(opIndex) {
			continue
		}
		for _, e := range op["extensions"].([]any) {
			ext := e.(map[string]any)
			if ext["name"] != urn {
				continue
			}
			list, _ := ext["messages"].([]any)
			for _, m := range list {
				messages = append(messages, m.(map[string]any))
			}
			return get(ext, "status.result").(string), messages
		}
	}
	t.Fatalf("no extension %s in operation %d of %s", urn, opIndex, mustJSON(t, status))
	return "", nil
}

// approver creates a user holding the given spend roles and returns its id.
func (c *apiClient) approver(empID string, roles ...string) string {
	c.t.Helper()
	list := []any{}
	for _, r := range roles {
		list = append(list, map[string]any{"roleName": r, "roleGroups": []any{}})
	}
	id, pid := c.upsCreate(upsUserDoc(empID, schemaSpendUser, spendDoc(), schemaSpendRole, map[string]any{"roles": list}))
	if st := c.status(pid, ""); get(st, "status.success") != true {
		c.t.Fatalf("approver %s: %s", empID, mustJSON(c.t, st))
	}
	return id
}

func TestUPSCreateWithFullProfileIsReadThroughIdentitySpendAndTravel(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	approverID := c.approver("900", "EXP_APPROVER", "REQ_APPROVER")
	doc := upsUserDoc("1001",
		schemaSpendUser, map[string]any{
			"reimbursementCurrency": "EUR", "country": "DE", "locale": "de-DE", "stateProvince": "BY", "ledgerCode": "DEFAULT",
			"cashAdvanceAccountCode": "1234", "reimbursementType": "OTHER", "testEmployee": true, "nonEmployee": false,
			"officeLocationCountry": "DE", "officeLocationCity": "Munich",
			"customData": []any{map[string]any{"id": "custom1", "value": "tf-concur:hr"}, map[string]any{"id": "orgUnit1", "value": "R&D"}},
		},
		schemaSpendRole, map[string]any{"roles": []any{map[string]any{"roleName": "EXP_PROCESSOR", "roleGroups": []any{"R&D-QA"}}}},
		schemaSpendApprover, map[string]any{
			"report":  []any{map[string]any{"approver": map[string]any{"employeeNumber": "900"}, "primary": true}},
			"request": []any{map[string]any{"approver": map[string]any{"value": approverID}, "primary": true}},
		},
		schemaTravelUser, map[string]any{
			"ruleClass": map[string]any{"name": "Executive Travel Class"}, "gender": "Female", "orgUnit": "OU1",
			"groups": []any{7, 8}, "manager": map[string]any{"employeeNumber": "900"},
			"customFields": []any{map[string]any{"name": "Cost Code", "value": "484"}},
		})
	doc["entitlements"] = []any{"Expense", "Travel"}
	resp := c.do(http.MethodPost, upsUsers, doc)
	expectStatus(t, resp, 201)
	id := resp.body["id"].(string)
	pid, _ := get(resp.body, "meta.provisionId").(string)
	if !strings.HasSuffix(get(resp.body, "meta.statusUrl").(string), "/profile/v4/provisions/"+pid+"/status") ||
		!strings.Contains(get(resp.body, "meta.location").(string), "/profile/identity/v4/Users/"+id) {
		t.Errorf("meta %v", resp.body["meta"])
	}

	st := c.status(pid, "")
	if get(st, "status.completed") != true || get(st, "status.success") != true || get(st, "meta.provisionType") != "User" ||
		get(st, "operationsCount.success") != float64(1) || get(st, "totalResults") != float64(1) {
		t.Fatalf("status %s", mustJSON(t, st))
	}
	for _, urn := range []string{schemaUser, schemaEnterprise, schemaSpendUser, schemaSpendRole, schemaSpendApprover, schemaTravelUser} {
		if result, msgs := extensionOutcome(t, st, 1, urn); result != "success" {
			t.Errorf("%s: %s %v", urn, result, msgs)
		}
	}
	if result, _ := extensionOutcome(t, st, 1, opaqueExtensions[0]); result != "no-op" {
		t.Errorf("an extension not sent: %s, want no-op", result)
	}

	identity := c.do(http.MethodGet, usersV41+"/"+id+"?attributes=userName,entitlements", nil)
	expectStatus(t, identity, 200)
	if identity.body["userName"] != "user1001@example.com" || mustJSON(t, identity.body["entitlements"]) != `["Expense","Travel"]` {
		t.Errorf("identity %s", identity.raw)
	}

	spend := c.do(http.MethodGet, spendList+"/"+id, nil)
	expectStatus(t, spend, 200)
	su := spend.body[schemaSpendUser].(map[string]any)
	if su["reimbursementCurrency"] != "EUR" || su["country"] != "DE" || su["stateProvince"] != "BY" || su["testEmployee"] != true ||
		su["officeLocationCity"] != "Munich" || su["budgetCountryCode"] != nil ||
		mustJSON(t, su["customData"]) != `[{"id":"custom1","value":"tf-concur:hr"},{"id":"orgUnit1","value":"R\u0026D"}]` {
		t.Errorf("spend user %s", mustJSON(t, su))
	}
	if got := mustJSON(t, spend.body[schemaSpendRole]); got != `{"roles":[{"roleName":"EXP_USER"},{"roleGroups":["R\u0026D-QA"],"roleName":"EXP_PROCESSOR"}]}` {
		t.Errorf("roles %s (EXP_USER follows the Expense entitlement)", got)
	}
	if got := mustJSON(t, spend.body[schemaSpendApprover]); got != fmt.Sprintf(`{"report":[{"approver":{"value":%q},"primary":true}],"request":[{"approver":{"value":%q},"primary":true}]}`, approverID, approverID) {
		t.Errorf("approvers %s", got)
	}
	if !strings.HasSuffix(get(spend.body, "meta.location").(string), "/profile/spend/v4/Users/"+id) {
		t.Errorf("spend meta %v", spend.body["meta"])
	}

	travel := c.do(http.MethodGet, "/profile/travel/v4/Users/"+id, nil)
	expectStatus(t, travel, 200)
	tu := travel.body[schemaTravelUser].(map[string]any)
	if mustJSON(t, tu["ruleClass"]) != `{"id":100002,"name":"Executive Travel Class"}` || tu["gender"] != "Female" ||
		mustJSON(t, tu["manager"]) != fmt.Sprintf(`{"employeeNumber":"900","value":%q}`, approverID) || mustJSON(t, tu["groups"]) != `[7,8]` {
		t.Errorf("travel %s", travel.raw)
	}
	// The identity-only user has no spend or travel profile.
	plain := c.create(userDoc("2"))["id"].(string)
	expectStatus(t, c.do(http.MethodGet, spendList+"/"+plain, nil), 404)
	expectStatus(t, c.do(http.MethodGet, "/profile/travel/v4/Users/"+plain, nil), 404)
}

func TestBulkReportsASpendErrorAndKeepsTheIdentity(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	bad := spendDoc()
	bad["reimbursementCurrency"] = "ZZZ"
	resp := c.do(http.MethodPost, upsBulk, bulkBody(
		bulkPost("b1", upsUserDoc("1", schemaSpendUser, spendDoc())),
		bulkPost("b2", upsUserDoc("2", schemaSpendUser, bad)),
		bulkPost("b3", upsUserDoc("3", schemaSpendUser, spendDoc())),
	))
	expectStatus(t, resp, 202)
	if get(resp.body, "meta.provisionType") != "Bulk" || get(resp.body, "operationsCount.total") != float64(3) {
		t.Errorf("202 body %s", resp.raw)
	}
	st := c.status(resp.body["id"].(string), "")
	if get(st, "status.completed") != true || get(st, "status.success") != false ||
		get(st, "operationsCount.success") != float64(2) || get(st, "operationsCount.failed") != float64(1) {
		t.Fatalf("status %s", mustJSON(t, st))
	}
	result, msgs := extensionOutcome(t, st, 2, schemaSpendUser)
	if result != "error" || len(msgs) != 1 || msgs[0]["code"] != "INVALID_VALUE" ||
		msgs[0]["schemaPath"] != schemaSpendUser+":reimbursementCurrency" || msgs[0]["type"] != "error" {
		t.Errorf("op 2 spend: %s %v", result, msgs)
	}
	if result, _ := extensionOutcome(t, st, 2, schemaUser); result != "success" {
		t.Errorf("op 2 identity: %s", result)
	}
	ops := st["operations"].([]any)
	op2 := ops[1].(map[string]any)
	if op2["bulkId"] != "b2" || get(op2, "status.success") != false || get(op2, "status.code") != "400" || get(op2, "resource.type") != "User" {
		t.Errorf("op 2 %s", mustJSON(t, op2))
	}
	// Every identity is saved; only op 2 lacks its spend profile.
	for _, emp := range []string{"1", "2", "3"} {
		u := c.user(emp)
		want := 200
		if emp == "2" {
			want = 404
		}
		expectStatus(t, c.do(http.MethodGet, spendList+"/"+u["id"].(string), nil), want)
	}
	failed := c.status(resp.body["id"].(string), "&state=failed")
	if get(failed, "totalResults") != float64(1) || len(failed["operations"].([]any)) != 1 {
		t.Errorf("state=failed %s", mustJSON(t, failed))
	}
	// Retrying only the spend extension with PATCH fixes the user.
	id := c.user("2")["id"].(string)
	patch := c.do(http.MethodPatch, upsUsers+"/"+id, patchBody(op("replace", schemaSpendUser, spendDoc())))
	expectStatus(t, patch, 200)
	if r, m := extensionOutcome(t, c.status(get(patch.body, "meta.provisionId").(string), ""), 1, schemaSpendUser); r != "success" {
		t.Errorf("retry: %s %v", r, m)
	}
}

func TestIdentityFailureStopsTheOperation(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	c.create(userDoc("1"))
	dup := upsUserDoc("1", schemaSpendUser, spendDoc())
	dup["userName"] = "other@example.com"
	resp := c.do(http.MethodPost, upsBulk, bulkBody(bulkPost("dup", dup)))
	expectStatus(t, resp, 202)
	st := c.status(resp.body["id"].(string), "")
	result, msgs := extensionOutcome(t, st, 1, schemaEnterprise)
	if result != "error" || len(msgs) != 1 || !strings.Contains(msgs[0]["message"].(string), "employeeNumber") {
		t.Errorf("enterprise: %s %v", result, msgs)
	}
	if result, _ := extensionOutcome(t, st, 1, schemaSpendUser); result != "not-processed" {
		t.Errorf("spend after an identity failure: %s", result)
	}
	if op := st["operations"].([]any)[0].(map[string]any); get(op, "status.code") != "409" || get(op, "resource.id") != nil {
		t.Errorf("op %s", mustJSON(t, op))
	}
	if c.srv.UserCount() != 1 || len(c.srv.spendUsers()) != 0 {
		t.Errorf("%d users, %d spend users after a failed create", c.srv.UserCount(), len(c.srv.spendUsers()))
	}

	// A single /Users write answers the identity failure itself, as the Identity API does.
	single := c.do(http.MethodPost, upsUsers, with(upsUserDoc("2", schemaSpendUser, spendDoc()), "name.givenName", nil))
	expectStatus(t, single, 400)
	if got := scimMessages(single.body); !slices.Equal(got, []string{"name.givenName"}) {
		t.Errorf("schemaPaths %v", got)
	}
	if c.srv.UserCount() != 1 {
		t.Error("an invalid create was stored")
	}
}

// fakeClock is the UPS clock of a test: provision requests fall due when the test says.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeClock) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
}

func TestProvisionsStayPendingUntilTheDelayHasPassed(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	clock := &fakeClock{t: time.Now()}
	c.srv.ups.now = clock.now
	c.srv.SetProvisionDelay(time.Hour) // the real timer never fires during the test

	resp := c.do(http.MethodPost, upsBulk, bulkBody(bulkPost("b1", upsUserDoc("1", schemaSpendUser, spendDoc()))))
	expectStatus(t, resp, 202)
	bulkID := resp.body["id"].(string)
	id, single := c.upsCreate(upsUserDoc("2", schemaSpendUser, spendDoc()))

	for _, pid := range []string{bulkID, single} {
		st := c.status(pid, "")
		if get(st, "status.completed") != false || get(st, "status.success") != nil || get(st, "operationsCount.pending") != float64(1) ||
			get(st, "meta.completed") != nil {
			t.Errorf("pending status %s", mustJSON(t, st))
		}
		if r, _ := extensionOutcome(t, st, 1, schemaSpendUser); r != "processing" {
			t.Errorf("spend while pending: %s", r)
		}
	}
	if _, ok := c.srv.UserByEmployeeNumber("1"); ok {
		t.Error("a pending bulk create is already saved")
	}
	// A single write's identity is saved at once; its extensions wait.
	expectStatus(t, c.do(http.MethodGet, usersV41+"/"+id, nil), 200)
	expectStatus(t, c.do(http.MethodGet, spendList+"/"+id, nil), 404)

	clock.advance(time.Hour)
	for _, pid := range []string{bulkID, single} {
		st := c.status(pid, "")
		if get(st, "status.completed") != true || get(st, "status.success") != true || get(st, "meta.completed") == nil {
			t.Errorf("completed status %s", mustJSON(t, st))
		}
	}
	c.user("1")
	expectStatus(t, c.do(http.MethodGet, spendList+"/"+id, nil), 200)
}

func TestProvisionDelayRunsWithoutPolling(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	c.srv.SetProvisionDelay(time.Millisecond)
	resp := c.do(http.MethodPost, upsBulk, bulkBody(bulkPost("b1", upsUserDoc("1"))))
	expectStatus(t, resp, 202)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if _, ok := c.srv.UserByEmployeeNumber("1"); ok {
			return
		}
	}
	t.Fatal("the delayed bulk never ran")
}

func TestBulkLimitsAndOperationRules(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	var ops []map[string]any
	for i := range 101 {
		ops = append(ops, bulkPost(fmt.Sprint(i), upsUserDoc(fmt.Sprint(i))))
	}
	resp := c.do(http.MethodPost, upsBulk, bulkBody(ops...))
	expectStatus(t, resp, 413)
	if !strings.Contains(resp.body["detail"].(string), "100 operations") {
		t.Errorf("101 operations: %s", resp.raw)
	}
	big := upsUserDoc("1")
	big["title"] = strings.Repeat("x", 410*1024)
	resp = c.do(http.MethodPost, upsBulk, bulkBody(bulkPost("b", big)))
	expectStatus(t, resp, 413)
	if !strings.Contains(resp.body["detail"].(string), "400 KB") {
		t.Errorf("a large body: %s", resp.raw)
	}
	id := c.create(userDoc("5"))["id"].(string)
	for name, op := range map[string]map[string]any{
		"POST without bulkId":      {"method": "POST", "path": "/Users", "data": upsUserDoc("6")},
		"PUT without data.id":      {"method": "PUT", "path": "/Users/" + id, "bulkId": "p", "data": upsUserDoc("5")},
		"PATCH without an id":      {"method": "PATCH", "path": "/Users", "data": map[string]any{"Operations": []any{}}},
		"an unknown method":        {"method": "GET", "path": "/Users/" + id},
		"a path that is not Users": {"method": "DELETE", "path": "/Groups/" + id},
	} {
		if resp := c.do(http.MethodPost, upsBulk, bulkBody(op)); resp.status != 400 || !strings.Contains(resp.body["detail"].(string), "Operations[0]") {
			t.Errorf("%s: %d %s", name, resp.status, resp.raw)
		}
	}
	expectStatus(t, c.do(http.MethodPost, upsBulk, map[string]any{"Operations": []any{}}), 400)
	if c.srv.UserCount() != 1 {
		t.Errorf("refused bulk requests stored users: %d", c.srv.UserCount())
	}
	// PUT with the id in both places, and DELETE, are accepted.
	put := upsUserDoc("5")
	put["id"], put["title"] = id, "Clerk"
	resp = c.do(http.MethodPost, upsBulk+"/", bulkBody(map[string]any{"method": "PUT", "path": "/Users/" + id, "bulkId": "p", "data": put}))
	expectStatus(t, resp, 202)
	if u := c.user("5"); u["title"] != "Clerk" {
		t.Errorf("after bulk PUT: %v", u["title"])
	}
	expectStatus(t, c.do(http.MethodPost, upsBulk, bulkBody(bulkPatch(id, op("replace", "title", "Buyer")))), 202)
	if u := c.user("5"); u["title"] != "Buyer" {
		t.Errorf("after bulk PATCH: %v", u["title"])
	}
	expectStatus(t, c.do(http.MethodPost, upsBulk, bulkBody(map[string]any{"method": "DELETE", "path": "/Users/" + id})), 202)
	if c.srv.UserCount() != 0 {
		t.Error("bulk DELETE left the user")
	}
}

func TestUPSScopes(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	for _, scope := range []string{scopeSpendWrite, scopeProvisionRead, scopeSpendRead} {
		if err := c.srv.WithoutScopes(scope); err != nil {
			t.Fatal(err)
		}
	}
	c.token = c.companyToken()
	expectScope := func(resp apiResponse, scope string) {
		t.Helper()
		expectStatus(t, resp, 403)
		if !strings.Contains(resp.header.Get("WWW-Authenticate"), `scope="`+scope+`"`) || !strings.Contains(resp.body["detail"].(string), scope) {
			t.Errorf("403 for %s: %q %s", scope, resp.header.Get("WWW-Authenticate"), resp.raw)
		}
	}
	expectScope(c.do(http.MethodPost, upsUsers, upsUserDoc("1", schemaSpendUser, spendDoc())), scopeSpendWrite)
	expectScope(c.do(http.MethodPost, upsBulk, bulkBody(bulkPost("b", upsUserDoc("1", schemaSpendRole, map[string]any{"roles": []any{}})))), scopeSpendWrite)
	if c.srv.UserCount() != 0 {
		t.Error("a refused write stored a user")
	}
	// Identity and travel data need no spend scope.
	id, pid := c.upsCreate(upsUserDoc("1", schemaTravelUser, map[string]any{"ruleClass": map[string]any{"id": 100001}}))
	expectScope(c.do(http.MethodGet, "/profile/v4/provisions/"+pid+"/status", nil), scopeProvisionRead)
	expectScope(c.do(http.MethodGet, spendList+"/"+id, nil), scopeSpendRead)
	expectScope(c.do(http.MethodGet, spendList, nil), scopeSpendRead)

	if err := c.srv.WithoutScopes(scopeProvisionWrite); err != nil {
		t.Fatal(err)
	}
	c.token = c.companyToken()
	expectScope(c.do(http.MethodPatch, upsUsers+"/"+id, patchBody(op("replace", "title", "x"))), scopeProvisionWrite)
	expectScope(c.do(http.MethodPost, upsBulk, bulkBody(bulkPost("b", upsUserDoc("2")))), scopeProvisionWrite)
	expectScope(c.do(http.MethodDelete, upsUsers+"/"+id, nil), scopeProvisionWrite)
}

func TestApproversNeedTheMatchingRole(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	approverID := c.approver("900", "REQ_APPROVER")
	id, _ := c.upsCreate(upsUserDoc("1", schemaSpendUser, spendDoc()))
	report := map[string]any{"report": []any{map[string]any{"approver": map[string]any{"value": approverID}, "primary": true}}}

	resp := c.do(http.MethodPatch, upsUsers+"/"+id, patchBody(op("replace", "", map[string]any{schemaSpendApprover: report})))
	expectStatus(t, resp, 200)
	result, msgs := extensionOutcome(t, c.status(get(resp.body, "meta.provisionId").(string), ""), 1, schemaSpendApprover)
	if result != "error" || len(msgs) != 1 || !strings.Contains(msgs[0]["message"].(string), "EXP_APPROVER") ||
		msgs[0]["schemaPath"] != schemaSpendApprover+":report[0].approver" {
		t.Errorf("an approver without EXP_APPROVER: %s %v", result, msgs)
	}
	// Granting the role through a path that addresses the Role extension lets the same write pass.
	c.do(http.MethodPatch, upsUsers+"/"+approverID, patchBody(op("add", schemaSpendRole+":roles", []any{map[string]any{"roleName": "EXP_APPROVER"}})))
	resp = c.do(http.MethodPatch, upsUsers+"/"+id, patchBody(op("replace", "", map[string]any{schemaSpendApprover: report})))
	if result, msgs := extensionOutcome(t, c.status(get(resp.body, "meta.provisionId").(string), ""), 1, schemaSpendApprover); result != "success" {
		t.Errorf("with the role: %s %v", result, msgs)
	}
	// Non-primary approvers only for report and request.
	resp = c.do(http.MethodPatch, upsUsers+"/"+id, patchBody(op("replace", schemaSpendApprover+":invoice",
		[]any{map[string]any{"approver": map[string]any{"value": approverID}, "primary": false}})))
	if _, msgs := extensionOutcome(t, c.status(get(resp.body, "meta.provisionId").(string), ""), 1, schemaSpendApprover); len(msgs) == 0 ||
		msgs[0]["schemaPath"] != schemaSpendApprover+":invoice[0].primary" {
		t.Errorf("a non-primary invoice approver: %v", msgs)
	}
}

func TestTestEmployeeIsSetOnlyAtCreation(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	first := spendDoc()
	first["testEmployee"] = true
	id, _ := c.upsCreate(upsUserDoc("1", schemaSpendUser, first))

	resp := c.do(http.MethodPatch, upsUsers+"/"+id, patchBody(op("replace", schemaSpendUser+":testEmployee", false)))
	result, msgs := extensionOutcome(t, c.status(get(resp.body, "meta.provisionId").(string), ""), 1, schemaSpendUser)
	if result != "error" || len(msgs) != 1 || msgs[0]["schemaPath"] != schemaSpendUser+":testEmployee" {
		t.Errorf("changing testEmployee: %s %v", result, msgs)
	}
	// A replace that leaves it out keeps it; other attributes change.
	resp = c.do(http.MethodPatch, upsUsers+"/"+id, patchBody(op("replace", schemaSpendUser, map[string]any{"reimbursementCurrency": "GBP", "country": "GB", "locale": "en-GB"})))
	if result, msgs := extensionOutcome(t, c.status(get(resp.body, "meta.provisionId").(string), ""), 1, schemaSpendUser); result != "success" {
		t.Errorf("replace: %s %v", result, msgs)
	}
	spend := c.do(http.MethodGet, spendList+"/"+id, nil)
	if spendAttr(spend.body, "testEmployee") != true || spendAttr(spend.body, "country") != "GB" {
		t.Errorf("after replace: %s", mustJSON(t, spend.body[schemaSpendUser]))
	}
}

func TestExtensionFailureKnob(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	if err := c.srv.SetExtensionFailures(ExtensionFailure{Extension: "urn:nope"}); err == nil || !strings.Contains(err.Error(), schemaSpendUser) {
		t.Errorf("an unknown extension: %v", err)
	}
	if err := c.srv.SetExtensionFailures(ExtensionFailure{Extension: schemaSpendUser, EmployeeNumber: "2"}); err != nil {
		t.Fatal(err)
	}
	resp := c.do(http.MethodPost, upsBulk, bulkBody(
		bulkPost("b1", upsUserDoc("1", schemaSpendUser, spendDoc())),
		bulkPost("b2", upsUserDoc("2", schemaSpendUser, spendDoc())),
	))
	st := c.status(resp.body["id"].(string), "")
	if r, _ := extensionOutcome(t, st, 1, schemaSpendUser); r != "success" {
		t.Errorf("employee 1: %s", r)
	}
	if r, msgs := extensionOutcome(t, st, 2, schemaSpendUser); r != "error" || msgs[0]["code"] != "SERVICE_UNAVAILABLE" {
		t.Errorf("employee 2: %s %v", r, msgs)
	}
	c.user("2") // the identity is saved

	if err := c.srv.SetExtensionFailures(ExtensionFailure{Extension: schemaUser}); err != nil {
		t.Fatal(err)
	}
	expectStatus(t, c.do(http.MethodPost, upsUsers, upsUserDoc("3")), 503)
	if err := c.srv.SetExtensionFailures(); err != nil {
		t.Fatal(err)
	}
	c.upsCreate(upsUserDoc("3"))
}

func TestUPSPatchAddressesExtensionAttributes(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	first := spendDoc()
	first["customData"] = []any{map[string]any{"id": "custom2", "value": "old"}}
	id, _ := c.upsCreate(upsUserDoc("1", schemaSpendUser, first))
	resp := c.do(http.MethodPatch, upsUsers+"/"+id+"/", patchBody(
		op("replace", "title", "Buyer"),
		op("replace", schemaSpendUser+`:customData[id eq "custom2"].value`, "new"),
		op("add", schemaSpendUser+`:customData[id eq "custom5"].value`, "five"),
		op("replace", schemaSpendUser+":ledgerCode", "LEDGER"),
	))
	expectStatus(t, resp, 200)
	if resp.body["title"] != "Buyer" {
		t.Errorf("identity part: %v", resp.body["title"])
	}
	spend := c.do(http.MethodGet, spendList+"/"+id, nil)
	if got := mustJSON(t, spendAttr(spend.body, "customData")); got != `[{"id":"custom2","value":"new"},{"id":"custom5","value":"five"}]` ||
		spendAttr(spend.body, "ledgerCode") != "LEDGER" {
		t.Errorf("spend after patch: %s", mustJSON(t, spend.body[schemaSpendUser]))
	}
	// A PUT replaces the identity and leaves extensions it does not carry alone.
	put := c.do(http.MethodPut, upsUsers+"/"+id, upsUserDoc("1"))
	expectStatus(t, put, 200)
	if put.body["title"] != nil || spendAttr(c.do(http.MethodGet, spendList+"/"+id, nil).body, "ledgerCode") != "LEDGER" {
		t.Errorf("after PUT: title %v", put.body["title"])
	}
	expectStatus(t, c.do(http.MethodDelete, upsUsers+"/"+id, nil), 204)
	expectStatus(t, c.do(http.MethodGet, spendList+"/"+id, nil), 404)
	expectStatus(t, c.do(http.MethodGet, usersV41+"/"+id, nil), 404)
}

func TestSpendReadPagesAndFilters(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	var ops []map[string]any
	for i := 1; i <= 5; i++ {
		sd := spendDoc()
		if i%2 == 0 {
			sd["country"] = "DE"
			sd["customData"] = []any{map[string]any{"id": "custom1", "value": fmt.Sprint("owner-", i)}}
		}
		ops = append(ops, bulkPost(fmt.Sprint(i), upsUserDoc(fmt.Sprint(i), schemaSpendUser, sd)))
	}
	ops = append(ops, bulkPost("plain", upsUserDoc("6"))) // no spend profile: not listed
	expectStatus(t, c.do(http.MethodPost, upsBulk, bulkBody(ops...)), 202)

	idsOf := func(body map[string]any) []string {
		var out []string
		for _, r := range body["Resources"].([]any) {
			u, _ := c.srv.users.get(r.(map[string]any)["id"].(string))
			out = append(out, u.Enterprise.EmployeeNumber)
		}
		return out
	}
	page := c.do(http.MethodGet, spendList+"?startIndex=2&count=2", nil)
	expectStatus(t, page, 200)
	if got := idsOf(page.body); !slices.Equal(got, []string{"2", "3"}) || page.body["totalResults"] != float64(5) ||
		page.body["startIndex"] != float64(2) || page.body["itemsPerPage"] != float64(2) {
		t.Errorf("page 2: %v %s", got, page.raw[:200])
	}
	for filter, want := range map[string][]string{
		schemaSpendUser + `:country eq "DE"`:                 {"2", "4"},
		`country ne "DE"`:                                    {"1", "3", "5"},
		`testEmployee eq false`:                              {"1", "2", "3", "4", "5"},
		`customData[id eq "custom1" and value eq "owner-4"]`: {"4"},
	} {
		resp := c.do(http.MethodGet, spendList+"?filter="+url.QueryEscape(filter), nil)
		expectStatus(t, resp, 200)
		if got := idsOf(resp.body); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", filter, got, want)
		}
	}
	id := c.user("1")["id"].(string)
	for _, query := range []string{"filter=" + url.QueryEscape(`id eq "`+id+`"`), "filter=" + url.QueryEscape(`country eq "US" and locale eq "en-US"`),
		"filter=" + url.QueryEscape(`country sw "U"`), "count=101", "startIndex=0"} {
		expectStatus(t, c.do(http.MethodGet, spendList+"?"+query, nil), 400)
	}
}

func TestUPSEndpointsAreCounted(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	c.srv.ResetCounters()
	_, pid := c.upsCreate(upsUserDoc("1"))
	c.status(pid, "")
	c.do(http.MethodGet, spendList, nil)
	stats := readStats(t, c.http, c.base)
	for _, key := range []string{"POST /profile/v4/Users", "GET /profile/v4/provisions/{id}/status", "GET /profile/spend/v4.1/Users"} {
		if stats.Requests[key] != 1 {
			t.Errorf("%s counted %d times: %v", key, stats.Requests[key], stats.Requests)
		}
	}
}
