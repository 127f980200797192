package api_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// ticketCount is the number of tickets in the desk, as an admin lists them.
func ticketCount(t *testing.T, f *fixture) int {
	t.Helper()
	return get[store.TicketPage](t, f, f.admin, "/api/v1/tickets?limit=1").Total
}

// history is a ticket's event log as an admin reads it.
func history(t *testing.T, f *fixture, key string) []ticket.Event {
	t.Helper()
	return get[struct {
		Events []ticket.Event `json:"events"`
	}](t, f, f.admin, "/api/v1/tickets/"+key+"/history").Events
}

func keyNumber(t *testing.T, key string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.TrimPrefix(key, "IT-"))
	if err != nil || !strings.HasPrefix(key, "IT-") {
		t.Fatalf("key %q is not IT-<number>", key)
	}
	return n
}

func TestCreateTicket(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)

		w := f.call(t, f.alice, http.MethodPost, "/api/v1/tickets", map[string]any{
			"service": "laptops", "request_type": "New laptop", "summary": "  Laptop for a new starter  ",
			"description": "Dora starts on Monday.", "fields": map[string]any{"os": "mac", "notes": " 16 GB "},
		})
		wantStatus(t, w, http.StatusCreated)
		tk := decode[ticket.Ticket](t, w)
		if !regexp.MustCompile(`^IT-\d+$`).MatchString(tk.Key) {
			t.Fatalf("key %q", tk.Key)
		}
		loc := w.Header().Get("Location")
		if loc != "/api/v1/tickets/"+tk.Key {
			t.Fatalf("Location %q", loc)
		}
		if tk.Status != "Waiting for support" || tk.StatusCategory != ticket.CategoryToDo || tk.Type != ticket.TypeServiceRequest ||
			tk.Summary != "Laptop for a new starter" || tk.Service != "Laptops" || tk.RequestType != "New laptop" ||
			tk.ReporterID != f.alice.ID || tk.Channel != ticket.ChannelAPI || tk.Priority != ticket.PriorityMedium ||
			tk.TeamID != f.teamA.ID || tk.OrganizationID != 0 {
			t.Errorf("created %+v", tk)
		}
		if tk.Fields["os"] != "mac" || tk.Fields["notes"] != "16 GB" {
			t.Errorf("fields %v", tk.Fields)
		}
		got := get[ticket.Ticket](t, f, f.alice, loc)
		if got.Key != tk.Key || got.Summary != tk.Summary || got.Status != tk.Status || !got.CreatedAt.Equal(tk.CreatedAt) {
			t.Errorf("GET gives %+v, POST gave %+v", got, tk)
		}
		wantError(t, f.call(t, f.carol, http.MethodGet, "/api/v1/tickets/"+tk.Key, nil), 404, "not_found", "")
		wantStatus(t, f.call(t, f.agentA, http.MethodGet, "/api/v1/tickets/"+tk.Key, nil), 200)

		// A customer may share with her own organization.
		w = f.call(t, f.alice, http.MethodPost, "/api/v1/tickets", map[string]any{
			"type": "incident", "service": f.laptops.ID, "summary": "Shared", "organization": "Finance"})
		wantStatus(t, w, http.StatusCreated)
		shared := decode[ticket.Ticket](t, w)
		if shared.OrganizationID != f.finance.ID || shared.Organization != "Finance" {
			t.Errorf("shared ticket %+v", shared)
		}
		wantStatus(t, f.call(t, f.carol, http.MethodGet, "/api/v1/tickets/"+shared.Key, nil), 200)

		// Agents raise tickets for others, with the matrix's priority.
		w = f.call(t, f.agentA, http.MethodPost, "/api/v1/tickets", map[string]any{
			"type": "incident", "service": "Laptops", "summary": "Bob's laptop is on fire", "impact": "high", "urgency": "medium",
			"reporter": "bob@sales.test", "assignee": "anna@cairn.test", "team": "infrastructure", "channel": "email"})
		wantStatus(t, w, http.StatusCreated)
		inc := decode[ticket.Ticket](t, w)
		if inc.Priority != ticket.PriorityHigh || inc.ReporterID != f.bob.ID || inc.AssigneeID != f.agentA.ID ||
			inc.Assignee != "Anna Agent" || inc.TeamID != f.teamB.ID || inc.Team != "Infrastructure" || inc.Channel != ticket.ChannelEmail ||
			inc.Status != "Open" {
			t.Errorf("agent's ticket %+v", inc)
		}
		if keyNumber(t, inc.Key) != keyNumber(t, shared.Key)+1 {
			t.Errorf("keys %s then %s are not consecutive", shared.Key, inc.Key)
		}
		wantStatus(t, f.call(t, f.bob, http.MethodGet, "/api/v1/tickets/"+inc.Key, nil), 200)
		// An agent may set the priority outright, and raise on a pipeline service.
		w = f.call(t, f.agentB, http.MethodPost, "/api/v1/tickets", map[string]any{
			"type": "problem", "service": "Data lake", "summary": "Ingest is slow", "priority": "lowest"})
		wantStatus(t, w, http.StatusCreated)
		if p := decode[ticket.Ticket](t, w); p.Priority != ticket.PriorityLowest || p.Status != "Open" {
			t.Errorf("problem %+v", p)
		}
	})
}

