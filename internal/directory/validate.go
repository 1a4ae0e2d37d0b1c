package directory

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"

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

// BindForm is how a bind name names the account.
type BindForm int

const (
	// BindByDN is a distinguished name, which every server accepts.
	BindByDN BindForm = iota
	// BindByUPN is a user principal name (svc-concur@corp.example.com), which Active Directory
	// accepts in a simple bind.
	BindByUPN
	// BindByDownLevelName is a down-level logon name (CORP\svc-concur), which Active Directory
	// accepts in a simple bind.
	BindByDownLevelName
)

func (f BindForm) String() string {
	switch f {
	case BindByUPN:
		return "a user principal name"
	case BindByDownLevelName:
		return "a down-level logon name"
	}
	return "a DN"
}

// accountNameForbidden are the characters Active Directory refuses in an account name
// (sAMAccountName), and so in the user part of a UPN or a down-level name.
const accountNameForbidden = `"/\[]:;|=,+*?<>@`

var (
	// dnsName is a UPN suffix: a DNS name of one or more labels.
	dnsName = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$`)
	// netBIOSName is the domain of a down-level name: 1 to 15 characters, none of those
	// NetBIOS forbids.
	netBIOSName = regexp.MustCompile(`^[^\\/:*?"<>|\s]{1,15}$`)
)

// ParseBindName says which form the bind name has: a DN, a user principal name or a down-level
// logon name. It returns an error for anything else, which names the three forms.
func ParseBindName(name string) (BindForm, error) {
	if strings.TrimSpace(name) == "" {
		return 0, errors.New("bind name is empty")
	}
	_, dnErr := ldap.ParseDN(name)
	switch {
	case dnErr == nil && strings.Contains(name, "="):
		return BindByDN, nil
	case strings.Contains(name, `\`):
		domain, user, _ := strings.Cut(name, `\`)
		if netBIOSName.MatchString(domain) && validAccountName(user) {
			return BindByDownLevelName, nil
		}
	case strings.Contains(name, "@"):
		user, suffix, _ := strings.Cut(name, "@")
		if validAccountName(user) && !strings.ContainsAny(user, " \t") && dnsName.MatchString(suffix) {
			return BindByUPN, nil
		}
	}
	reason := "invalid"
	if dnErr != nil {
		reason = ldapReason(dnErr)
	}
	return 0, fmt.Errorf("%q is neither a DN (%s) nor, for Active Directory, a user principal name (user@corp.example.com) "+
		"or a down-level logon name (CORP\\user)", name, reason)
}

// validAccountName checks the user part of a UPN or down-level name.
func validAccountName(name string) bool {
	if name == "" || strings.TrimSpace(name) != name || strings.ContainsAny(name, accountNameForbidden) {
		return false
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
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
