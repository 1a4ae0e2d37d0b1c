// Package sandbox is a local emulator of the SAP Concur APIs the provider uses: the
// OAuth2 token endpoint and the Identity v4/v4.1 Users API, following the field-by-field
// notes in the project's reference/concur-api.md. It holds one company with fixed
// credentials (DefaultCredentials), keeps users in memory with indexes on id, userName,
// employeeNumber and externalId, and can add latency, rate limits and faults on demand.
//
// It is a chaos and permissions rig for clients' tests:
//
//   - Faults (SetFaults): shares of requests answered 5xx, answered 429 with Retry-After,
//     whose connection is dropped unanswered, and of creates stored but whose reply is lost;
//     limited to some endpoints if asked, and drawn from a sequence seeded by Options.Seed, so
//     a run is reproducible. Also the next n requests of an endpoint failed or lost.
//   - Scopes: a token carries the app's grant, or the part of it the token request's scope
//     parameter asks for; asking beyond the grant is invalid_scope (code 54). WithoutScopes
//     narrows the grant. A hard DELETE needs identity.user.delete, every create, replace or
//     patch identity.user.coreenterprise.writeonly, and one that sets, changes or clears
//     externalId identity.user.externalID.writeonly; without it the answer is 403 with
//     WWW-Authenticate: Bearer error="insufficient_scope", scope="..." and a Concur error
//     message of code insufficient_scope naming the scope (and the attribute in schemaPath).
//   - Refresh-token rotation (RotateRefreshTokens), token expiry (SetTokenLifetime,
//     ExpireTokens), latency and a rate limit (SetLatency, SetRateLimit).
//
// It counts what it serves, for tests and benchmarks that check how many requests and
// connections a client spends: Stats in Go, and over HTTP an admin endpoint outside the
// Concur API paths (StatsPath), which needs no token and is itself never counted:
//
//	GET  /_sandbox/stats        {"requests": {"GET /profile/identity/v4.1/Users/{id}": 3, ...},
//	                             "total": 3, "connections": 2,
//	                             "faults": {"errors": 0, "throttled": 1, "dropped": 0, "lost_replies": 0}}
//	POST /_sandbox/stats/reset  sets every count back to zero (204)
//
// It shares no code or types with the client package on purpose: tests that run the
// client against it check the client against an independent reading of the docs.
//
// Where the documentation is silent or contradicts itself, the sandbox chooses:
//
//   - POST /Users answers 200 (Identity), DELETE 204, unknown id 404.
//   - A create or replace body must list the core User URN in "schemas"; PatchOp and
//     SearchRequest bodies must carry their URNs (400 invalidSyntax otherwise).
//   - "active" absent from a create or PUT body means true.
//   - startDate is not defaulted (it stays null when not sent).
//   - PUT without companyId keeps it; a different companyId is 400 mutability.
//   - Duplicate userName (service-wide, case-insensitive), employeeNumber and externalId
//     (per company, exact) are 409 uniqueness; the employeeNumber detail is the KBA text.
//   - meta.version moves only when a write changes something; a no-op PATCH keeps it.
//   - userName is limited to 128 characters and department to 48 (limits of the v1 API;
//     Identity documents none).
//   - Filters: caseExact for id, externalId, employeeNumber, manager.value and userUuid,
//     case-insensitive for every other string. Only the attributes §2.4 lists are
//     filterable; extension attributes need their URN in v4.1. Quotes around an id
//     value are optional, as documented. Strings are JSON strings: \u escapes in either
//     case. meta.created and meta.lastModified are kept at the microseconds they are shown
//     with, so a filter on a value read back compares equal. Inside [...] not and ne are
//     refused (400 invalidFilter), as documented; the other documented limits there
//     (parenthesised or, a repeated attribute joined by and) are not checked.
//   - Scopes are honoured on the password grant too (the docs list scope for the refresh
//     grant only); read scopes do not narrow what a token reads (the docs do not show how
//     Concur answers).
//   - v4.1 GET /Users refuses filter and startIndex (400); v4 GET /Users accepts one
//     eq on userName, employeeNumber or externalId, count up to 100.
//   - Token errors: invalid_client is 401, every other error 400. Without credtype the
//     password grant is a user login, which the sandbox has none of (code 5).
//   - With RotateRefreshTokens(true) a refresh token is single-use.
//   - Injected faults and the rate limit apply to every endpoint, the token endpoint
//     included, unless Faults.Endpoints limits them; Counters count every request that
//     reached a known endpoint. Endpoints lists their keys.
//
// Where an owner marker can live (research for recording which provisioning object manages an
// account, so that two Terraform states never fight over one person). The documented Identity
// v4.1 user has no tag, label or free metadata field: meta is read-only and carries only
// resourceType, created, lastModified, version and location. The candidates:
//
//   - externalId (core). RFC 7643 section 3.1 defines it as the provisioning client's own
//     identifier of the resource, which the service provider stores and returns but never
//     sets; Concur documents it as the provisioning client's id, unique within the company
//     (409 uniqueness on a duplicate), read with identity.user.ids.read and written only with
//     its own scope, identity.user.externalID.writeonly, and it is one of the few attributes
//     the v4.1 /Users/.search filter accepts (externalId eq "..."), so the plan's batched
//     lookups can read it in the same answers. Because it is unique it cannot hold a bare
//     owner name shared by many accounts: a marker must be owner plus the account's own key
//     (for example "tf-concur:<owner>:<emp_id>"), rewritten when the emp_id changes. Other
//     systems edit it: SAP Identity Provisioning and other SCIM clients write their own ids
//     there, and this provider maps external_id as an ordinary attribute, so a company that
//     uses it already cannot give it to the marker. Only edits made with the externalID scope
//     can change it, which keeps casual integrations from erasing it.
//   - Enterprise costCenter, department, division (max 25, 48, 48): business values that
//     Concur's own reports and other systems read and write; a marker there would be
//     overwritten by HR feeds and would show to users. Not a marker.
//   - Spend customData custom1-custom22 and orgUnit1-orgUnit6 (the employee-form custom
//     fields): configurable per company, which is what "a field the company does not use"
//     needs, but written only through User Provisioning v4 with the spend extension (scope
//     spend.user.general.writeonly; the extension then requires reimbursementCurrency,
//     country and locale), provisioned asynchronously (a provisionId to poll), read through a
//     different API (/profile/spend/v4.1/Users, filter eq/ne only) and only where the company
//     has Concur Expense. It would add a second API and a second batched read to every plan.
//
// So the marker belongs in externalId by default, with the provider's setting naming which
// field carries it (externalId, or a spend custom field where externalId is taken), the owner
// written as a prefix the provider recognises and an account without one linked as before.
// Sources: developer.concur.com (SAP-docs/sap-concur-developer) src/api-reference/profile/
// v4.1.identity.md and v4.scope-mapping.md, src/api-guides/profile/identity-search.md,
// src/api-explorer/v4-1/Identity.swagger2.json, src/api-reference/user-provisioning/
// v4.user-provisioning.md and spend/v4.1.spend-user-retrieval.md; RFC 7643 section 3.1.
// The sandbox stores externalId as documented (unique per company, exact filters, the write
// scope), which is all such a marker needs of it.
package sandbox
