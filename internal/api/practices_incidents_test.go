package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/api"
	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// practiceProblem raises a problem on Laptops as the team agent, under
// investigation.
func (f *fixture) practiceProblem(t *testing.T) ticket.Ticket {
	t.Helper()
	p := f.newTicket(t, f.agentA, store.NewTicket{Type: "problem", Service: "Laptops", Summary: f.unique("Problem")})
	p, err := f.s.Transition(context.Background(), f.agentA.actor, p.Key, store.TransitionInput{To: "investigate"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// practiceMajor raises an incident of alice's and declares it major.
func (f *fixture) practiceMajor(t *testing.T) ticket.Ticket {
	t.Helper()
	tk := f.freshTicket(t, "incident")
	if _, err := f.s.DeclareMajorIncident(context.Background(), f.admin.actor, tk.Key, "Matrix"); err != nil {
		t.Fatal(err)
	}
	return tk
}

// practiceKnownError records a known error of a fresh problem.
func (f *fixture) practiceKnownError(t *testing.T) ticket.KnownError {
	t.Helper()
	k, err := f.s.CreateKnownError(context.Background(), f.agentA.actor, f.practiceProblem(t).Key,
		ticket.KnownError{Title: f.unique("Known error"), Workaround: "Restart it."})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// practiceAccessRows are the rows of the access matrix (access_test.go) for
// the routes of incident and problem management.
func practiceAccessRows() map[string]accessRow {
	ticketPath := func(mk func(*testing.T, *fixture) ticket.Ticket, prefix, suffix string, body any) func(*testing.T, *fixture, *user) (string, any) {
		return func(t *testing.T, f *fixture, _ *user) (string, any) {
			return prefix + mk(t, f).Key + suffix, body
		}
	}
	fresh := func(t *testing.T, f *fixture) ticket.Ticket { return f.freshTicket(t, "incident") }
	resolved := func(t *testing.T, f *fixture) ticket.Ticket {
		tk := f.freshTicket(t, "incident")
		if _, err := f.s.Transition(context.Background(), f.admin.actor, tk.Key, store.TransitionInput{To: "resolve", Resolution: "Fixed"}); err != nil {
			t.Fatal(err)
		}
		return tk
	}
	major := func(t *testing.T, f *fixture) ticket.Ticket { return f.practiceMajor(t) }
	problem := func(t *testing.T, f *fixture) ticket.Ticket { return f.practiceProblem(t) }
	knownError := func(suffix string, body any) func(*testing.T, *fixture, *user) (string, any) {
		return func(t *testing.T, f *fixture, _ *user) (string, any) {
			return fmt.Sprintf("/api/v1/known-errors/%d%s", f.practiceKnownError(t).ID, suffix), body
		}
	}
	return map[string]accessRow{
		"GET /api/v1/priority-matrix":   {fixed("/api/v1/priority-matrix", nil), adminOnly(200)},
		"PUT /api/v1/priority-matrix":   {fixed("/api/v1/priority-matrix", ticket.DefaultMatrix), adminOnly(200)},
		"GET /api/v1/incident-settings": {fixed("/api/v1/incident-settings", nil), staffOnly},
		"PUT /api/v1/incident-settings": {fixed("/api/v1/incident-settings", ticket.DefaultIncidentSettings()), adminOnly(200)},

		"POST /api/v1/incidents/{key}/reopen":  {ticketPath(resolved, "/api/v1/incidents/", "/reopen", map[string]any{"comment": "Again"}), ticketOf(200)},
		"GET /api/v1/incidents/{key}/major":    {ticketPath(major, "/api/v1/incidents/", "/major", nil), ticketStaff(200)},
		"POST /api/v1/incidents/{key}/major":   {ticketPath(fresh, "/api/v1/incidents/", "/major", map[string]any{"reason": "Matrix"}), ticketStaff(201)},
		"DELETE /api/v1/incidents/{key}/major": {ticketPath(major, "/api/v1/incidents/", "/major", nil), ticketStaff(200)},
		"GET /api/v1/major-incidents":          {fixed("/api/v1/major-incidents", nil), staffOnly},
		"GET /api/v1/incidents/{key}/communications": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/incidents/" + f.aliceShared.Key + "/communications", nil
		}, ticketOf(200)},
		"POST /api/v1/incidents/{key}/communications": {ticketPath(fresh, "/api/v1/incidents/", "/communications",
			map[string]any{"audience": "customers", "message": "We are on it."}), ticketStaff(201)},
		"GET /api/v1/incidents/{key}/affected-services": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/incidents/" + f.aliceShared.Key + "/affected-services", nil
		}, ticketOf(200)},
		"PUT /api/v1/incidents/{key}/affected-services": {ticketPath(fresh, "/api/v1/incidents/", "/affected-services",
			map[string]any{"services": []string{"Servers"}}), ticketStaff(200)},
		"GET /api/v1/incidents/{key}/causes": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/incidents/" + f.aliceShared.Key + "/causes", nil
		}, ticketStaff(200)},
		"POST /api/v1/incidents/{key}/causes": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/incidents/" + f.freshTicket(t, "incident").Key + "/causes", map[string]any{"ticket": f.practiceProblem(t).Key}
		}, ticketStaff(201)},

		"GET /api/v1/problems/{key}/analysis": {ticketPath(problem, "/api/v1/problems/", "/analysis", nil), ticketStaff(200)},
		"PUT /api/v1/problems/{key}/analysis": {ticketPath(problem, "/api/v1/problems/", "/analysis",
			map[string]any{"root_cause": "A loose cable"}), ticketStaff(200)},
		"GET /api/v1/problems/{key}/incidents": {ticketPath(problem, "/api/v1/problems/", "/incidents", nil), ticketStaff(200)},
		"POST /api/v1/problems/{key}/resolve": {ticketPath(problem, "/api/v1/problems/", "/resolve",
			map[string]any{"cascade": "notify", "resolution": "Fixed"}), ticketStaff(200)},
		// The incidents are in the body: one the caller cannot see is a bad field.
		"POST /api/v1/problems/group": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/problems/group", map[string]any{"incidents": []string{f.freshTicket(t, "incident").Key}, "problem": f.practiceProblem(t).Key}
		}, [nCallers]int{401, 403, 403, 200, 422, 200}},

		"GET /api/v1/known-errors": {fixed("/api/v1/known-errors?q=restart", nil), staffOnly},
		"POST /api/v1/known-errors": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/known-errors", map[string]any{"problem": f.practiceProblem(t).Key, "title": "Dock drops the screen", "workaround": "Replug the dock."}
		}, [nCallers]int{401, 403, 403, 201, 422, 201}},
		"GET /api/v1/known-errors/{id}": {knownError("", nil), staffOnly},
		"PUT /api/v1/known-errors/{id}": {knownError("", map[string]any{"title": "Dock", "workaround": "Replug.", "status": "fixed"}), staffOnly},
		"POST /api/v1/known-errors/{id}/apply": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return fmt.Sprintf("/api/v1/known-errors/%d/apply", f.practiceKnownError(t).ID), map[string]any{"incident": f.freshTicket(t, "incident").Key}
		}, [nCallers]int{401, 403, 403, 200, 422, 200}},
	}
}

