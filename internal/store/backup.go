package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
)

// A backup is a SQLite database file holding every table of Cairn's schema
// at the migration version of the database it was taken from, plus a small
// cairn_backup table that describes it. It is written from one consistent
// read of the database while the server runs: VACUUM INTO on SQLite, one
// REPEATABLE READ transaction on PostgreSQL. Being a database of the
// schema SQLite runs, a backup restores into either engine, and the sqlite3
// shell can read it.

// BackupFormat is the version of the backup file's layout; a restore
// refuses formats it does not know.
const BackupFormat = 1

// BackupOptions are the choices of one backup.
type BackupOptions struct {
	Force bool // replace an existing file
}

// BackupReport says what a backup wrote.
type BackupReport struct {
	File      string        `json:"file"`
	Engine    Engine        `json:"engine"`    // the engine backed up
	Migration int64         `json:"migration"` // the schema version of the backup
	Tables    []TableRows   `json:"tables"`
	Rows      int64         `json:"rows"`
	Bytes     int64         `json:"bytes"`
	Took      time.Duration `json:"took"`
}

// BackupInfo is what a backup file says of itself.
type BackupInfo struct {
	Format    int       `json:"format"`
	Engine    Engine    `json:"engine"`
	Migration int64     `json:"migration"`
	CreatedAt time.Time `json:"created_at"`
}

