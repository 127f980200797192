package worker_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/worker"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var ticks, stops atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		worker.Run(ctx, quiet, worker.Job{
			Name:     "test",
			Interval: time.Hour,
			Tick: func(context.Context) (bool, error) {
				switch n := ticks.Add(1); {
				case n == 2:
					return false, errors.New("boom") // retried after the interval: an hour
				case n < 5:
					return true, nil
				}
				return false, nil
			},
			Stop: func(context.Context) error { stops.Add(1); return nil },
		})
	}()
	time.Sleep(100 * time.Millisecond)
	if n := ticks.Load(); n != 2 {
		t.Errorf("%d rounds before the failure's back-off, want 2 (the first had more work)", n)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if stops.Load() != 1 {
		t.Errorf("Stop ran %d times, want 1", stops.Load())
	}
}

func TestOwner(t *testing.T) {
	if a, b := worker.Owner(), worker.Owner(); a == b || a == "" {
		t.Errorf("owners %q and %q", a, b)
	}
}

// TestSLA runs the SLA job on a real store until it has recorded the
// breach of a ticket past its deadline, then stops it: the lease is free.
func TestSLA(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		raised := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC) // Monday 09:00 London
		var now atomic.Int64
		now.Store(raised.UnixNano())
		s.SetClock(func() time.Time { return time.Unix(0, now.Load()).UTC() })
		f := storetest.NewFixture(t, s)
		if err := s.EnsureDefaultSLAs(ctx); err != nil {
			t.Fatal(err)
		}
		tk, err := s.CreateTicket(ctx, f.Agents[0], store.NewTicket{Type: "incident", Service: f.Services[0].Name,
			Summary: "Down", Priority: "Highest", ReporterID: f.Customers[0].UserID})
		if err != nil {
			t.Fatal(err)
		}
		now.Store(raised.Add(2 * time.Hour).UnixNano()) // first response was due at 10:00
		owner := worker.Owner()
		job := worker.SLA(s, owner, quiet)
		job.Interval = 10 * time.Millisecond
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); worker.Run(runCtx, quiet, job) }()
		deadline := time.Now().Add(10 * time.Second)
		for {
			evs, err := s.History(ctx, directory.System, tk.Key)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, ev := range evs {
				found = found || ev.Type == store.EventSLABreached
			}
			if found {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("no breach recorded within 10s")
			}
			time.Sleep(20 * time.Millisecond)
		}
		if holder, _, err := s.LeaseHolder(ctx, store.SLALease); err != nil || holder != owner {
			t.Errorf("lease held by %q (%v), want %q", holder, err, owner)
		}
		cancel()
		<-done
		if holder, _, err := s.LeaseHolder(ctx, store.SLALease); err != nil || holder != "" {
			t.Errorf("after stop the lease is held by %q (%v)", holder, err)
		}
	})
}
