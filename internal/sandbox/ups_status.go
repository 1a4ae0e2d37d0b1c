package sandbox

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
)

const (
	schemaProvisionStatus = "urn:ietf:params:scim:schemas:extension:concur:2.0:Provision:Status"
	// provisionRetention is how long Concur keeps a provision request's status.
	provisionRetention = 7 * 24 * time.Hour
	defaultStatusCount = 100
	maxStatusCount     = 1000
)

// provision is one provision request: a single /Users write (type "User") or a /Bulk request.
type provision struct {
	id, kind, correlationID, baseURL string
	created, due, completed          time.Time
	// req carries the submitting request's token grant, which the operations' scope rules read
	// when they run after the answer was sent.
	req *http.Request
	ops []*operation
}

func (p *provision) location() string {
	return p.baseURL + upsV4 + "/provisions/" + p.id + "/status"
}

func (p *provision) isDone() bool {
	return !slices.ContainsFunc(p.ops, func(op *operation) bool { return !op.done })
}

// submitLocked records a provision request and runs it at once when there is no delay;
// otherwise it stays pending until the delay has passed.
func (s *Server) submitLocked(r *http.Request, w http.ResponseWriter, kind string, ops []*operation) *provision {
	now := s.ups.now()
	p := &provision{
		id: newUUID(), kind: kind, correlationID: w.Header().Get("concur-correlationid"), baseURL: s.baseURL(r),
		created: now, due: now.Add(s.ups.delay), req: r.WithContext(context.WithoutCancel(r.Context())), ops: ops,
	}
	s.ups.provisions[p.id] = p
	s.ups.pending = append(s.ups.pending, p)
	if s.ups.delay == 0 {
		s.processDueLocked()
	} else {
		time.AfterFunc(s.ups.delay, s.processDue)
	}
	return p
}

func (s *Server) processDue() {
	s.ups.mu.Lock()
	defer s.ups.mu.Unlock()
	s.processDueLocked()
}

// processDueLocked runs the provision requests whose delay has passed, in submission order.
func (s *Server) processDueLocked() {
	now := s.ups.now()
	var still []*provision
	for _, p := range s.ups.pending {
		if now.Before(p.due) {
			still = append(still, p)
			continue
		}
		for _, op := range p.ops {
			if op.done {
				continue
			}
			if !op.identityDone {
				if _, err := s.runIdentityLocked(p.req, p.baseURL, op); err != nil {
					continue
				}
			}
			s.runExtensionsLocked(op)
		}
		p.completed = s.ups.now()
	}
	s.ups.pending = still
}

// statusTime is the format of the provision status's timestamps ("2021-04-26T16:29:38.459+0000").
func statusTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000-0700") }

func (s *Server) handleProvisionStatus(w http.ResponseWriter, r *http.Request) {
	if !grantFrom(r.Context()).has(scopeProvisionRead) {
		writeErr(w, insufficientScope(r, scopeProvisionRead, ""))
		return
	}
	q := r.URL.Query()
	withOps := false
	switch a := q.Get("attributes"); a {
	case "":
	case "operations":
		withOps = true
	default:
		writeErr(w, newSCIMError(http.StatusBadRequest, "invalidValue", fmt.Sprintf("'attributes' %q is not supported: use operations", a)))
		return
	}
	start, err := queryInt(q.Get("startIndex"), "startIndex", 1, 0, 1<<31-1)
	if err == nil {
		start = max(start, 1)
	}
	count, cerr := queryInt(q.Get("count"), "count", defaultStatusCount, 0, maxStatusCount)
	state := q.Get("state")
	if err == nil && cerr != nil {
		err = cerr
	}
	if err == nil && state != "" && !slices.Contains([]string{"pending", "success", "failed"}, state) {
		err = newSCIMError(http.StatusBadRequest, "invalidValue", fmt.Sprintf("'state' %q: use pending, success or failed", state))
	}
	if err != nil {
		writeErr(w, err)
		return
	}

	s.ups.mu.Lock()
	defer s.ups.mu.Unlock()
	s.processDueLocked()
	p, ok := s.ups.provisions[r.PathValue("id")]
	if ok && s.ups.now().Sub(p.created) > provisionRetention {
		delete(s.ups.provisions, p.id)
		ok = false
	}
	if !ok {
		writeErr(w, newSCIMError(http.StatusNotFound, "", fmt.Sprintf("Provision request %s not found (statuses are kept %d days)", r.PathValue("id"), provisionRetention/(24*time.Hour))))
		return
	}
	body := p.statusBody()
	if withOps {
		var matching []*operation
		for _, op := range p.ops {
			if state == "" || op.state() == state {
				matching = append(matching, op)
			}
		}
		from := min(start-1, len(matching))
		page := matching[from:min(from+count, len(matching))]
		list := make([]any, 0, len(page))
		for _, op := range page {
			list = append(list, op.render())
		}
		body["operations"] = list
		body["totalResults"] = len(matching)
		body["itemsPerPage"] = len(list)
		body["startIndex"] = start
	}
	writeJSON(w, http.StatusOK, body)
}

