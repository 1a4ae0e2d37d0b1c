package provider

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
)

// Environment variables read when the matching provider argument is not set. Configuration in
// the provider block wins over the environment.
const (
	envBaseURL           = "CONCUR_BASE_URL"
	envClientID          = "CONCUR_CLIENT_ID"
	envClientSecret      = "CONCUR_CLIENT_SECRET"
	envRefreshToken      = "CONCUR_REFRESH_TOKEN"
	envCompanyUUID       = "CONCUR_COMPANY_UUID"
	envRequestToken      = "CONCUR_REQUEST_TOKEN"
	envAccessToken       = "CONCUR_ACCESS_TOKEN"
	envTokenFile         = "CONCUR_TOKEN_FILE"
	envCompanyID         = "CONCUR_COMPANY_ID"
	envMaxRetries        = "CONCUR_MAX_RETRIES"
	envRequestsPerSecond = "CONCUR_REQUESTS_PER_SECOND"
	envMaxConcurrency    = "CONCUR_MAX_CONCURRENCY"
	envRequestTimeout    = "CONCUR_REQUEST_TIMEOUT"

	envDirectoryURL                = "CONCUR_DIRECTORY_URL"
	envDirectoryStartTLS           = "CONCUR_DIRECTORY_START_TLS"
	envDirectoryBindDN             = "CONCUR_DIRECTORY_BIND_DN"
	envDirectoryBindPassword       = "CONCUR_DIRECTORY_BIND_PASSWORD"
	envDirectoryCACertPEM          = "CONCUR_DIRECTORY_CA_CERT_PEM"
	envDirectoryInsecureSkipVerify = "CONCUR_DIRECTORY_INSECURE_SKIP_VERIFY"
	envDirectoryTimeout            = "CONCUR_DIRECTORY_TIMEOUT"
	envDirectoryPageSize           = "CONCUR_DIRECTORY_PAGE_SIZE"
	envDirectoryKind               = "CONCUR_DIRECTORY_KIND"
	envDirectoryDisabledFilter     = "CONCUR_DIRECTORY_DISABLED_FILTER"
	envDirectoryTransitiveMemberOf = "CONCUR_DIRECTORY_TRANSITIVE_MEMBER_OF"
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
				Validators: []validator.String{stringRule{"a UUID", concur.CheckUUID}},
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
		},
		Blocks: map[string]schema.Block{
			"directory": directorySchema(),
		},
	}
}

// settingSource reads one provider argument with its environment fallback and remembers where an
// invalid value came from, so errors name the attribute or the variable the user has to fix.
type settingSource struct {
	diags diag.Diagnostics
	// block is the nested block the arguments belong to ("directory"), empty for top-level ones.
	block string
}

// at is the attribute's path, for diagnostics.
func (s *settingSource) at(attribute string) path.Path {
	if s.block == "" {
		return path.Root(attribute)
	}
	return path.Root(s.block).AtName(attribute)
}

// name is how messages spell the attribute: "request_timeout" or "directory.timeout".
func (s *settingSource) name(attribute string) string {
	if s.block == "" {
		return attribute
	}
	return s.block + "." + attribute
}

// unknown reports, as an error on the attribute, a value that is only known after apply: the
// provider must be configured at plan time.
func (s *settingSource) unknown(value attr.Value, attribute, env string) bool {
	if !value.IsUnknown() {
		return false
	}
	s.diags.AddAttributeError(s.at(attribute), "Provider argument not known at plan time",
		fmt.Sprintf("%q depends on a value that is only known after apply. Set it from a variable, a literal or the %s environment variable.", s.name(attribute), env))
	return true
}

func (s *settingSource) string(value types.String, attribute, env string) string {
	if s.unknown(value, attribute, env) {
		return ""
	}
	if !value.IsNull() {
		return value.ValueString()
	}
	return strings.TrimSpace(os.Getenv(env))
}

// int reads a whole number; one from the environment must be at least the given least (the schema checks
// the configured value).
func (s *settingSource) int(value basetypes.Int64Value, attribute, env string, fallback, least int) int {
	if s.unknown(value, attribute, env) {
		return fallback
	}
	if !value.IsNull() {
		return int(value.ValueInt64())
	}
	raw := s.string(types.StringNull(), attribute, env)
	if raw == "" {
		return fallback
	}
	parsed, err := strconv.Atoi(raw)
	if err != nil || parsed < least {
		s.diags.AddAttributeError(s.at(attribute), "Invalid environment variable",
			fmt.Sprintf("%s=%q is not a whole number of at least %d. Fix or unset the variable, or set %q in the provider block.", env, raw, least, s.name(attribute)))
		return fallback
	}
	return parsed
}

