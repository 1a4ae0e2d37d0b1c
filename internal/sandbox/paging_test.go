package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// seedUsers loads n users (employeeNumbers 00000..n-1) out of band.
func seedUsers(t testing.TB, s *Server, n int, tweak func(i int, doc map[string]any)) {
	t.Helper()
	docs := make([]map[string]any, n)
	for i := range docs {
		docs[i] = userDoc(fmt.Sprintf("%05d", i))
		if tweak != nil {
			tweak(i, docs[i])
		}
	}
	raw, err := json.Marshal(docs)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.LoadUsersJSON(bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
}

// pageThrough follows nextCursor until it disappears and returns every employeeNumber
// seen, in order, and the number of pages.
func pageThrough(t *testing.T, fetch func(cursor string) apiResponse) ([]string, int) {
	t.Helper()
	var all []string
	cursor, pages := "", 0
	for {
		resp := fetch(cursor)
		expectStatus(t, resp, 200)
		pages++
		ids := resourceEmpIDs(resp.body)
		if resp.body["itemsPerPage"] != float64(len(ids)) {
			t.Fatalf("itemsPerPage %v for %d resources", resp.body["itemsPerPage"], len(ids))
		}
		all = append(all, ids...)
		next, ok := resp.body["nextCursor"].(string)
		if !ok {
			return all, pages
		}
		if pages > 1000 {
			t.Fatal("paging does not end")
		}
		cursor = next
	}
}

func checkSequence(t *testing.T, got []string, want func(i int) string, n int) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("got %d users, want %d", len(got), n)
	}
	seen := map[string]bool{}
	for i, id := range got {
		if seen[id] {
			t.Fatalf("duplicate %s", id)
		}
		seen[id] = true
		if id != want(i) {
			t.Fatalf("position %d: %s, want %s (gap or reorder)", i, id, want(i))
		}
	}
}

