package cql

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// The SQL that differs between SQLite and PostgreSQL lives here: reading
// fields from a JSON text column (c.doc: a ticket's custom fields in
// t.fields, a CI's attributes in ci.attributes), sets of ids, and the
// full-text index.
// PostgreSQL's jsonb has a ? operator that would clash with placeholders,
// so only ->, ->>, @> and functions are used.

// jsonPath is SQLite's path to a top-level key. Keys hold only a-z, 0-9
// and _ (customField and ciAttribute check), so quoting them is enough.
func jsonPath(key string) string { return `$."` + key + `"` }

// jsonText is a field's value: text, or a number on SQLite; NULL when the
// record does not have it.
func (c *compiler) jsonText(key string) string {
	if c.o.Dialect == PostgreSQL {
		return "(" + c.doc + "::jsonb ->> " + c.arg(key) + "::text)"
	}
	return "json_extract(" + c.doc + ", " + c.arg(jsonPath(key)) + ")"
}

// jsonNumber is a custom field's value as a number; NULL when it is missing
// or not a number (an old value kept from before the form changed), so
// that PostgreSQL never fails a cast.
func (c *compiler) jsonNumber(key string) string {
	if c.o.Dialect == PostgreSQL {
		return "(CASE WHEN jsonb_typeof(" + c.doc + "::jsonb -> " + c.arg(key) + "::text) = 'number' THEN (" + c.doc + "::jsonb ->> " + c.arg(key) + "::text)::numeric END)"
	}
	return "(CASE WHEN json_type(" + c.doc + ", " + c.arg(jsonPath(key)) + ") IN ('integer', 'real') THEN json_extract(" + c.doc + ", " + c.arg(jsonPath(key)) + ") END)"
}

// jsonEmpty holds when a record has no value for the field: missing,
// null, "" or [].
func (c *compiler) jsonEmpty(key string) string {
	return "(" + c.jsonText(key) + " IS NULL OR " + c.jsonText(key) + " IN ('', '[]'))"
}

// jsonContains holds when a multi-select field holds any of the options.
func (c *compiler) jsonContains(key string, options []any) string {
	if c.o.Dialect == PostgreSQL {
		parts := make([]string, len(options))
		for i, o := range options {
			parts[i] = "(" + c.doc + "::jsonb -> " + c.arg(key) + "::text) @> jsonb_build_array(" + c.arg(o) + "::text)"
		}
		return "(" + strings.Join(parts, " OR ") + ")"
	}
	return "EXISTS (SELECT 1 FROM json_each(" + c.doc + ", " + c.arg(jsonPath(key)) + ") WHERE value IN (" + c.argList(options) + "))"
}

// jsonBool holds when a checkbox field is set to b.
func (c *compiler) jsonBool(key string, b bool) string {
	if c.o.Dialect == PostgreSQL {
		return "(" + c.doc + "::jsonb -> " + c.arg(key) + "::text) = to_jsonb(" + c.arg(b) + "::boolean)"
	}
	return "json_type(" + c.doc + ", " + c.arg(jsonPath(key)) + ") = " + c.arg(strconv.FormatBool(b))
}

// jsonIDs holds when a field that holds an id (a user, a CI) holds one of
// the ids (or is empty, when empty is set).
func (c *compiler) jsonIDs(key string, ids []any, empty bool) string {
	if c.o.Dialect == PostgreSQL {
		text := make([]any, len(ids))
		for i, id := range ids {
			text[i] = strconv.FormatInt(id.(int64), 10)
		}
		ids = text
	}
	var cond column
	if empty {
		cond = func() string { return c.jsonEmpty(key) }
	}
	return c.member(func() string { return c.jsonText(key) }, ids, cond)
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }

// searchIndex finds the tickets whose indexed text holds every word. The
// index (migration 0002_search) keeps each ticket's summary, description,
// public comments and internal notes apart, so that customers search only
// what they may read.
//
// On SQLite each word becomes an FTS5 string in double quotes: whatever it
// holds, it cannot be read as FTS5 syntax. On PostgreSQL the words go to
// plainto_tsquery, which takes any text; the notes carry weight D, which
// ts_filter leaves out for customers.
func (c *compiler) searchIndex(ws []string) string {
	c.searched = true
	if c.o.Dialect == PostgreSQL {
		text := strings.Join(ws, " ")
		if c.o.Customer {
			return "t.id IN (SELECT ticket_id FROM ticket_search WHERE document @@ plainto_tsquery('simple', " + c.arg(text) +
				") AND ts_filter(document, '{a,b,c}') @@ plainto_tsquery('simple', " + c.arg(text) + "))"
		}
		return "t.id IN (SELECT ticket_id FROM ticket_search WHERE document @@ plainto_tsquery('simple', " + c.arg(text) + "))"
	}
	quoted := make([]string, len(ws))
	for i, w := range ws {
		quoted[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
	}
	match := strings.Join(quoted, " ")
	if c.o.Customer {
		match = "{summary description comments} : (" + match + ")"
	}
	id := "t.id"
	if c.o.TextLast {
		id = "+t.id" // a unary plus keeps SQLite from starting at the matches by primary key
	}
	return id + " IN (SELECT rowid FROM ticket_search WHERE ticket_search MATCH " + c.arg(match) + ")"
}

// idSet holds when col, a positive id, is one of ids. A long set is one
// argument, a JSON array read by json_each on SQLite, an array on
// PostgreSQL: a relationship function may stand for 100 000 CIs, beyond
// SQLite's 32 766 arguments, and a statement of a few hundred bytes is
// parsed at once. A set that holds most of the ids up to its largest is
// written as the ids it lacks, "col <= max AND NOT col IN (gaps)": nearly
// every CI depends on a core switch, and the engine then scans the table
// (or an index in the order asked for, stopping at the page) instead of
// seeking each of 100 000 ids.
func (c *compiler) idSet(col string, ids []int64) string {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(ids) == 0 {
		return "1=0"
	}
	if top := ids[len(ids)-1]; ids[0] > 0 && len(ids) > 32 && top-int64(len(ids)) < int64(len(ids)) {
		var gaps []int64
		next := int64(1)
		for _, id := range ids {
			for ; next < id; next++ {
				gaps = append(gaps, next)
			}
			next = id + 1
		}
		cond := col + " <= " + c.arg(top)
		if len(gaps) > 0 {
			cond += " AND NOT (" + c.idList(col, gaps) + ")"
		}
		return "(" + cond + ")"
	}
	return c.idList(col, ids)
}

// idList is idSet without the complement.
func (c *compiler) idList(col string, ids []int64) string {
	if len(ids) <= 32 {
		vals := make([]any, len(ids))
		for i, id := range ids {
			vals[i] = id
		}
		return c.member(fixed(col), vals, nil)
	}
	var b strings.Builder
	b.Grow(8 * len(ids))
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	if c.o.Dialect == PostgreSQL {
		return col + " = ANY(CAST(" + c.arg("{"+b.String()+"}") + " AS bigint[]))"
	}
	return col + " IN (SELECT value FROM json_each(" + c.arg("["+b.String()+"]") + "))"
}
