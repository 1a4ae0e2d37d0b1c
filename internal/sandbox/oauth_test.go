package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestTokenGrantErrors(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	cr := c.srv.Credentials()
	company := func(kv ...string) url.Values {
		v := url.Values{
			"client_id": {cr.ClientID}, "client_secret": {cr.ClientSecret}, "grant_type": {"password"},
			"credtype": {"authtoken"}, "username": {cr.CompanyUUID}, "password": {cr.RequestToken},
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "" {
				v.Del(kv[i])
			} else {
				v.Set(kv[i], kv[i+1])
			}
		}
		return v
	}
	tests := []struct {
		name       string
		form       url.Values
		wantStatus int
		wantCode   int
		wantError  string
	}{
		{"missing client_id", company("client_id", ""), 400, 62, "invalid_request"},
		{"missing client_secret", company("client_secret", ""), 400, 63, "invalid_request"},
		{"missing grant_type", company("grant_type", ""), 400, 65, "invalid_request"},
		{"unknown client", company("client_id", "nope"), 401, 61, "invalid_client"},
		{"wrong secret", company("client_secret", "nope"), 401, 64, "invalid_client"},
		{"bad credtype", company("credtype", "magic"), 400, 120, "invalid_request"},
		{"missing username", company("username", ""), 400, 51, "invalid_request"},
		{"missing password", company("password", ""), 400, 52, "invalid_request"},
		{"wrong request token", company("password", "not-the-token"), 400, 5, "invalid_grant"},
		{"credtype omitted means password", company("credtype", ""), 400, 5, "invalid_grant"},
		{"token of another company", company("username", "11111111-2222-4333-8444-555555555555"), 400, 136, "invalid_request"},
		{"refresh without token", company("grant_type", "refresh_token", "credtype", "", "username", "", "password", ""), 400, 106, "invalid_request"},
		{"refresh with bad token", company("grant_type", "refresh_token", "refresh_token", "bogus"), 400, 108, "invalid_grant"},
		{"unknown grant", company("grant_type", "magic"), 400, 60, "invalid_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := c.tokenRequest(tt.form)
			expectStatus(t, resp, tt.wantStatus)
			if got := int(resp.body["code"].(float64)); got != tt.wantCode {
				t.Errorf("code %d, want %d", got, tt.wantCode)
			}
			if resp.body["error"] != tt.wantError || resp.body["error_description"] == "" {
				t.Errorf("body %s", resp.raw)
			}
		})
	}
}

func TestTokenEndpointRequiresFormEncoding(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	cr := c.srv.Credentials()
	form := url.Values{"client_id": {cr.ClientID}, "client_secret": {cr.ClientSecret}, "grant_type": {"refresh_token"}, "refresh_token": {cr.RefreshToken}}
	for _, ct := range []string{"application/json", "application/x-www-form-urlencoded; charset=utf-8", ""} {
		resp := c.send(http.MethodPost, tokenPath, ct, strings.NewReader(form.Encode()), "")
		expectStatus(t, resp, 400)
		if resp.body["code"] != float64(135) {
			t.Errorf("content type %q: %s", ct, resp.raw)
		}
	}
	expectStatus(t, c.tokenRequest(form), 200)
}

func decodeJWTPayload(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not JWT-shaped: %q", jwt)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

func TestCompanyTokenResponse(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{TokenLifetime: 90 * time.Minute})
	cr := c.srv.Credentials()
	before := time.Now()
	resp := c.tokenRequest(url.Values{
		"client_id": {cr.ClientID}, "client_secret": {cr.ClientSecret}, "grant_type": {"password"},
		"credtype": {"authtoken"}, "username": {cr.CompanyUUID}, "password": {cr.RequestToken},
	})
	expectStatus(t, resp, 200)
	b := resp.body
	if b["expires_in"] != "5400" || b["token_type"] != "Bearer" || b["geolocation"] != c.base {
		t.Errorf("token response %s", resp.raw)
	}
	refreshExpiry := time.Unix(int64(b["refresh_expires_in"].(float64)), 0)
	if refreshExpiry.Before(before.Add(150 * 24 * time.Hour)) {
		t.Errorf("refresh_expires_in %v is not an epoch about six months ahead", refreshExpiry)
	}
	if rt, _ := b["refresh_token"].(string); rt == "" || rt == cr.RefreshToken {
		t.Errorf("password grant should issue a fresh refresh token, got %q", rt)
	}
	if sub := decodeJWTPayload(t, b["id_token"].(string))["sub"]; sub != cr.CompanyUUID {
		t.Errorf("id_token sub %v, want company UUID", sub)
	}
	// The issued refresh token works for the refresh grant.
	again := c.tokenRequest(url.Values{"client_id": {cr.ClientID}, "client_secret": {cr.ClientSecret},
		"grant_type": {"refresh_token"}, "refresh_token": {b["refresh_token"].(string)}})
	expectStatus(t, again, 200)
}

