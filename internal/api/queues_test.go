package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/queue"
	"github.com/cairn-itsm/cairn/internal/sla"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// spareQueue makes a queue for one call of the matrix.
func (f *fixture) spareQueue(t *testing.T) queue.Queue {
	t.Helper()
	q, err := f.s.CreateQueue(context.Background(), f.admin.actor, queue.Queue{Name: f.unique("Queue"), Query: "category != Done", Columns: queue.DefaultColumns})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// spareCalendar makes a calendar for one call of the matrix.
func (f *fixture) spareCalendar(t *testing.T) sla.Calendar {
	t.Helper()
	cal, err := f.s.CreateCalendar(context.Background(), f.admin.actor, sla.WorkingWeek(f.unique("Calendar"), "Europe/Paris", "09:00-17:00"))
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

func (f *fixture) metricBody(t *testing.T) map[string]any {
	t.Helper()
	cal := f.spareCalendar(t)
	return map[string]any{
		"name":       f.unique("Metric"),
		"conditions": map[string]any{"start": []any{map[string]any{"on": "created"}}, "stop": []any{map[string]any{"on": "resolved"}}},
		"goals":      []any{map[string]any{"query": "priority = High", "target_seconds": 3600, "calendar_id": cal.ID}},
	}
}

// queueAccessRows are the rows of the access matrix (TestAccessMatrix) for
// queues.go and sla.go.
func queueAccessRows() map[string]accessRow {
	queuePath := func(suffix string) func(t *testing.T, f *fixture, _ *user) (string, any) {
		return func(t *testing.T, f *fixture, _ *user) (string, any) {
			return fmt.Sprintf("/api/v1/queues/%d%s", f.spareQueue(t).ID, suffix), nil
		}
	}
	calendar := func(t *testing.T, f *fixture, _ *user) (string, any) {
		cal := f.spareCalendar(t)
		return fmt.Sprintf("/api/v1/sla/calendars/%d", cal.ID), map[string]any{"name": cal.Name, "time_zone": "UTC", "hours": map[string]any{"monday": []string{"08:00-12:00"}}}
	}
	metric := func(t *testing.T, f *fixture, _ *user) (string, any) {
		ms, err := f.s.SLAMetrics(context.Background())
		if err != nil || len(ms) == 0 {
			if err := f.s.EnsureDefaultSLAs(context.Background()); err != nil {
				t.Fatal(err)
			}
			ms, _ = f.s.SLAMetrics(context.Background())
		}
		m := ms[0]
		return fmt.Sprintf("/api/v1/sla/metrics/%d", m.ID), map[string]any{"name": m.Name, "conditions": m.Conditions, "active": true}
	}
	return map[string]accessRow{
		"GET /api/v1/queues": {fixed("/api/v1/queues?counts=true", nil), staffOnly},
		"POST /api/v1/queues": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/queues", map[string]any{"name": f.unique("Queue"), "query": "priority >= High"}
		}, [nCallers]int{401, 403, 403, 201, 201, 201}},
		"GET /api/v1/queues/{id}": {queuePath(""), staffOnly},
		"PUT /api/v1/queues/{id}": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			q := f.spareQueue(t)
			return fmt.Sprintf("/api/v1/queues/%d", q.ID), map[string]any{"name": q.Name, "query": "category = Done"}
		}, staffOnly},
		"DELETE /api/v1/queues/{id}":      {queuePath(""), [nCallers]int{401, 403, 403, 204, 204, 204}},
		"GET /api/v1/queues/{id}/tickets": {queuePath("/tickets"), staffOnly},
		"GET /api/v1/tickets/{key}/slas": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/tickets/" + f.aliceTicket.Key + "/slas", nil
		}, ticketStaff(200)},
		"GET /api/v1/sla/calendars": {fixed("/api/v1/sla/calendars", nil), staffOnly},
		"POST /api/v1/sla/calendars": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/sla/calendars", map[string]any{"name": f.unique("Calendar"), "time_zone": "UTC", "hours": map[string]any{"monday": []string{"00:00-24:00"}}}
		}, adminOnly(201)},
		"GET /api/v1/sla/calendars/{id}": {calendar, staffOnly},
		"PUT /api/v1/sla/calendars/{id}": {calendar, adminOnly(200)},
		"GET /api/v1/sla/metrics":        {fixed("/api/v1/sla/metrics", nil), staffOnly},
		"POST /api/v1/sla/metrics": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/sla/metrics", f.metricBody(t)
		}, adminOnly(201)},
		"GET /api/v1/sla/metrics/{id}": {metric, staffOnly},
		"PUT /api/v1/sla/metrics/{id}": {metric, adminOnly(200)},
		"GET /api/v1/reports/sla":      {fixed("/api/v1/reports/sla?group_by=service", nil), staffOnly},
	}
}

