package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

// cmdbDesk is a desk with the built-in CI types and one of its own,
// Website, whose attributes are of the kinds the built-in ones lack: a
// reference to a server, a person, a boolean.
func cmdbDesk(t *testing.T, s *store.Store) *desk {
	t.Helper()
	d := newDesk(t, s)
	ctx := context.Background()
	if err := s.EnsureDefaultCITypes(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := s.CreateCIType(ctx, d.fixture.Admin, cmdb.CIType{Key: "website", Name: "Website", Description: "A site on the web.",
		Attributes: []cmdb.Attribute{
			{Key: "host", Label: "Host", Type: cmdb.AttrReference, RefType: "server", Help: "The server it runs on."},
			{Key: "webmaster", Label: "Webmaster", Type: cmdb.AttrPerson},
			{Key: "address", Label: "Address", Type: cmdb.AttrURL, Required: true},
			{Key: "public", Label: "Public", Type: cmdb.AttrBoolean},
			{Key: "launched", Label: "Launched", Type: cmdb.AttrDate},
		}})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// cmdbNewCI creates a CI through the store as the fixture's first agent.
func cmdbNewCI(t *testing.T, d *desk, in store.NewCI) cmdb.CI {
	t.Helper()
	ci, err := d.store.CreateCI(context.Background(), d.fixture.Agents[0], in)
	if err != nil {
		t.Fatalf("create CI %s: %v", in.Name, err)
	}
	return ci
}

func cmdbPath(ci cmdb.CI) string { return "/agent/cmdb/" + strconv.FormatInt(ci.ID, 10) }

var cmdbRowID = regexp.MustCompile(`<tr data-ci="(\d+)"`)

// cmdbListed gives the names of the CIs a list page shows, in order.
func cmdbListed(t *testing.T, d *desk, body string) []string {
	t.Helper()
	var out []string
	for _, m := range cmdbRowID.FindAllStringSubmatch(body, -1) {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		ci, err := d.store.CI(context.Background(), n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ci.Name)
	}
	return out
}

func cmdbTeam(t *testing.T, s *store.Store, name string) directory.Team {
	t.Helper()
	teams, err := s.Teams(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range teams {
		if tm.Name == name {
			return tm
		}
	}
	t.Fatalf("no team %s", name)
	return directory.Team{}
}

func TestCMDBList(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := cmdbDesk(t, s)
		infra := cmdbTeam(t, s, "Infrastructure")
		cmdbNewCI(t, d, store.NewCI{Name: "db01", Type: "linux_server", Criticality: "high", OwnerTeamID: infra.ID,
			Attributes: map[string]any{"hostname": "db01.example.com"}})
		cmdbNewCI(t, d, store.NewCI{Name: "web01", Type: "virtual_machine", Attributes: map[string]any{"hostname": "web01.example.com"}})
		cmdbNewCI(t, d, store.NewCI{Name: "lap-1", Type: "laptop", Status: "retired", Criticality: "low"})
		cmdbNewCI(t, d, store.NewCI{Name: "Payments", Type: "application"})

		agent := d.login(t, d.fixture.Agents[0])
		body := incGet(t, agent, "/agent/cmdb", http.StatusOK)
		incContains(t, "the list", body, "1-4 of 4", `href="/agent/cmdb" aria-current="page">CMDB</a>`, "└ Linux server",
			`dependsOn("payments-db")`, `type = Server AND status = Live AND "Operating system" ~ Ubuntu`)
		if got := cmdbListed(t, d, body); !slices.Equal(got, []string{"db01", "lap-1", "Payments", "web01"}) {
			t.Errorf("the list by name: %v", got)
		}
		for _, c := range []struct {
			query string
			want  []string
		}{
			{"type=server", []string{"db01"}}, // its subtypes included
			{"type=hardware", []string{"db01", "lap-1"}},
			{"status=retired", []string{"lap-1"}},
			{"criticality=high", []string{"db01"}},
			{"team=" + strconv.FormatInt(infra.ID, 10), []string{"db01"}},
			{"text=DB0", []string{"db01"}},
			{"text=web01.example.com", []string{"web01"}}, // a unique attribute's value
			{"status=live&type=application", []string{"Payments"}},
			{"sort=name&order=desc", []string{"web01", "Payments", "lap-1", "db01"}},
		} {
			body := incGet(t, agent, "/agent/cmdb?"+c.query, http.StatusOK)
			if got := cmdbListed(t, d, body); !slices.Equal(got, c.want) {
				t.Errorf("?%s: %v, want %v", c.query, got, c.want)
			}
		}
		body = incGet(t, agent, "/agent/cmdb?type=server", http.StatusOK)
		incContains(t, "the type filter", body, `<option value="server" selected>`, "1-1 of 1", `href="/agent/cmdb">Clear</a>`)

		// A query narrows the list, with the filters.
		body = incGet(t, agent, "/agent/cmdb?q="+url.QueryEscape("type = Server OR criticality = low"), http.StatusOK)
		if got := cmdbListed(t, d, body); !slices.Equal(got, []string{"db01", "lap-1"}) {
			t.Errorf("a query: %v", got)
		}
		body = incGet(t, agent, "/agent/cmdb?status=live&q="+url.QueryEscape("type = Server OR criticality = low"), http.StatusOK)
		if got := cmdbListed(t, d, body); !slices.Equal(got, []string{"db01"}) {
			t.Errorf("a query and a filter: %v", got)
		}
		// A query that does not parse is shown next to the query box.
		code, body := agent.get("/agent/cmdb?q=" + url.QueryEscape("type = "))
		if code != http.StatusUnprocessableEntity {
			t.Errorf("a bad query: %d", code)
		}
		incContains(t, "a bad query", body, `id="cmdb-q-error"`, `aria-invalid="true"`, "Correct the query to search.")
		if code, body := agent.get("/agent/cmdb?type=spaceship"); code != http.StatusUnprocessableEntity || !strings.Contains(body, "There is no CI type") {
			t.Errorf("an unknown type: %d", code)
		}

		// Pages of 50.
		for i := range 48 {
			cmdbNewCI(t, d, store.NewCI{Name: fmt.Sprintf("app-%02d", i), Type: "application"})
		}
		body = incGet(t, agent, "/agent/cmdb", http.StatusOK)
		incContains(t, "page 1", body, "1-50 of 52", `href="/agent/cmdb?page=2" rel="next"`)
		body = incGet(t, agent, "/agent/cmdb?page=2", http.StatusOK)
		incContains(t, "page 2", body, "51-52 of 52", `rel="prev"`)
		if got := cmdbListed(t, d, body); !slices.Equal(got, []string{"Payments", "web01"}) {
			t.Errorf("page 2: %v", got)
		}
	})
}

func TestCMDBCreate(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := cmdbDesk(t, s)
		infra := cmdbTeam(t, s, "Infrastructure")
		agent := d.login(t, d.fixture.Agents[0])
		body := incGet(t, agent, "/agent/cmdb/new", http.StatusOK)
		incContains(t, "the type chooser", body, `title="Linux server › Server › Hardware"><span class="muted" aria-hidden="true">└ </span><a href="/agent/cmdb/new?type=linux_server">Linux server</a>`)

		body = incGet(t, agent, "/agent/cmdb/new?type=linux_server", http.StatusOK)
		// Inherited attributes first, under the type that declares them.
		incContains(t, "the form", body, "<legend>Hardware</legend>", "<legend>Server</legend>", "<legend>Linux server</legend>",
			`<label for="ci-attr-hostname"><span class="required">Host name</span>`, "The fully qualified name", `name="attributes.serial_number"`,
			`name="attributes.purchase_date" type="date"`, `name="attributes.cpu_cores" type="number"`, `<option value="production">production</option>`)
		if strings.Index(body, "attributes.serial_number") > strings.Index(body, "attributes.distribution") {
			t.Error("the inherited attributes do not come first")
		}

		form := url.Values{"type": {"linux_server"}, "name": {"db02"}, "status": {"planned"}, "criticality": {"high"},
			"owner_team": {strconv.FormatInt(infra.ID, 10)}, "attributes.distribution": {"Debian"}, "attributes.ip_address": {"10.0.0.300"}}
		body = incPost(t, agent, "/agent/cmdb/new", form, http.StatusUnprocessableEntity)
		incContains(t, "a CI without its host name", body, `<p class="field-error" id="ci-attr-hostname-error">This is required.</p>`,
			`value="db02"`, `value="Debian"`, `value="10.0.0.300"`, `<option value="planned" selected>`)
		form.Set("attributes.hostname", "db02.example.com")
		body = incPost(t, agent, "/agent/cmdb/new", form, http.StatusUnprocessableEntity)
		incContains(t, "a bad IP address", body, `id="ci-attr-ip_address-error">"10.0.0.300" is not an IPv4 or IPv6 address.`, `value="db02.example.com"`)
		if page, _ := s.CIs(context.Background(), store.CIFilter{}); page.Total != 0 {
			t.Fatalf("a refused form saved %d CIs", page.Total)
		}

		form.Set("attributes.ip_address", "10.0.0.30")
		resp := agent.post("/agent/cmdb/new", form)
		body = readBody(t, resp)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.Path, "/agent/cmdb/") {
			t.Fatalf("create: %d at %s", resp.StatusCode, resp.Request.URL)
		}
		incContains(t, "the new CI", body, "CI db02 created.", "Linux server › Server › Hardware", "10.0.0.30", "Debian", "Infrastructure")
		page, _ := s.CIs(context.Background(), store.CIFilter{})
		if page.Total != 1 || page.CIs[0].Status != cmdb.StatusPlanned || page.CIs[0].OwnerTeamID != infra.ID || page.CIs[0].Attributes["hostname"] != "db02.example.com" {
			t.Errorf("saved %+v", page.CIs)
		}

		// A unique value is refused next to its field, naming the CI that has it.
		form.Set("name", "db03")
		body = incPost(t, agent, "/agent/cmdb/new", form, http.StatusConflict)
		incContains(t, "a second db02.example.com", body, `id="ci-attr-hostname-error">CI "db02"`)

		// References and people are chosen from the CIs of the type and the users.
		db := page.CIs[0]
		body = incGet(t, agent, "/agent/cmdb/new?type=website", http.StatusOK)
		incContains(t, "the website form", body, fmt.Sprintf(`<option value="%d">db02 (Linux server)</option>`, db.ID),
			fmt.Sprintf(`<option value="%d">Agent 0 <agent0@fixture.test></option>`, d.fixture.Agents[0].UserID))
		resp = agent.post("/agent/cmdb/new", url.Values{"type": {"website"}, "name": {"shop"}, "status": {"live"}, "criticality": {"medium"},
			"attributes.host": {strconv.FormatInt(db.ID, 10)}, "attributes.webmaster": {strconv.FormatInt(d.fixture.Agents[0].UserID, 10)},
			"attributes.address": {"https://shop.example.com/"}, "attributes.public": {"true"}, "attributes.launched": {"2024-03-01"}})
		body = readBody(t, resp)
		incContains(t, "the website", body, "CI shop created.", fmt.Sprintf(`<a href="/agent/cmdb/%d">db02</a>`, db.ID), "Agent 0",
			`<a href="https://shop.example.com/" rel="noopener noreferrer"`, "<dd><span>Yes</span></dd>", "2024-03-01")
	})
}

func TestCMDBPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := cmdbDesk(t, s)
		ctx := context.Background()
		f := d.fixture
		db := cmdbNewCI(t, d, store.NewCI{Name: "db01", Type: "linux_server", Attributes: map[string]any{"hostname": "db01.example.com"}})
		shop := cmdbNewCI(t, d, store.NewCI{Name: "shop", Type: "website", Attributes: map[string]any{
			"host": db.ID, "webmaster": f.Agents[1].UserID, "address": "https://shop.example.com"}})
		if _, err := s.AddRelationship(ctx, f.Agents[0], shop.ID, "depends_on", db.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LinkServiceCI(ctx, f.Agents[0], f.Services[0].ID, shop.ID); err != nil {
			t.Fatal(err)
		}
		inc := incRaise(t, d, "The shop is down")
		if _, err := s.LinkTicketCI(ctx, f.Agents[0], inc.Key, shop.ID); err != nil {
			t.Fatal(err)
		}
		status := "maintenance"
		if _, err := s.UpdateCI(ctx, f.Agents[1], shop.ID, store.CIPatch{Status: &status, Attributes: map[string]any{"public": true}}); err != nil {
			t.Fatal(err)
		}

		agent := d.login(t, f.Agents[0])
		body := incGet(t, agent, cmdbPath(shop), http.StatusOK)
		incContains(t, "the CI page", body, "<h1>shop</h1>", `cmdb-status-maintenance">maintenance<`, "Criticality",
			fmt.Sprintf(`<dd><a href="/agent/cmdb/%d">db01</a></dd>`, db.ID), `title="agent1@fixture.test">Agent 1<`,
			`<a href="https://shop.example.com" rel="noopener noreferrer" target="_blank">`,
			"<h3>Depends on</h3>", fmt.Sprintf(`<a href="/agent/cmdb/%d">db01</a> <span class="muted">Linux server</span>`, db.ID),
			"Service Desk service", inc.Key, "The shop is down",
			cmdbPath(shop)+"/impact?direction=upstream\">Impact analysis", cmdbPath(shop)+"/impact?direction=downstream\">What it depends on",
			// History, newest first: who, what, from → to.
			`<span class="cmdb-change-field">Status</span>: <span class="cmdb-from">live</span> → <span class="cmdb-to">maintenance</span>`,
			`<span class="cmdb-change-field">Public</span>: <span class="cmdb-from">—</span> → <span class="cmdb-to">Yes</span>`,
			"<strong>Agent 1</strong> changed", "<strong>Agent 0</strong> created the CI", "related it: depends on", "named by ticket",
			"linked the service", `<span class="cmdb-change-field">Host</span>: <span class="cmdb-to">db01</span>`)
		if strings.Index(body, "<strong>Agent 1</strong> changed") > strings.Index(body, "created the CI") {
			t.Error("the history is not newest first")
		}

		body = incGet(t, agent, cmdbPath(db), http.StatusOK)
		incContains(t, "the other end", body, "Linux server › Server › Hardware", "<h3>Is depended on by</h3>",
			fmt.Sprintf(`<a href="/agent/cmdb/%d">shop</a>`, shop.ID), "No catalogue service is built on it.")

		admin := d.login(t, f.Admin)
		body = incGet(t, admin, cmdbPath(shop), http.StatusOK)
		incContains(t, "an admin's CI page", body, fmt.Sprintf(`<a href="/admin/services/%d">Service Desk service</a>`, f.Services[0].ID))
		incGet(t, agent, "/agent/cmdb/999999", http.StatusNotFound)
	})
}

