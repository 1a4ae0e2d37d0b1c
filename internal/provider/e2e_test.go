package provider

// The end-to-end harness runs the real terraform binary against the provider built from this
// tree, for what terraform-plugin-testing cannot do: its state shim rejects resources with
// for_each ("for_each is not supported"). Use it like this:
//
//	tf := newTerraformWorkspace(t)        // skips unless TF_ACC is set
//	tf.WriteFile(t, "main.tf", config)    // any files, in a fresh t.TempDir()
//	tf.Env = append(tf.Env, "CONCUR_BASE_URL=...") // optional, for every run
//	tf.Apply(t)                           // apply -auto-approve; fails the test on an error
//	code := tf.PlanExitCode(t)            // plan -detailed-exitcode: 0 no changes, 2 changes
//	changes := tf.PlannedChanges(t)       // plan -out + show -json: the non-no-op actions by address
//	result := tf.Run(t, "output", "-json") // anything else; never fails the test by itself
//
// runTerraform(t, dir, args...) is the plain function underneath. The provider is built once
// per test binary (go build) and found through a CLI configuration with dev_overrides, so no
// `terraform init` is run (it fails under dev_overrides).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// terraformCommandTimeout bounds one terraform command; generous for a busy two-core machine.
const terraformCommandTimeout = 10 * time.Minute

// terraformWorkspace is a directory where a test runs terraform.
type terraformWorkspace struct {
	Dir string
	// Env holds extra NAME=value pairs for every run, after the process environment.
	Env []string
	// CLIConfig, when set, is the CLI configuration to run with instead of the one that points
	// terraform at the provider built from this tree (see previousRelease).
	CLIConfig string
}

// terraformResult is what one terraform command did.
type terraformResult struct {
	Args     []string
	ExitCode int
	Stdout   string
	Stderr   string
}

func (r terraformResult) String() string {
	return fmt.Sprintf("terraform %s: exit %d\n--- stdout\n%s\n--- stderr\n%s", strings.Join(r.Args, " "), r.ExitCode, r.Stdout, r.Stderr)
}

// newTerraformWorkspace skips the test unless TF_ACC is set, builds the provider (once) and
// returns an empty working directory.
func newTerraformWorkspace(t *testing.T) *terraformWorkspace {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("end-to-end test: set TF_ACC=1 to run terraform")
	}
	e2eProvider(t)
	return &terraformWorkspace{Dir: t.TempDir()}
}

