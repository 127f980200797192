package cmdb

import (
	"maps"
	"math"
	"reflect"
	"testing"

	"github.com/cairn-itsm/cairn/internal/errs"
)

func TestNormalize(t *testing.T) {
	sel := Attribute{Key: "env", Type: AttrSelect, Options: []string{"Production", "Test"}}
	tests := []struct {
		a    Attribute
		in   any
		want any // nil: refused
	}{
		{Attribute{Type: AttrText}, "  web01 ", "web01"},
		{Attribute{Type: AttrText}, 12345.0, "12345"},
		{Attribute{Type: AttrText}, "a\nb", nil},
		{Attribute{Type: AttrText}, []any{"a"}, nil},
		{Attribute{Type: AttrNumber}, " 16 ", 16.0},
		{Attribute{Type: AttrNumber}, 2.5, 2.5},
		{Attribute{Type: AttrNumber}, int64(3), 3.0},
		{Attribute{Type: AttrNumber}, "12abc", nil},
		{Attribute{Type: AttrNumber}, "NaN", nil},
		{Attribute{Type: AttrNumber}, math.Inf(1), nil},
		{Attribute{Type: AttrDate}, "2024-02-29", "2024-02-29"},
		{Attribute{Type: AttrDate}, "2023-02-29", nil},
		{Attribute{Type: AttrDate}, "29/02/2024", nil},
		{Attribute{Type: AttrBoolean}, "Yes", true},
		{Attribute{Type: AttrBoolean}, "0", false},
		{Attribute{Type: AttrBoolean}, false, false},
		{Attribute{Type: AttrBoolean}, "maybe", nil},
		{sel, "production", "Production"},
		{sel, "Prod", nil},
		{Attribute{Type: AttrReference, RefType: "server"}, 12.0, int64(12)},
		{Attribute{Type: AttrReference, RefType: "server"}, "12", int64(12)},
		{Attribute{Type: AttrReference, RefType: "server"}, 1.5, nil},
		{Attribute{Type: AttrReference, RefType: "server"}, "web01", nil},
		{Attribute{Type: AttrPerson}, "7", int64(7)},
		{Attribute{Type: AttrPerson}, -7.0, nil},
		{Attribute{Type: AttrURL}, " https://wiki.example.com/x?y=1 ", "https://wiki.example.com/x?y=1"},
		{Attribute{Type: AttrURL}, "javascript:alert(1)", nil},
		{Attribute{Type: AttrURL}, "ftp://files.example.com", nil},
		{Attribute{Type: AttrURL}, "https://", nil},
		{Attribute{Type: AttrIP}, "10.0.0.1", "10.0.0.1"},
		{Attribute{Type: AttrIP}, "::FFFF:10.0.0.1", "10.0.0.1"},
		{Attribute{Type: AttrIP}, "2001:DB8::1", "2001:db8::1"},
		{Attribute{Type: AttrIP}, "fe80::1%eth0", nil},
		{Attribute{Type: AttrIP}, "10.0.0.0/8", nil},
		{Attribute{Type: AttrIP}, "300.1.1.1", nil},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.a, tt.in, Lookups{})
		if tt.want == nil {
			if err == nil {
				t.Errorf("%s %#v: got %#v, want an error", tt.a.Type, tt.in, got)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s %#v: got %#v %v, want %#v", tt.a.Type, tt.in, got, err, tt.want)
		}
	}
}

func TestValidateValues(t *testing.T) {
	schema := []SchemaAttribute{
		{Attribute: Attribute{Key: "hostname", Type: AttrText, Required: true}},
		{Attribute: Attribute{Key: "owner", Type: AttrPerson}},
		{Attribute: Attribute{Key: "rack", Type: AttrReference, RefType: "rack"}},
	}
	look := Lookups{
		User: func(ref string) (int64, error) {
			if ref == "ann@example.com" {
				return 3, nil
			}
			return 0, errs.Invalid("", "no user %q", ref)
		},
		CI: func(ref, refType string) (int64, error) {
			if ref == "R1" && refType == "rack" {
				return 9, nil
			}
			return 0, errs.Invalid("", "no rack %q", ref)
		},
	}
	got, err := ValidateValues(schema, map[string]any{"hostname": "a", "owner": "ann@example.com", "rack": "R1"}, look)
	if err != nil || !reflect.DeepEqual(got, map[string]any{"hostname": "a", "owner": int64(3), "rack": int64(9)}) {
		t.Errorf("got %#v %v", got, err)
	}
	for _, tt := range []struct {
		values map[string]any
		field  string
	}{
		{map[string]any{}, "attributes.hostname"},
		{map[string]any{"hostname": nil}, "attributes.hostname"},
		{map[string]any{"hostname": "a", "zz": 1.0, "aa": 1.0}, "attributes.aa"},
		{map[string]any{"hostname": "a", "owner": "bob@example.com"}, "attributes.owner"},
		{map[string]any{"hostname": "a", "rack": "R2"}, "attributes.rack"},
	} {
		_, err := ValidateValues(schema, tt.values, look)
		wantField(t, tt.field, err, errs.KindInvalid, tt.field)
	}
}

