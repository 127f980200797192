package web_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// agentRaise raises an incident on service svc of the fixture as a customer.
func agentRaise(t *testing.T, d *desk, svc int, summary string) ticket.Ticket {
	t.Helper()
	return agentRaiseAt(t, d, svc, summary, time.Now())
}

func agentRaiseAt(t *testing.T, d *desk, svc int, summary string, at time.Time) ticket.Ticket {
	t.Helper()
	tk, err := d.store.CreateTicket(store.AtTime(context.Background(), at), d.fixture.Customers[0], store.NewTicket{
		Type: "incident", Service: d.fixture.Services[svc].Name, Summary: summary, Description: "Details of " + summary,
	})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

var agentRowKey = regexp.MustCompile(`<tr data-key="([^"]+)"`)

// agentRows lists the ticket keys of a queue page's rows, in order.
func agentRows(body string) []string {
	var keys []string
	for _, m := range agentRowKey.FindAllStringSubmatch(body, -1) {
		keys = append(keys, m[1])
	}
	return keys
}

// agentCount reads a queue's count from the sidebar.
func agentCount(t *testing.T, body, queue string) string {
	t.Helper()
	m := regexp.MustCompile(`data-queue-count="` + queue + `">([^<]*)<`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no count for queue %s", queue)
	}
	return m[1]
}

func agentGet(t *testing.T, b *browser, path string, want int) string {
	t.Helper()
	code, body := b.get(path)
	if code != want {
		t.Fatalf("GET %s: status %d, want %d\n%s", path, code, want, body)
	}
	return body
}

func agentPost(t *testing.T, b *browser, path string, form url.Values, want int) string {
	t.Helper()
	resp := b.post(path, form)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("POST %s: status %d, want %d\n%s", path, resp.StatusCode, want, body)
	}
	return string(body)
}

// agentText is the page's text as a person reads it: tags dropped,
// entities decoded and white space collapsed.
func agentText(body string) string {
	s := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(body, " ")
	return strings.Join(strings.Fields(html.UnescapeString(s)), " ")
}

func TestAgentQueues(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		ctx := context.Background()
		agent := d.fixture.Agents[0]
		mine := agentRaise(t, d, 0, "Printer jams")
		free1 := agentRaise(t, d, 0, "VPN drops")
		free2 := agentRaise(t, d, 0, "Mail is slow")
		done := agentRaise(t, d, 0, "Screen flickers")
		other := agentRaise(t, d, 1, "Server room is hot") // another team's service
		if _, err := s.UpdateTicket(ctx, agent, mine.Key, store.TicketPatch{AssigneeID: &agent.UserID}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Transition(ctx, agent, done.Key, store.TransitionInput{To: "resolve"}); err != nil {
			t.Fatal(err)
		}
		// Resolved long ago: not in "Recently resolved".
		old := agentRaiseAt(t, d, 0, "Old one", time.Now().Add(-30*24*time.Hour))
		if _, err := s.Transition(store.AtTime(ctx, time.Now().Add(-20*24*time.Hour)), agent, old.Key, store.TransitionInput{To: "resolve"}); err != nil {
			t.Fatal(err)
		}

		b := d.login(t, agent)
		home := agentGet(t, b, "/agent", http.StatusOK)
		for queue, want := range map[string]string{"mine": "1", "unassigned": "2", "open": "3", "resolved": "1"} {
			if got := agentCount(t, home, queue); got != want {
				t.Errorf("count of %s = %s, want %s", queue, got, want)
			}
		}
		if got := agentRows(home); !slices.Equal(got, []string{mine.Key}) {
			t.Errorf("/agent rows %v, want the ticket assigned to me", got)
		}
		for queue, want := range map[string][]string{
			"mine":       {mine.Key},
			"unassigned": {free2.Key, free1.Key}, // newest first
			"open":       {free2.Key, free1.Key, mine.Key},
			"resolved":   {done.Key},
		} {
			body := agentGet(t, b, "/agent/queues/"+queue, http.StatusOK)
			if got := agentRows(body); !slices.Equal(got, want) {
				t.Errorf("queue %s rows %v, want %v", queue, got, want)
			}
			if strings.Contains(body, other.Key+"<") {
				t.Errorf("queue %s shows %s of another team", queue, other.Key)
			}
		}
		body := agentGet(t, b, "/agent/queues/open", http.StatusOK)
		for _, want := range []string{`class="badge cat-to_do"`, `class="badge prio-medium"`, "Customer 0", "Service Desk service", `href="/agent/tickets/` + mine.Key + `"`} {
			if !strings.Contains(body, want) {
				t.Errorf("queue page lacks %s", want)
			}
		}
		// Search narrows the list and keeps the other counts.
		body = agentGet(t, b, "/agent/queues/open?q=vpn", http.StatusOK)
		if got := agentRows(body); !slices.Equal(got, []string{free1.Key}) {
			t.Errorf("search rows %v, want %s", got, free1.Key)
		}
		if got := agentCount(t, body, "open"); got != "3" {
			t.Errorf("count of open while searching = %s, want 3", got)
		}
		agentGet(t, b, "/agent/queues/nope", http.StatusNotFound)

		// The admin sees the other team's ticket too.
		admin := d.login(t, d.fixture.Admin)
		if got := agentCount(t, agentGet(t, admin, "/agent/queues/open", http.StatusOK), "open"); got != "4" {
			t.Errorf("admin's open count %s, want 4", got)
		}
	})
}

