package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// TableRows is how many rows of one table a backup or a restore copied.
type TableRows struct {
	Table string        `json:"table"`
	Rows  int64         `json:"rows"`
	Took  time.Duration `json:"took,omitempty"` // a restore's copy of the table
}

// copyDest is the transaction a backup or a restore writes rows into.
type copyDest struct {
	engine   Engine
	tx       *sql.Tx
	conn     *sql.Conn // PostgreSQL: the transaction's connection, for COPY
	attached string    // SQLite: the schema name of the attached source, if it is one
	sources  []dbTable // the attached source's tables
}

// attachedBackup is the name a restore attaches the backup under.
const attachedBackup = "cairn_restore_source"

// copyTables copies the rows of every table of plan, in its order, from src
// (a read transaction) into dst, and reports each table when done.
func copyTables(ctx context.Context, src queryer, dst *copyDest, plan []dbTable, done func(TableRows)) ([]TableRows, error) {
	var out []TableRows
	for _, t := range plan {
		start := time.Now()
		n, err := dst.copyTable(ctx, src, t)
		if err != nil {
			return nil, fmt.Errorf("copy %s: %w", t.name, err)
		}
		out = append(out, TableRows{Table: t.name, Rows: n, Took: time.Since(start)})
		if done != nil {
			done(out[len(out)-1])
		}
	}
	return out, nil
}

func (d *copyDest) copyTable(ctx context.Context, src queryer, t dbTable) (int64, error) {
	if d.attached != "" {
		return d.copyAttached(ctx, t)
	}
	q := `SELECT ` + t.columnList() + ` FROM ` + quoteIdent(t.name)
	pk := t.primaryKey()
	if len(pk) > 0 {
		// Rows in key order fill the destination's B-trees from the left.
		keys := make([]string, len(pk))
		for i, k := range pk {
			keys[i] = quoteIdent(k)
		}
		q += ` ORDER BY ` + strings.Join(keys, ", ")
	}
	r := &rowReader{t: t, vals: make([]any, len(t.columns)), ptrs: make([]any, len(t.columns))}
	for i := range r.vals {
		r.ptrs[i] = &r.vals[i]
	}
	rows, err := src.QueryContext(ctx, q)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	r.rows = rows
	if d.engine == Postgres {
		return d.copyIn(ctx, t, r)
	}
	return d.insert(ctx, t, r)
}

// copyAttached copies a table from the attached source in one statement.
// Written as INSERT INTO t SELECT * FROM t, between tables of the same
// columns and indexes and with the foreign keys off, SQLite copies the
// records and index entries as they are (its transfer optimization; for
// 100 000 tickets 0.5 s, against 5.5 s with the columns named); so the
// columns are named only when their order differs.
func (d *copyDest) copyAttached(ctx context.Context, t dbTable) (int64, error) {
	i := slices.IndexFunc(d.sources, func(s dbTable) bool { return s.name == t.name })
	if i < 0 {
		return 0, fmt.Errorf("not in the source")
	}
	list := t.columnList()
	q := `INSERT INTO main.` + quoteIdent(t.name) + ` (` + list + `) SELECT ` + list + ` FROM ` + d.attached + `.` + quoteIdent(t.name)
	if slices.EqualFunc(t.columns, d.sources[i].columns, func(a, b dbColumn) bool { return a.name == b.name }) {
		q = `INSERT INTO main.` + quoteIdent(t.name) + ` SELECT * FROM ` + d.attached + `.` + quoteIdent(t.name)
	}
	res, err := d.tx.ExecContext(ctx, q)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// insert writes the rows with multi-row INSERTs of one prepared statement:
// SQLite has no COPY.
func (d *copyDest) insert(ctx context.Context, t dbTable, r *rowReader) (int64, error) {
	cols := len(t.columns)
	head := `INSERT INTO ` + quoteIdent(t.name) + ` (` + t.columnList() + `) VALUES `
	one := `(` + placeholders(cols) + `)`
	statement := func(n int) string { return head + strings.Repeat(one+", ", n-1) + one }
	// SQLite takes up to 32 766 parameters in one statement.
	perBatch := max(1, min(200, 30000/cols))
	full, err := d.tx.PrepareContext(ctx, statement(perBatch))
	if err != nil {
		return 0, err
	}
	defer full.Close()
	args := make([]any, 0, perBatch*cols)
	var n int64
	for r.Next() {
		vals, err := r.Values()
		if err != nil {
			return n, err
		}
		args = append(args, vals...)
		n++
		if len(args) == cap(args) {
			if _, err := full.ExecContext(ctx, args...); err != nil {
				return n, err
			}
			args = args[:0]
		}
	}
	if err := r.Err(); err != nil {
		return n, err
	}
	if len(args) > 0 {
		if _, err := d.tx.ExecContext(ctx, statement(len(args)/cols), args...); err != nil {
			return n, err
		}
	}
	return n, nil
}

// copyIn streams the rows with COPY, on the transaction's own connection.
func (d *copyDest) copyIn(ctx context.Context, t dbTable, r *rowReader) (int64, error) {
	names := make([]string, len(t.columns))
	for i, c := range t.columns {
		names[i] = c.name
	}
	var n int64
	err := d.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("postgres: unexpected driver connection %T", dc)
		}
		var err error
		n, err = c.Conn().CopyFrom(ctx, pgx.Identifier{t.name}, names, r)
		return err
	})
	return n, err
}

// rowReader reads a table's rows from the source and gives them in the
// types the destination's columns take. It is a pgx.CopyFromSource.
type rowReader struct {
	t    dbTable
	rows *sql.Rows
	vals []any
	ptrs []any
}

