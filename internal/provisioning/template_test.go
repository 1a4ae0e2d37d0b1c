package provisioning

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// requiredConstantTemplates maps every required key to a constant, so a test can add only what it is about.
func requiredConstantTemplates() map[string]string {
	return map[string]string{
		AttrEmpID:     "1",
		AttrLoginID:   "login@example.com",
		AttrEmail:     "a@example.com",
		AttrFirstName: "First",
		AttrLastName:  "Last",
	}
}

// equalFoldLookup looks attributes up case-insensitively, as ldap.Entry.GetEqualFoldAttributeValues does.
func equalFoldLookup(entry map[string][]string) func(string) []string {
	return func(attribute string) []string {
		for name, values := range entry {
			if strings.EqualFold(name, attribute) {
				return values
			}
		}
		return nil
	}
}

func TestRender(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		template string
		entry    map[string][]string
		want     string
	}{
		{"attribute", "{title}", map[string][]string{"title": {"Engineer"}}, "Engineer"},
		{"first of several values", "{title}", map[string][]string{"title": {"Engineer", "Manager"}}, "Engineer"},
		{"missing attribute renders empty", "{title}", nil, ""},
		{"missing attribute inside literal text", "Mr {title}.", nil, "Mr ."},
		{"white space kept without trim", "{title}", map[string][]string{"title": {"  Engineer "}}, "  Engineer "},
		{"attribute name in another case", "{TITLE}", map[string][]string{"title": {"Engineer"}}, "Engineer"},

		{"lower", "{mail|lower}", map[string][]string{"mail": {"Jane.Roe@Example.COM"}}, "jane.roe@example.com"},
		{"lower beyond ASCII", "{sn|lower}", map[string][]string{"sn": {"ÖZTÜRK"}}, "öztürk"},
		{"upper", "{sAMAccountName|upper}", map[string][]string{"sAMAccountName": {"jroe"}}, "JROE"},
		{"trim", "{title|trim}", map[string][]string{"title": {" \tEngineer \n"}}, "Engineer"},
		{"localpart", "{mail|localpart}", map[string][]string{"mail": {"jane.roe@example.com"}}, "jane.roe"},
		{"localpart cuts at the last @", "{mail|localpart}", map[string][]string{"mail": {`"a@b"@example.com`}}, `"a@b"`},
		{"localpart without @ is unchanged", "{mail|localpart}", map[string][]string{"mail": {"jroe"}}, "jroe"},
		{"cn", "{manager|cn}", map[string][]string{"manager": {"cn=E1234,ou=people,dc=example,dc=com"}}, "E1234"},
		{"cn with an escaped comma", "{manager|cn}", map[string][]string{"manager": {`cn=Roe\, Jane,ou=people,dc=example,dc=com`}}, "Roe, Jane"},
		{"cn with an upper-case type", "{manager|cn}", map[string][]string{"manager": {"CN=Jane Roe,OU=People,DC=example,DC=com"}}, "Jane Roe"},
		{"cn of a multi-valued RDN", "{manager|cn}", map[string][]string{"manager": {"uid=jroe+cn=Jane Roe,dc=example,dc=com"}}, "Jane Roe"},
		{"cn of a value that is not a DN is unchanged", "{manager|cn}", map[string][]string{"manager": {"Jane Roe"}}, "Jane Roe"},
		{"cn when the leftmost RDN has no cn is unchanged", "{manager|cn}", map[string][]string{"manager": {"uid=jroe,cn=users,dc=example,dc=com"}}, "uid=jroe,cn=users,dc=example,dc=com"},
		{"cn of a missing attribute", "{manager|cn}", nil, ""},
		{"default on missing", "{title|default:Employee}", nil, "Employee"},
		{"default on empty", "{title|default:Employee}", map[string][]string{"title": {""}}, "Employee"},
		{"default on no values", "{title|default:Employee}", map[string][]string{"title": {}}, "Employee"},
		{"default leaves a value alone", "{title|default:Employee}", map[string][]string{"title": {"Engineer"}}, "Engineer"},
		{"default text is taken verbatim", "{title|default: N/A: {see HR @ HQ }", nil, " N/A: {see HR @ HQ "},

		{"chain runs left to right", "{mail|localpart|upper}", map[string][]string{"mail": {"jroe@example.com"}}, "JROE"},
		{"trim before default catches blanks", "{title|trim|default:Employee}", map[string][]string{"title": {"   "}}, "Employee"},
		{"default before lower is lowered", "{title|default:Employee|lower}", nil, "employee"},
		{"lower before default is not", "{title|lower|default:Employee}", nil, "Employee"},
		{"same filter twice", "{title|trim|trim}", map[string][]string{"title": {" x "}}, "x"},

		{"constant", "Sales", nil, "Sales"},
		{"empty constant", "", nil, ""},
		{"two placeholders", "{givenName} {sn}", map[string][]string{"givenName": {"Jane"}, "sn": {"Roe"}}, "Jane Roe"},
		{"placeholders and literals with filters", "{sn|upper}, {givenName} ({sAMAccountName|lower})",
			map[string][]string{"givenName": {"Jane"}, "sn": {"Roe"}, "sAMAccountName": {"JROE"}}, "ROE, Jane (jroe)"},
		{"adjacent placeholders", "{givenName}{sn}", map[string][]string{"givenName": {"Jane"}, "sn": {"Roe"}}, "JaneRoe"},
		{"more parts than the stack buffer", "{a}-{b}-{c}-{d}-{e}",
			map[string][]string{"a": {"1"}, "b": {"2"}, "c": {"3"}, "d": {"4"}, "e": {"5"}}, "1-2-3-4-5"},

		{"literal braces", "{{title}}", map[string][]string{"title": {"Engineer"}}, "{title}"},
		{"literal braces around a placeholder", "{{{title}}}", map[string][]string{"title": {"Engineer"}}, "{Engineer}"},
		{"lone literal closing brace", "a}}b", nil, "a}b"},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			templates := requiredConstantTemplates()
			templates[AttrTitle] = test.template
			mapping, err := CompileMapping(templates, nil)
			if err != nil {
				t.Fatalf("CompileMapping(%q): %v", test.template, err)
			}
			if got := mapping.Render(equalFoldLookup(test.entry), nil)[AttrTitle]; got != test.want {
				t.Errorf("Render(%q) = %q, want %q", test.template, got, test.want)
			}
		})
	}
}

