package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/change"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/fulfilment"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// SeedChanges gives the demo its change enablement and fulfilment: a
// change advisory board and an emergency one (the team leads, named) with
// their approval rules, a standard change library, a freeze window,
// changes of every type in every state (one awaiting approval that
// collides with a scheduled one, one planned in the freeze, an emergency
// being implemented with its deployments, reviewed changes for the
// success rate, a declined one), and the new laptop's approval and task
// plan with two requests.
//
// Call it after the demo's people, services and tickets exist (last in
// Load): it dates its records after the newest ticket and before the time
// the demo was loaded (the demo admin's creation), so that the demo's
// tickets stay in the order of their keys. It does nothing when the
// library has templates already.
func SeedChanges(ctx context.Context, s *store.Store) error {
	if tpls, err := s.ChangeTemplates(ctx, false); err != nil || len(tpls) > 0 {
		return err
	}
	g := &changeSeed{s: s, ctx: ctx, now: time.Now().UTC().Truncate(time.Second), actors: map[string]directory.Actor{}}
	if admin, err := s.UserByEmail(ctx, adminLogin.Email); err == nil {
		g.now = admin.CreatedAt
	}
	// The seed's records take the last four hours, or what is left after
	// the newest ticket when that is later, scaled to fit.
	g.t0 = g.now.Add(-4 * time.Hour)
	newest, err := s.Tickets(ctx, directory.System, store.TicketFilter{Sort: "created", Limit: 1})
	if err != nil {
		return fmt.Errorf("demo changes: %w", err)
	}
	if len(newest.Tickets) > 0 && newest.Tickets[0].CreatedAt.Add(time.Minute).After(g.t0) {
		g.t0 = newest.Tickets[0].CreatedAt.Add(time.Minute)
	}
	span := g.now.Add(-time.Minute).Sub(g.t0)
	if span < time.Minute {
		return fmt.Errorf("demo changes: the newest ticket leaves no time before %s", g.now)
	}
	g.scale = float64(span) / float64(seedSpan)
	for _, step := range []func() error{g.boards, g.library, g.changes, g.laptops} {
		if err := step(); err != nil {
			return fmt.Errorf("demo changes: %w", err)
		}
	}
	return nil
}

// seedSpan is the nominal length of the seed's timeline: steps are given
// in minutes of it, and scaled to the time there is.
const seedSpan = 240 * time.Minute

type changeSeed struct {
	s      *store.Store
	ctx    context.Context
	now    time.Time // when the demo was loaded: nothing is dated later
	t0     time.Time // when the seed's timeline starts
	scale  float64
	actors map[string]directory.Actor
	err    error
}

// actor finds a demo person by email, with their teams.
func (g *changeSeed) actor(email string) directory.Actor {
	if a, ok := g.actors[email]; ok || g.err != nil {
		return a
	}
	u, err := g.s.UserByEmail(g.ctx, email)
	if err == nil {
		g.actors[email], err = g.s.Actor(g.ctx, u)
	}
	if err != nil {
		g.err = fmt.Errorf("%s: %w", email, err)
	}
	return g.actors[email]
}

// tm is the time m minutes into the seed's timeline.
func (g *changeSeed) tm(m float64) time.Time {
	return g.t0.Add(time.Duration(m * float64(time.Minute) * g.scale)).Truncate(time.Millisecond)
}

// at is a context whose commands are dated m minutes into the timeline.
func (g *changeSeed) at(m float64) context.Context { return store.AtTime(g.ctx, g.tm(m)) }

// day is midnight (UTC) n days from the day of the load, plus h hours.
func (g *changeSeed) day(n int, h float64) time.Time {
	d := time.Date(g.now.Year(), g.now.Month(), g.now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, n)
	return d.Add(time.Duration(h * float64(time.Hour)))
}

const (
	demoMarcus = "marcus.lindqvist@example.com" // Infrastructure & Network lead
	demoKenji  = "kenji.watanabe@example.com"
	demoAisha  = "aisha.rahman@example.com"
	demoElena  = "elena.petrova@example.com" // Security & Cloud lead
	demoRafael = "rafael.costa@example.com"
	demoPriya  = "priya.nair@example.com" // Service Desk lead
	demoTom    = "tom.becker@example.com"
	demoHenrik = "henrik.larsen@example.com" // Finance's head
	demoNetSvc = "Network infrastructure management"
	demoCloud  = "Cloud security"
)

