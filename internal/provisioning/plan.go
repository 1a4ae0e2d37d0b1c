package provisioning

import (
	"fmt"
	"maps"
	"sort"
	"strings"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
)

// ManagedUser is one user a provisioning channel manages, as its state records it.
type ManagedUser struct {
	EmpID string
	// ID is the Concur id; "" for a user the plan creates (known after apply).
	ID string
	// EntryID is the directory entry's immutable identifier, "" where the directory has none.
	EntryID string
	DN      string
	Active  bool
	// Attributes holds the mapped Concur attributes; "" is an empty attribute.
	Attributes map[string]string
	// EmpIDHeldBy is the Concur id of another account that holds this user's emp_id while the
	// account in ID is gone (deleted in Concur) or carries another emp_id. Refresh sets it; the
	// plan then writes to neither account and names both (Plan.EmpIDConflicts).
	EmpIDHeldBy string
}

// accountGone reports whether the account of a user whose emp_id another account holds no longer
// exists: Refresh keeps the recorded attributes of a gone account, emp_id included, while an
// account that exists carries another emp_id (Concur keeps emp_ids unique).
func (m ManagedUser) accountGone() bool {
	return m.Attributes[AttrEmpID] == m.EmpID
}

// ChangeKind names what the plan does to one user.
type ChangeKind string

const (
	ChangeCreate      ChangeKind = "create"
	ChangeLink        ChangeKind = "link"
	ChangeUpdate      ChangeKind = "update"
	ChangeRename      ChangeKind = "change emp_id"
	ChangeDeactivate  ChangeKind = "deactivate"
	ChangeDelete      ChangeKind = "delete"
	ChangeReactivate  ChangeKind = "reactivate"
	changeUnchanged   ChangeKind = "unchanged"
	reasonDisabled               = "disabled in the directory"
	reasonOutOfSource            = "no longer in the source (left the group or filter, or deleted from the directory)"
	reasonUnresolved             = "the group still lists the entry, but it is gone or the bind account cannot read it"
)

// Change is one user's planned change, for the plan's warnings.
type Change struct {
	Kind          ChangeKind
	EmpID         string
	PreviousEmpID string
	DN            string
	Reason        string
}

// Plan is the planned end state of a channel and how it differs from the current one.
type Plan struct {
	Users   map[string]ManagedUser
	Changes []Change
	// Unchanged counts managed users the plan leaves as they are.
	Unchanged int
	// Invalid lists the directory users whose rendered values Concur would refuse; they are
	// neither created nor changed until the directory is corrected.
	Invalid []InvalidUser
	// UnknownManagers maps a manager emp_id that Concur lacks and the channel does not provision
	// to the changed users who name it; writing them fails until the manager exists.
	UnknownManagers map[string][]string
	// ApproversWithoutRole lists the approvers the plan holds back because Concur would refuse
	// them (see checkApproverRoles).
	ApproversWithoutRole []ApproverWithoutRole
	// SkippedDisabled lists the emp_ids of disabled directory users that are not provisioned
	// (provision_disabled_users is off and they are not managed).
	SkippedDisabled []string
	// EmpIDConflicts lists the managed users whose emp_id another Concur account holds (see
	// ManagedUser.EmpIDHeldBy). The plan keeps each as recorded and writes to neither account, so
	// no account is taken over and no second one is created, until someone resolves it in Concur.
	EmpIDConflicts []EmpIDConflict
	// ManagedElsewhere lists the people of the source whose account another owner's marker names:
	// the plan links, writes and deprovisions none of them.
	ManagedElsewhere []ElsewhereUser
	// TakenOver lists the accounts the plan takes over from their previous owner (take_over_from).
	TakenOver []TakenOverUser
	// Unmarkable lists the emp_ids whose externalId holds another system's id, which the plan
	// never overwrites: they are managed without a marker.
	Unmarkable []string
}

