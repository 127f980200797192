package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// Problem management's pages: open problems, a problem's page (root cause
// analysis, its incidents, known errors, resolving it with its incidents),
// and the known errors agents search while working an incident.

func (w *Web) problemRoutes() {
	agent := func(pattern string, h func(http.ResponseWriter, *http.Request, auth.Identity)) {
		w.mux.HandleFunc(pattern, w.page(directory.RoleAgent, h))
	}
	agent("GET /agent/problems", w.problemListPage)
	agent("GET /agent/problems/{key}", w.problemPage)
	agent("POST /agent/problems/{key}/analysis", w.problemAnalysis)
	agent("POST /agent/problems/{key}/known-errors", w.problemKnownError)
	agent("POST /agent/problems/{key}/resolve", w.problemResolve)
	agent("GET /agent/known-errors", w.knownErrorsPage)
	agent("GET /agent/known-errors/{id}", w.knownErrorPage)
	agent("POST /agent/known-errors/{id}", w.knownErrorUpdate)
	agent("POST /agent/known-errors/{id}/apply", w.knownErrorApply)
}

func problemURL(key string) string {
	return "/agent/problems/" + url.PathEscape(strings.ToUpper(strings.TrimSpace(key)))
}

func knownErrorURL(id int64) string { return "/agent/known-errors/" + strconv.FormatInt(id, 10) }

// problemRefused shows page p again with a refused form's reason next to
// its field (fields maps the store's field names to the page's), or fails.
func problemRefused(err error, fields map[string]string, p *Page) int {
	e, ok := errs.As(err)
	if !ok {
		return 0
	}
	status := incidentStatus(e)
	if status == 0 {
		return 0
	}
	if p.Errors == nil {
		p.Errors = map[string]string{}
	}
	if key, ok := fields[e.Field]; ok {
		p.Errors[key] = incidentMessage(e)
	} else if e.Field != "" && fields["*"] != "" {
		p.Errors[fields["*"]] = incidentMessage(e)
	} else {
		p.Error = incidentMessage(e)
	}
	return status
}

// Open problems.

type problemListView struct {
	Rows []ticket.Ticket
	All  bool
}

func (w *Web) problemListPage(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	all := r.URL.Query().Get("all") == "1"
	f := store.TicketFilter{Types: []ticket.Type{ticket.TypeProblem}, Limit: store.MaxPage}
	if !all {
		f.Categories = []ticket.Category{ticket.CategoryToDo, ticket.CategoryInProgress}
	}
	list, err := w.store.Tickets(r.Context(), id.Actor, f)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.render(rw, r, http.StatusOK, "problem_list", Page{Title: "Problems", Section: "agent", Identity: id,
		Data: problemListView{Rows: list.Tickets, All: all}})
}

// A problem's page.

type problemWhyRow struct {
	N                int
	Question, Answer string
}

type problemPageView struct {
	T           ticket.Ticket
	TicketURL   string
	Analysis    ticket.Analysis
	Method      string
	Whys        []problemWhyRow // always ticket.MaxWhys rows
	Incidents   []store.RelatedTicket
	OpenCount   int
	KnownErrors []ticket.KnownError
	Codes       []string
	Done        bool
	Cascade     string
	Resolution  string
	Comment     string
	NewKnown    ticket.KnownError
}

func (w *Web) problemPage(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	w.problemRender(rw, r, id, r.PathValue("key"), http.StatusOK, Page{}, nil)
}

