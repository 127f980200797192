package web

import (
	"cmp"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/queue"
)

// Making, changing, ordering and deleting the workspace's queues. Every
// queue is shared: any agent or admin may change it for everyone.

func (w *Web) queueRoutes() {
	agent := func(h func(http.ResponseWriter, *http.Request, auth.Identity)) http.HandlerFunc {
		return w.page(directory.RoleAgent, withForm(h))
	}
	w.mux.HandleFunc("GET /agent/queues", agent(w.queueList))
	w.mux.HandleFunc("GET /agent/queues/new", agent(w.queueNew))
	w.mux.HandleFunc("POST /agent/queues/new", agent(w.queueCreate))
	w.mux.HandleFunc("GET /agent/queues/{id}/edit", agent(w.queueEdit))
	w.mux.HandleFunc("POST /agent/queues/{id}/edit", agent(w.queueUpdate))
	w.mux.HandleFunc("POST /agent/queues/{id}/delete", agent(w.queueDelete))
	w.mux.HandleFunc("POST /agent/queues/{id}/move", agent(w.queueMove))
}

// queueListView is the page that manages the queues.
type queueListView struct {
	Queues []queueListItem
}

type queueListItem struct {
	queue.Queue
	agentQueueLink
	First, Last bool
}

func (w *Web) queueList(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	qs, err := w.store.Queues(r.Context())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	links, err := w.agentQueueLinks(r.Context(), id.Actor, qs, queue.Queue{}, false, 0)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	var v queueListView
	for i, q := range qs {
		v.Queues = append(v.Queues, queueListItem{Queue: q, agentQueueLink: links[i], First: i == 0, Last: i == len(qs)-1})
	}
	w.render(rw, r, http.StatusOK, "queue_list", Page{Title: "Queues", Section: "agent", Identity: id, Data: v})
}

// queueFormView is the queue editor.
type queueFormView struct {
	Queue     queue.Queue // as typed; ID 0 for a new queue
	Columns   []queueColumnChoice
	Sorts     []agentOption
	Positions []agentOption
	Fields    string // the query language's fields, for the help text
}

type queueColumnChoice struct {
	Key, Label string
	Shown      bool
	Order      string
}

func (w *Web) queueNew(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	q := queue.Queue{Columns: queue.DefaultColumns, Position: math.MaxInt32, Query: strings.TrimSpace(r.URL.Query().Get("query"))}
	w.queueRenderForm(rw, r, id, http.StatusOK, q, nil, nil)
}

func (w *Web) queueEdit(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	q, err := w.agentFindQueue(r.Context(), r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.queueRenderForm(rw, r, id, http.StatusOK, q, nil, nil)
}

// queueRenderForm shows the editor for q; orders are the order numbers
// typed, fail the reason a save failed.
func (w *Web) queueRenderForm(rw http.ResponseWriter, r *http.Request, id auth.Identity, status int, q queue.Queue, orders map[string]string, fail *formFailure) {
	all, err := w.store.Queues(r.Context())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := queueFormView{Queue: q, Fields: "key, type, status, category, priority, impact, urgency, service, \"request type\", summary, description, text, reporter, " +
		"assignee, organization, team, channel, resolution, created, updated, resolved, sla"}
	for _, c := range queue.Columns {
		choice := queueColumnChoice{Key: c.Key, Label: c.Label}
		if i := slices.Index(q.Columns, c.Key); i >= 0 {
			choice.Shown, choice.Order = true, strconv.Itoa(i+1)
		}
		if o, ok := orders[c.Key]; ok {
			choice.Order = o
		}
		v.Columns = append(v.Columns, choice)
	}
	v.Sorts = []agentOption{{Value: "", Label: "The query's ORDER BY, or newest first", Selected: q.Sort == ""}}
	for _, c := range queue.Columns {
		if c.Sort == "" {
			continue
		}
		for _, dir := range []struct{ v, l string }{{"desc", "descending"}, {"asc", "ascending"}} {
			val := c.Sort + " " + dir.v
			v.Sorts = append(v.Sorts, agentOption{Value: val, Label: c.Label + ", " + dir.l, Selected: q.Sort == val})
		}
	}
	var others []queue.Queue
	for _, o := range all {
		if o.ID != q.ID {
			others = append(others, o)
		}
	}
	pos := min(q.Position, len(others))
	for i := 0; i <= len(others); i++ {
		label := "At the top"
		if i > 0 {
			label = "After “" + others[i-1].Name + "”"
		}
		v.Positions = append(v.Positions, agentOption{Value: strconv.Itoa(i), Label: label, Selected: i == pos})
	}
	title := "New queue"
	if q.ID != 0 {
		title = "Edit queue"
	}
	p := Page{Title: title, Section: "agent", Identity: id, Data: v}
	if fail != nil {
		fail.apply(&p)
	}
	w.render(rw, r, status, "queue_edit", p)
}

// queueForm reads the editor: the queue and the order numbers typed.
func queueForm(r *http.Request) (queue.Queue, map[string]string, *formFailure) {
	f := r.PostForm
	q := queue.Queue{Name: f.Get("name"), Query: f.Get("query"), Sort: f.Get("sort")}
	orders := map[string]string{}
	type shown struct {
		key   string
		order int
		at    int
	}
	var cols []shown
	for i, c := range queue.Columns {
		o := strings.TrimSpace(f.Get("order." + c.Key))
		orders[c.Key] = o
		if !slices.Contains(f["columns"], c.Key) {
			continue
		}
		n := math.MaxInt32
		if o != "" {
			var err error
			if n, err = strconv.Atoi(o); err != nil || n < 0 {
				fail := invalid("columns", "Write the place of "+c.Label+" as a number, such as 3.")
				return q, orders, &fail
			}
		}
		cols = append(cols, shown{c.Key, n, i})
	}
	slices.SortStableFunc(cols, func(a, b shown) int { return cmp.Or(cmp.Compare(a.order, b.order), cmp.Compare(a.at, b.at)) })
	q.Columns = []string{}
	for _, c := range cols {
		q.Columns = append(q.Columns, c.key)
	}
	q.Position = math.MaxInt32
	if v := f.Get("position"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			fail := invalid("position", "Choose a place from the list.")
			return q, orders, &fail
		}
		q.Position = n
	}
	return q, orders, nil
}

