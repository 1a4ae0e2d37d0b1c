package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// caseInsensitiveStringType is a string whose values are equal when they differ only in case.
// Concur stores e-mails lower-case and matches login IDs case-insensitively, so the value a
// user wrote is kept in state instead of showing a perpetual diff to the lower-cased echo.
type caseInsensitiveStringType struct {
	basetypes.StringType
}

var (
	_ basetypes.StringTypable                    = caseInsensitiveStringType{}
	_ basetypes.StringValuableWithSemanticEquals = caseInsensitiveString{}
)

func (t caseInsensitiveStringType) Equal(o attr.Type) bool {
	_, ok := o.(caseInsensitiveStringType)
	return ok
}

func (t caseInsensitiveStringType) String() string { return "caseInsensitiveStringType" }

func (t caseInsensitiveStringType) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return caseInsensitiveString{StringValue: in}, nil
}

func (t caseInsensitiveStringType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	value, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	stringValue, ok := value.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", value)
	}
	return caseInsensitiveString{StringValue: stringValue}, nil
}

func (t caseInsensitiveStringType) ValueType(context.Context) attr.Value {
	return caseInsensitiveString{}
}

type caseInsensitiveString struct {
	basetypes.StringValue
}

func (v caseInsensitiveString) Type(context.Context) attr.Type { return caseInsensitiveStringType{} }

func (v caseInsensitiveString) Equal(o attr.Value) bool {
	other, ok := o.(caseInsensitiveString)
	return ok && v.StringValue.Equal(other.StringValue)
}

func (v caseInsensitiveString) StringSemanticEquals(_ context.Context, newValuable basetypes.StringValuable) (bool, diag.Diagnostics) {
	newValue, ok := newValuable.(caseInsensitiveString)
	if !ok {
		return false, nil
	}
	return strings.EqualFold(v.ValueString(), newValue.ValueString()), nil
}

func newCaseInsensitiveString(value string) caseInsensitiveString {
	return caseInsensitiveString{StringValue: basetypes.NewStringValue(value)}
}
