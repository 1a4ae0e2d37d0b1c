package provisioning

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
)

// Source is where a channel's users come from: the members of a group, or the entries an LDAP
// filter matches under a base DN.
type Source struct {
	GroupDN string
	Nested  bool
	Filter  string
	// BaseDN is the filter's search base; for a group, where its members are searched.
	BaseDN string
	Scope  directory.Scope
	// DisabledFilter overrides the directory's filter for disabled users; "" keeps it.
	DisabledFilter string
}

// Validate checks the source without contacting the directory.
func (s Source) Validate() error {
	switch {
	case s.GroupDN != "" && s.Filter != "":
		return fmt.Errorf("set either group_dn or filter, not both")
	case s.GroupDN != "":
		return directory.GroupQuery{DN: s.GroupDN, UserBaseDN: s.BaseDN, Nested: s.Nested}.Validate()
	case s.Filter != "":
		return directory.FilterQuery{BaseDN: s.BaseDN, Filter: s.Filter, Scope: s.Scope}.Validate()
	default:
		return fmt.Errorf("set group_dn (the members of a group) or filter with base_dn (the entries it matches)")
	}
}

// Channel is a provisioning channel: a source, a mapping and the options.
type Channel struct {
	Source  Source
	Mapping *Mapping
	Options Options
}

