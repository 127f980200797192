package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/api"
	"github.com/cairn-itsm/cairn/internal/change"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/fulfilment"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

// changeWindow is a planned window of two hours starting h hours from now.
func changeWindow(h int) (time.Time, time.Time) {
	start := time.Now().UTC().Truncate(time.Second).Add(time.Duration(h) * time.Hour)
	return start, start.Add(2 * time.Hour)
}

func safeRisk() map[string]string {
	out := map[string]string{}
	for _, q := range change.DefaultModel().Questions {
		out[q.Key] = q.Options[0].Label
	}
	return out
}

// changeOf raises a normal change on Laptops as the admin, planned h hours
// from now, and takes it as far as stage says: "planning", "assessed", "awaiting"
// (assessed and submitted: the Service Desk, the owner team, approves),
// "scheduled" or "implementing".
func (f *fixture) changeOf(t *testing.T, h int, stage string) store.ChangeView {
	t.Helper()
	ctx := context.Background()
	start, end := changeWindow(h)
	v, err := f.s.CreateChange(ctx, f.admin.actor, store.NewChange{Service: "Laptops", Summary: f.unique("Change"), PlannedStart: start, PlannedEnd: end})
	if err != nil {
		t.Fatal(err)
	}
	key := v.Ticket.Key
	steps := []func() error{
		func() error { _, err := f.s.AssessRisk(ctx, f.admin.actor, key, safeRisk()); return err },
		func() error { _, err := f.s.SubmitChange(ctx, f.admin.actor, key, ""); return err },
		func() error { _, err := f.s.Decide(ctx, f.agentA.actor, key, change.Approved, ""); return err },
		func() error {
			_, err := f.s.Transition(ctx, f.agentA.actor, key, store.TransitionInput{To: "Implementing", AssigneeID: f.agentA.ID})
			return err
		},
	}
	n := map[string]int{"planning": 0, "assessed": 1, "awaiting": 2, "scheduled": 3, "implementing": 4}[stage]
	for _, step := range steps[:n] {
		if err := step(); err != nil {
			t.Fatalf("%s to %s: %v", key, stage, err)
		}
	}
	if v, err = f.s.Change(ctx, f.admin.actor, key); err != nil {
		t.Fatal(err)
	}
	return v
}

