package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// TestLoad loads the demo and checks what the product's issue asks of it,
// then that a second load changes nothing.
func TestLoad(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sum, err := Load(ctx, s, slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug})))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("loaded on %s in %s: %+v", s.Engine(), sum.Took.Round(time.Millisecond), sum)
		done := time.Now()
		if sum.AlreadyLoaded {
			t.Fatal("first load says the demo was loaded already")
		}
		all := allTickets(t, s)

		t.Run("counts", func(t *testing.T) {
			for _, c := range []struct {
				what      string
				got, want int
			}{
				{"organizations", sum.Organizations, 3}, {"teams", sum.Teams, 3}, {"admins", sum.Admins, 1},
			} {
				if c.got != c.want {
					t.Errorf("%s = %d, want %d", c.what, c.got, c.want)
				}
			}
			for _, c := range []struct {
				what      string
				got, want int
			}{
				{"tickets", sum.Tickets, 300}, {"stored tickets", len(all), 300}, {"request types", sum.RequestTypes, 10},
				{"customers", sum.Customers, 20}, {"agents", sum.Agents, 9}, {"services", sum.Services, 5},
				{"comments", sum.Comments, sum.Tickets}, {"transitions", sum.Transitions, sum.Tickets},
			} {
				if c.got < c.want {
					t.Errorf("%s = %d, want at least %d", c.what, c.got, c.want)
				}
			}
			orgs, err1 := s.Organizations(ctx)
			teams, err2 := s.Teams(ctx)
			customers, err3 := s.Users(ctx, store.UserFilter{Role: directory.RoleCustomer})
			rts, err4 := s.RequestTypes(ctx, 0, true)
			if err := errors.Join(err1, err2, err3, err4); err != nil {
				t.Fatal(err)
			}
			if len(orgs) != 3 || len(teams) != 3 || len(customers) < 20 || len(rts) < 10 {
				t.Errorf("store holds %d organizations, %d teams, %d customers, %d live request types", len(orgs), len(teams), len(customers), len(rts))
			}
			for _, team := range teams {
				if len(team.MemberIDs) < 3 {
					t.Errorf("team %s has %d members, want several", team.Name, len(team.MemberIDs))
				}
			}
		})

		t.Run("catalogue", func(t *testing.T) {
			live, err := s.Services(ctx, true)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, svc := range live {
				names = append(names, svc.Name)
				if svc.OwnerTeamID == 0 || svc.Description == "" {
					t.Errorf("service %s lacks an owner or a description", svc.Name)
				}
			}
			for _, want := range []string{"Laptop setup", "Mobile device provisioning", "Network infrastructure management", "Cloud security", "General IT help"} {
				if !slices.Contains(names, want) {
					t.Errorf("live services %q lack %q", names, want)
				}
			}
			rts, err := s.RequestTypes(ctx, 0, false)
			if err != nil {
				t.Fatal(err)
			}
			used := map[catalog.FieldType]bool{}
			types := map[string]bool{}
			perRT := map[int64]int{}
			for _, tk := range all {
				perRT[tk.RequestTypeID]++
			}
			for _, rt := range rts {
				types[rt.TicketType] = true
				if perRT[rt.ID] == 0 {
					t.Errorf("request type %s has no tickets", rt.Name)
				}
				for _, f := range rt.Fields {
					used[f.Type] = true
					if f.Type == catalog.FieldSelect && len(f.Options) == 0 {
						t.Errorf("%s.%s: select without options", rt.Name, f.Key)
					}
				}
			}
			for _, ft := range catalog.FieldTypes {
				if !used[ft] {
					t.Errorf("no form uses a %s field", ft)
				}
			}
			for _, tt := range ticket.Types {
				if !types[string(tt)] {
					t.Errorf("no request type raises a %s", tt)
				}
			}
		})

		checkTickets(t, s, all, done)

		t.Run("logins", func(t *testing.T) {
			teams, err := s.Teams(ctx)
			if err != nil {
				t.Fatal(err)
			}
			members := map[string][]int64{}
			for _, team := range teams {
				members[team.Name] = team.MemberIDs
			}
			for _, in := range Logins {
				u, hash, err := s.PasswordHash(ctx, in.Email)
				if err != nil {
					t.Fatalf("%s: %v", in.Email, err)
				}
				if u.Role != in.Role {
					t.Errorf("%s has role %s, want %s", in.Email, u.Role, in.Role)
				}
				if !auth.CheckPassword(hash, Password) {
					t.Errorf("%s: password %q does not check", in.Email, Password)
				}
				org := ""
				if u.OrganizationID != 0 {
					orgs, _ := s.Organizations(ctx)
					for _, o := range orgs {
						if o.ID == u.OrganizationID {
							org = o.Name
						}
					}
				}
				if org != in.Organization {
					t.Errorf("%s is in organization %q, want %q", in.Email, org, in.Organization)
				}
				if in.Role.Staff() && !slices.Contains(members[serviceDesk], u.ID) {
					t.Errorf("%s is not in the %s team", in.Email, serviceDesk)
				}
			}
			agent := actorOf(t, s, "agent@example.com")
			page, err := s.Tickets(ctx, agent, store.TicketFilter{Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if page.Total < len(all)*3/4 {
				t.Errorf("agent@example.com sees %d of %d tickets, want most", page.Total, len(all))
			}
		})

		t.Run("customer sees own", func(t *testing.T) {
			alice, bob := actorOf(t, s, "alice@example.com"), actorOf(t, s, "bob@example.com")
			page, err := s.Tickets(ctx, alice, store.TicketFilter{Limit: store.MaxPage})
			if err != nil {
				t.Fatal(err)
			}
			own := 0
			for _, tk := range page.Tickets {
				if tk.ReporterID == alice.UserID {
					own++
				} else if tk.OrganizationID != alice.OrganizationID {
					t.Errorf("alice sees %s of %s, not shared with Finance", tk.Key, tk.Reporter)
				}
			}
			if own == 0 {
				t.Error("alice sees none of her own tickets")
			}
			var bobsPrivate []string
			for _, tk := range all {
				if tk.ReporterID == bob.UserID && tk.OrganizationID == 0 {
					bobsPrivate = append(bobsPrivate, tk.Key)
				}
			}
			if len(bobsPrivate) == 0 {
				t.Fatal("bob has no unshared tickets to hide from alice")
			}
			for _, key := range bobsPrivate {
				if _, err := s.Ticket(ctx, alice, key); !errs.Is(err, errs.KindNotFound) {
					t.Errorf("alice reads bob's %s: %v", key, err)
				}
			}
			t.Logf("alice sees %d tickets, %d of them her own; bob has %d unshared", page.Total, own, len(bobsPrivate))
		})

		t.Run("second load", func(t *testing.T) {
			users, _ := s.Users(ctx, store.UserFilter{})
			again, err := Load(ctx, s, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !again.AlreadyLoaded || again.Tickets != 0 || again.Customers != 0 || again.Services != 0 {
				t.Errorf("second load = %+v, want only AlreadyLoaded", again)
			}
			usersAfter, _ := s.Users(ctx, store.UserFilter{})
			if n := len(allTickets(t, s)); n != len(all) || len(usersAfter) != len(users) {
				t.Errorf("after a second load: %d tickets and %d users, want %d and %d", n, len(usersAfter), len(all), len(users))
			}
		})
	})
}

