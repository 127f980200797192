package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/change"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/fulfilment"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

// changeDesk is newDesk for the change pages. They are registered by
// web.New calling changeRoutes; until that wiring is in, the tests skip
// and say so.
func changeDesk(t *testing.T, s *store.Store) *desk {
	t.Helper()
	d := newDesk(t, s)
	// Signed out, a registered agent page sends to sign-in; an unknown
	// path answers 404.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(d.srv.URL + "/agent/change-calendar")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		t.Skip("the change pages are not wired: web.New must call w.changeRoutes()")
	}
	return d
}

func changeInput(t time.Time) string { return t.Local().Format("2006-01-02T15:04") }

var changeKeyInPath = regexp.MustCompile(`/agent/changes/(IT-\d+)`)

// TestChangePages raises a normal change through the pages, plans,
// assesses and submits it; a CAB member approves it from their list and
// it is scheduled.
func TestChangePages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := changeDesk(t, s)
		ctx := context.Background()
		f := d.fixture
		cab, err := s.CreateTeam(ctx, directory.System, "CAB", []int64{f.Agents[1].UserID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveApprovalRule(ctx, directory.System, change.Rule{Name: "CAB", ChangeTypes: []change.Type{change.TypeNormal},
			Approver: change.ApproverTeam, TeamID: cab.ID, Quorum: change.Quorum{Kind: change.QuorumAny}, Active: true}); err != nil {
			t.Fatal(err)
		}
		agent := d.login(t, f.Agents[0])
		code, body := agent.get("/agent/changes/new")
		if code != http.StatusOK {
			t.Fatalf("new change page: %d", code)
		}
		start := time.Now().Add(48 * time.Hour).Truncate(time.Minute)
		form := url.Values{"type": {"normal"}, "service": {fmt.Sprint(f.Services[0].ID)}, "summary": {"Replace the mail relay"},
			"planned_start": {changeInput(start.Add(2 * time.Hour))}, "planned_end": {changeInput(start)}}
		resp := agent.post("/agent/changes/new", form)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a window that ends before it starts: %d", resp.StatusCode)
		}
		body = readBody(t, resp)
		mustContain(t, "the refused form", body, "Planned end must be after the start.", "Replace the mail relay")

		form.Set("planned_start", changeInput(start))
		form.Set("planned_end", changeInput(start.Add(2*time.Hour)))
		resp = agent.post("/agent/changes/new", form)
		body = readBody(t, resp)
		m := changeKeyInPath.FindStringSubmatch(resp.Request.URL.Path)
		if resp.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("raise: %d at %s", resp.StatusCode, resp.Request.URL)
		}
		key := m[1]
		mustContain(t, "the new change", body, "Change "+key+" raised.", "Replace the mail relay", "Planning", "Risk assessment", "Submit for approval")

		resp = agent.post("/agent/changes/"+key+"/plan", url.Values{"planned_start": {changeInput(start)}, "planned_end": {changeInput(start.Add(3 * time.Hour))},
			"implementation_plan": {"1. Swap the relay."}, "backout_plan": {"Swap it back."}, "services": {fmt.Sprint(f.Services[1].ID)}})
		mustContain(t, "the planned change", readBody(t, resp), "Plan saved.", "1. Swap the relay.", "Infrastructure service")

		resp = agent.post("/agent/changes/"+key+"/submit", url.Values{})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("submit before assessing: %d", resp.StatusCode)
		}
		mustContain(t, "the refused submission", readBody(t, resp), "Risk is required: assess the risk")

		answers := url.Values{}
		for _, q := range change.DefaultModel().Questions {
			answers.Set("answers."+q.Key, q.Options[len(q.Options)-1].Label)
		}
		resp = agent.post("/agent/changes/"+key+"/risk", answers)
		body = readBody(t, resp)
		mustContain(t, "the assessed change", body, "Risk assessed: critical", "Why critical risk", "Services affected: 2 (Service Desk service, Infrastructure service)",
			html.EscapeString("Has the change been tested?"))

		resp = agent.post("/agent/changes/"+key+"/submit", url.Values{"comment": {"Ready."}})
		body = readBody(t, resp)
		mustContain(t, "the submitted change", body, "Submitted for approval.", "Awaiting approval", "CAB", "1 of 1 needed")
		if strings.Contains(body, `action="/approvals/`+key+`"`) {
			t.Error("the requester is offered to approve their own change")
		}

		approver := d.login(t, f.Agents[1])
		code, body = approver.get("/approvals")
		if code != http.StatusOK {
			t.Fatalf("approvals page: %d", code)
		}
		mustContain(t, "the CAB member's approvals", body, key, "Replace the mail relay", "any one of 1 must approve", "critical")
		resp = approver.post("/approvals/"+key, url.Values{"decision": {"decline"}})
		mustContain(t, "a decline without a reason", readBody(t, resp), "Not recorded: Comment is required to decline")
		resp = approver.post("/approvals/"+key, url.Values{"decision": {"approve"}, "comment": {"Go ahead."}})
		mustContain(t, "the approvals after approving", readBody(t, resp), "Approved "+key+".", "Nothing waits for your approval.")

		_, body = agent.get("/agent/changes/" + key)
		mustContain(t, "the approved change", body, `id="change-status">Scheduled<`, "approved", "Go ahead.")

		// The calendar of that month shows it, with the other changes.
		_, body = agent.get("/agent/change-calendar?month=" + start.Format("2006-01"))
		mustContain(t, "the calendar", body, key+" Replace the mail relay", "Agenda")
		code, _ = agent.get("/agent/change-calendar?month=2026-99")
		if code != http.StatusUnprocessableEntity {
			t.Errorf("a bad month: %d", code)
		}

		customer := d.login(t, f.Customers[0])
		if code, _ := customer.get("/agent/changes/" + key); code != http.StatusNotFound {
			t.Errorf("a customer on the change page: %d", code)
		}
		if code, body := customer.get("/approvals"); code != http.StatusOK || !strings.Contains(body, "Nothing waits for your approval.") {
			t.Errorf("a customer's approvals: %d", code)
		}
	})
}

