package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// slaMonday is 09:00 on a Monday in London, when the default Business
// hours calendar opens: a Highest ticket raised then warns at 09:45 and
// breaches its first response at 10:00.
var slaMonday = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

// slaDesk is a desk with the default SLAs whose clock the test sets.
func slaDesk(t *testing.T, s *store.Store) (*desk, *time.Time) {
	t.Helper()
	now := slaMonday
	s.SetClock(func() time.Time { return now })
	if err := s.EnsureDefaultSLAs(context.Background()); err != nil {
		t.Fatal(err)
	}
	return newDesk(t, s), &now
}

func slaTick(t *testing.T, s *store.Store) {
	t.Helper()
	for {
		res, err := s.SLATick(context.Background(), "test")
		if err != nil {
			t.Fatal(err)
		}
		if !res.More {
			return
		}
	}
}

func slaRaise(t *testing.T, d *desk, summary, priority string) ticket.Ticket {
	t.Helper()
	tk, err := d.store.CreateTicket(context.Background(), d.fixture.Agents[0], store.NewTicket{Type: "incident", Service: d.fixture.Services[0].Name,
		Summary: summary, Priority: priority, ReporterID: d.fixture.Customers[0].UserID})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// slaPanelText is the text of the ticket page's SLA panel.
func slaPanelText(t *testing.T, body string) string {
	t.Helper()
	start := strings.Index(body, `id="sla"`)
	if start < 0 {
		t.Fatalf("no SLA panel:\n%s", agentText(body))
	}
	end := strings.Index(body[start:], "</section>")
	return body[start : start+end]
}

func TestSLAPanel(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d, now := slaDesk(t, s)
		tk := slaRaise(t, d, "Core switch down", "Highest")
		calm := slaRaise(t, d, "Slow printer", "Low")
		slaTick(t, s)
		b := d.login(t, d.fixture.Agents[0])

		*now = slaMonday.Add(50 * time.Minute)
		panel := slaPanelText(t, agentGet(t, b, "/agent/tickets/"+tk.Key, http.StatusOK))
		text := agentText(panel)
		for _, want := range []string{"Time to first response At risk", "Clock Running", "Goal 1h on Business hours", "Elapsed 50m", "Remaining 10m left",
			"Time to resolution On track", "Goal 4h on Business hours", "Remaining 3h 10m left"} {
			if !strings.Contains(text, want) {
				t.Errorf("panel at 09:50 lacks %q: %s", want, text)
			}
		}
		if !strings.Contains(panel, `class="sla-clock sla-tone-warn"`) || !strings.Contains(panel, `<rect class="sla-bar-fill" width="83"`) {
			t.Errorf("panel at 09:50 is not amber with 83%% spent:\n%s", panel)
		}
		queue := agentGet(t, b, "/agent/queues/sla-at-risk", http.StatusOK)
		if got := agentRows(queue); len(got) != 1 || got[0] != tk.Key {
			t.Errorf("SLA at risk rows %v", got)
		}
		if !strings.Contains(queue, `<span class="badge sla-badge sla-warning">At risk</span> <span class="sla-due sla-due-warning"`) {
			t.Errorf("no amber SLA cell in the queue:\n%s", agentText(queue))
		}
		if agentCount(t, queue, "sla-breached") != "0" || agentCount(t, queue, "sla-at-risk") != "1" {
			t.Error("SLA counts at 09:50")
		}

		*now = slaMonday.Add(90 * time.Minute)
		panel = slaPanelText(t, agentGet(t, b, "/agent/tickets/"+tk.Key, http.StatusOK))
		if text := agentText(panel); !strings.Contains(text, "Time to first response Breached") || !strings.Contains(text, "Remaining 30m over") ||
			!strings.Contains(text, "Breached at 2025-03-03") || !strings.Contains(panel, `class="sla-clock sla-tone-bad"`) {
			t.Errorf("panel at 10:30: %s", text)
		}
		queue = agentGet(t, b, "/agent/queues/sla-breached", http.StatusOK)
		if got := agentRows(queue); len(got) != 1 || got[0] != tk.Key || !strings.Contains(queue, "sla-badge sla-breached") {
			t.Errorf("SLA breached rows %v", got)
		}
		if got := agentRows(agentGet(t, b, "/agent/queues/unassigned", http.StatusOK)); len(got) != 2 {
			t.Errorf("unassigned rows %v", got)
		}

		// A reply stops the first response clock, breached for good.
		agentPost(t, b, "/agent/tickets/"+tk.Key+"/comments", url.Values{"body": {"On it"}, "visibility": {"public"}}, http.StatusOK)
		slaTick(t, s)
		text = agentText(slaPanelText(t, agentGet(t, b, "/agent/tickets/"+tk.Key, http.StatusOK)))
		if !strings.Contains(text, "Time to first response Breached") || !strings.Contains(text, "Clock Stopped") {
			t.Errorf("panel after the reply: %s", text)
		}
		if text := agentText(slaPanelText(t, agentGet(t, b, "/agent/tickets/"+calm.Key, http.StatusOK))); !strings.Contains(text, "Goal 16h on Business hours") ||
			!strings.Contains(text, "On track") {
			t.Errorf("the Low ticket's panel: %s", text)
		}

		// A goal whose query broke is told in the panel; the page still works.
		ms, _ := s.SLAMetrics(context.Background())
		m := ms[0]
		m.Goals[0].Query = `service = "Service Desk service" AND priority = Highest`
		if _, err := s.UpdateSLAMetric(context.Background(), d.fixture.Admin, m); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateService(context.Background(), d.fixture.Admin, renamed(t, s, d.fixture.Services[0].ID, "Desk")); err != nil {
			t.Fatal(err)
		}
		if text := agentText(slaPanelText(t, agentGet(t, b, "/agent/tickets/"+calm.Key, http.StatusOK))); !strings.Contains(text, "The SLA goals cannot be matched: line 1, column 11: there is no service") {
			t.Errorf("panel with a broken goal: %s", text)
		}

		// Customers never see SLAs.
		customer := d.login(t, d.fixture.Customers[0])
		_, body := customer.get("/portal/requests/" + tk.Key)
		if strings.Contains(body, "Time to first response") || strings.Contains(body, "sla-") {
			t.Error("the portal shows SLAs")
		}
	})
}

