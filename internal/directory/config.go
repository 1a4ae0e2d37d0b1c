package directory

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// Kind says which server family the client talks to; it decides how nested
// groups and disabled accounts are recognised.
type Kind string

const (
	// KindGeneric is any RFC 4511 server (OpenLDAP, 389-ds, PingDirectory).
	KindGeneric Kind = "generic"
	// KindActiveDirectory reads groups through memberOf and primaryGroupID, binds
	// with UPNs and down-level names too, and knows disabled accounts by the
	// userAccountControl bit.
	KindActiveDirectory Kind = "active_directory"
)

// Defaults applied by New when a Config leaves the field at its zero value.
const (
	DefaultTimeout  = 30 * time.Second
	DefaultPageSize = 500
)

// MatchingRuleBitAnd (LDAP_MATCHING_RULE_BIT_AND) is Active Directory's matching rule that
// matches when all bits of the asserted integer are set.
const MatchingRuleBitAnd = "1.2.840.113556.1.4.803"

// ActiveDirectoryDisabledFilter matches accounts whose userAccountControl has
// the ACCOUNTDISABLE bit (2) set; it is the DisabledFilter of KindActiveDirectory
// unless one is given.
const ActiveDirectoryDisabledFilter = "(userAccountControl:" + MatchingRuleBitAnd + ":=2)"

// Config is how to reach and bind to the directory.
type Config struct {
	// URL is ldap://host[:port] or ldaps://host[:port].
	URL string
	// StartTLS upgrades an ldap:// connection before binding.
	StartTLS bool
	// BindDN and BindPassword are used for a simple bind; both empty binds
	// anonymously. On Active Directory BindDN may also be a user principal name or a
	// down-level logon name (see ParseBindName).
	BindDN       string
	BindPassword string
	// CACertPEM holds the certificates that sign the server's certificate; empty
	// trusts the system pool.
	CACertPEM string
	// InsecureSkipVerify accepts any server certificate. For tests only.
	InsecureSkipVerify bool
	// Timeout bounds connecting, the TLS handshake, the bind and each request.
	Timeout time.Duration
	// PageSize is the RFC 2696 page size of every search.
	PageSize uint32
	// Kind is KindGeneric (the default) or KindActiveDirectory.
	Kind Kind
	// DisabledFilter marks an entry disabled when the server says the entry
	// matches it, for example (pwdAccountLockedTime=*) or (nsAccountLock=TRUE).
	// Empty means no entry is disabled, except on Active Directory where it
	// defaults to ActiveDirectoryDisabledFilter.
	DisabledFilter string
	// TransitiveMemberOf says the server computes nested memberOf (OpenLDAP
	// with the dynlist overlay). Nested groups are then resolved by one paged
	// (memberOf=<group>) search instead of walking the groups client-side.
	// Active Directory needs no such setting (see GroupMembers).
	TransitiveMemberOf bool
}

// Validate reports the first setting that cannot work, without touching the
// network, so the provider can reject it at plan time.
func (c Config) Validate() error {
	u, err := url.Parse(c.URL)
	if err != nil {
		return fmt.Errorf("%w: url %q: %v", ErrInvalidConfig, c.URL, err)
	}
	if u.Scheme != "ldap" && u.Scheme != "ldaps" {
		return fmt.Errorf("%w: url %q: scheme must be ldap:// or ldaps://", ErrInvalidConfig, c.URL)
	}
	if u.Hostname() == "" {
		return fmt.Errorf("%w: url %q has no host", ErrInvalidConfig, c.URL)
	}
	if c.StartTLS && u.Scheme == "ldaps" {
		return fmt.Errorf("%w: start_tls applies to ldap:// only; ldaps:// is already encrypted", ErrInvalidConfig)
	}
	if c.BindDN != "" {
		form, err := ParseBindName(c.BindDN)
		if err != nil {
			return fmt.Errorf("%w: bind DN: %v", ErrInvalidConfig, err)
		}
		if form != BindByDN && c.Kind != KindActiveDirectory {
			return fmt.Errorf("%w: bind DN %q is %s, which only Active Directory accepts in a simple bind: "+
				"set kind to %q for an Active Directory server, or bind with the account's DN", ErrInvalidConfig, c.BindDN, form, KindActiveDirectory)
		}
	}
	if c.BindDN == "" && c.BindPassword != "" {
		return fmt.Errorf("%w: a bind password is set without a bind DN", ErrInvalidConfig)
	}
	if c.CACertPEM != "" {
		if _, err := certPool(c.CACertPEM); err != nil {
			return err
		}
	}
	if c.DisabledFilter != "" {
		if err := ValidateFilter(c.DisabledFilter); err != nil {
			return fmt.Errorf("%w: disabled filter: %v", ErrInvalidConfig, err)
		}
	}
	switch c.Kind {
	case "", KindGeneric, KindActiveDirectory:
	default:
		return fmt.Errorf("%w: kind %q: must be %q or %q", ErrInvalidConfig, c.Kind, KindGeneric, KindActiveDirectory)
	}
	if c.Timeout < 0 {
		return fmt.Errorf("%w: timeout must not be negative", ErrInvalidConfig)
	}
	return nil
}

