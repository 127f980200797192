package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/sla"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// The SLA worker's job: its lease, its place in the event log, and how it
// splits work so that each transaction stays short.
const (
	SLALease       = "sla" // the lease the SLA worker takes; see TakeLease
	slaCursor      = "sla"
	SLALeaseTTL    = 30 * time.Second       // a tick renews the lease between batches
	slaBudget      = 500 * time.Millisecond // a tick starts no new batch after this; TickResult.More says so
	slaEventPage   = 1000                   // events read per transaction
	slaTicketBatch = 500                    // tickets recalculated per transaction
	slaDueBatch    = 1000                   // breaches or warnings recorded per transaction
	slaGapWait     = 5 * time.Minute        // how long a missing event id is waited for
	slaMaxPending  = 10000
)

// The events the SLA worker records, in the ticket's stream. Their data
// holds "internal": true, so that customers do not see them in the history.
const (
	EventSLAWarning  = "sla.warning"
	EventSLABreached = "sla.breached"
)

var errLeaseLost = errors.New("sla tick: lease lost to another process")

// TickResult tells what one SLA tick did.
type TickResult struct {
	Leased   bool // false when another process holds the lease: this tick did nothing
	Events   int  // entries of the event log read
	Tickets  int  // tickets whose clocks were recalculated
	Warnings int  // sla.warning events recorded
	Breaches int  // sla.breached events recorded
	More     bool // work is left: tick again without waiting
}

// SLATick does one round of the SLA worker, if it can take the "sla"
// lease (see TakeLease), so that of N processes on one database one does
// each round:
//
//  1. It reads the events logged since its last round and recalculates the
//     clocks of the tickets they touched, in batches.
//  2. It recalculates the clocks that a change of goal, calendar or metric
//     marked (ticket_sla.dirty), in batches.
//  3. It records sla.breached for each clock whose deadline has passed and
//     sla.warning for each that passed its warning share, by an indexed
//     range scan of ticket_sla.deadline_at and warn_at.
//
// Each batch is one transaction, which moves the log position or records
// events with the rows they describe. A breach or warning is recorded by a
// conditional UPDATE (breached_at IS NULL) with the event in the same
// transaction, so that it is recorded exactly once even when two processes
// run rounds at once without the lease. A round starts no batch after
// 500 ms and then reports More, so that each round stays under a second.
func (s *Store) SLATick(ctx context.Context, owner string) (TickResult, error) {
	ok, err := s.TakeLease(ctx, SLALease, owner, SLALeaseTTL)
	if err != nil || !ok {
		return TickResult{}, err
	}
	taken := time.Now()
	renew := func() error {
		// A round lasts under a second: renewing is for a database that
		// stalls, not a statement for every batch.
		if time.Since(taken) < SLALeaseTTL/3 {
			return nil
		}
		ok, err := s.TakeLease(ctx, SLALease, owner, SLALeaseTTL)
		if err == nil && !ok {
			err = errLeaseLost
		}
		taken = time.Now()
		return err
	}
	return s.slaTick(ctx, s.matchGoals(), renew)
}

func (s *Store) slaTick(ctx context.Context, match goalMatcher, renew func() error) (TickResult, error) {
	res := TickResult{Leased: true}
	start := time.Now()
	next := func() (bool, error) {
		if time.Since(start) > slaBudget {
			res.More = true
			return false, nil
		}
		return true, renew()
	}
	steps := []func() (bool, error){
		func() (bool, error) { return s.slaReadEvents(ctx, match, &res) },
		func() (bool, error) { return s.slaRecalculate(ctx, match, &res) },
		func() (bool, error) { return s.slaRecord(ctx, EventSLABreached, &res) },
		func() (bool, error) { return s.slaRecord(ctx, EventSLAWarning, &res) },
	}
	first := true
	for _, step := range steps {
		for more := true; more; {
			if !first {
				if goOn, err := next(); err != nil || !goOn {
					return res, err
				}
			}
			first = false
			var err error
			if more, err = step(); err != nil {
				return res, err
			}
		}
	}
	return res, nil
}