func TestRenderReturnsEveryKey(t *testing.T) {
	t.Parallel()
	templates := requiredConstantTemplates()
	templates[AttrEmail] = "{mail|lower}"
	templates[AttrTitle] = "{title}"
	mapping, err := CompileMapping(templates, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := mapping.Render(equalFoldLookup(map[string][]string{"mail": {"A@B.C"}}), nil)
	want := map[string]string{
		AttrEmpID: "1", AttrLoginID: "login@example.com", AttrEmail: "a@b.c", AttrFirstName: "First", AttrLastName: "Last",
		AttrTitle: "", // mapped but missing: present and empty, so Concur's value is cleared
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Render = %v, want %v", got, want)
	}
}

// Render asks for the first spelling of an attribute whatever spelling a template uses, so a
// caller that keys its entry by DirectoryAttributes finds every value.
func TestRenderUsesTheFirstSpelling(t *testing.T) {
	t.Parallel()
	templates := requiredConstantTemplates()
	templates[AttrEmail] = "{Mail}"
	templates[AttrLoginID] = "{MAIL|lower}"
	templates[AttrTitle] = "{mail|upper}"
	mapping, err := CompileMapping(templates, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := mapping.DirectoryAttributes(), []string{"Mail"}; !slices.Equal(got, want) {
		t.Fatalf("DirectoryAttributes = %q, want %q", got, want)
	}
	var asked []string
	exactLookup := func(attribute string) []string {
		asked = append(asked, attribute)
		return map[string][]string{"Mail": {"Jane@Example.com"}}[attribute]
	}
	got := mapping.Render(exactLookup, nil)
	if got[AttrEmail] != "Jane@Example.com" || got[AttrLoginID] != "jane@example.com" || got[AttrTitle] != "JANE@EXAMPLE.COM" {
		t.Errorf("Render = %v", got)
	}
	for _, attribute := range asked {
		if attribute != "Mail" {
			t.Errorf("values asked for %q, want only %q", attribute, "Mail")
		}
	}
}

func TestDirectoryAttributes(t *testing.T) {
	t.Parallel()
	templates := requiredConstantTemplates()
	templates[AttrEmpID] = "{employeeID}"
	templates[AttrEmail] = "{mail|lower}"
	templates[AttrLoginID] = "{userPrincipalName}"
	templates[AttrFirstName] = "{givenName}"
	templates[AttrLastName] = "{sn}"
	templates[AttrManagerEmpID] = "{manager|cn}"
	templates[AttrTitle] = "{Title|default:Employee} ({MAIL})"
	templates[AttrDepartment] = "{{notAnAttribute}} Sales"
	mapping, err := CompileMapping(templates, nil)
	if err != nil {
		t.Fatal(err)
	}
	// "mail" (key email) comes before "MAIL" (key title) in key order, so its spelling is kept.
	want := []string{"employeeID", "givenName", "mail", "manager", "sn", "Title", "userPrincipalName"}
	if got := mapping.DirectoryAttributes(); !slices.Equal(got, want) {
		t.Errorf("DirectoryAttributes = %q, want %q", got, want)
	}
}

func TestKeysAndCreateOnly(t *testing.T) {
	t.Parallel()
	templates := requiredConstantTemplates()
	templates[AttrTitle] = "{title}"
	templates[AttrStartDate] = "{whenCreated}"
	mapping, err := CompileMapping(templates, []string{AttrStartDate, AttrLoginID, AttrStartDate})
	if err != nil {
		t.Fatal(err)
	}
	wantKeys := []string{AttrEmail, AttrEmpID, AttrFirstName, AttrLastName, AttrLoginID, AttrStartDate, AttrTitle}
	if got := mapping.Keys(); !slices.Equal(got, wantKeys) {
		t.Errorf("Keys = %q, want %q", got, wantKeys)
	}
	for key, want := range map[string]bool{AttrStartDate: true, AttrLoginID: true, AttrTitle: false, AttrEmpID: false, "unmapped": false} {
		if got := mapping.CreateOnly(key); got != want {
			t.Errorf("CreateOnly(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestMappingErrorMessage(t *testing.T) {
	t.Parallel()
	templates := requiredConstantTemplates()
	templates[AttrEmail] = "{mail|lowr}"
	_, err := CompileMapping(templates, nil)
	want := `attribute_mapping["email"]: unknown filter "lowr" in "{mail|lowr}"; known filters: cn, default:<text>, localpart, lower, ref:<attribute>, trim, upper`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
	var mappingError *MappingError
	if !errors.As(err, &mappingError) || mappingError.Key != AttrEmail || mappingError.Template != "{mail|lowr}" {
		t.Errorf("errors.As(*MappingError) = %+v", mappingError)
	}
}

func TestCompileMappingErrors(t *testing.T) {
	t.Parallel()
	type problem struct{ key, reason string }
	tests := []struct {
		name       string
		change     map[string]string // applied to requiredConstantTemplates; "" deletes the key
		createOnly []string
		want       []problem // in order; reason is a substring of the message
	}{
		{"unknown key", map[string]string{"emial": "{mail}"}, nil,
			[]problem{{"emial", "not a Concur attribute; valid attributes: budget_approver_emp_id, budget_country_code, cash_advance_account_code, "}}},
		{"missing required key", map[string]string{AttrFirstName: "", AttrEmpID: ""}, nil,
			[]problem{
				{AttrEmpID, "required attribute is not mapped; every mapping needs emp_id, login_id, email, first_name, last_name"},
				{AttrFirstName, "required attribute is not mapped"},
			}},
		{"unclosed brace", map[string]string{AttrTitle: "Mr {sn"}, nil,
			[]problem{{AttrTitle, `unbalanced braces in "Mr {sn": "{" at character 4 is never closed (write "{{" for a literal brace)`}}},
		{"unopened brace", map[string]string{AttrTitle: "{sn} x}"}, nil,
			[]problem{{AttrTitle, `unbalanced braces in "{sn} x}": "}" at character 7 has no matching "{" (write "}}" for a literal brace)`}}},
		{"brace opened inside a placeholder", map[string]string{AttrTitle: "{givenName {sn}"}, nil,
			[]problem{{AttrTitle, `unbalanced braces in "{givenName {sn}": "{" at character 1 is not closed before the "{" at character 12`}}},
		{"position counts characters, not bytes", map[string]string{AttrTitle: "Zoë {sn"}, nil,
			[]problem{{AttrTitle, `"{" at character 5 is never closed`}}},
		{"empty placeholder", map[string]string{AttrTitle: "x{}"}, nil,
			[]problem{{AttrTitle, `placeholder "{}" names no directory attribute`}}},
		{"placeholder with only a filter", map[string]string{AttrTitle: "{|lower}"}, nil,
			[]problem{{AttrTitle, `placeholder "{|lower}" names no directory attribute`}}},
		{"space in an attribute name", map[string]string{AttrTitle: "{ title}"}, nil,
			[]problem{{AttrTitle, `directory attribute name " title" in "{ title}" may contain only letters, digits`}}},
		{"unknown filter", map[string]string{AttrEmail: "{mail|lowr}"}, nil,
			[]problem{{AttrEmail, `unknown filter "lowr" in "{mail|lowr}"; known filters: cn, default:<text>, localpart, lower, ref:<attribute>, trim, upper`}}},
		{"filter names are exact", map[string]string{AttrEmail: "{mail| lower}"}, nil,
			[]problem{{AttrEmail, `unknown filter " lower" in "{mail| lower}"`}}},
		{"empty filter", map[string]string{AttrEmail: "{mail|}"}, nil,
			[]problem{{AttrEmail, `empty filter name after "|" in "{mail|}"`}}},
		{"default without colon", map[string]string{AttrTitle: "{title|default}"}, nil,
			[]problem{{AttrTitle, `filter "default" in "{title|default}" needs a value: write default:<text>`}}},
		{"every bad filter of a template", map[string]string{AttrTitle: "{title|uper} {sn|default|lowr}"}, nil,
			[]problem{
				{AttrTitle, `unknown filter "uper" in "{title|uper}"`},
				{AttrTitle, `filter "default" in "{sn|default|lowr}" needs a value`},
				{AttrTitle, `unknown filter "lowr" in "{sn|default|lowr}"`},
			}},
		{"create-only key not mapped", nil, []string{AttrStartDate},
			[]problem{{AttrStartDate, "listed in create_only_attributes but not mapped in attribute_mapping"}}},
		{"emp_id create-only", nil, []string{AttrEmpID},
			[]problem{{AttrEmpID, "emp_id cannot be in create_only_attributes"}}},
		{"all problems at once, sorted by key", map[string]string{AttrLastName: "", "emial": "{mail}", AttrTitle: "{title|lowr}", AttrEmail: "{mail"},
			[]string{AttrEmpID, AttrDivision},
			[]problem{
				{AttrDivision, "listed in create_only_attributes but not mapped"},
				{AttrEmail, `"{" at character 1 is never closed`},
				{"emial", "not a Concur attribute"},
				{AttrEmpID, "emp_id cannot be in create_only_attributes"},
				{AttrLastName, "required attribute is not mapped"},
				{AttrTitle, `unknown filter "lowr"`},
			}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			templates := requiredConstantTemplates()
			for key, template := range test.change {
				if template == "" {
					delete(templates, key)
				} else {
					templates[key] = template
				}
			}
			mapping, err := CompileMapping(templates, test.createOnly)
			if mapping != nil {
				t.Errorf("CompileMapping returned a mapping along with errors")
			}
			joined, ok := err.(interface{ Unwrap() []error })
			if !ok {
				t.Fatalf("CompileMapping error = %v, want an errors.Join of *MappingError", err)
			}
			got := joined.Unwrap()
			if len(got) != len(test.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(got), len(test.want), err)
			}
			for i, want := range test.want {
				var mappingError *MappingError
				if !errors.As(got[i], &mappingError) {
					t.Fatalf("problem %d is %T, want *MappingError", i, got[i])
				}
				message := got[i].Error()
				wantPrefix := fmt.Sprintf("attribute_mapping[%q]: ", want.key)
				if mappingError.Key != want.key || !strings.HasPrefix(message, wantPrefix) || !strings.Contains(message, want.reason) {
					t.Errorf("problem %d = %q\nwant key %q and a message containing %q", i, message, want.key, want.reason)
				}
			}
		})
	}
}

// Render runs for every directory entry on every plan, so its allocations are pinned: the
// result map (two allocations), plus one string per template that concatenates parts or
// changes case (three here). The cn
// filter is left out: ldap.ParseDN's own allocations are not the engine's to pin.
func TestRenderAllocations(t *testing.T) {
	mapping, err := CompileMapping(benchmarkMappingTemplates(false), nil)
	if err != nil {
		t.Fatal(err)
	}
	entry := benchmarkDirectoryEntries(1)[0]
	values := func(attribute string) []string { return entry[attribute] }
	allocations := testing.AllocsPerRun(100, func() { mapping.Render(values, nil) })
	if allocations > 5 {
		t.Errorf("Render allocates %v times per entry, want at most 5", allocations)
	}
}

// benchmarkMappingTemplates is a realistic 8-key Active Directory mapping; the manager is mapped by
// the CN of its DN, or, without withManager, the key is replaced by a plain department.
func benchmarkMappingTemplates(withManager bool) map[string]string {
	templates := map[string]string{
		AttrEmpID:      "{employeeID}",
		AttrLoginID:    "{userPrincipalName|lower}",
		AttrEmail:      "{mail|lower}",
		AttrFirstName:  "{givenName|trim}",
		AttrLastName:   "{sn|trim}",
		AttrTitle:      "{title|default:Employee}",
		AttrCostCenter: "CC-{extensionAttribute1|default:0000}",
	}
	if withManager {
		templates[AttrManagerEmpID] = "{manager|cn}"
	} else {
		templates[AttrDepartment] = "{department}"
	}
	return templates
}

// benchmarkDirectoryEntries builds distinct entries, keyed by the spellings the templates use; a third
// of them have a title, so default both fires and does not.
func benchmarkDirectoryEntries(count int) []map[string][]string {
	entries := make([]map[string][]string, count)
	for i := range entries {
		entries[i] = map[string][]string{
			"employeeID":          {fmt.Sprintf("E%06d", i)},
			"userPrincipalName":   {fmt.Sprintf("User%d@Example.com", i)},
			"mail":                {fmt.Sprintf("User%d@Example.com", i)},
			"givenName":           {fmt.Sprintf("Given%d", i)},
			"sn":                  {fmt.Sprintf("Family%d", i)},
			"department":          {"Engineering"},
			"extensionAttribute1": {fmt.Sprintf("%04d", i%1000)},
			"manager":             {fmt.Sprintf("CN=E%06d,OU=People,DC=example,DC=com", i/10)},
		}
		if i%3 == 0 {
			entries[i]["title"] = []string{"Engineer"}
		}
	}
	return entries
}

// BenchmarkRender renders 20,000 entries per op; ns/entry is the cost of one user on a plan.
func BenchmarkRender(b *testing.B) {
	entries := benchmarkDirectoryEntries(20000)
	for _, withManager := range []bool{true, false} {
		mapping, err := CompileMapping(benchmarkMappingTemplates(withManager), nil)
		if err != nil {
			b.Fatal(err)
		}
		name := "manager_cn"
		if !withManager {
			name = "no_cn"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, entry := range entries {
					mapping.Render(func(attribute string) []string { return entry[attribute] }, nil)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(entries)), "ns/entry")
		})
	}
}

// ref follows a DN to another entry: the manager's employee ID out of the manager attribute.
func TestRenderFollowsReferences(t *testing.T) {
	t.Parallel()
	templates := requiredConstantTemplates()
	templates[AttrManagerEmpID] = "{manager|trim|ref:employeeID|upper}"
	templates[AttrTitle] = "{manager|cn}"
	mapping, err := CompileMapping(templates, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := mapping.ReferencedAttributes(); !slices.Equal(got, []string{"employeeID"}) {
		t.Errorf("ReferencedAttributes = %q", got)
	}
	if got := mapping.SourceAttributes(); !slices.Equal(got, []string{"manager", "employeeID"}) {
		t.Errorf("SourceAttributes = %q, want the templates' attributes then the referenced ones", got)
	}
	entry := equalFoldLookup(map[string][]string{"manager": {" cn=Boss,ou=people,dc=example,dc=com "}})
	if got := mapping.ReferencedDNs(entry); !slices.Equal(got, []string{"cn=Boss,ou=people,dc=example,dc=com"}) {
		t.Errorf("ReferencedDNs = %q, want the trimmed manager DN", got)
	}
	var askedDN, askedAttribute string
	resolve := func(dn, attribute string) string {
		askedDN, askedAttribute = dn, attribute
		return "m-7"
	}
	got := mapping.Render(entry, resolve)
	if got[AttrManagerEmpID] != "M-7" || askedDN != "cn=Boss,ou=people,dc=example,dc=com" || askedAttribute != "employeeID" {
		t.Errorf("manager_emp_id = %q after resolving %q/%q, want M-7 from the trimmed DN's employeeID", got[AttrManagerEmpID], askedDN, askedAttribute)
	}
	if got[AttrTitle] != "Boss" {
		t.Errorf("title = %q, want the cn", got[AttrTitle])
	}
	if got := mapping.Render(equalFoldLookup(nil), resolve)[AttrManagerEmpID]; got != "" {
		t.Errorf("no manager rendered %q, want empty (the manager is cleared)", got)
	}
}

func TestCompileMappingRejectsBadReferences(t *testing.T) {
	t.Parallel()
	for template, want := range map[string]string{
		"{manager|ref:}":                  "needs a directory attribute name",
		"{manager|ref:employee id}":       "needs a directory attribute name",
		"{manager|ref:manager|ref:empID}": "more than one ref filter",
	} {
		templates := requiredConstantTemplates()
		templates[AttrManagerEmpID] = template
		_, err := CompileMapping(templates, nil)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), `attribute_mapping["manager_emp_id"]`) {
			t.Errorf("%s: error %v, want one on manager_emp_id saying %q", template, err, want)
		}
	}
}

