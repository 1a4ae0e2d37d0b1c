package provider

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory/ldaptest"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/sandboxtest"
)

// A channel configured with the deprecated deprovision_action = "disable" applies with a
// deprecation warning; rewriting the configuration as "deactivate" plans an in-place update of
// that one attribute and nothing else (no user changes, since both words are the same Concur
// operation), because state of the current schema version keeps what the configuration said.
// State of schema version 0 is upgraded to "deactivate", so there the plan is empty. It runs the
// real terraform binary because terraform-plugin-testing cannot see warnings.
func TestE2EProvisioningMappingDeprecatedDisableBecomesDeactivate(t *testing.T) {
	t.Parallel()
	tf := newTerraformWorkspace(t)
	s := newSandbox(t)
	srv := ldaptest.Start(t, ldaptest.Options{})
	srv.Load(t, directoryLDIF(mappingPeople, mappingGroups))

	tf.WriteFile(t, "main.tf", mappingConfig(s, srv, `deprovision_action = "disable"`))
	applied := tf.Apply(t)
	output := strings.Join(strings.Fields(applied.Stdout+applied.Stderr), " ")
	for _, want := range []string{"Deprecated deprovision_action", `deprovision_action = "disable" is deprecated: write deactivate; same behaviour.`} {
		if !strings.Contains(output, want) {
			t.Errorf("the apply with \"disable\" does not warn %q:\n%s", want, applied)
		}
	}
	if code, plan := tf.PlanExitCode(t); code != 0 {
		t.Errorf("the plan after the apply with \"disable\" is not empty:\n%s", plan)
	}

	tf.WriteFile(t, "main.tf", mappingConfig(s, srv, `deprovision_action = "deactivate"`))
	before, after := plannedMappingValues(t, tf)
	var changed []string
	for name := range after {
		if !reflect.DeepEqual(before[name], after[name]) {
			changed = append(changed, name)
		}
	}
	sort.Strings(changed)
	if !reflect.DeepEqual(changed, []string{"deprovision_action"}) || before["deprovision_action"] != "disable" || after["deprovision_action"] != "deactivate" {
		t.Errorf("the plan changes %v (deprovision_action %v -> %v), want only deprovision_action \"disable\" -> \"deactivate\"",
			changed, before["deprovision_action"], after["deprovision_action"])
	}

	// State written by the release before schema version 1 holds "disable" (then the default):
	// it is upgraded to "deactivate", so the same configuration now plans nothing.
	recordStateAsVersionZero(t, tf)
	if code, plan := tf.PlanExitCode(t); code != 0 {
		t.Errorf("the plan after upgrading version 0 state with \"disable\" is not empty:\n%s", plan)
	}
	applied = tf.Apply(t)
	if strings.Contains(applied.Stdout+applied.Stderr, "deprecated") {
		t.Errorf("the apply with \"deactivate\" still warns:\n%s", applied)
	}
	if code, plan := tf.PlanExitCode(t); code != 0 {
		t.Errorf("the plan after the apply with \"deactivate\" is not empty:\n%s", plan)
	}
}

// plannedMappingValues plans the workspace and returns the channel's attributes before and
// after its planned change, which must be an in-place update.
func plannedMappingValues(t *testing.T, tf *terraformWorkspace) (before, after map[string]any) {
	t.Helper()
	changes, plan := tf.PlannedChanges(t)
	for _, change := range changes {
		if change.Address == mappingAddress {
			if !reflect.DeepEqual(change.Actions, []string{"update"}) {
				t.Errorf("the channel's planned actions are %v, want an in-place update", change.Actions)
			}
			return change.Before, change.After
		}
	}
	t.Fatalf("the plan has no change for %s:\n%s", mappingAddress, plan)
	return nil, nil
}