// eventCursor is how far a reader of the log has come.
type eventCursor struct {
	last    int64
	pending map[int64]int64 // missing ids below last, with when they were first missed (ms)
	stored  bool            // read from event_cursors, not new
}

func (c *conn) readCursor(name string) (eventCursor, error) {
	cur := eventCursor{pending: map[int64]int64{}}
	var pending string
	err := c.row(`SELECT last_id, pending FROM event_cursors WHERE name = ?`, name).Scan(&cur.last, &pending)
	if errors.Is(err, sql.ErrNoRows) {
		// A new reader starts at the end of the log.
		err = c.row(`SELECT COALESCE(MAX(id), 0) FROM events`).Scan(&cur.last)
		return cur, err
	}
	if err != nil {
		return cur, fmt.Errorf("cursor %s: %w", name, err)
	}
	cur.stored = true
	var raw map[string]int64
	if err := json.Unmarshal([]byte(pending), &raw); err != nil {
		return cur, fmt.Errorf("cursor %s: %w", name, err)
	}
	for k, v := range raw {
		if id, err := strconv.ParseInt(k, 10, 64); err == nil {
			cur.pending[id] = v
		}
	}
	return cur, nil
}

func (c *conn) saveCursor(name string, cur eventCursor) error {
	raw := make(map[string]int64, len(cur.pending))
	for id, seen := range cur.pending {
		raw[strconv.FormatInt(id, 10)] = seen
	}
	pending, _ := json.Marshal(raw)
	_, err := c.exec(`INSERT INTO event_cursors (name, last_id, pending, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET last_id = excluded.last_id, pending = excluded.pending, updated_at = excluded.updated_at`,
		name, cur.last, string(pending), millis(c.now))
	if err != nil {
		return fmt.Errorf("cursor %s: %w", name, err)
	}
	return nil
}

// advance moves the cursor past the ids read (in order). Ids skipped over
// are waited for: on PostgreSQL a transaction may commit after one that
// took a higher id. Ids missing for longer than slaGapWait were rolled
// back and are forgotten.
func (cur *eventCursor) advance(ids []int64, now time.Time) {
	seen := millis(now)
	for _, id := range ids {
		delete(cur.pending, id)
		if id <= cur.last {
			continue
		}
		if id-cur.last-1 <= slaMaxPending {
			for gap := cur.last + 1; gap < id; gap++ {
				cur.pending[gap] = seen
			}
		}
		cur.last = id
	}
	for id, first := range cur.pending {
		if seen-first > slaGapWait.Milliseconds() {
			delete(cur.pending, id)
		}
	}
	for len(cur.pending) > slaMaxPending {
		delete(cur.pending, slices.Min(slices.Collect(maps.Keys(cur.pending))))
	}
}

// slaTx runs one batch of the worker in a transaction, again when
// PostgreSQL aborts it for a deadlock or a serialization failure: two
// workers without the lease may lock the same clocks in different orders.
func (s *Store) slaTx(ctx context.Context, fn func(c *conn) error) error {
	var err error
	for range 3 {
		if err = s.inTx(ctx, fn); err == nil || !retryable(err) {
			return err
		}
	}
	return err
}

func retryable(err error) bool {
	m := err.Error()
	return strings.Contains(m, "SQLSTATE 40P01") || strings.Contains(m, "SQLSTATE 40001")
}

