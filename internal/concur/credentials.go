package concur

import (
	"fmt"
	"strings"
)

// Credential is one part of the Concur credentials, so a caller can say where each is set.
type Credential int

const (
	CredentialClientID Credential = iota + 1
	CredentialClientSecret
	CredentialRefreshToken
	CredentialCompanyUUID
	CredentialRequestToken
	CredentialAccessToken
)

func (c Credential) String() string {
	return [...]string{"", "client ID", "client secret", "refresh token", "company UUID", "company request token", "access token"}[c]
}

// CredentialProblem is how a set of credentials fails the rules.
type CredentialProblem int

const (
	// CredentialsConflicting: more than one of the three credentials is set.
	CredentialsConflicting CredentialProblem = iota + 1
	// CredentialsMissing: none is set and no token store can supply one.
	CredentialsMissing
	// CredentialsIncomplete: the chosen credential lacks parts (Missing names them).
	CredentialsIncomplete
)

// CredentialError says why a Config's credentials cannot be used.
type CredentialError struct {
	Problem CredentialProblem
	Missing []Credential // for CredentialsIncomplete
}

func (e *CredentialError) Error() string {
	switch e.Problem {
	case CredentialsConflicting:
		return "more than one credential is set: use a refresh token, a company UUID with a company request token, or an access token"
	case CredentialsMissing:
		return "no credential: set a refresh token, a company UUID with a company request token, or an access token"
	}
	names := make([]string, len(e.Missing))
	for i, c := range e.Missing {
		names[i] = c.String()
	}
	return fmt.Sprintf("the credential also needs: %s", strings.Join(names, ", "))
}

// CheckCredentials applies the credential rules: exactly one of a refresh token, a company UUID
// with a company request token, or an access token, where the first two (and a refresh token
// kept in a token store from an earlier run) need the client ID and secret to be used.
func CheckCredentials(cfg Config) error {
	refresh, request, access := cfg.RefreshToken != "", cfg.CompanyUUID != "" || cfg.RequestToken != "", cfg.AccessToken != ""
	chosen := 0
	for _, set := range []bool{refresh, request, access} {
		if set {
			chosen++
		}
	}
	switch {
	case chosen > 1:
		return &CredentialError{Problem: CredentialsConflicting}
	case chosen == 0 && cfg.TokenStore == nil:
		return &CredentialError{Problem: CredentialsMissing}
	}
	var missing []Credential
	need := func(c Credential, set bool) {
		if !set {
			missing = append(missing, c)
		}
	}
	if !access {
		need(CredentialClientID, cfg.ClientID != "")
		need(CredentialClientSecret, cfg.ClientSecret != "")
	}
	if request {
		need(CredentialCompanyUUID, cfg.CompanyUUID != "")
		need(CredentialRequestToken, cfg.RequestToken != "")
	}
	if len(missing) > 0 {
		return &CredentialError{Problem: CredentialsIncomplete, Missing: missing}
	}
	return nil
}
