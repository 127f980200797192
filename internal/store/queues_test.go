package store_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/queue"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

func queueSlugs(t *testing.T, s *store.Store) []string {
	t.Helper()
	qs, err := s.Queues(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i, q := range qs {
		if q.Position != i {
			t.Errorf("queue %s at position %d, want %d", q.Slug, q.Position, i)
		}
		out = append(out, q.Slug)
	}
	return out
}

func TestQueueDefaults(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		want := []string{"mine", "unassigned", "open", "sla-at-risk", "sla-breached", "resolved"}
		if got := queueSlugs(t, s); !slices.Equal(got, want) {
			t.Fatalf("default queues %v, want %v", got, want)
		}
		qs, _ := s.Queues(f.ctx)
		for _, q := range qs {
			if err := s.ValidateQuery(f.ctx, q.Query); err != nil {
				t.Errorf("default queue %s: %v", q.Name, err)
			}
			v := q
			if err := v.Validate(); err != nil {
				t.Errorf("default queue %s does not validate: %v", q.Name, err)
			}
			if _, err := s.CountQuery(f.ctx, f.nina, q.Query); err != nil {
				t.Errorf("count %s: %v", q.Name, err)
			}
		}
	})
}

func TestQueueWrites(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		cols := []string{"key", "summary", "priority", "sla"}
		q, err := s.CreateQueue(f.ctx, f.nina, queue.Queue{Name: "  Network urgent ", Query: "service = Network AND priority >= High", Columns: cols, Sort: "priority", Position: 1})
		if err != nil {
			t.Fatal(err)
		}
		if q.ID == 0 || q.Slug != "network-urgent" || q.Name != "Network urgent" || q.Sort != "priority desc" || q.Position != 1 || q.CreatedBy != f.ninaUser.ID {
			t.Errorf("created %+v", q)
		}
		if got := queueSlugs(t, s); !slices.Equal(got, []string{"mine", "network-urgent", "unassigned", "open", "sla-at-risk", "sla-breached", "resolved"}) {
			t.Errorf("order after create at 1: %v", got)
		}
		// Same-named slug gets a number; past the end goes last.
		q2, err := s.CreateQueue(f.ctx, f.dave, queue.Queue{Name: "Network: urgent!", Query: "", Columns: []string{"key"}, Position: 99})
		if err != nil {
			t.Fatal(err)
		}
		if q2.Slug != "network-urgent-2" || q2.Position != 7 {
			t.Errorf("second queue %+v", q2)
		}

		before := f.count(t, "queues")
		events := f.count(t, "events")
		for _, tc := range []struct {
			what  string
			in    queue.Queue
			kind  errs.Kind
			field string
			msg   string
		}{
			{"no name", queue.Queue{Name: " ", Columns: cols}, errs.KindInvalid, "name", ""},
			{"same name", queue.Queue{Name: "network URGENT", Columns: cols}, errs.KindConflict, "name", ""},
			{"syntax", queue.Queue{Name: "Bad", Query: "priority = High AND\n  status", Columns: cols}, errs.KindInvalid, "query", "line 2, column 9"},
			{"unknown status", queue.Queue{Name: "Bad", Query: `status = "Parked"`, Columns: cols}, errs.KindInvalid, "query", `no workflow has a status "Parked"`},
			{"unknown service", queue.Queue{Name: "Bad", Query: `service = Networks`, Columns: cols}, errs.KindInvalid, "query", `did you mean "Network"?`},
			{"no columns", queue.Queue{Name: "Bad"}, errs.KindInvalid, "columns", ""},
			{"unknown column", queue.Queue{Name: "Bad", Columns: []string{"key", "colour"}}, errs.KindInvalid, "columns[1]", ""},
			{"twice", queue.Queue{Name: "Bad", Columns: []string{"key", "key"}}, errs.KindInvalid, "columns[1]", ""},
			{"no key", queue.Queue{Name: "Bad", Columns: []string{"summary"}}, errs.KindInvalid, "columns", ""},
			{"bad sort", queue.Queue{Name: "Bad", Columns: cols, Sort: "service"}, errs.KindInvalid, "sort", ""},
			{"two orders", queue.Queue{Name: "Bad", Query: "ORDER BY created", Columns: cols, Sort: "priority asc"}, errs.KindInvalid, "sort", "ORDER BY"},
			{"bad slug", queue.Queue{Name: "Bad", Slug: "9lives", Columns: cols}, errs.KindInvalid, "slug", ""},
			{"taken slug", queue.Queue{Name: "Bad", Slug: "mine", Columns: cols}, errs.KindConflict, "slug", ""},
			{"reserved slug", queue.Queue{Name: "Bad", Slug: "new", Columns: cols}, errs.KindInvalid, "slug", ""},
		} {
			_, err := s.CreateQueue(f.ctx, f.nina, tc.in)
			wantErr(t, tc.what, err, tc.kind, tc.field)
			if err != nil && tc.msg != "" && !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("%s: %v, want %q", tc.what, err, tc.msg)
			}
		}
		_, err = s.CreateQueue(f.ctx, f.alice, queue.Queue{Name: "Mine", Columns: cols})
		wantErr(t, "a customer's queue", err, errs.KindForbidden, "")
		if f.count(t, "queues") != before || f.count(t, "events") != events {
			t.Error("a refused queue wrote something")
		}

		// Update: rename, new query, moved to the top; the slug stays.
		q.Name, q.Query, q.Sort, q.Position, q.Columns = "Network on fire", "service = Network AND priority = Highest ORDER BY created", "", 0, []string{"summary", "key"}
		up, err := s.UpdateQueue(f.ctx, f.dave, q)
		if err != nil {
			t.Fatal(err)
		}
		if up.Slug != "network-urgent" || up.Name != "Network on fire" || !slices.Equal(up.Columns, []string{"summary", "key"}) || up.Position != 0 {
			t.Errorf("updated %+v", up)
		}
		got, err := s.QueueBySlug(f.ctx, "network-urgent")
		if err != nil || got.Query != q.Query || got.CreatedBy != f.ninaUser.ID {
			t.Errorf("read back %+v %v", got, err)
		}
		q.Query = "priority = Urgent"
		_, err = s.UpdateQueue(f.ctx, f.dave, q)
		wantErr(t, "update with a bad query", err, errs.KindInvalid, "query")
		_, err = s.UpdateQueue(f.ctx, f.dave, queue.Queue{ID: 9999, Name: "Gone", Columns: cols})
		wantErr(t, "update a missing queue", err, errs.KindNotFound, "")

		if err := s.MoveQueue(f.ctx, f.nina, q2.ID, 2); err != nil {
			t.Fatal(err)
		}
		if got := queueSlugs(t, s); !slices.Equal(got, []string{"network-urgent", "mine", "network-urgent-2", "unassigned", "open", "sla-at-risk", "sla-breached", "resolved"}) {
			t.Errorf("order after moves: %v", got)
		}
		if err := s.DeleteQueue(f.ctx, f.nina, up.ID); err != nil {
			t.Fatal(err)
		}
		wantErr(t, "delete again", s.DeleteQueue(f.ctx, f.nina, up.ID), errs.KindNotFound, "")
		wantErr(t, "a customer deletes", s.DeleteQueue(f.ctx, f.bob, q2.ID), errs.KindForbidden, "")
		if got := queueSlugs(t, s); !slices.Equal(got, []string{"mine", "network-urgent-2", "unassigned", "open", "sla-at-risk", "sla-breached", "resolved"}) {
			t.Errorf("order after delete: %v", got)
		}
		if _, err := s.Queue(f.ctx, up.ID); !errs.Is(err, errs.KindNotFound) {
			t.Errorf("deleted queue read: %v", err)
		}
	})
}