// TestStandardChangePage raises a standard change from a template of the
// library set up on the admin page.
func TestStandardChangePage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := changeDesk(t, s)
		f := d.fixture
		admin := d.login(t, f.Admin)
		code, body := admin.get("/admin/changes")
		if code != http.StatusOK {
			t.Fatalf("admin page: %d", code)
		}
		mustContain(t, "the admin page", body, "Gated environments", "production", "Risk questionnaire", "tested: Has the change been tested?")
		resp := admin.post("/admin/changes/templates", url.Values{"name": {"Restart the web tier"}, "implementation_plan": {"Rolling restart."},
			"risk": {"low"}, "service_id": {fmt.Sprint(f.Services[0].ID)}})
		mustContain(t, "the admin page", readBody(t, resp), "Template Restart the web tier saved.")
		resp = admin.post("/admin/changes/templates", url.Values{"name": {"Risky"}, "implementation_plan": {"x"}, "risk": {"high"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("a high-risk template: %d", resp.StatusCode)
		}
		resp = admin.post("/admin/changes/settings", url.Values{"gated_environments": {"production, prod-eu"}})
		mustContain(t, "the admin page", readBody(t, resp), "Gated environments saved.", "production, prod-eu")
		resp = admin.post("/admin/changes/risk-model", url.Values{"model": {"tested: Tested?\n0 Yes\n4 No"}, "medium": {"3"}, "high": {"6"}, "critical": {"9"}})
		mustContain(t, "the admin page", readBody(t, resp), "Risk questionnaire saved.")
		if m, _ := s.RiskModel(context.Background()); len(m.Questions) != 1 || m.Thresholds.Medium != 3 {
			t.Errorf("saved model %+v", m)
		}
		start := time.Now().Add(time.Hour).Truncate(time.Minute)
		resp = admin.post("/admin/changes/freezes", url.Values{"name": {"Black Friday"}, "start": {changeInput(start)}, "end": {changeInput(start.Add(24 * time.Hour))},
			"all_services": {"1"}})
		mustContain(t, "the admin page", readBody(t, resp), "Freeze window Black Friday added.")

		agent := d.login(t, f.Agents[0])
		if code, _ := agent.get("/admin/changes"); code != http.StatusNotFound {
			t.Errorf("an agent on the admin page: %d", code)
		}
		tpls, _ := s.ChangeTemplates(context.Background(), true)
		resp = agent.post("/agent/changes/new", url.Values{"type": {"standard"}, "template": {fmt.Sprint(tpls[0].ID)},
			"planned_start": {changeInput(start)}, "planned_end": {changeInput(start.Add(time.Hour))}})
		body = readBody(t, resp)
		mustContain(t, "the standard change", body, "raised and scheduled", "Restart the web tier", `id="change-status">Scheduled<`,
			"planned during the freeze", "Black Friday")
		if strings.Contains(body, "Submit for approval") || strings.Contains(body, "Risk assessment") {
			t.Error("a standard change offers approval or assessment")
		}
	})
}

