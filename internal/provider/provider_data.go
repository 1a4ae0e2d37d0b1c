package provider

import (
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
)

// providerData is what Configure hands to every resource and data source: one client, so the
// rate limit, the concurrency bound and the token are shared by the whole run.
type providerData struct {
	client *concur.Client

	rotationWarning sync.Once
}

// providerDataFrom is the checked cast each object's Configure uses. A nil value means the
// provider is not configured yet (validation), which is not an error.
func providerDataFrom(value any) (*providerData, diag.Diagnostics) {
	var diags diag.Diagnostics
	if value == nil {
		return nil, diags
	}
	data, ok := value.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", value))
	}
	return data, diags
}

// warnIfTokenRotated tells the user, once per run, that Concur issued a new refresh token the
// provider could not persist, and what to do about it.
func (d *providerData) warnIfTokenRotated(diags *diag.Diagnostics) {
	if _, rotated := d.client.RotatedRefreshToken(); !rotated {
		return
	}
	d.rotationWarning.Do(func() {
		diags.AddWarning("Concur rotated the refresh token",
			"Concur returned a new refresh token during this run and the provider has nowhere to keep it. "+
				"The configured token may stop working once Concur retires it. Set token_file (or CONCUR_TOKEN_FILE) "+
				"to a path the runs share, so the provider stores the newest token there, or generate a new company "+
				"request token before the old refresh token expires.")
	})
}
