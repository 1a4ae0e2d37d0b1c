// Package ldaptest runs a private OpenLDAP slapd for tests: a throwaway
// configuration and database under t.TempDir(), free ports on 127.0.0.1, an
// optional self-signed CA for StartTLS and LDAPS, and the process stopped in
// t.Cleanup. The provider's acceptance tests use it too.
//
// Start skips the test when slapd is not installed, unless the CI environment
// variable is set, where a missing slapd is a failure (tools/install-slapd.sh
// installs it).
package ldaptest
