package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// tickets plans every ticket with all that happens to it, then plays the
// steps of all tickets in the order of their times, so that ticket keys,
// the event log and every timestamp follow the calendar.
func (l *loader) tickets(ctx context.Context) error {
	// Actors come from the store, which knows what each one may see.
	for _, p := range l.people {
		if p.id == 0 {
			continue
		}
		a, err := l.s.Actor(ctx, directory.User{ID: p.id, Name: p.name, Role: p.role, OrganizationID: p.orgID, Active: true})
		if err != nil {
			return fmt.Errorf("demo: actor %s: %w", p.email, err)
		}
		p.actor = a
	}
	plans := l.plans()
	var steps []*step
	for _, p := range plans {
		steps = append(steps, &step{at: p.created, p: p, kind: stepCreate, by: p.creator})
		steps = append(steps, p.steps...)
	}
	slices.SortStableFunc(steps, func(a, b *step) int { return a.at.Compare(b.at) })
	for _, s := range steps {
		if err := l.play(ctx, s); err != nil {
			return fmt.Errorf("demo: %q (%s): %w", s.p.summary, s.p.rt.name, err)
		}
	}
	return nil
}

// plans draws the tickets of every request type. Each ticket has a random
// source of its own, so that changing one does not reshuffle the others.
//
// The youngest tickets of each type are walked first and stay open, taking
// the ways of waiting in turn, so that every queue has something in each
// of its statuses whatever the day of the load.
func (l *loader) plans() []*plan {
	var plans []*plan
	used := map[string]bool{}
	for _, rt := range l.rts {
		for range rt.count {
			g := &gen{r: rand.New(rand.NewPCG(seed, uint64(len(plans)+1))), now: l.now, people: l.people}
			plans = append(plans, l.draft(g, rt, used))
		}
	}
	byAge := slices.Clone(plans)
	slices.SortStableFunc(byAge, func(a, b *plan) int { return b.created.Compare(a.created) })
	young := map[ticket.Type]int{ticket.TypeIncident: 8, ticket.TypeServiceRequest: 8, ticket.TypeProblem: 3, ticket.TypeChange: 8}
	opened, done := map[ticket.Type]*int{}, map[ticket.Type]*int{}
	for _, t := range ticket.Types {
		opened[t], done[t] = new(int), new(int)
	}
	for _, p := range byAge {
		t := p.rt.ticketType
		p.young = young[t] > 0
		young[t]--
		l.walk(p, opened[t], done[t])
	}
	l.linkProblems(plans)
	return plans
}

