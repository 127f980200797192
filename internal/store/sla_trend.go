package store

import (
	"context"
	"fmt"
	"time"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
)

// SLATrendPoint is how one metric did in one period of an SLA trend.
type SLATrendPoint struct {
	MetricID int64
	Metric   string
	Start    time.Time // the period's start; it lasts the trend's step
	Total    int
	Met      int
}

// SLATrend is SLAReport by metric over consecutive periods of length step
// from from to to, in one query: the clocks that stopped in each period
// with a goal, and how many met it. Periods without clocks are left out.
func (s *Store) SLATrend(ctx context.Context, actor directory.Actor, from, to time.Time, step time.Duration) ([]SLATrendPoint, error) {
	if !actor.Role.Staff() {
		return nil, errs.Forbidden("only agents see SLA reports")
	}
	if !to.After(from) || step < time.Hour {
		return nil, errs.Invalid("to", "must be after from")
	}
	cond, args := visibleTickets(actor)
	start, stepMS := millis(from), step.Milliseconds()
	// Whole periods from start, by integer division; the alias lets the
	// GROUP BY name the expression without its arguments twice.
	rows, err := s.reader(ctx).query(`SELECT ts.metric_id, m.name, (ts.stopped_at - ?) / ? AS period, COUNT(*),
		CAST(SUM(CASE WHEN ts.deadline_at IS NULL THEN 1 ELSE 0 END) AS BIGINT)
		FROM ticket_sla ts JOIN sla_metrics m ON m.id = ts.metric_id JOIN tickets t ON t.id = ts.ticket_id
		WHERE ts.state = 'stopped' AND ts.target_ms > 0 AND ts.stopped_at >= ? AND ts.stopped_at < ? AND `+cond+`
		GROUP BY ts.metric_id, m.name, period ORDER BY m.name, ts.metric_id, period`,
		append([]any{start, stepMS, start, millis(to)}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("sla trend: %w", err)
	}
	defer rows.Close()
	out := []SLATrendPoint{}
	for rows.Next() {
		var p SLATrendPoint
		var period int64
		if err := rows.Scan(&p.MetricID, &p.Metric, &period, &p.Total, &p.Met); err != nil {
			return nil, err
		}
		p.Start = fromMillis(start + period*stepMS)
		out = append(out, p)
	}
	return out, rows.Err()
}
