package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
)

var (
	_ datasource.DataSourceWithConfigure        = &directoryGroupDataSource{}
	_ datasource.DataSourceWithConfigValidators = &directoryGroupDataSource{}
)

type directoryGroupDataSource struct {
	data *providerData
}

// NewDirectoryGroupDataSource is the factory for the concur_directory_group data source.
func NewDirectoryGroupDataSource() datasource.DataSource { return &directoryGroupDataSource{} }

type directoryGroupDataSourceModel struct {
	DN              types.String                    `tfsdk:"dn"`
	Name            types.String                    `tfsdk:"name"`
	BaseDN          types.String                    `tfsdk:"base_dn"`
	NamingAttribute types.String                    `tfsdk:"naming_attribute"`
	Nested          types.Bool                      `tfsdk:"nested"`
	Attributes      []types.String                  `tfsdk:"attributes"`
	KeyAttribute    types.String                    `tfsdk:"key_attribute"`
	UserBaseDN      types.String                    `tfsdk:"user_base_dn"`
	Members         map[string]directoryMemberModel `tfsdk:"members"`
	MemberCount     types.Int64                     `tfsdk:"member_count"`
}

type directoryMemberModel struct {
	DN         types.String      `tfsdk:"dn"`
	Disabled   types.Bool        `tfsdk:"disabled"`
	Attributes map[string]string `tfsdk:"attributes"`
}

func (d *directoryGroupDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_directory_group"
}

func (d *directoryGroupDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	dnRule := stringRule{"an LDAP DN", directory.ValidateDN}
	attributeRule := stringRule{"an LDAP attribute name", checkAttributeName}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one group of the provider's LDAP directory and its members, keyed by a " +
			"directory attribute such as `employeeNumber`, ready for `for_each` into `concur_user`. " +
			"Name the group by `dn`, or by `name` under `base_dn`. Members come from `member`, `uniqueMember` and " +
			"`memberUid`, and with `nested` from member groups at any depth. Members that cannot be keyed (no key " +
			"attribute, or a key that another member also has) are left out of `members` and named in a warning, " +
			"never dropped silently. Needs the provider's `directory` block.",
		Attributes: map[string]schema.Attribute{
			"dn": schema.StringAttribute{
				MarkdownDescription: "The DN of the group, for example `cn=concur-users,ou=groups,dc=example,dc=com`. " +
					"Set either `dn` or `name`. When the group is named by `name`, this is the DN that was found.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{dnRule},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The group's name: the value of `naming_attribute` of a group somewhere under " +
					"`base_dn`. Exactly one group must match.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"base_dn": schema.StringAttribute{
				MarkdownDescription: "Where to search for the group named by `name`, for example `ou=groups,dc=example,dc=com`. " +
					"Required with `name`.",
				Optional:   true,
				Validators: []validator.String{dnRule},
			},
			"naming_attribute": schema.StringAttribute{
				MarkdownDescription: "The attribute that holds the group's `name`. Defaults to `cn` when the group is named by `name`.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{attributeRule},
			},
			"nested": schema.BoolAttribute{
				MarkdownDescription: "Whether the members of member groups count too, at any depth (each group is read " +
					"once, so cycles end). Defaults to `true`.",
				Optional: true,
				Computed: true,
			},
			"attributes": schema.ListAttribute{
				MarkdownDescription: "The directory attributes to read for each member, for example " +
					"`[\"mail\", \"givenName\", \"sn\", \"title\"]`. The key attribute is always read.",
				ElementType: types.StringType,
				Optional:    true,
				Validators:  []validator.List{listvalidator.ValueStringsAre(attributeRule)},
			},
			"key_attribute": schema.StringAttribute{
				MarkdownDescription: "The attribute whose value keys `members`, for example `employeeNumber` or " +
					"`employeeID`: use the attribute that holds the Concur employee ID (`emp_id`).",
				Required:   true,
				Validators: []validator.String{attributeRule},
			},
			"user_base_dn": schema.StringAttribute{
				MarkdownDescription: "Where `memberUid` values are looked up and where server-side nesting searches, for " +
					"example `ou=people,dc=example,dc=com`. Defaults to the naming context that holds the group.",
				Optional:   true,
				Validators: []validator.String{dnRule},
			},
			"members": schema.MapNestedAttribute{
				MarkdownDescription: "The user members (groups among the members are not listed), keyed by the value " +
					"of `key_attribute`. Members without the key attribute, and members whose key another member " +
					"also has, are not in the map; a warning names them.",
				Computed: true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"dn": schema.StringAttribute{
						MarkdownDescription: "The member's DN.",
						Computed:            true,
					},
					"disabled": schema.BoolAttribute{
						MarkdownDescription: "Whether the member matches the provider's `directory.disabled_filter` " +
							"(on Active Directory: has the ACCOUNTDISABLE bit). Always `false` when no disabled filter applies.",
						Computed: true,
					},
					"attributes": schema.MapAttribute{
						MarkdownDescription: "The requested attributes and the key attribute, spelled as requested, each with " +
							"its first value only (a multi-valued attribute such as `mail` gives its first value). " +
							"An attribute the member does not have is absent: read it with " +
							"`lookup(each.value.attributes, \"title\", null)`.",
						ElementType: types.StringType,
						Computed:    true,
					},
				}},
			},
			"member_count": schema.Int64Attribute{
				MarkdownDescription: "How many user members the group has, including those left out of `members` " +
					"because they have no key or share one. `length(members) < member_count` means some were left out.",
				Computed: true,
			},
		},
	}
}

