package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/ldapdir"
)

// demoDisabledFilter matches the locked accounts of the demo LDIF (nsAccountLock: TRUE).
const demoDisabledFilter = "(nsAccountLock=TRUE)"

// The demo LDAP directory (internal/sandbox/ldapdir) next to the Concur API: off unless
// -ldap-addr is given, so the sandbox alone stays what it was.
func init() {
	var addr, ldifFile, disabledFilter string
	extraServices = append(extraServices, extraService{
		name: "ldap directory",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&addr, "ldap-addr", "", "also serve the demo LDAP directory on this address, e.g. 127.0.0.1:0 (port 0 picks a free port; empty: no directory)")
			fs.StringVar(&ldifFile, "ldif", "", "LDIF file the directory serves (default: the embedded demo directory)")
			fs.StringVar(&disabledFilter, "ldap-disabled-filter", demoDisabledFilter, "the disabled filter printed as CONCUR_DIRECTORY_DISABLED_FILTER (matches the demo directory's locked accounts)")
		},
		start: func(context.Context) ([]string, func() error, error) {
			if addr == "" {
				return nil, func() error { return nil }, nil
			}
			cfg := ldapdir.DemoConfig()
			if ldifFile != "" {
				raw, err := os.ReadFile(ldifFile)
				if err != nil {
					return nil, nil, err
				}
				cfg.LDIF = string(raw)
			}
			srv, err := ldapdir.Start(addr, cfg)
			if err != nil {
				return nil, nil, fmt.Errorf("serve %s: %w", addr, err)
			}
			env := []string{
				exportLine("CONCUR_DIRECTORY_URL", srv.URL()),
				exportLine("CONCUR_DIRECTORY_BIND_DN", cfg.BindDN),
				exportLine("CONCUR_DIRECTORY_BIND_PASSWORD", cfg.BindPassword),
			}
			if disabledFilter != "" {
				env = append(env, exportLine("CONCUR_DIRECTORY_DISABLED_FILTER", disabledFilter))
			}
			return env, srv.Close, nil
		},
	})
}
