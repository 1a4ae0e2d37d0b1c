// Package servertest holds what the directory test servers (ldaptest's slapd, adtest's Samba
// domain controller) share: a throwaway CA and server certificate, and a server process that
// dies with the test binary.
package servertest
