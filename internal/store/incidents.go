package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// Incident management: the admin's priority matrix and incident rules,
// reopening within a window, major incidents with their communication log,
// affected services, and the problems and changes that cause an incident.
// The few helpers that work inside a caller's transaction (incidentMove,
// incidentRaise, incidentLink) are shared with problems.go.

// Names of the rows of practice_settings.
const (
	settingPriorityMatrix = "priority_matrix"
	settingIncidentRules  = "incident_rules"
)

// practiceSetting reads a setting into dst; false when it was never saved.
func (c *conn) practiceSetting(name string, dst any) (bool, error) {
	var raw string
	err := c.row(`SELECT value FROM practice_settings WHERE name = ?`, name).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("setting %s: %w", name, err)
	}
	if err := json.Unmarshal([]byte(raw), dst); err != nil {
		return false, fmt.Errorf("setting %s: %w", name, err)
	}
	return true, nil
}

// putPracticeSetting saves a setting and logs the change.
func (c *conn) putPracticeSetting(actor directory.Actor, name string, from, to any) error {
	raw, err := json.Marshal(to)
	if err != nil {
		return fmt.Errorf("setting %s: %w", name, err)
	}
	_, err = c.exec(`INSERT INTO practice_settings (name, value, updated_by, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		name, string(raw), nullID(actor.UserID), millis(c.now))
	if err != nil {
		return fmt.Errorf("setting %s: %w", name, err)
	}
	return c.appendEvent("settings", 0, "settings."+name+"_changed", actor, map[string]any{"from": from, "to": to})
}

// PriorityMatrix gives the matrix that derives incidents' priorities from
// impact and urgency: the admin's, or ticket.DefaultMatrix until one is saved.
func (s *Store) PriorityMatrix(ctx context.Context) (ticket.Matrix, error) {
	return s.reader(ctx).priorityMatrix()
}

func (c *conn) priorityMatrix() (ticket.Matrix, error) {
	var m ticket.Matrix
	found, err := c.practiceSetting(settingPriorityMatrix, &m)
	if err != nil {
		return nil, err
	}
	if !found || m.Validate() != nil {
		return ticket.DefaultMatrix.Clone(), nil
	}
	return m, nil
}

// matrixPriority derives a priority with the configured matrix. CreateTicket
// and UpdateTicket call it in their transaction, in place of
// ticket.DefaultMatrix.Priority.
func (c *conn) matrixPriority(impact, urgency ticket.Level) (ticket.Priority, error) {
	m, err := c.priorityMatrix()
	if err != nil {
		return "", err
	}
	return m.Priority(impact, urgency), nil
}

// SetPriorityMatrix replaces the priority matrix. Only admins may. Tickets
// keep the priorities they have; the matrix applies from the next ticket
// raised or the next change of impact or urgency.
func (s *Store) SetPriorityMatrix(ctx context.Context, actor directory.Actor, m ticket.Matrix) (ticket.Matrix, error) {
	if actor.Role != directory.RoleAdmin {
		return nil, errs.Forbidden("only admins may change the priority matrix")
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	err := s.inTx(ctx, func(c *conn) error {
		old, err := c.priorityMatrix()
		if err != nil {
			return err
		}
		return c.putPracticeSetting(actor, settingPriorityMatrix, old, m)
	})
	if err != nil {
		return nil, err
	}
	return m.Clone(), nil
}

// IncidentSettings gives the rules for incidents: the reopen window and the
// resolution codes.
func (s *Store) IncidentSettings(ctx context.Context) (ticket.IncidentSettings, error) {
	return s.reader(ctx).incidentSettings()
}

func (c *conn) incidentSettings() (ticket.IncidentSettings, error) {
	var st ticket.IncidentSettings
	found, err := c.practiceSetting(settingIncidentRules, &st)
	if err != nil {
		return st, err
	}
	if !found {
		return ticket.DefaultIncidentSettings(), nil
	}
	if st.ResolutionCodes == nil {
		st.ResolutionCodes = []string{}
	}
	return st, nil
}

// SetIncidentSettings replaces the rules for incidents. Only admins may.
func (s *Store) SetIncidentSettings(ctx context.Context, actor directory.Actor, in ticket.IncidentSettings) (ticket.IncidentSettings, error) {
	if actor.Role != directory.RoleAdmin {
		return in, errs.Forbidden("only admins may change the incident rules")
	}
	if in.ResolutionCodes == nil {
		in.ResolutionCodes = []string{}
	}
	if err := in.Validate(); err != nil {
		return in, err
	}
	err := s.inTx(ctx, func(c *conn) error {
		old, err := c.incidentSettings()
		if err != nil {
			return err
		}
		return c.putPracticeSetting(actor, settingIncidentRules, old, in)
	})
	return in, err
}

// checkIncidentRules is the check Store.Transition makes once the target
// status is known: a customer may reopen an incident only within the reopen
// window, and an incident is resolved with one of the resolution codes
// (in.Resolution is set to the code as the list spells it).
func (c *conn) checkIncidentRules(actor directory.Actor, t ticket.Ticket, to ticket.Status, in *TransitionInput) error {
	if t.Type != ticket.TypeIncident {
		return nil
	}
	st, err := c.incidentSettings()
	if err != nil {
		return err
	}
	if ticket.IsReopen(t.StatusCategory, to.Category) && t.ResolvedAt != nil {
		if err := st.MayReopen(actor.Role, *t.ResolvedAt, c.now); err != nil {
			return err
		}
	}
	// Resolving checks the code; closing a resolved incident keeps its code
	// unless another is given.
	if to.Category == ticket.CategoryDone && (t.StatusCategory != ticket.CategoryDone || strings.TrimSpace(in.Resolution) != "") {
		code, err := st.Resolution(in.Resolution)
		if err != nil {
			return err
		}
		in.Resolution = code
	}
	return nil
}

// incidentMove takes a transition inside the caller's transaction, exactly
// as Store.Transition does (which opens its own): problems resolve their
// incidents and reopening raises new ones in one transaction with it.
func (c *conn) incidentMove(actor directory.Actor, t ticket.Ticket, in TransitionInput) (ticket.Ticket, error) {
	wf, err := c.workflow(t.WorkflowID)
	if err != nil {
		return t, err
	}
	tr, err := wf.Find(t.Status, actor.Role, in.To)
	if err != nil {
		return t, err
	}
	to, err := statusOf(wf, tr.To)
	if err != nil {
		return t, err
	}
	if err := c.checkIncidentRules(actor, t, to, &in); err != nil {
		return t, err
	}
	next := t
	next.Status, next.StatusCategory = to.Name, to.Category
	if in.AssigneeID != 0 {
		if !actor.Role.Staff() {
			return t, errs.Invalid("assignee", "only agents may set the assignee")
		}
		if next.Assignee, err = c.assignable("assignee", in.AssigneeID, t.ServiceID); err != nil {
			return t, err
		}
		next.AssigneeID = in.AssigneeID
	}
	in.Resolution = strings.TrimSpace(in.Resolution)
	if len(in.Resolution) > ticket.MaxResolution {
		return t, errs.Invalid("resolution", "must be at most %d characters", ticket.MaxResolution)
	}
	resolvedAt := any(nil)
	if to.Category == ticket.CategoryDone {
		next.Resolution = in.Resolution
		if next.Resolution == "" && t.StatusCategory == ticket.CategoryDone {
			next.Resolution = t.Resolution
		}
		if next.Resolution == "" {
			next.Resolution = "Done"
		}
		if t.ResolvedAt != nil && t.StatusCategory == ticket.CategoryDone {
			resolvedAt = millis(*t.ResolvedAt)
		} else {
			resolvedAt = millis(c.now)
		}
	} else {
		if in.Resolution != "" {
			return t, errs.Invalid("resolution", "only a transition to a done status takes a resolution")
		}
		next.Resolution = ""
	}
	for _, f := range tr.RequiredFields {
		if missing(f, next, in) {
			return t, &errs.Error{Kind: errs.KindInvalid, Code: "required_field", Field: f,
				Message: fmt.Sprintf("is required to %s %s", strings.ToLower(tr.Name), t.Key)}
		}
	}
	_, err = c.exec(`UPDATE tickets SET status = ?, status_category = ?, resolution = ?, resolved_at = ?, assignee_id = ?, updated_at = ? WHERE id = ?`,
		next.Status, string(next.StatusCategory), next.Resolution, resolvedAt, nullID(next.AssigneeID), millis(c.now), t.ID)
	if err != nil {
		return t, fmt.Errorf("transition %s: %w", t.Key, err)
	}
	if err := c.appendEvent("ticket", t.ID, ticket.EventTransitioned, actor, map[string]any{
		"transition": tr.ID, "from_category": t.StatusCategory, "to_category": next.StatusCategory,
		"changes": diffTicket(t, next),
	}); err != nil {
		return t, err
	}
	if strings.TrimSpace(in.Comment) != "" {
		if _, err := c.addComment(actor, t, in.Comment, in.Internal); err != nil {
			return t, err
		}
	}
	return c.ticket(directory.System, t.Key)
}

// practiceRaise is a ticket raised by the practices themselves: a problem
// made while grouping incidents, or the incident that replaces one reopened
// too late. Everything in it is chosen by Cairn or checked by the caller.
type practiceRaise struct {
	Type           ticket.Type
	ServiceID      int64
	Summary        string
	Description    string
	ReporterID     int64
	OrganizationID int64
	Impact         ticket.Level
	Urgency        ticket.Level
	Channel        ticket.Channel
}

// incidentRaise raises a ticket inside the caller's transaction, the way
// CreateTicket does: number, row and ticket.created event.
func (c *conn) incidentRaise(actor directory.Actor, in practiceRaise) (ticket.Ticket, error) {
	var t ticket.Ticket
	var err error
	if t.Summary, err = ticket.CleanSummary(in.Summary); err != nil {
		return t, err
	}
	if t.Description, err = ticket.CleanDescription(in.Description); err != nil {
		return t, err
	}
	svc, err := c.service(in.ServiceID)
	if errs.Is(err, errs.KindNotFound) {
		return t, errs.Invalid("service", "%s", err.Error())
	}
	if err != nil {
		return t, err
	}
	if svc.Status == catalog.ServiceRetired {
		return t, errs.Invalid("service", "service %q is retired", svc.Name)
	}
	reporter, err := c.user(in.ReporterID)
	if err != nil {
		return t, errs.Invalid("reporter", "no user with id %d", in.ReporterID)
	}
	t.Type, t.ServiceID, t.Service = in.Type, svc.ID, svc.Name
	t.ReporterID, t.Reporter, t.ReporterEmail = reporter.ID, reporter.Name, reporter.Email
	t.OrganizationID, t.TeamID = in.OrganizationID, svc.OwnerTeamID
	t.Impact, t.Urgency, t.Channel, t.Fields = in.Impact, in.Urgency, in.Channel, map[string]any{}
	if t.Channel == "" {
		t.Channel = ticket.ChannelAgent
	}
	t.Priority = ticket.PriorityMedium
	if t.Type == ticket.TypeIncident {
		if t.Priority, err = c.matrixPriority(t.Impact, t.Urgency); err != nil {
			return t, err
		}
	}
	wf, err := c.defaultWorkflow(t.Type)
	if err != nil {
		return t, err
	}
	st, err := statusOf(wf, wf.Initial)
	if err != nil {
		return t, err
	}
	t.WorkflowID, t.Status, t.StatusCategory = wf.ID, st.Name, st.Category
	var deskID, number int64
	var deskKey string
	err = c.row(`UPDATE desks SET next_number = next_number + 1 WHERE id = (SELECT desk_id FROM services WHERE id = ?)
		RETURNING id, key, next_number - 1`, svc.ID).Scan(&deskID, &deskKey, &number)
	if err != nil {
		return t, fmt.Errorf("number ticket: %w", err)
	}
	t.Key = fmt.Sprintf("%s-%d", deskKey, number)
	t.ID, err = c.insert(`INSERT INTO tickets (key, desk_id, number, type, service_id, summary, description,
		reporter_id, organization_id, team_id, workflow_id, status, status_category, priority, priority_rank,
		impact, urgency, fields, channel, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.Key, deskID, number, string(t.Type), t.ServiceID, t.Summary, t.Description,
		t.ReporterID, nullID(t.OrganizationID), nullID(t.TeamID), t.WorkflowID, t.Status, string(t.StatusCategory),
		string(t.Priority), t.Priority.Rank(), string(t.Impact), string(t.Urgency), "{}", string(t.Channel), millis(c.now), millis(c.now))
	if err != nil {
		return t, fmt.Errorf("insert ticket: %w", err)
	}
	if err := c.appendEvent("ticket", t.ID, ticket.EventCreated, actor, createdEvent(t)); err != nil {
		return t, err
	}
	return c.ticket(directory.System, t.Key)
}

// incidentLink links src to dst inside the caller's transaction, as AddLink
// does, but leaves an existing link of the same kind alone (false) instead
// of failing, so that grouping twice is harmless.
func (c *conn) incidentLink(actor directory.Actor, src, dst ticket.Ticket, kind ticket.LinkKind) (int64, bool, error) {
	if src.ID == dst.ID {
		return 0, false, errs.Invalid("ticket", "a ticket cannot link to itself")
	}
	id, err := c.insert(`INSERT INTO ticket_links (source_id, target_id, kind, created_by, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (source_id, target_id, kind) DO NOTHING`, src.ID, dst.ID, string(kind), nullID(actor.UserID), millis(c.now))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("link %s to %s: %w", src.Key, dst.Key, err)
	}
	if err := c.appendEvent("ticket", src.ID, ticket.EventLinked, actor, map[string]any{"link_id": id, "kind": kind, "ticket": dst.Key}); err != nil {
		return 0, false, err
	}
	if err := c.appendEvent("ticket", dst.ID, ticket.EventLinked, actor, map[string]any{"link_id": id, "kind": kind.Inverse(), "ticket": src.Key}); err != nil {
		return 0, false, err
	}
	return id, true, nil
}

