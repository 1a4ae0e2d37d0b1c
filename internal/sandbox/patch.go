package sandbox

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	scimfilter "github.com/scim2/filter-parser/v2"
)

// patchRequest is an RFC 7644 PatchOp body.
type patchRequest struct {
	Schemas    []string  `json:"schemas"`
	Operations []patchOp `json:"Operations"`
}

type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value"`
}

// attrContainer describes the attributes of one schema (core, enterprise, SAP): their
// canonical spelling, which are read-only, which are complex and their sub-attributes.
type attrContainer struct {
	names    []string
	readOnly []string
	complex  map[string][]string // complex attribute -> writable sub-attributes
	multi    []string            // multi-valued attributes
}

var (
	coreAttrs = attrContainer{
		names: []string{"externalId", "userName", "active", "name", "nickName", "title", "dateOfBirth",
			"preferredLanguage", "timezone", "emails", "phoneNumbers", "addresses", "emergencyContacts", "entitlements"},
		readOnly: []string{"id", "meta", "displayName", "localeOverrides", "schemas"},
		complex: map[string][]string{
			"name":              {"givenName", "familyName", "middleName", "middleInitial", "honorificPrefix", "honorificSuffix", "familyNamePrefix", "academicTitle"},
			"emails":            {"value", "type", "notifications", "verified"},
			"phoneNumbers":      {"value", "type", "display", "primary", "notifications", "issuingCountry", "workExtension"},
			"addresses":         {"type", "streetAddress", "locality", "region", "postalCode", "country"},
			"emergencyContacts": {"name", "relationship", "streetAddress", "locality", "region", "postalCode", "country", "emails", "phones"},
		},
		multi: []string{"emails", "phoneNumbers", "addresses", "emergencyContacts", "entitlements"},
	}
	enterpriseAttrs = attrContainer{
		names: []string{"companyId", "employeeNumber", "costCenter", "department", "division",
			"startDate", "terminationDate", "manager", "leavesOfAbsence"},
		readOnly: []string{"organization"},
		complex: map[string][]string{
			"manager":         {"value"},
			"leavesOfAbsence": {"startDate", "endDate", "type"},
		},
		multi: []string{"leavesOfAbsence"},
	}
	sapAttrs = attrContainer{names: []string{"userUuid"}}
)

// booleanSubAttrs compare as booleans inside a [...] value filter of a PATCH path.
var booleanSubAttrs = []string{"verified", "notifications", "primary"}

func canonical(names []string, name string) (string, bool) {
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return n, true
		}
	}
	return "", false
}

func invalidPath(format string, args ...any) *scimError {
	return newSCIMError(http.StatusBadRequest, "invalidPath", fmt.Sprintf(format, args...))
}

func noTarget(format string, args ...any) *scimError {
	return newSCIMError(http.StatusBadRequest, "noTarget", fmt.Sprintf(format, args...))
}

func mutability(attr string) *scimError {
	return newSCIMError(http.StatusBadRequest, "mutability", fmt.Sprintf("Attribute '%s' is read-only or immutable", attr),
		invalidValue(attr, fmt.Sprintf("'%s' cannot be modified", attr)))
}

