package store_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

// TestSLAWorkersRace runs two workers, each with a store handle of its own
// on one database, that tick over and over at the same time, with and
// without the lease, while agents reply to tickets: every warning and
// breach is still recorded exactly once.
func TestSLAWorkersRace(t *testing.T) {
	t.Run("postgres", func(t *testing.T) {
		base := os.Getenv(storetest.EnvPostgres)
		if base == "" {
			t.Skipf("set %s to run PostgreSQL tests", storetest.EnvPostgres)
		}
		s1 := storetest.Postgres(t)
		schema, err := store.CurrentSchema(s1)
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		s2, err := store.Open(context.Background(), u.String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s2.Close() })
		workersRace(t, s1, s2)
	})
	t.Run("sqlite", func(t *testing.T) {
		path := "sqlite:" + filepath.Join(t.TempDir(), "cairn.db")
		var ss [2]*store.Store
		for i := range ss {
			s, err := store.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			if err := s.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			ss[i] = s
		}
		workersRace(t, ss[0], ss[1])
	})
}

func workersRace(t *testing.T, s1, s2 *store.Store) {
	ctx := context.Background()
	clk := &atomicClock{}
	clk.set(t0) // Monday 09:00 London
	s1.SetClock(clk.Now)
	s2.SetClock(clk.Now)
	f := storetest.NewFixture(t, s1)
	if err := s1.EnsureDefaultSLAs(ctx); err != nil {
		t.Fatal(err)
	}
	const n = 40
	var keys []string
	for i := range n {
		svc := i % 2
		tk, err := s1.CreateTicket(ctx, f.Agents[svc], store.NewTicket{Type: "incident", Service: f.Services[svc].Name,
			Summary: fmt.Sprintf("Race %d", i), Priority: "Highest", ReporterID: f.Customers[i%len(f.Customers)].UserID})
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tk.Key)
	}

	var mu sync.Mutex
	var total store.TickResult
	leased := 0
	// round runs both workers k times each at the same time; every third
	// tick takes the lease, the others race without it.
	round := func(k int) {
		var wg sync.WaitGroup
		start := make(chan struct{})
		for w, s := range []*store.Store{s1, s2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for i := range k {
					var res store.TickResult
					var err error
					if i%3 == 2 {
						res, err = s.SLATick(ctx, fmt.Sprintf("worker-%d", w))
					} else {
						res, err = store.SLATickNoLease(s, ctx)
					}
					if err != nil {
						t.Errorf("worker %d: %v", w, err)
						return
					}
					mu.Lock()
					total.Warnings += res.Warnings
					total.Breaches += res.Breaches
					if res.Leased && i%3 == 2 {
						leased++
					}
					mu.Unlock()
				}
			}()
		}
		close(start)
		wg.Wait()
	}
	reply := func(from, to int) {
		for i := from; i < to; i++ {
			if _, err := s2.AddComment(ctx, f.Agents[i%2], keys[i], "On it.", false); err != nil {
				t.Error(err) // not Fatal: this runs beside the workers
				return
			}
		}
	}

	round(6)
	// A quarter of the tickets are answered in time, with the workers running.
	clk.set(t0.Add(30 * time.Minute))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); reply(0, n/4) }()
	round(6)
	wg.Wait()
	for _, now := range []time.Duration{50 * time.Minute, 65 * time.Minute, 3*time.Hour + 30*time.Minute, 4*time.Hour + 5*time.Minute} {
		clk.set(t0.Add(now))
		round(6)
	}
	if t.Failed() {
		return
	}
	if leased == 0 {
		t.Error("no tick took the lease")
	}

	// Each open ticket: one warning and one breach per metric; the ones
	// answered in time: only the resolution's.
	want := map[string]int{}
	for i := range n {
		if i >= n/4 {
			want[fmt.Sprintf("%s %s %s", keys[i], store.EventSLAWarning, firstResponse)] = 1
			want[fmt.Sprintf("%s %s %s", keys[i], store.EventSLABreached, firstResponse)] = 1
		}
		want[fmt.Sprintf("%s %s %s", keys[i], store.EventSLAWarning, resolution)] = 1
		want[fmt.Sprintf("%s %s %s", keys[i], store.EventSLABreached, resolution)] = 1
	}
	got := map[string]int{}
	for _, key := range keys {
		evs, err := s1.History(ctx, directory.System, key)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			if data, ok := ev.Data.(map[string]any); ok && (ev.Type == store.EventSLAWarning || ev.Type == store.EventSLABreached) {
				got[fmt.Sprintf("%s %s %s", key, ev.Type, data["metric"])]++
			}
		}
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: recorded %d times, want %d", k, got[k], w)
		}
	}
	for k, g := range got {
		if want[k] == 0 {
			t.Errorf("%s: recorded %d times, want none", k, g)
		}
	}
	if total.Breaches != n*2-n/4 || total.Warnings != n*2-n/4 {
		t.Errorf("ticks report %d breaches and %d warnings, want %d of each", total.Breaches, total.Warnings, n*2-n/4)
	}
}
