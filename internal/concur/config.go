package concur

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"
)

// Config configures a Client. Exactly one credential is needed: a refresh token, a company
// UUID with a request token, or a ready access token (CheckCredentials has the rules).
type Config struct {
	BaseURL                   string // where the token endpoint is; API calls then go to the token's geolocation
	ClientID, ClientSecret    string
	RefreshToken              string // credential 1
	CompanyUUID, RequestToken string // credential 2 (password grant, credtype=authtoken)
	AccessToken               string // credential 3 (used as is; no refresh possible)
	TokenStore                TokenStore
	CompanyID                 string // enterprise companyId for creates; looked up when empty
	MaxRetries                int    // default 5
	RequestsPerSecond         float64
	MaxConcurrency            int           // default 10
	RequestTimeout            time.Duration // per HTTP attempt, default 60s
	// ProvisionPollDelay is the wait before the first look at a User Provisioning request's
	// status, doubled after each answer that it is still pending. Default 5s, Concur's advice;
	// tests against a server that completes at once may shorten it.
	ProvisionPollDelay time.Duration
	// HTTPClient defaults to one that keeps MaxConcurrency connections per host alive.
	HTTPClient *http.Client
	Logf       func(ctx context.Context, msg string, fields map[string]any) // never receives secrets
	UserAgent  string
}

// DefaultBaseURL is the US2 production data centre, the BaseURL for a caller that has no other.
const DefaultBaseURL = "https://us2.api.concursolutions.com"

// Defaults of the Config fields left zero.
const (
	DefaultMaxRetries     = 5
	DefaultMaxConcurrency = 10
	DefaultRequestTimeout = 60 * time.Second
	// DefaultProvisionPollDelay is Concur's advice: poll a provision's status every 5 seconds or
	// more, with exponential backoff.
	DefaultProvisionPollDelay = 5 * time.Second
	defaultUserAgent          = "terraform-provider-concur"
)

// NoRetries is the MaxRetries that asks for no retries at all (zero means the default).
const NoRetries = -1

// Retries is the MaxRetries for a count where zero means no retries, as a user writes it.
func Retries(n int) int {
	if n == 0 {
		return NoRetries
	}
	return n
}

func (cfg Config) withDefaults() Config {
	switch cfg.MaxRetries {
	case 0:
		cfg.MaxRetries = DefaultMaxRetries
	case NoRetries:
		cfg.MaxRetries = 0
	}
	if cfg.MaxConcurrency <= 0 {
		cfg.MaxConcurrency = DefaultMaxConcurrency
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.ProvisionPollDelay <= 0 {
		cfg.ProvisionPollDelay = DefaultProvisionPollDelay
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Transport: newTransport(cfg.MaxConcurrency)}
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = defaultUserAgent
	}
	return cfg
}

func (cfg Config) validate() error {
	var problems []error
	if u, err := url.Parse(cfg.BaseURL); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		problems = append(problems, errors.New("base URL must be an absolute http(s) URL such as https://us2.api.concursolutions.com"))
	}
	if err := CheckCredentials(cfg); err != nil {
		problems = append(problems, err)
	}
	if cfg.MaxRetries < NoRetries {
		problems = append(problems, errors.New("max retries must not be negative"))
	}
	if cfg.RequestsPerSecond < 0 {
		problems = append(problems, errors.New("requests per second must not be negative"))
	}
	return errors.Join(problems...)
}
