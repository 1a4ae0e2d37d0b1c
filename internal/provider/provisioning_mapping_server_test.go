package provider

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-concur/terraform-provider-concur/internal/provisioning"
)

// releasedState is a channel's state as the release before the protocol layer wrote it (the
// framework's JSON, schema version 0, with the old default deprovision_action "disable"), with a
// user not created yet left out as that release did.
const releasedState = `{
  "id": "5f1c",
  "source": {"group_dn": "cn=staff,ou=groups,dc=example,dc=org", "nested": true, "filter": null, "base_dn": null, "scope": "sub", "disabled_filter": null},
  "attribute_mapping": {"emp_id": "{employeeNumber}", "login_id": "{mail}", "email": "{mail}", "first_name": "{givenName}", "last_name": "{sn}"},
  "create_only_attributes": null,
  "provision_disabled_users": false,
  "deprovision_action": "disable",
  "max_deprovisions": 25,
  "allow_empty_source": false,
  "on_destroy": "keep",
  "users": {
    "1001": {"id": "c-1001", "entry_id": "e-1", "dn": "uid=ann,ou=people,dc=example,dc=org", "active": true,
             "attributes": {"emp_id": "1001", "login_id": "ann@example.org", "email": "ann@example.org", "first_name": "Ann", "last_name": "Able"}},
    "1002": {"id": "c-1002", "entry_id": "", "dn": "uid=ben,ou=people,dc=example,dc=org", "active": false, "attributes": {}}
  }
}`

func TestMappingServer_upgradeReadsReleasedState(t *testing.T) {
	t.Parallel()
	s := newMappingServer(&concurProvider{}, nil)
	resp, err := s.UpgradeResourceState(context.Background(), &tfprotov6.UpgradeResourceStateRequest{
		TypeName: mappingTypeName, Version: 0, RawState: &tfprotov6.RawState{JSON: []byte(releasedState)},
	})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("upgrade: %v %v", err, resp.Diagnostics)
	}
	_, model, users, err := s.read(context.Background(), resp.UpgradedState)
	if err != nil {
		t.Fatal(err)
	}
	if model.ID.ValueString() != "5f1c" || model.Source.GroupDN.ValueString() != "cn=staff,ou=groups,dc=example,dc=org" || model.MaxDeprovisions.ValueInt64() != 25 {
		t.Errorf("model = %+v, source %+v", model, model.Source)
	}
	if got := model.DeprovisionAction.ValueString(); got != "deactivate" {
		t.Errorf("deprovision_action = %q, want version 0's \"disable\" rewritten as \"deactivate\"", got)
	}
	// Version 2 keeps the entries as private data, which an upgrade cannot write: the next
	// apply records them again.
	want := map[string]provisioning.ManagedUser{
		"1001": {EmpID: "1001", ID: "c-1001", Active: true, Attributes: map[string]string{
			"emp_id": "1001", "login_id": "ann@example.org", "email": "ann@example.org", "first_name": "Ann", "last_name": "Able"}},
		"1002": {EmpID: "1002", ID: "c-1002", Attributes: map[string]string{"emp_id": "1002"}},
	}
	if !reflect.DeepEqual(users, want) {
		t.Errorf("users = %+v\nwant %+v", users, want)
	}
}

// stateV1 is a channel's state as the release with schema version 1 wrote it: every user with
// its dn and entry_id, and its emp_id among the attributes; 1003's account carries another
// emp_id in Concur (drift the next plan puts back).
const stateV1 = `{
  "id": "5f1c",
  "source": {"group_dn": "cn=staff,ou=groups,dc=example,dc=org", "nested": true, "filter": null, "base_dn": null, "scope": "sub", "disabled_filter": null},
  "attribute_mapping": {"emp_id": "{employeeNumber}", "login_id": "{mail}", "email": "{mail}", "first_name": "{givenName}", "last_name": "{sn}"},
  "create_only_attributes": null,
  "provision_disabled_users": false,
  "deprovision_action": "deactivate",
  "max_deprovisions": 25,
  "allow_empty_source": false,
  "on_destroy": "keep",
  "users": {
    "1001": {"id": "c-1001", "entry_id": "e-1", "dn": "uid=ann,ou=people,dc=example,dc=org", "active": true,
             "attributes": {"emp_id": "1001", "login_id": "ann@example.org", "email": "ann@example.org", "first_name": "Ann", "last_name": "Able"}},
    "1003": {"id": "c-1003", "entry_id": "e-3", "dn": "uid=cy,ou=people,dc=example,dc=org", "active": true,
             "attributes": {"emp_id": "9999", "login_id": "cy@example.org", "email": "cy@example.org", "first_name": "Cy", "last_name": "Cole"}}
  }
}`

