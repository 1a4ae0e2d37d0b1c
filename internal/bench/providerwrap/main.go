//go:build linux

// Command providerwrap stands in for terraform-provider-concur in the CLI benchmark's
// dev_overrides folder, to measure what the provider process costs: it runs the real provider
// (the binary named by BENCH_PROVIDER_BINARY) as its child with the same arguments, standard
// streams and environment, so go-plugin's handshake on stdout passes straight through, and
// appends one JSON line per event to the file named by BENCH_PROVIDER_USAGE: the child's pid
// when it starts (so a benchmark that gives up on a step can still read /proc), and its
// rusage when it exits.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

// usage is one line of the usage file. Exited is false on the line written at start.
type usage struct {
	PID           int     `json:"pid"`
	Exited        bool    `json:"exited"`
	UserSeconds   float64 `json:"user_seconds,omitempty"`
	SystemSeconds float64 `json:"system_seconds,omitempty"`
	MaxRSSKiB     int64   `json:"max_rss_kib,omitempty"`
}

func main() {
	code, err := run()
	if err != nil {
		fmt.Fprintln(os.Stderr, "providerwrap:", err)
	}
	os.Exit(code)
}

func run() (int, error) {
	binary, usageFile := os.Getenv("BENCH_PROVIDER_BINARY"), os.Getenv("BENCH_PROVIDER_USAGE")
	if binary == "" || usageFile == "" {
		return 1, errors.New("BENCH_PROVIDER_BINARY and BENCH_PROVIDER_USAGE must name the real provider and the usage file")
	}
	child := exec.Command(binary, os.Args[1:]...)
	child.Stdin, child.Stdout, child.Stderr = os.Stdin, os.Stdout, os.Stderr
	// Terraform signals the provider (an interrupt on Ctrl-C); the child must get it, and this
	// process must live on until the child has exited to report it.
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	if err := child.Start(); err != nil {
		return 1, fmt.Errorf("start %s: %w", binary, err)
	}
	go func() {
		for s := range signals {
			_ = child.Process.Signal(s)
		}
	}()
	if err := appendUsage(usageFile, usage{PID: child.Process.Pid}); err != nil {
		return 1, err
	}
	waitErr := child.Wait()
	var exitErr *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &exitErr) {
		return 1, fmt.Errorf("wait for %s: %w", binary, waitErr)
	}
	u := usage{PID: child.Process.Pid, Exited: true}
	if ru, ok := child.ProcessState.SysUsage().(*syscall.Rusage); ok {
		u.UserSeconds = seconds(ru.Utime)
		u.SystemSeconds = seconds(ru.Stime)
		u.MaxRSSKiB = ru.Maxrss // kilobytes on Linux
	}
	if err := appendUsage(usageFile, u); err != nil {
		return 1, err
	}
	if code := child.ProcessState.ExitCode(); code >= 0 {
		return code, nil
	}
	return 1, nil // killed by a signal
}

func seconds(tv syscall.Timeval) float64 {
	return float64(tv.Sec) + float64(tv.Usec)/1e6
}

// appendUsage writes one line with O_APPEND: providers that Terraform runs side by side share
// the file, and a single short append is not interleaved with another.
func appendUsage(path string, u usage) error {
	line, err := json.Marshal(u)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open the usage file: %w", err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		_ = f.Close()
		return fmt.Errorf("write the usage file %s: %w", path, err)
	}
	return f.Close()
}
