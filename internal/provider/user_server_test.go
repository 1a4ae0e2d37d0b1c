package provider

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-concur/terraform-provider-concur/internal/provisioning"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
)

// configuredServer is the provider's protocol server configured against a sandbox from the
// environment, as Terraform configures it, with the settings given (such as the owner).
func configuredServer(t *testing.T, settings map[string]string) (*server, *sandbox.Server) {
	t.Helper()
	sb := newSandbox(t)
	c := sb.Credentials()
	env := map[string]string{envBaseURL: sb.URL(), envClientID: c.ClientID, envClientSecret: c.ClientSecret,
		envRefreshToken: c.RefreshToken, envCompanyID: c.CompanyID, envOwner: ""}
	maps.Copy(env, settings)
	for name, value := range env {
		t.Setenv(name, value)
	}
	srv := invariant[*server](NewServer("test")(), "the provider's server")
	ctx := context.Background()
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || hasProtocolError(schemas.Diagnostics) {
		t.Fatalf("GetProviderSchema: %v %v", err, schemas.Diagnostics)
	}
	providerType := invariant[tftypes.Object](schemas.Provider.ValueType(), "the provider's type to be an object")
	unset := map[string]tftypes.Value{}
	for name, typ := range providerType.AttributeTypes {
		unset[name] = tftypes.NewValue(typ, nil)
	}
	config, err := tfprotov6.NewDynamicValue(providerType, tftypes.NewValue(providerType, unset))
	if err != nil {
		t.Fatal(err)
	}
	configured, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &config})
	if err != nil || len(configured.Diagnostics) > 0 {
		t.Fatalf("ConfigureProvider: %v %+v", err, configured.Diagnostics)
	}
	return srv, sb
}

