package sandbox

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
)

const upsV4 = "/profile/v4"

// singleUserBulkID is the bulkId a single /Users write's operation shows in its status, as in
// the documented detailed status of a provisionType "User" request.
const singleUserBulkID = "gen-temp-bulk-id"

// upsState is the User Provisioning Service's side of the sandbox: spend and travel profiles,
// provision requests and their knobs. The identity lives in the userStore the Identity API uses.
// Lock order: mu, then the userStore's lock.
type upsState struct {
	mu       sync.Mutex
	now      func() time.Time
	delay    time.Duration
	failures []ExtensionFailure

	profiles   map[string]*spendProfile // by user id
	order      []string                 // user ids in the order their profiles were first stored
	provisions map[string]*provision
	pending    []*provision // in submission order
}

func newUPSState() *upsState {
	return &upsState{now: time.Now, profiles: map[string]*spendProfile{}, provisions: map[string]*provision{}}
}

// ExtensionFailure makes UPS fail one extension of matching operations with 503, as a
// downstream outage does, so a client's handling of partial results can be tested. Extension
// is a schema URN: a spend or travel one fails only that extension (the identity is saved); the
// core or enterprise User URN fails the identity, so nothing of the operation is saved.
type ExtensionFailure struct {
	Extension      string
	EmployeeNumber string // only operations on this employee; "" fails every operation
}

// SetExtensionFailures replaces the injected extension failures; none turns them off. An
// unknown URN is an error that lists the known ones.
func (s *Server) SetExtensionFailures(failures ...ExtensionFailure) error {
	known := []string{schemaUser, schemaEnterprise}
	for _, x := range upsExtensions {
		known = append(known, x.urn)
	}
	for _, f := range failures {
		if !slices.Contains(known, f.Extension) {
			return fmt.Errorf("sandbox: unknown extension %q; UPS extensions are: %s", f.Extension, strings.Join(known, " "))
		}
	}
	s.ups.mu.Lock()
	defer s.ups.mu.Unlock()
	s.ups.failures = slices.Clone(failures)
	return nil
}

// SetProvisionDelay sets how long provision requests stay pending (default 0: a request is
// completed when its answer is sent). Bulk operations and the extensions of single /Users
// writes run once the delay has passed; a single write's identity is saved at once, since its
// answer carries the user. It applies to requests submitted from now on.
func (s *Server) SetProvisionDelay(d time.Duration) {
	s.ups.mu.Lock()
	defer s.ups.mu.Unlock()
	s.ups.delay = max(d, 0)
}

func (u *upsState) failing(urn, empID string) bool {
	for _, f := range u.failures {
		if f.Extension == urn && (f.EmployeeNumber == "" || f.EmployeeNumber == empID) {
			return true
		}
	}
	return false
}

func (u *upsState) profile(id string) (*spendProfile, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	p, ok := u.profiles[id]
	return p, ok
}

func (u *upsState) storeLocked(p *spendProfile) {
	if _, ok := u.profiles[p.userID]; !ok {
		u.order = append(u.order, p.userID)
	}
	p.lastModified = shownTime()
	u.profiles[p.userID] = p
}

func (u *upsState) dropLocked(id string) {
	if _, ok := u.profiles[id]; !ok {
		return
	}
	delete(u.profiles, id)
	u.order = slices.DeleteFunc(u.order, func(x string) bool { return x == id })
}

// operation is one write of a provision request and, once run, its outcome.
type operation struct {
	index  int
	bulkID string
	method string // POST, PUT, PATCH or DELETE
	userID string // the path's id; a POST's new user once created

	body        map[string]any            // POST, PUT: the user, identity and extensions
	identityOps []patchOp                 // PATCH
	extObjects  map[string]map[string]any // POST, PUT: extension URN -> object
	extOps      map[string][]patchOp      // PATCH: extension URN -> operations

	identityDone, done bool
	results            map[string]extensionStatus // by URN, as the status shows them
}

// extensionStatus is one extension's outcome: result success, no-op, error or not-processed.
type extensionStatus struct {
	result, code string
	messages     []scimMessage
}

func (op *operation) sends(urn string) bool {
	if urn == schemaUser || urn == schemaEnterprise {
		return op.method != "PATCH" || len(op.identityOps) > 0
	}
	_, obj := op.extObjects[urn]
	return obj || len(op.extOps[urn]) > 0
}

func (op *operation) sendsSpend() bool {
	for _, x := range upsExtensions {
		if isSpendExtension(x.urn) && op.sends(x.urn) {
			return true
		}
	}
	return false
}

