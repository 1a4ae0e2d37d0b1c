package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	scimfilter "github.com/scim2/filter-parser/v2"
)

// compiledFilter is a parsed, checked SCIM filter ready to run against stored users.
type compiledFilter struct {
	match func(*UserRecord) bool
	// candidates narrows the search through the store's indexes when the filter pins an
	// indexed attribute with eq (possibly or-ed, as a batched employeeNumber lookup
	// does); ok=false means every user must be scanned. Called with the store lock held.
	candidates func(s *userStore) (users []*UserRecord, ok bool)
}

// valueKind says how an attribute's values compare.
type valueKind int

const (
	kindString      valueKind = iota // caseExact false (SCIM default): compared lower-case
	kindExactString                  // caseExact true: id, externalId, employeeNumber, references
	kindBool
	kindDate      // stored YYYY-MM-DD
	kindTimestamp // meta.created / meta.lastModified
)

// filterAttr is one filterable attribute: how to read its values from a subject (a user,
// or one element of a multi-valued attribute inside [...]).
type filterAttr struct {
	kind   valueKind
	values func(subject any) []any
	// elements, for multi-valued complex attributes, yields the elements and the
	// attributes a [...] value filter may use on them.
	elements func(subject any) []any
	subAttrs map[string]filterAttr
}

func userAttr(kind valueKind, get func(u *UserRecord) []any) filterAttr {
	return filterAttr{kind: kind, values: func(s any) []any { return get(asUser(s)) }}
}

func str(s string) []any {
	if s == "" {
		return nil
	}
	return []any{s}
}

var emailSubAttrs = map[string]filterAttr{
	"value":    {kind: kindString, values: func(s any) []any { return str(asEmail(s).Value) }},
	"type":     {kind: kindString, values: func(s any) []any { return str(asEmail(s).Type) }},
	"verified": {kind: kindBool, values: func(s any) []any { return []any{asEmail(s).Verified} }},
}

func addressField(name string) filterAttr {
	return filterAttr{kind: kindString, values: func(s any) []any {
		v, _ := s.(map[string]any)[name].(string)
		return str(v)
	}}
}

var addressSubAttrs = map[string]filterAttr{
	"country": addressField("country"), "locality": addressField("locality"),
	"region": addressField("region"), "type": addressField("type"),
}

func emailElements(s any) []any {
	var out []any
	for _, e := range asUser(s).Emails {
		out = append(out, e)
	}
	return out
}

func addressElements(s any) []any {
	var out []any
	for _, a := range asUser(s).Addresses {
		out = append(out, a)
	}
	return out
}

// valuesOfElements lifts a sub-attribute over every element: emails.value is the set of
// all e-mail values of the user.
func valuesOfElements(elements func(any) []any, sub filterAttr) filterAttr {
	return filterAttr{kind: sub.kind, values: func(s any) []any {
		var out []any
		for _, e := range elements(s) {
			out = append(out, sub.values(e)...)
		}
		return out
	}}
}

