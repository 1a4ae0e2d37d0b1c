package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

const spendUserURN = "urn:ietf:params:scim:schemas:extension:spend:2.0:User"

func bulkCreate(empIDs ...string) map[string]any {
	var ops []any
	for _, emp := range empIDs {
		user := newUser(emp)
		user[spendUserURN] = map[string]any{"reimbursementCurrency": "USD", "country": "US", "locale": "en-US"}
		ops = append(ops, map[string]any{"method": "POST", "path": "/Users", "bulkId": emp, "data": user})
	}
	return map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:BulkRequest"}, "Operations": ops}
}

// provisionStatus submits a bulk request and reads its detailed status.
func (c *rigClient) provisionStatus(bulk map[string]any) map[string]any {
	c.t.Helper()
	resp, raw := c.do(http.MethodPost, "/profile/v4/Bulk", bulk)
	var accepted map[string]any
	if err := json.Unmarshal(raw, &accepted); err != nil || resp.StatusCode != http.StatusAccepted {
		c.t.Fatalf("bulk: %d %s", resp.StatusCode, raw)
	}
	resp, raw = c.do(http.MethodGet, "/profile/v4/provisions/"+accepted["id"].(string)+"/status?attributes=operations", nil)
	var status map[string]any
	if err := json.Unmarshal(raw, &status); err != nil || resp.StatusCode != http.StatusOK {
		c.t.Fatalf("status: %d %s", resp.StatusCode, raw)
	}
	return status
}

func TestFailExtensionFlagFailsOneEmployeesSpendUser(t *testing.T) {
	vars, out := startWithOutput(t, "-fail-extension", spendUserURN+"=B")
	if !strings.Contains(out.String(), "Failing User Provisioning extensions: "+spendUserURN+"=B") {
		t.Errorf("the output does not name the failing extension:\n%s", out)
	}
	c := newRigClient(t, vars)
	status := c.provisionStatus(bulkCreate("A", "B"))
	counts, _ := status["operationsCount"].(map[string]any)
	if counts["success"] != float64(1) || counts["failed"] != float64(1) {
		t.Fatalf("operationsCount %v", counts)
	}
	failed := status["operations"].([]any)[1].(map[string]any)
	if failed["bulkId"] != "B" || !strings.Contains(mustMarshal(t, failed), `"code":"503"`) {
		t.Errorf("operation B: %s", mustMarshal(t, failed))
	}
}

func TestProvisionDelayFlagKeepsRequestsPending(t *testing.T) {
	vars, out := startWithOutput(t, "-provision-delay", "1h")
	if !strings.Contains(out.String(), "Provision requests stay pending for 1h0m0s") {
		t.Errorf("the output does not give the delay:\n%s", out)
	}
	c := newRigClient(t, vars)
	status := c.provisionStatus(bulkCreate("A"))
	if s, _ := status["status"].(map[string]any); s["completed"] != false {
		t.Errorf("status with a 1h delay: %v", s)
	}
}

func TestFailExtensionFlagIsChecked(t *testing.T) {
	err := run(t.Context(), []string{"-fail-extension", "urn:nope=1", "-addr", "127.0.0.1:0"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `unknown extension "urn:nope"`) {
		t.Errorf("-fail-extension urn:nope: %v", err)
	}
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}
