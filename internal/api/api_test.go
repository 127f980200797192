package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/server"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// user is a fixture user with the actor the store sees and an API token.
type user struct {
	directory.User
	actor directory.Actor
	token string
}

// fixture is a small service desk behind the real HTTP handler:
//
//   - organizations Finance and Sales;
//   - team "Service Desk" (agent anna) serves the live service Laptops,
//     team "Infrastructure" (agent otto) serves the live service Servers and
//     the pipeline service Data lake; "Spare team" and "Spare service" exist
//     for the admin writes of the access matrix;
//   - customers alice and carol (Finance) and bob (Sales);
//   - the request type "New laptop" on Laptops, whose form requires a select;
//   - tickets: alice's own (with an attachment), alice's shared with Finance,
//     bob's, all on Laptops, and carol's on Servers.
type fixture struct {
	s *store.Store
	h http.Handler

	finance, sales                  directory.Organization
	teamA, teamB, spareTeam         directory.Team
	admin, agentA, agentB           *user
	alice, bob, carol               *user
	laptops, servers, dataLake      catalog.Service
	spareService                    catalog.Service
	form, spareType, pipelineType   catalog.RequestType
	aliceTicket, aliceShared        ticket.Ticket
	bobTicket, serversTicket        ticket.Ticket
	attachment                      ticket.Attachment
	problemWorkflow, changeWorkflow ticket.Workflow

	seq atomic.Int64 // for unique names
}

func newFixture(t *testing.T, s *store.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	sys := directory.System
	f := &fixture{s: s, h: server.Handler(s, slog.New(slog.NewTextHandler(io.Discard, nil)))}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var err error
	f.finance, err = s.CreateOrganization(ctx, sys, "Finance")
	must(err)
	f.sales, err = s.CreateOrganization(ctx, sys, "Sales")
	must(err)

	newUser := func(email, name string, role directory.Role, org int64) *user {
		t.Helper()
		u, err := s.CreateUser(ctx, sys, store.NewUser{Email: email, Name: name, Role: role, OrganizationID: org})
		must(err)
		return &user{User: u, token: f.newToken(t, u.ID)}
	}
	f.admin = newUser("admin@cairn.test", "Ada Admin", directory.RoleAdmin, 0)
	f.agentA = newUser("anna@cairn.test", "Anna Agent", directory.RoleAgent, 0)
	f.agentB = newUser("otto@cairn.test", "Otto Agent", directory.RoleAgent, 0)
	f.alice = newUser("alice@finance.test", "Alice", directory.RoleCustomer, f.finance.ID)
	f.bob = newUser("bob@sales.test", "Bob", directory.RoleCustomer, f.sales.ID)
	f.carol = newUser("carol@finance.test", "Carol", directory.RoleCustomer, f.finance.ID)

	f.teamA, err = s.CreateTeam(ctx, sys, "Service Desk", []int64{f.agentA.ID})
	must(err)
	f.teamB, err = s.CreateTeam(ctx, sys, "Infrastructure", []int64{f.agentB.ID})
	must(err)
	f.spareTeam, err = s.CreateTeam(ctx, sys, "Spare team", nil)
	must(err)

	service := func(name string, status catalog.ServiceStatus, owner int64) catalog.Service {
		t.Helper()
		svc, err := s.CreateService(ctx, sys, catalog.Service{Name: name, Status: status, OwnerTeamID: owner})
		must(err)
		return svc
	}
	f.laptops = service("Laptops", catalog.ServiceLive, f.teamA.ID)
	f.servers = service("Servers", catalog.ServiceLive, f.teamB.ID)
	f.dataLake = service("Data lake", catalog.ServicePipeline, f.teamB.ID)
	f.spareService = service("Spare service", catalog.ServicePipeline, 0)
	// Actors carry the services of their teams, so they are read last.
	for _, u := range []*user{f.admin, f.agentA, f.agentB, f.alice, f.bob, f.carol} {
		u.actor, err = s.Actor(ctx, u.User)
		must(err)
	}

	requestType := func(svc int64, name, typ string, fields []catalog.Field) catalog.RequestType {
		t.Helper()
		rt, err := s.CreateRequestType(ctx, sys, catalog.RequestType{ServiceID: svc, Name: name, TicketType: typ, Fields: fields})
		must(err)
		return rt
	}
	f.form = requestType(f.laptops.ID, "New laptop", "service_request", []catalog.Field{
		{Key: "os", Label: "Operating system", Type: catalog.FieldSelect, Required: true, Options: []string{"linux", "mac", "windows"}},
		{Key: "notes", Label: "Notes", Type: catalog.FieldLongText},
	})
	f.pipelineType = requestType(f.dataLake.ID, "Data access", "service_request", nil)
	f.spareType = requestType(f.spareService.ID, "Spare request", "incident", nil)

	f.aliceTicket = f.newTicket(t, f.alice, store.NewTicket{Service: "Laptops", RequestType: "New laptop",
		Summary: "Alice needs a laptop", Fields: map[string]any{"os": "linux"}})
	f.aliceShared = f.newTicket(t, f.alice, store.NewTicket{Type: "incident", Service: "Laptops",
		Summary: "Finance printer jams", OrganizationID: f.finance.ID})
	f.bobTicket = f.newTicket(t, f.bob, store.NewTicket{Type: "incident", Service: "Laptops", Summary: "Bob's screen flickers"})
	f.serversTicket = f.newTicket(t, f.carol, store.NewTicket{Type: "incident", Service: "Servers", Summary: "Carol's server is down"})
	f.attachment, err = s.AddAttachment(ctx, f.alice.actor, f.aliceTicket.Key, "receipt.txt", "text/plain", []byte("receipt"))
	must(err)

	wfs, err := s.Workflows(ctx)
	must(err)
	for _, wf := range wfs {
		switch wf.TicketType {
		case ticket.TypeProblem:
			f.problemWorkflow = wf
		case ticket.TypeChange:
			f.changeWorkflow = wf
		}
	}
	return f
}

