package sla

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// ev builds events at offsets from a start instant.
type evs struct {
	t0  time.Time
	out []Event
}

func (e *evs) at(d time.Duration, ev Event) *evs {
	ev.At = e.t0.Add(d)
	e.out = append(e.out, ev)
	return e
}

func created(status string, cat ticket.Category) Event {
	return Event{Kind: EventCreated, Status: status, Category: cat}
}

func moved(status string, cat ticket.Category) Event {
	return Event{Kind: EventTransitioned, Status: status, Category: cat}
}

var (
	agentReply    = Event{Kind: EventCommented, PublicByStaff: true}
	customerReply = Event{Kind: EventCommented}
	edited        = Event{Kind: EventOther}
	open          = created("Open", ticket.CategoryToDo)
	working       = moved("In progress", ticket.CategoryInProgress)
	waiting       = moved("Waiting for customer", ticket.CategoryInProgress)
	resolved      = moved("Resolved", ticket.CategoryDone)
	closed        = moved("Closed", ticket.CategoryDone)
	reopened      = moved("Open", ticket.CategoryToDo)
)

func TestFold(t *testing.T) {
	t0 := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC) // a Monday
	h := time.Hour
	restart := Resolution().Conditions
	restart.Reopen = ReopenRestart
	final := Resolution().Conditions
	final.Reopen = ReopenNone
	approval := Conditions{
		Start: []Trigger{{On: OnStatusEntered, Value: "waiting for approval"}},
		Stop:  []Trigger{{On: OnStatusLeft, Value: "Waiting for approval"}},
	}
	inProgress := Conditions{
		Start: []Trigger{{On: OnCategoryEntered, Value: "in_progress"}},
		Stop:  []Trigger{{On: OnCategoryLeft, Value: "in_progress"}},
		Pause: []PauseWhile{{Category: ticket.CategoryDone}},
	}

	tests := []struct {
		name    string
		cond    Conditions
		events  func(e *evs) *evs
		now     time.Duration
		state   State
		cycle   int
		elapsed time.Duration // on a 24x7 calendar
		paused  int           // pause intervals
	}{
		{"not started", approval, func(e *evs) *evs { return e.at(0, open) }, 5 * h, NotStarted, 0, 0, 0},
		{"first response: agent reply stops", FirstResponse().Conditions, func(e *evs) *evs {
			return e.at(0, open).at(30*time.Minute, customerReply).at(45*time.Minute, agentReply).at(2*h, agentReply)
		}, 5 * h, Stopped, 1, 45 * time.Minute, 0},
		{"first response: internal notes and edits do not stop", FirstResponse().Conditions, func(e *evs) *evs {
			return e.at(0, open).at(h, Event{Kind: EventCommented}).at(2*h, edited).at(3*h, working)
		}, 5 * h, Running, 1, 5 * h, 0},
		{"first response: resolution stops", FirstResponse().Conditions, func(e *evs) *evs {
			return e.at(0, open).at(h, resolved).at(3*h, reopened).at(4*h, agentReply)
		}, 5 * h, Stopped, 1, h, 0},
		{"resolution: paused while waiting for customer", Resolution().Conditions, func(e *evs) *evs {
			return e.at(0, open).at(h, waiting).at(5*h, working).at(6*h, resolved).at(7*h, closed)
		}, 10 * h, Stopped, 1, 2 * h, 1},
		{"resolution: still paused", Resolution().Conditions, func(e *evs) *evs {
			return e.at(0, open).at(h, waiting).at(2*h, customerReply)
		}, 10 * h, Paused, 1, h, 1},
		{"resolution: stopped while paused", Resolution().Conditions, func(e *evs) *evs {
			return e.at(0, open).at(h, waiting).at(3*h, resolved)
		}, 10 * h, Stopped, 1, h, 1},
		{"resolution: raised straight into a pause", Resolution().Conditions, func(e *evs) *evs {
			return e.at(0, created("Waiting for customer", ticket.CategoryInProgress)).at(2*h, working)
		}, 3 * h, Running, 1, h, 1},
		{"resolution: reopen resumes", Resolution().Conditions, func(e *evs) *evs {
			return e.at(0, open).at(2*h, resolved).at(10*h, reopened).at(11*h, resolved)
		}, 20 * h, Stopped, 1, 3 * h, 0},
		{"resolution: reopened and running", Resolution().Conditions, func(e *evs) *evs {
			return e.at(0, open).at(2*h, resolved).at(10*h, reopened)
		}, 12 * h, Running, 1, 4 * h, 0},
		{"resolution: closing a resolved ticket changes nothing", Resolution().Conditions, func(e *evs) *evs {
			return e.at(0, open).at(2*h, resolved).at(10*h, closed)
		}, 12 * h, Stopped, 1, 2 * h, 0},
		{"reopen restarts", restart, func(e *evs) *evs {
			return e.at(0, open).at(2*h, resolved).at(10*h, reopened).at(11*h, resolved)
		}, 20 * h, Stopped, 2, h, 0},
		{"reopen is ignored", final, func(e *evs) *evs {
			return e.at(0, open).at(2*h, resolved).at(10*h, reopened)
		}, 20 * h, Stopped, 1, 2 * h, 0},
		{"status entered and left, any letter case", approval, func(e *evs) *evs {
			return e.at(0, open).at(h, moved("Waiting for approval", ticket.CategoryToDo)).at(4*h, working)
		}, 20 * h, Stopped, 1, 3 * h, 0},
		{"category entered and left", inProgress, func(e *evs) *evs {
			return e.at(0, open).at(h, working).at(2*h, waiting).at(3*h, reopened)
		}, 20 * h, Stopped, 1, 2 * h, 0},
		{"events out of order count at the later time", Resolution().Conditions, func(e *evs) *evs {
			return e.at(2*h, open).at(h, resolved)
		}, 20 * h, Stopped, 1, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.cond.Validate(); err != nil {
				t.Fatalf("conditions: %v", err)
			}
			clk := Fold(tt.cond, tt.events(&evs{t0: t0}).out)
			if clk.State != tt.state || clk.Cycle != tt.cycle || len(clk.Paused) != tt.paused {
				t.Errorf("clock = %s cycle %d with %d pauses, want %s cycle %d with %d", clk.State, clk.Cycle, len(clk.Paused), tt.state, tt.cycle, tt.paused)
			}
			if got := clk.Measure(nil, 0, 0, t0.Add(tt.now)).Elapsed; got != tt.elapsed {
				t.Errorf("elapsed = %v, want %v", got, tt.elapsed)
			}
		})
	}
}