// draft draws who raises a ticket, when, how, and what it says.
func (l *loader) draft(g *gen, rt *requestType, used map[string]bool) *plan {
	p := &plan{rt: rt, g: g}
	owner := l.owners[rt.service]
	switch {
	case rt.ticketType == ticket.TypeChange:
		team := owner
		if rt.name == "Firewall rule change" {
			team = security // Security reviews every rule
		}
		p.approver = g.lead(team)
		p.agent = g.agent(owner, p.approver)
	case owner != serviceDesk && !rt.staff && g.chance(25):
		p.agent = g.agent(serviceDesk) // first line solved it
	default:
		p.agent = g.agent(owner)
	}
	if rt.staff {
		p.reporter = p.agent
		if g.chance(30) {
			p.reporter = g.agent(owner)
		}
		p.creator = p.reporter
		p.channel = weighted(g, rt.channels)
	} else {
		org := ""
		if rt.orgs != nil {
			org = weighted(g, rt.orgs)
		}
		p.reporter = g.customer(org)
		p.creator = p.reporter
		p.channel = weighted(g, rt.channels)
		if p.channel == ticket.ChannelAgent {
			// Someone at the desk took the call and raised it.
			p.creator = p.agent
			if p.agent.team != serviceDesk {
				p.creator = g.agent(serviceDesk)
			}
		}
		p.share = g.chance(25)
	}
	// Staff raise tickets at work, calls included.
	p.created = g.createdAt(rt.staff || p.channel == ticket.ChannelAgent)
	if rt.ticketType == ticket.TypeIncident {
		iw, uw := rt.impact, rt.urgency
		if iw == [3]int{} {
			iw = [3]int{15, 35, 50}
		}
		if uw == [3]int{} {
			uw = [3]int{25, 45, 30}
		}
		p.impact, p.urgency = g.level(iw), g.level(uw)
	}
	// A few tries for a summary no other ticket has; after that a repeat is
	// what real desks see too.
	impact, urgency := p.impact, p.urgency
	for try := 0; try < 4; try++ {
		p.impact, p.urgency, p.topic, p.own, p.detail, p.description, p.related = impact, urgency, "", nil, "", "", nil
		rt.fill(g, p)
		if !used[p.summary] {
			break
		}
	}
	used[p.summary] = true

	switch rt.ticketType {
	case ticket.TypeIncident:
		p.priority = ticket.DefaultMatrix.Priority(p.impact, p.urgency)
		if g.chance(12) {
			p.priority = shift(p.priority, oneOf(g, []int{-1, -1, 1})) // the agent knows better
		}
		p.resolution = "Fixed"
		if rt.resolutions != nil {
			p.resolution = weighted(g, rt.resolutions)
		}
	case ticket.TypeServiceRequest:
		p.priority = weighted(g, []choice[ticket.Priority]{{ticket.PriorityHighest, 3}, {ticket.PriorityHigh, 12},
			{ticket.PriorityMedium, 45}, {ticket.PriorityLow, 28}, {ticket.PriorityLowest, 12}})
		p.resolution = "Done"
	case ticket.TypeProblem:
		p.resolution = "Fixed"
	}
	if p.priority == "" {
		p.priority = weighted(g, []choice[ticket.Priority]{{ticket.PriorityHigh, 2}, {ticket.PriorityMedium, 5}, {ticket.PriorityLow, 3}})
	}
	if p.description == "" {
		p.description = describe(g, p)
	}
	return p
}

// walk plans what happens to a ticket after it is raised; opened and done
// count the tickets of its type meant to be open or done so far.
func (l *loader) walk(p *plan, opened, done *int) {
	b := &builder{g: p.g, p: p, at: p.created, limit: l.now.Add(-time.Minute), opened: opened, done: done}
	switch p.rt.ticketType {
	case ticket.TypeIncident:
		b.incident()
	case ticket.TypeServiceRequest:
		b.serviceRequest()
	case ticket.TypeProblem:
		b.problem()
	case ticket.TypeChange:
		b.change()
	}
	b.ensureComment()
}

// shift moves a priority by n steps (negative: higher), within the scale.
func shift(p ticket.Priority, n int) ticket.Priority {
	i := min(max(slices.Index(ticket.Priorities, p)+n, 0), len(ticket.Priorities)-1)
	return ticket.Priorities[i]
}

// describe writes a ticket's description as it arrived: an email has a
// greeting, a call is written down by the agent.
func describe(g *gen, p *plan) string {
	body := p.detail
	if body == "" {
		body = g.pick(p.rt.details)
	}
	if g.chance(35) {
		if more := g.pick(p.rt.details); more != body {
			body += " " + more
		}
	}
	switch {
	case p.reporter.role.Staff():
		return body
	case p.channel == ticket.ChannelEmail:
		s := g.pick([]string{"Hi,", "Hello IT,", "Hi team,", "Good morning,"}) + "\n\n" + body + "\n\n" +
			g.pick([]string{"Thanks,", "Best regards,", "Cheers,", "Thank you,"}) + "\n" + p.reporter.first()
		if g.chance(15) {
			s += "\n\nSent from my iPhone"
		}
		return s
	case p.channel == ticket.ChannelAgent:
		return g.pick([]string{"Call from ", "Phone call from ", "Walk-in at the IT bar: "}) + p.reporter.name + ". " + body
	}
	return body
}

