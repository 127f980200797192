package store_test

import (
	"slices"
	"testing"

	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

// cmdbFixture is the fixture with the built-in CI types.
func cmdbFixture(t *testing.T, s *store.Store) *fixture {
	t.Helper()
	f := newFixture(t, s)
	if err := s.EnsureDefaultCITypes(f.ctx); err != nil {
		t.Fatalf("EnsureDefaultCITypes: %v", err)
	}
	return f
}

// cmdbCounts gives the row counts of the CMDB's tables and the event log.
func (f *fixture) cmdbCounts(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"ci_types", "cis", "ci_unique_values", "ci_relationships", "service_cis", "service_organizations", "ticket_cis", "events"} {
		out[table] = f.count(t, table)
	}
	return out
}

func (f *fixture) ciType(t *testing.T, ref string) cmdb.CIType {
	t.Helper()
	ct, err := f.s.CIType(f.ctx, ref)
	if err != nil {
		t.Fatalf("CIType(%q): %v", ref, err)
	}
	return ct
}

func schemaKeys(ct cmdb.CIType) []string {
	var out []string
	for _, a := range ct.Schema {
		out = append(out, a.Key)
	}
	return out
}

func TestDefaultCITypes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := cmdbFixture(t, s)
		types, err := s.CITypes(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(types) != len(cmdb.DefaultTypes()) {
			t.Errorf("%d types, want %d", len(types), len(cmdb.DefaultTypes()))
		}
		before := f.cmdbCounts(t)
		if err := s.EnsureDefaultCITypes(f.ctx); err != nil {
			t.Fatal(err)
		}
		sameCounts(t, "second EnsureDefaultCITypes", before, f.cmdbCounts(t))

		// A Linux server is a Server is a Hardware item: the attributes
		// come root first, each with the type that declares it.
		linux := f.ciType(t, "Linux server")
		if linux.Parent != "Server" || !linux.BuiltIn {
			t.Errorf("Linux server: parent %q built-in %v", linux.Parent, linux.BuiltIn)
		}
		want := []string{"serial_number", "asset_tag", "vendor", "model", "location", "purchase_date", "warranty_expiry",
			"hostname", "ip_address", "operating_system", "environment", "cpu_cores", "memory_gb", "distribution", "kernel_version"}
		if got := schemaKeys(linux); !slices.Equal(got, want) {
			t.Errorf("Linux server schema %v, want %v", got, want)
		}
		if linux.Schema[0].DefinedBy != "hardware" || linux.Schema[7].DefinedBy != "server" || linux.Schema[13].DefinedBy != "linux_server" {
			t.Errorf("defined_by: %q %q %q", linux.Schema[0].DefinedBy, linux.Schema[7].DefinedBy, linux.Schema[13].DefinedBy)
		}
		if len(linux.Attributes) != 2 {
			t.Errorf("Linux server's own attributes: %v", linux.Attributes)
		}
		// By id, key or name.
		for _, ref := range []string{"linux_server", "LINUX SERVER", "  Linux server "} {
			if got := f.ciType(t, ref); got.ID != linux.ID {
				t.Errorf("CIType(%q) = %d, want %d", ref, got.ID, linux.ID)
			}
		}
		if _, err := s.CIType(f.ctx, "toaster"); !errs.Is(err, errs.KindNotFound) {
			t.Errorf("unknown type: %v", err)
		}
	})
}

