package queue

import (
	"strings"
	"testing"

	"github.com/cairn-itsm/cairn/internal/errs"
)

func TestSlugify(t *testing.T) {
	for name, want := range map[string]string{
		"SLA at risk":           "sla-at-risk",
		"  Network: urgent!":    "network-urgent",
		"2nd line":              "queue-2nd-line",
		"Été":                   "t",
		"new":                   "new-queue",
		"***":                   "queue",
		strings.Repeat("a", 80): strings.Repeat("a", MaxSlug-4),
	} {
		got := Slugify(name)
		if got != want {
			t.Errorf("Slugify(%q) = %q, want %q", name, got, want)
		}
		if err := ValidSlug(got); err != nil {
			t.Errorf("Slugify(%q) = %q, which is not valid: %v", name, got, err)
		}
	}
}

func TestValidate(t *testing.T) {
	ok := Queue{Name: " Mine ", Query: " assignee = currentUser() ", Columns: []string{"key", "summary"}, Sort: "Priority"}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	if ok.Name != "Mine" || ok.Query != "assignee = currentUser()" || ok.Sort != "priority desc" {
		t.Errorf("canonical form %+v", ok)
	}
	if key, asc := ok.SortBy(); key != "priority" || asc {
		t.Errorf("SortBy = %s %v", key, asc)
	}
	for _, tc := range []struct {
		q     Queue
		field string
	}{
		{Queue{Columns: []string{"key"}}, "name"},
		{Queue{Name: strings.Repeat("x", MaxName+1), Columns: []string{"key"}}, "name"},
		{Queue{Name: "x", Query: "status =", Columns: []string{"key"}}, "query"},
		{Queue{Name: "x"}, "columns"},
		{Queue{Name: "x", Columns: []string{"key", "owner"}}, "columns[1]"},
		{Queue{Name: "x", Columns: []string{"key", "sla", "sla"}}, "columns[2]"},
		{Queue{Name: "x", Columns: []string{"status"}}, "columns"},
		{Queue{Name: "x", Columns: []string{"key"}, Sort: "sla desc"}, "sort"},
		{Queue{Name: "x", Columns: []string{"key"}, Sort: "created sideways"}, "sort"},
		{Queue{Name: "x", Query: "ORDER BY key", Columns: []string{"key"}, Sort: "created"}, "sort"},
		{Queue{Name: "x", Columns: []string{"key"}, Slug: "Mine"}, "slug"},
		{Queue{Name: "x", Columns: []string{"key"}, Position: -1}, "position"},
	} {
		err := tc.q.Validate()
		if e, isErr := errs.As(err); !isErr || e.Kind != errs.KindInvalid || e.Field != tc.field {
			t.Errorf("Validate(%+v) = %v, want invalid %s", tc.q, err, tc.field)
		}
	}
}
