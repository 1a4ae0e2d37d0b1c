package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
	"github.com/terraform-concur/terraform-provider-concur/internal/provisioning"
)

var (
	_ resource.ResourceWithConfigure        = &userResource{}
	_ resource.ResourceWithImportState      = &userResource{}
	_ resource.ResourceWithConfigValidators = &userResource{}
	_ resource.ResourceWithIdentity         = &userResource{}
	_ resource.ResourceWithModifyPlan       = &userResource{}
)

type userResource struct {
	data *providerData
}

const userTypeName = providerTypeName + "_user"

// NewUserResource is the factory for concur_user.
func NewUserResource() resource.Resource { return &userResource{} }

type userResourceModel struct {
	userAttributes
	DeletionMode types.String `tfsdk:"deletion_mode"`
	TakeOverFrom types.String `tfsdk:"take_over_from"`
}

// userIdentityModel is the resource identity (Terraform 1.12 and later): the emp_id, with the
// Concur id the provider fills in.
type userIdentityModel struct {
	EmpID types.String `tfsdk:"emp_id"`
	ID    types.String `tfsdk:"id"`
}

func (m userResourceModel) identity() userIdentityModel {
	return userIdentityModel{EmpID: m.EmpID, ID: m.ID}
}

func (r *userResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = userTypeName
	// An emp_id changed in the configuration is updated in place, and the identity with it.
	resp.ResourceBehavior.MutableIdentity = true
}

func (r *userResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"emp_id": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "The user's employee ID, as in the emp_id argument: what an import block's identity names.",
			},
			"id": identityschema.StringAttribute{
				OptionalForImport: true,
				Description:       "The Concur user UUID, filled in by the provider; leave it out when importing.",
			},
		},
	}
}

func (r *userResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attributes := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: idDescription,
			Computed:            true,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"display_name": schema.StringAttribute{
			MarkdownDescription: displayNameDescription,
			Computed:            true,
			PlanModifiers:       []planmodifier.String{displayNameFollowsNames{}},
		},
		"active": schema.BoolAttribute{
			MarkdownDescription: activeDescription + " Defaults to `true`.",
			Optional:            true,
			Computed:            true,
			Default:             booldefault.StaticBool(true),
		},
		"deletion_mode": schema.StringAttribute{
			MarkdownDescription: "What destroying this resource does in Concur: `deactivate` (the default) sets " +
				"`active = false` and keeps the user and its data; `delete` hard-deletes the user, which Concur " +
				"allows only for users without transactions and only with the `identity.user.delete` scope.",
			Optional:   true,
			Computed:   true,
			Default:    stringdefault.StaticString(string(provisioning.Deactivate)),
			Validators: []validator.String{stringvalidator.OneOf(string(provisioning.Deactivate), string(provisioning.Delete))},
		},
		"take_over_from": schema.StringAttribute{
			MarkdownDescription: "The name of another configuration's owner whose marker this user's Concur account may carry. " +
				"Without it, an account whose `externalId` marker names another owner is left alone: the plan says it is managed " +
				"elsewhere and fails if it would change the account, and destroying the resource does not deactivate it. " +
				"With it, the plan rewrites the marker to the provider's `owner` (which must be set) and says that it takes the " +
				"account over. Importing a user takes it over too, from whichever owner its marker names, when the provider's " +
				"`owner` is set. Remove the argument once the take-over is applied.",
			Optional:   true,
			Validators: []validator.String{ownerRule},
		},
	}
	for _, a := range provisioning.Attributes {
		attributes[a.Name] = userArgument(a)
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages one SAP Concur user, keyed on its employee ID (`emp_id`). " +
			"Creating a user whose `emp_id` already exists in Concur fails and names the import to use instead. " +
			"Destroying the resource deactivates the user (`active = false`) unless `deletion_mode = \"delete\"`.",
		Attributes: attributes,
	}
}

