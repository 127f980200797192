package cql

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/cmdb"
)

// fakeCIs is a small CMDB for compiler tests: the default CI types with
// ids 1 to 13 in their order (server 5, linux_server 6, windows_server 7,
// virtual_machine 8, laptop 10, mobile_device 11), and three more: blade
// (14, a server with a reference and a boolean), meter (15, whose version
// is a number where an application's is text) and rack (16, whose tag has
// the label of hardware's asset tag).
type fakeCIs struct {
	calls *[]string // Related's calls, when set
}

var fakeTypes = func() *cmdb.TypeSet {
	var list []cmdb.CIType
	ids := map[string]int64{}
	add := func(t cmdb.CIType, parent string) {
		if err := t.Validate(); err != nil {
			panic(err)
		}
		t.ID, t.ParentID = int64(len(list)+1), ids[parent]
		ids[t.Key] = t.ID
		list = append(list, t)
	}
	for _, d := range cmdb.DefaultTypes() {
		add(d.CIType, d.ParentKey)
	}
	add(cmdb.CIType{Key: "blade", Name: "Blade", Attributes: []cmdb.Attribute{
		{Key: "chassis", Label: "Chassis", Type: cmdb.AttrReference, RefType: "server"},
		{Key: "spare", Label: "Spare", Type: cmdb.AttrBoolean},
	}}, "server")
	add(cmdb.CIType{Key: "meter", Name: "Meter", Attributes: []cmdb.Attribute{{Key: "version", Type: cmdb.AttrNumber}}}, "")
	add(cmdb.CIType{Key: "rack", Name: "Rack", Attributes: []cmdb.Attribute{{Key: "tag", Label: "Asset tag", Type: cmdb.AttrText}}}, "")
	ts, err := cmdb.NewTypeSet(list)
	if err != nil {
		panic(err)
	}
	return ts
}()

var fakeCINames = map[string][]int64{"payments-db": {500}, "web01": {501, 502}, "core-switch": {600}, "fleet": {700}}

// fleetDependents are 1 to 100 but 5 and 50, out of order and some twice.
var fleetDependents = func() []int64 {
	var out []int64
	for i := int64(100); i > 0; i-- {
		if i != 5 && i != 50 {
			out = append(out, i)
		}
	}
	return append(out, 7, 70)
}()

// coreDependents are the many CIs upstream of core-switch.
var coreDependents = func() []int64 {
	out := make([]int64, 100)
	for i := range out {
		out[i] = int64(1000 + i)
	}
	return out
}()

func (fakeCIs) CITypes() (*cmdb.TypeSet, error) { return fakeTypes, nil }

func (fakeCIs) IDs(e Entity, name string) ([]int64, error) {
	switch e {
	case EntityTeam:
		return map[string][]int64{"network": {3}}[strings.ToLower(name)], nil
	case EntityUser:
		return fakeIDs[EntityUser][strings.ToLower(name)], nil
	}
	return nil, fmt.Errorf("no lookup of %s", e)
}

func (fakeCIs) Names(e Entity) ([]string, error) {
	if e == EntityTeam {
		return []string{"Network", "Desk"}, nil
	}
	return nil, nil
}

func (fakeCIs) CIs(ref string) ([]int64, error) { return fakeCINames[strings.ToLower(ref)], nil }

func (f fakeCIs) Related(r Relation, from []int64, depth int) ([]int64, error) {
	if f.calls != nil {
		*f.calls = append(*f.calls, fmt.Sprintf("%d %v %d", r, from, depth))
	}
	switch {
	case reflect.DeepEqual(from, []int64{600}):
		return coreDependents, nil
	case reflect.DeepEqual(from, []int64{700}):
		return fleetDependents, nil
	}
	return []int64{from[0] + 1, from[0] + 2}, nil
}

func (fakeCIs) Now() time.Time           { return fakeNow }
func (fakeCIs) Location() *time.Location { return time.UTC }

func compileCI(t *testing.T, src string, d Dialect) (SQL, error) {
	t.Helper()
	q, err := ParseCI(src)
	if err != nil {
		t.Fatalf("ParseCI(%q): %v", src, err)
	}
	return CompileCI(q, CIOptions{Dialect: d, Resolver: fakeCIs{}})
}