// queryInt reads an optional integer query parameter within [lo, hi].
func queryInt(raw, name string, def, lo, hi int) (int, error) {
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lo || n > hi {
		return 0, newSCIMError(http.StatusBadRequest, "invalidValue", fmt.Sprintf("'%s' must be an integer between %d and %d", name, lo, hi),
			invalidValue(name, fmt.Sprintf("'%s' must be between %d and %d", name, lo, hi)))
	}
	return n, nil
}

// statusBody is the summary status: counts, overall status and meta.
func (p *provision) statusBody() map[string]any {
	counts := map[string]int{"total": len(p.ops), "success": 0, "failed": 0, "pending": 0}
	for _, op := range p.ops {
		counts[op.state()]++
	}
	done := p.isDone()
	var success any
	if done {
		success = counts["failed"] == 0
	}
	meta := map[string]any{
		"location":      p.location(),
		"created":       statusTime(p.created),
		"lastModified":  statusTime(p.created),
		"provisionType": p.kind,
		"resourceType":  "ProvisionRequest",
		"correlationId": p.correlationID,
	}
	if done {
		meta["lastModified"] = statusTime(p.completed)
		meta["completed"] = statusTime(p.completed)
	}
	return map[string]any{
		"schemas":         []string{schemaProvisionStatus},
		"id":              p.id,
		"operationsCount": counts,
		"status":          map[string]any{"completed": done, "success": success},
		"meta":            meta,
	}
}

// state is the operation's state as the status's state parameter names it.
func (op *operation) state() string {
	switch {
	case !op.done:
		return "pending"
	case op.failed() != "":
		return "failed"
	default:
		return "success"
	}
}

func (op *operation) render() map[string]any {
	status := map[string]any{"completed": op.done, "success": nil}
	if op.done {
		code := op.failed()
		status["success"] = code == ""
		if code == "" {
			code = "200"
		}
		status["code"] = code
	}
	var resourceID any
	if op.userID != "" {
		resourceID = op.userID
	}
	extensions := make([]any, 0, len(op.results))
	for _, urn := range statusExtensions() {
		st, known := op.results[urn]
		ext := map[string]any{"name": urn}
		switch {
		case !known: // not run yet
			ext["status"] = map[string]any{"completed": false, "success": nil, "result": "processing"}
		default:
			s := map[string]any{"completed": true, "success": st.result == "success" || st.result == "no-op", "result": st.result}
			if st.code != "" {
				s["code"] = st.code
			}
			ext["status"] = s
			if len(st.messages) > 0 {
				ext["messages"] = st.messages
			}
		}
		extensions = append(extensions, ext)
	}
	return map[string]any{
		"id":         strconv.Itoa(op.index),
		"bulkId":     op.bulkID,
		"status":     status,
		"resource":   map[string]any{"id": resourceID, "type": "User"},
		"extensions": extensions,
	}
}
