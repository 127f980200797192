package sla

import (
	"math"
	"sync"
	"time"
)

// Schedule is a compiled Calendar: it tells how much working time lies
// between two instants and when a working duration runs out. A window is
// wall-clock time, so 09:00-17:00 is eight hours on the day the clocks
// change, and a window that spans the change is an hour shorter or longer.
// A wall-clock time the change skips counts as the instant of the change;
// one it repeats counts as its first occurrence.
//
// A Schedule is safe for concurrent use.
type Schedule struct {
	loc    *time.Location
	week   [7][]Window
	once   map[int64]bool // local dates, as day numbers
	yearly map[int]bool   // month*100 + day
	always bool           // every minute counts: working time is elapsed time

	mu    sync.Mutex
	plans map[int64]dayPlan // by day number
}

// maxSearchDays bounds the search for a deadline: a calendar whose
// holidays leave no working time for this long has none.
const maxSearchDays = 20 * 366

// maxPlans bounds the cache of days a schedule keeps.
const maxPlans = 50_000

// span is working time from start to end, in Unix nanoseconds, end excluded.
type span struct{ start, end int64 }

// dayPlan is one local day: when it begins and its working spans.
type dayPlan struct {
	start int64
	spans []span
}

// Location is the schedule's time zone.
func (s *Schedule) Location() *time.Location { return s.loc }

// WorkingTime is the working time between from and to; zero when to is
// not after from.
func (s *Schedule) WorkingTime(from, to time.Time) time.Duration {
	a, b := from.UnixNano(), to.UnixNano()
	if b <= a {
		return 0
	}
	if s.always {
		return time.Duration(b - a)
	}
	var total int64
	// Start a day early: the spans of a day lie between its midnight and
	// the next, but an instant in a repeated hour can read as the day before.
	for day := s.dayOf(from) - 1; ; day++ {
		p := s.plan(day)
		if p.start >= b {
			break
		}
		for _, sp := range p.spans {
			if lo, hi := max(sp.start, a), min(sp.end, b); hi > lo {
				total += hi - lo
			}
		}
	}
	return time.Duration(total)
}

// Add gives the earliest instant at which d of working time has passed
// since from. A deadline that fills a window exactly ends with the window,
// not at the start of the next. It reports false when the calendar has no
// working time left within 20 years.
func (s *Schedule) Add(from time.Time, d time.Duration) (time.Time, bool) {
	if d <= 0 {
		return from.UTC(), true
	}
	if s.always {
		return from.Add(d).UTC(), true
	}
	a, left := from.UnixNano(), int64(d)
	first := s.dayOf(from) - 1
	for day := first; day < first+maxSearchDays; day++ {
		for _, sp := range s.plan(day).spans {
			lo := max(sp.start, a)
			if sp.end <= lo {
				continue
			}
			if avail := sp.end - lo; left <= avail {
				return time.Unix(0, lo+left).UTC(), true
			} else {
				left -= avail
			}
		}
	}
	return time.Time{}, false
}

// Working reports whether the clock counts at instant t.
func (s *Schedule) Working(t time.Time) bool {
	if s.always {
		return true
	}
	n := t.UnixNano()
	for day := s.dayOf(t) - 1; day <= s.dayOf(t)+1; day++ {
		for _, sp := range s.plan(day).spans {
			if sp.start <= n && n < sp.end {
				return true
			}
		}
	}
	return false
}

func (s *Schedule) dayOf(t time.Time) int64 { return dayNumber(t.In(s.loc).Date()) }

// plan gives a day's working spans, from the cache when it can.
func (s *Schedule) plan(day int64) dayPlan {
	s.mu.Lock()
	p, ok := s.plans[day]
	s.mu.Unlock()
	if ok {
		return p
	}
	p.start = s.instant(day, 0)
	if !s.holiday(day) {
		for _, w := range s.week[weekday(day)] {
			// 24:00 is read as midnight of the next day, which instant
			// does by itself: the minutes simply run on.
			a, b := s.instant(day, w.Start), s.instant(day, w.End)
			if b > a {
				p.spans = append(p.spans, span{a, b})
			}
		}
	}
	s.mu.Lock()
	if len(s.plans) < maxPlans {
		s.plans[day] = p
	}
	s.mu.Unlock()
	return p
}

func (s *Schedule) holiday(day int64) bool {
	if s.once[day] {
		return true
	}
	if len(s.yearly) == 0 {
		return false
	}
	_, m, d := time.Unix(day*86400, 0).UTC().Date()
	return s.yearly[int(m)*100+d]
}

// instant gives the Unix nanoseconds of a wall-clock time of a local day.
// Go's time.Date leaves the choice in a skipped or repeated hour
// unspecified (and it differs east and west of Greenwich), so the rule is
// applied here: a skipped time is the instant of the change, a repeated
// one its first occurrence.
func (s *Schedule) instant(day int64, minute int) int64 {
	naive := day*86400 + int64(minute)*60 // the wall clock read as if it were UTC
	// Time zones change their offset at most once in a few days, so the
	// offsets a day before and after are the only candidates.
	before, after := offsetAt(s.loc, naive-86400), offsetAt(s.loc, naive+86400)
	if before == after {
		return (naive - before) * 1e9
	}
	best := int64(math.MaxInt64)
	for _, off := range [2]int64{before, after} {
		if u := naive - off; offsetAt(s.loc, u) == off && u < best {
			best = u
		}
	}
	if best != math.MaxInt64 {
		return best * 1e9
	}
	// Skipped: read with the old offset, the time falls after the change,
	// in the zone that the change began.
	start, _ := time.Unix(naive-before, 0).In(s.loc).ZoneBounds()
	return start.UnixNano()
}

func offsetAt(loc *time.Location, unix int64) int64 {
	_, off := time.Unix(unix, 0).In(loc).Zone()
	return int64(off)
}

// dayNumber counts days from 1970-01-01 to a civil date.
func dayNumber(y int, m time.Month, d int) int64 {
	return floorDiv(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix(), 86400)
}

// weekday of a day number; 1970-01-01 was a Thursday.
func weekday(day int64) time.Weekday {
	return time.Weekday(((day+4)%7 + 7) % 7)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
