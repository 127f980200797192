package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/sla"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// The default goals for Highest on business hours (Monday to Friday
// 09:00-17:00 London; t0 is Monday 09:00 GMT): first response in 1h
// (warning at 09:45, breach at 10:00), resolution in 4h (warning at 12:00,
// breach at 13:00).
const (
	firstResponse = "Time to first response"
	resolution    = "Time to resolution"
)

// slaFixture is the store fixture with the default SLAs.
func slaFixture(t *testing.T, s *store.Store) *fixture {
	t.Helper()
	f := newFixture(t, s)
	if err := s.EnsureDefaultSLAs(f.ctx); err != nil {
		t.Fatalf("EnsureDefaultSLAs: %v", err)
	}
	if err := s.EnsureDefaultSLAs(f.ctx); err != nil {
		t.Fatalf("EnsureDefaultSLAs again: %v", err)
	}
	return f
}

// urgent raises a Highest outage for Alice, as Nina.
func (f *fixture) urgent(t *testing.T, summary string) ticket.Ticket {
	t.Helper()
	return f.create(t, f.nina, store.NewTicket{Service: "Network", RequestType: "Report an outage", Summary: summary,
		Priority: "Highest", ReporterID: f.aliceUser.ID})
}

func (f *fixture) tick(t *testing.T) store.TickResult {
	t.Helper()
	res, err := f.s.SLATick(f.ctx, "test-worker")
	if err != nil {
		t.Fatalf("SLATick: %v", err)
	}
	if !res.Leased || res.More {
		t.Fatalf("SLATick = %+v, want the lease and no work left", res)
	}
	return res
}

// slaEvents counts the SLA events of a ticket of one type and metric.
func (f *fixture) slaEvents(t *testing.T, tk ticket.Ticket, typ, metric string) int {
	t.Helper()
	evs, err := f.s.History(f.ctx, f.admin, tk.Key)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range evs {
		if data, _ := ev.Data.(map[string]any); ev.Type == typ && data["metric"] == metric {
			n++
		}
	}
	return n
}

func (f *fixture) slaStatus(t *testing.T, tk ticket.Ticket, metric string) sla.Status {
	t.Helper()
	sts, err := f.s.TicketSLAs(f.ctx, f.nina, tk.Key)
	if err != nil {
		t.Fatalf("TicketSLAs(%s): %v", tk.Key, err)
	}
	for _, st := range sts {
		if st.Metric == metric {
			return st
		}
	}
	t.Fatalf("%s has no %s clock in %+v", tk.Key, metric, sts)
	return sla.Status{}
}

func (f *fixture) move(t *testing.T, a directory.Actor, tk ticket.Ticket, to string) {
	t.Helper()
	if _, err := f.s.Transition(f.ctx, a, tk.Key, store.TransitionInput{To: to}); err != nil {
		t.Fatalf("%s to %s: %v", tk.Key, to, err)
	}
}

func at(hhmm string) time.Time {
	v, err := time.Parse("2006-01-02 15:04", "2025-03-03 "+hhmm)
	if err != nil {
		panic(err)
	}
	return v
}

