package sla

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// Metric is a measured stretch of a ticket's life, such as the time to
// first response: when its clock starts, pauses and stops, and the goals it
// is held to.
type Metric struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Conditions Conditions `json:"conditions"`
	Active     bool       `json:"active"`
	Goals      []Goal     `json:"goals"` // the first whose query matches the ticket applies

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Conditions drive a metric's clock. The clock starts on any start
// trigger, stops on any stop trigger, and is paused while the ticket is in
// any of the pause states. After it stopped, a start trigger reopens it as
// Reopen says.
type Conditions struct {
	Start  []Trigger    `json:"start"`
	Pause  []PauseWhile `json:"pause"`
	Stop   []Trigger    `json:"stop"`
	Reopen Reopen       `json:"reopen"`
}

// TriggerKind names a ticket event that starts or stops a clock.
type TriggerKind string

// The triggers.
const (
	OnCreated            TriggerKind = "created"              // the ticket was raised
	OnCategoryEntered    TriggerKind = "category_entered"     // Value: to_do, in_progress or done
	OnCategoryLeft       TriggerKind = "category_left"        // Value: a category
	OnStatusEntered      TriggerKind = "status_entered"       // Value: a status name
	OnStatusLeft         TriggerKind = "status_left"          // Value: a status name
	OnAgentPublicComment TriggerKind = "agent_public_comment" // an agent or admin replied to the customer
	OnResolved           TriggerKind = "resolved"             // the ticket entered a done status
)

// Trigger is one start or stop condition.
type Trigger struct {
	On    TriggerKind `json:"on"`
	Value string      `json:"value,omitempty"`
}

// PauseWhile is a state of the ticket during which the clock does not
// count: a status (by name, in any letter case) or a status category.
// Exactly one of the two is set.
type PauseWhile struct {
	Status   string          `json:"status,omitempty"`
	Category ticket.Category `json:"category,omitempty"`
}

// Reopen says what a start trigger does to a clock that has stopped.
type Reopen string

// The reopen rules.
const (
	ReopenNone    Reopen = "none"    // the first stop is final
	ReopenResume  Reopen = "resume"  // the clock counts on from where it stopped, against the same deadline
	ReopenRestart Reopen = "restart" // a new cycle starts from zero; the ticket is measured afresh
)

// Goal is a target for the tickets that match Query, counted on a calendar.
type Goal struct {
	ID          int64         `json:"id"`
	Query       string        `json:"query"` // in Cairn's query language; empty matches every ticket
	Target      time.Duration `json:"-"`     // working time; JSON target_seconds
	CalendarID  int64         `json:"calendar_id"`
	Calendar    string        `json:"calendar,omitempty"` // its name, for display
	WarnPercent int           `json:"warn_percent"`       // warn at this share of the target; 0: never
}

// Limits on goals.
const (
	MaxTarget      = 366 * 24 * time.Hour
	MaxQuery       = 10000
	MaxMetricName  = 100
	DefaultWarnPct = 75
)

type goalJSON struct {
	ID            int64  `json:"id"`
	Query         string `json:"query"`
	TargetSeconds int64  `json:"target_seconds"`
	CalendarID    int64  `json:"calendar_id"`
	Calendar      string `json:"calendar,omitempty"`
	WarnPercent   int    `json:"warn_percent"`
}

// MarshalJSON writes the target in seconds.
func (g Goal) MarshalJSON() ([]byte, error) {
	return json.Marshal(goalJSON{g.ID, g.Query, int64(g.Target / time.Second), g.CalendarID, g.Calendar, g.WarnPercent})
}

// UnmarshalJSON reads the target in seconds.
func (g *Goal) UnmarshalJSON(b []byte) error {
	var j goalJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*g = Goal{ID: j.ID, Query: j.Query, Target: time.Duration(j.TargetSeconds) * time.Second, CalendarID: j.CalendarID, Calendar: j.Calendar, WarnPercent: j.WarnPercent}
	return nil
}

