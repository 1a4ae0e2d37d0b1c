package concur

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

const (
	usersPath  = "/profile/identity/v4.1/Users"
	searchPath = usersPath + "/.search"

	maxPageSize = 1000 // the v4.1 maximum
	// usersPerSearch is how many values one batched lookup or-s together, which makes a lookup
	// cost 0.01 requests per user. Concur documents no limit on the terms of a v4.1 search; the
	// only search payload limit it documents (10 KB, on the User Retrieval v4 endpoint) holds for
	// 100 ids (about 5 KB) and, up to 8-character employee numbers, for 100 of those (about
	// 9.5 KB with the enterprise URN each term repeats; 13 KB at the 48-character maximum).
	usersPerSearch = 100
)

// GetUser reads one user by its Concur id. Calls made at the same time (Terraform refreshes
// many concur_user resources at once) are answered by one search for all their ids; an id the
// search does not return is read with GET, so the answer, a 404 included, is GET's.
func (c *Client) GetUser(ctx context.Context, id string) (*User, error) {
	if id == "" {
		return nil, errors.New("concur: GetUser: empty id")
	}
	return c.reads.get(ctx, id)
}

// getUser is one GET of one user.
func (c *Client) getUser(ctx context.Context, id string) (*User, error) {
	resp, err := c.send(ctx, request{method: http.MethodGet, path: usersPath + "/" + url.PathEscape(id), resendIfUnsure: true})
	if err != nil {
		return nil, err
	}
	return decodeUser(resp)
}

func (c *Client) FindUserByEmployeeNumber(ctx context.Context, empID string) (*User, error) {
	return c.findOne(ctx, "employeeNumber", pathEmployeeNumber, empID, func(u *User) bool { return u.EmployeeNumber == empID })
}

// FindUserByUserName matches case-insensitively, as SCIM defines userName.
func (c *Client) FindUserByUserName(ctx context.Context, userName string) (*User, error) {
	return c.findOne(ctx, "userName", "userName", userName, func(u *User) bool { return strings.EqualFold(u.UserName, userName) })
}