func TestAgentAccess(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		tk := agentRaise(t, d, 0, "Printer jams")
		customer := d.login(t, d.fixture.Customers[0])
		for _, path := range []string{"/agent", "/agent/queues/open", "/agent/new", "/agent/tickets/" + tk.Key, "/agent/live?ticket=" + tk.Key} {
			if code, _ := customer.get(path); code != http.StatusNotFound {
				t.Errorf("customer GET %s: %d, want 404", path, code)
			}
		}
		agentPost(t, customer, "/agent/tickets/"+tk.Key+"/comments", url.Values{"body": {"hello"}, "visibility": {"internal"}}, http.StatusNotFound)

		// Agents[1] works on the other service.
		stranger := d.login(t, d.fixture.Agents[1])
		for _, path := range []string{"/agent/tickets/" + tk.Key, "/agent/tickets/" + tk.Key + "/attachments/1", "/agent/live?ticket=" + tk.Key, "/agent/tickets/IT-999"} {
			if code, _ := stranger.get(path); code != http.StatusNotFound {
				t.Errorf("other team GET %s: %d, want 404", path, code)
			}
		}
		agentPost(t, stranger, "/agent/tickets/"+tk.Key+"/comments", url.Values{"body": {"sneaky"}}, http.StatusNotFound)
		agentPost(t, stranger, "/agent/tickets/"+tk.Key+"/fields", url.Values{"assignee": {"me"}}, http.StatusNotFound)
		agentPost(t, stranger, "/agent/tickets/"+tk.Key+"/transitions", url.Values{"to": {"resolve"}}, http.StatusNotFound)
		comments, err := s.Comments(context.Background(), directory.System, tk.Key)
		if err != nil {
			t.Fatal(err)
		}
		after, _ := s.Ticket(context.Background(), directory.System, tk.Key)
		if len(comments) != 0 || after.AssigneeID != 0 || after.Status != "Open" {
			t.Errorf("refused posts changed the ticket: %d comments, assignee %d, status %s", len(comments), after.AssigneeID, after.Status)
		}
		if body := agentGet(t, stranger, "/agent/queues/open", http.StatusOK); strings.Contains(body, tk.Key) {
			t.Error("the other team's queue lists the ticket")
		}
	})
}

func TestAgentSortAndPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		start := time.Now().Add(-time.Hour)
		var keys []string // oldest first
		for i := range 60 {
			keys = append(keys, agentRaiseAt(t, d, 0, fmt.Sprintf("Ticket %02d", i), start.Add(time.Duration(i)*time.Second)).Key)
		}
		newest := slices.Clone(keys)
		slices.Reverse(newest)
		b := d.login(t, d.fixture.Agents[0])

		first := agentGet(t, b, "/agent/queues/open", http.StatusOK)
		if got := agentRows(first); !slices.Equal(got, newest[:50]) {
			t.Errorf("page 1: %v", got)
		}
		if !strings.Contains(first, "1-50 of 60") || !strings.Contains(first, `href="/agent/queues/open?page=2" rel="next"`) || strings.Contains(first, `rel="prev"`) {
			t.Errorf("page 1 pager wrong:\n%s", first)
		}
		second := agentGet(t, b, "/agent/queues/open?page=2", http.StatusOK)
		if got := agentRows(second); !slices.Equal(got, newest[50:]) {
			t.Errorf("page 2: %v", got)
		}
		if !strings.Contains(second, "51-60 of 60") || !strings.Contains(second, `href="/agent/queues/open" rel="prev"`) || strings.Contains(second, `rel="next"`) {
			t.Errorf("page 2 pager wrong")
		}
		// The sorted column's header offers the other direction and keeps the page.
		if !strings.Contains(second, `aria-sort="descending"><a href="/agent/queues/open?sort=created&amp;order=asc&amp;page=2"`) {
			t.Errorf("created header does not link to ascending order on page 2")
		}

		asc := agentGet(t, b, "/agent/queues/open?sort=created&order=asc", http.StatusOK)
		if got := agentRows(asc); !slices.Equal(got, keys[:50]) {
			t.Errorf("created ascending: %v", got)
		}
		if !strings.Contains(asc, `href="/agent/queues/open?sort=created&amp;order=asc&amp;page=2" rel="next"`) {
			t.Error("next page link loses the order")
		}
		asc2 := agentGet(t, b, "/agent/queues/open?sort=created&order=asc&page=2", http.StatusOK)
		if got := agentRows(asc2); !slices.Equal(got, keys[50:]) {
			t.Errorf("created ascending page 2: %v", got)
		}
		bySummary := agentGet(t, b, "/agent/queues/open?sort=summary&order=desc", http.StatusOK)
		if got := agentRows(bySummary); got[0] != keys[59] || got[49] != keys[10] {
			t.Errorf("summary descending starts %s ends %s", got[0], got[49])
		}
		// An unknown order falls back to the queue's own.
		if got := agentRows(agentGet(t, b, "/agent/queues/open?sort=password&page=x", http.StatusOK)); !slices.Equal(got, newest[:50]) {
			t.Errorf("bad sort: %v", got)
		}
		// Search with paging keeps the text in the links.
		body := agentGet(t, b, "/agent/queues/open?q=ticket", http.StatusOK)
		if !strings.Contains(body, `href="/agent/queues/open?page=2&amp;q=ticket" rel="next"`) {
			t.Error("next link loses the search text")
		}
	})
}

func TestAgentTicketPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		ctx := context.Background()
		f := d.fixture
		tk, err := s.CreateTicket(ctx, f.Customers[0], store.NewTicket{Service: f.Services[0].Name, RequestType: f.RequestType.Name,
			Summary: "Laptop will not boot", Description: "It shows **a black screen**.", Fields: map[string]any{"device": "Laptop"},
			OrganizationID: f.Customers[0].OrganizationID})
		if err != nil {
			t.Fatal(err)
		}
		b := d.login(t, f.Agents[0])
		body := agentGet(t, b, "/agent/tickets/"+tk.Key, http.StatusOK)
		text := agentText(body)
		for _, want := range []string{"Laptop will not boot", "Report a problem", "Service Desk service", "Customer 0", "customer0@fixture.test",
			"Organization Finance", "Device Laptop", "Type Incident", "Channel api", "Customer 0 raised the ticket"} {
			if !strings.Contains(text, want) {
				t.Errorf("ticket page lacks %q", want)
			}
		}
		if !strings.Contains(body, "<strong>a black screen</strong>") {
			t.Error("description is not rendered as Markdown")
		}
		if !strings.Contains(body, `data-live="/agent/live?ticket=`+tk.Key+`&amp;after=`) {
			t.Error("ticket page does not declare its live stream")
		}
		for _, tr := range []string{"Start work", "Pending", "Wait for customer", "Resolve"} {
			if !strings.Contains(body, tr+"</") {
				t.Errorf("transition %q not offered", tr)
			}
		}
	})
}

