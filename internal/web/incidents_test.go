package web_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// incWired skips a test until the practice pages are registered in
// web.New (w.practiceRoutes()).
func incWired(t *testing.T, d *desk) {
	t.Helper()
	b := d.login(t, d.fixture.Admin)
	if code, _ := b.get("/agent/major-incidents"); code == http.StatusNotFound {
		t.Skip("the incident and problem pages are not registered yet: call w.practiceRoutes() in web.New")
	}
}

func incGet(t *testing.T, b *browser, path string, want int) string {
	t.Helper()
	code, body := b.get(path)
	if code != want {
		t.Fatalf("GET %s: status %d, want %d\n%s", path, code, want, body)
	}
	return html.UnescapeString(body)
}

func incPost(t *testing.T, b *browser, path string, form url.Values, want int) string {
	t.Helper()
	resp := b.post(path, form)
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("POST %s: status %d, want %d\n%s", path, resp.StatusCode, want, raw)
	}
	return html.UnescapeString(string(raw))
}

func incContains(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: %q is missing", what, w)
		}
	}
}

func incLacks(t *testing.T, what, body string, bad ...string) {
	t.Helper()
	for _, w := range bad {
		if strings.Contains(body, w) {
			t.Errorf("%s: %q should not be there", what, w)
		}
	}
}

// incRaise raises an incident on the fixture's first service as a customer.
func incRaise(t *testing.T, d *desk, summary string) ticket.Ticket {
	t.Helper()
	tk, err := d.store.CreateTicket(context.Background(), d.fixture.Customers[0], store.NewTicket{
		Type: "incident", Service: d.fixture.Services[0].Name, Summary: summary, Description: "Details of " + summary})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

var incRowKey = regexp.MustCompile(`<tr data-key="([^"]+)"`)

func incRows(body string) []string {
	var out []string
	for _, m := range incRowKey.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestMajorIncidentPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		incWired(t, d)
		f := d.fixture
		inc := incRaise(t, d, "Email is down for everyone")
		agent := d.login(t, f.Agents[0])
		incGet(t, agent, "/agent/tickets/"+inc.Key, http.StatusOK) // for the CSRF token

		body := incPost(t, agent, "/agent/incidents/"+inc.Key+"/major", url.Values{"reason": {"Nobody can send mail"}, "back": {"/agent/tickets/" + inc.Key}}, http.StatusOK)
		incContains(t, "after declaring", body, inc.Key+" is a major incident")
		if strings.Contains(body, "Incident management") {
			incContains(t, "the ticket page's panel", body, "Major incident</span> declared by Agent 0", "Nobody can send mail", "End the major incident")
		}

		// Updates from the major incident view.
		for _, u := range []url.Values{
			{"audience": {"internal"}, "message": {"Exchange queue stuck; restarting transport."}},
			{"audience": {"customers"}, "message": {"Email is down. Next update at **10:30**."}},
		} {
			u.Set("back", "/agent/major-incidents")
			body = incPost(t, agent, "/agent/incidents/"+inc.Key+"/communications", u, http.StatusOK)
		}
		incContains(t, "the major incident view", body, "<h1>Major incidents</h1>", "Email is down for everyone", "Nobody can send mail",
			"Exchange queue stuck", "Next update at <strong>10:30</strong>", "To customers", "Internal", f.Services[0].Name)
		if strings.Index(body, "Next update at") > strings.Index(body, "Exchange queue stuck") {
			t.Error("the newest update should come first")
		}
		body = incPost(t, agent, "/agent/incidents/"+inc.Key+"/communications", url.Values{"audience": {"customers"}, "message": {"  "}, "back": {"/agent/major-incidents"}}, http.StatusUnprocessableEntity)
		incContains(t, "an empty update", body, "Not done: post the update", "Message is required.", `href="/agent/major-incidents"`)

		// Who sees the view.
		other := d.login(t, f.Agents[1])
		if rows := incGet(t, other, "/agent/major-incidents", http.StatusOK); strings.Contains(rows, inc.Key) {
			t.Error("an agent of another service sees the major incident")
		}
		customer := d.login(t, f.Customers[0])
		incGet(t, customer, "/agent/major-incidents", http.StatusNotFound)
		// The customer's history of the ticket shows the update for customers only.
		log, err := s.Communications(context.Background(), f.Customers[0], inc.Key)
		if err != nil || len(log) != 1 || log[0].Audience != ticket.AudienceCustomers {
			t.Errorf("the customer's log = %+v, %v", log, err)
		}

		body = incPost(t, agent, "/agent/incidents/"+inc.Key+"/major/end", url.Values{"back": {"/agent/major-incidents"}}, http.StatusOK)
		incContains(t, "after ending", body, inc.Key+" is no longer a major incident", "No major incident is open")
		body = incPost(t, agent, "/agent/incidents/"+inc.Key+"/major/end", url.Values{"back": {"/agent/major-incidents"}}, http.StatusConflict)
		incContains(t, "ending twice", body, "is not a major incident")
	})
}

