package concur

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Writes through the User Provisioning Service (UPS) v4, which alone writes the Spend and Travel
// extensions. Single-user identity changes keep going through Identity v4.1 (UpdateUser): it
// answers synchronously with the saved user and needs no UPS scope, so a company whose app holds
// only the identity scopes keeps working for as long as it maps no Spend or Travel attribute.

const (
	upsUsersPath      = "/profile/v4/Users"
	upsBulkPath       = "/profile/v4/Bulk"
	provisionsPath    = "/profile/v4/provisions/"
	schemaBulkRequest = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"

	// MaxBulkOperations and MaxBulkBytes are Concur's limits on one /Bulk request, "100 operations
	// or 400 KB"; 400 KB is read as 400,000 bytes, the tighter reading.
	MaxBulkOperations = 100
	MaxBulkBytes      = 400_000

	provisionOperationsPerPage = 100
	// maxProvisionPollDelay bounds the backoff between status polls: a bulk of 100 takes minutes,
	// and a longer wait would only delay the answer.
	maxProvisionPollDelay = time.Minute
)

// ScopeProvisionWrite is the scope of every UPS write, /Bulk included; the Identity API's
// per-user writes do not need it.
const ScopeProvisionWrite = "user.provision.write"

// The other scopes UPS and the Spend and Travel reads document; a *ScopeError names the ones a
// refused call needed.
const (
	scopeProvisionRead   = "user.provision.read"
	scopeIdentityWrite   = "identity.user.coreenterprise.writeonly"
	scopeExternalIDWrite = "identity.user.externalID.writeonly"
	scopeSpendWrite      = "spend.user.general.writeonly"
	scopeSpendRead       = "spend.user.general.read"
	scopeTravelRead      = "travel.user.general.read"
)

// writeScopes are the scopes a UPS write needs: UPS's own, the identity's when identity data is
// sent, and the spend scope when a Spend extension is.
func writeScopes(identity, externalID bool, schemas []string) []string {
	scopes := []string{ScopeProvisionWrite}
	if identity {
		scopes = append(scopes, scopeIdentityWrite)
	}
	if externalID {
		scopes = append(scopes, scopeExternalIDWrite)
	}
	if slices.ContainsFunc(schemas, isSpendSchema) {
		scopes = append(scopes, scopeSpendWrite)
	}
	return scopes
}

func isSpendSchema(schema string) bool {
	return strings.HasPrefix(schema, "urn:ietf:params:scim:schemas:extension:spend:")
}

// Provision is one user for ProvisionUsers.
type Provision struct {
	// Key is the caller's key for the user, its emp_id: the operation's bulkId, so each result
	// maps back to it. Keys must be unique within a call.
	Key string
	// ID is an existing user's Concur id: the user is patched from From to To, identity and
	// profiles alike. Empty: To is created with its profiles.
	ID       string
	From, To User
}

// ProvisionResult is the outcome of one Provision.
type ProvisionResult struct {
	ID string // the user's Concur id, set whenever its identity is saved
	// Err is nil, an *OperationError (the operation failed; retry it whole), an *ExtensionError
	// (the identity is saved; retry only the extensions it names), or another error that says
	// why the outcome is unknown.
	Err error
}

// OperationError is a provisioning operation Concur refused, its identity included: nothing of
// it was saved.
type OperationError struct {
	Key         string // the caller's key (emp_id)
	ID          string // the user's Concur id when Concur named one
	ProvisionID string
	Code        string // the HTTP status Concur reports for the operation
	Messages    []Message
}

func (e *OperationError) Error() string {
	return fmt.Sprintf("concur: provisioning the user with emp_id %s failed%s%s; nothing of it was saved: correct the value "+
		"and apply again (provision %s)", e.Key, statusCode(e.Code), formatMessages(e.Messages), e.ProvisionID)
}

