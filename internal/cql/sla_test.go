package cql

import (
	"reflect"
	"strings"
	"testing"
)

func TestCompileSLA(t *testing.T) {
	now := fakeNow.UnixMilli()
	open := func(cond string) string {
		return "t.id IN (SELECT ts.ticket_id FROM ticket_sla ts WHERE ts.state <> 'stopped' AND " + cond + " AND " + slaActiveEach + ")"
	}
	probe := func(cond string) string {
		return "EXISTS (SELECT 1 FROM ticket_sla ts WHERE ts.ticket_id = t.id AND ts.state <> 'stopped' AND " + cond + " AND " + slaActive + ")"
	}
	stopped := func(cond string) string {
		return "EXISTS (SELECT 1 FROM ticket_sla ts WHERE ts.ticket_id = t.id AND ts.state = 'stopped'" + cond + " AND " + slaActive + ")"
	}
	warning := "(ts.warn_at <= ? AND (ts.deadline_at IS NULL OR ts.deadline_at > ?))"
	for _, tc := range []struct {
		q    string
		sql  string
		args []any
	}{
		{"sla = breached", probe("ts.deadline_at <= ?"), []any{now}},
		{`sla = "at risk"`, open(warning), []any{now, now}},
		{"sla = AT_RISK", open(warning), []any{now, now}},
		{"sla IN (Warning, breached, warning)", "(" + open(warning) + " OR " + probe("ts.deadline_at <= ?") + ")", []any{now, now, now}},
		{"sla != running", "(NOT (" + probe("ts.state = 'running'") + "))", nil},
		{"sla NOT IN (paused, running)", "(NOT ((" + open("ts.state = 'paused'") + " OR " + probe("ts.state = 'running'") + ")))", nil},
		{"sla IN (running, breached)", probe("(ts.deadline_at <= ? OR ts.state = 'running')"), []any{now}},
		{"sla = met", stopped(" AND (ts.target_ms > 0 AND ts.deadline_at IS NULL)"), nil},
		{"sla IN (missed, met)", stopped(" AND ((ts.target_ms > 0 AND ts.deadline_at IS NULL) OR ts.deadline_at IS NOT NULL)"), nil},
		{"sla IN (missed, stopped)", stopped(""), nil},
		{"sla IN (breached, missed)", "(" + probe("ts.deadline_at <= ?") + " OR " + stopped(" AND ts.deadline_at IS NOT NULL") + ")", []any{now}},
		{"NOT sla = breached AND category != Done", "((NOT (" + probe("ts.deadline_at <= ?") + ")) AND t.status_category IN (?, ?))", []any{now, "to_do", "in_progress"}},
	} {
		for _, d := range []Dialect{SQLite, PostgreSQL} {
			got, err := compile(t, tc.q, Options{Dialect: d})
			if err != nil {
				t.Errorf("%q: %v", tc.q, err)
				continue
			}
			if got.Where != tc.sql || !reflect.DeepEqual(got.Args, tc.args) {
				t.Errorf("%q:\n got %s %v\nwant %s %v", tc.q, got.Where, got.Args, tc.sql, tc.args)
			}
		}
	}

	got, err := compile(t, "sla = breached ORDER BY sla", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := slaSort + " ASC NULLS LAST, t.id ASC"; got.OrderBy != want {
		t.Errorf("ORDER BY sla = %s, want %s", got.OrderBy, want)
	}

	for _, tc := range []struct{ q, msg string }{
		{"sla = late", `line 1, column 7: late is not an SLA state`},
		{"sla = breahced", `did you mean "breached"?`},
		{"sla = now()", "now() cannot be compared with sla"},
		{"sla IN (breached, EMPTY)", "EMPTY is not an SLA state"},
	} {
		_, err := compile(t, tc.q, Options{})
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%q: %v, want %q", tc.q, err, tc.msg)
		}
	}
	for _, q := range []string{"sla IS EMPTY", "sla > breached", "sla ~ b"} {
		if _, err := Parse(q); err == nil {
			t.Errorf("Parse(%q) accepted it", q)
		}
	}
	if _, err := compile(t, "sla = breached", Options{Customer: true}); err == nil || !strings.Contains(err.Error(), "only agents") {
		t.Errorf("a customer's sla query: %v", err)
	}
}
