package sandbox

import (
	"context"
	"errors"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"
)

// Options configure a new sandbox.
type Options struct {
	TokenLifetime time.Duration // access-token lifetime; default 1h
	Latency       time.Duration // added to every request
	Seed          int64         // seeds the randomness of injected faults
}

// Credentials are the sandbox company's fixed secrets (see DefaultCredentials).
type Credentials struct {
	ClientID, ClientSecret, RefreshToken, CompanyUUID, RequestToken, CompanyID string
}

// DefaultCredentials are the fixed, documented credentials of every sandbox. The
// company UUID (the token's subject) is also the enterprise companyId of its users.
var DefaultCredentials = Credentials{
	ClientID:     "b8f2c0d4-6a3e-4f51-9c27-2d8e5a7b1c01",
	ClientSecret: "e3a9d7f1-24b6-4c8e-a05f-7b19c6d2e802",
	RefreshToken: "0f6c1b7e-93d2-4a85-b4e0-5c2a8f9d3e03",
	CompanyUUID:  "aa076ada-80a9-4f57-8e98-9300b1c3171d",
	RequestToken: "5b7d9f1e-3c2a-4e6b-8d0f-a1c3e5f7b904",
	CompanyID:    "aa076ada-80a9-4f57-8e98-9300b1c3171d",
}

// Server is one sandbox instance: one company, its users, tokens and knobs.
type Server struct {
	creds  Credentials
	tokens *tokenIssuer
	users  *userStore
	ups    *upsState
	knobs  *knobs
	mux    *http.ServeMux
	// endpoints holds the keys of the API endpoints, fixed once New returns.
	endpoints map[string]bool

	mu       sync.Mutex
	url      string
	listener net.Listener
	http     *http.Server
}

// New builds a sandbox with the default credentials and no users.
func New(opts Options) *Server {
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = time.Hour
	}
	s := &Server{
		creds:     DefaultCredentials,
		tokens:    newTokenIssuer(DefaultCredentials, opts.TokenLifetime),
		users:     newUserStore(DefaultCredentials.CompanyID),
		ups:       newUPSState(),
		knobs:     newKnobs(opts),
		mux:       http.NewServeMux(),
		endpoints: map[string]bool{},
	}
	s.routes()
	return s
}

// Endpoint path templates; they are also the keys of Counters and Faults.
const (
	identityV4  = "/profile/identity/v4"
	identityV41 = "/profile/identity/v4.1"
)

func (s *Server) routes() {
	s.route("POST /oauth2/v0/token", false, s.handleToken)
	for _, base := range []string{identityV4, identityV41} {
		s.route("POST "+base+"/Users", true, s.handleCreate)
		s.route("GET "+base+"/Users/{id}", true, s.handleGet)
		s.route("PUT "+base+"/Users/{id}", true, s.handleReplace)
		s.route("PATCH "+base+"/Users/{id}", true, s.handlePatch)
		s.route("DELETE "+base+"/Users/{id}", true, s.handleDelete)
	}
	s.route("GET "+identityV4+"/Users", true, s.handleListV4)
	s.route("GET "+identityV41+"/Users", true, s.handleListV41)
	s.route("POST "+identityV41+"/Users/.search", true, s.handleSearch)
	// User Provisioning Service v4; its reference writes some paths with a trailing slash.
	s.route("POST "+upsV4+"/Users", true, s.handleUPSUser, "POST "+upsV4+"/Users/{$}")
	s.route("PUT "+upsV4+"/Users/{id}", true, s.handleUPSUser, "PUT "+upsV4+"/Users/{id}/{$}")
	s.route("PATCH "+upsV4+"/Users/{id}", true, s.handleUPSUser, "PATCH "+upsV4+"/Users/{id}/{$}")
	s.route("DELETE "+upsV4+"/Users/{id}", true, s.handleUPSDelete, "DELETE "+upsV4+"/Users/{id}/{$}")
	s.route("POST "+upsV4+"/Bulk", true, s.handleBulk, "POST "+upsV4+"/Bulk/{$}")
	s.route("GET "+upsV4+"/provisions/{id}/status", true, s.handleProvisionStatus, "GET "+upsV4+"/provisions/{id}/status/{$}")
	s.route("GET "+spendV41+"/Users", true, s.handleSpendList)
	s.route("GET "+spendV41+"/Users/{id}", true, s.handleSpendGet)
	s.route("GET /profile/travel/v4/Users/{id}", true, s.handleTravelGet)
	s.statsRoutes()
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeSCIMError(w, newSCIMError(http.StatusNotFound, "", "No resource at "+r.Method+" "+r.URL.Path))
	})
}

