package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/api"
	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// The callers of the access matrix, in the order of accessRow.want.
const (
	anonymous = iota
	customer  // alice, who reported the ticket
	otherCust // bob, of another organization
	teamAgent // anna, whose team serves the ticket's service
	otherAgt  // otto, whose team does not
	admin
	nCallers
)

var callerNames = [nCallers]string{"anonymous", "alice", "bob", "team agent", "other agent", "admin"}

func (f *fixture) callers() [nCallers]*user {
	return [nCallers]*user{nil, f.alice, f.bob, f.agentA, f.agentB, f.admin}
}

// accessRow is one endpoint of the matrix. prepare gives the path and a valid
// body for one caller, making fresh records where the call changes them, so
// that the status reflects authorization and not validation or state.
type accessRow struct {
	prepare func(t *testing.T, f *fixture, as *user) (path string, body any)
	want    [nCallers]int
}

// Expected statuses of the usual kinds of endpoint.
var (
	everyone  = func(ok int) [nCallers]int { return [nCallers]int{401, ok, ok, ok, ok, ok} }
	staffOnly = [nCallers]int{401, 403, 403, 200, 200, 200}
	adminOnly = func(ok int) [nCallers]int { return [nCallers]int{401, 403, 403, 403, 403, ok} }
	// A ticket reported by alice on the team agent's service.
	ticketOf = func(ok int) [nCallers]int { return [nCallers]int{401, ok, 404, ok, 404, ok} }
	// Agent-only work on alice's ticket: customers are refused by role first.
	ticketStaff = func(ok int) [nCallers]int { return [nCallers]int{401, 403, 403, ok, 404, ok} }
)

func fixed(path string, body any) func(*testing.T, *fixture, *user) (string, any) {
	return func(*testing.T, *fixture, *user) (string, any) { return path, body }
}

// freshTicket raises a new ticket of alice's on Laptops for one call.
func (f *fixture) freshTicket(t *testing.T, typ string) ticket.Ticket {
	return f.newTicket(t, f.alice, store.NewTicket{Type: typ, Service: "Laptops", Summary: f.unique("Matrix ticket")})
}

