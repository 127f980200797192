package web

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
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

type agentOption struct {
	Value, Label string
	Selected     bool
}

type agentOptionGroup struct {
	Label   string
	Options []agentOption
}

// agentTransitionView is a transition button, with the small form it shows
// when the workflow wants more before the ticket may move.
type agentTransitionView struct {
	ID, Name, To   string
	Done           bool // leads to a done status: asks how it was resolved
	NeedAssignee   bool
	NeedComment    bool
	Notes          []string // requirements to meet elsewhere first
	Open           bool     // unfolded, to show why it failed
	Error          string
	Errors         map[string]string
	Comment        string
	Internal       bool
	Resolution     string
	Assignees      []agentOption
	ResolutionList []string
}

// Form reports whether the transition asks for anything before it is taken.
func (t agentTransitionView) Form() bool {
	return t.Done || t.NeedAssignee || t.NeedComment || len(t.Notes) > 0
}

type agentFieldValue struct{ Label, Value string }

type agentLinkView struct {
	ticket.Link
	Words string // how the kind reads: "is blocked by"
}

type agentAttachmentView struct {
	ticket.Attachment
	URL, Size string
}

type agentHistoryEntry struct {
	Actor string
	At    time.Time
	Kind  string // the event type without "ticket.", for styling
	Lines []string
}

type agentTicketView struct {
	T           ticket.Ticket
	Type        string
	Mine        bool
	Transitions []agentTransitionView
	Comments    []ticket.Comment
	History     []agentHistoryEntry
	Links       []agentLinkView
	Attachments []agentAttachmentView
	Fields      []agentFieldValue
	Assignees   []agentOption
	Teams       []agentOption
	Priorities  []agentOption
	LinkKinds   []agentOption
	LinkTicket  string
	Reply       string
	Internal    bool
	SelfURL     string
	LiveURL     string
}

// agentResolutions are offered when a ticket is resolved; none given means "Done".
var agentResolutions = []string{"Fixed", "Workaround", "Won't do", "Duplicate", "Cannot reproduce"}

var agentLinkKinds = []agentOption{
	{Value: string(ticket.LinkRelates), Label: "relates to"},
	{Value: string(ticket.LinkCausedBy), Label: "is caused by"},
	{Value: string(ticket.LinkDuplicates), Label: "duplicates"},
	{Value: string(ticket.LinkBlocks), Label: "blocks"},
}

// agentLinkWords says how a link kind reads, from either end.
var agentLinkWords = map[string]string{
	"relates_to": "relates to", "caused_by": "is caused by", "causes": "causes", "duplicates": "duplicates",
	"is_duplicated_by": "is duplicated by", "blocks": "blocks", "is_blocked_by": "is blocked by",
}

func agentTicketURL(key string) string {
	return "/agent/tickets/" + url.PathEscape(strings.ToUpper(key))
}

