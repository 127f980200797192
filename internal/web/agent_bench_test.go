package web_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/server"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// BenchmarkAgentPages renders the agent workspace's pages, as the agent of
// one of two services, over 100 000 tickets (CAIRN_BENCH_TICKETS changes
// the number). It reports the time per page seen by the client (ms/op) and
// the time spent in the server's handler (server-ms/op); the goal is under
// 50 ms of server time per page.
//
// The pages are measured twice: "fresh", right after the bulk load, when
// the database has no planner statistics, and "analyzed", after ANALYZE
// (VACUUM ANALYZE on PostgreSQL), as autovacuum leaves a running database.
//
//	go test ./internal/web -run xxx -bench AgentPages -benchtime 20x
func BenchmarkAgentPages(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "cairn.db")
		s, err := store.Open(context.Background(), "sqlite:"+path)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		if err := s.Migrate(context.Background()); err != nil {
			b.Fatal(err)
		}
		benchAgentPages(b, s, "sqlite", "file:"+path)
	})
	if base := os.Getenv(storetest.EnvPostgres); base != "" {
		b.Run("postgres", func(b *testing.B) {
			// ANALYZE without a table covers the whole database, the
			// benchmark's schema included.
			benchAgentPages(b, storetest.Postgres(b), "pgx", base)
		})
	}
}

func benchAgentPages(b *testing.B, s *store.Store, driver, dsn string) {
	ctx := context.Background()
	f := storetest.NewFixture(b, s)
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("CAIRN_BENCH_TICKETS")); err == nil && v > 0 {
		n = v
	}
	// The default SLAs measure the tickets, so that the SLA queues and the
	// ticket page's clocks have work to show.
	if err := s.EnsureDefaultSLAs(ctx); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	storetest.Fill(b, s, f, n)
	b.Logf("%s: generated %d tickets in %s", s.Engine(), n, time.Since(start).Round(time.Millisecond))
	start = time.Now()
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
	b.Logf("%s: measured their SLAs in %s", s.Engine(), time.Since(start).Round(time.Millisecond))

	agent := f.Agents[0]
	hash, err := auth.HashPassword(testPassword)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.SetPassword(ctx, directory.System, agent.UserID, hash); err != nil {
		b.Fatal(err)
	}
	// A ticket with some life in it: replies, notes, a link and changes.
	page, err := s.Tickets(ctx, agent, store.TicketFilter{Categories: []ticket.Category{ticket.CategoryToDo}, Limit: 2})
	if err != nil || len(page.Tickets) < 2 {
		b.Fatalf("no open tickets: %v", err)
	}
	key := page.Tickets[0].Key
	for i := range 10 {
		if _, err := s.AddComment(ctx, agent, key, fmt.Sprintf("Reply **%d** with some text to render.", i), i%3 == 0); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.AddLink(ctx, agent, key, "relates_to", page.Tickets[1].Key); err != nil {
		b.Fatal(err)
	}
	prio := "High"
	if _, err := s.UpdateTicket(ctx, agent, key, store.TicketPatch{Priority: &prio}); err != nil {
		b.Fatal(err)
	}

	h := server.Handler(s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var served atomic.Int64 // nanoseconds in the handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t0 := time.Now()
		h.ServeHTTP(w, r)
		served.Add(int64(time.Since(t0)))
	}))
	b.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.PostForm(srv.URL+"/login", url.Values{"email": {"agent0@fixture.test"}, "password": {testPassword}})
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("sign in: %d", resp.StatusCode)
	}

	pages := []struct{ name, path string }{
		{"queue-mine", "/agent/queues/mine"},
		{"queue-unassigned", "/agent/queues/unassigned"},
		{"queue-open", "/agent/queues/open"},
		{"queue-open-page-20", "/agent/queues/open?page=20"},
		{"queue-open-by-priority", "/agent/queues/open?sort=priority&order=asc"},
		{"queue-resolved", "/agent/queues/resolved"},
		{"queue-search", "/agent/queues/open?q=vpn"},
		// Every queue page counts the sidebar's six queues; these add the
		// SLA queues, a search with a query, and the SLA report.
		{"queue-sla-at-risk", "/agent/queues/sla-at-risk"},
		{"queue-sla-breached", "/agent/queues/sla-breached"},
		{"queue-cql-search", "/agent/queues/open?q=" + url.QueryEscape("priority >= High AND summary ~ vpn")},
		{"sla-report", "/agent/reports/sla"},
		{"ticket", "/agent/tickets/" + key},
	}
	run := func(b *testing.B) {
		for _, p := range pages {
			b.Run(p.name, func(b *testing.B) {
				served.Store(0)
				ops := 0
				t0 := time.Now()
				for b.Loop() {
					resp, err := client.Get(srv.URL + p.path)
					if err != nil {
						b.Fatal(err)
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Fatalf("GET %s: %d", p.path, resp.StatusCode)
					}
					ops++
				}
				took := time.Since(t0)
				b.ReportMetric(float64(took.Microseconds())/1000/float64(ops), "ms/op")
				b.ReportMetric(float64(served.Load())/1e6/float64(ops), "server-ms/op")
			})
		}
	}
	b.Run("fresh", run)
	db, err := sql.Open(driver, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	// What autovacuum leaves: statistics, and on PostgreSQL a visibility
	// map too, without which the bulk-written SLA clocks are read from the
	// table instead of from their index alone.
	analyze := "ANALYZE"
	if driver == "pgx" {
		analyze = "VACUUM ANALYZE"
	}
	if _, err := db.ExecContext(ctx, analyze); err != nil {
		b.Fatal(err)
	}
	b.Run("analyzed", run)
}
