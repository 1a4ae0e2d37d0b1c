//go:build clibench && linux

package bench

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	usersFlag = flag.String("users", "1000,10000,30000",
		"company sizes (people in the directory group) to measure, comma-separated, e.g. 1000,10000,30000,100000")
	resourcesFlag = flag.String("resources", "1000", "numbers of concur_user resources to measure, comma-separated (empty: none)")
	latencyFlag   = flag.Duration("latency", 50*time.Millisecond, "latency the Concur sandbox adds to every request")
	timeoutFlag   = flag.Duration("step-timeout", 10*time.Minute, "longest one terraform command may run before it is stopped and reported unfinished")
	disabledFlag  = flag.String("disabled-filter", "(pwdAccountLockedTime=*)", "the sources' disabled_filter (empty: none)")
	terraformFlag = flag.String("terraform", "", "the terraform binary (default: .tools/bin/terraform of the repository)")
	workFlag      = flag.String("work", "", "keep the working folders (configurations, state, every command's output) here instead of a temporary folder")
	envFlag       = flag.String("env", "", "variables to give terraform and the provider, comma-separated NAME=VALUE pairs, e.g. GOMEMLIMIT=100MiB (named in the report)")
)

// TestCLIBench measures every step of a channel's life, and a set of concur_user resources,
// through the terraform binary. Run it with make bench.
func TestCLIBench(t *testing.T) {
	users := parseSizes(t, "users", *usersFlag)
	resources := parseSizes(t, "resources", *resourcesFlag)
	work := *workFlag
	if work == "" {
		work = t.TempDir()
	} else if err := os.MkdirAll(work, 0o700); err != nil {
		t.Fatal(err)
	}
	stopTerraformOnInterrupt(t)
	b := &benchmark{tools: buildTools(t, work), work: work, timeout: *timeoutFlag, unfinished: map[string]int{}, loadAtStart: loadAverage()}
	for _, n := range users {
		t.Run(fmt.Sprintf("users=%d", n), func(t *testing.T) {
			dir := startDirectory(t, n)
			b.groupSource(t, dir)
			b.filterSource(t, dir)
		})
	}
	for _, n := range resources {
		t.Run(fmt.Sprintf("concur_user=%d", n), func(t *testing.T) { b.userResources(t, n) })
	}
	b.report(os.Stdout)
}

func parseSizes(t *testing.T, name, list string) []int {
	t.Helper()
	var sizes []int
	for _, field := range strings.Split(list, ",") {
		if field = strings.TrimSpace(field); field == "" {
			continue
		}
		n, err := strconv.Atoi(field)
		if err != nil || n < 1 {
			t.Fatalf("-%s: %q is not a positive number", name, field)
		}
		if len(sizes) > 0 && n <= sizes[len(sizes)-1] {
			t.Fatalf("-%s: list the sizes in increasing order (%d after %d)", name, n, sizes[len(sizes)-1])
		}
		sizes = append(sizes, n)
	}
	return sizes
}

// benchmark holds the tools and what has been measured.
type benchmark struct {
	tools   toolset
	work    string
	timeout time.Duration
	results []result
	// unfinished is the smallest size at which a step did not finish, by scenario and step:
	// larger sizes skip it.
	unfinished  map[string]int
	loadAtStart string
}

const (
	groupScenario  = "group source"
	filterScenario = "filter source"
	userScenario   = "concur_user"
)

var (
	apply = []string{"apply", "-auto-approve", "-input=false", "-no-color"}
	plan  = []string{"plan", "-detailed-exitcode", "-input=false", "-no-color"}
)

// Exit codes: success, and a plan -detailed-exitcode with changes.
const (
	exitOK      = 0
	exitChanges = 2
)

