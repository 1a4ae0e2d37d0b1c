package concur

import (
	"strings"
	"testing"
)

// ruleCase is one value a field rule is given; wantError is a fragment of the error, "" when
// the value must be accepted.
type ruleCase struct {
	value     string
	wantError string
}

func checkRule(t *testing.T, rule func(string) error, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		err := rule(tc.value)
		switch {
		case tc.wantError == "" && err != nil:
			t.Errorf("%q: refused, want accepted: %v", tc.value, err)
		case tc.wantError != "" && err == nil:
			t.Errorf("%q: accepted, want an error containing %q", tc.value, tc.wantError)
		case tc.wantError != "" && !strings.Contains(err.Error(), tc.wantError):
			t.Errorf("%q: error %q, want it to contain %q", tc.value, err, tc.wantError)
		}
	}
}

func TestCheckEmployeeNumber(t *testing.T) {
	checkRule(t, CheckEmployeeNumber, []ruleCase{
		{"E1001", ""},
		{"a-b_c.d 42", ""},
		{strings.Repeat("9", MaxEmployeeNumber), ""},
		{"Jürgen-7", ""},
		{"", "must not be empty"},
		{"   ", "must not be empty"},
		{" E1", "leading or trailing spaces"},
		{"E1 ", "leading or trailing spaces"},
		{"E1\x00", `control character U+0000 at character 3`},
		{"E\x1b1", `control character U+001B at character 2`},
		{"E1\n", "control character U+000A"},
		{"\tE1", "control character U+0009"},
		{"E\u00851", "control character U+0085"}, // C1 next line
		{strings.Repeat("9", MaxEmployeeNumber+1), "49 characters long; Concur accepts at most 48"},
	})
}

func TestCheckName(t *testing.T) {
	limit := func(value string) error { return CheckName(value, MaxGivenName) }
	checkRule(t, limit, []ruleCase{
		{"Jane", ""},
		{"Zoë O'Brien-Łukasiewicz", ""},
		{strings.Repeat("é", MaxGivenName), ""}, // characters, not bytes
		{"Ja\nne", "control character U+000A at character 3"},
		{"Jane\x00", "control character U+0000"},
		{"\x7fJane", "control character U+007F"},
		{strings.Repeat("a", MaxGivenName+1), "33 characters long; Concur accepts at most 32"},
	})
}

func TestCheckUserName(t *testing.T) {
	checkRule(t, CheckUserName, []ruleCase{
		{"jane.roe@example.com", ""},
		{"JANE@EXAMPLE.COM", ""},
		{"jane", "not of the form user@domain"},
		{"@example.com", "not of the form user@domain"},
		{"jane@", "not of the form user@domain"},
		{"jane@a@b", "not of the form user@domain"},
		{"jane roe@example.com", "white space"},
		{"jane(roe)@example.com", `contains "("`},
		{"jane+1@example.com", `contains "+"`},
		{"jane\x00@example.com", "control character U+0000"},
		{strings.Repeat("a", MaxUserName-len("@x.io")+1) + "@x.io", "Concur accepts at most 128"},
	})
}

func TestCheckEmail(t *testing.T) {
	checkRule(t, CheckEmail, []ruleCase{
		{"jane.roe@example.com", ""},
		{"not-an-email", "not a plain e-mail address"},
		{"Jane Roe <jane@example.com>", "not a plain e-mail address"},
		{"<jane@example.com>", "not a plain e-mail address"},
		{"jane@example.com\n", "not a plain e-mail address"},
		{"", "not a plain e-mail address"},
		{strings.Repeat("a", 64) + "@" + strings.Repeat("b", 190) + ".com", "Concur accepts at most 255"},
	})
}

func TestCheckLanguage(t *testing.T) {
	checkRule(t, CheckLanguage, []ruleCase{
		{"en-US", ""},
		{"de", ""},
		{"fil-PH", ""},
		{"en_US", "not a language tag"},
		{"EN-us", "not a language tag"},
		{"english", "not a language tag"},
		{"", "not a language tag"},
	})
}

func TestCheckTimezone(t *testing.T) {
	checkRule(t, CheckTimezone, []ruleCase{
		{"America/New_York", ""},
		{"Europe/Berlin", ""},
		{"UTC", ""},
		{"Mars/Olympus", "not an IANA timezone name"},
		{"", "not an IANA timezone name"},
		{"Local", "not an IANA timezone name"},
		{"../../etc/passwd", "not an IANA timezone name"},
	})
}

func TestCheckDate(t *testing.T) {
	checkRule(t, CheckDate, []ruleCase{
		{"2025-01-15", ""},
		{"1900-01-01", ""},
		{"2079-06-06", ""},
		{"1899-12-31", "outside the range Concur accepts"},
		{"2079-06-07", "outside the range Concur accepts"},
		{"2025-02-30", "not a date of the form YYYY-MM-DD"},
		{"15.01.2025", "not a date of the form YYYY-MM-DD"},
		{"2025-01-15T00:00:00Z", "not a date of the form YYYY-MM-DD"},
	})
}

func TestCheckUUID(t *testing.T) {
	checkRule(t, CheckUUID, []ruleCase{
		{"3fa85f64-5717-4562-b3fc-2c963f66afa6", ""},
		{"3FA85F64-5717-4562-B3FC-2C963F66AFA6", ""},
		{"3fa85f6457174562b3fc2c963f66afa6", "not a UUID"},
		{"3fa85f64-5717-4562-b3fc-2c963f66afa", "not a UUID"},
		{"{3fa85f64-5717-4562-b3fc-2c963f66afa6}", "not a UUID"},
		{"zfa85f64-5717-4562-b3fc-2c963f66afa6", "not a UUID"},
		{"", "not a UUID"},
	})
}

func TestCheckLength(t *testing.T) {
	checkRule(t, func(v string) error { return CheckLength(v, 3) }, []ruleCase{
		{"", ""},
		{"abc", ""},
		{"äöü", ""},
		{"abcd", `"abcd" is 4 characters long; Concur accepts at most 3`},
	})
}