// recordStateAsVersionZero marks the channel in the workspace's state as written at schema
// version 0, as the release before version 1 left it.
func recordStateAsVersionZero(t *testing.T, tf *terraformWorkspace) {
	t.Helper()
	file := filepath.Join(tf.Dir, "terraform.tfstate")
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var state map[string]any
	if err := json.Unmarshal(raw, &state); err != nil {
		t.Fatal(err)
	}
	marked := 0
	for _, r := range state["resources"].([]any) {
		if r.(map[string]any)["type"] != mappingTypeName {
			continue
		}
		for _, instance := range r.(map[string]any)["instances"].([]any) {
			instance.(map[string]any)["schema_version"] = 0
			asVersionZero(t, instance.(map[string]any)["attributes"].(map[string]any))
			marked++
		}
	}
	if marked != 1 {
		t.Fatalf("the state holds %d channel instances, want 1", marked)
	}
	if raw, err = json.Marshal(state); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

// asVersionZero rewrites a channel's users as version 0 held them: an object each, with its id,
// its directory entry (left empty: the refresh reads it back) and its emp_id among the attributes.
func asVersionZero(t *testing.T, attributes map[string]any) {
	t.Helper()
	users := map[string]any{}
	for empID, user := range currentUsers(t, attributes[attrUsers], attributes[attrIDs]) {
		values := map[string]any{"emp_id": empID}
		for name, value := range user.Attributes {
			values[name] = value
		}
		users[empID] = map[string]any{"id": user.ID, "dn": "", "entry_id": "", "active": user.Active, "attributes": values}
	}
	attributes[attrUsers] = users
	delete(attributes, attrIDs)
}

// appliedByRelease applies the test channel with the provider built from a release's commit, in
// a workspace that this provider then works on.
func appliedByRelease(t *testing.T, release string) (*terraformWorkspace, *sandbox.Server, *ldaptest.Server) {
	t.Helper()
	tf := newTerraformWorkspace(t)
	released := &terraformWorkspace{Dir: tf.Dir, CLIConfig: previousRelease(t, release)}
	s := newSandbox(t)
	srv := ldaptest.Start(t, ldaptest.Options{})
	srv.Load(t, directoryLDIF(mappingPeople, mappingGroups))
	tf.WriteFile(t, "main.tf", mappingConfig(s, srv))
	released.Apply(t)
	return tf, s, srv
}

// schemaVersion1Release is the last commit whose provider wrote channels at schema version 1,
// with each user's dn and entry_id in the users attribute.
const schemaVersion1Release = "db52537697d85e34e06d9ef3cd703790e1d85bd5"

// State that the release of schema version 1 wrote plans clean with this provider, and the
// refresh reads the users' directory entries back, which an apply without changes records as
// private data: the entry ID is what tells an emp_id change from a new hire who reuses a
// leaver's login. An emp_id changed in the directory afterwards is an update in place, and the
// users attribute no longer repeats the entries.
func TestE2EProvisioningMappingUpgradesStateOfSchemaVersionOne(t *testing.T) {
	t.Parallel()
	tf, s, srv := appliedByRelease(t, schemaVersion1Release)
	version, recorded, _ := recordedChannel(t, tf)
	users := recordedUsers(t, recorded)
	if version != 1 || users["1002"]["dn"] != dirPerson("ben") {
		t.Fatalf("the released provider recorded schema version %d and ben as %v, want version 1 with his dn", version, users["1002"])
	}
	benID := users["1002"]["id"]

	if code, plan := tf.PlanExitCode(t); code != 0 {
		t.Fatalf("the plan of upgraded state is not empty:\n%s", plan)
	}
	tf.Apply(t)
	if _, _, private := recordedChannel(t, tf); !strings.Contains(string(private), dirPerson("ben")) {
		t.Errorf("after an apply without changes the private data is %s, want the users' entries read back", private)
	}

	changeDirectory(t, srv,
		modify(dirPerson("ben"), func(r *ldap.ModifyRequest) { r.Replace("employeeNumber", []string{"2002"}) }),
		modify(dirPerson("cid"), func(r *ldap.ModifyRequest) { r.Replace("title", []string{"Senior Clerk"}) }))
	_, after := plannedMappingValues(t, tf)
	planned := currentUsers(t, after[attrUsers], after[attrIDs])
	if _, kept := planned["1002"]; kept {
		t.Errorf("the plan keeps ben under his old emp_id 1002: %v", planned)
	}
	if ben := planned["2002"]; ben.ID != benID || !ben.Active {
		t.Errorf("ben's emp_id change plans %+v, want his account %v kept active", ben, benID)
	}
	if title := planned["1003"].Attributes["title"]; title != "Senior Clerk" {
		t.Errorf("cid's planned title is %v, want \"Senior Clerk\"", title)
	}

	tf.Apply(t)
	if code, plan := tf.PlanExitCode(t); code != 0 {
		t.Errorf("the plan after the apply is not empty:\n%s", plan)
	}
	version, _, private := recordedChannel(t, tf)
	if version != 3 {
		t.Errorf("the channel is recorded at schema version %d, want 3", version)
	}
	var entries struct {
		Entries map[string][2]string `json:"entries"`
	}
	if err := json.Unmarshal(private, &entries); err != nil || entries.Entries["2002"][0] != dirPerson("ben") || len(entries.Entries) != 3 {
		t.Errorf("the private data records %+v (%v), want the entries of the three users, ben's under 2002", entries, err)
	}
	if got := field(sandboxtest.MustUser(t, s, "2002"), "id"); got != benID {
		t.Errorf("Concur's 2002 is account %v, want ben's %v", got, benID)
	}
}

// recordedChannel reads the channel's schema version, attributes and private data from the state.
func recordedChannel(t *testing.T, tf *terraformWorkspace) (int, map[string]json.RawMessage, []byte) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(tf.Dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	var state struct {
		Resources []struct {
			Type      string `json:"type"`
			Instances []struct {
				SchemaVersion int                        `json:"schema_version"`
				Private       []byte                     `json:"private"` // base64 in the file, as encoding/json reads []byte
				Attributes    map[string]json.RawMessage `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &state); err != nil {
		t.Fatal(err)
	}
	for _, r := range state.Resources {
		if r.Type == mappingTypeName && len(r.Instances) == 1 {
			i := r.Instances[0]
			return i.SchemaVersion, i.Attributes, i.Private
		}
	}
	t.Fatalf("the state holds no single channel:\n%s", raw)
	return 0, nil, nil
}

// recordedUsers reads the users of a channel that a release of schema version 1 or 2 recorded,
// an object each.
func recordedUsers(t *testing.T, attributes map[string]json.RawMessage) map[string]map[string]any {
	t.Helper()
	var users map[string]map[string]any
	if err := json.Unmarshal(attributes[attrUsers], &users); err != nil {
		t.Fatalf("the recorded users are not objects: %v\n%s", err, attributes[attrUsers])
	}
	return users
}

// schemaVersion2Release is the last commit whose provider wrote channels at schema version 2,
// with each user an object of its id, active state and attributes.
const schemaVersion2Release = "c05f97ab96d82c6919e83d32027b37ee25d29442"

// State that the release of schema version 2 wrote plans clean with this provider, and the next
// apply records each user as one JSON string with its id in ids; the users, their accounts and
// their directory entries stay as they were.
func TestE2EProvisioningMappingUpgradesStateOfSchemaVersionTwo(t *testing.T) {
	t.Parallel()
	tf, s, _ := appliedByRelease(t, schemaVersion2Release)
	version, recorded, privateBefore := recordedChannel(t, tf)
	before := recordedUsers(t, recorded)
	if version != 2 || len(before) != 3 {
		t.Fatalf("the released provider recorded schema version %d and users %v, want version 2 with three users", version, before)
	}

	if code, plan := tf.PlanExitCode(t); code != 0 {
		t.Fatalf("the plan of upgraded state is not empty:\n%s", plan)
	}
	tf.Apply(t)
	version, recorded, private := recordedChannel(t, tf)
	if version != 3 {
		t.Errorf("the channel is recorded at schema version %d, want 3", version)
	}
	var users, ids any
	if err := errors.Join(json.Unmarshal(recorded[attrUsers], &users), json.Unmarshal(recorded[attrIDs], &ids)); err != nil {
		t.Fatal(err)
	}
	after := currentUsers(t, users, ids)
	for empID, user := range before {
		attributes, _ := user["attributes"].(map[string]any)
		now := after[empID]
		if now.ID != user["id"] || now.Active != user["active"] || len(now.Attributes) != len(attributes) {
			t.Errorf("user %s was %v, is now %+v", empID, user, now)
		}
		if account := field(sandboxtest.MustUser(t, s, empID), "id"); account != now.ID {
			t.Errorf("user %s is recorded with id %s, and Concur's account is %v", empID, now.ID, account)
		}
		for name, value := range attributes {
			if now.Attributes[name] != value {
				t.Errorf("user %s's %s was %v, is now %q", empID, name, value, now.Attributes[name])
			}
		}
	}
	if string(private) != string(privateBefore) {
		t.Errorf("the private data changed from %s to %s", privateBefore, private)
	}
	if code, plan := tf.PlanExitCode(t); code != 0 {
		t.Errorf("the plan after the apply is not empty:\n%s", plan)
	}
}