func TestListTicketsQuery(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		list := func(as *user, params string) store.TicketPage {
			t.Helper()
			return get[store.TicketPage](t, f, as, "/api/v1/tickets?"+params)
		}
		q := url.QueryEscape(`service = Laptops AND type = incident ORDER BY created ASC`)
		if got := keysOf(list(f.agentA, "q="+q).Tickets); !slices.Equal(got, []string{f.aliceShared.Key, f.bobTicket.Key}) {
			t.Errorf("q as anna: %v", got)
		}
		// Other filters narrow the query; sort replaces its order.
		if got := keysOf(list(f.admin, "q="+q+"&reporter="+url.QueryEscape(f.bob.Email)).Tickets); !slices.Equal(got, []string{f.bobTicket.Key}) {
			t.Errorf("q with reporter: %v", got)
		}
		if got := keysOf(list(f.admin, "q="+q+"&sort=created&order=desc").Tickets); !slices.Equal(got, []string{f.bobTicket.Key, f.aliceShared.Key}) {
			t.Errorf("q with sort: %v", got)
		}
		page := list(f.admin, "q="+url.QueryEscape("category != Done")+"&limit=2&offset=1")
		if page.Total != 4 || len(page.Tickets) != 2 || page.Limit != 2 || page.Offset != 1 {
			t.Errorf("paged q: total %d, %d tickets, limit %d offset %d", page.Total, len(page.Tickets), page.Limit, page.Offset)
		}
		// Customers: their own and their organization's, whatever the query.
		if got := keysOf(list(f.carol, "q="+url.QueryEscape("category != Done")).Tickets); !slices.Equal(got, []string{f.serversTicket.Key, f.aliceShared.Key}) {
			t.Errorf("carol's q: %v", got)
		}
		for _, tc := range []struct {
			as    *user
			q     string
			field string
			msg   string
		}{
			{f.agentA, "priority = Urgent", "q", "line 1, column 12: Urgent is not a priority"},
			{f.agentA, "service = Laptop", "q", `did you mean "Laptops"?`},
			{f.agentA, "status =\n", "q", "line 2, column 1"},
			{f.alice, "sla = breached", "q", "only agents may ask about SLAs"},
		} {
			w := f.call(t, tc.as, http.MethodGet, "/api/v1/tickets?q="+url.QueryEscape(tc.q), nil)
			wantError(t, w, http.StatusUnprocessableEntity, "invalid_field", tc.field)
			if e := decodeQuiet(w); !strings.Contains(e.Error.Message, tc.msg) {
				t.Errorf("q=%q: %q, want %q", tc.q, e.Error.Message, tc.msg)
			}
		}
		w := f.call(t, f.agentA, http.MethodGet, "/api/v1/tickets?q=category+%21%3D+Done&sort=colour", nil)
		wantError(t, w, http.StatusUnprocessableEntity, "invalid_field", "sort")
	})
}

func keysOf(ts []ticket.Ticket) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Key)
	}
	return out
}

type queueCounted struct {
	queue.Queue
	Count *int `json:"count"`
}

