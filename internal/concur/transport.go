package concur

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// request is one logical call; send may perform it several times.
type request struct {
	method, path string // path only, so it can be named in errors and logs without query values
	query        url.Values
	body         []byte
	contentType  string
	baseURL      string // set for the token endpoint; API calls go to the access token's geolocation
	// resendIfUnsure allows repeating the request after a failure that leaves its outcome
	// unknown (network error, timeout, 5xx). Creates must not: a repeat could duplicate a user.
	resendIfUnsure bool
}

// notSentError is a failure before the request left the client: not worth retrying, and
// never an unsure outcome.
type notSentError struct{ err error }

func (e *notSentError) Error() string { return e.err.Error() }
func (e *notSentError) Unwrap() error { return e.err }

type response struct {
	status int
	header http.Header
	body   []byte
}

// maxResponseBytes bounds what one answer may hold; a 1000-user page is a few MB.
const maxResponseBytes = 64 << 20

// newTransport is Go's default transport keeping as many idle connections per host as the
// client lets requests be in flight. The default keeps two, so with ten requests in flight most
// answers closed their connection and the next request paid a new TCP and TLS handshake.
func newTransport(maxConcurrency int) *http.Transport {
	base, ok := http.DefaultTransport.(*http.Transport)
	if !ok { // replaced by a program embedding the client: keep what matters of Go's default
		base = &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true}
	}
	t := base.Clone()
	t.MaxIdleConnsPerHost = maxConcurrency
	// The token endpoint may be on another host than the API.
	t.MaxIdleConns = max(t.MaxIdleConns, 2*maxConcurrency)
	return t
}

// roundTrip performs one HTTP attempt within the client's rate limit, concurrency limit and
// per-attempt timeout.
func (c *Client) roundTrip(ctx context.Context, r request, baseURL, bearer string) (*response, error) {
	if c.limiter != nil {
		// Wait fails early when the context's deadline comes before the caller's turn.
		if err := c.limiter.Wait(ctx); err != nil {
			return nil, &notSentError{err}
		}
	}
	select {
	case c.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, &notSentError{context.Cause(ctx)}
	}
	defer func() { <-c.slots }()

	ctx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
	defer cancel()
	target := strings.TrimRight(baseURL, "/") + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, body)
	if err != nil {
		return nil, &notSentError{err}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return nil, err
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: data}, nil
}
