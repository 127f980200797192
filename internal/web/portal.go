package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// portalPageSize is how many requests "My requests" shows per page.
const portalPageSize = 25

// portalRoutes registers the customer portal's pages under /portal. Every
// role may use it: agents and admins raise their own requests here too, and
// see the help center as customers do.
func (w *Web) portalRoutes() {
	c := directory.RoleCustomer
	w.mux.HandleFunc("GET /portal", w.page(c, w.portalHome))
	w.mux.HandleFunc("GET /portal/{$}", func(rw http.ResponseWriter, r *http.Request) {
		http.Redirect(rw, r, "/portal", http.StatusMovedPermanently)
	})
	w.mux.HandleFunc("GET /portal/new/{id}", w.page(c, w.portalNewForm))
	w.mux.HandleFunc("POST /portal/new/{id}", w.page(c, w.portalCreate))
	w.mux.HandleFunc("GET /portal/requests", w.page(c, w.portalRequests))
	w.mux.HandleFunc("GET /portal/requests/{key}", w.page(c, w.portalRequest))
	w.mux.HandleFunc("POST /portal/requests/{key}/comments", w.page(c, w.portalReply))
	w.mux.HandleFunc("POST /portal/requests/{key}/attachments", w.page(c, w.portalUpload))
	w.mux.HandleFunc("GET /portal/requests/{key}/attachments/{id}", w.page(c, w.portalDownload))
	w.mux.HandleFunc("POST /portal/requests/{key}/transitions", w.page(c, w.portalTransition))
}

// ---- Home: the catalogue and a search over it ----

// portalService is a service of the help center with the request types
// through which it is asked for.
type portalService struct {
	catalog.Service
	Preview bool // not live yet: only staff see it, to try its forms
	Types   []catalog.RequestType
}

type portalHome struct {
	Query    string
	Services []portalService
	Matches  int // request types shown
	Recent   []ticket.Ticket
	More     bool // the viewer has more requests than Recent shows
}

func (w *Web) portalHome(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ctx := r.Context()
	all, err := w.portalCatalog(ctx, id.Actor)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	home := portalHome{Query: q, Services: searchCatalog(all, q)}
	for _, s := range home.Services {
		home.Matches += len(s.Types)
	}
	recent, err := w.store.Tickets(ctx, id.Actor, store.TicketFilter{ReporterID: id.Actor.UserID, Sort: "updated", Limit: 5})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	home.Recent, home.More = recent.Tickets, recent.Total > len(recent.Tickets)
	w.render(rw, r, http.StatusOK, "portal_home", Page{Title: "Help center", Section: "portal", Identity: id, Data: home})
}

// portalCatalog lists the services the actor may raise requests for, each
// with its request types. Customers get live services; staff also see those
// still in the pipeline, so they can try a form before it goes live.
// Services without request types are left out: there is nothing to ask.
func (w *Web) portalCatalog(ctx context.Context, actor directory.Actor) ([]portalService, error) {
	staff := actor.Role.Staff()
	services, err := w.store.Services(ctx, !staff)
	if err != nil {
		return nil, err
	}
	types, err := w.store.RequestTypes(ctx, 0, !staff)
	if err != nil {
		return nil, err
	}
	byService := map[int64][]catalog.RequestType{}
	for _, rt := range types {
		byService[rt.ServiceID] = append(byService[rt.ServiceID], rt)
	}
	var out []portalService
	for _, s := range services {
		if !portalOffers(s, actor) || len(byService[s.ID]) == 0 {
			continue
		}
		out = append(out, portalService{Service: s, Preview: s.Status != catalog.ServiceLive, Types: byService[s.ID]})
	}
	return out, nil
}

// portalOffers reports whether the actor may raise requests for a service
// in the portal.
func portalOffers(s catalog.Service, actor directory.Actor) bool {
	return s.Status == catalog.ServiceLive || (actor.Role.Staff() && s.Status == catalog.ServicePipeline)
}