// TestCreateTicketRejected sends bad tickets: each answers the status, code
// and field at fault, and leaves no ticket, history or used number behind.
func TestCreateTicketRejected(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		valid := func(change func(m map[string]any)) map[string]any {
			m := map[string]any{"service": "Laptops", "request_type": "New laptop", "summary": "A laptop", "fields": map[string]any{"os": "linux"}}
			change(m)
			return m
		}
		incident := func(change func(m map[string]any)) map[string]any {
			m := map[string]any{"type": "incident", "service": "Laptops", "summary": "Broken"}
			change(m)
			return m
		}
		tests := []struct {
			name        string
			as          *user
			body        any
			contentType string
			status      int
			code, field string
		}{
			{"invalid JSON", nil, rawJSON(`{"summary": "x",`), "", 400, "invalid_json", ""},
			{"not JSON at all", nil, rawJSON(`summary=x`), "", 400, "invalid_json", ""},
			{"not an object", nil, rawJSON(`["summary"]`), "", 400, "invalid_json", ""},
			{"trailing data", nil, rawJSON(`{"summary": "x"} {"summary": "y"}`), "", 400, "invalid_json", ""},
			{"empty body", nil, rawJSON(``), "", 400, "invalid_json", ""},
			{"unknown field", nil, valid(func(m map[string]any) { m["sumary"] = "typo" }), "", 400, "unknown_field", "sumary"},
			{"summary of the wrong type", nil, valid(func(m map[string]any) { m["summary"] = 5 }), "", 422, "invalid_field", "summary"},
			{"service of the wrong type", nil, valid(func(m map[string]any) { m["service"] = true }), "", 422, "invalid_field", "service"},
			{"request type of the wrong type", nil, valid(func(m map[string]any) { m["request_type"] = []int{1} }), "", 422, "invalid_field", "request_type"},
			{"fields of the wrong type", nil, valid(func(m map[string]any) { m["fields"] = "os=linux" }), "", 422, "invalid_field", "fields"},
			{"missing summary", nil, valid(func(m map[string]any) { delete(m, "summary") }), "", 422, "required_field", "summary"},
			{"blank summary", nil, valid(func(m map[string]any) { m["summary"] = " \t " }), "", 422, "required_field", "summary"},
			{"summary of two lines", nil, valid(func(m map[string]any) { m["summary"] = "one\ntwo" }), "", 422, "invalid_field", "summary"},
			{"summary too long", nil, valid(func(m map[string]any) { m["summary"] = strings.Repeat("s", 256) }), "", 422, "invalid_field", "summary"},
			{"description too long", nil, valid(func(m map[string]any) { m["description"] = strings.Repeat("d", 64<<10+1) }), "", 422, "invalid_field", "description"},
			{"missing service", nil, valid(func(m map[string]any) { delete(m, "service") }), "", 422, "required_field", "service"},
			{"unknown service", nil, valid(func(m map[string]any) { m["service"] = "Printers" }), "", 422, "invalid_field", "service"},
			{"unknown service id", nil, valid(func(m map[string]any) { m["service"] = 987654 }), "", 422, "invalid_field", "service"},
			{"pipeline service for a customer", nil, incident(func(m map[string]any) { m["service"] = "Data lake" }), "", 422, "invalid_field", "service"},
			{"unknown request type", nil, valid(func(m map[string]any) { m["request_type"] = "Old laptop" }), "", 422, "invalid_field", "request_type"},
			{"request type of another service", nil, valid(func(m map[string]any) { m["service"] = "Servers"; m["request_type"] = f.form.ID }), "", 422, "invalid_field", "request_type"},
			{"type unlike the request type's", nil, valid(func(m map[string]any) { m["type"] = "incident" }), "", 422, "invalid_field", "type"},
			{"missing type", nil, incident(func(m map[string]any) { delete(m, "type") }), "", 422, "required_field", "type"},
			{"unknown type", nil, incident(func(m map[string]any) { m["type"] = "task" }), "", 422, "invalid_field", "type"},
			{"missing required form field", nil, valid(func(m map[string]any) { m["fields"] = map[string]any{"notes": "x"} }), "", 422, "required_field", "fields.os"},
			{"blank required form field", nil, valid(func(m map[string]any) { m["fields"] = map[string]any{"os": " "} }), "", 422, "required_field", "fields.os"},
			{"option not offered", nil, valid(func(m map[string]any) { m["fields"] = map[string]any{"os": "beos"} }), "", 422, "invalid_field", "fields.os"},
			{"form value of the wrong type", nil, valid(func(m map[string]any) { m["fields"] = map[string]any{"os": 7} }), "", 422, "invalid_field", "fields.os"},
			{"unknown form field", nil, valid(func(m map[string]any) { m["fields"] = map[string]any{"os": "mac", "colour": "red"} }), "", 422, "invalid_field", "fields.colour"},
			{"form fields without a request type", nil, incident(func(m map[string]any) { m["fields"] = map[string]any{"os": "mac"} }), "", 422, "invalid_field", "fields.os"},
			{"bad impact", nil, incident(func(m map[string]any) { m["impact"] = "huge" }), "", 422, "invalid_field", "impact"},
			{"bad urgency", nil, incident(func(m map[string]any) { m["urgency"] = "now" }), "", 422, "invalid_field", "urgency"},
			{"customer sets the priority", nil, incident(func(m map[string]any) { m["priority"] = "Highest" }), "", 422, "invalid_field", "priority"},
			{"customer sets the assignee", nil, incident(func(m map[string]any) { m["assignee"] = "anna@cairn.test" }), "", 422, "invalid_field", "assignee"},
			{"customer sets the team", nil, incident(func(m map[string]any) { m["team"] = "Service Desk" }), "", 422, "invalid_field", "team"},
			{"customer raises for another", nil, incident(func(m map[string]any) { m["reporter"] = "bob@sales.test" }), "", 422, "invalid_field", "reporter"},
			{"customer shares with another organization", nil, incident(func(m map[string]any) { m["organization"] = "Sales" }), "", 422, "invalid_field", "organization"},
			{"customer sets the channel", nil, incident(func(m map[string]any) { m["channel"] = "email" }), "", 422, "invalid_field", "channel"},
			{"unknown organization", nil, incident(func(m map[string]any) { m["organization"] = "Acme" }), "", 422, "invalid_field", "organization"},
			{"agent: unknown priority", f.agentA, incident(func(m map[string]any) { m["priority"] = "Urgent" }), "", 422, "invalid_field", "priority"},
			{"agent: unknown assignee", f.agentA, incident(func(m map[string]any) { m["assignee"] = "ghost@cairn.test" }), "", 422, "invalid_field", "assignee"},
			{"agent: customer as assignee", f.agentA, incident(func(m map[string]any) { m["assignee"] = f.bob.ID }), "", 422, "invalid_field", "assignee"},
			{"agent: unknown team", f.agentA, incident(func(m map[string]any) { m["team"] = "Ghosts" }), "", 422, "invalid_field", "team"},
			{"agent: unknown team id", f.agentA, incident(func(m map[string]any) { m["team"] = 987654 }), "", 422, "invalid_field", "team"},
			{"agent: unknown reporter", f.agentA, incident(func(m map[string]any) { m["reporter"] = 987654 }), "", 422, "invalid_field", "reporter"},
			{"agent: unknown channel", f.agentA, incident(func(m map[string]any) { m["channel"] = "fax" }), "", 422, "invalid_field", "channel"},
			{"agent: retired service", f.agentA, incident(func(m map[string]any) { m["service"] = "Retired" }), "", 422, "invalid_field", "service"},
			{"not JSON", nil, rawJSON(`{"summary": "x"}`), "text/plain", 400, "unsupported_media_type", ""},
			{"body over 1 MiB", nil, valid(func(m map[string]any) { m["description"] = strings.Repeat("d", 1<<20) }), "", 413, "too_large", ""},
		}
		if _, err := s.CreateService(t.Context(), f.admin.actor, catalog.Service{Name: "Retired", Status: catalog.ServiceRetired, OwnerTeamID: f.teamA.ID}); err != nil {
			t.Fatal(err)
		}

		first := decode[ticket.Ticket](t, f.call(t, f.alice, http.MethodPost, "/api/v1/tickets", valid(func(map[string]any) {})))
		before := ticketCount(t, f)
		events := len(history(t, f, first.Key))
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				as := tc.as
				if as == nil {
					as = f.alice
				}
				var mods []func(*http.Request)
				if tc.contentType != "" {
					mods = append(mods, func(r *http.Request) { r.Header.Set("Content-Type", tc.contentType) })
				}
				w := f.call(t, as, http.MethodPost, "/api/v1/tickets", tc.body, mods...)
				wantError(t, w, tc.status, tc.code, tc.field)
				if n := ticketCount(t, f); n != before {
					t.Fatalf("a rejected ticket was saved: %d tickets, want %d", n, before)
				}
			})
		}
		if n := len(history(t, f, first.Key)); n != events {
			t.Errorf("rejected tickets changed another ticket's history: %d events, want %d", n, events)
		}
		// No rejected ticket used up a number.
		next := decode[ticket.Ticket](t, f.call(t, f.alice, http.MethodPost, "/api/v1/tickets", valid(func(map[string]any) {})))
		if keyNumber(t, next.Key) != keyNumber(t, first.Key)+1 {
			t.Errorf("after the rejections the next key is %s, want the one after %s", next.Key, first.Key)
		}
	})
}