func TestSLATick(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := slaFixture(t, s)
		tk := f.urgent(t, "Core switch down")
		if res := f.tick(t); res.Tickets != 1 || res.Warnings+res.Breaches != 0 {
			t.Fatalf("first tick = %+v", res)
		}
		st := f.slaStatus(t, tk, firstResponse)
		if st.State != sla.Running || st.Target != time.Hour || !st.Deadline.Equal(at("10:00")) || !st.WarnAt.Equal(at("09:45")) || st.Calendar != store.DefaultCalendarBusiness {
			t.Fatalf("first response = %+v", st)
		}

		// The warning comes at 75%, once.
		f.clock.now = at("09:50")
		if res := f.tick(t); res.Warnings != 1 || res.Breaches != 0 {
			t.Fatalf("tick at 09:50 = %+v, want one warning", res)
		}
		if res := f.tick(t); res.Warnings != 0 {
			t.Fatalf("second tick at 09:50 = %+v, want no new warning", res)
		}
		// The breach comes at the deadline, once, with no second warning.
		f.clock.now = at("10:00")
		if res := f.tick(t); res.Breaches != 1 || res.Warnings != 0 {
			t.Fatalf("tick at 10:00 = %+v, want one breach", res)
		}
		f.clock.now = at("10:05")
		if res := f.tick(t); res.Breaches != 0 || res.Warnings != 0 {
			t.Fatalf("tick at 10:05 = %+v, want nothing new", res)
		}
		if st := f.slaStatus(t, tk, firstResponse); !st.Breached || st.State != sla.Running || st.Elapsed != 65*time.Minute {
			t.Fatalf("first response at 10:05 = %+v", st)
		}

		// The reply stops the clock; it stays breached and is not recorded again.
		f.clock.now = at("10:30")
		if _, err := s.AddComment(f.ctx, f.nina, tk.Key, "Looking into it.", false); err != nil {
			t.Fatal(err)
		}
		if res := f.tick(t); res.Tickets != 1 || res.Breaches != 0 {
			t.Fatalf("tick after the reply = %+v", res)
		}
		if st := f.slaStatus(t, tk, firstResponse); st.State != sla.Stopped || !st.Breached || st.Met || st.Elapsed != 90*time.Minute {
			t.Fatalf("first response after the reply = %+v", st)
		}

		// Waiting for the customer pauses the resolution clock: it does not
		// breach however long the customer takes.
		f.clock.now = at("11:00")
		f.move(t, f.nina, tk, "Waiting for customer")
		f.tick(t)
		f.clock.now = at("16:00")
		if res := f.tick(t); res.Breaches != 0 || res.Warnings != 0 {
			t.Fatalf("tick while paused = %+v, want nothing", res)
		}
		st = f.slaStatus(t, tk, resolution)
		if st.State != sla.Paused || st.Breached || !st.Deadline.IsZero() || st.Elapsed != 2*time.Hour || len(st.Paused) != 1 {
			t.Fatalf("resolution while paused = %+v", st)
		}
		// The customer answers at 16:00: two hours are left, so the
		// deadline is 10:00 the next day; the warning (3h spent) is at 17:00.
		f.move(t, f.alice, tk, "In progress")
		f.tick(t)
		st = f.slaStatus(t, tk, resolution)
		if st.State != sla.Running || !st.Deadline.Equal(at("10:00").AddDate(0, 0, 1)) || !st.WarnAt.Equal(at("17:00")) {
			t.Fatalf("resolution resumed = %+v", st)
		}
		f.clock.now = at("09:30").AddDate(0, 0, 1)
		if res := f.tick(t); res.Warnings != 1 || res.Breaches != 0 {
			t.Fatalf("tick at 09:30 next day = %+v, want the resolution warning", res)
		}
		f.clock.now = at("10:01").AddDate(0, 0, 1)
		if res := f.tick(t); res.Breaches != 1 {
			t.Fatalf("tick at 10:01 next day = %+v, want the resolution breach", res)
		}
		for _, c := range []struct {
			typ, metric string
			want        int
		}{
			{store.EventSLAWarning, firstResponse, 1}, {store.EventSLABreached, firstResponse, 1},
			{store.EventSLAWarning, resolution, 1}, {store.EventSLABreached, resolution, 1},
		} {
			if n := f.slaEvents(t, tk, c.typ, c.metric); n != c.want {
				t.Errorf("%s %s events: %d, want %d", c.metric, c.typ, n, c.want)
			}
		}
		// Customers do not see SLA events in the history.
		evs, err := s.History(f.ctx, f.alice, tk.Key)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			if strings.HasPrefix(ev.Type, "sla.") {
				t.Errorf("the customer sees %s in the history", ev.Type)
			}
		}
	})
}

func TestSLAResolvedInTime(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := slaFixture(t, s)
		tk := f.urgent(t, "Wi-Fi flaky")
		f.clock.now = at("09:20")
		if _, err := s.Transition(f.ctx, f.nina, tk.Key, store.TransitionInput{To: "Resolved", Resolution: "Fixed", Comment: "Restarted the AP."}); err != nil {
			t.Fatal(err)
		}
		f.tick(t)
		f.clock.now = at("17:00")
		if res := f.tick(t); res.Breaches+res.Warnings != 0 {
			t.Fatalf("tick after resolution = %+v", res)
		}
		for _, m := range []string{firstResponse, resolution} {
			if st := f.slaStatus(t, tk, m); st.State != sla.Stopped || !st.Met || st.Breached || st.Elapsed != 20*time.Minute {
				t.Errorf("%s = %+v, want met in 20 minutes", m, st)
			}
		}
		// Reopened, the resolution clock resumes from 20 minutes, against the
		// same 4h; first response stays met.
		f.clock.now = at("09:00").AddDate(0, 0, 1)
		f.move(t, f.alice, tk, "Open")
		f.tick(t)
		if st := f.slaStatus(t, tk, resolution); st.State != sla.Running || st.Elapsed != 20*time.Minute || !st.Deadline.Equal(at("12:40").AddDate(0, 0, 1)) {
			t.Errorf("reopened resolution = %+v", st)
		}
		if st := f.slaStatus(t, tk, firstResponse); st.State != sla.Stopped || !st.Met {
			t.Errorf("first response after reopening = %+v", st)
		}
	})
}

