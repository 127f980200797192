package change

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/errs"
)

// Freeze is a period in which changes should not be made: a quarter end,
// a sales peak. It covers every service, or only those listed.
type Freeze struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Reason      string    `json:"reason"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	AllServices bool      `json:"all_services"`
	ServiceIDs  []int64   `json:"service_ids"`
	CreatedAt   time.Time `json:"created_at"`
}

// Validate checks a freeze window before it is saved.
func (f *Freeze) Validate() error {
	f.Name = strings.TrimSpace(f.Name)
	f.Reason = strings.TrimSpace(f.Reason)
	if f.Name == "" {
		return errs.Required("name")
	}
	if len(f.Name) > 200 || len(f.Reason) > 2000 {
		return errs.Invalid("name", "must be at most 200 characters")
	}
	if err := ValidateWindow("", Window{f.Start, f.End}); err != nil {
		e, _ := errs.As(err)
		e.Field = strings.TrimPrefix(e.Field, "_")
		return e
	}
	slices.Sort(f.ServiceIDs)
	f.ServiceIDs = slices.Compact(f.ServiceIDs)
	if f.AllServices {
		f.ServiceIDs = []int64{}
	} else if len(f.ServiceIDs) == 0 {
		return errs.Invalid("services", "name the services it freezes, or freeze all services")
	}
	return nil
}

// Window gives the freeze's period.
func (f Freeze) Window() Window { return Window{f.Start, f.End} }

// Covers reports whether the freeze applies to any of the services.
func (f Freeze) Covers(serviceIDs []int64) bool {
	if f.AllServices {
		return true
	}
	for _, id := range serviceIDs {
		if slices.Contains(f.ServiceIDs, id) {
			return true
		}
	}
	return false
}

// Planned is a change as the calendar sees it: its window and what it
// touches. Open changes are those not in a done status; only they collide.
type Planned struct {
	Key        string  `json:"key"`
	Summary    string  `json:"summary"`
	Type       Type    `json:"type"`
	Status     string  `json:"status"`
	Open       bool    `json:"open"`
	Window     Window  `json:"window"`
	ServiceIDs []int64 `json:"service_ids"`
	CIIDs      []int64 `json:"ci_ids"`
}

// ConflictKind is what a change runs into.
type ConflictKind string

// The conflict kinds.
const (
	ConflictCollision ConflictKind = "collision" // another change on the same CI or service at the same time
	ConflictFreeze    ConflictKind = "freeze"    // a freeze window over one of its services
)

// Conflict is one thing a change runs into.
type Conflict struct {
	Kind       ConflictKind `json:"kind"`
	Change     string       `json:"change,omitempty"`    // the other change's key, for a collision
	FreezeID   int64        `json:"freeze_id,omitempty"` // for a freeze
	Name       string       `json:"name"`                // the other change's summary or the freeze's name
	ServiceIDs []int64      `json:"service_ids"`         // the services they share (all of the change's for an all-services freeze)
	CIIDs      []int64      `json:"ci_ids"`              // the CIs they share
	Overlap    Window       `json:"overlap"`
	Message    string       `json:"message"`
}

// Conflicts lists what change c runs into: every other open change whose
// window overlaps its own and that shares a CI or a service with it, and
// every freeze over one of its services during its window. A change
// without a window, or closed, runs into nothing.
func Conflicts(c Planned, others []Planned, freezes []Freeze) []Conflict {
	out := []Conflict{}
	if !c.Open || c.Window.Start.IsZero() {
		return out
	}
	for _, o := range others {
		if o.Key == c.Key || !o.Open || o.Window.Start.IsZero() || !c.Window.Overlaps(o.Window) {
			continue
		}
		svc, cis := shared(c.ServiceIDs, o.ServiceIDs), shared(c.CIIDs, o.CIIDs)
		if len(svc) == 0 && len(cis) == 0 {
			continue
		}
		what := []string{}
		if len(cis) > 0 {
			what = append(what, plural(len(cis), "CI"))
		}
		if len(svc) > 0 {
			what = append(what, plural(len(svc), "service"))
		}
		out = append(out, Conflict{Kind: ConflictCollision, Change: o.Key, Name: o.Summary, ServiceIDs: svc, CIIDs: cis,
			Overlap: overlap(c.Window, o.Window),
			Message: fmt.Sprintf("%s (%s) works on the same %s at the same time", o.Key, o.Status, strings.Join(what, " and "))})
	}
	for _, f := range freezes {
		if !f.Covers(c.ServiceIDs) || !c.Window.Overlaps(f.Window()) {
			continue
		}
		svc := c.ServiceIDs
		if !f.AllServices {
			svc = shared(c.ServiceIDs, f.ServiceIDs)
		}
		out = append(out, Conflict{Kind: ConflictFreeze, FreezeID: f.ID, Name: f.Name, ServiceIDs: slices.Clone(svc), CIIDs: []int64{},
			Overlap: overlap(c.Window, f.Window()),
			Message: fmt.Sprintf("planned during the freeze %q", f.Name)})
	}
	return out
}

// Collisions gives the conflicts of every change of a calendar, by key,
// each change's in the order of the others' start.
func Collisions(all []Planned, freezes []Freeze) map[string][]Conflict {
	out := map[string][]Conflict{}
	sorted := slices.Clone(all)
	slices.SortStableFunc(sorted, func(a, b Planned) int { return a.Window.Start.Compare(b.Window.Start) })
	for i, c := range sorted {
		// Sorted by start, a change meets only those that start before it
		// ends: the scan stops at the first that starts later.
		for _, o := range sorted[i+1:] {
			if !o.Window.Start.Before(c.Window.End) {
				break
			}
			out[c.Key] = append(out[c.Key], Conflicts(c, []Planned{o}, nil)...)
			out[o.Key] = append(out[o.Key], Conflicts(o, []Planned{c}, nil)...)
		}
	}
	for _, c := range sorted {
		out[c.Key] = append(out[c.Key], Conflicts(c, nil, freezes)...)
		if len(out[c.Key]) == 0 {
			delete(out, c.Key)
		}
	}
	return out
}

func shared(a, b []int64) []int64 {
	out := []int64{}
	for _, x := range a {
		if slices.Contains(b, x) && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return out
}

func overlap(a, b Window) Window {
	w := Window{Start: a.Start, End: a.End}
	if b.Start.After(w.Start) {
		w.Start = b.Start
	}
	if b.End.Before(w.End) {
		w.End = b.End
	}
	return w
}

func plural(n int, what string) string {
	if n == 1 {
		return what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
