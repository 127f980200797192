package store_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/cairn-itsm/cairn/internal/change"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

// TestApprovalQuorums runs votes of the CAB (Cora, Cole, Cleo) on changes
// under each kind of quorum, and checks where the change ends up.
func TestApprovalQuorums(t *testing.T) {
	type vote struct {
		who      int // 0 Cora, 1 Cole, 2 Cleo
		decision change.Decision
	}
	A, D := change.Approved, change.Declined
	for _, tc := range []struct {
		name   string
		quorum change.Quorum
		veto   bool
		votes  []vote
		want   string // the change's status after the votes
	}{
		{"all: every one approves", change.Quorum{Kind: change.QuorumAll}, false, []vote{{0, A}, {1, A}, {2, A}}, change.StatusScheduled},
		{"all: two of three is not enough", change.Quorum{Kind: change.QuorumAll}, false, []vote{{0, A}, {1, A}}, change.StatusAwaitingApproval},
		{"all: one decline", change.Quorum{Kind: change.QuorumAll}, false, []vote{{0, A}, {1, D}}, change.StatusDeclined},
		{"any: the first approval", change.Quorum{Kind: change.QuorumAny}, false, []vote{{2, A}}, change.StatusScheduled},
		{"any: a decline without veto waits", change.Quorum{Kind: change.QuorumAny}, false, []vote{{0, D}}, change.StatusAwaitingApproval},
		{"any: a decline, then an approval", change.Quorum{Kind: change.QuorumAny}, false, []vote{{0, D}, {1, A}}, change.StatusScheduled},
		{"any: a decline with veto", change.Quorum{Kind: change.QuorumAny}, true, []vote{{0, D}}, change.StatusDeclined},
		{"any: every one declines", change.Quorum{Kind: change.QuorumAny}, false, []vote{{0, D}, {1, D}, {2, D}}, change.StatusDeclined},
		{"2 of 3: two approvals", change.Quorum{Kind: change.QuorumCount, Count: 2}, false, []vote{{0, A}, {2, A}}, change.StatusScheduled},
		{"2 of 3: one each way waits", change.Quorum{Kind: change.QuorumCount, Count: 2}, false, []vote{{0, A}, {1, D}}, change.StatusAwaitingApproval},
		{"2 of 3: one each way, then approved", change.Quorum{Kind: change.QuorumCount, Count: 2}, false, []vote{{0, A}, {1, D}, {2, A}}, change.StatusScheduled},
		{"2 of 3: two declines", change.Quorum{Kind: change.QuorumCount, Count: 2}, false, []vote{{0, D}, {1, D}}, change.StatusDeclined},
		{"2 of 3: a vetoing decline", change.Quorum{Kind: change.QuorumCount, Count: 2}, true, []vote{{0, A}, {1, D}}, change.StatusDeclined},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Engines(t, func(t *testing.T, s *store.Store) {
				f := newChangeFixture(t, s)
				f.rule(t, change.Rule{Name: "CAB", ChangeTypes: []change.Type{change.TypeNormal}, Approver: change.ApproverTeam, TeamID: f.cab.ID,
					Quorum: tc.quorum, DeclineVetoes: tc.veto})
				key := f.normal(t, "Network", "Change under "+tc.name, 24).Ticket.Key
				f.submit(t, key)
				cab := []directory.Actor{f.cora, f.cole, f.cleo}
				for _, v := range tc.votes {
					if _, err := s.Decide(f.ctx, cab[v.who], key, v.decision, "because"); err != nil {
						t.Fatalf("%s votes %s: %v", cab[v.who].Name, v.decision, err)
					}
				}
				if got := f.status(t, key); got != tc.want {
					t.Errorf("status %s, want %s", got, tc.want)
				}
				if tc.want == change.StatusDeclined {
					tk, _ := s.Ticket(f.ctx, f.admin, key)
					if tk.Resolution != "Declined" {
						t.Errorf("resolution %q", tk.Resolution)
					}
				}
			})
		})
	}
}

