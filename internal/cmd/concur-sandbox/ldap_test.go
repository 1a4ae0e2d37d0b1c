package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/terraform-concur/terraform-provider-concur/internal/directory"
)

// startWithEnvFile runs the command with args plus an env file and a ready file, waits until it
// is ready and returns the variables it wrote. The command stops when the test ends.
func startWithEnvFile(t *testing.T, args ...string) map[string]string {
	t.Helper()
	vars, _ := startWithOutput(t, args...)
	return vars
}

// startWithOutput is startWithEnvFile that also returns what the command prints.
func startWithOutput(t *testing.T, args ...string) (map[string]string, *syncBuffer) {
	t.Helper()
	dir := t.TempDir()
	envFile, readyFile := filepath.Join(dir, "sandbox.env"), filepath.Join(dir, "ready")
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append(args, "-addr", "127.0.0.1:0", "-env-file", envFile, "-ready-file", readyFile), &out, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("run did not stop after cancellation")
		}
	})
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("run ended before it was ready: %v\n%s", err, out.String())
		default:
		}
		if _, err := os.Stat(readyFile); err == nil {
			break
		}
	}
	env, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatalf("no env file: %v\n%s", err, out.String())
	}
	vars := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(env)), "\n") {
		name, value, _ := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		vars[name] = strings.ReplaceAll(strings.Trim(value, "'"), `'\''`, "'")
		if !strings.Contains(out.String(), line) {
			t.Errorf("the env line %q is not printed", line)
		}
	}
	return vars, &out
}

// directoryFrom builds the provider's directory client from the printed variables.
func directoryFrom(t *testing.T, vars map[string]string) *directory.Client {
	t.Helper()
	client, err := directory.New(directory.Config{
		URL: vars["CONCUR_DIRECTORY_URL"], BindDN: vars["CONCUR_DIRECTORY_BIND_DN"], BindPassword: vars["CONCUR_DIRECTORY_BIND_PASSWORD"],
		DisabledFilter: vars["CONCUR_DIRECTORY_DISABLED_FILTER"], Timeout: 30 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// With -ldap-addr the demo directory is served, and the printed variables let the provider's
// directory client read the demo group: nested members, the locked one disabled.
func TestRunServesTheDemoDirectory(t *testing.T) {
	vars := startWithEnvFile(t, "-ldap-addr", "127.0.0.1:0")
	for _, name := range []string{"CONCUR_BASE_URL", "CONCUR_DIRECTORY_URL", "CONCUR_DIRECTORY_BIND_DN", "CONCUR_DIRECTORY_BIND_PASSWORD"} {
		if vars[name] == "" {
			t.Errorf("%s is not printed; variables: %v", name, vars)
		}
	}
	if vars["CONCUR_DIRECTORY_DISABLED_FILTER"] != "(nsAccountLock=TRUE)" {
		t.Errorf("CONCUR_DIRECTORY_DISABLED_FILTER = %q", vars["CONCUR_DIRECTORY_DISABLED_FILTER"])
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	result, err := directoryFrom(t, vars).GroupMembers(ctx, directory.GroupQuery{
		Name: "concur-users", BaseDN: "ou=groups,dc=example,dc=com", Nested: true, Attributes: []string{"employeeNumber", "mail"},
	})
	if err != nil {
		t.Fatalf("read the demo group with the printed settings: %v", err)
	}
	keyed := directory.KeyBy(result.Members, "employeeNumber")
	for _, empID := range []string{"1001", "1002", "1003", "1005", "1008"} {
		if _, ok := keyed.ByKey[empID]; !ok {
			t.Errorf("employee %s is not among the demo group's members: %v", empID, keyed.ByKey)
		}
	}
	if len(keyed.ByKey) != 5 || len(keyed.MissingKey) != 1 || !strings.HasPrefix(keyed.MissingKey[0], "uid=grace.lee,") {
		t.Errorf("keyed members %d, without a key %v; want 5 and grace.lee", len(keyed.ByKey), keyed.MissingKey)
	}
	if !keyed.ByKey["1008"].Disabled || keyed.ByKey["1001"].Disabled {
		t.Errorf("the printed disabled filter must mark henry.ito (1008) only: 1008 %v, 1001 %v", keyed.ByKey["1008"].Disabled, keyed.ByKey["1001"].Disabled)
	}
}

// -ldif serves another directory with the demo account.
func TestRunServesAnLDIFFile(t *testing.T) {
	ldif := filepath.Join(t.TempDir(), "dir.ldif")
	if err := os.WriteFile(ldif, []byte(`dn: dc=corp,dc=test
objectClass: dcObject
dc: corp

dn: uid=zoe,dc=corp,dc=test
objectClass: inetOrgPerson
uid: zoe
cn: Zoe
sn: Zed
employeeNumber: 7

dn: cn=travel,dc=corp,dc=test
objectClass: groupOfNames
cn: travel
member: uid=zoe,dc=corp,dc=test
`), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := startWithEnvFile(t, "-ldap-addr", "127.0.0.1:0", "-ldif", ldif)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	result, err := directoryFrom(t, vars).GroupMembers(ctx, directory.GroupQuery{DN: "cn=travel,dc=corp,dc=test", Attributes: []string{"employeeNumber"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(result.Members) != 1 || result.Members[0].Value("employeeNumber") != "7" {
		t.Errorf("members: %+v", result.Members)
	}
}

func TestRunRejectsAMissingLDIF(t *testing.T) {
	err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-ldap-addr", "127.0.0.1:0", "-ldif", filepath.Join(t.TempDir(), "none.ldif")}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "ldap directory") || !strings.Contains(err.Error(), "none.ldif") {
		t.Fatalf("want an error naming the service and the file, got %v", err)
	}
}

// -ldif-changes: on SIGHUP the file's entries replace the running directory's, as the demo's
// "next morning" does.
func TestRunAppliesDirectoryChangesOnHangup(t *testing.T) {
	changes := filepath.Join(t.TempDir(), "changes.ldif")
	vars := startWithEnvFile(t, "-ldap-addr", "127.0.0.1:0", "-ldif-changes", changes)
	if err := os.WriteFile(changes, []byte(`dn: uid=carla.rossi,ou=people,dc=example,dc=com
objectClass: inetOrgPerson
uid: carla.rossi
employeeNumber: 1003
nsAccountLock: TRUE
`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(changes + ".applied"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the changes were not applied after SIGHUP")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	result, err := directoryFrom(t, vars).GroupMembers(ctx, directory.GroupQuery{
		DN: "cn=concur-users,ou=groups,dc=example,dc=com", Nested: true, Attributes: []string{"employeeNumber"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if carla := directory.KeyBy(result.Members, "employeeNumber").ByKey["1003"]; !carla.Disabled {
		t.Errorf("carla (1003) is not disabled after the change: %+v", carla)
	}
}
