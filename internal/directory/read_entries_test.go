package directory_test

import (
	"context"
	"testing"
	"time"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/ldapdir"
)

func TestReadEntriesSkipsDNsThatNameNoEntry(t *testing.T) {
	t.Parallel()
	srv, err := ldapdir.Start("127.0.0.1:0", ldapdir.DemoConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	client, err := directory.New(directory.Config{URL: srv.URL(), BindDN: ldapdir.DemoBindDN, BindPassword: ldapdir.DemoBindPassword, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	entries, err := client.ReadEntries(ctx, []string{
		"UID=alice.martin, ou=people,dc=example,dc=com", // another spelling of the DN
		"uid=nobody,ou=people,dc=example,dc=com",
	}, []string{"employeeNumber"})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Value("employeeNumber") != "1001" {
		t.Fatalf("entries = %+v, want alice with employeeNumber 1001 only", entries)
	}
	if _, err := client.ReadEntries(ctx, []string{"not a dn"}, nil); err == nil {
		t.Error("an invalid DN was accepted")
	}
}