func TestApprovalSteps(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newChangeFixture(t, s)
		f.rule(t, change.Rule{Name: "CAB", ChangeTypes: []change.Type{change.TypeNormal}, Approver: change.ApproverTeam, TeamID: f.cab.ID,
			Quorum: change.Quorum{Kind: change.QuorumAll}})
		f.rule(t, change.Rule{Name: "Desk lead", ChangeTypes: []change.Type{change.TypeNormal}, Approver: change.ApproverUsers,
			UserIDs: []int64{f.dave.UserID, f.cora.UserID}, Quorum: change.Quorum{Kind: change.QuorumAny}})
		f.rule(t, change.Rule{Name: "ECAB", ChangeTypes: []change.Type{change.TypeEmergency}, Approver: change.ApproverTeam, TeamID: f.cab.ID,
			Quorum: change.Quorum{Kind: change.QuorumAll}})
		key := f.normal(t, "Network", "Two steps", 24).Ticket.Key
		v := f.submit(t, key)
		if len(v.Approval.Steps) != 2 {
			t.Fatalf("steps %+v", v.Approval.Steps)
		}
		// Cora sits in both steps: her one approval counts in each.
		if _, err := s.Decide(f.ctx, f.cora, key, change.Approved, ""); err != nil {
			t.Fatal(err)
		}
		st, _ := s.Approvals(f.ctx, f.admin, key)
		if st.Steps[0].Status != change.Pending || st.Steps[1].Status != change.Approved || st.Decision != change.Pending {
			t.Fatalf("after Cora: %s %s %s", st.Steps[0].Status, st.Steps[1].Status, st.Decision)
		}
		if p := st.Pending(f.dave.UserID); len(p) != 0 {
			t.Errorf("Dave still has %d pending approvals after the step was decided", len(p))
		}
		_, err := s.Decide(f.ctx, f.dave, key, change.Approved, "")
		wantErr(t, "Dave after his step was decided", err, errs.KindConflict, "")
		// Cole and Cleo may read the approval without seeing the ticket's
		// service; Carol may not.
		if _, err := s.Approvals(f.ctx, f.cole, key); err != nil {
			t.Errorf("an approver reads the approval: %v", err)
		}
		_, err = s.Approvals(f.ctx, f.carol, key)
		wantErr(t, "a stranger reads the approval", err, errs.KindNotFound, "")
		_, err = s.Decide(f.ctx, f.carol, key, change.Approved, "")
		wantErr(t, "a stranger approves", err, errs.KindNotFound, "")
		_, err = s.Decide(f.ctx, f.admin, key, change.Approved, "")
		wantErr(t, "an admin who is no approver", err, errs.KindForbidden, "")
		for _, a := range []directory.Actor{f.cole, f.cleo} {
			if _, err := s.Decide(f.ctx, a, key, change.Approved, ""); err != nil {
				t.Fatal(err)
			}
		}
		if got := f.status(t, key); got != change.StatusScheduled {
			t.Errorf("after both steps: %s", got)
		}

		// An emergency: the ECAB rule asks for all, but any one decides.
		start, end := f.window(1, 1)
		em, err := s.CreateChange(f.ctx, f.nina, store.NewChange{Type: "emergency", Service: "Network", Summary: "Patch the exploited VPN",
			PlannedStart: start, PlannedEnd: end})
		if err != nil {
			t.Fatal(err)
		}
		// No assessment needed for an emergency.
		em, err = s.SubmitChange(f.ctx, f.nina, em.Ticket.Key, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(em.Approval.Steps) != 1 || em.Approval.Steps[0].Name != "ECAB" || em.Approval.Steps[0].Quorum.Kind != change.QuorumAny {
			t.Fatalf("emergency steps %+v", em.Approval.Steps)
		}
		if _, err := s.Decide(f.ctx, f.cleo, em.Ticket.Key, change.Approved, "Go"); err != nil {
			t.Fatal(err)
		}
		if got := f.status(t, em.Ticket.Key); got != change.StatusScheduled {
			t.Errorf("emergency after one approval: %s", got)
		}
	})
}

func TestApprovalLinks(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newChangeFixture(t, s)
		f.rule(t, change.Rule{Name: "CAB", ChangeTypes: []change.Type{change.TypeNormal}, Approver: change.ApproverTeam, TeamID: f.cab.ID,
			Quorum: change.Quorum{Kind: change.QuorumCount, Count: 2}})
		key := f.normal(t, "Network", "Linked", 24).Ticket.Key
		f.submit(t, key)
		mine, err := s.MyApprovals(f.ctx, f.cole)
		if err != nil {
			t.Fatal(err)
		}
		if len(mine) != 1 || mine[0].Ticket.Key != key || mine[0].Quorum != "2 of 3" || mine[0].Change == nil || !strings.HasPrefix(mine[0].Link, "/approve/") {
			t.Fatalf("Cole's approvals %+v", mine)
		}
		if none, _ := s.MyApprovals(f.ctx, f.nina); len(none) != 0 {
			t.Errorf("Nina has %d approvals", len(none))
		}
		token := strings.TrimPrefix(mine[0].Link, "/approve/")
		la, err := s.ApprovalByLink(f.ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if la.Approver.ID != f.cole.UserID || la.Status != change.Pending || la.Ticket.Key != key {
			t.Errorf("link approval %+v", la)
		}
		for _, bad := range []string{token + "x", "1.2.3", strings.Replace(token, ".", "0.", 1)} {
			_, err := s.ApprovalByLink(f.ctx, bad)
			wantErr(t, "tampered link", err, errs.KindNotFound, "")
		}
		la, err = s.DecideByLink(f.ctx, token, change.Approved, "From my phone")
		if err != nil {
			t.Fatal(err)
		}
		if la.Status != change.Approved {
			t.Errorf("after deciding: %s", la.Status)
		}
		_, err = s.DecideByLink(f.ctx, token, change.Declined, "Changed my mind")
		wantErr(t, "the link again", err, errs.KindConflict, "")
		comments, _ := s.Comments(f.ctx, f.admin, key)
		if len(comments) != 1 || comments[0].Author != "Cole CAB" || comments[0].Body != "Approved: From my phone" {
			t.Errorf("comments %+v", comments)
		}
	})
}

