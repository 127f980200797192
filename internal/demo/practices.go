package demo

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// The demo's incident and problem management: what SeedPractices adds.

const (
	networkService = "Network infrastructure management"
	problemManager = "marcus.lindqvist@example.com" // leads Infrastructure & Network
	deskAgent      = "agent@example.com"
)

// practiceProblem is what the demo knows of a network problem's root cause,
// by the problem's summary (see fillNetworkProblem).
type practiceProblem struct {
	related    []string // words of the summaries of the incidents it causes
	knownError string   // the known error's title
	symptoms   string
	whys       []ticket.Why
	rootCause  string
	workaround string
}

var practiceProblems = map[string]practiceProblem{
	"VPN sessions drop every 10 minutes for home users on one ISP": {
		related:    []string{"VPN drops", "VPN very slow"},
		knownError: "GlobalProtect drops idle tunnels behind carrier-grade NAT",
		symptoms:   "The VPN disconnects about every 10 minutes for people working from home on the same ISP; it reconnects by itself after a minute.",
		whys: []ticket.Why{
			{Question: "Why does the VPN drop?", Answer: "The gateway stops receiving the client's UDP keep-alives and tears the tunnel down."},
			{Question: "Why do the keep-alives not arrive?", Answer: "The ISP's NAT has forgotten the UDP mapping and drops them."},
			{Question: "Why does the NAT forget the mapping?", Answer: "Its carrier-grade NAT expires idle UDP mappings after 10 minutes, and our keep-alive runs every 15."},
		},
		rootCause:  "The ISP's carrier-grade NAT drops idle UDP sessions after 10 minutes, shorter than the GlobalProtect keep-alive.",
		workaround: "Switch the VPN to the SSL tunnel: **GlobalProtect > Settings > Connection > Use SSL**. It is a little slower but stays up.",
	},
	"Wi-Fi roaming fails between floors in London": {
		related:    []string{"Wi-Fi drops", "No Wi-Fi"},
		knownError: "Laptops lose CORP-WIFI when moving between floors in London",
		symptoms:   "After walking to another floor, laptops show 'No internet, secured' on CORP-WIFI until the network is rejoined.",
		whys: []ticket.Why{
			{Question: "Why do laptops lose the network after changing floors?", Answer: "Roaming to the next access point fails and the client does not re-authenticate."},
			{Question: "Why does roaming fail?", Answer: "The old and new access point models disagree on fast-roaming keys."},
			{Question: "Why do they disagree?", Answer: "The two generations run different firmware releases."},
		},
		rootCause:  "Mismatched firmware between the two generations of access points breaks fast roaming.",
		workaround: "Forget and rejoin CORP-WIFI after changing floors.",
	},
	"Intermittent DNS timeouts in the Berlin office": {
		related:    []string{"no internet", "slow in the afternoons"},
		knownError: "Web pages time out at peak times in Berlin",
		symptoms:   "Web pages and Teams fail to load for a few seconds, several times an hour, mostly around 11:00 and 15:00.",
		whys: []ticket.Why{
			{Question: "Why do pages time out?", Answer: "DNS queries to the Berlin resolver go unanswered for seconds."},
			{Question: "Why does the resolver not answer?", Answer: "Its VM is starved of CPU."},
			{Question: "Why is it starved?", Answer: "A backup job on the same host runs at peak times."},
		},
		rootCause:  "The Berlin resolver VM is starved of CPU by a backup job on the same host.",
		workaround: "Use the London resolver; DHCP pushes it to affected clients on request.",
	},
	"Switch stack in New York reboots under load": {
		related:    []string{"port", "training room", "lose network"},
		knownError: "New York office loses the wired network during large transfers",
		symptoms:   "The whole New York office loses the wired network for about five minutes, usually during large file transfers.",
		whys: []ticket.Why{
			{Question: "Why does the office lose the network?", Answer: "The switch stack reboots."},
			{Question: "Why does it reboot?", Answer: "It runs out of memory under load."},
			{Question: "Why does it run out of memory?", Answer: "The firmware leaks memory for every new flow."},
		},
		rootCause:  "A memory leak in the switch firmware.",
		workaround: "Keep heavy transfers off the New York office network during the day.",
	},
	"Teams calls choppy over the VPN in the afternoons": {
		related:    []string{"VPN"},
		knownError: "Teams calls over the VPN break up in the afternoon",
		symptoms:   "Voice and video in Teams stutter for people on the VPN between 14:00 and 17:00.",
		whys: []ticket.Why{
			{Question: "Why do calls stutter?", Answer: "Packets are lost on the way through the VPN gateway."},
			{Question: "Why are packets lost there?", Answer: "The gateway's uplink is saturated in the afternoon."},
			{Question: "Why is it saturated?", Answer: "Teams media goes through the tunnel for everyone."},
		},
		rootCause:  "Teams media traffic goes through the VPN tunnel and saturates the gateway's uplink.",
		workaround: "Let Teams bypass the VPN: enable **Optimise Teams** in the GlobalProtect client.",
	},
	"DHCP scope exhaustion on the guest network": {
		related:    []string{"Guest"},
		knownError: "Visitors get no address on the guest Wi-Fi late in the morning",
		symptoms:   "From about 11:00 visitors' devices join the guest Wi-Fi but get no address.",
		whys: []ticket.Why{
			{Question: "Why do devices get no address?", Answer: "The guest DHCP scope is full."},
			{Question: "Why is it full by 11:00?", Answer: "Leases last 8 days, so yesterday's visitors still hold theirs."},
		},
		rootCause:  "8-day leases on a /24 guest scope.",
		workaround: "Issue vouchers for the staff network to important visitors.",
	},
}

