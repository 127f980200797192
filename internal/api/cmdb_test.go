package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/cairn-itsm/cairn/internal/api"
	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

// cmdbReady gives the fixture the built-in CI types.
func (f *fixture) cmdbReady(t *testing.T) {
	t.Helper()
	if err := f.s.EnsureDefaultCITypes(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// freshCI creates an application CI through the store for one call.
func (f *fixture) freshCI(t *testing.T) cmdb.CI {
	t.Helper()
	f.cmdbReady(t)
	ci, err := f.s.CreateCI(context.Background(), f.admin.actor, store.NewCI{Name: f.unique("App"), Type: "application"})
	if err != nil {
		t.Fatal(err)
	}
	return ci
}

// staffWrite is an agent's write: customers are refused by role.
func staffWrite(ok int) [nCallers]int { return [nCallers]int{401, 403, 403, ok, ok, ok} }

// cmdbAccessRows are the rows of the access matrix for the CMDB's routes.
func cmdbAccessRows() map[string]accessRow {
	ci := func(suffix string) func(*testing.T, *fixture, *user) (string, any) {
		return func(t *testing.T, f *fixture, _ *user) (string, any) {
			return fmt.Sprintf("/api/v1/cis/%d%s", f.freshCI(t).ID, suffix), nil
		}
	}
	return map[string]accessRow{
		"GET /api/v1/ci-types": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			f.cmdbReady(t)
			return "/api/v1/ci-types", nil
		}, staffOnly},
		"POST /api/v1/ci-types": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/ci-types", map[string]any{"name": f.unique("Type"), "attributes": []map[string]any{{"key": "room", "type": "text"}}}
		}, adminOnly(201)},
		"GET /api/v1/ci-types/{id}": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			f.cmdbReady(t)
			return "/api/v1/ci-types/linux_server", nil
		}, staffOnly},
		"PUT /api/v1/ci-types/{id}": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			ct, err := f.s.CreateCIType(context.Background(), f.admin.actor, cmdb.CIType{Name: f.unique("Type")})
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("/api/v1/ci-types/%d", ct.ID), map[string]any{"name": ct.Name, "description": "changed"}
		}, adminOnly(200)},
		"GET /api/v1/cis": {fixed("/api/v1/cis", nil), staffOnly},
		"POST /api/v1/cis": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			f.cmdbReady(t)
			return "/api/v1/cis", map[string]any{"name": f.unique("App"), "type": "application"}
		}, staffWrite(201)},
		"GET /api/v1/cis/{id}": {ci(""), staffOnly},
		"PATCH /api/v1/cis/{id}": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return fmt.Sprintf("/api/v1/cis/%d", f.freshCI(t).ID), map[string]any{"status": "maintenance"}
		}, staffWrite(200)},
		"DELETE /api/v1/cis/{id}":            {ci(""), staffWrite(204)},
		"GET /api/v1/cis/{id}/history":       {ci("/history"), staffOnly},
		"GET /api/v1/cis/{id}/relationships": {ci("/relationships"), staffOnly},
		"GET /api/v1/cis/{id}/impact":        {ci("/impact"), staffOnly},
		"GET /api/v1/cis/{id}/services":      {ci("/services"), staffOnly},
		"GET /api/v1/cis/{id}/tickets":       {ci("/tickets"), staffOnly},
		"POST /api/v1/cis/{id}/relationships": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return fmt.Sprintf("/api/v1/cis/%d/relationships", f.freshCI(t).ID), map[string]any{"kind": "depends_on", "ci": f.freshCI(t).ID}
		}, staffWrite(201)},
		"DELETE /api/v1/cis/{id}/relationships/{rel}": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			a, b := f.freshCI(t), f.freshCI(t)
			r, err := f.s.AddRelationship(context.Background(), f.admin.actor, a.ID, "hosts", b.ID)
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("/api/v1/cis/%d/relationships/%d", a.ID, r.ID), nil
		}, staffWrite(204)},
		"GET /api/v1/services/{id}/cis": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return fmt.Sprintf("/api/v1/services/%d/cis", f.laptops.ID), nil
		}, staffOnly},
		"POST /api/v1/services/{id}/cis": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return fmt.Sprintf("/api/v1/services/%d/cis", f.laptops.ID), map[string]any{"ci": f.freshCI(t).ID}
		}, staffWrite(201)},
		"DELETE /api/v1/services/{id}/cis/{ci}": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			c := f.freshCI(t)
			if _, err := f.s.LinkServiceCI(context.Background(), f.admin.actor, f.laptops.ID, c.ID); err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("/api/v1/services/%d/cis/%d", f.laptops.ID, c.ID), nil
		}, staffWrite(204)},
		"GET /api/v1/services/{id}/organizations": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return fmt.Sprintf("/api/v1/services/%d/organizations", f.laptops.ID), nil
		}, staffOnly},
		"PUT /api/v1/services/{id}/organizations": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return fmt.Sprintf("/api/v1/services/%d/organizations", f.spareService.ID), map[string]any{"organization_ids": []int64{f.finance.ID}}
		}, adminOnly(204)},
		"GET /api/v1/tickets/{key}/cis": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/tickets/" + f.aliceTicket.Key + "/cis", nil
		}, ticketStaff(200)},
		"POST /api/v1/tickets/{key}/cis": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/tickets/" + f.freshTicket(t, "incident").Key + "/cis", map[string]any{"ci": f.freshCI(t).ID}
		}, ticketStaff(201)},
		"DELETE /api/v1/tickets/{key}/cis/{id}": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			tk, c := f.freshTicket(t, "incident"), f.freshCI(t)
			if _, err := f.s.LinkTicketCI(context.Background(), f.admin.actor, tk.Key, c.ID); err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("/api/v1/tickets/%s/cis/%d", tk.Key, c.ID), nil
		}, ticketStaff(204)},
		"GET /api/v1/tickets/{key}/impact": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/tickets/" + f.aliceTicket.Key + "/impact", nil
		}, ticketStaff(200)},
		"POST /api/v1/cmdb/import": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			f.cmdbReady(t)
			return "/api/v1/cmdb/import", []map[string]any{{"type": "application", "name": f.unique("Imported")}}
		}, adminOnly(200)},
	}
}