// TestUserServer_plansUnchangedAsTheFramework plans concur_user changes both ways: where the
// user server answers a plan itself, the framework (with ModifyPlan) must plan exactly the same;
// it must leave every plan that changes something, or says something, to the framework.
func TestUserServer_plansUnchangedAsTheFramework(t *testing.T) {
	ctx := context.Background()
	ownMarker := provisioning.Ownership{Owner: "team-a"}.ExternalID("1001", "")
	otherMarker := provisioning.Ownership{Owner: "team-b"}.ExternalID("1001", "")
	str := func(v string) tftypes.Value { return tftypes.NewValue(tftypes.String, v) }
	boolean := func(v bool) tftypes.Value { return tftypes.NewValue(tftypes.Bool, v) }
	configured := map[string]tftypes.Value{
		"emp_id": str("1001"), "login_id": str("ann@example.org"), "email": str("ann@example.org"),
		"first_name": str("Ann"), "last_name": str("Able"), "department": str("Finance"),
	}
	recorded := map[string]tftypes.Value{"id": str("c-1001"), "display_name": str("Ann Able"), "active": boolean(true), "deletion_mode": str("deactivate")}
	cases := []struct {
		name      string
		owner     string
		config    map[string]tftypes.Value // beside configured
		state     map[string]tftypes.Value // beside configured and recorded
		proposed  map[string]tftypes.Value // beside the state, where the configuration changes it
		private   string
		identity  bool
		claimed   bool // by a channel of the configuration
		unchanged bool
		why       string
	}{
		{name: "unchanged", unchanged: true},
		{name: "unchanged with identity", identity: true, unchanged: true},
		{name: "another system's id kept", state: map[string]tftypes.Value{"external_id": str("hr-1001")}, unchanged: true},
		{name: "configured id held", config: map[string]tftypes.Value{"external_id": str("hr-1001")}, state: map[string]tftypes.Value{"external_id": str("hr-1001")}, unchanged: true},
		{name: "own marker held", owner: "team-a", state: map[string]tftypes.Value{"external_id": str(ownMarker)}, unchanged: true},
		{name: "marker to write", owner: "team-a", why: "the plan writes the owner's marker"},
		{name: "another system's id under an owner", owner: "team-a", state: map[string]tftypes.Value{"external_id": str("hr-1001")}, why: "the plan warns that it cannot mark the account"},
		{name: "another owner's account", owner: "team-a", state: map[string]tftypes.Value{"external_id": str(otherMarker)}, why: "the plan warns that the account is managed elsewhere"},
		{name: "taking over", owner: "team-a", config: map[string]tftypes.Value{"take_over_from": str("team-b")},
			state: map[string]tftypes.Value{"take_over_from": str("team-b"), "external_id": str(otherMarker)}, why: "the plan takes the account over"},
		{name: "take-over without an owner", config: map[string]tftypes.Value{"take_over_from": str("team-b")},
			state: map[string]tftypes.Value{"take_over_from": str("team-b")}, why: "the plan fails"},
		{name: "default not held", state: map[string]tftypes.Value{"active": boolean(false)}, why: "the default active = true is planned"},
		{name: "attribute changed", proposed: map[string]tftypes.Value{"department": str("Sales")}, why: "the configuration changes an attribute"},
		{name: "import in progress", private: `{"import_takes_over_from":"InRlYW0tYiI="}`, why: "an import's take-over is in the private data"},
		{name: "claimed by a channel", claimed: true, why: "the plan fails: a channel provisions the person"},
		{name: "emp_id Concur refuses, under an owner", owner: "team-a", config: map[string]tftypes.Value{"emp_id": str(strings.Repeat("9", 49))},
			why: "the validator refuses the emp_id, and the plan leaves external_id unknown"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, _ := configuredServer(t, map[string]string{envOwner: c.owner})
			if c.claimed {
				channel := provisioning.Owner{Key: "channel:staff", Name: "the channel of cn=staff"}
				if err := srv.user.provider.configured().claims.Claim(channel, []string{"1001"}); err != nil {
					t.Fatal(err)
				}
			}
			value := func(parts ...map[string]tftypes.Value) *tfprotov6.DynamicValue {
				attributes := map[string]tftypes.Value{}
				for name, typ := range srv.user.valueType.AttributeTypes {
					attributes[name] = tftypes.NewValue(typ, nil)
				}
				for _, part := range parts {
					maps.Copy(attributes, part)
				}
				dv, err := tfprotov6.NewDynamicValue(srv.user.valueType, tftypes.NewValue(srv.user.valueType, attributes))
				if err != nil {
					t.Fatal(err)
				}
				return &dv
			}
			req := &tfprotov6.PlanResourceChangeRequest{
				TypeName:         userTypeName,
				Config:           value(configured, c.config),
				PriorState:       value(configured, c.config, recorded, c.state),
				ProposedNewState: value(configured, c.config, recorded, c.state, c.proposed),
				PriorPrivate:     []byte(c.private),
			}
			if c.identity {
				identity, err := tfprotov6.NewDynamicValue(userIdentityType, tftypes.NewValue(userIdentityType, map[string]tftypes.Value{"emp_id": str("1001"), "id": str("c-1001")}))
				if err != nil {
					t.Fatal(err)
				}
				req.PriorIdentity = &tfprotov6.ResourceIdentityData{IdentityData: &identity}
			}
			_, unchanged := srv.user.planUnchanged(req)
			fast, err := srv.PlanResourceChange(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			framework, err := srv.ProviderServer.PlanResourceChange(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if unchanged != c.unchanged {
				t.Fatalf("answered without the framework: %t, want %t (%s); the framework planned %+v", unchanged, c.unchanged, c.why, framework.Diagnostics)
			}
			if !unchanged {
				return
			}
			if len(framework.Diagnostics) > 0 || len(framework.RequiresReplace) > 0 {
				t.Fatalf("the framework says %+v, requires replace %v", framework.Diagnostics, framework.RequiresReplace)
			}
			if got, want := decoded(t, srv.user.valueType, fast.PlannedState), decoded(t, srv.user.valueType, framework.PlannedState); !got.Equal(want) {
				t.Errorf("planned state\n%s\nthe framework plans\n%s", got, want)
			}
			if got, want := decoded(t, userIdentityType, fast.PlannedIdentity.IdentityData), decoded(t, userIdentityType, framework.PlannedIdentity.IdentityData); !got.Equal(want) {
				t.Errorf("planned identity %s, the framework plans %s", got, want)
			}
			if !emptyPrivate(fast.PlannedPrivate) || !emptyPrivate(framework.PlannedPrivate) {
				t.Errorf("planned private data %q, the framework plans %q", fast.PlannedPrivate, framework.PlannedPrivate)
			}
		})
	}
}

// diagnosticsText is what a user reads of diagnostics, one per line.
func diagnosticsText(diags []*tfprotov6.Diagnostic) string {
	var lines []string
	for _, d := range diags {
		lines = append(lines, fmt.Sprintf("%s at %v: %s: %s", d.Severity, d.Attribute, d.Summary, d.Detail))
	}
	return strings.Join(lines, "\n")
}

// TestUserServer_readWarnsOfARotatedToken refreshes a user through the user server after Concur
// rotated the refresh token: the warning of the run is on that read.
func TestUserServer_readWarnsOfARotatedToken(t *testing.T) {
	srv, sb := configuredServer(t, nil)
	sb.RotateRefreshTokens(true)
	seedUsers(t, sb, seededUser(sb, "1001", "ann@example.org", "Ann", "Able"))
	user, _ := sb.UserByEmployeeNumber("1001")
	attributes := map[string]tftypes.Value{}
	for name, typ := range srv.user.valueType.AttributeTypes {
		attributes[name] = tftypes.NewValue(typ, nil)
	}
	maps.Copy(attributes, map[string]tftypes.Value{"id": tftypes.NewValue(tftypes.String, user["id"]), "emp_id": tftypes.NewValue(tftypes.String, "1001"),
		"deletion_mode": tftypes.NewValue(tftypes.String, "deactivate"), "active": tftypes.NewValue(tftypes.Bool, true)})
	current, err := tfprotov6.NewDynamicValue(srv.user.valueType, tftypes.NewValue(srv.user.valueType, attributes))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{TypeName: userTypeName, CurrentState: &current})
	if err != nil {
		t.Fatal(err)
	}
	if got := diagnosticsText(resp.Diagnostics); !strings.Contains(got, "Concur rotated the refresh token") {
		t.Errorf("diagnostics %q, want the warning that the refresh token was rotated", got)
	}
}

