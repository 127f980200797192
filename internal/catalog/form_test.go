package catalog

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/cairn-itsm/cairn/internal/errs"
)

// wantInvalid checks that err is an invalid-input error naming field.
func wantInvalid(t *testing.T, what string, err error, field string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Errorf("%s: unexpected error %v", what, err)
		}
		return
	}
	e, ok := errs.As(err)
	if !ok || e.Kind != errs.KindInvalid || e.Field != field {
		t.Errorf("%s: error %#v, want invalid %q", what, err, field)
	}
}

func TestValidateFields(t *testing.T) {
	text := Field{Key: "name", Label: "Name", Type: FieldText}
	sel := Field{Key: "size", Label: "Size", Type: FieldSelect, Options: []string{"S", "M"}}
	tests := []struct {
		name   string
		fields []Field
		field  string
	}{
		{"none", nil, ""},
		{"every type", []Field{
			{Key: "a", Label: "A", Type: FieldText},
			{Key: "b", Label: "B", Type: FieldLongText},
			{Key: "c", Label: "C", Type: FieldNumber},
			{Key: "d", Label: "D", Type: FieldDate},
			{Key: "e", Label: "E", Type: FieldSelect, Options: []string{"x"}},
			{Key: "f", Label: "F", Type: FieldMultiSelect, Options: []string{"x", "y"}},
			{Key: "g", Label: "G", Type: FieldUser},
			{Key: "h", Label: "H", Type: FieldCheckbox, Required: true},
		}, ""},
		{"longest key", []Field{{Key: "k" + strings.Repeat("a", 62), Label: "K", Type: FieldText}}, ""},
		{"key too long", []Field{{Key: "k" + strings.Repeat("a", 63), Label: "K", Type: FieldText}}, "fields[0].key"},
		{"empty key", []Field{text, {Key: "", Label: "X", Type: FieldText}}, "fields[1].key"},
		{"key with capital", []Field{{Key: "Name", Label: "Name", Type: FieldText}}, "fields[0].key"},
		{"key starts with digit", []Field{{Key: "1st", Label: "First", Type: FieldText}}, "fields[0].key"},
		{"key starts with underscore", []Field{{Key: "_x", Label: "X", Type: FieldText}}, "fields[0].key"},
		{"key with dash", []Field{{Key: "due-date", Label: "Due", Type: FieldDate}}, "fields[0].key"},
		{"key with dot", []Field{{Key: "a.b", Label: "AB", Type: FieldText}}, "fields[0].key"},
		{"duplicate key", []Field{text, sel, {Key: "name", Label: "Again", Type: FieldNumber}}, "fields[2].key"},
		{"no label", []Field{text, {Key: "x", Label: "  ", Type: FieldText}}, "fields[1].label"},
		{"unknown type", []Field{{Key: "x", Label: "X", Type: "color"}}, "fields[0].type"},
		{"no type", []Field{{Key: "x", Label: "X"}}, "fields[0].type"},
		{"select without options", []Field{{Key: "x", Label: "X", Type: FieldSelect}}, "fields[0].options"},
		{"multi-select without options", []Field{text, {Key: "x", Label: "X", Type: FieldMultiSelect, Options: []string{}}}, "fields[1].options"},
		{"options on text", []Field{{Key: "x", Label: "X", Type: FieldText, Options: []string{"a"}}}, "fields[0].options"},
		{"options on checkbox", []Field{{Key: "x", Label: "X", Type: FieldCheckbox, Options: []string{"yes"}}}, "fields[0].options"},
		{"empty option", []Field{{Key: "x", Label: "X", Type: FieldSelect, Options: []string{"a", " "}}}, "fields[0].options"},
		{"option twice", []Field{{Key: "x", Label: "X", Type: FieldMultiSelect, Options: []string{"a", "b", "a"}}}, "fields[0].options"},
	}
	for _, tt := range tests {
		wantInvalid(t, tt.name, ValidateFields(tt.fields), tt.field)
	}
}

// everyType is a form with one optional field of each type.
var everyType = []Field{
	{Key: "title", Label: "Title", Type: FieldText},
	{Key: "details", Label: "Details", Type: FieldLongText},
	{Key: "qty", Label: "Quantity", Type: FieldNumber},
	{Key: "needed_by", Label: "Needed by", Type: FieldDate},
	{Key: "model", Label: "Model", Type: FieldSelect, Options: []string{"Small", "Large"}},
	{Key: "extras", Label: "Extras", Type: FieldMultiSelect, Options: []string{"Mouse", "Dock", "Bag"}},
	{Key: "manager", Label: "Manager", Type: FieldUser},
	{Key: "agree", Label: "Agree", Type: FieldCheckbox},
}

// userSeven knows only user 7.
func userSeven(id int64) bool { return id == 7 }

