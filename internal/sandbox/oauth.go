package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	refreshTokenLifetime = 6 * 30 * 24 * time.Hour // "six months"
	requestTokenLifetime = 24 * time.Hour          // company request tokens live 24 hours
)

// The Identity API's scopes (reference §2.2) that the sandbox enforces; see companyScopes.
const (
	scopeCoreWrite       = "identity.user.coreenterprise.writeonly"
	scopeExternalIDWrite = "identity.user.externalID.writeonly"
	scopeDelete          = "identity.user.delete"
)

// The User Provisioning Service's scopes (its reference's Scope Usage table).
const (
	scopeProvisionWrite = "user.provision.write"
	scopeProvisionRead  = "user.provision.read"
	scopeSpendWrite     = "spend.user.general.writeonly"
	scopeSpendRead      = "spend.user.general.read"
	scopeTravelRead     = "travel.user.general.read"
)

// companyScopes is the sandbox app's grant unless WithoutScopes narrows it: every scope of
// the Identity API and of the User Provisioning Service. A token without a scope parameter
// carries the whole grant.
var companyScopes = []string{
	"openid", "identity.user.ids.read", "identity.user.core.read", "identity.user.coresensitive.read",
	"identity.user.enterprise.read", "identity.user.sap.read", scopeCoreWrite, scopeExternalIDWrite,
	"identity.user.emails.verified.writeonly", "identity.user.sap.writeonly", scopeDelete,
	scopeProvisionWrite, scopeProvisionRead, scopeSpendWrite, scopeSpendRead, scopeTravelRead, "travel.user.private.read",
}

// tokenKind separates company tokens (which the Identity API accepts) from application
// tokens of the client-credentials grant (which it refuses).
type tokenKind int

const (
	companyToken tokenKind = iota
	applicationToken
)

type accessGrant struct {
	expires time.Time
	kind    tokenKind
	scopes  []string
}

func (g accessGrant) has(scope string) bool { return slices.Contains(g.scopes, scope) }

type grantKey struct{}

// withGrant hands the request's token grant to the handlers, which check its scopes.
func withGrant(ctx context.Context, g accessGrant) context.Context {
	return context.WithValue(ctx, grantKey{}, g)
}

func grantFrom(ctx context.Context) accessGrant {
	g, _ := ctx.Value(grantKey{}).(accessGrant)
	return g
}

// tokenIssuer is the sandbox's OAuth2 server state.
type tokenIssuer struct {
	mu       sync.Mutex
	creds    Credentials
	lifetime time.Duration
	rotate   bool
	granted  []string // the app's grant, in companyScopes order
	now      func() time.Time

	requestTokenIssued time.Time
	access             map[string]accessGrant
	refresh            map[string]time.Time // refresh token -> expiry
}

func newTokenIssuer(creds Credentials, lifetime time.Duration) *tokenIssuer {
	now := time.Now()
	return &tokenIssuer{
		creds:              creds,
		lifetime:           lifetime,
		granted:            slices.Clone(companyScopes),
		now:                time.Now,
		requestTokenIssued: now,
		access:             map[string]accessGrant{},
		refresh:            map[string]time.Time{creds.RefreshToken: now.Add(refreshTokenLifetime)},
	}
}

func (t *tokenIssuer) setLifetime(d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lifetime = d
}

func (t *tokenIssuer) setRotation(on bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.rotate = on
}

