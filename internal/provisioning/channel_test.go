package provisioning

import (
	"reflect"
	"testing"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/ldapdir"
)

const (
	ldapBindDN   = "cn=admin,dc=example,dc=com"
	ldapPassword = "test-password"
	channelLDIF  = `dn: dc=example,dc=com
objectClass: top
objectClass: dcObject
objectClass: organization
dc: example
o: Example Corp

dn: ou=people,dc=example,dc=com
objectClass: organizationalUnit
ou: people

dn: uid=alice,ou=people,dc=example,dc=com
objectClass: inetOrgPerson
uid: alice
cn: Alice Martin
givenName: Alice
sn: Martin
mail: alice@example.com
employeeNumber: 1001
title: CFO

dn: uid=bob,ou=people,dc=example,dc=com
objectClass: inetOrgPerson
uid: bob
cn: Bob Stone
givenName: Bob
sn: Stone
mail: bob@example.com
employeeNumber: 1002
nsAccountLock: TRUE

dn: uid=carol,ou=people,dc=example,dc=com
objectClass: inetOrgPerson
uid: carol
cn: Carol King
givenName: Carol
sn: King
mail: carol@example.com

dn: uid=dave,ou=people,dc=example,dc=com
objectClass: inetOrgPerson
uid: dave
cn: Dave Ito
givenName: Dave
sn: Ito
mail: dave@example.com
employeeNumber: 1004
`
)

