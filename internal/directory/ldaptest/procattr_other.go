//go:build !linux

package ldaptest

import "syscall"

// dieWithParent has no portable equivalent of Linux's parent-death signal;
// t.Cleanup still stops the server.
func dieWithParent() *syscall.SysProcAttr {
	return nil
}
