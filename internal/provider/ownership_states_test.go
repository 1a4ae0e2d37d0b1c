package provider

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory/ldaptest"
	"github.com/terraform-concur/terraform-provider-concur/internal/provisioning"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
)

// Two teams, two Terraform states, one Concur company. Team A provisions u001..u010; team B
// u006..u016 through two channels, "b" and "b8" (u008 alone, the person B later takes over).
// u016's account exists before either team, made by hand.
func twoTeamsDirectory(t *testing.T) *ldaptest.Server {
	var people []dirPersonSpec
	groups := map[string][]string{}
	for i := 1; i <= 16; i++ {
		uid := fmt.Sprintf("u%03d", i)
		people = append(people, dirPersonSpec{uid: uid, employeeNumber: fmt.Sprintf("E%03d", i), given: "Given", family: "Family" + uid, title: "Clerk"})
		switch {
		case i <= 5:
			groups["team-a"] = append(groups["team-a"], dirPerson(uid))
		case i == 8:
			groups["team-a"] = append(groups["team-a"], dirPerson(uid))
			groups["b8"] = append(groups["b8"], dirPerson(uid))
		case i <= 10:
			groups["team-a"] = append(groups["team-a"], dirPerson(uid))
			groups["team-b"] = append(groups["team-b"], dirPerson(uid))
		default:
			groups["team-b"] = append(groups["team-b"], dirPerson(uid))
		}
	}
	srv := ldaptest.Start(t, ldaptest.Options{})
	srv.Load(t, directoryLDIF(people, groups))
	return srv
}

// teamConfig is a team's configuration: the provider with its owner, and its channels (name →
// group, with extra lines for the channel).
func teamConfig(s *sandbox.Server, srv *ldaptest.Server, owner string, channels ...[3]string) string {
	config := directoryProviderConfig(s, fmt.Sprintf("\n  owner = %q\n", owner)+directoryBlock(srv.URL, srv.ReaderDN, srv.ReaderPassword))
	for _, c := range channels {
		config += strings.Replace(channelOver(c[0], c[1]), "  attribute_mapping", c[2]+"\n  attribute_mapping", 1)
	}
	return config
}

// accountVersions reads each account's id, version, externalId and active flag.
func accountVersions(t *testing.T, s *sandbox.Server, empIDs ...string) map[string][4]any {
	t.Helper()
	accounts := map[string][4]any{}
	for _, empID := range empIDs {
		user, ok := s.UserByEmployeeNumber(empID)
		if !ok {
			t.Fatalf("the sandbox has no user with emp_id %s", empID)
		}
		accounts[empID] = [4]any{field(user, "id"), field(user, "meta.version"), field(user, "externalId"), field(user, "active")}
	}
	return accounts
}

func empIDRange(from, to int) []string {
	var empIDs []string
	for i := from; i <= to; i++ {
		empIDs = append(empIDs, fmt.Sprintf("E%03d", i))
	}
	return empIDs
}

// expectMarkers checks that every account is active and carries owner's marker.
func expectMarkers(t *testing.T, s *sandbox.Server, owner string, empIDs ...string) {
	t.Helper()
	for empID, account := range accountVersions(t, s, empIDs...) {
		if want := provisioning.Marker(owner, empID); account[2] != want || account[3] != true {
			t.Errorf("%s: externalId %v, active %v; want %q and active", empID, account[2], account[3], want)
		}
	}
}

// expectManagedElsewhere checks that a plan's output names each emp_id as managed elsewhere by owner.
func expectManagedElsewhere(t *testing.T, result terraformResult, owner string, empIDs ...string) {
	t.Helper()
	for _, empID := range empIDs {
		pattern := regexp.MustCompile(`managed\s+elsewhere\s+by\s+owner\s+"` + regexp.QuoteMeta(owner) + `":\s+(?:E\d{3},\s+)*` + empID + `\b`)
		if !pattern.MatchString(result.Stdout + result.Stderr) {
			t.Errorf("the plan does not name %s as managed elsewhere by %s:\n%s", empID, owner, result)
		}
	}
}

