package store_test

import (
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

func TestSLATrend(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := slaFixture(t, s)
		fast := f.urgent(t, "Answered at once")
		late := f.urgent(t, "Answered late")
		f.tick(t)
		f.clock.now = at("09:30")
		if _, err := s.AddComment(f.ctx, f.nina, fast.Key, "Looking", false); err != nil {
			t.Fatal(err)
		}
		f.tick(t)
		// A week on, the other is answered, long after its hour.
		f.clock.now = t0.Add(7*24*time.Hour + time.Hour)
		if _, err := s.AddComment(f.ctx, f.nina, late.Key, "Sorry", false); err != nil {
			t.Fatal(err)
		}
		f.tick(t)
		from := t0.Add(-24 * time.Hour)
		points, err := s.SLATrend(f.ctx, f.nina, from, from.Add(21*24*time.Hour), 7*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if len(points) != 2 {
			t.Fatalf("points %+v, want two weeks of first responses", points)
		}
		for i, want := range []struct {
			start      time.Time
			total, met int
		}{{from, 1, 1}, {from.Add(7 * 24 * time.Hour), 1, 0}} {
			p := points[i]
			if p.Metric != firstResponse || !p.Start.Equal(want.start) || p.Total != want.total || p.Met != want.met {
				t.Errorf("point %d = %+v, want %v %d/%d", i, p, want.start, want.met, want.total)
			}
		}
		// Dave serves another service: nothing of Network's.
		if points, err := s.SLATrend(f.ctx, f.dave, from, from.Add(21*24*time.Hour), 7*24*time.Hour); err != nil || len(points) != 0 {
			t.Errorf("dave's trend %+v %v", points, err)
		}
		if _, err := s.SLATrend(f.ctx, f.alice, from, from.Add(time.Hour), time.Hour); !errs.Is(err, errs.KindForbidden) {
			t.Errorf("a customer's trend: %v", err)
		}
	})
}