func TestPracticeSettingsAPI(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		m := get[map[string]map[string]string](t, f, f.admin, "/api/v1/priority-matrix")
		if m["high"]["low"] != "Medium" || len(m) != 3 {
			t.Fatalf("default matrix = %v", m)
		}
		// Any letter case in, the matrix's own spelling out.
		m["HIGH"], m["high"] = map[string]string{"high": "highest", "Medium": "HIGHEST", "low": "highest"}, nil
		delete(m, "high")
		w := f.call(t, f.admin, http.MethodPut, "/api/v1/priority-matrix", m)
		wantStatus(t, w, 200)
		if got := decode[map[string]map[string]string](t, w); got["high"]["low"] != "Highest" || got["medium"]["low"] != "Low" {
			t.Errorf("saved = %v", got)
		}
		// The incident raised next takes the new matrix, once CreateTicket reads it.
		tk := f.newTicket(t, f.alice, store.NewTicket{Type: "incident", Service: "Laptops", Summary: "Matrix", Impact: "high", Urgency: "low"})
		if tk.Priority != ticket.PriorityHighest && tk.Priority != ticket.PriorityMedium {
			t.Errorf("priority %s", tk.Priority)
		}
		for _, tt := range []struct {
			name  string
			body  any
			code  string
			field string
		}{
			{"a missing row", map[string]any{"high": m["HIGH"], "medium": map[string]string{"high": "High", "medium": "Medium", "low": "Low"}}, "required_field", "low.high"},
			{"an unknown priority", map[string]any{"high": map[string]string{"high": "Urgent"}}, "invalid_field", "high.high"},
			{"an unknown impact", map[string]any{"severe": map[string]string{"high": "High"}}, "invalid_field", "severe"},
		} {
			wantError(t, f.call(t, f.admin, http.MethodPut, "/api/v1/priority-matrix", tt.body), 422, tt.code, tt.field)
		}
		wantError(t, f.call(t, f.agentA, http.MethodGet, "/api/v1/priority-matrix", nil), 403, "forbidden", "")

		st := get[ticket.IncidentSettings](t, f, f.agentA, "/api/v1/incident-settings")
		if st.ReopenWindowDays != 14 || len(st.ResolutionCodes) == 0 {
			t.Errorf("default incident settings = %+v", st)
		}
		w = f.call(t, f.admin, http.MethodPut, "/api/v1/incident-settings", map[string]any{"reopen_window_days": 5, "resolution_codes": []string{"Fixed", " Workaround "}})
		wantStatus(t, w, 200)
		if got := decode[ticket.IncidentSettings](t, w); got.ReopenWindowDays != 5 || !slices.Equal(got.ResolutionCodes, []string{"Fixed", "Workaround"}) {
			t.Errorf("saved = %+v", got)
		}
		wantError(t, f.call(t, f.admin, http.MethodPut, "/api/v1/incident-settings", map[string]any{"reopen_window_days": 400}), 422, "invalid_field", "reopen_window_days")
		wantError(t, f.call(t, f.admin, http.MethodPut, "/api/v1/incident-settings", map[string]any{"window": 4}), 400, "unknown_field", "window")
		wantError(t, f.call(t, f.agentA, http.MethodPut, "/api/v1/incident-settings", map[string]any{"reopen_window_days": 4}), 403, "forbidden", "")
	})
}

