package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pressly/goose/v3"
)

// Backup and restore read the list of tables, their columns and their
// foreign keys from the database's own catalog, so that a table a new
// migration adds is backed up and restored without anyone listing it.

// colKind is what a column holds, as far as moving values between the
// engines cares: SQLite keeps booleans as integers, PostgreSQL does not.
type colKind int

const (
	kindOther colKind = iota
	kindInt
	kindBool
	kindText
	kindBlob
	kindReal
)

// kindOf maps a declared type (SQLite) or format_type (PostgreSQL) to a kind.
func kindOf(declared string) colKind {
	t := strings.ToUpper(declared)
	switch {
	case strings.Contains(t, "BOOL"):
		return kindBool
	case strings.Contains(t, "INT"):
		return kindInt
	case strings.Contains(t, "CHAR"), strings.Contains(t, "TEXT"), strings.Contains(t, "CLOB"):
		return kindText
	case strings.Contains(t, "BLOB"), strings.Contains(t, "BYTEA"):
		return kindBlob
	case strings.Contains(t, "REAL"), strings.Contains(t, "FLOA"), strings.Contains(t, "DOUB"), strings.Contains(t, "NUMERIC"):
		return kindReal
	}
	return kindOther
}

type dbColumn struct {
	name string
	kind colKind
	pk   int // position in the primary key, from 1; 0 when not part of it
}

// dbTable is one table as the catalog describes it.
type dbTable struct {
	name     string
	columns  []dbColumn
	refs     []string // the other tables its foreign keys reference
	identity string   // PostgreSQL: the identity column, whose sequence must follow the rows
}

func (t dbTable) column(name string) (dbColumn, bool) {
	for _, c := range t.columns {
		if c.name == name {
			return c, true
		}
	}
	return dbColumn{}, false
}

// columnList is the table's columns, quoted, for a SELECT or an INSERT.
func (t dbTable) columnList() string {
	names := make([]string, len(t.columns))
	for i, c := range t.columns {
		names[i] = quoteIdent(c.name)
	}
	return strings.Join(names, ", ")
}

// primaryKey gives the primary key's columns in key order.
func (t dbTable) primaryKey() []string {
	var pk []dbColumn
	for _, c := range t.columns {
		if c.pk > 0 {
			pk = append(pk, c)
		}
	}
	slices.SortFunc(pk, func(a, b dbColumn) int { return a.pk - b.pk })
	names := make([]string, len(pk))
	for i, c := range pk {
		names[i] = c.name
	}
	return names
}

// Tables that are in the schema but whose rows are not data to restore.
const (
	// backupManifest is the table a backup file describes itself in.
	backupManifest = "cairn_backup"
)

// notCopied names the tables whose rows a restore does not copy, and why.
// A PostgreSQL backup leaves them out too.
var notCopied = map[string]string{
	"ticket_search": "the full-text index differs by engine; restore rebuilds it from tickets and comments",
	"leases":        "leases belong to the processes running at the time of the backup",
}

// skippedTable reports whether a table is no part of the data: goose's
// version table (each database has its own) and a backup's manifest.
func skippedTable(name string) bool {
	return name == goose.DefaultTablename || name == backupManifest
}

// readCatalog lists the tables of the schema the connection uses, by name.
func readCatalog(ctx context.Context, q queryer, engine Engine) ([]dbTable, error) {
	if engine == Postgres {
		return readPostgresCatalog(ctx, q)
	}
	return readSQLiteCatalog(ctx, q)
}

