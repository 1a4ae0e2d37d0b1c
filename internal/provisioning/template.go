package provisioning

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/go-ldap/ldap/v3"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
)

// The attribute_mapping template language is ours and tiny ({attribute|filter|filter:arg},
// literal text, {{ and }} for literal braces), so it is parsed by hand: a parser generator or
// text/template would cost more than it saves and give worse error messages.

// Mapping is a compiled attribute_mapping.
type Mapping struct {
	templates           []compiledTemplate // sorted by key
	createOnly          map[string]bool
	directoryAttributes []string
	// referencedAttributes are read from the entries that ref filters point at.
	referencedAttributes []string
}

// compiledTemplate is one key's template, cut into parts once so rendering is a walk over a
// slice with no parsing.
type compiledTemplate struct {
	key   string
	parts []templatePart
}

// templatePart is either literal text or a placeholder that reads a directory attribute. A
// placeholder with a ref filter reads the attribute as a DN (after the filters before ref) and
// continues with an attribute of the entry that DN names (through the filters after ref).
type templatePart struct {
	literal   string
	isLiteral bool
	attribute string // the spelling DirectoryAttributes reports, so callers can look it up as-is
	filters   []filter
	reference string // the attribute ref:<attribute> reads from the named entry; "" for none
	refFilter []filter
}

// Resolve returns the first value of attribute of the entry dn names, "" when there is none.
type Resolve func(dn, attribute string) string

type filter func(string) string

// plainFilters are the filters without an argument.
var plainFilters = map[string]filter{
	"cn":        commonName,
	"localpart": localPart,
	"lower":     strings.ToLower,
	"trim":      strings.TrimSpace,
	"upper":     strings.ToUpper,
}

const (
	defaultFilterPrefix = "default:"
	refFilterPrefix     = "ref:"
)

// knownFilters is the list error messages show, built from the table so it cannot drift.
var knownFilters = func() string {
	names := append(slices.Collect(maps.Keys(plainFilters)), defaultFilterPrefix+"<text>", refFilterPrefix+"<attribute>")
	slices.Sort(names)
	return strings.Join(names, ", ")
}()

// commonName returns the CN of the entry a DN names, that is the cn of its leftmost RDN
// (escapes such as `Roe\, Jane` are decoded). A value that is not a DN, or whose leftmost RDN
// has no cn, is returned unchanged rather than cleared: the plan then shows what the directory
// actually holds, which makes a wrong mapping easy to spot.
func commonName(value string) string {
	dn, err := ldap.ParseDN(value)
	if err != nil || len(dn.RDNs) == 0 {
		return value
	}
	for _, typeAndValue := range dn.RDNs[0].Attributes {
		if strings.EqualFold(typeAndValue.Type, "cn") {
			return typeAndValue.Value
		}
	}
	return value
}

// localPart returns what precedes the last @ (a quoted local part may itself contain @, a
// domain never does); a value without @ is returned unchanged.
func localPart(value string) string {
	if at := strings.LastIndexByte(value, '@'); at >= 0 {
		return value[:at]
	}
	return value
}

// defaultFilter substitutes text for an empty value; a missing attribute renders as "" before
// filters run, so this covers both missing and empty attributes.
func defaultFilter(text string) filter {
	return func(value string) string {
		if value == "" {
			return text
		}
		return value
	}
}

// MappingError is one problem in an attribute_mapping or its create_only_attributes.
type MappingError struct {
	Key, Template, Reason string
}

func (e *MappingError) Error() string {
	return fmt.Sprintf("attribute_mapping[%q]: %s", e.Key, e.Reason)
}