// changeAccessRows are the rows of the access matrix (access_test.go) for
// the routes of change enablement and fulfilment.
func changeAccessRows() map[string]accessRow {
	changeAt := func(stage, suffix string, body any) func(*testing.T, *fixture, *user) (string, any) {
		return func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/changes/" + f.changeOf(t, 24, stage).Ticket.Key + suffix, body
		}
	}
	byID := func(prefix string, mk func(*testing.T, *fixture) int64) func(*testing.T, *fixture, *user) (string, any) {
		return func(t *testing.T, f *fixture, _ *user) (string, any) {
			return fmt.Sprintf("%s/%d", prefix, mk(t, f)), nil
		}
	}
	template := func(t *testing.T, f *fixture) int64 {
		tp, err := f.s.SaveChangeTemplate(context.Background(), directory.System, change.Template{Name: f.unique("Template"), ImplementationPlan: "Do.", Risk: change.LevelLow, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		return tp.ID
	}
	freeze := func(t *testing.T, f *fixture) int64 {
		start, end := changeWindow(1000)
		fz, err := f.s.CreateFreezeWindow(context.Background(), directory.System, change.Freeze{Name: f.unique("Freeze"), Start: start, End: end, AllServices: true})
		if err != nil {
			t.Fatal(err)
		}
		return fz.ID
	}
	rule := func(t *testing.T, f *fixture) int64 {
		r, err := f.s.SaveApprovalRule(context.Background(), directory.System, change.Rule{Name: f.unique("Rule"), ChangeTypes: []change.Type{change.TypeNormal},
			Approver: change.ApproverServiceOwner, Quorum: change.Quorum{Kind: change.QuorumAny}, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	ruleBody := map[string]any{"name": "Owners", "change_types": []string{"normal"}, "approver": "service_owner", "quorum": "any"}
	withBody := func(p func(*testing.T, *fixture, *user) (string, any), body any) func(*testing.T, *fixture, *user) (string, any) {
		return func(t *testing.T, f *fixture, as *user) (string, any) {
			path, _ := p(t, f, as)
			return path, body
		}
	}
	task := func(t *testing.T, f *fixture) int64 {
		ctx := context.Background()
		if _, err := f.s.SetFulfilmentPlan(ctx, directory.System, f.form.ID, []fulfilment.TaskTemplate{{Name: "Order", TeamID: f.teamA.ID, Stage: 1}}); err != nil {
			t.Fatal(err)
		}
		tk := f.newTicket(t, f.alice, store.NewTicket{Service: "Laptops", RequestType: "New laptop", Summary: f.unique("Laptop"), Fields: map[string]any{"os": "mac"}})
		if err := f.s.StartRequest(ctx, tk.Key); err != nil {
			t.Fatal(err)
		}
		ts, err := f.s.Tasks(ctx, directory.System, tk.Key)
		if err != nil || len(ts) != 1 {
			t.Fatal(err, ts)
		}
		return ts[0].ID
	}
	start, end := changeWindow(24)
	return map[string]accessRow{
		"GET /api/v1/change-calendar": {fixed("/api/v1/change-calendar?month=2026-11", nil), staffOnly},
		"POST /api/v1/changes": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/changes", map[string]any{"service": "Laptops", "summary": f.unique("Matrix change"), "planned_start": start, "planned_end": end}
		}, [nCallers]int{401, 403, 403, 201, 201, 201}},
		"GET /api/v1/changes/{key}":         {changeAt("planning", "", nil), ticketStaff(200)},
		"PATCH /api/v1/changes/{key}":       {changeAt("planning", "", map[string]any{"implementation_plan": "Step 1."}), ticketStaff(200)},
		"POST /api/v1/changes/{key}/risk":   {changeAt("planning", "/risk", map[string]any{"answers": safeRisk()}), ticketStaff(200)},
		"POST /api/v1/changes/{key}/submit": {changeAt("assessed", "/submit", map[string]any{}), ticketStaff(200)},
		"POST /api/v1/changes/{key}/review": {changeAt("implementing", "/review", map[string]any{"outcome": "success", "summary": "Done."}), ticketStaff(200)},
		"GET /api/v1/change-success-rate":   {fixed("/api/v1/change-success-rate", nil), staffOnly},
		"GET /api/v1/change-templates":      {fixed("/api/v1/change-templates", nil), staffOnly},
		"POST /api/v1/change-templates": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/change-templates", map[string]any{"name": f.unique("Template"), "implementation_plan": "Do.", "risk": "low"}
		}, adminOnly(201)},
		"PUT /api/v1/change-templates/{id}": {withBody(byID("/api/v1/change-templates", template), map[string]any{"name": "Renamed", "implementation_plan": "Do.", "risk": "medium"}), adminOnly(200)},
		"GET /api/v1/risk-model":            {fixed("/api/v1/risk-model", nil), staffOnly},
		"PUT /api/v1/risk-model":            {fixed("/api/v1/risk-model", change.DefaultModel()), adminOnly(200)},
		"GET /api/v1/change-settings":       {fixed("/api/v1/change-settings", nil), staffOnly},
		"PUT /api/v1/change-settings":       {fixed("/api/v1/change-settings", map[string]any{"gated_environments": []string{"production"}}), adminOnly(200)},
		"GET /api/v1/freeze-windows":        {fixed("/api/v1/freeze-windows", nil), staffOnly},
		"POST /api/v1/freeze-windows": {fixed("/api/v1/freeze-windows", map[string]any{"name": "Peak", "start": start, "end": end, "services": []string{"Servers"}}),
			adminOnly(201)},
		"DELETE /api/v1/freeze-windows/{id}": {byID("/api/v1/freeze-windows", freeze), adminOnly(204)},
		"GET /api/v1/approval-rules":         {fixed("/api/v1/approval-rules?changes=true", nil), staffOnly},
		"POST /api/v1/approval-rules":        {fixed("/api/v1/approval-rules", ruleBody), adminOnly(201)},
		"PUT /api/v1/approval-rules/{id}":    {withBody(byID("/api/v1/approval-rules", rule), ruleBody), adminOnly(200)},
		"DELETE /api/v1/approval-rules/{id}": {byID("/api/v1/approval-rules", rule), adminOnly(204)},
		"GET /api/v1/approvals":              {fixed("/api/v1/approvals", nil), everyone(200)},
		"GET /api/v1/tickets/{key}/approvals": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/tickets/" + f.aliceTicket.Key + "/approvals", nil
		}, ticketOf(200)},
		// Only the Service Desk (the team agent) approves; the admin may see
		// the change but holds no approval on it.
		"POST /api/v1/tickets/{key}/approvals": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/tickets/" + f.changeOf(t, 24, "awaiting").Ticket.Key + "/approvals", map[string]any{"decision": "approve"}
		}, [nCallers]int{401, 404, 404, 200, 404, 403}},
		"POST /api/v1/deployments": {fixed("/api/v1/deployments", map[string]any{"pipeline": "ci", "environment": "staging", "version": "1", "status": "started", "service": "Laptops"}),
			[nCallers]int{401, 403, 403, 200, 403, 200}},
		"GET /api/v1/deployments": {fixed("/api/v1/deployments", nil), staffOnly},
		"GET /api/v1/request-types/{id}/fulfilment": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return fmt.Sprintf("/api/v1/request-types/%d/fulfilment", f.form.ID), nil
		}, staffOnly},
		"PUT /api/v1/request-types/{id}/tasks": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return fmt.Sprintf("/api/v1/request-types/%d/tasks", f.pipelineType.ID), map[string]any{"tasks": []map[string]any{{"name": "Grant", "team": "Infrastructure", "stage": 1}}}
		}, adminOnly(200)},
		"GET /api/v1/tickets/{key}/tasks": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return "/api/v1/tickets/" + f.aliceTicket.Key + "/tasks", nil
		}, ticketOf(200)},
		"GET /api/v1/tasks": {fixed("/api/v1/tasks", nil), staffOnly},
		"POST /api/v1/tasks/{id}/complete": {func(t *testing.T, f *fixture, _ *user) (string, any) {
			return fmt.Sprintf("/api/v1/tasks/%d/complete", task(t, f)), map[string]any{"note": "Ordered"}
		}, ticketStaff(200)},
	}
}

