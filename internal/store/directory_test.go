package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

func TestOrganizations(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sys := directory.System
		acme, err := s.CreateOrganization(ctx, sys, "  Acme Corp ")
		if err != nil {
			t.Fatal(err)
		}
		if acme.ID == 0 || acme.Name != "Acme Corp" || acme.CreatedAt.IsZero() {
			t.Errorf("created %+v, want an id, a trimmed name and a time", acme)
		}
		tests := []struct {
			name  string
			kind  errs.Kind
			field string
		}{
			{"Acme Corp", errs.KindConflict, "name"},
			{"ACME CORP", errs.KindConflict, "name"},
			{" acme corp ", errs.KindConflict, "name"},
			{"", errs.KindInvalid, "name"},
			{"   ", errs.KindInvalid, "name"},
			{strings.Repeat("o", 201), errs.KindInvalid, "name"},
		}
		for _, tt := range tests {
			_, err := s.CreateOrganization(ctx, sys, tt.name)
			wantErr(t, "create organization "+tt.name, err, tt.kind, tt.field)
		}
		if _, err := s.CreateOrganization(ctx, sys, "Globex"); err != nil {
			t.Fatal(err)
		}
		orgs, err := s.Organizations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(orgs) != 2 || orgs[0].Name != "Acme Corp" || orgs[1].Name != "Globex" {
			t.Errorf("Organizations() = %+v, want Acme Corp, Globex", orgs)
		}
		got, err := s.OrganizationByName(ctx, " acme CORP")
		if err != nil || got.ID != acme.ID || !got.CreatedAt.Equal(acme.CreatedAt) {
			t.Errorf("OrganizationByName = %+v, %v; want %+v", got, err, acme)
		}
		_, err = s.OrganizationByName(ctx, "Initech")
		wantErr(t, "unknown organization", err, errs.KindNotFound, "")
	})
}

func TestUsers(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx, sys := f.ctx, directory.System
		u, err := s.CreateUser(ctx, sys, store.NewUser{Email: "  Erin.Smith@ACME.test ", Name: " Erin ", Role: directory.RoleCustomer, OrganizationID: f.acme.ID, PasswordHash: "h1"})
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "erin.smith@acme.test" || u.Name != "Erin" || !u.Active || u.OrganizationID != f.acme.ID || !u.CreatedAt.Equal(t0) {
			t.Errorf("created %+v", u)
		}
		for _, email := range []string{"erin.smith@acme.test", " ERIN.SMITH@acme.TEST"} {
			got, err := s.UserByEmail(ctx, email)
			if err != nil || got != u {
				t.Errorf("UserByEmail(%q) = %+v, %v; want %+v", email, got, err, u)
			}
		}
		if got, err := s.User(ctx, u.ID); err != nil || got != u {
			t.Errorf("User(%d) = %+v, %v; want %+v", u.ID, got, err, u)
		}
		_, err = s.User(ctx, 9999)
		wantErr(t, "unknown user id", err, errs.KindNotFound, "")
		_, err = s.UserByEmail(ctx, "nobody@acme.test")
		wantErr(t, "unknown email", err, errs.KindNotFound, "")

		before := f.count(t, "users")
		events := f.count(t, "events")
		tests := []struct {
			name  string
			in    store.NewUser
			kind  errs.Kind
			field string
		}{
			{"same email", store.NewUser{Email: "erin.smith@acme.test", Name: "Erin 2", Role: directory.RoleCustomer}, errs.KindConflict, "email"},
			{"same email other case", store.NewUser{Email: "Erin.Smith@Acme.Test", Name: "Erin 2", Role: directory.RoleAgent}, errs.KindConflict, "email"},
			{"no email", store.NewUser{Name: "X", Role: directory.RoleAgent}, errs.KindInvalid, "email"},
			{"bad email", store.NewUser{Email: "erin", Name: "X", Role: directory.RoleAgent}, errs.KindInvalid, "email"},
			{"no name", store.NewUser{Email: "x@example.com", Role: directory.RoleAgent}, errs.KindInvalid, "name"},
			{"no role", store.NewUser{Email: "x@example.com", Name: "X"}, errs.KindInvalid, "role"},
			{"bad role", store.NewUser{Email: "x@example.com", Name: "X", Role: "owner"}, errs.KindInvalid, "role"},
			{"unknown organization", store.NewUser{Email: "x@example.com", Name: "X", Role: directory.RoleCustomer, OrganizationID: 9999}, errs.KindInvalid, "organization"},
		}
		for _, tt := range tests {
			_, err := s.CreateUser(ctx, sys, tt.in)
			wantErr(t, tt.name, err, tt.kind, tt.field)
		}
		if n := f.count(t, "users"); n != before {
			t.Errorf("users: %d rows after rejected creates, want %d", n, before)
		}
		if n := f.count(t, "events"); n != events {
			t.Errorf("events: %d rows after rejected creates, want %d", n, events)
		}

		// Passwords.
		got, hash, err := s.PasswordHash(ctx, "ERIN.smith@acme.test")
		if err != nil || got.ID != u.ID || hash != "h1" {
			t.Errorf("PasswordHash = %+v, %q, %v; want user %d with h1", got, hash, err, u.ID)
		}
		if err := s.SetPassword(ctx, sys, u.ID, "h2"); err != nil {
			t.Fatal(err)
		}
		if _, hash, _ := s.PasswordHash(ctx, u.Email); hash != "h2" {
			t.Errorf("after SetPassword the hash is %q, want h2", hash)
		}
		wantErr(t, "set password of unknown user", s.SetPassword(ctx, sys, 9999, "h"), errs.KindNotFound, "")
		_, _, err = s.PasswordHash(ctx, "nobody@example.com")
		wantErr(t, "password of unknown user", err, errs.KindNotFound, "")

		// Listing.
		names := func(us []directory.User) []string {
			var out []string
			for _, u := range us {
				out = append(out, u.Name)
			}
			return out
		}
		lists := []struct {
			filter store.UserFilter
			want   []string
		}{
			{store.UserFilter{Role: directory.RoleCustomer}, []string{"Alice", "Bob", "Carol", "Erin"}},
			{store.UserFilter{Role: directory.RoleAgent}, []string{"Dave Desk", "Nina Network"}},
			{store.UserFilter{OrganizationID: f.acme.ID}, []string{"Alice", "Bob", "Erin"}},
			{store.UserFilter{Role: directory.RoleCustomer, OrganizationID: f.globex.ID}, []string{"Carol"}},
			{store.UserFilter{Limit: 2}, []string{"Ada Admin", "Alice"}},
			{store.UserFilter{Limit: 2, Offset: 2}, []string{"Bob", "Carol"}},
			{store.UserFilter{Role: directory.RoleAdmin, Offset: 1}, nil},
		}
		for _, tt := range lists {
			us, err := s.Users(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(us); !slices.Equal(got, tt.want) {
				t.Errorf("Users(%+v) = %v, want %v", tt.filter, got, tt.want)
			}
		}
	})
}