// EmpIDConflict is a managed user whose emp_id another Concur account holds.
type EmpIDConflict struct {
	EmpID, DN string
	// ID is the account the channel manages: gone from Concur (Gone), or carrying CurrentEmpID.
	ID           string
	Gone         bool
	CurrentEmpID string
	// HeldBy is the other account, which holds EmpID now.
	HeldBy string
	// Advice says what happened and how to resolve it, for the plan's warning.
	Advice string
}

// InvalidUser is a directory user the plan leaves alone because of a value Concur would refuse.
type InvalidUser struct {
	EmpID, DN, Reason string
}

// PlanUsers computes the channel's planned users from the directory (desired), the users it
// manages now (refreshed from Concur) and the Concur users that already hold emp_ids the
// plan would create (existing): those are linked, never duplicated.
func PlanUsers(desired Desired, managed map[string]ManagedUser, existing map[string]*concur.User, mapping *Mapping, opts Options) (*Plan, error) {
	if err := opts.Ownership.Check(mapping.mapsMarker()); err != nil {
		return nil, err
	}
	if desired.SourceCount == 0 && len(managed) > 0 && !opts.AllowEmptySource {
		return nil, &GuardError{
			Reason: fmt.Sprintf("the directory source returned no users%s while %d users are managed; "+
				"a broken filter, an emptied group or a directory outage must not deprovision everyone", desired.notPeople(), len(managed)),
			EmpIDs: sortedKeys(managed),
			Kind:   GuardEmptySource,
		}
	}

	plan := &Plan{Users: make(map[string]ManagedUser, len(managed)+len(desired.Users))}
	managedIDs := make(map[string]bool, len(managed))
	for _, user := range managed {
		managedIDs[user.ID] = true
	}
	own := opts.Ownership
	managed, wanted := plan.setAsideConflicts(managed, desired.Users)
	managed, wanted = plan.setAsideElsewhere(managed, wanted, own)
	// Disabled first: a user disabled in the directory is deprovisioned even if a value is bad.
	provisioned := plan.setAsideInvalid(plan.setAsideDisabled(wanted, managed, opts), managed)
	renames := findRenames(provisioned, wanted, managed, plan.Users)
	for empID, want := range provisioned {
		if previous, renamed := renames[empID]; renamed {
			current := managed[previous]
			next := planExisting(current.Attributes, want, current.ID, mapping)
			next.Attributes = plan.markedAttributes(empID, next.Attributes, current.Attributes[MarkerAttribute], hasMarkerAttribute(current), mapping, own)
			plan.Users[empID] = next
			plan.Changes = append(plan.Changes, Change{Kind: ChangeRename, EmpID: empID, PreviousEmpID: previous, DN: want.DN})
			continue
		}
		if current, ok := managed[empID]; ok {
			next := planExisting(current.Attributes, want, current.ID, mapping)
			next.Attributes = plan.markedAttributes(empID, next.Attributes, current.Attributes[MarkerAttribute], hasMarkerAttribute(current), mapping, own)
			plan.Users[empID] = next
			plan.recordUpdate(current, next)
			continue
		}
		// An account the channel manages under another emp_id carries this one by a hand edit
		// that its own update puts back: it is never linked a second time.
		if found, ok := existing[empID]; ok && !managedIDs[found.ID] {
			status, markedBy := own.Status(found.ExternalID)
			if status == AccountElsewhere {
				plan.ManagedElsewhere = append(plan.ManagedElsewhere, ElsewhereUser{EmpID: empID, DN: want.DN, Owner: markedBy})
				continue
			}
			next := planExisting(attributesOf(found, mapping), want, found.ID, mapping)
			next.Attributes = plan.markedAttributes(empID, next.Attributes, found.ExternalID, false, mapping, own)
			plan.Users[empID] = next
			plan.Changes = append(plan.Changes, Change{Kind: ChangeLink, EmpID: empID, DN: want.DN})
			continue
		}
		attributes := plan.markedAttributes(empID, maps.Clone(want.Attributes), "", false, mapping, own)
		plan.Users[empID] = ManagedUser{EmpID: empID, EntryID: want.EntryID, DN: want.DN, Active: !want.Disabled, Attributes: attributes}
		plan.Changes = append(plan.Changes, Change{Kind: ChangeCreate, EmpID: empID, DN: want.DN})
	}

	renamedFrom := map[string]bool{}
	for _, previous := range renames {
		renamedFrom[previous] = true
	}
	namedByUnresolved := directory.NamedByUnresolved(desired.Unresolved)
	for empID, current := range managed {
		if _, kept := plan.Users[empID]; kept || renamedFrom[empID] {
			continue
		}
		reason := reasonOutOfSource
		if want, ok := wanted[empID]; ok && want.Disabled {
			reason = reasonDisabled
		} else if namedByUnresolved(current.DN) {
			reason = reasonUnresolved
		}
		next := current
		next.Attributes = plan.markedAttributes(empID, maps.Clone(current.Attributes), current.Attributes[MarkerAttribute], hasMarkerAttribute(current), mapping, own)
		switch {
		case opts.DeprovisionAction == DeprovisionDelete:
			plan.Changes = append(plan.Changes, Change{Kind: ChangeDelete, EmpID: empID, DN: current.DN, Reason: reason})
		case current.Active:
			next.Active = false
			plan.Users[empID] = next
			plan.Changes = append(plan.Changes, Change{Kind: ChangeDeactivate, EmpID: empID, DN: current.DN, Reason: reason})
		default:
			plan.Users[empID] = next
			plan.recordUpdate(current, next)
		}
	}
	sort.Slice(plan.Changes, func(i, j int) bool { return plan.Changes[i].EmpID < plan.Changes[j].EmpID })
	sort.Strings(plan.SkippedDisabled)
	sort.Strings(plan.Unmarkable)
	sort.Slice(plan.ManagedElsewhere, func(i, j int) bool { return plan.ManagedElsewhere[i].EmpID < plan.ManagedElsewhere[j].EmpID })
	sort.Slice(plan.TakenOver, func(i, j int) bool { return plan.TakenOver[i].EmpID < plan.TakenOver[j].EmpID })
	if err := guardDeprovisions("the plan", plan.deprovisioned(), opts); err != nil {
		return nil, err
	}
	return plan, nil
}