func TestParseCI(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`dependsOn("payments-db")`, `dependsOn("payments-db")`},
		{`NOT hosts(web01)`, `NOT hosts(web01)`},
		{`DEPENDSON(x, 2) and type = server`, `(dependsOn(x, 2) AND type = server)`},
		{`(runsOn(a) OR connectsTo('b')) AND NOT ownedBy(c)`, `((runsOn(a) OR connectsTo("b")) AND NOT ownedBy(c))`},
		{`team is empty or "owner team" = Network`, `(team IS EMPTY OR "owner team" = Network)`},
		{`"Operating system" ~ Ubuntu ORDER BY "CPU cores" DESC, criticality`, `"Operating system" ~ Ubuntu ORDER BY "CPU cores" DESC, criticality ASC`},
		{`criticality >= high AND id < 10 AND created > -7d`, `(criticality >= high AND id < 10 AND created > -7d)`},
	} {
		q, err := ParseCI(tc.in)
		if err != nil {
			t.Errorf("ParseCI(%q): %v", tc.in, err)
			continue
		}
		if got := q.String(); got != tc.want {
			t.Errorf("ParseCI(%q) = %s, want %s", tc.in, got, tc.want)
		}
		if again, err := ParseCI(q.String()); err != nil || again.String() != q.String() {
			t.Errorf("ParseCI(%q) again = %v, %v", q.String(), again, err)
		}
	}
	call, _ := ParseCI(`status = live AND dependsOn("payments-db", 3)`)
	c := call.Where.(*And).Terms[1].(*Call)
	if c.Name != "dependsOn" || len(c.Args) != 2 || c.Args[0].Kind != ValueString || c.Args[1].Text != "3" || c.At != (Pos{Line: 1, Column: 19, Offset: 18}) {
		t.Errorf("call %+v", c)
	}
	for _, tc := range []struct{ in, want string }{
		{"dependsOn(x", `line 1, column 12: expected "," or ")" after an argument of dependsOn(), not the end of the query`},
		{"dependsOn()", "line 1, column 1: dependsOn() takes 1 or 2 arguments, not 0"},
		{"dependsOn(a, 1, 2)", "line 1, column 1: dependsOn() takes 1 or 2 arguments, not 3"},
		{"connectsTo(a, 1)", "line 1, column 1: connectsTo() takes 1 argument, not 2"},
		{"dependsOn(now())", "line 1, column 11: a function's arguments cannot be functions"},
		{"status = live AND linkedTo(x)", `line 1, column 19: unknown condition linkedTo()`},
		{"dependson(x) OR dependOn(y)", `line 1, column 17: unknown condition dependOn(); did you mean "dependsOn"?`},
		{"now()", "line 1, column 1: now() is a value, not a condition"},
		{"name = dependsOn(x)", `line 1, column 8: dependsOn() is a condition of its own, not a value`},
		{"priority = High", `line 1, column 1: unknown field "priority"; attributes are written in double quotes, as in "Operating system"`},
		{"nmae = x", `line 1, column 1: unknown field "nmae"; did you mean "name"?`},
		{"ORDER BY description", "line 1, column 10: results cannot be sorted by description"},
		{"status > live", "line 1, column 8: status cannot be compared with >; use =, !=, IN, NOT IN"},
		{"created IS EMPTY", "line 1, column 12: created is never empty"},
		{"name IS EMPTY", "line 1, column 9: name is never empty"},
		{"description = x", "line 1, column 13: description cannot be compared with =; use ~, !~, IS, IS NOT"},
	} {
		_, err := ParseCI(tc.in)
		var e *Error
		if !errors.As(err, &e) || !strings.HasPrefix(e.Error(), tc.want) {
			t.Errorf("ParseCI(%q) = %v, want %s", tc.in, err, tc.want)
		}
	}
}

