package web

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/store"
)

// Live updates: pages that show tickets open a server-sent event stream at
// /agent/live and reload their changing parts when it says something moved.
//
// Changes are found by reading the event log, never through memory, so that
// a comment written by another Cairn process on the same PostgreSQL shows up
// too. One poller per process reads the log once a second for all streams;
// it starts with the first subscriber and stops with the last.

const (
	livePoll      = time.Second
	liveHeartbeat = 25 * time.Second
	liveBatch     = 500              // events read per query
	liveGapWait   = 15 * time.Second // how long a missing event id is looked for
	liveMaxGaps   = 1000
	liveMaxKeys   = 50 // ticket keys named in one message
)

// liveHub fans the event log out to the open streams of one process.
type liveHub struct {
	store *store.Store
	log   *slog.Logger

	mu      sync.Mutex
	subs    map[*liveSub]struct{}
	stop    context.CancelFunc // ends the poller; nil when it is not running
	servers map[*http.Server]chan struct{}
}

// liveSub is one open stream: a ticket page (ticketID set) or a queue page,
// which hears of every ticket its actor may see.
type liveSub struct {
	actor    directory.Actor
	ticketID int64
	key      string
	closed   <-chan struct{} // closed when the server shuts down

	mu     sync.Mutex
	keys   []string
	lastID int64
	wake   chan struct{}
}

func newLiveHub(s *store.Store, log *slog.Logger) *liveHub {
	return &liveHub{store: s, log: log, subs: map[*liveSub]struct{}{}, servers: map[*http.Server]chan struct{}{}}
}

// notify records changed tickets for the stream and wakes it; several
// changes before the stream writes make one message.
func (s *liveSub) notify(keys []string, lastID int64) {
	s.mu.Lock()
	for _, k := range keys {
		if !slices.Contains(s.keys, k) && len(s.keys) < liveMaxKeys {
			s.keys = append(s.keys, k)
		}
	}
	s.lastID = max(s.lastID, lastID)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *liveSub) take() ([]string, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := s.keys
	s.keys = nil
	return keys, s.lastID
}

// subscribe adds a stream, starting the poller if it is the first. The
// poller's starting point is read here, before the caller catches up on
// what happened since its page was rendered, so that nothing falls between.
func (h *liveHub) subscribe(ctx context.Context, sub *liveSub) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stop == nil {
		last, err := h.store.LastEventID(ctx)
		if err != nil {
			return err
		}
		pctx, cancel := context.WithCancel(context.Background())
		h.stop = cancel
		go h.poll(pctx, last)
	}
	h.subs[sub] = struct{}{}
	return nil
}

func (h *liveHub) unsubscribe(sub *liveSub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, sub)
	if len(h.subs) == 0 && h.stop != nil {
		h.stop()
		h.stop = nil
	}
}

// closing gives a channel that is closed when srv starts shutting down, so
// that open streams end and http.Server.Shutdown need not wait for them.
func (h *liveHub) closing(srv *http.Server) <-chan struct{} {
	if srv == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	ch, ok := h.servers[srv]
	if !ok {
		ch = make(chan struct{})
		h.servers[srv] = ch
		// The closed channel stays in the map, so that a stream opened
		// during the shutdown ends at once.
		srv.RegisterOnShutdown(func() { close(ch) })
	}
	return ch
}

// poll reads the log every second from last on. Ids that are missing from
// a read are asked for again for a while: they may belong to transactions
// that commit late (PostgreSQL) or to ones that rolled back.
func (h *liveHub) poll(ctx context.Context, last int64) {
	gaps := map[int64]time.Time{}
	tick := time.NewTicker(livePoll)
	defer tick.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		for {
			also := make([]int64, 0, len(gaps))
			now := time.Now()
			for id, seen := range gaps {
				if now.Sub(seen) > liveGapWait {
					delete(gaps, id)
				} else {
					also = append(also, id)
				}
			}
			events, err := h.store.EventsAfter(ctx, last, also, liveBatch)
			if err != nil {
				if ctx.Err() == nil && !failing {
					h.log.WarnContext(ctx, "live updates: read events", slog.Any("err", err))
				}
				failing = true
				break
			}
			failing = false
			for _, e := range events {
				delete(gaps, e.ID)
				if e.ID > last {
					for id := last + 1; id < e.ID && len(gaps) < liveMaxGaps; id++ {
						gaps[id] = now
					}
					last = e.ID
				}
			}
			h.dispatch(ctx, events, last)
			if len(events) < liveBatch {
				break
			}
		}
	}
}

// dispatch tells each stream about the events that concern it.
func (h *liveHub) dispatch(ctx context.Context, events []store.EventRef, last int64) {
	changed := liveChangedTickets(events)
	if len(changed) == 0 {
		return
	}
	h.mu.Lock()
	subs := make([]*liveSub, 0, len(h.subs))
	for s := range h.subs {
		subs = append(subs, s)
	}
	h.mu.Unlock()
	// Queue streams hear of the tickets their actor may see: one query per
	// person, however many tabs they have open.
	visible := map[int64]map[int64]string{}
	for _, s := range subs {
		if s.ticketID != 0 {
			if slices.Contains(changed, s.ticketID) {
				s.notify([]string{s.key}, last)
			}
			continue
		}
		keys, ok := visible[s.actor.UserID]
		if !ok {
			var err error
			keys, err = h.store.VisibleTicketKeys(ctx, s.actor, changed)
			if err != nil {
				if ctx.Err() == nil {
					h.log.WarnContext(ctx, "live updates: visible tickets", slog.Any("err", err))
				}
				continue
			}
			visible[s.actor.UserID] = keys
		}
		if len(keys) > 0 {
			s.notify(liveSortedKeys(keys), last)
		}
	}
}

