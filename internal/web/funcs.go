package web

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

var (
	md        = goldmark.New(goldmark.WithExtensions(extension.GFM))
	sanitizer = bluemonday.UGCPolicy()
)

// markdown renders comment and description text: Markdown first, then the
// HTML is sanitised, so that text from customers can never run script.
func markdown(s string) template.HTML {
	var b bytes.Buffer
	if err := md.Convert([]byte(s), &b); err != nil {
		return template.HTML(template.HTMLEscapeString(s))
	}
	return template.HTML(sanitizer.SanitizeBytes(b.Bytes()))
}

// ago says how long ago t was, the way people say it.
func ago(t time.Time) string {
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d.Minutes()), "minute") + " ago"
	case d < 24*time.Hour:
		return plural(int(d.Hours()), "hour") + " ago"
	case d < 30*24*time.Hour:
		return plural(int(d.Hours()/24), "day") + " ago"
	}
	return t.Format("2 Jan 2006")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// slug turns a status or priority into a CSS class suffix: "Waiting for
// customer" → "waiting-for-customer".
func slug(s any) string {
	return strings.ReplaceAll(strings.ToLower(fmt.Sprint(s)), " ", "-")
}

// workspaceLink is an entry of the agent workspace's second navigation row.
type workspaceLink struct{ Label, Href, Match string }

// workspaceLinks are the practices an agent works in, in the order of a day's work.
var workspaceLinks = []workspaceLink{
	{"Queues", "/agent", "/agent/queues"},
	{"Incidents", "/agent/incidents", "/agent/incidents"},
	{"Major incidents", "/agent/major-incidents", "/agent/major-incidents"},
	{"Problems", "/agent/problems", "/agent/problems"},
	{"Known errors", "/agent/known-errors", "/agent/known-errors"},
	{"Changes", "/agent/changes", "/agent/changes"},
	{"Change calendar", "/agent/change-calendar", "/agent/change-calendar"},
	{"CMDB", "/agent/cmdb", "/agent/cmdb"},
	{"Tasks", "/agent/tasks", "/agent/tasks"},
	{"Approvals", "/approvals", "/approvals"},
}

var funcs = template.FuncMap{
	"workspaceLinks": func() []workspaceLink { return workspaceLinks },
	"markdown":       markdown,
	"ago":            ago,
	"slug":           slug,
	"datetime":       func(t time.Time) string { return t.Local().Format("2006-01-02 15:04") },
	"iso":            func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"add":            func(a, b int) int { return a + b },
	"join":           strings.Join,
	"hasPrefix":      strings.HasPrefix,
	"contains": func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	},
	// dict builds a map for passing several values to a partial.
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, fmt.Errorf("dict: odd number of arguments")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
	// value reads a submitted form value for re-display.
	"value": func(values map[string]any, key string) any { return values[key] },
}