func (s *settingSource) float(value basetypes.Float64Value, attribute, env string) float64 {
	if s.unknown(value, attribute, env) {
		return 0
	}
	if !value.IsNull() {
		return value.ValueFloat64()
	}
	raw := s.string(types.StringNull(), attribute, env)
	if raw == "" {
		return 0
	}
	parsed, err := strconv.ParseFloat(raw, 64)
	if err != nil || parsed < 0 {
		s.diags.AddAttributeError(s.at(attribute), "Invalid environment variable",
			fmt.Sprintf("%s=%q is not a non-negative number. Fix or unset the variable, or set %q in the provider block.", env, raw, s.name(attribute)))
		return 0
	}
	return parsed
}

func (s *settingSource) duration(value types.String, attribute, env string, fallback time.Duration) time.Duration {
	raw := s.string(value, attribute, env)
	if raw == "" {
		return fallback
	}
	parsed, err := time.ParseDuration(raw)
	if err != nil || parsed <= 0 {
		s.diags.AddAttributeError(s.at(attribute), "Invalid "+s.name(attribute),
			fmt.Sprintf("%q (from %q or %s) is not a positive Go duration such as \"30s\" or \"2m\".", raw, s.name(attribute), env))
		return fallback
	}
	return parsed
}

func (s *settingSource) bool(value types.Bool, attribute, env string) bool {
	if !value.IsNull() && !value.IsUnknown() {
		return value.ValueBool()
	}
	unknown := types.StringNull()
	if value.IsUnknown() {
		unknown = types.StringUnknown()
	}
	raw := s.string(unknown, attribute, env)
	if raw == "" {
		return false
	}
	parsed, err := strconv.ParseBool(raw)
	if err != nil {
		s.diags.AddAttributeError(s.at(attribute), "Invalid environment variable",
			fmt.Sprintf("%s=%q is not true or false. Fix or unset the variable, or set %q in the provider block.", env, raw, s.name(attribute)))
		return false
	}
	return parsed
}

// resolveClientConfig merges the provider block with the environment and checks that the
// credential set is complete, naming every attribute and variable still to set.
func resolveClientConfig(m providerModel) (concur.Config, diag.Diagnostics) {
	var s settingSource
	cfg := concur.Config{
		BaseURL:           s.string(m.BaseURL, "base_url", envBaseURL),
		ClientID:          s.string(m.ClientID, "client_id", envClientID),
		ClientSecret:      s.string(m.ClientSecret, "client_secret", envClientSecret),
		RefreshToken:      s.string(m.RefreshToken, "refresh_token", envRefreshToken),
		CompanyUUID:       s.string(m.CompanyUUID, "company_uuid", envCompanyUUID),
		RequestToken:      s.string(m.RequestToken, "request_token", envRequestToken),
		AccessToken:       s.string(m.AccessToken, "access_token", envAccessToken),
		CompanyID:         s.string(m.CompanyID, "company_id", envCompanyID),
		MaxRetries:        retries(s.int(m.MaxRetries, "max_retries", envMaxRetries, concur.DefaultMaxRetries, 0)),
		RequestsPerSecond: s.float(m.RequestsPerSecond, "requests_per_second", envRequestsPerSecond),
		MaxConcurrency:    s.int(m.MaxConcurrency, "max_concurrency", envMaxConcurrency, concur.DefaultMaxConcurrency, 1),
		RequestTimeout:    s.duration(m.RequestTimeout, "request_timeout", envRequestTimeout, concur.DefaultRequestTimeout),
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = concur.DefaultBaseURL
	}
	if tokenFile := s.string(m.TokenFile, "token_file", envTokenFile); tokenFile != "" {
		cfg.TokenStore = concur.NewFileTokenStore(tokenFile)
	}
	if s.diags.HasError() {
		return cfg, s.diags
	}
	s.diags.Append(checkCredentials(cfg)...)
	return cfg, s.diags
}

// retries turns the user's max_retries into the client's, where zero means the default.
func retries(n int) int {
	if n == 0 {
		return concur.NoRetries
	}
	return n
}

type credentialPart struct {
	attribute, env string
	set            bool
}

func (p credentialPart) String() string { return fmt.Sprintf("%s (%s)", p.attribute, p.env) }

func missingParts(parts ...credentialPart) []string {
	var missing []string
	for _, p := range parts {
		if !p.set {
			missing = append(missing, p.String())
		}
	}
	return missing
}

