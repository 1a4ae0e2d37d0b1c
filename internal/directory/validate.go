package directory

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// ValidateFilter checks that filter is one RFC 4515 filter in parentheses.
// The provider calls it at plan time; the error gives the parser's reason.
func ValidateFilter(filter string) error {
	if strings.TrimSpace(filter) == "" {
		return errors.New("LDAP filter is empty")
	}
	if _, err := ldap.CompileFilter(filter); err != nil {
		return fmt.Errorf("invalid LDAP filter %q: %s", filter, ldapReason(err))
	}
	return nil
}

// ValidateDN checks that dn is a non-empty RFC 4514 distinguished name.
func ValidateDN(dn string) error {
	if strings.TrimSpace(dn) == "" {
		return errors.New("DN is empty")
	}
	if _, err := ldap.ParseDN(dn); err != nil {
		return fmt.Errorf("invalid DN %q: %s", dn, ldapReason(err))
	}
	return nil
}

// ldapReason drops go-ldap's "LDAP Result Code 201 ..." prefix, which says
// nothing to a person writing a filter.
func ldapReason(err error) string {
	var ldapErr *ldap.Error
	if errors.As(err, &ldapErr) && ldapErr.Err != nil {
		return strings.TrimPrefix(ldapErr.Err.Error(), "ldap: ")
	}
	return err.Error()
}

// NormalizeDN gives the form two spellings of one DN share, for visited sets
// and comparisons; a value that is not a DN is only lower-cased.
func NormalizeDN(dn string) string {
	parsed, err := ldap.ParseDN(dn)
	if err != nil {
		return strings.ToLower(dn)
	}
	return strings.ToLower(parsed.String())
}
