package provisioning

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
)

// Failure is one user the executor could not bring to its planned state, with Concur's reason.
type Failure struct {
	EmpID string
	Kind  ChangeKind
	Err   error
	// Unsaved names the attributes of the profile extensions that failed for a user whose identity
	// Concur saved (Err is then a *concur.ExtensionError); the user is recorded all the same.
	Unsaved []string
}

func (f Failure) Error() string {
	if len(f.Unsaved) > 0 {
		paths := make([]string, len(f.Unsaved))
		for i, name := range f.Unsaved {
			paths[i] = fmt.Sprintf("users[%q].attributes[%q]", f.EmpID, name)
		}
		return fmt.Sprintf("%s emp_id %q: %v (not saved: %s)", f.Kind, f.EmpID, f.Err, strings.Join(paths, ", "))
	}
	return fmt.Sprintf("%s emp_id %q: %v", f.Kind, f.EmpID, f.Err)
}

// operation is one user's change between the recorded and the planned state.
type operation struct {
	kind ChangeKind
	// key is the emp_id the user is recorded under afterwards (the planned one, or the
	// recorded one for a delete); previousKey is the recorded key of a renamed user.
	key, previousKey string
	from, to         ManagedUser
}

// Apply carries out exactly the changes between the recorded users (prior) and the planned
// ones, as many at a time as the client lets be in flight, and returns the users to record: the
// planned entry of every user that succeeded and the prior entry of every user that failed, so
// the next apply retries only what failed. An error means nothing was attempted.
//
// Creates are sent without looking the emp_ids up again (the plan did): Concur keeps employee
// numbers unique, so an account created with the emp_id since the plan makes the create fail
// with 409, and only then is it looked up and linked, as the plan would have.
//
// Every other operation writes to an existing account, which is read again first, in batched
// searches by id, so that one another owner marked since the plan (own says who this channel is)
// fails with a *ManagedElsewhereError and is not written: a saved plan may be hours old.
//
// A round of creates and updates goes through /profile/v4/Bulk where that is quicker (see
// BulkMinimumWrites), with the same outcome per user; where the Concur app lacks user.provision.write, they are written
// one by one and a Warning says so. Managers the apply creates would make one round a level of
// the hierarchy; more than two in bulk are made two (deferManagers).
func Apply(ctx context.Context, client *concur.Client, prior, planned map[string]ManagedUser, own Ownership, options ...ApplyOption) (map[string]ManagedUser, []Failure, error) {
	settings := newApplySettings(options)
	operations := diffOperations(prior, planned)
	accounts, err := readAccounts(ctx, client, operations)
	if err != nil {
		return prior, nil, err
	}

	recorded := make(map[string]ManagedUser, len(planned))
	for key, user := range prior {
		recorded[key] = user
		if next, ok := planned[key]; ok && sameInConcur(user, next) {
			recorded[key] = next // only where it comes from changed (DN, entry ID): nothing to send
		}
	}
	ids := newKnownIDs(prior, planned)
	var mu sync.Mutex
	var failures []Failure
	settle := func(op operation, result ManagedUser, err error) {
		mu.Lock()
		defer mu.Unlock()
		var partly *concur.ExtensionError
		switch {
		case op.kind == ChangeDeactivate && concur.IsNotFound(err):
			// Deleted in Concur since the refresh: nothing left to deactivate or to record.
			delete(recorded, op.key)
		case errors.As(err, &partly) && result.ID != "":
			// The identity is saved: it is recorded with the failed extensions' attributes as
			// Concur holds them, so the next apply sends only those again.
			unsaved := ProfileAttributes(partly, changedKeys(op.from.Attributes, op.to.Attributes))
			failures = append(failures, Failure{EmpID: op.key, Kind: op.kind, Err: err, Unsaved: unsaved})
			delete(recorded, op.previousKey)
			recorded[op.key] = withHeldValues(result, unsaved, op, accounts[op.to.ID])
			ids.record(op.key, result.ID)
		case err != nil:
			failures = append(failures, Failure{EmpID: op.key, Kind: op.kind, Err: err})
		case op.kind == ChangeDelete:
			delete(recorded, op.key)
		default:
			delete(recorded, op.previousKey)
			recorded[op.key] = result
			ids.record(op.key, result.ID)
		}
	}
	var refused error // why Concur refused the bulk, after which every round is written one by one
	fellBack := 0     // the creates and updates then written one by one that would have gone in bulk
	applyRound := func(round []operation) {
		var writable []operation
		for _, op := range round {
			if err := writtenElsewhere(op, accounts, own); err != nil {
				settle(op, op.to, err)
				continue
			}
			writable = append(writable, op)
		}
		oneByOne := writable
		if settings.inBulkRound(writable) {
			writes := countInBulk(writable)
			if refused == nil {
				oneByOne, refused = applyBulk(ctx, client, writable, accounts, ids, settle)
				writes = countInBulk(oneByOne)
			}
			if refused != nil {
				fellBack += writes
			}
		}
		runConcurrently(ctx, oneByOne, client.MaxConcurrency(), func(op operation) {
			result, err := apply(ctx, client, op, accounts[op.to.ID], ids)
			settle(op, result, err)
		})
	}
	rounds, deferred := managerWaves(operations), []deferredManager(nil)
	if bulkRounds(rounds, settings) > 2 {
		rounds, deferred = deferManagers(rounds, accounts)
	}
	for _, round := range rounds {
		applyRound(round)
	}
	if len(deferred) > 0 {
		applyRound(managerFollowUps(deferred, recorded))
	}
	if refused != nil {
		settings.warn(bulkRefusedWarning(fellBack, refused))
	}
	sort.Slice(failures, func(i, j int) bool { return failures[i].EmpID < failures[j].EmpID })
	return recorded, failures, nil
}