// TestChangeAccessMatrix runs the change rows of the access matrix: for
// each route and caller, the status. (Once access_test.go merges
// changeAccessRows, TestAccessMatrix runs them as well.)
func TestChangeAccessMatrix(t *testing.T) {
	t.Parallel()
	rows := changeAccessRows()
	roles := api.RouteRoles()
	mine := []string{"/change", "/risk-model", "/freeze-windows", "/approval", "/deployments", "/tasks", "/fulfilment"}
	var patterns []string
	for p, least := range roles {
		row, ok := rows[p]
		if !ok {
			if slices.ContainsFunc(mine, func(m string) bool { return strings.Contains(p, m) }) {
				t.Errorf("route %q has no row in changeAccessRows", p)
			}
			continue
		}
		patterns = append(patterns, p)
		if least == directory.RoleAdmin && (row.want[teamAgent] != 403 || row.want[customer] != 403) {
			t.Errorf("%s needs an admin, but the row lets weaker roles through", p)
		}
		if least == directory.RoleAgent && row.want[customer] != 403 {
			t.Errorf("%s needs an agent, but the row lets customers through", p)
		}
	}
	for p := range rows {
		if _, ok := roles[p]; !ok {
			t.Errorf("changeAccessRows has a row for %q, which is not a route", p)
		}
	}
	slices.Sort(patterns)
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		t.Parallel()
		f := newFixture(t, s)
		for _, p := range patterns {
			row := rows[p]
			method, _, _ := strings.Cut(p, " ")
			for who, as := range f.callers() {
				path, body := row.prepare(t, f, as)
				w := f.call(t, as, method, path, body)
				if w.Code != row.want[who] {
					t.Errorf("%s as %s: %d, want %d; body: %s", p, callerNames[who], w.Code, row.want[who], truncate(w.Body.String()))
					continue
				}
				switch w.Code {
				case 401:
					checkErrorShape(t, p, w, "unauthorized")
				case 403:
					checkErrorShape(t, p, w, "forbidden")
				case 404:
					checkErrorShape(t, p, w, "not_found")
				}
			}
		}
	})
}

