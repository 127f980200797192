package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cairn-itsm/cairn/internal/change"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/fulfilment"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// Service request fulfilment: a request type may ask for approval before
// its requests are worked (its approval rules), and may have a task plan.
// A new request of such a type waits for approval; once approved, or at
// once when no approval is asked for, its tasks are made from the plan and
// open stage by stage; when the last is done the request is resolved.

// The event types of fulfilment, on stream "fulfilment" (id: the request's).
const (
	EventFulfilmentStarted = "fulfilment.started"
	EventTaskOpened        = "fulfilment.task_opened"
	EventTaskDone          = "fulfilment.task_done"
	EventFulfilled         = "fulfilment.fulfilled"
)

// FulfilmentPlan lists a request type's task templates, by stage.
func (s *Store) FulfilmentPlan(ctx context.Context, requestTypeID int64) ([]fulfilment.TaskTemplate, error) {
	return s.reader(ctx).fulfilPlan(requestTypeID)
}

func (c *conn) fulfilPlan(requestTypeID int64) ([]fulfilment.TaskTemplate, error) {
	rows, err := c.query(`SELECT p.name, p.description, p.team_id, tm.name, p.stage FROM fulfilment_plans p JOIN teams tm ON tm.id = p.team_id
		WHERE p.request_type_id = ? ORDER BY p.stage, p.position`, requestTypeID)
	if err != nil {
		return nil, fmt.Errorf("task plan: %w", err)
	}
	defer rows.Close()
	out := []fulfilment.TaskTemplate{}
	for rows.Next() {
		var t fulfilment.TaskTemplate
		if err := rows.Scan(&t.Name, &t.Description, &t.TeamID, &t.Team, &t.Stage); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// SetFulfilmentPlan replaces a service request type's task plan. Requests
// raised before keep the tasks they were given.
func (s *Store) SetFulfilmentPlan(ctx context.Context, actor directory.Actor, requestTypeID int64, plan []fulfilment.TaskTemplate) ([]fulfilment.TaskTemplate, error) {
	if err := changeAdminOnly(actor, "edit task plans"); err != nil {
		return nil, err
	}
	if plan == nil {
		plan = []fulfilment.TaskTemplate{}
	}
	if err := fulfilment.ValidatePlan(plan); err != nil {
		return nil, err
	}
	var out []fulfilment.TaskTemplate
	err := s.inTx(ctx, func(c *conn) error {
		rt, err := c.requestType(requestTypeID)
		if err != nil {
			return err
		}
		if rt.TicketType != string(ticket.TypeServiceRequest) && len(plan) > 0 {
			return errs.Invalid("tasks", "request type %q raises a %s; only service requests have fulfilment tasks", rt.Name, rt.TicketType)
		}
		if _, err := c.exec(`DELETE FROM fulfilment_plans WHERE request_type_id = ?`, rt.ID); err != nil {
			return err
		}
		for i, t := range plan {
			if err := c.mustExist("teams", fmt.Sprintf("tasks[%d].team", i), t.TeamID); err != nil {
				return err
			}
			if _, err := c.exec(`INSERT INTO fulfilment_plans (request_type_id, position, stage, name, description, team_id) VALUES (?, ?, ?, ?, ?, ?)`,
				rt.ID, i, t.Stage, t.Name, t.Description, t.TeamID); err != nil {
				return fmt.Errorf("task plan: %w", err)
			}
		}
		if err := c.appendEvent("request_type", rt.ID, "request_type.task_plan_set", actor, map[string]any{"tasks": plan}); err != nil {
			return err
		}
		out, err = c.fulfilPlan(rt.ID)
		return err
	})
	return out, err
}

// requestCreated starts a new service request's approval or fulfilment,
// in the transaction that raised it. CreateTicket should call it just
// after the ticket.created event (see the report of issue 6); until then
// StartRequest does it in a transaction of its own. It does nothing for
// other tickets, and nothing twice.
func (c *conn) requestCreated(t ticket.Ticket) error {
	if t.Type != ticket.TypeServiceRequest || t.RequestTypeID == 0 {
		return nil
	}
	var n int
	if err := c.row(`SELECT (SELECT COUNT(*) FROM approval_steps WHERE ticket_id = ?) + (SELECT COUNT(*) FROM fulfilment_tasks WHERE ticket_id = ?)`,
		t.ID, t.ID).Scan(&n); err != nil {
		return err
	}
	if n > 0 || t.StatusCategory == ticket.CategoryDone {
		return nil
	}
	rules, err := c.approvalRules(ApprovalRuleFilter{RequestTypeID: t.RequestTypeID, ActiveOnly: true})
	if err != nil {
		return err
	}
	if len(rules) == 0 {
		return c.fulfilStart(t)
	}
	var sets []approvalSet
	for _, r := range rules {
		set, err := c.approvalResolve(r, t, []int64{t.ServiceID}, nil)
		if err != nil {
			return err
		}
		if len(set.approvers) > 0 {
			if err := change.CheckApprovers(set.name, set.quorum, len(set.approvers)); err != nil {
				set.note = err.Error()
				set.approvers = nil
			}
		}
		sets = append(sets, set)
	}
	// A request whose approvers cannot be found still waits: its steps
	// say why, and an agent decides what to do.
	if t, err = c.changeMove(directory.System, t, "Waiting for approval", "its request type needs approval"); err != nil {
		return err
	}
	return c.approvalAddSteps(t, sets)
}

// StartRequest starts a service request's approval or fulfilment when the
// ticket was raised without it. It is safe to call more than once.
func (s *Store) StartRequest(ctx context.Context, key string) error {
	return s.inTx(ctx, func(c *conn) error {
		t, err := c.ticket(directory.System, key)
		if err != nil {
			return err
		}
		return c.requestCreated(t)
	})
}

// fulfilStart makes a request's tasks from its type's plan, moves it to
// In progress and opens the first stage. A type without a plan leaves the
// request as it is.
func (c *conn) fulfilStart(t ticket.Ticket) error {
	var n int
	if err := c.row(`SELECT COUNT(*) FROM fulfilment_tasks WHERE ticket_id = ?`, t.ID).Scan(&n); err != nil || n > 0 {
		return err
	}
	plan, err := c.fulfilPlan(t.RequestTypeID)
	if err != nil || len(plan) == 0 {
		return err
	}
	for i, p := range plan {
		if _, err := c.exec(`INSERT INTO fulfilment_tasks (ticket_id, number, stage, name, description, team_id, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?, 'waiting', ?)`, t.ID, i+1, p.Stage, p.Name, p.Description, p.TeamID, millis(c.now)); err != nil {
			return fmt.Errorf("tasks of %s: %w", t.Key, err)
		}
	}
	if err := c.appendEvent("fulfilment", t.ID, EventFulfilmentStarted, directory.System, map[string]any{"ticket": t.Key, "tasks": plan}); err != nil {
		return err
	}
	if t, err = c.changeMove(directory.System, t, "In progress", "fulfilment tasks made"); err != nil {
		return err
	}
	return c.fulfilAdvance(t)
}

// fulfilAdvance opens the tasks whose stage has come, and resolves the
// request once every task is done.
func (c *conn) fulfilAdvance(t ticket.Ticket) error {
	// Finishers of one request's tasks take turns, as deciders do: two
	// last tasks done side by side must not each see the other open.
	if _, err := c.exec(`UPDATE fulfilment_tasks SET status = status WHERE ticket_id = ?`, t.ID); err != nil {
		return err
	}
	tasks, err := c.fulfilTasks(`t.id = ?`, t.ID)
	if err != nil {
		return err
	}
	for _, i := range fulfilment.Open(tasks) {
		if _, err := c.exec(`UPDATE fulfilment_tasks SET status = 'open', opened_at = ? WHERE id = ?`, millis(c.now), tasks[i].ID); err != nil {
			return err
		}
		tasks[i].Status = fulfilment.StatusOpen
		if err := c.appendEvent("fulfilment", t.ID, EventTaskOpened, directory.System, map[string]any{
			"ticket": t.Key, "task_id": tasks[i].ID, "number": tasks[i].Number, "name": tasks[i].Name, "team_id": tasks[i].TeamID,
		}); err != nil {
			return err
		}
	}
	if !fulfilment.Complete(tasks) || t.StatusCategory == ticket.CategoryDone {
		return nil
	}
	if err := c.appendEvent("fulfilment", t.ID, EventFulfilled, directory.System, map[string]any{"ticket": t.Key}); err != nil {
		return err
	}
	_, err = c.changeMoveWith(directory.System, t, "Resolved", "Fulfilled", "", "every fulfilment task is done")
	if e, ok := errs.As(err); ok && (e.Kind == errs.KindConflict || e.Kind == errs.KindInvalid) {
		return nil // the workflow does not let Cairn resolve it from here: an agent will
	}
	return err
}

const taskColumns = `k.id, t.key, t.summary, k.number, k.name, k.description, k.stage, k.team_id, tm.name, k.status, k.note,
	COALESCE(k.done_by, 0), COALESCE(u.name, ''), k.created_at, k.opened_at, k.done_at`

const taskJoins = ` FROM fulfilment_tasks k JOIN tickets t ON t.id = k.ticket_id JOIN teams tm ON tm.id = k.team_id
	LEFT JOIN users u ON u.id = k.done_by`

// fulfilTasks reads tasks matching a condition over k (tasks) and t (tickets).
func (c *conn) fulfilTasks(cond string, args ...any) ([]fulfilment.Task, error) {
	rows, err := c.query(`SELECT `+taskColumns+taskJoins+` WHERE `+cond+` ORDER BY t.id, k.number LIMIT 1000`, args...)
	if err != nil {
		return nil, fmt.Errorf("tasks: %w", err)
	}
	defer rows.Close()
	out := []fulfilment.Task{}
	for rows.Next() {
		var k fulfilment.Task
		var status string
		var created int64
		var opened, done sql.NullInt64
		if err := rows.Scan(&k.ID, &k.Ticket, &k.Request, &k.Number, &k.Name, &k.Description, &k.Stage, &k.TeamID, &k.Team, &status, &k.Note,
			&k.DoneByID, &k.DoneBy, &created, &opened, &done); err != nil {
			return nil, err
		}
		k.Status, k.CreatedAt, k.OpenedAt, k.DoneAt = fulfilment.Status(status), fromMillis(created), approvalTime(opened), approvalTime(done)
		out = append(out, k)
	}
	return out, rows.Err()
}

// Tasks lists a request's fulfilment tasks, for those who may see the
// request and for the teams that have a task on it.
func (s *Store) Tasks(ctx context.Context, actor directory.Actor, key string) ([]fulfilment.Task, error) {
	c := s.reader(ctx)
	t, err := c.ticket(actor, key)
	if errs.Is(err, errs.KindNotFound) && len(actor.TeamIDs) > 0 {
		var n int
		t, err = c.ticket(directory.System, key)
		if err == nil {
			err = c.row(`SELECT COUNT(*) FROM fulfilment_tasks WHERE ticket_id = ? AND team_id IN (`+placeholders(len(actor.TeamIDs))+`)`,
				append([]any{t.ID}, int64Args(actor.TeamIDs)...)...).Scan(&n)
		}
		if err == nil && n == 0 {
			err = errs.NotFound("no ticket %s", strings.ToUpper(strings.TrimSpace(key)))
		}
	}
	if err != nil {
		return nil, err
	}
	return c.fulfilTasks(`t.id = ?`, t.ID)
}

// TaskFilter chooses tasks for a team's queue.
type TaskFilter struct {
	TeamIDs  []int64 // empty: the actor's teams (every team for an admin)
	Statuses []fulfilment.Status
}

// TeamTasks lists the tasks of teams: an agent's own teams, or any team
// for an admin.
func (s *Store) TeamTasks(ctx context.Context, actor directory.Actor, f TaskFilter) ([]fulfilment.Task, error) {
	if err := changeStaffOnly(actor, "work fulfilment tasks"); err != nil {
		return nil, err
	}
	teams := f.TeamIDs
	if actor.Role != directory.RoleAdmin {
		if len(teams) == 0 {
			teams = actor.TeamIDs
		}
		for _, id := range teams {
			if !slices.Contains(actor.TeamIDs, id) {
				return nil, errs.Forbidden("you are not in team %d", id)
			}
		}
		if len(teams) == 0 {
			return []fulfilment.Task{}, nil
		}
	}
	cond, args := "1=1", []any{}
	if len(teams) > 0 {
		cond = `k.team_id IN (` + placeholders(len(teams)) + `)`
		args = int64Args(teams)
	}
	if len(f.Statuses) > 0 {
		cond += ` AND k.status IN (` + placeholders(len(f.Statuses)) + `)`
		for _, st := range f.Statuses {
			args = append(args, string(st))
		}
	}
	return s.reader(ctx).fulfilTasks(cond, args...)
}

// CompleteTask marks a task done, with a note, for a member of its team
// or an admin. The next stage opens when this one is finished; the request
// is resolved when every task is done.
func (s *Store) CompleteTask(ctx context.Context, actor directory.Actor, taskID int64, note string) (fulfilment.Task, error) {
	note, err := fulfilment.CleanNote(note)
	if err != nil {
		return fulfilment.Task{}, err
	}
	var out fulfilment.Task
	err = s.inTx(ctx, func(c *conn) error {
		var ticketID, teamID int64
		var key string
		err := c.row(`SELECT k.ticket_id, k.team_id, t.key FROM fulfilment_tasks k JOIN tickets t ON t.id = k.ticket_id WHERE k.id = ?`, taskID).
			Scan(&ticketID, &teamID, &key)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.NotFound("no task %d", taskID)
		}
		if err != nil {
			return err
		}
		if actor.Role != directory.RoleAdmin && !slices.Contains(actor.TeamIDs, teamID) {
			if _, err := c.ticket(actor, key); err != nil {
				return errs.NotFound("no task %d", taskID)
			}
			return errs.Forbidden("only the task's team may complete it")
		}
		t, err := c.ticket(directory.System, key)
		if err != nil {
			return err
		}
		if _, err := c.exec(`UPDATE fulfilment_tasks SET status = status WHERE ticket_id = ?`, t.ID); err != nil {
			return err
		}
		tasks, err := c.fulfilTasks(`k.id = ?`, taskID)
		if err != nil {
			return err
		}
		k := tasks[0]
		switch {
		case k.Status == fulfilment.StatusWaiting:
			return errs.Conflict("task_not_open", "task %d is in stage %d, which opens when the stages before it are done", k.Number, k.Stage)
		case k.Status.Finished():
			return errs.Conflict("task_finished", "task %d is %s already", k.Number, k.Status)
		case t.StatusCategory == ticket.CategoryDone:
			return errs.Conflict("task_finished", "%s is %s: its tasks are over", t.Key, t.Status)
		}
		if _, err := c.exec(`UPDATE fulfilment_tasks SET status = 'done', note = ?, done_by = ?, done_at = ? WHERE id = ?`,
			note, nullID(actor.UserID), millis(c.now), taskID); err != nil {
			return fmt.Errorf("complete task: %w", err)
		}
		if err := c.appendEvent("fulfilment", t.ID, EventTaskDone, actor, map[string]any{
			"ticket": t.Key, "task_id": taskID, "number": k.Number, "name": k.Name, "note": note,
		}); err != nil {
			return err
		}
		if err := c.fulfilAdvance(t); err != nil {
			return err
		}
		tasks, err = c.fulfilTasks(`k.id = ?`, taskID)
		if err != nil {
			return err
		}
		out = tasks[0]
		return nil
	})
	return out, err
}