// seeder dates the demo's practice records inside its timeline: each after
// the last event of the tickets it touches, none after the demo's newest
// ticket change.
type seeder struct {
	s        *store.Store
	end      time.Time
	manager  directory.Actor
	agent    directory.Actor
	service  int64
	lastSeen map[string]time.Time
}

// SeedPractices adds incident and problem management to a loaded demo:
// root cause analyses and known errors of the network problems, open
// incidents grouped into one of them and a workaround applied to one, and
// a new major incident (no Wi-Fi on a whole floor) with its communication
// log and the change that caused it. It uses only the store's exported API; Load
// runs it once.
func SeedPractices(ctx context.Context, s *store.Store) error {
	sd := &seeder{s: s, lastSeen: map[string]time.Time{}}
	var err error
	if sd.manager, err = sd.actor(ctx, problemManager); err != nil {
		return err
	}
	if sd.agent, err = sd.actor(ctx, deskAgent); err != nil {
		return err
	}
	svc, err := s.ServiceByRef(ctx, networkService)
	if err != nil {
		return fmt.Errorf("demo: practices: %w", err)
	}
	sd.service = svc.ID
	newest, err := s.Tickets(ctx, directory.System, store.TicketFilter{Sort: "updated", Limit: 1})
	if err != nil {
		return fmt.Errorf("demo: practices: %w", err)
	}
	if newest.Total == 0 {
		return nil
	}
	sd.end = newest.Tickets[0].UpdatedAt
	if err := sd.problems(ctx); err != nil {
		return fmt.Errorf("demo: practices: %w", err)
	}
	if err := sd.majorIncident(ctx); err != nil {
		return fmt.Errorf("demo: practices: %w", err)
	}
	return nil
}

func (sd *seeder) actor(ctx context.Context, email string) (directory.Actor, error) {
	u, err := sd.s.UserByEmail(ctx, email)
	if err != nil {
		return directory.Actor{}, fmt.Errorf("demo: practices: %s: %w", email, err)
	}
	a, err := sd.s.Actor(ctx, u)
	if err != nil {
		return directory.Actor{}, fmt.Errorf("demo: practices: %s: %w", email, err)
	}
	return a, nil
}