// Backup writes a consistent copy of the whole database to the file at
// path while the store stays in use. It writes a temporary file beside
// path, syncs it and renames it, so that path holds a whole backup or
// nothing new. An existing file is replaced only with opts.Force.
func (s *Store) Backup(ctx context.Context, path string, opts BackupOptions) (BackupReport, error) {
	start := time.Now()
	rep := BackupReport{File: path, Engine: s.engine}
	if path == "" {
		return rep, errors.New("backup: name the file to write")
	}
	if fi, err := os.Stat(path); err == nil {
		if fi.IsDir() {
			return rep, fmt.Errorf("backup: %s is a directory", path)
		}
		if !opts.Force {
			return rep, fmt.Errorf("backup: %s: %w", path, os.ErrExist)
		}
		if same, err := s.isDatabaseFile(ctx, fi); err != nil {
			return rep, fmt.Errorf("backup: %w", err)
		} else if same {
			return rep, fmt.Errorf("backup: %s is the database itself", path)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return rep, fmt.Errorf("backup: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return rep, fmt.Errorf("backup: %w", err)
	}
	tmpPath := tmp.Name()
	tmp.Close()
	done := false
	defer func() {
		if !done {
			removeSQLiteFiles(tmpPath)
		}
	}()

	switch s.engine {
	case SQLite:
		tables, err := readCatalog(ctx, s.read, SQLite)
		if err != nil {
			return rep, fmt.Errorf("backup: %w", err)
		}
		if _, err := s.checkVersion(ctx, s.read, tables, "the database"); err != nil {
			return rep, fmt.Errorf("backup: %w", err)
		}
		// VACUUM INTO reads the database in one transaction, as any
		// reader: writers go on, and the copy is of one instant.
		if _, err := s.read.ExecContext(ctx, `VACUUM INTO ?`, tmpPath); err != nil {
			return rep, fmt.Errorf("backup: %w", err)
		}
	case Postgres:
		if err := s.backupPostgres(ctx, tmpPath); err != nil {
			return rep, fmt.Errorf("backup: %w", err)
		}
	}
	if err := s.finishBackupFile(ctx, tmpPath, &rep); err != nil {
		return rep, fmt.Errorf("backup: %w", err)
	}
	if err := syncFile(tmpPath); err != nil {
		return rep, fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmpPath, path); err != nil {
		return rep, fmt.Errorf("backup: %w", err)
	}
	done = true
	if err := syncDir(filepath.Dir(path)); err != nil {
		return rep, fmt.Errorf("backup: %w", err)
	}
	if fi, err := os.Stat(path); err == nil {
		rep.Bytes = fi.Size()
	}
	rep.Took = time.Since(start)
	return rep, nil
}

// backupPostgres copies every table, read in one REPEATABLE READ
// transaction (one snapshot, and no lock that stops writers), into a new
// SQLite file at path migrated to the same version.
func (s *Store) backupPostgres(ctx context.Context, path string) error {
	src, err := s.read.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return err
	}
	defer src.Rollback()
	srcTables, err := readCatalog(ctx, src, Postgres)
	if err != nil {
		return err
	}
	version, err := s.checkVersion(ctx, src, srcTables, "the database")
	if err != nil {
		return err
	}
	// The file is new and only renamed into place once whole: it needs no
	// journal, and is synced once at the end. A cache of 256 MB keeps the
	// indexes' pages, written in random order, from going to the file and
	// back again and again.
	db, err := sql.Open("sqlite", sqliteURI(path)+"?_pragma=journal_mode(OFF)&_pragma=synchronous(OFF)&_pragma=cache_size(-262144)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	file := &Store{engine: SQLite, read: db, write: db, now: s.now}
	if err := file.migrateTo(ctx, version); err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	dstTables, err := readCatalog(ctx, tx, SQLite)
	if err != nil {
		return err
	}
	plan, err := copyPlan(srcTables, dstTables)
	if err != nil {
		return err
	}
	// The migrations' own rows (the first desk, the default queues) are
	// in the source already.
	if err := wipeTables(ctx, tx, SQLite, dstTables, false); err != nil {
		return err
	}
	indexes, err := dropIndexes(ctx, tx, SQLite)
	if err != nil {
		return err
	}
	if _, err := copyTables(ctx, src, &copyDest{engine: SQLite, tx: tx}, plan, nil); err != nil {
		return err
	}
	if err := createIndexes(ctx, tx, indexes); err != nil {
		return err
	}
	return tx.Commit()
}

// dropIndexes drops the indexes that only speed up reads (not those of
// primary keys and unique constraints), for a bulk load, and gives the
// statements that make them again: an index built once the rows are in is
// sorted once, where rows inserted one by one put each entry in its place.
func dropIndexes(ctx context.Context, tx *sql.Tx, engine Engine) ([]string, error) {
	q := `SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'`
	if engine == Postgres {
		q = `SELECT ic.relname, pg_get_indexdef(i.indexrelid)
			FROM pg_index i
			JOIN pg_class ic ON ic.oid = i.indexrelid
			WHERE ic.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
			AND NOT i.indisunique AND NOT i.indisprimary`
	}
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("indexes: %w", err)
	}
	var names, ddl []string
	for rows.Next() {
		var name, q string
		if err := rows.Scan(&name, &q); err != nil {
			rows.Close()
			return nil, fmt.Errorf("indexes: %w", err)
		}
		names, ddl = append(names, name), append(ddl, q)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("indexes: %w", err)
	}
	for _, name := range names {
		if _, err := tx.ExecContext(ctx, `DROP INDEX `+quoteIdent(name)); err != nil {
			return nil, fmt.Errorf("indexes: %w", err)
		}
	}
	return ddl, nil
}

// createIndexes runs the statements dropIndexes gave.
func createIndexes(ctx context.Context, tx *sql.Tx, ddl []string) error {
	for _, q := range ddl {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("index: %w", err)
		}
	}
	return nil
}

