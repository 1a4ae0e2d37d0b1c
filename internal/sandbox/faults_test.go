package sandbox

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRateLimitAnswers429WithRetryAfter(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	c.srv.SetRateLimit(2, 3*time.Second)
	var limited apiResponse
	for i := 0; i < 10; i++ {
		resp := c.do(http.MethodGet, usersV41, nil)
		if resp.status == http.StatusTooManyRequests {
			limited = resp
			break
		}
	}
	if limited.status != http.StatusTooManyRequests {
		t.Fatal("10 back-to-back requests at 2/s were never limited")
	}
	if got := limited.header.Get("Retry-After"); got != "3" {
		t.Errorf("Retry-After %q, want 3", got)
	}
	if get(limited.body, "error.id") != "security.rate.limit.reached" {
		t.Errorf("429 body %s", limited.raw)
	}
	c.srv.SetRateLimit(0, 0)
	for i := 0; i < 10; i++ {
		expectStatus(t, c.do(http.MethodGet, usersV41, nil), 200)
	}
}

func TestFailNextIsPerEndpointAndNotProcessed(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	c.srv.SetFaults(Faults{ErrorStatus: 503, FailNext: map[string]int{"POST /profile/identity/v4.1/Users": 2}})
	for i := 0; i < 2; i++ {
		resp := c.do(http.MethodPost, usersV41, userDoc("1"))
		expectStatus(t, resp, 503)
		if resp.body["status"] != "503" {
			t.Errorf("503 body %s", resp.raw)
		}
	}
	if c.srv.UserCount() != 0 {
		t.Fatal("a failed request must not be processed")
	}
	expectStatus(t, c.do(http.MethodGet, usersV41, nil), 200) // other endpoints unaffected
	c.create(userDoc("1"))

	c.srv.SetFaults(Faults{FailNext: map[string]int{"GET /profile/identity/v4.1/Users/{id}": 1}})
	expectStatus(t, c.do(http.MethodGet, usersV41+"/whatever", nil), 500) // default status
	expectStatus(t, c.do(http.MethodGet, usersV41+"/whatever", nil), 404)
}

func TestDropAfterCommitIsTheAmbiguousCreate(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	c.srv.SetFaults(Faults{DropAfterCommitNext: map[string]int{"POST /profile/identity/v4.1/Users": 1}})
	_, err := c.try(http.MethodPost, usersV41, "application/json", strings.NewReader(mustJSON(t, userDoc("42"))), c.token)
	if err == nil {
		t.Fatal("expected the connection to be dropped")
	}
	if _, ok := c.srv.UserByEmployeeNumber("42"); !ok {
		t.Fatal("the create must have been committed before the drop")
	}
	// A blind retry now conflicts: the client must look the user up instead.
	expectStatus(t, c.do(http.MethodPost, usersV41, userDoc("42")), 409)
}

func TestDropRateAndErrorRate(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{Seed: 7})
	c.srv.SetFaults(Faults{DropRate: 1})
	if _, err := c.try(http.MethodGet, usersV41, "", nil, c.token); err == nil {
		t.Fatal("DropRate 1: expected a dropped connection")
	}
	c.srv.SetFaults(Faults{ErrorRate: 0.5, ErrorStatus: 500})
	failed := 0
	for i := 0; i < 200; i++ {
		switch resp := c.do(http.MethodGet, usersV41, nil); resp.status {
		case 500:
			failed++
		case 200:
		default:
			t.Fatalf("unexpected %d", resp.status)
		}
	}
	if failed < 60 || failed > 140 {
		t.Errorf("ErrorRate 0.5 failed %d of 200", failed)
	}
	c.srv.SetFaults(Faults{})
	expectStatus(t, c.do(http.MethodGet, usersV41, nil), 200)
}

func TestCountersByPathTemplate(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	id := c.create(userDoc("1"))["id"].(string)
	c.do(http.MethodGet, usersV41+"/"+id, nil)
	c.do(http.MethodGet, usersV41+"/other", nil)
	c.search(map[string]any{})
	c.do(http.MethodPatch, usersV41+"/"+id, patchBody(op("replace", "title", "x")))
	c.do(http.MethodGet, usersV4+"?count=5", nil)
	want := map[string]int{
		"POST /oauth2/v0/token":                     1,
		"POST /profile/identity/v4.1/Users":         1,
		"GET /profile/identity/v4.1/Users/{id}":     2,
		"POST /profile/identity/v4.1/Users/.search": 1,
		"PATCH /profile/identity/v4.1/Users/{id}":   1,
		"GET /profile/identity/v4/Users":            1,
	}
	got := c.srv.Counters()
	if len(got) != len(want) {
		t.Errorf("counters %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %d, want %d", k, got[k], v)
		}
	}
	c.srv.ResetCounters()
	if len(c.srv.Counters()) != 0 {
		t.Error("ResetCounters left counts")
	}
}

