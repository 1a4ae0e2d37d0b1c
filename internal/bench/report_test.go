//go:build clibench && linux

package bench

import (
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// result is one measured (or skipped) step.
type result struct {
	scenario, step string
	size           int
	run
	// outcome is empty for a step that finished as expected, else what happened instead.
	outcome string
	notes   []string
	// requests are the Concur requests by endpoint; connections the TCP connections the
	// sandbox accepted.
	requests                  map[string]int
	requestTotal, connections int
	// ldap are the operations slapd completed, by kind; nil without a directory.
	ldap       map[string]int
	stateBytes int64
}

func (r result) measured() bool { return r.wall > 0 }

func (r result) summary() string {
	if !r.measured() {
		return r.outcome
	}
	s := fmt.Sprintf("%s wall, provider %s CPU (%d processes, peak %s), terraform %s CPU, Concur %s requests (%s per %s, %s new connections)",
		seconds(r.wall), seconds(r.provider.cpu), r.provider.runs, mebibytes(r.provider.peakKiB), seconds(r.terraformCPU),
		thousands(r.requestTotal), perUnit(r), unit(r.scenario), thousands(r.connections))
	if r.ldap != nil {
		s += fmt.Sprintf(", LDAP %s searches (%s)", thousands(r.ldap["Search"]), otherOperations(r.ldap))
	}
	s += ", state " + byteSize(r.stateBytes)
	if r.outcome != "" {
		s += "; " + r.outcome
	}
	return s
}

func unit(scenario string) string {
	if scenario == userScenario {
		return "resource"
	}
	return "user"
}

func (b *benchmark) report(out io.Writer) {
	fmt.Fprintf(out, "\n## Through the terraform CLI\n\n%s\n\n", b.setting())
	fmt.Fprintln(out, "N is the number of people in the source (one groupOfNames, or the filter's matches), or of concur_user resources. "+
		"Provider CPU and peak RSS add up every provider process the command started; terraform CPU is its own. "+
		"Requests per user are per resource for concur_user. Connections are the new TCP connections the sandbox accepted.")
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| source | N | step | wall | provider CPU | provider peak RSS | terraform CPU | Concur requests | per user | new connections | LDAP searches | other LDAP operations | state |")
	fmt.Fprintln(out, "|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|")
	var footnotes []string
	mark := func(r result) string {
		var texts []string
		if r.outcome != "" && r.measured() && r.finished {
			texts = append(texts, r.outcome)
		}
		texts = append(texts, r.notes...)
		if len(texts) == 0 {
			return ""
		}
		footnotes = append(footnotes, strings.Join(texts, "; "))
		return fmt.Sprintf(" (%d)", len(footnotes))
	}
	for _, r := range b.results {
		if !r.measured() {
			fmt.Fprintf(out, "| %s | %s | %s | %s | | | | | | | | | |\n", r.scenario, thousands(r.size), r.step, r.outcome)
			continue
		}
		wall, cpu := seconds(r.wall), seconds(r.provider.cpu)
		if !r.finished {
			wall, cpu = "did not finish in "+b.timeout.String(), cpu+" so far"
		}
		searches, others := "–", "–"
		if r.ldap != nil {
			searches, others = thousands(r.ldap["Search"]), otherOperations(r.ldap)
		}
		fmt.Fprintf(out, "| %s | %s | %s%s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			r.scenario, thousands(r.size), r.step, mark(r), wall, cpu, mebibytes(r.provider.peakKiB), seconds(r.terraformCPU),
			thousands(r.requestTotal), perUnit(r), thousands(r.connections), searches, others, byteSize(r.stateBytes))
	}
	for i, note := range footnotes {
		fmt.Fprintf(out, "\n(%d) %s\n", i+1, note)
	}

	fmt.Fprintln(out, "\nConcur requests by endpoint:")
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| source | N | step | requests |")
	fmt.Fprintln(out, "|---|--:|---|---|")
	for _, r := range b.results {
		if r.measured() {
			fmt.Fprintf(out, "| %s | %s | %s | %s |\n", r.scenario, thousands(r.size), r.step, byEndpoint(r.requests))
		}
	}
	b.reportGrowth(out)
}

// reportGrowth compares each step at one size with the same step at the next size measured.
func (b *benchmark) reportGrowth(out io.Writer) {
	type pair struct{ from, to result }
	var pairs []pair
	last := map[string]result{}
	for _, r := range b.results {
		key := r.scenario + "/" + r.step
		if from, ok := last[key]; ok && from.finished && r.measured() {
			pairs = append(pairs, pair{from, r})
		}
		if r.measured() {
			last[key] = r
		}
	}
	if len(pairs) == 0 {
		return
	}
	fmt.Fprintln(out, "\nGrowth from one size to the next (linear cost grows as N does):")
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| source | step | N | wall | provider CPU | provider peak RSS | Concur requests | LDAP searches | state |")
	fmt.Fprintln(out, "|---|---|---|--:|--:|--:|--:|--:|--:|")
	for _, p := range pairs {
		wall, cpu := ratio(p.from.wall.Seconds(), p.to.wall.Seconds()), ratio(p.from.provider.cpu.Seconds(), p.to.provider.cpu.Seconds())
		if !p.to.finished {
			wall, cpu = "> "+wall, "> "+cpu
		}
		searches := "–"
		if p.from.ldap != nil && p.to.ldap != nil {
			searches = ratio(float64(p.from.ldap["Search"]), float64(p.to.ldap["Search"]))
		}
		fmt.Fprintf(out, "| %s | %s | %s → %s (%s) | %s | %s | %s | %s | %s | %s |\n", p.from.scenario, p.from.step,
			thousands(p.from.size), thousands(p.to.size), ratio(float64(p.from.size), float64(p.to.size)), wall, cpu,
			ratio(float64(p.from.provider.peakKiB), float64(p.to.provider.peakKiB)),
			ratio(float64(p.from.requestTotal), float64(p.to.requestTotal)), searches,
			ratio(float64(p.from.stateBytes), float64(p.to.stateBytes)))
	}
}

// setting names the machine, the latency and the versions, as the README's figures must.
func (b *benchmark) setting() string {
	model, memory := "unknown CPU", ""
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "model name" {
				model = strings.TrimSpace(value)
				break
			}
		}
	}
	if raw, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				kib, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
				memory = fmt.Sprintf(", %.0f GiB", float64(kib)/(1<<20))
			}
		}
	}
	disabled := "no disabled_filter"
	if *disabledFlag != "" {
		disabled = "disabled_filter " + *disabledFlag
	}
	environment := ""
	if *envFlag != "" {
		environment = "; with " + strings.ReplaceAll(*envFlag, ",", " ")
	}
	return fmt.Sprintf("Measured by `make bench` on %d cores (nproc), %s%s; %s with the provider at %s%s; "+
		"the concur-sandbox process with %s latency per request; OpenLDAP slapd %s, read with the provider's default page size "+
		"by an account limited to %s entries per search; %s; a mapping of six attributes. "+
		"Load average (1 min) %s at the start, %s at the end: other work on the machine slows every figure.",
		runtime.NumCPU(), model, memory, b.terraformVersion(), b.revision(), environment, *latencyFlag,
		slapdVersion(), thousands(pageSizeLimit), disabled, b.loadAtStart, loadAverage())
}

