package provider

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
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
	// The sandbox completes a bulk write when it answers: its status needs no wait of Concur's 5 s.
	// Set in the environment, which providers of earlier releases ignore, not in the provider block.
	setDefaultEnv(envProvisionPoll, "10ms")
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