func TestListTickets(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		// Six more tickets on Servers: two Highest, four Lowest.
		var batch []ticket.Ticket
		for i := 1; i <= 6; i++ {
			level := "low"
			if i <= 2 {
				level = "high"
			}
			batch = append(batch, f.newTicket(t, f.agentB, store.NewTicket{Type: "incident", Service: "Servers",
				Summary: fmt.Sprintf("Batch %d", i), Impact: level, Urgency: level}))
		}
		anna := f.agentA.ID
		if _, err := s.UpdateTicket(t.Context(), f.admin.actor, f.bobTicket.Key, store.TicketPatch{AssigneeID: &anna}); err != nil {
			t.Fatal(err)
		}
		keys := func(p store.TicketPage) []string {
			var out []string
			for _, tk := range p.Tickets {
				out = append(out, tk.Key)
			}
			return out
		}
		keysOf := func(ts ...ticket.Ticket) []string {
			var out []string
			for _, tk := range ts {
				out = append(out, tk.Key)
			}
			return out
		}
		list := func(as *user, q url.Values) store.TicketPage {
			t.Helper()
			return get[store.TicketPage](t, f, as, "/api/v1/tickets?"+q.Encode())
		}

		page := list(f.admin, url.Values{"service": {"Servers"}, "sort": {"key"}, "order": {"asc"}, "limit": {"3"}, "offset": {"2"}})
		if page.Total != 7 || page.Limit != 3 || page.Offset != 2 || !slices.Equal(keys(page), keysOf(batch[1:4]...)) {
			t.Errorf("page %v total %d limit %d offset %d, want %v of 7", keys(page), page.Total, page.Limit, page.Offset, keysOf(batch[1:4]...))
		}
		page = list(f.admin, url.Values{"offset": {"100"}})
		if page.Total != 10 || page.Tickets == nil || len(page.Tickets) != 0 || page.Limit != 50 {
			t.Errorf("past the end: %+v", page)
		}
		page = list(f.admin, url.Values{"sort": {"priority"}, "order": {"desc"}, "limit": {"2"}})
		if got := keys(page); !slices.Equal(slices.Sorted(slices.Values(got)), keysOf(batch[0], batch[1])) {
			t.Errorf("highest priorities first: %v", keys(page))
		}
		page = list(f.admin, url.Values{"sort": {"summary"}, "order": {"desc"}, "limit": {"1"}})
		if !slices.Equal(keys(page), keysOf(f.aliceShared)) { // "Finance printer jams" > "Carol's..." > "Bob's..."
			t.Errorf("last summary first: %v", keys(page))
		}

		counts := []struct {
			as   *user
			q    url.Values
			want int
		}{
			{f.admin, url.Values{}, 10},
			{f.admin, url.Values{"text": {"BATCH"}}, 6},
			{f.admin, url.Values{"text": {"100%"}}, 0},
			{f.admin, url.Values{"text": {"_"}}, 0},
			{f.admin, url.Values{"status": {"Open,Waiting for support"}}, 10},
			{f.admin, url.Values{"status": {"Waiting for support"}}, 1},
			{f.admin, url.Values{"category": {"to_do"}}, 10},
			{f.admin, url.Values{"category": {"done,in_progress"}}, 0},
			{f.admin, url.Values{"type": {"service_request"}}, 1},
			{f.admin, url.Values{"priority": {"highest"}}, 2},
			{f.admin, url.Values{"priority": {"Lowest,Highest"}}, 6},
			{f.admin, url.Values{"service": {strconv.FormatInt(f.laptops.ID, 10)}}, 3},
			{f.admin, url.Values{"request_type": {strconv.FormatInt(f.form.ID, 10)}}, 1},
			{f.admin, url.Values{"reporter": {"alice@finance.test"}}, 2},
			{f.admin, url.Values{"reporter": {strconv.FormatInt(f.carol.ID, 10)}}, 1},
			{f.admin, url.Values{"organization": {"finance"}}, 1},
			{f.admin, url.Values{"team": {"Infrastructure"}}, 7},
			{f.admin, url.Values{"assignee": {"none"}}, 9},
			{f.admin, url.Values{"assignee": {"anna@cairn.test"}}, 1},
			{f.agentA, url.Values{"assignee": {"me"}}, 1},
			{f.alice, url.Values{"reporter": {"me"}}, 2},
			{f.alice, url.Values{"service": {"Servers"}}, 0},
			{f.admin, url.Values{"created_after": {"2000-01-01"}}, 10},
			{f.admin, url.Values{"created_before": {"2000-01-01T00:00:00Z"}}, 0},
			{f.admin, url.Values{"updated_after": {"2999-01-01"}}, 0},
		}
		for _, tc := range counts {
			if got := list(tc.as, tc.q).Total; got != tc.want {
				t.Errorf("%s lists %s: total %d, want %d", tc.as.Name, tc.q.Encode(), got, tc.want)
			}
		}

		bad := []struct {
			q           string
			status      int
			code, field string
		}{
			{"sort=colour", 422, "invalid_field", "sort"},
			{"order=up", 422, "invalid_field", "order"},
			{"limit=0", 422, "invalid_field", "limit"},
			{"limit=201", 422, "invalid_field", "limit"},
			{"limit=ten", 422, "invalid_field", "limit"},
			{"offset=-1", 422, "invalid_field", "offset"},
			{"category=later", 422, "invalid_field", "category"},
			{"type=task", 422, "invalid_field", "type"},
			{"priority=urgent", 422, "invalid_field", "priority"},
			{"service=Printers", 422, "invalid_field", "service"},
			{"request_type=laptop", 422, "invalid_field", "request_type"},
			{"assignee=ghost%40cairn.test", 422, "invalid_field", "assignee"},
			{"reporter=ghost%40cairn.test", 422, "invalid_field", "reporter"},
			{"organization=Acme", 422, "invalid_field", "organization"},
			{"team=Ghosts", 422, "invalid_field", "team"},
			{"created_after=yesterday", 422, "invalid_field", "created_after"},
			{"colour=red", 400, "unknown_parameter", "colour"},
			{"status=Open&Status=Open", 400, "unknown_parameter", "Status"},
		}
		for _, tc := range bad {
			wantError(t, f.call(t, f.admin, http.MethodGet, "/api/v1/tickets?"+tc.q, nil), tc.status, tc.code, tc.field)
		}
	})
}