// CompileMapping parses every template of an attribute_mapping (Concur attribute to template)
// and checks it together with the create-only keys. It reports every problem at once, as an
// errors.Join of *MappingError sorted by key, so one plan shows everything to fix.
func CompileMapping(templates map[string]string, createOnly []string) (*Mapping, error) {
	var problems []*MappingError
	report := func(key, template, reason string) {
		problems = append(problems, &MappingError{Key: key, Template: template, Reason: reason})
	}

	mapping := &Mapping{createOnly: map[string]bool{}}
	spellings := map[string]string{} // lower-case attribute name -> first spelling seen
	for _, key := range slices.Sorted(maps.Keys(templates)) {
		template := templates[key]
		if !IsConcurAttribute(key) {
			report(key, template, "not a Concur attribute; valid attributes: "+strings.Join(ConcurAttributes(), ", "))
		}
		parts, reasons := parseTemplate(template)
		for _, reason := range reasons {
			report(key, template, reason)
		}
		if len(reasons) == 0 && len(parts) == 1 && parts[0].isLiteral && IsConcurAttribute(key) {
			if reason := checkConstant(key, parts[0].literal); reason != "" {
				report(key, template, reason)
			}
		}
		// LDAP attribute names are case-insensitive: every spelling reads the first one, so the
		// caller's values function is only ever asked for names DirectoryAttributes returned.
		for i := range parts {
			if parts[i].isLiteral {
				continue
			}
			folded := strings.ToLower(parts[i].attribute)
			if first, seen := spellings[folded]; seen {
				parts[i].attribute = first
				continue
			}
			spellings[folded] = parts[i].attribute
			mapping.directoryAttributes = append(mapping.directoryAttributes, parts[i].attribute)
		}
		for i := range parts {
			if parts[i].reference != "" {
				mapping.referencedAttributes = directory.WithAttributes(mapping.referencedAttributes, parts[i].reference)
			}
		}
		mapping.templates = append(mapping.templates, compiledTemplate{key: key, parts: parts})
	}

	for _, key := range RequiredAttributes {
		if _, mapped := templates[key]; !mapped {
			report(key, "", "required attribute is not mapped; every mapping needs "+strings.Join(RequiredAttributes, ", "))
		}
	}

	for _, key := range createOnly {
		template, mapped := templates[key]
		switch {
		case key == AttrEmpID:
			report(key, template, "emp_id cannot be in create_only_attributes: it is the key that links a directory user to its Concur user")
		case !mapped:
			report(key, "", "listed in create_only_attributes but not mapped in attribute_mapping")
		default:
			mapping.createOnly[key] = true
		}
	}

	if len(problems) > 0 {
		slices.SortStableFunc(problems, func(a, b *MappingError) int { return strings.Compare(a.Key, b.Key) })
		errs := make([]error, len(problems))
		for i, problem := range problems {
			errs[i] = problem
		}
		return nil, errors.Join(errs...)
	}
	slices.SortFunc(mapping.directoryAttributes, func(a, b string) int {
		return strings.Compare(strings.ToLower(a), strings.ToLower(b))
	})
	return mapping, nil
}

// checkConstant checks a template without placeholders, which renders the same value for every
// directory entry: a value Concur would refuse would leave every user out of the plan, so it is
// reported on its key instead. It returns "" for a good constant.
func checkConstant(key, value string) string {
	switch {
	case value == "" && slices.Contains(RequiredAttributes, key):
		return fmt.Sprintf("an empty template would leave %s empty for every user, and Concur requires it; map it from a directory attribute", key)
	case value == "":
		return "" // clears the attribute
	}
	if err := attributeRules[key](value); err != nil {
		return fmt.Sprintf("the constant is a value Concur would refuse for every user: %s", err)
	}
	return ""
}

