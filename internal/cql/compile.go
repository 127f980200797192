package cql

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// Dialect is the SQL flavour a query compiles to.
type Dialect int

// The dialects.
const (
	SQLite Dialect = iota
	PostgreSQL
)

// Options say how to compile a query.
type Options struct {
	Dialect  Dialect
	Resolver Resolver
	// Customer compiles for a customer: text ~ searches only what customers
	// may read (summary, description, public comments; not internal
	// notes), and names of people, teams and organizations that do not
	// exist match nothing instead of failing, so that a query cannot
	// probe the directory.
	Customer bool
	// TextLast (SQLite) writes text ~ so that the engine keeps to the
	// order it reads tickets in and checks each against the matches,
	// instead of starting from the matches: cheaper for a page of a word
	// in many tickets, far dearer for a rare one. SQL.FullText tells the
	// caller whether it can matter.
	TextLast bool
}

// SQL is a compiled query. Placeholders are ?; PostgreSQL callers rebind
// them to $1, $2...
type SQL struct {
	Where string // a condition over tickets t (over CIs ci: CompileCI); "1=1" when the query sets none
	Args  []any
	// OrderBy is the ORDER BY list, ending with t.id (ci.id) as
	// tie-breaker. CompileCI leaves it empty when the query has none.
	OrderBy   string
	OrderArgs []any
	FullText  bool // the query searches the full-text index (text ~)
}

// Compile turns a parsed query into SQL. Mistakes the query makes are
// *Error values; errors of the Resolver are passed on as they are.
func Compile(q *Query, o Options) (SQL, error) {
	c := &compiler{o: o, doc: "t.fields", now: o.Resolver.Now(), loc: o.Resolver.Location()}
	if c.loc == nil {
		c.loc = time.UTC
	}
	var out SQL
	out.Where = "1=1"
	if q.Where != nil {
		w, err := c.expr(q.Where, false)
		if err != nil {
			return SQL{}, err
		}
		out.Where = w
	}
	out.Args, c.args = c.args, nil
	order, err := c.orderBy(q.OrderBy)
	if err != nil {
		return SQL{}, err
	}
	out.OrderBy, out.OrderArgs = order, c.args
	out.FullText = c.searched
	if n := len(out.Args) + len(out.OrderArgs); n > MaxArgs {
		return SQL{}, errorAt(Pos{Line: 1, Column: 1}, "the query needs %d values once names are looked up, more than the %d allowed", n, MaxArgs)
	}
	return out, nil
}

type compiler struct {
	o           Options
	doc         string // the JSON text column of custom fields or attributes
	now         time.Time
	loc         *time.Location
	args        []any
	allStatuses []ticket.Status
	fields      []CustomField
	loaded      bool // fields
	searched    bool // a text ~ was compiled
}

// arg adds an argument and gives its placeholder.
func (c *compiler) arg(v any) string {
	c.args = append(c.args, v)
	return "?"
}

// argList adds arguments and gives "?, ?, ?".
func (c *compiler) argList(vals []any) string {
	c.args = append(c.args, vals...)
	return strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ")
}

// expr compiles a condition; neg asks for its negation, which NOT pushes
// down to the clauses.
func (c *compiler) expr(e Expr, neg bool) (string, error) {
	switch e := e.(type) {
	case *Not:
		return c.expr(e.X, !neg)
	case *And:
		return c.group(e.Terms, neg, " AND ", " OR ")
	case *Or:
		return c.group(e.Terms, neg, " OR ", " AND ")
	case *Clause:
		if e.Field.def != nil && e.Field.def.ci {
			return "", errorAt(e.Field.At, "%s is a field of CIs (ParseCI), not of tickets", e.Field.def.name)
		}
		return c.clause(e, neg)
	case *Call:
		return "", errorAt(e.At, "%s() is a condition on configuration items (CIs); queries over tickets cannot use it", e.Name)
	}
	return "", fmt.Errorf("cql: unknown expression %T", e)
}

func (c *compiler) group(terms []Expr, neg bool, join, negJoin string) (string, error) {
	return group(terms, neg, join, negJoin, c.expr)
}

// group compiles the terms of an AND or OR with one, joined by join; denied
// (neg), by negJoin, as De Morgan has it.
func group(terms []Expr, neg bool, join, negJoin string, one func(Expr, bool) (string, error)) (string, error) {
	if neg {
		join = negJoin
	}
	parts := make([]string, len(terms))
	for i, t := range terms {
		s, err := one(t, neg)
		if err != nil {
			return "", err
		}
		parts[i] = s
	}
	return "(" + strings.Join(parts, join) + ")", nil
}

// clause compiles one comparison. Each field compiles the positive form of
// its operator; the negative forms deny it. A condition that may be NULL
// (an empty column) is denied with IS NOT TRUE, so that "assignee != ann"
// keeps the unassigned tickets.
func (c *compiler) clause(cl *Clause, neg bool) (string, error) {
	neg = neg != cl.Op.negative()
	op := cl.Op.positive()
	var sql string
	var nullable bool
	var err error
	if cl.Field.def != nil {
		if neg {
			if sql, ok, err := c.complement(cl, op); ok || err != nil {
				return sql, err
			}
			if cl.Field.def.kind == kindStatus && (op == OpEq || op == OpIn) {
				// The categories help an index find tickets, not leave them out.
				sql, _, err := c.statuses(cl, false)
				return "(NOT (" + sql + "))", err
			}
		}
		sql, nullable, err = c.builtin(cl, op)
	} else {
		sql, nullable, err = c.custom(cl, op)
	}
	if err != nil || !neg {
		return sql, err
	}
	if nullable {
		return "((" + sql + ") IS NOT TRUE)", nil
	}
	return "(NOT (" + sql + "))", nil
}