func TestCITypeRules(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := cmdbFixture(t, s)
		ctx := f.ctx
		hardware, server, linux := f.ciType(t, "hardware"), f.ciType(t, "server"), f.ciType(t, "linux_server")

		// A subtype of a built-in, with a reference named by the type's name.
		rack, err := s.CreateCIType(ctx, f.admin, cmdb.CIType{Name: "Rack", ParentID: hardware.ID, Attributes: []cmdb.Attribute{
			{Key: "units", Type: cmdb.AttrNumber, Required: true},
			{Key: "room", Label: "Room", Type: cmdb.AttrText},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if rack.Key != "rack" || rack.Attributes[0].Label != "Units" || rack.Parent != "Hardware" {
			t.Errorf("rack: key %q label %q parent %q", rack.Key, rack.Attributes[0].Label, rack.Parent)
		}
		blade, err := s.CreateCIType(ctx, f.admin, cmdb.CIType{Name: "Blade server", ParentID: server.ID, Attributes: []cmdb.Attribute{
			{Key: "chassis", Type: cmdb.AttrReference, RefType: "Rack"},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if blade.Attributes[0].RefType != "rack" {
			t.Errorf("ref_type = %q, want the key rack", blade.Attributes[0].RefType)
		}
		if got := schemaKeys(blade); !slices.Contains(got, "serial_number") || !slices.Contains(got, "hostname") || got[len(got)-1] != "chassis" {
			t.Errorf("blade schema %v", got)
		}

		before := f.cmdbCounts(t)
		tests := []struct {
			name  string
			typ   cmdb.CIType
			kind  errs.Kind
			field string
		}{
			{"no name", cmdb.CIType{}, errs.KindInvalid, "name"},
			{"same name", cmdb.CIType{Name: "linux SERVER", Key: "other"}, errs.KindConflict, "name"},
			{"same key", cmdb.CIType{Name: "Other", Key: "laptop"}, errs.KindConflict, "key"},
			{"bad key", cmdb.CIType{Name: "Other", Key: "Other Thing"}, errs.KindInvalid, "key"},
			{"unknown parent", cmdb.CIType{Name: "Other", ParentID: 9999}, errs.KindInvalid, "parent"},
			{"inherited key", cmdb.CIType{Name: "Other", ParentID: linux.ID, Attributes: []cmdb.Attribute{{Key: "hostname", Type: cmdb.AttrText}}}, errs.KindInvalid, "attributes[0].key"},
			{"reserved key", cmdb.CIType{Name: "Other", Attributes: []cmdb.Attribute{{Key: "status", Type: cmdb.AttrText}}}, errs.KindInvalid, "attributes[0].key"},
			{"twice", cmdb.CIType{Name: "Other", Attributes: []cmdb.Attribute{{Key: "a", Type: cmdb.AttrText}, {Key: "a", Type: cmdb.AttrNumber}}}, errs.KindInvalid, "attributes[1].key"},
			{"bad type", cmdb.CIType{Name: "Other", Attributes: []cmdb.Attribute{{Key: "a", Type: "colour"}}}, errs.KindInvalid, "attributes[0].type"},
			{"select without options", cmdb.CIType{Name: "Other", Attributes: []cmdb.Attribute{{Key: "a", Type: cmdb.AttrSelect}}}, errs.KindInvalid, "attributes[0].options"},
			{"options on text", cmdb.CIType{Name: "Other", Attributes: []cmdb.Attribute{{Key: "a", Type: cmdb.AttrText, Options: []string{"x"}}}}, errs.KindInvalid, "attributes[0].options"},
			{"reference without type", cmdb.CIType{Name: "Other", Attributes: []cmdb.Attribute{{Key: "a", Type: cmdb.AttrReference}}}, errs.KindInvalid, "attributes[0].ref_type"},
			{"reference to nothing", cmdb.CIType{Name: "Other", Attributes: []cmdb.Attribute{{Key: "a", Type: cmdb.AttrReference, RefType: "toaster"}}}, errs.KindInvalid, "attributes[0].ref_type"},
			{"unique boolean", cmdb.CIType{Name: "Other", Attributes: []cmdb.Attribute{{Key: "a", Type: cmdb.AttrBoolean, Unique: true}}}, errs.KindInvalid, "attributes[0].unique"},
		}
		for _, tt := range tests {
			_, err := s.CreateCIType(ctx, f.admin, tt.typ)
			wantErr(t, tt.name, err, tt.kind, tt.field)
		}
		_, err = s.CreateCIType(ctx, f.nina, cmdb.CIType{Name: "Agent's type"})
		wantErr(t, "agent creates a type", err, errs.KindForbidden, "")

		// Inheritance may not go round: Hardware under Linux server, or a
		// type under itself.
		hw := hardware
		hw.ParentID = linux.ID
		_, err = s.UpdateCIType(ctx, f.admin, hw)
		wantErr(t, "cycle", err, errs.KindInvalid, "parent")
		hw.ParentID = hardware.ID
		_, err = s.UpdateCIType(ctx, f.admin, hw)
		wantErr(t, "own parent", err, errs.KindInvalid, "parent")
		// Moving Rack under Server would give it hostname twice? No: but
		// giving Server an attribute that a subtype has is refused.
		srv := server
		srv.Attributes = append(slices.Clone(server.Attributes), cmdb.Attribute{Key: "chassis", Type: cmdb.AttrText})
		_, err = s.UpdateCIType(ctx, f.admin, srv)
		wantErr(t, "attribute a subtype declares", err, errs.KindInvalid, "attributes[6].key")
		lx := linux
		lx.Key = "penguin"
		_, err = s.UpdateCIType(ctx, f.admin, lx)
		wantErr(t, "key change", err, errs.KindInvalid, "key")
		sameCounts(t, "rejected types", before, f.cmdbCounts(t))

		// A type moves under another and inherits its attributes.
		rack.ParentID = 0
		rack.Attributes = append(rack.Attributes, cmdb.Attribute{Key: "vendor", Type: cmdb.AttrText})
		moved, err := s.UpdateCIType(ctx, f.admin, rack)
		if err != nil {
			t.Fatal(err)
		}
		if moved.Parent != "" || len(moved.Schema) != 3 {
			t.Errorf("rack out of hardware: parent %q schema %v", moved.Parent, schemaKeys(moved))
		}
		rack.ParentID = hardware.ID
		_, err = s.UpdateCIType(ctx, f.admin, rack)
		wantErr(t, "rack back under hardware with its own vendor", err, errs.KindInvalid, "attributes[2].key")
	})
}

func TestCITypeUniqueChange(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := cmdbFixture(t, s)
		ctx := f.ctx
		app := f.ciType(t, "application")
		for _, name := range []string{"CRM", "ERP"} {
			if _, err := s.CreateCI(ctx, f.nina, store.NewCI{Name: name, Type: "application", Attributes: map[string]any{"vendor": "Acme"}}); err != nil {
				t.Fatal(err)
			}
		}
		// Making vendor unique fails while two applications share one.
		app.Attributes[0].Unique = true
		_, err := s.UpdateCIType(ctx, f.admin, app)
		wantErr(t, "unique over duplicates", err, errs.KindConflict, "attributes")
		// Version is unique once values are distinct, and enforced.
		app.Attributes[1].Unique = true
		if _, err := s.UpdateCIType(ctx, f.admin, app); err == nil {
			t.Fatal("vendor still duplicated")
		}
		app.Attributes[0].Unique = false
		if _, err := s.UpdateCIType(ctx, f.admin, app); err != nil {
			t.Fatalf("unique version without values: %v", err)
		}
		if _, err := s.CreateCI(ctx, f.nina, store.NewCI{Name: "Wiki", Type: "application", Attributes: map[string]any{"version": "1.0"}}); err != nil {
			t.Fatal(err)
		}
		_, err = s.CreateCI(ctx, f.nina, store.NewCI{Name: "Blog", Type: "application", Attributes: map[string]any{"version": "1.0"}})
		wantErr(t, "duplicate version", err, errs.KindConflict, "attributes.version")
		app.Attributes[1].Unique = false
		if _, err := s.UpdateCIType(ctx, f.admin, app); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateCI(ctx, f.nina, store.NewCI{Name: "Blog", Type: "application", Attributes: map[string]any{"version": "1.0"}}); err != nil {
			t.Errorf("version no longer unique: %v", err)
		}
	})
}
