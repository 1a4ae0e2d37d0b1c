package ldaptest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory/internal/servertest"
)

// Options shape the server.
type Options struct {
	// Suffix is the database's naming context; default dc=example,dc=org.
	Suffix string
	// SizeLimit caps the entries an ordinary (non-paged) search returns to a
	// non-admin client; 0 keeps slapd's default of 500.
	SizeLimit int
	// TLS makes a self-signed CA and server certificate, enables StartTLS on
	// the ldap:// port and listens on an ldaps:// port as well.
	TLS bool
	// Monitor serves slapd's cn=Monitor database, readable by the admin only,
	// so a benchmark can count the operations the server completed.
	Monitor bool
	// WithoutMemberOf leaves out the memberof and dynlist overlays: no entry
	// has memberOf, as on a server that does not maintain it, and large groups
	// load faster.
	WithoutMemberOf bool
}

// Server is a running slapd. Its database holds the suffix entry and a
// reader account; load the rest with Load.
type Server struct {
	// URL is ldap://127.0.0.1:<port>.
	URL string
	// LDAPSURL is ldaps://127.0.0.1:<port>, set when Options.TLS.
	LDAPSURL string
	// CACertPEM is the CA that signed the server certificate, when Options.TLS.
	CACertPEM string
	Suffix    string
	// AdminDN is the rootdn: it bypasses size limits and access control.
	AdminDN       string
	AdminPassword string
	// ReaderDN is an ordinary account that can read everything and is
	// subject to the size limit, as a provider's service account would be.
	ReaderDN       string
	ReaderPassword string

	tools openLDAP
	dir   string
}

// readyTimeout is generous: a busy two-core CI machine can be slow to start
// processes.
const readyTimeout = 30 * time.Second

// Start runs a new slapd for the test and stops it when the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	tools := findOpenLDAP(t)
	if opts.Suffix == "" {
		opts.Suffix = "dc=example,dc=org"
	}
	dir := t.TempDir()
	s := &Server{
		Suffix:         opts.Suffix,
		AdminDN:        "cn=admin," + opts.Suffix,
		AdminPassword:  "admin-secret",
		ReaderDN:       "cn=reader," + opts.Suffix,
		ReaderPassword: "reader-secret",
		tools:          tools,
		dir:            dir,
	}
	values := confValues{
		SchemaDir: tools.schemaDir, ModuleDir: tools.moduleDir, Dir: dir,
		Suffix: s.Suffix, AdminDN: s.AdminDN, AdminPassword: s.AdminPassword,
		SizeLimit: opts.SizeLimit, Monitor: opts.Monitor, WithoutMemberOf: opts.WithoutMemberOf,
	}
	if opts.TLS {
		files := servertest.WriteTLSFiles(t, dir)
		values.TLS = &files
		s.CACertPEM = files.CACertPEM
	}
	if err := os.Mkdir(filepath.Join(dir, "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	conf, err := renderConf(values)
	if err != nil {
		t.Fatalf("render slapd.conf: %v", err)
	}
	confPath := filepath.Join(dir, "slapd.conf")
	servertest.WriteFile(t, confPath, conf)
	if out, err := exec.Command(tools.slaptest, "-u", "-f", confPath).CombinedOutput(); err != nil {
		t.Fatalf("slaptest -u rejected the generated slapd.conf: %v\n%s\n%s", err, out, conf)
	}
	s.run(t, confPath, opts.TLS)
	s.Load(t, s.baseLDIF())
	return s
}

// run starts slapd in the foreground (-d 0, so it never forks and its pid is
// the one we hold) on free ports, retrying when another process takes a
// port between our probe and slapd's bind.
func (s *Server) run(t testing.TB, confPath string, withTLS bool) {
	t.Helper()
	var lastErr error
	for range 3 {
		s.URL = "ldap://127.0.0.1:" + freePort(t)
		urls := s.URL + "/"
		if withTLS {
			s.LDAPSURL = "ldaps://127.0.0.1:" + freePort(t)
			urls += " " + s.LDAPSURL + "/"
		}
		cmd := exec.Command(s.tools.slapd, "-f", confPath, "-h", urls, "-d", "0")
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stderr, &stderr
		cmd.SysProcAttr = servertest.DieWithParent()
		if err := cmd.Start(); err != nil {
			t.Fatalf("start slapd: %v", err)
		}
		// exited is closed when slapd ends; waitErr then says how.
		exited := make(chan struct{})
		var waitErr error
		go func() { waitErr = cmd.Wait(); close(exited) }()
		if lastErr = s.waitReady(exited, &waitErr); lastErr == nil {
			t.Cleanup(func() { stop(t, cmd, exited) })
			return
		}
		_ = cmd.Process.Kill()
		<-exited
		lastErr = fmt.Errorf("%w\nslapd output:\n%s", lastErr, stderr.String())
	}
	t.Fatalf("slapd did not start: %v", lastErr)
}

// waitReady polls until slapd answers a root DSE search.
func (s *Server) waitReady(exited <-chan struct{}, waitErr *error) error {
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("slapd exited: %v", *waitErr)
		default:
		}
		if s.answers() {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("slapd did not answer on %s within %s", s.URL, readyTimeout)
}

func (s *Server) answers() bool {
	conn, err := ldap.DialURL(s.URL, ldap.DialWithDialer(&net.Dialer{Timeout: time.Second}))
	if err != nil {
		return false
	}
	defer func() { _ = conn.Close() }()
	conn.SetTimeout(2 * time.Second)
	_, err = conn.Search(ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", []string{"namingContexts"}, nil))
	return err == nil
}

// stop sends SIGTERM to the pid we started and waits; slapd takes about a
// second to close its database.
func stop(t testing.TB, cmd *exec.Cmd, exited <-chan struct{}) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(15 * time.Second):
		t.Logf("slapd (pid %d) ignored SIGTERM; killing it", cmd.Process.Pid)
		_ = cmd.Process.Kill()
		<-exited
	}
}

