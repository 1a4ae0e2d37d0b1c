package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const (
	usersV41  = "/profile/identity/v4.1/Users"
	usersV4   = "/profile/identity/v4/Users"
	searchV41 = "/profile/identity/v4.1/Users/.search"
	tokenPath = "/oauth2/v0/token"
	entURN    = schemaEnterprise
)

// apiClient talks to a started sandbox over real HTTP, without keep-alive so that a
// dropped connection is seen as such rather than retried by the transport.
type apiClient struct {
	t     *testing.T
	srv   *Server
	base  string
	token string
	http  *http.Client
}

type apiResponse struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func newClient(t *testing.T, opts Options) *apiClient {
	t.Helper()
	s := New(opts)
	if _, err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("sandbox: start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	c := &apiClient{t: t, srv: s, base: s.URL(), http: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}}
	c.token = c.companyToken()
	return c
}

// user returns the API representation of the user with empID, failing the test when the
// sandbox has none.
func (c *apiClient) user(empID string) map[string]any {
	c.t.Helper()
	user, ok := c.srv.UserByEmployeeNumber(empID)
	if !ok {
		c.t.Fatalf("the sandbox has no user with employeeNumber %q", empID)
	}
	return user
}

func (c *apiClient) companyToken() string {
	c.t.Helper()
	creds := c.srv.Credentials()
	resp := c.tokenRequest(url.Values{
		"client_id": {creds.ClientID}, "client_secret": {creds.ClientSecret},
		"grant_type": {"password"}, "credtype": {"authtoken"},
		"username": {creds.CompanyUUID}, "password": {creds.RequestToken},
	})
	if resp.status != http.StatusOK {
		c.t.Fatalf("token: %d %s", resp.status, resp.raw)
	}
	return resp.body["access_token"].(string)
}

func (c *apiClient) tokenRequest(form url.Values) apiResponse {
	c.t.Helper()
	return c.send(http.MethodPost, tokenPath, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()), "")
}

func (c *apiClient) send(method, path, contentType string, body io.Reader, token string) apiResponse {
	c.t.Helper()
	resp, err := c.try(method, path, contentType, body, token)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

func (c *apiClient) try(method, path, contentType string, body io.Reader, token string) (apiResponse, error) {
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return apiResponse{}, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return apiResponse{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return apiResponse{}, err
	}
	out := apiResponse{status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &out.body); err != nil {
			return out, fmt.Errorf("decoding %q: %w", raw, err)
		}
	}
	return out, nil
}

// do sends an authenticated JSON request; body may be a string or any JSON value.
func (c *apiClient) do(method, path string, body any) apiResponse {
	c.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	return c.send(method, path, "application/json", r, c.token)
}

// userDoc is a valid create body; change it with dotted paths via with().
func userDoc(empID string) map[string]any {
	return map[string]any{
		"schemas":  []any{schemaUser},
		"userName": "user" + empID + "@example.com",
		"active":   true,
		"name":     map[string]any{"givenName": "Given" + empID, "familyName": "Family"},
		"emails":   []any{map[string]any{"value": "user" + empID + "@example.com", "type": "work"}},
		entURN: map[string]any{
			"companyId":      DefaultCredentials.CompanyID,
			"employeeNumber": empID,
		},
	}
}

// with sets (or, for nil, deletes) attributes of a document: "name.givenName",
// "urn:...:User:costCenter" style paths.
func with(doc map[string]any, kv ...any) map[string]any {
	for i := 0; i < len(kv); i += 2 {
		path, value := kv[i].(string), kv[i+1]
		m := doc
		if rest, ok := strings.CutPrefix(path, entURN+":"); ok {
			m = doc[entURN].(map[string]any)
			path = rest
		}
		parts := strings.Split(path, ".")
		for _, p := range parts[:len(parts)-1] {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		if value == nil {
			delete(m, parts[len(parts)-1])
		} else {
			m[parts[len(parts)-1]] = value
		}
	}
	return doc
}

func (c *apiClient) create(doc map[string]any) map[string]any {
	c.t.Helper()
	resp := c.do(http.MethodPost, usersV41, doc)
	if resp.status != http.StatusOK {
		c.t.Fatalf("create: %d %s", resp.status, resp.raw)
	}
	return resp.body
}

func (c *apiClient) search(body map[string]any) apiResponse {
	c.t.Helper()
	if _, ok := body["schemas"]; !ok {
		body["schemas"] = []any{schemaSearchRequest}
	}
	return c.do(http.MethodPost, searchV41, body)
}

// get reads a nested value of a decoded body by dotted path; an extension is addressed
// as "ent.<attr>".
func get(body map[string]any, path string) any {
	var cur any = body
	for _, p := range strings.Split(path, ".") {
		if p == "ent" {
			p = entURN
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

// scimMessages returns the schemaPaths of the Concur error extension's messages.
func scimMessages(body map[string]any) []string {
	ext, _ := body[schemaConcurError].(map[string]any)
	list, _ := ext["messages"].([]any)
	var paths []string
	for _, m := range list {
		paths = append(paths, m.(map[string]any)["schemaPath"].(string))
	}
	return paths
}

func expectStatus(t *testing.T, resp apiResponse, want int) {
	t.Helper()
	if resp.status != want {
		raw := resp.raw
		if len(raw) > 600 {
			raw = append(raw[:600:600], "..."...)
		}
		t.Fatalf("status %d, want %d: %s", resp.status, want, raw)
	}
}

// resourceEmpIDs lists the employeeNumbers of a list response's Resources.
func resourceEmpIDs(body map[string]any) []string {
	list, _ := body["Resources"].([]any)
	out := []string{}
	for _, r := range list {
		v, _ := get(r.(map[string]any), "ent.employeeNumber").(string)
		out = append(out, v)
	}
	return out
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}
