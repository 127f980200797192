package cmdb

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/cairn-itsm/cairn/internal/errs"
)

func TestReadCSV(t *testing.T) {
	text := "\ufeffType;Name;Serial Number;attributes.cpu_cores;Owner Team;description\r\n" +
		"Linux server;web01;SN-1;8;Network;\"Front end; \"\"blue\"\"\"\r\n" +
		";;;;;\r\n" +
		"\r\n" +
		"Laptop;lt1;;;\n" +
		"Laptop;lt2;SN\xff;;;\n"
	recs, err := ReadCSV(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("%d records: %+v", len(recs), recs)
	}
	r := recs[0]
	if r.Row != 2 || r.Type != "Linux server" || r.Name != "web01" || r.OwnerTeam != "Network" || r.Description == nil || *r.Description != `Front end; "blue"` {
		t.Errorf("row 2: %+v", r)
	}
	if !reflect.DeepEqual(r.Attributes, map[string]any{"serial_number": "SN-1", "cpu_cores": "8"}) {
		t.Errorf("attributes %#v", r.Attributes)
	}
	if recs[1].Row != 5 || recs[1].Err == nil {
		t.Errorf("short row: %+v", recs[1])
	}
	if e, ok := errs.As(recs[2].Err); !ok || e.Field != "serial_number" {
		t.Errorf("bad UTF-8: %v", recs[2].Err)
	}
	for name, bad := range map[string]string{
		"empty":        "",
		"empty column": "type,,name\n",
		"twice":        "type,Name,NAME\n",
		"broken quote": "type,name\nLaptop,\"lt1\n",
	} {
		if _, err := ReadCSV(strings.NewReader(bad)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestReadJSON(t *testing.T) {
	list := `[{"type": "Linux server", "name": " web01 ", "status": "live", "owner_team": 3, "hostname": "web01",
		"attributes": {"cpu_cores": 8, "spare": true}, "description": "x", "serial_number": null},
		{"type": 7, "name": "lt1"}, "x", {"name": 5}, {"type": "a", "ip": ["10.0.0.1"]},
		{"type": "a", "hostname": "h", "attributes": {"hostname": "h"}}]`
	recs, err := ReadJSON(strings.NewReader(list))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 6 {
		t.Fatalf("%d records", len(recs))
	}
	r := recs[0]
	if r.Row != 1 || r.Name != "web01" || r.OwnerTeam != "3" || r.Status != "live" || *r.Description != "x" {
		t.Errorf("row 1: %+v", r)
	}
	if !reflect.DeepEqual(r.Attributes, map[string]any{"hostname": "web01", "cpu_cores": 8.0, "spare": true}) {
		t.Errorf("attributes %#v", r.Attributes)
	}
	if recs[1].Type != "7" || recs[1].Err != nil {
		t.Errorf("type by id: %+v", recs[1])
	}
	for i, field := range map[int]string{3: "name", 4: "attributes.ip", 5: "attributes.hostname"} {
		if e, ok := errs.As(recs[i].Err); !ok || e.Field != field {
			t.Errorf("row %d: %v, want an error on %s", i+1, recs[i].Err, field)
		}
	}
	if recs[2].Err == nil {
		t.Error("a string row was read")
	}
	wrapped, err := ReadJSON(strings.NewReader(`{"source": "discovery", "cis": [{"type": "laptop", "name": "lt9"}]}`))
	if err != nil || len(wrapped) != 1 || wrapped[0].Name != "lt9" {
		t.Errorf("wrapped: %+v %v", wrapped, err)
	}
	for name, bad := range map[string]string{
		"empty": "", "number": "12", "object without cis": `{"rows": []}`, "cis not a list": `{"cis": {}}`,
		"truncated": `[{"type": "a"`, "trailing garbage": `[] x`,
	} {
		if _, err := ReadJSON(strings.NewReader(bad)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestParseMatch(t *testing.T) {
	rules, err := ParseMatch(" serial_number , Host Name+type ")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rules, []MatchRule{{"serial_number"}, {"host_name", "type"}}) || rules[1].String() != "host_name+type" {
		t.Errorf("rules %v", rules)
	}
	if def, _ := ParseMatch(""); !reflect.DeepEqual(def, DefaultMatch) {
		t.Errorf("default %v", def)
	}
	for _, bad := range []string{"serial,", "a+a", "Bad!", "a,b,c,d,e,f", "a+b+c+d+e"} {
		if _, err := ParseMatch(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestKeysByLabel(t *testing.T) {
	schema := []SchemaAttribute{{Attribute: Attribute{Key: "hostname", Label: "Host name"}}, {Attribute: Attribute{Key: "ip_address", Label: "IP address"}}}
	got, err := KeysByLabel(schema, map[string]any{"host_name": "a", "ip_address": "b", "colour": "c"})
	if err != nil || !reflect.DeepEqual(got, map[string]any{"hostname": "a", "ip_address": "b", "colour": "c"}) {
		t.Errorf("got %v %v", got, err)
	}
	if _, err := KeysByLabel(schema, map[string]any{"host_name": "a", "hostname": "b"}); err == nil {
		t.Error("key and label both given")
	}
}

func TestDetectFormat(t *testing.T) {
	for _, tt := range []struct{ ct, name, head, want string }{
		{"application/json; charset=utf-8", "", "", FormatJSON},
		{"text/csv", "", "[", FormatCSV},
		{"", "cis.JSON", "", FormatJSON},
		{"", "", " \n[{", FormatJSON},
		{"application/octet-stream", "", "type,name", FormatCSV},
	} {
		if got := DetectFormat(tt.ct, tt.name, []byte(tt.head)); got != tt.want {
			t.Errorf("%+v: %s", tt, got)
		}
	}
}

// FuzzReadImport feeds the readers anything: they may refuse a file or a
// row, never panic, and every record they give has a row number.
func FuzzReadImport(f *testing.F) {
	for _, seed := range []string{
		"type,name,hostname\nLinux server,web01,web01\n",
		"\ufefftype;name\r\nLaptop;\"a;b\"\r\n",
		"type,name\n\"unterminated\n",
		`[{"type": "Laptop", "name": "lt1", "attributes": {"model": "X1"}}]`,
		`{"cis": [{"type": 1, "name": "x", "owner_team": 2.5}, null, [], {"a": {"b": 1}}]}`,
		`[{"type": "a", "description": null, "attributes": null}]`,
		"",
		"[",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, format := range []string{FormatCSV, FormatJSON} {
			recs, err := ReadImport(bytes.NewReader(data), format)
			if err != nil {
				if _, ok := errs.As(err); !ok {
					t.Fatalf("%s: error %v is not an *errs.Error", format, err)
				}
				continue
			}
			for _, r := range recs {
				if r.Row <= 0 {
					t.Fatalf("%s: record without a row number: %+v", format, r)
				}
				if r.Err == nil && r.Attributes == nil {
					t.Fatalf("%s: record without attributes: %+v", format, r)
				}
			}
		}
	})
}
