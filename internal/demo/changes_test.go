package demo

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/change"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/fulfilment"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// TestSeedChanges seeds the change demo over the demo and checks that it
// shows what issue 6 asks for: every type of change, approvals in every
// state, a collision and a freeze, deployments, reviewed changes, and a
// laptop request waiting for approval beside one being fulfilled.
func TestSeedChanges(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		seedAndCheck(t, s, time.Now().UTC().Truncate(time.Second))
	})
	// Loaded just after midnight, the newest demo ticket is close to the
	// load: the seed fits in what is left.
	t.Run("any-day", func(t *testing.T) {
		seedAndCheck(t, storetest.SQLite(t), time.Date(2025, 12, 31, 17, 59, 0, 0, time.UTC))
	})
}

func seedAndCheck(t *testing.T, s *store.Store, now time.Time) {
	ctx := context.Background()
	if _, err := load(ctx, s, nil, now); err != nil {
		t.Fatal(err)
	}
	if err := SeedChanges(ctx, s); err != nil {
		t.Fatal(err)
	}
	if err := SeedChanges(ctx, s); err != nil { // a second time does nothing
		t.Fatal(err)
	}
	// The demo's own checks hold with the seed's tickets among the others:
	// in the order of their keys, commented, dated before the load.
	checkTickets(t, s, allTickets(t, s), now)

	sys := directory.System
	page, err := s.Tickets(ctx, sys, store.TicketFilter{Types: []ticket.Type{ticket.TypeChange}, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	byStatus := map[string][]string{}
	types := map[change.Type]int{}
	for _, tk := range page.Tickets {
		v, err := s.Change(ctx, sys, tk.Key)
		if err != nil {
			t.Fatal(err)
		}
		if v.Change.UpdatedAt == nil {
			continue // the demo's older changes, raised as plain tickets
		}
		byStatus[tk.Status] = append(byStatus[tk.Status], tk.Summary)
		types[v.Change.Type]++
	}
	for status, want := range map[string]string{
		"Scheduled":         "Renew the TLS certificate of vpn.example.com",
		"Awaiting approval": "Upgrade the core switch firmware to 17.9",
		"Declined":          "Open SSH from the internet for the vendor's support",
		"Implementing":      "Patch the VPN appliances against the exploited advisory",
		"Completed":         "Replace the Wi-Fi controller in Berlin",
		"Failed":            "Enable IPv6 on the guest network",
		"Planning":          "Move DNS to the new resolvers",
	} {
		if !slices.Contains(byStatus[status], want) {
			t.Errorf("%s: %v, want %q among them", status, byStatus[status], want)
		}
	}
	if types[change.TypeStandard] != 1 || types[change.TypeEmergency] != 1 || types[change.TypeNormal] < 6 {
		t.Errorf("types %v", types)
	}
	cal, err := s.ChangeCalendar(ctx, sys, store.ChangeFilter{From: now.AddDate(0, 0, -1), To: now.AddDate(0, 0, 20)})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[change.ConflictKind]int{}
	for _, e := range cal.Changes {
		for _, c := range e.Conflicts {
			kinds[c.Kind]++
		}
	}
	if kinds[change.ConflictCollision] < 2 || kinds[change.ConflictFreeze] < 1 {
		t.Errorf("conflicts %v", kinds)
	}
	deps, err := s.Deployments(ctx, sys, store.DeploymentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(deps) != 2 || deps[1].Status != change.DeploySucceeded || deps[1].Change == "" {
		t.Errorf("deployments %+v", deps)
	}
	rates, err := s.ChangeSuccessRates(ctx, sys, time.Time{}, time.Time{})
	if err != nil || len(rates) != 2 {
		t.Errorf("rates %v %+v", err, rates)
	}
	reqs, err := s.Tickets(ctx, sys, store.TicketFilter{Text: "laptop", Types: []ticket.Type{ticket.TypeServiceRequest}, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var waiting, working bool
	for _, tk := range reqs.Tickets {
		switch tk.Summary {
		case "Laptop for new starter Maja Berg":
			waiting = tk.Status == "Waiting for approval"
		case "Replacement laptop: battery swollen":
			ts, _ := s.Tasks(ctx, sys, tk.Key)
			working = tk.Status == "In progress" && len(ts) == 4 && ts[0].Status == fulfilment.StatusDone && ts[1].Status == fulfilment.StatusOpen
		}
	}
	if !waiting || !working {
		t.Errorf("laptop requests: waiting %v, being fulfilled %v", waiting, working)
	}
}
