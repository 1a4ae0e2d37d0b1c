package provider

import (
	"errors"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
)

// credentialSettings names, for each part of the credentials, the argument and the environment
// variable that set it; the rules themselves are the client's (concur.CheckCredentials).
var credentialSettings = map[concur.Credential]string{
	concur.CredentialClientID:     "client_id (" + envClientID + ")",
	concur.CredentialClientSecret: "client_secret (" + envClientSecret + ")",
	concur.CredentialRefreshToken: "refresh_token (" + envRefreshToken + ")",
	concur.CredentialCompanyUUID:  "company_uuid (" + envCompanyUUID + ")",
	concur.CredentialRequestToken: "request_token (" + envRequestToken + ")",
	concur.CredentialAccessToken:  "access_token (" + envAccessToken + ")",
}

// checkCredentials reports, by argument and environment variable, why the credentials cannot be
// used.
func checkCredentials(cfg concur.Config) diag.Diagnostics {
	var diags diag.Diagnostics
	var problem *concur.CredentialError
	if !errors.As(concur.CheckCredentials(cfg), &problem) {
		return diags
	}
	choices := credentialSettings[concur.CredentialRefreshToken] + "; or " + credentialSettings[concur.CredentialCompanyUUID] +
		" with " + credentialSettings[concur.CredentialRequestToken] + "; or " + credentialSettings[concur.CredentialAccessToken]
	switch problem.Problem {
	case concur.CredentialsConflicting:
		diags.AddError("Conflicting Concur credentials",
			"Set exactly one credential: "+choices+". More than one is set in the provider block or the environment; remove the others.")
	case concur.CredentialsMissing:
		diags.AddError("Missing Concur credentials",
			"Set one credential in the provider block or the environment: "+choices+". "+
				"With a refresh token or a request token, also set "+credentialSettings[concur.CredentialClientID]+" and "+credentialSettings[concur.CredentialClientSecret]+".")
	default:
		missing := make([]string, len(problem.Missing))
		for i, part := range problem.Missing {
			missing[i] = credentialSettings[part]
		}
		diags.AddError("Incomplete Concur credentials",
			"The configured credential also needs: "+strings.Join(missing, ", ")+
				". Set each in the provider block or in the environment variable named beside it.")
	}
	return diags
}
