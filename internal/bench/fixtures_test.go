//go:build clibench && linux

package bench

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory/ldaptest"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
)

// The generated company: N people under peopleDN, all members of groupDN.
const (
	suffix   = "dc=example,dc=com"
	peopleDN = "ou=people," + suffix
	groupDN  = "cn=concur-users,ou=groups," + suffix
	// changedTitle marks the titles the 1 % change writes, so the plan's lines can be counted.
	changedTitle = " (changed)"
	// changedAgainTitle marks the titles of the second 1 % change, applied from a saved plan.
	changedAgainTitle = " (changed again)"
	// pageSizeLimit is what an ordinary search returns at most, as Active Directory's
	// MaxPageSize; paged searches may return every entry.
	pageSizeLimit = 1000
)

// directory is a slapd loaded with the generated people.
type directory struct {
	srv   *ldaptest.Server
	admin *ldap.Conn
	size  int
}

// startDirectory runs a slapd with the monitor backend, stopped when t ends, and loads n people
// in one ldapadd run over one LDIF file: every add goes through the server and its memberof
// overlay, as a directory that grew by hand would have it (slapadd would bypass the overlays).
func startDirectory(t *testing.T, n int) *directory {
	t.Helper()
	srv := ldaptest.Start(t, ldaptest.Options{Suffix: suffix, SizeLimit: pageSizeLimit, Monitor: true})
	start := time.Now()
	srv.Load(t, peopleLDIF(n))
	t.Logf("slapd at %s: %s people loaded with ldapadd in %.1f s", srv.URL, thousands(n), time.Since(start).Seconds())
	return &directory{srv: srv, admin: srv.Conn(t, srv.AdminDN, srv.AdminPassword), size: n}
}

func personDN(i int) string { return fmt.Sprintf("uid=p%06d,%s", i, peopleDN) }

func title(i int) string { return fmt.Sprintf("Title %d", i%50) }

func peopleLDIF(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "dn: %s\nobjectClass: organizationalUnit\nou: people\n\n", peopleDN)
	fmt.Fprintf(&b, "dn: ou=groups,%s\nobjectClass: organizationalUnit\nou: groups\n\n", suffix)
	for i := range n {
		fmt.Fprintf(&b, "dn: %s\nobjectClass: inetOrgPerson\nuid: p%06d\ncn: Given%d Family%d\ngivenName: Given%d\nsn: Family%d\n"+
			"mail: P%06d@Example.com\nemployeeNumber: %06d\ntitle: %s\n\n", personDN(i), i, i, i, i, i, i, i, title(i))
	}
	fmt.Fprintf(&b, "dn: %s\nobjectClass: groupOfNames\ncn: concur-users\n", groupDN)
	for i := range n {
		fmt.Fprintf(&b, "member: %s\n", personDN(i))
	}
	return b.String()
}

// env points the provider at the directory with an ordinary account, subject to the size limit.
func (d *directory) env() []string {
	return []string{
		"CONCUR_DIRECTORY_URL=" + d.srv.URL,
		"CONCUR_DIRECTORY_BIND_DN=" + d.srv.ReaderDN,
		"CONCUR_DIRECTORY_BIND_PASSWORD=" + d.srv.ReaderPassword,
	}
}

// changeTitles gives every hundredth person a new title, the way a reorganisation touches 1 %
// of a company, and returns how many changed.
func (d *directory) changeTitles(t *testing.T, mark string) int {
	t.Helper()
	changed := 0
	for i := 0; i < d.size; i += 100 {
		modify := ldap.NewModifyRequest(personDN(i), nil)
		modify.Replace("title", []string{title(i) + mark})
		if err := d.admin.Modify(modify); err != nil {
			t.Fatalf("change the title of %s: %v", personDN(i), err)
		}
		changed++
	}
	return changed
}

