package provisioning

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
)

func TestClaimsRefuseASecondOwnerAndNameBoth(t *testing.T) {
	t.Parallel()
	var claims Claims
	a := Owner{Key: "channel:a", Name: "the channel over group cn=a"}
	b := Owner{Key: "channel:b", Name: "the channel over group cn=b"}
	user := Owner{Key: "concur_user:E009", Name: "a concur_user with emp_id E009"}
	if err := claims.Claim(a, []string{"E001", "E006", "E007"}); err != nil {
		t.Fatalf("first claim: %v", err)
	}
	if err := claims.Claim(user, []string{"E009"}); err != nil {
		t.Fatalf("claim of an unclaimed emp_id: %v", err)
	}
	err := claims.Claim(b, []string{"E007", "E006", "E008", "E009"})
	var claimErr *ClaimError
	if !errors.As(err, &claimErr) {
		t.Fatalf("overlapping claim: got %v, want a *ClaimError", err)
	}
	want := []ClaimConflict{{Owner: a, EmpIDs: []string{"E006", "E007"}}, {Owner: user, EmpIDs: []string{"E009"}}}
	if claimErr.Claimant != b || !reflect.DeepEqual(claimErr.Conflicts, want) {
		t.Fatalf("conflicts = %+v claimant %+v, want %+v claimant %+v", claimErr.Conflicts, claimErr.Claimant, want, b)
	}
	wantText := "the channel over group cn=b claims people another object of this configuration manages: " +
		"the channel over group cn=a already claims E006, E007; a concur_user with emp_id E009 already claims E009"
	if err.Error() != wantText {
		t.Fatalf("message:\n%s\nwant:\n%s", err, wantText)
	}
	// E008 was free and is b's now.
	if err := claims.Claim(Owner{Key: "channel:c", Name: "c"}, []string{"E008"}); err == nil {
		t.Fatal("E008 claimed twice without an error")
	}
}

func TestClaimsReplanReplacesTheOwnersClaim(t *testing.T) {
	t.Parallel()
	var claims Claims
	a := Owner{Key: "channel:a", Name: "a"}
	if err := claims.Claim(a, []string{"E001", "E002"}); err != nil {
		t.Fatal(err)
	}
	if err := claims.Claim(a, []string{"E002", "E003"}); err != nil {
		t.Fatalf("a re-plan of the same owner: %v", err)
	}
	if err := claims.Claim(Owner{Key: "channel:b", Name: "b"}, []string{"E001"}); err != nil {
		t.Fatalf("E001, released by a's re-plan: %v", err)
	}
	if err := claims.Claim(Owner{Key: "channel:c", Name: "c"}, []string{"E003"}); err == nil {
		t.Fatal("E003, claimed by a's re-plan, given to c")
	}
}

// Whatever order concurrent plans run in, exactly one of two owners of a person is refused.
func TestClaimsConcurrentOwnersOneRefused(t *testing.T) {
	t.Parallel()
	for round := range 50 {
		var claims Claims
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = claims.Claim(Owner{Key: fmt.Sprint(i), Name: fmt.Sprint(i)}, []string{"E006", "E007"})
			}()
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("round %d: errors %v and %v, want exactly one", round, errs[0], errs[1])
		}
	}
}

func TestPlanClaimedIncludesDisabledAndDeleted(t *testing.T) {
	t.Parallel()
	plan := &Plan{
		Users:   map[string]ManagedUser{"E002": {EmpID: "E002", Active: false}, "E001": {EmpID: "E001", Active: true}},
		Changes: []Change{{Kind: ChangeDelete, EmpID: "E003"}, {Kind: ChangeDeactivate, EmpID: "E002"}},
	}
	if got, want := plan.Claimed(), []string{"E001", "E002", "E003"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Claimed() = %v, want %v", got, want)
	}
}
