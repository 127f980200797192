package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

func TestUpdateUser(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		alice := fmt.Sprintf("/api/v1/users/%d", f.alice.ID)
		self := fmt.Sprintf("/api/v1/users/%d", f.admin.ID)
		refusals := []struct {
			name   string
			as     *user
			path   string
			body   any
			status int
			code   string
			field  string
		}{
			{"empty name", f.admin, alice, map[string]any{"name": " "}, 422, "required_field", "name"},
			{"null name", f.admin, alice, map[string]any{"name": nil}, 422, "invalid_field", "name"},
			{"bad email", f.admin, alice, map[string]any{"email": "alice"}, 422, "invalid_field", "email"},
			{"taken email", f.admin, alice, map[string]any{"email": "BOB@sales.test"}, 409, "duplicate", "email"},
			{"bad role", f.admin, alice, map[string]any{"role": "boss"}, 422, "invalid_field", "role"},
			{"unknown organization name", f.admin, alice, map[string]any{"organization": "Nowhere"}, 422, "invalid_field", "organization"},
			{"unknown organization id", f.admin, alice, map[string]any{"organization": 99999}, 422, "invalid_field", "organization"},
			{"active as text", f.admin, alice, map[string]any{"active": "no"}, 422, "invalid_field", "active"},
			{"unknown field", f.admin, alice, map[string]any{"nickname": "Al"}, 400, "unknown_field", "nickname"},
			{"self-demotion", f.admin, self, map[string]any{"role": "agent"}, 422, "invalid_field", "role"},
			{"self-deactivation", f.admin, self, map[string]any{"active": false}, 422, "invalid_field", "active"},
			{"unknown user", f.admin, "/api/v1/users/99999", map[string]any{"name": "X"}, 404, "not_found", ""},
			{"an agent", f.agentA, alice, map[string]any{"name": "X"}, 403, "forbidden", ""},
			{"a customer on herself", f.alice, alice, map[string]any{"role": "admin"}, 403, "forbidden", ""},
		}
		for _, tc := range refusals {
			t.Run(tc.name, func(t *testing.T) {
				wantError(t, f.call(t, tc.as, http.MethodPatch, tc.path, tc.body), tc.status, tc.code, tc.field)
			})
		}
		if u := get[directory.User](t, f, f.admin, alice); u != f.alice.User {
			t.Fatalf("refused patches changed Alice: %+v", u)
		}

		// Only the fields given change.
		w := f.call(t, f.admin, http.MethodPatch, alice, map[string]any{"name": "Alice Berg", "organization": "Sales"})
		wantStatus(t, w, 200)
		u := decode[directory.User](t, w)
		want := f.alice.User
		want.Name, want.OrganizationID = "Alice Berg", f.sales.ID
		if u != want {
			t.Errorf("patched %+v, want %+v", u, want)
		}
		w = f.call(t, f.admin, http.MethodPatch, alice, map[string]any{"organization": nil, "email": " Alice.Berg@Sales.test "})
		wantStatus(t, w, 200)
		if u := decode[directory.User](t, w); u.OrganizationID != 0 || u.Email != "alice.berg@sales.test" || u.Name != "Alice Berg" {
			t.Errorf("after clearing the organization: %+v", u)
		}

		// Deactivated, Bob's token is refused and he is listed as inactive.
		bob := fmt.Sprintf("/api/v1/users/%d", f.bob.ID)
		wantStatus(t, f.call(t, f.bob, http.MethodGet, "/api/v1/me", nil), 200)
		w = f.call(t, f.admin, http.MethodPatch, bob, map[string]any{"active": false})
		wantStatus(t, w, 200)
		if decode[directory.User](t, w).Active {
			t.Error("Bob still active")
		}
		wantError(t, f.call(t, f.bob, http.MethodGet, "/api/v1/me", nil), 401, "unauthorized", "")
		ids := func(path string) []int64 {
			var out []int64
			for _, u := range get[struct{ Users []directory.User }](t, f, f.admin, path).Users {
				out = append(out, u.ID)
			}
			return out
		}
		if got := ids("/api/v1/users?active=false"); !slices.Equal(got, []int64{f.bob.ID}) {
			t.Errorf("inactive users %v, want Bob only", got)
		}
		if got := ids("/api/v1/users?active=true&role=customer"); slices.Contains(got, f.bob.ID) || len(got) != 2 {
			t.Errorf("active customers %v, want Alice and Carol", got)
		}
		if got := ids("/api/v1/users"); len(got) != 6 {
			t.Errorf("all users %v, want the six", got)
		}
		wantError(t, f.call(t, f.admin, http.MethodGet, "/api/v1/users?active=maybe", nil), 422, "invalid_field", "active")
		wantStatus(t, f.call(t, f.admin, http.MethodPatch, bob, map[string]any{"active": true}), 200)
		wantStatus(t, f.call(t, f.bob, http.MethodGet, "/api/v1/me", nil), 200)

		// A deactivated agent cannot be given a ticket.
		otto := fmt.Sprintf("/api/v1/users/%d", f.agentB.ID)
		wantStatus(t, f.call(t, f.admin, http.MethodPatch, otto, map[string]any{"active": false}), 200)
		w = f.call(t, f.admin, http.MethodPatch, "/api/v1/tickets/"+f.serversTicket.Key, map[string]any{"assignee": f.agentB.ID})
		wantError(t, w, 422, "invalid_field", "assignee")

		// Anna made a customer leaves her team and her open ticket.
		tk := f.newTicket(t, f.bob, store.NewTicket{Type: "incident", Service: "Laptops", Summary: "Bob's dock is dead"})
		wantStatus(t, f.call(t, f.agentA, http.MethodPatch, "/api/v1/tickets/"+tk.Key, map[string]any{"assignee": f.agentA.ID}), 200)
		anna := fmt.Sprintf("/api/v1/users/%d", f.agentA.ID)
		wantStatus(t, f.call(t, f.admin, http.MethodPatch, anna, map[string]any{"role": "customer", "organization": "Finance"}), 200)
		if got := get[ticket.Ticket](t, f, f.admin, "/api/v1/tickets/"+tk.Key); got.AssigneeID != 0 {
			t.Errorf("%s still assigned to %d", tk.Key, got.AssigneeID)
		}
		for _, tm := range get[struct{ Teams []directory.Team }](t, f, f.admin, "/api/v1/teams").Teams {
			if slices.Contains(tm.MemberIDs, f.agentA.ID) {
				t.Errorf("Anna, now a customer, is in team %s", tm.Name)
			}
		}
	})
}
