//go:build !unix

package adtest

import (
	"errors"
	"os"
)

// Samba's DC runs on Linux only (findSamba skips elsewhere); these keep the package building.

func lockFile(*os.File, bool) error { return errors.New("no flock on this system") }

func ownerOf(os.FileInfo) (int, bool) { return 0, false }
