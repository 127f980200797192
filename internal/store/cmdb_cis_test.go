package store_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

// newCI creates a CI as an agent and fails the test if that fails.
func (f *fixture) newCI(t *testing.T, in store.NewCI) cmdb.CI {
	t.Helper()
	ci, err := f.s.CreateCI(f.ctx, f.nina, in)
	if err != nil {
		t.Fatalf("create CI %q: %v", in.Name, err)
	}
	return ci
}

func TestCIValues(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := cmdbFixture(t, s)
		ctx := f.ctx
		rack, err := s.CreateCI(ctx, f.nina, store.NewCI{Name: "db01", Type: "Linux server", Attributes: map[string]any{"hostname": "db01.example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		web := f.newCI(t, store.NewCI{
			Name: " web01 ", Type: "linux_server", Description: " Front end ", Status: "Maintenance", Criticality: "HIGH", OwnerTeamID: f.netTeam.ID,
			Attributes: map[string]any{
				"hostname": " web01.example.com ", "ip_address": "::ffff:10.0.0.7", "environment": "PRODUCTION",
				"cpu_cores": "16", "memory_gb": 64.0, "purchase_date": "2024-02-29", "serial_number": "",
			},
		})
		want := map[string]any{"hostname": "web01.example.com", "ip_address": "10.0.0.7", "environment": "production",
			"cpu_cores": 16.0, "memory_gb": 64.0, "purchase_date": "2024-02-29"}
		if !reflect.DeepEqual(web.Attributes, want) {
			t.Errorf("normalized attributes %#v, want %#v", web.Attributes, want)
		}
		if web.Name != "web01" || web.Description != "Front end" || web.Status != cmdb.StatusMaintenance || web.Criticality != cmdb.CriticalityHigh ||
			web.Type != "Linux server" || web.TypeKey != "linux_server" || web.OwnerTeam != "Network" || !web.CreatedAt.Equal(t0) {
			t.Errorf("created %+v", web)
		}
		got, err := s.CI(ctx, web.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, web) {
			t.Errorf("CI(%d) = %+v\nwant %+v", web.ID, got, web)
		}
		// Defaults, and people and references by email and name.
		app := f.newCI(t, store.NewCI{Name: "CRM", Type: "Application", Attributes: map[string]any{"application_owner": "NINA@example.com"}})
		if app.Status != cmdb.StatusLive || app.Criticality != cmdb.CriticalityMedium || app.Attributes["application_owner"] != f.ninaUser.ID {
			t.Errorf("defaults and person: %+v", app)
		}
		blade, err := s.CreateCIType(ctx, f.admin, cmdb.CIType{Name: "Blade", ParentID: f.ciType(t, "server").ID, Attributes: []cmdb.Attribute{
			{Key: "chassis", Type: cmdb.AttrReference, RefType: "server"},
			{Key: "docs", Type: cmdb.AttrURL},
			{Key: "spare", Type: cmdb.AttrBoolean},
		}})
		if err != nil {
			t.Fatal(err)
		}
		b := f.newCI(t, store.NewCI{Name: "blade1", Type: "blade", Attributes: map[string]any{
			"hostname": "blade1", "chassis": "DB01", "docs": "https://wiki.example.com/blade1", "spare": "yes"}})
		if b.Attributes["chassis"] != rack.ID || b.Attributes["spare"] != true {
			t.Errorf("reference by name, boolean: %#v", b.Attributes)
		}

		before := f.cmdbCounts(t)
		tests := []struct {
			name  string
			in    store.NewCI
			kind  errs.Kind
			field string
		}{
			{"no name", store.NewCI{Type: "laptop"}, errs.KindInvalid, "name"},
			{"two lines", store.NewCI{Name: "a\nb", Type: "laptop"}, errs.KindInvalid, "name"},
			{"no type", store.NewCI{Name: "x"}, errs.KindInvalid, "type"},
			{"unknown type", store.NewCI{Name: "x", Type: "toaster"}, errs.KindInvalid, "type"},
			{"bad status", store.NewCI{Name: "x", Type: "laptop", Status: "broken"}, errs.KindInvalid, "status"},
			{"bad criticality", store.NewCI{Name: "x", Type: "laptop", Criticality: "extreme"}, errs.KindInvalid, "criticality"},
			{"unknown team", store.NewCI{Name: "x", Type: "laptop", OwnerTeamID: 9999}, errs.KindInvalid, "owner_team"},
			{"required", store.NewCI{Name: "x", Type: "server"}, errs.KindInvalid, "attributes.hostname"},
			{"required blank", store.NewCI{Name: "x", Type: "server", Attributes: map[string]any{"hostname": "  "}}, errs.KindInvalid, "attributes.hostname"},
			{"unknown attribute", store.NewCI{Name: "x", Type: "laptop", Attributes: map[string]any{"colour": "red"}}, errs.KindInvalid, "attributes.colour"},
			{"bad ip", store.NewCI{Name: "x", Type: "server", Attributes: map[string]any{"hostname": "x", "ip_address": "10.0.0.256"}}, errs.KindInvalid, "attributes.ip_address"},
			{"bad number", store.NewCI{Name: "x", Type: "server", Attributes: map[string]any{"hostname": "x", "cpu_cores": "12abc"}}, errs.KindInvalid, "attributes.cpu_cores"},
			{"bad date", store.NewCI{Name: "x", Type: "laptop", Attributes: map[string]any{"purchase_date": "2024-02-30"}}, errs.KindInvalid, "attributes.purchase_date"},
			{"bad option", store.NewCI{Name: "x", Type: "server", Attributes: map[string]any{"hostname": "x", "environment": "prod"}}, errs.KindInvalid, "attributes.environment"},
			{"unknown person", store.NewCI{Name: "x", Type: "laptop", Attributes: map[string]any{"assigned_to": "nobody@example.com"}}, errs.KindInvalid, "attributes.assigned_to"},
			{"script url", store.NewCI{Name: "x", Type: "application", Attributes: map[string]any{"url": "javascript:alert(1)"}}, errs.KindInvalid, "attributes.url"},
			{"reference of another type", store.NewCI{Name: "x", Type: "blade", Attributes: map[string]any{"hostname": "x", "chassis": app.ID}}, errs.KindInvalid, "attributes.chassis"},
			{"reference to nothing", store.NewCI{Name: "x", Type: "blade", Attributes: map[string]any{"hostname": "x", "chassis": "rack9"}}, errs.KindInvalid, "attributes.chassis"},
			{"bad boolean", store.NewCI{Name: "x", Type: "blade", Attributes: map[string]any{"hostname": "x", "spare": "maybe"}}, errs.KindInvalid, "attributes.spare"},
			{"list value", store.NewCI{Name: "x", Type: "laptop", Attributes: map[string]any{"model": []any{"a"}}}, errs.KindInvalid, "attributes.model"},
		}
		for _, tt := range tests {
			_, err := s.CreateCI(ctx, f.nina, tt.in)
			wantErr(t, tt.name, err, tt.kind, tt.field)
		}
		_, err = s.CreateCI(ctx, f.alice, store.NewCI{Name: "x", Type: "laptop"})
		wantErr(t, "customer", err, errs.KindForbidden, "")
		sameCounts(t, "rejected CIs", before, f.cmdbCounts(t))
		_ = blade
	})
}

