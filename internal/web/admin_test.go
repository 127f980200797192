package web_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// adminSignIn signs in through the real form with the given password and
// lands on next, so that admin tests need no other area's pages.
func adminSignIn(t *testing.T, d *desk, email, password, next string) (*browser, *http.Response) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, base: d.srv.URL, client: &http.Client{Jar: jar}}
	return b, b.post("/login", url.Values{"email": {email}, "password": {password}, "next": {next}})
}

// adminAs signs a fixture user in and opens next.
func adminAs(t *testing.T, d *desk, a directory.Actor, next string) *browser {
	t.Helper()
	u, err := d.store.User(context.Background(), a.UserID)
	if err != nil {
		t.Fatal(err)
	}
	b, resp := adminSignIn(t, d, u.Email, testPassword, next)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != next {
		t.Fatalf("sign in as %s to %s: status %d at %s", u.Email, next, resp.StatusCode, resp.Request.URL.Path)
	}
	return b
}

func adminBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// adminWant checks a response's status and that the page holds each string.
func adminWant(t *testing.T, what string, resp *http.Response, status int, want ...string) string {
	t.Helper()
	body := adminBody(t, resp)
	if resp.StatusCode != status {
		t.Errorf("%s: status %d, want %d", what, resp.StatusCode, status)
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s: want %q in the page", what, w)
		}
	}
	return body
}

