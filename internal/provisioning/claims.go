package provisioning

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Owner is a provisioning object that claims people in one run: a channel or a concur_user.
type Owner struct {
	// Key identifies the object across the calls that plan it (a re-plan replaces its claim); two
	// objects must never share one.
	Key string
	// Name says which object it is in words the user recognises, such as "the channel over group
	// cn=staff,dc=example,dc=com (id 3f2a...)".
	Name string
}

// Claims records which owner each emp_id belongs to among the objects one provider process plans.
// Terraform plans objects concurrently and in no fixed order, so a claim is checked and recorded
// under one lock: of two owners of one person, the second to claim always sees the first.
type Claims struct {
	mu      sync.Mutex
	ownerOf map[string]Owner
	// claimed is what each owner's latest claim holds, so a re-plan can release it first.
	claimed map[string][]string
}

// ClaimError says that some of an owner's emp_ids belong to other owners.
type ClaimError struct {
	Claimant Owner
	// Conflicts lists the other owners, each with the emp_ids it holds, in a fixed order.
	Conflicts []ClaimConflict
}

// ClaimConflict is one other owner and the claimant's emp_ids it holds.
type ClaimConflict struct {
	Owner  Owner
	EmpIDs []string
}

func (e *ClaimError) Error() string {
	parts := make([]string, len(e.Conflicts))
	for i, conflict := range e.Conflicts {
		parts[i] = fmt.Sprintf("%s already claims %s", conflict.Owner.Name, strings.Join(conflict.EmpIDs, ", "))
	}
	return fmt.Sprintf("%s claims people another object of this configuration manages: %s", e.Claimant.Name, strings.Join(parts, "; "))
}

// Claim records that owner will manage empIDs, replacing its earlier claim. The emp_ids another
// owner holds stay theirs and are reported in a *ClaimError; the rest are recorded either way,
// so a third owner of one of them is refused too.
func (c *Claims) Claim(owner Owner, empIDs []string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ownerOf == nil {
		c.ownerOf, c.claimed = map[string]Owner{}, map[string][]string{}
	}
	for _, empID := range c.claimed[owner.Key] {
		if c.ownerOf[empID].Key == owner.Key {
			delete(c.ownerOf, empID)
		}
	}
	held := map[string]*ClaimConflict{}
	recorded := make([]string, 0, len(empIDs))
	for _, empID := range empIDs {
		other, taken := c.ownerOf[empID]
		if !taken || other.Key == owner.Key {
			c.ownerOf[empID] = owner
			recorded = append(recorded, empID)
			continue
		}
		if held[other.Key] == nil {
			held[other.Key] = &ClaimConflict{Owner: other}
		}
		held[other.Key].EmpIDs = append(held[other.Key].EmpIDs, empID)
	}
	c.claimed[owner.Key] = recorded
	if len(held) == 0 {
		return nil
	}
	claimErr := &ClaimError{Claimant: owner}
	for _, conflict := range held {
		sort.Strings(conflict.EmpIDs)
		claimErr.Conflicts = append(claimErr.Conflicts, *conflict)
	}
	sort.Slice(claimErr.Conflicts, func(i, j int) bool { return claimErr.Conflicts[i].Owner.Key < claimErr.Conflicts[j].Owner.Key })
	return claimErr
}

// Claimed lists the emp_ids the plan makes the channel answer for: the users it keeps managing
// (active or disabled) and the ones it deletes.
func (p *Plan) Claimed() []string {
	empIDs := make([]string, 0, len(p.Users))
	for empID := range p.Users {
		empIDs = append(empIDs, empID)
	}
	for _, change := range p.Changes {
		if change.Kind == ChangeDelete {
			empIDs = append(empIDs, change.EmpID)
		}
	}
	sort.Strings(empIDs)
	return empIDs
}
