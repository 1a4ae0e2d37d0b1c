package ldapdir

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"strings"
)

// Entry is one directory entry: its DN and attributes in file order.
type Entry struct {
	DN         string
	Attributes []Attribute
}

// Attribute is an attribute name with its values.
type Attribute struct {
	Name   string
	Values []string
}

// ParseLDIF reads LDIF content records (RFC 2849): "dn:" then
// "name: value" lines, "name:: base64" for binary or non-ASCII values, lines
// folded with a leading space, "#" comments, records separated by blank
// lines. Change records (changetype) and URL values ("name:< file") are not
// supported.
func ParseLDIF(text string) ([]Entry, error) {
	var (
		entries []Entry
		current *Entry
	)
	lines, err := unfold(text)
	if err != nil {
		return nil, err
	}
	for _, line := range lines {
		if line.text == "" {
			current = nil
			continue
		}
		name, value, err := parseLine(line.text)
		if err != nil {
			return nil, fmt.Errorf("ldif line %d: %w", line.number, err)
		}
		switch {
		case strings.EqualFold(name, "version") && current == nil && len(entries) == 0:
			continue
		case strings.EqualFold(name, "dn"):
			if current != nil {
				return nil, fmt.Errorf("ldif line %d: a second dn without a blank line before it", line.number)
			}
			entries = append(entries, Entry{DN: value})
			current = &entries[len(entries)-1]
		case current == nil:
			return nil, fmt.Errorf("ldif line %d: %q before any dn", line.number, name)
		case strings.EqualFold(name, "changetype"):
			return nil, fmt.Errorf("ldif line %d: change records are not supported", line.number)
		default:
			current.add(name, value)
		}
	}
	return entries, nil
}

type ldifLine struct {
	number int
	text   string
}

// unfold joins continuation lines and drops comments, keeping blank lines as
// record separators.
func unfold(text string) ([]ldifLine, error) {
	var lines []ldifLine
	scanner := bufio.NewScanner(strings.NewReader(text))
	scanner.Buffer(make([]byte, 64*1024), 16*1024*1024)
	number := 0
	inComment := false
	for scanner.Scan() {
		number++
		raw := strings.TrimSuffix(scanner.Text(), "\r")
		switch {
		case strings.HasPrefix(raw, " "):
			if inComment {
				continue
			}
			if len(lines) == 0 || lines[len(lines)-1].text == "" {
				return nil, fmt.Errorf("ldif line %d: continuation line with nothing to continue", number)
			}
			lines[len(lines)-1].text += raw[1:]
		case strings.HasPrefix(raw, "#"):
			inComment = true
		default:
			inComment = false
			lines = append(lines, ldifLine{number: number, text: strings.TrimSpace(raw)})
		}
	}
	return lines, scanner.Err()
}

func parseLine(line string) (name, value string, err error) {
	name, rest, found := strings.Cut(line, ":")
	if !found || name == "" {
		return "", "", fmt.Errorf("expected \"name: value\", got %q", line)
	}
	switch {
	case strings.HasPrefix(rest, ":"):
		decoded, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest[1:]))
		if err != nil {
			return "", "", fmt.Errorf("%s: bad base64: %w", name, err)
		}
		return name, string(decoded), nil
	case strings.HasPrefix(rest, "<"):
		return "", "", fmt.Errorf("%s: URL values are not supported", name)
	}
	return name, strings.TrimLeft(rest, " "), nil
}

// find returns the attribute called name, matching without regard to case
// as LDAP does, or nil.
func (e *Entry) find(name string) *Attribute {
	for i := range e.Attributes {
		if strings.EqualFold(e.Attributes[i].Name, name) {
			return &e.Attributes[i]
		}
	}
	return nil
}

// add appends values to the attribute called name, creating it if needed.
func (e *Entry) add(name string, values ...string) {
	if attr := e.find(name); attr != nil {
		attr.Values = append(attr.Values, values...)
		return
	}
	e.Attributes = append(e.Attributes, Attribute{Name: name, Values: values})
}

// Values returns the values of the attribute called name (any case).
func (e *Entry) Values(name string) []string {
	if attr := e.find(name); attr != nil {
		return attr.Values
	}
	return nil
}
