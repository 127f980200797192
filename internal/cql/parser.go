package cql

import (
	"strings"
)

// Parse reads a query. An empty query, or one of only ORDER BY, sets no
// condition. Parse checks what needs no lookup: the syntax, the names of
// built-in fields and functions, and which operators each built-in field
// takes. Compile checks the rest.
//
// The grammar, keywords in any letter case:
//
//	query  = [or] [ORDER BY sort {"," sort}]
//	or     = and {OR and}
//	and    = not {AND not}
//	not    = NOT not | "(" or ")" | clause | call
//	clause = field op value | field [NOT] IN (list | value) | field IS [NOT] EMPTY
//	call   = name "(" [arg {"," arg}] ")"    a condition of its own: dependsOn("payments-db")
//	field  = word | "quoted label or key of a custom field"
//	value  = word | "text" | 'text' | EMPTY | NULL | name "(" [arg {"," arg}] ")"
//	list   = "(" value {"," value} ")"
//	sort   = field [ASC | DESC]
func Parse(src string) (*Query, error) { return parse(src, ticketLanguage) }

// language is what a parser knows of the records a query is over: the
// names of their built-in fields, and how other fields are written.
type language struct {
	lookup func(name string) *fieldDef
	names  func() []string // for "did you mean" hints
	quoted string          // how to write a field that is not built in
}

var ticketLanguage = &language{
	lookup: lookupBuiltin,
	names:  builtinNames,
	quoted: `custom fields are written in double quotes, as in "Laptop model"`,
}

func parse(src string, lang *language) (*Query, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, lang: lang}
	q := &Query{}
	if p.peek().kind != tokEOF && !p.atOrderBy() {
		if q.Where, err = p.or(); err != nil {
			return nil, err
		}
	}
	if p.atOrderBy() {
		if q.OrderBy, err = p.orderBy(); err != nil {
			return nil, err
		}
	}
	if t := p.peek(); t.kind != tokEOF {
		if t.kind == tokRParen {
			return nil, errorAt(t.pos, "unexpected \")\" without a matching \"(\"")
		}
		if p.keyword(t, "ORDER") {
			return nil, errorAt(p.toks[p.i+1].pos, "expected BY after ORDER")
		}
		if len(q.OrderBy) > 0 {
			return nil, errorAt(t.pos, "unexpected %s: expected \",\" and another field, or the end of the query", t.describe())
		}
		return nil, errorAt(t.pos, "unexpected %s: expected AND, OR, ORDER BY or the end of the query", t.describe())
	}
	return q, nil
}

// reserved words cannot be bare field names or values; quote them to mean
// the text.
var reserved = map[string]bool{
	"and": true, "or": true, "not": true, "in": true, "is": true, "empty": true, "null": true,
	"order": true, "by": true, "asc": true, "desc": true,
}

type parser struct {
	lang  *language
	toks  []token
	i     int
	depth int
	terms int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) keyword(t token, kw string) bool {
	return t.kind == tokWord && strings.EqualFold(t.text, kw)
}

func (p *parser) atOrderBy() bool {
	return p.keyword(p.peek(), "ORDER") && p.keyword(p.toks[min(p.i+1, len(p.toks)-1)], "BY")
}

func (p *parser) or() (Expr, error) {
	first, err := p.and()
	if err != nil {
		return nil, err
	}
	terms := []Expr{first}
	for p.keyword(p.peek(), "OR") {
		p.next()
		e, err := p.and()
		if err != nil {
			return nil, err
		}
		terms = append(terms, e)
	}
	if len(terms) == 1 {
		return first, nil
	}
	return &Or{Terms: terms}, nil
}

func (p *parser) and() (Expr, error) {
	first, err := p.not()
	if err != nil {
		return nil, err
	}
	terms := []Expr{first}
	for p.keyword(p.peek(), "AND") {
		p.next()
		e, err := p.not()
		if err != nil {
			return nil, err
		}
		terms = append(terms, e)
	}
	if len(terms) == 1 {
		return first, nil
	}
	return &And{Terms: terms}, nil
}