// transitionCase is a transition that must be refused without a trace.
type transitionCase struct {
	name        string
	as          *user
	body        any
	status      int
	code, field string
}

// refuseTransitions posts each case and checks that the ticket, its history
// and its comments stay as they were.
func refuseTransitions(t *testing.T, f *fixture, key string, cases []transitionCase) {
	t.Helper()
	before := get[ticket.Ticket](t, f, f.admin, "/api/v1/tickets/"+key)
	events := len(history(t, f, key))
	for _, tc := range cases {
		w := f.call(t, tc.as, http.MethodPost, "/api/v1/tickets/"+key+"/transitions", tc.body)
		if w.Code != tc.status {
			t.Errorf("%s: status %d, want %d; body %s", tc.name, w.Code, tc.status, w.Body.String())
			continue
		}
		e := decode[apiError](t, w)
		if e.Error.Code != tc.code || e.Error.Field != tc.field {
			t.Errorf("%s: error %+v, want code %q field %q", tc.name, e.Error, tc.code, tc.field)
		}
	}
	after := get[ticket.Ticket](t, f, f.admin, "/api/v1/tickets/"+key)
	if after.Status != before.Status || after.Resolution != before.Resolution || after.AssigneeID != before.AssigneeID || !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("refused transitions changed the ticket: %+v, was %+v", after, before)
	}
	if n := len(history(t, f, key)); n != events {
		t.Errorf("refused transitions wrote %d events", n-events)
	}
}

