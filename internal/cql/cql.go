// Package cql is Cairn's query language: a JQL-like way to choose a set of
// tickets, used by queues, SLA goals, reports, the API's ?q= and the search
// box. A query such as
//
//	service = "Laptop setup" AND priority >= High AND status != Done ORDER BY created DESC
//
// is parsed into a tree (Parse), then compiled into a parameterised SQL
// condition over the tickets table aliased t, for SQLite or PostgreSQL
// (Compile). Names of services, people, teams and custom fields are looked up
// through a Resolver while compiling. Values never enter the SQL text: every
// one is an argument.
//
// # The language
//
// Keywords (AND OR NOT IN IS EMPTY NULL ORDER BY ASC DESC) and field names
// are case-insensitive; NOT binds tighter than AND, AND tighter than OR.
// Values are bare words (Open, IT-12, -7d, 2026-01-31, ann@example.com) or
// text in double or single quotes with \" \' and \\ escapes.
//
// Fields: key, type, status, category (status category: To Do, In
// Progress, Done), priority, impact, urgency, service, "request type"
// (requestType), summary, description, text (full text over summary,
// description and comments), reporter, assignee (email or name),
// organization, team, channel, resolution, created, updated, resolved,
// and sla: where the ticket's SLA clocks stand, any clock of an active
// metric (breached: late now; warning or "at risk"; running; paused;
// stopped; met: stopped in time; missed: stopped late). ORDER BY sla puts
// the nearest deadline of a clock that has not stopped first.
// Custom fields go in double quotes, by label or key: "Laptop model".
//
// Operators: = != IN NOT IN, IS [NOT] EMPTY (= EMPTY and != EMPTY too),
// < <= > >= on key, priority, impact, urgency, dates and number fields,
// ~ !~ (contains, case-insensitive) on text. priority >= High means High
// or Highest. A status name no workflow has that names a category (status
// != Done) means that category.
//
// Dates: 2026-01-31 stands for the whole day and "2026-01-31 14:00" for the
// minute, so that created = 2026-01-31 is any time that day and created >
// 2026-01-31 starts the next day; -7d, -4h, -30m, 2w are times from now;
// now(), startOfDay(), endOfDay(), startOfWeek() (weeks start on Monday),
// endOfWeek(), startOfMonth(), endOfMonth(), startOfYear(), endOfYear()
// take an optional offset (startOfDay(-7d), startOfMonth(-1)). People:
// currentUser(), and membersOf("team") after IN.
//
// ORDER BY takes any field but description and text; without it results
// come newest first. The ticket id always breaks ties.
//
// Conditions are two-valued: "a != v" is exactly "NOT a = v" and so also
// matches tickets where a is empty, and NOT never loses tickets to SQL's
// NULLs.
//
// # Configuration items
//
// ParseCI and CompileCI read the same language over the CIs of the CMDB,
// with their own fields, attributes in double quotes, and relationship
// functions that are conditions of their own: dependsOn("payments-db").
// See ci.go and docs/cmdb-query.md.
package cql

import "fmt"

// Limits keep a query within what both engines can run: SQLite refuses
// expressions deeper than 1000 and more than 32 766 arguments.
const (
	MaxLength = 10000 // bytes of query text
	MaxDepth  = 32    // nested parentheses and NOTs
	MaxTerms  = 256   // conditions in one query
	MaxValues = 1000  // values in one list
	MaxArgs   = 10000 // SQL arguments, after names are resolved
	MaxWords  = 64    // words searched by one text ~
)

// Pos is a place in the query text. Line and Column count from 1; Column
// counts characters, not bytes.
type Pos struct {
	Line   int
	Column int
	Offset int // in bytes
}

// Error is a mistake in a query, with the place it was found.
type Error struct {
	Line    int
	Column  int
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Message)
}

func errorAt(p Pos, format string, args ...any) *Error {
	return &Error{Line: p.Line, Column: p.Column, Message: fmt.Sprintf(format, args...)}
}
