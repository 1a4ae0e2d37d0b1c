// Command concur-sandbox serves the Concur API emulator (internal/sandbox) on a local
// port, for the demo and for users' CI. It prints the environment variables that point
// the provider at it, and stops cleanly on SIGINT or SIGTERM.
//
//	concur-sandbox -addr 127.0.0.1:8080 -seed users.json -env-file sandbox.env -ready-file ready
//
// It doubles as a chaos and permissions rig for a pipeline's tests: injected faults
// (-fault-5xx-rate, -fault-429-rate, -fault-drop-rate, -fault-lost-create-rate, limited to
// endpoints with -fault-endpoint, reproducible with -fault-seed), an app grant without some
// scopes (-without-scope identity.user.delete), and single-use refresh tokens
// (-rotate-refresh-tokens, which the provider's token_file handles):
//
//	concur-sandbox -fault-5xx-rate 0.05 -fault-429-rate 0.02 -fault-drop-rate 0.01 \
//	  -fault-lost-create-rate 0.01 -fault-seed 42 -env-file sandbox.env
//
// The User Provisioning Service's provision requests can be held pending for a while
// (-provision-delay 5s) and one extension made to fail, for every user or one employee
// (-fail-extension urn:ietf:params:scim:schemas:extension:spend:2.0:User=1001), so a pipeline
// can test polling and partial results.
//
// The env file exports the refresh-token credential, or with -credential request-token the
// company UUID and request token (the provider refuses both at once).
//
// GET /_sandbox/stats on the same address answers the requests served per endpoint, the
// TCP connections accepted and the faults injected, as JSON; POST /_sandbox/stats/reset sets
// them back to zero. A CI job can check with them how many Concur calls a plan or an apply
// costs, and how many of them were retries of injected faults.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"slices"
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
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
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
	credential    string

	faults    sandbox.Faults
	faultSeed int64
	// seedChosen says -fault-seed was given; otherwise one is picked and printed, so a run
	// that found a bug can be repeated.
	seedChosen          bool
	withoutScopes       listFlag
	rotateRefreshTokens bool
	provisionDelay      time.Duration
	failExtensions      listFlag
}

// Values of -credential.
const (
	credentialRefreshToken = "refresh-token"
	credentialRequestToken = "request-token"
)