// applyPatch applies the operations, in order, to the user's rendered document. The
// caller decodes and validates the result, so a patch can never store what a PUT
// could not.
func applyPatch(doc map[string]any, ops []patchOp) error {
	if len(ops) == 0 {
		return newSCIMError(http.StatusBadRequest, "invalidSyntax", "PatchOp requires at least one operation")
	}
	for _, op := range ops {
		kind := strings.ToLower(op.Op)
		if kind != "add" && kind != "replace" && kind != "remove" {
			return newSCIMError(http.StatusBadRequest, "invalidSyntax", fmt.Sprintf("Unsupported op %q: use add, replace or remove", op.Op))
		}
		if op.Value == nil && kind != "remove" {
			if op.Path == "" {
				return newSCIMError(http.StatusBadRequest, "invalidValue", "Operation "+kind+" without path needs an object value")
			}
			kind = "remove" // replacing with null clears the attribute
		}
		var err error
		if op.Path == "" {
			err = applyWithoutPath(doc, kind, op.Value)
		} else {
			err = applyAtPath(doc, kind, op.Path, op.Value)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// applyWithoutPath handles add/replace whose value is an object of attributes, keyed
// either by attribute name or by an extension URN holding that extension's attributes.
// Read-only keys (id, meta, schemas...) are ignored, so echoing a GET back is harmless.
func applyWithoutPath(doc map[string]any, kind string, value any) error {
	if kind == "remove" {
		return noTarget("Operation remove requires a path")
	}
	obj, ok := value.(map[string]any)
	if !ok {
		return newSCIMError(http.StatusBadRequest, "invalidValue", "Operation "+kind+" without path needs an object value")
	}
	for key, v := range obj {
		if strings.EqualFold(key, schemaEnterprise) || strings.EqualFold(key, schemaSAP) {
			ext, ok := v.(map[string]any)
			if !ok {
				return newSCIMError(http.StatusBadRequest, "invalidValue", "Extension "+key+" must be an object")
			}
			for sub, sv := range ext {
				if err := applyAtPath(doc, kind, key+":"+sub, sv); err != nil {
					return err
				}
			}
			continue
		}
		if _, readOnly := canonical(coreAttrs.readOnly, key); readOnly {
			continue
		}
		if err := applyAtPath(doc, kind, key, v); err != nil {
			return err
		}
	}
	return nil
}

// applyAtPath resolves an attribute path (parsed with the SCIM grammar library) to the
// map that holds it and performs the operation there.
func applyAtPath(doc map[string]any, kind, rawPath string, value any) error {
	if value == nil {
		kind = "remove"
	}
	path, err := scimfilter.ParsePath([]byte(rawPath))
	if err != nil {
		return invalidPath("Invalid path %q: %v", rawPath, err)
	}
	container, schema, err := resolveContainer(doc, path.AttributePath.URI(), kind != "remove")
	if err != nil {
		return err
	}
	attr, ok := canonical(schema.names, path.AttributePath.AttributeName)
	if !ok {
		if ro, isRO := canonical(schema.readOnly, path.AttributePath.AttributeName); isRO {
			return mutability(ro)
		}
		return invalidPath("Unknown attribute in path %q", rawPath)
	}
	if attr == "companyId" && kind == "remove" {
		return mutability(schemaEnterprise + ":companyId")
	}
	// name.givenName style (sub-attribute before any filter) or emails[...].value style.
	sub := path.AttributePath.SubAttributeName()
	if sub == "" {
		sub = path.SubAttributeName()
	}
	if sub != "" {
		subs, isComplex := schema.complex[attr]
		canon, ok := canonical(subs, sub)
		if !isComplex || !ok {
			if attr == "name" && (strings.EqualFold(sub, "formatted") || strings.EqualFold(sub, "legalName")) ||
				attr == "manager" && (strings.EqualFold(sub, "displayName") || strings.EqualFold(sub, "employeeNumber")) {
				return mutability(attr + "." + sub)
			}
			return invalidPath("Unknown sub-attribute in path %q", rawPath)
		}
		sub = canon
	}
	multi := slices.Contains(schema.multi, attr)

	if path.ValueExpression != nil {
		if !multi {
			return invalidPath("Path %q filters a single-valued attribute", rawPath)
		}
		return applyToElements(container, kind, attr, sub, path.ValueExpression, value, rawPath)
	}
	switch {
	case sub == "" && kind == "remove":
		delete(container, attr)
	case sub == "" && multi:
		items, ok := value.([]any)
		if !ok {
			items = []any{value}
		}
		if kind == "add" {
			existing, _ := container[attr].([]any)
			items = append(append([]any(nil), existing...), items...)
		}
		container[attr] = items
	case sub == "":
		// A complex value merges into the existing object: sub-attributes not given are
		// left unchanged (RFC 7644 §3.5.2.1/3); scalars are replaced.
		if obj, isObj := value.(map[string]any); isObj {
			if current, ok := container[attr].(map[string]any); ok {
				for k, v := range obj {
					current[k] = v
				}
				return nil
			}
		}
		container[attr] = value
	default:
		return setSubAttribute(container, kind, attr, sub, value, multi)
	}
	return nil
}

// setSubAttribute handles name.givenName or manager.value; on a multi-valued attribute
// without a filter (emails.value) it applies to every element.
func setSubAttribute(container map[string]any, kind, attr, sub string, value any, multi bool) error {
	if multi {
		items, _ := container[attr].([]any)
		if len(items) == 0 {
			return noTarget("Attribute %q has no values", attr)
		}
		for _, it := range items {
			if el, ok := it.(map[string]any); ok {
				setOrDelete(el, kind, sub, value)
			}
		}
		return nil
	}
	parent, ok := container[attr].(map[string]any)
	if !ok {
		if kind == "remove" {
			return nil
		}
		parent = map[string]any{}
		container[attr] = parent
	}
	setOrDelete(parent, kind, sub, value)
	return nil
}

func setOrDelete(m map[string]any, kind, key string, value any) {
	if kind == "remove" {
		delete(m, key)
		return
	}
	m[key] = value
}

// applyToElements handles emails[type eq "work"] and emails[type eq "work"].value.
// add with no matching element creates one when the filter is a plain `type eq "x"`,
// which is how provisioning clients set a work e-mail that is not there yet; replace
// with no match is noTarget (RFC 7644 §3.5.2.3).
func applyToElements(container map[string]any, kind, attr, sub string, filterExpr scimfilter.Expression, value any, rawPath string) error {
	match, err := compileElementFilter(filterExpr)
	if err != nil {
		return err
	}
	items, _ := container[attr].([]any)
	var kept []any
	matched := 0
	for _, it := range items {
		el, ok := it.(map[string]any)
		if !ok || !match(el) {
			kept = append(kept, it)
			continue
		}
		matched++
		switch {
		case kind == "remove" && sub == "":
			continue // drop the element
		case sub != "":
			setOrDelete(el, kind, sub, value)
		case kind == "replace":
			obj, ok := value.(map[string]any)
			if !ok {
				return newSCIMError(http.StatusBadRequest, "invalidValue", "Value for "+rawPath+" must be an object")
			}
			el = obj
		default: // add without sub-attribute: merge
			obj, ok := value.(map[string]any)
			if !ok {
				return newSCIMError(http.StatusBadRequest, "invalidValue", "Value for "+rawPath+" must be an object")
			}
			for k, v := range obj {
				el[k] = v
			}
		}
		kept = append(kept, el)
	}
	if matched == 0 {
		switch kind {
		case "remove":
			return nil
		case "add":
			typ, ok := plainTypeFilter(filterExpr)
			if !ok {
				return noTarget("No value matches %q", rawPath)
			}
			el := map[string]any{"type": typ}
			if sub != "" {
				el[sub] = value
			} else if obj, ok := value.(map[string]any); ok {
				for k, v := range obj {
					el[k] = v
				}
			}
			kept = append(kept, el)
		default:
			return noTarget("No value matches %q", rawPath)
		}
	}
	if kept == nil {
		kept = []any{}
	}
	container[attr] = kept
	return nil
}

// plainTypeFilter recognises `type eq "work"`.
func plainTypeFilter(expr scimfilter.Expression) (string, bool) {
	e, ok := expr.(*scimfilter.AttributeExpression)
	if !ok || e.Operator != scimfilter.EQ || !strings.EqualFold(e.AttributePath.AttributeName, "type") || e.AttributePath.SubAttribute != nil {
		return "", false
	}
	s, ok := e.CompareValue.(string)
	return unescapeFilterString(s), ok
}

// compileElementFilter compiles a [...] filter against one element of a multi-valued
// attribute, using the same comparison rules as searches.
func compileElementFilter(expr scimfilter.Expression) (func(map[string]any) bool, error) {
	c := &filterCompiler{}
	pred, err := c.compile(expr, func(p scimfilter.AttributePath) (filterAttr, bool) {
		if p.URIPrefix != nil {
			return filterAttr{}, false
		}
		name := p.AttributeName
		if p.SubAttribute != nil {
			// A complex element's own sub-attribute, as in the spend Approver extension's
			// report[approver.value eq "..."], the documented way to remove one approver.
			sub := *p.SubAttribute
			return filterAttr{kind: kindString, values: func(s any) []any {
				inner, _ := lookupFold(s.(map[string]any), name).(map[string]any)
				v, _ := lookupFold(inner, sub).(string)
				return str(v)
			}}, true
		}
		if slices.ContainsFunc(booleanSubAttrs, func(b string) bool { return strings.EqualFold(b, name) }) {
			return filterAttr{kind: kindBool, values: func(s any) []any {
				if b, ok := lookupFold(s.(map[string]any), name).(bool); ok {
					return []any{b}
				}
				return nil
			}}, true
		}
		return filterAttr{kind: kindString, values: func(s any) []any {
			v, _ := lookupFold(s.(map[string]any), name).(string)
			return str(v)
		}}, true
	})
	if err != nil {
		return nil, err
	}
	return func(m map[string]any) bool { return pred(m) }, nil
}

func lookupFold(m map[string]any, key string) any {
	if v, ok := m[key]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

// resolveContainer finds the object holding an attribute: the document itself for core
// attributes, or the extension object named by the URN (created on demand for writes).
func resolveContainer(doc map[string]any, uri string, create bool) (map[string]any, attrContainer, error) {
	var key string
	var schema attrContainer
	switch {
	case uri == "" || strings.EqualFold(uri, schemaUser):
		return doc, coreAttrs, nil
	case strings.EqualFold(uri, schemaEnterprise):
		key, schema = schemaEnterprise, enterpriseAttrs
	case strings.EqualFold(uri, schemaSAP):
		key, schema = schemaSAP, sapAttrs
	default:
		return nil, attrContainer{}, invalidPath("Unknown schema %q in path", uri)
	}
	ext, ok := doc[key].(map[string]any)
	if !ok {
		ext = map[string]any{}
		if create {
			doc[key] = ext
		}
	}
	return ext, schema, nil
}