func checkCredentials(cfg concur.Config) diag.Diagnostics {
	var diags diag.Diagnostics
	clientID := credentialPart{"client_id", envClientID, cfg.ClientID != ""}
	clientSecret := credentialPart{"client_secret", envClientSecret, cfg.ClientSecret != ""}
	refreshToken := credentialPart{"refresh_token", envRefreshToken, cfg.RefreshToken != ""}
	companyUUID := credentialPart{"company_uuid", envCompanyUUID, cfg.CompanyUUID != ""}
	requestToken := credentialPart{"request_token", envRequestToken, cfg.RequestToken != ""}
	accessToken := credentialPart{"access_token", envAccessToken, cfg.AccessToken != ""}

	chosen := 0
	for _, set := range []bool{refreshToken.set, requestToken.set || companyUUID.set, accessToken.set} {
		if set {
			chosen++
		}
	}
	hasStoredToken := cfg.TokenStore != nil
	switch {
	case chosen > 1:
		diags.AddError("Conflicting Concur credentials",
			"Set exactly one credential: refresh_token ("+envRefreshToken+"); or company_uuid ("+envCompanyUUID+") with request_token ("+envRequestToken+"); or access_token ("+envAccessToken+"). "+
				"More than one is set in the provider block or the environment; remove the others.")
		return diags
	case chosen == 0 && !hasStoredToken:
		diags.AddError("Missing Concur credentials",
			"Set one credential in the provider block or the environment: refresh_token ("+envRefreshToken+"); "+
				"or company_uuid ("+envCompanyUUID+") with request_token ("+envRequestToken+"); or access_token ("+envAccessToken+"). "+
				"With a refresh token or a request token, also set client_id ("+envClientID+") and client_secret ("+envClientSecret+").")
		return diags
	}

	var missing []string
	if !accessToken.set {
		missing = append(missing, missingParts(clientID, clientSecret)...)
	}
	if requestToken.set || companyUUID.set {
		missing = append(missing, missingParts(companyUUID, requestToken)...)
	}
	if len(missing) > 0 {
		diags.AddError("Incomplete Concur credentials",
			"The configured credential also needs: "+strings.Join(missing, ", ")+
				". Set each in the provider block or in the environment variable named beside it.")
	}
	return diags
}

// directoryModel is the provider's directory block. A missing block is a nil *directoryModel.
type directoryModel struct {
	URL                types.String `tfsdk:"url"`
	StartTLS           types.Bool   `tfsdk:"start_tls"`
	BindDN             types.String `tfsdk:"bind_dn"`
	BindPassword       types.String `tfsdk:"bind_password"`
	CACertPEM          types.String `tfsdk:"ca_cert_pem"`
	InsecureSkipVerify types.Bool   `tfsdk:"insecure_skip_verify"`
	Timeout            types.String `tfsdk:"timeout"`
	PageSize           types.Int64  `tfsdk:"page_size"`
	Kind               types.String `tfsdk:"kind"`
	DisabledFilter     types.String `tfsdk:"disabled_filter"`
	TransitiveMemberOf types.Bool   `tfsdk:"transitive_member_of"`
}

const maxDirectoryPageSize = 100000

