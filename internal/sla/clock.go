package sla

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/ticket"
)

// EventKind is the kind of ticket event a clock reads.
type EventKind string

// The event kinds; every other event of a ticket is EventOther.
const (
	EventCreated      EventKind = "created"
	EventTransitioned EventKind = "transitioned"
	EventCommented    EventKind = "commented"
	EventOther        EventKind = "other"
)

// Event is what a clock needs of one entry of a ticket's event log.
type Event struct {
	At            time.Time
	Kind          EventKind
	Status        string          // the status after the event; empty when it did not change
	Category      ticket.Category // the status category after the event; empty when it did not change
	PublicByStaff bool            // a comment the customer sees, written by an agent or admin
}

// State is where a clock is.
type State string

// The clock states.
const (
	NotStarted State = "not_started"
	Running    State = "running"
	Paused     State = "paused"
	Stopped    State = "stopped"
)

// Interval is a stretch of time; End is zero while it lasts.
type Interval struct {
	Start time.Time
	End   time.Time
}

// MarshalJSON leaves out the end of an interval that still lasts.
func (iv Interval) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Start time.Time  `json:"start"`
		End   *time.Time `json:"end,omitempty"`
	}{iv.Start, timePtr(iv.End)})
}

// Clock is what folding a ticket's events gives: when the clock of the
// current cycle ran and when it was paused. It holds instants only, no
// calendar and no goal, so that a calendar or goal change is measured
// again from the same clock.
type Clock struct {
	State     State
	Cycle     int // 0 before the first start; each restart adds one
	StartedAt time.Time
	StoppedAt time.Time  // zero unless stopped
	Running   []Interval // when the clock ran in this cycle; the last is open while it runs
	Paused    []Interval // when it was held by a pause condition in this cycle
}

// ticketState is the part of a ticket the conditions look at.
type ticketState struct {
	status   string
	category ticket.Category
}

// Fold runs a ticket's events, oldest first, through a metric's
// conditions. It is a pure function: the same events give the same clock.
// An event dated before the one it follows counts as happening with it.
func Fold(c Conditions, events []Event) Clock {
	var clk Clock
	clk.State = NotStarted
	var cur ticketState
	var last time.Time
	for _, ev := range events {
		at := ev.At
		if at.Before(last) {
			at = last
		}
		last = at
		prev := cur
		if ev.Status != "" {
			cur.status = ev.Status
		}
		if ev.Category != "" {
			cur.category = ev.Category
		}
		switch clk.State {
		case NotStarted:
			if anyTrigger(c.Start, prev, cur, ev) {
				clk.Cycle = 1
				clk.begin(at, c.paused(cur))
			}
		case Running, Paused:
			if anyTrigger(c.Stop, prev, cur, ev) {
				clk.closeOpen(at)
				clk.State, clk.StoppedAt = Stopped, at
				continue
			}
			clk.setPaused(at, c.paused(cur))
		case Stopped:
			if !anyTrigger(c.Start, prev, cur, ev) {
				continue
			}
			switch c.Reopen {
			case ReopenResume:
				clk.StoppedAt = time.Time{}
				clk.open(at, c.paused(cur))
			case ReopenRestart:
				clk.Cycle++
				clk.Running, clk.Paused, clk.StoppedAt = nil, nil, time.Time{}
				clk.begin(at, c.paused(cur))
			}
		}
	}
	return clk
}

func (clk *Clock) begin(at time.Time, paused bool) {
	clk.StartedAt = at
	clk.open(at, paused)
}

// open starts an interval of running or pausing at at.
func (clk *Clock) open(at time.Time, paused bool) {
	if paused {
		clk.State = Paused
		clk.Paused = append(clk.Paused, Interval{Start: at})
	} else {
		clk.State = Running
		clk.Running = append(clk.Running, Interval{Start: at})
	}
}

func (clk *Clock) closeOpen(at time.Time) {
	list := clk.Running
	if clk.State == Paused {
		list = clk.Paused
	}
	if n := len(list); n > 0 && list[n-1].End.IsZero() {
		list[n-1].End = at
	}
}

func (clk *Clock) setPaused(at time.Time, paused bool) {
	if paused == (clk.State == Paused) {
		return
	}
	clk.closeOpen(at)
	clk.open(at, paused)
}

