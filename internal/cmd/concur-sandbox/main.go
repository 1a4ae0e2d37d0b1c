// Command concur-sandbox serves the Concur API emulator (internal/sandbox) on a local
// port, for the demo and for users' CI. It prints the environment variables that point
// the provider at it, and stops cleanly on SIGINT or SIGTERM.
//
//	concur-sandbox -addr 127.0.0.1:8080 -seed users.json -env-file sandbox.env -ready-file ready
//
// GET /_sandbox/stats on the same address answers the requests served per endpoint and the
// TCP connections accepted, as JSON; POST /_sandbox/stats/reset sets them back to zero. A CI
// job can check with them how many Concur calls a plan or an apply costs.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/terraform-concur/terraform-provider-concur/internal/sandbox"
)

// extraService is the hook for more local services next to the Concur API (the LDAP
// directory of internal/sandbox/ldapdir plugs in here from its own file, with an
// init() that appends to extraServices). flags runs before flag parsing; start runs
// once the sandbox is up and returns the environment lines to print and a stop func.
type extraService struct {
	name  string
	flags func(fs *flag.FlagSet)
	start func(ctx context.Context) (env []string, stop func() error, err error)
}

var extraServices []extraService

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "concur-sandbox:", err)
		stop()
		os.Exit(1)
	}
}

type config struct {
	addr          string
	seedFile      string
	latency       time.Duration
	tokenLifetime time.Duration
	rateLimit     float64
	retryAfter    time.Duration
	envFile       string
	readyFile     string
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("concur-sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	fs.StringVar(&c.seedFile, "seed", "", "JSON file with an array of API-shaped users to load at start")
	fs.DurationVar(&c.latency, "latency", 0, "latency added to every request, e.g. 50ms")
	fs.DurationVar(&c.tokenLifetime, "token-lifetime", time.Hour, "access-token lifetime")
	fs.Float64Var(&c.rateLimit, "rate-limit", 0, "requests per second before answering 429 (0 = unlimited)")
	fs.DurationVar(&c.retryAfter, "retry-after", time.Second, "Retry-After sent with 429 answers")
	fs.StringVar(&c.envFile, "env-file", "", "write the provider's environment variables (export lines) to this file")
	fs.StringVar(&c.readyFile, "ready-file", "", "write the base URL to this file once the sandbox serves requests")
	for _, x := range extraServices {
		x.flags(fs)
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage of concur-sandbox:\n")
		fs.PrintDefaults()
		fmt.Fprintf(fs.Output(), "\nGET %s answers the requests served per endpoint and the TCP connections accepted (JSON);\n"+
			"POST %s/reset sets them back to zero.\n", sandbox.StatsPath, sandbox.StatsPath)
	}
	return c, fs.Parse(args)
}

// run serves until ctx is cancelled (SIGINT/SIGTERM in main).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}

	s := sandbox.New(sandbox.Options{TokenLifetime: cfg.tokenLifetime, Latency: cfg.latency})
	if cfg.rateLimit > 0 {
		s.SetRateLimit(cfg.rateLimit, cfg.retryAfter)
	}
	if cfg.seedFile != "" {
		f, err := os.Open(cfg.seedFile)
		if err != nil {
			return err
		}
		err = s.LoadUsersJSON(f)
		f.Close()
		if err != nil {
			return err
		}
	}
	base, err := s.Start(cfg.addr)
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()

	env := providerEnv(base, s.Credentials())
	for _, x := range extraServices {
		lines, stopService, err := x.start(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", x.name, err)
		}
		defer func() {
			if err := stopService(); err != nil {
				fmt.Fprintf(stderr, "concur-sandbox: stopping %s: %v\n", x.name, err)
			}
		}()
		env = append(env, lines...)
	}

	fmt.Fprintf(stdout, "Concur sandbox listening on %s (%d users); request counts at %s%s\n", base, s.UserCount(), base, sandbox.StatsPath)
	fmt.Fprintln(stdout, "Point the provider at it with:")
	for _, line := range env {
		fmt.Fprintln(stdout, line)
	}
	if cfg.envFile != "" {
		if err := writeFileAtomic(cfg.envFile, strings.Join(env, "\n")+"\n", 0o600); err != nil {
			return err
		}
	}
	if cfg.readyFile != "" {
		if err := writeFileAtomic(cfg.readyFile, base+"\n", 0o644); err != nil {
			return err
		}
		defer os.Remove(cfg.readyFile)
	}
	fmt.Fprintln(stdout, "ready")

	<-ctx.Done()
	fmt.Fprintln(stdout, "concur-sandbox: shutting down")
	return nil
}

// providerEnv is what a user exports to run the provider against the sandbox.
func providerEnv(base string, c sandbox.Credentials) []string {
	return []string{
		exportLine("CONCUR_BASE_URL", base),
		exportLine("CONCUR_CLIENT_ID", c.ClientID),
		exportLine("CONCUR_CLIENT_SECRET", c.ClientSecret),
		exportLine("CONCUR_REFRESH_TOKEN", c.RefreshToken),
		exportLine("CONCUR_COMPANY_ID", c.CompanyID),
	}
}

// exportLine quotes the value for POSIX shells so the env file can be sourced.
func exportLine(name, value string) string {
	return "export " + name + "='" + strings.ReplaceAll(value, "'", `'\''`) + "'"
}

// writeFileAtomic writes via a temporary file and rename, so a script polling for the
// file never reads it half-written.
func writeFileAtomic(path, content string, mode os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
