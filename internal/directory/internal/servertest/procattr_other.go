//go:build !linux

package servertest

import "syscall"

// DieWithParent has no portable equivalent of Linux's parent-death signal; t.Cleanup still
// stops the server.
func DieWithParent() *syscall.SysProcAttr {
	return nil
}