// adminFieldError finds the message shown next to the field with error key k.
func adminFieldError(body, k string) string {
	m := regexp.MustCompile(`<p class="field-error" id="err-` + regexp.QuoteMeta(k) + `">([^<]*)</p>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

func TestAdminHiddenFromAgentsAndCustomers(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		f := d.fixture
		wf, _ := s.Workflows(context.Background())
		pages := []string{
			"/admin", "/admin/services", "/admin/services/new", fmt.Sprintf("/admin/services/%d", f.Services[0].ID),
			"/admin/request-types", fmt.Sprintf("/admin/request-types/%d", f.RequestType.ID),
			"/admin/workflows", fmt.Sprintf("/admin/workflows/%d", wf[0].ID),
			"/admin/people", "/admin/people/new", fmt.Sprintf("/admin/people/%d", f.Admin.UserID),
			"/admin/organizations", "/admin/teams",
		}
		for _, a := range []directory.Actor{f.Agents[0], f.Customers[0]} {
			b := adminAs(t, d, a, "/settings/tokens")
			for _, p := range pages {
				if code, _ := b.get(p); code != http.StatusNotFound {
					t.Errorf("%s GET %s: %d, want 404", a.Role, p, code)
				}
			}
			resp := b.post("/admin/services/new", url.Values{"name": {"Sneaky"}})
			adminWant(t, string(a.Role)+" creates a service", resp, http.StatusNotFound)
			resp = b.post(fmt.Sprintf("/admin/people/%d/password", f.Admin.UserID), url.Values{"password": {"takeover123"}, "password_again": {"takeover123"}})
			adminWant(t, string(a.Role)+" sets the admin's password", resp, http.StatusNotFound)
		}
		svcs, _ := s.Services(context.Background(), false)
		if len(svcs) != len(f.Services) {
			t.Errorf("services: %d, want %d", len(svcs), len(f.Services))
		}
		admin, _ := s.User(context.Background(), f.Admin.UserID)
		if _, resp := adminSignIn(t, d, admin.Email, "takeover123", "/settings/tokens"); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("the admin's password was changed by a weaker role")
		}

		// Signed-out visitors are sent to sign in.
		jar, _ := cookiejar.New(nil)
		anon := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := anon.Get(d.srv.URL + "/admin/services")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
			t.Errorf("anonymous /admin/services: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}

func TestAdminOverview(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		b := adminAs(t, d, d.fixture.Admin, "/admin")
		code, body := b.get("/admin")
		if code != http.StatusOK {
			t.Fatalf("GET /admin: %d", code)
		}
		// 1 admin + 2 agents + 20 customers; 2 services, 1 request type,
		// 4 default workflows, 2 organizations, 2 teams.
		for _, want := range []string{
			`<span class="admin-count">2</span> Services`, `<span class="admin-count">1</span> Request types`,
			`<span class="admin-count">4</span> Workflows`, `<span class="admin-count">23</span> People`,
			`<span class="admin-count">2</span> Organizations`, `<span class="admin-count">2</span> Teams`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("overview: want %q", want)
			}
		}
	})
}

func TestAdminServices(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDesk(t, s)
		teams, _ := s.Teams(ctx)
		b := adminAs(t, d, d.fixture.Admin, "/admin/services")
		if code, body := b.get("/admin/services"); code != http.StatusOK || !strings.Contains(body, "Service Desk service") {
			t.Fatalf("service list: %d", code)
		}
		b.get("/admin/services/new")

		// An empty name is refused next to the field, with the rest kept.
		resp := b.post("/admin/services/new", url.Values{"name": {"  "}, "description": {"Kept text"}, "status": {"live"},
			"owner_team_id": {fmt.Sprint(teams[0].ID)}})
		body := adminWant(t, "empty name", resp, http.StatusUnprocessableEntity, "Kept text", `aria-invalid="true" aria-describedby="err-name"`)
		if msg := adminFieldError(body, "name"); msg != "This is required." {
			t.Errorf("empty name: message %q next to the name", msg)
		}
		if !regexp.MustCompile(`<option value="` + fmt.Sprint(teams[0].ID) + `" selected>`).MatchString(body) {
			t.Error("empty name: the owner team was not kept")
		}

		resp = b.post("/admin/services/new", url.Values{"name": {"Printing"}, "description": {"Printers and scanners"}, "status": {"pipeline"},
			"owner_team_id": {fmt.Sprint(teams[0].ID)}, "team_ids": {fmt.Sprint(teams[1].ID)}})
		adminWant(t, "create", resp, http.StatusOK, "Service Printing created.")
		svc, err := s.ServiceByRef(ctx, "Printing")
		if err != nil {
			t.Fatal(err)
		}
		if svc.Status != catalog.ServicePipeline || svc.OwnerTeamID != teams[0].ID || len(svc.TeamIDs) != 2 || svc.Description != "Printers and scanners" {
			t.Errorf("created %+v", svc)
		}

		// A duplicate name is a conflict shown next to the name.
		resp = b.post("/admin/services/new", url.Values{"name": {"printing"}, "status": {"live"}})
		body = adminWant(t, "duplicate", resp, http.StatusConflict)
		if msg := adminFieldError(body, "name"); !strings.Contains(msg, "exists already") {
			t.Errorf("duplicate: message %q", msg)
		}

		resp = b.post(fmt.Sprintf("/admin/services/%d", svc.ID), url.Values{"name": {"Printing"}, "status": {"live"}, "team_ids": {fmt.Sprint(teams[1].ID)}})
		adminWant(t, "update", resp, http.StatusOK, "Service Printing saved.")
		svc, _ = s.Service(ctx, svc.ID)
		if svc.Status != catalog.ServiceLive || svc.OwnerTeamID != 0 || !slices.Equal(svc.TeamIDs, []int64{teams[1].ID}) {
			t.Errorf("updated %+v", svc)
		}
		resp = b.post(fmt.Sprintf("/admin/services/%d", svc.ID), url.Values{"name": {"Printing"}, "status": {"beta"}})
		body = adminWant(t, "bad status", resp, http.StatusUnprocessableEntity)
		if adminFieldError(body, "status") == "" {
			t.Error("bad status: no message next to the status")
		}
		if code, _ := b.get("/admin/services/999999"); code != http.StatusNotFound {
			t.Errorf("unknown service: %d", code)
		}
	})
}

func TestAdminRequestTypeFormBuilder(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDesk(t, s)
		svc := d.fixture.Services[1]
		b := adminAs(t, d, d.fixture.Admin, "/admin/request-types")
		if code, body := b.get(fmt.Sprintf("/admin/request-types/new?service=%d", svc.ID)); code != http.StatusOK ||
			!strings.Contains(body, fmt.Sprintf(`<option value="%d" selected>`, svc.ID)) {
			t.Fatalf("new request type page: %d, service not preselected", code)
		}
		resp := b.post("/admin/request-types/new", url.Values{"service": {fmt.Sprint(svc.ID)}, "name": {""}, "ticket_type": {"service_request"}})
		if body := adminWant(t, "no name", resp, http.StatusUnprocessableEntity); adminFieldError(body, "name") == "" {
			t.Error("no name: no message next to the name")
		}
		resp = b.post("/admin/request-types/new", url.Values{"service": {fmt.Sprint(svc.ID)}, "name": {"New laptop"}, "ticket_type": {"service_request"}})
		adminWant(t, "create", resp, http.StatusOK, "Request type New laptop created.")
		rts, _ := s.RequestTypes(ctx, svc.ID, false)
		if len(rts) != 1 || rts[0].Name != "New laptop" || rts[0].TicketType != "service_request" {
			t.Fatalf("request types of %s: %+v", svc.Name, rts)
		}
		rt := rts[0]
		base := fmt.Sprintf("/admin/request-types/%d", rt.ID)
		if resp.Request.URL.Path != base {
			t.Errorf("after create: at %s, want %s", resp.Request.URL.Path, base)
		}

		add := func(v url.Values) *http.Response {
			t.Helper()
			return b.post(base+"/fields", v)
		}
		adminWant(t, "add text", add(url.Values{"key": {"model"}, "label": {"Model"}, "type": {"text"}, "required": {"on"}, "help": {"As on the sticker"}}), http.StatusOK, "Field Model added.")
		adminWant(t, "add select", add(url.Values{"key": {"size"}, "label": {"Screen size"}, "type": {"select"}, "options": {"13\"\r\n14\"\r\n\r\n16\"\r\n"}}), http.StatusOK, "Field Screen size added.")
		adminWant(t, "add date", add(url.Values{"key": {"needed_by"}, "label": {"Needed by"}, "type": {"date"}}), http.StatusOK)
		adminWant(t, "add multi", add(url.Values{"key": {"extras"}, "label": {"Extras"}, "type": {"multi_select"}, "options": {"Dock\nMouse"}}), http.StatusOK)
		// Options of a type that takes none are dropped, not refused.
		adminWant(t, "add checkbox", add(url.Values{"key": {"agree"}, "label": {"I agree"}, "type": {"checkbox"}, "options": {"stray"}}), http.StatusOK)

		// A select without options is refused next to its options.
		resp = add(url.Values{"key": {"colour"}, "label": {"Colour"}, "type": {"select"}, "options": {"\n  \n"}})
		body := adminWant(t, "select without options", resp, http.StatusUnprocessableEntity, `value="colour"`, `value="Colour"`)
		if msg := adminFieldError(body, "fields[5].options"); !strings.Contains(msg, "needs at least one option") {
			t.Errorf("select without options: message %q next to the options", msg)
		}
		// A duplicate key is refused next to the key.
		resp = add(url.Values{"key": {"model"}, "label": {"Model again"}, "type": {"text"}})
		body = adminWant(t, "duplicate key", resp, http.StatusUnprocessableEntity)
		if msg := adminFieldError(body, "fields[5].key"); !strings.Contains(msg, "used twice") {
			t.Errorf("duplicate key: message %q", msg)
		}
		// Editing a field reports errors at its own index.
		resp = b.post(base+"/fields", url.Values{"was": {"size"}, "key": {"Size!"}, "label": {"Screen size"}, "type": {"select"}, "options": {"13\""}})
		body = adminWant(t, "bad key", resp, http.StatusUnprocessableEntity)
		if adminFieldError(body, "fields[1].key") == "" {
			t.Error("bad key on edit: no message at fields[1].key")
		}
		// A clash with a later field is still reported on the field edited.
		resp = b.post(base+"/fields", url.Values{"was": {"model"}, "key": {"agree"}, "label": {"Model"}, "type": {"text"}})
		body = adminWant(t, "key of a later field", resp, http.StatusUnprocessableEntity, `value="agree"`)
		if msg := adminFieldError(body, "fields[0].key"); !strings.Contains(msg, "used twice") {
			t.Errorf("key of a later field: message %q at fields[0].key", msg)
		}

		got, _ := s.RequestType(ctx, rt.ID)
		want := []catalog.Field{
			{Key: "model", Label: "Model", Type: catalog.FieldText, Required: true, Help: "As on the sticker"},
			{Key: "size", Label: "Screen size", Type: catalog.FieldSelect, Options: []string{`13"`, `14"`, `16"`}},
			{Key: "needed_by", Label: "Needed by", Type: catalog.FieldDate},
			{Key: "extras", Label: "Extras", Type: catalog.FieldMultiSelect, Options: []string{"Dock", "Mouse"}},
			{Key: "agree", Label: "I agree", Type: catalog.FieldCheckbox},
		}
		if fmt.Sprint(got.Fields) != fmt.Sprint(want) {
			t.Fatalf("fields\n got %+v\nwant %+v", got.Fields, want)
		}

		keys := func() []string {
			rt, _ := s.RequestType(ctx, rt.ID)
			var out []string
			for _, f := range rt.Fields {
				out = append(out, f.Key)
			}
			return out
		}
		adminWant(t, "move up", b.post(base+"/fields/move", url.Values{"key": {"agree"}, "dir": {"up"}}), http.StatusOK, "Field I agree moved.")
		if k := keys(); !slices.Equal(k, []string{"model", "size", "needed_by", "agree", "extras"}) {
			t.Errorf("after moving agree up: %v", k)
		}
		b.post(base+"/fields/move", url.Values{"key": {"model"}, "dir": {"down"}})
		if k := keys(); !slices.Equal(k, []string{"size", "model", "needed_by", "agree", "extras"}) {
			t.Errorf("after moving model down: %v", k)
		}
		// Moving past the edge changes nothing.
		adminWant(t, "move first up", b.post(base+"/fields/move", url.Values{"key": {"size"}, "dir": {"up"}}), http.StatusOK)
		if k := keys(); k[0] != "size" {
			t.Errorf("after moving the first up: %v", k)
		}

		// The drag-and-drop endpoint takes a whole order, and only a whole one.
		adminWant(t, "order", b.post(base+"/fields/order", url.Values{"order": {"extras", "agree", "needed_by", "model", "size"}}), http.StatusOK, "Order of the fields saved.")
		if k := keys(); !slices.Equal(k, []string{"extras", "agree", "needed_by", "model", "size"}) {
			t.Errorf("after order: %v", k)
		}
		adminWant(t, "partial order", b.post(base+"/fields/order", url.Values{"order": {"model", "size"}}), http.StatusConflict)
		adminWant(t, "repeated order", b.post(base+"/fields/order", url.Values{"order": {"model", "model", "size", "agree", "extras"}}), http.StatusConflict)
		if k := keys(); !slices.Equal(k, []string{"extras", "agree", "needed_by", "model", "size"}) {
			t.Errorf("a refused order changed the form: %v", k)
		}

		// Edit, then remove.
		adminWant(t, "edit", b.post(base+"/fields", url.Values{"was": {"model"}, "key": {"laptop_model"}, "label": {"Laptop model"}, "type": {"long_text"}}), http.StatusOK, "Field Laptop model saved.")
		adminWant(t, "remove", b.post(base+"/fields/remove", url.Values{"key": {"agree"}}), http.StatusOK, "Field I agree removed.")
		if k := keys(); !slices.Equal(k, []string{"extras", "needed_by", "laptop_model", "size"}) {
			t.Errorf("after edit and remove: %v", k)
		}
		adminWant(t, "remove gone", b.post(base+"/fields/remove", url.Values{"key": {"agree"}}), http.StatusConflict)

		// The page shows the table, the edit panel and the preview.
		code, page := b.get(base + "?edit=size")
		if code != http.StatusOK {
			t.Fatalf("GET %s: %d", base, code)
		}
		for _, want := range []string{`<tr data-key="size" class="admin-editing"`, `Edit field “Screen size”`, `<input type="hidden" name="was" value="size">`,
			`class="admin-preview-field" data-key="needed_by"`, `<option>16&#34;</option>`, `<input type="date" disabled>`} {
			if !strings.Contains(page, want) {
				t.Errorf("request type page: want %q", want)
			}
		}
		// The details form.
		adminWant(t, "details", b.post(base, url.Values{"name": {"New laptop or tablet"}, "ticket_type": {"service_request"}, "description": {"For new hires"}}), http.StatusOK, "Request type New laptop or tablet saved.")
		resp = b.post(base, url.Values{"name": {"New laptop or tablet"}, "ticket_type": {"bug"}})
		if body := adminWant(t, "bad ticket type", resp, http.StatusUnprocessableEntity); adminFieldError(body, "ticket_type") == "" {
			t.Error("bad ticket type: no message")
		}
		got, _ = s.RequestType(ctx, rt.ID)
		if got.Name != "New laptop or tablet" || got.Description != "For new hires" || len(got.Fields) != 4 {
			t.Errorf("after details: %+v", got)
		}
	})
}

