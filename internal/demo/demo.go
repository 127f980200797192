// Package demo fills an empty database with the service desk of a
// made-up company's IT department: customers in three organizations, three
// agent teams, five live services (and one being designed) with their
// request types and forms, and a few hundred tickets raised over the last
// 90 days and worked along their workflows. `cairn serve --demo` loads it so that every page has something
// to show.
//
// The data is drawn from a random source with a fixed seed, so every load
// makes the same demo; only its dates move with the day it is loaded.
package demo

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
)

// Password is the password of every demo user.
const Password = "cairn-demo"

// Login is one of the demo accounts people sign in with to look around.
type Login struct {
	Email        string
	Name         string
	Role         directory.Role
	Organization string // customers only
	Note         string // what the account shows
}

// Logins are the accounts the server prints when it starts with the demo.
// Their password is Password.
var Logins = []Login{
	{Email: "admin@example.com", Name: "Dana Whitfield", Role: directory.RoleAdmin,
		Note: "IT service manager: configures Cairn and sees every ticket"},
	{Email: "agent@example.com", Name: "Sam Carter", Role: directory.RoleAgent,
		Note: "Service Desk agent: works the queues of every live service"},
	{Email: "alice@example.com", Name: "Alice Johnson", Role: directory.RoleCustomer, Organization: "Finance",
		Note: "customer in Finance: sees her requests and those shared with Finance"},
	{Email: "bob@example.com", Name: "Bob Martinez", Role: directory.RoleCustomer, Organization: "Sales",
		Note: "customer in Sales: sees his requests and those shared with Sales"},
}

// adminLogin is the account whose existence marks a loaded demo. It is
// created last, so that an interrupted load is not taken for a finished one.
var adminLogin = Logins[0]

// seed is the seed of the random sources the demo is drawn from.
const seed = 20240917

// Summary says what Load created, or that the demo was there already (and
// then nothing else).
type Summary struct {
	AlreadyLoaded bool          `json:"already_loaded"`
	Organizations int           `json:"organizations"`
	Teams         int           `json:"teams"`
	Customers     int           `json:"customers"`
	Agents        int           `json:"agents"` // admins not counted
	Admins        int           `json:"admins"`
	Services      int           `json:"services"`
	RequestTypes  int           `json:"request_types"`
	Tickets       int           `json:"tickets"`
	Transitions   int           `json:"transitions"`
	Updates       int           `json:"updates"`  // agents changing a ticket's priority
	Comments      int           `json:"comments"` // with transitions or on their own
	Links         int           `json:"links"`    // incidents caused by problems
	Took          time.Duration `json:"took"`
}

// LogValue lets a summary be logged as one group.
func (s Summary) LogValue() slog.Value {
	if s.AlreadyLoaded {
		return slog.GroupValue(slog.Bool("already_loaded", true))
	}
	return slog.GroupValue(
		slog.Int("organizations", s.Organizations), slog.Int("teams", s.Teams),
		slog.Int("customers", s.Customers), slog.Int("agents", s.Agents), slog.Int("admins", s.Admins),
		slog.Int("services", s.Services), slog.Int("request_types", s.RequestTypes),
		slog.Int("tickets", s.Tickets), slog.Int("transitions", s.Transitions),
		slog.Int("updates", s.Updates), slog.Int("comments", s.Comments), slog.Int("links", s.Links),
		slog.Duration("took", s.Took))
}

// Load fills the store with the demo, once: when the demo admin exists
// already it does nothing and says so. It refuses a database that holds
// other data, so that it never mixes made-up tickets into real ones.
//
// Load moves the store's clock to date the records in the past, and puts
// time.Now back when it returns; it must run before the store serves
// anything else.
func Load(ctx context.Context, s *store.Store, log *slog.Logger) (Summary, error) {
	return load(ctx, s, log, time.Now())
}

// load is Load as if it ran at now.
func load(ctx context.Context, s *store.Store, log *slog.Logger, now time.Time) (Summary, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	start := time.Now()
	loaded, err := alreadyLoaded(ctx, s)
	if err != nil {
		return Summary{}, err
	}
	if loaded {
		log.Debug("demo: loaded already", "admin", adminLogin.Email)
		return Summary{AlreadyLoaded: true}, nil
	}
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return Summary{}, fmt.Errorf("demo: hash password: %w", err)
	}
	l := &loader{s: s, hash: hash, now: now.UTC().Truncate(time.Second)}
	l.clock = l.now
	s.SetClock(func() time.Time { return l.clock })
	defer s.SetClock(time.Now)

	for _, phase := range []struct {
		name string
		run  func(context.Context) error
	}{{"directory", l.directory}, {"catalogue", l.catalog}, {"tickets", l.tickets}, {"practices", func(ctx context.Context) error { return SeedPractices(ctx, s) }}, {"admin", l.admin}, {"changes", func(ctx context.Context) error { return SeedChanges(ctx, l.s) }}, {"cmdb", l.loadCMDB}} {
		t := time.Now()
		if err := phase.run(ctx); err != nil {
			return l.sum, err
		}
		log.Debug("demo: "+phase.name+" loaded", "took", time.Since(t))
	}
	l.sum.Took = time.Since(start)
	return l.sum, nil
}

