package sandbox

import (
	"context"
	"maps"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Faults describes injected failures. Keys of FailNext and DropAfterCommitNext are
// "METHOD /path-template", the same keys Counters uses.
type Faults struct {
	ErrorRate   float64 // share of requests answered with ErrorStatus (0..1)
	ErrorStatus int     // 500 or 503; 0 means 500
	DropRate    float64 // share of requests whose connection is closed without an answer
	// FailNext makes the next n requests to an endpoint fail with ErrorStatus, without
	// being processed.
	FailNext map[string]int
	// DropAfterCommitNext processes the next n requests to an endpoint and then closes
	// the connection instead of answering: the change happened but the client cannot
	// know (the ambiguous create).
	DropAfterCommitNext map[string]int
}

// faultAction is what the knobs decided for one request.
type faultAction int

const (
	proceed faultAction = iota
	failRequest
	dropRequest
	dropAfterCommit
)

// knobs holds the run-time settings that make the sandbox behave like a busy, flaky
// service. Every field is guarded by mu.
type knobs struct {
	mu         sync.Mutex
	latency    time.Duration
	limiter    *rate.Limiter
	retryAfter time.Duration
	faults     Faults
	rng        *rand.Rand
	counters   map[string]int
	// connections counts accepted TCP connections (see Stats).
	connections int
}

func newKnobs(opts Options) *knobs {
	return &knobs{
		latency:  opts.Latency,
		rng:      rand.New(rand.NewPCG(uint64(opts.Seed), 0x5a4db0c0)),
		counters: map[string]int{},
	}
}

// SetLatency adds d before every request is handled.
func (s *Server) SetLatency(d time.Duration) {
	s.knobs.mu.Lock()
	defer s.knobs.mu.Unlock()
	s.knobs.latency = d
}

// SetRateLimit limits all requests to requestsPerSecond (burst: one second's worth);
// requests over the limit get 429 with Retry-After set to retryAfter in whole seconds.
// 0 turns the limit off.
func (s *Server) SetRateLimit(requestsPerSecond float64, retryAfter time.Duration) {
	s.knobs.mu.Lock()
	defer s.knobs.mu.Unlock()
	if requestsPerSecond <= 0 {
		s.knobs.limiter = nil
		return
	}
	burst := max(1, int(math.Ceil(requestsPerSecond)))
	s.knobs.limiter = rate.NewLimiter(rate.Limit(requestsPerSecond), burst)
	s.knobs.retryAfter = retryAfter
}

// SetFaults replaces the fault settings (the maps are copied).
func (s *Server) SetFaults(f Faults) {
	s.knobs.mu.Lock()
	defer s.knobs.mu.Unlock()
	f.FailNext = maps.Clone(f.FailNext)
	f.DropAfterCommitNext = maps.Clone(f.DropAfterCommitNext)
	s.knobs.faults = f
}

// Counters returns how many requests each endpoint received, keyed
// "METHOD /path-template" (e.g. "GET /profile/identity/v4.1/Users/{id}"). Requests
// refused by the rate limit or faults are counted too: they reached the server.
func (s *Server) Counters() map[string]int {
	s.knobs.mu.Lock()
	defer s.knobs.mu.Unlock()
	return maps.Clone(s.knobs.counters)
}

// ResetCounters sets every counter back to zero, the connection count of Stats included.
func (s *Server) ResetCounters() {
	s.knobs.mu.Lock()
	defer s.knobs.mu.Unlock()
	s.knobs.counters = map[string]int{}
	s.knobs.connections = 0
}

func (k *knobs) count(endpoint string) time.Duration {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.counters[endpoint]++
	return k.latency
}

// allow applies the rate limit; when refused it returns the Retry-After to send.
func (k *knobs) allow() (bool, time.Duration) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.limiter == nil || k.limiter.Allow() {
		return true, 0
	}
	return false, k.retryAfter
}

// decide picks the fault for one request: the deterministic FailNext and
// DropAfterCommitNext first, then the random rates.
func (k *knobs) decide(endpoint string) (faultAction, int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	f := &k.faults
	status := f.ErrorStatus
	if status == 0 {
		status = http.StatusInternalServerError
	}
	if f.FailNext[endpoint] > 0 {
		f.FailNext[endpoint]--
		return failRequest, status
	}
	if f.DropAfterCommitNext[endpoint] > 0 {
		f.DropAfterCommitNext[endpoint]--
		return dropAfterCommit, 0
	}
	if f.DropRate > 0 && k.rng.Float64() < f.DropRate {
		return dropRequest, 0
	}
	if f.ErrorRate > 0 && k.rng.Float64() < f.ErrorRate {
		return failRequest, status
	}
	return proceed, 0
}

func sleepCtx(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// writeRateLimited answers like Concur's other v4 APIs do when throttling.
func writeRateLimited(w http.ResponseWriter, r *http.Request, retryAfter time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(retryAfter.Seconds()))))
	writeJSON(w, http.StatusTooManyRequests, map[string]any{
		"timestamp":  time.Now().UTC().Format(time.RFC3339Nano),
		"httpStatus": "429 - Too Many Requests",
		"error":      map[string]string{"id": "security.rate.limit.reached", "message": "Too many requests"},
		"path":       r.URL.Path,
	})
}

// dropConnection closes the client's connection without a response. Hijacking gives the
// raw connection; where that is impossible (HTTP/2) aborting the handler resets the stream.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
