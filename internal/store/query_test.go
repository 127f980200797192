package store_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

// searchFixture adds to the fixture, one hour apart from t0 (09:00 UTC):
//
//	IT-1 Alice   Network incident Highest "VPN drops every few minutes", where Floor 3;
//	     Nina's reply "Please reinstall the zorblax client" and her internal note
//	     "kerfuffle with the firewall vendor"
//	IT-2 Alice   Laptops request  Medium  "Laptop for new starter", shared with Acme,
//	     description "Café au lait stains on the old one"; Large, 2, needed by
//	     2025-03-10, Mouse and Dock, manager Dave, agreed
//	IT-3 Bob     Laptops request  Medium  "Second laptop": Small, 1, Bag, agreed
//	IT-4 Carol   Network incident Lowest  "Printer offline in the Globex office",
//	     assigned to Nina, resolved "Fixed"
//	IT-5 Nina    Laptops request  Medium  "Nina needs a new mouse" (her own request,
//	     on a service her team does not serve)
//	IT-6 admin   Network problem  High    "Recurring VPN outages", assigned to Nina
//
// and indexes them for search.
func searchFixture(t *testing.T, s *store.Store) *fixture {
	t.Helper()
	f := newFixture(t, s)
	f.ctx = store.InLocation(f.ctx, time.UTC)
	hour := func() { f.clock.advance(time.Hour) }
	f.create(t, f.alice, store.NewTicket{Service: "Network", RequestType: "Report an outage", Summary: "VPN drops every few minutes",
		Description: "Since Monday the VPN client disconnects", Impact: "high", Urgency: "high", Fields: map[string]any{"location": "Floor 3"}})
	hour()
	f.create(t, f.alice, store.NewTicket{Service: "Laptops", RequestType: "Request a laptop", Summary: "Laptop for new starter",
		Description: "Café au lait stains on the old one", OrganizationID: f.acme.ID,
		Fields: map[string]any{"model": "Large", "qty": 2.0, "needed_by": "2025-03-10", "extras": []any{"Mouse", "Dock"},
			"manager": f.daveUser.ID, "notes": "Needs a docking station", "agree": true}})
	hour()
	f.create(t, f.bob, store.NewTicket{Service: "Laptops", RequestType: "Request a laptop", Summary: "Second laptop",
		Fields: map[string]any{"model": "Small", "qty": 1.0, "extras": []any{"Bag"}, "agree": true}})
	hour()
	f.create(t, f.carol, store.NewTicket{Service: "Network", Type: "incident", Summary: "Printer offline in the Globex office", Impact: "low", Urgency: "low"})
	hour()
	f.create(t, f.nina, store.NewTicket{Service: "Laptops", Type: "service_request", Summary: "Nina needs a new mouse"})
	hour()
	f.create(t, f.admin, store.NewTicket{Service: "Network", Type: "problem", Summary: "Recurring VPN outages", Priority: "High", AssigneeID: f.ninaUser.ID})
	hour()
	if _, err := s.AddComment(f.ctx, f.nina, "IT-1", "Please reinstall the zorblax client", false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddComment(f.ctx, f.nina, "IT-1", "kerfuffle with the firewall vendor", true); err != nil {
		t.Fatal(err)
	}
	hour()
	if _, err := s.UpdateTicket(f.ctx, f.nina, "IT-4", store.TicketPatch{AssigneeID: ptr(f.ninaUser.ID)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transition(f.ctx, f.nina, "IT-4", store.TransitionInput{To: "Resolved", Resolution: "Fixed"}); err != nil {
		t.Fatal(err)
	}
	hour()
	if n, err := s.IndexSearch(f.ctx); err != nil || n != 6 {
		t.Fatalf("IndexSearch = %d, %v; want 6 tickets", n, err)
	}
	return f
}

func TestSearchTickets(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := searchFixture(t, s)
		all := []string{"IT-1", "IT-2", "IT-3", "IT-4", "IT-5", "IT-6"}
		for _, tc := range []struct {
			actor directory.Actor
			q     string
			want  []string
		}{
			{f.admin, "", all},
			{f.admin, "ORDER BY key", all},
			{f.admin, "service = Network", []string{"IT-1", "IT-4", "IT-6"}},
			{f.admin, `service = "network" AND priority >= High`, []string{"IT-1", "IT-6"}},
			{f.admin, "priority > High", []string{"IT-1"}},
			{f.admin, "priority <= low", []string{"IT-4"}},
			{f.admin, "priority in (Medium, Lowest)", []string{"IT-2", "IT-3", "IT-4", "IT-5"}},
			{f.admin, `type = "service request"`, []string{"IT-2", "IT-3", "IT-5"}},
			{f.admin, "type in (incident, problem)", []string{"IT-1", "IT-4", "IT-6"}},
			{f.admin, "status = resolved", []string{"IT-4"}},
			{f.admin, `status = "waiting for support"`, []string{"IT-2", "IT-3", "IT-5"}},
			{f.admin, "status != Done", []string{"IT-1", "IT-2", "IT-3", "IT-5", "IT-6"}},
			{f.admin, `status IN ("In Progress", done)`, []string{"IT-4"}},
			{f.admin, "category = Done", []string{"IT-4"}},
			{f.admin, `category = "To Do"`, []string{"IT-1", "IT-2", "IT-3", "IT-5", "IT-6"}},
			{f.admin, "category != done", []string{"IT-1", "IT-2", "IT-3", "IT-5", "IT-6"}},
			{f.admin, "assignee = nina@example.com", []string{"IT-4", "IT-6"}},
			{f.admin, `assignee = "nina network"`, []string{"IT-4", "IT-6"}},
			{f.admin, "assignee is empty", []string{"IT-1", "IT-2", "IT-3", "IT-5"}},
			{f.admin, "assignee = EMPTY", []string{"IT-1", "IT-2", "IT-3", "IT-5"}},
			{f.admin, "assignee != nina@example.com", []string{"IT-1", "IT-2", "IT-3", "IT-5"}},
			{f.admin, "NOT assignee = nina@example.com", []string{"IT-1", "IT-2", "IT-3", "IT-5"}},
			{f.admin, "assignee in (EMPTY, nina@example.com) AND service = Network", []string{"IT-1", "IT-4", "IT-6"}},
			{f.admin, `assignee in membersOf("network")`, []string{"IT-4", "IT-6"}},
			{f.admin, `assignee not in membersOf("network")`, []string{"IT-1", "IT-2", "IT-3", "IT-5"}},
			{f.admin, "reporter = alice@acme.test", []string{"IT-1", "IT-2"}},
			{f.admin, "reporter = currentUser()", []string{"IT-6"}},
			{f.admin, "organization = acme", []string{"IT-2"}},
			{f.admin, "organization is not empty", []string{"IT-2"}},
			{f.admin, "team = Desk", []string{"IT-2", "IT-3", "IT-5"}},
			{f.admin, `"request type" = "request a laptop"`, []string{"IT-2", "IT-3"}},
			{f.admin, "requestType is empty", []string{"IT-4", "IT-5", "IT-6"}},
			{f.admin, "summary ~ vpn", []string{"IT-1", "IT-6"}},
			{f.admin, "summary !~ vpn", []string{"IT-2", "IT-3", "IT-4", "IT-5"}},
			{f.admin, `summary ~ "50%"`, nil},
			{f.admin, `description ~ "monday the"`, []string{"IT-1"}},
			{f.admin, "description is empty", []string{"IT-3", "IT-4", "IT-5", "IT-6"}},
			{f.admin, "channel = api", all},
			{f.admin, "resolution = FIXED", []string{"IT-4"}},
			{f.admin, "resolution is not empty", []string{"IT-4"}},
			{f.admin, "resolution ~ fix", []string{"IT-4"}},
			{f.admin, "impact = high", []string{"IT-1"}},
			{f.admin, "impact > low", []string{"IT-1"}},
			{f.admin, "impact is empty", []string{"IT-2", "IT-3", "IT-5", "IT-6"}},
			{f.admin, "key = it-3", []string{"IT-3"}},
			{f.admin, `key in ("IT-1", IT-2, IT-99)`, []string{"IT-1", "IT-2"}},
			{f.admin, "key > IT-4", []string{"IT-5", "IT-6"}},
			{f.admin, "key <= IT-2", []string{"IT-1", "IT-2"}},
			{f.admin, "key IS NOT EMPTY", all},
			{f.admin, "created = 2025-03-03", all},
			{f.admin, `created >= "2025-03-03 11:00"`, []string{"IT-3", "IT-4", "IT-5", "IT-6"}},
			{f.admin, `created < "2025-03-03 11:00"`, []string{"IT-1", "IT-2"}},
			{f.admin, `created = "2025-03-03 10:00"`, []string{"IT-2"}},
			{f.admin, `created > "2025-03-03 10:00"`, []string{"IT-3", "IT-4", "IT-5", "IT-6"}},
			{f.admin, "created <= 2025-03-02", nil},
			{f.admin, "created >= -2h", nil},
			{f.admin, "created >= -1d", all},
			{f.admin, "updated >= startOfDay() AND updated <= endOfDay()", all},
			{f.admin, "resolved is not empty", []string{"IT-4"}},
			{f.admin, "resolved >= startOfWeek() AND resolved < startOfMonth(1)", []string{"IT-4"}},
			{f.admin, "resolved < startOfDay()", nil},
			{f.admin, "NOT resolved < startOfDay()", all},
			{f.admin, `"Model" = large`, []string{"IT-2"}},
			{f.admin, `"model" in (Small, Large)`, []string{"IT-2", "IT-3"}},
			{f.admin, `"Model" != Large`, []string{"IT-1", "IT-3", "IT-4", "IT-5", "IT-6"}},
			{f.admin, `"Model" ~ arg`, []string{"IT-2"}},
			{f.admin, `"Quantity" >= 2`, []string{"IT-2"}},
			{f.admin, `"Quantity" < 2.5 AND "Quantity" != 2`, []string{"IT-3"}},
			{f.admin, `"Quantity" = 1`, []string{"IT-3"}},
			{f.admin, `"Extras" = dock`, []string{"IT-2"}},
			{f.admin, `"Extras" in (Bag, Dock)`, []string{"IT-2", "IT-3"}},
			{f.admin, `"Extras" != Mouse AND "request type" = "Request a laptop"`, []string{"IT-3"}},
			{f.admin, `"Extras" is empty`, []string{"IT-1", "IT-4", "IT-5", "IT-6"}},
			{f.admin, `"Needed by" = 2025-03-10`, []string{"IT-2"}},
			{f.admin, `"Needed by" <= "2025-03-10 23:00"`, []string{"IT-2"}},
			{f.admin, `"Needed by" > 2025-03-10`, nil},
			{f.admin, `"Needed by" < endOfMonth()`, []string{"IT-2"}},
			{f.admin, `"Manager" = dave@example.com`, []string{"IT-2"}},
			{f.admin, `"Manager" in membersOf(Desk)`, []string{"IT-2"}},
			{f.admin, `"Manager" is empty AND "request type" = "Request a laptop"`, []string{"IT-3"}},
			{f.admin, `"I will take care of it" = true`, []string{"IT-2", "IT-3"}},
			{f.admin, `"agree" != yes`, []string{"IT-1", "IT-4", "IT-5", "IT-6"}},
			{f.admin, `"Notes" ~ docking`, []string{"IT-2"}},
			{f.admin, `"Where" = "floor 3"`, []string{"IT-1"}},
			{f.admin, `"location" is not empty`, []string{"IT-1"}},
			{f.admin, "text ~ zorblax", []string{"IT-1"}},
			{f.admin, "text ~ kerfuffle", []string{"IT-1"}},
			{f.admin, `text ~ "vpn outages"`, []string{"IT-6"}},
			{f.admin, `text ~ "VPN"`, []string{"IT-1", "IT-6"}},
			{f.admin, `text ~ "café"`, []string{"IT-2"}},
			{f.admin, `text ~ "monday disconnects"`, []string{"IT-1"}},
			{f.admin, "text !~ vpn", []string{"IT-2", "IT-3", "IT-4", "IT-5"}},
			{f.admin, `text ~ "vpn" AND NOT (priority = Highest OR status = Resolved)`, []string{"IT-6"}},
			{f.admin, `(service = Laptops OR priority = Highest) AND NOT reporter = alice@acme.test`, []string{"IT-3", "IT-5"}},

			// Customers see their own and their organization's shared requests,
			// whatever the query asks.
			{f.alice, "", []string{"IT-1", "IT-2"}},
			{f.alice, "key IS NOT EMPTY", []string{"IT-1", "IT-2"}},
			{f.alice, `summary ~ ""`, []string{"IT-1", "IT-2"}},
			{f.alice, "NOT key = IT-1 OR key = IT-1", []string{"IT-1", "IT-2"}},
			{f.alice, "text ~ vpn", []string{"IT-1"}},
			{f.alice, "text ~ zorblax", []string{"IT-1"}},
			{f.alice, "text ~ kerfuffle", nil},
			{f.alice, `text ~ "zorblax kerfuffle"`, nil},
			{f.alice, "reporter = bob@acme.test", nil},
			{f.alice, `assignee = "Nobody At All"`, nil},
			{f.alice, `assignee != "Nobody At All"`, []string{"IT-1", "IT-2"}},
			{f.alice, `organization = "No such company"`, nil},
			{f.bob, "", []string{"IT-2", "IT-3"}},
			{f.bob, "reporter = currentUser()", []string{"IT-3"}},
			{f.carol, `key > IT-0 OR text ~ vpn`, []string{"IT-4"}},
			{f.carol, `text ~ "printer globex"`, []string{"IT-4"}},

			// Agents list their services' tickets, and their own requests
			// when they ask for them.
			{f.nina, "", []string{"IT-1", "IT-4", "IT-6"}},
			{f.nina, "text ~ kerfuffle", []string{"IT-1"}},
			{f.nina, "reporter = currentUser()", []string{"IT-5"}},
			{f.nina, "reporter = currentUser() AND summary ~ mouse", []string{"IT-5"}},
			{f.nina, "assignee = currentUser() AND category != done", []string{"IT-6"}},
			{f.dave, "text ~ vpn", nil},
			{f.dave, "", []string{"IT-2", "IT-3", "IT-5"}},
		} {
			page, err := s.SearchTickets(f.ctx, tc.actor, tc.q, 50, 0)
			if err != nil {
				t.Errorf("%s: %q: %v", tc.actor.Name, tc.q, err)
				continue
			}
			got := keysOf(page.Tickets)
			want := tc.want
			if want == nil {
				want = []string{}
			}
			if !slices.Equal(got, want) || page.Total != len(want) {
				t.Errorf("%s: %q = %v (total %d), want %v", tc.actor.Name, tc.q, got, page.Total, want)
			}
		}
	})
}

func TestSearchTicketsOrder(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := searchFixture(t, s)
		for _, tc := range []struct {
			q    string
			want string
		}{
			{"", "IT-6 IT-5 IT-4 IT-3 IT-2 IT-1"},
			{"ORDER BY created", "IT-1 IT-2 IT-3 IT-4 IT-5 IT-6"},
			{"ORDER BY priority DESC, key ASC", "IT-1 IT-6 IT-2 IT-3 IT-5 IT-4"},
			{"ORDER BY priority", "IT-4 IT-2 IT-3 IT-5 IT-6 IT-1"},
			{"service = Laptops ORDER BY summary", "IT-2 IT-5 IT-3"},
			{`ORDER BY "Quantity" DESC, key`, "IT-2 IT-3 IT-1 IT-4 IT-5 IT-6"},
			{`ORDER BY "Quantity", key`, "IT-3 IT-2 IT-1 IT-4 IT-5 IT-6"},
			{`ORDER BY "model" DESC, key DESC`, "IT-3 IT-2 IT-6 IT-5 IT-4 IT-1"},
			{"ORDER BY assignee, key", "IT-4 IT-6 IT-1 IT-2 IT-3 IT-5"},
			{"ORDER BY assignee DESC, key", "IT-4 IT-6 IT-1 IT-2 IT-3 IT-5"},
			{"ORDER BY reporter, key DESC", "IT-6 IT-2 IT-1 IT-3 IT-4 IT-5"},
			{"ORDER BY service DESC, created DESC", "IT-6 IT-4 IT-1 IT-5 IT-3 IT-2"},
			{"ORDER BY category DESC, key", "IT-4 IT-1 IT-2 IT-3 IT-5 IT-6"},
			{"ORDER BY impact DESC, key", "IT-1 IT-4 IT-2 IT-3 IT-5 IT-6"},
		} {
			page, err := s.SearchTickets(f.ctx, f.admin, tc.q, 50, 0)
			if err != nil {
				t.Errorf("%q: %v", tc.q, err)
				continue
			}
			var got []string
			for _, tk := range page.Tickets {
				got = append(got, tk.Key)
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("%q = %v, want %s", tc.q, got, tc.want)
			}
		}
		// Pages follow the order and do not overlap.
		var keys []string
		for offset := 0; offset < 6; offset += 4 {
			page, err := s.SearchTickets(f.ctx, f.admin, "ORDER BY priority DESC", 4, offset)
			if err != nil {
				t.Fatal(err)
			}
			if page.Total != 6 || page.Limit != 4 || page.Offset != offset {
				t.Errorf("page at %d: total %d, limit %d, offset %d", offset, page.Total, page.Limit, page.Offset)
			}
			for _, tk := range page.Tickets {
				keys = append(keys, tk.Key)
			}
		}
		if got := strings.Join(keys, " "); got != "IT-1 IT-6 IT-5 IT-3 IT-2 IT-4" {
			t.Errorf("pages of priority DESC = %s", got)
		}
	})
}

