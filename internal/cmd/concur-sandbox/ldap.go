package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/ldapdir"
)

// demoDisabledFilter matches the locked accounts of the demo LDIF (nsAccountLock: TRUE).
const demoDisabledFilter = "(nsAccountLock=TRUE)"

// The demo LDAP directory (internal/sandbox/ldapdir) next to the Concur API: off unless
// -ldap-addr is given, so the sandbox alone stays what it was.
func init() {
	var addr, ldifFile, changesFile, disabledFilter string
	extraServices = append(extraServices, extraService{
		name: "ldap directory",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&addr, "ldap-addr", "", "also serve the demo LDAP directory on this address, e.g. 127.0.0.1:0 (port 0 picks a free port; empty: no directory)")
			fs.StringVar(&ldifFile, "ldif", "", "LDIF file the directory serves (default: the embedded demo directory)")
			fs.StringVar(&changesFile, "ldif-changes", "", "on SIGHUP, the entries of this LDIF file replace the directory's entries of the same DN (or are added); the file is then renamed to FILE.applied")
			fs.StringVar(&disabledFilter, "ldap-disabled-filter", demoDisabledFilter, "the disabled filter printed as CONCUR_DIRECTORY_DISABLED_FILTER (matches the demo directory's locked accounts)")
		},
		start: func(ctx context.Context) ([]string, func() error, error) {
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
			if changesFile != "" {
				// Registered before the sandbox reports ready, so an early SIGHUP is never fatal.
				hangups := make(chan os.Signal, 1)
				signal.Notify(hangups, syscall.SIGHUP)
				go applyChangesOnHangup(ctx, srv, changesFile, hangups)
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

// applyChangesOnHangup lets a script change the running directory, as the demo's "next morning":
// it writes the changed entries to file and sends SIGHUP, then waits for file.applied.
func applyChangesOnHangup(ctx context.Context, srv *ldapdir.Server, file string, hangups chan os.Signal) {
	defer signal.Stop(hangups)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hangups:
			if err := applyChanges(srv, file); err != nil {
				fmt.Fprintf(os.Stderr, "concur-sandbox: directory changes from %s: %v\n", file, err)
			}
		}
	}
}

func applyChanges(srv *ldapdir.Server, file string) error {
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	entries, err := ldapdir.ParseLDIF(string(raw))
	if err != nil {
		return err
	}
	if err := srv.Put(entries...); err != nil {
		return err
	}
	return os.Rename(file, file+".applied")
}
