package demo

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// plan is one ticket to raise and everything that happens to it after.
type plan struct {
	rt          *requestType
	created     time.Time
	reporter    *person
	creator     *person // who raises it in Cairn: the reporter, or an agent on the phone
	agent       *person // who works it
	channel     ticket.Channel
	summary     string
	description string
	detail      string // what the reporter says first, when the form's values call for it
	fields      map[string]any
	impact      ticket.Level
	urgency     ticket.Level
	priority    ticket.Priority   // the one it ends with
	share       bool              // shared with the reporter's organization
	topic       string            // the option of the form's main select, which comments follow
	own         map[string]string // what is said at a moment on this ticket alone, e.g. its fix
	related     []string          // problems: words in the summaries of the incidents they cause
	approver    *person           // changes
	resolution  string            // what resolving records

	g        *gen   // the ticket's own random source
	young    bool   // among the youngest of its type, which stay open
	key      string // once raised
	comments int
	steps    []*step
	said     map[string]bool // texts used on this ticket
	asked    struct {        // the last question to the customer, which their reply answers
		key  string
		list []string
		i    int
	}
}

type stepKind int

const (
	stepCreate stepKind = iota
	stepMove
	stepComment
	stepUpdate
	stepLink
)

// step is one thing someone does to a ticket at some time.
type step struct {
	at         time.Time
	p          *plan
	kind       stepKind
	by         *person
	to         string  // transition id
	assignee   *person // set with the transition or update
	body       string
	internal   bool
	priority   ticket.Priority // update
	resolution string          // transition to a done status
	target     *plan           // link: the incident the problem causes
}

// span is a range of delays.
type span struct{ lo, hi time.Duration }

const (
	minute = time.Minute
	hour   = time.Hour
	day    = 24 * time.Hour
)

// pace is how fast tickets of a priority are answered and fixed.
func pace(p ticket.Priority) (first, fix span) {
	switch p {
	case ticket.PriorityHighest:
		return span{5 * minute, 30 * minute}, span{30 * minute, 4 * hour}
	case ticket.PriorityHigh:
		return span{10 * minute, 2 * hour}, span{2 * hour, day}
	case ticket.PriorityLow:
		return span{2 * hour, day}, span{day, 5 * day}
	case ticket.PriorityLowest:
		return span{4 * hour, 2 * day}, span{day, 8 * day}
	}
	return span{30 * minute, 8 * hour}, span{4 * hour, 3 * day}
}

// maxComments is the most comments a ticket gets.
const maxComments = 4

// builder walks a plan along its workflow. Each step comes some time after
// the one before; the first that would fall after the limit ends the walk,
// which leaves young tickets open as they would be.
type builder struct {
	g        *gen
	p        *plan
	at       time.Time
	limit    time.Time
	stopped  bool
	reserve  int           // comments kept for a step that requires one
	assigned bool          // the agent took the ticket
	resolved bool          // the ticket went through "resolve"
	speed    time.Duration // divides the delays of an open path that must fit
	opened   *int          // open tickets of this type so far
	done     *int          // tickets of this type meant to be done so far
}

// wait moves the time on by a delay from d before by acts. Staff act in
// office hours unless the ticket is of the highest priority. It reports
// false once the walk has ended.
func (b *builder) wait(by *person, d span) bool {
	if b.stopped {
		return false
	}
	t := b.at.Add(b.g.duration(d.lo, d.hi) / max(b.speed, 1))
	switch {
	case by.role.Staff() && b.p.priority != ticket.PriorityHighest && b.p.topic != "Emergency":
		t = b.g.workingTime(t)
	case !by.role.Staff():
		t = b.g.wakingTime(t)
	}
	if t.Sub(b.at) < minute {
		t = b.at.Add(minute + b.g.duration(0, minute))
	}
	if t.After(b.limit) {
		b.stopped = true
		return false
	}
	b.at = t
	return true
}

// say picks what by writes at a moment, or nothing when the ticket has its
// share of comments. Agents greet customers now and then.
func (b *builder) say(by *person, moment string) string {
	if b.p.comments >= maxComments-b.reserve {
		return ""
	}
	return b.must(by, moment)
}