func TestRenderTemplate(t *testing.T) {
	t.Parallel()
	entry := map[string][]string{"mail": {"Ann.Able@Example.COM"}, "givenname": {"  Ann "}, "manager": {"uid=boss,ou=people,dc=example,dc=org"}}
	values := func(attribute string) []string { return entry[strings.ToLower(attribute)] }
	for template, want := range map[string]string{
		"{mail|lower}":                 "ann.able@example.com",
		"{mail|localpart|upper}":       "ANN.ABLE",
		"{givenName|trim} ({mail})":    "Ann (Ann.Able@Example.COM)",
		"{title|default:Employee}":     "Employee",
		"{manager|cn}":                 "uid=boss,ou=people,dc=example,dc=org",
		"{manager|ref:employeeNumber}": "",
		"{{literal}}":                  "{literal}",
		"Operations":                   "Operations",
	} {
		got, err := RenderTemplate(template, values)
		if err != nil || got != want {
			t.Errorf("RenderTemplate(%q) = %q, %v; want %q", template, got, err, want)
		}
	}
	for template, reason := range map[string]string{
		"{mail|shout}": `unknown filter "shout"`,
		"{mail":        "is never closed",
	} {
		if _, err := RenderTemplate(template, values); err == nil || !strings.Contains(err.Error(), reason) {
			t.Errorf("RenderTemplate(%q) error = %v, want one containing %q", template, err, reason)
		}
	}
}
