package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

// impactCMDB is a small CMDB with a cycle: payments-api depends on
// payments-db, web-front on payments-api, and payments-db (oddly) on
// web-front; report-job depends on web-front; payments-api runs on vm1.
// The first fixture service is built on payments-api and serves Finance.
type impactCMDB struct {
	db, api, web, report, vm cmdb.CI
}

func newImpactCMDB(t *testing.T, d *desk) impactCMDB {
	t.Helper()
	ctx := context.Background()
	s, f := d.store, d.fixture
	if err := s.EnsureDefaultCITypes(ctx); err != nil {
		t.Fatal(err)
	}
	mk := func(in store.NewCI) cmdb.CI {
		t.Helper()
		ci, err := s.CreateCI(ctx, f.Admin, in)
		if err != nil {
			t.Fatalf("create %s: %v", in.Name, err)
		}
		return ci
	}
	c := impactCMDB{
		db:     mk(store.NewCI{Name: "payments-db", Type: "database", Criticality: "critical"}),
		api:    mk(store.NewCI{Name: "payments-api", Type: "application", Criticality: "high"}),
		web:    mk(store.NewCI{Name: "web-front", Type: "application"}),
		report: mk(store.NewCI{Name: "report-job", Type: "application", Criticality: "low"}),
		vm:     mk(store.NewCI{Name: "vm1", Type: "virtual_machine", Attributes: map[string]any{"hostname": "vm1.example.net"}}),
	}
	for _, r := range []struct {
		from cmdb.CI
		verb string
		to   cmdb.CI
	}{{c.api, "depends_on", c.db}, {c.web, "depends_on", c.api}, {c.db, "depends_on", c.web}, {c.report, "depends_on", c.web}, {c.api, "runs_on", c.vm}} {
		if _, err := s.AddRelationship(ctx, f.Admin, r.from.ID, r.verb, r.to.ID); err != nil {
			t.Fatalf("%s %s %s: %v", r.from.Name, r.verb, r.to.Name, err)
		}
	}
	if _, err := s.LinkServiceCI(ctx, f.Admin, f.Services[0].ID, c.api.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.SetServiceOrganizations(ctx, f.Admin, f.Services[0].ID, []int64{f.Customers[0].OrganizationID}); err != nil {
		t.Fatal(err)
	}
	return c
}

var impactTags = regexp.MustCompile(`<[^>]*>`)

// impactText is what a piece of a page reads as: tags out, spaces folded.
func impactText(s string) string {
	return strings.Join(strings.Fields(impactTags.ReplaceAllString(s, " ")), " ")
}

// impactRow gives the text of the table row of an item, "" when there is none,
// and fails when there are several.
func impactRow(t *testing.T, body, kind string, id int64) string {
	t.Helper()
	re := regexp.MustCompile(fmt.Sprintf(`(?s)<tr data-kind="%s" data-id="%d">(.*?)</tr>`, kind, id))
	m := re.FindAllStringSubmatch(body, -1)
	switch len(m) {
	case 0:
		return ""
	case 1:
		return impactText(m[0][1])
	}
	t.Errorf("%s %d is listed %d times", kind, id, len(m))
	return impactText(m[0][1])
}

// impactSVG gives the page's graph.
func impactSVG(t *testing.T, body string) string {
	t.Helper()
	i, j := strings.Index(body, "<svg class=\"impact-graph\""), strings.Index(body, "</svg>")
	if i < 0 || j < i {
		t.Fatalf("no impact graph in the page")
	}
	return body[i : j+len("</svg>")]
}

func ciPath(id int64) string { return fmt.Sprintf("/agent/cmdb/%d", id) }

func TestImpactPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		c := newImpactCMDB(t, d)
		svc := d.fixture.Services[0]
		agent := d.login(t, d.fixture.Agents[1])

		body := incGet(t, agent, ciPath(c.db.ID)+"/impact", http.StatusOK)
		incContains(t, "the impact page", body, "Impact of payments-db", "3 CIs, 1 service, 1 organization",
			`href="/agent/cmdb/`+fmt.Sprint(c.db.ID)+`">payments-db</a>`, `aria-current="true">Upstream`)
		// Around the cycle, every item once, with the path that explains it.
		for _, tt := range []struct {
			kind string
			id   int64
			want string
		}{
			{"ci", c.api.ID, "payments-api Application · high 1 payments-db → is depended on by → payments-api"},
			{"ci", c.web.ID, "web-front Application · medium 2 payments-db → is depended on by → payments-api → is depended on by → web-front"},
			{"ci", c.report.ID, "report-job Application · low 3 payments-db → is depended on by → payments-api → is depended on by → web-front → is depended on by → report-job"},
			{"service", svc.ID, "Service Desk service Service · live 2 payments-db → is depended on by → payments-api → supports → Service Desk service"},
			{"organization", d.fixture.Customers[0].OrganizationID, "Finance Organization 3 payments-db → is depended on by → payments-api → supports → Service Desk service → serves → Finance"},
		} {
			if got := impactRow(t, body, tt.kind, tt.id); got != tt.want {
				t.Errorf("the row of %s %d reads\n %q\nwant\n %q", tt.kind, tt.id, got, tt.want)
			}
		}
		if got := impactRow(t, body, "ci", c.db.ID); got != "" {
			t.Errorf("the start is listed as reached: %q", got)
		}
		if got := impactRow(t, body, "ci", c.vm.ID); got != "" {
			t.Errorf("vm1 hosts payments-api and does not depend on it, but is listed upstream: %q", got)
		}
		svg := impactSVG(t, body)
		incContains(t, "the graph", svg, `role="img"`, `<title id="impact-graph-title">Impact graph of payments-db</title>`, `<desc id="impact-graph-desc">`,
			fmt.Sprintf(`data-key="ci:%d" data-column="0"`, c.db.ID), fmt.Sprintf(`data-key="ci:%d" data-column="1"`, c.api.ID),
			fmt.Sprintf(`data-key="ci:%d" data-column="2"`, c.web.ID), fmt.Sprintf(`data-key="ci:%d" data-column="3"`, c.report.ID),
			fmt.Sprintf(`data-key="service:%d" data-column="2"`, svc.ID), fmt.Sprintf(`data-key="organization:%d" data-column="3"`, d.fixture.Customers[0].OrganizationID),
			`<a href="`+ciPath(c.web.ID)+`" class="impact-node-link">`, "<title>payments-api supports Service Desk service</title>",
			"<title>web-front is depended on by report-job</title>")
		if n := strings.Count(svg, `<g class="impact-node `); n != 6 {
			t.Errorf("the graph draws %d nodes, want 6", n)
		}
		if n := strings.Count(svg, `<g class="impact-edge"`); n != 5 {
			t.Errorf("the graph draws %d edges, want 5", n)
		}
		// An agent has no page for a service; an admin has.
		incLacks(t, "an agent's graph", svg, "/admin/services/")
		admin := d.login(t, d.fixture.Admin)
		incContains(t, "an admin's graph", impactSVG(t, incGet(t, admin, ciPath(c.db.ID)+"/impact", http.StatusOK)),
			fmt.Sprintf(`<a href="/admin/services/%d" class="impact-node-link">`, svc.ID))

		// One step: only what depends on payments-db directly, and the
		// service built on it.
		body = incGet(t, agent, ciPath(c.db.ID)+"/impact?depth=1", http.StatusOK)
		incContains(t, "one step", body, "1 CI, 1 service, 1 organization", `<option value="1" selected>1 step</option>`)
		if impactRow(t, body, "ci", c.api.ID) == "" || impactRow(t, body, "ci", c.web.ID) != "" {
			t.Error("one step should list payments-api and not web-front")
		}
		incLacks(t, "the one-step graph", impactSVG(t, body), fmt.Sprintf(`data-key="ci:%d"`, c.web.ID))
		body = incGet(t, agent, ciPath(c.report.ID)+"/impact?depth=4", http.StatusOK)
		incContains(t, "a depth typed in", body, `<option value="4" selected>4 steps</option>`, "Nothing depends on report-job within 4 steps.")
		incLacks(t, "nothing to draw", body, "<svg")

		// Downstream: what payments-api needs, around the cycle back to it.
		body = incGet(t, agent, ciPath(c.api.ID)+"/impact?direction=downstream", http.StatusOK)
		incContains(t, "downstream", body, "3 CIs", `aria-current="true">Downstream`)
		incLacks(t, "downstream", body, "1 service", `id="impact-services"`)
		for _, tt := range []struct {
			id   int64
			want string
		}{
			{c.db.ID, "payments-api → depends on → payments-db"},
			{c.vm.ID, "payments-api → runs on → vm1"},
			{c.web.ID, "payments-api → depends on → payments-db → depends on → web-front"},
		} {
			if got := impactRow(t, body, "ci", tt.id); !strings.HasSuffix(got, tt.want) {
				t.Errorf("downstream row of %d reads %q, want the path %q", tt.id, got, tt.want)
			}
		}

		// Bad parameters are said on the page.
		for q, want := range map[string]string{
			"direction=sideways": "Direction must be upstream or downstream.",
			"depth=0":            "Depth must be a number of steps from 1 to 100, or all.",
			"depth=deep":         "Depth must be a number of steps from 1 to 100, or all.",
		} {
			body = incGet(t, agent, ciPath(c.db.ID)+"/impact?"+q, http.StatusUnprocessableEntity)
			incContains(t, q, body, `<p class="error" role="alert">`+want, "Impact of payments-db", `name="depth"`)
			incLacks(t, q, body, "<svg")
		}
		incGet(t, agent, "/agent/cmdb/999999/impact", http.StatusNotFound)
		incGet(t, agent, "/agent/cmdb/db/impact", http.StatusNotFound)

		customer := d.login(t, d.fixture.Customers[0])
		if code, body := customer.get(ciPath(c.db.ID) + "/impact"); code != http.StatusNotFound || strings.Contains(body, "payments-api") {
			t.Errorf("a customer on the impact page: %d", code)
		}
	})
}

