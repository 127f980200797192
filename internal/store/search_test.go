package store

// These tests reach inside the store (explicit event ids), so they live in
// package store and cannot use storetest, which imports it.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/directory"
)

// testEngines runs fn on a migrated SQLite store and, when
// CAIRN_TEST_POSTGRES is set, on a PostgreSQL store in a schema of its own.
func testEngines(t *testing.T, fn func(t *testing.T, s *Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, openTestSQLite(t, filepath.Join(t.TempDir(), "cairn.db"))) })
	if os.Getenv("CAIRN_TEST_POSTGRES") == "" {
		return
	}
	t.Run("postgres", func(t *testing.T) { fn(t, openTestPostgres(t, "")) })
}

func openTestSQLite(tb testing.TB, path string) *Store {
	tb.Helper()
	s, err := Open(context.Background(), "sqlite:"+path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return s
}

// openTestPostgres opens a migrated store in schema, or in a new schema
// dropped after the test when schema is "".
func openTestPostgres(tb testing.TB, schema string) *Store {
	tb.Helper()
	ctx := context.Background()
	base := os.Getenv("CAIRN_TEST_POSTGRES")
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { admin.Close() })
	if schema == "" {
		b := make([]byte, 6)
		rand.Read(b)
		schema = "test_" + hex.EncodeToString(b)
		tb.Cleanup(func() { admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
	}
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+schema); err != nil {
		tb.Fatalf("postgres: %v", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	s, err := Open(ctx, u.String())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	return s
}

// searchFor lists the ids of the tickets that text ~ words finds.
func searchFor(t *testing.T, s *Store, words string) []int64 {
	t.Helper()
	c := s.reader(context.Background())
	_, q, err := c.compileQuery("text ~ '"+words+"'", 0, false)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := c.ids(`SELECT t.id FROM tickets t WHERE `+q.Where+` ORDER BY t.id`, q.Args...)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestIndexSearchLateEvents: on PostgreSQL a transaction may commit its
// event after another transaction's event with a higher id was read. The
// indexer waits for the missing id and indexes it when it comes; an id
// that never comes (a rolled-back transaction) is forgotten in time.
func TestIndexSearchLateEvents(t *testing.T) {
	testEngines(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC)
		s.SetClock(func() time.Time { return now })
		u, err := s.CreateUser(ctx, directory.System, NewUser{Email: "ada@example.com", Name: "Ada", Role: directory.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		admin, err := s.Actor(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateService(ctx, admin, catalog.Service{Name: "Desk", Status: catalog.ServiceLive}); err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, summary := range []string{"first ticket", "second ticket", "third ticket"} {
			tk, err := s.CreateTicket(ctx, admin, NewTicket{Service: "Desk", Type: "incident", Summary: summary})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, tk.ID)
		}
		if n, err := s.IndexSearch(ctx); n != 3 || err != nil {
			t.Fatalf("IndexSearch = %d, %v", n, err)
		}
		last, err := s.lastEventIDForTest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// A change whose event takes id last+2 commits first...
		change := func(id, event int64, summary string) {
			t.Helper()
			err := s.inTx(ctx, func(c *conn) error {
				if _, err := c.exec(`UPDATE tickets SET summary = ? WHERE id = ?`, summary, id); err != nil {
					return err
				}
				_, err := c.exec(`INSERT INTO events (id, stream, stream_id, type, data, created_at) VALUES (?, 'ticket', ?, 'ticket.updated', '{}', ?)`,
					event, id, millis(now))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		change(ids[0], last+2, "alpha zebra")
		if n, err := s.IndexSearch(ctx); n != 1 || err != nil {
			t.Fatalf("IndexSearch after id %d = %d, %v", last+2, n, err)
		}
		if pending := s.pendingForTest(t); pending != 1 {
			t.Errorf("%d ids pending, want 1", pending)
		}
		// ...and the one with id last+1 after it.
		change(ids[1], last+1, "beta yak")
		if n, err := s.IndexSearch(ctx); n != 1 || err != nil {
			t.Fatalf("IndexSearch after id %d = %d, %v", last+1, n, err)
		}
		if got := searchFor(t, s, "yak"); len(got) != 1 || got[0] != ids[1] {
			t.Errorf("text ~ yak = %v, want [%d]", got, ids[1])
		}
		if got := searchFor(t, s, "zebra"); len(got) != 1 || got[0] != ids[0] {
			t.Errorf("text ~ zebra = %v, want [%d]", got, ids[0])
		}
		if pending := s.pendingForTest(t); pending != 0 {
			t.Errorf("%d ids pending, want none", pending)
		}
		// An id that never comes is forgotten after a while.
		change(ids[2], last+4, "gamma")
		if n, err := s.IndexSearch(ctx); n != 1 || err != nil {
			t.Fatalf("IndexSearch after id %d = %d, %v", last+4, n, err)
		}
		now = now.Add(searchPendingFor - time.Minute)
		s.IndexSearch(ctx)
		if pending := s.pendingForTest(t); pending != 1 {
			t.Errorf("%d ids pending before the wait is over, want 1", pending)
		}
		now = now.Add(2 * time.Minute)
		if n, err := s.IndexSearch(ctx); n != 0 || err != nil {
			t.Errorf("IndexSearch = %d, %v", n, err)
		}
		if pending := s.pendingForTest(t); pending != 0 {
			t.Errorf("%d ids pending after the wait, want none", pending)
		}
	})
}

// lastEventIDForTest gives the newest event id.
func (s *Store) lastEventIDForTest(ctx context.Context) (int64, error) {
	var id int64
	err := s.reader(ctx).row(`SELECT COALESCE(MAX(id), 0) FROM events`).Scan(&id)
	return id, err
}

func (s *Store) pendingForTest(t *testing.T) int {
	t.Helper()
	var raw string
	if err := s.reader(context.Background()).row(`SELECT pending FROM search_position WHERE id = 1`).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	return strings.Count(raw, `"id"`)
}

func TestAppendCapped(t *testing.T) {
	var b strings.Builder
	appendCapped(&b, "héllo", 100)
	appendCapped(&b, "wörld", 100)
	if b.String() != "héllo\nwörld" {
		t.Errorf("got %q", b.String())
	}
	b.Reset()
	appendCapped(&b, "ééé", 5) // é is 2 bytes: two fit
	appendCapped(&b, "more", 5)
	if b.String() != "éé" {
		t.Errorf("got %q", b.String())
	}
	b.Reset()
	appendCapped(&b, "abc", 5)
	appendCapped(&b, "defgh", 5) // one byte for the newline, one left
	if b.String() != "abc\nd" {
		t.Errorf("got %q", b.String())
	}
}
