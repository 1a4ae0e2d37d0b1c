package concur

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
)

// seededIDs seeds n users and returns their Concur ids, in employee number order.
func seededIDs(t *testing.T, s *sandbox.Server, c *Client, n int) []string {
	t.Helper()
	seedUsers(t, s, n)
	var empIDs []string
	for i := range n {
		empIDs = append(empIDs, employeeNumber(i))
	}
	found, err := c.FindUsersByEmployeeNumbers(context.Background(), empIDs)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, n)
	for i, empID := range empIDs {
		ids[i] = found[empID].ID
	}
	return ids
}

// getConcurrently calls GetUser for every id at once and returns the answers in order.
func getConcurrently(ctx context.Context, c *Client, ids []string) ([]*User, []error) {
	users, errs := make([]*User, len(ids)), make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() { users[i], errs[i] = c.GetUser(ctx, id) })
	}
	wg.Wait()
	return users, errs
}

// waitUntilWaiting blocks until n GetUser calls wait for the next batch.
func waitUntilWaiting(t *testing.T, c *Client, n int) {
	t.Helper()
	for {
		c.reads.mu.Lock()
		waiting := 0
		for _, answers := range c.reads.waiting {
			waiting += len(answers)
		}
		c.reads.mu.Unlock()
		if waiting >= n {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// 100 concurrent reads are answered by one search, each read as GET would answer it: the same
// user, and for a deleted user the same 404.
func TestGetUserBatchesConcurrentReads(t *testing.T) {
	s, cfg := startSandbox(t, sandbox.Options{})
	c := newTestClient(t, cfg)
	c.reads.window = time.Hour // only a full batch goes out: the count below cannot depend on timing
	ids := seededIDs(t, s, c, usersPerSearch)
	deleted := ids[17]
	if !s.DeleteUserByEmployeeNumber(employeeNumber(17)) {
		t.Fatal("no user to delete")
	}
	_, wantErr := c.getUser(context.Background(), deleted)
	s.ResetCounters()

	users, errs := getConcurrently(context.Background(), c, ids)

	counters := s.Counters()
	if counters[endpointSearch] != 1 || counters[endpointGet] != 1 || len(counters) != 2 {
		t.Errorf("%d reads sent %v; want one search, and one GET for the deleted user", len(ids), counters)
	}
	for i, id := range ids {
		if id == deleted {
			if !IsNotFound(errs[i]) || errs[i].Error() != wantErr.Error() {
				t.Errorf("reading the deleted user: %v; want GET's %v", errs[i], wantErr)
			}
			continue
		}
		want, err := c.getUser(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if errs[i] != nil || !reflect.DeepEqual(users[i], want) {
			t.Errorf("GetUser(%s) = %+v, %v; want GET's %+v", id, users[i], errs[i], want)
		}
	}
}

// Callers reading the same user each get their own copy.
func TestGetUserSameIDTwiceInOneBatch(t *testing.T) {
	s, cfg := startSandbox(t, sandbox.Options{})
	c := newTestClient(t, cfg)
	ids := seededIDs(t, s, c, 2)
	c.reads.window = time.Hour
	s.ResetCounters()

	var users []*User
	var errs []error
	done := make(chan struct{})
	go func() {
		users, errs = getConcurrently(context.Background(), c, []string{ids[0], ids[0], ids[1]})
		close(done)
	}()
	waitUntilWaiting(t, c, 3)
	c.reads.flush()
	<-done

	if errs[0] != nil || errs[1] != nil || errs[2] != nil {
		t.Fatal(errs)
	}
	if users[0] == users[1] || !reflect.DeepEqual(users[0], users[1]) || users[0].ID != ids[0] || users[2].ID != ids[1] {
		t.Errorf("answers %+v, want two equal copies of %s and %s", users, ids[0], ids[1])
	}
	if n := s.Counters()[endpointSearch]; n != 1 {
		t.Errorf("%d searches, want 1", n)
	}
}

// A read that fails fails alone: a deleted user's GET that keeps failing, and a caller that gives
// up, leave the others' answers intact.
func TestGetUserFailureStaysWithItsCaller(t *testing.T) {
	s, cfg := startSandbox(t, sandbox.Options{})
	cfg.MaxRetries = NoRetries
	c := newTestClient(t, cfg)
	ids := seededIDs(t, s, c, 3)
	c.reads.window = time.Hour
	s.DeleteUserByEmployeeNumber(employeeNumber(1))
	s.SetFaults(sandbox.Faults{FailNext: map[string]int{endpointGet: 1}})

	impatient, giveUp := context.WithCancel(context.Background())
	gaveUp := make(chan error)
	go func() {
		_, err := c.GetUser(impatient, ids[2])
		gaveUp <- err
	}()
	errs := make([]error, 3)
	users := make([]*User, 3)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() { users[i], errs[i] = c.GetUser(context.Background(), id) })
	}
	waitUntilWaiting(t, c, 4)
	giveUp()
	if err := <-gaveUp; !errors.Is(err, context.Canceled) { // returns before the batch is answered
		t.Errorf("the caller that gave up: %v, want its cancellation", err)
	}
	c.reads.flush()
	wg.Wait()

	var apiErr *APIError
	if !errors.As(errs[1], &apiErr) || apiErr.StatusCode != http.StatusInternalServerError {
		t.Errorf("the failing read: %v, want the GET's 500", errs[1])
	}
	for _, i := range []int{0, 2} {
		if errs[i] != nil || users[i].ID != ids[i] {
			t.Errorf("read %d = %+v, %v; want user %s", i, users[i], errs[i], ids[i])
		}
	}
}

// A search Concur refuses as a bad request is answered by one GET per id, so each caller gets
// what GET says about its own id.
func TestGetUserFallsBackToGETWhenTheSearchIsRefused(t *testing.T) {
	emulator := sandbox.New(sandbox.Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == searchPath {
			writeJSONResponse(w, http.StatusBadRequest, map[string]any{"scimType": "invalidFilter", "detail": "refused"})
			return
		}
		emulator.Handler().ServeHTTP(w, r)
	}))
	defer srv.Close()
	seedUsers(t, emulator, 2)
	cr := emulator.Credentials()
	c := newTestClient(t, Config{BaseURL: srv.URL, ClientID: cr.ClientID, ClientSecret: cr.ClientSecret, RefreshToken: cr.RefreshToken})
	c.reads.window = time.Hour
	first, _ := emulator.UserByEmployeeNumber(employeeNumber(0))
	second, _ := emulator.UserByEmployeeNumber(employeeNumber(1))
	ids := []string{first["id"].(string), second["id"].(string), "no-such-id"}
	emulator.ResetCounters()

	var users []*User
	var errs []error
	done := make(chan struct{})
	go func() { users, errs = getConcurrently(context.Background(), c, ids); close(done) }()
	waitUntilWaiting(t, c, 3)
	c.reads.flush()
	<-done

	if errs[0] != nil || errs[1] != nil || users[0].ID != ids[0] || users[1].ID != ids[1] {
		t.Errorf("reads after a refused search: %+v, %v", users, errs)
	}
	if !IsNotFound(errs[2]) {
		t.Errorf("reading an unknown id: %v, want GET's 404", errs[2])
	}
	if n := emulator.Counters()[endpointGet]; n != 3 {
		t.Errorf("%d GETs after the refused search, want one per id (3)", n)
	}
}

