package sandbox

import "testing"

// NewTestServer starts a sandbox on a free local port for one test and closes it when
// the test ends.
func NewTestServer(t testing.TB, opts Options) *Server {
	t.Helper()
	s := New(opts)
	if _, err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("sandbox: start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// MustUser returns the API representation of the user with empID, failing the test when the
// sandbox has none.
func (s *Server) MustUser(t testing.TB, empID string) map[string]any {
	t.Helper()
	user, ok := s.UserByEmployeeNumber(empID)
	if !ok {
		t.Fatalf("the sandbox has no user with employeeNumber %q", empID)
	}
	return user
}
