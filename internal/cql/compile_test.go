package cql

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/ticket"
)

func compile(t *testing.T, src string, o Options) (SQL, error) {
	t.Helper()
	q, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	if o.Resolver == nil {
		o.Resolver = fakeNames{}
	}
	return Compile(q, o)
}

// ms is a UTC time in Unix milliseconds.
func ms(s string) int64 {
	for _, layout := range []string{"2006-01-02 15:04:05.000", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixMilli()
		}
	}
	panic(s)
}

type want struct {
	sql  string
	args []any
}

func TestCompileBuiltins(t *testing.T) {
	for _, tc := range []struct {
		q    string
		both want // the same SQL on both engines
	}{
		{"", want{"1=1", nil}},
		{"key = it-12", want{"t.key = ?", []any{"IT-12"}}},
		{"key IN (IT-1, 'IT-2')", want{"t.key IN (?, ?)", []any{"IT-1", "IT-2"}}},
		{"key > IT-100", want{"(t.desk_id = (SELECT id FROM desks WHERE key = ?) AND t.number > ?)", []any{"IT", int64(100)}}},
		{"key != IT-1", want{"(NOT (t.key = ?))", []any{"IT-1"}}},
		{"key IS NOT EMPTY", want{"(NOT (1=0))", nil}},
		{`type = "Service Request"`, want{"t.type = ?", []any{"service_request"}}},
		{"type NOT IN (incident, problem)", want{"t.type IN (?, ?)", []any{"service_request", "change"}}},
		{"status = open", want{"(t.status IN (?, ?) AND t.status_category = ?)", []any{"Open", "OPEN", "to_do"}}},
		{`status = "waiting FOR customer"`, want{"(t.status = ? AND t.status_category = ?)", []any{"Waiting for customer", "in_progress"}}},
		{`status IN (Open, Resolved, Closed)`, want{"(t.status IN (?, ?, ?, ?) AND t.status_category IN (?, ?))", []any{"Open", "OPEN", "Resolved", "Closed", "to_do", "done"}}},
		{"status != Done", want{"(NOT (t.status = ?))", []any{"Done"}}},
		{`status IN ("To Do", Resolved)`, want{"((t.status = ? AND t.status_category = ?) OR t.status_category = ?)", []any{"Resolved", "done", "to_do"}}},
		{`status NOT IN ("To Do", Resolved)`, want{"(NOT ((t.status = ? OR t.status_category = ?)))", []any{"Resolved", "to_do"}}},
		{"status IS EMPTY", want{"1=0", nil}},
		{`category IN ("To Do", in_progress, "in progress")`, want{"t.status_category IN (?, ?, ?)", []any{"to_do", "in_progress", "in_progress"}}},
		{"category != Done", want{"t.status_category IN (?, ?)", []any{"to_do", "in_progress"}}},
		{"category NOT IN (Done, EMPTY, to_do, In_Progress)", want{"1=0", nil}},
		{"channel != email", want{"t.channel IN (?, ?, ?)", []any{"portal", "api", "agent"}}},
		{"priority != High", want{"t.priority_rank IN (?, ?, ?, ?)", []any{5, 3, 2, 1}}},
		{"priority = highest", want{"t.priority_rank = ?", []any{5}}},
		{"priority IN (High, Highest)", want{"t.priority_rank IN (?, ?)", []any{4, 5}}},
		{"priority >= High", want{"t.priority_rank >= ?", []any{4}}},
		{"priority < Medium", want{"t.priority_rank < ?", []any{3}}},
		{"NOT priority > Low", want{"t.priority_rank <= ?", []any{2}}},
		{"NOT priority <= Low", want{"t.priority_rank > ?", []any{2}}},
		{"impact >= medium", want{"t.impact IN (?, ?)", []any{"high", "medium"}}},
		{"urgency < low", want{"1=0", nil}},
		{"impact IS EMPTY", want{"t.impact = ''", nil}},
		{"urgency IN (High, EMPTY)", want{"(t.urgency = ? OR t.urgency = '')", []any{"high"}}},
		{"service = network", want{"t.service_id = ?", []any{int64(2)}}},
		{"service != Network", want{"(NOT (t.service_id = ?))", []any{int64(2)}}},
		{`"request type" = "New laptop"`, want{"t.request_type_id IN (?, ?)", []any{int64(10), int64(11)}}},
		{`requestType != "New laptop"`, want{"((t.request_type_id IN (?, ?)) IS NOT TRUE)", []any{int64(10), int64(11)}}},
		{"assignee = currentUser()", want{"t.assignee_id = ?", []any{int64(100)}}},
		{"assignee != currentUser()", want{"((t.assignee_id = ?) IS NOT TRUE)", []any{int64(100)}}},
		{"assignee IN (EMPTY, ann@example.com, bob)", want{"(t.assignee_id IN (?, ?, ?) OR t.assignee_id IS NULL)", []any{int64(100), int64(101), int64(102)}}},
		{"assignee IS EMPTY", want{"t.assignee_id IS NULL", nil}},
		{`reporter = "Ann Agent"`, want{"t.reporter_id = ?", []any{int64(100)}}},
		{`reporter NOT IN membersOf("service desk")`, want{"(NOT (t.reporter_id IN (?, ?)))", []any{int64(100), int64(103)}}},
		{`assignee IN (membersOf("Service Desk"), bob)`, want{"t.assignee_id IN (?, ?, ?, ?)", []any{int64(100), int64(103), int64(101), int64(102)}}},
		{"organization = Finance OR team IS NOT EMPTY", want{"(t.organization_id = ? OR (NOT (t.team_id IS NULL)))", []any{int64(20)}}},
		{`summary ~ "50%_off\\"`, want{`lower(t.summary) LIKE lower(?) ESCAPE '\'`, []any{`%50\%\_off\\%`}}},
		{`summary ~ ""`, want{`lower(t.summary) LIKE lower(?) ESCAPE '\'`, []any{`%%`}}},
		{"description !~ VPN", want{`(NOT (lower(t.description) LIKE lower(?) ESCAPE '\'))`, []any{"%VPN%"}}},
		{"description IS EMPTY", want{"t.description = ''", nil}},
		{"summary IS EMPTY", want{"t.summary = ''", nil}},
		{"channel = Email", want{"t.channel = ?", []any{"email"}}},
		{`resolution IN (Fixed, "won't fix", EMPTY)`, want{"(lower(t.resolution) IN (lower(?), lower(?)) OR t.resolution = '')", []any{"Fixed", "won't fix"}}},
		{"resolution = fixed", want{"lower(t.resolution) = lower(?)", []any{"fixed"}}},
		{"resolution ~ fix", want{`lower(t.resolution) LIKE lower(?) ESCAPE '\'`, []any{"%fix%"}}},
		// Dates: a day stands for all of it, a minute for all of it;
		// relative dates and functions are instants. Now is Saturday
		// 2026-01-31 10:30 UTC.
		{"created = 2026-01-15", want{"(t.created_at >= ? AND t.created_at < ?)", []any{ms("2026-01-15"), ms("2026-01-16")}}},
		{"created != 2026/01/15", want{"(NOT ((t.created_at >= ? AND t.created_at < ?)))", []any{ms("2026-01-15"), ms("2026-01-16")}}},
		{"created > 2026-01-15", want{"t.created_at >= ?", []any{ms("2026-01-16")}}},
		{"created >= 2026-01-15", want{"t.created_at >= ?", []any{ms("2026-01-15")}}},
		{"created < 2026-01-15", want{"t.created_at < ?", []any{ms("2026-01-15")}}},
		{"created <= 2026-01-15", want{"t.created_at < ?", []any{ms("2026-01-16")}}},
		{`created <= "2026-01-15 14:00"`, want{"t.created_at < ?", []any{ms("2026-01-15 14:01")}}},
		{`created = "2026-01-15T14:00:05"`, want{"(t.created_at >= ? AND t.created_at < ?)", []any{ms("2026-01-15 14:00:05.000"), ms("2026-01-15 14:00:06.000")}}},
		{"created > -7d", want{"t.created_at > ?", []any{ms("2026-01-24 10:30")}}},
		{"created <= -4h", want{"t.created_at <= ?", []any{ms("2026-01-31 06:30")}}},
		{"created < -30m", want{"t.created_at < ?", []any{ms("2026-01-31 10:00")}}},
		{"updated >= 2w", want{"t.updated_at >= ?", []any{ms("2026-02-14 10:30")}}},
		{"updated >= '+1d'", want{"t.updated_at >= ?", []any{ms("2026-02-01 10:30")}}},
		{"resolved > now()", want{"t.resolved_at > ?", []any{ms("2026-01-31 10:30")}}},
		{"resolved >= startOfDay()", want{"t.resolved_at >= ?", []any{ms("2026-01-31")}}},
		{"resolved >= startOfDay(-7d)", want{"t.resolved_at >= ?", []any{ms("2026-01-24")}}},
		{"resolved >= startOfDay(-1)", want{"t.resolved_at >= ?", []any{ms("2026-01-30")}}},
		{"resolved <= endOfDay()", want{"t.resolved_at <= ?", []any{ms("2026-01-31 23:59:59.999")}}},
		{"resolved >= startOfWeek()", want{"t.resolved_at >= ?", []any{ms("2026-01-26")}}},
		{"resolved < endOfWeek(-1w)", want{"t.resolved_at < ?", []any{ms("2026-01-25 23:59:59.999")}}},
		{"resolved >= startOfMonth()", want{"t.resolved_at >= ?", []any{ms("2026-01-01")}}},
		{"resolved >= startOfMonth(-1)", want{"t.resolved_at >= ?", []any{ms("2025-12-01")}}},
		{"resolved <= endOfMonth(1)", want{"t.resolved_at <= ?", []any{ms("2026-02-28 23:59:59.999")}}},
		{"resolved >= startOfYear()", want{"t.resolved_at >= ?", []any{ms("2026-01-01")}}},
		{"resolved <= endOfYear(-1y)", want{"t.resolved_at <= ?", []any{ms("2025-12-31 23:59:59.999")}}},
		{"resolved > startOfDay(3h)", want{"t.resolved_at > ?", []any{ms("2026-01-31 03:00")}}},
		{"resolved IN (2026-01-01, startOfDay(), EMPTY)", want{"((t.resolved_at >= ? AND t.resolved_at < ?) OR t.resolved_at = ? OR t.resolved_at IS NULL)", []any{ms("2026-01-01"), ms("2026-01-02"), ms("2026-01-31")}}},
		{"resolved IS EMPTY", want{"t.resolved_at IS NULL", nil}},
		{"NOT resolved < -1d", want{"((t.resolved_at < ?) IS NOT TRUE)", []any{ms("2026-01-30 10:30")}}},
		{"created IS EMPTY", want{"1=0", nil}},
		// NOT goes down to the clauses.
		{"NOT (priority = High AND assignee = currentUser())", want{"(t.priority_rank IN (?, ?, ?, ?) OR ((t.assignee_id = ?) IS NOT TRUE))", []any{5, 3, 2, 1, int64(100)}}},
		{"NOT (type = incident OR NOT status = Open)", want{"(t.type IN (?, ?, ?) AND (t.status IN (?, ?) AND t.status_category = ?))", []any{"service_request", "problem", "change", "Open", "OPEN", "to_do"}}},
		{"NOT NOT channel = api", want{"t.channel = ?", []any{"api"}}},
		{"type = change OR type = problem AND priority = High", want{"(t.type = ? OR (t.type = ? AND t.priority_rank = ?))", []any{"change", "problem", 4}}},
	} {
		for _, d := range []Dialect{SQLite, PostgreSQL} {
			got, err := compile(t, tc.q, Options{Dialect: d})
			if err != nil {
				t.Errorf("%q: %v", tc.q, err)
				continue
			}
			if got.Where != tc.both.sql || !reflect.DeepEqual(got.Args, tc.both.args) {
				t.Errorf("%q (dialect %d):\n got %s %#v\nwant %s %#v", tc.q, d, got.Where, got.Args, tc.both.sql, tc.both.args)
			}
			if got.OrderBy != "t.created_at DESC, t.id DESC" || got.OrderArgs != nil {
				t.Errorf("%q: order %s %v", tc.q, got.OrderBy, got.OrderArgs)
			}
		}
	}
}