// must picks what by writes at a moment that requires a comment: what the
// request type has for the ticket's topic, else for any topic, else what
// anyone would say. A reply answers the question asked before it, and no
// text comes twice on one ticket.
func (b *builder) must(by *person, moment string) string {
	p := b.p
	if moment == "resolve" && p.resolution == "Cannot reproduce" {
		moment = "noreproduce"
	}
	if own := p.own[moment]; own != "" && !p.said[own] {
		return b.told(by, moment, own)
	}
	key, list := p.texts(moment)
	if len(list) == 0 {
		return ""
	}
	i := b.g.intn(len(list))
	for try := 0; try < 4 && p.said[list[i]]; try++ {
		i = b.g.intn(len(list))
	}
	if moment == "reply" && p.asked.key != "" {
		k := "reply" + strings.TrimPrefix(p.asked.key, "ask")
		l := p.rt.say[k]
		if len(p.rt.say[p.asked.key]) == 0 {
			l = commonSay[k] // the question was a common one
		}
		if len(l) == len(p.asked.list) {
			key, list, i = k, l, p.asked.i
		}
	}
	if moment == "ask" {
		p.asked.key, p.asked.list, p.asked.i = key, list, i
	}
	return b.told(by, moment, list[i])
}

// told records that by says body at a moment, greeting the customer now
// and then.
func (b *builder) told(by *person, moment, body string) string {
	p := b.p
	if p.said == nil {
		p.said = map[string]bool{}
	}
	p.said[body] = true
	if by.role.Staff() && p.reporter.role == directory.RoleCustomer && publicMoments[moment] && b.g.chance(40) {
		body = "Hi " + p.reporter.first() + ",\n\n" + body
		if b.g.chance(50) {
			body += "\n\n" + by.first()
		}
	}
	p.comments++
	return body
}

// texts finds what is said at a moment, with the key it is found under.
func (p *plan) texts(moment string) (string, []string) {
	if p.topic != "" {
		if l := p.rt.say[moment+":"+p.topic]; len(l) > 0 {
			return moment + ":" + p.topic, l
		}
	}
	if l := p.rt.say[moment]; len(l) > 0 {
		return moment, l
	}
	return moment, commonSay[moment]
}

// publicMoments are those where agents write to the customer.
var publicMoments = map[string]bool{"ask": true, "resolve": true, "noreproduce": true, "start": true, "approval": true, "declined": true, "submit": true, "complete": true, "decline": true}

func (b *builder) add(s *step) {
	s.at, s.p = b.at, b.p
	b.p.steps = append(b.p.steps, s)
}

// move takes a transition after a delay, with what by says at the moment
// (nothing when moment is empty). The agent takes the ticket with their
// first transition.
func (b *builder) move(by *person, d span, to, moment string, internal bool) bool {
	if !b.wait(by, d) {
		return false
	}
	s := &step{kind: stepMove, by: by, to: to, internal: internal}
	if moment != "" {
		s.body = b.say(by, moment)
	}
	if by == b.p.agent && !b.assigned {
		s.assignee, b.assigned = by, true
	}
	s.resolution = b.resolution(to, by)
	b.add(s)
	return true
}

// comment adds a comment after a delay.
func (b *builder) comment(by *person, d span, moment string, internal bool) bool {
	if !b.wait(by, d) {
		return false
	}
	body := b.say(by, moment)
	if body == "" {
		return true
	}
	b.add(&step{kind: stepComment, by: by, body: body, internal: internal})
	return true
}

// triage sets the priority the agent judges right, when it differs from
// what the ticket was raised with.
func (b *builder) triage(raised ticket.Priority, first span) {
	if b.p.priority == raised || !b.wait(b.p.agent, first) {
		return
	}
	b.add(&step{kind: stepUpdate, by: b.p.agent, priority: b.p.priority})
	if b.p.rt.ticketType == ticket.TypeIncident {
		moment := "lowered"
		if slices.Index(ticket.Priorities, b.p.priority) < slices.Index(ticket.Priorities, raised) {
			moment = "raised"
		}
		if body := b.say(b.p.agent, moment); body != "" {
			b.add(&step{kind: stepComment, by: b.p.agent, body: body, internal: true})
		}
	}
}

