package directory

import (
	"testing"

	"github.com/go-ldap/ldap/v3"
)

func TestEntryID(t *testing.T) {
	t.Parallel()
	guid := []byte{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10}
	tests := []struct {
		name  string
		entry *ldap.Entry
		want  string
	}{
		{"entryUUID, lower-cased", &ldap.Entry{Attributes: []*ldap.EntryAttribute{{Name: "entryUUID", Values: []string{"8A5F0C1E-1111-2222-3333-444455556666"}}}},
			"8a5f0c1e-1111-2222-3333-444455556666"},
		// Active Directory shows this GUID as {04030201-0605-0807-090a-0b0c0d0e0f10}.
		{"objectGUID in Microsoft's layout", &ldap.Entry{Attributes: []*ldap.EntryAttribute{{Name: "objectGUID", Values: []string{string(guid)}, ByteValues: [][]byte{guid}}}},
			"04030201-0605-0807-090a-0b0c0d0e0f10"},
		{"objectGUID of the wrong size", &ldap.Entry{Attributes: []*ldap.EntryAttribute{{Name: "objectGUID", ByteValues: [][]byte{guid[:8]}}}}, ""},
		{"neither", &ldap.Entry{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := entryID(tt.entry); got != tt.want {
				t.Errorf("entryID = %q, want %q", got, tt.want)
			}
		})
	}
}