func TestAgentAssignAndPriority(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		ctx := context.Background()
		agent := d.fixture.Agents[0]
		tk := agentRaise(t, d, 0, "Printer jams")
		b := d.login(t, agent)
		page := agentGet(t, b, "/agent/tickets/"+tk.Key, http.StatusOK)
		if !strings.Contains(page, "Assign to me") {
			t.Fatal("no Assign to me button")
		}
		body := agentPost(t, b, "/agent/tickets/"+tk.Key+"/fields", url.Values{"assignee": {"me"}}, http.StatusOK)
		if !strings.Contains(body, "Assigned to you.") || strings.Contains(body, ">Assign to me<") {
			t.Error("after assigning: no message, or still offers Assign to me")
		}
		got, _ := s.Ticket(ctx, directory.System, tk.Key)
		if got.AssigneeID != agent.UserID {
			t.Fatalf("assignee %d, want %d", got.AssigneeID, agent.UserID)
		}
		if !strings.Contains(agentText(body), "Agent 0 assigned it to Agent 0") {
			t.Error("history does not show the assignment")
		}
		// Only who may work the service is offered: the admin, not the
		// agent of the other team, whom the store refuses anyway.
		if !strings.Contains(body, `<option value="`+fmt.Sprint(d.fixture.Admin.UserID)+`">Ada Admin</option>`) ||
			strings.Contains(body, ">Agent 1</option>") {
			t.Error("the assignee list is wrong")
		}
		body = agentPost(t, b, "/agent/tickets/"+tk.Key+"/fields", url.Values{"assignee": {fmt.Sprint(d.fixture.Agents[1].UserID)}}, http.StatusUnprocessableEntity)
		if !strings.Contains(body, `id="field-assignee-error">`) {
			t.Error("no message next to the assignee")
		}
		// Assign to a colleague, then to nobody.
		other := d.fixture.Admin
		agentPost(t, b, "/agent/tickets/"+tk.Key+"/fields", url.Values{"assignee": {fmt.Sprint(other.UserID)}}, http.StatusOK)
		if got, _ := s.Ticket(ctx, directory.System, tk.Key); got.AssigneeID != other.UserID {
			t.Fatalf("assignee %d, want %d", got.AssigneeID, other.UserID)
		}
		agentPost(t, b, "/agent/tickets/"+tk.Key+"/fields", url.Values{"assignee": {""}}, http.StatusOK)
		if got, _ := s.Ticket(ctx, directory.System, tk.Key); got.AssigneeID != 0 {
			t.Fatalf("assignee %d, want nobody", got.AssigneeID)
		}

		body = agentPost(t, b, "/agent/tickets/"+tk.Key+"/fields", url.Values{"priority": {"Highest"}}, http.StatusOK)
		if !strings.Contains(body, "Priority set to Highest.") {
			t.Error("no message after setting the priority")
		}
		body = agentGet(t, b, "/agent/tickets/"+tk.Key, http.StatusOK)
		if !strings.Contains(agentText(body), "Agent 0 changed priority from Medium to Highest") {
			t.Errorf("history lacks the priority change:\n%s", agentText(body))
		}
		if !strings.Contains(body, `<option value="Highest" selected>`) {
			t.Error("priority select does not show Highest")
		}
		// A bad value is refused next to its field.
		body = agentPost(t, b, "/agent/tickets/"+tk.Key+"/fields", url.Values{"priority": {"Urgent"}}, http.StatusUnprocessableEntity)
		if !strings.Contains(body, `id="field-priority-error">The priority must be one of Highest, High, Medium, Low, Lowest.<`) {
			t.Error("no message next to the priority field")
		}
	})
}

