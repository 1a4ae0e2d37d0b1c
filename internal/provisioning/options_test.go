package provisioning

import "testing"

func TestParseDeprovisionAction(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]DeprovisionAction{
		"deactivate": DeprovisionDeactivate,
		"disable":    DeprovisionDeactivate,
		"delete":     DeprovisionDelete,
	} {
		if got := ParseDeprovisionAction(in); got != want {
			t.Errorf("ParseDeprovisionAction(%q) = %q, want %q", in, got, want)
		}
	}
}