// operations reads how many operations of each kind (Search, Bind, Modify, ...) slapd has
// completed, from cn=Monitor. The read is a search itself, completed after its own snapshot:
// the next read counts it.
func (d *directory) operations(t *testing.T) map[string]int {
	t.Helper()
	result, err := d.admin.Search(ldap.NewSearchRequest("cn=Operations,cn=Monitor", ldap.ScopeSingleLevel,
		ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", []string{"cn", "monitorOpCompleted"}, nil))
	if err != nil {
		t.Fatalf("read slapd's operation counts under cn=Operations,cn=Monitor: %v", err)
	}
	ops := map[string]int{}
	for _, e := range result.Entries {
		n, err := strconv.Atoi(e.GetAttributeValue("monitorOpCompleted"))
		if err != nil {
			t.Fatalf("%s: monitorOpCompleted %q: %v", e.DN, e.GetAttributeValue("monitorOpCompleted"), err)
		}
		ops[e.GetAttributeValue("cn")] = n
	}
	if _, ok := ops["Search"]; !ok {
		t.Fatalf("cn=Monitor has no cn=Search counter: %v", ops)
	}
	return ops
}

// operationsSince is what slapd completed between before and after, leaving out the read that
// took before.
func operationsSince(before, after map[string]int) map[string]int {
	ops := map[string]int{}
	for kind, n := range after {
		ops[kind] = n - before[kind]
	}
	ops["Search"]--
	return ops
}

// concurSandbox is the concur-sandbox command running as its own process, as a user's CI runs it.
type concurSandbox struct {
	cmd    *exec.Cmd
	exited chan struct{}
	base   string
	env    []string
	// http keeps no connection alive, so each stats request costs exactly one connection.
	http *http.Client
}

func startSandbox(t *testing.T, binary, dir string, latency time.Duration) *concurSandbox {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	envFile, readyFile := filepath.Join(dir, "sandbox.env"), filepath.Join(dir, "ready")
	logFile, err := os.Create(filepath.Join(dir, "sandbox.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd := exec.Command(binary, "-addr", "127.0.0.1:0", "-latency", latency.String(), "-env-file", envFile, "-ready-file", readyFile)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", binary, err)
	}
	s := &concurSandbox{cmd: cmd, exited: make(chan struct{}), http: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}}
	go func() { _ = cmd.Wait(); close(s.exited) }()
	t.Cleanup(s.stop)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(readyFile); err == nil {
			break
		}
		select {
		case <-s.exited:
			log, _ := os.ReadFile(logFile.Name())
			t.Fatalf("concur-sandbox exited before it was ready:\n%s", log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("concur-sandbox was not ready after 30 s; see %s", logFile.Name())
		}
	}
	raw, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	s.env = parseExports(t, string(raw))
	for _, kv := range s.env {
		if base, ok := strings.CutPrefix(kv, "CONCUR_BASE_URL="); ok {
			s.base = base
		}
	}
	if s.base == "" {
		t.Fatalf("the sandbox's env file names no CONCUR_BASE_URL:\n%s", raw)
	}
	return s
}

// parseExports reads the sandbox's env file: export NAME='value' lines, quoted for POSIX shells.
func parseExports(t *testing.T, text string) []string {
	t.Helper()
	var env []string
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		name, quoted, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		if !ok || len(quoted) < 2 || quoted[0] != '\'' || quoted[len(quoted)-1] != '\'' {
			t.Fatalf("the sandbox's env file has a line that is not export NAME='value': %q", line)
		}
		env = append(env, name+"="+strings.ReplaceAll(quoted[1:len(quoted)-1], `'\''`, "'"))
	}
	return env
}

func (s *concurSandbox) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

func (s *concurSandbox) resetStats(t *testing.T) {
	t.Helper()
	resp, err := s.http.Post(s.base+sandbox.StatsPath+"/reset", "", nil)
	if err != nil {
		t.Fatalf("reset the sandbox's counts: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST %s/reset: %s", sandbox.StatsPath, resp.Status)
	}
}

// stats are the counts since the last reset, less the connection of this request itself.
func (s *concurSandbox) stats(t *testing.T) sandbox.Stats {
	t.Helper()
	resp, err := s.http.Get(s.base + sandbox.StatsPath)
	if err != nil {
		t.Fatalf("read the sandbox's counts: %v", err)
	}
	defer resp.Body.Close()
	var stats sandbox.Stats
	if err := json.NewDecoder(resp.Body).Decode(&stats); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %v", sandbox.StatsPath, resp.Status, err)
	}
	stats.Connections--
	return stats
}