// Ticket queries read relationship functions, and refuse them when they
// compile; a query over CIs does not compile as one over tickets, nor the
// other way round.
func TestCIAndTicketQueriesApart(t *testing.T) {
	q, err := Parse("status = Open AND\n  NOT dependsOn(\"payments-db\")")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(q, Options{Resolver: fakeNames{}})
	if err == nil || err.Error() != "line 2, column 7: dependsOn() is a condition on configuration items (CIs); queries over tickets cannot use it" {
		t.Errorf("ticket query with dependsOn(): %v", err)
	}
	if _, err := Parse("currentUser()"); err == nil || !strings.HasPrefix(err.Error(), "line 1, column 1: currentUser() is a value, not a condition") {
		t.Errorf("value as a condition: %v", err)
	}
	if _, err := Parse(`status (Open)`); err == nil || err.Error() != `line 1, column 8: expected an operator after status, not "("` {
		t.Errorf("field before a parenthesis: %v", err)
	}
	ciq, _ := ParseCI("criticality = high ORDER BY name")
	if _, err := Compile(ciq, Options{Resolver: fakeNames{}}); err == nil || err.Error() != "line 1, column 1: criticality is a field of CIs (ParseCI), not of tickets" {
		t.Errorf("CI query compiled for tickets: %v", err)
	}
	ciq, _ = ParseCI("ORDER BY criticality")
	if _, err := Compile(ciq, Options{Resolver: fakeNames{}}); err == nil || err.Error() != "line 1, column 10: criticality is a field of CIs (ParseCI), not of tickets" {
		t.Errorf("CI order compiled for tickets: %v", err)
	}
	tq, _ := Parse("summary ~ x")
	if _, err := CompileCI(tq, CIOptions{Resolver: fakeCIs{}}); err == nil || err.Error() != "line 1, column 1: summary is a field of tickets, not of CIs" {
		t.Errorf("ticket query compiled for CIs: %v", err)
	}
}