func TestCIUnique(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := cmdbFixture(t, s)
		ctx := f.ctx
		web := f.newCI(t, store.NewCI{Name: "web01", Type: "Linux server", Attributes: map[string]any{"hostname": "web01.example.com", "serial_number": "SN-1"}})
		before := f.cmdbCounts(t)
		// Host names are unique among servers (Linux and Windows alike),
		// letter case ignored; serial numbers among all hardware.
		_, err := s.CreateCI(ctx, f.nina, store.NewCI{Name: "other", Type: "Windows server", Attributes: map[string]any{"hostname": "WEB01.example.com"}})
		wantErr(t, "host name of another server", err, errs.KindConflict, "attributes.hostname")
		_, err = s.CreateCI(ctx, f.nina, store.NewCI{Name: "laptop", Type: "Laptop", Attributes: map[string]any{"serial_number": "sn-1"}})
		wantErr(t, "serial number of a server on a laptop", err, errs.KindConflict, "attributes.serial_number")
		sameCounts(t, "duplicates", before, f.cmdbCounts(t))
		// A virtual machine is not a server: its host names are its own.
		f.newCI(t, store.NewCI{Name: "web01 vm", Type: "virtual_machine", Attributes: map[string]any{"hostname": "web01.example.com"}})
		// A value that is given up may be taken.
		if _, err := s.UpdateCI(ctx, f.nina, web.ID, store.CIPatch{Attributes: map[string]any{"serial_number": nil}}); err != nil {
			t.Fatal(err)
		}
		f.newCI(t, store.NewCI{Name: "laptop", Type: "Laptop", Attributes: map[string]any{"serial_number": "SN-1"}})
		if _, err := s.UpdateCI(ctx, f.nina, web.ID, store.CIPatch{Attributes: map[string]any{"serial_number": "SN-1"}}); !errs.Is(err, errs.KindConflict) {
			t.Errorf("taking back a serial number: %v", err)
		}
		// Quick search finds a CI by a unique value as well as by name.
		page, err := s.CIs(ctx, store.CIFilter{Text: "SN-1"})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 1 || page.CIs[0].Name != "laptop" {
			t.Errorf("search by serial number: %+v", page)
		}
	})
}

