package directory

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// Active Directory returns at most MaxValRange (1,500) values of an attribute
// per read, as "member;range=0-1499"; the client asks for the next slice with
// "member;range=1500-*" until the answer's upper bound is "*".

// completeRange returns the attribute's plain name and all its values,
// reading the remaining slices when the server sent a ranged one.
func (s *session) completeRange(ctx context.Context, dn string, attr *ldap.EntryAttribute) (string, []string, error) {
	name, high, ranged := parseRange(attr.Name)
	if !ranged {
		return attr.Name, attr.Values, nil
	}
	values := append([]string{}, attr.Values...)
	for high != "*" {
		last, err := strconv.Atoi(high)
		if err != nil {
			return "", nil, fmt.Errorf("read %q: malformed range in %q", dn, attr.Name)
		}
		next := fmt.Sprintf("%s;range=%d-*", name, last+1)
		raw, err := s.read(ctx, dn, "(objectClass=*)", []string{next})
		if err != nil {
			return "", nil, err
		}
		slice := rangedSlice(raw, name)
		if slice == nil {
			break
		}
		values = append(values, slice.Values...)
		_, high, _ = parseRange(slice.Name)
	}
	return name, values, nil
}

// parseRange splits "member;range=0-1499" into member and the upper bound
// 1499 ("*" for the last slice).
func parseRange(description string) (name, high string, ranged bool) {
	name, option, found := strings.Cut(description, ";range=")
	if !found {
		return description, "", false
	}
	_, high, found = strings.Cut(option, "-")
	return name, high, found
}

func rangedSlice(raw *ldap.Entry, name string) *ldap.EntryAttribute {
	if raw == nil {
		return nil
	}
	for _, attr := range raw.Attributes {
		if base, _, ranged := parseRange(attr.Name); ranged && strings.EqualFold(base, name) {
			return attr
		}
	}
	return nil
}