func TestCompileCI(t *testing.T) {
	servers := []any{int64(5), int64(6), int64(7), int64(14)}
	withOS := "(ci.type_id IN (?, ?, ?, ?, ?, ?, ?))" // server, linux, windows, VM, laptop, mobile, blade
	osTypes := []any{int64(5), int64(6), int64(7), int64(8), int64(10), int64(11), int64(14)}
	args := func(lists ...[]any) []any {
		var out []any
		for _, l := range lists {
			out = append(out, l...)
		}
		return out
	}
	core := "[" + strings.Trim(strings.Join(strings.Fields(fmt.Sprint(coreDependents)), ","), "[]") + "]"
	for _, tc := range []struct {
		q                string
		sqlite, postgres want // postgres empty: as sqlite
	}{
		{q: "", sqlite: want{"1=1", nil}},
		// Types with their subtypes, by name or key.
		{q: "type = Server", sqlite: want{"ci.type_id IN (?, ?, ?, ?)", servers}},
		{q: `type != "linux SERVER"`, sqlite: want{"(NOT (ci.type_id = ?))", []any{int64(6)}}},
		{q: "type IN (linux_server, database)", sqlite: want{"ci.type_id IN (?, ?)", []any{int64(6), int64(3)}}},
		{q: "status = Live", sqlite: want{"ci.status = ?", []any{"live"}}},
		{q: "status NOT IN (retired, planned)", sqlite: want{"(NOT (ci.status IN (?, ?)))", []any{"retired", "planned"}}},
		{q: "criticality >= high", sqlite: want{"ci.criticality IN (?, ?)", []any{"high", "critical"}}},
		{q: "NOT criticality >= medium", sqlite: want{"(NOT (ci.criticality IN (?, ?, ?)))", []any{"medium", "high", "critical"}}},
		{q: "criticality = CRITICAL", sqlite: want{"ci.criticality = ?", []any{"critical"}}},
		{q: "owner = network", sqlite: want{"ci.owner_team_id = ?", []any{int64(3)}}},
		{q: "team != network", sqlite: want{"((ci.owner_team_id = ?) IS NOT TRUE)", []any{int64(3)}}},
		{q: "owner IN (Network, EMPTY)", sqlite: want{"(ci.owner_team_id = ? OR ci.owner_team_id IS NULL)", []any{int64(3)}}},
		{q: "owner IS NOT EMPTY", sqlite: want{"(NOT (ci.owner_team_id IS NULL))", nil}},
		{q: "name = WEB01", sqlite: want{"lower(ci.name) = lower(?)", []any{"WEB01"}}},
		{q: "name NOT IN (a, b)", sqlite: want{"(NOT (lower(ci.name) IN (lower(?), lower(?))))", []any{"a", "b"}}},
		{q: `name ~ "web_"`, sqlite: want{`lower(ci.name) LIKE lower(?) ESCAPE '\'`, []any{`%web\_%`}}},
		{q: "description IS EMPTY", sqlite: want{"ci.description = ''", nil}},
		{q: "description !~ front", sqlite: want{`(NOT (lower(ci.description) LIKE lower(?) ESCAPE '\'))`, []any{"%front%"}}},
		{q: "created > 2026-01-15", sqlite: want{"ci.created_at >= ?", []any{ms("2026-01-16")}}},
		{q: "updated = 2026-01-15", sqlite: want{"(ci.updated_at >= ? AND ci.updated_at < ?)", []any{ms("2026-01-15"), ms("2026-01-16")}}},
		{q: "updated < startOfDay(-1)", sqlite: want{"ci.updated_at < ?", []any{ms("2026-01-30")}}},
		{q: "id IN (1, 2)", sqlite: want{"ci.id IN (?, ?)", []any{int64(1), int64(2)}}},
		{q: "id > 10", sqlite: want{"ci.id > ?", []any{int64(10)}}},
		// Attributes, by label or key, for the types that have them.
		{q: `"Operating system" ~ Ubuntu`,
			sqlite:   want{"(" + withOS + ` AND lower(json_extract(ci.attributes, ?)) LIKE lower(?) ESCAPE '\')`, args(osTypes, []any{`$."operating_system"`, "%Ubuntu%"})},
			postgres: want{"(" + withOS + ` AND lower((ci.attributes::jsonb ->> ?::text)) LIKE lower(?) ESCAPE '\')`, args(osTypes, []any{"operating_system", "%Ubuntu%"})}},
		{q: `"operating_system" !~ Ubuntu`,
			sqlite: want{"(((" + withOS + ` AND lower(json_extract(ci.attributes, ?)) LIKE lower(?) ESCAPE '\')) IS NOT TRUE)`, args(osTypes, []any{`$."operating_system"`, "%Ubuntu%"})},
			postgres: want{"(((" + withOS + ` AND lower((ci.attributes::jsonb ->> ?::text)) LIKE lower(?) ESCAPE '\')) IS NOT TRUE)`,
				args(osTypes, []any{"operating_system", "%Ubuntu%"})}},
		{q: `"Operating system" IS EMPTY`,
			sqlite: want{"(NOT " + withOS + ` OR (json_extract(ci.attributes, ?) IS NULL OR json_extract(ci.attributes, ?) IN ('', '[]')))`,
				args(osTypes, []any{`$."operating_system"`, `$."operating_system"`})},
			postgres: want{"(NOT " + withOS + ` OR ((ci.attributes::jsonb ->> ?::text) IS NULL OR (ci.attributes::jsonb ->> ?::text) IN ('', '[]')))`,
				args(osTypes, []any{"operating_system", "operating_system"})}},
		{q: `"CPU cores" >= 8`,
			sqlite: want{`((ci.type_id IN (?, ?, ?, ?, ?)) AND (CASE WHEN json_type(ci.attributes, ?) IN ('integer', 'real') THEN json_extract(ci.attributes, ?) END) >= ?)`,
				[]any{int64(5), int64(6), int64(7), int64(8), int64(14), `$."cpu_cores"`, `$."cpu_cores"`, 8.0}},
			postgres: want{`((ci.type_id IN (?, ?, ?, ?, ?)) AND (CASE WHEN jsonb_typeof(ci.attributes::jsonb -> ?::text) = 'number' THEN (ci.attributes::jsonb ->> ?::text)::numeric END) >= ?)`,
				[]any{int64(5), int64(6), int64(7), int64(8), int64(14), "cpu_cores", "cpu_cores", 8.0}}},
		{q: `"Spare" = yes`,
			sqlite:   want{`((ci.type_id = ?) AND json_type(ci.attributes, ?) = ?)`, []any{int64(14), `$."spare"`, "true"}},
			postgres: want{`((ci.type_id = ?) AND (ci.attributes::jsonb -> ?::text) = to_jsonb(?::boolean))`, []any{int64(14), "spare", true}}},
		{q: `"Chassis" IN (web01, EMPTY)`,
			sqlite: want{`(((ci.type_id = ?) AND json_extract(ci.attributes, ?) IN (?, ?)) OR (NOT (ci.type_id = ?) OR (json_extract(ci.attributes, ?) IS NULL OR json_extract(ci.attributes, ?) IN ('', '[]'))))`,
				[]any{int64(14), `$."chassis"`, int64(501), int64(502), int64(14), `$."chassis"`, `$."chassis"`}},
			postgres: want{`(((ci.type_id = ?) AND (ci.attributes::jsonb ->> ?::text) IN (?, ?)) OR (NOT (ci.type_id = ?) OR ((ci.attributes::jsonb ->> ?::text) IS NULL OR (ci.attributes::jsonb ->> ?::text) IN ('', '[]'))))`,
				[]any{int64(14), "chassis", "501", "502", int64(14), "chassis", "chassis"}}},
		{q: `"Assigned to" = "Ann Agent"`,
			sqlite:   want{`((ci.type_id IN (?, ?)) AND json_extract(ci.attributes, ?) = ?)`, []any{int64(10), int64(11), `$."assigned_to"`, int64(100)}},
			postgres: want{`((ci.type_id IN (?, ?)) AND (ci.attributes::jsonb ->> ?::text) = ?)`, []any{int64(10), int64(11), "assigned_to", "100"}}},
		{q: `"IP address" = "::FFFF:10.0.0.7"`,
			sqlite: want{`((ci.type_id IN (?, ?, ?, ?, ?, ?)) AND lower(json_extract(ci.attributes, ?)) = lower(?))`,
				[]any{int64(5), int64(6), int64(7), int64(8), int64(9), int64(14), `$."ip_address"`, "10.0.0.7"}},
			postgres: want{`((ci.type_id IN (?, ?, ?, ?, ?, ?)) AND lower((ci.attributes::jsonb ->> ?::text)) = lower(?))`,
				[]any{int64(5), int64(6), int64(7), int64(8), int64(9), int64(14), "ip_address", "10.0.0.7"}}},
		{q: `"Purchase date" = 2024-02-29`,
			sqlite: want{`((ci.type_id IN (?, ?, ?, ?, ?, ?, ?, ?)) AND (json_extract(ci.attributes, ?) >= ? AND json_extract(ci.attributes, ?) < ?))`,
				[]any{int64(4), int64(5), int64(6), int64(7), int64(9), int64(10), int64(11), int64(14), `$."purchase_date"`, "2024-02-29", `$."purchase_date"`, "2024-03-01"}},
			postgres: want{`((ci.type_id IN (?, ?, ?, ?, ?, ?, ?, ?)) AND ((ci.attributes::jsonb ->> ?::text) >= ? AND (ci.attributes::jsonb ->> ?::text) < ?))`,
				[]any{int64(4), int64(5), int64(6), int64(7), int64(9), int64(10), int64(11), int64(14), "purchase_date", "2024-02-29", "purchase_date", "2024-03-01"}}},
		{q: `"Engine" = postgresql`,
			sqlite:   want{`((ci.type_id = ?) AND json_extract(ci.attributes, ?) = ?)`, []any{int64(3), `$."engine"`, "PostgreSQL"}},
			postgres: want{`((ci.type_id = ?) AND (ci.attributes::jsonb ->> ?::text) = ?)`, []any{int64(3), "engine", "PostgreSQL"}}},
		// Unique attributes are found through their index.
		{q: `"Host name" IN (" Web01.example.com", x)`,
			sqlite: want{`((ci.type_id IN (?, ?, ?, ?, ?, ?, ?)) AND ci.id IN (SELECT ci_id FROM ci_unique_values WHERE attr_key = ? AND value IN (?, ?)))`,
				[]any{int64(5), int64(6), int64(7), int64(8), int64(9), int64(10), int64(14), "hostname", "web01.example.com", "x"}}},
		{q: `"serial_number" != SN-1`,
			sqlite: want{`((((ci.type_id IN (?, ?, ?, ?, ?, ?, ?, ?)) AND ci.id IN (SELECT ci_id FROM ci_unique_values WHERE attr_key = ? AND value = ?))) IS NOT TRUE)`,
				[]any{int64(4), int64(5), int64(6), int64(7), int64(9), int64(10), int64(11), int64(14), "serial_number", "sn-1"}}},
		// Relationship functions: a short set one by one, a long one as
		// one argument, one of most ids as the ids it lacks.
		{q: `dependsOn(fleet)`,
			sqlite: want{"(ci.id <= ? AND NOT (ci.id IN (?, ?)))", []any{int64(100), int64(5), int64(50)}}},
		{q: `dependsOn("payments-db")`, sqlite: want{"ci.id IN (?, ?)", []any{int64(501), int64(502)}}},
		{q: `NOT dependsOn("core-switch")`,
			sqlite:   want{"(NOT (ci.id IN (SELECT value FROM json_each(?))))", []any{core}},
			postgres: want{"(NOT (ci.id = ANY(CAST(? AS bigint[]))))", []any{"{" + strings.Trim(core, "[]") + "}"}}},
		{q: `type = Server AND NOT (hosts(web01, 2) OR status = live)`,
			sqlite: want{"(ci.type_id IN (?, ?, ?, ?) AND ((NOT (ci.id IN (?, ?))) AND (NOT (ci.status = ?))))", args(servers, []any{int64(502), int64(503), "live"})}},
	} {
		if tc.postgres.sql == "" {
			tc.postgres = tc.sqlite
		}
		for d, w := range map[Dialect]want{SQLite: tc.sqlite, PostgreSQL: tc.postgres} {
			got, err := compileCI(t, tc.q, d)
			if err != nil {
				t.Errorf("%q: %v", tc.q, err)
				continue
			}
			if got.Where != w.sql || !reflect.DeepEqual(got.Args, w.args) || got.OrderBy != "" {
				t.Errorf("%q (dialect %d):\n got %s %#v\nwant %s %#v", tc.q, d, got.Where, got.Args, w.sql, w.args)
			}
		}
	}
}

