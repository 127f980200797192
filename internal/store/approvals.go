package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/change"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// One approval engine serves changes and service requests. When a ticket
// asks for approval, each rule that applies becomes a step with its
// approvers resolved there and then; a step is decided by its quorum
// (change.Tally), the ticket by all its steps (change.Combine). The
// decision that settles it moves the ticket on in the same transaction,
// as Cairn: a change to Scheduled or Declined, a request to In progress
// (and its fulfilment tasks) or Canceled.

// Approval is one approver's part in a step.
type Approval struct {
	ID         int64           `json:"id"`
	ApproverID int64           `json:"approver_id"`
	Approver   string          `json:"approver"`
	Status     change.Decision `json:"status"`
	Comment    string          `json:"comment,omitempty"`
	DecidedAt  *time.Time      `json:"decided_at,omitempty"`
}

// ApprovalStep is one rule applied to a ticket.
type ApprovalStep struct {
	ID            int64           `json:"id"`
	Name          string          `json:"name"`
	Quorum        change.Quorum   `json:"quorum"`
	Needed        int             `json:"needed"` // approvals that reach the quorum
	DeclineVetoes bool            `json:"decline_vetoes"`
	Status        change.Decision `json:"status"`
	Note          string          `json:"note,omitempty"` // why it was canceled
	CreatedAt     time.Time       `json:"created_at"`
	DecidedAt     *time.Time      `json:"decided_at,omitempty"`
	Approvals     []Approval      `json:"approvals"`
}

// ApprovalState is where a ticket's approval stands.
type ApprovalState struct {
	// Decision is the whole approval: pending, approved or declined; empty
	// when approval was never asked for, canceled when every step was.
	Decision change.Decision `json:"decision,omitempty"`
	Steps    []ApprovalStep  `json:"steps"`
}

// Pending lists the approvals of user id still waiting for a decision.
func (a ApprovalState) Pending(userID int64) []Approval {
	var out []Approval
	for _, st := range a.Steps {
		for _, ap := range st.Approvals {
			if ap.ApproverID == userID && ap.Status == change.Pending && st.Status == change.Pending {
				out = append(out, ap)
			}
		}
	}
	return out
}

// The event types of approvals, on stream "approval" (id: the ticket's).
const (
	EventApprovalRequested = "approval.requested"
	EventApprovalDecided   = "approval.decided"
	EventApprovalSettled   = "approval.settled"
	EventApprovalUnmoved   = "approval.unmoved"
)

// approvalSet is one step to be made: a rule and the approvers it found.
type approvalSet struct {
	ruleID    int64
	name      string
	quorum    change.Quorum
	veto      bool
	approvers []int64
	note      string // why nobody was found
}

// approvalPending reports whether a ticket has a step waiting for decisions.
func (c *conn) approvalPending(ticketID int64) (bool, error) {
	var n int
	err := c.row(`SELECT COUNT(*) FROM approval_steps WHERE ticket_id = ? AND status = 'pending'`, ticketID).Scan(&n)
	return n > 0, err
}

// approvalCancelPending withdraws a ticket's pending steps and approvals.
func (c *conn) approvalCancelPending(ticketID int64, note string) error {
	if _, err := c.exec(`UPDATE approvals SET status = 'canceled', decided_at = ? WHERE ticket_id = ? AND status = 'pending'`, millis(c.now), ticketID); err != nil {
		return fmt.Errorf("cancel approvals: %w", err)
	}
	if _, err := c.exec(`UPDATE approval_steps SET status = 'canceled', note = ?, decided_at = ? WHERE ticket_id = ? AND status = 'pending'`, note, millis(c.now), ticketID); err != nil {
		return fmt.Errorf("cancel approval steps: %w", err)
	}
	return nil
}