// parseTemplate cuts a template into literal and placeholder parts. Brace errors stop the
// parse (what follows cannot be read reliably); placeholder errors do not, so every bad
// filter in a template is reported.
func parseTemplate(template string) ([]templatePart, []string) {
	var parts []templatePart
	var reasons []string
	var literal strings.Builder
	flushLiteral := func() {
		if literal.Len() > 0 {
			parts = append(parts, templatePart{literal: literal.String(), isLiteral: true})
			literal.Reset()
		}
	}
	position := func(offset int) int { return utf8.RuneCountInString(template[:offset]) + 1 }

	for i := 0; i < len(template); {
		switch {
		case strings.HasPrefix(template[i:], "{{"):
			literal.WriteByte('{')
			i += 2
		case strings.HasPrefix(template[i:], "}}"):
			literal.WriteByte('}')
			i += 2
		case template[i] == '}':
			reasons = append(reasons, fmt.Sprintf(`unbalanced braces in %q: "}" at character %d has no matching "{" (write "}}" for a literal brace)`,
				template, position(i)))
			return nil, reasons
		case template[i] == '{':
			length := strings.IndexByte(template[i+1:], '}')
			if length < 0 {
				reasons = append(reasons, fmt.Sprintf(`unbalanced braces in %q: "{" at character %d is never closed (write "{{" for a literal brace)`,
					template, position(i)))
				return nil, reasons
			}
			closing := i + 1 + length
			// A "{" may appear in a default's text, but one in the attribute name means the
			// placeholder was left open: "{givenName {sn}".
			attribute, _, _ := strings.Cut(template[i+1:closing], "|")
			if nested := strings.IndexByte(attribute, '{'); nested >= 0 {
				reasons = append(reasons, fmt.Sprintf(`unbalanced braces in %q: "{" at character %d is not closed before the "{" at character %d`,
					template, position(i), position(i+1+nested)))
				return nil, reasons
			}
			flushLiteral()
			part, placeholderReasons := parsePlaceholder(template[i : closing+1])
			reasons = append(reasons, placeholderReasons...)
			parts = append(parts, part)
			i = closing + 1
		default:
			literal.WriteByte(template[i])
			i++
		}
	}
	flushLiteral()
	if len(parts) == 0 { // the empty template is a constant that clears the attribute
		parts = []templatePart{{isLiteral: true}}
	}
	return parts, reasons
}

// parsePlaceholder reads "{attribute|filter|...}". Names are taken exactly as written (no
// trimming), so a stray space is an error rather than a lookup that silently finds nothing.
func parsePlaceholder(placeholder string) (templatePart, []string) {
	fields := strings.Split(placeholder[1:len(placeholder)-1], "|")
	part := templatePart{attribute: fields[0]}
	var reasons []string
	switch {
	case part.attribute == "":
		reasons = append(reasons, fmt.Sprintf("placeholder %q names no directory attribute", placeholder))
	case !isAttributeName(part.attribute):
		reasons = append(reasons, fmt.Sprintf(`directory attribute name %q in %q may contain only letters, digits, "-", "." and ";"`,
			part.attribute, placeholder))
	}
	// Filters after a ref apply to the referenced value.
	filters := &part.filters
	for _, name := range fields[1:] {
		if apply, known := plainFilters[name]; known {
			*filters = append(*filters, apply)
			continue
		}
		switch {
		case strings.HasPrefix(name, defaultFilterPrefix):
			*filters = append(*filters, defaultFilter(strings.TrimPrefix(name, defaultFilterPrefix)))
		case strings.HasPrefix(name, refFilterPrefix) && part.reference != "":
			reasons = append(reasons, fmt.Sprintf("%q has more than one ref filter; a placeholder follows one reference", placeholder))
		case strings.HasPrefix(name, refFilterPrefix):
			part.reference = strings.TrimPrefix(name, refFilterPrefix)
			filters = &part.refFilter
			if !isAttributeName(part.reference) || part.reference == "" {
				reasons = append(reasons, fmt.Sprintf(`ref in %q needs a directory attribute name, as in {manager|ref:employeeID}`, placeholder))
			}
		case name == "default":
			reasons = append(reasons, fmt.Sprintf("filter \"default\" in %q needs a value: write default:<text>", placeholder))
		case name == "":
			reasons = append(reasons, fmt.Sprintf("empty filter name after \"|\" in %q; known filters: %s", placeholder, knownFilters))
		default:
			reasons = append(reasons, fmt.Sprintf("unknown filter %q in %q; known filters: %s", name, placeholder, knownFilters))
		}
	}
	return part, reasons
}

// isAttributeName accepts LDAP attribute descriptions: a name or dotted OID, with ;options.
func isAttributeName(name string) bool {
	for _, r := range name {
		isLetterOrDigit := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !isLetterOrDigit && r != '-' && r != '.' && r != ';' {
			return false
		}
	}
	return true
}

