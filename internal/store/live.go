package store

import (
	"context"
	"fmt"

	"github.com/cairn-itsm/cairn/internal/directory"
)

// EventRef points at one entry of the event log, for readers that follow
// the log as it grows, such as the agent workspace's live updates.
type EventRef struct {
	ID       int64
	Stream   string // "ticket", "service", "user"...
	StreamID int64
	Type     string
}

// LastEventID gives the id of the newest event, 0 when the log is empty.
func (s *Store) LastEventID(ctx context.Context) (int64, error) {
	var id int64
	if err := s.reader(ctx).row(`SELECT COALESCE(MAX(id), 0) FROM events`).Scan(&id); err != nil {
		return 0, fmt.Errorf("last event: %w", err)
	}
	return id, nil
}

// EventsAfter lists, oldest first and at most limit of them, the events with
// an id above after and those whose id is among also. Readers pass in also
// the ids they found missing on an earlier read: on PostgreSQL an event can
// commit after one with a higher id, so "id > last seen" alone would skip it.
// Every stream is listed so that such gaps can be told from other streams'
// events.
func (s *Store) EventsAfter(ctx context.Context, after int64, also []int64, limit int) ([]EventRef, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	q := `SELECT id, stream, stream_id, type FROM events WHERE id > ?`
	args := []any{after}
	if len(also) > 0 {
		q += ` OR id IN (` + placeholders(len(also)) + `)`
		args = append(args, int64Args(also)...)
	}
	rows, err := s.reader(ctx).query(q+` ORDER BY id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("events after %d: %w", after, err)
	}
	defer rows.Close()
	var out []EventRef
	for rows.Next() {
		var e EventRef
		if err := rows.Scan(&e.ID, &e.Stream, &e.StreamID, &e.Type); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// VisibleTicketKeys gives the keys of those of the tickets ids that the
// actor may see, by id.
func (s *Store) VisibleTicketKeys(ctx context.Context, actor directory.Actor, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	cond, args := visibleTickets(actor)
	rows, err := s.reader(ctx).query(`SELECT t.id, t.key FROM tickets t WHERE t.id IN (`+placeholders(len(ids))+`) AND `+cond,
		append(int64Args(ids), args...)...)
	if err != nil {
		return nil, fmt.Errorf("visible tickets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			return nil, err
		}
		out[id] = key
	}
	return out, rows.Err()
}