var userIdentityType = tftypes.Object{AttributeTypes: map[string]tftypes.Type{"emp_id": tftypes.String, "id": tftypes.String}}

func decoded(t *testing.T, typ tftypes.Type, dv *tfprotov6.DynamicValue) tftypes.Value {
	t.Helper()
	value, err := dv.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	return value
}

// TestUserServer_upgradesAsTheFramework reads recorded state of the current version both ways,
// with an attribute an earlier release wrote and this one dropped, and one it did not write yet.
func TestUserServer_upgradesAsTheFramework(t *testing.T) {
	ctx := context.Background()
	srv := invariant[*server](NewServer("test")(), "the provider's server")
	if _, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{}); err != nil {
		t.Fatal(err)
	}
	req := &tfprotov6.UpgradeResourceStateRequest{TypeName: userTypeName, Version: srv.user.schema.Version, RawState: &tfprotov6.RawState{JSON: []byte(
		`{"id":"c-1001","emp_id":"1001","login_id":"ann@example.org","email":"ann@example.org","first_name":"Ann","last_name":"Able",` +
			`"display_name":"Ann Able","active":true,"deletion_mode":"deactivate","retired_attribute":"x"}`)}}
	ours, err := srv.user.UpgradeResourceState(ctx, req)
	if err != nil || len(ours.Diagnostics) > 0 {
		t.Fatalf("upgrade: %v %+v", err, ours.Diagnostics)
	}
	framework, err := srv.ProviderServer.UpgradeResourceState(ctx, req)
	if err != nil || len(framework.Diagnostics) > 0 {
		t.Fatalf("the framework's upgrade: %v %+v", err, framework.Diagnostics)
	}
	got, want := decoded(t, srv.user.valueType, ours.UpgradedState), decoded(t, srv.user.valueType, framework.UpgradedState)
	if !got.Equal(want) {
		t.Errorf("upgraded\n%s\nthe framework upgrades to\n%s", got, want)
	}
	var attributes map[string]tftypes.Value
	if err := got.As(&attributes); err != nil || !attributes["first_name"].Equal(tftypes.NewValue(tftypes.String, "Ann")) || !attributes["country"].IsNull() {
		t.Errorf("upgraded attributes %v (%v)", attributes, err)
	}
}

