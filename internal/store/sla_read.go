package store

import (
	"context"
	"fmt"
	"time"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/sla"
)

// TicketSLAs tells where each active SLA metric of a ticket stands now.
// It reads the ticket as the actor (a hidden ticket is not found) and is
// for agents and admins only. Clocks that have not stopped are measured
// live from the ticket's events, so the answer does not wait for the
// worker; stopped ones give the result they stopped with.
func (s *Store) TicketSLAs(ctx context.Context, actor directory.Actor, key string) ([]sla.Status, error) {
	c := s.reader(ctx)
	t, err := c.ticket(actor, key)
	if err != nil {
		return nil, err
	}
	if !actor.Role.Staff() {
		return nil, errs.Forbidden("only agents see SLAs")
	}
	cfg, clocks, err := c.foldSLAs([]int64{t.ID}, s.matchGoals())
	if err != nil {
		return nil, fmt.Errorf("SLAs of %s: %w", t.Key, err)
	}
	out := []sla.Status{}
	for _, sc := range clocks {
		if !sc.kept {
			out = append(out, sla.StatusOf(*sc.metric, sc.goal, sc.sch, sc.clk, c.now))
			continue
		}
		out = append(out, keptStatus(cfg, sc))
	}
	return out, nil
}

// keptStatus is a stopped clock's status from its stored result: its
// calendar may have changed since, and the result must not.
func keptStatus(cfg *slaConfig, sc slaClock) sla.Status {
	r := sc.row
	st := sla.Status{
		MetricID: sc.metric.ID, Metric: sc.metric.Name, GoalID: r.goalID, Target: time.Duration(r.targetMS) * time.Millisecond,
		CalendarID: r.calendarID, Calendar: cfg.calendars[r.calendarID].cal.Name, WarnPercent: r.warnPct,
		State: sla.Stopped, Cycle: r.cycle, StartedAt: sc.clk.StartedAt, StoppedAt: sc.clk.StoppedAt, Paused: sc.clk.Paused,
		Elapsed: time.Duration(r.elapsedMS) * time.Millisecond,
	}
	if st.Paused == nil {
		st.Paused = []sla.Interval{}
	}
	if r.targetMS > 0 {
		st.Remaining = st.Target - st.Elapsed
		st.Breached = r.deadlineAt.Valid
		st.Met = !st.Breached
		if r.deadlineAt.Valid {
			st.Deadline = fromMillis(r.deadlineAt.Int64)
		}
	}
	return st
}

// SLAReportFilter chooses the clocks a report counts: those that stopped
// from From (included) to To (excluded), grouped by metric alone or also
// by the ticket's service or team.
type SLAReportFilter struct {
	From, To time.Time
	GroupBy  string // "metric" (the default), "service" or "team"
}

// SLAReportRow is the result of one metric, in one group.
type SLAReportRow struct {
	MetricID          int64   `json:"metric_id"`
	Metric            string  `json:"metric"`
	GroupID           int64   `json:"group_id,omitempty"` // the service or team; 0 for tickets with no team
	Group             string  `json:"group,omitempty"`
	Total             int     `json:"total"`
	Met               int     `json:"met"`
	Breached          int     `json:"breached"`
	MetPercent        float64 `json:"met_percent"`
	AverageElapsedSec int64   `json:"average_elapsed_seconds"`
}

// SLAReport gives, per metric and group, how many clocks that stopped in
// the period met their goal. Clocks without a goal are not counted.
// Agents see the tickets of their services; customers may not ask.
func (s *Store) SLAReport(ctx context.Context, actor directory.Actor, f SLAReportFilter) ([]SLAReportRow, error) {
	if !actor.Role.Staff() {
		return nil, errs.Forbidden("only agents see SLA reports")
	}
	if f.From.IsZero() {
		return nil, errs.Required("from")
	}
	if f.To.IsZero() {
		return nil, errs.Required("to")
	}
	if !f.To.After(f.From) {
		return nil, errs.Invalid("to", "must be after from")
	}
	// Constants cannot be grouped or ordered by (they read as column
	// numbers), so a report by metric alone groups by the metric only.
	gid, gname, join, group := "0", "''", "", ""
	switch f.GroupBy {
	case "", "metric":
	case "service":
		gid, gname, join = "t.service_id", "sv.name", " JOIN services sv ON sv.id = t.service_id"
		group = ", " + gid + ", " + gname
	case "team":
		gid, gname, join = "COALESCE(t.team_id, 0)", "COALESCE(tm.name, '')", " LEFT JOIN teams tm ON tm.id = t.team_id"
		group = ", " + gid + ", " + gname
	default:
		return nil, errs.Invalid("group_by", "must be one of metric, service, team")
	}
	cond, args := visibleTickets(actor)
	c := s.reader(ctx)
	rows, err := c.query(`SELECT ts.metric_id, m.name, `+gid+`, `+gname+`, COUNT(*),
		CAST(SUM(CASE WHEN ts.deadline_at IS NULL THEN 1 ELSE 0 END) AS BIGINT), CAST(AVG(ts.elapsed_ms) AS BIGINT)
		FROM ticket_sla ts JOIN sla_metrics m ON m.id = ts.metric_id JOIN tickets t ON t.id = ts.ticket_id`+join+`
		WHERE ts.state = 'stopped' AND ts.target_ms > 0 AND ts.stopped_at >= ? AND ts.stopped_at < ? AND `+cond+`
		GROUP BY ts.metric_id, m.name`+group+` ORDER BY m.name, ts.metric_id`+group,
		append([]any{millis(f.From), millis(f.To)}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("sla report: %w", err)
	}
	defer rows.Close()
	out := []SLAReportRow{}
	for rows.Next() {
		var r SLAReportRow
		var avg int64
		if err := rows.Scan(&r.MetricID, &r.Metric, &r.GroupID, &r.Group, &r.Total, &r.Met, &avg); err != nil {
			return nil, err
		}
		r.Breached = r.Total - r.Met
		if r.Total > 0 {
			r.MetPercent = float64(r.Met) * 100 / float64(r.Total)
		}
		r.AverageElapsedSec = avg / 1000
		out = append(out, r)
	}
	return out, rows.Err()
}