// setAsideConflicts keeps, exactly as recorded, the managed users whose emp_id another account
// holds, and reports them: the plan neither writes to the account it manages (whose emp_id it
// would put back, which Concur refuses while the other holds it) nor creates or links one for
// their emp_id. It returns the other managed users, and the desired users without those emp_ids.
func (p *Plan) setAsideConflicts(managed map[string]ManagedUser, desired map[string]DesiredUser) (map[string]ManagedUser, map[string]DesiredUser) {
	var held []string
	for empID, user := range managed {
		if user.EmpIDHeldBy != "" {
			held = append(held, empID)
		}
	}
	if len(held) == 0 {
		return managed, desired
	}
	rest := maps.Clone(managed)
	wanted := maps.Clone(desired)
	for _, empID := range held {
		user := managed[empID]
		p.Users[empID] = user
		p.EmpIDConflicts = append(p.EmpIDConflicts, empIDConflict(user))
		delete(rest, empID)
		delete(wanted, empID)
	}
	sort.Slice(p.EmpIDConflicts, func(i, j int) bool { return p.EmpIDConflicts[i].EmpID < p.EmpIDConflicts[j].EmpID })
	return rest, wanted
}

func empIDConflict(user ManagedUser) EmpIDConflict {
	c := EmpIDConflict{EmpID: user.EmpID, DN: user.DN, ID: user.ID, Gone: user.accountGone(), HeldBy: user.EmpIDHeldBy}
	if c.Gone {
		c.Advice = fmt.Sprintf("The Concur account %s that this channel manages as emp_id %s was deleted, and another account, %s, now holds emp_id %s. "+
			"The channel neither takes %s over nor creates a second account for %s. If %s is not this person's account, give it its own "+
			"employeeNumber in Concur: the next plan then creates %s again. Until then the channel changes nothing for this person.",
			c.ID, c.EmpID, c.HeldBy, c.EmpID, c.HeldBy, c.EmpID, c.HeldBy, c.EmpID)
		return c
	}
	c.CurrentEmpID = user.Attributes[AttrEmpID]
	c.Advice = fmt.Sprintf("The Concur account %s that this channel manages as emp_id %s now carries emp_id %q, and another account, %s, holds %s. "+
		"The channel writes to neither, because putting %s back on %s would fail while %s holds it. If %s is not this person's account, "+
		"give it its own employeeNumber in Concur: the next plan then puts %s back on %s. Until then the channel changes nothing for this person.",
		c.ID, c.EmpID, c.CurrentEmpID, c.HeldBy, c.EmpID, c.EmpID, c.ID, c.HeldBy, c.HeldBy, c.EmpID, c.ID)
	return c
}

