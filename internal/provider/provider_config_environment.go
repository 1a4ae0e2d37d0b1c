package provider

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// settingSource reads one provider argument with its environment fallback and remembers where an
// invalid value came from, so errors name the attribute or the variable the user has to fix.
type settingSource struct {
	diags diag.Diagnostics
	// block is the nested block the arguments belong to ("directory"), empty for top-level ones.
	block string
}

// at is the attribute's path, for diagnostics.
func (s *settingSource) at(attribute string) path.Path {
	if s.block == "" {
		return path.Root(attribute)
	}
	return path.Root(s.block).AtName(attribute)
}

// name is how messages spell the attribute: "request_timeout" or "directory.timeout".
func (s *settingSource) name(attribute string) string {
	if s.block == "" {
		return attribute
	}
	return s.block + "." + attribute
}

// unknown reports, as an error on the attribute, a value that is only known after apply: the
// provider must be configured at plan time.
func (s *settingSource) unknown(value attr.Value, attribute, env string) bool {
	if !value.IsUnknown() {
		return false
	}
	s.diags.AddAttributeError(s.at(attribute), "Provider argument not known at plan time",
		fmt.Sprintf("%q depends on a value that is only known after apply. Set it from a variable, a literal or the %s environment variable.", s.name(attribute), env))
	return true
}

func (s *settingSource) string(value types.String, attribute, env string) string {
	if s.unknown(value, attribute, env) {
		return ""
	}
	if !value.IsNull() {
		return value.ValueString()
	}
	return strings.TrimSpace(os.Getenv(env))
}

// checkedString reads a string whose rule the schema applies to the configured value; a value
// from the environment is held to the same rule. what says what the rule asks for, "a UUID".
func (s *settingSource) checkedString(value types.String, attribute, env, what string, rule func(string) error) string {
	v := s.string(value, attribute, env)
	if !value.IsNull() || v == "" {
		return v
	}
	if err := rule(v); err != nil {
		s.diags.AddAttributeError(s.at(attribute), "Invalid environment variable",
			fmt.Sprintf("%s=%q is not %s: %s. Fix or unset the variable, or set %q in the provider block.", env, v, what, err, s.name(attribute)))
		return ""
	}
	return v
}

// int reads a whole number; one from the environment must be at least the given least (the schema checks
// the configured value).
func (s *settingSource) int(value basetypes.Int64Value, attribute, env string, fallback, least int) int {
	if s.unknown(value, attribute, env) {
		return fallback
	}
	if !value.IsNull() {
		return int(value.ValueInt64())
	}
	raw := s.string(types.StringNull(), attribute, env)
	if raw == "" {
		return fallback
	}
	parsed, err := strconv.Atoi(raw)
	if err != nil || parsed < least {
		s.diags.AddAttributeError(s.at(attribute), "Invalid environment variable",
			fmt.Sprintf("%s=%q is not a whole number of at least %d. Fix or unset the variable, or set %q in the provider block.", env, raw, least, s.name(attribute)))
		return fallback
	}
	return parsed
}

func (s *settingSource) float(value basetypes.Float64Value, attribute, env string) float64 {
	if s.unknown(value, attribute, env) {
		return 0
	}
	if !value.IsNull() {
		return value.ValueFloat64()
	}
	raw := s.string(types.StringNull(), attribute, env)
	if raw == "" {
		return 0
	}
	parsed, err := strconv.ParseFloat(raw, 64)
	if err != nil || parsed < 0 {
		s.diags.AddAttributeError(s.at(attribute), "Invalid environment variable",
			fmt.Sprintf("%s=%q is not a non-negative number. Fix or unset the variable, or set %q in the provider block.", env, raw, s.name(attribute)))
		return 0
	}
	return parsed
}

func (s *settingSource) duration(value types.String, attribute, env string, fallback time.Duration) time.Duration {
	raw := s.string(value, attribute, env)
	if raw == "" {
		return fallback
	}
	parsed, err := time.ParseDuration(raw)
	if err != nil || parsed <= 0 {
		s.diags.AddAttributeError(s.at(attribute), "Invalid "+s.name(attribute),
			fmt.Sprintf("%q (from %q or %s) is not a positive Go duration such as \"30s\" or \"2m\".", raw, s.name(attribute), env))
		return fallback
	}
	return parsed
}

func (s *settingSource) bool(value types.Bool, attribute, env string) bool {
	if !value.IsNull() && !value.IsUnknown() {
		return value.ValueBool()
	}
	unknown := types.StringNull()
	if value.IsUnknown() {
		unknown = types.StringUnknown()
	}
	raw := s.string(unknown, attribute, env)
	if raw == "" {
		return false
	}
	parsed, err := strconv.ParseBool(raw)
	if err != nil {
		s.diags.AddAttributeError(s.at(attribute), "Invalid environment variable",
			fmt.Sprintf("%s=%q is not true or false. Fix or unset the variable, or set %q in the provider block.", env, raw, s.name(attribute)))
		return false
	}
	return parsed
}
