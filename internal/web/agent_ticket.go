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
	SLAs        []slaPanelItem
	SLAError    string // why the clocks cannot be shown (a goal's query broke)
	Reply       string
	Internal    bool
	SelfURL     string
	LiveURL     string
	Practice    *incidentPanelView // incident or problem panel; nil for other tickets
	Change      *changePanel       // change or request approval panel; nil for other tickets
	CIPanel     *impactPanelView   // the ticket's CIs and what they affect (impact.go)
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
	// A deactivated assignee (or one made a customer since) is no choice,
	// but the picker still shows who holds the ticket rather than seeming
	// to say "Unassigned".
	if t.AssigneeID != 0 && !slices.ContainsFunc(staff, func(u directory.User) bool { return u.ID == t.AssigneeID }) {
		v.Assignees = append(v.Assignees, agentOption{Value: strconv.FormatInt(t.AssigneeID, 10), Label: t.Assignee + " (no longer assignable)", Selected: true})
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
	if v.SLAs, v.SLAError, err = w.slaPanel(ctx, actor, t.Key); err != nil {
		return v, err
	}
	if v.Change, err = w.changePanel(ctx, actor, t, agentTicketURL(t.Key)); err != nil {
		return v, err
	}
	if v.Practice, err = w.practicePanel(ctx, actor, t); err != nil {
		return v, err
	}
	if v.CIPanel, err = w.impactPanel(ctx, actor, t); err != nil {
		return v, err
	}
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