// setAsideDisabled returns the desired users the plan provisions: all of them, or only those
// enabled in the directory when disabled users are not provisioned. A managed user left out is
// deprovisioned by the caller; a new one is reported as not provisioned.
func (p *Plan) setAsideDisabled(users map[string]DesiredUser, managed map[string]ManagedUser, opts Options) map[string]DesiredUser {
	if opts.ProvisionDisabledUsers {
		return users
	}
	provisioned := make(map[string]DesiredUser, len(users))
	for empID, want := range users {
		if !want.Disabled {
			provisioned[empID] = want
			continue
		}
		if _, ok := managed[empID]; !ok {
			p.SkippedDisabled = append(p.SkippedDisabled, empID)
		}
	}
	return provisioned
}

// setAsideInvalid takes out the directory users whose rendered values Concur would refuse, and
// reports them: a managed one is kept exactly as it is (never deprovisioned for a bad value),
// a new one is not created. It returns the users that remain.
func (p *Plan) setAsideInvalid(users map[string]DesiredUser, managed map[string]ManagedUser) map[string]DesiredUser {
	valid := make(map[string]DesiredUser, len(users))
	for empID, want := range users {
		err := CheckAttributes(want.Attributes)
		if err == nil {
			valid[empID] = want
			continue
		}
		p.Invalid = append(p.Invalid, InvalidUser{EmpID: empID, DN: want.DN, Reason: err.Error()})
		if current, ok := managed[empID]; ok {
			p.Users[empID] = current
			p.Unchanged++
		}
	}
	sort.Slice(p.Invalid, func(i, j int) bool { return p.Invalid[i].EmpID < p.Invalid[j].EmpID })
	return valid
}

// planExisting is the planned state of a user Concur already has: the mapped values, except
// that create-only attributes keep what Concur holds and case-only differences of login ID and
// e-mail are no change.
func planExisting(current map[string]string, want DesiredUser, id string, mapping *Mapping) ManagedUser {
	attributes := make(map[string]string, len(want.Attributes))
	for key, value := range want.Attributes {
		switch {
		case mapping.CreateOnly(key):
			value = current[key]
		case sameValue(key, value, current[key]):
			value = current[key]
		}
		attributes[key] = value
	}
	return ManagedUser{EmpID: want.EmpID, ID: id, EntryID: want.EntryID, DN: want.DN, Active: !want.Disabled, Attributes: attributes}
}

// deprovisioned lists the emp_ids the plan deactivates or deletes, in order.
func (p *Plan) deprovisioned() []string {
	var empIDs []string
	for _, change := range p.Changes {
		if change.Kind == ChangeDeactivate || change.Kind == ChangeDelete {
			empIDs = append(empIDs, change.EmpID)
		}
	}
	return empIDs
}

func (p *Plan) recordUpdate(current, next ManagedUser) {
	switch {
	case !current.Active && next.Active:
		p.Changes = append(p.Changes, Change{Kind: ChangeReactivate, EmpID: next.EmpID, DN: next.DN})
	case current.Active && !next.Active:
		p.Changes = append(p.Changes, Change{Kind: ChangeDeactivate, EmpID: next.EmpID, DN: next.DN, Reason: reasonDisabled})
	case !sameAttributes(current.Attributes, next.Attributes):
		p.Changes = append(p.Changes, Change{Kind: ChangeUpdate, EmpID: next.EmpID, DN: next.DN})
	default:
		p.Unchanged++
	}
}