// ExtensionError says that a user's identity is saved but some of its extensions are not.
type ExtensionError struct {
	Key         string // the caller's key (emp_id)
	ID          string // the saved user's Concur id
	ProvisionID string
	Failures    []ExtensionFailure
}

// ExtensionFailure is one extension Concur did not save.
type ExtensionFailure struct {
	Schema   string // such as SchemaSpendUser
	Code     string // the HTTP status Concur reports for it
	Messages []Message
}

// Failed reports whether the extension with the given schema failed.
func (e *ExtensionError) Failed(schema string) bool {
	return slices.ContainsFunc(e.Failures, func(f ExtensionFailure) bool { return f.Schema == schema })
}

func (e *ExtensionError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "concur: the user with emp_id %s is saved (Concur id %s), but ", e.Key, e.ID)
	for i, f := range e.Failures {
		if i > 0 {
			b.WriteString("; and ")
		}
		fmt.Fprintf(&b, "its %s extension failed%s%s", extensionName(f.Schema), statusCode(f.Code), formatMessages(f.Messages))
		if f.Code == "401" || f.Code == "403" {
			fmt.Fprintf(&b, " (the Concur app may lack the scope %s)", strings.Join(writeScopes(false, false, []string{f.Schema})[1:], ", "))
		}
	}
	fmt.Fprintf(&b, "; correct the values and apply again: only what failed is sent again (provision %s)", e.ProvisionID)
	return b.String()
}

func extensionName(schema string) string {
	switch schema {
	case SchemaSpendUser:
		return "Spend User"
	case SchemaSpendApprover:
		return "Spend Approver"
	case SchemaSpendRole:
		return "Spend Role"
	case SchemaTravelUser:
		return "Travel User"
	}
	return schema
}

func statusCode(code string) string {
	if code == "" {
		return ""
	}
	return " (" + code + ")"
}

func formatMessages(messages []Message) string {
	var b strings.Builder
	for i, m := range messages {
		sep := ": "
		if i > 0 {
			sep = "; "
		}
		b.WriteString(sep)
		if m.Code != "" {
			b.WriteString(m.Code + " ")
		}
		b.WriteString(m.Text)
		if m.SchemaPath != "" {
			fmt.Fprintf(&b, " (%s)", m.SchemaPath)
		}
	}
	return b.String()
}

// The provision status, as GET /profile/v4/provisions/{id}/status?attributes=operations answers.
type provisionStatus struct {
	ID           string               `json:"id"`
	Status       stepStatus           `json:"status"`
	TotalResults int                  `json:"totalResults"`
	Operations   []provisionOperation `json:"operations"`
}

type provisionOperation struct {
	BulkID   string     `json:"bulkId"`
	Status   stepStatus `json:"status"`
	Resource struct {
		ID string `json:"id"`
	} `json:"resource"`
	Extensions []extensionStatus `json:"extensions"`
	Messages   messageList       `json:"messages"` // not documented on an operation; read when present
}

type extensionStatus struct {
	Name     string      `json:"name"`
	Status   stepStatus  `json:"status"`
	Messages messageList `json:"messages"`
}

type stepStatus struct {
	Completed bool        `json:"completed"`
	Success   *bool       `json:"success"` // null while pending
	Code      looseString `json:"code"`
	Result    string      `json:"result"` // success, no-op, error, not-processed
}

func (s stepStatus) failed() bool {
	return s.Result == "error" || s.Success != nil && !*s.Success
}

// looseString is documented as a string ("400") and read as a number too.
type looseString string

func (s *looseString) UnmarshalJSON(data []byte) error {
	var text string
	if err := json.Unmarshal(data, &text); err == nil {
		*s = looseString(text)
		return nil
	}
	var number json.Number
	if err := json.Unmarshal(data, &number); err != nil {
		return err
	}
	*s = looseString(number)
	return nil
}

// messageList is an array in the documented examples and a single object in the OpenAPI file;
// both are read.
type messageList []Message

