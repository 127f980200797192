package browsertest

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/store"
)

// TestImpactGraph follows an agent through impact analysis: the graph of
// what fails with a database shows the applications on it, the service
// built on them and the organization it serves, with the path of each in
// the table; a shallower depth drops the far ones; a node opens its CI's
// page. Then the agent links the database to an incident from the ticket
// page and follows the panel's summary to the same graph. The CMDB is made
// here through the store, so that the test does not hang on the demo's.
func TestImpactGraph(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	s, f := d.store, d.fixture
	if err := s.EnsureDefaultCITypes(ctx); err != nil {
		t.Fatal(err)
	}
	mk := func(name, typ, crit string) cmdb.CI {
		ci, err := s.CreateCI(ctx, f.Admin, store.NewCI{Name: name, Type: typ, Criticality: crit})
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		return ci
	}
	db, api, web := mk("orders-db", "database", "critical"), mk("orders-api", "application", "high"), mk("shop-web", "application", "medium")
	for _, r := range [][2]cmdb.CI{{api, db}, {web, api}} {
		if _, err := s.AddRelationship(ctx, f.Admin, r[0].ID, "depends_on", r[1].ID); err != nil {
			t.Fatal(err)
		}
	}
	svc := f.Services[0]
	if _, err := s.LinkServiceCI(ctx, f.Admin, svc.ID, api.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.SetServiceOrganizations(ctx, f.Admin, svc.ID, []int64{f.Customers[0].OrganizationID}); err != nil {
		t.Fatal(err)
	}
	inc, err := s.CreateTicket(ctx, f.Customers[0], store.NewTicket{Type: "incident", Service: svc.Name, Summary: "Orders cannot be placed"})
	if err != nil {
		t.Fatal(err)
	}

	agent := newTab(t, d.srv)
	step := func(name string, fn func(t *testing.T)) {
		t.Helper()
		if !t.Run(name, fn) {
			t.FailNow()
		}
	}
	impactPage := fmt.Sprintf("/agent/cmdb/%d/impact", db.ID)
	nodeNames := `Array.from(document.querySelectorAll("svg.impact-graph g.impact-node .impact-node-name")).map(e => e.textContent).sort().join("|")`

	step("the graph shows what fails with the database", func(t *testing.T) {
		agent.t = t
		agent.signIn(d.email(t, f.Agents[0]), testPassword)
		if code := agent.open(impactPage); code != http.StatusOK {
			t.Fatalf("GET %s: status %d", impactPage, code)
		}
		agent.do("wait for the graph", chromedp.WaitVisible(chromedp.CSS(`svg.impact-graph`)))
		if h := agent.text("main h1"); h != "Impact of orders-db" {
			t.Errorf("heading %q", h)
		}
		if got := agent.text("#impact-counts"); got != "2 CIs, 1 service, 1 organization" {
			t.Errorf("counts %q", got)
		}
		got := run(agent, "read the nodes", chromedp.Evaluate[string](nodeNames))
		if want := strings.Join(sortedNames("orders-db", "orders-api", "shop-web", svc.Name, "Finance"), "|"); got != want {
			t.Errorf("the graph's nodes are %q, want %q", got, want)
		}
		// Drawn, not just present: every node has a size on the screen, the
		// start is coloured by the stylesheet, and the edges reach their nodes.
		if !agent.eval("the nodes are drawn apart", `(() => {
			const boxes = Array.from(document.querySelectorAll("svg.impact-graph g.impact-node rect")).map(r => r.getBoundingClientRect());
			if (boxes.length !== 5 || boxes.some(b => b.width < 100 || b.height < 30)) return false;
			return boxes.every((a, i) => boxes.every((b, j) => i === j || a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top));
		})()`) {
			t.Error("the graph's nodes are missing, too small, or overlap")
		}
		if fill := run(agent, "read the start's colour", chromedp.Evaluate[string](
			`getComputedStyle(document.querySelector("svg.impact-graph g.impact-start rect")).fill`)); fill != "rgb(43, 89, 195)" {
			t.Errorf("the start is filled with %q, want the accent colour from impact.css", fill)
		}
		titles := run(agent, "read the edges' titles", chromedp.Evaluate[[]string](
			`Array.from(document.querySelectorAll("svg.impact-graph g.impact-edge > title")).map(e => e.textContent)`))
		for _, want := range []string{"orders-db is depended on by orders-api", "orders-api is depended on by shop-web", "orders-api supports " + svc.Name, svc.Name + " serves Finance"} {
			if !slices.Contains(titles, want) {
				t.Errorf("no edge says %q; the edges say %q", want, titles)
			}
		}
		if got, want := agent.text(`tr[data-kind="organization"] .impact-path`), "orders-db → is depended on by → orders-api → supports → "+svc.Name+" → serves → Finance"; got != want {
			t.Errorf("the organization's path reads %q, want %q", got, want)
		}
		if got, want := agent.text(fmt.Sprintf(`tr[data-kind="ci"][data-id="%d"] .impact-path`, web.ID)), "orders-db → is depended on by → orders-api → is depended on by → shop-web"; got != want {
			t.Errorf("shop-web's path reads %q, want %q", got, want)
		}
	})

	step("one step leaves out the far application", func(t *testing.T) {
		agent.t = t
		agent.do("choose one step", chromedp.SetValue(chromedp.ID("impact-depth"), "1"))
		if code := agent.submit("show", `form.impact-controls button[type="submit"]`); code != http.StatusOK {
			t.Fatalf("one step: status %d", code)
		}
		if p := agent.path(); p != impactPage+"?direction=upstream&depth=1" {
			t.Errorf("the form went to %s", p)
		}
		if got := agent.text("#impact-counts"); got != "1 CI, 1 service, 1 organization" {
			t.Errorf("counts %q", got)
		}
		got := run(agent, "read the nodes", chromedp.Evaluate[string](nodeNames))
		if want := strings.Join(sortedNames("orders-db", "orders-api", svc.Name, "Finance"), "|"); got != want {
			t.Errorf("with one step the graph's nodes are %q, want %q", got, want)
		}
	})

	step("a node opens its CI", func(t *testing.T) {
		agent.t = t
		node := fmt.Sprintf(`svg.impact-graph a.impact-node-link[href="/agent/cmdb/%d"] rect`, api.ID)
		agent.submit("click orders-api in the graph", node)
		if p := agent.path(); p != fmt.Sprintf("/agent/cmdb/%d", api.ID) {
			t.Errorf("clicking orders-api went to %s", p)
		}
	})

	step("an incident on the database shows what it affects", func(t *testing.T) {
		agent.t = t
		if code := agent.open("/agent/tickets/" + inc.Key); code != http.StatusOK {
			t.Fatalf("the incident's page: status %d", code)
		}
		if got := agent.text("#cis"); !strings.Contains(got, "No CIs linked.") {
			t.Errorf("the panel reads %q before linking", got)
		}
		agent.do("type the database's name", chromedp.SendKeys(chromedp.ID("ci-name"), "orders-db", chromedp.NodeVisible))
		if code := agent.submit("link it", `form.impact-link-form button[type="submit"]`); code != http.StatusOK {
			t.Fatalf("link: status %d", code)
		}
		if got := agent.text("p.flash"); got != "Linked CI orders-db." {
			t.Errorf("flash %q", got)
		}
		if got, want := agent.text("#impact-summary"), "Affected: 1 service ("+svc.Name+"), 1 customer organization (Finance)"; got != want {
			t.Errorf("the summary reads %q, want %q", got, want)
		}
		if code := agent.submit("follow the summary", `#cis a[href$="/impact"]`); code != http.StatusOK {
			t.Fatalf("the ticket's impact: status %d", code)
		}
		if h := agent.text("main h1"); h != "What "+inc.Key+" affects" {
			t.Errorf("heading %q", h)
		}
		got := run(agent, "read the nodes", chromedp.Evaluate[string](nodeNames))
		if want := strings.Join(sortedNames("orders-db", "orders-api", "shop-web", svc.Name, "Finance"), "|"); got != want {
			t.Errorf("the ticket's graph shows %q, want %q", got, want)
		}
	})
}

// sortedNames sorts as JavaScript's default sort does (by UTF-16 code
// units, which for these names is byte order).
func sortedNames(names ...string) []string {
	slices.Sort(names)
	return names
}
