package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
	"github.com/terraform-concur/terraform-provider-concur/internal/provisioning"
)

var (
	_ resource.ResourceWithConfigure      = &provisioningMappingResource{}
	_ resource.ResourceWithModifyPlan     = &provisioningMappingResource{}
	_ resource.ResourceWithValidateConfig = &provisioningMappingResource{}
)

const (
	onDestroyKeep        = "keep"
	onDestroyDeprovision = "deprovision"
	// listedEmpIDs is how many emp_ids a diagnostic names before it says how many more.
	listedEmpIDs = 10
)

type provisioningMappingResource struct {
	data *providerData
}

// NewProvisioningMappingResource is the factory for concur_provisioning_mapping.
func NewProvisioningMappingResource() resource.Resource { return &provisioningMappingResource{} }

type provisioningMappingModel struct {
	ID                     types.String        `tfsdk:"id"`
	Source                 *mappingSourceModel `tfsdk:"source"`
	AttributeMapping       types.Map           `tfsdk:"attribute_mapping"`
	CreateOnlyAttributes   types.Set           `tfsdk:"create_only_attributes"`
	ProvisionDisabledUsers types.Bool          `tfsdk:"provision_disabled_users"`
	DeprovisionAction      types.String        `tfsdk:"deprovision_action"`
	MaxDeprovisions        types.Int64         `tfsdk:"max_deprovisions"`
	AllowEmptySource       types.Bool          `tfsdk:"allow_empty_source"`
	OnDestroy              types.String        `tfsdk:"on_destroy"`
	Users                  types.Map           `tfsdk:"users"`
}

type mappingSourceModel struct {
	GroupDN        types.String `tfsdk:"group_dn"`
	Nested         types.Bool   `tfsdk:"nested"`
	Filter         types.String `tfsdk:"filter"`
	BaseDN         types.String `tfsdk:"base_dn"`
	Scope          types.String `tfsdk:"scope"`
	DisabledFilter types.String `tfsdk:"disabled_filter"`
}

type managedUserModel struct {
	ID         types.String            `tfsdk:"id"`
	EntryID    types.String            `tfsdk:"entry_id"`
	DN         types.String            `tfsdk:"dn"`
	Active     types.Bool              `tfsdk:"active"`
	Attributes map[string]types.String `tfsdk:"attributes"`
}

var managedUserType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"id":         types.StringType,
	"entry_id":   types.StringType,
	"dn":         types.StringType,
	"active":     types.BoolType,
	"attributes": types.MapType{ElemType: types.StringType},
}}

func (r *provisioningMappingResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_provisioning_mapping"
}