func (b *benchmark) groupSource(t *testing.T, dir *directory) {
	w := b.workspace(t, groupScenario, dir.size, mappingConfig([][2]string{{"group_dn", groupDN}}), dir)
	if !w.step(t, "initial apply", exitOK, apply...) || !w.step(t, "no-change plan", exitOK, plan...) {
		return
	}
	changed := dir.changeTitles(t, changedTitle)
	if !w.step(t, "1 % change: plan", exitChanges, plan...) {
		return
	}
	w.checkShown(t, changedTitle, changed)
	if !w.step(t, "1 % change: apply", exitOK, apply...) {
		return
	}
	// How CI pipelines and Terraform Cloud apply: the reviewed plan, saved, without planning again.
	changed = dir.changeTitles(t, changedAgainTitle)
	if !w.step(t, "1 % change: plan -out", exitChanges, append(slices.Clone(plan), "-out="+savedPlan)...) {
		return
	}
	w.checkShown(t, changedAgainTitle, changed)
	w.step(t, "1 % change: apply the saved plan", exitOK, "apply", "-input=false", "-no-color", savedPlan)
}

// savedPlan is the file a step saves its plan in for the next to apply.
const savedPlan = "change.tfplan"

// checkShown notes when the last plan does not show each changed title once.
func (w *workspace) checkShown(t *testing.T, mark string, changed int) {
	t.Helper()
	if shown := strings.Count(w.lastOutput(t), mark+`"`); shown != changed {
		w.note(fmt.Sprintf("the plan shows %d titles marked %q, want %d", shown, mark, changed))
	}
}

func (b *benchmark) filterSource(t *testing.T, dir *directory) {
	source := [][2]string{{"filter", "(objectClass=inetOrgPerson)"}, {"base_dn", peopleDN}}
	w := b.workspace(t, filterScenario, dir.size, mappingConfig(source), dir)
	if w.step(t, "initial apply", exitOK, apply...) {
		w.step(t, "no-change plan", exitOK, plan...)
	}
}

func (b *benchmark) userResources(t *testing.T, n int) {
	w := b.workspace(t, userScenario, n, userConfig(n), nil)
	if w.step(t, "create", exitOK, apply...) {
		w.step(t, "no-change plan (refresh)", exitOK, plan...)
	}
}

const providerBlock = `terraform {
  required_providers {
    concur = { source = "terraform-concur/concur" }
  }
}

# Concur and the directory come from the CONCUR_* environment.
provider "concur" {}
`

// mappingConfig is a channel with a six-attribute mapping; source are the source's arguments.
func mappingConfig(source [][2]string) string {
	if *disabledFlag != "" {
		source = append(source, [2]string{"disabled_filter", *disabledFlag})
	}
	width := 0
	for _, arg := range source {
		width = max(width, len(arg[0]))
	}
	var args strings.Builder
	for _, arg := range source {
		fmt.Fprintf(&args, "    %-*s = %q\n", width, arg[0], arg[1])
	}
	return providerBlock + fmt.Sprintf(`
resource "concur_provisioning_mapping" "company" {
  source = {
%s  }

  attribute_mapping = {
    emp_id     = "{employeeNumber}"
    login_id   = "{mail|lower}"
    email      = "{mail|lower}"
    first_name = "{givenName}"
    last_name  = "{sn}"
    title      = "{title}"
  }
}
`, args.String())
}

func userConfig(n int) string {
	return providerBlock + fmt.Sprintf(`
locals {
  people = { for i in range(%d) : format("U%%06d", i) => i }
}

resource "concur_user" "person" {
  for_each   = local.people
  emp_id     = each.key
  login_id   = "${lower(each.key)}@users.example.com"
  email      = "${lower(each.key)}@users.example.com"
  first_name = "Given${each.value}"
  last_name  = "Family${each.value}"
  title      = "Title ${each.value %% 50}"
}
`, n)
}

// workspace is one Terraform configuration with its state, its own Concur sandbox and, for
// the channels, the directory.
type workspace struct {
	b              *benchmark
	scenario       string
	size           int
	dir, usageFile string
	env            []string
	sandbox        *concurSandbox
	directory      *directory
	lastLog        string
}

