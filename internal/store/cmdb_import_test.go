package store_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

// importText reads a CSV or JSON text and imports it as the admin.
func (f *fixture) importText(t *testing.T, format, text string, opt store.ImportOptions) cmdb.ImportReport {
	t.Helper()
	recs, err := cmdb.ReadImport(strings.NewReader(text), format)
	if err != nil {
		t.Fatalf("read %s: %v", format, err)
	}
	rep, err := f.s.ImportCIs(f.ctx, f.admin, recs, opt)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return rep
}

// actions renders a report's rows as "row action name".
func actions(rep cmdb.ImportReport) []string {
	var out []string
	for _, r := range rep.Rows {
		s := fmt.Sprintf("%d %s %s", r.Row, r.Action, r.Name)
		if r.Error != nil {
			s += " " + r.Error.Field
		}
		out = append(out, s)
	}
	return out
}

const serversCSV = `Type,Name,Host name,Serial Number,ip_address,environment,status,owner_team,attributes.cpu_cores
Linux server,web01,web01.example.com,SN-1,10.0.0.1,production,live,Network,8
Linux server,web02,web02.example.com,SN-2,10.0.0.2,production,,,
Windows server,ad01,ad01.example.com,SN-3,10.0.0.3,production,,Desk,4
Application,CRM,,,,test,planned,,
`

func TestImportReconciles(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := cmdbFixture(t, s)
		// A dry run says what would happen and writes nothing.
		before := f.cmdbCounts(t)
		dry := f.importText(t, cmdb.FormatCSV, serversCSV, store.ImportOptions{DryRun: true})
		sameCounts(t, "dry run", before, f.cmdbCounts(t))
		if dry.Created != 4 || dry.Applied || !dry.DryRun || dry.Rows[0].CIID != 0 || dry.Rows[0].Row != 2 {
			t.Errorf("dry run: %+v", dry)
		}
		first := f.importText(t, cmdb.FormatCSV, serversCSV, store.ImportOptions{})
		if got := actions(first); !slices.Equal(got, []string{"2 created web01", "3 created web02", "4 created ad01", "5 created CRM"}) {
			t.Errorf("first import: %v", got)
		}
		if !first.Applied || first.Created != 4 || first.Rows[0].CIID == 0 {
			t.Errorf("first import: %+v", first)
		}
		web01, err := s.CI(f.ctx, first.Rows[0].CIID)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"hostname": "web01.example.com", "serial_number": "SN-1", "ip_address": "10.0.0.1", "environment": "production", "cpu_cores": 8.0}
		if !reflect.DeepEqual(web01.Attributes, want) || web01.OwnerTeamID != f.netTeam.ID || web01.Type != "Linux server" {
			t.Errorf("web01: %+v", web01)
		}
		hist, _ := s.CIHistory(f.ctx, f.admin, web01.ID)
		if len(hist) != 1 || hist[0].Data["source"] != "import" {
			t.Errorf("history: %+v", hist)
		}

		// The same file again changes nothing.
		before = f.cmdbCounts(t)
		again := f.importText(t, cmdb.FormatCSV, serversCSV, store.ImportOptions{})
		if again.Unchanged != 4 || again.Created+again.Updated+again.Failed != 0 {
			t.Errorf("second import: %v", actions(again))
		}
		sameCounts(t, "second import", before, f.cmdbCounts(t))
		if again.Rows[0].MatchedBy != "name+type" || again.Rows[0].CIID != web01.ID {
			t.Errorf("matched %+v", again.Rows[0])
		}

		// Matched on serial number (letter case ignored): a renamed server
		// is updated, the changes listed; a row without the serial number falls back to
		// host name and type; "Server" keeps the CI a Linux server.
		changed := `type;name;serial_number;hostname;environment
Linux server;web01-renamed;sn-1;;staging
Server;;;web02.example.com;test
`
		rep := f.importText(t, cmdb.FormatCSV, changed, store.ImportOptions{Match: []cmdb.MatchRule{{"serial_number"}, {"hostname", "type"}, {"hostname"}}})
		if got := actions(rep); !slices.Equal(got, []string{"2 updated web01-renamed", "3 updated web02"}) {
			t.Fatalf("changed import: %v", got)
		}
		if rep.Rows[0].MatchedBy != "serial_number" || rep.Rows[1].MatchedBy != "hostname" {
			t.Errorf("matched by %q %q", rep.Rows[0].MatchedBy, rep.Rows[1].MatchedBy)
		}
		diffs := map[string][2]any{}
		for _, c := range rep.Rows[0].Changes {
			diffs[c.Field] = [2]any{c.From, c.To}
		}
		if !reflect.DeepEqual(diffs, map[string][2]any{"name": {"web01", "web01-renamed"}, "attributes.environment": {"production", "staging"}, "attributes.serial_number": {"SN-1", "sn-1"}}) {
			t.Errorf("diffs %v", diffs)
		}
		web02, _ := s.CI(f.ctx, rep.Rows[1].CIID)
		if web02.Type != "Linux server" || web02.Attributes["environment"] != "test" || web02.Attributes["serial_number"] != "SN-2" {
			t.Errorf("web02 %+v", web02)
		}
	})
}