// slaReadEvents reads one page of the log and recalculates the clocks of
// the tickets it touched, moving the cursor in the same transaction.
func (s *Store) slaReadEvents(ctx context.Context, match goalMatcher, res *TickResult) (bool, error) {
	var read, tickets int
	more := false
	err := s.slaTx(ctx, func(c *conn) error {
		cur, err := c.readCursor(slaCursor)
		if err != nil {
			return err
		}
		var ids []int64
		touched := map[int64]bool{}
		scan := func(q string, args ...any) error {
			rows, err := c.query(q, args...)
			if err != nil {
				return fmt.Errorf("sla events: %w", err)
			}
			defer rows.Close()
			for rows.Next() {
				var id, streamID int64
				var stream, typ string
				if err := rows.Scan(&id, &stream, &streamID, &typ); err != nil {
					return err
				}
				ids = append(ids, id)
				if stream == "ticket" && !strings.HasPrefix(typ, "sla.") {
					touched[streamID] = true
				}
			}
			return rows.Err()
		}
		// Two reads, each on the primary key: with an OR the engines scan
		// the whole log.
		if len(cur.pending) > 0 {
			late := slices.Sorted(maps.Keys(cur.pending))
			if err := scan(`SELECT id, stream, stream_id, type FROM events WHERE id IN (`+placeholders(len(late))+`)`, int64Args(late)...); err != nil {
				return err
			}
		}
		late := len(ids)
		if err := scan(`SELECT id, stream, stream_id, type FROM events WHERE id > ? ORDER BY id LIMIT ?`, cur.last, slaEventPage); err != nil {
			return err
		}
		more = len(ids)-late == slaEventPage
		slices.Sort(ids)
		read, tickets = len(ids), 0
		if len(touched) > 0 {
			if tickets, err = c.refoldSLAs(slices.Sorted(maps.Keys(touched)), match); err != nil {
				return err
			}
		}
		if len(ids) == 0 && len(cur.pending) == 0 && cur.stored {
			return nil // nothing moved: an idle round writes nothing
		}
		cur.advance(ids, c.now)
		return c.saveCursor(slaCursor, cur)
	})
	if err != nil {
		return false, err
	}
	res.Events += read
	res.Tickets += tickets
	return more, nil
}

// slaRecalculate recalculates one batch of the clocks that a change of
// definitions marked dirty.
func (s *Store) slaRecalculate(ctx context.Context, match goalMatcher, res *TickResult) (bool, error) {
	var picked, tickets int
	err := s.slaTx(ctx, func(c *conn) error {
		// The partial index alone, in its order: a join lets the planner
		// scan the table.
		ids, err := c.ids(`SELECT ticket_id FROM ticket_sla WHERE dirty <> 0 ORDER BY ticket_id LIMIT ?`, slaTicketBatch)
		if err != nil {
			return fmt.Errorf("sla recalculation: %w", err)
		}
		picked, tickets = len(ids), 0
		if len(ids) == 0 {
			return nil
		}
		ids = slices.Compact(ids)
		if tickets, err = c.refoldSLAs(ids, match); err != nil {
			return err
		}
		// Refolding writes only active metrics' clocks: clear the marks of
		// the others, so that they are not picked again.
		_, err = c.exec(`UPDATE ticket_sla SET dirty = 0 WHERE dirty <> 0 AND ticket_id IN (`+placeholders(len(ids))+`)
			AND metric_id NOT IN (SELECT id FROM sla_metrics WHERE active)`, int64Args(ids)...)
		return err
	})
	if err != nil {
		return false, err
	}
	res.Tickets += tickets
	return picked == slaTicketBatch, nil
}

// slaRow is a clock as stored.
type slaRow struct {
	state      sla.State
	cycle      int
	goalID     int64
	targetMS   int64
	calendarID int64
	warnPct    int
	elapsedMS  int64
	startedAt  sql.NullInt64
	stoppedAt  sql.NullInt64
	deadlineAt sql.NullInt64
	warnAt     sql.NullInt64
	dirty      int64
}

// same reports whether the row already holds what st would store, elapsed
// time aside.
func (r *slaRow) same(st sla.Status) bool {
	eq := func(n sql.NullInt64, t time.Time) bool {
		return n.Valid == !t.IsZero() && (!n.Valid || n.Int64 == millis(t))
	}
	return r.state == st.State && r.cycle == st.Cycle && r.goalID == st.GoalID && r.targetMS == st.Target.Milliseconds() &&
		r.calendarID == st.CalendarID && r.warnPct == st.WarnPercent && eq(r.startedAt, st.StartedAt) &&
		eq(r.stoppedAt, st.StoppedAt) && eq(r.deadlineAt, st.Deadline) && eq(r.warnAt, st.WarnAt)
}

type slaKey struct{ ticketID, metricID int64 }