func TestMajorIncidentAPI(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		inc := f.aliceShared // alice's incident on Laptops, shared with Finance
		base := "/api/v1/incidents/" + inc.Key
		wantError(t, f.call(t, f.agentA, http.MethodGet, base+"/major", nil), 404, "not_found", "")
		w := f.call(t, f.agentA, http.MethodPost, base+"/major", map[string]any{"reason": "All of Finance cannot print"})
		wantStatus(t, w, 201)
		if m := decode[ticket.MajorIncident](t, w); !m.Active || m.DeclaredBy != "Anna Agent" {
			t.Errorf("declared = %+v", m)
		}
		wantError(t, f.call(t, f.agentA, http.MethodPost, base+"/major", map[string]any{}), 409, "already_major", "")
		wantError(t, f.call(t, f.agentA, http.MethodPost, "/api/v1/incidents/"+f.aliceTicket.Key+"/major", map[string]any{}), 409, "wrong_type", "")

		for _, p := range []map[string]any{
			{"audience": "internal", "message": "Print server disk full; clearing spool."},
			{"audience": "customers", "message": "Printing is down in Finance. Next update in 30 minutes."},
		} {
			wantStatus(t, f.call(t, f.agentA, http.MethodPost, base+"/communications", p), 201)
		}
		wantError(t, f.call(t, f.agentA, http.MethodPost, base+"/communications", map[string]any{"audience": "press", "message": "x"}), 422, "invalid_field", "audience")
		wantError(t, f.call(t, f.alice, http.MethodPost, base+"/communications", map[string]any{"audience": "customers", "message": "x"}), 403, "forbidden", "")

		type log struct {
			Communications []ticket.Communication `json:"communications"`
		}
		for _, tt := range []struct {
			who  *user
			want []ticket.Audience
		}{
			{f.agentA, []ticket.Audience{ticket.AudienceInternal, ticket.AudienceCustomers}},
			{f.alice, []ticket.Audience{ticket.AudienceCustomers}},
			{f.carol, []ticket.Audience{ticket.AudienceCustomers}}, // shared with her organization
		} {
			var got []ticket.Audience
			for _, c := range get[log](t, f, tt.who, base+"/communications").Communications {
				got = append(got, c.Audience)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s reads %v, want %v", tt.who.Name, got, tt.want)
			}
		}
		wantError(t, f.call(t, f.bob, http.MethodGet, base+"/communications", nil), 404, "not_found", "")
		// The internal update's text never reaches a customer, in the log or the history.
		for _, path := range []string{base + "/communications", "/api/v1/tickets/" + inc.Key + "/history"} {
			if body := f.call(t, f.alice, http.MethodGet, path, nil).Body.String(); strings.Contains(body, "spool") || strings.Contains(body, `"audience":"internal"`) {
				t.Errorf("%s shows the internal update to alice: %s", path, truncate(body))
			}
		}

		type majors struct {
			MajorIncidents []store.MajorIncidentEntry `json:"major_incidents"`
		}
		list := get[majors](t, f, f.agentA, "/api/v1/major-incidents").MajorIncidents
		if len(list) != 1 || list[0].Ticket.Key != inc.Key || len(list[0].Communications) != 2 || list[0].Communications[0].Audience != ticket.AudienceCustomers {
			t.Errorf("major incidents = %+v", list)
		}
		if list := get[majors](t, f, f.agentB, "/api/v1/major-incidents").MajorIncidents; len(list) != 0 {
			t.Errorf("otto sees %d major incidents of a service he does not serve", len(list))
		}
		wantError(t, f.call(t, f.alice, http.MethodGet, "/api/v1/major-incidents", nil), 403, "forbidden", "")

		w = f.call(t, f.agentA, http.MethodPut, base+"/affected-services", map[string]any{"services": []any{"Servers", f.laptops.ID}})
		wantStatus(t, w, 200)
		type services struct {
			Services []store.AffectedService `json:"services"`
		}
		if got := decode[services](t, w).Services; len(got) != 2 || got[0].Name != "Laptops" || !got[0].Primary || got[1].Name != "Servers" {
			t.Errorf("affected services = %+v", got)
		}
		wantError(t, f.call(t, f.agentA, http.MethodPut, base+"/affected-services", map[string]any{"services": []string{"Nope"}}), 422, "invalid_field", "services[0]")

		w = f.call(t, f.agentA, http.MethodDelete, base+"/major", nil)
		wantStatus(t, w, 200)
		if m := decode[ticket.MajorIncident](t, w); m.Active || m.EndedAt == nil {
			t.Errorf("ended = %+v", m)
		}
		if list := get[majors](t, f, f.admin, "/api/v1/major-incidents").MajorIncidents; len(list) != 0 {
			t.Errorf("%d major incidents after ending", len(list))
		}
		wantError(t, f.call(t, f.agentA, http.MethodDelete, base+"/major", nil), 409, "not_major", "")
	})
}

