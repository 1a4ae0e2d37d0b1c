package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
	"github.com/terraform-concur/terraform-provider-concur/internal/provisioning"
)

var (
	_ datasource.DataSourceWithConfigure        = &userDataSource{}
	_ datasource.DataSourceWithConfigValidators = &userDataSource{}
)

type userDataSource struct {
	data *providerData
}

type userDataSourceModel struct {
	userAttributes
	ReadProfiles types.Bool `tfsdk:"read_profiles"`
}

// readProfilesAttribute is the data sources' switch for the Spend and Travel reads, off by default
// so a company without Concur Expense or Travel neither pays for nor fails on them.
var readProfilesAttribute = schema.BoolAttribute{
	MarkdownDescription: "Whether to read the Spend and Travel profiles too; otherwise their attributes are null. Reading " +
		"them needs the `spend.user.general.read` and `travel.user.general.read` scopes and costs, for Travel, one " +
		"request per user. A user without a profile has its attributes null.",
	Optional: true,
}

// profileKeys are the attributes whose profiles a data source reads: all of them when asked to.
func profileKeys(read types.Bool) []string {
	if read.ValueBool() {
		return provisioning.ConcurAttributes()
	}
	return nil
}

// NewUserDataSource is the factory for the concur_user data source.
func NewUserDataSource() datasource.DataSource { return &userDataSource{} }

func (d *userDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user"
}

func (d *userDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attributes := computedUserAttributes()
	lookup := func(name, what string, validators ...validator.String) {
		attribute, _ := attributes[name].(schema.StringAttribute)
		attribute.MarkdownDescription += " Set it to look the user up by " + what + "."
		attribute.Optional = true
		attribute.Validators = validators
		attributes[name] = attribute
	}
	empID, _ := provisioning.AttributeNamed(provisioning.AttrEmpID)
	lookup(empID.Name, "employee ID", stringRule{empID.Rule.What, empID.Rule.Check})
	lookup("login_id", "login ID")
	lookup("id", "Concur UUID")
	attributes["read_profiles"] = readProfilesAttribute
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up one Concur user by exactly one of `emp_id`, `login_id` or `id`, for references " +
			"to users that Terraform does not manage.",
		Attributes: attributes,
	}
}

func (d *userDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("emp_id"), path.MatchRoot("login_id"), path.MatchRoot("id")),
	}
}

func (d *userDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	data, diags := providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	d.data = data
}

func (d *userDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config userDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	key, user, err := d.lookup(ctx, config.userAttributes)
	if err == nil {
		err = provisioning.ReadProfiles(ctx, d.data.client, []*concur.User{user}, profileKeys(config.ReadProfiles))
	}
	if concur.IsNotFound(err) {
		resp.Diagnostics.AddAttributeError(key, "Concur user not found",
			fmt.Sprintf("No Concur user has %s %s. Check the value; the concur_users data source lists the users that exist.", key, lookupValue(config.userAttributes, key)))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Error reading Concur user", fmt.Sprintf("Looking up the user by %s %s failed: %s%s", key, lookupValue(config.userAttributes, key), err, concurAdvice(err, scopesUserRead...)))
		return
	}

	state := userDataSourceModel{userAttributes: userAttributesFrom(user), ReadProfiles: config.ReadProfiles}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	d.data.warnIfTokenRotated(&resp.Diagnostics)
}

// lookup calls the search that matches whichever key the configuration set.
func (d *userDataSource) lookup(ctx context.Context, config userAttributes) (path.Path, *concur.User, error) {
	switch {
	case !config.EmpID.IsNull():
		user, err := d.data.client.FindUserByEmployeeNumber(ctx, config.EmpID.ValueString())
		return path.Root("emp_id"), user, err
	case !config.LoginID.IsNull():
		user, err := d.data.client.FindUserByUserName(ctx, config.LoginID.ValueString())
		return path.Root("login_id"), user, err
	default:
		user, err := d.data.client.GetUser(ctx, config.ID.ValueString())
		return path.Root("id"), user, err
	}
}

func lookupValue(config userAttributes, key path.Path) string {
	switch key.String() {
	case "emp_id":
		return fmt.Sprintf("%q", config.EmpID.ValueString())
	case "login_id":
		return fmt.Sprintf("%q", config.LoginID.ValueString())
	default:
		return fmt.Sprintf("%q", config.ID.ValueString())
	}
}

// computedUserAttributes is the read-only schema of a user, shared by both user data sources.
func computedUserAttributes() map[string]schema.Attribute {
	attributes := map[string]schema.Attribute{
		"id":           schema.StringAttribute{MarkdownDescription: idDescription, Computed: true},
		"display_name": schema.StringAttribute{MarkdownDescription: displayNameDescription, Computed: true},
		"active":       schema.BoolAttribute{MarkdownDescription: activeDescription, Computed: true},
	}
	for _, a := range provisioning.Attributes {
		attribute := schema.StringAttribute{MarkdownDescription: a.Description, Computed: true}
		if a.IgnoreCase {
			attribute.CustomType = caseInsensitiveStringType{}
		}
		attributes[a.Name] = attribute
	}
	return attributes
}