// practiceTouch marks a ticket as changed now.
func (c *conn) practiceTouch(id int64) error {
	_, err := c.exec(`UPDATE tickets SET updated_at = ? WHERE id = ?`, millis(c.now), id)
	return err
}

// practiceTicket reads a ticket that only agents may work: a customer learns
// first whether they may see it (404), then that they may not do this (403).
func (c *conn) practiceTicket(actor directory.Actor, key, what string) (ticket.Ticket, error) {
	t, err := c.ticket(actor, key)
	if err != nil {
		return t, err
	}
	if !actor.Role.Staff() {
		return t, errs.Forbidden("only agents may %s", what)
	}
	return t, nil
}

// practiceWrongType refuses a command meant for another type of ticket.
func practiceWrongType(t ticket.Ticket, want ticket.Type) error {
	if t.Type == want {
		return nil
	}
	return errs.Conflict("wrong_type", "%s is a %s, not a%s %s", t.Key, strings.ReplaceAll(string(t.Type), "_", " "),
		map[bool]string{true: "n"}[want == ticket.TypeIncident], want)
}

// Reopening.

// ReopenResult says what reopening did: reopened the incident, or raised a
// new one linked to it because the reopen window had passed.
type ReopenResult struct {
	Ticket   ticket.Ticket `json:"ticket"`   // the reopened incident, or the new one
	Reopened bool          `json:"reopened"` // false: Ticket is a new incident
	Original string        `json:"original"` // the key asked for
}

