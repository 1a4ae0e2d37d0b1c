package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Two new channels over one source claim under different keys when anything else of their
// configuration differs, so the registry refuses the second instead of taking it for a re-plan.
func TestChannelOwnerKeysOfNewChannels(t *testing.T) {
	t.Parallel()
	channel := func(title string) provisioningMappingModel {
		return provisioningMappingModel{
			ID:     types.StringNull(),
			Source: &mappingSourceModel{GroupDN: types.StringValue("cn=staff,dc=example,dc=org")},
			AttributeMapping: types.MapValueMust(types.StringType, map[string]attr.Value{
				"emp_id": types.StringValue("{employeeNumber}"), "title": types.StringValue(title),
			}),
		}
	}
	first, second := channelOwner(channel("{title}")), channelOwner(channel("Clerk"))
	if first.Key == second.Key {
		t.Errorf("two new channels over one source with different mappings share the claim key %q", first.Key)
	}
	if again := channelOwner(channel("{title}")); again.Key != first.Key {
		t.Errorf("one channel's key changes between plans: %q, then %q", first.Key, again.Key)
	}
	if first.Name != second.Name {
		t.Errorf("names %q and %q differ; both name the source", first.Name, second.Name)
	}
}
