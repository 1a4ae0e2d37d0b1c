package concur

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// 1,000 requests, 10 at a time, reuse the connections of the first 10 instead of opening new
// ones (each would cost a TCP and a TLS handshake against Concur).
func TestConnectionsAreKeptAlive(t *testing.T) {
	var opened atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSONResponse(w, http.StatusOK, map[string]any{"id": "u1"})
	}))
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	const concurrency, requests = 10, 1000
	c := newTestClient(t, Config{BaseURL: srv.URL, AccessToken: "at", MaxConcurrency: concurrency})

	var wg sync.WaitGroup
	work := make(chan struct{})
	for range 2 * concurrency { // more callers than slots, so the pool is always full
		wg.Go(func() {
			for range work {
				if _, err := c.getUser(context.Background(), "u1"); err != nil {
					t.Error(err)
				}
			}
		})
	}
	for range requests {
		work <- struct{}{}
	}
	close(work)
	wg.Wait()

	// A slot can be handed on a moment before its connection is back in the pool, so a busy
	// machine opens a few more than MaxConcurrency; without keep-alive it was hundreds.
	limit := int32(2 * concurrency)
	t.Logf("%d requests at MaxConcurrency %d opened %d connections", requests, concurrency, opened.Load())
	if n := opened.Load(); n > limit {
		t.Errorf("%d requests at MaxConcurrency %d opened %d connections, want at most %d", requests, concurrency, n, limit)
	}
}