func (l *messageList) UnmarshalJSON(data []byte) error {
	type wire struct {
		Code       string `json:"code"`
		Message    string `json:"message"`
		SchemaPath string `json:"schemaPath"`
		Type       string `json:"type"`
	}
	var many []wire
	if err := json.Unmarshal(data, &many); err != nil {
		var one wire
		if err := json.Unmarshal(data, &one); err != nil {
			return err
		}
		many = []wire{one}
	}
	*l = nil
	for _, m := range many {
		*l = append(*l, Message{Code: m.Code, Text: m.Message, SchemaPath: m.SchemaPath, Type: m.Type})
	}
	return nil
}

// provisionOutcome is a completed provision: its operations and its overall success.
type provisionOutcome struct {
	id         string
	success    bool
	operations []provisionOperation
}

// awaitProvision polls a provision's status until it completes: the first poll after
// ProvisionPollDelay, each further one after twice the wait before, as Concur advises, for as
// long as ctx allows.
func (c *Client) awaitProvision(ctx context.Context, provisionID string) (*provisionOutcome, error) {
	if provisionID == "" {
		return nil, errors.New("concur: the provisioning answer carries no provision id, so its outcome cannot be checked; run again to compare what Concur saved")
	}
	delay := c.cfg.ProvisionPollDelay
	for polls := 0; ; polls++ {
		if err := sleep(ctx, delay); err != nil {
			return nil, fmt.Errorf("concur: provision %s is still pending after %d status checks: %w; Concur completes or fails "+
				"a provision within 120 minutes, and the next run reads what it saved", provisionID, polls, err)
		}
		page, err := c.provisionPage(ctx, provisionID, 1)
		if err != nil {
			return nil, err
		}
		if !page.Status.Completed {
			delay = min(2*delay, max(maxProvisionPollDelay, c.cfg.ProvisionPollDelay))
			continue
		}
		outcome := &provisionOutcome{id: provisionID, success: page.Status.Success != nil && *page.Status.Success, operations: page.Operations}
		for len(outcome.operations) < page.TotalResults {
			next, err := c.provisionPage(ctx, provisionID, len(outcome.operations)+1)
			if err != nil {
				return nil, err
			}
			if len(next.Operations) == 0 {
				break
			}
			outcome.operations = append(outcome.operations, next.Operations...)
		}
		return outcome, nil
	}
}

// provisionPage reads one page of a provision's status with its operations.
func (c *Client) provisionPage(ctx context.Context, provisionID string, startIndex int) (*provisionStatus, error) {
	r := request{method: http.MethodGet, path: provisionsPath + url.PathEscape(provisionID) + "/status", resendIfUnsure: true,
		query: url.Values{"attributes": {"operations"}, "startIndex": {strconv.Itoa(startIndex)}, "count": {strconv.Itoa(provisionOperationsPerPage)}}}
	var status provisionStatus
	if err := c.getJSON(ctx, r, scopeProvisionRead, "provision status", &status); err != nil {
		return nil, err
	}
	return &status, nil
}

// result maps one operation's status to its ProvisionResult. sent are the extensions the
// operation carried: only those can fail (an extension not sent may be reported not-processed).
func (o *provisionOutcome) result(op provisionOperation, key string, sent []string) ProvisionResult {
	var identity, extensions []ExtensionFailure
	for _, x := range op.Extensions {
		failed := x.Status.failed() || x.Status.Result == "not-processed" && slices.Contains(sent, x.Name)
		if !failed {
			continue
		}
		f := ExtensionFailure{Schema: x.Name, Code: string(x.Status.Code), Messages: x.Messages}
		if x.Name == schemaCoreUser || x.Name == schemaEnterpriseUser {
			identity = append(identity, f)
		} else {
			extensions = append(extensions, f)
		}
	}
	id := op.Resource.ID
	switch {
	case len(identity) > 0 || op.Status.failed() && len(extensions) == 0 || id == "" && len(extensions) > 0:
		e := &OperationError{Key: key, ID: id, ProvisionID: o.id, Code: string(op.Status.Code), Messages: op.Messages}
		for _, f := range identity {
			e.Messages = append(e.Messages, f.Messages...)
			if e.Code == "" {
				e.Code = f.Code
			}
		}
		return ProvisionResult{ID: id, Err: e}
	case len(extensions) > 0:
		return ProvisionResult{ID: id, Err: &ExtensionError{Key: key, ID: id, ProvisionID: o.id, Failures: extensions}}
	}
	return ProvisionResult{ID: id}
}

