package cql

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

type funcKind int

const (
	funcDate      funcKind = iota // gives an instant
	funcUser                      // gives a user
	funcUserList                  // gives several users
	funcCondition                 // is a condition of its own (ci_relations.go)
)

type funcDef struct {
	name             string
	minArgs, maxArgs int
	kind             funcKind
	period           string // for startOf/endOf: the unit of an offset without one
}

func (f funcDef) arity() string {
	switch {
	case f.maxArgs == 0:
		return "no arguments"
	case f.minArgs == f.maxArgs && f.minArgs == 1:
		return "1 argument"
	case f.minArgs == 0 && f.maxArgs == 1:
		return "at most 1 argument"
	case f.maxArgs == f.minArgs+1:
		return fmt.Sprintf("%d or %d arguments", f.minArgs, f.maxArgs)
	}
	return fmt.Sprintf("%d to %d arguments", f.minArgs, f.maxArgs)
}

// functions are those a value may call, by lower-case name.
var functions = map[string]funcDef{
	"now":          {name: "now", kind: funcDate},
	"currentuser":  {name: "currentUser", kind: funcUser},
	"membersof":    {name: "membersOf", minArgs: 1, maxArgs: 1, kind: funcUserList},
	"startofday":   {name: "startOfDay", maxArgs: 1, period: "d"},
	"endofday":     {name: "endOfDay", maxArgs: 1, period: "d"},
	"startofweek":  {name: "startOfWeek", maxArgs: 1, period: "w"},
	"endofweek":    {name: "endOfWeek", maxArgs: 1, period: "w"},
	"startofmonth": {name: "startOfMonth", maxArgs: 1, period: "M"},
	"endofmonth":   {name: "endOfMonth", maxArgs: 1, period: "M"},
	"startofyear":  {name: "startOfYear", maxArgs: 1, period: "y"},
	"endofyear":    {name: "endOfYear", maxArgs: 1, period: "y"},
}

func functionNames() []string {
	out := make([]string, 0, len(functions))
	for _, f := range functions {
		out = append(out, f.name)
	}
	sort.Strings(out)
	return out
}

// span is the time a date value stands for: a whole day for 2026-01-31, a
// minute for "2026-01-31 14:00", a single instant (to == from) for -7d and
// the functions.
type span struct{ from, to time.Time }

func (s span) instant() bool { return s.from.Equal(s.to) }

var (
	relative = regexp.MustCompile(`^([+-]?)(\d{1,6})([wdhm])$`)
	offset   = regexp.MustCompile(`^([+-]?)(\d{1,6})([yMwdhm]?)$`)
)

var dateLayouts = []struct {
	layout string
	length time.Duration // 0: a calendar day
}{
	{"2006-01-02", 0}, {"2006/01/02", 0},
	{"2006-01-02 15:04", time.Minute}, {"2006/01/02 15:04", time.Minute}, {"2006-01-02T15:04", time.Minute},
	{"2006-01-02 15:04:05", time.Second}, {"2006/01/02 15:04:05", time.Second}, {"2006-01-02T15:04:05", time.Second},
}

const dateHelp = "write a date as 2026-01-31 or \"2026-01-31 14:00\", a time from now as -7d, -4h, -30m or 2w, or a function such as startOfDay()"

// date reads a date value in loc, relative to now.
func date(v Value, now time.Time, loc *time.Location) (span, error) {
	switch v.Kind {
	case ValueFunc:
		fn := functions[strings.ToLower(v.Text)]
		if fn.kind != funcDate {
			return span{}, errorAt(v.At, "%s() is not a date; %s", fn.name, dateHelp)
		}
		t, err := dateFunc(fn, v, now.In(loc))
		return span{t, t}, err
	case ValueWord, ValueString:
		text := strings.TrimSpace(v.Text)
		if m := relative.FindStringSubmatch(text); m != nil {
			n, _ := strconv.Atoi(m[2])
			if m[1] == "-" {
				n = -n
			}
			t := shift(now.In(loc), n, m[3])
			return span{t, t}, nil
		}
		for _, l := range dateLayouts {
			t, err := time.ParseInLocation(l.layout, text, loc)
			if err != nil {
				continue
			}
			if l.length == 0 {
				return span{t, t.AddDate(0, 0, 1)}, nil
			}
			return span{t, t.Add(l.length)}, nil
		}
		return span{}, errorAt(v.At, "%s is not a date: %s", quote(v.Text), dateHelp)
	}
	return span{}, errorAt(v.At, "expected a date: %s", dateHelp)
}

// dateFunc evaluates now() and the startOf/endOf functions. An argument
// moves the start: startOfDay(-7d) is midnight a week ago, startOfMonth(-1)
// the first of last month. Weeks start on Monday.
func dateFunc(fn funcDef, v Value, now time.Time) (time.Time, error) {
	if fn.name == "now" {
		return now, nil
	}
	y, mo, d := now.Date()
	loc := now.Location()
	var start time.Time
	switch fn.period {
	case "d":
		start = time.Date(y, mo, d, 0, 0, 0, 0, loc)
	case "w":
		back := (int(now.Weekday()) + 6) % 7 // days since Monday
		start = time.Date(y, mo, d-back, 0, 0, 0, 0, loc)
	case "M":
		start = time.Date(y, mo, 1, 0, 0, 0, 0, loc)
	case "y":
		start = time.Date(y, 1, 1, 0, 0, 0, 0, loc)
	}
	if len(v.Items) == 1 {
		arg := v.Items[0]
		m := offset.FindStringSubmatch(strings.TrimSpace(arg.Text))
		if m == nil {
			return time.Time{}, errorAt(arg.At, "%s is not an offset for %s(): write a number with an optional unit y, M, w, d, h or m, as in -1 or -7d", quote(arg.Text), fn.name)
		}
		n, _ := strconv.Atoi(m[2])
		if m[1] == "-" {
			n = -n
		}
		unit := m[3]
		if unit == "" {
			unit = fn.period
		}
		start = shift(start, n, unit)
	}
	if strings.HasPrefix(fn.name, "end") {
		return shift(start, 1, fn.period).Add(-time.Millisecond), nil
	}
	return start, nil
}

// shift moves t by n units, on the calendar for days and longer so that a
// day stays a day across a change of daylight saving time.
func shift(t time.Time, n int, unit string) time.Time {
	switch unit {
	case "y":
		return t.AddDate(n, 0, 0)
	case "M":
		return t.AddDate(0, n, 0)
	case "w":
		return t.AddDate(0, 0, 7*n)
	case "d":
		return t.AddDate(0, 0, n)
	case "h":
		return t.Add(time.Duration(n) * time.Hour)
	}
	return t.Add(time.Duration(n) * time.Minute)
}
