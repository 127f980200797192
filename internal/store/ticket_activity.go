package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// AddComment adds a reply or an internal note to a ticket.
func (s *Store) AddComment(ctx context.Context, actor directory.Actor, key, body string, internal bool) (ticket.Comment, error) {
	var out ticket.Comment
	err := s.inTx(ctx, func(c *conn) error {
		t, err := c.ticket(actor, key)
		if err != nil {
			return err
		}
		out, err = c.addComment(actor, t, body, internal)
		if err != nil {
			return err
		}
		_, err = c.exec(`UPDATE tickets SET updated_at = ? WHERE id = ?`, millis(c.now), t.ID)
		return err
	})
	return out, err
}

func (c *conn) addComment(actor directory.Actor, t ticket.Ticket, body string, internal bool) (ticket.Comment, error) {
	body, err := ticket.CleanComment(body)
	if err != nil {
		return ticket.Comment{}, err
	}
	if internal && !actor.Role.Staff() {
		return ticket.Comment{}, errs.Invalid("internal", "only agents may write internal notes")
	}
	cm := ticket.Comment{TicketID: t.ID, AuthorID: actor.UserID, Author: actor.Name, Body: body, Internal: internal, CreatedAt: c.now}
	cm.ID, err = c.insert(`INSERT INTO comments (ticket_id, author_id, body, internal, created_at) VALUES (?, ?, ?, ?, ?)`,
		t.ID, actor.UserID, body, internal, millis(c.now))
	if err != nil {
		return cm, fmt.Errorf("comment on %s: %w", t.Key, err)
	}
	return cm, c.appendEvent("ticket", t.ID, ticket.EventCommented, actor, map[string]any{
		"comment_id": cm.ID, "internal": internal, "public_by_staff": !internal && actor.Role.Staff(),
	})
}

// Comments lists a ticket's comments, oldest first; customers see only the
// public ones.
func (s *Store) Comments(ctx context.Context, actor directory.Actor, key string) ([]ticket.Comment, error) {
	c := s.reader(ctx)
	t, err := c.ticket(actor, key)
	if err != nil {
		return nil, err
	}
	q := `SELECT cm.id, cm.author_id, u.name, cm.body, cm.internal, cm.created_at FROM comments cm
		JOIN users u ON u.id = cm.author_id WHERE cm.ticket_id = ?`
	if !actor.Role.Staff() {
		q += ` AND NOT cm.internal`
	}
	rows, err := c.query(q+` ORDER BY cm.id`, t.ID)
	if err != nil {
		return nil, fmt.Errorf("comments of %s: %w", t.Key, err)
	}
	defer rows.Close()
	out := []ticket.Comment{}
	for rows.Next() {
		cm := ticket.Comment{TicketID: t.ID}
		var created int64
		if err := rows.Scan(&cm.ID, &cm.AuthorID, &cm.Author, &cm.Body, &cm.Internal, &created); err != nil {
			return nil, err
		}
		cm.CreatedAt = fromMillis(created)
		out = append(out, cm)
	}
	return out, rows.Err()
}

