package cql

import (
	"errors"
	"strings"
	"testing"
)

var fuzzSeeds = []string{
	"",
	`service = "Laptop setup" AND priority IN (High, Highest) AND status != Done ORDER BY created DESC`,
	"priority >= High and not (assignee = currentUser() or assignee is empty)",
	`"Laptop model" = "macbook pro" AND "RAM (GB)" > 8 AND "Software" in (slack, zoom)`,
	"created >= -7d and resolved < startOfDay(-1) and updated = 2026-01-15",
	`text ~ "vpn drops" OR summary ~ "50%_off"`,
	`assignee in membersOf("Service Desk") and "Needed by" <= endOfMonth()`,
	`"Urgent" = true and "Approver" != bob and key > IT-100 ORDER BY priority DESC, "RAM (GB)"`,
	`key IN (IT-1, 'IT-2') AND type = "service request" AND category = "To Do"`,
	`impact >= medium OR urgency IS EMPTY OR channel = email OR resolution ~ "won't"`,
	`organization = Finance AND team IS NOT EMPTY AND "request type" = "New laptop"`,
	`reporter NOT IN (EMPTY, currentUser()) AND description !~ x`,
	`"Needed by" IN (2026-01-01, startOfWeek(1), EMPTY) AND "Software" NOT IN (Zoom)`,
	`created > "2026-01-31 14:00" AND updated < endOfYear(-1y) AND resolved >= startOfMonth(-1)`,
	`NOT NOT (status = Open OR NOT ("device" = desktop AND "model" = x))`,
	"ORDER BY key, service, assignee DESC, \"Notes\", category, impact",
	"status = ", "(status = Open", "status = Open)", `summary ~ "unterminated`, "prority = x", "a\x00b",
	"status = Op\xffen", "created > startOfDay(", "key > IT-99999999999999999999", `"Location" = x`,
	`status = Open AND NOT dependsOn("payments-db", 2)`, "hosts(web01) OR now()", "assignee = runsOn(x)",
}

// FuzzParse feeds any text to the parser and, when it parses, to the
// compiler for both dialects: nothing may panic, mistakes are *Error
// values with a place in the text, and the SQL has one argument per
// placeholder.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, err := Parse(src)
		if err != nil {
			checkError(t, src, err)
			return
		}
		canonical := q.String()
		again, err := Parse(canonical)
		if err != nil {
			t.Fatalf("Parse(%q) gave %q, which does not parse: %v", src, canonical, err)
		}
		if again.String() != canonical {
			t.Fatalf("Parse(%q) gave %q, which parses as %q", src, canonical, again.String())
		}
		for _, o := range []Options{{Dialect: SQLite}, {Dialect: PostgreSQL}, {Dialect: SQLite, Customer: true}, {Dialect: PostgreSQL, Customer: true}} {
			o.Resolver = fakeNames{}
			sql, err := Compile(q, o)
			if err != nil {
				checkError(t, src, err)
				continue
			}
			if n := placeholders(sql.Where); n != len(sql.Args) {
				t.Fatalf("%q: %d placeholders in %s, %d arguments", src, n, sql.Where, len(sql.Args))
			}
			if n := placeholders(sql.OrderBy); n != len(sql.OrderArgs) {
				t.Fatalf("%q: %d placeholders in %s, %d arguments", src, n, sql.OrderBy, len(sql.OrderArgs))
			}
			if strings.Count(sql.Where, "(") != strings.Count(sql.Where, ")") {
				t.Fatalf("%q: unbalanced %s", src, sql.Where)
			}
		}
	})
}

func checkError(t *testing.T, src string, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%q: error %v (%T) is not an *Error", src, err, err)
	}
	lines := strings.Count(src, "\n") + 1
	if e.Line < 1 || e.Line > lines || e.Column < 1 || e.Column > len(src)+1 || e.Message == "" {
		t.Fatalf("%q: error at line %d, column %d (%q) is outside the text", src, e.Line, e.Column, e.Message)
	}
}

// placeholders counts the ? outside quoted SQL text.
func placeholders(sql string) int {
	n, quoted := 0, false
	for i := 0; i < len(sql); i++ {
		switch sql[i] {
		case '\'':
			quoted = !quoted
		case '?':
			if !quoted {
				n++
			}
		}
	}
	return n
}