func (c *conn) slaRows(ids []int64) (map[slaKey]slaRow, error) {
	out := map[slaKey]slaRow{}
	rows, err := c.query(`SELECT ticket_id, metric_id, state, cycle, COALESCE(goal_id, 0), target_ms, COALESCE(calendar_id, 0),
		warn_percent, elapsed_ms, started_at, stopped_at, deadline_at, warn_at, dirty
		FROM ticket_sla WHERE ticket_id IN (`+placeholders(len(ids))+`)`, int64Args(ids)...)
	if err != nil {
		return nil, fmt.Errorf("sla clocks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k slaKey
		var r slaRow
		if err := rows.Scan(&k.ticketID, &k.metricID, &r.state, &r.cycle, &r.goalID, &r.targetMS, &r.calendarID,
			&r.warnPct, &r.elapsedMS, &r.startedAt, &r.stoppedAt, &r.deadlineAt, &r.warnAt, &r.dirty); err != nil {
			return nil, err
		}
		out[k] = r
	}
	return out, rows.Err()
}

// slaTicketEvents reads what the clocks need of the tickets' logs, and the
// id of each ticket's ticket.created event.
func (c *conn) slaTicketEvents(ids []int64) (map[int64][]sla.Event, map[int64]int64, error) {
	evs, created := map[int64][]sla.Event{}, map[int64]int64{}
	args := append([]any{ticket.EventCreated, ticket.EventTransitioned, ticket.EventCommented}, int64Args(ids)...)
	rows, err := c.query(`SELECT id, stream_id, type, data, created_at FROM events
		WHERE stream = 'ticket' AND type IN (?, ?, ?) AND stream_id IN (`+placeholders(len(ids))+`) ORDER BY stream_id, id`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("sla ticket events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, ticketID, at int64
		var typ, data string
		if err := rows.Scan(&id, &ticketID, &typ, &data, &at); err != nil {
			return nil, nil, err
		}
		var d struct {
			Status         string          `json:"status"`
			StatusCategory ticket.Category `json:"status_category"`
			ToCategory     ticket.Category `json:"to_category"`
			Changes        []struct {
				Field string `json:"field"`
				To    any    `json:"to"`
			} `json:"changes"`
			PublicByStaff bool `json:"public_by_staff"`
		}
		if err := json.Unmarshal([]byte(data), &d); err != nil {
			return nil, nil, fmt.Errorf("event %d: %w", id, err)
		}
		ev := sla.Event{At: fromMillis(at)}
		switch typ {
		case ticket.EventCreated:
			ev.Kind, ev.Status, ev.Category = sla.EventCreated, d.Status, d.StatusCategory
			created[ticketID] = id
		case ticket.EventTransitioned:
			ev.Kind, ev.Category = sla.EventTransitioned, d.ToCategory
			for _, ch := range d.Changes {
				if name, ok := ch.To.(string); ok && ch.Field == "status" {
					ev.Status = name
				}
			}
		case ticket.EventCommented:
			ev.Kind, ev.PublicByStaff = sla.EventCommented, d.PublicByStaff
		}
		evs[ticketID] = append(evs[ticketID], ev)
	}
	return evs, created, rows.Err()
}

// slaClock is one ticket's clock of one metric, folded and given its goal.
type slaClock struct {
	ticketID int64
	metric   *sla.Metric
	row      *slaRow // as stored; nil when new
	clk      sla.Clock
	kept     bool // stopped as stored: it keeps its stored goal and result
	goal     *sla.Goal
	sch      *sla.Schedule
}

// foldSLAs folds the clocks of tickets ids for every active metric and
// chooses their goals. Stored rows are read before the definitions: a
// definition change commits its dirty marks with it, so definitions read
// after a row are at least as new as the row's mark.
func (c *conn) foldSLAs(ids []int64, match goalMatcher) (*slaConfig, []slaClock, error) {
	stored, err := c.slaRows(ids)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := c.slaConfig(true)
	if err != nil || len(cfg.metrics) == 0 {
		return cfg, nil, err
	}
	evs, created, err := c.slaTicketEvents(ids)
	if err != nil {
		return nil, nil, err
	}
	var out []slaClock
	for _, id := range ids {
		for mi := range cfg.metrics {
			m := &cfg.metrics[mi]
			sc := slaClock{ticketID: id, metric: m}
			if r, ok := stored[slaKey{id, m.ID}]; ok {
				sc.row = &r
			} else if created[id] <= cfg.sinceID[m.ID] {
				continue // raised before the metric existed, and not open then
			}
			sc.clk = sla.Fold(m.Conditions, evs[id])
			if r := sc.row; r != nil && sc.clk.State == sla.Stopped && r.state == sla.Stopped &&
				r.cycle == sc.clk.Cycle && r.stoppedAt.Int64 == millis(sc.clk.StoppedAt) {
				sc.kept = true
			}
			out = append(out, sc)
		}
	}
	if err := c.chooseGoals(cfg, out, match); err != nil {
		return nil, nil, err
	}
	return cfg, out, nil
}

// chooseGoals gives each clock that runs or ran and does not keep its
// stored result the first goal whose query matches its ticket. Goals are
// asked in order, each only about the tickets no earlier goal took, and a
// query shared by metrics (the defaults share them) is asked once per
// ticket.
func (c *conn) chooseGoals(cfg *slaConfig, clocks []slaClock, match goalMatcher) error {
	asked := map[string]map[int64]bool{}   // query -> tickets asked about
	matched := map[string]map[int64]bool{} // query -> tickets that match
	for mi := range cfg.metrics {
		m := &cfg.metrics[mi]
		var waiting []*slaClock
		for i := range clocks {
			if sc := &clocks[i]; sc.metric == m && !sc.kept && sc.clk.State != sla.NotStarted {
				waiting = append(waiting, sc)
			}
		}
		for gi := range m.Goals {
			if len(waiting) == 0 {
				break
			}
			g := &m.Goals[gi]
			if g.Query != "" {
				if asked[g.Query] == nil {
					asked[g.Query], matched[g.Query] = map[int64]bool{}, map[int64]bool{}
				}
				var ask []int64
				for _, sc := range waiting {
					if !asked[g.Query][sc.ticketID] {
						asked[g.Query][sc.ticketID] = true
						ask = append(ask, sc.ticketID)
					}
				}
				if len(ask) > 0 {
					got, err := match(c.ctx, g.Query, ask)
					if err != nil {
						return fmt.Errorf("sla goal query %q: %w", g.Query, err)
					}
					for id, ok := range got {
						if ok {
							matched[g.Query][id] = true
						}
					}
				}
			}
			rest := waiting[:0]
			for _, sc := range waiting {
				if g.Query == "" || matched[g.Query][sc.ticketID] {
					sc.goal, sc.sch = g, cfg.calendars[g.CalendarID].sch
				} else {
					rest = append(rest, sc)
				}
			}
			waiting = rest
		}
	}
	return nil
}

// refoldSLAs recalculates and stores the clocks of tickets ids.
func (c *conn) refoldSLAs(ids []int64, match goalMatcher) (int, error) {
	_, clocks, err := c.foldSLAs(ids, match)
	if err != nil {
		return 0, err
	}
	var rows [][]any
	for _, sc := range clocks {
		dirty := int64(0)
		if sc.row != nil {
			dirty = sc.row.dirty
		}
		if sc.kept {
			if dirty != 0 {
				if _, err := c.exec(`UPDATE ticket_sla SET dirty = 0 WHERE ticket_id = ? AND metric_id = ? AND dirty = ?`,
					sc.ticketID, sc.metric.ID, dirty); err != nil {
					return 0, fmt.Errorf("sla clock: %w", err)
				}
			}
			continue
		}
		st := sla.StatusOf(*sc.metric, sc.goal, sc.sch, sc.clk, c.now)
		var goalID, calendarID any
		var targetMS int64
		if sc.goal != nil {
			goalID, calendarID, targetMS = sc.goal.ID, sc.goal.CalendarID, sc.goal.Target.Milliseconds()
		}
		if sc.row != nil && dirty == 0 && sc.row.same(st) {
			// Only elapsed time moved on, and readers measure that live:
			// leave the row, which keeps steady ticks light.
			continue
		}
		rows = append(rows, []any{sc.ticketID, sc.metric.ID, goalID, targetMS, calendarID, st.WarnPercent,
			string(st.State), st.Cycle, st.Elapsed.Milliseconds(), nullTime(st.StartedAt), nullTime(st.StoppedAt),
			nullTime(st.Deadline), nullTime(st.WarnAt), dirty, millis(c.now)})
	}
	if err := c.upsertSLAs(rows); err != nil {
		return 0, err
	}
	return len(ids), nil
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return millis(t)
}

// upsertSLAs writes clocks. What was recorded survives a rewrite that
// computes the same deadline: a breach is withdrawn only when a new cycle
// starts, or when the deadline moved and is no longer passed; a warning
// likewise. Expressions on the right read the row as it was, and on
// PostgreSQL the row as last committed, so two workers writing the same
// result cannot withdraw each other's records. A stored dirty mark is
// cleared only if it is still the one read before the calculation.
func (c *conn) upsertSLAs(rows [][]any) error {
	const cols = 15
	for len(rows) > 0 {
		n := min(len(rows), 200)
		var b strings.Builder
		args := make([]any, 0, n*cols+2)
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + placeholders(cols) + ")")
			args = append(args, r...)
		}
		now := millis(c.now)
		args = append(args, now, now)
		_, err := c.exec(`INSERT INTO ticket_sla (ticket_id, metric_id, goal_id, target_ms, calendar_id, warn_percent, state, cycle,
			elapsed_ms, started_at, stopped_at, deadline_at, warn_at, dirty, updated_at) VALUES `+b.String()+`
			ON CONFLICT (ticket_id, metric_id) DO UPDATE SET
				goal_id = excluded.goal_id, target_ms = excluded.target_ms, calendar_id = excluded.calendar_id,
				warn_percent = excluded.warn_percent, state = excluded.state, cycle = excluded.cycle,
				elapsed_ms = excluded.elapsed_ms, started_at = excluded.started_at, stopped_at = excluded.stopped_at,
				breached_at = CASE
					WHEN ticket_sla.cycle <> excluded.cycle THEN NULL
					WHEN ticket_sla.deadline_at IS NOT DISTINCT FROM excluded.deadline_at THEN ticket_sla.breached_at
					WHEN excluded.deadline_at IS NULL OR excluded.deadline_at > ? THEN NULL
					ELSE ticket_sla.breached_at END,
				warned_at = CASE
					WHEN ticket_sla.cycle <> excluded.cycle THEN NULL
					WHEN ticket_sla.warn_at IS NOT DISTINCT FROM excluded.warn_at THEN ticket_sla.warned_at
					WHEN excluded.warn_at IS NOT NULL AND excluded.warn_at > ? THEN NULL
					ELSE ticket_sla.warned_at END,
				deadline_at = excluded.deadline_at, warn_at = excluded.warn_at,
				dirty = CASE WHEN ticket_sla.dirty = excluded.dirty THEN 0 ELSE ticket_sla.dirty END,
				updated_at = excluded.updated_at`, args...)
		if err != nil {
			return fmt.Errorf("save sla clocks: %w", err)
		}
		rows = rows[n:]
	}
	return nil
}