// Validate checks a metric and its goals and puts them in canonical form.
// Status names and goal queries are checked by the store, which knows the
// workflows and the query language; calendars exist there too.
func (m *Metric) Validate() error {
	m.Name = strings.TrimSpace(m.Name)
	if m.Name == "" {
		return errs.Required("name")
	}
	if len(m.Name) > MaxMetricName {
		return errs.Invalid("name", "must be at most %d characters", MaxMetricName)
	}
	if err := m.Conditions.Validate(); err != nil {
		return err
	}
	for i := range m.Goals {
		if err := m.Goals[i].validate(fmt.Sprintf("goals[%d]", i)); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks the conditions; an empty Reopen becomes none.
func (c *Conditions) Validate() error {
	if len(c.Start) == 0 {
		return errs.Invalid("conditions.start", "a clock needs at least one start condition")
	}
	if len(c.Stop) == 0 {
		return errs.Invalid("conditions.stop", "a clock needs at least one stop condition")
	}
	for i := range c.Start {
		if err := c.Start[i].validate(fmt.Sprintf("conditions.start[%d]", i)); err != nil {
			return err
		}
	}
	for i := range c.Stop {
		if err := c.Stop[i].validate(fmt.Sprintf("conditions.stop[%d]", i)); err != nil {
			return err
		}
	}
	if c.Pause == nil {
		c.Pause = []PauseWhile{}
	}
	for i := range c.Pause {
		p := &c.Pause[i]
		field := fmt.Sprintf("conditions.pause[%d]", i)
		p.Status = strings.TrimSpace(p.Status)
		switch {
		case p.Status != "" && p.Category != "":
			return errs.Invalid(field, "name either a status or a category, not both")
		case p.Status == "" && p.Category == "":
			return errs.Invalid(field, "name a status or a category")
		case p.Category != "" && !validCategory(p.Category):
			return errs.Invalid(field+".category", "must be one of to_do, in_progress, done")
		}
	}
	switch c.Reopen {
	case "":
		c.Reopen = ReopenNone
	case ReopenNone, ReopenResume, ReopenRestart:
	default:
		return errs.Invalid("conditions.reopen", "must be one of none, resume, restart")
	}
	return nil
}

func (t *Trigger) validate(field string) error {
	t.Value = strings.TrimSpace(t.Value)
	switch t.On {
	case OnCreated, OnAgentPublicComment, OnResolved:
		if t.Value != "" {
			return errs.Invalid(field+".value", "%s takes no value", t.On)
		}
	case OnCategoryEntered, OnCategoryLeft:
		if !validCategory(ticket.Category(t.Value)) {
			return errs.Invalid(field+".value", "must be one of to_do, in_progress, done")
		}
	case OnStatusEntered, OnStatusLeft:
		if t.Value == "" {
			return errs.Required(field + ".value")
		}
		if len(t.Value) > 100 {
			return errs.Invalid(field+".value", "must be at most 100 characters")
		}
	default:
		return errs.Invalid(field+".on", "must be one of created, category_entered, category_left, status_entered, status_left, agent_public_comment, resolved")
	}
	return nil
}

func (g *Goal) validate(field string) error {
	g.Query = strings.TrimSpace(g.Query)
	if len(g.Query) > MaxQuery {
		return errs.Invalid(field+".query", "must be at most %d bytes", MaxQuery)
	}
	if g.Target <= 0 {
		return errs.Invalid(field+".target_seconds", "must be more than zero")
	}
	if g.Target > MaxTarget {
		return errs.Invalid(field+".target_seconds", "must be at most %d (366 days)", int64(MaxTarget/time.Second))
	}
	if g.Target%time.Second != 0 {
		return errs.Invalid(field+".target_seconds", "must be whole seconds")
	}
	if g.CalendarID <= 0 {
		return errs.Required(field + ".calendar_id")
	}
	if g.WarnPercent < 0 || g.WarnPercent > 99 {
		return errs.Invalid(field+".warn_percent", "must be from 0 (no warning) to 99")
	}
	return nil
}

func validCategory(c ticket.Category) bool {
	return c == ticket.CategoryToDo || c == ticket.CategoryInProgress || c == ticket.CategoryDone
}

// StatusNames lists the status names the conditions mention, with the
// field each is at, so that the store can check them against workflows.
func (c Conditions) StatusNames() map[string]string {
	out := map[string]string{}
	for i, t := range c.Start {
		if t.On == OnStatusEntered || t.On == OnStatusLeft {
			out[fmt.Sprintf("conditions.start[%d].value", i)] = t.Value
		}
	}
	for i, t := range c.Stop {
		if t.On == OnStatusEntered || t.On == OnStatusLeft {
			out[fmt.Sprintf("conditions.stop[%d].value", i)] = t.Value
		}
	}
	for i, p := range c.Pause {
		if p.Status != "" {
			out[fmt.Sprintf("conditions.pause[%d].status", i)] = p.Status
		}
	}
	return out
}

// FirstResponse is the built-in time to first response: from the ticket
// being raised to the first public reply of an agent, or to its
// resolution if that comes first. It does not reopen.
func FirstResponse() Metric {
	return Metric{
		Name:   "Time to first response",
		Active: true,
		Conditions: Conditions{
			Start:  []Trigger{{On: OnCreated}},
			Pause:  []PauseWhile{},
			Stop:   []Trigger{{On: OnAgentPublicComment}, {On: OnResolved}},
			Reopen: ReopenNone,
		},
	}
}

// Resolution is the built-in time to resolution: from the ticket being
// raised until it enters a done status, paused while the desk waits for the
// customer. A reopened ticket counts on from where it stopped.
func Resolution() Metric {
	return Metric{
		Name:   "Time to resolution",
		Active: true,
		Conditions: Conditions{
			Start:  []Trigger{{On: OnCreated}, {On: OnCategoryLeft, Value: string(ticket.CategoryDone)}},
			Pause:  []PauseWhile{{Status: "Waiting for customer"}},
			Stop:   []Trigger{{On: OnResolved}},
			Reopen: ReopenResume,
		},
	}
}