// TestChangeJourneyAPI takes a normal change through the API: raised,
// planned, assessed, submitted, approved by the CAB (2 of 3), deployed to
// production in its window; a deployment without a change is refused with
// the body a pipeline acts on.
func TestChangeJourneyAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := context.Background()
		var cab []*user
		for i := range 3 {
			u, err := s.CreateUser(ctx, directory.System, store.NewUser{Email: fmt.Sprintf("cab%d@cairn.test", i), Name: fmt.Sprintf("CAB %d", i), Role: directory.RoleAgent})
			if err != nil {
				t.Fatal(err)
			}
			cab = append(cab, &user{User: u, token: f.newToken(t, u.ID)})
		}
		w := f.call(t, f.admin, "POST", "/api/v1/teams", map[string]any{"name": "CAB", "member_ids": []int64{cab[0].ID, cab[1].ID, cab[2].ID}})
		wantStatus(t, w, http.StatusCreated)
		w = f.call(t, f.admin, "POST", "/api/v1/approval-rules", map[string]any{"name": "CAB", "change_types": []string{"normal"}, "approver": "team",
			"team": "CAB", "quorum": "count", "quorum_count": 2, "decline_vetoes": false})
		wantStatus(t, w, http.StatusCreated)
		w = f.call(t, f.admin, "POST", "/api/v1/approval-rules", map[string]any{"name": "Bad", "change_types": []string{"standard"}, "approver": "team", "team": "CAB", "quorum": "all"})
		wantError(t, w, http.StatusUnprocessableEntity, "invalid_field", "change_types[0]")

		start, end := changeWindow(-1)
		w = f.call(t, f.agentA, "POST", "/api/v1/changes", map[string]any{"service": "Laptops", "summary": "Roll out the new image",
			"planned_start": start.Add(48 * time.Hour), "planned_end": end.Add(48 * time.Hour), "backout_plan": "Reimage."})
		wantStatus(t, w, http.StatusCreated)
		v := decode[store.ChangeView](t, w)
		key := v.Ticket.Key
		if w.Header().Get("Location") != "/api/v1/changes/"+key || v.Change.Type != change.TypeNormal || v.Ticket.Status != "Planning" {
			t.Fatalf("created %s %+v", w.Header().Get("Location"), v.Change)
		}
		w = f.call(t, f.agentA, "PATCH", "/api/v1/changes/"+key, map[string]any{"planned_start": start, "planned_end": end, "implementation_plan": "1. Push."})
		wantStatus(t, w, http.StatusOK)
		if v = decode[store.ChangeView](t, w); !v.Change.PlannedStart.Equal(start) || v.Change.ImplementationPlan != "1. Push." || v.Change.BackoutPlan != "Reimage." {
			t.Errorf("planned %+v", v.Change)
		}
		w = f.call(t, f.agentA, "PATCH", "/api/v1/changes/"+key, map[string]any{"planned_start": start})
		wantError(t, w, http.StatusUnprocessableEntity, "invalid_field", "planned_end")
		w = f.call(t, f.agentA, "POST", "/api/v1/changes/"+key+"/submit", map[string]any{})
		wantError(t, w, http.StatusUnprocessableEntity, "required_field", "risk")
		w = f.call(t, f.agentA, "POST", "/api/v1/changes/"+key+"/risk", map[string]any{"answers": map[string]string{"tested": "Maybe"}})
		wantError(t, w, http.StatusUnprocessableEntity, "invalid_field", "answers.tested")
		w = f.call(t, f.agentA, "POST", "/api/v1/changes/"+key+"/risk", map[string]any{"answers": safeRisk()})
		wantStatus(t, w, http.StatusOK)
		if a := decode[change.Assessment](t, w); a.Level != change.LevelLow || len(a.Contributions) != 6 {
			t.Errorf("assessment %+v", a)
		}
		w = f.call(t, f.agentA, "POST", "/api/v1/changes/"+key+"/submit", map[string]any{"comment": "For the CAB."})
		wantStatus(t, w, http.StatusOK)
		if v = decode[store.ChangeView](t, w); v.Ticket.Status != "Awaiting approval" || len(v.Approval.Steps) != 1 || v.Approval.Steps[0].Needed != 2 {
			t.Fatalf("submitted %s %+v", v.Ticket.Status, v.Approval)
		}
		// A plain transition cannot approve it past the CAB once the store
		// guards transitions; the CAB decides here.
		mine := get[struct {
			Approvals []store.PendingApproval `json:"approvals"`
		}](t, f, cab[0], "/api/v1/approvals")
		if len(mine.Approvals) != 1 || mine.Approvals[0].Quorum != "2 of 3" || !strings.HasPrefix(mine.Approvals[0].Link, "/approve/") {
			t.Fatalf("CAB 0's approvals %+v", mine.Approvals)
		}
		w = f.call(t, cab[0], "POST", "/api/v1/tickets/"+key+"/approvals", map[string]any{"decision": "decline"})
		wantError(t, w, http.StatusUnprocessableEntity, "required_field", "comment")
		w = f.call(t, cab[0], "POST", "/api/v1/tickets/"+key+"/approvals", map[string]any{"decision": "maybe"})
		wantError(t, w, http.StatusUnprocessableEntity, "invalid_field", "decision")
		w = f.call(t, cab[0], "POST", "/api/v1/tickets/"+key+"/approvals", map[string]any{"decision": "decline", "comment": "Not before the audit."})
		wantStatus(t, w, http.StatusOK)
		w = f.call(t, cab[1], "POST", "/api/v1/tickets/"+key+"/approvals", map[string]any{"decision": "approve"})
		wantStatus(t, w, http.StatusOK)
		if st := decode[store.ApprovalState](t, w); st.Decision != change.Pending {
			t.Fatalf("one each way: %s", st.Decision)
		}
		w = f.call(t, cab[2], "POST", "/api/v1/tickets/"+key+"/approvals", map[string]any{"decision": "approve", "comment": "OK after the audit note."})
		wantStatus(t, w, http.StatusOK)
		if st := decode[store.ApprovalState](t, w); st.Decision != change.Approved {
			t.Fatalf("two approvals: %s", st.Decision)
		}
		w = f.call(t, cab[2], "POST", "/api/v1/tickets/"+key+"/approvals", map[string]any{"decision": "approve"})
		wantError(t, w, http.StatusConflict, "approval_not_pending", "")
		if v = get[store.ChangeView](t, f, f.agentA, "/api/v1/changes/"+key); v.Ticket.Status != "Scheduled" {
			t.Fatalf("after the quorum: %s", v.Ticket.Status)
		}

		// Deployments: production is gated.
		deploy := map[string]any{"pipeline": "gitlab/image", "environment": "production", "version": "2026.11", "status": "started", "service": "Laptops",
			"commit": "4f2a9c1", "link": "https://ci.example.com/p/1"}
		w = f.call(t, f.agentA, "POST", "/api/v1/deployments", deploy)
		wantStatus(t, w, http.StatusOK)
		ans := decode[map[string]any](t, w)
		if ans["allowed"] != true || ans["change"] != key || ans["reason"] != change.ReasonCovered || ans["deployment"] == nil {
			t.Errorf("allowed deployment %v", ans)
		}
		deploy["status"] = "succeeded"
		w = f.call(t, f.agentA, "POST", "/api/v1/deployments", deploy)
		wantStatus(t, w, http.StatusOK)
		w = f.call(t, f.admin, "POST", "/api/v1/deployments", map[string]any{"pipeline": "github/api", "environment": "Production", "version": "9",
			"status": "started", "service": "Servers"})
		wantError(t, w, http.StatusConflict, "deployment_not_allowed", "")
		refusal := decode[map[string]any](t, w)
		if refusal["allowed"] != false || refusal["gated"] != true || refusal["reason"] != change.ReasonNoChange || refusal["environment"] != "production" {
			t.Errorf("refusal %v", refusal)
		}
		w = f.call(t, f.admin, "POST", "/api/v1/deployments", map[string]any{"pipeline": "p", "environment": "production", "version": "9", "status": "started", "service": "Laptops", "extra": 1})
		wantError(t, w, http.StatusBadRequest, "unknown_field", "extra")
		list := get[struct {
			Deployments []store.Deployment `json:"deployments"`
		}](t, f, f.agentA, "/api/v1/deployments?change="+key)
		if len(list.Deployments) != 1 || list.Deployments[0].Status != change.DeploySucceeded || list.Deployments[0].Commit != "4f2a9c1" {
			t.Errorf("deployments of the change %+v", list.Deployments)
		}

		cal := get[store.Calendar](t, f, f.agentA, "/api/v1/change-calendar?from="+start.Add(-time.Hour).Format(time.RFC3339)+"&to="+end.Format(time.RFC3339))
		if len(cal.Changes) != 1 || cal.Changes[0].Ticket.Key != key {
			t.Errorf("calendar %+v", cal.Changes)
		}
		w = f.call(t, f.agentA, "GET", "/api/v1/change-calendar?month=2026-13", nil)
		wantError(t, w, http.StatusUnprocessableEntity, "invalid_field", "month")
		w = f.call(t, f.agentA, "GET", "/api/v1/change-calendar?week=3", nil)
		wantError(t, w, http.StatusBadRequest, "unknown_parameter", "week")
	})
}