// TestQueueCounts counts and lists the default queues as each agent and
// the admin see them.
func TestQueueCounts(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		mine := f.incident(t, f.alice, "Switch down")
		free := f.incident(t, f.alice, "VPN drops")
		f.clock.advance(time.Minute)
		laptop := f.laptopRequest(t, f.bob, "New laptop")
		done := f.incident(t, f.carol, "Fixed already")
		if _, err := s.UpdateTicket(f.ctx, f.nina, mine.Key, store.TicketPatch{AssigneeID: &f.ninaUser.ID}); err != nil {
			t.Fatal(err)
		}
		f.move(t, f.nina, done, "resolve")
		f.clock.advance(10 * 24 * time.Hour)
		old := f.incident(t, f.alice, "Resolved long ago")
		f.move(t, f.nina, old, "resolve")
		f.clock.advance(8 * 24 * time.Hour) // old is now resolved 8 days ago

		qs, err := s.Queues(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		query := map[string]string{}
		for _, q := range qs {
			query[q.Slug] = q.Query
		}
		for _, tc := range []struct {
			who   string
			slug  string
			want  int
			actor directory.Actor
		}{
			{"nina", "mine", 1, f.nina},
			{"nina", "unassigned", 1, f.nina},
			{"nina", "open", 2, f.nina},
			{"nina", "resolved", 0, f.nina},
			{"dave", "open", 1, f.dave},
			{"dave", "mine", 0, f.dave},
			{"admin", "open", 3, f.admin},
			{"admin", "sla-breached", 0, f.admin},
		} {
			n, err := s.CountQuery(f.ctx, tc.actor, query[tc.slug])
			if err != nil || n != tc.want {
				t.Errorf("%s counts %s = %d, %v; want %d", tc.who, tc.slug, n, err, tc.want)
			}
		}
		for limit, want := range map[int]int{1: 1, 2: 2, 3: 3, 4: 3, 0: 3} {
			if n, err := s.CountQueryUpTo(f.ctx, f.admin, query["open"], limit); err != nil || n != want {
				t.Errorf("open up to %d = %d, %v; want %d", limit, n, err, want)
			}
		}
		// Two days after old was resolved it is recent; done is not.
		f.clock.now = t0.Add(12 * 24 * time.Hour)
		if n, _ := s.CountQuery(f.ctx, f.admin, query["resolved"]); n != 1 {
			t.Errorf("recently resolved = %d, want 1", n)
		}

		// A customer counts only their own.
		if n, err := s.CountQuery(f.ctx, f.alice, "category != Done"); err != nil || n != 2 {
			t.Errorf("alice's open count %d %v, want 2", n, err)
		}
		_, err = s.CountQuery(f.ctx, f.nina, "priority = Urgent")
		wantErr(t, "count a bad query", err, errs.KindInvalid, "q")

		// Listing a queue: its query, narrowed by text, in another order, paged.
		open, _ := s.QueueBySlug(f.ctx, "open")
		page, err := s.QueueTickets(f.ctx, f.admin, open, store.TicketFilter{}, 0)
		if err != nil || !slices.Equal(keys(page.Tickets), []string{laptop.Key, free.Key, mine.Key}) || page.Total != 3 {
			t.Errorf("open as admin: %v total %d %v", keys(page.Tickets), page.Total, err)
		}
		page, _ = s.QueueTickets(f.ctx, f.admin, open, store.TicketFilter{Sort: "created", Ascending: true, Limit: 2, Offset: 1}, 0)
		if !slices.Equal(keys(page.Tickets), []string{free.Key, laptop.Key}) || page.Total != 3 {
			t.Errorf("open oldest first, page 2: %v %d", keys(page.Tickets), page.Total)
		}
		// A total that stops at 2 still pages past it.
		page, _ = s.QueueTickets(f.ctx, f.admin, open, store.TicketFilter{Limit: 1, Offset: 2}, 2)
		if !slices.Equal(keys(page.Tickets), []string{mine.Key}) || page.Total != 2 {
			t.Errorf("open counted up to 2, third ticket: %v of %d", keys(page.Tickets), page.Total)
		}
		page, _ = s.QueueTickets(f.ctx, f.admin, open, store.TicketFilter{Text: "vpn"}, 0)
		if !slices.Equal(keys(page.Tickets), []string{free.Key}) {
			t.Errorf("open searched for vpn: %v", keys(page.Tickets))
		}
		// The queue's own sort applies unless the listing asks for another.
		open.Query, open.Sort = "category != Done", "summary asc"
		page, _ = s.QueueTickets(f.ctx, f.admin, open, store.TicketFilter{}, 0)
		if !slices.Equal(keys(page.Tickets), []string{laptop.Key, mine.Key, free.Key}) {
			t.Errorf("open by summary: %v", keys(page.Tickets))
		}
		// Filters and query together, as the API's q with other parameters.
		page, err = s.SearchTicketsFiltered(f.ctx, f.admin, "category != Done ORDER BY created ASC", store.TicketFilter{ServiceID: f.network.ID})
		if err != nil || !slices.Equal(keys(page.Tickets), []string{mine.Key, free.Key}) {
			t.Errorf("query and filter: %v %v", keys(page.Tickets), err)
		}
		_, err = s.SearchTicketsFiltered(f.ctx, f.admin, "", store.TicketFilter{Sort: "colour"})
		wantErr(t, "bad sort", err, errs.KindInvalid, "sort")
		// A customer's own requests through the query's reporter pin.
		page, _ = s.SearchTicketsFiltered(f.ctx, f.alice, "reporter = currentUser()", store.TicketFilter{Categories: []ticket.Category{ticket.CategoryToDo}})
		if !slices.Equal(keysOf(page.Tickets), keysOf([]ticket.Ticket{mine, free})) {
			t.Errorf("alice's open requests: %v", keys(page.Tickets))
		}
	})
}

