package ldapdir

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/go-ldap/ldap/v3"
	"github.com/jimlambrt/gldap"
)

// pagingOID is the RFC 2696 simple paged results control.
const pagingOID = "1.2.840.113556.1.4.319"

// answer is what a search returns, built under the store's read lock and
// written after it is released so that a slow client does not block edits.
type answer struct {
	entries []Entry
	code    int
	message string
	// cookie continues a paged search; nil when the search was not paged.
	cookie []byte
}

func (s *Server) handleSearch(w *gldap.ResponseWriter, r *gldap.Request) {
	msg, err := r.GetSearchMessage()
	var ans answer
	switch {
	case err != nil:
		ans = answer{code: gldap.ResultProtocolError, message: err.Error()}
	case !s.isBound(r.ConnectionID()):
		ans = answer{code: gldap.ResultInsufficientAccessRights, message: "bind before searching"}
	default:
		ans = s.search(msg)
	}
	for _, e := range ans.entries {
		resp := r.NewSearchResponseEntry(e.DN)
		for _, a := range e.Attributes {
			resp.AddAttribute(a.Name, a.Values)
		}
		if err := w.Write(resp); err != nil {
			return
		}
	}
	done := r.NewSearchDoneResponse(gldap.WithResponseCode(ans.code), gldap.WithDiagnosticMessage(ans.message))
	if ans.cookie != nil {
		done.SetControls(&gldap.ControlPaging{Cookie: ans.cookie})
	}
	_ = w.Write(done)
}

func (s *Server) search(msg *gldap.SearchMessage) answer {
	filter, err := ldap.CompileFilter(msg.Filter)
	if err != nil {
		return answer{code: gldap.ResultProtocolError, message: "filter: " + err.Error()}
	}
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()

	if msg.BaseDN == "" && msg.Scope == gldap.BaseObject {
		root := s.rootDSE()
		return answer{entries: []Entry{s.project(root, msg.Attributes)}, code: gldap.ResultSuccess}
	}
	base := s.store.get(msg.BaseDN)
	if base == nil {
		return answer{code: gldap.ResultNoSuchObject, message: "no such entry: " + msg.BaseDN}
	}
	var found []*stored
	if named, ok := s.store.namedBy(filter); ok && msg.Scope != gldap.BaseObject {
		for _, e := range named {
			if inScope(e, base.norm, int64(msg.Scope)) {
				found = append(found, e)
			}
		}
	} else {
		candidates := []*stored{base}
		if msg.Scope != gldap.BaseObject {
			candidates = s.store.sorted()
		}
		for _, e := range candidates {
			if inScope(e, base.norm, int64(msg.Scope)) && s.store.matches(e, filter) {
				found = append(found, e)
			}
		}
	}
	page, ans := s.limit(found, msg)
	for _, e := range page {
		ans.entries = append(ans.entries, s.project(e, msg.Attributes))
	}
	return ans
}

// limit applies the paged-results control, or the size limit to an unpaged
// search.
func (s *Server) limit(found []*stored, msg *gldap.SearchMessage) ([]*stored, answer) {
	paging := pagingControl(msg.Controls)
	if paging == nil {
		limit := s.cfg.SizeLimit
		if msg.SizeLimit > 0 && (limit == 0 || int(msg.SizeLimit) < limit) {
			limit = int(msg.SizeLimit)
		}
		if limit > 0 && len(found) > limit {
			return found[:limit], answer{code: gldap.ResultSizeLimitExceeded, message: fmt.Sprintf("more than %d entries; use the paged results control", limit)}
		}
		return found, answer{code: gldap.ResultSuccess}
	}
	// The cookie is the offset of the next page: stateless, and good enough
	// for a directory that rarely changes during one search.
	offset := 0
	if len(paging.Cookie) > 0 {
		n, err := strconv.Atoi(string(paging.Cookie))
		if err != nil || n < 0 || n > len(found) {
			return nil, answer{code: gldap.ResultUnwillingToPerform, message: "invalid paged results cookie"}
		}
		offset = n
	}
	size := int(paging.PagingSize)
	if size == 0 { // the client abandons the search
		return nil, answer{code: gldap.ResultSuccess, cookie: []byte{}}
	}
	if s.cfg.SizeLimit > 0 && size > s.cfg.SizeLimit {
		size = s.cfg.SizeLimit
	}
	end := min(offset+size, len(found))
	ans := answer{code: gldap.ResultSuccess, cookie: []byte{}}
	if end < len(found) {
		ans.cookie = []byte(strconv.Itoa(end))
	}
	return found[offset:end], ans
}

func pagingControl(controls []gldap.Control) *gldap.ControlPaging {
	for _, c := range controls {
		if p, ok := c.(*gldap.ControlPaging); ok {
			return p
		}
	}
	return nil
}

func (s *Server) rootDSE() *stored {
	root := &stored{}
	contexts := s.store.namingContexts()
	root.add("objectClass", "top")
	root.add("namingContexts", contexts...)
	if len(contexts) > 0 {
		root.add("defaultNamingContext", contexts[0])
	}
	root.add("supportedLDAPVersion", "3")
	root.add("supportedControl", pagingOID)
	return root
}

// project returns the requested attributes of e: all of them for none or
// "*", none for "1.1", and Active Directory's ranged slices when enabled.
func (s *Server) project(e *stored, requested []string) Entry {
	out := Entry{DN: e.DN}
	all := len(requested) == 0
	for _, name := range requested {
		all = all || name == "*"
	}
	if all {
		for _, name := range s.store.attributeNames(e) {
			out.Attributes = append(out.Attributes, s.slice(name, s.store.values(e, name), 0, false))
		}
	}
	for _, description := range requested {
		name, low, ranged := s.parseRange(description)
		if name == "*" || name == "1.1" || name == "+" || (all && !ranged) {
			continue
		}
		spelled, values := s.store.attribute(e, name)
		if len(values) == 0 {
			continue
		}
		out.Attributes = append(out.Attributes, s.slice(spelled, values, low, ranged))
	}
	return out
}

// parseRange reads "name;range=low-high" (high is ignored: every slice is
// at most MaxValRange long, which is what clients ask for with "*").
func (s *Server) parseRange(description string) (name string, low int, ranged bool) {
	if !s.cfg.ActiveDirectory {
		return description, 0, false
	}
	name, option, found := strings.Cut(description, ";range=")
	if !found {
		return description, 0, false
	}
	lowText, _, _ := strings.Cut(option, "-")
	low, err := strconv.Atoi(lowText)
	if err != nil || low < 0 {
		return description, 0, false
	}
	return name, low, true
}

// slice returns the attribute whole, or on Active Directory as a ranged
// slice when it is too long or a range was asked for.
func (s *Server) slice(name string, values []string, low int, ranged bool) Attribute {
	maxValues := s.cfg.MaxValRange
	if !s.cfg.ActiveDirectory || (!ranged && len(values) <= maxValues) {
		return Attribute{Name: name, Values: values}
	}
	low = min(low, len(values))
	end := min(low+maxValues, len(values))
	high := "*"
	if end < len(values) {
		high = strconv.Itoa(end - 1)
	}
	return Attribute{Name: fmt.Sprintf("%s;range=%d-%s", name, low, high), Values: values[low:end]}
}
