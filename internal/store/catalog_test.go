package store_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

func TestServices(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx, sys := f.ctx, directory.System

		// The owner team is always among the teams that work the tickets.
		if !slices.Equal(f.network.TeamIDs, []int64{f.netTeam.ID}) {
			t.Errorf("Network.TeamIDs = %v, want its owner %d", f.network.TeamIDs, f.netTeam.ID)
		}
		if f.fax.TeamIDs == nil || len(f.fax.TeamIDs) != 0 {
			t.Errorf("Fax.TeamIDs = %#v, want an empty list", f.fax.TeamIDs)
		}
		vpn, err := s.CreateService(ctx, sys, catalog.Service{Name: " VPN ", Description: "Remote access", OwnerTeamID: f.netTeam.ID, TeamIDs: []int64{f.deskTeam.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if vpn.Name != "VPN" || vpn.Status != catalog.ServicePipeline || !vpn.CreatedAt.Equal(t0) {
			t.Errorf("created %+v", vpn)
		}
		if !sameIDs(vpn.TeamIDs, []int64{f.netTeam.ID, f.deskTeam.ID}) {
			t.Errorf("VPN.TeamIDs = %v, want owner and desk", vpn.TeamIDs)
		}
		got, err := s.Service(ctx, vpn.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "VPN" || got.Description != "Remote access" || got.OwnerTeamID != f.netTeam.ID || !sameIDs(got.TeamIDs, vpn.TeamIDs) || !got.CreatedAt.Equal(t0) {
			t.Errorf("Service(%d) = %+v, want %+v", vpn.ID, got, vpn)
		}
		// A desk agent now sees VPN tickets: the service's teams decide.
		tk := f.create(t, f.admin, store.NewTicket{Service: "vpn", Type: "incident", Summary: "VPN down"})
		if _, err := s.Ticket(ctx, f.actor(t, f.daveUser), tk.Key); err != nil {
			t.Errorf("desk agent cannot see a ticket of a service the desk team serves: %v", err)
		}

		before := f.counts(t)
		tests := []struct {
			name  string
			svc   catalog.Service
			kind  errs.Kind
			field string
		}{
			{"same name", catalog.Service{Name: "network"}, errs.KindConflict, "name"},
			{"same name padded", catalog.Service{Name: " LAPTOPS "}, errs.KindConflict, "name"},
			{"no name", catalog.Service{Name: ""}, errs.KindInvalid, "name"},
			{"bad status", catalog.Service{Name: "Printing", Status: "beta"}, errs.KindInvalid, "status"},
			{"unknown owner", catalog.Service{Name: "Printing", OwnerTeamID: 9999}, errs.KindInvalid, "owner_team_id"},
			{"unknown team", catalog.Service{Name: "Printing", TeamIDs: []int64{f.deskTeam.ID, 9999}}, errs.KindInvalid, "team_ids[1]"},
		}
		for _, tt := range tests {
			_, err := s.CreateService(ctx, sys, tt.svc)
			wantErr(t, tt.name, err, tt.kind, tt.field)
		}
		sameCounts(t, "rejected services", before, f.counts(t))

		list := func(onlyLive bool) []string {
			t.Helper()
			svcs, err := s.Services(ctx, onlyLive)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, svc := range svcs {
				out = append(out, svc.Name)
				if svc.TeamIDs == nil {
					t.Errorf("Services: %s has nil TeamIDs", svc.Name)
				}
			}
			return out
		}
		if got, want := list(false), []string{"Fax", "Intranet", "Laptops", "Network", "VPN"}; !slices.Equal(got, want) {
			t.Errorf("Services(false) = %v, want %v", got, want)
		}
		if got, want := list(true), []string{"Laptops", "Network"}; !slices.Equal(got, want) {
			t.Errorf("Services(true) = %v, want %v", got, want)
		}

		// Update: a new owner, the old teams dropped.
		vpn.OwnerTeamID, vpn.TeamIDs, vpn.Status, vpn.Name = f.deskTeam.ID, nil, catalog.ServiceLive, "VPN access"
		up, err := s.UpdateService(ctx, sys, vpn)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(up.TeamIDs, []int64{f.deskTeam.ID}) || !up.CreatedAt.Equal(t0) {
			t.Errorf("UpdateService = %+v", up)
		}
		got, _ = s.Service(ctx, vpn.ID)
		if got.Name != "VPN access" || got.Status != catalog.ServiceLive || !slices.Equal(got.TeamIDs, []int64{f.deskTeam.ID}) {
			t.Errorf("after update Service = %+v", got)
		}
		if _, err := s.Ticket(ctx, f.actor(t, f.ninaUser), tk.Key); !errs.Is(err, errs.KindNotFound) {
			t.Errorf("network agent still sees a ticket of a service her team left: %v", err)
		}
		vpn.Name = "Network"
		_, err = s.UpdateService(ctx, sys, vpn)
		wantErr(t, "rename to a taken name", err, errs.KindConflict, "name")
		_, err = s.UpdateService(ctx, sys, catalog.Service{ID: 9999, Name: "Ghost"})
		wantErr(t, "update unknown", err, errs.KindNotFound, "")
		vpn.Name, vpn.TeamIDs = "VPN access", []int64{9999}
		_, err = s.UpdateService(ctx, sys, vpn)
		wantErr(t, "update with unknown team", err, errs.KindInvalid, "team_ids[1]")
		if got, _ := s.Service(ctx, vpn.ID); !slices.Equal(got.TeamIDs, []int64{f.deskTeam.ID}) {
			t.Errorf("a refused update changed the teams to %v", got.TeamIDs)
		}

		// By reference: id or name in any case.
		refs := []struct {
			ref  string
			want int64
		}{
			{fmt.Sprint(f.laptops.ID), f.laptops.ID},
			{"laptops", f.laptops.ID},
			{" NETWORK ", f.network.ID},
			{"VPN access", vpn.ID},
		}
		for _, tt := range refs {
			got, err := s.ServiceByRef(ctx, tt.ref)
			if err != nil || got.ID != tt.want {
				t.Errorf("ServiceByRef(%q) = %d, %v; want %d", tt.ref, got.ID, err, tt.want)
			}
		}
		for _, ref := range []string{"Printing", "9999", ""} {
			_, err := s.ServiceByRef(ctx, ref)
			wantErr(t, "ServiceByRef("+ref+")", err, errs.KindNotFound, "")
		}
		_, err = s.Service(ctx, 9999)
		wantErr(t, "Service(9999)", err, errs.KindNotFound, "")
	})
}

func TestRequestTypes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx, sys := f.ctx, directory.System

		got, err := s.RequestType(ctx, f.laptop.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Request a laptop" || got.ServiceID != f.laptops.ID || got.TicketType != "service_request" || !reflect.DeepEqual(got.Fields, f.laptop.Fields) {
			t.Errorf("RequestType(%d) = %+v, want %+v", f.laptop.ID, got, f.laptop)
		}
		plain, err := s.CreateRequestType(ctx, sys, catalog.RequestType{ServiceID: f.intranet.ID, Name: "Report an outage", TicketType: "incident"})
		if err != nil {
			t.Fatalf("the same name on another service: %v", err)
		}
		if plain.Fields == nil {
			t.Error("Fields of a request type without a form is nil, want an empty list")
		}
		if got, _ := s.RequestType(ctx, plain.ID); got.Fields == nil || len(got.Fields) != 0 {
			t.Errorf("read back Fields = %#v, want an empty list", got.Fields)
		}

		before := f.counts(t)
		tests := []struct {
			name  string
			rt    catalog.RequestType
			kind  errs.Kind
			field string
		}{
			{"same name", catalog.RequestType{ServiceID: f.network.ID, Name: "REPORT AN OUTAGE", TicketType: "incident"}, errs.KindConflict, "name"},
			{"no name", catalog.RequestType{ServiceID: f.network.ID, TicketType: "incident"}, errs.KindInvalid, "name"},
			{"no service", catalog.RequestType{Name: "Ask", TicketType: "incident"}, errs.KindInvalid, "service"},
			{"unknown service", catalog.RequestType{ServiceID: 9999, Name: "Ask", TicketType: "incident"}, errs.KindInvalid, "service"},
			{"bad ticket type", catalog.RequestType{ServiceID: f.network.ID, Name: "Ask", TicketType: "question"}, errs.KindInvalid, "ticket_type"},
			{"bad form", catalog.RequestType{ServiceID: f.network.ID, Name: "Ask", TicketType: "incident",
				Fields: []catalog.Field{{Key: "size", Label: "Size", Type: catalog.FieldSelect}}}, errs.KindInvalid, "fields[0].options"},
		}
		for _, tt := range tests {
			_, err := s.CreateRequestType(ctx, sys, tt.rt)
			wantErr(t, tt.name, err, tt.kind, tt.field)
		}
		sameCounts(t, "rejected request types", before, f.counts(t))

		names := func(serviceID int64, onlyLive bool) []string {
			t.Helper()
			rts, err := s.RequestTypes(ctx, serviceID, onlyLive)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, rt := range rts {
				out = append(out, fmt.Sprintf("%d:%s", rt.ServiceID, rt.Name))
			}
			return out
		}
		outage := fmt.Sprintf("%d:Report an outage", f.network.ID)
		laptop := fmt.Sprintf("%d:Request a laptop", f.laptops.ID)
		intranet := fmt.Sprintf("%d:Report an outage", f.intranet.ID)
		lists := []struct {
			service  int64
			onlyLive bool
			want     []string
		}{
			{0, false, []string{intranet, laptop, outage}},
			{0, true, []string{laptop, outage}},
			{f.network.ID, false, []string{outage}},
			{f.intranet.ID, true, nil},
			{f.fax.ID, false, nil},
		}
		for _, tt := range lists {
			if got := names(tt.service, tt.onlyLive); !slices.Equal(got, tt.want) {
				t.Errorf("RequestTypes(%d, %v) = %v, want %v", tt.service, tt.onlyLive, got, tt.want)
			}
		}

		// Update: a new form; a taken name or a bad form is refused.
		upd := f.outage
		upd.Description = "Something is down"
		upd.Fields = append(upd.Fields, catalog.Field{Key: "since", Label: "Since", Type: catalog.FieldDate, Required: true})
		if _, err := s.UpdateRequestType(ctx, sys, upd); err != nil {
			t.Fatal(err)
		}
		got, _ = s.RequestType(ctx, upd.ID)
		if got.Description != "Something is down" || len(got.Fields) != 2 || got.Fields[1].Key != "since" || !got.Fields[1].Required || !got.CreatedAt.Equal(t0) {
			t.Errorf("after update %+v", got)
		}
		_, err = s.CreateTicket(ctx, f.alice, store.NewTicket{Service: "Network", RequestType: "Report an outage", Summary: "down"})
		wantErr(t, "ticket without the new required field", err, errs.KindInvalid, "fields.since")

		bad := upd
		bad.ServiceID = f.laptops.ID
		bad.Name = "request a LAPTOP"
		_, err = s.UpdateRequestType(ctx, sys, bad)
		wantErr(t, "rename to a taken name", err, errs.KindConflict, "name")
		bad = upd
		bad.Fields = []catalog.Field{{Key: "a", Label: "A", Type: catalog.FieldText}, {Key: "a", Label: "B", Type: catalog.FieldText}}
		_, err = s.UpdateRequestType(ctx, sys, bad)
		wantErr(t, "duplicate key", err, errs.KindInvalid, "fields[1].key")
		bad = upd
		bad.ID = 9999
		_, err = s.UpdateRequestType(ctx, sys, bad)
		wantErr(t, "update unknown", err, errs.KindNotFound, "")
		_, err = s.RequestType(ctx, 9999)
		wantErr(t, "RequestType(9999)", err, errs.KindNotFound, "")
	})
}