// agentTicketData reads everything the ticket page shows.
func (w *Web) agentTicketData(ctx context.Context, actor directory.Actor, key string) (agentTicketView, error) {
	var v agentTicketView
	// The newest event is read first: whatever changes after it reaches the
	// page through its live stream.
	after, err := w.store.LastEventID(ctx)
	if err != nil {
		return v, err
	}
	t, err := w.store.Ticket(ctx, actor, key)
	if err != nil {
		return v, err
	}
	v.T, v.Type, v.Mine = t, agentTypeLabel(t.Type), t.AssigneeID == actor.UserID
	v.SelfURL, v.LiveURL = agentTicketURL(t.Key), liveURL("ticket", t.Key, after)
	if v.Comments, err = w.store.Comments(ctx, actor, t.Key); err != nil {
		return v, err
	}
	links, err := w.store.Links(ctx, actor, t.Key)
	if err != nil {
		return v, err
	}
	for _, l := range links {
		v.Links = append(v.Links, agentLinkView{Link: l, Words: agentOr(agentLinkWords[l.Kind], l.Kind)})
	}
	files, err := w.store.Attachments(ctx, actor, t.Key)
	if err != nil {
		return v, err
	}
	for _, a := range files {
		v.Attachments = append(v.Attachments, agentAttachmentView{Attachment: a, Size: agentByteSize(a.Size),
			URL: agentTicketURL(t.Key) + "/attachments/" + strconv.FormatInt(a.ID, 10)})
	}
	staff, err := w.agentStaff(ctx)
	if err != nil {
		return v, err
	}
	teams, err := w.store.Teams(ctx)
	if err != nil {
		return v, err
	}
	svc, err := w.store.Service(ctx, t.ServiceID)
	if err != nil {
		return v, err
	}
	// Admins, and the agents of the teams that serve the ticket's service,
	// may work it; the current assignee stays listed whatever happened since.
	serving := map[int64]bool{}
	names := &agentNames{w: w, ctx: ctx, staff: map[int64]string{}, teams: map[int64]string{}, labels: map[string]string{}}
	v.Teams = []agentOption{{Value: "", Label: "No team", Selected: t.TeamID == 0}}
	for _, tm := range teams {
		names.teams[tm.ID] = tm.Name
		v.Teams = append(v.Teams, agentOption{Value: strconv.FormatInt(tm.ID, 10), Label: tm.Name, Selected: tm.ID == t.TeamID})
		if slices.Contains(svc.TeamIDs, tm.ID) {
			for _, id := range tm.MemberIDs {
				serving[id] = true
			}
		}
	}
	v.Assignees = []agentOption{{Value: "", Label: "Unassigned", Selected: t.AssigneeID == 0}}
	for _, u := range staff {
		names.staff[u.ID] = u.Name
		if u.Role == directory.RoleAdmin || serving[u.ID] || u.ID == t.AssigneeID {
			v.Assignees = append(v.Assignees, agentOption{Value: strconv.FormatInt(u.ID, 10), Label: u.Name, Selected: u.ID == t.AssigneeID})
		}
	}
	for _, p := range ticket.Priorities {
		v.Priorities = append(v.Priorities, agentOption{Value: string(p), Label: string(p), Selected: p == t.Priority})
	}
	v.LinkKinds = agentLinkKinds
	if v.Fields, err = w.agentCustomFields(ctx, t, names); err != nil {
		return v, err
	}
	if v.Transitions, err = w.agentTransitions(ctx, actor, t, v.Assignees); err != nil {
		return v, err
	}
	events, err := w.store.History(ctx, actor, t.Key)
	if err != nil {
		return v, err
	}
	v.History = names.history(events)
	return v, nil
}

