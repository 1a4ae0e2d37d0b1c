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
//
// Identity refuses a second user with an employee number with 409, which the look-up after it
// turns into the *ExistingUserError; so a user without a profile is created at once. The User
// Provisioning Service, which creates users with a profile, matches an existing user by empId
// and would update it instead: that create looks the emp_id up first.
func CreateUser(ctx context.Context, client *concur.Client, u concur.User) (*concur.User, error) {
	if u.HasProfile() {
		existing, err := client.FindUserByEmployeeNumber(ctx, u.EmployeeNumber)
		switch {
		case err == nil:
			return nil, &ExistingUserError{EmpID: u.EmployeeNumber, ID: existing.ID}
		case !concur.IsNotFound(err):
			return nil, fmt.Errorf("looking up emp_id %q before creating it: %w", u.EmployeeNumber, err)
		}
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
// yet (right after an import), with the Spend and Travel profiles that keys hold attributes of.
// A user that no longer exists is reported with IsNotFound.
func ReadUser(ctx context.Context, client *concur.Client, id, empID string, keys []string) (*concur.User, error) {
	var user *concur.User
	var err error
	if id != "" {
		user, err = client.GetUser(ctx, id)
	} else {
		user, err = client.FindUserByEmployeeNumber(ctx, empID)
	}
	if err != nil {
		return nil, err
	}
	return user, ReadProfiles(ctx, client, []*concur.User{user}, keys)
}

// profilesHeld reports whether keys hold attributes of the Spend extensions and of the Travel
// one: only then are those profiles read, so a company without Concur Expense or Travel neither
// pays for nor fails on reads of products it lacks.
func profilesHeld(keys []string) (spend, travel bool) {
	for _, key := range keys {
		a := attributesByName[key]
		spend = spend || a.IsSpend()
		travel = travel || a.Profile == concur.SchemaTravelUser
	}
	return spend, travel
}

// ReadProfiles fills in the Spend and Travel profiles of users (read by id, in batches) that keys
// hold attributes of; a user without a profile keeps an empty one.
func ReadProfiles(ctx context.Context, client *concur.Client, users []*concur.User, keys []string) error {
	spend, travel := profilesHeld(keys)
	if len(users) == 0 || !spend && !travel {
		return nil
	}
	ids := make([]string, 0, len(users))
	for _, u := range users {
		ids = append(ids, u.ID)
	}
	if spend {
		profiles, err := client.FindSpendProfilesByIDs(ctx, ids)
		if err != nil {
			return fmt.Errorf("reading the Spend profiles of %d users: %w", len(ids), err)
		}
		for _, u := range users {
			if p := profiles[u.ID]; p != nil {
				u.Spend = *p
			}
		}
	}
	if travel {
		profiles, err := client.FindTravelProfilesByIDs(ctx, ids)
		if err != nil {
			return fmt.Errorf("reading the Travel profiles of %d users: %w", len(ids), err)
		}
		for _, u := range users {
			if p := profiles[u.ID]; p != nil {
				u.Travel = *p
			}
		}
	}
	return nil
}

// ProfileAttributes are the attributes of the extensions an *concur.ExtensionError names as
// failed, among keys, in catalogue order.
func ProfileAttributes(failed *concur.ExtensionError, keys []string) []string {
	held := map[string]bool{}
	for _, key := range keys {
		held[key] = true
	}
	var names []string
	for _, a := range Attributes {
		if held[a.Name] && a.Profile != "" && failed.Failed(a.Profile) {
			names = append(names, a.Name)
		}
	}
	return names
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
