//go:build clibench && linux

package bench

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// toolset is what the benchmark built or found.
type toolset struct {
	root      string // the repository
	terraform string
	// provider is the real provider binary; overrides is the dev_overrides folder, whose
	// terraform-provider-concur is providerwrap.
	provider, overrides string
	sandbox             string
	cliConfig           string
}

func buildTools(t *testing.T, work string) toolset {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("the repository root %s has no go.mod: %v", root, err)
	}
	bin := filepath.Join(work, "bin")
	tools := toolset{
		root:      root,
		terraform: *terraformFlag,
		provider:  filepath.Join(bin, "provider", "terraform-provider-concur"),
		overrides: filepath.Join(bin, "overrides"),
		sandbox:   filepath.Join(bin, "concur-sandbox"),
		cliConfig: filepath.Join(work, "dev.tfrc"),
	}
	if tools.terraform == "" {
		tools.terraform = filepath.Join(root, ".tools", "bin", "terraform")
	}
	if _, err := os.Stat(tools.terraform); err != nil {
		t.Fatalf("no terraform at %s (tools/install-go-tools.sh terraform builds it): %v", tools.terraform, err)
	}
	for _, build := range [][2]string{
		{tools.provider, "."},
		{filepath.Join(tools.overrides, "terraform-provider-concur"), "./internal/bench/providerwrap"},
		{tools.sandbox, "./internal/cmd/concur-sandbox"},
	} {
		cmd := exec.Command("go", "build", "-o", build[0], build[1])
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", build[1], err, out)
		}
	}
	// Terraform runs the wrapper found through dev_overrides, with no terraform init.
	writeFile(t, tools.cliConfig, fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n",
		"terraform-concur/concur", tools.overrides))
	return tools
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// run is one terraform command as measured.
type run struct {
	exitCode int
	finished bool // false: stopped at the step timeout
	wall     time.Duration
	// terraformCPU is the terraform process's own CPU: its rusage, which includes the children
	// it has waited for, less what the provider processes report.
	terraformCPU time.Duration
	provider     providerUsage
}

// providerUsage sums the provider processes one command started.
type providerUsage struct {
	runs    int
	cpu     time.Duration
	peakKiB int64
}

// processGroups are the terraform commands running now, so that an interrupt of the
// benchmark stops them and the providers under them instead of leaving them to run.
var processGroups = struct {
	sync.Mutex
	pids map[int]bool
}{pids: map[int]bool{}}

// stopTerraformOnInterrupt kills the running terraform commands when the benchmark is
// interrupted; slapd and the sandbox die with the benchmark's process on their own.
func stopTerraformOnInterrupt(t *testing.T) {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	t.Cleanup(func() { signal.Stop(signals); close(done) })
	go func() {
		select {
		case s := <-signals:
			processGroups.Lock()
			for pid := range processGroups.pids {
				_ = syscall.Kill(-pid, syscall.SIGKILL)
			}
			processGroups.Unlock()
			fmt.Fprintf(os.Stderr, "benchmark stopped by %v\n", s)
			os.Exit(1)
		case <-done:
		}
	}()
}

// terraform runs one command in dir, with its output in logPath, and stops it (with the
// providers it started) when it runs longer than timeout.
func runTerraform(tools toolset, dir string, env []string, usageFile, logPath string, timeout time.Duration, args ...string) (run, error) {
	if err := os.Remove(usageFile); err != nil && !errors.Is(err, os.ErrNotExist) {
		return run{}, err
	}
	log, err := os.Create(logPath)
	if err != nil {
		return run{}, err
	}
	defer log.Close()
	cmd := exec.Command(tools.terraform, args...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, log, log
	// Its own process group, which the providers join: a stop at the timeout reaches them all.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return run{}, fmt.Errorf("start %s: %w", tools.terraform, err)
	}
	pid := cmd.Process.Pid
	processGroups.Lock()
	processGroups.pids[pid] = true
	processGroups.Unlock()
	defer func() {
		processGroups.Lock()
		delete(processGroups.pids, pid)
		processGroups.Unlock()
	}()
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()

	r := run{finished: true}
	var waitErr error
	select {
	case waitErr = <-waited:
		r.wall = time.Since(start)
	case <-time.After(timeout):
		r.wall, r.finished = time.Since(start), false
		// Read what the processes spent before they go.
		r.provider, err = readProviderUsage(usageFile, true)
		ownCPU, _ := procCPU(pid)
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-waited //nolint:errcheck // killed, as intended
		r.terraformCPU = ownCPU
		return r, err
	}
	var exitErr *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &exitErr) {
		return r, fmt.Errorf("terraform %s: %w", strings.Join(args, " "), waitErr)
	}
	r.exitCode = cmd.ProcessState.ExitCode()
	if r.provider, err = readProviderUsage(usageFile, false); err != nil {
		return r, err
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.terraformCPU = time.Duration(ru.Utime.Nano()+ru.Stime.Nano()) - r.provider.cpu
	}
	return r, nil
}

// usageLine is what providerwrap writes.
type usageLine struct {
	PID           int     `json:"pid"`
	Exited        bool    `json:"exited"`
	UserSeconds   float64 `json:"user_seconds"`
	SystemSeconds float64 `json:"system_seconds"`
	MaxRSSKiB     int64   `json:"max_rss_kib"`
}

// readProviderUsage sums the usage file. With running, providers that have not exited yet are
// read from /proc; otherwise each one must have exited.
func readProviderUsage(path string, running bool) (providerUsage, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return providerUsage{}, nil
	}
	if err != nil {
		return providerUsage{}, err
	}
	defer f.Close()
	started, exited := map[int]bool{}, map[int]usageLine{}
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		var line usageLine
		if err := json.Unmarshal(scanner.Bytes(), &line); err != nil {
			return providerUsage{}, fmt.Errorf("%s: %q: %w", path, scanner.Text(), err)
		}
		if line.Exited {
			exited[line.PID] = line
		} else {
			started[line.PID] = true
		}
	}
	if err := scanner.Err(); err != nil {
		return providerUsage{}, err
	}
	var u providerUsage
	for pid := range started {
		u.runs++
		if line, ok := exited[pid]; ok {
			u.cpu += time.Duration((line.UserSeconds + line.SystemSeconds) * float64(time.Second))
			u.peakKiB = max(u.peakKiB, line.MaxRSSKiB)
			continue
		}
		if !running {
			return u, fmt.Errorf("provider process %d started but reported no exit in %s", pid, path)
		}
		cpu, err := procCPU(pid)
		if err != nil {
			return u, err
		}
		u.cpu += cpu
		u.peakKiB = max(u.peakKiB, procPeakKiB(pid))
	}
	return u, nil
}

// clockTicks is Linux's USER_HZ, the unit of /proc/PID/stat times on every architecture Go runs on.
const clockTicks = 100

// procCPU is the user and system time of a running process (not of its children).
func procCPU(pid int) (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces; the fields after it start with the state (field 3),
	// so utime and stime (fields 14 and 15) are at 11 and 12.
	end := strings.LastIndex(string(raw), ") ")
	var fields []string
	if end >= 0 {
		fields = strings.Fields(string(raw)[end+2:])
	}
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected %q", pid, raw)
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// procPeakKiB is a running process's peak resident set (VmHWM), 0 when unreadable.
func procPeakKiB(pid int) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kib, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kib
		}
	}
	return 0
}