// TestApprovalLinkPage decides an approval by its one-click link, signed
// out.
func TestApprovalLinkPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := changeDesk(t, s)
		ctx := context.Background()
		f := d.fixture
		start := time.Now().Add(24 * time.Hour)
		v, err := s.CreateChange(ctx, f.Admin, store.NewChange{Service: f.Services[1].Name, Summary: "Patch the hypervisors", PlannedStart: start, PlannedEnd: start.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AssessRisk(ctx, f.Admin, v.Ticket.Key, map[string]string{"tested": "No", "backout": "No, it cannot be undone",
			"downtime": "No downtime", "experience": "Routinely", "users": "Everyone"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SubmitChange(ctx, f.Admin, v.Ticket.Key, ""); err != nil {
			t.Fatal(err)
		}
		mine, err := s.MyApprovals(ctx, f.Agents[1])
		if err != nil || len(mine) != 1 {
			t.Fatal(err, mine)
		}
		link := mine[0].Link
		anon := &http.Client{}
		get := func(path string) (int, string) {
			resp, err := anon.Get(d.srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			return resp.StatusCode, readBody(t, resp)
		}
		code, body := get(link)
		if code != http.StatusOK {
			t.Fatalf("the link: %d", code)
		}
		mustContain(t, "the link page", body, "Patch the hypervisors", "for Agent 1", "Approve", "Decline", "critical")
		if code, _ := get(link + "x"); code != http.StatusNotFound {
			t.Errorf("a tampered link: %d", code)
		}
		resp, err := anon.PostForm(d.srv.URL+link, url.Values{"decision": {"decline"}})
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("decline without a reason: %d", resp.StatusCode)
		}
		mustContain(t, "the refused decline", readBody(t, resp), "Comment is required to decline")
		resp, err = anon.PostForm(d.srv.URL+link, url.Values{"decision": {"approve"}})
		if err != nil {
			t.Fatal(err)
		}
		mustContain(t, "the link after approving", readBody(t, resp), "You approved "+v.Ticket.Key)
		if _, body := get(link); !strings.Contains(body, "This approval is approved already") {
			t.Error("the link again does not say it was decided")
		}
		if tk, _ := s.Ticket(ctx, f.Admin, v.Ticket.Key); tk.Status != "Scheduled" {
			t.Errorf("after the link: %s", tk.Status)
		}
	})
}

// TestFulfilmentPages sets a request type's approval and tasks on the
// admin page; a request waits, is approved, and its tasks are done from
// the team's queue until the request is resolved.
func TestFulfilmentPages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := changeDesk(t, s)
		ctx := context.Background()
		f := d.fixture
		rtr, err := s.CreateRequestType(ctx, directory.System, changeKitType(f.Services[0].ID))
		if err != nil {
			t.Fatal(err)
		}
		admin := d.login(t, f.Admin)
		code, body := admin.get("/admin/fulfilment")
		if code != http.StatusOK || !strings.Contains(body, "New starter kit") {
			t.Fatalf("fulfilment list: %d", code)
		}
		path := fmt.Sprintf("/admin/fulfilment/%d", rtr.ID)
		resp := admin.post(path+"/tasks", url.Values{"tasks": {"1 | Service Desk | Order the laptop\n1 | Infrastructure | Create the accounts\n2 | Service Desk | Hand over"}})
		mustContain(t, "the plan", readBody(t, resp), "Task plan saved.", "2 | Service Desk | Hand over")
		resp = admin.post(path+"/tasks", url.Values{"tasks": {"1 | Nobody | x"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("a plan for an unknown team: %d", resp.StatusCode)
		}
		resp = admin.post(path+"/rules", url.Values{"name": {"Manager"}, "approver": {"field"}, "field_key": {"manager"}, "quorum": {"any"}, "decline_vetoes": {"1"}})
		mustContain(t, "the rules", readBody(t, resp), "Approval rule Manager added.", "form field manager")

		cust := f.Customers[0]
		tk, err := s.CreateTicket(ctx, cust, store.NewTicket{Service: f.Services[0].Name, RequestType: rtr.Name, Summary: "Kit for Sam",
			Fields: map[string]any{"manager": f.Agents[1].UserID}})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.StartRequest(ctx, tk.Key); err != nil {
			t.Fatal(err)
		}
		manager := d.login(t, f.Agents[1])
		_, body = manager.get("/approvals")
		mustContain(t, "the manager's approvals", body, "Kit for Sam", "Manager")
		resp = manager.post("/approvals/"+tk.Key, url.Values{"decision": {"approve"}})
		mustContain(t, "after approving", readBody(t, resp), "Approved "+tk.Key)

		desk := d.login(t, f.Agents[0])
		_, body = desk.get("/agent/tasks")
		mustContain(t, "the Service Desk's tasks", body, "Order the laptop", "Kit for Sam")
		if strings.Contains(body, "Create the accounts") || strings.Contains(body, "Hand over") {
			t.Error("the Service Desk sees another team's task or a waiting one")
		}
		tasks, _ := s.Tasks(ctx, directory.System, tk.Key)
		resp = desk.post(fmt.Sprintf("/agent/tasks/%d/complete", tasks[2].ID), url.Values{})
		mustContain(t, "a waiting task", readBody(t, resp), "Not done: Task 3 is in stage 2")
		resp = desk.post(fmt.Sprintf("/agent/tasks/%d/complete", tasks[0].ID), url.Values{"note": {"Ordered"}})
		mustContain(t, "after a task", readBody(t, resp), "Task 1 of "+tk.Key+" done: Order the laptop.")
		_, body = manager.get("/agent/fulfilment/" + tk.Key)
		mustContain(t, "the fulfilment page", body, "Create the accounts", "Mark “Create the accounts” done", "Note: Ordered")
		resp = manager.post(fmt.Sprintf("/agent/tasks/%d/complete", tasks[1].ID), url.Values{"next": {"/agent/fulfilment/" + tk.Key}})
		body = readBody(t, resp)
		if resp.Request.URL.Path != "/agent/fulfilment/"+tk.Key {
			t.Errorf("came back to %s", resp.Request.URL.Path)
		}
		resp = desk.post(fmt.Sprintf("/agent/tasks/%d/complete", tasks[2].ID), url.Values{})
		mustContain(t, "the last task", readBody(t, resp), "Hand over")
		if got, _ := s.Ticket(ctx, cust, tk.Key); got.Status != "Resolved" || got.Resolution != "Fulfilled" {
			t.Errorf("after every task: %s %s", got.Status, got.Resolution)
		}
		if ts, _ := s.Tasks(ctx, cust, tk.Key); len(ts) != 3 || ts[2].Status != fulfilment.StatusDone {
			t.Errorf("tasks %+v", ts)
		}
		_, body = desk.get("/agent/change-report")
		mustContain(t, "the report", body, "Change success rate", "No change has been reviewed")
	})
}