// newToken makes an API token for a user through the store, as the CLI does.
func (f *fixture) newToken(t *testing.T, userID int64) string {
	t.Helper()
	secret := auth.NewSecret(auth.TokenPrefix)
	if _, err := f.s.CreateToken(context.Background(), directory.System, userID, "test", auth.HashSecret(secret), secret[:10]); err != nil {
		t.Fatal(err)
	}
	return secret
}

// newTicket raises a ticket through the store.
func (f *fixture) newTicket(t *testing.T, as *user, nt store.NewTicket) ticket.Ticket {
	t.Helper()
	tk, err := f.s.CreateTicket(context.Background(), as.actor, nt)
	if err != nil {
		t.Fatalf("create ticket %q: %v", nt.Summary, err)
	}
	return tk
}

// unique gives a name no other call of the test has used.
func (f *fixture) unique(prefix string) string {
	return fmt.Sprintf("%s %d", prefix, f.seq.Add(1))
}

// file is a multipart upload body: one part named Field.
type file struct {
	Field, Name, ContentType string
	Data                     []byte
}

// rawJSON is a body sent as it is, with the JSON content type.
type rawJSON string

// call sends a request through the handler as a user (nil: anonymous) with
// a bearer token. body is nil, rawJSON, file or a value to encode as JSON.
func (f *fixture) call(t *testing.T, as *user, method, path string, body any, mods ...func(*http.Request)) *httptest.ResponseRecorder {
	t.Helper()
	var rd io.Reader
	contentType := ""
	switch b := body.(type) {
	case nil:
	case rawJSON:
		rd, contentType = strings.NewReader(string(b)), "application/json"
	case file:
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, b.Field, b.Name))
		if b.ContentType != "" {
			h.Set("Content-Type", b.ContentType)
		}
		pw, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write(b.Data)
		mw.Close()
		rd, contentType = &buf, mw.FormDataContentType()
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd, contentType = bytes.NewReader(raw), "application/json"
	}
	r := httptest.NewRequest(method, path, rd)
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if as != nil {
		r.Header.Set("Authorization", "Bearer "+as.token)
	}
	for _, m := range mods {
		m(r)
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w
}

// get calls GET and requires 200, decoding the answer into T.
func get[T any](t *testing.T, f *fixture, as *user, path string) T {
	t.Helper()
	w := f.call(t, as, http.MethodGet, path, nil)
	wantStatus(t, w, http.StatusOK)
	return decode[T](t, w)
}

func decode[T any](t *testing.T, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %T from %q: %v", v, w.Body.String(), err)
	}
	return v
}

func wantStatus(t *testing.T, w *httptest.ResponseRecorder, want int) {
	t.Helper()
	if w.Code != want {
		t.Fatalf("status %d, want %d; body: %s", w.Code, want, truncate(w.Body.String()))
	}
}

func truncate(s string) string {
	if len(s) > 500 {
		return s[:500] + "…"
	}
	return s
}