func accessMatrix() map[string]accessRow {
	return map[string]accessRow{
		"GET /api/v1/me":         {fixed("/api/v1/me", nil), everyone(200)},
		"GET /api/v1/me/tokens":  {fixed("/api/v1/me/tokens", nil), everyone(200)},
		"POST /api/v1/me/tokens": {fixed("/api/v1/me/tokens", map[string]any{"name": "matrix"}), everyone(201)},
		"DELETE /api/v1/me/tokens/{id}": {func(t *testing.T, f *fixture, as *user) (string, any) {
			if as == nil {
				return "/api/v1/me/tokens/1", nil
			}
			f.newToken(t, as.ID)
			toks, err := f.s.Tokens(context.Background(), as.ID)
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("/api/v1/me/tokens/%d", toks[len(toks)-1].ID), nil
		}, everyone(204)},

		"GET /api/v1/services": {fixed("/api/v1/services", nil), everyone(200)},
		"POST /api/v1/services": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/services", map[string]any{"name": f.unique("Service"), "status": "live", "owner_team": f.teamA.ID}
		}, adminOnly(201)},
		"GET /api/v1/services/{id}": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return fmt.Sprintf("/api/v1/services/%d", f.laptops.ID), nil
		}, everyone(200)},
		"PUT /api/v1/services/{id}": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return fmt.Sprintf("/api/v1/services/%d", f.spareService.ID), map[string]any{"name": "Spare service", "status": "pipeline"}
		}, adminOnly(200)},
		"GET /api/v1/request-types": {fixed("/api/v1/request-types", nil), everyone(200)},
		"POST /api/v1/request-types": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/request-types", map[string]any{"service": f.laptops.ID, "name": f.unique("Request"), "ticket_type": "incident"}
		}, adminOnly(201)},
		"GET /api/v1/request-types/{id}": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return fmt.Sprintf("/api/v1/request-types/%d", f.form.ID), nil
		}, everyone(200)},
		"PUT /api/v1/request-types/{id}": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return fmt.Sprintf("/api/v1/request-types/%d", f.spareType.ID), map[string]any{"service": f.spareService.ID, "name": "Spare request", "ticket_type": "incident"}
		}, adminOnly(200)},
		"GET /api/v1/workflows": {fixed("/api/v1/workflows", nil), staffOnly},
		"GET /api/v1/workflows/{id}": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return fmt.Sprintf("/api/v1/workflows/%d", f.problemWorkflow.ID), nil
		}, staffOnly},
		"PUT /api/v1/workflows/{id}": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return fmt.Sprintf("/api/v1/workflows/%d", f.problemWorkflow.ID), f.problemWorkflow
		}, adminOnly(200)},

		"GET /api/v1/organizations": {fixed("/api/v1/organizations", nil), staffOnly},
		"POST /api/v1/organizations": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/organizations", map[string]any{"name": f.unique("Org")}
		}, adminOnly(201)},
		"GET /api/v1/users": {fixed("/api/v1/users", nil), staffOnly},
		"POST /api/v1/users": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/users", map[string]any{"email": strings.ReplaceAll(f.unique("user"), " ", "") + "@cairn.test", "name": "New", "role": "customer"}
		}, adminOnly(201)},
		"GET /api/v1/users/{id}": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return fmt.Sprintf("/api/v1/users/%d", f.alice.ID), nil
		}, staffOnly},
		"PATCH /api/v1/users/{id}": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			u, err := f.s.CreateUser(context.Background(), directory.System, store.NewUser{
				Email: strings.ReplaceAll(f.unique("patched"), " ", "") + "@cairn.test", Name: "Patched", Role: directory.RoleCustomer})
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("/api/v1/users/%d", u.ID), map[string]any{"name": "Renamed", "active": false}
		}, adminOnly(200)},
		"GET /api/v1/teams": {fixed("/api/v1/teams", nil), staffOnly},
		"POST /api/v1/teams": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/teams", map[string]any{"name": f.unique("Team")}
		}, adminOnly(201)},
		"PUT /api/v1/teams/{id}/members": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return fmt.Sprintf("/api/v1/teams/%d/members", f.spareTeam.ID), map[string]any{"member_ids": []int64{f.admin.ID}}
		}, adminOnly(204)},

		"GET /api/v1/tickets":  {fixed("/api/v1/tickets", nil), everyone(200)},
		"POST /api/v1/tickets": {fixed("/api/v1/tickets", map[string]any{"type": "incident", "service": "Laptops", "summary": "Matrix"}), everyone(201)},
		"GET /api/v1/tickets/{key}": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/tickets/" + f.aliceTicket.Key, nil
		}, ticketOf(200)},
		"PATCH /api/v1/tickets/{key}": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/tickets/" + f.freshTicket(t, "incident").Key, map[string]any{"organization": "Finance"}
		}, ticketOf(200)},
		"GET /api/v1/tickets/{key}/transitions": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/tickets/" + f.aliceTicket.Key + "/transitions", nil
		}, ticketOf(200)},
		"POST /api/v1/tickets/{key}/transitions": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			// Cancel is open to every role from the first status.
			return "/api/v1/tickets/" + f.freshTicket(t, "service_request").Key + "/transitions", map[string]any{"id": "cancel"}
		}, ticketOf(200)},
		"GET /api/v1/tickets/{key}/comments": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/tickets/" + f.aliceTicket.Key + "/comments", nil
		}, ticketOf(200)},
		"POST /api/v1/tickets/{key}/comments": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/tickets/" + f.freshTicket(t, "incident").Key + "/comments", map[string]any{"body": "Any news?"}
		}, ticketOf(201)},
		"GET /api/v1/tickets/{key}/history": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/tickets/" + f.aliceTicket.Key + "/history", nil
		}, ticketOf(200)},
		"GET /api/v1/tickets/{key}/links": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/tickets/" + f.aliceTicket.Key + "/links", nil
		}, ticketOf(200)},
		"POST /api/v1/tickets/{key}/links": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/tickets/" + f.freshTicket(t, "incident").Key + "/links", map[string]any{"kind": "relates_to", "ticket": f.bobTicket.Key}
		}, ticketStaff(201)},
		"DELETE /api/v1/tickets/{key}/links/{id}": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			tk := f.freshTicket(t, "incident")
			l, err := f.s.AddLink(context.Background(), f.admin.actor, tk.Key, ticket.LinkRelates, f.bobTicket.Key)
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("/api/v1/tickets/%s/links/%d", tk.Key, l.ID), nil
		}, ticketStaff(204)},
		"GET /api/v1/tickets/{key}/attachments": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/tickets/" + f.aliceTicket.Key + "/attachments", nil
		}, ticketOf(200)},
		"POST /api/v1/tickets/{key}/attachments": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/tickets/" + f.freshTicket(t, "incident").Key + "/attachments", file{Field: "file", Name: "log.txt", Data: []byte("log")}
		}, ticketOf(201)},
		"GET /api/v1/tickets/{key}/attachments/{id}": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return fmt.Sprintf("/api/v1/tickets/%s/attachments/%d", f.aliceTicket.Key, f.attachment.ID), nil
		}, ticketOf(200)},
	}
}