func (r *rowReader) Next() bool { return r.rows.Next() }

func (r *rowReader) Err() error { return r.rows.Err() }

// Values gives the current row; the slice is reused by the next call.
func (r *rowReader) Values() ([]any, error) {
	if err := r.rows.Scan(r.ptrs...); err != nil {
		return nil, err
	}
	for i, c := range r.t.columns {
		v, err := convertValue(r.vals[i], c.kind)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.name, err)
		}
		r.vals[i] = v
	}
	return r.vals, nil
}

// convertValue turns a value read from one engine into what a column of
// the kind takes on either: SQLite gives booleans as 0 and 1, and may give
// text as bytes or bytes as text.
func convertValue(v any, kind colKind) (any, error) {
	switch kind {
	case kindBool:
		switch x := v.(type) {
		case int64:
			return x != 0, nil
		case float64:
			return x != 0, nil
		}
	case kindInt:
		switch x := v.(type) {
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		case float64:
			if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
				return nil, fmt.Errorf("%v is not an integer", x)
			}
			return int64(x), nil
		}
	case kindText:
		if b, ok := v.([]byte); ok {
			return string(b), nil
		}
	case kindBlob:
		if s, ok := v.(string); ok {
			return []byte(s), nil
		}
	case kindReal:
		if i, ok := v.(int64); ok {
			return float64(i), nil
		}
	}
	return v, nil
}

// foreignKeyCheck fails when a row of the database references a row that
// is not there.
func foreignKeyCheck(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `PRAGMA main.foreign_key_check`)
	if err != nil {
		return fmt.Errorf("check foreign keys: %w", err)
	}
	defer rows.Close()
	var broken []string
	for rows.Next() && len(broken) < 5 {
		var table, parent string
		var rowid, fk sql.NullInt64
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			return fmt.Errorf("check foreign keys: %w", err)
		}
		broken = append(broken, fmt.Sprintf("%s row %d references a missing %s", table, rowid.Int64, parent))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("check foreign keys: %w", err)
	}
	if len(broken) > 0 {
		return fmt.Errorf("the backup's rows do not hold together: %s", strings.Join(broken, "; "))
	}
	return nil
}

// wipeTables deletes every row of the tables, in the transaction; on
// PostgreSQL with TRUNCATE when truncate is set.
func wipeTables(ctx context.Context, tx *sql.Tx, engine Engine, tables []dbTable, truncate bool) error {
	byName := map[string]dbTable{}
	for _, t := range tables {
		if !skippedTable(t.name) {
			byName[t.name] = t
		}
	}
	if len(byName) == 0 {
		return nil
	}
	ordered, err := dependencyOrder(byName)
	if err != nil {
		return err
	}
	if engine == Postgres && truncate {
		names := make([]string, len(ordered))
		for i, t := range ordered {
			names[i] = quoteIdent(t.name)
		}
		if _, err := tx.ExecContext(ctx, `TRUNCATE `+strings.Join(names, ", ")); err != nil {
			return fmt.Errorf("empty the tables: %w", err)
		}
		return nil
	}
	// Those that reference others first.
	for _, t := range slices.Backward(ordered) {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+quoteIdent(t.name)); err != nil {
			return fmt.Errorf("empty %s: %w", t.name, err)
		}
	}
	return nil
}

// resetIdentities moves each PostgreSQL identity sequence past the
// largest id restored, so that the next row gets a new id.
func resetIdentities(ctx context.Context, tx *sql.Tx, tables []dbTable) error {
	for _, t := range tables {
		if t.identity == "" {
			continue
		}
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max(%s), 0) + 1, false) FROM %s`,
			quoteIdent(t.identity), quoteIdent(t.name))
		if _, err := tx.ExecContext(ctx, q, quoteIdent(t.name), t.identity); err != nil {
			return fmt.Errorf("identity of %s: %w", t.name, err)
		}
	}
	return nil
}

// rebuildSearch indexes every ticket again, in the transaction, and moves
// the indexer's checkpoint to the end of the event log: the index then
// reads as if the indexer had followed the log all along.
func rebuildSearch(c *conn) (int, error) {
	if c.s.engine == SQLite {
		if _, err := c.exec(`INSERT INTO ticket_search (ticket_search) VALUES ('delete-all')`); err != nil {
			return 0, fmt.Errorf("search: clear: %w", err)
		}
	} else if _, err := c.exec(`DELETE FROM ticket_search`); err != nil {
		return 0, fmt.Errorf("search: clear: %w", err)
	}
	const batch = 500
	total := 0
	var last int64
	for {
		ids := make([]int64, 0, batch)
		rows, err := c.query(`SELECT id FROM tickets WHERE id > ? ORDER BY id LIMIT ?`, last, batch)
		if err != nil {
			return total, fmt.Errorf("search: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return total, fmt.Errorf("search: %w", err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return total, fmt.Errorf("search: %w", err)
		}
		if len(ids) == 0 {
			break
		}
		if err := c.indexTickets(ids); err != nil {
			return total, err
		}
		total += len(ids)
		last = ids[len(ids)-1]
	}
	var lastEvent sql.NullInt64
	if err := c.row(`SELECT max(id) FROM events`).Scan(&lastEvent); err != nil {
		return total, fmt.Errorf("search position: %w", err)
	}
	if _, err := c.exec(`DELETE FROM search_position`); err != nil {
		return total, fmt.Errorf("search position: %w", err)
	}
	if _, err := c.exec(`INSERT INTO search_position (id, last_event_id, pending) VALUES (1, ?, '[]')`, lastEvent.Int64); err != nil {
		return total, fmt.Errorf("search position: %w", err)
	}
	return total, nil
}