// ReopenIncident reopens a resolved incident when the actor may (customers
// within the reopen window), or else raises a new incident for the same
// service, linked to the old one (relates_to), in one transaction. The
// comment goes on the reopened incident, or becomes the new one's
// description.
func (s *Store) ReopenIncident(ctx context.Context, actor directory.Actor, key, comment string) (ReopenResult, error) {
	var out ReopenResult
	err := s.inTx(ctx, func(c *conn) error {
		t, err := c.ticket(actor, key)
		if err != nil {
			return err
		}
		out.Original = t.Key
		if err := practiceWrongType(t, ticket.TypeIncident); err != nil {
			return err
		}
		if t.StatusCategory != ticket.CategoryDone {
			return errs.Conflict("not_resolved", "%s is %s, not resolved", t.Key, t.Status)
		}
		st, err := c.incidentSettings()
		if err != nil {
			return err
		}
		wf, err := c.workflow(t.WorkflowID)
		if err != nil {
			return err
		}
		tr, canReopen := wf.ReopenTransition(t.Status, actor.Role)
		inWindow := t.ResolvedAt == nil || st.MayReopen(actor.Role, *t.ResolvedAt, c.now) == nil
		if canReopen && inWindow {
			out.Reopened = true
			out.Ticket, err = c.incidentMove(actor, t, TransitionInput{To: tr.ID, Comment: comment})
			return err
		}
		// Too late, or the workflow has no way back from here (closed):
		// a new incident carries the story on.
		reporter, org := actor.UserID, t.OrganizationID
		if actor.Role.Staff() {
			reporter = t.ReporterID
		} else if org != 0 && org != actor.OrganizationID {
			org = 0
		}
		summary := "Recurrence of " + t.Key + ": " + t.Summary
		summary = practiceClip(summary, ticket.MaxSummary)
		desc := strings.TrimSpace(comment)
		if desc == "" {
			desc = "Raised again after " + t.Key + " was resolved."
		}
		channel := ticket.ChannelPortal
		if actor.Role.Staff() {
			channel = ticket.ChannelAgent
		}
		nt, err := c.incidentRaise(actor, practiceRaise{Type: ticket.TypeIncident, ServiceID: t.ServiceID, Summary: summary,
			Description: desc, ReporterID: reporter, OrganizationID: org, Impact: t.Impact, Urgency: t.Urgency, Channel: channel})
		if err != nil {
			return err
		}
		if _, _, err := c.incidentLink(actor, nt, t, ticket.LinkRelates); err != nil {
			return err
		}
		if err := c.appendEvent("ticket", t.ID, ticket.EventReraised, actor, map[string]any{"ticket": nt.Key}); err != nil {
			return err
		}
		out.Ticket = nt
		return nil
	})
	return out, err
}