func TestCIUpdateDeleteHistory(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := cmdbFixture(t, s)
		ctx := f.ctx
		app := f.newCI(t, store.NewCI{Name: "CRM", Type: "application", Attributes: map[string]any{"vendor": "Acme", "version": "1"}})
		f.clock.advance(time.Hour)
		name, status := "CRM suite", "maintenance"
		team := f.deskTeam.ID
		up, err := s.UpdateCI(ctx, f.nina, app.ID, store.CIPatch{Name: &name, Status: &status, OwnerTeamID: &team,
			Attributes: map[string]any{"version": "2", "vendor": nil, "environment": "test"}})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"version": "2", "environment": "test"}
		if up.Name != name || up.Status != cmdb.StatusMaintenance || up.OwnerTeam != "Desk" || !reflect.DeepEqual(up.Attributes, want) || !up.UpdatedAt.Equal(t0.Add(time.Hour)) || !up.CreatedAt.Equal(t0) {
			t.Errorf("updated %+v", up)
		}
		// A patch that changes nothing writes nothing.
		before := f.cmdbCounts(t)
		same := "test"
		if _, err := s.UpdateCI(ctx, f.nina, app.ID, store.CIPatch{Name: &name, Attributes: map[string]any{"environment": same}}); err != nil {
			t.Fatal(err)
		}
		sameCounts(t, "no-op update", before, f.cmdbCounts(t))
		bad := ""
		_, err = s.UpdateCI(ctx, f.nina, app.ID, store.CIPatch{Name: &bad})
		wantErr(t, "empty name", err, errs.KindInvalid, "name")
		_, err = s.UpdateCI(ctx, f.nina, 9999, store.CIPatch{Name: &name})
		wantErr(t, "unknown CI", err, errs.KindNotFound, "")

		// Changing the type keeps the values the new type has.
		typ := "Laptop"
		moved, err := s.UpdateCI(ctx, f.nina, app.ID, store.CIPatch{Type: &typ, Attributes: map[string]any{"model": "X1"}})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(moved.Attributes, map[string]any{"model": "X1"}) {
			t.Errorf("after the type change: %#v", moved.Attributes)
		}

		hist, err := s.CIHistory(ctx, f.nina, app.ID)
		if err != nil {
			t.Fatal(err)
		}
		var types []string
		for _, ev := range hist {
			types = append(types, ev.Type)
		}
		if !slices.Equal(types, []string{cmdb.EventCreated, cmdb.EventUpdated, cmdb.EventUpdated}) {
			t.Fatalf("history %v", types)
		}
		changed := map[string][2]any{}
		for _, c := range hist[1].Changes {
			changed[c.Field] = [2]any{c.From, c.To}
		}
		wantChanges := map[string][2]any{
			"name": {"CRM", "CRM suite"}, "status": {"live", "maintenance"}, "owner_team_id": {0.0, float64(f.deskTeam.ID)},
			"attributes.version": {"1", "2"}, "attributes.vendor": {"Acme", nil}, "attributes.environment": {nil, "test"},
		}
		if !reflect.DeepEqual(changed, wantChanges) {
			t.Errorf("changes %v\nwant %v", changed, wantChanges)
		}
		if hist[0].Actor != "Nina Network" || hist[0].Data["name"] != "CRM" {
			t.Errorf("created event %+v", hist[0])
		}

		// A CI a ticket names cannot be deleted; retired it can, once
		// unlinked. Its history stays.
		tk := f.incident(t, f.alice, "CRM is slow")
		if _, err := s.LinkTicketCI(ctx, f.nina, tk.Key, app.ID); err != nil {
			t.Fatal(err)
		}
		err = s.DeleteCI(ctx, f.nina, app.ID)
		wantErr(t, "delete a CI a ticket names", err, errs.KindConflict, "")
		if err := s.UnlinkTicketCI(ctx, f.nina, tk.Key, app.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteCI(ctx, f.alice, app.ID); !errs.Is(err, errs.KindForbidden) {
			t.Errorf("customer deletes: %v", err)
		}
		if err := s.DeleteCI(ctx, f.nina, app.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CI(ctx, app.ID); !errs.Is(err, errs.KindNotFound) {
			t.Errorf("deleted CI: %v", err)
		}
		if err := s.DeleteCI(ctx, f.nina, app.ID); !errs.Is(err, errs.KindNotFound) {
			t.Errorf("deleted twice: %v", err)
		}
		hist, err = s.CIHistory(ctx, f.nina, app.ID)
		if err != nil {
			t.Fatal(err)
		}
		if last := hist[len(hist)-1]; last.Type != cmdb.EventDeleted {
			t.Errorf("last event %s", last.Type)
		}
		// A new CI never takes a deleted CI's id, nor its history.
		again := f.newCI(t, store.NewCI{Name: "CRM", Type: "application"})
		if again.ID == app.ID {
			t.Error("a deleted CI's id was reused")
		}
		if hist, _ := s.CIHistory(ctx, f.nina, again.ID); len(hist) != 1 {
			t.Errorf("new CI history: %d events", len(hist))
		}
	})
}