// TestAccessMatrix calls every route of the API as every kind of caller.
func TestAccessMatrix(t *testing.T) {
	t.Parallel()
	matrix := accessMatrix()
	maps.Copy(matrix, practiceAccessRows())
	maps.Copy(matrix, changeAccessRows())
	maps.Copy(matrix, cmdbAccessRows())
	maps.Copy(matrix, queueAccessRows())
	roles := api.RouteRoles()
	var patterns []string
	for p := range roles {
		patterns = append(patterns, p)
		if _, ok := matrix[p]; !ok {
			t.Errorf("route %q has no row in the access matrix", p)
		}
	}
	slices.Sort(patterns)
	for p, row := range matrix {
		least, ok := roles[p]
		if !ok {
			t.Errorf("the access matrix has a row for %q, which is not a route", p)
			continue
		}
		// The matrix agrees with the least role each route declares.
		if least == directory.RoleAdmin && (row.want[teamAgent] != 403 || row.want[customer] != 403) {
			t.Errorf("%s needs an admin, but the matrix lets weaker roles through", p)
		}
		if least == directory.RoleAgent && row.want[customer] != 403 {
			t.Errorf("%s needs an agent, but the matrix lets customers through", p)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		callers := f.callers()
		for _, p := range patterns {
			row := matrix[p]
			method, _, _ := strings.Cut(p, " ")
			for who, as := range callers {
				path, body := row.prepare(t, f, as)
				w := f.call(t, as, method, path, body)
				want := row.want[who]
				if w.Code != want {
					t.Errorf("%s as %s: %d, want %d; body: %s", p, callerNames[who], w.Code, want, truncate(w.Body.String()))
					continue
				}
				switch want {
				case 401:
					if w.Header().Get("WWW-Authenticate") == "" {
						t.Errorf("%s as %s: 401 without WWW-Authenticate", p, callerNames[who])
					}
					checkErrorShape(t, p, w, "unauthorized")
				case 403:
					checkErrorShape(t, p, w, "forbidden")
				case 404:
					checkErrorShape(t, p, w, "not_found")
					// A hidden ticket gives nothing of itself away.
					for _, secret := range []string{f.aliceTicket.Summary, f.aliceTicket.ReporterEmail, "receipt"} {
						if strings.Contains(w.Body.String(), secret) {
							t.Errorf("%s as %s: the 404 holds %q: %s", p, callerNames[who], secret, w.Body.String())
						}
					}
				}
			}
		}
	})
}

func checkErrorShape(t *testing.T, route string, w *httptest.ResponseRecorder, code string) {
	t.Helper()
	if !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Errorf("%s: %d answered as %q", route, w.Code, w.Header().Get("Content-Type"))
		return
	}
	if e := decodeQuiet(w); e.Error.Code != code || e.Error.Message == "" {
		t.Errorf("%s: %d with error %+v, want code %q", route, w.Code, e.Error, code)
	}
}