// boards makes the change rules: the CAB and the emergency CAB are the
// team leads, named (the demo keeps its three teams).
func (g *changeSeed) boards() error {
	ids := func(emails ...string) []int64 {
		var out []int64
		for _, e := range emails {
			out = append(out, g.actor(e).UserID)
		}
		return out
	}
	rules := []change.Rule{
		{Name: "Change Advisory Board", ChangeTypes: []change.Type{change.TypeNormal}, MinRisk: change.LevelMedium, Approver: change.ApproverUsers,
			UserIDs: ids(demoMarcus, demoElena, demoPriya), Quorum: change.Quorum{Kind: change.QuorumCount, Count: 2}, Position: 1},
		{Name: "Service owner", ChangeTypes: []change.Type{change.TypeNormal}, Approver: change.ApproverServiceOwner,
			Quorum: change.Quorum{Kind: change.QuorumAny}, DeclineVetoes: true, Position: 2},
		{Name: "Emergency CAB", ChangeTypes: []change.Type{change.TypeEmergency}, Approver: change.ApproverUsers,
			UserIDs: ids(demoMarcus, demoElena), Quorum: change.Quorum{Kind: change.QuorumAny}, DeclineVetoes: true, Position: 3},
	}
	if g.err != nil {
		return g.err
	}
	for _, r := range rules {
		r.Active = true
		if _, err := g.s.SaveApprovalRule(g.at(0), directory.System, r); err != nil {
			return fmt.Errorf("rule %s: %w", r.Name, err)
		}
	}
	_, err := g.s.SetChangeSettings(g.at(0), directory.System, store.ChangeSettings{GatedEnvironments: []string{"production"}})
	return err
}

// library makes the standard change templates and the freeze window.
func (g *changeSeed) library() error {
	net, err := g.s.ServiceByRef(g.ctx, demoNetSvc)
	if err != nil {
		return err
	}
	cloud, err := g.s.ServiceByRef(g.ctx, demoCloud)
	if err != nil {
		return err
	}
	for _, t := range []change.Template{
		{Name: "Renew a TLS certificate", Description: "Replace a certificate that expires within 30 days with one from the internal CA or Let's Encrypt.",
			ImplementationPlan: "1. Issue the new certificate.\n2. Install it on the load balancer pair, standby first.\n3. Check the chain with `openssl s_client`.",
			BackoutPlan:        "Re-install the previous certificate (kept in the vault for 30 days).", Risk: change.LevelLow, ServiceID: net.ID},
		{Name: "Add a firewall rule (template NW-STD-04)", Description: "A rule between internal networks, least privilege, logged, reviewed by Security.",
			ImplementationPlan: "1. Add the rule on fw-core-01.\n2. Commit; HA syncs fw-core-02.\n3. Test with the requester.",
			BackoutPlan:        "Disable the rule and commit.", Risk: change.LevelLow, ServiceID: net.ID},
		{Name: "Rotate a service account key", Description: "Scheduled rotation of a cloud service account key.",
			ImplementationPlan: "1. Create the new key.\n2. Update the secret store.\n3. Restart the consumers.\n4. Delete the old key after 24 hours.",
			BackoutPlan:        "Re-enable the old key (disabled, not deleted, for 24 hours).", Risk: change.LevelMedium, ServiceID: cloud.ID},
	} {
		t.Active = true
		if _, err := g.s.SaveChangeTemplate(g.at(0), directory.System, t); err != nil {
			return fmt.Errorf("template %s: %w", t.Name, err)
		}
	}
	_, err = g.s.CreateFreezeWindow(g.at(0), directory.System, change.Freeze{Name: "Quarter-end freeze",
		Reason: "Finance closes the quarter: no changes to shared infrastructure.", Start: g.day(10, 0), End: g.day(13, 0), AllServices: true})
	return err
}

// changeAnswers are risk answers by how bold the change is, from 0
// (safest) to 2 (riskiest).
func changeAnswers(level int) map[string]string {
	out := map[string]string{}
	for _, q := range change.DefaultModel().Questions {
		out[q.Key] = q.Options[min(level, len(q.Options)-1)].Label
	}
	return out
}

// raise makes a change as the actor at minute m, assesses it (risk 0..2;
// -1 leaves it unassessed) and, when submit is set, submits it at m+2.
func (g *changeSeed) raise(m float64, by string, in store.NewChange, risk int, submit bool) (string, error) {
	in.Channel = ticket.ChannelAgent
	v, err := g.s.CreateChange(g.at(m), g.actor(by), in)
	if err != nil {
		return "", fmt.Errorf("change %q: %w", in.Summary, err)
	}
	if risk >= 0 {
		if _, err := g.s.AssessRisk(g.at(m), g.actor(by), v.Ticket.Key, changeAnswers(risk)); err != nil {
			return "", fmt.Errorf("assess %s: %w", v.Ticket.Key, err)
		}
	}
	if submit {
		if _, err := g.s.SubmitChange(g.at(m+2), g.actor(by), v.Ticket.Key, "Plan and backout reviewed with a second engineer."); err != nil {
			return "", fmt.Errorf("submit %s: %w", v.Ticket.Key, err)
		}
	}
	return v.Ticket.Key, g.err
}

