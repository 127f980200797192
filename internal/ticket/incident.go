package ticket

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
)

// Incident management's rules beyond the plain ticket: an admin's own
// priority matrix, the window in which a customer may reopen a resolved
// incident, the resolution codes an incident is closed with, and the
// communication log of major incidents.

// Levels lists the impact and urgency levels, highest first.
var Levels = []Level{LevelHigh, LevelMedium, LevelLow}

// Validate checks that the matrix gives a known priority for every impact
// and urgency, and nothing else. Fields are named "high.low" (impact, then
// urgency).
func (m Matrix) Validate() error {
	for impact, row := range m {
		if !slices.Contains(Levels, impact) {
			return errs.Invalid(string(impact), "is not an impact; use high, medium or low")
		}
		for urgency := range row {
			if !slices.Contains(Levels, urgency) {
				return errs.Invalid(string(impact)+"."+string(urgency), "is not an urgency; use high, medium or low")
			}
		}
	}
	for _, impact := range Levels {
		for _, urgency := range Levels {
			field := string(impact) + "." + string(urgency)
			p, ok := m[impact][urgency]
			if !ok || p == "" {
				return errs.Required(field)
			}
			if p.Rank() == 0 {
				return errs.Invalid(field, "must be one of Highest, High, Medium, Low, Lowest")
			}
		}
	}
	return nil
}

// Clone copies the matrix, so that a caller's edits do not reach the
// original (DefaultMatrix above all).
func (m Matrix) Clone() Matrix {
	out := Matrix{}
	for k, row := range m {
		out[k] = maps.Clone(row)
	}
	return out
}

// IncidentSettings are the admin's rules for incidents.
type IncidentSettings struct {
	// ReopenWindowDays is how long after resolution a customer may reopen an
	// incident; later, reopening raises a new incident linked to the old
	// one. 0 lets customers reopen at any time. Agents and admins are not
	// bound by it: they reopen deliberately.
	ReopenWindowDays int `json:"reopen_window_days"`
	// ResolutionCodes are the resolutions an incident may be resolved with.
	ResolutionCodes []string `json:"resolution_codes"`
	// RequireResolutionCode refuses to resolve an incident without a code.
	// Without it, an incident resolved with none gets the workflow's
	// default ("Done"), as other tickets do.
	RequireResolutionCode bool `json:"require_resolution_code"`
}

// DefaultResolutionCodes are the resolution codes a new desk starts with.
// "Won't do" keeps the agent workspace's usual choices valid.
var DefaultResolutionCodes = []string{"Fixed", "Workaround", "Known error", "Duplicate", "Cannot reproduce", "Won't do"}

// DefaultIncidentSettings are the rules of a new desk.
func DefaultIncidentSettings() IncidentSettings {
	return IncidentSettings{ReopenWindowDays: 14, ResolutionCodes: slices.Clone(DefaultResolutionCodes)}
}

// Limits of the incident settings.
const (
	MaxReopenWindowDays = 365
	MaxResolutionCodes  = 30
	MaxResolution       = 100 // as the store's transition allows
)

// Validate trims the codes and checks the settings.
func (s *IncidentSettings) Validate() error {
	if s.ReopenWindowDays < 0 || s.ReopenWindowDays > MaxReopenWindowDays {
		return errs.Invalid("reopen_window_days", "must be from 0 (no limit) to %d", MaxReopenWindowDays)
	}
	if len(s.ResolutionCodes) > MaxResolutionCodes {
		return errs.Invalid("resolution_codes", "at most %d codes", MaxResolutionCodes)
	}
	seen := map[string]bool{}
	codes := make([]string, 0, len(s.ResolutionCodes))
	for i, c := range s.ResolutionCodes {
		field := fmt.Sprintf("resolution_codes[%d]", i)
		c = strings.TrimSpace(c)
		switch {
		case c == "":
			return errs.Required(field)
		case len(c) > MaxResolution:
			return errs.Invalid(field, "must be at most %d characters", MaxResolution)
		case strings.ContainsAny(c, "\r\n"):
			return errs.Invalid(field, "must be a single line")
		case seen[strings.ToLower(c)]:
			return errs.Invalid(field, "%q is listed twice", c)
		}
		seen[strings.ToLower(c)] = true
		codes = append(codes, c)
	}
	s.ResolutionCodes = codes
	if s.RequireResolutionCode && len(codes) == 0 {
		return errs.Invalid("resolution_codes", "list at least one code, or do not require one")
	}
	return nil
}

// DefaultResolution is what a ticket resolved without a resolution records.
const DefaultResolution = "Done"

// Resolution checks the resolution an incident is resolved with and gives
// it as the list spells it. An empty answer means "none given": the store
// then applies its default, DefaultResolution, which may also be named
// unless a code is required. With no codes configured anything goes.
func (s IncidentSettings) Resolution(given string) (string, error) {
	given = strings.TrimSpace(given)
	if given == "" {
		if s.RequireResolutionCode {
			return "", &errs.Error{Kind: errs.KindInvalid, Code: "required_field", Field: "resolution",
				Message: "is required to resolve an incident; choose one of " + strings.Join(s.ResolutionCodes, ", ")}
		}
		return "", nil
	}
	if len(s.ResolutionCodes) == 0 {
		return given, nil
	}
	if !s.RequireResolutionCode && strings.EqualFold(given, DefaultResolution) {
		// What the workflow records when none is given, asked for by name.
		return DefaultResolution, nil
	}
	for _, c := range s.ResolutionCodes {
		if strings.EqualFold(c, given) {
			return c, nil
		}
	}
	return "", errs.Invalid("resolution", "must be one of %s", strings.Join(s.ResolutionCodes, ", "))
}