func TestCIList(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := cmdbFixture(t, s)
		ctx := f.ctx
		f.newCI(t, store.NewCI{Name: "web01", Type: "Linux server", OwnerTeamID: f.netTeam.ID, Attributes: map[string]any{"hostname": "web01"}})
		f.newCI(t, store.NewCI{Name: "web02", Type: "Windows server", Status: "retired", Attributes: map[string]any{"hostname": "web02"}})
		f.newCI(t, store.NewCI{Name: "Webshop", Type: "Business service", Criticality: "critical"})
		f.newCI(t, store.NewCI{Name: "laptop-ann", Type: "Laptop"})
		names := func(flt store.CIFilter) []string {
			t.Helper()
			page, err := s.CIs(ctx, flt)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, ci := range page.CIs {
				out = append(out, ci.Name)
			}
			return out
		}
		server := f.ciType(t, "server")
		hardware := f.ciType(t, "hardware")
		for _, tt := range []struct {
			name string
			f    store.CIFilter
			want []string
		}{
			{"all by name", store.CIFilter{}, []string{"laptop-ann", "web01", "web02", "Webshop"}},
			{"type with subtypes", store.CIFilter{TypeID: server.ID}, []string{"web01", "web02"}},
			{"hardware", store.CIFilter{TypeID: hardware.ID, Descending: true}, []string{"web02", "web01", "laptop-ann"}},
			{"status", store.CIFilter{Statuses: []cmdb.Status{cmdb.StatusRetired}}, []string{"web02"}},
			{"criticality", store.CIFilter{Criticalities: []cmdb.Criticality{cmdb.CriticalityCritical}}, []string{"Webshop"}},
			{"owner team", store.CIFilter{OwnerTeamID: f.netTeam.ID}, []string{"web01"}},
			{"text", store.CIFilter{Text: "WEB"}, []string{"web01", "web02", "Webshop"}},
			{"text with wildcard", store.CIFilter{Text: "%"}, nil},
			{"page", store.CIFilter{Limit: 2, Offset: 1}, []string{"web01", "web02"}},
			// Criticality and status sort by rank and lifecycle, not by name.
			{"by criticality", store.CIFilter{Sort: "criticality", Descending: true}, []string{"Webshop", "laptop-ann", "web01", "web02"}},
			{"by status", store.CIFilter{Sort: "status", Descending: true}, []string{"web02", "laptop-ann", "web01", "Webshop"}},
			{"by type", store.CIFilter{Sort: "type"}, []string{"Webshop", "laptop-ann", "web01", "web02"}},
			{"by owner team", store.CIFilter{Sort: "owner_team", Descending: true}, []string{"web01", "laptop-ann", "web02", "Webshop"}},
		} {
			if got := names(tt.f); !slices.Equal(got, tt.want) {
				t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
			}
		}
		page, err := s.CIs(ctx, store.CIFilter{Limit: 2})
		if err != nil || page.Total != 4 || len(page.CIs) != 2 {
			t.Errorf("page: %+v %v", page, err)
		}
		_, err = s.CIs(ctx, store.CIFilter{Sort: "colour"})
		wantErr(t, "bad sort", err, errs.KindInvalid, "sort")
	})
}