func TestMappingServer_upgradeVersionOneDropsWhatPrivateDataHolds(t *testing.T) {
	t.Parallel()
	s := newMappingServer(&concurProvider{}, nil)
	resp, err := s.UpgradeResourceState(context.Background(), &tfprotov6.UpgradeResourceStateRequest{
		TypeName: mappingTypeName, Version: 1, RawState: &tfprotov6.RawState{JSON: []byte(stateV1)},
	})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("upgrade: %v %v", err, resp.Diagnostics)
	}
	for _, gone := range []string{`"dn"`, `"entry_id"`, `"emp_id":"1001"`} {
		if strings.Contains(string(resp.UpgradedState.JSON), gone) {
			t.Errorf("the upgraded state still holds %s:\n%s", gone, resp.UpgradedState.JSON)
		}
	}
	_, model, users, err := s.read(context.Background(), resp.UpgradedState)
	if err != nil {
		t.Fatal(err)
	}
	if got := model.DeprovisionAction.ValueString(); got != "deactivate" {
		t.Errorf("deprovision_action = %q, want \"deactivate\" as recorded", got)
	}
	want := map[string]provisioning.ManagedUser{
		"1001": {EmpID: "1001", ID: "c-1001", Active: true, Attributes: map[string]string{
			"emp_id": "1001", "login_id": "ann@example.org", "email": "ann@example.org", "first_name": "Ann", "last_name": "Able"}},
		"1003": {EmpID: "1003", ID: "c-1003", Active: true, Attributes: map[string]string{
			"emp_id": "9999", "login_id": "cy@example.org", "email": "cy@example.org", "first_name": "Cy", "last_name": "Cole"}},
	}
	if !reflect.DeepEqual(users, want) {
		t.Errorf("users = %+v\nwant %+v", users, want)
	}
}

func TestMappingServer_upgradeHandsBackCurrentStateUnchanged(t *testing.T) {
	t.Parallel()
	s := newMappingServer(&concurProvider{}, nil)
	current := []byte(stateV1)
	var err error
	for _, upgrade := range mappingUpgrades[1:] {
		if current, err = upgrade(current); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := s.UpgradeResourceState(context.Background(), &tfprotov6.UpgradeResourceStateRequest{
		TypeName: mappingTypeName, Version: s.schema.Version, RawState: &tfprotov6.RawState{JSON: current},
	})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("upgrade: %v %v", err, resp.Diagnostics)
	}
	if got := string(resp.UpgradedState.JSON); got != string(current) {
		t.Errorf("state of the current version came back changed:\n%s", got)
	}
}

