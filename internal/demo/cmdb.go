package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/store"
)

// The demo's CMDB: about 200 CIs behind the demo services (business
// services, applications, databases, servers and virtual machines on a few
// hypervisor hosts, the network of the offices and the data centre, cloud
// accounts, licences, and the laptops and phones of the demo's people),
// related so that impact analysis runs from a switch or a database server
// up to the catalogue and its customers. The inventory is in
// cmdb_inventory.go and cmdb_fleet.go; which tickets name which CIs is in
// cmdb_tickets.go.

// cmdbStream is the stream of the seeded random source the CMDB draws from,
// apart from the tickets' streams (1 up to their number).
const cmdbStream = 1 << 40

// ciPlan is a CI of the inventory, before it is imported. team is the
// owner team's name; attrs are keyed as the CI type's attributes are.
type ciPlan struct {
	name, typ   string
	status      cmdb.Status // "" is live
	crit        cmdb.Criticality
	team        string
	description string
	attrs       map[string]any
}

// relPlan is a relationship between two CIs of the inventory, by name, read
// from the first: "payments-db" "runs_on" "db-dc-01".
type relPlan struct{ from, verb, to string }

// serviceCIs are the CIs a catalogue service is built on, and the customer
// organizations that use it.
type serviceCIs struct {
	service string
	cis     []string
	orgs    []string
}

// inventory is the demo's CMDB as it is written down: CIs in the order they
// are imported, relationships in the order they are made.
type inventory struct {
	g        *gen
	now      time.Time
	cis      []*ciPlan
	byName   map[string]*ciPlan
	rels     []relPlan
	services []serviceCIs
	used     map[string]bool // serial numbers, asset tags, IMEIs drawn so far
}

// newInventory writes down the CMDB as of now: the same every time for the
// same now, with dates (purchases, warranties, expiries) that move with it.
func newInventory(now time.Time, people []*person) *inventory {
	inv := &inventory{
		g:   &gen{r: rand.New(rand.NewPCG(seed, cmdbStream)), now: now, people: people},
		now: now, byName: map[string]*ciPlan{}, used: map[string]bool{},
	}
	inv.businessServices()
	inv.applications()
	inv.databases()
	inv.servers()
	inv.virtualMachines()
	inv.network()
	inv.cloud()
	inv.licences()
	inv.meetingRooms()
	inv.fleet()
	inv.catalogue()
	return inv
}

func (inv *inventory) add(c *ciPlan) *ciPlan {
	if inv.byName[c.name] != nil {
		panic("demo cmdb: two CIs named " + c.name) // a typo in the inventory; TestCMDBInventory catches it
	}
	inv.cis = append(inv.cis, c)
	inv.byName[c.name] = c
	return c
}

// rel relates from to each of to with the verb, read from from.
func (inv *inventory) rel(from, verb string, to ...string) {
	for _, t := range to {
		inv.rels = append(inv.rels, relPlan{from, verb, t})
	}
}

// check reports a relationship or a service link that names no CI of the
// inventory.
func (inv *inventory) check() error {
	for _, r := range inv.rels {
		for _, n := range []string{r.from, r.to} {
			if inv.byName[n] == nil {
				return fmt.Errorf("demo cmdb: %s %s %s: no CI named %q", r.from, r.verb, r.to, n)
			}
		}
	}
	for _, s := range inv.services {
		for _, n := range s.cis {
			if inv.byName[n] == nil {
				return fmt.Errorf("demo cmdb: service %s: no CI named %q", s.service, n)
			}
		}
	}
	return nil
}

// loadCMDB loads the inventory: CIs imported as on the day Cairn was set up
// (from the asset register IT kept before), their relationships, the
// services built on them with their customers; then the tickets that name
// CIs are linked to them, each after its latest event, and the CMDB
// follows the changes made since (cmdbChanges). It runs after the changes,
// the last tickets of the demo.
func (l *loader) loadCMDB(ctx context.Context) error {
	if err := l.s.EnsureDefaultCITypes(ctx); err != nil {
		return fmt.Errorf("demo cmdb: %w", err)
	}
	inv := newInventory(l.now, l.people)
	if err := inv.check(); err != nil {
		return err
	}
	l.clock = l.setupDay().Add(3 * time.Hour)
	defer func() { l.clock = l.now }()
	ids, err := l.importCIs(ctx, inv)
	if err != nil {
		return err
	}
	l.tick()
	for _, r := range inv.rels {
		if _, err := l.s.AddRelationship(ctx, directory.System, ids[r.from], r.verb, ids[r.to]); err != nil {
			return fmt.Errorf("demo cmdb: %s %s %s: %w", r.from, r.verb, r.to, err)
		}
	}
	l.tick()
	for _, sc := range inv.services {
		svc := l.services[sc.service]
		for _, name := range sc.cis {
			if _, err := l.s.LinkServiceCI(ctx, directory.System, svc, ids[name]); err != nil {
				return fmt.Errorf("demo cmdb: link %s to %s: %w", sc.service, name, err)
			}
		}
		var orgs []int64
		for _, o := range sc.orgs {
			orgs = append(orgs, l.orgIDs[o])
		}
		if err := l.s.SetServiceOrganizations(ctx, directory.System, svc, orgs); err != nil {
			return fmt.Errorf("demo cmdb: customers of %s: %w", sc.service, err)
		}
	}
	if err := l.linkTickets(ctx, ids); err != nil {
		return fmt.Errorf("demo cmdb: %w", err)
	}
	return nil
}

// importCIs imports the inventory in one go, as an admin does with the
// asset register's export, and gives the ids of the CIs by name.
func (l *loader) importCIs(ctx context.Context, inv *inventory) (map[string]int64, error) {
	recs := make([]cmdb.Record, len(inv.cis))
	for i, c := range inv.cis {
		desc := c.description
		recs[i] = cmdb.Record{Row: i + 1, Type: c.typ, Name: c.name, Description: &desc,
			Status: string(c.status), Criticality: string(c.crit), OwnerTeam: c.team, Attributes: c.attrs}
	}
	rep, err := l.s.ImportCIs(ctx, directory.System, recs, store.ImportOptions{Atomic: true})
	if err != nil {
		return nil, fmt.Errorf("demo cmdb: import: %w", err)
	}
	ids := make(map[string]int64, len(rep.Rows))
	for i, row := range rep.Rows {
		if row.Error != nil {
			return nil, fmt.Errorf("demo cmdb: import %s: %s: %s", inv.cis[i].name, row.Error.Field, row.Error.Message)
		}
		ids[inv.cis[i].name] = row.CIID
	}
	if !rep.Applied || rep.Created != len(inv.cis) {
		return nil, fmt.Errorf("demo cmdb: import created %d of %d CIs", rep.Created, len(inv.cis))
	}
	return ids, nil
}
