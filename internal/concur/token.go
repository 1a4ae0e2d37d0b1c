package concur

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

const tokenPath = "/oauth2/v0/token"

// tokenSource hands out Concur access tokens to many goroutines and renews them with at most
// one token request in flight.
//
// It calls the token endpoint itself instead of using oauth2.Config because Concur's endpoint
// does not fit it: after the first answer every refresh must go to the returned geolocation
// (oauth2.Config has one fixed TokenURL), the company grant needs credtype=authtoken, the
// answer carries fields x/oauth2 drops (geolocation, refresh_expires_in as an epoch time,
// expires_in sometimes a string) and errors carry a numeric code that tells why a credential
// was refused (108: expired refresh token). x/oauth2 still supplies the token type.
type tokenSource struct {
	clientID, clientSecret string
	baseURL                string
	configuredRefreshToken string
	companyUUID            string
	requestToken           string
	store                  TokenStore
	renewable              bool

	send func(context.Context, request) (*response, error)
	logf func(ctx context.Context, msg string, fields map[string]any)

	mu           sync.Mutex
	current      *oauth2.Token // nil: must be renewed; zero Expiry: valid until rejected
	refreshAt    time.Time
	geolocation  string // base URL for API calls and refreshes
	refreshToken string // the newest refresh token known
	storeLoaded  bool
	saved        StoredToken
	rotated      bool // refreshToken must be kept by the caller because no store took it
	inflight     *renewal
}

type renewal struct {
	done  chan struct{}
	token accessToken
	err   error
}

// accessToken is what one API call needs: the bearer token and where to send it.
type accessToken struct{ value, baseURL string }

func newTokenSource(cfg Config, send func(context.Context, request) (*response, error), logf func(context.Context, string, map[string]any)) *tokenSource {
	hasClient := cfg.ClientID != "" && cfg.ClientSecret != ""
	ts := &tokenSource{
		clientID:               cfg.ClientID,
		clientSecret:           cfg.ClientSecret,
		baseURL:                cfg.BaseURL,
		configuredRefreshToken: cfg.RefreshToken,
		companyUUID:            cfg.CompanyUUID,
		requestToken:           cfg.RequestToken,
		store:                  cfg.TokenStore,
		renewable:              hasClient && (cfg.RefreshToken != "" || cfg.RequestToken != "" || cfg.TokenStore != nil),
		send:                   send,
		logf:                   logf,
		geolocation:            cfg.BaseURL,
		refreshToken:           cfg.RefreshToken,
	}
	if cfg.AccessToken != "" {
		ts.current = &oauth2.Token{AccessToken: cfg.AccessToken, TokenType: "Bearer"}
	}
	return ts
}

var errAccessTokenRejected = errors.New("concur: the configured access token was rejected (expired or revoked); " +
	"configure a refresh token or a company request token instead, so that access can be renewed")

func (ts *tokenSource) token(ctx context.Context) (accessToken, error) {
	ts.mu.Lock()
	if ts.current != nil && (ts.refreshAt.IsZero() || time.Now().Before(ts.refreshAt)) {
		t := accessToken{value: ts.current.AccessToken, baseURL: ts.geolocation}
		ts.mu.Unlock()
		return t, nil
	}
	if !ts.renewable {
		ts.mu.Unlock()
		return accessToken{}, errAccessTokenRejected
	}
	r := ts.inflight
	if r == nil {
		r = &renewal{done: make(chan struct{})}
		ts.inflight = r
		// The renewal outlives the caller that started it: other callers wait for it too.
		go ts.renew(context.WithoutCancel(ctx), r)
	}
	ts.mu.Unlock()
	select {
	case <-r.done:
	case <-ctx.Done():
		return accessToken{}, context.Cause(ctx)
	}
	// The fresh token is used even if a very short lifetime already put it inside the
	// renewal margin; checking again could renew forever.
	return r.token, r.err
}

// reject forgets a token the API answered 401 to. Many calls may report the same token;
// only the first one causes a renewal, later ones see that the token was already replaced.
func (ts *tokenSource) reject(value string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.current != nil && ts.current.AccessToken == value {
		ts.current = nil
	}
}

func (ts *tokenSource) rotatedRefreshToken() (string, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.refreshToken, ts.rotated
}

// grant is one way to obtain a token; description names it in errors and logs.
type grant struct {
	form        url.Values
	host        string
	description string
}

func (ts *tokenSource) renew(ctx context.Context, r *renewal) {
	err := ts.loadStore()
	if err == nil {
		err = ts.tryGrants(ctx)
	}
	ts.mu.Lock()
	ts.inflight = nil
	r.err = err
	if err == nil {
		r.token = accessToken{value: ts.current.AccessToken, baseURL: ts.geolocation}
	}
	ts.mu.Unlock()
	close(r.done)
}

func (ts *tokenSource) loadStore() error {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.store == nil || ts.storeLoaded {
		return nil
	}
	stored, ok, err := ts.store.Load()
	if err != nil {
		return err
	}
	ts.storeLoaded = true
	if ok {
		ts.saved = stored
		ts.refreshToken = stored.RefreshToken
		if stored.Geolocation != "" {
			ts.geolocation = stored.Geolocation
		}
	}
	return nil
}