// userFilterAttrs are the attributes Identity v4.1 documents as filterable (§2.4), keyed
// by lower-case path; extension attributes carry their full URN.
var userFilterAttrs = func() map[string]filterAttr {
	ent := strings.ToLower(schemaEnterprise) + ":"
	m := map[string]filterAttr{
		"id":              userAttr(kindExactString, func(u *UserRecord) []any { return str(u.ID) }),
		"externalid":      userAttr(kindExactString, func(u *UserRecord) []any { return str(u.ExternalID) }),
		"username":        userAttr(kindString, func(u *UserRecord) []any { return str(u.UserName) }),
		"active":          userAttr(kindBool, func(u *UserRecord) []any { return []any{u.Active} }),
		"nickname":        userAttr(kindString, func(u *UserRecord) []any { return str(u.NickName) }),
		"name.familyname": userAttr(kindString, func(u *UserRecord) []any { return str(u.Name.FamilyName) }),
		"name.givenname":  userAttr(kindString, func(u *UserRecord) []any { return str(u.Name.GivenName) }),
		"entitlements": userAttr(kindString, func(u *UserRecord) []any {
			var out []any
			for _, e := range u.Entitlements {
				out = append(out, e)
			}
			return out
		}),
		"meta.created":      userAttr(kindTimestamp, func(u *UserRecord) []any { return []any{u.Created} }),
		"meta.lastmodified": userAttr(kindTimestamp, func(u *UserRecord) []any { return []any{u.LastModified} }),
		"emails":            {kind: kindString, elements: emailElements, subAttrs: emailSubAttrs, values: valuesOfElements(emailElements, emailSubAttrs["value"]).values},
		"addresses":         {elements: addressElements, subAttrs: addressSubAttrs},

		ent + "employeenumber":                   userAttr(kindExactString, func(u *UserRecord) []any { return str(u.Enterprise.EmployeeNumber) }),
		ent + "costcenter":                       userAttr(kindString, func(u *UserRecord) []any { return str(u.Enterprise.CostCenter) }),
		ent + "department":                       userAttr(kindString, func(u *UserRecord) []any { return str(u.Enterprise.Department) }),
		ent + "division":                         userAttr(kindString, func(u *UserRecord) []any { return str(u.Enterprise.Division) }),
		ent + "startdate":                        userAttr(kindDate, func(u *UserRecord) []any { return str(u.Enterprise.StartDate) }),
		ent + "terminationdate":                  userAttr(kindDate, func(u *UserRecord) []any { return str(u.Enterprise.TerminationDate) }),
		ent + "manager.value":                    userAttr(kindExactString, func(u *UserRecord) []any { return str(u.Enterprise.ManagerID) }),
		strings.ToLower(schemaSAP) + ":useruuid": userAttr(kindExactString, func(u *UserRecord) []any { return str(u.SAPUserUUID) }),
	}
	for sub, a := range emailSubAttrs {
		m["emails."+sub] = valuesOfElements(emailElements, a)
	}
	for sub, a := range addressSubAttrs {
		m["addresses."+sub] = valuesOfElements(addressElements, a)
	}
	return m
}()

// managerEmployeeNumberAttr needs the store to resolve the manager, so it is built per
// compilation with the store handed in.
func managerEmployeeNumberAttr(s *userStore) filterAttr {
	return userAttr(kindExactString, func(u *UserRecord) []any {
		if u.Enterprise.ManagerID == "" {
			return nil
		}
		if m, ok := s.byID[u.Enterprise.ManagerID]; ok { // callers hold the store lock
			return str(m.Enterprise.EmployeeNumber)
		}
		return nil
	})
}

func invalidFilter(format string, args ...any) *scimError {
	return newSCIMError(http.StatusBadRequest, "invalidFilter", fmt.Sprintf(format, args...))
}

// attrKey turns a parsed attribute path into the lower-case key of userFilterAttrs.
// Core attributes may carry the core URN; extension attributes must carry theirs.
func attrKey(p scimfilter.AttributePath) string {
	key := strings.ToLower(p.AttributeName)
	if sub := p.SubAttributeName(); sub != "" {
		key += "." + strings.ToLower(sub)
	}
	switch uri := strings.ToLower(p.URI()); uri {
	case "", strings.ToLower(schemaUser):
		return key
	default:
		return uri + ":" + key
	}
}

// compileFilter parses a v4.1 filter with the SCIM grammar library and binds each
// attribute to the user record. Unknown attributes and type mismatches are 400
// invalidFilter, as on Concur.
func (s *userStore) compileFilter(text string) (*compiledFilter, error) {
	expr, err := parsedFilters.parse(text)
	if err != nil {
		return nil, invalidFilter("Invalid filter %q: %v", text, err)
	}
	c := &filterCompiler{store: s}
	match, err := c.compile(expr, c.userAttr)
	if err != nil {
		return nil, err
	}
	return &compiledFilter{
		match:      func(u *UserRecord) bool { return match(u) },
		candidates: indexPlan(expr),
	}, nil
}

// filterCache keeps parsed filters by their text. Parsing is by far the dearest part of a
// search (the grammar library allocates per character), and a provider sends the same batched
// lookups on every plan; the cache is emptied when full rather than tracking recency.
type filterCache struct {
	mu     sync.Mutex
	parsed map[string]scimfilter.Expression
}

const filterCacheSize = 4096

var parsedFilters = &filterCache{parsed: map[string]scimfilter.Expression{}}