// TestChangePanel checks the partial the ticket page includes, through the
// change page, and the refusals of the pages' forms.
func TestChangePanel(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		d := changeDesk(t, s)
		ctx := context.Background()
		f := d.fixture
		start := time.Now().Add(-time.Hour)
		v, err := s.CreateChange(ctx, f.Admin, store.NewChange{Service: f.Services[0].Name, Summary: "Deploy the portal", PlannedStart: start, PlannedEnd: start.Add(4 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		other, err := s.CreateChange(ctx, f.Admin, store.NewChange{Service: f.Services[0].Name, Summary: "Resize the disks", PlannedStart: start, PlannedEnd: start.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		agent := d.login(t, f.Agents[0])
		_, body := agent.get("/agent/changes/" + v.Ticket.Key)
		mustContain(t, "the change's panel", body, "Conflicts", other.Ticket.Key, "works on the same service at the same time")

		if _, err := s.AssessRisk(ctx, f.Admin, v.Ticket.Key, map[string]string{"tested": "No", "backout": "No, it cannot be undone",
			"downtime": "No downtime", "experience": "Routinely", "users": "Everyone"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SubmitChange(ctx, f.Admin, v.Ticket.Key, ""); err != nil {
			t.Fatal(err)
		}
		_, body = agent.get("/agent/changes/" + v.Ticket.Key)
		mustContain(t, "the panel of a pending approver", body, `action="/approvals/`+v.Ticket.Key+`"`, `name="next" value="/agent/changes/`+v.Ticket.Key+`"`)
		resp := agent.post("/approvals/"+v.Ticket.Key, url.Values{"decision": {"approve"}, "next": {"https://evil.example/"}})
		if resp.Request.URL.Host != strings.TrimPrefix(d.srv.URL, "http://") || resp.Request.URL.Path != "/approvals" {
			t.Errorf("a next off the site went to %s", resp.Request.URL)
		}
		if _, _, err := s.RecordDeployment(ctx, f.Agents[0], store.DeploymentInput{Pipeline: "gitlab/portal", Environment: "production", Version: "3.1",
			Status: "started", Service: f.Services[0].Name, Commit: "abc123"}); err != nil {
			t.Fatal(err)
		}
		_, body = agent.get("/agent/changes/" + v.Ticket.Key)
		mustContain(t, "the change's deployments", body, "Deployments", "gitlab/portal 3.1", "abc123", `id="change-status">Scheduled<`)

		// A form without its CSRF token is refused.
		resp = agent.post("/agent/changes/"+v.Ticket.Key+"/submit", url.Values{"csrf_token": {"forged"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("a forged token: %d", resp.StatusCode)
		}
	})
}

// changeKitType is a service request type whose form names the
// requester's manager.
func changeKitType(serviceID int64) catalog.RequestType {
	return catalog.RequestType{ServiceID: serviceID, Name: "New starter kit", TicketType: "service_request",
		Fields: []catalog.Field{{Key: "manager", Label: "Your manager", Type: catalog.FieldUser, Required: true}}}
}