func TestCompileDialects(t *testing.T) {
	for _, tc := range []struct {
		q                string
		customer         bool
		sqlite, postgres want
	}{
		{q: `text ~ "vpn \"drops\" ?? (x)"`,
			sqlite:   want{"t.id IN (SELECT rowid FROM ticket_search WHERE ticket_search MATCH ?)", []any{`"vpn" """drops""" "(x)"`}},
			postgres: want{"t.id IN (SELECT ticket_id FROM ticket_search WHERE document @@ plainto_tsquery('simple', ?))", []any{`vpn "drops" (x)`}}},
		{q: "text ~ 'OR NEAR(a b) col:x *'",
			sqlite:   want{"t.id IN (SELECT rowid FROM ticket_search WHERE ticket_search MATCH ?)", []any{`"OR" "NEAR(a" "b)" "col:x"`}},
			postgres: want{"t.id IN (SELECT ticket_id FROM ticket_search WHERE document @@ plainto_tsquery('simple', ?))", []any{`OR NEAR(a b) col:x`}}},
		{q: "text ~ vpn", customer: true,
			sqlite: want{"t.id IN (SELECT rowid FROM ticket_search WHERE ticket_search MATCH ?)", []any{`{summary description comments} : ("vpn")`}},
			postgres: want{"t.id IN (SELECT ticket_id FROM ticket_search WHERE document @@ plainto_tsquery('simple', ?) AND ts_filter(document, '{a,b,c}') @@ plainto_tsquery('simple', ?))",
				[]any{"vpn", "vpn"}}},
		{q: "text !~ vpn",
			sqlite:   want{"(NOT (t.id IN (SELECT rowid FROM ticket_search WHERE ticket_search MATCH ?)))", []any{`"vpn"`}},
			postgres: want{"(NOT (t.id IN (SELECT ticket_id FROM ticket_search WHERE document @@ plainto_tsquery('simple', ?))))", []any{"vpn"}}},
		{q: `"Notes" = Hello`,
			sqlite:   want{"lower(json_extract(t.fields, ?)) = lower(?)", []any{`$."notes"`, "Hello"}},
			postgres: want{"lower((t.fields::jsonb ->> ?::text)) = lower(?)", []any{"notes", "Hello"}}},
		{q: `"notes" ~ "50%"`,
			sqlite:   want{`lower(json_extract(t.fields, ?)) LIKE lower(?) ESCAPE '\'`, []any{`$."notes"`, `%50\%%`}},
			postgres: want{`lower((t.fields::jsonb ->> ?::text)) LIKE lower(?) ESCAPE '\'`, []any{"notes", `%50\%%`}}},
		{q: `"Laptop model" IN ("macbook pro", EMPTY)`,
			sqlite: want{`(json_extract(t.fields, ?) = ? OR (json_extract(t.fields, ?) IS NULL OR json_extract(t.fields, ?) IN ('', '[]')))`,
				[]any{`$."laptop_model"`, "MacBook Pro", `$."laptop_model"`, `$."laptop_model"`}},
			postgres: want{`((t.fields::jsonb ->> ?::text) = ? OR ((t.fields::jsonb ->> ?::text) IS NULL OR (t.fields::jsonb ->> ?::text) IN ('', '[]')))`,
				[]any{"laptop_model", "MacBook Pro", "laptop_model", "laptop_model"}}},
		{q: `"Laptop model" != "MacBook Pro"`,
			sqlite:   want{`((json_extract(t.fields, ?) = ?) IS NOT TRUE)`, []any{`$."laptop_model"`, "MacBook Pro"}},
			postgres: want{`(((t.fields::jsonb ->> ?::text) = ?) IS NOT TRUE)`, []any{"laptop_model", "MacBook Pro"}}},
		{q: `"device" = desktop`,
			sqlite:   want{`json_extract(t.fields, ?) = ?`, []any{`$."device"`, "Desktop"}},
			postgres: want{`(t.fields::jsonb ->> ?::text) = ?`, []any{"device", "Desktop"}}},
		{q: `"RAM (GB)" > 8`,
			sqlite: want{`(CASE WHEN json_type(t.fields, ?) IN ('integer', 'real') THEN json_extract(t.fields, ?) END) > ?`,
				[]any{`$."ram_gb"`, `$."ram_gb"`, 8.0}},
			postgres: want{`(CASE WHEN jsonb_typeof(t.fields::jsonb -> ?::text) = 'number' THEN (t.fields::jsonb ->> ?::text)::numeric END) > ?`,
				[]any{"ram_gb", "ram_gb", 8.0}}},
		{q: `"ram_gb" IN (8, 16.5)`,
			sqlite: want{`(CASE WHEN json_type(t.fields, ?) IN ('integer', 'real') THEN json_extract(t.fields, ?) END) IN (?, ?)`,
				[]any{`$."ram_gb"`, `$."ram_gb"`, 8.0, 16.5}},
			postgres: want{`(CASE WHEN jsonb_typeof(t.fields::jsonb -> ?::text) = 'number' THEN (t.fields::jsonb ->> ?::text)::numeric END) IN (?, ?)`,
				[]any{"ram_gb", "ram_gb", 8.0, 16.5}}},
		{q: `"RAM (GB)" IS EMPTY`,
			sqlite:   want{`(json_extract(t.fields, ?) IS NULL OR json_extract(t.fields, ?) IN ('', '[]'))`, []any{`$."ram_gb"`, `$."ram_gb"`}},
			postgres: want{`((t.fields::jsonb ->> ?::text) IS NULL OR (t.fields::jsonb ->> ?::text) IN ('', '[]'))`, []any{"ram_gb", "ram_gb"}}},
		{q: `"Needed by" = startOfWeek(1)`,
			sqlite:   want{`(json_extract(t.fields, ?) >= ? AND json_extract(t.fields, ?) < ?)`, []any{`$."needed_by"`, "2026-02-02", `$."needed_by"`, "2026-02-03"}},
			postgres: want{`((t.fields::jsonb ->> ?::text) >= ? AND (t.fields::jsonb ->> ?::text) < ?)`, []any{"needed_by", "2026-02-02", "needed_by", "2026-02-03"}}},
		{q: `"Needed by" > "2026-02-01 23:00"`,
			sqlite:   want{`json_extract(t.fields, ?) >= ?`, []any{`$."needed_by"`, "2026-02-02"}},
			postgres: want{`(t.fields::jsonb ->> ?::text) >= ?`, []any{"needed_by", "2026-02-02"}}},
		{q: `"Software" = slack`,
			sqlite:   want{`EXISTS (SELECT 1 FROM json_each(t.fields, ?) WHERE value IN (?))`, []any{`$."software"`, "Slack"}},
			postgres: want{`((t.fields::jsonb -> ?::text) @> jsonb_build_array(?::text))`, []any{"software", "Slack"}}},
		{q: `"Software" NOT IN (Slack, Zoom)`,
			sqlite: want{`((EXISTS (SELECT 1 FROM json_each(t.fields, ?) WHERE value IN (?, ?))) IS NOT TRUE)`, []any{`$."software"`, "Slack", "Zoom"}},
			postgres: want{`((((t.fields::jsonb -> ?::text) @> jsonb_build_array(?::text) OR (t.fields::jsonb -> ?::text) @> jsonb_build_array(?::text))) IS NOT TRUE)`,
				[]any{"software", "Slack", "software", "Zoom"}}},
		{q: `"Approver" IN (currentUser(), EMPTY)`,
			sqlite: want{`(json_extract(t.fields, ?) = ? OR (json_extract(t.fields, ?) IS NULL OR json_extract(t.fields, ?) IN ('', '[]')))`,
				[]any{`$."approver"`, int64(100), `$."approver"`, `$."approver"`}},
			postgres: want{`((t.fields::jsonb ->> ?::text) = ? OR ((t.fields::jsonb ->> ?::text) IS NULL OR (t.fields::jsonb ->> ?::text) IN ('', '[]')))`,
				[]any{"approver", "100", "approver", "approver"}}},
		{q: `"Urgent" = yes`,
			sqlite:   want{`json_type(t.fields, ?) = ?`, []any{`$."urgent"`, "true"}},
			postgres: want{`(t.fields::jsonb -> ?::text) = to_jsonb(?::boolean)`, []any{"urgent", true}}},
		{q: `"Urgent" != false`,
			sqlite:   want{`((json_type(t.fields, ?) = ?) IS NOT TRUE)`, []any{`$."urgent"`, "false"}},
			postgres: want{`(((t.fields::jsonb -> ?::text) = to_jsonb(?::boolean)) IS NOT TRUE)`, []any{"urgent", false}}},
		{q: `"model" = X`, // text on one form, select on another: compared as text
			sqlite:   want{`lower(json_extract(t.fields, ?)) = lower(?)`, []any{`$."model"`, "X"}},
			postgres: want{`lower((t.fields::jsonb ->> ?::text)) = lower(?)`, []any{"model", "X"}}},
	} {
		for d, w := range map[Dialect]want{SQLite: tc.sqlite, PostgreSQL: tc.postgres} {
			got, err := compile(t, tc.q, Options{Dialect: d, Customer: tc.customer})
			if err != nil {
				t.Errorf("%q: %v", tc.q, err)
				continue
			}
			if got.Where != w.sql || !reflect.DeepEqual(got.Args, w.args) {
				t.Errorf("%q (dialect %d):\n got %s %#v\nwant %s %#v", tc.q, d, got.Where, got.Args, w.sql, w.args)
			}
		}
	}
}