func TestAgentReplyAndNote(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		ctx := context.Background()
		customer := d.fixture.Customers[0]
		tk := agentRaise(t, d, 0, "Printer jams")
		b := d.login(t, d.fixture.Agents[0])
		agentGet(t, b, "/agent/tickets/"+tk.Key, http.StatusOK)
		body := agentPost(t, b, "/agent/tickets/"+tk.Key+"/comments", url.Values{"body": {"Please restart it."}, "visibility": {"public"}}, http.StatusOK)
		if !strings.Contains(body, "Reply sent to the customer.") {
			t.Error("no message after replying")
		}
		body = agentPost(t, b, "/agent/tickets/"+tk.Key+"/comments", url.Values{"body": {"Toner is **empty**, order more."}, "visibility": {"internal"}}, http.StatusOK)
		if !strings.Contains(body, "Internal note added.") {
			t.Error("no message after the note")
		}
		if !regexp.MustCompile(`(?s)<article class="comment internal" id="comment-\d+">.*?Internal note.*?Toner is <strong>empty</strong>`).MatchString(body) {
			t.Error("the internal note is not marked as one")
		}
		if !regexp.MustCompile(`(?s)<article class="comment" id="comment-\d+">.*?Please restart it.`).MatchString(body) {
			t.Error("the public reply is not shown as one")
		}
		// What the customer's portal and API read.
		seen, err := s.Comments(ctx, customer, tk.Key)
		if err != nil {
			t.Fatal(err)
		}
		if len(seen) != 1 || seen[0].Body != "Please restart it." || seen[0].Internal {
			t.Errorf("customer sees %+v, want only the public reply", seen)
		}
		all, _ := s.Comments(ctx, d.fixture.Agents[0], tk.Key)
		if len(all) != 2 || !all[1].Internal {
			t.Errorf("agent sees %+v", all)
		}
		// An empty reply is refused next to the box, and the choice kept.
		body = agentPost(t, b, "/agent/tickets/"+tk.Key+"/comments", url.Values{"body": {"  "}, "visibility": {"internal"}}, http.StatusUnprocessableEntity)
		if !strings.Contains(body, `<p class="field-error" id="reply-error">The message is required.</p>`) {
			t.Error("no message next to the reply box")
		}
		if !strings.Contains(body, `value="internal" checked`) {
			t.Error("the internal choice was not kept")
		}
	})
}

func TestAgentTransitions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		ctx := context.Background()
		agent := d.fixture.Agents[0]
		tk := agentRaise(t, d, 0, "Printer jams")
		b := d.login(t, agent)
		agentGet(t, b, "/agent/tickets/"+tk.Key, http.StatusOK)

		body := agentPost(t, b, "/agent/tickets/"+tk.Key+"/transitions", url.Values{"to": {"start"}}, http.StatusOK)
		if !strings.Contains(body, tk.Key+" is now In progress.") {
			t.Error("no message after starting work")
		}
		body = agentPost(t, b, "/agent/tickets/"+tk.Key+"/transitions", url.Values{"to": {"resolve"}, "resolution": {"Fixed"}, "comment": {"Replaced the roller."}}, http.StatusOK)
		got, _ := s.Ticket(ctx, directory.System, tk.Key)
		if got.Status != "Resolved" || got.Resolution != "Fixed" || got.ResolvedAt == nil {
			t.Errorf("after resolving: %s %q %v", got.Status, got.Resolution, got.ResolvedAt)
		}
		text := agentText(body)
		for _, want := range []string{"changed the status from In progress to Resolved", "set the resolution to Fixed", "Replaced the roller."} {
			if !strings.Contains(text, want) {
				t.Errorf("page after resolving lacks %q", want)
			}
		}
		if seen, _ := s.Comments(ctx, d.fixture.Customers[0], tk.Key); len(seen) != 1 {
			t.Errorf("the resolving comment is not public: %+v", seen)
		}
		// A transition no longer possible (a stale page) says why.
		body = agentPost(t, b, "/agent/tickets/"+tk.Key+"/transitions", url.Values{"to": {"start"}}, http.StatusConflict)
		if !strings.Contains(body, `class="error" role="alert"`) {
			t.Error("a refused transition shows no message")
		}

		// A change needs an assignee to be implemented and a comment to fail.
		ch, err := s.CreateTicket(ctx, agent, store.NewTicket{Type: "change", Service: d.fixture.Services[0].Name, Summary: "Upgrade the firewall"})
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range []string{"submit", "approve"} {
			if _, err := s.Transition(ctx, agent, ch.Key, store.TransitionInput{To: to}); err != nil {
				t.Fatal(err)
			}
		}
		page := agentGet(t, b, "/agent/tickets/"+ch.Key, http.StatusOK)
		if !strings.Contains(page, `<select id="tr-implement-assignee" name="assignee" required>`) {
			t.Error("implement does not ask for an assignee")
		}
		body = agentPost(t, b, "/agent/tickets/"+ch.Key+"/transitions", url.Values{"to": {"implement"}, "comment": {"Starting now"}}, http.StatusUnprocessableEntity)
		if !strings.Contains(body, `<p class="field-error" id="tr-implement-assignee-error">An assignee is required to implement.</p>`) {
			t.Errorf("no message next to the assignee:\n%s", body)
		}
		if !strings.Contains(body, `<details class="agent-transition" open>`) || !strings.Contains(body, ">Starting now</textarea>") {
			t.Error("the failed form is not open with its text kept")
		}
		if got, _ := s.Ticket(ctx, directory.System, ch.Key); got.Status != "Scheduled" {
			t.Errorf("status %s after a refused transition", got.Status)
		}
		agentPost(t, b, "/agent/tickets/"+ch.Key+"/transitions", url.Values{"to": {"implement"}, "assignee": {"me"}}, http.StatusOK)
		body = agentPost(t, b, "/agent/tickets/"+ch.Key+"/transitions", url.Values{"to": {"fail"}}, http.StatusUnprocessableEntity)
		if !strings.Contains(body, `id="tr-fail-comment-error">A comment is required to mark failed.</p>`) {
			t.Error("no message next to the comment")
		}
		agentPost(t, b, "/agent/tickets/"+ch.Key+"/transitions", url.Values{"to": {"fail"}, "comment": {"Rolled back."}, "internal": {"1"}}, http.StatusOK)
		got, _ = s.Ticket(ctx, directory.System, ch.Key)
		if got.Status != "Failed" || got.AssigneeID != agent.UserID {
			t.Errorf("change is %s, assignee %d", got.Status, got.AssigneeID)
		}
	})
}