// only is the outcome of a single-user provision, which has one operation.
func (o *provisionOutcome) only(key string, sent []string) ProvisionResult {
	if len(o.operations) == 0 {
		if o.success {
			return ProvisionResult{}
		}
		return ProvisionResult{Err: &OperationError{Key: key, ProvisionID: o.id}}
	}
	return o.result(o.operations[0], key, sent)
}

// createWithProfile creates u and its profiles with one POST /profile/v4/Users and waits for the
// extensions' outcome. It is CreateUser's request for users with a profile.
func createWithProfile(u User) (request, error) {
	r, err := jsonRequest(http.MethodPost, upsUsersPath, upsUser{scimUserForCreate(u), u.extensions()})
	r.resendIfUnsure = false
	return r, err
}

// createdSchemas are the schemas a create of u sends.
func createdSchemas(u User) []string {
	schemas := []string{schemaCoreUser, schemaEnterpriseUser}
	x := u.extensions()
	if x.Spend != nil {
		schemas = append(schemas, SchemaSpendUser)
	}
	if x.Approvers != nil {
		schemas = append(schemas, SchemaSpendApprover)
	}
	if x.Roles != nil {
		schemas = append(schemas, SchemaSpendRole)
	}
	if x.Travel != nil {
		schemas = append(schemas, SchemaTravelUser)
	}
	return schemas
}

// provisioned reads a UPS /Users answer (the identity with meta.provisionId), waits for the
// provision and returns the user with the profiles Concur saved: to's, except that an extension
// that failed keeps from's. The user is returned with any error once its identity is known.
func (c *Client) provisioned(ctx context.Context, resp *response, from, to User, sent []string) (*User, error) {
	user, err := decodeUser(resp)
	if err != nil {
		return nil, err
	}
	var answer struct {
		Meta struct {
			ProvisionID string `json:"provisionId"`
		} `json:"meta"`
	}
	_ = json.Unmarshal(resp.body, &answer) // decodeUser read the same body
	user.Spend, user.Travel = to.Spend, to.Travel
	outcome, err := c.awaitProvision(ctx, answer.Meta.ProvisionID)
	if err != nil {
		return user, fmt.Errorf("concur: the user with emp_id %s is saved (Concur id %s), but its profile's outcome is unknown: %w", to.EmployeeNumber, user.ID, err)
	}
	result := outcome.only(to.EmployeeNumber, sent)
	var extErr *ExtensionError
	if errors.As(result.Err, &extErr) {
		extErr.ID = user.ID
		keepUnsaved(user, from, extErr)
	}
	return user, result.Err
}

// keepUnsaved puts back from's values of the extensions that failed.
func keepUnsaved(user *User, from User, failed *ExtensionError) {
	if failed.Failed(SchemaSpendUser) {
		saved := user.Spend
		user.Spend = from.Spend
		user.Spend.Approvers, user.Spend.Roles = saved.Approvers, saved.Roles
	}
	if failed.Failed(SchemaSpendApprover) {
		user.Spend.Approvers = from.Spend.Approvers
	}
	if failed.Failed(SchemaSpendRole) {
		user.Spend.Roles = from.Spend.Roles
	}
	if failed.Failed(SchemaTravelUser) {
		user.Travel = from.Travel
	}
}

