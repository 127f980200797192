package store_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// lastChanges gives the changes of the newest event of a type in a history.
func lastChanges(t *testing.T, s *store.Store, f *fixture, key, typ string) []ticket.Change {
	t.Helper()
	hist, err := s.History(f.ctx, f.admin, key)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(hist) - 1; i >= 0; i-- {
		if hist[i].Type == typ {
			return hist[i].Changes
		}
	}
	t.Fatalf("%s has no %s event", key, typ)
	return nil
}

// changeMap turns changes into field -> [from, to].
func changeMap(cs []ticket.Change) map[string][2]any {
	out := map[string][2]any{}
	for _, c := range cs {
		out[c.Field] = [2]any{c.From, c.To}
	}
	return out
}

func TestUpdateTicket(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := f.ctx
		inc := f.create(t, f.alice, store.NewTicket{Service: "Network", RequestType: "Report an outage", Summary: "Wifi down", Impact: "low", Urgency: "low"})
		f.clock.advance(time.Hour)

		// An agent changes several fields at once; each lands in History.
		up, err := s.UpdateTicket(ctx, f.nina, inc.Key, store.TicketPatch{
			Summary: ptr("Wifi down on floor 3"), Impact: ptr("high"), AssigneeID: ptr(f.ninaUser.ID),
			Fields: map[string]any{"location": "Floor 3"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if up.Summary != "Wifi down on floor 3" || up.Impact != ticket.LevelHigh || up.Priority != ticket.PriorityMedium ||
			up.AssigneeID != f.ninaUser.ID || up.Assignee != "Nina Network" || up.Fields["location"] != "Floor 3" ||
			!up.UpdatedAt.Equal(t0.Add(time.Hour)) || !up.CreatedAt.Equal(t0) {
			t.Errorf("updated = %+v", up)
		}
		got := changeMap(lastChanges(t, s, f, inc.Key, ticket.EventUpdated))
		want := map[string][2]any{
			"summary":         {"Wifi down", "Wifi down on floor 3"},
			"impact":          {"low", "high"},
			"priority":        {"Lowest", "Medium"}, // from the matrix: high impact, low urgency
			"assignee_id":     {0.0, float64(f.ninaUser.ID)},
			"fields.location": {nil, "Floor 3"},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("changes = %v\nwant      %v", got, want)
		}

		// A priority set by hand wins over the matrix.
		up, err = s.UpdateTicket(ctx, f.nina, inc.Key, store.TicketPatch{Priority: ptr("highest"), Urgency: ptr("low")})
		if err != nil || up.Priority != ticket.PriorityHighest {
			t.Errorf("priority by hand = %s, %v; want Highest", up.Priority, err)
		}
		// Clearing impact and urgency: the matrix counts them as medium.
		up, err = s.UpdateTicket(ctx, f.nina, inc.Key, store.TicketPatch{Impact: ptr(""), Urgency: ptr("")})
		if err != nil || up.Priority != ticket.PriorityMedium || up.Impact != "" {
			t.Errorf("cleared levels = %s %q, %v; want Medium", up.Priority, up.Impact, err)
		}
		// Unassign, change team.
		up, err = s.UpdateTicket(ctx, f.admin, inc.Key, store.TicketPatch{AssigneeID: ptr(int64(0)), TeamID: ptr(f.deskTeam.ID)})
		if err != nil || up.AssigneeID != 0 || up.Assignee != "" || up.TeamID != f.deskTeam.ID || up.Team != "Desk" {
			t.Errorf("unassign = %+v, %v", up, err)
		}
		// Nothing changes: no event, no new update time.
		events := f.count(t, "events")
		f.clock.advance(time.Hour)
		same, err := s.UpdateTicket(ctx, f.admin, inc.Key, store.TicketPatch{Summary: ptr("  Wifi down on floor 3 ")})
		if err != nil || !same.UpdatedAt.Equal(up.UpdatedAt) {
			t.Errorf("no-op update = %v, %v", same.UpdatedAt, err)
		}
		if n := f.count(t, "events"); n != events {
			t.Errorf("a no-op update wrote %d events", n-events)
		}

		// Refusals.
		req := f.laptopRequest(t, f.alice, "Laptop")
		plain := f.create(t, f.nina, store.NewTicket{Service: "Network", Type: "problem", Summary: "No form"})
		before := f.counts(t)
		refusals := []struct {
			name  string
			actor directory.Actor
			key   string
			p     store.TicketPatch
			kind  errs.Kind
			field string
		}{
			{"customer changes summary", f.alice, inc.Key, store.TicketPatch{Summary: ptr("mine")}, errs.KindForbidden, ""},
			{"customer changes priority", f.alice, inc.Key, store.TicketPatch{Priority: ptr("Highest")}, errs.KindForbidden, ""},
			{"customer changes fields", f.alice, req.Key, store.TicketPatch{Fields: map[string]any{"qty": 3.0}}, errs.KindForbidden, ""},
			{"customer assigns", f.alice, inc.Key, store.TicketPatch{AssigneeID: ptr(f.ninaUser.ID)}, errs.KindForbidden, ""},
			{"customer shares with another organization", f.alice, inc.Key, store.TicketPatch{OrganizationID: ptr(f.globex.ID)}, errs.KindInvalid, "organization"},
			{"assignee is a customer", f.nina, inc.Key, store.TicketPatch{AssigneeID: ptr(f.bobUser.ID)}, errs.KindInvalid, "assignee"},
			{"assignee unknown", f.nina, inc.Key, store.TicketPatch{AssigneeID: ptr(int64(9999))}, errs.KindInvalid, "assignee"},
			{"team unknown", f.nina, inc.Key, store.TicketPatch{TeamID: ptr(int64(9999))}, errs.KindInvalid, "team"},
			{"organization unknown", f.nina, inc.Key, store.TicketPatch{OrganizationID: ptr(int64(9999))}, errs.KindInvalid, "organization"},
			{"empty summary", f.nina, inc.Key, store.TicketPatch{Summary: ptr(" ")}, errs.KindInvalid, "summary"},
			{"bad priority", f.nina, inc.Key, store.TicketPatch{Priority: ptr("urgent")}, errs.KindInvalid, "priority"},
			{"bad impact", f.nina, inc.Key, store.TicketPatch{Impact: ptr("huge")}, errs.KindInvalid, "impact"},
			{"bad urgency", f.nina, inc.Key, store.TicketPatch{Urgency: ptr("now")}, errs.KindInvalid, "urgency"},
			{"long description", f.nina, inc.Key, store.TicketPatch{Description: ptr(strings.Repeat("x", ticket.MaxDescription+1))}, errs.KindInvalid, "description"},
			{"bad field value", f.dave, req.Key, store.TicketPatch{Fields: map[string]any{"qty": "lots"}}, errs.KindInvalid, "fields.qty"},
			{"unknown field", f.dave, req.Key, store.TicketPatch{Fields: map[string]any{"colour": "red"}}, errs.KindInvalid, "fields.colour"},
			{"required field removed", f.dave, req.Key, store.TicketPatch{Fields: map[string]any{"model": nil}}, errs.KindInvalid, "fields.model"},
			{"fields on a ticket without form", f.nina, plain.Key, store.TicketPatch{Fields: map[string]any{"x": "y"}}, errs.KindInvalid, "fields.x"},
		}
		for _, tt := range refusals {
			_, err := s.UpdateTicket(ctx, tt.actor, tt.key, tt.p)
			wantErr(t, tt.name, err, tt.kind, tt.field)
		}
		sameCounts(t, "refused updates", before, f.counts(t))

		// Custom fields merge: others stay, null removes an optional one.
		up, err = s.UpdateTicket(ctx, f.dave, req.Key, store.TicketPatch{Fields: map[string]any{"qty": "3", "extras": []any{"Bag"}}})
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]any{"model": "Small", "agree": true, "qty": 3.0, "extras": []any{"Bag"}}; !reflect.DeepEqual(up.Fields, want) {
			t.Errorf("merged fields = %#v, want %#v", up.Fields, want)
		}
		up, err = s.UpdateTicket(ctx, f.dave, req.Key, store.TicketPatch{Fields: map[string]any{"qty": nil}})
		if err != nil || up.Fields["qty"] != nil || up.Fields["extras"] == nil {
			t.Errorf("removing qty = %#v, %v", up.Fields, err)
		}
		if got := changeMap(lastChanges(t, s, f, req.Key, ticket.EventUpdated)); !reflect.DeepEqual(got, map[string][2]any{"fields.qty": {3.0, nil}}) {
			t.Errorf("changes = %v", got)
		}
		// An empty set of fields on a ticket without a form changes nothing.
		if _, err := s.UpdateTicket(ctx, f.nina, plain.Key, store.TicketPatch{Fields: map[string]any{}}); err != nil {
			t.Errorf("empty fields on a ticket without form: %v", err)
		}

		// Customers may share their own request with their organization,
		// and unshare it, but not touch the sharing of someone else's.
		up, err = s.UpdateTicket(ctx, f.alice, inc.Key, store.TicketPatch{OrganizationID: ptr(f.acme.ID)})
		if err != nil || up.OrganizationID != f.acme.ID || up.Organization != "Acme" {
			t.Fatalf("share = %+v, %v", up, err)
		}
		if _, err := s.Ticket(ctx, f.bob, inc.Key); err != nil {
			t.Errorf("Bob cannot see a ticket shared with his organization: %v", err)
		}
		_, err = s.UpdateTicket(ctx, f.bob, inc.Key, store.TicketPatch{OrganizationID: ptr(int64(0))})
		wantErr(t, "Bob unshares Alice's request", err, errs.KindForbidden, "")
		if _, err := s.Ticket(ctx, f.bob, inc.Key); err != nil {
			t.Errorf("after a refused unshare Bob cannot see the ticket: %v", err)
		}
		if _, err := s.UpdateTicket(ctx, f.alice, inc.Key, store.TicketPatch{OrganizationID: ptr(int64(0))}); err != nil {
			t.Fatalf("unshare: %v", err)
		}
		if _, err := s.Ticket(ctx, f.bob, inc.Key); !errs.Is(err, errs.KindNotFound) {
			t.Errorf("after unsharing Bob still sees it: %v", err)
		}
		if got := changeMap(lastChanges(t, s, f, inc.Key, ticket.EventUpdated)); !reflect.DeepEqual(got, map[string][2]any{"organization_id": {float64(f.acme.ID), 0.0}}) {
			t.Errorf("unshare changes = %v", got)
		}
	})
}