func TestSearchTicketsErrors(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := searchFixture(t, s)
		for _, tc := range []struct {
			actor directory.Actor
			q     string
			want  string
		}{
			{f.admin, "prority = High", `line 1, column 1: unknown field "prority"; did you mean "priority"?`},
			{f.admin, "status = Opne", `line 1, column 10: no workflow has a status "Opne"; did you mean "Open"?`},
			{f.admin, "service = Netwrk", `line 1, column 11: there is no service "Netwrk"; did you mean "Network"?`},
			{f.admin, `assignee = "Nobody At All"`, `line 1, column 12: there is no user with the email or name "Nobody At All"`},
			{f.admin, `assignee in membersOf("Netwrk")`, `line 1, column 23: there is no team "Netwrk"; did you mean "Network"?`},
			{f.admin, `"Modle" = Large`, `line 1, column 1: unknown field "Modle"; did you mean "Model"?`},
			{f.admin, `"Model" = Medium`, `line 1, column 11: "Medium" is not an option of "Model"`},
			{f.admin, `"Quantity" ~ 2`, `line 1, column 12: "Quantity" (a number field) cannot be compared with ~; use =, !=, <, <=, >, >=, IN, NOT IN, IS, IS NOT`},
			{f.admin, "service = Network AND\n  created > 2025-02-30", "line 2, column 13: \"2025-02-30\" is not a date"},
			{f.alice, "status = Opne", `line 1, column 10: no workflow has a status "Opne"`},
			{f.alice, "text ~ kerfuffle AND", `line 1, column 21: expected a field name`},
		} {
			_, err := s.SearchTickets(f.ctx, tc.actor, tc.q, 50, 0)
			wantErr(t, tc.q, err, errs.KindInvalid, "q")
			if e, ok := errs.As(err); ok && !strings.HasPrefix(e.Message, tc.want) {
				t.Errorf("%q: message %q, want it to start with %q", tc.q, e.Message, tc.want)
			}
			if err := s.ValidateQuery(f.ctx, tc.q); tc.actor.Role.Staff() && err == nil {
				t.Errorf("ValidateQuery(%q) = nil", tc.q)
			}
			if _, err := s.MatchTickets(f.ctx, tc.q, []int64{1}); tc.actor.Role.Staff() {
				wantErr(t, "match "+tc.q, err, errs.KindInvalid, "q")
			}
		}
		if err := s.ValidateQuery(f.ctx, `service = Network AND priority >= High ORDER BY created`); err != nil {
			t.Errorf("ValidateQuery: %v", err)
		}
	})
}

