package ticket

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-itsm/cairn/internal/errs"
)

// checkErr compares err with the wanted invalid field ("" for no error).
func checkErr(t *testing.T, what string, err error, field string) {
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

func TestCleanSummary(t *testing.T) {
	tests := []struct {
		in, want string
		field    string
	}{
		{"Printer on fire", "Printer on fire", ""},
		{"  padded \t", "padded", ""},
		{strings.Repeat("a", MaxSummary), strings.Repeat("a", MaxSummary), ""},
		{"  " + strings.Repeat("a", MaxSummary) + "  ", strings.Repeat("a", MaxSummary), ""},
		{"", "", "summary"},
		{" \t\n ", "", "summary"},
		{strings.Repeat("a", MaxSummary+1), "", "summary"},
		{strings.Repeat("é", MaxSummary/2+1), "", "summary"}, // the limit is in bytes
		{"two\nlines", "", "summary"},
		{"carriage\rreturn", "", "summary"},
	}
	for _, tt := range tests {
		got, err := CleanSummary(tt.in)
		checkErr(t, "CleanSummary("+abbrev(tt.in)+")", err, tt.field)
		if got != tt.want {
			t.Errorf("CleanSummary(%s) = %s, want %s", abbrev(tt.in), abbrev(got), abbrev(tt.want))
		}
	}
}

func TestCleanDescription(t *testing.T) {
	tests := []struct {
		in, want string
		field    string
	}{
		{"", "", ""},
		{"  keeps leading\nspace  \n\n", "  keeps leading\nspace", ""},
		{strings.Repeat("x", MaxDescription), strings.Repeat("x", MaxDescription), ""},
		{strings.Repeat("x", MaxDescription+1), "", "description"},
	}
	for _, tt := range tests {
		got, err := CleanDescription(tt.in)
		checkErr(t, "CleanDescription("+abbrev(tt.in)+")", err, tt.field)
		if got != tt.want {
			t.Errorf("CleanDescription(%s) = %s, want %s", abbrev(tt.in), abbrev(got), abbrev(tt.want))
		}
	}
}

func TestCleanComment(t *testing.T) {
	tests := []struct {
		in, want string
		field    string
	}{
		{"Thanks!", "Thanks!", ""},
		{"\n  multi\nline  \n", "multi\nline", ""},
		{strings.Repeat("c", MaxComment), strings.Repeat("c", MaxComment), ""},
		{"", "", "body"},
		{"   \n\t", "", "body"},
		{strings.Repeat("c", MaxComment+1), "", "body"},
	}
	for _, tt := range tests {
		got, err := CleanComment(tt.in)
		checkErr(t, "CleanComment("+abbrev(tt.in)+")", err, tt.field)
		if got != tt.want {
			t.Errorf("CleanComment(%s) = %s, want %s", abbrev(tt.in), abbrev(got), abbrev(tt.want))
		}
	}
}

func TestCleanRequiredCode(t *testing.T) {
	_, err := CleanSummary("")
	if e, ok := errs.As(err); !ok || e.Code != "required_field" {
		t.Errorf("empty summary: %#v, want code required_field", err)
	}
	_, err = CleanComment("")
	if e, ok := errs.As(err); !ok || e.Code != "required_field" {
		t.Errorf("empty comment: %#v, want code required_field", err)
	}
}

func TestTypesAndChannels(t *testing.T) {
	for _, typ := range Types {
		if !ValidType(string(typ)) {
			t.Errorf("ValidType(%q) = false", typ)
		}
	}
	for _, s := range []string{"", "task", "Incident", "bug"} {
		if ValidType(s) {
			t.Errorf("ValidType(%q) = true", s)
		}
	}
	for _, c := range []Channel{ChannelPortal, ChannelEmail, ChannelAPI, ChannelAgent} {
		if !ValidChannel(c) {
			t.Errorf("ValidChannel(%q) = false", c)
		}
	}
	for _, c := range []Channel{"", "phone", "API"} {
		if ValidChannel(c) {
			t.Errorf("ValidChannel(%q) = true", c)
		}
	}
}

func TestLinkKinds(t *testing.T) {
	tests := []struct {
		kind    LinkKind
		valid   bool
		inverse string
	}{
		{LinkRelates, true, "relates_to"},
		{LinkCausedBy, true, "causes"},
		{LinkDuplicates, true, "is_duplicated_by"},
		{LinkBlocks, true, "is_blocked_by"},
		{"clones", false, "clones"},
		{"", false, ""},
	}
	for _, tt := range tests {
		if got := ValidLinkKind(tt.kind); got != tt.valid {
			t.Errorf("ValidLinkKind(%q) = %v, want %v", tt.kind, got, tt.valid)
		}
		if got := tt.kind.Inverse(); got != tt.inverse {
			t.Errorf("%q.Inverse() = %q, want %q", tt.kind, got, tt.inverse)
		}
	}
}

func abbrev(s string) string {
	if len(s) > 20 {
		return fmt.Sprintf("%.10q... (%d bytes)", s, len(s))
	}
	return strconv.Quote(s)
}