// Major incidents.

// DeclareMajorIncident flags an open incident as major, with the reason.
func (s *Store) DeclareMajorIncident(ctx context.Context, actor directory.Actor, key, reason string) (ticket.MajorIncident, error) {
	reason = strings.TrimSpace(reason)
	if len(reason) > ticket.MaxReason {
		return ticket.MajorIncident{}, errs.Invalid("reason", "must be at most %d characters", ticket.MaxReason)
	}
	var out ticket.MajorIncident
	err := s.inTx(ctx, func(c *conn) error {
		t, err := c.practiceTicket(actor, key, "declare major incidents")
		if err != nil {
			return err
		}
		if err := practiceWrongType(t, ticket.TypeIncident); err != nil {
			return err
		}
		if t.StatusCategory == ticket.CategoryDone {
			return errs.Conflict("resolved", "%s is %s; reopen it before declaring it major", t.Key, t.Status)
		}
		if m, found, err := c.majorIncident(t.ID); err != nil {
			return err
		} else if found && m.Active {
			return errs.Conflict("already_major", "%s is a major incident already", t.Key)
		}
		_, err = c.exec(`INSERT INTO major_incidents (ticket_id, active, reason, declared_by, declared_at) VALUES (?, TRUE, ?, ?, ?)
			ON CONFLICT (ticket_id) DO UPDATE SET active = TRUE, reason = excluded.reason, declared_by = excluded.declared_by,
			declared_at = excluded.declared_at, ended_by = NULL, ended_at = NULL`, t.ID, reason, nullID(actor.UserID), millis(c.now))
		if err != nil {
			return fmt.Errorf("declare %s major: %w", t.Key, err)
		}
		if err := c.appendEvent("ticket", t.ID, ticket.EventMajorDeclared, actor, map[string]any{"reason": reason}); err != nil {
			return err
		}
		if err := c.practiceTouch(t.ID); err != nil {
			return err
		}
		out, _, err = c.majorIncident(t.ID)
		return err
	})
	return out, err
}