func (r *provisioningMappingResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A provisioning channel: keeps the users of a directory source (a group, or an LDAP filter) " +
			"in step with Concur through an attribute mapping. Every plan reads the directory and shows, per user keyed by " +
			"`emp_id`, who is created (or linked to an existing Concur account with the same employee ID), which attribute " +
			"changes, and who is disabled. A guard stops plans that would deprovision more users than `max_deprovisions`, " +
			"or everyone when the source suddenly returns nobody. Needs the provider's `directory` block.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "A random identifier of the channel, assigned at creation.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"source": schema.SingleNestedAttribute{
				MarkdownDescription: "Where the users come from: the members of `group_dn`, or the entries `filter` matches under `base_dn`.",
				Required:            true,
				Attributes: map[string]schema.Attribute{
					"group_dn": schema.StringAttribute{
						MarkdownDescription: "The DN of the group whose members are provisioned. Set this or `filter`.",
						Optional:            true,
						Validators:          []validator.String{stringRule{"a DN", directory.ValidateDN}},
					},
					"nested": schema.BoolAttribute{
						MarkdownDescription: "Whether members of member groups, at any depth, are provisioned too. Defaults to `true`.",
						Optional:            true,
						Computed:            true,
						Default:             booldefault.StaticBool(true),
					},
					"filter": schema.StringAttribute{
						MarkdownDescription: "An LDAP filter, such as `(&(objectClass=person)(department=Finance))`; every entry it matches under `base_dn` is provisioned. Set this or `group_dn`.",
						Optional:            true,
						Validators:          []validator.String{stringRule{"an LDAP filter", directory.ValidateFilter}},
					},
					"base_dn": schema.StringAttribute{
						MarkdownDescription: "Where `filter` searches; with `group_dn`, where the members are looked up (defaults to the group's naming context).",
						Optional:            true,
						Validators:          []validator.String{stringRule{"a DN", directory.ValidateDN}},
					},
					"scope": schema.StringAttribute{
						MarkdownDescription: "How deep `filter` searches under `base_dn`: `base`, `one` or `sub` (the default).",
						Optional:            true,
						Computed:            true,
						Default:             stringdefault.StaticString(string(directory.ScopeSub)),
						Validators:          []validator.String{stringvalidator.OneOf(string(directory.ScopeBase), string(directory.ScopeOne), string(directory.ScopeSub))},
					},
					"disabled_filter": schema.StringAttribute{
						MarkdownDescription: "An LDAP filter that marks an entry disabled, evaluated by the directory server, such as `(nsAccountLock=TRUE)` or `(pwdAccountLockedTime=*)`. Overrides the provider's `directory.disabled_filter`; on Active Directory the `userAccountControl` disabled bit is used by default.",
						Optional:            true,
						Validators:          []validator.String{stringRule{"an LDAP filter", directory.ValidateFilter}},
					},
				},
			},
			"attribute_mapping": schema.MapAttribute{
				MarkdownDescription: "Concur attribute to template. `{attr}` inserts a directory attribute, text outside braces is " +
					"literal, and filters follow a bar: `{mail|lower}`, `{sAMAccountName|upper}`, `{manager|cn}`, `{mail|localpart}`, " +
					"`{title|default:Employee}`, `{givenName|trim}`; `ref:` follows a DN to the entry it names, as in " +
					"`manager_emp_id = \"{manager|ref:employeeID}\"` (the manager's employee ID, read even when the manager is outside the source). " +
					"`emp_id`, `login_id`, `email`, `first_name` and `last_name` are " +
					"required. Other keys: " + strings.Join(provisioning.ConcurAttributes(), ", ") + ". Only mapped attributes are " +
					"ever written or compared; a mapped attribute that becomes empty in the directory is cleared in Concur.",
				Required:    true,
				ElementType: types.StringType,
			},
			"create_only_attributes": schema.SetAttribute{
				MarkdownDescription: "Mapped attributes that are set when a user is created and never updated afterwards, such as `start_date`.",
				Optional:            true,
				ElementType:         types.StringType,
			},
			"provision_disabled_users": schema.BoolAttribute{
				MarkdownDescription: "Whether a user disabled in the directory is provisioned as an inactive Concur user. When `false` (the default), disabled users are not created, and managed users who become disabled are deprovisioned. A user counts as disabled by Active Directory's `userAccountControl` bit, or elsewhere by `source.disabled_filter` or the provider's `directory.disabled_filter`: without one, nobody is ever disabled on such a directory.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
			"deprovision_action": schema.StringAttribute{
				MarkdownDescription: "What happens to a managed user who is deleted from the directory, disabled there, or leaves the source: `disable` (the default) sets `active = false` and keeps the user and its data, still managed, so they are reactivated if they come back; `delete` hard-deletes the user, which Concur allows only for users without transactions.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(string(provisioning.DeprovisionDisable)),
				Validators:          []validator.String{stringvalidator.OneOf(string(provisioning.DeprovisionDisable), string(provisioning.DeprovisionDelete))},
			},
			"max_deprovisions": schema.Int64Attribute{
				MarkdownDescription: "The most users one plan may disable or delete. A plan over the limit fails and names the first emp_ids, so a broken filter or group cannot disable the company. Defaults to `25`.",
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(25),
				Validators:          []validator.Int64{int64validator.AtLeast(0)},
			},
			"allow_empty_source": schema.BoolAttribute{
				MarkdownDescription: "Whether a source that returns no entries at all may deprovision every managed user. When `false` (the default), such a plan fails: an empty result is far more often a directory outage or a wrong DN than a real departure of everyone.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
			"on_destroy": schema.StringAttribute{
				MarkdownDescription: "What destroying this resource does: `keep` (the default) stops managing the users and touches nobody in Concur, which also makes a replacement of the resource safe; `deprovision` applies `deprovision_action` to every managed user, within `max_deprovisions`.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(onDestroyKeep),
				Validators:          []validator.String{stringvalidator.OneOf(onDestroyKeep, onDestroyDeprovision)},
			},
			"users": schema.MapNestedAttribute{
				MarkdownDescription: "The users this channel manages, keyed by `emp_id`, as the plan leaves them: the Concur `id`, the source entry's `dn` and `entry_id`, `active`, and the mapped `attributes`.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":         schema.StringAttribute{MarkdownDescription: "The Concur user UUID.", Computed: true},
					"entry_id":   schema.StringAttribute{MarkdownDescription: "The directory entry's immutable identifier (`entryUUID`, or `objectGUID` on Active Directory), empty where the directory has none. An emp_id change is recognised by it: a new entry that reuses a leaver's DN or login is another person.", Computed: true},
					"dn":         schema.StringAttribute{MarkdownDescription: "The DN of the directory entry the user comes from.", Computed: true},
					"active":     schema.BoolAttribute{MarkdownDescription: "Whether the user is active in Concur.", Computed: true},
					"attributes": schema.MapAttribute{MarkdownDescription: "The mapped Concur attributes and their values; an empty string is an empty attribute.", Computed: true, ElementType: types.StringType},
				}},
			},
		},
	}
}

