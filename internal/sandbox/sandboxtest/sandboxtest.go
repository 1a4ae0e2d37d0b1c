// Package sandboxtest starts sandboxes for tests. It is apart from the sandbox package so that
// the concur-sandbox binary does not link the testing package.
package sandboxtest

import (
	"testing"

	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
)

// NewServer starts a sandbox on a free local port for one test and closes it when the test
// ends.
func NewServer(t testing.TB, opts sandbox.Options) *sandbox.Server {
	t.Helper()
	s := sandbox.New(opts)
	if _, err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("sandbox: start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// MustUser returns the API representation of the user with empID, failing the test when the
// sandbox has none.
func MustUser(t testing.TB, s *sandbox.Server, empID string) map[string]any {
	t.Helper()
	user, ok := s.UserByEmployeeNumber(empID)
	if !ok {
		t.Fatalf("the sandbox has no user with employeeNumber %q", empID)
	}
	return user
}
