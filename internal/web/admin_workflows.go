package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

var categories = []option{
	{string(ticket.CategoryToDo), "To do"},
	{string(ticket.CategoryInProgress), "In progress"},
	{string(ticket.CategoryDone), "Done"},
}

var roleOptions = []option{
	{string(directory.RoleCustomer), "Customers"},
	{string(directory.RoleAgent), "Agents"},
	{string(directory.RoleAdmin), "Admins"},
}

var transitionFieldOptions = func() []option {
	labels := map[string]string{"assignee": "Assignee", "resolution": "Resolution", "comment": "Comment", "priority": "Priority", "team": "Team"}
	out := make([]option, len(ticket.TransitionFields))
	for i, f := range ticket.TransitionFields {
		out[i] = option{f, labels[f]}
		if out[i].Label == "" {
			out[i].Label = f
		}
	}
	return out
}()

type workflowRow struct {
	ticket.Workflow
	TypeLabel string
}

func (w *Web) adminWorkflows(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	wfs, err := w.store.Workflows(r.Context())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	// Rows in the order of ticket.Types, whatever order they were made in.
	var rows []workflowRow
	for _, t := range ticket.Types {
		for _, wf := range wfs {
			if wf.TicketType == t {
				rows = append(rows, workflowRow{wf, label(ticketTypes, string(t))})
			}
		}
	}
	w.render(rw, r, http.StatusOK, "admin_workflows", adminPage(id, "Workflows", rows))
}

// workflowView is the data of the workflow page: the settings, a row per
// status (each its own little form), the add-status form, the table of
// transitions and the panel that adds or edits one, and the diagram.
type workflowView struct {
	Workflow    ticket.Workflow
	TypeLabel   string
	Categories  []option
	Roles       []option
	Fields      []option
	Statuses    []statusRow
	NewStatus   statusRow
	Transitions []transitionRow
	Panel       transitionPanel
	Diagram     diagram
}

// statusRow is one status as its form shows it. Path is the domain's name
// for it ("statuses[2]"); Name and Category are what the inputs hold, which
// after a failed save is what was submitted.
type statusRow struct {
	Path     string
	Was      string
	Name     string
	Category string
	Initial  bool
	Confirm  string // what removing it also removes, for the confirm prompt
}

type transitionRow struct {
	ticket.Transition
	FromLabel string
	RoleLabel string
	Editing   bool
}

// transitionPanel is the add-or-edit form of one transition.
type transitionPanel struct {
	Was      string // id of the transition being edited; empty adds one
	Path     string // "transitions[3]."
	ID       string
	Name     string
	From     []string
	To       string
	Roles    []string
	Required []string
	Custom   string // required custom fields, "fields.<key>", comma separated
}

func panelForTransition(w ticket.Workflow, i int) transitionPanel {
	if i < 0 || i >= len(w.Transitions) {
		return transitionPanel{Path: fmt.Sprintf("transitions[%d].", len(w.Transitions)),
			Roles: []string{string(directory.RoleAgent), string(directory.RoleAdmin)}}
	}
	t := w.Transitions[i]
	p := transitionPanel{Was: t.ID, Path: fmt.Sprintf("transitions[%d].", i), ID: t.ID, Name: t.Name,
		From: slices.Clone(t.From), To: t.To}
	for _, r := range t.Roles {
		p.Roles = append(p.Roles, string(r))
	}
	var custom []string
	for _, f := range t.RequiredFields {
		if slices.Contains(ticket.TransitionFields, f) {
			p.Required = append(p.Required, f)
		} else {
			custom = append(custom, f)
		}
	}
	p.Custom = strings.Join(custom, ", ")
	return p
}

func transitionIndex(w ticket.Workflow, id string) int {
	for i, t := range w.Transitions {
		if t.ID == id {
			return i
		}
	}
	return -1
}

func statusIndex(w ticket.Workflow, name string) int {
	for i, s := range w.Statuses {
		if strings.EqualFold(s.Name, name) {
			return i
		}
	}
	return -1
}

func (w *Web) loadWorkflow(rw http.ResponseWriter, r *http.Request, id auth.Identity) (ticket.Workflow, bool) {
	wid, ok := pathID(r, "id")
	if !ok {
		w.notFound(rw, r, id)
		return ticket.Workflow{}, false
	}
	wf, err := w.store.Workflow(r.Context(), wid)
	if err != nil {
		w.fail(rw, r, err)
		return wf, false
	}
	return wf, true
}

func workflowPath(id int64) string { return "/admin/workflows/" + strconv.FormatInt(id, 10) }

