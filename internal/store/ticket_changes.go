package store

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"strings"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// TicketPatch holds the fields to change; nil means "leave as it is".
// Setting AssigneeID, TeamID or OrganizationID to 0 clears them.
type TicketPatch struct {
	Summary        *string
	Description    *string
	Priority       *string
	Impact         *string
	Urgency        *string
	AssigneeID     *int64
	TeamID         *int64
	OrganizationID *int64
	Fields         map[string]any // merged into the current values; null removes
}

// onlyCustomerFields reports whether the patch holds only what a customer may
// change; if not, it names the first other field.
func (p TicketPatch) onlyCustomerFields() (string, bool) {
	switch {
	case p.Summary != nil:
		return "summary", false
	case p.Description != nil:
		return "description", false
	case p.Priority != nil:
		return "priority", false
	case p.Impact != nil:
		return "impact", false
	case p.Urgency != nil:
		return "urgency", false
	case p.AssigneeID != nil:
		return "assignee", false
	case p.TeamID != nil:
		return "team", false
	case p.Fields != nil:
		return "fields", false
	}
	return "", true
}

// UpdateTicket changes a ticket's fields and records each change in the log.
// Customers may only share or unshare their request with their organization.
func (s *Store) UpdateTicket(ctx context.Context, actor directory.Actor, key string, p TicketPatch) (ticket.Ticket, error) {
	if !actor.Role.Staff() {
		if field, ok := p.onlyCustomerFields(); !ok {
			// Hide the ticket's existence first, then refuse.
			if _, err := s.Ticket(ctx, actor, key); err != nil {
				return ticket.Ticket{}, err
			}
			return ticket.Ticket{}, errs.Forbidden("customers may not change the %s", field)
		}
	}
	var out ticket.Ticket
	err := s.inTx(ctx, func(c *conn) error {
		t, err := c.ticket(actor, key)
		if err != nil {
			return err
		}
		next := t
		if p.Summary != nil {
			if next.Summary, err = ticket.CleanSummary(*p.Summary); err != nil {
				return err
			}
		}
		if p.Description != nil {
			if next.Description, err = ticket.CleanDescription(*p.Description); err != nil {
				return err
			}
		}
		if p.Impact != nil {
			if next.Impact, err = parseLevel("impact", *p.Impact); err != nil {
				return err
			}
		}
		if p.Urgency != nil {
			if next.Urgency, err = parseLevel("urgency", *p.Urgency); err != nil {
				return err
			}
		}
		if p.Priority != nil {
			pr, ok := ticket.ParsePriority(*p.Priority)
			if !ok {
				return errs.Invalid("priority", "must be one of Highest, High, Medium, Low, Lowest")
			}
			next.Priority = pr
		} else if next.Type == ticket.TypeIncident && (next.Impact != t.Impact || next.Urgency != t.Urgency) {
			if next.Priority, err = c.matrixPriority(next.Impact, next.Urgency); err != nil {
				return err
			}
		}
		if p.AssigneeID != nil {
			next.AssigneeID, next.Assignee = *p.AssigneeID, ""
			if next.AssigneeID != 0 {
				if next.Assignee, err = c.assignable("assignee", next.AssigneeID, t.ServiceID); err != nil {
					return err
				}
			}
		}
		if p.TeamID != nil {
			next.TeamID = *p.TeamID
			if next.TeamID != 0 {
				if err := c.mustExist("teams", "team", next.TeamID); err != nil {
					return err
				}
			}
		}
		if p.OrganizationID != nil {
			if !actor.Role.Staff() && t.ReporterID != actor.UserID && *p.OrganizationID != t.OrganizationID {
				return errs.Forbidden("only the reporter may share or unshare a request")
			}
			next.OrganizationID = *p.OrganizationID
			if next.OrganizationID != 0 {
				if !actor.Role.Staff() && next.OrganizationID != actor.OrganizationID {
					return errs.Invalid("organization", "you can share a request only with your own organization")
				}
				if err := c.mustExist("organizations", "organization", next.OrganizationID); err != nil {
					return err
				}
			}
		}
		if p.Fields != nil {
			if next.Fields, err = c.mergeFields(t, p.Fields); err != nil {
				return err
			}
		}
		changes := diffTicket(t, next)
		if len(changes) == 0 {
			out = t
			return nil
		}
		fields, _ := json.Marshal(next.Fields)
		_, err = c.exec(`UPDATE tickets SET summary = ?, description = ?, priority = ?, priority_rank = ?, impact = ?, urgency = ?,
			assignee_id = ?, team_id = ?, organization_id = ?, fields = ?, updated_at = ? WHERE id = ?`,
			next.Summary, next.Description, string(next.Priority), next.Priority.Rank(), string(next.Impact), string(next.Urgency),
			nullID(next.AssigneeID), nullID(next.TeamID), nullID(next.OrganizationID), string(fields), millis(c.now), t.ID)
		if err != nil {
			return fmt.Errorf("update ticket %s: %w", t.Key, err)
		}
		if err := c.appendEvent("ticket", t.ID, ticket.EventUpdated, actor, map[string]any{"changes": changes}); err != nil {
			return err
		}
		out, err = c.ticket(directory.System, t.Key)
		return err
	})
	return out, err
}

