package cql

import (
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/catalog"
)

// customField is a custom field as a query sees it: one key, and the way
// its values compare (text, select, multi_select, number, date, user or
// checkbox).
type customField struct {
	Key     string
	name    string // as the query wrote it
	class   catalog.FieldType
	options []string
}

// queryable keys are those catalog.ValidateFields accepts; anything else
// could not be put in a JSON path safely.
var queryable = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

func classOf(t catalog.FieldType) catalog.FieldType {
	if t == catalog.FieldLongText {
		return catalog.FieldText
	}
	return t
}

var customOps = map[catalog.FieldType][]Op{
	catalog.FieldText:        opsTextEq,
	catalog.FieldSelect:      opsTextEq,
	catalog.FieldMultiSelect: opsEq,
	catalog.FieldNumber:      opsOrdered,
	catalog.FieldDate:        opsOrdered,
	catalog.FieldUser:        opsEq,
	catalog.FieldCheckbox:    opsChecked,
}

// customField finds the custom field a quoted name means: the fields with
// that key, or else those with that label. A label that several keys
// share is ambiguous; a key whose type differs between forms compares as
// text when both types are text-like and cannot be queried otherwise.
func (c *compiler) customField(f Field) (customField, error) {
	if !c.loaded {
		fields, err := c.o.Resolver.CustomFields()
		if err != nil {
			return customField{}, err
		}
		c.fields, c.loaded = fields, true
	}
	name := strings.TrimSpace(f.Name)
	var byKey, byLabel []CustomField
	for _, cf := range c.fields {
		switch {
		case strings.EqualFold(cf.Key, name):
			byKey = append(byKey, cf)
		case strings.EqualFold(strings.TrimSpace(cf.Label), name):
			byLabel = append(byLabel, cf)
		}
	}
	matches := byKey
	if len(matches) == 0 {
		matches = byLabel
	}
	if len(matches) == 0 {
		names := builtinNames()
		for _, cf := range c.fields {
			names = append(names, cf.Label, cf.Key)
		}
		return customField{}, errorAt(f.At, "unknown field %s%s", quote(name), didYouMean(name, names))
	}
	var keys []string
	classes := map[catalog.FieldType]bool{}
	out := customField{Key: matches[0].Key, name: name}
	for _, m := range matches {
		if !slices.Contains(keys, m.Key) {
			keys = append(keys, m.Key)
		}
		classes[classOf(m.Type)] = true
		for _, o := range m.Options {
			if !slices.Contains(out.options, o) {
				out.options = append(out.options, o)
			}
		}
	}
	if len(keys) > 1 {
		sort.Strings(keys)
		return customField{}, errorAt(f.At, "%s is the label of several fields (keys %s): name one by its key", quote(name), strings.Join(keys, ", "))
	}
	if !queryable.MatchString(out.Key) {
		return customField{}, errorAt(f.At, "field %s has the key %s, which queries cannot name", quote(name), quote(out.Key))
	}
	switch {
	case len(classes) == 1:
		for k := range classes {
			out.class = k
		}
	case len(classes) == 2 && classes[catalog.FieldText] && classes[catalog.FieldSelect]:
		out.class, out.options = catalog.FieldText, nil
	default:
		var types []string
		for k := range classes {
			types = append(types, string(k))
		}
		sort.Strings(types)
		return customField{}, errorAt(f.At, "field %s has different types on different forms (%s) and cannot be queried", quote(name), strings.Join(types, ", "))
	}
	return out, nil
}