// apiError is the one shape of every error answer.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// wantError checks an error answer: status, code and field ("" for none).
func wantError(t *testing.T, w *httptest.ResponseRecorder, status int, code, field string) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d; body: %s", w.Code, status, truncate(w.Body.String()))
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("error Content-Type %q, want JSON; body: %s", ct, truncate(w.Body.String()))
	}
	e := decode[apiError](t, w)
	if e.Error.Code != code || e.Error.Field != field {
		t.Fatalf("error code %q field %q, want %q %q; message %q", e.Error.Code, e.Error.Field, code, field, e.Error.Message)
	}
	if e.Error.Message == "" {
		t.Fatal("error without a message")
	}
}

func TestMe(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		type me struct {
			User    directory.User `json:"user"`
			TeamIDs []int64        `json:"team_ids"`
		}
		m := get[me](t, f, f.alice, "/api/v1/me")
		if m.User.Email != "alice@finance.test" || m.User.Role != directory.RoleCustomer || m.User.OrganizationID != f.finance.ID {
			t.Errorf("alice's /me = %+v", m.User)
		}
		if m.TeamIDs == nil || len(m.TeamIDs) != 0 {
			t.Errorf("a customer's team_ids = %v, want []", m.TeamIDs)
		}
		m = get[me](t, f, f.agentA, "/api/v1/me")
		if m.User.ID != f.agentA.ID || !slices.Equal(m.TeamIDs, []int64{f.teamA.ID}) {
			t.Errorf("anna's /me = %+v", m)
		}
		w := f.call(t, f.alice, http.MethodGet, "/api/v1/me", nil)
		if strings.Contains(w.Body.String(), "password") {
			t.Errorf("/me shows a password field: %s", w.Body.String())
		}
	})
}

func TestTokens(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		type created struct {
			Token  store.Token `json:"token"`
			Secret string      `json:"secret"`
		}
		type listing struct {
			Tokens []store.Token `json:"tokens"`
		}

		w := f.call(t, f.alice, http.MethodPost, "/api/v1/me/tokens", map[string]any{"name": "ci"})
		wantStatus(t, w, http.StatusCreated)
		c := decode[created](t, w)
		if !strings.HasPrefix(c.Secret, auth.TokenPrefix) || len(c.Secret) < 40 {
			t.Fatalf("secret %q does not look like a token", c.Secret)
		}
		if c.Token.Name != "ci" || c.Token.ID == 0 || !strings.HasPrefix(c.Secret, c.Token.Prefix) || len(c.Token.Prefix) >= len(c.Secret) {
			t.Fatalf("token %+v for secret %q", c.Token, c.Secret)
		}

		// The secret signs requests at once, as a bearer token and with Basic.
		newAlice := &user{token: c.Secret}
		type me struct {
			User directory.User `json:"user"`
		}
		if got := get[me](t, f, newAlice, "/api/v1/me"); got.User.ID != f.alice.ID {
			t.Fatalf("the new token signs in as %d, want alice %d", got.User.ID, f.alice.ID)
		}
		w = f.call(t, nil, http.MethodGet, "/api/v1/me", nil, func(r *http.Request) { r.SetBasicAuth("Alice@Finance.test", c.Secret) })
		wantStatus(t, w, http.StatusOK)

		// The listing names the token but never holds a secret or hash.
		w = f.call(t, f.alice, http.MethodGet, "/api/v1/me/tokens", nil)
		wantStatus(t, w, http.StatusOK)
		if strings.Contains(w.Body.String(), c.Secret) || strings.Contains(w.Body.String(), auth.HashSecret(c.Secret)) ||
			strings.Contains(w.Body.String(), f.alice.token) {
			t.Fatalf("the token listing leaks a secret: %s", w.Body.String())
		}
		l := decode[listing](t, w)
		if len(l.Tokens) != 2 || l.Tokens[1].Name != "ci" || l.Tokens[1].ID != c.Token.ID {
			t.Fatalf("alice's tokens = %+v, want the fixture's and ci", l.Tokens)
		}
		// Each user sees only their own.
		if l := get[listing](t, f, f.bob, "/api/v1/me/tokens"); len(l.Tokens) != 1 {
			t.Fatalf("bob lists %d tokens, want 1", len(l.Tokens))
		}

		for _, tc := range []struct {
			name string
			body any
			code int
			err  string
		}{
			{"empty name", map[string]any{"name": "  "}, 422, "required_field"},
			{"long name", map[string]any{"name": strings.Repeat("x", 101)}, 422, "invalid_field"},
			{"name not a string", map[string]any{"name": 5}, 422, "invalid_field"},
		} {
			w := f.call(t, f.alice, http.MethodPost, "/api/v1/me/tokens", tc.body)
			wantError(t, w, tc.code, tc.err, "name")
		}
		if l := get[listing](t, f, f.alice, "/api/v1/me/tokens"); len(l.Tokens) != 2 {
			t.Fatalf("rejected token requests made tokens: %d", len(l.Tokens))
		}

		// Bob cannot revoke alice's token: it is not his, so it is not found.
		path := fmt.Sprintf("/api/v1/me/tokens/%d", c.Token.ID)
		wantError(t, f.call(t, f.bob, http.MethodDelete, path, nil), 404, "not_found", "")
		wantStatus(t, f.call(t, newAlice, http.MethodGet, "/api/v1/me", nil), 200)
		wantError(t, f.call(t, f.alice, http.MethodDelete, "/api/v1/me/tokens/abc", nil), 404, "not_found", "")

		w = f.call(t, f.alice, http.MethodDelete, path, nil)
		wantStatus(t, w, http.StatusNoContent)
		wantError(t, f.call(t, newAlice, http.MethodGet, "/api/v1/me", nil), 401, "unauthorized", "")
		wantError(t, f.call(t, f.alice, http.MethodDelete, path, nil), 404, "not_found", "")
		if l := get[listing](t, f, f.alice, "/api/v1/me/tokens"); len(l.Tokens) != 1 {
			t.Fatalf("after revoking, alice lists %d tokens, want 1", len(l.Tokens))
		}
	})
}