// History gives a ticket's event log with who did what. Customers do not
// see internal notes being added.
func (s *Store) History(ctx context.Context, actor directory.Actor, key string) ([]ticket.Event, error) {
	c := s.reader(ctx)
	t, err := c.ticket(actor, key)
	if err != nil {
		return nil, err
	}
	rows, err := c.query(`SELECT e.id, e.type, COALESCE(e.actor_id, 0), COALESCE(u.name, 'Cairn'), e.data, e.created_at
		FROM events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE e.stream = 'ticket' AND e.stream_id = ? ORDER BY e.id`, t.ID)
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", t.Key, err)
	}
	defer rows.Close()
	out := []ticket.Event{}
	for rows.Next() {
		var ev ticket.Event
		var data string
		var created int64
		if err := rows.Scan(&ev.ID, &ev.Type, &ev.ActorID, &ev.Actor, &data, &created); err != nil {
			return nil, err
		}
		ev.CreatedAt = fromMillis(created)
		var payload struct {
			Changes  []ticket.Change `json:"changes"`
			Internal bool            `json:"internal"`
			Ticket   string          `json:"ticket"` // the other end of a link
		}
		if err := json.Unmarshal([]byte(data), &payload); err != nil {
			return nil, fmt.Errorf("event %d: %w", ev.ID, err)
		}
		if payload.Internal && !actor.Role.Staff() {
			continue
		}
		if payload.Ticket != "" && actor.Role != directory.RoleAdmin {
			// A link names another ticket: show it only to who may see that one.
			if _, err := c.ticket(actor, payload.Ticket); errs.Is(err, errs.KindNotFound) {
				continue
			} else if err != nil {
				return nil, err
			}
		}
		ev.Changes = payload.Changes
		if ev.Type != ticket.EventUpdated && ev.Type != ticket.EventTransitioned {
			var generic map[string]any
			_ = json.Unmarshal([]byte(data), &generic)
			ev.Data = generic
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

// AddLink links two tickets the actor may both see.
func (s *Store) AddLink(ctx context.Context, actor directory.Actor, key string, kind ticket.LinkKind, targetKey string) (ticket.Link, error) {
	if !ticket.ValidLinkKind(kind) {
		return ticket.Link{}, errs.Invalid("kind", "must be one of relates_to, caused_by, duplicates, blocks")
	}
	if strings.TrimSpace(targetKey) == "" {
		return ticket.Link{}, errs.Required("ticket")
	}
	var out ticket.Link
	err := s.inTx(ctx, func(c *conn) error {
		src, err := c.ticket(actor, key)
		if err != nil {
			return err
		}
		if !actor.Role.Staff() {
			return errs.Forbidden("only agents may link tickets")
		}
		dst, err := c.ticket(actor, targetKey)
		if errs.Is(err, errs.KindNotFound) {
			return errs.Invalid("ticket", "no ticket %s", strings.ToUpper(targetKey))
		}
		if err != nil {
			return err
		}
		if src.ID == dst.ID {
			return errs.Invalid("ticket", "a ticket cannot link to itself")
		}
		id, err := c.insert(`INSERT INTO ticket_links (source_id, target_id, kind, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
			src.ID, dst.ID, string(kind), actor.UserID, millis(c.now))
		if isUnique(err) {
			return errs.Conflict("duplicate", "%s already %s %s", src.Key, kind, dst.Key)
		}
		if err != nil {
			return fmt.Errorf("link %s: %w", src.Key, err)
		}
		out = ticket.Link{ID: id, Kind: string(kind), TicketKey: dst.Key, Summary: dst.Summary, Status: dst.Status, CreatedAt: c.now}
		if err := c.appendEvent("ticket", src.ID, ticket.EventLinked, actor, map[string]any{"link_id": id, "kind": kind, "ticket": dst.Key}); err != nil {
			return err
		}
		return c.appendEvent("ticket", dst.ID, ticket.EventLinked, actor, map[string]any{"link_id": id, "kind": kind.Inverse(), "ticket": src.Key})
	})
	return out, err
}

// Links lists a ticket's links, each read from this ticket, to tickets the
// actor may see.
func (s *Store) Links(ctx context.Context, actor directory.Actor, key string) ([]ticket.Link, error) {
	c := s.reader(ctx)
	t, err := c.ticket(actor, key)
	if err != nil {
		return nil, err
	}
	cond, args := visibleTickets(actor)
	rows, err := c.query(`SELECT l.id, l.kind, l.source_id = ?, t.key, t.summary, t.status, l.created_at
		FROM ticket_links l JOIN tickets t ON t.id = CASE WHEN l.source_id = ? THEN l.target_id ELSE l.source_id END
		WHERE (l.source_id = ? OR l.target_id = ?) AND `+cond+` ORDER BY l.id`,
		append([]any{t.ID, t.ID, t.ID, t.ID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("links of %s: %w", t.Key, err)
	}
	defer rows.Close()
	out := []ticket.Link{}
	for rows.Next() {
		var l ticket.Link
		var outgoing bool
		var created int64
		if err := rows.Scan(&l.ID, &l.Kind, &outgoing, &l.TicketKey, &l.Summary, &l.Status, &created); err != nil {
			return nil, err
		}
		if !outgoing {
			l.Kind = ticket.LinkKind(l.Kind).Inverse()
		}
		l.CreatedAt = fromMillis(created)
		out = append(out, l)
	}
	return out, rows.Err()
}

// DeleteLink removes a link from a ticket.
func (s *Store) DeleteLink(ctx context.Context, actor directory.Actor, key string, linkID int64) error {
	return s.inTx(ctx, func(c *conn) error {
		t, err := c.ticket(actor, key)
		if err != nil {
			return err
		}
		if !actor.Role.Staff() {
			return errs.Forbidden("only agents may unlink tickets")
		}
		var src, dst int64
		var kind string
		err = c.row(`SELECT source_id, target_id, kind FROM ticket_links WHERE id = ? AND (source_id = ? OR target_id = ?)`, linkID, t.ID, t.ID).Scan(&src, &dst, &kind)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.NotFound("ticket %s has no link %d", t.Key, linkID)
		}
		if err != nil {
			return err
		}
		if _, err := c.exec(`DELETE FROM ticket_links WHERE id = ?`, linkID); err != nil {
			return err
		}
		for _, id := range []int64{src, dst} {
			if err := c.appendEvent("ticket", id, ticket.EventUnlinked, actor, map[string]any{"link_id": linkID, "kind": kind}); err != nil {
				return err
			}
		}
		return nil
	})
}

// AddAttachment stores a file on a ticket. Its bytes are kept once per
// content hash, however many tickets carry it.
func (s *Store) AddAttachment(ctx context.Context, actor directory.Actor, key, filename, contentType string, data []byte) (ticket.Attachment, error) {
	filename = strings.TrimSpace(filepath.Base(strings.ReplaceAll(filename, `\`, "/")))
	if filename == "" || filename == "." || filename == ".." || filename == "/" {
		return ticket.Attachment{}, errs.Required("filename")
	}
	if len(filename) > 255 || !utf8.ValidString(filename) {
		return ticket.Attachment{}, errs.Invalid("filename", "must be valid UTF-8 of at most 255 bytes")
	}
	if len(data) == 0 {
		return ticket.Attachment{}, errs.Invalid("file", "is empty")
	}
	if len(data) > ticket.MaxAttachment {
		return ticket.Attachment{}, &errs.Error{Kind: errs.KindTooLarge, Code: "too_large", Field: "file",
			Message: fmt.Sprintf("is larger than %d MiB", ticket.MaxAttachment>>20)}
	}
	if _, _, err := mime.ParseMediaType(contentType); err != nil || contentType == "" {
		contentType = http.DetectContentType(data)
	}
	sum := sha256.Sum256(data)
	a := ticket.Attachment{Filename: filename, ContentType: contentType, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), UploadedBy: actor.UserID}
	err := s.inTx(ctx, func(c *conn) error {
		t, err := c.ticket(actor, key)
		if err != nil {
			return err
		}
		a.TicketID, a.CreatedAt = t.ID, c.now
		if _, err := c.exec(`INSERT INTO blobs (sha256, size, data) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING`, a.SHA256, a.Size, data); err != nil {
			return fmt.Errorf("store file: %w", err)
		}
		a.ID, err = c.insert(`INSERT INTO attachments (ticket_id, filename, content_type, size, sha256, uploaded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			t.ID, a.Filename, a.ContentType, a.Size, a.SHA256, actor.UserID, millis(c.now))
		if err != nil {
			return fmt.Errorf("attach to %s: %w", t.Key, err)
		}
		if _, err := c.exec(`UPDATE tickets SET updated_at = ? WHERE id = ?`, millis(c.now), t.ID); err != nil {
			return err
		}
		return c.appendEvent("ticket", t.ID, ticket.EventAttachmentAdded, actor, map[string]any{
			"attachment_id": a.ID, "filename": a.Filename, "size": a.Size, "sha256": a.SHA256,
		})
	})
	return a, err
}

// Attachments lists a ticket's files.
func (s *Store) Attachments(ctx context.Context, actor directory.Actor, key string) ([]ticket.Attachment, error) {
	c := s.reader(ctx)
	t, err := c.ticket(actor, key)
	if err != nil {
		return nil, err
	}
	rows, err := c.query(`SELECT id, filename, content_type, size, sha256, uploaded_by, created_at FROM attachments WHERE ticket_id = ? ORDER BY id`, t.ID)
	if err != nil {
		return nil, fmt.Errorf("attachments of %s: %w", t.Key, err)
	}
	defer rows.Close()
	out := []ticket.Attachment{}
	for rows.Next() {
		a := ticket.Attachment{TicketID: t.ID}
		var created int64
		if err := rows.Scan(&a.ID, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &a.UploadedBy, &created); err != nil {
			return nil, err
		}
		a.CreatedAt = fromMillis(created)
		out = append(out, a)
	}
	return out, rows.Err()
}

// AttachmentContent gives a file of a ticket the actor may see.
func (s *Store) AttachmentContent(ctx context.Context, actor directory.Actor, key string, id int64) (ticket.Attachment, []byte, error) {
	c := s.reader(ctx)
	t, err := c.ticket(actor, key)
	if err != nil {
		return ticket.Attachment{}, nil, err
	}
	a := ticket.Attachment{TicketID: t.ID}
	var created int64
	var data []byte
	err = c.row(`SELECT a.id, a.filename, a.content_type, a.size, a.sha256, a.uploaded_by, a.created_at, b.data
		FROM attachments a JOIN blobs b ON b.sha256 = a.sha256 WHERE a.id = ? AND a.ticket_id = ?`, id, t.ID).
		Scan(&a.ID, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &a.UploadedBy, &created, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return a, nil, errs.NotFound("ticket %s has no attachment %d", t.Key, id)
	}
	a.CreatedAt = fromMillis(created)
	return a, data, err
}