func TestApply(t *testing.T) {
	ts := typeSet(t)
	look := Lookups{Team: func(ref string) (int64, error) {
		if ref == "Network" || ref == "4" {
			return 4, nil
		}
		return 0, errs.Invalid("owner_team", "no team %q", ref)
	}}
	s := func(v string) *string { return &v }
	ci, err := Apply(ts, nil, Input{Name: s("web01"), Type: s("linux_server"), OwnerTeam: s("Network"),
		Attributes: map[string]any{"hostname": "web01", "assigned_to": nil}}, look)
	if err != nil {
		t.Fatal(err)
	}
	if ci.Status != StatusLive || ci.Criticality != CriticalityMedium || ci.OwnerTeamID != 4 || ci.Type != "Linux server" {
		t.Errorf("new %+v", ci)
	}
	// A person the CI holds already is kept without a lookup, even if the
	// user is gone; a new one is looked up.
	lap, err := Apply(ts, nil, Input{Name: s("lt1"), Type: s("laptop"), Attributes: map[string]any{"assigned_to": 7.0}}, Lookups{})
	if err != nil {
		t.Fatal(err)
	}
	noUsers := Lookups{User: func(string) (int64, error) { return 0, errs.Invalid("", "no such user") }}
	if _, err := Apply(ts, &lap, Input{Attributes: map[string]any{"model": "X1"}}, noUsers); err != nil {
		t.Errorf("unchanged person looked up again: %v", err)
	}
	_, err = Apply(ts, &lap, Input{Attributes: map[string]any{"assigned_to": 8.0}}, noUsers)
	wantField(t, "new person", err, errs.KindInvalid, "attributes.assigned_to")
	// Changing the type drops what the new type does not have.
	moved, err := Apply(ts, &ci, Input{Type: s("Virtual machine")}, look)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(moved.Attributes, map[string]any{"hostname": "web01"}) || moved.Type != "Virtual machine" {
		t.Errorf("moved %+v", moved)
	}
	for _, tt := range []struct {
		in    Input
		field string
	}{
		{Input{Status: s("gone")}, "status"},
		{Input{Criticality: s("")}, "criticality"},
		{Input{OwnerTeam: s("Nobody")}, "owner_team"},
		{Input{Type: s(" ")}, "type"},
		{Input{Attributes: map[string]any{"hostname": nil}}, "attributes.hostname"},
	} {
		_, err := Apply(ts, &ci, tt.in, look)
		wantField(t, tt.field, err, errs.KindInvalid, tt.field)
	}
	// Diff lists what changed by API field names.
	up, _ := Apply(ts, &ci, Input{Name: s("web01b"), OwnerTeam: s(""), Attributes: map[string]any{"cpu_cores": "8"}}, look)
	var fields []string
	for _, c := range Diff(ci, up) {
		fields = append(fields, c.Field)
	}
	if !reflect.DeepEqual(fields, []string{"name", "owner_team_id", "attributes.cpu_cores"}) {
		t.Errorf("diff %v", fields)
	}
}

func TestCanonical(t *testing.T) {
	if Canonical(" Web01 ") != "web01" || Canonical(16.0) != "16" || Canonical(int64(16)) != "16" || Canonical(true) != "true" {
		t.Error("Canonical")
	}
	if !SameValue(int64(3), 3.0) || SameValue("A", "a") || SameValue(nil, "") || !SameValue(nil, nil) {
		t.Error("SameValue")
	}
}