func TestMeasure(t *testing.T) {
	business := mustSchedule(t, WorkingWeek("Business", london, "09:00-17:00"))
	nightOwl := mustSchedule(t, TwentyFourSeven("24x7", london))
	fri := local(t, london, "2025-03-07 16:30")
	at := func(s string) time.Time { return local(t, london, s) }
	h := time.Hour
	ttfr := FirstResponse().Conditions
	ttr := Resolution().Conditions

	tests := []struct {
		name     string
		cond     Conditions
		events   func(e *evs) *evs
		sch      *Schedule
		target   time.Duration
		now      time.Time
		want     Result
		deadline string // local time; "" for none
		warnAt   string
	}{
		{"running, deadline over the weekend", ttfr, func(e *evs) *evs { return e.at(0, open) }, business, h, at("2025-03-07 16:45"),
			Result{Elapsed: 15 * time.Minute, Remaining: 45 * time.Minute}, "2025-03-10 09:30", "2025-03-10 09:15"},
		{"warning, not breached", ttfr, func(e *evs) *evs { return e.at(0, open) }, business, h, at("2025-03-10 09:20"),
			Result{Elapsed: 50 * time.Minute, Remaining: 10 * time.Minute, Warning: true}, "2025-03-10 09:30", "2025-03-10 09:15"},
		{"breached at the deadline", ttfr, func(e *evs) *evs { return e.at(0, open) }, business, h, at("2025-03-10 09:30"),
			Result{Elapsed: h, Remaining: 0, Breached: true}, "2025-03-10 09:30", "2025-03-10 09:15"},
		{"no time passes over the weekend", ttfr, func(e *evs) *evs { return e.at(0, open) }, business, h, at("2025-03-09 12:00"),
			Result{Elapsed: 30 * time.Minute, Remaining: 30 * time.Minute}, "2025-03-10 09:30", "2025-03-10 09:15"},
		{"the same clock on 24x7 breached on friday", ttfr, func(e *evs) *evs { return e.at(0, open) }, nightOwl, h, at("2025-03-09 12:00"),
			Result{Elapsed: 43*h + 30*time.Minute, Remaining: -42*h - 30*time.Minute, Breached: true}, "2025-03-07 17:30", "2025-03-07 17:15"},
		{"met", ttfr, func(e *evs) *evs { return e.at(0, open).at(64*h+45*time.Minute, agentReply) }, business, h, at("2025-03-12 12:00"),
			Result{Elapsed: 45 * time.Minute, Remaining: 15 * time.Minute, Met: true}, "", ""},
		{"stopped late", ttfr, func(e *evs) *evs { return e.at(0, open).at(65*h+30*time.Minute, agentReply) }, business, h, at("2025-03-12 12:00"),
			Result{Elapsed: 90 * time.Minute, Remaining: -30 * time.Minute, Breached: true}, "2025-03-10 09:30", ""},
		{"stopped exactly at the deadline", ttfr, func(e *evs) *evs { return e.at(0, open).at(65*h, agentReply) }, business, h, at("2025-03-12 12:00"),
			Result{Elapsed: h, Remaining: 0, Met: true}, "", ""},
		// Paused with 30 minutes left: the deadline is unknown and the clock
		// cannot breach however long the customer takes.
		{"paused does not breach", ttr, func(e *evs) *evs { return e.at(0, open).at(15*time.Minute, waiting) }, business, 45 * time.Minute, at("2025-03-20 12:00"),
			Result{Elapsed: 15 * time.Minute, Remaining: 30 * time.Minute}, "", ""},
		{"paused after the warning keeps it", ttr, func(e *evs) *evs { return e.at(0, open).at(64*h+50*time.Minute, waiting) }, business, h, at("2025-03-20 12:00"),
			Result{Elapsed: 50 * time.Minute, Remaining: 10 * time.Minute, Warning: true}, "", "2025-03-10 09:15"},
		{"resumed: the pause moves the deadline", ttr, func(e *evs) *evs {
			return e.at(0, open).at(15*time.Minute, waiting).at(66*h+30*time.Minute, working) // paused Fri 16:45 to Mon 11:00
		}, business, h, at("2025-03-10 11:10"), Result{Elapsed: 25 * time.Minute, Remaining: 35 * time.Minute}, "2025-03-10 11:45", "2025-03-10 11:30"},
		{"paused after the breach stays breached", ttr, func(e *evs) *evs { return e.at(0, open).at(65*h+30*time.Minute, waiting) }, business, h, at("2025-03-20 12:00"),
			Result{Elapsed: 90 * time.Minute, Remaining: -30 * time.Minute, Breached: true}, "2025-03-10 09:30", "2025-03-10 09:15"},
		// Paused with exactly the target spent, then resumed: it breaches
		// the moment it runs again.
		{"resumed with nothing left", ttr, func(e *evs) *evs {
			return e.at(0, open).at(65*h, waiting).at(65*h+30*time.Minute, working) // paused 09:30 to 10:00
		}, business, h, at("2025-03-10 10:00"), Result{Elapsed: h, Remaining: 0, Breached: true}, "2025-03-10 10:00", "2025-03-10 09:15"},
		{"no goal measures elapsed only", ttfr, func(e *evs) *evs { return e.at(0, open) }, business, 0, at("2025-03-10 10:00"),
			Result{Elapsed: 90 * time.Minute}, "", ""},
		{"reopen restart: measured afresh", func() Conditions { c := ttr; c.Reopen = ReopenRestart; return c }(), func(e *evs) *evs {
			return e.at(0, open).at(66*h, resolved).at(67*h, reopened) // resolved 10:30, reopened 11:30
		}, business, h, at("2025-03-10 12:00"), Result{Elapsed: 30 * time.Minute, Remaining: 30 * time.Minute}, "2025-03-10 12:30", "2025-03-10 12:15"},
		{"reopen resume: keeps counting against the same goal", ttr, func(e *evs) *evs {
			return e.at(0, open).at(64*h+45*time.Minute, resolved).at(66*h+45*time.Minute, reopened) // resolved 09:15, reopened 11:15
		}, business, h, at("2025-03-10 12:00"), Result{Elapsed: 90 * time.Minute, Remaining: -30 * time.Minute, Breached: true}, "2025-03-10 11:30", "2025-03-10 11:15"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := Fold(tt.cond, tt.events(&evs{t0: fri}).out)
			got := clk.Measure(tt.sch, tt.target, 75, tt.now)
			want := tt.want
			if tt.deadline != "" {
				want.Deadline = at(tt.deadline)
			}
			if tt.warnAt != "" {
				want.WarnAt = at(tt.warnAt)
			}
			if !got.Deadline.Equal(want.Deadline) || !got.WarnAt.Equal(want.WarnAt) {
				t.Errorf("deadline %s, warn at %s; want %s, %s", got.Deadline, got.WarnAt, want.Deadline, want.WarnAt)
			}
			got.Deadline, got.WarnAt, want.Deadline, want.WarnAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
			if got != want {
				t.Errorf("Measure = %+v\nwant      %+v", got, want)
			}
		})
	}
}