// problemRender shows a problem's page. typed is an analysis that was
// refused, shown again as typed.
func (w *Web) problemRender(rw http.ResponseWriter, r *http.Request, id auth.Identity, key string, status int, p Page, typed *ticket.Analysis) {
	ctx := r.Context()
	t, err := w.store.Ticket(ctx, id.Actor, key)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if t.Type != ticket.TypeProblem {
		// The agent's ticket page shows every other ticket.
		http.Redirect(rw, r, incidentTicketURL(t.Key), http.StatusSeeOther)
		return
	}
	v := problemPageView{T: t, TicketURL: incidentTicketURL(t.Key), Done: t.StatusCategory == ticket.CategoryDone, Cascade: string(ticket.CascadeNotify)}
	if v.Analysis, err = w.store.ProblemAnalysis(ctx, id.Actor, t.Key); err != nil {
		w.fail(rw, r, err)
		return
	}
	shown := v.Analysis
	if typed != nil {
		shown = *typed
	}
	v.Method = string(shown.Method)
	for i := range ticket.MaxWhys {
		row := problemWhyRow{N: i + 1}
		if i < len(shown.Whys) {
			row.Question, row.Answer = shown.Whys[i].Question, shown.Whys[i].Answer
		}
		v.Whys = append(v.Whys, row)
	}
	v.Analysis.Symptoms, v.Analysis.RootCause, v.Analysis.Notes = shown.Symptoms, shown.RootCause, shown.Notes
	if v.Incidents, err = w.store.ProblemIncidents(ctx, id.Actor, t.Key); err != nil {
		w.fail(rw, r, err)
		return
	}
	for _, inc := range v.Incidents {
		if inc.StatusCategory != ticket.CategoryDone {
			v.OpenCount++
		}
	}
	page, err := w.store.KnownErrors(ctx, id.Actor, store.KnownErrorFilter{Problem: t.Key, Limit: store.MaxPage})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.KnownErrors = page.KnownErrors
	st, err := w.store.IncidentSettings(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Codes = st.ResolutionCodes
	str := func(k string) string { s, _ := p.Values[k].(string); return s }
	if c := str("cascade"); c != "" {
		v.Cascade = c
	}
	v.Resolution, v.Comment = str("resolution"), str("comment")
	v.NewKnown = ticket.KnownError{Title: str("title"), Symptoms: str("symptoms"), Workaround: str("workaround")}
	p.Title, p.Section, p.Identity, p.Data = t.Key+" "+t.Summary, "agent", id, v
	w.render(rw, r, status, "problem_page", p)
}

func (w *Web) problemAnalysis(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	key := r.PathValue("key")
	a := ticket.Analysis{Symptoms: r.PostFormValue("symptoms"), RootCause: r.PostFormValue("root_cause"),
		Method: ticket.AnalysisMethod(r.PostFormValue("method")), Notes: r.PostFormValue("notes")}
	for i := 1; i <= ticket.MaxWhys; i++ {
		a.Whys = append(a.Whys, ticket.Why{Question: r.PostFormValue(fmt.Sprintf("why_q_%d", i)), Answer: r.PostFormValue(fmt.Sprintf("why_a_%d", i))})
	}
	typed := a
	if a.Method == ticket.MethodFreeForm {
		// Switching to free form drops the whys rather than refusing them.
		a.Whys = nil
	}
	if _, err := w.store.SaveProblemAnalysis(r.Context(), id.Actor, key, a); err != nil {
		p := Page{}
		fields := map[string]string{"symptoms": "symptoms", "root_cause": "root_cause", "notes": "notes", "method": "method", "*": "whys"}
		status := problemRefused(err, fields, &p)
		if status == 0 {
			w.fail(rw, r, err)
			return
		}
		w.problemRender(rw, r, id, key, status, p, &typed)
		return
	}
	redirectWithFlash(rw, r, problemURL(key)+"#analysis", "Root cause analysis saved.")
}

func (w *Web) problemKnownError(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	key := r.PathValue("key")
	in := ticket.KnownError{Title: r.PostFormValue("title"), Symptoms: r.PostFormValue("symptoms"), Workaround: r.PostFormValue("workaround")}
	k, err := w.store.CreateKnownError(r.Context(), id.Actor, key, in)
	if err != nil {
		p := Page{Values: map[string]any{"title": in.Title, "symptoms": in.Symptoms, "workaround": in.Workaround}}
		status := problemRefused(err, map[string]string{"title": "title", "symptoms": "symptoms", "workaround": "workaround"}, &p)
		if status == 0 {
			w.fail(rw, r, err)
			return
		}
		w.problemRender(rw, r, id, key, status, p, nil)
		return
	}
	redirectWithFlash(rw, r, problemURL(key)+"#known-errors", "Known error recorded: "+k.Title+".")
}

func (w *Web) problemResolve(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	key := r.PathValue("key")
	values := map[string]any{"cascade": r.PostFormValue("cascade"), "resolution": r.PostFormValue("resolution"), "comment": r.PostFormValue("comment")}
	cascade, err := ticket.ParseCascade(r.PostFormValue("cascade"))
	var res store.ProblemResolution
	if err == nil {
		res, err = w.store.ResolveProblem(r.Context(), id.Actor, key, cascade, r.PostFormValue("resolution"), r.PostFormValue("comment"))
	}
	if err != nil {
		p := Page{Values: values}
		status := problemRefused(err, map[string]string{"cascade": "cascade", "resolution": "resolution", "comment": "comment", "body": "comment"}, &p)
		if status == 0 {
			w.fail(rw, r, err)
			return
		}
		w.problemRender(rw, r, id, key, status, p, nil)
		return
	}
	msg := fmt.Sprintf("%s is %s.", res.Problem.Key, res.Problem.Status)
	switch {
	case len(res.Resolved) > 0:
		msg += fmt.Sprintf(" Resolved with it: %s.", strings.Join(res.Resolved, ", "))
	case len(res.Notified) > 0:
		msg += fmt.Sprintf(" Told the customers of %s.", strings.Join(res.Notified, ", "))
	}
	redirectWithFlash(rw, r, problemURL(res.Problem.Key), msg)
}

// Known errors.

type knownErrorsView struct {
	Text     string
	Status   string // "active" (the default), "all", or a status
	Statuses []incidentOption
	Incident string // the incident an agent came from, to apply to
	Page     store.KnownErrorPage
	Range    string
	PrevURL  string
	NextURL  string
}

func (w *Web) knownErrorsPage(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	q := r.URL.Query()
	v := knownErrorsView{Text: strings.TrimSpace(q.Get("q")), Status: q.Get("status"), Incident: strings.ToUpper(strings.TrimSpace(q.Get("incident")))}
	if len(v.Text) > 200 {
		v.Text = v.Text[:200]
	}
	f := store.KnownErrorFilter{Text: v.Text, Limit: 25}
	switch st := ticket.KnownErrorStatus(v.Status); {
	case v.Status == "all":
	case ticket.ValidKnownErrorStatus(st):
		f.Statuses = []ticket.KnownErrorStatus{st}
	default:
		v.Status = string(ticket.KnownErrorActive)
		f.Statuses = []ticket.KnownErrorStatus{ticket.KnownErrorActive}
	}
	for _, o := range []string{"active", "fixed", "retired", "all"} {
		label := strings.ToUpper(o[:1]) + o[1:]
		if o == "all" {
			label = "Any status"
		}
		v.Statuses = append(v.Statuses, incidentOption{Value: o, Label: label, Selected: o == v.Status})
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	f.Offset = (page - 1) * f.Limit
	var err error
	if v.Page, err = w.store.KnownErrors(r.Context(), id.Actor, f); err != nil {
		w.fail(rw, r, err)
		return
	}
	at := func(n int) string {
		u := url.Values{}
		for k, val := range map[string]string{"q": v.Text, "status": v.Status, "incident": v.Incident} {
			if val != "" {
				u.Set(k, val)
			}
		}
		if n > 1 {
			u.Set("page", strconv.Itoa(n))
		}
		return "/agent/known-errors?" + u.Encode()
	}
	switch {
	case v.Page.Total == 0:
		v.Range = "No known errors match."
	default:
		v.Range = fmt.Sprintf("%d-%d of %d", v.Page.Offset+1, v.Page.Offset+len(v.Page.KnownErrors), v.Page.Total)
	}
	if page > 1 {
		v.PrevURL = at(page - 1)
	}
	if v.Page.Offset+len(v.Page.KnownErrors) < v.Page.Total {
		v.NextURL = at(page + 1)
	}
	w.render(rw, r, http.StatusOK, "problem_known_errors", Page{Title: "Known errors", Section: "agent", Identity: id, Data: v})
}

type knownErrorView struct {
	K        ticket.KnownError
	Statuses []incidentOption
}

func (w *Web) knownErrorPage(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	w.knownErrorRender(rw, r, id, http.StatusOK, Page{}, nil)
}

func (w *Web) knownErrorRender(rw http.ResponseWriter, r *http.Request, id auth.Identity, status int, p Page, typed *ticket.KnownError) {
	kid, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		w.notFound(rw, r, id)
		return
	}
	k, err := w.store.KnownError(r.Context(), id.Actor, kid)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if typed != nil {
		k.Title, k.Symptoms, k.Workaround, k.Status = typed.Title, typed.Symptoms, typed.Workaround, typed.Status
	}
	v := knownErrorView{K: k}
	for _, s := range ticket.KnownErrorStatuses {
		v.Statuses = append(v.Statuses, incidentOption{Value: string(s), Label: strings.ToUpper(string(s)[:1]) + string(s)[1:], Selected: s == k.Status})
	}
	p.Title, p.Section, p.Identity, p.Data = "Known error: "+k.Title, "agent", id, v
	w.render(rw, r, status, "problem_known_error", p)
}

func (w *Web) knownErrorUpdate(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	kid, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		w.notFound(rw, r, id)
		return
	}
	in := ticket.KnownError{Title: r.PostFormValue("title"), Symptoms: r.PostFormValue("symptoms"), Workaround: r.PostFormValue("workaround"),
		Status: ticket.KnownErrorStatus(r.PostFormValue("status"))}
	k, err := w.store.UpdateKnownError(r.Context(), id.Actor, kid, in)
	if err != nil {
		p := Page{}
		status := problemRefused(err, map[string]string{"title": "title", "symptoms": "symptoms", "workaround": "workaround", "status": "status"}, &p)
		if status == 0 {
			w.fail(rw, r, err)
			return
		}
		w.knownErrorRender(rw, r, id, status, p, &in)
		return
	}
	redirectWithFlash(rw, r, knownErrorURL(k.ID), "Known error saved.")
}

func (w *Web) knownErrorApply(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	kid, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		w.notFound(rw, r, id)
		return
	}
	incident := strings.ToUpper(strings.TrimSpace(r.PostFormValue("incident")))
	back := safeNext(r.PostFormValue("back"))
	if back == "/" {
		back = knownErrorURL(kid)
	}
	res, err := w.store.ApplyKnownError(r.Context(), id.Actor, kid, incident, r.PostFormValue("internal") != "")
	if err != nil {
		if errs.Is(err, errs.KindNotFound) && incident != "" {
			// The known error exists (it was on the page): the incident does not.
			if _, kerr := w.store.KnownError(r.Context(), id.Actor, kid); kerr == nil {
				err = errs.Invalid("incident", "there is no incident %s you can see", incident)
			}
		}
		w.incidentRefused(rw, r, id, "apply the known error", back, err)
		return
	}
	msg := "Workaround posted on " + incident
	if res.Linked {
		msg += ", now linked to problem " + res.Problem
	}
	redirectWithFlash(rw, r, incidentTicketURL(incident)+"#comment-"+strconv.FormatInt(res.Comment.ID, 10), msg+".")
}
