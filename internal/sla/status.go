package sla

import (
	"encoding/json"
	"time"
)

// Status is where one metric of one ticket stands: the goal that applies,
// the clock's state and how much of the goal is spent.
type Status struct {
	MetricID    int64
	Metric      string
	GoalID      int64         // 0: no goal matches the ticket; the clock is measured without a target
	Target      time.Duration // working time
	CalendarID  int64
	Calendar    string
	WarnPercent int

	State     State
	Cycle     int
	StartedAt time.Time
	StoppedAt time.Time
	Paused    []Interval

	Elapsed   time.Duration
	Remaining time.Duration
	Deadline  time.Time // when the clock breaches or breached; zero when it cannot as it stands
	WarnAt    time.Time
	Breached  bool
	Warning   bool
	Met       bool
}

// StatusOf measures a folded clock against a goal on its calendar's
// schedule. g is nil when no goal matches; sch may then be nil too.
func StatusOf(m Metric, g *Goal, sch *Schedule, clk Clock, now time.Time) Status {
	st := Status{
		MetricID: m.ID, Metric: m.Name,
		State: clk.State, Cycle: clk.Cycle, StartedAt: clk.StartedAt, StoppedAt: clk.StoppedAt, Paused: clk.Paused,
	}
	var target time.Duration
	warn := 0
	if g != nil {
		st.GoalID, st.Target, st.CalendarID, st.Calendar, st.WarnPercent = g.ID, g.Target, g.CalendarID, g.Calendar, g.WarnPercent
		target, warn = g.Target, g.WarnPercent
	}
	r := clk.Measure(sch, target, warn, now)
	st.Elapsed, st.Remaining, st.Deadline, st.WarnAt = r.Elapsed, r.Remaining, r.Deadline, r.WarnAt
	st.Breached, st.Warning, st.Met = r.Breached, r.Warning, r.Met
	if st.Paused == nil {
		st.Paused = []Interval{}
	}
	return st
}

type statusJSON struct {
	MetricID         int64      `json:"metric_id"`
	Metric           string     `json:"metric"`
	GoalID           int64      `json:"goal_id,omitempty"`
	TargetSeconds    int64      `json:"target_seconds,omitempty"`
	CalendarID       int64      `json:"calendar_id,omitempty"`
	Calendar         string     `json:"calendar,omitempty"`
	WarnPercent      int        `json:"warn_percent,omitempty"`
	State            State      `json:"state"`
	Cycle            int        `json:"cycle"`
	StartedAt        *time.Time `json:"started_at,omitempty"`
	StoppedAt        *time.Time `json:"stopped_at,omitempty"`
	Paused           []Interval `json:"paused"`
	ElapsedSeconds   int64      `json:"elapsed_seconds"`
	RemainingSeconds *int64     `json:"remaining_seconds,omitempty"`
	Deadline         *time.Time `json:"deadline,omitempty"`
	WarnAt           *time.Time `json:"warn_at,omitempty"`
	Breached         bool       `json:"breached"`
	Warning          bool       `json:"warning"`
	Met              bool       `json:"met"`
}

// MarshalJSON writes durations in whole seconds and leaves out the times
// that are not set.
func (s Status) MarshalJSON() ([]byte, error) {
	j := statusJSON{
		MetricID: s.MetricID, Metric: s.Metric, GoalID: s.GoalID, TargetSeconds: int64(s.Target / time.Second),
		CalendarID: s.CalendarID, Calendar: s.Calendar, WarnPercent: s.WarnPercent,
		State: s.State, Cycle: s.Cycle, StartedAt: timePtr(s.StartedAt), StoppedAt: timePtr(s.StoppedAt), Paused: s.Paused,
		ElapsedSeconds: int64(s.Elapsed / time.Second), Deadline: timePtr(s.Deadline), WarnAt: timePtr(s.WarnAt),
		Breached: s.Breached, Warning: s.Warning, Met: s.Met,
	}
	if s.GoalID != 0 {
		r := int64(s.Remaining / time.Second)
		j.RemainingSeconds = &r
	}
	if j.Paused == nil {
		j.Paused = []Interval{}
	}
	return json.Marshal(j)
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
