package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// BenchmarkSLATick measures the SLA worker over 100 000 open tickets
// (CAIRN_SLA_BENCH_TICKETS changes the number), spread over the three
// working days before "now" and over all priorities, with the default SLAs:
//
//   - catch-up: the ticks that first measure every clock (logged, not timed
//     by the benchmark loop);
//   - steady: the ticks a minute later, after 100 agents' replies;
//   - hour: the ticks an hour later, when thousands of deadlines pass at once;
//   - idle: a tick with nothing to do.
//
// An op runs ticks until no work is left; a tick stops starting batches
// after 750 ms, and max-tick-ms is the longest single tick.
//
// Run: go test -run '^$' -bench BenchmarkSLATick -benchtime 20x ./internal/store/
func BenchmarkSLATick(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("CAIRN_SLA_BENCH_TICKETS")); err == nil && v > 0 {
		n = v
	}
	b.Run("sqlite", func(b *testing.B) { benchSLATick(b, storetest.SQLite(b), n) })
	if os.Getenv(storetest.EnvPostgres) != "" {
		b.Run("postgres", func(b *testing.B) { benchSLATick(b, storetest.Postgres(b), n) })
	}
}

func benchSLATick(b *testing.B, s *store.Store, n int) {
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
	keys := bulkOpenTickets(b, s, f, n, now)
	b.Logf("%s: %d open tickets loaded in %v", s.Engine(), n, time.Since(start).Round(time.Millisecond))

	var catchUp store.TickResult
	start = time.Now()
	ticks := 0
	var longest time.Duration
	for {
		t := time.Now()
		res, err := s.SLATick(ctx, "bench")
		if err != nil {
			b.Fatal(err)
		}
		longest = max(longest, time.Since(t))
		ticks++
		catchUp.Events += res.Events
		catchUp.Tickets += res.Tickets
		catchUp.Warnings += res.Warnings
		catchUp.Breaches += res.Breaches
		if !res.More {
			break
		}
	}
	took := time.Since(start)
	b.Logf("%s: catch-up of %d tickets: %d ticks in %v (%.0f tickets/s, longest tick %v): %d events read, %d warnings and %d breaches recorded",
		s.Engine(), n, ticks, took.Round(time.Millisecond), float64(catchUp.Tickets)/took.Seconds(), longest.Round(time.Millisecond),
		catchUp.Events, catchUp.Warnings, catchUp.Breaches)

	rng := rand.New(rand.NewPCG(7, 7))
	type totals struct {
		store.TickResult
		ticks   int
		longest time.Duration
	}
	report := func(b *testing.B, t totals) {
		b.ReportMetric(float64(t.ticks)/float64(b.N), "ticks/op")
		b.ReportMetric(float64(t.longest.Microseconds())/1000, "max-tick-ms")
		b.ReportMetric(float64(t.Tickets)/float64(b.N), "tickets/op")
		b.ReportMetric(float64(t.Warnings)/float64(b.N), "warnings/op")
		b.ReportMetric(float64(t.Breaches)/float64(b.N), "breaches/op")
	}
	// tick runs ticks until no work is left, as the worker does.
	tick := func(b *testing.B, t *totals) {
		for {
			start := time.Now()
			res, err := s.SLATick(ctx, "bench")
			if err != nil {
				b.Fatal(err)
			}
			t.longest = max(t.longest, time.Since(start))
			t.ticks++
			t.Tickets += res.Tickets
			t.Warnings += res.Warnings
			t.Breaches += res.Breaches
			if !res.More {
				return
			}
		}
	}
	b.Run("steady", func(b *testing.B) {
		var total totals
		for b.Loop() {
			b.StopTimer()
			clk.add(time.Minute)
			for range 100 {
				i := rng.IntN(len(keys))
				if _, err := s.AddComment(ctx, f.Admin, keys[i], "Working on it.", false); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
			tick(b, &total)
		}
		report(b, total)
	})
	b.Run("hour", func(b *testing.B) {
		var total totals
		for b.Loop() {
			b.StopTimer()
			clk.add(time.Hour)
			b.StartTimer()
			tick(b, &total)
		}
		report(b, total)
	})
	b.Run("idle", func(b *testing.B) {
		var total totals
		for b.Loop() {
			tick(b, &total)
		}
		report(b, total)
	})
}

// bulkOpenTickets writes n open incidents straight into the tables, with
// their ticket.created events: raising them one by one through the store
// would take minutes.
func bulkOpenTickets(b *testing.B, s *store.Store, f storetest.Fixture, n int, now time.Time) []string {
	ctx := context.Background()
	wf, err := store.QueryInt(s, ctx, `SELECT id FROM workflows WHERE ticket_type = 'incident' AND is_default`)
	if err != nil {
		b.Fatal(err)
	}
	desk, err := store.QueryInt(s, ctx, `SELECT desk_id FROM services WHERE id = ?`, f.Services[0].ID)
	if err != nil {
		b.Fatal(err)
	}
	first, err := store.QueryInt(s, ctx, `SELECT next_number FROM desks WHERE id = ?`, desk)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	keys := make([]string, 0, n)
	const chunk = 500
	for from := 0; from < n; from += chunk {
		var sb strings.Builder
		var args []any
		for i := from; i < min(from+chunk, n); i++ {
			if i > from {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?, 'incident', ?, ?, ?, ?, 'Open', 'to_do', ?, ?, 'portal', ?, ?)")
			number := first + int64(i)
			key := fmt.Sprintf("IT-%d", number)
			keys = append(keys, key)
			p := ticket.Priorities[rng.IntN(len(ticket.Priorities))]
			at := now.Add(-time.Duration(rng.Int64N(int64(72 * time.Hour)))).UnixMilli()
			svc := rng.IntN(len(f.Services))
			args = append(args, key, desk, number, f.Services[svc].ID, fmt.Sprintf("Bulk ticket %d", i),
				f.Customers[rng.IntN(len(f.Customers))].UserID, wf, string(p), p.Rank(), at, at)
		}
		if _, err := store.ExecSQL(s, ctx, `INSERT INTO tickets (key, desk_id, number, type, service_id, summary, reporter_id,
			workflow_id, status, status_category, priority, priority_rank, channel, created_at, updated_at) VALUES `+sb.String(), args...); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := store.ExecSQL(s, ctx, `UPDATE desks SET next_number = ? WHERE id = ?`, first+int64(n), desk); err != nil {
		b.Fatal(err)
	}
	if _, err := store.ExecSQL(s, ctx, `INSERT INTO events (stream, stream_id, type, data, created_at)
		SELECT 'ticket', id, 'ticket.created', '{"status":"Open","status_category":"to_do"}', created_at FROM tickets ORDER BY id`); err != nil {
		b.Fatal(err)
	}
	return keys
}
