// Package storetest gives tests a fresh, migrated store on each engine:
// SQLite always, and PostgreSQL when CAIRN_TEST_POSTGRES holds a connection
// URL. Each PostgreSQL store lives in a schema of its own, dropped after the
// test, so tests may run in parallel against one database.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/cairn-itsm/cairn/internal/store"
)

// EnvPostgres names the variable that holds the PostgreSQL test database URL.
const EnvPostgres = "CAIRN_TEST_POSTGRES"

// Engines runs fn once per available engine, as subtests named after it.
func Engines(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	if os.Getenv(EnvPostgres) == "" {
		t.Logf("PostgreSQL tests skipped: set %s to run them", EnvPostgres)
		return
	}
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite opens a migrated SQLite store in the test's temporary directory.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "cairn.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// Postgres opens a migrated store in a new schema of the database that
// CAIRN_TEST_POSTGRES names; it skips the test when that is unset.
func Postgres(t testing.TB) *store.Store {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skipf("set %s to run PostgreSQL tests", EnvPostgres)
	}
	return PostgresAt(t, base)
}

// PostgresAt is Postgres for an explicit database URL.
func PostgresAt(t testing.TB, base string) *store.Store {
	t.Helper()
	ctx := context.Background()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "test_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("postgres: %v", err)
	}
	t.Cleanup(func() {
		admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	s, err := store.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}
