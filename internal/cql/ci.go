package cql

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/cmdb"
)

// Queries over configuration items (CIs) share the grammar of ticket
// queries (ParseCI) and compile to a condition over the table cis aliased
// ci (CompileCI). docs/cmdb-query.md is the reference; in short:
//
//	type = Server AND status = live AND "Operating system" ~ Ubuntu
//	dependsOn("payments-db") AND criticality >= high ORDER BY name
//
// Fields: name, type (a type by name or key, its subtypes included),
// status, criticality (ordered low < medium < high < critical), owner (the
// owner team; alias team), description, created, updated, id, and any
// attribute in double quotes by its label or key, compared as its schema
// type says. Relationship functions (ci_relations.go) are conditions of
// their own.

// ParseCI reads a query over CIs: the grammar of Parse, with the fields of
// a CI. Attributes, like custom fields, are checked by CompileCI.
func ParseCI(src string) (*Query, error) { return parse(src, ciLanguage) }

var ciLanguage = &language{
	lookup: lookupCIField,
	names:  ciFieldNames,
	quoted: `attributes are written in double quotes, as in "Operating system"`,
}

const (
	kindCIName      fieldKind = iota + 100 // compared whole or in part
	kindCIType                             // a type and its subtypes
	kindCIStatus                           // lifecycle status
	kindCriticality                        // ordered low < medium < high < critical
	kindCIOwner                            // the owner team, by name
	kindCIText                             // description: substring search
	kindCIDate                             // Unix milliseconds
	kindCIID
)

var (
	opsSet        = []Op{OpEq, OpNe, OpIn, OpNotIn}
	opsOrderedSet = []Op{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpIn, OpNotIn}
)

// ciFields are the built-in fields of a CI.
var ciFields = []*fieldDef{
	{name: "name", ci: true, kind: kindCIName, column: "ci.name", ops: []Op{OpEq, OpNe, OpLike, OpNotLike, OpIn, OpNotIn}, sort: "lower(ci.name)"},
	{name: "type", ci: true, aliases: []string{"ci type", "citype", "type_key"}, kind: kindCIType, column: "ci.type_id", ops: opsSet,
		sort: "(SELECT lower(name) FROM ci_types WHERE id = ci.type_id)"},
	{name: "status", ci: true, kind: kindCIStatus, column: "ci.status", ops: opsSet,
		sort: "CASE ci.status WHEN 'planned' THEN 1 WHEN 'live' THEN 2 WHEN 'maintenance' THEN 3 ELSE 4 END"},
	{name: "criticality", ci: true, kind: kindCriticality, column: "ci.criticality", ops: opsOrderedSet,
		sort: "CASE ci.criticality WHEN 'low' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3 ELSE 4 END"},
	{name: "owner", ci: true, aliases: []string{"team", "owner team", "ownerteam", "owner_team"}, kind: kindCIOwner, entity: EntityTeam,
		column: "ci.owner_team_id", nullable: true, ops: opsEq, sort: "(SELECT lower(name) FROM teams WHERE id = ci.owner_team_id)"},
	{name: "description", ci: true, kind: kindCIText, column: "ci.description", ops: opsText},
	{name: "created", ci: true, aliases: []string{"created_at"}, kind: kindCIDate, column: "ci.created_at", ops: opsOrderedSet, sort: "ci.created_at"},
	{name: "updated", ci: true, aliases: []string{"updated_at"}, kind: kindCIDate, column: "ci.updated_at", ops: opsOrderedSet, sort: "ci.updated_at"},
	{name: "id", ci: true, kind: kindCIID, column: "ci.id", ops: opsOrderedSet, sort: "ci.id"},
}

var ciFieldByName = func() map[string]*fieldDef {
	m := map[string]*fieldDef{}
	for _, f := range ciFields {
		m[f.name] = f
		for _, a := range f.aliases {
			m[a] = f
		}
	}
	return m
}()

func lookupCIField(name string) *fieldDef {
	return ciFieldByName[strings.ToLower(strings.TrimSpace(name))]
}

func ciFieldNames() []string {
	out := make([]string, len(ciFields))
	for i, f := range ciFields {
		out[i] = f.name
	}
	return out
}

// CIResolver looks up what a query over CIs names while it is compiled.
// The store implements it over the database; letter case is ignored in
// every name.
type CIResolver interface {
	// CITypes gives every CI type, inheritance resolved.
	CITypes() (*cmdb.TypeSet, error)
	// IDs gives the ids of the teams (EntityTeam) or users (EntityUser,
	// by email or name) named name; none when there is no such record.
	IDs(e Entity, name string) ([]int64, error)
	// Names lists the names of the records of kind e, for "did you mean"
	// hints; nil for users.
	Names(e Entity) ([]string, error)
	// CIs gives the ids of the CIs (not deleted) named ref, or else of the
	// CI whose id ref is; none when there is no such CI.
	CIs(ref string) ([]int64, error)
	// Related gives the CIs related by r to any of the CIs from, following
	// at most depth relationships when r is transitive (0: no limit). The
	// CIs from are not in the answer. Cycles must not make it loop.
	Related(r Relation, from []int64, depth int) ([]int64, error)
	// Now is the time relative dates count from.
	Now() time.Time
	// Location is the time zone of startOfDay() and of dates without one.
	Location() *time.Location
}

