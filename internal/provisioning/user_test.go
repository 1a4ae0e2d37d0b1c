package provisioning

import (
	"errors"
	"testing"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
)

// TestCreateUser_onePostPerUser creates a user with one request, and refuses, naming the account,
// one whose emp_id Concur already has: after Identity's 409 without a profile, before the User
// Provisioning Service's create (which would update the account) with one.
func TestCreateUser_onePostPerUser(t *testing.T) {
	server, client := startSandbox(t, nil)
	existingID := seedConcurUser(t, server, "E1", "first@example.org", nil)
	newUser := func(empID, login string, attributes map[string]string) concur.User {
		u := concur.User{EmployeeNumber: empID, UserName: login, Email: login, GivenName: "New", FamilyName: "Person", Active: true}
		for name, value := range attributes {
			SetUserAttribute(&u, name, value)
		}
		return u
	}

	server.ResetCounters()
	if _, err := CreateUser(testContext(t), client, newUser("E2", "second@example.org", nil)); err != nil {
		t.Fatal(err)
	}
	if got := server.Counters(); got["POST /profile/identity/v4.1/Users"] != 1 || got["POST /profile/identity/v4.1/Users/.search"] != 0 {
		t.Errorf("requests of one create: %v, want one POST and no search", got)
	}

	profile := map[string]string{"reimbursement_currency": "USD", "country": "US", "locale": "en_US"}
	for name, attributes := range map[string]map[string]string{"identity only": nil, "with a Spend profile": profile} {
		server.ResetCounters()
		_, err := CreateUser(testContext(t), client, newUser("E1", "other@example.org", attributes))
		var existing *ExistingUserError
		if !errors.As(err, &existing) || existing.ID != existingID || existing.EmpID != "E1" {
			t.Errorf("%s: creating emp_id E1 again: %v, want ExistingUserError naming %s", name, err, existingID)
		}
		if got := server.Counters(); attributes != nil && (got["POST /profile/v4/Users"] != 0 || got["POST /profile/identity/v4.1/Users/.search"] != 1) {
			t.Errorf("%s: requests %v: want the one look-up and no profile create", name, got)
		}
	}
	if got := len(server.Users()); got != 2 {
		t.Errorf("the sandbox holds %d users, want the 2 created", got)
	}
}