func sameIDs(a, b []int64) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

// TestInternalRequestTypes checks that request types for agents only are
// hidden from customers and refused to them.
func TestInternalRequestTypes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		rt, err := s.CreateRequestType(f.ctx, directory.System, catalog.RequestType{
			ServiceID: f.network.ID, Name: "Planned maintenance", TicketType: string(ticket.TypeChange), Internal: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, forCustomers := range []bool{true, false} {
			rts, err := s.RequestTypes(f.ctx, f.network.ID, forCustomers)
			if err != nil {
				t.Fatal(err)
			}
			listed := slices.ContainsFunc(rts, func(x catalog.RequestType) bool { return x.ID == rt.ID })
			if listed == forCustomers {
				t.Errorf("RequestTypes(forCustomers=%v) lists the internal type: %v", forCustomers, listed)
			}
		}
		_, err = s.CreateTicket(f.ctx, f.alice, store.NewTicket{Service: "Network", RequestType: rt.Name, Summary: "x"})
		wantErr(t, "customer raises an internal request type", err, errs.KindInvalid, "request_type")
		if _, err := s.CreateTicket(f.ctx, f.nina, store.NewTicket{Service: "Network", RequestType: rt.Name, Summary: "Swap core switch"}); err != nil {
			t.Errorf("agent raises an internal request type: %v", err)
		}
	})
}
