package concur

// patchOp is one operation of a SCIM PatchOp request (RFC 7644 §3.5.2).
type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path,omitempty"` // empty: value is an object keyed by schema
	Value any    `json:"value,omitempty"`
}

type patchRequest struct {
	Schemas    []string  `json:"schemas"`
	Operations []patchOp `json:"Operations"`
}

// patchOps lists the operations that turn from into to, touching only what differs, so that
// a change made in Concur to an attribute we do not manage is never overwritten. An emptied
// attribute is removed. to.ManagerID must already be resolved (see resolveManager).
func patchOps(from, to User) []patchOp {
	var ops []patchOp
	if from.Active != to.Active {
		ops = append(ops, patchOp{Op: "replace", Path: "active", Value: to.Active})
	}
	for _, a := range wireAttributes {
		was, want := a.value(from), a.value(to)
		switch {
		case was == want:
		case want == "":
			ops = append(ops, patchOp{Op: "remove", Path: a.path})
		default:
			ops = append(ops, patchOp{Op: "replace", Path: a.path, Value: a.wireValue(want)})
		}
	}
	// Callers may know a manager by employee number only (its id left empty), so a change of
	// either is a change of manager.
	switch {
	case from.ManagerID == to.ManagerID && from.ManagerEmployeeNumber == to.ManagerEmployeeNumber:
	case to.ManagerID == "":
		ops = append(ops, patchOp{Op: "remove", Path: pathManager})
	default:
		ops = append(ops, patchOp{Op: "replace", Path: pathManager, Value: map[string]string{"value": to.ManagerID}})
	}
	return ops
}
