package store_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

func TestCreateTicket(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := f.ctx

		// A customer's incident: type from the request type, priority from
		// the matrix, team from the service's owner.
		inc, err := s.CreateTicket(ctx, f.alice, store.NewTicket{
			Service: " network ", RequestType: "report an OUTAGE", Summary: "  Wifi down on floor 3 ", Description: "Since 9am.\n\n",
			Impact: "High", Urgency: "high", Fields: map[string]any{"location": "Floor 3"}, Channel: ticket.ChannelPortal,
		})
		if err != nil {
			t.Fatal(err)
		}
		want := ticket.Ticket{
			ID: inc.ID, Key: "IT-1", Type: ticket.TypeIncident, RequestTypeID: f.outage.ID, ServiceID: f.network.ID,
			Summary: "Wifi down on floor 3", Description: "Since 9am.", ReporterID: f.aliceUser.ID,
			TeamID: f.netTeam.ID, WorkflowID: inc.WorkflowID, Status: "Open", StatusCategory: ticket.CategoryToDo,
			Priority: ticket.PriorityHighest, Impact: ticket.LevelHigh, Urgency: ticket.LevelHigh,
			Fields: map[string]any{"location": "Floor 3"}, Channel: ticket.ChannelPortal, CreatedAt: t0, UpdatedAt: t0,
			Service: "Network", RequestType: "Report an outage", Reporter: "Alice", ReporterEmail: "alice@acme.test", Team: "Network",
		}
		if !reflect.DeepEqual(inc, want) {
			t.Errorf("created\n %+v\nwant\n %+v", inc, want)
		}
		wf, err := s.Workflow(ctx, inc.WorkflowID)
		if err != nil || wf.TicketType != ticket.TypeIncident {
			t.Errorf("incident workflow %d = %+v, %v", inc.WorkflowID, wf, err)
		}
		if got, err := s.Ticket(ctx, f.alice, "it-1"); err != nil || !reflect.DeepEqual(got, inc) {
			t.Errorf("Ticket(it-1) = %+v, %v; want what CreateTicket answered", got, err)
		}

		// A service request by request type id; the form's values normalized.
		f.clock.advance(time.Minute)
		req, err := s.CreateTicket(ctx, f.alice, store.NewTicket{
			Service: fmt.Sprint(f.laptops.ID), RequestType: fmt.Sprint(f.laptop.ID), Summary: "New laptop",
			Impact: "high", Urgency: "high", OrganizationID: f.acme.ID,
			Fields: map[string]any{"model": "Large", "qty": "2", "needed_by": " 2025-04-01", "extras": []any{"Dock", "Mouse", "Dock"},
				"manager": fmt.Sprint(f.ninaUser.ID), "agree": "on", "notes": ""},
		})
		if err != nil {
			t.Fatal(err)
		}
		if req.Key != "IT-2" || req.Type != ticket.TypeServiceRequest || req.Status != "Waiting for support" || req.StatusCategory != ticket.CategoryToDo {
			t.Errorf("request = %s %s %q %s", req.Key, req.Type, req.Status, req.StatusCategory)
		}
		if req.Priority != ticket.PriorityMedium {
			t.Errorf("service request priority = %s; the matrix is for incidents only", req.Priority)
		}
		if req.OrganizationID != f.acme.ID || req.Organization != "Acme" || req.TeamID != f.deskTeam.ID || !req.CreatedAt.Equal(t0.Add(time.Minute)) {
			t.Errorf("request = org %d %q team %d created %v", req.OrganizationID, req.Organization, req.TeamID, req.CreatedAt)
		}
		wantFields := map[string]any{"model": "Large", "qty": 2.0, "needed_by": "2025-04-01", "extras": []any{"Dock", "Mouse"},
			"manager": float64(f.ninaUser.ID), "agree": true}
		if !reflect.DeepEqual(req.Fields, wantFields) {
			t.Errorf("fields = %#v\nwant %#v", req.Fields, wantFields)
		}

		// Staff raise tickets of any type, for others, on pipeline services.
		chg := f.create(t, f.nina, store.NewTicket{Service: "Intranet", Type: "change", Summary: "Upgrade CMS", ReporterID: f.bobUser.ID,
			AssigneeID: f.daveUser.ID, TeamID: f.netTeam.ID, Channel: ticket.ChannelAgent})
		if chg.Key != "IT-3" || chg.Status != "Planning" || chg.Type != ticket.TypeChange || chg.Reporter != "Bob" || chg.ReporterID != f.bobUser.ID ||
			chg.Assignee != "Dave Desk" || chg.Team != "Network" || chg.RequestTypeID != 0 || chg.Channel != ticket.ChannelAgent || chg.Priority != ticket.PriorityMedium {
			t.Errorf("change = %+v", chg)
		}
		if chg.Fields == nil || len(chg.Fields) != 0 {
			t.Errorf("change fields = %#v, want an empty map", chg.Fields)
		}
		prb := f.create(t, f.admin, store.NewTicket{Service: "Network", Type: "problem", Summary: "Recurring wifi drops", Priority: "high"})
		if prb.Key != "IT-4" || prb.Status != "Open" || prb.Priority != ticket.PriorityHigh || prb.ReporterID != f.adminUser.ID || prb.Channel != ticket.ChannelAPI {
			t.Errorf("problem = %+v", prb)
		}

		// Priority of incidents.
		prios := []struct {
			impact, urgency, priority string
			want                      ticket.Priority
		}{
			{"", "", "", ticket.PriorityMedium},
			{"high", "", "", ticket.PriorityHigh},
			{"", "low", "", ticket.PriorityLow},
			{"medium", "high", "", ticket.PriorityHigh},
			{"HIGH", "low", "", ticket.PriorityMedium},
			{"low", "low", "", ticket.PriorityLowest},
			{"high", "high", "lowest", ticket.PriorityLowest}, // staff may overrule the matrix
		}
		for i, tt := range prios {
			tk := f.create(t, f.nina, store.NewTicket{Service: "Network", Type: "incident", Summary: "p", Impact: tt.impact, Urgency: tt.urgency, Priority: tt.priority})
			if tk.Priority != tt.want {
				t.Errorf("impact %q urgency %q priority %q: got %s, want %s", tt.impact, tt.urgency, tt.priority, tk.Priority, tt.want)
			}
			if want := fmt.Sprintf("IT-%d", 5+i); tk.Key != want {
				t.Errorf("key %s, want %s", tk.Key, want)
			}
		}

		// A backdated command records its own time.
		past := t0.Add(-48 * time.Hour)
		old, err := s.CreateTicket(store.AtTime(ctx, past), f.nina, store.NewTicket{Service: "Network", Type: "incident", Summary: "imported"})
		if err != nil || !old.CreatedAt.Equal(past) || !old.UpdatedAt.Equal(past) {
			t.Errorf("backdated ticket created %v updated %v, %v; want %v", old.CreatedAt, old.UpdatedAt, err, past)
		}

		// The event log holds the creation.
		hist, err := s.History(ctx, f.alice, "IT-1")
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != 1 || hist[0].Type != ticket.EventCreated || hist[0].ActorID != f.aliceUser.ID || hist[0].Actor != "Alice" || !hist[0].CreatedAt.Equal(t0) {
			t.Fatalf("history = %+v", hist)
		}
		data, _ := hist[0].Data.(map[string]any)
		if data["key"] != "IT-1" || data["status"] != "Open" || data["priority"] != "Highest" {
			t.Errorf("created event data = %v", data)
		}
	})
}

