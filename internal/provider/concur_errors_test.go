package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"

	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox/sandboxtest"
)

func TestConcurAdviceByStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		err    error
		scopes []string
		want   []string // "" means no advice
	}{
		{"rotated refresh token", &concur.APIError{StatusCode: 400, OAuthError: "invalid_grant", OAuthCode: 108}, nil,
			[]string{"token_file (CONCUR_TOKEN_FILE)", "rotated"}},
		{"401 from the API", fmt.Errorf("reading: %w", &concur.APIError{StatusCode: 401}), nil, []string{"token_file", "an access token after an hour"}},
		{"wrong client", &concur.APIError{StatusCode: 401, OAuthError: "invalid_client", OAuthCode: 64}, nil, []string{"client_id and client_secret"}},
		{"403 naming its scope", &concur.APIError{StatusCode: 403, Detail: "lacks the scope identity.user.externalID.writeonly"},
			[]string{scopeUserWrite}, []string{"lacks the scope identity.user.externalID.writeonly.", "new company request token"}},
		{"403 naming none", &concur.APIError{StatusCode: 403, Detail: "Forbidden"}, []string{scopeUserDelete},
			[]string{"lacks the scope identity.user.delete.", `deprovision_action = "deactivate"`, `deletion_mode = "deactivate"`}},
		{"409", fmt.Errorf("create emp_id %q: %w", "E1", &concur.APIError{StatusCode: 409, ScimType: "uniqueness"}), nil,
			[]string{"import it", "concur_users data source"}},
		{"429", &concur.APIError{StatusCode: 429}, nil, []string{"429 Too Many Requests", "requests_per_second", "max_concurrency", "max_retries"}},
		{"503", &concur.APIError{StatusCode: 503}, nil, []string{"503 Service Unavailable", "Run the command again later"}},
		{"400 says enough", &concur.APIError{StatusCode: 400, ScimType: "invalidValue"}, nil, []string{""}},
		{"not an answer", errors.New("dial tcp: connection refused"), nil, []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := concurAdvice(tt.err, tt.scopes...)
			if tt.want[0] == "" {
				if got != "" {
					t.Errorf("advice %q, want none", got)
				}
				return
			}
			if !strings.HasPrefix(got, "\n\n") {
				t.Errorf("advice %q is not a paragraph of its own", got)
			}
			for _, want := range tt.want {
				if !strings.Contains(got, want) {
					t.Errorf("advice %q does not say %q", got, want)
				}
			}
		})
	}
}

// The scope comes from Concur's answer when it names one: the sandbox's 403, read by the client.
func TestConcurAdviceNamesTheScopeTheSandboxRefuses(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	if err := s.WithoutScopes(scopeUserDelete); err != nil {
		t.Fatal(err)
	}
	creds := s.Credentials()
	client := newConcurClient(t, concur.Config{BaseURL: s.URL(), ClientID: creds.ClientID,
		ClientSecret: creds.ClientSecret, RefreshToken: creds.RefreshToken, CompanyID: creds.CompanyID})
	seedUsers(t, s, seededUser(s, "E1", "e1@example.com", "Ed", "One"))
	err := client.DeleteUser(context.Background(), field(sandboxtest.MustUser(t, s, "E1"), "id").(string))
	// The fallback names another scope, so only the answer can name identity.user.delete.
	if advice := concurAdvice(err, scopeUserWrite); !strings.Contains(advice, "lacks the scope identity.user.delete.") {
		t.Errorf("advice %q for %v", advice, err)
	}

	_, err = newConcurClient(t, concur.Config{BaseURL: s.URL(), AccessToken: "not-a-token"}).GetUser(context.Background(), "some-id")
	if advice := concurAdvice(err); !strings.Contains(advice, "token_file") {
		t.Errorf("advice %q for a refused access token (%v)", advice, err)
	}
}

func newConcurClient(t *testing.T, cfg concur.Config) *concur.Client {
	t.Helper()
	client, err := concur.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return client
}