// last gives the time of a ticket's latest event.
func (sd *seeder) last(ctx context.Context, key string) (time.Time, error) {
	if t, ok := sd.lastSeen[key]; ok {
		return t, nil
	}
	events, err := sd.s.History(ctx, directory.System, key)
	if err != nil {
		return time.Time{}, err
	}
	var t time.Time
	for _, e := range events {
		if e.CreatedAt.After(t) {
			t = e.CreatedAt
		}
	}
	sd.lastSeen[key] = t
	return t, nil
}

// after gives a time after the latest event of every ticket named, and
// after not, rounded to the minute; ok is false when that leaves less than
// room before the end of the timeline.
func (sd *seeder) after(ctx context.Context, not time.Time, room time.Duration, keys ...string) (time.Time, bool, error) {
	t := not
	for _, k := range keys {
		l, err := sd.last(ctx, k)
		if err != nil {
			return t, false, err
		}
		if l.After(t) {
			t = l
		}
	}
	t = t.Add(time.Minute).Truncate(time.Minute).Add(time.Minute)
	return t, !t.Add(room).After(sd.end), nil
}

// did records that tickets changed at t.
func (sd *seeder) did(t time.Time, keys ...string) {
	for _, k := range keys {
		sd.lastSeen[k] = t
	}
}

func (sd *seeder) list(ctx context.Context, typ ticket.Type, open bool) ([]ticket.Ticket, error) {
	f := store.TicketFilter{Types: []ticket.Type{typ}, ServiceID: sd.service, Sort: "created", Limit: store.MaxPage}
	if open {
		f.Categories = []ticket.Category{ticket.CategoryToDo, ticket.CategoryInProgress}
	}
	page, err := sd.s.Tickets(ctx, directory.System, f)
	return page.Tickets, err
}

// problems writes the analyses and known errors of the network problems,
// then groups open incidents into the newest open one and applies its
// workaround to one of its incidents.
func (sd *seeder) problems(ctx context.Context) error {
	problems, err := sd.list(ctx, ticket.TypeProblem, false)
	if err != nil {
		return err
	}
	var showcase *ticket.Ticket
	var showKnown ticket.KnownError
	for i, p := range problems {
		pp, ok := practiceProblems[p.Summary]
		if !ok {
			continue
		}
		t, ok, err := sd.after(ctx, time.Time{}, 2*time.Hour, p.Key)
		if err != nil || !ok {
			if err != nil {
				return err
			}
			continue
		}
		a := ticket.Analysis{Symptoms: pp.symptoms, Whys: pp.whys, RootCause: pp.rootCause,
			Notes: "From the incidents linked here and the investigation notes on the ticket."}
		if p.StatusCategory == ticket.CategoryToDo {
			a.RootCause = "" // the investigation has not started: the whys so far
			a.Whys = pp.whys[:1]
		}
		if _, err := sd.s.SaveProblemAnalysis(store.AtTime(ctx, t), sd.manager, p.Key, a); err != nil {
			return fmt.Errorf("analysis of %s: %w", p.Key, err)
		}
		sd.did(t, p.Key)
		if p.StatusCategory == ticket.CategoryToDo {
			continue // a known error needs a known cause
		}
		workaround := pp.workaround
		if w, ok := p.Fields["workaround"].(string); ok && w != "" {
			workaround = w
		}
		status := ticket.KnownErrorActive
		if p.StatusCategory == ticket.CategoryDone {
			status = ticket.KnownErrorFixed
		}
		t = t.Add(10 * time.Minute)
		k, err := sd.s.CreateKnownError(store.AtTime(ctx, t), sd.manager, p.Key,
			ticket.KnownError{Title: pp.knownError, Symptoms: pp.symptoms, Workaround: workaround, Status: status})
		if err != nil {
			return fmt.Errorf("known error of %s: %w", p.Key, err)
		}
		sd.did(t, p.Key)
		if status == ticket.KnownErrorActive && (showcase == nil || p.CreatedAt.After(showcase.CreatedAt)) {
			showcase, showKnown = &problems[i], k
		}
	}
	if showcase == nil {
		return nil
	}
	return sd.group(ctx, *showcase, showKnown)
}

