package store_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/change"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// changeFixture is the store fixture with a change advisory board: three
// agents (Cora, Cole, Cleo) in team CAB, who serve no service, and Cora
// alone in team ECAB.
type changeFixture struct {
	*fixture
	cab, ecab        directory.Team
	cora, cole, cleo directory.Actor
}

func newChangeFixture(t *testing.T, s *store.Store) *changeFixture {
	t.Helper()
	f := &changeFixture{fixture: newFixture(t, s)}
	if err := s.EnsureDefaultCITypes(f.ctx); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, name := range []string{"Cora", "Cole", "Cleo"} {
		u, err := s.CreateUser(f.ctx, directory.System, store.NewUser{Email: strings.ToLower(name) + "@example.com", Name: name + " CAB", Role: directory.RoleAgent})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	var err error
	if f.cab, err = s.CreateTeam(f.ctx, directory.System, "CAB", ids); err != nil {
		t.Fatal(err)
	}
	if f.ecab, err = s.CreateTeam(f.ctx, directory.System, "ECAB", ids[:1]); err != nil {
		t.Fatal(err)
	}
	for i, a := range []*directory.Actor{&f.cora, &f.cole, &f.cleo} {
		u, err := s.User(f.ctx, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		*a = f.actor(t, u)
	}
	return f
}

// window is a planned window starting h hours after the fixture's clock.
func (f *changeFixture) window(h, hours int) (time.Time, time.Time) {
	start := f.clock.now.Add(time.Duration(h) * time.Hour)
	return start, start.Add(time.Duration(hours) * time.Hour)
}

// normal raises a normal change on a service as Nina, planned h hours
// from now for two hours.
func (f *changeFixture) normal(t *testing.T, service, summary string, h int, services ...string) store.ChangeView {
	t.Helper()
	start, end := f.window(h, 2)
	v, err := f.s.CreateChange(f.ctx, f.nina, store.NewChange{Type: "normal", Service: service, Summary: summary,
		PlannedStart: start, PlannedEnd: end, ImplementationPlan: "Do it.", BackoutPlan: "Undo it.", Services: services})
	if err != nil {
		t.Fatalf("create change %q: %v", summary, err)
	}
	return v
}

// safeAnswers answers the default questionnaire with its safest answers.
func safeAnswers() map[string]string {
	out := map[string]string{}
	for _, q := range change.DefaultModel().Questions {
		out[q.Key] = q.Options[0].Label
	}
	return out
}

// rule saves an approval rule as the admin.
func (f *changeFixture) rule(t *testing.T, r change.Rule) change.Rule {
	t.Helper()
	r.Active = true
	out, err := f.s.SaveApprovalRule(f.ctx, f.admin, r)
	if err != nil {
		t.Fatalf("rule %q: %v", r.Name, err)
	}
	return out
}

// submit assesses (safest answers) and submits a normal change as Nina.
func (f *changeFixture) submit(t *testing.T, key string) store.ChangeView {
	t.Helper()
	if _, err := f.s.AssessRisk(f.ctx, f.nina, key, safeAnswers()); err != nil {
		t.Fatalf("assess %s: %v", key, err)
	}
	v, err := f.s.SubmitChange(f.ctx, f.nina, key, "")
	if err != nil {
		t.Fatalf("submit %s: %v", key, err)
	}
	return v
}

func (f *changeFixture) status(t *testing.T, key string) string {
	t.Helper()
	tk, err := f.s.Ticket(f.ctx, directory.System, key)
	if err != nil {
		t.Fatal(err)
	}
	return tk.Status
}

func TestStandardChange(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newChangeFixture(t, s)
		tpl, err := s.SaveChangeTemplate(f.ctx, f.admin, change.Template{Name: "Add a VLAN", Description: "A new VLAN on the access switches.",
			ImplementationPlan: "1. Add the VLAN. 2. Tag the ports.", BackoutPlan: "Remove the VLAN.", Risk: change.LevelLow, ServiceID: f.network.ID, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.SaveChangeTemplate(f.ctx, f.nina, change.Template{Name: "x", ImplementationPlan: "y", Risk: change.LevelLow})
		wantErr(t, "agent edits the library", err, errs.KindForbidden, "")
		_, err = s.SaveChangeTemplate(f.ctx, f.admin, change.Template{Name: "add a vlan", ImplementationPlan: "y", Risk: change.LevelLow})
		wantErr(t, "duplicate name", err, errs.KindConflict, "name")

		start, end := f.window(24, 1)
		before := f.counts(t)
		_, err = s.CreateChange(f.ctx, f.nina, store.NewChange{Type: "standard", Template: "Add a VLAN"})
		wantErr(t, "standard without window", err, errs.KindInvalid, "planned_start")
		_, err = s.CreateChange(f.ctx, f.nina, store.NewChange{Type: "standard", PlannedStart: start, PlannedEnd: end})
		wantErr(t, "standard without template", err, errs.KindInvalid, "template")
		_, err = s.CreateChange(f.ctx, f.nina, store.NewChange{Type: "normal", Template: "Add a VLAN", Service: "Network", Summary: "x"})
		wantErr(t, "normal with template", err, errs.KindInvalid, "template")
		_, err = s.CreateChange(f.ctx, f.alice, store.NewChange{Type: "standard", Template: "Add a VLAN", PlannedStart: start, PlannedEnd: end})
		wantErr(t, "customer", err, errs.KindForbidden, "")
		_, err = s.CreateChange(f.ctx, f.nina, store.NewChange{Type: "normal", Service: "Network", Summary: "x", PlannedStart: end, PlannedEnd: start})
		wantErr(t, "window backwards", err, errs.KindInvalid, "planned_end")
		sameCounts(t, "rejected changes", before, f.counts(t))

		v, err := s.CreateChange(f.ctx, f.nina, store.NewChange{Type: "standard", Template: "add a vlan", PlannedStart: start, PlannedEnd: end})
		if err != nil {
			t.Fatal(err)
		}
		if v.Ticket.Status != change.StatusScheduled || v.Ticket.Summary != "Add a VLAN" || v.Ticket.Service != "Network" {
			t.Errorf("standard change: %s %q on %s, want Scheduled, the template's name, on Network", v.Ticket.Status, v.Ticket.Summary, v.Ticket.Service)
		}
		if v.Change.Type != change.TypeStandard || v.Change.TemplateID != tpl.ID || v.Change.ImplementationPlan != tpl.ImplementationPlan {
			t.Errorf("record: %+v", v.Change)
		}
		if v.Change.Risk == nil || v.Change.Risk.Level != change.LevelLow || v.Change.Risk.Contributions[0].Factor != "template" {
			t.Errorf("risk: %+v", v.Change.Risk)
		}
		if len(v.Approval.Steps) != 0 || v.Approval.Decision != "" {
			t.Errorf("a standard change asked for approval: %+v", v.Approval)
		}
		hist, err := s.History(f.ctx, f.nina, v.Ticket.Key)
		if err != nil {
			t.Fatal(err)
		}
		var moves []string
		for _, e := range hist {
			if e.Type == ticket.EventTransitioned {
				moves = append(moves, e.Actor+": "+e.Changes[0].To.(string))
			}
		}
		if !slices.Equal(moves, []string{"Cairn: Awaiting approval", "Cairn: Scheduled"}) {
			t.Errorf("moves %v, want Cairn through Awaiting approval to Scheduled", moves)
		}
		_, err = s.AssessRisk(f.ctx, f.nina, v.Ticket.Key, safeAnswers())
		wantErr(t, "assess a standard change", err, errs.KindConflict, "")

		tpl.Active = false
		if _, err := s.SaveChangeTemplate(f.ctx, f.admin, tpl); err != nil {
			t.Fatal(err)
		}
		_, err = s.CreateChange(f.ctx, f.nina, store.NewChange{Type: "standard", Template: "Add a VLAN", PlannedStart: start, PlannedEnd: end})
		wantErr(t, "retired template", err, errs.KindInvalid, "template")
		if all, _ := s.ChangeTemplates(f.ctx, true); len(all) != 0 {
			t.Errorf("active templates: %v", all)
		}
	})
}

func TestNormalChangeApproval(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newChangeFixture(t, s)
		f.rule(t, change.Rule{Name: "CAB", ChangeTypes: []change.Type{change.TypeNormal}, Approver: change.ApproverTeam, TeamID: f.cab.ID,
			Quorum: change.Quorum{Kind: change.QuorumCount, Count: 2}})
		f.rule(t, change.Rule{Name: "High risk: owners too", ChangeTypes: []change.Type{change.TypeNormal}, MinRisk: change.LevelHigh,
			Approver: change.ApproverServiceOwner, Quorum: change.Quorum{Kind: change.QuorumAll}})
		v := f.normal(t, "Network", "Upgrade the core switch", 48)
		key := v.Ticket.Key
		if v.Ticket.Status != change.StatusPlanning || v.Change.Type != change.TypeNormal {
			t.Fatalf("new change: %s %s", v.Ticket.Status, v.Change.Type)
		}

		_, err := s.SubmitChange(f.ctx, f.nina, key, "")
		wantErr(t, "submit before assessing", err, errs.KindInvalid, "risk")
		_, err = s.AssessRisk(f.ctx, f.nina, key, map[string]string{"tested": "No"})
		wantErr(t, "half the answers", err, errs.KindInvalid, "answers.backout")
		a, err := s.AssessRisk(f.ctx, f.nina, key, safeAnswers())
		if err != nil {
			t.Fatal(err)
		}
		if a.Level != change.LevelLow || a.AssessedBy != "Nina Network" {
			t.Errorf("assessment %+v", a)
		}
		v, err = s.SubmitChange(f.ctx, f.nina, key, "Ready for the board.")
		if err != nil {
			t.Fatal(err)
		}
		if v.Ticket.Status != change.StatusAwaitingApproval || v.Approval.Decision != change.Pending {
			t.Fatalf("submitted: %s, approval %s", v.Ticket.Status, v.Approval.Decision)
		}
		// Low risk: only the CAB rule applies.
		if len(v.Approval.Steps) != 1 || v.Approval.Steps[0].Name != "CAB" || len(v.Approval.Steps[0].Approvals) != 3 || v.Approval.Steps[0].Needed != 2 {
			t.Fatalf("steps %+v", v.Approval.Steps)
		}
		_, err = s.UpdateChange(f.ctx, f.nina, key, store.ChangePatch{ImplementationPlan: ptr("Something else")})
		wantErr(t, "edit a submitted plan", err, errs.KindConflict, "")
		if err := s.CheckTransition(f.ctx, f.nina, key, "Scheduled"); !errs.Is(err, errs.KindConflict) {
			t.Errorf("approving by hand while approvals are pending: %v, want a conflict", err)
		}
		if err := s.CheckTransition(f.ctx, f.nina, key, "Canceled"); err != nil {
			t.Errorf("canceling while approvals are pending: %v", err)
		}

		// Cora approves: one of two. Cole approves: the quorum is reached
		// and Cairn schedules the change.
		st, err := s.Decide(f.ctx, f.cora, key, change.Approved, "")
		if err != nil {
			t.Fatal(err)
		}
		if st.Decision != change.Pending || f.status(t, key) != change.StatusAwaitingApproval {
			t.Fatalf("after one approval: %s, %s", st.Decision, f.status(t, key))
		}
		_, err = s.Decide(f.ctx, f.cora, key, change.Approved, "")
		wantErr(t, "approve twice", err, errs.KindConflict, "")
		st, err = s.Decide(f.ctx, f.cole, key, change.Approved, "Fine by me")
		if err != nil {
			t.Fatal(err)
		}
		if st.Decision != change.Approved || f.status(t, key) != change.StatusScheduled {
			t.Fatalf("after two approvals: %s, %s", st.Decision, f.status(t, key))
		}
		cleo := st.Steps[0].Approvals[slices.IndexFunc(st.Steps[0].Approvals, func(a store.Approval) bool { return a.ApproverID == f.cleo.UserID })]
		if cleo.Status != change.Canceled {
			t.Errorf("Cleo's approval is %s, want withdrawn once the quorum was reached", cleo.Status)
		}
		_, err = s.Decide(f.ctx, f.cleo, key, change.Approved, "")
		wantErr(t, "approve after the quorum", err, errs.KindConflict, "")
		hist, _ := s.History(f.ctx, f.admin, key)
		last := hist[len(hist)-1]
		if last.Type != ticket.EventTransitioned || last.Actor != "Cairn" || last.Changes[0].To != change.StatusScheduled {
			t.Errorf("last event %+v, want Cairn scheduling it", last)
		}
		comments, _ := s.Comments(f.ctx, f.admin, key)
		if len(comments) != 3 || comments[2].Body != "Approved: Fine by me" || !comments[2].Internal {
			t.Errorf("comments %+v", comments)
		}
	})
}

