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
	"unicode"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/change"
	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/fulfilment"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// changeRoutes registers the pages of change enablement and fulfilment:
// the agents' change pages, calendar, report and task queue; everyone's
// approvals and the one-click approval link; the admins' settings.
func (w *Web) changeRoutes() {
	agent := func(pattern string, h func(http.ResponseWriter, *http.Request, auth.Identity)) {
		w.mux.Handle(pattern, w.page(directory.RoleAgent, withForm(h)))
	}
	agent("GET /agent/changes", w.changeList)
	agent("GET /agent/changes/new", w.changeNew)
	agent("POST /agent/changes/new", w.changeCreate)
	agent("GET /agent/changes/{key}", w.changeShow)
	agent("POST /agent/changes/{key}/plan", w.changePlan)
	agent("POST /agent/changes/{key}/risk", w.changeRisk)
	agent("POST /agent/changes/{key}/submit", w.changeSubmit)
	agent("POST /agent/changes/{key}/review", w.changeReview)
	agent("GET /agent/change-calendar", w.changeCalendar)
	agent("GET /agent/change-report", w.changeReport)

	anyone := func(pattern string, h func(http.ResponseWriter, *http.Request, auth.Identity)) {
		w.mux.Handle(pattern, w.page(directory.RoleCustomer, withForm(h)))
	}
	anyone("GET /approvals", w.changeMyApprovals)
	anyone("POST /approvals/{key}", w.changeDecide)
	// The one-click link is its own credential: no sign-in, no session.
	w.mux.HandleFunc("GET /approve/{token}", w.changeLinkPage)
	w.mux.HandleFunc("POST /approve/{token}", w.changeLinkDecide)

	admin := func(pattern string, h func(http.ResponseWriter, *http.Request, auth.Identity)) {
		w.mux.Handle(pattern, w.page(directory.RoleAdmin, withForm(h)))
	}
	admin("GET /admin/changes", w.changeAdmin)
	admin("POST /admin/changes/settings", w.changeAdminSettings)
	admin("POST /admin/changes/risk-model", w.changeAdminRiskModel)
	admin("POST /admin/changes/templates", w.changeAdminTemplate)
	admin("POST /admin/changes/rules", w.changeAdminRule)
	admin("POST /admin/changes/rules/{id}/delete", w.changeAdminRuleDelete)
	admin("POST /admin/changes/freezes", w.changeAdminFreeze)
	admin("POST /admin/changes/freezes/{id}/delete", w.changeAdminFreezeDelete)

	w.fulfilmentRoutes()
}

func changeURL(key string) string { return "/agent/changes/" + url.PathEscape(strings.ToUpper(key)) }

