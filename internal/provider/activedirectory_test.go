package provider

import (
	"encoding/pem"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
	"github.com/terraform-concur/terraform-provider-concur/internal/directory/adtest"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
)

// TestAccActiveDirectory runs the provider against one Samba AD domain controller holding
// adtest's fixture; the case that changes the directory comes last.
func TestAccActiveDirectory(t *testing.T) {
	t.Parallel() // the only test of this package with a DC; adtest.Start serialises DCs anyway
	dc := adtest.Start(t)
	s := newSandbox(t)
	t.Run("Groups", func(t *testing.T) { testAccADGroups(t, dc, s) })
	t.Run("DownLevelBindName", func(t *testing.T) { testAccADDownLevelBindName(t, dc, s) })
	t.Run("ErrorsAtPlan", func(t *testing.T) { testAccADErrorsAtPlan(t, dc, s) })
	t.Run("EncryptionRequiredAdvice", func(t *testing.T) { testADEncryptionRequiredAdvice(t, dc) })
	t.Run("Mapping", func(t *testing.T) { testAccADMapping(t, dc, s) })
}

// adDirectoryBlock binds to the DC over LDAPS as bindName, the service account by DN, UPN or
// down-level name; extra lines go inside the block.
func adDirectoryBlock(dc *adtest.DC, bindName string, extra ...string) string {
	return directoryBlock(dc.LDAPSURL, bindName, adtest.ServicePassword,
		append([]string{`kind          = "active_directory"`, fmt.Sprintf("ca_cert_pem   = %q", dc.CACertPEM)}, extra...)...)
}

// Nested groups through a cycle, a non-ASCII name and a CN with a comma, members whose primary
// group is the one read (Contractors, Domain Users), disabled accounts; bound by UPN.
func testAccADGroups(t *testing.T, dc *adtest.DC, s *sandbox.Server) {
	// Independently of the provider: every user but Guest is in Domain Users, nearly all of
	// them through primaryGroupID only.
	res, err := dc.Conn(t).SearchWithPaging(ldap.NewSearchRequest(adtest.BaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		"(&(objectCategory=person)(objectClass=user)(!(sAMAccountName=Guest)))", []string{"1.1"}, nil), 500)
	if err != nil {
		t.Fatal(err)
	}
	domainUsers := len(res.Entries)
	config := directoryProviderConfig(s, adDirectoryBlock(dc, adtest.ServiceUPN)) + fmt.Sprintf(`
data "concur_directory_group" "travel" {
  dn            = %q
  attributes    = ["givenName"]
  key_attribute = "employeeID"
}

data "concur_directory_group" "staff" {
  name          = "Staff"
  base_dn       = %q
  key_attribute = "employeeID"
}

data "concur_directory_group" "contractors" {
  dn            = %q
  nested        = false
  key_attribute = "employeeID"
}

data "concur_directory_group" "domain_users" {
  dn            = %q
  nested        = false
  key_attribute = "employeeID"
}
`, adtest.GroupDN("Travel"), adtest.BaseDN, adtest.GroupDN("Contractors"), adtest.DomainUsersDN)
	travel, staff, contractors := "data.concur_directory_group.travel", "data.concur_directory_group.staff", "data.concur_directory_group.contractors"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(travel, jsonPath("members"), knownvalue.MapSizeExact(4)),
				statecheck.ExpectKnownValue(travel, jsonPath("members", "A2", "disabled"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(travel, jsonPath("members", "A3", "attributes", "givenName"), knownvalue.StringExact("Zoë")),
				statecheck.ExpectKnownValue(travel, jsonPath("members", "A3", "dn"), knownvalue.StringExact(adtest.PersonDN("Zoë Ångström"))),
				statecheck.ExpectKnownValue(travel, jsonPath("members", "A4", "dn"), knownvalue.StringExact(`CN=Doe\, John,`+adtest.PeopleDN)),
				statecheck.ExpectKnownValue(travel, jsonPath("members", "A4", "disabled"), knownvalue.Bool(false)),
				// Cara and Dan are in Contractors only through primaryGroupID.
				statecheck.ExpectKnownValue(staff, jsonPath("dn"), knownvalue.StringExact(adtest.GroupDN("Staff"))),
				statecheck.ExpectKnownValue(staff, jsonPath("members"), knownvalue.MapSizeExact(3)),
				statecheck.ExpectKnownValue(staff, jsonPath("members", "A5", "disabled"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(staff, jsonPath("members", "A6", "disabled"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(contractors, jsonPath("member_count"), knownvalue.Int64Exact(2)),
				statecheck.ExpectKnownValue(contractors, jsonPath("members", "A5", "dn"), knownvalue.StringExact(adtest.PersonDN("Cara Cole"))),
				statecheck.ExpectKnownValue("data.concur_directory_group.domain_users", jsonPath("member_count"), knownvalue.Int64Exact(int64(domainUsers))),
				statecheck.ExpectKnownValue("data.concur_directory_group.domain_users", jsonPath("members", "B1699", "dn"), knownvalue.StringExact(adtest.BulkUserDN(1699))),
			},
		}},
	})
}

// A down-level logon name (TEST\svc-concur, "TEST\\svc-concur" in HCL) binds as well.
func testAccADDownLevelBindName(t *testing.T, dc *adtest.DC, s *sandbox.Server) {
	config := directoryProviderConfig(s, adDirectoryBlock(dc, adtest.ServiceDownLevel)) + fmt.Sprintf(`
data "concur_directory_group" "contractors" {
  dn            = %q
  key_attribute = "employeeID"
}
`, adtest.GroupDN("Contractors"))
	if !strings.Contains(config, `"TEST\\svc-concur"`) {
		t.Fatalf("the configuration does not write the bind name as HCL: %s", config)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.concur_directory_group.contractors", jsonPath("members"), knownvalue.MapSizeExact(2)),
			},
		}},
	})
}