// TestSLARecalculation changes a goal and a calendar: clocks still running
// are measured again, stopped ones keep their result.
func TestSLARecalculation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := slaFixture(t, s)
		answered := f.urgent(t, "Answered")
		open := f.urgent(t, "Open")
		f.clock.now = at("10:30")
		if _, err := s.AddComment(f.ctx, f.nina, answered.Key, "On it.", false); err != nil {
			t.Fatal(err)
		}
		f.tick(t)
		if st := f.slaStatus(t, open, firstResponse); !st.Breached {
			t.Fatalf("open first response = %+v, want breached", st)
		}

		// Raise the Highest first-response goal to 2h.
		metrics, err := s.SLAMetrics(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		var m sla.Metric
		for _, x := range metrics {
			if x.Name == firstResponse {
				m = x
			}
		}
		if len(m.Goals) != 5 || m.Goals[0].Query != "priority = Highest" {
			t.Fatalf("default goals = %+v", m.Goals)
		}
		m.Goals[0].Target = 2 * time.Hour
		if _, err := s.UpdateSLAMetric(f.ctx, f.admin, m); err != nil {
			t.Fatal(err)
		}
		if res := f.tick(t); res.Tickets != 1 || res.Breaches != 0 || res.Warnings != 0 {
			t.Fatalf("tick after the goal change = %+v, want the open ticket recalculated and nothing recorded", res)
		}
		if st := f.slaStatus(t, open, firstResponse); st.Breached || st.Target != 2*time.Hour || !st.Deadline.Equal(at("11:00")) {
			t.Errorf("running clock after the goal change = %+v, want 2h due at 11:00", st)
		}
		if st := f.slaStatus(t, answered, firstResponse); !st.Breached || st.Target != time.Hour {
			t.Errorf("stopped clock after the goal change = %+v, want its 1h result kept", st)
		}
		// The withdrawn breach is recorded again at the new deadline.
		f.clock.now = at("11:01")
		if res := f.tick(t); res.Breaches != 1 {
			t.Fatalf("tick at 11:01 = %+v, want the breach of the new goal", res)
		}

		// Longer business hours: the running resolution clock is measured
		// on them from the start, 07:00-19:00 Monday to Friday.
		cals, err := s.Calendars(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		var business sla.Calendar
		for _, c := range cals {
			if c.Name == store.DefaultCalendarBusiness {
				business = c
			}
		}
		for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday"} {
			business.Hours[d] = []string{"07:00-19:00"}
		}
		if _, err := s.UpdateCalendar(f.ctx, f.admin, business); err != nil {
			t.Fatal(err)
		}
		before := f.slaStatus(t, answered, firstResponse)
		f.tick(t)
		if st := f.slaStatus(t, open, resolution); st.Elapsed != 2*time.Hour+time.Minute || !st.Deadline.Equal(at("13:00")) {
			t.Errorf("resolution on the new calendar = %+v", st)
		}
		if st := f.slaStatus(t, answered, firstResponse); st.Elapsed != before.Elapsed || st.Breached != before.Breached {
			t.Errorf("stopped clock after the calendar change = %+v, was %+v", st, before)
		}
	})
}

