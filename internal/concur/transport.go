package concur

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
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

// responseTooLargeError is an answer over maxResponseBytes. Asking again would bring the same
// answer, so it is never retried.
type responseTooLargeError struct {
	status        int
	contentLength int64 // -1 when the answer did not say
}

func (e *responseTooLargeError) Error() string {
	size := "is"
	if e.contentLength > 0 {
		size = fmt.Sprintf("declares %d bytes,", e.contentLength)
	}
	return fmt.Sprintf("the answer (status %d) %s over the client's limit of %d MiB; Concur's pages of up to 1,000 users "+
		"hold a few MB, so check that base_url points at the Concur API and that no proxy between answers instead",
		e.status, size, maxResponseBytes>>20)
}

// certificateError is a server certificate the client cannot verify. Asking again cannot
// help, so it is never retried; what can is trusting the CA that signed it or correcting
// the URL, which the message says.
type certificateError struct {
	host string
	err  error
}

func (e *certificateError) Unwrap() error { return e.err }

func (e *certificateError) Error() string {
	var unknownCA x509.UnknownAuthorityError
	var wrongHost x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(e.err, &unknownCA):
		issuer := "an unknown issuer"
		if unknownCA.Cert != nil {
			issuer = fmt.Sprintf("%q", unknownCA.Cert.Issuer.String())
		}
		return fmt.Sprintf("%s presents a TLS certificate signed by %s, which this machine does not trust (%v). "+
			"Concur's own hosts have publicly trusted certificates: if base_url is right, a TLS-inspecting proxy or a private "+
			"CA signs this one, so add that CA's certificate to the system's trust store (or point SSL_CERT_FILE at a bundle "+
			"that holds it); otherwise correct base_url, e.g. https://us2.api.concursolutions.com", e.host, issuer, e.err)
	case errors.As(e.err, &wrongHost):
		return fmt.Sprintf("the TLS certificate of %s is for other hosts (%v): correct base_url to your Concur data "+
			"center's API host, e.g. https://us2.api.concursolutions.com, or the proxy or DNS entry that answers for it", e.host, e.err)
	case errors.As(e.err, &invalid):
		return fmt.Sprintf("the TLS certificate of %s is not valid (%v): if it has expired or is not valid yet, check "+
			"this machine's clock; otherwise the certificate or its chain is broken, which the operator of %s must fix, "+
			"or base_url is wrong", e.host, e.err, e.host)
	default:
		return fmt.Sprintf("the TLS certificate of %s cannot be verified (%v): check base_url, and that this machine "+
			"trusts the CA that signs the certificate", e.host, e.err)
	}
}

// asCertificateError picks out a failed certificate verification from a round trip's error.
func asCertificateError(err error, host string) (*certificateError, bool) {
	var verification *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var wrongHost x509.HostnameError
	var invalid x509.CertificateInvalidError
	if errors.As(err, &verification) || errors.As(err, &unknownCA) || errors.As(err, &wrongHost) || errors.As(err, &invalid) {
		return &certificateError{host: host, err: err}, true
	}
	return nil, false
}

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
		if certErr, ok := asCertificateError(err, req.URL.Host); ok {
			return nil, &notSentError{certErr} // the handshake failed: nothing was sent
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.ContentLength > maxResponseBytes {
		return nil, &responseTooLargeError{status: resp.StatusCode, contentLength: resp.ContentLength}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxResponseBytes {
		return nil, &responseTooLargeError{status: resp.StatusCode, contentLength: -1}
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: data}, nil
}