func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer func() { _ = l.Close() }()
	addr, _ := l.Addr().(*net.TCPAddr)
	return strconv.Itoa(addr.Port)
}

func (s *Server) baseLDIF() string {
	rdnValue := func(dn string) string {
		parsed, err := ldap.ParseDN(dn)
		if err != nil || len(parsed.RDNs) == 0 {
			return dn
		}
		return parsed.RDNs[0].Attributes[0].Value
	}
	return fmt.Sprintf(`dn: %s
objectClass: dcObject
objectClass: organization
o: ldaptest
dc: %s

dn: %s
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: reader
userPassword: %s
`, s.Suffix, rdnValue(s.Suffix), s.ReaderDN, s.ReaderPassword)
}

// Load adds the entries of an LDIF text with ldapadd, as the admin, so that
// the overlays (memberof) see every add. The relax control lets it set
// operational attributes such as pwdAccountLockedTime.
func (s *Server) Load(t testing.TB, ldif string) {
	t.Helper()
	file, err := os.CreateTemp(s.dir, "load-*.ldif")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = os.Remove(file.Name()) }()
	if _, err := file.WriteString(ldif); err != nil {
		t.Fatal(err)
	}
	if err := file.Close(); err != nil {
		t.Fatal(err)
	}
	passwordFile := filepath.Join(s.dir, "admin.pw")
	servertest.WriteFile(t, passwordFile, s.AdminPassword)
	out, err := exec.Command(s.tools.ldapadd, "-x", "-H", s.URL, "-D", s.AdminDN, "-y", passwordFile,
		"-e", "relax", "-f", file.Name()).CombinedOutput()
	if err != nil {
		t.Fatalf("ldapadd: %v\n%s", err, servertest.LastLines(string(out), 20))
	}
}

// Conn is a connection to the server bound as dn, closed when the test ends; tests use it to
// change the directory between steps.
func (s *Server) Conn(t testing.TB, dn, password string) *ldap.Conn {
	t.Helper()
	conn, err := ldap.DialURL(s.URL)
	if err != nil {
		t.Fatalf("dial %s: %v", s.URL, err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	conn.SetTimeout(readyTimeout)
	if err := conn.Bind(dn, password); err != nil {
		t.Fatalf("bind as %s: %v", dn, err)
	}
	return conn
}
