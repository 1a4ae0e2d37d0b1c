package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
	"github.com/terraform-concur/terraform-provider-concur/internal/provisioning"
)

// providerData is what Configure hands to every resource and data source: one client, so the
// rate limit, the concurrency bound and the token are shared by the whole run.
type providerData struct {
	client *concur.Client
	// directory is nil when neither the directory block nor CONCUR_DIRECTORY_URL names a server.
	directory *directory.Client

	// owner is the configuration's owner name (the provider's owner setting), "" when unset.
	owner string

	rotationWarning sync.Once
	// claims holds the people each channel and concur_user of this run plans to manage. Terraform
	// configures the provider again for every walk (plan, apply), so a re-plan starts afresh.
	claims provisioning.Claims
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

// directoryClient returns the configured directory client, or adds an error naming what to
// configure when there is none. object names the Terraform object that needs it.
func (d *providerData) directoryClient(diags *diag.Diagnostics, object string) *directory.Client {
	if d.directory == nil {
		diags.AddError("No directory configured",
			object+" reads an LDAP directory, and the provider has none. Add a directory block to the provider "+
				"(at least url, usually bind_dn and bind_password), or set the "+envDirectoryURL+" environment variable "+
				"(with "+envDirectoryBindDN+" and "+envDirectoryBindPassword+").")
	}
	return d.directory
}

// addDirectoryError turns an error of the directory client into a diagnostic that says what
// failed and what to change. action says what was being done, e.g. `Reading group "cn=staff,..."`.
// The directory package never puts the bind password into an error.
func addDirectoryError(diags *diag.Diagnostics, action string, err error) {
	summary, advice := "Error reading the directory", "Check the directory block of the provider and the server's logs."
	switch {
	case errors.Is(err, directory.ErrInvalidCredentials):
		summary = "Directory bind failed: invalid credentials"
		advice = "The server refused the bind DN or password. Check directory.bind_dn and directory.bind_password " +
			"(or " + envDirectoryBindDN + " and " + envDirectoryBindPassword + "), and that the account is not locked or expired."
	case errors.Is(err, directory.ErrUnreachable):
		summary = "Directory server unreachable"
		advice = "No connection could be opened. Check the host and port in directory.url (or " + envDirectoryURL + "), " +
			"that the server is running, and that a firewall lets this machine reach it."
	case errors.Is(err, directory.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		summary = "Directory server did not answer in time"
		advice = "The server accepted the connection but did not answer within directory.timeout. Check that the URL " +
			"points at an LDAP port (ldaps:// for an LDAPS port, start_tls for StartTLS), or raise directory.timeout " +
			"(" + envDirectoryTimeout + ") for a slow server."
	case errors.Is(err, directory.ErrEncryptionRequired):
		summary = "Directory server requires an encrypted connection"
		advice = "The server accepts the bind only over TLS, as Active Directory domain controllers do by default. " +
			"Use an ldaps:// URL (port 636) in directory.url (" + envDirectoryURL + "), or keep ldap:// and set " +
			"directory.start_tls = true (" + envDirectoryStartTLS + "); set directory.ca_cert_pem to the CA that signs " +
			"the server's certificate unless the system trusts it."
	case errors.Is(err, directory.ErrCertificate):
		summary = "Directory server certificate not trusted"
		advice = "The server's TLS certificate was not accepted (the message says why). Set directory.ca_cert_pem (" + envDirectoryCACertPEM + ") " +
			"to the CA that signs it, and make sure the host name in directory.url is one the certificate names."
	case errors.Is(err, directory.ErrNotFound):
		summary = "Not found in the directory"
		advice = "Check the DN or name and the base DN, and that the bind account may read them."
	case errors.Is(err, directory.ErrAmbiguous):
		summary = "More than one directory entry matches"
		advice = "Name the group by its dn instead, or narrow base_dn."
	case errors.Is(err, directory.ErrInvalidConfig):
		summary = "Invalid directory request"
		advice = "Correct the argument the message names."
	}
	// A server's own text may end in a period (Active Directory's and Samba's do).
	diags.AddError(summary, fmt.Sprintf("%s failed: %s.\n\n%s", action, strings.TrimSuffix(err.Error(), "."), advice))
}