// vote is one approver's decision at a minute of the timeline.
type vote struct {
	m                     float64
	who, decision, reason string
}

func (g *changeSeed) decide(key string, votes ...vote) error {
	for _, v := range votes {
		d, err := change.ParseVote(v.decision)
		if err != nil {
			return err
		}
		if _, err := g.s.Decide(g.at(v.m), g.actor(v.who), key, d, v.reason); err != nil {
			return fmt.Errorf("%s decides %s: %w", v.who, key, err)
		}
	}
	return g.err
}

// implement moves a scheduled change to Implementing at minute m,
// assigned to by.
func (g *changeSeed) implement(m float64, key, by string) error {
	_, err := g.s.Transition(g.at(m), g.actor(by), key, store.TransitionInput{To: "Implementing", AssigneeID: g.actor(by).UserID,
		Comment: "Starting now; the running configuration is backed up.", Internal: true})
	return err
}

func (g *changeSeed) review(m float64, key, by string, r change.Review) error {
	_, err := g.s.ReviewChange(g.at(m), g.actor(by), key, r)
	return err
}

// note adds an internal note at minute m.
func (g *changeSeed) note(m float64, key, by, body string, internal bool) error {
	_, err := g.s.AddComment(g.at(m), g.actor(by), key, body, internal)
	return err
}

