package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/sla"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// This file keeps the SLA definitions: calendars, metrics and their goals.
// sla_tick.go runs the clocks, sla_read.go reads them.

// slaConfig is the SLA definitions as one batch of work sees them.
type slaConfig struct {
	metrics   []sla.Metric // with goals in order
	sinceID   map[int64]int64
	calendars map[int64]calendarEntry
}

type calendarEntry struct {
	cal sla.Calendar
	sch *sla.Schedule
}

// metric finds a metric by id in the configuration.
func (cfg *slaConfig) metric(id int64) (sla.Metric, bool) {
	for _, m := range cfg.metrics {
		if m.ID == id {
			return m, true
		}
	}
	return sla.Metric{}, false
}

// slaConfig reads the definitions; activeOnly leaves out inactive metrics.
func (c *conn) slaConfig(activeOnly bool) (*slaConfig, error) {
	cfg := &slaConfig{sinceID: map[int64]int64{}, calendars: map[int64]calendarEntry{}}
	cals, err := c.calendars()
	if err != nil {
		return nil, err
	}
	for _, cal := range cals {
		sch, err := cal.Schedule()
		if err != nil {
			return nil, fmt.Errorf("calendar %d: %w", cal.ID, err)
		}
		cfg.calendars[cal.ID] = calendarEntry{cal, sch}
	}
	q := `SELECT id, name, conditions, active, since_event_id, created_at, updated_at FROM sla_metrics`
	if activeOnly {
		q += ` WHERE active`
	}
	rows, err := c.query(q + ` ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("sla metrics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m sla.Metric
		var cond string
		var since, created, updated int64
		if err := rows.Scan(&m.ID, &m.Name, &cond, &m.Active, &since, &created, &updated); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(cond), &m.Conditions); err != nil {
			return nil, fmt.Errorf("sla metric %d: %w", m.ID, err)
		}
		m.CreatedAt, m.UpdatedAt = fromMillis(created), fromMillis(updated)
		m.Goals = []sla.Goal{}
		cfg.metrics = append(cfg.metrics, m)
		cfg.sinceID[m.ID] = since
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	grows, err := c.query(`SELECT id, metric_id, query, target_seconds, calendar_id, warn_percent FROM sla_goals ORDER BY metric_id, position, id`)
	if err != nil {
		return nil, fmt.Errorf("sla goals: %w", err)
	}
	defer grows.Close()
	for grows.Next() {
		var g sla.Goal
		var metricID, secs int64
		if err := grows.Scan(&g.ID, &metricID, &g.Query, &secs, &g.CalendarID, &g.WarnPercent); err != nil {
			return nil, err
		}
		g.Target = time.Duration(secs) * time.Second
		g.Calendar = cfg.calendars[g.CalendarID].cal.Name
		for i := range cfg.metrics {
			if cfg.metrics[i].ID == metricID {
				cfg.metrics[i].Goals = append(cfg.metrics[i].Goals, g)
			}
		}
	}
	return cfg, grows.Err()
}

// Calendars lists the working calendars by name.
func (s *Store) Calendars(ctx context.Context) ([]sla.Calendar, error) {
	return s.reader(ctx).calendars()
}

const calendarColumns = `id, name, time_zone, hours, holidays, created_at, updated_at`

func (c *conn) calendars() ([]sla.Calendar, error) {
	rows, err := c.query(`SELECT ` + calendarColumns + ` FROM calendars ORDER BY lower(name), id`)
	if err != nil {
		return nil, fmt.Errorf("list calendars: %w", err)
	}
	defer rows.Close()
	out := []sla.Calendar{}
	for rows.Next() {
		cal, err := scanCalendar(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, cal)
	}
	return out, rows.Err()
}

func scanCalendar(sc interface{ Scan(...any) error }) (sla.Calendar, error) {
	var cal sla.Calendar
	var hours, holidays string
	var created, updated int64
	if err := sc.Scan(&cal.ID, &cal.Name, &cal.TimeZone, &hours, &holidays, &created, &updated); err != nil {
		return cal, err
	}
	if err := json.Unmarshal([]byte(hours), &cal.Hours); err != nil {
		return cal, fmt.Errorf("calendar %d: hours: %w", cal.ID, err)
	}
	if err := json.Unmarshal([]byte(holidays), &cal.Holidays); err != nil {
		return cal, fmt.Errorf("calendar %d: holidays: %w", cal.ID, err)
	}
	cal.CreatedAt, cal.UpdatedAt = fromMillis(created), fromMillis(updated)
	return cal, nil
}

// Calendar finds a calendar by id.
func (s *Store) Calendar(ctx context.Context, id int64) (sla.Calendar, error) {
	return s.reader(ctx).calendar(id)
}

func (c *conn) calendar(id int64) (sla.Calendar, error) {
	cal, err := scanCalendar(c.row(`SELECT `+calendarColumns+` FROM calendars WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return cal, errs.NotFound("no calendar %d", id)
	}
	return cal, err
}