// EndMajorIncident takes the major flag off an incident.
func (s *Store) EndMajorIncident(ctx context.Context, actor directory.Actor, key string) (ticket.MajorIncident, error) {
	var out ticket.MajorIncident
	err := s.inTx(ctx, func(c *conn) error {
		t, err := c.practiceTicket(actor, key, "end major incidents")
		if err != nil {
			return err
		}
		m, found, err := c.majorIncident(t.ID)
		if err != nil {
			return err
		}
		if !found || !m.Active {
			return errs.Conflict("not_major", "%s is not a major incident", t.Key)
		}
		if _, err := c.exec(`UPDATE major_incidents SET active = FALSE, ended_by = ?, ended_at = ? WHERE ticket_id = ?`,
			nullID(actor.UserID), millis(c.now), t.ID); err != nil {
			return fmt.Errorf("end %s major: %w", t.Key, err)
		}
		if err := c.appendEvent("ticket", t.ID, ticket.EventMajorEnded, actor, map[string]any{"declared_at": m.DeclaredAt}); err != nil {
			return err
		}
		if err := c.practiceTouch(t.ID); err != nil {
			return err
		}
		out, _, err = c.majorIncident(t.ID)
		return err
	})
	return out, err
}

// MajorIncident gives an incident's major flag; found is false when it
// was never declared major.
func (s *Store) MajorIncident(ctx context.Context, actor directory.Actor, key string) (m ticket.MajorIncident, found bool, err error) {
	c := s.reader(ctx)
	t, err := c.ticket(actor, key)
	if err != nil {
		return m, false, err
	}
	return c.majorIncident(t.ID)
}

