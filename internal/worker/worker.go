// Package worker runs Cairn's background jobs inside the serving process.
// Each job ticks on an interval, and at once again while it reports more
// work. Jobs that must run in one process at a time take a lease in the
// database (store.TakeLease), so that N processes sharing one PostgreSQL
// do each round once.
package worker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/cairn-itsm/cairn/internal/store"
)

// Job is one kind of background work.
type Job struct {
	Name     string
	Interval time.Duration // between rounds that left no work
	// Tick does one round and reports whether work is left.
	Tick func(ctx context.Context) (more bool, err error)
	// Stop runs once when the job ends, such as to release its lease; it
	// may be nil.
	Stop func(ctx context.Context) error
}

// maxBackoff bounds the wait after failed rounds.
const maxBackoff = 5 * time.Minute

// Run runs the jobs until ctx is done, then stops them and returns. A
// failed round is logged and retried after a wait that doubles with each
// failure in a row, from the job's interval up to five minutes.
func Run(ctx context.Context, log *slog.Logger, jobs ...Job) {
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run(ctx, log.With(slog.String("job", j.Name)), j)
		}()
	}
	wg.Wait()
}

func run(ctx context.Context, log *slog.Logger, j Job) {
	defer func() {
		if j.Stop == nil {
			return
		}
		// ctx is done by now: give the stop a few seconds of its own.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := j.Stop(sctx); err != nil {
			log.Warn("stop job", slog.Any("error", err))
		}
	}()
	timer := time.NewTimer(0)
	defer timer.Stop()
	failures := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		more, err := j.Tick(ctx)
		wait := j.Interval
		switch {
		case err != nil && ctx.Err() != nil:
			return // shutting down mid-round
		case err != nil:
			failures++
			wait = min(j.Interval<<min(failures, 16), maxBackoff)
			log.Error("job round failed", slog.Any("error", err), slog.Int("failures", failures), slog.Duration("retry_in", wait))
		case more:
			failures, wait = 0, 0
		default:
			failures = 0
		}
		timer.Reset(wait)
	}
}

// SLAInterval is how often the SLA worker looks for due warnings and
// breaches: they are recorded at most this long after they fall due.
const SLAInterval = 10 * time.Second

// SLA is the job that runs the SLA clocks (store.SLATick) as owner, and
// gives up its lease when it stops so that another process takes over at
// once.
func SLA(s *store.Store, owner string, log *slog.Logger) Job {
	return Job{
		Name:     "sla",
		Interval: SLAInterval,
		Tick: func(ctx context.Context) (bool, error) {
			res, err := s.SLATick(ctx, owner)
			if err != nil {
				return false, err
			}
			if res.Tickets+res.Warnings+res.Breaches > 0 {
				log.Debug("sla round", slog.Int("events", res.Events), slog.Int("tickets", res.Tickets),
					slog.Int("warnings", res.Warnings), slog.Int("breaches", res.Breaches), slog.Bool("more", res.More))
			}
			return res.More, nil
		},
		Stop: func(ctx context.Context) error { return s.ReleaseLease(ctx, store.SLALease, owner) },
	}
}

// Owner names this process among those sharing a database, for leases:
// host name, process id and a random part, so that a restarted process is
// a new owner.
func Owner() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "cairn"
	}
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}

// SearchInterval is how long a change may take to become findable by
// full-text search.
const SearchInterval = time.Second

// Search is the job that keeps the full-text index up to date with the
// event log (store.IndexSearch). It needs no lease: the index's checkpoint
// is locked while a batch is indexed, so processes take turns.
func Search(s *store.Store, log *slog.Logger) Job {
	return Job{
		Name:     "search",
		Interval: SearchInterval,
		Tick: func(ctx context.Context) (bool, error) {
			n, err := s.IndexSearch(ctx)
			if n > 0 {
				log.Debug("search round", slog.Int("tickets", n))
			}
			return false, err
		},
	}
}

// OptimizeInterval is how often the planner's statistics are refreshed.
const OptimizeInterval = 6 * time.Hour

// Optimize is the job that refreshes the planner's statistics
// (store.Optimize), once at start and then every six hours.
func Optimize(s *store.Store) Job {
	return Job{
		Name:     "optimize",
		Interval: OptimizeInterval,
		Tick:     func(ctx context.Context) (bool, error) { return false, s.Optimize(ctx) },
	}
}