func TestImpactTicketPanel(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		c := newImpactCMDB(t, d)
		ctx := context.Background()
		f := d.fixture
		inc := incRaise(t, d, "Payments fail")
		agent := d.login(t, f.Agents[0])
		page := impactTicketPath(inc.Key)

		body := incGet(t, agent, page, http.StatusOK)
		incContains(t, "the incident's panel", body, "Configuration items", "No CIs linked.", `action="`+page+`/cis"`)

		// The name is resolved on the server: none, several or one.
		for typed, want := range map[string]string{
			"":          "Type the name of a CI, a unique value of it such as its host name, or its #id.",
			"mainframe": `No CI is named "mainframe" or has it as a host name`,
			"payments":  `2 CIs match "payments": payments-api (Application, #`,
		} {
			body = incPost(t, agent, page+"/cis", url.Values{"ci": {typed}}, http.StatusUnprocessableEntity)
			incContains(t, fmt.Sprintf("linking %q", typed), body, `<p class="field-error" id="ci-name-error">`+want, `value="`+typed+`"`, `aria-invalid="true" aria-describedby="ci-name-error"`)
		}
		if cis, _ := s.TicketCIs(ctx, f.Admin, inc.Key); len(cis) != 0 {
			t.Fatalf("refused links linked %v", cis)
		}
		// A unique value finds the CI as well as its name does.
		body = incPost(t, agent, page+"/cis", url.Values{"ci": {"vm1.example.net"}}, http.StatusOK)
		incContains(t, "linked by host name", body, "Linked CI vm1.")
		body = incPost(t, agent, page+"/cis", url.Values{"ci": {"PAYMENTS-DB"}}, http.StatusOK)
		incContains(t, "linked", body, "Linked CI payments-db.", `href="`+ciPath(c.db.ID)+`">payments-db</a>`,
			"Affected: 1 service (Service Desk service), 1 customer organization (Finance)", `href="`+page+`/impact">Show what is affected`)
		body = incPost(t, agent, page+"/cis", url.Values{"ci": {"payments-db"}}, http.StatusConflict)
		incContains(t, "linked twice", body, inc.Key+` names CI "payments-db" already.`)

		body = incGet(t, agent, page+"/impact", http.StatusOK)
		incContains(t, "the ticket's impact page", body, "What "+inc.Key+" affects", "From the CIs it names:", "3 CIs, 1 service, 1 organization")
		svg := impactSVG(t, body)
		incContains(t, "the ticket's graph", svg, fmt.Sprintf(`data-key="ci:%d" data-column="0"`, c.db.ID), fmt.Sprintf(`data-key="ci:%d" data-column="0"`, c.vm.ID))
		if got := impactRow(t, body, "service", f.Services[0].ID); !strings.HasSuffix(got, "payments-db → is depended on by → payments-api → supports → Service Desk service") {
			t.Errorf("the service's row reads %q", got)
		}
		incContains(t, "one step of the ticket's impact", incGet(t, agent, page+"/impact?depth=1", http.StatusOK), "1 CI, 1 service, 1 organization")
		incContains(t, "a bad depth", incGet(t, agent, page+"/impact?depth=-2", http.StatusUnprocessableEntity), "Depth must be a number of steps")

		body = incPost(t, agent, fmt.Sprintf("%s/cis/%d/delete", page, c.db.ID), url.Values{}, http.StatusOK)
		incContains(t, "unlinked", body, "Unlinked CI payments-db.", `href="`+ciPath(c.vm.ID)+`">vm1</a>`,
			"Affected: 1 service (Service Desk service), 1 customer organization (Finance)")
		incLacks(t, "unlinked", body, `href="`+ciPath(c.db.ID)+`">payments-db</a>`)
		body = incPost(t, agent, fmt.Sprintf("%s/cis/%d/delete", page, c.db.ID), url.Values{}, http.StatusOK)
		incContains(t, "unlinked twice", body, "That CI is not linked to "+inc.Key+".")
		body = incPost(t, agent, fmt.Sprintf("%s/cis/%d/delete", page, c.vm.ID), url.Values{}, http.StatusOK)
		incContains(t, "all unlinked", body, "No CIs linked.")
		incContains(t, "the impact page without CIs", incGet(t, agent, page+"/impact", http.StatusOK), inc.Key+" names no CIs yet")

		// A change shows its blast radius.
		start := time.Now().Add(48 * time.Hour)
		ch, err := s.CreateChange(ctx, f.Admin, store.NewChange{Service: f.Services[0].Name, Summary: "Upgrade the payments database", PlannedStart: start, PlannedEnd: start.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		cpage := impactTicketPath(ch.Ticket.Key)
		body = incPost(t, agent, cpage+"/cis", url.Values{"ci": {"payments-db"}}, http.StatusOK)
		incContains(t, "the change's panel", body, "Linked CI payments-db.", "Blast radius: 3 CIs, 1 service, 1 organization", "Show the blast radius")
		incContains(t, "the change's impact page", incGet(t, agent, cpage+"/impact", http.StatusOK), "Blast radius of "+ch.Ticket.Key)

		// Customers see none of it, even on their own ticket.
		customer := d.login(t, f.Customers[0])
		for _, path := range []string{page + "/impact", cpage + "/impact"} {
			if code, _ := customer.get(path); code != http.StatusNotFound {
				t.Errorf("a customer on %s: %d", path, code)
			}
		}
		customer.get("/portal")
		if resp := customer.post(page+"/cis", url.Values{"ci": {"payments-db"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("a customer linking a CI: %d", resp.StatusCode)
		}
		if resp := customer.post(fmt.Sprintf("%s/cis/%d/delete", cpage, c.db.ID), url.Values{}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("a customer unlinking a CI: %d", resp.StatusCode)
		}

		// A form without the session's token is refused, and changes nothing.
		if resp := agent.post(page+"/cis", url.Values{"ci": {"payments-db"}, "csrf_token": {"forged"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a forged token linking: %d", resp.StatusCode)
		}
		if resp := agent.post(fmt.Sprintf("%s/cis/%d/delete", cpage, c.db.ID), url.Values{"csrf_token": {"forged"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a forged token unlinking: %d", resp.StatusCode)
		}
		if cis, _ := s.TicketCIs(ctx, f.Admin, inc.Key); len(cis) != 0 {
			t.Errorf("the forged link went through: %v", cis)
		}
		if cis, _ := s.TicketCIs(ctx, f.Admin, ch.Ticket.Key); len(cis) != 1 {
			t.Errorf("the forged unlink went through: %v", cis)
		}
	})
}

func impactTicketPath(key string) string { return "/agent/tickets/" + key }
