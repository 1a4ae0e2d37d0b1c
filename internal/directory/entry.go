package directory

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// Entry is one directory entry as the provider sees it.
type Entry struct {
	DN string
	// ID is the entry's immutable identifier (entryUUID, or objectGUID on Active Directory),
	// which survives renames and moves and is never reused; "" when the server has none.
	ID string
	// Attributes holds only the requested attributes the entry has, keyed by
	// the name as requested (the server's spelling may differ in case).
	Attributes map[string][]string
	// Disabled is true when the server matched the entry against the
	// configured disabled filter (on Active Directory the ACCOUNTDISABLE bit).
	Disabled bool
}

// Value returns the first value of attribute, or "" when the entry has none.
func (e Entry) Value(attribute string) string {
	if values := e.Attributes[attribute]; len(values) > 0 {
		return values[0]
	}
	return ""
}

// entryIDAttributes hold an entry's immutable identifier: RFC 4530's entryUUID (OpenLDAP,
// 389-ds, PingDirectory) and Active Directory's objectGUID. Both are read with every entry.
var entryIDAttributes = []string{"entryUUID", "objectGUID"}

// entryID is the entry's immutable identifier as text; objectGUID, 16 bytes in Microsoft's
// mixed-endian GUID layout, is written the way Active Directory tools show it.
func entryID(raw *ldap.Entry) string {
	if uuid := raw.GetEqualFoldAttributeValue("entryUUID"); uuid != "" {
		return strings.ToLower(uuid)
	}
	guid := raw.GetEqualFoldRawAttributeValue("objectGUID")
	if len(guid) != 16 {
		return ""
	}
	return fmt.Sprintf("%08x-%04x-%04x-%x-%x",
		binary.LittleEndian.Uint32(guid[0:4]), binary.LittleEndian.Uint16(guid[4:6]), binary.LittleEndian.Uint16(guid[6:8]), guid[8:10], guid[10:16])
}

// project keeps the requested attributes of a go-ldap entry, and its identifier.
func project(raw *ldap.Entry, requested []string) Entry {
	entry := Entry{DN: raw.DN, ID: entryID(raw), Attributes: map[string][]string{}}
	for _, name := range requested {
		for _, attr := range raw.Attributes {
			if strings.EqualFold(attr.Name, name) && len(attr.Values) > 0 {
				entry.Attributes[name] = append(entry.Attributes[name], attr.Values...)
			}
		}
	}
	return entry
}

// sortByDN orders entries by normalized DN, normalizing each DN once.
func sortByDN(entries []Entry) {
	keys := make(map[string]string, len(entries))
	for _, e := range entries {
		keys[e.DN] = NormalizeDN(e.DN)
	}
	sort.SliceStable(entries, func(i, j int) bool { return keys[entries[i].DN] < keys[entries[j].DN] })
}

// withAttributes returns requested plus the extra attributes the client needs
// for itself, without duplicates.
func WithAttributes(requested []string, extra ...string) []string {
	all := append([]string{}, requested...)
	for _, name := range extra {
		if !containsFold(all, name) {
			all = append(all, name)
		}
	}
	return all
}

func containsFold(list []string, s string) bool {
	for _, item := range list {
		if strings.EqualFold(item, s) {
			return true
		}
	}
	return false
}
