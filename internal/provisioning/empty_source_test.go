package provisioning

import (
	"errors"
	"strings"
	"testing"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
)

// A group emptied down to a placeholder member (groupOfNames needs one) is an empty source: the
// empty-source guard stops it, whatever max_deprovisions allows, and says why.
func TestPlanUsersGroupLeftWithAPlaceholderIsEmpty(t *testing.T) {
	t.Parallel()
	mapping := testMapping(t)
	var people []directory.Entry
	for _, uid := range []string{"a", "b", "c"} {
		people = append(people, person(uid, "E-"+uid, nil))
	}
	managed := managedFromDesired(DesiredUsers(people, mapping, nil), "id-")
	placeholder := directory.Entry{DN: "cn=placeholder,dc=example,dc=com", Attributes: map[string][]string{"cn": {"placeholder"}}}
	desired := DesiredUsers([]directory.Entry{placeholder}, mapping, nil)

	for _, maxDeprovisions := range []int{1000, 2} {
		_, err := PlanUsers(desired, managed, nil, mapping, Options{DeprovisionAction: DeprovisionDeactivate, MaxDeprovisions: maxDeprovisions})
		var guard *GuardError
		if !errors.As(err, &guard) || guard.Kind != GuardEmptySource {
			t.Fatalf("max_deprovisions %d: err = %v, want the empty-source guard", maxDeprovisions, err)
		}
		if !strings.Contains(guard.Reason, "only cn=placeholder,dc=example,dc=com, which renders no emp_id") || len(guard.EmpIDs) != 3 {
			t.Errorf("max_deprovisions %d: guard = %q for %v, want it to name the placeholder and the 3 managed users", maxDeprovisions, guard.Reason, guard.EmpIDs)
		}
	}

	plan, err := PlanUsers(desired, managed, nil, mapping, Options{DeprovisionAction: DeprovisionDeactivate, MaxDeprovisions: 1000, AllowEmptySource: true})
	if err != nil || plan.Summary() != "deactivate 3, unchanged 0" {
		t.Errorf("with allow_empty_source: plan %v, err %v; want the 3 users disabled", plan, err)
	}
}