// withhold removes scopes from the app's grant; tokens issued before keep theirs.
func (t *tokenIssuer) withhold(scopes []string) error {
	for _, scope := range scopes {
		if !slices.Contains(companyScopes, scope) {
			return fmt.Errorf("sandbox: unknown scope %q; the scopes are: %s", scope, strings.Join(companyScopes, " "))
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.granted = slices.DeleteFunc(t.granted, func(s string) bool { return slices.Contains(scopes, s) })
	return nil
}

// scopesLocked is what a token asked for with scope (space-separated) may carry: the request
// narrows the grant and may not exceed it (code 54).
func (t *tokenIssuer) scopesLocked(requested string) ([]string, *oauthError) {
	asked := strings.Fields(requested)
	if len(asked) == 0 {
		return slices.Clone(t.granted), nil
	}
	for _, scope := range asked {
		if !slices.Contains(t.granted, scope) {
			return nil, &oauthError{Status: http.StatusBadRequest, Code: 54, Error: "invalid_scope",
				Description: "requested scope exceeds granted scope: " + scope}
		}
	}
	return slices.DeleteFunc(slices.Clone(t.granted), func(s string) bool { return !slices.Contains(asked, s) }), nil
}

// expireAll invalidates every access token issued so far (refresh tokens stay valid).
func (t *tokenIssuer) expireAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.access = map[string]accessGrant{}
}

// check validates a bearer token; the reason is for the 401 detail.
func (t *tokenIssuer) check(token string) (accessGrant, string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	g, ok := t.access[token]
	if !ok {
		return g, "Invalid access token"
	}
	if !t.now().Before(g.expires) {
		delete(t.access, token)
		return g, "Access token has expired"
	}
	return g, ""
}

func badRequest(code int, desc string) oauthError {
	return oauthError{Status: http.StatusBadRequest, Code: code, Error: "invalid_request", Description: desc}
}

func badGrant(code int, desc string) oauthError {
	return oauthError{Status: http.StatusBadRequest, Code: code, Error: "invalid_grant", Description: desc}
}

func badClient(code int, desc string) oauthError {
	return oauthError{Status: http.StatusUnauthorized, Code: code, Error: "invalid_client", Description: desc}
}

// handleToken is POST /oauth2/v0/token.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	geo := s.baseURL(r)
	// Concur wants exactly application/x-www-form-urlencoded (its guides say to drop
	// "; charset=utf-8"); anything else is code 135.
	media, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || media != "application/x-www-form-urlencoded" || len(params) > 0 {
		writeOAuthError(w, geo, badRequest(135, "Unsupported request format"))
		return
	}
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, geo, badRequest(135, "Unsupported request format"))
		return
	}
	form := r.PostForm // credentials in the query string are not read
	resp, oerr := s.tokens.grant(form.Get, geo)
	if oerr != nil {
		writeOAuthError(w, geo, *oerr)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, resp)
}

func (t *tokenIssuer) grant(field func(string) string, geo string) (map[string]any, *oauthError) {
	fail := func(e oauthError) (map[string]any, *oauthError) { return nil, &e }
	clientID, secret, grantType := field("client_id"), field("client_secret"), field("grant_type")
	switch {
	case clientID == "":
		return fail(badRequest(62, "client_id is missing"))
	case secret == "":
		return fail(badRequest(63, "client_secret is missing"))
	case grantType == "":
		return fail(badRequest(65, "grant_type is missing"))
	case clientID != t.creds.ClientID:
		return fail(badClient(61, "client not found"))
	case secret != t.creds.ClientSecret:
		return fail(badClient(64, "Incorrect client credentials"))
	}

	t.mu.Lock()
	defer t.mu.Unlock()
	scopes, oerr := t.scopesLocked(field("scope"))
	if oerr != nil {
		return nil, oerr
	}
	switch grantType {
	case "password":
		credtype := field("credtype")
		if credtype == "" {
			credtype = "password" // oauth2 assumes password when credtype is omitted
		}
		if credtype != "authtoken" && credtype != "password" {
			return fail(badRequest(120, "credtype invalid"))
		}
		username, password := field("username"), field("password")
		if username == "" {
			return fail(badRequest(51, "username not supplied"))
		}
		if password == "" {
			return fail(badRequest(52, "password not supplied"))
		}
		// The sandbox has no user logins, so credtype=password never succeeds.
		if credtype != "authtoken" || password != t.creds.RequestToken ||
			!t.now().Before(t.requestTokenIssued.Add(requestTokenLifetime)) {
			return fail(badGrant(5, "Incorrect Credentials. Please Retry"))
		}
		if username != t.creds.CompanyUUID {
			return fail(badRequest(136, "authtoken was not issued for you"))
		}
		refresh := randomToken()
		t.refresh[refresh] = t.now().Add(refreshTokenLifetime)
		return t.issueLocked(companyToken, refresh, geo, scopes), nil
	case "refresh_token":
		old := field("refresh_token")
		if old == "" {
			return fail(badRequest(106, "refresh_token is missing"))
		}
		expiry, ok := t.refresh[old]
		if !ok || !t.now().Before(expiry) {
			return fail(badGrant(108, "Bad or expired refresh token"))
		}
		refresh := old
		if t.rotate {
			// Rotation: the used token is spent and a new one replaces it, so a client
			// that does not store the returned refresh_token locks itself out.
			delete(t.refresh, old)
			refresh = randomToken()
			t.refresh[refresh] = t.now().Add(refreshTokenLifetime)
		}
		return t.issueLocked(companyToken, refresh, geo, scopes), nil
	case "client_credentials":
		return t.issueLocked(applicationToken, "", geo, scopes), nil
	default:
		return fail(badGrant(60, "these are not the grants you are looking for"))
	}
}