// TestApprovalRace has the last two approvals of an "all" quorum made at
// once: one of them must move the change on.
func TestApprovalRace(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newChangeFixture(t, s)
		f.rule(t, change.Rule{Name: "CAB", ChangeTypes: []change.Type{change.TypeNormal}, Approver: change.ApproverTeam, TeamID: f.cab.ID,
			Quorum: change.Quorum{Kind: change.QuorumAll}})
		for i := range 5 {
			key := f.normal(t, "Network", "Race "+string(rune('A'+i)), 24+i*3).Ticket.Key
			f.submit(t, key)
			if _, err := s.Decide(f.ctx, f.cora, key, change.Approved, ""); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			errc := make(chan error, 2)
			for _, a := range []directory.Actor{f.cole, f.cleo} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := s.Decide(f.ctx, a, key, change.Approved, "")
					errc <- err
				}()
			}
			wg.Wait()
			close(errc)
			for err := range errc {
				if err != nil {
					t.Fatal(err)
				}
			}
			if got := f.status(t, key); got != change.StatusScheduled {
				t.Fatalf("%s after the last two approvals at once: %s", key, got)
			}
		}
	})
}

func TestApprovalRules(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newChangeFixture(t, s)
		_, err := s.SaveApprovalRule(f.ctx, f.nina, change.Rule{Name: "x", ChangeTypes: []change.Type{change.TypeNormal}, Approver: change.ApproverServiceOwner, Quorum: change.Quorum{Kind: "all"}})
		wantErr(t, "agent", err, errs.KindForbidden, "")
		_, err = s.SaveApprovalRule(f.ctx, f.admin, change.Rule{Name: "x", ChangeTypes: []change.Type{change.TypeNormal}, Approver: change.ApproverTeam, TeamID: 999, Quorum: change.Quorum{Kind: "all"}})
		wantErr(t, "unknown team", err, errs.KindInvalid, "team")
		_, err = s.SaveApprovalRule(f.ctx, f.admin, change.Rule{Name: "x", RequestTypeID: f.outage.ID, Approver: change.ApproverServiceOwner, Quorum: change.Quorum{Kind: "all"}})
		wantErr(t, "incident request type", err, errs.KindInvalid, "request_type")
		_, err = s.SaveApprovalRule(f.ctx, f.admin, change.Rule{Name: "x", RequestTypeID: f.laptop.ID, Approver: change.ApproverField, FieldKey: "model", Quorum: change.Quorum{Kind: "any"}})
		wantErr(t, "not a user field", err, errs.KindInvalid, "field_key")
		r := f.rule(t, change.Rule{Name: "Manager", RequestTypeID: f.laptop.ID, Approver: change.ApproverField, FieldKey: "manager", Quorum: change.Quorum{Kind: "any"}})
		r.Name = "Line manager"
		if _, err := s.SaveApprovalRule(f.ctx, f.admin, r); err != nil {
			t.Fatal(err)
		}
		list, _ := s.ApprovalRules(f.ctx, store.ApprovalRuleFilter{RequestTypeID: f.laptop.ID})
		if len(list) != 1 || list[0].Name != "Line manager" {
			t.Errorf("rules %+v", list)
		}
		if list, _ := s.ApprovalRules(f.ctx, store.ApprovalRuleFilter{Changes: true}); len(list) != 0 {
			t.Errorf("change rules %+v", list)
		}
		if err := s.DeleteApprovalRule(f.ctx, f.admin, r.ID); err != nil {
			t.Fatal(err)
		}
		err = s.DeleteApprovalRule(f.ctx, f.admin, r.ID)
		wantErr(t, "delete twice", err, errs.KindNotFound, "")
	})
}
