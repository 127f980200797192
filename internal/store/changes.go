package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/change"
	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// Change records live beside change tickets (table changes). A change
// ticket raised through the generic ticket API has no record until its
// change details are first written; it reads as an unplanned normal change.

// ChangeRecord is what a change adds to its ticket.
type ChangeRecord struct {
	Key                string             `json:"key"`
	Type               change.Type        `json:"type"`
	TemplateID         int64              `json:"template_id,omitempty"`
	Template           string             `json:"template,omitempty"`
	PlannedStart       *time.Time         `json:"planned_start,omitempty"`
	PlannedEnd         *time.Time         `json:"planned_end,omitempty"`
	ImplementationPlan string             `json:"implementation_plan"`
	BackoutPlan        string             `json:"backout_plan"`
	ServiceIDs         []int64            `json:"service_ids"`         // every service it touches: the ticket's, the plan's and its CIs'
	PlannedServiceIDs  []int64            `json:"planned_service_ids"` // those the plan names beyond the ticket's
	CIIDs              []int64            `json:"ci_ids"`              // the CIs the ticket names
	Risk               *change.Assessment `json:"risk,omitempty"`
	Review             *change.Review     `json:"review,omitempty"`
	UpdatedAt          *time.Time         `json:"updated_at,omitempty"` // absent until the record is first written
}

// Window gives the planned window; zero when not planned.
func (r ChangeRecord) Window() change.Window {
	if r.PlannedStart == nil || r.PlannedEnd == nil {
		return change.Window{}
	}
	return change.Window{Start: *r.PlannedStart, End: *r.PlannedEnd}
}

// ChangeView is a change with everything its page shows.
type ChangeView struct {
	Ticket      ticket.Ticket     `json:"ticket"`
	Change      ChangeRecord      `json:"change"`
	Approval    ApprovalState     `json:"approval"`
	Conflicts   []change.Conflict `json:"conflicts"`
	Deployments []Deployment      `json:"deployments"`
}

// The event types of change records, on stream "change" (id: the ticket's).
const (
	EventChangeCreated   = "change.created"
	EventChangePlanned   = "change.planned"
	EventChangeAssessed  = "change.risk_assessed"
	EventChangeSubmitted = "change.submitted"
	EventChangeReviewed  = "change.reviewed"
)

func changeStaffOnly(actor directory.Actor, what string) error {
	if !actor.Role.Staff() {
		return errs.Forbidden("only agents may %s", what)
	}
	return nil
}

func changeAdminOnly(actor directory.Actor, what string) error {
	if actor.Role != directory.RoleAdmin {
		return errs.Forbidden("only admins may %s", what)
	}
	return nil
}

// changeTicket reads a change ticket the actor may see.
func (c *conn) changeTicket(actor directory.Actor, key string) (ticket.Ticket, error) {
	t, err := c.ticket(actor, key)
	if err != nil {
		return t, err
	}
	if t.Type != ticket.TypeChange {
		return t, errs.NotFound("%s is not a change", t.Key)
	}
	return t, nil
}

const changeColumns = `ch.change_type, COALESCE(ch.template_id, 0), COALESCE(tp.name, ''), ch.planned_start, ch.planned_end,
	ch.implementation_plan, ch.backout_plan, ch.risk, ch.review, ch.updated_at`

// changeRecord reads the record of a change ticket, with its scope.
func (c *conn) changeRecord(t ticket.Ticket) (ChangeRecord, error) {
	r := ChangeRecord{Key: t.Key, Type: change.TypeNormal}
	var typ, risk, review string
	var start, end sql.NullInt64
	var updated int64
	err := c.row(`SELECT `+changeColumns+` FROM changes ch LEFT JOIN change_templates tp ON tp.id = ch.template_id WHERE ch.ticket_id = ?`, t.ID).
		Scan(&typ, &r.TemplateID, &r.Template, &start, &end, &r.ImplementationPlan, &r.BackoutPlan, &risk, &review, &updated)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		r.ServiceIDs, r.PlannedServiceIDs, r.CIIDs = []int64{t.ServiceID}, []int64{}, []int64{}
		return r, nil
	case err != nil:
		return r, fmt.Errorf("change %s: %w", t.Key, err)
	}
	r.Type = change.Type(typ)
	if start.Valid && end.Valid {
		s, e := fromMillis(start.Int64), fromMillis(end.Int64)
		r.PlannedStart, r.PlannedEnd = &s, &e
	}
	u := fromMillis(updated)
	r.UpdatedAt = &u
	if risk != "" {
		r.Risk = &change.Assessment{}
		if err := json.Unmarshal([]byte(risk), r.Risk); err != nil {
			return r, fmt.Errorf("change %s: risk: %w", t.Key, err)
		}
	}
	if review != "" {
		r.Review = &change.Review{}
		if err := json.Unmarshal([]byte(review), r.Review); err != nil {
			return r, fmt.Errorf("change %s: review: %w", t.Key, err)
		}
	}
	scopes, err := c.changeScopes([]int64{t.ID})
	if err != nil {
		return r, err
	}
	sc := scopes[t.ID]
	r.ServiceIDs, r.PlannedServiceIDs, r.CIIDs = sc.services, sc.planned, sc.cis
	if !slices.Contains(r.ServiceIDs, t.ServiceID) {
		r.ServiceIDs = append([]int64{t.ServiceID}, r.ServiceIDs...)
	}
	return r, nil
}

// changeScope is what a change touches, as stored in change_services and
// change_cis.
type changeScope struct {
	services []int64 // all
	planned  []int64 // source planned
	cis      []int64
}