func TestServices(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		type listing struct {
			Services []catalog.Service `json:"services"`
		}
		names := func(l listing) []string {
			var out []string
			for _, s := range l.Services {
				out = append(out, s.Name)
			}
			return out
		}
		if got := names(get[listing](t, f, f.alice, "/api/v1/services")); !slices.Equal(got, []string{"Laptops", "Servers"}) {
			t.Errorf("alice sees services %q, want only the live ones", got)
		}
		want := []string{"Data lake", "Laptops", "Servers", "Spare service"}
		for _, u := range []*user{f.agentA, f.admin} {
			if got := names(get[listing](t, f, u, "/api/v1/services")); !slices.Equal(got, want) {
				t.Errorf("%s sees services %q, want %q", u.Name, got, want)
			}
		}

		svc := get[catalog.Service](t, f, f.alice, fmt.Sprintf("/api/v1/services/%d", f.laptops.ID))
		if svc.Name != "Laptops" || svc.Status != catalog.ServiceLive || !slices.Equal(svc.TeamIDs, []int64{f.teamA.ID}) {
			t.Errorf("service %+v", svc)
		}
		pipeline := fmt.Sprintf("/api/v1/services/%d", f.dataLake.ID)
		wantError(t, f.call(t, f.alice, http.MethodGet, pipeline, nil), 404, "not_found", "")
		if got := get[catalog.Service](t, f, f.agentB, pipeline); got.Status != catalog.ServicePipeline {
			t.Errorf("agent reads the pipeline service as %+v", got)
		}
		for _, path := range []string{"/api/v1/services/999999", "/api/v1/services/abc", "/api/v1/services/0", "/api/v1/services/-1"} {
			wantError(t, f.call(t, f.admin, http.MethodGet, path, nil), 404, "not_found", "")
		}
	})
}

