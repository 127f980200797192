package store_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

func TestComments(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := f.ctx
		tk := f.incident(t, f.alice, "Wifi down")

		before := f.counts(t)
		_, err := s.AddComment(ctx, f.alice, tk.Key, "Let me note this privately", true)
		wantErr(t, "customer internal note", err, errs.KindInvalid, "internal")
		_, err = s.AddComment(ctx, f.alice, tk.Key, " \n ", false)
		wantErr(t, "blank comment", err, errs.KindInvalid, "body")
		_, err = s.AddComment(ctx, f.nina, tk.Key, strings.Repeat("c", ticket.MaxComment+1), false)
		wantErr(t, "long comment", err, errs.KindInvalid, "body")
		_, err = s.AddComment(ctx, f.carol, tk.Key, "hello", false)
		wantErr(t, "comment on a hidden ticket", err, errs.KindNotFound, "")
		sameCounts(t, "refused comments", before, f.counts(t))

		f.clock.advance(time.Minute)
		c1, err := s.AddComment(ctx, f.alice, tk.Key, "  Still down  ", false)
		if err != nil {
			t.Fatal(err)
		}
		if c1.ID == 0 || c1.Body != "Still down" || c1.Internal || c1.AuthorID != f.aliceUser.ID || c1.Author != "Alice" || !c1.CreatedAt.Equal(t0.Add(time.Minute)) {
			t.Errorf("comment = %+v", c1)
		}
		f.clock.advance(time.Minute)
		if _, err := s.AddComment(ctx, f.nina, tk.Key, "Probably the AP on 3", true); err != nil {
			t.Fatal(err)
		}
		f.clock.advance(time.Minute)
		if _, err := s.AddComment(ctx, f.nina, tk.Key, "We are looking into it", false); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Ticket(ctx, f.admin, tk.Key); !got.UpdatedAt.Equal(f.clock.now) {
			t.Errorf("a comment did not touch updated_at: %v", got.UpdatedAt)
		}
		// An internal note given with a transition is hidden the same way.
		if _, err := s.Transition(ctx, f.nina, tk.Key, store.TransitionInput{To: "start", Comment: "Escalated to vendor", Internal: true}); err != nil {
			t.Fatal(err)
		}

		everything := []string{"Still down", "Probably the AP on 3", "We are looking into it", "Escalated to vendor"}
		tests := []struct {
			who      string
			actor    directory.Actor
			comments []string
			events   int // ticket.commented events in History
		}{
			{"alice", f.alice, []string{"Still down", "We are looking into it"}, 2},
			{"nina", f.nina, everything, 4},
			{"admin", f.admin, everything, 4},
		}
		for _, tt := range tests {
			cms, err := s.Comments(ctx, tt.actor, tk.Key)
			if err != nil {
				t.Fatal(err)
			}
			var bodies []string
			for _, c := range cms {
				bodies = append(bodies, c.Body)
				if c.Internal && !tt.actor.Role.Staff() {
					t.Errorf("%s sees internal comment %q", tt.who, c.Body)
				}
			}
			if !slices.Equal(bodies, tt.comments) {
				t.Errorf("%s sees comments %v, want %v", tt.who, bodies, tt.comments)
			}
			evs, err := s.History(ctx, tt.actor, tk.Key)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, ev := range evs {
				if ev.Type == ticket.EventCommented {
					n++
					data, _ := ev.Data.(map[string]any)
					if data["internal"] == true && !tt.actor.Role.Staff() {
						t.Errorf("%s sees an internal note's event: %v", tt.who, data)
					}
				}
			}
			if n != tt.events {
				t.Errorf("%s sees %d comment events, want %d", tt.who, n, tt.events)
			}
			// The rest of the history is the same for everybody.
			if len(evs)-n != 2 {
				t.Errorf("%s sees %d other events, want created and transitioned", tt.who, len(evs)-n)
			}
		}
		_, err = s.Comments(ctx, f.bob, tk.Key)
		wantErr(t, "Bob reads comments of Alice's ticket", err, errs.KindNotFound, "")
	})
}

