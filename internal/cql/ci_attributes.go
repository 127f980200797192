package cql

import (
	"net/netip"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/cmdb"
)

// ciAttribute is an attribute as a query over CIs sees it: one key, the
// CI types whose schema has it (inherited or their own), and the way its
// values compare.
type ciAttribute struct {
	key     string
	name    string // as the query wrote it
	class   cmdb.AttrType
	options []string // select
	types   []int64
	unique  bool // on every type that has it: ci_unique_values holds its values
}

var ciAttrOps = map[cmdb.AttrType][]Op{
	cmdb.AttrText:      opsTextEq,
	cmdb.AttrURL:       opsTextEq,
	cmdb.AttrIP:        opsTextEq,
	cmdb.AttrSelect:    opsTextEq,
	cmdb.AttrNumber:    opsOrdered,
	cmdb.AttrDate:      opsOrdered,
	cmdb.AttrBoolean:   opsChecked,
	cmdb.AttrReference: opsEq,
	cmdb.AttrPerson:    opsEq,
}

// textLike are the attribute types whose values are text in the JSON: an
// attribute key that is one of them on one type and another on another
// type still compares as text.
var textLike = []cmdb.AttrType{cmdb.AttrText, cmdb.AttrURL, cmdb.AttrIP, cmdb.AttrSelect}

// attr finds the attribute a quoted name means: the attributes with that
// key, or else those with that label, on any CI type. Several types may
// declare an attribute of the same key (Host name on servers and virtual
// machines): a query means all of them. A label that several keys share
// is ambiguous.
func (k *ciCompiler) attr(f Field) (ciAttribute, error) {
	name := strings.TrimSpace(f.Name)
	if a, ok := k.attrs[strings.ToLower(name)]; ok {
		return a, nil
	}
	type found struct {
		attr cmdb.SchemaAttribute
		typ  int64
	}
	var byKey, byLabel []found
	for _, t := range k.typeList {
		for _, a := range t.Schema {
			switch {
			case strings.EqualFold(a.Key, name):
				byKey = append(byKey, found{a, t.ID})
			case strings.EqualFold(strings.TrimSpace(a.Label), name):
				byLabel = append(byLabel, found{a, t.ID})
			}
		}
	}
	matches := byKey
	if len(matches) == 0 {
		matches = byLabel
	}
	if len(matches) == 0 {
		names := ciFieldNames()
		for _, t := range k.typeList {
			for _, a := range t.Schema {
				names = append(names, a.Label, a.Key)
			}
		}
		return ciAttribute{}, errorAt(f.At, "unknown field %s%s", quote(name), didYouMean(name, names))
	}
	out := ciAttribute{key: matches[0].attr.Key, name: name, unique: true}
	var keys []string
	classes := map[cmdb.AttrType]bool{}
	for _, m := range matches {
		if !slices.Contains(keys, m.attr.Key) {
			keys = append(keys, m.attr.Key)
		}
		if !slices.Contains(out.types, m.typ) {
			out.types = append(out.types, m.typ)
		}
		classes[m.attr.Type] = true
		out.unique = out.unique && m.attr.Unique
		for _, o := range m.attr.Options {
			if !slices.Contains(out.options, o) {
				out.options = append(out.options, o)
			}
		}
	}
	slices.Sort(out.types)
	if len(keys) > 1 {
		sort.Strings(keys)
		return ciAttribute{}, errorAt(f.At, "%s is the label of several attributes (keys %s): name one by its key", quote(name), strings.Join(keys, ", "))
	}
	if !queryable.MatchString(out.key) {
		return ciAttribute{}, errorAt(f.At, "attribute %s has the key %s, which queries cannot name", quote(name), quote(out.key))
	}
	allText := true
	for c := range classes {
		out.class = c
		allText = allText && slices.Contains(textLike, c)
	}
	switch {
	case len(classes) == 1:
	case allText:
		out.class, out.options = cmdb.AttrText, nil
	default:
		var types []string
		for c := range classes {
			types = append(types, string(c))
		}
		sort.Strings(types)
		return ciAttribute{}, errorAt(f.At, "attribute %s has different types on different CI types (%s) and cannot be queried", quote(name), strings.Join(types, ", "))
	}
	if k.attrs == nil {
		k.attrs = map[string]ciAttribute{}
	}
	k.attrs[strings.ToLower(name)] = out
	return out, nil
}

