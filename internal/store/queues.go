package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/queue"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// This file keeps the workspace's queues (migration 0007_queues), counts
// and pages of tickets by query, and the SLA state a queue shows per
// ticket.

// Queues lists every queue in sidebar order.
func (s *Store) Queues(ctx context.Context) ([]queue.Queue, error) {
	return s.reader(ctx).queues()
}

const queueColumns = `id, slug, name, query, columns, sort, position, COALESCE(created_by, 0)`

func (c *conn) queues() ([]queue.Queue, error) {
	rows, err := c.query(`SELECT ` + queueColumns + ` FROM queues ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("list queues: %w", err)
	}
	defer rows.Close()
	out := []queue.Queue{}
	for rows.Next() {
		q, err := scanQueue(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

func scanQueue(sc interface{ Scan(...any) error }) (queue.Queue, error) {
	var q queue.Queue
	var cols string
	if err := sc.Scan(&q.ID, &q.Slug, &q.Name, &q.Query, &cols, &q.Sort, &q.Position, &q.CreatedBy); err != nil {
		return q, err
	}
	if err := json.Unmarshal([]byte(cols), &q.Columns); err != nil {
		return q, fmt.Errorf("queue %d: columns: %w", q.ID, err)
	}
	return q, nil
}

// Queue finds a queue by id.
func (s *Store) Queue(ctx context.Context, id int64) (queue.Queue, error) {
	return s.reader(ctx).queue(`id = ?`, id)
}

// QueueBySlug finds a queue by the name its URLs use.
func (s *Store) QueueBySlug(ctx context.Context, slug string) (queue.Queue, error) {
	return s.reader(ctx).queue(`slug = ?`, slug)
}

func (c *conn) queue(cond string, arg any) (queue.Queue, error) {
	q, err := scanQueue(c.row(`SELECT `+queueColumns+` FROM queues WHERE `+cond, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return q, errs.NotFound("no queue %v", arg)
	}
	return q, err
}

func onlyStaff(actor directory.Actor) error {
	if !actor.Role.Staff() {
		return errs.Forbidden("only agents and admins may change queues")
	}
	return nil
}

// CreateQueue validates and adds a queue, shared with the whole desk. It
// goes at q.Position among the others (past the end: last); without a slug
// one is made from the name.
func (s *Store) CreateQueue(ctx context.Context, actor directory.Actor, q queue.Queue) (queue.Queue, error) {
	if err := onlyStaff(actor); err != nil {
		return q, err
	}
	if err := s.validateQueue(ctx, &q); err != nil {
		return q, err
	}
	var out queue.Queue
	err := s.inTx(ctx, func(c *conn) error {
		if q.Slug == "" {
			var err error
			if q.Slug, err = c.freeSlug(queue.Slugify(q.Name)); err != nil {
				return err
			}
		}
		cols, _ := json.Marshal(q.Columns)
		id, err := c.insert(`INSERT INTO queues (slug, name, query, columns, sort, position, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			q.Slug, q.Name, q.Query, string(cols), q.Sort, math.MaxInt32, nullID(actor.UserID))
		if err != nil {
			return queueConflict(err, q)
		}
		if err := c.placeQueue(id, q.Position); err != nil {
			return err
		}
		if out, err = c.queue(`id = ?`, id); err != nil {
			return err
		}
		return c.appendEvent("queue", id, "queue.created", actor, out)
	})
	return out, err
}

// UpdateQueue replaces a queue's name, query, columns and sort, moves it to
// q.Position, and changes its slug when one is given.
func (s *Store) UpdateQueue(ctx context.Context, actor directory.Actor, q queue.Queue) (queue.Queue, error) {
	if err := onlyStaff(actor); err != nil {
		return q, err
	}
	if err := s.validateQueue(ctx, &q); err != nil {
		return q, err
	}
	var out queue.Queue
	err := s.inTx(ctx, func(c *conn) error {
		old, err := c.queue(`id = ?`, q.ID)
		if err != nil {
			return err
		}
		if q.Slug == "" {
			q.Slug = old.Slug
		}
		cols, _ := json.Marshal(q.Columns)
		if _, err := c.exec(`UPDATE queues SET slug = ?, name = ?, query = ?, columns = ?, sort = ? WHERE id = ?`,
			q.Slug, q.Name, q.Query, string(cols), q.Sort, q.ID); err != nil {
			return queueConflict(err, q)
		}
		if err := c.placeQueue(q.ID, q.Position); err != nil {
			return err
		}
		if out, err = c.queue(`id = ?`, q.ID); err != nil {
			return err
		}
		return c.appendEvent("queue", q.ID, "queue.updated", actor, map[string]any{"from": old, "to": out})
	})
	return out, err
}