// openVariant decides whether a ticket is meant to be open now, and if so
// which of n ways it waits: they take turns among the open tickets of a
// type, so that every status gets some.
func (b *builder) openVariant(n int) (int, bool) {
	if !b.stillOpen() {
		return 0, false
	}
	v := *b.opened % n
	*b.opened++
	return v, true
}

// doneVariant picks which of n ways a ticket that is meant to be done ends,
// in turn among the done tickets of its type.
func (b *builder) doneVariant(n int) int {
	v := *b.done % n
	*b.done++
	return v
}

// reach walks an open ticket's path until its last step; when the ticket is
// too young for the usual delays, it tries again with the delays halved.
func (b *builder) reach(path func() bool) {
	p := b.p
	saved, steps, comments, said, asked := *b, len(p.steps), p.comments, maps.Clone(p.said), p.asked
	for speed := time.Duration(1); ; speed *= 2 {
		*b = saved
		b.speed = speed
		p.steps, p.comments, p.said, p.asked = p.steps[:steps], comments, maps.Clone(said), asked
		if path() || speed >= 32 {
			return
		}
	}
}

// stillOpen decides whether a ticket is meant to be open now: most young
// ones, few old ones; problems stay open longer and changes wait for their
// window.
func (b *builder) stillOpen() bool {
	if b.p.young {
		return true
	}
	age := b.limit.Sub(b.p.created)
	type bar struct {
		under   time.Duration
		percent int
	}
	bars := []bar{{day, 85}, {3 * day, 70}, {7 * day, 50}, {14 * day, 30}, {30 * day, 12}, {1 << 62, 4}}
	switch b.p.rt.ticketType {
	case ticket.TypeProblem:
		bars = []bar{{14 * day, 70}, {30 * day, 50}, {60 * day, 35}, {1 << 62, 20}}
	case ticket.TypeChange:
		bars = []bar{{3 * day, 90}, {7 * day, 75}, {14 * day, 55}, {30 * day, 30}, {1 << 62, 5}}
	}
	for _, br := range bars {
		if age < br.under {
			return b.g.chance(br.percent)
		}
	}
	return false
}

// incident walks the incident workflow: Open, In progress, Pending,
// Waiting for customer, Resolved, Closed.
func (b *builder) incident() {
	p, g := b.p, b.g
	cust, agent := p.reporter, p.agent
	first, fix := pace(p.priority)
	b.triage(ticket.DefaultMatrix.Priority(p.impact, p.urgency), first)
	if v, ok := b.openVariant(4); ok {
		b.reach(func() bool {
			switch v {
			case 1:
				return b.move(agent, first, "start", "start", false)
			case 2:
				return b.move(agent, first, "start", "note", true) && b.move(agent, fix, "pend", "pending", true)
			case 3:
				return b.move(agent, first, "start", "", false) && b.move(agent, span{10 * minute, 2 * hour}, "ask", "ask", false)
			}
			return true // nobody has picked it up yet
		})
		return
	}
	x := g.intn(100)
	switch {
	case x < 42:
		_ = b.move(agent, first, "start", "note", true) && b.move(agent, fix, "resolve", "resolve", false)
	case x < 62:
		_ = b.move(agent, first, "start", "", false) && b.move(agent, span{10 * minute, 3 * hour}, "ask", "ask", false) &&
			b.move(cust, span{15 * minute, day}, "respond", "reply", false) && b.move(agent, fix, "resolve", "resolve", false)
	case x < 77:
		b.move(agent, first, "resolve", "resolve", false)
	case x < 93:
		_ = b.move(agent, first, "start", "", false) && b.move(agent, span{30 * minute, 4 * hour}, "pend", "pending", true) &&
			b.move(agent, span{day, 4 * day}, "start", "", false) && b.move(agent, fix, "resolve", "resolve", false)
	default:
		_ = b.move(agent, first, "start", "", false) && b.move(agent, fix, "resolve", "resolve", false) &&
			b.move(cust, span{hour, 2 * day}, "reopen", "reopen", false) && b.move(agent, first, "start", "", false) &&
			b.move(agent, fix, "resolve", "resolve", false)
	}
	b.close(cust, agent)
}

