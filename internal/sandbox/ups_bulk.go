package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
)

// The documented limits of one /Bulk request.
const (
	maxBulkOperations = 100
	maxBulkBytes      = 400 * 1024
	schemaBulkRequest = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
)

type bulkRequest struct {
	Schemas    []string        `json:"schemas"`
	Operations []bulkOperation `json:"Operations"`
}

type bulkOperation struct {
	Method string          `json:"method"`
	Path   string          `json:"path"`
	BulkID string          `json:"bulkId"`
	Data   json.RawMessage `json:"data"`
}

// handleBulk is POST /profile/v4/Bulk: the request is checked as a whole (its limits, each
// operation's method, path, bulkId and data) and answered 202 with the provision status; the
// operations run once the provision delay has passed. failOnErrors is accepted and ignored:
// Concur does not describe it, and every operation is reported on its own.
func (s *Server) handleBulk(w http.ResponseWriter, r *http.Request) {
	if !grantFrom(r.Context()).has(scopeProvisionWrite) {
		writeErr(w, insufficientScope(r, scopeProvisionWrite, ""))
		return
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBulkBytes+1))
	if err != nil {
		writeErr(w, newSCIMError(http.StatusBadRequest, "invalidSyntax", "Could not read request body"))
		return
	}
	if len(raw) > maxBulkBytes {
		writeErr(w, newSCIMError(http.StatusRequestEntityTooLarge, "tooLarge",
			fmt.Sprintf("A bulk request is limited to %d KB (maxPayloadSize %d bytes); split it into smaller requests", maxBulkBytes/1024, maxBulkBytes)))
		return
	}
	var req bulkRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		writeErr(w, newSCIMError(http.StatusBadRequest, "invalidSyntax", "Request body is not a BulkRequest: "+err.Error()))
		return
	}
	if !slices.Contains(req.Schemas, schemaBulkRequest) {
		writeErr(w, newSCIMError(http.StatusBadRequest, "invalidSyntax", "'schemas' must include "+schemaBulkRequest, requiredValue("schemas")))
		return
	}
	switch n := len(req.Operations); {
	case n == 0:
		writeErr(w, newSCIMError(http.StatusBadRequest, "invalidValue", "A bulk request needs at least one operation", requiredValue("Operations")))
		return
	case n > maxBulkOperations:
		writeErr(w, newSCIMError(http.StatusRequestEntityTooLarge, "tooMany",
			fmt.Sprintf("A bulk request is limited to %d operations (maxOperations); this one has %d: split it", maxBulkOperations, n)))
		return
	}
	ops := make([]*operation, 0, len(req.Operations))
	bulkIDs := map[string]bool{}
	for i, bo := range req.Operations {
		op, err := bo.operation()
		if err == nil && bo.BulkID != "" && bulkIDs[bo.BulkID] {
			err = fmt.Errorf("bulkId %q is used twice; it must be unique within the request", bo.BulkID)
		}
		if err != nil {
			writeErr(w, newSCIMError(http.StatusBadRequest, "invalidValue", fmt.Sprintf("Operations[%d]: %v", i, describe(err)),
				invalidValue(fmt.Sprintf("Operations[%d]", i), err.Error())))
			return
		}
		bulkIDs[bo.BulkID] = true
		op.index, op.bulkID = i+1, bo.BulkID
		ops = append(ops, op)
	}
	if err := checkUPSScopes(r, ops...); err != nil {
		writeErr(w, err)
		return
	}
	s.ups.mu.Lock()
	p := s.submitLocked(r, w, "Bulk", ops)
	body := p.statusBody()
	s.ups.mu.Unlock()
	writeJSON(w, http.StatusAccepted, body)
}

// operation checks one bulk operation as the UPS reference describes it: POST /Users with a
// bulkId, PUT /Users/{id} with the same id in data.id, PATCH /Users/{id} with a PatchOp as data,
// DELETE /Users/{id} without data.
func (bo bulkOperation) operation() (*operation, error) {
	method := strings.ToUpper(bo.Method)
	path := strings.TrimSuffix(bo.Path, "/")
	id, hasID := strings.CutPrefix(path, "/Users/")
	if !hasID && path != "/Users" {
		return nil, fmt.Errorf("path %q: use /Users or /Users/{id}", bo.Path)
	}
	var data map[string]any
	if method != "DELETE" && method != "PATCH" {
		if err := json.Unmarshal(bo.Data, &data); err != nil || data == nil {
			return nil, fmt.Errorf("%s needs a User object as data", method)
		}
	}
	switch method {
	case "POST":
		if hasID {
			return nil, fmt.Errorf("POST goes to /Users, not %q", bo.Path)
		}
		if bo.BulkID == "" {
			return nil, fmt.Errorf("POST needs a bulkId")
		}
		return newUserOperation(method, "", data)
	case "PUT":
		if !hasID || id == "" {
			return nil, fmt.Errorf("PUT needs the user id in its path, /Users/{id}")
		}
		if dataID, _ := data["id"].(string); dataID != id {
			return nil, fmt.Errorf("PUT needs data.id equal to the id of its path (%q), not %q", id, dataID)
		}
		return newUserOperation(method, id, data)
	case "PATCH":
		if !hasID || id == "" {
			return nil, fmt.Errorf("PATCH needs the user id in its path, /Users/{id}")
		}
		var patch patchRequest
		if err := json.Unmarshal(bo.Data, &patch); err != nil {
			return nil, fmt.Errorf("PATCH needs a PatchOp as data: %v", err)
		}
		return newPatchOperation(id, patch.Operations)
	case "DELETE":
		if !hasID || id == "" {
			return nil, fmt.Errorf("DELETE needs the user id in its path, /Users/{id}")
		}
		return &operation{method: method, userID: id}, nil
	default:
		return nil, fmt.Errorf("method %q: use POST, PUT, PATCH or DELETE", bo.Method)
	}
}
