// Package provisioning is the engine between the Terraform layer and the Concur and directory
// clients: single-user operations, and (for provisioning channels) desired state, diff, guards
// and the executor. It has no Terraform imports.
package provisioning

import (
	"context"
	"errors"
	"fmt"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
)

// DeletionMode says what removing a user from management does in Concur.
type DeletionMode string

const (
	// Deactivate keeps the user and its data and sets active=false.
	Deactivate DeletionMode = "deactivate"
	// Delete hard-deletes the user; Concur allows it only for users without transactions.
	Delete DeletionMode = "delete"
)

// ExistingUserError reports that a user with the employee ID already exists in Concur, so it
// must be imported rather than created.
type ExistingUserError struct {
	EmpID string
	ID    string
}

func (e *ExistingUserError) Error() string {
	return fmt.Sprintf("a Concur user with emp_id %q already exists (id %s)", e.EmpID, e.ID)
}

// CreateUser creates u unless a user with its employee ID already exists, in which case it
// returns an *ExistingUserError: a single managed user is never silently adopted.
func CreateUser(ctx context.Context, client *concur.Client, u concur.User) (*concur.User, error) {
	existing, err := client.FindUserByEmployeeNumber(ctx, u.EmployeeNumber)
	switch {
	case err == nil:
		return nil, &ExistingUserError{EmpID: u.EmployeeNumber, ID: existing.ID}
	case !concur.IsNotFound(err):
		return nil, fmt.Errorf("looking up emp_id %q before creating it: %w", u.EmployeeNumber, err)
	}
	created, err := client.CreateUser(ctx, u)
	if concur.IsConflict(err) {
		if existing, findErr := client.FindUserByEmployeeNumber(ctx, u.EmployeeNumber); findErr == nil {
			return nil, &ExistingUserError{EmpID: u.EmployeeNumber, ID: existing.ID}
		}
	}
	return created, err
}

// ReadUser reads a managed user by its Concur id, or by employee ID when the id is not known
// yet (right after an import). A user that no longer exists is reported with IsNotFound.
func ReadUser(ctx context.Context, client *concur.Client, id, empID string) (*concur.User, error) {
	if id != "" {
		return client.GetUser(ctx, id)
	}
	return client.FindUserByEmployeeNumber(ctx, empID)
}

// UpdateUser changes the managed user id from the values from to the values to; only the
// attributes that differ are sent, and the user as Concur now holds it is returned.
func UpdateUser(ctx context.Context, client *concur.Client, id string, from, to concur.User) (*concur.User, error) {
	return client.UpdateUser(ctx, id, from, to)
}

// RemoveUser deactivates or deletes a user; a user already gone counts as removed. An account
// whose owner marker now names another owner is left alone: the *ManagedElsewhereError says so.
func RemoveUser(ctx context.Context, client *concur.Client, id string, mode DeletionMode, own Ownership) error {
	current, err := client.GetUser(ctx, id)
	switch {
	case concur.IsNotFound(err):
		return nil
	case err != nil:
		return fmt.Errorf("reading the account before removing it: %w", err)
	}
	if status, markedBy := own.Status(current.ExternalID); status == AccountElsewhere {
		return &ManagedElsewhereError{EmpID: current.EmployeeNumber, ID: id, Owner: markedBy}
	}
	switch mode {
	case Delete:
		err = client.DeleteUser(ctx, id)
	default:
		err = client.DeactivateUser(ctx, id)
	}
	if concur.IsNotFound(err) {
		return nil
	}
	return err
}

// ManagedElsewhereError says that an account's owner marker names another owner, so this object
// writes nothing to it.
type ManagedElsewhereError struct {
	EmpID, ID, Owner string
}

func (e *ManagedElsewhereError) Error() string {
	return fmt.Sprintf("the Concur account %s (emp_id %q) is managed elsewhere: its externalId names the owner %q", e.ID, e.EmpID, e.Owner)
}

// IsExistingUser reports whether err says the user already exists, and returns the details.
func IsExistingUser(err error) (*ExistingUserError, bool) {
	var existing *ExistingUserError
	ok := errors.As(err, &existing)
	return existing, ok
}
