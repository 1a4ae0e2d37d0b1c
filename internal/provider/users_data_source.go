package provider

import (
	"context"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
	"github.com/terraform-concur/terraform-provider-concur/internal/provisioning"
)

var _ datasource.DataSourceWithConfigure = &usersDataSource{}

type usersDataSource struct {
	data *providerData
}

// NewUsersDataSource is the factory for the concur_users data source.
func NewUsersDataSource() datasource.DataSource { return &usersDataSource{} }

type usersDataSourceModel struct {
	Filter       types.String              `tfsdk:"filter"`
	ReadProfiles types.Bool                `tfsdk:"read_profiles"`
	Users        map[string]userAttributes `tfsdk:"users"`
}

func (d *usersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_users"
}

func (d *usersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists Concur users, all of them or those matching a SCIM filter, keyed by `emp_id`. " +
			"Use it with `import { for_each = ... }` to bring existing users under management in bulk.",
		Attributes: map[string]schema.Attribute{
			"filter": schema.StringAttribute{
				MarkdownDescription: "A SCIM filter as Concur's `/Users/.search` accepts it, for example " +
					"`active eq true and urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq \"Finance\"`. " +
					"Omit it to list every user of the company.",
				Optional: true,
			},
			"read_profiles": readProfilesAttribute,
			"users": schema.MapNestedAttribute{
				MarkdownDescription: "The users found, keyed by `emp_id`. Users without an employee ID cannot be " +
					"managed by this provider; they are left out and named in a warning.",
				Computed:     true,
				NestedObject: schema.NestedAttributeObject{Attributes: computedUserAttributes()},
			},
		},
	}
}

func (d *usersDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	data, diags := providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	d.data = data
}

func (d *usersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config usersDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	config.Users = map[string]userAttributes{}
	var withoutEmpID []string
	var found []*concur.User
	err := d.data.client.SearchUsers(ctx, config.Filter.ValueString(), func(u *concur.User) error {
		if u.EmployeeNumber == "" {
			withoutEmpID = append(withoutEmpID, u.UserName)
			return nil
		}
		found = append(found, u)
		return nil
	})
	if err != nil {
		addListingError(&resp.Diagnostics, config.Filter.ValueString(), err)
		return
	}
	if err := provisioning.ReadProfiles(ctx, d.data.client, found, profileKeys(config.ReadProfiles)); err != nil {
		resp.Diagnostics.AddError("Error reading the profiles of Concur users", fmt.Sprintf("The users were listed, but %s%s", err, concurAdvice(err)))
		return
	}
	for _, u := range found {
		config.Users[u.EmployeeNumber] = userAttributesFrom(u)
	}
	addUsersWithoutEmpID(&resp.Diagnostics, withoutEmpID)
	resp.Diagnostics.Append(resp.State.Set(ctx, &config)...)
	d.data.warnIfTokenRotated(&resp.Diagnostics)
}

// addListingError reports a listing of Concur users that failed, with what to do. The users
// data source and the concur_user list resource share it.
func addListingError(diags *diag.Diagnostics, filter string, err error) {
	diags.AddError("Error listing Concur users", fmt.Sprintf("Searching users with filter %q failed: %s%s", filter, err, concurAdvice(err, scopesUserRead...)))
}

// addUsersWithoutEmpID names the Concur users a listing left out because they have no employee
// ID, by login.
func addUsersWithoutEmpID(diags *diag.Diagnostics, logins []string) {
	if len(logins) == 0 {
		return
	}
	sort.Strings(logins)
	diags.AddWarning("Users without an employee ID left out",
		fmt.Sprintf("%s without an emp_id cannot be keyed or managed: %s. Give them an employee ID in Concur to include them.",
			count(len(logins), "Concur user", "Concur users"), listSome(logins, 20)))
}
