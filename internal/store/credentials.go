package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
)

// Token is an API token as listed to its owner; the secret itself is shown
// once, when it is made, and only its hash is kept.
type Token struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// CreateToken records a new API token of a user by its hash.
func (s *Store) CreateToken(ctx context.Context, actor directory.Actor, userID int64, name, hash, prefix string) (Token, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Token{}, errs.Required("name")
	}
	if len(name) > 100 {
		return Token{}, errs.Invalid("name", "must be at most 100 characters")
	}
	t := Token{Name: name, Prefix: prefix}
	err := s.inTx(ctx, func(c *conn) error {
		if err := c.mustExist("users", "user", userID); err != nil {
			return err
		}
		id, err := c.insert(`INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?)`,
			userID, name, hash, prefix, millis(c.now))
		if err != nil {
			return fmt.Errorf("create token: %w", err)
		}
		t.ID, t.CreatedAt = id, c.now
		return c.appendEvent("user", userID, "token.created", actor, map[string]any{"token_id": id, "name": name})
	})
	return t, err
}

// Tokens lists a user's API tokens.
func (s *Store) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	rows, err := s.reader(ctx).query(`SELECT id, name, prefix, created_at, last_used_at FROM api_tokens WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		var t Token
		var created int64
		var used sql.NullInt64
		if err := rows.Scan(&t.ID, &t.Name, &t.Prefix, &created, &used); err != nil {
			return nil, err
		}
		t.CreatedAt = fromMillis(created)
		if used.Valid {
			u := fromMillis(used.Int64)
			t.LastUsedAt = &u
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// DeleteToken revokes one of a user's tokens.
func (s *Store) DeleteToken(ctx context.Context, actor directory.Actor, userID, tokenID int64) error {
	return s.inTx(ctx, func(c *conn) error {
		res, err := c.exec(`DELETE FROM api_tokens WHERE id = ? AND user_id = ?`, tokenID, userID)
		if err != nil {
			return fmt.Errorf("delete token: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.NotFound("no token %d", tokenID)
		}
		return c.appendEvent("user", userID, "token.deleted", actor, map[string]any{"token_id": tokenID})
	})
}

// TokenUser finds the active user a token hash belongs to. It notes when
// the token was last used, at most once every ten minutes, so that busy
// clients do not turn every read into a write.
func (s *Store) TokenUser(ctx context.Context, hash string) (directory.User, error) {
	c := s.reader(ctx)
	var tokenID int64
	var used sql.NullInt64
	var u directory.User
	var role string
	var created int64
	err := c.row(`SELECT k.id, k.last_used_at, u.id, u.email, u.name, u.role, COALESCE(u.organization_id, 0), u.active, u.created_at
		FROM api_tokens k JOIN users u ON u.id = k.user_id WHERE k.token_hash = ? AND u.active`, hash).
		Scan(&tokenID, &used, &u.ID, &u.Email, &u.Name, &role, &u.OrganizationID, &u.Active, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return u, &errs.Error{Kind: errs.KindUnauthorized, Code: "unauthorized", Message: "unknown or revoked API token"}
	}
	if err != nil {
		return u, err
	}
	u.Role, u.CreatedAt = directory.Role(role), fromMillis(created)
	if !used.Valid || c.now.Sub(fromMillis(used.Int64)) > 10*time.Minute {
		if _, err := s.write.ExecContext(ctx, s.rebind(`UPDATE api_tokens SET last_used_at = ? WHERE id = ?`), millis(c.now), tokenID); err != nil {
			return u, fmt.Errorf("note token use: %w", err)
		}
	}
	return u, nil
}

// Session is a signed-in browser.
type Session struct {
	UserID    int64
	CSRFToken string
	ExpiresAt time.Time
}

// CreateSession records a browser session by the hash of its id.
func (s *Store) CreateSession(ctx context.Context, hash string, sess Session) error {
	return s.inTx(ctx, func(c *conn) error {
		// Sweep expired sessions while we hold the write lock anyway.
		if _, err := c.exec(`DELETE FROM sessions WHERE expires_at < ?`, millis(c.now)); err != nil {
			return err
		}
		_, err := c.exec(`INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			hash, sess.UserID, sess.CSRFToken, millis(c.now), millis(sess.ExpiresAt))
		if err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		return nil
	})
}

// SessionUser finds the user and CSRF token of an unexpired session.
func (s *Store) SessionUser(ctx context.Context, hash string) (directory.User, Session, error) {
	c := s.reader(ctx)
	var sess Session
	var expires int64
	err := c.row(`SELECT user_id, csrf_token, expires_at FROM sessions WHERE token_hash = ? AND expires_at > ?`, hash, millis(c.now)).
		Scan(&sess.UserID, &sess.CSRFToken, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return directory.User{}, sess, &errs.Error{Kind: errs.KindUnauthorized, Code: "unauthorized", Message: "session expired"}
	}
	if err != nil {
		return directory.User{}, sess, err
	}
	sess.ExpiresAt = fromMillis(expires)
	u, err := c.user(sess.UserID)
	if err != nil || !u.Active {
		return u, sess, &errs.Error{Kind: errs.KindUnauthorized, Code: "unauthorized", Message: "session expired"}
	}
	return u, sess, nil
}

// endSessions signs every browser of a user out, in the command's
// transaction, and tells how many sessions there were.
func (c *conn) endSessions(userID int64) (int64, error) {
	res, err := c.exec(`DELETE FROM sessions WHERE user_id = ?`, userID)
	if err != nil {
		return 0, fmt.Errorf("end sessions of user %d: %w", userID, err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// DeleteSession signs a browser out.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	_, err := s.write.ExecContext(ctx, s.rebind(`DELETE FROM sessions WHERE token_hash = ?`), hash)
	return err
}
