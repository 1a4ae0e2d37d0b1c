package provider

import (
	"regexp"
	"testing"

	"github.com/go-ldap/ldap/v3"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory/ldaptest"
)

// A group emptied down to a placeholder member (groupOfNames needs one; the placeholder has no
// employeeNumber) is an empty source: the plan fails naming allow_empty_source and the
// placeholder, however high max_deprovisions is, and nobody is disabled.
func TestAccProvisioningMapping_groupLeftWithAPlaceholderIsEmpty(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	srv := ldaptest.Start(t, ldaptest.Options{})
	people := append([]dirPersonSpec{{uid: "placeholder", given: "Place", family: "Holder"}}, mappingPeople...)
	srv.Load(t, directoryLDIF(people, mappingGroups))
	placeholderOnly := func() {
		changeDirectory(t, srv,
			modify(dirGroup("staff"), func(r *ldap.ModifyRequest) { r.Replace("member", []string{dirPerson("placeholder")}) }))
	}
	emptySource := regexp.MustCompile(wrapTolerant(`(?s)returned no users \(only ` + regexp.QuoteMeta(dirPerson("placeholder")) +
		`, which renders no emp_id: a placeholder, not a person\) while 3 users are managed.*allow_empty_source = true`))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: mappingConfig(s, srv, "max_deprovisions = 1000")},
			{
				PreConfig:   placeholderOnly,
				Config:      mappingConfig(s, srv, "max_deprovisions = 1000"),
				ExpectError: emptySource,
			},
			{
				// Under the default max_deprovisions (25) too it is the empty-source guard that
				// speaks, not advice to raise max_deprovisions.
				Config:      mappingConfig(s, srv),
				ExpectError: emptySource,
			},
		},
	})
	for _, empID := range []string{"1001", "1002", "1003"} {
		if active, err := sandboxField(s, empID, "active"); err != nil || active != true {
			t.Errorf("user %s: active = %v (%v), want it untouched", empID, active, err)
		}
	}
	if s.UserCount() != 3 {
		t.Errorf("sandbox holds %d users, want the 3 provisioned: the placeholder is not a person", s.UserCount())
	}
}