func (r *provisioningMappingResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, diags := providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	r.data = data
}

func (r *provisioningMappingResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var config provisioningMappingModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if config.Source != nil && knownValues(config.Source.GroupDN, config.Source.Filter, config.Source.BaseDN) {
		if err := config.Source.toSource().Validate(); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("source"), "Invalid provisioning source", err.Error()+".")
		}
	}
	if config.AttributeMapping.IsUnknown() || config.CreateOnlyAttributes.IsUnknown() {
		return
	}
	_, diags := config.compileMapping(ctx)
	resp.Diagnostics.Append(diags...)
}

// ModifyPlan reads the directory and computes the planned users, so the plan shows every
// user's create, attribute update and deprovisioning before anything happens.
func (r *provisioningMappingResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil {
		return
	}
	if req.Plan.Raw.IsNull() {
		r.guardDestroy(ctx, req, resp)
		return
	}
	var plan, state provisioningMappingModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	}
	if resp.Diagnostics.HasError() || !plan.isKnown() {
		return
	}

	planned, diags := r.planUsers(ctx, plan, state)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.Users, diags = usersValue(ctx, planned.Users)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *provisioningMappingResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan provisioningMappingModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.ID = types.StringValue(newChannelID())
	r.apply(ctx, plan, provisioningMappingModel{}, &resp.State, &resp.Diagnostics)
}

func (r *provisioningMappingResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state provisioningMappingModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}

	mapping, _ := state.compileMapping(ctx) // a mapping state cannot compile refreshes the recorded attributes
	refreshed, err := provisioning.Refresh(ctx, r.data.client, usersFrom(ctx, state.Users, &resp.Diagnostics), mapping)
	if err != nil {
		resp.Diagnostics.AddError("Error refreshing provisioned users",
			fmt.Sprintf("Reading the channel's users back from Concur failed: %s. Nothing was changed; check that Concur is reachable and the credentials are valid, then plan again.", err))
		return
	}

	var diags diag.Diagnostics
	state.Users, diags = usersValue(ctx, refreshed)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	r.data.warnIfTokenRotated(&resp.Diagnostics)
}