// agentStaff lists the active agents and admins, by name: the people a ticket
// can be assigned to.
func (w *Web) agentStaff(ctx context.Context) ([]directory.User, error) {
	var out []directory.User
	for _, role := range []directory.Role{directory.RoleAgent, directory.RoleAdmin} {
		us, err := w.store.Users(ctx, store.UserFilter{Role: role})
		if err != nil {
			return nil, err
		}
		for _, u := range us {
			if u.Active {
				out = append(out, u)
			}
		}
	}
	slices.SortFunc(out, func(a, b directory.User) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return out, nil
}

// agentCustomFields gives the ticket's form values with the labels of its
// request type's form; values of fields since removed keep their key.
func (w *Web) agentCustomFields(ctx context.Context, t ticket.Ticket, names *agentNames) ([]agentFieldValue, error) {
	var form []catalog.Field
	if t.RequestTypeID != 0 {
		rt, err := w.store.RequestType(ctx, t.RequestTypeID)
		if err != nil && !errs.Is(err, errs.KindNotFound) {
			return nil, err
		}
		form = rt.Fields
	}
	var out []agentFieldValue
	seen := map[string]bool{}
	for _, f := range form {
		names.labels["fields."+f.Key] = f.Label
		v, ok := t.Fields[f.Key]
		if !ok {
			continue
		}
		seen[f.Key] = true
		s := agentShowValue(v)
		if f.Type == catalog.FieldUser {
			s = names.user(v)
		}
		out = append(out, agentFieldValue{Label: f.Label, Value: s})
	}
	var rest []string
	for k := range t.Fields {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range rest {
		out = append(out, agentFieldValue{Label: k, Value: agentShowValue(t.Fields[k])})
	}
	return out, nil
}

func (w *Web) agentTransitions(ctx context.Context, actor directory.Actor, t ticket.Ticket, assignees []agentOption) ([]agentTransitionView, error) {
	trs, err := w.store.Transitions(ctx, actor, t.Key)
	if err != nil {
		return nil, err
	}
	wf, err := w.store.Workflow(ctx, t.WorkflowID)
	if err != nil {
		return nil, err
	}
	var out []agentTransitionView
	for _, tr := range trs {
		tv := agentTransitionView{ID: tr.ID, Name: tr.Name, To: tr.To, Assignees: assignees, ResolutionList: agentResolutions}
		if st, ok := wf.Status(tr.To); ok && st.Category == ticket.CategoryDone {
			tv.Done = true
		}
		for _, f := range tr.RequiredFields {
			switch {
			case f == "assignee":
				tv.NeedAssignee = t.AssigneeID == 0
			case f == "comment":
				tv.NeedComment = true
			case f == "resolution":
				tv.Done = true
			case f == "team" && t.TeamID == 0:
				tv.Notes = append(tv.Notes, "Set a team first.")
			case strings.HasPrefix(f, "fields."):
				if v, ok := t.Fields[strings.TrimPrefix(f, "fields.")]; !ok || v == nil || v == "" {
					tv.Notes = append(tv.Notes, "The ticket needs "+strings.TrimPrefix(f, "fields.")+" set first.")
				}
			}
		}
		out = append(out, tv)
	}
	return out, nil
}

func (w *Web) agentTicket(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	w.agentRenderTicket(rw, r, id, r.PathValue("key"), http.StatusOK, nil)
}

// agentTicketForm is a failed post from the ticket page: which form, the error
// by field and what was typed, so the page shows it again.
type agentTicketForm struct {
	name   string // reply, transition, fields, link, attachment
	err    *errs.Error
	values map[string]any
	to     string // the transition that was tried
}

// agentRenderTicket shows the ticket page, with a failed form's message next to
// its field when form is set.
func (w *Web) agentRenderTicket(rw http.ResponseWriter, r *http.Request, id auth.Identity, key string, status int, form *agentTicketForm) {
	v, err := w.agentTicketData(r.Context(), id.Actor, key)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := Page{Title: v.T.Key + " " + v.T.Summary, Section: "agent", Identity: id, Data: &v}
	if form != nil {
		msg := agentFieldMessage(form.err)
		p.Values = form.values
		field := form.err.Field
		switch form.name {
		case "transition":
			i := slices.IndexFunc(v.Transitions, func(t agentTransitionView) bool {
				return t.ID == form.to || strings.EqualFold(t.Name, form.to) || strings.EqualFold(t.To, form.to)
			})
			if i < 0 {
				p.Error = msg
				break
			}
			tv := &v.Transitions[i]
			tv.Open = true
			tv.Comment, _ = form.values["comment"].(string)
			tv.Internal = form.values["internal"] == true
			tv.Resolution, _ = form.values["resolution"].(string)
			if field == "assignee" || field == "comment" || field == "resolution" {
				tv.Errors = map[string]string{field: msg}
			} else {
				tv.Error = msg
			}
		case "reply":
			v.Reply, _ = form.values["body"].(string)
			v.Internal = form.values["internal"] == true
			p.Errors = map[string]string{"reply": msg}
		case "link":
			v.LinkTicket, _ = form.values["ticket"].(string)
			kind, _ := form.values["kind"].(string)
			v.LinkKinds = slices.Clone(agentLinkKinds)
			for i := range v.LinkKinds {
				v.LinkKinds[i].Selected = v.LinkKinds[i].Value == kind
			}
			p.Errors = map[string]string{"link": msg}
		default:
			key := form.name
			if field != "" && form.name == "fields" {
				key = "fields." + field
			}
			p.Errors = map[string]string{key: msg}
		}
	}
	w.render(rw, r, status, "agent_ticket", p)
}

// agentFormFailed answers a failed post from the ticket page: a rejected value
// or a state that does not allow it shows the page again with the reason,
// anything else (a hidden ticket included) the usual error page.
func (w *Web) agentFormFailed(rw http.ResponseWriter, r *http.Request, id auth.Identity, key string, err error, form agentTicketForm) {
	e, ok := errs.As(err)
	if !ok {
		w.fail(rw, r, err)
		return
	}
	status := map[errs.Kind]int{errs.KindInvalid: http.StatusUnprocessableEntity, errs.KindConflict: http.StatusConflict,
		errs.KindForbidden: http.StatusForbidden, errs.KindTooLarge: http.StatusRequestEntityTooLarge}[e.Kind]
	if status == 0 {
		w.fail(rw, r, err)
		return
	}
	form.err = e
	w.agentRenderTicket(rw, r, id, key, status, &form)
}

var agentFieldLabels = map[string]string{
	"body": "The message", "comment": "A comment", "assignee": "An assignee", "resolution": "The resolution",
	"priority": "The priority", "team": "The team", "ticket": "The ticket key", "kind": "The link type",
	"file": "The file", "filename": "The file name", "service": "The service", "request_type": "The request type",
	"type": "The type", "summary": "The summary", "description": "The description", "impact": "The impact",
	"urgency": "The urgency", "reporter": "The reporter", "to": "The transition", "organization": "The organization",
}

// agentFieldMessage turns a store error into a sentence: "An assignee is
// required to implement."
func agentFieldMessage(e *errs.Error) string {
	msg := e.Message
	if label, ok := agentFieldLabels[e.Field]; ok && (strings.HasPrefix(msg, "is ") || strings.HasPrefix(msg, "must ")) {
		msg = label + " " + msg
	} else if e.Field != "" && (strings.HasPrefix(msg, "is ") || strings.HasPrefix(msg, "must ")) {
		msg = e.Field + " " + msg
	}
	r := []rune(msg)
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	msg = string(r)
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

// Actions on a ticket. Each answers with a redirect back to the page and a
// message (post/redirect/get), or with the page and the reason it failed.

func (w *Web) agentComment(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	key := r.PathValue("key")
	body := r.PostFormValue("body")
	internal := r.PostFormValue("visibility") == "internal"
	c, err := w.store.AddComment(r.Context(), id.Actor, key, body, internal)
	if err != nil {
		w.agentFormFailed(rw, r, id, key, err, agentTicketForm{name: "reply", values: map[string]any{"body": body, "internal": internal}})
		return
	}
	msg := "Reply sent to the customer."
	if internal {
		msg = "Internal note added."
	}
	redirectWithFlash(rw, r, agentTicketURL(key)+"#comment-"+strconv.FormatInt(c.ID, 10), msg)
}

func (w *Web) agentTransition(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	key, to := r.PathValue("key"), r.PostFormValue("to")
	in := store.TransitionInput{To: to, Comment: r.PostFormValue("comment"), Internal: r.PostFormValue("internal") != "",
		Resolution: r.PostFormValue("resolution")}
	values := map[string]any{"comment": in.Comment, "internal": in.Internal, "resolution": in.Resolution}
	var err error
	if a := r.PostFormValue("assignee"); a != "" {
		in.AssigneeID, err = agentUserChoice(a, id)
	}
	var t ticket.Ticket
	if err == nil {
		t, err = w.store.Transition(r.Context(), id.Actor, key, in)
	}
	if err != nil {
		w.agentFormFailed(rw, r, id, key, err, agentTicketForm{name: "transition", to: to, values: values})
		return
	}
	redirectWithFlash(rw, r, agentTicketURL(t.Key), fmt.Sprintf("%s is now %s.", t.Key, t.Status))
}

// agentUserChoice reads an assignee from a form: "me", a user id, or "" for nobody.
func agentUserChoice(v string, id auth.Identity) (int64, error) {
	switch v {
	case "me":
		return id.Actor.UserID, nil
	case "", "0":
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, errs.Invalid("assignee", "must be someone from the list")
	}
	return n, nil
}

// agentFields changes the assignee, team or priority: whichever the form
// sends.
func (w *Web) agentFields(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	key := r.PathValue("key")
	_ = r.ParseForm()
	var p store.TicketPatch
	var err error
	if r.PostForm.Has("assignee") {
		var a int64
		if a, err = agentUserChoice(r.PostForm.Get("assignee"), id); err == nil {
			p.AssigneeID = &a
		}
	}
	if r.PostForm.Has("team") && err == nil {
		var tm int64
		if v := r.PostForm.Get("team"); v != "" {
			if tm, err = strconv.ParseInt(v, 10, 64); err != nil {
				err = errs.Invalid("team", "must be a team from the list")
			}
		}
		p.TeamID = &tm
	}
	if r.PostForm.Has("priority") {
		pr := r.PostForm.Get("priority")
		p.Priority = &pr
	}
	var before, after ticket.Ticket
	if err == nil {
		before, err = w.store.Ticket(r.Context(), id.Actor, key)
	}
	if err == nil {
		after, err = w.store.UpdateTicket(r.Context(), id.Actor, key, p)
	}
	if err != nil {
		w.agentFormFailed(rw, r, id, key, err, agentTicketForm{name: "fields"})
		return
	}
	var said []string
	switch {
	case before.AssigneeID == after.AssigneeID:
	case after.AssigneeID == id.Actor.UserID:
		said = append(said, "Assigned to you")
	case after.AssigneeID == 0:
		said = append(said, "Unassigned")
	default:
		said = append(said, "Assigned to "+after.Assignee)
	}
	if before.TeamID != after.TeamID {
		said = append(said, "team set to "+agentOr(after.Team, "none"))
	}
	if before.Priority != after.Priority {
		said = append(said, "priority set to "+string(after.Priority))
	}
	msg := "Nothing changed."
	if len(said) > 0 {
		msg = strings.Join(said, ", ") + "."
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	redirectWithFlash(rw, r, agentTicketURL(after.Key), msg)
}

func agentOr(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}

func (w *Web) agentAddLink(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	key := r.PathValue("key")
	kind, target := r.PostFormValue("kind"), strings.TrimSpace(r.PostFormValue("ticket"))
	l, err := w.store.AddLink(r.Context(), id.Actor, key, ticket.LinkKind(kind), target)
	if err != nil {
		w.agentFormFailed(rw, r, id, key, err, agentTicketForm{name: "link", values: map[string]any{"kind": kind, "ticket": target}})
		return
	}
	redirectWithFlash(rw, r, agentTicketURL(key)+"#links", "Linked: "+agentLinkWords[l.Kind]+" "+l.TicketKey+".")
}

func (w *Web) agentDeleteLink(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	key := r.PathValue("key")
	linkID, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		w.notFound(rw, r, id)
		return
	}
	if err := w.store.DeleteLink(r.Context(), id.Actor, key, linkID); err != nil {
		w.agentFormFailed(rw, r, id, key, err, agentTicketForm{name: "link"})
		return
	}
	redirectWithFlash(rw, r, agentTicketURL(key)+"#links", "Link removed.")
}

func (w *Web) agentUpload(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	key := r.PathValue("key")
	f, hdr, err := r.FormFile("file")
	if err != nil {
		w.agentFormFailed(rw, r, id, key, errs.Invalid("file", "choose a file to attach"), agentTicketForm{name: "attachment"})
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, ticket.MaxAttachment+1))
	if err != nil {
		w.serverError(rw, r, err)
		return
	}
	a, err := w.store.AddAttachment(r.Context(), id.Actor, key, hdr.Filename, hdr.Header.Get("Content-Type"), data)
	if err != nil {
		w.agentFormFailed(rw, r, id, key, err, agentTicketForm{name: "attachment"})
		return
	}
	redirectWithFlash(rw, r, agentTicketURL(key)+"#attachments", "Attached "+a.Filename+".")
}

// agentDownload sends an attachment as a download that the browser never
// renders in Cairn's origin: customers upload these files.
func (w *Web) agentDownload(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	fileID, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		w.notFound(rw, r, id)
		return
	}
	a, data, err := w.store.AttachmentContent(r.Context(), id.Actor, r.PathValue("key"), fileID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	ct := a.ContentType
	if _, _, err := mime.ParseMediaType(ct); err != nil {
		ct = "application/octet-stream"
	}
	disp := mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename})
	if disp == "" {
		disp = "attachment"
	}
	h := rw.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", disp)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "private, no-store")
	rw.Write(data)
}

