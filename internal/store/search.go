package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// The search indexer follows the event log: every ticket event marks its
// ticket for re-indexing, whatever changed. The index (migration
// 0002_search) is read by text ~ in queries (internal/cql).
const (
	// searchBatch is how many events one transaction of the indexer reads.
	searchBatch = 1000
	// searchPendingFor is how long the indexer waits for an event id it
	// skipped: on PostgreSQL a transaction may commit its event after one
	// with a higher id has been read. Ids of rolled-back transactions never
	// come and are forgotten after this.
	searchPendingFor = 10 * time.Minute
	// maxPending bounds the ids waited for.
	maxPending = 1000
)

// Caps on the text indexed per ticket, in bytes, so that a PostgreSQL
// document stays well under tsvector's 1 MB limit however long a thread
// grows. Summaries and descriptions are capped when written.
const (
	maxIndexedComments = 96 << 10
	maxIndexedNotes    = 64 << 10
)

type pendingEvent struct {
	ID    int64 `json:"id"`
	Since int64 `json:"since"` // Unix ms when first missed
}

// IndexSearch brings the full-text index up to date with the event log and
// tells how many tickets it indexed. It reads the log in batches, each in
// one transaction that re-indexes the touched tickets and moves the
// checkpoint, so that a crash loses nothing and repeats nothing harmful.
// Several processes may run it at once: on PostgreSQL the checkpoint row is
// locked, and SQLite has one writer. A caller runs it every second or so.
func (s *Store) IndexSearch(ctx context.Context) (int, error) {
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		n, more, err := s.indexSearchBatch(ctx)
		total += n
		if err != nil || !more {
			return total, err
		}
	}
}