// checkTickets checks the variety of the tickets and that their times and
// form values are sound; done is when the load finished.
func checkTickets(t *testing.T, s *store.Store, all []ticket.Ticket, done time.Time) {
	ctx := context.Background()
	t.Run("variety", func(t *testing.T) {
		seen := map[string]bool{}
		byType := map[ticket.Type]map[ticket.Category]bool{}
		statuses := map[string]int{}
		summaries := map[string]bool{}
		unassigned, shared := 0, 0
		for _, tk := range all {
			seen["type "+string(tk.Type)] = true
			seen["priority "+string(tk.Priority)] = true
			seen["category "+string(tk.StatusCategory)] = true
			seen["channel "+string(tk.Channel)] = true
			if byType[tk.Type] == nil {
				byType[tk.Type] = map[ticket.Category]bool{}
			}
			byType[tk.Type][tk.StatusCategory] = true
			statuses[string(tk.Type)+"/"+tk.Status]++
			summaries[tk.Summary] = true
			if tk.AssigneeID == 0 {
				unassigned++
			}
			if tk.OrganizationID != 0 {
				shared++
			}
		}
		var want []string
		for _, tt := range ticket.Types {
			want = append(want, "type "+string(tt))
		}
		for _, p := range ticket.Priorities {
			want = append(want, "priority "+string(p))
		}
		for _, c := range []ticket.Category{ticket.CategoryToDo, ticket.CategoryInProgress, ticket.CategoryDone} {
			want = append(want, "category "+string(c))
			for _, tt := range ticket.Types {
				if !byType[tt][c] {
					t.Errorf("no %s in category %s", tt, c)
				}
			}
		}
		for _, ch := range []ticket.Channel{ticket.ChannelPortal, ticket.ChannelEmail, ticket.ChannelAPI, ticket.ChannelAgent} {
			want = append(want, "channel "+string(ch))
		}
		for _, w := range want {
			if !seen[w] {
				t.Errorf("no ticket of %s", w)
			}
		}
		// Every status of the default workflows but the rarest shows up.
		for _, wf := range ticket.DefaultWorkflows() {
			for _, st := range wf.Statuses {
				if statuses[string(wf.TicketType)+"/"+st.Name] == 0 {
					t.Errorf("no %s in status %q", wf.TicketType, st.Name)
				}
			}
		}
		t.Logf("statuses: %v", statuses)
		if unassigned == 0 || unassigned > len(all)/2 {
			t.Errorf("%d of %d tickets unassigned, want some but not most", unassigned, len(all))
		}
		if shared == 0 {
			t.Error("no ticket is shared with an organization")
		}
		if len(summaries) < len(all)*2/3 {
			t.Errorf("only %d distinct summaries in %d tickets", len(summaries), len(all))
		}
	})

	t.Run("time and form", func(t *testing.T) {
		rts, err := s.RequestTypes(ctx, 0, false)
		if err != nil {
			t.Fatal(err)
		}
		forms := map[int64][]catalog.Field{}
		for _, rt := range rts {
			forms[rt.ID] = rt.Fields
		}
		since := done.AddDate(0, 0, -days-1)
		var prev time.Time
		for _, tk := range all {
			if tk.CreatedAt.Before(since) || tk.CreatedAt.After(done) || tk.UpdatedAt.Before(tk.CreatedAt) || tk.UpdatedAt.After(done) {
				t.Errorf("%s: created %s, updated %s, loaded by %s", tk.Key, tk.CreatedAt, tk.UpdatedAt, done)
			}
			if tk.CreatedAt.Before(prev) {
				t.Errorf("%s created %s, before the ticket keyed before it (%s)", tk.Key, tk.CreatedAt, prev)
			}
			prev = tk.CreatedAt
			if (tk.StatusCategory == ticket.CategoryDone) != (tk.ResolvedAt != nil) {
				t.Errorf("%s in %s has resolved_at %v", tk.Key, tk.Status, tk.ResolvedAt)
			}
			if tk.ResolvedAt != nil && (tk.ResolvedAt.Before(tk.CreatedAt) || tk.ResolvedAt.After(done)) {
				t.Errorf("%s resolved at %s", tk.Key, tk.ResolvedAt)
			}
			if tk.StatusCategory == ticket.CategoryDone && tk.Resolution == "" {
				t.Errorf("%s is done without a resolution", tk.Key)
			}
			// Values read back are what a client would send again.
			raw, _ := json.Marshal(tk.Fields)
			var values map[string]any
			_ = json.Unmarshal(raw, &values)
			if _, err := catalog.ValidateValues(forms[tk.RequestTypeID], values, nil); err != nil {
				t.Errorf("%s (%s): fields %s: %v", tk.Key, tk.RequestType, raw, err)
			}
			comments, err := s.Comments(ctx, directory.System, tk.Key)
			if err != nil {
				t.Fatal(err)
			}
			if len(comments) < 1 || len(comments) > maxComments {
				t.Errorf("%s has %d comments, want 1 to %d", tk.Key, len(comments), maxComments)
			}
			for _, c := range comments {
				if !c.CreatedAt.After(tk.CreatedAt) || c.CreatedAt.After(done) {
					t.Errorf("%s: comment at %s, ticket created %s", tk.Key, c.CreatedAt, tk.CreatedAt)
				}
			}
			events, err := s.History(ctx, directory.System, tk.Key)
			if err != nil {
				t.Fatal(err)
			}
			last := tk.CreatedAt
			for _, ev := range events {
				if ev.CreatedAt.Before(last) || ev.CreatedAt.After(done) {
					t.Errorf("%s: %s at %s, after an event at %s", tk.Key, ev.Type, ev.CreatedAt, last)
				}
				last = ev.CreatedAt
			}
		}
	})
}