func TestQueuesAPI(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		all := get[struct{ Queues []queueCounted }](t, f, f.agentA, "/api/v1/queues?counts=true")
		var slugs []string
		for _, q := range all.Queues {
			slugs = append(slugs, q.Slug)
			if q.Count == nil {
				t.Errorf("queue %s has no count", q.Slug)
			}
		}
		if !slices.Equal(slugs, []string{"mine", "unassigned", "open", "sla-at-risk", "sla-breached", "resolved"}) {
			t.Fatalf("queues %v", slugs)
		}
		if n := *all.Queues[2].Count; n != 3 {
			t.Errorf("anna's open count %d, want 3 (the Laptops tickets)", n)
		}
		plain := get[map[string][]map[string]any](t, f, f.agentA, "/api/v1/queues")
		if _, has := plain["queues"][0]["count"]; has {
			t.Error("counts without counts=true")
		}

		w := f.call(t, f.agentA, http.MethodPost, "/api/v1/queues", map[string]any{
			"name": "Laptop incidents", "query": "service = Laptops AND type = incident", "columns": []string{"key", "summary", "sla"}, "sort": "created asc", "position": 0})
		wantStatus(t, w, http.StatusCreated)
		q := decode[queue.Queue](t, w)
		if q.Slug != "laptop-incidents" || q.Position != 0 || w.Header().Get("Location") != fmt.Sprintf("/api/v1/queues/%d", q.ID) || q.CreatedBy != f.agentA.ID {
			t.Errorf("created %+v at %s", q, w.Header().Get("Location"))
		}
		page := get[store.TicketPage](t, f, f.agentB, "/api/v1/queues/laptop-incidents/tickets")
		if page.Total != 0 {
			t.Errorf("otto sees %d laptop incidents", page.Total)
		}
		page = get[store.TicketPage](t, f, f.agentA, fmt.Sprintf("/api/v1/queues/%d/tickets", q.ID))
		if got := keysOf(page.Tickets); !slices.Equal(got, []string{f.aliceShared.Key, f.bobTicket.Key}) {
			t.Errorf("queue tickets: %v", got)
		}
		page = get[store.TicketPage](t, f, f.agentA, fmt.Sprintf("/api/v1/queues/%d/tickets?sort=created&order=desc&limit=1", q.ID))
		if got := keysOf(page.Tickets); !slices.Equal(got, []string{f.bobTicket.Key}) || page.Total != 2 {
			t.Errorf("queue tickets newest first: %v of %d", got, page.Total)
		}

		// Changing it: columns default, the position stays.
		w = f.call(t, f.agentB, http.MethodPut, "/api/v1/queues/laptop-incidents", map[string]any{"name": "Laptop trouble", "query": "service = Laptops"})
		wantStatus(t, w, http.StatusOK)
		up := decode[queue.Queue](t, w)
		if up.Name != "Laptop trouble" || up.Slug != "laptop-incidents" || up.Position != 0 || !slices.Equal(up.Columns, queue.DefaultColumns) || up.Sort != "" {
			t.Errorf("updated %+v", up)
		}
		for _, tc := range []struct {
			method, path string
			body         any
			status       int
			code, field  string
		}{
			{http.MethodPost, "/api/v1/queues", map[string]any{"name": "Bad", "query": "priority = Urgent"}, 422, "invalid_field", "query"},
			{http.MethodPost, "/api/v1/queues", map[string]any{"name": "Bad", "columns": []string{"summary"}}, 422, "invalid_field", "columns"},
			{http.MethodPost, "/api/v1/queues", map[string]any{"name": "laptop TROUBLE"}, 409, "duplicate", "name"},
			{http.MethodPost, "/api/v1/queues", map[string]any{"name": "Other", "slug": "mine"}, 409, "duplicate", "slug"},
			{http.MethodPost, "/api/v1/queues", map[string]any{"name": "Other", "colour": "red"}, 400, "unknown_field", "colour"},
			{http.MethodPut, "/api/v1/queues/open", map[string]any{"name": "All open", "query": "ORDER BY created", "sort": "priority desc"}, 422, "invalid_field", "sort"},
			{http.MethodGet, "/api/v1/queues?counts=maybe", nil, 422, "invalid_field", "counts"},
			{http.MethodGet, "/api/v1/queues/nope", nil, 404, "not_found", ""},
			{http.MethodGet, "/api/v1/queues/open/tickets?page=2", nil, 400, "unknown_parameter", "page"},
		} {
			w := f.call(t, f.agentA, tc.method, tc.path, tc.body)
			wantError(t, w, tc.status, tc.code, tc.field)
		}
		w = f.call(t, f.agentA, http.MethodDelete, fmt.Sprintf("/api/v1/queues/%d", q.ID), nil)
		wantStatus(t, w, http.StatusNoContent)
		wantError(t, f.call(t, f.agentA, http.MethodGet, fmt.Sprintf("/api/v1/queues/%d", q.ID), nil), 404, "not_found", "")
	})
}