func (c *compiler) custom(cl *Clause, op Op) (string, bool, error) {
	f, err := c.customField(cl.Field)
	if err != nil {
		return "", false, err
	}
	ops := customOps[f.class]
	if ops == nil {
		return "", false, errorAt(cl.Field.At, "field %s has a type (%s) that queries do not know", quote(f.name), f.class)
	}
	if !allows(ops, cl.Op) {
		return "", false, errorAt(cl.OpAt, "%s (a %s field) cannot be compared with %s; use %s", quote(f.name), strings.ReplaceAll(string(f.class), "_", "-"), cl.Op, opList(ops))
	}
	if op == OpIs {
		return c.jsonEmpty(f.Key), false, nil
	}
	text := func() string { return c.jsonText(f.Key) }
	var empty column
	var vals []any
	collect := func(conv func(Value) ([]any, error)) error {
		for _, v := range items(cl.Value) {
			if v.Kind == ValueEmpty {
				empty = func() string { return c.jsonEmpty(f.Key) }
				continue
			}
			if v.Kind == ValueFunc && f.class != catalog.FieldUser && f.class != catalog.FieldDate {
				return errorAt(v.At, "%s() cannot be compared with %s", v.Text, quote(f.name))
			}
			got, err := conv(v)
			if err != nil {
				return err
			}
			vals = append(vals, got...)
		}
		return nil
	}
	switch f.class {
	case catalog.FieldText, catalog.FieldSelect:
		if op == OpLike {
			return c.like(text, cl.Value), true, c.textValue(cl.Value)
		}
		if f.class == catalog.FieldText || len(f.options) == 0 {
			err := collect(func(v Value) ([]any, error) { return []any{v.Text}, nil })
			return c.memberLower(text, vals, empty), true, err
		}
		err := collect(func(v Value) ([]any, error) { return option(f, v) })
		return c.member(text, vals, empty), true, err
	case catalog.FieldMultiSelect:
		err := collect(func(v Value) ([]any, error) { return option(f, v) })
		if err != nil {
			return "", false, err
		}
		var parts []string
		if len(vals) > 0 {
			parts = append(parts, c.jsonContains(f.Key, vals))
		}
		if empty != nil {
			parts = append(parts, empty())
		}
		return orParts(parts), true, nil
	case catalog.FieldNumber:
		num := func() string { return c.jsonNumber(f.Key) }
		if op.ordered() {
			n, err := number(f, cl.Value)
			return num() + " " + op.String() + " " + c.arg(n), true, err
		}
		err := collect(func(v Value) ([]any, error) {
			n, err := number(f, v)
			return []any{n}, err
		})
		return c.member(num, vals, empty), true, err
	case catalog.FieldDate:
		day := func(v Value) (span, error) {
			s, err := c.date(v)
			if err != nil {
				return s, err
			}
			y, m, d := s.from.In(c.loc).Date()
			from := time.Date(y, m, d, 0, 0, 0, 0, c.loc)
			return span{from, from.AddDate(0, 0, 1)}, nil
		}
		s, err := c.dates(text, func() string { return c.jsonEmpty(f.Key) }, cl, op, day,
			func(t time.Time) any { return t.Format(time.DateOnly) })
		return s, true, err
	case catalog.FieldUser:
		err := collect(func(v Value) ([]any, error) {
			if v.Kind == ValueFunc {
				return c.userFunc(functions[strings.ToLower(v.Text)], v, op)
			}
			return c.ids(EntityUser, v)
		})
		if err != nil {
			return "", false, err
		}
		return c.jsonIDs(f.Key, vals, empty != nil), true, nil
	case catalog.FieldCheckbox:
		v := cl.Value
		b, ok := checked(v)
		if !ok {
			return "", false, errorAt(v.At, "%s is a checkbox: compare it with true or false", quote(f.name))
		}
		return c.jsonBool(f.Key, b), true, nil
	}
	return "", false, errorAt(cl.Field.At, "field %s cannot be queried", quote(f.name))
}

func orParts(parts []string) string {
	switch len(parts) {
	case 0:
		return "1=0"
	case 1:
		return parts[0]
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// option maps a value to the option of a select field it names, letter
// case ignored.
func option(f customField, v Value) ([]any, error) {
	text := strings.TrimSpace(v.Text)
	var out []any
	for _, o := range f.options {
		if strings.EqualFold(o, text) {
			out = append(out, o)
		}
	}
	if len(out) == 0 {
		return nil, errorAt(v.At, "%s is not an option of %s%s", quote(text), quote(f.name), didYouMean(text, f.options))
	}
	return out, nil
}

func number(f customField, v Value) (float64, error) {
	if v.Kind == ValueWord || v.Kind == ValueString {
		n, err := strconv.ParseFloat(strings.TrimSpace(v.Text), 64)
		if err == nil && !math.IsInf(n, 0) && !math.IsNaN(n) {
			return n, nil
		}
	}
	return 0, errorAt(v.At, "%s is a number field: %s is not a number", quote(f.name), v)
}

func checked(v Value) (bool, bool) {
	if v.Kind != ValueWord && v.Kind != ValueString {
		return false, false
	}
	switch strings.ToLower(strings.TrimSpace(v.Text)) {
	case "true", "yes", "on", "checked":
		return true, true
	case "false", "no", "off", "unchecked":
		return false, true
	}
	return false, false
}
