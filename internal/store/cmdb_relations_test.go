package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// relate adds a relationship as an agent and fails the test if that fails.
func (f *fixture) relate(t *testing.T, from cmdb.CI, verb string, to cmdb.CI) cmdb.Relationship {
	t.Helper()
	r, err := f.s.AddRelationship(f.ctx, f.nina, from.ID, verb, to.ID)
	if err != nil {
		t.Fatalf("%s %s %s: %v", from.Name, verb, to.Name, err)
	}
	return r
}

func relLines(rels []cmdb.Relationship) []string {
	var out []string
	for _, r := range rels {
		out = append(out, string(r.Verb)+" "+r.CI.Name)
	}
	slices.Sort(out)
	return out
}

func TestRelationships(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := cmdbFixture(t, s)
		ctx := f.ctx
		app := f.newCI(t, store.NewCI{Name: "CRM", Type: "application"})
		db := f.newCI(t, store.NewCI{Name: "crm-db", Type: "database"})
		vm := f.newCI(t, store.NewCI{Name: "vm1", Type: "virtual_machine", Attributes: map[string]any{"hostname": "vm1"}})
		sw1 := f.newCI(t, store.NewCI{Name: "switch1", Type: "network_device"})
		sw2 := f.newCI(t, store.NewCI{Name: "switch2", Type: "network_device"})

		r := f.relate(t, app, "depends_on", db)
		if r.Kind != cmdb.RelDependsOn || r.Verb != cmdb.VerbDependsOn || r.Label != "depends on" || r.SourceID != app.ID || r.CI.Name != "crm-db" || r.CI.Type != "Database" {
			t.Errorf("depends_on: %+v", r)
		}
		// Made from the host's end, stored as "runs on" from the guest's.
		r = f.relate(t, vm, "hosts", app)
		if r.Kind != cmdb.RelRunsOn || r.Verb != cmdb.VerbHosts || r.SourceID != app.ID || r.TargetID != vm.ID {
			t.Errorf("hosts: %+v", r)
		}
		// Symmetric: stored once, whichever end it is made from.
		f.relate(t, sw2, "connects_to", sw1)
		f.relate(t, sw1, "owned_by", app)
		before := f.cmdbCounts(t)
		_, err := s.AddRelationship(ctx, f.nina, sw1.ID, "connects_to", sw2.ID)
		wantErr(t, "symmetric twice", err, errs.KindConflict, "")
		_, err = s.AddRelationship(ctx, f.nina, db.ID, "depended_on_by", app.ID)
		wantErr(t, "same from the other end", err, errs.KindConflict, "")
		_, err = s.AddRelationship(ctx, f.nina, app.ID, "likes", db.ID)
		wantErr(t, "unknown verb", err, errs.KindInvalid, "kind")
		_, err = s.AddRelationship(ctx, f.nina, app.ID, "depends_on", app.ID)
		wantErr(t, "itself", err, errs.KindInvalid, "ci")
		_, err = s.AddRelationship(ctx, f.nina, app.ID, "depends_on", 9999)
		wantErr(t, "unknown other", err, errs.KindInvalid, "ci")
		_, err = s.AddRelationship(ctx, f.nina, 9999, "depends_on", app.ID)
		wantErr(t, "unknown CI", err, errs.KindNotFound, "")
		_, err = s.AddRelationship(ctx, f.alice, app.ID, "depends_on", vm.ID)
		wantErr(t, "customer", err, errs.KindForbidden, "")
		sameCounts(t, "rejected relationships", before, f.cmdbCounts(t))
		// A cycle in the data is allowed.
		f.relate(t, db, "depends_on", app)

		for _, tt := range []struct {
			ci   cmdb.CI
			want []string
		}{
			{app, []string{"depended_on_by crm-db", "depends_on crm-db", "owns switch1", "runs_on vm1"}},
			{db, []string{"depended_on_by CRM", "depends_on CRM"}},
			{vm, []string{"hosts CRM"}},
			{sw1, []string{"connects_to switch2", "owned_by CRM"}},
			{sw2, []string{"connects_to switch1"}},
		} {
			rels, err := s.Relationships(ctx, tt.ci.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := relLines(rels); !slices.Equal(got, tt.want) {
				t.Errorf("%s: %v, want %v", tt.ci.Name, got, tt.want)
			}
		}
		if n := f.count(t, "ci_relationships"); n != 5 {
			t.Errorf("%d relationships stored, want 5", n)
		}

		rels, _ := s.Relationships(ctx, vm.ID)
		err = s.DeleteRelationship(ctx, f.nina, db.ID, rels[0].ID)
		wantErr(t, "another CI's relationship", err, errs.KindNotFound, "")
		if err := s.DeleteRelationship(ctx, f.nina, vm.ID, rels[0].ID); err != nil {
			t.Fatal(err)
		}
		if rels, _ := s.Relationships(ctx, app.ID); slices.Contains(relLines(rels), "runs_on vm1") {
			t.Error("the relationship is still read from the other end")
		}
		hist, _ := s.CIHistory(ctx, f.nina, app.ID)
		var types []string
		for _, ev := range hist {
			types = append(types, ev.Type)
		}
		want := []string{cmdb.EventCreated, cmdb.EventRelated, cmdb.EventRelated, cmdb.EventRelated, cmdb.EventRelated, cmdb.EventUnrelated}
		if !slices.Equal(types, want) {
			t.Errorf("history of CRM: %v, want %v", types, want)
		}
		if last := hist[len(hist)-1]; last.Data["verb"] != "runs_on" || last.Data["ci"] != "vm1" {
			t.Errorf("unrelated event %+v", last.Data)
		}

		// Deleting a CI removes its relationships, recorded at the other end.
		if err := s.DeleteCI(ctx, f.nina, sw1.ID); err != nil {
			t.Fatal(err)
		}
		if rels, _ := s.Relationships(ctx, sw2.ID); len(rels) != 0 {
			t.Errorf("switch2 still relates to the deleted switch1: %v", relLines(rels))
		}
	})
}

