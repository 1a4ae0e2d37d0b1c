package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
)

// rigClient calls a sandbox the command serves with the credentials it printed, one connection
// a request, so a dropped connection shows as an error.
type rigClient struct {
	t     *testing.T
	vars  map[string]string
	http  *http.Client
	token string
}

func newRigClient(t *testing.T, vars map[string]string) *rigClient {
	c := &rigClient{t: t, vars: vars, http: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}}
	status, body := c.refresh(vars["CONCUR_REFRESH_TOKEN"])
	if status != http.StatusOK {
		t.Fatalf("token with the printed refresh token: %d %v", status, body)
	}
	c.token = body["access_token"].(string)
	return c
}

func (c *rigClient) tokenRequest(form url.Values) (int, map[string]any) {
	c.t.Helper()
	form.Set("client_id", c.vars["CONCUR_CLIENT_ID"])
	form.Set("client_secret", c.vars["CONCUR_CLIENT_SECRET"])
	resp, err := c.http.PostForm(c.vars["CONCUR_BASE_URL"]+"/oauth2/v0/token", form)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func (c *rigClient) refresh(refreshToken string) (int, map[string]any) {
	return c.tokenRequest(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}})
}

// try sends an API request with the client's token; err is a connection closed unanswered.
func (c *rigClient) try(method, path string, body any) (*http.Response, []byte, error) {
	c.t.Helper()
	var reader io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.vars["CONCUR_BASE_URL"]+path, reader)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp, raw, err
}

func (c *rigClient) do(method, path string, body any) (*http.Response, []byte) {
	c.t.Helper()
	resp, raw, err := c.try(method, path, body)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp, raw
}

func (c *rigClient) stats() sandbox.Stats {
	c.t.Helper()
	resp, raw := c.do(http.MethodGet, sandbox.StatsPath, nil)
	var stats sandbox.Stats
	if err := json.Unmarshal(raw, &stats); err != nil || resp.StatusCode != http.StatusOK {
		c.t.Fatalf("GET %s: %d %s", sandbox.StatsPath, resp.StatusCode, raw)
	}
	return stats
}

const (
	usersPath  = "/profile/identity/v4.1/Users"
	searchPath = usersPath + "/.search"
)

func newUser(empID string) map[string]any {
	return map[string]any{
		"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName": "u" + empID + "@example.com",
		"name":     map[string]any{"givenName": "U", "familyName": empID},
		"emails":   []any{map[string]any{"type": "work", "value": "u" + empID + "@example.com"}},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": map[string]any{
			"companyId": sandbox.DefaultCredentials.CompanyID, "employeeNumber": empID,
		},
	}
}

var searchAll = map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:concur:2.0:SearchRequest"}}

