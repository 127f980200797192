package store_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

// BenchmarkQueueCounts counts the six default queues of the workspace's
// sidebar over 100 000 open incidents (CAIRN_QUEUE_BENCH_TICKETS changes
// the number) with the default SLAs measured by the worker: about 80% of
// the clocks breached, as after three days without answers. "sidebar"
// counts all six as the workspace does on every queue page, up to 10 000
// each; the others count one queue each, exactly. The agent serves one of the two services (half the
// tickets), the admin sees all. "history" then resolves 95% of the tickets
// over the last 90 days, as a desk with a past looks: their clocks stopped,
// the late ones with their deadline kept.
//
// Run: go test -run '^$' -bench BenchmarkQueueCounts -benchtime 20x ./internal/store/
func BenchmarkQueueCounts(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("CAIRN_QUEUE_BENCH_TICKETS")); err == nil && v > 0 {
		n = v
	}
	b.Run("sqlite", func(b *testing.B) { benchQueueCounts(b, storetest.SQLite(b), n) })
	if os.Getenv(storetest.EnvPostgres) != "" {
		b.Run("postgres", func(b *testing.B) { benchQueueCounts(b, storetest.Postgres(b), n) })
	}
}

func benchQueueCounts(b *testing.B, s *store.Store, n int) {
	ctx := context.Background()
	now := time.Date(2025, 3, 5, 12, 0, 0, 0, time.UTC) // a Wednesday
	clk := &atomicClock{}
	clk.set(now)
	s.SetClock(clk.Now)
	f := storetest.NewFixture(b, s)
	if err := s.EnsureDefaultSLAs(ctx); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	bulkOpenTickets(b, s, f, n, now)
	for {
		res, err := s.SLATick(ctx, "bench")
		if err != nil {
			b.Fatal(err)
		}
		if !res.More {
			break
		}
	}
	if err := s.Optimize(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d open tickets loaded and measured in %v", s.Engine(), n, time.Since(start).Round(time.Millisecond))
	qs, err := s.Queues(ctx)
	if err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B) {
		for _, who := range []struct {
			name  string
			actor directory.Actor
		}{{"agent", f.Agents[0]}, {"admin", f.Admin}} {
			b.Run(who.name+"/sidebar", func(b *testing.B) {
				for b.Loop() {
					for _, q := range qs {
						if _, err := s.CountQueryUpTo(ctx, who.actor, q.Query, 10000); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
			for _, q := range qs {
				b.Run(who.name+"/"+q.Slug, func(b *testing.B) {
					var got int
					for b.Loop() {
						if got, err = s.CountQuery(ctx, who.actor, q.Query); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(got), "tickets")
				})
			}
		}
	}
	b.Run("all-open", run)

	// A desk with history: 95% of the tickets resolved over the last 90
	// days, their clocks stopped (late ones keep their deadline), 5% open
	// as before. Written straight into the tables: only the counts are
	// measured. PostgreSQL is vacuumed, as autovacuum would after such a
	// change, so that its indexes do not carry the dead rows.
	stoppedAt := now.Add(-24 * time.Hour).UnixMilli()
	day := (24 * time.Hour).Milliseconds()
	for _, q := range []string{
		`UPDATE tickets SET status = 'Resolved', status_category = 'done', resolved_at = ? - (id % 90) * ? WHERE id % 20 <> 0`,
		`UPDATE ticket_sla SET state = 'stopped', stopped_at = ? - (ticket_id % 90) * ?, warn_at = NULL,
			deadline_at = CASE WHEN deadline_at <= ? THEN deadline_at END WHERE ticket_id % 20 <> 0`,
	} {
		args := []any{stoppedAt, day}
		if strings.Count(q, "?") == 3 {
			args = append(args, stoppedAt)
		}
		if _, err := store.ExecSQL(s, ctx, q, args...); err != nil {
			b.Fatal(err)
		}
	}
	if s.Engine() == store.Postgres {
		if _, err := store.ExecSQL(s, ctx, `VACUUM`); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Optimize(ctx); err != nil {
		b.Fatal(err)
	}
	b.Run("history", run)
}