func (b *benchmark) workspace(t *testing.T, scenario string, size int, config string, dir *directory) *workspace {
	t.Helper()
	path := filepath.Join(b.work, fmt.Sprintf("%s-%d", strings.ReplaceAll(scenario, " ", "-"), size))
	writeFile(t, filepath.Join(path, "main.tf"), config)
	w := &workspace{b: b, scenario: scenario, size: size, dir: path, directory: dir,
		usageFile: filepath.Join(path, "provider-usage.jsonl"),
		sandbox:   startSandbox(t, b.tools.sandbox, filepath.Join(path, "sandbox"), *latencyFlag)}
	// Only what the run needs: no CONCUR_* or TF_* variable of the caller's leaks in.
	w.env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + path, "TMPDIR=" + os.TempDir(),
		"TF_CLI_CONFIG_FILE=" + b.tools.cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
		"BENCH_PROVIDER_BINARY=" + b.tools.provider, "BENCH_PROVIDER_USAGE=" + w.usageFile,
	}
	w.env = append(w.env, w.sandbox.env...)
	w.env = append(w.env, extraEnv(t)...)
	if dir != nil {
		w.env = append(w.env, dir.env()...)
	}
	return w
}

// extraEnv is what -env gives the commands.
func extraEnv(t *testing.T) []string {
	t.Helper()
	if *envFlag == "" {
		return nil
	}
	pairs := strings.Split(*envFlag, ",")
	for _, pair := range pairs {
		if name, _, ok := strings.Cut(pair, "="); !ok || name == "" {
			t.Fatalf("-env: %q is not NAME=VALUE", pair)
		}
	}
	return pairs
}

// step runs one terraform command and records it. It reports whether the command finished
// with wantExit, so that the steps that build on it may run.
func (w *workspace) step(t *testing.T, name string, wantExit int, args ...string) bool {
	t.Helper()
	res := result{scenario: w.scenario, step: name, size: w.size}
	key := w.scenario + "/" + name
	if at, ok := w.b.unfinished[key]; ok {
		res.outcome = fmt.Sprintf("not run: did not finish at %s", thousands(at))
		w.b.results = append(w.b.results, res)
		t.Logf("%s %s: %s", w.title(), name, res.outcome)
		return false
	}
	w.sandbox.resetStats(t)
	var before map[string]int
	if w.directory != nil {
		before = w.directory.operations(t)
	}
	w.lastLog = filepath.Join(w.dir, fileName(name)+".log")
	r, err := runTerraform(w.b.tools, w.dir, w.env, w.usageFile, w.lastLog, w.b.timeout, args...)
	if err != nil {
		t.Fatalf("%s %s: %v", w.title(), name, err)
	}
	res.run = r
	stats := w.sandbox.stats(t)
	res.requests, res.requestTotal, res.connections = stats.Requests, stats.Total, stats.Connections
	if w.directory != nil {
		res.ldap = operationsSince(before, w.directory.operations(t))
	}
	if info, err := os.Stat(filepath.Join(w.dir, "terraform.tfstate")); err == nil {
		res.stateBytes = info.Size()
	} else if !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	switch {
	case !r.finished:
		res.outcome = fmt.Sprintf("did not finish in %s", w.b.timeout)
		w.b.unfinished[key] = w.size
	case r.exitCode != wantExit:
		res.outcome = fmt.Sprintf("exit code %d, want %d (output in %s)", r.exitCode, wantExit, w.lastLog)
		t.Logf("%s %s: the output ends with:\n%s", w.title(), name, tail(t, w.lastLog, 30))
	}
	w.b.results = append(w.b.results, res)
	t.Logf("%s %s: %s (load average %s)", w.title(), name, res.summary(), loadAverage())
	return res.outcome == ""
}

// fileName turns a step's name into a file name: "1 % change: plan" is 1-change-plan.
func fileName(step string) string {
	var b strings.Builder
	for _, word := range strings.FieldsFunc(strings.ToLower(step), func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_'
	}) {
		if b.Len() > 0 {
			b.WriteByte('-')
		}
		b.WriteString(word)
	}
	return b.String()
}

func (w *workspace) title() string { return fmt.Sprintf("%s, %s:", w.scenario, thousands(w.size)) }

// note adds a finding to the last step.
func (w *workspace) note(text string) {
	last := &w.b.results[len(w.b.results)-1]
	last.notes = append(last.notes, text)
}

func (w *workspace) lastOutput(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(w.lastLog)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func tail(t *testing.T, path string, lines int) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	return strings.Join(all[max(0, len(all)-lines):], "\n")
}