func TestCompileCIRelated(t *testing.T) {
	var calls []string
	q, _ := ParseCI(`dependsOn(web01) OR dependedOnBy("Payments-DB", 3) OR runsOn(web01, 1) OR hosts(web01) OR connectsTo(web01) OR ownedBy(web01) OR owns(web01)`)
	if _, err := CompileCI(q, CIOptions{Resolver: fakeCIs{calls: &calls}}); err != nil {
		t.Fatal(err)
	}
	want := []string{"0 [501 502] 0", "1 [500] 3", "2 [501 502] 1", "3 [501 502] 0", "4 [501 502] 0", "5 [501 502] 0", "6 [501 502] 0"}
	if !reflect.DeepEqual(calls, want) {
		t.Errorf("calls %q, want %q", calls, want)
	}
}

func TestCompileCIOrder(t *testing.T) {
	for _, tc := range []struct {
		q                string
		sqlite, postgres want
	}{
		{q: "ORDER BY name", sqlite: want{"lower(ci.name) ASC, ci.id ASC", nil}},
		{q: "ORDER BY id DESC", sqlite: want{"ci.id DESC", nil}},
		{q: "type = Server ORDER BY owner, status DESC", sqlite: want{"(SELECT lower(name) FROM teams WHERE id = ci.owner_team_id) ASC NULLS LAST, " +
			"CASE ci.status WHEN 'planned' THEN 1 WHEN 'live' THEN 2 WHEN 'maintenance' THEN 3 ELSE 4 END DESC, ci.id DESC", nil}},
		{q: `ORDER BY criticality DESC, "CPU cores"`,
			sqlite: want{"CASE ci.criticality WHEN 'low' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3 ELSE 4 END DESC, " +
				"(CASE WHEN json_type(ci.attributes, ?) IN ('integer', 'real') THEN json_extract(ci.attributes, ?) END) ASC NULLS LAST, ci.id ASC", []any{`$."cpu_cores"`, `$."cpu_cores"`}},
			postgres: want{"CASE ci.criticality WHEN 'low' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3 ELSE 4 END DESC, " +
				"(CASE WHEN jsonb_typeof(ci.attributes::jsonb -> ?::text) = 'number' THEN (ci.attributes::jsonb ->> ?::text)::numeric END) ASC NULLS LAST, ci.id ASC", []any{"cpu_cores", "cpu_cores"}}},
		{q: `ORDER BY "Host name" DESC, type`,
			sqlite:   want{"lower(json_extract(ci.attributes, ?)) DESC NULLS LAST, (SELECT lower(name) FROM ci_types WHERE id = ci.type_id) ASC, ci.id ASC", []any{`$."hostname"`}},
			postgres: want{"lower((ci.attributes::jsonb ->> ?::text)) DESC NULLS LAST, (SELECT lower(name) FROM ci_types WHERE id = ci.type_id) ASC, ci.id ASC", []any{"hostname"}}},
		{q: `ORDER BY "Chassis"`,
			sqlite: want{"(SELECT lower(name) FROM cis WHERE id = CAST((CASE WHEN json_type(ci.attributes, ?) IN ('integer', 'real') THEN json_extract(ci.attributes, ?) END) AS BIGINT)) ASC NULLS LAST, ci.id ASC",
				[]any{`$."chassis"`, `$."chassis"`}},
			postgres: want{"(SELECT lower(name) FROM cis WHERE id = CAST((CASE WHEN jsonb_typeof(ci.attributes::jsonb -> ?::text) = 'number' THEN (ci.attributes::jsonb ->> ?::text)::numeric END) AS BIGINT)) ASC NULLS LAST, ci.id ASC",
				[]any{"chassis", "chassis"}}},
	} {
		if tc.postgres.sql == "" {
			tc.postgres = tc.sqlite
		}
		for d, w := range map[Dialect]want{SQLite: tc.sqlite, PostgreSQL: tc.postgres} {
			got, err := compileCI(t, tc.q, d)
			if err != nil {
				t.Errorf("%q: %v", tc.q, err)
				continue
			}
			if got.OrderBy != w.sql || !reflect.DeepEqual(got.OrderArgs, w.args) {
				t.Errorf("%q (dialect %d):\n got %s %#v\nwant %s %#v", tc.q, d, got.OrderBy, got.OrderArgs, w.sql, w.args)
			}
		}
	}
}