// patchProfile sends the changes between from's and to's profiles with PATCH
// /profile/v4/Users/{id} and waits for them. It returns nil, nil when nothing differs.
func (c *Client) patchProfile(ctx context.Context, id string, from, to User) (*User, error) {
	ops, schemas := profilePatchOps(from, to)
	if len(ops) == 0 {
		return nil, nil
	}
	r, err := jsonRequest(http.MethodPatch, upsUsersPath+"/"+url.PathEscape(id), patchRequest{Schemas: []string{schemaPatchOp}, Operations: ops})
	if err != nil {
		return nil, err
	}
	resp, err := c.send(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("concur: updating the profile of the user with emp_id %s: %w", to.EmployeeNumber, asScopeError(err, writeScopes(false, false, schemas)))
	}
	return c.provisioned(ctx, resp, from, to, schemas)
}

// bulkOperation is one operation of a /Bulk request.
type bulkOperation struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	BulkID string `json:"bulkId"`
	Data   any    `json:"data"`
}

// bulkEnvelope wraps the operations of a /Bulk request. failOnErrors is left out: RFC 7644 then
// has the server go on after a failed operation, so one bad user never holds back the others.
const (
	bulkEnvelopeHead = `{"schemas":["` + schemaBulkRequest + `"],"Operations":[`
	bulkEnvelopeTail = `]}`
)

// encodedOperation is one Provision ready to be sent. It keeps what the answer needs of the
// Provision, so that the users, 2.8 KB each, are not held while the provisions are awaited.
type encodedOperation struct {
	key        string
	id         string // the Concur id of a user patched
	data       []byte
	sent       []string // the schemas it carries
	create     bool
	externalID bool
}