// TestSearchTicketsLimits runs the largest queries the language allows:
// both engines must take them.
func TestSearchTicketsLimits(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := searchFixture(t, s)
		keys := make([]string, 1000)
		for i := range keys {
			keys[i] = fmt.Sprintf("IT-%d", i+1)
		}
		nested := strings.Repeat("NOT (", 16) + `"Extras" != Dock` + strings.Repeat(" OR priority = Low)", 16)
		words := strings.TrimSpace(strings.Repeat("vpn ", 64))
		for _, tc := range []struct {
			q    string
			want int
		}{
			{strings.Repeat(`"Quantity" != 2 AND `, 255) + "key IS NOT EMPTY", 5},
			{strings.Repeat(`("Extras" = Dock OR assignee != currentUser()) AND `, 127) + `"Extras" = Dock`, 1},
			{"key IN (" + strings.Join(keys, ", ") + ")", 6},
			{nested, 5},
			{"text ~ '" + words + "'", 2},
		} {
			page, err := s.SearchTickets(f.ctx, f.admin, tc.q, 10, 0)
			if err != nil {
				t.Errorf("%.60s...: %v", tc.q, err)
				continue
			}
			if page.Total != tc.want {
				t.Errorf("%.60s...: %d tickets, want %d", tc.q, page.Total, tc.want)
			}
		}
	})
}