func TestCompileOrder(t *testing.T) {
	for _, tc := range []struct {
		q                string
		sqlite, postgres want
	}{
		{q: "ORDER BY created", sqlite: want{"t.created_at ASC, t.id ASC", nil}},
		{q: "ORDER BY key DESC", sqlite: want{"t.id DESC", nil}},
		{q: "ORDER BY priority DESC, updated", sqlite: want{"t.priority_rank DESC, t.updated_at ASC, t.id ASC", nil}},
		{q: "ORDER BY resolved DESC", sqlite: want{"t.resolved_at DESC, t.id DESC", nil}},
		{q: "ORDER BY category, impact DESC", sqlite: want{"CASE t.status_category WHEN 'to_do' THEN 1 WHEN 'in_progress' THEN 2 ELSE 3 END ASC, " +
			"CASE t.impact WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END DESC, t.id DESC", nil}},
		{q: "ORDER BY service, assignee DESC", sqlite: want{"(SELECT lower(name) FROM services WHERE id = t.service_id) ASC, " +
			"(SELECT lower(name) FROM users WHERE id = t.assignee_id) DESC NULLS LAST, t.id DESC", nil}},
		{q: `ORDER BY status, "Notes" DESC, "RAM (GB)"`,
			sqlite: want{`t.status ASC, json_extract(t.fields, ?) DESC NULLS LAST, (CASE WHEN json_type(t.fields, ?) IN ('integer', 'real') THEN json_extract(t.fields, ?) END) ASC NULLS LAST, t.id ASC`,
				[]any{`$."notes"`, `$."ram_gb"`, `$."ram_gb"`}},
			postgres: want{`t.status ASC, (t.fields::jsonb ->> ?::text) DESC NULLS LAST, (CASE WHEN jsonb_typeof(t.fields::jsonb -> ?::text) = 'number' THEN (t.fields::jsonb ->> ?::text)::numeric END) ASC NULLS LAST, t.id ASC`,
				[]any{"notes", "ram_gb", "ram_gb"}}},
	} {
		if tc.postgres.sql == "" {
			tc.postgres = tc.sqlite
		}
		for d, w := range map[Dialect]want{SQLite: tc.sqlite, PostgreSQL: tc.postgres} {
			got, err := compile(t, tc.q, Options{Dialect: d})
			if err != nil {
				t.Errorf("%q: %v", tc.q, err)
				continue
			}
			if got.OrderBy != w.sql || !reflect.DeepEqual(got.OrderArgs, w.args) || got.Where != "1=1" || got.Args != nil {
				t.Errorf("%q (dialect %d):\n got %s %#v\nwant %s %#v", tc.q, d, got.OrderBy, got.OrderArgs, w.sql, w.args)
			}
		}
	}
	// Arguments of the condition and of the order stay apart.
	got, err := compile(t, `"Notes" ~ x ORDER BY "Notes"`, Options{})
	if err != nil || !reflect.DeepEqual(got.Args, []any{`$."notes"`, "%x%"}) || !reflect.DeepEqual(got.OrderArgs, []any{`$."notes"`}) {
		t.Errorf("args %v, order args %v, %v", got.Args, got.OrderArgs, err)
	}
}