func isSpendExtension(urn string) bool {
	x, ok := extensionOf(urn)
	return ok && x.urn != schemaTravelUser
}

// failed reports the first error's code, or "" when the operation succeeded.
func (op *operation) failed() string {
	for _, urn := range statusExtensions() {
		if st := op.results[urn]; st.result == "error" {
			return st.code
		}
	}
	return ""
}

// statusExtensions lists every extension a detailed status reports, identity first.
func statusExtensions() []string {
	list := []string{schemaUser, schemaEnterprise}
	for _, x := range upsExtensions {
		list = append(list, x.urn)
	}
	return list
}

// newUserOperation builds the operation of a POST or PUT: extension objects are split off the
// body, which the identity code path then reads (it ignores keys it does not know).
func newUserOperation(method, userID string, body map[string]any) (*operation, error) {
	op := &operation{method: method, userID: userID, body: body, extObjects: map[string]map[string]any{}}
	for key, v := range body {
		x, ok := extensionOf(key)
		if !ok || !strings.EqualFold(key, x.urn) || v == nil {
			continue
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, newSCIMError(http.StatusBadRequest, "invalidValue", "Extension "+key+" must be an object")
		}
		op.extObjects[x.urn] = obj
	}
	return op, nil
}

func newPatchOperation(userID string, ops []patchOp) (*operation, error) {
	identity, ext, err := splitPatch(ops)
	if err != nil {
		return nil, err
	}
	if len(ops) == 0 {
		return nil, newSCIMError(http.StatusBadRequest, "invalidSyntax", "PatchOp requires at least one operation")
	}
	return &operation{method: "PATCH", userID: userID, identityOps: identity, extOps: ext}, nil
}

// employeeNumber is the employee an operation is about, for ExtensionFailure.
func (s *Server) employeeNumber(op *operation) string {
	if u, ok := s.users.get(op.userID); ok {
		return u.Enterprise.EmployeeNumber
	}
	ent, _ := op.body[schemaEnterprise].(map[string]any)
	emp, _ := ent["employeeNumber"].(string)
	return emp
}

// runIdentityLocked runs the identity part of an operation through the Identity API's rules
// (decodeUser, validateUser, the store's uniqueness and reference checks, its scope rules) and
// returns the saved user. On failure every extension the operation sent is not processed.
// req carries the token grant.
func (s *Server) runIdentityLocked(req *http.Request, base string, op *operation) (*UserRecord, error) {
	op.identityDone = true
	op.results = map[string]extensionStatus{}
	u, err := s.writeIdentity(req, base, op)
	if err != nil {
		s.identityFailed(op, err)
		return nil, err
	}
	result := "success"
	if op.method == "PATCH" && len(op.identityOps) == 0 {
		result = "no-op"
	}
	for _, urn := range []string{schemaUser, schemaEnterprise} {
		op.results[urn] = extensionStatus{result: result, code: "200"}
	}
	return u, nil
}

func (s *Server) writeIdentity(req *http.Request, base string, op *operation) (*UserRecord, error) {
	for _, urn := range []string{schemaUser, schemaEnterprise} {
		if s.ups.failing(urn, s.employeeNumber(op)) {
			return nil, injectedFailure(urn)
		}
	}
	switch op.method {
	case "POST":
		u, err := recordFromDocument(op.body)
		if err != nil {
			return nil, err
		}
		u.ID = "" // server-assigned
		if err := checkWriteScopes(req, nil, u); err != nil {
			return nil, err
		}
		created, err := s.users.create(u)
		if err != nil {
			return nil, err
		}
		op.userID = created.ID
		return created, nil
	case "PUT":
		if id, _ := op.body["id"].(string); id != "" && id != op.userID {
			return nil, newSCIMError(http.StatusBadRequest, "invalidValue", fmt.Sprintf("The body's id %q is not the id %q of the path", id, op.userID),
				invalidValue("id", "'id' must match the user id in the path"))
		}
		u, err := recordFromDocument(op.body)
		if err != nil {
			return nil, err
		}
		return s.users.update(op.userID, func(old *UserRecord) (*UserRecord, error) {
			if err := checkWriteScopes(req, old, u); err != nil {
				return nil, err
			}
			return u, nil
		})
	case "PATCH":
		if len(op.identityOps) == 0 {
			u, ok := s.users.get(op.userID)
			if !ok {
				return nil, errNotFound(op.userID)
			}
			return u, nil
		}
		return s.users.update(op.userID, func(old *UserRecord) (*UserRecord, error) {
			return s.patchedLocked(req, old, base, op.identityOps)
		})
	default: // DELETE
		if !grantFrom(req.Context()).has(scopeDelete) {
			return nil, insufficientScope(req, scopeDelete, "")
		}
		u, ok := s.users.get(op.userID)
		if !ok || !s.users.delete(op.userID) {
			return nil, errNotFound(op.userID)
		}
		s.ups.dropLocked(op.userID)
		return u, nil
	}
}