// changes makes the demo's changes, in the order of the timeline.
func (g *changeSeed) changes() error {
	steps := []func() error{
		// Reviewed today, so the success rate has data: one success, one
		// backed out, one success on another service.
		func() error {
			key, err := g.raise(0, demoAisha, store.NewChange{Service: demoNetSvc, Summary: "Replace the Wi-Fi controller in Berlin",
				Description: "The controller is end of life; its replacement is racked and licensed.", PlannedStart: g.tm(10), PlannedEnd: g.tm(40),
				ImplementationPlan: "1. Export the configuration.\n2. Import on the new controller.\n3. Move the access points group by group.",
				BackoutPlan:        "Point the access points back at the old controller (DHCP option 43)."}, 1, true)
			if err == nil {
				err = g.decide(key, vote{5, demoMarcus, "approve", "Good plan."}, vote{8, demoElena, "approve", ""})
			}
			if err == nil {
				err = g.implement(10, key, demoAisha)
			}
			if err == nil {
				err = g.review(45, key, demoAisha, change.Review{Outcome: change.OutcomeSuccess, Summary: "All 42 access points moved.",
					WentWell: "Moving the access points floor by floor kept most users online.", FollowUp: "Decommission the old controller."})
			}
			return err
		},
		func() error {
			key, err := g.raise(12, demoKenji, store.NewChange{Service: demoNetSvc, Summary: "Enable IPv6 on the guest network",
				PlannedStart: g.tm(20), PlannedEnd: g.tm(30), ImplementationPlan: "Enable router advertisements on the guest VLAN.", BackoutPlan: "Disable them again."}, 0, true)
			if err == nil {
				err = g.decide(key, vote{16, demoMarcus, "approve", ""})
			}
			if err == nil {
				err = g.implement(20, key, demoKenji)
			}
			if err == nil {
				err = g.review(50, key, demoKenji, change.Review{Outcome: change.OutcomeBackedOut, Summary: "Backed out after 10 minutes.",
					WentWrong: "Some guest laptops preferred IPv6 and the captive portal did not answer on it.",
					FollowUp:  "Problem to raise: the captive portal's IPv6 support."})
			}
			return err
		},
		func() error {
			key, err := g.raise(22, demoRafael, store.NewChange{Service: demoCloud, Summary: "Rotate the AWS organization's break-glass credentials",
				PlannedStart: g.tm(28), PlannedEnd: g.tm(35), ImplementationPlan: "Rotate, store in the vault, test the sign-in.", BackoutPlan: "None needed."}, 0, true)
			if err == nil {
				err = g.decide(key, vote{26, demoElena, "approve", ""})
			}
			if err == nil {
				err = g.implement(28, key, demoRafael)
			}
			if err == nil {
				err = g.review(55, key, demoRafael, change.Review{Outcome: change.OutcomeSuccess, Summary: "Rotated and tested."})
			}
			return err
		},
		// Declined by the CAB: too risky as planned.
		func() error {
			key, err := g.raise(60, demoKenji, store.NewChange{Service: demoNetSvc, Summary: "Open SSH from the internet for the vendor's support",
				PlannedStart: g.day(2, 14), PlannedEnd: g.day(2, 16), ImplementationPlan: "Add a rule from any to jump-01 port 22.", BackoutPlan: "Remove the rule."}, 2, true)
			if err == nil {
				err = g.decide(key, vote{70, demoElena, "decline", "Use the vendor access portal with MFA instead; SSH from anywhere is not acceptable."},
					vote{75, demoPriya, "decline", "Agree with Elena."})
			}
			return err
		},
		// Standard: pre-approved, scheduled for tomorrow evening.
		func() error {
			v, err := g.s.CreateChange(g.at(80), g.actor(demoAisha), store.NewChange{Type: "standard", Template: "Renew a TLS certificate",
				Summary: "Renew the TLS certificate of vpn.example.com", PlannedStart: g.day(1, 20), PlannedEnd: g.day(1, 20.5), Channel: ticket.ChannelAgent})
			if err != nil {
				return fmt.Errorf("standard change: %w", err)
			}
			return g.note(82, v.Ticket.Key, demoAisha, "Certificate requested from the internal CA; installing it tomorrow evening.", true)
		},
		// Two changes on the core network the same evening: one scheduled,
		// one awaiting the CAB (one of two approvals in). They collide.
		func() error {
			key, err := g.raise(90, demoAisha, store.NewChange{Service: demoNetSvc, Summary: "Re-cable row B of the data centre",
				PlannedStart: g.day(3, 21), PlannedEnd: g.day(3, 23.5), ImplementationPlan: "Move the uplinks of racks B1 to B6 to the new patch panel.",
				BackoutPlan: "Patch back to the old panel; photos of the old cabling are attached."}, 0, true)
			if err == nil {
				err = g.decide(key, vote{100, demoMarcus, "approve", "Fine, it's a low-risk job."})
			}
			return err
		},
		func() error {
			key, err := g.raise(110, demoKenji, store.NewChange{Service: demoNetSvc, Summary: "Upgrade the core switch firmware to 17.9",
				Description: "Fixes the memory leak behind the monthly reboots.", PlannedStart: g.day(3, 20), PlannedEnd: g.day(3, 23),
				ImplementationPlan: "1. Upgrade the standby switch.\n2. Fail over.\n3. Upgrade the other.", BackoutPlan: "Boot the previous image (kept on flash)."}, 1, true)
			if err == nil {
				err = g.decide(key, vote{120, demoMarcus, "approve", "Tested in the lab last week."})
			}
			return err
		},
		// Planned in the quarter-end freeze: flagged, still in Planning.
		func() error {
			key, err := g.raise(130, demoKenji, store.NewChange{Service: demoNetSvc, Summary: "Move DNS to the new resolvers",
				PlannedStart: g.day(11, 20), PlannedEnd: g.day(11, 22), ImplementationPlan: "Change the DHCP scopes to hand out the new resolvers.",
				BackoutPlan: "Revert the scopes."}, 2, false)
			if err == nil {
				err = g.note(132, key, demoKenji, "The only free evening is in the quarter-end freeze; asking Finance whether we may.", true)
			}
			return err
		},
		// An emergency being implemented now, deployed by its pipeline; a
		// deployment to production without a change is refused.
		func() error {
			key, err := g.raise(140, demoAisha, store.NewChange{Type: "emergency", Service: demoNetSvc, Summary: "Patch the VPN appliances against the exploited advisory",
				Description: "The advisory is being exploited in the wild; the vendor's hotfix is out.", PlannedStart: g.tm(140), PlannedEnd: g.now.Add(3 * time.Hour),
				ImplementationPlan: "Apply the hotfix to the standby, fail over, apply to the other.", BackoutPlan: "Roll back to the previous firmware."}, -1, true)
			if err == nil {
				err = g.decide(key, vote{145, demoElena, "approve", "Emergency approved; go ahead now."})
			}
			if err == nil {
				err = g.implement(150, key, demoAisha)
			}
			if err != nil {
				return err
			}
			run := store.DeploymentInput{Pipeline: "gitlab/vpn-config", Environment: "production", Version: "2026.1-hotfix3", Status: "started",
				Change: key, Commit: "9f1c2ab", Link: "https://gitlab.example.com/net/vpn-config/-/pipelines/4711"}
			if _, _, err := g.s.RecordDeployment(g.at(155), g.actor(demoAisha), run); err != nil {
				return err
			}
			run.Status = "succeeded"
			if _, _, err := g.s.RecordDeployment(g.at(170), g.actor(demoAisha), run); err != nil {
				return err
			}
			cloud := store.DeploymentInput{Pipeline: "github/cloud-iam", Environment: "production", Version: "v1.42.0", Status: "started", Service: demoCloud, Commit: "c0ffee1"}
			if _, _, err := g.s.RecordDeployment(g.at(180), g.actor(demoRafael), cloud); err != nil { // refused: no change
				return err
			}
			cloud.Environment, cloud.Status = "staging", "succeeded"
			_, _, err = g.s.RecordDeployment(g.at(190), g.actor(demoRafael), cloud)
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// laptops gives the new laptop an approval and a task plan, and raises
// two requests: one approved and half done, one waiting for approval.
func (g *changeSeed) laptops() error {
	svc, err := g.s.ServiceByRef(g.ctx, "Laptop setup")
	if err != nil {
		return err
	}
	rts, err := g.s.RequestTypes(g.ctx, svc.ID, false)
	if err != nil {
		return err
	}
	var rt catalog.RequestType
	for _, r := range rts {
		if r.Name == "New laptop" {
			rt = r
		}
	}
	if rt.ID == 0 {
		return fmt.Errorf("no request type New laptop")
	}
	teams, err := g.s.Teams(g.ctx)
	if err != nil {
		return err
	}
	teamID := map[string]int64{}
	for _, t := range teams {
		teamID[t.Name] = t.ID
	}
	priya := g.actor(demoPriya)
	if g.err != nil {
		return g.err
	}
	if _, err := g.s.SaveApprovalRule(g.at(0), directory.System, change.Rule{Name: "IT budget owner", RequestTypeID: rt.ID,
		Approver: change.ApproverUsers, UserIDs: []int64{priya.UserID}, Quorum: change.Quorum{Kind: change.QuorumAny}, DeclineVetoes: true, Active: true}); err != nil {
		return err
	}
	if _, err := g.s.SetFulfilmentPlan(g.at(0), directory.System, rt.ID, []fulfilment.TaskTemplate{
		{Name: "Order the laptop", Description: "Standard models from stock, others from Dell or Apple.", TeamID: teamID[serviceDesk], Stage: 1},
		{Name: "Create the accounts and licences", Description: "Entra ID account, Microsoft 365 and VPN licences.", TeamID: teamID[security], Stage: 1},
		{Name: "Image and enrol the laptop", Description: "Autopilot, BitLocker, Intune enrolment.", TeamID: teamID[serviceDesk], Stage: 2},
		{Name: "Hand over", Description: "At the IT bar, with the first sign-in.", TeamID: teamID[serviceDesk], Stage: 3},
	}); err != nil {
		return err
	}
	raise := func(m float64, email, summary, reason string) (ticket.Ticket, error) {
		who := g.actor(email)
		if g.err != nil {
			return ticket.Ticket{}, g.err
		}
		tk, err := g.s.CreateTicket(g.at(m), who, store.NewTicket{Service: svc.Name, RequestType: rt.Name, Summary: summary, Channel: ticket.ChannelPortal,
			Description: "Standard set-up please.", Fields: map[string]any{"for_user": who.UserID, "reason": reason, "model": "Dell Latitude 7450 (standard)",
				"needed_by": g.day(14, 0).Format(time.DateOnly), "cost_center": costCenters[orgOf(email)], "manager_approval": true}})
		if err != nil {
			return tk, fmt.Errorf("laptop request: %w", err)
		}
		return tk, g.s.StartRequest(g.at(m), tk.Key)
	}
	tk, err := raise(200, "alice@example.com", "Replacement laptop: battery swollen", "Replacement (damaged)")
	if err != nil {
		return err
	}
	if _, err := g.s.Decide(g.at(210), priya, tk.Key, change.Approved, "Approved: replacement under the lease."); err != nil {
		return err
	}
	tasks, err := g.s.Tasks(g.ctx, directory.System, tk.Key)
	if err != nil {
		return err
	}
	for _, k := range tasks {
		if k.Name == "Order the laptop" {
			if _, err := g.s.CompleteTask(g.at(220), g.actor(demoTom), k.ID, "From stock: LT-02611."); err != nil {
				return err
			}
		}
	}
	tk, err = raise(230, demoHenrik, "Laptop for new starter Maja Berg", "New starter")
	if err != nil {
		return err
	}
	return g.note(232, tk.Key, demoHenrik, "Maja starts on the first of the month; a docking station would help too.", false)
}

// orgOf is the organization of a demo customer.
func orgOf(email string) string {
	for _, p := range staffAndCustomers() {
		if p.email == email {
			return p.org
		}
	}
	return ""
}