func (s *Store) indexSearchBatch(ctx context.Context) (indexed int, more bool, err error) {
	err = s.inTx(ctx, func(c *conn) error {
		lock := ""
		if s.engine == Postgres {
			lock = " FOR UPDATE"
		}
		var last int64
		var rawPending string
		if err := c.row(`SELECT last_event_id, pending FROM search_position WHERE id = 1`+lock).Scan(&last, &rawPending); err != nil {
			return fmt.Errorf("search position: %w", err)
		}
		var pending []pendingEvent
		if err := json.Unmarshal([]byte(rawPending), &pending); err != nil {
			return fmt.Errorf("search position: %w", err)
		}

		q := `SELECT id, stream, stream_id FROM events WHERE id > ?`
		args := []any{last}
		if len(pending) > 0 {
			ids := make([]int64, len(pending))
			for i, p := range pending {
				ids[i] = p.ID
			}
			q += ` OR id IN (` + placeholders(len(ids)) + `)`
			args = append(args, int64Args(ids)...)
		}
		rows, err := c.query(q+` ORDER BY id LIMIT ?`, append(args, searchBatch)...)
		if err != nil {
			return fmt.Errorf("search: read events: %w", err)
		}
		seen := map[int64]bool{}
		touched := map[int64]bool{}
		var tickets []int64
		next, read := last, 0
		for rows.Next() {
			var id, streamID int64
			var stream string
			if err := rows.Scan(&id, &stream, &streamID); err != nil {
				rows.Close()
				return err
			}
			read++
			seen[id] = true
			next = max(next, id)
			if stream == "ticket" && !touched[streamID] {
				touched[streamID] = true
				tickets = append(tickets, streamID)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("search: read events: %w", err)
		}
		more = read == searchBatch

		// Ids still missing: those waited for already, and new gaps below
		// the highest id read.
		nowMs := millis(c.now)
		var still []pendingEvent
		for _, p := range pending {
			if !seen[p.ID] && nowMs-p.Since < searchPendingFor.Milliseconds() {
				still = append(still, p)
			}
		}
		for id := last + 1; id < next && len(still) < maxPending; id++ {
			if !seen[id] {
				still = append(still, pendingEvent{ID: id, Since: nowMs})
			}
		}
		if len(still) > maxPending {
			still = still[len(still)-maxPending:]
		}

		if err := c.indexTickets(tickets); err != nil {
			return err
		}
		if still == nil {
			still = []pendingEvent{}
		}
		raw, _ := json.Marshal(still)
		if _, err := c.exec(`UPDATE search_position SET last_event_id = ?, pending = ? WHERE id = 1`, next, string(raw)); err != nil {
			return fmt.Errorf("search position: %w", err)
		}
		indexed = len(tickets)
		return nil
	})
	return indexed, more, err
}

// searchDoc is what the index holds of one ticket.
type searchDoc struct {
	id                                    int64
	summary, description, comments, notes strings.Builder
}

// indexTickets writes the index entries of the tickets ids, replacing what
// was there.
func (c *conn) indexTickets(ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	docs := map[int64]*searchDoc{}
	var order []*searchDoc
	rows, err := c.query(`SELECT id, summary, description FROM tickets WHERE id IN (`+placeholders(len(ids))+`) ORDER BY id`, int64Args(ids)...)
	if err != nil {
		return fmt.Errorf("search: read tickets: %w", err)
	}
	for rows.Next() {
		d := &searchDoc{}
		var summary, description string
		if err := rows.Scan(&d.id, &summary, &description); err != nil {
			rows.Close()
			return err
		}
		d.summary.WriteString(summary)
		d.description.WriteString(description)
		docs[d.id] = d
		order = append(order, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("search: read tickets: %w", err)
	}
	rows, err = c.query(`SELECT ticket_id, body, internal FROM comments WHERE ticket_id IN (`+placeholders(len(ids))+`) ORDER BY ticket_id, id`, int64Args(ids)...)
	if err != nil {
		return fmt.Errorf("search: read comments: %w", err)
	}
	for rows.Next() {
		var id int64
		var body string
		var internal bool
		if err := rows.Scan(&id, &body, &internal); err != nil {
			rows.Close()
			return err
		}
		d := docs[id]
		if d == nil {
			continue
		}
		if internal {
			appendCapped(&d.notes, body, maxIndexedNotes)
		} else {
			appendCapped(&d.comments, body, maxIndexedComments)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("search: read comments: %w", err)
	}

	// Tickets that are gone leave the index.
	var gone []int64
	for _, id := range ids {
		if docs[id] == nil {
			gone = append(gone, id)
		}
	}
	if len(gone) > 0 {
		col := "rowid"
		if c.s.engine == Postgres {
			col = "ticket_id"
		}
		if _, err := c.exec(`DELETE FROM ticket_search WHERE `+col+` IN (`+placeholders(len(gone))+`)`, int64Args(gone)...); err != nil {
			return fmt.Errorf("search: remove tickets: %w", err)
		}
	}

	const rowsPerInsert = 100
	for start := 0; start < len(order); start += rowsPerInsert {
		chunk := order[start:min(start+rowsPerInsert, len(order))]
		var q string
		var one string
		if c.s.engine == Postgres {
			q = `INSERT INTO ticket_search (ticket_id, document) VALUES `
			one = `(?, setweight(to_tsvector('simple', ?::text), 'A') || setweight(to_tsvector('simple', ?::text), 'B') || setweight(to_tsvector('simple', ?::text), 'C') || setweight(to_tsvector('simple', ?::text), 'D'))`
		} else {
			q = `INSERT OR REPLACE INTO ticket_search (rowid, summary, description, comments, notes) VALUES `
			one = `(?, ?, ?, ?, ?)`
		}
		values := make([]string, len(chunk))
		args := make([]any, 0, 5*len(chunk))
		for i, d := range chunk {
			values[i] = one
			args = append(args, d.id, d.summary.String(), d.description.String(), d.comments.String(), d.notes.String())
		}
		q += strings.Join(values, ", ")
		if c.s.engine == Postgres {
			q += ` ON CONFLICT (ticket_id) DO UPDATE SET document = EXCLUDED.document`
		}
		if _, err := c.exec(q, args...); err != nil {
			return fmt.Errorf("search: index tickets: %w", err)
		}
	}
	return nil
}

// appendCapped adds a comment to b, one per line, while b stays within
// limit bytes; a comment that does not fit is cut at a character boundary.
func appendCapped(b *strings.Builder, text string, limit int) {
	room := limit - b.Len()
	if b.Len() > 0 {
		room--
	}
	if room <= 0 {
		return
	}
	if len(text) > room {
		for room > 0 && !utf8.RuneStart(text[room]) {
			room--
		}
		text = text[:room]
	}
	if b.Len() > 0 {
		b.WriteByte('\n')
	}
	b.WriteString(text)
}