// close ends a resolved incident: the customer confirms, or the agent
// closes it after some quiet days.
func (b *builder) close(cust, agent *person) {
	if b.stopped {
		return
	}
	if b.g.chance(35) {
		b.move(cust, span{10 * minute, day}, "close", "thanks", false)
		return
	}
	b.move(agent, span{5 * day, 9 * day}, "close", "", false) // a week without news
}

// serviceRequest walks the service request workflow: Waiting for support,
// Waiting for approval, In progress, Waiting for customer, Resolved,
// Canceled.
func (b *builder) serviceRequest() {
	p, g := b.p, b.g
	cust, agent := p.reporter, p.agent
	first, fix := pace(p.priority)
	b.triage(ticket.PriorityMedium, first)
	approve := span{2 * hour, 2 * day}
	if v, ok := b.openVariant(4); ok {
		b.reach(func() bool {
			switch {
			case v == 1 && p.rt.approval:
				return b.move(agent, first, "approval", "approval", false)
			case v == 1:
				return b.comment(agent, first, "note", true)
			case v == 2:
				return b.move(agent, first, "start", "start", false)
			case v == 3:
				return b.move(agent, first, "start", "", false) && b.move(agent, span{10 * minute, 3 * hour}, "ask", "ask", false)
			}
			return true
		})
		return
	}
	x := g.intn(100)
	switch {
	case x < 7:
		b.move(cust, span{20 * minute, day}, "cancel", "cancel", false)
	case p.rt.approval && x < 50:
		_ = b.move(agent, first, "approval", "approval", false) && b.move(agent, approve, "start", "approved", false) &&
			b.move(agent, fix, "resolve", "resolve", false)
	case p.rt.approval && x < 56:
		_ = b.move(agent, first, "approval", "approval", false) && b.move(agent, approve, "cancel", "declined", false)
	case p.rt.quick && x < 70, x < 20:
		b.move(agent, first, "resolve", "resolve", false)
	case x < 80:
		_ = b.move(agent, first, "start", "note", true) && b.move(agent, fix, "resolve", "resolve", false)
	default:
		_ = b.move(agent, first, "start", "", false) && b.move(agent, span{10 * minute, 3 * hour}, "ask", "ask", false) &&
			b.move(cust, span{15 * minute, day}, "respond", "reply", false) && b.move(agent, first, "start", "", false) &&
			b.move(agent, fix, "resolve", "resolve", false)
	}
}

// problem walks the problem workflow: Open, Under investigation, Known
// error, Resolved, Closed.
func (b *builder) problem() {
	p := b.p
	agent := p.agent
	investigate := span{hour, 3 * day}
	if v, ok := b.openVariant(3); ok {
		b.reach(func() bool {
			switch v {
			case 1:
				return b.move(agent, investigate, "investigate", "investigate", true)
			case 2:
				return b.move(agent, investigate, "investigate", "investigate", true) && b.move(agent, span{2 * day, 10 * day}, "known_error", "known_error", false)
			}
			return b.comment(agent, investigate, "investigate", true)
		})
		return
	}
	// Known error or straight to the fix; closed after a quiet while, or
	// still resolved, waiting for the problem review; or a duplicate.
	v := b.doneVariant(6)
	if v == 3 {
		b.move(agent, investigate, "close", "duplicate", false)
		return
	}
	ok := b.move(agent, investigate, "investigate", "investigate", true)
	if v%2 == 0 {
		ok = ok && b.move(agent, span{2 * day, 10 * day}, "known_error", "known_error", false)
	}
	ok = ok && b.move(agent, span{5 * day, 25 * day}, "resolve", "resolve", false)
	_ = ok && v != 2 && v != 5 && b.move(agent, span{7 * day, 21 * day}, "close", "close", false)
}

