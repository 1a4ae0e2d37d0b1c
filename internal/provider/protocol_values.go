package provider

import (
	"fmt"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Helpers for the calls served on plain protocol values (server.go): attribute access on
// tftypes objects and diagnostics in protocol form.

// objectAttribute returns one attribute of an object value; a null or unknown object has a
// null attribute.
func objectAttribute(object tftypes.Value, name string) (tftypes.Value, error) {
	objectType, ok := object.Type().(tftypes.Object)
	if !ok {
		return tftypes.Value{}, fmt.Errorf("%s: not an object but %s", name, object.Type())
	}
	if !object.IsKnown() || object.IsNull() {
		return tftypes.NewValue(objectType.AttributeTypes[name], nil), nil
	}
	var attributes map[string]tftypes.Value
	if err := object.As(&attributes); err != nil {
		return tftypes.Value{}, err
	}
	value, ok := attributes[name]
	if !ok {
		return tftypes.Value{}, fmt.Errorf("the object has no attribute %q", name)
	}
	return value, nil
}

// withAttribute returns the object with one attribute replaced; a null object stays null. The
// object itself is left as it was: As hands out the value's own map, so it is copied first.
func withAttribute(object tftypes.Value, name string, value tftypes.Value) (tftypes.Value, error) {
	if !object.IsKnown() || object.IsNull() {
		return object, nil
	}
	var shared map[string]tftypes.Value
	if err := object.As(&shared); err != nil {
		return tftypes.Value{}, err
	}
	attributes := maps.Clone(shared)
	attributes[name] = value
	return tftypes.NewValue(object.Type(), attributes), nil
}

// protocolDiagnostics converts the framework's diagnostics, which the provider's messages are
// written as, to the protocol's.
func protocolDiagnostics(diags diag.Diagnostics) []*tfprotov6.Diagnostic {
	out := make([]*tfprotov6.Diagnostic, 0, len(diags))
	for _, d := range diags {
		converted := &tfprotov6.Diagnostic{Severity: tfprotov6.DiagnosticSeverityWarning, Summary: d.Summary(), Detail: d.Detail()}
		if d.Severity() == diag.SeverityError {
			converted.Severity = tfprotov6.DiagnosticSeverityError
		}
		if withPath, ok := d.(diag.DiagnosticWithPath); ok {
			converted.Attribute = attributePath(withPath.Path())
		}
		out = append(out, converted)
	}
	return out
}

// attributePath converts a framework path; a step into a set (which the provider's messages
// never name) ends the path at the set.
func attributePath(p path.Path) *tftypes.AttributePath {
	converted := tftypes.NewAttributePath()
	for _, step := range p.Steps() {
		switch s := step.(type) {
		case path.PathStepAttributeName:
			converted = converted.WithAttributeName(string(s))
		case path.PathStepElementKeyString:
			converted = converted.WithElementKeyString(string(s))
		case path.PathStepElementKeyInt:
			converted = converted.WithElementKeyInt(int(s))
		default:
			return converted
		}
	}
	return converted
}

func hasProtocolError(diags []*tfprotov6.Diagnostic) bool {
	for _, d := range diags {
		if d != nil && d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

// valueError is the diagnostic for a value Terraform sent that does not fit the schema, which
// only a bug in Terraform or the provider can cause.
func valueError(what string, err error) []*tfprotov6.Diagnostic {
	return []*tfprotov6.Diagnostic{{
		Severity: tfprotov6.DiagnosticSeverityError,
		Summary:  "Unreadable " + what,
		Detail:   fmt.Sprintf("The %s of concur_provisioning_mapping could not be read: %s. This is a bug in the provider; please report it with the Terraform version.", what, err),
	}}
}