func parseLevel(field, s string) (ticket.Level, error) {
	if s == "" {
		return "", nil
	}
	l, ok := ticket.ParseLevel(s)
	if !ok {
		return "", errs.Invalid(field, "must be one of high, medium, low")
	}
	return l, nil
}

// mergeFields applies changed custom field values and validates the result
// against the request type's current form.
func (c *conn) mergeFields(t ticket.Ticket, patch map[string]any) (map[string]any, error) {
	if t.RequestTypeID == 0 {
		for k := range patch {
			return nil, errs.Invalid("fields."+k, "this ticket has no request type, so no form fields")
		}
		return t.Fields, nil
	}
	rt, err := c.requestType(t.RequestTypeID)
	if err != nil {
		return nil, err
	}
	merged := maps.Clone(t.Fields)
	if merged == nil {
		merged = map[string]any{}
	}
	for k, v := range patch {
		if v == nil {
			delete(merged, k)
		} else {
			merged[k] = v
		}
	}
	// Values already stored were normalized; re-encode them to what a client
	// would have sent so that validation reads them the same way.
	raw, _ := json.Marshal(merged)
	var generic map[string]any
	_ = json.Unmarshal(raw, &generic)
	return catalog.ValidateValues(rt.Fields, generic, c.staffOrUserExists(false))
}

// diffTicket lists the fields that differ, by the names the API uses.
func diffTicket(a, b ticket.Ticket) []ticket.Change {
	var out []ticket.Change
	add := func(field string, from, to any) {
		if !reflect.DeepEqual(from, to) {
			out = append(out, ticket.Change{Field: field, From: from, To: to})
		}
	}
	add("summary", a.Summary, b.Summary)
	add("description", a.Description, b.Description)
	add("priority", a.Priority, b.Priority)
	add("impact", a.Impact, b.Impact)
	add("urgency", a.Urgency, b.Urgency)
	add("assignee_id", a.AssigneeID, b.AssigneeID)
	add("team_id", a.TeamID, b.TeamID)
	add("organization_id", a.OrganizationID, b.OrganizationID)
	add("status", a.Status, b.Status)
	add("resolution", a.Resolution, b.Resolution)
	keys := map[string]bool{}
	for k := range a.Fields {
		keys[k] = true
	}
	for k := range b.Fields {
		keys[k] = true
	}
	for k := range keys {
		ra, _ := json.Marshal(a.Fields[k])
		rb, _ := json.Marshal(b.Fields[k])
		if string(ra) != string(rb) {
			out = append(out, ticket.Change{Field: "fields." + k, From: a.Fields[k], To: b.Fields[k]})
		}
	}
	return out
}

// Transitions lists the transitions the actor may take on a ticket now.
func (s *Store) Transitions(ctx context.Context, actor directory.Actor, key string) ([]ticket.Transition, error) {
	c := s.reader(ctx)
	t, err := c.ticket(actor, key)
	if err != nil {
		return nil, err
	}
	wf, err := c.workflow(t.WorkflowID)
	if err != nil {
		return nil, err
	}
	out := wf.Available(t.Status, actor.Role)
	if out == nil {
		out = []ticket.Transition{}
	}
	return out, nil
}

