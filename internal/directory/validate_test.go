package directory_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
)

func TestValidateFilter(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"(uid=alice)", "(&(objectClass=user)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))", "(cn=a\\2a\\29)"} {
		if err := directory.ValidateFilter(ok); err != nil {
			t.Errorf("ValidateFilter(%q): %v", ok, err)
		}
	}
	for filter, reason := range map[string]string{
		"":               "empty",
		"uid=alice":      "does not start with an '('",
		"(uid=alice":     "unexpected end of filter",
		"(uid=a)(uid=b)": "extra at end",
		"(&(uid=a)":      "unexpected end of filter",
	} {
		err := directory.ValidateFilter(filter)
		if err == nil || !strings.Contains(err.Error(), reason) {
			t.Errorf("ValidateFilter(%q): want an error saying %q, got %v", filter, reason, err)
		}
	}
}

func TestValidateDN(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"dc=example,dc=org", "cn=Smith\\, John,ou=people,dc=example,dc=org", "cn=a*)(uid\\3d*,ou=groups,dc=x"} {
		if err := directory.ValidateDN(ok); err != nil {
			t.Errorf("ValidateDN(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "   ", "example.org", "cn=x,,dc=y", "=x"} {
		if err := directory.ValidateDN(bad); err == nil {
			t.Errorf("ValidateDN(%q) accepted it", bad)
		} else if !strings.Contains(err.Error(), "DN") {
			t.Errorf("ValidateDN(%q): the error should name the DN: %v", bad, err)
		}
	}
}

func TestParseBindName(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]directory.BindForm{
		"cn=svc,ou=Service Accounts,dc=corp,dc=test": directory.BindByDN,
		"CN=Doe\\, John,OU=People,DC=corp,DC=test":   directory.BindByDN,
		"cn=a@b,dc=x":             directory.BindByDN,
		"svc-concur@test.lan":     directory.BindByUPN,
		"svc.concur@corp":         directory.BindByUPN,
		`TEST\svc-concur`:         directory.BindByDownLevelName,
		`CORP-EMEA\Concur Reader`: directory.BindByDownLevelName,
	} {
		if got, err := directory.ParseBindName(name); err != nil || got != want {
			t.Errorf("ParseBindName(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	for _, bad := range []string{"", "svc-concur", "svc concur@test.lan", "svc@", "@test.lan", "svc@test..lan", "svc@@test.lan",
		"svc@test.lan ", `TEST\`, `\svc`, `A-DOMAIN-NAME-TOO-LONG\svc`, `TEST\svc\x`, `TEST\svc:1`, "cn=x,,dc=y"} {
		_, err := directory.ParseBindName(bad)
		if err == nil {
			t.Errorf("ParseBindName(%q) accepted it", bad)
		} else if bad != "" && !strings.Contains(err.Error(), "user principal name (user@corp.example.com)") {
			t.Errorf("ParseBindName(%q): the error should name the accepted forms: %v", bad, err)
		}
	}
}

// A UPN or down-level bind name works on Active Directory only; elsewhere Validate says so.
func TestConfigValidateBindNames(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"svc-concur@test.lan", `TEST\svc-concur`} {
		ad := directory.Config{URL: "ldaps://dc1.test.lan", BindDN: name, BindPassword: "pw", Kind: directory.KindActiveDirectory}
		if err := ad.Validate(); err != nil {
			t.Errorf("%s on Active Directory: %v", name, err)
		}
		generic := ad
		generic.Kind = ""
		err := generic.Validate()
		if !errors.Is(err, directory.ErrInvalidConfig) || !strings.Contains(err.Error(), `set kind to "active_directory"`) {
			t.Errorf("%s on a generic server: want an error naming kind, got %v", name, err)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	good := directory.Config{URL: "ldaps://dc1.corp.test", BindDN: "cn=svc,dc=corp,dc=test", BindPassword: "s3cret"}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	for name, tc := range map[string]struct {
		change func(*directory.Config)
		reason string
	}{
		"scheme":          {func(c *directory.Config) { c.URL = "http://dc1" }, "ldap:// or ldaps://"},
		"no host":         {func(c *directory.Config) { c.URL = "ldap://" }, "no host"},
		"StartTLS+ldaps":  {func(c *directory.Config) { c.StartTLS = true }, "already encrypted"},
		"bind DN":         {func(c *directory.Config) { c.BindDN = "svc" }, "bind DN"},
		"password alone":  {func(c *directory.Config) { c.BindDN = "" }, "without a bind DN"},
		"CA":              {func(c *directory.Config) { c.CACertPEM = "not pem" }, "no certificate"},
		"disabled filter": {func(c *directory.Config) { c.DisabledFilter = "nsAccountLock=TRUE" }, "disabled filter"},
		"kind":            {func(c *directory.Config) { c.Kind = "novell" }, "kind"},
	} {
		cfg := good
		tc.change(&cfg)
		err := cfg.Validate()
		if !errors.Is(err, directory.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("%s: want ErrInvalidConfig saying %q, got %v", name, tc.reason, err)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: the error shows the password", name)
		}
	}
}

func TestQueryValidate(t *testing.T) {
	t.Parallel()
	for name, q := range map[string]directory.GroupQuery{
		"neither":           {},
		"both":              {DN: "cn=g,dc=x", Name: "g", BaseDN: "dc=x"},
		"name without base": {Name: "g"},
		"naming attribute":  {Name: "g", BaseDN: "dc=x", NamingAttribute: "cn=*)(x"},
		"bad user base":     {DN: "cn=g,dc=x", UserBaseDN: "nope"},
	} {
		if err := q.Validate(); !errors.Is(err, directory.ErrInvalidConfig) {
			t.Errorf("GroupQuery %s: want ErrInvalidConfig, got %v", name, err)
		}
	}
	for name, q := range map[string]directory.FilterQuery{
		"no base":    {Filter: "(uid=*)"},
		"bad filter": {BaseDN: "dc=x", Filter: "(uid=*"},
		"bad scope":  {BaseDN: "dc=x", Scope: "children"},
	} {
		if err := q.Validate(); !errors.Is(err, directory.ErrInvalidConfig) {
			t.Errorf("FilterQuery %s: want ErrInvalidConfig, got %v", name, err)
		}
	}
}

func TestKeyBy(t *testing.T) {
	t.Parallel()
	entry := func(dn, key string) directory.Entry {
		e := directory.Entry{DN: dn, Attributes: map[string][]string{}}
		if key != "" {
			e.Attributes["employeeID"] = []string{key}
		}
		return e
	}
	keyed := directory.KeyBy([]directory.Entry{
		entry("cn=a", "1"), entry("cn=b", "2"), entry("cn=c", "2"), entry("cn=d", ""), entry("cn=e", "2"), entry("cn=f", "3"),
	}, "employeeID")
	if len(keyed.ByKey) != 2 || keyed.ByKey["1"].DN != "cn=a" || keyed.ByKey["3"].DN != "cn=f" {
		t.Errorf("ByKey: %v", keyed.ByKey)
	}
	if got := keyed.Duplicates["2"]; strings.Join(got, " ") != "cn=b cn=c cn=e" {
		t.Errorf("duplicates of 2: %v", got)
	}
	if strings.Join(keyed.MissingKey, " ") != "cn=d" {
		t.Errorf("missing: %v", keyed.MissingKey)
	}
}
