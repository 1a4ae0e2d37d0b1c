package sandbox

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

// readStats reads the admin endpoint the way a benchmark or CI script would: plain HTTP,
// no token.
func readStats(t *testing.T, client *http.Client, base string) Stats {
	t.Helper()
	resp, err := client.Get(base + StatsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", StatsPath, resp.StatusCode)
	}
	var stats Stats
	if err := json.NewDecoder(resp.Body).Decode(&stats); err != nil {
		t.Fatalf("GET %s: %v", StatsPath, err)
	}
	return stats
}

func TestStatsCountRequestsByEndpointAndConnections(t *testing.T) {
	t.Parallel()
	// Latency and a rate limit of one request a minute apply to the API only: the stats
	// requests below would otherwise wait or be refused.
	c := newClient(t, Options{Latency: 10 * time.Millisecond}) // one token request
	c.srv.SetRateLimit(1.0/60, time.Minute)
	c.srv.ResetCounters()
	expectStatus(t, c.do(http.MethodGet, usersV41, nil), 200)
	expectStatus(t, c.do(http.MethodGet, usersV41, nil), 429)
	expectStatus(t, c.do(http.MethodGet, usersV41+"/some-id", nil), 429)

	stats := readStats(t, c.http, c.base)
	want := map[string]int{"GET /profile/identity/v4.1/Users": 2, "GET /profile/identity/v4.1/Users/{id}": 1}
	if len(stats.Requests) != len(want) || stats.Requests["GET /profile/identity/v4.1/Users"] != 2 ||
		stats.Requests["GET /profile/identity/v4.1/Users/{id}"] != 1 || stats.Total != 3 {
		t.Errorf("requests %v total %d, want %v total 3", stats.Requests, stats.Total, want)
	}
	// The test client keeps no connection alive: one per API request, and the stats
	// request's own.
	if stats.Connections != 4 {
		t.Errorf("connections %d, want 4", stats.Connections)
	}

	resp, err := c.http.Post(c.base+StatsPath+"/reset", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST %s/reset: %d", StatsPath, resp.StatusCode)
	}
	if stats := readStats(t, c.http, c.base); stats.Total != 0 || len(stats.Requests) != 0 || stats.Connections != 1 {
		t.Errorf("after reset: %+v, want no requests and the stats request's connection", stats)
	}
}

func TestStatsCountOneConnectionForAKeptAliveClient(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	c.srv.ResetCounters()
	c.http = &http.Client{Transport: &http.Transport{}}
	defer c.http.CloseIdleConnections()
	for range 5 {
		expectStatus(t, c.do(http.MethodGet, usersV41, nil), 200)
	}
	if stats := readStats(t, c.http, c.base); stats.Total != 5 || stats.Connections != 1 {
		t.Errorf("5 requests on one kept-alive connection: %+v", stats)
	}
}