// TransitionInput is a transition with the values it may require.
type TransitionInput struct {
	To         string // a transition id, name or target status
	Comment    string
	Internal   bool
	Resolution string
	AssigneeID int64
}

// Transition moves a ticket along its workflow. The comment, resolution and
// assignee given with it are saved in the same transaction.
func (s *Store) Transition(ctx context.Context, actor directory.Actor, key string, in TransitionInput) (ticket.Ticket, error) {
	var out ticket.Ticket
	err := s.inTx(ctx, func(c *conn) error {
		t, err := c.ticket(actor, key)
		if err != nil {
			return err
		}
		wf, err := c.workflow(t.WorkflowID)
		if err != nil {
			return err
		}
		tr, err := wf.Find(t.Status, actor.Role, in.To)
		if err != nil {
			return err
		}
		to, err := statusOf(wf, tr.To)
		if err != nil {
			return err
		}
		if err := c.checkIncidentRules(actor, t, to, &in); err != nil {
			return err
		}
		if err := c.beforeTransition(actor, t, to); err != nil {
			return err
		}
		next := t
		next.Status, next.StatusCategory = to.Name, to.Category
		if in.AssigneeID != 0 {
			if !actor.Role.Staff() {
				return errs.Invalid("assignee", "only agents may set the assignee")
			}
			if next.Assignee, err = c.assignable("assignee", in.AssigneeID, t.ServiceID); err != nil {
				return err
			}
			next.AssigneeID = in.AssigneeID
		}
		in.Resolution = strings.TrimSpace(in.Resolution)
		if len(in.Resolution) > 100 {
			return errs.Invalid("resolution", "must be at most 100 characters")
		}
		resolvedAt := any(nil)
		if to.Category == ticket.CategoryDone {
			next.Resolution = in.Resolution
			if next.Resolution == "" && t.StatusCategory == ticket.CategoryDone {
				next.Resolution = t.Resolution // closing a resolved ticket keeps how it was resolved
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
				return errs.Invalid("resolution", "only a transition to a done status takes a resolution")
			}
			next.Resolution = ""
		}
		for _, f := range tr.RequiredFields {
			if missing(f, next, in) {
				return &errs.Error{Kind: errs.KindInvalid, Code: "required_field", Field: f,
					Message: fmt.Sprintf("is required to %s", strings.ToLower(tr.Name))}
			}
		}
		_, err = c.exec(`UPDATE tickets SET status = ?, status_category = ?, resolution = ?, resolved_at = ?, assignee_id = ?, updated_at = ? WHERE id = ?`,
			next.Status, string(next.StatusCategory), next.Resolution, resolvedAt, nullID(next.AssigneeID), millis(c.now), t.ID)
		if err != nil {
			return fmt.Errorf("transition %s: %w", t.Key, err)
		}
		if err := c.appendEvent("ticket", t.ID, ticket.EventTransitioned, actor, map[string]any{
			"transition": tr.ID, "from_category": t.StatusCategory, "to_category": next.StatusCategory,
			"changes": diffTicket(t, next),
		}); err != nil {
			return err
		}
		if strings.TrimSpace(in.Comment) != "" {
			if _, err := c.addComment(actor, t, in.Comment, in.Internal); err != nil {
				return err
			}
		}
		out, err = c.ticket(directory.System, t.Key)
		return err
	})
	return out, err
}

func missing(field string, t ticket.Ticket, in TransitionInput) bool {
	switch field {
	case "assignee":
		return t.AssigneeID == 0
	case "team":
		return t.TeamID == 0
	case "priority":
		return t.Priority == ""
	case "resolution":
		return strings.TrimSpace(in.Resolution) == ""
	case "comment":
		return strings.TrimSpace(in.Comment) == ""
	}
	if k, ok := strings.CutPrefix(field, "fields."); ok {
		v, present := t.Fields[k]
		return !present || v == nil || v == ""
	}
	return false
}