func TestFaultFlagsInjectTheirFaults(t *testing.T) {
	users := `GET ` + usersPath
	t.Run("5xx on one endpoint", func(t *testing.T) {
		c := newRigClient(t, startWithEnvFile(t, "-fault-5xx-rate", "1", "-fault-5xx-status", "502", "-fault-endpoint", users))
		if resp, _ := c.do(http.MethodGet, usersPath, nil); resp.StatusCode != http.StatusBadGateway {
			t.Errorf("GET /Users: %d, want 502", resp.StatusCode)
		}
		if resp, _ := c.do(http.MethodPost, searchPath, searchAll); resp.StatusCode != http.StatusOK {
			t.Errorf("search, not a faulted endpoint: %d", resp.StatusCode)
		}
		if got := c.stats().Faults; got != (sandbox.FaultCounts{Errors: 1}) {
			t.Errorf("fault counts %+v", got)
		}
	})
	t.Run("429 with Retry-After", func(t *testing.T) {
		c := newRigClient(t, startWithEnvFile(t, "-fault-429-rate", "1", "-retry-after", "3s", "-fault-endpoint", users))
		resp, _ := c.do(http.MethodGet, usersPath, nil)
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "3" {
			t.Errorf("GET /Users: %d, Retry-After %q; want 429 and 3", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	})
	t.Run("dropped connections", func(t *testing.T) {
		c := newRigClient(t, startWithEnvFile(t, "-fault-drop-rate", "1", "-fault-endpoint", users))
		if _, _, err := c.try(http.MethodGet, usersPath, nil); err == nil {
			t.Error("GET /Users was answered; want the connection closed")
		}
		if got := c.stats().Faults; got != (sandbox.FaultCounts{Dropped: 1}) {
			t.Errorf("fault counts %+v", got)
		}
	})
	t.Run("lost creates", func(t *testing.T) {
		c := newRigClient(t, startWithEnvFile(t, "-fault-lost-create-rate", "1"))
		if _, _, err := c.try(http.MethodPost, usersPath, newUser("E1")); err == nil {
			t.Fatal("the create was answered; want its reply lost")
		}
		_, raw := c.do(http.MethodPost, searchPath, searchAll)
		if !strings.Contains(string(raw), `"employeeNumber":"E1"`) {
			t.Errorf("the lost create was not stored: %s", raw)
		}
	})
}

// A CI run is repeatable: the start-up line names the seed, and the same seed gives the same
// faults to the same requests.
func TestFaultSeedIsPrintedAndRepeatsTheRun(t *testing.T) {
	statuses := func(args ...string) (string, string) {
		vars, out := startWithOutput(t, append([]string{"-fault-5xx-rate", "0.4", "-fault-endpoint", "GET " + usersPath}, args...)...)
		c := newRigClient(t, vars)
		var b strings.Builder
		for range 30 {
			resp, _ := c.do(http.MethodGet, usersPath, nil)
			b.WriteString(resp.Status[:3] + " ")
		}
		return b.String(), out.String()
	}
	first, out := statuses()
	seed := regexp.MustCompile(`-fault-seed (-?\d+)`).FindStringSubmatch(out)
	if seed == nil || !strings.Contains(out, "Faults on GET "+usersPath+": 40% 503") {
		t.Fatalf("the start-up output does not describe the faults and their seed:\n%s", out)
	}
	if !strings.Contains(first, "503") || !strings.Contains(first, "200") {
		t.Fatalf("30 requests at 40 %% 503: %s", first)
	}
	if again, _ := statuses("-fault-seed", seed[1]); again != first {
		t.Errorf("-fault-seed %s gave\n%s\nthe first run gave\n%s", seed[1], again, first)
	}
}

func TestWithoutScopeFlag(t *testing.T) {
	vars, out := startWithOutput(t, "-without-scope", "identity.user.delete", "-without-scope", "identity.user.externalID.writeonly")
	c := newRigClient(t, vars)
	_, body := c.refresh(vars["CONCUR_REFRESH_TOKEN"])
	if scope := body["scope"].(string); strings.Contains(scope, "identity.user.delete") || strings.Contains(scope, "externalID") ||
		!strings.Contains(scope, "identity.user.coreenterprise.writeonly") {
		t.Errorf("token scope %q", scope)
	}
	if !strings.Contains(out.String(), "Tokens lack the scopes: identity.user.delete identity.user.externalID.writeonly") {
		t.Errorf("the output does not say which scopes tokens lack:\n%s", out)
	}
	resp, raw := c.do(http.MethodPost, usersPath, newUser("E1"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create: %d %s", resp.StatusCode, raw)
	}
	var created map[string]any
	_ = json.Unmarshal(raw, &created)
	resp, raw = c.do(http.MethodDelete, usersPath+"/"+created["id"].(string), nil)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(raw), "insufficient_scope") ||
		!strings.Contains(resp.Header.Get("WWW-Authenticate"), `scope="identity.user.delete"`) {
		t.Errorf("DELETE without the scope: %d %s %q", resp.StatusCode, raw, resp.Header.Get("WWW-Authenticate"))
	}
}

func TestRotateRefreshTokensFlag(t *testing.T) {
	vars, out := startWithOutput(t, "-rotate-refresh-tokens")
	c := newRigClient(t, vars) // spends the printed refresh token
	if status, body := c.refresh(vars["CONCUR_REFRESH_TOKEN"]); status != http.StatusBadRequest || body["code"] != float64(108) {
		t.Errorf("the spent refresh token: %d %v, want 400 code 108", status, body)
	}
	if !strings.Contains(out.String(), "token_file") {
		t.Errorf("the output does not point at token_file:\n%s", out)
	}
}

func TestCredentialFlagExportsTheRequestToken(t *testing.T) {
	vars, out := startWithOutput(t, "-credential", "request-token")
	if vars["CONCUR_REFRESH_TOKEN"] != "" || vars["CONCUR_COMPANY_UUID"] == "" || vars["CONCUR_REQUEST_TOKEN"] == "" {
		t.Fatalf("env file with -credential request-token: %v", vars)
	}
	c := &rigClient{t: t, vars: vars, http: http.DefaultClient}
	status, body := c.tokenRequest(url.Values{"grant_type": {"password"}, "credtype": {"authtoken"},
		"username": {vars["CONCUR_COMPANY_UUID"]}, "password": {vars["CONCUR_REQUEST_TOKEN"]}})
	if status != http.StatusOK || body["refresh_token"] == "" {
		t.Errorf("password grant with the exported request token: %d %v", status, body)
	}
	if !strings.Contains(out.String(), "#  export CONCUR_REFRESH_TOKEN=") {
		t.Errorf("the other credential is not printed as a comment:\n%s", out)
	}

	// By default the env file keeps its refresh-token exports and the output shows the request
	// token as the alternative.
	vars, out = startWithOutput(t)
	if vars["CONCUR_REFRESH_TOKEN"] == "" || vars["CONCUR_REQUEST_TOKEN"] != "" {
		t.Errorf("default env file: %v", vars)
	}
	if !strings.Contains(out.String(), "#  export CONCUR_REQUEST_TOKEN=") {
		t.Errorf("the request token is not printed:\n%s", out)
	}
}

func TestRigFlagsAreChecked(t *testing.T) {
	for args, want := range map[string]string{
		"-fault-5xx-rate 1.5":                              "-fault-5xx-rate 1.5: a rate is a share",
		"-fault-5xx-rate 0.6 -fault-429-rate 0.6":          "add up to 1.2",
		"-fault-5xx-status 404":                            "-fault-5xx-status 404",
		"-fault-endpoint GET_/nowhere":                     `-fault-endpoint "GET /nowhere" is not an endpoint`,
		"-without-scope identity.user.everything":          `unknown scope "identity.user.everything"`,
		"-credential password":                             `-credential "password"`,
		"-fault-drop-rate -0.1 -fault-lost-create-rate 2":  "-fault-lost-create-rate 2",
		"-fault-endpoint POST_/profile/identity/v4/Users/": `"POST /profile/identity/v4/Users/" is not an endpoint`,
	} {
		fields := strings.Fields(args)
		for i := range fields {
			fields[i] = strings.ReplaceAll(fields[i], "_", " ")
		}
		err := run(t.Context(), append(fields, "-addr", "127.0.0.1:0"), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v; want an error saying %q", args, err, want)
		}
	}
}
