package store

import (
	"context"
	"database/sql"
)

// SLATickNoLease runs an SLA tick without taking the lease, as two workers
// whose leases overlap would: tests show that breaches are still recorded
// once.
func SLATickNoLease(s *Store, ctx context.Context) (TickResult, error) {
	return s.slaTick(ctx, s.matchGoals(), func() error { return nil })
}

// SLATickMatching runs an SLA tick that matches goal queries with match,
// so that tests can stand in for the query language.
func SLATickMatching(s *Store, ctx context.Context, match func(ctx context.Context, q string, ids []int64) (map[int64]bool, error)) (TickResult, error) {
	return s.slaTick(ctx, match, func() error { return nil })
}

// CurrentSchema names the PostgreSQL schema a store works in, so that a
// test can open a second store on it.
func CurrentSchema(s *Store) (string, error) {
	var schema string
	err := s.read.QueryRow("SELECT current_schema()").Scan(&schema)
	return schema, err
}

// ExecSQL runs a statement written with ? placeholders, for tests that set
// up data in bulk.
func ExecSQL(s *Store, ctx context.Context, q string, args ...any) (sql.Result, error) {
	return s.write.ExecContext(ctx, s.rebind(q), args...)
}

// QueryInt runs a query that gives one integer.
func QueryInt(s *Store, ctx context.Context, q string, args ...any) (int64, error) {
	var n sql.NullInt64
	err := s.read.QueryRowContext(ctx, s.rebind(q), args...).Scan(&n)
	return n.Int64, err
}
