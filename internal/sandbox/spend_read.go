package sandbox

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	scimfilter "github.com/scim2/filter-parser/v2"
)

const (
	spendV41          = "/profile/spend/v4.1"
	defaultSpendCount = 100
	maxSpendCount     = 100
)

// spendFilterFields are the scalar spend User attributes the v4.1 read filters on, with eq and
// ne only.
var spendFilterFields = map[string]func(u *spendUserRecord) any{
	"cashadvanceaccountcode": func(u *spendUserRecord) any { return u.CashAdvanceAccountCode },
	"country":                func(u *spendUserRecord) any { return u.Country },
	"ledgercode":             func(u *spendUserRecord) any { return u.LedgerCode },
	"locale":                 func(u *spendUserRecord) any { return u.Locale },
	"nonemployee":            func(u *spendUserRecord) any { return u.NonEmployee },
	"reimbursementcurrency":  func(u *spendUserRecord) any { return u.ReimbursementCurrency },
	"reimbursementtype":      func(u *spendUserRecord) any { return u.ReimbursementType },
	"stateprovince":          func(u *spendUserRecord) any { return u.StateProvince },
	"testemployee":           func(u *spendUserRecord) any { return u.TestEmployee },
}

const spendFilterHelp = "filter on cashAdvanceAccountCode, country, ledgerCode, locale, nonEmployee, reimbursementCurrency, " +
	"reimbursementType, stateProvince or testEmployee with eq or ne, or on customData[id eq \"custom1\" and value eq \"x\"]"

// spendFieldName turns a filter's attribute path into a spend User attribute, with or without
// the extension URN.
func spendFieldName(p scimfilter.AttributePath) (string, bool) {
	if uri := p.URI(); uri != "" && !strings.EqualFold(uri, schemaSpendUser) {
		return "", false
	}
	if p.SubAttribute != nil {
		return "", false
	}
	return strings.ToLower(p.AttributeName), true
}

func spendUserOf(subject any) *spendUserRecord {
	p, _ := subject.(*spendProfile)
	return p.user
}

// compileSpendFilter accepts what the v4.1 spend read documents: one comparison of a scalar
// attribute, or one customData[...] filter with and, eq and ne inside; anything else is 400.
func compileSpendFilter(text string) (predicate, error) {
	expr, err := parsedFilters.parse(text)
	if err != nil {
		return nil, invalidFilter("Invalid filter %q: %v", text, err)
	}
	c := &filterCompiler{}
	switch e := expr.(type) {
	case *scimfilter.AttributeExpression:
		name, ok := spendFieldName(e.AttributePath)
		get, known := spendFilterFields[name]
		if !ok || !known || e.Operator != scimfilter.EQ && e.Operator != scimfilter.NE {
			return nil, invalidFilter("Unsupported filter %q: the spend read can %s", text, spendFilterHelp)
		}
		kind := kindString
		if _, isBool := get(&spendUserRecord{}).(bool); isBool {
			kind = kindBool
		}
		return c.compile(e, func(scimfilter.AttributePath) (filterAttr, bool) {
			return filterAttr{kind: kind, values: func(s any) []any {
				switch v := get(spendUserOf(s)).(type) {
				case string:
					return str(v)
				default:
					return []any{v}
				}
			}}, true
		})
	case *scimfilter.ValuePath:
		if name, ok := spendFieldName(e.AttributePath); !ok || name != "customdata" || !onlyAndEqNe(e.ValueFilter) {
			return nil, invalidFilter("Unsupported filter %q: the spend read can %s", text, spendFilterHelp)
		}
		inner, err := c.compile(e.ValueFilter, func(p scimfilter.AttributePath) (filterAttr, bool) {
			name := strings.ToLower(p.AttributeName)
			if p.URIPrefix != nil || p.SubAttribute != nil || name != "id" && name != "value" {
				return filterAttr{}, false
			}
			return filterAttr{kind: kindString, values: func(s any) []any {
				d, _ := s.(customDatum)
				if name == "id" {
					return str(d.ID)
				}
				return str(d.Value)
			}}, true
		})
		if err != nil {
			return nil, err
		}
		return func(s any) bool {
			return slices.ContainsFunc(spendUserOf(s).CustomData, func(d customDatum) bool { return inner(d) })
		}, nil
	default:
		return nil, invalidFilter("Unsupported filter %q: the spend read can %s (no and, or or not between attributes)", text, spendFilterHelp)
	}
}

