package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// agentRoutes registers the agent workspace's pages under /agent.
func (w *Web) agentRoutes() {
	agent := func(h func(http.ResponseWriter, *http.Request, auth.Identity)) http.HandlerFunc {
		return w.page(directory.RoleAgent, h)
	}
	w.mux.HandleFunc("GET /agent", agent(w.agentHome))
	w.mux.HandleFunc("GET /agent/queues/{id}", agent(w.agentQueue))
	w.mux.HandleFunc("GET /agent/new", agent(w.agentNewTicket))
	w.mux.HandleFunc("POST /agent/new", agent(w.agentCreateTicket))
	w.mux.HandleFunc("GET /agent/tickets/{key}", agent(w.agentTicket))
	w.mux.HandleFunc("POST /agent/tickets/{key}/comments", agent(w.agentComment))
	w.mux.HandleFunc("POST /agent/tickets/{key}/transitions", agent(w.agentTransition))
	w.mux.HandleFunc("POST /agent/tickets/{key}/fields", agent(w.agentFields))
	w.mux.HandleFunc("POST /agent/tickets/{key}/links", agent(w.agentAddLink))
	w.mux.HandleFunc("POST /agent/tickets/{key}/links/{id}/delete", agent(w.agentDeleteLink))
	w.mux.HandleFunc("POST /agent/tickets/{key}/attachments", agent(w.agentUpload))
	w.mux.HandleFunc("GET /agent/tickets/{key}/attachments/{id}", agent(w.agentDownload))
	w.mux.HandleFunc("GET /agent/live", agent(w.liveStream(newLiveHub(w.store, w.log))))
}

// Queues.

// agentQueue is one queue of the workspace's sidebar. For now the queues
// are this table; a later change makes them saved queries people edit.
type agentQueue struct {
	ID, Name string
	Sort     string // the default order, newest first: a key of store.SortFields
	filter   func(me directory.Actor, now time.Time) store.TicketFilter
}

var agentOpenCategories = []ticket.Category{ticket.CategoryToDo, ticket.CategoryInProgress}

var agentQueues = []agentQueue{
	{ID: "mine", Name: "Assigned to me", Sort: "created", filter: func(me directory.Actor, _ time.Time) store.TicketFilter {
		return store.TicketFilter{AssigneeID: me.UserID, Categories: agentOpenCategories}
	}},
	{ID: "unassigned", Name: "Unassigned", Sort: "created", filter: func(directory.Actor, time.Time) store.TicketFilter {
		return store.TicketFilter{Unassigned: true, Categories: agentOpenCategories}
	}},
	{ID: "open", Name: "All open", Sort: "created", filter: func(directory.Actor, time.Time) store.TicketFilter {
		return store.TicketFilter{Categories: agentOpenCategories}
	}},
	{ID: "resolved", Name: "Recently resolved", Sort: "resolved", filter: func(_ directory.Actor, now time.Time) store.TicketFilter {
		return store.TicketFilter{Categories: []ticket.Category{ticket.CategoryDone}, ResolvedAfter: now.Add(-7 * 24 * time.Hour)}
	}},
}

func agentFindQueue(id string) (agentQueue, bool) {
	for _, q := range agentQueues {
		if q.ID == id {
			return q, true
		}
	}
	return agentQueue{}, false
}

const agentPageSize = 50

// agentColumns are the columns of a queue; sort names the store order a
// column's header sorts by, and asc whether it sorts ascending first.
type agentColumnDef struct {
	label, sort, class string
	asc                bool
}

var agentColumns = []agentColumnDef{
	{"Key", "key", "col-key", false},
	{"Summary", "summary", "col-summary", true},
	{"Reporter", "", "col-reporter opt", false},
	{"Assignee", "", "col-assignee opt", false},
	{"Status", "status", "col-status", true},
	{"Priority", "priority", "col-priority", true},
	{"Service", "", "col-service opt", false},
	{"Created", "created", "col-created opt", false},
	{"Updated", "updated", "col-updated", false},
	{"Resolved", "resolved", "col-resolved", false},
}

type agentQueueLink struct {
	ID, Name, URL string
	Count         string
	Current       bool
}

type agentColumn struct {
	Label, Class string
	URL          string // sorts by this column; empty when it cannot sort
	AriaSort     string // "ascending" or "descending" on the sorted column
	Mark         string
}

type agentQueueView struct {
	Queue            agentQueue
	Queues           []agentQueueLink
	Columns          []agentColumn
	Rows             []ticket.Ticket
	Resolved         bool // the queue shows when tickets were resolved
	Text             string
	Sort, Order      string // as asked for; empty for the queue's default
	Range            string // "1-50 of 1 234"
	PrevURL, NextURL string
	SelfURL, LiveURL string
}

// agentQueueState is what a queue's URL says: order, page and search text.
type agentQueueState struct {
	sort, order string // as given; empty for the default
	page        int
	text        string
}