func TestCompileCIErrors(t *testing.T) {
	for _, tc := range []struct{ q, want string }{
		{"type = Servr", `line 1, column 8: there is no CI type "Servr"; did you mean "Server"?`},
		{"type = now()", `line 1, column 8: now() cannot be compared with type`},
		{"status = broken", `line 1, column 10: "broken" is not a CI status: use planned, live, maintenance or retired`},
		{"status = lve", `line 1, column 10: "lve" is not a CI status: use planned, live, maintenance or retired; did you mean "live"?`},
		{"criticality >= urgent", `line 1, column 16: urgent is not a criticality: use low, medium, high or critical`},
		{"owner = Netwrok", `line 1, column 9: there is no team "Netwrok"; did you mean "Network"?`},
		{"id = web01", `line 1, column 6: web01 is not the id of a CI`},
		{"name = now()", `line 1, column 8: now() cannot be compared with name`},
		{"created > soon", `line 1, column 11: "soon" is not a date`},
		{"status = live AND\ndependsOn(nothing)", `line 2, column 11: there is no CI named "nothing"`},
		{"dependsOn(web01, x)", `line 1, column 18: x is not a depth for dependsOn(): give how many relationships to follow, from 1 to 100`},
		{"dependsOn(web01, 101)", `line 1, column 18: 101 is not a depth for dependsOn()`},
		{`dependsOn(web01, "2")`, `line 1, column 18: "2" is not a depth for dependsOn()`},
		{`"Version" = 1`, `line 1, column 1: attribute "Version" has different types on different CI types (number, text) and cannot be queried`},
		{`"Asset tag" = x`, `line 1, column 1: "Asset tag" is the label of several attributes (keys asset_tag, tag): name one by its key`},
		{`"Operating sytem" ~ x`, `line 1, column 1: unknown field "Operating sytem"; did you mean "Operating system"?`},
		{`"Spare" = maybe`, `line 1, column 11: "Spare" is true or false: compare it with true or false`},
		{`"Spare" > true`, `line 1, column 9: "Spare" (a boolean attribute) cannot be compared with >; use =, !=, IS, IS NOT`},
		{`"Engine" = oracel`, `line 1, column 12: "oracel" is not an option of "Engine"; did you mean "Oracle"?`},
		{`"IP address" = 10.0.0`, `line 1, column 16: "10.0.0" is not an IP address; to find part of one, use ~ as in "IP address" ~ "10.0."`},
		{`"Chassis" = nothing`, `line 1, column 13: there is no CI named "nothing"`},
		{`"Chassis" ~ web`, `line 1, column 11: "Chassis" (a reference attribute) cannot be compared with ~`},
		{`"Assigned to" = nobody`, `line 1, column 17: there is no user with the email or name "nobody"`},
		{`"CPU cores" ~ 8`, `line 1, column 13: "CPU cores" (a number attribute) cannot be compared with ~`},
		{`"CPU cores" > lots`, `line 1, column 15: "CPU cores" is a number field: lots is not a number`},
		{`"Host name" = currentUser()`, `line 1, column 15: currentUser() cannot be compared with "Host name"`},
		{`"Purchase date" < currentUser()`, `line 1, column 19: currentUser() is not a date`},
		{`ORDER BY "Nope"`, `line 1, column 10: unknown field "Nope"`},
	} {
		_, err := compileCI(t, tc.q, SQLite)
		var e *Error
		if !errors.As(err, &e) || !strings.HasPrefix(e.Error(), tc.want) {
			t.Errorf("%q:\n got %v\nwant %s", tc.q, err, tc.want)
		}
	}
	// Dates of attributes take functions; a time means its day.
	got, err := compileCI(t, `"Warranty expiry" < startOfMonth(1)`, SQLite)
	if err != nil || got.Args[len(got.Args)-1] != "2026-02-01" {
		t.Errorf("date function: %v %v", got.Args, err)
	}
}