func (p *parser) not() (Expr, error) {
	t := p.peek()
	switch {
	case p.keyword(t, "NOT"):
		p.next()
		if err := p.enter(t); err != nil {
			return nil, err
		}
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		p.depth--
		return &Not{X: x, At: t.pos}, nil
	case t.kind == tokLParen:
		p.next()
		if err := p.enter(t); err != nil {
			return nil, err
		}
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if c := p.peek(); c.kind != tokRParen {
			return nil, errorAt(c.pos, "expected \")\" to close the \"(\" at line %d, column %d, not %s", t.pos.Line, t.pos.Column, c.describe())
		}
		p.next()
		p.depth--
		return e, nil
	case t.kind == tokWord && !reserved[strings.ToLower(t.text)] && p.toks[p.i+1].kind == tokLParen && p.lang.lookup(t.text) == nil:
		return p.predicate()
	}
	return p.clause()
}

// predicate reads a function that is a condition of its own.
func (p *parser) predicate() (Expr, error) {
	p.terms++
	if p.terms > MaxTerms {
		return nil, errorAt(p.peek().pos, "the query has more than %d conditions", MaxTerms)
	}
	name := p.next()
	fn, ok := predicates[strings.ToLower(name.text)]
	if !ok {
		if v, isValue := functions[strings.ToLower(name.text)]; isValue {
			return nil, errorAt(name.pos, "%s() is a value, not a condition: compare a field with it, as in created > startOfDay() or assignee = currentUser()", v.name)
		}
		return nil, errorAt(name.pos, "unknown condition %s()%s", name.text, didYouMean(name.text, predicateNames()))
	}
	v, err := p.arguments(name, fn.funcDef)
	if err != nil {
		return nil, err
	}
	return &Call{Name: v.Text, Args: v.Items, At: v.At}, nil
}

func (p *parser) enter(t token) error {
	p.depth++
	if p.depth > MaxDepth {
		return errorAt(t.pos, "the query nests more than %d levels deep", MaxDepth)
	}
	return nil
}

// field reads a field name; what tells what the field is for in messages.
func (p *parser) field(what string) (Field, error) {
	t := p.next()
	switch {
	case t.kind == tokString:
		f := Field{Name: t.text, Quoted: true, At: t.pos, def: p.lang.lookup(t.text)}
		if strings.TrimSpace(t.text) == "" {
			return f, errorAt(t.pos, "a field name cannot be empty")
		}
		return f, nil
	case t.kind == tokWord && !reserved[strings.ToLower(t.text)]:
		f := Field{Name: t.text, At: t.pos, def: p.lang.lookup(t.text)}
		if f.def == nil {
			hint := didYouMean(t.text, p.lang.names())
			if hint == "" {
				hint = "; " + p.lang.quoted
			}
			return f, errorAt(t.pos, "unknown field %q%s", t.text, hint)
		}
		return f, nil
	case t.kind == tokEOF:
		return Field{}, errorAt(t.pos, "expected a field name%s", what)
	}
	return Field{}, errorAt(t.pos, "expected a field name%s, not %s", what, t.describe())
}