func (r *provisioningMappingResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state provisioningMappingModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.apply(ctx, plan, state, &resp.State, &resp.Diagnostics)
}

func (r *provisioningMappingResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state provisioningMappingModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || state.OnDestroy.ValueString() != onDestroyDeprovision {
		return
	}

	action := provisioning.DeprovisionAction(state.DeprovisionAction.ValueString())
	recorded, failures, err := provisioning.DeprovisionAll(ctx, r.data.client, usersFrom(ctx, state.Users, &resp.Diagnostics), action)
	if err == nil && len(failures) == 0 {
		r.data.warnIfTokenRotated(&resp.Diagnostics)
		return
	}
	// The channel stays, recording who is done, so destroying again retries only the rest.
	var diags diag.Diagnostics
	state.Users, diags = usersValue(ctx, recorded)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	addApplyErrors(&resp.Diagnostics, "deprovision", err, failures,
		"The channel is kept; the users not listed here are deprovisioned and recorded. Run destroy again to retry only these:")
}

// apply carries out the planned users (the plan is the contract) and records every user that
// succeeded; failures keep their previous state, so the next apply retries only them.
func (r *provisioningMappingResource) apply(ctx context.Context, plan, state provisioningMappingModel, target stateSetter, diags *diag.Diagnostics) {
	planned := usersFrom(ctx, plan.Users, diags)
	if plan.Users.IsUnknown() { // the directory settings were unknown at plan time
		result, planDiags := r.planUsers(ctx, plan, state)
		diags.Append(planDiags...)
		if diags.HasError() {
			return
		}
		planned = result.Users
	}
	prior := usersFrom(ctx, state.Users, diags)
	if diags.HasError() {
		return
	}

	recorded, failures, err := provisioning.Apply(ctx, r.data.client, prior, planned)
	var valueDiags diag.Diagnostics
	plan.Users, valueDiags = usersValue(ctx, recorded)
	diags.Append(valueDiags...)
	diags.Append(target.Set(ctx, &plan)...)
	addApplyErrors(diags, "provision", err, failures,
		"The users not listed here succeeded and are recorded in state; apply again to retry only these:")
	r.data.warnIfTokenRotated(diags)
}

// stateSetter is the part of tfsdk.State that apply needs, for both Create and Update.
type stateSetter interface {
	Set(ctx context.Context, val any) diag.Diagnostics
}

// planUsers reads the directory and plans the channel, turning guard trips and source problems
// into diagnostics.
func (r *provisioningMappingResource) planUsers(ctx context.Context, plan, state provisioningMappingModel) (*provisioning.Plan, diag.Diagnostics) {
	var diags diag.Diagnostics
	dir := r.data.directoryClient(&diags, "concur_provisioning_mapping")
	channel, channelDiags := plan.channel(ctx)
	diags.Append(channelDiags...)
	managed := usersFrom(ctx, state.Users, &diags)
	if diags.HasError() {
		return nil, diags
	}

	planned, desired, err := provisioning.PlanChannel(ctx, r.data.client, dir, channel, managed)
	var guard *provisioning.GuardError
	switch {
	case errors.As(err, &guard):
		advice := "If the source or the directory is wrong, fix it and plan again. If these departures are real, raise max_deprovisions for this run."
		if guard.Setting == "allow_empty_source" {
			advice = "If the source or the directory is wrong (a renamed group, a filter that matches nothing, an outage), fix it and plan again. " +
				"If the channel really should have no users, set allow_empty_source = true for this run."
		}
		addGuardError(&diags, path.Root(guard.Setting), "Deprovisioning guard stopped the plan", guard, advice)
		return nil, diags
	case isConcurError(err):
		diags.AddError("Error planning the provisioning channel", fmt.Sprintf("Concur could not be searched for the source's users: %s", err))
		return nil, diags
	case err != nil:
		addDirectoryError(&diags, "Reading the provisioning source", err)
		return nil, diags
	}
	diags.Append(sourceWarnings(desired)...)
	diags.Append(changeWarnings(planned)...)
	return planned, diags
}

