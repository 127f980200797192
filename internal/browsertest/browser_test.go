package browsertest

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/demo"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

// TestRequestJourney follows one request from the portal to the workspace
// and back: a customer raises it (getting a field wrong first), an agent of
// the service's team takes it, answers and resolves it, the customer sees
// the answer, and a customer of another organization cannot see it at all.
// The steps share the request, so each runs only if the one before passed.
func TestRequestJourney(t *testing.T) {
	chromium(t)
	d := newDesk(t)
	ctx := context.Background()
	f := d.fixture
	customer, agent, outsider := f.Customers[0], f.Agents[0], f.Customers[1]
	if customer.OrganizationID == outsider.OrganizationID {
		t.Fatal("the fixture's first two customers should be in different organizations")
	}
	rt, err := d.store.CreateRequestType(ctx, directory.System, catalog.RequestType{
		ServiceID: f.Services[0].ID, Name: "Lost or broken device", TicketType: "incident",
		Description: "Tell us which device and what happened to it.",
		Fields: []catalog.Field{
			{Key: "asset_tag", Label: "Asset tag", Type: catalog.FieldText, Required: true, Help: "On the sticker under the device."},
			{Key: "device", Label: "Device", Type: catalog.FieldSelect, Options: []string{"Laptop", "Phone", "Desktop"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}

	const (
		summary = "Laptop screen cracked"
		details = "Dropped it on the train this morning; the left half of the screen is black."
		reply   = "A replacement laptop is ready at the service desk, floor 2."
	)
	var key string // the request, once raised
	cust := newTab(t, d.srv)

	step := func(name string, fn func(t *testing.T)) {
		t.Helper()
		if !t.Run(name, fn) {
			t.FailNow()
		}
	}

	step("customer raises a request", func(t *testing.T) {
		cust.t = t
		cust.signIn(d.email(t, customer), testPassword)
		if p := cust.path(); p != "/portal" {
			t.Fatalf("a customer lands on %s after signing in, want /portal", p)
		}
		cust.do("choose the request type",
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`.portal-types a[href="/portal/new/%d"]`, rt.ID)), chromedp.NodeVisible),
			chromedp.WaitVisible(chromedp.ID("f-asset_tag")),
		)
		if h := cust.text("main h1"); h != rt.Name {
			t.Errorf("form heading %q, want %q", h, rt.Name)
		}

		// An asset tag of blanks gets past the browser's own check of the
		// required field, so that the server's is the one that answers.
		cust.do("fill in the form with a blank asset tag",
			chromedp.SendKeys(chromedp.ID("summary"), summary, chromedp.NodeVisible),
			chromedp.SendKeys(chromedp.ID("f-asset_tag"), "   ", chromedp.NodeVisible),
			chromedp.SetValue(chromedp.ID("f-device"), "Laptop"),
			chromedp.SendKeys(chromedp.ID("description"), details, chromedp.NodeVisible),
		)
		if code := cust.submit("send the form", `form.portal-form button[type="submit"]`); code != http.StatusUnprocessableEntity {
			t.Fatalf("a blank required field: status %d, want 422", code)
		}
		if msg := cust.text("#f-asset_tag-error"); !strings.Contains(msg, "Asset tag") || !strings.Contains(msg, "required") {
			t.Errorf("the asset tag's error says %q, want it to say the asset tag is required", msg)
		}
		if !cust.eval("the error sits with its field", `(() => {
			const input = document.getElementById("f-asset_tag"), err = document.getElementById("f-asset_tag-error");
			return input.closest(".portal-field") === err.closest(".portal-field") &&
				input.getAttribute("aria-invalid") === "true" &&
				input.getAttribute("aria-describedby").split(" ").includes("f-asset_tag-error");
		})()`) {
			t.Error("the asset tag's error is not next to its field, or the field is not marked invalid and described by it")
		}
		if s := cust.text(".portal-problems"); !strings.Contains(s, "Asset tag") {
			t.Errorf("the summary of problems above the form says %q, want the asset tag named", s)
		}
		if !cust.eval("count the errors", `document.querySelectorAll(".field-error").length === 1`) {
			t.Error("other fields show errors too; only the asset tag is wrong")
		}
		for sel, want := range map[string]string{"#summary": summary, "#description": details, "#f-device": "Laptop"} {
			if got := cust.value(sel); got != want {
				t.Errorf("after the error %s holds %q, want the submitted %q", sel, got, want)
			}
		}

		cust.do("correct the asset tag",
			chromedp.Clear(chromedp.ID("f-asset_tag")),
			chromedp.SendKeys(chromedp.ID("f-asset_tag"), "LT-0042", chromedp.NodeVisible),
		)
		if code := cust.submit("send the corrected form", `form.portal-form button[type="submit"]`); code != http.StatusOK {
			t.Fatalf("the corrected form: status %d, want 200 after the redirect", code)
		}
		p := cust.path()
		key = strings.TrimPrefix(p, "/portal/requests/")
		if key == p || key == "" {
			t.Fatalf("after sending the form the customer is on %s, want the request's page", p)
		}
		if got := cust.text(".portal-request-head .portal-key"); got != key {
			t.Errorf("the page shows key %q, want %q", got, key)
		}
		if got := cust.text("p.flash"); got != "Request "+key+" raised" {
			t.Errorf("flash %q, want %q", got, "Request "+key+" raised")
		}
		if got := cust.text(".portal-request-head h1"); got != summary {
			t.Errorf("request heading %q, want %q", got, summary)
		}
		if got := cust.text(".portal-status .badge"); got != "Open" {
			t.Errorf("status %q, want Open", got)
		}
		if got := cust.text(".portal-values"); !strings.Contains(got, "LT-0042") || !strings.Contains(got, "Laptop") {
			t.Errorf("the request's answers read %q, want the asset tag and the device", got)
		}
		tk, err := d.store.Ticket(ctx, customer, key)
		if err != nil {
			t.Fatalf("the store has no %s for its reporter: %v", key, err)
		}
		if tk.Summary != summary || tk.Fields["asset_tag"] != "LT-0042" || tk.RequestTypeID != rt.ID {
			t.Errorf("stored %s: summary %q, fields %v, request type %d", key, tk.Summary, tk.Fields, tk.RequestTypeID)
		}
	})

	step("agent answers and resolves it", func(t *testing.T) {
		ag := newTab(t, d.srv)
		ag.signIn(d.email(t, agent), testPassword)
		if p := ag.path(); !strings.HasPrefix(p, "/agent") {
			t.Fatalf("an agent lands on %s after signing in, want the workspace", p)
		}
		row := fmt.Sprintf(`table[data-rows] tr[data-key=%q]`, key)
		ag.do("find the request in the Unassigned queue",
			chromedp.Click(chromedp.CSS(`.agent-sidebar a[href="/agent/queues/unassigned"]`), chromedp.NodeVisible),
			chromedp.WaitVisible(chromedp.CSS(row)),
		)
		if h := ag.text("#queue-title"); h != "Unassigned" {
			t.Errorf("queue heading %q, want Unassigned", h)
		}
		if s := ag.text(row + " .col-summary"); s != summary {
			t.Errorf("the row of %s shows %q, want %q", key, s, summary)
		}
		ag.do("open the ticket",
			chromedp.Click(chromedp.CSS(row+" a[data-row-link]"), chromedp.NodeVisible),
			chromedp.WaitVisible(chromedp.CSS("#agent-ticket .agent-ticket-head h1")),
		)
		if p := ag.path(); p != "/agent/tickets/"+key {
			t.Fatalf("the row opened %s, want /agent/tickets/%s", p, key)
		}
		if got := ag.text(".agent-ticket-head h1"); got != summary {
			t.Errorf("ticket heading %q, want %q", got, summary)
		}

		if code := ag.submit("assign it to themself", `form:has(> input[name="assignee"][value="me"]) button[type="submit"]`); code != http.StatusOK {
			t.Fatalf("assign to me: status %d", code)
		}
		if got := ag.text("p.flash"); got != "Assigned to you." {
			t.Errorf("after assigning, flash %q", got)
		}
		if got := ag.text(".agent-ticket-head"); !strings.Contains(got, "Assigned to Agent 0") {
			t.Errorf("the ticket's head reads %q, want it assigned to Agent 0", got)
		}

		ag.do("write a public reply",
			chromedp.WaitVisible(chromedp.CSS(`#reply input[name="visibility"][value="public"]:checked`)),
			chromedp.SendKeys(chromedp.ID("reply-body"), reply, chromedp.NodeVisible),
		)
		if code := ag.submit("send the reply", `#reply button[type="submit"]`); code != http.StatusOK {
			t.Fatalf("reply: status %d", code)
		}
		if got := ag.text("p.flash"); got != "Reply sent to the customer." {
			t.Errorf("after replying, flash %q", got)
		}
		ag.waitText(`[data-live-part="comments"] article.comment`, reply)

		resolve := `details.agent-transition:has(input[name="to"][value="resolve"])`
		ag.do("open the Resolve form",
			chromedp.Click(chromedp.CSS(resolve+" > summary"), chromedp.NodeVisible),
			chromedp.WaitVisible(chromedp.ID("tr-resolve-resolution")),
			chromedp.SetValue(chromedp.ID("tr-resolve-resolution"), "Fixed"),
		)
		if code := ag.submit("resolve", resolve+` button[type="submit"]`); code != http.StatusOK {
			t.Fatalf("resolve: status %d", code)
		}
		if got := ag.text("p.flash"); got != key+" is now Resolved." {
			t.Errorf("after resolving, flash %q", got)
		}
		if got := ag.text(".agent-ticket-head .badge"); got != "Resolved" {
			t.Errorf("status badge %q, want Resolved", got)
		}
		tk, err := d.store.Ticket(ctx, agent, key)
		if err != nil {
			t.Fatal(err)
		}
		if tk.Status != "Resolved" || tk.Resolution != "Fixed" || tk.AssigneeID != agent.UserID {
			t.Errorf("stored %s: status %q, resolution %q, assignee %d; want Resolved, Fixed, %d", key, tk.Status, tk.Resolution, tk.AssigneeID, agent.UserID)
		}
	})

	step("customer sees the answer", func(t *testing.T) {
		cust.t = t
		if code := cust.open("/portal/requests/" + key); code != http.StatusOK {
			t.Fatalf("the request's page: status %d", code)
		}
		if got := cust.text(".portal-status .badge"); got != "Resolved" {
			t.Errorf("status %q, want Resolved", got)
		}
		if got := cust.text(".portal-status"); !strings.Contains(got, "Fixed") {
			t.Errorf("status line %q, want the resolution Fixed", got)
		}
		comment := cust.text(".portal-conversation article.comment")
		if !strings.Contains(comment, reply) || !strings.Contains(comment, "Agent 0") {
			t.Errorf("the conversation reads %q, want Agent 0's reply %q", comment, reply)
		}
	})

	step("customer of another organization gets 404", func(t *testing.T) {
		other := newTab(t, d.srv)
		other.signIn(d.email(t, outsider), testPassword)
		if code := other.open("/portal/requests/" + key); code != http.StatusNotFound {
			t.Errorf("another organization's customer opens %s: status %d, want 404", key, code)
		}
		if got := other.text("main h1"); got != "Not found" {
			t.Errorf("heading %q, want Not found", got)
		}
		if got := other.text("main"); !strings.Contains(got, "There is nothing here, or it is not yours to see.") {
			t.Errorf("the 404 page reads %q", got)
		}
		if page := other.text("body"); strings.Contains(page, summary) || strings.Contains(page, reply) {
			t.Error("the 404 page shows the request's text")
		}
		// The same with the browser's session cookie over plain HTTP.
		if code, body := get(t, d.srv.URL, "/portal/requests/"+key, other.cookies()); code != http.StatusNotFound || strings.Contains(body, summary) {
			t.Errorf("GET with the outsider's cookie: status %d (want 404), request text shown: %v", code, strings.Contains(body, summary))
		}
	})
}

// TestLiveUpdates checks that workspace pages follow changes made elsewhere
// (here, straight through the store, as another process on the same
// database would) without being reloaded.
func TestLiveUpdates(t *testing.T) {
	chromium(t)
	d := newDesk(t)
	ctx := context.Background()
	f := d.fixture
	customer, agent := f.Customers[2], f.Agents[0]
	raise := func(summary string) string {
		t.Helper()
		tk, err := d.store.CreateTicket(ctx, customer, store.NewTicket{
			Service: f.Services[0].Name, Type: "incident", Summary: summary, Description: "Raised by the live-update test.",
		})
		if err != nil {
			t.Fatal(err)
		}
		return tk.Key
	}
	key := raise("Printer on floor 3 jams")

	ag := newTab(t, d.srv)
	ag.signIn(d.email(t, agent), testPassword)

	// A mark in the page's window: a reload would lose it.
	const marked = `window.cairnTestMark === true`
	setMark := chromedp.Evaluate[chromedp.Void](`window.cairnTestMark = true`)

	t.Run("ticket page shows a new comment", func(t *testing.T) {
		ag.t = t
		if code := ag.open("/agent/tickets/" + key); code != http.StatusOK {
			t.Fatalf("the ticket page: status %d", code)
		}
		ag.do("wait for the page to go live", waitLive("#agent-ticket"), setMark)
		if got := ag.text(`#agent-ticket [data-live-status]`); got != "Live" {
			t.Errorf("live status %q, want Live", got)
		}
		const body = "It jams on every second page, even with new paper."
		if _, err := d.store.AddComment(ctx, customer, key, body, false); err != nil {
			t.Fatal(err)
		}
		ag.waitText(`[data-live-part="comments"] article.comment`, body)
		if got := ag.text(`[data-live-part="comments"] article.comment`); !strings.Contains(got, "Customer 2") {
			t.Errorf("the new comment reads %q, want its author Customer 2", got)
		}
		ag.waitText(`[data-live-part="history"]`, "replied")
		if !ag.eval("check the page was not reloaded", marked) {
			t.Error("the page was reloaded to show the comment")
		}
	})

	t.Run("queue shows a new ticket", func(t *testing.T) {
		ag.t = t
		if code := ag.open("/agent/queues/unassigned"); code != http.StatusOK {
			t.Fatalf("the Unassigned queue: status %d", code)
		}
		ag.do("wait for the queue to go live",
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`tr[data-key=%q]`, key))),
			waitLive("#agent-queue"), setMark)
		before := ag.text(`[data-queue-count="unassigned"]`)
		second := raise("Second monitor flickers")
		ag.do("wait for the new row", chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`tr[data-key=%q]`, second))))
		if got := ag.text(fmt.Sprintf(`tr[data-key=%q] .col-summary`, second)); got != "Second monitor flickers" {
			t.Errorf("the new row shows %q", got)
		}
		ag.waitText(`[data-queue-count="unassigned"]`, "2")
		if before != "1" {
			t.Errorf("the Unassigned count was %q before the new ticket, want 1", before)
		}
		if !ag.eval("check the page was not reloaded", marked) {
			t.Error("the page was reloaded to show the new ticket")
		}
	})
}