func (p *parser) clause() (Expr, error) {
	p.terms++
	if p.terms > MaxTerms {
		return nil, errorAt(p.peek().pos, "the query has more than %d conditions", MaxTerms)
	}
	f, err := p.field("")
	if err != nil {
		return nil, err
	}
	c := &Clause{Field: f}
	t := p.next()
	c.OpAt = t.pos
	switch {
	case t.kind == tokOp:
		c.Op = map[string]Op{"=": OpEq, "!=": OpNe, "<": OpLt, "<=": OpLe, ">": OpGt, ">=": OpGe, "~": OpLike, "!~": OpNotLike}[t.text]
	case p.keyword(t, "IN"):
		c.Op = OpIn
	case p.keyword(t, "NOT"):
		if !p.keyword(p.peek(), "IN") {
			return nil, errorAt(p.peek().pos, "expected IN after NOT")
		}
		p.next()
		c.Op = OpNotIn
	case p.keyword(t, "IS"):
		c.Op = OpIs
		if p.keyword(p.peek(), "NOT") {
			p.next()
			c.Op = OpIsNot
		}
	case t.kind == tokEOF:
		return nil, errorAt(t.pos, "expected an operator after %s", f)
	default:
		return nil, errorAt(t.pos, "expected an operator after %s, not %s", f, t.describe())
	}
	opTok := t
	if c.Value, err = p.value(c.Op, opTok); err != nil {
		return nil, err
	}
	if c.Value.Kind == ValueEmpty && (c.Op == OpEq || c.Op == OpNe) {
		c.Op = map[Op]Op{OpEq: OpIs, OpNe: OpIsNot}[c.Op]
	}
	if f.def != nil && !allows(f.def.ops, c.Op) {
		if c.Op == OpIs || c.Op == OpIsNot {
			return nil, errorAt(c.Value.At, "%s is never empty; it cannot be compared with EMPTY", f.def.name)
		}
		return nil, errorAt(c.OpAt, "%s cannot be compared with %s; use %s", f.def.name, c.Op, opList(f.def.ops))
	}
	return c, nil
}

// value reads what follows an operator.
func (p *parser) value(op Op, opTok token) (Value, error) {
	after := opTok.text
	if op == OpNotIn {
		after = "NOT IN"
	} else if op == OpIsNot {
		after = "IS NOT"
	} else if op == OpIn || op == OpIs {
		after = strings.ToUpper(opTok.text)
	}
	t := p.peek()
	switch op {
	case OpIs, OpIsNot:
		if p.keyword(t, "EMPTY") || p.keyword(t, "NULL") {
			p.next()
			return Value{Kind: ValueEmpty, At: t.pos}, nil
		}
		return Value{}, errorAt(t.pos, "expected EMPTY after %s", after)
	case OpIn, OpNotIn:
		if t.kind == tokLParen {
			return p.list(after)
		}
	}
	if t.kind == tokLParen {
		return Value{}, errorAt(t.pos, "a list of values goes with IN or NOT IN, not %s", after)
	}
	v, err := p.single(after)
	if err != nil {
		return v, err
	}
	if v.Kind == ValueEmpty && op != OpEq && op != OpNe && op != OpIn && op != OpNotIn {
		return v, errorAt(v.At, "EMPTY goes with IS, IS NOT, = or !=, not %s", after)
	}
	return v, nil
}

// single reads one value: a word, a text, EMPTY or a function call.
func (p *parser) single(after string) (Value, error) {
	t := p.next()
	switch t.kind {
	case tokString:
		return Value{Kind: ValueString, Text: t.text, At: t.pos}, nil
	case tokWord:
		if p.keyword(t, "EMPTY") || p.keyword(t, "NULL") {
			return Value{Kind: ValueEmpty, At: t.pos}, nil
		}
		if reserved[strings.ToLower(t.text)] {
			return Value{}, errorAt(t.pos, "expected a value after %s, not the keyword %s (quote it to mean the text)", after, strings.ToUpper(t.text))
		}
		if p.peek().kind == tokLParen {
			return p.call(t)
		}
		return Value{Kind: ValueWord, Text: t.text, At: t.pos}, nil
	case tokEOF:
		return Value{}, errorAt(t.pos, "expected a value after %s", after)
	}
	return Value{}, errorAt(t.pos, "expected a value after %s, not %s", after, t.describe())
}