func directorySchema() schema.SingleNestedBlock {
	return schema.SingleNestedBlock{
		MarkdownDescription: "The LDAP directory (OpenLDAP, 389-ds, PingDirectory or Active Directory) that " +
			"`concur_directory_group` and `concur_provisioning_mapping` read people from. The provider only reads the directory. " +
			"Omit the block, and leave `" + envDirectoryURL + "` unset, when no directory is used. " +
			"Every argument falls back to a `CONCUR_DIRECTORY_*` environment variable, so the whole block can come from the environment. " +
			"The provider connects when a directory object is read, not at configuration, and each connection, TLS handshake, " +
			"bind and request is bounded by `timeout`. An Active Directory needs `kind = \"active_directory\"`, a service " +
			"account (bound by DN, UPN or `DOMAIN\\name`), `ldaps://` or `start_tls` (a domain controller refuses a simple bind " +
			"on a plain connection), and usually `ca_cert_pem`; see the [Active Directory guide](guides/active-directory.md).",
		Attributes: map[string]schema.Attribute{
			"url": schema.StringAttribute{
				MarkdownDescription: "The server, as `ldap://host[:port]` or `ldaps://host[:port]`, for example " +
					"`ldaps://dc1.corp.example.com`. Required when the block is present, unless `" + envDirectoryURL + "` is set. " +
					"Environment variable: `" + envDirectoryURL + "`.",
				Optional:   true,
				Validators: []validator.String{stringRule{"an ldap:// or ldaps:// URL", checkDirectoryURL}},
			},
			"start_tls": schema.BoolAttribute{
				MarkdownDescription: "Whether to upgrade an `ldap://` connection with StartTLS before binding. " +
					"Not used with `ldaps://`, which is encrypted from the start. Defaults to `false`. " +
					"Environment variable: `" + envDirectoryStartTLS + "`.",
				Optional: true,
			},
			"bind_dn": schema.StringAttribute{
				MarkdownDescription: "The DN of the service account to bind as, for example " +
					"`cn=concur-reader,ou=service,dc=example,dc=com`. With `kind = \"active_directory\"` it may also be the " +
					"account's user principal name (`svc-concur@corp.example.com`) or down-level logon name " +
					"(`CORP\\svc-concur`, written `\"CORP\\\\svc-concur\"` in HCL), which a domain controller accepts in a simple bind; " +
					"other servers take a DN only. Omit it (and `bind_password`) to bind anonymously. " +
					"Environment variable: `" + envDirectoryBindDN + "`.",
				Optional:   true,
				Validators: []validator.String{stringRule{"an LDAP DN, or on Active Directory a user principal name or DOMAIN\\name", checkBindName}},
			},
			"bind_password": schema.StringAttribute{
				MarkdownDescription: "The password of `bind_dn`. It never appears in errors or logs. " +
					"Environment variable: `" + envDirectoryBindPassword + "`.",
				Optional:  true,
				Sensitive: true,
			},
			"ca_cert_pem": schema.StringAttribute{
				MarkdownDescription: "PEM certificates of the CA that signs the server's certificate, for example " +
					"`file(\"corp-ca.pem\")`: for Active Directory, the enterprise CA that issues the domain controllers' " +
					"certificates. When unset, the system's trusted CAs are used. A certificate Go cannot parse is refused " +
					"with the reason, such as the negative serial number of about half of Samba's self-generated certificates. " +
					"Environment variable: `" + envDirectoryCACertPEM + "`.",
				Optional:   true,
				Validators: []validator.String{stringRule{"PEM certificates", checkCACertPEM}},
			},
			"insecure_skip_verify": schema.BoolAttribute{
				MarkdownDescription: "Whether to accept any server certificate without checking it. This exposes the " +
					"bind password to anyone who can intercept the connection; use it only against a test server. " +
					"Defaults to `false`; when on, every run shows a warning. " +
					"Environment variable: `" + envDirectoryInsecureSkipVerify + "`.",
				Optional: true,
			},
			"timeout": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("How long connecting, the TLS handshake, the bind and each request may take, "+
					"as a Go duration such as `10s`. Defaults to `%s`. Environment variable: `%s`.", directory.DefaultTimeout, envDirectoryTimeout),
				Optional:   true,
				Validators: []validator.String{durationValidator{}},
			},
			"page_size": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("The page size of every search (RFC 2696 paged results), so a server's "+
					"size limit never cuts a result short; group members are also looked up this many per search. Keep it "+
					"at or below the server's limit (Active Directory's MaxPageSize is 1000; OpenLDAP's default size limit "+
					"is 500). Defaults to %d. Environment variable: `%s`.", directory.DefaultPageSize, envDirectoryPageSize),
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(1, maxDirectoryPageSize)},
			},
			"kind": schema.StringAttribute{
				MarkdownDescription: "The server family: `generic` (the default: OpenLDAP, 389-ds, PingDirectory and " +
					"other RFC 4511 servers) or `active_directory` (Windows or Samba domain controllers), which reads a group's " +
					"members with `memberOf` searches, including the members whose primary group it is (`primaryGroupID`, as " +
					"for Domain Users), accepts UPN and `DOMAIN\\name` bind names, and treats accounts with the " +
					"`userAccountControl` ACCOUNTDISABLE bit as disabled. " +
					"Environment variable: `" + envDirectoryKind + "`.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(string(directory.KindGeneric), string(directory.KindActiveDirectory))},
			},
			"disabled_filter": schema.StringAttribute{
				MarkdownDescription: "An LDAP filter that matches disabled accounts, for example `(pwdAccountLockedTime=*)` " +
					"on OpenLDAP with ppolicy or `(nsAccountLock=TRUE)` on 389-ds. When unset, no entry counts as disabled, " +
					"except on Active Directory, where the default is `" + directory.ActiveDirectoryDisabledFilter + "`. " +
					"Environment variable: `" + envDirectoryDisabledFilter + "`.",
				Optional:   true,
				Validators: []validator.String{stringRule{"an LDAP filter", directory.ValidateFilter}},
			},
			"transitive_member_of": schema.BoolAttribute{
				MarkdownDescription: "Set when the server's `memberOf` lists nested groups too (OpenLDAP with the `dynlist` " +
					"overlay, for example): the members of a nested group are then read with one paged `(memberOf=<group>)` search " +
					"instead of walking the groups entry by entry, which is far faster for large groups. Not needed with " +
					"`kind = \"active_directory\"`, which searches `memberOf` anyway. Environment variable: `" + envDirectoryTransitiveMemberOf + "`.",
				Optional: true,
			},
		},
	}
}

