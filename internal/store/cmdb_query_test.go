package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

// ciNames lists the names of a page's CIs, in its order.
func ciNames(p store.CIPage) []string {
	out := make([]string, len(p.CIs))
	for i, ci := range p.CIs {
		out[i] = ci.Name
	}
	return out
}

func TestCIQuery(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := cmdbFixture(t, s)
		ctx := store.InLocation(f.ctx, time.UTC)
		blade, err := s.CreateCIType(ctx, f.admin, cmdb.CIType{Name: "Blade", ParentID: f.ciType(t, "server").ID, Attributes: []cmdb.Attribute{
			{Key: "chassis", Label: "Chassis", Type: cmdb.AttrReference, RefType: "server"},
			{Key: "spare", Label: "Spare", Type: cmdb.AttrBoolean},
		}})
		if err != nil {
			t.Fatal(err)
		}
		ci := func(in store.NewCI) cmdb.CI {
			f.clock.advance(time.Hour)
			return f.newCI(t, in)
		}
		// Servers of three types, one of them a subtype of a subtype.
		web01 := ci(store.NewCI{Name: "web01", Type: "Linux server", Description: "Front end of the shop", Criticality: "high", OwnerTeamID: f.netTeam.ID,
			Attributes: map[string]any{"hostname": "web01.example.com", "operating_system": "Ubuntu 22.04 LTS", "ip_address": "10.0.0.7",
				"cpu_cores": 16, "purchase_date": "2024-02-29", "serial_number": "SN-001", "environment": "production"}})
		ci(store.NewCI{Name: "web02", Type: "windows_server", Attributes: map[string]any{"hostname": "web02.example.com",
			"operating_system": "Windows Server 2022", "cpu_cores": 8, "purchase_date": "2025-06-01", "environment": "staging"}})
		ci(store.NewCI{Name: "srv-old", Type: "server", Status: "retired", Attributes: map[string]any{"hostname": "srv-old",
			"operating_system": "Ubuntu 18.04", "cpu_cores": 4}})
		ci(store.NewCI{Name: "blade1", Type: blade.Key, Attributes: map[string]any{"hostname": "blade1", "chassis": "web01", "spare": true}})
		vm1 := ci(store.NewCI{Name: "vm1", Type: "virtual_machine", Attributes: map[string]any{"hostname": "vm1", "operating_system": "Ubuntu 24.04"}})
		db := ci(store.NewCI{Name: "payments-db", Type: "database", Criticality: "critical", Attributes: map[string]any{"engine": "PostgreSQL"}})
		app := ci(store.NewCI{Name: "payments-app", Type: "application"})
		checkout := ci(store.NewCI{Name: "checkout", Type: "application"})
		reporting := ci(store.NewCI{Name: "reporting", Type: "application"})
		shop := ci(store.NewCI{Name: "shop", Type: "business_service"})
		laptop := ci(store.NewCI{Name: "laptop-7", Type: "laptop", Attributes: map[string]any{"assigned_to": "nina@example.com"}})
		sw := ci(store.NewCI{Name: "switch-1", Type: "network_device"})
		// shop -> checkout <-> reporting (a cycle), checkout -> payments-app
		// -> payments-db; payments-app runs on vm1, vm1 on web01; web01
		// connects to switch-1; laptop-7 is owned by payments-app.
		f.relate(t, shop, "depends_on", checkout)
		f.relate(t, checkout, "depends_on", reporting)
		f.relate(t, reporting, "depends_on", checkout)
		f.relate(t, checkout, "depends_on", app)
		f.relate(t, app, "depends_on", db)
		f.relate(t, app, "runs_on", vm1)
		f.relate(t, web01, "hosts", vm1)
		f.relate(t, sw, "connects_to", web01)
		f.relate(t, laptop, "owned_by", app)

		list := func(q string, filter store.CIFilter) ([]string, error) {
			t.Helper()
			filter.Query = q
			page, err := s.CIs(ctx, filter)
			if err != nil {
				return nil, err
			}
			if filter.Limit == 0 && page.Total != len(page.CIs) {
				t.Errorf("%q: total %d, listed %d", q, page.Total, len(page.CIs))
			}
			return ciNames(page), nil
		}
		for _, tc := range []struct {
			q      string
			filter store.CIFilter
			want   []string // by name unless the query orders them
		}{
			// Types include their subtypes, by name or key.
			{q: "type = Server", want: []string{"blade1", "srv-old", "web01", "web02"}},
			{q: "type = linux_server", want: []string{"web01"}},
			{q: `type IN ("Virtual machine", Database)`, want: []string{"payments-db", "vm1"}},
			{q: "type = Hardware AND type != Server", want: []string{"laptop-7", "switch-1"}},
			// Attributes by label or key, typed by their schema.
			{q: `type = Server AND status = Live AND "Operating system" ~ "ubuntu"`, want: []string{"web01"}},
			{q: `"operating_system" ~ Ubuntu`, want: []string{"srv-old", "vm1", "web01"}},
			{q: `"Operating system" ~ ubuntu AND type != Server`, want: []string{"vm1"}},
			{q: `"Operating system" !~ ubuntu AND type = Server`, want: []string{"blade1", "web02"}},
			{q: `"Operating system" = "windows server 2022"`, want: []string{"web02"}},
			{q: `"CPU cores" >= 8`, want: []string{"web01", "web02"}},
			{q: `type = Server AND ("cpu_cores" < 8 OR "CPU cores" IS EMPTY)`, want: []string{"blade1", "srv-old"}},
			{q: `"CPU cores" IN (4, 16)`, want: []string{"srv-old", "web01"}},
			{q: `"Purchase date" < 2025-01-01`, want: []string{"web01"}},
			{q: `"Purchase date" >= 2025-01-01`, want: []string{"web02"}},
			{q: `"Purchase date" = 2024-02-29`, want: []string{"web01"}},
			{q: `"IP address" = "::ffff:10.0.0.7"`, want: []string{"web01"}},
			{q: `"IP address" ~ "10.0."`, want: []string{"web01"}},
			{q: `"Serial number" = sn-001`, want: []string{"web01"}},
			{q: `"Environment" IN (Production, Staging)`, want: []string{"web01", "web02"}},
			{q: `"Engine" = postgresql`, want: []string{"payments-db"}},
			{q: `"Chassis" = web01`, want: []string{"blade1"}},
			{q: `"Spare" = true`, want: []string{"blade1"}},
			{q: `"Assigned to" = "Nina Network"`, want: []string{"laptop-7"}},
			// A CI whose type lacks an attribute has it empty.
			{q: `"Host name" IS EMPTY AND type IN (Server, "Virtual machine", Application)`, want: []string{"checkout", "payments-app", "reporting"}},
			// The CI's own fields.
			{q: "owner = network", want: []string{"web01"}},
			{q: "owner IS EMPTY AND type = Server", want: []string{"blade1", "srv-old", "web02"}},
			{q: "criticality >= high", want: []string{"payments-db", "web01"}},
			{q: "name ~ WEB OR name IN (VM1, 'switch-1')", want: []string{"switch-1", "vm1", "web01", "web02"}},
			{q: "description ~ front", want: []string{"web01"}},
			{q: "created <= \"2025-03-03 11:00\"", want: []string{"web01", "web02"}},
			{q: fmt.Sprintf("id = %d", db.ID), want: []string{"payments-db"}},
			// Relationships, through the cycle between checkout and reporting.
			{q: `dependsOn("payments-db")`, want: []string{"checkout", "payments-app", "reporting", "shop"}},
			{q: `dependsOn("PAYMENTS-DB", 1)`, want: []string{"payments-app"}},
			{q: `dependsOn(web01)`, want: []string{"checkout", "payments-app", "reporting", "shop", "vm1"}},
			{q: fmt.Sprintf("dependsOn(%d) AND type = Application", vm1.ID), want: []string{"checkout", "payments-app", "reporting"}},
			{q: `dependedOnBy(shop)`, want: []string{"checkout", "payments-app", "payments-db", "reporting", "vm1", "web01"}},
			{q: `dependedOnBy(checkout)`, want: []string{"payments-app", "payments-db", "reporting", "vm1", "web01"}},
			{q: `dependsOn(checkout)`, want: []string{"reporting", "shop"}},
			{q: `type = Application AND NOT dependsOn(checkout)`, want: []string{"checkout", "payments-app"}},
			{q: `runsOn(web01)`, want: []string{"payments-app", "vm1"}},
			{q: `runsOn(web01, 1)`, want: []string{"vm1"}},
			{q: `hosts("payments-app")`, want: []string{"vm1", "web01"}},
			{q: `connectsTo(web01) OR connectsTo("switch-1")`, want: []string{"switch-1", "web01"}},
			{q: `ownedBy("payments-app")`, want: []string{"laptop-7"}},
			{q: `owns("laptop-7")`, want: []string{"payments-app"}},
			// The query's ORDER BY, unless the listing sorts.
			{q: `type = Server ORDER BY "CPU cores" DESC`, want: []string{"web01", "web02", "srv-old", "blade1"}},
			{q: `type = Server ORDER BY status DESC, name`, want: []string{"srv-old", "blade1", "web01", "web02"}},
			{q: `dependedOnBy(shop) ORDER BY type, criticality DESC`, want: []string{"reporting", "checkout", "payments-app", "payments-db", "web01", "vm1"}},
			{q: `type = Server ORDER BY "CPU cores" DESC`, filter: store.CIFilter{Sort: "name", Descending: true}, want: []string{"web02", "web01", "srv-old", "blade1"}},
			{q: "ORDER BY created DESC", filter: store.CIFilter{Limit: 2}, want: []string{"switch-1", "laptop-7"}},
			// The listing's filters narrow the query.
			{q: "type = Server", filter: store.CIFilter{Statuses: []cmdb.Status{cmdb.StatusLive}, OwnerTeamID: f.netTeam.ID}, want: []string{"web01"}},
			{q: `dependsOn("payments-db")`, filter: store.CIFilter{Text: "shop"}, want: []string{"shop"}},
		} {
			got, err := list(tc.q, tc.filter)
			if err != nil {
				t.Errorf("%q: %v", tc.q, err)
				continue
			}
			if !strings.Contains(tc.q, "ORDER BY") && tc.filter.Sort == "" {
				slices.Sort(got)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("%q:\n got %v\nwant %v", tc.q, got, tc.want)
			}
		}

		// Mistakes are invalid errors on q, with the line and column.
		if err := s.DeleteCI(ctx, f.nina, reporting.ID); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct{ q, want string }{
			{"type = Servr", `line 1, column 8: there is no CI type "Servr"; did you mean "Server"?`},
			{`dependsOn("nope")`, `line 1, column 11: there is no CI named "nope"`},
			{"type = Server\n  AND dependsOn(reporting)", `line 2, column 17: there is no CI named "reporting"`},
			{`"Operating sytem" ~ x`, `line 1, column 1: unknown field "Operating sytem"; did you mean "Operating system"?`},
			{`"CPU cores" ~ 8`, `line 1, column 13: "CPU cores" (a number attribute) cannot be compared with ~`},
			{`"CPU cores" > many`, `line 1, column 15: "CPU cores" is a number field: many is not a number`},
			{`"Purchase date" > soon`, `line 1, column 19: "soon" is not a date`},
			{`"Chassis" = web99`, `line 1, column 13: there is no CI named "web99"`},
			{"status = broken", `line 1, column 10: "broken" is not a CI status: use planned, live, maintenance or retired`},
			{"owner = Netwrok", `line 1, column 9: there is no team "Netwrok"; did you mean "Network"?`},
			{"priority = High", `line 1, column 1: unknown field "priority"; attributes are written in double quotes`},
			{"dependsOn(web01, 0)", `line 1, column 18: 0 is not a depth for dependsOn()`},
			{"dependsOn()", `line 1, column 1: dependsOn() takes 1 or 2 arguments, not 0`},
			{"dependson(web01) AND linkedTo(x)", `line 1, column 22: unknown condition linkedTo()`},
		} {
			_, err := list(tc.q, store.CIFilter{})
			e, ok := errs.As(err)
			if !ok || e.Field != "q" || !strings.HasPrefix(e.Message, tc.want) {
				t.Errorf("%q: %v, want %s", tc.q, err, tc.want)
			}
		}
		// A deleted CI is neither listed nor named, and its relationships
		// went with it: the cycle is gone.
		if got, err := list(`dependsOn(checkout)`, store.CIFilter{}); err != nil || !slices.Equal(got, []string{"shop"}) {
			t.Errorf("after delete: %v, %v", got, err)
		}
	})
}

