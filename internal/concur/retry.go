package concur

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

type retryPolicy struct {
	maxRetries int
	baseDelay  time.Duration // ceiling of the first backoff
	maxDelay   time.Duration // ceiling of any backoff
}

func defaultRetryPolicy(maxRetries int) retryPolicy {
	return retryPolicy{maxRetries: maxRetries, baseDelay: 500 * time.Millisecond, maxDelay: 30 * time.Second}
}

// backoff is "full jitter": a uniformly random wait up to an exponentially growing ceiling,
// which spreads out many clients that failed at the same moment.
func (p retryPolicy) backoff(retry int) time.Duration {
	ceiling := p.maxDelay
	if retry < 30 && p.baseDelay<<retry < p.maxDelay {
		ceiling = p.baseDelay << retry
	}
	return rand.N(ceiling + 1)
}

// wait is how long to pause before the given retry. A server-sent Retry-After is a floor;
// a little jitter on top keeps the goroutines it stopped together from returning together.
func (p retryPolicy) wait(retry int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return retryAfter + rand.N(p.baseDelay/2+1)
	}
	return p.backoff(retry)
}

// parseRetryAfter reads a Retry-After value: delay-seconds or an HTTP date.
func parseRetryAfter(value string, now time.Time) (time.Duration, bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if seconds, err := strconv.ParseInt(value, 10, 64); err == nil {
		if seconds < 0 {
			return 0, false
		}
		return time.Duration(seconds) * time.Second, true
	}
	if at, err := http.ParseTime(value); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

func isRetryableStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// unsureOutcomeError wraps a failure after which a non-repeatable request may or may not have
// taken effect.
type unsureOutcomeError struct{ err error }

func (e *unsureOutcomeError) Error() string { return e.err.Error() }
func (e *unsureOutcomeError) Unwrap() error { return e.err }

func isUnsureOutcome(err error) bool {
	var unsure *unsureOutcomeError
	return errors.As(err, &unsure)
}

// send performs r, retrying throttling, gateway errors and network errors within the retry
// policy and ctx, and renewing the access token once when the API answers 401. Any answer of
// 400 or above that is not retried becomes an *APIError.
func (c *Client) send(ctx context.Context, r request) (*response, error) {
	renewedAfter401 := false
	for retries := 0; ; {
		baseURL, bearer := r.baseURL, ""
		if baseURL == "" {
			t, err := c.tokens.token(ctx)
			if err != nil {
				return nil, err
			}
			baseURL, bearer = t.baseURL, t.value
		}
		resp, err := c.roundTrip(ctx, r, baseURL, bearer)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("concur: %s %s: %w", r.method, r.path, context.Cause(ctx))
		}

		var failure error
		var retryAfter time.Duration
		var notSent *notSentError
		var tooLarge *responseTooLargeError
		switch {
		case errors.As(err, &notSent), errors.As(err, &tooLarge):
			// Never worth repeating: the request did not leave, or it would bring the same answer.
			return nil, fmt.Errorf("concur: %s %s: %w", r.method, r.path, err)
		case err != nil:
			failure = fmt.Errorf("concur: %s %s: %w", r.method, r.path, err)
			if !r.resendIfUnsure {
				return nil, &unsureOutcomeError{failure}
			}
		case resp.status == http.StatusUnauthorized && bearer != "":
			if !c.tokens.renewable {
				return nil, fmt.Errorf("%w: %w", errAccessTokenRejected, newAPIError(r.method, r.path, resp.status, resp.body))
			}
			if renewedAfter401 {
				return nil, newAPIError(r.method, r.path, resp.status, resp.body)
			}
			renewedAfter401 = true
			c.tokens.reject(bearer)
			c.logf(ctx, "concur: access token rejected, renewing", map[string]any{"method": r.method, "path": r.path})
			continue
		case resp.status >= 500 && !r.resendIfUnsure:
			return nil, &unsureOutcomeError{newAPIError(r.method, r.path, resp.status, resp.body)}
		case isRetryableStatus(resp.status):
			failure = newAPIError(r.method, r.path, resp.status, resp.body)
			retryAfter, _ = parseRetryAfter(resp.header.Get("Retry-After"), time.Now())
		case resp.status >= 400:
			apiErr := newAPIError(r.method, r.path, resp.status, resp.body)
			if resp.status == http.StatusForbidden {
				apiErr.Scope = challengedScope(resp.header)
			}
			return nil, apiErr
		default:
			return resp, nil
		}

		if retries >= c.retry.maxRetries {
			if retries > 0 {
				return nil, fmt.Errorf("%w (gave up after %d retries)", failure, retries)
			}
			return nil, failure
		}
		wait := c.retry.wait(retries, retryAfter)
		retries++
		c.logf(ctx, "concur: retrying", map[string]any{"method": r.method, "path": r.path, "retry": retries, "wait_ms": wait.Milliseconds(), "reason": failure.Error()})
		if err := sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%w (stopped retrying: %w)", failure, err)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
