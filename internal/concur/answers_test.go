package concur

// Answers no retry can mend: one too large to read, and a certificate the client cannot trust.

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// countingServer serves h and counts the requests and the connections it is offered (a
// connection whose TLS handshake fails carries no request).
func countingServer(t *testing.T, useTLS bool, h http.HandlerFunc) (srv *httptest.Server, requests, connections *atomic.Int32) {
	t.Helper()
	requests, connections = new(atomic.Int32), new(atomic.Int32)
	srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		h(w, r)
	}))
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			connections.Add(1)
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	if useTLS {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv, requests, connections
}

func TestAnswerOverTheLimitIsReportedAsTooLarge(t *testing.T) {
	for name, answer := range map[string]func(w http.ResponseWriter){
		// Without Content-Length the client must read past the limit to know.
		"chunked": func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"Resources":[{"id":"`))
			chunk := []byte(strings.Repeat("x", 1<<20))
			for range maxResponseBytes>>20 + 1 {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
			_, _ = w.Write([]byte(`"}]}`))
		},
		// A declared length over the limit fails before reading.
		"declared": func(w http.ResponseWriter) {
			w.Header().Set("Content-Length", strconv.Itoa(maxResponseBytes+100))
			_, _ = w.Write([]byte(`{"Resources":[`))
		},
	} {
		t.Run(name, func(t *testing.T) {
			srv, requests, _ := countingServer(t, false, func(w http.ResponseWriter, _ *http.Request) { answer(w) })
			c := newTestClient(t, Config{BaseURL: srv.URL, AccessToken: "at"})
			_, err := c.FindUserByEmployeeNumber(context.Background(), "E1")
			if err == nil {
				t.Fatal("an answer over 64 MiB was accepted")
			}
			msg := err.Error()
			t.Log(msg)
			if !strings.Contains(msg, "over the client's limit of 64 MiB") || !strings.Contains(msg, "base_url") ||
				!strings.Contains(msg, "/Users/.search") || strings.Contains(msg, "unexpected end of JSON input") {
				t.Errorf("error %q; want it to say the answer is too large, for which call, and what to check", msg)
			}
			if name == "declared" && !strings.Contains(msg, "declares "+strconv.Itoa(maxResponseBytes+100)+" bytes") {
				t.Errorf("error %q does not give the declared size", msg)
			}
			if n := requests.Load(); n != 1 {
				t.Errorf("%d requests; a too large answer must not be asked for again", n)
			}
		})
	}
}

func TestUntrustedCertificateFailsAtOnceWithAdvice(t *testing.T) {
	srv, requests, connections := countingServer(t, true, func(w http.ResponseWriter, _ *http.Request) {
		writeJSONResponse(w, http.StatusOK, map[string]any{"access_token": "at", "expires_in": 3600})
	})
	host := strings.TrimPrefix(srv.URL, "https://")
	for name, tc := range map[string]struct {
		baseURL string
		trusted bool // the client trusts the server's CA
		want    []string
	}{
		"unknown CA": {srv.URL, false, []string{host + " presents a TLS certificate signed by", "does not trust",
			"add that CA's certificate to the system's trust store", "SSL_CERT_FILE", "correct base_url"}},
		"another host's certificate": {strings.Replace(srv.URL, "127.0.0.1", "localhost", 1), true,
			[]string{"is for other hosts", "correct base_url"}},
	} {
		t.Run(name, func(t *testing.T) {
			before := connections.Load()
			cfg := Config{BaseURL: tc.baseURL, ClientID: "cid", ClientSecret: testClientSecret, RefreshToken: "rt"}
			if tc.trusted {
				cfg.HTTPClient = srv.Client()
			}
			c := newTestClient(t, cfg)
			_, err := c.FindUserByEmployeeNumber(context.Background(), "E1")
			if err == nil {
				t.Fatal("a certificate the client cannot verify was accepted")
			}
			t.Log(err)
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if n := connections.Load() - before; n != 1 {
				t.Errorf("%d connections: a certificate failure must not be retried", n)
			}
		})
	}
	if requests.Load() != 0 {
		t.Errorf("%d requests reached the server past a failed handshake", requests.Load())
	}
}