func readSQLiteCatalog(ctx context.Context, q queryer) ([]dbTable, error) {
	// Type 'table' leaves out views, virtual tables (the FTS5 index) and
	// their shadow tables.
	names, err := queryStrings(ctx, q, `SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	tables := make([]dbTable, 0, len(names))
	for _, name := range names {
		t := dbTable{name: name}
		rows, err := q.QueryContext(ctx, `SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid`, name)
		if err != nil {
			return nil, fmt.Errorf("catalog %s: %w", name, err)
		}
		for rows.Next() {
			var c dbColumn
			var typ string
			if err := rows.Scan(&c.name, &typ, &c.pk); err != nil {
				rows.Close()
				return nil, fmt.Errorf("catalog %s: %w", name, err)
			}
			c.kind = kindOf(typ)
			t.columns = append(t.columns, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("catalog %s: %w", name, err)
		}
		rows, err = q.QueryContext(ctx, `SELECT "table" FROM pragma_foreign_key_list(?)`, name)
		if err != nil {
			return nil, fmt.Errorf("catalog %s: %w", name, err)
		}
		for rows.Next() {
			var ref string
			if err := rows.Scan(&ref); err != nil {
				rows.Close()
				return nil, fmt.Errorf("catalog %s: %w", name, err)
			}
			t.addRef(ref)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("catalog %s: %w", name, err)
		}
		tables = append(tables, t)
	}
	return tables, nil
}

func readPostgresCatalog(ctx context.Context, q queryer) ([]dbTable, error) {
	const inSchema = `(SELECT oid FROM pg_namespace WHERE nspname = current_schema())`
	rows, err := q.QueryContext(ctx, `
		SELECT c.relname, a.attname, format_type(a.atttypid, NULL), a.attidentity <> '',
		       coalesce(array_position(pk.conkey, a.attnum), 0)
		FROM pg_class c
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
		LEFT JOIN pg_constraint pk ON pk.conrelid = c.oid AND pk.contype = 'p'
		WHERE c.relnamespace = `+inSchema+` AND c.relkind IN ('r', 'p')
		ORDER BY c.relname, a.attnum`)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	var tables []dbTable
	for rows.Next() {
		var table, typ string
		var c dbColumn
		var identity bool
		if err := rows.Scan(&table, &c.name, &typ, &identity, &c.pk); err != nil {
			rows.Close()
			return nil, fmt.Errorf("catalog: %w", err)
		}
		if len(tables) == 0 || tables[len(tables)-1].name != table {
			tables = append(tables, dbTable{name: table})
		}
		t := &tables[len(tables)-1]
		c.kind = kindOf(typ)
		t.columns = append(t.columns, c)
		if identity {
			t.identity = c.name
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	rows, err = q.QueryContext(ctx, `
		SELECT DISTINCT c.relname, r.relname
		FROM pg_constraint f
		JOIN pg_class c ON c.oid = f.conrelid
		JOIN pg_class r ON r.oid = f.confrelid
		WHERE f.contype = 'f' AND c.relnamespace = `+inSchema)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, ref string
		if err := rows.Scan(&table, &ref); err != nil {
			return nil, fmt.Errorf("catalog: %w", err)
		}
		for i := range tables {
			if tables[i].name == table {
				tables[i].addRef(ref)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	return tables, nil
}

// addRef records that the table references another; a reference to its
// own rows (ci_types.parent_id) does not order it.
func (t *dbTable) addRef(ref string) {
	if ref != t.name && !slices.Contains(t.refs, ref) {
		t.refs = append(t.refs, ref)
	}
}

func queryStrings(ctx context.Context, q queryer, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// copyPlan matches the tables of a source and a destination at the same
// migration version and orders them so that every table comes after those
// it references. Any table or column that one side has and the other lacks
// is an error: copying past it would lose data silently.
func copyPlan(src, dst []dbTable) ([]dbTable, error) {
	srcByName := map[string]dbTable{}
	for _, t := range src {
		if !skippedTable(t.name) {
			srcByName[t.name] = t
		}
	}
	var problems []string
	byName := map[string]dbTable{}
	for _, t := range dst {
		if skippedTable(t.name) {
			continue
		}
		s, ok := srcByName[t.name]
		delete(srcByName, t.name)
		if _, skip := notCopied[t.name]; skip {
			continue
		}
		if !ok {
			problems = append(problems, fmt.Sprintf("table %s is missing from the source", t.name))
			continue
		}
		for _, c := range t.columns {
			if _, ok := s.column(c.name); !ok {
				problems = append(problems, fmt.Sprintf("column %s.%s is missing from the source", t.name, c.name))
			}
		}
		for _, c := range s.columns {
			if _, ok := t.column(c.name); !ok {
				problems = append(problems, fmt.Sprintf("column %s.%s of the source has no place in the destination", t.name, c.name))
			}
		}
		byName[t.name] = t
	}
	for name := range srcByName {
		if _, skip := notCopied[name]; !skip {
			problems = append(problems, fmt.Sprintf("table %s of the source has no place in the destination", name))
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return nil, fmt.Errorf("the schemas differ: %s", strings.Join(problems, "; "))
	}
	return dependencyOrder(byName)
}

// dependencyOrder sorts tables so that each follows the tables it
// references, by name where the order is free (Kahn's algorithm).
func dependencyOrder(tables map[string]dbTable) ([]dbTable, error) {
	waiting := map[string]int{}
	users := map[string][]string{}
	for name, t := range tables {
		for _, ref := range t.refs {
			if _, ok := tables[ref]; ok {
				waiting[name]++
				users[ref] = append(users[ref], name)
			}
		}
	}
	var ready []string
	for name := range tables {
		if waiting[name] == 0 {
			ready = append(ready, name)
		}
	}
	var out []dbTable
	for len(ready) > 0 {
		slices.Sort(ready)
		name := ready[0]
		ready = ready[1:]
		out = append(out, tables[name])
		for _, u := range users[name] {
			if waiting[u]--; waiting[u] == 0 {
				ready = append(ready, u)
			}
		}
	}
	if len(out) < len(tables) {
		var cycle []string
		for name := range tables {
			if waiting[name] > 0 {
				cycle = append(cycle, name)
			}
		}
		slices.Sort(cycle)
		return nil, fmt.Errorf("foreign keys form a cycle between %s", strings.Join(cycle, ", "))
	}
	return out, nil
}

// migrationVersion is the schema version goose recorded in the database,
// 0 when it has none.
func migrationVersion(ctx context.Context, q queryer, tables []dbTable) (int64, error) {
	if !slices.ContainsFunc(tables, func(t dbTable) bool { return t.name == goose.DefaultTablename }) {
		return 0, nil
	}
	var v sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT max(version_id) FROM `+goose.DefaultTablename).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("migration version: %w", err)
	}
	return v.Int64, nil
}

// latestMigration is the version of the newest migration this binary has.
func (s *Store) latestMigration() (int64, error) {
	ms, err := s.migrations()
	if err != nil {
		return 0, err
	}
	var v int64
	for _, m := range ms {
		v = max(v, m.Version)
	}
	return v, nil
}

// quoteIdent quotes a name from the catalog for either engine.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