func (c *filterCache) parse(text string) (scimfilter.Expression, error) {
	c.mu.Lock()
	expr, ok := c.parsed[text]
	c.mu.Unlock()
	if ok {
		return expr, nil
	}
	expr, err := parseFilterText(text)
	if err != nil {
		// Concur documents quotes as optional for id (`id eq 6f1d...`), which the RFC
		// grammar rejects; quote such values and try once more.
		if quoted := bareIDValue.ReplaceAllString(text, `$1"$2"`); quoted != text {
			expr, err = parseFilterText(quoted)
		}
	}
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.parsed) >= filterCacheSize {
		clear(c.parsed)
	}
	c.parsed[text] = expr
	c.mu.Unlock()
	return expr, nil
}

// parseFilterText parses a filter with the grammar library, which accepts only upper-case hex
// digits in \uXXXX escapes although the JSON strings SCIM filters use (RFC 8259) allow either
// case; the digits are upper-cased first, which leaves the filter's meaning unchanged.
func parseFilterText(text string) (scimfilter.Expression, error) {
	return scimfilter.ParseFilter([]byte(upperHexEscapes(text)))
}

func upperHexEscapes(text string) string {
	if !strings.Contains(text, `\u`) {
		return text
	}
	b := []byte(text)
	inString := false
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] == '"':
			inString = !inString
		case inString && b[i] == '\\' && i+1 < len(b):
			if b[i+1] == 'u' {
				for j := i + 2; j < i+6 && j < len(b); j++ {
					if 'a' <= b[j] && b[j] <= 'f' {
						b[j] -= 'a' - 'A'
					}
				}
			}
			i++ // the escaped character ends neither the string nor another escape
		}
	}
	return string(b)
}

// bareIDValue matches `id eq <unquoted value>` (and ne).
var bareIDValue = regexp.MustCompile(`(?i)((?:^|[\s(])id\s+(?:eq|ne)\s+)([0-9a-z][0-9a-z-]*)\b`)

type filterCompiler struct{ store *userStore }

func (c *filterCompiler) userAttr(p scimfilter.AttributePath) (filterAttr, bool) {
	key := attrKey(p)
	if key == strings.ToLower(schemaEnterprise)+":manager.employeenumber" {
		return managerEmployeeNumberAttr(c.store), true
	}
	a, ok := userFilterAttrs[key]
	return a, ok
}

type predicate func(subject any) bool

func (c *filterCompiler) compile(expr scimfilter.Expression, resolve func(scimfilter.AttributePath) (filterAttr, bool)) (predicate, error) {
	switch e := expr.(type) {
	case *scimfilter.LogicalExpression:
		left, err := c.compile(e.Left, resolve)
		if err != nil {
			return nil, err
		}
		right, err := c.compile(e.Right, resolve)
		if err != nil {
			return nil, err
		}
		if e.Operator == scimfilter.AND {
			return func(s any) bool { return left(s) && right(s) }, nil
		}
		return func(s any) bool { return left(s) || right(s) }, nil
	case *scimfilter.NotExpression:
		inner, err := c.compile(e.Expression, resolve)
		if err != nil {
			return nil, err
		}
		return func(s any) bool { return !inner(s) }, nil
	case *scimfilter.ValuePath:
		attr, ok := resolve(e.AttributePath)
		if !ok || attr.elements == nil {
			return nil, invalidFilter("Attribute %q is not a filterable multi-valued attribute", e.AttributePath.String())
		}
		if err := checkValueFilter(e.ValueFilter, e.AttributePath.String()); err != nil {
			return nil, err
		}
		inner, err := c.compile(e.ValueFilter, func(p scimfilter.AttributePath) (filterAttr, bool) {
			if p.URIPrefix != nil || p.SubAttribute != nil {
				return filterAttr{}, false
			}
			a, ok := attr.subAttrs[strings.ToLower(p.AttributeName)]
			return a, ok
		})
		if err != nil {
			return nil, err
		}
		return func(s any) bool {
			for _, el := range attr.elements(s) {
				if inner(el) {
					return true
				}
			}
			return false
		}, nil
	case *scimfilter.AttributeExpression:
		attr, ok := resolve(e.AttributePath)
		if !ok || attr.values == nil {
			return nil, invalidFilter("Attribute %q is not filterable", e.AttributePath.String())
		}
		return compareExpression(attr, e)
	default:
		return nil, invalidFilter("Unsupported filter expression %v", expr)
	}
}

