package cql

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/ticket"
)

// The built-in fields' values: what each kind of field accepts and how it
// compares.

// emptyOf is the SQL for "f IS EMPTY" of a built-in field.
func emptyOf(f *fieldDef) string {
	switch {
	case f.nullable:
		return f.column + " IS NULL"
	case f.kind == kindLevel || f.kind == kindText || f.kind == kindResolution:
		return f.column + " = ''"
	}
	return "1=0"
}

// builtin compiles a clause on a built-in field, for the positive form of
// its operator; nullable tells whether the result may be NULL.
func (c *compiler) builtin(cl *Clause, op Op) (sql string, nullable bool, err error) {
	f := cl.Field.def
	if op == OpIs {
		return emptyOf(f), false, nil
	}
	switch f.kind {
	case kindText:
		return c.like(fixed(f.column), cl.Value), false, c.textValue(cl.Value)
	case kindFullText:
		s, err := c.fullText(cl.Value)
		return s, false, err
	case kindDate:
		s, err := c.dates(fixed(f.column), fixed(f.column+" IS NULL"), cl, op, c.date, func(t time.Time) any { return t.UnixMilli() })
		return s, f.nullable, err
	case kindPriority:
		if op.ordered() {
			p, err := c.priority(cl.Value)
			return f.column + " " + op.String() + " " + c.arg(p), false, err
		}
	case kindLevel:
		if op.ordered() {
			l, err := c.level(cl.Value)
			var in []any
			for _, x := range []ticket.Level{ticket.LevelHigh, ticket.LevelMedium, ticket.LevelLow} {
				if compareInts(levelRank(x), op, levelRank(l)) {
					in = append(in, string(x))
				}
			}
			return c.member(fixed(f.column), in, nil), false, err
		}
	case kindKey:
		if op.ordered() {
			desk, n, err := c.key(cl.Value)
			return "(t.desk_id = (SELECT id FROM desks WHERE key = " + c.arg(desk) + ") AND t.number " + op.String() + " " + c.arg(n) + ")", true, err
		}
	case kindResolution:
		if op == OpLike {
			return c.like(fixed(f.column), cl.Value), false, c.textValue(cl.Value)
		}
	case kindStatus:
		return c.statuses(cl, true)
	case kindSLA:
		return c.sla(cl)
	}
	// = and IN: a set of values, maybe with EMPTY.
	var vals []any
	var empty column
	for _, v := range items(cl.Value) {
		if v.Kind == ValueEmpty {
			empty = fixed(emptyOf(f))
			continue
		}
		got, err := c.value(f, v, op)
		if err != nil {
			return "", false, err
		}
		vals = append(vals, got...)
	}
	if len(vals) > MaxArgs {
		return "", false, errorAt(cl.Value.At, "the values stand for more than %d records", MaxArgs)
	}
	if f.kind == kindResolution {
		return c.memberLower(fixed(f.column), vals, empty), f.nullable, nil
	}
	return c.member(fixed(f.column), vals, empty), f.nullable, nil
}

// value turns one value of an = or IN clause on a built-in field into the
// arguments it stands for.
func (c *compiler) value(f *fieldDef, v Value, op Op) ([]any, error) {
	if v.Kind == ValueFunc {
		fn := functions[strings.ToLower(v.Text)]
		if f.kind == kindUser {
			return c.userFunc(fn, v, op)
		}
		return nil, errorAt(v.At, "%s() cannot be compared with %s", fn.name, f.name)
	}
	text := strings.TrimSpace(v.Text)
	switch f.kind {
	case kindKey:
		desk, n, err := c.key(v)
		return []any{fmt.Sprintf("%s-%d", desk, n)}, err
	case kindType:
		norm := strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(text))
		if !ticket.ValidType(norm) {
			return nil, errorAt(v.At, "%s is not a ticket type: use incident, service_request, problem or change%s", quote(v.Text), didYouMean(norm, asStrings(ticket.Types)))
		}
		return []any{norm}, nil
	case kindCategory:
		norm := strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(text))
		if norm == "todo" {
			norm = "to_do"
		}
		cats := []string{string(ticket.CategoryToDo), string(ticket.CategoryInProgress), string(ticket.CategoryDone)}
		for _, k := range cats {
			if k == norm {
				return []any{k}, nil
			}
		}
		return nil, errorAt(v.At, "%s is not a status category: use \"To Do\", \"In Progress\" or Done%s", quote(v.Text), didYouMean(norm, cats))
	case kindPriority:
		p, err := c.priority(v)
		return []any{p}, err
	case kindLevel:
		l, err := c.level(v)
		return []any{string(l)}, err
	case kindChannel:
		ch := ticket.Channel(strings.ToLower(text))
		if !ticket.ValidChannel(ch) {
			return nil, errorAt(v.At, "%s is not a channel: use portal, email, api or agent", quote(v.Text))
		}
		return []any{string(ch)}, nil
	case kindRef:
		return c.ids(f.entity, v)
	case kindUser:
		return c.ids(EntityUser, v)
	case kindResolution:
		return []any{v.Text}, nil
	}
	return nil, errorAt(v.At, "%s cannot be compared this way", f.name)
}