// guardDestroy applies max_deprovisions to a destroy that deprovisions everyone.
func (r *provisioningMappingResource) guardDestroy(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var state provisioningMappingModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || state.OnDestroy.ValueString() != onDestroyDeprovision {
		return
	}
	channel, diags := state.channel(ctx)
	resp.Diagnostics.Append(diags...)
	var guard *provisioning.GuardError
	if errors.As(provisioning.CheckDestroy(usersFrom(ctx, state.Users, &resp.Diagnostics), channel.Options), &guard) {
		addGuardError(&resp.Diagnostics, path.Root("on_destroy"), "Deprovisioning guard stopped the destroy", guard,
			"Set on_destroy = \"keep\" and apply to stop managing them without touching Concur, or raise max_deprovisions and apply before destroying.")
	}
}

// addGuardError reports a guard trip with the users it protects and what to do.
func addGuardError(diags *diag.Diagnostics, at path.Path, summary string, guard *provisioning.GuardError, advice string) {
	diags.AddAttributeError(at, summary,
		fmt.Sprintf("Nothing was changed: %s. The users it would deprovision: %s.\n\n%s", guard.Reason, listSome(guard.EmpIDs, listedEmpIDs), advice))
}

// sourceWarnings names the directory entries that could not be provisioned.
func sourceWarnings(desired provisioning.Desired) diag.Diagnostics {
	var diags diag.Diagnostics
	if len(desired.MissingEmpID) > 0 {
		diags.AddWarning("Directory entries without an emp_id",
			fmt.Sprintf("%s of the source rendered an empty emp_id and %s not provisioned: %s. Fill the directory attribute that emp_id is mapped from.",
				count(len(desired.MissingEmpID), "entry", "entries"), pick(len(desired.MissingEmpID), "is", "are"), listDNs(desired.MissingEmpID, listedEmpIDs)))
	}
	if len(desired.Unresolved) > 0 {
		diags.AddWarning("Group members that name no readable entry",
			fmt.Sprintf("The source group lists %s that the directory does not return: %s. They are users deleted from the directory "+
				"that the group still lists, or entries the bind account may not read; a managed user among them is deprovisioned. "+
				"If the bind account lacks read access, grant it before applying.",
				count(len(desired.Unresolved), "member", "members"), listDNs(desired.Unresolved, listedEmpIDs)))
	}
	if len(desired.DuplicateEmpIDs) > 0 {
		var lines []string
		for _, empID := range slices.Sorted(maps.Keys(desired.DuplicateEmpIDs)) {
			lines = append(lines, fmt.Sprintf("%s: %s", empID, strings.Join(desired.DuplicateEmpIDs[empID], "; ")))
		}
		diags.AddWarning("Directory entries sharing an emp_id",
			fmt.Sprintf("These emp_ids are rendered by more than one entry; none of those entries is provisioned until the directory is corrected:\n%s",
				listLines(lines)))
	}
	return diags
}

