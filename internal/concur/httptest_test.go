package concur

// Cases the sandbox cannot produce (a geolocation on another host, a Retry-After date, a 201
// create, a rejected ready-made access token) run against small httptest servers.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testClientSecret = "client-secret-value"
	testRequestToken = "request-token-value"
)

func newTestClient(t *testing.T, cfg Config) *Client {
	t.Helper()
	c, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.retry.baseDelay = 10 * time.Millisecond
	return c
}

func writeJSONResponse(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func TestCompanyTokenExchangeFollowsGeolocation(t *testing.T) {
	var mu sync.Mutex
	var seen []string // "host-label METHOD path grant"
	record := func(label string, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, fmt.Sprintf("%s %s %s %s", label, r.Method, r.URL.Path, r.PostFormValue("grant_type")))
	}
	var apiCalls atomic.Int32
	regional := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record("regional", r)
		switch r.URL.Path {
		case tokenPath:
			if r.PostFormValue("refresh_token") != "rt-issued" {
				writeJSONResponse(w, 400, map[string]any{"error": "invalid_grant", "code": 108})
				return
			}
			writeJSONResponse(w, 200, map[string]any{"access_token": "at-2", "expires_in": 3600, "refresh_token": "rt-rotated", "geolocation": "http://" + r.Host})
		case usersPath + "/u1":
			// The first API call is refused once, forcing a refresh on this host.
			if apiCalls.Add(1) == 1 {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			writeJSONResponse(w, 200, map[string]any{"id": "u1", "userName": "a@example.com"})
		default:
			http.NotFound(w, r)
		}
	}))
	defer regional.Close()
	global := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("token request Content-Type %q", ct)
		}
		record("global", r)
		want := map[string]string{"client_id": "cid", "client_secret": testClientSecret, "grant_type": "password",
			"username": "company-uuid", "password": testRequestToken, "credtype": "authtoken"}
		for k, v := range want {
			if got := r.PostFormValue(k); got != v {
				t.Errorf("form %s = %q, want %q", k, got, v)
			}
		}
		if r.URL.RawQuery != "" {
			t.Errorf("credentials must not travel in the query: %q", r.URL.RawQuery)
		}
		// expires_in as a string, as the reference page shows it.
		writeJSONResponse(w, 200, map[string]any{"access_token": "at-1", "expires_in": "3600", "refresh_token": "rt-issued",
			"refresh_expires_in": 1900000000, "geolocation": regional.URL})
	}))
	defer global.Close()

	storePath := filepath.Join(t.TempDir(), "token.json")
	c := newTestClient(t, Config{BaseURL: global.URL, ClientID: "cid", ClientSecret: testClientSecret,
		CompanyUUID: "company-uuid", RequestToken: testRequestToken, TokenStore: NewFileTokenStore(storePath)})
	u, err := c.GetUser(context.Background(), "u1")
	if err != nil {
		t.Fatal(err)
	}
	if u.UserName != "a@example.com" {
		t.Errorf("user %+v", u)
	}
	wantSeen := []string{
		"global POST /oauth2/v0/token password",
		"regional GET /profile/identity/v4.1/Users/u1 ",
		"regional POST /oauth2/v0/token refresh_token",
		"regional GET /profile/identity/v4.1/Users/u1 ",
	}
	if strings.Join(seen, "\n") != strings.Join(wantSeen, "\n") {
		t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(seen, "\n"), strings.Join(wantSeen, "\n"))
	}
	stored, ok, err := NewFileTokenStore(storePath).Load()
	if err != nil || !ok {
		t.Fatalf("Load: %v %v", ok, err)
	}
	if stored.RefreshToken != "rt-rotated" || stored.Geolocation != regional.URL {
		t.Errorf("stored %+v", stored)
	}
	if _, rotated := c.RotatedRefreshToken(); rotated {
		t.Error("RotatedRefreshToken reports a token the store kept")
	}
}

func TestRetryAfterAsHTTPDate(t *testing.T) {
	var calls atomic.Int32
	var firstAt, secondAt time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			firstAt = time.Now()
			w.Header().Set("Retry-After", time.Now().Add(2*time.Second).UTC().Format(http.TimeFormat))
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		secondAt = time.Now()
		writeJSONResponse(w, 200, map[string]any{"id": "u1"})
	}))
	defer srv.Close()
	c := newTestClient(t, Config{BaseURL: srv.URL, AccessToken: "at"})
	if _, err := c.GetUser(context.Background(), "u1"); err != nil {
		t.Fatal(err)
	}
	// The date has one-second resolution, so the wait is between one and two seconds.
	if waited := secondAt.Sub(firstAt); waited < 900*time.Millisecond {
		t.Errorf("retried after %v, before the Retry-After date", waited)
	}
}