// History, told the way people say it.

// agentNames turns the ids in a history into names, reading what it needs once.
type agentNames struct {
	w      *Web
	ctx    context.Context
	staff  map[int64]string
	teams  map[int64]string
	orgs   map[int64]string
	labels map[string]string // custom field key ("fields.device") → label
}

func (n *agentNames) user(v any) string {
	id, ok := agentID(v)
	if !ok || id == 0 {
		return "nobody"
	}
	if name, ok := n.staff[id]; ok {
		return name
	}
	if u, err := n.w.store.User(n.ctx, id); err == nil {
		n.staff[id] = u.Name
		return u.Name
	}
	return "user " + strconv.FormatInt(id, 10)
}

func (n *agentNames) team(v any) string {
	id, _ := agentID(v)
	if name, ok := n.teams[id]; ok {
		return name
	}
	if id == 0 {
		return "no team"
	}
	return "team " + strconv.FormatInt(id, 10)
}

func (n *agentNames) org(v any) string {
	id, _ := agentID(v)
	if n.orgs == nil {
		n.orgs = map[int64]string{}
		if orgs, err := n.w.store.Organizations(n.ctx); err == nil {
			for _, o := range orgs {
				n.orgs[o.ID] = o.Name
			}
		}
	}
	if name, ok := n.orgs[id]; ok {
		return name
	}
	return "organization " + strconv.FormatInt(id, 10)
}