// findRenames pairs a managed user whose emp_id is gone from the directory (and is not kept as
// it is) with a newcomer the plan provisions from the same directory entry: the same entry ID
// where the directory has them (entryUUID, objectGUID), else the same DN or login ID. That is an
// emp_id change, not a leaver and a joiner. It returns new emp_id → previous emp_id.
func findRenames(newcomers, present map[string]DesiredUser, managed, kept map[string]ManagedUser) map[string]string {
	leaversByEntryID := map[string]string{}
	leaversByDN := map[string]string{}
	leaversByLogin := map[string]string{}
	for empID, current := range managed {
		if _, stays := present[empID]; stays {
			continue
		}
		if _, isKept := kept[empID]; isKept {
			continue
		}
		if current.EntryID != "" {
			leaversByEntryID[current.EntryID] = empID
		}
		leaversByDN[strings.ToLower(current.DN)] = empID
		if login := current.Attributes[AttrLoginID]; login != "" {
			leaversByLogin[strings.ToLower(login)] = empID
		}
	}
	renames := map[string]string{}
	claimed := map[string]bool{}
	for _, empID := range sortedKeys(newcomers) { // in order, so ties resolve the same way every plan
		want := newcomers[empID]
		if _, managedAlready := managed[empID]; managedAlready {
			continue
		}
		// The entry ID decides where both have one; otherwise the DN, then the login ID. Where
		// the directory identifies both entries, a DN or login reused by a new entry (a new hire
		// with a leaver's name or mailbox) is another person, never a rename.
		for _, match := range []struct {
			leavers map[string]string
			key     string
		}{
			{leaversByEntryID, want.EntryID},
			{leaversByDN, strings.ToLower(want.DN)},
			{leaversByLogin, strings.ToLower(want.Attributes[AttrLoginID])},
		} {
			previous, ok := match.leavers[match.key]
			if !ok || claimed[previous] || want.EntryID != "" && managed[previous].EntryID != "" && want.EntryID != managed[previous].EntryID {
				continue
			}
			renames[empID] = previous
			claimed[previous] = true
			break
		}
	}
	return renames
}

// attributesOf reads the mapped attributes of a Concur user.
func attributesOf(u *concur.User, mapping *Mapping) map[string]string {
	attributes := make(map[string]string, len(mapping.Keys()))
	for _, key := range mapping.Keys() {
		attributes[key] = UserAttribute(u, key)
	}
	return attributes
}

func sameAttributes(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for key, value := range a {
		if other, ok := b[key]; !ok || other != value {
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return keys
}

// Summary is the one-line count of a plan, such as "create 12, update 3, deactivate 2, unchanged 480".
func (p *Plan) Summary() string {
	counts := map[ChangeKind]int{}
	for _, change := range p.Changes {
		counts[change.Kind]++
	}
	var parts []string
	for _, kind := range []ChangeKind{ChangeCreate, ChangeLink, ChangeUpdate, ChangeRename, ChangeReactivate, ChangeDeactivate, ChangeDelete} {
		if counts[kind] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", kind, counts[kind]))
		}
	}
	parts = append(parts, fmt.Sprintf("%s %d", changeUnchanged, p.Unchanged))
	if len(p.SkippedDisabled) > 0 {
		parts = append(parts, fmt.Sprintf("not provisioned (disabled) %d", len(p.SkippedDisabled)))
	}
	if len(p.EmpIDConflicts) > 0 {
		parts = append(parts, fmt.Sprintf("left alone (emp_id held by another account) %d", len(p.EmpIDConflicts)))
	}
	if len(p.ManagedElsewhere) > 0 {
		parts = append(parts, fmt.Sprintf("left alone (managed elsewhere) %d", len(p.ManagedElsewhere)))
	}
	return strings.Join(parts, ", ")
}