// changeWarnings is the plan's one-line summary, plus a note for each emp_id change.
func changeWarnings(plan *provisioning.Plan) diag.Diagnostics {
	var diags diag.Diagnostics
	var deprovisions, renames []string
	for _, change := range plan.Changes {
		switch change.Kind {
		case provisioning.ChangeRename:
			renames = append(renames, fmt.Sprintf("%s -> %s (%s)", change.PreviousEmpID, change.EmpID, change.DN))
		case provisioning.ChangeDisable, provisioning.ChangeDelete:
			deprovisions = append(deprovisions, fmt.Sprintf("%s %s: %s", change.Kind, change.EmpID, change.Reason))
		}
	}
	if len(plan.Changes) > 0 {
		detail := "Per-user changes are in the plan's users attribute."
		if len(deprovisions) > 0 {
			detail += "\n" + listLines(deprovisions)
		}
		if len(plan.SkippedDisabled) > 0 {
			detail += "\nnot provisioned, disabled in the directory (provision_disabled_users is off): " + listSome(plan.SkippedDisabled, listedEmpIDs)
		}
		diags.AddWarning("Provisioning: "+plan.Summary(), detail)
	}
	if len(plan.Invalid) > 0 {
		lines := make([]string, 0, len(plan.Invalid))
		for _, invalid := range plan.Invalid {
			lines = append(lines, fmt.Sprintf("%s (%s): %s", invalid.EmpID, invalid.DN, invalid.Reason))
		}
		diags.AddWarning("Directory users with values Concur would refuse",
			"These users are neither created nor changed (a managed one keeps its current Concur values) until the directory is corrected:\n"+
				listLines(lines))
	}
	if len(plan.UnknownManagers) > 0 {
		lines := make([]string, 0, len(plan.UnknownManagers))
		for _, manager := range slices.Sorted(maps.Keys(plan.UnknownManagers)) {
			lines = append(lines, fmt.Sprintf("%s, manager of %s", manager, listSome(plan.UnknownManagers[manager], listedEmpIDs)))
		}
		diags.AddWarning("Managers that are not in Concur",
			"These manager emp_ids are neither Concur users nor provisioned by this channel, so writing the users who name them "+
				"will fail at apply. Create the managers in Concur (or bring them into the source), or fix the manager mapping:\n"+listLines(lines))
	}
	if len(renames) > 0 {
		diags.AddWarning("Employee IDs changed in the directory",
			"These directory entries now carry a different emp_id; the same Concur users are updated in place, not disabled and recreated:\n"+
				listLines(renames))
	}
	return diags
}

// addApplyErrors reports an apply that could not start (err), or every user that failed with
// Concur's reason after what happened to the others (done).
func addApplyErrors(diags *diag.Diagnostics, action string, err error, failures []provisioning.Failure, done string) {
	if err != nil {
		diags.AddError(fmt.Sprintf("Could not %s the channel's users", action),
			fmt.Sprintf("Nothing was changed: %s. Check that Concur is reachable and the credentials are valid, then run the same command again.", err))
		return
	}
	if len(failures) == 0 {
		return
	}
	lines := make([]string, 0, len(failures))
	for _, failure := range failures {
		lines = append(lines, failure.Error())
	}
	diags.AddError(fmt.Sprintf("Could not %s %s", action, count(len(failures), "user", "users")), done+"\n"+strings.Join(lines, "\n"))
}

func (m provisioningMappingModel) isKnown() bool {
	return m.Source != nil && knownValues(m.Source.GroupDN, m.Source.Filter, m.Source.BaseDN, m.Source.Scope, m.Source.DisabledFilter) &&
		!m.Source.Nested.IsUnknown() && !m.AttributeMapping.IsUnknown() && !m.CreateOnlyAttributes.IsUnknown() &&
		!m.ProvisionDisabledUsers.IsUnknown() && !m.DeprovisionAction.IsUnknown() && !m.MaxDeprovisions.IsUnknown() && !m.AllowEmptySource.IsUnknown()
}

func (s mappingSourceModel) toSource() provisioning.Source {
	return provisioning.Source{
		GroupDN:        s.GroupDN.ValueString(),
		Nested:         s.Nested.ValueBool(),
		Filter:         s.Filter.ValueString(),
		BaseDN:         s.BaseDN.ValueString(),
		Scope:          directory.Scope(s.Scope.ValueString()),
		DisabledFilter: s.DisabledFilter.ValueString(),
	}
}