func TestRequestTypes(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		type listing struct {
			RequestTypes []catalog.RequestType `json:"request_types"`
		}
		names := func(l listing) []string {
			var out []string
			for _, rt := range l.RequestTypes {
				out = append(out, rt.Name)
			}
			return out
		}
		if got := names(get[listing](t, f, f.alice, "/api/v1/request-types")); !slices.Equal(got, []string{"New laptop"}) {
			t.Errorf("alice sees request types %q, want those of live services", got)
		}
		if got := names(get[listing](t, f, f.agentA, "/api/v1/request-types")); len(got) != 3 {
			t.Errorf("an agent sees request types %q, want all 3", got)
		}
		if got := names(get[listing](t, f, f.agentA, "/api/v1/request-types?service=Data+lake")); !slices.Equal(got, []string{"Data access"}) {
			t.Errorf("request types of Data lake: %q", got)
		}
		if got := names(get[listing](t, f, f.alice, fmt.Sprintf("/api/v1/request-types?service=%d", f.servers.ID))); len(got) != 0 {
			t.Errorf("request types of Servers: %q, want none", got)
		}
		wantError(t, f.call(t, f.alice, http.MethodGet, "/api/v1/request-types?service=Nope", nil), 422, "invalid_field", "service")
		wantError(t, f.call(t, f.alice, http.MethodGet, "/api/v1/request-types?services=Laptops", nil), 400, "unknown_parameter", "services")

		rt := get[catalog.RequestType](t, f, f.alice, fmt.Sprintf("/api/v1/request-types/%d", f.form.ID))
		if rt.Name != "New laptop" || len(rt.Fields) != 2 || !rt.Fields[0].Required || rt.Fields[0].Type != catalog.FieldSelect {
			t.Errorf("request type %+v", rt)
		}
		hidden := fmt.Sprintf("/api/v1/request-types/%d", f.pipelineType.ID)
		wantError(t, f.call(t, f.alice, http.MethodGet, hidden, nil), 404, "not_found", "")
		wantStatus(t, f.call(t, f.agentA, http.MethodGet, hidden, nil), 200)
		wantError(t, f.call(t, f.alice, http.MethodGet, "/api/v1/request-types/424242", nil), 404, "not_found", "")
	})
}