// ProvisionUsers creates and updates users, profiles included, with POST /profile/v4/Bulk: at
// most MaxBulkOperations operations and MaxBulkBytes encoded bytes per request, requests sent
// MaxConcurrency at a time, each provision polled until it completes. It returns a result for
// every key; an error only when nothing could be sent (duplicate keys, no company ID). Managers
// known by employee number only are looked up first, in one batch. An update that changes
// nothing is answered without a request. Identity changes go through UPS here too: it is the
// one batch write Concur has, so the app needs user.provision.write even for them.
func (c *Client) ProvisionUsers(ctx context.Context, users []Provision) (map[string]ProvisionResult, error) {
	results := make(map[string]ProvisionResult, len(users))
	seen := make(map[string]bool, len(users))
	creates := false
	for _, p := range users {
		if p.Key == "" || seen[p.Key] {
			return nil, fmt.Errorf("concur: provisioning users: the key %q is empty or given twice; each user needs its own emp_id", p.Key)
		}
		seen[p.Key] = true
		creates = creates || p.ID == ""
	}
	companyID := ""
	if creates {
		var err error
		if companyID, err = c.CompanyID(ctx); err != nil {
			return nil, err
		}
	}
	if err := c.lookUpManagers(ctx, users); err != nil {
		return nil, err
	}
	var encoded []encodedOperation
	for _, p := range users {
		op, err := c.encodeProvision(ctx, p, companyID)
		switch {
		case err != nil:
			results[p.Key] = ProvisionResult{ID: p.ID, Err: err}
		case op == nil:
			results[p.Key] = ProvisionResult{ID: p.ID}
		default:
			encoded = append(encoded, *op)
		}
	}
	batches, tooLarge := packBulk(encoded)
	for _, op := range tooLarge {
		results[op.key] = ProvisionResult{Err: fmt.Errorf("concur: provisioning the user with emp_id %s: its operation is %d bytes encoded, "+
			"more than the %d bytes Concur accepts in one bulk request; shorten its values", op.key, len(op.data), MaxBulkBytes)}
	}
	if len(batches) == 0 {
		return results, nil
	}
	// The first request goes alone: an app without user.provision.write learns it from one 403,
	// and the other batches, which would be refused the same way, are not sent.
	firstID, firstErr := c.postBulk(ctx, batches[0])
	if LacksScope(firstErr, ScopeProvisionWrite) {
		for _, batch := range batches {
			maps.Copy(results, failBatch(batch, firstErr))
		}
		return results, nil
	}
	// The other batches are sent at once: the client's request slots bound the requests in flight,
	// and a provision Concur is still working on holds none while it waits to be polled. Holding a
	// slot per batch instead would idle the connections through each provision's wait of 5 s and more.
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for i, batch := range batches {
		wg.Go(func() {
			var answers map[string]ProvisionResult
			switch {
			case i > 0:
				answers = c.sendBulk(ctx, batch)
			case firstErr != nil:
				answers = failBatch(batch, firstErr)
			default:
				answers = c.bulkOutcome(ctx, batch, firstID)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, op := range batch {
				result := answers[op.key]
				if result.ID == "" && !op.create {
					result.ID = op.id
				}
				results[op.key] = result
			}
		})
	}
	wg.Wait()
	return results, nil
}

// lookUpManagers resolves, in one batch, the managers known only by an employee number the
// client has not resolved before, so encodeProvision finds them cached.
func (c *Client) lookUpManagers(ctx context.Context, users []Provision) error {
	var wanted []string
	c.mu.Lock()
	for _, p := range users {
		empID := p.To.ManagerEmployeeNumber
		if p.To.ManagerID == "" && empID != "" && empID != p.From.ManagerEmployeeNumber && c.managerIDs[empID] == "" {
			wanted = append(wanted, empID)
		}
	}
	c.mu.Unlock()
	if len(wanted) == 0 {
		return nil
	}
	found, err := c.FindUsersByEmployeeNumbers(ctx, wanted)
	if err != nil {
		return fmt.Errorf("concur: resolving managers by employee number: %w", err)
	}
	for empID, u := range found {
		c.remember(empID, u.ID)
	}
	return nil
}

// encodeProvision builds p's bulk operation; nil when an update changes nothing.
func (c *Client) encodeProvision(ctx context.Context, p Provision, companyID string) (*encodedOperation, error) {
	to := p.To
	if err := c.resolveManager(ctx, p.From, &to); err != nil {
		return nil, err
	}
	op := &encodedOperation{key: p.Key, id: p.ID, create: p.ID == ""}
	var bulk bulkOperation
	if op.create {
		if to.CompanyID == "" {
			to.CompanyID = companyID
		}
		bulk = bulkOperation{Method: http.MethodPost, Path: "/Users", BulkID: p.Key, Data: upsUser{scimUserForCreate(to), to.extensions()}}
		op.sent, op.externalID = createdSchemas(to), to.ExternalID != ""
	} else {
		identity := patchOps(p.From, to)
		profile, schemas := profilePatchOps(p.From, to)
		if len(identity)+len(profile) == 0 {
			return nil, nil
		}
		if len(identity) > 0 {
			op.sent = []string{schemaCoreUser, schemaEnterpriseUser}
			op.externalID = p.From.ExternalID != to.ExternalID
		}
		op.sent = append(op.sent, schemas...)
		bulk = bulkOperation{Method: http.MethodPatch, Path: "/Users/" + p.ID, BulkID: p.Key,
			Data: patchRequest{Schemas: []string{schemaPatchOp}, Operations: append(identity, profile...)}}
	}
	data, err := json.Marshal(bulk)
	if err != nil {
		return nil, fmt.Errorf("concur: provisioning the user with emp_id %s: encoding its operation: %w", p.Key, err)
	}
	op.data = data
	return op, nil
}

// packBulk groups operations into requests of at most MaxBulkOperations operations and
// MaxBulkBytes bytes as bulkBody encodes them, keeping their order. An operation too large for
// any request comes back apart.
func packBulk(ops []encodedOperation) (batches [][]encodedOperation, tooLarge []encodedOperation) {
	empty := len(bulkEnvelopeHead) + len(bulkEnvelopeTail)
	var batch []encodedOperation
	size := empty
	for _, op := range ops {
		if empty+len(op.data) > MaxBulkBytes {
			tooLarge = append(tooLarge, op)
			continue
		}
		grown := size + len(op.data)
		if len(batch) > 0 {
			grown++ // the comma
		}
		if len(batch) == MaxBulkOperations || grown > MaxBulkBytes {
			batches = append(batches, batch)
			batch, grown = nil, empty+len(op.data)
		}
		batch, size = append(batch, op), grown
	}
	if len(batch) > 0 {
		batches = append(batches, batch)
	}
	return batches, tooLarge
}

// bulkBody is the /Bulk request holding ops.
func bulkBody(ops []encodedOperation) []byte {
	body := []byte(bulkEnvelopeHead)
	for i, op := range ops {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, op.data...)
	}
	return append(body, bulkEnvelopeTail...)
}

