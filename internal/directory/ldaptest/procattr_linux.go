package ldaptest

import "syscall"

// dieWithParent makes the kernel kill slapd if the test binary dies without
// running its cleanups (a timeout panic, a kill -9), so no server outlives it.
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
