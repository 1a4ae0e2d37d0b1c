package adtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory/internal/servertest"
)

// dirPlaceholder stands for the DC's folder in a template's smb.conf, which is the only file
// of a provisioned domain that names its folder.
const dirPlaceholder = "@ADTEST_DIR@"

// templateFormat changes when the way a template is made changes in a way its key would not
// show.
const templateFormat = "1"

// loadTimeout bounds loading the fixture on a slow, busy machine.
const loadTimeout = 10 * time.Minute

// cache is this user's folder of templates under os.TempDir(), and the lock that lets one DC
// run at a time.
type cache struct {
	dir  string
	lock *os.File
}

// openCache opens the folder, creating it if need be. It must be a real folder owned by this
// user and closed to others: a template is run as root, so one planted by someone else must
// never be used.
func openCache(t testing.TB) *cache {
	t.Helper()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("terraform-provider-concur-adtest-%d", os.Geteuid()))
	if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
		t.Fatalf("create the Samba template folder: %v", err)
	}
	info, err := os.Lstat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if uid, ok := ownerOf(info); !info.IsDir() || !ok || uid != os.Geteuid() || info.Mode().Perm()&0o077 != 0 {
		t.Fatalf("%s is not a folder of this user's closed to others (mode %s); remove it and run the tests again", dir, info.Mode())
	}
	return &cache{dir: dir}
}

// lockDC waits until no other test binary of this machine runs a DC, and keeps the lock until
// unlock. The kernel releases it when a test binary dies.
func (c *cache) lockDC(t testing.TB) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(c.dir, "dc.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := lockFile(f, false); err != nil {
		t.Logf("waiting for the Samba AD DC of another test binary to stop (ports %v are the same for all)", Ports)
		start := time.Now()
		if err := lockFile(f, true); err != nil {
			_ = f.Close()
			t.Fatalf("lock %s: %v", f.Name(), err)
		}
		t.Logf("waited %s for the other DC", time.Since(start).Round(time.Second))
	}
	c.lock = f
}

func (c *cache) unlock() {
	if c.lock != nil {
		_ = c.lock.Close() // closing the last descriptor releases the flock
		c.lock = nil
	}
}

// provisionArgs provision the domain into the folder dir. Only the LDAP server runs (no smbd,
// KDC or DNS), on lo, with the certificate in dir/tls; ldb:nosync skips the fsync of every
// write, which a throwaway domain does not need.
func provisionArgs(dir string) []string {
	args := []string{"domain", "provision", "--server-role=dc", "--realm=" + Realm, "--domain=" + NetBIOS,
		"--host-name=dc1", "--dns-backend=NONE", "--adminpass=" + AdminPassword, "--targetdir=" + dir}
	for _, option := range []string{
		"interfaces = lo", "bind interfaces only = yes", "server services = ldap",
		"pid directory = " + dir + "/run", "log file = " + dir + "/log/samba.log",
		"tls enabled = yes", "tls keyfile = " + dir + "/tls/server.key", "tls certfile = " + dir + "/tls/server.pem",
		"tls cafile = " + dir + "/tls/ca.pem", "ldb:nosync = true",
	} {
		args = append(args, "--option="+option)
	}
	return args
}

// template returns the folder of a provisioned domain that holds the fixture, building it the
// first time. The caller holds the lock, so no other binary builds or reads it meanwhile.
func (c *cache) template(t testing.TB, samba sambaTools) string {
	t.Helper()
	h := sha256.New()
	fmt.Fprintln(h, templateFormat, samba.version, strings.Join(provisionArgs(dirPlaceholder), " "))
	for _, s := range fixtureSteps() {
		fmt.Fprintln(h, s)
	}
	key := hex.EncodeToString(h.Sum(nil))[:16]
	dir := filepath.Join(c.dir, key)
	if _, err := os.Stat(filepath.Join(dir, "etc", "smb.conf")); err == nil {
		return dir
	}
	c.prune(t)
	start := time.Now()
	// Built beside the templates, not in t.TempDir(), so that a rename puts it in place whole.
	build, err := os.MkdirTemp(c.dir, "build-") //nolint:usetesting // must be on the cache's filesystem
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = os.RemoveAll(build) }()
	c.build(t, samba, build)
	if err := os.Rename(build, dir); err != nil {
		t.Fatal(err)
	}
	t.Logf("provisioned a Samba AD domain and loaded the fixture in %s (kept in %s for later runs)",
		time.Since(start).Round(100*time.Millisecond), dir)
	return dir
}

// prune removes other templates (older Samba versions or fixtures) and failed builds.
func (c *cache) prune(t testing.TB) {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			_ = os.RemoveAll(filepath.Join(c.dir, e.Name()))
		}
	}
}

// build provisions a domain into dir, runs it, loads the fixture, stops it and replaces dir in
// smb.conf by dirPlaceholder.
func (c *cache) build(t testing.TB, samba sambaTools, dir string) {
	t.Helper()
	for _, sub := range []string{"tls", "run", "log"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	out, err := exec.Command(samba.sambaTool, provisionArgs(dir)...).CombinedOutput()
	if err != nil {
		t.Fatalf("samba-tool domain provision: %v\n%s", err, servertest.LastLines(string(out), 30))
	}
	t.Logf("provisioned the domain in %s", time.Since(start).Round(100*time.Millisecond))

	files := servertest.WriteTLSFiles(t, filepath.Join(dir, "tls"))
	dc := &DC{URL: "ldap://127.0.0.1", LDAPSURL: "ldaps://127.0.0.1", CACertPEM: files.CACertPEM}
	proc := run(t, samba, dir, dc)
	start = time.Now()
	err = func() error {
		conn, err := dc.dial()
		if err != nil {
			return err
		}
		defer func() { _ = conn.Close() }()
		if err := conn.Bind(AdminUPN, AdminPassword); err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
		defer cancel()
		return load(ctx, conn, fixtureSteps())
	}()
	proc.stop(t)
	if err != nil {
		t.Fatalf("load the fixture into the Samba AD DC: %v\nsamba's output:\n%s", err, proc.tail())
	}
	t.Logf("loaded the fixture in %s", time.Since(start).Round(100*time.Millisecond))

	for _, sub := range []string{"tls", "run", "log"} {
		if err := os.RemoveAll(filepath.Join(dir, sub)); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(filepath.Join(dir, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	conf := filepath.Join(dir, "etc", "smb.conf")
	raw, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	servertest.WriteFile(t, conf, strings.ReplaceAll(string(raw), dir, dirPlaceholder))
}

// copyTree copies the folders and regular files under src into dst, keeping their modes;
// sockets a DC leaves behind are not copied.
func copyTree(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(target, info.Mode().Perm())
		case info.Mode().IsRegular():
			return copyFile(path, target, info.Mode().Perm())
		}
		return nil
	})
	if err != nil {
		t.Fatalf("copy the Samba template: %v", err)
	}
}

func copyFile(src, dst string, mode fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}