func TestRefreshGrantAndRotation(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	cr := c.srv.Credentials()
	refresh := func(token string) apiResponse {
		return c.tokenRequest(url.Values{"client_id": {cr.ClientID}, "client_secret": {cr.ClientSecret},
			"grant_type": {"refresh_token"}, "refresh_token": {token}})
	}
	first := refresh(cr.RefreshToken)
	expectStatus(t, first, 200)
	if first.body["refresh_token"] != cr.RefreshToken {
		t.Fatalf("without rotation the same refresh token comes back, got %v", first.body["refresh_token"])
	}
	c.srv.RotateRefreshTokens(true)
	rotated := refresh(cr.RefreshToken)
	expectStatus(t, rotated, 200)
	next := rotated.body["refresh_token"].(string)
	if next == cr.RefreshToken {
		t.Fatal("rotation on: expected a new refresh token")
	}
	if resp := refresh(cr.RefreshToken); resp.body["code"] != float64(108) {
		t.Errorf("a spent refresh token must fail with 108: %s", resp.raw)
	}
	expectStatus(t, refresh(next), 200)
}

func TestAccessTokenExpiryAnd401(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{TokenLifetime: 300 * time.Millisecond})
	expectStatus(t, c.do(http.MethodGet, usersV41, nil), 200)

	for name, token := range map[string]string{"no token": "", "garbage": "abc"} {
		resp := c.send(http.MethodGet, usersV41, "", nil, token)
		expectStatus(t, resp, 401)
		if resp.body["status"] != "401" || resp.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: %s", name, resp.raw)
		}
	}

	time.Sleep(400 * time.Millisecond)
	resp := c.do(http.MethodGet, usersV41, nil)
	expectStatus(t, resp, 401)
	if !strings.Contains(resp.body["detail"].(string), "expired") {
		t.Errorf("detail %v", resp.body["detail"])
	}

	c.srv.SetTokenLifetime(time.Hour)
	c.token = c.companyToken()
	expectStatus(t, c.do(http.MethodGet, usersV41, nil), 200)
	c.srv.ExpireTokens()
	expectStatus(t, c.do(http.MethodGet, usersV41, nil), 401)
}

func TestClientCredentialsTokenIsRefusedByIdentity(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	cr := c.srv.Credentials()
	resp := c.tokenRequest(url.Values{"client_id": {cr.ClientID}, "client_secret": {cr.ClientSecret}, "grant_type": {"client_credentials"}})
	expectStatus(t, resp, 200)
	if _, ok := resp.body["refresh_token"]; ok {
		t.Error("client_credentials must not return a refresh token")
	}
	expectStatus(t, c.send(http.MethodGet, usersV41, "", nil, resp.body["access_token"].(string)), 403)
}

func TestExpiresInIsString(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{TokenLifetime: 1500 * time.Millisecond})
	cr := c.srv.Credentials()
	resp := c.tokenRequest(url.Values{"client_id": {cr.ClientID}, "client_secret": {cr.ClientSecret},
		"grant_type": {"refresh_token"}, "refresh_token": {cr.RefreshToken}})
	s, ok := resp.body["expires_in"].(string)
	if n, err := strconv.Atoi(s); !ok || err != nil || n != 2 {
		t.Errorf("expires_in %#v: want the string \"2\" (seconds, rounded up)", resp.body["expires_in"])
	}
}