func TestAgentPostsNeedCSRF(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		tk := agentRaise(t, d, 0, "Printer jams")
		b := d.login(t, d.fixture.Agents[0])
		agentGet(t, b, "/agent/tickets/"+tk.Key, http.StatusOK)
		for _, form := range []url.Values{
			{"body": {"no token"}, "visibility": {"public"}},
			{"body": {"wrong token"}, "visibility": {"public"}, "csrf_token": {"not-the-token"}},
		} {
			resp, err := b.client.PostForm(b.base+"/agent/tickets/"+tk.Key+"/comments", form)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("post %v: status %d, want 403", form, resp.StatusCode)
			}
		}
		for _, path := range []string{"/fields", "/transitions", "/links", "/agent/new"} {
			if path != "/agent/new" {
				path = "/agent/tickets/" + tk.Key + path
			}
			resp, err := b.client.PostForm(b.base+path, url.Values{"assignee": {"me"}, "to": {"resolve"}, "kind": {"blocks"}, "ticket": {tk.Key},
				"service": {d.fixture.Services[0].Name}, "summary": {"x"}, "reporter": {"customer0@fixture.test"}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("post %s without a token: %d, want 403", path, resp.StatusCode)
			}
		}
		ctx := context.Background()
		comments, _ := s.Comments(ctx, directory.System, tk.Key)
		got, _ := s.Ticket(ctx, directory.System, tk.Key)
		n, _ := s.CountTickets(ctx, directory.System, store.TicketFilter{})
		if len(comments) != 0 || got.AssigneeID != 0 || got.Status != "Open" || n != 1 {
			t.Errorf("posts without a token wrote: %d comments, assignee %d, status %s, %d tickets", len(comments), got.AssigneeID, got.Status, n)
		}
	})
}