func TestMatchTickets(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := searchFixture(t, s)
		got, err := s.MatchTickets(f.ctx, "priority >= High OR text ~ kerfuffle", []int64{1, 2, 4, 6, 999})
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64]bool{1: true, 2: false, 4: false, 6: true, 999: false}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("MatchTickets = %v, want %v", got, want)
		}
		// No access control, and currentUser() is nobody.
		got, err = s.MatchTickets(f.ctx, "assignee = currentUser() OR reporter = currentUser()", []int64{1, 4, 6})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(map[int64]bool{1: false, 4: false, 6: false}) {
			t.Errorf("currentUser() matched %v", got)
		}
		got, err = s.MatchTickets(f.ctx, "", nil)
		if err != nil || len(got) != 0 {
			t.Errorf("MatchTickets of none = %v, %v", got, err)
		}
		// Many ids at once.
		var ids []int64
		for id := int64(1); id <= 1200; id++ {
			ids = append(ids, id)
		}
		got, err = s.MatchTickets(f.ctx, "service = Laptops", ids)
		if err != nil {
			t.Fatal(err)
		}
		var matched []int64
		for id, ok := range got {
			if ok {
				matched = append(matched, id)
			}
		}
		slices.Sort(matched)
		if len(got) != 1200 || !slices.Equal(matched, []int64{2, 3, 5}) {
			t.Errorf("MatchTickets over 1200 ids: %d answers, matched %v", len(got), matched)
		}
	})
}