func TestTransitions(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		tk := f.freshTicket(t, "incident")
		path := "/api/v1/tickets/" + tk.Key + "/transitions"
		type listing struct {
			Transitions []ticket.Transition `json:"transitions"`
		}
		ids := func(as *user) []string {
			var out []string
			for _, tr := range get[listing](t, f, as, path).Transitions {
				out = append(out, tr.ID)
			}
			return out
		}
		if got := ids(f.agentA); !slices.Equal(got, []string{"start", "pend", "ask", "resolve"}) {
			t.Errorf("an agent's transitions from Open: %q", got)
		}
		if got := get[listing](t, f, f.alice, path).Transitions; got == nil || len(got) != 0 {
			t.Errorf("a customer's transitions from Open: %v, want []", got)
		}

		refuseTransitions(t, f, tk.Key, []transitionCase{
			{"role not allowed", f.alice, map[string]any{"to": "Resolved"}, 403, "forbidden", ""},
			{"role not allowed, by id", f.alice, map[string]any{"id": "start"}, 403, "forbidden", ""},
			{"not from this status", f.agentA, map[string]any{"to": "Closed"}, 409, "transition_not_allowed", ""},
			{"not from this status, by id", f.agentA, map[string]any{"id": "reopen"}, 409, "transition_not_allowed", ""},
			{"unknown status", f.agentA, map[string]any{"to": "Nowhere"}, 422, "invalid_field", "to"},
			{"nothing", f.agentA, map[string]any{}, 422, "required_field", "to"},
			{"to and id", f.agentA, map[string]any{"to": "In progress", "id": "start"}, 422, "invalid_field", "id"},
			{"resolution on the way to work", f.agentA, map[string]any{"to": "In progress", "resolution": "Fixed"}, 422, "invalid_field", "resolution"},
			{"resolution too long", f.agentA, map[string]any{"to": "Resolved", "resolution": strings.Repeat("r", 101), "comment": "Done."}, 422, "invalid_field", "resolution"},
			{"customer as assignee", f.agentA, map[string]any{"to": "In progress", "assignee": "alice@finance.test"}, 422, "invalid_field", "assignee"},
			{"internal note by a customer", f.alice, map[string]any{"to": "Resolved", "comment": "x", "internal": true}, 403, "forbidden", ""},
			{"unknown field", f.agentA, map[string]any{"to": "In progress", "status": "x"}, 400, "unknown_field", "status"},
			{"wrong type", f.agentA, map[string]any{"to": 3}, 422, "invalid_field", "to"},
			{"invisible ticket", f.bob, map[string]any{"to": "Closed"}, 404, "not_found", ""},
			{"invisible to another team", f.agentB, map[string]any{"to": "In progress"}, 404, "not_found", ""},
		})

		// By status name in any case, by transition name, and by id.
		w := f.call(t, f.agentA, http.MethodPost, path, map[string]any{"to": "in progress", "assignee": "anna@cairn.test"})
		wantStatus(t, w, 200)
		if got := decode[ticket.Ticket](t, w); got.Status != "In progress" || got.StatusCategory != ticket.CategoryInProgress || got.AssigneeID != f.agentA.ID {
			t.Errorf("after start: %+v", got)
		}
		w = f.call(t, f.agentA, http.MethodPost, path, map[string]any{"to": "Pending"})
		wantStatus(t, w, 200)
		w = f.call(t, f.agentA, http.MethodPost, path, map[string]any{"id": "resolve", "resolution": "Fixed", "comment": "Replaced the cable."})
		wantStatus(t, w, 200)
		resolved := decode[ticket.Ticket](t, w)
		if resolved.Status != "Resolved" || resolved.StatusCategory != ticket.CategoryDone || resolved.Resolution != "Fixed" || resolved.ResolvedAt == nil {
			t.Errorf("after resolve: %+v", resolved)
		}
		cs := get[struct {
			Comments []ticket.Comment `json:"comments"`
		}](t, f, f.alice, "/api/v1/tickets/"+tk.Key+"/comments").Comments
		if len(cs) != 1 || cs[0].Body != "Replaced the cable." || cs[0].Internal {
			t.Errorf("the transition's comment: %+v", cs)
		}

		refuseTransitions(t, f, tk.Key, []transitionCase{
			{"reopen to a status with no way from here", f.alice, map[string]any{"to": "Pending"}, 409, "transition_not_allowed", ""},
			{"again to Resolved", f.agentA, map[string]any{"to": "Resolved"}, 409, "transition_not_allowed", ""},
		})
		// The customer closes it; then nothing leads anywhere.
		w = f.call(t, f.alice, http.MethodPost, path, map[string]any{"to": "Close"})
		wantStatus(t, w, 200)
		if got := decode[ticket.Ticket](t, w); got.Status != "Closed" || got.Resolution != "Fixed" || got.ResolvedAt == nil || !got.ResolvedAt.Equal(*resolved.ResolvedAt) {
			t.Errorf("after close: %+v (resolved at %v)", got, resolved.ResolvedAt)
		}
		refuseTransitions(t, f, tk.Key, []transitionCase{
			{"reopen a closed ticket", f.alice, map[string]any{"id": "reopen"}, 409, "transition_not_allowed", ""},
		})
		var types []string
		for _, ev := range history(t, f, tk.Key) {
			types = append(types, ev.Type)
		}
		want := []string{ticket.EventCreated, ticket.EventTransitioned, ticket.EventTransitioned, ticket.EventTransitioned, ticket.EventCommented, ticket.EventTransitioned}
		if !slices.Equal(types, want) {
			t.Errorf("history %q, want %q", types, want)
		}

		// A change needs an assignee to be implemented and a comment to fail.
		w = f.call(t, f.agentA, http.MethodPost, "/api/v1/tickets", map[string]any{"type": "change", "service": "Laptops", "summary": "Upgrade the fleet"})
		wantStatus(t, w, 201)
		change := decode[ticket.Ticket](t, w)
		cpath := "/api/v1/tickets/" + change.Key + "/transitions"
		for _, to := range []string{"submit", "approve"} {
			wantStatus(t, f.call(t, f.agentA, http.MethodPost, cpath, map[string]any{"id": to}), 200)
		}
		refuseTransitions(t, f, change.Key, []transitionCase{
			{"implement without assignee", f.agentA, map[string]any{"id": "implement"}, 422, "required_field", "assignee"},
		})
		wantStatus(t, f.call(t, f.agentA, http.MethodPost, cpath, map[string]any{"id": "implement", "assignee": f.agentA.ID}), 200)
		refuseTransitions(t, f, change.Key, []transitionCase{
			{"fail without comment", f.agentA, map[string]any{"to": "Failed"}, 422, "required_field", "comment"},
			{"fail with a blank comment", f.agentA, map[string]any{"to": "Failed", "comment": "  "}, 422, "required_field", "comment"},
		})
		w = f.call(t, f.agentA, http.MethodPost, cpath, map[string]any{"to": "Failed", "comment": "Rolled back.", "internal": true})
		wantStatus(t, w, 200)
		if got := decode[ticket.Ticket](t, w); got.Status != "Failed" || got.Resolution != "Done" {
			t.Errorf("failed change: %+v", got)
		}
	})
}

