package provisioning

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
)

// A bulk pays a fixed wait: Concur's status is read no sooner than 5 s after the request. So one
// round of an apply goes through /profile/v4/Bulk (100 users a request) only where that wait
// costs less time than writing one by one:
//   - BulkMinimumWrites creates and updates with a Spend or Travel profile: written one by one,
//     each of those waits for its own provision status too, ten at a time at the default
//     max_concurrency, so from two such rounds on the bulk is quicker, and it sends 0.02 requests
//     a user instead of two or more;
//   - BulkMinimumIdentityWrites writes of the identity alone: one by one they take one round trip
//     each, 1,000 of them about 5 s at 50 ms and 10 in flight, so below that a 1 % change of a
//     large channel is quicker one by one (and the 5 s would be most of its apply).
const (
	BulkMinimumWrites         = 20
	BulkMinimumIdentityWrites = 1000
)

// ApplyOption adjusts how Apply writes.
type ApplyOption func(*applySettings)

type applySettings struct {
	bulkMinimum int // 0: BulkMinimumWrites or BulkMinimumIdentityWrites, by what the writes carry
	warn        func(Warning)
}

// BulkFrom sets how many writes of one round go through /profile/v4/Bulk, whatever they carry:
// 1 sends every create and update in bulk, math.MaxInt none.
func BulkFrom(writes int) ApplyOption {
	return func(s *applySettings) { s.bulkMinimum = writes }
}

// inBulkRound reports whether a round's creates and updates go through /profile/v4/Bulk.
func (s applySettings) inBulkRound(round []operation) bool {
	writes, profiles := 0, 0
	for _, op := range round {
		if inBulk(op) {
			writes++
			if op.to.hasProfile() {
				profiles++
			}
		}
	}
	switch {
	case writes == 0:
		return false
	case s.bulkMinimum > 0:
		return writes >= s.bulkMinimum
	default:
		return profiles >= BulkMinimumWrites || writes >= BulkMinimumIdentityWrites
	}
}

// WarnWith receives what Apply did that its caller should tell the user, such as writing one by
// one because Concur refused the bulk.
func WarnWith(warn func(Warning)) ApplyOption {
	return func(s *applySettings) { s.warn = warn }
}

// Warning is something Apply did that the user should know, with what to do about it.
type Warning struct {
	Summary, Detail string
}

func newApplySettings(options []ApplyOption) applySettings {
	s := applySettings{warn: func(Warning) {}}
	for _, option := range options {
		option(&s)
	}
	return s
}

// inBulk reports whether an operation can go through /profile/v4/Bulk. Deactivations and deletes
// stay one by one: the deprovisioning guard keeps them few, and a deactivation of an account
// deleted in Concur since the refresh is recognised by Identity's own 404.
func inBulk(op operation) bool {
	return op.kind != ChangeDeactivate && op.kind != ChangeDelete
}

func countInBulk(operations []operation) int {
	n := 0
	for _, op := range operations {
		if inBulk(op) {
			n++
		}
	}
	return n
}

// applyBulk writes the creates and updates of one round through /profile/v4/Bulk and settles each.
// A create Concur refuses as a duplicate is handled as one refused one by one (linkOnConflict). It
// returns the operations to write one by one: the deactivations and deletes, those whose bulk
// request failed as a whole, and, when Concur refused the bulk for want of user.provision.write
// (refused), the ones it did not write.
func applyBulk(ctx context.Context, client *concur.Client, round []operation, linked map[string]*concur.User, ids *knownIDs,
	settle func(operation, ManagedUser, error)) (oneByOne []operation, refused error) {
	sent := make([]operation, 0, len(round))
	writes := make([]concur.Provision, 0, len(round))
	for _, op := range round {
		if !inBulk(op) {
			oneByOne = append(oneByOne, op)
			continue
		}
		write, err := userWrite(op, linked[op.to.ID], ids)
		if err != nil {
			settle(op, op.to, err)
			continue
		}
		sent, writes = append(sent, op), append(writes, write)
	}
	if len(writes) == 0 {
		return oneByOne, nil
	}
	results, err := client.ProvisionUsers(ctx, writes)
	if err != nil {
		for _, op := range sent {
			settle(op, op.to, err)
		}
		return oneByOne, nil
	}
	var duplicates []operation
	for _, op := range sent {
		outcome := results[op.key]
		result := op.to
		switch {
		case concur.LacksScope(outcome.Err, concur.ScopeProvisionWrite):
			oneByOne, refused = append(oneByOne, op), outcome.Err
		case !hasOutcome(outcome.Err):
			// No answer of Concur's for the user itself: the bulk request or its status failed as a
			// whole (a 5xx, a lost answer), so whether Concur wrote the user is unknown, or the
			// client did not send it (a manager it could not resolve). Written one by one, each
			// gets its own answer, and a create Concur already made is refused as a duplicate
			// emp_id and linked, so none is made twice.
			oneByOne = append(oneByOne, op)
		case op.kind == ChangeCreate && concur.IsConflict(outcome.Err):
			duplicates = append(duplicates, op)
		case op.kind == ChangeCreate && outcome.Err == nil && outcome.ID == "":
			settle(op, result, errors.New("the bulk reports the user created but names no Concur id for it; the next plan finds it by its emp_id and links it"))
		default:
			if op.kind == ChangeCreate {
				result.ID = outcome.ID
			}
			settle(op, result, outcome.Err)
		}
	}
	runConcurrently(ctx, duplicates, client.MaxConcurrency(), func(op operation) {
		result, err := linkOnConflict(ctx, client, op, ids, results[op.key].Err)
		settle(op, result, err)
	})
	return oneByOne, refused
}

