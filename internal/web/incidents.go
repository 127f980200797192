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
	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// Incident management's pages: the major incident view with its
// communication log, the open incidents to group into problems, the
// admin's priority matrix and incident rules, the panel on the agent's
// ticket page, and the customer's reopen button. Problem management's
// pages are in problems.go.

// practiceRoutes registers the pages of incident and problem management.
func (w *Web) practiceRoutes() {
	agent := func(pattern string, h func(http.ResponseWriter, *http.Request, auth.Identity)) {
		w.mux.HandleFunc(pattern, w.page(directory.RoleAgent, h))
	}
	agent("GET /agent/major-incidents", w.incidentMajorPage)
	agent("GET /agent/incidents", w.incidentListPage)
	agent("POST /agent/incidents/group", w.incidentGroup)
	agent("POST /agent/incidents/{key}/major", w.incidentDeclareMajor)
	agent("POST /agent/incidents/{key}/major/end", w.incidentEndMajor)
	agent("POST /agent/incidents/{key}/communications", w.incidentCommunicate)
	agent("POST /agent/incidents/{key}/services", w.incidentServices)
	agent("POST /agent/incidents/{key}/causes", w.incidentCause)
	agent("POST /agent/incidents/{key}/reopen", w.incidentReopen)
	w.mux.HandleFunc("POST /portal/incidents/{key}/reopen", w.page(directory.RoleCustomer, w.incidentReopen))
	w.mux.HandleFunc("GET /admin/incidents", w.page(directory.RoleAdmin, w.incidentAdminPage))
	w.mux.HandleFunc("POST /admin/incidents/matrix", w.page(directory.RoleAdmin, w.incidentAdminMatrix))
	w.mux.HandleFunc("POST /admin/incidents/rules", w.page(directory.RoleAdmin, w.incidentAdminRules))
	w.problemRoutes()
}

// incidentOption is an option of a select, or a checkbox of a list.
type incidentOption struct {
	Value, Label string
	Selected     bool
}

func incidentTicketURL(key string) string {
	return "/agent/tickets/" + url.PathEscape(strings.ToUpper(strings.TrimSpace(key)))
}

// incidentBack reads where a form wants to return to: a path of this site,
// or the agent's ticket page.
func incidentBack(r *http.Request, key string) string {
	if b := r.PostFormValue("back"); b != "" {
		if next := safeNext(b); next != "/" {
			return next
		}
	}
	return incidentTicketURL(key)
}

