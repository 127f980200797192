package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/queue"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

var queueHeader = regexp.MustCompile(`<th scope="col" class="col-([a-z]+)`)

// queueHeaders lists the columns of a queue page's table, in order.
func queueHeaders(body string) []string {
	var out []string
	for _, m := range queueHeader.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// queueSidebar lists the sidebar's queue names, in order.
func queueSidebar(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<li><a href="/agent/queues/[^"]+"[^>]*><span>([^<]+)</span>`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestQueueEditor(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		ctx := context.Background()
		agent := d.fixture.Agents[0]
		urgent, err := s.CreateTicket(ctx, d.fixture.Customers[0], store.NewTicket{Type: "incident", Service: d.fixture.Services[0].Name, Summary: "Printer on fire"})
		if err != nil {
			t.Fatal(err)
		}
		prio := "Highest"
		if _, err := s.UpdateTicket(ctx, agent, urgent.Key, store.TicketPatch{Priority: &prio}); err != nil {
			t.Fatal(err)
		}
		calm := agentRaise(t, d, 0, "Mouse is sticky")
		b := d.login(t, agent)

		// The editor offers every column, the defaults ticked.
		form := agentGet(t, b, "/agent/queues/new", http.StatusOK)
		for _, want := range []string{`name="columns" value="key" checked`, `name="columns" value="sla">`, `name="order.summary" value="2"`, `<option value="priority desc">Priority, descending</option>`} {
			if !strings.Contains(form, want) {
				t.Errorf("the editor lacks %s", want)
			}
		}

		// A mistake in the query is shown next to it, with what was typed.
		bad := url.Values{"name": {"Burning"}, "query": {"priority = Highest AND\nstatus = Smouldering"}, "columns": {"key", "summary"}, "position": {"0"}}
		body := agentPost(t, b, "/agent/queues/new", bad, http.StatusUnprocessableEntity)
		if !strings.Contains(body, `id="queue-err-query">Line 2, column 10: no workflow has a status &#34;Smouldering&#34;`) ||
			!strings.Contains(body, `aria-invalid="true" aria-describedby="queue-err-query"`) || !strings.Contains(body, "status = Smouldering</textarea>") {
			t.Errorf("query error not shown by the field:\n%s", agentText(body))
		}
		bad.Set("query", "priority = Highest")
		bad["columns"] = []string{"summary"}
		body = agentPost(t, b, "/agent/queues/new", bad, http.StatusUnprocessableEntity)
		if !strings.Contains(body, `id="queue-err-columns">Must include key`) {
			t.Errorf("columns error not shown:\n%s", agentText(body))
		}

		// Created: first in the sidebar, its columns in the order given.
		good := url.Values{"name": {"Burning"}, "query": {"priority = Highest AND category != Done"}, "columns": {"key", "summary", "priority", "sla"},
			"order.priority": {"1"}, "order.key": {"2"}, "order.summary": {"3"}, "order.sla": {""}, "position": {"0"}, "sort": {""}}
		body = agentPost(t, b, "/agent/queues/new", good, http.StatusOK)
		if got := agentRows(body); !slices.Equal(got, []string{urgent.Key}) {
			t.Errorf("new queue rows %v", got)
		}
		if got := queueHeaders(body); !slices.Equal(got, []string{"priority", "key", "summary", "sla"}) {
			t.Errorf("new queue columns %v", got)
		}
		if got := queueSidebar(body); len(got) != 7 || got[0] != "Burning" {
			t.Errorf("sidebar %v", got)
		}
		if !strings.Contains(body, "Queue “Burning” created for everyone.") || agentCount(t, body, "burning") != "1" {
			t.Error("no flash or count for the new queue")
		}
		// Shared: another agent has it too (with their own count).
		other := d.login(t, d.fixture.Agents[1])
		if got := agentCount(t, agentGet(t, other, "/agent", http.StatusOK), "burning"); got != "0" {
			t.Errorf("the other team's count %s", got)
		}
		body = agentPost(t, b, "/agent/queues/new", good, http.StatusConflict)
		if !strings.Contains(body, `id="queue-err-name">A queue named &#34;Burning&#34; exists.`) {
			t.Errorf("duplicate name not shown:\n%s", agentText(body))
		}

		// Edit: all open tickets by summary, moved last.
		edit := agentGet(t, b, "/agent/queues/burning/edit", http.StatusOK)
		if !strings.Contains(edit, `priority = Highest AND category != Done</textarea>`) || !strings.Contains(edit, `name="order.priority" value="1"`) {
			t.Error("the editor does not show the queue")
		}
		good.Set("query", "category != Done")
		good.Set("sort", "summary asc")
		good.Set("position", "6")
		body = agentPost(t, b, "/agent/queues/burning/edit", good, http.StatusOK)
		if got := agentRows(body); !slices.Equal(got, []string{calm.Key, urgent.Key}) {
			t.Errorf("edited queue rows %v", got)
		}
		if !strings.Contains(body, `aria-sort="ascending"><a href="/agent/queues/burning?sort=summary&amp;order=desc"`) {
			t.Error("the summary column is not marked as the order")
		}
		if got := queueSidebar(body); got[len(got)-1] != "Burning" {
			t.Errorf("sidebar after the move %v", got)
		}
		good.Set("query", "ORDER BY created")
		body = agentPost(t, b, "/agent/queues/burning/edit", good, http.StatusUnprocessableEntity)
		if !strings.Contains(body, `id="queue-err-sort">The query orders the tickets with ORDER BY already`) {
			t.Errorf("sort error not shown:\n%s", agentText(body))
		}

		// Manage: move up, then delete.
		manage := agentGet(t, b, "/agent/queues", http.StatusOK)
		if !strings.Contains(manage, `<code class="queue-query">category != Done</code> <span class="muted">sorted by summary asc</span>`) {
			t.Errorf("manage page:\n%s", agentText(manage))
		}
		body = agentPost(t, b, "/agent/queues/burning/move", url.Values{"dir": {"up"}}, http.StatusOK)
		qs, _ := s.Queues(ctx)
		if qs[5].Slug != "burning" {
			t.Errorf("after moving up, burning is at %d", slices.IndexFunc(qs, func(q queueOf) bool { return q.Slug == "burning" }))
		}
		body = agentPost(t, b, "/agent/queues/burning/delete", url.Values{}, http.StatusOK)
		if !strings.Contains(body, "Queue “Burning” deleted.") {
			t.Error("no flash after delete")
		}
		agentGet(t, b, "/agent/queues/burning", http.StatusNotFound)

		// Customers never see the editor.
		customer := d.login(t, d.fixture.Customers[0])
		for _, path := range []string{"/agent/queues", "/agent/queues/new", "/agent/queues/open/edit", "/agent/reports/sla"} {
			if code, _ := customer.get(path); code != http.StatusNotFound {
				t.Errorf("customer GET %s: %d", path, code)
			}
		}
		agentPost(t, customer, "/agent/queues/open/delete", url.Values{}, http.StatusNotFound)
		if _, err := s.QueueBySlug(ctx, "open"); err != nil {
			t.Errorf("a customer deleted a queue: %v", err)
		}
	})
}