func TestCreateTicketRejected(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		f.incident(t, f.alice, "first")
		laptop := func(fields map[string]any) store.NewTicket {
			return store.NewTicket{Service: "Laptops", RequestType: "Request a laptop", Summary: "laptop", Fields: fields}
		}
		ok := map[string]any{"model": "Small", "agree": true}
		with := func(k string, v any) map[string]any {
			m := map[string]any{"model": "Small", "agree": true}
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
			return m
		}
		tests := []struct {
			name  string
			actor directory.Actor
			in    store.NewTicket
			kind  errs.Kind
			field string
		}{
			{"no summary", f.alice, store.NewTicket{Service: "Network", Type: "incident"}, errs.KindInvalid, "summary"},
			{"two-line summary", f.alice, store.NewTicket{Service: "Network", Type: "incident", Summary: "a\nb"}, errs.KindInvalid, "summary"},
			{"long description", f.alice, store.NewTicket{Service: "Network", Type: "incident", Summary: "s", Description: strings.Repeat("d", ticket.MaxDescription+1)}, errs.KindInvalid, "description"},
			{"no service", f.alice, store.NewTicket{Type: "incident", Summary: "s"}, errs.KindInvalid, "service"},
			{"unknown service", f.alice, store.NewTicket{Service: "Printing", Type: "incident", Summary: "s"}, errs.KindInvalid, "service"},
			{"unknown service id", f.nina, store.NewTicket{Service: "9999", Type: "incident", Summary: "s"}, errs.KindInvalid, "service"},
			{"customer on pipeline service", f.alice, store.NewTicket{Service: "Intranet", Type: "incident", Summary: "s"}, errs.KindInvalid, "service"},
			{"retired service", f.admin, store.NewTicket{Service: "Fax", Type: "incident", Summary: "s"}, errs.KindInvalid, "service"},
			{"no type", f.nina, store.NewTicket{Service: "Network", Summary: "s"}, errs.KindInvalid, "type"},
			{"bad type", f.nina, store.NewTicket{Service: "Network", Type: "bug", Summary: "s"}, errs.KindInvalid, "type"},
			{"type against request type", f.alice, store.NewTicket{Service: "Network", RequestType: "Report an outage", Type: "change", Summary: "s"}, errs.KindInvalid, "type"},
			{"unknown request type", f.alice, store.NewTicket{Service: "Network", RequestType: "Order pizza", Summary: "s"}, errs.KindInvalid, "request_type"},
			{"unknown request type id", f.alice, store.NewTicket{Service: "Network", RequestType: "9999", Summary: "s"}, errs.KindInvalid, "request_type"},
			{"request type of another service by name", f.alice, store.NewTicket{Service: "Network", RequestType: "Request a laptop", Summary: "s"}, errs.KindInvalid, "request_type"},
			{"request type of another service by id", f.alice, store.NewTicket{Service: "Network", RequestType: fmt.Sprint(f.laptop.ID), Summary: "s"}, errs.KindInvalid, "request_type"},
			{"required field missing", f.alice, laptop(with("model", nil)), errs.KindInvalid, "fields.model"},
			{"checkbox not checked", f.alice, laptop(with("agree", false)), errs.KindInvalid, "fields.agree"},
			{"bad option", f.alice, laptop(with("model", "Huge")), errs.KindInvalid, "fields.model"},
			{"bad number", f.alice, laptop(with("qty", "two")), errs.KindInvalid, "fields.qty"},
			{"bad date", f.alice, laptop(with("needed_by", "tomorrow")), errs.KindInvalid, "fields.needed_by"},
			{"unknown user", f.alice, laptop(with("manager", 9999.0)), errs.KindInvalid, "fields.manager"},
			{"unknown field", f.alice, laptop(with("colour", "red")), errs.KindInvalid, "fields.colour"},
			{"fields without request type", f.nina, store.NewTicket{Service: "Network", Type: "incident", Summary: "s", Fields: map[string]any{"location": "x"}}, errs.KindInvalid, "fields.location"},
			{"customer sets priority", f.alice, store.NewTicket{Service: "Network", Type: "incident", Summary: "s", Priority: "Highest"}, errs.KindInvalid, "priority"},
			{"customer sets assignee", f.alice, store.NewTicket{Service: "Network", Type: "incident", Summary: "s", AssigneeID: f.ninaUser.ID}, errs.KindInvalid, "assignee"},
			{"customer sets team", f.alice, store.NewTicket{Service: "Network", Type: "incident", Summary: "s", TeamID: f.netTeam.ID}, errs.KindInvalid, "team"},
			{"customer raises for another", f.alice, store.NewTicket{Service: "Network", Type: "incident", Summary: "s", ReporterID: f.bobUser.ID}, errs.KindInvalid, "reporter"},
			{"customer shares with another organization", f.alice, store.NewTicket{Service: "Network", Type: "incident", Summary: "s", OrganizationID: f.globex.ID}, errs.KindInvalid, "organization"},
			{"bad impact", f.alice, store.NewTicket{Service: "Network", Type: "incident", Summary: "s", Impact: "huge"}, errs.KindInvalid, "impact"},
			{"bad urgency", f.alice, store.NewTicket{Service: "Network", Type: "incident", Summary: "s", Urgency: "now"}, errs.KindInvalid, "urgency"},
			{"bad priority", f.nina, store.NewTicket{Service: "Network", Type: "incident", Summary: "s", Priority: "P1"}, errs.KindInvalid, "priority"},
			{"bad channel", f.nina, store.NewTicket{Service: "Network", Type: "incident", Summary: "s", Channel: "fax"}, errs.KindInvalid, "channel"},
			{"customer as assignee", f.nina, store.NewTicket{Service: "Network", Type: "incident", Summary: "s", AssigneeID: f.carolUser.ID}, errs.KindInvalid, "assignee"},
			{"unknown assignee", f.nina, store.NewTicket{Service: "Network", Type: "incident", Summary: "s", AssigneeID: 9999}, errs.KindInvalid, "assignee"},
			{"unknown team", f.nina, store.NewTicket{Service: "Network", Type: "incident", Summary: "s", TeamID: 9999}, errs.KindInvalid, "team"},
			{"unknown organization", f.nina, store.NewTicket{Service: "Network", Type: "incident", Summary: "s", OrganizationID: 9999}, errs.KindInvalid, "organization"},
			{"unknown reporter", f.nina, store.NewTicket{Service: "Network", Type: "incident", Summary: "s", ReporterID: 9999}, errs.KindInvalid, "reporter"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := f.counts(t)
				_, err := s.CreateTicket(f.ctx, tt.actor, tt.in)
				wantErr(t, tt.name, err, tt.kind, tt.field)
				sameCounts(t, tt.name, before, f.counts(t))
			})
		}
		// No number was used up by the rejections.
		if tk := f.create(t, f.alice, laptop(ok)); tk.Key != "IT-2" {
			t.Errorf("next ticket after rejections is %s, want IT-2", tk.Key)
		}
	})
}
