package provider

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
)

// The documented scopes of what the provider does (reference §2.2), named when Concur refuses
// an operation without saying which scope it lacks.
const (
	scopeUserDelete = "identity.user.delete"
	scopeUserWrite  = "identity.user.coreenterprise.writeonly"
)

var scopesUserRead = []string{"identity.user.ids.read", "identity.user.core.read", "identity.user.enterprise.read"}

// identityScopes are the Identity API's scopes, looked for in a 403's answer.
var identityScopes = []string{
	"identity.user.ids.read", "identity.user.core.read", "identity.user.coresensitive.read",
	"identity.user.enterprise.read", "identity.user.sap.read", scopeUserWrite,
	"identity.user.externalID.writeonly", "identity.user.emails.verified.writeonly",
	"identity.user.sap.writeonly", scopeUserDelete,
}

// concurAdvice says what to do about a failed Concur call, from Concur's answer, as a paragraph
// to append to the error's message: "" when err carries no answer (a network or certificate
// failure says what to do by itself). scopes are the documented scopes of the operation,
// named for a 403 whose answer names none.
func concurAdvice(err error, scopes ...string) string {
	if advice := adviceFor(err, scopes); advice != "" {
		return "\n\n" + advice
	}
	return ""
}

func adviceFor(err error, scopes []string) string {
	var apiErr *concur.APIError
	if !errors.As(err, &apiErr) {
		return ""
	}
	status := apiErr.StatusCode
	switch {
	case apiErr.OAuthError == "invalid_client":
		return "Concur does not accept the app's client_id and client_secret (" + envClientID + ", " + envClientSecret +
			"): check them against the app's registration."
	case status == http.StatusUnauthorized || apiErr.OAuthError == "invalid_grant":
		return "Concur refused the credential. A refresh token stops working once Concur has rotated it and the new one " +
			"was not kept, or after six months unused; a company request token after 24 hours; an access token after an hour. " +
			"Give the provider a current refresh token or a new company request token, and set token_file (" + envTokenFile +
			") so that it keeps the newest refresh token from run to run."
	case status == http.StatusForbidden:
		missing := scopesNamedIn(apiErr)
		var scopeErr *concur.ScopeError
		switch {
		case len(missing) > 0:
		case apiErr.Scope != "": // the Spend, Travel and provisioning scopes are named only here
			missing = []string{apiErr.Scope}
		case errors.As(err, &scopeErr):
			missing = scopeErr.Scopes
		default:
			missing = scopes
		}
		advice := fmt.Sprintf("Concur refused the operation: the access token lacks the scope %s. The scopes come from "+
			"the app's grant: have SAP Concur add it, then give the provider a new company request token, since tokens "+
			"keep the scopes they were issued with.", strings.Join(missing, ", "))
		for _, scope := range missing {
			if scope == scopeUserDelete {
				advice += " Or deactivate instead of deleting: deprovision_action = \"deactivate\" on concur_provisioning_mapping, " +
					"deletion_mode = \"deactivate\" on concur_user."
			}
		}
		return advice
	case status == http.StatusConflict:
		return "Another Concur account already holds this emp_id, login ID or external ID (Concur keeps employee numbers " +
			"unique in the company and login IDs across Concur). To manage that account, import it (terraform import, or an " +
			"import block, by emp_id; the concur_users data source finds it); otherwise change the value."
	case status == http.StatusTooManyRequests || status >= http.StatusInternalServerError:
		return fmt.Sprintf("Concur answered %d %s until the provider stopped retrying. Run the command again later; if it "+
			"recurs, ease the load with requests_per_second or max_concurrency, or allow more retries with max_retries (%s, %s, %s).",
			status, http.StatusText(status), envRequestsPerSecond, envMaxConcurrency, envMaxRetries)
	}
	return ""
}

// scopesNamedIn returns the Identity scopes a refusal names, in its detail or its messages.
func scopesNamedIn(apiErr *concur.APIError) []string {
	text := apiErr.Detail
	for _, m := range apiErr.Messages {
		text += " " + m.Code + " " + m.Text
	}
	var named []string
	for _, scope := range identityScopes {
		if strings.Contains(text, scope) {
			named = append(named, scope)
		}
	}
	return named
}