// attribute compiles a clause on an attribute. A CI whose type does not
// have the attribute has it empty, whatever its JSON may still hold from
// an older schema: a condition on a value holds only for CIs of the types
// that have it, which also lets an index on the type narrow the rows read.
func (k *ciCompiler) attribute(cl *Clause, op Op) (string, bool, error) {
	a, err := k.attr(cl.Field)
	if err != nil {
		return "", false, err
	}
	ops := ciAttrOps[a.class]
	if !allows(ops, cl.Op) {
		return "", false, errorAt(cl.OpAt, "%s (a %s attribute) cannot be compared with %s; use %s",
			quote(a.name), strings.ReplaceAll(string(a.class), "_", " "), cl.Op, opList(ops))
	}
	if op == OpIs {
		return k.attrEmpty(a), false, nil
	}
	var rest []Value
	hasEmpty := false
	for _, v := range items(cl.Value) {
		if v.Kind == ValueEmpty {
			hasEmpty = true
			continue
		}
		if v.Kind == ValueFunc && a.class != cmdb.AttrDate {
			return "", false, errorAt(v.At, "%s() cannot be compared with %s", v.Text, quote(a.name))
		}
		rest = append(rest, v)
	}
	var parts []string
	if len(rest) > 0 {
		values := *cl
		if cl.Value.Kind == ValueList {
			values.Value = Value{Kind: ValueList, Items: rest, At: cl.Value.At}
		}
		in := k.typeIn(a.types) // first: arguments go in the order of the text
		cond, err := k.attrValues(a, &values, op)
		if err != nil {
			return "", false, err
		}
		if in != "" {
			cond = "(" + in + " AND " + cond + ")"
		}
		parts = append(parts, cond)
	}
	if hasEmpty {
		parts = append(parts, k.attrEmpty(a))
	}
	return orParts(parts), true, nil
}

// attrEmpty holds when a CI has no value for the attribute.
func (k *ciCompiler) attrEmpty(a ciAttribute) string {
	in := k.typeIn(a.types)
	if in == "" {
		return k.jsonEmpty(a.key)
	}
	return "(NOT " + in + " OR " + k.jsonEmpty(a.key) + ")"
}

// typeIn is "ci.type_id IN (...)", or "" when the types are every type and
// it would narrow nothing.
func (k *ciCompiler) typeIn(types []int64) string {
	if len(types) == len(k.typeList) {
		return ""
	}
	return "(" + k.member(fixed("ci.type_id"), int64s(types), nil) + ")"
}

