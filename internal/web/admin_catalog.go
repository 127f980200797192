package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// option is one choice of a select or a group of checkboxes.
type option struct {
	Value, Label string
}

var serviceStatuses = []option{
	{string(catalog.ServicePipeline), "Pipeline (being designed)"},
	{string(catalog.ServiceLive), "Live (customers can use it)"},
	{string(catalog.ServiceRetired), "Retired (withdrawn)"},
}

var ticketTypes = []option{
	{string(ticket.TypeIncident), "Incident"},
	{string(ticket.TypeServiceRequest), "Service request"},
	{string(ticket.TypeProblem), "Problem"},
	{string(ticket.TypeChange), "Change"},
}

var fieldTypes = []option{
	{string(catalog.FieldText), "Text (one line)"},
	{string(catalog.FieldLongText), "Long text"},
	{string(catalog.FieldNumber), "Number"},
	{string(catalog.FieldDate), "Date"},
	{string(catalog.FieldSelect), "Select (one option)"},
	{string(catalog.FieldMultiSelect), "Multi-select (several options)"},
	{string(catalog.FieldUser), "Person"},
	{string(catalog.FieldCheckbox), "Checkbox"},
}

// label finds the label of a value, or the value itself.
func label(opts []option, value string) string {
	for _, o := range opts {
		if o.Value == value {
			return o.Label
		}
	}
	return value
}

// --- Services ---------------------------------------------------------------

type serviceRow struct {
	catalog.Service
	Owner        string
	Teams        []string
	RequestTypes int
}