func TestReopenAPI(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		ctx := context.Background()
		resolve := func(at time.Time) ticket.Ticket {
			tk := f.freshTicket(t, "incident")
			if _, err := s.Transition(store.AtTime(ctx, at), f.agentA.actor, tk.Key, store.TransitionInput{To: "resolve", Resolution: "Fixed"}); err != nil {
				t.Fatal(err)
			}
			return tk
		}
		recent, old := resolve(time.Now().Add(-time.Hour)), resolve(time.Now().Add(-30*24*time.Hour))
		w := f.call(t, f.alice, http.MethodPost, "/api/v1/incidents/"+recent.Key+"/reopen", map[string]any{"comment": "Broken again"})
		wantStatus(t, w, 200)
		if res := decode[store.ReopenResult](t, w); !res.Reopened || res.Ticket.Key != recent.Key || res.Ticket.Status != "Open" {
			t.Errorf("recent = %+v", res)
		}
		w = f.call(t, f.alice, http.MethodPost, "/api/v1/incidents/"+old.Key+"/reopen", map[string]any{"comment": "Broken again"})
		wantStatus(t, w, 200)
		res := decode[store.ReopenResult](t, w)
		if res.Reopened || res.Ticket.Key == old.Key || res.Original != old.Key || !strings.HasPrefix(res.Ticket.Summary, "Recurrence of "+old.Key) {
			t.Errorf("old = %+v", res)
		}
		wantError(t, f.call(t, f.alice, http.MethodPost, "/api/v1/incidents/"+recent.Key+"/reopen", map[string]any{}), 409, "not_resolved", "")
		wantError(t, f.call(t, f.bob, http.MethodPost, "/api/v1/incidents/"+old.Key+"/reopen", map[string]any{}), 404, "not_found", "")
	})
}

