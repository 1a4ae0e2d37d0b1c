package directory

import (
	"context"
	"fmt"
	"sync/atomic"
)

// Client reads users and groups from one directory. It holds no connection
// between calls: every operation dials, binds, works and closes, so a Client
// is safe for concurrent use and never hands out a stale connection.
type Client struct {
	cfg Config
	// dnAttribute is the attribute whose equality filter names an entry by its DN.
	dnAttribute string
	// searches counts every search request (each page of a paged one) the client has sent.
	searches atomic.Int64
}

// New validates cfg, applies the defaults and returns a Client. It does not
// contact the server; call Ping for that.
func New(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	return &Client{cfg: cfg, dnAttribute: cfg.dnAttribute()}, nil
}

// Searches is how many search requests this Client has sent, counting each page of a paged
// search: the LDAP round trips of its reads, for logs and benchmarks. Each operation also binds
// once.
func (c *Client) Searches() int64 {
	return c.searches.Load()
}

// Ping connects and binds, and reports why that failed: ErrUnreachable,
// ErrTimeout, ErrCertificate, ErrInvalidCredentials or ErrEncryptionRequired.
func (c *Client) Ping(ctx context.Context) error {
	return c.withSession(ctx, func(*session) error { return nil })
}

func (c *Client) withSession(ctx context.Context, work func(*session) error) error {
	s, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer s.close()
	if err := work(s); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		return err
	}
	return nil
}

// WithDisabledFilter returns a Client that marks entries disabled by filter instead, for a
// source that defines its own; an empty filter keeps the current one.
func (c *Client) WithDisabledFilter(filter string) (*Client, error) {
	if filter == "" {
		return c, nil
	}
	cfg := c.cfg
	cfg.DisabledFilter = filter
	return New(cfg)
}
