package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/store"
)

// Fixture is a small service desk to load tickets into: two teams with an
// agent each, two live services, one request type with a form, and
// customers in two organizations.
type Fixture struct {
	Admin       directory.Actor
	Agents      []directory.Actor // Agents[i] works on Services[i]
	Customers   []directory.Actor
	Services    []catalog.Service
	RequestType catalog.RequestType
}

// NewFixture creates the fixture's records.
func NewFixture(tb testing.TB, s *store.Store) Fixture {
	tb.Helper()
	ctx := context.Background()
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	sys := directory.System
	var f Fixture
	actor := func(u directory.User, err error) directory.Actor {
		tb.Helper()
		must(err)
		a, err := s.Actor(ctx, u)
		must(err)
		return a
	}
	f.Admin = actor(s.CreateUser(ctx, sys, store.NewUser{Email: "admin@fixture.test", Name: "Ada Admin", Role: directory.RoleAdmin}))
	var orgs []directory.Organization
	for _, name := range []string{"Finance", "Sales"} {
		o, err := s.CreateOrganization(ctx, sys, name)
		must(err)
		orgs = append(orgs, o)
	}
	for i, team := range []string{"Service Desk", "Infrastructure"} {
		u, err := s.CreateUser(ctx, sys, store.NewUser{Email: fmt.Sprintf("agent%d@fixture.test", i), Name: fmt.Sprintf("Agent %d", i), Role: directory.RoleAgent})
		must(err)
		t, err := s.CreateTeam(ctx, sys, team, []int64{u.ID})
		must(err)
		svc, err := s.CreateService(ctx, sys, catalog.Service{Name: team + " service", Status: catalog.ServiceLive, OwnerTeamID: t.ID})
		must(err)
		f.Services = append(f.Services, svc)
		f.Agents = append(f.Agents, actor(u, nil))
	}
	for i := range 20 {
		f.Customers = append(f.Customers, actor(s.CreateUser(ctx, sys, store.NewUser{
			Email: fmt.Sprintf("customer%d@fixture.test", i), Name: fmt.Sprintf("Customer %d", i),
			Role: directory.RoleCustomer, OrganizationID: orgs[i%2].ID,
		})))
	}
	rt, err := s.CreateRequestType(ctx, sys, catalog.RequestType{
		ServiceID: f.Services[0].ID, Name: "Report a problem", TicketType: "incident",
		Fields: []catalog.Field{{Key: "device", Label: "Device", Type: catalog.FieldSelect, Options: []string{"Laptop", "Phone", "Desktop"}}},
	})
	must(err)
	f.RequestType = rt
	return f
}

// Fill raises n tickets through the store, spread over the last 90 days,
// over both services, all priorities and about a third of them resolved.
// It uses several goroutines, as a busy desk would.
func Fill(tb testing.TB, s *store.Store, f Fixture, n int) {
	tb.Helper()
	ctx := context.Background()
	now := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	errc := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				svc := rng.IntN(len(f.Services))
				cust := f.Customers[rng.IntN(len(f.Customers))]
				levels := []string{"high", "medium", "low"}
				nt := store.NewTicket{
					Type: "incident", Service: f.Services[svc].Name,
					Summary:     fmt.Sprintf("Generated ticket %d: %s", i, words[rng.IntN(len(words))]),
					Description: "Generated for load testing.",
					Impact:      levels[rng.IntN(3)], Urgency: levels[rng.IntN(3)],
				}
				at := now.Add(-time.Duration(rng.Int64N(int64(90 * 24 * time.Hour))))
				t, err := s.CreateTicket(store.AtTime(ctx, at), cust, nt)
				if err != nil {
					errc <- err
					return
				}
				if rng.IntN(3) == 0 {
					if _, err := s.Transition(store.AtTime(ctx, at.Add(time.Hour)), f.Agents[svc], t.Key, store.TransitionInput{To: "Resolved", Resolution: "Fixed"}); err != nil {
						errc <- err
						return
					}
				} else if rng.IntN(2) == 0 {
					id := f.Agents[svc].UserID
					if _, err := s.UpdateTicket(store.AtTime(ctx, at.Add(time.Minute)), f.Agents[svc], t.Key, store.TicketPatch{AssigneeID: &id}); err != nil {
						errc <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		tb.Fatal(err)
	}
	if err := s.Optimize(ctx); err != nil {
		tb.Fatal(err)
	}
}

var words = []string{
	"laptop will not boot", "VPN drops every few minutes", "printer on floor 3 offline", "password reset",
	"Outlook keeps asking for password", "Wi-Fi slow in meeting room", "new starter needs access", "phone not syncing mail",
	"blue screen after update", "cannot reach the file share", "Teams calls cut out", "monitor flickers",
}
