package provider

import (
	"fmt"
	"strings"
)

// listSome joins the first limit items and says how many more there are, so a diagnostic about
// thousands of users stays readable.
func listSome(items []string, limit int) string { return joinSome(items, limit, ", ") }

// listDNs is listSome for DNs, which contain commas themselves.
func listDNs(dns []string, limit int) string { return joinSome(dns, limit, "; ") }

// listLines is listSome with one item a line, as many as a plan's warnings name.
func listLines(lines []string) string { return joinSome(lines, listedEmpIDs, "\n") }

func joinSome(items []string, limit int, separator string) string {
	if len(items) <= limit {
		return strings.Join(items, separator)
	}
	return fmt.Sprintf("%s%sand %d more", strings.Join(items[:limit], separator), separator, len(items)-limit)
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