func (m provisioningMappingModel) channel(ctx context.Context) (provisioning.Channel, diag.Diagnostics) {
	mapping, diags := m.compileMapping(ctx)
	return provisioning.Channel{
		Source:  m.Source.toSource(),
		Mapping: mapping,
		Options: provisioning.Options{
			ProvisionDisabledUsers: m.ProvisionDisabledUsers.ValueBool(),
			DeprovisionAction:      provisioning.DeprovisionAction(m.DeprovisionAction.ValueString()),
			MaxDeprovisions:        int(m.MaxDeprovisions.ValueInt64()),
			AllowEmptySource:       m.AllowEmptySource.ValueBool(),
		},
	}, diags
}

// compileMapping compiles the attribute mapping, reporting each problem on its key.
func (m provisioningMappingModel) compileMapping(ctx context.Context) (*provisioning.Mapping, diag.Diagnostics) {
	var diags diag.Diagnostics
	templates := map[string]string{}
	var createOnly []string
	diags.Append(m.AttributeMapping.ElementsAs(ctx, &templates, false)...)
	if !m.CreateOnlyAttributes.IsNull() {
		diags.Append(m.CreateOnlyAttributes.ElementsAs(ctx, &createOnly, false)...)
	}
	if diags.HasError() {
		return nil, diags
	}
	mapping, err := provisioning.CompileMapping(templates, createOnly)
	for _, problem := range mappingProblems(err) {
		diags.AddAttributeError(path.Root("attribute_mapping").AtMapKey(problem.Key), "Invalid attribute mapping", problem.Error())
	}
	return mapping, diags
}

func mappingProblems(err error) []*provisioning.MappingError {
	if err == nil {
		return nil
	}
	var problems []*provisioning.MappingError
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		for _, e := range joined.Unwrap() {
			var problem *provisioning.MappingError
			if errors.As(e, &problem) {
				problems = append(problems, problem)
			}
		}
	}
	if len(problems) == 0 {
		problems = append(problems, &provisioning.MappingError{Key: "", Reason: err.Error()})
	}
	return problems
}

// usersFrom converts the users attribute to the engine's type; an unknown or null map is empty.
func usersFrom(ctx context.Context, value types.Map, diags *diag.Diagnostics) map[string]provisioning.ManagedUser {
	users := map[string]provisioning.ManagedUser{}
	if value.IsNull() || value.IsUnknown() {
		return users
	}
	var models map[string]managedUserModel
	diags.Append(value.ElementsAs(ctx, &models, false)...)
	for empID, model := range models {
		attributes := make(map[string]string, len(model.Attributes))
		for key, v := range model.Attributes {
			attributes[key] = v.ValueString()
		}
		users[empID] = provisioning.ManagedUser{
			EmpID: empID, ID: model.ID.ValueString(), EntryID: model.EntryID.ValueString(), DN: model.DN.ValueString(), Active: model.Active.ValueBool(), Attributes: attributes,
		}
	}
	return users
}

// usersValue converts the engine's users to the users attribute; a user not created yet has an
// unknown id.
func usersValue(ctx context.Context, users map[string]provisioning.ManagedUser) (types.Map, diag.Diagnostics) {
	models := make(map[string]managedUserModel, len(users))
	for empID, user := range users {
		id := types.StringValue(user.ID)
		if user.ID == "" {
			id = types.StringUnknown()
		}
		attributes := make(map[string]types.String, len(user.Attributes))
		for key, v := range user.Attributes {
			attributes[key] = types.StringValue(v)
		}
		models[empID] = managedUserModel{ID: id, EntryID: types.StringValue(user.EntryID), DN: types.StringValue(user.DN), Active: types.BoolValue(user.Active), Attributes: attributes}
	}
	return types.MapValueFrom(ctx, managedUserType, models)
}

func knownValues(values ...types.String) bool {
	for _, v := range values {
		if v.IsUnknown() {
			return false
		}
	}
	return true
}

func newChannelID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func isConcurError(err error) bool {
	var apiError *concur.APIError
	return errors.As(err, &apiError)
}
