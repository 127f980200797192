package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// installDefaultWorkflows gives each ticket type its default workflow the
// first time the database is migrated.
func (s *Store) installDefaultWorkflows(ctx context.Context) error {
	return s.inTx(ctx, func(c *conn) error {
		var n int
		if err := c.row(`SELECT COUNT(*) FROM workflows`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		for _, w := range ticket.DefaultWorkflows() {
			if err := w.Validate(); err != nil {
				return fmt.Errorf("default workflow %s: %w", w.Name, err)
			}
			def, _ := json.Marshal(w)
			id, err := c.insert(`INSERT INTO workflows (name, ticket_type, is_default, definition, updated_at) VALUES (?, ?, ?, ?, ?)`,
				w.Name, string(w.TicketType), true, string(def), millis(c.now))
			if err != nil {
				return fmt.Errorf("default workflow %s: %w", w.Name, err)
			}
			if err := c.appendEvent("workflow", id, "workflow.created", directory.System, w); err != nil {
				return err
			}
		}
		return nil
	})
}

func scanWorkflow(sc interface{ Scan(...any) error }) (ticket.Workflow, error) {
	var w ticket.Workflow
	var id int64
	var def string
	if err := sc.Scan(&id, &def); err != nil {
		return w, err
	}
	if err := json.Unmarshal([]byte(def), &w); err != nil {
		return w, fmt.Errorf("workflow %d: %w", id, err)
	}
	w.ID = id
	return w, nil
}

// Workflows lists every workflow.
func (s *Store) Workflows(ctx context.Context) ([]ticket.Workflow, error) {
	rows, err := s.reader(ctx).query(`SELECT id, definition FROM workflows ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list workflows: %w", err)
	}
	defer rows.Close()
	var out []ticket.Workflow
	for rows.Next() {
		w, err := scanWorkflow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// Workflow finds a workflow by id.
func (s *Store) Workflow(ctx context.Context, id int64) (ticket.Workflow, error) {
	return s.reader(ctx).workflow(id)
}

func (c *conn) workflow(id int64) (ticket.Workflow, error) {
	w, err := scanWorkflow(c.row(`SELECT id, definition FROM workflows WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return w, errs.NotFound("no workflow with id %d", id)
	}
	return w, err
}

func (c *conn) defaultWorkflow(t ticket.Type) (ticket.Workflow, error) {
	w, err := scanWorkflow(c.row(`SELECT id, definition FROM workflows WHERE ticket_type = ? AND is_default`, string(t)))
	if errors.Is(err, sql.ErrNoRows) {
		return w, fmt.Errorf("no default workflow for %s", t)
	}
	return w, err
}

// UpdateWorkflow replaces a workflow's statuses and transitions. A status
// that tickets are in cannot be removed, and categories of statuses in use
// are copied to those tickets so that queues stay right.
func (s *Store) UpdateWorkflow(ctx context.Context, actor directory.Actor, w ticket.Workflow) (ticket.Workflow, error) {
	if err := w.Validate(); err != nil {
		return w, err
	}
	err := s.inTx(ctx, func(c *conn) error {
		old, err := c.workflow(w.ID)
		if err != nil {
			return err
		}
		if old.TicketType != w.TicketType {
			return errs.Invalid("ticket_type", "a workflow keeps its ticket type (%s)", old.TicketType)
		}
		rows, err := c.query(`SELECT DISTINCT status FROM tickets WHERE workflow_id = ?`, w.ID)
		if err != nil {
			return err
		}
		var used []string
		for rows.Next() {
			var st string
			if err := rows.Scan(&st); err != nil {
				rows.Close()
				return err
			}
			used = append(used, st)
		}
		rows.Close()
		for _, st := range used {
			ns, ok := w.Status(st)
			if !ok {
				return &errs.Error{Kind: errs.KindConflict, Code: "status_in_use", Field: "statuses",
					Message: fmt.Sprintf("tickets are in status %q; move them before removing it", st)}
			}
			if _, err := c.exec(`UPDATE tickets SET status = ?, status_category = ? WHERE workflow_id = ? AND status = ?`,
				ns.Name, string(ns.Category), w.ID, st); err != nil {
				return err
			}
		}
		def, _ := json.Marshal(w)
		if _, err := c.exec(`UPDATE workflows SET name = ?, definition = ?, updated_at = ? WHERE id = ?`,
			w.Name, string(def), millis(c.now), w.ID); err != nil {
			return fmt.Errorf("update workflow: %w", err)
		}
		return c.appendEvent("workflow", w.ID, "workflow.updated", actor, map[string]any{"from": old, "to": w})
	})
	return w, err
}

// statusOf finds a status in a workflow or reports the workflow as broken.
func statusOf(w ticket.Workflow, name string) (ticket.Status, error) {
	st, ok := w.Status(name)
	if !ok {
		return st, fmt.Errorf("workflow %q has no status %q", w.Name, strings.TrimSpace(name))
	}
	return st, nil
}
