// Package directory reads users and groups from an LDAP directory (OpenLDAP,
// 389-ds, PingDirectory, Active Directory) for the provider's data source and
// the provisioning engine. It knows nothing of Terraform or of Concur.
//
// A Client is built from a Config (New) and opens one bound connection per
// operation, so it is safe for concurrent use. Every search is paged (RFC
// 2696), so a server's size limit never truncates a result. Values put into
// filters are escaped; user-written filters and DNs can be checked at plan
// time with ValidateFilter and ValidateDN.
//
// Two sources of users:
//
//   - GroupMembers: a group named by DN or by name under a base DN, with
//     members from member, uniqueMember and memberUid, Active Directory's
//     ranged retrieval of large groups, and nested groups expanded either
//     here (each group visited once, so cycles end) or on the server (the
//     in-chain rule on Active Directory, a (memberOf=...) search when the
//     server computes transitive memberOf).
//   - SearchUsers: an LDAP filter under a base DN with a scope.
//
// Both set Entry.Disabled from the server's answer to Config.DisabledFilter
// (on Active Directory, the userAccountControl ACCOUNTDISABLE bit). KeyBy
// indexes the result by an attribute such as employeeID and lists the
// entries that lack it or share it instead of dropping them.
//
// Errors wrap sentinels (ErrUnreachable, ErrTimeout, ErrCertificate,
// ErrInvalidCredentials, ErrNotFound, ErrAmbiguous, ErrInvalidConfig) for
// errors.Is, and never contain the bind password.
package directory
