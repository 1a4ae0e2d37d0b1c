package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

const lookupConfig = `
data "concur_user" "boss" {
  emp_id = "M001"
}
`

// The environment alone configures the provider, as in a Terraform Cloud workspace.
func TestAccProvider_environmentOnly(t *testing.T) {
	s := newSandbox(t)
	seedUsers(t, s, seededUser(s, "M001", "boss@example.com", "Bea", "Boss"))
	c := s.Credentials()
	t.Setenv(envBaseURL, s.URL())
	t.Setenv(envClientID, c.ClientID)
	t.Setenv(envClientSecret, c.ClientSecret)
	t.Setenv(envRefreshToken, c.RefreshToken)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: `provider "concur" {}` + lookupConfig,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.concur_user.boss", tfjsonpath.New("login_id"), knownvalue.StringExact("boss@example.com")),
			},
		}},
	})
}

// The company request token is exchanged for tokens (credtype=authtoken).
func TestAccProvider_requestTokenExchange(t *testing.T) {
	s := newSandbox(t)
	seedUsers(t, s, seededUser(s, "M001", "boss@example.com", "Bea", "Boss"))
	c := s.Credentials()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "concur" {
  base_url      = %q
  client_id     = %q
  client_secret = %q
  company_uuid  = %q
  request_token = %q
}
`, s.URL(), c.ClientID, c.ClientSecret, c.CompanyUUID, c.RequestToken) + lookupConfig,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.concur_user.boss", tfjsonpath.New("first_name"), knownvalue.StringExact("Bea")),
			},
		}},
	})
}

func TestAccProvider_incompleteCredentialsFailAtPlan(t *testing.T) {
	for _, name := range []string{envBaseURL, envClientID, envClientSecret, envRefreshToken, envCompanyUUID, envRequestToken, envAccessToken, envTokenFile} {
		t.Setenv(name, "")
	}
	cases := []struct {
		name, provider, want string
	}{
		{"no credential", `provider "concur" {}`, `(?s)Missing Concur credentials.*CONCUR_REFRESH_TOKEN.*CONCUR_REQUEST_TOKEN.*CONCUR_ACCESS_TOKEN`},
		{"refresh token without client", `provider "concur" { refresh_token = "r" }`, `(?s)also needs: client_id \(CONCUR_CLIENT_ID\), client_secret \(CONCUR_CLIENT_SECRET\)`},
		{"request token without company uuid", `provider "concur" {
  client_id     = "i"
  client_secret = "s"
  request_token = "t"
}`, `(?s)also needs: company_uuid \(CONCUR_COMPANY_UUID\)`},
		{"two credentials", `provider "concur" {
  refresh_token = "r"
  access_token  = "a"
}`, `Set exactly one credential`},
		{"bad timeout", `provider "concur" {
  access_token    = "a"
  request_timeout = "soon"
}`, `not a positive Go duration`},
		{"bad base url", `provider "concur" {
  access_token = "a"
  base_url     = "us2.api.concursolutions.com"
}`, `not an absolute http\(s\) URL`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					Config:      tc.provider + lookupConfig,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(wrapTolerant(tc.want)),
				}},
			})
		})
	}
}