func diffOperations(prior, planned map[string]ManagedUser) []operation {
	priorKeyByID := map[string]string{}
	for key, user := range prior {
		if user.ID != "" {
			priorKeyByID[user.ID] = key
		}
	}
	renamedFrom := map[string]bool{}
	var operations []operation
	for _, key := range sortedKeys(planned) {
		to := planned[key]
		if from, ok := prior[key]; ok {
			if !sameInConcur(from, to) {
				operations = append(operations, operation{kind: updateKind(from, to), key: key, from: from, to: to})
			}
			continue
		}
		if previous, ok := priorKeyByID[to.ID]; ok && to.ID != "" {
			renamedFrom[previous] = true
			operations = append(operations, operation{kind: ChangeRename, key: key, previousKey: previous, from: prior[previous], to: to})
			continue
		}
		kind := ChangeCreate
		if to.ID != "" {
			kind = ChangeLink
		}
		operations = append(operations, operation{kind: kind, key: key, to: to})
	}
	for _, key := range sortedKeys(prior) {
		if _, stays := planned[key]; !stays && !renamedFrom[key] {
			operations = append(operations, operation{kind: ChangeDelete, key: key, from: prior[key]})
		}
	}
	return operations
}

// readAccounts reads, in batched searches by id, the Concur accounts the operations write to: the
// users the plan links (their profiles too), so the patch that links each sends only what
// differs from what Concur holds now, and the recorded users it updates or deprovisions, for
// their owner marker.
func readAccounts(ctx context.Context, client *concur.Client, operations []operation) (map[string]*concur.User, error) {
	var ids, linked, keys []string
	for _, op := range operations {
		switch {
		case op.kind == ChangeLink:
			ids = append(ids, op.to.ID)
			linked = append(linked, op.to.ID)
			for key := range op.to.Attributes {
				if !slices.Contains(keys, key) {
					keys = append(keys, key)
				}
			}
		case op.from.ID != "":
			ids = append(ids, op.from.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	found, err := client.FindUsersByIDs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("reading the %d Concur users to link or write: %w", len(ids), err)
	}
	var targets []*concur.User
	for _, id := range linked {
		if u, ok := found[id]; ok {
			targets = append(targets, u)
		}
	}
	if err := ReadProfiles(ctx, client, targets, keys); err != nil {
		return nil, fmt.Errorf("reading the profiles of the %d Concur users to link: %w", len(targets), err)
	}
	return found, nil
}

// apply carries out one operation and returns the user to record.
func apply(ctx context.Context, client *concur.Client, op operation, linkTarget *concur.User, ids *knownIDs) (ManagedUser, error) {
	if op.kind == ChangeDelete {
		return ManagedUser{}, client.DeleteUser(ctx, op.from.ID)
	}
	write, err := userWrite(op, linkTarget, ids)
	if err != nil {
		return op.to, err
	}
	result := op.to
	if write.ID != "" { // an update, link, deactivation, reactivation or emp_id change
		_, err := client.UpdateUser(ctx, write.ID, write.From, write.To)
		result.ID = write.ID
		return result, err
	}
	created, err := client.CreateUser(ctx, write.To)
	if concur.IsConflict(err) {
		return linkOnConflict(ctx, client, op, ids, err)
	}
	if created != nil { // with an error too, when Concur saved the identity but not all of the profile
		result.ID = created.ID
	}
	return result, err
}

// userWrite is what an operation other than a delete sends to Concur: the user to create (no ID),
// or the account to patch from what Concur holds to the planned values.
func userWrite(op operation, linkTarget *concur.User, ids *knownIDs) (concur.Provision, error) {
	switch {
	case op.from.ID != "": // an update, deactivation, reactivation or emp_id change of a recorded user
		from, to := op.from.concurUser(), op.to.concurUser()
		ids.resolveManager(from, &to)
		return concur.Provision{Key: op.key, ID: op.from.ID, From: from, To: to}, nil
	case op.kind == ChangeLink:
		if linkTarget == nil {
			return concur.Provision{}, fmt.Errorf("the Concur user %s to link is gone since the plan; run plan again", op.to.ID)
		}
		return linkWrite(op, linkTarget, ids), nil
	default:
		u := op.to.concurUser()
		ids.resolveManager(concur.User{}, &u)
		return concur.Provision{Key: op.key, To: u}, nil
	}
}

// withHeldValues is the user to record after a write whose identity Concur saved but some of
// whose profile extensions it did not: the attributes of those (unsaved) as Concur still holds
// them, which are the recorded user's for an update, the linked account's for a link, and none
// for a create.
func withHeldValues(result ManagedUser, unsaved []string, op operation, linkTarget *concur.User) ManagedUser {
	result.Attributes = maps.Clone(result.Attributes)
	for _, key := range unsaved {
		switch {
		case op.from.ID != "":
			result.Attributes[key] = op.from.Attributes[key]
		case op.kind == ChangeLink && linkTarget != nil:
			result.Attributes[key] = UserAttribute(linkTarget, key)
		default:
			result.Attributes[key] = ""
		}
	}
	return result
}

// link writes the mapped attributes and active state over an existing Concur user; what the
// mapping does not manage stays as Concur holds it.
func link(ctx context.Context, client *concur.Client, op operation, existing *concur.User, ids *knownIDs) (ManagedUser, error) {
	result := op.to
	write := linkWrite(op, existing, ids)
	_, err := client.UpdateUser(ctx, write.ID, write.From, write.To)
	result.ID = existing.ID
	return result, err
}

func linkWrite(op operation, existing *concur.User, ids *knownIDs) concur.Provision {
	desired := *existing
	op.to.writeTo(&desired)
	ids.resolveManager(*existing, &desired)
	return concur.Provision{Key: op.key, ID: existing.ID, From: *existing, To: desired}
}

// linkOnConflict handles a create that Concur refused as a duplicate: when an account holds the
// emp_id (created since the plan), it is linked, unless the channel manages it under another
// emp_id (a hand edit its own update puts back); otherwise the conflict is on another attribute
// (the login ID) and is the create's failure.
func linkOnConflict(ctx context.Context, client *concur.Client, op operation, ids *knownIDs, conflict error) (ManagedUser, error) {
	existing, err := client.FindUserByEmployeeNumber(ctx, op.key)
	switch {
	case concur.IsNotFound(err):
		return op.to, conflict
	case err != nil:
		return op.to, fmt.Errorf("%w; looking up the account that holds emp_id %q failed: %w", conflict, op.key, err)
	}
	if managedAs, ok := ids.managedAs(existing.ID); ok {
		return op.to, fmt.Errorf("%w: the account holding emp_id %q is %s, which this channel manages as emp_id %q and whose emp_id this apply puts back; apply again",
			conflict, op.key, existing.ID, managedAs)
	}
	if owner, elsewhere := markedByAnother(op.to, existing); elsewhere {
		return op.to, fmt.Errorf("%w: the account holding emp_id %q (%s) was created since the plan and is managed elsewhere: its externalId names the owner %q. "+
			"This channel leaves it alone; plan again to see it named in the plan", conflict, op.key, existing.ID, owner)
	}
	return link(ctx, client, op, existing, ids)
}

// knownIDs are the Concur ids of the channel's users, by emp_id: those recorded or planned with an
// id, and those the apply creates. Reports name their manager by emp_id; where the executor knows
// the manager's id, no lookup is needed to link them.
type knownIDs struct {
	mu      sync.Mutex
	byEmpID map[string]string
	// managed maps the ids recorded before the apply to their emp_ids.
	managed map[string]string
}

func newKnownIDs(prior, planned map[string]ManagedUser) *knownIDs {
	k := &knownIDs{byEmpID: map[string]string{}, managed: map[string]string{}}
	for _, users := range []map[string]ManagedUser{prior, planned} {
		for key, user := range users {
			// An account whose emp_id another holds is no manager to link to by that emp_id.
			if user.ID != "" && user.EmpIDHeldBy == "" {
				k.byEmpID[key] = user.ID
			}
		}
	}
	for key, user := range prior {
		if user.ID != "" {
			k.managed[user.ID] = key
		}
	}
	return k
}

func (k *knownIDs) record(empID, id string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.byEmpID[empID] = id
}

func (k *knownIDs) managedAs(id string) (string, bool) {
	empID, ok := k.managed[id]
	return empID, ok
}

// resolveManager fills to.ManagerID where the manager changes from from's to one whose id is
// known; otherwise the client resolves the manager's emp_id.
func (k *knownIDs) resolveManager(from concur.User, to *concur.User) {
	manager := to.ManagerEmployeeNumber
	if manager == "" || to.ManagerID != "" || manager == from.ManagerEmployeeNumber {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	to.ManagerID = k.byEmpID[manager]
}

// managerWaves orders operations so a user whose manager or approver is created (or gets its
// emp_id) in the same apply comes after them: Concur needs them to exist to link them.
func managerWaves(operations []operation) [][]operation {
	// A manager is findable by its planned emp_id only once it is created, linked or renamed; an
	// approver holds a new spend role only once its update is made.
	pending := map[string]bool{}
	for _, op := range operations {
		if op.kind == ChangeCreate || op.kind == ChangeLink || op.kind == ChangeRename ||
			op.from.Attributes[AttrSpendRoles] != op.to.Attributes[AttrSpendRoles] {
			pending[op.key] = true
		}
	}
	var waves [][]operation
	remaining := operations
	for len(remaining) > 0 {
		var wave, later []operation
		for _, op := range remaining {
			if waitsFor(op, pending) {
				later = append(later, op)
			} else {
				wave = append(wave, op)
			}
		}
		if len(wave) == 0 { // a cycle of managers: Concur decides
			wave, later = later, nil
		}
		for _, op := range wave {
			delete(pending, op.key)
		}
		waves = append(waves, wave)
		remaining = later
	}
	return waves
}

// waitsFor reports whether op names a pending user as its manager or one of its approvers.
func waitsFor(op operation, pending map[string]bool) bool {
	for key, value := range op.to.Attributes {
		if (key == AttrManagerEmpID || attributesByName[key].Reference) && pending[value] && value != op.key {
			return true
		}
	}
	return false
}

func runConcurrently(ctx context.Context, operations []operation, concurrency int, do func(operation)) {
	if concurrency < 1 {
		concurrency = 1
	}
	slots := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for _, op := range operations {
		if ctx.Err() != nil {
			do(op) // each call fails fast on the cancelled context and is reported
			continue
		}
		slots <- struct{}{}
		wg.Add(1)
		go func(op operation) {
			defer func() { <-slots; wg.Done() }()
			do(op)
		}(op)
	}
	wg.Wait()
}

// updateKind names an update by what it does to the user, for failure messages.
func updateKind(from, to ManagedUser) ChangeKind {
	switch {
	case from.Active && !to.Active:
		return ChangeDeactivate
	case !from.Active && to.Active:
		return ChangeReactivate
	default:
		return ChangeUpdate
	}
}

// sameInConcur reports whether two records of a user ask the same of Concur; where the user
// comes from in the directory (DN, entry ID) is the channel's own bookkeeping.
func sameInConcur(a, b ManagedUser) bool {
	return a.ID == b.ID && a.Active == b.Active && sameAttributes(a.Attributes, b.Attributes)
}

// concurUser is the Concur user the managed attributes describe; unmapped fields stay empty,
// so a minimal patch between two of them never touches an unmapped attribute.
func (m ManagedUser) concurUser() concur.User {
	u := concur.User{ID: m.ID}
	m.writeTo(&u)
	return u
}

func (m ManagedUser) writeTo(u *concur.User) {
	if manager, mapped := m.Attributes[AttrManagerEmpID]; mapped && manager != u.ManagerEmployeeNumber {
		u.ManagerID = "" // resolved again from the new employee number
	}
	for key, value := range m.Attributes {
		SetUserAttribute(u, key, value)
	}
	if _, mapped := m.Attributes[AttrEmpID]; !mapped {
		u.EmployeeNumber = m.EmpID
	}
	u.Active = m.Active
}

// changedKeys lists the keys of to whose value differs in from, sorted.
func changedKeys(from, to map[string]string) []string {
	var keys []string
	for _, key := range sortedKeys(to) {
		if was, ok := from[key]; !ok || was != to[key] {
			keys = append(keys, key)
		}
	}
	return keys
}