// path renders an impact item's path as "a > verb > b".
func path(it cmdb.ImpactItem) string {
	var parts []string
	for _, st := range it.Path {
		if st.Verb != "" {
			parts = append(parts, string(st.Verb))
		}
		parts = append(parts, st.Name)
	}
	return strings.Join(parts, " > ")
}

func itemLines(items []cmdb.ImpactItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, fmt.Sprintf("%d %s", it.Depth, path(it)))
	}
	return out
}

func TestImpact(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := cmdbFixture(t, s)
		ctx := f.ctx
		//   Shop (business service) depends on Cart and Catalog
		//   Cart depends on Catalog, Catalog depends on Cart (a cycle)
		//   Cart runs on vm1, vm1 runs on host1, Catalog depends on db
		//   host1 connects to switch (no impact), laptop owned by Cart
		//   the catalogue service Network is built on Shop, Laptops on vm1;
		//   Acme uses Network, Globex uses Network and Laptops.
		ci := func(name, typ string, attrs map[string]any) cmdb.CI {
			return f.newCI(t, store.NewCI{Name: name, Type: typ, Attributes: attrs})
		}
		shop := ci("Shop", "business_service", nil)
		cart := ci("Cart", "application", nil)
		catalog := ci("Catalog", "application", nil)
		vm1 := ci("vm1", "virtual_machine", map[string]any{"hostname": "vm1"})
		host1 := ci("host1", "linux_server", map[string]any{"hostname": "host1"})
		db := ci("db", "database", nil)
		sw := ci("switch", "network_device", nil)
		laptop := ci("laptop", "laptop", nil)
		f.relate(t, shop, "depends_on", cart)
		f.relate(t, shop, "depends_on", catalog)
		f.relate(t, cart, "depends_on", catalog)
		f.relate(t, catalog, "depends_on", cart)
		f.relate(t, cart, "runs_on", vm1)
		f.relate(t, host1, "hosts", vm1)
		f.relate(t, catalog, "depends_on", db)
		f.relate(t, host1, "connects_to", sw)
		f.relate(t, laptop, "owned_by", cart)
		for _, l := range []struct {
			svc int64
			ci  cmdb.CI
		}{{f.network.ID, shop}, {f.laptops.ID, vm1}} {
			if _, err := s.LinkServiceCI(ctx, f.nina, l.svc, l.ci.ID); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.SetServiceOrganizations(ctx, f.admin, f.network.ID, []int64{f.acme.ID, f.globex.ID}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetServiceOrganizations(ctx, f.admin, f.laptops.ID, []int64{f.globex.ID}); err != nil {
			t.Fatal(err)
		}

		impact := func(q store.ImpactQuery) cmdb.Impact {
			t.Helper()
			out, err := s.Impact(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		up := impact(store.ImpactQuery{CIIDs: []int64{host1.ID}})
		wantCIs := []string{
			"1 host1 > hosts > vm1",
			"2 host1 > hosts > vm1 > hosts > Cart",
			"3 host1 > hosts > vm1 > hosts > Cart > depended_on_by > Catalog",
			"3 host1 > hosts > vm1 > hosts > Cart > depended_on_by > Shop",
		}
		if got := itemLines(up.CIs); !slices.Equal(got, wantCIs) {
			t.Errorf("upstream of host1:\n%v\nwant\n%v", strings.Join(got, "\n"), strings.Join(wantCIs, "\n"))
		}
		wantSvcs := []string{
			"2 host1 > hosts > vm1 > supports > Laptops",
			"4 host1 > hosts > vm1 > hosts > Cart > depended_on_by > Shop > supports > Network",
		}
		if got := itemLines(up.Services); !slices.Equal(got, wantSvcs) {
			t.Errorf("services:\n%v\nwant\n%v", strings.Join(got, "\n"), strings.Join(wantSvcs, "\n"))
		}
		wantOrgs := []string{
			"3 host1 > hosts > vm1 > supports > Laptops > serves > Globex",
			"5 host1 > hosts > vm1 > hosts > Cart > depended_on_by > Shop > supports > Network > serves > Acme",
		}
		if got := itemLines(up.Organizations); !slices.Equal(got, wantOrgs) {
			t.Errorf("organizations:\n%v\nwant\n%v", strings.Join(got, "\n"), strings.Join(wantOrgs, "\n"))
		}
		if up.TotalCIs != 4 || up.Truncated || len(up.Start) != 1 || up.Start[0].Name != "host1" || up.CIs[0].Type != "Virtual machine" {
			t.Errorf("upstream: total %d truncated %v start %v first %+v", up.TotalCIs, up.Truncated, up.Start, up.CIs[0])
		}
		lbl := up.CIs[0].Path[1]
		if lbl.Label != "hosts" || lbl.Kind != cmdb.ItemCI || lbl.ID != vm1.ID {
			t.Errorf("step %+v", lbl)
		}

		// A depth limit counts hops between CIs; services of what is
		// reached are still given.
		d2 := impact(store.ImpactQuery{CIIDs: []int64{host1.ID}, Depth: 2})
		if got := itemLines(d2.CIs); !slices.Equal(got, wantCIs[:2]) {
			t.Errorf("depth 2: %v", got)
		}
		if got := itemLines(d2.Services); !slices.Equal(got, wantSvcs[:1]) {
			t.Errorf("depth 2 services: %v", got)
		}
		// A limit on the list keeps the nearest CIs and says so.
		lim := impact(store.ImpactQuery{CIIDs: []int64{host1.ID}, Limit: 2})
		if len(lim.CIs) != 2 || !lim.Truncated || lim.TotalCIs != 4 || len(lim.Services) != 2 {
			t.Errorf("limit 2: %d CIs, truncated %v, total %d, %d services", len(lim.CIs), lim.Truncated, lim.TotalCIs, len(lim.Services))
		}

		// Downstream through the cycle: each CI once, by its shortest path.
		down := impact(store.ImpactQuery{CIIDs: []int64{shop.ID}, Direction: cmdb.Downstream})
		wantDown := []string{
			"1 Shop > depends_on > Cart",
			"1 Shop > depends_on > Catalog",
			"2 Shop > depends_on > Catalog > depends_on > db",
			"2 Shop > depends_on > Cart > runs_on > vm1",
			"3 Shop > depends_on > Cart > runs_on > vm1 > runs_on > host1",
		}
		if got := itemLines(down.CIs); !slices.Equal(got, wantDown) {
			t.Errorf("downstream of Shop:\n%v\nwant\n%v", strings.Join(got, "\n"), strings.Join(wantDown, "\n"))
		}
		if len(down.Services) != 0 || len(down.Organizations) != 0 {
			t.Errorf("downstream lists services %v", down.Services)
		}
		// The cycle upstream of Cart reaches Catalog and Shop once each.
		cyc := impact(store.ImpactQuery{CIIDs: []int64{cart.ID}})
		if got := itemLines(cyc.CIs); !slices.Equal(got, []string{"1 Cart > depended_on_by > Catalog", "1 Cart > depended_on_by > Shop"}) {
			t.Errorf("upstream of Cart: %v", got)
		}
		// Network links and ownership carry no impact.
		if sw := impact(store.ImpactQuery{CIIDs: []int64{sw.ID}}); sw.TotalCIs != 0 {
			t.Errorf("upstream of the switch: %v", itemLines(sw.CIs))
		}
		if _, err := s.Impact(ctx, store.ImpactQuery{CIIDs: []int64{9999}}); !errs.Is(err, errs.KindNotFound) {
			t.Errorf("unknown CI: %v", err)
		}

		// The graph kept in memory follows every change of relationships.
		report := ci("Report", "application", nil)
		r := f.relate(t, report, "runs_on", vm1)
		if got := impact(store.ImpactQuery{CIIDs: []int64{host1.ID}}); got.TotalCIs != 5 {
			t.Errorf("after a new relationship: %v", itemLines(got.CIs))
		}
		if err := s.DeleteRelationship(ctx, f.nina, vm1.ID, r.ID); err != nil {
			t.Fatal(err)
		}
		if got := impact(store.ImpactQuery{CIIDs: []int64{host1.ID}}); got.TotalCIs != 4 {
			t.Errorf("after deleting it: %v", itemLines(got.CIs))
		}
		if err := s.DeleteCI(ctx, f.nina, vm1.ID); err != nil {
			t.Fatal(err)
		}
		if got := impact(store.ImpactQuery{CIIDs: []int64{host1.ID}}); got.TotalCIs != 0 {
			t.Errorf("after deleting vm1: %v", itemLines(got.CIs))
		}
	})
}

func TestTicketCIs(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := cmdbFixture(t, s)
		ctx := f.ctx
		app := f.newCI(t, store.NewCI{Name: "Mail", Type: "application"})
		db := f.newCI(t, store.NewCI{Name: "mail-db", Type: "database"})
		f.relate(t, app, "depends_on", db)
		if _, err := s.LinkServiceCI(ctx, f.nina, f.network.ID, app.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.SetServiceOrganizations(ctx, f.admin, f.network.ID, []int64{f.acme.ID}); err != nil {
			t.Fatal(err)
		}
		inc := f.incident(t, f.alice, "Mail is down")
		ref, err := s.LinkTicketCI(ctx, f.nina, inc.Key, db.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ref.Name != "mail-db" || ref.Type != "Database" {
			t.Errorf("linked %+v", ref)
		}
		before := f.cmdbCounts(t)
		_, err = s.LinkTicketCI(ctx, f.nina, inc.Key, db.ID)
		wantErr(t, "twice", err, errs.KindConflict, "")
		_, err = s.LinkTicketCI(ctx, f.nina, inc.Key, 9999)
		wantErr(t, "unknown CI", err, errs.KindInvalid, "ci")
		_, err = s.LinkTicketCI(ctx, f.alice, inc.Key, app.ID)
		wantErr(t, "customer on their ticket", err, errs.KindForbidden, "")
		_, err = s.LinkTicketCI(ctx, f.carol, inc.Key, app.ID)
		wantErr(t, "customer on another's ticket", err, errs.KindNotFound, "")
		_, err = s.LinkTicketCI(ctx, f.dave, inc.Key, app.ID)
		wantErr(t, "agent who cannot see the ticket", err, errs.KindNotFound, "")
		sameCounts(t, "rejected links", before, f.cmdbCounts(t))

		cis, err := s.TicketCIs(ctx, f.nina, inc.Key)
		if err != nil || len(cis) != 1 || cis[0].ID != db.ID {
			t.Errorf("TicketCIs: %v %v", cis, err)
		}
		if _, err := s.TicketCIs(ctx, f.alice, inc.Key); !errs.Is(err, errs.KindForbidden) {
			t.Errorf("customer lists CIs: %v", err)
		}

		imp, err := s.TicketImpact(ctx, f.nina, inc.Key, 0)
		if err != nil {
			t.Fatal(err)
		}
		if imp.Scope != store.ScopeAffected || imp.Type != "incident" || len(imp.CIs) != 1 {
			t.Errorf("incident impact %+v", imp)
		}
		if got := itemLines(imp.Impact.Services); !slices.Equal(got, []string{"2 mail-db > depended_on_by > Mail > supports > Network"}) {
			t.Errorf("affected services %v", got)
		}
		if got := itemLines(imp.Impact.Organizations); len(got) != 1 || !strings.HasSuffix(got[0], "serves > Acme") {
			t.Errorf("affected organizations %v", got)
		}
		chg := f.create(t, f.nina, store.NewTicket{Service: "Network", Type: "change", Summary: "Upgrade the mail database"})
		if _, err := s.LinkTicketCI(ctx, f.nina, chg.Key, db.ID); err != nil {
			t.Fatal(err)
		}
		blast, err := s.TicketImpact(ctx, f.nina, chg.Key, 0)
		if err != nil {
			t.Fatal(err)
		}
		if blast.Scope != store.ScopeBlastRadius || blast.Impact.TotalCIs != 1 || len(blast.Impact.Services) != 1 {
			t.Errorf("blast radius %+v", blast)
		}
		if _, err := s.TicketImpact(ctx, f.alice, inc.Key, 0); !errs.Is(err, errs.KindForbidden) {
			t.Errorf("customer impact: %v", err)
		}

		// Customers do not see CI links in their ticket's history; the CI's
		// history shows the ticket only to who may see it.
		hist, err := s.History(ctx, f.alice, inc.Key)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range hist {
			if ev.Type == cmdb.EventTicketCILinked {
				t.Errorf("the customer sees %s", ev.Type)
			}
		}
		staffHist, _ := s.History(ctx, f.nina, inc.Key)
		if !slices.ContainsFunc(staffHist, func(ev ticket.Event) bool { return ev.Type == cmdb.EventTicketCILinked }) {
			t.Error("the agent does not see the CI link in the ticket's history")
		}
		ciHist := func(a directory.Actor) int {
			h, err := s.CIHistory(ctx, a, db.ID)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, ev := range h {
				if ev.Type == cmdb.EventTicketLinked {
					n++
				}
			}
			return n
		}
		if n := ciHist(f.nina); n != 2 {
			t.Errorf("Nina sees %d ticket links, want 2", n)
		}
		if n := ciHist(f.dave); n != 0 {
			t.Errorf("Dave, who cannot see the tickets, sees %d ticket links", n)
		}
		tks, err := s.CITickets(ctx, f.nina, db.ID, 0)
		if err != nil || len(tks) != 2 || tks[0].Key != chg.Key {
			t.Errorf("CITickets: %v %v", keysOf(tks), err)
		}
		if tks, _ := s.CITickets(ctx, f.dave, db.ID, 0); len(tks) != 0 {
			t.Errorf("Dave sees tickets %v", keysOf(tks))
		}

		if err := s.UnlinkTicketCI(ctx, f.nina, inc.Key, db.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.UnlinkTicketCI(ctx, f.nina, inc.Key, db.ID); !errs.Is(err, errs.KindNotFound) {
			t.Errorf("unlink twice: %v", err)
		}
	})
}