func (c *conn) majorIncident(ticketID int64) (ticket.MajorIncident, bool, error) {
	var m ticket.MajorIncident
	var declared int64
	var ended sql.NullInt64
	err := c.row(`SELECT mi.active, mi.reason, COALESCE(mi.declared_by, 0), COALESCE(d.name, 'Cairn'), mi.declared_at,
			COALESCE(mi.ended_by, 0), COALESCE(e.name, ''), mi.ended_at
		FROM major_incidents mi LEFT JOIN users d ON d.id = mi.declared_by LEFT JOIN users e ON e.id = mi.ended_by
		WHERE mi.ticket_id = ?`, ticketID).
		Scan(&m.Active, &m.Reason, &m.DeclaredByID, &m.DeclaredBy, &declared, &m.EndedByID, &m.EndedBy, &ended)
	if errors.Is(err, sql.ErrNoRows) {
		return m, false, nil
	}
	if err != nil {
		return m, false, fmt.Errorf("major incident %d: %w", ticketID, err)
	}
	m.DeclaredAt = fromMillis(declared)
	if ended.Valid {
		e := fromMillis(ended.Int64)
		m.EndedAt = &e
	}
	return m, true, nil
}

// MajorIncidentEntry is one open major incident with its communication log,
// newest update first, and the services it affects.
type MajorIncidentEntry struct {
	Ticket         ticket.Ticket          `json:"ticket"`
	Major          ticket.MajorIncident   `json:"major"`
	Services       []AffectedService      `json:"services"`
	Communications []ticket.Communication `json:"communications"`
}

// MajorIncidents lists the open major incidents the actor may see, the
// latest declared first, each with its whole communication log. Only staff
// may list them.
func (s *Store) MajorIncidents(ctx context.Context, actor directory.Actor) ([]MajorIncidentEntry, error) {
	if !actor.Role.Staff() {
		return nil, errs.Forbidden("only agents may list major incidents")
	}
	c := s.reader(ctx)
	cond, args := visibleTickets(actor)
	rows, err := c.query(`SELECT t.key FROM major_incidents mi JOIN tickets t ON t.id = mi.ticket_id
		WHERE mi.active AND t.status_category <> 'done' AND `+cond+` ORDER BY mi.declared_at DESC, t.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("major incidents: %w", err)
	}
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return nil, err
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []MajorIncidentEntry{}
	for _, k := range keys {
		t, err := c.ticket(actor, k)
		if err != nil {
			return nil, err
		}
		e := MajorIncidentEntry{Ticket: t}
		if e.Major, _, err = c.majorIncident(t.ID); err != nil {
			return nil, err
		}
		if e.Services, err = c.affectedServices(t); err != nil {
			return nil, err
		}
		if e.Communications, err = c.communications(t.ID, true); err != nil {
			return nil, err
		}
		slices.Reverse(e.Communications)
		out = append(out, e)
	}
	return out, nil
}

// The communication log.

// PostCommunication adds a stakeholder update to an incident's
// communication log. Only staff write them.
func (s *Store) PostCommunication(ctx context.Context, actor directory.Actor, key string, audience ticket.Audience, message string) (ticket.Communication, error) {
	audience, message, err := ticket.CleanCommunication(audience, message)
	if err != nil {
		return ticket.Communication{}, err
	}
	var out ticket.Communication
	err = s.inTx(ctx, func(c *conn) error {
		t, err := c.practiceTicket(actor, key, "post to the communication log")
		if err != nil {
			return err
		}
		if err := practiceWrongType(t, ticket.TypeIncident); err != nil {
			return err
		}
		out = ticket.Communication{TicketID: t.ID, Audience: audience, Message: message, AuthorID: actor.UserID, Author: actor.Name, CreatedAt: c.now}
		out.ID, err = c.insert(`INSERT INTO incident_communications (ticket_id, audience, message, author_id, created_at) VALUES (?, ?, ?, ?, ?)`,
			t.ID, string(audience), message, nullID(actor.UserID), millis(c.now))
		if err != nil {
			return fmt.Errorf("communication on %s: %w", t.Key, err)
		}
		if err := c.practiceTouch(t.ID); err != nil {
			return err
		}
		// "internal" hides the event from customers' history, as for notes.
		return c.appendEvent("ticket", t.ID, ticket.EventCommunication, actor, map[string]any{
			"communication_id": out.ID, "audience": audience, "internal": audience == ticket.AudienceInternal,
		})
	})
	if out.Author == "" {
		out.Author = "Cairn"
	}
	return out, err
}

// Communications lists an incident's communication log, oldest first.
// Customers see only the updates written for customers.
func (s *Store) Communications(ctx context.Context, actor directory.Actor, key string) ([]ticket.Communication, error) {
	c := s.reader(ctx)
	t, err := c.ticket(actor, key)
	if err != nil {
		return nil, err
	}
	return c.communications(t.ID, actor.Role.Staff())
}

func (c *conn) communications(ticketID int64, internalToo bool) ([]ticket.Communication, error) {
	q := `SELECT ic.id, ic.audience, ic.message, COALESCE(ic.author_id, 0), COALESCE(u.name, 'Cairn'), ic.created_at
		FROM incident_communications ic LEFT JOIN users u ON u.id = ic.author_id WHERE ic.ticket_id = ?`
	if !internalToo {
		q += ` AND ic.audience = 'customers'`
	}
	rows, err := c.query(q+` ORDER BY ic.id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("communications of %d: %w", ticketID, err)
	}
	defer rows.Close()
	out := []ticket.Communication{}
	for rows.Next() {
		cm := ticket.Communication{TicketID: ticketID}
		var audience string
		var created int64
		if err := rows.Scan(&cm.ID, &audience, &cm.Message, &cm.AuthorID, &cm.Author, &created); err != nil {
			return nil, err
		}
		cm.Audience, cm.CreatedAt = ticket.Audience(audience), fromMillis(created)
		out = append(out, cm)
	}
	return out, rows.Err()
}