// route registers a handler behind the knobs: counting, latency, rate limit, faults,
// then (for API endpoints) the bearer-token check, which hands the token's grant to h.
// Aliases are other spellings of the same endpoint, counted and faulted under pattern.
func (s *Server) route(pattern string, needsToken bool, h http.HandlerFunc, aliases ...string) {
	s.endpoints[pattern] = true
	serve := func(w http.ResponseWriter, r *http.Request) {
		latency := s.knobs.count(pattern)
		id := r.Header.Get("concur-correlationid")
		if id == "" {
			id = newUUID()
		}
		w.Header().Set("concur-correlationid", id)
		sleepCtx(r.Context(), latency)
		if ok, retryAfter := s.knobs.allow(); !ok {
			writeRateLimited(w, r, retryAfter)
			return
		}
		f := s.knobs.decide(pattern)
		switch f.action {
		case failRequest:
			writeSCIMError(w, newSCIMError(f.status, "", http.StatusText(f.status)))
			return
		case throttleRequest:
			writeRateLimited(w, r, f.retryAfter)
			return
		case dropRequest:
			dropConnection(w)
			return
		}
		if needsToken {
			g, ok := s.authenticate(w, r)
			if !ok {
				return
			}
			r = r.WithContext(withGrant(r.Context(), g))
		}
		if f.action == dropAfterCommit {
			h(httptest.NewRecorder(), r) // the change is made; the answer is thrown away
			dropConnection(w)
			return
		}
		h(w, r)
	}
	for _, p := range append([]string{pattern}, aliases...) {
		s.mux.HandleFunc(p, serve)
	}
}

// isCreate reports whether an endpoint key is a user create, the request whose lost reply
// leaves a client unsure whether the user exists.
func isCreate(endpoint string) bool {
	return endpoint == "POST "+identityV4+"/Users" || endpoint == "POST "+identityV41+"/Users"
}

// Endpoints lists the keys of every endpoint the sandbox serves, as Counters and Faults use
// them, sorted.
func (s *Server) Endpoints() []string {
	return slices.Sorted(maps.Keys(s.endpoints))
}

// Handler serves the sandbox API (for use with httptest or another server).
func (s *Server) Handler() http.Handler { return s.mux }

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves in the
// background. It returns the base URL, which is also the tokens' geolocation.
func (s *Server) Start(addr string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener != nil {
		return "", errors.New("sandbox: already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	s.listener = ln
	s.url = "http://" + ln.Addr().String()
	srv := &http.Server{Handler: s.mux, ReadHeaderTimeout: 10 * time.Second, ConnState: s.knobs.countConnections}
	s.http = srv
	// srv, not s.http: a Close right after Start sets s.http to nil before this runs.
	go func() { _ = srv.Serve(ln) }()
	return s.url, nil
}

// URL is the base URL after Start ("" before).
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// baseURL is the geolocation handed out with tokens: the started URL, or, when the
// handler is served by someone else (httptest), the host the request came to.
func (s *Server) baseURL(r *http.Request) string {
	if u := s.URL(); u != "" {
		return u
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// Close stops a started server, dropping open connections.
func (s *Server) Close() error {
	s.mu.Lock()
	srv := s.http
	s.http, s.listener = nil, nil
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		return srv.Close()
	}
	return nil
}

// Credentials returns the sandbox company's credentials.
func (s *Server) Credentials() Credentials { return s.creds }

// SetTokenLifetime changes the lifetime of access tokens issued from now on.
func (s *Server) SetTokenLifetime(d time.Duration) { s.tokens.setLifetime(d) }

// ExpireTokens invalidates every access token issued so far.
func (s *Server) ExpireTokens() { s.tokens.expireAll() }

// WithoutScopes removes scopes from the app's grant, as a Concur app registered without them
// is: tokens issued from now on lack them, and a token request that asks for one fails with
// invalid_scope (code 54). An unknown scope name is an error.
func (s *Server) WithoutScopes(scopes ...string) error { return s.tokens.withhold(scopes) }

// RotateRefreshTokens makes the refresh grant spend the refresh token it is given and
// return a new one (off by default: the same refresh token comes back).
func (s *Server) RotateRefreshTokens(on bool) { s.tokens.setRotation(on) }

// pathID is the {id} of a Users/{id} request.
func pathID(r *http.Request) string { return strings.TrimSpace(r.PathValue("id")) }