// CIOptions say how to compile a query over CIs.
type CIOptions struct {
	Dialect  Dialect
	Resolver CIResolver
}

// CompileCI turns a query that ParseCI read into SQL over the table cis
// aliased ci. Without ORDER BY in the query, SQL.OrderBy is empty and the
// caller chooses the order. Mistakes the query makes are *Error values;
// errors of the resolver are passed on as they are.
func CompileCI(q *Query, o CIOptions) (SQL, error) {
	types, err := o.Resolver.CITypes()
	if err != nil {
		return SQL{}, err
	}
	k := &ciCompiler{
		compiler: &compiler{o: Options{Dialect: o.Dialect}, doc: "ci.attributes", now: o.Resolver.Now(), loc: o.Resolver.Location()},
		r:        o.Resolver,
		types:    types,
		typeList: types.Types(),
	}
	if k.loc == nil {
		k.loc = time.UTC
	}
	out := SQL{Where: "1=1"}
	if q.Where != nil {
		if out.Where, err = k.condition(q.Where, false); err != nil {
			return SQL{}, err
		}
	}
	out.Args, k.args = k.args, nil
	if out.OrderBy, err = k.order(q.OrderBy); err != nil {
		return SQL{}, err
	}
	out.OrderArgs = k.args
	if n := len(out.Args) + len(out.OrderArgs); n > MaxArgs {
		return SQL{}, errorAt(Pos{Line: 1, Column: 1}, "the query needs %d values once names are looked up, more than the %d allowed", n, MaxArgs)
	}
	return out, nil
}

// ciCompiler compiles a query over CIs. It borrows the ticket compiler's
// arguments, dates and dialect helpers, with ci.attributes as the JSON
// column; its own methods have other names so that none of the ticket
// compiler's is called by mistake.
type ciCompiler struct {
	*compiler
	r        CIResolver
	types    *cmdb.TypeSet
	typeList []cmdb.CIType
	attrs    map[string]ciAttribute // by the name as written, lower case
}

// condition compiles a condition; neg asks for its negation, which NOT
// pushes down to the comparisons.
func (k *ciCompiler) condition(e Expr, neg bool) (string, error) {
	switch e := e.(type) {
	case *Not:
		return k.condition(e.X, !neg)
	case *And:
		return k.terms(e.Terms, neg, " AND ", " OR ")
	case *Or:
		return k.terms(e.Terms, neg, " OR ", " AND ")
	case *Clause:
		return k.comparison(e, neg)
	case *Call:
		s, err := k.relation(e)
		if err != nil || !neg {
			return s, err
		}
		return "(NOT (" + s + "))", nil
	}
	return "", fmt.Errorf("cql: unknown expression %T", e)
}

func (k *ciCompiler) terms(terms []Expr, neg bool, join, negJoin string) (string, error) {
	return group(terms, neg, join, negJoin, k.condition)
}

// comparison compiles one clause: the positive form of its operator,
// denied for the negative forms. A condition that may be NULL (an
// attribute a CI does not have) is denied with IS NOT TRUE, so that
// "a != v" is exactly "NOT a = v".
func (k *ciCompiler) comparison(cl *Clause, neg bool) (string, error) {
	neg = neg != cl.Op.negative()
	op := cl.Op.positive()
	var sql string
	var nullable bool
	var err error
	switch {
	case cl.Field.def == nil:
		sql, nullable, err = k.attribute(cl, op)
	case !cl.Field.def.ci:
		return "", errorAt(cl.Field.At, "%s is a field of tickets, not of CIs", cl.Field.def.name)
	default:
		sql, nullable, err = k.field(cl, op)
	}
	if err != nil || !neg {
		return sql, err
	}
	if nullable {
		return "((" + sql + ") IS NOT TRUE)", nil
	}
	return "(NOT (" + sql + "))", nil
}