func onlyAndEqNe(expr scimfilter.Expression) bool {
	switch e := expr.(type) {
	case *scimfilter.AttributeExpression:
		return e.Operator == scimfilter.EQ || e.Operator == scimfilter.NE
	case *scimfilter.LogicalExpression:
		return e.Operator == scimfilter.AND && onlyAndEqNe(e.Left) && onlyAndEqNe(e.Right)
	default:
		return false
	}
}

// spendUsers returns the profiles the spend read shows, in provisioning order: those with a
// spend User extension whose identity still exists.
func (s *Server) spendUsers() []*spendProfile {
	s.ups.mu.Lock()
	list := make([]*spendProfile, 0, len(s.ups.order))
	for _, id := range s.ups.order {
		if p := s.ups.profiles[id]; p.user != nil {
			list = append(list, p)
		}
	}
	s.ups.mu.Unlock()
	return slices.DeleteFunc(list, func(p *spendProfile) bool {
		_, ok := s.users.get(p.userID)
		return !ok
	})
}

// renderSpendUser is a user as the v4.1 spend read shows it.
func (s *Server) renderSpendUser(p *spendProfile, entitlements []string, base string) map[string]any {
	schemas := []any{"urn:ietf:params:scim:schemas:ScimResource", schemaSpendUser, schemaSpendApprover}
	doc := map[string]any{
		"id": p.userID,
		"meta": map[string]any{
			"resourceType": "User", "created": nil, "version": nil,
			"lastModified": p.lastModified.UTC().Format("2006-01-02T15:04:05.000Z"),
			"location":     base + "/profile/spend/v4/Users/" + p.userID,
		},
		schemaSpendUser:     p.user.render(),
		schemaSpendApprover: renderApprovers(p.approvers),
		schemaSpendRole:     renderRoles(p.roles, entitlements, true),
	}
	for _, urn := range opaqueExtensions {
		obj, stored := p.opaque[urn]
		if !stored && strings.HasSuffix(urn, ":ApproverLimit") {
			continue // shown only when provisioned
		}
		if obj == nil {
			obj = map[string]any{}
		}
		doc[urn] = deepCopy(obj)
		schemas = append(schemas, urn)
	}
	doc["schemas"] = append(schemas, schemaSpendRole)
	return doc
}

func (s *Server) handleSpendList(w http.ResponseWriter, r *http.Request) {
	if !grantFrom(r.Context()).has(scopeSpendRead) {
		writeErr(w, insufficientScope(r, scopeSpendRead, ""))
		return
	}
	q := r.URL.Query()
	start, err := queryInt(q.Get("startIndex"), "startIndex", 1, 1, 1<<31-1)
	if err != nil {
		writeErr(w, err)
		return
	}
	count, err := queryInt(q.Get("count"), "count", defaultSpendCount, 1, maxSpendCount)
	if err != nil {
		writeErr(w, err)
		return
	}
	var match predicate
	if f := strings.TrimSpace(q.Get("filter")); f != "" {
		if match, err = compileSpendFilter(f); err != nil {
			writeErr(w, err)
			return
		}
	}
	users := s.spendUsers()
	if match != nil {
		users = slices.DeleteFunc(users, func(p *spendProfile) bool { return !match(p) })
	}
	from := min(start-1, len(users))
	page := users[from:min(from+count, len(users))]
	resources := make([]any, 0, len(page))
	for _, p := range page {
		u, _ := s.users.get(p.userID)
		resources = append(resources, s.renderSpendUser(p, u.Entitlements, s.baseURL(r)))
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"schemas":      []string{schemaListResponse},
		"totalResults": len(users),
		"startIndex":   start,
		"itemsPerPage": len(resources),
		"Resources":    resources,
	})
}

func (s *Server) handleSpendGet(w http.ResponseWriter, r *http.Request) {
	if !grantFrom(r.Context()).has(scopeSpendRead) {
		writeErr(w, insufficientScope(r, scopeSpendRead, ""))
		return
	}
	id := pathID(r)
	u, exists := s.users.get(id)
	p, ok := s.ups.profile(id)
	if !exists || !ok || p.user == nil {
		writeErr(w, newSCIMError(http.StatusNotFound, "", fmt.Sprintf("No spend user %s: provision %s through /profile/v4/Users first", id, schemaSpendUser)))
		return
	}
	writeJSON(w, http.StatusOK, s.renderSpendUser(p, u.Entitlements, s.baseURL(r)))
}
