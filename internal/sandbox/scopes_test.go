package sandbox

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// tokenWithScope asks for a company token with the refresh grant and the given scope parameter.
func (c *apiClient) tokenWithScope(scope string) apiResponse {
	c.t.Helper()
	cr := c.srv.Credentials()
	form := url.Values{"client_id": {cr.ClientID}, "client_secret": {cr.ClientSecret},
		"grant_type": {"refresh_token"}, "refresh_token": {cr.RefreshToken}}
	if scope != "" {
		form.Set("scope", scope)
	}
	return c.tokenRequest(form)
}

func TestTokenCarriesTheScopesAskedFor(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	whole := c.tokenWithScope("")
	expectStatus(t, whole, 200)
	if got := strings.Fields(whole.body["scope"].(string)); !slices.Equal(got, companyScopes) {
		t.Errorf("without scope the token carries the grant: %v", got)
	}

	narrow := c.tokenWithScope("identity.user.core.read openid")
	expectStatus(t, narrow, 200)
	if got := narrow.body["scope"]; got != "openid identity.user.core.read" {
		t.Errorf("narrowed token scope %q", got)
	}
	// A read-only token reads but cannot write.
	reader := narrow.body["access_token"].(string)
	expectStatus(t, c.send(http.MethodGet, usersV41, "", nil, reader), 200)
	resp := c.send(http.MethodPost, usersV41, "application/json", strings.NewReader(mustJSON(t, userDoc("1"))), reader)
	expectStatus(t, resp, 403)
	if !strings.Contains(resp.header.Get("WWW-Authenticate"), `scope="identity.user.coreenterprise.writeonly"`) {
		t.Errorf("WWW-Authenticate %q", resp.header.Get("WWW-Authenticate"))
	}
	if c.srv.UserCount() != 0 {
		t.Error("a refused create was stored")
	}

	beyond := c.tokenWithScope("openid identity.user.delete expense.report.read")
	expectStatus(t, beyond, 400)
	if beyond.body["code"] != float64(54) || beyond.body["error"] != "invalid_scope" ||
		!strings.Contains(beyond.body["error_description"].(string), "expense.report.read") {
		t.Errorf("a scope beyond the grant: %s", beyond.raw)
	}
}

func TestWithoutScopesNarrowsTheGrant(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	if err := c.srv.WithoutScopes("identity.user.delete"); err != nil {
		t.Fatal(err)
	}
	if err := c.srv.WithoutScopes("identity.user.everything"); err == nil || !strings.Contains(err.Error(), "identity.user.delete") {
		t.Errorf("an unknown scope: %v; want an error listing the scopes", err)
	}
	token := c.tokenWithScope("")
	expectStatus(t, token, 200)
	if strings.Contains(token.body["scope"].(string), "identity.user.delete") {
		t.Errorf("scope %q still has the withheld scope", token.body["scope"])
	}
	if resp := c.tokenWithScope("identity.user.delete"); resp.body["code"] != float64(54) {
		t.Errorf("asking for a withheld scope: %s", resp.raw)
	}

	c.token = token.body["access_token"].(string)
	id := c.create(userDoc("1"))["id"].(string)
	resp := c.do(http.MethodDelete, usersV41+"/"+id, nil)
	expectStatus(t, resp, 403)
	if resp.header.Get("WWW-Authenticate") != `Bearer error="insufficient_scope", scope="identity.user.delete"` {
		t.Errorf("WWW-Authenticate %q", resp.header.Get("WWW-Authenticate"))
	}
	ext, _ := resp.body[schemaConcurError].(map[string]any)
	messages, _ := ext["messages"].([]any)
	if !strings.Contains(resp.body["detail"].(string), "identity.user.delete") || len(messages) != 1 ||
		messages[0].(map[string]any)["code"] != "insufficient_scope" {
		t.Errorf("403 body %s", resp.raw)
	}
	if c.srv.UserCount() != 1 {
		t.Error("a refused delete removed the user")
	}
	// Deactivating needs no delete scope.
	expectStatus(t, c.do(http.MethodPatch, usersV41+"/"+id, patchBody(op("replace", "active", false))), 200)
}

func TestExternalIDWritesNeedTheirScope(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	full := c.token
	if err := c.srv.WithoutScopes("identity.user.externalID.writeonly"); err != nil {
		t.Fatal(err)
	}
	c.token = c.companyToken()

	resp := c.do(http.MethodPost, usersV41, with(userDoc("1"), "externalId", "ext-1"))
	expectStatus(t, resp, 403)
	if got := scimMessages(resp.body); !slices.Equal(got, []string{"externalId"}) {
		t.Errorf("schemaPaths %v", got)
	}
	id := c.create(userDoc("1"))["id"].(string) // no externalId: allowed
	expectStatus(t, c.do(http.MethodPatch, usersV41+"/"+id, patchBody(op("replace", "externalId", "ext-1"))), 403)
	expectStatus(t, c.do(http.MethodPatch, usersV41+"/"+id, patchBody(op("replace", "title", "Clerk"))), 200)

	// A token issued before the grant changed keeps its scopes.
	c.token = full
	expectStatus(t, c.do(http.MethodPatch, usersV41+"/"+id, patchBody(op("replace", "externalId", "ext-1"))), 200)
	c.token = c.companyToken()
	// Leaving externalId out of a PUT clears it: a write of externalId too.
	expectStatus(t, c.do(http.MethodPut, usersV41+"/"+id, userDoc("1")), 403)
	expectStatus(t, c.do(http.MethodPut, usersV41+"/"+id, with(userDoc("1"), "externalId", "ext-1", "title", "Buyer")), 200)
	if u := c.user("1"); u["externalId"] != "ext-1" || u["title"] != "Buyer" {
		t.Errorf("user after the allowed PUT: %v", u)
	}
}
