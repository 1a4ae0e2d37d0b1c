package provisioning

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
)

func TestDesiredUsers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		entries         []directory.Entry
		wantUsers       []string
		wantMissing     []string
		wantDuplicates  map[string][]string
		wantSourceCount int
	}{
		{
			name:            "every entry keyed by its rendered emp_id",
			entries:         []directory.Entry{person("jroe", "E1", nil), person("jdoe", "E2", nil)},
			wantUsers:       []string{"E1", "E2"},
			wantSourceCount: 2,
		},
		{
			name: "entries without emp_id are listed by DN, sorted",
			entries: []directory.Entry{
				person("zed", "", nil), person("jroe", "E1", nil), person("amy", "", nil),
			},
			wantUsers:       []string{"E1"},
			wantMissing:     []string{"uid=amy," + peopleBase, "uid=zed," + peopleBase},
			wantSourceCount: 1, // an entry without an emp_id is not a person: a group's placeholder
		},
		{
			name: "entries sharing an emp_id are all excluded and listed",
			entries: []directory.Entry{
				person("a", "E1", nil), person("b", "E1", nil), person("c", "E2", nil), person("d", "E1", nil),
			},
			wantUsers:       []string{"E2"},
			wantDuplicates:  map[string][]string{"E1": {"uid=a," + peopleBase, "uid=b," + peopleBase, "uid=d," + peopleBase}},
			wantSourceCount: 4,
		},
		{
			name:            "no entries",
			wantSourceCount: 0,
		},
	}
	mapping := testMapping(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			desired := DesiredUsers(tt.entries, mapping, nil)
			if got := sortedKeys(desired.Users); !reflect.DeepEqual(got, nonNil(tt.wantUsers)) {
				t.Errorf("users = %v, want %v", got, tt.wantUsers)
			}
			if !reflect.DeepEqual(desired.MissingEmpID, tt.wantMissing) {
				t.Errorf("MissingEmpID = %q, want %q", desired.MissingEmpID, tt.wantMissing)
			}
			wantDuplicates := tt.wantDuplicates
			if wantDuplicates == nil {
				wantDuplicates = map[string][]string{}
			}
			if !reflect.DeepEqual(desired.DuplicateEmpIDs, wantDuplicates) {
				t.Errorf("DuplicateEmpIDs = %q, want %q", desired.DuplicateEmpIDs, wantDuplicates)
			}
			if desired.SourceCount != tt.wantSourceCount {
				t.Errorf("SourceCount = %d, want %d", desired.SourceCount, tt.wantSourceCount)
			}
			for empID, user := range desired.Users {
				if user.EmpID != empID || user.Attributes[AttrEmpID] != empID {
					t.Errorf("user keyed %s has EmpID %q and emp_id attribute %q", empID, user.EmpID, user.Attributes[AttrEmpID])
				}
			}
		})
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func TestDesiredUsersRendersTemplates(t *testing.T) {
	t.Parallel()
	templates := testTemplates()
	templates[AttrEmpID] = "EMP-{employeeNumber|trim|upper}"
	templates[AttrLoginID] = "{mail|lower}"
	templates[AttrTitle] = "{title|default:Employee}"
	mapping, err := CompileMapping(templates, nil)
	if err != nil {
		t.Fatal(err)
	}
	entry := person("jroe", " e42 ", map[string]string{"mail": "Jane.Roe@Example.com", "title": ""})
	entry.Disabled = true

	desired := DesiredUsers([]directory.Entry{entry}, mapping, nil)

	user, ok := desired.Users["EMP-E42"]
	if !ok {
		t.Fatalf("users = %v, want the emp_id rendered as EMP-E42", sortedKeys(desired.Users))
	}
	want := DesiredUser{
		EmpID: "EMP-E42", DN: entry.DN, Disabled: true,
		Attributes: map[string]string{
			AttrEmpID: "EMP-E42", AttrLoginID: "jane.roe@example.com", AttrEmail: "Jane.Roe@Example.com",
			AttrFirstName: "Given", AttrLastName: "Snjroe", AttrTitle: "Employee", AttrDepartment: "FIN",
			AttrManagerEmpID: "",
		},
	}
	if !reflect.DeepEqual(user, want) {
		t.Errorf("desired user =\n%+v\nwant\n%+v", user, want)
	}
}

func TestDesiredUsersCarriesDisabled(t *testing.T) {
	t.Parallel()
	enabled, disabled := person("a", "E1", nil), person("b", "E2", nil)
	disabled.Disabled = true
	desired := DesiredUsers([]directory.Entry{enabled, disabled}, testMapping(t), nil)
	if desired.Users["E1"].Disabled || !desired.Users["E2"].Disabled {
		t.Errorf("Disabled: E1 %v, E2 %v; want false, true", desired.Users["E1"].Disabled, desired.Users["E2"].Disabled)
	}
}

// A server may return an attribute spelled differently from the request (employeenumber
// for employeeNumber); LDAP names are case-insensitive, so it still renders.
func TestDesiredUsersMatchesAttributeNamesCaseInsensitively(t *testing.T) {
	t.Parallel()
	entry := directory.Entry{DN: "uid=jroe," + peopleBase, Attributes: map[string][]string{
		"EMPLOYEENUMBER": {"E1"}, "Mail": {"jroe@example.com"}, "givenname": {"Jane"}, "SN": {"Roe"},
	}}
	desired := DesiredUsers([]directory.Entry{entry}, testMapping(t), nil)
	user, ok := desired.Users["E1"]
	if !ok {
		t.Fatalf("users = %v, missing = %v; want E1", sortedKeys(desired.Users), desired.MissingEmpID)
	}
	for key, want := range map[string]string{AttrLoginID: "jroe@example.com", AttrFirstName: "Jane", AttrLastName: "Roe"} {
		if got := user.Attributes[key]; got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
}

func BenchmarkDesiredUsers(b *testing.B) {
	mapping := testMapping(b)
	entries := make([]directory.Entry, 20000)
	for i := range entries {
		entries[i] = person(fmt.Sprintf("user%05d", i), fmt.Sprintf("E%05d", i), map[string]string{"managerNumber": "E00000"})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		desired := DesiredUsers(entries, mapping, nil)
		if len(desired.Users) != len(entries) {
			b.Fatalf("%d users, want %d", len(desired.Users), len(entries))
		}
	}
}