func (c *conn) changeScopes(ids []int64) (map[int64]changeScope, error) {
	out := map[int64]changeScope{}
	for _, id := range ids {
		out[id] = changeScope{services: []int64{}, planned: []int64{}, cis: []int64{}}
	}
	if len(ids) == 0 {
		return out, nil
	}
	in := placeholders(len(ids))
	rows, err := c.query(`SELECT ticket_id, service_id, source FROM change_services WHERE ticket_id IN (`+in+`) ORDER BY ticket_id, service_id`, int64Args(ids)...)
	if err != nil {
		return nil, fmt.Errorf("change services: %w", err)
	}
	for rows.Next() {
		var tid, sid int64
		var source string
		if err := rows.Scan(&tid, &sid, &source); err != nil {
			rows.Close()
			return nil, err
		}
		sc := out[tid]
		sc.services = append(sc.services, sid)
		if source == "planned" {
			sc.planned = append(sc.planned, sid)
		}
		out[tid] = sc
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = c.query(`SELECT ticket_id, ci_id FROM change_cis WHERE ticket_id IN (`+in+`) ORDER BY ticket_id, ci_id`, int64Args(ids)...)
	if err != nil {
		return nil, fmt.Errorf("change cis: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var tid, cid int64
		if err := rows.Scan(&tid, &cid); err != nil {
			return nil, err
		}
		sc := out[tid]
		sc.cis = append(sc.cis, cid)
		out[tid] = sc
	}
	return out, rows.Err()
}

// changeReach is what a change's CIs reach, worked out from the CMDB
// before a command's transaction: its CIs, the services they carry, the
// owner teams of the CIs, and the risk factors.
type changeReach struct {
	cis         []int64
	ciServices  []int64
	ciOwners    []int64
	criticality cmdb.Criticality
	criticalCI  string
}

// changeReachOf asks the CMDB what a change's CIs touch: the CIs the
// ticket names and, upstream of them, the CIs and catalogue services that
// would fail with them (the change's blast radius).
func (s *Store) changeReachOf(ctx context.Context, key string) (changeReach, error) {
	var r changeReach
	imp, err := s.TicketImpact(ctx, directory.System, key, 0)
	if err != nil {
		return r, fmt.Errorf("blast radius of %s: %w", key, err)
	}
	consider := func(name string, crit cmdb.Criticality) {
		if crit.Rank() > r.criticality.Rank() {
			r.criticality, r.criticalCI = crit, name
		}
	}
	for _, ci := range imp.CIs {
		r.cis = append(r.cis, ci.ID)
		consider(ci.Name, ci.Criticality)
		full, err := s.CI(ctx, ci.ID)
		if err != nil {
			return r, err
		}
		if full.OwnerTeamID != 0 && !slices.Contains(r.ciOwners, full.OwnerTeamID) {
			r.ciOwners = append(r.ciOwners, full.OwnerTeamID)
		}
	}
	for _, ci := range imp.Impact.CIs {
		consider(ci.Name, ci.Criticality)
	}
	for _, svc := range imp.Impact.Services {
		r.ciServices = append(r.ciServices, svc.ID)
	}
	return r, nil
}

// saveChangeScope replaces what the change touches: the ticket's service,
// the plan's services and those of its CIs, and its CIs.
func (c *conn) saveChangeScope(t ticket.Ticket, planned []int64, reach changeReach) error {
	if _, err := c.exec(`DELETE FROM change_services WHERE ticket_id = ?`, t.ID); err != nil {
		return err
	}
	if _, err := c.exec(`DELETE FROM change_cis WHERE ticket_id = ?`, t.ID); err != nil {
		return err
	}
	seen := map[int64]bool{}
	add := func(id int64, source string) error {
		if seen[id] {
			return nil
		}
		seen[id] = true
		_, err := c.exec(`INSERT INTO change_services (ticket_id, service_id, source) VALUES (?, ?, ?)`, t.ID, id, source)
		return err
	}
	if err := add(t.ServiceID, "ticket"); err != nil {
		return err
	}
	for _, id := range planned {
		if err := add(id, "planned"); err != nil {
			return err
		}
	}
	for _, id := range reach.ciServices {
		if err := add(id, "ci"); err != nil {
			return err
		}
	}
	for _, id := range reach.cis {
		if _, err := c.exec(`INSERT INTO change_cis (ticket_id, ci_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, t.ID, id); err != nil {
			return err
		}
	}
	return nil
}

// ensureChange gives a change ticket its record, as an unplanned normal
// change, if it has none yet.
func (c *conn) ensureChange(t ticket.Ticket) error {
	_, err := c.exec(`INSERT INTO changes (ticket_id, change_type, created_at, updated_at) VALUES (?, 'normal', ?, ?)
		ON CONFLICT (ticket_id) DO NOTHING`, t.ID, millis(c.now), millis(c.now))
	if err != nil {
		return fmt.Errorf("change %s: %w", t.Key, err)
	}
	return nil
}

// NewChange is what raising a change takes. A standard change names a
// template of the library, which fills in what is left empty.
type NewChange struct {
	Type               string
	Template           string // a template's id or name; standard changes only
	Service            string // id or name
	Summary            string
	Description        string
	Priority           string
	AssigneeID         int64
	TeamID             int64
	PlannedStart       time.Time
	PlannedEnd         time.Time
	ImplementationPlan string
	BackoutPlan        string
	Services           []string // other services the change touches, by id or name
	Channel            ticket.Channel
}

// CreateChange raises a change ticket with its record. A standard change
// is pre-approved: its template's risk is its risk, and it moves through
// the workflow to Scheduled at once, as Cairn. Everything is checked
// before the ticket is raised; the ticket and its record are two writes,
// and a change ticket without a record is still a valid (normal) change.
func (s *Store) CreateChange(ctx context.Context, actor directory.Actor, in NewChange) (ChangeView, error) {
	if err := changeStaffOnly(actor, "raise changes"); err != nil {
		return ChangeView{}, err
	}
	typ, err := change.ParseType(in.Type)
	if err != nil {
		return ChangeView{}, err
	}
	var tpl change.Template
	c := s.reader(ctx)
	if typ == change.TypeStandard {
		if strings.TrimSpace(in.Template) == "" {
			return ChangeView{}, &errs.Error{Kind: errs.KindInvalid, Code: "required_field", Field: "template", Message: "is required: a standard change follows a template of the library"}
		}
		if tpl, err = c.changeTemplateRef(in.Template); err != nil {
			return ChangeView{}, err
		}
		if !tpl.Active {
			return ChangeView{}, errs.Invalid("template", "template %q is retired", tpl.Name)
		}
		if strings.TrimSpace(in.Service) == "" && tpl.ServiceID != 0 {
			in.Service = fmt.Sprint(tpl.ServiceID)
		}
		in.Summary = changeOr(in.Summary, tpl.Name)
		in.Description = changeOr(in.Description, tpl.Description)
		in.ImplementationPlan = changeOr(in.ImplementationPlan, tpl.ImplementationPlan)
		in.BackoutPlan = changeOr(in.BackoutPlan, tpl.BackoutPlan)
	} else if strings.TrimSpace(in.Template) != "" {
		return ChangeView{}, errs.Invalid("template", "only a standard change follows a template")
	}
	window := change.Window{Start: in.PlannedStart, End: in.PlannedEnd}
	if typ == change.TypeStandard || !window.Start.IsZero() || !window.End.IsZero() {
		if err := change.ValidateWindow("planned", window); err != nil {
			return ChangeView{}, err
		}
	}
	if in.ImplementationPlan, err = change.CleanText("implementation_plan", in.ImplementationPlan); err != nil {
		return ChangeView{}, err
	}
	if in.BackoutPlan, err = change.CleanText("backout_plan", in.BackoutPlan); err != nil {
		return ChangeView{}, err
	}
	planned, err := c.changeServiceRefs(in.Services)
	if err != nil {
		return ChangeView{}, err
	}
	if in.Channel == "" {
		in.Channel = ticket.ChannelAPI
	}
	t, err := s.CreateTicket(ctx, actor, NewTicket{Type: string(ticket.TypeChange), Service: in.Service, Summary: in.Summary,
		Description: in.Description, Priority: in.Priority, AssigneeID: in.AssigneeID, TeamID: in.TeamID, Channel: in.Channel})
	if err != nil {
		return ChangeView{}, err
	}
	err = s.inTx(ctx, func(c *conn) error {
		var start, end any
		if !window.Start.IsZero() {
			start, end = millis(window.Start), millis(window.End)
		}
		var risk, level string
		if typ == change.TypeStandard {
			a := change.Preset(tpl)
			a.AssessedByID, a.AssessedBy, a.AssessedAt = actor.UserID, actor.Name, c.now
			raw, _ := json.Marshal(a)
			risk, level = string(raw), string(a.Level)
		}
		_, err := c.exec(`INSERT INTO changes (ticket_id, change_type, template_id, planned_start, planned_end, implementation_plan, backout_plan,
			risk_level, risk, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.ID, string(typ), nullID(tpl.ID), start, end, in.ImplementationPlan, in.BackoutPlan, level, risk, millis(c.now), millis(c.now))
		if err != nil {
			return fmt.Errorf("create change %s: %w", t.Key, err)
		}
		if err := c.saveChangeScope(t, planned, changeReach{}); err != nil {
			return err
		}
		if err := c.appendEvent("change", t.ID, EventChangeCreated, actor, map[string]any{
			"ticket": t.Key, "type": typ, "template_id": tpl.ID, "planned_start": start, "planned_end": end, "service_ids": planned,
		}); err != nil {
			return err
		}
		if typ != change.TypeStandard {
			return nil
		}
		why := fmt.Sprintf("standard change: pre-approved by template %q", tpl.Name)
		if t, err = c.changeMove(directory.System, t, change.StatusAwaitingApproval, why); err != nil {
			return err
		}
		_, err = c.changeMove(directory.System, t, change.StatusScheduled, why)
		return err
	})
	if err != nil {
		return ChangeView{}, err
	}
	return s.Change(ctx, actor, t.Key)
}

func changeOr(s, fallback string) string {
	if strings.TrimSpace(s) == "" {
		return fallback
	}
	return s
}

// changeServiceRefs resolves services named by id or name.
func (c *conn) changeServiceRefs(refs []string) ([]int64, error) {
	out := []int64{}
	for i, ref := range refs {
		if strings.TrimSpace(ref) == "" {
			continue
		}
		svc, err := c.serviceRef(ref)
		if errs.Is(err, errs.KindNotFound) {
			return nil, errs.Invalid(fmt.Sprintf("services[%d]", i), "%s", err.Error())
		}
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, svc.ID) {
			out = append(out, svc.ID)
		}
	}
	return out, nil
}

// Change reads a change with its approvals, conflicts and deployments.
// Agents only, on changes they may see.
func (s *Store) Change(ctx context.Context, actor directory.Actor, key string) (ChangeView, error) {
	c := s.reader(ctx)
	t, err := c.changeTicket(actor, key)
	if err != nil {
		return ChangeView{}, err
	}
	if err := changeStaffOnly(actor, "see change records"); err != nil {
		return ChangeView{}, err
	}
	v := ChangeView{Ticket: t}
	if v.Change, err = c.changeRecord(t); err != nil {
		return v, err
	}
	if v.Approval, err = c.approvalState(t); err != nil {
		return v, err
	}
	if v.Conflicts, err = c.changeConflicts(actor, t, v.Change); err != nil {
		return v, err
	}
	v.Deployments, err = c.deployments(actor, DeploymentFilter{ChangeID: t.ID, Limit: 50})
	return v, err
}

// ChangePatch holds the plan fields to change; nil leaves a field as it is.
// A plan can be edited while the change is in Planning: after that it is
// what the approvers approve.
type ChangePatch struct {
	Type               *string
	PlannedStart       *time.Time // with PlannedEnd; the zero time clears the window
	PlannedEnd         *time.Time
	ImplementationPlan *string
	BackoutPlan        *string
	Services           *[]string
}

// UpdateChange changes a change's plan and works out again what it
// touches, its CIs' services included.
func (s *Store) UpdateChange(ctx context.Context, actor directory.Actor, key string, p ChangePatch) (ChangeView, error) {
	if err := changeStaffOnly(actor, "plan changes"); err != nil {
		return ChangeView{}, err
	}
	t, err := s.reader(ctx).changeTicket(actor, key)
	if err != nil {
		return ChangeView{}, err
	}
	reach, err := s.changeReachOf(ctx, t.Key)
	if err != nil {
		return ChangeView{}, err
	}
	err = s.inTx(ctx, func(c *conn) error {
		t, err := c.changeTicket(actor, key)
		if err != nil {
			return err
		}
		if !strings.EqualFold(t.Status, change.StatusPlanning) {
			return errs.Conflict("change_not_in_planning", "%s is %s: a plan can be changed only in Planning", t.Key, t.Status)
		}
		if err := c.ensureChange(t); err != nil {
			return err
		}
		old, err := c.changeRecord(t)
		if err != nil {
			return err
		}
		next := old
		if p.Type != nil {
			typ, err := change.ParseType(*p.Type)
			if err != nil {
				return err
			}
			if typ != old.Type && (typ == change.TypeStandard || old.Type == change.TypeStandard) {
				return errs.Invalid("type", "a change becomes standard, or stops being standard, only by being raised again from a template")
			}
			next.Type = typ
		}
		if p.PlannedStart != nil || p.PlannedEnd != nil {
			if p.PlannedStart == nil || p.PlannedEnd == nil {
				return errs.Invalid("planned_end", "give the planned start and end together")
			}
			if p.PlannedStart.IsZero() && p.PlannedEnd.IsZero() {
				next.PlannedStart, next.PlannedEnd = nil, nil
			} else {
				if err := change.ValidateWindow("planned", change.Window{Start: *p.PlannedStart, End: *p.PlannedEnd}); err != nil {
					return err
				}
				st, en := p.PlannedStart.UTC().Truncate(time.Millisecond), p.PlannedEnd.UTC().Truncate(time.Millisecond)
				next.PlannedStart, next.PlannedEnd = &st, &en
			}
		}
		if p.ImplementationPlan != nil {
			if next.ImplementationPlan, err = change.CleanText("implementation_plan", *p.ImplementationPlan); err != nil {
				return err
			}
		}
		if p.BackoutPlan != nil {
			if next.BackoutPlan, err = change.CleanText("backout_plan", *p.BackoutPlan); err != nil {
				return err
			}
		}
		if p.Services != nil {
			if next.PlannedServiceIDs, err = c.changeServiceRefs(*p.Services); err != nil {
				return err
			}
		}
		var start, end any
		if next.PlannedStart != nil {
			start, end = millis(*next.PlannedStart), millis(*next.PlannedEnd)
		}
		_, err = c.exec(`UPDATE changes SET change_type = ?, planned_start = ?, planned_end = ?, implementation_plan = ?, backout_plan = ?, updated_at = ?
			WHERE ticket_id = ?`, string(next.Type), start, end, next.ImplementationPlan, next.BackoutPlan, millis(c.now), t.ID)
		if err != nil {
			return fmt.Errorf("plan change %s: %w", t.Key, err)
		}
		if err := c.saveChangeScope(t, next.PlannedServiceIDs, reach); err != nil {
			return err
		}
		return c.appendEvent("change", t.ID, EventChangePlanned, actor, map[string]any{
			"ticket": t.Key, "type": next.Type, "planned_start": start, "planned_end": end,
			"service_ids": next.PlannedServiceIDs, "ci_ids": reach.cis,
		})
	})
	if err != nil {
		return ChangeView{}, err
	}
	return s.Change(ctx, actor, key)
}

// AssessRisk scores a change's risk from the questionnaire's answers, the
// criticality of the CIs it touches or could take down and the number of
// services it affects, and keeps the result with its explanation.
func (s *Store) AssessRisk(ctx context.Context, actor directory.Actor, key string, answers map[string]string) (change.Assessment, error) {
	if err := changeStaffOnly(actor, "assess changes"); err != nil {
		return change.Assessment{}, err
	}
	t, err := s.reader(ctx).changeTicket(actor, key)
	if err != nil {
		return change.Assessment{}, err
	}
	model, err := s.RiskModel(ctx)
	if err != nil {
		return change.Assessment{}, err
	}
	reach, err := s.changeReachOf(ctx, t.Key)
	if err != nil {
		return change.Assessment{}, err
	}
	var out change.Assessment
	err = s.inTx(ctx, func(c *conn) error {
		t, err := c.changeTicket(actor, key)
		if err != nil {
			return err
		}
		if !strings.EqualFold(t.Status, change.StatusPlanning) {
			return errs.Conflict("change_not_in_planning", "%s is %s: the risk is assessed in Planning, before approval", t.Key, t.Status)
		}
		if err := c.ensureChange(t); err != nil {
			return err
		}
		rec, err := c.changeRecord(t)
		if err != nil {
			return err
		}
		if rec.Type == change.TypeStandard {
			return errs.Conflict("standard_change", "%s is a standard change: its risk is its template's", t.Key)
		}
		if err := c.saveChangeScope(t, rec.PlannedServiceIDs, reach); err != nil {
			return err
		}
		f := change.Factors{Criticality: reach.criticality, CriticalCI: reach.criticalCI, Services: []string{}}
		scopes, err := c.changeScopes([]int64{t.ID})
		if err != nil {
			return err
		}
		for _, id := range scopes[t.ID].services {
			svc, err := c.service(id)
			if err != nil {
				return err
			}
			f.Services = append(f.Services, svc.Name)
		}
		if out, err = change.Assess(model, answers, f); err != nil {
			return err
		}
		out.AssessedByID, out.AssessedBy, out.AssessedAt = actor.UserID, actor.Name, c.now
		raw, _ := json.Marshal(out)
		if _, err := c.exec(`UPDATE changes SET risk_level = ?, risk = ?, updated_at = ? WHERE ticket_id = ?`,
			string(out.Level), string(raw), millis(c.now), t.ID); err != nil {
			return fmt.Errorf("assess %s: %w", t.Key, err)
		}
		return c.appendEvent("change", t.ID, EventChangeAssessed, actor, map[string]any{
			"ticket": t.Key, "level": out.Level, "score": out.Score, "answers": out.Answers,
		})
	})
	return out, err
}

// SubmitChange asks for a normal or emergency change's approval: it works
// out its scope again, finds the approvers the rules choose and moves the
// change from Planning to Awaiting approval. A change moved there by the
// plain workflow transition, without approvers, gets them here. A normal
// change needs its risk assessed first; both need a planned window.
func (s *Store) SubmitChange(ctx context.Context, actor directory.Actor, key, comment string) (ChangeView, error) {
	if err := changeStaffOnly(actor, "submit changes"); err != nil {
		return ChangeView{}, err
	}
	t, err := s.reader(ctx).changeTicket(actor, key)
	if err != nil {
		return ChangeView{}, err
	}
	reach, err := s.changeReachOf(ctx, t.Key)
	if err != nil {
		return ChangeView{}, err
	}
	err = s.inTx(ctx, func(c *conn) error {
		t, err := c.changeTicket(actor, key)
		if err != nil {
			return err
		}
		inPlanning := strings.EqualFold(t.Status, change.StatusPlanning)
		if !inPlanning && !strings.EqualFold(t.Status, change.StatusAwaitingApproval) {
			return errs.Conflict("transition_not_allowed", "%s is %s: only a change in Planning can be submitted", t.Key, t.Status)
		}
		if err := c.ensureChange(t); err != nil {
			return err
		}
		rec, err := c.changeRecord(t)
		if err != nil {
			return err
		}
		if !rec.Type.NeedsApproval() {
			return errs.Conflict("standard_change", "%s is a standard change: it is pre-approved", t.Key)
		}
		if rec.PlannedStart == nil {
			return &errs.Error{Kind: errs.KindInvalid, Code: "required_field", Field: "planned_start", Message: "is required: plan the change's window before submitting it"}
		}
		if rec.Type == change.TypeNormal && rec.Risk == nil {
			return &errs.Error{Kind: errs.KindInvalid, Code: "required_field", Field: "risk", Message: "is required: assess the risk of a normal change before submitting it"}
		}
		pending, err := c.approvalPending(t.ID)
		if err != nil {
			return err
		}
		if !inPlanning && pending {
			return errs.Conflict("approval_pending", "%s is awaiting approval already", t.Key)
		}
		if err := c.saveChangeScope(t, rec.PlannedServiceIDs, reach); err != nil {
			return err
		}
		if rec, err = c.changeRecord(t); err != nil {
			return err
		}
		// The move comes first: once approvals are pending, only they
		// move the change on.
		if inPlanning {
			if t, err = c.changeMove(actor, t, change.StatusAwaitingApproval, "submitted for approval"); err != nil {
				return err
			}
		}
		if err := c.requestChangeApprovals(t, rec, reach); err != nil {
			return err
		}
		if err := c.appendEvent("change", t.ID, EventChangeSubmitted, actor, map[string]any{"ticket": t.Key, "type": rec.Type}); err != nil {
			return err
		}
		if strings.TrimSpace(comment) != "" {
			if _, err := c.addComment(actor, t, comment, true); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return ChangeView{}, err
	}
	return s.Change(ctx, actor, key)
}

// ReviewChange records how the implementation of a change ended and its
// post-implementation review. A change still Implementing or in Review
// moves on: to Completed when it succeeded, to Failed otherwise (with what
// went wrong as the comment the workflow asks for).
func (s *Store) ReviewChange(ctx context.Context, actor directory.Actor, key string, r change.Review) (ChangeView, error) {
	if err := changeStaffOnly(actor, "review changes"); err != nil {
		return ChangeView{}, err
	}
	if err := r.Validate(); err != nil {
		return ChangeView{}, err
	}
	err := s.inTx(ctx, func(c *conn) error {
		t, err := c.changeTicket(actor, key)
		if err != nil {
			return err
		}
		implemented := []string{change.StatusImplementing, "Review", "Completed", "Failed"}
		if !slices.ContainsFunc(implemented, func(s string) bool { return strings.EqualFold(s, t.Status) }) {
			return errs.Conflict("change_not_implemented", "%s is %s: only an implemented change is reviewed", t.Key, t.Status)
		}
		if err := c.ensureChange(t); err != nil {
			return err
		}
		r.ReviewedByID, r.ReviewedBy, r.ReviewedAt = actor.UserID, actor.Name, c.now
		raw, _ := json.Marshal(r)
		if _, err := c.exec(`UPDATE changes SET outcome = ?, review = ?, reviewed_at = ?, updated_at = ? WHERE ticket_id = ?`,
			string(r.Outcome), string(raw), millis(c.now), millis(c.now), t.ID); err != nil {
			return fmt.Errorf("review %s: %w", t.Key, err)
		}
		if err := c.appendEvent("change", t.ID, EventChangeReviewed, actor, map[string]any{"ticket": t.Key, "outcome": r.Outcome}); err != nil {
			return err
		}
		switch {
		case r.Outcome == change.OutcomeSuccess && strings.EqualFold(t.Status, change.StatusImplementing):
			if t, err = c.changeMove(actor, t, "Review", "implementation reviewed"); err != nil {
				return err
			}
			fallthrough
		case r.Outcome == change.OutcomeSuccess && strings.EqualFold(t.Status, "Review"):
			_, err = c.changeMoveWith(actor, t, "Completed", "Successful", "", "implementation reviewed")
		case r.Outcome != change.OutcomeSuccess && (strings.EqualFold(t.Status, change.StatusImplementing) || strings.EqualFold(t.Status, "Review")):
			resolution := map[change.Outcome]string{change.OutcomeFailed: "Failed", change.OutcomeBackedOut: "Backed out"}[r.Outcome]
			_, err = c.changeMoveWith(actor, t, "Failed", resolution, r.WentWrong, "implementation reviewed")
		}
		return err
	})
	if err != nil {
		return ChangeView{}, err
	}
	return s.Change(ctx, actor, key)
}

// changeMove takes the workflow transition that leads a ticket to the
// status named, as the actor, in the command's transaction: the same
// update and event as Store.Transition. Cairn itself (directory.System)
// may take any transition a role may.
func (c *conn) changeMove(actor directory.Actor, t ticket.Ticket, to, why string) (ticket.Ticket, error) {
	return c.changeMoveWith(actor, t, to, "", "", why)
}

// changeMoveWith is changeMove with a resolution for a done status and a
// comment, written by the actor, which must not be Cairn.
func (c *conn) changeMoveWith(actor directory.Actor, t ticket.Ticket, to, resolution, comment, why string) (ticket.Ticket, error) {
	if strings.EqualFold(t.Status, to) {
		return t, nil
	}
	wf, err := c.workflow(t.WorkflowID)
	if err != nil {
		return t, err
	}
	tr, err := wf.Find(t.Status, actor.Role, to)
	if err != nil {
		return t, fmt.Errorf("%s cannot move from %s to %s (%s): %w", t.Key, t.Status, to, why, err)
	}
	st, err := statusOf(wf, tr.To)
	if err != nil {
		return t, err
	}
	in := TransitionInput{To: tr.ID, Comment: comment, Resolution: resolution}
	for _, f := range tr.RequiredFields {
		if missing(f, t, in) {
			return t, errs.Conflict("transition_requires", "%s cannot move to %s by itself: the workflow's transition %q requires the %s", t.Key, tr.To, tr.Name, f)
		}
	}
	if err := c.beforeTransition(actor, t, st); err != nil {
		return t, err
	}
	next := t
	next.Status, next.StatusCategory = st.Name, st.Category
	resolvedAt := any(nil)
	next.Resolution = ""
	if st.Category == ticket.CategoryDone {
		next.Resolution = changeOr(resolution, "Done")
		resolvedAt = millis(c.now)
	}
	_, err = c.exec(`UPDATE tickets SET status = ?, status_category = ?, resolution = ?, resolved_at = ?, updated_at = ? WHERE id = ?`,
		next.Status, string(next.StatusCategory), next.Resolution, resolvedAt, millis(c.now), t.ID)
	if err != nil {
		return t, fmt.Errorf("move %s to %s: %w", t.Key, st.Name, err)
	}
	if err := c.appendEvent("ticket", t.ID, ticket.EventTransitioned, actor, map[string]any{
		"transition": tr.ID, "from_category": t.StatusCategory, "to_category": next.StatusCategory,
		"changes": diffTicket(t, next), "reason": why,
	}); err != nil {
		return t, err
	}
	if strings.TrimSpace(comment) != "" {
		if _, err := c.addComment(actor, t, comment, true); err != nil {
			return t, err
		}
	}
	return c.ticket(directory.System, t.Key)
}

// RiskModel gives the risk questionnaire and its weights: the one admins
// saved, or the default.
func (s *Store) RiskModel(ctx context.Context) (change.Model, error) {
	m := change.DefaultModel()
	found, err := s.reader(ctx).changeSetting("risk_model", &m)
	if err != nil || !found {
		return change.DefaultModel(), err
	}
	return m, nil
}

// SetRiskModel replaces the risk questionnaire. Assessments made before
// keep their answers and explanation as they were.
func (s *Store) SetRiskModel(ctx context.Context, actor directory.Actor, m change.Model) (change.Model, error) {
	if err := changeAdminOnly(actor, "edit the risk questionnaire"); err != nil {
		return m, err
	}
	if m.CriticalityPoints == nil {
		m.CriticalityPoints = map[cmdb.Criticality]int{}
	}
	if m.Questions == nil {
		m.Questions = []change.Question{}
	}
	if err := m.Validate(); err != nil {
		return m, err
	}
	return m, s.inTx(ctx, func(c *conn) error {
		if err := c.setChangeSetting("risk_model", m); err != nil {
			return err
		}
		return c.appendEvent("change_settings", 0, "change_settings.risk_model_set", actor, m)
	})
}

// changeSetting reads one JSON setting into dst; found is false when unset.
func (c *conn) changeSetting(key string, dst any) (bool, error) {
	var raw string
	err := c.row(`SELECT value FROM change_settings WHERE key = ?`, key).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("setting %s: %w", key, err)
	}
	if err := json.Unmarshal([]byte(raw), dst); err != nil {
		return false, fmt.Errorf("setting %s: %w", key, err)
	}
	return true, nil
}

func (c *conn) setChangeSetting(key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = c.exec(`INSERT INTO change_settings (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, string(raw), millis(c.now))
	if err != nil {
		return fmt.Errorf("setting %s: %w", key, err)
	}
	return nil
}

// Templates of the standard change library.

const templateColumns = `id, name, description, implementation_plan, backout_plan, risk, COALESCE(service_id, 0), active, created_at, updated_at`

func scanTemplate(sc interface{ Scan(...any) error }) (change.Template, error) {
	var t change.Template
	var risk string
	var created, updated int64
	err := sc.Scan(&t.ID, &t.Name, &t.Description, &t.ImplementationPlan, &t.BackoutPlan, &risk, &t.ServiceID, &t.Active, &created, &updated)
	t.Risk, t.CreatedAt, t.UpdatedAt = change.Level(risk), fromMillis(created), fromMillis(updated)
	return t, err
}

// ChangeTemplates lists the standard change library by name; activeOnly
// leaves out retired templates.
func (s *Store) ChangeTemplates(ctx context.Context, activeOnly bool) ([]change.Template, error) {
	q := `SELECT ` + templateColumns + ` FROM change_templates`
	if activeOnly {
		q += ` WHERE active`
	}
	rows, err := s.reader(ctx).query(q + ` ORDER BY lower(name), id`)
	if err != nil {
		return nil, fmt.Errorf("list change templates: %w", err)
	}
	defer rows.Close()
	out := []change.Template{}
	for rows.Next() {
		t, err := scanTemplate(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// ChangeTemplate finds a template by id.
func (s *Store) ChangeTemplate(ctx context.Context, id int64) (change.Template, error) {
	t, err := scanTemplate(s.reader(ctx).row(`SELECT `+templateColumns+` FROM change_templates WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, errs.NotFound("no change template with id %d", id)
	}
	return t, err
}

// changeTemplateRef finds a template by id or name, as the template field.
func (c *conn) changeTemplateRef(ref string) (change.Template, error) {
	ref = strings.TrimSpace(ref)
	var id int64
	if _, err := fmt.Sscan(ref, &id); err != nil || fmt.Sprint(id) != ref {
		id = 0
	}
	t, err := scanTemplate(c.row(`SELECT `+templateColumns+` FROM change_templates WHERE id = ? OR lower(name) = lower(?)`, id, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return t, errs.Invalid("template", "no change template %q", ref)
	}
	return t, err
}

// SaveChangeTemplate adds a template to the library (ID 0) or replaces one.
func (s *Store) SaveChangeTemplate(ctx context.Context, actor directory.Actor, t change.Template) (change.Template, error) {
	if err := changeAdminOnly(actor, "edit the standard change library"); err != nil {
		return t, err
	}
	if err := t.Validate(); err != nil {
		return t, err
	}
	err := s.inTx(ctx, func(c *conn) error {
		if t.ServiceID != 0 {
			if err := c.mustExist("services", "service", t.ServiceID); err != nil {
				return err
			}
		}
		var err error
		if t.ID == 0 {
			t.CreatedAt = c.now
			t.ID, err = c.insert(`INSERT INTO change_templates (name, description, implementation_plan, backout_plan, risk, service_id, active, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.Name, t.Description, t.ImplementationPlan, t.BackoutPlan, string(t.Risk), nullID(t.ServiceID), t.Active, millis(c.now), millis(c.now))
		} else {
			var created int64
			if err := c.row(`SELECT created_at FROM change_templates WHERE id = ?`, t.ID).Scan(&created); errors.Is(err, sql.ErrNoRows) {
				return errs.NotFound("no change template with id %d", t.ID)
			} else if err != nil {
				return err
			}
			t.CreatedAt = fromMillis(created)
			_, err = c.exec(`UPDATE change_templates SET name = ?, description = ?, implementation_plan = ?, backout_plan = ?, risk = ?, service_id = ?, active = ?, updated_at = ?
				WHERE id = ?`, t.Name, t.Description, t.ImplementationPlan, t.BackoutPlan, string(t.Risk), nullID(t.ServiceID), t.Active, millis(c.now), t.ID)
		}
		if isUnique(err) {
			return &errs.Error{Kind: errs.KindConflict, Code: "duplicate", Field: "name", Message: fmt.Sprintf("a change template named %q exists already", t.Name)}
		}
		if err != nil {
			return fmt.Errorf("save change template: %w", err)
		}
		t.UpdatedAt = c.now
		return c.appendEvent("change_template", t.ID, "change_template.saved", actor, t)
	})
	return t, err
}

// The change calendar.

// ChangeFilter chooses the changes of a calendar: those whose planned
// window overlaps [From, To).
type ChangeFilter struct {
	From, To  time.Time
	ServiceID int64
}

// CalendarEntry is one change on the calendar.
type CalendarEntry struct {
	Ticket    ticket.Ticket     `json:"ticket"`
	Type      change.Type       `json:"type"`
	Risk      change.Level      `json:"risk,omitempty"`
	Window    change.Window     `json:"window"`
	Services  []int64           `json:"service_ids"`
	CIs       []int64           `json:"ci_ids"`
	Conflicts []change.Conflict `json:"conflicts"`
}

// Calendar is the change calendar of a period.
type Calendar struct {
	From    time.Time       `json:"from"`
	To      time.Time       `json:"to"`
	Changes []CalendarEntry `json:"changes"`
	Freezes []change.Freeze `json:"freezes"`
}

// MaxCalendar is the longest period a calendar covers.
const MaxCalendar = 100 * 24 * time.Hour

// ChangeCalendar lists the planned changes the actor may see whose window
// overlaps the period, with the freeze windows of the period and every
// conflict. Conflicts are found among all changes, seen or not; one the
// actor may not see is named without its key.
func (s *Store) ChangeCalendar(ctx context.Context, actor directory.Actor, f ChangeFilter) (Calendar, error) {
	if err := changeStaffOnly(actor, "see the change calendar"); err != nil {
		return Calendar{}, err
	}
	if f.From.IsZero() || f.To.IsZero() || !f.To.After(f.From) {
		return Calendar{}, errs.Invalid("to", "the calendar needs a period: from before to")
	}
	if f.To.Sub(f.From) > MaxCalendar {
		return Calendar{}, errs.Invalid("to", "a calendar covers at most 100 days")
	}
	c := s.reader(ctx)
	cal := Calendar{From: f.From, To: f.To, Changes: []CalendarEntry{}}
	var err error
	if cal.Freezes, err = c.freezeWindows(f.From, f.To); err != nil {
		return cal, err
	}
	// Every change of the period, to find conflicts; the actor's own view
	// keeps those they may see.
	all, err := c.plannedChanges(directory.System, f.From, f.To, 0)
	if err != nil {
		return cal, err
	}
	conflicts := change.Collisions(changePlanned(all), cal.Freezes)
	visible, err := c.plannedChanges(actor, f.From, f.To, f.ServiceID)
	if err != nil {
		return cal, err
	}
	seen := map[string]bool{}
	for _, e := range visible {
		seen[e.Ticket.Key] = true
	}
	for _, e := range visible {
		e.Conflicts = changeRedact(conflicts[e.Ticket.Key], seen)
		cal.Changes = append(cal.Changes, e)
	}
	return cal, nil
}

// changeRedact hides the key and summary of changes the reader may not see.
func changeRedact(cs []change.Conflict, seen map[string]bool) []change.Conflict {
	out := []change.Conflict{}
	for _, c := range cs {
		if c.Kind == change.ConflictCollision && !seen[c.Change] {
			c.Change, c.Name = "", "a change on a service you do not work on"
			c.Message = "another change works on the same CI or service at the same time"
		}
		out = append(out, c)
	}
	return out
}

func changePlanned(es []CalendarEntry) []change.Planned {
	out := make([]change.Planned, len(es))
	for i, e := range es {
		out[i] = change.Planned{Key: e.Ticket.Key, Summary: e.Ticket.Summary, Type: e.Type, Status: e.Ticket.Status,
			Open: e.Ticket.StatusCategory != ticket.CategoryDone, Window: e.Window, ServiceIDs: e.Services, CIIDs: e.CIs}
	}
	return out
}

// plannedChanges reads the changes the actor may see whose window
// overlaps [from, to), by start, with their scope.
func (c *conn) plannedChanges(actor directory.Actor, from, to time.Time, serviceID int64) ([]CalendarEntry, error) {
	cond, args := visibleTickets(actor)
	q := `SELECT ` + ticketColumns + `, ch.change_type, ch.risk_level, ch.planned_start, ch.planned_end` + ticketJoins +
		` JOIN changes ch ON ch.ticket_id = t.id
		WHERE ch.planned_start < ? AND ch.planned_end > ? AND ` + cond
	args = append([]any{millis(to), millis(from)}, args...)
	if serviceID != 0 {
		q += ` AND t.id IN (SELECT ticket_id FROM change_services WHERE service_id = ?)`
		args = append(args, serviceID)
	}
	rows, err := c.query(q+` ORDER BY ch.planned_start, t.id LIMIT 2000`, args...)
	if err != nil {
		return nil, fmt.Errorf("planned changes: %w", err)
	}
	var out []CalendarEntry
	var ids []int64
	for rows.Next() {
		var e CalendarEntry
		var typ, risk string
		var start, end int64
		t, err := scanTicket(changeScanner{rows, []any{&typ, &risk, &start, &end}})
		if err != nil {
			rows.Close()
			return nil, err
		}
		e.Ticket, e.Type, e.Risk = t, change.Type(typ), change.Level(risk)
		e.Window = change.Window{Start: fromMillis(start), End: fromMillis(end)}
		out = append(out, e)
		ids = append(ids, t.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	scopes, err := c.changeScopes(ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		sc := scopes[out[i].Ticket.ID]
		out[i].Services, out[i].CIs = sc.services, sc.cis
		if len(out[i].Services) == 0 {
			out[i].Services = []int64{out[i].Ticket.ServiceID}
		}
	}
	return out, nil
}

// changeScanner scans a ticket row followed by more columns.
type changeScanner struct {
	sc    interface{ Scan(...any) error }
	extra []any
}

func (s changeScanner) Scan(dst ...any) error { return s.sc.Scan(append(dst, s.extra...)...) }

// changeConflicts finds what one change runs into: other open changes of
// overlapping windows that share a service or CI, and freeze windows.
func (c *conn) changeConflicts(actor directory.Actor, t ticket.Ticket, rec ChangeRecord) ([]change.Conflict, error) {
	w := rec.Window()
	if w.Start.IsZero() {
		return []change.Conflict{}, nil
	}
	freezes, err := c.freezeWindows(w.Start, w.End)
	if err != nil {
		return nil, err
	}
	others, err := c.plannedChanges(directory.System, w.Start, w.End, 0)
	if err != nil {
		return nil, err
	}
	me := change.Planned{Key: t.Key, Summary: t.Summary, Type: rec.Type, Status: t.Status, Open: t.StatusCategory != ticket.CategoryDone,
		Window: w, ServiceIDs: rec.ServiceIDs, CIIDs: rec.CIIDs}
	seen := map[string]bool{t.Key: true}
	if actor.Role != directory.RoleAdmin {
		for _, o := range others {
			if _, err := c.ticket(actor, o.Ticket.Key); err == nil {
				seen[o.Ticket.Key] = true
			}
		}
	} else {
		for _, o := range others {
			seen[o.Ticket.Key] = true
		}
	}
	return changeRedact(change.Conflicts(me, changePlanned(others), freezes), seen), nil
}

// Freeze windows.

func (c *conn) freezeWindows(from, to time.Time) ([]change.Freeze, error) {
	q := `SELECT id, name, reason, starts_at, ends_at, all_services, created_at FROM freeze_windows`
	var args []any
	if !from.IsZero() {
		q += ` WHERE starts_at < ? AND ends_at > ?`
		args = append(args, millis(to), millis(from))
	}
	rows, err := c.query(q+` ORDER BY starts_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("freeze windows: %w", err)
	}
	out := []change.Freeze{}
	byID := map[int64]int{}
	for rows.Next() {
		var f change.Freeze
		var start, end, created int64
		if err := rows.Scan(&f.ID, &f.Name, &f.Reason, &start, &end, &f.AllServices, &created); err != nil {
			rows.Close()
			return nil, err
		}
		f.Start, f.End, f.CreatedAt, f.ServiceIDs = fromMillis(start), fromMillis(end), fromMillis(created), []int64{}
		byID[f.ID] = len(out)
		out = append(out, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]int64, 0, len(out))
	for _, f := range out {
		ids = append(ids, f.ID)
	}
	rows, err = c.query(`SELECT freeze_id, service_id FROM freeze_window_services WHERE freeze_id IN (`+placeholders(len(ids))+`) ORDER BY service_id`, int64Args(ids)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var fid, sid int64
		if err := rows.Scan(&fid, &sid); err != nil {
			return nil, err
		}
		out[byID[fid]].ServiceIDs = append(out[byID[fid]].ServiceIDs, sid)
	}
	return out, rows.Err()
}

// FreezeWindows lists the freeze windows that overlap [from, to), or all
// of them when from is zero.
func (s *Store) FreezeWindows(ctx context.Context, from, to time.Time) ([]change.Freeze, error) {
	return s.reader(ctx).freezeWindows(from, to)
}

// CreateFreezeWindow adds a freeze window.
func (s *Store) CreateFreezeWindow(ctx context.Context, actor directory.Actor, f change.Freeze) (change.Freeze, error) {
	if err := changeAdminOnly(actor, "define freeze windows"); err != nil {
		return f, err
	}
	if err := f.Validate(); err != nil {
		return f, err
	}
	f.Start, f.End = f.Start.UTC().Truncate(time.Millisecond), f.End.UTC().Truncate(time.Millisecond)
	err := s.inTx(ctx, func(c *conn) error {
		for i, id := range f.ServiceIDs {
			if err := c.mustExist("services", fmt.Sprintf("services[%d]", i), id); err != nil {
				return err
			}
		}
		var err error
		f.CreatedAt = c.now
		f.ID, err = c.insert(`INSERT INTO freeze_windows (name, reason, starts_at, ends_at, all_services, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			f.Name, f.Reason, millis(f.Start), millis(f.End), f.AllServices, nullID(actor.UserID), millis(c.now))
		if err != nil {
			return fmt.Errorf("create freeze window: %w", err)
		}
		for _, id := range f.ServiceIDs {
			if _, err := c.exec(`INSERT INTO freeze_window_services (freeze_id, service_id) VALUES (?, ?)`, f.ID, id); err != nil {
				return err
			}
		}
		return c.appendEvent("freeze_window", f.ID, "freeze_window.created", actor, f)
	})
	return f, err
}

// DeleteFreezeWindow removes a freeze window.
func (s *Store) DeleteFreezeWindow(ctx context.Context, actor directory.Actor, id int64) error {
	if err := changeAdminOnly(actor, "remove freeze windows"); err != nil {
		return err
	}
	return s.inTx(ctx, func(c *conn) error {
		if _, err := c.exec(`DELETE FROM freeze_window_services WHERE freeze_id = ?`, id); err != nil {
			return err
		}
		res, err := c.exec(`DELETE FROM freeze_windows WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete freeze window: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.NotFound("no freeze window with id %d", id)
		}
		return c.appendEvent("freeze_window", id, "freeze_window.deleted", actor, map[string]any{"id": id})
	})
}

// ChangeSuccessRates gives, for each service, how many of its changes
// reviewed in [from, to) succeeded, failed or were backed out. A change
// counts for the service of its ticket. Only changes the actor may see
// count.
func (s *Store) ChangeSuccessRates(ctx context.Context, actor directory.Actor, from, to time.Time) ([]change.Rate, error) {
	if err := changeStaffOnly(actor, "see change reports"); err != nil {
		return nil, err
	}
	cond, args := visibleTickets(actor)
	q := `SELECT t.service_id, s.name, ch.outcome, COUNT(*) FROM changes ch JOIN tickets t ON t.id = ch.ticket_id
		JOIN services s ON s.id = t.service_id WHERE ch.outcome <> '' AND ` + cond
	if !from.IsZero() {
		q += ` AND ch.reviewed_at >= ?`
		args = append(args, millis(from))
	}
	if !to.IsZero() {
		q += ` AND ch.reviewed_at < ?`
		args = append(args, millis(to))
	}
	rows, err := s.reader(ctx).query(q+` GROUP BY t.service_id, s.name, ch.outcome ORDER BY lower(s.name), t.service_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("change success rates: %w", err)
	}
	defer rows.Close()
	out := []change.Rate{}
	for rows.Next() {
		var id int64
		var name, outcome string
		var n int
		if err := rows.Scan(&id, &name, &outcome, &n); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].ServiceID != id {
			out = append(out, change.Rate{ServiceID: id, Service: name})
		}
		for range n {
			out[len(out)-1].Count(change.Outcome(outcome))
		}
	}
	return out, rows.Err()
}