func onlyAdmins(actor directory.Actor) error {
	if actor.Role != directory.RoleAdmin {
		return errs.Forbidden("only admins may change SLAs")
	}
	return nil
}

// CreateCalendar validates and adds a working calendar.
func (s *Store) CreateCalendar(ctx context.Context, actor directory.Actor, cal sla.Calendar) (sla.Calendar, error) {
	if err := onlyAdmins(actor); err != nil {
		return cal, err
	}
	if err := cal.Validate(); err != nil {
		return cal, err
	}
	err := s.inTx(ctx, func(c *conn) error {
		hours, _ := json.Marshal(cal.Hours)
		holidays, _ := json.Marshal(cal.Holidays)
		var err error
		cal.ID, err = c.insert(`INSERT INTO calendars (name, time_zone, hours, holidays, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			cal.Name, cal.TimeZone, string(hours), string(holidays), millis(c.now), millis(c.now))
		if isUnique(err) {
			return errs.Conflict("duplicate", "a calendar named %q exists", cal.Name)
		}
		if err != nil {
			return fmt.Errorf("create calendar: %w", err)
		}
		cal.CreatedAt, cal.UpdatedAt = c.now, c.now
		return c.appendEvent("calendar", cal.ID, "calendar.created", actor, cal)
	})
	return cal, err
}

// UpdateCalendar replaces a calendar's name, zone, hours and holidays. The
// clocks that have not stopped and are counted on it are recalculated by
// the SLA worker; stopped ones keep their result (see package sla).
func (s *Store) UpdateCalendar(ctx context.Context, actor directory.Actor, cal sla.Calendar) (sla.Calendar, error) {
	if err := onlyAdmins(actor); err != nil {
		return cal, err
	}
	if err := cal.Validate(); err != nil {
		return cal, err
	}
	var out sla.Calendar
	err := s.inTx(ctx, func(c *conn) error {
		old, err := c.calendar(cal.ID)
		if err != nil {
			return err
		}
		hours, _ := json.Marshal(cal.Hours)
		holidays, _ := json.Marshal(cal.Holidays)
		_, err = c.exec(`UPDATE calendars SET name = ?, time_zone = ?, hours = ?, holidays = ?, updated_at = ? WHERE id = ?`,
			cal.Name, cal.TimeZone, string(hours), string(holidays), millis(c.now), cal.ID)
		if isUnique(err) {
			return errs.Conflict("duplicate", "a calendar named %q exists", cal.Name)
		}
		if err != nil {
			return fmt.Errorf("update calendar %d: %w", cal.ID, err)
		}
		if out, err = c.calendar(cal.ID); err != nil {
			return err
		}
		// A new name alone leaves the clocks as they are.
		if old.TimeZone != out.TimeZone || !sameJSON(old.Hours, out.Hours) || !sameJSON(old.Holidays, out.Holidays) {
			if _, err := c.exec(`UPDATE ticket_sla SET dirty = dirty + 1 WHERE stopped_at IS NULL AND calendar_id = ?
				AND metric_id IN (SELECT g.metric_id FROM sla_goals g JOIN sla_metrics m ON m.id = g.metric_id
					WHERE g.calendar_id = ? AND m.active)`, cal.ID, cal.ID); err != nil {
				return fmt.Errorf("recalculate clocks on calendar %d: %w", cal.ID, err)
			}
		}
		return c.appendEvent("calendar", cal.ID, "calendar.updated", actor, map[string]any{"from": old, "to": out})
	})
	return out, err
}

// SLAMetrics lists every metric, active or not, with its goals in order.
func (s *Store) SLAMetrics(ctx context.Context) ([]sla.Metric, error) {
	cfg, err := s.reader(ctx).slaConfig(false)
	if err != nil {
		return nil, err
	}
	if cfg.metrics == nil {
		return []sla.Metric{}, nil
	}
	return cfg.metrics, nil
}

// SLAMetric finds a metric by id, with its goals.
func (s *Store) SLAMetric(ctx context.Context, id int64) (sla.Metric, error) {
	cfg, err := s.reader(ctx).slaConfig(false)
	if err != nil {
		return sla.Metric{}, err
	}
	m, ok := cfg.metric(id)
	if !ok {
		return m, errs.NotFound("no SLA metric %d", id)
	}
	return m, nil
}

// CreateSLAMetric validates and adds a metric with its goals. It measures
// tickets raised from now on and those open now; tickets already done are
// not measured by it.
func (s *Store) CreateSLAMetric(ctx context.Context, actor directory.Actor, m sla.Metric) (sla.Metric, error) {
	if err := onlyAdmins(actor); err != nil {
		return m, err
	}
	if err := m.Validate(); err != nil {
		return m, err
	}
	if err := s.checkGoalQueries(ctx, m.Goals); err != nil {
		return m, err
	}
	var out sla.Metric
	err := s.inTx(ctx, func(c *conn) error {
		if err := c.checkMetricRefs(m); err != nil {
			return err
		}
		id, err := c.createMetric(m)
		if err != nil {
			return err
		}
		if out, err = c.metricByID(id); err != nil {
			return err
		}
		return c.appendEvent("sla_metric", id, "sla_metric.created", actor, out)
	})
	return out, err
}

func (c *conn) createMetric(m sla.Metric) (int64, error) {
	cond, _ := json.Marshal(m.Conditions)
	var since int64
	if err := c.row(`SELECT COALESCE(MAX(id), 0) FROM events`).Scan(&since); err != nil {
		return 0, err
	}
	id, err := c.insert(`INSERT INTO sla_metrics (name, conditions, active, since_event_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		m.Name, string(cond), m.Active, since, millis(c.now), millis(c.now))
	if isUnique(err) {
		return 0, errs.Conflict("duplicate", "an SLA metric named %q exists", m.Name)
	}
	if err != nil {
		return 0, fmt.Errorf("create SLA metric: %w", err)
	}
	if err := c.saveGoals(id, m.Goals); err != nil {
		return 0, err
	}
	// The worker reads the log from here on; what came before is covered by
	// measuring the open tickets.
	if _, err := c.exec(`INSERT INTO event_cursors (name, last_id, pending, updated_at) VALUES (?, ?, '{}', ?) ON CONFLICT (name) DO NOTHING`,
		slaCursor, since, millis(c.now)); err != nil {
		return 0, fmt.Errorf("sla cursor: %w", err)
	}
	if m.Active {
		if err := c.measureOpenTickets(id); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// measureOpenTickets queues every open ticket for the worker to measure
// with a metric that is new or active again.
func (c *conn) measureOpenTickets(metricID int64) error {
	_, err := c.exec(`INSERT INTO ticket_sla (ticket_id, metric_id, state, dirty, updated_at)
		SELECT t.id, ?, 'not_started', 1, ? FROM tickets t WHERE t.status_category <> 'done'
		ON CONFLICT (ticket_id, metric_id) DO NOTHING`, metricID, millis(c.now))
	if err != nil {
		return fmt.Errorf("queue open tickets for SLA metric %d: %w", metricID, err)
	}
	return nil
}

// UpdateSLAMetric replaces a metric's name, conditions, active flag and
// goals. Goals given with an id are changed in place, those without are
// added, and those left out are removed. Clocks of this metric that have
// not stopped are recalculated by the SLA worker; stopped ones keep their
// result.
func (s *Store) UpdateSLAMetric(ctx context.Context, actor directory.Actor, m sla.Metric) (sla.Metric, error) {
	if err := onlyAdmins(actor); err != nil {
		return m, err
	}
	if err := m.Validate(); err != nil {
		return m, err
	}
	if err := s.checkGoalQueries(ctx, m.Goals); err != nil {
		return m, err
	}
	var out sla.Metric
	err := s.inTx(ctx, func(c *conn) error {
		old, err := c.metricByID(m.ID)
		if err != nil {
			return err
		}
		if err := c.checkMetricRefs(m); err != nil {
			return err
		}
		for i, g := range m.Goals {
			if g.ID != 0 && !hasGoal(old.Goals, g.ID) {
				return errs.Invalid(fmt.Sprintf("goals[%d].id", i), "goal %d is not a goal of this metric", g.ID)
			}
		}
		cond, _ := json.Marshal(m.Conditions)
		_, err = c.exec(`UPDATE sla_metrics SET name = ?, conditions = ?, active = ?, updated_at = ? WHERE id = ?`,
			m.Name, string(cond), m.Active, millis(c.now), m.ID)
		if isUnique(err) {
			return errs.Conflict("duplicate", "an SLA metric named %q exists", m.Name)
		}
		if err != nil {
			return fmt.Errorf("update SLA metric %d: %w", m.ID, err)
		}
		if err := c.saveGoals(m.ID, m.Goals); err != nil {
			return err
		}
		if out, err = c.metricByID(m.ID); err != nil {
			return err
		}
		// A new name alone leaves the clocks as they are.
		changed := !sameJSON(old.Conditions, out.Conditions) || !sameGoals(old.Goals, out.Goals)
		switch {
		case !m.Active:
			_, err = c.exec(`UPDATE ticket_sla SET dirty = 0 WHERE metric_id = ? AND dirty <> 0`, m.ID)
		case !old.Active:
			if _, err = c.exec(`UPDATE ticket_sla SET dirty = dirty + 1 WHERE metric_id = ? AND stopped_at IS NULL`, m.ID); err == nil {
				err = c.measureOpenTickets(m.ID)
			}
		case changed:
			_, err = c.exec(`UPDATE ticket_sla SET dirty = dirty + 1 WHERE metric_id = ? AND stopped_at IS NULL`, m.ID)
		}
		if err != nil {
			return fmt.Errorf("recalculate clocks of SLA metric %d: %w", m.ID, err)
		}
		return c.appendEvent("sla_metric", m.ID, "sla_metric.updated", actor, map[string]any{"from": old, "to": out})
	})
	return out, err
}

func sameJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// sameGoals compares what goals measure, leaving out display names.
func sameGoals(a, b []sla.Goal) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.ID != y.ID || x.Query != y.Query || x.Target != y.Target || x.CalendarID != y.CalendarID || x.WarnPercent != y.WarnPercent {
			return false
		}
	}
	return true
}

func hasGoal(goals []sla.Goal, id int64) bool {
	for _, g := range goals {
		if g.ID == id {
			return true
		}
	}
	return false
}

func (c *conn) metricByID(id int64) (sla.Metric, error) {
	cfg, err := c.slaConfig(false)
	if err != nil {
		return sla.Metric{}, err
	}
	m, ok := cfg.metric(id)
	if !ok {
		return m, errs.NotFound("no SLA metric %d", id)
	}
	return m, nil
}

// saveGoals makes a metric's goals the list given, in its order.
func (c *conn) saveGoals(metricID int64, goals []sla.Goal) error {
	keep := []any{metricID}
	for _, g := range goals {
		if g.ID != 0 {
			keep = append(keep, g.ID)
		}
	}
	q := `DELETE FROM sla_goals WHERE metric_id = ?`
	if len(keep) > 1 {
		q += ` AND id NOT IN (` + placeholders(len(keep)-1) + `)`
	}
	if _, err := c.exec(q, keep...); err != nil {
		return fmt.Errorf("remove goals: %w", err)
	}
	for i, g := range goals {
		secs := int64(g.Target / time.Second)
		var err error
		if g.ID != 0 {
			_, err = c.exec(`UPDATE sla_goals SET position = ?, query = ?, target_seconds = ?, calendar_id = ?, warn_percent = ? WHERE id = ? AND metric_id = ?`,
				i, g.Query, secs, g.CalendarID, g.WarnPercent, g.ID, metricID)
		} else {
			_, err = c.insert(`INSERT INTO sla_goals (metric_id, position, query, target_seconds, calendar_id, warn_percent) VALUES (?, ?, ?, ?, ?, ?)`,
				metricID, i, g.Query, secs, g.CalendarID, g.WarnPercent)
		}
		if err != nil {
			return fmt.Errorf("save goal %d: %w", i, err)
		}
	}
	return nil
}

// checkMetricRefs checks what a metric names outside itself: the calendars
// of its goals, and status names, which some workflow must have.
func (c *conn) checkMetricRefs(m sla.Metric) error {
	for i, g := range m.Goals {
		if _, err := c.calendar(g.CalendarID); errs.Is(err, errs.KindNotFound) {
			return errs.Invalid(fmt.Sprintf("goals[%d].calendar_id", i), "no calendar %d", g.CalendarID)
		} else if err != nil {
			return err
		}
	}
	names := m.Conditions.StatusNames()
	if len(names) == 0 {
		return nil
	}
	rows, err := c.query(`SELECT id, definition FROM workflows`)
	if err != nil {
		return err
	}
	defer rows.Close()
	known := map[string]bool{}
	for rows.Next() {
		w, err := scanWorkflow(rows)
		if err != nil {
			return err
		}
		for _, st := range w.Statuses {
			known[strings.ToLower(st.Name)] = true
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for field, name := range names {
		if !known[strings.ToLower(name)] {
			return errs.Invalid(field, "no workflow has a status %q", name)
		}
	}
	return nil
}

// checkGoalQueries validates each goal's query with the query language.
func (s *Store) checkGoalQueries(ctx context.Context, goals []sla.Goal) error {
	for i, g := range goals {
		if g.Query == "" {
			continue
		}
		err := s.ValidateQuery(ctx, g.Query)
		if e, ok := errs.As(err); ok && e.Kind == errs.KindInvalid {
			return errs.Invalid(fmt.Sprintf("goals[%d].query", i), "%s", e.Message)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// goalMatcher tells which of the tickets ids match a goal's query; tests
// give the worker a stand-in (sla_export_test.go).
type goalMatcher func(ctx context.Context, q string, ids []int64) (map[int64]bool, error)

// matchGoals is how the SLA worker and readers match goal queries.
func (s *Store) matchGoals() goalMatcher { return s.MatchTickets }

// Default SLA definitions.
const (
	DefaultCalendar24x7     = "24x7"
	DefaultCalendarBusiness = "Business hours"
)

// EnsureDefaultSLAs gives a database with no SLA metrics the defaults: a
// 24x7 calendar, a "Business hours" calendar (Monday to Friday 09:00-17:00,
// Europe/London, with 25 and 26 December and 1 January off), and the
// built-in time to first response and time to resolution with a goal per
// priority on business hours. It does nothing once any metric exists, so
// that every start may call it after Migrate; of processes starting
// together, one creates the defaults.
func (s *Store) EnsureDefaultSLAs(ctx context.Context) error {
	err := s.inTx(ctx, func(c *conn) error {
		var n int
		if err := c.row(`SELECT COUNT(*) FROM sla_metrics`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		calID := map[string]int64{}
		business := sla.WorkingWeek(DefaultCalendarBusiness, "Europe/London", "09:00-17:00")
		business.Holidays = []sla.Holiday{{Date: "12-25", Name: "Christmas Day"}, {Date: "12-26", Name: "Boxing Day"}, {Date: "01-01", Name: "New Year's Day"}}
		for _, cal := range []sla.Calendar{sla.TwentyFourSeven(DefaultCalendar24x7, "UTC"), business} {
			var id int64
			if err := c.row(`SELECT id FROM calendars WHERE lower(name) = lower(?)`, cal.Name).Scan(&id); err == nil {
				calID[cal.Name] = id // an admin made one by that name already: use it
				continue
			} else if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if err := cal.Validate(); err != nil {
				return fmt.Errorf("default calendar %s: %w", cal.Name, err)
			}
			hours, _ := json.Marshal(cal.Hours)
			holidays, _ := json.Marshal(cal.Holidays)
			id, err := c.insert(`INSERT INTO calendars (name, time_zone, hours, holidays, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
				cal.Name, cal.TimeZone, string(hours), string(holidays), millis(c.now), millis(c.now))
			if err != nil {
				return fmt.Errorf("default calendar %s: %w", cal.Name, err)
			}
			calID[cal.Name] = id
		}
		// A business day is eight working hours.
		h := time.Hour
		targets := []struct {
			p                  ticket.Priority
			response, resolved time.Duration
		}{
			{ticket.PriorityHighest, 1 * h, 4 * h},
			{ticket.PriorityHigh, 4 * h, 8 * h},
			{ticket.PriorityMedium, 8 * h, 24 * h},
			{ticket.PriorityLow, 16 * h, 40 * h},
			{ticket.PriorityLowest, 24 * h, 80 * h},
		}
		response, resolution := sla.FirstResponse(), sla.Resolution()
		for _, t := range targets {
			goal := sla.Goal{Query: "priority = " + string(t.p), CalendarID: calID[DefaultCalendarBusiness], WarnPercent: sla.DefaultWarnPct}
			goal.Target = t.response
			response.Goals = append(response.Goals, goal)
			goal.Target = t.resolved
			resolution.Goals = append(resolution.Goals, goal)
		}
		for _, m := range []sla.Metric{response, resolution} {
			if err := m.Validate(); err != nil {
				return fmt.Errorf("default SLA metric %s: %w", m.Name, err)
			}
			id, err := c.createMetric(m)
			if err != nil {
				return fmt.Errorf("default SLA metric %s: %w", m.Name, err)
			}
			if err := c.appendEvent("sla_metric", id, "sla_metric.created", directory.System, m); err != nil {
				return err
			}
		}
		return nil
	})
	if errs.Is(err, errs.KindConflict) || isUnique(err) {
		return nil // another process created them at the same moment
	}
	return err
}
