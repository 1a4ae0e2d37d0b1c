package provisioning

import (
	"errors"
	"strings"
	"testing"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
)

// A constant renders the same value for every entry: one Concur refuses is an error on its key at
// compile time, not a plan that leaves every user out.
func TestCompileMappingChecksConstants(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key, template string
		wantReason    string // "" when the mapping compiles
	}{
		{AttrTimezone, "Mars/Olympus", `"Mars/Olympus" is not an IANA timezone name`},
		{AttrEmail, "not-an-email", `"not-an-email" is not a plain e-mail address`},
		{AttrEmpID, "", "would leave emp_id empty for every user"},
		{AttrFirstName, "", "would leave first_name empty for every user"},
		{AttrPreferredLanguage, "english", "not a language tag"},
		{AttrStartDate, "2025-13-01", "not a date of the form YYYY-MM-DD"},
		{AttrCostCenter, strings.Repeat("9", 26), "Concur accepts at most 25"},
		{AttrFirstName, "Ja\nne", "control character U+000A"},
		{AttrTimezone, "Europe/Berlin", ""},
		{AttrTitle, "", ""}, // an empty optional constant clears the attribute
		{AttrLoginID, "{{literal}}@example.com", `"{literal}@example.com" contains "{"`},
		{AttrTimezone, "{tz|default:Mars/Olympus}", ""}, // a template, not a constant: checked per entry
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.template, func(t *testing.T) {
			templates := testTemplates()
			templates[tt.key] = tt.template
			_, err := CompileMapping(templates, nil)
			if tt.wantReason == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var problem *MappingError
			if !errors.As(err, &problem) {
				t.Fatalf("err = %v, want a MappingError", err)
			}
			if problem.Key != tt.key || !strings.Contains(problem.Reason, tt.wantReason) {
				t.Errorf("problem = %s (key %q), want key %q and a reason containing %q", problem, problem.Key, tt.key, tt.wantReason)
			}
		})
	}
}

// A control character in one entry's emp_id or name leaves that entry out with its DN named; the
// rest of the channel is planned.
func TestPlanUsersLeavesOutControlCharacters(t *testing.T) {
	t.Parallel()
	mapping := testMapping(t)
	desired := DesiredUsers([]directory.Entry{
		person("ok", "E1", nil),
		person("nul", "E2\x00", nil),
		person("esc", "E\x1b3", nil),
		person("newline", "E4", map[string]string{"givenName": "Ja\nne"}),
	}, mapping, nil)

	plan := mustPlan(t, desired, nil, nil, mapping, defaultOptions())

	if got := plan.Summary(); got != "create 1, unchanged 0" {
		t.Errorf("summary = %q, want only E1 created", got)
	}
	if _, ok := plan.Users["E1"]; !ok || len(plan.Users) != 1 {
		t.Errorf("planned users = %v, want only E1", sortedKeys(plan.Users))
	}
	want := map[string]string{
		"uid=nul," + peopleBase:     `emp_id: "E2\x00" contains the control character U+0000 at character 3`,
		"uid=esc," + peopleBase:     `emp_id: "E\x1b3" contains the control character U+001B at character 2`,
		"uid=newline," + peopleBase: `first_name: "Ja\nne" contains the control character U+000A at character 3`,
	}
	if len(plan.Invalid) != len(want) {
		t.Fatalf("invalid = %+v, want the three entries with control characters", plan.Invalid)
	}
	for _, invalid := range plan.Invalid {
		if reason, ok := want[invalid.DN]; !ok || !strings.HasPrefix(invalid.Reason, reason) {
			t.Errorf("invalid %s: %q, want %q", invalid.DN, invalid.Reason, reason)
		}
	}
}
