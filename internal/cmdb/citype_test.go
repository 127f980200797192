package cmdb

import (
	"slices"
	"testing"

	"github.com/cairn-itsm/cairn/internal/errs"
)

func wantField(t *testing.T, what string, err error, kind errs.Kind, field string) {
	t.Helper()
	e, ok := errs.As(err)
	if !ok {
		t.Errorf("%s: error %v, want %s on %q", what, err, kind, field)
		return
	}
	if e.Kind != kind || e.Field != field {
		t.Errorf("%s: %s on %q (%s), want %s on %q", what, e.Kind, e.Field, e.Message, kind, field)
	}
}

func TestCITypeValidate(t *testing.T) {
	ok := CIType{Name: " Linux server ", Attributes: []Attribute{
		{Key: "serial_number", Type: AttrText, Unique: true},
		{Key: "env", Type: AttrSelect, Options: []string{" prod ", "test"}},
		{Key: "rack", Type: AttrReference, RefType: "rack"},
	}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	if ok.Key != "linux_server" || ok.Name != "Linux server" || ok.Attributes[0].Label != "Serial number" || ok.Attributes[1].Options[0] != "prod" {
		t.Errorf("normalized %+v", ok)
	}
	tests := []struct {
		name  string
		t     CIType
		field string
	}{
		{"no name", CIType{}, "name"},
		{"numeric key", CIType{Name: "x", Key: "12"}, "key"},
		{"upper key", CIType{Name: "x", Key: "Server"}, "key"},
		{"name of nothing but symbols", CIType{Name: "!!!"}, "key"},
		{"reserved", CIType{Name: "x", Attributes: []Attribute{{Key: "name", Type: AttrText}}}, "attributes[0].key"},
		{"bad key", CIType{Name: "x", Attributes: []Attribute{{Key: "Serial", Type: AttrText}}}, "attributes[0].key"},
		{"twice", CIType{Name: "x", Attributes: []Attribute{{Key: "a", Type: AttrText}, {Key: "a", Type: AttrText}}}, "attributes[1].key"},
		{"type", CIType{Name: "x", Attributes: []Attribute{{Key: "a", Type: "blob"}}}, "attributes[0].type"},
		{"options same but case", CIType{Name: "x", Attributes: []Attribute{{Key: "a", Type: AttrSelect, Options: []string{"A", "a"}}}}, "attributes[0].options"},
		{"ref_type on text", CIType{Name: "x", Attributes: []Attribute{{Key: "a", Type: AttrText, RefType: "x"}}}, "attributes[0].ref_type"},
		{"unique boolean", CIType{Name: "x", Attributes: []Attribute{{Key: "a", Type: AttrBoolean, Unique: true}}}, "attributes[0].unique"},
	}
	for _, tt := range tests {
		wantField(t, tt.name, tt.t.Validate(), errs.KindInvalid, tt.field)
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Linux server": "linux_server", "  IP-Phone (desk) ": "ip_phone_desk", "3D printer": "t_3d_printer", "Réseau": "r_seau",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func typeSet(t *testing.T) *TypeSet {
	t.Helper()
	var list []CIType
	for i, d := range DefaultTypes() {
		ct := d.CIType
		ct.ID = int64(i + 1)
		if d.ParentKey != "" {
			for _, p := range list {
				if p.Key == d.ParentKey {
					ct.ParentID = p.ID
				}
			}
		}
		if err := ct.Validate(); err != nil {
			t.Fatalf("default %s: %v", ct.Key, err)
		}
		list = append(list, ct)
	}
	ts, err := NewTypeSet(list)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func TestTypeSet(t *testing.T) {
	ts := typeSet(t)
	hw, _ := ts.Lookup("hardware")
	server, _ := ts.Lookup("Server")
	linux, _ := ts.Lookup("LINUX SERVER")
	laptop, _ := ts.Lookup("laptop")
	if !ts.IsA(linux.ID, hw.ID) || !ts.IsA(linux.ID, linux.ID) || ts.IsA(hw.ID, linux.ID) || ts.IsA(laptop.ID, server.ID) {
		t.Error("IsA")
	}
	sub := ts.Subtree(server.ID)
	slices.Sort(sub)
	windows, _ := ts.Lookup("windows_server")
	want := []int64{server.ID, linux.ID, windows.ID}
	slices.Sort(want)
	if !slices.Equal(sub, want) {
		t.Errorf("Subtree(server) = %v, want %v", sub, want)
	}
	if got, ok := ts.Lookup("12345"); ok {
		t.Errorf("Lookup of an unknown id: %+v", got)
	}
	if got, _ := ts.Lookup("5"); got.ID != 5 {
		t.Errorf("Lookup by id: %+v", got)
	}
	// Unique scopes name the declaring type.
	scopes := UniqueScopes(linux.Schema)
	if !slices.Contains(scopes, "4:serial_number") || !slices.Contains(scopes, "5:hostname") {
		t.Errorf("scopes %v", scopes)
	}

	list := ts.Types()
	cyc := slices.Clone(list)
	for i := range cyc {
		if cyc[i].ID == hw.ID {
			cyc[i].ParentID = linux.ID
		}
	}
	_, err := NewTypeSet(cyc)
	wantField(t, "cycle", err, errs.KindInvalid, "parent")
	self := slices.Clone(list)
	self[0].ParentID = self[0].ID
	_, err = NewTypeSet(self)
	wantField(t, "own parent", err, errs.KindInvalid, "parent")

	// A clash is reported at the attribute of the type being changed.
	clash := slices.Clone(list)
	for i := range clash {
		if clash[i].ID == hw.ID {
			clash[i].Attributes = append(slices.Clone(clash[i].Attributes), Attribute{Key: "hostname", Label: "Host", Type: AttrText})
		}
	}
	_, err = CheckTypes(clash, hw.ID)
	wantField(t, "parent gets a child's attribute", err, errs.KindInvalid, "attributes[7].key")
	_, err = CheckTypes(clash, 0)
	wantField(t, "no focus", err, errs.KindInvalid, "attributes")
	_, err = CheckTypes(clash, laptop.ID)
	wantField(t, "focus elsewhere", err, errs.KindInvalid, "parent")
}