func TestIndexSearch(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := searchFixture(t, s)
		find := func(a directory.Actor, q string) []string {
			t.Helper()
			page, err := s.SearchTickets(f.ctx, a, q, 50, 0)
			if err != nil {
				t.Fatalf("%q: %v", q, err)
			}
			return keysOf(page.Tickets)
		}
		if n, err := s.IndexSearch(f.ctx); n != 0 || err != nil {
			t.Errorf("IndexSearch again = %d, %v; want 0", n, err)
		}

		// A new public reply is found once indexed, by the customer too.
		if _, err := s.AddComment(f.ctx, f.dave, "IT-3", "The quokka adapter ships tomorrow", false); err != nil {
			t.Fatal(err)
		}
		if got := find(f.admin, "text ~ quokka"); len(got) != 0 {
			t.Errorf("found %v before indexing", got)
		}
		if n, err := s.IndexSearch(f.ctx); n != 1 || err != nil {
			t.Errorf("IndexSearch after a comment = %d, %v; want 1", n, err)
		}
		if got := find(f.bob, "text ~ QUOKKA"); !slices.Equal(got, []string{"IT-3"}) {
			t.Errorf("bob: text ~ quokka = %v", got)
		}

		// An internal note is found by agents only.
		if _, err := s.AddComment(f.ctx, f.dave, "IT-3", "bob asked twice about the wombat", true); err != nil {
			t.Fatal(err)
		}
		// Several indexers at once index it once.
		var wg sync.WaitGroup
		counts := make([]int, 4)
		failed := make([]error, 4)
		for i := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				counts[i], failed[i] = s.IndexSearch(f.ctx)
			}()
		}
		wg.Wait()
		total := 0
		for i := range 4 {
			if failed[i] != nil {
				t.Errorf("indexer %d: %v", i, failed[i])
			}
			total += counts[i]
		}
		if total != 1 {
			t.Errorf("4 indexers indexed %v tickets, want 1 in all", counts)
		}
		if got := find(f.dave, "text ~ wombat"); !slices.Equal(got, []string{"IT-3"}) {
			t.Errorf("dave: text ~ wombat = %v", got)
		}
		if got := find(f.bob, "text ~ wombat"); len(got) != 0 {
			t.Errorf("bob found the internal note: %v", got)
		}
		if got := find(f.bob, `text ~ "quokka wombat"`); len(got) != 0 {
			t.Errorf("bob found the internal note with a public word: %v", got)
		}

		// An edit replaces the old text.
		if _, err := s.UpdateTicket(f.ctx, f.admin, "IT-3", store.TicketPatch{Summary: ptr("Third laptop")}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.IndexSearch(f.ctx); err != nil {
			t.Fatal(err)
		}
		if got := find(f.admin, "text ~ second"); len(got) != 0 {
			t.Errorf("old summary still found: %v", got)
		}
		if got := find(f.admin, "text ~ third"); !slices.Equal(got, []string{"IT-3"}) {
			t.Errorf("text ~ third = %v", got)
		}
	})
}