// TestSLANewMetric adds a metric: the open tickets are measured, the done
// ones are not, and new tickets are.
func TestSLANewMetric(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := slaFixture(t, s)
		open := f.incident(t, f.alice, "Open before")
		done := f.incident(t, f.alice, "Done before")
		f.move(t, f.nina, done, "Resolved")
		f.tick(t)
		cals, _ := s.Calendars(f.ctx)
		m, err := s.CreateSLAMetric(f.ctx, f.admin, sla.Metric{
			Name: "Time in progress", Active: true,
			Conditions: sla.Conditions{
				Start: []sla.Trigger{{On: sla.OnStatusEntered, Value: "In progress"}},
				Stop:  []sla.Trigger{{On: sla.OnStatusLeft, Value: "In progress"}},
			},
			Goals: []sla.Goal{{Query: `service = "Network"`, Target: 2 * time.Hour, CalendarID: cals[0].ID, WarnPercent: 50}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if m.Conditions.Reopen != sla.ReopenNone || len(m.Goals) != 1 || m.Goals[0].ID == 0 {
			t.Fatalf("created metric = %+v", m)
		}
		f.move(t, f.nina, open, "In progress")
		later := f.incident(t, f.alice, "Raised after")
		f.tick(t)
		count := func(tk ticket.Ticket) int {
			sts, err := s.TicketSLAs(f.ctx, f.admin, tk.Key)
			if err != nil {
				t.Fatal(err)
			}
			return len(sts)
		}
		if n := count(open); n != 3 {
			t.Errorf("open ticket has %d clocks, want 3", n)
		}
		if n := count(done); n != 2 {
			t.Errorf("done ticket has %d clocks, want the 2 it had", n)
		}
		if n := count(later); n != 3 {
			t.Errorf("new ticket has %d clocks, want 3", n)
		}
		if st := f.slaStatus(t, open, "Time in progress"); st.State != sla.Running || st.Target != 2*time.Hour {
			t.Errorf("time in progress = %+v", st)
		}
		// Deactivated, it is no longer shown.
		m.Active = false
		if _, err := s.UpdateSLAMetric(f.ctx, f.admin, m); err != nil {
			t.Fatal(err)
		}
		if n := count(open); n != 2 {
			t.Errorf("open ticket has %d clocks after deactivation, want 2", n)
		}
		// Marks left on an inactive metric's clocks do not keep the worker busy.
		if _, err := store.ExecSQL(s, f.ctx, `UPDATE ticket_sla SET dirty = 3 WHERE metric_id = ?`, m.ID); err != nil {
			t.Fatal(err)
		}
		f.tick(t)
		if n, err := store.QueryInt(s, f.ctx, `SELECT COUNT(*) FROM ticket_sla WHERE dirty <> 0`); err != nil || n != 0 {
			t.Errorf("%d clocks still marked after a tick (%v)", n, err)
		}
	})
}

// TestSLAGoalOrder matches goals with a stand-in for the query language:
// the first goal that matches applies, and a goal with no query matches
// everything.
func TestSLAGoalOrder(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		cal, err := s.CreateCalendar(f.ctx, f.admin, sla.TwentyFourSeven("Always", "UTC"))
		if err != nil {
			t.Fatal(err)
		}
		m := sla.FirstResponse()
		m.Goals = []sla.Goal{
			{Query: `summary ~ "vip"`, Target: time.Hour, CalendarID: cal.ID},
			{Query: `summary ~ "printer"`, Target: 2 * time.Hour, CalendarID: cal.ID},
			{Target: 3 * time.Hour, CalendarID: cal.ID},
		}
		if _, err := s.CreateSLAMetric(f.ctx, f.admin, m); err != nil {
			t.Fatal(err)
		}
		vip := f.incident(t, f.alice, "VIP printer jam")
		printer := f.incident(t, f.alice, "Printer jam")
		other := f.incident(t, f.alice, "Mouse broken")
		calls := 0
		standIn := func(_ context.Context, q string, ids []int64) (map[int64]bool, error) {
			calls++
			out := map[int64]bool{}
			for _, id := range ids {
				out[id] = (q == `summary ~ "vip"` && id == vip.ID) || (q == `summary ~ "printer"` && (id == vip.ID || id == printer.ID))
			}
			return out, nil
		}
		if _, err := store.SLATickMatching(s, f.ctx, standIn); err != nil {
			t.Fatal(err)
		}
		if calls != 2 {
			t.Errorf("matcher called %d times, want once per query", calls)
		}
		for _, c := range []struct {
			tk   ticket.Ticket
			want time.Duration
		}{{vip, time.Hour}, {printer, 2 * time.Hour}, {other, 3 * time.Hour}} {
			ms, err := store.QueryInt(s, f.ctx, `SELECT target_ms FROM ticket_sla WHERE ticket_id = ?`, c.tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := time.Duration(ms) * time.Millisecond; got != c.want {
				t.Errorf("%s: target %v, want %v", c.tk.Summary, got, c.want)
			}
		}
		// The real query language gives the same answer on a read.
		if st := f.slaStatus(t, printer, firstResponse); st.Target != 2*time.Hour {
			t.Errorf("printer through the query language = %+v", st)
		}
	})
}