// bulkRounds counts the rounds that go through /profile/v4/Bulk. Each waits for its provision
// (ProvisionPollDelay and more) before the next starts; the rounds below the minimum, written one
// by one, take a round trip or two.
func bulkRounds(rounds [][]operation, settings applySettings) int {
	n := 0
	for _, round := range rounds {
		if settings.inBulkRound(round) {
			n++
		}
	}
	return n
}

// deferredManager is a create or update sent without the new manager it plans, because the same
// apply creates the manager: a follow-up sets it once the manager has its Concur id.
type deferredManager struct {
	planned operation
	sent    ManagedUser // the planned user with the manager Concur holds now
}

// deferManagers turns rounds ordered by manager (managerWaves), of which more than two would go in
// bulk, into two: the first round's operations and every later create and update sent at once,
// the later ones without their new manager, and a follow-up (managerFollowUps) that sets those
// managers. A hierarchy N levels deep then costs two bulk rounds instead of N, for one more
// operation per report (0.02 requests). Deactivations and deletes keep their rounds, after the first.
func deferManagers(rounds [][]operation, linked map[string]*concur.User) ([][]operation, []deferredManager) {
	first := slices.Clone(rounds[0])
	var later [][]operation
	var deferred []deferredManager
	for _, round := range rounds[1:] {
		var oneByOne []operation
		for _, op := range round {
			if !inBulk(op) {
				oneByOne = append(oneByOne, op)
				continue
			}
			sent := op
			sent.to = withoutNewManager(op, linked[op.to.ID])
			first = append(first, sent)
			deferred = append(deferred, deferredManager{planned: op, sent: sent.to})
		}
		if len(oneByOne) > 0 {
			later = append(later, oneByOne)
		}
	}
	return append([][]operation{first}, later...), deferred
}

// withoutNewManager is op's planned user with the manager Concur holds now: none for a create.
func withoutNewManager(op operation, linkTarget *concur.User) ManagedUser {
	to := op.to
	to.Attributes = maps.Clone(op.to.Attributes)
	switch {
	case op.from.ID != "":
		to.Attributes[AttrManagerEmpID] = op.from.Attributes[AttrManagerEmpID]
	case linkTarget != nil:
		to.Attributes[AttrManagerEmpID] = linkTarget.ManagerEmployeeNumber
	default:
		to.Attributes[AttrManagerEmpID] = ""
	}
	return to
}

// managerFollowUps are the updates that set the deferred managers, of the users whose first write
// succeeded (recorded as sent); a first write that failed is reported already, and the next apply
// writes the user whole.
func managerFollowUps(deferred []deferredManager, recorded map[string]ManagedUser) []operation {
	var round []operation
	for _, d := range deferred {
		current, ok := recorded[d.planned.key]
		if !ok || current.ID == "" || current.Active != d.sent.Active || !sameAttributes(current.Attributes, d.sent.Attributes) {
			continue
		}
		to := d.planned.to
		to.ID = current.ID
		round = append(round, operation{kind: ChangeUpdate, key: d.planned.key, from: current, to: to})
	}
	return round
}

// hasOutcome reports whether a bulk write's error is Concur's answer for the user itself.
func hasOutcome(err error) bool {
	var opErr *concur.OperationError
	var extErr *concur.ExtensionError
	return err == nil || errors.As(err, &opErr) || errors.As(err, &extErr)
}

// bulkRefusedWarning says that writes went one by one because the app lacks user.provision.write,
// and what granting it saves: n requests against two per hundred users (the bulk and its status).
func bulkRefusedWarning(writes int, refusal error) Warning {
	var scopeErr *concur.ScopeError
	if errors.As(refusal, &scopeErr) {
		refusal = scopeErr.Err // its advice to run again does not apply: nothing is left to run
	}
	bulkRequests := 2 * ((writes + concur.MaxBulkOperations - 1) / concur.MaxBulkOperations)
	return Warning{
		Summary: "Concur users written one by one: the app lacks " + concur.ScopeProvisionWrite,
		Detail: fmt.Sprintf("Concur refused the bulk write (/profile/v4/Bulk) of %d users: %v\n\n"+
			"The apply went on without it and wrote them one by one through the Identity API, %d requests where the bulk takes about %d. "+
			"Nothing is missing; to make large applies faster and lighter on Concur's rate limit, ask your SAP Concur representative "+
			"to grant the app %s.", writes, refusal, writes, bulkRequests, concur.ScopeProvisionWrite),
	}
}

// hasProfile reports whether the user sets anything of a Spend or Travel profile, which only the
// User Provisioning Service writes, and asynchronously.
func (m ManagedUser) hasProfile() bool {
	for key, value := range m.Attributes {
		if a, ok := attributesByName[key]; ok && a.Profile != "" && value != "" {
			return true
		}
	}
	return false
}
