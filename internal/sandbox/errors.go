package sandbox

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// Schema URNs used in request and response bodies.
const (
	schemaUser          = "urn:ietf:params:scim:schemas:core:2.0:User"
	schemaEnterprise    = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	schemaSAP           = "urn:ietf:params:scim:schemas:extension:sap:2.0:User"
	schemaError         = "urn:ietf:params:scim:api:messages:2.0:Error"
	schemaConcurError   = "urn:ietf:params:scim:api:messages:concur:2.0:Error"
	schemaListResponse  = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	schemaSearchRequest = "urn:ietf:params:scim:api:messages:concur:2.0:SearchRequest"
	schemaPatchOp       = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
)

// scimMessage is one entry of the Concur error extension's messages array.
type scimMessage struct {
	Code       string `json:"code"`
	Message    string `json:"message"`
	SchemaPath string `json:"schemaPath,omitempty"`
	Type       string `json:"type"`
}

// scimError is an Identity API failure. It is both a Go error (so the store and the
// validators can return it) and the body written to the client.
type scimError struct {
	Status   int
	ScimType string
	Detail   string
	Messages []scimMessage
	// Scope is the scope a 403 lacks, named in WWW-Authenticate as RFC 6750 §3 has it.
	Scope string
}

func (e *scimError) Error() string {
	return strconv.Itoa(e.Status) + " " + e.ScimType + ": " + e.Detail
}

func newSCIMError(status int, scimType, detail string, msgs ...scimMessage) *scimError {
	return &scimError{Status: status, ScimType: scimType, Detail: detail, Messages: msgs}
}

// invalidValue builds the 400 Concur answers for a field that breaks a rule; the
// schemaPath names the field so a client can point at it.
func invalidValue(schemaPath, message string) scimMessage {
	return scimMessage{Code: "INVALID_VALUE", Message: message, SchemaPath: schemaPath, Type: "error"}
}

func requiredValue(schemaPath string) scimMessage {
	return scimMessage{Code: "REQUIRED_VALUE", Message: "'" + schemaPath + "' is required", SchemaPath: schemaPath, Type: "error"}
}

func (e *scimError) body() map[string]any {
	b := map[string]any{
		"schemas": []string{schemaError, schemaConcurError},
		"status":  strconv.Itoa(e.Status),
		"detail":  e.Detail,
	}
	if e.ScimType != "" {
		b["scimType"] = e.ScimType
	}
	if len(e.Messages) > 0 {
		b[schemaConcurError] = map[string]any{"messages": e.Messages}
	}
	return b
}

func writeSCIMError(w http.ResponseWriter, e *scimError) {
	if e.Scope != "" {
		w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_scope", scope="`+e.Scope+`"`)
	}
	writeJSON(w, e.Status, e.body())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// oauthError is the token endpoint's error body: {"code":..,"error":..,"error_description":..}.
type oauthError struct {
	Status      int
	Code        int
	Error       string
	Description string
}

func writeOAuthError(w http.ResponseWriter, geolocation string, e oauthError) {
	writeJSON(w, e.Status, map[string]any{
		"code":              e.Code,
		"error":             e.Error,
		"error_description": e.Description,
		"geolocation":       geolocation,
	})
}