// TestAdminWrites checks what admins configure: a valid write succeeds and
// every invalid one answers the status, code and field at fault.
func TestAdminWrites(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		rtPath := fmt.Sprintf("/api/v1/request-types/%d", f.spareType.ID)
		svcPath := fmt.Sprintf("/api/v1/services/%d", f.spareService.ID)
		membersPath := fmt.Sprintf("/api/v1/teams/%d/members", f.spareTeam.ID)
		selectField := map[string]any{"key": "size", "label": "Size", "type": "select", "options": []string{"S", "M"}}
		tests := []struct {
			name         string
			method, path string
			body         any
			status       int
			code, field  string
		}{
			{"service", "POST", "/api/v1/services", map[string]any{"name": "VPN", "status": "live", "owner_team": "Service Desk", "team_ids": []int64{f.teamB.ID}}, 201, "", ""},
			{"service without name", "POST", "/api/v1/services", map[string]any{"status": "live"}, 422, "required_field", "name"},
			{"service with bad status", "POST", "/api/v1/services", map[string]any{"name": "X", "status": "alive"}, 422, "invalid_field", "status"},
			{"service of unknown team", "POST", "/api/v1/services", map[string]any{"name": "X", "owner_team": "Nobody"}, 422, "invalid_field", "owner_team"},
			{"service of unknown team id", "POST", "/api/v1/services", map[string]any{"name": "X", "owner_team": 987654}, 422, "invalid_field", "owner_team"},
			{"service with unknown team_ids", "POST", "/api/v1/services", map[string]any{"name": "X", "team_ids": []int64{f.teamA.ID, 987654}}, 422, "invalid_field", "team_ids[1]"},
			{"service with wrong owner type", "POST", "/api/v1/services", map[string]any{"name": "X", "owner_team": true}, 422, "invalid_field", "owner_team"},
			{"service named twice", "POST", "/api/v1/services", map[string]any{"name": "laptops"}, 409, "duplicate", "name"},
			{"service update", "PUT", svcPath, map[string]any{"name": "Spare service", "status": "live"}, 200, "", ""},
			{"service update to a taken name", "PUT", svcPath, map[string]any{"name": "Servers"}, 409, "duplicate", "name"},
			{"unknown service update", "PUT", "/api/v1/services/987654", map[string]any{"name": "Nothing"}, 404, "not_found", ""},

			{"request type", "POST", "/api/v1/request-types", map[string]any{"service": "Servers", "name": "Restore a backup", "ticket_type": "service_request", "fields": []any{selectField}}, 201, "", ""},
			{"request type without service", "POST", "/api/v1/request-types", map[string]any{"name": "X", "ticket_type": "incident"}, 422, "required_field", "service"},
			{"request type of unknown service", "POST", "/api/v1/request-types", map[string]any{"service": "Nope", "name": "X", "ticket_type": "incident"}, 422, "invalid_field", "service"},
			{"request type without name", "POST", "/api/v1/request-types", map[string]any{"service": f.servers.ID, "ticket_type": "incident"}, 422, "required_field", "name"},
			{"request type of bad ticket type", "POST", "/api/v1/request-types", map[string]any{"service": f.servers.ID, "name": "X", "ticket_type": "task"}, 422, "invalid_field", "ticket_type"},
			{"request type with a select without options", "POST", "/api/v1/request-types", map[string]any{"service": f.servers.ID, "name": "X", "ticket_type": "incident",
				"fields": []any{map[string]any{"key": "size", "label": "Size", "type": "select"}}}, 422, "invalid_field", "fields[0].options"},
			{"request type with a bad field key", "POST", "/api/v1/request-types", map[string]any{"service": f.servers.ID, "name": "X", "ticket_type": "incident",
				"fields": []any{map[string]any{"key": "Size!", "label": "Size", "type": "text"}}}, 422, "invalid_field", "fields[0].key"},
			{"request type with an unknown field attribute", "POST", "/api/v1/request-types", map[string]any{"service": f.servers.ID, "name": "X", "ticket_type": "incident",
				"fields": []any{map[string]any{"key": "size", "label": "Size", "type": "text", "colour": "red"}}}, 400, "unknown_field", "colour"},
			{"request type named twice", "POST", "/api/v1/request-types", map[string]any{"service": "Laptops", "name": "NEW LAPTOP", "ticket_type": "incident"}, 409, "duplicate", "name"},
			{"request type update", "PUT", rtPath, map[string]any{"service": "Spare service", "name": "Spare request", "ticket_type": "incident", "fields": []any{selectField}}, 200, "", ""},
			{"request type update with a bad form", "PUT", rtPath, map[string]any{"service": "Spare service", "name": "Spare request", "ticket_type": "incident",
				"fields": []any{selectField, selectField}}, 422, "invalid_field", "fields[1].key"},

			{"user", "POST", "/api/v1/users", map[string]any{"email": "Dora@Finance.test", "name": "Dora", "role": "customer", "organization": "finance", "password": "long enough"}, 201, "", ""},
			{"user with a bad email", "POST", "/api/v1/users", map[string]any{"email": "dora", "name": "Dora", "role": "customer"}, 422, "invalid_field", "email"},
			{"user without email", "POST", "/api/v1/users", map[string]any{"name": "Dora", "role": "customer"}, 422, "required_field", "email"},
			{"user without name", "POST", "/api/v1/users", map[string]any{"email": "x@y.test", "role": "customer"}, 422, "required_field", "name"},
			{"user with a bad role", "POST", "/api/v1/users", map[string]any{"email": "x@y.test", "name": "X", "role": "root"}, 422, "invalid_field", "role"},
			{"user with a short password", "POST", "/api/v1/users", map[string]any{"email": "x@y.test", "name": "X", "role": "agent", "password": "short"}, 422, "invalid_field", "password"},
			{"user of an unknown organization", "POST", "/api/v1/users", map[string]any{"email": "x@y.test", "name": "X", "role": "customer", "organization": "Acme"}, 422, "invalid_field", "organization"},
			{"user of an unknown organization id", "POST", "/api/v1/users", map[string]any{"email": "x@y.test", "name": "X", "role": "customer", "organization": 987654}, 422, "invalid_field", "organization"},
			{"user twice", "POST", "/api/v1/users", map[string]any{"email": "ALICE@finance.test", "name": "Alice 2", "role": "customer"}, 409, "duplicate", "email"},

			{"team", "POST", "/api/v1/teams", map[string]any{"name": "Network", "member_ids": []int64{f.agentA.ID, f.admin.ID}}, 201, "", ""},
			{"team without name", "POST", "/api/v1/teams", map[string]any{"name": " "}, 422, "required_field", "name"},
			{"team with a customer", "POST", "/api/v1/teams", map[string]any{"name": "Mixed", "member_ids": []int64{f.agentA.ID, f.alice.ID}}, 422, "invalid_field", "member_ids[1]"},
			{"team with an unknown member", "POST", "/api/v1/teams", map[string]any{"name": "Ghosts", "member_ids": []int64{987654}}, 422, "invalid_field", "member_ids[0]"},
			{"team with members of the wrong type", "POST", "/api/v1/teams", map[string]any{"name": "Ghosts", "member_ids": []string{"anna"}}, 422, "invalid_field", "member_ids"},
			{"team twice", "POST", "/api/v1/teams", map[string]any{"name": "service desk"}, 409, "duplicate", "name"},
			{"team members", "PUT", membersPath, map[string]any{"member_ids": []int64{f.agentB.ID}}, 204, "", ""},
			{"team members with a customer", "PUT", membersPath, map[string]any{"member_ids": []int64{f.bob.ID}}, 422, "invalid_field", "member_ids[0]"},
			{"members of an unknown team", "PUT", "/api/v1/teams/987654/members", map[string]any{"member_ids": []int64{}}, 404, "not_found", ""},

			{"organization", "POST", "/api/v1/organizations", map[string]any{"name": "Legal"}, 201, "", ""},
			{"organization without name", "POST", "/api/v1/organizations", map[string]any{}, 422, "required_field", "name"},
			{"organization with a long name", "POST", "/api/v1/organizations", map[string]any{"name": strings.Repeat("n", 201)}, 422, "invalid_field", "name"},
			{"organization twice", "POST", "/api/v1/organizations", map[string]any{"name": "FINANCE"}, 409, "duplicate", "name"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				w := f.call(t, f.admin, tc.method, tc.path, tc.body)
				if tc.code == "" {
					wantStatus(t, w, tc.status)
					return
				}
				wantError(t, w, tc.status, tc.code, tc.field)
			})
		}

		// The writes that succeeded are visible; the rejected ones left nothing.
		type teams struct {
			Teams []directory.Team `json:"teams"`
		}
		var names []string
		for _, tm := range get[teams](t, f, f.admin, "/api/v1/teams").Teams {
			names = append(names, tm.Name)
			if tm.ID == f.spareTeam.ID && !slices.Equal(tm.MemberIDs, []int64{f.agentB.ID}) {
				t.Errorf("spare team members = %v, want [%d]", tm.MemberIDs, f.agentB.ID)
			}
		}
		if !slices.Equal(names, []string{"Infrastructure", "Network", "Service Desk", "Spare team"}) {
			t.Errorf("teams %q", names)
		}
		type users struct {
			Users []directory.User `json:"users"`
		}
		if got := get[users](t, f, f.agentA, "/api/v1/users?organization=Finance").Users; len(got) != 3 || got[2].Email != "dora@finance.test" {
			t.Errorf("users of Finance: %+v", got)
		}
		if got := get[users](t, f, f.agentA, "/api/v1/users?role=agent").Users; len(got) != 2 {
			t.Errorf("agents: %+v", got)
		}
		wantError(t, f.call(t, f.agentA, http.MethodGet, "/api/v1/users?role=root", nil), 422, "invalid_field", "role")
		// A misspelt filter is refused rather than ignored, which would list everyone.
		wantError(t, f.call(t, f.agentA, http.MethodGet, "/api/v1/users?organisation=Finance", nil), 400, "unknown_parameter", "organisation")
		wantError(t, f.call(t, f.agentA, http.MethodGet, "/api/v1/users?limit=0", nil), 422, "invalid_field", "limit")
		if got := get[users](t, f, f.agentA, "/api/v1/users?limit=2&offset=1").Users; len(got) != 2 {
			t.Errorf("a page of 2 users: %d", len(got))
		}
		u := get[directory.User](t, f, f.agentA, fmt.Sprintf("/api/v1/users/%d", f.bob.ID))
		if u.Email != "bob@sales.test" {
			t.Errorf("user %+v", u)
		}
		wantError(t, f.call(t, f.agentA, http.MethodGet, "/api/v1/users/987654", nil), 404, "not_found", "")
		type services struct {
			Services []catalog.Service `json:"services"`
		}
		for _, svc := range get[services](t, f, f.admin, "/api/v1/services").Services {
			if svc.Name == "VPN" && (svc.OwnerTeamID != f.teamA.ID || !slices.Equal(svc.TeamIDs, []int64{f.teamA.ID, f.teamB.ID})) {
				t.Errorf("VPN service %+v", svc)
			}
			if svc.Name == "X" {
				t.Errorf("a rejected service was saved: %+v", svc)
			}
		}
		// The user's password signs in on the web.
		form := strings.NewReader("email=dora%40finance.test&password=long+enough")
		r := httptest.NewRequest(http.MethodPost, "/login", form)
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		f.h.ServeHTTP(w, r)
		if w.Code != http.StatusSeeOther {
			t.Errorf("the new user signs in with %d, want 303", w.Code)
		}
	})
}