func (w *Web) adminServices(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ctx := r.Context()
	svcs, err := w.store.Services(ctx, false)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	teams, err := w.store.Teams(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	rts, err := w.store.RequestTypes(ctx, 0, false)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	perService := map[int64]int{}
	for _, rt := range rts {
		perService[rt.ServiceID]++
	}
	tn := teamNames(teams)
	rows := make([]serviceRow, len(svcs))
	for i, s := range svcs {
		rows[i] = serviceRow{Service: s, Owner: tn[s.OwnerTeamID], Teams: tn.list(s.TeamIDs), RequestTypes: perService[s.ID]}
	}
	w.render(rw, r, http.StatusOK, "admin_services", adminPage(id, "Services", rows))
}

// serviceForm is the data of the new and edit service pages.
type serviceForm struct {
	ID           int64 // 0 for a new service
	Name         string
	Statuses     []option
	Teams        []directory.Team
	RequestTypes []catalog.RequestType
	CMDB         *serviceCMDB // the CIs it is built on and its customers; admin_cmdb.go
}

var serviceFields = []string{"name", "description", "status", "owner_team_id"}

func (w *Web) adminServiceNew(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	w.renderService(rw, r, id, http.StatusOK, catalog.Service{Status: catalog.ServicePipeline}, nil)
}

func (w *Web) adminServiceEdit(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	sid, ok := pathID(r, "id")
	if !ok {
		w.notFound(rw, r, id)
		return
	}
	svc, err := w.store.Service(r.Context(), sid)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.renderService(rw, r, id, http.StatusOK, svc, nil)
}

// renderService shows the service form filled with svc; on a failure svc
// holds what was submitted.
func (w *Web) renderService(rw http.ResponseWriter, r *http.Request, id auth.Identity, status int, svc catalog.Service, fail *formFailure) {
	ctx := r.Context()
	teams, err := w.store.Teams(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	f := serviceForm{ID: svc.ID, Name: svc.Name, Statuses: serviceStatuses, Teams: teams}
	title := "New service"
	if svc.ID != 0 {
		if f.RequestTypes, err = w.store.RequestTypes(ctx, svc.ID, false); err != nil {
			w.fail(rw, r, err)
			return
		}
		stored, err := w.store.Service(ctx, svc.ID)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		f.Name = stored.Name
		title = "Service " + stored.Name
		if f.CMDB, err = w.serviceCMDBSection(r, svc.ID); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	p := adminPage(id, title, f)
	p.Values = map[string]any{
		"name": svc.Name, "description": svc.Description, "status": string(svc.Status),
		"owner_team_id": idString(svc.OwnerTeamID), "team_ids": idStrings(svc.TeamIDs),
	}
	if fail != nil {
		fail.apply(&p)
	}
	w.render(rw, r, status, "admin_service", p)
}

func idString(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// serviceFromForm reads the service form.
func serviceFromForm(r *http.Request) (catalog.Service, *formFailure) {
	svc := catalog.Service{
		Name:        r.PostFormValue("name"),
		Description: strings.TrimSpace(r.PostFormValue("description")),
		Status:      catalog.ServiceStatus(r.PostFormValue("status")),
	}
	var err error
	if svc.OwnerTeamID, err = formID(r.PostFormValue("owner_team_id")); err != nil {
		f := invalid("owner_team_id", "Choose a team from the list.")
		return svc, &f
	}
	if svc.TeamIDs, err = formIDs(r.PostForm["team_ids"]); err != nil {
		f := invalid("team_ids", "Choose teams from the list.")
		return svc, &f
	}
	return svc, nil
}

func (w *Web) adminServiceCreate(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	svc, fail := serviceFromForm(r)
	if fail == nil {
		created, err := w.store.CreateService(r.Context(), id.Actor, svc)
		if err == nil {
			redirectWithFlash(rw, r, "/admin/services/"+strconv.FormatInt(created.ID, 10), "Service "+created.Name+" created.")
			return
		}
		f, ok := asFormFailure(err, append(serviceFields, "team_ids")...)
		if !ok {
			w.fail(rw, r, err)
			return
		}
		fail = &f
	}
	w.renderService(rw, r, id, fail.Status, svc, fail)
}

func (w *Web) adminServiceUpdate(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	sid, ok := pathID(r, "id")
	if !ok {
		w.notFound(rw, r, id)
		return
	}
	svc, fail := serviceFromForm(r)
	svc.ID = sid
	if fail == nil {
		saved, err := w.store.UpdateService(r.Context(), id.Actor, svc)
		if err == nil {
			redirectWithFlash(rw, r, "/admin/services", "Service "+saved.Name+" saved.")
			return
		}
		f, ok := asFormFailure(err, append(serviceFields, "team_ids")...)
		if !ok {
			w.fail(rw, r, err)
			return
		}
		fail = &f
	}
	w.renderService(rw, r, id, fail.Status, svc, fail)
}

// --- Request types ------------------------------------------------------------

type requestTypeGroup struct {
	Service catalog.Service
	Types   []requestTypeRow
}

type requestTypeRow struct {
	catalog.RequestType
	TypeLabel string
}

type requestTypeList struct {
	Groups   []requestTypeGroup
	Services []catalog.Service
	Filter   int64
}

func (w *Web) adminRequestTypes(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ctx := r.Context()
	filter, _ := formID(r.URL.Query().Get("service"))
	svcs, err := w.store.Services(ctx, false)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	rts, err := w.store.RequestTypes(ctx, filter, false)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	byService := map[int64][]requestTypeRow{}
	for _, rt := range rts {
		byService[rt.ServiceID] = append(byService[rt.ServiceID], requestTypeRow{rt, label(ticketTypes, rt.TicketType)})
	}
	data := requestTypeList{Services: svcs, Filter: filter}
	for _, s := range svcs {
		if filter != 0 && s.ID != filter {
			continue
		}
		data.Groups = append(data.Groups, requestTypeGroup{Service: s, Types: byService[s.ID]})
	}
	w.render(rw, r, http.StatusOK, "admin_request_types", adminPage(id, "Request types", data))
}

// requestTypeNew is the data of the new request type page.
type requestTypeNew struct {
	Services    []catalog.Service
	TicketTypes []option
}

func (w *Web) adminRequestTypeNew(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	w.renderRequestTypeNew(rw, r, id, http.StatusOK, map[string]any{
		"service": r.URL.Query().Get("service"), "ticket_type": string(ticket.TypeServiceRequest),
	}, nil)
}

func (w *Web) renderRequestTypeNew(rw http.ResponseWriter, r *http.Request, id auth.Identity, status int, values map[string]any, fail *formFailure) {
	svcs, err := w.store.Services(r.Context(), false)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := adminPage(id, "New request type", requestTypeNew{Services: svcs, TicketTypes: ticketTypes})
	p.Values = values
	if fail != nil {
		fail.apply(&p)
	}
	w.render(rw, r, status, "admin_request_type_new", p)
}

func (w *Web) adminRequestTypeCreate(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	values := map[string]any{
		"service": r.FormValue("service"), "name": r.PostFormValue("name"),
		"description": r.PostFormValue("description"), "ticket_type": r.PostFormValue("ticket_type"),
		"internal": r.PostFormValue("internal") == "on",
	}
	sid, err := formID(r.FormValue("service"))
	if err != nil {
		f := invalid("service", "Choose a service from the list.")
		w.renderRequestTypeNew(rw, r, id, f.Status, values, &f)
		return
	}
	rt, err := w.store.CreateRequestType(r.Context(), id.Actor, catalog.RequestType{
		ServiceID: sid, Name: r.PostFormValue("name"), Description: strings.TrimSpace(r.PostFormValue("description")),
		TicketType: r.PostFormValue("ticket_type"), Internal: r.PostFormValue("internal") == "on",
	})
	if err != nil {
		f, ok := asFormFailure(err, "service", "name", "description", "ticket_type")
		if !ok {
			w.fail(rw, r, err)
			return
		}
		w.renderRequestTypeNew(rw, r, id, f.Status, values, &f)
		return
	}
	redirectWithFlash(rw, r, requestTypePath(rt.ID), "Request type "+rt.Name+" created. Now add the fields of its form.")
}

func requestTypePath(id int64) string { return "/admin/request-types/" + strconv.FormatInt(id, 10) }

// requestTypeView is the data of the request type page: its details, the
// table of its form's fields, the panel that adds or edits one field, and
// a preview of the form as customers will see it.
type requestTypeView struct {
	RequestType catalog.RequestType
	Service     catalog.Service
	TicketTypes []option
	FieldTypes  []option
	Rows        []fieldRow
	Panel       fieldPanel
}

type fieldRow struct {
	catalog.Field
	Pos         int
	TypeLabel   string
	First, Last bool
	Editing     bool
}

// fieldPanel is the add-or-edit form of one field. Path is the prefix of the
// error keys the domain uses for it ("fields[3].").
type fieldPanel struct {
	Was      string // the key of the field being edited; empty adds one
	Path     string
	Key      string
	Label    string
	Type     string
	Required bool
	Options  string
	Help     string
}

func panelFor(fields []catalog.Field, i int) fieldPanel {
	if i < 0 || i >= len(fields) {
		return fieldPanel{Type: string(catalog.FieldText), Path: "fields[" + strconv.Itoa(len(fields)) + "]."}
	}
	f := fields[i]
	return fieldPanel{Was: f.Key, Path: "fields[" + strconv.Itoa(i) + "].", Key: f.Key, Label: f.Label, Type: string(f.Type),
		Required: f.Required, Options: strings.Join(f.Options, "\n"), Help: f.Help}
}

func fieldIndex(fields []catalog.Field, key string) int {
	for i, f := range fields {
		if f.Key == key {
			return i
		}
	}
	return -1
}

func (w *Web) loadRequestType(rw http.ResponseWriter, r *http.Request, id auth.Identity) (catalog.RequestType, bool) {
	rid, ok := pathID(r, "id")
	if !ok {
		w.notFound(rw, r, id)
		return catalog.RequestType{}, false
	}
	rt, err := w.store.RequestType(r.Context(), rid)
	if err != nil {
		w.fail(rw, r, err)
		return rt, false
	}
	return rt, true
}

func (w *Web) adminRequestType(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	rt, ok := w.loadRequestType(rw, r, id)
	if !ok {
		return
	}
	panel := panelFor(rt.Fields, fieldIndex(rt.Fields, r.URL.Query().Get("edit")))
	w.renderRequestType(rw, r, id, http.StatusOK, rt, rt, panel, nil)
}

// renderRequestType shows the request type page: stored is what is saved,
// details what the details form shows (submitted values after a failure).
func (w *Web) renderRequestType(rw http.ResponseWriter, r *http.Request, id auth.Identity, status int,
	stored, details catalog.RequestType, panel fieldPanel, fail *formFailure) {
	svc, err := w.store.Service(r.Context(), stored.ServiceID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := requestTypeView{RequestType: stored, Service: svc, TicketTypes: ticketTypes, FieldTypes: fieldTypes, Panel: panel}
	for i, f := range stored.Fields {
		v.Rows = append(v.Rows, fieldRow{Field: f, Pos: i + 1, TypeLabel: label(fieldTypes, string(f.Type)),
			First: i == 0, Last: i == len(stored.Fields)-1, Editing: panel.Was == f.Key})
	}
	p := adminPage(id, "Request type "+stored.Name, v)
	p.Values = map[string]any{"name": details.Name, "description": details.Description, "ticket_type": details.TicketType, "internal": details.Internal}
	if fail != nil {
		fail.apply(&p)
	}
	w.render(rw, r, status, "admin_request_type", p)
}

func (w *Web) adminRequestTypeUpdate(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	rt, ok := w.loadRequestType(rw, r, id)
	if !ok {
		return
	}
	next := rt
	next.Name = r.PostFormValue("name")
	next.Description = strings.TrimSpace(r.PostFormValue("description"))
	next.TicketType = r.PostFormValue("ticket_type")
	next.Internal = r.PostFormValue("internal") == "on"
	saved, err := w.store.UpdateRequestType(r.Context(), id.Actor, next)
	if err != nil {
		f, ok := asFormFailure(err, "name", "description", "ticket_type")
		if !ok {
			w.fail(rw, r, err)
			return
		}
		w.renderRequestType(rw, r, id, f.Status, rt, next, panelFor(rt.Fields, -1), &f)
		return
	}
	redirectWithFlash(rw, r, requestTypePath(rt.ID), "Request type "+saved.Name+" saved.")
}

// fieldFromForm reads the field panel. Options are one per line; they only
// mean something for the select types, so they are dropped for the others
// rather than refused when an admin changes a select into a text field.
func fieldFromForm(r *http.Request) catalog.Field {
	f := catalog.Field{
		Key:      strings.TrimSpace(r.PostFormValue("key")),
		Label:    strings.TrimSpace(r.PostFormValue("label")),
		Type:     catalog.FieldType(r.PostFormValue("type")),
		Required: r.PostFormValue("required") != "",
		Help:     strings.TrimSpace(r.PostFormValue("help")),
	}
	if f.Type == catalog.FieldSelect || f.Type == catalog.FieldMultiSelect {
		for _, line := range strings.Split(r.PostFormValue("options"), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				f.Options = append(f.Options, line)
			}
		}
	}
	return f
}

// adminFieldSave adds a field (no "was") or replaces the field whose key
// was "was".
func (w *Web) adminFieldSave(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	rt, ok := w.loadRequestType(rw, r, id)
	if !ok {
		return
	}
	was := r.PostFormValue("was")
	f := fieldFromForm(r)
	next := rt
	next.Fields = append([]catalog.Field{}, rt.Fields...)
	i := len(next.Fields)
	if was == "" {
		next.Fields = append(next.Fields, f)
	} else {
		if i = fieldIndex(rt.Fields, was); i < 0 {
			w.fieldGone(rw, r, id, rt, was)
			return
		}
		next.Fields[i] = f
	}
	panel := fieldPanel{Was: was, Path: "fields[" + strconv.Itoa(i) + "].", Key: f.Key, Label: f.Label, Type: string(f.Type),
		Required: f.Required, Options: r.PostFormValue("options"), Help: f.Help}
	saved, err := w.store.UpdateRequestType(r.Context(), id.Actor, next)
	if err != nil {
		fail, ok := asFormFailure(blameItem(err, "fields", i), panel.Path+"key", panel.Path+"label", panel.Path+"type", panel.Path+"options", panel.Path+"help")
		if !ok {
			w.fail(rw, r, err)
			return
		}
		w.renderRequestType(rw, r, id, fail.Status, rt, rt, panel, &fail)
		return
	}
	msg := "Field " + f.Label + " added."
	if was != "" {
		msg = "Field " + f.Label + " saved."
	}
	redirectWithFlash(rw, r, requestTypePath(saved.ID)+"#fields", msg)
}

// fieldGone answers a post about a field that another admin removed or
// renamed in the meantime.
func (w *Web) fieldGone(rw http.ResponseWriter, r *http.Request, id auth.Identity, rt catalog.RequestType, key string) {
	fail := formFailure{Status: http.StatusConflict, Error: "The form has no field " + strconv.Quote(key) + " any more; someone changed it meanwhile. Nothing was saved."}
	w.renderRequestType(rw, r, id, fail.Status, rt, rt, panelFor(rt.Fields, -1), &fail)
}

func (w *Web) adminFieldRemove(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	rt, ok := w.loadRequestType(rw, r, id)
	if !ok {
		return
	}
	key := r.PostFormValue("key")
	i := fieldIndex(rt.Fields, key)
	if i < 0 {
		w.fieldGone(rw, r, id, rt, key)
		return
	}
	removed := rt.Fields[i]
	next := rt
	next.Fields = append(append([]catalog.Field{}, rt.Fields[:i]...), rt.Fields[i+1:]...)
	w.saveFields(rw, r, id, rt, next, "Field "+removed.Label+" removed. Tickets keep the values they had.")
}

func (w *Web) adminFieldMove(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	rt, ok := w.loadRequestType(rw, r, id)
	if !ok {
		return
	}
	key := r.PostFormValue("key")
	i := fieldIndex(rt.Fields, key)
	if i < 0 {
		w.fieldGone(rw, r, id, rt, key)
		return
	}
	j := i - 1
	if r.PostFormValue("dir") == "down" {
		j = i + 1
	}
	if j < 0 || j >= len(rt.Fields) {
		redirectWithFlash(rw, r, requestTypePath(rt.ID)+"#fields", "Field "+rt.Fields[i].Label+" is already at the edge of the form.")
		return
	}
	next := rt
	next.Fields = append([]catalog.Field{}, rt.Fields...)
	next.Fields[i], next.Fields[j] = next.Fields[j], next.Fields[i]
	w.saveFields(rw, r, id, rt, next, "Field "+rt.Fields[i].Label+" moved.")
}

// adminFieldOrder puts the fields in the order given as repeated "order"
// values: every key of the form exactly once. admin.js posts it after a
// drag and drop; the up and down buttons do the same without script.
func (w *Web) adminFieldOrder(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	rt, ok := w.loadRequestType(rw, r, id)
	if !ok {
		return
	}
	order := r.PostForm["order"]
	next := rt
	next.Fields = make([]catalog.Field, 0, len(rt.Fields))
	for _, key := range order {
		i := fieldIndex(rt.Fields, key)
		if i < 0 || fieldIndex(next.Fields, key) >= 0 {
			break
		}
		next.Fields = append(next.Fields, rt.Fields[i])
	}
	if len(next.Fields) != len(rt.Fields) || len(order) != len(rt.Fields) {
		fail := formFailure{Status: http.StatusConflict, Error: "The new order must list every field of the form once; the form may have changed meanwhile. Nothing was saved."}
		w.renderRequestType(rw, r, id, fail.Status, rt, rt, panelFor(rt.Fields, -1), &fail)
		return
	}
	w.saveFields(rw, r, id, rt, next, "Order of the fields saved.")
}

// saveFields stores a changed form and goes back to the field table.
func (w *Web) saveFields(rw http.ResponseWriter, r *http.Request, id auth.Identity, rt, next catalog.RequestType, msg string) {
	if _, err := w.store.UpdateRequestType(r.Context(), id.Actor, next); err != nil {
		fail, ok := asFormFailure(err)
		if !ok {
			w.fail(rw, r, err)
			return
		}
		w.renderRequestType(rw, r, id, fail.Status, rt, rt, panelFor(rt.Fields, -1), &fail)
		return
	}
	redirectWithFlash(rw, r, requestTypePath(rt.ID)+"#fields", msg)
}