func TestQueueSearchWithQuery(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := newDesk(t, s)
		ctx := context.Background()
		agent := d.fixture.Agents[0]
		vpn := agentRaise(t, d, 0, "VPN drops")
		mail := agentRaise(t, d, 0, "Mail is slow")
		prio := "High"
		if _, err := s.UpdateTicket(ctx, agent, mail.Key, store.TicketPatch{Priority: &prio}); err != nil {
			t.Fatal(err)
		}
		b := d.login(t, agent)
		// Text that reads as a query is one, ANDed with the queue's.
		body := agentGet(t, b, "/agent/queues/open?q="+url.QueryEscape("priority >= High"), http.StatusOK)
		if got := agentRows(body); !slices.Equal(got, []string{mail.Key}) {
			t.Errorf("query search rows %v", got)
		}
		if !strings.Contains(body, "Searching with a query") || agentCount(t, body, "open") != "2" {
			t.Error("query search: no note, or the queue's count changed")
		}
		// The box's own ORDER BY replaces the queue's order.
		body = agentGet(t, b, "/agent/queues/open?q="+url.QueryEscape("ORDER BY created ASC"), http.StatusOK)
		if got := agentRows(body); !slices.Equal(got, []string{vpn.Key, mail.Key}) {
			t.Errorf("ORDER BY search rows %v", got)
		}
		// "Advanced (CQL)" makes plain words a query, and its mistake shows by the box.
		body = agentGet(t, b, "/agent/queues/open?cql=1&q="+url.QueryEscape("vpn"), http.StatusUnprocessableEntity)
		if !strings.Contains(body, `id="search-error" role="alert">Line 1, column 1: unknown field &#34;vpn&#34;`) || len(agentRows(body)) != 0 ||
			!strings.Contains(body, `name="cql" value="1" checked`) {
			t.Errorf("CQL error not shown by the box:\n%s", agentText(body))
		}
		body = agentGet(t, b, "/agent/queues/open?q="+url.QueryEscape("priority = Urgent"), http.StatusUnprocessableEntity)
		if !strings.Contains(body, "Line 1, column 12: Urgent is not a priority") {
			t.Errorf("priority error:\n%s", agentText(body))
		}
		// Plain words are still a text search.
		if got := agentRows(agentGet(t, b, "/agent/queues/open?q=vpn", http.StatusOK)); !slices.Equal(got, []string{vpn.Key}) {
			t.Errorf("text search rows %v", got)
		}
		// A queue whose query broke says so instead of failing.
		if _, err := s.CreateQueue(ctx, agent, queueOf{Name: "Mail", Query: `service = "Service Desk service"`, Columns: []string{"key"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateService(ctx, d.fixture.Admin, renamed(t, s, d.fixture.Services[0].ID, "Desk")); err != nil {
			t.Fatal(err)
		}
		body = agentGet(t, b, "/agent/queues/mail", http.StatusOK)
		if !strings.Contains(body, "This queue's query no longer works: Line 1, column 11: there is no service") || agentCount(t, body, "mail") != "!" {
			t.Errorf("broken queue:\n%s", agentText(body))
		}
	})
}

type queueOf = queue.Queue

// renamed gives a service with a new name, for UpdateService.
func renamed(t *testing.T, s *store.Store, id int64, name string) catalog.Service {
	t.Helper()
	svc, err := s.Service(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	svc.Name = name
	return svc
}