// ReadSource returns the source's entries with the attributes the mapping reads, and for a
// group the member values that name no readable entry.
func ReadSource(ctx context.Context, dir *directory.Client, source Source, attributes []string) (entries []directory.Entry, unresolved []directory.UnresolvedMember, err error) {
	dir, err = dir.WithDisabledFilter(source.DisabledFilter)
	if err != nil {
		return nil, nil, err
	}
	if source.GroupDN != "" {
		group, err := dir.GroupMembers(ctx, directory.GroupQuery{
			DN: source.GroupDN, Nested: source.Nested, UserBaseDN: source.BaseDN, Attributes: attributes,
		})
		if err != nil {
			return nil, nil, fmt.Errorf("reading the members of %s: %w", source.GroupDN, err)
		}
		return group.Members, group.Unresolved, nil
	}
	entries, err = dir.SearchUsers(ctx, directory.FilterQuery{
		BaseDN: source.BaseDN, Filter: source.Filter, Scope: source.Scope, Attributes: attributes,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("searching %s under %s: %w", source.Filter, source.BaseDN, err)
	}
	return entries, nil, nil
}

// PlanChannel reads the source, renders it and plans the channel's users against the ones it
// manages (already refreshed from Concur). New emp_ids are looked up in Concur in one batched
// search, so existing accounts are linked rather than duplicated.
func PlanChannel(ctx context.Context, client *concur.Client, dir *directory.Client, channel Channel, managed map[string]ManagedUser) (*Plan, Desired, error) {
	mapping := channel.Mapping
	// Settings the marker rules refuse are the configuration's error, found before any read.
	if err := channel.Options.Ownership.Check(channel.Mapping.mapsMarker()); err != nil {
		return nil, Desired{}, err
	}
	desired, err := readDesired(ctx, dir, channel)
	if err != nil {
		return nil, Desired{}, err
	}
	var unmanaged []string
	for empID := range desired.Users {
		// An emp_id Concur would refuse is reported by the plan; looking it up would only risk
		// a search Concur refuses as a whole.
		if _, ok := managed[empID]; !ok && concur.CheckEmployeeNumber(empID) == nil {
			unmanaged = append(unmanaged, empID)
		}
	}
	existing, err := lookUp(ctx, client, unmanaged)
	if err != nil {
		return nil, desired, err
	}
	// Linked accounts are planned from what Concur holds, their profiles included.
	if err := ReadProfiles(ctx, client, slices.Collect(maps.Values(existing)), mapping.Keys()); err != nil {
		return nil, desired, fmt.Errorf("reading the profiles of %d Concur users to link: %w", len(existing), err)
	}
	plan, err := PlanUsers(desired, managed, existing, channel.Mapping, channel.Options)
	if err != nil {
		return nil, desired, err
	}
	if plan.UnknownManagers, err = unknownManagers(ctx, client, plan, managed); err != nil {
		return nil, desired, err
	}
	current := func(c Change) map[string]string {
		switch c.Kind {
		case ChangeCreate:
			return nil
		case ChangeLink:
			return attributesOf(existing[c.EmpID], mapping)
		case ChangeRename:
			return managed[c.PreviousEmpID].Attributes
		}
		return managed[c.EmpID].Attributes
	}
	if err := checkApproverRoles(ctx, client, plan, mapping, current); err != nil {
		return nil, desired, err
	}
	return plan, desired, nil
}

// lookUp finds the Concur users holding the emp_ids, in batched searches.
func lookUp(ctx context.Context, client *concur.Client, empIDs []string) (map[string]*concur.User, error) {
	if len(empIDs) == 0 {
		return nil, nil
	}
	sort.Strings(empIDs)
	found, err := client.FindUsersByEmployeeNumbers(ctx, empIDs)
	if err != nil {
		return nil, fmt.Errorf("looking up %d emp_ids in Concur: %w", len(empIDs), err)
	}
	return found, nil
}

// unknownManagers maps each manager emp_id that Concur lacks and the channel does not provision
// to the users whose write would send it, that is whose manager the plan sets or changes: those
// writes would fail at apply. A manager left as it was is never resolved, so never fails.
func unknownManagers(ctx context.Context, client *concur.Client, plan *Plan, managed map[string]ManagedUser) (map[string][]string, error) {
	naming := map[string][]string{}
	for _, change := range plan.Changes {
		manager := plan.Users[change.EmpID].Attributes[AttrManagerEmpID]
		recordedAs := change.EmpID
		if change.Kind == ChangeRename {
			recordedAs = change.PreviousEmpID
		}
		if manager == "" || change.Kind == ChangeDelete || managed[recordedAs].Attributes[AttrManagerEmpID] == manager {
			continue
		}
		if _, provisioned := plan.Users[manager]; !provisioned {
			naming[manager] = append(naming[manager], change.EmpID)
		}
	}
	found, err := lookUp(ctx, client, sortedKeys(naming))
	for manager := range found {
		delete(naming, manager)
	}
	return naming, err
}

// referencedEntries answers the mapping's ref filters from the source's own entries, reading
// the entries they point at outside the source (a manager outside the group) in one pass.
func referencedEntries(ctx context.Context, dir *directory.Client, entries []directory.Entry, mapping *Mapping) (Resolve, error) {
	if len(mapping.ReferencedAttributes()) == 0 {
		return nil, nil
	}
	index := EntryIndex{}
	index.Add(entries...)
	if missing := index.Missing(entries, mapping); len(missing) > 0 {
		outside, err := dir.ReadEntries(ctx, missing, mapping.ReferencedAttributes())
		if err != nil {
			return nil, fmt.Errorf("reading %d entries the mapping refers to: %w", len(missing), err)
		}
		index.Add(outside...)
	}
	return index.Resolve, nil
}

// Destroyed is what destroying a channel left.
type Destroyed struct {
	// Kept says the channel must stay, recording Users, because some users could not be
	// deprovisioned (Failures) or Concur could not be reached: destroying again retries only them.
	Kept bool
	// Users are the managed users as now recorded, as Apply returns them.
	Users    map[string]ManagedUser
	Failures []Failure
	// Skipped lists the managed users whose account another owner's marker names: the destroy
	// neither deactivated nor deleted them, and stopped managing them.
	Skipped []ElsewhereUser
}

// Destroy carries out destroying a channel (CheckDestroy has passed at plan time): with
// on_destroy = keep it touches nobody; with deprovision it applies the deprovision action to
// every managed user but those whose account another owner's marker names, as Concur holds it
// right before (opts.Ownership.Owner is the configuration's owner; a destroy takes nobody over, so
// take_over_from counts for nothing). An error says nothing could be attempted.
func Destroy(ctx context.Context, client *concur.Client, managed map[string]ManagedUser, opts Options) (Destroyed, error) {
	if opts.OnDestroy != OnDestroyDeprovision {
		return Destroyed{}, nil
	}
	planned := map[string]ManagedUser{}
	if opts.DeprovisionAction == DeprovisionDeactivate {
		for empID, user := range managed {
			user.Active = false
			planned[empID] = user
		}
	}
	recorded, failures, err := Apply(ctx, client, managed, planned, Ownership{Owner: opts.Ownership.Owner})
	destroyed := Destroyed{Users: recorded}
	for _, failure := range failures {
		var elsewhere *ManagedElsewhereError
		if !errors.As(failure.Err, &elsewhere) {
			destroyed.Failures = append(destroyed.Failures, failure)
			continue
		}
		delete(recorded, failure.EmpID)
		destroyed.Skipped = append(destroyed.Skipped, ElsewhereUser{EmpID: failure.EmpID, DN: managed[failure.EmpID].DN, Owner: elsewhere.Owner, Managed: true})
	}
	destroyed.Kept = err != nil || len(destroyed.Failures) > 0
	return destroyed, err
}
