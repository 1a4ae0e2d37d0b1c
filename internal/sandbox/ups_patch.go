package sandbox

import (
	"net/http"
	"slices"
	"strings"

	scimfilter "github.com/scim2/filter-parser/v2"
)

// upsExtension describes one extension UPS provisions beyond the identity: its attributes (nil
// for an opaque one, which takes any) and which of them are multi-valued.
type upsExtension struct {
	urn   string
	attrs []string
	multi []string
}

// upsExtensions are processed in this order within an operation: roles before approvers, which
// need the spend user.
var upsExtensions = func() []upsExtension {
	list := []upsExtension{
		{urn: schemaSpendUser, attrs: spendUserAttrs, multi: []string{"customData"}},
		{urn: schemaSpendRole, attrs: []string{"roles"}, multi: []string{"roles"}},
		{urn: schemaSpendApprover, attrs: approvalTypes, multi: approvalTypes},
		{urn: schemaTravelUser, attrs: travelAttrs, multi: []string{"customFields", "groups"}},
	}
	for _, urn := range opaqueExtensions {
		list = append(list, upsExtension{urn: urn})
	}
	return list
}()

// extensionOf finds the UPS extension a request key or PATCH path belongs to: the URN itself,
// or the URN followed by ":attribute". Enterprise and SAP paths belong to the identity.
func extensionOf(key string) (upsExtension, bool) {
	for _, x := range upsExtensions {
		if len(key) >= len(x.urn) && strings.EqualFold(key[:len(x.urn)], x.urn) && (len(key) == len(x.urn) || key[len(x.urn)] == ':') {
			return x, true
		}
	}
	return upsExtension{}, false
}

// splitPatch separates a UPS PatchOp into the identity's operations (applied by the Identity
// code path) and each extension's. An operation without a path whose value is keyed by
// extension URNs becomes one operation per extension attribute, as applyWithoutPath does for
// the enterprise extension.
func splitPatch(ops []patchOp) (identity []patchOp, extensions map[string][]patchOp, err error) {
	extensions = map[string][]patchOp{}
	for _, op := range ops {
		if op.Path != "" {
			if x, ok := extensionOf(op.Path); ok {
				extensions[x.urn] = append(extensions[x.urn], op)
			} else {
				identity = append(identity, op)
			}
			continue
		}
		obj, ok := op.Value.(map[string]any)
		if !ok {
			identity = append(identity, op) // the identity code path reports the bad value
			continue
		}
		rest := map[string]any{}
		for key, v := range obj {
			x, isExt := extensionOf(key)
			if !isExt {
				rest[key] = v
				continue
			}
			attrs, ok := v.(map[string]any)
			if !ok {
				return nil, nil, newSCIMError(http.StatusBadRequest, "invalidValue", "Extension "+key+" must be an object")
			}
			for attr, av := range attrs {
				extensions[x.urn] = append(extensions[x.urn], patchOp{Op: op.Op, Path: x.urn + ":" + attr, Value: av})
			}
		}
		if len(rest) > 0 {
			identity = append(identity, patchOp{Op: op.Op, Value: rest})
		}
	}
	return identity, extensions, nil
}

// applyExtensionPatch applies one extension's operations to its current representation and
// returns the result, which the caller decodes and checks like a full object.
func applyExtensionPatch(x upsExtension, doc map[string]any, ops []patchOp) (map[string]any, error) {
	for _, op := range ops {
		kind := strings.ToLower(op.Op)
		if kind != "add" && kind != "replace" && kind != "remove" {
			return nil, newSCIMError(http.StatusBadRequest, "invalidSyntax", "Unsupported op "+op.Op+": use add, replace or remove")
		}
		if op.Value == nil {
			kind = "remove"
		}
		rest := strings.TrimPrefix(op.Path[len(x.urn):], ":")
		if rest == "" { // the whole extension
			if kind == "remove" {
				doc = map[string]any{}
				continue
			}
			obj, ok := op.Value.(map[string]any)
			if !ok {
				return nil, newSCIMError(http.StatusBadRequest, "invalidValue", "The value for "+x.urn+" must be an object")
			}
			if kind == "replace" {
				doc = map[string]any{}
			}
			for k, v := range obj {
				doc[k] = deepCopy(v)
			}
			continue
		}
		if err := applyExtensionPath(x, doc, kind, rest, deepCopy(op.Value), op.Path); err != nil {
			return nil, err
		}
	}
	return doc, nil
}

// applyExtensionPath performs one operation on "attr", "attr.sub", "attr[filter]" or
// "attr[filter].sub" inside an extension object.
func applyExtensionPath(x upsExtension, doc map[string]any, kind, rest string, value any, rawPath string) error {
	path, err := scimfilter.ParsePath([]byte(rest))
	if err != nil {
		return invalidPath("Invalid path %q: %v", rawPath, err)
	}
	attr := path.AttributePath.AttributeName
	if x.attrs != nil {
		canon, ok := canonical(x.attrs, attr)
		if !ok {
			return invalidPath("Unknown attribute in path %q: %s has %s", rawPath, x.urn, strings.Join(x.attrs, ", "))
		}
		attr = canon
	}
	sub := path.AttributePath.SubAttributeName()
	if sub == "" {
		sub = path.SubAttributeName()
	}
	_, isArray := doc[attr].([]any)
	multi := slices.Contains(x.multi, attr) || x.attrs == nil && isArray
	if path.ValueExpression != nil {
		if !multi {
			return invalidPath("Path %q filters a single-valued attribute", rawPath)
		}
		if kind == "add" {
			addMissingElement(doc, attr, path.ValueExpression)
		}
		return applyToElements(doc, kind, attr, sub, path.ValueExpression, value, rawPath)
	}
	switch {
	case sub != "":
		return setSubAttribute(doc, kind, attr, sub, value, multi)
	case kind == "remove":
		delete(doc, attr)
	case multi:
		items, ok := value.([]any)
		if !ok {
			items = []any{value}
		}
		if existing, _ := doc[attr].([]any); kind == "add" {
			items = append(slices.Clone(existing), items...)
		}
		doc[attr] = items
	default:
		if obj, isObj := value.(map[string]any); isObj && kind == "add" {
			if current, ok := doc[attr].(map[string]any); ok {
				for k, v := range obj {
					current[k] = v
				}
				return nil
			}
		}
		doc[attr] = value
	}
	return nil
}

// addMissingElement lets add with a filter such as customData[id eq "custom5"] create the
// element when none matches, the way add with emails[type eq "work"] creates a work e-mail.
func addMissingElement(doc map[string]any, attr string, expr scimfilter.Expression) {
	e, ok := expr.(*scimfilter.AttributeExpression)
	if !ok || e.Operator != scimfilter.EQ || e.AttributePath.SubAttribute != nil {
		return
	}
	key := e.AttributePath.AttributeName
	want, ok := e.CompareValue.(string)
	if !ok {
		return
	}
	want = unescapeFilterString(want)
	items, _ := doc[attr].([]any)
	for _, it := range items {
		if el, ok := it.(map[string]any); ok && strings.EqualFold(stringOf(lookupFold(el, key)), want) {
			return
		}
	}
	doc[attr] = append(slices.Clone(items), map[string]any{key: want})
}

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}