func decodeQuiet(w *httptest.ResponseRecorder) apiError {
	var e apiError
	_ = json.Unmarshal(w.Body.Bytes(), &e)
	return e
}

// TestVisibility checks who sees which ticket, one by one and in listings.
func TestVisibility(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		all := []ticket.Ticket{f.aliceTicket, f.aliceShared, f.bobTicket, f.serversTicket}
		tests := []struct {
			as   *user
			sees []ticket.Ticket
		}{
			{f.alice, []ticket.Ticket{f.aliceTicket, f.aliceShared}},
			{f.carol, []ticket.Ticket{f.aliceShared, f.serversTicket}}, // shared with her organization, and her own
			{f.bob, []ticket.Ticket{f.bobTicket}},
			{f.agentA, []ticket.Ticket{f.aliceTicket, f.aliceShared, f.bobTicket}},
			{f.agentB, []ticket.Ticket{f.serversTicket}},
			{f.admin, all},
		}
		for _, tc := range tests {
			t.Run(tc.as.Name, func(t *testing.T) {
				var want []string
				for _, tk := range tc.sees {
					want = append(want, tk.Key)
				}
				page := get[store.TicketPage](t, f, tc.as, "/api/v1/tickets?sort=key&order=asc")
				var got []string
				for _, tk := range page.Tickets {
					got = append(got, tk.Key)
				}
				if !slices.Equal(got, want) || page.Total != len(want) {
					t.Errorf("lists %q (total %d), want %q", got, page.Total, want)
				}
				for _, tk := range all {
					w := f.call(t, tc.as, http.MethodGet, "/api/v1/tickets/"+tk.Key, nil)
					if slices.Contains(want, tk.Key) {
						wantStatus(t, w, 200)
						continue
					}
					wantError(t, w, 404, "not_found", "")
					if strings.Contains(w.Body.String(), tk.Summary) {
						t.Errorf("the 404 of %s shows its summary", tk.Key)
					}
				}
				// An unknown key answers just like a hidden one.
				wantError(t, f.call(t, tc.as, http.MethodGet, "/api/v1/tickets/IT-99999", nil), 404, "not_found", "")
			})
		}
		// Keys are read in any letter case.
		wantStatus(t, f.call(t, f.alice, http.MethodGet, "/api/v1/tickets/"+strings.ToLower(f.aliceTicket.Key), nil), 200)
		// Once otto's team also serves Laptops, he sees its tickets at once.
		w := f.call(t, f.admin, http.MethodPut, fmt.Sprintf("/api/v1/services/%d", f.laptops.ID),
			map[string]any{"name": "Laptops", "status": "live", "owner_team": f.teamA.ID, "team_ids": []int64{f.teamB.ID}})
		wantStatus(t, w, 200)
		wantStatus(t, f.call(t, f.agentB, http.MethodGet, "/api/v1/tickets/"+f.bobTicket.Key, nil), 200)
		if got := get[store.TicketPage](t, f, f.agentB, "/api/v1/tickets").Total; got != 4 {
			t.Errorf("otto lists %d tickets, want 4", got)
		}
		// A customer cannot share a request with another organization.
		w = f.call(t, f.alice, http.MethodPatch, "/api/v1/tickets/"+f.aliceTicket.Key, map[string]any{"organization": "Sales"})
		wantError(t, w, 422, "invalid_field", "organization")
		wantError(t, f.call(t, f.bob, http.MethodGet, "/api/v1/tickets/"+f.aliceTicket.Key, nil), 404, "not_found", "")
	})
}