func TestSLAAPI(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		ctx := context.Background()
		if err := s.EnsureDefaultSLAs(ctx); err != nil {
			t.Fatal(err)
		}
		tk := f.newTicket(t, f.agentA, store.NewTicket{Type: "incident", Service: "Laptops", Summary: "Dock is dead", Priority: "Highest", ReporterID: f.alice.ID})
		if _, err := s.SLATick(ctx, "test"); err != nil {
			t.Fatal(err)
		}
		slas := get[struct{ SLAs []map[string]any }](t, f, f.agentA, "/api/v1/tickets/"+tk.Key+"/slas").SLAs
		if len(slas) != 2 || slas[0]["metric"] != "Time to first response" || slas[0]["state"] != "running" || slas[0]["target_seconds"] != float64(3600) {
			t.Errorf("slas: %v", slas)
		}

		// Calendars.
		w := f.call(t, f.admin, http.MethodPost, "/api/v1/sla/calendars", map[string]any{
			"name": "Support hours", "time_zone": "America/New_York",
			"hours":    map[string]any{"Monday": []string{"13:00-17:00", "08:00-12:00"}, "saturday": []string{"10:00-14:00"}},
			"holidays": []map[string]any{{"date": "07-04", "name": "Independence Day"}}})
		wantStatus(t, w, http.StatusCreated)
		cal := decode[sla.Calendar](t, w)
		if !slices.Equal(cal.Hours["monday"], []string{"08:00-12:00", "13:00-17:00"}) || len(cal.Holidays) != 1 {
			t.Errorf("calendar %+v", cal)
		}
		got := get[sla.Calendar](t, f, f.agentA, fmt.Sprintf("/api/v1/sla/calendars/%d", cal.ID))
		if got.TimeZone != "America/New_York" {
			t.Errorf("read back %+v", got)
		}
		for _, tc := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"name": "X", "time_zone": "Mars/Olympus", "hours": map[string]any{"monday": []string{"09:00-17:00"}}}, "time_zone"},
			{map[string]any{"name": "X", "time_zone": "UTC", "hours": map[string]any{"monday": []string{"09:00-17:00", "16:00-18:00x"}}}, "hours.monday[1]"},
			{map[string]any{"name": "X", "time_zone": "UTC", "hours": map[string]any{"monday": []string{"09:00-17:00"}}, "holidays": []map[string]any{{"date": "31-12"}}}, "holidays[0].date"},
		} {
			wantError(t, f.call(t, f.admin, http.MethodPut, fmt.Sprintf("/api/v1/sla/calendars/%d", cal.ID), tc.body), 422, "invalid_field", tc.field)
		}
		wantError(t, f.call(t, f.admin, http.MethodPost, "/api/v1/sla/calendars", map[string]any{"name": "support HOURS", "time_zone": "UTC", "hours": map[string]any{"monday": []string{"09:00-17:00"}}}), 409, "duplicate", "")

		// Metrics.
		body := map[string]any{
			"name": "Time to triage",
			"conditions": map[string]any{"start": []any{map[string]any{"on": "created"}}, "stop": []any{map[string]any{"on": "category_left", "value": "to_do"}},
				"pause": []any{map[string]any{"status": "Waiting for customer"}}},
			"goals": []any{
				map[string]any{"query": "priority >= High", "target_seconds": 1800, "calendar_id": cal.ID},
				map[string]any{"query": "", "target_seconds": 7200, "calendar_id": cal.ID, "warn_percent": 50},
			},
		}
		w = f.call(t, f.admin, http.MethodPost, "/api/v1/sla/metrics", body)
		wantStatus(t, w, http.StatusCreated)
		m := decode[sla.Metric](t, w)
		if !m.Active || len(m.Goals) != 2 || m.Goals[0].WarnPercent != 75 || m.Goals[1].WarnPercent != 50 || m.Goals[1].Target != 2*time.Hour {
			t.Errorf("metric %+v", m)
		}
		body["goals"] = []any{map[string]any{"id": m.Goals[1].ID, "query": "priority = Urgent", "target_seconds": 60, "calendar_id": cal.ID}}
		w = f.call(t, f.admin, http.MethodPut, fmt.Sprintf("/api/v1/sla/metrics/%d", m.ID), body)
		wantError(t, w, 422, "invalid_field", "goals[0].query")
		if e := decodeQuiet(w); !strings.Contains(e.Error.Message, "line 1, column 12") {
			t.Errorf("goal query message %q", e.Error.Message)
		}
		body["goals"] = []any{map[string]any{"id": m.Goals[1].ID, "query": "", "target_seconds": 60, "calendar_id": 9999}}
		wantError(t, f.call(t, f.admin, http.MethodPut, fmt.Sprintf("/api/v1/sla/metrics/%d", m.ID), body), 422, "invalid_field", "goals[0].calendar_id")
		body["goals"] = []any{map[string]any{"id": m.Goals[1].ID, "query": "", "target_seconds": 60, "calendar_id": cal.ID}}
		body["active"] = false
		w = f.call(t, f.admin, http.MethodPut, fmt.Sprintf("/api/v1/sla/metrics/%d", m.ID), body)
		wantStatus(t, w, http.StatusOK)
		if up := decode[sla.Metric](t, w); up.Active || len(up.Goals) != 1 || up.Goals[0].ID != m.Goals[1].ID {
			t.Errorf("updated metric %+v", up)
		}
		if ms := get[struct{ Metrics []sla.Metric }](t, f, f.agentB, "/api/v1/sla/metrics").Metrics; len(ms) != 3 {
			t.Errorf("%d metrics", len(ms))
		}

		// The report: the first response clock stops with a public reply.
		if _, err := s.AddComment(ctx, f.agentA.actor, tk.Key, "Looking", false); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SLATick(ctx, "test"); err != nil {
			t.Fatal(err)
		}
		today := time.Now().UTC().Format(time.DateOnly)
		rep := get[struct {
			From, To time.Time
			GroupBy  string `json:"group_by"`
			Rows     []store.SLAReportRow
		}](t, f, f.agentA, "/api/v1/reports/sla?from="+today+"&to="+today+"&group_by=service")
		if rep.GroupBy != "service" || len(rep.Rows) != 1 || rep.Rows[0].Group != "Laptops" || rep.Rows[0].Met != 1 || rep.Rows[0].MetPercent != 100 || rep.To.Sub(rep.From) != 24*time.Hour {
			t.Errorf("report %+v", rep)
		}
		if rows := get[struct{ Rows []store.SLAReportRow }](t, f, f.agentB, "/api/v1/reports/sla").Rows; len(rows) != 0 {
			t.Errorf("otto's report counts anna's tickets: %+v", rows)
		}
		for _, p := range []struct{ params, field string }{
			{"from=yesterday", "from"}, {"from=2020-02-01&to=2020-01-01", "to"}, {"group_by=colour", "group_by"},
		} {
			wantError(t, f.call(t, f.agentA, http.MethodGet, "/api/v1/reports/sla?"+p.params, nil), 422, "invalid_field", p.field)
		}
	})
}