func injectedFailure(urn string) *scimError {
	return newSCIMError(http.StatusServiceUnavailable, "", "Service unavailable: "+urn+" failed (sandbox ExtensionFailure)",
		scimMessage{Code: "SERVICE_UNAVAILABLE", Message: "The service that provisions " + urn + " did not answer; retry later", Type: "error"})
}

// identityFailed records an identity failure: its messages go to the core or the enterprise
// extension by their schemaPath, and what else the operation sent is not processed.
func (s *Server) identityFailed(op *operation, err error) {
	se, ok := err.(*scimError)
	if !ok {
		se = newSCIMError(http.StatusInternalServerError, "", err.Error())
	}
	code := fmt.Sprint(se.Status)
	msgs := map[string][]scimMessage{}
	for _, m := range se.Messages {
		urn := schemaUser
		if strings.HasPrefix(m.SchemaPath, schemaEnterprise) {
			urn = schemaEnterprise
		}
		msgs[urn] = append(msgs[urn], m)
	}
	if len(se.Messages) == 0 {
		urn := schemaUser
		if strings.Contains(se.Detail, "employeeNumber") || strings.Contains(se.Detail, "externalId") {
			urn = schemaEnterprise
		}
		msgCode := strings.ToUpper(se.ScimType)
		if msgCode == "" {
			msgCode = strings.ToUpper(strings.ReplaceAll(http.StatusText(se.Status), " ", "_"))
		}
		msgs[urn] = []scimMessage{{Code: msgCode, Message: se.Detail, Type: "error"}}
	}
	for _, urn := range []string{schemaUser, schemaEnterprise} {
		if len(msgs[urn]) > 0 {
			op.results[urn] = extensionStatus{result: "error", code: code, messages: msgs[urn]}
		} else {
			op.results[urn] = extensionStatus{result: "not-processed"}
		}
	}
	for _, x := range upsExtensions {
		if op.sends(x.urn) {
			op.results[x.urn] = extensionStatus{result: "not-processed"}
		} else {
			op.results[x.urn] = extensionStatus{result: "no-op", code: "200"}
		}
	}
	op.done = true
}

// runExtensionsLocked provisions each extension of an operation whose identity was saved. An
// extension that fails reports its error; the identity and the other extensions stay saved.
func (s *Server) runExtensionsLocked(op *operation) {
	defer func() { op.done = true }()
	if op.method == "DELETE" {
		for _, x := range upsExtensions {
			op.results[x.urn] = extensionStatus{result: "no-op", code: "200"}
		}
		return
	}
	user, ok := s.users.get(op.userID)
	if !ok { // deleted since its identity was saved
		for _, x := range upsExtensions {
			op.results[x.urn] = extensionStatus{result: "not-processed"}
		}
		return
	}
	for _, x := range upsExtensions {
		if !op.sends(x.urn) {
			op.results[x.urn] = extensionStatus{result: "no-op", code: "200"}
			continue
		}
		if s.ups.failing(x.urn, user.Enterprise.EmployeeNumber) {
			e := injectedFailure(x.urn)
			op.results[x.urn] = extensionStatus{result: "error", code: "503", messages: e.Messages}
			continue
		}
		op.results[x.urn] = s.provisionExtensionLocked(x, op, user)
	}
}

