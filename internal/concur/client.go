// Package concur is a client for the SAP Concur Identity v4.1 Users API, the User Provisioning
// Service v4 and the Spend and Travel profile reads, with Concur's OAuth2 flavour, retries, rate
// and concurrency limits.
package concur

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"golang.org/x/time/rate"
)

// Client is safe for concurrent use. Its rate limit, concurrency limit and token are shared
// by all calls.
type Client struct {
	cfg      Config
	http     *http.Client
	tokens   *tokenSource
	limiter  *rate.Limiter // nil: unlimited
	slots    chan struct{} // one per request in flight
	retry    retryPolicy
	pageSize int
	reads    *readBatcher // GetUser
	lookUps  *readBatcher // LookUpEmployeeNumber

	// companyMu guards companyID and is held while it is looked up, so the concurrent first
	// creates of a run share one lookup.
	companyMu sync.Mutex
	companyID string // derived once, when not configured

	mu              sync.Mutex
	managerIDs      map[string]string // manager or approver employeeNumber -> Concur id
	employeeNumbers map[string]string // the reverse, for approvers Concur returns by id only
}

// New validates cfg and prepares a client; it does not call the network.
func New(ctx context.Context, cfg Config) (*Client, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	c := &Client{
		cfg:             cfg,
		http:            cfg.HTTPClient,
		slots:           make(chan struct{}, cfg.MaxConcurrency),
		retry:           defaultRetryPolicy(cfg.MaxRetries),
		pageSize:        maxPageSize,
		managerIDs:      map[string]string{},
		employeeNumbers: map[string]string{},
	}
	if cfg.RequestsPerSecond > 0 {
		c.limiter = rate.NewLimiter(rate.Limit(cfg.RequestsPerSecond), 1)
	}
	c.tokens = newTokenSource(cfg, c.send, c.logf)
	c.reads = newReadBatcher("id", c.readUsers)
	c.lookUps = newReadBatcher("employee number", c.lookUpEmployeeNumbers)
	return c, nil
}

// CompanyID is the enterprise companyId that creates carry. Unless configured, it is read
// from an existing user: the company UUID in the token's id_token is a different identifier.
func (c *Client) CompanyID(ctx context.Context) (string, error) {
	if c.cfg.CompanyID != "" {
		return c.cfg.CompanyID, nil
	}
	c.companyMu.Lock()
	defer c.companyMu.Unlock()
	if c.companyID != "" {
		return c.companyID, nil
	}
	page, err := c.page(ctx, "", "", 1)
	if err != nil {
		return "", err
	}
	for _, s := range page.Resources {
		if id := s.user().CompanyID; id != "" {
			c.companyID = id
			return id, nil
		}
	}
	return "", errors.New("concur: cannot derive the company ID because the company has no users yet; set company_id (or CONCUR_COMPANY_ID)")
}

// RotatedRefreshToken returns the newest refresh token when Concur issued one that differs
// from the configured token and no TokenStore kept it: the caller must then tell the user to
// save it, because the old one may stop working.
func (c *Client) RotatedRefreshToken() (newToken string, rotated bool) {
	return c.tokens.rotatedRefreshToken()
}

func (c *Client) logf(ctx context.Context, msg string, fields map[string]any) {
	if c.cfg.Logf != nil {
		c.cfg.Logf(ctx, msg, fields)
	}
}

// MaxConcurrency is how many requests the client lets be in flight at once; callers that fan
// out work use it so their workers never wait on each other for a slot.
func (c *Client) MaxConcurrency() int {
	return cap(c.slots)
}
