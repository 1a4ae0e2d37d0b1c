package concur

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
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

	// Scope is the scope a 403's WWW-Authenticate challenge names (RFC 6750), when it names one.
	Scope string
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

// IsConflict reports whether err is a uniqueness conflict (409), e.g. a duplicate employeeNumber:
// the answer to a request, or the status Concur reports for one operation of a provision.
func IsConflict(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode == http.StatusConflict
	}
	var opErr *OperationError
	return errors.As(err, &opErr) && opErr.Code == strconv.Itoa(http.StatusConflict)
}

// LacksScope reports whether err is a *ScopeError whose call Concur refused for want of scope
// first: the one Concur named, or else the first the call needs.
func LacksScope(err error, scope string) bool {
	var scopeErr *ScopeError
	return errors.As(err, &scopeErr) && len(scopeErr.Scopes) > 0 && scopeErr.Scopes[0] == scope
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

	// Travel v4 reads
	ErrorCode    string `json:"errorCode"`
	ErrorMessage string `json:"errorMessage"`
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
	if parsed.ErrorCode != "" || parsed.ErrorMessage != "" {
		e.Messages = append(e.Messages, Message{Code: parsed.ErrorCode, Text: parsed.ErrorMessage, Type: "error"})
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

// ScopeError is a 403 from an endpoint whose use needs scopes the Concur app may not have been
// granted. Scopes lists what the call needed (the one Concur named first, when it named one).
type ScopeError struct {
	Scopes []string
	Err    *APIError
}

func (e *ScopeError) Error() string {
	return fmt.Sprintf("%v: the Concur app's token lacks a scope this call needs (%s); ask your SAP Concur representative "+
		"to grant the app %s, then run again", e.Err, strings.Join(e.Scopes, ", "), plural(len(e.Scopes), "that scope", "those scopes"))
}

func (e *ScopeError) Unwrap() error { return e.Err }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// asScopeError turns a 403 into a *ScopeError naming the scopes the call needs; other errors are
// returned as they are.
func asScopeError(err error, scopes []string) error {
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusForbidden {
		return err
	}
	if apiErr.Scope != "" {
		scopes = append([]string{apiErr.Scope}, slices.DeleteFunc(slices.Clone(scopes), func(s string) bool { return s == apiErr.Scope })...)
	}
	return &ScopeError{Scopes: scopes, Err: apiErr}
}

// challengedScope is the scope parameter of a Bearer challenge, such as
// `Bearer error="insufficient_scope", scope="user.provision.write"`.
func challengedScope(header http.Header) string {
	for _, challenge := range header.Values("WWW-Authenticate") {
		_, params, found := strings.Cut(challenge, " ")
		if !found {
			continue
		}
		for _, param := range strings.Split(params, ",") {
			name, value, _ := strings.Cut(strings.TrimSpace(param), "=")
			if strings.EqualFold(name, "scope") {
				return strings.Trim(value, `"`)
			}
		}
	}
	return ""
}
