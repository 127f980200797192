package api

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/queue"
	"github.com/cairn-itsm/cairn/internal/store"
)

// queueBody is a queue as clients write it. Columns default to the
// workspace's usual ones; position leaves a new queue last and an edited
// one where it is; slug is made from the name when left out.
type queueBody struct {
	Name     string   `json:"name"`
	Slug     string   `json:"slug"`
	Query    string   `json:"query"`
	Columns  []string `json:"columns"`
	Sort     string   `json:"sort"`
	Position *int     `json:"position"`
}

func (b queueBody) queue() queue.Queue {
	q := queue.Queue{Name: b.Name, Slug: strings.TrimSpace(b.Slug), Query: b.Query, Columns: b.Columns, Sort: b.Sort, Position: math.MaxInt32}
	if q.Columns == nil {
		q.Columns = queue.DefaultColumns
	}
	if b.Position != nil {
		q.Position = *b.Position
	}
	return q
}

// queueCounted is a queue with the number of tickets the caller sees in it.
type queueCounted struct {
	queue.Queue
	Count int `json:"count"`
}

// listQueues lists the shared queues in sidebar order; counts=true adds
// how many tickets of each the caller sees.
func (a *API) listQueues(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	q := r.URL.Query()
	if err := knownParams(q, "counts"); err != nil {
		return err
	}
	counts, err := boolParam(q.Get("counts"), "counts")
	if err != nil {
		return err
	}
	qs, err := a.store.Queues(r.Context())
	if err != nil {
		return err
	}
	if !counts {
		writeJSON(w, http.StatusOK, map[string]any{"queues": qs})
		return nil
	}
	out := make([]queueCounted, len(qs))
	for i, qu := range qs {
		n, err := a.store.CountQuery(r.Context(), id.Actor, qu.Query)
		if err != nil {
			return err
		}
		out[i] = queueCounted{qu, n}
	}
	writeJSON(w, http.StatusOK, map[string]any{"queues": out})
	return nil
}

func boolParam(v, name string) (bool, error) {
	switch v {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, errs.Invalid(name, "must be true or false")
}

// queueRef finds the queue a path names, by id or by slug.
func (a *API) queueRef(r *http.Request) (queue.Queue, error) {
	v := r.PathValue("id")
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
		return a.store.Queue(r.Context(), n)
	}
	return a.store.QueueBySlug(r.Context(), v)
}

func (a *API) getQueue(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	q, err := a.queueRef(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, q)
	return nil
}

func (a *API) createQueue(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in queueBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	q, err := a.store.CreateQueue(r.Context(), id.Actor, in.queue())
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/queues/"+strconv.FormatInt(q.ID, 10))
	writeJSON(w, http.StatusCreated, q)
	return nil
}

func (a *API) updateQueue(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	old, err := a.queueRef(r)
	if err != nil {
		return err
	}
	var in queueBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	q := in.queue()
	q.ID = old.ID
	if in.Position == nil {
		q.Position = old.Position
	}
	q, err = a.store.UpdateQueue(r.Context(), id.Actor, q)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, q)
	return nil
}

func (a *API) deleteQueue(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	q, err := a.queueRef(r)
	if err != nil {
		return err
	}
	if err := a.store.DeleteQueue(r.Context(), id.Actor, q.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// queueTickets lists a page of a queue's tickets as the caller sees them,
// in the queue's order unless sort asks for another.
func (a *API) queueTickets(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	q := r.URL.Query()
	if err := knownParams(q, "sort", "order", "limit", "offset"); err != nil {
		return err
	}
	qu, err := a.queueRef(r)
	if err != nil {
		return err
	}
	f := store.TicketFilter{Sort: q.Get("sort")}
	switch q.Get("order") {
	case "", "desc":
	case "asc":
		f.Ascending = true
	default:
		return errs.Invalid("order", "must be asc or desc")
	}
	if f.Limit, f.Offset, err = paging(q.Get("limit"), q.Get("offset"), store.MaxPage); err != nil {
		return err
	}
	page, err := a.store.QueueTickets(r.Context(), id.Actor, qu, f, 0)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}