func TestCMDBRelationships(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := cmdbDesk(t, s)
		ctx := context.Background()
		app := cmdbNewCI(t, d, store.NewCI{Name: "CRM", Type: "application"})
		vm := cmdbNewCI(t, d, store.NewCI{Name: "vm1", Type: "virtual_machine", Attributes: map[string]any{"hostname": "vm1.example.com"}})
		dup1 := cmdbNewCI(t, d, store.NewCI{Name: "crm-db", Type: "database"})
		cmdbNewCI(t, d, store.NewCI{Name: "CRM-DB", Type: "database"})

		agent := d.login(t, d.fixture.Agents[0])
		body := incGet(t, agent, cmdbPath(app), http.StatusOK)
		incContains(t, "the add form", body, `<option value="runs_on">runs on</option>`, `<option value="depended_on_by">is depended on by</option>`,
			`<datalist id="rel-ci-list">`, `<option value="vm1" label="Virtual machine">`, fmt.Sprintf(`<option value="#%d" label="crm-db (Database)">`, dup1.ID))

		// By a unique attribute's value: the host name.
		resp := agent.post(cmdbPath(app)+"/relationships", url.Values{"verb": {"runs_on"}, "ci": {"vm1.example.com"}})
		body = readBody(t, resp)
		incContains(t, "related", body, "Related: runs on vm1.", "<h3>Runs on</h3>")

		for _, c := range []struct {
			verb, ci string
			status   int
			want     string
		}{
			{"depends_on", "nothing-like-it", http.StatusUnprocessableEntity, `id="rel-ci-error">No CI is named "nothing-like-it"`},
			{"depends_on", "crm-db", http.StatusUnprocessableEntity, `2 CIs are named "crm-db"`},
			{"depends_on", "CRM", http.StatusUnprocessableEntity, "A CI cannot be related to itself."},
			{"depends_on", "", http.StatusUnprocessableEntity, `id="rel-ci-error">Type the name of a CI, a unique value of it such as its host name, or its #id.`},
			{"likes", "vm1", http.StatusUnprocessableEntity, `id="rel-verb-error">Must be one of depends_on, depended_on_by`},
			{"runs_on", "vm1", http.StatusConflict, `"CRM" runs on "vm1" already`},
		} {
			body := incPost(t, agent, cmdbPath(app)+"/relationships", url.Values{"verb": {c.verb}, "ci": {c.ci}}, c.status)
			incContains(t, c.verb+" "+c.ci, body, c.want, fmt.Sprintf(`name="ci" value="%s"`, c.ci))
		}
		resp = agent.post(cmdbPath(app)+"/relationships", url.Values{"verb": {"depends_on"}, "ci": {fmt.Sprintf("#%d", dup1.ID)}})
		incContains(t, "related by id", readBody(t, resp), "Related: depends on crm-db.", "<h3>Depends on</h3>")

		rels, err := s.Relationships(ctx, app.ID)
		if err != nil || len(rels) != 2 {
			t.Fatalf("relationships %v %v", rels, err)
		}
		i := slices.IndexFunc(rels, func(r cmdb.Relationship) bool { return r.CI.ID == vm.ID })
		resp = agent.post(fmt.Sprintf("%s/relationships/%d/delete", cmdbPath(app), rels[i].ID), url.Values{})
		body = readBody(t, resp)
		incContains(t, "removed", body, "Removed: runs on vm1.", "removed the relationship: runs on")
		if strings.Contains(body, "<h3>Runs on</h3>") {
			t.Error("the removed relationship is still shown")
		}
		if rels, _ := s.Relationships(ctx, vm.ID); len(rels) != 0 {
			t.Errorf("vm1 still has %v", rels)
		}
	})
}