// slaRecord records one batch of due breaches or warnings. It picks due
// tickets from the partial index, then marks their due clocks with an
// UPDATE that takes only clocks not yet recorded and returns exactly those
// it changed: on PostgreSQL a clock another worker marked meanwhile fails
// the re-checked condition and is not returned. The events go in with the
// marks, in the same transaction.
//
// The plans must not depend on fresh statistics, which are stale after a
// bulk change (a first start, a goal change): the pick is ordered by the
// partial index's column, so that PostgreSQL walks the index and stops at
// the limit rather than scanning the table for rows it believes common;
// and the UPDATE is a separate statement on the primary key, because a
// subquery let it scan every due clock for each batch.
func (s *Store) slaRecord(ctx context.Context, typ string, res *TickResult) (bool, error) {
	n, more := 0, false
	err := s.slaTx(ctx, func(c *conn) error {
		n = 0
		now := millis(c.now)
		pick, mark, args := `SELECT ticket_id FROM ticket_sla WHERE breached_at IS NULL AND deadline_at <= ? ORDER BY deadline_at LIMIT ?`,
			// A breach also counts as the warning: none is sent after it.
			`UPDATE ticket_sla SET breached_at = ?, warned_at = COALESCE(warned_at, ?) WHERE breached_at IS NULL AND deadline_at <= ?`,
			[]any{now, now, now}
		if typ == EventSLAWarning {
			pick = `SELECT ticket_id FROM ticket_sla WHERE warned_at IS NULL AND warn_at <= ? ORDER BY warn_at LIMIT ?`
			mark, args = `UPDATE ticket_sla SET warned_at = ? WHERE warned_at IS NULL AND warn_at <= ?`, []any{now, now}
		}
		picked, err := c.ids(pick, now, slaDueBatch)
		if err != nil {
			return fmt.Errorf("record %s: %w", typ, err)
		}
		more = len(picked) == slaDueBatch
		if len(picked) == 0 {
			return nil
		}
		slices.Sort(picked)
		picked = slices.Compact(picked)
		rows, err := c.query(mark+` AND ticket_id IN (`+placeholders(len(picked))+`)
			RETURNING ticket_id, metric_id, COALESCE(goal_id, 0), target_ms, cycle, deadline_at, warn_at`,
			append(args, int64Args(picked)...)...)
		if err != nil {
			return fmt.Errorf("record %s: %w", typ, err)
		}
		type due struct {
			ticketID, metricID, goalID, targetMS int64
			cycle                                int
			deadline, warnAt                     sql.NullInt64
		}
		var dues []due
		for rows.Next() {
			var d due
			if err := rows.Scan(&d.ticketID, &d.metricID, &d.goalID, &d.targetMS, &d.cycle, &d.deadline, &d.warnAt); err != nil {
				rows.Close()
				return err
			}
			dues = append(dues, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(dues) == 0 {
			return nil
		}
		names, err := c.metricNames()
		if err != nil {
			return err
		}
		items := make([]eventItem, len(dues))
		for i, d := range dues {
			data := map[string]any{"metric_id": d.metricID, "metric": names[d.metricID], "goal_id": d.goalID,
				"target_seconds": d.targetMS / 1000, "cycle": d.cycle, "internal": true}
			if d.deadline.Valid {
				data["deadline"] = fromMillis(d.deadline.Int64)
			}
			if typ == EventSLAWarning && d.warnAt.Valid {
				data["warn_at"] = fromMillis(d.warnAt.Int64)
			}
			items[i] = eventItem{d.ticketID, data}
		}
		n = len(dues)
		return c.appendEvents("ticket", typ, items)
	})
	if err != nil {
		return false, err
	}
	if typ == EventSLABreached {
		res.Breaches += n
	} else {
		res.Warnings += n
	}
	return more, nil
}

func (c *conn) metricNames() (map[int64]string, error) {
	rows, err := c.query(`SELECT id, name FROM sla_metrics`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}

type eventItem struct {
	streamID int64
	data     any
}

// appendEvents is appendEvent for many events of one type by Cairn itself,
// a few statements for a whole batch.
func (c *conn) appendEvents(stream, typ string, items []eventItem) error {
	for len(items) > 0 {
		n := min(len(items), 500)
		var b strings.Builder
		args := make([]any, 0, n*5)
		for i, it := range items[:n] {
			raw, err := json.Marshal(it.data)
			if err != nil {
				return fmt.Errorf("event %s: %w", typ, err)
			}
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, NULL, ?, ?)")
			args = append(args, stream, it.streamID, typ, string(raw), millis(c.now))
		}
		if _, err := c.exec(`INSERT INTO events (stream, stream_id, type, actor_id, data, created_at) VALUES `+b.String(), args...); err != nil {
			return fmt.Errorf("event %s: %w", typ, err)
		}
		items = items[n:]
	}
	return nil
}