// withDefaults fills the zero values New documents.
func (c Config) withDefaults() Config {
	if c.Kind == "" {
		c.Kind = KindGeneric
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.PageSize == 0 {
		c.PageSize = DefaultPageSize
	}
	if c.DisabledFilter == "" && c.Kind == KindActiveDirectory {
		c.DisabledFilter = ActiveDirectoryDisabledFilter
	}
	return c
}

// dnAttribute is the attribute whose equality filter matches the entry a DN names:
// distinguishedName on Active Directory, RFC 5020's entryDN elsewhere (OpenLDAP, 389-ds,
// PingDirectory). Never distinguishedName outside Active Directory: OpenLDAP knows it as the
// supertype of every DN-valued attribute, so (distinguishedName=X) matches the entries that
// refer to X, such as a group that lists X.
func (c Config) dnAttribute() string {
	if c.Kind == KindActiveDirectory {
		return "distinguishedName"
	}
	return "entryDN"
}

func (c Config) usesTLS() bool {
	return c.StartTLS || strings.HasPrefix(c.URL, "ldaps://")
}

// hostPort is the address to dial, with the scheme's default port.
func (c Config) hostPort() (host, addr string) {
	u, _ := url.Parse(c.URL) // Validate has accepted it
	port := u.Port()
	if port == "" {
		port = ldap.DefaultLdapPort
		if u.Scheme == "ldaps" {
			port = ldap.DefaultLdapsPort
		}
	}
	return u.Hostname(), net.JoinHostPort(u.Hostname(), port)
}

// certPool holds the certificates of pemText. Unlike x509.CertPool.AppendCertsFromPEM, which
// skips a certificate it cannot parse, it says which one Go refuses and why.
func certPool(pemText string) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	rest := []byte(pemText)
	count := 0
	for {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		count++
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: the CA certificate PEM holds a certificate Go refuses to parse (certificate %d): %v%s",
				ErrInvalidConfig, count, err, parseAdvice(err))
		}
		pool.AddCert(cert)
	}
	if count == 0 {
		return nil, fmt.Errorf("%w: the CA certificate PEM holds no certificate (no -----BEGIN CERTIFICATE----- block)", ErrInvalidConfig)
	}
	return pool, nil
}

// negativeSerial is how Go's x509 parser refuses a certificate with a negative serial number;
// it exports no error value for it.
const negativeSerial = "x509: negative serial number"

// parseAdvice explains a certificate Go cannot parse, where the reason is known.
func parseAdvice(err error) string {
	if !strings.Contains(err.Error(), negativeSerial) {
		return ""
	}
	return ". RFC 5280 requires serial numbers to be positive, and Go refuses others since Go 1.23. About half of " +
		"Samba's self-generated certificates have a negative one (the serial is the creation time's bytes in reverse " +
		"order); those cannot be verified in any case, since they name the host in no subject alternative name and the " +
		"server certificate is signed by itself, not by Samba's ca.pem. Give the server a certificate your CA issues for " +
		"the host name in the URL (tls keyfile, tls certfile and tls cafile in smb.conf); to accept this one anyway " +
		"(with insecure_skip_verify, for a test DC), run Terraform with GODEBUG=x509negativeserial=1 in its environment"
}

// tlsConfig verifies the server itself (instead of leaving it to crypto/tls)
// so that a rejected certificate keeps its x509 error type: go-ldap flattens
// StartTLS handshake errors into text. verifyErr receives that error.
func (c Config) tlsConfig(host string, verifyErr *error) (*tls.Config, error) {
	var roots *x509.CertPool
	if c.CACertPEM != "" {
		pool, err := certPool(c.CACertPEM)
		if err != nil {
			return nil, err
		}
		roots = pool
	}
	skip := c.InsecureSkipVerify
	return &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         host,
		InsecureSkipVerify: true, //nolint:gosec // verified in VerifyConnection below
		VerifyConnection: func(cs tls.ConnectionState) error {
			if skip {
				return nil
			}
			err := verifyPeer(cs, host, roots)
			*verifyErr = err
			return err
		},
	}, nil
}

func verifyPeer(cs tls.ConnectionState, host string, roots *x509.CertPool) error {
	if len(cs.PeerCertificates) == 0 {
		return fmt.Errorf("server sent no certificate")
	}
	intermediates := x509.NewCertPool()
	for _, cert := range cs.PeerCertificates[1:] {
		intermediates.AddCert(cert)
	}
	_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{
		DNSName:       host,
		Roots:         roots,
		Intermediates: intermediates,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	return err
}