// changeMessage turns a store error into a sentence for the page.
func changeMessage(err error) string {
	e, ok := errs.As(err)
	if !ok {
		return "Something went wrong."
	}
	msg := e.Message
	if e.Field != "" && (strings.HasPrefix(msg, "is ") || strings.HasPrefix(msg, "must ")) {
		msg = strings.ReplaceAll(e.Field, "_", " ") + " " + msg
	}
	r := []rune(msg)
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	if msg = string(r); !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

// changeStatus is the status a failed form answers with, by error kind;
// 0 for errors that are no form's fault.
func changeStatus(err error) int {
	e, ok := errs.As(err)
	if !ok {
		return 0
	}
	return map[errs.Kind]int{errs.KindInvalid: http.StatusUnprocessableEntity, errs.KindConflict: http.StatusConflict,
		errs.KindForbidden: http.StatusForbidden}[e.Kind]
}

// changeLocalTime reads a datetime-local input, in the server's zone as
// the pages show times.
func changeLocalTime(field, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", time.RFC3339} {
		if t, err := time.ParseInLocation(layout, v, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errs.Invalid(field, "must be a date and time")
}

func changeInputTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02T15:04")
}

// changeServiceNames maps service ids to names.
func (w *Web) changeServiceNames(ctx context.Context) (map[int64]string, []catalog.Service, error) {
	svcs, err := w.store.Services(ctx, false)
	if err != nil {
		return nil, nil, err
	}
	names := map[int64]string{}
	for _, s := range svcs {
		names[s.ID] = s.Name
	}
	return names, svcs, nil
}

func changeNames(ids []int64, names map[int64]string) []string {
	out := []string{}
	for _, id := range ids {
		if n, ok := names[id]; ok {
			out = append(out, n)
		} else {
			out = append(out, fmt.Sprintf("service %d", id))
		}
	}
	return out
}

// The change panel: the partial the ticket page includes.

// changePanel is what the partial "change_panel" shows on a ticket's page:
// a change's type, window, risk, approval, conflicts and deployments, or a
// service request's approval and tasks.
type changePanel struct {
	Key         string
	IsChange    bool
	Change      *store.ChangeRecord
	Explain     []string
	Services    []string
	Approval    store.ApprovalState
	MyPending   bool // the viewer has an approval waiting on it
	Conflicts   []change.Conflict
	Deployments []store.Deployment
	Tasks       []fulfilment.Task
	MyTeams     []int64
	Next        string // where decisions and completions come back to
}

// HasTask reports whether one of the viewer's teams may complete the task.
func (p changePanel) HasTask(k fulfilment.Task) bool {
	return k.Status == fulfilment.StatusOpen && slices.Contains(p.MyTeams, k.TeamID)
}

// changePanel reads what the panel shows for a ticket, or nil when there
// is nothing: incidents, problems, and requests without approval or tasks.
// next is where its forms come back to (the ticket's page).
func (w *Web) changePanel(ctx context.Context, actor directory.Actor, t ticket.Ticket, next string) (*changePanel, error) {
	p := &changePanel{Key: t.Key, Next: next, MyTeams: actor.TeamIDs}
	if actor.Role == directory.RoleAdmin {
		teams, err := w.store.Teams(ctx)
		if err != nil {
			return nil, err
		}
		for _, tm := range teams {
			p.MyTeams = append(p.MyTeams, tm.ID)
		}
	}
	var err error
	if p.Approval, err = w.store.Approvals(ctx, actor, t.Key); err != nil {
		return nil, err
	}
	p.MyPending = len(p.Approval.Pending(actor.UserID)) > 0
	switch t.Type {
	case ticket.TypeChange:
		if !actor.Role.Staff() {
			return nil, nil
		}
		v, err := w.store.Change(ctx, actor, t.Key)
		if err != nil {
			return nil, err
		}
		names, _, err := w.changeServiceNames(ctx)
		if err != nil {
			return nil, err
		}
		p.IsChange, p.Change, p.Conflicts, p.Deployments = true, &v.Change, v.Conflicts, v.Deployments
		p.Services = changeNames(v.Change.ServiceIDs, names)
		if v.Change.Risk != nil {
			p.Explain = v.Change.Risk.Explain()
		}
	case ticket.TypeServiceRequest:
		if p.Tasks, err = w.store.Tasks(ctx, actor, t.Key); err != nil {
			return nil, err
		}
		if len(p.Tasks) == 0 && len(p.Approval.Steps) == 0 {
			return nil, nil
		}
	default:
		return nil, nil
	}
	return p, nil
}

// The list of changes and raising one.

type changeListView struct {
	Rows      []ticket.Ticket
	Approvals int
}

func (w *Web) changeList(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ctx := r.Context()
	page, err := w.store.Tickets(ctx, id.Actor, store.TicketFilter{Types: []ticket.Type{ticket.TypeChange},
		Categories: []ticket.Category{ticket.CategoryToDo, ticket.CategoryInProgress}, Sort: "updated", Limit: 100})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	mine, err := w.store.MyApprovals(ctx, id.Actor)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.render(rw, r, http.StatusOK, "change_list", Page{Title: "Changes", Section: "agent", Identity: id,
		Data: changeListView{Rows: page.Tickets, Approvals: len(mine)}})
}

type changeNewView struct {
	Templates []change.Template
	Services  []catalog.Service
	Types     []change.Type
}

func (w *Web) changeNew(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	w.changeRenderNew(rw, r, id, http.StatusOK, map[string]any{"type": r.URL.Query().Get("type")}, "")
}

func (w *Web) changeRenderNew(rw http.ResponseWriter, r *http.Request, id auth.Identity, status int, values map[string]any, msg string) {
	ctx := r.Context()
	tpls, err := w.store.ChangeTemplates(ctx, true)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	_, svcs, err := w.changeServiceNames(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.render(rw, r, status, "change_new", Page{Title: "New change", Section: "agent", Identity: id, Error: msg, Values: values,
		Data: changeNewView{Templates: tpls, Services: svcs, Types: change.Types}})
}

func (w *Web) changeCreate(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	f := r.PostForm
	values := map[string]any{}
	for _, k := range []string{"type", "template", "service", "summary", "description", "planned_start", "planned_end", "implementation_plan", "backout_plan"} {
		values[k] = f.Get(k)
	}
	in := store.NewChange{Type: f.Get("type"), Template: f.Get("template"), Service: f.Get("service"), Summary: f.Get("summary"),
		Description: f.Get("description"), ImplementationPlan: f.Get("implementation_plan"), BackoutPlan: f.Get("backout_plan"), Channel: ticket.ChannelAgent}
	var err error
	if in.PlannedStart, err = changeLocalTime("planned_start", f.Get("planned_start")); err == nil {
		in.PlannedEnd, err = changeLocalTime("planned_end", f.Get("planned_end"))
	}
	var v store.ChangeView
	if err == nil {
		v, err = w.store.CreateChange(r.Context(), id.Actor, in)
	}
	if err != nil {
		if status := changeStatus(err); status != 0 {
			w.changeRenderNew(rw, r, id, status, values, changeMessage(err))
			return
		}
		w.fail(rw, r, err)
		return
	}
	msg := "Change " + v.Ticket.Key + " raised."
	if v.Change.Type == change.TypeStandard {
		msg = "Standard change " + v.Ticket.Key + " raised and scheduled."
	}
	redirectWithFlash(rw, r, changeURL(v.Ticket.Key), msg)
}

// The page of one change.

// changeQuestion is a question of the questionnaire with the answer given.
type changeQuestion struct {
	change.Question
	Answer string
}

type changeShowView struct {
	V              store.ChangeView
	Panel          *changePanel
	Planning       bool // the plan and risk may change
	Standard       bool
	CanSubmit      bool
	CanReview      bool
	Start, End     string // for datetime-local inputs
	Questions      []changeQuestion
	ServiceOptions []changeOption // the other services the plan may name
	Review         change.Review  // as saved, or as posted
	Outcomes       []change.Outcome
}

type changeOption struct {
	ID      int64
	Name    string
	Checked bool
}

func (w *Web) changeShow(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	w.changeRenderShow(rw, r, id, r.PathValue("key"), http.StatusOK, "", nil)
}

func (w *Web) changeRenderShow(rw http.ResponseWriter, r *http.Request, id auth.Identity, key string, status int, msg string, values map[string]any) {
	ctx := r.Context()
	v, err := w.store.Change(ctx, id.Actor, key)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	panel, err := w.changePanel(ctx, id.Actor, v.Ticket, changeURL(v.Ticket.Key))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	model, err := w.store.RiskModel(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	_, svcs, err := w.changeServiceNames(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	sv := changeShowView{V: v, Panel: panel, Outcomes: change.Outcomes,
		Planning: strings.EqualFold(v.Ticket.Status, change.StatusPlanning), Standard: v.Change.Type == change.TypeStandard,
		Start: changeInputTime(v.Change.PlannedStart), End: changeInputTime(v.Change.PlannedEnd)}
	sv.CanSubmit = !sv.Standard && (sv.Planning || (strings.EqualFold(v.Ticket.Status, change.StatusAwaitingApproval) && v.Approval.Decision != change.Pending))
	sv.CanReview = slices.ContainsFunc([]string{change.StatusImplementing, "Review", "Completed", "Failed"}, func(s string) bool { return strings.EqualFold(s, v.Ticket.Status) })
	for _, svc := range svcs {
		if svc.ID != v.Ticket.ServiceID {
			sv.ServiceOptions = append(sv.ServiceOptions, changeOption{ID: svc.ID, Name: svc.Name, Checked: slices.Contains(v.Change.PlannedServiceIDs, svc.ID)})
		}
	}
	if v.Change.Review != nil {
		sv.Review = *v.Change.Review
	}
	if values != nil {
		if o, ok := values["outcome"].(string); ok {
			sv.Review = change.Review{Outcome: change.Outcome(o)}
			sv.Review.Summary, _ = values["summary"].(string)
			sv.Review.WentWell, _ = values["went_well"].(string)
			sv.Review.WentWrong, _ = values["went_wrong"].(string)
			sv.Review.FollowUp, _ = values["follow_up"].(string)
		}
	}
	for _, q := range model.Questions {
		cq := changeQuestion{Question: q}
		if v.Change.Risk != nil {
			cq.Answer = v.Change.Risk.Answers[q.Key]
		}
		if a, ok := values["answers."+q.Key].(string); ok {
			cq.Answer = a
		}
		sv.Questions = append(sv.Questions, cq)
	}
	w.render(rw, r, status, "change_view", Page{Title: v.Ticket.Key + " " + v.Ticket.Summary, Section: "agent", Identity: id, Error: msg, Values: values, Data: sv})
}

// changeFormFailed shows the change's page again with why a form failed.
func (w *Web) changeFormFailed(rw http.ResponseWriter, r *http.Request, id auth.Identity, key string, err error, values map[string]any) {
	if status := changeStatus(err); status != 0 {
		w.changeRenderShow(rw, r, id, key, status, changeMessage(err), values)
		return
	}
	w.fail(rw, r, err)
}

func (w *Web) changePlan(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	key, f := r.PathValue("key"), r.PostForm
	start, err := changeLocalTime("planned_start", f.Get("planned_start"))
	var end time.Time
	if err == nil {
		end, err = changeLocalTime("planned_end", f.Get("planned_end"))
	}
	if err != nil {
		w.changeFormFailed(rw, r, id, key, err, nil)
		return
	}
	impl, back, typ := f.Get("implementation_plan"), f.Get("backout_plan"), f.Get("type")
	services := f["services"]
	p := store.ChangePatch{PlannedStart: &start, PlannedEnd: &end, ImplementationPlan: &impl, BackoutPlan: &back, Services: &services}
	if typ != "" {
		p.Type = &typ
	}
	if _, err := w.store.UpdateChange(r.Context(), id.Actor, key, p); err != nil {
		w.changeFormFailed(rw, r, id, key, err, nil)
		return
	}
	redirectWithFlash(rw, r, changeURL(key), "Plan saved.")
}

func (w *Web) changeRisk(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	key := r.PathValue("key")
	answers := map[string]string{}
	values := map[string]any{}
	for k, vs := range r.PostForm {
		if q, ok := strings.CutPrefix(k, "answers."); ok && len(vs) > 0 {
			answers[q] = vs[0]
			values[k] = vs[0]
		}
	}
	a, err := w.store.AssessRisk(r.Context(), id.Actor, key, answers)
	if err != nil {
		w.changeFormFailed(rw, r, id, key, err, values)
		return
	}
	redirectWithFlash(rw, r, changeURL(key), fmt.Sprintf("Risk assessed: %s (score %d).", a.Level, a.Score))
}

func (w *Web) changeSubmit(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	key := r.PathValue("key")
	if _, err := w.store.SubmitChange(r.Context(), id.Actor, key, r.PostFormValue("comment")); err != nil {
		w.changeFormFailed(rw, r, id, key, err, nil)
		return
	}
	redirectWithFlash(rw, r, changeURL(key), "Submitted for approval.")
}

func (w *Web) changeReview(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	key, f := r.PathValue("key"), r.PostForm
	rv := change.Review{Outcome: change.Outcome(f.Get("outcome")), Summary: f.Get("summary"), WentWell: f.Get("went_well"),
		WentWrong: f.Get("went_wrong"), FollowUp: f.Get("follow_up")}
	values := map[string]any{"outcome": f.Get("outcome"), "summary": rv.Summary, "went_well": rv.WentWell, "went_wrong": rv.WentWrong, "follow_up": rv.FollowUp}
	if _, err := w.store.ReviewChange(r.Context(), id.Actor, key, rv); err != nil {
		w.changeFormFailed(rw, r, id, key, err, values)
		return
	}
	redirectWithFlash(rw, r, changeURL(key), "Review saved.")
}

// Approvals: the viewer's list, a decision from a page, the one-click link.

type changeApprovalsView struct {
	Rows []store.PendingApproval
}

func (w *Web) changeMyApprovals(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	rows, err := w.store.MyApprovals(r.Context(), id.Actor)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	section := "portal"
	if id.Actor.Role.Staff() {
		section = "agent"
	}
	w.render(rw, r, http.StatusOK, "change_approvals", Page{Title: "My approvals", Section: section, Identity: id, Data: changeApprovalsView{Rows: rows}})
}

// changeNext keeps the page a form comes back to on this site.
func changeNext(next, fallback string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) {
		return fallback
	}
	return next
}

// changeDecide records an approval or decline from a page: the viewer's
// approvals list or a ticket's panel, to which it comes back.
func (w *Web) changeDecide(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	key := r.PathValue("key")
	next := changeNext(r.PostFormValue("next"), "/approvals")
	vote, err := change.ParseVote(r.PostFormValue("decision"))
	if err == nil {
		_, err = w.store.Decide(r.Context(), id.Actor, key, vote, r.PostFormValue("comment"))
	}
	if err != nil {
		if changeStatus(err) == 0 {
			w.fail(rw, r, err)
			return
		}
		redirectWithFlash(rw, r, next, "Not recorded: "+changeMessage(err))
		return
	}
	what := "Approved"
	if vote == change.Declined {
		what = "Declined"
	}
	redirectWithFlash(rw, r, next, what+" "+strings.ToUpper(key)+".")
}

type changeLinkView struct {
	A     store.LinkApproval
	Token string
	Done  string // what was decided, after a post
}

func (w *Web) changeLinkPage(rw http.ResponseWriter, r *http.Request) {
	w.changeRenderLink(rw, r, http.StatusOK, "", "")
}

func (w *Web) changeRenderLink(rw http.ResponseWriter, r *http.Request, status int, msg, done string) {
	token := r.PathValue("token")
	la, err := w.store.ApprovalByLink(r.Context(), token)
	id := w.identify(r)
	// The page carries the link's token in its forms: keep it out of
	// other sites' Referer headers and caches.
	rw.Header().Set("Referrer-Policy", "no-referrer")
	if err != nil {
		if errs.Is(err, errs.KindNotFound) {
			w.render(rw, r, http.StatusNotFound, "change_approve", Page{Title: "Approval link", Identity: id, Error: changeMessage(err)})
			return
		}
		w.serverError(rw, r, err)
		return
	}
	w.render(rw, r, status, "change_approve", Page{Title: "Approve " + la.Ticket.Key, Identity: id, Error: msg,
		Data: changeLinkView{A: la, Token: token, Done: done}})
}

// changeLinkDecide decides by the link. The token in the path is the
// credential (and, being unguessable, the CSRF defence as well); the
// server refuses cross-origin posts before they get here.
func (w *Web) changeLinkDecide(rw http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(rw, r.Body, 64<<10)
	token := r.PathValue("token")
	vote, err := change.ParseVote(r.PostFormValue("decision"))
	if err == nil {
		_, err = w.store.DecideByLink(r.Context(), token, vote, r.PostFormValue("comment"))
	}
	if err != nil {
		status := changeStatus(err)
		if errs.Is(err, errs.KindNotFound) {
			status = http.StatusNotFound
		}
		if status == 0 {
			w.serverError(rw, r, err)
			return
		}
		w.changeRenderLink(rw, r, status, changeMessage(err), "")
		return
	}
	done := "approved"
	if vote == change.Declined {
		done = "declined"
	}
	w.changeRenderLink(rw, r, http.StatusOK, "", done)
}

// The change calendar.

type changeDay struct {
	Date    time.Time
	InMonth bool
	Today   bool
	Changes []store.CalendarEntry
	Freezes []change.Freeze
}

type changeCalendarView struct {
	Month      time.Time
	Prev, Next string
	Weeks      [][]changeDay
	Cal        store.Calendar
	Services   map[int64]string
	Conflicts  int
}

// changeCalendar shows a month as a grid of weeks (Monday first) and as an
// agenda, with freezes and conflicts; ?month=2026-11 chooses the month.
func (w *Web) changeCalendar(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ctx := r.Context()
	now := time.Now()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.Local)
	var msg string
	status := http.StatusOK
	if m := r.URL.Query().Get("month"); m != "" {
		t, err := time.ParseInLocation("2006-01", m, time.Local)
		if err != nil || t.Year() < 2000 || t.Year() > 2200 {
			msg, status = "The month must look like 2026-11; showing this month instead.", http.StatusUnprocessableEntity
		} else {
			month = t
		}
	}
	end := month.AddDate(0, 1, 0)
	// The grid runs from the Monday before the 1st to the Sunday after the
	// last day, and the calendar is read for all of it.
	first := month.AddDate(0, 0, -((int(month.Weekday()) + 6) % 7))
	last := end.AddDate(0, 0, (7-(int(end.Weekday())+6)%7)%7)
	cal, err := w.store.ChangeCalendar(ctx, id.Actor, store.ChangeFilter{From: first, To: last})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	names, _, err := w.changeServiceNames(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := changeCalendarView{Month: month, Cal: cal, Services: names,
		Prev: "/agent/change-calendar?month=" + month.AddDate(0, -1, 0).Format("2006-01"),
		Next: "/agent/change-calendar?month=" + end.Format("2006-01")}
	for _, e := range cal.Changes {
		if len(e.Conflicts) > 0 {
			v.Conflicts++
		}
	}
	for d := first; d.Before(last); d = d.AddDate(0, 0, 7) {
		var week []changeDay
		for i := range 7 {
			day := d.AddDate(0, 0, i)
			win := change.Window{Start: day, End: day.AddDate(0, 0, 1)}
			cd := changeDay{Date: day, InMonth: day.Month() == month.Month(), Today: day.Format(time.DateOnly) == now.Format(time.DateOnly)}
			for _, e := range cal.Changes {
				if e.Window.Overlaps(win) {
					cd.Changes = append(cd.Changes, e)
				}
			}
			for _, f := range cal.Freezes {
				if f.Window().Overlaps(win) {
					cd.Freezes = append(cd.Freezes, f)
				}
			}
			week = append(week, cd)
		}
		v.Weeks = append(v.Weeks, week)
	}
	w.render(rw, r, status, "change_calendar", Page{Title: "Change calendar " + month.Format("January 2006"), Section: "agent", Identity: id, Error: msg, Data: v})
}

// The success rate report.

type changeReportView struct {
	Rates       []change.Rate
	Days        int
	Total, Good int
}

// Percent gives a rate as a whole percentage.
func (changeReportView) Percent(r float64) int { return int(r*100 + 0.5) }

func (w *Web) changeReport(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	days, _ := strconv.Atoi(r.URL.Query().Get("days"))
	if days <= 0 || days > 3650 {
		days = 90
	}
	rates, err := w.store.ChangeSuccessRates(r.Context(), id.Actor, time.Now().AddDate(0, 0, -days), time.Time{})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := changeReportView{Rates: rates, Days: days}
	for _, rt := range rates {
		v.Total += rt.Reviewed
		v.Good += rt.Succeeded
	}
	w.render(rw, r, http.StatusOK, "change_report", Page{Title: "Change success rate", Section: "agent", Identity: id, Data: v})
}

// The admins' settings of change enablement.

type changeAdminView struct {
	Settings  store.ChangeSettings
	Model     change.Model
	ModelText string
	Templates []change.Template
	Rules     []change.Rule
	Freezes   []change.Freeze
	Services  []catalog.Service
	Names     map[int64]string
	Teams     []directory.Team
	TeamNames map[int64]string
	Levels    []change.Level
	Kinds     []change.ApproverKind
	// Criticality lists the points of each CI criticality, least first.
	Criticality []struct {
		Name   cmdb.Criticality
		Points int
	}
}

func (w *Web) changeAdmin(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	w.changeRenderAdmin(rw, r, id, http.StatusOK, "", nil)
}

func (w *Web) changeRenderAdmin(rw http.ResponseWriter, r *http.Request, id auth.Identity, status int, msg string, values map[string]any) {
	ctx := r.Context()
	v := changeAdminView{Levels: change.Levels, Kinds: []change.ApproverKind{change.ApproverTeam, change.ApproverServiceOwner, change.ApproverCIOwner}, TeamNames: map[int64]string{}}
	var err error
	if v.Settings, err = w.store.ChangeSettings(ctx); err == nil {
		if v.Model, err = w.store.RiskModel(ctx); err == nil {
			if v.Templates, err = w.store.ChangeTemplates(ctx, false); err == nil {
				if v.Rules, err = w.store.ApprovalRules(ctx, store.ApprovalRuleFilter{Changes: true}); err == nil {
					if v.Freezes, err = w.store.FreezeWindows(ctx, time.Time{}, time.Time{}); err == nil {
						if v.Names, v.Services, err = w.changeServiceNames(ctx); err == nil {
							v.Teams, err = w.store.Teams(ctx)
						}
					}
				}
			}
		}
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	for _, t := range v.Teams {
		v.TeamNames[t.ID] = t.Name
	}
	for _, c := range cmdb.Criticalities {
		v.Criticality = append(v.Criticality, struct {
			Name   cmdb.Criticality
			Points int
		}{c, v.Model.CriticalityPoints[c]})
	}
	v.ModelText = changeModelText(v.Model)
	if t, ok := values["model"].(string); ok {
		v.ModelText = t
	}
	w.render(rw, r, status, "change_admin", Page{Title: "Change enablement", Section: "admin", Identity: id, Error: msg, Values: values, Data: v})
}

func (w *Web) changeAdminFailed(rw http.ResponseWriter, r *http.Request, id auth.Identity, err error, values map[string]any) {
	if status := changeStatus(err); status != 0 {
		w.changeRenderAdmin(rw, r, id, status, changeMessage(err), values)
		return
	}
	w.fail(rw, r, err)
}

func (w *Web) changeAdminSettings(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	var envs []string
	for _, e := range strings.FieldsFunc(r.PostFormValue("gated_environments"), func(c rune) bool { return c == ',' || c == '\n' }) {
		envs = append(envs, e)
	}
	if _, err := w.store.SetChangeSettings(r.Context(), id.Actor, store.ChangeSettings{GatedEnvironments: envs}); err != nil {
		w.changeAdminFailed(rw, r, id, err, nil)
		return
	}
	redirectWithFlash(rw, r, "/admin/changes", "Gated environments saved.")
}

// changeModelText writes the questionnaire in the text form admins edit:
// a question per block, "key: text" then one "score answer" per line,
// blocks apart by a blank line; then the weights.
func changeModelText(m change.Model) string {
	var b strings.Builder
	for _, q := range m.Questions {
		fmt.Fprintf(&b, "%s: %s\n", q.Key, q.Text)
		for _, o := range q.Options {
			fmt.Fprintf(&b, "%d %s\n", o.Score, o.Label)
		}
		b.WriteString("\n")
	}
	return strings.TrimSpace(b.String())
}

// changeParseModel reads the text form back over the weights of base.
func changeParseModel(text string, base change.Model) (change.Model, error) {
	m := base
	m.Questions = []change.Question{}
	for i, block := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		lines := strings.Split(strings.TrimSpace(block), "\n")
		if len(lines) == 0 || strings.TrimSpace(lines[0]) == "" {
			continue
		}
		key, qtext, ok := strings.Cut(lines[0], ":")
		if !ok {
			return m, errs.Invalid("model", "question %d: write its first line as key: question", i+1)
		}
		q := change.Question{Key: strings.TrimSpace(key), Text: strings.TrimSpace(qtext)}
		for _, l := range lines[1:] {
			score, label, _ := strings.Cut(strings.TrimSpace(l), " ")
			n, err := strconv.Atoi(score)
			if err != nil {
				return m, errs.Invalid("model", "question %q: each answer line starts with its score, such as \"2 Partly\"", q.Key)
			}
			q.Options = append(q.Options, change.Option{Label: strings.TrimSpace(label), Score: n})
		}
		m.Questions = append(m.Questions, q)
	}
	return m, nil
}

func (w *Web) changeAdminRiskModel(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ctx := r.Context()
	f := r.PostForm
	values := map[string]any{"model": f.Get("model")}
	base, err := w.store.RiskModel(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	m, err := changeParseModel(f.Get("model"), base)
	if err == nil {
		for field, dst := range map[string]*int{"medium": &m.Thresholds.Medium, "high": &m.Thresholds.High, "critical": &m.Thresholds.Critical,
			"service_points": &m.ServicePoints, "max_service_points": &m.MaxServicePoints} {
			if n, convErr := strconv.Atoi(strings.TrimSpace(f.Get(field))); convErr == nil {
				*dst = n
			}
		}
		for _, c := range cmdb.Criticalities {
			if n, convErr := strconv.Atoi(strings.TrimSpace(f.Get("criticality_" + string(c)))); convErr == nil {
				m.CriticalityPoints[c] = n
			}
		}
		_, err = w.store.SetRiskModel(ctx, id.Actor, m)
	}
	if err != nil {
		w.changeAdminFailed(rw, r, id, err, values)
		return
	}
	redirectWithFlash(rw, r, "/admin/changes", "Risk questionnaire saved.")
}

func (w *Web) changeAdminTemplate(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	f := r.PostForm
	t := change.Template{Name: f.Get("name"), Description: f.Get("description"), ImplementationPlan: f.Get("implementation_plan"),
		BackoutPlan: f.Get("backout_plan"), Risk: change.Level(f.Get("risk")), Active: true}
	if tid, err := strconv.ParseInt(f.Get("id"), 10, 64); err == nil && tid > 0 {
		old, err := w.store.ChangeTemplate(r.Context(), tid)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		if f.Get("toggle") != "" {
			old.Active = !old.Active
			t = old
		}
		t.ID = tid
	}
	if sid, err := strconv.ParseInt(f.Get("service_id"), 10, 64); err == nil {
		t.ServiceID = sid
	}
	if _, err := w.store.SaveChangeTemplate(r.Context(), id.Actor, t); err != nil {
		w.changeAdminFailed(rw, r, id, err, map[string]any{"tpl_name": t.Name, "tpl_description": t.Description, "tpl_plan": t.ImplementationPlan, "tpl_backout": t.BackoutPlan})
		return
	}
	redirectWithFlash(rw, r, "/admin/changes", "Template "+t.Name+" saved.")
}

func (w *Web) changeAdminRule(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	f := r.PostForm
	rule := change.Rule{Name: f.Get("name"), MinRisk: change.Level(f.Get("min_risk")), Approver: change.ApproverKind(f.Get("approver")),
		Quorum: change.Quorum{Kind: change.QuorumKind(f.Get("quorum"))}, DeclineVetoes: f.Get("decline_vetoes") != "", Active: true}
	for _, t := range f["change_types"] {
		rule.ChangeTypes = append(rule.ChangeTypes, change.Type(t))
	}
	rule.TeamID, _ = strconv.ParseInt(f.Get("team_id"), 10, 64)
	rule.Quorum.Count, _ = strconv.Atoi(f.Get("quorum_count"))
	if _, err := w.store.SaveApprovalRule(r.Context(), id.Actor, rule); err != nil {
		w.changeAdminFailed(rw, r, id, err, map[string]any{"rule_name": rule.Name})
		return
	}
	redirectWithFlash(rw, r, "/admin/changes", "Approval rule "+rule.Name+" added.")
}

func (w *Web) changeAdminRuleDelete(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	rid, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := w.store.DeleteApprovalRule(r.Context(), id.Actor, rid); err != nil {
		w.fail(rw, r, err)
		return
	}
	next := changeNext(r.PostFormValue("next"), "/admin/changes")
	redirectWithFlash(rw, r, next, "Approval rule removed.")
}

func (w *Web) changeAdminFreeze(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	f := r.PostForm
	fz := change.Freeze{Name: f.Get("name"), Reason: f.Get("reason"), AllServices: f.Get("all_services") != ""}
	var err error
	if fz.Start, err = changeLocalTime("start", f.Get("start")); err == nil {
		fz.End, err = changeLocalTime("end", f.Get("end"))
	}
	for _, s := range f["service_ids"] {
		if n, convErr := strconv.ParseInt(s, 10, 64); convErr == nil {
			fz.ServiceIDs = append(fz.ServiceIDs, n)
		}
	}
	if err == nil {
		_, err = w.store.CreateFreezeWindow(r.Context(), id.Actor, fz)
	}
	if err != nil {
		w.changeAdminFailed(rw, r, id, err, map[string]any{"freeze_name": fz.Name, "freeze_reason": fz.Reason, "freeze_start": f.Get("start"), "freeze_end": f.Get("end")})
		return
	}
	redirectWithFlash(rw, r, "/admin/changes", "Freeze window "+fz.Name+" added.")
}

func (w *Web) changeAdminFreezeDelete(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	fid, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := w.store.DeleteFreezeWindow(r.Context(), id.Actor, fid); err != nil {
		w.fail(rw, r, err)
		return
	}
	redirectWithFlash(rw, r, "/admin/changes", "Freeze window removed.")
}