// Affected services.

// AffectedService is a service a ticket affects: its own (Primary) or one
// added since.
type AffectedService struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Primary bool   `json:"primary"`
}

// AffectedServices lists the services a ticket affects: its own first,
// then the others by name.
func (s *Store) AffectedServices(ctx context.Context, actor directory.Actor, key string) ([]AffectedService, error) {
	c := s.reader(ctx)
	t, err := c.ticket(actor, key)
	if err != nil {
		return nil, err
	}
	return c.affectedServices(t)
}

func (c *conn) affectedServices(t ticket.Ticket) ([]AffectedService, error) {
	out := []AffectedService{{ID: t.ServiceID, Name: t.Service, Primary: true}}
	rows, err := c.query(`SELECT s.id, s.name FROM ticket_services ts JOIN services s ON s.id = ts.service_id
		WHERE ts.ticket_id = ? AND s.id <> ? ORDER BY lower(s.name), s.id`, t.ID, t.ServiceID)
	if err != nil {
		return nil, fmt.Errorf("affected services of %s: %w", t.Key, err)
	}
	defer rows.Close()
	for rows.Next() {
		var a AffectedService
		if err := rows.Scan(&a.ID, &a.Name); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// SetAffectedServices replaces the services an incident or problem affects
// besides its own. refs name services by id or name; the ticket's own
// service is always affected and may be left out.
func (s *Store) SetAffectedServices(ctx context.Context, actor directory.Actor, key string, refs []string) ([]AffectedService, error) {
	var out []AffectedService
	err := s.inTx(ctx, func(c *conn) error {
		t, err := c.practiceTicket(actor, key, "change the affected services")
		if err != nil {
			return err
		}
		if t.Type != ticket.TypeIncident && t.Type != ticket.TypeProblem {
			return errs.Conflict("wrong_type", "%s is a %s; only incidents and problems list affected services", t.Key, t.Type)
		}
		want := map[int64]catalog.Service{}
		for i, ref := range refs {
			if strings.TrimSpace(ref) == "" {
				continue
			}
			svc, err := c.serviceRef(ref)
			field := fmt.Sprintf("services[%d]", i)
			if errs.Is(err, errs.KindNotFound) {
				return errs.Invalid(field, "%s", err.Error())
			}
			if err != nil {
				return err
			}
			if svc.ID == t.ServiceID {
				continue
			}
			if svc.Status == catalog.ServiceRetired {
				return errs.Invalid(field, "service %q is retired", svc.Name)
			}
			want[svc.ID] = svc
		}
		before, err := c.affectedServices(t)
		if err != nil {
			return err
		}
		had := map[int64]string{}
		for _, a := range before[1:] {
			had[a.ID] = a.Name
		}
		var added, removed []string
		for id, svc := range want {
			if _, ok := had[id]; ok {
				continue
			}
			if _, err := c.exec(`INSERT INTO ticket_services (ticket_id, service_id, created_by, created_at) VALUES (?, ?, ?, ?)`,
				t.ID, id, nullID(actor.UserID), millis(c.now)); err != nil {
				return fmt.Errorf("affected service of %s: %w", t.Key, err)
			}
			added = append(added, svc.Name)
		}
		for id, name := range had {
			if _, ok := want[id]; ok {
				continue
			}
			if _, err := c.exec(`DELETE FROM ticket_services WHERE ticket_id = ? AND service_id = ?`, t.ID, id); err != nil {
				return fmt.Errorf("affected service of %s: %w", t.Key, err)
			}
			removed = append(removed, name)
		}
		if out, err = c.affectedServices(t); err != nil {
			return err
		}
		if len(added)+len(removed) == 0 {
			return nil
		}
		slices.Sort(added)
		slices.Sort(removed)
		if err := c.practiceTouch(t.ID); err != nil {
			return err
		}
		return c.appendEvent("ticket", t.ID, ticket.EventAffectedServices, actor, map[string]any{"added": added, "removed": removed})
	})
	return out, err
}

// What caused an incident.

// RelatedTicket is a ticket linked to another, with its type: the problem
// or change behind an incident, or an incident of a problem.
type RelatedTicket struct {
	LinkID         int64           `json:"link_id"`
	Key            string          `json:"key"`
	Type           ticket.Type     `json:"type"`
	Summary        string          `json:"summary"`
	Status         string          `json:"status"`
	StatusCategory ticket.Category `json:"status_category"`
	Priority       ticket.Priority `json:"priority"`
}

// IncidentCauses lists the problems and changes an incident is caused by,
// among those the actor may see.
func (s *Store) IncidentCauses(ctx context.Context, actor directory.Actor, key string) ([]RelatedTicket, error) {
	c := s.reader(ctx)
	t, err := c.ticket(actor, key)
	if err != nil {
		return nil, err
	}
	cond, args := visibleTickets(actor)
	return c.practiceRelated(`SELECT l.id, t.key, t.type, t.summary, t.status, t.status_category, t.priority
		FROM ticket_links l JOIN tickets t ON t.id = l.target_id
		WHERE l.source_id = ? AND l.kind = 'caused_by' AND t.type IN ('problem', 'change') AND `+cond+` ORDER BY l.id`,
		append([]any{t.ID}, args...)...)
}

func (c *conn) practiceRelated(query string, args ...any) ([]RelatedTicket, error) {
	rows, err := c.query(query, args...)
	if err != nil {
		return nil, fmt.Errorf("related tickets: %w", err)
	}
	defer rows.Close()
	out := []RelatedTicket{}
	for rows.Next() {
		var r RelatedTicket
		var typ, cat, prio string
		if err := rows.Scan(&r.LinkID, &r.Key, &typ, &r.Summary, &r.Status, &cat, &prio); err != nil {
			return nil, err
		}
		r.Type, r.StatusCategory, r.Priority = ticket.Type(typ), ticket.Category(cat), ticket.Priority(prio)
		out = append(out, r)
	}
	return out, rows.Err()
}

// LinkIncidentCause records that an incident is caused by a problem or a
// change (a caused_by link from the incident).
func (s *Store) LinkIncidentCause(ctx context.Context, actor directory.Actor, key, causeKey string) (RelatedTicket, error) {
	if strings.TrimSpace(causeKey) == "" {
		return RelatedTicket{}, errs.Required("ticket")
	}
	var out RelatedTicket
	err := s.inTx(ctx, func(c *conn) error {
		t, err := c.practiceTicket(actor, key, "link tickets")
		if err != nil {
			return err
		}
		if err := practiceWrongType(t, ticket.TypeIncident); err != nil {
			return err
		}
		cause, err := c.ticket(actor, causeKey)
		if errs.Is(err, errs.KindNotFound) {
			return errs.Invalid("ticket", "no ticket %s", strings.ToUpper(strings.TrimSpace(causeKey)))
		}
		if err != nil {
			return err
		}
		if cause.Type != ticket.TypeProblem && cause.Type != ticket.TypeChange {
			return errs.Invalid("ticket", "%s is a %s; an incident is caused by a problem or a change", cause.Key, strings.ReplaceAll(string(cause.Type), "_", " "))
		}
		id, created, err := c.incidentLink(actor, t, cause, ticket.LinkCausedBy)
		if err != nil {
			return err
		}
		if !created {
			return errs.Conflict("duplicate", "%s is already linked as caused by %s", t.Key, cause.Key)
		}
		out = RelatedTicket{LinkID: id, Key: cause.Key, Type: cause.Type, Summary: cause.Summary, Status: cause.Status,
			StatusCategory: cause.StatusCategory, Priority: cause.Priority}
		return nil
	})
	return out, err
}

// practiceKeys reads a list of keys from a form or body: trimmed, upper
// case, without blanks or repeats.
func practiceKeys(keys []string) []string {
	var out []string
	for _, k := range keys {
		k = strings.ToUpper(strings.TrimSpace(k))
		if k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// practiceClip shortens s to at most n bytes, on a character boundary, ending
// with "…" when it cut.
func practiceClip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
