package store_test

import (
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/change"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

func TestDeploymentGating(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newChangeFixture(t, s)
		// An approved change on Network whose window is now, one planned
		// for tomorrow, and one still in Planning whose window is now.
		start, end := f.window(-1, 3)
		now, err := s.CreateChange(f.ctx, f.admin, store.NewChange{Service: "Network", Summary: "Release 2.4", PlannedStart: start, PlannedEnd: end})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AssessRisk(f.ctx, f.admin, now.Ticket.Key, safeAnswers()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SubmitChange(f.ctx, f.admin, now.Ticket.Key, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Decide(f.ctx, f.nina, now.Ticket.Key, change.Approved, ""); err != nil {
			t.Fatal(err)
		}
		planning, err := s.CreateChange(f.ctx, f.admin, store.NewChange{Service: "Network", Summary: "Release 2.5", PlannedStart: start, PlannedEnd: end})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetChangeSettings(f.ctx, f.admin, store.ChangeSettings{GatedEnvironments: []string{" Production ", "prod-eu", "production", ""}}); err != nil {
			t.Fatal(err)
		}
		if st, _ := s.ChangeSettings(f.ctx); len(st.GatedEnvironments) != 2 || st.GatedEnvironments[0] != "production" {
			t.Errorf("settings %+v", st)
		}

		for _, tc := range []struct {
			name    string
			in      store.DeploymentInput
			allowed bool
			reason  string
			change  string
		}{
			{"staging needs nothing", store.DeploymentInput{Environment: "staging", Service: "Laptops"}, true, change.ReasonNotGated, ""},
			{"production, covered by the approved change", store.DeploymentInput{Environment: "Production", Service: "Network"}, true, change.ReasonCovered, now.Ticket.Key},
			{"production, named change", store.DeploymentInput{Environment: "production", Change: now.Ticket.Key}, true, change.ReasonCovered, now.Ticket.Key},
			{"production, no change for the service", store.DeploymentInput{Environment: "production", Service: "Laptops"}, false, change.ReasonNoChange, ""},
			{"production, named change not approved", store.DeploymentInput{Environment: "prod-eu", Change: planning.Ticket.Key}, false, change.ReasonNotApproved, planning.Ticket.Key},
			{"production, named change for another service", store.DeploymentInput{Environment: "production", Change: now.Ticket.Key, Service: "Laptops"}, false, change.ReasonOtherService, now.Ticket.Key},
		} {
			t.Run(tc.name, func(t *testing.T) {
				in := tc.in
				in.Pipeline, in.Version, in.Status, in.Commit, in.Link = "gitlab/app", "2.4.0", "started", "9f1c2ab", "https://ci.example.com/jobs/1"
				before := f.count(t, "deployments")
				d, gate, err := s.RecordDeployment(f.ctx, f.admin, in)
				if err != nil {
					t.Fatal(err)
				}
				if gate.Allowed != tc.allowed || gate.Reason != tc.reason || gate.Change != tc.change {
					t.Errorf("gate %+v, want allowed %v reason %s change %q", gate, tc.allowed, tc.reason, tc.change)
				}
				grew := f.count(t, "deployments") - before
				if tc.allowed && (grew != 1 || d.ID == 0 || d.Change != tc.change) {
					t.Errorf("allowed: %d rows, deployment %+v", grew, d)
				}
				if !tc.allowed && grew != 0 {
					t.Errorf("refused, yet %d rows", grew)
				}
			})
		}

		// A run: started, then succeeded, is one row.
		run := store.DeploymentInput{Pipeline: "github/api", Environment: "production", Version: "7.1", Service: "Network", Status: "started"}
		d, _, err := s.RecordDeployment(f.ctx, f.admin, run)
		if err != nil {
			t.Fatal(err)
		}
		f.clock.advance(10 * time.Minute)
		run.Status, run.Commit = "SUCCEEDED", "abc123"
		d2, gate, err := s.RecordDeployment(f.ctx, f.admin, run)
		if err != nil || !gate.Allowed || gate.Reason != change.ReasonRunFinished {
			t.Fatal(err, gate)
		}
		if d2.ID != d.ID || d2.Status != change.DeploySucceeded || d2.FinishedAt == nil || d2.Commit != "abc123" || d2.Change != now.Ticket.Key {
			t.Errorf("finished run %+v", d2)
		}
		v, err := s.Change(f.ctx, f.nina, now.Ticket.Key)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Deployments) != 3 || v.Deployments[0].ID != d.ID {
			t.Errorf("the change lists %d deployments", len(v.Deployments))
		}
		list, _ := s.Deployments(f.ctx, f.dave, store.DeploymentFilter{})
		for _, d := range list {
			if d.Service != "Laptops" {
				t.Errorf("Dave sees a deployment of %s", d.Service)
			}
		}

		// After the window, production refuses even the approved change.
		f.clock.advance(3 * time.Hour)
		_, gate, err = s.RecordDeployment(f.ctx, f.admin, store.DeploymentInput{Pipeline: "p", Environment: "production", Version: "1", Status: "started", Change: now.Ticket.Key})
		if err != nil || gate.Allowed || gate.Reason != change.ReasonOutsideWindow {
			t.Errorf("after the window: %v %+v", err, gate)
		}

		for _, tc := range []struct {
			name  string
			in    store.DeploymentInput
			kind  errs.Kind
			field string
		}{
			{"no pipeline", store.DeploymentInput{Environment: "x", Version: "1", Status: "started", Service: "Network"}, errs.KindInvalid, "pipeline"},
			{"bad status", store.DeploymentInput{Pipeline: "p", Environment: "x", Version: "1", Status: "done", Service: "Network"}, errs.KindInvalid, "status"},
			{"no service or change", store.DeploymentInput{Pipeline: "p", Environment: "x", Version: "1", Status: "started"}, errs.KindInvalid, "service"},
			{"unknown change", store.DeploymentInput{Pipeline: "p", Environment: "x", Version: "1", Status: "started", Change: "IT-999"}, errs.KindInvalid, "change"},
			{"bad link", store.DeploymentInput{Pipeline: "p", Environment: "x", Version: "1", Status: "started", Service: "Network", Link: "javascript:alert(1)"}, errs.KindInvalid, "link"},
		} {
			_, _, err := s.RecordDeployment(f.ctx, f.admin, tc.in)
			wantErr(t, tc.name, err, tc.kind, tc.field)
		}
		_, _, err = s.RecordDeployment(f.ctx, f.dave, store.DeploymentInput{Pipeline: "p", Environment: "staging", Version: "1", Status: "started", Service: "Network"})
		wantErr(t, "Dave deploys Network", err, errs.KindForbidden, "")
		_, _, err = s.RecordDeployment(f.ctx, f.alice, store.DeploymentInput{Pipeline: "p", Environment: "staging", Version: "1", Status: "started", Service: "Laptops"})
		wantErr(t, "a customer", err, errs.KindForbidden, "")
	})
}