// checkValueFilter refuses what Concur documents as unsupported inside [...]: not and ne.
func checkValueFilter(expr scimfilter.Expression, attrName string) error {
	switch e := expr.(type) {
	case *scimfilter.NotExpression:
		return invalidFilter("'not' is not supported inside %s[...]", attrName)
	case *scimfilter.AttributeExpression:
		if e.Operator == scimfilter.NE {
			return invalidFilter("'ne' is not supported inside %s[...]", attrName)
		}
	case *scimfilter.LogicalExpression:
		if err := checkValueFilter(e.Left, attrName); err != nil {
			return err
		}
		return checkValueFilter(e.Right, attrName)
	}
	return nil
}

// compareExpression builds the test for one `attr op value`. Multi-valued attributes
// match when any value matches; ne is the negation of eq, so it also matches users with
// no value at all (Concur: "ne may match nulls").
func compareExpression(attr filterAttr, e *scimfilter.AttributeExpression) (predicate, error) {
	op := e.Operator
	if op == scimfilter.PR {
		return func(s any) bool { return len(attr.values(s)) > 0 }, nil
	}
	if e.CompareValue == nil {
		if op != scimfilter.EQ && op != scimfilter.NE {
			return nil, invalidFilter("Operator %q cannot compare with null", op)
		}
		isNull := func(s any) bool { return len(attr.values(s)) == 0 }
		if op == scimfilter.EQ {
			return isNull, nil
		}
		return func(s any) bool { return !isNull(s) }, nil
	}
	test, err := valueTest(attr.kind, op, e.CompareValue, e.AttributePath.String())
	if err != nil {
		return nil, err
	}
	anyMatch := func(s any) bool {
		for _, v := range attr.values(s) {
			if test(v) {
				return true
			}
		}
		return false
	}
	if op == scimfilter.NE {
		return func(s any) bool { return !anyMatch(s) }, nil
	}
	return anyMatch, nil
}

// valueTest returns a test of one stored value against the filter's comparison value.
// For ne it returns the eq test; the caller negates.
func valueTest(kind valueKind, op scimfilter.CompareOperator, raw any, attrName string) (func(any) bool, error) {
	switch kind {
	case kindBool:
		want, ok := raw.(bool)
		if !ok {
			return nil, invalidFilter("Attribute %q compares with true or false", attrName)
		}
		if op != scimfilter.EQ && op != scimfilter.NE {
			return nil, invalidFilter("Operator %q is not supported on boolean attribute %q", op, attrName)
		}
		return func(v any) bool { b, ok := v.(bool); return ok && b == want }, nil
	case kindDate, kindTimestamp:
		text, ok := raw.(string)
		if !ok {
			return nil, invalidFilter("Attribute %q compares with a quoted date", attrName)
		}
		want, ok := parseFilterTime(unescapeFilterString(text))
		if !ok {
			return nil, invalidFilter("Invalid date %q for attribute %q", text, attrName)
		}
		if kind == kindDate {
			want = want.Truncate(24 * time.Hour)
		}
		cmp, err := ordering(op, attrName, true)
		if err != nil {
			return nil, err
		}
		return func(v any) bool {
			var have time.Time
			switch t := v.(type) {
			case time.Time:
				have = t
			case string:
				have, _ = time.Parse("2006-01-02", t)
			}
			return cmp(have.Compare(want))
		}, nil
	default:
		var want string
		switch t := raw.(type) {
		case string:
			want = unescapeFilterString(t)
		case bool:
			return nil, invalidFilter("Attribute %q compares with a string", attrName)
		default: // numbers: employee numbers are often written unquoted
			want = fmt.Sprint(t)
		}
		fold := kind == kindString
		if fold {
			want = strings.ToLower(want)
		}
		norm := func(v any) string {
			s, _ := v.(string)
			if fold {
				return strings.ToLower(s)
			}
			return s
		}
		switch op {
		case scimfilter.EQ, scimfilter.NE:
			return func(v any) bool { return norm(v) == want }, nil
		case scimfilter.CO:
			return func(v any) bool { return strings.Contains(norm(v), want) }, nil
		case scimfilter.SW:
			return func(v any) bool { return strings.HasPrefix(norm(v), want) }, nil
		case scimfilter.EW:
			return func(v any) bool { return strings.HasSuffix(norm(v), want) }, nil
		}
		cmp, err := ordering(op, attrName, false)
		if err != nil {
			return nil, err
		}
		return func(v any) bool { return cmp(strings.Compare(norm(v), want)) }, nil
	}
}

