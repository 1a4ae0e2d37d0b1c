package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
	"github.com/terraform-concur/terraform-provider-concur/internal/directory/ldaptest"
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
	t.Parallel()
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

func clearDirectoryEnv(t *testing.T) {
	for _, name := range []string{envDirectoryURL, envDirectoryStartTLS, envDirectoryBindDN, envDirectoryBindPassword, envDirectoryCACertPEM,
		envDirectoryInsecureSkipVerify, envDirectoryTimeout, envDirectoryPageSize, envDirectoryKind, envDirectoryDisabledFilter,
		envDirectoryTransitiveMemberOf} {
		t.Setenv(name, "")
	}
}

func TestResolveDirectoryConfig(t *testing.T) {
	t.Run("no block and no environment means no directory", func(t *testing.T) {
		clearDirectoryEnv(t)
		cfg, diags := resolveDirectoryConfig(nil)
		if cfg != nil || diags.HasError() || len(diags) != 0 {
			t.Errorf("got %+v, %v", cfg, diags)
		}
	})
	t.Run("the environment alone configures it", func(t *testing.T) {
		clearDirectoryEnv(t)
		t.Setenv(envDirectoryURL, "ldaps://dc1.example.com")
		t.Setenv(envDirectoryBindDN, "cn=reader,dc=example,dc=com")
		t.Setenv(envDirectoryBindPassword, "pw")
		t.Setenv(envDirectoryTimeout, "5s")
		t.Setenv(envDirectoryPageSize, "200")
		t.Setenv(envDirectoryKind, "active_directory")
		t.Setenv(envDirectoryTransitiveMemberOf, "true")
		cfg, diags := resolveDirectoryConfig(nil)
		if diags.HasError() || cfg == nil {
			t.Fatalf("diagnostics: %v", diags)
		}
		want := directory.Config{URL: "ldaps://dc1.example.com", BindDN: "cn=reader,dc=example,dc=com", BindPassword: "pw",
			Timeout: 5 * time.Second, PageSize: 200, Kind: directory.KindActiveDirectory, TransitiveMemberOf: true}
		if *cfg != want {
			t.Errorf("got %+v\nwant %+v", *cfg, want)
		}
	})
	t.Run("the block wins over the environment", func(t *testing.T) {
		clearDirectoryEnv(t)
		t.Setenv(envDirectoryURL, "ldap://env.example.com")
		t.Setenv(envDirectoryDisabledFilter, "(nsAccountLock=TRUE)")
		cfg, diags := resolveDirectoryConfig(&directoryModel{URL: types.StringValue("ldap://block.example.com"), StartTLS: types.BoolValue(true)})
		if diags.HasError() || cfg == nil || cfg.URL != "ldap://block.example.com" || !cfg.StartTLS || cfg.DisabledFilter != "(nsAccountLock=TRUE)" ||
			cfg.Timeout != directory.DefaultTimeout || cfg.PageSize != directory.DefaultPageSize {
			t.Errorf("got %+v, %v", cfg, diags)
		}
	})
	t.Run("a block without a URL is an error on directory.url", func(t *testing.T) {
		clearDirectoryEnv(t)
		_, diags := resolveDirectoryConfig(&directoryModel{BindDN: types.StringValue("cn=x")})
		if !diags.HasError() || !strings.Contains(diags[0].Detail(), envDirectoryURL) {
			t.Fatalf("diagnostics: %v", diags)
		}
		if d, ok := diags[0].(diag.DiagnosticWithPath); !ok || d.Path().String() != "directory.url" {
			t.Errorf("path: %v", diags[0])
		}
	})
	t.Run("insecure_skip_verify warns", func(t *testing.T) {
		clearDirectoryEnv(t)
		t.Setenv(envDirectoryInsecureSkipVerify, "true")
		cfg, diags := resolveDirectoryConfig(&directoryModel{URL: types.StringValue("ldaps://dc1.example.com")})
		if diags.HasError() || cfg == nil || !cfg.InsecureSkipVerify || len(diags) != 1 ||
			diags[0].Severity() != diag.SeverityWarning || !strings.Contains(diags[0].Detail(), "ca_cert_pem") {
			t.Errorf("got %+v, %v", cfg, diags)
		}
	})
	t.Run("invalid environment values name the variable", func(t *testing.T) {
		for _, tc := range []struct{ env, value, want string }{
			{envDirectoryStartTLS, "yes please", envDirectoryStartTLS + `="yes please" is not true or false`},
			{envDirectoryPageSize, "1000001", "above the largest page size"},
			{envDirectoryTimeout, "soon", `"soon" (from "directory.timeout" or ` + envDirectoryTimeout + `)`},
			{envDirectoryDisabledFilter, "nsAccountLock=TRUE", "CONCUR_DIRECTORY_* environment variables"},
			{envDirectoryKind, "openldap", `kind "openldap"`},
		} {
			clearDirectoryEnv(t)
			t.Setenv(envDirectoryURL, "ldap://dc1.example.com")
			t.Setenv(tc.env, tc.value)
			cfg, diags := resolveDirectoryConfig(nil)
			if cfg != nil || !diags.HasError() || !strings.Contains(diags[0].Detail(), tc.want) {
				t.Errorf("%s=%q: got %+v, %v", tc.env, tc.value, cfg, diags)
			}
		}
	})
}