// TestCMDBAccess calls every CMDB route as every kind of caller, as
// TestAccessMatrix does for the others.
func TestCMDBAccess(t *testing.T) {
	t.Parallel()
	rows := cmdbAccessRows()
	roles := api.RouteRoles()
	var patterns []string
	for p, row := range rows {
		least, ok := roles[p]
		if !ok {
			t.Errorf("%q is not a route", p)
			continue
		}
		if least == directory.RoleAdmin && row.want[teamAgent] != 403 || least == directory.RoleAgent && row.want[customer] != 403 {
			t.Errorf("%s: the row lets weaker roles through than the route's least role %s", p, least)
		}
		patterns = append(patterns, p)
	}
	slices.Sort(patterns)
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		callers := f.callers()
		for _, p := range patterns {
			row := rows[p]
			method, _, _ := strings.Cut(p, " ")
			for who, as := range callers {
				path, body := row.prepare(t, f, as)
				w := f.call(t, as, method, path, body)
				if want := row.want[who]; w.Code != want {
					t.Errorf("%s as %s: %d, want %d; body: %s", p, callerNames[who], w.Code, want, truncate(w.Body.String()))
					continue
				}
				switch w.Code {
				case 401:
					checkErrorShape(t, p, w, "unauthorized")
				case 403:
					checkErrorShape(t, p, w, "forbidden")
				case 404:
					checkErrorShape(t, p, w, "not_found")
					if strings.Contains(w.Body.String(), f.aliceTicket.Summary) {
						t.Errorf("%s as %s: the 404 gives the ticket away", p, callerNames[who])
					}
				}
			}
		}
	})
}

func TestCMDBAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		f.cmdbReady(t)
		agent, admin := f.agentA, f.admin

		// Types: listed with their schema; admins define more.
		types := get[struct {
			CITypes []cmdb.CIType `json:"ci_types"`
		}](t, f, agent, "/api/v1/ci-types")
		if len(types.CITypes) != len(cmdb.DefaultTypes()) {
			t.Errorf("%d types", len(types.CITypes))
		}
		w := f.call(t, admin, http.MethodPost, "/api/v1/ci-types", map[string]any{"name": "Blade", "parent": "Server",
			"attributes": []map[string]any{{"key": "chassis", "type": "reference", "ref_type": "Server"}}})
		wantStatus(t, w, http.StatusCreated)
		blade := decode[cmdb.CIType](t, w)
		if blade.Key != "blade" || blade.Parent != "Server" || blade.Attributes[0].RefType != "server" || blade.Schema[len(blade.Schema)-1].DefinedBy != "blade" {
			t.Errorf("blade %+v", blade)
		}
		w = f.call(t, admin, http.MethodPut, "/api/v1/ci-types/server", map[string]any{"name": "Server", "parent": "blade"})
		wantError(t, w, http.StatusUnprocessableEntity, "invalid_field", "parent")
		w = f.call(t, admin, http.MethodPost, "/api/v1/ci-types", map[string]any{"name": "X", "attributes": []map[string]any{{"key": "a", "type": "colour"}}})
		wantError(t, w, http.StatusUnprocessableEntity, "invalid_field", "attributes[0].type")
		w = f.call(t, admin, http.MethodPost, "/api/v1/ci-types", map[string]any{"name": "X", "colour": "red"})
		wantError(t, w, http.StatusBadRequest, "unknown_field", "colour")
		wantError(t, f.call(t, agent, http.MethodGet, "/api/v1/ci-types/toaster", nil), http.StatusNotFound, "not_found", "")

		// CIs: created with normalized values, errors naming the field.
		w = f.call(t, agent, http.MethodPost, "/api/v1/cis", map[string]any{"name": "host1", "type": "linux_server", "owner_team": "Infrastructure",
			"criticality": "high", "attributes": map[string]any{"hostname": "host1.example.com", "ip_address": "10.0.0.1", "cpu_cores": "8"}})
		wantStatus(t, w, http.StatusCreated)
		host := decode[cmdb.CI](t, w)
		if w.Header().Get("Location") != fmt.Sprintf("/api/v1/cis/%d", host.ID) || host.OwnerTeam != "Infrastructure" || host.Attributes["cpu_cores"] != 8.0 {
			t.Errorf("host %+v at %s", host, w.Header().Get("Location"))
		}
		for _, tt := range []struct {
			body        map[string]any
			status      int
			code, field string
		}{
			{map[string]any{"name": "x", "type": "linux_server"}, 422, "required_field", "attributes.hostname"},
			{map[string]any{"name": "x", "type": "linux_server", "attributes": map[string]any{"hostname": "y", "ip_address": "300.0.0.1"}}, 422, "invalid_field", "attributes.ip_address"},
			{map[string]any{"name": "x", "type": "linux_server", "attributes": map[string]any{"hostname": "HOST1.example.com"}}, 409, "duplicate", "attributes.hostname"},
			{map[string]any{"name": "x", "type": "toaster"}, 422, "invalid_field", "type"},
			{map[string]any{"name": "x", "type": "laptop", "owner_team": "Nobody"}, 422, "invalid_field", "owner_team"},
			{map[string]any{"name": "x", "type": "laptop", "attributes": "red"}, 422, "invalid_field", "attributes"},
		} {
			wantError(t, f.call(t, agent, http.MethodPost, "/api/v1/cis", tt.body), tt.status, tt.code, tt.field)
		}
		app := decode[cmdb.CI](t, f.call(t, agent, http.MethodPost, "/api/v1/cis", map[string]any{"name": "CRM", "type": "application"}))
		vm := decode[cmdb.CI](t, f.call(t, agent, http.MethodPost, "/api/v1/cis", map[string]any{"name": "vm1", "type": "virtual_machine", "attributes": map[string]any{"hostname": "vm1"}}))

		page := get[store.CIPage](t, f, agent, "/api/v1/cis?type=server&status=live&text=HOST&sort=name&order=asc&limit=10")
		if page.Total != 1 || page.CIs[0].ID != host.ID {
			t.Errorf("filtered listing %+v", page)
		}
		wantError(t, f.call(t, agent, http.MethodGet, "/api/v1/cis?colour=red", nil), 400, "unknown_parameter", "colour")
		wantError(t, f.call(t, agent, http.MethodGet, "/api/v1/cis?status=broken", nil), 422, "invalid_field", "status")

		w = f.call(t, agent, http.MethodPatch, fmt.Sprintf("/api/v1/cis/%d", host.ID), map[string]any{"owner_team": nil, "attributes": map[string]any{"cpu_cores": nil, "environment": "test"}})
		wantStatus(t, w, http.StatusOK)
		if up := decode[cmdb.CI](t, w); up.OwnerTeamID != 0 || up.Attributes["cpu_cores"] != nil || up.Attributes["environment"] != "test" {
			t.Errorf("patched %+v", up)
		}
		wantError(t, f.call(t, agent, http.MethodPatch, fmt.Sprintf("/api/v1/cis/%d", host.ID), map[string]any{"name": nil}), 422, "invalid_field", "name")
		hist := get[struct{ Events []cmdb.Event }](t, f, agent, fmt.Sprintf("/api/v1/cis/%d/history", host.ID))
		if len(hist.Events) != 2 || hist.Events[1].Type != cmdb.EventUpdated || len(hist.Events[1].Changes) != 3 {
			t.Errorf("history %+v", hist.Events)
		}

		// Relationships from either end; impact upstream through them.
		w = f.call(t, agent, http.MethodPost, fmt.Sprintf("/api/v1/cis/%d/relationships", host.ID), map[string]any{"kind": "hosts", "ci": vm.ID})
		wantStatus(t, w, http.StatusCreated)
		if r := decode[cmdb.Relationship](t, w); r.Verb != cmdb.VerbHosts || r.Kind != cmdb.RelRunsOn || r.CI.ID != vm.ID {
			t.Errorf("relationship %+v", r)
		}
		wantStatus(t, f.call(t, agent, http.MethodPost, fmt.Sprintf("/api/v1/cis/%d/relationships", app.ID), map[string]any{"kind": "runs_on", "ci": vm.ID}), http.StatusCreated)
		wantError(t, f.call(t, agent, http.MethodPost, fmt.Sprintf("/api/v1/cis/%d/relationships", app.ID), map[string]any{"kind": "runs_on", "ci": vm.ID}), 409, "duplicate", "")
		wantError(t, f.call(t, agent, http.MethodPost, fmt.Sprintf("/api/v1/cis/%d/relationships", app.ID), map[string]any{"kind": "likes", "ci": vm.ID}), 422, "invalid_field", "kind")
		rels := get[struct{ Relationships []cmdb.Relationship }](t, f, agent, fmt.Sprintf("/api/v1/cis/%d/relationships", vm.ID))
		if len(rels.Relationships) != 2 {
			t.Errorf("vm relationships %+v", rels)
		}
		wantStatus(t, f.call(t, agent, http.MethodPost, fmt.Sprintf("/api/v1/services/%d/cis", f.laptops.ID), map[string]any{"ci": app.ID}), http.StatusCreated)
		wantStatus(t, f.call(t, admin, http.MethodPut, fmt.Sprintf("/api/v1/services/%d/organizations", f.laptops.ID), map[string]any{"organization_ids": []int64{f.finance.ID}}), http.StatusNoContent)
		wantError(t, f.call(t, admin, http.MethodPut, fmt.Sprintf("/api/v1/services/%d/organizations", f.laptops.ID), map[string]any{"organization_ids": []int64{9999}}), 422, "invalid_field", "organization_ids[0]")

		imp := get[cmdb.Impact](t, f, agent, fmt.Sprintf("/api/v1/cis/%d/impact", host.ID))
		if imp.TotalCIs != 2 || len(imp.Services) != 1 || imp.Services[0].Name != "Laptops" || len(imp.Organizations) != 1 || imp.Organizations[0].Name != "Finance" {
			t.Fatalf("impact %+v", imp)
		}
		var steps []string
		for _, st := range imp.Organizations[0].Path {
			steps = append(steps, st.Label, st.Name)
		}
		if got := strings.TrimSpace(strings.Join(steps, " ")); got != "host1 hosts vm1 hosts CRM supports Laptops serves Finance" {
			t.Errorf("path %q", got)
		}
		down := get[cmdb.Impact](t, f, agent, fmt.Sprintf("/api/v1/cis/%d/impact?direction=downstream&depth=1", app.ID))
		if down.TotalCIs != 1 || down.CIs[0].ID != vm.ID {
			t.Errorf("downstream %+v", down)
		}
		wantError(t, f.call(t, agent, http.MethodGet, fmt.Sprintf("/api/v1/cis/%d/impact?depth=0", app.ID), nil), 422, "invalid_field", "depth")
		wantError(t, f.call(t, agent, http.MethodGet, fmt.Sprintf("/api/v1/cis/%d/impact?direction=up", app.ID), nil), 422, "invalid_field", "direction")
		wantError(t, f.call(t, agent, http.MethodGet, "/api/v1/cis/9999/impact", nil), 404, "not_found", "")

		// Tickets name CIs; their impact shows agents the services and
		// organizations affected.
		key := f.aliceTicket.Key
		wantStatus(t, f.call(t, agent, http.MethodPost, "/api/v1/tickets/"+key+"/cis", map[string]any{"ci": host.ID}), http.StatusCreated)
		wantError(t, f.call(t, agent, http.MethodPost, "/api/v1/tickets/"+key+"/cis", map[string]any{}), 422, "required_field", "ci")
		ti := get[store.TicketImpact](t, f, agent, "/api/v1/tickets/"+key+"/impact")
		if ti.Scope != store.ScopeAffected || len(ti.CIs) != 1 || len(ti.Impact.Organizations) != 1 {
			t.Errorf("ticket impact %+v", ti)
		}
		tks := get[struct{ Tickets []json.RawMessage }](t, f, agent, fmt.Sprintf("/api/v1/cis/%d/tickets", host.ID))
		if len(tks.Tickets) != 1 {
			t.Errorf("tickets of host1: %d", len(tks.Tickets))
		}
		wantError(t, f.call(t, agent, http.MethodDelete, fmt.Sprintf("/api/v1/cis/%d", host.ID), nil), 409, "ci_in_use", "")
		wantStatus(t, f.call(t, agent, http.MethodDelete, fmt.Sprintf("/api/v1/tickets/%s/cis/%d", key, host.ID), nil), http.StatusNoContent)
		wantStatus(t, f.call(t, agent, http.MethodDelete, fmt.Sprintf("/api/v1/cis/%d", host.ID), nil), http.StatusNoContent)
		wantError(t, f.call(t, agent, http.MethodGet, fmt.Sprintf("/api/v1/cis/%d", host.ID), nil), 404, "not_found", "")
	})
}

func TestCMDBImportAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		f.cmdbReady(t)
		csv := "type,name,serial number,hostname,environment\n" +
			"Linux server,web01,SN-1,web01.example.com,production\n" +
			"Linux server,web02,SN-2,web02.example.com,prod\n" +
			"Toaster,t1,,,\n"
		post := func(query, contentType, body string) *reportCall {
			t.Helper()
			w := f.importCall(t, f.admin, query, contentType, body)
			return &reportCall{w.Code, w.Body.String()}
		}
		dry := post("?dry_run=true", "text/csv", csv)
		rep := dry.report(t)
		if rep.Created != 1 || rep.Failed != 2 || rep.Applied || !rep.DryRun {
			t.Errorf("dry run %+v", rep)
		}
		if e := rep.Rows[1].Error; e == nil || e.Field != "attributes.environment" {
			t.Errorf("row 3 error %+v", e)
		}
		if page := get[store.CIPage](t, f, f.admin, "/api/v1/cis"); page.Total != 0 {
			t.Errorf("the dry run wrote %d CIs", page.Total)
		}
		if rep := post("?atomic=true", "text/csv", csv).report(t); rep.Applied || rep.Failed != 2 {
			t.Errorf("atomic %+v", rep)
		}
		first := post("?match=serial_number,name%2Btype", "", csv).report(t)
		if !first.Applied || first.Created != 1 || first.Failed != 2 || !slices.Equal(first.Match, []string{"serial_number", "name+type"}) {
			t.Errorf("first %+v", first)
		}
		again := post("?match=serial_number", "text/csv; charset=utf-8", csv).report(t)
		if again.Unchanged != 1 || again.Created != 0 || again.Rows[0].MatchedBy != "serial_number" {
			t.Errorf("again %+v", again)
		}
		js := `[{"type": "linux_server", "name": "web01", "serial_number": "SN-1", "environment": "staging"}]`
		upd := post("?match=serial_number&format=json", "application/octet-stream", js).report(t)
		if upd.Updated != 1 || len(upd.Rows[0].Changes) != 1 || upd.Rows[0].Changes[0].Field != "attributes.environment" {
			t.Errorf("json update %+v", upd)
		}
		for _, tt := range []struct {
			query, body string
			status      int
			code, field string
		}{
			{"?colour=red", csv, 400, "unknown_parameter", "colour"},
			{"?match=a%2Ba", csv, 422, "invalid_field", "match"},
			{"?dry_run=maybe", csv, 422, "invalid_field", "dry_run"},
			{"?format=xml", csv, 422, "invalid_field", "format"},
			{"", "", 422, "invalid_file", "file"},
			{"?format=json", "[{", 422, "invalid_file", "file"},
		} {
			w := f.importCall(t, f.admin, tt.query, "text/csv", tt.body)
			wantError(t, w, tt.status, tt.code, tt.field)
		}
		wantError(t, f.importCall(t, f.agentA, "", "text/csv", csv), 403, "forbidden", "")
	})
}

