package concur

import "testing"

func TestCheckCurrencyCode(t *testing.T) {
	checkRule(t, CheckCurrencyCode, []ruleCase{
		{"USD", ""}, {"EUR", ""}, {"CHF", ""},
		{"usd", "not an ISO 4217 currency code"},
		{"ABC", "not an ISO 4217 currency code"},
		{"840", "not an ISO 4217 currency code"},
		{"US", "not an ISO 4217 currency code"},
	})
}

func TestCheckCountryCode(t *testing.T) {
	checkRule(t, CheckCountryCode, []ruleCase{
		{"US", ""}, {"DE", ""}, {"XK", ""},
		{"us", "not an ISO 3166-1 alpha-2"},
		{"USA", "not an ISO 3166-1 alpha-2"},
		{"840", "not an ISO 3166-1 alpha-2"},
		{"ZZ", "not an ISO 3166-1 alpha-2"},
		{"EU", "not an ISO 3166-1 alpha-2"},
	})
}

func TestCheckSubdivisionCode(t *testing.T) {
	checkRule(t, CheckSubdivisionCode, []ruleCase{
		{"WA", ""}, {"75", ""},
		{"US-WA", "without the country prefix"},
		{"wa", "two-character"},
		{"IDF", "two-character"},
	})
}

func TestCheckSpendLocale(t *testing.T) {
	checkRule(t, CheckSpendLocale, []ruleCase{
		{"en-US", ""}, {"de-DE", ""}, {"es-419", ""},
		{"en", "not a locale"},
		{"en_US", "not a locale"},
		{"en-us", "not a locale"},
		{"xx-US", "not a locale"},
	})
}

func TestCheckOneOfAndBoolean(t *testing.T) {
	checkRule(t, func(v string) error { return CheckOneOf(v, ReimbursementTypes) }, []ruleCase{
		{"CONCUR_PAY", ""},
		{"concur_pay", `must be written "CONCUR_PAY"`},
		{"CHEQUE", "is not one of ACCOUNTS_PAYABLE, ADP_PAYROLL, CONCUR_PAY, OTHER"},
	})
	checkRule(t, func(v string) error { return CheckOneOf(v, TravelGenders) }, []ruleCase{
		{"Female", ""}, {"male", `must be written "Male"`},
	})
	checkRule(t, CheckBoolean, []ruleCase{{"true", ""}, {"false", ""}, {"yes", "neither"}, {"True", "neither"}})
}

func TestCheckSpendRoleNameAndRuleClassID(t *testing.T) {
	checkRule(t, CheckSpendRoleName, []ruleCase{
		{"EXP_APPROVER", ""}, {"SHD_BUDGET_APPROVER", ""},
		{"exp_approver", "not a spend role code"},
		{"EXP APPROVER", "not a spend role code"},
	})
	checkRule(t, CheckRuleClassID, []ruleCase{{"624905", ""}, {"62a", "whole number"}, {"", "whole number"}, {"-1", "whole number"}})
}

func TestCheckSpendRoleList(t *testing.T) {
	checkRule(t, CheckSpendRoleList, []ruleCase{
		{"EXP_APPROVER", ""}, {"EXP_APPROVER,REQ_APPROVER", ""},
		{"REQ_APPROVER,EXP_APPROVER", `alphabetical order: "EXP_APPROVER,REQ_APPROVER"`},
		{"EXP_APPROVER,EXP_APPROVER", `each role once, in alphabetical order: "EXP_APPROVER"`},
		{"EXP_APPROVER, REQ_APPROVER", "not a spend role code"},
		{"EXP_APPROVER,", "not a spend role code"},
		{"EXP_APPROVER,EXP_USER", "follows the user's entitlement"},
	})
}

// The roles read back are written as CheckSpendRoleList wants them, without those that follow
// entitlements, and read again as the same names.
func TestSpendRolesAsText(t *testing.T) {
	roles := []SpendRole{{Name: "REQ_APPROVER"}, {Name: "EXP_USER"}, {Name: "EXP_APPROVER", Groups: []string{"g1"}}}
	text := FormatSpendRoles(roles)
	if text != "EXP_APPROVER,REQ_APPROVER" {
		t.Fatalf("FormatSpendRoles = %q", text)
	}
	if err := CheckSpendRoleList(text); err != nil {
		t.Errorf("the roles read back are refused: %v", err)
	}
	if back := FormatSpendRoles(ParseSpendRoles(text)); back != text {
		t.Errorf("read again as %q", back)
	}
	if ParseSpendRoles("") != nil {
		t.Error("no roles parse as some")
	}
}
