package store_test

import (
	"slices"
	"testing"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// TestTicketAccess checks who sees which ticket through every read path.
func TestTicketAccess(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := f.ctx
		// IT-1 Alice's own, on Network.
		// IT-2 Bob's, on Network, shared with Acme.
		// IT-3 Carol's, on Laptops.
		// IT-4 raised by an admin on Laptops, assigned to Dave.
		// IT-5 raised by Nina on Laptops.
		// Agents see the tickets of the services their teams serve and the
		// requests they raised; their listings show the former, and the
		// latter when they filter by themselves as reporter.
		mine := f.incident(t, f.alice, "Alice's wifi")
		shared := f.create(t, f.bob, store.NewTicket{Service: "Network", Type: "incident", Summary: "Bob's VPN", OrganizationID: f.acme.ID})
		carols := f.laptopRequest(t, f.carol, "Carol's laptop")
		assigned := f.create(t, f.admin, store.NewTicket{Service: "Laptops", Type: "service_request", Summary: "Assigned", AssigneeID: f.dave.UserID})
		// Only an agent who serves the service (or an admin) may be assigned.
		if _, err := s.CreateTicket(ctx, f.admin, store.NewTicket{Service: "Laptops", Type: "service_request", Summary: "x", AssigneeID: f.ninaUser.ID}); !errs.Is(err, errs.KindInvalid) {
			t.Fatalf("assigning an agent outside the service: %v, want invalid", err)
		}
		reported := f.create(t, f.nina, store.NewTicket{Service: "Laptops", Type: "service_request", Summary: "Nina's own"})
		for _, tk := range []ticket.Ticket{mine, shared, carols, assigned, reported} {
			if _, err := s.AddComment(ctx, f.admin, tk.Key, "A public reply", false); err != nil {
				t.Fatal(err)
			}
		}
		all := []string{mine.Key, shared.Key, carols.Key, assigned.Key, reported.Key}
		tests := []struct {
			who     string
			actor   directory.Actor
			visible []string
			listed  []string // when it differs from visible
			own     []string // listed when filtering by the actor as reporter
		}{
			{who: "alice", actor: f.alice, visible: []string{mine.Key, shared.Key}, own: []string{mine.Key}},
			{who: "bob", actor: f.bob, visible: []string{shared.Key}, own: []string{shared.Key}},
			{who: "carol", actor: f.carol, visible: []string{carols.Key}, own: []string{carols.Key}},
			{who: "nina", actor: f.nina, visible: []string{mine.Key, shared.Key, reported.Key}, listed: []string{mine.Key, shared.Key}, own: []string{reported.Key}},
			{who: "dave", actor: f.dave, visible: []string{carols.Key, assigned.Key, reported.Key}},
			{who: "admin", actor: f.admin, visible: all, own: []string{assigned.Key}},
			// An agent whose teams serve nothing sees only their own requests.
			{who: "agent without services", actor: directory.Actor{UserID: f.ninaUser.ID, Role: directory.RoleAgent, TeamIDs: []int64{f.netTeam.ID}},
				visible: []string{reported.Key}, listed: []string{}, own: []string{reported.Key}},
			// A customer without an organization sees only their own.
			{who: "no organization", actor: directory.Actor{UserID: f.carolUser.ID, Role: directory.RoleCustomer}, visible: []string{carols.Key}, own: []string{carols.Key}},
			// An actor with no known role sees nothing.
			{who: "no role", actor: directory.Actor{UserID: f.adminUser.ID}},
		}
		for _, tt := range tests {
			t.Run(tt.who, func(t *testing.T) {
				listed := tt.visible
				if tt.listed != nil {
					listed = tt.listed
				}
				for _, l := range []struct {
					filter store.TicketFilter
					want   []string
				}{{store.TicketFilter{}, listed}, {store.TicketFilter{ReporterID: tt.actor.UserID}, tt.own}} {
					page, err := s.Tickets(ctx, tt.actor, l.filter)
					if err != nil {
						t.Fatal(err)
					}
					want := slices.Sorted(slices.Values(l.want))
					if got := keysOf(page.Tickets); !slices.Equal(got, want) || page.Total != len(want) {
						t.Errorf("Tickets(%+v) = %v (total %d), want %v", l.filter, got, page.Total, want)
					}
				}
				for _, key := range all {
					seen := slices.Contains(tt.visible, key)
					check := func(what string, err error) {
						t.Helper()
						if seen && err != nil {
							t.Errorf("%s(%s): %v, want it visible", what, key, err)
						}
						if !seen && !errs.Is(err, errs.KindNotFound) {
							t.Errorf("%s(%s): %v, want not_found", what, key, err)
						}
					}
					tk, err := s.Ticket(ctx, tt.actor, key)
					check("Ticket", err)
					if seen && tk.Key != key {
						t.Errorf("Ticket(%s) gave %s", key, tk.Key)
					}
					cms, err := s.Comments(ctx, tt.actor, key)
					check("Comments", err)
					if !seen && len(cms) > 0 {
						t.Errorf("Comments(%s) leaked %d comments", key, len(cms))
					}
					hist, err := s.History(ctx, tt.actor, key)
					check("History", err)
					if !seen && len(hist) > 0 {
						t.Errorf("History(%s) leaked %d events", key, len(hist))
					}
					_, err = s.Links(ctx, tt.actor, key)
					check("Links", err)
					_, err = s.Attachments(ctx, tt.actor, key)
					check("Attachments", err)
					_, err = s.Transitions(ctx, tt.actor, key)
					check("Transitions", err)
				}
			})
		}

		// Writes to a hidden ticket answer not_found too, whatever they
		// would otherwise be refused for, and change nothing.
		before := f.counts(t)
		hidden := carols.Key
		writes := []struct {
			name string
			err  func() error
		}{
			{"comment", func() error { _, err := s.AddComment(ctx, f.alice, hidden, "hi", false); return err }},
			{"internal comment", func() error { _, err := s.AddComment(ctx, f.alice, hidden, "hi", true); return err }},
			{"update summary", func() error {
				_, err := s.UpdateTicket(ctx, f.alice, hidden, store.TicketPatch{Summary: ptr("mine now")})
				return err
			}},
			{"share", func() error {
				_, err := s.UpdateTicket(ctx, f.alice, hidden, store.TicketPatch{OrganizationID: ptr(f.acme.ID)})
				return err
			}},
			{"agent update", func() error {
				_, err := s.UpdateTicket(ctx, f.nina, hidden, store.TicketPatch{Priority: ptr("High")})
				return err
			}},
			{"transition", func() error {
				_, err := s.Transition(ctx, f.alice, hidden, store.TransitionInput{To: "Canceled"})
				return err
			}},
			{"agent transition", func() error {
				_, err := s.Transition(ctx, f.nina, hidden, store.TransitionInput{To: "In progress"})
				return err
			}},
			{"link", func() error { _, err := s.AddLink(ctx, f.alice, hidden, ticket.LinkRelates, mine.Key); return err }},
			{"agent link", func() error { _, err := s.AddLink(ctx, f.nina, hidden, ticket.LinkRelates, mine.Key); return err }},
			{"unlink", func() error { return s.DeleteLink(ctx, f.alice, hidden, 1) }},
			{"attach", func() error { _, err := s.AddAttachment(ctx, f.alice, hidden, "a.txt", "", []byte("x")); return err }},
			{"download", func() error { _, _, err := s.AttachmentContent(ctx, f.alice, hidden, 1); return err }},
			{"unknown ticket", func() error { _, err := s.Ticket(ctx, f.admin, "IT-999"); return err }},
			{"other desk", func() error { _, err := s.Ticket(ctx, f.admin, "HR-1"); return err }},
		}
		for _, w := range writes {
			wantErr(t, w.name, w.err(), errs.KindNotFound, "")
		}
		sameCounts(t, "writes to a hidden ticket", before, f.counts(t))
		if tk, _ := s.Ticket(ctx, f.admin, hidden); tk.Status != carols.Status || tk.Summary != carols.Summary || tk.OrganizationID != 0 {
			t.Errorf("hidden ticket changed: %+v", tk)
		}
	})
}