// Secrets stay out of everything a user or a CI log sees, even with TF_LOG=TRACE: the client
// secret, the refresh token, bearer tokens, and a bind password, right or wrong.
func TestE2ESecretsStayOutOfOutputAndLogs(t *testing.T) {
	t.Parallel()
	tf := newTerraformWorkspace(t)
	s := newSandbox(t)
	srv := ldaptest.Start(t, ldaptest.Options{})
	srv.Load(t, directoryLDIF(mappingPeople, mappingGroups))
	tf.Env = append(tf.Env, "TF_LOG=TRACE")
	secrets := map[string]string{
		"client secret": s.Credentials().ClientSecret,
		"refresh token": s.Credentials().RefreshToken,
		"bind password": srv.ReaderPassword,
		"bearer token":  "Bearer ",
	}
	expectNoSecret := func(res terraformResult) {
		t.Helper()
		all := res.Stdout + res.Stderr
		for name, secret := range secrets {
			if i := strings.Index(all, secret); i >= 0 {
				t.Errorf("terraform %s shows the %s: ...%s...", strings.Join(res.Args, " "), name, all[max(0, i-200):min(len(all), i+60)])
			}
		}
	}

	tf.WriteFile(t, "main.tf", mappingConfig(s, srv))
	applied := tf.Apply(t) // a token exchange, searches, creates: everything is logged
	if !strings.Contains(applied.Stderr, "@module=concur") {
		t.Error("the trace holds no log line of the Concur client; the check below would prove nothing")
	}
	expectNoSecret(applied)

	const wrongPassword = "wrong-Pa55word-never-shown"
	secrets["wrong bind password"] = wrongPassword
	tf.WriteFile(t, "main.tf", strings.Replace(mappingConfig(s, srv), fmt.Sprintf("%q", srv.ReaderPassword), fmt.Sprintf("%q", wrongPassword), 1))
	failed := tf.Run(t, "plan", "-no-color")
	if failed.ExitCode == 0 || !strings.Contains(failed.Stderr, "invalid credentials") {
		t.Errorf("a wrong bind password did not fail the plan with invalid credentials: %s", failed)
	}
	expectNoSecret(failed)
}

// Numbers from the environment are held to what the schema allows of the same argument, and
// max_retries = 0 means no retries.
func TestResolveClientConfigNumbersFromTheEnvironment(t *testing.T) {
	t.Setenv(envAccessToken, "a")
	t.Setenv(envMaxConcurrency, "0")
	t.Setenv(envMaxRetries, "0")
	config := providerModel{MaxRetries: types.Int64Null(), MaxConcurrency: types.Int64Null(), RequestsPerSecond: types.Float64Null()}
	cfg, diags := resolveClientConfig(config)
	if !diags.HasError() || !strings.Contains(diags[0].Detail(), `CONCUR_MAX_CONCURRENCY="0" is not a whole number of at least 1`) {
		t.Errorf("diagnostics %v, want CONCUR_MAX_CONCURRENCY=0 refused", diags)
	}
	if cfg.MaxRetries != concur.NoRetries {
		t.Errorf("MaxRetries = %d from CONCUR_MAX_RETRIES=0, want concur.NoRetries", cfg.MaxRetries)
	}
}

// CONCUR_COMPANY_ID is held to company_id's rule: a UUID.
func TestResolveClientConfigCompanyIDFromTheEnvironment(t *testing.T) {
	t.Setenv(envAccessToken, "a")
	t.Setenv(envCompanyID, "not-a-uuid")
	_, diags := resolveClientConfig(providerModel{MaxRetries: types.Int64Null(), MaxConcurrency: types.Int64Null(), RequestsPerSecond: types.Float64Null()})
	if !diags.HasError() || !strings.Contains(diags[0].Detail(), `CONCUR_COMPANY_ID="not-a-uuid" is not a UUID`) {
		t.Errorf("diagnostics %v, want CONCUR_COMPANY_ID refused as not a UUID", diags)
	}
	t.Setenv(envCompanyID, "0a2b4c6d-8e0f-4a1b-9c3d-5e7f9a1b3c5d")
	cfg, diags := resolveClientConfig(providerModel{MaxRetries: types.Int64Null(), MaxConcurrency: types.Int64Null(), RequestsPerSecond: types.Float64Null()})
	if diags.HasError() || cfg.CompanyID != "0a2b4c6d-8e0f-4a1b-9c3d-5e7f9a1b3c5d" {
		t.Errorf("a UUID from CONCUR_COMPANY_ID: %v, company ID %q", diags, cfg.CompanyID)
	}
}

