package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
)

// Environment variables of the directory block, read when the matching argument is not set.
const (
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
