package ldaptest

import (
	"strings"
	"text/template"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory/internal/servertest"
)

// slapdConf is the whole server. memberof keeps the direct memberOf of
// groupOfNames members up to date; dynlist adds the nested memberOf (the "*"
// after the group class), which search filters can use too. ppolicy brings
// the pwdAccountLockedTime attribute that marks a locked account.
//
// Two subtrees have access rules of their own, for tests of what a service
// account may not do: ou=hidden is invisible to everyone but the rootdn, and
// under ou=unsearchable entries may be read but not found by a filter on
// entryDN (compare access only, below search).
var slapdConf = template.Must(template.New("slapd.conf").Parse(`
include {{.SchemaDir}}/core.schema
include {{.SchemaDir}}/cosine.schema
include {{.SchemaDir}}/inetorgperson.schema
include {{.SchemaDir}}/nis.schema
include {{.SchemaDir}}/dyngroup.schema

modulepath {{.ModuleDir}}
moduleload back_mdb
{{- if not .WithoutMemberOf}}
moduleload memberof
moduleload dynlist
{{- end}}
moduleload ppolicy

pidfile {{.Dir}}/slapd.pid
argsfile {{.Dir}}/slapd.args
{{if .SizeLimit}}
# Ordinary searches stop at SizeLimit entries; paged searches may return
# everything, as Active Directory's MaxPageSize behaves.
sizelimit size.soft={{.SizeLimit}} size.hard={{.SizeLimit}} size.prtotal=unlimited
{{end}}
{{if .TLS}}
TLSCACertificateFile {{.TLS.CAFile}}
TLSCertificateFile {{.TLS.Cert}}
TLSCertificateKeyFile {{.TLS.Key}}
{{end}}
database mdb
maxsize 268435456
suffix "{{.Suffix}}"
rootdn "{{.AdminDN}}"
rootpw {{.AdminPassword}}
directory {{.Dir}}/data
# A throwaway database needs no fsync per write; it makes loading thousands
# of entries many times faster.
dbnosync
index objectClass eq
index cn,uid,memberUid eq,sub
index member,uniqueMember eq
{{- if not .WithoutMemberOf}}
index memberOf eq
{{- end}}

access to attrs=userPassword
  by anonymous auth
  by self write
  by * none
access to dn.subtree="ou=hidden,{{.Suffix}}"
  by * none
access to dn.subtree="ou=unsearchable,{{.Suffix}}" attrs=entryDN
  by * compare
access to *
  by * read
{{if not .WithoutMemberOf}}
overlay memberof
overlay dynlist
dynlist-attrset groupOfURLs memberURL member+memberOf@groupOfNames*
{{- end}}
{{if .Monitor}}
# Operation counters under cn=Monitor (the backend is built into Debian's slapd).
database monitor
access to *
  by dn.exact="{{.AdminDN}}" read
  by * none
{{end}}
`))

type confValues struct {
	SchemaDir, ModuleDir, Dir string
	Suffix, AdminDN           string
	AdminPassword             string
	SizeLimit                 int
	Monitor                   bool
	WithoutMemberOf           bool
	TLS                       *servertest.TLSFiles
}

func renderConf(v confValues) (string, error) {
	var b strings.Builder
	err := slapdConf.Execute(&b, v)
	return b.String(), err
}
