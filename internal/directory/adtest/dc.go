package adtest

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory/internal/servertest"
)

// DC is a running domain controller holding the fixture.
type DC struct {
	// URL is ldap://127.0.0.1 (port 389). The DC refuses a simple bind on it before StartTLS.
	URL string
	// LDAPSURL is ldaps://127.0.0.1 (port 636).
	LDAPSURL string
	// CACertPEM is the CA that signed the DC's certificate, which names IP 127.0.0.1 and DNS
	// localhost.
	CACertPEM string
}

// Ports are the DC's fixed ports: LDAP, LDAPS and the global catalog's two.
var Ports = []int{389, 636, 3268, 3269}

const (
	// readyTimeout is generous: a busy two-core machine starts Samba slowly.
	readyTimeout = 2 * time.Minute
	stopTimeout  = 30 * time.Second
)

// Start runs a DC for the test and stops it when the test ends. See the package
// documentation for when it waits, skips or fails.
func Start(t testing.TB) *DC {
	t.Helper()
	samba := findSamba(t)
	cache := openCache(t)
	cache.lockDC(t)
	if taken := takenPorts(); len(taken) > 0 {
		cache.unlock()
		unavailable(t, portsTaken(taken))
	}
	t.Cleanup(cache.unlock)

	template := cache.template(t, samba)
	dir := t.TempDir()
	copyTree(t, template, dir)
	files := servertest.WriteTLSFiles(t, filepath.Join(dir, "tls"))
	conf := filepath.Join(dir, "etc", "smb.conf")
	raw, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	servertest.WriteFile(t, conf, strings.ReplaceAll(string(raw), dirPlaceholder, dir))
	dc := &DC{URL: "ldap://127.0.0.1", LDAPSURL: "ldaps://127.0.0.1", CACertPEM: files.CACertPEM}
	proc := run(t, samba, dir, dc)
	t.Cleanup(func() { proc.stop(t) })
	return dc
}

// unavailable skips the test, or fails it under CI, where every test must run.
func unavailable(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(msg + " (CI is set, so this fails instead of skipping)")
	}
	t.Skip(msg)
}

// sambaTools are the programs a DC needs.
type sambaTools struct {
	samba, sambaTool, version string
}

func findSamba(t testing.TB) sambaTools {
	t.Helper()
	if runtime.GOOS != "linux" {
		unavailable(t, "the Samba AD DC tests run on Linux only")
	}
	var missing []string
	find := func(name string) string {
		for _, path := range []string{"/usr/sbin/" + name, "/usr/bin/" + name} {
			if info, err := os.Stat(path); err == nil && !info.IsDir() {
				return path
			}
		}
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
		missing = append(missing, name)
		return ""
	}
	tools := sambaTools{samba: find("samba"), sambaTool: find("samba-tool")}
	if len(missing) > 0 {
		t.Fatalf("Samba's AD DC is not installed (missing %s); install it with tools/install-samba.sh (make tools runs it)",
			strings.Join(missing, ", "))
	}
	if os.Geteuid() != 0 {
		unavailable(t, "a Samba AD DC runs as root only; run the Active Directory tests as root")
	}
	out, err := exec.Command(tools.samba, "--version").Output()
	if err != nil {
		t.Fatalf("samba --version: %v", err)
	}
	tools.version = strings.TrimSpace(string(out))
	return tools
}

// portsTaken is why the test skips when other processes hold the DC's ports.
func portsTaken(taken []string) string {
	return fmt.Sprintf("a Samba AD DC needs ports %v on 127.0.0.1 and ::1, and another process listens on %s; "+
		"stop it to run the Active Directory tests", Ports, strings.Join(taken, ", "))
}

// takenPorts lists the DC's ports another process listens on. An address the machine does not
// have (no IPv6 on lo) is not a taken port.
func takenPorts() []string {
	var taken []string
	for _, port := range Ports {
		for _, host := range []string{"127.0.0.1", "::1"} {
			addr := net.JoinHostPort(host, fmt.Sprint(port))
			l, err := net.Listen("tcp", addr)
			if err == nil {
				_ = l.Close()
				continue
			}
			if errors.Is(err, syscall.EADDRINUSE) {
				taken = append(taken, addr)
			}
		}
	}
	return taken
}

// process is a running samba.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{}
	err    error
	log    string
}

// run starts samba on the provisioned folder dir in the foreground, in one process (-M
// single), so the PID we hold is the whole DC, and waits until it answers over LDAPS.
func run(t testing.TB, samba sambaTools, dir string, dc *DC) *process {
	t.Helper()
	p := &process{exited: make(chan struct{}), log: filepath.Join(dir, "log", "samba.out")}
	out, err := os.Create(p.log)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = out.Close() }()
	p.cmd = exec.Command(samba.samba, "-i", "-M", "single", "-s", filepath.Join(dir, "etc", "smb.conf"))
	p.cmd.Stdout, p.cmd.Stderr = out, out
	p.cmd.SysProcAttr = servertest.DieWithParent()
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start samba: %v", err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.exited) }()
	if err := p.waitReady(dc); err != nil {
		p.stop(t)
		t.Fatalf("the Samba AD DC did not start: %v\nsamba's output:\n%s", err, p.tail())
	}
	return p
}

func (p *process) waitReady(dc *DC) error {
	deadline := time.Now().Add(readyTimeout)
	var lastErr error
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return fmt.Errorf("samba (pid %d) exited: %v", p.cmd.Process.Pid, p.err)
		default:
		}
		conn, err := dc.dial()
		if err == nil {
			_, err = conn.Search(ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
				"(objectClass=*)", []string{"defaultNamingContext"}, nil))
			_ = conn.Close()
			if err == nil {
				return nil
			}
		}
		lastErr = err
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("no answer on %s within %s: %v", dc.LDAPSURL, readyTimeout, lastErr)
}

// stop sends SIGTERM to the PID we started and waits for it to exit.
func (p *process) stop(t testing.TB) {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(stopTimeout):
		t.Logf("samba (pid %d) ignored SIGTERM for %s; killing it", p.cmd.Process.Pid, stopTimeout)
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

func (p *process) tail() string {
	raw, err := os.ReadFile(p.log)
	if err != nil {
		return err.Error()
	}
	return servertest.LastLines(string(raw), 30)
}

// dial opens an LDAPS connection that trusts the DC's CA.
func (dc *DC) dial() (*ldap.Conn, error) {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(dc.CACertPEM))
	conn, err := ldap.DialURL(dc.LDAPSURL, ldap.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}),
		ldap.DialWithTLSConfig(&tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}))
	if err != nil {
		return nil, err
	}
	conn.SetTimeout(readyTimeout)
	return conn, nil
}

// Conn is an LDAPS connection bound as the Administrator, closed when the test ends; tests use
// it to change the directory between steps.
func (dc *DC) Conn(t testing.TB) *ldap.Conn {
	t.Helper()
	conn, err := dc.dial()
	if err != nil {
		t.Fatalf("dial %s: %v", dc.LDAPSURL, err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	if err := conn.Bind(AdminUPN, AdminPassword); err != nil {
		t.Fatalf("bind as %s: %v", AdminUPN, err)
	}
	return conn
}