// migrateTo brings a new database to the given version, and no further.
func (s *Store) migrateTo(ctx context.Context, version int64) error {
	ms, err := s.migrations()
	if err != nil {
		return err
	}
	dialect := goose.DialectSQLite3
	if s.engine == Postgres {
		dialect = goose.DialectPostgres
	}
	p, err := goose.NewProvider(dialect, s.write, nil, goose.WithGoMigrations(ms...))
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// checkVersion reads the migration version of a database and refuses one
// without Cairn's schema or newer than this binary.
func (s *Store) checkVersion(ctx context.Context, q queryer, tables []dbTable, what string) (int64, error) {
	version, err := migrationVersion(ctx, q, tables)
	if err != nil {
		return 0, err
	}
	latest, err := s.latestMigration()
	if err != nil {
		return 0, err
	}
	if version < 1 {
		return 0, fmt.Errorf("%s has no Cairn schema (no migration recorded)", what)
	}
	if version > latest {
		return 0, fmt.Errorf("%s is at migration %d, newer than this cairn's %d: use the cairn release that made it, or a newer one", what, version, latest)
	}
	return version, nil
}

// finishBackupFile writes the manifest into the new backup, counts its
// rows for the report, and leaves it as one self-contained file.
func (s *Store) finishBackupFile(ctx context.Context, path string, rep *BackupReport) error {
	db, err := sql.Open("sqlite", sqliteURI(path))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	// VACUUM INTO keeps the WAL mode of a live database; a backup is one
	// file.
	if _, err := db.ExecContext(ctx, `PRAGMA journal_mode = DELETE`); err != nil {
		return err
	}
	tables, err := readCatalog(ctx, db, SQLite)
	if err != nil {
		return err
	}
	if rep.Migration, err = migrationVersion(ctx, db, tables); err != nil {
		return err
	}
	for _, t := range tables {
		if skippedTable(t.name) {
			continue
		}
		if _, skip := notCopied[t.name]; skip {
			continue
		}
		var n int64
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+quoteIdent(t.name)).Scan(&n); err != nil {
			return fmt.Errorf("count %s: %w", t.name, err)
		}
		rep.Tables = append(rep.Tables, TableRows{Table: t.name, Rows: n})
		rep.Rows += n
	}
	info := BackupInfo{Format: BackupFormat, Engine: s.engine, Migration: rep.Migration, CreatedAt: s.now().UTC().Truncate(time.Millisecond)}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE `+backupManifest+` (key TEXT PRIMARY KEY, value TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	for _, kv := range [][2]string{
		{"format", strconv.Itoa(info.Format)},
		{"engine", string(info.Engine)},
		{"migration", strconv.FormatInt(info.Migration, 10)},
		{"created_at", info.CreatedAt.Format(time.RFC3339Nano)},
	} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+backupManifest+` (key, value) VALUES (?, ?)`, kv[0], kv[1]); err != nil {
			return fmt.Errorf("manifest: %w", err)
		}
	}
	return tx.Commit()
}