// requestChangeApprovals makes the approval steps of a submitted change:
// one per rule that applies to its type and risk, or, when none does, one
// for the owner team of its service. Steps pending from an earlier
// submission are withdrawn. A step that finds too few approvers refuses
// the submission, naming the rule.
func (c *conn) requestChangeApprovals(t ticket.Ticket, rec ChangeRecord, reach changeReach) error {
	if err := c.approvalCancelPending(t.ID, "withdrawn: the change was submitted again"); err != nil {
		return err
	}
	rules, err := c.approvalRules(ApprovalRuleFilter{Changes: true})
	if err != nil {
		return err
	}
	var level change.Level
	if rec.Risk != nil {
		level = rec.Risk.Level
	}
	var sets []approvalSet
	for _, r := range rules {
		if !r.AppliesToChange(rec.Type, level) {
			continue
		}
		set, err := c.approvalResolve(r, t, rec.ServiceIDs, reach.ciOwners)
		if err != nil {
			return err
		}
		set.quorum = change.EffectiveQuorum(rec.Type, r.Quorum)
		sets = append(sets, set)
	}
	if len(sets) == 0 {
		svc, err := c.service(t.ServiceID)
		if err != nil {
			return err
		}
		fallback := change.Rule{Name: "Owner team of " + svc.Name, Approver: change.ApproverServiceOwner, Quorum: change.Quorum{Kind: change.QuorumAny}, DeclineVetoes: true}
		set, err := c.approvalResolve(fallback, t, []int64{t.ServiceID}, nil)
		if err != nil {
			return err
		}
		if svc.OwnerTeamID == 0 {
			set.note = "no approval rule applies and the service has no owner team; an admin should add an approval rule"
		}
		sets = append(sets, set)
	}
	for _, set := range sets {
		if err := change.CheckApprovers(set.name, set.quorum, len(set.approvers)); err != nil {
			if e, ok := errs.As(err); ok && set.note != "" {
				e.Message += ": " + set.note
			}
			return err
		}
	}
	return c.approvalAddSteps(t, sets)
}