// grants lists the credentials to try, best first: the newest refresh token (stored or
// rotated), the configured refresh token, then the company request token. A later one is
// tried only when Concur refuses an earlier one, e.g. a stale token file.
func (ts *tokenSource) grants() []grant {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	var gs []grant
	for _, rt := range []string{ts.refreshToken, ts.configuredRefreshToken} {
		if rt == "" || (len(gs) > 0 && gs[0].form.Get("refresh_token") == rt) {
			continue
		}
		description := "the configured refresh token"
		if rt != ts.configuredRefreshToken {
			description = "the stored or rotated refresh token"
		}
		gs = append(gs, grant{
			form:        url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}},
			host:        ts.geolocation,
			description: description,
		})
	}
	if ts.companyUUID != "" && ts.requestToken != "" {
		gs = append(gs, grant{
			form:        url.Values{"grant_type": {"password"}, "username": {ts.companyUUID}, "password": {ts.requestToken}, "credtype": {"authtoken"}},
			host:        ts.baseURL, // the company token exchange is not tied to a geolocation yet
			description: "the company request token",
		})
	}
	return gs
}

func (ts *tokenSource) tryGrants(ctx context.Context) error {
	gs := ts.grants()
	if len(gs) == 0 {
		return errors.New("concur: no refresh token is stored or configured and no company request token is configured")
	}
	var refused []error
	for _, g := range gs {
		err := ts.obtain(ctx, g)
		if err == nil {
			return nil
		}
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode >= 500 {
			return err
		}
		refused = append(refused, err)
		ts.logf(ctx, "concur: credential refused", map[string]any{"credential": g.description, "status": apiErr.StatusCode, "oauth_error": apiErr.OAuthError, "oauth_code": apiErr.OAuthCode})
	}
	return errors.Join(refused...)
}

type tokenResponse struct {
	AccessToken      string      `json:"access_token"`
	TokenType        string      `json:"token_type"`
	RefreshToken     string      `json:"refresh_token"`
	ExpiresIn        json.Number `json:"expires_in"`         // seconds; documented as a number and as a string
	RefreshExpiresIn json.Number `json:"refresh_expires_in"` // an epoch time despite its name
	Geolocation      string      `json:"geolocation"`
}

const defaultTokenLifetime = time.Hour

func (ts *tokenSource) obtain(ctx context.Context, g grant) error {
	form := url.Values{"client_id": {ts.clientID}, "client_secret": {ts.clientSecret}}
	for k, v := range g.form {
		form[k] = v
	}
	requested := time.Now()
	resp, err := ts.send(ctx, request{
		method:         http.MethodPost,
		path:           tokenPath,
		body:           []byte(form.Encode()),
		contentType:    "application/x-www-form-urlencoded",
		baseURL:        g.host,
		resendIfUnsure: true, // a request token may be exchanged repeatedly; a lost refresh answer is lost either way
	})
	if err != nil {
		return fmt.Errorf("concur: obtaining an access token with %s: %w", g.description, err)
	}
	var tr tokenResponse
	if err := json.Unmarshal(resp.body, &tr); err != nil || tr.AccessToken == "" {
		return fmt.Errorf("concur: obtaining an access token with %s: the token endpoint answered %d without an access token", g.description, resp.status)
	}

	lifetime := defaultTokenLifetime
	if seconds, err := tr.ExpiresIn.Int64(); err == nil && seconds > 0 {
		lifetime = time.Duration(seconds) * time.Second
	}
	// Renew ahead of expiry so that a call never starts with a token about to lapse; short
	// lifetimes get a proportionally short margin.
	margin := min(time.Minute, lifetime/5)

	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.current = &oauth2.Token{AccessToken: tr.AccessToken, TokenType: tr.TokenType, RefreshToken: tr.RefreshToken, Expiry: requested.Add(lifetime)}
	ts.refreshAt = requested.Add(lifetime - margin)
	if tr.Geolocation != "" {
		ts.geolocation = tr.Geolocation
	}
	if tr.RefreshToken != "" {
		ts.refreshToken = tr.RefreshToken
	}
	ts.logf(ctx, "concur: access token obtained", map[string]any{"credential": g.description, "geolocation": ts.geolocation, "expires_in_seconds": int(lifetime.Seconds())})
	ts.keepRefreshTokenLocked(ctx, refreshExpiry(tr.RefreshExpiresIn, requested))
	return nil
}

// keepRefreshTokenLocked saves a new refresh token or geolocation to the store, or, without a
// store (or when saving fails), flags it so the caller can tell the user to keep it.
func (ts *tokenSource) keepRefreshTokenLocked(ctx context.Context, refreshExpiresAt time.Time) {
	if ts.store == nil {
		ts.rotated = ts.refreshToken != ts.configuredRefreshToken
		return
	}
	if ts.refreshToken == ts.saved.RefreshToken && ts.geolocation == ts.saved.Geolocation {
		return
	}
	next := StoredToken{RefreshToken: ts.refreshToken, Geolocation: ts.geolocation, RefreshExpiresAt: refreshExpiresAt}
	if err := ts.store.Save(next); err != nil {
		ts.rotated = true
		ts.logf(ctx, "concur: saving the refresh token failed", map[string]any{"error": err.Error()})
		return
	}
	ts.saved = next
	ts.rotated = false
}

// refreshExpiry reads refresh_expires_in, documented as an epoch time; a small number is
// taken as a duration in case a deployment follows the field's name instead.
func refreshExpiry(v json.Number, now time.Time) time.Time {
	n, err := v.Int64()
	switch {
	case err != nil || n <= 0:
		return time.Time{}
	case n < 1_000_000_000:
		return now.Add(time.Duration(n) * time.Second)
	default:
		return time.Unix(n, 0)
	}
}
