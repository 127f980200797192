package ticket

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
)

// Category groups statuses so that queues, reports and SLAs can speak of
// "open" and "done" whatever a workflow calls its statuses.
type Category string

// The status categories.
const (
	CategoryToDo       Category = "to_do"
	CategoryInProgress Category = "in_progress"
	CategoryDone       Category = "done"
)

// Status is one state of a workflow.
type Status struct {
	Name     string   `json:"name"`
	Category Category `json:"category"`
}

// Transition moves a ticket from one of From (any status when empty) to To.
// Only the listed roles may take it, and only once the required fields are set.
type Transition struct {
	ID             string           `json:"id"`
	Name           string           `json:"name"`
	From           []string         `json:"from"`
	To             string           `json:"to"`
	Roles          []directory.Role `json:"roles"`
	RequiredFields []string         `json:"required_fields,omitempty"`
}

// Workflow is the set of statuses a ticket type moves through.
type Workflow struct {
	ID          int64        `json:"id"`
	Name        string       `json:"name"`
	TicketType  Type         `json:"ticket_type"`
	Initial     string       `json:"initial_status"`
	Statuses    []Status     `json:"statuses"`
	Transitions []Transition `json:"transitions"`
}

// TransitionFields are the ticket fields a transition may require, beyond
// the custom fields of the request type (named "fields.<key>").
var TransitionFields = []string{"assignee", "resolution", "comment", "priority", "team"}

// Status returns the named status (letter case ignored).
func (w *Workflow) Status(name string) (Status, bool) {
	for _, s := range w.Statuses {
		if strings.EqualFold(s.Name, name) {
			return s, true
		}
	}
	return Status{}, false
}

// Available lists the transitions a role may take from a status.
func (w *Workflow) Available(from string, role directory.Role) []Transition {
	var out []Transition
	for _, t := range w.Transitions {
		if t.allows(from, role) {
			out = append(out, t)
		}
	}
	return out
}

func (t Transition) allows(from string, role directory.Role) bool {
	if len(t.From) > 0 && !slices.ContainsFunc(t.From, func(f string) bool { return strings.EqualFold(f, from) }) {
		return false
	}
	if strings.EqualFold(t.To, from) {
		return false
	}
	return slices.Contains(t.Roles, role)
}

// Find picks the transition a request names: by id, or by the status it goes
// to. It answers a conflict when the transition exists but not from this
// status, and forbidden when the role may not take it.
func (w *Workflow) Find(from string, role directory.Role, ref string) (Transition, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return Transition{}, errs.Required("to")
	}
	var known []Transition
	for _, t := range w.Transitions {
		if t.ID == ref || strings.EqualFold(t.To, ref) || strings.EqualFold(t.Name, ref) {
			known = append(known, t)
		}
	}
	if len(known) == 0 {
		if _, ok := w.Status(ref); ok {
			return Transition{}, errs.Conflict("transition_not_allowed", "no transition leads from %q to %q", from, ref)
		}
		return Transition{}, errs.Invalid("to", "%q is neither a status nor a transition of workflow %q", ref, w.Name)
	}
	fromHere := false
	for _, t := range known {
		if t.allows(from, role) {
			return t, nil
		}
		if t.allows(from, directory.RoleAdmin) || t.allows(from, directory.RoleAgent) || t.allows(from, directory.RoleCustomer) {
			fromHere = true
		}
	}
	if fromHere {
		return Transition{}, errs.Forbidden("a %s may not move this ticket to %q", role, known[0].To)
	}
	return Transition{}, errs.Conflict("transition_not_allowed", "no transition leads from %q to %q", from, known[0].To)
}

