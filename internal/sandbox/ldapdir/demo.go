package ldapdir

import _ "embed"

// DemoLDIF is the demo directory; see the comments at the top of demo.ldif.
//
//go:embed demo.ldif
var DemoLDIF string

// The demo's bind account, matching demo.ldif's notes.
const (
	DemoBindDN       = "cn=admin,dc=example,dc=com"
	DemoBindPassword = "demo-password"
)

// DemoConfig serves DemoLDIF with the demo's bind account.
func DemoConfig() Config {
	return Config{LDIF: DemoLDIF, BindDN: DemoBindDN, BindPassword: DemoBindPassword}
}
