package store

import (
	"context"
	"testing"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/change"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/fulfilment"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// TestBeforeTransition checks the hook Store.Transition is to call: while
// approvals are pending, people may cancel but not move a ticket on; a
// ticket that ends withdraws its approvals and cancels its open tasks.
// (It opens its own store: storetest imports this package.)
func TestBeforeTransition(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "sqlite:"+t.TempDir()+"/cairn.db")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	sys := directory.System
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	agentUser, err := s.CreateUser(ctx, sys, NewUser{Email: "a@example.com", Name: "Agent", Role: directory.RoleAgent})
	must(err)
	approverUser, err := s.CreateUser(ctx, sys, NewUser{Email: "b@example.com", Name: "Boss", Role: directory.RoleAgent})
	must(err)
	team, err := s.CreateTeam(ctx, sys, "Desk", []int64{agentUser.ID})
	must(err)
	boss, err := s.CreateTeam(ctx, sys, "Bosses", []int64{approverUser.ID})
	must(err)
	svc, err := s.CreateService(ctx, sys, catalog.Service{Name: "Desk", Status: catalog.ServiceLive, OwnerTeamID: team.ID})
	must(err)
	rt, err := s.CreateRequestType(ctx, sys, catalog.RequestType{ServiceID: svc.ID, Name: "Thing", TicketType: "service_request"})
	must(err)
	agent, err := s.Actor(ctx, agentUser)
	must(err)
	_, err = s.SaveApprovalRule(ctx, sys, change.Rule{Name: "Bosses", RequestTypeID: rt.ID, Approver: change.ApproverTeam, TeamID: boss.ID,
		Quorum: change.Quorum{Kind: change.QuorumAny}, Active: true})
	must(err)
	_, err = s.SetFulfilmentPlan(ctx, sys, rt.ID, []fulfilment.TaskTemplate{{Name: "Do", TeamID: team.ID, Stage: 1}})
	must(err)

	guard := func(tk ticket.Ticket, to string) error {
		var out error
		err := s.inTx(ctx, func(c *conn) error {
			wf, err := c.workflow(tk.WorkflowID)
			if err != nil {
				return err
			}
			st, _ := wf.Status(to)
			out = c.beforeTransition(agent, tk, st)
			return nil
		})
		must(err)
		return out
	}
	read := func(key string) ticket.Ticket {
		tk, err := s.Ticket(ctx, sys, key)
		must(err)
		return tk
	}

	tk, err := s.CreateTicket(ctx, agent, NewTicket{Service: "Desk", RequestType: "Thing", Summary: "Waits"})
	must(err)
	must(s.StartRequest(ctx, tk.Key))
	tk = read(tk.Key)
	if tk.Status != "Waiting for approval" {
		t.Fatalf("status %s", tk.Status)
	}
	if err := guard(tk, "In progress"); !errs.Is(err, errs.KindConflict) {
		t.Errorf("start work while waiting for approval: %v, want a conflict", err)
	}
	if err := guard(tk, "Canceled"); err != nil {
		t.Errorf("cancel while waiting: %v", err)
	}
	st, err := s.Approvals(ctx, sys, tk.Key)
	must(err)
	if st.Decision != change.Canceled {
		t.Errorf("after canceling: approval %s, want canceled", st.Decision)
	}

	// Approved and worked: canceling the request cancels its open task.
	tk2, err := s.CreateTicket(ctx, agent, NewTicket{Service: "Desk", RequestType: "Thing", Summary: "Worked"})
	must(err)
	must(s.StartRequest(ctx, tk2.Key))
	bossActor, err := s.Actor(ctx, approverUser)
	must(err)
	_, err = s.Decide(ctx, bossActor, tk2.Key, change.Approved, "")
	must(err)
	tk2 = read(tk2.Key)
	if tk2.Status != "In progress" {
		t.Fatalf("approved request: %s", tk2.Status)
	}
	if err := guard(tk2, "Canceled"); err != nil {
		t.Fatal(err)
	}
	tasks, err := s.Tasks(ctx, sys, tk2.Key)
	must(err)
	if len(tasks) != 1 || tasks[0].Status != fulfilment.StatusCanceled {
		t.Errorf("tasks after canceling: %+v", tasks)
	}
}