// alreadyLoaded reports whether the demo admin exists. Without it, a
// database that holds tickets, organizations or teams is not the demo's to
// fill: that is an error.
func alreadyLoaded(ctx context.Context, s *store.Store) (bool, error) {
	_, err := s.UserByEmail(ctx, adminLogin.Email)
	if err == nil {
		return true, nil
	}
	if !errs.Is(err, errs.KindNotFound) {
		return false, fmt.Errorf("demo: look for %s: %w", adminLogin.Email, err)
	}
	page, err := s.Tickets(ctx, directory.System, store.TicketFilter{Limit: 1})
	if err != nil {
		return false, fmt.Errorf("demo: count tickets: %w", err)
	}
	orgs, err := s.Organizations(ctx)
	if err != nil {
		return false, fmt.Errorf("demo: list organizations: %w", err)
	}
	teams, err := s.Teams(ctx)
	if err != nil {
		return false, fmt.Errorf("demo: list teams: %w", err)
	}
	if page.Total > 0 || len(orgs) > 0 || len(teams) > 0 {
		return false, fmt.Errorf("demo: the database holds %d tickets, %d organizations and %d teams but no %s; "+
			"load the demo only into a new database (an earlier load may have been interrupted)",
			page.Total, len(orgs), len(teams), adminLogin.Email)
	}
	return false, nil
}

// loader carries one load: the store, the clock it sets, and the tally.
type loader struct {
	s     *store.Store
	hash  string    // of Password, shared by every demo user (Argon2id is slow on purpose)
	now   time.Time // when the load began; nothing is dated later
	clock time.Time // what the store's clock says
	sum   Summary

	people   []*person
	byEmail  map[string]*person
	orgIDs   map[string]int64
	teamIDs  map[string]int64
	services map[string]int64  // by name
	owners   map[string]string // service name to owner team
	rts      []*requestType
}

// setupDay is when the IT department set Cairn up, before the first ticket.
func (l *loader) setupDay() time.Time {
	d := l.now.AddDate(0, 0, -(days + 2))
	return time.Date(d.Year(), d.Month(), d.Day(), 9, 0, 0, 0, time.UTC)
}

// tick moves the clock one second on, so that set-up records keep their order.
func (l *loader) tick() { l.clock = l.clock.Add(time.Second) }

// directory creates the organizations, the users and the teams.
func (l *loader) directory(ctx context.Context) error {
	l.clock = l.setupDay()
	l.orgIDs = map[string]int64{}
	for _, name := range organizations {
		o, err := l.s.CreateOrganization(ctx, directory.System, name)
		if err != nil {
			return fmt.Errorf("demo: organization %s: %w", name, err)
		}
		l.orgIDs[name] = o.ID
		l.sum.Organizations++
		l.tick()
	}
	l.people = staffAndCustomers()
	l.byEmail = map[string]*person{}
	for _, p := range l.people {
		l.byEmail[p.email] = p
		if p.role == directory.RoleAdmin {
			continue // see admin
		}
		u, err := l.s.CreateUser(ctx, directory.System, store.NewUser{
			Email: p.email, Name: p.name, Role: p.role, OrganizationID: l.orgIDs[p.org], PasswordHash: l.hash,
		})
		if err != nil {
			return fmt.Errorf("demo: user %s: %w", p.email, err)
		}
		p.id, p.orgID = u.ID, u.OrganizationID
		if p.role == directory.RoleCustomer {
			l.sum.Customers++
		} else {
			l.sum.Agents++
		}
		l.tick()
	}
	l.teamIDs = map[string]int64{}
	for _, team := range teams {
		var ids []int64
		for _, p := range l.people {
			if p.team == team && p.id != 0 {
				ids = append(ids, p.id)
			}
		}
		t, err := l.s.CreateTeam(ctx, directory.System, team, ids)
		if err != nil {
			return fmt.Errorf("demo: team %s: %w", team, err)
		}
		l.teamIDs[team] = t.ID
		l.sum.Teams++
		l.tick()
	}
	return nil
}

// admin creates the demo admin last, dated when the load began, and adds
// them to their team.
func (l *loader) admin(ctx context.Context) error {
	l.clock = l.now
	p := l.byEmail[adminLogin.Email]
	u, err := l.s.CreateUser(ctx, directory.System, store.NewUser{
		Email: p.email, Name: p.name, Role: p.role, PasswordHash: l.hash,
	})
	if err != nil {
		return fmt.Errorf("demo: user %s: %w", p.email, err)
	}
	p.id = u.ID
	l.sum.Admins++
	var members []int64
	for _, q := range l.people {
		if q.team == p.team && q.id != 0 {
			members = append(members, q.id)
		}
	}
	if err := l.s.SetTeamMembers(ctx, directory.System, l.teamIDs[p.team], members); err != nil {
		return fmt.Errorf("demo: add %s to %s: %w", p.email, p.team, err)
	}
	return nil
}
