package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
)

// Environment variables read when the matching provider argument is not set. Configuration in
// the provider block wins over the environment.
const (
	envBaseURL           = "CONCUR_BASE_URL"
	envClientID          = "CONCUR_CLIENT_ID"
	envClientSecret      = "CONCUR_CLIENT_SECRET"
	envRefreshToken      = "CONCUR_REFRESH_TOKEN"
	envCompanyUUID       = "CONCUR_COMPANY_UUID"
	envRequestToken      = "CONCUR_REQUEST_TOKEN"
	envAccessToken       = "CONCUR_ACCESS_TOKEN"
	envTokenFile         = "CONCUR_TOKEN_FILE"
	envCompanyID         = "CONCUR_COMPANY_ID"
	envMaxRetries        = "CONCUR_MAX_RETRIES"
	envRequestsPerSecond = "CONCUR_REQUESTS_PER_SECOND"
	envMaxConcurrency    = "CONCUR_MAX_CONCURRENCY"
	envRequestTimeout    = "CONCUR_REQUEST_TIMEOUT"
	envProvisionPoll     = "CONCUR_PROVISION_POLL_DELAY"
	envOwner             = "CONCUR_OWNER"
)

// resolveClientConfig merges the provider block with the environment and checks that the
// credential set is complete, naming every attribute and variable still to set.
func resolveClientConfig(m providerModel) (concur.Config, diag.Diagnostics) {
	var s settingSource
	cfg := concur.Config{
		BaseURL:           s.string(m.BaseURL, "base_url", envBaseURL),
		ClientID:          s.string(m.ClientID, "client_id", envClientID),
		ClientSecret:      s.string(m.ClientSecret, "client_secret", envClientSecret),
		RefreshToken:      s.string(m.RefreshToken, "refresh_token", envRefreshToken),
		CompanyUUID:       s.string(m.CompanyUUID, "company_uuid", envCompanyUUID),
		RequestToken:      s.string(m.RequestToken, "request_token", envRequestToken),
		AccessToken:       s.string(m.AccessToken, "access_token", envAccessToken),
		CompanyID:         s.checkedString(m.CompanyID, "company_id", envCompanyID, companyIDRule.description, companyIDRule.check),
		MaxRetries:        concur.Retries(s.int(m.MaxRetries, "max_retries", envMaxRetries, concur.DefaultMaxRetries, 0)),
		RequestsPerSecond: s.float(m.RequestsPerSecond, "requests_per_second", envRequestsPerSecond),
		MaxConcurrency:    s.int(m.MaxConcurrency, "max_concurrency", envMaxConcurrency, concur.DefaultMaxConcurrency, 1),
		RequestTimeout:    s.duration(m.RequestTimeout, "request_timeout", envRequestTimeout, concur.DefaultRequestTimeout),
	}
	cfg.ProvisionPollDelay = s.duration(m.ProvisionPoll, "provision_poll_delay", envProvisionPoll, concur.DefaultProvisionPollDelay)
	if cfg.BaseURL == "" {
		cfg.BaseURL = concur.DefaultBaseURL
	}
	if tokenFile := s.string(m.TokenFile, "token_file", envTokenFile); tokenFile != "" {
		cfg.TokenStore = concur.NewFileTokenStore(tokenFile)
	}
	if s.diags.HasError() {
		return cfg, s.diags
	}
	s.diags.Append(checkCredentials(cfg)...)
	return cfg, s.diags
}

// resolveOwner reads the configuration's owner name, held to one rule wherever it comes from.
func resolveOwner(m providerModel) (string, diag.Diagnostics) {
	var s settingSource
	owner := s.checkedString(m.Owner, "owner", envOwner, ownerRule.description, ownerRule.check)
	return owner, s.diags
}
