package directory

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/go-ldap/ldap/v3"
)

// noAttributes asks the server for no attributes at all (RFC 4511 4.5.1.8).
const noAttributes = "1.1"

// lookupWorkers bounds the base searches in flight on one connection when
// entries are read one DN at a time.
const lookupWorkers = 8

// search runs a paged search and returns every entry, however many pages
// the server's size limit splits it into.
func (s *session) search(ctx context.Context, base string, scope int, filter string, attributes []string) ([]*ldap.Entry, error) {
	entries, _, err := s.searchPages(base, scope, filter, attributes, 0)
	if err != nil {
		return nil, classify(ctx, fmt.Sprintf("search %s under %q", filter, base), err)
	}
	return entries, nil
}

// searchPages runs a paged search, one request per page, and stops after maxPages pages
// (0: none). complete is false when it stopped with pages left. The error is go-ldap's, for
// the caller to describe: a filter listing hundreds of DNs does not belong in a message.
func (s *session) searchPages(base string, scope int, filter string, attributes []string, maxPages int) (entries []*ldap.Entry, complete bool, err error) {
	paging := ldap.NewControlPaging(s.pageSize)
	req := ldap.NewSearchRequest(base, scope, ldap.NeverDerefAliases, 0, 0, false, filter, attributesOrNone(attributes), []ldap.Control{paging})
	for page := 1; ; page++ {
		s.searches.Add(1)
		res, err := s.conn.Search(req)
		if err != nil {
			return nil, false, err
		}
		entries = append(entries, res.Entries...)
		more, _ := ldap.FindControl(res.Controls, ldap.ControlTypePaging).(*ldap.ControlPaging)
		if more == nil || len(more.Cookie) == 0 {
			return entries, true, nil
		}
		if page == maxPages {
			// The server drops the rest of the result when the connection closes, at the
			// end of the operation.
			return entries, false, nil
		}
		paging.SetCookie(more.Cookie)
	}
}

// read returns the entry at dn when it matches filter, and nil when it does not
// match or does not exist.
func (s *session) read(ctx context.Context, dn, filter string, attributes []string) (*ldap.Entry, error) {
	req := ldap.NewSearchRequest(dn, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, filter, attributesOrNone(attributes), nil)
	s.searches.Add(1)
	res, err := s.conn.Search(req)
	switch {
	case ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject):
		return nil, nil
	case err != nil:
		return nil, classify(ctx, fmt.Sprintf("read %q", dn), err)
	case len(res.Entries) == 0:
		return nil, nil
	}
	return res.Entries[0], nil
}

// readMany reads each DN that matches filter, several at a time on the one
// connection. The result is indexed like dns; nil marks a DN that does not
// exist or does not match.
func (s *session) readMany(ctx context.Context, dns []string, filter string, attributes []string) ([]*ldap.Entry, error) {
	found := make([]*ldap.Entry, len(dns))
	next := make(chan int)
	feedCtx, stopFeeding := context.WithCancel(ctx)
	defer stopFeeding()
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	for range min(lookupWorkers, len(dns)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				entry, err := s.read(ctx, dns[i], filter, attributes)
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					stopFeeding()
					continue
				}
				found[i] = entry
			}
		}()
	}
	for i := range dns {
		if feedCtx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return found, ctx.Err()
}

// refused tells a server's answer to a request (a result code: the filter, the base or a limit
// was not accepted) from a failure to get one (network, timeout).
func refused(err error) bool {
	var ldapErr *ldap.Error
	return errors.As(err, &ldapErr) && ldapErr.ResultCode > ldap.LDAPResultSuccess && ldapErr.ResultCode < ldap.ErrorNetwork
}

// attributesOrNone is what a search asks the server for: nothing but DNs when no attribute is
// wanted, otherwise the attributes plus the entry's immutable identifier.
func attributesOrNone(attributes []string) []string {
	if len(attributes) == 0 {
		return []string{noAttributes}
	}
	return WithAttributes(attributes, entryIDAttributes...)
}