func TestTransition(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := f.ctx
		inc := f.incident(t, f.alice, "Wifi down")

		ids := func(a directory.Actor, key string) []string {
			t.Helper()
			trs, err := s.Transitions(ctx, a, key)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, tr := range trs {
				out = append(out, tr.ID)
			}
			return out
		}
		if got := ids(f.alice, inc.Key); len(got) != 0 {
			t.Errorf("customer transitions from Open = %v, want none", got)
		}
		if got, want := ids(f.nina, inc.Key), []string{"start", "pend", "ask", "resolve"}; !slices.Equal(got, want) {
			t.Errorf("agent transitions from Open = %v, want %v", got, want)
		}

		// Refusals from Open, before anything moved.
		before := f.counts(t)
		refusals := []struct {
			name  string
			actor directory.Actor
			in    store.TransitionInput
			kind  errs.Kind
			field string
		}{
			{"not from Open", f.nina, store.TransitionInput{To: "Closed"}, errs.KindConflict, ""},
			{"not from Open by id", f.nina, store.TransitionInput{To: "reopen"}, errs.KindConflict, ""},
			{"to where it is", f.nina, store.TransitionInput{To: "Open"}, errs.KindConflict, ""},
			{"customer may not resolve", f.alice, store.TransitionInput{To: "Resolved"}, errs.KindForbidden, ""},
			{"customer may not start", f.alice, store.TransitionInput{To: "start"}, errs.KindForbidden, ""},
			{"unknown status", f.nina, store.TransitionInput{To: "Done"}, errs.KindInvalid, "to"},
			{"nowhere", f.nina, store.TransitionInput{}, errs.KindInvalid, "to"},
			{"resolution on a non-done status", f.nina, store.TransitionInput{To: "start", Resolution: "Fixed"}, errs.KindInvalid, "resolution"},
			{"long resolution", f.nina, store.TransitionInput{To: "Resolved", Resolution: strings.Repeat("r", 101)}, errs.KindInvalid, "resolution"},
			{"customer as assignee", f.nina, store.TransitionInput{To: "start", AssigneeID: f.bobUser.ID}, errs.KindInvalid, "assignee"},
			{"unknown assignee", f.nina, store.TransitionInput{To: "start", AssigneeID: 9999}, errs.KindInvalid, "assignee"},
			{"long comment", f.nina, store.TransitionInput{To: "start", Comment: strings.Repeat("c", ticket.MaxComment+1)}, errs.KindInvalid, "body"},
			{"customer who cannot see it", f.carol, store.TransitionInput{To: "start"}, errs.KindNotFound, ""},
		}
		for _, tt := range refusals {
			_, err := s.Transition(ctx, tt.actor, inc.Key, tt.in)
			wantErr(t, tt.name, err, tt.kind, tt.field)
		}
		sameCounts(t, "refused transitions", before, f.counts(t))
		if tk, _ := s.Ticket(ctx, f.admin, inc.Key); tk.Status != "Open" || tk.AssigneeID != 0 {
			t.Errorf("refused transitions moved the ticket: %+v", tk)
		}

		// By id, with an assignee and a comment in the same transaction.
		f.clock.advance(time.Hour)
		tk, err := s.Transition(ctx, f.nina, inc.Key, store.TransitionInput{To: "start", AssigneeID: f.ninaUser.ID, Comment: "On it"})
		if err != nil {
			t.Fatal(err)
		}
		if tk.Status != "In progress" || tk.StatusCategory != ticket.CategoryInProgress || tk.AssigneeID != f.ninaUser.ID || tk.ResolvedAt != nil || !tk.UpdatedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("after start = %+v", tk)
		}
		got := changeMap(lastChanges(t, s, f, inc.Key, ticket.EventTransitioned))
		want := map[string][2]any{"status": {"Open", "In progress"}, "assignee_id": {0.0, float64(f.ninaUser.ID)}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("transition changes = %v, want %v", got, want)
		}
		if cms, _ := s.Comments(ctx, f.alice, inc.Key); len(cms) != 1 || cms[0].Body != "On it" {
			t.Errorf("comments after start = %+v", cms)
		}

		// By target status name, in any case, to waiting; the customer responds.
		if tk, err = s.Transition(ctx, f.nina, inc.Key, store.TransitionInput{To: "waiting for CUSTOMER", Comment: " "}); err != nil || tk.Status != "Waiting for customer" {
			t.Fatalf("ask = %s, %v", tk.Status, err)
		}
		if got := ids(f.alice, inc.Key); !slices.Equal(got, []string{"respond"}) {
			t.Errorf("customer transitions while waiting = %v, want [respond]", got)
		}
		before = f.counts(t)
		_, err = s.Transition(ctx, f.alice, inc.Key, store.TransitionInput{To: "respond", AssigneeID: f.ninaUser.ID})
		wantErr(t, "customer sets the assignee", err, errs.KindInvalid, "assignee")
		_, err = s.Transition(ctx, f.alice, inc.Key, store.TransitionInput{To: "respond", Comment: "psst", Internal: true})
		wantErr(t, "customer writes an internal note", err, errs.KindInvalid, "internal")
		sameCounts(t, "refused responses", before, f.counts(t))
		if tk, err = s.Transition(ctx, f.alice, inc.Key, store.TransitionInput{To: "In progress"}); err != nil || tk.Status != "In progress" {
			t.Fatalf("respond = %s, %v", tk.Status, err)
		}

		// Resolve: the done category stamps resolved_at and the resolution.
		f.clock.advance(time.Hour)
		resolvedAt := f.clock.now
		if tk, err = s.Transition(ctx, f.nina, inc.Key, store.TransitionInput{To: "Resolve", Resolution: " Fixed "}); err != nil {
			t.Fatal(err)
		}
		if tk.Status != "Resolved" || tk.StatusCategory != ticket.CategoryDone || tk.Resolution != "Fixed" || tk.ResolvedAt == nil || !tk.ResolvedAt.Equal(resolvedAt) {
			t.Errorf("after resolve = %s %s %q %v", tk.Status, tk.StatusCategory, tk.Resolution, tk.ResolvedAt)
		}
		// Closing later keeps when and how it was resolved.
		f.clock.advance(time.Hour)
		if tk, err = s.Transition(ctx, f.alice, inc.Key, store.TransitionInput{To: "Closed"}); err != nil {
			t.Fatal(err)
		}
		if tk.Status != "Closed" || tk.ResolvedAt == nil || !tk.ResolvedAt.Equal(resolvedAt) || tk.Resolution != "Fixed" {
			t.Errorf("after close = %s resolved %v resolution %q; want %v Fixed", tk.Status, tk.ResolvedAt, tk.Resolution, resolvedAt)
		}
		// Nothing leaves Closed in the incident workflow.
		_, err = s.Transition(ctx, f.admin, inc.Key, store.TransitionInput{To: "Open"})
		wantErr(t, "reopen a closed incident", err, errs.KindConflict, "")

		// Resolve without a resolution gives "Done"; reopening clears both.
		inc2 := f.incident(t, f.alice, "Printer jam")
		if tk, err = s.Transition(ctx, f.admin, inc2.Key, store.TransitionInput{To: "resolve"}); err != nil || tk.Resolution != "Done" || tk.ResolvedAt == nil {
			t.Fatalf("resolve without resolution = %q %v, %v", tk.Resolution, tk.ResolvedAt, err)
		}
		if tk, err = s.Transition(ctx, f.alice, inc2.Key, store.TransitionInput{To: "Reopen"}); err != nil {
			t.Fatal(err)
		}
		if tk.Status != "Open" || tk.StatusCategory != ticket.CategoryToDo || tk.Resolution != "" || tk.ResolvedAt != nil {
			t.Errorf("after reopen = %s %s %q %v", tk.Status, tk.StatusCategory, tk.Resolution, tk.ResolvedAt)
		}
		got = changeMap(lastChanges(t, s, f, inc2.Key, ticket.EventTransitioned))
		if want := (map[string][2]any{"status": {"Resolved", "Open"}, "resolution": {"Done", ""}}); !reflect.DeepEqual(got, want) {
			t.Errorf("reopen changes = %v, want %v", got, want)
		}
		// A fresh resolve stamps a fresh time.
		f.clock.advance(time.Hour)
		if tk, err = s.Transition(ctx, f.admin, inc2.Key, store.TransitionInput{To: "Resolved", Resolution: "Workaround"}); err != nil || !tk.ResolvedAt.Equal(f.clock.now) {
			t.Errorf("resolve again = %v, %v; want %v", tk.ResolvedAt, err, f.clock.now)
		}

		// The change workflow requires an assignee to implement and a
		// comment to mark a change failed.
		chg := f.create(t, f.nina, store.NewTicket{Service: "Network", Type: "change", Summary: "Replace core switch"})
		for _, to := range []string{"submit", "Scheduled"} {
			if _, err := s.Transition(ctx, f.nina, chg.Key, store.TransitionInput{To: to}); err != nil {
				t.Fatalf("%s: %v", to, err)
			}
		}
		before = f.counts(t)
		_, err = s.Transition(ctx, f.nina, chg.Key, store.TransitionInput{To: "implement"})
		wantErr(t, "implement without assignee", err, errs.KindInvalid, "assignee")
		_, err = s.Transition(ctx, f.alice, chg.Key, store.TransitionInput{To: "implement"})
		wantErr(t, "customer implements a change", err, errs.KindNotFound, "")
		sameCounts(t, "refused implement", before, f.counts(t))
		_, err = s.Transition(ctx, f.nina, chg.Key, store.TransitionInput{To: "Implementing", AssigneeID: f.daveUser.ID})
		wantErr(t, "implement by an agent outside the service", err, errs.KindInvalid, "assignee")
		if tk, err = s.Transition(ctx, f.nina, chg.Key, store.TransitionInput{To: "Implementing", AssigneeID: f.ninaUser.ID}); err != nil || tk.Status != "Implementing" || tk.Assignee != "Nina Network" {
			t.Fatalf("implement with assignee = %+v, %v", tk, err)
		}
		_, err = s.Transition(ctx, f.nina, chg.Key, store.TransitionInput{To: "fail"})
		wantErr(t, "fail without comment", err, errs.KindInvalid, "comment")
		if tk, err = s.Transition(ctx, f.nina, chg.Key, store.TransitionInput{To: "Failed", Comment: "Rolled back", Internal: true}); err != nil || tk.StatusCategory != ticket.CategoryDone {
			t.Fatalf("fail with comment = %+v, %v", tk, err)
		}
		if cms, _ := s.Comments(ctx, f.nina, chg.Key); len(cms) != 1 || !cms[0].Internal {
			t.Errorf("fail comment = %+v, want one internal note", cms)
		}
	})
}
