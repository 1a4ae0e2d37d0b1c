package concur

import (
	"context"
	"testing"

	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
)

// Finding many users reads the tenant 1,000 a page where that costs fewer requests than
// searching 100 at a time and at most twice the time (10 searches at a time: 1,000 values take
// one round of searches, so two pages at most), and searches where the tenant is larger; the
// answer is the same.
func TestFindUsersListsTheTenantWhenThatIsCheaper(t *testing.T) {
	for _, tt := range []struct {
		name                   string
		tenant, wanted         int
		wantPages, maxSearches int
	}{
		{"a tenant of the channel's size is listed", 2500, 1500, 3, 0},
		{"a tenant twice the channel is still listed", 2000, 1000, 2, 0},
		{"a larger tenant: one page, then searches for the rest", 3000, 1000, 1, 10},
		{"few values are searched for", 2500, 999, 0, 10},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, cfg := startSandbox(t, sandbox.Options{})
			c := newTestClient(t, cfg)
			seedUsers(t, s, tt.tenant)
			var empIDs []string
			for i := range tt.wanted {
				empIDs = append(empIDs, employeeNumber(tt.tenant-1-i*2)) // every other user from the top; some numbers nobody holds
			}
			s.ResetCounters()

			found, err := c.FindUsersByEmployeeNumbers(context.Background(), empIDs)
			if err != nil {
				t.Fatal(err)
			}
			holders := 0
			for i := range tt.wanted {
				if tt.tenant-1-i*2 >= 0 {
					holders++
				}
			}
			if len(found) != holders {
				t.Errorf("found %d users, want the %d that exist", len(found), holders)
			}
			for empID, u := range found {
				if u.EmployeeNumber != empID {
					t.Errorf("found[%s] is user %s", empID, u.EmployeeNumber)
				}
			}
			counters := s.Counters()
			if counters[endpointList] != tt.wantPages || counters[endpointSearch] > tt.maxSearches || counters[endpointGet] != 0 {
				t.Errorf("requests %v, want %d pages of the tenant and at most %d searches", counters, tt.wantPages, tt.maxSearches)
			}
		})
	}
}
