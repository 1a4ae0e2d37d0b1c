package provisioning

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
)

// ApproverWithoutRole is a planned approver Concur would refuse because the approver lacks the
// spend role its approval needs. The plan keeps the user's approver as it is (nothing, for a new
// user) and makes the user's other changes; the next plan after a fix sets it.
type ApproverWithoutRole struct {
	EmpID     string // the user whose approver it is
	Attribute string // such as report_approver_emp_id
	Approver  string // the approver's emp_id
	Role      string // the spend role the approver lacks
	// NotInConcur says the approver is neither a Concur user nor provisioned by the channel.
	NotInConcur bool
}

func (a ApproverWithoutRole) String() string {
	if a.NotInConcur {
		return fmt.Sprintf("%s: %s %s is neither a Concur user nor provisioned by this channel", a.EmpID, a.Attribute, a.Approver)
	}
	return fmt.Sprintf("%s: %s %s lacks the spend role %s", a.EmpID, a.Attribute, a.Approver, a.Role)
}

// plannedApprover is one approver a change sets or changes.
type plannedApprover struct {
	change   int // index in Plan.Changes
	empID    string
	key      string
	approver string
	role     string
}

// checkApproverRoles finds the approvers the plan sets or changes that lack the spend role of
// their approval, where that can be known before the apply: an approver the channel provisions
// by its mapped spend_roles, any other by the spend profile Concur holds (read in one batch, with
// one batched lookup for those the channel does not manage). Each one found is held back: the
// user keeps the approver recorded (current holds what the plan started from).
func checkApproverRoles(ctx context.Context, client *concur.Client, plan *Plan, mapping *Mapping, current func(Change) map[string]string) error {
	var approverKeys []string
	for _, key := range mapping.Keys() {
		if attributesByName[key].ApproverRole != "" {
			approverKeys = append(approverKeys, key)
		}
	}
	if len(approverKeys) == 0 {
		return nil
	}
	rolesMapped := slices.Contains(mapping.Keys(), AttrSpendRoles)
	var planned []plannedApprover
	for i, change := range plan.Changes {
		if change.Kind == ChangeDelete || change.Kind == ChangeDeactivate {
			continue
		}
		user := plan.Users[change.EmpID]
		was := current(change)
		for _, key := range approverKeys {
			approver := user.Attributes[key]
			if approver == "" || approver == was[key] {
				continue
			}
			planned = append(planned, plannedApprover{i, change.EmpID, key, approver, attributesByName[key].ApproverRole})
		}
	}
	if len(planned) == 0 {
		return nil
	}

	// Where the approver's roles come from: the channel's own plan, or Concur.
	idOf := map[string]string{}
	unmanaged := map[string]bool{}
	for _, p := range planned {
		if in, ok := plan.Users[p.approver]; ok {
			if !rolesMapped && in.ID != "" {
				idOf[p.approver] = in.ID
			}
			continue
		}
		unmanaged[p.approver] = true
	}
	found, err := lookUp(ctx, client, sortedKeys(unmanaged))
	if err != nil {
		return fmt.Errorf("looking up approvers: %w", err)
	}
	users := make([]*concur.User, 0, len(idOf)+len(found))
	for empID, u := range found {
		idOf[empID] = u.ID
		users = append(users, u)
	}
	for empID, id := range idOf {
		if found[empID] == nil {
			users = append(users, &concur.User{ID: id})
		}
	}
	if err := ReadProfiles(ctx, client, users, []string{AttrSpendRoles}); err != nil {
		return fmt.Errorf("reading the spend roles of %d approvers: %w", len(users), err)
	}
	rolesByID := map[string][]concur.SpendRole{}
	for _, u := range users {
		rolesByID[u.ID] = u.Spend.Roles
	}

	held := map[string]bool{}
	for _, p := range planned {
		problem := ApproverWithoutRole{EmpID: p.empID, Attribute: p.key, Approver: p.approver, Role: p.role}
		in, provisioned := plan.Users[p.approver]
		switch {
		case provisioned && rolesMapped:
			if concur.HasSpendRole(concur.ParseSpendRoles(in.Attributes[AttrSpendRoles]), p.role) {
				continue
			}
		case provisioned && idOf[p.approver] == "":
			continue // created by this apply with roles the channel does not map: only Concur will tell
		case !provisioned && found[p.approver] == nil:
			problem.NotInConcur = true
		default:
			if concur.HasSpendRole(rolesByID[idOf[p.approver]], p.role) {
				continue
			}
		}
		plan.ApproversWithoutRole = append(plan.ApproversWithoutRole, problem)
		user := plan.Users[p.empID]
		user.Attributes = maps.Clone(user.Attributes) // a new user's map is the desired one
		user.Attributes[p.key] = current(plan.Changes[p.change])[p.key]
		plan.Users[p.empID] = user
		held[p.empID] = true
	}
	sort.Slice(plan.ApproversWithoutRole, func(i, j int) bool {
		a, b := plan.ApproversWithoutRole[i], plan.ApproversWithoutRole[j]
		return a.EmpID < b.EmpID || a.EmpID == b.EmpID && a.Attribute < b.Attribute
	})
	// An update left with nothing to change is no longer a change.
	plan.Changes = slices.DeleteFunc(plan.Changes, func(c Change) bool {
		if !held[c.EmpID] || c.Kind != ChangeUpdate || !sameAttributes(current(c), plan.Users[c.EmpID].Attributes) {
			return false
		}
		plan.Unchanged++
		return true
	})
	return nil
}