// group links open network incidents that look like the problem's to it,
// and applies its known error to one of its open incidents.
func (sd *seeder) group(ctx context.Context, p ticket.Ticket, k ticket.KnownError) error {
	pp := practiceProblems[p.Summary]
	linked, err := sd.s.ProblemIncidents(ctx, directory.System, p.Key)
	if err != nil {
		return err
	}
	isLinked := map[string]bool{}
	for _, r := range linked {
		isLinked[r.Key] = true
	}
	open, err := sd.list(ctx, ticket.TypeIncident, true)
	if err != nil {
		return err
	}
	var keys []string
	for _, inc := range open {
		if isLinked[inc.Key] || !slices.ContainsFunc(pp.related, func(w string) bool {
			return strings.Contains(strings.ToLower(inc.Summary), strings.ToLower(w))
		}) {
			continue
		}
		if _, ok, err := sd.after(ctx, time.Time{}, time.Hour, inc.Key, p.Key); err != nil {
			return err
		} else if ok {
			keys = append(keys, inc.Key)
		}
		if len(keys) == 2 {
			break
		}
	}
	if len(keys) > 0 {
		t, ok, err := sd.after(ctx, time.Time{}, 30*time.Minute, append(keys, p.Key)...)
		if err != nil {
			return err
		}
		if ok {
			if _, err := sd.s.GroupIncidents(store.AtTime(ctx, t), sd.manager, keys, p.Key, nil); err != nil {
				return fmt.Errorf("group into %s: %w", p.Key, err)
			}
			sd.did(t, append(keys, p.Key)...)
			for _, k := range keys {
				isLinked[k] = true
			}
		}
	}
	// The workaround goes to an open incident of the problem that has room
	// for one more comment.
	for _, inc := range open {
		if !isLinked[inc.Key] {
			continue
		}
		cs, err := sd.s.Comments(ctx, directory.System, inc.Key)
		if err != nil {
			return err
		}
		if len(cs) >= maxComments {
			continue
		}
		t, ok, err := sd.after(ctx, time.Time{}, 10*time.Minute, inc.Key, p.Key)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if _, err := sd.s.ApplyKnownError(store.AtTime(ctx, t), sd.agent, k.ID, inc.Key, false); err != nil {
			return fmt.Errorf("apply %q to %s: %w", k.Title, inc.Key, err)
		}
		sd.did(t, inc.Key, p.Key)
		return nil
	}
	return nil
}