// relevant is dispatch for one stream catching up on events it missed.
func (h *liveHub) relevant(ctx context.Context, sub *liveSub, events []store.EventRef) ([]string, error) {
	changed := liveChangedTickets(events)
	if sub.ticketID != 0 {
		if slices.Contains(changed, sub.ticketID) {
			return []string{sub.key}, nil
		}
		return nil, nil
	}
	keys, err := h.store.VisibleTicketKeys(ctx, sub.actor, changed)
	return liveSortedKeys(keys), err
}

func liveChangedTickets(events []store.EventRef) []int64 {
	var ids []int64
	for _, e := range events {
		if e.Stream == "ticket" && !slices.Contains(ids, e.StreamID) {
			ids = append(ids, e.StreamID)
		}
	}
	return ids
}

func liveSortedKeys(m map[int64]string) []string {
	out := make([]string, 0, len(m))
	for _, k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// liveStream serves GET /agent/live?ticket=KEY or ?queue=ID: a stream of
// "change" events naming the tickets that changed, with a comment line as
// heartbeat every 25 seconds. A client that reconnects sends Last-Event-ID;
// a page passes after= with the newest event it was rendered from.
func (w *Web) liveStream(h *liveHub) func(http.ResponseWriter, *http.Request, auth.Identity) {
	return func(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
		ctx := r.Context()
		q := r.URL.Query()
		sub := &liveSub{actor: id.Actor, wake: make(chan struct{}, 1)}
		switch {
		case q.Get("ticket") != "":
			t, err := w.store.Ticket(ctx, id.Actor, q.Get("ticket"))
			if err != nil {
				w.fail(rw, r, err)
				return
			}
			sub.ticketID, sub.key = t.ID, t.Key
		case q.Get("queue") != "":
			if _, err := w.agentFindQueue(ctx, q.Get("queue")); err != nil {
				w.fail(rw, r, err)
				return
			}
		default:
			http.Error(rw, "name a ticket or a queue", http.StatusBadRequest)
			return
		}
		after, err := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64)
		if err != nil {
			after, err = strconv.ParseInt(q.Get("after"), 10, 64)
		}
		if err != nil || after < 0 {
			after = -1 // nothing to catch up on
		}
		srv, _ := ctx.Value(http.ServerContextKey).(*http.Server)
		sub.closed = h.closing(srv)
		if err := h.subscribe(ctx, sub); err != nil {
			w.serverError(rw, r, err)
			return
		}
		defer h.unsubscribe(sub)

		rc := http.NewResponseController(rw)
		_ = rc.SetWriteDeadline(time.Time{}) // a stream outlives any write timeout
		hd := rw.Header()
		hd.Set("Content-Type", "text/event-stream")
		hd.Set("Cache-Control", "no-store")
		hd.Set("X-Accel-Buffering", "no") // tell nginx not to buffer
		rw.WriteHeader(http.StatusOK)
		if _, err := fmt.Fprint(rw, "retry: 3000\n\n"); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			w.log.WarnContext(ctx, "live updates need a flushing response writer", slog.Any("err", err))
			return
		}
		if after >= 0 {
			events, err := w.store.EventsAfter(ctx, after, nil, liveBatch)
			if err != nil {
				return
			}
			keys, err := h.relevant(ctx, sub, events)
			if err != nil {
				return
			}
			if len(events) == liveBatch && sub.ticketID != 0 {
				keys = []string{sub.key} // too much happened: reload to be safe
			}
			if len(keys) > 0 {
				sub.notify(keys, events[len(events)-1].ID)
			}
		}

		beat := time.NewTicker(liveHeartbeat)
		defer beat.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-sub.closed:
				return
			case <-beat.C:
				// The session may have ended or access changed meanwhile.
				if !w.liveStillAllowed(r, sub) {
					return
				}
				if _, err := fmt.Fprint(rw, ": heartbeat\n\n"); err != nil {
					return
				}
			case <-sub.wake:
				keys, last := sub.take()
				if len(keys) == 0 {
					continue
				}
				data, _ := json.Marshal(map[string]any{"tickets": keys})
				if _, err := fmt.Fprintf(rw, "id: %d\nevent: change\ndata: %s\n\n", last, data); err != nil {
					return
				}
			}
			if err := rc.Flush(); err != nil {
				return
			}
		}
	}
}

// liveStillAllowed checks again, on each heartbeat, that the stream's session
// is signed in and that its ticket is still visible to it.
func (w *Web) liveStillAllowed(r *http.Request, sub *liveSub) bool {
	id := w.identify(r)
	if id.Method == auth.MethodNone || id.Actor.UserID != sub.actor.UserID || !id.Actor.Role.Staff() {
		return false
	}
	if sub.ticketID != 0 {
		if _, err := w.store.Ticket(r.Context(), id.Actor, sub.key); err != nil {
			return false
		}
	}
	return true
}

// liveURL is the stream a page listens to; after is the newest event the
// page was rendered from.
func liveURL(kind, ref string, after int64) string {
	return "/agent/live?" + kind + "=" + urlQueryEscape(ref) + "&after=" + strconv.FormatInt(after, 10)
}
