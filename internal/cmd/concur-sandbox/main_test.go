package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
)

// syncBuffer lets the test read what run prints while run is still writing.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestRunServesSeedsWritesFilesAndStops(t *testing.T) {
	dir := t.TempDir()
	seed := filepath.Join(dir, "users.json")
	if err := os.WriteFile(seed, []byte(`[{"userName":"a@example.com","name":{"givenName":"A","familyName":"B"},
		"emails":[{"type":"work","value":"a@example.com"}],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"1"}}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	envFile, readyFile := filepath.Join(dir, "sandbox.env"), filepath.Join(dir, "ready")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-seed", seed, "-env-file", envFile, "-ready-file", readyFile}, &out, io.Discard)
	}()

	var base string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if raw, err := os.ReadFile(readyFile); err == nil {
			base = strings.TrimSpace(string(raw))
			break
		}
	}
	if base == "" {
		t.Fatalf("ready file never appeared; output: %s", out.String())
	}
	if !strings.Contains(out.String(), "ready") || !strings.Contains(out.String(), "(1 users)") {
		t.Errorf("output: %s", out.String())
	}
	env, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(env)), "\n") {
		name, value, _ := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		vars[name] = strings.Trim(value, "'")
	}
	if vars["CONCUR_BASE_URL"] != base || vars["CONCUR_COMPANY_ID"] == "" || len(vars) != 5 {
		t.Errorf("env file: %s", env)
	}
	// The printed credentials work against the served sandbox.
	resp, err := http.PostForm(base+"/oauth2/v0/token", url.Values{
		"client_id": {vars["CONCUR_CLIENT_ID"]}, "client_secret": {vars["CONCUR_CLIENT_SECRET"]},
		"grant_type": {"refresh_token"}, "refresh_token": {vars["CONCUR_REFRESH_TOKEN"]},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("token with printed credentials: %d", resp.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not stop after cancellation")
	}
	if _, err := os.Stat(readyFile); !os.IsNotExist(err) {
		t.Error("ready file left behind")
	}
}

func TestRunRejectsBadSeed(t *testing.T) {
	seed := filepath.Join(t.TempDir(), "users.json")
	if err := os.WriteFile(seed, []byte(`[{"userName":"nope"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-seed", seed}, io.Discard, io.Discard); err == nil {
		t.Fatal("expected an error for an invalid seed file")
	}
}

func TestExportLineQuotes(t *testing.T) {
	if got := exportLine("X", "it's"); got != `export X='it'\''s'` {
		t.Errorf("exportLine = %s", got)
	}
}

// The admin endpoint is served by the command, so a CI script can count the Concur calls of a
// terraform run.
func TestRunServesRequestCounts(t *testing.T) {
	vars := startWithEnvFile(t)
	base := vars["CONCUR_BASE_URL"]
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.PostForm(base+"/oauth2/v0/token", url.Values{"grant_type": {"refresh_token"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	resp, err = client.Get(base + sandbox.StatsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var stats sandbox.Stats
	if err := json.NewDecoder(resp.Body).Decode(&stats); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", sandbox.StatsPath, resp.StatusCode, err)
	}
	if stats.Requests["POST /oauth2/v0/token"] != 1 || stats.Total != 1 || stats.Connections != 2 {
		t.Errorf("stats after one token request: %+v; want it counted, on its own connection and the stats request's", stats)
	}
}