func testAccADErrorsAtPlan(t *testing.T, dc *adtest.DC, s *sandbox.Server) {
	contractors := fmt.Sprintf("\ndata \"concur_directory_group\" \"g\" {\n  dn = %q\n  key_attribute = \"employeeID\"\n}\n", adtest.GroupDN("Contractors"))
	der, _ := adtest.NegativeSerialCertificate(t)
	negative := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	for _, tc := range []struct {
		name, block, want string
	}{
		{"plain bind",
			directoryBlock(dc.URL, adtest.ServiceUPN, adtest.ServicePassword, `kind = "active_directory"`),
			`(?s)Directory server requires an encrypted connection.*Transport encryption required\.\s+The server accepts the bind only over TLS.*ldaps://.*directory.start_tls = true`},
		{"UPN on a generic server",
			directoryBlock(dc.LDAPSURL, adtest.ServiceUPN, adtest.ServicePassword, fmt.Sprintf("ca_cert_pem = %q", dc.CACertPEM)),
			`(?s)Invalid directory configuration.*is a user principal name, which only Active Directory accepts.*set kind to "active_directory"`},
		{"neither DN nor account name",
			adDirectoryBlock(dc, "svc concur"),
			`(?s)Invalid directory.bind_dn.*"svc concur" is neither a DN`},
		{"CA Go refuses",
			directoryBlock(dc.LDAPSURL, adtest.ServiceUPN, adtest.ServicePassword, `kind = "active_directory"`, fmt.Sprintf("ca_cert_pem = %q", negative)),
			`(?s)Invalid directory.ca_cert_pem.*holds a certificate Go refuses to parse.*negative serial number.*GODEBUG=x509negativeserial=1`},
		{"no CA",
			directoryBlock(dc.LDAPSURL, adtest.ServiceUPN, adtest.ServicePassword, `kind = "active_directory"`),
			`(?s)Directory server certificate not trusted.*Set directory.ca_cert_pem`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					Config:      directoryProviderConfig(s, tc.block) + contractors,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(wrapTolerant(tc.want)),
				}},
			})
		})
	}
}

