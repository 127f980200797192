package store_test

import (
	"slices"
	"testing"

	"github.com/cairn-itsm/cairn/internal/change"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/fulfilment"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// laptopPlan is the fixture laptop's task plan: the Desk team orders and
// the Network team makes the account in parallel, then the Desk team
// images the laptop, then hands it over.
func (f *changeFixture) laptopPlan(t *testing.T) {
	t.Helper()
	_, err := f.s.SetFulfilmentPlan(f.ctx, f.admin, f.laptop.ID, []fulfilment.TaskTemplate{
		{Name: "Hand over", TeamID: f.deskTeam.ID, Stage: 3},
		{Name: "Order the laptop", TeamID: f.deskTeam.ID, Stage: 1},
		{Name: "Create the network account", TeamID: f.netTeam.ID, Stage: 1},
		{Name: "Image the laptop", TeamID: f.deskTeam.ID, Stage: 2},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// requestLaptop raises a laptop request as Alice naming a manager, and
// starts it as CreateTicket's hook will.
func (f *changeFixture) requestLaptop(t *testing.T, manager int64) ticket.Ticket {
	t.Helper()
	fields := map[string]any{"model": "Small", "agree": true}
	if manager != 0 {
		fields["manager"] = manager
	}
	tk := f.create(t, f.alice, store.NewTicket{Service: "Laptops", RequestType: "Request a laptop", Summary: "New laptop", Fields: fields})
	if err := f.s.StartRequest(f.ctx, tk.Key); err != nil {
		t.Fatal(err)
	}
	if err := f.s.StartRequest(f.ctx, tk.Key); err != nil { // twice changes nothing
		t.Fatal(err)
	}
	out, err := f.s.Ticket(f.ctx, f.admin, tk.Key)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func taskStates(ts []fulfilment.Task) []string {
	var out []string
	for _, k := range ts {
		out = append(out, k.Name+":"+string(k.Status))
	}
	return out
}

func TestFulfilmentWithApproval(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newChangeFixture(t, s)
		f.laptopPlan(t)
		f.rule(t, change.Rule{Name: "Line manager", RequestTypeID: f.laptop.ID, Approver: change.ApproverField, FieldKey: "manager",
			Quorum: change.Quorum{Kind: change.QuorumAny}, DeclineVetoes: true})
		plan, _ := s.FulfilmentPlan(f.ctx, f.laptop.ID)
		if len(plan) != 4 || plan[0].Name != "Order the laptop" || plan[3].Name != "Hand over" || plan[1].Team != "Network" {
			t.Fatalf("plan %+v", plan)
		}

		// Bob, a customer, is Alice's manager: he approves.
		tk := f.requestLaptop(t, f.bob.UserID)
		if tk.Status != "Waiting for approval" {
			t.Fatalf("status %s, want Waiting for approval", tk.Status)
		}
		if ts, _ := s.Tasks(f.ctx, f.alice, tk.Key); len(ts) != 0 {
			t.Errorf("tasks before approval: %v", taskStates(ts))
		}
		mine, err := s.MyApprovals(f.ctx, f.bob)
		if err != nil || len(mine) != 1 || mine[0].Ticket.Key != tk.Key || mine[0].Change != nil {
			t.Fatalf("Bob's approvals: %v %+v", err, mine)
		}
		if _, err := s.Decide(f.ctx, f.bob, tk.Key, change.Approved, "Approved for the new starter"); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Ticket(f.ctx, f.alice, tk.Key)
		if got.Status != "In progress" {
			t.Fatalf("after approval: %s", got.Status)
		}
		comments, _ := s.Comments(f.ctx, f.alice, tk.Key)
		if len(comments) != 1 || comments[0].Internal || comments[0].Author != "Bob" {
			t.Errorf("Alice sees %+v", comments)
		}
		ts, err := s.Tasks(f.ctx, f.alice, tk.Key)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"Order the laptop:open", "Create the network account:open", "Image the laptop:waiting", "Hand over:waiting"}
		if !slices.Equal(taskStates(ts), want) {
			t.Fatalf("tasks %v, want %v", taskStates(ts), want)
		}
		// Nina's team has a task on a Laptops request she may not otherwise see.
		if _, err := s.Tasks(f.ctx, f.nina, tk.Key); err != nil {
			t.Errorf("Nina lists the tasks: %v", err)
		}
		queue, _ := s.TeamTasks(f.ctx, f.nina, store.TaskFilter{Statuses: []fulfilment.Status{fulfilment.StatusOpen}})
		if len(queue) != 1 || queue[0].Name != "Create the network account" || queue[0].Ticket != tk.Key || queue[0].Request != "New laptop" {
			t.Errorf("Nina's queue %+v", queue)
		}
		_, err = s.TeamTasks(f.ctx, f.nina, store.TaskFilter{TeamIDs: []int64{f.deskTeam.ID}})
		wantErr(t, "another team's queue", err, errs.KindForbidden, "")

		_, err = s.CompleteTask(f.ctx, f.nina, ts[0].ID, "")
		wantErr(t, "Nina completes the Desk's task", err, errs.KindNotFound, "")
		_, err = s.CompleteTask(f.ctx, f.dave, ts[1].ID, "")
		wantErr(t, "Dave completes Network's task", err, errs.KindForbidden, "")
		_, err = s.CompleteTask(f.ctx, f.dave, ts[2].ID, "")
		wantErr(t, "a task of a later stage", err, errs.KindConflict, "")
		if _, err := s.CompleteTask(f.ctx, f.dave, ts[0].ID, "PO 4500123"); err != nil {
			t.Fatal(err)
		}
		_, err = s.CompleteTask(f.ctx, f.dave, ts[0].ID, "")
		wantErr(t, "complete twice", err, errs.KindConflict, "")
		if ts, _ = s.Tasks(f.ctx, f.admin, tk.Key); ts[2].Status != fulfilment.StatusWaiting {
			t.Fatalf("stage 2 opened with stage 1 half done: %v", taskStates(ts))
		}
		done, err := s.CompleteTask(f.ctx, f.nina, ts[1].ID, "Account made")
		if err != nil {
			t.Fatal(err)
		}
		if done.DoneBy != "Nina Network" || done.Note != "Account made" || done.DoneAt == nil {
			t.Errorf("done task %+v", done)
		}
		ts, _ = s.Tasks(f.ctx, f.admin, tk.Key)
		if ts[2].Status != fulfilment.StatusOpen || ts[3].Status != fulfilment.StatusWaiting {
			t.Fatalf("after stage 1: %v", taskStates(ts))
		}
		for _, i := range []int{2, 3} {
			if _, err := s.CompleteTask(f.ctx, f.dave, ts[i].ID, ""); err != nil {
				t.Fatal(err)
			}
			if i == 2 {
				ts, _ = s.Tasks(f.ctx, f.admin, tk.Key)
			}
		}
		got, _ = s.Ticket(f.ctx, f.alice, tk.Key)
		if got.Status != "Resolved" || got.Resolution != "Fulfilled" {
			t.Errorf("after the last task: %s %s, want Resolved Fulfilled", got.Status, got.Resolution)
		}
	})
}

func TestFulfilmentPaths(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newChangeFixture(t, s)
		f.laptopPlan(t)

		// No approval: tasks at once.
		tk := f.requestLaptop(t, 0)
		if tk.Status != "In progress" {
			t.Fatalf("without approval: %s", tk.Status)
		}
		if ts, _ := s.Tasks(f.ctx, f.alice, tk.Key); len(ts) != 4 || ts[0].Status != fulfilment.StatusOpen {
			t.Errorf("tasks %v", taskStates(ts))
		}
		_, err := s.Tasks(f.ctx, f.carol, tk.Key)
		wantErr(t, "another customer's tasks", err, errs.KindNotFound, "")

		// With approval: declined.
		f.rule(t, change.Rule{Name: "Line manager", RequestTypeID: f.laptop.ID, Approver: change.ApproverField, FieldKey: "manager",
			Quorum: change.Quorum{Kind: change.QuorumAny}, DeclineVetoes: true})
		tk = f.requestLaptop(t, f.dave.UserID)
		if _, err := s.Decide(f.ctx, f.dave, tk.Key, change.Declined, "Not in this year's budget"); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Ticket(f.ctx, f.alice, tk.Key)
		if got.Status != "Canceled" || got.Resolution != "Declined" {
			t.Errorf("declined request: %s %s", got.Status, got.Resolution)
		}
		if ts, _ := s.Tasks(f.ctx, f.alice, tk.Key); len(ts) != 0 {
			t.Errorf("a declined request got tasks: %v", taskStates(ts))
		}

		// Nobody to approve: the requester named herself. It waits, and the
		// step says why.
		tk = f.requestLaptop(t, f.alice.UserID)
		if tk.Status != "Waiting for approval" {
			t.Errorf("no approver: %s", tk.Status)
		}
		st, _ := s.Approvals(f.ctx, f.admin, tk.Key)
		if st.Decision != change.Canceled || st.Steps[0].Note == "" {
			t.Errorf("no approver: %+v", st)
		}
		if err := s.CheckTransition(f.ctx, f.dave, tk.Key, "In progress"); err != nil {
			t.Errorf("an agent takes over a request nobody can approve: %v", err)
		}

		// Other tickets are left alone.
		inc := f.incident(t, f.alice, "Down")
		if err := s.StartRequest(f.ctx, inc.Key); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Ticket(f.ctx, f.alice, inc.Key); got.Status != "Open" {
			t.Errorf("incident: %s", got.Status)
		}
		_, err = s.SetFulfilmentPlan(f.ctx, f.admin, f.outage.ID, []fulfilment.TaskTemplate{{Name: "x", TeamID: f.netTeam.ID, Stage: 1}})
		wantErr(t, "plan on an incident type", err, errs.KindInvalid, "tasks")
		_, err = s.SetFulfilmentPlan(f.ctx, f.admin, f.laptop.ID, []fulfilment.TaskTemplate{{Name: "x", TeamID: 999, Stage: 1}})
		wantErr(t, "unknown team", err, errs.KindInvalid, "tasks[0].team")
		_, err = s.SetFulfilmentPlan(f.ctx, f.dave, f.laptop.ID, nil)
		wantErr(t, "agent edits a plan", err, errs.KindForbidden, "")
	})
}