func asStrings[T ~string](vals []T) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = string(v)
	}
	return out
}

// ids resolves a name to the ids of the records it names.
func (c *compiler) ids(e Entity, v Value) ([]any, error) {
	name := strings.TrimSpace(v.Text)
	ids, err := c.o.Resolver.IDs(e, name)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		if c.o.Customer && (e == EntityUser || e == EntityTeam || e == EntityOrganization) {
			return nil, nil // matches nothing; the directory stays private
		}
		hint := ""
		if e != EntityUser {
			names, err := c.o.Resolver.Names(e)
			if err != nil {
				return nil, err
			}
			hint = didYouMean(name, names)
		}
		what := e.String()
		if e == EntityUser {
			what = "user with the email or name"
		}
		return nil, errorAt(v.At, "there is no %s %s%s", what, quote(name), hint)
	}
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out, nil
}

// userFunc evaluates currentUser() and membersOf() for a user field.
func (c *compiler) userFunc(fn funcDef, v Value, op Op) ([]any, error) {
	switch fn.kind {
	case funcUser:
		return []any{c.o.Resolver.CurrentUser()}, nil
	case funcUserList:
		if op != OpIn {
			return nil, errorAt(v.At, "membersOf() gives several people: use IN or NOT IN")
		}
		team := strings.TrimSpace(v.Items[0].Text)
		ids, found, err := c.o.Resolver.TeamMembers(team)
		if err != nil {
			return nil, err
		}
		if !found && !c.o.Customer {
			names, err := c.o.Resolver.Names(EntityTeam)
			if err != nil {
				return nil, err
			}
			return nil, errorAt(v.Items[0].At, "there is no team %s%s", quote(team), didYouMean(team, names))
		}
		out := make([]any, len(ids))
		for i, id := range ids {
			out[i] = id
		}
		return out, nil
	}
	return nil, errorAt(v.At, "%s() is not a person: use currentUser(), membersOf(\"team\"), an email or a name", fn.name)
}

// statuses compiles status = and IN. Names compare without letter case,
// as every workflow spells them. The categories of the statuses named are
// added to the condition, though implied, so that the indexes on category
// serve it. A name no workflow has that names a status category ("Done",
// "To Do", "In Progress") means any status of that category, so that
// "status != Done" reads as people mean it.
func (c *compiler) statuses(cl *Clause, withCategories bool) (string, bool, error) {
	var names, implied, cats []any
	for _, v := range items(cl.Value) {
		if v.Kind == ValueEmpty {
			continue // a ticket always has a status
		}
		if v.Kind == ValueFunc {
			return "", false, errorAt(v.At, "%s() cannot be compared with status", v.Text)
		}
		got, err := c.status(v)
		if _, mistake := err.(*Error); err != nil && !mistake {
			return "", false, err
		}
		if err != nil {
			cat, catErr := c.value(lookupBuiltin("category"), v, OpEq)
			if catErr != nil {
				return "", false, err
			}
			cats = append(cats, cat...)
			continue
		}
		for _, st := range got {
			if !slices.Contains(names, any(st.Name)) {
				names = append(names, st.Name)
			}
			if !slices.Contains(implied, any(string(st.Category))) {
				implied = append(implied, string(st.Category))
			}
		}
	}
	var parts []string
	switch {
	case len(names) > 0 && withCategories:
		parts = append(parts, "("+c.member(fixed("t.status"), names, nil)+" AND "+c.member(fixed("t.status_category"), implied, nil)+")")
	case len(names) > 0:
		parts = append(parts, c.member(fixed("t.status"), names, nil))
	}
	if len(cats) > 0 {
		parts = append(parts, c.member(fixed("t.status_category"), cats, nil))
	}
	return orParts(parts), false, nil
}

// status finds the statuses a value names, in every workflow.
func (c *compiler) status(v Value) ([]ticket.Status, error) {
	if c.allStatuses == nil {
		all, err := c.o.Resolver.Statuses()
		if err != nil {
			return nil, err
		}
		c.allStatuses = append([]ticket.Status{}, all...)
	}
	name := strings.TrimSpace(v.Text)
	var out []ticket.Status
	var known []string
	for _, s := range c.allStatuses {
		if strings.EqualFold(s.Name, name) {
			out = append(out, s)
		}
		known = append(known, s.Name)
	}
	if len(out) == 0 {
		return nil, errorAt(v.At, "no workflow has a status %s%s", quote(name), didYouMean(name, known))
	}
	return out, nil
}