func TestAgentLinks(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		a := agentRaise(t, d, 0, "Printer jams")
		c := agentRaise(t, d, 0, "Whole floor cannot print")
		b := d.login(t, d.fixture.Agents[0])
		agentGet(t, b, "/agent/tickets/"+a.Key, http.StatusOK)
		body := agentPost(t, b, "/agent/tickets/"+a.Key+"/links", url.Values{"kind": {"blocks"}, "ticket": {strings.ToLower(c.Key)}}, http.StatusOK)
		if !strings.Contains(agentText(body), "blocks "+c.Key+" Whole floor cannot print") {
			t.Error("the link is not listed")
		}
		other := agentGet(t, b, "/agent/tickets/"+c.Key, http.StatusOK)
		if !strings.Contains(agentText(other), "is blocked by "+a.Key) {
			t.Error("the linked ticket does not show the link from its side")
		}
		body = agentPost(t, b, "/agent/tickets/"+a.Key+"/links", url.Values{"kind": {"blocks"}, "ticket": {"IT-999"}}, http.StatusUnprocessableEntity)
		if !strings.Contains(body, `id="link-error">No ticket IT-999.</p>`) || !strings.Contains(body, `value="IT-999"`) {
			t.Error("a link to a missing ticket: no message, or the key typed is lost")
		}
		agentPost(t, b, "/agent/tickets/"+a.Key+"/links", url.Values{"kind": {"blocks"}, "ticket": {c.Key}}, http.StatusConflict)
		links, _ := s.Links(context.Background(), directory.System, a.Key)
		if len(links) != 1 {
			t.Fatalf("%d links", len(links))
		}
		body = agentPost(t, b, fmt.Sprintf("/agent/tickets/%s/links/%d/delete", a.Key, links[0].ID), url.Values{}, http.StatusOK)
		if !strings.Contains(body, "Link removed.") || !strings.Contains(body, "No links.") {
			t.Error("the link was not removed")
		}
		agentPost(t, b, fmt.Sprintf("/agent/tickets/%s/links/%d/delete", a.Key, links[0].ID), url.Values{}, http.StatusNotFound)
	})
}

func TestAgentAttachments(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		tk := agentRaise(t, d, 0, "Printer jams")
		b := d.login(t, d.fixture.Agents[0])
		agentGet(t, b, "/agent/tickets/"+tk.Key, http.StatusOK)
		upload := func(name string, data []byte, token string) *http.Response {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			mw.WriteField("csrf_token", token)
			if name != "" {
				fw, _ := mw.CreateFormFile("file", name)
				fw.Write(data)
			}
			mw.Close()
			resp, err := b.client.Post(b.base+"/agent/tickets/"+tk.Key+"/attachments", mw.FormDataContentType(), &buf)
			if err != nil {
				t.Fatal(err)
			}
			return resp
		}
		resp := upload("évidence <1>.html", []byte("<script>alert(1)</script>"), b.csrf)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Attached évidence &lt;1&gt;.html.") {
			t.Fatalf("upload: %d\n%s", resp.StatusCode, body)
		}
		m := regexp.MustCompile(`href="(/agent/tickets/[^"]+/attachments/\d+)" download>`).FindStringSubmatch(string(body))
		if m == nil {
			t.Fatal("no download link")
		}
		dl, err := b.client.Get(b.base + m[1])
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(dl.Body)
		dl.Body.Close()
		h := dl.Header
		if dl.StatusCode != http.StatusOK || string(data) != "<script>alert(1)</script>" {
			t.Errorf("download: %d %q", dl.StatusCode, data)
		}
		if !strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") || !strings.Contains(h.Get("Content-Disposition"), "filename*=utf-8''%C3%A9vidence") ||
			h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("download headers: %v", h)
		}
		if resp := upload("", nil, b.csrf); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("upload without a file: %d", resp.StatusCode)
		}
		if resp := upload("x.txt", []byte("x"), "wrong"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("upload without the token: %d", resp.StatusCode)
		}
		if files, _ := s.Attachments(context.Background(), directory.System, tk.Key); len(files) != 1 {
			t.Errorf("%d files, want 1", len(files))
		}
	})
}

func TestAgentNewTicket(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		b := d.login(t, d.fixture.Agents[0])
		page := agentGet(t, b, "/agent/new", http.StatusOK)
		if !strings.Contains(page, `<optgroup label="Service Desk service">`) || !strings.Contains(page, ">Report a problem</option>") {
			t.Error("the form does not offer request types by service")
		}
		form := url.Values{"service": {d.fixture.Services[0].Name}, "type": {"incident"}, "reporter": {"nobody@fixture.test"},
			"summary": {""}, "description": {"Typed text"}, "impact": {"high"}, "urgency": {"high"}}
		body := agentPost(t, b, "/agent/new", form, http.StatusUnprocessableEntity)
		if !strings.Contains(body, `id="new-reporter-error">Nobody has the address nobody@fixture.test.</p>`) || !strings.Contains(body, ">Typed text</textarea>") {
			t.Errorf("unknown reporter: no message or text lost\n%s", body)
		}
		form.Set("reporter", "customer3@fixture.test")
		body = agentPost(t, b, "/agent/new", form, http.StatusUnprocessableEntity)
		if !strings.Contains(body, `id="new-summary-error">The summary is required.</p>`) || !strings.Contains(body, `<option value="high" selected>`) {
			t.Error("missing summary: no message or choices lost")
		}
		form.Set("summary", "Cannot log in")
		body = agentPost(t, b, "/agent/new", form, http.StatusOK)
		m := regexp.MustCompile(`(IT-\d+) raised for Customer 3\.`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no message after raising:\n%s", agentText(body))
		}
		tk, err := s.Ticket(context.Background(), directory.System, m[1])
		if err != nil {
			t.Fatal(err)
		}
		if tk.Channel != ticket.ChannelAgent || tk.Reporter != "Customer 3" || tk.Priority != ticket.PriorityHighest || tk.Description != "Typed text" {
			t.Errorf("raised %+v", tk)
		}
	})
}

