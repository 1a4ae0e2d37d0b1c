package directory

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/go-ldap/ldap/v3"
)

// Sentinel errors. Every error the client returns wraps at most one of them,
// so the provider can choose a diagnostic with errors.Is; the message still
// carries the server's reason. No error ever contains the bind password.
var (
	// ErrInvalidConfig: the Config or a query cannot work as written.
	ErrInvalidConfig = errors.New("invalid directory configuration")
	// ErrUnreachable: no TCP connection to the server.
	ErrUnreachable = errors.New("directory server unreachable")
	// ErrTimeout: the server accepted the connection but did not answer in time.
	ErrTimeout = errors.New("directory server did not answer in time")
	// ErrCertificate: the server's TLS certificate was not trusted.
	ErrCertificate = errors.New("directory server certificate not trusted")
	// ErrInvalidCredentials: the bind DN or password was refused.
	ErrInvalidCredentials = errors.New("directory bind failed: invalid credentials")
	// ErrEncryptionRequired: the server accepts the bind only over TLS (Active Directory's
	// default for a simple bind), and the connection has none.
	ErrEncryptionRequired = errors.New("directory server requires an encrypted connection")
	// ErrNotFound: the named group or base DN does not exist.
	ErrNotFound = errors.New("not found in the directory")
	// ErrAmbiguous: a group name matched more than one entry.
	ErrAmbiguous = errors.New("more than one directory entry matches")
)

// classify wraps a go-ldap or network error with the sentinel that names its
// cause. what says what the client was doing ("bind as ...", "search ...").
func classify(ctx context.Context, what string, err error) error {
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%s: %w", what, ctxErr)
	}
	var netErr net.Error
	switch {
	case ldap.IsErrorWithCode(err, ldap.LDAPResultInvalidCredentials):
		return fmt.Errorf("%w: %s: %v", ErrInvalidCredentials, what, err)
	case ldap.IsErrorWithCode(err, ldap.LDAPResultStrongAuthRequired), ldap.IsErrorWithCode(err, ldap.LDAPResultConfidentialityRequired):
		return fmt.Errorf("%w: %s: %v", ErrEncryptionRequired, what, err)
	case ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject):
		return fmt.Errorf("%w: %s: %v", ErrNotFound, what, err)
	case errors.As(err, &netErr) && netErr.Timeout(), ldap.IsErrorWithCode(err, ldap.ErrorNetwork) && isTimeoutText(err):
		return fmt.Errorf("%w: %s: %v", ErrTimeout, what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// isTimeoutText recognises go-ldap's request timeout, which it reports as a
// plain network error ("ldap: connection timed out").
func isTimeoutText(err error) bool {
	var ldapErr *ldap.Error
	return errors.As(err, &ldapErr) && ldapErr.Err != nil && ldapErr.Err.Error() == "ldap: connection timed out"
}
