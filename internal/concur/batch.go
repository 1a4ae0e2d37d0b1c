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

// readBatchWindow is how long a batch gathers reads before it is sent: from the first read
// when none is in flight, and from the answer of the one in flight, which the reads that came
// meanwhile wait for. Terraform refreshes up to 10 resources at a time (its default parallelism)
// and starts the next ones as earlier ones finish, a few milliseconds apart each as the provider
// and Terraform take turns at the CPU; so one batch is answered, its callers return, and the reads
// that replace them gather for the next. Measured with Terraform 1.8.5 refreshing 1,000
// concur_user resources against the sandbox at 50 ms latency on a busy 2-core machine: 5 ms
// gathered about 5 reads a batch (0.20 requests per resource), 20 ms about 7 (0.13 to 0.16), 50 ms
// 10 (0.10) but added 50 ms to every batch.
const readBatchWindow = 20 * time.Millisecond

// userRead is the answer to one GetUser.
type userRead struct {
	user *User
	err  error
}

// readBatcher answers concurrent reads of one user each (GetUser by id, LookUpEmployeeNumber by
// employee number) with one read of many: a batch gathers the calls of its window (counted from
// its first call, or from the answer of the batch in flight, which later calls wait for) and is
// sent when the window ends or it holds usersPerSearch keys.
type readBatcher struct {
	// read answers a batch's keys; key names them in errors, such as "id".
	read   func(ctx context.Context, keys []string) map[string]userRead
	key    string
	window time.Duration

	mu      sync.Mutex
	waiting map[string][]chan userRead // the next batch's callers, by id
	// ctx is the first waiting caller's context without its cancellation: it carries the
	// caller's logger, and one caller giving up must not fail the others.
	ctx      context.Context
	timer    *time.Timer
	inFlight int // batches sent and not yet answered
}

func newReadBatcher(key string, read func(ctx context.Context, keys []string) map[string]userRead) *readBatcher {
	return &readBatcher{read: read, key: key, window: readBatchWindow, waiting: map[string][]chan userRead{}}
}

func (b *readBatcher) get(ctx context.Context, id string) (*User, error) {
	answer := make(chan userRead, 1) // buffered: a batch never waits for a caller that left
	b.mu.Lock()
	if len(b.waiting) == 0 {
		b.ctx = context.WithoutCancel(ctx)
	}
	b.waiting[id] = append(b.waiting[id], answer)
	switch {
	case len(b.waiting) >= usersPerSearch:
		go b.takeLocked().answer()
	case b.inFlight == 0 && b.timer == nil:
		b.timer = time.AfterFunc(b.window, b.flush)
	}
	b.mu.Unlock()
	select {
	case read := <-answer:
		return read.user, read.err
	case <-ctx.Done():
		return nil, fmt.Errorf("concur: reading the user with %s %s: %w", b.key, id, context.Cause(ctx))
	}
}

// flush sends the waiting callers' batch, unless one is in flight: its answer sends them.
func (b *readBatcher) flush() {
	b.mu.Lock()
	var batch *readBatch
	if b.inFlight == 0 {
		batch = b.takeLocked()
	}
	b.mu.Unlock()
	batch.answer()
}

// readBatch is the callers one search answers.
type readBatch struct {
	batcher *readBatcher
	ctx     context.Context
	waiting map[string][]chan userRead
}

// takeLocked takes the waiting callers out as one batch, counted in flight; nil when no one
// waits.
func (b *readBatcher) takeLocked() *readBatch {
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	if len(b.waiting) == 0 {
		return nil
	}
	batch := &readBatch{batcher: b, ctx: b.ctx, waiting: b.waiting}
	b.waiting = map[string][]chan userRead{}
	b.inFlight++
	return batch
}

// answer reads the batch's users, opens the window of the next batch (the callers that arrived
// meanwhile) once none is in flight, and answers the batch's callers.
func (batch *readBatch) answer() {
	if batch == nil {
		return
	}
	b := batch.batcher
	reads := b.read(batch.ctx, slices.Collect(maps.Keys(batch.waiting)))
	b.mu.Lock()
	b.inFlight--
	if b.inFlight == 0 && len(b.waiting) > 0 && b.timer == nil {
		b.timer = time.AfterFunc(b.window, b.flush)
	}
	b.mu.Unlock()
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

// LookUpEmployeeNumber returns the user holding an employee number, nil when none does. Calls made
// at the same time (Terraform plans many concur_user resources at once) are answered by one
// search for all their numbers.
func (c *Client) LookUpEmployeeNumber(ctx context.Context, empID string) (*User, error) {
	if empID == "" {
		return nil, errors.New("concur: LookUpEmployeeNumber: empty employee number")
	}
	return c.lookUps.get(ctx, empID)
}

// lookUpEmployeeNumbers answers a batch of LookUpEmployeeNumber calls with batched searches: a
// number without a user is answered nil with no error; a failed search fails them all.
func (c *Client) lookUpEmployeeNumbers(ctx context.Context, empIDs []string) map[string]userRead {
	found, err := c.FindUsersByEmployeeNumbers(ctx, empIDs)
	reads := make(map[string]userRead, len(empIDs))
	for _, empID := range empIDs {
		reads[empID] = userRead{user: found[empID], err: err}
	}
	return reads
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