func TestTeams(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx, sys := f.ctx, directory.System
		both := []int64{f.ninaUser.ID, f.adminUser.ID}
		team, err := s.CreateTeam(ctx, sys, " Security ", both)
		if err != nil {
			t.Fatal(err)
		}
		if team.Name != "Security" || !slices.Equal(team.MemberIDs, both) {
			t.Errorf("created %+v", team)
		}
		empty, err := s.CreateTeam(ctx, sys, "Empty", nil)
		if err != nil || empty.MemberIDs == nil || len(empty.MemberIDs) != 0 {
			t.Errorf("team without members = %+v, %v; want an empty member list", empty, err)
		}

		before := f.counts(t)
		tests := []struct {
			name    string
			team    string
			members []int64
			kind    errs.Kind
			field   string
		}{
			{"same name", "security", nil, errs.KindConflict, "name"},
			{"no name", " ", nil, errs.KindInvalid, "name"},
			{"customer member", "Helpers", []int64{f.daveUser.ID, f.aliceUser.ID}, errs.KindInvalid, "member_ids[1]"},
			{"unknown member", "Helpers", []int64{9999}, errs.KindInvalid, "member_ids[0]"},
		}
		for _, tt := range tests {
			_, err := s.CreateTeam(ctx, sys, tt.team, tt.members)
			wantErr(t, tt.name, err, tt.kind, tt.field)
		}
		sameCounts(t, "rejected teams", before, f.counts(t))

		members := func(id int64) []int64 {
			t.Helper()
			teams, err := s.Teams(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, tm := range teams {
				if tm.ID == id {
					slices.Sort(tm.MemberIDs)
					return tm.MemberIDs
				}
			}
			t.Fatalf("team %d not listed", id)
			return nil
		}
		teams, _ := s.Teams(ctx)
		var names []string
		for _, tm := range teams {
			names = append(names, tm.Name)
		}
		if want := []string{"Desk", "Empty", "Network", "Security"}; !slices.Equal(names, want) {
			t.Errorf("Teams() = %v, want %v", names, want)
		}
		want := slices.Sorted(slices.Values(both))
		if got := members(team.ID); !slices.Equal(got, want) {
			t.Errorf("members = %v, want %v", got, want)
		}

		if err := s.SetTeamMembers(ctx, sys, team.ID, []int64{f.daveUser.ID}); err != nil {
			t.Fatal(err)
		}
		if got := members(team.ID); !slices.Equal(got, []int64{f.daveUser.ID}) {
			t.Errorf("after SetTeamMembers members = %v, want [%d]", got, f.daveUser.ID)
		}
		// A customer among the new members refuses the whole change.
		err = s.SetTeamMembers(ctx, sys, team.ID, []int64{f.ninaUser.ID, f.carolUser.ID})
		wantErr(t, "customer in team", err, errs.KindInvalid, "member_ids[1]")
		if got := members(team.ID); !slices.Equal(got, []int64{f.daveUser.ID}) {
			t.Errorf("after a refused SetTeamMembers members = %v, want them unchanged", got)
		}
		wantErr(t, "unknown team", s.SetTeamMembers(ctx, sys, 9999, nil), errs.KindNotFound, "")

		// Actors carry their teams; customers have none.
		dave, err := s.Actor(ctx, f.daveUser)
		if err != nil {
			t.Fatal(err)
		}
		if want := []int64{f.deskTeam.ID, team.ID}; !slices.Equal(dave.TeamIDs, want) || dave.Role != directory.RoleAgent || dave.Name != "Dave Desk" {
			t.Errorf("Actor(dave) = %+v, want teams %v", dave, want)
		}
		if want := []int64{f.laptops.ID, f.intranet.ID}; !sameIDs(dave.ServiceIDs, want) {
			t.Errorf("Actor(dave).ServiceIDs = %v, want the Desk team's services %v", dave.ServiceIDs, want)
		}
		alice, err := s.Actor(ctx, f.aliceUser)
		if err != nil || len(alice.TeamIDs) != 0 || alice.OrganizationID != f.acme.ID || alice.UserID != f.aliceUser.ID {
			t.Errorf("Actor(alice) = %+v, %v", alice, err)
		}
	})
}
