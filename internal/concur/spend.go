package concur

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
)

// Reads of the Spend profile (Spend v4.1, which returns the Approver and Role extensions with
// the Spend User) and of the Travel profile (Travel v4, one user per request).

const (
	spendUsersPath   = "/profile/spend/v4.1/Users"
	travelUsersPath  = "/profile/travel/v4/Users"
	maxSpendPageSize = 100 // the Spend v4.1 maximum
	// spendIDsWorthListing is how many ids make reading the first page of the company's spend
	// users worth its request: it answers for up to 100 users at once, and costs at most one
	// request in spendIDsWorthListing more than reading each id.
	spendIDsWorthListing = 10
)

type spendResource struct {
	ID string `json:"id"`
	profileExtensions
}

type spendList struct {
	TotalResults int             `json:"totalResults"`
	Resources    []spendResource `json:"Resources"`
}

// FindSpendProfilesByIDs reads the Spend profiles (Spend User, primary approvers, roles) of
// users by Concur id, keyed by id; a user without one (404) is absent. Spend v4.1 cannot filter
// by id, so the cheaper of two ways is taken: a GET per id (1 request per user), or, from
// spendIDsWorthListing ids on, the company's spend users listed 100 a page, MaxConcurrency pages
// at a time, when they fill fewer pages than there are ids (about 0.01 requests per user for a
// channel holding most of the company), then a GET for each id the listing did not return. An
// approver Concur returns by id only gets its employee number from a batched identity read.
func (c *Client) FindSpendProfilesByIDs(ctx context.Context, ids []string) (map[string]*SpendProfile, error) {
	unique := uniqueValues(ids)
	wanted := make(map[string]bool, len(unique))
	for _, id := range unique {
		wanted[id] = true
	}
	var mu sync.Mutex
	found := make(map[string]*SpendProfile, len(unique))
	keep := func(page *spendList) {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range page.Resources {
			if wanted[r.ID] {
				p := r.spendProfile()
				found[r.ID] = &p
			}
		}
	}
	if len(unique) >= spendIDsWorthListing {
		first, err := c.spendPage(ctx, 1)
		if err != nil {
			return nil, err
		}
		keep(first)
		if stride := len(first.Resources); stride > 0 {
			var starts []int
			for start := 1 + stride; start <= first.TotalResults; start += stride {
				starts = append(starts, start)
			}
			if len(starts) < len(unique)-len(found) {
				err := c.forEach(ctx, len(starts), func(ctx context.Context, i int) error {
					page, err := c.spendPage(ctx, starts[i])
					if err == nil {
						keep(page)
					}
					return err
				})
				if err != nil {
					return nil, err
				}
			}
		}
	}
	var rest []string
	for _, id := range unique {
		if found[id] == nil {
			rest = append(rest, id)
		}
	}
	err := c.forEach(ctx, len(rest), func(ctx context.Context, i int) error {
		var r spendResource
		err := c.getProfile(ctx, spendUsersPath, rest[i], scopeSpendRead, &r)
		if err == nil {
			p := r.spendProfile()
			mu.Lock()
			found[rest[i]] = &p
			mu.Unlock()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	var approvers []*Approver
	for _, p := range found {
		for _, k := range approverKinds {
			approvers = append(approvers, k.field(&p.Approvers))
		}
	}
	return found, c.fillEmployeeNumbers(ctx, approvers)
}

// FindTravelProfilesByIDs reads the Travel profiles of users by Concur id, keyed by id, with one
// GET per user (Travel v4 has no list), MaxConcurrency at a time; a user without one (404) is
// absent.
func (c *Client) FindTravelProfilesByIDs(ctx context.Context, ids []string) (map[string]*TravelProfile, error) {
	unique := uniqueValues(ids)
	var mu sync.Mutex
	found := make(map[string]*TravelProfile, len(unique))
	err := c.forEach(ctx, len(unique), func(ctx context.Context, i int) error {
		var r profileExtensions
		err := c.getProfile(ctx, travelUsersPath, unique[i], scopeTravelRead, &r)
		if err == nil {
			p := r.travelProfile()
			mu.Lock()
			found[unique[i]] = &p
			mu.Unlock()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	var managers []*Approver
	for _, p := range found {
		managers = append(managers, &p.Manager)
	}
	return found, c.fillEmployeeNumbers(ctx, managers)
}

// spendPage reads the company's spend users from a 1-based index.
func (c *Client) spendPage(ctx context.Context, startIndex int) (*spendList, error) {
	r := request{method: http.MethodGet, path: spendUsersPath, resendIfUnsure: true,
		query: url.Values{"startIndex": {strconv.Itoa(startIndex)}, "count": {strconv.Itoa(maxSpendPageSize)}}}
	var page spendList
	if err := c.getJSON(ctx, r, scopeSpendRead, "list response", &page); err != nil {
		return nil, err
	}
	return &page, nil
}

// getProfile reads one user's profile into into; a 404 leaves into as it is and is no error.
func (c *Client) getProfile(ctx context.Context, path, id, scope string, into any) error {
	r := request{method: http.MethodGet, path: path + "/" + url.PathEscape(id), resendIfUnsure: true}
	err := c.getJSON(ctx, r, scope, "profile", into)
	if IsNotFound(err) {
		return errNoProfile
	}
	return err
}

// getJSON sends a read and decodes its answer into into; a 403 becomes a *ScopeError naming
// scope, and what names the answer in the error an unreadable one gives.
func (c *Client) getJSON(ctx context.Context, r request, scope, what string, into any) error {
	resp, err := c.send(ctx, r)
	if err != nil {
		return asScopeError(err, []string{scope})
	}
	if err := json.Unmarshal(resp.body, into); err != nil {
		return fmt.Errorf("concur: %s %s: unreadable %s: %w", r.method, r.path, what, err)
	}
	return nil
}

// errNoProfile marks a user without the profile read; forEach's callers skip it.
var errNoProfile = errors.New("no profile")

// forEach runs do for 0..n-1, as many at a time as MaxConcurrency allows, and stops at the first
// error other than errNoProfile.
func (c *Client) forEach(ctx context.Context, n int, do func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	slots := make(chan struct{}, c.cfg.MaxConcurrency)
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			if err := do(ctx, i); err != nil && !errors.Is(err, errNoProfile) {
				cancel(err)
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

// fillEmployeeNumbers gives approvers known by id only their employee number, reading the ids
// the client has not met before in one batch (FindUsersByIDs). An id without a user stays as is.
func (c *Client) fillEmployeeNumbers(ctx context.Context, approvers []*Approver) error {
	var unknown []string
	c.mu.Lock()
	for _, a := range approvers {
		if a.ID != "" && a.EmployeeNumber == "" && c.employeeNumbers[a.ID] == "" {
			unknown = append(unknown, a.ID)
		}
	}
	c.mu.Unlock()
	if len(unknown) > 0 {
		users, err := c.FindUsersByIDs(ctx, unknown)
		if err != nil {
			return fmt.Errorf("concur: reading the employee numbers of approvers: %w", err)
		}
		for _, u := range users {
			c.remember(u.EmployeeNumber, u.ID)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, a := range approvers {
		if a.ID != "" && a.EmployeeNumber == "" {
			a.EmployeeNumber = c.employeeNumbers[a.ID]
		}
	}
	return nil
}

// remember records that the user with employee number empID has Concur id id.
func (c *Client) remember(empID, id string) {
	if empID == "" || id == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.managerIDs[empID] = id
	c.employeeNumbers[id] = empID
}
