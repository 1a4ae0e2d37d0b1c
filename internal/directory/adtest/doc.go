// Package adtest runs a real Active Directory for tests: a Samba AD domain controller from
// Debian's packages (tools/install-samba.sh), provisioned into a temporary folder, holding the
// fixture this package describes (People, Groups, the 1,700 members of BigGroupDN, a service
// account), with a certificate of a throwaway CA for 127.0.0.1 and localhost, and stopped by
// its PID when the test ends.
//
// Provisioning a domain and loading the fixture take a while (10 to 15 s on a two-core
// machine), so the first Start on a machine keeps the result as a template under
// os.TempDir(), keyed by the Samba version and the fixture; later Starts copy it and are ready
// in about a second. Changes a test makes reach only its own copy.
//
// A DC listens on ports 389, 636, 3268 and 3269 of 127.0.0.1 and ::1, which cannot be moved,
// so only one runs on a machine at a time: Start waits for a DC another test binary runs to
// stop, and skips the test when something else holds those ports. Run every case that needs
// a DC as a subtest of one test that calls Start once. Start fails when Samba is not installed
// (it names the install command) and skips when the test does not run as root, which Samba's
// DC needs; under CI (the CI environment variable) both fail.
package adtest