// field compiles a clause on a built-in field of CIs.
func (k *ciCompiler) field(cl *Clause, op Op) (sql string, nullable bool, err error) {
	f := cl.Field.def
	if op == OpIs {
		switch f.kind {
		case kindCIOwner:
			return f.column + " IS NULL", false, nil
		case kindCIText:
			return f.column + " = ''", false, nil
		}
		return "1=0", false, nil
	}
	switch f.kind {
	case kindCIName, kindCIText:
		if op == OpLike {
			return k.like(fixed(f.column), cl.Value), false, k.textValue(cl.Value)
		}
	case kindCIDate:
		s, err := k.dates(fixed(f.column), fixed("1=0"), cl, op, k.date, func(t time.Time) any { return t.UnixMilli() })
		return s, false, err
	case kindCIID:
		if op.ordered() {
			id, err := ciID(cl.Value)
			return f.column + " " + op.String() + " " + k.arg(id), false, err
		}
	case kindCriticality:
		if op.ordered() {
			c, err := criticality(cl.Value)
			var in []any
			for _, x := range cmdb.Criticalities {
				if compareInts(x.Rank(), op, c.Rank()) {
					in = append(in, string(x))
				}
			}
			return k.member(fixed(f.column), in, nil), false, err
		}
	}
	// = and IN: a set of values, maybe with EMPTY.
	var vals []any
	var empty column
	for _, v := range items(cl.Value) {
		if v.Kind == ValueEmpty {
			if f.nullable {
				empty = fixed(f.column + " IS NULL")
			}
			continue // the other fields are never empty
		}
		if v.Kind == ValueFunc {
			return "", false, errorAt(v.At, "%s() cannot be compared with %s", v.Text, f.name)
		}
		got, err := k.fieldValue(f, v)
		if err != nil {
			return "", false, err
		}
		vals = append(vals, got...)
	}
	if f.kind == kindCIName {
		return k.memberLower(fixed(f.column), vals, empty), false, nil
	}
	return k.member(fixed(f.column), vals, empty), f.nullable, nil
}

// fieldValue turns one value of an = or IN clause on a built-in field into
// the arguments it stands for.
func (k *ciCompiler) fieldValue(f *fieldDef, v Value) ([]any, error) {
	text := strings.TrimSpace(v.Text)
	switch f.kind {
	case kindCIName:
		return []any{text}, nil
	case kindCIType:
		t, ok := k.types.Lookup(text)
		if !ok {
			var names []string
			for _, t := range k.typeList {
				names = append(names, t.Name, t.Key)
			}
			return nil, errorAt(v.At, "there is no CI type %s%s", quote(text), didYouMean(text, names))
		}
		return int64s(k.types.Subtree(t.ID)), nil
	case kindCIStatus:
		for _, s := range cmdb.Statuses {
			if strings.EqualFold(string(s), text) {
				return []any{string(s)}, nil
			}
		}
		return nil, errorAt(v.At, "%s is not a CI status: use planned, live, maintenance or retired%s", quote(text), didYouMean(text, asStrings(cmdb.Statuses)))
	case kindCriticality:
		c, err := criticality(v)
		return []any{string(c)}, err
	case kindCIOwner:
		ids, err := k.r.IDs(EntityTeam, text)
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			names, err := k.r.Names(EntityTeam)
			if err != nil {
				return nil, err
			}
			return nil, errorAt(v.At, "there is no team %s%s", quote(text), didYouMean(text, names))
		}
		return int64s(ids), nil
	case kindCIID:
		id, err := ciID(v)
		return []any{id}, err
	}
	return nil, errorAt(v.At, "%s cannot be compared this way", f.name)
}

func criticality(v Value) (cmdb.Criticality, error) {
	if v.Kind == ValueWord || v.Kind == ValueString {
		c := cmdb.Criticality(strings.ToLower(strings.TrimSpace(v.Text)))
		if c.Valid() {
			return c, nil
		}
	}
	return "", errorAt(v.At, "%s is not a criticality: use low, medium, high or critical%s", v, didYouMean(v.Text, asStrings(cmdb.Criticalities)))
}

func ciID(v Value) (int64, error) {
	if v.Kind == ValueWord || v.Kind == ValueString {
		if id, err := strconv.ParseInt(strings.TrimSpace(v.Text), 10, 64); err == nil && id > 0 {
			return id, nil
		}
	}
	return 0, errorAt(v.At, "%s is not the id of a CI", v)
}

func int64s(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// order compiles ORDER BY; "" when the query has none. The CI id always
// ends the list so that pages do not overlap.
func (k *ciCompiler) order(sorts []Sort) (string, error) {
	if len(sorts) == 0 {
		return "", nil
	}
	var parts []string
	dir, last := "", ""
	for _, s := range sorts {
		var expr string
		nullsLast := true
		switch {
		case s.Field.def == nil:
			a, err := k.attr(s.Field)
			if err != nil {
				return "", err
			}
			expr = k.attributeSort(a)
		case !s.Field.def.ci:
			return "", errorAt(s.Field.At, "%s is a field of tickets, not of CIs", s.Field.def.name)
		default:
			expr, nullsLast = s.Field.def.sort, s.Field.def.nullable
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
	if last != "ci.id" {
		parts = append(parts, "ci.id"+dir)
	}
	return strings.Join(parts, ", "), nil
}