func TestValidateValuesPerType(t *testing.T) {
	tests := []struct {
		name  string
		key   string
		in    any
		want  any    // the normalized value, when valid
		field string // the invalid field, when not
	}{
		{"text", "title", "Hello", "Hello", ""},
		{"text trimmed", "title", "  Hello  ", "Hello", ""},
		{"text at limit", "title", strings.Repeat("t", 255), strings.Repeat("t", 255), ""},
		{"text too long", "title", strings.Repeat("t", 256), nil, "fields.title"},
		{"text two lines", "title", "a\nb", nil, "fields.title"},
		{"text not a string", "title", 12.0, nil, "fields.title"},
		{"long text many lines", "details", "line 1\nline 2", "line 1\nline 2", ""},
		{"long text at limit", "details", strings.Repeat("d", 32*1024), strings.Repeat("d", 32*1024), ""},
		{"long text too long", "details", strings.Repeat("d", 32*1024+1), nil, "fields.details"},
		{"long text not a string", "details", true, nil, "fields.details"},

		{"number", "qty", 3.0, 3.0, ""},
		{"number negative", "qty", -2.5, -2.5, ""},
		{"number zero", "qty", 0.0, 0.0, ""},
		{"number from string", "qty", "42", 42.0, ""},
		{"number from padded string", "qty", " 1.5 ", 1.5, ""},
		{"number from exponent", "qty", "1e3", 1000.0, ""},
		{"number from word", "qty", "many", nil, "fields.qty"},
		{"number with trailing text", "qty", "12abc", nil, "fields.qty"},
		{"number with two values", "qty", "1 2", nil, "fields.qty"},
		{"number NaN string", "qty", "NaN", nil, "fields.qty"},
		{"number Inf string", "qty", "+Inf", nil, "fields.qty"},
		{"number NaN", "qty", math.NaN(), nil, "fields.qty"},
		{"number Inf", "qty", math.Inf(-1), nil, "fields.qty"},
		{"number bool", "qty", true, nil, "fields.qty"},
		{"number list", "qty", []any{1.0}, nil, "fields.qty"},

		{"date", "needed_by", "2025-02-28", "2025-02-28", ""},
		{"date padded", "needed_by", " 2024-02-29 ", "2024-02-29", ""},
		{"date not in leap year", "needed_by", "2025-02-29", nil, "fields.needed_by"},
		{"date with time", "needed_by", "2025-02-28T10:00:00Z", nil, "fields.needed_by"},
		{"date other order", "needed_by", "28/02/2025", nil, "fields.needed_by"},
		{"date month 13", "needed_by", "2025-13-01", nil, "fields.needed_by"},
		{"date as number", "needed_by", 20250228.0, nil, "fields.needed_by"},

		{"select", "model", "Large", "Large", ""},
		{"select wrong case", "model", "large", nil, "fields.model"},
		{"select unknown", "model", "Huge", nil, "fields.model"},
		{"select list", "model", []any{"Small"}, nil, "fields.model"},

		{"multi-select", "extras", []any{"Mouse", "Bag"}, []string{"Mouse", "Bag"}, ""},
		{"multi-select strings", "extras", []string{"Dock"}, []string{"Dock"}, ""},
		{"multi-select one string", "extras", "Dock", []string{"Dock"}, ""},
		{"multi-select dedupe", "extras", []any{"Bag", "Mouse", "Bag", "Mouse"}, []string{"Bag", "Mouse"}, ""},
		{"multi-select unknown", "extras", []any{"Mouse", "Keyboard"}, nil, "fields.extras"},
		{"multi-select not strings", "extras", []any{"Mouse", 2.0}, nil, "fields.extras"},
		{"multi-select number", "extras", 2.0, nil, "fields.extras"},

		{"user float", "manager", 7.0, int64(7), ""},
		{"user int64", "manager", int64(7), int64(7), ""},
		{"user string", "manager", " 7 ", int64(7), ""},
		{"user unknown", "manager", 8.0, nil, "fields.manager"},
		{"user unknown string", "manager", "8", nil, "fields.manager"},
		{"user fraction", "manager", 7.5, nil, "fields.manager"},
		{"user fraction string", "manager", "7.5", nil, "fields.manager"},
		{"user trailing text", "manager", "7abc", nil, "fields.manager"},
		{"user zero", "manager", 0.0, nil, "fields.manager"},
		{"user negative", "manager", -7.0, nil, "fields.manager"},
		{"user negative int64", "manager", int64(-7), nil, "fields.manager"},
		{"user name", "manager", "alice", nil, "fields.manager"},
		{"user bool", "manager", true, nil, "fields.manager"},

		{"checkbox true", "agree", true, true, ""},
		{"checkbox false", "agree", false, false, ""},
		{"checkbox on", "agree", "on", true, ""},
		{"checkbox Yes", "agree", " Yes ", true, ""},
		{"checkbox 1", "agree", "1", true, ""},
		{"checkbox off", "agree", "off", false, ""},
		{"checkbox 0", "agree", "0", false, ""},
		{"checkbox word", "agree", "maybe", nil, "fields.agree"},
		{"checkbox number", "agree", 1.0, nil, "fields.agree"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ValidateValues(everyType, map[string]any{tt.key: tt.in}, userSeven)
			wantInvalid(t, tt.name, err, tt.field)
			if tt.field != "" {
				if got != nil {
					t.Errorf("values %v returned with an error", got)
				}
				return
			}
			if len(got) != 1 || !reflect.DeepEqual(got[tt.key], tt.want) {
				t.Errorf("got %#v, want {%s: %#v}", got, tt.key, tt.want)
			}
		})
	}
}

