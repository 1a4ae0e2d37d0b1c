package provider

import (
	"context"
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
	want := map[string]provisioning.ManagedUser{
		"1001": {EmpID: "1001", ID: "c-1001", EntryID: "e-1", DN: "uid=ann,ou=people,dc=example,dc=org", Active: true, Attributes: map[string]string{
			"emp_id": "1001", "login_id": "ann@example.org", "email": "ann@example.org", "first_name": "Ann", "last_name": "Able"}},
		"1002": {EmpID: "1002", ID: "c-1002", DN: "uid=ben,ou=people,dc=example,dc=org", Attributes: map[string]string{}},
	}
	if !reflect.DeepEqual(users, want) {
		t.Errorf("users = %+v\nwant %+v", users, want)
	}
}

func TestMappingServer_upgradeHandsBackCurrentStateUnchanged(t *testing.T) {
	t.Parallel()
	s := newMappingServer(&concurProvider{}, nil)
	// Even a "disable" is left as it is in state of the current version: only the configuration
	// can still say it, and the engine reads it as deactivate.
	resp, err := s.UpgradeResourceState(context.Background(), &tfprotov6.UpgradeResourceStateRequest{
		TypeName: mappingTypeName, Version: 1, RawState: &tfprotov6.RawState{JSON: []byte(releasedState)},
	})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("upgrade: %v %v", err, resp.Diagnostics)
	}
	if got := string(resp.UpgradedState.JSON); got != releasedState {
		t.Errorf("version 1 state came back changed:\n%s", got)
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

func TestUsersValue_roundTrip(t *testing.T) {
	t.Parallel()
	s := newMappingServer(&concurProvider{}, nil)
	users := map[string]provisioning.ManagedUser{
		"1001": {EmpID: "1001", ID: "c-1001", DN: "uid=ann", Active: true, Attributes: map[string]string{"title": "", "email": "ann@example.org"}},
		"1003": {EmpID: "1003", DN: "uid=cid", Attributes: map[string]string{}}, // planned, not created yet
	}
	value := usersValue(s.usersType, users)
	var elements map[string]tftypes.Value
	if err := value.As(&elements); err != nil {
		t.Fatal(err)
	}
	id, err := objectAttribute(elements["1003"], "id")
	if err != nil || id.IsKnown() {
		t.Errorf("a user not created yet has id %v (%v), want unknown", id, err)
	}
	back, err := usersFrom(value)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, users) {
		t.Errorf("round trip = %+v\nwant %+v", back, users)
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
