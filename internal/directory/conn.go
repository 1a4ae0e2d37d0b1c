package directory

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// session is one bound connection, used by one operation and then closed.
// go-ldap multiplexes concurrent requests on it, so the workers of an
// operation share it.
type session struct {
	conn     *ldap.Conn
	pageSize uint32
	// searches counts the search requests sent (one per page), for the client's total.
	searches *atomic.Int64
	// dnAttribute names an entry by its DN in a filter, so that many entries are read with
	// one search; "" once the server has shown it cannot evaluate it (see readBatch).
	dnAttribute string
	// stopWatch ends the goroutine that closes conn when the caller's context
	// is cancelled.
	stopWatch func() bool
}

// open dials, upgrades to TLS when configured, and binds, all within
// cfg.Timeout: when that passes (or ctx ends) the socket's deadline is set to
// now, which fails any read or write in progress. go-ldap's StartTLS handshake
// has no timeout of its own, and a server that accepts but never answers
// would otherwise block the bind forever.
func (c *Client) open(ctx context.Context) (*session, error) {
	cfg := c.cfg
	host, addr := cfg.hostPort()
	connectCtx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()

	dialer := net.Dialer{}
	raw, err := dialer.DialContext(connectCtx, "tcp", addr)
	switch {
	case ctx.Err() != nil:
		return nil, fmt.Errorf("connect to %s: %w", cfg.URL, ctx.Err())
	case err != nil:
		return nil, fmt.Errorf("%w: connect to %s: %v", ErrUnreachable, cfg.URL, err)
	}
	interrupt := context.AfterFunc(connectCtx, func() { _ = raw.SetDeadline(time.Now()) })

	conn, err := c.secure(connectCtx, raw, host)
	if err != nil {
		return nil, err
	}
	if err := c.bind(connectCtx, conn); err != nil {
		_ = conn.Close()
		return nil, err
	}
	if !interrupt() {
		// The time ran out just as the bind succeeded; the socket is spoilt.
		_ = conn.Close()
		return nil, fmt.Errorf("%w: connect and bind to %s within %s", ErrTimeout, cfg.URL, cfg.Timeout)
	}
	// From here on each request has its own timeout instead of one deadline
	// for the whole operation, which may page through many thousand entries.
	conn.SetTimeout(cfg.Timeout)
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	return &session{conn: conn, pageSize: cfg.PageSize, searches: &c.searches, dnAttribute: c.dnAttribute, stopWatch: stop}, nil
}

// secure returns the LDAP connection over raw, with TLS negotiated as the URL
// and StartTLS ask.
func (c *Client) secure(ctx context.Context, raw net.Conn, host string) (*ldap.Conn, error) {
	cfg := c.cfg
	if !cfg.usesTLS() {
		conn := ldap.NewConn(raw, false)
		conn.Start()
		return conn, nil
	}
	var verifyErr error
	tlsCfg, err := cfg.tlsConfig(host, &verifyErr)
	if err != nil {
		_ = raw.Close()
		return nil, err
	}
	if cfg.StartTLS {
		conn := ldap.NewConn(raw, false)
		conn.Start()
		if err := conn.StartTLS(tlsCfg); err != nil {
			_ = conn.Close()
			return nil, c.tlsFailure(ctx, "StartTLS", verifyErr, err)
		}
		return conn, nil
	}
	tlsConn := tls.Client(raw, tlsCfg)
	if err := tlsConn.HandshakeContext(ctx); err != nil {
		_ = raw.Close()
		return nil, c.tlsFailure(ctx, "TLS handshake", verifyErr, err)
	}
	conn := ldap.NewConn(tlsConn, true)
	conn.Start()
	return conn, nil
}

func (c *Client) tlsFailure(ctx context.Context, step string, verifyErr, err error) error {
	what := fmt.Sprintf("%s with %s", step, c.cfg.URL)
	switch {
	case verifyErr != nil:
		return fmt.Errorf("%w: %s: %v", ErrCertificate, what, verifyErr)
	case strings.Contains(err.Error(), negativeSerial):
		// crypto/tls parses the server's certificates before VerifyConnection sees them, even
		// with insecure_skip_verify, and reports a failure as text only.
		return fmt.Errorf("%w: %s: the server's certificate cannot be parsed: %v%s", ErrCertificate, what, err, parseAdvice(err))
	case pastDeadline(ctx):
		return fmt.Errorf("%w: %s within %s: %v", ErrTimeout, what, c.cfg.Timeout, err)
	}
	return classify(ctx, what, err)
}

// bind does a simple bind; without a BindDN the connection stays anonymous.
func (c *Client) bind(ctx context.Context, conn *ldap.Conn) error {
	cfg := c.cfg
	if cfg.BindDN == "" {
		return nil
	}
	err := conn.Bind(cfg.BindDN, cfg.BindPassword)
	if err == nil {
		return nil
	}
	what := fmt.Sprintf("bind as %q to %s", cfg.BindDN, cfg.URL)
	if pastDeadline(ctx) {
		return fmt.Errorf("%w: %s within %s: %v", ErrTimeout, what, cfg.Timeout, err)
	}
	return classify(ctx, what, err)
}

// pastDeadline tells an interrupted socket (which go-ldap reports as a closed
// connection) from other failures.
func pastDeadline(ctx context.Context) bool {
	deadline, ok := ctx.Deadline()
	return ok && !time.Now().Before(deadline)
}

func (s *session) close() {
	s.stopWatch()
	_ = s.conn.Close()
}