// provisionExtensionLocked writes one extension: the object sent, or the stored one with the
// PATCH operations applied, decoded and checked as a whole.
func (s *Server) provisionExtensionLocked(x upsExtension, op *operation, user *UserRecord) extensionStatus {
	old, ok := s.ups.profiles[user.ID]
	if !ok {
		old = &spendProfile{userID: user.ID, approvers: map[string][]spendApprover{}, opaque: map[string]map[string]any{}}
	}
	doc, given := op.extObjects[x.urn]
	if given {
		doc, _ = deepCopy(doc).(map[string]any)
	} else {
		var err error
		if doc, err = applyExtensionPatch(x, s.extensionDocument(old, x.urn), op.extOps[x.urn]); err != nil {
			se, _ := err.(*scimError)
			return extensionStatus{result: "error", code: fmt.Sprint(se.Status),
				messages: []scimMessage{{Code: "INVALID_PATH", Message: se.Detail, SchemaPath: x.urn, Type: "error"}}}
		}
	}
	next := old.clone()
	if msgs := s.applyExtension(next, x.urn, doc, user); len(msgs) > 0 {
		return extensionStatus{result: "error", code: "400", messages: msgs}
	}
	if reflect.DeepEqual(stripTime(old), stripTime(next)) {
		return extensionStatus{result: "no-op", code: "200"}
	}
	s.ups.storeLocked(next)
	return extensionStatus{result: "success", code: "200"}
}

func stripTime(p *spendProfile) spendProfile {
	c := *p
	c.lastModified = time.Time{}
	return c
}

// extensionDocument is an extension's stored value as a PATCH sees it.
func (s *Server) extensionDocument(p *spendProfile, urn string) map[string]any {
	switch urn {
	case schemaSpendUser:
		if p.user == nil {
			return map[string]any{}
		}
		doc := p.user.render()
		delete(doc, "biManager")
		return doc
	case schemaSpendRole:
		return renderRoles(p.roles, nil, false)
	case schemaSpendApprover:
		return renderApprovers(p.approvers)
	case schemaTravelUser:
		if p.travel == nil {
			return map[string]any{}
		}
		return p.travel.render(s.users.managerInfo)
	default:
		doc, _ := deepCopy(p.opaque[urn]).(map[string]any)
		if doc == nil {
			doc = map[string]any{}
		}
		return doc
	}
}

// applyExtension decodes doc as the extension urn and sets it on p, or returns why it cannot.
func (s *Server) applyExtension(p *spendProfile, urn string, doc map[string]any, user *UserRecord) []scimMessage {
	switch urn {
	case schemaSpendUser:
		u, msgs := decodeSpendUser(doc, p.user)
		if len(msgs) > 0 {
			return msgs
		}
		p.user = u
	case schemaSpendRole, schemaSpendApprover:
		if p.user == nil {
			return []scimMessage{{Code: "REQUIRED_VALUE", SchemaPath: schemaSpendUser, Type: "error",
				Message: "Provision the spend user (" + schemaSpendUser + " with reimbursementCurrency, country and locale) before " + urn}}
		}
		if urn == schemaSpendRole {
			roles, msgs := decodeRoles(doc, user.Entitlements)
			if len(msgs) > 0 {
				return msgs
			}
			p.roles = roles
			return nil
		}
		refs, msgs := decodeApprovers(doc)
		if len(msgs) > 0 {
			return msgs
		}
		approvers, msgs := s.resolveApproversLocked(refs)
		if len(msgs) > 0 {
			return msgs
		}
		p.approvers = approvers
	case schemaTravelUser:
		t, manager, msgs := decodeTravel(doc)
		if manager != nil {
			m, msg := s.resolveUser(*manager)
			switch {
			case msg != nil:
				msgs = append(msgs, *msg)
			case m.ID == user.ID:
				msgs = append(msgs, invalidValue(manager.path, "A user cannot be their own travel approver"))
			default:
				t.ManagerID = m.ID
			}
		}
		if len(msgs) > 0 {
			return msgs
		}
		p.travel = t
	default:
		p.opaque[urn] = doc
	}
	return nil
}

// resolveUser finds the user a reference names by UUID or employee number (both must agree).
func (s *Server) resolveUser(ref approverRef) (*UserRecord, *scimMessage) {
	var byID, byEmp *UserRecord
	if ref.value != "" {
		u, ok := s.users.get(ref.value)
		if !ok {
			msg := invalidValue(ref.path+".value", fmt.Sprintf("User %q is not a user of this company", ref.value))
			return nil, &msg
		}
		byID = u
	}
	if ref.employeeNumber != "" {
		u, ok := s.users.getByEmployeeNumber(ref.employeeNumber)
		if !ok {
			msg := invalidValue(ref.path+".employeeNumber", fmt.Sprintf("No user has employeeNumber %q", ref.employeeNumber))
			return nil, &msg
		}
		byEmp = u
	}
	if byID != nil && byEmp != nil && byID != byEmp {
		msg := invalidValue(ref.path, fmt.Sprintf("value %q and employeeNumber %q name different users", ref.value, ref.employeeNumber))
		return nil, &msg
	}
	if byID != nil {
		return byID, nil
	}
	return byEmp, nil
}