func TestSLAAdminPages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d, _ := slaDesk(t, s)
		ctx := context.Background()
		admin := d.login(t, d.fixture.Admin)
		body := agentGet(t, admin, "/admin/sla/calendars", http.StatusOK)
		if text := agentText(body); !strings.Contains(text, "Business hours Europe/London 09:00-17:00") || !strings.Contains(text, "24x7 UTC 00:00-24:00") {
			t.Errorf("calendars page: %s", text)
		}

		// A calendar with a mistake by each field it concerns.
		form := url.Values{"name": {"Night shift"}, "time_zone": {"Asia/Tokyo"}, "hours.monday": {"22:00-24:00"},
			"hours.tuesday": {"00:00-06:00, 22:00-24:00"}, "hours.wednesday": {"9-5"}, "holidays": {"2026-01-01 New Year"}}
		body = agentPost(t, admin, "/admin/sla/calendars/new", form, http.StatusUnprocessableEntity)
		if !strings.Contains(body, `id="err-hours.wednesday">&#34;9&#34; is not a time of day like 09:30`) || !strings.Contains(body, `value="00:00-06:00, 22:00-24:00"`) {
			t.Errorf("window error:\n%s", agentText(body))
		}
		form.Set("hours.wednesday", "")
		form.Set("holidays", "2026-01-01 New Year\n13-45 Nonsense")
		body = agentPost(t, admin, "/admin/sla/calendars/new", form, http.StatusUnprocessableEntity)
		if !strings.Contains(body, `id="err-holidays">Line 2: &#34;13-45&#34; is not a date`) {
			t.Errorf("holiday error:\n%s", agentText(body))
		}
		form.Set("holidays", "2026-01-01 New Year\n12-25 Christmas")
		body = agentPost(t, admin, "/admin/sla/calendars/new", form, http.StatusOK)
		if !strings.Contains(body, "Calendar “Night shift” saved.") {
			t.Errorf("no flash:\n%s", agentText(body))
		}
		cals, _ := s.Calendars(ctx)
		var night int64
		for _, c := range cals {
			if c.Name == "Night shift" {
				night = c.ID
				if c.TimeZone != "Asia/Tokyo" || len(c.Hours["tuesday"]) != 2 || len(c.Holidays) != 2 || c.Holidays[1].Name != "Christmas" {
					t.Errorf("saved calendar %+v", c)
				}
			}
		}
		edit := agentGet(t, admin, fmt.Sprintf("/admin/sla/calendars/%d", night), http.StatusOK)
		if !strings.Contains(edit, `<option value="Asia/Tokyo" selected>`) || !strings.Contains(edit, "12-25 Christmas") {
			t.Error("the calendar form does not show the calendar")
		}
		form.Set("name", "business HOURS")
		body = agentPost(t, admin, fmt.Sprintf("/admin/sla/calendars/%d", night), form, http.StatusConflict)
		if !strings.Contains(body, `id="err-name">A calendar named`) {
			t.Errorf("duplicate calendar:\n%s", agentText(body))
		}

		// Metrics and goals.
		body = agentGet(t, admin, "/admin/sla/metrics", http.StatusOK)
		if text := agentText(body); !strings.Contains(text, "Time to first response Active") || !strings.Contains(text, "1 priority = Highest 1h Business hours 75%") {
			t.Errorf("metrics page: %s", text)
		}
		ms, _ := s.SLAMetrics(ctx)
		edit = agentGet(t, admin, fmt.Sprintf("/admin/sla/metrics/%d", ms[0].ID), http.StatusOK)
		if !strings.Contains(edit, `name="goals.0.query" value="priority = Highest"`) || !strings.Contains(edit, `name="goals.4.target" value="24h"`) ||
			!strings.Contains(edit, `name="goals.5.query" value=""`) {
			t.Error("the metric form does not show the goals and a blank one")
		}
		biz := ms[0].Goals[0].CalendarID
		metric := url.Values{"name": {"Time to triage"}, "active": {"1"}, "start.0.on": {"created"}, "start.0.value": {""},
			"stop.0.on": {"category_left"}, "stop.0.value": {"To Do"}, "pause.0.kind": {"status"}, "pause.0.value": {"Waiting for customer"}, "reopen": {"none"},
			"goals.0.order": {"1"}, "goals.0.query": {"priority >= High"}, "goals.0.target": {"30m"}, "goals.0.calendar": {fmt.Sprint(biz)}, "goals.0.warn": {"75"},
			"goals.1.order": {"2"}, "goals.1.query": {"prority = Low"}, "goals.1.target": {"2h"}, "goals.1.calendar": {fmt.Sprint(night)}, "goals.1.warn": {"50"}}
		body = agentPost(t, admin, "/admin/sla/metrics/new", metric, http.StatusUnprocessableEntity)
		if !strings.Contains(body, `id="err-goals.1.query">Line 1, column 1: unknown field &#34;prority&#34;; did you mean &#34;priority&#34;?`) {
			t.Errorf("goal query error:\n%s", agentText(body))
		}
		metric.Set("goals.1.query", "priority = Low")
		metric.Set("goals.1.target", "soon")
		body = agentPost(t, admin, "/admin/sla/metrics/new", metric, http.StatusUnprocessableEntity)
		if !strings.Contains(body, `id="err-goals.1.target">Write the target as working time`) || !strings.Contains(body, `name="goals.1.target" value="soon"`) {
			t.Errorf("target error:\n%s", agentText(body))
		}
		metric.Set("goals.1.target", "1h 30m")
		metric.Set("goals.1.order", "0") // goes first
		body = agentPost(t, admin, "/admin/sla/metrics/new", metric, http.StatusOK)
		if !strings.Contains(body, "SLA metric “Time to triage” saved.") {
			t.Errorf("no flash:\n%s", agentText(body))
		}
		ms, _ = s.SLAMetrics(ctx)
		triage := ms[len(ms)-1]
		if triage.Name != "Time to triage" || len(triage.Goals) != 2 || triage.Goals[0].Query != "priority = Low" || triage.Goals[0].Target != 90*time.Minute ||
			triage.Conditions.Stop[0].Value != "to_do" || triage.Conditions.Pause[0].Status != "Waiting for customer" {
			t.Errorf("saved metric %+v", triage)
		}
		// Remove a goal and deactivate.
		edit = agentGet(t, admin, fmt.Sprintf("/admin/sla/metrics/%d", triage.ID), http.StatusOK)
		update := url.Values{"name": {"Time to triage"}, "start.0.on": {"created"}, "stop.0.on": {"category_left"}, "stop.0.value": {"to_do"}, "reopen": {"none"},
			"goals.0.id": {fmt.Sprint(triage.Goals[0].ID)}, "goals.0.query": {"priority = Low"}, "goals.0.target": {"1h 30m"}, "goals.0.calendar": {fmt.Sprint(night)}, "goals.0.warn": {"50"}, "goals.0.remove": {"1"},
			"goals.1.id": {fmt.Sprint(triage.Goals[1].ID)}, "goals.1.query": {"priority >= High"}, "goals.1.target": {"45m"}, "goals.1.calendar": {fmt.Sprint(biz)}, "goals.1.warn": {"75"}}
		agentPost(t, admin, fmt.Sprintf("/admin/sla/metrics/%d", triage.ID), update, http.StatusOK)
		got, _ := s.SLAMetric(ctx, triage.ID)
		if got.Active || len(got.Goals) != 1 || got.Goals[0].ID != triage.Goals[1].ID || got.Goals[0].Target != 45*time.Minute {
			t.Errorf("updated metric %+v", got)
		}
		update.Set("stop.0.value", "Parked")
		update.Set("stop.0.on", "status_entered")
		body = agentPost(t, admin, fmt.Sprintf("/admin/sla/metrics/%d", triage.ID), update, http.StatusUnprocessableEntity)
		if !strings.Contains(body, `id="err-stop.0.value">No workflow has a status &#34;Parked&#34;.`) {
			t.Errorf("status error:\n%s", agentText(body))
		}

		// Agents see the report, not the admin pages.
		agent := d.login(t, d.fixture.Agents[0])
		for _, path := range []string{"/admin/sla/metrics", "/admin/sla/calendars", fmt.Sprintf("/admin/sla/calendars/%d", night)} {
			if code, _ := agent.get(path); code != http.StatusNotFound {
				t.Errorf("agent GET %s: %d", path, code)
			}
		}
		if !strings.Contains(agentGet(t, admin, "/admin", http.StatusOK), `href="/admin/sla/metrics"`) {
			t.Error("the admin navigation has no SLA link")
		}
	})
}

func TestSLAReportPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d, now := slaDesk(t, s)
		fast := slaRaise(t, d, "Answered fast", "Highest")
		slow := slaRaise(t, d, "Answered late", "High")
		slaTick(t, s)
		b := d.login(t, d.fixture.Agents[0])
		*now = slaMonday.Add(30 * time.Minute)
		agentPost(t, b, "/agent/tickets/"+fast.Key+"/comments", url.Values{"body": {"Hello"}, "visibility": {"public"}}, http.StatusOK)
		*now = slaMonday.Add(5 * time.Hour) // High answers within 4h: late
		agentPost(t, b, "/agent/tickets/"+slow.Key+"/comments", url.Values{"body": {"Sorry"}, "visibility": {"public"}}, http.StatusOK)
		slaTick(t, s)

		body := agentGet(t, b, "/agent/reports/sla?from=2024-09-01&to=2025-03-31", http.StatusOK)
		text := agentText(body)
		if !strings.Contains(text, "Time to first response 2 1 1 50.0% 2h 45m") || !strings.Contains(body, `<rect class="sla-bar-bad" x="0"`) || !strings.Contains(text, "Met % by 2 weeks") {
			t.Errorf("report: %s", text)
		}
		body = agentGet(t, b, "/agent/reports/sla?from=2025-03-01&to=2025-03-07&group_by=service", http.StatusOK)
		if text := agentText(body); !strings.Contains(text, "Time to first response Service Desk service 2 1 1 50.0%") || !strings.Contains(text, "Met % by week") {
			t.Errorf("report by service: %s", text)
		}
		if text := agentText(agentGet(t, b, "/agent/reports/sla?from=2025-04-01&to=2025-04-30", http.StatusOK)); !strings.Contains(text, "No clock with a goal stopped in this period") {
			t.Errorf("empty report: %s", text)
		}
		body = agentGet(t, b, "/agent/reports/sla?from=2025-03-31&to=2025-03-01", http.StatusUnprocessableEntity)
		if !strings.Contains(body, `id="r-to-error">The last day comes before the first`) {
			t.Errorf("bad period:\n%s", agentText(body))
		}
		agentGet(t, b, "/agent/reports/sla?from=yesterday", http.StatusUnprocessableEntity)
		// The other team sees none of it.
		other := d.login(t, d.fixture.Agents[1])
		if text := agentText(agentGet(t, other, "/agent/reports/sla?from=2025-02-01&to=2025-03-31", http.StatusOK)); !strings.Contains(text, "No clock with a goal stopped") {
			t.Errorf("the other team's report: %s", text)
		}
		if !strings.Contains(agentGet(t, b, "/agent", http.StatusOK), `href="/agent/reports/sla"`) {
			t.Error("the sidebar does not link the report")
		}
	})
}