// userArgument is the concur_user argument of a catalogue attribute. A required one is refused
// empty also where Concur's rule alone would accept "" (names); an optional one is omitted, not
// set empty, to leave it empty in Concur; one Concur defaults keeps Concur's value when omitted.
func userArgument(a provisioning.Attribute) schema.StringAttribute {
	rule := stringRule{a.Rule.What, a.Rule.Check}
	argument := schema.StringAttribute{MarkdownDescription: a.Description}
	if a.IgnoreCase {
		argument.CustomType = caseInsensitiveStringType{}
	}
	switch {
	case a.Name == provisioning.MarkerAttribute:
		// Computed: with the provider's owner set, the plan fills in the owner marker.
		argument.MarkdownDescription += " When the provider's `owner` is set, the provider writes the owner marker `" +
			provisioning.Marker("<owner>", "<emp_id>") + "` here and the argument must not be set. Otherwise, when it is omitted, " +
			"the provider keeps the value the account holds (another system's id is never cleared)."
		argument.Optional, argument.Computed = true, true
		argument.Validators = []validator.String{stringvalidator.LengthAtLeast(1), rule}
	case a.Required:
		argument.Required = true
		argument.Validators = []validator.String{rule}
		if a.Rule.Check("") == nil {
			argument.Validators = []validator.String{stringvalidator.LengthAtLeast(1), rule}
		}
	case a.ServerDefault:
		argument.Optional, argument.Computed = true, true
		argument.Validators = []validator.String{rule}
		argument.PlanModifiers = []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	default:
		argument.MarkdownDescription += " Omit it to leave the attribute empty in Concur."
		argument.Optional = true
		argument.Validators = []validator.String{stringvalidator.LengthAtLeast(1), rule}
	}
	return argument
}

func (r *userResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{userDatesInOrder{}, notOwnManager{}, completeProfiles{}}
}

func (r *userResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, diags := providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	r.data = data
}

func (r *userResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan userResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}

	created, err := provisioning.CreateUser(ctx, r.data.client, plan.toConcur())
	if existing, ok := provisioning.IsExistingUser(err); ok {
		addExistingUserError(&resp.Diagnostics, existing.EmpID, existing.ID, "")
		return
	}
	var failed *concur.ExtensionError
	if errors.As(err, &failed) && created != nil {
		// A create that ends in an error, or in state other than planned, taints the resource, and
		// replacing it could only fail on the emp_id it now holds. So the user is recorded as
		// planned, with a warning: the next refresh reads what Concur holds, and the plan shows
		// the attributes that failed as the changes still to make.
		addExtensionFailure(&resp.Diagnostics, failed, plan.heldAttributes(), true)
		planned := plan.toConcur()
		for _, name := range provisioning.ProfileAttributes(failed, plan.heldAttributes()) {
			provisioning.SetUserAttribute(created, name, provisioning.UserAttribute(&planned, name))
		}
		err = nil
	}
	if err != nil {
		resp.Diagnostics.AddError("Error creating Concur user", fmt.Sprintf("Creating the user with emp_id %q failed: %s%s", plan.EmpID.ValueString(), err, concurAdvice(err, scopeUserWrite)))
		return
	}

	plan.userAttributes = userAttributesFrom(created)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateImportTakesOverFrom, nil)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, plan, &resp.Diagnostics)
	r.data.warnIfTokenRotated(&resp.Diagnostics)
}

