package ticket

import (
	"slices"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
)

// wantErr checks an error's kind and field; an empty kind wants no error.
func wantErr(t *testing.T, what string, err error, kind errs.Kind, field string) {
	t.Helper()
	if kind == "" {
		if err != nil {
			t.Errorf("%s: %v, want no error", what, err)
		}
		return
	}
	e, ok := errs.As(err)
	if !ok || e.Kind != kind || e.Field != field {
		t.Errorf("%s: %v, want %s on %q", what, err, kind, field)
	}
}

func TestMatrixValidate(t *testing.T) {
	// A stricter matrix: anything of high impact is Highest.
	strict := DefaultMatrix.Clone()
	strict[LevelHigh][LevelLow] = PriorityHighest
	missing := DefaultMatrix.Clone()
	delete(missing[LevelLow], LevelMedium)
	bad := DefaultMatrix.Clone()
	bad[LevelMedium][LevelHigh] = "Urgent"
	extraImpact := DefaultMatrix.Clone()
	extraImpact["severe"] = map[Level]Priority{LevelHigh: PriorityHighest}
	extraUrgency := DefaultMatrix.Clone()
	extraUrgency[LevelHigh]["now"] = PriorityHighest
	tests := []struct {
		name  string
		m     Matrix
		kind  errs.Kind
		field string
	}{
		{"default", DefaultMatrix, "", ""},
		{"configured", strict, "", ""},
		{"cell missing", missing, errs.KindInvalid, "low.medium"},
		{"unknown priority", bad, errs.KindInvalid, "medium.high"},
		{"unknown impact", extraImpact, errs.KindInvalid, "severe"},
		{"unknown urgency", extraUrgency, errs.KindInvalid, "high.now"},
		{"empty", Matrix{}, errs.KindInvalid, "high.high"},
	}
	for _, tt := range tests {
		wantErr(t, tt.name, tt.m.Validate(), tt.kind, tt.field)
	}
	// A configured matrix derives priorities its own way; the default is untouched.
	if got := strict.Priority(LevelHigh, LevelLow); got != PriorityHighest {
		t.Errorf("configured matrix gives %s for high/low, want Highest", got)
	}
	if got := DefaultMatrix.Priority(LevelHigh, LevelLow); got != PriorityMedium {
		t.Errorf("editing a clone changed DefaultMatrix: %s", got)
	}
}

func TestIncidentSettingsValidate(t *testing.T) {
	tests := []struct {
		name  string
		in    IncidentSettings
		want  []string
		kind  errs.Kind
		field string
	}{
		{"default", DefaultIncidentSettings(), DefaultResolutionCodes, "", ""},
		{"trimmed", IncidentSettings{ResolutionCodes: []string{" Fixed ", "Workaround"}}, []string{"Fixed", "Workaround"}, "", ""},
		{"no codes", IncidentSettings{}, []string{}, "", ""},
		{"negative window", IncidentSettings{ReopenWindowDays: -1}, nil, errs.KindInvalid, "reopen_window_days"},
		{"window too long", IncidentSettings{ReopenWindowDays: 366}, nil, errs.KindInvalid, "reopen_window_days"},
		{"blank code", IncidentSettings{ResolutionCodes: []string{"Fixed", " "}}, nil, errs.KindInvalid, "resolution_codes[1]"},
		{"twice", IncidentSettings{ResolutionCodes: []string{"Fixed", "fixed"}}, nil, errs.KindInvalid, "resolution_codes[1]"},
		{"two lines", IncidentSettings{ResolutionCodes: []string{"Fixed\nreally"}}, nil, errs.KindInvalid, "resolution_codes[0]"},
		{"required but none", IncidentSettings{RequireResolutionCode: true}, nil, errs.KindInvalid, "resolution_codes"},
	}
	for _, tt := range tests {
		s := tt.in
		err := s.Validate()
		wantErr(t, tt.name, err, tt.kind, tt.field)
		if err == nil && !slices.Equal(s.ResolutionCodes, tt.want) {
			t.Errorf("%s: codes %q, want %q", tt.name, s.ResolutionCodes, tt.want)
		}
	}
}