// TestFulfilmentAPI sets up a request type's approval and tasks through the
// API and works a request through them.
func TestFulfilmentAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := context.Background()
		w := f.call(t, f.admin, "PUT", fmt.Sprintf("/api/v1/request-types/%d/tasks", f.form.ID), map[string]any{"tasks": []map[string]any{
			{"name": "Set up the account", "team": "Infrastructure", "stage": 1},
			{"name": "Order the laptop", "team": "Service Desk", "stage": 1},
			{"name": "Hand over", "team": "Service Desk", "stage": 2},
		}})
		wantStatus(t, w, http.StatusOK)
		w = f.call(t, f.admin, "PUT", fmt.Sprintf("/api/v1/request-types/%d/tasks", f.form.ID), map[string]any{"tasks": []map[string]any{{"name": "x", "team": "Nobody", "stage": 1}}})
		wantError(t, w, http.StatusUnprocessableEntity, "invalid_field", "tasks[0].team")
		w = f.call(t, f.admin, "POST", "/api/v1/approval-rules", map[string]any{"name": "Desk lead", "request_type_id": f.form.ID, "approver": "users",
			"users": []string{"anna@cairn.test"}, "quorum": "any"})
		wantStatus(t, w, http.StatusCreated)
		ful := get[map[string]any](t, f, f.agentA, fmt.Sprintf("/api/v1/request-types/%d/fulfilment", f.form.ID))
		if rules, _ := ful["approval_rules"].([]any); len(rules) != 1 {
			t.Errorf("fulfilment %v", ful)
		}

		tk := f.newTicket(t, f.alice, store.NewTicket{Service: "Laptops", RequestType: "New laptop", Summary: "Laptop for Dana", Fields: map[string]any{"os": "linux"}})
		if err := s.StartRequest(ctx, tk.Key); err != nil {
			t.Fatal(err)
		}
		w = f.call(t, f.agentA, "POST", "/api/v1/tickets/"+tk.Key+"/approvals", map[string]any{"decision": "approve", "comment": "Budget OK"})
		wantStatus(t, w, http.StatusOK)
		tasks := get[struct {
			Tasks []struct {
				ID     int64  `json:"id"`
				Name   string `json:"name"`
				Team   string `json:"team"`
				Status string `json:"status"`
			} `json:"tasks"`
		}](t, f, f.alice, "/api/v1/tickets/"+tk.Key+"/tasks")
		if len(tasks.Tasks) != 3 || tasks.Tasks[0].Status != "open" || tasks.Tasks[1].Status != "open" || tasks.Tasks[2].Status != "waiting" {
			t.Fatalf("tasks %+v", tasks.Tasks)
		}
		queue := get[struct {
			Tasks []fulfilment.Task `json:"tasks"`
		}](t, f, f.agentB, "/api/v1/tasks?status=open")
		if len(queue.Tasks) != 1 || queue.Tasks[0].Name != "Set up the account" {
			t.Errorf("Infrastructure's queue %+v", queue.Tasks)
		}
		w = f.call(t, f.agentB, "GET", "/api/v1/tasks?team=Service+Desk", nil)
		wantError(t, w, http.StatusForbidden, "forbidden", "")
		w = f.call(t, f.agentA, "POST", fmt.Sprintf("/api/v1/tasks/%d/complete", tasks.Tasks[2].ID), map[string]any{})
		wantError(t, w, http.StatusConflict, "task_not_open", "")
		for _, step := range []struct {
			as *user
			i  int
		}{{f.agentB, 0}, {f.agentA, 1}, {f.agentA, 2}} {
			w = f.call(t, step.as, "POST", fmt.Sprintf("/api/v1/tasks/%d/complete", tasks.Tasks[step.i].ID), map[string]any{"note": "Done"})
			wantStatus(t, w, http.StatusOK)
		}
		got := get[map[string]any](t, f, f.alice, "/api/v1/tickets/"+tk.Key)
		if got["status"] != "Resolved" || got["resolution"] != "Fulfilled" {
			t.Errorf("request after its tasks: %v %v", got["status"], got["resolution"])
		}
	})
}
