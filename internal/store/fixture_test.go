package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// t0 is when every fixture starts; whole milliseconds, as the store keeps them.
var t0 = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

// clock is a settable time for Store.SetClock.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time          { return c.now }
func (c *clock) advance(d time.Duration) { c.now = c.now.Add(d) }

// fixture is a small service desk:
//
//   - organizations Acme (customers Alice and Bob) and Globex (Carol);
//   - agents Nina (team Network) and Dave (team Desk), and an admin;
//   - live services Network (Network team) and Laptops (Desk team), a
//     pipeline service Intranet (Desk team) and a retired one, Fax;
//   - request types "Report an outage" (incident, on Network) and
//     "Request a laptop" (service request, on Laptops, a form of every type).
type fixture struct {
	s     *store.Store
	ctx   context.Context
	clock *clock

	acme, globex                             directory.Organization
	admin, nina, dave, alice, bob, carol     directory.Actor
	netTeam, deskTeam                        directory.Team
	network, laptops, intranet, fax          catalog.Service
	outage, laptop                           catalog.RequestType
	adminUser, ninaUser, daveUser, aliceUser directory.User
	bobUser, carolUser                       directory.User
}

func newFixture(t *testing.T, s *store.Store) *fixture {
	t.Helper()
	f := &fixture{s: s, ctx: context.Background(), clock: &clock{now: t0}}
	s.SetClock(f.clock.Now)
	sys := directory.System
	var err error
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("fixture: %s: %v", what, err)
		}
	}
	f.acme, err = s.CreateOrganization(f.ctx, sys, "Acme")
	must("acme", err)
	f.globex, err = s.CreateOrganization(f.ctx, sys, "Globex")
	must("globex", err)
	user := func(email, name string, role directory.Role, org int64) directory.User {
		t.Helper()
		u, err := s.CreateUser(f.ctx, sys, store.NewUser{Email: email, Name: name, Role: role, OrganizationID: org})
		must(email, err)
		return u
	}
	f.adminUser = user("admin@example.com", "Ada Admin", directory.RoleAdmin, 0)
	f.ninaUser = user("nina@example.com", "Nina Network", directory.RoleAgent, 0)
	f.daveUser = user("dave@example.com", "Dave Desk", directory.RoleAgent, 0)
	f.aliceUser = user("alice@acme.test", "Alice", directory.RoleCustomer, f.acme.ID)
	f.bobUser = user("bob@acme.test", "Bob", directory.RoleCustomer, f.acme.ID)
	f.carolUser = user("carol@globex.test", "Carol", directory.RoleCustomer, f.globex.ID)
	f.netTeam, err = s.CreateTeam(f.ctx, sys, "Network", []int64{f.ninaUser.ID})
	must("network team", err)
	f.deskTeam, err = s.CreateTeam(f.ctx, sys, "Desk", []int64{f.daveUser.ID})
	must("desk team", err)
	service := func(name string, status catalog.ServiceStatus, owner int64) catalog.Service {
		t.Helper()
		svc, err := s.CreateService(f.ctx, sys, catalog.Service{Name: name, Status: status, OwnerTeamID: owner})
		must("service "+name, err)
		return svc
	}
	f.network = service("Network", catalog.ServiceLive, f.netTeam.ID)
	f.laptops = service("Laptops", catalog.ServiceLive, f.deskTeam.ID)
	f.intranet = service("Intranet", catalog.ServicePipeline, f.deskTeam.ID)
	f.fax = service("Fax", catalog.ServiceRetired, 0)
	f.outage, err = s.CreateRequestType(f.ctx, sys, catalog.RequestType{
		ServiceID: f.network.ID, Name: "Report an outage", TicketType: string(ticket.TypeIncident),
		Fields: []catalog.Field{{Key: "location", Label: "Where", Type: catalog.FieldText}},
	})
	must("outage request type", err)
	f.laptop, err = s.CreateRequestType(f.ctx, sys, catalog.RequestType{
		ServiceID: f.laptops.ID, Name: "Request a laptop", TicketType: string(ticket.TypeServiceRequest),
		Fields: []catalog.Field{
			{Key: "model", Label: "Model", Type: catalog.FieldSelect, Required: true, Options: []string{"Small", "Large"}},
			{Key: "qty", Label: "Quantity", Type: catalog.FieldNumber},
			{Key: "needed_by", Label: "Needed by", Type: catalog.FieldDate},
			{Key: "extras", Label: "Extras", Type: catalog.FieldMultiSelect, Options: []string{"Mouse", "Dock", "Bag"}},
			{Key: "manager", Label: "Manager", Type: catalog.FieldUser},
			{Key: "notes", Label: "Notes", Type: catalog.FieldLongText},
			{Key: "agree", Label: "I will take care of it", Type: catalog.FieldCheckbox, Required: true},
		},
	})
	must("laptop request type", err)
	// Actors last: an agent's actor holds the services their teams serve.
	f.admin, f.nina, f.dave = f.actor(t, f.adminUser), f.actor(t, f.ninaUser), f.actor(t, f.daveUser)
	f.alice, f.bob, f.carol = f.actor(t, f.aliceUser), f.actor(t, f.bobUser), f.actor(t, f.carolUser)
	return f
}