// Empty values count as absent: they are left out, and they do not satisfy
// a required field.
func TestValidateValuesEmpty(t *testing.T) {
	for _, empty := range []any{nil, "", "   ", []any{}, []string{}} {
		got, err := ValidateValues(everyType, map[string]any{"title": empty, "extras": empty, "manager": empty, "agree": empty}, userSeven)
		if err != nil || len(got) != 0 {
			t.Errorf("empty %#v: got %v, %v; want no values", empty, got, err)
		}
	}
}

func TestValidateValuesRequired(t *testing.T) {
	for _, f := range everyType {
		f.Required = true
		form := []Field{f}
		for _, empty := range []any{nil, "", " ", []any{}} {
			_, err := ValidateValues(form, map[string]any{f.Key: empty}, userSeven)
			e, ok := errs.As(err)
			if !ok || e.Kind != errs.KindInvalid || e.Field != "fields."+f.Key {
				t.Errorf("required %s given %#v: %#v, want invalid fields.%s", f.Type, empty, err, f.Key)
				continue
			}
			// A missing checkbox is "must be checked", the others "is required".
			wantCode := "required_field"
			if f.Type == FieldCheckbox {
				wantCode = "invalid_field"
			}
			if e.Code != wantCode {
				t.Errorf("required %s given %#v: code %q, want %q", f.Type, empty, e.Code, wantCode)
			}
		}
		_, err := ValidateValues(form, map[string]any{}, userSeven)
		wantInvalid(t, "required "+string(f.Type)+" absent", err, "fields."+f.Key)
	}
}

func TestValidateValuesRequiredCheckbox(t *testing.T) {
	form := []Field{{Key: "terms", Label: "I accept", Type: FieldCheckbox, Required: true}}
	tests := []struct {
		in    any
		field string
	}{
		{true, ""}, {"yes", ""}, {"on", ""},
		{false, "fields.terms"}, {"off", "fields.terms"}, {"0", "fields.terms"}, {nil, "fields.terms"},
	}
	for _, tt := range tests {
		got, err := ValidateValues(form, map[string]any{"terms": tt.in}, nil)
		wantInvalid(t, "terms="+stringOf(tt.in), err, tt.field)
		if tt.field == "" && got["terms"] != true {
			t.Errorf("terms=%v: stored %#v, want true", tt.in, got["terms"])
		}
	}
}

func TestValidateValuesUnknownKeys(t *testing.T) {
	_, err := ValidateValues(everyType, map[string]any{"title": "ok", "colour": "red"}, userSeven)
	wantInvalid(t, "unknown key", err, "fields.colour")
	// Even an empty value for an unknown key is refused: it is a typo.
	_, err = ValidateValues(everyType, map[string]any{"titel": ""}, userSeven)
	wantInvalid(t, "unknown empty key", err, "fields.titel")
	_, err = ValidateValues(nil, map[string]any{"x": 1.0}, userSeven)
	wantInvalid(t, "no form", err, "fields.x")
	got, err := ValidateValues(nil, nil, userSeven)
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("no form and no values: %#v, %v; want an empty map", got, err)
	}
}

func TestValidateValuesWholeForm(t *testing.T) {
	form := make([]Field, len(everyType))
	copy(form, everyType)
	for i := range form {
		form[i].Required = true
	}
	var asked []int64
	exists := func(id int64) bool { asked = append(asked, id); return id == 7 }
	in := map[string]any{
		"title": " Laptop ", "details": "For the new hire\n", "qty": "2", "needed_by": "2025-03-10",
		"model": "Small", "extras": []any{"Dock", "Dock"}, "manager": 7.0, "agree": "on",
	}
	got, err := ValidateValues(form, in, exists)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"title": "Laptop", "details": "For the new hire", "qty": 2.0, "needed_by": "2025-03-10",
		"model": "Small", "extras": []string{"Dock"}, "manager": int64(7), "agree": true,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
	if !reflect.DeepEqual(asked, []int64{7}) {
		t.Errorf("user callback asked about %v, want [7]", asked)
	}
	if in["qty"] != "2" {
		t.Error("ValidateValues changed its input")
	}
}

// Without a callback, user ids are taken on trust but must still be ids.
func TestValidateValuesNilUserCallback(t *testing.T) {
	got, err := ValidateValues(everyType, map[string]any{"manager": 99.0}, nil)
	if err != nil || got["manager"] != int64(99) {
		t.Errorf("got %#v, %v; want manager 99", got, err)
	}
	_, err = ValidateValues(everyType, map[string]any{"manager": int64(-1)}, nil)
	wantInvalid(t, "negative id", err, "fields.manager")
}

func stringOf(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	if v == nil {
		return "nil"
	}
	if b, ok := v.(bool); ok && b {
		return "true"
	}
	return "false"
}