func agentID(v any) (int64, bool) {
	switch x := v.(type) {
	case float64:
		return int64(x), true
	case int64:
		return x, true
	case int:
		return int64(x), true
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		return n, err == nil
	}
	return 0, false
}

func (n *agentNames) history(events []ticket.Event) []agentHistoryEntry {
	out := make([]agentHistoryEntry, 0, len(events))
	for _, ev := range events {
		e := agentHistoryEntry{Actor: ev.Actor, At: ev.CreatedAt, Kind: strings.TrimPrefix(ev.Type, "ticket.")}
		data, _ := ev.Data.(map[string]any)
		switch ev.Type {
		case ticket.EventCreated:
			line := "raised the ticket"
			if ch, _ := data["channel"].(string); ch != "" {
				line += " (" + ch + ")"
			}
			e.Lines = []string{line}
		case ticket.EventUpdated, ticket.EventTransitioned:
			for _, c := range ev.Changes {
				e.Lines = append(e.Lines, n.change(c))
			}
		case ticket.EventCommented:
			if internal, _ := data["internal"].(bool); internal {
				e.Lines = []string{"added an internal note"}
			} else {
				e.Lines = []string{"replied"}
			}
		case ticket.EventLinked:
			kind, _ := data["kind"].(string)
			other, _ := data["ticket"].(string)
			e.Lines = []string{"linked it: " + agentOr(agentLinkWords[kind], kind) + " " + other}
		case ticket.EventUnlinked:
			e.Lines = []string{"removed a link"}
		case ticket.EventAttachmentAdded:
			name, _ := data["filename"].(string)
			size, _ := agentID(data["size"])
			e.Lines = []string{"attached " + name + " (" + agentByteSize(size) + ")"}
		default:
			e.Lines = []string{strings.ReplaceAll(e.Kind, "_", " ")}
		}
		if len(e.Lines) == 0 {
			continue
		}
		out = append(out, e)
	}
	slices.Reverse(out) // newest first
	return out
}

