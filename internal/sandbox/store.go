package sandbox

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// userStore is the in-memory Identity directory of the sandbox's single company.
// Indexes make the documented lookups (id, userName, employeeNumber, externalId)
// constant time; order keeps users in creation order so cursor paging is a binary
// search plus a slice walk, never a scan per page element.
type userStore struct {
	mu        sync.RWMutex
	companyID string
	now       func() time.Time

	byID             map[string]*UserRecord
	byUserName       map[string]*UserRecord // key: lower-case userName (unique across the service)
	byEmployeeNumber map[string]*UserRecord // unique per company
	byExternalID     map[string]*UserRecord // unique per company
	order            []*UserRecord          // sorted by seq
	nextSeq          uint64
}

func newUserStore(companyID string) *userStore {
	return &userStore{
		companyID:        companyID,
		now:              shownTime,
		byID:             map[string]*UserRecord{},
		byUserName:       map[string]*UserRecord{},
		byEmployeeNumber: map[string]*UserRecord{},
		byExternalID:     map[string]*UserRecord{},
	}
}

// shownTime is the current time at the precision meta.created and meta.lastModified are
// shown (microseconds), so a filter on a timestamp a client read compares with what is stored.
func shownTime() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

const employeeNumberConflict = "Principal with lookup type 'companyId,employeeNumber' with provided value already exists"

func errNotFound(id string) *scimError {
	return newSCIMError(http.StatusNotFound, "", fmt.Sprintf("User %s not found", id))
}

func (s *userStore) get(id string) (*UserRecord, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.byID[id]
	return u, ok
}

func (s *userStore) getByEmployeeNumber(empID string) (*UserRecord, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.byEmployeeNumber[empID]
	return u, ok
}

// all returns every user in creation order. Records are replaced on update, never changed in
// place, so the caller may read them without the lock.
func (s *userStore) all() []*UserRecord {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.order)
}

func (s *userStore) count() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.order)
}

// managerInfo resolves the read-only parts of a manager reference.
func (s *userStore) managerInfo(id string) *managerInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.managerInfoLocked(id)
}

func (s *userStore) managerInfoLocked(id string) *managerInfo {
	m, ok := s.byID[id]
	if !ok {
		return nil
	}
	return &managerInfo{EmployeeNumber: m.Enterprise.EmployeeNumber, DisplayName: m.displayName()}
}

// create stores a new user. The record must already have passed validateUser.
// A non-empty u.ID is kept (seed data); otherwise a UUID is generated.
func (s *userStore) create(u *UserRecord) (*UserRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.Enterprise.CompanyID == "" {
		return nil, newSCIMError(http.StatusBadRequest, "invalidValue", "Request validation failed",
			requiredValue(schemaEnterprise+":companyId"))
	}
	if u.Enterprise.CompanyID != s.companyID {
		return nil, newSCIMError(http.StatusBadRequest, "invalidValue", "Request validation failed",
			invalidValue(schemaEnterprise+":companyId", "'companyId' does not match the company of the access token"))
	}
	if u.ID == "" {
		u.ID = newUUID()
	} else if _, taken := s.byID[u.ID]; taken {
		return nil, newSCIMError(http.StatusConflict, "uniqueness", "Principal with lookup type 'id' with provided value already exists")
	}
	if err := s.checkReferencesLocked(u, nil); err != nil {
		return nil, err
	}
	now := s.now()
	u.Created, u.LastModified, u.Version = now, now, 0
	s.nextSeq++
	u.seq = s.nextSeq
	s.indexLocked(u)
	s.order = append(s.order, u) // seq only grows, so order stays sorted
	return u, nil
}

