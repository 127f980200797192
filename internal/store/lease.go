package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// TakeLease takes or renews the lease on a job for ttl, so that of the
// processes sharing a database only one does the job at a time. It reports
// whether owner now holds the lease: true when the lease was free, had
// expired or was already owner's (then it is renewed). Each step is one
// statement, atomic on both engines: of several processes that try at
// once, exactly one gets it.
//
// Leases use the process's own clock, so owners on hosts whose clocks
// disagree by more than a ttl can overlap; jobs taken with a lease must
// still be safe to run twice (see SLATick).
func (s *Store) TakeLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	if strings.TrimSpace(name) == "" || strings.TrimSpace(owner) == "" {
		return false, errors.New("lease: name and owner are required")
	}
	if ttl <= 0 {
		return false, errors.New("lease: ttl must be positive")
	}
	now := s.now().UTC()
	c := &conn{s: s, q: s.write, ctx: ctx, now: now}
	expires := millis(now.Add(ttl))
	// Renewing or taking over an expired lease is the common case: try it first.
	res, err := c.exec(`UPDATE leases SET owner = ?, expires_at = ? WHERE name = ? AND (owner = ? OR expires_at < ?)`,
		owner, expires, name, owner, millis(now))
	if err != nil {
		return false, fmt.Errorf("lease %s: %w", name, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return false, fmt.Errorf("lease %s: %w", name, err)
	} else if n == 1 {
		return true, nil
	}
	res, err = c.exec(`INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`, name, owner, expires)
	if err != nil {
		return false, fmt.Errorf("lease %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("lease %s: %w", name, err)
	}
	return n == 1, nil
}

// ReleaseLease gives up owner's lease on a job, so that another process
// may take it at once rather than after it expires. Releasing a lease
// owner does not hold does nothing.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	c := &conn{s: s, q: s.write, ctx: ctx}
	if _, err := c.exec(`DELETE FROM leases WHERE name = ? AND owner = ?`, name, owner); err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}

// LeaseHolder tells who holds a lease and until when; "" when nobody does.
func (s *Store) LeaseHolder(ctx context.Context, name string) (string, time.Time, error) {
	var owner string
	var expires int64
	err := s.reader(ctx).row(`SELECT owner, expires_at FROM leases WHERE name = ?`, name).Scan(&owner, &expires)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", time.Time{}, nil
		}
		return "", time.Time{}, fmt.Errorf("lease %s: %w", name, err)
	}
	if fromMillis(expires).Before(s.now()) {
		return "", time.Time{}, nil
	}
	return owner, fromMillis(expires), nil
}
