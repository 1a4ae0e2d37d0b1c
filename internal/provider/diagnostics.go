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

// count writes n with the noun in the right number: "1 user", "3 users".
func count(n int, one, many string) string {
	return fmt.Sprintf("%d %s", n, pick(n, one, many))
}

// pick is the singular or the plural form for n.
func pick(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
