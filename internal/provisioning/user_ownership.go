package provisioning

import (
	"reflect"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
)

// UserDecision is what the marker rules make of the plan of one concur_user.
type UserDecision struct {
	// Status and MarkedBy classify the externalId the account holds (see Ownership.Status).
	Status   AccountStatus
	MarkedBy string
	// ExternalID is the externalId the plan gives the account; Set is false where it stays unset.
	ExternalID string
	Set        bool
	// Refused says that the plan would change an account another owner's marker names: it fails.
	Refused bool
	// Unmarkable says that the account holds another system's id, which the owner's marker does
	// not overwrite: the plan warns.
	Unmarkable bool
}

// PlanUser decides a concur_user's externalId, and whether its plan may go ahead, under o (a
// take-over an import records included). current is the account as the state holds it, nil for a
// user the plan creates; planned is the user the plan describes; configured is the external_id the
// configuration sets, nil where it sets none.
//
// An account another owner's marker names is written nothing: the plan keeps its externalId and
// is refused if it would change anything else. Otherwise the marker is written where an owner is
// set (another system's id kept); without one, the configured externalId, or the one the account
// holds where none is configured: another system's id is never cleared.
func (o Ownership) PlanUser(empID string, current *concur.User, planned concur.User, configured *string) UserDecision {
	held := ""
	if current != nil {
		held = current.ExternalID
	}
	d := UserDecision{}
	d.Status, d.MarkedBy = o.Status(held)
	switch {
	case d.Status == AccountElsewhere:
		d.ExternalID, d.Set = held, true
		if configured != nil {
			d.ExternalID = *configured
		}
		planned.ExternalID = d.ExternalID
		d.Refused = !reflect.DeepEqual(planned, *current)
	case o.Owner != "":
		d.ExternalID, d.Set = o.ExternalID(empID, held), true
		d.Unmarkable = d.Status == AccountForeignID
	case configured != nil:
		d.ExternalID, d.Set = *configured, true
	case held != "":
		d.ExternalID, d.Set = held, true
	}
	return d
}

// ImportTakesOverFrom names the owner whose account an import of a concur_user takes over: the
// owner its marker names, when the configuration has an owner to record the take-over with.
func ImportTakesOverFrom(owner, externalID string) (string, bool) {
	status, markedBy := Ownership{Owner: owner}.Status(externalID)
	return markedBy, owner != "" && status == AccountElsewhere
}

// MarkedByAnother names the owner other than owner whose marker the externalId carries.
func MarkedByAnother(owner, externalID string) (string, bool) {
	status, markedBy := Ownership{Owner: owner}.Status(externalID)
	return markedBy, status == AccountElsewhere
}