func TestComments(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		key := f.aliceShared.Key
		path := "/api/v1/tickets/" + key + "/comments"
		post := func(as *user, body any) *httptest.ResponseRecorder {
			return f.call(t, as, http.MethodPost, path, body)
		}
		w := post(f.alice, map[string]any{"body": "  It jams on every page.  "})
		wantStatus(t, w, 201)
		if c := decode[ticket.Comment](t, w); c.Body != "It jams on every page." || c.Internal || c.AuthorID != f.alice.ID || c.Author != "Alice" || c.ID == 0 {
			t.Errorf("comment %+v", c)
		}
		wantStatus(t, post(f.agentA, map[string]any{"body": "Probably the fuser; the vendor overcharges.", "internal": true}), 201)
		wantStatus(t, post(f.agentA, map[string]any{"body": "A technician comes tomorrow."}), 201)
		wantStatus(t, post(f.carol, map[string]any{"body": "Same on my floor."}), 201) // shared with her organization

		events := len(history(t, f, key))
		for _, tc := range []struct {
			name        string
			as          *user
			body        any
			status      int
			code, field string
		}{
			{"internal note by a customer", f.alice, map[string]any{"body": "psst", "internal": true}, 422, "invalid_field", "internal"},
			{"empty body", f.agentA, map[string]any{"body": " \n "}, 422, "required_field", "body"},
			{"no body", f.agentA, map[string]any{}, 422, "required_field", "body"},
			{"body too long", f.agentA, map[string]any{"body": strings.Repeat("b", 64<<10+1)}, 422, "invalid_field", "body"},
			{"internal of the wrong type", f.agentA, map[string]any{"body": "x", "internal": "yes"}, 422, "invalid_field", "internal"},
			{"unknown field", f.agentA, map[string]any{"body": "x", "public": true}, 400, "unknown_field", "public"},
			{"ticket hidden from the caller", f.bob, map[string]any{"body": "x"}, 404, "not_found", ""},
		} {
			t.Run(tc.name, func(t *testing.T) { wantError(t, post(tc.as, tc.body), tc.status, tc.code, tc.field) })
		}
		if n := len(history(t, f, key)); n != events {
			t.Errorf("refused comments wrote %d events", n-events)
		}

		type listing struct {
			Comments []ticket.Comment `json:"comments"`
		}
		for _, tc := range []struct {
			as   *user
			want int
		}{{f.alice, 3}, {f.carol, 3}, {f.agentA, 4}, {f.admin, 4}} {
			w := f.call(t, tc.as, http.MethodGet, path, nil)
			wantStatus(t, w, 200)
			cs := decode[listing](t, w).Comments
			if len(cs) != tc.want {
				t.Errorf("%s sees %d comments, want %d", tc.as.Name, len(cs), tc.want)
			}
			if !tc.as.Role.Staff() && strings.Contains(w.Body.String(), "fuser") {
				t.Errorf("%s sees the internal note: %s", tc.as.Name, w.Body.String())
			}
		}
		// The history tells customers nothing of internal notes either.
		commented := func(as *user) int {
			n := 0
			for _, ev := range get[struct {
				Events []ticket.Event `json:"events"`
			}](t, f, as, "/api/v1/tickets/"+key+"/history").Events {
				if ev.Type == ticket.EventCommented {
					n++
				}
			}
			return n
		}
		if a, c := commented(f.agentA), commented(f.alice); a != 4 || c != 3 {
			t.Errorf("comment events: agent sees %d (want 4), customer %d (want 3)", a, c)
		}
	})
}

func TestUpdateTicketAndHistory(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		key := f.aliceTicket.Key
		path := "/api/v1/tickets/" + key
		patch := func(as *user, body any) *httptest.ResponseRecorder {
			return f.call(t, as, http.MethodPatch, path, body)
		}

		w := patch(f.agentA, map[string]any{"summary": "Laptop for Alice", "assignee": "anna@cairn.test", "impact": "high", "fields": map[string]any{"os": "mac", "notes": "Needs 32 GB"}})
		wantStatus(t, w, 200)
		tk := decode[ticket.Ticket](t, w)
		if tk.Summary != "Laptop for Alice" || tk.AssigneeID != f.agentA.ID || tk.Assignee != "Anna Agent" || tk.Impact != ticket.LevelHigh ||
			tk.Fields["os"] != "mac" || tk.Fields["notes"] != "Needs 32 GB" || tk.Priority != ticket.PriorityMedium {
			t.Errorf("after PATCH: %+v", tk)
		}
		evs := history(t, f, key)
		last := evs[len(evs)-1]
		if last.Type != ticket.EventUpdated || last.ActorID != f.agentA.ID || last.Actor != "Anna Agent" {
			t.Fatalf("last event %+v", last)
		}
		changes := map[string][2]any{}
		for _, c := range last.Changes {
			changes[c.Field] = [2]any{c.From, c.To}
		}
		want := map[string][2]any{
			"summary":      {"Alice needs a laptop", "Laptop for Alice"},
			"assignee_id":  {float64(0), float64(f.agentA.ID)},
			"impact":       {"", "high"},
			"fields.os":    {"linux", "mac"},
			"fields.notes": {nil, "Needs 32 GB"},
		}
		if fmt.Sprint(changes) != fmt.Sprint(want) {
			t.Errorf("changes %v, want %v", changes, want)
		}

		// The same values again change nothing and log nothing.
		wantStatus(t, patch(f.agentA, map[string]any{"summary": "Laptop for Alice", "fields": map[string]any{"os": "mac"}}), 200)
		if n := len(history(t, f, key)); n != len(evs) {
			t.Errorf("a PATCH without change logged %d events", n-len(evs))
		}

		for _, tc := range []struct {
			name        string
			as          *user
			body        any
			status      int
			code, field string
		}{
			{"option not offered", f.agentA, map[string]any{"fields": map[string]any{"os": "bsd"}}, 422, "invalid_field", "fields.os"},
			{"required field removed", f.agentA, map[string]any{"fields": map[string]any{"os": nil}}, 422, "required_field", "fields.os"},
			{"unknown form field", f.agentA, map[string]any{"fields": map[string]any{"colour": "red"}}, 422, "invalid_field", "fields.colour"},
			{"summary null", f.agentA, rawJSON(`{"summary": null}`), 422, "invalid_field", "summary"},
			{"summary blank", f.agentA, map[string]any{"summary": " "}, 422, "required_field", "summary"},
			{"summary of the wrong type", f.agentA, map[string]any{"summary": 1}, 422, "invalid_field", "summary"},
			{"assignee of the wrong type", f.agentA, map[string]any{"assignee": false}, 422, "invalid_field", "assignee"},
			{"priority null", f.agentA, rawJSON(`{"priority": null}`), 422, "invalid_field", "priority"},
			{"unknown priority", f.agentA, map[string]any{"priority": "Urgent"}, 422, "invalid_field", "priority"},
			{"bad impact", f.agentA, map[string]any{"impact": "vast"}, 422, "invalid_field", "impact"},
			{"customer as assignee", f.agentA, map[string]any{"assignee": "alice@finance.test"}, 422, "invalid_field", "assignee"},
			{"unknown team", f.agentA, map[string]any{"team": "Ghosts"}, 422, "invalid_field", "team"},
			{"unknown organization id", f.agentA, map[string]any{"organization": 987654}, 422, "invalid_field", "organization"},
			{"valid and invalid together", f.agentA, map[string]any{"summary": "Changed", "priority": "Urgent"}, 422, "invalid_field", "priority"},
			{"unknown field", f.agentA, map[string]any{"status": "Resolved"}, 400, "unknown_field", "status"},
			{"invalid JSON", f.agentA, rawJSON(`{"summary":`), 400, "invalid_json", ""},
			{"customer changes the summary", f.alice, map[string]any{"summary": "Mine"}, 403, "forbidden", ""},
			{"customer changes a form field", f.alice, map[string]any{"fields": map[string]any{"os": "windows"}}, 403, "forbidden", ""},
			{"customer shares with another organization", f.alice, map[string]any{"organization": "Sales"}, 422, "invalid_field", "organization"},
			{"hidden from a customer", f.bob, map[string]any{"summary": "Mine"}, 404, "not_found", ""},
			{"hidden from another team", f.agentB, map[string]any{"summary": "Ours"}, 404, "not_found", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := get[ticket.Ticket](t, f, f.admin, path)
				events := len(history(t, f, key))
				wantError(t, patch(tc.as, tc.body), tc.status, tc.code, tc.field)
				after := get[ticket.Ticket](t, f, f.admin, path)
				if after.Summary != before.Summary || fmt.Sprint(after.Fields) != fmt.Sprint(before.Fields) || !after.UpdatedAt.Equal(before.UpdatedAt) {
					t.Errorf("a refused PATCH changed the ticket: %+v", after)
				}
				if n := len(history(t, f, key)); n != events {
					t.Errorf("a refused PATCH wrote %d events", n-events)
				}
			})
		}

		// A customer shares and unshares her request; null clears.
		wantStatus(t, patch(f.alice, map[string]any{"organization": "Finance"}), 200)
		wantStatus(t, f.call(t, f.carol, http.MethodGet, path, nil), 200)
		wantStatus(t, patch(f.alice, rawJSON(`{"organization": null}`)), 200)
		wantError(t, f.call(t, f.carol, http.MethodGet, path, nil), 404, "not_found", "")
		w = patch(f.agentA, rawJSON(`{"assignee": null, "impact": null, "fields": {"notes": null}}`))
		wantStatus(t, w, 200)
		if tk := decode[ticket.Ticket](t, w); tk.AssigneeID != 0 || tk.Assignee != "" || tk.Impact != "" || tk.Fields["notes"] != nil || tk.Fields["os"] != "mac" {
			t.Errorf("after clearing: %+v", tk)
		}

		// An incident's priority follows its impact and urgency.
		w = f.call(t, f.agentA, http.MethodPatch, "/api/v1/tickets/"+f.bobTicket.Key, map[string]any{"impact": "high", "urgency": "high"})
		wantStatus(t, w, 200)
		if tk := decode[ticket.Ticket](t, w); tk.Priority != ticket.PriorityHighest {
			t.Errorf("priority %s, want Highest", tk.Priority)
		}
		evs = history(t, f, f.bobTicket.Key)
		var fields []string
		for _, c := range evs[len(evs)-1].Changes {
			fields = append(fields, c.Field)
		}
		if !slices.Equal(fields, []string{"priority", "impact", "urgency"}) {
			t.Errorf("incident changes %q", fields)
		}
		// Customers read the history of their tickets.
		if got := get[struct {
			Events []ticket.Event `json:"events"`
		}](t, f, f.bob, "/api/v1/tickets/"+f.bobTicket.Key+"/history").Events; len(got) != len(evs) {
			t.Errorf("bob reads %d events, want %d", len(got), len(evs))
		}
	})
}