func (c Conditions) paused(s ticketState) bool {
	for _, p := range c.Pause {
		if (p.Status != "" && strings.EqualFold(p.Status, s.status)) || (p.Category != "" && p.Category == s.category) {
			return true
		}
	}
	return false
}

func anyTrigger(ts []Trigger, prev, cur ticketState, ev Event) bool {
	for _, t := range ts {
		if t.fires(prev, cur, ev) {
			return true
		}
	}
	return false
}

// fires reports whether the event, which moved the ticket from prev to
// cur, meets the trigger. A ticket enters its first status when raised.
func (t Trigger) fires(prev, cur ticketState, ev Event) bool {
	created := ev.Kind == EventCreated
	switch t.On {
	case OnCreated:
		return created
	case OnCategoryEntered:
		return string(cur.category) == t.Value && (created || prev.category != cur.category)
	case OnResolved:
		return cur.category == ticket.CategoryDone && (created || prev.category != cur.category)
	case OnCategoryLeft:
		return !created && string(prev.category) == t.Value && prev.category != cur.category
	case OnStatusEntered:
		return strings.EqualFold(cur.status, t.Value) && (created || !strings.EqualFold(prev.status, cur.status))
	case OnStatusLeft:
		return !created && strings.EqualFold(prev.status, t.Value) && !strings.EqualFold(prev.status, cur.status)
	case OnAgentPublicComment:
		return ev.Kind == EventCommented && ev.PublicByStaff
	}
	return false
}

// Result is a clock measured against a goal at an instant.
type Result struct {
	Elapsed   time.Duration // working time the clock ran
	Remaining time.Duration // target less elapsed; negative once over
	// Deadline is when the clock breaches, or breached: the first instant
	// at which it runs with the whole target spent. It is zero when the
	// clock cannot breach as it stands (paused or stopped within the goal,
	// or no goal).
	Deadline time.Time
	WarnAt   time.Time // when the warning share is or was reached; zero for stopped clocks
	Breached bool
	Warning  bool // past the warning share, not yet breached, not stopped
	Met      bool // stopped within the goal
}

// Measure measures the clock on a schedule against a target at now. A nil
// schedule counts every minute. A target of zero measures elapsed time
// only.
func (clk Clock) Measure(sch *Schedule, target time.Duration, warnPercent int, now time.Time) Result {
	if sch == nil {
		sch = always
	}
	var r Result
	for _, iv := range clk.Running {
		end := iv.End
		if end.IsZero() || end.After(now) {
			end = now
		}
		r.Elapsed += sch.WorkingTime(iv.Start, end)
	}
	if target <= 0 || clk.State == NotStarted {
		return r
	}
	r.Remaining = target - r.Elapsed
	if at, ok := clk.crossing(sch, target); ok && (clk.State == Running || !at.After(now)) {
		r.Deadline = at
		r.Breached = !at.After(now)
	}
	if warnPercent > 0 && clk.State != Stopped {
		if at, ok := clk.crossing(sch, target*time.Duration(warnPercent)/100); ok && (clk.State == Running || !at.After(now)) {
			r.WarnAt = at
			r.Warning = !at.After(now) && !r.Breached
		}
	}
	r.Met = clk.State == Stopped && !r.Breached
	return r
}

// crossing finds the first instant at which the clock runs with budget of
// working time spent: inside a running interval, or at the start of one
// that begins with the budget already spent. The open interval of a
// running clock runs on for ever.
func (clk Clock) crossing(sch *Schedule, budget time.Duration) (time.Time, bool) {
	var spent time.Duration
	for _, iv := range clk.Running {
		open := iv.End.IsZero()
		if !open && !iv.Start.Before(iv.End) {
			continue
		}
		if spent >= budget {
			return iv.Start, true
		}
		at, ok := sch.Add(iv.Start, budget-spent)
		if !ok {
			return time.Time{}, false
		}
		if open || at.Before(iv.End) {
			return at, true
		}
		spent += sch.WorkingTime(iv.Start, iv.End)
	}
	return time.Time{}, false
}

// always is the schedule of a clock with no calendar: every minute counts.
var always = &Schedule{loc: time.UTC, always: true}
