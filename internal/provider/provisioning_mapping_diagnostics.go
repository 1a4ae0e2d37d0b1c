package provider

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/terraform-concur/terraform-provider-concur/internal/provisioning"
)

// The messages concur_provisioning_mapping shows in plans and applies.

// addGuardError reports a guard trip with the users it protects and what to do.
func addGuardError(diags *diag.Diagnostics, at path.Path, summary string, guard *provisioning.GuardError, advice string) {
	diags.AddAttributeError(at, summary,
		fmt.Sprintf("Nothing was changed: %s. The users it would deprovision: %s.\n\n%s", guard.Reason, listSome(guard.EmpIDs, listedEmpIDs), advice))
}

// sourceWarnings names the directory entries that could not be provisioned.
func sourceWarnings(desired provisioning.Desired) diag.Diagnostics {
	return keyedEntries{
		title: "Directory entries", one: "entry", many: "entries", of: "the source", key: "emp_id", leftOut: "provisioned",
		missingOne:    "rendered an empty emp_id and is not provisioned",
		missingMany:   "rendered an empty emp_id and are not provisioned",
		fixMissing:    "Fill the directory attribute that emp_id is mapped from.",
		fixUnresolved: "A managed user among them is deprovisioned; if the bind account lacks read access, grant it before applying.",
	}.warnings(desired.MissingEmpID, desired.DuplicateEmpIDs, desired.Unresolved)
}

// changeWarnings is the plan's one-line summary, plus a note for each emp_id change.
func changeWarnings(plan *provisioning.Plan) diag.Diagnostics {
	var diags diag.Diagnostics
	var deprovisions, renames []string
	for _, change := range plan.Changes {
		switch change.Kind {
		case provisioning.ChangeRename:
			renames = append(renames, fmt.Sprintf("%s -> %s (%s)", change.PreviousEmpID, change.EmpID, change.DN))
		case provisioning.ChangeDeactivate, provisioning.ChangeDelete:
			deprovisions = append(deprovisions, fmt.Sprintf("%s %s: %s", change.Kind, change.EmpID, change.Reason))
		}
	}
	if len(plan.Changes) > 0 {
		detail := "Per-user changes are in the plan's users attribute."
		if len(deprovisions) > 0 {
			detail += "\n" + listLines(deprovisions)
		}
		if len(plan.SkippedDisabled) > 0 {
			detail += "\nnot provisioned, disabled in the directory (provision_disabled_users is off): " + listSome(plan.SkippedDisabled, listedEmpIDs)
		}
		diags.AddWarning("Provisioning: "+plan.Summary(), detail)
	}
	if len(plan.Invalid) > 0 {
		lines := make([]string, 0, len(plan.Invalid))
		for _, invalid := range plan.Invalid {
			lines = append(lines, fmt.Sprintf("%q (%s): %s", invalid.EmpID, invalid.DN, invalid.Reason))
		}
		diags.AddWarning("Directory users with values Concur would refuse",
			"These users are neither created nor changed (a managed one keeps its current Concur values) until the directory is corrected:\n"+
				listLines(lines))
	}
	if len(plan.UnknownManagers) > 0 {
		lines := make([]string, 0, len(plan.UnknownManagers))
		for _, manager := range slices.Sorted(maps.Keys(plan.UnknownManagers)) {
			lines = append(lines, fmt.Sprintf("%s, manager of %s", manager, listSome(plan.UnknownManagers[manager], listedEmpIDs)))
		}
		diags.AddWarning("Managers that are not in Concur",
			"These manager emp_ids are neither Concur users nor provisioned by this channel, so writing the users who name them "+
				"will fail at apply. Create the managers in Concur (or bring them into the source), or fix the manager mapping:\n"+listLines(lines))
	}
	if len(plan.ApproversWithoutRole) > 0 {
		lines := make([]string, 0, len(plan.ApproversWithoutRole))
		for _, a := range plan.ApproversWithoutRole {
			lines = append(lines, a.String())
		}
		diags.AddWarning("Approvers Concur would refuse",
			"Concur accepts an approver only if that user exists and holds the spend role of the approval. These users' approvers "+
				"are held back (each keeps the approver Concur holds now, none for a new user) while their other changes are made; "+
				"grant the role (spend_roles, or in Concur) or map another approver, and the next plan sets them:\n"+listLines(lines))
	}
	if len(renames) > 0 {
		diags.AddWarning("Employee IDs changed in the directory",
			"These directory entries now carry a different emp_id; the same Concur users are updated in place, not disabled and recreated:\n"+
				listLines(renames))
	}
	return diags
}

// addApplyErrors reports an apply that could not start (err), or every user that failed with
// Concur's reason after what happened to the others (done), and what to do about each kind of
// failure once.
func addApplyErrors(diags *diag.Diagnostics, action string, err error, failures []provisioning.Failure, done string) {
	if err != nil {
		advice := concurAdvice(err, scopesUserRead...)
		if advice == "" {
			advice = " Check that Concur is reachable and the credentials are valid, then run the same command again."
		}
		diags.AddError(fmt.Sprintf("Could not %s the channel's users", action), fmt.Sprintf("Nothing was changed: %s.%s", err, advice))
		return
	}
	if len(failures) == 0 {
		return
	}
	lines := make([]string, 0, len(failures))
	var advice []string
	for _, failure := range failures {
		lines = append(lines, failure.Error())
		scope := scopeUserWrite
		if failure.Kind == provisioning.ChangeDelete {
			scope = scopeUserDelete
		}
		if a := concurAdvice(failure.Err, scope); a != "" && !slices.Contains(advice, a) {
			advice = append(advice, a)
		}
	}
	diags.AddError(fmt.Sprintf("Could not %s %s", action, count(len(failures), "user", "users")),
		done+"\n"+strings.Join(lines, "\n")+strings.Join(advice, ""))
}

// empIDConflictWarnings names the managed users whose emp_id another Concur account now holds,
// with both accounts and what to do: the plan leaves them alone rather than take the other
// account over or create a second one.
func empIDConflictWarnings(plan *provisioning.Plan) diag.Diagnostics {
	var diags diag.Diagnostics
	if len(plan.EmpIDConflicts) == 0 {
		return diags
	}
	lines := make([]string, 0, len(plan.EmpIDConflicts))
	for _, conflict := range plan.EmpIDConflicts {
		who := conflict.EmpID
		if conflict.DN != "" { // state upgraded from schema version 1 names entries from its next apply
			who += " (" + conflict.DN + ")"
		}
		lines = append(lines, fmt.Sprintf("%s: %s", who, conflict.Advice))
	}
	diags.AddWarning("Employee IDs held by other Concur accounts",
		"Another Concur account now holds the emp_id of these managed users. The channel does not take that account over "+
			"and does not create a second one: it changes nothing for these people until the emp_id is resolved in Concur.\n"+
			listLines(lines))
	return diags
}