// searchSeeds are valid queries for FuzzSearchTickets to start from: one of
// each field, operator and function, and some mistakes.
var searchSeeds = []string{
	"",
	"ORDER BY priority DESC",
	`service = "Service Desk service" AND priority IN (High, Highest) AND status != Done ORDER BY created DESC`,
	"priority >= High AND NOT (assignee = currentUser() OR assignee IS EMPTY)",
	"key = IT-1", "key IN (IT-1, it-2)", "key > IT-2", "key IS NOT EMPTY", "key IS EMPTY",
	"type = incident", `type != "service request"`, "status = Open", "status IN (Open, Resolved, Closed)",
	`category = "In Progress"`, "category != done", "priority < Medium", "priority IS EMPTY",
	"impact = high", "urgency >= medium", "impact IS EMPTY",
	`"request type" = "Report a problem"`, `requestType IS NOT EMPTY`,
	`summary ~ "laptop"`, `summary !~ "%_\\"`, `description ~ ""`, "description IS EMPTY",
	`text ~ "vpn drops"`, `text ~ 'zorblax "quoted" words'`, `text !~ kerfuffle`, `text ~ "OR AND NOT NEAR( * ^ :"`,
	"reporter = customer0@fixture.test", `reporter = "Customer 1"`, "reporter = currentUser()",
	"assignee = agent0@fixture.test", `assignee IN membersOf("Service Desk")`, "assignee NOT IN (EMPTY, currentUser())",
	"organization = Finance", "organization IS EMPTY", `team = "Infrastructure"`, "team != EMPTY",
	"channel = api", "resolution = Fixed", `resolution ~ "fix"`, "resolution IS NOT EMPTY",
	"created >= -7d", "created < startOfDay(-1)", `updated = 2026-01-31`, `updated >= "2026-01-31 14:00"`,
	"resolved IS EMPTY", "resolved >= startOfWeek()", "resolved <= endOfMonth(-1M)", "created > startOfYear()",
	"created IN (2026-01-01, -1d, EMPTY)", "created > now()", "updated < endOfDay(2h)",
	`"Device" = Laptop`, `"device" IN (Phone, Desktop)`, `"Device" IS EMPTY`, `"Device" ~ lap`,
	`"Model" = "MacBook Pro"`, `"RAM" >= 16`, `"RAM" IN (8, 16.5)`, `"Needed by" < 2026-03-01`, `"Needed by" = -7d`,
	`"Software" = Slack`, `"Software" NOT IN (Zoom, EMPTY)`, `"Approver" = currentUser()`, `"Approver" IN membersOf("Service Desk")`,
	`"Urgent" = true`, `"Urgent" != false`, `"Notes" ~ "x"`, `"Notes" = "hello"`,
	`NOT NOT (priority = High OR NOT (status = Open AND "RAM" > 2))`,
	"ORDER BY key, created DESC, updated, resolved DESC, priority, status, summary, type, category, impact, urgency, channel, resolution",
	`ORDER BY service, "request type", reporter, assignee DESC, organization, team, "RAM" DESC, "Model", "Software", "Urgent"`,
}

