package sandbox

import (
	"context"
	"maps"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Faults describes injected failures. Keys of FailNext and DropAfterCommitNext, and the
// entries of Endpoints, are "METHOD /path-template", the same keys Counters uses.
//
// The random rates are shares of requests (0..1) drawn from one seeded sequence (Options.Seed):
// the same seed gives the same sequence of faults, so a run whose requests arrive in the same
// order meets the same faults. Their sum should not exceed 1; one draw decides each request.
type Faults struct {
	ErrorRate   float64 // share of requests answered with ErrorStatus, not processed
	ErrorStatus int     // 500, 502, 503 or 504; 0 means 500
	// ThrottleRate is the share of requests answered 429 with a Retry-After of RetryAfter
	// (rounded up to whole seconds), as Concur answers when overloaded.
	ThrottleRate float64
	RetryAfter   time.Duration
	DropRate     float64 // share of requests whose connection is closed without an answer
	// LostCreateRate is the share of creates (POST /Users) that are stored and whose connection
	// is then closed instead of answered: the client cannot know the user exists.
	LostCreateRate float64
	// Endpoints limits the random rates to these endpoints; empty means every endpoint.
	Endpoints []string

	// FailNext makes the next n requests to an endpoint fail with ErrorStatus, without
	// being processed.
	FailNext map[string]int
	// DropAfterCommitNext processes the next n requests to an endpoint and then closes
	// the connection instead of answering: the change happened but the client cannot
	// know (the ambiguous create).
	DropAfterCommitNext map[string]int
}

// FaultCounts is how many injected failures the sandbox served, by kind.
type FaultCounts struct {
	Errors      int `json:"errors"`       // answered with the fault status (5xx)
	Throttled   int `json:"throttled"`    // answered 429, by ThrottleRate or by SetRateLimit
	Dropped     int `json:"dropped"`      // connections closed before the request was processed
	LostReplies int `json:"lost_replies"` // processed, then the connection closed unanswered
}

// faultAction is what the knobs decided for one request.
type faultAction int

const (
	proceed faultAction = iota
	failRequest
	throttleRequest
	dropRequest
	dropAfterCommit
)

// fault is the decision for one request, with what its answer needs.
type fault struct {
	action     faultAction
	status     int           // failRequest
	retryAfter time.Duration // throttleRequest
}

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
	injected    FaultCounts
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
	f.Endpoints = slices.Clone(f.Endpoints)
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

// ResetCounters sets every counter back to zero, the connection and fault counts of Stats
// included.
func (s *Server) ResetCounters() {
	s.knobs.mu.Lock()
	defer s.knobs.mu.Unlock()
	s.knobs.counters = map[string]int{}
	s.knobs.connections = 0
	s.knobs.injected = FaultCounts{}
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
	k.injected.Throttled++
	return false, k.retryAfter
}

// decide picks the fault for one request: the deterministic FailNext and
// DropAfterCommitNext first, then the random rates, from one draw.
func (k *knobs) decide(endpoint string) fault {
	k.mu.Lock()
	defer k.mu.Unlock()
	f := &k.faults
	status := f.ErrorStatus
	if status == 0 {
		status = http.StatusInternalServerError
	}
	decided := fault{action: proceed}
	switch {
	case f.FailNext[endpoint] > 0:
		f.FailNext[endpoint]--
		decided = fault{action: failRequest, status: status}
	case f.DropAfterCommitNext[endpoint] > 0:
		f.DropAfterCommitNext[endpoint]--
		decided = fault{action: dropAfterCommit}
	case len(f.Endpoints) == 0 || slices.Contains(f.Endpoints, endpoint):
		lostCreate := 0.0
		if isCreate(endpoint) {
			lostCreate = f.LostCreateRate
		}
		draw := k.rng.Float64()
		for _, share := range []struct {
			rate float64
			fault
		}{
			{f.DropRate, fault{action: dropRequest}},
			{f.ErrorRate, fault{action: failRequest, status: status}},
			{f.ThrottleRate, fault{action: throttleRequest, retryAfter: f.RetryAfter}},
			{lostCreate, fault{action: dropAfterCommit}},
		} {
			if draw < share.rate {
				decided = share.fault
				break
			}
			draw -= share.rate
		}
	}
	switch decided.action {
	case failRequest:
		k.injected.Errors++
	case throttleRequest:
		k.injected.Throttled++
	case dropRequest:
		k.injected.Dropped++
	case dropAfterCommit:
		k.injected.LostReplies++
	}
	return decided
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
