package concur

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// APIError is a non-success answer from Concur: a SCIM error from the Identity API or an
// OAuth2 error from the token endpoint.
type APIError struct {
	StatusCode   int
	Method, Path string // the failed call; Path never carries a query string

	ScimType, Detail string
	Messages         []Message // from the urn:ietf:params:scim:api:messages:concur:2.0:Error extension

	OAuthError, OAuthDescription string
	OAuthCode                    int
}

// Message is one entry of Concur's error extension.
type Message struct{ Code, Text, SchemaPath, Type string }

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "concur: %s %s: %d %s", e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode))
	if e.OAuthError != "" {
		fmt.Fprintf(&b, ": %s", e.OAuthError)
		if e.OAuthCode != 0 {
			fmt.Fprintf(&b, " (code %d)", e.OAuthCode)
		}
		if e.OAuthDescription != "" {
			fmt.Fprintf(&b, ": %s", e.OAuthDescription)
		}
	}
	if e.ScimType != "" {
		fmt.Fprintf(&b, ": %s", e.ScimType)
	}
	if e.Detail != "" {
		fmt.Fprintf(&b, ": %s", e.Detail)
	}
	for _, m := range e.Messages {
		fmt.Fprintf(&b, "; %s", m.Text)
		if m.SchemaPath != "" {
			fmt.Fprintf(&b, " (%s)", m.SchemaPath)
		}
	}
	return b.String()
}

// errNotFound marks lookups that matched nothing without the server answering 404
// (an empty search result).
var errNotFound = errors.New("not found")

// IsNotFound reports whether err means the user does not exist: a 404 or an empty lookup.
func IsNotFound(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode == http.StatusNotFound
	}
	return errors.Is(err, errNotFound)
}

// IsConflict reports whether err is a uniqueness conflict (409), e.g. a duplicate employeeNumber.
func IsConflict(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusConflict
}

// errorBody covers both error shapes Concur uses, so one decode serves every endpoint.
type errorBody struct {
	// SCIM (Identity)
	ScimType string `json:"scimType"`
	Detail   string `json:"detail"`
	Concur   *struct {
		Messages []struct {
			Code       string `json:"code"`
			Message    string `json:"message"`
			SchemaPath string `json:"schemaPath"`
			Type       string `json:"type"`
		} `json:"messages"`
	} `json:"urn:ietf:params:scim:api:messages:concur:2.0:Error"`

	// OAuth2 (token endpoint); code is documented both as a number and as a string.
	Error            string      `json:"error"`
	ErrorDescription string      `json:"error_description"`
	Code             json.Number `json:"code"`
}

func newAPIError(method, path string, status int, body []byte) *APIError {
	e := &APIError{StatusCode: status, Method: method, Path: path}
	var parsed errorBody
	if json.Unmarshal(body, &parsed) != nil {
		// Gateways answer 502/503 with HTML or plain text; a short excerpt still helps, except
		// from the token endpoint, where a misbehaving proxy could echo the form and its secrets.
		if path != tokenPath {
			e.Detail = excerpt(body)
		}
		return e
	}
	e.ScimType, e.Detail = parsed.ScimType, parsed.Detail
	if parsed.Concur != nil {
		for _, m := range parsed.Concur.Messages {
			e.Messages = append(e.Messages, Message{Code: m.Code, Text: m.Message, SchemaPath: m.SchemaPath, Type: m.Type})
		}
	}
	e.OAuthError, e.OAuthDescription = parsed.Error, parsed.ErrorDescription
	if code, err := parsed.Code.Int64(); err == nil {
		e.OAuthCode = int(code)
	}
	return e
}

func excerpt(body []byte) string {
	const limit = 200
	s := strings.TrimSpace(string(body))
	if len(s) > limit {
		s = s[:limit] + "…"
	}
	return s
}
