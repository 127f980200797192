package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/cql"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/queue"
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
	w.queueRoutes() // queues.go: making and changing queues
	w.slaRoutes()   // sla.go: the SLA report, and the admin pages of calendars and metrics
}

// Queues: saved queries of the store (queue package), listed in the
// sidebar with their counts.

const agentPageSize = 50

// agentFindQueue finds a queue by its slug or id.
func (w *Web) agentFindQueue(ctx context.Context, ref string) (queue.Queue, error) {
	if n, err := strconv.ParseInt(ref, 10, 64); err == nil && n > 0 {
		return w.store.Queue(ctx, n)
	}
	return w.store.QueueBySlug(ctx, ref)
}

type agentQueueLink struct {
	ID, Name, URL string
	Count         string
	Broken        bool // the query no longer compiles
	Current       bool
}

type agentColumn struct {
	Key, Label, Class string
	URL               string // sorts by this column; empty when it cannot sort
	AriaSort          string // "ascending" or "descending" on the sorted column
	Mark              string
}

// agentColumnClass is each column's CSS class; "opt" columns give way on
// narrow screens.
var agentColumnClass = map[string]string{
	"key": "col-key", "summary": "col-summary", "type": "col-type opt", "reporter": "col-reporter opt", "assignee": "col-assignee opt",
	"team": "col-team opt", "status": "col-status", "priority": "col-priority", "service": "col-service opt", "sla": "col-sla",
	"created": "col-created opt", "updated": "col-updated", "resolved": "col-resolved",
}

// agentRow is a ticket of a queue page with its SLA state, when the queue
// shows it.
type agentRow struct {
	ticket.Ticket
	SLA slaCell
}

// TypeLabel names the ticket's type as people say it.
func (r agentRow) TypeLabel() string { return agentTypeLabel(r.Type) }

type agentQueueView struct {
	Queue            queue.Queue
	Queues           []agentQueueLink
	Columns          []agentColumn
	Rows             []agentRow
	Text             string
	CQL              bool   // the search box holds a query
	CQLAsked         bool   // the "Advanced (CQL)" box was ticked
	SearchError      string // a mistake in the search query
	QueueError       string // the queue's own query no longer works
	Sort, Order      string // as asked for; empty for the queue's default
	Range            string // "1-50 of 1 234"
	PrevURL, NextURL string
	SelfURL, LiveURL string
}

// agentQueueState is what a queue's URL says: order, page and search.
type agentQueueState struct {
	sort, order string // as given; empty for the default
	page        int
	text        string
	cql         bool // the search is a query, as the user said
}

func (s agentQueueState) url(slug string) string {
	var q []string // in this order, which reads best: sort, order, page, q
	if s.sort != "" {
		q = append(q, "sort="+url.QueryEscape(s.sort), "order="+url.QueryEscape(s.order))
	}
	if s.page > 1 {
		q = append(q, "page="+strconv.Itoa(s.page))
	}
	if s.text != "" {
		q = append(q, "q="+url.QueryEscape(s.text))
		if s.cql {
			q = append(q, "cql=1")
		}
	}
	u := "/agent/queues/" + url.PathEscape(slug)
	if len(q) > 0 {
		u += "?" + strings.Join(q, "&")
	}
	return u
}

func (w *Web) agentHome(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	qs, err := w.store.Queues(r.Context())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if len(qs) == 0 {
		w.render(rw, r, http.StatusOK, "agent_queue", Page{Title: "Queues", Section: "agent", Identity: id, Data: agentQueueView{}})
		return
	}
	w.agentRenderQueue(rw, r, id, qs, qs[0])
}

