package ticket

import (
	"strings"
	"testing"

	"github.com/cairn-itsm/cairn/internal/errs"
)

func TestAnalysisClean(t *testing.T) {
	five := func(n int) []Why {
		var out []Why
		for i := range n {
			out = append(out, Why{Question: "Why " + strings.Repeat("?", i+1), Answer: "Because"})
		}
		return out
	}
	tests := []struct {
		name       string
		in         Analysis
		wantMethod AnalysisMethod
		wantWhys   int
		kind       errs.Kind
		field      string
	}{
		{"free form by default", Analysis{Symptoms: " slow ", Notes: "The disk filled up."}, MethodFreeForm, 0, "", ""},
		{"whys make five whys", Analysis{Whys: five(3)}, MethodFiveWhys, 3, "", ""},
		{"five is the most", Analysis{Method: MethodFiveWhys, Whys: five(5)}, MethodFiveWhys, 5, "", ""},
		{"six is too many", Analysis{Method: MethodFiveWhys, Whys: five(6)}, "", 0, errs.KindInvalid, "whys"},
		{"blank rows are dropped", Analysis{Whys: append(five(2), Why{}, Why{Question: " ", Answer: " "})}, MethodFiveWhys, 2, "", ""},
		{"answer without a question", Analysis{Whys: []Why{{Question: "Why?", Answer: "A"}, {Answer: "B"}}}, "", 0, errs.KindInvalid, "whys[1].question"},
		{"free form has no whys", Analysis{Method: MethodFreeForm, Whys: five(1)}, "", 0, errs.KindInvalid, "whys"},
		{"unknown method", Analysis{Method: "fishbone"}, "", 0, errs.KindInvalid, "method"},
		{"root cause too long", Analysis{RootCause: strings.Repeat("x", MaxAnalysisText+1)}, "", 0, errs.KindInvalid, "root_cause"},
		{"question too long", Analysis{Whys: []Why{{Question: strings.Repeat("x", MaxWhyText+1)}}}, "", 0, errs.KindInvalid, "whys[0].question"},
	}
	for _, tt := range tests {
		a := tt.in
		err := a.Clean()
		wantErr(t, tt.name, err, tt.kind, tt.field)
		if err != nil {
			continue
		}
		if a.Method != tt.wantMethod || len(a.Whys) != tt.wantWhys {
			t.Errorf("%s: method %s with %d whys, want %s with %d", tt.name, a.Method, len(a.Whys), tt.wantMethod, tt.wantWhys)
		}
	}
	a := Analysis{Symptoms: " slow ", RootCause: " disk "}
	if err := a.Clean(); err != nil || a.Symptoms != "slow" || a.RootCause != "disk" || a.Empty() {
		t.Errorf("trimmed analysis %+v, %v", a, err)
	}
	if !(Analysis{}).Empty() {
		t.Error("an empty analysis is not Empty")
	}
}

func TestKnownErrorClean(t *testing.T) {
	tests := []struct {
		name  string
		in    KnownError
		kind  errs.Kind
		field string
	}{
		{"complete", KnownError{Title: "VPN drops on Wi-Fi 6", Workaround: "Use the 2.4 GHz network."}, "", ""},
		{"no title", KnownError{Workaround: "x"}, errs.KindInvalid, "title"},
		{"two-line title", KnownError{Title: "a\nb", Workaround: "x"}, errs.KindInvalid, "title"},
		{"no workaround", KnownError{Title: "x", Workaround: "  "}, errs.KindInvalid, "workaround"},
		{"unknown status", KnownError{Title: "x", Workaround: "y", Status: "open"}, errs.KindInvalid, "status"},
		{"fixed", KnownError{Title: "x", Workaround: "y", Status: KnownErrorFixed}, "", ""},
	}
	for _, tt := range tests {
		k := tt.in
		err := k.Clean()
		wantErr(t, tt.name, err, tt.kind, tt.field)
		if err == nil && k.Status == "" {
			t.Errorf("%s: no status after Clean", tt.name)
		}
	}
	k := KnownError{Title: "VPN drops", Problem: "IT-9", Workaround: "Reconnect."}
	if c := k.WorkaroundComment(); !strings.Contains(c, "IT-9") || !strings.Contains(c, "Reconnect.") {
		t.Errorf("workaround comment %q", c)
	}
}

func TestParseCascade(t *testing.T) {
	for in, want := range map[string]Cascade{"": CascadeNone, "none": CascadeNone, "Notify": CascadeNotify, " resolve ": CascadeResolve} {
		if got, err := ParseCascade(in); err != nil || got != want {
			t.Errorf("ParseCascade(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, err := ParseCascade("close")
	wantErr(t, "unknown cascade", err, errs.KindInvalid, "cascade")
	msg := ProblemResolvedComment(Ticket{Key: "IT-9", Summary: "Mail relay drops"}, "Fixed", " Patched the relay. ")
	if !strings.Contains(msg, "IT-9 (Mail relay drops)") || !strings.HasSuffix(msg, "Patched the relay.") || !strings.Contains(msg, ": Fixed.") {
		t.Errorf("comment %q", msg)
	}
}