func TestIncidentPanel(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		incWired(t, d)
		f := d.fixture
		inc := incRaise(t, d, "VPN drops")
		agent := d.login(t, f.Agents[0])
		body := incGet(t, agent, "/agent/tickets/"+inc.Key, http.StatusOK)
		if !strings.Contains(body, "Incident management") {
			t.Skip("the ticket page does not include the incident panel yet")
		}
		incContains(t, "the panel", body, "Declare a major incident", "Communication log", "Affected services", f.Services[0].Name+" <small>(its service)</small>",
			"Affected CIs", "Caused by", "Search for a workaround", "Resolve with one of: Fixed, Workaround")

		back := "/agent/tickets/" + inc.Key
		body = incPost(t, agent, "/agent/incidents/"+inc.Key+"/services", url.Values{"service": {strconv.FormatInt(f.Services[1].ID, 10)}, "back": {back}}, http.StatusOK)
		incContains(t, "affected services", body, "Affected services: "+f.Services[0].Name+", "+f.Services[1].Name+".")

		p, err := s.CreateTicket(context.Background(), f.Agents[0], store.NewTicket{Type: "problem", Service: f.Services[0].Name, Summary: "VPN concentrator"})
		if err != nil {
			t.Fatal(err)
		}
		body = incPost(t, agent, "/agent/incidents/"+inc.Key+"/causes", url.Values{"ticket": {strings.ToLower(p.Key)}, "back": {back}}, http.StatusOK)
		incContains(t, "caused by", body, inc.Key+" is caused by problem "+p.Key, `href="/agent/problems/`+p.Key+`"`)
		body = incPost(t, agent, "/agent/incidents/"+inc.Key+"/causes", url.Values{"ticket": {inc.Key}, "back": {back}}, http.StatusUnprocessableEntity)
		incContains(t, "caused by itself", body, "an incident is caused by a problem or a change")

		// Resolved: agents may reopen; the panel says until when customers may.
		if _, err := s.Transition(context.Background(), f.Agents[0], inc.Key, store.TransitionInput{To: "resolve", Resolution: "Fixed"}); err != nil {
			t.Fatal(err)
		}
		body = incGet(t, agent, "/agent/tickets/"+inc.Key, http.StatusOK)
		incContains(t, "a resolved incident", body, "Customers may reopen it until")
		body = incPost(t, agent, "/agent/incidents/"+inc.Key+"/reopen", url.Values{"comment": {"Back again"}}, http.StatusOK)
		incContains(t, "reopened", body, inc.Key+" is open again.")

		// The problem's ticket page has the problem panel.
		body = incGet(t, agent, "/agent/tickets/"+p.Key, http.StatusOK)
		incContains(t, "the problem panel", body, "Problem management", "Open the problem page", inc.Key)
	})
}

func TestGroupIncidentsPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		incWired(t, d)
		f := d.fixture
		a, b, c := incRaise(t, d, "Printer 1 offline"), incRaise(t, d, "Printer 2 offline"), incRaise(t, d, "Printer 3 offline")
		agent := d.login(t, f.Agents[0])
		body := incGet(t, agent, "/agent/incidents", http.StatusOK)
		if got := incRows(body); len(got) != 3 || got[0] != c.Key {
			t.Errorf("open incidents %v, want the three, newest first", got)
		}
		incContains(t, "the grouping form", body, `name="incident" value="`+a.Key+`"`, "Add to problem…", "No open problem yet")

		// Nothing ticked, or no summary for the new problem.
		body = incPost(t, agent, "/agent/incidents/group", url.Values{"target": {"new"}, "summary": {"Print server"}}, http.StatusUnprocessableEntity)
		incContains(t, "nothing ticked", body, "Tick the incidents to add to the problem.")
		body = incPost(t, agent, "/agent/incidents/group", url.Values{"target": {"new"}, "incident": {a.Key, b.Key}}, http.StatusUnprocessableEntity)
		incContains(t, "no summary", body, "Give the new problem a summary.", `value="`+a.Key+`" id="pick-`+a.Key+`" checked`)

		body = incPost(t, agent, "/agent/incidents/group", url.Values{"target": {"new"}, "incident": {a.Key, b.Key}, "summary": {"Print server spooler crashes"}}, http.StatusOK)
		incContains(t, "the new problem's page", body, "Problem", "raised with 2 incidents.", "<h1>Print server spooler crashes</h1>", "Incidents <small>2, 2 open</small>")
		if rows := incRows(body); len(rows) != 2 || rows[0] != a.Key || rows[1] != b.Key {
			t.Errorf("the problem's incidents %v", rows)
		}
		list, err := s.Tickets(context.Background(), f.Admin, store.TicketFilter{Types: []ticket.Type{ticket.TypeProblem}})
		if err != nil || list.Total != 1 {
			t.Fatalf("problems: %d, %v", list.Total, err)
		}
		p := list.Tickets[0]

		// The third joins the existing problem; the second is linked already.
		body = incGet(t, agent, "/agent/incidents", http.StatusOK)
		incContains(t, "open problems to choose", body, `<option value="`+p.Key+`">`+p.Key+" Print server spooler crashes (Open)</option>")
		body = incPost(t, agent, "/agent/incidents/group", url.Values{"target": {"existing"}, "problem": {p.Key}, "incident": {b.Key, c.Key}}, http.StatusOK)
		incContains(t, "grouped into the existing problem", body, p.Key+" now groups 1 incident. "+b.Key+" was linked to it already.")
		body = incPost(t, agent, "/agent/incidents/group", url.Values{"target": {"existing"}, "incident": {c.Key}}, http.StatusUnprocessableEntity)
		incContains(t, "no problem chosen", body, "Choose a problem, or create a new one.")

		body = incGet(t, agent, "/agent/problems", http.StatusOK)
		incContains(t, "open problems", body, "<h1>Open problems</h1>", p.Key)
		incGet(t, d.login(t, f.Customers[0]), "/agent/incidents", http.StatusNotFound)
	})
}

func TestProblemPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		incWired(t, d)
		f := d.fixture
		ctx := context.Background()
		a, b := incRaise(t, d, "Wi-Fi drops in room 4"), incRaise(t, d, "Wi-Fi drops in room 5")
		res, err := s.GroupIncidents(ctx, f.Agents[0], []string{a.Key, b.Key}, "", &store.NewProblem{Summary: "Access points reboot"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.Transition(ctx, f.Agents[0], res.Problem.Key, store.TransitionInput{To: "investigate"})
		if err != nil {
			t.Fatal(err)
		}
		page := "/agent/problems/" + p.Key
		agent := d.login(t, f.Agents[0])
		body := incGet(t, agent, page, http.StatusOK)
		incContains(t, "the problem page", body, "Root cause analysis", "Why 1?", "Why 5?", "Record a known error", "Its open incidents (2)", a.Key, b.Key)

		// The analysis: a refused one keeps what was typed.
		form := url.Values{"symptoms": {"Clients lose Wi-Fi for a minute"}, "method": {"five_whys"},
			"why_q_1": {"Why do clients drop?"}, "why_a_1": {"The access point reboots."}, "why_a_2": {"An answer without its question"}}
		body = incPost(t, agent, page+"/analysis", form, http.StatusUnprocessableEntity)
		incContains(t, "a refused analysis", body, "Whys[1].question is required.", `value="An answer without its question"`, "Clients lose Wi-Fi for a minute")
		form.Set("why_q_2", "Why does it reboot?")
		form.Set("why_a_2", "Firmware 7.1 leaks memory.")
		form.Set("root_cause", "A memory leak in firmware 7.1")
		body = incPost(t, agent, page+"/analysis", form, http.StatusOK)
		incContains(t, "a saved analysis", body, "Root cause analysis saved.", `value="Firmware 7.1 leaks memory."`, "Last saved by Agent 0")
		an, err := s.ProblemAnalysis(ctx, f.Admin, p.Key)
		if err != nil || len(an.Whys) != 2 || an.RootCause != "A memory leak in firmware 7.1" {
			t.Errorf("stored analysis %+v, %v", an, err)
		}

		// A known error, found in the search and applied to an incident.
		body = incPost(t, agent, page+"/known-errors", url.Values{"title": {"Access points reboot hourly"}, "workaround": {" "}}, http.StatusUnprocessableEntity)
		incContains(t, "a known error without workaround", body, "Workaround is required.", `value="Access points reboot hourly"`)
		body = incPost(t, agent, page+"/known-errors", url.Values{"title": {"Access points reboot hourly"},
			"symptoms": {"Wi-Fi gone for a minute"}, "workaround": {"Connect to the **guest** network meanwhile."}}, http.StatusOK)
		incContains(t, "a recorded known error", body, "Known error recorded: Access points reboot hourly.", "<strong>guest</strong>")
		c := incRaise(t, d, "No Wi-Fi at my desk")
		body = incGet(t, agent, "/agent/known-errors?q=GUEST&incident="+c.Key, http.StatusOK)
		incContains(t, "the search", body, "1-1 of 1", "Access points reboot hourly", `name="incident" value="`+c.Key+`"`)
		body = incGet(t, agent, "/agent/known-errors?q=printer", http.StatusOK)
		incContains(t, "a search without match", body, "No known errors match.")
		page2, _ := s.KnownErrors(ctx, f.Admin, store.KnownErrorFilter{})
		kid := page2.KnownErrors[0].ID
		body = incPost(t, agent, "/agent/known-errors/"+strconv.FormatInt(kid, 10)+"/apply", url.Values{"incident": {strings.ToLower(c.Key)}}, http.StatusOK)
		incContains(t, "applied", body, "Workaround posted on "+c.Key+", now linked to problem "+p.Key+".")
		cms, _ := s.Comments(ctx, f.Customers[0], c.Key)
		if len(cms) != 1 || !strings.Contains(cms[0].Body, "guest") {
			t.Errorf("the customer reads %+v", cms)
		}
		body = incPost(t, agent, "/agent/known-errors/"+strconv.FormatInt(kid, 10)+"/apply", url.Values{"incident": {"IT-9999"}}, http.StatusUnprocessableEntity)
		incContains(t, "applied to nothing", body, "There is no incident IT-9999 you can see.")

		// Resolve, resolving the three incidents with it.
		body = incPost(t, agent, page+"/resolve", url.Values{"cascade": {"resolve"}, "resolution": {"Replaced"}}, http.StatusUnprocessableEntity)
		incContains(t, "a resolution that is no code", body, "Resolution must be one of")
		body = incPost(t, agent, page+"/resolve", url.Values{"cascade": {"resolve"}, "resolution": {"Fixed"}, "comment": {"Firmware 7.2 everywhere."}}, http.StatusOK)
		incContains(t, "resolved", body, p.Key+" is Resolved. Resolved with it: ", "This problem is Resolved.")
		for _, k := range []string{a.Key, b.Key, c.Key} {
			if tk, _ := s.Ticket(ctx, f.Admin, k); tk.Status != "Resolved" || tk.Resolution != "Fixed" {
				t.Errorf("%s is %s (%s)", k, tk.Status, tk.Resolution)
			}
		}

		// Editing a known error.
		body = incPost(t, agent, "/agent/known-errors/"+strconv.FormatInt(kid, 10), url.Values{"title": {"Access points reboot hourly"}, "workaround": {"Fixed by 7.2."}, "status": {"fixed"}}, http.StatusOK)
		incContains(t, "edited", body, "Known error saved.", `<option value="fixed" selected>`)
		incGet(t, d.login(t, f.Customers[0]), "/agent/known-errors", http.StatusNotFound)
		incGet(t, agent, "/agent/problems/"+a.Key, http.StatusOK) // an incident's key leads to its ticket page
	})
}

func TestIncidentAdminPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		incWired(t, d)
		admin := d.login(t, d.fixture.Admin)
		body := incGet(t, admin, "/admin/incidents", http.StatusOK)
		incContains(t, "the admin page", body, "Priority matrix", `name="m_high_low"`, "Reopen window", "Cannot reproduce")
		form := url.Values{}
		for _, impact := range []string{"high", "medium", "low"} {
			for _, urgency := range []string{"high", "medium", "low"} {
				form.Set("m_"+impact+"_"+urgency, string(ticket.DefaultMatrix[ticket.Level(impact)][ticket.Level(urgency)]))
			}
		}
		form.Set("m_high_low", "Highest")
		body = incPost(t, admin, "/admin/incidents/matrix", form, http.StatusOK)
		incContains(t, "saved matrix", body, "Priority matrix saved.")
		if m, _ := s.PriorityMatrix(context.Background()); m[ticket.LevelHigh][ticket.LevelLow] != ticket.PriorityHighest {
			t.Errorf("stored matrix %v", m)
		}
		form.Del("m_low_low")
		body = incPost(t, admin, "/admin/incidents/matrix", form, http.StatusUnprocessableEntity)
		incContains(t, "a missing cell", body, "Choose a priority for low impact and low urgency.")

		body = incPost(t, admin, "/admin/incidents/rules", url.Values{"reopen_window_days": {"many"}, "resolution_codes": {"Fixed\nWorkaround"}}, http.StatusUnprocessableEntity)
		incContains(t, "a bad window", body, "Reopen window days must be a whole number of days.", `value="many"`)
		body = incPost(t, admin, "/admin/incidents/rules", url.Values{"reopen_window_days": {"3"}, "resolution_codes": {" Fixed \n\nWorkaround\n"}, "require_resolution_code": {"1"}}, http.StatusOK)
		incContains(t, "saved rules", body, "Incident rules saved.")
		if st, _ := s.IncidentSettings(context.Background()); st.ReopenWindowDays != 3 || len(st.ResolutionCodes) != 2 || !st.RequireResolutionCode {
			t.Errorf("stored rules %+v", st)
		}
		incGet(t, d.login(t, d.fixture.Agents[0]), "/admin/incidents", http.StatusNotFound)
	})
}

func TestPortalReopen(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		incWired(t, d)
		f := d.fixture
		ctx := context.Background()
		resolve := func(summary string, at time.Time) ticket.Ticket {
			tk := incRaise(t, d, summary)
			if _, err := s.Transition(store.AtTime(ctx, at), f.Agents[0], tk.Key, store.TransitionInput{To: "resolve", Resolution: "Fixed"}); err != nil {
				t.Fatal(err)
			}
			return tk
		}
		recent, old := resolve("Screen flickers", time.Now().Add(-time.Hour)), resolve("Keyboard dead", time.Now().Add(-60*24*time.Hour))
		customer := d.login(t, f.Customers[0])
		body := incGet(t, customer, "/portal/requests/"+recent.Key, http.StatusOK)
		if strings.Contains(body, `action="/portal/incidents/`+recent.Key+`/reopen"`) {
			incContains(t, "the portal's reopen form", body, "Still not working?")
		}
		body = incPost(t, customer, "/portal/incidents/"+recent.Key+"/reopen", url.Values{"comment": {"It flickers again"}}, http.StatusOK)
		incContains(t, "reopened", body, recent.Key+" is open again.")
		body = incPost(t, customer, "/portal/incidents/"+old.Key+"/reopen", url.Values{"comment": {"Dead again"}}, http.StatusOK)
		incContains(t, "raised again", body, old.Key+" was resolved too long ago to reopen, so ", "Recurrence of "+old.Key)
		body = incPost(t, customer, "/portal/incidents/"+recent.Key+"/reopen", url.Values{}, http.StatusConflict)
		incContains(t, "reopen an open incident", body, "is Open, not resolved")
		other := d.login(t, f.Customers[1]) // of the other organization
		incPost(t, other, "/portal/incidents/"+old.Key+"/reopen", url.Values{}, http.StatusNotFound)
	})
}