// change walks the change workflow: Planning, Awaiting approval, Scheduled,
// Implementing, Review, then Completed, Failed, Declined or Canceled.
// Emergency changes go through in hours.
func (b *builder) change() {
	p, g := b.p, b.g
	cust, agent, approver := p.reporter, p.agent, p.approver
	scale := time.Duration(1)
	if p.topic == "Emergency" {
		scale = 12
	}
	sp := func(lo, hi time.Duration) span { return span{lo / scale, hi / scale} }
	submit, approve, window := sp(2*hour, 3*day), sp(4*hour, 4*day), sp(day, 6*day)
	implement, review := sp(hour, 6*hour), sp(4*hour, 2*day)
	b.reserve = 1 // for a decline or a failure
	if cust.role == directory.RoleCustomer && g.chance(40) {
		_ = b.comment(agent, sp(hour, day), "ask", false) && b.comment(cust, sp(30*minute, day), "reply", false)
	}
	if v, ok := b.openVariant(8); ok {
		// Planning, Awaiting approval, Scheduled, Implementing or Review.
		stage := []int{0, 1, 2, 3, 4, 1, 2, 4}[v]
		b.reach(func() bool {
			return stage < 1 || b.move(agent, submit, "submit", "submit", false) &&
				(stage < 2 || b.move(approver, approve, "approve", "approve", false) &&
					(stage < 3 || b.move(agent, window, "implement", "implement", true) &&
						(stage < 4 || b.move(agent, implement, "review", "review", true))))
		})
		return
	}
	// Most complete; now and then one is declined, fails in the window or
	// at review, or is canceled. The rare ends come later in the turn, on
	// older changes, which have had time to get there.
	switch "CCCCCDCFCXCRCC"[b.doneVariant(14)] {
	case 'X':
		b.move(agent, submit, "cancel", "cancel", false)
	case 'D':
		_ = b.move(agent, submit, "submit", "submit", false) && b.required(approver, approve, "decline", "decline")
	case 'F':
		_ = b.move(agent, submit, "submit", "submit", false) && b.move(approver, approve, "approve", "approve", false) &&
			b.move(agent, window, "implement", "implement", true) && b.required(agent, implement, "fail", "fail")
	case 'R':
		_ = b.move(agent, submit, "submit", "submit", false) && b.move(approver, approve, "approve", "approve", false) &&
			b.move(agent, window, "implement", "implement", true) && b.move(agent, implement, "review", "review", true) &&
			b.required(agent, review, "fail", "fail")
	default:
		ok := b.move(agent, submit, "submit", "submit", false) && b.move(approver, approve, "approve", "approve", false) &&
			b.move(agent, window, "implement", "implement", true) && b.move(agent, implement, "review", "review", true)
		b.reserve = 0
		_ = ok && b.move(approver, review, "complete", "complete", false)
	}
}

// required takes a transition that comes with a comment, whatever the
// ticket has had already: a decline or a failure is always explained.
func (b *builder) required(by *person, d span, to, moment string) bool {
	if !b.wait(by, d) {
		return false
	}
	b.add(&step{kind: stepMove, by: by, to: to, body: b.must(by, moment), resolution: b.resolution(to, by)})
	return true
}

// resolution is what a transition to a done status records.
func (b *builder) resolution(to string, by *person) string {
	p := b.p
	switch {
	case to == "resolve" || (to == "close" && p.rt.ticketType == ticket.TypeIncident):
		b.resolved = true
		return p.resolution
	case to == "close" && b.resolved:
		return p.resolution
	case to == "close":
		return "Duplicate"
	case to == "cancel" && by.role == directory.RoleCustomer:
		return "Withdrawn"
	case to == "cancel" && p.rt.ticketType == ticket.TypeServiceRequest:
		return "Declined"
	case to == "cancel":
		return "Canceled"
	case to == "complete":
		return "Done"
	case to == "fail":
		return "Failed"
	case to == "decline":
		return "Declined"
	}
	return ""
}

// ensureComment gives a ticket that the walk left without a comment one:
// the customer adds something or asks for news, or an agent notes
// something.
func (b *builder) ensureComment() {
	p := b.p
	if p.comments > 0 {
		return
	}
	by, moment, internal := p.reporter, "extra", false
	switch {
	case p.reporter.role.Staff():
		by, moment, internal = p.agent, "note", true
	case b.at.Sub(p.created) > day || b.limit.Sub(p.created) > 2*day:
		moment = "followup"
	}
	room := b.limit.Sub(b.at)
	t := b.at.Add(b.g.duration(10*minute, day))
	if by.role.Staff() {
		t = b.g.workingTime(t)
	} else {
		t = b.g.wakingTime(t)
	}
	if t.After(b.limit) {
		t = b.at.Add(room / 2).Truncate(time.Second)
	}
	b.at = t
	b.add(&step{kind: stepComment, by: by, body: b.must(by, moment), internal: internal})
}
