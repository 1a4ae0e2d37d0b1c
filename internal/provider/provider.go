// Package provider is the Terraform layer of the Concur provider: schemas, models and the glue
// that converts Terraform values to the plain Go types of the client and the engine.
//
// Managing a Concur user always goes through the engine (internal/provisioning), so its rules
// stay below this layer: concur_user's Create, Read, Update and Delete call
// provisioning.CreateUser, ReadUser, UpdateUser and RemoveUser, and concur_provisioning_mapping
// calls the engine's Refresh, PlanChannel, Apply and Destroy. Look-ups that change nothing
// (plan-time checks, data sources, list resources) call the Concur client directly.
package provider

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
)

// RegistryAddress is the provider's source address; acceptance tests use the same namespace.
const RegistryAddress = "registry.terraform.io/terraform-concur/" + providerTypeName

const providerTypeName = "concur"

var (
	_ provider.Provider                  = &concurProvider{}
	_ provider.ProviderWithFunctions     = &concurProvider{}
	_ provider.ProviderWithListResources = &concurProvider{}
)

type concurProvider struct {
	version string
	// data is what Configure made of the provider block, for the calls server.go serves
	// outside the framework.
	data atomic.Pointer[providerData]
}

type providerModel struct {
	BaseURL           types.String  `tfsdk:"base_url"`
	ClientID          types.String  `tfsdk:"client_id"`
	ClientSecret      types.String  `tfsdk:"client_secret"`
	RefreshToken      types.String  `tfsdk:"refresh_token"`
	CompanyUUID       types.String  `tfsdk:"company_uuid"`
	RequestToken      types.String  `tfsdk:"request_token"`
	AccessToken       types.String  `tfsdk:"access_token"`
	TokenFile         types.String  `tfsdk:"token_file"`
	CompanyID         types.String  `tfsdk:"company_id"`
	MaxRetries        types.Int64   `tfsdk:"max_retries"`
	RequestsPerSecond types.Float64 `tfsdk:"requests_per_second"`
	MaxConcurrency    types.Int64   `tfsdk:"max_concurrency"`
	RequestTimeout    types.String  `tfsdk:"request_timeout"`
	ProvisionPoll     types.String  `tfsdk:"provision_poll_delay"`
	Owner             types.String  `tfsdk:"owner"`

	Directory *directoryModel `tfsdk:"directory"`
}

func (p *concurProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = providerTypeName
	resp.Version = p.version
}

func (p *concurProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = providerSchema()
}

func (p *concurProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var config providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	clientConfig, diags := resolveClientConfig(config)
	resp.Diagnostics.Append(diags...)
	directoryConfig, diags := resolveDirectoryConfig(config.Directory)
	resp.Diagnostics.Append(diags...)
	owner, diags := resolveOwner(config)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	clientConfig.UserAgent = "terraform-provider-concur/" + p.version
	clientConfig.Logf = logConcur

	client, err := concur.New(ctx, clientConfig)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Concur provider configuration",
			fmt.Sprintf("%s. Correct the named setting in the provider block or its CONCUR_* environment variable.", err))
		return
	}

	var directoryClient *directory.Client
	if directoryConfig != nil {
		// New fails only where Validate does, and resolveDirectoryConfig has reported that on
		// the setting it names.
		directoryClient, _ = directory.New(*directoryConfig)
	}

	data := &providerData{client: client, directory: directoryClient, owner: owner}
	p.data.Store(data)
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.ListResourceData = data
}

// configured is the provider's configuration of this run, nil before Configure.
func (p *concurProvider) configured() *providerData { return p.data.Load() }

func (p *concurProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewUserResource,
		NewProvisioningMappingResource,
	}
}

func (p *concurProvider) Functions(_ context.Context) []func() function.Function {
	return []func() function.Function{NewRenderTemplateFunction}
}

func (p *concurProvider) ListResources(_ context.Context) []func() list.ListResource {
	return []func() list.ListResource{NewUserListResource}
}

func (p *concurProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewUserDataSource,
		NewUsersDataSource,
		NewDirectoryGroupDataSource,
	}
}

// secretLogFields are masked in the Concur client's log lines should one ever carry them; the
// client is written never to log secrets, and this is the second line of defence.
var secretLogFields = []string{"authorization", "access_token", "refresh_token", "client_secret", "password", "request_token"}

// logConcur writes the Concur client's debug lines to Terraform's log, in their own subsystem.
func logConcur(ctx context.Context, msg string, fields map[string]any) {
	ctx = tflog.NewSubsystem(ctx, "concur")
	ctx = tflog.SubsystemMaskFieldValuesWithFieldKeys(ctx, "concur", secretLogFields...)
	tflog.SubsystemDebug(ctx, "concur", msg, fields)
}