func TestChangeRiskFromCMDB(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newChangeFixture(t, s)
		db, err := s.CreateCI(f.ctx, f.nina, store.NewCI{Name: "db-prod-01", Type: "database", Criticality: "critical", OwnerTeamID: f.deskTeam.ID})
		if err != nil {
			t.Fatal(err)
		}
		sw, err := s.CreateCI(f.ctx, f.nina, store.NewCI{Name: "core-switch", Type: "network_device", Criticality: "low", OwnerTeamID: f.netTeam.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddRelationship(f.ctx, f.nina, db.ID, "depends_on", sw.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LinkServiceCI(f.ctx, f.admin, f.laptops.ID, db.ID); err != nil {
			t.Fatal(err)
		}
		v := f.normal(t, "Network", "Replace the core switch", 24)
		if _, err := s.LinkTicketCI(f.ctx, f.nina, v.Ticket.Key, sw.ID); err != nil {
			t.Fatal(err)
		}
		a, err := s.AssessRisk(f.ctx, f.nina, v.Ticket.Key, safeAnswers())
		if err != nil {
			t.Fatal(err)
		}
		// The switch is low, but the critical database depends on it, and
		// the Laptops service is built on the database.
		want := []string{"+5 Most critical CI touched or affected: critical (db-prod-01)", "+1 Services affected: 2 (Network, Laptops)"}
		if a.Score != 6 || a.Level != change.LevelMedium || !slices.Equal(a.Explain(), want) {
			t.Errorf("assessment %d %s %q, want 6 medium %q", a.Score, a.Level, a.Explain(), want)
		}
		rec, err := s.Change(f.ctx, f.nina, v.Ticket.Key)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(rec.Change.ServiceIDs, []int64{f.network.ID, f.laptops.ID}) || !slices.Equal(rec.Change.CIIDs, []int64{sw.ID}) {
			t.Errorf("scope: services %v CIs %v", rec.Change.ServiceIDs, rec.Change.CIIDs)
		}
		// CI owners approve: the switch's owner team (Network: Nina) — but
		// Nina raised the change, so nobody is left: refused, naming the rule.
		f.rule(t, change.Rule{Name: "CI owners", ChangeTypes: []change.Type{change.TypeNormal}, Approver: change.ApproverCIOwner, Quorum: change.Quorum{Kind: change.QuorumAll}})
		_, err = s.SubmitChange(f.ctx, f.nina, v.Ticket.Key, "")
		if e, ok := errs.As(err); !ok || e.Code != "no_approvers" || !strings.Contains(e.Message, "CI owners") {
			t.Errorf("submit with only the requester to approve: %v", err)
		}
		if f.status(t, v.Ticket.Key) != change.StatusPlanning {
			t.Error("a refused submission moved the change")
		}
		// Raised by Dave instead, Nina approves alone.
		start, end := f.window(72, 1)
		v2, err := s.CreateChange(f.ctx, f.admin, store.NewChange{Service: "Network", Summary: "Reboot the switch", PlannedStart: start, PlannedEnd: end})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.LinkTicketCI(f.ctx, f.nina, v2.Ticket.Key, sw.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AssessRisk(f.ctx, f.nina, v2.Ticket.Key, safeAnswers()); err != nil {
			t.Fatal(err)
		}
		v2, err = s.SubmitChange(f.ctx, f.admin, v2.Ticket.Key, "")
		if err != nil {
			t.Fatal(err)
		}
		if n := len(v2.Approval.Steps); n != 1 || v2.Approval.Steps[0].Approvals[0].ApproverID != f.nina.UserID {
			t.Errorf("CI owner step: %+v", v2.Approval.Steps)
		}
	})
}

func TestChangeCalendar(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newChangeFixture(t, s)
		a := f.normal(t, "Network", "Firmware on the core", 24)
		b := f.normal(t, "Network", "New firewall rules", 25)
		c := f.normal(t, "Laptops", "Image update", 25)
		d := f.normal(t, "Laptops", "Dock drivers", 25, "Network") // touches Network too
		if _, err := s.CreateChange(f.ctx, f.nina, store.NewChange{Service: "Network", Summary: "Unplanned"}); err != nil {
			t.Fatal(err)
		}
		start, _ := f.window(24, 0)
		_, err := s.CreateFreezeWindow(f.ctx, f.nina, change.Freeze{Name: "x", Start: start, End: start.Add(time.Hour), AllServices: true})
		wantErr(t, "agent freezes", err, errs.KindForbidden, "")
		fr, err := s.CreateFreezeWindow(f.ctx, f.admin, change.Freeze{Name: "Laptop refresh freeze", Start: start.Add(-time.Hour), End: start.Add(2 * time.Hour), ServiceIDs: []int64{f.laptops.ID}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.CreateFreezeWindow(f.ctx, f.admin, change.Freeze{Name: "x", Start: start, End: start.Add(time.Hour), ServiceIDs: []int64{9999}})
		wantErr(t, "freeze of an unknown service", err, errs.KindInvalid, "services[0]")

		cal, err := s.ChangeCalendar(f.ctx, f.admin, store.ChangeFilter{From: start.Add(-24 * time.Hour), To: start.Add(48 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		for _, e := range cal.Changes {
			got[e.Ticket.Key] = []string{}
			for _, cf := range e.Conflicts {
				got[e.Ticket.Key] = append(got[e.Ticket.Key], string(cf.Kind)+":"+cf.Change+cf.Name)
			}
			slices.Sort(got[e.Ticket.Key])
		}
		want := map[string][]string{
			a.Ticket.Key: {"collision:" + b.Ticket.Key + "New firewall rules", "collision:" + d.Ticket.Key + "Dock drivers"},
			b.Ticket.Key: {"collision:" + a.Ticket.Key + "Firmware on the core", "collision:" + d.Ticket.Key + "Dock drivers"},
			c.Ticket.Key: {"collision:" + d.Ticket.Key + "Dock drivers", "freeze:Laptop refresh freeze"},
			d.Ticket.Key: {"collision:" + a.Ticket.Key + "Firmware on the core", "collision:" + b.Ticket.Key + "New firewall rules",
				"collision:" + c.Ticket.Key + "Image update", "freeze:Laptop refresh freeze"},
		}
		for k, w := range want {
			if !slices.Equal(got[k], w) {
				t.Errorf("%s conflicts %v, want %v", k, got[k], w)
			}
		}
		if len(cal.Changes) != 4 || len(cal.Freezes) != 1 || cal.Freezes[0].ID != fr.ID {
			t.Errorf("calendar holds %d changes and %d freezes", len(cal.Changes), len(cal.Freezes))
		}
		// Dave works on Laptops only: he sees c and d, and d's collisions
		// with Network changes without their keys.
		cal, err = s.ChangeCalendar(f.ctx, f.dave, store.ChangeFilter{From: start.Add(-24 * time.Hour), To: start.Add(48 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if len(cal.Changes) != 2 {
			t.Fatalf("Dave sees %d changes", len(cal.Changes))
		}
		for _, e := range cal.Changes {
			for _, cf := range e.Conflicts {
				if cf.Kind == change.ConflictCollision && cf.Change != "" && cf.Change != c.Ticket.Key && cf.Change != d.Ticket.Key {
					t.Errorf("Dave is shown %s", cf.Change)
				}
			}
		}
		v, err := s.Change(f.ctx, f.dave, a.Ticket.Key)
		wantErr(t, "Dave reads a Network change", err, errs.KindNotFound, "")
		v, err = s.Change(f.ctx, f.dave, c.Ticket.Key)
		if err != nil || len(v.Conflicts) != 2 {
			t.Errorf("c's own conflicts: %v %+v", err, v.Conflicts)
		}
		_, err = s.ChangeCalendar(f.ctx, f.admin, store.ChangeFilter{From: start, To: start.Add(200 * 24 * time.Hour)})
		wantErr(t, "a calendar of 200 days", err, errs.KindInvalid, "to")
		if err := s.DeleteFreezeWindow(f.ctx, f.admin, fr.ID); err != nil {
			t.Fatal(err)
		}
		if v, _ := s.Change(f.ctx, f.dave, c.Ticket.Key); len(v.Conflicts) != 1 {
			t.Errorf("after the freeze is lifted: %+v", v.Conflicts)
		}
	})
}

func TestChangeReview(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newChangeFixture(t, s)
		raise := func(service, summary string) string {
			start, end := f.window(0, 4)
			v, err := s.CreateChange(f.ctx, f.admin, store.NewChange{Service: service, Summary: summary, PlannedStart: start, PlannedEnd: end})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.AssessRisk(f.ctx, f.admin, v.Ticket.Key, safeAnswers()); err != nil {
				t.Fatal(err)
			}
			if v, err = s.SubmitChange(f.ctx, f.admin, v.Ticket.Key, ""); err != nil {
				t.Fatal(err)
			}
			// No rule applies: the owner team of the service approves.
			if step := v.Approval.Steps[0]; step.Name != "Owner team of "+service || step.Quorum.Kind != change.QuorumAny {
				t.Fatalf("fallback step %+v", step)
			}
			return v.Ticket.Key
		}
		ok, bad, lap := raise("Network", "Works"), raise("Network", "Breaks"), raise("Laptops", "Backed out")
		_, err := s.Decide(f.ctx, f.dave, ok, change.Approved, "")
		wantErr(t, "Dave approves a Network change", err, errs.KindNotFound, "")
		_, err = s.Decide(f.ctx, f.nina, ok, change.Declined, "")
		wantErr(t, "decline without a reason", err, errs.KindInvalid, "comment")
		for key, who := range map[string]directory.Actor{ok: f.nina, bad: f.nina, lap: f.dave} {
			if _, err := s.Decide(f.ctx, who, key, change.Approved, ""); err != nil {
				t.Fatal(err)
			}
			_, err := s.ReviewChange(f.ctx, who, key, change.Review{Outcome: change.OutcomeSuccess, Summary: "x"})
			wantErr(t, "review a scheduled change", err, errs.KindConflict, "")
			if _, err := s.Transition(f.ctx, who, key, store.TransitionInput{To: "Implementing", AssigneeID: who.UserID}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Transition(f.ctx, f.nina, bad, store.TransitionInput{To: "Review"}); err != nil {
			t.Fatal(err)
		}
		v, err := s.ReviewChange(f.ctx, f.nina, ok, change.Review{Outcome: "SUCCESS", Summary: "Upgraded in 20 minutes.", WentWell: "The runbook."})
		if err != nil {
			t.Fatal(err)
		}
		if v.Ticket.Status != "Completed" || v.Ticket.Resolution != "Successful" || v.Change.Review.Outcome != change.OutcomeSuccess || v.Change.Review.ReviewedBy != "Nina Network" {
			t.Errorf("reviewed success: %s %s %+v", v.Ticket.Status, v.Ticket.Resolution, v.Change.Review)
		}
		_, err = s.ReviewChange(f.ctx, f.nina, bad, change.Review{Outcome: change.OutcomeFailed, Summary: "Broke VPN."})
		wantErr(t, "failure without what went wrong", err, errs.KindInvalid, "went_wrong")
		v, err = s.ReviewChange(f.ctx, f.nina, bad, change.Review{Outcome: change.OutcomeFailed, Summary: "Broke VPN.", WentWrong: "MTU mismatch."})
		if err != nil {
			t.Fatal(err)
		}
		if v.Ticket.Status != "Failed" || v.Ticket.Resolution != "Failed" {
			t.Errorf("reviewed failure: %s %s", v.Ticket.Status, v.Ticket.Resolution)
		}
		v, err = s.ReviewChange(f.ctx, f.dave, lap, change.Review{Outcome: change.OutcomeBackedOut, Summary: "Rolled back.", WentWrong: "Driver crash."})
		if err != nil {
			t.Fatal(err)
		}
		if v.Ticket.Status != "Failed" || v.Ticket.Resolution != "Backed out" {
			t.Errorf("backed out: %s %s", v.Ticket.Status, v.Ticket.Resolution)
		}
		rates, err := s.ChangeSuccessRates(f.ctx, f.admin, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if len(rates) != 2 || rates[0].Service != "Laptops" || rates[0].BackedOut != 1 || rates[0].Rate != 0 ||
			rates[1].Service != "Network" || rates[1].Reviewed != 2 || rates[1].Succeeded != 1 || rates[1].Rate != 0.5 {
			t.Errorf("rates %+v", rates)
		}
		if rates, _ := s.ChangeSuccessRates(f.ctx, f.dave, time.Time{}, time.Time{}); len(rates) != 1 || rates[0].Service != "Laptops" {
			t.Errorf("Dave's rates %+v", rates)
		}
		if rates, _ := s.ChangeSuccessRates(f.ctx, f.admin, f.clock.now.Add(time.Hour), time.Time{}); len(rates) != 0 {
			t.Errorf("rates reviewed later: %+v", rates)
		}
		_, err = s.ChangeSuccessRates(f.ctx, f.alice, time.Time{}, time.Time{})
		wantErr(t, "customer reads rates", err, errs.KindForbidden, "")
	})
}