// workflowForm says what the forms of the workflow page show: the stored
// workflow with, after a failure, the submitted values of the one form that
// failed.
type workflowForm struct {
	settings  map[string]any // name, initial_status
	status    *statusRow     // an edited status row, by Was
	newStatus *statusRow
	panel     *transitionPanel
}

func (w *Web) adminWorkflow(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	wf, ok := w.loadWorkflow(rw, r, id)
	if !ok {
		return
	}
	p := panelForTransition(wf, transitionIndex(wf, r.URL.Query().Get("transition")))
	w.renderWorkflow(rw, r, id, http.StatusOK, wf, workflowForm{panel: &p}, nil)
}

func (w *Web) renderWorkflow(rw http.ResponseWriter, r *http.Request, id auth.Identity, status int, wf ticket.Workflow, form workflowForm, fail *formFailure) {
	v := workflowView{Workflow: wf, TypeLabel: label(ticketTypes, string(wf.TicketType)), Categories: categories,
		Roles: roleOptions, Fields: transitionFieldOptions, Diagram: drawWorkflow(wf)}
	for i, s := range wf.Statuses {
		row := statusRow{Path: fmt.Sprintf("statuses[%d]", i), Was: s.Name, Name: s.Name, Category: string(s.Category),
			Initial: strings.EqualFold(s.Name, wf.Initial)}
		if _, gone := withoutStatus(wf, s.Name); len(gone) > 0 {
			row.Confirm = fmt.Sprintf("Remove status %s, and with it the transitions %s?", s.Name, strings.Join(gone, ", "))
		} else {
			row.Confirm = fmt.Sprintf("Remove status %s?", s.Name)
		}
		if form.status != nil && form.status.Was == s.Name {
			row.Name, row.Category = form.status.Name, form.status.Category
		}
		v.Statuses = append(v.Statuses, row)
	}
	v.NewStatus = statusRow{Path: fmt.Sprintf("statuses[%d]", len(wf.Statuses)), Category: string(ticket.CategoryInProgress)}
	if form.newStatus != nil {
		v.NewStatus.Name, v.NewStatus.Category = form.newStatus.Name, form.newStatus.Category
	}
	if form.panel != nil {
		v.Panel = *form.panel
	} else {
		v.Panel = panelForTransition(wf, -1)
	}
	for _, t := range wf.Transitions {
		row := transitionRow{Transition: t, FromLabel: "any status", Editing: v.Panel.Was == t.ID}
		if len(t.From) > 0 {
			row.FromLabel = strings.Join(t.From, ", ")
		}
		var roles []string
		for _, role := range t.Roles {
			roles = append(roles, label(roleOptions, string(role)))
		}
		row.RoleLabel = strings.Join(roles, ", ")
		v.Transitions = append(v.Transitions, row)
	}
	p := adminPage(id, "Workflow "+wf.Name, v)
	p.Values = form.settings
	if p.Values == nil {
		p.Values = map[string]any{"name": wf.Name, "initial_status": wf.Initial}
	}
	if fail != nil {
		fail.apply(&p)
	}
	w.render(rw, r, status, "admin_workflow", p)
}

// withoutStatus copies a workflow without a status and without the
// transitions that lead to it or start only from it (with no source left
// they would start from any status instead); dropped names those.
func withoutStatus(wf ticket.Workflow, status string) (next ticket.Workflow, dropped []string) {
	next = wf
	next.Statuses = slices.DeleteFunc(slices.Clone(wf.Statuses), func(s ticket.Status) bool { return strings.EqualFold(s.Name, status) })
	next.Transitions = []ticket.Transition{}
	for _, t := range wf.Transitions {
		if strings.EqualFold(t.To, status) {
			dropped = append(dropped, t.Name)
			continue
		}
		if len(t.From) > 0 {
			from := slices.DeleteFunc(slices.Clone(t.From), func(f string) bool { return strings.EqualFold(f, status) })
			if len(from) == 0 {
				dropped = append(dropped, t.Name)
				continue
			}
			t.From = from
		}
		next.Transitions = append(next.Transitions, t)
	}
	return next, dropped
}

