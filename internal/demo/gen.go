package demo

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// days is how far back the demo's tickets go.
const days = 90

// gen draws everything random from one seeded source, so that every load
// makes the same demo. Its draws must not depend on anything but the seed
// and the order of calls: no maps are ranged over here.
type gen struct {
	r      *rand.Rand
	now    time.Time
	people []*person
}

func (g *gen) intn(n int) int { return g.r.IntN(n) }

// between draws an int in [lo, hi].
func (g *gen) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

// chance is true percent times in a hundred.
func (g *gen) chance(percent int) bool { return g.r.IntN(100) < percent }

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }

// pickSome draws n distinct items, in the list's order.
func (g *gen) pickSome(list []string, n int) []string {
	idx := g.r.Perm(len(list))[:min(n, len(list))]
	slices.Sort(idx)
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = list[j]
	}
	return out
}

// weighted draws one of the choices by weight.
func weighted[T any](g *gen, cs []choice[T]) T {
	total := 0
	for _, c := range cs {
		total += c.w
	}
	n := g.r.IntN(total)
	for _, c := range cs {
		if n < c.w {
			return c.v
		}
		n -= c.w
	}
	return cs[len(cs)-1].v
}

// duration draws a duration in [lo, hi), whole seconds.
func (g *gen) duration(lo, hi time.Duration) time.Duration {
	d := lo + time.Duration(g.r.Int64N(int64(hi-lo)))
	return d.Truncate(time.Second)
}

// level draws an impact or urgency from weights of high, medium, low.
func (g *gen) level(w [3]int) ticket.Level {
	return weighted(g, []choice[ticket.Level]{{ticket.LevelHigh, w[0]}, {ticket.LevelMedium, w[1]}, {ticket.LevelLow, w[2]}})
}

// topic is an option of a form's main select, with the stories that go
// with it, so that a ticket's summary, its values and its fix agree.
type topic struct {
	option  string
	w       int
	stories []story
}

// story is what someone reports and what fixed it.
type story struct{ summary, fix string }

// story draws a topic by weight, then one of its stories, and tells it on p.
func (g *gen) story(p *plan, ts []topic) {
	cs := make([]choice[int], len(ts))
	for i, t := range ts {
		cs[i] = choice[int]{i, max(t.w, 1)}
	}
	t := ts[weighted(g, cs)]
	s := t.stories[g.intn(len(t.stories))]
	p.summary, p.topic = s.summary, t.option
	p.own = map[string]string{"resolve": s.fix}
}

// day gives the date some days after t, as a date field takes it.
func (g *gen) day(t time.Time, from, to int) string {
	return t.AddDate(0, 0, g.between(from, to)).Format(time.DateOnly)
}

// customers lists the customers of an organization, or all of them.
func (g *gen) customers(org string) []*person {
	var out []*person
	for _, p := range g.people {
		if p.role == directory.RoleCustomer && (org == "" || p.org == org) {
			out = append(out, p)
		}
	}
	return out
}

// customer draws a customer of an organization by how often they ask.
func (g *gen) customer(org string) *person {
	var cs []choice[*person]
	for _, p := range g.customers(org) {
		cs = append(cs, choice[*person]{p, p.weight})
	}
	return weighted(g, cs)
}

// colleague draws another customer of p's organization.
func (g *gen) colleague(p *person) *person {
	var cs []*person
	for _, q := range g.customers(p.org) {
		if q != p {
			cs = append(cs, q)
		}
	}
	return cs[g.r.IntN(len(cs))]
}

// head is the head of an organization, who approves its requests.
func (g *gen) head(org string) *person {
	for _, p := range g.customers(org) {
		if p.lead {
			return p
		}
	}
	return nil
}

// agent draws an agent of a team by how much they work; the admin works
// no tickets (they are created after them).
func (g *gen) agent(team string, not ...*person) *person {
	var cs []choice[*person]
	for _, p := range g.people {
		if p.role == directory.RoleAgent && p.team == team && !slices.Contains(not, p) {
			cs = append(cs, choice[*person]{p, p.weight})
		}
	}
	return weighted(g, cs)
}

// lead is the lead of a team.
func (g *gen) lead(team string) *person {
	for _, p := range g.people {
		if p.role == directory.RoleAgent && p.team == team && p.lead {
			return p
		}
	}
	return nil
}

// createdAt draws when a ticket was raised: any of the last days, mostly
// on weekdays and in office hours (always, for what staff raise), and at
// least a quarter of an hour ago.
func (g *gen) createdAt(office bool) time.Time {
	hours := []int{1, 1, 1, 1, 1, 2, 4, 8, 14, 18, 17, 15, 10, 13, 16, 15, 12, 8, 5, 3, 2, 2, 1, 1}
	var hourChoices []choice[int]
	for h, w := range hours {
		hourChoices = append(hourChoices, choice[int]{h, w})
	}
	today := time.Date(g.now.Year(), g.now.Month(), g.now.Day(), 0, 0, 0, 0, time.UTC)
	for {
		d := today.AddDate(0, 0, -g.r.IntN(days))
		if wd := d.Weekday(); (wd == time.Saturday || wd == time.Sunday) && !g.chance(15) {
			continue
		}
		t := d.Add(time.Duration(weighted(g, hourChoices))*time.Hour + g.duration(0, time.Hour))
		if office && !t.Equal(g.workingTime(t)) {
			continue
		}
		if t.Before(g.now.Add(-15 * time.Minute)) {
			return t
		}
	}
}

// workingTime moves t into office hours (8:00 to 18:00 on weekdays), where
// agents answer all but the most urgent tickets.
func (g *gen) workingTime(t time.Time) time.Time {
	for {
		wd := t.Weekday()
		switch {
		case wd == time.Saturday || wd == time.Sunday || t.Hour() >= 18:
			next := t.AddDate(0, 0, 1)
			t = time.Date(next.Year(), next.Month(), next.Day(), 8, 0, 0, 0, time.UTC).Add(g.duration(0, 90*time.Minute))
		case t.Hour() < 8:
			t = time.Date(t.Year(), t.Month(), t.Day(), 8, 0, 0, 0, time.UTC).Add(g.duration(0, 90*time.Minute))
		default:
			return t
		}
	}
}

// oneOf draws an item of a list.
func oneOf[T any](g *gen, list []T) T { return list[g.r.IntN(len(list))] }

// wakingTime moves t out of the night (22:00 to 7:00), when customers
// sleep rather than answer tickets.
func (g *gen) wakingTime(t time.Time) time.Time {
	switch h := t.Hour(); {
	case h >= 22:
		next := t.AddDate(0, 0, 1)
		return time.Date(next.Year(), next.Month(), next.Day(), 7, 0, 0, 0, time.UTC).Add(g.duration(0, 2*time.Hour))
	case h < 7:
		return time.Date(t.Year(), t.Month(), t.Day(), 7, 0, 0, 0, time.UTC).Add(g.duration(0, 2*time.Hour))
	}
	return t
}

// problem is a problem record's story: its symptom, the words of the
// incidents it causes, and what investigation, workaround and root cause
// the agent writes.
type problem struct {
	area, summary string
	related       []string
	investigation string
	workaround    string
	rootCause     string
}

func (pr problem) tell(p *plan) {
	p.summary, p.related = pr.summary, pr.related
	p.own = map[string]string{
		"investigate": pr.investigation,
		"known_error": "Known error recorded. Workaround: " + pr.workaround,
		"resolve":     pr.rootCause,
	}
}