func TestResolutionCodes(t *testing.T) {
	codes := []string{"Fixed", "Workaround", "Known error"}
	tests := []struct {
		name     string
		settings IncidentSettings
		given    string
		want     string
		kind     errs.Kind
	}{
		{"listed", IncidentSettings{ResolutionCodes: codes}, "Workaround", "Workaround", ""},
		{"any case, trimmed", IncidentSettings{ResolutionCodes: codes}, "  known ERROR ", "Known error", ""},
		{"not listed", IncidentSettings{ResolutionCodes: codes}, "Replaced", "", errs.KindInvalid},
		{"none given", IncidentSettings{ResolutionCodes: codes}, "", "", ""},
		{"the default by name", IncidentSettings{ResolutionCodes: codes}, "done", "Done", ""},
		{"the default by name but a code required", IncidentSettings{ResolutionCodes: codes, RequireResolutionCode: true}, "Done", "", errs.KindInvalid},
		{"none given but required", IncidentSettings{ResolutionCodes: codes, RequireResolutionCode: true}, " ", "", errs.KindInvalid},
		{"no list", IncidentSettings{}, "Anything", "Anything", ""},
	}
	for _, tt := range tests {
		got, err := tt.settings.Resolution(tt.given)
		wantErr(t, tt.name, err, tt.kind, map[errs.Kind]string{errs.KindInvalid: "resolution"}[tt.kind])
		if got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestReopenWindow(t *testing.T) {
	resolved := time.Date(2025, 3, 3, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	tests := []struct {
		name   string
		window int
		role   directory.Role
		after  time.Duration
		ok     bool
	}{
		{"customer within the window", 14, directory.RoleCustomer, 13 * day, true},
		{"customer on the last moment", 14, directory.RoleCustomer, 14 * day, true},
		{"customer just after", 14, directory.RoleCustomer, 14*day + time.Millisecond, false},
		{"customer long after", 14, directory.RoleCustomer, 90 * day, false},
		{"no window", 0, directory.RoleCustomer, 900 * day, true},
		{"agent after the window", 14, directory.RoleAgent, 90 * day, true},
		{"admin after the window", 1, directory.RoleAdmin, 90 * day, true},
		{"one-day window", 1, directory.RoleCustomer, 25 * time.Hour, false},
	}
	for _, tt := range tests {
		s := IncidentSettings{ReopenWindowDays: tt.window}
		err := s.MayReopen(tt.role, resolved, resolved.Add(tt.after))
		if tt.ok {
			wantErr(t, tt.name, err, "", "")
			continue
		}
		if e, ok := errs.As(err); !ok || e.Kind != errs.KindConflict || e.Code != "reopen_window_passed" {
			t.Errorf("%s: %v, want conflict reopen_window_passed", tt.name, err)
		}
	}
	if d := (IncidentSettings{}).ReopenDeadline(resolved); !d.IsZero() {
		t.Errorf("no window has a deadline: %v", d)
	}
	if d := (IncidentSettings{ReopenWindowDays: 2}).ReopenDeadline(resolved); !d.Equal(resolved.Add(2 * day)) {
		t.Errorf("deadline %v", d)
	}
}

func TestPickTransitions(t *testing.T) {
	var incident, problem, change Workflow
	for _, w := range DefaultWorkflows() {
		switch w.TicketType {
		case TypeIncident:
			incident = w
		case TypeProblem:
			problem = w
		case TypeChange:
			change = w
		}
	}
	tests := []struct {
		name   string
		w      Workflow
		reopen bool
		from   string
		role   directory.Role
		want   string // transition id; "" for none
	}{
		{"resolve an open incident", incident, false, "Open", directory.RoleAgent, "resolve"},
		{"customers do not resolve", incident, false, "Open", directory.RoleCustomer, ""},
		{"resolved incident is done already, but may close", incident, false, "Resolved", directory.RoleAgent, "close"},
		{"reopen a resolved incident", incident, true, "Resolved", directory.RoleCustomer, "reopen"},
		{"closed incident cannot reopen", incident, true, "Closed", directory.RoleAgent, ""},
		{"open problem cannot be resolved", problem, false, "Open", directory.RoleAgent, "close"},
		{"known error resolves", problem, false, "Known error", directory.RoleAgent, "resolve"},
		{"closed problem reopens", problem, true, "Closed", directory.RoleAdmin, "reopen"},
		{"review completes a change", change, false, "Review", directory.RoleAgent, "complete"},
	}
	for _, tt := range tests {
		var tr Transition
		var ok bool
		if tt.reopen {
			tr, ok = tt.w.ReopenTransition(tt.from, tt.role)
		} else {
			tr, ok = tt.w.DoneTransition(tt.from, tt.role)
		}
		if got := map[bool]string{true: tr.ID}[ok]; got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	if !IsReopen(CategoryDone, CategoryToDo) || IsReopen(CategoryDone, CategoryDone) || IsReopen(CategoryToDo, CategoryInProgress) {
		t.Error("IsReopen is wrong")
	}
}

func TestCleanCommunication(t *testing.T) {
	long := make([]byte, MaxCommunication+1)
	for i := range long {
		long[i] = 'x'
	}
	tests := []struct {
		name     string
		audience Audience
		message  string
		kind     errs.Kind
		field    string
	}{
		{"internal", AudienceInternal, " Engineers are on it. ", "", ""},
		{"customers", AudienceCustomers, "Email is slow; we are working on it.", "", ""},
		{"no audience", "", "x", errs.KindInvalid, "audience"},
		{"unknown audience", "press", "x", errs.KindInvalid, "audience"},
		{"empty", AudienceInternal, "  ", errs.KindInvalid, "message"},
		{"too long", AudienceInternal, string(long), errs.KindInvalid, "message"},
	}
	for _, tt := range tests {
		_, msg, err := CleanCommunication(tt.audience, tt.message)
		wantErr(t, tt.name, err, tt.kind, tt.field)
		if err == nil && msg != "Engineers are on it." && tt.audience == AudienceInternal {
			t.Errorf("%s: message not trimmed: %q", tt.name, msg)
		}
	}
}