// readBackupInfo reads a backup's manifest; a SQLite database of Cairn's
// that is not a backup (a stopped server's file) has none, and gives the
// zero BackupInfo.
func readBackupInfo(ctx context.Context, q queryer, tables []dbTable) (BackupInfo, error) {
	var info BackupInfo
	if !slices.ContainsFunc(tables, func(t dbTable) bool { return t.name == backupManifest }) {
		return info, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT key, value FROM `+backupManifest)
	if err != nil {
		return info, fmt.Errorf("manifest: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return info, fmt.Errorf("manifest: %w", err)
		}
		switch k {
		case "format":
			info.Format, _ = strconv.Atoi(v)
		case "engine":
			info.Engine = Engine(v)
		case "migration":
			info.Migration, _ = strconv.ParseInt(v, 10, 64)
		case "created_at":
			info.CreatedAt, _ = time.Parse(time.RFC3339Nano, v)
		}
	}
	if err := rows.Err(); err != nil {
		return info, fmt.Errorf("manifest: %w", err)
	}
	if info.Format > BackupFormat {
		return info, fmt.Errorf("backup format %d is newer than this cairn's %d: restore it with a newer cairn", info.Format, BackupFormat)
	}
	return info, nil
}

// RestoreOptions are the choices of one restore.
type RestoreOptions struct {
	// Force restores into a database that holds data, or that a server
	// uses: everything in it is deleted, in the restore's transaction.
	Force bool
	// Progress, when set, hears of each table once its rows are in.
	Progress func(TableRows)
}

// RestoreReport says what a restore did.
type RestoreReport struct {
	File       string        `json:"file"`
	Backup     BackupInfo    `json:"backup"`      // from the file's manifest
	Migration  int64         `json:"migration"`   // the backup's schema version
	MigratedTo int64         `json:"migrated_to"` // the database's, afterwards
	Replaced   []TableRows   `json:"replaced,omitempty"`
	Tables     []TableRows   `json:"tables"`
	Rows       int64         `json:"rows"`
	Indexed    int           `json:"indexed"`  // tickets in the rebuilt search index
	Indexing   time.Duration `json:"indexing"` // of Took, the rebuilding of the index
	Took       time.Duration `json:"took"`
}

// ErrNotEmpty is the error of a restore into a database that holds data.
var ErrNotEmpty = errors.New("the database is not empty")

// ErrInUse is the error of a restore into a database a server is using.
var ErrInUse = errors.New("the database is in use")

// dataTables hold what people put into a desk. A new database has none
// of their rows, whatever a server wrote at its start (default SLAs,
// workflows and CI types, which a restore replaces), so any of them marks
// a database a restore must not overwrite unasked.
var dataTables = []string{"users", "organizations", "teams", "services", "tickets", "cis"}

// Restore copies the backup at path into the store's database, which must
// be empty (opts.Force empties it). A backup of an older schema is
// migrated, in a temporary copy, to this binary's version first; the
// database is migrated to it too. Every table is then copied, in
// foreign-key order, in one transaction with the emptying of the tables:
// the database holds the whole backup or is left as it was. PostgreSQL
// sequences follow the ids restored, and the full-text index is rebuilt.
func (s *Store) Restore(ctx context.Context, path string, opts RestoreOptions) (RestoreReport, error) {
	start := time.Now()
	rep := RestoreReport{File: path}
	src, srcPath, cleanup, err := s.openBackup(ctx, path, &rep)
	if err != nil {
		return rep, fmt.Errorf("restore: %w", err)
	}
	defer cleanup()

	tables, err := readCatalog(ctx, s.read, s.engine)
	if err != nil {
		return rep, fmt.Errorf("restore: %w", err)
	}
	// A database this binary cannot migrate is refused before anything
	// touches it; one without Cairn's schema yet is migrated below.
	if version, err := migrationVersion(ctx, s.read, tables); err != nil {
		return rep, fmt.Errorf("restore: %w", err)
	} else if latest, err := s.latestMigration(); err != nil {
		return rep, fmt.Errorf("restore: %w", err)
	} else if version > latest {
		return rep, fmt.Errorf("restore: the database is at migration %d, newer than this cairn's %d", version, latest)
	}
	counts, err := countData(ctx, s.read, tables)
	if err != nil {
		return rep, fmt.Errorf("restore: %w", err)
	}
	if len(counts) > 0 {
		if !opts.Force {
			return rep, fmt.Errorf("restore: %w: it holds %s", ErrNotEmpty, describeCounts(counts))
		}
		rep.Replaced = counts
	}
	if !opts.Force {
		if err := s.checkNotInUse(ctx, tables); err != nil {
			return rep, fmt.Errorf("restore: %w", err)
		}
	}
	if err := s.Migrate(ctx); err != nil {
		return rep, fmt.Errorf("restore: %w", err)
	}
	if rep.MigratedTo, err = s.latestMigration(); err != nil {
		return rep, fmt.Errorf("restore: %w", err)
	}
	if err := s.restoreTx(ctx, src, srcPath, opts, &rep); err != nil {
		return rep, fmt.Errorf("restore: %w", err)
	}
	if err := s.analyze(ctx, rep.Tables); err != nil {
		return rep, fmt.Errorf("restore: %w", err)
	}
	rep.Took = time.Since(start)
	return rep, nil
}

// restoreTx empties the database and copies the backup into it, in one
// transaction.
func (s *Store) restoreTx(ctx context.Context, src *sql.DB, srcPath string, opts RestoreOptions, rep *RestoreReport) error {
	srcTx, err := src.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer srcTx.Rollback()
	srcTables, err := readCatalog(ctx, srcTx, SQLite)
	if err != nil {
		return err
	}
	dst := &copyDest{engine: s.engine}
	if s.engine == Postgres {
		// COPY goes through the driver's own connection: take one and
		// keep the transaction on it.
		if dst.conn, err = s.write.Conn(ctx); err != nil {
			return err
		}
		defer dst.conn.Close()
		dst.tx, err = dst.conn.BeginTx(ctx, nil)
	} else {
		// SQLite copies from the backup attached to the write connection,
		// INSERT ... SELECT, without a value passing through Go. With the
		// foreign keys checked once at the end rather than row by row,
		// SQLite copies a table and its indexes page by page.
		// Attaching and the foreign keys setting cannot change inside a
		// transaction: this is undone after the transaction ends.
		if _, err := s.write.ExecContext(ctx, `ATTACH DATABASE ? AS `+attachedBackup, sqliteURI(srcPath)+"?mode=ro"); err != nil {
			return fmt.Errorf("attach the backup: %w", err)
		}
		defer s.write.ExecContext(context.WithoutCancel(ctx), `DETACH DATABASE `+attachedBackup)
		if _, err := s.write.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
			return err
		}
		defer s.write.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`)
		dst.attached, dst.sources = attachedBackup, srcTables
		dst.tx, err = s.write.BeginTx(ctx, nil)
	}
	if err != nil {
		return err
	}
	defer dst.tx.Rollback()
	dstTables, err := readCatalog(ctx, dst.tx, s.engine)
	if err != nil {
		return err
	}
	plan, err := copyPlan(srcTables, dstTables)
	if err != nil {
		return err
	}
	// TRUNCATE makes new files for every table and index, which costs
	// more than deleting the few rows of a new database.
	if err := wipeTables(ctx, dst.tx, s.engine, dstTables, len(rep.Replaced) > 0); err != nil {
		return err
	}
	// SQLite copies indexes with their tables (see copyAttached).
	var indexes []string
	if s.engine == Postgres {
		if indexes, err = dropIndexes(ctx, dst.tx, Postgres); err != nil {
			return err
		}
	}
	if rep.Tables, err = copyTables(ctx, srcTx, dst, plan, opts.Progress); err != nil {
		return err
	}
	if err := createIndexes(ctx, dst.tx, indexes); err != nil {
		return err
	}
	for _, t := range rep.Tables {
		rep.Rows += t.Rows
	}
	if s.engine == SQLite {
		if err := foreignKeyCheck(ctx, dst.tx); err != nil {
			return err
		}
	}
	if s.engine == Postgres {
		if err := resetIdentities(ctx, dst.tx, dstTables); err != nil {
			return err
		}
	}
	c := &conn{s: s, q: dst.tx, ctx: ctx, now: s.clock(ctx)}
	indexing := time.Now()
	if rep.Indexed, err = rebuildSearch(c); err != nil {
		return err
	}
	rep.Indexing = time.Since(indexing)
	// A process that keeps the impact graph of this database in memory
	// reads it again.
	if _, err := c.exec(`UPDATE cmdb_generation SET value = value + 1`); err != nil {
		return fmt.Errorf("cmdb generation: %w", err)
	}
	return dst.tx.Commit()
}