func TestLinks(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := f.ctx
		prb := f.create(t, f.nina, store.NewTicket{Service: "Network", Type: "problem", Summary: "Flaky AP"})
		inc := f.incident(t, f.alice, "Wifi down")
		inc2 := f.incident(t, f.alice, "Wifi down again")
		carols := f.create(t, f.admin, store.NewTicket{Service: "Network", Type: "incident", Summary: "Carol's wifi", ReporterID: f.carolUser.ID})

		f.clock.advance(time.Minute)
		l1, err := s.AddLink(ctx, f.nina, inc.Key, ticket.LinkCausedBy, strings.ToLower(prb.Key))
		if err != nil {
			t.Fatal(err)
		}
		if l1.Kind != "caused_by" || l1.TicketKey != prb.Key || l1.Summary != "Flaky AP" || l1.Status != "Open" || !l1.CreatedAt.Equal(t0.Add(time.Minute)) {
			t.Errorf("link = %+v", l1)
		}
		l2, err := s.AddLink(ctx, f.nina, inc2.Key, ticket.LinkDuplicates, inc.Key)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddLink(ctx, f.admin, prb.Key, ticket.LinkBlocks, carols.Key); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddLink(ctx, f.nina, carols.Key, ticket.LinkRelates, inc.Key); err != nil {
			t.Fatal(err)
		}

		type view struct{ kind, key string }
		links := func(a directory.Actor, key string) []view {
			t.Helper()
			ls, err := s.Links(ctx, a, key)
			if err != nil {
				t.Fatalf("Links(%s): %v", key, err)
			}
			var out []view
			for _, l := range ls {
				out = append(out, view{l.Kind, l.TicketKey})
			}
			return out
		}
		tests := []struct {
			who   string
			actor directory.Actor
			key   string
			want  []view
		}{
			{"nina", f.nina, inc.Key, []view{{"caused_by", prb.Key}, {"is_duplicated_by", inc2.Key}, {"relates_to", carols.Key}}},
			{"nina", f.nina, prb.Key, []view{{"causes", inc.Key}, {"blocks", carols.Key}}},
			{"nina", f.nina, inc2.Key, []view{{"duplicates", inc.Key}}},
			{"nina", f.nina, carols.Key, []view{{"is_blocked_by", prb.Key}, {"relates_to", inc.Key}}},
			// A customer sees only links to tickets they may see.
			{"alice", f.alice, inc.Key, []view{{"is_duplicated_by", inc2.Key}}},
			{"carol", f.carol, carols.Key, nil},
		}
		for _, tt := range tests {
			if got := links(tt.actor, tt.key); !slices.Equal(got, tt.want) {
				t.Errorf("%s: Links(%s) = %v, want %v", tt.who, tt.key, got, tt.want)
			}
		}
		// Both tickets log the link, each from its own side.
		for _, side := range []struct{ key, kind, other string }{{inc.Key, "caused_by", prb.Key}, {prb.Key, "causes", inc.Key}} {
			hist, _ := s.History(ctx, f.admin, side.key)
			found := false
			for _, ev := range hist {
				data, _ := ev.Data.(map[string]any)
				if ev.Type == ticket.EventLinked && data["kind"] == side.kind && data["ticket"] == side.other {
					found = true
				}
			}
			if !found {
				t.Errorf("History(%s) has no %s %s link event", side.key, side.kind, side.other)
			}
		}

		refusals := []struct {
			name        string
			actor       directory.Actor
			key, target string
			kind        ticket.LinkKind
			errKind     errs.Kind
			field       string
		}{
			{"duplicate", f.nina, inc.Key, prb.Key, ticket.LinkCausedBy, errs.KindConflict, ""},
			{"duplicate in other case", f.admin, strings.ToLower(inc.Key), strings.ToLower(prb.Key), ticket.LinkCausedBy, errs.KindConflict, ""},
			{"self", f.nina, inc.Key, inc.Key, ticket.LinkRelates, errs.KindInvalid, "ticket"},
			{"bad kind", f.nina, inc.Key, prb.Key, "clones", errs.KindInvalid, "kind"},
			{"no target", f.nina, inc.Key, " ", ticket.LinkRelates, errs.KindInvalid, "ticket"},
			{"unknown target", f.nina, inc.Key, "IT-999", ticket.LinkRelates, errs.KindInvalid, "ticket"},
			{"target hidden from the agent", f.dave, f.laptopRequest(t, f.admin, "x").Key, inc.Key, ticket.LinkRelates, errs.KindInvalid, "ticket"},
			{"customer", f.alice, inc.Key, inc2.Key, ticket.LinkRelates, errs.KindForbidden, ""},
			{"customer on hidden ticket", f.bob, inc.Key, inc2.Key, ticket.LinkRelates, errs.KindNotFound, ""},
		}
		before := f.counts(t) // after the laptop request above, which is no refusal
		for _, tt := range refusals {
			_, err := s.AddLink(ctx, tt.actor, tt.key, tt.kind, tt.target)
			wantErr(t, tt.name, err, tt.errKind, tt.field)
		}
		sameCounts(t, "refused links", before, f.counts(t))
		// The reverse direction is a different link.
		if _, err := s.AddLink(ctx, f.nina, prb.Key, ticket.LinkCausedBy, inc.Key); err != nil {
			t.Errorf("reverse link: %v", err)
		}

		// Deleting, from either side.
		wantErr(t, "customer unlinks", s.DeleteLink(ctx, f.alice, inc.Key, l2.ID), errs.KindForbidden, "")
		wantErr(t, "unlink another ticket's link", s.DeleteLink(ctx, f.nina, inc2.Key, l1.ID), errs.KindNotFound, "")
		if err := s.DeleteLink(ctx, f.nina, prb.Key, l1.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteLink(ctx, f.nina, inc.Key, l2.ID); err != nil {
			t.Fatal(err)
		}
		wantErr(t, "unlink twice", s.DeleteLink(ctx, f.nina, inc.Key, l2.ID), errs.KindNotFound, "")
		if got := links(f.nina, inc2.Key); len(got) != 0 {
			t.Errorf("after unlink Links(%s) = %v", inc2.Key, got)
		}
		if got, want := links(f.admin, prb.Key), []view{{"blocks", carols.Key}, {"caused_by", inc.Key}}; !slices.Equal(got, want) {
			t.Errorf("after unlink Links(%s) = %v, want %v", prb.Key, got, want)
		}
		for _, key := range []string{inc.Key, inc2.Key} {
			hist, _ := s.History(ctx, f.admin, key)
			if last := hist[len(hist)-1]; last.Type != ticket.EventUnlinked {
				t.Errorf("History(%s) ends with %s, want %s", key, last.Type, ticket.EventUnlinked)
			}
		}
	})
}

