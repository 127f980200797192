package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

func TestTicketFilters(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := f.ctx
		// One ticket an hour, from t0:
		//   IT-1 incident  Network  Highest  Open                Alice          "Wifi down on floor 3"
		//   IT-2 request   Laptops  Medium   Waiting for support Alice, shared  "Laptop for new hire, 50% faster"
		//   IT-3 change    Network  Low      Planning            Nina, assigned "Replace switch 500"
		//   IT-4 problem   Network  High     Open                admin, Ada     "Flaky WIFI access point"
		//   IT-5 incident  Network  Lowest   Resolved at t0+5h   Nina           "Printer offline"
		// and a comment on IT-1 at t0+6h.
		f.create(t, f.alice, store.NewTicket{Service: "Network", RequestType: "Report an outage", Summary: "Wifi down on floor 3", Impact: "high", Urgency: "high"})
		f.clock.advance(time.Hour)
		f.create(t, f.alice, store.NewTicket{Service: "Laptops", RequestType: "Request a laptop", Summary: "Laptop for new hire, 50% faster",
			Description: "Needs_dock", OrganizationID: f.acme.ID, Fields: map[string]any{"model": "Small", "agree": true}})
		f.clock.advance(time.Hour)
		f.create(t, f.nina, store.NewTicket{Service: "Network", Type: "change", Summary: "Replace switch 500", Priority: "Low", AssigneeID: f.ninaUser.ID})
		f.clock.advance(time.Hour)
		f.create(t, f.admin, store.NewTicket{Service: "Network", Type: "problem", Summary: "Flaky WIFI access point", Description: "needs-dock?",
			Priority: "High", AssigneeID: f.adminUser.ID})
		f.clock.advance(time.Hour)
		f.create(t, f.nina, store.NewTicket{Service: "Network", Type: "incident", Summary: "Printer offline", Impact: "low", Urgency: "low"})
		f.clock.advance(time.Hour)
		if _, err := s.Transition(ctx, f.nina, "IT-5", store.TransitionInput{To: "Resolved"}); err != nil {
			t.Fatal(err)
		}
		f.clock.advance(time.Hour)
		if _, err := s.AddComment(ctx, f.alice, "IT-1", "any news?", false); err != nil {
			t.Fatal(err)
		}

		keys := func(ns ...int) []string {
			out := []string{}
			for _, n := range ns {
				out = append(out, "IT-"+string(rune('0'+n)))
			}
			return out
		}
		filters := []struct {
			name  string
			actor directory.Actor
			f     store.TicketFilter
			want  []string // sorted
		}{
			{"everything", f.admin, store.TicketFilter{}, keys(1, 2, 3, 4, 5)},
			{"status", f.admin, store.TicketFilter{Statuses: []string{"Open"}}, keys(1, 4)},
			{"statuses", f.admin, store.TicketFilter{Statuses: []string{"Resolved", "Planning"}}, keys(3, 5)},
			{"unknown status", f.admin, store.TicketFilter{Statuses: []string{"Gone"}}, keys()},
			{"category done", f.admin, store.TicketFilter{Categories: []ticket.Category{ticket.CategoryDone}}, keys(5)},
			{"category to do", f.admin, store.TicketFilter{Categories: []ticket.Category{ticket.CategoryToDo}}, keys(1, 2, 3, 4)},
			{"category in progress", f.admin, store.TicketFilter{Categories: []ticket.Category{ticket.CategoryInProgress}}, keys()},
			{"type", f.admin, store.TicketFilter{Types: []ticket.Type{ticket.TypeIncident}}, keys(1, 5)},
			{"types", f.admin, store.TicketFilter{Types: []ticket.Type{ticket.TypeChange, ticket.TypeProblem}}, keys(3, 4)},
			{"priorities", f.admin, store.TicketFilter{Priorities: []ticket.Priority{ticket.PriorityHighest, ticket.PriorityHigh}}, keys(1, 4)},
			{"service", f.admin, store.TicketFilter{ServiceID: f.laptops.ID}, keys(2)},
			{"request type", f.admin, store.TicketFilter{RequestTypeID: f.outage.ID}, keys(1)},
			{"assignee", f.admin, store.TicketFilter{AssigneeID: f.ninaUser.ID}, keys(3)},
			{"unassigned", f.admin, store.TicketFilter{Unassigned: true}, keys(1, 2, 5)},
			{"reporter", f.admin, store.TicketFilter{ReporterID: f.aliceUser.ID}, keys(1, 2)},
			{"organization", f.admin, store.TicketFilter{OrganizationID: f.acme.ID}, keys(2)},
			{"team", f.admin, store.TicketFilter{TeamID: f.deskTeam.ID}, keys(2)},
			{"text in summary, any case", f.admin, store.TicketFilter{Text: "wIfI"}, keys(1, 4)},
			{"text in description", f.admin, store.TicketFilter{Text: "NEEDS"}, keys(2, 4)},
			{"percent is literal", f.admin, store.TicketFilter{Text: "50%"}, keys(2)},
			{"underscore is literal", f.admin, store.TicketFilter{Text: "needs_dock"}, keys(2)},
			{"quote", f.admin, store.TicketFilter{Text: "it's"}, keys()},
			{"created from", f.admin, store.TicketFilter{CreatedAfter: t0.Add(4 * time.Hour)}, keys(5)},
			{"created range", f.admin, store.TicketFilter{CreatedAfter: t0.Add(time.Hour), CreatedBefore: t0.Add(3 * time.Hour)}, keys(2, 3)},
			{"created before the first", f.admin, store.TicketFilter{CreatedBefore: t0}, keys()},
			{"updated from", f.admin, store.TicketFilter{UpdatedAfter: t0.Add(5 * time.Hour)}, keys(1, 5)},
			{"resolved from", f.admin, store.TicketFilter{ResolvedAfter: t0.Add(5 * time.Hour)}, keys(5)},
			{"resolved later", f.admin, store.TicketFilter{ResolvedAfter: t0.Add(5*time.Hour + time.Millisecond)}, keys()},
			{"combined", f.admin, store.TicketFilter{Types: []ticket.Type{ticket.TypeIncident}, Categories: []ticket.Category{ticket.CategoryToDo}}, keys(1)},
			{"customer sees only theirs", f.alice, store.TicketFilter{}, keys(1, 2)},
			{"customer text", f.alice, store.TicketFilter{Text: "switch"}, keys()},
			{"agent unassigned", f.nina, store.TicketFilter{Unassigned: true}, keys(1, 5)},
			{"agent other service", f.nina, store.TicketFilter{ServiceID: f.laptops.ID}, keys()},
		}
		for _, tt := range filters {
			page, err := s.Tickets(ctx, tt.actor, tt.f)
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
				continue
			}
			if got := keysOf(page.Tickets); !slices.Equal(got, tt.want) || page.Total != len(tt.want) {
				t.Errorf("%s: got %v (total %d), want %v", tt.name, got, page.Total, tt.want)
			}
			if n, err := s.CountTickets(ctx, tt.actor, tt.f); err != nil || n != len(tt.want) {
				t.Errorf("%s: CountTickets = %d, %v; want %d", tt.name, n, err, len(tt.want))
			}
		}

		orders := []struct {
			sort string
			asc  bool
			want []string // in order
		}{
			{"", false, keys(5, 4, 3, 2, 1)},
			{"created", true, keys(1, 2, 3, 4, 5)},
			{"updated", false, keys(1, 5, 4, 3, 2)},
			{"priority", false, keys(1, 4, 2, 3, 5)}, // most urgent first
			{"priority", true, keys(5, 3, 2, 4, 1)},
			{"key", true, keys(1, 2, 3, 4, 5)},
			{"status", true, keys(1, 4, 3, 5, 2)},
			{"status", false, keys(2, 5, 3, 4, 1)},
			{"summary", true, keys(4, 2, 5, 3, 1)},
		}
		for _, tt := range orders {
			page, err := s.Tickets(ctx, f.admin, store.TicketFilter{Sort: tt.sort, Ascending: tt.asc})
			if err != nil {
				t.Errorf("sort %q: %v", tt.sort, err)
				continue
			}
			var got []string
			for _, tk := range page.Tickets {
				got = append(got, tk.Key)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("sort %q ascending=%v: %v, want %v", tt.sort, tt.asc, got, tt.want)
			}
		}
		for _, bad := range []string{"nonsense", "created_at", "t.id; DROP TABLE tickets"} {
			_, err := s.Tickets(ctx, f.admin, store.TicketFilter{Sort: bad})
			wantErr(t, "sort "+bad, err, errs.KindInvalid, "sort")
		}

		pages := []struct {
			limit, offset         int
			want                  []string
			wantLimit, wantOffset int
		}{
			{2, 0, keys(1, 2), 2, 0},
			{2, 2, keys(3, 4), 2, 2},
			{2, 4, keys(5), 2, 4},
			{2, 5, nil, 2, 5},
			{0, 0, keys(1, 2, 3, 4, 5), 50, 0},
			{1000, 0, keys(1, 2, 3, 4, 5), store.MaxPage, 0},
			{3, -4, keys(1, 2, 3), 3, 0},
		}
		for _, tt := range pages {
			page, err := s.Tickets(ctx, f.admin, store.TicketFilter{Sort: "created", Ascending: true, Limit: tt.limit, Offset: tt.offset})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tk := range page.Tickets {
				got = append(got, tk.Key)
			}
			if !slices.Equal(got, tt.want) || page.Total != 5 || page.Limit != tt.wantLimit || page.Offset != tt.wantOffset || page.Tickets == nil {
				t.Errorf("limit %d offset %d: %v total %d limit %d offset %d; want %v total 5 limit %d offset %d",
					tt.limit, tt.offset, got, page.Total, page.Limit, page.Offset, tt.want, tt.wantLimit, tt.wantOffset)
			}
		}
	})
}