// analyze gathers the planner's statistics of the restored tables: without
// them it guesses badly over so many new rows.
func (s *Store) analyze(ctx context.Context, tables []TableRows) error {
	if s.engine == SQLite {
		return s.Optimize(ctx)
	}
	names := []string{"ticket_search"}
	for _, t := range tables {
		names = append(names, quoteIdent(t.Table))
	}
	if _, err := s.write.ExecContext(ctx, `ANALYZE `+strings.Join(names, ", ")); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}

// openBackup opens the backup at path for reading, after checking that it
// is one this binary can restore. A backup of an older schema is copied to
// a temporary file and migrated there; cleanup removes it.
func (s *Store) openBackup(ctx context.Context, path string, rep *RestoreReport) (db *sql.DB, file string, cleanup func(), err error) {
	cleanup = func() {}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, "", cleanup, err
	}
	if fi.IsDir() {
		return nil, "", cleanup, fmt.Errorf("%s is a directory", path)
	}
	if same, err := s.isDatabaseFile(ctx, fi); err != nil {
		return nil, "", cleanup, err
	} else if same {
		return nil, "", cleanup, fmt.Errorf("%s is the database itself", path)
	}
	db, err = sql.Open("sqlite", sqliteURI(path)+"?mode=ro")
	if err != nil {
		return nil, "", cleanup, err
	}
	tables, err := readCatalog(ctx, db, SQLite)
	if err != nil {
		db.Close()
		return nil, "", cleanup, fmt.Errorf("%s is not a Cairn backup: %w", path, err)
	}
	if !slices.ContainsFunc(tables, func(t dbTable) bool { return t.name == "tickets" }) {
		db.Close()
		return nil, "", cleanup, fmt.Errorf("%s is not a Cairn backup: it has no tickets table", path)
	}
	if rep.Backup, err = readBackupInfo(ctx, db, tables); err != nil {
		db.Close()
		return nil, "", cleanup, err
	}
	if rep.Migration, err = s.checkVersion(ctx, db, tables, "the backup"); err != nil {
		db.Close()
		return nil, "", cleanup, err
	}
	latest, err := s.latestMigration()
	if err != nil {
		db.Close()
		return nil, "", cleanup, err
	}
	if rep.Migration == latest {
		return db, path, func() { db.Close() }, nil
	}
	db.Close()

	// Migrate a copy: the backup file stays as it was.
	migrated, err := copyToTemp(path)
	if err != nil {
		return nil, "", cleanup, fmt.Errorf("copy the backup to migrate it: %w", err)
	}
	cleanup = func() { removeSQLiteFiles(migrated) }
	tmp, err := openSQLite(ctx, migrated)
	if err != nil {
		cleanup()
		return nil, "", func() {}, err
	}
	if err := tmp.Migrate(ctx); err != nil {
		tmp.Close()
		cleanup()
		return nil, "", func() {}, fmt.Errorf("migrate the backup from %d to %d: %w", rep.Migration, latest, err)
	}
	return tmp.read, migrated, func() { tmp.Close(); removeSQLiteFiles(migrated) }, nil
}

