package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TableDigest is a table's row count and a digest of its rows that depends
// neither on the engine nor on the order of the rows.
type TableDigest struct {
	Rows   int
	Digest string
}

// TableDigests digests every table of the store's schema (goose's aside),
// so that a test can compare two databases whole.
func TableDigests(s *Store) (map[string]TableDigest, error) {
	return tableDigests(s.read, s.engine)
}

// FileDigests is TableDigests of a SQLite file, a backup, opened read-only.
func FileDigests(path string) (map[string]TableDigest, error) {
	db, err := sql.Open("sqlite", sqliteURI(path)+"?mode=ro")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return tableDigests(db, SQLite)
}

// NotCopied names the tables a restore does not copy.
func NotCopied() []string {
	var out []string
	for name := range notCopied {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

func tableDigests(db *sql.DB, engine Engine) (map[string]TableDigest, error) {
	ctx := context.Background()
	tables, err := readCatalog(ctx, db, engine)
	if err != nil {
		return nil, err
	}
	out := map[string]TableDigest{}
	for _, t := range tables {
		if skippedTable(t.name) {
			continue
		}
		names := make([]string, len(t.columns))
		for i, c := range t.columns {
			names[i] = quoteIdent(c.name)
			if c.kind == kindOther {
				names[i] += "::text" // PostgreSQL's tsvector
			}
		}
		rows, err := db.QueryContext(ctx, `SELECT `+strings.Join(names, ", ")+` FROM `+quoteIdent(t.name))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.name, err)
		}
		vals := make([]any, len(t.columns))
		ptrs := make([]any, len(t.columns))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		var digests []string
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, err
			}
			h := sha256.New()
			for i, c := range t.columns {
				fmt.Fprintf(h, "%s=%s\x1f", c.name, canonical(vals[i], c.kind))
			}
			digests = append(digests, hex.EncodeToString(h.Sum(nil)))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		slices.Sort(digests)
		h := sha256.Sum256([]byte(strings.Join(digests, "")))
		out[t.name] = TableDigest{Rows: len(digests), Digest: hex.EncodeToString(h[:8])}
	}
	return out, nil
}

// canonical writes a value the same way whichever engine it came from.
func canonical(v any, kind colKind) string {
	if v == nil {
		return "NULL"
	}
	if kind == kindBool {
		kind = kindInt
	}
	v, err := convertValue(v, kind)
	if err != nil {
		return "!" + err.Error()
	}
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case []byte:
		return "x" + hex.EncodeToString(x)
	case string:
		return strconv.Quote(x)
	}
	return fmt.Sprintf("%T:%v", v, v)
}

// MigrateTo migrates a new database to the given version and no further,
// to make backups of older schemas.
func MigrateTo(s *Store, version int64) error { return s.migrateTo(context.Background(), version) }

// DatabaseFile is the path of a SQLite store's file.
func DatabaseFile(tb testing.TB, s *Store) string {
	tb.Helper()
	var file string
	if err := s.read.QueryRow(`SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&file); err != nil {
		tb.Fatal(err)
	}
	return file
}
