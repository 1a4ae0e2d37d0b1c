package provisioning

import (
	"fmt"
	"sort"
)

// DeprovisionAction is what happens in Concur to a user who leaves the source.
type DeprovisionAction string

const (
	// DeprovisionDeactivate sets active=false and keeps the user under management.
	DeprovisionDeactivate DeprovisionAction = "deactivate"
	// DeprovisionDelete hard-deletes the user and stops managing it.
	DeprovisionDelete DeprovisionAction = "delete"
	// DeprovisionDisableDeprecated is the spelling of DeprovisionDeactivate before 1.0, still
	// accepted so that existing configurations and state keep working.
	DeprovisionDisableDeprecated = "disable"
)

// ParseDeprovisionAction reads a configured action, mapping the deprecated "disable" to
// DeprovisionDeactivate so the rest of the engine sees one value per operation.
func ParseDeprovisionAction(s string) DeprovisionAction {
	if s == DeprovisionDisableDeprecated {
		return DeprovisionDeactivate
	}
	return DeprovisionAction(s)
}

// OnDestroy is what destroying a channel does to the users it manages.
type OnDestroy string

const (
	// OnDestroyKeep stops managing the users and touches nobody in Concur.
	OnDestroyKeep OnDestroy = "keep"
	// OnDestroyDeprovision applies the deprovision action to every managed user.
	OnDestroyDeprovision OnDestroy = "deprovision"
)

// The defaults of a channel's options. The Terraform schema reads them, so a channel configured
// without a setting behaves as one that sets it to its default.
const (
	DefaultProvisionDisabledUsers = false
	DefaultDeprovisionAction      = DeprovisionDeactivate
	DefaultMaxDeprovisions        = 25
	DefaultAllowEmptySource       = false
	DefaultOnDestroy              = OnDestroyKeep
)

// Options are a channel's provisioning settings.
type Options struct {
	ProvisionDisabledUsers bool
	DeprovisionAction      DeprovisionAction
	MaxDeprovisions        int
	AllowEmptySource       bool
	OnDestroy              OnDestroy
	// Ownership is who the channel is for the owner markers: the provider's owner and the
	// channel's take_over_from.
	Ownership Ownership
}

// GuardKind names the guard that stopped a plan or a destroy, so a caller can point at the
// setting that allows it.
type GuardKind int

const (
	// GuardMaxDeprovisions: more users would be deprovisioned than Options.MaxDeprovisions.
	GuardMaxDeprovisions GuardKind = iota + 1
	// GuardEmptySource: the source returned nobody while users are managed, and
	// Options.AllowEmptySource is off.
	GuardEmptySource
)

// GuardError stops a plan that would deprovision more users than allowed.
type GuardError struct {
	Kind   GuardKind
	Reason string
	EmpIDs []string
}

func (e *GuardError) Error() string {
	return e.Reason
}

// CheckDestroy applies max_deprovisions to destroying a channel: with on_destroy = deprovision
// it would deactivate every active managed user, or delete every managed user; with keep, nobody.
func CheckDestroy(managed map[string]ManagedUser, opts Options) error {
	if opts.OnDestroy != OnDestroyDeprovision {
		return nil
	}
	var affected []string
	for empID, user := range managed {
		if user.Active || opts.DeprovisionAction == DeprovisionDelete {
			affected = append(affected, empID)
		}
	}
	sort.Strings(affected)
	return guardDeprovisions("destroying the channel", affected, opts)
}

// guardDeprovisions stops what would deprovision more users than max_deprovisions allows.
func guardDeprovisions(what string, empIDs []string, opts Options) error {
	if len(empIDs) <= opts.MaxDeprovisions {
		return nil
	}
	return &GuardError{
		Kind: GuardMaxDeprovisions,
		Reason: fmt.Sprintf("%s would %s %d users, more than max_deprovisions (%d)",
			what, opts.DeprovisionAction, len(empIDs), opts.MaxDeprovisions),
		EmpIDs: empIDs,
	}
}