func (n *agentNames) change(c ticket.Change) string {
	switch c.Field {
	case "status":
		return fmt.Sprintf("changed the status from %s to %s", agentShowValue(c.From), agentShowValue(c.To))
	case "description":
		return "edited the description"
	case "resolution":
		if agentShowValue(c.To) == "none" {
			return "cleared the resolution"
		}
		return "set the resolution to " + agentShowValue(c.To)
	case "assignee_id":
		from, _ := agentID(c.From)
		to, _ := agentID(c.To)
		switch {
		case from == 0:
			return "assigned it to " + n.user(c.To)
		case to == 0:
			return "unassigned " + n.user(c.From)
		}
		return fmt.Sprintf("reassigned it from %s to %s", n.user(c.From), n.user(c.To))
	case "team_id":
		return fmt.Sprintf("changed the team from %s to %s", n.team(c.From), n.team(c.To))
	case "organization_id":
		if to, _ := agentID(c.To); to == 0 {
			return "stopped sharing it with " + n.org(c.From)
		}
		return "shared it with " + n.org(c.To)
	}
	label := n.labels[c.Field]
	if label == "" {
		label = strings.ReplaceAll(strings.TrimPrefix(c.Field, "fields."), "_", " ")
	}
	if agentShowValue(c.From) == "none" {
		return fmt.Sprintf("set %s to %s", label, agentShowValue(c.To))
	}
	return fmt.Sprintf("changed %s from %s to %s", label, agentShowValue(c.From), agentShowValue(c.To))
}