// The diagnostic of a bind the DC refuses on a plain connection says to use TLS, after the
// DC's own reason, with one period between them.
func testADEncryptionRequiredAdvice(t *testing.T, dc *adtest.DC) {
	client, err := directory.New(directory.Config{URL: dc.URL, BindDN: adtest.ServiceUPN, BindPassword: adtest.ServicePassword,
		Kind: directory.KindActiveDirectory, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	var diags diag.Diagnostics
	addDirectoryError(&diags, "Reading the members of the group", client.Ping(t.Context()))
	if len(diags) != 1 || diags[0].Summary() != "Directory server requires an encrypted connection" {
		t.Fatalf("diagnostics: %v", diags)
	}
	detail := diags[0].Detail()
	if strings.Contains(detail, "..") || !strings.Contains(detail, "Transport encryption required.\n\n") || !strings.Contains(detail, "start_tls") {
		t.Errorf("detail: %s", detail)
	}
}

// A channel over AD groups provisions exactly their enabled members, primary ones included;
// an account an administrator disables is deprovisioned by the next apply.
func testAccADMapping(t *testing.T, dc *adtest.DC, s *sandbox.Server) {
	mapping := func(name, group string) string {
		return fmt.Sprintf(`
resource "concur_provisioning_mapping" %q {
  source = {
    group_dn = %q
  }
  attribute_mapping = {
    emp_id     = "{employeeID}"
    login_id   = "{mail|lower}"
    email      = "{mail|lower}"
    first_name = "{givenName}"
    last_name  = "{sn}"
  }
}
`, name, group)
	}
	config := directoryProviderConfig(s, adDirectoryBlock(dc, adtest.ServiceDN)) + mapping("travel", adtest.GroupDN("Travel")) + mapping("staff", adtest.GroupDN("Contractors"))
	disableZoe := func() {
		conn := dc.Conn(t)
		disable := ldap.NewModifyRequest(adtest.PersonDN("Zoë Ångström"), nil)
		disable.Replace("userAccountControl", []string{"546"}) // NORMAL_ACCOUNT | PASSWD_NOTREQD | ACCOUNTDISABLE
		if err := conn.Modify(disable); err != nil {
			t.Fatal(err)
		}
	}
	// The second channel reads Contractors rather than Staff: Staff holds Ann (A1) too, and a
	// person has one owner in a configuration.
	travel, staff := "concur_provisioning_mapping.travel", "concur_provisioning_mapping.staff"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					// Ben (A2) and Dan (A6) are disabled and not provisioned.
					statecheck.ExpectKnownValue(travel, jsonPath("users"), knownvalue.MapSizeExact(3)),
					statecheck.ExpectKnownValue(travel, jsonPath("users", "A4"), userField("active", knownvalue.Bool(true))),
					statecheck.ExpectKnownValue(staff, jsonPath("users"), knownvalue.MapSizeExact(1)),
					statecheck.ExpectKnownValue(staff, jsonPath("users", "A5"), userField("active", knownvalue.Bool(true))),
					expectField(s, "A3", "name.givenName", "Zoë"),
					expectField(s, "A5", "active", true),
					sandboxCheck(func() error {
						for _, empID := range []string{"A2", "A6"} {
							if _, ok := s.UserByEmployeeNumber(empID); ok {
								return fmt.Errorf("disabled %s was provisioned", empID)
							}
						}
						return nil
					}),
				},
			},
			{
				PreConfig: disableZoe,
				Config:    config,
				ConfigStateChecks: []statecheck.StateCheck{
					expectField(s, "A3", "active", false),
					expectField(s, "A1", "active", true),
				},
			},
		},
	})
}