// ordering maps eq/ne/gt/ge/lt/le to a test of a comparison result.
func ordering(op scimfilter.CompareOperator, attrName string, allowEq bool) (func(int) bool, error) {
	switch op {
	case scimfilter.GT:
		return func(c int) bool { return c > 0 }, nil
	case scimfilter.GE:
		return func(c int) bool { return c >= 0 }, nil
	case scimfilter.LT:
		return func(c int) bool { return c < 0 }, nil
	case scimfilter.LE:
		return func(c int) bool { return c <= 0 }, nil
	case scimfilter.EQ, scimfilter.NE:
		if allowEq {
			return func(c int) bool { return c == 0 }, nil
		}
	}
	return nil, invalidFilter("Operator %q is not supported on attribute %q", op, attrName)
}

func parseFilterTime(s string) (time.Time, bool) {
	for _, layout := range append([]string{time.RFC3339Nano}, apiDateLayouts...) {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// unescapeFilterString decodes JSON escapes (\" \\ \uXXXX): the grammar library hands
// back the text between the quotes as written.
func unescapeFilterString(raw string) string {
	if !strings.Contains(raw, `\`) {
		return raw
	}
	var s string
	if err := json.Unmarshal([]byte(`"`+raw+`"`), &s); err != nil {
		return raw
	}
	return s
}

// indexPlan finds the indexed lookups a filter pins: `attr eq "v"` on id, userName,
// employeeNumber or externalId; an `or` of such; or an `and` with one such side.
func indexPlan(expr scimfilter.Expression) func(*userStore) ([]*UserRecord, bool) {
	switch e := expr.(type) {
	case *scimfilter.AttributeExpression:
		if e.Operator != scimfilter.EQ {
			return nil
		}
		want, ok := e.CompareValue.(string)
		if !ok {
			return nil
		}
		want = unescapeFilterString(want)
		var index func(s *userStore) map[string]*UserRecord
		switch attrKey(e.AttributePath) {
		case "id":
			index = func(s *userStore) map[string]*UserRecord { return s.byID }
		case "username":
			want = strings.ToLower(want)
			index = func(s *userStore) map[string]*UserRecord { return s.byUserName }
		case "externalid":
			index = func(s *userStore) map[string]*UserRecord { return s.byExternalID }
		case strings.ToLower(schemaEnterprise) + ":employeenumber":
			index = func(s *userStore) map[string]*UserRecord { return s.byEmployeeNumber }
		default:
			return nil
		}
		return func(s *userStore) ([]*UserRecord, bool) {
			if u, ok := index(s)[want]; ok {
				return []*UserRecord{u}, true
			}
			return nil, true
		}
	case *scimfilter.LogicalExpression:
		left, right := indexPlan(e.Left), indexPlan(e.Right)
		if e.Operator == scimfilter.AND {
			if left != nil {
				return left
			}
			return right
		}
		if left == nil || right == nil {
			return nil
		}
		return func(s *userStore) ([]*UserRecord, bool) {
			a, _ := left(s)
			b, _ := right(s)
			return unionUsers(a, b), true
		}
	}
	return nil
}

func unionUsers(a, b []*UserRecord) []*UserRecord {
	seen := make(map[*UserRecord]bool, len(a)+len(b))
	out := make([]*UserRecord, 0, len(a)+len(b))
	for _, u := range append(a, b...) {
		if !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	return out
}

// asUser and asEmail unwrap the subjects filterAttr.values receives; the attribute tables
// guarantee their types.
func asUser(subject any) *UserRecord {
	u, _ := subject.(*UserRecord)
	return u
}

func asEmail(subject any) EmailRecord {
	e, _ := subject.(EmailRecord)
	return e
}
