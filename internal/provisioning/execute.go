package provisioning

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
)

// Failure is one user the executor could not bring to its planned state, with Concur's reason.
type Failure struct {
	EmpID string
	Kind  ChangeKind
	Err   error
}

func (f Failure) Error() string {
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
func Apply(ctx context.Context, client *concur.Client, prior, planned map[string]ManagedUser) (map[string]ManagedUser, []Failure, error) {
	operations := diffOperations(prior, planned)
	existing, err := lookupBeforeCreate(ctx, client, operations)
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
	var mu sync.Mutex
	var failures []Failure
	for _, wave := range managerWaves(operations) {
		runConcurrently(ctx, wave, client.MaxConcurrency(), func(op operation) {
			result, err := apply(ctx, client, op, existing[op.key])
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failures = append(failures, Failure{EmpID: op.key, Kind: op.kind, Err: err})
				return
			}
			delete(recorded, op.previousKey)
			if op.kind == ChangeDelete {
				delete(recorded, op.key)
				return
			}
			recorded[op.key] = result
		})
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
			kind = ChangeAdopt
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

// lookupBeforeCreate finds, in one batched search, the Concur users that already hold the
// emp_ids the apply creates or links: a user created since the plan is linked, not duplicated.
func lookupBeforeCreate(ctx context.Context, client *concur.Client, operations []operation) (map[string]*concur.User, error) {
	var empIDs []string
	for _, op := range operations {
		if op.kind == ChangeCreate || op.kind == ChangeAdopt {
			empIDs = append(empIDs, op.key)
		}
	}
	if len(empIDs) == 0 {
		return nil, nil
	}
	found, err := client.FindUsersByEmployeeNumbers(ctx, empIDs)
	if err != nil {
		return nil, fmt.Errorf("looking up %d emp_ids before creating them: %w", len(empIDs), err)
	}
	return found, nil
}

// apply carries out one operation and returns the user to record.
func apply(ctx context.Context, client *concur.Client, op operation, existing *concur.User) (ManagedUser, error) {
	result := op.to
	switch {
	case op.kind == ChangeDelete:
		return ManagedUser{}, client.DeleteUser(ctx, op.from.ID)
	case op.from.ID != "": // an update, disable, reactivation or emp_id change of a recorded user
		_, err := client.UpdateUser(ctx, op.from.ID, op.from.concurUser(), op.to.concurUser())
		return result, err
	case existing != nil:
		// Linking an existing user: only mapped attributes and active are written over it.
		desired := *existing
		op.to.writeTo(&desired)
		_, err := client.UpdateUser(ctx, existing.ID, *existing, desired)
		result.ID = existing.ID
		return result, err
	case op.kind == ChangeAdopt:
		return result, fmt.Errorf("the Concur user %s to link is gone since the plan; run plan again", op.to.ID)
	default:
		created, err := client.CreateUser(ctx, op.to.concurUser())
		if err != nil {
			return result, err
		}
		result.ID = created.ID
		return result, nil
	}
}

// managerWaves orders operations so a user whose manager is created (or gets its emp_id) in the
// same apply comes after the manager: Concur needs the manager to exist to link it.
func managerWaves(operations []operation) [][]operation {
	// A manager is findable by its planned emp_id only once it is created, linked or renamed.
	pending := map[string]bool{}
	for _, op := range operations {
		if op.kind == ChangeCreate || op.kind == ChangeAdopt || op.kind == ChangeRename {
			pending[op.key] = true
		}
	}
	var waves [][]operation
	remaining := operations
	for len(remaining) > 0 {
		var wave, later []operation
		for _, op := range remaining {
			manager := op.to.Attributes[AttrManagerEmpID]
			if pending[manager] && manager != op.key {
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
		return ChangeDisable
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
	u.EmployeeNumber = m.EmpID
	u.Active = m.Active
}
