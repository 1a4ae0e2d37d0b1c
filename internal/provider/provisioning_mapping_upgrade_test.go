package provider

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory/ldaptest"
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
