package cql

import "strings"

// Query is a parsed query: a condition (nil when the query sets none) and
// the order of the results.
type Query struct {
	Where   Expr
	OrderBy []Sort
}

// Expr is a condition: *And, *Or, *Not, *Clause or *Call.
type Expr interface {
	Pos() Pos
	String() string
}

// And holds when every term holds.
type And struct{ Terms []Expr }

// Or holds when any term holds.
type Or struct{ Terms []Expr }

// Not holds when X does not.
type Not struct {
	X  Expr
	At Pos
}

// Clause compares one field with a value: status = Done.
type Clause struct {
	Field Field
	Op    Op
	OpAt  Pos
	Value Value
}

// Call is a condition written as a function of its own, such as
// dependsOn("payments-db"): queries over CIs ask about relationships so.
// Parse reads one in a ticket query too, and Compile refuses it there.
type Call struct {
	Name string // as the function is spelled in the docs
	Args []Value
	At   Pos
}

// Field names a built-in field or, in double quotes, a custom field by its
// label or key.
type Field struct {
	Name   string // as written
	Quoted bool
	At     Pos
	def    *fieldDef // the built-in field; nil for a custom field
}

// Builtin gives the canonical name of a built-in field ("request type"),
// or "" for a custom field.
func (f Field) Builtin() string {
	if f.def == nil {
		return ""
	}
	return f.def.name
}

// Op is a comparison operator.
type Op int

// The operators. IS and IS NOT take EMPTY (or NULL); "= EMPTY" is read as IS.
const (
	OpEq Op = iota
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
	OpLike    // ~
	OpNotLike // !~
	OpIn
	OpNotIn
	OpIs
	OpIsNot
)

var opNames = [...]string{"=", "!=", "<", "<=", ">", ">=", "~", "!~", "IN", "NOT IN", "IS", "IS NOT"}

func (o Op) String() string { return opNames[o] }

// negative reports whether o denies its positive counterpart (!=, !~, NOT IN, IS NOT).
func (o Op) negative() bool { return o == OpNe || o == OpNotLike || o == OpNotIn || o == OpIsNot }

// positive gives the operator that o negates, or o itself.
func (o Op) positive() Op {
	switch o {
	case OpNe:
		return OpEq
	case OpNotLike:
		return OpLike
	case OpNotIn:
		return OpIn
	case OpIsNot:
		return OpIs
	}
	return o
}

func (o Op) ordered() bool { return o == OpLt || o == OpLe || o == OpGt || o == OpGe }

// ValueKind tells what a value is.
type ValueKind int

// The kinds of value.
const (
	ValueWord   ValueKind = iota // a bare word: Open, -7d, 2026-01-31, 42
	ValueString                  // quoted text
	ValueEmpty                   // EMPTY or NULL
	ValueFunc                    // name(args)
	ValueList                    // (a, b, c)
)

// Value is the right-hand side of a clause.
type Value struct {
	Kind  ValueKind
	Text  string  // the word, the text or the function's name
	Items []Value // a list's items or a function's arguments
	At    Pos
}

// Sort is one key of ORDER BY.
type Sort struct {
	Field Field
	Desc  bool
}

// Pos gives where the condition starts.
func (a *And) Pos() Pos { return a.Terms[0].Pos() }

// Pos gives where the condition starts.
func (o *Or) Pos() Pos { return o.Terms[0].Pos() }

// Pos gives where the condition starts.
func (n *Not) Pos() Pos { return n.At }

// Pos gives where the condition starts.
func (c *Clause) Pos() Pos { return c.Field.At }

// Pos gives where the condition starts.
func (c *Call) Pos() Pos { return c.At }

// String writes the query back in canonical form: keywords in capitals,
// every AND and OR group in parentheses. Parsing the result gives the same
// query.
func (q *Query) String() string {
	var b strings.Builder
	if q.Where != nil {
		b.WriteString(q.Where.String())
	}
	for i, s := range q.OrderBy {
		if i == 0 {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString("ORDER BY ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(s.Field.String())
		if s.Desc {
			b.WriteString(" DESC")
		} else {
			b.WriteString(" ASC")
		}
	}
	return b.String()
}

func joinTerms(terms []Expr, sep string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = t.String()
	}
	return "(" + strings.Join(parts, sep) + ")"
}

func (a *And) String() string { return joinTerms(a.Terms, " AND ") }
func (o *Or) String() string  { return joinTerms(o.Terms, " OR ") }
func (n *Not) String() string { return "NOT " + n.X.String() }

func (c *Clause) String() string {
	return c.Field.String() + " " + c.Op.String() + " " + c.Value.String()
}

func (c *Call) String() string {
	return Value{Kind: ValueFunc, Text: c.Name, Items: c.Args}.String()
}

func (f Field) String() string {
	if f.Quoted {
		return quote(f.Name)
	}
	return f.Name
}

func (v Value) String() string {
	switch v.Kind {
	case ValueWord:
		return v.Text
	case ValueString:
		return quote(v.Text)
	case ValueEmpty:
		return "EMPTY"
	case ValueFunc, ValueList:
		parts := make([]string, len(v.Items))
		for i, it := range v.Items {
			parts[i] = it.String()
		}
		name := ""
		if v.Kind == ValueFunc {
			name = v.Text
		}
		return name + "(" + strings.Join(parts, ", ") + ")"
	}
	return "?"
}

// quote writes text in double quotes with the lexer's two escapes.
func quote(s string) string {
	if !strings.ContainsAny(s, `"\`) {
		return `"` + s + `"`
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// PinsReporterToCurrentUser reports whether the query keeps to tickets
// that whoever runs it reported: its condition is "reporter =
// currentUser()" or an AND of terms that holds it. Listings use it to
// include an agent's own requests on services they do not serve.
func (q *Query) PinsReporterToCurrentUser() bool {
	pins := func(e Expr) bool {
		c, ok := e.(*Clause)
		return ok && c.Field.def != nil && c.Field.def.name == "reporter" && c.Op == OpEq &&
			c.Value.Kind == ValueFunc && c.Value.Text == "currentUser"
	}
	if a, ok := q.Where.(*And); ok {
		for _, t := range a.Terms {
			if pins(t) {
				return true
			}
		}
		return false
	}
	return q.Where != nil && pins(q.Where)
}