// listFlag is a flag that may be repeated.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(value string) error {
	*l = append(*l, value)
	return nil
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	var endpoints listFlag
	fs := flag.NewFlagSet("concur-sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	fs.StringVar(&c.seedFile, "seed", "", "JSON file with an array of API-shaped users to load at start")
	fs.DurationVar(&c.latency, "latency", 0, "latency added to every request, e.g. 50ms")
	fs.DurationVar(&c.tokenLifetime, "token-lifetime", time.Hour, "access-token lifetime")
	fs.Float64Var(&c.rateLimit, "rate-limit", 0, "requests per second before answering 429 (0 = unlimited)")
	fs.DurationVar(&c.retryAfter, "retry-after", time.Second, "Retry-After sent with 429 answers, of -rate-limit and -fault-429-rate (whole seconds, rounded up)")
	fs.StringVar(&c.envFile, "env-file", "", "write the provider's environment variables (export lines) to this file")
	fs.StringVar(&c.readyFile, "ready-file", "", "write the base URL to this file once the sandbox serves requests")
	fs.StringVar(&c.credential, "credential", credentialRefreshToken, "the credential the printed exports and -env-file carry: "+
		credentialRefreshToken+" (CONCUR_REFRESH_TOKEN) or "+credentialRequestToken+" (CONCUR_COMPANY_UUID and CONCUR_REQUEST_TOKEN, valid 24 hours)")
	fs.Float64Var(&c.faults.ErrorRate, "fault-5xx-rate", 0, "share of requests (0..1) answered with -fault-5xx-status, unprocessed")
	fs.IntVar(&c.faults.ErrorStatus, "fault-5xx-status", http.StatusServiceUnavailable, "status of -fault-5xx-rate answers: 500, 502, 503 or 504")
	fs.Float64Var(&c.faults.ThrottleRate, "fault-429-rate", 0, "share of requests (0..1) answered 429 Too Many Requests with Retry-After (-retry-after)")
	fs.Float64Var(&c.faults.DropRate, "fault-drop-rate", 0, "share of requests (0..1) whose connection is closed unanswered and unprocessed")
	fs.Float64Var(&c.faults.LostCreateRate, "fault-lost-create-rate", 0, "share of creates (POST /Users, 0..1) that are stored and whose connection is then closed unanswered")
	fs.Var(&endpoints, "fault-endpoint", `limit the -fault-* rates to this endpoint, "METHOD /path-template" as the stats name it, e.g. "POST /profile/identity/v4.1/Users" (repeatable; default: every endpoint)`)
	fs.Int64Var(&c.faultSeed, "fault-seed", 0, "seed of the faults' random sequence, to repeat a run (default: a random seed, printed at start)")
	fs.Var(&c.withoutScopes, "without-scope", "leave this scope out of the app's grant, e.g. identity.user.delete: tokens lack it and hard deletes answer 403 insufficient_scope (repeatable)")
	fs.DurationVar(&c.provisionDelay, "provision-delay", 0, "how long User Provisioning provision requests stay pending before they run (0: done when answered)")
	fs.Var(&c.failExtensions, "fail-extension", "make this User Provisioning extension fail with 503: a schema URN, optionally =employeeNumber for one user's operations only (repeatable)")
	fs.BoolVar(&c.rotateRefreshTokens, "rotate-refresh-tokens", false, "make every refresh token single-use: the refresh grant returns a new one (test the provider's token_file with it)")
	for _, x := range extraServices {
		x.flags(fs)
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage of concur-sandbox:\n")
		fs.PrintDefaults()
		fmt.Fprintf(fs.Output(), "\nGET %s answers the requests served per endpoint, the TCP connections accepted and the faults\n"+
			"injected (JSON); POST %s/reset sets them back to zero.\n\n"+
			"The -fault-* rates are drawn from one seeded sequence, one draw a request: the same seed gives the same\n"+
			"faults to requests that arrive in the same order (run the client with one request at a time to repeat a\n"+
			"run exactly). The endpoints:\n  %s\n", sandbox.StatsPath, sandbox.StatsPath, strings.Join(sandbox.New(sandbox.Options{}).Endpoints(), "\n  "))
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	fs.Visit(func(f *flag.Flag) { c.seedChosen = c.seedChosen || f.Name == "fault-seed" })
	c.faults.Endpoints = endpoints
	c.faults.RetryAfter = c.retryAfter
	return c, c.check()
}

// check refuses settings the sandbox would only half honour.
func (c config) check() error {
	var problems []error
	sum := 0.0
	for name, rate := range map[string]float64{
		"-fault-5xx-rate": c.faults.ErrorRate, "-fault-429-rate": c.faults.ThrottleRate,
		"-fault-drop-rate": c.faults.DropRate, "-fault-lost-create-rate": c.faults.LostCreateRate,
	} {
		if rate < 0 || rate > 1 {
			problems = append(problems, fmt.Errorf("%s %v: a rate is a share of requests between 0 and 1", name, rate))
		}
		sum += rate
	}
	if sum > 1 {
		problems = append(problems, fmt.Errorf("the -fault-* rates add up to %v: at most 1, since one draw decides each request", sum))
	}
	if !slices.Contains([]int{500, 502, 503, 504}, c.faults.ErrorStatus) {
		problems = append(problems, fmt.Errorf("-fault-5xx-status %d: use 500, 502, 503 or 504", c.faults.ErrorStatus))
	}
	known := sandbox.New(sandbox.Options{}).Endpoints()
	for _, endpoint := range c.faults.Endpoints {
		if !slices.Contains(known, endpoint) {
			problems = append(problems, fmt.Errorf("-fault-endpoint %q is not an endpoint of the sandbox; they are: %s", endpoint, strings.Join(known, ", ")))
		}
	}
	if c.credential != credentialRefreshToken && c.credential != credentialRequestToken {
		problems = append(problems, fmt.Errorf("-credential %q: use %s or %s", c.credential, credentialRefreshToken, credentialRequestToken))
	}
	return errors.Join(problems...)
}

// faultsOn says whether any random fault is injected.
func (c config) faultsOn() bool {
	f := c.faults
	return f.ErrorRate > 0 || f.ThrottleRate > 0 || f.DropRate > 0 || f.LostCreateRate > 0
}

// describeFaults is the start-up line that records a run's faults and seed.
func (c config) describeFaults() string {
	f := c.faults
	where := "every endpoint"
	if len(f.Endpoints) > 0 {
		where = strings.Join(f.Endpoints, ", ")
	}
	return fmt.Sprintf("Faults on %s: %.3g%% %d, %.3g%% 429 (Retry-After %s), %.3g%% dropped, %.3g%% of creates with a lost reply; -fault-seed %d",
		where, f.ErrorRate*100, f.ErrorStatus, f.ThrottleRate*100, c.retryAfter, f.DropRate*100, f.LostCreateRate*100, c.faultSeed)
}

// run serves until ctx is cancelled (SIGINT/SIGTERM in main).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}

	if !cfg.seedChosen {
		cfg.faultSeed = rand.Int64()
	}
	s := sandbox.New(sandbox.Options{TokenLifetime: cfg.tokenLifetime, Latency: cfg.latency, Seed: cfg.faultSeed})
	if cfg.rateLimit > 0 {
		s.SetRateLimit(cfg.rateLimit, cfg.retryAfter)
	}
	s.SetFaults(cfg.faults)
	if err := s.WithoutScopes(cfg.withoutScopes...); err != nil {
		return err
	}
	s.RotateRefreshTokens(cfg.rotateRefreshTokens)
	s.SetProvisionDelay(cfg.provisionDelay)
	if err := s.SetExtensionFailures(extensionFailures(cfg.failExtensions)...); err != nil {
		return err
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

	env, other := providerEnv(base, s.Credentials(), cfg.credential)
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
	if cfg.faultsOn() {
		fmt.Fprintln(stdout, cfg.describeFaults())
	}
	if len(cfg.withoutScopes) > 0 {
		fmt.Fprintf(stdout, "Tokens lack the scopes: %s\n", strings.Join(cfg.withoutScopes, " "))
	}
	if cfg.rotateRefreshTokens {
		fmt.Fprintln(stdout, "Refresh tokens are single-use: keep the newest with the provider's token_file")
	}
	if cfg.provisionDelay > 0 {
		fmt.Fprintf(stdout, "Provision requests stay pending for %s\n", cfg.provisionDelay)
	}
	if len(cfg.failExtensions) > 0 {
		fmt.Fprintf(stdout, "Failing User Provisioning extensions: %s\n", strings.Join(cfg.failExtensions, " "))
	}
	fmt.Fprintln(stdout, "Point the provider at it with:")
	for _, line := range env {
		fmt.Fprintln(stdout, line)
	}
	fmt.Fprintln(stdout, "or, with the other credential (-credential picks the one exported):")
	for _, line := range other {
		fmt.Fprintln(stdout, "#  "+line)
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

// extensionFailures reads -fail-extension values: a URN, or URN=employeeNumber (URNs hold
// no "=").
func extensionFailures(values []string) []sandbox.ExtensionFailure {
	out := make([]sandbox.ExtensionFailure, 0, len(values))
	for _, v := range values {
		urn, empID, _ := strings.Cut(v, "=")
		out = append(out, sandbox.ExtensionFailure{Extension: urn, EmployeeNumber: empID})
	}
	return out
}

// providerEnv is what a user exports to run the provider against the sandbox with the chosen
// credential, and the lines of the other credential, which the provider refuses alongside.
func providerEnv(base string, c sandbox.Credentials, credential string) (env, other []string) {
	refreshToken := []string{exportLine("CONCUR_REFRESH_TOKEN", c.RefreshToken)}
	requestToken := []string{exportLine("CONCUR_COMPANY_UUID", c.CompanyUUID), exportLine("CONCUR_REQUEST_TOKEN", c.RequestToken)}
	chosen, other := refreshToken, requestToken
	if credential == credentialRequestToken {
		chosen, other = requestToken, refreshToken
	}
	env = []string{
		exportLine("CONCUR_BASE_URL", base),
		exportLine("CONCUR_CLIENT_ID", c.ClientID),
		exportLine("CONCUR_CLIENT_SECRET", c.ClientSecret),
	}
	env = append(env, chosen...)
	return append(env, exportLine("CONCUR_COMPANY_ID", c.CompanyID)), other
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