func TestCreateAccepts201(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body scimUser
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Error(err)
		}
		body.ID = "new-id"
		writeJSONResponse(w, http.StatusCreated, body)
	}))
	defer srv.Close()
	c := newTestClient(t, Config{BaseURL: srv.URL, AccessToken: "at", CompanyID: "co"})
	u, err := c.CreateUser(context.Background(), User{UserName: "a@example.com", EmployeeNumber: "e1", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != "new-id" || u.CompanyID != "co" || u.EmployeeNumber != "e1" {
		t.Errorf("created %+v", u)
	}
}

func TestRejectedAccessTokenIsFinalAndSaysWhatToDo(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	c := newTestClient(t, Config{BaseURL: srv.URL, AccessToken: "secret-access-token"})
	_, err := c.GetUser(context.Background(), "u1")
	if err == nil {
		t.Fatal("no error")
	}
	if !strings.Contains(err.Error(), "access token was rejected") || !strings.Contains(err.Error(), "refresh token") {
		t.Errorf("error does not explain: %v", err)
	}
	if strings.Contains(err.Error(), "secret-access-token") {
		t.Errorf("error leaks the token: %v", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 {
		t.Errorf("no APIError 401 in %v", err)
	}
	if calls.Load() != 1 {
		t.Errorf("%d calls; a ready access token cannot be renewed, so one is enough", calls.Load())
	}
}

func TestSecretsStayOutOfErrorsAndLogs(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSONResponse(w, 400, map[string]any{"error": "invalid_grant", "error_description": "Incorrect Credentials. Please Retry", "code": 5})
	}))
	defer srv.Close()
	var logged strings.Builder
	// A refresh token kept from an earlier run, and the company request token configured now.
	store := NewFileTokenStore(filepath.Join(t.TempDir(), "token.json"))
	if err := store.Save(StoredToken{RefreshToken: "refresh-token-value"}); err != nil {
		t.Fatal(err)
	}
	c := newTestClient(t, Config{BaseURL: srv.URL, ClientID: "cid", ClientSecret: testClientSecret,
		TokenStore: store, CompanyUUID: "company-uuid", RequestToken: testRequestToken,
		Logf: func(_ context.Context, msg string, fields map[string]any) { fmt.Fprintln(&logged, msg, fields) }})
	_, err := c.GetUser(context.Background(), "u1")
	if err == nil {
		t.Fatal("no error")
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.OAuthCode != 5 {
		t.Errorf("no OAuth APIError with code 5 in %v", err)
	}
	for _, secret := range []string{testClientSecret, "refresh-token-value", testRequestToken} {
		if strings.Contains(err.Error(), secret) || strings.Contains(logged.String(), secret) {
			t.Errorf("%q leaked:\nerror: %v\nlog: %s", secret, err, logged.String())
		}
	}
	// Both credentials were tried and both refusals are reported.
	if !strings.Contains(err.Error(), "stored or rotated refresh token") || !strings.Contains(err.Error(), "company request token") {
		t.Errorf("error does not name the refused credentials: %v", err)
	}
}

func TestFileTokenStoreIsPrivateAndAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "token.json")
	store := NewFileTokenStore(path)
	if _, ok, err := store.Load(); ok || err != nil {
		t.Fatalf("Load of a missing file: %v %v", ok, err)
	}
	want := StoredToken{RefreshToken: "rt", Geolocation: "https://us2.api.concursolutions.com", RefreshExpiresAt: time.Unix(1900000000, 0).UTC()}
	for range 3 {
		if err := store.Save(want); err != nil {
			t.Fatal(err)
		}
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", info.Mode().Perm())
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "sub", ".*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
	got, ok, err := store.Load()
	if err != nil || !ok || !got.RefreshExpiresAt.Equal(want.RefreshExpiresAt) || got.RefreshToken != want.RefreshToken || got.Geolocation != want.Geolocation {
		t.Errorf("Load = %+v, %v, %v", got, ok, err)
	}
}

func TestRequestTimeoutAppliesPerAttempt(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			select { // hangs until the client gives up on this attempt
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
			return
		}
		writeJSONResponse(w, 200, map[string]any{"id": "u1"})
	}))
	defer srv.Close()
	c := newTestClient(t, Config{BaseURL: srv.URL, AccessToken: "at", RequestTimeout: 200 * time.Millisecond})
	if _, err := c.GetUser(context.Background(), "u1"); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 {
		t.Errorf("%d attempts, want 2", calls.Load())
	}
}

func TestMaxConcurrencyBoundsRequestsInFlight(t *testing.T) {
	var inFlight, peak atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(20 * time.Millisecond)
		writeJSONResponse(w, 200, map[string]any{"id": "u1"})
	}))
	defer srv.Close()
	c := newTestClient(t, Config{BaseURL: srv.URL, AccessToken: "at", MaxConcurrency: 3})
	var wg sync.WaitGroup
	for range 30 {
		wg.Go(func() {
			if _, err := c.getUser(context.Background(), "u1"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if p := peak.Load(); p > 3 {
		t.Errorf("%d requests in flight with MaxConcurrency 3", p)
	}
}