type failingCIs struct{ fakeCIs }

func (failingCIs) CIs(string) ([]int64, error)                     { return nil, errDown }
func (failingCIs) Related(Relation, []int64, int) ([]int64, error) { return nil, errDown }

func TestCompileCIResolverErrors(t *testing.T) {
	for _, src := range []string{`dependsOn(x)`, `"Chassis" = x`} {
		q, _ := ParseCI(src)
		if _, err := CompileCI(q, CIOptions{Resolver: failingCIs{}}); !errors.Is(err, errDown) {
			t.Errorf("%q: %v, want the resolver's error", src, err)
		}
	}
}

var ciFuzzSeeds = []string{
	`type = Server AND status = Live AND "Operating system" ~ "Ubuntu"`,
	`dependsOn("payments-db") AND criticality >= high ORDER BY name DESC`,
	`NOT hosts(web01, 2) OR connectsTo('core-switch') OR ownedBy(web01) OR owns(x)`,
	`"CPU cores" IN (4, 8, EMPTY) AND "Purchase date" < startOfYear() AND "Spare" != false`,
	`"Chassis" = web01 AND "Assigned to" IN (ann@example.com, EMPTY) AND "IP address" = 10.0.0.7`,
	`owner IS EMPTY AND created > -30d AND id NOT IN (1, 2) ORDER BY "Host name", criticality DESC`,
	`dependsOn(core-switch)`, "dependsOn(", "linkedTo(x)", `"Version" = 1`, "name ~ ''",
}