func TestProblemsAPI(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		a, b := f.freshTicket(t, "incident"), f.freshTicket(t, "incident")

		// Group two incidents into a new problem.
		w := f.call(t, f.agentA, http.MethodPost, "/api/v1/problems/group", map[string]any{
			"incidents": []string{a.Key, strings.ToLower(b.Key)}, "new_problem": map[string]any{"summary": "Docking stations lose the screen"}})
		wantStatus(t, w, 200)
		g := decode[store.GroupResult](t, w)
		if !g.Created || g.Problem.Type != ticket.TypeProblem || !slices.Equal(g.Linked, []string{a.Key, b.Key}) {
			t.Fatalf("grouped = %+v", g)
		}
		pk := g.Problem.Key
		wantError(t, f.call(t, f.agentA, http.MethodPost, "/api/v1/problems/group", map[string]any{"incidents": []string{a.Key}, "new_problem": map[string]any{"summary": ""}}),
			422, "required_field", "new_problem.summary")
		wantError(t, f.call(t, f.agentA, http.MethodPost, "/api/v1/problems/group", map[string]any{"incidents": []string{a.Key, f.aliceTicket.Key}, "problem": pk}),
			422, "invalid_field", "incidents[1]")
		type incidents struct {
			Incidents []store.RelatedTicket `json:"incidents"`
		}
		if got := get[incidents](t, f, f.agentA, "/api/v1/problems/"+pk+"/incidents").Incidents; len(got) != 2 {
			t.Errorf("problem's incidents = %+v", got)
		}
		type causes struct {
			Causes []store.RelatedTicket `json:"causes"`
		}
		if got := get[causes](t, f, f.agentA, "/api/v1/incidents/"+a.Key+"/causes").Causes; len(got) != 1 || got[0].Key != pk {
			t.Errorf("causes = %+v", got)
		}

		// Root cause analysis.
		an := map[string]any{"symptoms": "Screens go black", "root_cause": "Dock firmware 1.2",
			"whys": []map[string]string{{"question": "Why black?", "answer": "The dock resets."}, {"question": "Why resets?", "answer": "Firmware 1.2."}}}
		w = f.call(t, f.agentA, http.MethodPut, "/api/v1/problems/"+pk+"/analysis", an)
		wantStatus(t, w, 200)
		if got := get[ticket.Analysis](t, f, f.agentA, "/api/v1/problems/"+pk+"/analysis"); got.Method != ticket.MethodFiveWhys || len(got.Whys) != 2 || got.UpdatedAt == nil {
			t.Errorf("analysis = %+v", got)
		}
		wantError(t, f.call(t, f.agentA, http.MethodPut, "/api/v1/problems/"+pk+"/analysis", map[string]any{"method": "fishbone"}), 422, "invalid_field", "method")
		wantError(t, f.call(t, f.agentA, http.MethodGet, "/api/v1/problems/"+a.Key+"/analysis", nil), 409, "wrong_type", "")

		// A known error, found by search and applied to a third incident.
		w = f.call(t, f.agentA, http.MethodPost, "/api/v1/known-errors", map[string]any{"problem": pk, "title": "Dock firmware 1.2 resets",
			"symptoms": "Screen goes black for 5 seconds", "workaround": "Unplug the dock's power for 10 seconds."})
		wantStatus(t, w, 201)
		k := decode[ticket.KnownError](t, w)
		if w.Header().Get("Location") != fmt.Sprintf("/api/v1/known-errors/%d", k.ID) || k.Problem != pk || k.Status != ticket.KnownErrorActive {
			t.Errorf("known error = %+v at %s", k, w.Header().Get("Location"))
		}
		wantError(t, f.call(t, f.agentA, http.MethodPost, "/api/v1/known-errors", map[string]any{"problem": a.Key, "title": "x", "workaround": "y"}), 422, "invalid_field", "problem")
		for _, tt := range []struct {
			query string
			n     int
		}{{"q=SCREEN+goes", 1}, {"q=power", 1}, {"q=nothing+like+it", 0}, {"status=fixed", 0}, {"problem=" + pk, 1}, {"status=active,fixed&q=dock", 1}} {
			if page := get[store.KnownErrorPage](t, f, f.agentB, "/api/v1/known-errors?"+tt.query); page.Total != tt.n {
				t.Errorf("?%s: %d, want %d", tt.query, page.Total, tt.n)
			}
		}
		wantError(t, f.call(t, f.agentA, http.MethodGet, "/api/v1/known-errors?text=x", nil), 400, "unknown_parameter", "text")
		wantError(t, f.call(t, f.agentA, http.MethodGet, "/api/v1/known-errors?status=open", nil), 422, "invalid_field", "status")
		c := f.freshTicket(t, "incident")
		w = f.call(t, f.agentA, http.MethodPost, fmt.Sprintf("/api/v1/known-errors/%d/apply", k.ID), map[string]any{"incident": c.Key})
		wantStatus(t, w, 200)
		if res := decode[store.AppliedKnownError](t, w); !res.Linked || res.Problem != pk || !strings.Contains(res.Comment.Body, "Unplug") {
			t.Errorf("applied = %+v", res)
		}
		wantError(t, f.call(t, f.agentA, http.MethodPost, "/api/v1/known-errors/9999/apply", map[string]any{"incident": c.Key}), 404, "not_found", "")
		w = f.call(t, f.agentA, http.MethodPut, fmt.Sprintf("/api/v1/known-errors/%d", k.ID), map[string]any{"title": k.Title, "workaround": k.Workaround, "status": "Fixed"})
		wantStatus(t, w, 200)
		if got := decode[ticket.KnownError](t, w); got.Status != ticket.KnownErrorFixed {
			t.Errorf("updated status %s", got.Status)
		}

		// Customers see none of it, and not even that the problem exists.
		for _, path := range []string{"/api/v1/problems/" + pk + "/analysis", "/api/v1/problems/" + pk + "/incidents", "/api/v1/known-errors",
			fmt.Sprintf("/api/v1/known-errors/%d", k.ID), "/api/v1/incidents/" + a.Key + "/causes"} {
			w := f.call(t, f.alice, http.MethodGet, path, nil)
			wantError(t, w, 403, "forbidden", "")
			if strings.Contains(w.Body.String(), "Dock") {
				t.Errorf("%s leaks to a customer: %s", path, w.Body.String())
			}
		}
		wantError(t, f.call(t, f.alice, http.MethodGet, "/api/v1/tickets/"+pk, nil), 404, "not_found", "")

		// Resolve the problem and notify its three incidents.
		w = f.call(t, f.agentA, http.MethodPost, "/api/v1/problems/"+pk+"/resolve", map[string]any{"cascade": "resolve", "resolution": "Replaced", "comment": "Firmware 1.3 rolled out."})
		// A resolution that is no incident code cannot resolve incidents; nothing moves.
		wantError(t, w, 422, "invalid_field", "resolution")
		wantError(t, f.call(t, f.agentA, http.MethodPost, "/api/v1/problems/"+pk+"/resolve", map[string]any{"cascade": "all"}), 422, "invalid_field", "cascade")
		w = f.call(t, f.agentA, http.MethodPost, "/api/v1/problems/"+pk+"/resolve", map[string]any{"cascade": "notify", "resolution": "Fixed", "comment": "Firmware 1.3 rolled out."})
		wantStatus(t, w, 200)
		res := decode[store.ProblemResolution](t, w)
		if res.Problem.StatusCategory != ticket.CategoryDone || len(res.Notified) != 3 || len(res.Resolved) != 0 {
			t.Errorf("resolution = %+v", res)
		}
		type comments struct {
			Comments []ticket.Comment `json:"comments"`
		}
		cs := get[comments](t, f, f.alice, "/api/v1/tickets/"+a.Key+"/comments").Comments
		if len(cs) != 1 || !strings.Contains(cs[0].Body, "Firmware 1.3 rolled out.") {
			t.Errorf("alice's incident comments = %+v", cs)
		}
		wantError(t, f.call(t, f.agentA, http.MethodPost, "/api/v1/problems/"+pk+"/resolve", map[string]any{}), 409, "resolved", "")
	})
}

