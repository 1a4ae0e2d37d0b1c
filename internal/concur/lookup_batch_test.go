package concur

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
)

// Concurrent look-ups by employee number (concur_user plans) are answered by one search; a
// number no user holds is answered nil without an error.
func TestLookUpEmployeeNumberBatchesConcurrentCalls(t *testing.T) {
	s, cfg := startSandbox(t, sandbox.Options{})
	c := newTestClient(t, cfg)
	c.lookUps.window = time.Hour // only a full batch goes out: the count below cannot depend on timing
	seedUsers(t, s, usersPerSearch-1)
	empIDs := []string{"NOBODY"}
	for i := range usersPerSearch - 1 {
		empIDs = append(empIDs, employeeNumber(i))
	}
	s.ResetCounters()

	users, errs := make([]*User, len(empIDs)), make([]error, len(empIDs))
	var wg sync.WaitGroup
	for i, empID := range empIDs {
		wg.Go(func() { users[i], errs[i] = c.LookUpEmployeeNumber(context.Background(), empID) })
	}
	wg.Wait()

	if counters := s.Counters(); counters[endpointSearch] != 1 || counters[endpointGet] != 0 {
		t.Errorf("%d look-ups sent %v; want one search", len(empIDs), counters)
	}
	for i, empID := range empIDs {
		switch {
		case errs[i] != nil:
			t.Errorf("LookUpEmployeeNumber(%s): %v", empID, errs[i])
		case empID == "NOBODY" && users[i] != nil:
			t.Errorf("LookUpEmployeeNumber(NOBODY) = %+v, want nil", users[i])
		case empID != "NOBODY" && (users[i] == nil || users[i].EmployeeNumber != empID):
			t.Errorf("LookUpEmployeeNumber(%s) = %+v", empID, users[i])
		}
	}
}