// TestAuthentication covers the ways to sign a request and the bad ones.
func TestAuthentication(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		basic := func(email, secret string) func(*http.Request) {
			return func(r *http.Request) { r.SetBasicAuth(email, secret) }
		}
		header := func(v string) func(*http.Request) {
			return func(r *http.Request) { r.Header.Set("Authorization", v) }
		}
		tests := []struct {
			name   string
			mod    func(*http.Request)
			status int
		}{
			{"bearer", header("Bearer " + f.alice.token), 200},
			{"basic with email and token", basic("alice@finance.test", f.alice.token), 200},
			{"basic with the email in capitals", basic(" ALICE@finance.test", f.alice.token), 200},
			{"basic with another user's email", basic("bob@sales.test", f.alice.token), 401},
			{"basic with an unknown email", basic("mallory@evil.test", f.alice.token), 401},
			{"basic with a password instead of a token", basic("alice@finance.test", "password1"), 401},
			{"unknown bearer token", header("Bearer cairn_nope"), 401},
			{"empty bearer token", header("Bearer "), 401},
			{"session id as a bearer token", header("Bearer " + f.sessionFor(t, f.alice, "csrf", time.Hour)), 401},
			{"other scheme", header("Token " + f.alice.token), 401},
			{"no credentials", func(*http.Request) {}, 401},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				w := f.call(t, nil, http.MethodGet, "/api/v1/me", nil, tc.mod)
				if tc.status == 200 {
					wantStatus(t, w, 200)
					return
				}
				wantError(t, w, 401, "unauthorized", "")
				if !strings.Contains(w.Header().Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate = %q", w.Header().Get("WWW-Authenticate"))
				}
			})
		}

		t.Run("revoked token", func(t *testing.T) {
			secret := f.newToken(t, f.bob.ID)
			bob2 := &user{token: secret}
			wantStatus(t, f.call(t, bob2, http.MethodGet, "/api/v1/me", nil), 200)
			toks, err := s.Tokens(context.Background(), f.bob.ID)
			if err != nil {
				t.Fatal(err)
			}
			w := f.call(t, f.bob, http.MethodDelete, fmt.Sprintf("/api/v1/me/tokens/%d", toks[len(toks)-1].ID), nil)
			wantStatus(t, w, http.StatusNoContent)
			wantError(t, f.call(t, bob2, http.MethodGet, "/api/v1/me", nil), 401, "unauthorized", "")
			wantError(t, f.call(t, nil, http.MethodGet, "/api/v1/me", nil, basic("bob@sales.test", secret)), 401, "unauthorized", "")
			wantStatus(t, f.call(t, f.bob, http.MethodGet, "/api/v1/me", nil), 200)
		})
	})
}

