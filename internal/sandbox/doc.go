// Package sandbox is a local emulator of the SAP Concur APIs the provider uses: the
// OAuth2 token endpoint, the Identity v4/v4.1 Users API, the User Provisioning Service v4
// (UPS) with the spend v4.1 and travel v4 reads, following the field-by-field notes in the
// project's reference/concur-api.md and the UPS pages named below. It holds one company with fixed
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
// User Provisioning Service v4. Endpoints: POST /profile/v4/Users (201), PUT and PATCH
// /profile/v4/Users/{id} (200), DELETE /profile/v4/Users/{id} (204, no provision request),
// POST /profile/v4/Bulk (202), GET /profile/v4/provisions/{id}/status, GET
// /profile/spend/v4.1/Users and /Users/{id}, GET /profile/travel/v4/Users/{id}; the UPS paths
// also answer with the trailing slash its reference writes. What the docs establish, and what
// the sandbox chose where they do not:
//
//   - The identity part of a UPS write is the Identity API's: the same store, decodeUser,
//     validateUser, uniqueness and manager checks and scope rules; a UPS user is read at
//     /profile/identity/v4.1/Users. Responses are the identity User with meta.provisionId and
//     meta.statusUrl. A single /Users write whose identity fails answers that error itself
//     (as the Identity API would) and creates no provision request; otherwise its identity is
//     saved before the answer and its extensions run in the provision request (type "User",
//     bulkId "gen-temp-bulk-id", as the documented detailed status shows).
//   - Asynchrony: every provision request stays pending for SetProvisionDelay (flag
//     -provision-delay; default 0, so a request is completed when answered and tests need no
//     polling). Bulk operations, identity included, and single writes' extensions run when it
//     has passed, in submission order; status reads run whatever is due. Pending: status
//     {completed:false, success:null}, extensions result "processing" (the implementation
//     guide's word). Statuses are kept 7 days; the 120-minute timeout is not emulated.
//   - Outcomes follow the reference's "Handling Failures": if the core or enterprise part fails,
//     the operation's other extensions are "not-processed" (the OpenAPI's result) and nothing
//     is saved; a failing spend or travel extension reports "error" with messages
//     {code, message, schemaPath (full URN path), type:"error"} and leaves the identity and the
//     other extensions saved. An extension not sent, or sent unchanged, is "no-op". Identity
//     messages go to the core or enterprise extension by schemaPath. Operation status.code is
//     the first error's HTTP status ("400", "409", "503"), "200" on success; an operation with
//     any error extension counts as failed, and the request succeeds when none failed.
//   - Bulk: schemas must list the BulkRequest URN; more than 100 operations or a body over
//     400 KB is 413 naming the limit (RFC 7644 section 3.7.4); POST /Users needs a unique
//     bulkId, PUT /Users/{id} needs data.id equal to the path's id, PATCH data is a PatchOp
//     (its schemas may be left out, as in the reference's example), DELETE is accepted (the
//     best-practice table lists it, the OpenAPI enum does not). A malformed operation refuses
//     the whole request (400 naming Operations[i]). failOnErrors is accepted and ignored:
//     Concur does not describe it. bulkId references inside data are not resolved.
//   - PATCH paths may address extension attributes by URN (spend:2.0:User:customData[id eq
//     "custom2"].value, spend:2.0:Role:roles[roleName eq "X"]), and an op without path may
//     carry a value keyed by extension URNs. add with an [id eq "x"] filter that matches
//     nothing creates the element. The patched extension is then checked as a whole, so a
//     spend User created by PATCH needs its required attributes in that PATCH. PUT replaces
//     the identity and each extension it carries; extensions it leaves out are kept.
//   - Scopes (UPS Scope Usage table): every UPS write needs user.provision.write, plus
//     spend.user.general.writeonly when it carries spend data (403 for the whole request);
//     DELETE also identity.user.delete; the status needs user.provision.read, the spend read
//     spend.user.general.read, the travel read travel.user.general.read. Travel writes need no
//     scope of their own: none is documented. All are in the default grant.
//   - Spend User (v4.1 spend retrieval page, UPS schema): reimbursementCurrency (ISO 4217, checked
//     against golang.org/x/text/currency), country (ISO 3166-1 alpha-2), locale (ll-CC, 5
//     characters, or ll-NNN as the docs' own example es-419) required; budgetCountryCode and officeLocationCountry alpha-2;
//     stateProvince and officeLocationStateProvince 1-3 upper-case letters or digits (ISO
//     3166-2 subdivision codes); ledgerCode and cashAdvanceAccountCode at most 20;
//     reimbursementType one of ACCOUNTS_PAYABLE, ADP_PAYROLL, CONCUR_PAY, OTHER; customData ids
//     custom1-custom22 and orgUnit1-orgUnit6, each once. testEmployee is set when the spend
//     user is first provisioned; a later different value is INVALID_VALUE, leaving it out keeps
//     it. biManager and biHierarchy are refused (not emulated); unknown non-null attributes of
//     a validated extension are INVALID_VALUE. Errors use the Identity API's codes
//     (INVALID_VALUE, REQUIRED_VALUE). Roles and approvers need the spend user first (the
//     sandbox's reading of "users must be provisioned with the required fields").
//   - Roles: roleName must be a code of the Spend Role Codes page, each once; roleGroups are
//     optional (the OpenAPI requires only roleName). EXP_USER, REQ_USER and INV_PMT_USER follow
//     the Expense, Request and Invoice entitlements ("cannot be modified through the Spend
//     role extension individually, but only entitlement"): the spend read shows them for the
//     entitlements the identity has, and a Role write naming one whose entitlement the user
//     lacks is INVALID_VALUE. That is all entitlements do: the docs say only that product
//     data must be provisioned for an entitlement to function.
//   - Approvers: value (UUID) or employeeNumber, both naming the same user when both are given;
//     primary is required and at most one per type is primary; only report and request may
//     have non-primary approvers. The approver must hold the spend role of the approval type:
//     report, request, purchaseRequest and invoice (the page's "payment") as the v4.1 spend
//     retrieval page's Approver Limit table has them (EXP_APPROVER, REQ_APPROVER,
//     INV_PURCH_REQ_APPROVER, INV_APPROVER); statement STATEMENT_APPROVER and budget
//     SHD_BUDGET_APPROVER (the Role Codes page's approvers of those); cashAdvance EXP_APPROVER
//     (no cash-advance approver role exists; Expense approvers approve them - inferred). The
//     spend read shows approvers as {"approver":{"value":uuid},"primary":bool}, as documented.
//   - Delegate, ApproverLimit, UserPreference, WorkflowPreference, InvoicePreference and
//     enterprise:2.0:Payroll are stored as sent, unchecked, and shown by the spend read
//     (ApproverLimit only when provisioned; the others as {} when not).
//   - Spend read: startIndex >= 1, count 1-100 (default 100; the page gives none), otherwise
//     400. filter: one eq or ne on cashAdvanceAccountCode, country, ledgerCode, locale,
//     nonEmployee, reimbursementCurrency, reimbursementType, stateProvince or testEmployee (with
//     or without the spend User URN, strings case-insensitive), or customData[...] with and, eq
//     and ne on id and value, exactly the page's list. id is not filterable, so there is no
//     batched read by id (id eq or or-ed ids are 400): read /Users/{id} one by one or page
//     through everyone. Users without a spend User extension are not listed and /Users/{id}
//     is 404 for them. meta.created and meta.version are null, as in the examples.
//   - Travel (sources: src/api-reference/user-provisioning/travel/v4.travel-extension.md, the
//     UPS reference's Travel User schema, the implementation guide's Helpful Hints, the UPS
//     OpenAPI TravelUser): ruleClass is the only required attribute ("an individual MUST be in
//     one and only one Rule Class", by id or by exact name; the OpenAPI also requires name and
//     travelCrsName, which the markdown and the guide do not); the sandbox company's rule
//     classes are TravelRuleClasses. manager is the travel approver, by value and/or
//     employeeNumber, an existing user other than the user. gender is Female or Male; groups
//     are integer group ids (every user is also in the default "All" group, not shown); orgUnit,
//     name (travel name, separate from the HR name: namePrefix, givenName, middleName,
//     familyName, honorificSuffix, hasNoMiddleName), travelNameRemark, travelCrsName,
//     xmlProfileSyncId and customFields [{name, value}] are stored as given: custom field and
//     org unit names are company configuration the sandbox does not have. permissions (in the
//     OpenAPI only) is refused. travel.user.private.read (travelCrsName, travelNameRemark,
//     gender) does not narrow the read, as identity read scopes do not.
//   - ResourceTypes, Schemas, ServiceProviderConfig, roleCodes and the provisionCompleted event
//     are not emulated.
//   - Knobs: SetProvisionDelay (-provision-delay) and SetExtensionFailures (-fail-extension
//     URN[=employeeNumber]): the named extension answers 503 (message SERVICE_UNAVAILABLE) for
//     every operation or one employee's; the core or enterprise URN fails the identity, so a
//     single /Users write answers 503. The new endpoints are counted in Stats like the others.
//
// UPS sources: developer.concur.com (SAP-docs/preview.developer.concur.com at e9acfd6)
// src/api-reference/user-provisioning/v4.user-provisioning.md,
// src/api-guides/user-provisioning/user-provisioning.md,
// src/api-explorer/v4-0/UserProvisioning.swagger2.json,
// src/api-reference/user-provisioning/spend/v4.1.spend-user-retrieval.md and
// v4.spend-role-code-definition.md, src/api-reference/user-provisioning/travel/v4.travel-extension.md.
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
