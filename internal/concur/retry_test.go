package concur

import (
	"net/http"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second, true},
		{"Fri, 02 Jan 2026 15:04:35 GMT", 30 * time.Second, true},
		{"Fri, 02 Jan 2026 15:00:00 GMT", 0, true}, // in the past: retry now
		{"", 0, false},
		{"-3", 0, false},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBackoffIsFullJitterUnderAGrowingCeiling(t *testing.T) {
	p := retryPolicy{baseDelay: 100 * time.Millisecond, maxDelay: time.Second}
	for retry, ceilingMillis := range []int{100, 200, 400, 800, 1000, 1000} {
		ceiling := time.Duration(ceilingMillis) * time.Millisecond
		if retry >= 4 {
			ceiling = time.Second
		}
		var longest time.Duration
		for range 2000 {
			d := p.backoff(retry)
			if d < 0 || d > ceiling {
				t.Fatalf("backoff(%d) = %v, outside [0, %v]", retry, d, ceiling)
			}
			longest = max(longest, d)
		}
		// Full jitter uses the whole range, not just its top.
		if longest < ceiling/2 {
			t.Errorf("backoff(%d) never exceeded %v in 2000 draws; ceiling %v", retry, longest, ceiling)
		}
	}
	if d := p.backoff(200); d > time.Second {
		t.Errorf("backoff(200) = %v overflowed the cap", d)
	}
}

func TestWaitHonoursRetryAfterAsAFloor(t *testing.T) {
	p := retryPolicy{baseDelay: 100 * time.Millisecond, maxDelay: time.Second}
	for range 100 {
		if d := p.wait(0, 3*time.Second); d < 3*time.Second || d > 3*time.Second+50*time.Millisecond {
			t.Fatalf("wait with Retry-After 3s = %v", d)
		}
	}
}