func TestSLAAccess(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := slaFixture(t, s)
		tk := f.urgent(t, "Access")
		for _, c := range []struct {
			name  string
			actor directory.Actor
			kind  errs.Kind
		}{
			{"reporter", f.alice, errs.KindForbidden},
			{"other organization", f.carol, errs.KindNotFound},
			{"agent of another service", f.dave, errs.KindNotFound},
			{"agent", f.nina, ""},
			{"admin", f.admin, ""},
		} {
			_, err := s.TicketSLAs(f.ctx, c.actor, tk.Key)
			if c.kind == "" && err != nil || c.kind != "" && !errs.Is(err, c.kind) {
				t.Errorf("%s: TicketSLAs error %v, want %q", c.name, err, c.kind)
			}
		}
		if _, err := s.TicketSLAs(f.ctx, f.nina, "IT-999"); !errs.Is(err, errs.KindNotFound) {
			t.Errorf("unknown ticket: %v", err)
		}
		if _, err := s.CreateCalendar(f.ctx, f.nina, sla.TwentyFourSeven("Mine", "UTC")); !errs.Is(err, errs.KindForbidden) {
			t.Errorf("agent creating a calendar: %v", err)
		}
		if _, err := s.CreateSLAMetric(f.ctx, f.nina, sla.FirstResponse()); !errs.Is(err, errs.KindForbidden) {
			t.Errorf("agent creating a metric: %v", err)
		}
		if _, err := s.SLAReport(f.ctx, f.alice, store.SLAReportFilter{From: t0, To: t0.Add(time.Hour)}); !errs.Is(err, errs.KindForbidden) {
			t.Errorf("customer report: %v", err)
		}
	})
}

func TestSLAAdminValidation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := slaFixture(t, s)
		cals, err := s.Calendars(f.ctx)
		if err != nil || len(cals) != 2 {
			t.Fatalf("default calendars = %+v, %v", cals, err)
		}
		calID := cals[0].ID
		if _, err := s.CreateCalendar(f.ctx, f.admin, sla.TwentyFourSeven("business HOURS", "UTC")); !errs.Is(err, errs.KindConflict) {
			t.Errorf("duplicate calendar: %v", err)
		}
		bad := sla.TwentyFourSeven("Bad", "Mars/Olympus")
		_, err = s.CreateCalendar(f.ctx, f.admin, bad)
		wantErr(t, "bad zone", err, errs.KindInvalid, "time_zone")
		_, err = s.UpdateCalendar(f.ctx, f.admin, func() sla.Calendar { c := sla.TwentyFourSeven("Gone", "UTC"); c.ID = 999; return c }())
		if !errs.Is(err, errs.KindNotFound) {
			t.Errorf("update of an unknown calendar: %v", err)
		}

		metrics, _ := s.SLAMetrics(f.ctx)
		other := metrics[1].Goals[0].ID
		for _, c := range []struct {
			name  string
			edit  func(m *sla.Metric)
			kind  errs.Kind
			field string
		}{
			{"no stop", func(m *sla.Metric) { m.Conditions.Stop = nil }, errs.KindInvalid, "conditions.stop"},
			{"unknown status", func(m *sla.Metric) { m.Conditions.Pause = []sla.PauseWhile{{Status: "Napping"}} }, errs.KindInvalid, "conditions.pause[0].status"},
			{"unknown calendar", func(m *sla.Metric) { m.Goals[0].CalendarID = 999 }, errs.KindInvalid, "goals[0].calendar_id"},
			{"bad query", func(m *sla.Metric) { m.Goals[1].Query = "priority = = High" }, errs.KindInvalid, "goals[1].query"},
			{"unknown name in query", func(m *sla.Metric) { m.Goals[0].Query = `service = "Nowhere"` }, errs.KindInvalid, "goals[0].query"},
			{"another metric's goal", func(m *sla.Metric) { m.Goals[0].ID = other }, errs.KindInvalid, "goals[0].id"},
			{"duplicate name", func(m *sla.Metric) { m.Name = strings.ToUpper(resolution) }, errs.KindConflict, ""},
		} {
			m := metrics[0]
			m.Goals = append([]sla.Goal(nil), m.Goals...)
			c.edit(&m)
			before := f.counts(t)
			_, err := s.UpdateSLAMetric(f.ctx, f.admin, m)
			if c.kind == errs.KindConflict {
				if !errs.Is(err, errs.KindConflict) {
					t.Errorf("%s: %v, want a conflict", c.name, err)
				}
			} else {
				wantErr(t, c.name, err, c.kind, c.field)
			}
			sameCounts(t, c.name, before, f.counts(t))
		}
		// Goals are replaced as a list: kept by id, added, removed.
		m := metrics[0]
		m.Goals = []sla.Goal{{Query: "priority IN (Highest, High)", Target: 30 * time.Minute, CalendarID: calID, WarnPercent: 50}, m.Goals[4]}
		got, err := s.UpdateSLAMetric(f.ctx, f.admin, m)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Goals) != 2 || got.Goals[1].ID != metrics[0].Goals[4].ID || got.Goals[0].Target != 30*time.Minute || got.Goals[0].Calendar == "" {
			t.Errorf("goals after the update = %+v", got.Goals)
		}
		b, _ := json.Marshal(got)
		if !strings.Contains(string(b), `"target_seconds":1800`) {
			t.Errorf("metric JSON %s", b)
		}
	})
}

