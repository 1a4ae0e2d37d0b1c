package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
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
	_ resource.ResourceWithValidateConfig = &provisioningMappingResource{}
)

const (
	mappingTypeName = providerTypeName + "_provisioning_mapping"
	// listedEmpIDs is how many emp_ids a diagnostic names before it says how many more.
	listedEmpIDs = 10
)

type provisioningMappingResource struct {
	data *providerData
}

// NewProvisioningMappingResource is the factory for concur_provisioning_mapping.
func NewProvisioningMappingResource() resource.Resource { return &provisioningMappingResource{} }

func (r *provisioningMappingResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = mappingTypeName
}

func (r *provisioningMappingResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		// Version 1 spells the deprovision action "deactivate" where version 0 wrote "disable";
		// version 2 keeps the directory entries as private data; version 3 holds each user as one
		// JSON string, and the Concur ids apart (see mappingUpgrades).
		Version: 3,
		MarkdownDescription: "A provisioning channel: keeps the users of a directory source (a group, or an LDAP filter) " +
			"in step with Concur through an attribute mapping. Every plan reads the directory and shows, per user keyed by " +
			"`emp_id`, who is created (or linked to an existing Concur account with the same employee ID), which attribute " +
			"changes, and who is deactivated. A guard stops plans that would deprovision more users than `max_deprovisions`, " +
			"or everyone when the source suddenly returns nobody. Needs the provider's `directory` block. " +
			"An apply writes a round of " + fmt.Sprint(provisioning.BulkMinimumWrites) + " or more creates and updates with a Spend or Travel profile, or " +
			fmt.Sprint(provisioning.BulkMinimumIdentityWrites) + " or more of the identity alone (such as an initial load), through Concur's " +
			"bulk API (`/profile/v4/Bulk`, 100 users a request), where Concur's wait of at least 5 s for the result is quicker than writing one by one; " +
			"it needs the Concur app's scope `" + concur.ScopeProvisionWrite + "`; " +
			"without it they are written one by one, with a warning. Either way a user Concur refuses is named with Concur's reason " +
			"and retried alone at the next apply, and the others are recorded.",
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
					"ever written or compared; a mapped attribute that becomes empty in the directory is cleared in Concur. " +
					"The Spend and Travel keys (described, with Concur's rules, on `concur_user`) are written through the User " +
					"Provisioning Service and read back only when the mapping holds one; an approver without the spend role of its " +
					"approval is named at plan and held back while the user's other changes are made.",
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
				Default:             booldefault.StaticBool(provisioning.DefaultProvisionDisabledUsers),
			},
			"deprovision_action": schema.StringAttribute{
				MarkdownDescription: "What happens to a managed user who is deleted from the directory, disabled there, or leaves the source: `deactivate` (the default) sets `active = false` and keeps the user and its data, still managed, so they are reactivated if they come back; `delete` hard-deletes the user, which Concur allows only for users without transactions. `disable` is the deprecated spelling of `deactivate`, accepted until 1.0.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(string(provisioning.DefaultDeprovisionAction)),
				Validators: []validator.String{stringvalidator.OneOf(
					string(provisioning.DeprovisionDeactivate), string(provisioning.DeprovisionDelete), provisioning.DeprovisionDisableDeprecated)},
			},
			"max_deprovisions": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("The most users one plan may deactivate or delete. A plan over the limit fails and names the first emp_ids, so a broken filter or group cannot deactivate the company. Defaults to `%d`.", provisioning.DefaultMaxDeprovisions),
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(provisioning.DefaultMaxDeprovisions),
				Validators:          []validator.Int64{int64validator.AtLeast(0)},
			},
			"allow_empty_source": schema.BoolAttribute{
				MarkdownDescription: "Whether a source that returns no entries at all may deprovision every managed user. When `false` (the default), such a plan fails: an empty result is far more often a directory outage or a wrong DN than a real departure of everyone.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(provisioning.DefaultAllowEmptySource),
			},
			"on_destroy": schema.StringAttribute{
				MarkdownDescription: "What destroying this resource does: `keep` (the default) stops managing the users and touches nobody in Concur, which also makes a replacement of the resource safe; `deprovision` applies `deprovision_action` to every managed user, within `max_deprovisions`.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(string(provisioning.DefaultOnDestroy)),
				Validators:          []validator.String{stringvalidator.OneOf(string(provisioning.OnDestroyKeep), string(provisioning.OnDestroyDeprovision))},
			},
			"take_over_from": schema.StringAttribute{
				MarkdownDescription: "The name of another configuration's owner whose people this channel takes over. Without it, a person " +
					"whose Concur account carries another owner's marker is left alone and named in the plan as managed elsewhere. " +
					"With it, the plan links the accounts that owner's marker names, rewrites their marker to the provider's `owner` " +
					"(which must be set), and says whom it takes over; the previous owner's next plan drops them without writing to them. " +
					"Remove the argument once the take-over is applied.",
				Optional:   true,
				Validators: []validator.String{ownerRule},
			},
			attrUsers: schema.MapAttribute{
				MarkdownDescription: "The users this channel manages, keyed by `emp_id`, as the plan leaves them: each a JSON object with `active` " +
					"(whether the user is active in Concur) and `attributes` (the mapped Concur attributes and their values; an empty string " +
					"is an empty attribute). The plan shows each value that changes inside it. `emp_id` is the key, so it appears among the " +
					"attributes only while Concur holds another value: the plan then shows it removed, which puts the key's value back. Read " +
					"a user with `jsondecode(concur_provisioning_mapping.<name>.users[\"<emp_id>\"])`. One string per user, rather than a " +
					"value per field, keeps every Terraform command on a company of users quick. The directory entry each user comes from is " +
					"kept with the state as private data, out of the plan.",
				Computed:    true,
				ElementType: types.StringType,
			},
			attrIDs: schema.MapAttribute{
				MarkdownDescription: "The Concur user UUID of each user in `users`, keyed by `emp_id`; known after apply for a user the apply creates.",
				Computed:            true,
				ElementType:         types.StringType,
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
	if config.DeprovisionAction.ValueString() == provisioning.DeprovisionDisableDeprecated {
		resp.Diagnostics.AddAttributeWarning(path.Root("deprovision_action"), "Deprecated deprovision_action",
			`deprovision_action = "disable" is deprecated: write deactivate; same behaviour. "disable" is accepted until 1.0.`)
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

// The framework never calls these four: server.go serves every call that carries a channel's
// state itself (see mappingServer). They exist because a framework resource must have them.

func (r *provisioningMappingResource) Create(_ context.Context, _ resource.CreateRequest, resp *resource.CreateResponse) {
	resp.Diagnostics.Append(servedElsewhere())
}

func (r *provisioningMappingResource) Read(_ context.Context, _ resource.ReadRequest, resp *resource.ReadResponse) {
	resp.Diagnostics.Append(servedElsewhere())
}

func (r *provisioningMappingResource) Update(_ context.Context, _ resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.Append(servedElsewhere())
}

func (r *provisioningMappingResource) Delete(_ context.Context, _ resource.DeleteRequest, resp *resource.DeleteResponse) {
	resp.Diagnostics.Append(servedElsewhere())
}

func servedElsewhere() diag.Diagnostic {
	return diag.NewErrorDiagnostic("Provider served without its protocol layer",
		"concur_provisioning_mapping is served by the provider's own server (provider.NewServer), which this run bypassed. This is a bug in how the provider was started; please report it.")
}

// refreshUsers reads the managed users back from Concur.
func (r *provisioningMappingResource) refreshUsers(ctx context.Context, state provisioningMappingModel, managed map[string]provisioning.ManagedUser) (map[string]provisioning.ManagedUser, diag.Diagnostics) {
	var diags diag.Diagnostics
	mapping, _ := state.compileMapping(ctx) // a mapping state cannot compile refreshes the recorded attributes
	refreshed, err := provisioning.Refresh(ctx, r.data.client, managed, mapping, r.data.owner)
	if err != nil {
		diags.AddError("Error refreshing provisioned users",
			fmt.Sprintf("Reading the channel's users back from Concur failed: %s. Nothing was changed; check that Concur is reachable and the credentials are valid, then plan again.", err))
		return nil, diags
	}
	r.data.warnIfTokenRotated(&diags)
	r.recoverEntries(ctx, &diags, state, refreshed)
	return refreshed, diags
}

// recoverEntries fills in the entries of users recorded without one (state of schema version 1),
// so that the refreshed state, which even an apply without changes records, keeps them. It
// fails nothing: without the directory the users keep no entry until it answers.
func (r *provisioningMappingResource) recoverEntries(ctx context.Context, diags *diag.Diagnostics, state provisioningMappingModel, users map[string]provisioning.ManagedUser) {
	if r.data.directory == nil || state.Source == nil || !provisioning.LackEntries(users) {
		return // nothing to recover, and no mapping to compile on every refresh
	}
	channel, channelDiags := state.channel(ctx)
	if channelDiags.HasError() {
		return
	}
	if _, err := provisioning.RecoverEntries(ctx, r.data.directory, channel, users); err != nil {
		diags.AddWarning("Directory entries not recovered",
			fmt.Sprintf("The channel's users recorded by an earlier version of the provider have no directory entry in state, and reading them from the directory failed: %s. "+
				"Until they are read, an emp_id change is recognised by the login ID alone. They are read again at the next refresh.", err))
	}
}

// applyUsers carries out the planned users (the plan is the contract) and returns every user to
// record: those that succeeded as planned, failures as they were, so the next apply retries only
// them. Planned users that were unknown (the directory settings were unknown at plan time) are
// planned now. A nil result means nothing was attempted.
func (r *provisioningMappingResource) applyUsers(ctx context.Context, model provisioningMappingModel, planned map[string]provisioning.ManagedUser, plannedUnknown bool, prior map[string]provisioning.ManagedUser) (map[string]provisioning.ManagedUser, diag.Diagnostics) {
	var diags diag.Diagnostics
	if plannedUnknown {
		plan, planDiags := r.planUsers(ctx, model, prior)
		diags.Append(planDiags...)
		if diags.HasError() {
			return nil, diags
		}
		planned = plan.Users
	}
	own := provisioning.Ownership{Owner: r.data.owner, TakeOverFrom: model.TakeOverFrom.ValueString()}
	recorded, failures, err := provisioning.Apply(ctx, r.data.client, prior, planned, own,
		provisioning.WarnWith(func(w provisioning.Warning) { diags.AddWarning(w.Summary, w.Detail) }))
	addApplyErrors(&diags, "provision", err, failures,
		"The users not listed here succeeded and are recorded in state; apply again to retry only these:")
	r.data.warnIfTokenRotated(&diags)
	return recorded, diags
}

// destroyUsers destroys the channel as its on_destroy says. kept says the channel must stay,
// recording the users as they are now, because some could not be deprovisioned.
func (r *provisioningMappingResource) destroyUsers(ctx context.Context, state provisioningMappingModel, managed map[string]provisioning.ManagedUser) (recorded map[string]provisioning.ManagedUser, kept bool, diags diag.Diagnostics) {
	opts := state.options()
	opts.Ownership.Owner = r.data.owner
	destroyed, err := provisioning.Destroy(ctx, r.data.client, managed, opts)
	diags.Append(destroySkippedWarning(destroyed.Skipped, opts.DeprovisionAction)...)
	if !destroyed.Kept {
		r.data.warnIfTokenRotated(&diags)
		return nil, false, diags
	}
	addApplyErrors(&diags, "deprovision", err, destroyed.Failures,
		"The channel is kept; the users not listed here are deprovisioned and recorded. Run destroy again to retry only these:")
	return destroyed.Users, true, diags
}

// planUsers reads the directory and plans the channel that model (the Terraform side) describes,
// returning the engine's plan and turning guard trips and source problems into diagnostics.
func (r *provisioningMappingResource) planUsers(ctx context.Context, model provisioningMappingModel, managed map[string]provisioning.ManagedUser) (*provisioning.Plan, diag.Diagnostics) {
	var diags diag.Diagnostics
	dir := r.data.directoryClient(&diags, "concur_provisioning_mapping")
	channel, channelDiags := model.channel(ctx)
	channel.Options.Ownership.Owner = r.data.owner
	diags.Append(channelDiags...)
	if diags.HasError() {
		return nil, diags
	}

	plan, desired, err := provisioning.PlanChannel(ctx, r.data.client, dir, channel, managed)
	var guard *provisioning.GuardError
	var refused *provisioning.OwnershipError
	switch {
	case errors.As(err, &refused):
		diags.Append(ownershipSettingError(refused))
		return nil, diags
	case errors.As(err, &guard):
		attribute, advice := "max_deprovisions", "If the source or the directory is wrong, fix it and plan again. If these departures are real, raise max_deprovisions for this run."
		if guard.Kind == provisioning.GuardEmptySource {
			attribute, advice = "allow_empty_source", "If the source or the directory is wrong (a renamed group, a filter that matches nothing, an outage), fix it and plan again. "+
				"If the channel really should have no users, set allow_empty_source = true for this run."
		}
		addGuardError(&diags, path.Root(attribute), "Deprovisioning guard stopped the plan", guard, advice)
		return nil, diags
	case isConcurError(err):
		diags.AddError("Error planning the provisioning channel", fmt.Sprintf("Concur could not be searched for the source's users: %s", err))
		return nil, diags
	case err != nil:
		addDirectoryError(&diags, "Reading the provisioning source", err)
		return nil, diags
	}
	r.data.claim(&diags, path.Root("source"), channelOwner(model), plan.Claimed())
	if diags.HasError() {
		return nil, diags
	}
	diags.Append(sourceWarnings(desired)...)
	diags.Append(changeWarnings(plan)...)
	diags.Append(empIDConflictWarnings(plan)...)
	diags.Append(ownershipWarnings(plan, r.data.owner)...)
	return plan, diags
}

// guardDestroy applies max_deprovisions to a destroy that deprovisions everyone.
func guardDestroy(state provisioningMappingModel, managed map[string]provisioning.ManagedUser) diag.Diagnostics {
	var diags diag.Diagnostics
	var guard *provisioning.GuardError
	if errors.As(provisioning.CheckDestroy(managed, state.options()), &guard) {
		addGuardError(&diags, path.Root("on_destroy"), "Deprovisioning guard stopped the destroy", guard,
			"Set on_destroy = \"keep\" and apply to stop managing them without touching Concur, or raise max_deprovisions and apply before destroying.")
	}
	return diags
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
