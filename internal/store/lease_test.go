package store_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

func TestLease(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clk := &clock{now: t0}
		s.SetClock(clk.Now)
		take := func(owner string, ttl time.Duration, want bool) {
			t.Helper()
			got, err := s.TakeLease(ctx, "job", owner, ttl)
			if err != nil {
				t.Fatalf("TakeLease(%s): %v", owner, err)
			}
			if got != want {
				t.Fatalf("TakeLease(%s) at %s = %v, want %v", owner, clk.now.Format(time.TimeOnly), got, want)
			}
		}
		take("a", time.Minute, true)
		take("b", time.Minute, false)
		clk.advance(30 * time.Second)
		take("a", time.Minute, true) // renewed until t0+90s
		clk.advance(45 * time.Second)
		take("b", time.Minute, false)
		if owner, until, err := s.LeaseHolder(ctx, "job"); err != nil || owner != "a" || !until.Equal(t0.Add(90*time.Second)) {
			t.Fatalf("LeaseHolder = %q, %s, %v", owner, until, err)
		}
		clk.advance(time.Minute) // a's lease expired
		take("b", time.Minute, true)
		take("a", time.Minute, false)
		if err := s.ReleaseLease(ctx, "job", "a"); err != nil { // not a's: nothing happens
			t.Fatal(err)
		}
		take("a", time.Minute, false)
		if err := s.ReleaseLease(ctx, "job", "b"); err != nil {
			t.Fatal(err)
		}
		if owner, _, _ := s.LeaseHolder(ctx, "job"); owner != "" {
			t.Fatalf("released lease held by %q", owner)
		}
		take("a", time.Minute, true)
		take("a", time.Minute, true)
		// Another job's lease is another row.
		if ok, err := s.TakeLease(ctx, "other", "b", time.Minute); err != nil || !ok {
			t.Fatalf("TakeLease(other) = %v, %v", ok, err)
		}
		for _, bad := range []struct {
			name, owner string
			ttl         time.Duration
		}{{"", "a", time.Minute}, {"job", " ", time.Minute}, {"job", "a", 0}} {
			if _, err := s.TakeLease(ctx, bad.name, bad.owner, bad.ttl); err == nil {
				t.Errorf("TakeLease(%q, %q, %v) took a lease", bad.name, bad.owner, bad.ttl)
			}
		}
	})
}

// TestLeaseRace has many owners take a free lease, then an expired one, at
// once: each time exactly one gets it.
func TestLeaseRace(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clk := &atomicClock{}
		clk.set(t0)
		s.SetClock(clk.Now)
		for round := range 3 {
			var won atomic.Int32
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					ok, err := s.TakeLease(ctx, "race", fmt.Sprintf("owner-%d-%d", round, i), time.Minute)
					if err != nil {
						t.Error(err)
					}
					if ok {
						won.Add(1)
					}
				}()
			}
			close(start)
			wg.Wait()
			if n := won.Load(); n != 1 {
				t.Fatalf("round %d: %d owners took the lease, want 1", round, n)
			}
			clk.set(clk.Now().Add(2 * time.Minute)) // let it expire
		}
	})
}

// atomicClock is a clock that goroutines may read while a test sets it.
type atomicClock struct{ ns atomic.Int64 }

func (c *atomicClock) Now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *atomicClock) set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func (c *atomicClock) add(d time.Duration) { c.ns.Add(int64(d)) }