// approvalAddSteps writes the steps and their approvers. A step without
// approvers is written canceled, with the reason.
func (c *conn) approvalAddSteps(t ticket.Ticket, sets []approvalSet) error {
	var summary []map[string]any
	for _, set := range sets {
		status := change.Pending
		if len(set.approvers) == 0 {
			status = change.Canceled
		}
		var decided any
		if status != change.Pending {
			decided = millis(c.now)
		}
		id, err := c.insert(`INSERT INTO approval_steps (ticket_id, rule_id, name, quorum, quorum_count, decline_vetoes, status, note, created_at, decided_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.ID, nullID(set.ruleID), set.name, string(set.quorum.Kind), set.quorum.Count, set.veto,
			string(status), set.note, millis(c.now), decided)
		if err != nil {
			return fmt.Errorf("approval step for %s: %w", t.Key, err)
		}
		for _, uid := range set.approvers {
			if _, err := c.exec(`INSERT INTO approvals (step_id, ticket_id, approver_id, status, created_at) VALUES (?, ?, ?, 'pending', ?)`,
				id, t.ID, uid, millis(c.now)); err != nil {
				return fmt.Errorf("approval for %s: %w", t.Key, err)
			}
		}
		summary = append(summary, map[string]any{"step_id": id, "name": set.name, "quorum": set.quorum, "approver_ids": set.approvers, "note": set.note})
	}
	return c.appendEvent("approval", t.ID, EventApprovalRequested, directory.System, map[string]any{"ticket": t.Key, "steps": summary})
}

// approvalResolve finds the approvers of a rule for a ticket: active
// users, never the ticket's reporter (nobody approves their own change or
// request). serviceIDs are the services whose owners approve, ciOwners the
// owner teams of the change's CIs.
func (c *conn) approvalResolve(r change.Rule, t ticket.Ticket, serviceIDs, ciOwners []int64) (approvalSet, error) {
	set := approvalSet{ruleID: r.ID, name: r.Name, quorum: r.Quorum, veto: r.DeclineVetoes}
	var teams, users []int64
	switch r.Approver {
	case change.ApproverTeam:
		teams = []int64{r.TeamID}
	case change.ApproverServiceOwner:
		if len(serviceIDs) > 0 {
			ids, err := c.ids(`SELECT DISTINCT owner_team_id FROM services WHERE owner_team_id IS NOT NULL AND id IN (`+placeholders(len(serviceIDs))+`)`, int64Args(serviceIDs)...)
			if err != nil {
				return set, err
			}
			teams = ids
		}
		if len(teams) == 0 {
			set.note = "the services have no owner team"
		}
	case change.ApproverCIOwner:
		teams = ciOwners
		if len(teams) == 0 {
			set.note = "the change names no CI with an owner team"
		}
	case change.ApproverUsers:
		users = r.UserIDs
	case change.ApproverField:
		id, ok := approvalFieldUser(t.Fields[r.FieldKey])
		if !ok {
			set.note = fmt.Sprintf("the request's form names nobody in %q", r.FieldKey)
		} else {
			users = []int64{id}
		}
	}
	if len(teams) > 0 {
		ids, err := c.ids(`SELECT DISTINCT tm.user_id FROM team_members tm JOIN users u ON u.id = tm.user_id
			WHERE u.active AND tm.team_id IN (`+placeholders(len(teams))+`)`, int64Args(teams)...)
		if err != nil {
			return set, err
		}
		users = append(users, ids...)
		if len(ids) == 0 {
			set.note = "the approving team has no active members"
		}
	}
	if len(users) > 0 {
		ids, err := c.ids(`SELECT id FROM users WHERE active AND id IN (`+placeholders(len(users))+`) ORDER BY id`, int64Args(users)...)
		if err != nil {
			return set, err
		}
		for _, id := range ids {
			if id != t.ReporterID {
				set.approvers = append(set.approvers, id)
			}
		}
		if len(set.approvers) == 0 && set.note == "" {
			set.note = "nobody but the requester could approve it"
		}
	}
	slices.Sort(set.approvers)
	set.approvers = slices.Compact(set.approvers)
	return set, nil
}

// approvalFieldUser reads a user field's stored value: a user id.
func approvalFieldUser(v any) (int64, bool) {
	switch x := v.(type) {
	case float64:
		return int64(x), x > 0 && x == float64(int64(x))
	case int64:
		return x, x > 0
	case int:
		return int64(x), x > 0
	case json.Number:
		n, err := x.Int64()
		return n, err == nil && n > 0
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		return n, err == nil && n > 0
	}
	return 0, false
}

// approvalState reads every approval step of a ticket, oldest first.
func (c *conn) approvalState(t ticket.Ticket) (ApprovalState, error) {
	st := ApprovalState{Steps: []ApprovalStep{}}
	rows, err := c.query(`SELECT id, name, quorum, quorum_count, decline_vetoes, status, note, created_at, decided_at
		FROM approval_steps WHERE ticket_id = ? ORDER BY id`, t.ID)
	if err != nil {
		return st, fmt.Errorf("approvals of %s: %w", t.Key, err)
	}
	byID := map[int64]int{}
	for rows.Next() {
		var s ApprovalStep
		var kind, status string
		var created int64
		var decided sql.NullInt64
		if err := rows.Scan(&s.ID, &s.Name, &kind, &s.Quorum.Count, &s.DeclineVetoes, &status, &s.Note, &created, &decided); err != nil {
			rows.Close()
			return st, err
		}
		s.Quorum.Kind, s.Status, s.CreatedAt, s.DecidedAt = change.QuorumKind(kind), change.Decision(status), fromMillis(created), approvalTime(decided)
		s.Approvals = []Approval{}
		byID[s.ID] = len(st.Steps)
		st.Steps = append(st.Steps, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(st.Steps) == 0 {
		return st, err
	}
	rows, err = c.query(`SELECT a.id, a.step_id, a.approver_id, u.name, a.status, a.comment, a.decided_at
		FROM approvals a JOIN users u ON u.id = a.approver_id WHERE a.ticket_id = ? ORDER BY a.step_id, lower(u.name), a.id`, t.ID)
	if err != nil {
		return st, fmt.Errorf("approvals of %s: %w", t.Key, err)
	}
	defer rows.Close()
	for rows.Next() {
		var a Approval
		var stepID int64
		var status string
		var decided sql.NullInt64
		if err := rows.Scan(&a.ID, &stepID, &a.ApproverID, &a.Approver, &status, &a.Comment, &decided); err != nil {
			return st, err
		}
		a.Status, a.DecidedAt = change.Decision(status), approvalTime(decided)
		i := byID[stepID]
		st.Steps[i].Approvals = append(st.Steps[i].Approvals, a)
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	var live []change.Decision
	for i := range st.Steps {
		s := &st.Steps[i]
		s.Needed = s.Quorum.Needed(len(s.Approvals))
		if s.Status != change.Canceled {
			live = append(live, s.Status)
		}
	}
	st.Decision = change.Canceled
	if len(live) > 0 {
		st.Decision = change.Combine(live)
	}
	return st, nil
}

func approvalTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMillis(v.Int64)
	return &t
}

// approvalTicket reads a ticket for one of its approvers or for someone
// who may see it. Others get not found; those who may see it but hold no
// approval on it, forbidden when approver is required.
func (c *conn) approvalTicket(actor directory.Actor, key string) (ticket.Ticket, bool, error) {
	t, err := c.ticket(directory.System, key)
	if err != nil {
		return t, false, err
	}
	var n int
	if err := c.row(`SELECT COUNT(*) FROM approvals WHERE ticket_id = ? AND approver_id = ?`, t.ID, actor.UserID).Scan(&n); err != nil {
		return t, false, err
	}
	if n > 0 {
		return t, true, nil
	}
	if _, err := c.ticket(actor, key); err != nil {
		return t, false, err
	}
	return t, false, nil
}

// Approvals reads a ticket's approval, for its approvers and for those
// who may see the ticket.
func (s *Store) Approvals(ctx context.Context, actor directory.Actor, key string) (ApprovalState, error) {
	c := s.reader(ctx)
	t, _, err := c.approvalTicket(actor, key)
	if err != nil {
		return ApprovalState{}, err
	}
	return c.approvalState(t)
}

// MaxApprovalComment is the longest comment an approver may give.
const MaxApprovalComment = 4000

// Decide records the actor's approval or decline of a ticket: all their
// pending approvals on it at once (they may sit in several steps). A
// decline needs a comment. The decision is also a comment on the ticket
// (an internal note on a change). When it settles the approval, the
// ticket moves on in the same transaction, as Cairn.
func (s *Store) Decide(ctx context.Context, actor directory.Actor, key string, vote change.Decision, comment string) (ApprovalState, error) {
	if vote != change.Approved && vote != change.Declined {
		return ApprovalState{}, errs.Invalid("decision", "must be approve or decline")
	}
	comment = strings.TrimSpace(comment)
	if len(comment) > MaxApprovalComment {
		return ApprovalState{}, errs.Invalid("comment", "must be at most %d bytes", MaxApprovalComment)
	}
	if vote == change.Declined && comment == "" {
		return ApprovalState{}, &errs.Error{Kind: errs.KindInvalid, Code: "required_field", Field: "comment", Message: "is required to decline: say why"}
	}
	var out ApprovalState
	err := s.inTx(ctx, func(c *conn) error {
		t, approver, err := c.approvalTicket(actor, key)
		if err != nil {
			return err
		}
		if !approver {
			return errs.Forbidden("you are not an approver of %s", t.Key)
		}
		// Deciders of one ticket take turns: without this, two last
		// approvals committed side by side on PostgreSQL would each count
		// the other as pending, and nobody would move the ticket on.
		if _, err := c.exec(`UPDATE approval_steps SET status = status WHERE ticket_id = ? AND status = 'pending'`, t.ID); err != nil {
			return err
		}
		ids, err := c.ids(`SELECT a.id FROM approvals a JOIN approval_steps st ON st.id = a.step_id
			WHERE a.ticket_id = ? AND a.approver_id = ? AND a.status = 'pending' AND st.status = 'pending' ORDER BY a.id`, t.ID, actor.UserID)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return errs.Conflict("approval_not_pending", "you have no approval of %s waiting for a decision: it was decided already", t.Key)
		}
		if t.StatusCategory == ticket.CategoryDone {
			return errs.Conflict("approval_not_pending", "%s is %s: its approval is no longer needed", t.Key, t.Status)
		}
		in := placeholders(len(ids))
		if _, err := c.exec(`UPDATE approvals SET status = ?, comment = ?, decided_at = ? WHERE id IN (`+in+`)`,
			append([]any{string(vote), comment, millis(c.now)}, int64Args(ids)...)...); err != nil {
			return fmt.Errorf("decide %s: %w", t.Key, err)
		}
		steps, err := c.ids(`SELECT DISTINCT step_id FROM approvals WHERE id IN (`+in+`)`, int64Args(ids)...)
		if err != nil {
			return err
		}
		for _, id := range steps {
			if err := c.approvalTally(id); err != nil {
				return err
			}
		}
		state, err := c.approvalState(t)
		if err != nil {
			return err
		}
		if err := c.appendEvent("approval", t.ID, EventApprovalDecided, actor, map[string]any{
			"ticket": t.Key, "decision": vote, "comment": comment, "approval_ids": ids, "settled": state.Decision,
		}); err != nil {
			return err
		}
		body := "Approved."
		if vote == change.Declined {
			body = "Declined."
		}
		if comment != "" {
			body = strings.TrimSuffix(body, ".") + ": " + comment
		}
		if _, err := c.addComment(actor, t, body, t.Type == ticket.TypeChange && actor.Role.Staff()); err != nil {
			return err
		}
		if state.Decision == change.Approved || state.Decision == change.Declined {
			if err := c.approvalSettle(t, state.Decision); err != nil {
				return err
			}
		}
		out, err = c.approvalState(t)
		return err
	})
	return out, err
}

// approvalTally decides a step from its votes, withdrawing the approvals
// it no longer needs.
func (c *conn) approvalTally(stepID int64) error {
	var kind string
	var count int
	var veto bool
	if err := c.row(`SELECT quorum, quorum_count, decline_vetoes FROM approval_steps WHERE id = ? AND status = 'pending'`, stepID).
		Scan(&kind, &count, &veto); errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return err
	}
	var m, approved, declined int
	err := c.row(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 'approved' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'declined' THEN 1 ELSE 0 END), 0) FROM approvals WHERE step_id = ?`, stepID).Scan(&m, &approved, &declined)
	if err != nil {
		return err
	}
	d := change.Tally(change.Quorum{Kind: change.QuorumKind(kind), Count: count}, m, approved, declined, veto)
	if d == change.Pending {
		return nil
	}
	if _, err := c.exec(`UPDATE approval_steps SET status = ?, decided_at = ? WHERE id = ?`, string(d), millis(c.now), stepID); err != nil {
		return err
	}
	_, err = c.exec(`UPDATE approvals SET status = 'canceled', decided_at = ? WHERE step_id = ? AND status = 'pending'`, millis(c.now), stepID)
	return err
}

// approvalSettle moves a ticket on once its approval is decided. Should
// the workflow (edited by an admin) not let Cairn take the move, the
// decision still stands: the event says why, and agents move it by hand.
func (c *conn) approvalSettle(t ticket.Ticket, d change.Decision) error {
	if d == change.Declined {
		if err := c.approvalCancelPending(t.ID, "withdrawn: another step declined"); err != nil {
			return err
		}
	}
	var err error
	switch {
	case t.Type == ticket.TypeChange && d == change.Approved:
		_, err = c.changeMove(directory.System, t, change.StatusScheduled, "approved: every approval step reached its quorum")
	case t.Type == ticket.TypeChange:
		_, err = c.changeMoveWith(directory.System, t, change.StatusDeclined, "Declined", "", "declined by its approvers")
	case d == change.Approved:
		if t, err = c.changeMove(directory.System, t, "In progress", "approved: every approval step reached its quorum"); err == nil {
			err = c.fulfilStart(t)
		}
	default:
		_, err = c.changeMoveWith(directory.System, t, "Canceled", "Declined", "", "declined by its approvers")
	}
	if e, ok := errs.As(err); ok && (e.Kind == errs.KindConflict || e.Kind == errs.KindInvalid) {
		return c.appendEvent("approval", t.ID, EventApprovalUnmoved, directory.System, map[string]any{"ticket": t.Key, "decision": d, "reason": e.Message})
	}
	if err != nil {
		return err
	}
	return c.appendEvent("approval", t.ID, EventApprovalSettled, directory.System, map[string]any{"ticket": t.Key, "decision": d})
}

// beforeTransition is what approvals and fulfilment ask of every move of
// a ticket, in its transaction:
//   - while approval steps are pending, only Cairn (settling them) moves
//     the ticket on; people may still cancel it (a done status), but not
//     decline a change by hand;
//   - a ticket that reaches a done status withdraws its pending approvals
//     and cancels its unfinished fulfilment tasks.
//
// Store.Transition should call it (see the report of issue 6); the moves
// of this package do.
func (c *conn) beforeTransition(actor directory.Actor, t ticket.Ticket, to ticket.Status) error {
	pending, err := c.approvalPending(t.ID)
	if err != nil {
		return err
	}
	system := actor.UserID == 0
	if pending && !system && !strings.EqualFold(to.Name, t.Status) {
		if to.Category != ticket.CategoryDone || (t.Type == ticket.TypeChange && strings.EqualFold(to.Name, change.StatusDeclined)) {
			return errs.Conflict("approval_pending", "%s is waiting for its approvers: their decision moves it on", t.Key)
		}
	}
	if to.Category != ticket.CategoryDone {
		return nil
	}
	if pending {
		if err := c.approvalCancelPending(t.ID, "withdrawn: the ticket was "+strings.ToLower(to.Name)+" first"); err != nil {
			return err
		}
	}
	_, err = c.exec(`UPDATE fulfilment_tasks SET status = 'canceled', done_at = ? WHERE ticket_id = ? AND status IN ('waiting', 'open')`, millis(c.now), t.ID)
	return err
}

// CheckTransition is beforeTransition for Store.Transition: it guards a
// move of ticket key to the status named, in its own transaction. It is
// exported for the web and API layers, which may call it before a plain
// transition until the store's Transition calls beforeTransition itself.
func (s *Store) CheckTransition(ctx context.Context, actor directory.Actor, key, to string) error {
	c := s.reader(ctx)
	t, err := c.ticket(actor, key)
	if err != nil {
		return err
	}
	wf, err := c.workflow(t.WorkflowID)
	if err != nil {
		return err
	}
	tr, err := wf.Find(t.Status, actor.Role, to)
	if err != nil {
		return err
	}
	st, err := statusOf(wf, tr.To)
	if err != nil {
		return err
	}
	pending, err := c.approvalPending(t.ID)
	if err != nil || !pending || actor.UserID == 0 || strings.EqualFold(st.Name, t.Status) {
		return err
	}
	if st.Category != ticket.CategoryDone || (t.Type == ticket.TypeChange && strings.EqualFold(st.Name, change.StatusDeclined)) {
		return errs.Conflict("approval_pending", "%s is waiting for its approvers: their decision moves it on", t.Key)
	}
	return nil
}

// PendingApproval is an approval waiting for its approver, with what they
// need to decide.
type PendingApproval struct {
	ID        int64         `json:"id"`
	Ticket    ticket.Ticket `json:"ticket"`
	Step      string        `json:"step"`
	Quorum    string        `json:"quorum"` // "any one of 4", "2 of 3"
	Change    *ChangeRecord `json:"change,omitempty"`
	Link      string        `json:"link"` // the one-click link, /approve/<token>
	Expires   time.Time     `json:"link_expires"`
	CreatedAt time.Time     `json:"created_at"`
}

// MyApprovals lists the approvals waiting for the actor, oldest first,
// each with its one-click link.
func (s *Store) MyApprovals(ctx context.Context, actor directory.Actor) ([]PendingApproval, error) {
	secret, err := s.approvalSecret(ctx)
	if err != nil {
		return nil, err
	}
	c := s.reader(ctx)
	// ap, not a: ticketJoins names the assignee a.
	rows, err := c.query(`SELECT `+ticketColumns+`, ap.id, ap.created_at, st.id, st.name, st.quorum, st.quorum_count`+ticketJoins+`
		JOIN approvals ap ON ap.ticket_id = t.id JOIN approval_steps st ON st.id = ap.step_id
		WHERE ap.approver_id = ? AND ap.status = 'pending' AND st.status = 'pending' ORDER BY ap.id LIMIT 500`, actor.UserID)
	if err != nil {
		return nil, fmt.Errorf("my approvals: %w", err)
	}
	out := []PendingApproval{}
	var steps []int64
	for rows.Next() {
		var p PendingApproval
		var created, stepID int64
		var q change.Quorum
		var kind string
		t, err := scanTicket(changeScanner{rows, []any{&p.ID, &created, &stepID, &p.Step, &kind, &q.Count}})
		if err != nil {
			rows.Close()
			return nil, err
		}
		q.Kind = change.QuorumKind(kind)
		p.Ticket, p.CreatedAt, p.Quorum = t, fromMillis(created), q.Describe(0)
		out = append(out, p)
		steps = append(steps, stepID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.approvalDetails(c, secret, out, steps)
}

// approvalDetails fills in the quorum over the step's approvers, the
// change record and the link of pending approvals.
func (s *Store) approvalDetails(c *conn, secret []byte, ps []PendingApproval, steps []int64) error {
	for i := range ps {
		p := &ps[i]
		var m int
		var kind string
		var q change.Quorum
		if err := c.row(`SELECT (SELECT COUNT(*) FROM approvals WHERE step_id = st.id), st.quorum, st.quorum_count FROM approval_steps st WHERE st.id = ?`, steps[i]).
			Scan(&m, &kind, &q.Count); err != nil {
			return err
		}
		q.Kind = change.QuorumKind(kind)
		p.Quorum = q.Describe(m)
		if p.Ticket.Type == ticket.TypeChange {
			rec, err := c.changeRecord(p.Ticket)
			if err != nil {
				return err
			}
			p.Change = &rec
		}
		p.Expires = c.now.Add(change.LinkLifetime).Truncate(time.Second)
		p.Link = "/approve/" + change.SignLink(secret, p.ID, p.Expires)
	}
	return nil
}

// LinkApproval is what a one-click link leads to.
type LinkApproval struct {
	PendingApproval
	Approver directory.User  `json:"approver"`
	Status   change.Decision `json:"status"` // the approval's; pending unless decided or withdrawn
}

// ApprovalByLink reads the approval a one-click link is for. A bad or
// expired link answers not found.
func (s *Store) ApprovalByLink(ctx context.Context, token string) (LinkApproval, error) {
	secret, err := s.approvalSecret(ctx)
	if err != nil {
		return LinkApproval{}, err
	}
	c := s.reader(ctx)
	id, err := change.VerifyLink(secret, token, c.now)
	if err != nil {
		return LinkApproval{}, err
	}
	var la LinkApproval
	var created, stepID, approverID int64
	var status string
	t, err := scanTicket(changeScanner{c.row(`SELECT `+ticketColumns+`, ap.created_at, ap.step_id, st.name, ap.approver_id, ap.status`+ticketJoins+`
		JOIN approvals ap ON ap.ticket_id = t.id JOIN approval_steps st ON st.id = ap.step_id WHERE ap.id = ?`, id),
		[]any{&created, &stepID, &la.Step, &approverID, &status}})
	if errors.Is(err, sql.ErrNoRows) {
		return la, errs.NotFound("this approval link is not valid")
	}
	if err != nil {
		return la, err
	}
	la.ID, la.Ticket, la.CreatedAt, la.Status = id, t, fromMillis(created), change.Decision(status)
	if la.Approver, err = c.user(approverID); err != nil {
		return la, err
	}
	if !la.Approver.Active {
		return la, errs.NotFound("this approval link is not valid")
	}
	ps := []PendingApproval{la.PendingApproval}
	if err := s.approvalDetails(c, secret, ps, []int64{stepID}); err != nil {
		return la, err
	}
	la.PendingApproval = ps[0]
	la.Link = "/approve/" + token
	return la, nil
}

// DecideByLink decides the approval a one-click link is for, as its
// approver.
func (s *Store) DecideByLink(ctx context.Context, token string, vote change.Decision, comment string) (LinkApproval, error) {
	la, err := s.ApprovalByLink(ctx, token)
	if err != nil {
		return la, err
	}
	actor, err := s.Actor(ctx, la.Approver)
	if err != nil {
		return la, err
	}
	if _, err := s.Decide(ctx, actor, la.Ticket.Key, vote, comment); err != nil {
		return la, err
	}
	return s.ApprovalByLink(ctx, token)
}

// approvalSecret is the key one-click links are signed with: made on
// first use and kept in the database, so that every process of a cluster
// signs and checks alike. Rotating it (deleting the setting) voids every
// link given out.
func (s *Store) approvalSecret(ctx context.Context) ([]byte, error) {
	var hexKey string
	found, err := s.reader(ctx).changeSetting("approval_link_secret", &hexKey)
	if err != nil {
		return nil, err
	}
	if !found {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		raw, _ := json.Marshal(hex.EncodeToString(b))
		err := s.inTx(ctx, func(c *conn) error {
			_, err := c.exec(`INSERT INTO change_settings (key, value, updated_at) VALUES ('approval_link_secret', ?, ?) ON CONFLICT (key) DO NOTHING`,
				string(raw), millis(c.now))
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("approval link secret: %w", err)
		}
		if _, err := s.reader(ctx).changeSetting("approval_link_secret", &hexKey); err != nil {
			return nil, err
		}
	}
	key, err := hex.DecodeString(hexKey)
	if err != nil || len(key) < 16 {
		return nil, fmt.Errorf("approval link secret: malformed")
	}
	return key, nil
}

// Approval rules.

// ApprovalRuleFilter chooses rules: a request type's, or the change rules.
type ApprovalRuleFilter struct {
	RequestTypeID int64
	Changes       bool // change rules only; otherwise every rule unless RequestTypeID is set
	ActiveOnly    bool
}

const ruleColumns = `id, name, COALESCE(request_type_id, 0), change_types, min_risk, approver, COALESCE(team_id, 0), user_ids, field_key,
	quorum, quorum_count, decline_vetoes, active, position, created_at, updated_at`

func scanRule(sc interface{ Scan(...any) error }) (change.Rule, error) {
	var r change.Rule
	var types, minRisk, approver, users, quorum string
	var created, updated int64
	err := sc.Scan(&r.ID, &r.Name, &r.RequestTypeID, &types, &minRisk, &approver, &r.TeamID, &users, &r.FieldKey,
		&quorum, &r.Quorum.Count, &r.DeclineVetoes, &r.Active, &r.Position, &created, &updated)
	if err != nil {
		return r, err
	}
	r.MinRisk, r.Approver, r.Quorum.Kind = change.Level(minRisk), change.ApproverKind(approver), change.QuorumKind(quorum)
	r.CreatedAt, r.UpdatedAt = fromMillis(created), fromMillis(updated)
	if err := json.Unmarshal([]byte(types), &r.ChangeTypes); err != nil {
		return r, fmt.Errorf("rule %d: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(users), &r.UserIDs); err != nil {
		return r, fmt.Errorf("rule %d: %w", r.ID, err)
	}
	return r, nil
}

func (c *conn) approvalRules(f ApprovalRuleFilter) ([]change.Rule, error) {
	q := `SELECT ` + ruleColumns + ` FROM approval_rules WHERE 1=1`
	var args []any
	switch {
	case f.RequestTypeID != 0:
		q += ` AND request_type_id = ?`
		args = append(args, f.RequestTypeID)
	case f.Changes:
		q += ` AND request_type_id IS NULL`
	}
	if f.ActiveOnly {
		q += ` AND active`
	}
	rows, err := c.query(q+` ORDER BY position, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("approval rules: %w", err)
	}
	defer rows.Close()
	out := []change.Rule{}
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ApprovalRules lists approval rules in the order they are applied.
func (s *Store) ApprovalRules(ctx context.Context, f ApprovalRuleFilter) ([]change.Rule, error) {
	return s.reader(ctx).approvalRules(f)
}

// SaveApprovalRule adds a rule (ID 0) or replaces one. A request type's
// rule needs a service request type; a field rule, a user field of its
// form. Steps already made keep the quorum they were made with.
func (s *Store) SaveApprovalRule(ctx context.Context, actor directory.Actor, r change.Rule) (change.Rule, error) {
	if err := changeAdminOnly(actor, "edit approval rules"); err != nil {
		return r, err
	}
	if err := r.Validate(); err != nil {
		return r, err
	}
	err := s.inTx(ctx, func(c *conn) error {
		if r.RequestTypeID != 0 {
			rt, err := c.requestType(r.RequestTypeID)
			if errs.Is(err, errs.KindNotFound) {
				return errs.Invalid("request_type", "no request type with id %d", r.RequestTypeID)
			}
			if err != nil {
				return err
			}
			if rt.TicketType != string(ticket.TypeServiceRequest) {
				return errs.Invalid("request_type", "request type %q raises a %s; only service requests wait for approval", rt.Name, rt.TicketType)
			}
			if r.Approver == change.ApproverField && !slices.ContainsFunc(rt.Fields, func(f catalog.Field) bool { return f.Key == r.FieldKey && f.Type == catalog.FieldUser }) {
				return errs.Invalid("field_key", "the form of %q has no user field %q", rt.Name, r.FieldKey)
			}
		}
		if r.TeamID != 0 {
			if err := c.mustExist("teams", "team", r.TeamID); err != nil {
				return err
			}
		}
		for i, id := range r.UserIDs {
			if err := c.mustExist("users", fmt.Sprintf("users[%d]", i), id); err != nil {
				return err
			}
		}
		types, _ := json.Marshal(r.ChangeTypes)
		users, _ := json.Marshal(r.UserIDs)
		args := []any{r.Name, nullID(r.RequestTypeID), string(types), string(r.MinRisk), string(r.Approver), nullID(r.TeamID), string(users), r.FieldKey,
			string(r.Quorum.Kind), r.Quorum.Count, r.DeclineVetoes, r.Active, r.Position, millis(c.now)}
		if r.ID == 0 {
			var err error
			r.CreatedAt = c.now
			r.ID, err = c.insert(`INSERT INTO approval_rules (name, request_type_id, change_types, min_risk, approver, team_id, user_ids, field_key,
				quorum, quorum_count, decline_vetoes, active, position, updated_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				append(args, millis(c.now))...)
			if err != nil {
				return fmt.Errorf("create approval rule: %w", err)
			}
		} else {
			var created int64
			if err := c.row(`SELECT created_at FROM approval_rules WHERE id = ?`, r.ID).Scan(&created); errors.Is(err, sql.ErrNoRows) {
				return errs.NotFound("no approval rule with id %d", r.ID)
			} else if err != nil {
				return err
			}
			r.CreatedAt = fromMillis(created)
			if _, err := c.exec(`UPDATE approval_rules SET name = ?, request_type_id = ?, change_types = ?, min_risk = ?, approver = ?, team_id = ?,
				user_ids = ?, field_key = ?, quorum = ?, quorum_count = ?, decline_vetoes = ?, active = ?, position = ?, updated_at = ? WHERE id = ?`,
				append(args, r.ID)...); err != nil {
				return fmt.Errorf("update approval rule: %w", err)
			}
		}
		r.UpdatedAt = c.now
		return c.appendEvent("approval_rule", r.ID, "approval_rule.saved", actor, r)
	})
	return r, err
}

// DeleteApprovalRule removes a rule; steps made from it stay as they are.
func (s *Store) DeleteApprovalRule(ctx context.Context, actor directory.Actor, id int64) error {
	if err := changeAdminOnly(actor, "edit approval rules"); err != nil {
		return err
	}
	return s.inTx(ctx, func(c *conn) error {
		if _, err := c.exec(`UPDATE approval_steps SET rule_id = NULL WHERE rule_id = ?`, id); err != nil {
			return err
		}
		res, err := c.exec(`DELETE FROM approval_rules WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete approval rule: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.NotFound("no approval rule with id %d", id)
		}
		return c.appendEvent("approval_rule", id, "approval_rule.deleted", actor, map[string]any{"id": id})
	})
}
