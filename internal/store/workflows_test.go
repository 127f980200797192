package store_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// withoutStatus copies w without a status and the transitions into it.
func withoutStatus(w ticket.Workflow, name string) ticket.Workflow {
	raw, _ := json.Marshal(w)
	var out ticket.Workflow
	_ = json.Unmarshal(raw, &out)
	out.ID = w.ID
	out.Statuses = slices.DeleteFunc(out.Statuses, func(s ticket.Status) bool { return s.Name == name })
	var trs []ticket.Transition
	for _, tr := range out.Transitions {
		if tr.To == name {
			continue
		}
		had := len(tr.From) > 0
		tr.From = slices.DeleteFunc(tr.From, func(f string) bool { return f == name })
		if had && len(tr.From) == 0 {
			continue
		}
		trs = append(trs, tr)
	}
	out.Transitions = trs
	return out
}

func TestWorkflows(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx, sys := f.ctx, directory.System

		all, err := s.Workflows(ctx)
		if err != nil {
			t.Fatal(err)
		}
		byType := map[ticket.Type]ticket.Workflow{}
		for _, w := range all {
			if w.ID == 0 {
				t.Errorf("workflow %s has no id", w.Name)
			}
			byType[w.TicketType] = w
		}
		for _, def := range ticket.DefaultWorkflows() {
			got, ok := byType[def.TicketType]
			def.ID = got.ID
			if !ok || got.Name != def.Name || got.Initial != def.Initial || !slices.Equal(got.Statuses, def.Statuses) || len(got.Transitions) != len(def.Transitions) {
				t.Errorf("installed %s workflow = %+v, want the default", def.TicketType, got)
			}
		}
		if len(all) != len(ticket.Types) {
			t.Errorf("%d workflows installed, want %d", len(all), len(ticket.Types))
		}
		// Migrating again installs nothing twice.
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if again, _ := s.Workflows(ctx); len(again) != len(all) {
			t.Errorf("after a second Migrate there are %d workflows, want %d", len(again), len(all))
		}
		inc := byType[ticket.TypeIncident]
		got, err := s.Workflow(ctx, inc.ID)
		if err != nil || got.Name != "Incident" {
			t.Errorf("Workflow(%d) = %+v, %v", inc.ID, got, err)
		}
		_, err = s.Workflow(ctx, 9999)
		wantErr(t, "unknown workflow", err, errs.KindNotFound, "")

		open := f.incident(t, f.alice, "stays open")
		pending := f.incident(t, f.alice, "pending")
		if _, err := s.Transition(ctx, f.nina, pending.Key, store.TransitionInput{To: "Pending"}); err != nil {
			t.Fatal(err)
		}

		// Refusals leave the workflow and its tickets as they were.
		before := f.counts(t)
		noName := withoutStatus(inc, "")
		noName.Name = " "
		otherType := withoutStatus(inc, "")
		otherType.TicketType = ticket.TypeProblem
		unknown := withoutStatus(inc, "")
		unknown.ID = 9999
		refusals := []struct {
			name  string
			w     ticket.Workflow
			kind  errs.Kind
			field string
		}{
			{"remove a status in use", withoutStatus(inc, "Pending"), errs.KindConflict, "statuses"},
			{"remove the status of a new ticket", func() ticket.Workflow {
				w := withoutStatus(inc, "Open")
				w.Initial = "In progress"
				return w
			}(), errs.KindConflict, "statuses"},
			{"invalid", noName, errs.KindInvalid, "name"},
			{"other ticket type", otherType, errs.KindInvalid, "ticket_type"},
			{"unknown", unknown, errs.KindNotFound, ""},
		}
		for _, tt := range refusals {
			_, err := s.UpdateWorkflow(ctx, sys, tt.w)
			wantErr(t, tt.name, err, tt.kind, tt.field)
		}
		sameCounts(t, "refused workflow updates", before, f.counts(t))
		if got, _ := s.Workflow(ctx, inc.ID); !slices.Equal(got.Statuses, inc.Statuses) {
			t.Errorf("a refused update changed the statuses to %v", got.Statuses)
		}

		// A status no ticket is in may go.
		w := withoutStatus(inc, "Waiting for customer")
		if _, err := s.UpdateWorkflow(ctx, sys, w); err != nil {
			t.Fatalf("remove an unused status: %v", err)
		}
		if got, _ := s.Workflow(ctx, inc.ID); len(got.Statuses) != len(inc.Statuses)-1 {
			t.Errorf("after removal statuses = %v", got.Statuses)
		}
		if _, err := s.Transition(ctx, f.nina, open.Key, store.TransitionInput{To: "Waiting for customer"}); !errs.Is(err, errs.KindInvalid) {
			t.Errorf("transition to a removed status: %v, want invalid", err)
		}

		// A category change reaches the tickets in that status, and a change
		// of letter case renames their status.
		for i := range w.Statuses {
			if w.Statuses[i].Name == "Pending" {
				w.Statuses[i] = ticket.Status{Name: "PENDING", Category: ticket.CategoryToDo}
			}
		}
		if _, err := s.UpdateWorkflow(ctx, sys, w); err != nil {
			t.Fatal(err)
		}
		tk, _ := s.Ticket(ctx, f.admin, pending.Key)
		if tk.Status != "PENDING" || tk.StatusCategory != ticket.CategoryToDo {
			t.Errorf("ticket in the changed status = %q %s, want PENDING to_do", tk.Status, tk.StatusCategory)
		}
		if tk, _ := s.Ticket(ctx, f.admin, open.Key); tk.Status != "Open" || tk.StatusCategory != ticket.CategoryToDo {
			t.Errorf("other ticket = %q %s, want it unchanged", tk.Status, tk.StatusCategory)
		}
		page, err := s.Tickets(ctx, f.admin, store.TicketFilter{Categories: []ticket.Category{ticket.CategoryInProgress}})
		if err != nil || page.Total != 0 {
			t.Errorf("in-progress tickets = %v, %v; want none", keysOf(page.Tickets), err)
		}
		// The ticket moves on under the new definition.
		if tk, err := s.Transition(ctx, f.nina, pending.Key, store.TransitionInput{To: "start"}); err != nil || tk.Status != "In progress" {
			t.Errorf("start from PENDING = %q, %v", tk.Status, err)
		}
		// Another workflow's tickets are not touched.
		prb := f.create(t, f.nina, store.NewTicket{Service: "Network", Type: "problem", Summary: "p"})
		if prb.Status != "Open" || prb.StatusCategory != ticket.CategoryToDo || prb.WorkflowID == inc.ID {
			t.Errorf("problem = %q %s workflow %d", prb.Status, prb.StatusCategory, prb.WorkflowID)
		}
	})
}
