package store

import "context"

// CountRows counts the rows of a table, so that tests can check that a
// rejected command wrote nothing. table is a constant of the test.
func CountRows(s *Store, table string) (int, error) {
	var n int
	err := s.read.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n)
	return n, err
}
