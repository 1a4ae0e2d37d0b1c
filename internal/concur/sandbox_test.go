package concur

// These tests run the client against internal/sandbox, an independent emulator of the
// Concur API, over real HTTP.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/sandboxtest"
)

const (
	endpointToken  = "POST /oauth2/v0/token"
	endpointCreate = "POST /profile/identity/v4.1/Users"
	endpointGet    = "GET /profile/identity/v4.1/Users/{id}"
	endpointList   = "GET /profile/identity/v4.1/Users"
	endpointSearch = "POST /profile/identity/v4.1/Users/.search"
	endpointPatch  = "PATCH /profile/identity/v4.1/Users/{id}"
)

// startSandbox returns a running sandbox and a client Config holding its refresh token.
func startSandbox(t *testing.T, opts sandbox.Options) (*sandbox.Server, Config) {
	t.Helper()
	s := sandboxtest.NewServer(t, opts)
	cr := s.Credentials()
	return s, Config{BaseURL: s.URL(), ClientID: cr.ClientID, ClientSecret: cr.ClientSecret, RefreshToken: cr.RefreshToken}
}

func employeeNumber(i int) string { return fmt.Sprintf("E%05d", i) }

// seedUsers loads n users E00000.. straight into the sandbox, bypassing the API.
func seedUsers(t *testing.T, s *sandbox.Server, n int) {
	t.Helper()
	docs := make([]map[string]any, n)
	for i := range docs {
		docs[i] = map[string]any{
			"schemas":            []string{schemaCoreUser, schemaEnterpriseUser},
			"userName":           fmt.Sprintf("user%05d@example.com", i),
			"active":             true,
			"name":               map[string]any{"givenName": "Given", "familyName": fmt.Sprintf("Family%05d", i)},
			"emails":             []map[string]any{{"value": fmt.Sprintf("user%05d@example.com", i), "type": "work"}},
			schemaEnterpriseUser: map[string]any{"employeeNumber": employeeNumber(i)},
		}
	}
	data, err := json.Marshal(docs)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.LoadUsersJSON(strings.NewReader(string(data))); err != nil {
		t.Fatal(err)
	}
}

func newUser(empID string) User {
	return User{UserName: strings.ToLower(empID) + "@example.com", Active: true, GivenName: "Jane", FamilyName: "Roe",
		Email: strings.ToLower(empID) + "@example.com", EmployeeNumber: empID, Title: "Analyst", Department: "Finance"}
}

