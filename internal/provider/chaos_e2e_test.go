package provider

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory/ldaptest"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/sandboxtest"
)

// chaosUsers is how many people the channel under faults provisions.
const chaosUsers = 2000

// channelUsers reads the users of the staff channel from the workspace's state.
func channelUsers(t *testing.T, tf *terraformWorkspace) map[string]stateUser {
	t.Helper()
	show := tf.Run(t, "show", "-json")
	if show.ExitCode != 0 {
		t.Fatalf("show failed: %s", show)
	}
	var state struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Address string `json:"address"`
					Values  struct {
						Users any `json:"users"`
						IDs   any `json:"ids"`
					} `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(show.Stdout), &state); err != nil {
		t.Fatalf("decode the state: %v", err)
	}
	for _, r := range state.Values.RootModule.Resources {
		if r.Address == mappingAddress {
			return currentUsers(t, r.Values.Users, r.Values.IDs)
		}
	}
	t.Fatalf("the state has no %s:\n%s", mappingAddress, show.Stdout)
	return nil
}

// A channel of 2,000 people applied under the sandbox's faults at the rates a busy Concur shows
// converges in one apply: no duplicate, no one missing or deactivated, and the state holds what
// Concur holds. It does through /profile/v4/Bulk, and one user at a time for an app without
// user.provision.write.
func TestE2EProvisioningMappingConvergesUnderFaults(t *testing.T) {
	t.Parallel()
	t.Run("in bulk", func(t *testing.T) {
		t.Parallel()
		convergesUnderFaults(t, true)
	})
	t.Run("one by one", func(t *testing.T) {
		t.Parallel()
		convergesUnderFaults(t, false)
	})
}

func convergesUnderFaults(t *testing.T, bulk bool) {
	tf := newTerraformWorkspace(t)
	people := make([]dirPersonSpec, chaosUsers)
	members := make([]string, chaosUsers)
	for i := range people {
		uid := fmt.Sprintf("p%04d", i)
		people[i] = dirPersonSpec{uid: uid, employeeNumber: fmt.Sprintf("E%04d", i), given: "Given", family: fmt.Sprintf("Family%04d", i), title: "Clerk"}
		members[i] = dirPerson(uid)
	}
	srv := ldaptest.Start(t, ldaptest.Options{})
	srv.Load(t, directoryLDIF(people, map[string][]string{"staff": members}))
	s := sandboxtest.NewServer(t, sandbox.Options{Seed: 20261201})
	// The rates the sandbox command's flags set: -fault-5xx-rate 0.05 -fault-429-rate 0.02
	// -fault-drop-rate 0.01 -fault-lost-create-rate 0.01 (-retry-after 1s).
	faults := sandbox.Faults{ErrorRate: 0.05, ErrorStatus: 503, ThrottleRate: 0.02, RetryAfter: time.Second,
		DropRate: 0.01, LostCreateRate: 0.01}
	const bulkRoute = "POST /profile/v4/Bulk"
	if bulk {
		// 2,000 users take 20 bulk requests, too few to count on the rates: the bulk's own faults
		// are set. The first is answered 503 unprocessed, the second processed and its answer lost.
		faults.FailNext = map[string]int{bulkRoute: 1}
		faults.DropAfterCommitNext = map[string]int{bulkRoute: 1}
	} else if err := s.WithoutScopes("user.provision.write"); err != nil {
		t.Fatal(err)
	}
	s.SetFaults(faults)
	tf.WriteFile(t, "main.tf", mappingConfig(s, srv))

	start := time.Now()
	result := tf.Apply(t)
	applied := time.Since(start)
	if warning := "Warning: Concur users written one by one: the app lacks user.provision.write"; !bulk && !strings.Contains(result.Stdout, warning) {
		t.Errorf("the apply without the scope does not warn %q:\n%s", warning, result.Stdout)
	}
	stats := s.Stats()
	t.Logf("%d users applied under faults in %s: %d requests (%d creates sent), faults %+v, %d connections",
		chaosUsers, applied.Round(time.Millisecond), stats.Total, stats.Requests["POST /profile/identity/v4.1/Users"], stats.Faults, stats.Connections)
	switch {
	case stats.Faults.Errors == 0 || stats.Faults.LostReplies == 0:
		t.Errorf("the run met no error or no lost answer: %+v", stats.Faults)
	case !bulk && (stats.Faults.Throttled == 0 || stats.Faults.Dropped == 0):
		t.Errorf("the run did not meet every kind of fault: %+v", stats.Faults)
	case bulk && stats.Requests[bulkRoute] < 20:
		t.Errorf("%d bulk requests, want the 2,000 users in at least 20", stats.Requests[bulkRoute])
	}

	if n := s.UserCount(); n != chaosUsers {
		t.Errorf("Concur holds %d users, want %d: none duplicated, none missing", n, chaosUsers)
	}
	inState := channelUsers(t, tf)
	if len(inState) != chaosUsers {
		t.Errorf("the state holds %d users, want %d", len(inState), chaosUsers)
	}
	mismatches := 0
	for _, user := range s.Users() {
		empID, _ := field(user, "enterprise.employeeNumber").(string)
		recorded, ok := inState[empID]
		want := map[string]any{"id": recorded.ID, "active": true, "userName": recorded.Attributes["login_id"],
			"name.givenName": recorded.Attributes["first_name"], "name.familyName": recorded.Attributes["last_name"],
			"title": recorded.Attributes["title"], "enterprise.department": recorded.Attributes["department"]}
		for path, value := range want {
			if !ok || field(user, path) != value {
				mismatches++
				if mismatches <= 5 {
					t.Errorf("Concur user %s: %s = %v; the state has %v (recorded: %v)", empID, path, field(user, path), value, ok)
				}
			}
		}
	}
	if mismatches > 0 {
		t.Errorf("%d attributes differ between Concur and the state", mismatches)
	}

	// Converged: the next plan, under the same faults, has nothing to do.
	s.ResetCounters()
	if code, plan := tf.PlanExitCode(t); code != 0 {
		t.Errorf("the plan after the apply is not empty:\n%s", plan)
	}
	t.Logf("the plan after: %d requests, faults %+v", s.Stats().Total, s.Stats().Faults)
}

// A token without identity.user.delete cannot hard-delete: the apply fails naming the scope and
// what to do, and Concur and the state keep the user, so the next apply tries again.
func TestE2EProvisioningMappingDeleteWithoutTheScopeNamesIt(t *testing.T) {
	t.Parallel()
	tf := newTerraformWorkspace(t)
	s := newSandbox(t)
	if err := s.WithoutScopes("identity.user.delete"); err != nil {
		t.Fatal(err)
	}
	srv := ldaptest.Start(t, ldaptest.Options{})
	srv.Load(t, directoryLDIF(mappingPeople, mappingGroups))
	tf.WriteFile(t, "main.tf", mappingConfig(s, srv, `deprovision_action = "delete"`))
	tf.Apply(t)

	changeDirectory(t, srv, modify(dirGroup("staff"), func(r *ldap.ModifyRequest) { r.Delete("member", []string{dirPerson("ann")}) }))
	result := tf.Run(t, "apply", "-auto-approve", "-input=false", "-no-color")
	if result.ExitCode == 0 {
		t.Fatalf("the delete succeeded without the scope: %s", result)
	}
	output := strings.Join(strings.Fields(result.Stderr), " ")
	for _, want := range []string{
		`Could not provision 1 user`,
		`delete emp_id "1001"`,
		`403 Forbidden`,
		`the access token lacks the scope identity.user.delete.`,
		`deprovision_action = "deactivate"`,
	} {
		if !strings.Contains(output, want) {
			t.Errorf("the failed apply does not say %q:\n%s", want, result.Stderr)
		}
	}
	if _, ok := s.UserByEmployeeNumber("1001"); !ok {
		t.Error("the user was deleted without the scope")
	}
	if _, ok := channelUsers(t, tf)["1001"]; !ok {
		t.Error("the state lost the user whose delete failed, so no later apply retries it")
	}
}
