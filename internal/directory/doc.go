// Package directory reads users and groups from an LDAP directory (OpenLDAP,
// 389-ds, PingDirectory, Active Directory) for the provider's data source and
// the provisioning engine. It knows nothing of Terraform or of Concur.
//
// A Client is built from a Config (New) and opens one bound connection per
// operation, so it is safe for concurrent use. Every search is paged (RFC
// 2696), so a server's size limit never truncates a result. Values put into
// filters are escaped; user-written filters, DNs and bind names can be
// checked at plan time with ValidateFilter, ValidateDN and ParseBindName.
//
// Two sources of users:
//
//   - GroupMembers: a group named by DN or by name under a base DN. On
//     Active Directory paged (memberOf=<group>) searches return the members,
//     with the users whose primaryGroupID names the group (Domain Users'
//     members are nearly all of that kind), one search per level of
//     nesting; a server that computes transitive memberOf
//     (TransitiveMemberOf) expands nesting with one such search. Elsewhere
//     the members come from member, uniqueMember and memberUid (with
//     Active Directory's ranged retrieval of large groups), and nested
//     groups are expanded here, each group visited once, so cycles end.
//   - SearchUsers: an LDAP filter under a base DN with a scope.
//
// Both set Entry.Disabled from the server's answer to Config.DisabledFilter
// (on Active Directory, the userAccountControl ACCOUNTDISABLE bit). KeyBy
// indexes the result by an attribute such as employeeID and lists the
// entries that lack it or share it instead of dropping them.
//
// Round trips stay near one per page of results. Entries named by DN (the
// members of a group, ReadEntries) are read a page of DNs per search, with
// an (|(entryDN=...)...) filter (distinguishedName on Active Directory);
// a DN such a search does not return is read by itself, so the result is
// the same as reading each entry, and a server that cannot search by DN is
// read entry by entry after its first batch. The disabled state of a
// group's members comes from the disabled entries under their common
// ancestor when those fit in as many pages as asking about the members
// would take, else from searches about the members; on Active Directory
// from one search for the disabled entries among the members. Reading a
// group of 10,000 users costs 21 to 26 searches with the default page size,
// nested or not, on OpenLDAP without memberOf as on Active Directory (a
// 1,700-member group on Samba's DC: 6); Searches counts them.
//
// Errors wrap sentinels (ErrUnreachable, ErrTimeout, ErrCertificate,
// ErrInvalidCredentials, ErrEncryptionRequired, ErrNotFound, ErrAmbiguous,
// ErrInvalidConfig) for errors.Is, and never contain the bind password.
package directory