// queueFailed shows the editor again with the reason the store gave.
func (w *Web) queueFailed(rw http.ResponseWriter, r *http.Request, id auth.Identity, q queue.Queue, orders map[string]string, err error) {
	if e, ok := errs.As(err); ok && strings.HasPrefix(e.Field, "columns[") {
		copied := *e
		copied.Field = "columns"
		err = &copied
	}
	fail, ok := asFormFailure(err, "name", "query", "columns", "sort", "position")
	if !ok {
		w.fail(rw, r, err)
		return
	}
	for k, msg := range fail.Errors {
		fail.Errors[k] = queueSentence(msg)
	}
	w.queueRenderForm(rw, r, id, fail.Status, q, orders, &fail)
}

func (w *Web) queueCreate(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	q, orders, fail := queueForm(r)
	if fail != nil {
		w.queueRenderForm(rw, r, id, fail.Status, q, orders, fail)
		return
	}
	saved, err := w.store.CreateQueue(r.Context(), id.Actor, q)
	if err != nil {
		w.queueFailed(rw, r, id, q, orders, err)
		return
	}
	redirectWithFlash(rw, r, "/agent/queues/"+url.PathEscape(saved.Slug), "Queue “"+saved.Name+"” created for everyone.")
}

func (w *Web) queueUpdate(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	old, err := w.agentFindQueue(r.Context(), r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	q, orders, fail := queueForm(r)
	q.ID, q.Slug = old.ID, old.Slug
	if fail != nil {
		w.queueRenderForm(rw, r, id, fail.Status, q, orders, fail)
		return
	}
	saved, err := w.store.UpdateQueue(r.Context(), id.Actor, q)
	if err != nil {
		w.queueFailed(rw, r, id, q, orders, err)
		return
	}
	redirectWithFlash(rw, r, "/agent/queues/"+url.PathEscape(saved.Slug), "Queue “"+saved.Name+"” saved.")
}

func (w *Web) queueDelete(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	q, err := w.agentFindQueue(r.Context(), r.PathValue("id"))
	if err == nil {
		err = w.store.DeleteQueue(r.Context(), id.Actor, q.ID)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	redirectWithFlash(rw, r, "/agent/queues", "Queue “"+q.Name+"” deleted.")
}

// queueMove moves a queue one place up or down the sidebar.
func (w *Web) queueMove(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	q, err := w.agentFindQueue(r.Context(), r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	to := q.Position + 1
	if r.PostForm.Get("dir") == "up" {
		to = max(q.Position-1, 0)
	}
	if err := w.store.MoveQueue(r.Context(), id.Actor, q.ID, to); err != nil {
		w.fail(rw, r, err)
		return
	}
	redirectWithFlash(rw, r, "/agent/queues#queue-"+url.PathEscape(q.Slug), "Moved “"+q.Name+"”.")
}

// queueSentence drops the period a message was given after its own
// question mark: query errors end with "did you mean …?".
func queueSentence(msg string) string {
	if strings.HasSuffix(msg, "?.") {
		return strings.TrimSuffix(msg, ".")
	}
	return msg
}