// sendBulk sends one /Bulk request and maps its provision's operations back to their keys.
func (c *Client) sendBulk(ctx context.Context, batch []encodedOperation) map[string]ProvisionResult {
	provisionID, err := c.postBulk(ctx, batch)
	if err != nil {
		return failBatch(batch, err)
	}
	return c.bulkOutcome(ctx, batch, provisionID)
}

// failBatch gives every operation of batch the error that kept the whole request from Concur.
func failBatch(batch []encodedOperation, err error) map[string]ProvisionResult {
	results := make(map[string]ProvisionResult, len(batch))
	for _, op := range batch {
		results[op.key] = ProvisionResult{Err: fmt.Errorf("concur: provisioning the user with emp_id %s: %w", op.key, err)}
	}
	return results
}

// postBulk sends one /Bulk request and returns its provision id. A request with creates is not
// repeated after an unsure outcome: a repeat could create duplicates.
func (c *Client) postBulk(ctx context.Context, batch []encodedOperation) (string, error) {
	identity, externalID, creates := false, false, false
	var schemas []string
	for _, op := range batch {
		identity = identity || slices.Contains(op.sent, schemaCoreUser)
		externalID = externalID || op.externalID
		creates = creates || op.create
		schemas = append(schemas, op.sent...)
	}
	r := request{method: http.MethodPost, path: upsBulkPath, body: bulkBody(batch), contentType: "application/json", resendIfUnsure: !creates}
	resp, err := c.send(ctx, r)
	switch {
	case isUnsureOutcome(err):
		return "", fmt.Errorf("%w; whether Concur accepted the bulk request is unknown, so it was not repeated: run again, "+
			"and a user created meanwhile is found by its emp_id", err)
	case err != nil:
		return "", asScopeError(err, writeScopes(identity, externalID, schemas))
	}
	var accepted provisionStatus
	if err := json.Unmarshal(resp.body, &accepted); err != nil {
		return "", fmt.Errorf("concur: POST %s: unreadable provision status: %w", upsBulkPath, err)
	}
	return accepted.ID, nil
}

// bulkOutcome waits for the provision of a /Bulk request and maps its operations back to their keys.
func (c *Client) bulkOutcome(ctx context.Context, batch []encodedOperation, provisionID string) map[string]ProvisionResult {
	outcome, err := c.awaitProvision(ctx, provisionID)
	if err != nil {
		return failBatch(batch, err)
	}
	results := make(map[string]ProvisionResult, len(batch))
	byBulkID := make(map[string]provisionOperation, len(outcome.operations))
	for _, op := range outcome.operations {
		byBulkID[op.BulkID] = op
	}
	for _, op := range batch {
		status, reported := byBulkID[op.key]
		if !reported {
			results[op.key] = ProvisionResult{Err: fmt.Errorf("concur: provisioning the user with emp_id %s: provision %s reports no "+
				"outcome for it; run again to compare what Concur saved", op.key, outcome.id)}
			continue
		}
		results[op.key] = outcome.result(status, op.key, op.sent)
	}
	return results
}