// checkDirectoryURL applies the directory package's URL rules alone.
func checkDirectoryURL(value string) error {
	return directory.Config{URL: value}.Validate()
}

// checkBindName accepts the bind names some server takes; resolveDirectoryConfig then holds a
// UPN or down-level name to Active Directory, once kind is known from the block or the
// environment.
func checkBindName(value string) error {
	_, err := directory.ParseBindName(value)
	return err
}

// checkCACertPEM applies the directory package's certificate rule alone.
func checkCACertPEM(value string) error {
	return directory.Config{URL: "ldaps://directory", CACertPEM: value}.Validate()
}

// resolveDirectoryConfig merges the directory block with the CONCUR_DIRECTORY_* environment. It
// returns nil when neither names a server: the provider then has no directory.
func resolveDirectoryConfig(m *directoryModel) (*directory.Config, diag.Diagnostics) {
	blockPresent := m != nil
	if m == nil {
		m = &directoryModel{}
	}
	s := settingSource{block: "directory"}
	cfg := directory.Config{
		URL:                s.string(m.URL, "url", envDirectoryURL),
		StartTLS:           s.bool(m.StartTLS, "start_tls", envDirectoryStartTLS),
		BindDN:             s.string(m.BindDN, "bind_dn", envDirectoryBindDN),
		BindPassword:       s.string(m.BindPassword, "bind_password", envDirectoryBindPassword),
		CACertPEM:          s.string(m.CACertPEM, "ca_cert_pem", envDirectoryCACertPEM),
		InsecureSkipVerify: s.bool(m.InsecureSkipVerify, "insecure_skip_verify", envDirectoryInsecureSkipVerify),
		Timeout:            s.duration(m.Timeout, "timeout", envDirectoryTimeout, directory.DefaultTimeout),
		Kind:               directory.Kind(s.string(m.Kind, "kind", envDirectoryKind)),
		DisabledFilter:     s.string(m.DisabledFilter, "disabled_filter", envDirectoryDisabledFilter),
		TransitiveMemberOf: s.bool(m.TransitiveMemberOf, "transitive_member_of", envDirectoryTransitiveMemberOf),
	}
	pageSize := s.int(m.PageSize, "page_size", envDirectoryPageSize, directory.DefaultPageSize, 1)
	if pageSize > maxDirectoryPageSize {
		s.diags.AddAttributeError(s.at("page_size"), "Invalid environment variable",
			fmt.Sprintf("%s=%d is above the largest page size, %d. Lower it, or set \"directory.page_size\" in the provider block.",
				envDirectoryPageSize, pageSize, maxDirectoryPageSize))
	}
	cfg.PageSize = uint32(min(pageSize, maxDirectoryPageSize)) //nolint:gosec // bounded just above
	if s.diags.HasError() {
		return nil, s.diags
	}
	if cfg.URL == "" {
		if blockPresent {
			s.diags.AddAttributeError(s.at("url"), "Missing directory URL",
				"The directory block needs the server's address. Set \"directory.url\" to an ldap:// or ldaps:// URL, "+
					"or set the "+envDirectoryURL+" environment variable; or remove the block if no directory is used.")
		}
		return nil, s.diags
	}
	if err := cfg.Validate(); err != nil {
		s.diags.AddError("Invalid directory configuration",
			fmt.Sprintf("%s. Fix it in the provider's directory block or in the CONCUR_DIRECTORY_* environment variables.", err))
		return nil, s.diags
	}
	if cfg.InsecureSkipVerify {
		s.diags.AddAttributeWarning(s.at("insecure_skip_verify"), "Directory certificate not verified",
			"insecure_skip_verify is on (in the directory block or "+envDirectoryInsecureSkipVerify+"), so the provider accepts "+
				"any certificate from "+cfg.URL+" and would send the bind password to an impostor. Set ca_cert_pem to the CA that "+
				"signs the server's certificate and turn insecure_skip_verify off.")
	}
	return &cfg, s.diags
}
