package adtest

import (
	"net"
	"slices"
	"strings"
	"testing"
)

// A port another process holds is named in the skip message. The test holds the DC lock, so no
// test binary starts a DC while it holds the port.
func TestTakenPortsAreNamed(t *testing.T) {
	findSamba(t)
	cache := openCache(t)
	cache.lockDC(t)
	defer cache.unlock()
	l, err := net.Listen("tcp", "127.0.0.1:636")
	if err != nil {
		t.Skipf("cannot hold port 636 for the test: %v", err)
	}
	defer func() { _ = l.Close() }()
	taken := takenPorts()
	if !slices.Contains(taken, "127.0.0.1:636") {
		t.Fatalf("taken ports %v, want 127.0.0.1:636 among them", taken)
	}
	if msg := portsTaken(taken); !strings.Contains(msg, "[389 636 3268 3269]") || !strings.Contains(msg, "127.0.0.1:636") {
		t.Errorf("message %q names neither the DC's ports nor the taken one", msg)
	}
}