// issueLocked creates an access token and the documented response body. The access and
// id tokens are JWT-shaped but unsigned: clients must treat them as opaque.
func (t *tokenIssuer) issueLocked(kind tokenKind, refresh, geo string, scopes []string) map[string]any {
	now := t.now()
	expires := now.Add(t.lifetime)
	access := fakeJWT(map[string]any{
		"iss": geo, "sub": t.creds.CompanyUUID, "aud": "*", "jti": randomToken(),
		"iat": now.Unix(), "exp": expires.Unix(), "concur.type": map[tokenKind]string{companyToken: "company", applicationToken: "app"}[kind],
	})
	t.access[access] = accessGrant{expires: expires, kind: kind, scopes: scopes}
	resp := map[string]any{
		// expires_in is a string, as the API reference shows it
		"expires_in":   strconv.Itoa(int(math.Ceil(t.lifetime.Seconds()))),
		"scope":        strings.Join(scopes, " "),
		"token_type":   "Bearer",
		"access_token": access,
		"geolocation":  geo,
	}
	if kind == companyToken {
		resp["refresh_token"] = refresh
		resp["refresh_expires_in"] = t.refresh[refresh].Unix()
		resp["id_token"] = fakeJWT(map[string]any{
			"iss": geo, "sub": t.creds.CompanyUUID, "aud": t.creds.ClientID,
			"iat": now.Unix(), "nbf": now.Unix(), "exp": expires.Unix(),
			"concur.type": "company", "concur.version": 3, "concur.profile": geo + "/profile/v1/principals/" + t.creds.CompanyUUID,
		})
	}
	return resp
}

func fakeJWT(claims map[string]any) string {
	enc := base64.RawURLEncoding
	header, _ := json.Marshal(map[string]string{"alg": "none", "typ": "JWT", "kid": "sandbox"})
	payload, _ := json.Marshal(claims)
	return enc.EncodeToString(header) + "." + enc.EncodeToString(payload) + "." + enc.EncodeToString([]byte(randomToken()))
}

func randomToken() string {
	var b [15]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:]) // 30 lower-case characters, like Concur's refresh tokens
}

// authenticate answers 401 (SCIM body) unless the request carries a live company token, whose
// grant it returns.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (accessGrant, bool) {
	auth := r.Header.Get("Authorization")
	scheme, token, _ := strings.Cut(auth, " ")
	reason := "Authorization header with a Bearer token is required"
	if strings.EqualFold(scheme, "Bearer") && token != "" {
		var g accessGrant
		if g, reason = s.tokens.check(strings.TrimSpace(token)); reason == "" {
			if g.kind != companyToken {
				writeSCIMError(w, newSCIMError(http.StatusForbidden, "", "The Identity API requires a company-level access token"))
				return g, false
			}
			return g, true
		}
	}
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	writeSCIMError(w, newSCIMError(http.StatusUnauthorized, "", reason))
	return accessGrant{}, false
}

// insufficientScope is the 403 for a request whose token lacks scope; schemaPath names the
// attribute that needs it, if one does.
func insufficientScope(r *http.Request, scope, schemaPath string) *scimError {
	detail := "The access token lacks the scope " + scope + ", which " + r.Pattern + " requires"
	if schemaPath != "" {
		detail = "The access token lacks the scope " + scope + ", which writing " + schemaPath + " requires"
	}
	e := newSCIMError(http.StatusForbidden, "", detail,
		scimMessage{Code: "insufficient_scope", Message: "missing scope: " + scope, SchemaPath: schemaPath, Type: "error"})
	e.Scope = scope
	return e
}

// checkWriteScopes is the scope rule for a write that turns old into u (old is nil for a
// create): every write needs the core write scope, and one that sets, changes or clears
// externalId needs the externalId scope too.
func checkWriteScopes(r *http.Request, old, u *UserRecord) error {
	g := grantFrom(r.Context())
	if !g.has(scopeCoreWrite) {
		return insufficientScope(r, scopeCoreWrite, "")
	}
	before := ""
	if old != nil {
		before = old.ExternalID
	}
	if u.ExternalID != before && !g.has(scopeExternalIDWrite) {
		return insufficientScope(r, scopeExternalIDWrite, "externalId")
	}
	return nil
}
