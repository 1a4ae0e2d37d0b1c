package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/terraform-concur/terraform-provider-concur/internal/provisioning"
)

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
		lines = append(lines, fmt.Sprintf("%s (%s): %s", conflict.EmpID, conflict.DN, conflict.Advice))
	}
	diags.AddWarning("Employee IDs held by other Concur accounts",
		"Another Concur account now holds the emp_id of these managed users. The channel does not take that account over "+
			"and does not create a second one: it changes nothing for these people until the emp_id is resolved in Concur.\n"+
			listLines(lines))
	return diags
}
