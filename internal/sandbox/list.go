package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	scimfilter "github.com/scim2/filter-parser/v2"
)

const (
	defaultCursorCount = 100  // v4.1 default page size
	maxCursorCount     = 1000 // v4.1 maximum
	defaultIndexCount  = 10   // v4 default page size
	maxIndexCount      = 100  // v4 maximum (the markdown says 100, the OpenAPI 20)
)

// Cursors are opaque to clients; inside they name the creation sequence of the last
// user returned, so deleting or adding users between pages never repeats or skips one.
func encodeCursor(seq uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("seq:" + strconv.FormatUint(seq, 10)))
}

func decodeCursor(c string) (uint64, error) {
	if c == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(c, "="))
	if err == nil {
		if n, ok := strings.CutPrefix(string(raw), "seq:"); ok {
			if seq, err := strconv.ParseUint(n, 10, 64); err == nil {
				return seq, nil
			}
		}
	}
	return 0, newSCIMError(http.StatusBadRequest, "invalidCursor", fmt.Sprintf("Invalid cursor %q", c))
}

// pageCount validates count against a documented range.
func pageCount(raw string, def, maxCount int) (int, error) {
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > maxCount {
		return 0, newSCIMError(http.StatusBadRequest, "invalidValue",
			fmt.Sprintf("'count' must be an integer between 1 and %d", maxCount),
			invalidValue("count", fmt.Sprintf("'count' must be between 1 and %d", maxCount)))
	}
	return n, nil
}

// writeCursorPage writes a v4.1 list response; nextCursor only when more pages exist.
func (s *Server) writeCursorPage(w http.ResponseWriter, r *http.Request, page searchPage, attributes, excluded []string) {
	resources := make([]any, 0, len(page.users))
	for _, u := range page.users {
		resources = append(resources, project(u, s.renderUser(u, r), attributes, excluded))
	}
	body := map[string]any{
		"schemas":      []string{schemaListResponse},
		"totalResults": page.total,
		"itemsPerPage": len(resources),
		"Resources":    resources,
	}
	if page.more {
		body["nextCursor"] = encodeCursor(page.lastSeq)
	}
	writeJSON(w, http.StatusOK, body)
}

// handleListV41 is GET /profile/identity/v4.1/Users: cursor paging, no filter (v4.1
// filters go through POST /Users/.search).
func (s *Server) handleListV41(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Has("filter") {
		writeErr(w, invalidFilter("GET /Users does not take a filter in v4.1; use POST /Users/.search"))
		return
	}
	if q.Has("startIndex") {
		writeErr(w, newSCIMError(http.StatusBadRequest, "invalidValue", "'startIndex' is not supported in v4.1; use 'cursor'"))
		return
	}
	count, err := pageCount(q.Get("count"), defaultCursorCount, maxCursorCount)
	if err != nil {
		writeErr(w, err)
		return
	}
	after, err := decodeCursor(q.Get("cursor"))
	if err != nil {
		writeErr(w, err)
		return
	}
	page := s.users.search(nil, after, count)
	s.writeCursorPage(w, r, page, splitList(q.Get("attributes")), splitList(q.Get("excludedAttributes")))
}

// searchRequest is the body of POST /Users/.search.
type searchRequest struct {
	Schemas            []string `json:"schemas"`
	Filter             string   `json:"filter"`
	Count              *int     `json:"count"`
	Cursor             string   `json:"cursor"`
	Attributes         []string `json:"attributes"`
	ExcludedAttributes []string `json:"excludedAttributes"`
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	var req searchRequest
	if err := readJSON(r, &req); err != nil {
		writeErr(w, err)
		return
	}
	if len(req.Schemas) != 1 || req.Schemas[0] != schemaSearchRequest {
		writeErr(w, newSCIMError(http.StatusBadRequest, "invalidSyntax",
			"'schemas' is required and must be [\""+schemaSearchRequest+"\"]", requiredValue("schemas")))
		return
	}
	count := defaultCursorCount
	if req.Count != nil {
		var err error
		if count, err = pageCount(strconv.Itoa(*req.Count), defaultCursorCount, maxCursorCount); err != nil {
			writeErr(w, err)
			return
		}
	}
	after, err := decodeCursor(req.Cursor)
	if err != nil {
		writeErr(w, err)
		return
	}
	var filter *compiledFilter
	if strings.TrimSpace(req.Filter) != "" {
		if filter, err = s.users.compileFilter(req.Filter); err != nil {
			writeErr(w, err)
			return
		}
	}
	page := s.users.search(filter, after, count)
	s.writeCursorPage(w, r, page, req.Attributes, req.ExcludedAttributes)
}

// v4FilterAttrs are the only attributes v4 GET /Users?filter= accepts (with eq), mapped
// to the full paths the v4.1 filter uses.
var v4FilterAttrs = map[string]string{
	"username":       "userName",
	"externalid":     "externalId",
	"employeenumber": schemaEnterprise + ":employeeNumber",
	strings.ToLower(schemaEnterprise) + ":employeenumber": schemaEnterprise + ":employeeNumber",
}

// compileV4Filter accepts exactly `attr eq "value"` on userName, employeeNumber or
// externalId, as the v4 OpenAPI documents.
func (s *userStore) compileV4Filter(text string) (*compiledFilter, error) {
	expr, err := parseFilterText(text)
	if err != nil {
		return nil, invalidFilter("Invalid filter %q: %v", text, err)
	}
	e, ok := expr.(*scimfilter.AttributeExpression)
	if !ok || e.Operator != scimfilter.EQ {
		return nil, invalidFilter("v4 filters support only one 'eq' comparison on userName, employeeNumber or externalId")
	}
	full, ok := v4FilterAttrs[attrKey(e.AttributePath)]
	if !ok {
		return nil, invalidFilter("Attribute %q is not filterable in v4: use userName, employeeNumber or externalId", e.AttributePath.String())
	}
	value, ok := e.CompareValue.(string)
	if !ok {
		value = fmt.Sprint(e.CompareValue)
	} else {
		value = unescapeFilterString(value)
	}
	quoted, err := json.Marshal(value) // a JSON string, as the filter grammar has it
	if err != nil {
		return nil, invalidFilter("Invalid filter value %q", value)
	}
	return s.compileFilter(full + " eq " + string(quoted))
}

// handleListV4 is GET /profile/identity/v4/Users: index paging and the simple filter.
func (s *Server) handleListV4(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	count, err := pageCount(q.Get("count"), defaultIndexCount, maxIndexCount)
	if err != nil {
		writeErr(w, err)
		return
	}
	start := 1
	if raw := q.Get("startIndex"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil {
			writeErr(w, newSCIMError(http.StatusBadRequest, "invalidValue", "'startIndex' must be an integer"))
			return
		}
		start = max(n, 1) // RFC 7644: values below 1 are read as 1
	}
	var filter *compiledFilter
	if f := strings.TrimSpace(q.Get("filter")); f != "" {
		if filter, err = s.users.compileV4Filter(f); err != nil {
			writeErr(w, err)
			return
		}
	}
	matches, total := s.users.window(filter, start-1, count)
	resources := make([]any, 0, len(matches))
	for _, u := range matches {
		resources = append(resources, project(u, s.renderUser(u, r), splitList(q.Get("attributes")), splitList(q.Get("excludedAttributes"))))
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"schemas":      []string{schemaListResponse},
		"totalResults": total,
		"startIndex":   start,
		"itemsPerPage": len(resources),
		"Resources":    resources,
	})
}