// ModifyPlan checks the plan against the other owners of the person. Within the configuration,
// the Claims registry refuses a channel that provisions the same emp_id, including while this
// resource is destroyed (its destroy would deactivate the account the channel provisions).
// Across configurations, the owner marker in externalId decides (see provisioning.Ownership): the
// plan writes this configuration's marker, takes an account over only when asked, and leaves one
// managed elsewhere alone.
//
// A plan that creates a user finds the Concur account that already holds its emp_id: typically
// one an earlier apply created before it stopped without recording it in state. That is an error
// at plan, not a warning: the create would fail at apply all the same, after the other changes of
// that apply were made, and the import is the one thing to do. Plans of many users share their
// look-ups (LookUpEmployeeNumber batches them).
//
// An emp_id known only at apply is checked then: Terraform plans the resource again in the apply,
// with the value known, before it creates it, and a channel that creates people in that apply is
// planned again too.
func (r *userResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil {
		return
	}
	if req.Plan.Raw.IsNull() {
		var state userResourceModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if !resp.Diagnostics.HasError() {
			r.data.claim(&resp.Diagnostics, path.Empty(), destroyedUserOwner(state.EmpID.ValueString()), []string{state.EmpID.ValueString()})
		}
		return
	}
	var plan, config userResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	own := provisioning.Ownership{Owner: r.data.owner, TakeOverFrom: plan.TakeOverFrom.ValueString()}
	if err := own.Check(!config.ExternalID.IsNull()); err != nil {
		var refused *provisioning.OwnershipError
		if errors.As(err, &refused) {
			resp.Diagnostics.AddAttributeError(path.Root(refused.Attribute), "Conflicting ownership settings", refused.Reason+".")
			return
		}
	}
	empID := plan.EmpID
	if empID.IsUnknown() || empID.IsNull() || concur.CheckEmployeeNumber(empID.ValueString()) != nil {
		if r.data.owner != "" {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("external_id"), types.StringUnknown())...)
		}
		return // known at apply only, or refused by the emp_id validator
	}
	r.data.claim(&resp.Diagnostics, path.Root("emp_id"), userOwner(empID.ValueString()), []string{empID.ValueString()})
	var configured *string
	if !config.ExternalID.IsNull() {
		value := config.ExternalID.ValueString()
		configured = &value
	}
	if req.State.Raw.IsNull() {
		r.checkNew(ctx, empID.ValueString(), &resp.Diagnostics)
		decision := own.PlanUser(empID.ValueString(), nil, plan.toConcur(), configured)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("external_id"), plannedExternalID(decision))...)
		return
	}
	keepCreateOnly(ctx, req, resp)
	var state userResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if own.TakeOverFrom == "" {
		imported, diags := req.Private.GetKey(ctx, privateImportTakesOverFrom)
		resp.Diagnostics.Append(diags...)
		if len(imported) > 0 {
			if err := json.Unmarshal(imported, &own.TakeOverFrom); err != nil {
				resp.Diagnostics.AddError("Unreadable private state", fmt.Sprintf("The owner an import takes emp_id %q over from is unreadable (%s). Import the user again.", empID.ValueString(), err))
				return
			}
		}
	}
	current := state.toConcur()
	decision := own.PlanUser(empID.ValueString(), &current, plan.toConcur(), configured)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("external_id"), plannedExternalID(decision))...)
	switch id, markedBy := state.ID.ValueString(), decision.MarkedBy; {
	case decision.Refused:
		resp.Diagnostics.AddAttributeError(path.Root("emp_id"), "Concur user managed elsewhere", fmt.Sprintf(
			"Nothing was changed: the Concur account %s (emp_id %q) carries the owner marker of owner %q, another configuration, "+
				"so this concur_user does not write to it. %s", id, empID.ValueString(), markedBy, userElsewhereAdvice(markedBy)))
	case decision.Status == provisioning.AccountElsewhere:
		resp.Diagnostics.AddAttributeWarning(path.Root("emp_id"), "Concur user managed elsewhere", fmt.Sprintf(
			"The Concur account %s (emp_id %q) carries the owner marker of owner %q, another configuration: this concur_user "+
				"writes nothing to it, and destroying it leaves the account as it is. %s", id, empID.ValueString(), markedBy, userElsewhereAdvice(markedBy)))
	case decision.Status == provisioning.AccountTakenOver:
		resp.Diagnostics.AddAttributeWarning(path.Root("emp_id"), "Taking over a Concur user", fmt.Sprintf(
			"The Concur account %s (emp_id %q) carries the owner marker of owner %q; this plan takes it over and rewrites the marker to owner %q. "+
				"Remove the account from %q's configuration too.", id, empID.ValueString(), markedBy, own.Owner, markedBy))
	case decision.Unmarkable:
		resp.Diagnostics.Append(unmarkableWarning([]string{empID.ValueString()}))
	}
}

// plannedExternalID is the engine's decision as the plan's external_id.
func plannedExternalID(decision provisioning.UserDecision) types.String {
	if !decision.Set {
		return types.StringNull()
	}
	return types.StringValue(decision.ExternalID)
}

func userElsewhereAdvice(owner string) string {
	return fmt.Sprintf("Leave the person to owner %q and remove this resource with a removed block and lifecycle { destroy = false }, "+
		"or take the account over with take_over_from = %q (the provider's owner must be set).", owner, owner)
}

// checkNew fails the plan of a new user whose emp_id a Concur account already holds.
func (r *userResource) checkNew(ctx context.Context, empID string, diags *diag.Diagnostics) {
	existing, err := r.data.client.LookUpEmployeeNumber(ctx, empID)
	if err != nil {
		diags.AddAttributeError(path.Root("emp_id"), "Could not check for an existing Concur user",
			fmt.Sprintf("Looking Concur up for a user with emp_id %q failed: %s%s", empID, err, concurAdvice(err, scopesUserRead...)))
		return
	}
	if existing == nil {
		return
	}
	cause := " It may have been created by an earlier apply that stopped before Terraform recorded it."
	if markedBy, elsewhere := provisioning.MarkedByAnother(r.data.owner, existing.ExternalID); elsewhere {
		cause = fmt.Sprintf(" It carries the owner marker of owner %q, another configuration, which manages it: importing it takes it over"+
			" (when the provider's owner is set), so do that only if this configuration is to manage the person from now on.", markedBy)
	}
	addExistingUserError(diags, existing.EmployeeNumber, existing.ID, cause)
}

