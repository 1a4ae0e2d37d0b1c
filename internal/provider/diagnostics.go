package provider

import (
	"fmt"
	"strings"
)

// listSome joins the first max items and says how many more there are, so a diagnostic about
// thousands of users stays readable.
func listSome(items []string, max int) string {
	if len(items) <= max {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:max], ", "), len(items)-max)
}
