package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
	"github.com/terraform-concur/terraform-provider-concur/internal/provisioning"
)

var _ list.ListResourceWithConfigure = &userListResource{}

// userListResource lists existing Concur users for `terraform query` (Terraform 1.14), each
// with its concur_user identity and, when asked, the whole resource, so that
// -generate-config-out writes import blocks and configuration for a tenant.
type userListResource struct {
	data *providerData
}

// NewUserListResource is the factory for the concur_user list resource.
func NewUserListResource() list.ListResource { return &userListResource{} }

type userListModel struct {
	Filter types.String `tfsdk:"filter"`
}

// errListStopped ends a listing early when Terraform has taken enough results.
var errListStopped = errors.New("listing stopped")

func (r *userListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user"
}

func (r *userListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists existing Concur users, all of them or those a SCIM filter matches, for `terraform query`: each " +
			"result is a `concur_user` identity (its `emp_id`), and with `include_resource = true` the whole user, so " +
			"`terraform query -generate-config-out=users.tf` writes the import blocks and configuration for them. Users " +
			"without an employee ID cannot be keyed; they are left out and named in a warning.",
		Attributes: map[string]schema.Attribute{
			"filter": schema.StringAttribute{
				MarkdownDescription: "A SCIM filter over Concur users, such as " +
					"`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq \"Finance\"` or `active eq true`. " +
					"Omit it to list every user. Large tenants are read 1,000 users per request.",
				Optional: true,
			},
		},
	}
}

func (r *userListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, diags := providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	r.data = data
}

func (r *userListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var config userListModel
	diags := req.Config.Get(ctx, &config)
	stream.Results = func(push func(list.ListResult) bool) {
		if r.data == nil {
			diags.AddError("Provider not configured", "Listing Concur users needs the provider's Concur credentials; check the provider block of the query.")
		}
		if diags.HasError() {
			push(list.ListResult{Diagnostics: diags})
			return
		}
		var withoutEmpID []string
		err := r.data.client.SearchUsers(ctx, config.Filter.ValueString(), func(u *concur.User) error {
			if u.EmployeeNumber == "" {
				withoutEmpID = append(withoutEmpID, u.UserName)
				return nil
			}
			if !push(userListResult(ctx, req, u)) {
				return errListStopped
			}
			return nil
		})
		switch {
		case errors.Is(err, errListStopped):
			return
		case err != nil:
			result := list.ListResult{}
			addListingError(&result.Diagnostics, config.Filter.ValueString(), err)
			push(result)
			return
		}
		if len(withoutEmpID) > 0 {
			result := list.ListResult{}
			addUsersWithoutEmpID(&result.Diagnostics, withoutEmpID)
			push(result)
		}
	}
}

// userListResult is one listed user: its identity, a name a person recognises, and the
// concur_user it would be once imported (its destroy deactivating, as by default).
func userListResult(ctx context.Context, req list.ListRequest, u *concur.User) list.ListResult {
	result := req.NewListResult(ctx)
	user := userResourceModel{userAttributes: userAttributesFrom(u), DeletionMode: types.StringValue(string(provisioning.Deactivate))}
	result.DisplayName = fmt.Sprintf("%s (%s)", u.DisplayName, u.EmployeeNumber)
	result.Diagnostics.Append(result.Identity.Set(ctx, user.identity())...)
	if req.IncludeResource {
		result.Diagnostics.Append(result.Resource.Set(ctx, user)...)
	}
	return result
}
