package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/change"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/fulfilment"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// Change enablement and service request fulfilment: changes with their
// plan, risk, approvals and review; the change calendar and freeze
// windows; deployments from pipelines, gated; the approval engine shared
// with service requests; fulfilment tasks.

// Changes.

type createChangeBody struct {
	Type               string     `json:"type"`
	Template           ref        `json:"template"`
	Service            ref        `json:"service"`
	Summary            string     `json:"summary"`
	Description        string     `json:"description"`
	Priority           string     `json:"priority"`
	Assignee           ref        `json:"assignee"`
	Team               ref        `json:"team"`
	PlannedStart       *time.Time `json:"planned_start"`
	PlannedEnd         *time.Time `json:"planned_end"`
	ImplementationPlan string     `json:"implementation_plan"`
	BackoutPlan        string     `json:"backout_plan"`
	Services           []ref      `json:"services"`
}

func (a *API) createChange(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in createChangeBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	nc := store.NewChange{Type: in.Type, Template: string(in.Template), Service: string(in.Service), Summary: in.Summary,
		Description: in.Description, Priority: in.Priority, ImplementationPlan: in.ImplementationPlan, BackoutPlan: in.BackoutPlan,
		Channel: ticket.ChannelAPI}
	if in.PlannedStart != nil {
		nc.PlannedStart = *in.PlannedStart
	}
	if in.PlannedEnd != nil {
		nc.PlannedEnd = *in.PlannedEnd
	}
	for _, s := range in.Services {
		nc.Services = append(nc.Services, string(s))
	}
	var err error
	if in.Assignee != "" {
		if nc.AssigneeID, err = a.userRef(r, "assignee", in.Assignee); err != nil {
			return err
		}
	}
	if in.Team != "" {
		if nc.TeamID, err = a.teamRef(r, "team", in.Team); err != nil {
			return err
		}
	}
	v, err := a.store.CreateChange(r.Context(), id.Actor, nc)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/changes/"+v.Ticket.Key)
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (a *API) getChange(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	v, err := a.store.Change(r.Context(), id.Actor, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

type planChangeBody struct {
	Type               optional[string]    `json:"type"`
	PlannedStart       optional[time.Time] `json:"planned_start"`
	PlannedEnd         optional[time.Time] `json:"planned_end"`
	ImplementationPlan optional[string]    `json:"implementation_plan"`
	BackoutPlan        optional[string]    `json:"backout_plan"`
	Services           optional[[]ref]     `json:"services"`
}

func (a *API) planChange(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in planChangeBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p := store.ChangePatch{Type: in.Type.ptr(), ImplementationPlan: in.ImplementationPlan.ptr(), BackoutPlan: in.BackoutPlan.ptr()}
	if in.PlannedStart.Set != in.PlannedEnd.Set {
		return errs.Invalid("planned_end", "give planned_start and planned_end together")
	}
	if in.PlannedStart.Set {
		start, end := in.PlannedStart.Value, in.PlannedEnd.Value
		if in.PlannedStart.Null != in.PlannedEnd.Null {
			return errs.Invalid("planned_end", "clear the window with both null, or give both")
		}
		p.PlannedStart, p.PlannedEnd = &start, &end // zero times clear it
	}
	if in.Services.Set {
		refs := []string{}
		for _, s := range in.Services.Value {
			refs = append(refs, string(s))
		}
		p.Services = &refs
	}
	v, err := a.store.UpdateChange(r.Context(), id.Actor, r.PathValue("key"), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (a *API) assessChange(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in struct {
		Answers map[string]string `json:"answers"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	res, err := a.store.AssessRisk(r.Context(), id.Actor, r.PathValue("key"), in.Answers)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (a *API) submitChange(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in struct {
		Comment string `json:"comment"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := a.store.SubmitChange(r.Context(), id.Actor, r.PathValue("key"), in.Comment)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

type reviewBody struct {
	Outcome   string `json:"outcome"`
	Summary   string `json:"summary"`
	WentWell  string `json:"went_well"`
	WentWrong string `json:"went_wrong"`
	FollowUp  string `json:"follow_up"`
}

func (a *API) reviewChange(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in reviewBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := a.store.ReviewChange(r.Context(), id.Actor, r.PathValue("key"), change.Review{Outcome: change.Outcome(in.Outcome),
		Summary: in.Summary, WentWell: in.WentWell, WentWrong: in.WentWrong, FollowUp: in.FollowUp})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// changePeriod reads a period from month (2026-11) or from and to.
func changePeriod(get func(string) string) (time.Time, time.Time, error) {
	if m := get("month"); m != "" {
		if get("from") != "" || get("to") != "" {
			return time.Time{}, time.Time{}, errs.Invalid("month", "give a month, or from and to, not both")
		}
		start, err := time.Parse("2006-01", m)
		if err != nil {
			return start, start, errs.Invalid("month", "must be a month such as 2026-11")
		}
		return start, start.AddDate(0, 1, 0), nil
	}
	var from, to time.Time
	var err error
	if v := get("from"); v != "" {
		if from, err = parseTime(v); err != nil {
			return from, to, errs.Invalid("from", "must be a date (2006-01-02) or an RFC 3339 time")
		}
	}
	if v := get("to"); v != "" {
		if to, err = parseTime(v); err != nil {
			return from, to, errs.Invalid("to", "must be a date (2006-01-02) or an RFC 3339 time")
		}
	}
	return from, to, nil
}

func (a *API) changeCalendar(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	q := r.URL.Query()
	if err := knownParams(q, "month", "from", "to", "service"); err != nil {
		return err
	}
	from, to, err := changePeriod(q.Get)
	if err != nil {
		return err
	}
	if from.IsZero() && to.IsZero() {
		now := time.Now().UTC()
		from = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
		to = from.AddDate(0, 1, 0)
	}
	f := store.ChangeFilter{From: from, To: to}
	if v := q.Get("service"); v != "" {
		svc, err := a.store.ServiceByRef(r.Context(), v)
		if err != nil {
			return errs.Invalid("service", "no service %q", v)
		}
		f.ServiceID = svc.ID
	}
	cal, err := a.store.ChangeCalendar(r.Context(), id.Actor, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cal)
	return nil
}

func (a *API) changeSuccessRate(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	q := r.URL.Query()
	if err := knownParams(q, "from", "to"); err != nil {
		return err
	}
	from, to, err := changePeriod(q.Get)
	if err != nil {
		return err
	}
	rates, err := a.store.ChangeSuccessRates(r.Context(), id.Actor, from, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"services": rates})
	return nil
}

// The standard change library, the risk model and the settings.

type templateBody struct {
	Name               string `json:"name"`
	Description        string `json:"description"`
	ImplementationPlan string `json:"implementation_plan"`
	BackoutPlan        string `json:"backout_plan"`
	Risk               string `json:"risk"`
	Service            ref    `json:"service"`
	Active             *bool  `json:"active"`
}

func (a *API) templateFrom(r *http.Request, in templateBody) (change.Template, error) {
	lvl, err := change.ParseLevel("risk", in.Risk)
	if err != nil {
		return change.Template{}, err
	}
	t := change.Template{Name: in.Name, Description: in.Description, ImplementationPlan: in.ImplementationPlan, BackoutPlan: in.BackoutPlan,
		Risk: lvl, Active: in.Active == nil || *in.Active}
	if in.Service != "" {
		svc, err := a.store.ServiceByRef(r.Context(), string(in.Service))
		if err != nil {
			return t, errs.Invalid("service", "no service %q", in.Service)
		}
		t.ServiceID = svc.ID
	}
	return t, nil
}

func (a *API) listChangeTemplates(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	q := r.URL.Query()
	if err := knownParams(q, "active"); err != nil {
		return err
	}
	ts, err := a.store.ChangeTemplates(r.Context(), q.Get("active") == "true")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"templates": ts})
	return nil
}

func (a *API) createChangeTemplate(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in templateBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	t, err := a.templateFrom(r, in)
	if err != nil {
		return err
	}
	if t, err = a.store.SaveChangeTemplate(r.Context(), id.Actor, t); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (a *API) updateChangeTemplate(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	tid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := a.store.ChangeTemplate(r.Context(), tid); err != nil {
		return err
	}
	var in templateBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	t, err := a.templateFrom(r, in)
	if err != nil {
		return err
	}
	t.ID = tid
	if t, err = a.store.SaveChangeTemplate(r.Context(), id.Actor, t); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (a *API) getRiskModel(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	m, err := a.store.RiskModel(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (a *API) putRiskModel(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in change.Model
	if err := decode(w, r, &in); err != nil {
		return err
	}
	m, err := a.store.SetRiskModel(r.Context(), id.Actor, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (a *API) getChangeSettings(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	st, err := a.store.ChangeSettings(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (a *API) putChangeSettings(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in store.ChangeSettings
	if err := decode(w, r, &in); err != nil {
		return err
	}
	st, err := a.store.SetChangeSettings(r.Context(), id.Actor, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// Freeze windows.

type freezeBody struct {
	Name        string    `json:"name"`
	Reason      string    `json:"reason"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	AllServices bool      `json:"all_services"`
	Services    []ref     `json:"services"`
}

func (a *API) listFreezeWindows(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	q := r.URL.Query()
	if err := knownParams(q, "from", "to"); err != nil {
		return err
	}
	from, to, err := changePeriod(q.Get)
	if err != nil {
		return err
	}
	if !from.IsZero() && to.IsZero() {
		to = from.AddDate(100, 0, 0)
	}
	if from.IsZero() && !to.IsZero() {
		from = time.Unix(0, 0)
	}
	fs, err := a.store.FreezeWindows(r.Context(), from, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"freeze_windows": fs})
	return nil
}

func (a *API) createFreezeWindow(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in freezeBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	fz := change.Freeze{Name: in.Name, Reason: in.Reason, Start: in.Start, End: in.End, AllServices: in.AllServices, ServiceIDs: []int64{}}
	for i, s := range in.Services {
		svc, err := a.store.ServiceByRef(r.Context(), string(s))
		if err != nil {
			return errs.Invalid("services["+strconv.Itoa(i)+"]", "no service %q", s)
		}
		fz.ServiceIDs = append(fz.ServiceIDs, svc.ID)
	}
	fz, err := a.store.CreateFreezeWindow(r.Context(), id.Actor, fz)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, fz)
	return nil
}

func (a *API) deleteFreezeWindow(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	fid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.store.DeleteFreezeWindow(r.Context(), id.Actor, fid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Approval rules and approvals.

type ruleBody struct {
	Name          string   `json:"name"`
	RequestType   int64    `json:"request_type_id"`
	ChangeTypes   []string `json:"change_types"`
	MinRisk       string   `json:"min_risk"`
	Approver      string   `json:"approver"`
	Team          ref      `json:"team"`
	Users         []ref    `json:"users"`
	FieldKey      string   `json:"field_key"`
	Quorum        string   `json:"quorum"`
	QuorumCount   int      `json:"quorum_count"`
	DeclineVetoes *bool    `json:"decline_vetoes"`
	Active        *bool    `json:"active"`
	Position      int      `json:"position"`
}

func (a *API) ruleFrom(r *http.Request, in ruleBody) (change.Rule, error) {
	lvl, err := change.ParseLevel("min_risk", in.MinRisk)
	if err != nil {
		return change.Rule{}, err
	}
	rule := change.Rule{Name: in.Name, RequestTypeID: in.RequestType, MinRisk: lvl, Approver: change.ApproverKind(in.Approver),
		FieldKey: in.FieldKey, Quorum: change.Quorum{Kind: change.QuorumKind(in.Quorum), Count: in.QuorumCount},
		DeclineVetoes: in.DeclineVetoes == nil || *in.DeclineVetoes, Active: in.Active == nil || *in.Active, Position: in.Position}
	for i, t := range in.ChangeTypes {
		typ, err := change.ParseType(t)
		if err != nil || t == "" {
			return rule, errs.Invalid("change_types["+strconv.Itoa(i)+"]", "must be normal or emergency")
		}
		rule.ChangeTypes = append(rule.ChangeTypes, typ)
	}
	if in.Team != "" {
		if rule.TeamID, err = a.teamRef(r, "team", in.Team); err != nil {
			return rule, err
		}
	}
	for i, u := range in.Users {
		uid, err := a.userRef(r, "users["+strconv.Itoa(i)+"]", u)
		if err != nil {
			return rule, err
		}
		rule.UserIDs = append(rule.UserIDs, uid)
	}
	return rule, nil
}

func (a *API) listApprovalRules(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	q := r.URL.Query()
	if err := knownParams(q, "request_type", "changes"); err != nil {
		return err
	}
	f := store.ApprovalRuleFilter{Changes: q.Get("changes") == "true"}
	if v := q.Get("request_type"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return errs.Invalid("request_type", "must be a request type id")
		}
		f.RequestTypeID = n
	}
	rules, err := a.store.ApprovalRules(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"rules": rules})
	return nil
}

func (a *API) createApprovalRule(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in ruleBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	rule, err := a.ruleFrom(r, in)
	if err != nil {
		return err
	}
	if rule, err = a.store.SaveApprovalRule(r.Context(), id.Actor, rule); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, rule)
	return nil
}

func (a *API) updateApprovalRule(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	rid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in ruleBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	rule, err := a.ruleFrom(r, in)
	if err != nil {
		return err
	}
	rule.ID = rid
	if rule, err = a.store.SaveApprovalRule(r.Context(), id.Actor, rule); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rule)
	return nil
}

func (a *API) deleteApprovalRule(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	rid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.store.DeleteApprovalRule(r.Context(), id.Actor, rid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) myApprovals(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	if err := knownParams(r.URL.Query()); err != nil {
		return err
	}
	ps, err := a.store.MyApprovals(r.Context(), id.Actor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"approvals": ps})
	return nil
}

func (a *API) ticketApprovals(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	st, err := a.store.Approvals(r.Context(), id.Actor, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (a *API) decideApproval(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in struct {
		Decision string `json:"decision"`
		Comment  string `json:"comment"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	vote, err := change.ParseVote(in.Decision)
	if err != nil {
		return err
	}
	st, err := a.store.Decide(r.Context(), id.Actor, r.PathValue("key"), vote, in.Comment)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// Deployments.

type deploymentBody struct {
	Pipeline    string `json:"pipeline"`
	Environment string `json:"environment"`
	Version     string `json:"version"`
	Status      string `json:"status"`
	Commit      string `json:"commit"`
	Link        string `json:"link"`
	Change      string `json:"change"`
	Service     ref    `json:"service"`
}

// deploymentAnswer is the answer to a pipeline: the gate's decision, and
// the deployment when it was recorded.
type deploymentAnswer struct {
	change.GateDecision
	Deployment *store.Deployment `json:"deployment,omitempty"`
}

// deploymentRefusal is the 409 a refused deployment gets: the API's error
// shape, with the gate's decision beside it for the pipeline to act on.
type deploymentRefusal struct {
	errorBody
	change.GateDecision
}

// recordDeployment answers 200 with the decision and the deployment, or
// 409 deployment_not_allowed when a gated environment has no approved
// change that covers the deployment now.
func (a *API) recordDeployment(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in deploymentBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	d, gate, err := a.store.RecordDeployment(r.Context(), id.Actor, store.DeploymentInput{Pipeline: in.Pipeline, Environment: in.Environment,
		Version: in.Version, Status: in.Status, Commit: in.Commit, Link: in.Link, Change: in.Change, Service: string(in.Service)})
	if err != nil {
		return err
	}
	if !gate.Allowed {
		var body deploymentRefusal
		body.Error.Code, body.Error.Message, body.GateDecision = "deployment_not_allowed", gate.Message, gate
		writeJSON(w, http.StatusConflict, body)
		return nil
	}
	writeJSON(w, http.StatusOK, deploymentAnswer{GateDecision: gate, Deployment: &d})
	return nil
}

func (a *API) listDeployments(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	q := r.URL.Query()
	if err := knownParams(q, "service", "change", "limit"); err != nil {
		return err
	}
	var f store.DeploymentFilter
	if v := q.Get("service"); v != "" {
		svc, err := a.store.ServiceByRef(r.Context(), v)
		if err != nil {
			return errs.Invalid("service", "no service %q", v)
		}
		f.ServiceID = svc.ID
	}
	if v := q.Get("change"); v != "" {
		t, err := a.store.Ticket(r.Context(), id.Actor, v)
		if err != nil || t.Type != ticket.TypeChange {
			return errs.Invalid("change", "no change %s", strings.ToUpper(v))
		}
		f.ChangeID = t.ID
	}
	var err error
	if f.Limit, _, err = paging(q.Get("limit"), "", store.MaxPage); err != nil {
		return err
	}
	ds, err := a.store.Deployments(r.Context(), id.Actor, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"deployments": ds})
	return nil
}

// Fulfilment.

// requestFulfilment is how a request type is fulfilled: the rules of its
// approval and its task plan.
type requestFulfilment struct {
	RequestTypeID int64                     `json:"request_type_id"`
	Approval      []change.Rule             `json:"approval_rules"`
	Tasks         []fulfilment.TaskTemplate `json:"tasks"`
}

func (a *API) getFulfilment(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	rtID, err := pathID(r, "id")
	if err != nil {
		return err
	}
	out, err := a.fulfilmentOf(r, rtID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) fulfilmentOf(r *http.Request, rtID int64) (requestFulfilment, error) {
	out := requestFulfilment{RequestTypeID: rtID}
	if _, err := a.store.RequestType(r.Context(), rtID); err != nil {
		return out, err
	}
	var err error
	if out.Approval, err = a.store.ApprovalRules(r.Context(), store.ApprovalRuleFilter{RequestTypeID: rtID}); err != nil {
		return out, err
	}
	out.Tasks, err = a.store.FulfilmentPlan(r.Context(), rtID)
	return out, err
}

type taskPlanBody struct {
	Tasks []struct {
		Name        string `json:"name"`
		Description string `json:"description"`
		Team        ref    `json:"team"`
		Stage       int    `json:"stage"`
	} `json:"tasks"`
}

func (a *API) putTaskPlan(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	rtID, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := a.store.RequestType(r.Context(), rtID); err != nil {
		return err
	}
	var in taskPlanBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	plan := []fulfilment.TaskTemplate{}
	for i, t := range in.Tasks {
		tt := fulfilment.TaskTemplate{Name: t.Name, Description: t.Description, Stage: t.Stage}
		if t.Team == "" {
			return errs.Required("tasks[" + strconv.Itoa(i) + "].team")
		}
		if tt.TeamID, err = a.teamRef(r, "tasks["+strconv.Itoa(i)+"].team", t.Team); err != nil {
			return err
		}
		plan = append(plan, tt)
	}
	if _, err := a.store.SetFulfilmentPlan(r.Context(), id.Actor, rtID, plan); err != nil {
		return err
	}
	out, err := a.fulfilmentOf(r, rtID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) listTicketTasks(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	ts, err := a.store.Tasks(r.Context(), id.Actor, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"tasks": ts})
	return nil
}

func (a *API) listTeamTasks(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	q := r.URL.Query()
	if err := knownParams(q, "team", "status"); err != nil {
		return err
	}
	var f store.TaskFilter
	if v := q.Get("team"); v != "" {
		tid, err := a.teamRef(r, "team", ref(v))
		if err != nil {
			return err
		}
		f.TeamIDs = []int64{tid}
	}
	for _, s := range list(q.Get("status")) {
		st := fulfilment.Status(s)
		switch st {
		case fulfilment.StatusWaiting, fulfilment.StatusOpen, fulfilment.StatusDone, fulfilment.StatusCanceled:
		default:
			return errs.Invalid("status", "must be waiting, open, done or canceled")
		}
		f.Statuses = append(f.Statuses, st)
	}
	ts, err := a.store.TeamTasks(r.Context(), id.Actor, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"tasks": ts})
	return nil
}

func (a *API) completeTask(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	tid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Note string `json:"note"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	t, err := a.store.CompleteTask(r.Context(), id.Actor, tid, in.Note)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}