// Validate checks that a workflow is complete and consistent.
func (w *Workflow) Validate() error {
	w.Name = strings.TrimSpace(w.Name)
	if w.Name == "" {
		return errs.Required("name")
	}
	if !ValidType(string(w.TicketType)) {
		return errs.Invalid("ticket_type", "must be one of incident, service_request, problem, change")
	}
	if len(w.Statuses) == 0 {
		return errs.Invalid("statuses", "a workflow needs at least one status")
	}
	names := map[string]bool{}
	for i, s := range w.Statuses {
		at := fmt.Sprintf("statuses[%d]", i)
		if strings.TrimSpace(s.Name) == "" {
			return errs.Required(at + ".name")
		}
		key := strings.ToLower(s.Name)
		if names[key] {
			return errs.Invalid(at+".name", "status %q is listed twice", s.Name)
		}
		names[key] = true
		switch s.Category {
		case CategoryToDo, CategoryInProgress, CategoryDone:
		default:
			return errs.Invalid(at+".category", "must be one of to_do, in_progress, done")
		}
	}
	if _, ok := w.Status(w.Initial); !ok {
		return errs.Invalid("initial_status", "%q is not a status of this workflow", w.Initial)
	}
	ids := map[string]bool{}
	for i, t := range w.Transitions {
		at := fmt.Sprintf("transitions[%d]", i)
		if t.ID == "" {
			return errs.Required(at + ".id")
		}
		if ids[t.ID] {
			return errs.Invalid(at+".id", "transition id %q is used twice", t.ID)
		}
		ids[t.ID] = true
		if strings.TrimSpace(t.Name) == "" {
			return errs.Required(at + ".name")
		}
		if !names[strings.ToLower(t.To)] {
			return errs.Invalid(at+".to", "%q is not a status of this workflow", t.To)
		}
		for _, f := range t.From {
			if !names[strings.ToLower(f)] {
				return errs.Invalid(at+".from", "%q is not a status of this workflow", f)
			}
		}
		if len(t.Roles) == 0 {
			return errs.Invalid(at+".roles", "at least one role must be allowed")
		}
		for _, r := range t.Roles {
			if !r.Valid() {
				return errs.Invalid(at+".roles", "unknown role %q", r)
			}
		}
		for _, f := range t.RequiredFields {
			if !slices.Contains(TransitionFields, f) && !strings.HasPrefix(f, "fields.") {
				return errs.Invalid(at+".required_fields", "unknown field %q", f)
			}
		}
	}
	return nil
}

var (
	staff     = []directory.Role{directory.RoleAgent, directory.RoleAdmin}
	everybody = []directory.Role{directory.RoleCustomer, directory.RoleAgent, directory.RoleAdmin}
)