// TestCompileTextLast checks that a query says when it searches the
// full-text index, and that TextLast changes only how SQLite reads it.
func TestCompileTextLast(t *testing.T) {
	for _, tc := range []struct {
		q, where string
		fullText bool
	}{
		{"text ~ vpn", "+t.id IN (SELECT rowid FROM ticket_search WHERE ticket_search MATCH ?)", true},
		{"summary ~ vpn", "", false},
	} {
		got, err := compile(t, tc.q, Options{Dialect: SQLite, TextLast: true})
		if err != nil || got.FullText != tc.fullText || (tc.fullText && got.Where != tc.where) {
			t.Errorf("%q: %q full text %v, %v", tc.q, got.Where, got.FullText, err)
		}
		plain, _ := compile(t, tc.q, Options{Dialect: SQLite})
		if plain.FullText != tc.fullText || (plain.Where == got.Where) != !tc.fullText {
			t.Errorf("%q without TextLast: %q full text %v", tc.q, plain.Where, plain.FullText)
		}
		pg, _ := compile(t, tc.q, Options{Dialect: PostgreSQL, TextLast: true})
		if pg.FullText != tc.fullText || strings.Contains(pg.Where, "+t.id") {
			t.Errorf("%q on PostgreSQL: %q full text %v", tc.q, pg.Where, pg.FullText)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for _, tc := range []struct {
		q        string
		customer bool
		want     string
	}{
		{q: "key = 12", want: `line 1, column 7: 12 is not a ticket key like IT-12`},
		{q: "key > currentUser()", want: `line 1, column 7: currentUser() is not a ticket key like IT-12`},
		{q: "type = incidnet", want: `line 1, column 8: "incidnet" is not a ticket type: use incident, service_request, problem or change; did you mean "incident"?`},
		{q: "status = Opne", want: `line 1, column 10: no workflow has a status "Opne"; did you mean "Open"?`},
		{q: `status IN (Open, "Waiting for custmer")`, want: `line 1, column 18: no workflow has a status "Waiting for custmer"; did you mean "Waiting for customer"?`},
		{q: "category = finished", want: `line 1, column 12: "finished" is not a status category: use "To Do", "In Progress" or Done`},
		{q: "priority = Urgent", want: `line 1, column 12: Urgent is not a priority: use Highest, High, Medium, Low or Lowest`},
		{q: "priority >= Hihg", want: `line 1, column 13: Hihg is not a priority: use Highest, High, Medium, Low or Lowest; did you mean "High"?`},
		{q: "priority > now()", want: `line 1, column 12: now() is not a priority`},
		{q: "impact > severe", want: `line 1, column 10: severe is not a level: use high, medium or low`},
		{q: "channel = fax", want: `line 1, column 11: "fax" is not a channel: use portal, email, api or agent`},
		{q: "service = Netwrok", want: `line 1, column 11: there is no service "Netwrok"; did you mean "Network"?`},
		{q: "service = now()", want: `line 1, column 11: now() cannot be compared with service`},
		{q: `"request type" = "Old laptop"`, want: `line 1, column 18: there is no request type "Old laptop"; did you mean "New laptop"?`},
		{q: "team = Desk", want: `line 1, column 8: there is no team "Desk"`},
		{q: "organization IN (Finance, Fnance)", want: `line 1, column 27: there is no organization "Fnance"; did you mean "Finance"?`},
		{q: "assignee = zed@example.com", want: `line 1, column 12: there is no user with the email or name "zed@example.com"`},
		{q: "assignee = membersOf(x)", want: `line 1, column 12: membersOf() gives several people: use IN or NOT IN`},
		{q: `assignee IN membersOf("Servce Desk")`, want: `line 1, column 23: there is no team "Servce Desk"; did you mean "Service Desk"?`},
		{q: "assignee = now()", want: `line 1, column 12: now() is not a person`},
		{q: "created > 2026-02-30", want: `line 1, column 11: "2026-02-30" is not a date: write a date as 2026-01-31`},
		{q: `created > "31/01/2026"`, want: `line 1, column 11: "31/01/2026" is not a date`},
		{q: "created > 7y", want: `line 1, column 11: "7y" is not a date`},
		{q: "created > -7M", want: `line 1, column 11: "-7M" is not a date`},
		{q: "created > currentUser()", want: `line 1, column 11: currentUser() is not a date`},
		{q: "created > startOfDay(x)", want: `line 1, column 22: "x" is not an offset for startOfDay(): write a number with an optional unit y, M, w, d, h or m, as in -1 or -7d`},
		{q: "created IN (2026-01-01, yesterday)", want: `line 1, column 25: "yesterday" is not a date`},
		{q: "text ~ '!!! ...'", want: `line 1, column 8: text ~ needs at least one word to look for`},
		{q: "text ~ ''", want: `line 1, column 8: text ~ needs at least one word to look for`},
		{q: "text ~ '" + strings.Repeat("w ", 65) + "'", want: `line 1, column 8: text ~ looks for at most 64 words`},
		{q: "text ~ now()", want: `line 1, column 8: ~ takes a text to look for, not now()`},
		{q: "summary ~ now()", want: `line 1, column 11: ~ takes a text to look for, not now()`},
		{q: `"Laptp model" = x`, want: `line 1, column 1: unknown field "Laptp model"; did you mean "Laptop model"?`},
		{q: `"Nothing like it" = x`, want: `line 1, column 1: unknown field "Nothing like it"`},
		{q: `"Location" = x`, want: `line 1, column 1: "Location" is the label of several fields (keys loc1, loc2): name one by its key`},
		{q: `"Size" = 3`, want: `line 1, column 1: field "Size" has different types on different forms (number, text) and cannot be queried`},
		{q: `"Laptop model" = "Surface"`, want: `line 1, column 18: "Surface" is not an option of "Laptop model"`},
		{q: `"Laptop model" = "Macbook pr"`, want: `line 1, column 18: "Macbook pr" is not an option of "Laptop model"; did you mean "MacBook Pro"?`},
		{q: `"Laptop model" > x`, want: `line 1, column 16: "Laptop model" (a select field) cannot be compared with >; use =, !=, ~, !~, IN, NOT IN, IS, IS NOT`},
		{q: `"RAM (GB)" ~ 8`, want: `line 1, column 12: "RAM (GB)" (a number field) cannot be compared with ~`},
		{q: `"RAM (GB)" > lots`, want: `line 1, column 14: "RAM (GB)" is a number field: lots is not a number`},
		{q: `"RAM (GB)" IN (1, NaN)`, want: `line 1, column 19: "RAM (GB)" is a number field: NaN is not a number`},
		{q: `"Needed by" < soon`, want: `line 1, column 15: "soon" is not a date`},
		{q: `"Software" = Teams`, want: `line 1, column 14: "Teams" is not an option of "Software"`},
		{q: `"Software" ~ Teams`, want: `line 1, column 12: "Software" (a multi-select field) cannot be compared with ~`},
		{q: `"Approver" = nobody`, want: `line 1, column 14: there is no user with the email or name "nobody"`},
		{q: `"Urgent" = maybe`, want: `line 1, column 12: "Urgent" is a checkbox: compare it with true or false`},
		{q: `"Urgent" IN (true)`, want: `line 1, column 10: "Urgent" (a checkbox field) cannot be compared with IN`},
		{q: `"Notes" = now()`, want: `line 1, column 11: now() cannot be compared with "Notes"`},
		{q: `ORDER BY "Nope"`, want: `line 1, column 10: unknown field "Nope"`},
		// Customers cannot learn who exists; other names still fail.
		{q: "status = Opne", customer: true, want: `line 1, column 10: no workflow has a status "Opne"`},
		{q: "service = Nope", customer: true, want: `line 1, column 11: there is no service "Nope"`},
	} {
		_, err := compile(t, tc.q, Options{Customer: tc.customer})
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%q: %v, want %s", tc.q, err, tc.want)
			continue
		}
		if !strings.HasPrefix(e.Error(), tc.want) {
			t.Errorf("%q:\n got %s\nwant %s", tc.q, e.Error(), tc.want)
		}
	}
}

// bigTeam has more members than a query may name.
type bigTeam struct{ fakeNames }

func (bigTeam) TeamMembers(string) ([]int64, bool, error) {
	ids := make([]int64, MaxArgs+1)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	return ids, true, nil
}

func TestCompileTooManyArgs(t *testing.T) {
	for q, want := range map[string]string{
		"assignee IN membersOf(x)":                              "line 1, column 13: the values stand for more than 10000 records",
		"assignee IN membersOf(x) AND reporter IN membersOf(x)": "line 1, column 13: the values stand for more than 10000 records",
	} {
		_, err := compile(t, q, Options{Resolver: bigTeam{}})
		if err == nil || err.Error() != want {
			t.Errorf("%q: %v, want %s", q, err, want)
		}
	}
	half := bigTeamOf(MaxArgs / 2)
	_, err := compile(t, "assignee IN membersOf(x) OR reporter IN membersOf(x) OR key = IT-1", Options{Resolver: half})
	if err == nil || err.Error() != "line 1, column 1: the query needs 10001 values once names are looked up, more than the 10000 allowed" {
		t.Errorf("too many values: %v", err)
	}
}

type bigTeamOf int

func (n bigTeamOf) TeamMembers(string) ([]int64, bool, error) {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	return ids, true, nil
}
func (bigTeamOf) IDs(e Entity, name string) ([]int64, error) { return fakeNames{}.IDs(e, name) }
func (bigTeamOf) Names(e Entity) ([]string, error)           { return fakeNames{}.Names(e) }
func (bigTeamOf) Statuses() ([]ticket.Status, error)         { return fakeNames{}.Statuses() }
func (bigTeamOf) CustomFields() ([]CustomField, error)       { return fakeNames{}.CustomFields() }
func (bigTeamOf) CurrentUser() int64                         { return 100 }
func (bigTeamOf) Now() time.Time                             { return fakeNow }
func (bigTeamOf) Location() *time.Location                   { return time.UTC }

func TestCompileCustomerNames(t *testing.T) {
	for q, want := range map[string]string{
		"assignee = zed@example.com":         "1=0",
		"assignee != zed@example.com":        "((1=0) IS NOT TRUE)",
		"reporter IN (zed, ann@example.com)": "t.reporter_id = ?",
		"organization = Globex":              "1=0",
		`team = "Nope"`:                      "1=0",
		`assignee IN membersOf("Nope")`:      "1=0",
	} {
		got, err := compile(t, q, Options{Customer: true})
		if err != nil || got.Where != want {
			t.Errorf("%q as a customer = %s, %v; want %s", q, got.Where, err, want)
		}
	}
}

// failing is a Resolver whose lookups fail, as a database may.
type failing struct{ fakeNames }

var errDown = errors.New("database down")

func (failing) IDs(Entity, string) ([]int64, error)       { return nil, errDown }
func (failing) Names(Entity) ([]string, error)            { return nil, errDown }
func (failing) Statuses() ([]ticket.Status, error)        { return nil, errDown }
func (failing) CustomFields() ([]CustomField, error)      { return nil, errDown }
func (failing) TeamMembers(string) ([]int64, bool, error) { return nil, false, errDown }

func TestCompileResolverErrors(t *testing.T) {
	for _, q := range []string{"service = x", "status = Open", `"X" = 1`, "assignee IN membersOf(x)", "ORDER BY \"X\"", "status = done"} {
		_, err := compile(t, q, Options{Resolver: failing{}})
		var e *Error
		if !errors.Is(err, errDown) || errors.As(err, &e) {
			t.Errorf("%q: %v, want the resolver's error", q, err)
		}
	}
}

func TestCompileLocation(t *testing.T) {
	// Dates and startOfDay() are read in the resolver's time zone.
	paris := time.FixedZone("CET", 3600)
	got, err := compile(t, "created >= startOfDay() AND updated = 2026-01-15", Options{Resolver: zoned{loc: paris}})
	if err != nil {
		t.Fatal(err)
	}
	want := []any{ms("2026-01-30 23:00"), ms("2026-01-14 23:00"), ms("2026-01-15 23:00")}
	if !reflect.DeepEqual(got.Args, want) {
		t.Errorf("args %v, want %v", got.Args, want)
	}
}

// zoned is fakeNames in another time zone.
type zoned struct {
	fakeNames
	loc *time.Location
}

func (z zoned) Location() *time.Location { return z.loc }

func TestPinsReporterToCurrentUser(t *testing.T) {
	for q, want := range map[string]bool{
		"reporter = currentUser()":                       true,
		"status = Open AND reporter = currentUser()":     true,
		"reporter = currentUser() OR status = Open":      false,
		"reporter != currentUser()":                      false,
		"NOT reporter = currentUser()":                   false,
		"reporter IN (currentUser())":                    false,
		"assignee = currentUser()":                       false,
		"":                                               false,
		"(reporter = currentUser() AND type = incident)": true,
	} {
		p, err := Parse(q)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.PinsReporterToCurrentUser(); got != want {
			t.Errorf("%q: %v, want %v", q, got, want)
		}
	}
}

func Example() {
	q, err := Parse(`service = Network AND priority >= High AND status != Done ORDER BY created DESC`)
	if err != nil {
		fmt.Println(err)
		return
	}
	sql, err := Compile(q, Options{Dialect: SQLite, Resolver: fakeNames{}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sql.Where, sql.Args)
	fmt.Println(sql.OrderBy)
	_, err = Parse("priority = High AND status IN")
	fmt.Println(err)
	// Output:
	// (t.service_id = ? AND t.priority_rank >= ? AND (NOT (t.status = ?))) [2 4 Done]
	// t.created_at DESC, t.id DESC
	// line 1, column 30: expected a value after IN
}