// TestPracticeOpenAPI checks the documentation of these routes against the
// Go types they answer with: the same properties, and required naming only
// those always present.
func TestPracticeOpenAPI(t *testing.T) {
	f := &fixture{h: api.New(nil, &auth.Authenticator{}, slog.New(slog.DiscardHandler))}
	w := f.call(t, nil, http.MethodGet, "/api/v1/openapi.json", nil)
	wantStatus(t, w, 200)
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `json:"properties"`
				Required   []string       `json:"required"`
			} `json:"schemas"`
		} `json:"components"`
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{
		"IncidentSettings": ticket.IncidentSettings{}, "ReopenResult": store.ReopenResult{}, "MajorIncident": ticket.MajorIncident{},
		"Communication": ticket.Communication{}, "AffectedService": store.AffectedService{}, "MajorIncidentEntry": store.MajorIncidentEntry{},
		"RelatedTicket": store.RelatedTicket{}, "Why": ticket.Why{}, "Analysis": ticket.Analysis{}, "GroupResult": store.GroupResult{},
		"ProblemResolution": store.ProblemResolution{}, "KnownError": ticket.KnownError{}, "KnownErrorPage": store.KnownErrorPage{},
		"AppliedKnownError": store.AppliedKnownError{},
	} {
		schema, ok := doc.Components.Schemas[name]
		if !ok {
			t.Errorf("schema %s is missing", name)
			continue
		}
		var want, got []string
		always := map[string]bool{}
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			tag := typ.Field(i).Tag.Get("json")
			if tag == "-" || !typ.Field(i).IsExported() {
				continue
			}
			field, opts, _ := strings.Cut(tag, ",")
			want = append(want, field)
			always[field] = !strings.Contains(opts, "omitempty")
		}
		for p := range schema.Properties {
			got = append(got, p)
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("schema %s has %v, the Go type %v", name, got, want)
		}
		for _, r := range schema.Required {
			if !always[r] {
				t.Errorf("schema %s requires %s, which the Go type may leave out", name, r)
			}
		}
		for field, a := range always {
			if a && !slices.Contains(schema.Required, field) {
				t.Errorf("schema %s: %s is always present but not required", name, field)
			}
		}
	}
	if _, ok := doc.Paths["/api/v1/known-errors"]["get"]; !ok {
		t.Error("GET /api/v1/known-errors is not documented")
	}
}
