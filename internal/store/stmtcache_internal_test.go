package store

import (
	"context"
	"fmt"
	"testing"
)

// TestStmtCache checks that SQLite's write transactions reuse statements
// prepared after an earlier commit, that the cache stops growing at its
// cap, and that what runs through it reads and writes the same as without.
func TestStmtCache(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "sqlite:"+t.TempDir()+"/cairn.db")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.write.ExecContext(ctx, `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	const insert = `INSERT INTO notes (body) VALUES (?)`
	const count = `SELECT COUNT(*) FROM notes WHERE body = ?`
	cached := func(q string) bool {
		s.stmts.mu.Lock()
		defer s.stmts.mu.Unlock()
		_, ok := s.stmts.stmts[q]
		return ok
	}
	for i := range 3 {
		var used bool
		err := s.inTx(ctx, func(c *conn) error {
			used = c.prepared(insert) != nil
			for range 2 { // twice in one transaction: one statement of the transaction
				if _, err := c.exec(insert, "hello"); err != nil {
					return err
				}
			}
			var n int
			if err := c.row(count, "hello").Scan(&n); err != nil {
				return err
			}
			if n != 2*(i+1) {
				return fmt.Errorf("count %d, want %d", n, 2*(i+1))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if used != (i > 0) {
			t.Errorf("transaction %d used a cached insert: %v", i, used)
		}
		if !cached(insert) || !cached(count) {
			t.Errorf("after transaction %d the cache lacks the insert or the count", i)
		}
	}
	// A failed transaction leaves nothing behind, cached statements or not.
	err = s.inTx(ctx, func(c *conn) error {
		if _, err := c.exec(insert, "rolled back"); err != nil {
			return err
		}
		return fmt.Errorf("give up")
	})
	var n int
	if err == nil || s.write.QueryRowContext(ctx, count, "rolled back").Scan(&n) != nil || n != 0 {
		t.Errorf("rolled back: err %v, %d rows left", err, n)
	}
	// Queries of ever-new text stop being cached at the cap.
	for i := range maxCachedStmts + 10 {
		q := fmt.Sprintf(`SELECT %d`, i)
		if err := s.inTx(ctx, func(c *conn) error { var v int; return c.row(q).Scan(&v) }); err != nil {
			t.Fatal(err)
		}
	}
	s.stmts.mu.Lock()
	size, full := len(s.stmts.stmts), s.stmts.full
	s.stmts.mu.Unlock()
	if size != maxCachedStmts || !full {
		t.Errorf("cache holds %d statements (full %v), want %d", size, full, maxCachedStmts)
	}
}
