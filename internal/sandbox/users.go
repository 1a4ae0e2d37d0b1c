package sandbox

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
)

const maxBodyBytes = 1 << 20

// readJSON decodes a request body; malformed JSON is 400 invalidSyntax.
func readJSON(r *http.Request, v any) *scimError {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return newSCIMError(http.StatusBadRequest, "invalidSyntax", "Could not read request body")
	}
	if len(body) > maxBodyBytes {
		return newSCIMError(http.StatusRequestEntityTooLarge, "tooLarge", "Request body too large")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return newSCIMError(http.StatusBadRequest, "invalidSyntax", "Request body is not valid JSON: "+err.Error())
	}
	return nil
}

func writeErr(w http.ResponseWriter, err error) {
	var se *scimError
	if errors.As(err, &se) {
		writeSCIMError(w, se)
		return
	}
	writeSCIMError(w, newSCIMError(http.StatusInternalServerError, "", err.Error()))
}

// renderUser is the full API representation, with the manager's read-only fields.
func (s *Server) renderUser(u *UserRecord, r *http.Request) map[string]any {
	return u.render(s.baseURL(r), s.users.managerInfo)
}

// hasCoreSchema checks the schemas list of a create/replace body.
func hasCoreSchema(doc map[string]any) bool {
	list, _ := doc["schemas"].([]any)
	for _, v := range list {
		if s, _ := v.(string); strings.EqualFold(s, schemaUser) {
			return true
		}
	}
	return false
}

// userFromBody decodes and validates a create or replace body.
func userFromBody(r *http.Request) (*UserRecord, error) {
	var doc map[string]any
	if err := readJSON(r, &doc); err != nil {
		return nil, err
	}
	if doc == nil {
		return nil, newSCIMError(http.StatusBadRequest, "invalidSyntax", "Request body must be a User object")
	}
	if !hasCoreSchema(doc) {
		return nil, newSCIMError(http.StatusBadRequest, "invalidSyntax", "'schemas' must include "+schemaUser,
			requiredValue("schemas"))
	}
	return recordFromDocument(doc)
}

// recordFromDocument decodes a document and checks every rule that needs only the
// user itself, applying Concur's defaults first.
func recordFromDocument(doc map[string]any) (*UserRecord, error) {
	u, msgs := decodeUser(doc)
	applyDefaults(u)
	msgs = append(msgs, validateUser(u)...)
	if len(msgs) > 0 {
		return nil, newSCIMError(http.StatusBadRequest, "invalidValue", "Request validation failed", msgs...)
	}
	return u, nil
}

// handleCreate is POST /Users. Identity answers 200 (not 201) with the new user.
func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request) {
	u, err := userFromBody(r)
	if err != nil {
		writeErr(w, err)
		return
	}
	u.ID = "" // id is read-only: always server-assigned
	if err := checkWriteScopes(r, nil, u); err != nil {
		writeErr(w, err)
		return
	}
	created, err := s.users.create(u)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.renderUser(created, r))
}

func (s *Server) handleGet(w http.ResponseWriter, r *http.Request) {
	u, ok := s.users.get(pathID(r))
	if !ok {
		writeErr(w, errNotFound(pathID(r)))
		return
	}
	q := r.URL.Query()
	writeJSON(w, http.StatusOK, project(u, s.renderUser(u, r), splitList(q.Get("attributes")), splitList(q.Get("excludedAttributes"))))
}

// handleReplace is PUT /Users/{id}: a full replace; what the body leaves out is reset.
func (s *Server) handleReplace(w http.ResponseWriter, r *http.Request) {
	u, err := userFromBody(r)
	if err != nil {
		writeErr(w, err)
		return
	}
	updated, err := s.users.update(pathID(r), func(old *UserRecord) (*UserRecord, error) {
		if err := checkWriteScopes(r, old, u); err != nil {
			return nil, err
		}
		return u, nil
	})
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.renderUser(updated, r))
}

// handlePatch is PATCH /Users/{id}: the operations are applied to the user's current
// representation, which is then decoded and validated like a PUT body.
func (s *Server) handlePatch(w http.ResponseWriter, r *http.Request) {
	req, err := readPatchRequest(r)
	if err != nil {
		writeErr(w, err)
		return
	}
	base := s.baseURL(r)
	updated, err := s.users.update(pathID(r), func(old *UserRecord) (*UserRecord, error) {
		return s.patchedLocked(r, old, base, req.Operations)
	})
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.renderUser(updated, r))
}