// majorIncident raises the demo's major incident, the newest ticket: the
// 4th floor in London has no Wi-Fi. It is declared major, its communication
// log tells the story, and it is linked to the change that caused it.
func (sd *seeder) majorIncident(ctx context.Context) error {
	newest, err := sd.s.Tickets(ctx, directory.System, store.TicketFilter{Sort: "created", Limit: 1})
	if err != nil {
		return err
	}
	// Between the newest ticket and the newest change of any: tickets are
	// numbered in the order they were raised, and nothing happens later.
	start := newest.Tickets[0].CreatedAt.Add(time.Minute)
	span := sd.end.Sub(start)
	if span < 15*time.Minute {
		return nil
	}
	step := min(span/16, 5*time.Minute)
	at := func(n int) context.Context { return store.AtTime(ctx, start.Add(time.Duration(n)*step)) }

	reporter, err := sd.actor(ctx, "alice@example.com")
	if err != nil {
		return err
	}
	rts, err := sd.s.RequestTypes(ctx, sd.service, false)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(rts, func(rt catalog.RequestType) bool { return rt.Name == "Wi-Fi or VPN not working" })
	if i < 0 {
		return nil
	}
	inc, err := sd.s.CreateTicket(at(0), reporter, store.NewTicket{
		Service: networkService, RequestType: strconv.FormatInt(rts[i].ID, 10), Channel: ticket.ChannelPortal,
		Summary:     "No Wi-Fi on the whole 4th floor in London",
		Description: "Nobody on the 4th floor has Wi-Fi since a few minutes ago; the whole Finance team is offline in the middle of the month-end close.",
		Impact:      "high", Urgency: "high", OrganizationID: reporter.OrganizationID,
		Fields: map[string]any{"connection": "Office Wi-Fi", "office": "London", "affected": float64(60),
			"details": "CORP-WIFI does not show up at all on laptops or phones."},
	})
	if err != nil {
		return fmt.Errorf("raise the major incident: %w", err)
	}
	if _, err := sd.s.Transition(at(1), sd.manager, inc.Key, store.TransitionInput{To: "start", AssigneeID: sd.manager.UserID,
		Comment: "On it: every access point on the 4th floor is offline on the controller."}); err != nil {
		return fmt.Errorf("start %s: %w", inc.Key, err)
	}
	if _, err := sd.s.DeclareMajorIncident(at(2), sd.manager, inc.Key,
		"60 people on the London 4th floor are offline, Finance's month-end close is blocked."); err != nil {
		return fmt.Errorf("declare %s major: %w", inc.Key, err)
	}
	updates := []struct {
		at       int
		audience ticket.Audience
		message  string
	}{
		{3, ticket.AudienceInternal, "Declared major. Marcus leads; Aisha is on the controller and the floor switch, Priya takes the calls."},
		{4, ticket.AudienceCustomers, "There is no Wi-Fi on the 4th floor in London. We are working on it; the wired ports at the desks and the 3rd floor work. Next update within 30 minutes."},
		{8, ticket.AudienceInternal, "The floor switch lost its PoE budget after a recent change; the access points have no power. Preparing the rollback."},
		{10, ticket.AudienceCustomers, "We found the cause and are rolling back the network change behind it. Expect Wi-Fi back on the 4th floor within the hour."},
	}
	// The change behind it: the latest network change implemented before,
	// linked between the updates, in the order it all happened.
	changes, err := sd.list(ctx, ticket.TypeChange, false)
	if err != nil {
		return err
	}
	slices.SortStableFunc(changes, func(a, b ticket.Ticket) int {
		return boolRank(isNetworkChange(b.Summary)) - boolRank(isNetworkChange(a.Summary))
	})
	const linkStep = 6
	var cause string
	for _, c := range changes {
		if c.Status != "Completed" {
			continue
		}
		if last, err := sd.last(ctx, c.Key); err != nil {
			return err
		} else if last.Before(start.Add(linkStep * step)) {
			cause = c.Key
			break
		}
	}
	for _, u := range updates {
		if cause != "" && u.at > linkStep {
			if _, err := sd.s.LinkIncidentCause(at(linkStep), sd.manager, inc.Key, cause); err != nil {
				return fmt.Errorf("link %s to %s: %w", inc.Key, cause, err)
			}
			cause = ""
		}
		if _, err := sd.s.PostCommunication(at(u.at), sd.manager, inc.Key, u.audience, u.message); err != nil {
			return fmt.Errorf("update on %s: %w", inc.Key, err)
		}
	}
	return nil
}

// isNetworkChange tells the changes of the network itself from firewall
// rule requests.
func isNetworkChange(summary string) bool {
	for _, w := range []string{"switch", "Wi-Fi", "GlobalProtect", "DHCP", "uplinks", "802.1X", "controller", "internet line"} {
		if strings.Contains(summary, w) {
			return true
		}
	}
	return false
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}
