package concur

import (
	"fmt"
	"strings"
	"testing"
)

func TestAPIErrorFromSCIMBody(t *testing.T) {
	body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error","urn:ietf:params:scim:api:messages:concur:2.0:Error"],
	  "status":"400","scimType":"invalidValue","detail":"Request validation failed",
	  "urn:ietf:params:scim:api:messages:concur:2.0:Error":{"messages":[{"code":"INVALID_VALUE","message":"Invalid 'name.givenName' Size","schemaPath":"name.givenName","type":"error"}]}}`
	err := newAPIError("POST", usersPath, 400, []byte(body))
	if err.ScimType != "invalidValue" || err.Detail != "Request validation failed" || len(err.Messages) != 1 || err.Messages[0].SchemaPath != "name.givenName" {
		t.Fatalf("parsed %+v", err)
	}
	want := `concur: POST /profile/identity/v4.1/Users: 400 Bad Request: invalidValue: Request validation failed; Invalid 'name.givenName' Size (name.givenName)`
	if err.Error() != want {
		t.Errorf("Error():\n got %s\nwant %s", err.Error(), want)
	}
}

func TestAPIErrorFromOAuthBodyWithCodeAsNumberOrString(t *testing.T) {
	for _, code := range []string{`108`, `"108"`} {
		err := newAPIError("POST", tokenPath, 400, []byte(`{"error":"invalid_grant","error_description":"bad refresh token","code":`+code+`}`))
		if err.OAuthError != "invalid_grant" || err.OAuthCode != 108 {
			t.Errorf("code %s: parsed %+v", code, err)
		}
		if !strings.Contains(err.Error(), "invalid_grant (code 108): bad refresh token") {
			t.Errorf("Error() = %s", err.Error())
		}
	}
}

func TestAPIErrorFromNonJSONBody(t *testing.T) {
	err := newAPIError("GET", usersPath, 502, []byte("<html>Bad Gateway</html>"))
	if !strings.Contains(err.Error(), "502 Bad Gateway: <html>Bad Gateway</html>") {
		t.Errorf("Error() = %s", err.Error())
	}
}

func TestIsNotFoundAndIsConflictSeeThroughWrapping(t *testing.T) {
	notFound := fmt.Errorf("reading: %w", &APIError{StatusCode: 404})
	conflict := fmt.Errorf("creating: %w", &APIError{StatusCode: 409})
	emptySearch := fmt.Errorf("no user: %w", errNotFound)
	if !IsNotFound(notFound) || !IsNotFound(emptySearch) || IsNotFound(conflict) {
		t.Error("IsNotFound misclassifies")
	}
	if !IsConflict(conflict) || IsConflict(notFound) || IsConflict(emptySearch) {
		t.Error("IsConflict misclassifies")
	}
}
