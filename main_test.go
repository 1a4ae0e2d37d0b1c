package main

import (
	"os"
	"testing"
)

func TestQuietUnlessTerraformLogs(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  map[string]string
		want map[string]string
	}{
		{"Terraform keeps no provider log", map[string]string{},
			map[string]string{"TF_LOG_SDK": "off", "TF_LOG_SDK_FRAMEWORK": "off", "TF_LOG_PROVIDER_CONCUR": "off"}},
		{"TF_LOG asks for logs", map[string]string{"TF_LOG": "TRACE"},
			map[string]string{"TF_LOG_SDK": "", "TF_LOG_SDK_FRAMEWORK": "", "TF_LOG_PROVIDER_CONCUR": ""}},
		{"TF_LOG_PROVIDER asks for logs", map[string]string{"TF_LOG_PROVIDER": "DEBUG"},
			map[string]string{"TF_LOG_SDK": "", "TF_LOG_PROVIDER_CONCUR": ""}},
		{"a level set for one SDK is kept", map[string]string{"TF_LOG_SDK_FRAMEWORK": "DEBUG"},
			map[string]string{"TF_LOG_SDK": "off", "TF_LOG_SDK_FRAMEWORK": "DEBUG"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, name := range []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_CONCUR"} {
				t.Setenv(name, tt.env[name])
			}
			quietUnlessTerraformLogs()
			for name, want := range tt.want {
				if got := os.Getenv(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
		})
	}
}