// MoveQueue puts a queue at position among the others.
func (s *Store) MoveQueue(ctx context.Context, actor directory.Actor, id int64, position int) error {
	if err := onlyStaff(actor); err != nil {
		return err
	}
	return s.inTx(ctx, func(c *conn) error {
		old, err := c.queue(`id = ?`, id)
		if err != nil {
			return err
		}
		if err := c.placeQueue(id, max(position, 0)); err != nil {
			return err
		}
		return c.appendEvent("queue", id, "queue.moved", actor, map[string]any{"from": old.Position, "to": max(position, 0)})
	})
}

// DeleteQueue removes a queue for everyone.
func (s *Store) DeleteQueue(ctx context.Context, actor directory.Actor, id int64) error {
	if err := onlyStaff(actor); err != nil {
		return err
	}
	return s.inTx(ctx, func(c *conn) error {
		old, err := c.queue(`id = ?`, id)
		if err != nil {
			return err
		}
		if _, err := c.exec(`DELETE FROM queues WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete queue %d: %w", id, err)
		}
		if err := c.placeQueue(0, 0); err != nil {
			return err
		}
		return c.appendEvent("queue", id, "queue.deleted", actor, old)
	})
}

// validateQueue checks a queue and its query, which may name only what
// exists. A mistake in the query is reported on field "query".
func (s *Store) validateQueue(ctx context.Context, q *queue.Queue) error {
	if err := q.Validate(); err != nil {
		return err
	}
	if q.Query == "" {
		return nil
	}
	err := s.ValidateQuery(ctx, q.Query)
	if e, ok := errs.As(err); ok && e.Kind == errs.KindInvalid {
		return errs.Invalid("query", "%s", e.Message)
	}
	return err
}

func queueConflict(err error, q queue.Queue) error {
	if !isUnique(err) {
		return fmt.Errorf("save queue %q: %w", q.Name, err)
	}
	// Either unique index may have refused it; the message names which.
	if m := err.Error(); strings.Contains(m, "queues_slug") || strings.Contains(m, "queues.slug") {
		e := errs.Conflict("duplicate", "another queue has the slug %q", q.Slug)
		e.Field = "slug"
		return e
	}
	e := errs.Conflict("duplicate", "a queue named %q exists", q.Name)
	e.Field = "name"
	return e
}

// freeSlug gives base, or base-2, base-3... whichever no queue has.
func (c *conn) freeSlug(base string) (string, error) {
	for n := 1; n < 1000; n++ {
		slug := base
		if n > 1 {
			slug = base + "-" + strconv.Itoa(n)
		}
		var one int
		err := c.row(`SELECT 1 FROM queues WHERE slug = ?`, slug).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return slug, nil
		}
		if err != nil {
			return "", fmt.Errorf("queue slug: %w", err)
		}
	}
	return "", errs.Invalid("slug", "choose a slug: %q and its numbered variants are taken", base)
}

// placeQueue puts queue id at position (clamped) and numbers the queues
// 0, 1, 2... in their order; id 0 only renumbers.
func (c *conn) placeQueue(id int64, position int) error {
	rows, err := c.query(`SELECT id, position FROM queues ORDER BY position, id`)
	if err != nil {
		return fmt.Errorf("order queues: %w", err)
	}
	type entry struct {
		id  int64
		pos int
	}
	var order []entry
	for rows.Next() {
		var e entry
		if err := rows.Scan(&e.id, &e.pos); err != nil {
			rows.Close()
			return err
		}
		if e.id != id {
			order = append(order, e)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if id != 0 {
		at := min(max(position, 0), len(order))
		order = append(order[:at], append([]entry{{id: id, pos: -1}}, order[at:]...)...)
	}
	for i, e := range order {
		if e.pos == i {
			continue
		}
		if _, err := c.exec(`UPDATE queues SET position = ? WHERE id = ?`, i, e.id); err != nil {
			return fmt.Errorf("order queues: %w", err)
		}
	}
	return nil
}

// CountQuery counts the tickets the actor may see that match the query q,
// under the same access rule as SearchTickets; ORDER BY is ignored.
func (s *Store) CountQuery(ctx context.Context, actor directory.Actor, q string) (int, error) {
	return s.CountQueryUpTo(ctx, actor, q, 0)
}

// CountQueryUpTo is CountQuery that stops at limit (0: no limit): an answer
// of limit means limit or more. The workspace's sidebar counts its queues
// with it, so that a queue holding most of the desk costs what its first
// limit tickets cost.
func (s *Store) CountQueryUpTo(ctx context.Context, actor directory.Actor, q string, limit int) (int, error) {
	c := s.reader(ctx)
	parsed, sql, err := c.compileQuery(q, actor.UserID, !actor.Role.Staff())
	if err != nil {
		return 0, err
	}
	var f TicketFilter
	if parsed.PinsReporterToCurrentUser() {
		f.ReporterID = actor.UserID
	}
	cond, args := listedTickets(actor, f)
	query := `SELECT COUNT(*) FROM tickets t WHERE ` + cond + ` AND ` + sql.Where
	args = append(args, sql.Args...)
	if limit > 0 {
		query = `SELECT COUNT(*) FROM (SELECT 1 FROM tickets t WHERE ` + cond + ` AND ` + sql.Where + ` LIMIT ?) AS counted`
		args = append(args, limit)
	}
	var n int
	if err := c.row(query, c.customPlan(args)...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count tickets: %w", err)
	}
	return n, nil
}

// customPlan has PostgreSQL plan a query compiled from the query language
// for its arguments. A statement that pgx prepares and caches gets a
// generic plan after its fifth run, made without the values: for an sla
// condition, whose time is an argument, that plan read every open ticket
// (75 ms where the plan for the values took 9, at 100 000 tickets). An
// unnamed statement is planned anew each time. SQLite plans each query
// from its text alone, so nothing changes there.
func (c *conn) customPlan(args []any) []any {
	if c.s.engine != Postgres {
		return args
	}
	return append([]any{pgx.QueryExecModeExec}, args...)
}

// SearchTicketsFiltered is SearchTickets narrowed by a listing's filter:
// every filter of f must hold as well as the query. f.Sort, when set,
// replaces the query's order; f.Limit and f.Offset page as usual.
func (s *Store) SearchTicketsFiltered(ctx context.Context, actor directory.Actor, q string, f TicketFilter) (TicketPage, error) {
	return s.searchTickets(ctx, actor, q, f, 0)
}

// searchTickets is SearchTicketsFiltered whose total stops at countUpTo (0:
// no limit): a total of countUpTo means that many or more, and pages past
// it are still read.
func (s *Store) searchTickets(ctx context.Context, actor directory.Actor, q string, f TicketFilter, countUpTo int) (TicketPage, error) {
	page := TicketPage{Tickets: []ticket.Ticket{}, Limit: f.Limit, Offset: max(f.Offset, 0)}
	if page.Limit <= 0 {
		page.Limit = 50
	}
	page.Limit = min(page.Limit, MaxPage)
	order, ok := SortFields[f.Sort]
	if f.Sort != "" && !ok {
		return page, errs.Invalid("sort", "cannot sort by %q", f.Sort)
	}
	c := s.reader(ctx)
	parsed, compiled, err := c.compileQuery(q, actor.UserID, !actor.Role.Staff())
	if err != nil {
		return page, err
	}
	// As in SearchTickets: a query of one's own requests lists them on
	// every service.
	if parsed.PinsReporterToCurrentUser() && f.ReporterID == 0 {
		f.ReporterID = actor.UserID
	}
	w, args := ticketWhere(actor, f)
	w += ` AND ` + compiled.Where
	args = append(args, compiled.Args...)
	count := `SELECT COUNT(*) FROM tickets t` + w
	countArgs := args
	if countUpTo > 0 {
		count = `SELECT COUNT(*) FROM (SELECT 1 FROM tickets t` + w + ` LIMIT ?) AS counted`
		countArgs = append(slices.Clone(args), countUpTo)
	}
	if err := c.row(count, c.customPlan(countArgs)...).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("count tickets: %w", err)
	}
	more := countUpTo > 0 && page.Total >= countUpTo // the count stopped
	if page.Total == 0 || (page.Offset >= page.Total && !more) {
		return page, nil
	}
	orderBy := compiled.OrderBy
	if f.Sort != "" {
		dir := " DESC"
		if f.Ascending {
			dir = " ASC"
		}
		orderBy = order + dir + ", t.id" + dir
	} else {
		args = append(args, compiled.OrderArgs...)
	}
	args = append(args, page.Limit, page.Offset)
	ids, err := c.ids(`SELECT t.id FROM tickets t`+w+` ORDER BY `+orderBy+` LIMIT ? OFFSET ?`, c.customPlan(args)...)
	if err != nil {
		return page, fmt.Errorf("search tickets: %w", err)
	}
	page.Tickets, err = c.ticketsByID(ids)
	return page, err
}

// ticketsByID reads tickets in the order of ids.
func (c *conn) ticketsByID(ids []int64) ([]ticket.Ticket, error) {
	out := []ticket.Ticket{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := c.query(`SELECT `+ticketColumns+ticketJoins+` WHERE t.id IN (`+placeholders(len(ids))+`)`, int64Args(ids)...)
	if err != nil {
		return nil, fmt.Errorf("read tickets: %w", err)
	}
	defer rows.Close()
	byID := make(map[int64]ticket.Ticket, len(ids))
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, err
		}
		byID[t.ID] = t
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, id := range ids {
		if t, ok := byID[id]; ok {
			out = append(out, t)
		}
	}
	return out, nil
}

// QueueTickets lists a page of a queue for the actor: its query narrowed by
// f, in the order f.Sort asks for, else the queue's. The total stops at
// countUpTo (0: no limit), as in CountQueryUpTo; pages past it are still
// read.
func (s *Store) QueueTickets(ctx context.Context, actor directory.Actor, q queue.Queue, f TicketFilter, countUpTo int) (TicketPage, error) {
	if f.Sort == "" && q.Sort != "" {
		f.Sort, f.Ascending = q.SortBy()
	}
	page, err := s.searchTickets(ctx, actor, q.Query, f, countUpTo)
	if e, ok := errs.As(err); ok && e.Field == "q" {
		// A queue saved before a service or status it names went away.
		return page, errs.Invalid("query", "%s", e.Message)
	}
	return page, err
}

// SLAState is where a ticket's SLA clocks stand, as a queue shows it: the
// worst state among the clocks of active metrics, and the nearest deadline
// of one that has not stopped.
type SLAState struct {
	State    string    // "breached", "warning", "running", "paused", "met" or "" (no clock with a goal)
	Deadline time.Time // zero when no running clock has one
}

// SLAStates reads the SLA state of the tickets ids from the clocks the SLA
// worker keeps; tickets without a clock with a goal are left out. Only
// agents and admins see SLAs.
func (s *Store) SLAStates(ctx context.Context, actor directory.Actor, ids []int64) (map[int64]SLAState, error) {
	if !actor.Role.Staff() {
		return nil, errs.Forbidden("only agents see SLAs")
	}
	out := map[int64]SLAState{}
	if len(ids) == 0 {
		return out, nil
	}
	c := s.reader(ctx)
	rows, err := c.query(`SELECT ts.ticket_id, ts.state, ts.deadline_at, ts.warn_at FROM ticket_sla ts
		JOIN sla_metrics m ON m.id = ts.metric_id
		WHERE m.active AND ts.target_ms > 0 AND ts.ticket_id IN (`+placeholders(len(ids))+`)`, int64Args(ids)...)
	if err != nil {
		return nil, fmt.Errorf("SLA states: %w", err)
	}
	defer rows.Close()
	now := millis(c.now)
	rank := map[string]int{"": 0, "met": 1, "paused": 2, "running": 3, "warning": 4, "breached": 5}
	for rows.Next() {
		var id int64
		var state string
		var deadline, warn sql.NullInt64
		if err := rows.Scan(&id, &state, &deadline, &warn); err != nil {
			return nil, err
		}
		st := state
		switch {
		case deadline.Valid && deadline.Int64 <= now:
			st = "breached"
		case state == "stopped":
			st = "met"
		case warn.Valid && warn.Int64 <= now:
			st = "warning"
		case state == "not_started":
			st = ""
		}
		cur := out[id]
		if rank[st] > rank[cur.State] {
			cur.State = st
		}
		if state != "stopped" && deadline.Valid {
			d := fromMillis(deadline.Int64)
			if cur.Deadline.IsZero() || d.Before(cur.Deadline) {
				cur.Deadline = d
			}
		}
		if cur.State != "" {
			out[id] = cur
		}
	}
	return out, rows.Err()
}