// envUpdateScreenshots names the variable that lets TestScreenshots write
// docs/screenshot-*.png; without it the pages are still loaded and shot,
// but no tracked file changes.
const envUpdateScreenshots = "CAIRN_UPDATE_SCREENSHOTS"

// TestScreenshots takes the pictures of the docs from the demo data: the
// agent workspace's queue on a desktop screen and the help center on a
// phone.
func TestScreenshots(t *testing.T) {
	chromium(t)
	s := storetest.SQLite(t)
	if _, err := demo.Load(context.Background(), s, nil); err != nil {
		t.Fatalf("load the demo: %v", err)
	}
	srv := serve(t, s)
	update := os.Getenv(envUpdateScreenshots) == "1"
	db, err := s.CIs(context.Background(), store.CIFilter{Text: "payments-db"})
	if err != nil || len(db.CIs) == 0 {
		t.Fatalf("the demo's payments-db: %+v %v", db, err)
	}

	shots := []struct {
		name          string
		file          string
		email         string
		width, height int64
		phone         bool
		path          string
		ready         []chromedp.Action[chromedp.Void]
	}{
		{
			name: "agent queue", file: "screenshot-agent.png", email: "agent@example.com",
			width: 1440, height: 900, path: "/agent/queues/open",
			ready: []chromedp.Action[chromedp.Void]{
				chromedp.WaitVisible(chromedp.CSS(`table[data-rows] tbody tr[data-key]`)),
				waitLive("#agent-queue"),
			},
		},
		{
			name: "impact analysis", file: "screenshot-impact.png", email: "agent@example.com",
			width: 1440, height: 900, path: fmt.Sprintf("/agent/cmdb/%d/impact", db.CIs[0].ID),
			ready: []chromedp.Action[chromedp.Void]{chromedp.WaitVisible(chromedp.CSS(`svg.impact-graph`))},
		},
		{
			name: "portal on a phone", file: "screenshot-portal.png", email: "alice@example.com",
			width: 390, height: 844, phone: true, path: "/portal",
			ready: []chromedp.Action[chromedp.Void]{
				chromedp.WaitVisible(chromedp.CSS(`.portal-services .portal-service`)),
				chromedp.WaitVisible(chromedp.CSS(`.portal-recent li`)),
			},
		},
	}
	for _, shot := range shots {
		t.Run(shot.name, func(t *testing.T) {
			tb := newTab(t, srv)
			var as []chromedp.EmulateViewportOption
			if shot.phone {
				as = append(as, chromedp.EmulateMobile, chromedp.EmulateTouch)
			}
			tb.do("size the screen", chromedp.EmulateViewport(shot.width, shot.height, as...))
			tb.signIn(shot.email, demo.Password)
			if code := tb.open(shot.path); code != http.StatusOK {
				t.Fatalf("%s: status %d", shot.path, code)
			}
			tb.do("wait for the page", shot.ready...)
			if !tb.eval("check the page fits the screen's width", `document.documentElement.scrollWidth <= window.innerWidth`) {
				t.Errorf("%s at %dx%d scrolls sideways", shot.path, shot.width, shot.height)
			}
			png := run(tb, "take the screenshot", chromedp.CaptureScreenshot())
			cfg, _, err := image.DecodeConfig(bytes.NewReader(png))
			if err != nil {
				t.Fatalf("the screenshot is no image: %v", err)
			}
			if int64(cfg.Width) != shot.width || int64(cfg.Height) != shot.height {
				t.Errorf("the screenshot is %dx%d, want %dx%d", cfg.Width, cfg.Height, shot.width, shot.height)
			}
			if !update {
				t.Logf("not writing docs/%s: set %s=1 to update it", shot.file, envUpdateScreenshots)
				return
			}
			out := filepath.Join("..", "..", "docs", shot.file)
			if err := os.WriteFile(out, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s (%d bytes)", out, len(png))
		})
	}
}