func TestCMDBEditAndDelete(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := cmdbDesk(t, s)
		ctx := context.Background()
		srv := cmdbNewCI(t, d, store.NewCI{Name: "box1", Type: "server", Attributes: map[string]any{
			"hostname": "box1.example.com", "serial_number": "SN-1", "cpu_cores": 8}})
		agent := d.login(t, d.fixture.Agents[0])
		body := incGet(t, agent, cmdbPath(srv)+"/edit", http.StatusOK)
		incContains(t, "the edit form", body, `value="box1.example.com"`, `value="SN-1"`, `name="attributes.cpu_cores" type="number" step="any" value="8"`)

		form := url.Values{"type": {"server"}, "name": {"box1"}, "status": {"live"}, "criticality": {"medium"}, "owner_team": {""},
			"attributes.hostname": {"box1.example.com"}, "attributes.serial_number": {"SN-1"}, "attributes.cpu_cores": {"8"}}
		resp := agent.post(cmdbPath(srv)+"/edit", form)
		incContains(t, "an unchanged form", readBody(t, resp), "Nothing changed.")

		form.Set("name", "box-one")
		form.Set("attributes.serial_number", "")
		form.Set("attributes.cpu_cores", "sixteen")
		body = incPost(t, agent, cmdbPath(srv)+"/edit", form, http.StatusUnprocessableEntity)
		incContains(t, "a bad number", body, `id="ci-attr-cpu_cores-error">"sixteen" is not a number.`, `value="box-one"`)
		form.Set("attributes.cpu_cores", "16")
		resp = agent.post(cmdbPath(srv)+"/edit", form)
		incContains(t, "saved", readBody(t, resp), "CI box-one saved.", `<span class="cmdb-from">8</span> → <span class="cmdb-to">16</span>`,
			`<span class="cmdb-change-field">Serial number</span>: <span class="cmdb-from">SN-1</span> → <span class="cmdb-to">—</span>`)
		got, _ := s.CI(ctx, srv.ID)
		if _, has := got.Attributes["serial_number"]; has || got.Name != "box-one" || got.Attributes["cpu_cores"] != 16.0 {
			t.Errorf("saved %+v", got)
		}

		// Changing the type: the form of the new type, and what it drops.
		body = incGet(t, agent, cmdbPath(srv)+"/edit?type=linux_server", http.StatusOK)
		incContains(t, "a change of type", body, "Saving changes the type from Server to Linux server.", `name="attributes.distribution"`,
			`<input type="hidden" name="type" value="linux_server">`)
		body = incGet(t, agent, cmdbPath(srv)+"/edit?type=application", http.StatusOK)
		incContains(t, "a change to an unrelated type", body, "their values will be dropped: Host name, CPU cores.")
		form.Set("type", "spaceship")
		incContains(t, "an unknown type", incPost(t, agent, cmdbPath(srv)+"/edit", form, http.StatusUnprocessableEntity), `There is no CI type "spaceship".`)
		form.Set("type", "linux_server")
		form.Set("attributes.distribution", "Alma")
		resp = agent.post(cmdbPath(srv)+"/edit", form)
		incContains(t, "the new type", readBody(t, resp), "CI box-one saved.", "Linux server › Server › Hardware", "Alma")

		// Delete: a confirm step first; a CI that tickets name is kept.
		inc := incRaise(t, d, "box-one is slow")
		if _, err := s.LinkTicketCI(ctx, d.fixture.Agents[0], inc.Key, srv.ID); err != nil {
			t.Fatal(err)
		}
		body = incGet(t, agent, cmdbPath(srv)+"/delete", http.StatusOK)
		incContains(t, "the confirm page", body, "Delete box-one?", "Tickets name this CI", inc.Key)
		body = incPost(t, agent, cmdbPath(srv)+"/delete", url.Values{}, http.StatusConflict)
		incContains(t, "a refused delete", body, "Not deleted: Tickets name CI", "retire it instead")

		other := cmdbNewCI(t, d, store.NewCI{Name: "spare", Type: "application"})
		if _, err := s.AddRelationship(ctx, d.fixture.Agents[0], other.ID, "runs_on", srv.ID); err != nil {
			t.Fatal(err)
		}
		body = incGet(t, agent, cmdbPath(other)+"/delete", http.StatusOK)
		incContains(t, "the confirm page", body, "Delete spare?", "with its 1 relationship.", "Delete the CI")
		resp = agent.post(cmdbPath(other)+"/delete", url.Values{})
		body = readBody(t, resp)
		if resp.Request.URL.Path != "/agent/cmdb" {
			t.Fatalf("after delete: %s", resp.Request.URL)
		}
		incContains(t, "the list after delete", body, "CI spare deleted.", "1-1 of 1")
		incGet(t, agent, cmdbPath(other), http.StatusNotFound)
		if rels, _ := s.Relationships(ctx, srv.ID); len(rels) != 0 {
			t.Errorf("box-one still has %v", rels)
		}
	})
}