// agentShowValue writes a field value as people read it.
func agentShowValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "none"
	case string:
		if x == "" {
			return "none"
		}
		return x
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = agentShowValue(e)
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}

func agentTypeLabel(t ticket.Type) string {
	s := strings.ReplaceAll(string(t), "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// agentByteSize writes a file size: "812 B", "12 KB", "3.4 MB".
func agentByteSize(n int64) string {
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1000*1000:
		return strconv.FormatInt((n+500)/1000, 10) + " KB"
	}
	return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " MB"
}

// Raising a ticket for a customer.

type agentNewTicketView struct {
	Services     []agentOption
	RequestTypes []agentOptionGroup
	Types        []agentOption
	Impacts      []agentOption
	Urgencies    []agentOption
	Priorities   []agentOption
}

func (w *Web) agentNewTicket(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	w.agentRenderNewTicket(rw, r, id, http.StatusOK, Page{Values: map[string]any{}})
}

func (w *Web) agentRenderNewTicket(rw http.ResponseWriter, r *http.Request, id auth.Identity, status int, p Page) {
	ctx := r.Context()
	val := func(k string) string { s, _ := p.Values[k].(string); return s }
	services, err := w.store.Services(ctx, false)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	rts, err := w.store.RequestTypes(ctx, 0, false)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	var v agentNewTicketView
	v.Services = []agentOption{{Value: "", Label: "Choose a service"}}
	names := map[int64]string{}
	for _, s := range services {
		if s.Status == catalog.ServiceRetired {
			continue
		}
		names[s.ID] = s.Name
		label := s.Name
		if s.Status != catalog.ServiceLive {
			label += " (" + string(s.Status) + ")"
		}
		v.Services = append(v.Services, agentOption{Value: s.Name, Label: label, Selected: strings.EqualFold(val("service"), s.Name)})
	}
	for _, rt := range rts {
		svc, ok := names[rt.ServiceID]
		if !ok {
			continue
		}
		if len(v.RequestTypes) == 0 || v.RequestTypes[len(v.RequestTypes)-1].Label != svc {
			v.RequestTypes = append(v.RequestTypes, agentOptionGroup{Label: svc})
		}
		g := &v.RequestTypes[len(v.RequestTypes)-1]
		value := strconv.FormatInt(rt.ID, 10)
		g.Options = append(g.Options, agentOption{Value: value, Label: rt.Name, Selected: val("request_type") == value})
	}
	v.Types = []agentOption{{Value: "", Label: "As the request type says"}}
	for _, t := range ticket.Types {
		v.Types = append(v.Types, agentOption{Value: string(t), Label: agentTypeLabel(t), Selected: val("type") == string(t)})
	}
	levels := func(field string) []agentOption {
		out := []agentOption{{Value: "", Label: "Not given"}}
		for _, l := range []ticket.Level{ticket.LevelHigh, ticket.LevelMedium, ticket.LevelLow} {
			out = append(out, agentOption{Value: string(l), Label: agentTypeLabel(ticket.Type(l)), Selected: val(field) == string(l)})
		}
		return out
	}
	v.Impacts, v.Urgencies = levels("impact"), levels("urgency")
	v.Priorities = []agentOption{{Value: "", Label: "From impact and urgency"}}
	for _, pr := range ticket.Priorities {
		v.Priorities = append(v.Priorities, agentOption{Value: string(pr), Label: string(pr), Selected: val("priority") == string(pr)})
	}
	p.Title, p.Section, p.Identity, p.Data = "New ticket", "agent", id, v
	w.render(rw, r, status, "agent_new", p)
}

func (w *Web) agentCreateTicket(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ctx := r.Context()
	values := map[string]any{}
	for _, k := range []string{"service", "request_type", "type", "reporter", "summary", "description", "impact", "urgency", "priority"} {
		values[k] = r.PostFormValue(k)
	}
	str := func(k string) string { return values[k].(string) }
	nt := store.NewTicket{Service: str("service"), RequestType: str("request_type"), Type: str("type"), Summary: str("summary"),
		Description: str("description"), Impact: str("impact"), Urgency: str("urgency"), Priority: str("priority"), Channel: ticket.ChannelAgent}
	var err error
	if strings.TrimSpace(str("reporter")) == "" {
		err = errs.Required("reporter")
	} else if u, uerr := w.store.UserByEmail(ctx, str("reporter")); errs.Is(uerr, errs.KindNotFound) {
		err = errs.Invalid("reporter", "nobody has the address %s", strings.TrimSpace(str("reporter")))
	} else if uerr != nil {
		err = uerr
	} else {
		nt.ReporterID, nt.OrganizationID = u.ID, 0
	}
	var t ticket.Ticket
	if err == nil {
		t, err = w.store.CreateTicket(ctx, id.Actor, nt)
	}
	if err != nil {
		e, ok := errs.As(err)
		if !ok || e.Kind != errs.KindInvalid {
			w.fail(rw, r, err)
			return
		}
		field := e.Field
		if strings.HasPrefix(field, "fields.") {
			field = "request_type" // the form is the request type's; it is filled in on the portal
		}
		p := Page{Values: values, Errors: map[string]string{}}
		if _, known := values[field]; known {
			p.Errors[field] = agentFieldMessage(e)
		} else {
			p.Error = agentFieldMessage(e)
		}
		w.agentRenderNewTicket(rw, r, id, http.StatusUnprocessableEntity, p)
		return
	}
	redirectWithFlash(rw, r, agentTicketURL(t.Key), t.Key+" raised for "+t.Reporter+".")
}
