//go:build unix

package adtest

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive flock on f; without wait it fails at once when another process
// holds it.
func lockFile(f *os.File, wait bool) error {
	how := syscall.LOCK_EX
	if !wait {
		how |= syscall.LOCK_NB
	}
	return syscall.Flock(int(f.Fd()), how)
}

// ownerOf is the user ID that owns the file.
func ownerOf(info os.FileInfo) (int, bool) {
	stat, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(stat.Uid), true
}
