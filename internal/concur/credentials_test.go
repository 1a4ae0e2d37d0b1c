package concur

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"
)

func TestCheckCredentials(t *testing.T) {
	store := NewFileTokenStore(filepath.Join(t.TempDir(), "token.json"))
	client := Config{ClientID: "cid", ClientSecret: "secret"}
	with := func(edit func(*Config)) Config {
		cfg := client
		edit(&cfg)
		return cfg
	}
	for _, tt := range []struct {
		name    string
		cfg     Config
		problem CredentialProblem
		missing []Credential
	}{
		{"refresh token with its client", with(func(c *Config) { c.RefreshToken = "rt" }), 0, nil},
		{"request token with its company and client", with(func(c *Config) { c.CompanyUUID, c.RequestToken = "uuid", "req" }), 0, nil},
		{"access token alone", Config{AccessToken: "at"}, 0, nil},
		{"a token store with a client", with(func(c *Config) { c.TokenStore = store }), 0, nil},
		{"two credentials", with(func(c *Config) { c.RefreshToken, c.AccessToken = "rt", "at" }), CredentialsConflicting, nil},
		{"none", client, CredentialsMissing, nil},
		{"a refresh token without a client", Config{RefreshToken: "rt"}, CredentialsIncomplete, []Credential{CredentialClientID, CredentialClientSecret}},
		{"a token store without a client", Config{TokenStore: store}, CredentialsIncomplete, []Credential{CredentialClientID, CredentialClientSecret}},
		{"a request token without its company", with(func(c *Config) { c.RequestToken = "req" }), CredentialsIncomplete, []Credential{CredentialCompanyUUID}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckCredentials(tt.cfg)
			var problem *CredentialError
			switch {
			case tt.problem == 0 && err != nil:
				t.Errorf("CheckCredentials = %v, want no error", err)
			case tt.problem != 0 && !errors.As(err, &problem):
				t.Errorf("CheckCredentials = %v, want a CredentialError", err)
			case tt.problem != 0 && (problem.Problem != tt.problem || !reflect.DeepEqual(problem.Missing, tt.missing)):
				t.Errorf("CheckCredentials = %+v, want problem %d missing %v", problem, tt.problem, tt.missing)
			}
		})
	}
}