// privateImportTakesOverFrom is the key of the private state that records, from the import until
// the next apply, which owner's marker the imported account carried: an import takes it over.
const (
	privateImporting           = "importing"
	privateImportTakesOverFrom = "import_takes_over_from"
)

// addExtensionFailure reports the profile extensions Concur did not save for a user whose identity
// it saved, at the first of their attributes, naming them all; as a warning after a create (see
// Create), else as an error.
func addExtensionFailure(diags *diag.Diagnostics, failed *concur.ExtensionError, held []string, created bool) {
	names := provisioning.ProfileAttributes(failed, held)
	at := path.Root("emp_id")
	if len(names) > 0 {
		at = path.Root(names[0])
	}
	if created {
		diags.AddAttributeWarning(at, "Concur user created without part of its profile", fmt.Sprintf("%s.\n\nThe attributes not saved: %s. "+
			"The next plan reads them from Concur and shows them as changes; the next apply sends only them.", failed, strings.Join(names, ", ")))
		return
	}
	diags.AddAttributeError(at, "Concur user updated without part of its profile", fmt.Sprintf("%s.\n\nThe attributes not saved: %s. "+
		"Terraform records them as Concur holds them, so the next plan shows them as changes and the next apply sends only them.", failed, strings.Join(names, ", ")))
}

// addExistingUserError says that creating the user would duplicate the account id holding its
// emp_id, and names the import to use instead.
func addExistingUserError(diags *diag.Diagnostics, empID, id, cause string) {
	diags.AddAttributeError(path.Root("emp_id"), "Concur user already exists",
		fmt.Sprintf("A Concur user with emp_id %q already exists (id %s), so this resource cannot create it.%s "+
			"Import it into this resource instead, with an import block:\n\n"+
			"  import {\n    to = <address of this resource>\n    id = %q\n  }\n\n"+
			"or with: terraform import <address of this resource> %s",
			empID, id, cause, empID, empID))
}

func (r *userResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state userResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}

	user, diags := r.readAccount(ctx, state.ID.ValueString(), state.EmpID.ValueString(), state.heldAttributes())
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	if user == nil {
		// Deleted outside Terraform: forget it, so the next plan creates it again. The framework
		// wants an identity even for a removed resource, which a Terraform older than 1.12 never
		// sends: give it the one the user had.
		setIdentity(ctx, resp.Identity, state, &resp.Diagnostics)
		resp.State.RemoveResource(ctx)
		return
	}

	state.userAttributes = userAttributesFrom(user)
	r.noteImportTakeOver(ctx, req.Private, resp.Private, user, &resp.Diagnostics)
	if state.DeletionMode.IsNull() {
		state.DeletionMode = types.StringValue(string(provisioning.Deactivate))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	setIdentity(ctx, resp.Identity, state, &resp.Diagnostics)
	r.data.warnIfTokenRotated(&resp.Diagnostics)
}

// readAccount reads the account of a concur_user, with the profiles that held names attributes
// of: by its id, or by its emp_id when importing (id ""). It is nil, without error, when Concur no
// longer has the account.
func (r *userResource) readAccount(ctx context.Context, id, empID string, held []string) (*concur.User, diag.Diagnostics) {
	var diags diag.Diagnostics
	user, err := provisioning.ReadUser(ctx, r.data.client, id, empID, held)
	switch {
	case concur.IsNotFound(err) && id == "":
		diags.AddAttributeError(path.Root("emp_id"), "Concur user not found",
			fmt.Sprintf("No Concur user has emp_id %q, so there is nothing to import. Check the ID; the concur_users data source lists the users that exist.", empID))
	case concur.IsNotFound(err):
		return nil, diags
	case err != nil:
		diags.AddError("Error reading Concur user", fmt.Sprintf("Reading the user with emp_id %q failed: %s%s", empID, err, concurAdvice(err, scopesUserRead...)))
	}
	return user, diags
}