func TestCMDBAccess(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := cmdbDesk(t, s)
		a := cmdbNewCI(t, d, store.NewCI{Name: "CRM", Type: "application"})
		b := cmdbNewCI(t, d, store.NewCI{Name: "crm-db", Type: "database"})

		customer := d.login(t, d.fixture.Customers[0])
		customer.get("/portal") // a CSRF token, so that only the role is refused
		for _, p := range []string{"/agent/cmdb", "/agent/cmdb/new", cmdbPath(a), cmdbPath(a) + "/edit", cmdbPath(a) + "/delete"} {
			if code, _ := customer.get(p); code != http.StatusNotFound {
				t.Errorf("a customer GET %s: %d", p, code)
			}
		}
		for _, p := range []string{cmdbPath(a) + "/relationships", cmdbPath(a) + "/delete", cmdbPath(a) + "/edit", "/agent/cmdb/new"} {
			resp := customer.post(p, url.Values{"verb": {"depends_on"}, "ci": {"crm-db"}, "type": {"application"}, "name": {"x"}})
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("a customer POST %s: %d", p, resp.StatusCode)
			}
		}

		// Posts without the session's CSRF token are refused.
		agent := d.login(t, d.fixture.Agents[0])
		agent.get(cmdbPath(a))
		for _, p := range []string{cmdbPath(a) + "/relationships", cmdbPath(a) + "/delete", cmdbPath(a) + "/edit"} {
			resp := agent.post(p, url.Values{"verb": {"depends_on"}, "ci": {"crm-db"}, "type": {"application"}, "name": {"forged"},
				"status": {"live"}, "criticality": {"low"}, "csrf_token": {"forged"}})
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s with a forged token: %d", p, resp.StatusCode)
			}
		}
		ctx := context.Background()
		if rels, _ := s.Relationships(ctx, a.ID); len(rels) != 0 {
			t.Errorf("a forged post related %v", rels)
		}
		if got, err := s.CI(ctx, a.ID); err != nil || got.Name != "CRM" {
			t.Errorf("a forged post changed or deleted the CI: %+v %v", got, err)
		}
		if _, err := s.CI(ctx, b.ID); err != nil {
			t.Error(err)
		}
	})
}
