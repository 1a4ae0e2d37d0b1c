package concur

import (
	"context"
	"testing"
)

// An app without user.provision.write is refused the first bulk request, and the other batches
// are not sent: every user's result is the *ScopeError, and nothing is created.
func TestSandboxBulkWithoutProvisionScopeSendsOneRequest(t *testing.T) {
	s, c := sandboxClient(t)
	if err := s.WithoutScopes(ScopeProvisionWrite); err != nil {
		t.Fatal(err)
	}
	users := make([]Provision, 3*MaxBulkOperations)
	for i := range users {
		users[i] = Provision{Key: employeeNumber(i), To: newUser(employeeNumber(i))}
	}

	results, err := c.ProvisionUsers(context.Background(), users)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range users {
		if r := results[p.Key]; !LacksScope(r.Err, ScopeProvisionWrite) || r.ID != "" {
			t.Fatalf("%s: %+v, want a *ScopeError naming %s", p.Key, r, ScopeProvisionWrite)
		}
	}
	if got := s.Counters()["POST /profile/v4/Bulk"]; got != 1 {
		t.Errorf("%d bulk requests, want the first alone", got)
	}
	if n := s.UserCount(); n != 0 {
		t.Errorf("the sandbox has %d users, want none", n)
	}
}

func TestIsConflictReadsAnOperationsStatus(t *testing.T) {
	if !IsConflict(&OperationError{Key: "E1", Code: "409"}) || IsConflict(&OperationError{Key: "E1", Code: "400"}) {
		t.Error("IsConflict must be true for an operation Concur reports 409, and only then")
	}
}