func TestE2EOwnership_twoTeamsTwoStates(t *testing.T) {
	t.Parallel()
	a, b := newTerraformWorkspace(t), newTerraformWorkspace(t)
	s := newSandbox(t)
	srv := twoTeamsDirectory(t)
	seedUsers(t, s, seededUser(s, "E016", "u016@example.org", "Made", "ByHand"))
	a.WriteFile(t, "main.tf", teamConfig(s, srv, "team-a", [3]string{"a", "team-a", ""}))
	bConfig := func(b8 string) string {
		return teamConfig(s, srv, "team-b", [3]string{"b", "team-b", ""}, [3]string{"b8", "b8", b8})
	}
	b.WriteFile(t, "main.tf", bConfig(""))
	shared := empIDRange(6, 10)

	// Round 1: A first, then B, which leaves A's people alone and links the account made by hand.
	a.Apply(t)
	expectMarkers(t, s, "team-a", empIDRange(1, 10)...)
	afterA := accountVersions(t, s, shared...)
	changes, result := b.PlannedChanges(t)
	expectManagedElsewhere(t, result, "team-a", shared...)
	for _, change := range changes {
		users, _ := change.After["users"].(map[string]any)
		for _, empID := range shared {
			if _, planned := users[empID]; planned {
				t.Errorf("%s plans %s, whom team-a manages", change.Address, empID)
			}
		}
	}
	b.Apply(t)
	expectMarkers(t, s, "team-b", empIDRange(11, 16)...)
	if got := accountVersions(t, s, shared...); fmt.Sprint(got) != fmt.Sprint(afterA) {
		t.Errorf("B wrote to team-a's people:\nbefore %v\nafter  %v", afterA, got)
	}

	// Rounds 2 and 3: nothing to do for either team; B's plans keep naming A's people.
	for round := 2; round <= 3; round++ {
		if code, result := a.PlanExitCode(t); code != 0 {
			t.Fatalf("round %d: A's plan has changes:\n%s", round, result)
		}
		a.Apply(t)
		code, result := b.PlanExitCode(t)
		if code != 0 {
			t.Fatalf("round %d: B's plan has changes:\n%s", round, result)
		}
		expectManagedElsewhere(t, result, "team-a", shared...)
		b.Apply(t)
	}
	if got := accountVersions(t, s, shared...); fmt.Sprint(got) != fmt.Sprint(afterA) {
		t.Errorf("team-a's shared people were written in rounds 2 and 3:\nbefore %v\nafter  %v", afterA, got)
	}

	// B's b8 takes E008 over: the plan says so and shows the marker change; A then drops E008
	// without writing to it, and names it managed elsewhere.
	b.WriteFile(t, "main.tf", bConfig(`  take_over_from = "team-a"`))
	changes, result = b.PlannedChanges(t)
	if !words(`take_over_from links these accounts and rewrites their owner marker to owner "team-b"`).MatchString(result.Stdout) ||
		!words(`E008 from owner "team-a"`).MatchString(result.Stdout) {
		t.Errorf("B's take-over plan does not say whom it takes over:\n%s", result)
	}
	if len(changes) != 1 || changes[0].Address != "concur_provisioning_mapping.b8" {
		t.Fatalf("the take-over plans %+v, want an update of concur_provisioning_mapping.b8 only", changes)
	}
	users, _ := changes[0].After["users"].(map[string]any)
	document, _ := users["E008"].(string)
	var e008 struct {
		Attributes map[string]string `json:"attributes"`
	}
	if err := json.Unmarshal([]byte(document), &e008); err != nil || e008.Attributes["external_id"] != provisioning.Marker("team-b", "E008") {
		t.Errorf("the take-over plans E008 as %v, want external_id %q", e008, provisioning.Marker("team-b", "E008"))
	}
	b.Apply(t)
	expectMarkers(t, s, "team-b", "E008")
	takenOver := accountVersions(t, s, "E008")
	code, result := a.PlanExitCode(t)
	if code != 0 {
		t.Fatalf("A's plan after the take-over has changes:\n%s", result)
	}
	expectManagedElsewhere(t, result, "team-b", "E008")
	a.Apply(t)
	if got := accountVersions(t, s, "E008"); got["E008"] != takenOver["E008"] {
		t.Errorf("A wrote to E008 after the take-over: %v, was %v", got, takenOver)
	}
	if state := a.Run(t, "show", "-json"); strings.Contains(state.Stdout, `"E008":`) {
		t.Errorf("A's state still records E008 after team-b took it over")
	}
	expectMarkers(t, s, "team-a", "E006", "E007", "E009", "E010")

	// The take-over done, B drops the argument, which writes nothing; then neither team has
	// anything left to do.
	b.WriteFile(t, "main.tf", bConfig(""))
	b.Apply(t)
	if got := accountVersions(t, s, "E008"); got["E008"] != takenOver["E008"] {
		t.Errorf("dropping take_over_from wrote to E008: %v, was %v", got, takenOver)
	}
	if code, result := b.PlanExitCode(t); code != 0 {
		t.Errorf("B's plan after the take-over has changes:\n%s", result)
	}
	if code, result := a.PlanExitCode(t); code != 0 {
		t.Errorf("A's last plan has changes:\n%s", result)
	}
}