func TestLinks(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		a, b := f.aliceTicket.Key, f.bobTicket.Key
		type listing struct {
			Links []ticket.Link `json:"links"`
		}
		links := func(as *user, key string) []string {
			var out []string
			for _, l := range get[listing](t, f, as, "/api/v1/tickets/"+key+"/links").Links {
				out = append(out, l.Kind+" "+l.TicketKey)
			}
			return out
		}
		w := f.call(t, f.agentA, http.MethodPost, "/api/v1/tickets/"+a+"/links", map[string]any{"kind": "blocks", "ticket": strings.ToLower(b)})
		wantStatus(t, w, 201)
		l := decode[ticket.Link](t, w)
		if l.Kind != "blocks" || l.TicketKey != b || l.Summary != f.bobTicket.Summary || l.ID == 0 {
			t.Errorf("link %+v", l)
		}
		if got := links(f.agentA, a); !slices.Equal(got, []string{"blocks " + b}) {
			t.Errorf("links of %s: %q", a, got)
		}
		if got := links(f.agentA, b); !slices.Equal(got, []string{"is_blocked_by " + a}) {
			t.Errorf("links of %s: %q", b, got)
		}
		// Each customer sees the link only where both ends are theirs.
		if got := links(f.alice, a); len(got) != 0 {
			t.Errorf("alice sees links to bob's ticket: %q", got)
		}
		if got := links(f.bob, b); len(got) != 0 {
			t.Errorf("bob sees links to alice's ticket: %q", got)
		}
		for _, tc := range []struct {
			name        string
			as          *user
			body        any
			status      int
			code, field string
		}{
			{"twice", f.agentA, map[string]any{"kind": "blocks", "ticket": b}, 409, "duplicate", ""},
			{"to itself", f.agentA, map[string]any{"kind": "relates_to", "ticket": a}, 422, "invalid_field", "ticket"},
			{"to a ticket the agent cannot see", f.agentA, map[string]any{"kind": "relates_to", "ticket": f.serversTicket.Key}, 422, "invalid_field", "ticket"},
			{"to no ticket", f.agentA, map[string]any{"kind": "relates_to", "ticket": "IT-99999"}, 422, "invalid_field", "ticket"},
			{"without a ticket", f.agentA, map[string]any{"kind": "relates_to"}, 422, "required_field", "ticket"},
			{"unknown kind", f.agentA, map[string]any{"kind": "likes", "ticket": b}, 422, "invalid_field", "kind"},
			{"by a customer", f.alice, map[string]any{"kind": "relates_to", "ticket": f.aliceShared.Key}, 403, "forbidden", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantError(t, f.call(t, tc.as, http.MethodPost, "/api/v1/tickets/"+a+"/links", tc.body), tc.status, tc.code, tc.field)
			})
		}
		// An admin sees both ends and may link across teams.
		wantStatus(t, f.call(t, f.admin, http.MethodPost, "/api/v1/tickets/"+a+"/links", map[string]any{"kind": "caused_by", "ticket": f.serversTicket.Key}), 201)
		if got := links(f.agentB, f.serversTicket.Key); !slices.Equal(got, []string{}) && got != nil {
			t.Errorf("otto sees links to tickets of another team: %q", got)
		}
		if got := links(f.admin, f.serversTicket.Key); !slices.Equal(got, []string{"causes " + a}) {
			t.Errorf("links of %s: %q", f.serversTicket.Key, got)
		}
		if got := links(f.agentA, a); len(got) != 1 {
			t.Errorf("anna sees links to tickets she cannot see: %q", got)
		}
		var linked int
		for _, ev := range history(t, f, b) {
			if ev.Type == ticket.EventLinked {
				linked++
			}
		}
		if linked != 1 {
			t.Errorf("%s has %d link events, want 1", b, linked)
		}

		del := fmt.Sprintf("/api/v1/tickets/%s/links/%d", b, l.ID) // from either end
		wantError(t, f.call(t, f.agentB, http.MethodDelete, del, nil), 404, "not_found", "")
		wantStatus(t, f.call(t, f.agentA, http.MethodDelete, del, nil), 204)
		wantError(t, f.call(t, f.agentA, http.MethodDelete, del, nil), 404, "not_found", "")
		wantError(t, f.call(t, f.agentA, http.MethodDelete, "/api/v1/tickets/"+b+"/links/x", nil), 404, "not_found", "")
		if got := links(f.agentA, b); len(got) != 0 {
			t.Errorf("after unlinking: %q", got)
		}
	})
}

