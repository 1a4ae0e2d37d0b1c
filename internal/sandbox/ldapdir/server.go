// Package ldapdir is a small in-process LDAP server for the demo and for
// tests of Active Directory behaviour: entries from LDIF, simple bind, real
// filter evaluation (including Active Directory's bit and in-chain matching
// rules, and entries named by DN with entryDN or, as Active Directory,
// distinguishedName), base/one/sub scope, the paged-results control, a size
// limit, and optionally Active Directory's ranged retrieval of large
// attributes.
// It serves reads only over LDAP; the demo changes entries through the Go
// methods Add, Delete and Modify.
package ldapdir

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/jimlambrt/gldap"
)

// DefaultMaxValRange is Active Directory's default MaxValRange: the most
// values of one attribute a single read returns.
const DefaultMaxValRange = 1500

// Config describes the directory to serve.
type Config struct {
	// LDIF holds the entries (see ParseLDIF).
	LDIF string
	// BindDN and BindPassword are the one account that may bind. When BindDN
	// is empty, anonymous clients may search.
	BindDN       string
	BindPassword string
	// SizeLimit caps the entries an unpaged search returns (the rest is
	// reported as sizeLimitExceeded) and the size of each page; 0 means no
	// limit.
	SizeLimit int
	// ActiveDirectory turns on ranged retrieval: an attribute with more than
	// MaxValRange values comes back as "name;range=0-<MaxValRange-1>", and a
	// client asks for "name;range=<low>-*" to get the rest. It also names
	// each entry's own DN distinguishedName instead of entryDN, so a filter
	// on entryDN matches nothing, as on Active Directory.
	ActiveDirectory bool
	// MaxValRange defaults to DefaultMaxValRange.
	MaxValRange int
}

// Server is a running directory.
type Server struct {
	cfg   Config
	addr  string
	ldap  *gldap.Server
	store *store

	mu    sync.Mutex
	bound map[int]bool // connection IDs that completed a bind
}

// startTimeout bounds how long Start waits for the listener.
const startTimeout = 10 * time.Second

// Start loads the LDIF and serves it on addr ("127.0.0.1:0" picks a free
// port; Addr tells which).
func Start(addr string, cfg Config) (*Server, error) {
	if cfg.MaxValRange <= 0 {
		cfg.MaxValRange = DefaultMaxValRange
	}
	entries, err := ParseLDIF(cfg.LDIF)
	if err != nil {
		return nil, err
	}
	dnAttribute := "entryDN"
	if cfg.ActiveDirectory {
		dnAttribute = "distinguishedName"
	}
	st, err := newStore(entries, dnAttribute)
	if err != nil {
		return nil, err
	}
	addr, err = concreteAddr(addr)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, addr: addr, store: st, bound: map[int]bool{}}
	s.ldap, err = gldap.NewServer(gldap.WithLogger(hclog.NewNullLogger()), gldap.WithOnClose(s.forget))
	if err != nil {
		return nil, err
	}
	mux, err := gldap.NewMux()
	if err != nil {
		return nil, err
	}
	for _, register := range []error{
		mux.Bind(s.handleBind),
		mux.Search(s.handleSearch),
		mux.DefaultRoute(s.handleUnsupported),
	} {
		if register != nil {
			return nil, register
		}
	}
	if err := s.ldap.Router(mux); err != nil {
		return nil, err
	}
	return s, s.run()
}

// concreteAddr replaces port 0 with a free port: gldap listens by itself and
// does not tell which port the kernel chose.
func concreteAddr(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("ldapdir: address %q: %w", addr, err)
	}
	if port != "0" {
		return addr, nil
	}
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return "", fmt.Errorf("ldapdir: find a free port: %w", err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().String(), nil
}

// run serves in the background and returns once a client can connect.
func (s *Server) run() error {
	failed := make(chan error, 1)
	go func() { failed <- s.ldap.Run(s.addr) }()
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		select {
		case err := <-failed:
			return fmt.Errorf("ldapdir: serve on %s: %w", s.addr, err)
		default:
		}
		if conn, err := net.DialTimeout("tcp", s.addr, time.Second); err == nil {
			_ = conn.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = s.ldap.Stop()
	return fmt.Errorf("ldapdir: %s did not accept connections within %s", s.addr, startTimeout)
}

// Addr is host:port of the listener.
func (s *Server) Addr() string { return s.addr }

// URL is ldap://Addr().
func (s *Server) URL() string { return "ldap://" + s.addr }

// closeWait bounds Close: gldap waits for every client connection to end,
// and an idle client that never hangs up would hold it forever.
const closeWait = 5 * time.Second

// Close stops accepting connections and waits (a few seconds at most) for
// the open ones to finish.
func (s *Server) Close() error {
	done := make(chan error, 1)
	go func() { done <- s.ldap.Stop() }()
	select {
	case err := <-done:
		return err
	case <-time.After(closeWait):
		return errors.New("ldapdir: clients still connected after close; their connections end when they hang up")
	}
}

func (s *Server) forget(connID int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.bound, connID)
}

func (s *Server) isBound(connID int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg.BindDN == "" || s.bound[connID]
}

func (s *Server) handleBind(w *gldap.ResponseWriter, r *gldap.Request) {
	resp := r.NewBindResponse(gldap.WithResponseCode(gldap.ResultInvalidCredentials))
	defer func() { _ = w.Write(resp) }()
	msg, err := r.GetSimpleBindMessage()
	if err != nil {
		resp.SetResultCode(gldap.ResultAuthMethodNotSupported)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.bound, r.ConnectionID())
	switch {
	case msg.UserName == "" && msg.Password == "":
		resp.SetResultCode(gldap.ResultSuccess) // anonymous
	case s.cfg.BindDN != "" && equalValues(msg.UserName, s.cfg.BindDN) && string(msg.Password) == s.cfg.BindPassword:
		s.bound[r.ConnectionID()] = true
		resp.SetResultCode(gldap.ResultSuccess)
	}
}

func (s *Server) handleUnsupported(w *gldap.ResponseWriter, r *gldap.Request) {
	_ = w.Write(r.NewResponse(gldap.WithResponseCode(gldap.ResultUnwillingToPerform),
		gldap.WithDiagnosticMessage("ldapdir serves bind and search only")))
}
