package provider

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
)

// keyingListLimit is how many entries or keys a keying warning names before it says how many
// more.
const keyingListLimit = 20

// keyedEntries is what reading directory entries keyed by one attribute left out, and how to say
// it: concur_directory_group keys a group's members by key_attribute, a provisioning channel
// keys its source by the emp_id it renders.
type keyedEntries struct {
	// title names the entries in a summary ("Group members"); one and many in a sentence.
	title, one, many string
	// of names where they come from: a group's DN, quoted, or "the source".
	of string
	// key is what they are keyed by; leftOut says what the entries left out are not ("in
	// members", "provisioned").
	key, leftOut string
	// missingOne and missingMany say, after "1 entry of the source" or "3 entries of ...", what
	// happened to entries without the key; fixMissing what to do about them, and fixUnresolved
	// about member values that name no readable entry.
	missingOne, missingMany, fixMissing, fixUnresolved string
}

// warnings names every entry left out, so nobody is left out silently: those without the key
// (their DNs), those sharing a key (key to DNs), and member values that name no readable entry.
func (k keyedEntries) warnings(missingKey []string, duplicates map[string][]string, unresolved []directory.UnresolvedMember) diag.Diagnostics {
	var diags diag.Diagnostics
	if n := len(missingKey); n > 0 {
		diags.AddWarning(k.title+" without "+k.key+" left out",
			fmt.Sprintf("%s of %s %s: %s. %s",
				count(n, k.one, k.many), k.of, pick(n, k.missingOne, k.missingMany), listDNs(missingKey, keyingListLimit), k.fixMissing))
	}
	if n := len(duplicates); n > 0 {
		keys := slices.Sorted(maps.Keys(duplicates))
		shown := make([]string, 0, min(n, keyingListLimit))
		for _, key := range keys[:min(n, keyingListLimit)] {
			shown = append(shown, fmt.Sprintf("%s %q is held by %s", k.key, key, strings.Join(slices.Sorted(slices.Values(duplicates[key])), " and ")))
		}
		more := ""
		if n > keyingListLimit {
			more = fmt.Sprintf("; and %d more keys", n-keyingListLimit)
		}
		diags.AddWarning(k.title+" sharing "+k.key+" left out",
			fmt.Sprintf("%d values of %s are held by more than one %s of %s. Picking one %s would be a guess, "+
				"so none of them is %s: %s%s. Make %s unique in the directory.",
				n, k.key, k.one, k.of, k.one, k.leftOut, strings.Join(shown, "; "), more, k.key))
	}
	if n := len(unresolved); n > 0 {
		diags.AddWarning("Group members with no directory entry",
			fmt.Sprintf("%d member values of %s name no readable entry (a deleted user still listed, or a memberUid "+
				"without an account): %s. %s",
				n, k.of, listDNs(unresolvedNames(unresolved), keyingListLimit), k.fixUnresolved))
	}
	return diags
}

// unresolvedNames names member values as the directory shows them.
func unresolvedNames(members []directory.UnresolvedMember) []string {
	names := make([]string, len(members))
	for i, m := range members {
		names[i] = m.String()
	}
	return names
}