// WriteFile writes one file of the configuration, relative to Dir.
func (w *terraformWorkspace) WriteFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(w.Dir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// Run runs terraform with args in Dir and returns what happened, whatever the exit code.
func (w *terraformWorkspace) Run(t *testing.T, args ...string) terraformResult {
	t.Helper()
	env := w.Env
	if w.CLIConfig != "" {
		env = append(slices.Clone(env), "TF_CLI_CONFIG_FILE="+w.CLIConfig)
	}
	return runTerraformEnv(t, w.Dir, env, args...)
}

// Apply applies the configuration and fails the test unless terraform succeeds.
func (w *terraformWorkspace) Apply(t *testing.T) terraformResult {
	t.Helper()
	result := w.Run(t, "apply", "-auto-approve", "-input=false", "-no-color")
	if result.ExitCode != 0 {
		t.Fatalf("apply failed: %s", result)
	}
	return result
}

// PlanExitCode runs plan -detailed-exitcode and returns 0 (no changes) or 2 (changes); an
// error (exit 1) fails the test.
func (w *terraformWorkspace) PlanExitCode(t *testing.T) (int, terraformResult) {
	t.Helper()
	result := w.Run(t, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	if result.ExitCode != 0 && result.ExitCode != 2 {
		t.Fatalf("plan failed: %s", result)
	}
	return result.ExitCode, result
}

// plannedChange is one resource instance a plan would change.
type plannedChange struct {
	Address string
	Actions []string // as terraform show -json writes them: "create", "update", "delete", ...
	// Before and After are the object's attributes; one unknown until apply is missing from After.
	Before, After map[string]any
}

// PlannedChanges plans into a file and returns every resource change that is not a no-op or a
// read, sorted by address, with the human-readable plan for messages.
func (w *terraformWorkspace) PlannedChanges(t *testing.T) ([]plannedChange, terraformResult) {
	t.Helper()
	plan := w.Run(t, "plan", "-out=e2e.tfplan", "-input=false", "-no-color")
	if plan.ExitCode != 0 {
		t.Fatalf("plan failed: %s", plan)
	}
	show := w.Run(t, "show", "-json", "e2e.tfplan")
	if show.ExitCode != 0 {
		t.Fatalf("show failed: %s", show)
	}
	var decoded struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Actions []string       `json:"actions"`
				Before  map[string]any `json:"before"`
				After   map[string]any `json:"after"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(show.Stdout), &decoded); err != nil {
		t.Fatalf("decode the JSON plan: %v\n%s", err, show.Stdout)
	}
	var changes []plannedChange
	for _, rc := range decoded.ResourceChanges {
		actions := rc.Change.Actions
		if len(actions) == 1 && (actions[0] == "no-op" || actions[0] == "read") {
			continue
		}
		changes = append(changes, plannedChange{Address: rc.Address, Actions: actions, Before: rc.Change.Before, After: rc.Change.After})
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].Address < changes[j].Address })
	return changes, plan
}

// runTerraform runs the terraform at TF_ACC_TERRAFORM_PATH in dir, with the provider built from
// this tree, and returns what happened whatever the exit code.
func runTerraform(t *testing.T, dir string, args ...string) terraformResult {
	t.Helper()
	return runTerraformEnv(t, dir, nil, args...)
}

// runTerraformEnv is runTerraform with extra NAME=value pairs in the environment.
func runTerraformEnv(t *testing.T, dir string, env []string, args ...string) terraformResult {
	t.Helper()
	cliConfig := e2eProvider(t)
	terraform := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if terraform == "" {
		t.Fatal("TF_ACC_TERRAFORM_PATH is not set and .tools/bin/terraform does not exist; run tools/install-go-tools.sh terraform")
	}
	ctx, cancel := context.WithTimeout(context.Background(), terraformCommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, terraform, args...)
	cmd.Dir = dir
	// Later entries win: the harness's settings override the inherited ones, and env both.
	cmd.Env = append(append(os.Environ(),
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
		"TF_CLI_CONFIG_FILE="+cliConfig,
	), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	result := terraformResult{Args: args, Stdout: stdout.String(), Stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("terraform %s did not finish within %s\n%s", strings.Join(args, " "), terraformCommandTimeout, result)
	case errors.As(err, &exitErr):
		result.ExitCode = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("run terraform %s: %v", strings.Join(args, " "), err)
	}
	return result
}

var e2eBuild struct {
	once      sync.Once
	dir       string
	cliConfig string
	err       error
}

// e2eProvider builds terraform-provider-concur from this tree once per test binary and returns
// the CLI configuration file whose dev_overrides point terraform at it.
func e2eProvider(t *testing.T) string {
	t.Helper()
	e2eBuild.once.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			e2eBuild.err = err
			return
		}
		// Shared by every test of the binary, so not t.TempDir(); TestMain removes it.
		dir, err := os.MkdirTemp("", "concur-e2e-provider-") //nolint:usetesting // outlives the test that builds it
		if err != nil {
			e2eBuild.err = err
			return
		}
		e2eBuild.dir = dir
		e2eBuild.cliConfig, e2eBuild.err = buildProvider(root, dir)
	})
	if e2eBuild.err != nil {
		t.Fatal(e2eBuild.err)
	}
	return e2eBuild.cliConfig
}

func moduleRoot() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("cannot locate the module root")
	}
	return filepath.Join(filepath.Dir(file), "..", ".."), nil
}

// buildProvider builds the provider from the module in root into dir, and returns a CLI
// configuration whose dev_overrides point terraform at it.
func buildProvider(root, dir string) (string, error) {
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-concur"), ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build the provider in %s: %v\n%s", root, err, out)
	}
	cliConfig := filepath.Join(dir, "dev.tfrc")
	content := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n",
		strings.TrimPrefix(RegistryAddress, "registry.terraform.io/"), dir)
	if err := os.WriteFile(cliConfig, []byte(content), 0o600); err != nil {
		return "", err
	}
	return cliConfig, nil
}

// previousRelease builds the provider as the repository's commit left it, for tests of the
// state that release wrote, and returns the CLI configuration that runs terraform with it.
func previousRelease(t *testing.T, commit string) string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if err := exec.Command("git", "-C", root, "cat-file", "-e", commit+"^{commit}").Run(); err != nil {
		t.Skipf("the clone lacks commit %s (a shallow clone?): fetch the history to test upgrades of the state it wrote", commit)
	}
	src, bin := filepath.Join(t.TempDir(), "src"), t.TempDir()
	if err := os.Mkdir(src, 0o700); err != nil {
		t.Fatal(err)
	}
	archive := exec.Command("sh", "-c", `git -C "$1" archive --format=tar "$2" | tar -x -C "$3"`, "sh", root, commit, src)
	if out, err := archive.CombinedOutput(); err != nil {
		t.Fatalf("extract commit %s: %v\n%s", commit, err, out)
	}
	cliConfig, err := buildProvider(src, bin)
	if err != nil {
		t.Fatal(err)
	}
	return cliConfig
}

// removeE2EProvider deletes the provider build; TestMain calls it after the tests.
func removeE2EProvider() {
	if e2eBuild.dir != "" {
		_ = os.RemoveAll(e2eBuild.dir)
	}
}
