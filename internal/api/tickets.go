package api

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

type createTicketBody struct {
	Type         string         `json:"type"`
	Service      ref            `json:"service"`
	RequestType  ref            `json:"request_type"`
	Summary      string         `json:"summary"`
	Description  string         `json:"description"`
	Priority     string         `json:"priority"`
	Impact       string         `json:"impact"`
	Urgency      string         `json:"urgency"`
	Fields       map[string]any `json:"fields"`
	Reporter     ref            `json:"reporter"`
	Organization ref            `json:"organization"`
	Assignee     ref            `json:"assignee"`
	Team         ref            `json:"team"`
	Channel      string         `json:"channel"`
}

func (a *API) createTicket(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in createTicketBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	nt := store.NewTicket{
		Type: in.Type, Service: string(in.Service), RequestType: string(in.RequestType), Summary: in.Summary,
		Description: in.Description, Priority: in.Priority, Impact: in.Impact, Urgency: in.Urgency, Fields: in.Fields,
		Channel: ticket.ChannelAPI,
	}
	if in.Channel != "" {
		if !id.Actor.Role.Staff() {
			return errs.Invalid("channel", "only agents may set the channel")
		}
		nt.Channel = ticket.Channel(in.Channel)
	}
	var err error
	if in.Reporter != "" {
		if nt.ReporterID, err = a.userRef(r, "reporter", in.Reporter); err != nil {
			return err
		}
	}
	if in.Assignee != "" {
		if nt.AssigneeID, err = a.userRef(r, "assignee", in.Assignee); err != nil {
			return err
		}
	}
	if in.Organization != "" {
		if nt.OrganizationID, err = a.organizationRef(r, in.Organization); err != nil {
			return err
		}
	}
	if in.Team != "" {
		if nt.TeamID, err = a.teamRef(r, "team", in.Team); err != nil {
			return err
		}
	}
	t, err := a.store.CreateTicket(r.Context(), id.Actor, nt)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/tickets/"+t.Key)
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (a *API) getTicket(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	t, err := a.store.Ticket(r.Context(), id.Actor, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

// listTickets filters with query parameters; lists take commas
// (status=Open,Pending). assignee takes an id, an email, "me" or "none".
// q is a query in Cairn's query language: the other filters narrow its
// result further, and sort, when given, replaces its ORDER BY.
func (a *API) listTickets(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	q := r.URL.Query()
	if err := knownParams(q, "q", "status", "category", "type", "priority", "service", "request_type", "assignee", "reporter",
		"organization", "team", "text", "created_after", "created_before", "updated_after", "resolved_after", "sort", "order", "limit", "offset"); err != nil {
		return err
	}
	f := store.TicketFilter{Statuses: list(q.Get("status")), Text: strings.TrimSpace(q.Get("text")), Sort: q.Get("sort")}
	for _, c := range list(q.Get("category")) {
		cat := ticket.Category(c)
		if cat != ticket.CategoryToDo && cat != ticket.CategoryInProgress && cat != ticket.CategoryDone {
			return errs.Invalid("category", "must be to_do, in_progress or done")
		}
		f.Categories = append(f.Categories, cat)
	}
	for _, t := range list(q.Get("type")) {
		if !ticket.ValidType(t) {
			return errs.Invalid("type", "%q is not a ticket type", t)
		}
		f.Types = append(f.Types, ticket.Type(t))
	}
	for _, p := range list(q.Get("priority")) {
		pr, ok := ticket.ParsePriority(p)
		if !ok {
			return errs.Invalid("priority", "%q is not a priority", p)
		}
		f.Priorities = append(f.Priorities, pr)
	}
	var err error
	if v := q.Get("service"); v != "" {
		svc, err := a.store.ServiceByRef(r.Context(), v)
		if err != nil {
			return errs.Invalid("service", "no service %q", v)
		}
		f.ServiceID = svc.ID
	}
	if v := q.Get("request_type"); v != "" {
		if f.RequestTypeID, err = strconv.ParseInt(v, 10, 64); err != nil {
			return errs.Invalid("request_type", "must be a request type id")
		}
	}
	switch v := q.Get("assignee"); v {
	case "":
	case "me":
		f.AssigneeID = id.User.ID
	case "none":
		f.Unassigned = true
	default:
		if f.AssigneeID, err = a.userRef(r, "assignee", ref(v)); err != nil {
			return err
		}
	}
	if v := q.Get("reporter"); v != "" {
		if v == "me" {
			f.ReporterID = id.User.ID
		} else if f.ReporterID, err = a.userRef(r, "reporter", ref(v)); err != nil {
			return err
		}
	}
	if v := q.Get("organization"); v != "" {
		if f.OrganizationID, err = a.organizationRef(r, ref(v)); err != nil {
			return err
		}
	}
	if v := q.Get("team"); v != "" {
		if f.TeamID, err = a.teamRef(r, "team", ref(v)); err != nil {
			return err
		}
	}
	for name, dst := range map[string]*time.Time{"created_after": &f.CreatedAfter, "created_before": &f.CreatedBefore, "updated_after": &f.UpdatedAfter, "resolved_after": &f.ResolvedAfter} {
		if v := q.Get(name); v != "" {
			if *dst, err = parseTime(v); err != nil {
				return errs.Invalid(name, "must be a date (2006-01-02) or an RFC 3339 time")
			}
		}
	}
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
	var page store.TicketPage
	if cql := q.Get("q"); strings.TrimSpace(cql) != "" {
		page, err = a.store.SearchTicketsFiltered(r.Context(), id.Actor, cql, f)
	} else {
		page, err = a.store.Tickets(r.Context(), id.Actor, f)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func knownParams(q url.Values, names ...string) error {
	known := map[string]bool{}
	for _, n := range names {
		known[n] = true
	}
	for k := range q {
		if !known[k] {
			return badRequest("unknown_parameter", k, "is not a filter of this listing")
		}
	}
	return nil
}

func list(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func parseTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, v)
}

type updateTicketBody struct {
	Summary      optional[string]         `json:"summary"`
	Description  optional[string]         `json:"description"`
	Priority     optional[string]         `json:"priority"`
	Impact       optional[string]         `json:"impact"`
	Urgency      optional[string]         `json:"urgency"`
	Assignee     optional[ref]            `json:"assignee"`
	Team         optional[ref]            `json:"team"`
	Organization optional[ref]            `json:"organization"`
	Fields       optional[map[string]any] `json:"fields"`
}

func (a *API) updateTicket(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in updateTicketBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p := store.TicketPatch{Summary: in.Summary.ptr(), Description: in.Description.ptr(), Priority: in.Priority.ptr(),
		Impact: in.Impact.ptr(), Urgency: in.Urgency.ptr()}
	for _, f := range []struct {
		name string
		o    optional[string]
	}{{"summary", in.Summary}, {"priority", in.Priority}} {
		if f.o.Set && f.o.Null {
			return errs.Invalid(f.name, "cannot be null")
		}
	}
	if in.Impact.Null {
		p.Impact = new(string)
	}
	if in.Urgency.Null {
		p.Urgency = new(string)
	}
	if in.Description.Null {
		p.Description = new(string)
	}
	var err error
	resolve := func(o optional[ref], fn func(ref) (int64, error)) (*int64, error) {
		if !o.Set {
			return nil, nil
		}
		var n int64
		if !o.Null && o.Value != "" {
			if n, err = fn(o.Value); err != nil {
				return nil, err
			}
		}
		return &n, nil
	}
	if p.AssigneeID, err = resolve(in.Assignee, func(x ref) (int64, error) { return a.userRef(r, "assignee", x) }); err != nil {
		return err
	}
	if p.TeamID, err = resolve(in.Team, func(x ref) (int64, error) { return a.teamRef(r, "team", x) }); err != nil {
		return err
	}
	if p.OrganizationID, err = resolve(in.Organization, func(x ref) (int64, error) { return a.organizationRef(r, x) }); err != nil {
		return err
	}
	if in.Fields.Set {
		p.Fields = in.Fields.Value
		if p.Fields == nil {
			p.Fields = map[string]any{}
		}
	}
	t, err := a.store.UpdateTicket(r.Context(), id.Actor, r.PathValue("key"), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (a *API) listTransitions(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	trs, err := a.store.Transitions(r.Context(), id.Actor, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"transitions": trs})
	return nil
}

func (a *API) transition(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in struct {
		To         string `json:"to"`
		ID         string `json:"id"`
		Comment    string `json:"comment"`
		Internal   bool   `json:"internal"`
		Resolution string `json:"resolution"`
		Assignee   ref    `json:"assignee"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	ti := store.TransitionInput{To: in.To, Comment: in.Comment, Internal: in.Internal, Resolution: in.Resolution}
	if in.ID != "" {
		if in.To != "" {
			return errs.Invalid("id", "give either to or id, not both")
		}
		ti.To = in.ID
	}
	if in.Assignee != "" {
		var err error
		if ti.AssigneeID, err = a.userRef(r, "assignee", in.Assignee); err != nil {
			return err
		}
	}
	t, err := a.store.Transition(r.Context(), id.Actor, r.PathValue("key"), ti)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (a *API) listComments(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	cs, err := a.store.Comments(r.Context(), id.Actor, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"comments": cs})
	return nil
}

func (a *API) addComment(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in struct {
		Body     string `json:"body"`
		Internal bool   `json:"internal"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c, err := a.store.AddComment(r.Context(), id.Actor, r.PathValue("key"), in.Body, in.Internal)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (a *API) history(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	evs, err := a.store.History(r.Context(), id.Actor, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": evs})
	return nil
}

func (a *API) listLinks(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	ls, err := a.store.Links(r.Context(), id.Actor, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"links": ls})
	return nil
}

func (a *API) addLink(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in struct {
		Kind   string `json:"kind"`
		Ticket string `json:"ticket"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	l, err := a.store.AddLink(r.Context(), id.Actor, r.PathValue("key"), ticket.LinkKind(in.Kind), in.Ticket)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, l)
	return nil
}

func (a *API) deleteLink(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	lid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.store.DeleteLink(r.Context(), id.Actor, r.PathValue("key"), lid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listAttachments(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	as, err := a.store.Attachments(r.Context(), id.Actor, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"attachments": as})
	return nil
}

// addAttachment takes a multipart form with one part named "file".
func (a *API) addAttachment(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	r.Body = http.MaxBytesReader(w, r.Body, ticket.MaxAttachment+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		return badRequest("invalid_body", "file", "send the file as multipart/form-data in a part named \"file\"")
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return errs.Required("file")
		}
		if err != nil {
			return tooLargeOr(err, badRequest("invalid_body", "file", "the multipart body could not be read"))
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, ticket.MaxAttachment+1))
		if err != nil {
			return tooLargeOr(err, badRequest("invalid_body", "file", "the file could not be read"))
		}
		att, err := a.store.AddAttachment(r.Context(), id.Actor, r.PathValue("key"), part.FileName(), part.Header.Get("Content-Type"), data)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, att)
		return nil
	}
}

func tooLargeOr(err error, other error) error {
	if _, ok := err.(*http.MaxBytesError); ok || strings.Contains(err.Error(), "request body too large") {
		return &errs.Error{Kind: errs.KindTooLarge, Code: "too_large", Field: "file", Message: fmt.Sprintf("is larger than %d MiB", ticket.MaxAttachment>>20)}
	}
	return other
}

func (a *API) getAttachment(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	aid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	att, data, err := a.store.AttachmentContent(r.Context(), id.Actor, r.PathValue("key"), aid)
	if err != nil {
		return err
	}
	// Files are served as downloads so that an uploaded page cannot run
	// script in Cairn's origin.
	w.Header().Set("Content-Type", att.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": att.Filename}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
	return nil
}