// TestQueueSLA checks the sla field and SLA states against the clocks the
// worker keeps, with the default goals (Highest: first response warns at
// 09:45 and breaches at 10:00).
func TestQueueSLA(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := slaFixture(t, s)
		urgent := f.urgent(t, "Core switch down")
		calm := f.incident(t, f.alice, "Printer is slow")
		f.tick(t)
		count := func(q string) int {
			t.Helper()
			n, err := s.CountQuery(f.ctx, f.nina, q)
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			return n
		}
		if n := count("sla = running"); n != 2 {
			t.Errorf("running at 09:00 = %d, want 2", n)
		}
		if n := count(`sla IN ("at risk", breached)`); n != 0 {
			t.Errorf("at risk or breached at 09:00 = %d", n)
		}
		f.clock.now = at("09:50")
		if n := count(`sla = "at risk"`); n != 1 {
			t.Errorf("at risk at 09:50 = %d, want 1", n)
		}
		st, err := s.SLAStates(f.ctx, f.nina, []int64{urgent.ID, calm.ID})
		if err != nil {
			t.Fatal(err)
		}
		if st[urgent.ID].State != "warning" || !st[urgent.ID].Deadline.Equal(at("10:00")) || st[calm.ID].State != "running" {
			t.Errorf("states at 09:50: %+v", st)
		}
		f.clock.now = at("10:05") // no tick: the deadline alone tells
		if n := count("sla = breached"); n != 1 {
			t.Errorf("breached at 10:05 = %d, want 1", n)
		}
		if n := count(`sla = "at risk"`); n != 0 {
			t.Errorf("at risk at 10:05 = %d, want 0 (breached instead)", n)
		}
		breached, _ := s.QueueBySlug(f.ctx, "sla-breached")
		page, err := s.QueueTickets(f.ctx, f.nina, breached, store.TicketFilter{}, 0)
		if err != nil || !slices.Equal(keys(page.Tickets), []string{urgent.Key}) {
			t.Errorf("SLA breached queue: %v %v", keys(page.Tickets), err)
		}
		// A reply stops the first response clock, late: missed, not met.
		if _, err := s.AddComment(f.ctx, f.nina, urgent.Key, "On it", false); err != nil {
			t.Fatal(err)
		}
		f.tick(t)
		if n := count("sla = stopped"); n != 1 {
			t.Errorf("stopped = %d, want 1", n)
		}
		if n := count("sla = met"); n != 0 {
			t.Errorf("met = %d, want 0", n)
		}
		if n := count("sla = breached"); n != 0 {
			t.Errorf("breached after the reply = %d, want 0: the late clock stopped", n)
		}
		if n := count("sla = missed"); n != 1 {
			t.Errorf("missed after the reply = %d, want 1", n)
		}
		if n := count("sla IN (breached, missed) AND category != Done"); n != 1 {
			t.Errorf("breached or missed after the reply = %d, want 1", n)
		}
		// Deadlines order the queue: soonest (most overdue) first.
		page, err = s.SearchTicketsFiltered(f.ctx, f.nina, "sla = running ORDER BY sla", store.TicketFilter{})
		if err != nil || !slices.Equal(keys(page.Tickets), []string{urgent.Key, calm.Key}) {
			t.Errorf("running by deadline: %v %v", keys(page.Tickets), err)
		}
		if _, err := s.SLAStates(f.ctx, f.alice, []int64{urgent.ID}); !errs.Is(err, errs.KindForbidden) {
			t.Errorf("a customer's SLA states: %v", err)
		}
		_, err = s.CountQuery(f.ctx, f.alice, "sla = breached")
		wantErr(t, "a customer asks about SLAs", err, errs.KindInvalid, "q")
	})
}

func keys(ts []ticket.Ticket) []string {
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		out = append(out, t.Key)
	}
	return out
}