func TestAttachments(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := f.ctx
		a := f.incident(t, f.alice, "Screenshot attached")
		b := f.incident(t, f.bob, "Same screenshot")
		png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0, 1, 2, 3}, 100)...)

		blobs := f.count(t, "blobs")
		f.clock.advance(time.Minute)
		at1, err := s.AddAttachment(ctx, f.alice, a.Key, `C:\Users\alice\screen.png`, "", png)
		if err != nil {
			t.Fatal(err)
		}
		if at1.ID == 0 || at1.Filename != "screen.png" || at1.ContentType != "image/png" || at1.Size != int64(len(png)) ||
			len(at1.SHA256) != 64 || at1.UploadedBy != f.aliceUser.ID || !at1.CreatedAt.Equal(t0.Add(time.Minute)) {
			t.Errorf("attachment = %+v", at1)
		}
		at2, err := s.AddAttachment(ctx, f.bob, b.Key, "../../etc/copy.png", "image/png", png)
		if err != nil {
			t.Fatal(err)
		}
		at3, err := s.AddAttachment(ctx, f.alice, a.Key, "notes.txt", "text/plain; charset=utf-8", []byte("hello"))
		if err != nil {
			t.Fatal(err)
		}
		if at2.Filename != "copy.png" || at2.SHA256 != at1.SHA256 {
			t.Errorf("second attachment = %+v", at2)
		}
		if n := f.count(t, "blobs"); n != blobs+2 {
			t.Errorf("blobs = %d, want %d: the same bytes are stored once", n, blobs+2)
		}
		if n := f.count(t, "attachments"); n != 3 {
			t.Errorf("attachments = %d, want 3", n)
		}
		if tk, _ := s.Ticket(ctx, f.admin, a.Key); !tk.UpdatedAt.Equal(f.clock.now) {
			t.Errorf("an attachment did not touch updated_at")
		}

		list, err := s.Attachments(ctx, f.alice, a.Key)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].ID != at1.ID || list[1].ID != at3.ID || list[1].ContentType != "text/plain; charset=utf-8" {
			t.Errorf("Attachments(%s) = %+v", a.Key, list)
		}
		for _, tt := range []struct {
			actor directory.Actor
			key   string
			id    int64
			want  []byte
		}{
			{f.alice, a.Key, at1.ID, png},
			{f.bob, b.Key, at2.ID, png},
			{f.nina, a.Key, at3.ID, []byte("hello")},
		} {
			meta, data, err := s.AttachmentContent(ctx, tt.actor, tt.key, tt.id)
			if err != nil || !bytes.Equal(data, tt.want) || meta.ID != tt.id || meta.Size != int64(len(tt.want)) {
				t.Errorf("AttachmentContent(%s, %d) = %+v, %d bytes, %v", tt.key, tt.id, meta, len(data), err)
			}
		}
		// An attachment is reached only through its own ticket.
		_, _, err = s.AttachmentContent(ctx, f.bob, b.Key, at1.ID)
		wantErr(t, "attachment through another ticket", err, errs.KindNotFound, "")
		_, _, err = s.AttachmentContent(ctx, f.bob, a.Key, at1.ID)
		wantErr(t, "attachment of a hidden ticket", err, errs.KindNotFound, "")
		_, _, err = s.AttachmentContent(ctx, f.alice, a.Key, 9999)
		wantErr(t, "unknown attachment", err, errs.KindNotFound, "")

		before := f.counts(t)
		refusals := []struct {
			name, filename string
			data           []byte
			kind           errs.Kind
			field          string
		}{
			{"too large", "big.bin", make([]byte, ticket.MaxAttachment+1), errs.KindTooLarge, "file"},
			{"empty", "empty.txt", nil, errs.KindInvalid, "file"},
			{"no name", "  ", []byte("x"), errs.KindInvalid, "filename"},
			{"only dots", "uploads/..", []byte("x"), errs.KindInvalid, "filename"},
			{"a dot", ".", []byte("x"), errs.KindInvalid, "filename"},
			{"long name", strings.Repeat("n", 256), []byte("x"), errs.KindInvalid, "filename"},
			{"bad UTF-8", "bad\xff.txt", []byte("x"), errs.KindInvalid, "filename"},
		}
		for _, tt := range refusals {
			_, err := s.AddAttachment(ctx, f.alice, a.Key, tt.filename, "", tt.data)
			wantErr(t, tt.name, err, tt.kind, tt.field)
		}
		sameCounts(t, "refused attachments", before, f.counts(t))
	})
}

// TestHistoryHidesLinkedTickets checks that a link event names the other
// ticket only to those who may see it.
func TestHistoryHidesLinkedTickets(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		alices := f.incident(t, f.alice, "Alice's wifi")
		carols := f.create(t, f.carol, store.NewTicket{Service: "Network", Type: "incident", Summary: "Carol's wifi"})
		if _, err := s.AddLink(f.ctx, f.nina, carols.Key, ticket.LinkDuplicates, alices.Key); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			who   string
			actor directory.Actor
			want  bool
		}{{"carol", f.carol, false}, {"nina", f.nina, true}, {"admin", f.admin, true}} {
			hist, err := s.History(f.ctx, tt.actor, carols.Key)
			if err != nil {
				t.Fatal(err)
			}
			named := false
			for _, ev := range hist {
				if ev.Type == ticket.EventLinked {
					named = true
				}
			}
			if named != tt.want {
				t.Errorf("%s sees the link to %s in the history of %s: %v, want %v", tt.who, alices.Key, carols.Key, named, tt.want)
			}
		}
	})
}