func mustCreate(t *testing.T, c *Client, u User) *User {
	t.Helper()
	created, err := c.CreateUser(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	return created
}

func enterprise(u map[string]any) map[string]any {
	e, _ := u[schemaEnterpriseUser].(map[string]any)
	return e
}

func version(u map[string]any) int {
	meta, _ := u["meta"].(map[string]any)
	var v int
	// The sandbox hands out its Go representation, not decoded JSON.
	_, _ = fmt.Sscan(fmt.Sprint(meta["version"]), &v)
	return v
}

func TestUserLifecycle(t *testing.T) {
	s, c, _ := clientWithOneUser(t, sandbox.Options{}, nil)
	ctx := context.Background()

	created := mustCreate(t, c, newUser("NEW1"))
	if created.ID == "" || created.CompanyID != s.Credentials().CompanyID || created.DisplayName != "Jane Roe" {
		t.Errorf("created %+v", created)
	}
	got, err := c.GetUser(ctx, created.ID)
	if err != nil || !reflect.DeepEqual(got, created) {
		t.Fatalf("GetUser = %+v, %v; want %+v", got, err, created)
	}
	byName, err := c.FindUserByUserName(ctx, "NEW1@EXAMPLE.COM")
	if err != nil || byName.ID != created.ID {
		t.Errorf("FindUserByUserName = %+v, %v", byName, err)
	}
	if err := c.DeactivateUser(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	if active := sandboxtest.MustUser(t, s, "NEW1")["active"]; active != false {
		t.Errorf("active after DeactivateUser = %v", active)
	}
	if err := c.DeleteUser(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteUser(ctx, created.ID); err != nil {
		t.Errorf("deleting a deleted user: %v", err)
	}
	if _, err := c.GetUser(ctx, created.ID); !IsNotFound(err) {
		t.Errorf("GetUser after delete: %v", err)
	}
	if _, err := c.FindUserByEmployeeNumber(ctx, "NEW1"); !IsNotFound(err) {
		t.Errorf("FindUserByEmployeeNumber after delete: %v", err)
	}
}

func TestCompanyIDWithoutUsersAsksForConfiguration(t *testing.T) {
	_, cfg := startSandbox(t, sandbox.Options{})
	c := newTestClient(t, cfg)
	_, err := c.CreateUser(context.Background(), newUser("E1"))
	if err == nil || !strings.Contains(err.Error(), "CONCUR_COMPANY_ID") {
		t.Errorf("error %v does not say how to configure the company ID", err)
	}
}

func TestCompanyRequestTokenExchange(t *testing.T) {
	s, _ := startSandbox(t, sandbox.Options{})
	seedUsers(t, s, 1)
	cr := s.Credentials()
	c := newTestClient(t, Config{BaseURL: s.URL(), ClientID: cr.ClientID, ClientSecret: cr.ClientSecret,
		CompanyUUID: cr.CompanyUUID, RequestToken: cr.RequestToken})
	if _, err := c.FindUserByEmployeeNumber(context.Background(), employeeNumber(0)); err != nil {
		t.Fatal(err)
	}
	// The exchange issued a refresh token the user has not got yet: the provider must say so.
	if token, rotated := c.RotatedRefreshToken(); !rotated || token == "" {
		t.Errorf("RotatedRefreshToken = %q, %v", token, rotated)
	}
}

func TestTokenRenewedDuringALongRun(t *testing.T) {
	const lifetime = 2 * time.Second
	s, c, user := clientWithOneUser(t, sandbox.Options{TokenLifetime: lifetime}, nil)
	start := time.Now()
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			for time.Since(start) < 3*lifetime {
				if _, err := c.getUser(context.Background(), user.ID); err != nil {
					t.Error(err)
					return
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
	wg.Wait()
	tokens := s.Counters()[endpointToken]
	// At least one renewal per lifetime elapsed; and with 20 goroutines, renewals are shared:
	// one per lifetime (less the margin) plus a few after 401s, not one per goroutine.
	elapsedLifetimes := int(time.Since(start) / lifetime)
	t.Logf("%d token requests in %v with a %v token lifetime, 20 goroutines", tokens, time.Since(start).Round(time.Millisecond), lifetime)
	if tokens < elapsedLifetimes || tokens > 2*elapsedLifetimes+3 {
		t.Errorf("%d token requests over %d token lifetimes", tokens, elapsedLifetimes)
	}
}

func TestRenewsOnceAfterTokensAreRevoked(t *testing.T) {
	s, c, user := clientWithOneUser(t, sandbox.Options{}, nil)
	s.ExpireTokens()
	s.ResetCounters()
	readConcurrently(t, c, user.ID, 20)
	if n := s.Counters()[endpointToken]; n != 1 {
		t.Errorf("%d token requests after the tokens were revoked; 20 concurrent 401s need one renewal", n)
	}
}

func TestRetriesThrottledRequestsAfterRetryAfter(t *testing.T) {
	s, c, user := clientWithOneUser(t, sandbox.Options{}, nil)
	c.retry.maxRetries = 10 // 30 goroutines competing for 10 slots a second may lose a few rounds
	s.SetRateLimit(10, time.Second)
	s.ResetCounters()
	readConcurrently(t, c, user.ID, 30)
	t.Logf("%d GET requests for 30 reads under a 10/s server limit", s.Counters()[endpointGet])
	if n := s.Counters()[endpointGet]; n <= 30 {
		t.Errorf("%d requests for 30 reads over a 10/s limit; expected throttled ones to be retried", n)
	}
}

func TestClientRateLimitAvoidsThrottling(t *testing.T) {
	s, c, user := clientWithOneUser(t, sandbox.Options{}, func(cfg *Config) { cfg.RequestsPerSecond = 20 })
	s.SetRateLimit(25, time.Second)
	s.ResetCounters()
	readConcurrently(t, c, user.ID, 40)
	if n := s.Counters()[endpointGet]; n != 40 {
		t.Errorf("%d requests for 40 reads; the client's own limit should have kept every one under the server's", n)
	}
}

func TestMaxRetriesBoundsRetries(t *testing.T) {
	s, c, user := clientWithOneUser(t, sandbox.Options{}, func(cfg *Config) { cfg.MaxRetries = 2 })
	s.SetRateLimit(0.001, time.Second) // a burst of one, then nothing for a long time
	if _, err := c.GetUser(context.Background(), user.ID); err != nil {
		t.Fatal(err)
	}
	s.ResetCounters()
	start := time.Now()
	_, err := c.GetUser(context.Background(), user.ID)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 {
		t.Fatalf("error %v, want a 429 APIError", err)
	}
	if n := s.Counters()[endpointGet]; n != 3 {
		t.Errorf("%d attempts with MaxRetries 2, want 3", n)
	}
	if waited := time.Since(start); waited < 2*time.Second {
		t.Errorf("gave up after %v; two Retry-After: 1 waits take at least 2s", waited)
	}
}

// NoRetries asks for a single attempt: a 503 is reported at once.
func TestNoRetries(t *testing.T) {
	s, c, user := clientWithOneUser(t, sandbox.Options{}, func(cfg *Config) { cfg.MaxRetries = NoRetries })
	s.SetFaults(sandbox.Faults{ErrorStatus: 503, FailNext: map[string]int{endpointGet: 1}})
	s.ResetCounters()
	if _, err := c.GetUser(context.Background(), user.ID); err == nil {
		t.Fatal("the 503 was retried")
	}
	if n := s.Counters()[endpointGet]; n != 1 {
		t.Errorf("%d attempts with NoRetries, want 1", n)
	}
}

func TestContextBoundsRetries(t *testing.T) {
	s, c, user := clientWithOneUser(t, sandbox.Options{}, func(cfg *Config) { cfg.MaxRetries = 100 })
	s.SetFaults(sandbox.Faults{ErrorRate: 1, ErrorStatus: 503})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := c.GetUser(ctx, user.ID)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want the context's deadline", err)
	}
}

func TestAmbiguousCreateIsLookedUpNotRepeated(t *testing.T) {
	s, c, _ := clientWithOneUser(t, sandbox.Options{}, nil)
	s.SetFaults(sandbox.Faults{DropAfterCommitNext: map[string]int{endpointCreate: 1}})
	before := s.UserCount()

	created, err := c.CreateUser(context.Background(), newUser("AMB1"))
	if err != nil {
		t.Fatal(err)
	}
	if s.UserCount() != before+1 {
		t.Errorf("%d users after one create, want %d", s.UserCount(), before+1)
	}
	if created.ID != sandboxtest.MustUser(t, s, "AMB1")["id"] {
		t.Errorf("returned %+v, not the user the dropped create made", created)
	}
	if n := s.Counters()[endpointCreate]; n != 1 {
		t.Errorf("create sent %d times after an ambiguous failure", n)
	}
}

func TestCreateFailedBeforeProcessingIsRetried(t *testing.T) {
	s, c, _ := clientWithOneUser(t, sandbox.Options{}, nil)
	s.SetFaults(sandbox.Faults{ErrorStatus: 503, FailNext: map[string]int{endpointCreate: 2}})
	before := s.UserCount()

	if _, err := c.CreateUser(context.Background(), newUser("RETRY1")); err != nil {
		t.Fatal(err)
	}
	counters := s.Counters()
	if s.UserCount() != before+1 || counters[endpointCreate] != 3 {
		t.Errorf("%d users (want %d) after %d creates (want 3)", s.UserCount(), before+1, counters[endpointCreate])
	}
	// Each unsure failure was followed by a lookup before the create was sent again.
	if counters[endpointSearch] < 2 {
		t.Errorf("%d searches; every unsure create must be looked up", counters[endpointSearch])
	}
}

func TestDuplicateEmployeeNumberIsConflict(t *testing.T) {
	_, c, _ := clientWithOneUser(t, sandbox.Options{}, nil)
	duplicate := newUser("NEW2")
	duplicate.EmployeeNumber = employeeNumber(0)
	_, err := c.CreateUser(context.Background(), duplicate)
	var apiErr *APIError
	if !IsConflict(err) || !errors.As(err, &apiErr) {
		t.Fatalf("error %v, want a conflict", err)
	}
	if !strings.Contains(err.Error(), "POST /profile/identity/v4.1/Users: 409") || apiErr.Detail == "" {
		t.Errorf("error text %q lacks the call, status or Concur's reason", err.Error())
	}
}

func TestPagingVisitsEveryUserOnce(t *testing.T) {
	s, cfg := startSandbox(t, sandbox.Options{})
	seedUsers(t, s, 2500)
	c := newTestClient(t, cfg)
	for _, tt := range []struct {
		filter   string
		pageSize int
		endpoint string
		pages    int
	}{
		{"", maxPageSize, endpointList, 3},
		{"", 100, endpointList, 25},
		{"active eq true", 300, endpointSearch, 9},
	} {
		t.Run(fmt.Sprintf("%q by %d", tt.filter, tt.pageSize), func(t *testing.T) {
			c.pageSize = tt.pageSize
			s.ResetCounters()
			seen := map[string]bool{}
			err := c.SearchUsers(context.Background(), tt.filter, func(u *User) error {
				if seen[u.EmployeeNumber] {
					t.Errorf("%s visited twice", u.EmployeeNumber)
				}
				seen[u.EmployeeNumber] = true
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(seen) != 2500 {
				t.Errorf("visited %d users, want 2500", len(seen))
			}
			if n := s.Counters()[tt.endpoint]; n != tt.pages {
				t.Errorf("%d requests, want %d pages", n, tt.pages)
			}
		})
	}
}

func TestFindUsersByEmployeeNumbersBatches(t *testing.T) {
	s, cfg := startSandbox(t, sandbox.Options{})
	seedUsers(t, s, 2500)
	c := newTestClient(t, cfg)
	var wanted []string
	for i := 0; i < 2500; i += 6 {
		wanted = append(wanted, employeeNumber(i))
	}
	existing := len(wanted)
	wanted = append(wanted, "MISSING-1", `MISSING "quoted"`, employeeNumber(0)) // absent ones, and a repeat
	s.ResetCounters()

	found, err := c.FindUsersByEmployeeNumbers(context.Background(), wanted)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != existing {
		t.Errorf("found %d users, want %d", len(found), existing)
	}
	for _, id := range wanted[:existing] {
		if u := found[id]; u == nil || u.EmployeeNumber != id || u.ID == "" {
			t.Errorf("found[%s] = %+v", id, u)
		}
	}
	unique := existing + 2
	wantSearches := (unique + usersPerSearch - 1) / usersPerSearch
	if n := s.Counters()[endpointSearch]; n != wantSearches {
		t.Errorf("%d searches for %d employee numbers, want %d", n, unique, wantSearches)
	}
}

func TestUpdateSendsOnlyChangedAttributes(t *testing.T) {
	s, c, _ := clientWithOneUser(t, sandbox.Options{}, nil)
	ctx := context.Background()
	created := mustCreate(t, c, newUser("UPD1"))

	// An administrator changes the title in Concur; our update of the department must not
	// put the old title back.
	if err := s.ModifyUser("UPD1", map[string]any{"title": "Set by an administrator"}); err != nil {
		t.Fatal(err)
	}
	versionBefore := version(sandboxtest.MustUser(t, s, "UPD1"))
	to := *created
	to.Department = "Sales"
	updated, err := c.UpdateUser(ctx, created.ID, *created, to)
	if err != nil {
		t.Fatal(err)
	}
	after := sandboxtest.MustUser(t, s, "UPD1")
	if after["title"] != "Set by an administrator" || enterprise(after)["department"] != "Sales" {
		t.Errorf("after update: title %v, department %v", after["title"], enterprise(after)["department"])
	}
	if version(after) != versionBefore+1 || updated.Version != version(after) {
		t.Errorf("version %d -> %d (returned %d); one update should bump it once", versionBefore, version(after), updated.Version)
	}

	s.ResetCounters()
	if _, err := c.UpdateUser(ctx, created.ID, *updated, *updated); err != nil {
		t.Fatal(err)
	}
	if n := s.Counters()[endpointPatch]; n != 0 {
		t.Errorf("%d PATCHes for an update without changes", n)
	}
}

func TestUpdateClearsAttributes(t *testing.T) {
	s, c, _ := clientWithOneUser(t, sandbox.Options{}, nil)
	created := mustCreate(t, c, newUser("CLR1"))
	to := *created
	to.Title, to.Department = "", ""
	updated, err := c.UpdateUser(context.Background(), created.ID, *created, to)
	if err != nil {
		t.Fatal(err)
	}
	after := sandboxtest.MustUser(t, s, "CLR1")
	if after["title"] != nil || enterprise(after)["department"] != nil || updated.Title != "" || updated.Department != "" {
		t.Errorf("after clearing: title %v, department %v, returned %+v", after["title"], enterprise(after)["department"], updated)
	}
}

func TestManagerByEmployeeNumber(t *testing.T) {
	s, cfg := startSandbox(t, sandbox.Options{})
	seedUsers(t, s, 3)
	c := newTestClient(t, cfg)
	ctx := context.Background()
	managers, err := c.FindUsersByEmployeeNumbers(ctx, []string{employeeNumber(1), employeeNumber(2)})
	if err != nil {
		t.Fatal(err)
	}

	u := newUser("MGR1")
	u.ManagerEmployeeNumber = employeeNumber(1)
	created := mustCreate(t, c, u)
	if created.ManagerID != managers[employeeNumber(1)].ID || created.ManagerEmployeeNumber != employeeNumber(1) {
		t.Errorf("manager after create: %q %q", created.ManagerID, created.ManagerEmployeeNumber)
	}

	to := *created
	to.ManagerID, to.ManagerEmployeeNumber = "", employeeNumber(2)
	updated, err := c.UpdateUser(ctx, created.ID, *created, to)
	if err != nil {
		t.Fatal(err)
	}
	if updated.ManagerID != managers[employeeNumber(2)].ID {
		t.Errorf("manager after update: %q", updated.ManagerID)
	}

	to = *updated
	to.ManagerID, to.ManagerEmployeeNumber = "", ""
	cleared, err := c.UpdateUser(ctx, created.ID, *updated, to)
	if err != nil {
		t.Fatal(err)
	}
	if cleared.ManagerID != "" || enterprise(sandboxtest.MustUser(t, s, "MGR1"))["manager"] != nil {
		t.Errorf("manager not cleared: %+v", cleared)
	}
}

func TestRotatedRefreshTokenIsStored(t *testing.T) {
	s, cfg := startSandbox(t, sandbox.Options{})
	seedUsers(t, s, 1)
	s.RotateRefreshTokens(true)
	storePath := filepath.Join(t.TempDir(), "concur-token.json")
	cfg.TokenStore = NewFileTokenStore(storePath)
	ctx := context.Background()

	c := newTestClient(t, cfg)
	if _, err := c.FindUserByEmployeeNumber(ctx, employeeNumber(0)); err != nil {
		t.Fatal(err)
	}
	first, ok, err := cfg.TokenStore.Load()
	if err != nil || !ok || first.RefreshToken == cfg.RefreshToken || first.Geolocation != s.URL() || first.RefreshExpiresAt.IsZero() {
		t.Fatalf("stored %+v, %v, %v", first, ok, err)
	}
	info, err := os.Stat(storePath)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v, %v", info, err)
	}
	if _, rotated := c.RotatedRefreshToken(); rotated {
		t.Error("RotatedRefreshToken reports a token the store kept")
	}

	// The configured refresh token was spent by the rotation; the next run still works
	// because the stored one takes precedence.
	next := newTestClient(t, cfg)
	if _, err := next.FindUserByEmployeeNumber(ctx, employeeNumber(0)); err != nil {
		t.Fatal(err)
	}
	second, _, _ := cfg.TokenStore.Load()
	if second.RefreshToken == first.RefreshToken {
		t.Error("the second run's rotated token was not stored")
	}

	// Without a store, the rotation is reported for the provider to warn about.
	cfg.TokenStore, cfg.RefreshToken = nil, second.RefreshToken
	bare := newTestClient(t, cfg)
	if _, err := bare.FindUserByEmployeeNumber(ctx, employeeNumber(0)); err != nil {
		t.Fatal(err)
	}
	if token, rotated := bare.RotatedRefreshToken(); !rotated || token == second.RefreshToken {
		t.Errorf("RotatedRefreshToken = %q, %v", token, rotated)
	}
}

func TestStaleStoredTokenFallsBackToConfiguredOne(t *testing.T) {
	s, cfg := startSandbox(t, sandbox.Options{})
	seedUsers(t, s, 1)
	cfg.TokenStore = NewFileTokenStore(filepath.Join(t.TempDir(), "token.json"))
	if err := cfg.TokenStore.Save(StoredToken{RefreshToken: "revoked-long-ago", Geolocation: s.URL()}); err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	cfg.Logf = func(_ context.Context, msg string, fields map[string]any) { fmt.Fprintln(&logged, msg, fields) }
	c := newTestClient(t, cfg)
	if _, err := c.FindUserByEmployeeNumber(context.Background(), employeeNumber(0)); err != nil {
		t.Fatal(err)
	}
	if stored, _, _ := cfg.TokenStore.Load(); stored.RefreshToken != cfg.RefreshToken {
		t.Errorf("store holds %q after falling back to the configured token", stored.RefreshToken)
	}
	if !strings.Contains(logged.String(), "credential refused") || strings.Contains(logged.String(), "revoked-long-ago") {
		t.Errorf("log:\n%s", logged.String())
	}
}

// readConcurrently reads one user n times at once with n requests (GET, not GetUser, which
// would answer them with one), failing the test on any error.
func readConcurrently(t *testing.T, c *Client, id string, n int) {
	t.Helper()
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if _, err := c.getUser(context.Background(), id); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// clientWithOneUser starts a sandbox holding one user and a client for it (tune adjusts the
// client's configuration), and returns the user as the client found it.
func clientWithOneUser(t *testing.T, opts sandbox.Options, tune func(*Config)) (*sandbox.Server, *Client, *User) {
	t.Helper()
	s, cfg := startSandbox(t, opts)
	seedUsers(t, s, 1)
	if tune != nil {
		tune(&cfg)
	}
	c := newTestClient(t, cfg)
	user, err := c.FindUserByEmployeeNumber(context.Background(), employeeNumber(0))
	if err != nil {
		t.Fatal(err)
	}
	return s, c, user
}
