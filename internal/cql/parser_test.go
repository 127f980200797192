package cql

import (
	"errors"
	"strings"
	"testing"
)

func TestParseTrees(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"   \n\t ", ""},
		{"status = Open", "status = Open"},
		{"STATUS=Open", "STATUS = Open"},
		{`status = "In Progress"`, `status = "In Progress"`},
		{`status = 'In Progress'`, `status = "In Progress"`},
		{`summary ~ "say \"hi\" \\o/"`, `summary ~ "say \"hi\" \\o/"`},
		{`summary ~ "C:\temp"`, `summary ~ "C:\\temp"`},
		{`resolution = Won't`, `resolution = Won't`},
		{"a = 1", ""}, // unknown field: see TestParseErrors
		{"priority >= High AND status != Done", "(priority >= High AND status != Done)"},
		{"priority>=High and status!=Done", "(priority >= High AND status != Done)"},
		{"a1 = b OR c = d", ""},
		{"type = incident OR type = problem AND priority = High", "(type = incident OR (type = problem AND priority = High))"},
		{"(type = incident OR type = problem) AND priority = High", "((type = incident OR type = problem) AND priority = High)"},
		{"NOT status = Open AND priority = Low", "(NOT status = Open AND priority = Low)"},
		{"not not status = Open", "NOT NOT status = Open"},
		{"NOT (status = Open OR status = Closed)", "NOT (status = Open OR status = Closed)"},
		{"status IN (Open, Closed)", "status IN (Open, Closed)"},
		{"status in Open", "status IN Open"},
		{"status NOT IN (Open,'Closed')", `status NOT IN (Open, "Closed")`},
		{"assignee IS EMPTY", "assignee IS EMPTY"},
		{"assignee is not null", "assignee IS NOT EMPTY"},
		{"assignee = EMPTY", "assignee IS EMPTY"},
		{"assignee != empty", "assignee IS NOT EMPTY"},
		{"assignee IN (EMPTY, currentUser())", "assignee IN (EMPTY, currentUser())"},
		{"assignee = currentuser()", "assignee = currentUser()"},
		{`assignee in membersOf("Service Desk")`, `assignee IN membersOf("Service Desk")`},
		{"created >= -7d AND updated < startOfDay(-1) AND resolved > STARTOFMONTH()", "(created >= -7d AND updated < startOfDay(-1) AND resolved > startOfMonth())"},
		{`created > "2026-01-31 14:00"`, `created > "2026-01-31 14:00"`},
		{"created > 2026-01-31", "created > 2026-01-31"},
		{`"Laptop model" = "MacBook Pro"`, `"Laptop model" = "MacBook Pro"`},
		{`"request type" = "New laptop"`, `"request type" = "New laptop"`},
		{"requestType = x", "requestType = x"},
		{"text ~ vpn", "text ~ vpn"},
		{"summary !~ vpn", "summary !~ vpn"},
		{"key = IT-12", "key = IT-12"},
		{"ORDER BY created", "ORDER BY created ASC"},
		{"order by priority desc, created asc, key", "ORDER BY priority DESC, created ASC, key ASC"},
		{`status = Open ORDER BY "Laptop model" DESC`, `status = Open ORDER BY "Laptop model" DESC`},
		{"status = Open\nAND\npriority = High", "(status = Open AND priority = High)"},
		{`summary ~ ""`, `summary ~ ""`},
		{"summary ~ 'AND'", `summary ~ "AND"`},
	} {
		q, err := Parse(tc.in)
		if tc.want == "" && tc.in != "" && strings.TrimSpace(tc.in) != "" {
			if err == nil {
				t.Errorf("Parse(%q) = %s, want an error", tc.in, q)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if got := q.String(); got != tc.want {
			t.Errorf("Parse(%q) = %s, want %s", tc.in, got, tc.want)
		}
		// The canonical form parses back to itself.
		again, err := Parse(q.String())
		if err != nil || again.String() != q.String() {
			t.Errorf("Parse(%q) again = %v, %v", q.String(), again, err)
		}
	}
}

func TestParseStructure(t *testing.T) {
	q, err := Parse(`priority >= High AND NOT "Laptop model" IN (a, "b c") ORDER BY created DESC`)
	if err != nil {
		t.Fatal(err)
	}
	and, ok := q.Where.(*And)
	if !ok || len(and.Terms) != 2 {
		t.Fatalf("where = %#v", q.Where)
	}
	c := and.Terms[0].(*Clause)
	if c.Field.Builtin() != "priority" || c.Op != OpGe || c.Value.Kind != ValueWord || c.Value.Text != "High" ||
		c.Field.At != (Pos{Line: 1, Column: 1, Offset: 0}) || c.OpAt.Column != 10 || c.Value.At.Column != 13 {
		t.Errorf("first clause = %+v", c)
	}
	not := and.Terms[1].(*Not)
	c = not.X.(*Clause)
	if not.At.Column != 22 || c.Field.Builtin() != "" || !c.Field.Quoted || c.Field.Name != "Laptop model" || c.Op != OpIn ||
		c.Value.Kind != ValueList || len(c.Value.Items) != 2 || c.Value.Items[1].Kind != ValueString || c.Value.Items[1].At.Column != 48 {
		t.Errorf("second clause = %+v", c)
	}
	if len(q.OrderBy) != 1 || q.OrderBy[0].Field.Builtin() != "created" || !q.OrderBy[0].Desc {
		t.Errorf("order = %+v", q.OrderBy)
	}
	if q, _ := Parse(`"Request Type" = x`); q.Where.(*Clause).Field.Builtin() != "request type" {
		t.Errorf("quoted built-in field not recognised")
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"status =", "line 1, column 9: expected a value after ="},
		{"priority = High AND status IN", "line 1, column 30: expected a value after IN"},
		{"priority = High AND status NOT IN ()", `line 1, column 36: expected a value after NOT IN, not ")"`},
		{"status IN (Open,", "line 1, column 17: expected a value after IN"},
		{"status IN (Open Closed)", `line 1, column 17: expected "," or ")" in the list that starts at line 1, column 11, not "Closed"`},
		{"status IN ((Open))", "line 1, column 12: lists cannot be nested"},
		{"status = (Open)", "line 1, column 10: a list of values goes with IN or NOT IN, not ="},
		{"status = Open Closed", `line 1, column 15: unexpected "Closed": expected AND, OR, ORDER BY or the end of the query`},
		{"status = Open)", `line 1, column 14: unexpected ")" without a matching "("`},
		{"(status = Open", `line 1, column 15: expected ")" to close the "(" at line 1, column 1, not the end of the query`},
		{"status = Open AND", "line 1, column 18: expected a field name"},
		{"status = Open AND AND", "line 1, column 19: expected a field name, not \"AND\""},
		{"= Open", `line 1, column 1: expected a field name, not "="`},
		{"status Open", `line 1, column 8: expected an operator after status, not "Open"`},
		{"status", "line 1, column 7: expected an operator after status"},
		{"status NOT Open", "line 1, column 12: expected IN after NOT"},
		{"status IS Open", "line 1, column 11: expected EMPTY after IS"},
		{"status ! Open", `line 1, column 8: unexpected "!": write != or !~, or NOT`},
		{"status == Open", `line 1, column 9: expected a value after =, not "="`},
		{"status = AND", "line 1, column 10: expected a value after =, not the keyword AND (quote it to mean the text)"},
		{"prority = High", `line 1, column 1: unknown field "prority"; did you mean "priority"?`},
		{"asignee = x", `line 1, column 1: unknown field "asignee"; did you mean "assignee"?`},
		{"laptop = x", `line 1, column 1: unknown field "laptop"; custom fields are written in double quotes, as in "Laptop model"`},
		{`"" = x`, "line 1, column 1: a field name cannot be empty"},
		{"priority ~ High", "line 1, column 10: priority cannot be compared with ~; use =, !=, <, <=, >, >=, IN, NOT IN, IS, IS NOT"},
		{"status > Open", "line 1, column 8: status cannot be compared with >; use =, !=, IN, NOT IN, IS, IS NOT"},
		{"summary = x", "line 1, column 9: summary cannot be compared with =; use ~, !~, IS, IS NOT"},
		{"text IS EMPTY", "line 1, column 9: text is never empty; it cannot be compared with EMPTY"},
		{"priority > EMPTY", "line 1, column 12: EMPTY goes with IS, IS NOT, = or !=, not >"},
		{"created > yesterday()", `line 1, column 11: unknown function yesterday()`},
		{"created > startOfDya()", `line 1, column 11: unknown function startOfDya(); did you mean "startOfDay"?`},
		{"assignee in membersOf()", "line 1, column 13: membersOf() takes 1 argument, not 0"},
		{"assignee in membersOf(a, b)", "line 1, column 13: membersOf() takes 1 argument, not 2"},
		{"assignee = currentUser(me)", "line 1, column 12: currentUser() takes no arguments, not 1"},
		{"created > startOfDay(-1, -2)", "line 1, column 11: startOfDay() takes at most 1 argument, not 2"},
		{"created > startOfDay(now())", "line 1, column 22: a function's arguments cannot be functions"},
		{"created > startOfDay(-1", "line 1, column 24: expected \",\" or \")\" after an argument of startOfDay(), not the end of the query"},
		{`summary ~ "unfinished`, "line 1, column 11: the text that starts here has no closing \""},
		{"summary ~ 'unfinished", "line 1, column 11: the text that starts here has no closing '"},
		{"status = Open\n  AND priority ~ High", "line 2, column 16: priority cannot be compared with ~; use =, !=, <, <=, >, >=, IN, NOT IN, IS, IS NOT"},
		{"status = Open\r\nAND x = 1", `line 2, column 5: unknown field "x"`},
		{"summary ~ \"é\" AND prority = 1", `line 1, column 19: unknown field "prority"`},
		{"status = Open ORDER created", "line 1, column 21: expected BY after ORDER"},
		{"ORDER BY", "line 1, column 9: expected a field name after ORDER BY"},
		{"ORDER BY description", "line 1, column 10: results cannot be sorted by description"},
		{"ORDER BY created, priority, created DESC", "line 1, column 29: the results are sorted by created already"},
		{"ORDER BY created DESC priority", `line 1, column 23: unexpected "priority": expected "," and another field, or the end of the query`},
		{"ORDER BY created status = Open", `line 1, column 18: unexpected "status": expected "," and another field, or the end of the query`},
		{"status = Op\x00en", "line 1, column 12: unexpected control character U+0000"},
		{"status = \"Op\x01en\"", "line 1, column 13: unexpected control character U+0001"},
		{"status = Op\xffen", "line 1, column 12: the query is not valid UTF-8"},
		{strings.Repeat("(", 40) + "status = Open" + strings.Repeat(")", 40), "line 1, column 33: the query nests more than 32 levels deep"},
		{strings.Repeat("NOT ", 40) + "status = Open", "line 1, column 129: the query nests more than 32 levels deep"},
		{strings.Repeat("key = IT-1 OR ", 300) + "key = IT-1", "line 1, column 3585: the query has more than 256 conditions"},
		{"key IN (" + strings.Repeat("IT-1, ", 1000) + "IT-1)", "line 1, column 6009: a list may hold at most 1000 values"},
		{strings.Repeat(" ", MaxLength+1), "line 1, column 1: the query is longer than 10000 bytes"},
	} {
		_, err := Parse(tc.in)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%.80q) = %v, want %q", tc.in, err, tc.want)
			continue
		}
		if got := e.Error(); !strings.HasPrefix(got, tc.want) {
			t.Errorf("Parse(%.80q):\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}