// badSeeds are mistakes, for the fuzzer to mutate too.
var badSeeds = []string{
	"status = ", "prority = High", `"Unknown" = 1`, "created > 2026-02-30", "(status = Open", "status = Open)",
	`"RAM" ~ 1`, `assignee = membersOf("Service Desk")`, "key > nothing", `text ~ "!!!"`,
}

// FuzzSearchTickets runs the SQL compiled from fuzzed queries on SQLite
// (and PostgreSQL when CAIRN_TEST_POSTGRES is set): a query that parses and
// compiles must run without an SQL error, for an admin, an agent and a
// customer, and in MatchTickets.
func FuzzSearchTickets(f *testing.F) {
	for _, q := range append(searchSeeds, badSeeds...) {
		f.Add(q)
	}
	ctx := store.InLocation(context.Background(), time.UTC)
	type engine struct {
		s      *store.Store
		actors []directory.Actor
	}
	var engines []engine
	setup := func(s *store.Store) {
		fx := storetest.NewFixture(f, s)
		rt, err := s.CreateRequestType(ctx, directory.System, catalog.RequestType{
			ServiceID: fx.Services[0].ID, Name: "Laptop", TicketType: "service_request",
			Fields: []catalog.Field{
				{Key: "model", Label: "Model", Type: catalog.FieldSelect, Options: []string{"MacBook Pro", "ThinkPad"}},
				{Key: "ram", Label: "RAM", Type: catalog.FieldNumber},
				{Key: "needed_by", Label: "Needed by", Type: catalog.FieldDate},
				{Key: "software", Label: "Software", Type: catalog.FieldMultiSelect, Options: []string{"Slack", "Zoom"}},
				{Key: "approver", Label: "Approver", Type: catalog.FieldUser},
				{Key: "urgent", Label: "Urgent", Type: catalog.FieldCheckbox},
				{Key: "notes", Label: "Notes", Type: catalog.FieldLongText},
			},
		})
		if err != nil {
			f.Fatal(err)
		}
		cust := fx.Customers[0]
		for i, in := range []store.NewTicket{
			{Service: fx.Services[0].Name, RequestType: "Report a problem", Summary: "VPN drops", Description: "50% of the time", Fields: map[string]any{"device": "Laptop"}},
			{Service: fx.Services[0].Name, RequestType: rt.Name, Summary: "New laptop", OrganizationID: cust.OrganizationID,
				Fields: map[string]any{"model": "ThinkPad", "ram": 16.0, "needed_by": "2026-03-01", "software": []any{"Slack"}, "approver": fx.Agents[0].UserID, "urgent": true, "notes": "x"}},
			{Service: fx.Services[1].Name, Type: "incident", Summary: "Printer offline", Impact: "high", Urgency: "low"},
		} {
			tk, err := s.CreateTicket(ctx, cust, in)
			if err != nil {
				f.Fatal(err)
			}
			if _, err := s.AddComment(ctx, fx.Admin, tk.Key, "zorblax note", i%2 == 0); err != nil {
				f.Fatal(err)
			}
		}
		if _, err := s.IndexSearch(ctx); err != nil {
			f.Fatal(err)
		}
		// The seeds are meant to exercise the SQL: they must compile.
		for _, q := range searchSeeds {
			if err := s.ValidateQuery(ctx, q); err != nil {
				f.Errorf("seed %q: %v", q, err)
			}
		}
		for _, q := range badSeeds {
			if err := s.ValidateQuery(ctx, q); !errs.Is(err, errs.KindInvalid) {
				f.Errorf("bad seed %q: %v, want an invalid query", q, err)
			}
		}
		engines = append(engines, engine{s, []directory.Actor{fx.Admin, fx.Agents[0], cust}})
	}
	setup(storetest.SQLite(f))
	if os.Getenv(storetest.EnvPostgres) != "" {
		setup(storetest.Postgres(f))
	}
	f.Fuzz(func(t *testing.T, q string) {
		for _, e := range engines {
			for _, a := range e.actors {
				_, err := e.s.SearchTickets(ctx, a, q, 10, 0)
				if err != nil && !errs.Is(err, errs.KindInvalid) {
					t.Fatalf("%s, %s: %q: %v", e.s.Engine(), a.Role, q, err)
				}
			}
			if _, err := e.s.MatchTickets(ctx, q, []int64{1, 2, 3}); err != nil && !errs.Is(err, errs.KindInvalid) {
				t.Fatalf("%s: match %q: %v", e.s.Engine(), q, err)
			}
		}
	})
}