// TestRecalculation shows the rule of the package doc: a clock that has not
// stopped is measured afresh under a changed goal or calendar, from the
// same fold.
func TestRecalculation(t *testing.T) {
	mon := local(t, london, "2025-03-03 09:00")
	clk := Fold(Resolution().Conditions, (&evs{t0: mon}).at(0, open).at(2*time.Hour, waiting).at(4*time.Hour, working).out)
	now := local(t, london, "2025-03-03 16:00")
	business := mustSchedule(t, WorkingWeek("Business", london, "09:00-17:00"))
	short := mustSchedule(t, WorkingWeek("Short days", london, "10:00-12:00", "14:00-16:00"))
	m := Resolution()
	for _, tt := range []struct {
		name     string
		goal     Goal
		sch      *Schedule
		elapsed  time.Duration
		breached bool
		deadline string
	}{
		{"4h on business hours", Goal{ID: 1, Target: 4 * time.Hour, WarnPercent: 75}, business, 5 * time.Hour, true, "2025-03-03 15:00"},
		{"goal raised to 8h", Goal{ID: 1, Target: 8 * time.Hour, WarnPercent: 75}, business, 5 * time.Hour, false, "2025-03-04 11:00"},
		{"calendar changed to short days", Goal{ID: 1, Target: 4 * time.Hour, WarnPercent: 75}, short, 3 * time.Hour, false, "2025-03-04 11:00"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := StatusOf(m, &tt.goal, tt.sch, clk, now)
			if st.Elapsed != tt.elapsed || st.Breached != tt.breached || !st.Deadline.Equal(local(t, london, tt.deadline)) {
				t.Errorf("status: elapsed %v breached %v deadline %s; want %v %v %s", st.Elapsed, st.Breached, st.Deadline, tt.elapsed, tt.breached, tt.deadline)
			}
		})
	}
}

