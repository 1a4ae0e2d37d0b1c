// Command terraform-provider-concur serves the SAP Concur provider over the Terraform plugin protocol 6.
package main

import (
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/terraform-concur/terraform-provider-concur/internal/provider"
)

// version is set by goreleaser at release time.
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	quietUnlessTerraformLogs()
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	if err := tf6server.Serve(provider.RegistryAddress, provider.NewServer(version), opts...); err != nil {
		log.Fatal(err)
	}
}

// quietUnlessTerraformLogs turns off the log lines of the provider and of its SDKs when
// Terraform keeps no provider log (neither TF_LOG nor TF_LOG_PROVIDER is set): the SDKs
// format every trace line as JSON for Terraform to drop, which was a fifth of the provider's
// CPU in a plan of 1,000 concur_user resources. A level set for one of them is kept.
func quietUnlessTerraformLogs() {
	if os.Getenv("TF_LOG") != "" || os.Getenv("TF_LOG_PROVIDER") != "" {
		return
	}
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_CONCUR"} {
		if os.Getenv(name) == "" {
			_ = os.Setenv(name, "off")
		}
	}
}