// actor loads a user's actor as a request would, with their teams' services
// as they are now.
func (f *fixture) actor(t *testing.T, u directory.User) directory.Actor {
	t.Helper()
	a, err := f.s.Actor(f.ctx, u)
	if err != nil {
		t.Fatalf("actor %s: %v", u.Email, err)
	}
	return a
}

// create raises a ticket and fails the test if that fails.
func (f *fixture) create(t *testing.T, a directory.Actor, in store.NewTicket) ticket.Ticket {
	t.Helper()
	tk, err := f.s.CreateTicket(f.ctx, a, in)
	if err != nil {
		t.Fatalf("create ticket %q as %s: %v", in.Summary, a.Name, err)
	}
	return tk
}

// incident raises an outage on the Network service.
func (f *fixture) incident(t *testing.T, a directory.Actor, summary string) ticket.Ticket {
	t.Helper()
	return f.create(t, a, store.NewTicket{Service: "Network", RequestType: "Report an outage", Summary: summary})
}

// laptopRequest raises a valid laptop request on the Laptops service.
func (f *fixture) laptopRequest(t *testing.T, a directory.Actor, summary string) ticket.Ticket {
	t.Helper()
	return f.create(t, a, store.NewTicket{Service: "Laptops", RequestType: "Request a laptop", Summary: summary,
		Fields: map[string]any{"model": "Small", "agree": true}})
}

// count gives the number of rows of a table.
func (f *fixture) count(t *testing.T, table string) int {
	t.Helper()
	n, err := store.CountRows(f.s, table)
	if err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// counts gives the row counts of the tables a command may write.
func (f *fixture) counts(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"tickets", "events", "comments", "ticket_links", "attachments", "blobs", "users", "teams", "team_members", "organizations", "services", "service_teams", "request_types"} {
		out[table] = f.count(t, table)
	}
	return out
}

// sameCounts fails the test when any table changed size.
func sameCounts(t *testing.T, what string, before, after map[string]int) {
	t.Helper()
	for table, n := range before {
		if after[table] != n {
			t.Errorf("%s: %s went from %d to %d rows; a rejected command must write nothing", what, table, n, after[table])
		}
	}
}

// wantErr checks that err is an *errs.Error of kind with field.
func wantErr(t *testing.T, what string, err error, kind errs.Kind, field string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want %s (field %q)", what, kind, field)
		return
	}
	e, ok := errs.As(err)
	if !ok {
		t.Errorf("%s: error %v (%T), want %s (field %q)", what, err, err, kind, field)
		return
	}
	if e.Kind != kind || e.Field != field {
		t.Errorf("%s: error %s/%q %q, want %s (field %q)", what, e.Kind, e.Field, e.Message, kind, field)
	}
}

// keysOf lists the keys of tickets, sorted.
func keysOf(ts []ticket.Ticket) []string {
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		out = append(out, t.Key)
	}
	slices.Sort(out)
	return out
}

func ptr[T any](v T) *T { return &v }