// countData counts the rows of the data tables that have any.
func countData(ctx context.Context, q queryer, tables []dbTable) ([]TableRows, error) {
	var out []TableRows
	for _, name := range dataTables {
		if !slices.ContainsFunc(tables, func(t dbTable) bool { return t.name == name }) {
			continue
		}
		var n int64
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM `+quoteIdent(name)).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", name, err)
		}
		if n > 0 {
			out = append(out, TableRows{Table: name, Rows: n})
		}
	}
	return out, nil
}

// describeCounts says "3 users, 2 teams and 40 tickets".
func describeCounts(counts []TableRows) string {
	parts := make([]string, len(counts))
	for i, c := range counts {
		parts[i] = fmt.Sprintf("%d %s", c.Rows, c.Table)
	}
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// checkNotInUse refuses a database whose leases a live process holds: a
// server running on it would keep caches of what the restore replaces.
func (s *Store) checkNotInUse(ctx context.Context, tables []dbTable) error {
	if !slices.ContainsFunc(tables, func(t dbTable) bool { return t.name == "leases" }) {
		return nil
	}
	var name, owner string
	var expires int64
	err := s.read.QueryRowContext(ctx, s.rebind(`SELECT name, owner, expires_at FROM leases WHERE expires_at > ? ORDER BY expires_at DESC LIMIT 1`),
		millis(s.now())).Scan(&name, &owner, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("leases: %w", err)
	}
	return fmt.Errorf("%w: %s holds the lease on %s until %s; stop the servers on it first",
		ErrInUse, owner, name, fromMillis(expires).Format(time.RFC3339))
}

// isDatabaseFile reports whether fi is the store's own SQLite file.
func (s *Store) isDatabaseFile(ctx context.Context, fi os.FileInfo) (bool, error) {
	if s.engine != SQLite {
		return false, nil
	}
	var seq int
	var name, file string
	if err := s.read.QueryRowContext(ctx, `SELECT seq, name, file FROM pragma_database_list WHERE name = 'main'`).Scan(&seq, &name, &file); err != nil {
		return false, err
	}
	if file == "" {
		return false, nil
	}
	db, err := os.Stat(file)
	if err != nil {
		return false, nil
	}
	return os.SameFile(fi, db), nil
}

// sqliteURI makes a file: URI of a path, escaping what a URI would read
// as its query or fragment.
func sqliteURI(path string) string {
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// copyToTemp copies a file into the temporary directory.
func copyToTemp(path string) (string, error) {
	in, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer in.Close()
	out, err := os.CreateTemp("", "cairn-restore-*.db")
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(out.Name())
		return "", err
	}
	if err := out.Close(); err != nil {
		os.Remove(out.Name())
		return "", err
	}
	return out.Name(), nil
}

// removeSQLiteFiles removes a database file and its journals.
func removeSQLiteFiles(path string) {
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(path + suffix)
	}
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}