func TestAdminWorkflowEditing(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDesk(t, s)
		f := d.fixture
		var wf ticket.Workflow
		wfs, _ := s.Workflows(ctx)
		for _, w := range wfs {
			if w.TicketType == ticket.TypeIncident {
				wf = w
			}
		}
		base := fmt.Sprintf("/admin/workflows/%d", wf.ID)
		b := adminAs(t, d, f.Admin, "/admin/workflows")
		code, page := b.get(base)
		if code != http.StatusOK {
			t.Fatalf("GET %s: %d", base, code)
		}
		for _, want := range []string{"<svg", `class="admin-wf-box admin-wf-to_do admin-wf-initial"`, "Wait for customer", `name="from" value="Pending"`} {
			if !strings.Contains(page, want) {
				t.Errorf("workflow page: want %q", want)
			}
		}

		adminWant(t, "add status", b.post(base+"/statuses", url.Values{"name": {"Triage"}, "category": {"to_do"}}), http.StatusOK, "Status Triage added.")
		n := len(wf.Statuses)
		resp := b.post(base+"/statuses", url.Values{"name": {"triage"}, "category": {"to_do"}})
		body := adminWant(t, "duplicate status", resp, http.StatusUnprocessableEntity, `value="triage"`)
		if msg := adminFieldError(body, fmt.Sprintf("statuses[%d].name", n+1)); !strings.Contains(msg, "listed twice") {
			t.Errorf("duplicate status: message %q", msg)
		}

		resp = b.post(base+"/transitions", url.Values{"name": {"Triage it"}, "from": {"Open"}, "to": {"Triage"},
			"roles": {"agent", "admin"}, "required_fields": {"assignee"}, "custom_fields": {"device"}})
		adminWant(t, "add transition", resp, http.StatusOK, "Transition Triage it added.")
		m := len(wf.Transitions)
		resp = b.post(base+"/transitions", url.Values{"id": {"oops"}, "name": {"Oops"}, "to": {"Nowhere"}, "roles": {"agent"}})
		body = adminWant(t, "transition to nowhere", resp, http.StatusUnprocessableEntity, `value="Oops"`)
		if msg := adminFieldError(body, fmt.Sprintf("transitions[%d].to", m+1)); !strings.Contains(msg, "is not a status") {
			t.Errorf("transition to nowhere: message %q", msg)
		}
		resp = b.post(base+"/transitions", url.Values{"id": {"oops"}, "name": {"Oops"}, "to": {"Triage"}})
		body = adminWant(t, "transition for nobody", resp, http.StatusUnprocessableEntity)
		if adminFieldError(body, fmt.Sprintf("transitions[%d].roles", m+1)) == "" {
			t.Error("transition for nobody: no message next to the roles")
		}

		// Clashes with later items are reported on the item edited.
		resp = b.post(base+"/transitions", url.Values{"was": {"start"}, "id": {"close"}, "name": {"Start work"}, "to": {"In progress"}, "roles": {"agent"}})
		if msg := adminFieldError(adminWant(t, "id of a later transition", resp, http.StatusUnprocessableEntity), "transitions[0].id"); !strings.Contains(msg, "used twice") {
			t.Errorf("id of a later transition: message %q at transitions[0].id", msg)
		}
		resp = b.post(base+"/statuses/edit", url.Values{"was": {"Open"}, "name": {"Closed"}, "category": {"to_do"}})
		if msg := adminFieldError(adminWant(t, "name of a later status", resp, http.StatusUnprocessableEntity), "statuses[0].name"); !strings.Contains(msg, "listed twice") {
			t.Errorf("name of a later status: message %q at statuses[0].name", msg)
		}

		got, _ := s.Workflow(ctx, wf.ID)
		st, ok := got.Status("Triage")
		if !ok || st.Category != ticket.CategoryToDo || len(got.Statuses) != n+1 {
			t.Errorf("statuses after adding Triage: %+v", got.Statuses)
		}
		if len(got.Transitions) != m+1 {
			t.Fatalf("transitions: %d, want %d", len(got.Transitions), m+1)
		}
		tr := got.Transitions[m]
		if tr.ID != "triage_it" || !slices.Equal(tr.From, []string{"Open"}) || tr.To != "Triage" ||
			!slices.Equal(tr.Roles, []directory.Role{directory.RoleAgent, directory.RoleAdmin}) ||
			!slices.Equal(tr.RequiredFields, []string{"assignee", "fields.device"}) {
			t.Errorf("added transition %+v", tr)
		}

		// Edit the transition and rename the status it leads to; the
		// transition follows the rename.
		adminWant(t, "edit transition", b.post(base+"/transitions", url.Values{"was": {"triage_it"}, "id": {"triage_it"}, "name": {"Triage"},
			"to": {"Triage"}, "roles": {"agent"}}), http.StatusOK, "Transition Triage saved.")
		adminWant(t, "rename status", b.post(base+"/statuses/edit", url.Values{"was": {"Triage"}, "name": {"Sorting"}, "category": {"in_progress"}}), http.StatusOK, "Status Sorting saved.")
		got, _ = s.Workflow(ctx, wf.ID)
		if tr := got.Transitions[m]; tr.To != "Sorting" || len(tr.From) != 0 || !slices.Equal(tr.Roles, []directory.Role{directory.RoleAgent}) {
			t.Errorf("after editing and renaming: %+v", tr)
		}
		adminWant(t, "settings", b.post(base, url.Values{"name": {"Incidents"}, "initial_status": {"Sorting"}}), http.StatusOK, "Workflow Incidents saved.")
		resp = b.post(base, url.Values{"name": {"Incidents"}, "initial_status": {"Limbo"}})
		if body := adminWant(t, "bad initial", resp, http.StatusUnprocessableEntity); adminFieldError(body, "initial_status") == "" {
			t.Error("bad initial status: no message")
		}
		// The initial status cannot go.
		resp = b.post(base+"/statuses/remove", url.Values{"name": {"Sorting"}})
		if body := adminWant(t, "remove initial", resp, http.StatusUnprocessableEntity); !strings.Contains(adminFieldError(body, fmt.Sprintf("statuses[%d]", n)), "initial status") {
			t.Error("remove initial: no message on its row")
		}
		b.post(base, url.Values{"name": {"Incidents"}, "initial_status": {"Open"}})

		// A status that tickets are in cannot be removed.
		tk, err := s.CreateTicket(ctx, f.Customers[0], store.NewTicket{Service: fmt.Sprint(f.Services[0].ID), RequestType: fmt.Sprint(f.RequestType.ID), Summary: "Screen flickers"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Transition(ctx, f.Agents[0], tk.Key, store.TransitionInput{To: "start"}); err != nil {
			t.Fatal(err)
		}
		before, _ := s.Workflow(ctx, wf.ID)
		i := slices.IndexFunc(before.Statuses, func(s ticket.Status) bool { return s.Name == "In progress" })
		resp = b.post(base+"/statuses/remove", url.Values{"name": {"In progress"}})
		body = adminWant(t, "remove in use", resp, http.StatusConflict)
		if msg := adminFieldError(body, fmt.Sprintf("statuses[%d]", i)); !strings.Contains(msg, `Tickets are in status "In progress"`) {
			t.Errorf("remove in use: message %q on the row", msg)
		}
		after, _ := s.Workflow(ctx, wf.ID)
		if fmt.Sprint(after) != fmt.Sprint(before) {
			t.Error("a refused removal changed the workflow")
		}
		// Renaming it is refused the same way.
		resp = b.post(base+"/statuses/edit", url.Values{"was": {"In progress"}, "name": {"Working"}, "category": {"in_progress"}})
		body = adminWant(t, "rename in use", resp, http.StatusConflict, `value="Working"`)
		if msg := adminFieldError(body, fmt.Sprintf("statuses[%d]", i)); !strings.Contains(msg, "cannot be renamed") {
			t.Errorf("rename in use: message %q", msg)
		}

		// A status nobody is in goes, with the transitions that lead to it.
		adminWant(t, "remove pending", b.post(base+"/statuses/remove", url.Values{"name": {"Pending"}}), http.StatusOK, "Status Pending removed, with the transitions Pending.")
		got, _ = s.Workflow(ctx, wf.ID)
		if _, ok := got.Status("Pending"); ok || transitionTo(got, "Pending") {
			t.Errorf("Pending still there: %+v", got)
		}
		adminWant(t, "remove transition", b.post(base+"/transitions/remove", url.Values{"id": {"reopen"}}), http.StatusOK, "Transition Reopen removed.")
		got, _ = s.Workflow(ctx, wf.ID)
		if slices.ContainsFunc(got.Transitions, func(t ticket.Transition) bool { return t.ID == "reopen" }) {
			t.Error("reopen still there")
		}
	})
}

