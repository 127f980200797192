// Package change holds the rules of change enablement: the three types of
// change, the risk questionnaire and how its answers score, the approval
// rules and quorums that decide a change (and a service request that needs
// approval), the change calendar with its collisions and freeze windows,
// the gating of deployments, and the review after implementation. It
// imports neither HTTP nor SQL; the store and the transports call it.
package change

import (
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/errs"
)

// Type is how a change is approved.
type Type string

// The change types.
const (
	// TypeStandard is pre-approved: it follows a template of the library
	// and goes straight to Scheduled.
	TypeStandard Type = "standard"
	// TypeNormal is approved by the rules that match its risk.
	TypeNormal Type = "normal"
	// TypeEmergency is approved by the emergency CAB: any one approver.
	TypeEmergency Type = "emergency"
)

// Types lists every change type.
var Types = []Type{TypeStandard, TypeNormal, TypeEmergency}

// ParseType reads a change type; empty means normal.
func ParseType(s string) (Type, error) {
	switch t := Type(strings.ToLower(strings.TrimSpace(s))); t {
	case "":
		return TypeNormal, nil
	case TypeStandard, TypeNormal, TypeEmergency:
		return t, nil
	}
	return "", errs.Invalid("type", "must be one of standard, normal, emergency")
}

// NeedsApproval reports whether changes of this type go to approvers.
func (t Type) NeedsApproval() bool { return t == TypeNormal || t == TypeEmergency }

// The statuses of the default Change workflow that this package reasons
// about. A change counts as approved while it is Scheduled or Implementing;
// it is closed once in a done status.
const (
	StatusPlanning         = "Planning"
	StatusAwaitingApproval = "Awaiting approval"
	StatusScheduled        = "Scheduled"
	StatusImplementing     = "Implementing"
	StatusDeclined         = "Declined"
)

// IsApproved reports whether a change in this status may be carried out now.
func IsApproved(status string) bool {
	return strings.EqualFold(status, StatusScheduled) || strings.EqualFold(status, StatusImplementing)
}

// Window is a planned period of work: [Start, End).
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// MaxWindow is the longest a change or a freeze may last.
const MaxWindow = 366 * 24 * time.Hour

// ValidateWindow checks a planned period; field names the input.
func ValidateWindow(field string, w Window) error {
	if w.Start.IsZero() {
		return errs.Required(field + "_start")
	}
	if w.End.IsZero() {
		return errs.Required(field + "_end")
	}
	if !w.End.After(w.Start) {
		return errs.Invalid(field+"_end", "must be after the start")
	}
	if w.End.Sub(w.Start) > MaxWindow {
		return errs.Invalid(field+"_end", "a window may last at most a year")
	}
	return nil
}

// Overlaps reports whether two windows share any instant.
func (w Window) Overlaps(o Window) bool {
	return w.Start.Before(o.End) && o.Start.Before(w.End)
}

// Contains reports whether t falls in the window.
func (w Window) Contains(t time.Time) bool {
	return !t.Before(w.Start) && t.Before(w.End)
}

// Outcome is how the implementation of a change ended.
type Outcome string

// The outcomes.
const (
	OutcomeSuccess   Outcome = "success"
	OutcomeFailed    Outcome = "failed"
	OutcomeBackedOut Outcome = "backed_out"
)

// Outcomes lists every outcome.
var Outcomes = []Outcome{OutcomeSuccess, OutcomeFailed, OutcomeBackedOut}

// Review is the post-implementation review of a change.
type Review struct {
	Outcome      Outcome   `json:"outcome"`
	Summary      string    `json:"summary"`    // what was done and how it went
	WentWell     string    `json:"went_well"`  // what to keep
	WentWrong    string    `json:"went_wrong"` // what to fix
	FollowUp     string    `json:"follow_up"`  // actions, problems raised
	ReviewedByID int64     `json:"reviewed_by_id"`
	ReviewedBy   string    `json:"reviewed_by"`
	ReviewedAt   time.Time `json:"reviewed_at"`
}

// MaxText is the most a plan or review field may hold.
const MaxText = 32 * 1024

// Validate checks a review before it is saved.
func (r *Review) Validate() error {
	r.Outcome = Outcome(strings.ToLower(strings.TrimSpace(string(r.Outcome))))
	switch r.Outcome {
	case OutcomeSuccess, OutcomeFailed, OutcomeBackedOut:
	case "":
		return errs.Required("outcome")
	default:
		return errs.Invalid("outcome", "must be one of success, failed, backed_out")
	}
	for field, v := range map[string]*string{"summary": &r.Summary, "went_well": &r.WentWell, "went_wrong": &r.WentWrong, "follow_up": &r.FollowUp} {
		*v = strings.TrimSpace(*v)
		if len(*v) > MaxText {
			return errs.Invalid(field, "must be at most %d bytes", MaxText)
		}
	}
	if r.Summary == "" {
		return errs.Required("summary")
	}
	if r.Outcome != OutcomeSuccess && r.WentWrong == "" {
		return &errs.Error{Kind: errs.KindInvalid, Code: "required_field", Field: "went_wrong",
			Message: "is required when the change did not succeed"}
	}
	return nil
}

// CleanText trims a plan field and checks its size.
func CleanText(field, s string) (string, error) {
	s = strings.TrimRight(s, " \t\r\n")
	if len(s) > MaxText {
		return "", errs.Invalid(field, "must be at most %d bytes", MaxText)
	}
	return s, nil
}

// Template is a standard change of the library: pre-approved work that is
// done the same way every time.
type Template struct {
	ID                 int64     `json:"id"`
	Name               string    `json:"name"`
	Description        string    `json:"description"`
	ImplementationPlan string    `json:"implementation_plan"`
	BackoutPlan        string    `json:"backout_plan"`
	Risk               Level     `json:"risk"` // the preset risk of every change made from it
	ServiceID          int64     `json:"service_id,omitempty"`
	Active             bool      `json:"active"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// Validate checks a template before it is saved.
func (t *Template) Validate() error {
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" {
		return errs.Required("name")
	}
	if len(t.Name) > 200 {
		return errs.Invalid("name", "must be at most 200 characters")
	}
	var err error
	for field, v := range map[string]*string{"description": &t.Description, "implementation_plan": &t.ImplementationPlan, "backout_plan": &t.BackoutPlan} {
		if *v, err = CleanText(field, *v); err != nil {
			return err
		}
	}
	if strings.TrimSpace(t.ImplementationPlan) == "" {
		return errs.Required("implementation_plan")
	}
	if !t.Risk.Valid() {
		return errs.Invalid("risk", "must be one of low, medium, high, critical")
	}
	if t.Risk.Rank() > LevelMedium.Rank() {
		return errs.Invalid("risk", "a standard change is low or medium risk; riskier work is a normal change")
	}
	return nil
}