// TestUserServer_readsAsTheFramework refreshes concur_user state both ways: where the user server
// reads a user itself, the framework (with userResource.Read) must record exactly the same; an
// import, and a user gone from Concur, are left to the framework.
func TestUserServer_readsAsTheFramework(t *testing.T) {
	ctx := context.Background()
	srv, sb := configuredServer(t, map[string]string{envMaxRetries: "0"})
	seedUsers(t, sb, seededUser(sb, "1001", "ann@example.org", "Ann", "Able"), seededUser(sb, "1002", "ben@example.org", "Ben", "Best"))
	str := func(v string) tftypes.Value { return tftypes.NewValue(tftypes.String, v) }
	idOf := func(empID string) string {
		user, _ := sb.UserByEmployeeNumber(empID)
		return user["id"].(string)
	}
	recorded := func(empID string, parts ...map[string]tftypes.Value) map[string]tftypes.Value {
		attributes := map[string]tftypes.Value{}
		for name, typ := range srv.user.valueType.AttributeTypes {
			attributes[name] = tftypes.NewValue(typ, nil)
		}
		maps.Copy(attributes, map[string]tftypes.Value{"id": str(idOf(empID)), "emp_id": str(empID), "deletion_mode": str("deactivate"),
			"active": tftypes.NewValue(tftypes.Bool, true), "first_name": str("Someone")})
		for _, part := range parts {
			maps.Copy(attributes, part)
		}
		return attributes
	}
	cases := []struct {
		name     string
		state    map[string]tftypes.Value
		private  string
		identity bool
		gone     bool
		fails    bool // Concur answers 500
		read     bool
		want     map[string]string // in the refreshed state
	}{
		{name: "drift read back", state: recorded("1001"), read: true, want: map[string]string{"first_name": "Ann", "department": "R&D"}},
		{name: "with identity", state: recorded("1001"), identity: true, read: true},
		{name: "e-mail differing in case only", state: recorded("1001", map[string]tftypes.Value{"email": str("Ann@Example.org"), "login_id": str("ANN@example.org")}), read: true,
			want: map[string]string{"email": "Ann@Example.org", "login_id": "ANN@example.org"}},
		{name: "a profile held", state: recorded("1002", map[string]tftypes.Value{"country": str("US"), "custom3": str("x")}), read: true},
		{name: "take-over kept", state: recorded("1002", map[string]tftypes.Value{"take_over_from": str("team-b")}), read: true, want: map[string]string{"take_over_from": "team-b", "last_name": "Best"}},
		{name: "import", state: recorded("1001"), private: `{"importing":"dHJ1ZQ=="}`},
		{name: "state of a release without deletion_mode", state: recorded("1001", map[string]tftypes.Value{"deletion_mode": tftypes.NewValue(tftypes.String, nil)})},
		{name: "Concur failing", state: recorded("1001"), fails: true, read: true},
		{name: "deleted in Concur", state: recorded("1002"), gone: true, read: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			current, err := tfprotov6.NewDynamicValue(srv.user.valueType, tftypes.NewValue(srv.user.valueType, c.state))
			if err != nil {
				t.Fatal(err)
			}
			if c.gone {
				sb.DeleteUserByEmployeeNumber("1002")
			}
			if c.fails {
				sb.SetFaults(sandbox.Faults{ErrorStatus: 500, FailNext: map[string]int{"GET /profile/identity/v4.1/Users/{id}": 2}})
			}
			req := &tfprotov6.ReadResourceRequest{TypeName: userTypeName, CurrentState: &current, Private: []byte(c.private)}
			if c.identity {
				identity, err := tfprotov6.NewDynamicValue(userIdentityType, tftypes.NewValue(userIdentityType, map[string]tftypes.Value{"emp_id": c.state["emp_id"], "id": c.state["id"]}))
				if err != nil {
					t.Fatal(err)
				}
				req.CurrentIdentity = &tfprotov6.ResourceIdentityData{IdentityData: &identity}
			}
			ours, read := srv.user.readKnown(ctx, req)
			framework, err := srv.ProviderServer.ReadResource(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if read != c.read {
				t.Fatalf("read without the framework: %t, want %t", read, c.read)
			}
			if !read {
				return
			}
			if got, want := diagnosticsText(ours.Diagnostics), diagnosticsText(framework.Diagnostics); got != want || (c.fails != strings.Contains(got, "Error reading Concur user")) {
				t.Fatalf("diagnostics:\n%s\nthe framework's:\n%s", got, want)
			}
			if c.fails {
				return // Terraform keeps the state it had
			}
			got, want := decoded(t, srv.user.valueType, ours.NewState), decoded(t, srv.user.valueType, framework.NewState)
			if c.gone != got.IsNull() {
				t.Errorf("refreshed state null: %t, want %t", got.IsNull(), c.gone)
			}
			if !got.Equal(want) {
				t.Errorf("refreshed\n%s\nthe framework refreshes to\n%s", got, want)
			}
			if got, want := decoded(t, userIdentityType, ours.NewIdentity.IdentityData), decoded(t, userIdentityType, framework.NewIdentity.IdentityData); !got.Equal(want) {
				t.Errorf("identity %s, the framework's %s", got, want)
			}
			if !emptyPrivate(ours.Private) || !emptyPrivate(framework.Private) {
				t.Errorf("private data %q, the framework's %q", ours.Private, framework.Private)
			}
			if c.gone {
				return
			}
			var attributes map[string]tftypes.Value
			if err := got.As(&attributes); err != nil {
				t.Fatal(err)
			}
			for name, want := range c.want {
				if text, _ := stringOf(attributes[name]); text != want {
					t.Errorf("%s = %q, want %q", name, text, want)
				}
			}
		})
	}
}