// incidentMessage turns a store error into a sentence for people.
func incidentMessage(e *errs.Error) string {
	msg := e.Message
	if e.Field != "" && (strings.HasPrefix(msg, "is ") || strings.HasPrefix(msg, "must ")) {
		msg = strings.ReplaceAll(e.Field, "_", " ") + " " + msg
	}
	rs := []rune(msg)
	if len(rs) > 0 {
		rs[0] = unicode.ToUpper(rs[0])
	}
	msg = string(rs)
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

// incidentStatus is the HTTP status of a refused command.
func incidentStatus(e *errs.Error) int {
	switch e.Kind {
	case errs.KindInvalid:
		return http.StatusUnprocessableEntity
	case errs.KindConflict:
		return http.StatusConflict
	case errs.KindForbidden:
		return http.StatusForbidden
	case errs.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	}
	return 0
}

// incidentFailedView is the page a refused action from another page shows:
// why, and the way back.
type incidentFailedView struct {
	Action string
	Back   string
}

// incidentRefused answers a refused post from a page that is not ours to
// render again (the ticket page): the reason, and a link back. Hidden
// tickets and failures get the usual error pages.
func (w *Web) incidentRefused(rw http.ResponseWriter, r *http.Request, id auth.Identity, action, back string, err error) {
	e, ok := errs.As(err)
	status := 0
	if ok {
		status = incidentStatus(e)
	}
	if status == 0 {
		w.fail(rw, r, err)
		return
	}
	section := "agent"
	if !id.Actor.Role.Staff() {
		section = "portal"
	}
	w.render(rw, r, status, "incident_failed", Page{Title: "Not done: " + action, Section: section, Identity: id,
		Error: incidentMessage(e), Data: incidentFailedView{Action: action, Back: back}})
}

// The panel on the agent's ticket page.

// incidentPanelView is what the incident or problem panel of the agent's
// ticket page shows. practicePanel gives nil for other tickets.
type incidentPanelView struct {
	T    ticket.Ticket
	Back string // the ticket page

	// Incidents.
	Incident       bool
	Major          ticket.MajorIncident
	MajorDeclared  bool                   // ever declared
	Log            []ticket.Communication // newest first, at most incidentPanelLog
	LogMore        int                    // how many more there are
	Services       []store.AffectedService
	ServiceChoices []incidentOption
	CIs            []cmdb.CIRef
	Causes         []store.RelatedTicket
	Codes          []string
	Reopenable     bool      // resolved: agents may reopen it
	ReopenUntil    time.Time // customers' deadline; zero for none

	// Problems.
	Problem     bool
	Analysis    ticket.Analysis
	Incidents   []store.RelatedTicket
	KnownErrors []ticket.KnownError
	ProblemURL  string
}

const incidentPanelLog = 5

// practicePanel reads what the ticket page's incident or problem panel
// shows; nil for tickets of other types.
func (w *Web) practicePanel(ctx context.Context, actor directory.Actor, t ticket.Ticket) (*incidentPanelView, error) {
	v := &incidentPanelView{T: t, Back: incidentTicketURL(t.Key)}
	var err error
	switch t.Type {
	case ticket.TypeIncident:
		v.Incident = true
		if v.Major, v.MajorDeclared, err = w.store.MajorIncident(ctx, actor, t.Key); err != nil {
			return nil, err
		}
		log, err := w.store.Communications(ctx, actor, t.Key)
		if err != nil {
			return nil, err
		}
		slices.Reverse(log)
		if len(log) > incidentPanelLog {
			v.LogMore = len(log) - incidentPanelLog
			log = log[:incidentPanelLog]
		}
		v.Log = log
		if v.Causes, err = w.store.IncidentCauses(ctx, actor, t.Key); err != nil {
			return nil, err
		}
		st, err := w.store.IncidentSettings(ctx)
		if err != nil {
			return nil, err
		}
		v.Codes = st.ResolutionCodes
		if t.StatusCategory == ticket.CategoryDone {
			v.Reopenable = true
			if t.ResolvedAt != nil {
				v.ReopenUntil = st.ReopenDeadline(*t.ResolvedAt)
			}
		}
	case ticket.TypeProblem:
		v.Problem, v.ProblemURL = true, problemURL(t.Key)
		if v.Analysis, err = w.store.ProblemAnalysis(ctx, actor, t.Key); err != nil {
			return nil, err
		}
		if v.Incidents, err = w.store.ProblemIncidents(ctx, actor, t.Key); err != nil {
			return nil, err
		}
		page, err := w.store.KnownErrors(ctx, actor, store.KnownErrorFilter{Problem: t.Key, Limit: 20})
		if err != nil {
			return nil, err
		}
		v.KnownErrors = page.KnownErrors
	default:
		return nil, nil
	}
	if v.Services, err = w.store.AffectedServices(ctx, actor, t.Key); err != nil {
		return nil, err
	}
	if v.ServiceChoices, err = w.incidentServiceChoices(ctx, v.Services); err != nil {
		return nil, err
	}
	if v.CIs, err = w.store.TicketCIs(ctx, actor, t.Key); err != nil {
		return nil, err
	}
	return v, nil
}

// incidentServiceChoices lists the services a ticket may also affect, the
// affected ones checked; the ticket's own is left out (always affected).
func (w *Web) incidentServiceChoices(ctx context.Context, affected []store.AffectedService) ([]incidentOption, error) {
	services, err := w.store.Services(ctx, false)
	if err != nil {
		return nil, err
	}
	on := map[int64]bool{}
	for _, a := range affected {
		on[a.ID] = true
	}
	var out []incidentOption
	for _, s := range services {
		if s.ID == affected[0].ID || (s.Status == catalog.ServiceRetired && !on[s.ID]) {
			continue
		}
		out = append(out, incidentOption{Value: strconv.FormatInt(s.ID, 10), Label: s.Name, Selected: on[s.ID]})
	}
	return out, nil
}

// Actions from the panel and the major incident view.

func (w *Web) incidentDeclareMajor(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	key := r.PathValue("key")
	back := incidentBack(r, key)
	if _, err := w.store.DeclareMajorIncident(r.Context(), id.Actor, key, r.PostFormValue("reason")); err != nil {
		w.incidentRefused(rw, r, id, "declare a major incident", back, err)
		return
	}
	redirectWithFlash(rw, r, back, strings.ToUpper(key)+" is a major incident. Post updates to its communication log.")
}

func (w *Web) incidentEndMajor(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	key := r.PathValue("key")
	back := incidentBack(r, key)
	if _, err := w.store.EndMajorIncident(r.Context(), id.Actor, key); err != nil {
		w.incidentRefused(rw, r, id, "end the major incident", back, err)
		return
	}
	redirectWithFlash(rw, r, back, strings.ToUpper(key)+" is no longer a major incident.")
}

func (w *Web) incidentCommunicate(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	key := r.PathValue("key")
	back := incidentBack(r, key)
	c, err := w.store.PostCommunication(r.Context(), id.Actor, key, ticket.Audience(r.PostFormValue("audience")), r.PostFormValue("message"))
	if err != nil {
		w.incidentRefused(rw, r, id, "post the update", back, err)
		return
	}
	to := map[ticket.Audience]string{ticket.AudienceInternal: "Internal update", ticket.AudienceCustomers: "Update for customers"}[c.Audience]
	redirectWithFlash(rw, r, back, to+" posted on "+strings.ToUpper(key)+".")
}

func (w *Web) incidentServices(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	key := r.PathValue("key")
	back := incidentBack(r, key)
	if err := r.ParseForm(); err != nil {
		http.Error(rw, "The form could not be read.", http.StatusBadRequest)
		return
	}
	list, err := w.store.SetAffectedServices(r.Context(), id.Actor, key, r.PostForm["service"])
	if err != nil {
		w.incidentRefused(rw, r, id, "change the affected services", back, err)
		return
	}
	names := make([]string, len(list))
	for i, s := range list {
		names[i] = s.Name
	}
	redirectWithFlash(rw, r, back, "Affected services: "+strings.Join(names, ", ")+".")
}

func (w *Web) incidentCause(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	key := r.PathValue("key")
	back := incidentBack(r, key)
	c, err := w.store.LinkIncidentCause(r.Context(), id.Actor, key, r.PostFormValue("ticket"))
	if err != nil {
		w.incidentRefused(rw, r, id, "link the cause", back, err)
		return
	}
	redirectWithFlash(rw, r, back, fmt.Sprintf("%s is caused by %s %s.", strings.ToUpper(key), strings.ReplaceAll(string(c.Type), "_", " "), c.Key))
}

// incidentReopen reopens a resolved incident, or raises a new one when
// that is too late, for agents (from the ticket page) and customers (from
// the portal).
func (w *Web) incidentReopen(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	key := r.PathValue("key")
	res, err := w.store.ReopenIncident(r.Context(), id.Actor, key, r.PostFormValue("comment"))
	ticketURL := func(k string) string {
		if id.Actor.Role.Staff() {
			return incidentTicketURL(k)
		}
		return portalRequestURL(k)
	}
	if err != nil {
		w.incidentRefused(rw, r, id, "reopen "+strings.ToUpper(key), ticketURL(key), err)
		return
	}
	if res.Reopened {
		redirectWithFlash(rw, r, ticketURL(res.Ticket.Key), res.Ticket.Key+" is open again.")
		return
	}
	redirectWithFlash(rw, r, ticketURL(res.Ticket.Key), fmt.Sprintf("%s was resolved too long ago to reopen, so %s was raised for it.", res.Original, res.Ticket.Key))
}

// The major incident view.

type incidentMajorEntry struct {
	store.MajorIncidentEntry
	URL string
	CIs []cmdb.CIRef
}

type incidentMajorView struct {
	Entries []incidentMajorEntry
	Self    string
}

func (w *Web) incidentMajorPage(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ctx := r.Context()
	list, err := w.store.MajorIncidents(ctx, id.Actor)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := incidentMajorView{Self: "/agent/major-incidents"}
	for _, e := range list {
		me := incidentMajorEntry{MajorIncidentEntry: e, URL: incidentTicketURL(e.Ticket.Key)}
		if me.CIs, err = w.store.TicketCIs(ctx, id.Actor, e.Ticket.Key); err != nil {
			w.fail(rw, r, err)
			return
		}
		v.Entries = append(v.Entries, me)
	}
	w.render(rw, r, http.StatusOK, "incident_major", Page{Title: "Major incidents", Section: "agent", Identity: id, Data: v})
}

// Open incidents, to group into problems.

const incidentPageSize = 50

type incidentListView struct {
	Rows             []ticket.Ticket
	Problems         []incidentOption
	Text             string
	Range            string
	PrevURL, NextURL string
	Checked          map[string]bool
	Target           string // "existing" or "new"
	Summary          string
}

func (w *Web) incidentListPage(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	w.incidentRenderList(rw, r, id, http.StatusOK, Page{})
}

func (w *Web) incidentRenderList(rw http.ResponseWriter, r *http.Request, id auth.Identity, status int, p Page) {
	ctx := r.Context()
	q := r.URL.Query()
	text := strings.TrimSpace(q.Get("q"))
	if len(text) > 200 {
		text = text[:200]
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	list, err := w.store.Tickets(ctx, id.Actor, store.TicketFilter{Types: []ticket.Type{ticket.TypeIncident},
		Categories: []ticket.Category{ticket.CategoryToDo, ticket.CategoryInProgress}, Text: text,
		Limit: incidentPageSize, Offset: (page - 1) * incidentPageSize})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := incidentListView{Rows: list.Tickets, Text: text, Checked: map[string]bool{}, Target: "existing"}
	if vals, ok := p.Values["incident"].([]string); ok {
		for _, k := range vals {
			v.Checked[strings.ToUpper(k)] = true
		}
	}
	if t, _ := p.Values["target"].(string); t == "new" {
		v.Target = "new"
	}
	v.Summary, _ = p.Values["summary"].(string)
	chosen, _ := p.Values["problem"].(string)
	if v.Problems, err = w.incidentOpenProblems(ctx, id.Actor, chosen); err != nil {
		w.fail(rw, r, err)
		return
	}
	if len(v.Problems) == 0 {
		v.Target = "new"
	}
	pageURL := func(n int) string {
		u := url.Values{}
		if text != "" {
			u.Set("q", text)
		}
		if n > 1 {
			u.Set("page", strconv.Itoa(n))
		}
		if len(u) == 0 {
			return "/agent/incidents"
		}
		return "/agent/incidents?" + u.Encode()
	}
	switch {
	case list.Total == 0:
		v.Range = "No open incidents"
	case len(list.Tickets) == 0:
		v.Range = fmt.Sprintf("Nothing on this page, of %d", list.Total)
	default:
		v.Range = fmt.Sprintf("%d-%d of %d", list.Offset+1, list.Offset+len(list.Tickets), list.Total)
	}
	if page > 1 {
		v.PrevURL = pageURL(page - 1)
	}
	if list.Offset+len(list.Tickets) < list.Total {
		v.NextURL = pageURL(page + 1)
	}
	p.Title, p.Section, p.Identity, p.Data = "Open incidents", "agent", id, v
	w.render(rw, r, status, "incident_list", p)
}

// incidentOpenProblems lists the open problems an agent may group
// incidents into, the newest first.
func (w *Web) incidentOpenProblems(ctx context.Context, actor directory.Actor, chosen string) ([]incidentOption, error) {
	list, err := w.store.Tickets(ctx, actor, store.TicketFilter{Types: []ticket.Type{ticket.TypeProblem},
		Categories: []ticket.Category{ticket.CategoryToDo, ticket.CategoryInProgress}, Limit: store.MaxPage})
	if err != nil {
		return nil, err
	}
	out := make([]incidentOption, 0, len(list.Tickets))
	for _, t := range list.Tickets {
		out = append(out, incidentOption{Value: t.Key, Label: t.Key + " " + t.Summary + " (" + t.Status + ")", Selected: strings.EqualFold(t.Key, chosen)})
	}
	return out, nil
}

func (w *Web) incidentGroup(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	if err := r.ParseForm(); err != nil {
		http.Error(rw, "The form could not be read.", http.StatusBadRequest)
		return
	}
	keys := r.PostForm["incident"]
	target := r.PostForm.Get("target")
	values := map[string]any{"incident": keys, "target": target, "problem": r.PostForm.Get("problem"), "summary": r.PostForm.Get("summary")}
	var res store.GroupResult
	var err error
	switch target {
	case "new":
		res, err = w.store.GroupIncidents(r.Context(), id.Actor, keys, "", &store.NewProblem{Summary: r.PostForm.Get("summary")})
	default:
		problem := r.PostForm.Get("problem")
		if problem == "" {
			err = errs.Required("problem")
		} else {
			res, err = w.store.GroupIncidents(r.Context(), id.Actor, keys, problem, nil)
		}
	}
	if err != nil {
		e, ok := errs.As(err)
		status := 0
		if ok {
			status = incidentStatus(e)
		}
		if status == 0 {
			w.fail(rw, r, err)
			return
		}
		p := Page{Values: values, Errors: map[string]string{}}
		switch {
		case e.Field == "incidents" || strings.HasPrefix(e.Field, "incidents["):
			p.Errors["incident"] = incidentMessage(e)
			if e.Code == "required_field" {
				p.Errors["incident"] = "Tick the incidents to add to the problem."
			}
		case e.Field == "summary":
			p.Errors["summary"] = incidentMessage(e)
			if e.Code == "required_field" {
				p.Errors["summary"] = "Give the new problem a summary."
			}
		case e.Field == "problem":
			p.Errors["problem"] = incidentMessage(e)
			if e.Code == "required_field" {
				p.Errors["problem"] = "Choose a problem, or create a new one."
			}
		default:
			p.Error = incidentMessage(e)
		}
		w.incidentRenderList(rw, r, id, status, p)
		return
	}
	msg := fmt.Sprintf("%s now groups %s.", res.Problem.Key, incidentCount(len(res.Linked)))
	if res.Created {
		msg = fmt.Sprintf("Problem %s raised with %s.", res.Problem.Key, incidentCount(len(res.Linked)))
	}
	if len(res.Already) > 0 {
		msg += fmt.Sprintf(" %s linked to it already.", strings.Join(res.Already, ", ")+map[bool]string{true: " was", false: " were"}[len(res.Already) == 1])
	}
	redirectWithFlash(rw, r, problemURL(res.Problem.Key), msg)
}

func incidentCount(n int) string {
	if n == 1 {
		return "1 incident"
	}
	return strconv.Itoa(n) + " incidents"
}

// The admin's rules for incidents.

type incidentMatrixCell struct {
	Name    string // the form field: m_<impact>_<urgency>
	Label   string
	Options []incidentOption
}

type incidentMatrixRow struct {
	Impact string
	Cells  []incidentMatrixCell
}

type incidentAdminView struct {
	Urgencies []string
	Rows      []incidentMatrixRow
	Window    string
	Codes     string // one per line
	Require   bool
}

func (w *Web) incidentAdminPage(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	w.incidentRenderAdmin(rw, r, id, http.StatusOK, Page{}, nil, nil)
}

// incidentRenderAdmin shows the admin page; m and st replace the stored
// values when a form was refused, so that what was typed stays.
func (w *Web) incidentRenderAdmin(rw http.ResponseWriter, r *http.Request, id auth.Identity, status int, p Page, m ticket.Matrix, st *ticket.IncidentSettings) {
	ctx := r.Context()
	var err error
	if m == nil {
		if m, err = w.store.PriorityMatrix(ctx); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	if st == nil {
		s, err := w.store.IncidentSettings(ctx)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		st = &s
	}
	v := incidentAdminView{Window: strconv.Itoa(st.ReopenWindowDays), Codes: strings.Join(st.ResolutionCodes, "\n"), Require: st.RequireResolutionCode}
	if raw, ok := p.Values["reopen_window_days"].(string); ok {
		v.Window = raw
	}
	for _, u := range ticket.Levels {
		v.Urgencies = append(v.Urgencies, incidentLevelLabel(u))
	}
	for _, impact := range ticket.Levels {
		row := incidentMatrixRow{Impact: incidentLevelLabel(impact)}
		for _, urgency := range ticket.Levels {
			cell := incidentMatrixCell{Name: "m_" + string(impact) + "_" + string(urgency),
				Label: incidentLevelLabel(impact) + " impact, " + strings.ToLower(incidentLevelLabel(urgency)) + " urgency"}
			for _, pr := range ticket.Priorities {
				cell.Options = append(cell.Options, incidentOption{Value: string(pr), Label: string(pr), Selected: m[impact][urgency] == pr})
			}
			row.Cells = append(row.Cells, cell)
		}
		v.Rows = append(v.Rows, row)
	}
	p.Title, p.Section, p.Identity, p.Data = "Incident rules", "admin", id, v
	w.render(rw, r, status, "incident_admin", p)
}

func incidentLevelLabel(l ticket.Level) string {
	s := string(l)
	return strings.ToUpper(s[:1]) + s[1:]
}

func (w *Web) incidentAdminMatrix(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	m := ticket.Matrix{}
	for _, impact := range ticket.Levels {
		m[impact] = map[ticket.Level]ticket.Priority{}
		for _, urgency := range ticket.Levels {
			if p, ok := ticket.ParsePriority(r.PostFormValue("m_" + string(impact) + "_" + string(urgency))); ok {
				m[impact][urgency] = p
			}
		}
	}
	if _, err := w.store.SetPriorityMatrix(r.Context(), id.Actor, m); err != nil {
		e, ok := errs.As(err)
		if !ok || e.Kind != errs.KindInvalid {
			w.fail(rw, r, err)
			return
		}
		w.incidentRenderAdmin(rw, r, id, http.StatusUnprocessableEntity, Page{Errors: map[string]string{"matrix": "Choose a priority for " + strings.Replace(e.Field, ".", " impact and ", 1) + " urgency."}}, m, nil)
		return
	}
	redirectWithFlash(rw, r, "/admin/incidents", "Priority matrix saved. New incidents and changes of impact or urgency use it.")
}

func (w *Web) incidentAdminRules(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	raw := strings.TrimSpace(r.PostFormValue("reopen_window_days"))
	st := ticket.IncidentSettings{RequireResolutionCode: r.PostFormValue("require_resolution_code") != ""}
	for _, line := range strings.Split(r.PostFormValue("resolution_codes"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			st.ResolutionCodes = append(st.ResolutionCodes, line)
		}
	}
	var err error
	if st.ReopenWindowDays, err = strconv.Atoi(raw); err != nil {
		err = errs.Invalid("reopen_window_days", "must be a whole number of days")
	} else {
		_, err = w.store.SetIncidentSettings(r.Context(), id.Actor, st)
	}
	if err != nil {
		e, ok := errs.As(err)
		if !ok || e.Kind != errs.KindInvalid {
			w.fail(rw, r, err)
			return
		}
		key := "resolution_codes"
		if e.Field == "reopen_window_days" {
			key = e.Field
		}
		w.incidentRenderAdmin(rw, r, id, http.StatusUnprocessableEntity,
			Page{Errors: map[string]string{key: incidentMessage(e)}, Values: map[string]any{"reopen_window_days": raw}}, nil, &st)
		return
	}
	redirectWithFlash(rw, r, "/admin/incidents", "Incident rules saved.")
}
