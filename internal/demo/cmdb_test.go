package demo

import (
	"context"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// TestCMDBInventory checks the inventory before anything is written: the
// same every time, every name it relates or links is a CI of it, and its
// values look like the real thing.
func TestCMDBInventory(t *testing.T) {
	now := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
	inv := newInventory(now, staffAndCustomers())
	if again := newInventory(now, staffAndCustomers()); !reflect.DeepEqual(inv.cis, again.cis) || !reflect.DeepEqual(inv.rels, again.rels) {
		t.Error("two inventories as of the same instant differ")
	}
	if err := inv.check(); err != nil {
		t.Fatal(err)
	}
	// Every CI a ticket may name is in the inventory.
	var named []string
	for _, names := range ticketCIsBySummary {
		named = append(named, names...)
	}
	for _, ci := range itIssueCIs {
		named = append(named, ci)
	}
	for _, ci := range wifiControllers {
		named = append(named, ci)
	}
	for office := range siteCode {
		named = append(named, "Office network "+office)
	}
	named = append(named, "fw-core-01", "AP-LON-4-07", "GlobalProtect VPN", "Cisco ISE", "AP-BER-2-01", "AP-BER-2-02")
	for _, n := range named {
		if inv.byName[n] == nil {
			t.Errorf("tickets name CI %q, which the inventory lacks", n)
		}
	}

	emails := map[string]bool{}
	for _, p := range staffAndCustomers() {
		emails[p.email] = true
	}
	hasLaptop := map[string]bool{}
	for _, c := range inv.cis {
		if c.team == "" || !slices.Contains(teams, c.team) {
			t.Errorf("%s: owner team %q", c.name, c.team)
		}
		for _, key := range []string{"ip_address"} {
			if v, ok := c.attrs[key].(string); ok {
				if ip, err := netip.ParseAddr(v); err != nil || !ip.IsPrivate() {
					t.Errorf("%s: %s %q is not a private address", c.name, key, v)
				}
			}
		}
		for _, key := range []string{"assigned_to", "service_owner", "application_owner", "billing_owner"} {
			if v, ok := c.attrs[key].(string); ok && !emails[v] {
				t.Errorf("%s: %s %q is no demo user", c.name, key, v)
			}
		}
		for _, key := range []string{"purchase_date", "warranty_expiry", "expiry_date"} {
			if v, ok := c.attrs[key].(string); ok {
				if _, err := time.Parse(time.DateOnly, v); err != nil {
					t.Errorf("%s: %s %q", c.name, key, v)
				}
			}
		}
		if p, ok := c.attrs["purchase_date"].(string); ok && p >= now.Format(time.DateOnly) {
			t.Errorf("%s: bought %s, not before %s", c.name, p, now.Format(time.DateOnly))
		}
		if imei, ok := c.attrs["imei"].(string); ok && (len(imei) != 15 || !luhn(imei)) {
			t.Errorf("%s: IMEI %q fails its check digit", c.name, imei)
		}
		if who, ok := c.attrs["assigned_to"].(string); ok && c.typ == "laptop" {
			hasLaptop[who] = true
		}
	}
	for e := range emails {
		if !hasLaptop[e] {
			t.Errorf("%s has no laptop", e)
		}
	}
}

func luhn(digits string) bool {
	sum := 0
	for i := range len(digits) {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// TestCMDB loads the demo and checks its CMDB as the issue asks: about 200
// CIs of every built-in type, owned by teams, related, behind every demo
// service; impact from the switch of the major incident reaching its
// service and customers; tickets naming their CIs.
func TestCMDB(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := load(ctx, s, nil, time.Now().UTC().Truncate(time.Second)); err != nil {
			t.Fatal(err)
		}
		page := allCIs(t, s)
		byName := map[string]cmdb.CI{}
		types, statuses := map[string]int{}, map[cmdb.Status]int{}
		for _, ci := range page.CIs {
			byName[ci.Name] = ci
			types[ci.TypeKey]++
			statuses[ci.Status]++
			if ci.OwnerTeamID == 0 {
				t.Errorf("CI %s (%s) has no owner team", ci.Name, ci.Type)
			}
			if (ci.TypeKey == "laptop" || ci.TypeKey == "mobile_device") && ci.Status == cmdb.StatusLive &&
				ci.Attributes["assigned_to"] == nil && ci.Name != "LT-LN-07" {
				t.Errorf("%s %s in use by nobody", ci.Type, ci.Name)
			}
		}
		t.Logf("%d CIs: %v; %v", len(page.CIs), types, statuses)
		if n := len(page.CIs); n < 180 || n > 240 || page.Total != n {
			t.Errorf("%d CIs (total %d), want about 200", n, page.Total)
		}
		for _, d := range cmdb.DefaultTypes() {
			if types[d.Key] == 0 {
				t.Errorf("no CI of type %s", d.Key)
			}
		}
		if statuses[cmdb.StatusLive] < len(page.CIs)*8/10 || statuses[cmdb.StatusPlanned] == 0 ||
			statuses[cmdb.StatusMaintenance] == 0 || statuses[cmdb.StatusRetired] == 0 {
			t.Errorf("statuses %v, want mostly live and some of each other", statuses)
		}
		id := func(name string) int64 {
			t.Helper()
			ci, ok := byName[name]
			if !ok {
				t.Fatalf("no CI %s", name)
			}
			return ci.ID
		}

		t.Run("relationships", func(t *testing.T) {
			for _, ci := range page.CIs {
				if ci.TypeKey != "virtual_machine" {
					continue
				}
				rels, err := s.Relationships(ctx, ci.ID)
				if err != nil {
					t.Fatal(err)
				}
				hosts := 0
				for _, r := range rels {
					if r.Verb == cmdb.VerbRunsOn && byName[r.CI.Name].TypeKey == "server" {
						hosts++
					}
				}
				if hosts != 1 {
					t.Errorf("VM %s runs on %d hypervisor hosts", ci.Name, hosts)
				}
			}
			// Downstream of the payments hub: its database on its server,
			// and SAP, which depends on the hub in turn.
			down, err := s.Impact(ctx, store.ImpactQuery{CIIDs: []int64{id("Payments hub")}, Direction: cmdb.Downstream})
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"payments-db", "db-dc-01", "SAP S/4HANA", "sap-hana-p01", "payhub-app-01", "esx-dc-01"} {
				if !hasItem(down.CIs, want) {
					t.Errorf("downstream of the payments hub lacks %s", want)
				}
			}
			if hasItem(down.CIs, "Payments hub") {
				t.Error("the payments hub is listed downstream of itself")
			}
		})

		t.Run("services", func(t *testing.T) {
			services, err := s.Services(ctx, false)
			if err != nil {
				t.Fatal(err)
			}
			for _, svc := range services {
				cis, err := s.ServiceCIs(ctx, svc.ID)
				if err != nil {
					t.Fatal(err)
				}
				orgs, err := s.ServiceOrganizations(ctx, svc.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(cis) == 0 || len(orgs) == 0 {
					t.Errorf("service %s is built on %d CIs and used by %d organizations", svc.Name, len(cis), len(orgs))
				}
			}
		})

		t.Run("major incident", func(t *testing.T) {
			mi := ticketBySummary(t, s, majorIncidentSummary)
			marcus := actorOf(t, s, problemManager)
			cis, err := s.TicketCIs(ctx, marcus, mi.Key)
			if err != nil {
				t.Fatal(err)
			}
			if len(cis) != 1 || cis[0].Name != failedSwitch {
				t.Fatalf("%s names %+v, want %s", mi.Key, cis, failedSwitch)
			}
			imp, err := s.Impact(ctx, store.ImpactQuery{CIIDs: []int64{cis[0].ID}})
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"AP-LON-4-07", "Office network London", networkService} {
				if !hasItem(imp.CIs, want) {
					t.Errorf("upstream of %s lacks CI %s: %v", failedSwitch, want, names(imp.CIs))
				}
			}
			if !hasItem(imp.Services, networkService) {
				t.Errorf("upstream of %s reaches services %v, want %s", failedSwitch, names(imp.Services), networkService)
			}
			for _, org := range organizations {
				if !hasItem(imp.Organizations, org) {
					t.Errorf("upstream of %s reaches organizations %v, want %s", failedSwitch, names(imp.Organizations), org)
				}
			}
			if !hasItem(imp.Organizations, mi.Organization) {
				t.Errorf("the major incident's organization %q is not reached", mi.Organization)
			}
		})

		t.Run("blast radius", func(t *testing.T) {
			change := ticketBySummary(t, s, rowBRecabling)
			ti, err := s.TicketImpact(ctx, actorOf(t, s, problemManager), change.Key, 0)
			if err != nil {
				t.Fatal(err)
			}
			if ti.Scope != store.ScopeBlastRadius || !slices.ContainsFunc(ti.CIs, func(r cmdb.CIRef) bool { return r.Name == "db-dc-01" }) {
				t.Fatalf("%s: scope %s, CIs %+v", change.Key, ti.Scope, ti.CIs)
			}
			for _, want := range []string{"payments-db", "payments-db-replica", "Payments hub", "SAP S/4HANA", "Payments API", "Finance reporting", "Payments"} {
				if !hasItem(ti.Impact.CIs, want) {
					t.Errorf("blast radius of %s lacks %s: %v", change.Key, want, names(ti.Impact.CIs))
				}
			}
			if !hasItem(ti.Impact.Services, "General IT help") || !hasItem(ti.Impact.Organizations, "Finance") {
				t.Errorf("blast radius of %s reaches services %v and organizations %v", change.Key, names(ti.Impact.Services), names(ti.Impact.Organizations))
			}
		})

		t.Run("cycles", func(t *testing.T) {
			// Active Directory and DNS need each other; so do SAP and the payments hub.
			for _, c := range []struct{ from, reaches string }{{"Internal DNS", "Active Directory"}, {"Active Directory", "Internal DNS"}, {"SAP S/4HANA", "Payments hub"}, {"Payments hub", "SAP S/4HANA"}} {
				imp, err := s.Impact(ctx, store.ImpactQuery{CIIDs: []int64{id(c.from)}})
				if err != nil {
					t.Fatal(err)
				}
				if !hasItem(imp.CIs, c.reaches) || hasItem(imp.CIs, c.from) {
					t.Errorf("upstream of %s: %v; want %s and not %s itself", c.from, names(imp.CIs), c.reaches, c.from)
				}
			}
		})

		t.Run("tickets", func(t *testing.T) {
			sys := directory.System
			linked := map[ticket.Type]int{}
			for _, tk := range allTickets(t, s) {
				cis, err := s.TicketCIs(ctx, sys, tk.Key)
				if err != nil {
					t.Fatal(err)
				}
				want := ticketCIs(tk)
				got := make([]string, len(cis))
				for i, c := range cis {
					got[i] = c.Name
				}
				slices.Sort(got)
				want = slices.Clone(want)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("%s %q names %v, want %v", tk.Key, tk.Summary, got, want)
				}
				if len(cis) > 0 {
					linked[tk.Type]++
				}
			}
			t.Logf("tickets naming CIs: %v", linked)
			if linked[ticket.TypeIncident] < 3 || linked[ticket.TypeProblem] < 3 || linked[ticket.TypeChange] < 10 {
				t.Errorf("tickets naming CIs: %v, want incidents, problems and changes", linked)
			}
			// A CI's history reads in order, its tickets' links after its import.
			fw := id("fw-core-01")
			events, err := s.CIHistory(ctx, sys, fw)
			if err != nil {
				t.Fatal(err)
			}
			tickets := 0
			for i, e := range events {
				if i > 0 && e.CreatedAt.Before(events[i-1].CreatedAt) {
					t.Errorf("fw-core-01: %s at %s after %s at %s", e.Type, e.CreatedAt, events[i-1].Type, events[i-1].CreatedAt)
				}
				if e.Type == cmdb.EventTicketLinked {
					tickets++
				}
			}
			if tickets == 0 {
				t.Error("no ticket names fw-core-01")
			}
		})

		t.Run("berlin controller", func(t *testing.T) {
			// The completed change moved the access points to the new controller.
			oldWLC, newWLC := byName["wlc-ber-01"], byName["wlc-ber-02"]
			if oldWLC.Status != cmdb.StatusRetired || newWLC.Status != cmdb.StatusLive {
				t.Errorf("wlc-ber-01 %s, wlc-ber-02 %s; want retired and live", oldWLC.Status, newWLC.Status)
			}
			rels, err := s.Relationships(ctx, newWLC.ID)
			if err != nil {
				t.Fatal(err)
			}
			aps := 0
			for _, r := range rels {
				if r.Verb == cmdb.VerbDependedOnBy && strings.HasPrefix(r.CI.Name, "AP-BER-") {
					aps++
				}
			}
			if aps != 2 {
				t.Errorf("%d Berlin access points on wlc-ber-02, want 2", aps)
			}
		})
	})
}

// allCIs lists every CI, page after page.
func allCIs(t *testing.T, s *store.Store) store.CIPage {
	t.Helper()
	var all store.CIPage
	for {
		page, err := s.CIs(context.Background(), store.CIFilter{Sort: "created", Limit: store.MaxPage, Offset: len(all.CIs)})
		if err != nil {
			t.Fatal(err)
		}
		all.CIs, all.Total = append(all.CIs, page.CIs...), page.Total
		if len(page.CIs) == 0 || len(all.CIs) >= page.Total {
			return all
		}
	}
}

func ticketBySummary(t *testing.T, s *store.Store, summary string) ticket.Ticket {
	t.Helper()
	for _, tk := range allTickets(t, s) {
		if tk.Summary == summary {
			return tk
		}
	}
	t.Fatalf("no ticket %q", summary)
	return ticket.Ticket{}
}

func hasItem(items []cmdb.ImpactItem, name string) bool {
	return slices.ContainsFunc(items, func(it cmdb.ImpactItem) bool { return it.Name == name })
}

func names(items []cmdb.ImpactItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Name
	}
	return out
}
