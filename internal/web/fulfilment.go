package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/change"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/fulfilment"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// fulfilmentRoutes registers the pages of service request fulfilment: the
// teams' task queue, a request's fulfilment, and the admins' approval and
// task plan of each request type.
func (w *Web) fulfilmentRoutes() {
	agent := func(pattern string, h func(http.ResponseWriter, *http.Request, auth.Identity)) {
		w.mux.Handle(pattern, w.page(directory.RoleAgent, withForm(h)))
	}
	agent("GET /agent/tasks", w.fulfilmentTasks)
	agent("POST /agent/tasks/{id}/complete", w.fulfilmentComplete)
	agent("GET /agent/fulfilment/{key}", w.fulfilmentShow)
	admin := func(pattern string, h func(http.ResponseWriter, *http.Request, auth.Identity)) {
		w.mux.Handle(pattern, w.page(directory.RoleAdmin, withForm(h)))
	}
	admin("GET /admin/fulfilment", w.fulfilmentAdminList)
	admin("GET /admin/fulfilment/{id}", w.fulfilmentAdmin)
	admin("POST /admin/fulfilment/{id}/rules", w.fulfilmentAdminRule)
	admin("POST /admin/fulfilment/{id}/tasks", w.fulfilmentAdminTasks)
}

type fulfilmentTasksView struct {
	Rows   []fulfilment.Task
	Status string
}

// fulfilmentTasks is the task queue of the viewer's teams (every team's
// for an admin): open tasks, or those of ?status=.
func (w *Web) fulfilmentTasks(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	st := fulfilment.Status(r.URL.Query().Get("status"))
	if !slices.Contains([]fulfilment.Status{fulfilment.StatusWaiting, fulfilment.StatusDone, fulfilment.StatusCanceled}, st) {
		st = fulfilment.StatusOpen
	}
	rows, err := w.store.TeamTasks(r.Context(), id.Actor, store.TaskFilter{Statuses: []fulfilment.Status{st}})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.render(rw, r, http.StatusOK, "fulfilment_tasks", Page{Title: "Tasks", Section: "agent", Identity: id,
		Data: fulfilmentTasksView{Rows: rows, Status: string(st)}})
}

func (w *Web) fulfilmentComplete(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	next := changeNext(r.PostFormValue("next"), "/agent/tasks")
	tid, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		w.notFound(rw, r, id)
		return
	}
	k, err := w.store.CompleteTask(r.Context(), id.Actor, tid, r.PostFormValue("note"))
	if err != nil {
		if changeStatus(err) == 0 {
			w.fail(rw, r, err)
			return
		}
		redirectWithFlash(rw, r, next, "Not done: "+changeMessage(err))
		return
	}
	redirectWithFlash(rw, r, next, fmt.Sprintf("Task %d of %s done: %s.", k.Number, k.Ticket, k.Name))
}

type fulfilmentShowView struct {
	T     ticket.Ticket
	Panel *changePanel
}