func startDirectory(t *testing.T) *directory.Client {
	t.Helper()
	srv, err := ldapdir.Start("127.0.0.1:0", ldapdir.Config{LDIF: channelLDIF, BindDN: ldapBindDN, BindPassword: ldapPassword})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	dir, err := directory.New(directory.Config{
		URL: srv.URL(), BindDN: ldapBindDN, BindPassword: ldapPassword, DisabledFilter: "(nsAccountLock=TRUE)",
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestPlanChannel(t *testing.T) {
	t.Parallel()
	dir := startDirectory(t)
	c := newChannel(t, nil)
	daveID := seedConcurUser(t, c.server, "1004", "dave@example.com", nil)
	source := Source{Filter: "(objectClass=inetOrgPerson)", BaseDN: peopleBase, Scope: directory.ScopeSub}

	tests := []struct {
		name          string
		opts          Options
		wantChanges   []Change
		wantBobAbsent bool
	}{
		{
			name: "disabled users skipped",
			opts: defaultOptions(),
			wantChanges: []Change{
				{Kind: ChangeCreate, EmpID: "1001", DN: "uid=alice," + peopleBase},
				{Kind: ChangeLink, EmpID: "1004", DN: "uid=dave," + peopleBase},
			},
			wantBobAbsent: true,
		},
		{
			name: "disabled users provisioned inactive",
			opts: Options{DeprovisionAction: DeprovisionDeactivate, ProvisionDisabledUsers: true},
			wantChanges: []Change{
				{Kind: ChangeCreate, EmpID: "1001", DN: "uid=alice," + peopleBase},
				{Kind: ChangeCreate, EmpID: "1002", DN: "uid=bob," + peopleBase},
				{Kind: ChangeLink, EmpID: "1004", DN: "uid=dave," + peopleBase},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := Channel{Source: source, Mapping: c.mapping, Options: tt.opts}
			plan, desired, err := PlanChannel(c.ctx, c.client, dir, ch, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(plan.Changes, tt.wantChanges) {
				t.Errorf("changes = %+v, want %+v", plan.Changes, tt.wantChanges)
			}
			if want := []string{"uid=carol," + peopleBase}; !reflect.DeepEqual(desired.MissingEmpID, want) {
				t.Errorf("MissingEmpID = %v, want %v", desired.MissingEmpID, want)
			}
			if desired.SourceCount != 3 {
				t.Errorf("SourceCount = %d, want 3 (carol renders no emp_id, so is not counted)", desired.SourceCount)
			}
			if !desired.Users["1002"].Disabled {
				t.Error("bob is not disabled")
			}
			if plan.Users["1004"].ID != daveID {
				t.Errorf("dave planned with id %q, want the existing %s", plan.Users["1004"].ID, daveID)
			}
			bob, planned := plan.Users["1002"]
			if planned == tt.wantBobAbsent || (planned && bob.Active) {
				t.Errorf("bob planned %v as %+v", planned, bob)
			}
		})
	}
}

func TestSourceValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		source  Source
		wantErr bool
	}{
		{"group", Source{GroupDN: "cn=staff,ou=groups,dc=example,dc=com"}, false},
		{"filter", Source{Filter: "(objectClass=person)", BaseDN: peopleBase}, false},
		{"both", Source{GroupDN: "cn=staff,ou=groups,dc=example,dc=com", Filter: "(objectClass=person)", BaseDN: peopleBase}, true},
		{"neither", Source{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.source.Validate(); (err != nil) != tt.wantErr {
				t.Errorf("Validate() = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

// {manager|ref:employeeNumber} turns the manager's DN into the manager's emp_id, for managers
// inside the source and (read from the directory) outside it.
func TestPlanChannelResolvesManagerReferences(t *testing.T) {
	t.Parallel()
	srv, err := ldapdir.Start("127.0.0.1:0", ldapdir.DemoConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	dir, err := directory.New(directory.Config{URL: srv.URL(), BindDN: ldapdir.DemoBindDN, BindPassword: ldapdir.DemoBindPassword})
	if err != nil {
		t.Fatal(err)
	}
	templates := testTemplates()
	templates[AttrManagerEmpID] = "{manager|ref:employeeNumber}"
	mapping, err := CompileMapping(templates, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := newChannel(t, nil)
	source := Source{GroupDN: "cn=concur-users,ou=groups,dc=example,dc=com", Nested: true}

	plan, _, err := PlanChannel(c.ctx, c.client, dir, Channel{Source: source, Mapping: mapping, Options: defaultOptions()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for empID, want := range map[string]string{
		"1001": "",     // alice has no manager
		"1002": "1001", // bob reports to alice, in the group
		"1003": "1002", // carla reports to bob, in the group
		"1005": "1004", // emma reports to david, who is not in the group
	} {
		if got := plan.Users[empID].Attributes[AttrManagerEmpID]; got != want {
			t.Errorf("%s manager_emp_id = %q, want %q", empID, got, want)
		}
	}
	// david is neither in Concur nor provisioned: creating emma and henry (not disabled here: this
	// directory client has no disabled filter) would fail, and the plan says so.
	if want := map[string][]string{"1004": {"1005", "1008"}}; !reflect.DeepEqual(plan.UnknownManagers, want) {
		t.Errorf("unknown managers = %v, want %v", plan.UnknownManagers, want)
	}
	seedConcurUser(t, c.server, "1004", "david.okafor@example.com", nil)
	plan, _, err = PlanChannel(c.ctx, c.client, dir, Channel{Source: source, Mapping: mapping, Options: defaultOptions()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.UnknownManagers) != 0 {
		t.Errorf("unknown managers = %v once david exists in Concur, want none", plan.UnknownManagers)
	}
}

// Destroying with on_destroy = deprovision: a user Concur fails to disable stays active in what
// is recorded, the others are recorded disabled, and the failure says what was being done.
func TestDeprovisionAllRecordsWhoIsDone(t *testing.T) {
	t.Parallel()
	c := newChannel(t, func(cfg *concur.Config) { cfg.MaxConcurrency = 1 })
	c.sync(person("a", "E1", nil), person("b", "E2", nil), person("c", "E3", nil))
	c.server.SetFaults(sandbox.Faults{FailNext: map[string]int{endpointPatch: 1}})

	destroyed, err := Destroy(c.ctx, c.client, c.recorded, Options{OnDestroy: OnDestroyDeprovision, DeprovisionAction: DeprovisionDeactivate})
	if err != nil {
		t.Fatal(err)
	}
	recorded, failures := destroyed.Users, destroyed.Failures
	if !destroyed.Kept {
		t.Error("a destroy with a failed user does not keep the channel")
	}
	if len(failures) != 1 || failures[0].Kind != ChangeDeactivate {
		t.Fatalf("failures = %s, want one failed disable", failuresText(failures))
	}
	failed := failures[0].EmpID
	for empID, user := range recorded {
		if want := empID == failed; user.Active != want {
			t.Errorf("recorded %s active = %v, want %v", empID, user.Active, want)
		}
	}
	if len(recorded) != 3 {
		t.Errorf("recorded %d users, want all 3 (disabled users stay managed)", len(recorded))
	}
}

// Only writes that send a manager can fail on it: a new user whose manager Concur lacks is
// named; a manager left as it was, a leaver's manager, and a manager Concur has are not.
func TestUnknownManagers(t *testing.T) {
	t.Parallel()
	c := newChannel(t, nil)
	mapping := c.mapping
	seedConcurUser(t, c.server, "M4", "m4@example.com", nil)
	managed := managedFromDesired(DesiredUsers([]directory.Entry{
		person("a", "E1", map[string]string{"managerNumber": "M1"}),
		person("b", "E2", map[string]string{"managerNumber": "M2"}),
	}, mapping, nil), "id-")
	desired := DesiredUsers([]directory.Entry{
		person("a", "E1", map[string]string{"managerNumber": "M1", "title": "Lead"}), // update, same manager
		person("c", "E3", map[string]string{"managerNumber": "M3"}),                  // new, manager nowhere
		person("d", "E4", map[string]string{"managerNumber": "M4"}),                  // new, manager in Concur
	}, mapping, nil) // E2 leaves
	plan := mustPlan(t, desired, managed, nil, mapping, defaultOptions())

	got, err := unknownManagers(c.ctx, c.client, plan, managed)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string][]string{"M3": {"E3"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("unknown managers = %v, want %v", got, want)
	}
}