// attrValues compiles the positive form of a comparison of an attribute
// with values, none of them EMPTY.
func (k *ciCompiler) attrValues(a ciAttribute, cl *Clause, op Op) (string, error) {
	text := func() string { return k.jsonText(a.key) }
	var vals []any
	collect := func(conv func(Value) ([]any, error)) error {
		for _, v := range items(cl.Value) {
			got, err := conv(v)
			if err != nil {
				return err
			}
			vals = append(vals, got...)
		}
		return nil
	}
	switch a.class {
	case cmdb.AttrText, cmdb.AttrURL, cmdb.AttrIP, cmdb.AttrSelect:
		if op == OpLike {
			return k.like(text, cl.Value), k.textValue(cl.Value)
		}
		var err error
		switch {
		case a.class == cmdb.AttrSelect && len(a.options) > 0:
			err = collect(func(v Value) ([]any, error) { return attrOption(a, v) })
		case a.class == cmdb.AttrIP:
			err = collect(func(v Value) ([]any, error) { return ipAddress(a, v) })
		default:
			err = collect(func(v Value) ([]any, error) { return []any{v.Text}, nil })
		}
		switch {
		case err != nil:
			return "", err
		case a.unique:
			// Host names, serial numbers: one indexed lookup instead of
			// reading every CI's attributes.
			for i, v := range vals {
				vals[i] = cmdb.Canonical(v)
			}
			return "ci.id IN (SELECT ci_id FROM ci_unique_values WHERE attr_key = " + k.arg(a.key) + " AND " +
				k.member(fixed("value"), vals, nil) + ")", nil
		case a.class == cmdb.AttrSelect && len(a.options) > 0:
			return k.member(text, vals, nil), nil
		}
		return k.memberLower(text, vals, nil), nil
	case cmdb.AttrNumber:
		num := func() string { return k.jsonNumber(a.key) }
		if op.ordered() {
			n, err := number(customField{name: a.name}, cl.Value)
			return num() + " " + op.String() + " " + k.arg(n), err
		}
		err := collect(func(v Value) ([]any, error) {
			n, err := number(customField{name: a.name}, v)
			return []any{n}, err
		})
		return k.member(num, vals, nil), err
	case cmdb.AttrDate:
		// Values are days (YYYY-MM-DD), so a time means its day.
		day := func(v Value) (span, error) {
			s, err := k.date(v)
			if err != nil {
				return s, err
			}
			y, m, d := s.from.In(k.loc).Date()
			from := time.Date(y, m, d, 0, 0, 0, 0, k.loc)
			return span{from, from.AddDate(0, 0, 1)}, nil
		}
		return k.dates(text, fixed("1=0"), cl, op, day, func(t time.Time) any { return t.Format(time.DateOnly) })
	case cmdb.AttrBoolean:
		b, ok := checked(cl.Value)
		if !ok {
			return "", errorAt(cl.Value.At, "%s is true or false: compare it with true or false", quote(a.name))
		}
		return k.jsonBool(a.key, b), nil
	case cmdb.AttrReference:
		err := collect(func(v Value) ([]any, error) {
			ids, err := k.cis(v)
			return int64s(ids), err
		})
		return k.jsonIDs(a.key, vals, false), err
	case cmdb.AttrPerson:
		err := collect(func(v Value) ([]any, error) {
			name := strings.TrimSpace(v.Text)
			ids, err := k.r.IDs(EntityUser, name)
			if err == nil && len(ids) == 0 {
				err = errorAt(v.At, "there is no user with the email or name %s", quote(name))
			}
			return int64s(ids), err
		})
		return k.jsonIDs(a.key, vals, false), err
	}
	return "", errorAt(cl.Field.At, "attribute %s has a type (%s) that queries do not know", quote(a.name), a.class)
}

// attrOption maps a value to the option of a select attribute it names,
// letter case ignored.
func attrOption(a ciAttribute, v Value) ([]any, error) {
	text := strings.TrimSpace(v.Text)
	for _, o := range a.options {
		if strings.EqualFold(o, text) {
			return []any{o}, nil
		}
	}
	return nil, errorAt(v.At, "%s is not an option of %s%s", quote(text), quote(a.name), didYouMean(text, a.options))
}

// ipAddress reads an IP address in the form CIs keep it (cmdb.Normalize),
// so that ::ffff:10.0.0.7 finds 10.0.0.7.
func ipAddress(a ciAttribute, v Value) ([]any, error) {
	ip, err := netip.ParseAddr(strings.TrimSpace(v.Text))
	if err != nil || ip.Zone() != "" {
		return nil, errorAt(v.At, "%s is not an IP address; to find part of one, use ~ as in %s ~ \"10.0.\"", quote(v.Text), quote(a.name))
	}
	return []any{ip.Unmap().String()}, nil
}

// attributeSort is what ORDER BY an attribute sorts on: numbers as
// numbers, references and people by name, text without letter case.
func (k *ciCompiler) attributeSort(a ciAttribute) string {
	switch a.class {
	case cmdb.AttrNumber:
		return k.jsonNumber(a.key)
	case cmdb.AttrDate, cmdb.AttrBoolean:
		return k.jsonText(a.key)
	case cmdb.AttrReference:
		return "(SELECT lower(name) FROM cis WHERE id = CAST(" + k.jsonNumber(a.key) + " AS BIGINT))"
	case cmdb.AttrPerson:
		return "(SELECT lower(name) FROM users WHERE id = CAST(" + k.jsonNumber(a.key) + " AS BIGINT))"
	}
	return "lower(" + k.jsonText(a.key) + ")"
}