func transitionTo(w ticket.Workflow, status string) bool {
	for _, t := range w.Transitions {
		if t.To == status || slices.Contains(t.From, status) {
			return true
		}
	}
	return false
}

func TestAdminPeople(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDesk(t, s)
		f := d.fixture
		orgs, _ := s.Organizations(ctx)
		b := adminAs(t, d, f.Admin, "/admin/people")
		b.get("/admin/people/new")

		resp := b.post("/admin/people/new", url.Values{"name": {"Nina New"}, "email": {"nina@example.test"}, "role": {"customer"},
			"organization": {fmt.Sprint(orgs[0].ID)}, "password": {"short"}})
		body := adminWant(t, "short password", resp, http.StatusUnprocessableEntity, `value="nina@example.test"`, `value="Nina New"`)
		if msg := adminFieldError(body, "password"); !strings.Contains(msg, "at least 8") {
			t.Errorf("short password: message %q", msg)
		}
		if strings.Contains(body, `value="short"`) {
			t.Error("the password was sent back")
		}
		resp = b.post("/admin/people/new", url.Values{"name": {"Nina New"}, "email": {"not an address"}, "role": {"customer"}, "password": {"long enough"}})
		if body := adminWant(t, "bad email", resp, http.StatusUnprocessableEntity); adminFieldError(body, "email") == "" {
			t.Error("bad email: no message")
		}
		resp = b.post("/admin/people/new", url.Values{"name": {"Nina New"}, "email": {"Nina@Example.test"}, "role": {"agent"},
			"organization": {fmt.Sprint(orgs[0].ID)}, "password": {"nina's password"}})
		adminWant(t, "create", resp, http.StatusOK, "Nina New can now sign in as nina@example.test.")
		u, err := s.UserByEmail(ctx, "nina@example.test")
		if err != nil || u.Role != directory.RoleAgent || u.OrganizationID != orgs[0].ID {
			t.Fatalf("created %+v, %v", u, err)
		}
		resp = b.post("/admin/people/new", url.Values{"name": {"Nina Two"}, "email": {"nina@example.test"}, "role": {"agent"}, "password": {"nina's password"}})
		if body := adminWant(t, "duplicate email", resp, http.StatusConflict); !strings.Contains(adminFieldError(body, "email"), "exists already") {
			t.Error("duplicate email: no message next to the email")
		}

		// Nina signs in with the password the admin set.
		nina, resp := adminSignIn(t, d, "nina@example.test", "nina's password", "/settings/tokens")
		adminWant(t, "new user signs in", resp, http.StatusOK, "Nina New")

		// The admin sets a new one; the old one stops working.
		person := fmt.Sprintf("/admin/people/%d", u.ID)
		adminWant(t, "person page", func() *http.Response { r, _ := b.client.Get(b.base + person); return r }(), http.StatusOK, "nina@example.test", "Agent")
		resp = b.post(person+"/password", url.Values{"password": {"brand new pass"}, "password_again": {"brand new pasS"}})
		if body := adminWant(t, "mismatch", resp, http.StatusUnprocessableEntity); adminFieldError(body, "password_again") == "" {
			t.Error("mismatched passwords: no message")
		}
		adminWant(t, "set password", b.post(person+"/password", url.Values{"password": {"brand new pass"}, "password_again": {"brand new pass"}}), http.StatusOK, "New password set.")
		if _, resp := adminSignIn(t, d, "nina@example.test", "nina's password", "/settings/tokens"); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("old password: %d, want 401", resp.StatusCode)
		}
		if _, resp := adminSignIn(t, d, "nina@example.test", "brand new pass", "/settings/tokens"); resp.StatusCode != http.StatusOK {
			t.Errorf("new password: %d", resp.StatusCode)
		}
		_ = nina
		adminWant(t, "password of nobody", b.post("/admin/people/999999/password", url.Values{"password": {"brand new pass"}, "password_again": {"brand new pass"}}), http.StatusNotFound)

		// Filters and pages.
		code, list := b.get("/admin/people?role=agent")
		if code != http.StatusOK || !strings.Contains(list, "Agent 0") || !strings.Contains(list, "Nina New") || strings.Contains(list, "Customer 1") {
			t.Errorf("agents only: %d", code)
		}
		if !strings.Contains(list, "Service Desk") {
			t.Error("agents list does not show teams")
		}
		_, list = b.get(fmt.Sprintf("/admin/people?org=%d", orgs[1].ID))
		if strings.Contains(list, "Customer 0<") || !strings.Contains(list, "Customer 1<") {
			t.Error("organization filter")
		}
		for i := range 40 {
			if _, err := s.CreateUser(ctx, directory.System, store.NewUser{Email: fmt.Sprintf("bulk%02d@example.test", i), Name: fmt.Sprintf("Bulk %02d", i), Role: directory.RoleCustomer}); err != nil {
				t.Fatal(err)
			}
		}
		_, first := b.get("/admin/people")
		_, second := b.get("/admin/people?page=2")
		rows := regexp.MustCompile(`<a href="/admin/people/\d+">`)
		if n1, n2 := len(rows.FindAllString(first, -1)), len(rows.FindAllString(second, -1)); n1 != 50 || n2 != 14 {
			t.Errorf("pages hold %d and %d people, want 50 and 14", n1, n2)
		}
		if !strings.Contains(first, `href="/admin/people?page=2" rel="next"`) || strings.Contains(second, `rel="next"`) || !strings.Contains(second, `rel="prev"`) {
			t.Error("pager links")
		}
	})
}

