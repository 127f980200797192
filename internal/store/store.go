// Package store keeps Cairn's records in SQLite or PostgreSQL. Queries are
// written once with ? placeholders in the SQL both engines share; the few
// differences between the engines live in this file and migrate.go.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/cairn-itsm/cairn/internal/directory"
)

// Engine names a database engine.
type Engine string

// The supported engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Store is the database behind one Cairn process.
type Store struct {
	engine Engine
	read   *sql.DB // queries
	write  *sql.DB // commands; one connection on SQLite, which has one writer
	now    func() time.Time
	graphs graphCache // the CMDB's impact graph, shared by this process's requests
	stmts  stmtCache  // SQLite: the write connection's prepared statements
}

// Open connects to the database that dsn names: "sqlite:PATH" or a
// "postgres://" URL. It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*Store, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return openPostgres(ctx, dsn)
	}
	return nil, fmt.Errorf("database %q: want sqlite:PATH or a postgres:// URL", dsn)
}

func openSQLite(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty path")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("sqlite: create directory: %w", err)
		}
	}
	// synchronous=NORMAL in WAL mode survives a crash of the process; only a
	// power loss may drop the last transactions. busy_timeout lets readers
	// wait out a checkpoint instead of failing.
	pragmas := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "foreign_keys(1)", "busy_timeout(10000)", "synchronous(NORMAL)"} {
		pragmas.Add("_pragma", p)
	}
	base := "file:" + path + "?" + pragmas.Encode()
	write, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxLifetime(0)
	read, err := sql.Open("sqlite", base)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)
	s := &Store{engine: SQLite, read: read, write: write, now: time.Now}
	if err := write.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return s, nil
}

// Optimize refreshes the planner's statistics. SQLite gathers none on its
// own, and without them it picks poor indexes for queues; PostgreSQL's
// autovacuum does it in time, but not right after a bulk load. The server
// calls it at start and every few hours; bulk loads call it when done.
func (s *Store) Optimize(ctx context.Context) error {
	q := "ANALYZE"
	if s.engine == SQLite {
		// analysis_limit keeps the run short on big databases.
		q = "PRAGMA analysis_limit=1000; PRAGMA optimize=0x10002"
	}
	if _, err := s.write.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("optimize: %w", err)
	}
	return nil
}

func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(20)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return &Store{engine: Postgres, read: db, write: db, now: time.Now}, nil
}

// Engine tells which engine the store runs on.
func (s *Store) Engine() Engine { return s.engine }

// Close releases the connections.
func (s *Store) Close() error {
	s.stmts.close()
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// Ping checks that the database answers; /readyz uses it.
func (s *Store) Ping(ctx context.Context) error { return s.read.PingContext(ctx) }

// SetClock replaces the clock, for tests and for demo data dated in the past.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// rebind turns ? placeholders into PostgreSQL's $1, $2... It skips quoted
// text, so a literal '?' in SQL stays as it is.
func (s *Store) rebind(q string) string {
	if s.engine != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n, quoted := 0, false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			quoted = !quoted
			b.WriteByte(c)
		case c == '?' && !quoted:
			n++
			fmt.Fprintf(&b, "$%d", n)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// queryer is what both *sql.DB and *sql.Tx offer.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// conn runs rebound queries on a database or inside a transaction.
type conn struct {
	s   *Store
	q   queryer
	ctx context.Context
	now time.Time // one instant for the whole command

	// In a write transaction on SQLite: the statements of the cache this
	// transaction has used, and those it ran that the cache lacks.
	tx         *sql.Tx
	txStmts    map[string]*sql.Stmt
	unprepared []string
}

func (c *conn) exec(query string, args ...any) (sql.Result, error) {
	if st := c.prepared(query); st != nil {
		return st.ExecContext(c.ctx, args...)
	}
	return c.q.ExecContext(c.ctx, c.s.rebind(query), args...)
}

// query does not use the statement cache: a cached statement is one
// SQLite statement, and a loop over its rows that ran the same query
// again would reset it under the loop.
func (c *conn) query(query string, args ...any) (*sql.Rows, error) {
	return c.q.QueryContext(c.ctx, c.s.rebind(query), args...)
}

func (c *conn) row(query string, args ...any) *sql.Row {
	if st := c.prepared(query); st != nil {
		return st.QueryRowContext(c.ctx, args...)
	}
	return c.q.QueryRowContext(c.ctx, c.s.rebind(query), args...)
}

// insert runs an INSERT ... RETURNING id and gives the id.
func (c *conn) insert(query string, args ...any) (int64, error) {
	var id int64
	err := c.row(query+" RETURNING id", args...).Scan(&id)
	return id, err
}

type atTimeKey struct{}

// AtTime gives a context whose commands record t as their time instead of
// the clock's: imports and demo data keep their original dates this way.
func AtTime(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, atTimeKey{}, t)
}

// clock is the time a command records.
func (s *Store) clock(ctx context.Context) time.Time {
	if t, ok := ctx.Value(atTimeKey{}).(time.Time); ok {
		return t.UTC().Truncate(time.Millisecond)
	}
	return s.now().UTC().Truncate(time.Millisecond)
}

// reader gives a conn over the read pool.
func (s *Store) reader(ctx context.Context) *conn {
	return &conn{s: s, q: s.read, ctx: ctx, now: s.clock(ctx)}
}

// inTx runs fn in one write transaction: everything it does, its events
// included, commits together or not at all.
func (s *Store) inTx(ctx context.Context, fn func(c *conn) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	c := &conn{s: s, q: tx, ctx: ctx, now: s.clock(ctx), tx: tx}
	if err := fn(c); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if len(c.unprepared) > 0 {
		s.stmts.prepare(ctx, s.write, c.unprepared)
	}
	return nil
}

// appendEvent writes one entry of the event log in the command's transaction.
func (c *conn) appendEvent(stream string, streamID int64, typ string, actor directory.Actor, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("event %s: %w", typ, err)
	}
	_, err = c.exec(`INSERT INTO events (stream, stream_id, type, actor_id, data, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		stream, streamID, typ, nullID(actor.UserID), string(raw), millis(c.now))
	if err != nil {
		return fmt.Errorf("event %s: %w", typ, err)
	}
	return nil
}

func millis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// nullID stores 0 as NULL, for optional references.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// isUnique reports whether err is a unique-constraint violation on either engine.
func isUnique(err error) bool {
	if err == nil {
		return false
	}
	m := err.Error()
	return strings.Contains(m, "UNIQUE constraint failed") || strings.Contains(m, "SQLSTATE 23505")
}

// placeholders gives "?, ?, ?" for n values.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

func int64Args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
