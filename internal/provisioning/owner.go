package provisioning

import (
	"fmt"
	"maps"
	"regexp"
	"strings"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
)

// Ownership across Terraform states. Two configurations (two teams, two states) may provision
// overlapping people; the Claims registry cannot see across states, so the owner is recorded on
// the Concur account itself, in externalId (research in internal/sandbox/doc.go): the marker
// "tf-concur:<owner>:<emp_id>". externalId is unique per company, hence the emp_id in it.

// MarkerAttribute is the attribute that carries the owner marker.
const MarkerAttribute = AttrExternalID

// MaxOwnerLength bounds an owner name, so a marker stays far below externalId's 255 characters.
const MaxOwnerLength = 32

const markerPrefix = "tf-concur:"

var ownerName = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// CheckOwnerName checks a configuration's owner name (and a take_over_from): short, and only
// letters, digits, '.', '_' and '-', so it can never be mistaken for the rest of a marker.
func CheckOwnerName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("the owner name must not be empty")
	case len(name) > MaxOwnerLength:
		return fmt.Errorf("%q is %d characters long; an owner name has at most %d", name, len(name), MaxOwnerLength)
	case !ownerName.MatchString(name):
		return fmt.Errorf("%q may hold only letters, digits, '.', '_' and '-'", name)
	}
	return nil
}

// Marker is the externalId that records owner as the manager of the account with empID.
func Marker(owner, empID string) string {
	return markerPrefix + owner + ":" + empID
}

// MarkerOwner returns the owner an externalId's marker names; marked is false for an empty
// externalId and for one that is no marker (another system's id).
func MarkerOwner(externalID string) (owner string, marked bool) {
	rest, ok := strings.CutPrefix(externalID, markerPrefix)
	if !ok {
		return "", false
	}
	owner, _, ok = strings.Cut(rest, ":")
	if !ok || CheckOwnerName(owner) != nil {
		return "", false
	}
	return owner, true
}

// Ownership is who a provisioning object of this configuration is, for the marker rules.
type Ownership struct {
	// Owner is the configuration's owner name; "" writes no marker, but still respects others'.
	Owner string
	// TakeOverFrom names an owner whose accounts this object takes over: it links them and
	// rewrites their marker.
	TakeOverFrom string
}

// AccountStatus is what the marker rules make of an account's externalId.
type AccountStatus int

const (
	// AccountUnmarked: no externalId. Linked as before, and marked when an owner is set.
	AccountUnmarked AccountStatus = iota
	// AccountOurs: the marker names this configuration's owner.
	AccountOurs
	// AccountTakenOver: the marker names TakeOverFrom; linked and marked anew.
	AccountTakenOver
	// AccountElsewhere: the marker names another owner; never linked, written or deprovisioned.
	AccountElsewhere
	// AccountForeignID: externalId holds another system's id, which is never overwritten: linked
	// as before, without a marker.
	AccountForeignID
)

// Status classifies an account's externalId and returns the owner its marker names, if any.
// Without an owner every marker is another's.
func (o Ownership) Status(externalID string) (status AccountStatus, markedBy string) {
	if externalID == "" {
		return AccountUnmarked, ""
	}
	markedBy, marked := MarkerOwner(externalID)
	switch {
	case !marked:
		return AccountForeignID, ""
	case o.Owner != "" && markedBy == o.Owner:
		return AccountOurs, markedBy
	case o.Owner != "" && markedBy == o.TakeOverFrom:
		return AccountTakenOver, markedBy
	default:
		return AccountElsewhere, markedBy
	}
}

// ExternalID is the externalId to plan for an account this object keeps or links under empID,
// given the one it holds: the marker where one is written, else what it holds. The caller has
// left out the accounts managed elsewhere.
func (o Ownership) ExternalID(empID, held string) string {
	if status, _ := o.Status(held); o.Owner == "" || status == AccountForeignID {
		return held
	}
	return Marker(o.Owner, empID)
}

// Check says what is wrong with an object's ownership settings; mapsExternalID says that the
// object sets external_id itself (a channel's mapping, or concur_user's argument).
func (o Ownership) Check(mapsExternalID bool) error {
	switch {
	case o.Owner != "" && mapsExternalID:
		return &OwnershipError{Attribute: MarkerAttribute, Reason: fmt.Sprintf(
			"the provider's owner is set (%q), so %s carries the owner marker (%q) and cannot also be set here. "+
				"Remove %s from this object, or unset the provider's owner if another system uses externalId",
			o.Owner, MarkerAttribute, Marker(o.Owner, "<emp_id>"), MarkerAttribute)}
	case o.TakeOverFrom != "" && o.Owner == "":
		return &OwnershipError{Attribute: "take_over_from", Reason: fmt.Sprintf(
			"take_over_from = %q needs the provider's owner: without one the take-over cannot be recorded on the accounts, "+
				"and %q's configuration would link them again. Set owner in the provider block (or CONCUR_OWNER)", o.TakeOverFrom, o.TakeOverFrom)}
	case o.TakeOverFrom != "" && o.TakeOverFrom == o.Owner:
		return &OwnershipError{Attribute: "take_over_from", Reason: fmt.Sprintf(
			"take_over_from names this configuration's own owner %q; accounts it marks are already this configuration's. Remove take_over_from", o.Owner)}
	}
	return nil
}