// TestRefusesOtherData checks that the demo never fills a database that
// holds something else, such as a half-finished load.
func TestRefusesOtherData(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.CreateOrganization(ctx, directory.System, "Acme"); err != nil {
			t.Fatal(err)
		}
		sum, err := Load(ctx, s, nil)
		if err == nil || !strings.Contains(err.Error(), "new database") {
			t.Fatalf("Load into a database with an organization = %+v, %v; want an error", sum, err)
		}
		if _, err := s.UserByEmail(ctx, "alice@example.com"); !errs.Is(err, errs.KindNotFound) {
			t.Errorf("Load refused but created alice: %v", err)
		}
	})
}

// TestAnyDay loads the demo as of days and hours that move what is open
// and what is done, and checks the tickets each time.
func TestAnyDay(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo three times")
	}
	for _, now := range []time.Time{
		time.Date(2025, 6, 2, 0, 30, 0, 0, time.UTC),    // Monday, just after midnight
		time.Date(2025, 6, 7, 14, 0, 0, 0, time.UTC),    // Saturday afternoon
		time.Date(2025, 12, 31, 17, 59, 0, 0, time.UTC), // Wednesday, end of the year
	} {
		t.Run(now.Format("Mon-2006-01-02-15:04"), func(t *testing.T) {
			s := storetest.SQLite(t)
			if _, err := load(context.Background(), s, nil, now); err != nil {
				t.Fatal(err)
			}
			checkTickets(t, s, allTickets(t, s), now)
		})
	}
}