// FindUsersByIDs reads in searches of 100 ids and confirms an id the search misses with GET.
func TestFindUsersByIDs(t *testing.T) {
	s, cfg := startSandbox(t, sandbox.Options{})
	c := newTestClient(t, cfg)
	ids := seededIDs(t, s, c, 250)
	s.DeleteUserByEmployeeNumber(employeeNumber(5))
	s.ResetCounters()

	wanted := append(ids[:230:230], ids[0], "") // a repeat and an empty id count once and not at all
	found, err := c.FindUsersByIDs(context.Background(), wanted)
	if err != nil {
		t.Fatal(err)
	}

	if len(found) != 229 || found[ids[5]] != nil || found[ids[229]] == nil || found[ids[229]].EmployeeNumber != employeeNumber(229) {
		t.Errorf("found %d users (%v for the deleted one), want the 229 that exist", len(found), found[ids[5]])
	}
	counters := s.Counters()
	if counters[endpointSearch] != 3 || counters[endpointGet] != 1 {
		t.Errorf("reading 230 ids sent %v; want 3 searches and 1 GET for the one the searches missed", counters)
	}
}

// Concurrent first creates without a configured company ID look it up once.
func TestCompanyIDLookedUpOncePerClient(t *testing.T) {
	s, c, _ := clientWithOneUser(t, sandbox.Options{}, nil)
	s.ResetCounters()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if _, err := c.CreateUser(context.Background(), newUser(employeeNumber(100+i))); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := s.Counters()[endpointList]; n != 1 {
		t.Errorf("%d lookups of the company ID for 20 creates, want 1", n)
	}
}

// Reads that arrive while a batch is in flight go out together once it is answered.
func TestGetUserGathersReadsWhileABatchIsInFlight(t *testing.T) {
	emulator := sandbox.New(sandbox.Options{})
	arrived, release := make(chan struct{}), make(chan struct{})
	var held sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, usersPath+"/") {
			held.Do(func() { close(arrived); <-release }) // the first read stays in flight until the others wait
		}
		emulator.Handler().ServeHTTP(w, r)
	}))
	defer srv.Close()
	cr := emulator.Credentials()
	c := newTestClient(t, Config{BaseURL: srv.URL, ClientID: cr.ClientID, ClientSecret: cr.ClientSecret, RefreshToken: cr.RefreshToken})
	ids := seededIDs(t, emulator, c, 21)
	emulator.ResetCounters()

	first := make(chan error)
	go func() {
		_, err := c.GetUser(context.Background(), ids[0])
		first <- err
	}()
	<-arrived // the first read went out alone, as a GET
	var users []*User
	var errs []error
	done := make(chan struct{})
	go func() { users, errs = getConcurrently(context.Background(), c, ids[1:]); close(done) }()
	waitUntilWaiting(t, c, 20)
	close(release)
	<-done

	if err := <-first; err != nil {
		t.Fatal(err)
	}
	for i, err := range errs {
		if err != nil || users[i].ID != ids[i+1] {
			t.Errorf("read %d = %+v, %v", i+1, users[i], err)
		}
	}
	if counters := emulator.Counters(); counters[endpointGet] != 1 || counters[endpointSearch] != 1 {
		t.Errorf("21 reads, 20 of them while the first was in flight, sent %v; want 1 GET and 1 search", counters)
	}
}
