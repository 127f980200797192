package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/server"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

// benchDesk is a server over a store, shared by the benchmarks of one run.
type benchDesk struct {
	store   *store.Store
	fixture storetest.Fixture
	srv     *httptest.Server
	client  *http.Client
	tokens  map[int64]string // user id → bearer token
	filled  int
}

var (
	desksMu sync.Mutex
	desks   = map[string]*benchDesk{}
)

// benchEngines runs fn on SQLite and, when CAIRN_TEST_POSTGRES is set, on
// PostgreSQL.
func benchEngines(b *testing.B, fn func(b *testing.B, d *benchDesk)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, desk(b, "sqlite")) })
	if os.Getenv(storetest.EnvPostgres) != "" {
		b.Run("postgres", func(b *testing.B) { fn(b, desk(b, "postgres")) })
	}
}

// desk opens one store per engine for the whole benchmark run; stores
// outlive single benchmarks so that the 100 000 tickets are made once.
func desk(b *testing.B, engine string) *benchDesk {
	desksMu.Lock()
	defer desksMu.Unlock()
	if d := desks[engine]; d != nil {
		return d
	}
	var s *store.Store
	if engine == "sqlite" {
		s = storetest.SQLite(&keepAlive{b})
	} else {
		s = storetest.Postgres(&keepAlive{b})
	}
	d := &benchDesk{store: s, fixture: storetest.NewFixture(b, s), tokens: map[int64]string{}}
	d.srv = httptest.NewServer(server.Handler(s, slog.New(slog.NewTextHandler(io.Discard, nil))))
	d.client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	desks[engine] = d
	return d
}

// keepAlive hands the store helpers a TB whose cleanups never run, so that
// the store stays open across benchmarks; the process exit cleans up.
type keepAlive struct{ testing.TB }

func (k *keepAlive) Cleanup(func()) {}
func (k *keepAlive) TempDir() string {
	dir, err := os.MkdirTemp("", "cairn-bench-")
	if err != nil {
		k.Fatal(err)
	}
	return dir
}

func (d *benchDesk) token(b *testing.B, a directory.Actor) string {
	if t, ok := d.tokens[a.UserID]; ok {
		return t
	}
	secret := auth.NewSecret(auth.TokenPrefix)
	if _, err := d.store.CreateToken(context.Background(), directory.System, a.UserID, "bench", auth.HashSecret(secret), "bench"); err != nil {
		b.Fatal(err)
	}
	d.tokens[a.UserID] = secret
	return secret
}

// fill brings the desk to n tickets (CAIRN_BENCH_TICKETS overrides n).
func (d *benchDesk) fill(b *testing.B, n int) int {
	if v, err := strconv.Atoi(os.Getenv("CAIRN_BENCH_TICKETS")); err == nil && v > 0 {
		n = v
	}
	if d.filled < n {
		start := time.Now()
		storetest.Fill(b, d.store, d.fixture, n-d.filled)
		b.Logf("%s: generated %d tickets in %s", d.store.Engine(), n-d.filled, time.Since(start).Round(time.Millisecond))
		d.filled = n
	}
	return n
}

func (d *benchDesk) do(b *testing.B, method, path, token string, body []byte, want int) {
	req, _ := http.NewRequest(method, d.srv.URL+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := d.client.Do(req)
	if err != nil {
		b.Error(err)
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		b.Errorf("%s %s: status %d, want %d", method, path, resp.StatusCode, want)
	}
}

// BenchmarkCreateTicketHTTP raises tickets through POST /api/v1/tickets from
// concurrent clients, as a customer, over real HTTP.
func BenchmarkCreateTicketHTTP(b *testing.B) {
	benchEngines(b, func(b *testing.B, d *benchDesk) {
		tok := d.token(b, d.fixture.Customers[0])
		body := []byte(fmt.Sprintf(`{"type":"incident","service":%q,"request_type":%q,"summary":"Laptop will not boot after the update",`+
			`"description":"It shows a black screen after the logo.","impact":"medium","urgency":"high","fields":{"device":"Laptop"}}`,
			d.fixture.Services[0].Name, d.fixture.RequestType.Name))
		b.SetParallelism(4)
		b.ResetTimer()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				d.do(b, "POST", "/api/v1/tickets", tok, body, http.StatusCreated)
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "tickets/s")
		d.filled += b.N
	})
}

// BenchmarkListTicketsHTTP asks for a filtered, sorted page of 50 open
// tickets of one service as its agent, at 100 000 tickets.
func BenchmarkListTicketsHTTP(b *testing.B) {
	benchEngines(b, func(b *testing.B, d *benchDesk) {
		d.fill(b, 100_000)
		tok := d.token(b, d.fixture.Agents[0])
		for _, page := range []struct{ name, query string }{
			{"open-of-service", "category=to_do,in_progress&service=" + url.QueryEscape(d.fixture.Services[0].Name) + "&sort=created&limit=50"},
			{"open-of-service-page-20", "category=to_do,in_progress&service=" + url.QueryEscape(d.fixture.Services[0].Name) + "&sort=created&limit=50&offset=950"},
			{"high-priority-by-priority", "priority=Highest,High&sort=priority&limit=50"},
			{"assigned-to-me", "assignee=me&category=to_do,in_progress&limit=50"},
		} {
			b.Run(page.name, func(b *testing.B) {
				for b.Loop() {
					d.do(b, "GET", "/api/v1/tickets?"+page.query, tok, nil, http.StatusOK)
				}
			})
		}
	})
}