func (c *Client) findOne(ctx context.Context, name, path, value string, same func(*User) bool) (*User, error) {
	if value == "" {
		return nil, fmt.Errorf("concur: looking up a user by %s: empty value", name)
	}
	var found *User
	err := c.SearchUsers(ctx, path+" eq "+scimString(value), func(u *User) error {
		if same(u) && found == nil {
			found = u
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, fmt.Errorf("concur: no user with %s %q: %w", name, value, errNotFound)
	}
	return found, nil
}

// FindUsersByEmployeeNumbers looks many users up with few requests: each search or-s
// usersPerSearch terms, and searches run concurrently within MaxConcurrency. Employee numbers
// without a user are absent from the result.
func (c *Client) FindUsersByEmployeeNumbers(ctx context.Context, empIDs []string) (map[string]*User, error) {
	return c.findUsers(ctx, pathEmployeeNumber, empIDs, func(u *User) string { return u.EmployeeNumber })
}

// FindUsersByIDs reads many users by Concur id with few requests, as FindUsersByEmployeeNumbers
// does. An id the searches do not return is read with GET, so a user is missing from the result
// only when Concur answers 404 for it, never because a search saw an older state.
func (c *Client) FindUsersByIDs(ctx context.Context, ids []string) (map[string]*User, error) {
	found, err := c.findUsers(ctx, "id", ids, func(u *User) string { return u.ID })
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, id := range uniqueValues(ids) {
		if found[id] == nil {
			missing = append(missing, id)
		}
	}
	for id, read := range c.getEach(ctx, missing) {
		switch {
		case read.err == nil:
			found[id] = read.user
		case !IsNotFound(read.err):
			return nil, read.err
		}
	}
	return found, nil
}

// findUsers runs batched searches for the users whose attribute at path equals one of values,
// and returns them keyed by that attribute (keyOf reads it back from a user).
func (c *Client) findUsers(ctx context.Context, path string, values []string, keyOf func(*User) string) (map[string]*User, error) {
	unique := uniqueValues(values)
	wanted := make(map[string]bool, len(unique))
	for _, v := range unique {
		wanted[v] = true
	}
	if len(unique) >= valuesWorthListing {
		found, rest, err := c.findByListing(ctx, unique, wanted, keyOf)
		if err != nil || len(rest) == 0 {
			return found, err
		}
		more, err := c.searchUsers(ctx, path, rest, wanted, keyOf)
		if err != nil {
			return nil, err
		}
		maps.Copy(found, more)
		return found, nil
	}
	return c.searchUsers(ctx, path, unique, wanted, keyOf)
}

// valuesWorthListing is how many values to find make reading the whole tenant worth trying:
// from there, searching costs at least ten requests, and a tenant a few times that size is
// read in fewer, 1,000 users a page instead of 100.
const valuesWorthListing = 10 * usersPerSearch

// findByListing reads the tenant page by page when that takes no more requests than searching
// for the values would, and at most twice the time (pages follow a cursor one after another,
// searches run MaxConcurrency at a time); otherwise it stops after the first page. It returns
// what it found and the values still to search for (none when the whole tenant was read).
func (c *Client) findByListing(ctx context.Context, unique []string, wanted map[string]bool, keyOf func(*User) string) (map[string]*User, []string, error) {
	found := make(map[string]*User, len(unique))
	seen := map[string]bool{}
	searches := (len(unique) + usersPerSearch - 1) / usersPerSearch
	maxPages := min(searches, 2*((searches+c.cfg.MaxConcurrency-1)/c.cfg.MaxConcurrency))
	cursor := ""
	for pages := 0; ; pages++ {
		page, err := c.page(ctx, "", cursor, c.pageSize)
		if err != nil {
			return nil, nil, err
		}
		for _, s := range page.Resources {
			if seen[s.ID] {
				continue
			}
			seen[s.ID] = true
			u := s.user()
			if key := keyOf(&u); wanted[key] {
				found[key] = &u
			}
		}
		if page.NextCursor == "" || len(page.Resources) == 0 {
			return found, nil, nil
		}
		if page.NextCursor == cursor {
			return nil, nil, errors.New("concur: listing users: the server returned the same cursor twice")
		}
		if pages == 0 && (page.TotalResults+c.pageSize-1)/c.pageSize > maxPages {
			var rest []string
			for _, v := range unique {
				if found[v] == nil {
					rest = append(rest, v)
				}
			}
			return found, rest, nil
		}
		cursor = page.NextCursor
	}
}

// searchUsers finds the values with searches of usersPerSearch terms each, as many at a time
// as MaxConcurrency allows.
func (c *Client) searchUsers(ctx context.Context, path string, unique []string, wanted map[string]bool, keyOf func(*User) string) (map[string]*User, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		mu    sync.Mutex
		found = make(map[string]*User, len(unique))
		wg    sync.WaitGroup
		slots = make(chan struct{}, c.cfg.MaxConcurrency)
	)
	for start := 0; start < len(unique); start += usersPerSearch {
		chunk := unique[start:min(start+usersPerSearch, len(unique))]
		terms := make([]string, len(chunk))
		for i, v := range chunk {
			terms[i] = path + " eq " + scimString(v)
		}
		if ctx.Err() != nil {
			break
		}
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			err := c.SearchUsers(ctx, strings.Join(terms, " or "), func(u *User) error {
				if key := keyOf(u); wanted[key] {
					mu.Lock()
					found[key] = u
					mu.Unlock()
				}
				return nil
			})
			if err != nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return found, nil
}

// uniqueValues drops empty and repeated values, keeping the first order.
func uniqueValues(values []string) []string {
	seen := make(map[string]bool, len(values))
	unique := make([]string, 0, len(values))
	for _, v := range values {
		if v != "" && !seen[v] {
			seen[v] = true
			unique = append(unique, v)
		}
	}
	return unique
}

type searchRequest struct {
	Schemas []string `json:"schemas"`
	Filter  string   `json:"filter"`
	Count   int      `json:"count"`
	Cursor  string   `json:"cursor,omitempty"`
}

// SearchUsers visits every user matching a SCIM filter ("" for all users), following the
// cursor from page to page. A user the server repeats across pages is visited once.
func (c *Client) SearchUsers(ctx context.Context, filter string, visit func(*User) error) error {
	seen := map[string]bool{}
	cursor := ""
	for {
		page, err := c.page(ctx, filter, cursor, c.pageSize)
		if err != nil {
			return err
		}
		for _, s := range page.Resources {
			if seen[s.ID] {
				continue
			}
			seen[s.ID] = true
			u := s.user()
			if err := visit(&u); err != nil {
				return err
			}
		}
		if page.NextCursor == "" || len(page.Resources) == 0 {
			return nil
		}
		if page.NextCursor == cursor {
			return errors.New("concur: listing users: the server returned the same cursor twice")
		}
		cursor = page.NextCursor
	}
}

// page fetches one page: GET /Users for everyone, POST /Users/.search for a filter (v4.1's
// GET takes no filter).
func (c *Client) page(ctx context.Context, filter, cursor string, count int) (*listResponse, error) {
	r := request{method: http.MethodGet, path: usersPath, query: url.Values{"count": {strconv.Itoa(count)}}, resendIfUnsure: true}
	if cursor != "" {
		r.query.Set("cursor", cursor)
	}
	if filter != "" {
		var err error
		r, err = jsonRequest(http.MethodPost, searchPath, searchRequest{
			Schemas: []string{schemaSearchRequest}, Filter: filter, Count: count, Cursor: cursor,
		})
		if err != nil {
			return nil, err
		}
	}
	resp, err := c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	var page listResponse
	if err := json.Unmarshal(resp.body, &page); err != nil {
		return nil, fmt.Errorf("concur: %s %s: unreadable list response: %w", r.method, r.path, err)
	}
	return &page, nil
}

// CreateUser creates u, filling in the company ID and the manager's Concur id when only the
// manager's employee number is given. A user with a Spend or Travel profile is created with it in
// one POST /profile/v4/Users (the User Provisioning Service), and CreateUser waits for the
// provision: when only extensions failed, it returns the created user together with an
// *ExtensionError naming them (retry them with UpdateUser); whenever the user is returned with an
// error, its identity is saved. A create that may have taken effect (network error, timeout, 5xx)
// is never blindly repeated: the user is looked up first and returned if it exists (its profile
// then sent again as an update), because a second POST would create a duplicate or fail with 409.
func (c *Client) CreateUser(ctx context.Context, u User) (*User, error) {
	if u.CompanyID == "" {
		id, err := c.CompanyID(ctx)
		if err != nil {
			return nil, err
		}
		u.CompanyID = id
	}
	if err := c.resolveManager(ctx, User{}, &u); err != nil {
		return nil, err
	}
	withProfile := u.HasProfile()
	r, err := jsonRequest(http.MethodPost, usersPath, scimUserForCreate(u))
	if withProfile {
		r, err = createWithProfile(u)
	}
	if err != nil {
		return nil, err
	}
	r.resendIfUnsure = false
	for retries := 0; ; retries++ {
		resp, err := c.send(ctx, r)
		switch {
		case err == nil && withProfile:
			return c.provisioned(ctx, resp, User{}, u, createdSchemas(u))
		case err == nil:
			return decodeUser(resp)
		case withProfile:
			err = asScopeError(err, writeScopes(true, u.ExternalID != "", createdSchemas(u)))
		}
		// After an unsure attempt, a 409 may be our own earlier create becoming visible.
		if !isUnsureOutcome(err) && !(retries > 0 && IsConflict(err)) {
			return nil, err
		}
		existing, lookupErr := c.findCreated(ctx, u)
		if lookupErr == nil {
			c.logf(ctx, "concur: create outcome was unknown; the user exists and is returned", map[string]any{"employee_number": u.EmployeeNumber, "id": existing.ID})
			if withProfile {
				return c.updateProfile(ctx, existing.ID, existing, User{}, u)
			}
			return existing, nil
		}
		if !IsNotFound(lookupErr) {
			return nil, fmt.Errorf("%w; checking whether the user was created anyway failed: %w", err, lookupErr)
		}
		if retries >= c.retry.maxRetries || IsConflict(err) {
			return nil, err
		}
		c.logf(ctx, "concur: create outcome was unknown and the user does not exist; creating again", map[string]any{"employee_number": u.EmployeeNumber, "reason": err.Error()})
		if err := sleep(ctx, c.retry.backoff(retries)); err != nil {
			return nil, err
		}
	}
}

func (c *Client) findCreated(ctx context.Context, u User) (*User, error) {
	if u.EmployeeNumber != "" {
		return c.FindUserByEmployeeNumber(ctx, u.EmployeeNumber)
	}
	return c.FindUserByUserName(ctx, u.UserName)
}

// UpdateUser sends only the attributes that differ between from (what Concur holds) and to, and
// returns the user as Concur holds it afterwards. Identity changes go through Identity v4.1;
// Spend and Travel changes through PATCH /profile/v4/Users/{id}, whose provision UpdateUser
// waits for. When only extensions failed, the user is returned with an *ExtensionError naming
// them, and the returned profile keeps from's values for those. from's profiles must be what
// Concur holds (FindSpendProfilesByIDs, FindTravelProfilesByIDs), or every profile value is sent.
func (c *Client) UpdateUser(ctx context.Context, id string, from, to User) (*User, error) {
	if err := c.resolveManager(ctx, from, &to); err != nil {
		return nil, err
	}
	var saved *User
	if ops := patchOps(from, to); len(ops) > 0 {
		var err error
		if saved, err = c.patch(ctx, id, ops); err != nil {
			return nil, err
		}
	}
	return c.updateProfile(ctx, id, saved, from, to)
}

// updateProfile sends the profile changes of user id, whose identity as saved is saved (nil when
// this call did not change it), and returns the user with its profiles. A user without changes
// of any kind is read back with GetUser.
func (c *Client) updateProfile(ctx context.Context, id string, saved *User, from, to User) (*User, error) {
	updated, err := c.patchProfile(ctx, id, from, to)
	switch {
	case updated != nil:
		return updated, err
	case err != nil:
		return saved, err
	case saved == nil:
		if saved, err = c.GetUser(ctx, id); err != nil {
			return nil, err
		}
	}
	saved.Spend, saved.Travel = to.Spend, to.Travel
	return saved, nil
}

// DeactivateUser sets active=false and keeps the user's data.
func (c *Client) DeactivateUser(ctx context.Context, id string) error {
	_, err := c.patch(ctx, id, []patchOp{{Op: "replace", Path: "active", Value: false}})
	return err
}

// DeleteUser hard-deletes a user; a user that is already gone counts as deleted.
func (c *Client) DeleteUser(ctx context.Context, id string) error {
	if id == "" {
		return errors.New("concur: DeleteUser: empty id")
	}
	_, err := c.send(ctx, request{method: http.MethodDelete, path: usersPath + "/" + url.PathEscape(id), resendIfUnsure: true})
	if IsNotFound(err) {
		return nil
	}
	return err
}

func (c *Client) patch(ctx context.Context, id string, ops []patchOp) (*User, error) {
	if id == "" {
		return nil, errors.New("concur: updating a user: empty id")
	}
	r, err := jsonRequest(http.MethodPatch, usersPath+"/"+url.PathEscape(id), patchRequest{Schemas: []string{schemaPatchOp}, Operations: ops})
	if err != nil {
		return nil, err
	}
	resp, err := c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	return decodeUser(resp)
}

// resolveManager fills to.ManagerID when only the manager's employee number is given. An
// unchanged employee number keeps from's id without a lookup; lookups are cached per Client.
func (c *Client) resolveManager(ctx context.Context, from User, to *User) error {
	empID := to.ManagerEmployeeNumber
	if to.ManagerID != "" || empID == "" {
		return nil
	}
	if empID == from.ManagerEmployeeNumber {
		// The same manager: keep from's id, which callers that record only the employee
		// number leave empty too, so no manager operation is sent.
		to.ManagerID = from.ManagerID
		return nil
	}
	c.mu.Lock()
	cached := c.managerIDs[empID]
	c.mu.Unlock()
	if cached != "" {
		to.ManagerID = cached
		return nil
	}
	manager, err := c.FindUserByEmployeeNumber(ctx, empID)
	if err != nil {
		return fmt.Errorf("concur: resolving the manager with employee number %q: %w", empID, err)
	}
	c.remember(empID, manager.ID)
	to.ManagerID = manager.ID
	return nil
}

// jsonRequest builds a request that may be re-sent after an unsure outcome: true of reads,
// searches, and patches (replace and remove leave the same result when applied twice).
func jsonRequest(method, path string, body any) (request, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return request{}, fmt.Errorf("concur: %s %s: encoding the request: %w", method, path, err)
	}
	return request{method: method, path: path, body: data, contentType: "application/json", resendIfUnsure: true}, nil
}

func decodeUser(resp *response) (*User, error) {
	var s scimUser
	if err := json.Unmarshal(resp.body, &s); err != nil {
		return nil, fmt.Errorf("concur: unreadable user in a %d answer: %w", resp.status, err)
	}
	u := s.user()
	return &u, nil
}