func (w *Web) agentQueue(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	q, err := w.agentFindQueue(r.Context(), r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	qs, err := w.store.Queues(r.Context())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.agentRenderQueue(rw, r, id, qs, q)
}

// agentQueryLike tells search text that reads as a query: a comparison,
// a list or ORDER BY. Plain words are searched for in summaries and
// descriptions.
var agentQueryLike = regexp.MustCompile(`(?i)(=|~|<|>|\bIN\s*\(|\bIS\s+(NOT\s+)?EMPTY\b|\bORDER\s+BY\b)`)

// agentSearch is how a queue page narrows its queue: by text, or by a
// query ANDed with the queue's own.
func agentSearch(st agentQueueState) bool {
	return st.cql || agentQueryLike.MatchString(st.text)
}

// agentCombine ANDs the search query with the queue's. The search's ORDER
// BY, if any, replaces the queue's.
func agentCombine(base, search string) (string, bool, error) {
	b, err := cql.Parse(base)
	if err != nil {
		return "", false, err
	}
	s, err := cql.Parse(search)
	if err != nil {
		return "", false, err
	}
	q := &cql.Query{Where: b.Where, OrderBy: b.OrderBy}
	if len(s.OrderBy) > 0 {
		q.OrderBy = s.OrderBy
	}
	switch {
	case q.Where == nil:
		q.Where = s.Where
	case s.Where != nil:
		q.Where = &cql.And{Terms: []cql.Expr{b.Where, s.Where}}
	}
	return q.String(), len(s.OrderBy) > 0, nil
}

// agentSorted gives the order a queue lists in when the page asks for no
// other: its sort, else its query's first ORDER BY key if a column sorts by
// it, else newest first.
func agentSorted(q queue.Queue) (key string, asc bool) {
	if q.Sort != "" {
		return q.SortBy()
	}
	parsed, err := cql.Parse(q.Query)
	if err != nil || len(parsed.OrderBy) == 0 {
		return "created", false
	}
	first := parsed.OrderBy[0]
	if c, ok := queue.ColumnByKey(first.Field.Builtin()); ok && c.Sort != "" {
		return c.Sort, !first.Desc
	}
	return "", false
}

func (w *Web) agentRenderQueue(rw http.ResponseWriter, r *http.Request, id auth.Identity, all []queue.Queue, q queue.Queue) {
	ctx := r.Context()
	in := r.URL.Query()
	st := agentQueueState{sort: in.Get("sort"), order: in.Get("order"), text: strings.TrimSpace(in.Get("q")), cql: in.Get("cql") == "1"}
	if c, ok := queue.ColumnByKey(st.sort); !ok || c.Sort == "" {
		st.sort, st.order = "", ""
	}
	if st.sort != "" && st.order != "asc" {
		st.order = "desc"
	}
	if len(st.text) > 2000 {
		st.text = st.text[:2000]
	}
	st.page, _ = strconv.Atoi(in.Get("page"))
	st.page = max(st.page, 1)

	after, err := w.store.LastEventID(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := agentQueueView{Queue: q, Text: st.text, CQLAsked: st.cql, Sort: st.sort, Order: st.order,
		SelfURL: st.url(q.Slug), LiveURL: liveURL("queue", q.Slug, after)}
	f := store.TicketFilter{Limit: agentPageSize, Offset: (st.page - 1) * agentPageSize}
	if st.sort != "" {
		f.Sort, f.Ascending = st.sort, st.order == "asc"
	}
	listed := q
	if st.text != "" {
		if v.CQL = agentSearch(st); !v.CQL {
			f.Text = st.text
		} else if err := w.store.ValidateQuery(ctx, st.text); err != nil {
			e, ok := errs.As(err)
			if !ok || e.Kind != errs.KindInvalid {
				w.fail(rw, r, err)
				return
			}
			v.SearchError = upperFirst(e.Message)
		} else {
			text, ordered, err := agentCombine(q.Query, st.text)
			if err != nil {
				v.QueueError = upperFirst(err.Error())
			}
			listed.Query = text
			if ordered {
				listed.Sort = ""
			}
		}
	}
	// The queue on show is counted with its page, unless a search narrows
	// that. (Counting the queues side by side was no faster: on SQLite each
	// connection has its own page cache.)
	var list store.TicketPage
	counted := false
	if v.SearchError == "" && v.QueueError == "" {
		list, err = w.store.QueueTickets(ctx, id.Actor, listed, f, agentCountLimit)
		if e, ok := errs.As(err); ok && e.Kind == errs.KindInvalid && e.Field == "query" {
			v.QueueError, err = upperFirst(e.Message), nil
		}
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		counted = st.text == "" && v.QueueError == ""
	}
	if v.Queues, err = w.agentQueueLinks(ctx, id.Actor, all, q, counted, list.Total); err != nil {
		w.fail(rw, r, err)
		return
	}

	showsSLA := false
	for _, key := range q.Columns {
		showsSLA = showsSLA || key == "sla"
	}
	var slas map[int64]store.SLAState
	if showsSLA && len(list.Tickets) > 0 {
		ids := make([]int64, len(list.Tickets))
		for i, t := range list.Tickets {
			ids[i] = t.ID
		}
		if slas, err = w.store.SLAStates(ctx, id.Actor, ids); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	for _, t := range list.Tickets {
		v.Rows = append(v.Rows, agentRow{Ticket: t, SLA: newSLACell(slas[t.ID], time.Now())})
	}

	effSort, effAsc := agentSorted(listed)
	if f.Sort != "" {
		effSort, effAsc = f.Sort, f.Ascending
	}
	for _, key := range q.Columns {
		c, ok := queue.ColumnByKey(key)
		if !ok {
			continue
		}
		col := agentColumn{Key: c.Key, Label: c.Label, Class: agentColumnClass[c.Key]}
		if c.Sort != "" {
			next := st
			next.sort, next.order = c.Sort, "desc"
			if c.Asc {
				next.order = "asc"
			}
			if c.Sort == effSort {
				col.AriaSort, col.Mark, next.order = "descending", "▼", "asc"
				if effAsc {
					col.AriaSort, col.Mark, next.order = "ascending", "▲", "desc"
				}
			}
			next.page = st.page
			col.URL = next.url(q.Slug)
		}
		v.Columns = append(v.Columns, col)
	}
	switch {
	case v.SearchError != "" || v.QueueError != "":
		v.Range = "No tickets"
	case list.Total == 0:
		v.Range = "No tickets"
	case len(list.Tickets) == 0:
		v.Range = "Nothing on this page, of " + agentTotal(list.Total)
	default:
		v.Range = fmt.Sprintf("%s-%s of %s", agentThousands(list.Offset+1), agentThousands(list.Offset+len(list.Tickets)), agentTotal(list.Total))
	}
	if st.page > 1 {
		prev := st
		prev.page = st.page - 1
		if list.Total < agentCountLimit { // past the last page: back to it
			prev.page = min(prev.page, max(1, (list.Total+agentPageSize-1)/agentPageSize))
		}
		v.PrevURL = prev.url(q.Slug)
	}
	if list.Offset+len(list.Tickets) < list.Total || (list.Total >= agentCountLimit && len(list.Tickets) == agentPageSize) {
		next := st
		next.page++
		v.NextURL = next.url(q.Slug)
	}
	status := http.StatusOK
	if v.SearchError != "" {
		status = http.StatusUnprocessableEntity
	}
	w.render(rw, r, status, "agent_queue", Page{Title: q.Name, Section: "agent", Identity: id, Data: v})
}

// agentCountLimit is where the sidebar stops counting: a queue of more
// tickets shows "10 000+". Counting a queue of most of the desk (say, every
// open ticket breaching its SLA) then costs what its first 10 000 tickets
// cost.
const agentCountLimit = 10000

// agentQueueLinks gives the sidebar: every queue with its count. The
// current queue's count is total when counted; a queue whose query no
// longer works is marked instead of counted.
func (w *Web) agentQueueLinks(ctx context.Context, actor directory.Actor, all []queue.Queue, current queue.Queue, counted bool, total int) ([]agentQueueLink, error) {
	out := make([]agentQueueLink, 0, len(all))
	for _, q := range all {
		l := agentQueueLink{ID: q.Slug, Name: q.Name, URL: "/agent/queues/" + url.PathEscape(q.Slug), Current: q.ID == current.ID}
		n := total
		if !l.Current || !counted {
			var err error
			n, err = w.store.CountQueryUpTo(ctx, actor, q.Query, agentCountLimit)
			if e, ok := errs.As(err); ok && e.Kind == errs.KindInvalid {
				l.Broken, l.Count, err = true, "!", nil
			}
			if err != nil {
				return nil, err
			}
		}
		if !l.Broken {
			l.Count = agentTotal(n)
		}
		out = append(out, l)
	}
	return out, nil
}

// agentTotal writes a count that stopped at agentCountLimit: "10 000+".
func agentTotal(n int) string {
	if n >= agentCountLimit {
		return agentThousands(agentCountLimit) + "+"
	}
	return agentThousands(n)
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
