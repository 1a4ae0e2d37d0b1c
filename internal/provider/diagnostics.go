package provider

import (
	"fmt"
	"strings"
)

// listSome joins the first limit items and says how many more there are, so a diagnostic about
// thousands of users stays readable.
func listSome(items []string, limit int) string {
	if len(items) <= limit {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:limit], ", "), len(items)-limit)
}