// closedSets are the values of the fields that can hold nothing else, so
// that "category != Done" can be written "category IN (To Do, In
// Progress)", which an index serves.
var closedSets = map[fieldKind][]any{
	kindCategory: {string(ticket.CategoryToDo), string(ticket.CategoryInProgress), string(ticket.CategoryDone)},
	kindType:     {string(ticket.TypeIncident), string(ticket.TypeServiceRequest), string(ticket.TypeProblem), string(ticket.TypeChange)},
	kindChannel:  {string(ticket.ChannelPortal), string(ticket.ChannelEmail), string(ticket.ChannelAPI), string(ticket.ChannelAgent)},
	kindPriority: {5, 4, 3, 2, 1},
}

var flipped = map[Op]Op{OpLt: OpGe, OpLe: OpGt, OpGt: OpLe, OpGe: OpLt}

// complement compiles the negation of a clause on a field of a closed set
// of values as the other values; ok is false for other fields.
func (c *compiler) complement(cl *Clause, op Op) (string, bool, error) {
	f := cl.Field.def
	all, closed := closedSets[f.kind]
	if !closed || op == OpIs {
		return "", false, nil
	}
	if op.ordered() { // priority
		p, err := c.priority(cl.Value)
		return f.column + " " + flipped[op].String() + " " + c.arg(p), true, err
	}
	var not []any
	for _, v := range items(cl.Value) {
		if v.Kind == ValueEmpty {
			continue // these fields are never empty
		}
		got, err := c.value(f, v, op)
		if err != nil {
			return "", true, err
		}
		not = append(not, got...)
	}
	var rest []any
	for _, v := range all {
		if !slices.Contains(not, v) {
			rest = append(rest, v)
		}
	}
	return c.member(fixed(f.column), rest, nil), true, nil
}

// items gives the values a clause compares with: one, or a list's.
func items(v Value) []Value {
	if v.Kind == ValueList {
		return v.Items
	}
	return []Value{v}
}

// column writes an SQL expression, adding the arguments it needs each time
// it is written.
type column func() string

func fixed(sql string) column { return func() string { return sql } }

// member builds "col = ?", "col IN (?, ...)", or "1=0" without values, ORed
// with the condition for EMPTY when the values hold EMPTY (empty not nil).
func (c *compiler) member(col column, vals []any, empty column) string {
	var parts []string
	switch len(vals) {
	case 0:
	case 1:
		parts = append(parts, col()+" = "+c.arg(vals[0]))
	default:
		parts = append(parts, col()+" IN ("+c.argList(vals)+")")
	}
	if empty != nil {
		parts = append(parts, empty())
	}
	switch len(parts) {
	case 0:
		return "1=0"
	case 1:
		return parts[0]
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// memberLower is member for text compared without letter case: lower() on
// both sides, so that each engine folds case its own way on column and
// value alike.
func (c *compiler) memberLower(col column, vals []any, empty column) string {
	var parts []string
	if len(vals) > 0 {
		expr := "lower(" + col() + ")"
		ph := make([]string, len(vals))
		for i, v := range vals {
			ph[i] = "lower(" + c.arg(v) + ")"
		}
		if len(vals) == 1 {
			parts = append(parts, expr+" = "+ph[0])
		} else {
			parts = append(parts, expr+" IN ("+strings.Join(ph, ", ")+")")
		}
	}
	if empty != nil {
		parts = append(parts, empty())
	}
	switch len(parts) {
	case 0:
		return "1=0"
	case 1:
		return parts[0]
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// orderBy compiles ORDER BY; created DESC when none is given. The ticket id
// always ends the list so that pages do not overlap.
func (c *compiler) orderBy(sorts []Sort) (string, error) {
	if len(sorts) == 0 {
		return "t.created_at DESC, t.id DESC", nil
	}
	var parts []string
	dir := ""
	last := ""
	for _, s := range sorts {
		var expr string
		// Empty values sort last either way on both engines, except on
		// resolved, whose index serves the sort in the engine's own way.
		nullsLast := true
		if s.Field.def != nil && s.Field.def.ci {
			return "", errorAt(s.Field.At, "%s is a field of CIs (ParseCI), not of tickets", s.Field.def.name)
		}
		if s.Field.def != nil {
			expr = s.Field.def.sort
			nullsLast = s.Field.def.nullable && s.Field.def.kind != kindDate
		} else {
			f, err := c.customField(s.Field)
			if err != nil {
				return "", err
			}
			if f.class == catalog.FieldNumber {
				expr = c.jsonNumber(f.Key)
			} else {
				expr = c.jsonText(f.Key)
			}
		}
		dir = " ASC"
		if s.Desc {
			dir = " DESC"
		}
		if nullsLast {
			parts = append(parts, expr+dir+" NULLS LAST")
		} else {
			parts = append(parts, expr+dir)
		}
		last = expr
	}
	if last != "t.id" {
		parts = append(parts, "t.id"+dir)
	}
	return strings.Join(parts, ", "), nil
}