// searchCatalog keeps the request types whose text, with their service's,
// holds every word of q, letter case ignored; services keep only their
// matching types and disappear when none match.
func searchCatalog(services []portalService, q string) []portalService {
	terms := strings.Fields(strings.ToLower(q))
	if len(terms) == 0 {
		return services
	}
	var out []portalService
	for _, s := range services {
		serviceText := strings.ToLower(s.Name + "\n" + s.Description)
		var types []catalog.RequestType
		for _, rt := range s.Types {
			text := serviceText + "\n" + strings.ToLower(rt.Name+"\n"+rt.Description)
			if !slices.ContainsFunc(terms, func(t string) bool { return !strings.Contains(text, t) }) {
				types = append(types, rt)
			}
		}
		if len(types) > 0 {
			s.Types = types
			out = append(out, s)
		}
	}
	return out
}

// ---- Raising a request ----

// portalForm is the form of one request type.
type portalForm struct {
	Service      catalog.Service
	Type         catalog.RequestType
	Fields       []portalField
	Organization string // the viewer's organization, to share the request with
	Problems     []portalProblem
}

// portalField is one question of the form, with what was submitted and
// what is wrong with it.
type portalField struct {
	catalog.Field
	Name        string // the form field's name: "fields.<key>"
	ID          string // the input's id; a multi-select's checkboxes add -0, -1...
	Value       string
	Selected    []string // a multi-select's ticked options
	Checked     bool
	Error       string
	DescribedBy string // ids of the help and error texts
	People      []portalOptionGroup
}

// portalProblem is an entry of the error summary above a form: it links to
// the field at fault.
type portalProblem struct {
	ID      string
	Message string
}

type portalOption struct {
	Value, Label string
	Selected     bool
}

type portalOptionGroup struct {
	Label   string
	Options []portalOption
}