// DefaultWorkflows returns the workflow each ticket type starts with. They
// follow ITIL's life cycles; admins may edit them afterwards.
func DefaultWorkflows() []Workflow {
	ws := []Workflow{
		{
			Name: "Incident", TicketType: TypeIncident, Initial: "Open",
			Statuses: []Status{
				{"Open", CategoryToDo}, {"In progress", CategoryInProgress}, {"Pending", CategoryInProgress},
				{"Waiting for customer", CategoryInProgress}, {"Resolved", CategoryDone}, {"Closed", CategoryDone},
			},
			Transitions: []Transition{
				{ID: "start", Name: "Start work", From: []string{"Open", "Pending", "Waiting for customer"}, To: "In progress", Roles: staff},
				{ID: "pend", Name: "Pending", From: []string{"Open", "In progress"}, To: "Pending", Roles: staff},
				{ID: "ask", Name: "Wait for customer", From: []string{"Open", "In progress", "Pending"}, To: "Waiting for customer", Roles: staff},
				{ID: "respond", Name: "Respond", From: []string{"Waiting for customer"}, To: "In progress", Roles: []directory.Role{directory.RoleCustomer}},
				{ID: "resolve", Name: "Resolve", From: []string{"Open", "In progress", "Pending", "Waiting for customer"}, To: "Resolved", Roles: staff},
				{ID: "close", Name: "Close", From: []string{"Resolved"}, To: "Closed", Roles: everybody},
				{ID: "reopen", Name: "Reopen", From: []string{"Resolved"}, To: "Open", Roles: everybody},
			},
		},
		{
			Name: "Service request", TicketType: TypeServiceRequest, Initial: "Waiting for support",
			Statuses: []Status{
				{"Waiting for support", CategoryToDo}, {"Waiting for approval", CategoryToDo}, {"In progress", CategoryInProgress},
				{"Waiting for customer", CategoryInProgress}, {"Resolved", CategoryDone}, {"Canceled", CategoryDone},
			},
			Transitions: []Transition{
				{ID: "approval", Name: "Request approval", From: []string{"Waiting for support"}, To: "Waiting for approval", Roles: staff},
				{ID: "start", Name: "Start work", From: []string{"Waiting for support", "Waiting for approval", "Waiting for customer"}, To: "In progress", Roles: staff},
				{ID: "ask", Name: "Wait for customer", From: []string{"Waiting for support", "In progress"}, To: "Waiting for customer", Roles: staff},
				{ID: "respond", Name: "Respond", From: []string{"Waiting for customer"}, To: "Waiting for support", Roles: []directory.Role{directory.RoleCustomer}},
				{ID: "resolve", Name: "Resolve", From: []string{"Waiting for support", "In progress", "Waiting for customer"}, To: "Resolved", Roles: staff},
				{ID: "cancel", Name: "Cancel request", From: []string{"Waiting for support", "Waiting for approval", "In progress", "Waiting for customer"}, To: "Canceled", Roles: everybody},
				{ID: "reopen", Name: "Reopen", From: []string{"Resolved"}, To: "Waiting for support", Roles: everybody},
			},
		},
		{
			Name: "Problem", TicketType: TypeProblem, Initial: "Open",
			Statuses: []Status{
				{"Open", CategoryToDo}, {"Under investigation", CategoryInProgress}, {"Known error", CategoryInProgress},
				{"Resolved", CategoryDone}, {"Closed", CategoryDone},
			},
			Transitions: []Transition{
				{ID: "investigate", Name: "Investigate", From: []string{"Open"}, To: "Under investigation", Roles: staff},
				{ID: "known_error", Name: "Record known error", From: []string{"Open", "Under investigation"}, To: "Known error", Roles: staff},
				{ID: "resolve", Name: "Resolve", From: []string{"Under investigation", "Known error"}, To: "Resolved", Roles: staff},
				{ID: "close", Name: "Close", From: []string{"Resolved", "Open"}, To: "Closed", Roles: staff},
				{ID: "reopen", Name: "Reopen", From: []string{"Resolved", "Closed"}, To: "Open", Roles: staff},
			},
		},
		{
			Name: "Change", TicketType: TypeChange, Initial: "Planning",
			Statuses: []Status{
				{"Planning", CategoryToDo}, {"Awaiting approval", CategoryToDo}, {"Scheduled", CategoryInProgress},
				{"Implementing", CategoryInProgress}, {"Review", CategoryInProgress}, {"Completed", CategoryDone},
				{"Failed", CategoryDone}, {"Declined", CategoryDone}, {"Canceled", CategoryDone},
			},
			Transitions: []Transition{
				{ID: "submit", Name: "Submit for approval", From: []string{"Planning"}, To: "Awaiting approval", Roles: staff},
				{ID: "approve", Name: "Approve", From: []string{"Awaiting approval"}, To: "Scheduled", Roles: staff},
				{ID: "decline", Name: "Decline", From: []string{"Awaiting approval"}, To: "Declined", Roles: staff},
				{ID: "implement", Name: "Implement", From: []string{"Scheduled"}, To: "Implementing", Roles: staff, RequiredFields: []string{"assignee"}},
				{ID: "review", Name: "Review", From: []string{"Implementing"}, To: "Review", Roles: staff},
				{ID: "complete", Name: "Complete", From: []string{"Review"}, To: "Completed", Roles: staff},
				{ID: "fail", Name: "Mark failed", From: []string{"Implementing", "Review"}, To: "Failed", Roles: staff, RequiredFields: []string{"comment"}},
				{ID: "cancel", Name: "Cancel", From: []string{"Planning", "Awaiting approval", "Scheduled"}, To: "Canceled", Roles: staff},
			},
		},
	}
	// The role lists above are shared package variables; give each caller
	// its own, so that editing a returned workflow cannot change the defaults.
	for i := range ws {
		for j := range ws[i].Transitions {
			ws[i].Transitions[j].Roles = slices.Clone(ws[i].Transitions[j].Roles)
		}
	}
	return ws
}
