package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/sandboxtest"
)

// testAccProviders runs the provider in the test process, so tests see its state directly and
// Terraform needs no registry.
var testAccProviders = map[string]func() (tfprotov6.ProviderServer, error){
	"concur": func() (tfprotov6.ProviderServer, error) { return NewServer("test")(), nil },
}

// TestMain points terraform-plugin-testing at the Terraform the project builds (tools/), so a
// plain `TF_ACC=1 go test ./...` works without downloads.
func TestMain(m *testing.M) {
	setDefaultEnv("TF_ACC_PROVIDER_NAMESPACE", "terraform-concur")
	setDefaultEnv("CHECKPOINT_DISABLE", "1")
	if _, file, _, ok := runtime.Caller(0); ok {
		terraform := filepath.Join(filepath.Dir(file), "..", "..", ".tools", "bin", "terraform")
		if _, err := os.Stat(terraform); err == nil {
			setDefaultEnv("TF_ACC_TERRAFORM_PATH", terraform)
		}
	}
	code := m.Run()
	removeE2EProvider()
	os.Exit(code)
}

func setDefaultEnv(name, value string) {
	if os.Getenv(name) == "" {
		_ = os.Setenv(name, value)
	}
}

// newSandbox starts a Concur sandbox for one test.
func newSandbox(t *testing.T) *sandbox.Server {
	t.Helper()
	return sandboxtest.NewServer(t, sandbox.Options{})
}

// requiredProviders names the provider's source, which TF_ACC_PROVIDER_NAMESPACE matches.
const requiredProviders = `
terraform {
  required_providers {
    concur = { source = "terraform-concur/concur" }
  }
}
`

// providerConfig is the provider block pointing at the sandbox with a refresh token.
func providerConfig(s *sandbox.Server) string {
	c := s.Credentials()
	return requiredProviders + fmt.Sprintf(`
provider "concur" {
  base_url      = %q
  client_id     = %q
  client_secret = %q
  refresh_token = %q
  company_id    = %q
}
`, s.URL(), c.ClientID, c.ClientSecret, c.RefreshToken, c.CompanyID)
}

const enterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

// field reads a dotted API path such as "name.givenName" or "enterprise.department" from a
// user's API representation.
func field(user map[string]any, dotted string) any {
	var current any = user
	parts := strings.Split(dotted, ".")
	if parts[0] == "enterprise" {
		parts[0] = enterpriseURN
	}
	for _, part := range parts {
		object, ok := current.(map[string]any)
		if !ok {
			return nil
		}
		current = object[part]
	}
	return current
}

// sandboxCheck runs an assertion on the sandbox after a step, where the legacy Check function
// cannot be used (it does not support for_each addresses).
func sandboxCheck(check func() error) statecheck.StateCheck { return sandboxStateCheck(check) }

type sandboxStateCheck func() error

func (c sandboxStateCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = c()
}
