package servertest

import "strings"

// LastLines is the end of a tool's output, for a failure message.
func LastLines(text string, n int) string {
	lines := strings.Split(text, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