func TestAdminOrganizationsAndTeams(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDesk(t, s)
		f := d.fixture
		b := adminAs(t, d, f.Admin, "/admin/organizations")
		code, page := b.get("/admin/organizations")
		if code != http.StatusOK || !regexp.MustCompile(`Finance</td>\s*<td><a href="/admin/people\?org=\d+">10<`).MatchString(page) {
			t.Errorf("organizations list: %d, want Finance with 10 members", code)
		}
		adminWant(t, "create org", b.post("/admin/organizations", url.Values{"name": {"Legal"}}), http.StatusOK, "Organization Legal created.", "Legal")
		resp := b.post("/admin/organizations", url.Values{"name": {"legal"}})
		if body := adminWant(t, "duplicate org", resp, http.StatusConflict, `value="legal"`); adminFieldError(body, "name") == "" {
			t.Error("duplicate organization: no message")
		}
		if _, err := s.OrganizationByName(ctx, "Legal"); err != nil {
			t.Error(err)
		}

		b.get("/admin/teams")
		a0, a1 := fmt.Sprint(f.Agents[0].UserID), fmt.Sprint(f.Agents[1].UserID)
		adminWant(t, "create team", b.post("/admin/teams", url.Values{"name": {"Network"}, "member_ids": {a0}}), http.StatusOK, "Team Network created.")
		resp = b.post("/admin/teams", url.Values{"name": {""}, "member_ids": {a1}})
		body := adminWant(t, "team without name", resp, http.StatusUnprocessableEntity)
		if adminFieldError(body, "name") == "" || !strings.Contains(body, `value="`+a1+`" checked`) {
			t.Error("team without name: no message, or the members were not kept")
		}
		team := adminTeamNamed(t, s, "Network")
		if !slices.Equal(team.MemberIDs, []int64{f.Agents[0].UserID}) {
			t.Errorf("created team members %v", team.MemberIDs)
		}
		path := fmt.Sprintf("/admin/teams/%d", team.ID)
		if code, page := b.get(path); code != http.StatusOK || !strings.Contains(page, `value="`+a0+`" checked`) || strings.Contains(page, "Customer 0") {
			t.Errorf("team page: %d; want agent 0 checked and no customers offered", code)
		}
		adminWant(t, "set members", b.post(path+"/members", url.Values{"member_ids": {a1, fmt.Sprint(f.Admin.UserID)}}), http.StatusOK, "Members saved.")
		team = adminTeamNamed(t, s, "Network")
		if !slices.Equal(team.MemberIDs, []int64{f.Admin.UserID, f.Agents[1].UserID}) && !slices.Equal(team.MemberIDs, []int64{f.Agents[1].UserID, f.Admin.UserID}) {
			t.Errorf("members after save: %v", team.MemberIDs)
		}
		// A script may send the CSRF token as a header instead of a field.
		req, _ := http.NewRequest(http.MethodPost, b.base+path+"/members", strings.NewReader(url.Values{"member_ids": {a0, a1}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-CSRF-Token", b.csrf)
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		adminWant(t, "members with a token header", resp, http.StatusOK, "Members saved.")
		if got := adminTeamNamed(t, s, "Network"); len(got.MemberIDs) != 2 || !slices.Contains(got.MemberIDs, f.Agents[0].UserID) {
			t.Errorf("members after a post with a token header: %v", got.MemberIDs)
		}
		b.post(path+"/members", url.Values{"member_ids": {a1, fmt.Sprint(f.Admin.UserID)}})
		// A customer cannot join; nothing changes.
		resp = b.post(path+"/members", url.Values{"member_ids": {a0, fmt.Sprint(f.Customers[0].UserID)}})
		adminWant(t, "customer as member", resp, http.StatusUnprocessableEntity, "customer")
		if got := adminTeamNamed(t, s, "Network"); len(got.MemberIDs) != 2 || slices.Contains(got.MemberIDs, f.Agents[0].UserID) {
			t.Errorf("a refused save changed the members: %v", got.MemberIDs)
		}
		// No boxes checked empties the team.
		b.post(path+"/members", url.Values{})
		if got := adminTeamNamed(t, s, "Network"); len(got.MemberIDs) != 0 {
			t.Errorf("members after emptying: %v", got.MemberIDs)
		}
		if code, _ := b.get("/admin/teams/999999"); code != http.StatusNotFound {
			t.Errorf("unknown team: %d", code)
		}
		if code, page := b.get("/admin/teams"); code != http.StatusOK || !strings.Contains(page, "Network") {
			t.Errorf("teams list: %d", code)
		}
	})
}

func adminTeamNamed(t *testing.T, s *store.Store, name string) directory.Team {
	t.Helper()
	teams, err := s.Teams(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, team := range teams {
		if team.Name == name {
			return team
		}
	}
	t.Fatalf("no team %q", name)
	return directory.Team{}
}

var adminSecret = regexp.MustCompile(`value="(cairn_[A-Za-z0-9_-]+)"`)

func TestSettingsTokens(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDesk(t, s)
		customer := d.fixture.Customers[3]
		b := adminAs(t, d, customer, "/settings/tokens")
		code, page := b.get("/settings/tokens")
		if code != http.StatusOK || !strings.Contains(page, "You have no API tokens.") {
			t.Fatalf("tokens page: %d", code)
		}
		resp := b.post("/settings/tokens", url.Values{"name": {"  "}})
		if body := adminWant(t, "no name", resp, http.StatusUnprocessableEntity); adminFieldError(body, "name") == "" {
			t.Error("token without a name: no message")
		}

		resp = b.post("/settings/tokens", url.Values{"name": {"Sync script"}})
		body := adminWant(t, "create", resp, http.StatusCreated, "Copy it now", "Sync script")
		m := adminSecret.FindStringSubmatch(body)
		if m == nil {
			t.Fatal("the new secret is not on the page")
		}
		secret := m[1]
		toks, _ := s.Tokens(ctx, customer.UserID)
		if len(toks) != 1 || !strings.HasPrefix(secret, toks[0].Prefix) {
			t.Fatalf("tokens %+v", toks)
		}
		// Shown once: the next visit lists it without the secret.
		if _, again := b.get("/settings/tokens"); strings.Contains(again, secret) || !strings.Contains(again, toks[0].Prefix+"…") {
			t.Error("the secret is shown again, or the token is not listed")
		}

		me := func() int {
			req, _ := http.NewRequest(http.MethodGet, d.srv.URL+"/api/v1/me", nil)
			req.Header.Set("Authorization", "Bearer "+secret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && !strings.Contains(string(body), fmt.Sprintf(`"id":%d`, customer.UserID)) {
				t.Errorf("/api/v1/me answered for someone else: %s", body)
			}
			return resp.StatusCode
		}
		if code := me(); code != http.StatusOK {
			t.Fatalf("GET /api/v1/me with the new token: %d", code)
		}

		// Another user cannot revoke it.
		other := adminAs(t, d, d.fixture.Customers[4], "/settings/tokens")
		adminWant(t, "revoke another's", other.post(fmt.Sprintf("/settings/tokens/%d/revoke", toks[0].ID), url.Values{}), http.StatusNotFound)
		if code := me(); code != http.StatusOK {
			t.Fatalf("after another user's revoke: %d", code)
		}

		adminWant(t, "revoke", b.post(fmt.Sprintf("/settings/tokens/%d/revoke", toks[0].ID), url.Values{}), http.StatusOK, "Token revoked.")
		if code := me(); code != http.StatusUnauthorized {
			t.Errorf("GET /api/v1/me with a revoked token: %d, want 401", code)
		}
		if toks, _ := s.Tokens(ctx, customer.UserID); len(toks) != 0 {
			t.Errorf("tokens after revoking: %+v", toks)
		}
	})
}

func TestAdminPostsNeedCSRF(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		d := newDesk(t, s)
		f := d.fixture
		b := adminAs(t, d, f.Admin, "/admin")
		teams, _ := s.Teams(ctx)
		wf, _ := s.Workflows(ctx)
		for _, tc := range []struct {
			path string
			form url.Values
		}{
			{"/admin/services/new", url.Values{"name": {"Forged"}}},
			{fmt.Sprintf("/admin/services/%d", f.Services[0].ID), url.Values{"name": {"Forged"}, "status": {"retired"}}},
			{fmt.Sprintf("/admin/request-types/%d/fields", f.RequestType.ID), url.Values{"key": {"forged"}, "label": {"Forged"}, "type": {"text"}}},
			{fmt.Sprintf("/admin/request-types/%d/fields/remove", f.RequestType.ID), url.Values{"key": {"device"}}},
			{fmt.Sprintf("/admin/workflows/%d/statuses", wf[0].ID), url.Values{"name": {"Forged"}, "category": {"done"}}},
			{"/admin/people/new", url.Values{"name": {"Forged"}, "email": {"forged@example.test"}, "role": {"admin"}, "password": {"forged password"}}},
			{fmt.Sprintf("/admin/people/%d/password", f.Admin.UserID), url.Values{"password": {"forged password"}, "password_again": {"forged password"}}},
			{"/admin/organizations", url.Values{"name": {"Forged"}}},
			{fmt.Sprintf("/admin/teams/%d/members", teams[0].ID), url.Values{}},
			{"/settings/tokens", url.Values{"name": {"Forged"}}},
			{"/admin/organizations", url.Values{"name": {"Forged"}, "csrf_token": {"wrong"}}},
		} {
			resp, err := b.client.PostForm(b.base+tc.path, tc.form)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s without a good token: %d, want 403", tc.path, resp.StatusCode)
			}
		}
		svcs, _ := s.Services(ctx, false)
		svc, _ := s.Service(ctx, f.Services[0].ID)
		rt, _ := s.RequestType(ctx, f.RequestType.ID)
		w0, _ := s.Workflow(ctx, wf[0].ID)
		_, userErr := s.UserByEmail(ctx, "forged@example.test")
		orgs, _ := s.Organizations(ctx)
		teamsAfter, _ := s.Teams(ctx)
		toks, _ := s.Tokens(ctx, f.Admin.UserID)
		if len(svcs) != 2 || svc.Name != f.Services[0].Name || len(rt.Fields) != 1 || len(w0.Statuses) != len(wf[0].Statuses) ||
			userErr == nil || len(orgs) != 2 || len(teamsAfter[0].MemberIDs) == 0 || len(toks) != 0 {
			t.Error("a post without its CSRF token changed something")
		}
		admin, _ := s.User(ctx, f.Admin.UserID)
		if _, resp := adminSignIn(t, d, admin.Email, testPassword, "/admin"); resp.StatusCode != http.StatusOK {
			t.Error("a forged post changed the admin's password")
		}
	})
}
