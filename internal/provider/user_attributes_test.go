package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/terraform-concur/terraform-provider-concur/internal/concur"
	"github.com/terraform-concur/terraform-provider-concur/internal/provisioning"
)

// Every catalogue attribute must survive the trip from a Concur user to the Terraform model and
// back, so that a value read from Concur is the one written to it.
func TestEveryCatalogueAttributeRoundTripsThroughTheModel(t *testing.T) {
	t.Parallel()
	var u concur.User
	u.ID, u.Active = "0b7c2a8e-5f0e-4f5e-9d55-8a1f0c3c2b11", true
	for _, a := range provisioning.Attributes {
		a.SetValue(&u, "value of "+a.Name)
	}
	back := userAttributesFrom(&u).toConcur()
	if back.ID != u.ID || back.Active != u.Active {
		t.Errorf("id and active read back as %q and %v", back.ID, back.Active)
	}
	for _, a := range provisioning.Attributes {
		if got := a.Value(&back); got != "value of "+a.Name {
			t.Errorf("%s reads back as %q", a.Name, got)
		}
	}
}

func TestAnOptionalAttributeConcurLeavesEmptyIsNull(t *testing.T) {
	t.Parallel()
	model := userAttributesFrom(&concur.User{EmployeeNumber: "E1"})
	if !model.Title.IsNull() || !model.StartDate.IsNull() {
		t.Errorf("empty title and start_date are %v and %v, want null", model.Title, model.StartDate)
	}
	if model.EmpID.ValueString() != "E1" || model.LoginID.IsNull() {
		t.Errorf("emp_id %v and login_id %v: required attributes must be values", model.EmpID, model.LoginID)
	}
}

// The resource and both data sources must offer every catalogue attribute, described as the
// catalogue describes it, and no attribute the catalogue does not hold besides the ones Concur sets.
func TestUserSchemasOfferEveryCatalogueAttribute(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var resourceSchema resource.SchemaResponse
	NewUserResource().Schema(ctx, resource.SchemaRequest{}, &resourceSchema)
	var dataSourceSchema datasource.SchemaResponse
	NewUserDataSource().Schema(ctx, datasource.SchemaRequest{}, &dataSourceSchema)
	listed := computedUserAttributes()

	outside := map[string]bool{"id": true, "display_name": true, "active": true, "deletion_mode": true, "take_over_from": true}
	for _, a := range provisioning.Attributes {
		argument, ok := resourceSchema.Schema.Attributes[a.Name]
		if !ok {
			t.Errorf("concur_user has no argument %s", a.Name)
			continue
		}
		if argument.IsRequired() != a.Required {
			t.Errorf("concur_user.%s required = %v, the catalogue says %v", a.Name, argument.IsRequired(), a.Required)
		}
		// The marker attribute is computed too: with the provider's owner set, the plan fills it in.
		if want := a.ServerDefault || a.Name == provisioning.MarkerAttribute; argument.IsComputed() != want {
			t.Errorf("concur_user.%s computed = %v, want %v (the catalogue's server default is %v)", a.Name, argument.IsComputed(), want, a.ServerDefault)
		}
		if _, ok := dataSourceSchema.Schema.Attributes[a.Name]; !ok {
			t.Errorf("the concur_user data source has no attribute %s", a.Name)
		}
		if attribute, ok := listed[a.Name]; !ok || attribute.GetMarkdownDescription() != a.Description {
			t.Errorf("the users listed lack %s or describe it otherwise than the catalogue", a.Name)
		}
	}
	for name := range resourceSchema.Schema.Attributes {
		if _, ok := provisioning.AttributeNamed(name); !ok && !outside[name] {
			t.Errorf("concur_user has an argument %s that the catalogue does not hold", name)
		}
	}
}