// TestCIQueryManyRelated lists more related CIs than the compiler writes
// one by one: a set goes to the database as one argument, and a set of
// nearly every CI as the few it lacks.
func TestCIQueryManyRelated(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := cmdbFixture(t, s)
		core := f.newCI(t, store.NewCI{Name: "core-switch", Type: "network_device"})
		hub := f.newCI(t, store.NewCI{Name: "db-hub", Type: "database"})
		var all, even, odd []string
		for i := range 80 {
			name := fmt.Sprintf("app-%02d", i)
			app := f.newCI(t, store.NewCI{Name: name, Type: "application"})
			f.relate(t, app, "depends_on", core)
			all = append(all, name)
			if i%2 == 0 {
				f.relate(t, app, "depends_on", hub)
				even = append(even, name)
			} else {
				odd = append(odd, name)
			}
		}
		f.newCI(t, store.NewCI{Name: "app-lone", Type: "application"})
		for _, tc := range []struct {
			q    string
			want []string
		}{
			{`dependsOn("core-switch")`, all},
			{`dependsOn("db-hub")`, even},
			{`dependsOn("core-switch") AND NOT dependsOn("db-hub")`, odd},
			{`type = application AND NOT dependsOn("core-switch")`, []string{"app-lone"}},
			{`NOT dependsOn("core-switch") AND NOT dependsOn("db-hub") AND name != app-lone`, []string{"core-switch", "db-hub"}},
			{`dependsOn("db-hub") AND name !~ 1 AND name !~ 3 AND name !~ 5 AND name !~ 7 AND name !~ 9`,
				[]string{"app-00", "app-02", "app-04", "app-06", "app-08", "app-20", "app-22", "app-24", "app-26", "app-28",
					"app-40", "app-42", "app-44", "app-46", "app-48", "app-60", "app-62", "app-64", "app-66", "app-68"}},
		} {
			page, err := s.CIs(f.ctx, store.CIFilter{Query: tc.q, Limit: 100})
			if err != nil {
				t.Errorf("%q: %v", tc.q, err)
				continue
			}
			if got := ciNames(page); !slices.Equal(got, tc.want) || page.Total != len(tc.want) {
				t.Errorf("%q: %d\n got %v\nwant %v", tc.q, page.Total, got, tc.want)
			}
		}
	})
}
