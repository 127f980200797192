package main

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

// backupRun runs a cairn command line and gives what it printed.
func backupRun(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	runErr := run(context.Background(), args, out)
	b, err := os.ReadFile(out.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(b), runErr
}

// TestBackupRestoreCommands moves a desk from one SQLite database to
// another, and to PostgreSQL and back when it is available, with the two
// commands as the operations guide gives them.
func TestBackupRestoreCommands(t *testing.T) {
	t.Setenv("CAIRN_DB", "")
	dir := t.TempDir()
	src := "sqlite:" + filepath.Join(dir, "cairn.db")
	if _, err := backupRun(t, "migrate", "--db", src); err != nil {
		t.Fatal(err)
	}
	if _, err := backupRun(t, "user", "add", "--db", src, "--email", "ada@corp.example", "--name", "Ada", "--role", "admin", "--password", "correct horse"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "desk.bak")
	out, err := backupRun(t, "backup", "--db", src, file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "Backed up "+src+" to "+file) || !strings.Contains(out, "rows") || !strings.Contains(out, "MB") {
		t.Errorf("backup printed %q", out)
	}
	if _, err := backupRun(t, "backup", "--db", src, file); !errors.Is(err, os.ErrExist) || !strings.Contains(err.Error(), "--force") {
		t.Errorf("second backup to the same file: %v; want a refusal", err)
	}
	if out, err := backupRun(t, "backup", file, "--force", "--db", src); err != nil || !strings.Contains(out, "Backed up") {
		t.Errorf("backup --force, flags after the file: %q, %v", out, err)
	}
	if _, err := backupRun(t, "backup", "--db", "sqlite:"+filepath.Join(dir, "typo.db"), filepath.Join(dir, "typo.bak")); err == nil {
		t.Error("backup of a database file that does not exist succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "typo.db")); err == nil {
		t.Error("backup made the database file it was to copy")
	}

	dst := "sqlite:" + filepath.Join(dir, "restored.db")
	out, err = backupRun(t, "restore", "--db", dst, file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "Restored a backup of sqlite taken") || !strings.Contains(out, "search index rebuilt") {
		t.Errorf("restore printed %q", out)
	}
	backupCheckUser(t, dst)
	if _, err := backupRun(t, "restore", "--db", dst, file); err == nil || !strings.Contains(err.Error(), "1 users") || !strings.Contains(err.Error(), "--force") {
		t.Errorf("restore into the restored database: %v; want a refusal that names its data and --force", err)
	}
	out, err = backupRun(t, "restore", "-v", "--force", "--db", dst, file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "It replaced what the database held (1 users") || !strings.Contains(out, "  tickets ") {
		t.Errorf("restore --force -v printed %q", out)
	}

	base := os.Getenv(storetest.EnvPostgres)
	if base == "" {
		t.Logf("SQLite to PostgreSQL skipped: set %s", storetest.EnvPostgres)
		return
	}
	pg := backupPostgresSchema(t, base)
	if out, err := backupRun(t, "restore", "--db", pg, file); err != nil {
		t.Fatalf("restore into PostgreSQL: %v\n%s", err, out)
	}
	backupCheckUser(t, pg)
	back := filepath.Join(dir, "from-postgres.bak")
	if _, err := backupRun(t, "backup", "--db", pg, back); err != nil {
		t.Fatal(err)
	}
	again := "sqlite:" + filepath.Join(dir, "again.db")
	if out, err := backupRun(t, "restore", "--db", again, back); err != nil || !strings.Contains(out, "backup of postgres") {
		t.Fatalf("restore of the PostgreSQL backup: %q, %v", out, err)
	}
	backupCheckUser(t, again)
}

// backupCheckUser checks that Ada can log in to the database at dsn.
func backupCheckUser(t *testing.T, dsn string) {
	t.Helper()
	s, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, hash, err := s.PasswordHash(context.Background(), "ada@corp.example"); err != nil || hash == "" {
		t.Errorf("%s: Ada's password: %q, %v", dsn, hash, err)
	}
}

// backupPostgresSchema makes an empty schema for the test and gives the URL of
// the database with that schema first in the search path.
func backupPostgresSchema(t *testing.T, base string) string {
	t.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	schema := "test_cmd_" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "_"))
	if _, err := admin.Exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE; CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
