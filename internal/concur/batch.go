package concur

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"
)

// readBatchWindow is how long the first GetUser of a batch waits for others. Terraform refreshes
// up to 10 resources at a time (its default parallelism) and starts the next ones as soon as
// earlier ones finish, so the reads it makes together arrive within a few milliseconds of each
// other; the window costs each batch that much latency once.
const readBatchWindow = 5 * time.Millisecond

// userRead is the answer to one GetUser.
type userRead struct {
	user *User
	err  error
}

// readBatcher gathers the GetUser calls that arrive within its window (or until a batch holds
// usersPerSearch ids) and answers them with one search by id.
type readBatcher struct {
	client *Client
	window time.Duration

	mu      sync.Mutex
	waiting map[string][]chan userRead // the next batch's callers, by id
	// ctx is the first waiting caller's context without its cancellation: it carries the
	// caller's logger, and one caller giving up must not fail the others.
	ctx   context.Context
	timer *time.Timer
}

func newReadBatcher(c *Client) *readBatcher {
	return &readBatcher{client: c, window: readBatchWindow, waiting: map[string][]chan userRead{}}
}

func (b *readBatcher) get(ctx context.Context, id string) (*User, error) {
	answer := make(chan userRead, 1) // buffered: a batch never waits for a caller that left
	b.mu.Lock()
	if len(b.waiting) == 0 {
		b.ctx = context.WithoutCancel(ctx)
		b.timer = time.AfterFunc(b.window, b.flush)
	}
	b.waiting[id] = append(b.waiting[id], answer)
	var full *readBatch
	if len(b.waiting) >= usersPerSearch {
		full = b.takeLocked()
	}
	b.mu.Unlock()
	full.answer()
	select {
	case read := <-answer:
		return read.user, read.err
	case <-ctx.Done():
		return nil, fmt.Errorf("concur: reading the user with id %s: %w", id, context.Cause(ctx))
	}
}

// flush answers the callers waiting now, when the window of the first has passed.
func (b *readBatcher) flush() {
	b.mu.Lock()
	batch := b.takeLocked()
	b.mu.Unlock()
	batch.answer()
}

// readBatch is the callers one search answers.
type readBatch struct {
	client  *Client
	ctx     context.Context
	waiting map[string][]chan userRead
}

// takeLocked takes the waiting callers out as one batch; nil when no one waits (a timer that
// fired just after a full batch was taken).
func (b *readBatcher) takeLocked() *readBatch {
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	if len(b.waiting) == 0 {
		return nil
	}
	batch := &readBatch{client: b.client, ctx: b.ctx, waiting: b.waiting}
	b.waiting = map[string][]chan userRead{}
	return batch
}

func (batch *readBatch) answer() {
	if batch == nil {
		return
	}
	reads := batch.client.readUsers(batch.ctx, slices.Collect(maps.Keys(batch.waiting)))
	for id, answers := range batch.waiting {
		for _, answer := range answers {
			read := reads[id]
			if read.user != nil {
				own := *read.user // each caller may change what it gets
				read.user = &own
			}
			answer <- read
		}
	}
}

// readUsers reads users by id as GET would answer each: one search for all, then a GET for each
// id the search did not return (a deleted user gets GET's 404; a user the search missed is
// found). A search Concur refuses as a bad request (a malformed id fails its filter) falls back
// to one GET per id, so only the id at fault fails; any other search failure fails them all.
func (c *Client) readUsers(ctx context.Context, ids []string) map[string]userRead {
	if len(ids) == 1 {
		user, err := c.getUser(ctx, ids[0])
		return map[string]userRead{ids[0]: {user, err}}
	}
	found, err := c.findUsers(ctx, "id", ids, func(u *User) string { return u.ID })
	var apiErr *APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusBadRequest:
		return c.getEach(ctx, ids)
	case err != nil:
		reads := make(map[string]userRead, len(ids))
		for _, id := range ids {
			reads[id] = userRead{err: err}
		}
		return reads
	}
	var missing []string
	reads := make(map[string]userRead, len(ids))
	for _, id := range ids {
		if user := found[id]; user != nil {
			reads[id] = userRead{user: user}
		} else {
			missing = append(missing, id)
		}
	}
	maps.Copy(reads, c.getEach(ctx, missing))
	return reads
}

// getEach reads each id with its own GET, as many at a time as the client allows.
func (c *Client) getEach(ctx context.Context, ids []string) map[string]userRead {
	reads := make(map[string]userRead, len(ids))
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		slots = make(chan struct{}, c.cfg.MaxConcurrency)
	)
	for _, id := range ids {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			user, err := c.getUser(ctx, id)
			mu.Lock()
			reads[id] = userRead{user, err}
			mu.Unlock()
		})
	}
	wg.Wait()
	return reads
}
