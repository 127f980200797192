package store_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/change"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// patchOf gives the patch that leaves a user as they are.
func patchOf(u directory.User) store.UserPatch {
	return store.UserPatch{Name: u.Name, Email: u.Email, Role: u.Role, OrganizationID: u.OrganizationID, Active: u.Active}
}

func TestUpdateUser(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := f.ctx
		before := f.counts(t)
		with := func(fn func(*store.UserPatch)) store.UserPatch {
			p := patchOf(f.aliceUser)
			fn(&p)
			return p
		}
		refusals := []struct {
			name  string
			as    directory.Actor
			id    int64
			p     store.UserPatch
			kind  errs.Kind
			field string
		}{
			{"no name", f.admin, f.aliceUser.ID, with(func(p *store.UserPatch) { p.Name = "  " }), errs.KindInvalid, "name"},
			{"bad email", f.admin, f.aliceUser.ID, with(func(p *store.UserPatch) { p.Email = "alice" }), errs.KindInvalid, "email"},
			{"someone else's email", f.admin, f.aliceUser.ID, with(func(p *store.UserPatch) { p.Email = "BOB@acme.test" }), errs.KindConflict, "email"},
			{"no role", f.admin, f.aliceUser.ID, with(func(p *store.UserPatch) { p.Role = "" }), errs.KindInvalid, "role"},
			{"bad role", f.admin, f.aliceUser.ID, with(func(p *store.UserPatch) { p.Role = "owner" }), errs.KindInvalid, "role"},
			{"unknown organization", f.admin, f.aliceUser.ID, with(func(p *store.UserPatch) { p.OrganizationID = 9999 }), errs.KindInvalid, "organization"},
			{"unknown user", f.admin, 9999, with(func(*store.UserPatch) {}), errs.KindNotFound, ""},
			{"an agent edits", f.nina, f.aliceUser.ID, with(func(p *store.UserPatch) { p.Name = "Alicia" }), errs.KindForbidden, ""},
			{"a customer edits herself", f.alice, f.aliceUser.ID, with(func(p *store.UserPatch) { p.Role = directory.RoleAdmin }), errs.KindForbidden, ""},
		}
		for _, tt := range refusals {
			_, err := s.UpdateUser(ctx, tt.as, tt.id, tt.p)
			wantErr(t, tt.name, err, tt.kind, tt.field)
		}
		sameCounts(t, "refused edits", before, f.counts(t))
		if u, _ := s.User(ctx, f.aliceUser.ID); u != f.aliceUser {
			t.Fatalf("refused edits changed Alice: %+v", u)
		}

		// Saving what is there already records nothing.
		if u, err := s.UpdateUser(ctx, f.admin, f.aliceUser.ID, patchOf(f.aliceUser)); err != nil || u != f.aliceUser {
			t.Fatalf("unchanged edit = %+v, %v; want %+v", u, err, f.aliceUser)
		}
		sameCounts(t, "an edit that changes nothing", before, f.counts(t))

		// Alice marries, moves to Globex and keeps her address's letter case.
		f.clock.advance(time.Minute)
		got, err := s.UpdateUser(ctx, f.admin, f.aliceUser.ID, store.UserPatch{Name: " Alice Smith ", Email: " Alice.Smith@Globex.TEST",
			Role: directory.RoleCustomer, OrganizationID: f.globex.ID, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		want := f.aliceUser
		want.Name, want.Email, want.OrganizationID = "Alice Smith", "alice.smith@globex.test", f.globex.ID
		if got != want {
			t.Errorf("UpdateUser = %+v, want %+v", got, want)
		}
		if u, err := s.User(ctx, f.aliceUser.ID); err != nil || u != want {
			t.Errorf("User after the edit = %+v, %v", u, err)
		}
		if _, err := s.UserByEmail(ctx, "alice@acme.test"); !errs.Is(err, errs.KindNotFound) {
			t.Errorf("the old address still finds her: %v", err)
		}
		// Her own address in another case is not a conflict with herself.
		if _, err := s.UpdateUser(ctx, f.admin, f.aliceUser.ID, store.UserPatch{Name: "Alice Smith", Email: "ALICE.SMITH@globex.test",
			Role: directory.RoleCustomer, OrganizationID: 0, Active: true}); err != nil {
			t.Errorf("same address in capitals, no organization: %v", err)
		}

		hist, err := s.UserHistory(ctx, f.admin, f.aliceUser.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != 3 || hist[0].Type != store.EventUserCreated || hist[1].Type != store.EventUserUpdated || hist[2].Type != store.EventUserUpdated {
			t.Fatalf("history = %+v, want created and two updates", hist)
		}
		ev := hist[1]
		if ev.Actor != "Ada Admin" || ev.ActorID != f.adminUser.ID || !ev.CreatedAt.Equal(t0.Add(time.Minute)) {
			t.Errorf("update event by %q (%d) at %v", ev.Actor, ev.ActorID, ev.CreatedAt)
		}
		changed := map[string][2]any{}
		for _, c := range ev.Changes {
			changed[c.Field] = [2]any{c.From, c.To}
		}
		wantChanges := map[string][2]any{
			"name":            {"Alice", "Alice Smith"},
			"email":           {"alice@acme.test", "alice.smith@globex.test"},
			"organization_id": {float64(f.acme.ID), float64(f.globex.ID)},
		}
		if len(changed) != len(wantChanges) {
			t.Errorf("changes %v, want %v", changed, wantChanges)
		}
		for field, w := range wantChanges {
			if changed[field] != w {
				t.Errorf("change of %s = %v, want %v", field, changed[field], w)
			}
		}
		if c := hist[2].Changes; len(c) != 1 || c[0].Field != "organization_id" || c[0].To != float64(0) {
			t.Errorf("second update changes %+v, want the organization cleared", c)
		}
		_, err = s.UserHistory(ctx, f.nina, f.aliceUser.ID)
		wantErr(t, "an agent reads a history", err, errs.KindForbidden, "")
		_, err = s.UserHistory(ctx, f.admin, 9999)
		wantErr(t, "history of nobody", err, errs.KindNotFound, "")
	})
}

func TestUpdateUserKeepsAnAdmin(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx, sys := f.ctx, directory.System
		demote := func(u directory.User) store.UserPatch {
			p := patchOf(u)
			p.Role = directory.RoleAgent
			return p
		}
		deactivate := func(u directory.User) store.UserPatch {
			p := patchOf(u)
			p.Active = false
			return p
		}
		// The only admin: not by herself, not by Cairn.
		for _, as := range []directory.Actor{f.admin, sys} {
			_, err := s.UpdateUser(ctx, as, f.adminUser.ID, demote(f.adminUser))
			wantErr(t, "demote the only admin as "+as.Name, err, errs.KindInvalid, "role")
			_, err = s.UpdateUser(ctx, as, f.adminUser.ID, deactivate(f.adminUser))
			wantErr(t, "deactivate the only admin as "+as.Name, err, errs.KindInvalid, "active")
		}
		// An inactive admin is no admin to fall back on.
		idle, err := s.CreateUser(ctx, sys, store.NewUser{Email: "idle@example.com", Name: "Idle Admin", Role: directory.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		if idle, err = s.UpdateUser(ctx, f.admin, idle.ID, deactivate(idle)); err != nil {
			t.Fatal(err)
		}
		_, err = s.UpdateUser(ctx, sys, f.adminUser.ID, demote(f.adminUser))
		wantErr(t, "demote the only active admin", err, errs.KindInvalid, "role")

		// With a second active admin, Ada still cannot demote or deactivate
		// herself, but Nina, made admin, can do it to her.
		nina, err := s.UpdateUser(ctx, f.admin, f.ninaUser.ID, store.UserPatch{Name: f.ninaUser.Name, Email: f.ninaUser.Email, Role: directory.RoleAdmin, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.UpdateUser(ctx, f.admin, f.adminUser.ID, demote(f.adminUser))
		wantErr(t, "self-demotion", err, errs.KindInvalid, "role")
		_, err = s.UpdateUser(ctx, f.admin, f.adminUser.ID, deactivate(f.adminUser))
		wantErr(t, "self-deactivation", err, errs.KindInvalid, "active")
		// Her name she may change.
		p := patchOf(f.adminUser)
		p.Name = "Ada Lovelace"
		ada, err := s.UpdateUser(ctx, f.admin, f.adminUser.ID, p)
		if err != nil {
			t.Fatalf("an admin renames herself: %v", err)
		}
		ninaActor := f.actor(t, nina)
		if ada, err = s.UpdateUser(ctx, ninaActor, ada.ID, demote(ada)); err != nil || ada.Role != directory.RoleAgent {
			t.Fatalf("Nina demotes Ada: %+v, %v", ada, err)
		}
		// Now Nina is the last one; Ada, an agent, may not even try.
		_, err = s.UpdateUser(ctx, f.actor(t, ada), nina.ID, deactivate(nina))
		wantErr(t, "an agent deactivates the last admin", err, errs.KindForbidden, "")
		_, err = s.UpdateUser(ctx, sys, nina.ID, deactivate(nina))
		wantErr(t, "deactivate the last admin", err, errs.KindInvalid, "active")
		// Reactivating the idle admin makes room again.
		p = patchOf(idle)
		p.Active = true
		if _, err := s.UpdateUser(ctx, ninaActor, idle.ID, p); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateUser(ctx, sys, nina.ID, deactivate(nina)); err != nil {
			t.Errorf("deactivate an admin who is not the last: %v", err)
		}
	})
}

func TestDeactivateUser(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := f.ctx
		for _, hash := range []string{"nina-1", "nina-2"} {
			if err := s.CreateSession(ctx, hash, store.Session{UserID: f.ninaUser.ID, CSRFToken: "c", ExpiresAt: t0.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.CreateSession(ctx, "dave-1", store.Session{UserID: f.daveUser.ID, CSRFToken: "c", ExpiresAt: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateToken(ctx, f.nina, f.ninaUser.ID, "script", "nina-token", "cairn_nina"); err != nil {
			t.Fatal(err)
		}
		reported := f.create(t, f.nina, store.NewTicket{Type: "incident", Service: "Network", Summary: "Switch fan is loud"})
		assigned := f.create(t, f.alice, store.NewTicket{Type: "incident", Service: "Network", Summary: "No Wi-Fi"})
		if _, err := s.UpdateTicket(ctx, f.nina, assigned.Key, store.TicketPatch{AssigneeID: ptr(f.ninaUser.ID)}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionUser(ctx, "nina-1"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TokenUser(ctx, "nina-token"); err != nil {
			t.Fatal(err)
		}

		p := patchOf(f.ninaUser)
		p.Active = false
		nina, err := s.UpdateUser(ctx, f.admin, f.ninaUser.ID, p)
		if err != nil || nina.Active {
			t.Fatalf("deactivate = %+v, %v", nina, err)
		}
		for _, hash := range []string{"nina-1", "nina-2"} {
			_, _, err := s.SessionUser(ctx, hash)
			wantErr(t, "session "+hash+" after deactivation", err, errs.KindUnauthorized, "")
		}
		if _, _, err := s.SessionUser(ctx, "dave-1"); err != nil {
			t.Errorf("Dave's session ended with Nina's: %v", err)
		}
		_, err = s.TokenUser(ctx, "nina-token")
		wantErr(t, "token of an inactive user", err, errs.KindUnauthorized, "")
		_, _, err = s.PasswordHash(ctx, "nina@example.com")
		wantErr(t, "password of an inactive user", err, errs.KindNotFound, "")
		// A session that somehow outlived her is refused too.
		if err := s.CreateSession(ctx, "nina-3", store.Session{UserID: f.ninaUser.ID, CSRFToken: "c", ExpiresAt: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		_, _, err = s.SessionUser(ctx, "nina-3")
		wantErr(t, "new session of an inactive user", err, errs.KindUnauthorized, "")

		// Her tickets keep her; nobody can give her more.
		for key, want := range map[string][2]int64{reported.Key: {f.ninaUser.ID, 0}, assigned.Key: {f.aliceUser.ID, f.ninaUser.ID}} {
			tk, err := s.Ticket(ctx, f.admin, key)
			if err != nil || tk.ReporterID != want[0] || tk.AssigneeID != want[1] {
				t.Errorf("%s: reporter %d, assignee %d, %v; want %v", key, tk.ReporterID, tk.AssigneeID, err, want)
			}
		}
		_, err = s.UpdateTicket(ctx, f.admin, reported.Key, store.TicketPatch{AssigneeID: ptr(f.ninaUser.ID)})
		wantErr(t, "assign to an inactive agent", err, errs.KindInvalid, "assignee")
		teams, _ := s.Teams(ctx)
		for _, tm := range teams {
			if tm.ID == f.netTeam.ID && !slices.Contains(tm.MemberIDs, f.ninaUser.ID) {
				t.Error("deactivation took Nina out of her team")
			}
		}

		// Listings tell active from inactive people.
		staff := func(active bool) []int64 {
			var out []int64
			for _, role := range []directory.Role{directory.RoleAgent, directory.RoleAdmin} {
				us, err := s.Users(ctx, store.UserFilter{Role: role, Active: &active})
				if err != nil {
					t.Fatal(err)
				}
				for _, u := range us {
					out = append(out, u.ID)
				}
			}
			slices.Sort(out)
			return out
		}
		if got := staff(false); !slices.Equal(got, []int64{f.ninaUser.ID}) {
			t.Errorf("inactive staff %v, want Nina only", got)
		}
		if got := staff(true); !slices.Equal(got, []int64{f.adminUser.ID, f.daveUser.ID}) {
			t.Errorf("active staff %v, want Ada and Dave", got)
		}

		hist, _ := s.UserHistory(ctx, f.admin, f.ninaUser.ID)
		last := hist[len(hist)-1]
		if last.Type != store.EventUserUpdated || len(last.Changes) != 1 || last.Changes[0].Field != "active" ||
			last.Changes[0].From != true || last.Changes[0].To != false || last.Data["sessions_ended"] != float64(2) {
			t.Errorf("deactivation event %+v", last)
		}

		// Reactivated, her token works again; the ended sessions stay ended.
		p.Active = true
		if _, err := s.UpdateUser(ctx, f.admin, f.ninaUser.ID, p); err != nil {
			t.Fatal(err)
		}
		if u, err := s.TokenUser(ctx, "nina-token"); err != nil || u.ID != f.ninaUser.ID {
			t.Errorf("token after reactivation: %+v, %v", u, err)
		}
		_, _, err = s.SessionUser(ctx, "nina-1")
		wantErr(t, "ended session after reactivation", err, errs.KindUnauthorized, "")
		if _, err := s.UpdateTicket(ctx, f.admin, reported.Key, store.TicketPatch{AssigneeID: ptr(f.ninaUser.ID)}); err != nil {
			t.Errorf("assign to a reactivated agent: %v", err)
		}
	})
}

func TestRoleChangeToCustomer(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := f.ctx
		// Nina is in Network and in a second team; she holds one open and one
		// resolved ticket.
		ops, err := s.CreateTeam(ctx, directory.System, "Operations", []int64{f.ninaUser.ID, f.daveUser.ID})
		if err != nil {
			t.Fatal(err)
		}
		open := f.create(t, f.alice, store.NewTicket{Type: "incident", Service: "Network", Summary: "VPN drops"})
		done := f.create(t, f.alice, store.NewTicket{Type: "incident", Service: "Network", Summary: "Printer offline"})
		for _, key := range []string{open.Key, done.Key} {
			if _, err := s.UpdateTicket(ctx, f.nina, key, store.TicketPatch{AssigneeID: ptr(f.ninaUser.ID)}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Transition(ctx, f.nina, done.Key, store.TransitionInput{To: "Resolved", Resolution: "Fixed"}); err != nil {
			t.Fatal(err)
		}
		other := f.create(t, f.alice, store.NewTicket{Type: "incident", Service: "Laptops", Summary: "Laptop slow"})
		if _, err := s.UpdateTicket(ctx, f.dave, other.Key, store.TicketPatch{AssigneeID: ptr(f.daveUser.ID)}); err != nil {
			t.Fatal(err)
		}

		// A refused edit leaves teams and tickets alone.
		before := f.counts(t)
		_, err = s.UpdateUser(ctx, f.admin, f.ninaUser.ID, store.UserPatch{Name: "Nina", Email: "dave@example.com", Role: directory.RoleCustomer, Active: true})
		wantErr(t, "to customer with a taken email", err, errs.KindConflict, "email")
		sameCounts(t, "refused role change", before, f.counts(t))
		if tk, _ := s.Ticket(ctx, f.admin, open.Key); tk.AssigneeID != f.ninaUser.ID {
			t.Fatalf("a refused edit unassigned %s", open.Key)
		}

		f.clock.advance(time.Minute)
		p := patchOf(f.ninaUser)
		p.Role, p.OrganizationID = directory.RoleCustomer, f.globex.ID
		if _, err := s.UpdateUser(ctx, f.admin, f.ninaUser.ID, p); err != nil {
			t.Fatal(err)
		}
		teams, _ := s.Teams(ctx)
		for _, tm := range teams {
			if slices.Contains(tm.MemberIDs, f.ninaUser.ID) {
				t.Errorf("Nina, a customer, is still in team %s", tm.Name)
			}
			if tm.ID == ops.ID && !slices.Equal(tm.MemberIDs, []int64{f.daveUser.ID}) {
				t.Errorf("Operations members %v, want Dave only", tm.MemberIDs)
			}
		}
		for key, want := range map[string]int64{open.Key: 0, done.Key: f.ninaUser.ID, other.Key: f.daveUser.ID} {
			if tk, err := s.Ticket(ctx, f.admin, key); err != nil || tk.AssigneeID != want {
				t.Errorf("%s assignee %d, %v; want %d", key, tk.AssigneeID, err, want)
			}
		}
		// The open ticket's history says who unassigned her, and when.
		events, err := s.History(ctx, f.admin, open.Key)
		if err != nil {
			t.Fatal(err)
		}
		last := events[len(events)-1]
		if last.Type != ticket.EventUpdated || last.ActorID != f.adminUser.ID || !last.CreatedAt.Equal(t0.Add(time.Minute)) ||
			len(last.Changes) != 1 || last.Changes[0].Field != "assignee_id" || last.Changes[0].From != float64(f.ninaUser.ID) || last.Changes[0].To != float64(0) {
			t.Errorf("last event of %s = %+v, want the assignee cleared by the admin", open.Key, last)
		}
		if tk, _ := s.Ticket(ctx, f.admin, open.Key); !tk.UpdatedAt.Equal(t0.Add(time.Minute)) {
			t.Errorf("%s updated at %v, want the time of the role change", open.Key, tk.UpdatedAt)
		}
		hist, _ := s.UserHistory(ctx, f.admin, f.ninaUser.ID)
		ev := hist[len(hist)-1]
		left, _ := ev.Data["teams_left"].([]any)
		keys, _ := ev.Data["tickets_unassigned"].([]any)
		if len(left) != 2 || len(keys) != 1 || keys[0] != open.Key {
			t.Errorf("role change event data %v, want two teams left and %s unassigned", ev.Data, open.Key)
		}
		// As a customer, Nina sees none of the tickets her team served.
		ninaNow, _ := s.User(ctx, f.ninaUser.ID)
		if _, err := s.Ticket(ctx, f.actor(t, ninaNow), other.Key); !errs.Is(err, errs.KindNotFound) {
			t.Errorf("Nina as a customer reads another's ticket: %v", err)
		}

		// Back to agent: she is in no team until an admin puts her in one.
		p.Role = directory.RoleAgent
		if _, err := s.UpdateUser(ctx, f.admin, f.ninaUser.ID, p); err != nil {
			t.Fatal(err)
		}
		ninaNow, _ = s.User(ctx, f.ninaUser.ID)
		if a := f.actor(t, ninaNow); ninaNow.Role != directory.RoleAgent || len(a.TeamIDs) != 0 {
			t.Errorf("Nina back as agent has teams %v", a.TeamIDs)
		}
		// An admin made an agent stays in her teams and keeps her tickets.
		if _, err := s.UpdateUser(ctx, f.admin, f.daveUser.ID, store.UserPatch{Name: "Dave Desk", Email: "dave@example.com", Role: directory.RoleAdmin, Active: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateUser(ctx, f.admin, f.daveUser.ID, store.UserPatch{Name: "Dave Desk", Email: "dave@example.com", Role: directory.RoleAgent, Active: true}); err != nil {
			t.Fatal(err)
		}
		if tk, _ := s.Ticket(ctx, f.admin, other.Key); tk.AssigneeID != f.daveUser.ID {
			t.Errorf("admin to agent unassigned %s", other.Key)
		}
		if a := f.actor(t, f.daveUser); !slices.Contains(a.TeamIDs, f.deskTeam.ID) {
			t.Errorf("admin to agent left the Desk team: %v", a.TeamIDs)
		}
	})
}

func TestSetPasswordEndsSessions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := f.ctx
		sessions := map[string]int64{"alice-laptop": f.aliceUser.ID, "alice-phone": f.aliceUser.ID, "bob": f.bobUser.ID}
		for hash, uid := range sessions {
			if err := s.CreateSession(ctx, hash, store.Session{UserID: uid, CSRFToken: "c", ExpiresAt: t0.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.CreateToken(ctx, f.alice, f.aliceUser.ID, "script", "alice-token", "cairn_alic"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetPassword(ctx, f.admin, f.aliceUser.ID, "new-hash"); err != nil {
			t.Fatal(err)
		}
		for _, hash := range []string{"alice-laptop", "alice-phone"} {
			_, _, err := s.SessionUser(ctx, hash)
			wantErr(t, hash+" after a password reset", err, errs.KindUnauthorized, "")
		}
		if u, _, err := s.SessionUser(ctx, "bob"); err != nil || u.ID != f.bobUser.ID {
			t.Errorf("Bob's session after Alice's reset: %+v, %v", u, err)
		}
		// API tokens are no passwords: they keep working.
		if _, err := s.TokenUser(ctx, "alice-token"); err != nil {
			t.Errorf("token after a password reset: %v", err)
		}
		hist, _ := s.UserHistory(ctx, f.admin, f.aliceUser.ID)
		last := hist[len(hist)-1]
		if last.Type != store.EventUserPasswordSet || last.Data["sessions_ended"] != float64(2) || last.ActorID != f.adminUser.ID {
			t.Errorf("password event %+v", last)
		}
	})
}

// TestApproversSkipInactive checks that a deactivated member of an
// approving team is not asked.
func TestApproversSkipInactive(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newChangeFixture(t, s)
		f.rule(t, change.Rule{Name: "CAB", ChangeTypes: []change.Type{change.TypeNormal}, Approver: change.ApproverTeam, TeamID: f.cab.ID,
			Quorum: change.Quorum{Kind: change.QuorumAll}})
		cole, err := s.User(f.ctx, f.cole.UserID)
		if err != nil {
			t.Fatal(err)
		}
		p := patchOf(cole)
		p.Active = false
		if _, err := s.UpdateUser(f.ctx, f.admin, cole.ID, p); err != nil {
			t.Fatal(err)
		}
		v := f.submit(t, f.normal(t, "Network", "Replace the core switch", 24).Ticket.Key)
		if len(v.Approval.Steps) != 1 {
			t.Fatalf("steps %+v", v.Approval.Steps)
		}
		var asked []int64
		for _, ap := range v.Approval.Steps[0].Approvals {
			asked = append(asked, ap.ApproverID)
		}
		slices.Sort(asked)
		if want := []int64{f.cora.UserID, f.cleo.UserID}; !slices.Equal(asked, want) {
			t.Errorf("approvers %v, want Cora and Cleo %v without Cole", asked, want)
		}
	})
}

// TestLastAdminRace has two admins demote each other at once, a few times
// over: one wins, the other is told the winner is now the last admin.
func TestLastAdminRace(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		survivor := f.adminUser
		for round := range 5 {
			second, err := s.CreateUser(f.ctx, directory.System, store.NewUser{Email: fmt.Sprintf("second%d@example.com", round), Name: "Second", Role: directory.RoleAdmin})
			if err != nil {
				t.Fatal(err)
			}
			pair := [2]directory.User{survivor, second}
			actors := [2]directory.Actor{f.actor(t, survivor), f.actor(t, second)}
			var wg sync.WaitGroup
			var results [2]error
			for i := range pair {
				wg.Add(1)
				go func() {
					defer wg.Done()
					other := pair[1-i]
					p := patchOf(other)
					p.Role = directory.RoleAgent
					_, results[i] = s.UpdateUser(f.ctx, actors[i], other.ID, p)
				}()
			}
			wg.Wait()
			won := -1
			for i, err := range results {
				if err == nil {
					if won >= 0 {
						t.Fatalf("round %d: both admins demoted each other", round)
					}
					won = i
					continue
				}
				wantErr(t, fmt.Sprintf("round %d: the loser", round), err, errs.KindInvalid, "role")
			}
			if won < 0 {
				t.Fatalf("round %d: neither demotion went through: %v", round, results)
			}
			active := true
			admins, err := s.Users(f.ctx, store.UserFilter{Role: directory.RoleAdmin, Active: &active})
			if err != nil || len(admins) != 1 || admins[0].ID != pair[won].ID {
				t.Fatalf("round %d: admins %+v, %v; want %s alone", round, admins, err, pair[won].Email)
			}
			survivor = pair[won]
		}
	})
}