// fulfilmentShow is a request's approval and tasks on a page of their
// own, for the teams whose tasks they are.
func (w *Web) fulfilmentShow(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ctx := r.Context()
	key := r.PathValue("key")
	tasks, err := w.store.Tasks(ctx, id.Actor, key)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	t, err := w.store.Ticket(ctx, id.Actor, key)
	if errs.Is(err, errs.KindNotFound) && len(tasks) > 0 {
		// A team with a task sees the request's summary, not the ticket.
		t = ticket.Ticket{Key: tasks[0].Ticket, Summary: tasks[0].Request, Type: ticket.TypeServiceRequest}
		err = nil
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	panel := &changePanel{Key: t.Key, Tasks: tasks, MyTeams: id.Actor.TeamIDs, Next: "/agent/fulfilment/" + t.Key}
	if t.ID != 0 {
		if panel, err = w.changePanel(ctx, id.Actor, t, "/agent/fulfilment/"+t.Key); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	w.render(rw, r, http.StatusOK, "fulfilment_view", Page{Title: t.Key + " fulfilment", Section: "agent", Identity: id,
		Data: fulfilmentShowView{T: t, Panel: panel}})
}

// Admin: approval and tasks per request type.

type fulfilmentTypeRow struct {
	RT           catalog.RequestType
	Service      string
	Rules, Tasks int
}

func (w *Web) fulfilmentAdminList(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ctx := r.Context()
	rts, err := w.store.RequestTypes(ctx, 0, false)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	names, _, err := w.changeServiceNames(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	var rows []fulfilmentTypeRow
	for _, rt := range rts {
		if rt.TicketType != string(ticket.TypeServiceRequest) {
			continue
		}
		rules, err := w.store.ApprovalRules(ctx, store.ApprovalRuleFilter{RequestTypeID: rt.ID})
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		plan, err := w.store.FulfilmentPlan(ctx, rt.ID)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		rows = append(rows, fulfilmentTypeRow{RT: rt, Service: names[rt.ServiceID], Rules: len(rules), Tasks: len(plan)})
	}
	w.render(rw, r, http.StatusOK, "fulfilment_admin_list", Page{Title: "Fulfilment", Section: "admin", Identity: id, Data: rows})
}

type fulfilmentAdminView struct {
	RT         catalog.RequestType
	Rules      []change.Rule
	Plan       []fulfilment.TaskTemplate
	PlanText   string
	Teams      []directory.Team
	TeamNames  map[int64]string
	UserFields []catalog.Field
	Staff      []directory.User
}

func (w *Web) fulfilmentAdmin(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	w.fulfilmentRenderAdmin(rw, r, id, http.StatusOK, "", nil)
}

func (w *Web) fulfilmentRenderAdmin(rw http.ResponseWriter, r *http.Request, id auth.Identity, status int, msg string, values map[string]any) {
	ctx := r.Context()
	rtID, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		w.notFound(rw, r, id)
		return
	}
	var v fulfilmentAdminView
	if v.RT, err = w.store.RequestType(ctx, rtID); err == nil && v.RT.TicketType != string(ticket.TypeServiceRequest) {
		err = errs.NotFound("request type %d raises no service requests", rtID)
	}
	if err == nil {
		if v.Rules, err = w.store.ApprovalRules(ctx, store.ApprovalRuleFilter{RequestTypeID: rtID}); err == nil {
			if v.Plan, err = w.store.FulfilmentPlan(ctx, rtID); err == nil {
				if v.Teams, err = w.store.Teams(ctx); err == nil {
					v.Staff, err = w.store.Users(ctx, store.UserFilter{})
				}
			}
		}
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.TeamNames = map[int64]string{}
	for _, t := range v.Teams {
		v.TeamNames[t.ID] = t.Name
	}
	for _, f := range v.RT.Fields {
		if f.Type == catalog.FieldUser {
			v.UserFields = append(v.UserFields, f)
		}
	}
	var lines []string
	for _, p := range v.Plan {
		lines = append(lines, fmt.Sprintf("%d | %s | %s", p.Stage, p.Team, p.Name))
	}
	v.PlanText = strings.Join(lines, "\n")
	if t, ok := values["tasks"].(string); ok {
		v.PlanText = t
	}
	w.render(rw, r, status, "fulfilment_admin", Page{Title: "Fulfilment of " + v.RT.Name, Section: "admin", Identity: id, Error: msg, Values: values, Data: v})
}

func (w *Web) fulfilmentAdminRule(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	rtID, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	f := r.PostForm
	rule := change.Rule{Name: f.Get("name"), RequestTypeID: rtID, Approver: change.ApproverKind(f.Get("approver")), FieldKey: f.Get("field_key"),
		Quorum: change.Quorum{Kind: change.QuorumKind(f.Get("quorum"))}, DeclineVetoes: f.Get("decline_vetoes") != "", Active: true}
	rule.TeamID, _ = strconv.ParseInt(f.Get("team_id"), 10, 64)
	rule.Quorum.Count, _ = strconv.Atoi(f.Get("quorum_count"))
	for _, u := range f["user_ids"] {
		if n, err := strconv.ParseInt(u, 10, 64); err == nil {
			rule.UserIDs = append(rule.UserIDs, n)
		}
	}
	if _, err := w.store.SaveApprovalRule(r.Context(), id.Actor, rule); err != nil {
		if changeStatus(err) == 0 {
			w.fail(rw, r, err)
			return
		}
		w.fulfilmentRenderAdmin(rw, r, id, changeStatus(err), changeMessage(err), map[string]any{"rule_name": rule.Name})
		return
	}
	redirectWithFlash(rw, r, fmt.Sprintf("/admin/fulfilment/%d", rtID), "Approval rule "+rule.Name+" added.")
}

// fulfilmentParsePlan reads the plan's text form: one task a line,
// "stage | team | name".
func fulfilmentParsePlan(text string, teams []directory.Team) ([]fulfilment.TaskTemplate, error) {
	plan := []fulfilment.TaskTemplate{}
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		parts := strings.SplitN(line, "|", 3)
		if len(parts) != 3 {
			return nil, errs.Invalid("tasks", "line %d: write stage | team | task", i+1)
		}
		stage, err := strconv.Atoi(strings.TrimSpace(parts[0]))
		if err != nil {
			return nil, errs.Invalid("tasks", "line %d: the stage is a number", i+1)
		}
		name := strings.TrimSpace(parts[1])
		j := slices.IndexFunc(teams, func(t directory.Team) bool { return strings.EqualFold(t.Name, name) })
		if j < 0 {
			return nil, errs.Invalid("tasks", "line %d: no team named %q", i+1, name)
		}
		plan = append(plan, fulfilment.TaskTemplate{Stage: stage, TeamID: teams[j].ID, Name: strings.TrimSpace(parts[2])})
	}
	return plan, nil
}

func (w *Web) fulfilmentAdminTasks(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ctx := r.Context()
	rtID, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	text := r.PostFormValue("tasks")
	teams, err := w.store.Teams(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	plan, err := fulfilmentParsePlan(text, teams)
	if err == nil {
		_, err = w.store.SetFulfilmentPlan(ctx, id.Actor, rtID, plan)
	}
	if err != nil {
		if changeStatus(err) == 0 {
			w.fail(rw, r, err)
			return
		}
		w.fulfilmentRenderAdmin(rw, r, id, changeStatus(err), changeMessage(err), map[string]any{"tasks": text})
		return
	}
	redirectWithFlash(rw, r, fmt.Sprintf("/admin/fulfilment/%d", rtID), "Task plan saved.")
}
