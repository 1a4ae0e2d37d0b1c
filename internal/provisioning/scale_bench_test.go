package provisioning

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/ldapdir"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/sandboxtest"
)

// scaleUsers is the size of the company the scale benchmarks provision.
const scaleUsers = 10000

// scaleLDIF is a directory of n people, all members of cn=everyone.
func scaleLDIF(n int) string {
	var b strings.Builder
	b.WriteString("dn: dc=scale,dc=test\nobjectClass: dcObject\nobjectClass: organization\ndc: scale\no: Scale\n\n")
	b.WriteString("dn: ou=people,dc=scale,dc=test\nobjectClass: organizationalUnit\nou: people\n\n")
	b.WriteString("dn: ou=groups,dc=scale,dc=test\nobjectClass: organizationalUnit\nou: groups\n\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "dn: uid=u%06d,ou=people,dc=scale,dc=test\nobjectClass: inetOrgPerson\nuid: u%06d\ncn: User %d\n"+
			"givenName: Given%d\nsn: Family%d\nmail: u%06d@scale.test\nemployeeNumber: %06d\ntitle: Title %d\n\n", i, i, i, i, i, i, i, i%50)
	}
	b.WriteString("dn: cn=everyone,ou=groups,dc=scale,dc=test\nobjectClass: groupOfNames\ncn: everyone\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "member: uid=u%06d,ou=people,dc=scale,dc=test\n", i)
	}
	return b.String()
}

type scaleSetup struct {
	dir     *directory.Client
	channel Channel
}

func newScaleSetup(b *testing.B, source Source) scaleSetup {
	b.Helper()
	srv, err := ldapdir.Start("127.0.0.1:0", ldapdir.Config{LDIF: scaleLDIF(scaleUsers), BindDN: "cn=admin,dc=scale,dc=test", BindPassword: "pw"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	dir, err := directory.New(directory.Config{URL: srv.URL(), BindDN: "cn=admin,dc=scale,dc=test", BindPassword: "pw", PageSize: 1000})
	if err != nil {
		b.Fatal(err)
	}
	mapping, err := CompileMapping(map[string]string{
		AttrEmpID: "{employeeNumber}", AttrLoginID: "{mail|lower}", AttrEmail: "{mail|lower}",
		AttrFirstName: "{givenName}", AttrLastName: "{sn}", AttrTitle: "{title}", AttrDepartment: "Scale",
	}, nil)
	if err != nil {
		b.Fatal(err)
	}
	return scaleSetup{dir: dir, channel: Channel{Source: source, Mapping: mapping,
		Options: Options{DeprovisionAction: DeprovisionDeactivate, MaxDeprovisions: 25}}}
}

func newScaleClient(b *testing.B) *concur.Client {
	b.Helper()
	s := sandboxtest.NewServer(b, sandbox.Options{})
	c := s.Credentials()
	client, err := concur.New(context.Background(), concur.Config{BaseURL: s.URL(), ClientID: c.ClientID, ClientSecret: c.ClientSecret,
		RefreshToken: c.RefreshToken, CompanyID: c.CompanyID, MaxConcurrency: 16})
	if err != nil {
		b.Fatal(err)
	}
	return client
}

// BenchmarkFirstApply provisions a 10,000-person group into an empty Concur: the plan (directory
// read, render, batched lookup) and the apply (10,000 creates through the sandbox).
func BenchmarkFirstApply(b *testing.B) {
	for _, source := range []Source{
		{GroupDN: "cn=everyone,ou=groups,dc=scale,dc=test", Nested: true, BaseDN: "ou=people,dc=scale,dc=test"},
		{Filter: "(objectClass=inetOrgPerson)", BaseDN: "ou=people,dc=scale,dc=test", Scope: directory.ScopeOne},
	} {
		name := "group"
		if source.Filter != "" {
			name = "filter"
		}
		b.Run(name, func(b *testing.B) {
			setup := newScaleSetup(b, source)
			ctx := context.Background()
			for b.Loop() {
				b.StopTimer()
				client := newScaleClient(b)
				b.StartTimer()
				plan, _, err := PlanChannel(ctx, client, setup.dir, setup.channel, nil)
				if err != nil {
					b.Fatal(err)
				}
				recorded, failures, err := Apply(ctx, client, nil, plan.Users, Ownership{})
				if err != nil || len(failures) > 0 || len(recorded) != scaleUsers {
					b.Fatalf("error %v, %d failures, %d recorded: %v", err, len(failures), len(recorded), failures[:min(3, len(failures))])
				}
			}
			b.ReportMetric(float64(scaleUsers), "users/op")
		})
	}
}

// BenchmarkSteadyStatePlan is the everyday run: refresh 10,000 managed users from Concur and plan
// against the directory with nothing to change.
func BenchmarkSteadyStatePlan(b *testing.B) {
	setup := newScaleSetup(b, Source{GroupDN: "cn=everyone,ou=groups,dc=scale,dc=test", Nested: true, BaseDN: "ou=people,dc=scale,dc=test"})
	ctx := context.Background()
	client := newScaleClient(b)
	plan, _, err := PlanChannel(ctx, client, setup.dir, setup.channel, nil)
	if err != nil {
		b.Fatal(err)
	}
	managed, failures, err := Apply(ctx, client, nil, plan.Users, Ownership{})
	if err != nil || len(failures) > 0 {
		b.Fatal(err, failures)
	}
	for b.Loop() {
		refreshed, err := Refresh(ctx, client, managed, nil, "")
		if err != nil {
			b.Fatal(err)
		}
		next, _, err := PlanChannel(ctx, client, setup.dir, setup.channel, refreshed)
		if err != nil {
			b.Fatal(err)
		}
		if len(next.Changes) != 0 {
			b.Fatalf("steady state planned %d changes: %v", len(next.Changes), next.Changes[:min(3, len(next.Changes))])
		}
	}
	b.ReportMetric(float64(scaleUsers), "users/op")
}