// update replaces a user with the result of change, atomically: change sees the
// current record and returns the new one (already decoded and validated by the caller's
// rules). meta.version only moves when something actually changed.
func (s *userStore) update(id string, change func(old *UserRecord) (*UserRecord, error)) (*UserRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.byID[id]
	if !ok {
		return nil, errNotFound(id)
	}
	u, err := change(old)
	if err != nil {
		return nil, err
	}
	if u.Enterprise.CompanyID == "" {
		u.Enterprise.CompanyID = old.Enterprise.CompanyID // immutable: leaving it out keeps it
	} else if u.Enterprise.CompanyID != old.Enterprise.CompanyID {
		return nil, newSCIMError(http.StatusBadRequest, "mutability", "Attribute 'companyId' is immutable",
			invalidValue(schemaEnterprise+":companyId", "'companyId' is immutable and cannot be changed"))
	}
	u.ID, u.seq, u.Created = old.ID, old.seq, old.Created
	u.Version, u.LastModified = old.Version, old.LastModified
	if sameContent(old, u) {
		return old, nil
	}
	if err := s.checkReferencesLocked(u, old); err != nil {
		return nil, err
	}
	u.Version = old.Version + 1
	u.LastModified = s.now()
	if !u.LastModified.After(old.LastModified) {
		u.LastModified = old.LastModified.Add(time.Microsecond)
	}
	s.unindexLocked(old)
	s.indexLocked(u)
	s.order[s.positionLocked(u.seq)] = u
	return u, nil
}

// linkManager sets the manager of a freshly seeded user. Seeding is one logical
// creation, so meta.version stays 0.
func (s *userStore) linkManager(id, managerID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.byID[id]
	if !ok {
		return errNotFound(id)
	}
	u := old.clone()
	u.Enterprise.ManagerID = managerID
	if err := s.checkReferencesLocked(u, old); err != nil {
		return err
	}
	s.unindexLocked(old)
	s.indexLocked(u)
	s.order[s.positionLocked(u.seq)] = u
	return nil
}

func (s *userStore) delete(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.byID[id]
	if !ok {
		return false
	}
	s.unindexLocked(u)
	i := s.positionLocked(u.seq)
	s.order = append(s.order[:i], s.order[i+1:]...)
	return true
}

// sameContent compares two records ignoring server-maintained metadata.
func sameContent(a, b *UserRecord) bool {
	x, y := *a, *b
	x.Version, y.Version = 0, 0
	x.Created, y.Created = time.Time{}, time.Time{}
	x.LastModified, y.LastModified = time.Time{}, time.Time{}
	return reflect.DeepEqual(x, y)
}

// checkReferencesLocked enforces the rules that involve other users: uniqueness of
// userName (service-wide), employeeNumber and externalId (per company), and that the
// manager is an existing user of the company.
func (s *userStore) checkReferencesLocked(u, self *UserRecord) error {
	other := func(found *UserRecord, ok bool) bool { return ok && found != self }
	if found, ok := s.byUserName[strings.ToLower(u.UserName)]; other(found, ok) {
		return newSCIMError(http.StatusConflict, "uniqueness", "Principal with lookup type 'userName' with provided value already exists")
	}
	if u.Enterprise.EmployeeNumber != "" {
		if found, ok := s.byEmployeeNumber[u.Enterprise.EmployeeNumber]; other(found, ok) {
			return newSCIMError(http.StatusConflict, "uniqueness", employeeNumberConflict)
		}
	}
	if u.ExternalID != "" {
		if found, ok := s.byExternalID[u.ExternalID]; other(found, ok) {
			return newSCIMError(http.StatusConflict, "uniqueness", "Principal with lookup type 'companyId,externalId' with provided value already exists")
		}
	}
	// The manager is checked when it is set or changed, not on every write: a user whose
	// manager was deleted can still be updated.
	if m := u.Enterprise.ManagerID; m != "" && (self == nil || m != self.Enterprise.ManagerID) {
		mgr, ok := s.byID[m]
		switch {
		case !ok || mgr.Enterprise.CompanyID != u.Enterprise.CompanyID:
			return newSCIMError(http.StatusBadRequest, "invalidValue", "Request validation failed",
				invalidValue(schemaEnterprise+":manager.value", fmt.Sprintf("Manager %q is not a user of this company", m)))
		case self != nil && m == self.ID:
			return newSCIMError(http.StatusBadRequest, "invalidValue", "Request validation failed",
				invalidValue(schemaEnterprise+":manager.value", "A user cannot be their own manager"))
		}
	}
	return nil
}