// importCall posts a file to the import endpoint with a content type
// ("" for none).
func (f *fixture) importCall(t *testing.T, as *user, query, contentType, body string) *httptest.ResponseRecorder {
	t.Helper()
	return f.call(t, as, http.MethodPost, "/api/v1/cmdb/import"+query, rawJSON(body), func(r *http.Request) {
		if contentType == "" {
			r.Header.Del("Content-Type")
		} else {
			r.Header.Set("Content-Type", contentType)
		}
	})
}

type reportCall struct {
	status int
	body   string
}

func (c *reportCall) report(t *testing.T) cmdb.ImportReport {
	t.Helper()
	if c.status != http.StatusOK {
		t.Fatalf("import: %d %s", c.status, truncate(c.body))
	}
	var rep cmdb.ImportReport
	if err := json.Unmarshal([]byte(c.body), &rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestCMDBOpenAPI checks the CMDB's schemas in the served document against
// the JSON of their Go types, as TestOpenAPISchemasMatchGoTypes does for
// the others.
func TestCMDBOpenAPI(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	w := f.call(t, nil, http.MethodGet, "/api/v1/openapi.json", nil)
	wantStatus(t, w, http.StatusOK)
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `json:"properties"`
				Required   []string       `json:"required"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	// Always present in answers but optional in request bodies.
	optionalOnInput := map[string]bool{"Attribute.label": true, "Attribute.required": true, "Attribute.unique": true}
	for name, v := range map[string]any{
		"CIType": cmdb.CIType{}, "Attribute": cmdb.Attribute{}, "CI": cmdb.CI{}, "CIPage": store.CIPage{}, "CIRef": cmdb.CIRef{},
		"CIChange": cmdb.Change{}, "CIEvent": cmdb.Event{}, "Relationship": cmdb.Relationship{}, "ImpactStep": cmdb.ImpactStep{},
		"ImpactItem": cmdb.ImpactItem{}, "Impact": cmdb.Impact{}, "TicketImpact": store.TicketImpact{}, "ImportError": cmdb.ImportError{},
		"ImportRow": cmdb.ImportRow{}, "ImportReport": cmdb.ImportReport{},
	} {
		schema, ok := doc.Components.Schemas[name]
		if !ok {
			t.Errorf("schema %s is missing", name)
			continue
		}
		var want, got []string
		always := map[string]bool{}
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			fl := typ.Field(i)
			tag, opts, _ := strings.Cut(fl.Tag.Get("json"), ",")
			if !fl.IsExported() || tag == "-" {
				continue
			}
			want = append(want, tag)
			if !strings.Contains(opts, "omitempty") {
				always[tag] = true
			}
		}
		for p := range schema.Properties {
			got = append(got, p)
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("schema %s has properties %v, the Go type %v", name, got, want)
		}
		for _, r := range schema.Required {
			if !always[r] {
				t.Errorf("schema %s requires %s, which the Go type may leave out", name, r)
			}
		}
		for fl := range always {
			if !slices.Contains(schema.Required, fl) && !optionalOnInput[name+"."+fl] {
				t.Errorf("schema %s: %s is always present but not required", name, fl)
			}
		}
	}
}

func TestCMDBQueryAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		f.cmdbReady(t)
		ctx := context.Background()
		ci := func(name, typ string, attrs map[string]any) cmdb.CI {
			t.Helper()
			c, err := s.CreateCI(ctx, f.agentA.actor, store.NewCI{Name: name, Type: typ, Attributes: attrs})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		db := ci("payments-db", "database", nil)
		app := ci("payments-app", "application", nil)
		web := ci("web01", "linux_server", map[string]any{"hostname": "web01.example.com", "operating_system": "Ubuntu 24.04", "cpu_cores": 8})
		ci("web02", "windows_server", map[string]any{"hostname": "web02.example.com", "operating_system": "Windows Server 2022", "cpu_cores": 16})
		for _, r := range []struct {
			from cmdb.CI
			verb string
			to   cmdb.CI
		}{{app, "depends_on", db}, {app, "runs_on", web}, {db, "depends_on", app}} { // a cycle
			if _, err := s.AddRelationship(ctx, f.agentA.actor, r.from.ID, r.verb, r.to.ID); err != nil {
				t.Fatal(err)
			}
		}
		list := func(query string) []string {
			t.Helper()
			page := get[store.CIPage](t, f, f.agentA, "/api/v1/cis?"+query)
			var out []string
			for _, c := range page.CIs {
				out = append(out, c.Name)
			}
			if page.Total != len(out) {
				t.Errorf("%s: total %d, listed %d", query, page.Total, len(out))
			}
			return out
		}
		q := func(s string) string { return "q=" + url.QueryEscape(s) }
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{q(`type = Server AND status = Live AND "Operating system" ~ "ubuntu"`), []string{"web01"}},
			{q(`type = Server ORDER BY "CPU cores" DESC`), []string{"web02", "web01"}},
			{q(`type = Server ORDER BY "CPU cores" DESC`) + "&sort=name", []string{"web01", "web02"}},
			{q(`dependsOn(web01)`), []string{"payments-app", "payments-db"}},
			{q(`dependsOn("payments-db")`), []string{"payments-app"}},
			{q(`dependedOnBy("payments-db")`) + "&type=server", []string{"web01"}},
			{q(`NOT dependsOn(web01)`) + "&text=web", []string{"web01", "web02"}},
		} {
			if got := list(tc.query); !slices.Equal(got, tc.want) {
				t.Errorf("%s: %v, want %v", tc.query, got, tc.want)
			}
		}
		for query, want := range map[string]string{
			q("type = Servr"):               `line 1, column 8: there is no CI type "Servr"; did you mean "Server"?`,
			q("dependsOn(nothing)"):         `line 1, column 11: there is no CI named "nothing"`,
			q("status = live AND\nwhat"):    `line 2, column 1: unknown field "what"`,
			q(`"Operating system" > Linux`): `line 1, column 20: "Operating system" (a text attribute) cannot be compared with >`,
		} {
			w := f.call(t, f.agentA, http.MethodGet, "/api/v1/cis?"+query, nil)
			wantError(t, w, http.StatusUnprocessableEntity, "invalid_field", "q")
			if msg := decode[apiError](t, w).Error.Message; !strings.HasPrefix(msg, want) {
				t.Errorf("%s: %q, want %s", query, msg, want)
			}
		}
		wantError(t, f.call(t, f.alice, http.MethodGet, "/api/v1/cis?"+q("type = Server"), nil), http.StatusForbidden, "forbidden", "")
	})
}