// resolveApproversLocked turns references into users and checks that each approver holds the
// spend role its approval type needs.
func (s *Server) resolveApproversLocked(refs map[string][]approverRef) (map[string][]spendApprover, []scimMessage) {
	out := map[string][]spendApprover{}
	var msgs []scimMessage
	for _, kind := range approvalTypes {
		for _, ref := range refs[kind] {
			u, msg := s.resolveUser(ref)
			if msg != nil {
				msgs = append(msgs, *msg)
				continue
			}
			role := approverRoles[kind]
			if !s.holdsRoleLocked(u.ID, role) {
				msgs = append(msgs, scimMessage{Code: "INVALID_VALUE", SchemaPath: ref.path, Type: "error",
					Message: fmt.Sprintf("User %s (employeeNumber %q) cannot be a %s approver: they lack the spend role %s",
						u.ID, u.Enterprise.EmployeeNumber, kind, role)})
				continue
			}
			out[kind] = append(out[kind], spendApprover{UserID: u.ID, Primary: ref.primary})
		}
	}
	return out, msgs
}

func (s *Server) holdsRoleLocked(userID, role string) bool {
	p, ok := s.ups.profiles[userID]
	return ok && slices.ContainsFunc(p.roles, func(r spendRole) bool { return r.Name == role })
}

// checkUPSScopes is the scope rule of a UPS write: user.provision.write always, and
// spend.user.general.writeonly when any operation carries spend data. The identity's own scopes
// are checked when its part runs.
func checkUPSScopes(r *http.Request, ops ...*operation) error {
	g := grantFrom(r.Context())
	if !g.has(scopeProvisionWrite) {
		return insufficientScope(r, scopeProvisionWrite, "")
	}
	for _, op := range ops {
		if op.sendsSpend() && !g.has(scopeSpendWrite) {
			return insufficientScope(r, scopeSpendWrite, "")
		}
	}
	return nil
}

// handleUPSUser serves POST /profile/v4/Users and PUT and PATCH /profile/v4/Users/{id}: the
// identity is written now and answered as the Identity API would, with the provision request's
// id and status URL in meta; the extensions follow in that provision request.
func (s *Server) handleUPSUser(w http.ResponseWriter, r *http.Request) {
	var op *operation
	var err error
	switch r.Method {
	case http.MethodPatch:
		var req patchRequest
		if req, err = readPatchRequest(r); err != nil {
			writeErr(w, err)
			return
		}
		op, err = newPatchOperation(pathID(r), req.Operations)
	default:
		var doc map[string]any
		if err := readJSON(r, &doc); err != nil {
			writeErr(w, err)
			return
		}
		if !hasCoreSchema(doc) {
			writeErr(w, newSCIMError(http.StatusBadRequest, "invalidSyntax", "'schemas' must include "+schemaUser, requiredValue("schemas")))
			return
		}
		op, err = newUserOperation(r.Method, pathID(r), doc)
	}
	if err == nil {
		err = checkUPSScopes(r, op)
	}
	if err != nil {
		writeErr(w, err)
		return
	}
	op.index, op.bulkID = 1, singleUserBulkID

	s.ups.mu.Lock()
	user, err := s.runIdentityLocked(r, s.baseURL(r), op)
	if err != nil {
		s.ups.mu.Unlock()
		writeErr(w, err)
		return
	}
	p := s.submitLocked(r, w, "User", []*operation{op})
	s.ups.mu.Unlock()

	if fresh, ok := s.users.get(user.ID); ok {
		user = fresh
	}
	doc := s.renderUser(user, r)
	meta, _ := doc["meta"].(map[string]any)
	meta["provisionId"] = p.id
	meta["statusUrl"] = p.location()
	status := http.StatusOK
	if r.Method == http.MethodPost {
		status = http.StatusCreated
	}
	writeJSON(w, status, doc)
}

// handleUPSDelete is DELETE /profile/v4/Users/{id}: the user and its spend and travel profiles
// go; 204 without a provision request, as the UPS OpenAPI documents.
func (s *Server) handleUPSDelete(w http.ResponseWriter, r *http.Request) {
	op := &operation{method: "DELETE", userID: pathID(r)}
	if err := checkUPSScopes(r, op); err != nil {
		writeErr(w, err)
		return
	}
	s.ups.mu.Lock()
	_, err := s.writeIdentity(r, s.baseURL(r), op)
	s.ups.mu.Unlock()
	if err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
