package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
	"github.com/terraform-concur/terraform-provider-concur/internal/provisioning"
)

func providerSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "The Concur provider provisions people from an LDAP or Active Directory directory into SAP Concur, " +
			"keyed on the employee ID, with every change shown per user in `terraform plan`; it also manages single users " +
			"through Concur's Identity v4.1 API. " +
			"Every argument is optional in the configuration and falls back to a `CONCUR_*` environment variable, " +
			"so CI jobs and Terraform Cloud workspaces can keep credentials out of code. " +
			"Configure exactly one credential: a `refresh_token`, a `company_uuid` with a `request_token`, or an `access_token`.",
		Attributes: map[string]schema.Attribute{
			"base_url": schema.StringAttribute{
				MarkdownDescription: "The Concur base URI used to obtain tokens, for example `https://us2.api.concursolutions.com` " +
					"(the default) or `https://eu2.api.concursolutions.com`. After authentication every call goes to the " +
					"`geolocation` Concur returns with the token. Environment variable: `" + envBaseURL + "`.",
				Optional:   true,
				Validators: []validator.String{httpURLValidator{}},
			},
			"client_id": schema.StringAttribute{
				MarkdownDescription: "The OAuth2 client ID of the Concur application. Environment variable: `" + envClientID + "`.",
				Optional:            true,
			},
			"client_secret": schema.StringAttribute{
				MarkdownDescription: "The OAuth2 client secret of the Concur application. Environment variable: `" + envClientSecret + "`.",
				Optional:            true,
				Sensitive:           true,
			},
			"refresh_token": schema.StringAttribute{
				MarkdownDescription: "A company-level refresh token. Concur may return a new refresh token on every refresh; " +
					"set `token_file` so the provider keeps the newest one. Environment variable: `" + envRefreshToken + "`.",
				Optional:  true,
				Sensitive: true,
			},
			"company_uuid": schema.StringAttribute{
				MarkdownDescription: "The company UUID from the Company Request Token tool or the App Center redirect, " +
					"used with `request_token`. Environment variable: `" + envCompanyUUID + "`.",
				Optional: true,
			},
			"request_token": schema.StringAttribute{
				MarkdownDescription: "A company request token (valid 24 hours), exchanged for an access and a refresh token " +
					"with `credtype=authtoken`. Requires `company_uuid`. Environment variable: `" + envRequestToken + "`.",
				Optional:  true,
				Sensitive: true,
			},
			"access_token": schema.StringAttribute{
				MarkdownDescription: "A ready company-level access token, used as is and never refreshed: runs longer than " +
					"its lifetime (one hour) fail. Environment variable: `" + envAccessToken + "`.",
				Optional:  true,
				Sensitive: true,
			},
			"token_file": schema.StringAttribute{
				MarkdownDescription: "A file where the provider keeps the newest refresh token and the geolocation " +
					"(written atomically with mode 0600). When it holds a token, that token is used instead of `refresh_token`. " +
					"Environment variable: `" + envTokenFile + "`.",
				Optional: true,
			},
			"company_id": schema.StringAttribute{
				MarkdownDescription: "The enterprise `companyId` (UUID) that new users are created in. When unset, the provider " +
					"reads it from an existing user of the company. Environment variable: `" + envCompanyID + "`.",
				Optional:   true,
				Validators: []validator.String{companyIDRule},
			},
			"owner": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("The name of this configuration's owner, such as `hr-emea`, of at most %d letters, digits, "+
					"`.`, `_` and `-`. When it is set, every Concur account that a channel or a `concur_user` of this configuration "+
					"creates or links carries the owner marker `%s` in its `externalId`, and `external_id` can no longer be mapped or set. "+
					"Whether it is set or not, an account whose marker names another owner is never linked, written, deactivated "+
					"or deleted: the plan names it as managed elsewhere, until a channel or `concur_user` takes it over with "+
					"`take_over_from`. Give every Terraform state that provisions people of one Concur company its own owner. "+
					"Environment variable: `%s`.", provisioning.MaxOwnerLength, provisioning.Marker("<owner>", "<emp_id>"), envOwner),
				Optional:   true,
				Validators: []validator.String{ownerRule},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many times a request that failed with 429, 502, 503, 504 or a network error "+
					"is retried, with exponential backoff that honours `Retry-After`. Defaults to %d. Environment variable: `%s`.",
					concur.DefaultMaxRetries, envMaxRetries),
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, 100)},
			},
			"requests_per_second": schema.Float64Attribute{
				MarkdownDescription: "The most requests per second the provider sends to Concur, shared by all resources " +
					"of the run. Unset or `0` means no limit. Environment variable: `" + envRequestsPerSecond + "`.",
				Optional:   true,
				Validators: []validator.Float64{float64validator.AtLeast(0)},
			},
			"max_concurrency": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("The most Concur requests in flight at once, shared by all resources of the run "+
					"whatever Terraform's `-parallelism`. Defaults to %d. Environment variable: `%s`.",
					concur.DefaultMaxConcurrency, envMaxConcurrency),
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(1, 256)},
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "How long one HTTP attempt may take, as a Go duration such as `30s` or `2m`. " +
					"Defaults to `60s`. Environment variable: `" + envRequestTimeout + "`.",
				Optional:   true,
				Validators: []validator.String{durationValidator{}},
			},
			"provision_poll_delay": schema.StringAttribute{
				MarkdownDescription: "How long to wait before the first look at the status of a bulk write (`/profile/v4/Bulk`, " +
					"which a channel uses for " + fmt.Sprint(provisioning.BulkMinimumWrites) + " or more creates and updates with a Spend or Travel profile, or " +
					fmt.Sprint(provisioning.BulkMinimumIdentityWrites) + " or more of the identity alone, in one apply; writes of a profile one by one wait for it too), " +
					"doubled while Concur is still working on it, as a Go duration. Defaults to `5s`, Concur's advice; " +
					"shorten it only against a server that answers at once, such as the sandbox in CI. " +
					"Environment variable: `" + envProvisionPoll + "`.",
				Optional:   true,
				Validators: []validator.String{durationValidator{}},
			},
		},
		Blocks: map[string]schema.Block{
			"directory": directorySchema(),
		},
	}
}

// ownerRule is the rule of an owner name, for owner, CONCUR_OWNER and take_over_from alike.
var ownerRule = stringRule{"an owner name", provisioning.CheckOwnerName}

// companyIDRule is company_id's rule, for the configured value and CONCUR_COMPANY_ID alike.
var companyIDRule = stringRule{"a UUID", concur.CheckUUID}
