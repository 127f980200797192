package browsertest

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cairn-itsm/cairn/internal/store"
)

// envQueueShots names a directory where TestQueueJourney leaves
// screenshots of the queue editor, a queue and a ticket's SLA panel, for
// people to look at; without it none are written.
const envQueueShots = "CAIRN_QUEUE_SHOTS"

// TestQueueJourney: an agent makes a queue of urgent tickets in the
// editor, finds its query mistake shown by the field, fixes it, narrows the
// queue with a query in the search box, and opens a ticket with its SLA
// clocks.
func TestQueueJourney(t *testing.T) {
	chromium(t)
	d := newDesk(t)
	ctx := context.Background()
	if err := d.store.EnsureDefaultSLAs(ctx); err != nil {
		t.Fatal(err)
	}
	agent := d.fixture.Agents[0]
	var keys []string
	for _, p := range []string{"Highest", "High", "Low"} {
		tk, err := d.store.CreateTicket(ctx, agent, store.NewTicket{Type: "incident", Service: d.fixture.Services[0].Name,
			Summary: p + " trouble", Priority: p, ReporterID: d.fixture.Customers[0].UserID})
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tk.Key)
	}
	if _, err := d.store.SLATick(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	shots := os.Getenv(envQueueShots)
	shoot := func(tb *tab, name string) {
		if shots == "" {
			return
		}
		png := run(tb, "take a screenshot", chromedp.FullScreenshot(100))
		if err := os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	ag := newTab(t, d.srv)
	ag.do("size the screen", chromedp.EmulateViewport(1440, 900))
	ag.signIn(d.email(t, agent), testPassword)
	ag.do("open the editor from the sidebar",
		chromedp.Click(chromedp.CSS(`.queue-sidebar-links a[href="/agent/queues"]`), chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS(`a[href="/agent/queues/new"]`), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.CSS(`#queue-name`)),
		chromedp.SendKeys(chromedp.CSS(`#queue-name`), "Urgent", chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS(`#queue-query`), "priority >= Hihg AND category != Done", chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS(`input[name="columns"][value="sla"]`), chromedp.NodeVisible),
		chromedp.SetValue(chromedp.CSS(`#queue-sort`), "priority desc"),
		chromedp.SetValue(chromedp.CSS(`#queue-position`), "0"),
	)
	if code := ag.submit("save the queue", `.queue-form button[type="submit"]`); code != http.StatusUnprocessableEntity {
		t.Fatalf("saving a bad query: %d, want 422", code)
	}
	if msg := ag.text(`#queue-err-query`); !strings.Contains(msg, `Line 1, column 13: Hihg is not a priority`) || !strings.HasSuffix(msg, `did you mean "High"?`) {
		t.Errorf("the query's error reads %q", msg)
	}
	if !ag.eval("check the query field is marked", `document.querySelector("#queue-query").getAttribute("aria-invalid") === "true"`) {
		t.Error("the query field is not marked invalid")
	}
	shoot(ag, "queue-editor-error")
	ag.do("fix the query",
		chromedp.SetValue(chromedp.CSS(`#queue-query`), "priority >= High AND category != Done"),
	)
	if code := ag.submit("save the queue", `.queue-form button[type="submit"]`); code != http.StatusOK {
		t.Fatalf("saving the queue: %d", code)
	}
	if p := ag.path(); p != "/agent/queues/urgent" {
		t.Fatalf("after saving the page is %s", p)
	}
	if got := ag.text(`.agent-sidebar li:first-child a`); got != "Urgent 2" {
		t.Errorf("the first queue of the sidebar reads %q", got)
	}
	if got := ag.text(`table[data-rows] tbody tr:first-child .col-key`); got != keys[0] {
		t.Errorf("the queue starts with %s, want the Highest one %s", got, keys[0])
	}
	if got := ag.text(`table[data-rows] thead`); !strings.Contains(got, "SLA") {
		t.Errorf("the queue's columns are %q, without SLA", got)
	}
	shoot(ag, "queue")

	ag.do("search with a query",
		chromedp.SendKeys(chromedp.CSS(`input[data-search]`), "priority = Higest", chromedp.NodeVisible),
	)
	if code := ag.submit("search", `.queue-search button[type="submit"]`); code != http.StatusUnprocessableEntity {
		t.Fatalf("a search with a mistake: %d, want 422", code)
	}
	if msg := ag.text(`#search-error`); !strings.Contains(msg, "Line 1, column 12") {
		t.Errorf("the search error reads %q", msg)
	}
	shoot(ag, "queue-search-error")
	ag.do("correct the search", chromedp.SetValue(chromedp.CSS(`input[data-search]`), "priority = High"))
	ag.submit("search", `.queue-search button[type="submit"]`)
	if got := ag.text(`table[data-rows] tbody`); !strings.Contains(got, keys[1]) || strings.Contains(got, keys[0]) {
		t.Errorf("the search shows %q, want only %s", got, keys[1])
	}

	if code := ag.open("/agent/tickets/" + keys[0]); code != http.StatusOK {
		t.Fatalf("ticket page: %d", code)
	}
	panel := ag.text(`#sla`)
	for _, want := range []string{"Time to first response", "Time to resolution", "on Business hours", "Elapsed"} {
		if !strings.Contains(panel, want) {
			t.Errorf("the SLA panel reads %q, without %q", panel, want)
		}
	}
	shoot(ag, "ticket-sla")
}