func (r *userResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state userResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}

	from := state.toConcur()
	if newlyHeld := slices.DeleteFunc(plan.heldAttributes(), func(name string) bool { return slices.Contains(state.heldAttributes(), name) }); len(newlyHeld) > 0 {
		// A profile attribute that state did not hold was not read (after an import, or newly
		// configured): the update is computed from what Concur holds, so an existing value is
		// replaced rather than added a second time.
		held := concur.User{ID: from.ID}
		if err := provisioning.ReadProfiles(ctx, r.data.client, []*concur.User{&held}, newlyHeld); err != nil {
			resp.Diagnostics.AddError("Error updating Concur user", fmt.Sprintf("Reading the profiles of the user with emp_id %q (id %s) failed: %s%s",
				plan.EmpID.ValueString(), state.ID.ValueString(), err, concurAdvice(err)))
			return
		}
		for _, name := range newlyHeld {
			provisioning.SetUserAttribute(&from, name, provisioning.UserAttribute(&held, name))
		}
	}
	updated, err := provisioning.UpdateUser(ctx, r.data.client, state.ID.ValueString(), from, plan.toConcur())
	var failed *concur.ExtensionError
	if errors.As(err, &failed) && updated != nil {
		// The identity and the other extensions are saved: record them, and the failed extension's
		// attributes as Concur still holds them, so the next apply sends only those again.
		addExtensionFailure(&resp.Diagnostics, failed, plan.changedFrom(state.userAttributes), false)
		plan.userAttributes = userAttributesFrom(updated)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		setIdentity(ctx, resp.Identity, plan, &resp.Diagnostics)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Error updating Concur user", fmt.Sprintf("Updating the user with emp_id %q (id %s) failed: %s%s",
			plan.EmpID.ValueString(), state.ID.ValueString(), err, concurAdvice(err, scopeUserWrite)))
		return
	}

	plan.userAttributes = userAttributesFrom(updated)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateImportTakesOverFrom, nil)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, plan, &resp.Diagnostics)
	r.data.warnIfTokenRotated(&resp.Diagnostics)
}

func (r *userResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state userResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}

	mode := provisioning.DeletionMode(state.DeletionMode.ValueString())
	// A destroy never takes an account over: a take_over_from left in the state counts for nothing.
	own := provisioning.Ownership{Owner: r.data.owner}
	err := provisioning.RemoveUser(ctx, r.data.client, state.ID.ValueString(), mode, own)
	var elsewhere *provisioning.ManagedElsewhereError
	if errors.As(err, &elsewhere) {
		resp.Diagnostics.AddWarning("Concur user left to its owner", fmt.Sprintf(
			"The Concur account %s (emp_id %q) carries the owner marker of owner %q, another configuration, so destroying this "+
				"concur_user removed it from the state only: the account was not %sd.", elsewhere.ID, state.EmpID.ValueString(), elsewhere.Owner, mode))
		return
	}
	if err != nil {
		scope := scopeUserWrite
		if mode == provisioning.Delete {
			scope = scopeUserDelete
		}
		resp.Diagnostics.AddError("Error removing Concur user", fmt.Sprintf("Removing (%s) the user with emp_id %q (id %s) failed: %s%s",
			mode, state.EmpID.ValueString(), state.ID.ValueString(), err, concurAdvice(err, scope)))
	}
	r.data.warnIfTokenRotated(&resp.Diagnostics)
}

// ImportState takes the employee ID, as the import ID or as the identity's emp_id; Read then
// finds the user by it and fills every attribute.
func (r *userResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	empID, at := req.ID, "Import a concur_user by its emp_id"
	if empID == "" && req.Identity != nil {
		var identity userIdentityModel
		resp.Diagnostics.Append(req.Identity.Get(ctx, &identity)...)
		empID, at = identity.EmpID.ValueString(), "The import identity's emp_id names the user"
	}
	if err := concur.CheckEmployeeNumber(empID); err != nil {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("%s: %s.", at, err))
		return
	}
	resource.ImportStatePassthroughWithIdentity(ctx, path.Root("emp_id"), path.Root("emp_id"), req, resp)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateImporting, []byte(`true`))...)
}

