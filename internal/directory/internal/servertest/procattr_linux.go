package servertest

import "syscall"

// DieWithParent makes the kernel kill the server if the test binary dies without running its
// cleanups (a timeout panic, a kill -9), so no server outlives it.
func DieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