func TestWorkflows(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		type listing struct {
			Workflows []ticket.Workflow `json:"workflows"`
		}
		if got := get[listing](t, f, f.agentB, "/api/v1/workflows").Workflows; len(got) != 4 {
			t.Fatalf("%d workflows, want the 4 defaults", len(got))
		}
		path := fmt.Sprintf("/api/v1/workflows/%d", f.problemWorkflow.ID)
		wf := get[ticket.Workflow](t, f, f.agentA, path)
		if wf.Name != "Problem" || wf.Initial != "Open" {
			t.Fatalf("workflow %+v", wf)
		}
		edit := func(change func(w *ticket.Workflow)) ticket.Workflow {
			w := get[ticket.Workflow](t, f, f.admin, path)
			w.Transitions = slices.Clone(w.Transitions)
			w.Statuses = slices.Clone(w.Statuses)
			change(&w)
			return w
		}
		incident := get[listing](t, f, f.admin, "/api/v1/workflows").Workflows[0]
		tests := []struct {
			name        string
			path        string
			body        any
			status      int
			code, field string
		}{
			{"transition to an unknown status", path, edit(func(w *ticket.Workflow) { w.Transitions[0].To = "Nowhere" }), 422, "invalid_field", "transitions[0].to"},
			{"transition from an unknown status", path, edit(func(w *ticket.Workflow) { w.Transitions[1].From = []string{"Open", "Limbo"} }), 422, "invalid_field", "transitions[1].from"},
			{"transition for nobody", path, edit(func(w *ticket.Workflow) { w.Transitions[2].Roles = nil }), 422, "invalid_field", "transitions[2].roles"},
			{"transition for an unknown role", path, edit(func(w *ticket.Workflow) { w.Transitions[2].Roles = []directory.Role{"root"} }), 422, "invalid_field", "transitions[2].roles"},
			{"duplicate transition id", path, edit(func(w *ticket.Workflow) { w.Transitions[1].ID = w.Transitions[0].ID }), 422, "invalid_field", "transitions[1].id"},
			{"bad category", path, edit(func(w *ticket.Workflow) { w.Statuses[1].Category = "later" }), 422, "invalid_field", "statuses[1].category"},
			{"unknown initial status", path, edit(func(w *ticket.Workflow) { w.Initial = "Limbo" }), 422, "invalid_field", "initial_status"},
			{"no name", path, edit(func(w *ticket.Workflow) { w.Name = " " }), 422, "required_field", "name"},
			{"another ticket type", path, edit(func(w *ticket.Workflow) { w.TicketType = ticket.TypeChange }), 422, "invalid_field", "ticket_type"},
			{"id of another workflow", path, edit(func(w *ticket.Workflow) { w.ID = f.changeWorkflow.ID }), 422, "invalid_field", "id"},
			{"unknown required field", path, edit(func(w *ticket.Workflow) { w.Transitions[0].RequiredFields = []string{"colour"} }), 422, "invalid_field", "transitions[0].required_fields"},
			{"unknown attribute", path, rawJSON(`{"name": "Problem", "colour": "red"}`), 400, "unknown_field", "colour"},
			{"statuses of the wrong type", path, rawJSON(`{"name": "Problem", "statuses": "Open"}`), 422, "invalid_field", "statuses"},
			{"unknown workflow", "/api/v1/workflows/987654", edit(func(w *ticket.Workflow) { w.ID = 0 }), 404, "not_found", ""},
			// Tickets are in Open and Waiting for support: removing a status in use is refused.
			{"removing a status in use", fmt.Sprintf("/api/v1/workflows/%d", incident.ID), func() ticket.Workflow {
				w := incident
				w.Statuses = slices.DeleteFunc(slices.Clone(w.Statuses), func(s ticket.Status) bool { return s.Name == "Open" })
				w.Initial = "In progress"
				w.Transitions = nil
				return w
			}(), 409, "status_in_use", "statuses"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				wantError(t, f.call(t, f.admin, http.MethodPut, tc.path, tc.body), tc.status, tc.code, tc.field)
			})
		}
		if got := get[ticket.Workflow](t, f, f.admin, path); got.Name != "Problem" || len(got.Transitions) != len(wf.Transitions) || got.Transitions[0].To != wf.Transitions[0].To {
			t.Fatalf("a rejected update changed the workflow: %+v", got)
		}

		// A valid edit is saved and answered.
		renamed := edit(func(w *ticket.Workflow) { w.Name = "Problem management"; w.Transitions = w.Transitions[:3] })
		w := f.call(t, f.admin, http.MethodPut, path, renamed)
		wantStatus(t, w, http.StatusOK)
		if got := get[ticket.Workflow](t, f, f.agentA, path); got.Name != "Problem management" || len(got.Transitions) != 3 {
			t.Fatalf("after the update the workflow is %+v", got)
		}
		wantError(t, f.call(t, f.agentA, http.MethodGet, "/api/v1/workflows/987654", nil), 404, "not_found", "")
	})
}