func TestCursorPagingGET(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	seedUsers(t, c.srv, 250, nil)
	got, pages := pageThrough(t, func(cursor string) apiResponse {
		q := url.Values{"count": {"60"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		resp := c.do(http.MethodGet, usersV41+"?"+q.Encode(), nil)
		if resp.body["totalResults"] != float64(250) {
			t.Fatalf("totalResults %v", resp.body["totalResults"])
		}
		return resp
	})
	if pages != 5 {
		t.Errorf("%d pages, want 5", pages)
	}
	checkSequence(t, got, func(i int) string { return fmt.Sprintf("%05d", i) }, 250)

	// Default page size is 100; no nextCursor when the last page is exactly full.
	resp := c.do(http.MethodGet, usersV41, nil)
	if len(resourceEmpIDs(resp.body)) != 100 || resp.body["nextCursor"] == nil {
		t.Errorf("default page: %d users, nextCursor %v", len(resourceEmpIDs(resp.body)), resp.body["nextCursor"])
	}
	exact := c.do(http.MethodGet, usersV41+"?count=250", nil)
	if _, ok := exact.body["nextCursor"]; ok || len(resourceEmpIDs(exact.body)) != 250 {
		t.Errorf("a single full page must not carry nextCursor: %v", exact.body["nextCursor"])
	}
	for _, bad := range []string{"count=1001", "count=0", "count=x", "cursor=bm9wZQ", "filter=" + url.QueryEscape(`userName eq "a"`), "startIndex=5"} {
		expectStatus(t, c.do(http.MethodGet, usersV41+"?"+bad, nil), 400)
	}
	expectStatus(t, c.do(http.MethodGet, usersV41+"?count=1000", nil), 200)
}

func TestCursorPagingSearchWithFilterAndChanges(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	// Odd users are in Engineering; paging a filtered search must skip the others.
	seedUsers(t, c.srv, 400, func(i int, doc map[string]any) {
		if i%2 == 1 {
			with(doc, entURN+":department", "Engineering")
		}
	})
	filter := entURN + `:department eq "Engineering"`
	var deleted, added bool
	got, pages := pageThrough(t, func(cursor string) apiResponse {
		resp := c.search(map[string]any{"filter": filter, "count": 45, "cursor": cursor})
		// Between pages: delete a user already returned and add a matching one at the
		// end; neither may shift the pages.
		if !deleted {
			deleted = c.srv.DeleteUserByEmployeeNumber("00001")
		} else if !added {
			c.create(with(userDoc("99999"), entURN+":department", "Engineering"))
			added = true
		}
		return resp
	})
	want := make([]string, 0, 201)
	for i := 1; i < 400; i += 2 {
		want = append(want, fmt.Sprintf("%05d", i))
	}
	want = append(want, "99999")
	if pages < 4 {
		t.Errorf("%d pages, want more than 3", pages)
	}
	checkSequence(t, got, func(i int) string { return want[i] }, len(want))
}

func TestLargeDirectoryIsFast(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("loads 20,000 users")
	}
	c := newClient(t, Options{})
	seedUsers(t, c.srv, 20000, nil)
	if c.srv.UserCount() != 20000 {
		t.Fatalf("UserCount %d", c.srv.UserCount())
	}
	start := time.Now()
	got, pages := pageThrough(t, func(cursor string) apiResponse {
		q := url.Values{"count": {"1000"}, "attributes": {entURN + ":employeeNumber"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		return c.do(http.MethodGet, usersV41+"?"+q.Encode(), nil)
	})
	checkSequence(t, got, func(i int) string { return fmt.Sprintf("%05d", i) }, 20000)
	if pages != 20 {
		t.Errorf("%d pages", pages)
	}
	// A batched lookup of 100 employee numbers goes through the index.
	var parts []string
	for i := 0; i < 100; i++ {
		parts = append(parts, fmt.Sprintf(`%s:employeeNumber eq "%05d"`, entURN, i*199))
	}
	for i := 0; i < 20; i++ {
		resp := c.search(map[string]any{"filter": strings.Join(parts, " or "), "count": 1000})
		if resp.body["totalResults"] != float64(100) {
			t.Fatalf("batched lookup found %v", resp.body["totalResults"])
		}
	}
	if elapsed := time.Since(start); elapsed > 20*time.Second {
		t.Errorf("paging 20,000 users and 20 batched lookups took %v", elapsed)
	}
}

func TestV4IndexPagingAndFilter(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{})
	seedUsers(t, c.srv, 35, func(i int, doc map[string]any) { with(doc, "externalId", "x"+strconv.Itoa(i)) })
	var all []string
	for start := 1; start <= 35; start += 10 {
		resp := c.do(http.MethodGet, usersV4+"?startIndex="+strconv.Itoa(start), nil)
		expectStatus(t, resp, 200)
		if resp.body["startIndex"] != float64(start) || resp.body["totalResults"] != float64(35) {
			t.Fatalf("envelope %v %v", resp.body["startIndex"], resp.body["totalResults"])
		}
		all = append(all, resourceEmpIDs(resp.body)...)
	}
	checkSequence(t, all, func(i int) string { return fmt.Sprintf("%05d", i) }, 35)

	for filter, want := range map[string]string{
		`employeeNumber eq "00007"`:           "00007",
		entURN + `:employeeNumber eq "00008"`: "00008",
		`userName eq "USER00009@example.com"`: "00009",
		`externalId eq "x10"`:                 "00010",
	} {
		resp := c.do(http.MethodGet, usersV4+"?filter="+url.QueryEscape(filter), nil)
		expectStatus(t, resp, 200)
		if got := resourceEmpIDs(resp.body); len(got) != 1 || got[0] != want {
			t.Errorf("%s: %v", filter, got)
		}
	}
	for _, q := range []string{
		"filter=" + url.QueryEscape(`userName sw "user"`),
		"filter=" + url.QueryEscape(`title eq "x"`),
		"filter=" + url.QueryEscape(`userName eq "a" or userName eq "b"`),
		"count=101",
	} {
		resp := c.do(http.MethodGet, usersV4+"?"+q, nil)
		expectStatus(t, resp, 400)
	}
	if resp := c.do(http.MethodGet, usersV4+"?count=100", nil); len(resourceEmpIDs(resp.body)) != 35 {
		t.Errorf("count=100 returned %d", len(resourceEmpIDs(resp.body)))
	}
}
