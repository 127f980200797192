package cql

import (
	"strconv"
	"strings"
	"unicode"
)

// The SQL that differs between SQLite and PostgreSQL lives here: reading
// custom fields from the JSON text in t.fields, and the full-text index.
// PostgreSQL's jsonb has a ? operator that would clash with placeholders,
// so only ->, ->>, @> and functions are used.

// jsonPath is SQLite's path to a top-level key. Keys hold only a-z, 0-9
// and _ (customField checks), so quoting them is enough.
func jsonPath(key string) string { return `$."` + key + `"` }

// jsonText is a custom field's value: text, or a number on SQLite; NULL
// when the ticket does not have it.
func (c *compiler) jsonText(key string) string {
	if c.o.Dialect == PostgreSQL {
		return "(t.fields::jsonb ->> " + c.arg(key) + "::text)"
	}
	return "json_extract(t.fields, " + c.arg(jsonPath(key)) + ")"
}

// jsonNumber is a custom field's value as a number; NULL when it is missing
// or not a number (an old value kept from before the form changed), so
// that PostgreSQL never fails a cast.
func (c *compiler) jsonNumber(key string) string {
	if c.o.Dialect == PostgreSQL {
		return "(CASE WHEN jsonb_typeof(t.fields::jsonb -> " + c.arg(key) + "::text) = 'number' THEN (t.fields::jsonb ->> " + c.arg(key) + "::text)::numeric END)"
	}
	return "(CASE WHEN json_type(t.fields, " + c.arg(jsonPath(key)) + ") IN ('integer', 'real') THEN json_extract(t.fields, " + c.arg(jsonPath(key)) + ") END)"
}

// jsonEmpty holds when a ticket has no value for the field: missing, null,
// "" or [].
func (c *compiler) jsonEmpty(key string) string {
	return "(" + c.jsonText(key) + " IS NULL OR " + c.jsonText(key) + " IN ('', '[]'))"
}

// jsonContains holds when a multi-select field holds any of the options.
func (c *compiler) jsonContains(key string, options []any) string {
	if c.o.Dialect == PostgreSQL {
		parts := make([]string, len(options))
		for i, o := range options {
			parts[i] = "(t.fields::jsonb -> " + c.arg(key) + "::text) @> jsonb_build_array(" + c.arg(o) + "::text)"
		}
		return "(" + strings.Join(parts, " OR ") + ")"
	}
	return "EXISTS (SELECT 1 FROM json_each(t.fields, " + c.arg(jsonPath(key)) + ") WHERE value IN (" + c.argList(options) + "))"
}

// jsonBool holds when a checkbox field is set to b.
func (c *compiler) jsonBool(key string, b bool) string {
	if c.o.Dialect == PostgreSQL {
		return "(t.fields::jsonb -> " + c.arg(key) + "::text) = to_jsonb(" + c.arg(b) + "::boolean)"
	}
	return "json_type(t.fields, " + c.arg(jsonPath(key)) + ") = " + c.arg(strconv.FormatBool(b))
}

// jsonUsers holds when a user field holds one of the ids (or is empty,
// when empty is set).
func (c *compiler) jsonUsers(key string, ids []any, empty bool) string {
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
	return "t.id IN (SELECT rowid FROM ticket_search WHERE ticket_search MATCH " + c.arg(match) + ")"
}