func TestStatusJSON(t *testing.T) {
	mon := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	clk := Fold(Resolution().Conditions, (&evs{t0: mon}).at(0, open).at(time.Hour, waiting).out)
	m := Resolution()
	m.ID = 7
	st := StatusOf(m, &Goal{ID: 3, Target: 4 * time.Hour, CalendarID: 1, Calendar: "24x7", WarnPercent: 75}, nil, clk, mon.Add(2*time.Hour))
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"metric_id":7`, `"state":"paused"`, `"elapsed_seconds":3600`, `"remaining_seconds":10800`, `"target_seconds":14400`, `"paused":[{"start":"2025-03-03T10:00:00Z"}]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
	if strings.Contains(string(b), `"deadline"`) {
		t.Errorf("JSON %s has a deadline for a paused clock", b)
	}
}

func TestMetricValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(m *Metric)
		field string
	}{
		{"valid", func(m *Metric) {}, ""},
		{"no name", func(m *Metric) { m.Name = "" }, "name"},
		{"no start", func(m *Metric) { m.Conditions.Start = nil }, "conditions.start"},
		{"no stop", func(m *Metric) { m.Conditions.Stop = nil }, "conditions.stop"},
		{"unknown trigger", func(m *Metric) { m.Conditions.Start[0].On = "tuesday" }, "conditions.start[0].on"},
		{"bad category", func(m *Metric) { m.Conditions.Start[1].Value = "finished" }, "conditions.start[1].value"},
		{"status without name", func(m *Metric) { m.Conditions.Stop = []Trigger{{On: OnStatusEntered}} }, "conditions.stop[0].value"},
		{"value on created", func(m *Metric) { m.Conditions.Start[0].Value = "x" }, "conditions.start[0].value"},
		{"pause both", func(m *Metric) { m.Conditions.Pause[0].Category = ticket.CategoryToDo }, "conditions.pause[0]"},
		{"pause none", func(m *Metric) { m.Conditions.Pause[0].Status = " " }, "conditions.pause[0]"},
		{"pause category", func(m *Metric) { m.Conditions.Pause = []PauseWhile{{Category: "later"}} }, "conditions.pause[0].category"},
		{"reopen", func(m *Metric) { m.Conditions.Reopen = "again" }, "conditions.reopen"},
		{"zero target", func(m *Metric) { m.Goals[1].Target = 0 }, "goals[1].target_seconds"},
		{"huge target", func(m *Metric) { m.Goals[0].Target = 400 * 24 * time.Hour }, "goals[0].target_seconds"},
		{"fractional target", func(m *Metric) { m.Goals[0].Target = 1500 * time.Millisecond }, "goals[0].target_seconds"},
		{"no calendar", func(m *Metric) { m.Goals[0].CalendarID = 0 }, "goals[0].calendar_id"},
		{"warn share", func(m *Metric) { m.Goals[0].WarnPercent = 100 }, "goals[0].warn_percent"},
		{"long query", func(m *Metric) { m.Goals[0].Query = strings.Repeat("a", MaxQuery+1) }, "goals[0].query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Resolution()
			m.Goals = []Goal{{Query: "priority = Highest", Target: time.Hour, CalendarID: 1, WarnPercent: 75}, {Target: time.Hour, CalendarID: 1}}
			tt.edit(&m)
			err := m.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			e, ok := errs.As(err)
			if !ok || e.Kind != errs.KindInvalid || e.Field != tt.field {
				t.Fatalf("Validate = %v, want invalid %s", err, tt.field)
			}
		})
	}
}

func TestGoalJSON(t *testing.T) {
	var g Goal
	if err := json.Unmarshal([]byte(`{"query":"priority = High","target_seconds":14400,"calendar_id":2,"warn_percent":80}`), &g); err != nil {
		t.Fatal(err)
	}
	if g.Target != 4*time.Hour || g.CalendarID != 2 || g.WarnPercent != 80 || g.Query != "priority = High" {
		t.Errorf("decoded %+v", g)
	}
	b, _ := json.Marshal(g)
	if !strings.Contains(string(b), `"target_seconds":14400`) {
		t.Errorf("encoded %s", b)
	}
}