func (w *Web) portalNewForm(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ctx := r.Context()
	svc, rt, err := w.portalRequestType(ctx, id.Actor, r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	people, err := w.portalPeople(ctx, id.Actor, rt.Fields)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	form, err := w.portalFormView(ctx, id.Actor, svc, rt, people, url.Values{}, nil)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.render(rw, r, http.StatusOK, "portal_new", Page{Title: rt.Name, Section: "portal", Identity: id, Data: form,
		Values: map[string]any{"summary": "", "description": "", "share": false}})
}

func (w *Web) portalCreate(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ctx := r.Context()
	svc, rt, err := w.portalRequestType(ctx, id.Actor, r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		w.render(rw, r, http.StatusBadRequest, "notfound", Page{Title: "Bad request", Identity: id, Error: "The form could not be read."})
		return
	}
	form := r.PostForm
	summary, description := form.Get("summary"), form.Get("description")
	share := form.Get("share") != "" && id.Actor.OrganizationID != 0
	values := portalFieldValues(rt.Fields, form)

	people, err := w.portalPeople(ctx, id.Actor, rt.Fields)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	problems := checkPortalForm(rt.Fields, people, summary, description, values)
	pageErr := ""
	if len(problems) == 0 {
		nt := store.NewTicket{Service: strconv.FormatInt(svc.ID, 10), RequestType: strconv.FormatInt(rt.ID, 10),
			Summary: summary, Description: description, Fields: values, Channel: ticket.ChannelPortal}
		if share {
			nt.OrganizationID = id.Actor.OrganizationID
		}
		t, err := w.store.CreateTicket(ctx, id.Actor, nt)
		if err == nil {
			redirectWithFlash(rw, r, portalRequestURL(t.Key), "Request "+t.Key+" raised")
			return
		}
		e, ok := errs.As(err)
		if !ok || e.Kind != errs.KindInvalid {
			w.fail(rw, r, err)
			return
		}
		switch label := portalFieldLabel(rt.Fields, e.Field); {
		case label != "":
			problems[e.Field] = fieldMessage(label, e)
		default:
			pageErr = "The request could not be raised: " + e.Error()
		}
	}
	view, err := w.portalFormView(ctx, id.Actor, svc, rt, people, form, problems)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.render(rw, r, http.StatusUnprocessableEntity, "portal_new", Page{Title: rt.Name, Section: "portal", Identity: id,
		Data: view, Error: pageErr, Errors: problems,
		Values: map[string]any{"summary": summary, "description": description, "share": share}})
}

// checkPortalForm checks every answer with the domain's own rules, so that
// all mistakes show at once (the store stops at the first, and checks again
// when it saves). It gives field name → message.
func checkPortalForm(fields []catalog.Field, people portalPeopleList, summary, description string, values map[string]any) map[string]string {
	problems := map[string]string{}
	if _, err := ticket.CleanSummary(summary); err != nil {
		problems["summary"] = fieldMessage("Summary", err)
	}
	if _, err := ticket.CleanDescription(description); err != nil {
		problems["description"] = fieldMessage("Description", err)
	}
	for _, f := range fields {
		one := map[string]any{}
		if v, ok := values[f.Key]; ok {
			one[f.Key] = v
		}
		if _, err := catalog.ValidateValues([]catalog.Field{f}, one, nil); err != nil {
			problems["fields."+f.Key] = fieldMessage(f.Label, err)
		} else if v, ok := values[f.Key].(string); ok && f.Type == catalog.FieldUser && !people.has(v) {
			// Only the people the form offers may be named, so that a
			// customer cannot point a request at anyone by guessing ids.
			problems["fields."+f.Key] = "Choose someone from the list."
		}
	}
	return problems
}

// portalRequestType finds a request type the actor may raise, with its
// service; anything else is not found.
func (w *Web) portalRequestType(ctx context.Context, actor directory.Actor, ref string) (catalog.Service, catalog.RequestType, error) {
	rtID, err := strconv.ParseInt(ref, 10, 64)
	if err != nil || rtID <= 0 {
		return catalog.Service{}, catalog.RequestType{}, errs.NotFound("no request type %q", ref)
	}
	rt, err := w.store.RequestType(ctx, rtID)
	if err != nil {
		return catalog.Service{}, rt, err
	}
	svc, err := w.store.Service(ctx, rt.ServiceID)
	if err != nil {
		return svc, rt, err
	}
	if !portalOffers(svc, actor) {
		return svc, rt, errs.NotFound("no request type %d", rtID)
	}
	return svc, rt, nil
}

// portalFieldValues reads a request type's fields from a submitted form, as
// the store takes them: strings, lists for multi-selects, booleans for
// checkboxes (an unticked box is a "No"). Empty answers are left out.
func portalFieldValues(fields []catalog.Field, form url.Values) map[string]any {
	out := map[string]any{}
	for _, f := range fields {
		name := "fields." + f.Key
		switch f.Type {
		case catalog.FieldMultiSelect:
			if vs := form[name]; len(vs) > 0 {
				out[f.Key] = vs
			}
		case catalog.FieldCheckbox:
			out[f.Key] = form.Get(name) != ""
		default:
			if v := form.Get(name); strings.TrimSpace(v) != "" {
				out[f.Key] = v
			}
		}
	}
	return out
}

// portalFieldLabel names the input behind an error's field, or gives ""
// when the error is about the form as a whole.
func portalFieldLabel(fields []catalog.Field, name string) string {
	switch name {
	case "summary":
		return "Summary"
	case "description":
		return "Description"
	}
	if key, ok := strings.CutPrefix(name, "fields."); ok {
		for _, f := range fields {
			if f.Key == key {
				return f.Label
			}
		}
	}
	return ""
}

// fieldMessage words a validation error for display by its field and in
// the summary above the form, where it must make sense on its own: "is
// required" becomes "Summary is required.", and `"x" is not a number`
// becomes `Budget: "x" is not a number.`
func fieldMessage(label string, err error) string {
	msg := err.Error()
	if e, ok := errs.As(err); ok {
		msg = e.Message
	}
	for _, verb := range []string{"is ", "must ", "only "} {
		if strings.HasPrefix(msg, verb) {
			return label + " " + msg + "."
		}
	}
	return label + ": " + msg + "."
}

// portalFormView builds the form of a request type, filled with what was
// submitted and marked with the problems found.
func (w *Web) portalFormView(ctx context.Context, actor directory.Actor, svc catalog.Service, rt catalog.RequestType,
	people portalPeopleList, form url.Values, problems map[string]string) (portalForm, error) {
	v := portalForm{Service: svc, Type: rt}
	if actor.OrganizationID != 0 {
		name, err := w.organizationName(ctx, actor.OrganizationID)
		if err != nil {
			return v, err
		}
		v.Organization = name
	}
	for _, name := range []string{"summary", "description"} {
		if msg := problems[name]; msg != "" {
			v.Problems = append(v.Problems, portalProblem{ID: name, Message: msg})
		}
	}
	for _, f := range rt.Fields {
		pf := portalField{Field: f, Name: "fields." + f.Key, ID: "f-" + f.Key, Value: form.Get("fields." + f.Key),
			Selected: form["fields."+f.Key], Checked: form.Get("fields."+f.Key) != "", Error: problems["fields."+f.Key]}
		var described []string
		if f.Help != "" {
			described = append(described, pf.ID+"-help")
		}
		if pf.Error != "" {
			described = append(described, pf.ID+"-error")
			target := pf.ID
			if f.Type == catalog.FieldMultiSelect {
				target += "-0"
			}
			v.Problems = append(v.Problems, portalProblem{ID: target, Message: pf.Error})
		}
		pf.DescribedBy = strings.Join(described, " ")
		if f.Type == catalog.FieldUser {
			pf.People = people.groups(pf.Value)
		}
		v.Fields = append(v.Fields, pf)
	}
	return v, nil
}

func (w *Web) organizationName(ctx context.Context, id int64) (string, error) {
	orgs, err := w.store.Organizations(ctx)
	if err != nil {
		return "", err
	}
	for _, o := range orgs {
		if o.ID == id {
			return o.Name, nil
		}
	}
	return "", nil
}

// portalPeopleList is who a user field may name: the people of the
// viewer's organization (or the viewer alone, without one) and the IT
// staff. Customers may not list users through the API, so the list stays
// this small on purpose.
type portalPeopleList struct {
	colleaguesLabel   string
	colleagues, staff []directory.User
}

// portalPeople loads the people a form's user fields offer; nothing when
// the form has none.
func (w *Web) portalPeople(ctx context.Context, actor directory.Actor, fields []catalog.Field) (portalPeopleList, error) {
	var p portalPeopleList
	if !slices.ContainsFunc(fields, func(f catalog.Field) bool { return f.Type == catalog.FieldUser }) {
		return p, nil
	}
	if actor.OrganizationID != 0 {
		users, err := w.store.Users(ctx, store.UserFilter{OrganizationID: actor.OrganizationID})
		if err != nil {
			return p, err
		}
		p.colleaguesLabel, p.colleagues = "Your organization", users
	} else if !actor.Role.Staff() {
		me, err := w.store.User(ctx, actor.UserID)
		if err != nil {
			return p, err
		}
		p.colleaguesLabel, p.colleagues = "You", []directory.User{me}
	}
	for _, role := range []directory.Role{directory.RoleAgent, directory.RoleAdmin} {
		users, err := w.store.Users(ctx, store.UserFilter{Role: role})
		if err != nil {
			return p, err
		}
		p.staff = append(p.staff, users...)
	}
	slices.SortFunc(p.staff, func(a, b directory.User) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	// Staff of the organization are listed once, among the staff.
	p.colleagues = slices.DeleteFunc(p.colleagues, func(u directory.User) bool { return !u.Active || u.Role.Staff() })
	p.staff = slices.DeleteFunc(p.staff, func(u directory.User) bool { return !u.Active })
	return p, nil
}

func (p portalPeopleList) has(id string) bool {
	match := func(u directory.User) bool { return strconv.FormatInt(u.ID, 10) == strings.TrimSpace(id) }
	return slices.ContainsFunc(p.colleagues, match) || slices.ContainsFunc(p.staff, match)
}

func (p portalPeopleList) groups(selected string) []portalOptionGroup {
	group := func(label string, users []directory.User) portalOptionGroup {
		g := portalOptionGroup{Label: label}
		for _, u := range users {
			v := strconv.FormatInt(u.ID, 10)
			g.Options = append(g.Options, portalOption{Value: v, Label: u.Name, Selected: v == selected})
		}
		return g
	}
	var out []portalOptionGroup
	if len(p.colleagues) > 0 {
		out = append(out, group(p.colleaguesLabel, p.colleagues))
	}
	if len(p.staff) > 0 {
		out = append(out, group("IT staff", p.staff))
	}
	return out
}

// ---- My requests ----

type portalList struct {
	Scope, Status, Query string
	Scopes, Statuses     []portalOption
	Tickets              []ticket.Ticket
	ShowReporter         bool
	Total, Page, Pages   int
	From, To             int
	PrevURL, NextURL     string
	Filtered             bool // filters other than the defaults are set
}

func (w *Web) portalRequests(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	list, f := readPortalList(id.Actor, r.URL.Query())
	page, err := w.store.Tickets(r.Context(), id.Actor, f)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	list.Tickets, list.Total = page.Tickets, page.Total
	list.Pages = (page.Total + portalPageSize - 1) / portalPageSize
	if len(page.Tickets) > 0 {
		list.From, list.To = page.Offset+1, page.Offset+len(page.Tickets)
	}
	link := func(n int) string {
		v := url.Values{"scope": {list.Scope}, "status": {list.Status}}
		if list.Query != "" {
			v.Set("q", list.Query)
		}
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		return "/portal/requests?" + v.Encode()
	}
	if list.Page > 1 {
		list.PrevURL = link(min(list.Page-1, max(list.Pages, 1)))
	}
	if list.Page < list.Pages {
		list.NextURL = link(list.Page + 1)
	}
	w.render(rw, r, http.StatusOK, "portal_requests", Page{Title: "My requests", Section: "portal", Identity: id, Data: list})
}

// readPortalList reads the filters of "My requests" from the query string;
// unknown values fall back to the defaults.
func readPortalList(actor directory.Actor, q url.Values) (portalList, store.TicketFilter) {
	// Customers see their own requests and their organization's shared ones,
	// so "all" is both. Staff see far more than that through their teams,
	// so in the portal they choose between their own and their
	// organization's only.
	scopes := []portalOption{{Value: "mine", Label: "Raised by me"}}
	if actor.OrganizationID != 0 {
		scopes = append(scopes, portalOption{Value: "shared", Label: "Shared with my organization"})
		if !actor.Role.Staff() {
			scopes = append(scopes, portalOption{Value: "all", Label: "All my requests"})
		}
	}
	defaultScope := scopes[len(scopes)-1].Value
	list := portalList{Scope: defaultScope, Status: "open", Query: strings.TrimSpace(q.Get("q")), Page: 1}
	if v := q.Get("scope"); slices.ContainsFunc(scopes, func(o portalOption) bool { return o.Value == v }) {
		list.Scope = v
	}
	if v := q.Get("status"); v == "resolved" || v == "all" {
		list.Status = v
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 && n <= 1_000_000 {
		list.Page = n
	}
	for i := range scopes {
		scopes[i].Selected = scopes[i].Value == list.Scope
	}
	if len(scopes) > 1 {
		list.Scopes = scopes
	}
	list.Statuses = []portalOption{{Value: "open", Label: "Open"}, {Value: "resolved", Label: "Resolved"}, {Value: "all", Label: "Any status"}}
	for i := range list.Statuses {
		list.Statuses[i].Selected = list.Statuses[i].Value == list.Status
	}
	list.ShowReporter = list.Scope != "mine"
	list.Filtered = list.Status != "open" || list.Query != "" || list.Scope != defaultScope

	f := store.TicketFilter{Sort: "created", Text: list.Query, Limit: portalPageSize, Offset: (list.Page - 1) * portalPageSize}
	switch list.Scope {
	case "mine":
		f.ReporterID = actor.UserID
	case "shared":
		f.OrganizationID = actor.OrganizationID
	}
	switch list.Status {
	case "open":
		f.Categories = []ticket.Category{ticket.CategoryToDo, ticket.CategoryInProgress}
	case "resolved":
		f.Categories = []ticket.Category{ticket.CategoryDone}
	}
	return list, f
}

// ---- One request ----

type portalRequestView struct {
	Ticket      ticket.Ticket
	Values      []portalValue
	Comments    []ticket.Comment
	Attachments []portalAttachment
	Transitions []ticket.Transition
	MaxUpload   string
}

// portalValue is a submitted form value as people read it.
type portalValue struct {
	Label, Text string
	Long        bool
}

type portalAttachment struct {
	ticket.Attachment
	URL, Size string
}

func (w *Web) portalRequest(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	w.showPortalRequest(rw, r, id, http.StatusOK, Page{})
}

// showPortalRequest renders a request's page; p carries the errors and
// kept values of a form on it that was refused.
func (w *Web) showPortalRequest(rw http.ResponseWriter, r *http.Request, id auth.Identity, status int, p Page) {
	ctx, actor := r.Context(), id.Actor
	t, err := w.store.Ticket(ctx, actor, r.PathValue("key"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := portalRequestView{Ticket: t, MaxUpload: byteSize(ticket.MaxAttachment)}
	if v.Values, err = w.portalValues(ctx, t); err != nil {
		w.fail(rw, r, err)
		return
	}
	comments, err := w.store.Comments(ctx, actor, t.Key)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	// The store already hides internal notes from customers; staff reading
	// the portal see what the customer sees.
	v.Comments = slices.DeleteFunc(comments, func(c ticket.Comment) bool { return c.Internal })
	atts, err := w.store.Attachments(ctx, actor, t.Key)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	for _, a := range atts {
		v.Attachments = append(v.Attachments, portalAttachment{Attachment: a, Size: byteSize(a.Size),
			URL: fmt.Sprintf("/portal/requests/%s/attachments/%d", url.PathEscape(t.Key), a.ID)})
	}
	trs, err := w.store.Transitions(ctx, actor, t.Key)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	// The portal offers the customer's actions (cancel, close, reopen...);
	// staff work tickets in the workspace.
	v.Transitions = slices.DeleteFunc(trs, func(tr ticket.Transition) bool {
		return !slices.Contains(tr.Roles, directory.RoleCustomer)
	})
	p.Title, p.Section, p.Identity, p.Data = t.Key+": "+t.Summary, "portal", id, v
	if p.Values == nil {
		p.Values = map[string]any{}
	}
	if _, ok := p.Values["body"]; !ok {
		p.Values["body"] = ""
	}
	w.render(rw, r, status, "portal_request", p)
}

// portalValues lists a ticket's form values in the order of its request
// type's form, with the form's labels; values of questions since removed
// from the form follow under their keys.
func (w *Web) portalValues(ctx context.Context, t ticket.Ticket) ([]portalValue, error) {
	if len(t.Fields) == 0 {
		return nil, nil
	}
	var form []catalog.Field
	if t.RequestTypeID != 0 {
		rt, err := w.store.RequestType(ctx, t.RequestTypeID)
		if err != nil && !errs.Is(err, errs.KindNotFound) {
			return nil, err
		}
		form = rt.Fields
	}
	var out []portalValue
	seen := map[string]bool{}
	for _, f := range form {
		raw, ok := t.Fields[f.Key]
		if !ok || raw == nil {
			continue
		}
		seen[f.Key] = true
		out = append(out, portalValue{Label: f.Label, Text: w.portalValueText(ctx, f.Type, raw), Long: f.Type == catalog.FieldLongText})
	}
	var rest []string
	for k := range t.Fields {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range rest {
		out = append(out, portalValue{Label: k, Text: w.portalValueText(ctx, "", t.Fields[k])})
	}
	return out, nil
}

// portalValueText writes a stored value for people: checkboxes as Yes/No,
// lists joined, numbers without exponent, users by name.
func (w *Web) portalValueText(ctx context.Context, typ catalog.FieldType, raw any) string {
	if typ == catalog.FieldUser {
		if n, ok := raw.(float64); ok {
			if u, err := w.store.User(ctx, int64(n)); err == nil {
				return u.Name
			}
			return fmt.Sprintf("User %d", int64(n))
		}
	}
	switch v := raw.(type) {
	case bool:
		if v {
			return "Yes"
		}
		return "No"
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = fmt.Sprint(x)
		}
		return strings.Join(parts, ", ")
	case nil:
		return ""
	}
	return fmt.Sprint(raw)
}

// byteSize writes a file size the way people read it.
func byteSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/(1<<20)), ".0") + " MiB"
}

func portalRequestURL(key string) string {
	return "/portal/requests/" + url.PathEscape(strings.ToUpper(strings.TrimSpace(key)))
}

func (w *Web) portalReply(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	key, body := r.PathValue("key"), r.PostFormValue("body")
	c, err := w.store.AddComment(r.Context(), id.Actor, key, body, false)
	if e, ok := errs.As(err); ok && e.Kind == errs.KindInvalid {
		msg := fieldMessage("Your reply", e)
		if e.Code == "required_field" {
			msg = "Write your reply before sending it."
		}
		w.showPortalRequest(rw, r, id, http.StatusUnprocessableEntity, Page{
			Errors: map[string]string{"body": msg}, Values: map[string]any{"body": body}})
		return
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	redirectWithFlash(rw, r, fmt.Sprintf("%s#comment-%d", portalRequestURL(key), c.ID), "Reply added")
}

func (w *Web) portalUpload(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	key := r.PathValue("key")
	refuse := func(status int, msg string) {
		w.showPortalRequest(rw, r, id, status, Page{Errors: map[string]string{"file": msg}})
	}
	file, header, err := r.FormFile("file")
	if err != nil {
		refuse(http.StatusUnprocessableEntity, "Choose a file to upload.")
		return
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, ticket.MaxAttachment+1))
	if err != nil {
		w.fail(rw, r, fmt.Errorf("read upload: %w", err))
		return
	}
	a, err := w.store.AddAttachment(r.Context(), id.Actor, key, header.Filename, header.Header.Get("Content-Type"), data)
	if e, ok := errs.As(err); ok && (e.Kind == errs.KindInvalid || e.Kind == errs.KindTooLarge) {
		status := http.StatusUnprocessableEntity
		if e.Kind == errs.KindTooLarge {
			status = http.StatusRequestEntityTooLarge
		}
		label := "The file"
		if e.Field == "filename" {
			label = "The file name"
		}
		refuse(status, fieldMessage(label, e))
		return
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	redirectWithFlash(rw, r, portalRequestURL(key)+"#attachments", "Attached "+a.Filename)
}

// portalDownload serves an attachment as a download that the browser may
// neither render in the page nor sniff into something executable.
func (w *Web) portalDownload(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	attID, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		w.notFound(rw, r, id)
		return
	}
	a, data, err := w.store.AttachmentContent(r.Context(), id.Actor, r.PathValue("key"), attID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	h := rw.Header()
	ct := a.ContentType
	if _, _, err := mime.ParseMediaType(ct); err != nil || ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	disposition := mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename})
	if disposition == "" {
		disposition = "attachment"
	}
	h.Set("Content-Disposition", disposition)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	h.Set("Cache-Control", "private, no-cache")
	http.ServeContent(rw, r, "", a.CreatedAt, bytes.NewReader(data))
}

func (w *Web) portalTransition(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	t, err := w.store.Transition(r.Context(), id.Actor, r.PathValue("key"), store.TransitionInput{To: r.PostFormValue("transition")})
	if e, ok := errs.As(err); ok {
		status := map[errs.Kind]int{errs.KindInvalid: http.StatusUnprocessableEntity, errs.KindConflict: http.StatusConflict,
			errs.KindForbidden: http.StatusForbidden}[e.Kind]
		if status != 0 {
			// The request may have moved on since the page was shown: show it
			// as it is now, with why the button did nothing.
			w.showPortalRequest(rw, r, id, status, Page{Error: "That did not work: " + e.Message + "."})
			return
		}
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	redirectWithFlash(rw, r, portalRequestURL(t.Key), fmt.Sprintf("%s is now %s", t.Key, t.Status))
}
