package ldaptest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// openLDAP is where this machine keeps the OpenLDAP pieces a server needs.
type openLDAP struct {
	slapd, slaptest, ldapadd string
	schemaDir, moduleDir     string
}

// Distributions put these in different places; the first that exists wins.
var (
	sbinDirs   = []string{"/usr/sbin", "/usr/local/sbin", "/usr/libexec"}
	schemaDirs = []string{"/etc/ldap/schema", "/etc/openldap/schema", "/usr/local/etc/openldap/schema"}
	moduleDirs = []string{"/usr/lib/ldap", "/usr/lib/openldap", "/usr/lib64/openldap", "/usr/libexec/openldap", "/usr/local/libexec/openldap"}
)

// findOpenLDAP locates the installation, or skips (fails under CI) the test.
func findOpenLDAP(t testing.TB) openLDAP {
	t.Helper()
	var missing []string
	need := func(found string, what string) string {
		if found == "" {
			missing = append(missing, what)
		}
		return found
	}
	tools := openLDAP{
		slapd:     need(findProgram("slapd"), "slapd"),
		slaptest:  need(findProgram("slaptest"), "slaptest"),
		ldapadd:   need(findProgram("ldapadd"), "ldapadd"),
		schemaDir: need(firstWith(schemaDirs, "core.schema"), "the OpenLDAP schema folder"),
		moduleDir: need(firstWith(moduleDirs, "back_mdb.so"), "the OpenLDAP module folder"),
	}
	if len(missing) > 0 {
		msg := "OpenLDAP is not installed (missing " + strings.Join(missing, ", ") + "); run tools/install-slapd.sh"
		if os.Getenv("CI") != "" {
			t.Fatal(msg + " (CI is set, so this fails instead of skipping)")
		}
		t.Skip(msg)
	}
	return tools
}

func findProgram(name string) string {
	if path, err := exec.LookPath(name); err == nil {
		return path
	}
	for _, dir := range sbinDirs {
		if path := filepath.Join(dir, name); isFile(path) {
			return path
		}
	}
	return ""
}

func firstWith(dirs []string, file string) string {
	for _, dir := range dirs {
		if isFile(filepath.Join(dir, file)) {
			return dir
		}
	}
	return ""
}

func isFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir()
}