// CONCUR_OWNER is held to owner's rule; the configured value wins over it.
func TestResolveOwnerFromTheEnvironment(t *testing.T) {
	t.Setenv(envOwner, "team a")
	if _, diags := resolveOwner(providerModel{Owner: types.StringNull()}); !diags.HasError() ||
		!strings.Contains(diags[0].Detail(), `CONCUR_OWNER="team a" is not an owner name`) {
		t.Errorf("diagnostics %v, want CONCUR_OWNER refused as no owner name", diags)
	}
	t.Setenv(envOwner, "team-a")
	if owner, diags := resolveOwner(providerModel{Owner: types.StringNull()}); diags.HasError() || owner != "team-a" {
		t.Errorf("owner %q, diagnostics %v; want team-a from CONCUR_OWNER", owner, diags)
	}
	if owner, diags := resolveOwner(providerModel{Owner: types.StringValue("team-b")}); diags.HasError() || owner != "team-b" {
		t.Errorf("owner %q, diagnostics %v; want the configured team-b", owner, diags)
	}
}

// Concur rotates refresh tokens and each works once: with token_file, every run keeps the newest
// and the next run uses it; without, the run says what to do.
func TestE2ERotatedRefreshTokens(t *testing.T) {
	t.Parallel()
	tf := newTerraformWorkspace(t)
	s := newSandbox(t)
	s.RotateRefreshTokens(true)
	seedUsers(t, s, seededUser(s, "M001", "boss@example.com", "Bea", "Boss"))
	lookup := `
data "concur_user" "boss" {
  emp_id = "M001"
}
`
	tf.WriteFile(t, "main.tf", providerConfig(s)+lookup)
	first := tf.Run(t, "plan", "-no-color")
	if first.ExitCode != 0 || !strings.Contains(strings.Join(strings.Fields(first.Stdout), " "), "Concur rotated the refresh token") {
		t.Fatalf("without token_file the run must warn about the rotated token: %s", first)
	}
	// The configured token is spent now; a token file lets the runs hand the newest one on.
	spent := tf.Run(t, "plan", "-no-color")
	if spent.ExitCode == 0 {
		t.Fatalf("a spent refresh token still worked; the sandbox does not rotate: %s", spent)
	}

	// A first run with a company request token stores the refresh token it gets; later runs
	// only have the spent refresh token configured, so they work only from the token file.
	tokenFile := filepath.Join(tf.Dir, "concur-token.json")
	c := s.Credentials()
	withFile := func(credential string) string {
		return requiredProviders + fmt.Sprintf(`
provider "concur" {
  base_url      = %q
  client_id     = %q
  client_secret = %q
  token_file    = %q
  %s
}
`, s.URL(), c.ClientID, c.ClientSecret, tokenFile, credential) + lookup
	}
	tf.WriteFile(t, "main.tf", withFile(fmt.Sprintf("company_uuid = %q\n  request_token = %q", c.CompanyUUID, c.RequestToken)))
	if res := tf.Run(t, "plan", "-no-color"); res.ExitCode != 0 {
		t.Fatalf("the request-token run failed: %s", res)
	}
	tf.WriteFile(t, "main.tf", withFile(fmt.Sprintf("refresh_token = %q", c.RefreshToken)))
	for run := 2; run <= 3; run++ {
		res := tf.Run(t, "plan", "-no-color")
		if res.ExitCode != 0 || strings.Contains(res.Stdout, "rotated the refresh token") {
			t.Fatalf("run %d, from the token file: %s", run, res)
		}
	}
	info, err := os.Stat(tokenFile)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("token file %v, mode %v; want it written with mode 0600", err, info)
	}
}

// provision_poll_delay reaches the client from the block, else from CONCUR_PROVISION_POLL_DELAY,
// and is Concur's 5 s when neither is set.
func TestResolveClientConfigProvisionPollDelay(t *testing.T) {
	t.Setenv(envAccessToken, "a")
	model := providerModel{MaxRetries: types.Int64Null(), MaxConcurrency: types.Int64Null(), RequestsPerSecond: types.Float64Null(), ProvisionPoll: types.StringNull()}
	for _, tc := range []struct {
		env, block string
		want       time.Duration
	}{
		{"", "", concur.DefaultProvisionPollDelay},
		{"250ms", "", 250 * time.Millisecond},
		{"250ms", "2s", 2 * time.Second},
	} {
		t.Setenv(envProvisionPoll, tc.env)
		model.ProvisionPoll = types.StringNull()
		if tc.block != "" {
			model.ProvisionPoll = types.StringValue(tc.block)
		}
		cfg, diags := resolveClientConfig(model)
		if diags.HasError() || cfg.ProvisionPollDelay != tc.want {
			t.Errorf("env %q, block %q: %v, delay %v, want %v", tc.env, tc.block, diags, cfg.ProvisionPollDelay, tc.want)
		}
	}
	t.Setenv(envProvisionPoll, "soon")
	model.ProvisionPoll = types.StringNull()
	if _, diags := resolveClientConfig(model); !diags.HasError() || !strings.Contains(diags[0].Detail(), "not a positive Go duration") {
		t.Errorf("diagnostics %v, want CONCUR_PROVISION_POLL_DELAY=soon refused", diags)
	}
}