func (d *directoryGroupDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("dn"), path.MatchRoot("name")),
		datasourcevalidator.RequiredTogether(path.MatchRoot("name"), path.MatchRoot("base_dn")),
		datasourcevalidator.Conflicting(path.MatchRoot("dn"), path.MatchRoot("base_dn")),
		datasourcevalidator.Conflicting(path.MatchRoot("dn"), path.MatchRoot("naming_attribute")),
	}
}

func (d *directoryGroupDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	data, diags := providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	d.data = data
}

func (d *directoryGroupDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config directoryGroupDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client := d.data.directoryClient(&resp.Diagnostics, "The concur_directory_group data source")
	if client == nil {
		return
	}

	query, key := config.query()
	result, err := client.GroupMembers(ctx, query)
	if errors.Is(err, directory.ErrNotFound) || errors.Is(err, directory.ErrAmbiguous) {
		at, what := config.groupArgument()
		summary, advice := "Directory group not found", fmt.Sprintf("Check %s, and that the bind account may read it.", at)
		if errors.Is(err, directory.ErrAmbiguous) {
			summary, advice = "More than one directory group matches", "Name the group by dn instead, or narrow base_dn."
		}
		resp.Diagnostics.AddAttributeError(at, summary, fmt.Sprintf("Reading the members of %s failed: %s.\n\n%s", what, err, advice))
		return
	}
	if err != nil {
		_, what := config.groupArgument()
		addDirectoryError(&resp.Diagnostics, "Reading the members of "+what, err)
		return
	}

	keyed := directory.KeyBy(result.Members, key)
	config.setResult(result, keyed)
	resp.Diagnostics.Append(memberWarnings(result.DN, key, keyed, result.Unresolved)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &config)...)
}

// query is the directory query the configuration asks for, and the spelling of the key attribute
// among the attributes read (Entry.Attributes is keyed by the requested spelling).
func (m *directoryGroupDataSourceModel) query() (directory.GroupQuery, string) {
	if m.Nested.IsNull() || m.Nested.IsUnknown() {
		m.Nested = types.BoolValue(true)
	}
	if m.NamingAttribute.IsNull() && !m.Name.IsNull() {
		m.NamingAttribute = types.StringValue("cn")
	}
	names := make([]string, 0, len(m.Attributes)+1)
	for _, a := range m.Attributes {
		names = append(names, a.ValueString())
	}
	attributes := directory.WithAttributes(nil, append(names, m.KeyAttribute.ValueString())...)
	key := m.KeyAttribute.ValueString()
	for _, name := range attributes {
		if strings.EqualFold(name, key) {
			key = name // the spelling the list keeps
		}
	}
	return directory.GroupQuery{
		DN:              m.DN.ValueString(),
		Name:            m.Name.ValueString(),
		BaseDN:          m.BaseDN.ValueString(),
		NamingAttribute: m.NamingAttribute.ValueString(),
		Nested:          m.Nested.ValueBool(),
		UserBaseDN:      m.UserBaseDN.ValueString(),
		Attributes:      attributes,
	}, key
}

// groupArgument is the argument that named the group and how messages describe the group.
func (m *directoryGroupDataSourceModel) groupArgument() (path.Path, string) {
	if !m.Name.IsNull() {
		return path.Root("name"), fmt.Sprintf("the group %s=%q under %q", m.NamingAttribute.ValueString(), m.Name.ValueString(), m.BaseDN.ValueString())
	}
	return path.Root("dn"), fmt.Sprintf("the group %q", m.DN.ValueString())
}

// setResult maps the directory's answer onto the computed attributes.
func (m *directoryGroupDataSourceModel) setResult(result directory.GroupResult, keyed directory.Keyed) {
	m.DN = types.StringValue(result.DN)
	m.MemberCount = types.Int64Value(int64(len(result.Members)))
	m.Members = make(map[string]directoryMemberModel, len(keyed.ByKey))
	for key, entry := range keyed.ByKey {
		attributes := make(map[string]string, len(entry.Attributes))
		for name := range entry.Attributes {
			attributes[name] = entry.Value(name)
		}
		m.Members[key] = directoryMemberModel{
			DN:         types.StringValue(entry.DN),
			Disabled:   types.BoolValue(entry.Disabled),
			Attributes: attributes,
		}
	}
}

// memberWarnings names every member that is not in members, and every member value of the group
// that names no entry, so nobody is left out silently.
func memberWarnings(groupDN, key string, keyed directory.Keyed, unresolved []directory.UnresolvedMember) diag.Diagnostics {
	return keyedEntries{
		title: "Group members", one: "member", many: "members", of: fmt.Sprintf("%q", groupDN), key: key, leftOut: "in members",
		missingOne:    fmt.Sprintf("has no %s, so it cannot be keyed and is not in members", key),
		missingMany:   fmt.Sprintf("have no %s, so they cannot be keyed and are not in members", key),
		fixMissing:    fmt.Sprintf("Set %s on them in the directory, or choose another key_attribute.", key),
		fixUnresolved: "Remove them from the group, or check that the bind account may read them.",
	}.warnings(keyed.MissingKey, keyed.Duplicates, unresolved)
}

// checkAttributeName applies the directory package's rule for a naming attribute (a name or an
// OID, without options or filter syntax) to any attribute argument.
func checkAttributeName(value string) error {
	q := directory.GroupQuery{Name: "x", BaseDN: "dc=x", NamingAttribute: value}
	if value == "" || q.Validate() != nil {
		return fmt.Errorf("%q is not an LDAP attribute name: write a name such as employeeNumber, or an OID, "+
			"without spaces, options (;) or filter syntax", value)
	}
	return nil
}
