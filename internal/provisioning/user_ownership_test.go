package provisioning

import (
	"testing"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
)

func TestPlanUserOwnership(t *testing.T) {
	t.Parallel()
	account := func(externalID string) *concur.User {
		return &concur.User{ID: "id-1", EmployeeNumber: "E1", Title: "Clerk", ExternalID: externalID}
	}
	same := func(externalID string) concur.User { return *account(externalID) }
	retitled := func(externalID string) concur.User {
		u := same(externalID)
		u.Title = "Buyer"
		return u
	}
	sap, mine := "SAP-1", "mine"
	for _, tc := range []struct {
		name       string
		own        Ownership
		current    *concur.User
		planned    concur.User
		configured *string
		want       UserDecision
	}{
		{"new user, owner set", Ownership{Owner: "a"}, nil, same(""), nil,
			UserDecision{Status: AccountUnmarked, ExternalID: Marker("a", "E1"), Set: true}},
		{"new user, no owner", Ownership{}, nil, same(""), nil, UserDecision{Status: AccountUnmarked}},
		{"new user, no owner, configured", Ownership{}, nil, same(""), &mine, UserDecision{Status: AccountUnmarked, ExternalID: mine, Set: true}},
		{"ours", Ownership{Owner: "a"}, account(Marker("a", "E1")), retitled(""), nil,
			UserDecision{Status: AccountOurs, MarkedBy: "a", ExternalID: Marker("a", "E1"), Set: true}},
		{"another system's id, owner set: kept, warned", Ownership{Owner: "a"}, account(sap), same(""), nil,
			UserDecision{Status: AccountForeignID, ExternalID: sap, Set: true, Unmarkable: true}},
		{"another system's id, no owner: kept, not cleared", Ownership{}, account(sap), same(""), nil,
			UserDecision{Status: AccountForeignID, ExternalID: sap, Set: true}},
		{"another owner's, unchanged: passes", Ownership{Owner: "a"}, account(Marker("b", "E1")), same(""), nil,
			UserDecision{Status: AccountElsewhere, MarkedBy: "b", ExternalID: Marker("b", "E1"), Set: true}},
		{"another owner's, changed: refused", Ownership{Owner: "a"}, account(Marker("b", "E1")), retitled(""), nil,
			UserDecision{Status: AccountElsewhere, MarkedBy: "b", ExternalID: Marker("b", "E1"), Set: true, Refused: true}},
		{"another owner's, no owner, external_id configured: refused", Ownership{}, account(Marker("b", "E1")), same(""), &mine,
			UserDecision{Status: AccountElsewhere, MarkedBy: "b", ExternalID: mine, Set: true, Refused: true}},
		{"taken over", Ownership{Owner: "a", TakeOverFrom: "b"}, account(Marker("b", "E1")), retitled(""), nil,
			UserDecision{Status: AccountTakenOver, MarkedBy: "b", ExternalID: Marker("a", "E1"), Set: true}},
	} {
		if got := tc.own.PlanUser("E1", tc.current, tc.planned, tc.configured); got != tc.want {
			t.Errorf("%s: PlanUser = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestImportTakesOverFrom(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		owner, externalID, from string
		takesOver               bool
	}{
		{"a", Marker("b", "E1"), "b", true},
		{"a", Marker("a", "E1"), "", false},
		{"", Marker("b", "E1"), "", false}, // without an owner the take-over could not be recorded
		{"a", "SAP-1", "", false},
		{"a", "", "", false},
	} {
		from, takesOver := ImportTakesOverFrom(tc.owner, tc.externalID)
		if takesOver != tc.takesOver || takesOver && from != tc.from {
			t.Errorf("ImportTakesOverFrom(%q, %q) = %q, %v; want %q, %v", tc.owner, tc.externalID, from, takesOver, tc.from, tc.takesOver)
		}
	}
}
