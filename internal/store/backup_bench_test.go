package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

// BenchmarkBackupRestore measures a backup of a desk of 100 000 tickets
// (CAIRN_BACKUP_BENCH_TICKETS changes the number) raised through the store
// by storetest.Fill, with their events, on each engine, and the restore of
// that backup into a new database of each engine. An op is one whole
// command: backup to a new file; restore into a new, migrated database,
// the search index rebuilt and statistics gathered.
//
// Run: go test ./internal/store -run '^$' -bench BackupRestore -benchtime 3x -timeout 60m
func BenchmarkBackupRestore(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("CAIRN_BACKUP_BENCH_TICKETS")); err == nil && v > 0 {
		n = v
	}
	engines := []string{"sqlite"}
	if os.Getenv(storetest.EnvPostgres) != "" {
		engines = append(engines, "postgres")
	}
	open := func(b *testing.B, engine string) *store.Store {
		if engine == "postgres" {
			return storetest.Postgres(b)
		}
		return storetest.SQLite(b)
	}
	ctx := context.Background()
	for _, from := range engines {
		b.Run(from, func(b *testing.B) {
			src := open(b, from)
			start := time.Now()
			storetest.Fill(b, src, storetest.NewFixture(b, src), n)
			b.Logf("%s: %d tickets filled in %s", from, n, time.Since(start).Round(time.Second))
			dir := b.TempDir()
			file := filepath.Join(dir, "desk.bak")
			if _, err := src.Backup(ctx, file, store.BackupOptions{}); err != nil {
				b.Fatal(err)
			}

			b.Run("backup", func(b *testing.B) {
				var rep store.BackupReport
				for i := 0; i < b.N; i++ {
					var err error
					out := filepath.Join(dir, "bench.bak")
					if rep, err = src.Backup(ctx, out, store.BackupOptions{}); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					os.Remove(out)
					b.StartTimer()
				}
				b.ReportMetric(float64(rep.Rows), "rows")
				b.ReportMetric(float64(rep.Bytes)/1e6, "MB")
				b.Logf("backup of %s: %d tables, %d rows, %.1f MB in %s", from, len(rep.Tables), rep.Rows, float64(rep.Bytes)/1e6, rep.Took.Round(time.Millisecond))
			})

			for _, to := range engines {
				b.Run("restore-to-"+to, func(b *testing.B) {
					var rep store.RestoreReport
					for i := 0; i < b.N; i++ {
						b.StopTimer()
						dst := open(b, to)
						b.StartTimer()
						var err error
						if rep, err = dst.Restore(ctx, file, store.RestoreOptions{}); err != nil {
							b.Fatal(err)
						}
						b.StopTimer()
						dst.Close()
						b.StartTimer()
					}
					b.ReportMetric(float64(rep.Rows), "rows")
					b.Logf("restore of a %s backup into %s: %d rows in %s, of which rebuilding the search index of %d tickets %s",
						from, to, rep.Rows, rep.Took.Round(time.Millisecond), rep.Indexed, rep.Indexing.Round(time.Millisecond))
				})
			}
		})
	}
}