// saveWorkflow stores next. On a failure it shows the page again with the
// messages; shown lists the error keys the failed form displays, and the
// domain's "statuses" conflict (a status in use) is put on row.
func (w *Web) saveWorkflow(rw http.ResponseWriter, r *http.Request, id auth.Identity, stored, next ticket.Workflow, ws workflowSave) {
	saved, err := w.store.UpdateWorkflow(r.Context(), id.Actor, next)
	if err == nil {
		redirectWithFlash(rw, r, workflowPath(saved.ID), ws.flash)
		return
	}
	if ws.list != "" {
		err = blameItem(err, ws.list, ws.index)
	}
	shown := ws.shown
	if e, ok := errs.As(err); ok && e.Code == "status_in_use" && ws.inUseAt != "" {
		copied := *e
		copied.Field = ws.inUseAt
		if ws.inUseMsg != "" {
			copied.Message = ws.inUseMsg
		}
		err = &copied
		shown = append(shown, ws.inUseAt)
	}
	fail, ok := asFormFailure(err, shown...)
	if !ok {
		w.fail(rw, r, err)
		return
	}
	w.renderWorkflow(rw, r, id, fail.Status, stored, ws.form, &fail)
}

// workflowSave says how to save a changed workflow and how to show a
// failure: the form to show again, the error keys it displays, and where to
// put the store's refusal to drop a status that tickets are in.
type workflowSave struct {
	form     workflowForm
	list     string // "statuses" or "transitions": the list the form edits an item of
	index    int    // and the item's index
	shown    []string
	inUseAt  string
	inUseMsg string
	flash    string
}

func (w *Web) adminWorkflowSettings(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	wf, ok := w.loadWorkflow(rw, r, id)
	if !ok {
		return
	}
	next := wf
	next.Name = r.PostFormValue("name")
	next.Initial = r.PostFormValue("initial_status")
	form := workflowForm{settings: map[string]any{"name": next.Name, "initial_status": next.Initial}}
	w.saveWorkflow(rw, r, id, wf, next, workflowSave{form: form, flash: "Workflow " + strings.TrimSpace(next.Name) + " saved.",
		shown: []string{"name", "initial_status"}})
}

func (w *Web) adminStatusAdd(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	wf, ok := w.loadWorkflow(rw, r, id)
	if !ok {
		return
	}
	s := ticket.Status{Name: strings.TrimSpace(r.PostFormValue("name")), Category: ticket.Category(r.PostFormValue("category"))}
	next := wf
	next.Statuses = append(slices.Clone(wf.Statuses), s)
	at := fmt.Sprintf("statuses[%d]", len(wf.Statuses))
	form := workflowForm{newStatus: &statusRow{Name: s.Name, Category: string(s.Category)}}
	w.saveWorkflow(rw, r, id, wf, next, workflowSave{form: form, flash: "Status " + s.Name + " added.",
		shown: []string{at + ".name", at + ".category"}})
}

// adminStatusEdit renames a status or changes its category. A rename
// follows through the transitions and the initial status.
func (w *Web) adminStatusEdit(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	wf, ok := w.loadWorkflow(rw, r, id)
	if !ok {
		return
	}
	was := r.PostFormValue("was")
	i := statusIndex(wf, was)
	if i < 0 {
		w.workflowChanged(rw, r, id, wf, "status "+strconv.Quote(was))
		return
	}
	old := wf.Statuses[i]
	s := ticket.Status{Name: strings.TrimSpace(r.PostFormValue("name")), Category: ticket.Category(r.PostFormValue("category"))}
	next := renameStatus(wf, old.Name, s.Name)
	next.Statuses[i] = s
	at := fmt.Sprintf("statuses[%d]", i)
	form := workflowForm{status: &statusRow{Was: old.Name, Name: s.Name, Category: string(s.Category)}}
	w.saveWorkflow(rw, r, id, wf, next, workflowSave{form: form, flash: "Status " + s.Name + " saved.", list: "statuses", index: i,
		shown: []string{at + ".name", at + ".category"}, inUseAt: at,
		inUseMsg: fmt.Sprintf("tickets are in status %q, and a status in use cannot be renamed yet; move them first", old.Name)})
}

// renameStatus copies a workflow with every mention of a status renamed.
func renameStatus(wf ticket.Workflow, from, to string) ticket.Workflow {
	next := wf
	next.Statuses = slices.Clone(wf.Statuses)
	next.Transitions = slices.Clone(wf.Transitions)
	if strings.EqualFold(next.Initial, from) {
		next.Initial = to
	}
	for i, t := range next.Transitions {
		if strings.EqualFold(t.To, from) {
			t.To = to
		}
		t.From = slices.Clone(t.From)
		for j, f := range t.From {
			if strings.EqualFold(f, from) {
				t.From[j] = to
			}
		}
		next.Transitions[i] = t
	}
	return next
}