// sessionFor signs a user in as a browser would be: it records a session
// with a known secret and CSRF token and gives the secret (the cookie value).
func (f *fixture) sessionFor(t *testing.T, u *user, csrf string, lifetime time.Duration) string {
	t.Helper()
	secret := auth.NewSecret("")
	err := f.s.CreateSession(context.Background(), auth.HashSecret(secret), store.Session{UserID: u.ID, CSRFToken: csrf, ExpiresAt: time.Now().Add(lifetime)})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// TestSessionCSRF checks that cookie-authenticated writes need the session's
// CSRF token, and reads do not.
func TestSessionCSRF(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		const csrf = "csrf-token-of-alice"
		secret := f.sessionFor(t, f.alice, csrf, time.Hour)
		cookie := func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "cairn_session", Value: secret}) }
		withCSRF := func(v string) func(*http.Request) {
			return func(r *http.Request) { r.Header.Set("X-CSRF-Token", v) }
		}
		comments := "/api/v1/tickets/" + f.aliceTicket.Key + "/comments"
		count := func() int {
			t.Helper()
			cs, err := s.Comments(context.Background(), f.admin.actor, f.aliceTicket.Key)
			if err != nil {
				t.Fatal(err)
			}
			return len(cs)
		}

		wantStatus(t, f.call(t, nil, http.MethodGet, "/api/v1/me", nil, cookie), 200)
		wantStatus(t, f.call(t, nil, http.MethodGet, comments, nil, cookie), 200)

		before := count()
		body := map[string]any{"body": "From the browser"}
		wantError(t, f.call(t, nil, http.MethodPost, comments, body, cookie), 403, "forbidden", "")
		wantError(t, f.call(t, nil, http.MethodPost, comments, body, cookie, withCSRF("wrong")), 403, "forbidden", "")
		wantError(t, f.call(t, nil, http.MethodPost, comments, body, cookie, withCSRF(csrf+"x")), 403, "forbidden", "")
		// Another session's token does not do either.
		f.sessionFor(t, f.alice, "csrf-of-another-session", time.Hour)
		wantError(t, f.call(t, nil, http.MethodPost, comments, body, cookie, withCSRF("csrf-of-another-session")), 403, "forbidden", "")
		wantError(t, f.call(t, nil, http.MethodDelete, "/api/v1/me/tokens/1", nil, cookie), 403, "forbidden", "")
		if n := count(); n != before {
			t.Fatalf("refused writes added %d comments", n-before)
		}
		wantStatus(t, f.call(t, nil, http.MethodPost, comments, body, cookie, withCSRF(csrf)), 201)
		if n := count(); n != before+1 {
			t.Fatalf("%d comments, want %d", n, before+1)
		}

		// A bearer token needs no CSRF token, even with a cookie beside it.
		wantStatus(t, f.call(t, f.bob, http.MethodGet, "/api/v1/me", nil, cookie), 200)
		wantStatus(t, f.call(t, f.agentA, http.MethodPost, comments, body, cookie), 201)

		// An expired session is no session.
		expired := f.sessionFor(t, f.alice, csrf, -time.Minute)
		old := func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "cairn_session", Value: expired}) }
		wantError(t, f.call(t, nil, http.MethodGet, "/api/v1/me", nil, old), 401, "unauthorized", "")
		wantError(t, f.call(t, nil, http.MethodPost, comments, body, old, withCSRF(csrf)), 401, "unauthorized", "")
	})
}

// TestCrossOrigin checks that browsers' cross-site writes are refused
// whatever credentials they carry.
func TestCrossOrigin(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		total := func() int { return get[store.TicketPage](t, f, f.admin, "/api/v1/tickets").Total }
		body := map[string]any{"type": "incident", "service": "Laptops", "summary": "From elsewhere"}
		before := total()
		const csrf = "c"
		cookie := func(r *http.Request) {
			r.AddCookie(&http.Cookie{Name: "cairn_session", Value: f.sessionFor(t, f.alice, csrf, time.Hour)})
			r.Header.Set("X-CSRF-Token", csrf)
		}
		for _, tc := range []struct {
			name string
			as   *user
			mods []func(*http.Request)
		}{
			{"cross-site with a token", f.alice, []func(*http.Request){func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") }}},
			{"same-site with a token", f.alice, []func(*http.Request){func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "same-site") }}},
			{"cross-site with a session", nil, []func(*http.Request){cookie, func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") }}},
			{"foreign Origin", f.alice, []func(*http.Request){func(r *http.Request) { r.Header.Set("Origin", "https://evil.example") }}},
		} {
			w := f.call(t, tc.as, http.MethodPost, "/api/v1/tickets", body, tc.mods...)
			if w.Code != http.StatusForbidden {
				t.Errorf("%s: %d, want 403", tc.name, w.Code)
				continue
			}
			checkErrorShape(t, tc.name, w, "forbidden")
		}
		if n := total(); n != before {
			t.Fatalf("cross-origin posts raised %d tickets", n-before)
		}
		// Reads and same-origin writes pass.
		wantStatus(t, f.call(t, f.alice, http.MethodGet, "/api/v1/me", nil, func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") }), 200)
		sameOrigin := func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "same-origin") }
		wantStatus(t, f.call(t, f.alice, http.MethodPost, "/api/v1/tickets", body, sameOrigin), 201)
		wantStatus(t, f.call(t, nil, http.MethodPost, "/api/v1/tickets", body, cookie, sameOrigin), 201)
		if n := total(); n != before+2 {
			t.Fatalf("%d tickets, want %d", n, before+2)
		}
	})
}