func (s agentQueueState) url(queueID string) string {
	var q []string // in this order, which reads best: sort, order, page, q
	if s.sort != "" {
		q = append(q, "sort="+url.QueryEscape(s.sort), "order="+url.QueryEscape(s.order))
	}
	if s.page > 1 {
		q = append(q, "page="+strconv.Itoa(s.page))
	}
	if s.text != "" {
		q = append(q, "q="+url.QueryEscape(s.text))
	}
	u := "/agent/queues/" + url.PathEscape(queueID)
	if len(q) > 0 {
		u += "?" + strings.Join(q, "&")
	}
	return u
}

func (w *Web) agentHome(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	w.agentRenderQueue(rw, r, id, agentQueues[0])
}

func (w *Web) agentQueue(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	q, ok := agentFindQueue(r.PathValue("id"))
	if !ok {
		w.notFound(rw, r, id)
		return
	}
	w.agentRenderQueue(rw, r, id, q)
}

func (w *Web) agentRenderQueue(rw http.ResponseWriter, r *http.Request, id auth.Identity, q agentQueue) {
	ctx := r.Context()
	in := r.URL.Query()
	st := agentQueueState{sort: in.Get("sort"), order: in.Get("order"), text: strings.TrimSpace(in.Get("q"))}
	if !slices.ContainsFunc(agentColumns, func(c agentColumnDef) bool { return c.sort != "" && c.sort == st.sort }) {
		st.sort, st.order = "", ""
	}
	if st.sort != "" && st.order != "asc" {
		st.order = "desc"
	}
	if len(st.text) > 200 {
		st.text = st.text[:200]
	}
	st.page, _ = strconv.Atoi(in.Get("page"))
	st.page = max(st.page, 1)

	after, err := w.store.LastEventID(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	now := time.Now()
	f := q.filter(id.Actor, now)
	f.Sort, f.Ascending = q.Sort, false
	if st.sort != "" {
		f.Sort, f.Ascending = st.sort, st.order == "asc"
	}
	f.Text, f.Limit, f.Offset = st.text, agentPageSize, (st.page-1)*agentPageSize
	// The queue on show is counted with its page, unless a search narrows
	// that. (Counting the queues side by side was no faster: on SQLite each
	// connection has its own page cache.)
	skip := q.ID
	if st.text != "" {
		skip = ""
	}
	list, err := w.store.Tickets(ctx, id.Actor, f)
	var counts []int
	if err == nil {
		counts, err = w.agentQueueCounts(ctx, id.Actor, now, skip)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}

	v := agentQueueView{Queue: q, Rows: list.Tickets, Resolved: q.ID == "resolved", Text: st.text, Sort: st.sort, Order: st.order,
		SelfURL: st.url(q.ID), LiveURL: liveURL("queue", q.ID, after)}
	for i, aq := range agentQueues {
		if aq.ID == skip {
			counts[i] = list.Total
		}
		v.Queues = append(v.Queues, agentQueueLink{ID: aq.ID, Name: aq.Name, URL: "/agent/queues/" + aq.ID, Count: agentThousands(counts[i]), Current: aq.ID == q.ID})
	}
	effSort, effAsc := f.Sort, f.Ascending
	for _, c := range agentColumns {
		if c.sort == "resolved" && !v.Resolved {
			continue
		}
		col := agentColumn{Label: c.label, Class: c.class}
		if c.sort != "" {
			next := st
			next.sort, next.order = c.sort, "desc"
			if c.asc {
				next.order = "asc"
			}
			if c.sort == effSort {
				col.AriaSort, col.Mark, next.order = "descending", "▼", "asc"
				if effAsc {
					col.AriaSort, col.Mark, next.order = "ascending", "▲", "desc"
				}
			}
			col.URL = next.url(q.ID)
		}
		v.Columns = append(v.Columns, col)
	}
	switch {
	case list.Total == 0:
		v.Range = "No tickets"
	case len(list.Tickets) == 0:
		v.Range = "Nothing on this page, of " + agentThousands(list.Total)
	default:
		v.Range = fmt.Sprintf("%s-%s of %s", agentThousands(list.Offset+1), agentThousands(list.Offset+len(list.Tickets)), agentThousands(list.Total))
	}
	if st.page > 1 {
		prev := st
		prev.page = min(st.page-1, max(1, (list.Total+agentPageSize-1)/agentPageSize))
		v.PrevURL = prev.url(q.ID)
	}
	if list.Offset+len(list.Tickets) < list.Total {
		next := st
		next.page++
		v.NextURL = next.url(q.ID)
	}
	w.render(rw, r, http.StatusOK, "agent_queue", Page{Title: q.Name, Section: "agent", Identity: id, Data: v})
}

// agentQueueCounts counts the tickets of every queue but skip, for the
// sidebar.
func (w *Web) agentQueueCounts(ctx context.Context, actor directory.Actor, now time.Time, skip string) ([]int, error) {
	counts := make([]int, len(agentQueues))
	for i, q := range agentQueues {
		if q.ID == skip {
			continue
		}
		n, err := w.store.CountTickets(ctx, actor, q.filter(actor, now))
		if err != nil {
			return nil, err
		}
		counts[i] = n
	}
	return counts, nil
}

// agentThousands writes 1234567 as "1 234 567".
func agentThousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// The ticket page.