func TestLatency(t *testing.T) {
	c := newClient(t, Options{Latency: 150 * time.Millisecond})
	start := time.Now()
	c.do(http.MethodGet, usersV41, nil)
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("request took %v with 150ms latency", d)
	}
	c.srv.SetLatency(0)
	start = time.Now()
	c.do(http.MethodGet, usersV41, nil)
	if d := time.Since(start); d > 140*time.Millisecond {
		t.Errorf("request took %v without latency", d)
	}
}

func TestCorrelationIDHeader(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	resp := c.do(http.MethodGet, usersV41, nil)
	if len(resp.header.Get("concur-correlationid")) != 36 {
		t.Errorf("concur-correlationid %q", resp.header.Get("concur-correlationid"))
	}
}

func TestThrottleRateAnswers429WithRetryAfter(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	c.srv.SetFaults(Faults{ThrottleRate: 1, RetryAfter: 1500 * time.Millisecond})
	resp := c.do(http.MethodGet, usersV41, nil)
	expectStatus(t, resp, 429)
	if resp.header.Get("Retry-After") != "2" || get(resp.body, "error.id") != "security.rate.limit.reached" {
		t.Errorf("injected 429: Retry-After %q, body %s", resp.header.Get("Retry-After"), resp.raw)
	}
	if got := c.srv.Stats().Faults; got != (FaultCounts{Throttled: 1}) {
		t.Errorf("fault counts %+v", got)
	}
}

func TestLostCreateRateStoresTheUserAndDropsOnlyCreates(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	c.srv.SetFaults(Faults{LostCreateRate: 1})
	expectStatus(t, c.do(http.MethodGet, usersV41, nil), 200) // not a create: answered
	if _, err := c.try(http.MethodPost, usersV41, "application/json", strings.NewReader(mustJSON(t, userDoc("42"))), c.token); err == nil {
		t.Fatal("expected the create's connection to be dropped")
	}
	if _, ok := c.srv.UserByEmployeeNumber("42"); !ok {
		t.Fatal("the lost create must have been stored")
	}
	id := c.user("42")["id"].(string)
	expectStatus(t, c.do(http.MethodPatch, usersV41+"/"+id, patchBody(op("replace", "title", "x"))), 200)
	if got := c.srv.Stats().Faults; got != (FaultCounts{LostReplies: 1}) {
		t.Errorf("fault counts %+v", got)
	}
}

func TestFaultEndpointsLimitTheRates(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	c.srv.SetFaults(Faults{ErrorRate: 1, ErrorStatus: 503, Endpoints: []string{"POST /profile/identity/v4.1/Users/.search"}})
	expectStatus(t, c.do(http.MethodGet, usersV41, nil), 200)
	c.create(userDoc("1"))
	expectStatus(t, c.search(map[string]any{}), 503)
	if got := c.srv.Stats().Faults; got != (FaultCounts{Errors: 1}) {
		t.Errorf("fault counts %+v", got)
	}
}

// A user's CI run is reproducible: the same seed gives the same faults to the same sequence
// of requests, and another seed other faults.
func TestFaultSeedReproducesTheSequence(t *testing.T) {
	t.Parallel()
	statuses := func(seed int64) string {
		c := newClient(t, Options{Seed: seed})
		c.srv.SetFaults(Faults{ErrorRate: 0.3, ErrorStatus: 503, ThrottleRate: 0.3})
		var b strings.Builder
		for range 40 {
			b.WriteString(strconv.Itoa(c.do(http.MethodGet, usersV41, nil).status) + " ")
		}
		return b.String()
	}
	first := statuses(11)
	for _, status := range []string{"200", "429", "503"} {
		if !strings.Contains(first, status) {
			t.Errorf("40 requests at 30 %% 503 and 30 %% 429 never answered %s: %s", status, first)
		}
	}
	if again := statuses(11); again != first {
		t.Errorf("seed 11 gave\n%s\nthen\n%s", first, again)
	}
	if other := statuses(12); other == first {
		t.Errorf("seeds 11 and 12 gave the same faults: %s", first)
	}
}

func TestEndpointsListsTheCounterKeys(t *testing.T) {
	t.Parallel()
	endpoints := New(Options{}).Endpoints()
	for _, want := range []string{"POST /oauth2/v0/token", "POST /profile/identity/v4.1/Users", "DELETE /profile/identity/v4/Users/{id}", "POST /profile/identity/v4.1/Users/.search"} {
		if !slices.Contains(endpoints, want) {
			t.Errorf("Endpoints() lacks %q: %v", want, endpoints)
		}
	}
	if slices.Contains(endpoints, "GET "+StatsPath) {
		t.Error("the admin endpoint is not an API endpoint")
	}
}