// FuzzParseCI is FuzzParse for queries over CIs.
func FuzzParseCI(f *testing.F) {
	for _, s := range append(ciFuzzSeeds, fuzzSeeds...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, err := ParseCI(src)
		if err != nil {
			checkError(t, src, err)
			return
		}
		canonical := q.String()
		again, err := ParseCI(canonical)
		if err != nil {
			t.Fatalf("ParseCI(%q) gave %q, which does not parse: %v", src, canonical, err)
		}
		if again.String() != canonical {
			t.Fatalf("ParseCI(%q) gave %q, which parses as %q", src, canonical, again.String())
		}
		for _, d := range []Dialect{SQLite, PostgreSQL} {
			sql, err := CompileCI(q, CIOptions{Dialect: d, Resolver: fakeCIs{}})
			if err != nil {
				checkError(t, src, err)
				continue
			}
			if n := placeholders(sql.Where); n != len(sql.Args) {
				t.Fatalf("%q: %d placeholders in %s, %d arguments", src, n, sql.Where, len(sql.Args))
			}
			if n := placeholders(sql.OrderBy); n != len(sql.OrderArgs) {
				t.Fatalf("%q: %d placeholders in %s, %d arguments", src, n, sql.OrderBy, len(sql.OrderArgs))
			}
			if strings.Count(sql.Where, "(") != strings.Count(sql.Where, ")") {
				t.Fatalf("%q: unbalanced %s", src, sql.Where)
			}
		}
	})
}