// adminStatusRemove removes a status with the transitions that lead to it.
// The initial status stays until another is chosen, and the store refuses
// to remove a status that tickets are in.
func (w *Web) adminStatusRemove(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	wf, ok := w.loadWorkflow(rw, r, id)
	if !ok {
		return
	}
	name := r.PostFormValue("name")
	i := statusIndex(wf, name)
	if i < 0 {
		w.workflowChanged(rw, r, id, wf, "status "+strconv.Quote(name))
		return
	}
	at := fmt.Sprintf("statuses[%d]", i)
	removed := wf.Statuses[i].Name
	if strings.EqualFold(wf.Initial, removed) {
		fail := invalid(at, "New tickets start in this status. Choose another initial status before removing it.")
		w.renderWorkflow(rw, r, id, fail.Status, wf, workflowForm{}, &fail)
		return
	}
	next, dropped := withoutStatus(wf, removed)
	flash := "Status " + removed + " removed."
	if len(dropped) > 0 {
		flash = fmt.Sprintf("Status %s removed, with the transitions %s.", removed, strings.Join(dropped, ", "))
	}
	w.saveWorkflow(rw, r, id, wf, next, workflowSave{flash: flash, inUseAt: at})
}

// workflowChanged answers a post about a status or transition that another
// admin changed in the meantime.
func (w *Web) workflowChanged(rw http.ResponseWriter, r *http.Request, id auth.Identity, wf ticket.Workflow, what string) {
	fail := formFailure{Status: http.StatusConflict, Error: "The workflow has no " + what + " any more; someone changed it meanwhile. Nothing was saved."}
	w.renderWorkflow(rw, r, id, fail.Status, wf, workflowForm{}, &fail)
}

// adminTransitionSave adds a transition (no "was") or replaces the one
// whose id was "was".
func (w *Web) adminTransitionSave(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	wf, ok := w.loadWorkflow(rw, r, id)
	if !ok {
		return
	}
	p := transitionPanel{
		Was:      r.PostFormValue("was"),
		ID:       strings.TrimSpace(r.PostFormValue("id")),
		Name:     strings.TrimSpace(r.PostFormValue("name")),
		From:     r.PostForm["from"],
		To:       r.PostFormValue("to"),
		Roles:    r.PostForm["roles"],
		Required: r.PostForm["required_fields"],
		Custom:   r.PostFormValue("custom_fields"),
	}
	t := ticket.Transition{ID: p.ID, Name: p.Name, From: slices.Clone(p.From), To: p.To, RequiredFields: slices.Clone(p.Required)}
	if t.ID == "" {
		t.ID = transitionID(t.Name)
	}
	if t.From == nil {
		t.From = []string{}
	}
	for _, role := range p.Roles {
		t.Roles = append(t.Roles, directory.Role(role))
	}
	for _, f := range strings.FieldsFunc(p.Custom, func(c rune) bool { return c == ',' || c == ' ' || c == '\n' || c == '\r' }) {
		if !strings.HasPrefix(f, "fields.") {
			f = "fields." + f
		}
		if !slices.Contains(t.RequiredFields, f) {
			t.RequiredFields = append(t.RequiredFields, f)
		}
	}
	next := wf
	next.Transitions = slices.Clone(wf.Transitions)
	i := len(next.Transitions)
	if p.Was == "" {
		next.Transitions = append(next.Transitions, t)
	} else {
		if i = transitionIndex(wf, p.Was); i < 0 {
			w.workflowChanged(rw, r, id, wf, "transition "+strconv.Quote(p.Was))
			return
		}
		next.Transitions[i] = t
	}
	p.Path = fmt.Sprintf("transitions[%d].", i)
	flash := "Transition " + t.Name + " added."
	if p.Was != "" {
		flash = "Transition " + t.Name + " saved."
	}
	shown := []string{p.Path + "id", p.Path + "name", p.Path + "from", p.Path + "to", p.Path + "roles", p.Path + "required_fields"}
	w.saveWorkflow(rw, r, id, wf, next, workflowSave{form: workflowForm{panel: &p}, flash: flash, shown: shown, list: "transitions", index: i})
}

// transitionID makes an id from a transition's name: "Start work" → "start_work".
func transitionID(name string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(name) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteRune(c)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
	}
	return strings.TrimSuffix(b.String(), "_")
}

func (w *Web) adminTransitionRemove(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	wf, ok := w.loadWorkflow(rw, r, id)
	if !ok {
		return
	}
	tid := r.PostFormValue("id")
	i := transitionIndex(wf, tid)
	if i < 0 {
		w.workflowChanged(rw, r, id, wf, "transition "+strconv.Quote(tid))
		return
	}
	next := wf
	next.Transitions = slices.Delete(slices.Clone(wf.Transitions), i, i+1)
	w.saveWorkflow(rw, r, id, wf, next, workflowSave{flash: "Transition " + wf.Transitions[i].Name + " removed."})
}