// OwnershipError is a setting the marker rules refuse, with the attribute to correct.
type OwnershipError struct {
	Attribute string
	Reason    string
}

func (e *OwnershipError) Error() string { return e.Reason }

// ElsewhereUser is a person of the source whose account another owner's marker names.
type ElsewhereUser struct {
	EmpID, DN string
	// Owner is the owner the marker names.
	Owner string
	// Managed says the channel records the person, as it did before the marker named Owner (the
	// channel keeps the record and writes nothing); otherwise the person is left out.
	Managed bool
}

// TakenOverUser is a person whose account the plan takes over from another owner.
type TakenOverUser struct {
	EmpID, From string
}

// markedAttributes returns the planned attributes of a user the plan keeps or links, with the
// externalId the marker rules give it; held is the externalId the account holds now (recorded is
// whether the channel records one). It notes the accounts whose externalId is another system's,
// and those it takes over, recorded or linked: either way the plan rewrites another's marker.
func (p *Plan) markedAttributes(empID string, attributes map[string]string, held string, recorded bool, mapping *Mapping, own Ownership) map[string]string {
	if mapping.mapsMarker() {
		return attributes
	}
	switch status, markedBy := own.Status(held); {
	case own.Owner != "" && status == AccountForeignID:
		p.Unmarkable = append(p.Unmarkable, empID)
	case status == AccountTakenOver:
		p.TakenOver = append(p.TakenOver, TakenOverUser{EmpID: empID, From: markedBy})
	}
	externalID := own.ExternalID(empID, held)
	if externalID == "" && !recorded {
		return attributes // nothing held, nothing to write: no attribute, as before owners
	}
	attributes[MarkerAttribute] = externalID
	return attributes
}

// setAsideElsewhere keeps, exactly as recorded, the managed users whose recorded marker names
// another owner (the configuration's owner was renamed or unset since it wrote them), and
// reports them: the plan writes nothing to them. An account another owner took over since the
// last apply carries a marker other than the recorded one, and Refresh has dropped it already.
// It returns the other managed users, and the desired users without those emp_ids.
func (p *Plan) setAsideElsewhere(managed map[string]ManagedUser, desired map[string]DesiredUser, own Ownership) (map[string]ManagedUser, map[string]DesiredUser) {
	var elsewhere []ElsewhereUser
	for empID, user := range managed {
		if status, markedBy := own.Status(user.Attributes[MarkerAttribute]); status == AccountElsewhere {
			elsewhere = append(elsewhere, ElsewhereUser{EmpID: empID, DN: user.DN, Owner: markedBy, Managed: true})
		}
	}
	if len(elsewhere) == 0 {
		return managed, desired
	}
	rest := maps.Clone(managed)
	wanted := maps.Clone(desired)
	for _, user := range elsewhere {
		p.Users[user.EmpID] = managed[user.EmpID]
		delete(rest, user.EmpID)
		delete(wanted, user.EmpID)
	}
	p.ManagedElsewhere = append(p.ManagedElsewhere, elsewhere...)
	return rest, wanted
}

// hasMarkerAttribute reports whether a managed user's record holds an externalId, so that one
// cleared in Concur is drift the plan puts back, while users recorded before owners gain none.
func hasMarkerAttribute(user ManagedUser) bool {
	_, ok := user.Attributes[MarkerAttribute]
	return ok
}

// takenOverSince reports whether the account a managed user records now carries another owner's
// marker, other than the externalId recorded for it: another configuration linked it and marked it
// as its own since the last apply. Refresh then drops the user without writing to the account. A
// marker of owner itself that differs from the recorded one (an apply that stopped after writing
// it) is drift, which the plan puts back.
func takenOverSince(recorded ManagedUser, current *concur.User, owner string) bool {
	status, _ := Ownership{Owner: owner}.Status(current.ExternalID)
	return status == AccountElsewhere && current.ExternalID != recorded.Attributes[MarkerAttribute]
}

// writtenElsewhere refuses an operation on an account that another owner's marker names now, as
// read right before the apply writes (accounts, by Concur id): an owner that linked it since the
// plan. The apply then links, updates, deactivates and deletes nothing of it.
func writtenElsewhere(op operation, accounts map[string]*concur.User, own Ownership) error {
	id := op.from.ID
	if op.kind == ChangeLink {
		id = op.to.ID
	}
	account, read := accounts[id]
	if !read {
		return nil
	}
	if status, markedBy := own.Status(account.ExternalID); status == AccountElsewhere {
		return fmt.Errorf("%w since the plan, so this apply leaves it alone; plan again to see the person named as managed elsewhere",
			&ManagedElsewhereError{EmpID: op.key, ID: id, Owner: markedBy})
	}
	return nil
}

// markedByAnother reports whether an account found at apply (one the plan did not see) carries a
// marker of an owner other than the one the planned user is marked for, and names that owner.
func markedByAnother(planned ManagedUser, account *concur.User) (string, bool) {
	owner, marked := MarkerOwner(account.ExternalID)
	if !marked {
		return "", false
	}
	plannedOwner, plannedMarked := MarkerOwner(planned.Attributes[MarkerAttribute])
	return owner, !plannedMarked || plannedOwner != owner
}