// TestTexts checks that every question to a customer has its answer: a
// reply is picked by the index of the question it answers.
func TestTexts(t *testing.T) {
	check := func(where string, say map[string][]string) {
		for key, asks := range say {
			rest, ok := strings.CutPrefix(key, "ask")
			if !ok {
				continue
			}
			if replies := say["reply"+rest]; len(replies) != len(asks) {
				t.Errorf("%s: %d texts for %q but %d for %q", where, len(asks), key, len(replies), "reply"+rest)
			}
		}
	}
	check("common", commonSay)
	for _, rt := range demoRequestTypes() {
		check(rt.name, rt.say)
		for key, list := range rt.say {
			if len(list) == 0 {
				t.Errorf("%s: nothing to say at %q", rt.name, key)
			}
		}
	}
}

// TestSameEachTime loads the demo twice as of one instant and compares.
func TestSameEachTime(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo twice")
	}
	now := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
	var dumps [2]string
	for i := range dumps {
		s := storetest.SQLite(t)
		if _, err := load(context.Background(), s, nil, now); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, tk := range allTickets(t, s) {
			fmt.Fprintf(&b, "%s %s %s %s %s %s %s %v\n", tk.Key, tk.CreatedAt.Format(time.RFC3339), tk.Summary, tk.Status, tk.Priority, tk.Reporter, tk.Assignee, tk.Fields)
		}
		dumps[i] = b.String()
	}
	if dumps[0] != dumps[1] {
		t.Error("two loads as of the same instant differ")
	}
}

// allTickets lists every ticket, oldest first.
func allTickets(t *testing.T, s *store.Store) []ticket.Ticket {
	t.Helper()
	var out []ticket.Ticket
	for {
		page, err := s.Tickets(context.Background(), directory.System, store.TicketFilter{Sort: "key", Ascending: true, Limit: store.MaxPage, Offset: len(out)})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Tickets...)
		if len(page.Tickets) == 0 || len(out) >= page.Total {
			return out
		}
	}
}

func actorOf(t *testing.T, s *store.Store, email string) directory.Actor {
	t.Helper()
	u, err := s.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Actor(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// BenchmarkLoad measures a load into a new database: the time
// `cairn serve --demo` adds to its first start.
func BenchmarkLoad(b *testing.B) {
	for _, engine := range []struct {
		name string
		open func(testing.TB) *store.Store
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}} {
		b.Run(engine.name, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				s := engine.open(b)
				b.StartTimer()
				if _, err := Load(context.Background(), s, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