// linkProblems links each problem to up to three earlier incidents whose
// summaries name its symptom, as the problem's agent would on the day it
// was raised.
func (l *loader) linkProblems(plans []*plan) {
	for _, pr := range plans {
		if pr.rt.ticketType != ticket.TypeProblem || len(pr.related) == 0 {
			continue
		}
		var causes []*plan
		for _, in := range plans {
			if in.rt.ticketType == ticket.TypeIncident && in.created.Before(pr.created) &&
				l.serves(pr.agent.team, in.rt.service) && mentions(in.summary, pr.related) {
				causes = append(causes, in)
			}
		}
		slices.SortStableFunc(causes, func(a, b *plan) int { return b.created.Compare(a.created) })
		at := pr.created
		for _, in := range causes[:min(3, len(causes))] {
			at = at.Add(2 * time.Minute)
			if at.After(l.now.Add(-time.Minute)) {
				break
			}
			pr.steps = append(pr.steps, &step{at: at, p: pr, kind: stepLink, by: pr.agent, target: in})
		}
	}
}

// serves reports whether a team works a service's tickets.
func (l *loader) serves(team, service string) bool {
	for _, svc := range demoServices() {
		if svc.name == service {
			return svc.owner == team || slices.Contains(svc.teams, team)
		}
	}
	return false
}

func mentions(summary string, words []string) bool {
	for _, w := range words {
		if strings.Contains(strings.ToLower(summary), strings.ToLower(w)) {
			return true
		}
	}
	return false
}

// play does one step in the store at the step's time.
func (l *loader) play(ctx context.Context, s *step) error {
	l.clock = s.at
	p := s.p
	actor := s.by.actor
	switch s.kind {
	case stepCreate:
		in := store.NewTicket{
			Service: strconv.FormatInt(l.services[p.rt.service], 10), RequestType: strconv.FormatInt(p.rt.id, 10),
			Summary: p.summary, Description: p.description, Fields: p.fields, Channel: p.channel,
			Impact: string(p.impact), Urgency: string(p.urgency),
		}
		if s.by != p.reporter {
			in.ReporterID = p.reporter.id
		}
		if p.reporter.role.Staff() {
			in.Priority = string(p.priority)
		}
		if p.share {
			in.OrganizationID = p.reporter.orgID
		}
		t, err := l.s.CreateTicket(ctx, actor, in)
		if err != nil {
			return fmt.Errorf("create: %w", err)
		}
		p.key = t.Key
		l.sum.Tickets++
	case stepMove:
		in := store.TransitionInput{To: s.to, Comment: s.body, Internal: s.internal, Resolution: s.resolution}
		if s.assignee != nil {
			in.AssigneeID = s.assignee.id
		}
		if _, err := l.s.Transition(ctx, actor, p.key, in); err != nil {
			return fmt.Errorf("%s %s: %w", p.key, s.to, err)
		}
		l.sum.Transitions++
		if s.body != "" {
			l.sum.Comments++
		}
	case stepComment:
		if _, err := l.s.AddComment(ctx, actor, p.key, s.body, s.internal); err != nil {
			return fmt.Errorf("%s comment: %w", p.key, err)
		}
		l.sum.Comments++
	case stepUpdate:
		prio := string(s.priority)
		if _, err := l.s.UpdateTicket(ctx, actor, p.key, store.TicketPatch{Priority: &prio}); err != nil {
			return fmt.Errorf("%s priority: %w", p.key, err)
		}
		l.sum.Updates++
	case stepLink:
		if _, err := l.s.AddLink(ctx, actor, s.target.key, ticket.LinkCausedBy, p.key); err != nil {
			return fmt.Errorf("link %s to %s: %w", s.target.key, p.key, err)
		}
		l.sum.Links++
	}
	return nil
}