// loadAverage is the one-minute load average of /proc/loadavg.
func loadAverage() string {
	raw, _ := os.ReadFile("/proc/loadavg")
	if fields := strings.Fields(string(raw)); len(fields) > 0 {
		return fields[0]
	}
	return "unknown"
}

func (b *benchmark) terraformVersion() string {
	cmd := exec.Command(b.tools.terraform, "version")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "TF_CLI_CONFIG_FILE=" + b.tools.cliConfig, "CHECKPOINT_DISABLE=1"}
	out, err := cmd.Output()
	if err != nil {
		return b.tools.terraform + " (version unknown)"
	}
	return firstLine(string(out))
}

func (b *benchmark) revision() string {
	rev, err := exec.Command("git", "-C", b.tools.root, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "an unknown revision (not a git checkout)"
	}
	described := "commit " + strings.TrimSpace(string(rev))
	if changes, _ := exec.Command("git", "-C", b.tools.root, "status", "--porcelain", "--untracked-files=no").Output(); len(changes) > 0 {
		described += " with local changes"
	}
	return described
}

func slapdVersion() string {
	path, err := exec.LookPath("slapd")
	if err != nil {
		path = "/usr/sbin/slapd"
	}
	// It prints "@(#) $OpenLDAP: slapd 2.5.13+dfsg-5 (Feb  8 2023 01:56:12) $" on stderr.
	out, _ := exec.Command(path, "-VV").CombinedOutput()
	fields := strings.Fields(firstLine(string(out)))
	for i, f := range fields {
		if f == "slapd" && i+1 < len(fields) {
			return fields[i+1]
		}
	}
	return "(version unknown)"
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

func byEndpoint(requests map[string]int) string {
	var parts []string
	for _, endpoint := range slices.Sorted(maps.Keys(requests)) {
		parts = append(parts, fmt.Sprintf("%s %s", strings.Replace(endpoint, "/profile/identity", "", 1), thousands(requests[endpoint])))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " · ")
}

func otherOperations(ops map[string]int) string {
	var parts []string
	for _, kind := range slices.Sorted(maps.Keys(ops)) {
		if kind != "Search" && ops[kind] != 0 {
			parts = append(parts, fmt.Sprintf("%s %s", kind, thousands(ops[kind])))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func perUnit(r result) string {
	return fmt.Sprintf("%.3f", float64(r.requestTotal)/float64(r.size))
}

func ratio(from, to float64) string {
	if from == 0 {
		if to == 0 {
			return "–"
		}
		return "from 0"
	}
	return fmt.Sprintf("×%.2f", to/from)
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

func mebibytes(kib int64) string { return fmt.Sprintf("%.0f MiB", float64(kib)/1024) }

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// thousands writes 30000 as 30,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
