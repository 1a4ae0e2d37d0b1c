package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Out-of-band data access for tests and the demo: what an administrator would do in
// the Concur UI, bypassing the API (and its knobs), but not its rules.

// LoadUsersJSON adds users from a JSON array of API-shaped user objects (the body of a
// create, optionally with "id" to fix the UUID). companyId may be left out. A manager
// may be given by "value" (UUID) or, for hand-written seed files, by "employeeNumber";
// either may point at a user later in the file.
func (s *Server) LoadUsersJSON(r io.Reader) error {
	var docs []map[string]any
	if err := json.NewDecoder(r).Decode(&docs); err != nil {
		return fmt.Errorf("sandbox: seed users: %w", err)
	}
	type pendingManager struct {
		userID string
		ref    map[string]any
		index  int
	}
	var managers []pendingManager
	for i, doc := range docs {
		ent, _ := doc[schemaEnterprise].(map[string]any)
		if ent == nil {
			ent = map[string]any{}
			doc[schemaEnterprise] = ent
		}
		if ent["companyId"] == nil {
			ent["companyId"] = s.creds.CompanyID
		}
		ref, _ := ent["manager"].(map[string]any)
		delete(ent, "manager") // set in a second pass, once every user exists
		u, err := recordFromDocument(doc)
		if err != nil {
			return fmt.Errorf("sandbox: seed user %d: %w", i, describe(err))
		}
		if id, ok := doc["id"].(string); ok {
			u.ID = id
		}
		created, err := s.users.create(u)
		if err != nil {
			return fmt.Errorf("sandbox: seed user %d: %w", i, describe(err))
		}
		if ref != nil {
			managers = append(managers, pendingManager{created.ID, ref, i})
		}
	}
	for _, m := range managers {
		managerID, _ := m.ref["value"].(string)
		if managerID == "" {
			empID, _ := m.ref["employeeNumber"].(string)
			mgr, ok := s.users.getByEmployeeNumber(empID)
			if !ok {
				return fmt.Errorf("sandbox: seed user %d: manager employeeNumber %q not found", m.index, empID)
			}
			managerID = mgr.ID
		}
		err := s.users.linkManager(m.userID, managerID)
		if err != nil {
			return fmt.Errorf("sandbox: seed user %d: %w", m.index, describe(err))
		}
	}
	return nil
}

// describe makes a validation error readable on one line (seed files are edited by hand).
func describe(err error) error {
	se, ok := err.(*scimError)
	if !ok || len(se.Messages) == 0 {
		return err
	}
	var parts []string
	for _, m := range se.Messages {
		parts = append(parts, m.Message)
	}
	return fmt.Errorf("%s: %s", se.Detail, strings.Join(parts, "; "))
}

// UserByEmployeeNumber returns the API JSON representation of a user (as GET returns
// it, with meta.location under the started URL).
func (s *Server) UserByEmployeeNumber(empID string) (map[string]any, bool) {
	u, ok := s.users.getByEmployeeNumber(empID)
	if !ok {
		return nil, false
	}
	return u.render(s.URL(), s.users.managerInfo), true
}

// Users returns the API representation of every user, in creation order.
func (s *Server) Users() []map[string]any {
	records := s.users.all()
	users := make([]map[string]any, 0, len(records))
	for _, u := range records {
		users = append(users, u.render(s.URL(), s.users.managerInfo))
	}
	return users
}

// ModifyUser changes a user out of band, as an administrator would in Concur (meta.version
// moves). Keys are API paths: "title", "active", "name.givenName", "emails.work" (the
// work e-mail), or full extension paths such as
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department". A nil value
// clears the attribute. The same validation as a PATCH applies.
func (s *Server) ModifyUser(empID string, patch map[string]any) error {
	u, ok := s.users.getByEmployeeNumber(empID)
	if !ok {
		return fmt.Errorf("sandbox: no user with employeeNumber %q", empID)
	}
	keys := make([]string, 0, len(patch))
	for k := range patch {
		keys = append(keys, k)
	}
	sort.Strings(keys) // deterministic order of operations
	var ops []patchOp
	for _, k := range keys {
		path := k
		if t, ok := strings.CutPrefix(k, "emails."); ok && !strings.Contains(t, "[") && t != "value" {
			path = fmt.Sprintf("emails[type eq %q].value", t)
		}
		if v := patch[k]; v == nil {
			ops = append(ops, patchOp{Op: "remove", Path: path})
		} else {
			ops = append(ops, patchOp{Op: "add", Path: path, Value: v})
		}
	}
	_, err := s.users.update(u.ID, func(old *UserRecord) (*UserRecord, error) {
		doc := old.render(s.URL(), s.users.managerInfoLocked)
		if err := applyPatch(doc, ops); err != nil {
			return nil, err
		}
		return recordFromDocument(doc)
	})
	if err != nil {
		return fmt.Errorf("sandbox: modify user %q: %w", empID, describe(err))
	}
	return nil
}

// DeleteUserByEmployeeNumber hard-deletes a user; false when there was none.
func (s *Server) DeleteUserByEmployeeNumber(empID string) bool {
	u, ok := s.users.getByEmployeeNumber(empID)
	return ok && s.users.delete(u.ID)
}

// UserCount is the number of users in the company.
func (s *Server) UserCount() int { return s.users.count() }
