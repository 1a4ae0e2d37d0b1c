package provider

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
)

type credentialPart struct {
	attribute, env string
	set            bool
}

func (p credentialPart) String() string { return fmt.Sprintf("%s (%s)", p.attribute, p.env) }

func missingParts(parts ...credentialPart) []string {
	var missing []string
	for _, p := range parts {
		if !p.set {
			missing = append(missing, p.String())
		}
	}
	return missing
}

func checkCredentials(cfg concur.Config) diag.Diagnostics {
	var diags diag.Diagnostics
	clientID := credentialPart{"client_id", envClientID, cfg.ClientID != ""}
	clientSecret := credentialPart{"client_secret", envClientSecret, cfg.ClientSecret != ""}
	refreshToken := credentialPart{"refresh_token", envRefreshToken, cfg.RefreshToken != ""}
	companyUUID := credentialPart{"company_uuid", envCompanyUUID, cfg.CompanyUUID != ""}
	requestToken := credentialPart{"request_token", envRequestToken, cfg.RequestToken != ""}
	accessToken := credentialPart{"access_token", envAccessToken, cfg.AccessToken != ""}

	chosen := 0
	for _, set := range []bool{refreshToken.set, requestToken.set || companyUUID.set, accessToken.set} {
		if set {
			chosen++
		}
	}
	hasStoredToken := cfg.TokenStore != nil
	switch {
	case chosen > 1:
		diags.AddError("Conflicting Concur credentials",
			"Set exactly one credential: refresh_token ("+envRefreshToken+"); or company_uuid ("+envCompanyUUID+") with request_token ("+envRequestToken+"); or access_token ("+envAccessToken+"). "+
				"More than one is set in the provider block or the environment; remove the others.")
		return diags
	case chosen == 0 && !hasStoredToken:
		diags.AddError("Missing Concur credentials",
			"Set one credential in the provider block or the environment: refresh_token ("+envRefreshToken+"); "+
				"or company_uuid ("+envCompanyUUID+") with request_token ("+envRequestToken+"); or access_token ("+envAccessToken+"). "+
				"With a refresh token or a request token, also set client_id ("+envClientID+") and client_secret ("+envClientSecret+").")
		return diags
	}

	var missing []string
	if !accessToken.set {
		missing = append(missing, missingParts(clientID, clientSecret)...)
	}
	if requestToken.set || companyUUID.set {
		missing = append(missing, missingParts(companyUUID, requestToken)...)
	}
	if len(missing) > 0 {
		diags.AddError("Incomplete Concur credentials",
			"The configured credential also needs: "+strings.Join(missing, ", ")+
				". Set each in the provider block or in the environment variable named beside it.")
	}
	return diags
}
