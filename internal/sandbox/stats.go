package sandbox

import (
	"net"
	"net/http"
)

// StatsPath is the sandbox's own admin endpoint, outside the Concur API paths: GET answers
// Stats as JSON and POST StatsPath+"/reset" sets every count back to zero. Neither needs a
// token, and neither is counted, delayed, rate-limited or faulted.
const StatsPath = "/_sandbox/stats"

// Stats is what the sandbox has served since it started or was last reset.
type Stats struct {
	// Requests counts the requests per endpoint, keyed as Counters is.
	Requests map[string]int `json:"requests"`
	// Total is the sum of Requests.
	Total int `json:"total"`
	// Connections counts the TCP connections the server accepted (Start only; a handler
	// served by someone else sees none), the one carrying a stats request included: it is
	// what a client's keep-alive saves, since each new connection to Concur costs a TLS
	// handshake.
	Connections int `json:"connections"`
	// Faults counts the injected failures served (Faults, SetRateLimit): with Requests, what
	// a client's retries cost.
	Faults FaultCounts `json:"faults"`
}

// Stats returns the request and connection counts.
func (s *Server) Stats() Stats {
	s.knobs.mu.Lock()
	defer s.knobs.mu.Unlock()
	stats := Stats{Requests: make(map[string]int, len(s.knobs.counters)), Connections: s.knobs.connections, Faults: s.knobs.injected}
	for endpoint, n := range s.knobs.counters {
		stats.Requests[endpoint] = n
		stats.Total += n
	}
	return stats
}

func (s *Server) statsRoutes() {
	s.mux.HandleFunc("GET "+StatsPath, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.Stats())
	})
	s.mux.HandleFunc("POST "+StatsPath+"/reset", func(w http.ResponseWriter, _ *http.Request) {
		s.ResetCounters()
		w.WriteHeader(http.StatusNoContent)
	})
}

// countConnections is the http.Server's ConnState hook.
func (k *knobs) countConnections(_ net.Conn, state http.ConnState) {
	if state != http.StateNew {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.connections++
}