func (s *userStore) indexLocked(u *UserRecord) {
	s.byID[u.ID] = u
	s.byUserName[strings.ToLower(u.UserName)] = u
	if u.Enterprise.EmployeeNumber != "" {
		s.byEmployeeNumber[u.Enterprise.EmployeeNumber] = u
	}
	if u.ExternalID != "" {
		s.byExternalID[u.ExternalID] = u
	}
}

func (s *userStore) unindexLocked(u *UserRecord) {
	delete(s.byID, u.ID)
	delete(s.byUserName, strings.ToLower(u.UserName))
	if s.byEmployeeNumber[u.Enterprise.EmployeeNumber] == u {
		delete(s.byEmployeeNumber, u.Enterprise.EmployeeNumber)
	}
	if s.byExternalID[u.ExternalID] == u {
		delete(s.byExternalID, u.ExternalID)
	}
}

// positionLocked finds a user in order by its creation sequence.
func (s *userStore) positionLocked(seq uint64) int {
	return sort.Search(len(s.order), func(i int) bool { return s.order[i].seq >= seq })
}

// searchPage is one page of a cursor-paged listing.
type searchPage struct {
	users   []*UserRecord
	total   int    // all matches, not only this page
	lastSeq uint64 // position of the last user returned; the next cursor
	more    bool   // another match exists after this page
}

// search returns up to count matches after the position afterSeq. A nil filter lists
// everyone in O(log n + count); a filter with an index plan only looks at candidates;
// any other filter is one linear pass (totalResults needs every match counted anyway).
func (s *userStore) search(f *compiledFilter, afterSeq uint64, count int) searchPage {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var page searchPage
	if f == nil {
		start := sort.Search(len(s.order), func(i int) bool { return s.order[i].seq > afterSeq })
		end := min(start+count, len(s.order))
		page.users = append([]*UserRecord(nil), s.order[start:end]...)
		page.total = len(s.order)
		page.more = end < len(s.order)
	} else {
		candidates := s.order
		if f.candidates != nil {
			if found, ok := f.candidates(s); ok {
				candidates = found
				sort.Slice(candidates, func(i, j int) bool { return candidates[i].seq < candidates[j].seq })
			}
		}
		for _, u := range candidates {
			if !f.match(u) {
				continue
			}
			page.total++
			if u.seq <= afterSeq {
				continue
			}
			if len(page.users) < count {
				page.users = append(page.users, u)
			} else {
				page.more = true
			}
		}
	}
	if n := len(page.users); n > 0 {
		page.lastSeq = page.users[n-1].seq
	}
	return page
}

// window returns count matches starting at the 0-based offset, and the number of all
// matches, for the index-paged v4 listing.
func (s *userStore) window(f *compiledFilter, offset, count int) ([]*UserRecord, int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	candidates := s.order
	if f != nil && f.candidates != nil {
		if found, ok := f.candidates(s); ok {
			candidates = found
			sort.Slice(candidates, func(i, j int) bool { return candidates[i].seq < candidates[j].seq })
		}
	}
	if f == nil {
		end := min(offset+count, len(candidates))
		if offset >= end {
			return nil, len(candidates)
		}
		return append([]*UserRecord(nil), candidates[offset:end]...), len(candidates)
	}
	var out []*UserRecord
	total := 0
	for _, u := range candidates {
		if !f.match(u) {
			continue
		}
		if total >= offset && len(out) < count {
			out = append(out, u)
		}
		total++
	}
	return out, total
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