func (p *parser) list(after string) (Value, error) {
	open := p.next()
	v := Value{Kind: ValueList, At: open.pos}
	for {
		if p.peek().kind == tokLParen {
			return v, errorAt(p.peek().pos, "lists cannot be nested")
		}
		it, err := p.single(after)
		if err != nil {
			return v, err
		}
		v.Items = append(v.Items, it)
		if len(v.Items) > MaxValues {
			return v, errorAt(it.At, "a list may hold at most %d values", MaxValues)
		}
		t := p.next()
		if t.kind == tokRParen {
			return v, nil
		}
		if t.kind != tokComma {
			return v, errorAt(t.pos, "expected \",\" or \")\" in the list that starts at line %d, column %d, not %s", open.pos.Line, open.pos.Column, t.describe())
		}
	}
}

// call reads a function call whose name is t.
func (p *parser) call(name token) (Value, error) {
	fn, ok := functions[strings.ToLower(name.text)]
	if !ok {
		if c, isCondition := predicates[strings.ToLower(name.text)]; isCondition {
			return Value{}, errorAt(name.pos, "%s() is a condition of its own, not a value: write it alone, as in %s(\"payments-db\") AND status = live", c.name, c.name)
		}
		return Value{}, errorAt(name.pos, "unknown function %s()%s", name.text, didYouMean(name.text, functionNames()))
	}
	return p.arguments(name, fn)
}

// arguments reads the arguments of the function fn, whose name is the
// token name, from its "(".
func (p *parser) arguments(name token, fn funcDef) (Value, error) {
	v := Value{Kind: ValueFunc, Text: fn.name, At: name.pos}
	p.next() // (
	if p.peek().kind == tokRParen {
		p.next()
	} else {
		for {
			t := p.next()
			switch t.kind {
			case tokWord, tokString:
				if t.kind == tokWord && reserved[strings.ToLower(t.text)] {
					return v, errorAt(t.pos, "expected an argument of %s(), not the keyword %s", fn.name, strings.ToUpper(t.text))
				}
				if t.kind == tokWord && p.peek().kind == tokLParen {
					return v, errorAt(t.pos, "a function's arguments cannot be functions")
				}
				kind := ValueWord
				if t.kind == tokString {
					kind = ValueString
				}
				v.Items = append(v.Items, Value{Kind: kind, Text: t.text, At: t.pos})
			case tokEOF:
				return v, errorAt(t.pos, "expected an argument of %s() and \")\"", fn.name)
			default:
				return v, errorAt(t.pos, "expected an argument of %s(), not %s", fn.name, t.describe())
			}
			if len(v.Items) > fn.maxArgs {
				break
			}
			t = p.next()
			if t.kind == tokRParen {
				break
			}
			if t.kind != tokComma {
				return v, errorAt(t.pos, "expected \",\" or \")\" after an argument of %s(), not %s", fn.name, t.describe())
			}
		}
	}
	if n := len(v.Items); n < fn.minArgs || n > fn.maxArgs {
		return v, errorAt(name.pos, "%s() takes %s, not %d", fn.name, fn.arity(), n)
	}
	return v, nil
}

func (p *parser) orderBy() ([]Sort, error) {
	p.next() // ORDER
	p.next() // BY
	var out []Sort
	seen := map[string]bool{}
	for {
		f, err := p.field(" after ORDER BY")
		if err != nil {
			return nil, err
		}
		if f.def != nil && f.def.sort == "" {
			return nil, errorAt(f.At, "results cannot be sorted by %s", f.def.name)
		}
		id := strings.ToLower(f.Name)
		if f.def != nil {
			id = f.def.name
		}
		if seen[id] {
			return nil, errorAt(f.At, "the results are sorted by %s already", f)
		}
		seen[id] = true
		s := Sort{Field: f}
		if t := p.peek(); p.keyword(t, "DESC") {
			s.Desc = true
			p.next()
		} else if p.keyword(t, "ASC") {
			p.next()
		}
		out = append(out, s)
		if p.peek().kind != tokComma {
			return out, nil
		}
		p.next()
	}
}