func TestAttachments(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		key := f.aliceTicket.Key
		path := "/api/v1/tickets/" + key + "/attachments"
		upload := func(as *user, body any) *httptest.ResponseRecorder { return f.call(t, as, http.MethodPost, path, body) }
		count := func() int {
			return len(get[struct {
				Attachments []ticket.Attachment `json:"attachments"`
			}](t, f, f.admin, path).Attachments)
		}

		content := []byte("hello, world\n")
		w := upload(f.alice, file{Field: "file", Name: "notes.txt", ContentType: "text/plain; charset=utf-8", Data: content})
		wantStatus(t, w, 201)
		att := decode[ticket.Attachment](t, w)
		sum := sha256.Sum256(content)
		if att.Filename != "notes.txt" || att.Size != int64(len(content)) || att.SHA256 != hex.EncodeToString(sum[:]) ||
			att.ContentType != "text/plain; charset=utf-8" || att.UploadedBy != f.alice.ID || att.ID == 0 {
			t.Errorf("attachment %+v", att)
		}
		w = upload(f.agentA, file{Field: "file", Name: `..\..\evil.html`, Data: []byte("<script>alert(1)</script>")})
		wantStatus(t, w, 201)
		evil := decode[ticket.Attachment](t, w)
		if evil.Filename != "evil.html" || !strings.HasPrefix(evil.ContentType, "text/html") {
			t.Errorf("attachment %+v", evil)
		}

		w = f.call(t, f.alice, http.MethodGet, fmt.Sprintf("%s/%d", path, att.ID), nil)
		wantStatus(t, w, 200)
		if !bytes.Equal(w.Body.Bytes(), content) {
			t.Errorf("download %q, want %q", w.Body.String(), content)
		}
		h := w.Header()
		if cd := h.Get("Content-Disposition"); cd != "attachment; filename=notes.txt" {
			t.Errorf("Content-Disposition %q", cd)
		}
		if h.Get("Content-Type") != "text/plain; charset=utf-8" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Content-Length") != strconv.Itoa(len(content)) {
			t.Errorf("download headers %v", h)
		}
		w = f.call(t, f.agentA, http.MethodGet, fmt.Sprintf("%s/%d", path, evil.ID), nil)
		wantStatus(t, w, 200)
		if cd := w.Header().Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || w.Header().Get("Content-Security-Policy") != "sandbox" {
			t.Errorf("an HTML upload is served with %v", w.Header())
		}
		// Hidden tickets hide their files; a file is reached only through its ticket.
		for _, tc := range []struct {
			as   *user
			path string
		}{
			{f.bob, fmt.Sprintf("%s/%d", path, att.ID)},
			{f.agentB, fmt.Sprintf("%s/%d", path, att.ID)},
			{f.alice, fmt.Sprintf("/api/v1/tickets/%s/attachments/%d", f.aliceShared.Key, att.ID)},
			{f.alice, fmt.Sprintf("%s/%d", path, 987654)},
			{f.alice, path + "/x"},
		} {
			wantError(t, f.call(t, tc.as, http.MethodGet, tc.path, nil), 404, "not_found", "")
		}

		before := count()
		events := len(history(t, f, key))
		big := bytes.Repeat([]byte("x"), ticket.MaxAttachment+1)
		for _, tc := range []struct {
			name        string
			as          *user
			body        any
			status      int
			code, field string
		}{
			{"over 10 MiB by a byte", f.alice, file{Field: "file", Name: "big.bin", Data: big}, 413, "too_large", "file"},
			{"far over 10 MiB", f.alice, file{Field: "file", Name: "huge.bin", Data: bytes.Repeat([]byte("x"), 12<<20)}, 413, "too_large", "file"},
			{"empty file", f.alice, file{Field: "file", Name: "empty.txt", Data: nil}, 422, "invalid_field", "file"},
			{"no part named file", f.alice, file{Field: "upload", Name: "notes.txt", Data: content}, 422, "required_field", "file"},
			{"no file name", f.alice, file{Field: "file", Name: "", Data: content}, 422, "required_field", "filename"},
			{"not multipart", f.alice, map[string]any{"file": "aGVsbG8="}, 400, "invalid_body", "file"},
			{"hidden ticket", f.bob, file{Field: "file", Name: "notes.txt", Data: content}, 404, "not_found", ""},
		} {
			t.Run(tc.name, func(t *testing.T) { wantError(t, upload(tc.as, tc.body), tc.status, tc.code, tc.field) })
		}
		if n := count(); n != before {
			t.Errorf("refused uploads added %d attachments", n-before)
		}
		if n := len(history(t, f, key)); n != events {
			t.Errorf("refused uploads wrote %d events", n-events)
		}
		// Exactly 10 MiB is allowed.
		wantStatus(t, upload(f.agentA, file{Field: "file", Name: "max.bin", Data: big[:ticket.MaxAttachment]}), 201)
		if n := count(); n != before+1 {
			t.Errorf("%d attachments, want %d", n, before+1)
		}
	})
}