func TestSLAReport(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := slaFixture(t, s)
		late := f.urgent(t, "Late")
		quick := f.urgent(t, "Quick")
		laptop := f.create(t, f.dave, store.NewTicket{Service: "Laptops", RequestType: "Request a laptop", Summary: "Laptop",
			Priority: "Highest", ReporterID: f.bobUser.ID, Fields: map[string]any{"model": "Small", "agree": true}})
		f.clock.now = at("09:30")
		if _, err := s.AddComment(f.ctx, f.nina, quick.Key, "Done soon.", false); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddComment(f.ctx, f.dave, laptop.Key, "Ordered.", false); err != nil {
			t.Fatal(err)
		}
		f.clock.now = at("11:00")
		if _, err := s.AddComment(f.ctx, f.nina, late.Key, "Sorry for the wait.", false); err != nil {
			t.Fatal(err)
		}
		f.move(t, f.nina, quick, "Resolved")
		f.tick(t)

		report := func(a directory.Actor, group string) map[string]store.SLAReportRow {
			t.Helper()
			rows, err := s.SLAReport(f.ctx, a, store.SLAReportFilter{From: at("00:00"), To: at("23:59"), GroupBy: group})
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]store.SLAReportRow{}
			for _, r := range rows {
				out[r.Metric+"/"+r.Group] = r
			}
			return out
		}
		all := report(f.admin, "")
		if r := all[firstResponse+"/"]; r.Total != 3 || r.Met != 2 || r.Breached != 1 || int(r.MetPercent) != 66 {
			t.Errorf("first response = %+v", r)
		}
		if r := all[resolution+"/"]; r.Total != 1 || r.Met != 1 || r.MetPercent != 100 || r.AverageElapsedSec != 7200 {
			t.Errorf("resolution = %+v", r)
		}
		bySvc := report(f.admin, "service")
		if r := bySvc[firstResponse+"/Network"]; r.Total != 2 || r.Met != 1 {
			t.Errorf("first response on Network = %+v", r)
		}
		if r := bySvc[firstResponse+"/Laptops"]; r.Total != 1 || r.Met != 1 || r.GroupID != f.laptops.ID {
			t.Errorf("first response on Laptops = %+v", r)
		}
		if r := report(f.admin, "team")[firstResponse+"/Desk"]; r.Total != 1 {
			t.Errorf("first response of the Desk team = %+v", r)
		}
		if r := report(f.dave, "")[firstResponse+"/"]; r.Total != 1 {
			t.Errorf("Dave's report = %+v, want only his service", r)
		}
		_, err := s.SLAReport(f.ctx, f.admin, store.SLAReportFilter{From: t0, To: t0.Add(time.Hour), GroupBy: "weather"})
		wantErr(t, "group by weather", err, errs.KindInvalid, "group_by")
		_, err = s.SLAReport(f.ctx, f.admin, store.SLAReportFilter{From: t0, To: t0})
		wantErr(t, "empty period", err, errs.KindInvalid, "to")
	})
}