// ReopenDeadline is when a customer's chance to reopen an incident resolved
// at resolvedAt ends; zero when there is no limit.
func (s IncidentSettings) ReopenDeadline(resolvedAt time.Time) time.Time {
	if s.ReopenWindowDays == 0 {
		return time.Time{}
	}
	return resolvedAt.Add(time.Duration(s.ReopenWindowDays) * 24 * time.Hour)
}

// MayReopen checks that someone of the role may reopen, at now, an incident
// resolved at resolvedAt.
func (s IncidentSettings) MayReopen(role directory.Role, resolvedAt, now time.Time) error {
	if role.Staff() {
		return nil
	}
	if end := s.ReopenDeadline(resolvedAt); !end.IsZero() && now.After(end) {
		return errs.Conflict("reopen_window_passed",
			"this incident was resolved more than %d days ago and cannot be reopened; raise a new incident instead", s.ReopenWindowDays)
	}
	return nil
}

// IsReopen reports whether a move between status categories reopens a
// ticket: from done back to open work.
func IsReopen(from, to Category) bool {
	return from == CategoryDone && to != CategoryDone
}

// ReopenTransition picks the transition that reopens a done ticket for a
// role: the one with id "reopen" if it may take it, else any other that
// leads from the current status to a status that is not done.
func (w *Workflow) ReopenTransition(from string, role directory.Role) (Transition, bool) {
	return w.pick(from, role, "reopen", func(c Category) bool { return c != CategoryDone })
}

// DoneTransition picks the transition that resolves a ticket for a role:
// the one with id "resolve" if it may take it, else the first that leads to
// a done status.
func (w *Workflow) DoneTransition(from string, role directory.Role) (Transition, bool) {
	return w.pick(from, role, "resolve", func(c Category) bool { return c == CategoryDone })
}

func (w *Workflow) pick(from string, role directory.Role, preferred string, fits func(Category) bool) (Transition, bool) {
	var found []Transition
	for _, t := range w.Available(from, role) {
		if st, ok := w.Status(t.To); ok && fits(st.Category) {
			found = append(found, t)
		}
	}
	if len(found) == 0 {
		return Transition{}, false
	}
	for _, t := range found {
		if t.ID == preferred {
			return t, true
		}
	}
	return found[0], true
}

// Audience is who a communication update is written for.
type Audience string

// The audiences of the communication log.
const (
	AudienceInternal  Audience = "internal"  // the people working the incident and their managers
	AudienceCustomers Audience = "customers" // the customers who can see the incident
)

// ValidAudience reports whether a names an audience.
func ValidAudience(a Audience) bool { return a == AudienceInternal || a == AudienceCustomers }

// Communication is one stakeholder update of an incident's communication
// log: what was said, to whom and by whom. Unlike comments, updates are
// statements about the incident as a whole, written for a wider audience.
type Communication struct {
	ID        int64     `json:"id"`
	TicketID  int64     `json:"-"`
	Audience  Audience  `json:"audience"`
	Message   string    `json:"message"`
	AuthorID  int64     `json:"author_id,omitempty"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
}

// MaxCommunication is the longest update.
const MaxCommunication = 8 * 1024

// CleanCommunication checks an update's audience and message.
func CleanCommunication(audience Audience, message string) (Audience, string, error) {
	if audience == "" {
		return "", "", errs.Required("audience")
	}
	if !ValidAudience(audience) {
		return "", "", errs.Invalid("audience", "must be internal or customers")
	}
	message = strings.TrimSpace(message)
	if message == "" {
		return "", "", errs.Required("message")
	}
	if len(message) > MaxCommunication {
		return "", "", errs.Invalid("message", "must be at most %d bytes", MaxCommunication)
	}
	return audience, message, nil
}

// MajorIncident is an incident's major-incident flag: when it was declared,
// by whom and why, and when it ended. A major incident gets its own view,
// with its communication log, until it is ended or resolved.
type MajorIncident struct {
	Active       bool       `json:"active"`
	Reason       string     `json:"reason"`
	DeclaredByID int64      `json:"declared_by_id,omitempty"`
	DeclaredBy   string     `json:"declared_by"`
	DeclaredAt   time.Time  `json:"declared_at"`
	EndedByID    int64      `json:"ended_by_id,omitempty"`
	EndedBy      string     `json:"ended_by,omitempty"`
	EndedAt      *time.Time `json:"ended_at,omitempty"`
}

// MaxReason is the longest reason for declaring a major incident.
const MaxReason = 1000

// The event types of incident and problem management. They are appended to
// the ticket's stream, so that they appear in its history.
const (
	EventMajorDeclared      = "ticket.major_incident_declared"
	EventMajorEnded         = "ticket.major_incident_ended"
	EventCommunication      = "ticket.communication_posted"
	EventAffectedServices   = "ticket.affected_services_changed"
	EventAnalysisUpdated    = "ticket.analysis_updated"
	EventKnownErrorRecorded = "ticket.known_error_recorded"
	EventKnownErrorUpdated  = "ticket.known_error_updated"
	EventKnownErrorApplied  = "ticket.known_error_applied"
	EventProblemResolved    = "ticket.problem_resolved"
	EventReraised           = "ticket.recurrence_raised" // a reopen came too late: a new incident was raised
)