// handleDelete is the hard DELETE: 204, or 404 for an unknown id; it needs the delete scope.
func (s *Server) handleDelete(w http.ResponseWriter, r *http.Request) {
	if !grantFrom(r.Context()).has(scopeDelete) {
		writeErr(w, insufficientScope(r, scopeDelete, ""))
		return
	}
	if !s.users.delete(pathID(r)) {
		writeErr(w, errNotFound(pathID(r)))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// project applies `attributes` / `excludedAttributes` to a rendered user. id is always
// returned; entitlements (request-only) only when asked for.
func project(u *UserRecord, doc map[string]any, attributes, excluded []string) map[string]any {
	if len(attributes) > 0 {
		out := map[string]any{"id": doc["id"]}
		for _, a := range attributes {
			if strings.EqualFold(a, "entitlements") {
				out["entitlements"] = u.entitlementsJSON()
				continue
			}
			copyAttribute(doc, out, a)
		}
		return out
	}
	for _, a := range excluded {
		if !strings.EqualFold(a, "id") {
			removeAttribute(doc, a)
		}
	}
	return doc
}

// splitAttribute turns "name.givenName" or "urn:...:User:employeeNumber" into the
// key of the object holding it ("" for the document itself) and the attribute path.
func splitAttribute(a string) (container string, parts []string) {
	for _, urn := range []string{schemaEnterprise, schemaSAP, schemaUser} {
		if len(a) >= len(urn) && strings.EqualFold(a[:len(urn)], urn) {
			rest := strings.TrimPrefix(a[len(urn):], ":")
			if urn == schemaUser {
				urn = ""
			}
			if rest == "" {
				return "", []string{urn}
			}
			return urn, strings.Split(rest, ".")
		}
	}
	return "", strings.Split(a, ".")
}

func copyAttribute(from, to map[string]any, a string) {
	container, parts := splitAttribute(a)
	src, dst := from, to
	if container != "" {
		ext, ok := from[container].(map[string]any)
		if !ok {
			return
		}
		src = ext
		sub, _ := to[container].(map[string]any)
		if sub == nil {
			sub = map[string]any{}
			to[container] = sub
		}
		dst = sub
	}
	for i, p := range parts {
		key, v, ok := findFold(src, p)
		if !ok {
			return
		}
		if i == len(parts)-1 {
			dst[key] = v
			return
		}
		next, ok := v.(map[string]any)
		if !ok {
			dst[key] = v // sub-attribute of a multi-valued attribute: return it whole
			return
		}
		d, _ := dst[key].(map[string]any)
		if d == nil {
			d = map[string]any{}
			dst[key] = d
		}
		src, dst = next, d
	}
}

func removeAttribute(doc map[string]any, a string) {
	container, parts := splitAttribute(a)
	m := doc
	if container != "" {
		ext, ok := doc[container].(map[string]any)
		if !ok {
			return
		}
		m = ext
	}
	for i, p := range parts {
		key, v, ok := findFold(m, p)
		if !ok {
			return
		}
		if i == len(parts)-1 {
			delete(m, key)
			return
		}
		if m, ok = v.(map[string]any); !ok {
			return
		}
	}
}

func findFold(m map[string]any, name string) (string, any, bool) {
	if v, ok := m[name]; ok {
		return name, v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return k, v, true
		}
	}
	return "", nil, false
}

// patchedLocked is the user old with a PatchOp's operations applied, checked as every identity
// write is (the record's rules, the request's write scopes); the store's lock is held.
func (s *Server) patchedLocked(r *http.Request, old *UserRecord, base string, ops []patchOp) (*UserRecord, error) {
	doc := old.render(base, s.users.managerInfoLocked)
	if err := applyPatch(doc, ops); err != nil {
		return nil, err
	}
	u, err := recordFromDocument(doc)
	if err != nil {
		return nil, err
	}
	if err := checkWriteScopes(r, old, u); err != nil {
		return nil, err
	}
	return u, nil
}

// readPatchRequest reads a PatchOp body, which must name the PatchOp schema.
func readPatchRequest(r *http.Request) (patchRequest, error) {
	var req patchRequest
	if err := readJSON(r, &req); err != nil {
		return req, err
	}
	if !slices.Contains(req.Schemas, schemaPatchOp) {
		return req, newSCIMError(http.StatusBadRequest, "invalidSyntax", "'schemas' must be ["+schemaPatchOp+"]")
	}
	return req, nil
}
