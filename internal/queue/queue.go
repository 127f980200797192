// Package queue is the agent workspace's queues: named queries in Cairn's
// query language, shared by the whole desk, each with the columns it shows
// and its place in the sidebar.
package queue

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-itsm/cairn/internal/cql"
	"github.com/cairn-itsm/cairn/internal/errs"
)

// Queue is a saved query that agents work from. Every queue is shared:
// any agent or admin may change it.
type Queue struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"` // names the queue in the workspace's URLs: /agent/queues/<slug>
	Name string `json:"name"`
	// Query chooses the tickets, and with ORDER BY their order; empty
	// lists every ticket the agent may see.
	Query   string   `json:"query"`
	Columns []string `json:"columns"` // keys of Columns, in the order shown
	// Sort is the queue's order as "<column> asc|desc" when it is not
	// written in the query; empty: the query's ORDER BY, else newest first.
	Sort      string `json:"sort"`
	Position  int    `json:"position"`             // 0 first in the sidebar
	CreatedBy int64  `json:"created_by,omitempty"` // who made it; 0 for the built-in queues
}

// Column is a column a queue can show. Sort is the listing order its header
// sorts by ("" when it does not sort); Asc whether that starts ascending.
type Column struct {
	Key, Label string
	Sort       string
	Asc        bool
}

// Columns are the columns of a queue table, in their usual order.
var Columns = []Column{
	{Key: "key", Label: "Key", Sort: "key"},
	{Key: "summary", Label: "Summary", Sort: "summary", Asc: true},
	{Key: "type", Label: "Type"},
	{Key: "reporter", Label: "Reporter"},
	{Key: "assignee", Label: "Assignee"},
	{Key: "team", Label: "Team"},
	{Key: "status", Label: "Status", Sort: "status", Asc: true},
	{Key: "priority", Label: "Priority", Sort: "priority", Asc: true},
	{Key: "service", Label: "Service"},
	{Key: "sla", Label: "SLA"},
	{Key: "created", Label: "Created", Sort: "created"},
	{Key: "updated", Label: "Updated", Sort: "updated"},
	{Key: "resolved", Label: "Resolved", Sort: "resolved"},
}

// DefaultColumns are what a new queue shows.
var DefaultColumns = []string{"key", "summary", "reporter", "assignee", "status", "priority", "service", "created", "updated"}

// ColumnByKey finds a column.
func ColumnByKey(key string) (Column, bool) {
	i := slices.IndexFunc(Columns, func(c Column) bool { return c.Key == key })
	if i < 0 {
		return Column{}, false
	}
	return Columns[i], true
}

// Limits of a queue.
const (
	MaxName = 60
	MaxSlug = 40
)

var slugPattern = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// reservedSlugs would clash with the workspace's own paths.
var reservedSlugs = []string{"new"}

// Validate checks a queue and puts it in canonical form: trimmed name and
// query, sort written "<column> asc|desc". The query is only parsed here;
// the store checks the names it uses.
func (q *Queue) Validate() error {
	q.Name = strings.TrimSpace(q.Name)
	if q.Name == "" {
		return errs.Required("name")
	}
	if len([]rune(q.Name)) > MaxName {
		return errs.Invalid("name", "must be at most %d characters", MaxName)
	}
	if q.Slug != "" {
		if err := ValidSlug(q.Slug); err != nil {
			return err
		}
	}
	q.Query = strings.TrimSpace(q.Query)
	parsed, err := cql.Parse(q.Query)
	if err != nil {
		return errs.Invalid("query", "%s", err.Error())
	}
	if len(q.Columns) == 0 {
		return errs.Invalid("columns", "choose at least one column")
	}
	seen := map[string]bool{}
	for i, c := range q.Columns {
		if _, ok := ColumnByKey(c); !ok {
			return errs.Invalid("columns["+strconv.Itoa(i)+"]", "%q is not a column; use %s", c, strings.Join(columnKeys(), ", "))
		}
		if seen[c] {
			return errs.Invalid("columns["+strconv.Itoa(i)+"]", "%s is chosen twice", c)
		}
		seen[c] = true
	}
	if !seen["key"] {
		return errs.Invalid("columns", "must include key, which opens the ticket")
	}
	q.Sort = strings.Join(strings.Fields(strings.ToLower(q.Sort)), " ")
	if q.Sort != "" {
		col, dir, _ := strings.Cut(q.Sort, " ")
		c, ok := ColumnByKey(col)
		if !ok || c.Sort == "" {
			return errs.Invalid("sort", "cannot sort by %q; use one of %s", col, strings.Join(sortKeys(), ", "))
		}
		switch dir {
		case "":
			dir = "desc"
		case "asc", "desc":
		default:
			return errs.Invalid("sort", "write the order as asc or desc, as in \"priority desc\"")
		}
		q.Sort = c.Sort + " " + dir
		if len(parsed.OrderBy) > 0 {
			return errs.Invalid("sort", "the query orders the tickets with ORDER BY already: keep one of the two")
		}
	}
	if q.Position < 0 {
		return errs.Invalid("position", "must be 0 or more")
	}
	return nil
}

// SortBy splits Sort into the listing order and its direction; "" when
// the query orders the queue.
func (q Queue) SortBy() (key string, asc bool) {
	col, dir, _ := strings.Cut(q.Sort, " ")
	return col, dir == "asc"
}

// ValidSlug checks a queue's URL name.
func ValidSlug(s string) error {
	switch {
	case len(s) > MaxSlug:
		return errs.Invalid("slug", "must be at most %d characters", MaxSlug)
	case !slugPattern.MatchString(s):
		return errs.Invalid("slug", "must start with a letter and hold only a-z, 0-9 and -")
	case slices.Contains(reservedSlugs, s):
		return errs.Invalid("slug", "%q is taken by the workspace", s)
	}
	return nil
}

// Slugify makes a URL name from a queue's name: "SLA at risk" gives
// "sla-at-risk".
func Slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
		if b.Len() >= MaxSlug-4 { // room for a "-99" suffix
			break
		}
	}
	s := strings.Trim(b.String(), "-")
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		s = "queue-" + s
	}
	if slices.Contains(reservedSlugs, s) {
		s += "-queue"
	}
	return strings.TrimSuffix(s, "-")
}

func columnKeys() []string {
	out := make([]string, len(Columns))
	for i, c := range Columns {
		out[i] = c.Key
	}
	return out
}

func sortKeys() []string {
	var out []string
	for _, c := range Columns {
		if c.Sort != "" {
			out = append(out, c.Sort)
		}
	}
	return out
}