// noteImportTakeOver turns the mark ImportState leaves into the owner the import takes the account
// over from: the owner its marker names, when the provider's owner is set (without one the
// take-over could not be recorded). An import of an account that is no other owner's takes nothing.
func (r *userResource) noteImportTakeOver(ctx context.Context, prior privateGetter, next privateSetter, user *concur.User, diags *diag.Diagnostics) {
	importing, getDiags := prior.GetKey(ctx, privateImporting)
	diags.Append(getDiags...)
	if len(importing) == 0 {
		return
	}
	diags.Append(next.SetKey(ctx, privateImporting, nil)...)
	if markedBy, takesOver := provisioning.ImportTakesOverFrom(r.data.owner, user.ExternalID); takesOver {
		encoded, _ := json.Marshal(markedBy) // a string always encodes
		diags.Append(next.SetKey(ctx, privateImportTakesOverFrom, encoded)...)
	}
}

type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// setIdentity records the identity of the user in state; identity is nil for a Terraform that
// predates resource identity.
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, user userResourceModel, diags *diag.Diagnostics) {
	if identity != nil {
		diags.Append(identity.Set(ctx, user.identity())...)
	}
}

// displayNameFollowsNames keeps the known display name in the plan unless a name it is derived
// from changes, so unrelated updates do not show it as "known after apply".
type displayNameFollowsNames struct{}

func (displayNameFollowsNames) Description(context.Context) string {
	return "The display name changes only when the first, last or preferred name does."
}
func (m displayNameFollowsNames) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (displayNameFollowsNames) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	for _, name := range []string{"first_name", "last_name", "nick_name"} {
		var planned, current types.String
		resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root(name), &planned)...)
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(name), &current)...)
		if !planned.Equal(current) {
			return
		}
	}
	resp.PlanValue = req.StateValue
}

// userDatesInOrder rejects a termination date before the start date.
type userDatesInOrder struct{}

func (userDatesInOrder) Description(context.Context) string {
	return "termination_date must not be before start_date"
}
func (v userDatesInOrder) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (userDatesInOrder) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var start, end types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("start_date"), &start)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("termination_date"), &end)...)
	if start.IsNull() || start.IsUnknown() || end.IsNull() || end.IsUnknown() {
		return
	}
	if err := provisioning.CheckDateOrder(start.ValueString(), end.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("termination_date"), "Termination date before start date", err.Error()+". Correct one of the two.")
	}
}

// notOwnManager rejects a user who is their own manager.
type notOwnManager struct{}

func (notOwnManager) Description(context.Context) string {
	return "manager_emp_id must differ from emp_id"
}
func (v notOwnManager) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (notOwnManager) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var empID, managerEmpID types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("emp_id"), &empID)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("manager_emp_id"), &managerEmpID)...)
	if empID.IsNull() || empID.IsUnknown() || managerEmpID.IsUnknown() {
		return
	}
	if err := provisioning.CheckManager(empID.ValueString(), managerEmpID.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("manager_emp_id"), "User cannot be their own manager",
			err.Error()+". Set it to the emp_id of the user's manager, or omit it.")
	}
}

// keepCreateOnly refuses to change an attribute Concur accepts only when it first provisions the
// profile (test_employee): the update would fail at apply.
func keepCreateOnly(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	for _, a := range provisioning.Attributes {
		if !a.CreateOnly {
			continue
		}
		var planned, current types.String
		resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root(a.Name), &planned)...)
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(a.Name), &current)...)
		if !current.IsNull() && !planned.IsUnknown() && !planned.Equal(current) {
			resp.Diagnostics.AddAttributeError(path.Root(a.Name), "Attribute set at creation only",
				fmt.Sprintf("Concur accepts %s only when it first provisions the user's profile, and holds %q for this user. "+
					"Set it back to %q; to change it, create the user anew in Concur.", a.Name, current.ValueString(), current.ValueString()))
		}
	}
}

// completeProfiles rejects a Spend or Travel profile without the attributes Concur requires of it.
type completeProfiles struct{}

func (completeProfiles) Description(context.Context) string {
	return "a Spend profile needs reimbursement_currency, country and locale; a Travel profile travel_rule_class"
}
func (v completeProfiles) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (completeProfiles) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	attributes := map[string]string{}
	for _, a := range provisioning.Attributes {
		if a.Profile == "" {
			continue
		}
		var value types.String
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(a.Name), &value)...)
		if value.IsUnknown() {
			return // known at apply only
		}
		attributes[a.Name] = value.ValueString()
	}
	if missing, err := provisioning.CheckProfiles(attributes); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root(missing), "Incomplete Concur profile", err.Error()+". Set it too, or leave out the profile's other attributes.")
	}
}
