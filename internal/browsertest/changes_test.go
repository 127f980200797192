package browsertest

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cairn-itsm/cairn/internal/change"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/store"
)

// TestApproveChange follows a change to its approval: an agent's normal
// change waits for the CAB; a CAB member approves it from their list of
// approvals with a comment, and the change page shows it scheduled, with
// the approval and its comment. A second change is approved signed out,
// through its one-click link. The steps share the changes, so each runs
// only if the one before passed.
func TestApproveChange(t *testing.T) {
	d := newDesk(t)
	if code, _ := get(t, d.srv.URL, "/agent/change-calendar", nil); code == http.StatusNotFound {
		t.Skip("the change pages are not registered yet: call w.changeRoutes() in web.New")
	}
	ctx := context.Background()
	s, f := d.store, d.fixture
	cab, err := s.CreateTeam(ctx, directory.System, "CAB", []int64{f.Agents[1].UserID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveApprovalRule(ctx, directory.System, change.Rule{Name: "CAB", ChangeTypes: []change.Type{change.TypeNormal},
		Approver: change.ApproverTeam, TeamID: cab.ID, Quorum: change.Quorum{Kind: change.QuorumAny}, DeclineVetoes: true, Active: true}); err != nil {
		t.Fatal(err)
	}
	answers := map[string]string{}
	for _, q := range change.DefaultModel().Questions {
		answers[q.Key] = q.Options[0].Label
	}
	raise := func(summary string) string {
		start := time.Now().Add(48 * time.Hour)
		v, err := s.CreateChange(ctx, f.Agents[0], store.NewChange{Service: f.Services[0].Name, Summary: summary, PlannedStart: start, PlannedEnd: start.Add(2 * time.Hour),
			ImplementationPlan: "1. Drain the node.\n2. Upgrade.\n3. Put it back.", BackoutPlan: "Reinstall the old version."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AssessRisk(ctx, f.Agents[0], v.Ticket.Key, answers); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SubmitChange(ctx, f.Agents[0], v.Ticket.Key, ""); err != nil {
			t.Fatal(err)
		}
		return v.Ticket.Key
	}
	first, second := raise("Upgrade the mail gateway"), raise("Upgrade the print server")

	step := func(name string, fn func(t *testing.T)) {
		t.Helper()
		if !t.Run(name, fn) {
			t.FailNow()
		}
	}
	approver := newTab(t, d.srv)

	step("the CAB member sees what waits for them", func(t *testing.T) {
		approver.t = t
		approver.signIn(d.email(t, f.Agents[1]), testPassword)
		if code := approver.open("/approvals"); code != http.StatusOK {
			t.Fatalf("GET /approvals: status %d", code)
		}
		approver.waitText("#approval-"+first+" h2", "Upgrade the mail gateway")
		approver.waitText("#approval-"+second+" h2", "Upgrade the print server")
		if got := approver.text("#approval-" + first + " p strong"); got != "CAB" {
			t.Errorf("step %q, want CAB", got)
		}
	})

	step("they approve the first with a comment", func(t *testing.T) {
		approver.t = t
		approver.do("write a comment",
			chromedp.SendKeys(chromedp.CSS("#approval-"+first+" textarea[name=comment]"), "Fine after the backup check.", chromedp.NodeVisible))
		if code := approver.submit("approve", "#approval-"+first+` button[value="approve"]`); code != http.StatusOK {
			t.Fatalf("approve: status %d", code)
		}
		if got, want := approver.text("p.flash"), "Approved "+first+"."; got != want {
			t.Errorf("flash %q, want %q", got, want)
		}
		if approver.eval("the approved change left the list", `document.querySelector("#approval-`+first+`") !== null`) {
			t.Error("the approved change is still in the list")
		}
	})

	step("the change is scheduled, with the approval on its page", func(t *testing.T) {
		agent := newTab(t, d.srv)
		agent.signIn(d.email(t, f.Agents[0]), testPassword)
		if code := agent.open("/agent/changes/" + first); code != http.StatusOK {
			t.Fatalf("GET the change: status %d", code)
		}
		if got := agent.text("#change-status"); got != "Scheduled" {
			t.Errorf("status %q, want Scheduled", got)
		}
		agent.waitText(".change-approvers", "Fine after the backup check.")
		if got := agent.text(".change-approval h3 .badge"); got != "approved" {
			t.Errorf("approval %q, want approved", got)
		}
	})

	step("the second is approved signed out, by its link", func(t *testing.T) {
		mine, err := s.MyApprovals(ctx, f.Agents[1])
		if err != nil || len(mine) != 1 || mine[0].Ticket.Key != second {
			t.Fatalf("approvals left: %v %+v", err, mine)
		}
		anon := newTab(t, d.srv)
		if code := anon.open(mine[0].Link); code != http.StatusOK {
			t.Fatalf("GET the link: status %d", code)
		}
		if got := anon.text("main h1"); got != "Upgrade the print server" {
			t.Errorf("link page heading %q", got)
		}
		if code := anon.submit("approve by the link", "#link-approve"); code != http.StatusOK {
			t.Fatalf("approve by the link: status %d", code)
		}
		if got := anon.text("#link-done"); !strings.HasPrefix(got, "You approved "+second) {
			t.Errorf("after the link: %q", got)
		}
		tk, err := s.Ticket(ctx, directory.System, second)
		if err != nil || tk.Status != "Scheduled" {
			t.Errorf("the second change: %v %s", err, tk.Status)
		}
	})
}