func TestImportRowErrors(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := cmdbFixture(t, s)
		f.importText(t, cmdb.FormatCSV, serversCSV, store.ImportOptions{})
		bad := `[
  {"type": "Linux server", "name": "web03", "hostname": "web03.example.com", "serial_number": "SN-4", "ip_address": "10.0.0.4"},
  {"type": "Toaster", "name": "t1"},
  {"type": "Linux server", "name": "web04", "hostname": "web04.example.com", "ip_address": "10.0.0.999"},
  {"type": "Linux server", "name": "web05", "hostname": "WEB01.example.com"},
  {"type": "Laptop", "name": "lt1", "attributes": {"serial_number": "sn-4"}},
  {"type": "Linux server", "name": "web06"},
  "not an object",
  {"type": "Application", "name": "Portal", "status": "gone"},
  {"type": "Application", "name": "Billing", "owner_team": "Nobody"},
  {"type": "Blade", "name": "b1"},
  {"type": "Application", "name": "Intranet", "application_owner": "dave@example.com", "url": "https://intranet.example.com"}
]`
		before := f.cmdbCounts(t)
		atomic := f.importText(t, cmdb.FormatJSON, bad, store.ImportOptions{Atomic: true})
		sameCounts(t, "atomic import with bad rows", before, f.cmdbCounts(t))
		if atomic.Applied || atomic.Failed != 9 {
			t.Errorf("atomic: applied %v, %d failed", atomic.Applied, atomic.Failed)
		}

		rep := f.importText(t, cmdb.FormatJSON, bad, store.ImportOptions{})
		want := []string{
			"1 created web03",
			"2 failed t1 type",
			"3 failed web04 attributes.ip_address",
			"4 failed web05 attributes.hostname",
			"5 failed lt1 attributes.serial_number",
			"6 failed web06 attributes.hostname",
			"7 failed  ",
			"8 failed Portal status",
			"9 failed Billing owner_team",
			"10 failed b1 type",
			"11 created Intranet",
		}
		if got := actions(rep); !slices.Equal(got, want) {
			t.Errorf("rows:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if !rep.Applied || rep.Created != 2 || rep.Failed != 9 {
			t.Errorf("counts %+v", rep)
		}
		if e := rep.Rows[3].Error; e.Code != "duplicate" || !strings.Contains(e.Message, "web01") {
			t.Errorf("duplicate error %+v", e)
		}
		if e := rep.Rows[4].Error; !strings.Contains(e.Message, "earlier row") && !strings.Contains(e.Message, "web03") {
			t.Errorf("duplicate within the file %+v", e)
		}
		// The good rows were imported whole, the bad ones not at all.
		page, _ := s.CIs(f.ctx, store.CIFilter{Text: "web0"})
		if page.Total != 3 {
			t.Errorf("%d web servers, want 3", page.Total)
		}
		intranet, _ := s.CI(f.ctx, rep.Rows[10].CIID)
		if intranet.Attributes["application_owner"] != f.daveUser.ID {
			t.Errorf("person by email: %+v", intranet.Attributes)
		}
	})
}

func TestImportWithinFile(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := cmdbFixture(t, s)
		if _, err := s.CreateCIType(f.ctx, f.admin, cmdb.CIType{Name: "Rack", Attributes: []cmdb.Attribute{{Key: "room", Type: cmdb.AttrText}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateCIType(f.ctx, f.admin, cmdb.CIType{Name: "Blade", ParentID: f.ciType(t, "server").ID,
			Attributes: []cmdb.Attribute{{Key: "rack", Type: cmdb.AttrReference, RefType: "rack"}}}); err != nil {
			t.Fatal(err)
		}
		// A row may name a CI an earlier row creates, and a later row may
		// change what an earlier one created.
		text := `type,name,room,hostname,rack
Rack,R1,A,,
Blade,b1,,b1.example.com,R1
Rack,R1,B,,
Blade,b2,,b2.example.com,r1
`
		rep := f.importText(t, cmdb.FormatCSV, text, store.ImportOptions{})
		if got := actions(rep); !slices.Equal(got, []string{"2 created R1", "3 created b1", "4 updated R1", "5 created b2"}) {
			t.Fatalf("rows %v", got)
		}
		r1 := rep.Rows[0].CIID
		if rep.Rows[2].CIID != r1 {
			t.Errorf("the update of R1 has id %d, want %d", rep.Rows[2].CIID, r1)
		}
		for _, i := range []int{1, 3} {
			b, _ := s.CI(f.ctx, rep.Rows[i].CIID)
			if b.Attributes["rack"] != r1 {
				t.Errorf("%s's rack = %v, want %d", b.Name, b.Attributes["rack"], r1)
			}
		}
		rack, _ := s.CI(f.ctx, r1)
		if rack.Attributes["room"] != "B" {
			t.Errorf("room %v", rack.Attributes["room"])
		}
		again := f.importText(t, cmdb.FormatCSV, text, store.ImportOptions{})
		// R1 is A on row 2 and B on row 4 of the same file: the file itself
		// says two things; every other row is unchanged.
		if got := actions(again); !slices.Equal(got, []string{"2 updated R1", "3 unchanged b1", "4 updated R1", "5 unchanged b2"}) {
			t.Errorf("again %v", got)
		}
		_, err := s.ImportCIs(f.ctx, f.nina, nil, store.ImportOptions{})
		wantErr(t, "agent imports", err, errs.KindForbidden, "")
	})
}