// DirectoryAttributes is the sorted (case-insensitively), de-duplicated list of directory
// attributes the templates read. Of several spellings of one attribute, the first in key order
// then template order is kept; Render asks values for exactly these names.
func (m *Mapping) DirectoryAttributes() []string {
	return slices.Clone(m.directoryAttributes)
}

// SourceAttributes lists, once each, the attributes to read from source entries: those the
// templates read, and those ref filters read (a source entry may be another's reference).
func (m *Mapping) SourceAttributes() []string {
	return directory.WithAttributes(m.directoryAttributes, m.referencedAttributes...)
}

// ReferencedAttributes lists the attributes ref filters read from the entries they point at.
func (m *Mapping) ReferencedAttributes() []string {
	return slices.Clone(m.referencedAttributes)
}

// ReferencedDNs lists the DNs the ref filters of one entry's templates point at, so a caller
// can read the entries that are not among its own.
func (m *Mapping) ReferencedDNs(values func(attribute string) []string) []string {
	var dns []string
	for i := range m.templates {
		for j := range m.templates[i].parts {
			if part := &m.templates[i].parts[j]; part.reference != "" {
				if dn := part.source(values); dn != "" {
					dns = append(dns, dn)
				}
			}
		}
	}
	return dns
}

// Keys is the sorted list of mapped Concur attributes.
func (m *Mapping) Keys() []string {
	keys := make([]string, len(m.templates))
	for i, template := range m.templates {
		keys[i] = template.key
	}
	return keys
}

// mapsMarker reports whether the mapping sets the attribute that carries the owner marker.
func (m *Mapping) mapsMarker() bool {
	for i := range m.templates {
		if m.templates[i].key == MarkerAttribute {
			return true
		}
	}
	return false
}

// CreateOnly reports whether a key is set at creation only: listed in create_only_attributes, or
// accepted by Concur only then.
func (m *Mapping) CreateOnly(key string) bool {
	return m.createOnly[key] || attributesByName[key].CreateOnly
}

// Render renders every key for one directory entry. values returns the entry's values of a
// directory attribute (nil when missing); it is called with the names DirectoryAttributes
// returns, and should match them case-insensitively (as ldap.Entry.GetEqualFoldAttributeValues
// does) because a server may spell a returned attribute differently from the request.
// resolve answers ref filters; it may be nil when the mapping has none.
// A missing attribute renders as "", so a value emptied in the directory is cleared in Concur.
func (m *Mapping) Render(values func(attribute string) []string, resolve Resolve) map[string]string {
	rendered := make(map[string]string, len(m.templates))
	for i := range m.templates {
		rendered[m.templates[i].key] = m.templates[i].render(values, resolve)
	}
	return rendered
}

func (t *compiledTemplate) render(values func(string) []string, resolve Resolve) string {
	if len(t.parts) == 1 { // most templates: no concatenation, often no allocation at all
		return t.parts[0].render(values, resolve)
	}
	var stackPieces [8]string // templates rarely have more parts; Join then allocates once
	pieces := stackPieces[:0]
	for i := range t.parts {
		pieces = append(pieces, t.parts[i].render(values, resolve))
	}
	return strings.Join(pieces, "")
}

func (p *templatePart) render(values func(string) []string, resolve Resolve) string {
	if p.isLiteral {
		return p.literal
	}
	value := p.source(values)
	if p.reference == "" {
		return value
	}
	if value == "" || resolve == nil {
		value = ""
	} else {
		value = resolve(value, p.reference)
	}
	return applyFilters(value, p.refFilter)
}

// source is the placeholder's attribute through the filters before any ref.
func (p *templatePart) source(values func(string) []string) string {
	var value string
	if found := values(p.attribute); len(found) > 0 {
		value = found[0]
	}
	return applyFilters(value, p.filters)
}

func applyFilters(value string, filters []filter) string {
	for _, apply := range filters {
		value = apply(value)
	}
	return value
}