// agentStream opens an event stream and sends its lines on a channel.
func agentStream(t *testing.T, b *browser, path string, header http.Header) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.base+path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	lines := make(chan string, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	// The first message, "retry", says the stream is subscribed.
	agentWaitFor(t, lines, "retry:", 5*time.Second)
	return lines
}

// agentWaitFor reads lines until one starts with prefix and gives it.
func agentWaitFor(t *testing.T, lines <-chan string, prefix string, within time.Duration) string {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("stream ended before %q", prefix)
			}
			if strings.HasPrefix(l, prefix) {
				return l
			}
		case <-deadline:
			t.Fatalf("no %q within %s", prefix, within)
		}
	}
}

func TestAgentLive(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		ctx := context.Background()
		tk := agentRaise(t, d, 0, "Printer jams")
		quiet := agentRaise(t, d, 0, "Something else")
		b := d.login(t, d.fixture.Agents[0])

		// A comment written elsewhere (here: straight into the store, as
		// another Cairn process would) reaches the ticket's stream.
		lines := agentStream(t, b, "/agent/live?ticket="+tk.Key, nil)
		if _, err := s.AddComment(ctx, d.fixture.Customers[0], quiet.Key, "Not this one", false); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddComment(ctx, d.fixture.Customers[0], tk.Key, "Any news?", false); err != nil {
			t.Fatal(err)
		}
		agentWaitFor(t, lines, "event: change", 5*time.Second)
		if data := agentWaitFor(t, lines, "data:", time.Second); data != `data: {"tickets":["`+tk.Key+`"]}` {
			t.Errorf("event data %s", data)
		}

		// A queue's stream hears of tickets the agent may see, not others.
		queue := agentStream(t, b, "/agent/live?queue=open", nil)
		hidden := agentRaise(t, d, 1, "Another team's ticket")
		visible := agentRaise(t, d, 0, "New on my service")
		agentWaitFor(t, queue, "event: change", 5*time.Second)
		data := agentWaitFor(t, queue, "data:", time.Second)
		if !strings.Contains(data, visible.Key) || strings.Contains(data, hidden.Key+`"`) {
			t.Errorf("queue event data %s", data)
		}

		// A page rendered before a change catches up on connecting.
		page := agentGet(t, b, "/agent/tickets/"+quiet.Key, http.StatusOK)
		m := regexp.MustCompile(`data-live="(/agent/live\?ticket=[^"]+)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatal("no live URL on the page")
		}
		if _, err := s.AddComment(ctx, d.fixture.Customers[0], quiet.Key, "Written in between", false); err != nil {
			t.Fatal(err)
		}
		late := agentStream(t, b, html.UnescapeString(m[1]), nil)
		agentWaitFor(t, late, "event: change", 3*time.Second)

		// Streams of hidden tickets and unknown queues are refused.
		stranger := d.login(t, d.fixture.Agents[1])
		if code, _ := stranger.get("/agent/live?ticket=" + tk.Key); code != http.StatusNotFound {
			t.Errorf("other team's stream: %d", code)
		}
		if code, _ := b.get("/agent/live?queue=nope"); code != http.StatusNotFound {
			t.Errorf("unknown queue's stream: %d", code)
		}
		if code, _ := b.get("/agent/live"); code != http.StatusBadRequest {
			t.Errorf("stream of nothing: %d", code)
		}
	})
}