func (c *compiler) priority(v Value) (int, error) {
	if v.Kind == ValueWord || v.Kind == ValueString {
		if p, ok := ticket.ParsePriority(strings.TrimSpace(v.Text)); ok {
			return p.Rank(), nil
		}
	}
	return 0, errorAt(v.At, "%s is not a priority: use Highest, High, Medium, Low or Lowest%s", v, didYouMean(v.Text, asStrings(ticket.Priorities)))
}

func (c *compiler) level(v Value) (ticket.Level, error) {
	if v.Kind == ValueWord || v.Kind == ValueString {
		if l, ok := ticket.ParseLevel(strings.TrimSpace(v.Text)); ok {
			return l, nil
		}
	}
	return "", errorAt(v.At, "%s is not a level: use high, medium or low", v)
}

func levelRank(l ticket.Level) int {
	return map[ticket.Level]int{ticket.LevelHigh: 3, ticket.LevelMedium: 2, ticket.LevelLow: 1}[l]
}

func compareInts(a int, op Op, b int) bool {
	switch op {
	case OpLt:
		return a < b
	case OpLe:
		return a <= b
	case OpGt:
		return a > b
	case OpGe:
		return a >= b
	}
	return a == b
}

var keyPattern = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9_]{0,31})-([0-9]{1,18})$`)

// key reads a ticket key such as IT-12.
func (c *compiler) key(v Value) (string, int64, error) {
	if v.Kind == ValueWord || v.Kind == ValueString {
		if m := keyPattern.FindStringSubmatch(strings.TrimSpace(v.Text)); m != nil {
			n, err := strconv.ParseInt(m[2], 10, 64)
			if err == nil {
				return strings.ToUpper(m[1]), n, nil
			}
		}
	}
	return "", 0, errorAt(v.At, "%s is not a ticket key like IT-12", v)
}

// textValue checks the value of a ~ clause.
func (c *compiler) textValue(v Value) error {
	if v.Kind != ValueWord && v.Kind != ValueString {
		return errorAt(v.At, "~ takes a text to look for, not %s", v)
	}
	return nil
}

// like is a case-insensitive substring search.
func (c *compiler) like(col column, v Value) string {
	pattern := "%" + likeEscape(v.Text) + "%"
	return "lower(" + col() + ") LIKE lower(" + c.arg(pattern) + ") ESCAPE '\\'"
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// dates compiles a comparison with dates. A date stands for its whole day
// (a time for its minute): "created = 2026-01-31" is any time that day,
// "created > 2026-01-31" from the next day on. Relative dates and functions
// are instants.
//
// toSpan reads a value; conv turns a time into the argument the column
// compares with; empty is the condition for EMPTY in a list.
func (c *compiler) dates(col, empty column, cl *Clause, op Op, toSpan func(Value) (span, error), conv func(time.Time) any) (string, error) {
	if op == OpEq || op == OpIn {
		var parts []string
		hasEmpty := false
		for _, v := range items(cl.Value) {
			if v.Kind == ValueEmpty {
				hasEmpty = true
				continue
			}
			s, err := toSpan(v)
			if err != nil {
				return "", err
			}
			if s.instant() {
				parts = append(parts, col()+" = "+c.arg(conv(s.from)))
			} else {
				parts = append(parts, "("+col()+" >= "+c.arg(conv(s.from))+" AND "+col()+" < "+c.arg(conv(s.to))+")")
			}
		}
		if hasEmpty {
			parts = append(parts, empty())
		}
		if len(parts) == 1 {
			return parts[0], nil
		}
		return "(" + strings.Join(parts, " OR ") + ")", nil
	}
	s, err := toSpan(cl.Value)
	if err != nil {
		return "", err
	}
	switch {
	case op == OpLt:
		return col() + " < " + c.arg(conv(s.from)), nil
	case op == OpGe:
		return col() + " >= " + c.arg(conv(s.from)), nil
	case s.instant():
		return col() + " " + op.String() + " " + c.arg(conv(s.from)), nil
	case op == OpLe:
		return col() + " < " + c.arg(conv(s.to)), nil
	}
	return col() + " >= " + c.arg(conv(s.to)), nil // >
}

func (c *compiler) date(v Value) (span, error) { return date(v, c.now, c.loc) }

// words splits what text ~ looks for into words, dropping those without a
// letter or digit (they would match nothing).
func words(s string) []string {
	var out []string
	for _, w := range strings.Fields(s) {
		if strings.IndexFunc(w, isWordRune) >= 0 {
			out = append(out, w)
		}
	}
	return out
}

func (c *compiler) fullText(v Value) (string, error) {
	if err := c.textValue(v); err != nil {
		return "", err
	}
	ws := words(v.Text)
	if len(ws) == 0 {
		return "", errorAt(v.At, "text ~ needs at least one word to look for")
	}
	if len(ws) > MaxWords {
		return "", errorAt(v.At, "text ~ looks for at most %d words", MaxWords)
	}
	return c.searchIndex(ws), nil
}