func TestMappingServer_upgradeRefusesOtherVersions(t *testing.T) {
	t.Parallel()
	s := newMappingServer(&concurProvider{}, nil)
	resp, err := s.UpgradeResourceState(context.Background(), &tfprotov6.UpgradeResourceStateRequest{
		TypeName: mappingTypeName, Version: 7, RawState: &tfprotov6.RawState{JSON: []byte(releasedState)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !hasProtocolError(resp.Diagnostics) || !strings.Contains(resp.Diagnostics[0].Detail, "schema version 7") {
		t.Errorf("diagnostics = %+v, want an error naming version 7", resp.Diagnostics)
	}
}

func TestUsersValue_roundTripWithPrivateData(t *testing.T) {
	t.Parallel()
	users := map[string]provisioning.ManagedUser{
		"1001": {EmpID: "1001", ID: "c-1001", DN: "uid=ann", EntryID: "e-1", Active: true,
			Attributes: map[string]string{"emp_id": "1001", "title": "", "email": "ann@example.org"}},
		"1002": {EmpID: "1002", ID: "c-1002", DN: "uid=ben", EmpIDHeldBy: "c-2002", Attributes: map[string]string{"emp_id": "2002"}},
		"1003": {EmpID: "1003", DN: "uid=cid", Attributes: map[string]string{"emp_id": "1003"}}, // planned, not created yet
	}
	documents, ids, err := usersValue(users)
	if err != nil {
		t.Fatal(err)
	}
	var idElements, documentElements map[string]tftypes.Value
	if err := errors.Join(ids.As(&idElements), documents.As(&documentElements)); err != nil {
		t.Fatal(err)
	}
	if id := idElements["1003"]; id.IsKnown() {
		t.Errorf("a user not created yet has id %v, want unknown", id)
	}
	var document string
	if err := documentElements["1001"].As(&document); err != nil || document != `{"active":true,"attributes":{"email":"ann@example.org","title":""}}` {
		t.Errorf("1001 in state = %s (%v), want its active state and its title and email, without the emp_id its key says", document, err)
	}
	private, err := privateOf(users)
	if err != nil {
		t.Fatal(err)
	}
	back, err := usersFrom(documents, ids)
	if err == nil {
		err = withPrivate(back, private)
	}
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, users) {
		t.Errorf("round trip = %+v\nwant %+v", back, users)
	}
}

func TestPlannedPrivate_keepsLeaversEntries(t *testing.T) {
	t.Parallel()
	prior := map[string]provisioning.ManagedUser{
		"1001": {EmpID: "1001", DN: "uid=ann,ou=old", EntryID: "e-1"},
		"1002": {EmpID: "1002", DN: "uid=ben", EntryID: "e-2", EmpIDHeldBy: "c-2002"}, // deleted by the plan
	}
	planned := map[string]provisioning.ManagedUser{
		"1001": {EmpID: "1001", DN: "uid=ann,ou=new", EntryID: "e-1"}, // moved
		"1003": {EmpID: "1003", DN: "uid=cid"},
	}
	private, err := plannedPrivate(prior, planned)
	if err != nil {
		t.Fatal(err)
	}
	users := map[string]provisioning.ManagedUser{"1001": {}, "1002": {}, "1003": {}}
	if err := withPrivate(users, private); err != nil {
		t.Fatal(err)
	}
	want := map[string]provisioning.ManagedUser{
		"1001": {DN: "uid=ann,ou=new", EntryID: "e-1"},
		"1002": {DN: "uid=ben", EntryID: "e-2", EmpIDHeldBy: "c-2002"},
		"1003": {DN: "uid=cid"},
	}
	if !reflect.DeepEqual(users, want) {
		t.Errorf("the apply would read %+v\nwant %+v", users, want)
	}
}

func TestProtocolDiagnostics_keepSeverityAndPath(t *testing.T) {
	t.Parallel()
	var diags diag.Diagnostics
	diags.AddAttributeError(path.Root("attribute_mapping").AtMapKey("email"), "Invalid attribute mapping", "unknown filter")
	diags.AddWarning("Provisioning: 1 to create", "details")
	got := protocolDiagnostics(diags)
	wantPath := tftypes.NewAttributePath().WithAttributeName("attribute_mapping").WithElementKeyString("email")
	if len(got) != 2 || got[0].Severity != tfprotov6.DiagnosticSeverityError || !got[0].Attribute.Equal(wantPath) ||
		got[1].Severity != tfprotov6.DiagnosticSeverityWarning || got[1].Attribute != nil || got[1].Summary != "Provisioning: 1 to create" {
		t.Errorf("diagnostics = %+v", got)
	}
}

// The calls read a value's users after handing the value, without them, to the framework: the
// value must keep its users.
func TestWithAttribute_leavesTheObjectAsItWas(t *testing.T) {
	t.Parallel()
	s := newMappingServer(&concurProvider{}, nil)
	users, _, err := usersValue(map[string]provisioning.ManagedUser{"1001": {EmpID: "1001", ID: "c-1001", Attributes: map[string]string{"emp_id": "1001"}}})
	if err != nil {
		t.Fatal(err)
	}
	attributes := map[string]tftypes.Value{}
	for name, typ := range s.valueType.AttributeTypes {
		attributes[name] = tftypes.NewValue(typ, nil)
	}
	attributes[attrUsers] = users
	object := tftypes.NewValue(s.valueType, attributes)

	if _, err := withAttribute(object, attrUsers, tftypes.NewValue(usersType, nil)); err != nil {
		t.Fatal(err)
	}
	kept, err := objectAttribute(object, attrUsers)
	if err != nil || !kept.Equal(users) {
		t.Errorf("after withAttribute the object's users are %v (%v), want them unchanged", kept, err)
	}
}

func TestMappingUpgrades_oneForEachEarlierVersion(t *testing.T) {
	t.Parallel()
	s := newMappingServer(&concurProvider{}, nil)
	if int64(len(mappingUpgrades)) != s.schema.Version {
		t.Errorf("%d state upgrades for schema version %d: add the upgrade from each earlier version", len(mappingUpgrades), s.schema.Version)
	}
}
