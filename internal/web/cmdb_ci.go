package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// A CI's page: its attributes, relationships, the services built on it,
// the tickets that name it and its history; adding and removing
// relationships; deleting it.

// cmdbAttr is an attribute's value as the page shows it.
type cmdbAttr struct {
	Label string
	Text  string // "" when the CI has no value
	Href  string // a link: another CI, a URL
	Ext   bool   // the link leaves Cairn
	Title string // more about the value: a person's email
}

// cmdbRelGroup is a CI's relationships of one verb.
type cmdbRelGroup struct {
	Verb  cmdb.Verb
	Label string // "Is depended on by"
	Rels  []cmdb.Relationship
}

// cmdbEvent is an entry of a CI's history.
type cmdbEvent struct {
	Actor   string
	At      time.Time
	Kind    string // a CSS suffix: created, updated, related...
	Text    string // what happened, before the link
	Link    string
	Href    string
	Changes []cmdbChangeText
	Initial bool // the changes are the values it was created with
}

// cmdbChangeText is one field's change, written for people.
type cmdbChangeText struct {
	Field, From, To string
}

// cmdbHistoryShown is how many entries of a CI's history the page shows,
// newest first.
const cmdbHistoryShown = 100

type cmdbPageView struct {
	CI            cmdb.CI
	Ancestry      string
	Attributes    []cmdbAttr
	Groups        []cmdbRelGroup
	Verbs         []cmdbOption
	Datalist      []cmdbOption // other CIs to relate to, when they are few
	RelCI         string       // the other CI as typed, on a refused post
	Services      []catalog.Service
	Tickets       []ticket.Ticket
	History       []cmdbEvent
	HistoryTotal  int
	UpstreamURL   string
	DownstreamURL string
}

func (w *Web) cmdbShow(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	n, ok := pathID(r, "id")
	if !ok {
		w.notFound(rw, r, id)
		return
	}
	w.cmdbRenderPage(rw, r, id, n, Page{}, http.StatusOK)
}

// cmdbRenderPage shows CI n's page; p carries the errors of a refused post.
func (w *Web) cmdbRenderPage(rw http.ResponseWriter, r *http.Request, id auth.Identity, n int64, p Page, status int) {
	ctx := r.Context()
	ci, err := w.store.CI(ctx, n)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	types, err := w.cmdbTypes(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	names := &cmdbNames{w: w, ctx: ctx, cis: map[int64]string{}, users: map[int64]directory.User{}}
	v := cmdbPageView{CI: ci, Ancestry: types.ancestry(ci.TypeID),
		UpstreamURL: cmdbURL(ci.ID) + "/impact?direction=upstream", DownstreamURL: cmdbURL(ci.ID) + "/impact?direction=downstream"}
	v.RelCI, _ = p.Values["ci"].(string)
	verb, _ := p.Values["verb"].(string)
	for _, vb := range cmdb.Verbs {
		v.Verbs = append(v.Verbs, cmdbOption{Value: string(vb), Label: vb.Label(), Selected: string(vb) == verb})
	}
	for _, a := range types.byID[ci.TypeID].Schema {
		attr, err := names.attr(a, ci.Attributes[a.Key])
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		v.Attributes = append(v.Attributes, attr)
	}
	rels, err := w.store.Relationships(ctx, ci.ID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Groups = cmdbGroupRels(rels)
	if v.Datalist, err = w.cmdbDatalist(ctx, ci.ID); err != nil {
		w.fail(rw, r, err)
		return
	}
	if v.Services, err = w.store.CIServices(ctx, ci.ID); err != nil {
		w.fail(rw, r, err)
		return
	}
	if v.Tickets, err = w.store.CITickets(ctx, id.Actor, ci.ID, 20); err != nil {
		w.fail(rw, r, err)
		return
	}
	events, err := w.store.CIHistory(ctx, id.Actor, ci.ID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.HistoryTotal = len(events)
	teams, err := w.store.Teams(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	h := cmdbHistory{types: types, teams: teams, names: names, typeID: ci.TypeID}
	for i := len(events) - 1; i >= 0 && len(v.History) < cmdbHistoryShown; i-- {
		ev, err := h.event(events[i])
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		v.History = append(v.History, ev)
	}
	p.Title, p.Section, p.Identity, p.Data = ci.Name, "agent", id, v
	w.render(rw, r, status, "cmdb_ci", p)
}

// cmdbGroupRels groups relationships by verb, in the order of cmdb.Verbs.
func cmdbGroupRels(rels []cmdb.Relationship) []cmdbRelGroup {
	var out []cmdbRelGroup
	for _, vb := range cmdb.Verbs {
		g := cmdbRelGroup{Verb: vb, Label: upperFirst(vb.Label())}
		for _, r := range rels {
			if r.Verb == vb {
				g.Rels = append(g.Rels, r)
			}
		}
		if len(g.Rels) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// cmdbDatalist offers the other CIs by name when there are few enough to
// list; a name two CIs share is offered as their ids.
func (w *Web) cmdbDatalist(ctx context.Context, self int64) ([]cmdbOption, error) {
	page, err := w.store.CIs(ctx, store.CIFilter{Limit: cmdbMaxCIChoices})
	if err != nil || page.Total > len(page.CIs) {
		return nil, err
	}
	seen := map[string]int{}
	for _, ci := range page.CIs {
		seen[strings.ToLower(ci.Name)]++
	}
	var out []cmdbOption
	for _, ci := range page.CIs {
		if ci.ID == self {
			continue
		}
		o := cmdbOption{Value: ci.Name, Label: ci.Type}
		if seen[strings.ToLower(ci.Name)] > 1 {
			o.Value, o.Label = "#"+strconv.FormatInt(ci.ID, 10), ci.Name+" ("+ci.Type+")"
		}
		out = append(out, o)
	}
	return out, nil
}

// cmdbNames finds, once per page, the names of the CIs and people that
// values point to.
type cmdbNames struct {
	w     *Web
	ctx   context.Context
	cis   map[int64]string
	users map[int64]directory.User
}

// ci names CI id; ok is false when it is no longer in the CMDB.
func (n *cmdbNames) ci(id int64) (string, bool, error) {
	if name, seen := n.cis[id]; seen {
		return name, name != "", nil
	}
	ci, err := n.w.store.CI(n.ctx, id)
	if errs.Is(err, errs.KindNotFound) {
		n.cis[id] = ""
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	n.cis[id] = ci.Name
	return ci.Name, true, nil
}

func (n *cmdbNames) user(id int64) (directory.User, bool, error) {
	if u, seen := n.users[id]; seen {
		return u, u.ID != 0, nil
	}
	u, err := n.w.store.User(n.ctx, id)
	if errs.Is(err, errs.KindNotFound) {
		n.users[id] = directory.User{}
		return u, false, nil
	}
	if err != nil {
		return u, false, err
	}
	n.users[id] = u
	return u, true, nil
}

// cmdbID reads an id from a stored value: int64 as the store gives it,
// float64 as JSON of the history gives it.
func cmdbID(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		return int64(x), x == float64(int64(x))
	}
	return 0, false
}

// attr writes attribute a's value v for the page.
func (n *cmdbNames) attr(a cmdb.SchemaAttribute, v any) (cmdbAttr, error) {
	out := cmdbAttr{Label: a.Label}
	if v == nil {
		return out, nil
	}
	switch a.Type {
	case cmdb.AttrReference:
		id, ok := cmdbID(v)
		if !ok {
			break
		}
		name, found, err := n.ci(id)
		if err != nil {
			return out, err
		}
		if !found {
			out.Text = fmt.Sprintf("CI #%d (no longer in the CMDB)", id)
			return out, nil
		}
		out.Text, out.Href = name, cmdbURL(id)
		return out, nil
	case cmdb.AttrPerson:
		id, ok := cmdbID(v)
		if !ok {
			break
		}
		u, found, err := n.user(id)
		if err != nil {
			return out, err
		}
		if !found {
			out.Text = fmt.Sprintf("user #%d (no longer here)", id)
			return out, nil
		}
		out.Text, out.Title = u.Name, u.Email
		return out, nil
	case cmdb.AttrURL:
		s, _ := v.(string)
		// The store keeps only http and https URLs; html/template checks again.
		out.Text, out.Href, out.Ext = s, s, true
		return out, nil
	case cmdb.AttrBoolean:
		if b, ok := v.(bool); ok {
			out.Text = map[bool]string{true: "Yes", false: "No"}[b]
			return out, nil
		}
	}
	out.Text = cmdbFormValue(v)
	return out, nil
}

// cmdbHistory writes a CI's events for people.
type cmdbHistory struct {
	types  cmdbTypes
	teams  []directory.Team
	names  *cmdbNames
	typeID int64
}

var cmdbFieldLabels = map[string]string{"name": "Name", "type_id": "Type", "description": "Description", "status": "Status",
	"criticality": "Criticality", "owner_team_id": "Owner team"}

func (h cmdbHistory) event(ev cmdb.Event) (cmdbEvent, error) {
	out := cmdbEvent{Actor: ev.Actor, At: ev.CreatedAt, Kind: strings.TrimPrefix(ev.Type, "ci."), Initial: ev.Type == cmdb.EventCreated}
	str := func(k string) string { s, _ := ev.Data[k].(string); return s }
	verb := cmdb.Verb(str("verb")).Label()
	switch ev.Type {
	case cmdb.EventCreated:
		out.Text = "created the CI"
		if str("source") == "import" {
			out.Text = "imported the CI"
		}
	case cmdb.EventUpdated:
		out.Text = "changed"
		if str("source") == "import" {
			out.Text = "changed by import"
		}
	case cmdb.EventDeleted:
		out.Text = "deleted the CI"
	case cmdb.EventRelated, cmdb.EventUnrelated:
		out.Text = "related it: " + verb
		if ev.Type == cmdb.EventUnrelated {
			out.Text = "removed the relationship: " + verb
		}
		out.Link = str("ci")
		if id, ok := cmdbID(ev.Data["ci_id"]); ok {
			if _, found, err := h.names.ci(id); err != nil {
				return out, err
			} else if found {
				out.Href = cmdbURL(id)
			}
		}
	case cmdb.EventServiceLinked:
		out.Text, out.Link = "linked the service", str("service")
	case cmdb.EventServiceUnlinked:
		out.Text, out.Link = "unlinked the service", str("service")
	case cmdb.EventTicketLinked, cmdb.EventTicketUnlinked:
		out.Text = "named by ticket"
		if ev.Type == cmdb.EventTicketUnlinked {
			out.Text = "no longer named by ticket"
		}
		out.Link, out.Href = str("ticket"), "/agent/tickets/"+str("ticket")
	default:
		out.Text = ev.Type
	}
	for _, c := range ev.Changes {
		ct, err := h.change(c)
		if err != nil {
			return out, err
		}
		out.Changes = append(out.Changes, ct)
	}
	return out, nil
}

func (h cmdbHistory) change(c cmdb.Change) (cmdbChangeText, error) {
	out := cmdbChangeText{Field: c.Field}
	var err error
	format := func(v any) (string, error) { return cmdbFormValue(v), nil }
	switch {
	case cmdbFieldLabels[c.Field] != "":
		out.Field = cmdbFieldLabels[c.Field]
		switch c.Field {
		case "type_id":
			format = func(v any) (string, error) {
				if id, ok := cmdbID(v); ok && id != 0 {
					if t, ok := h.types.byID[id]; ok {
						return t.Name, nil
					}
				}
				return cmdbFormValue(v), nil
			}
		case "owner_team_id":
			format = func(v any) (string, error) {
				id, _ := cmdbID(v)
				if id == 0 {
					return "", nil
				}
				if i := slices.IndexFunc(h.teams, func(t directory.Team) bool { return t.ID == id }); i >= 0 {
					return h.teams[i].Name, nil
				}
				return fmt.Sprintf("team #%d", id), nil
			}
		case "description":
			format = func(v any) (string, error) {
				s := cmdbFormValue(v)
				if r := []rune(s); len(r) > 80 {
					s = string(r[:80]) + "…"
				}
				return s, nil
			}
		}
	case strings.HasPrefix(c.Field, "attributes."):
		key := strings.TrimPrefix(c.Field, "attributes.")
		if a, ok := h.types.attribute(h.typeID, key); ok {
			out.Field = a.Label
			if a.Type == cmdb.AttrReference || a.Type == cmdb.AttrPerson || a.Type == cmdb.AttrBoolean {
				format = func(v any) (string, error) {
					attr, err := h.names.attr(a, v)
					return attr.Text, err
				}
			}
		}
	}
	if out.From, err = format(c.From); err != nil {
		return out, err
	}
	out.To, err = format(c.To)
	return out, err
}

// Relationships.

func (w *Web) cmdbRelate(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ctx := r.Context()
	n, ok := pathID(r, "id")
	if !ok {
		w.notFound(rw, r, id)
		return
	}
	verb, ref := r.PostFormValue("verb"), strings.TrimSpace(r.PostFormValue("ci"))
	var rel cmdb.Relationship
	var err error
	if verb == "" {
		err = errs.Required("kind")
	}
	var other cmdb.CI
	if err == nil {
		other, err = w.cmdbResolve(ctx, ref)
	}
	if err == nil {
		rel, err = w.store.AddRelationship(ctx, id.Actor, n, verb, other.ID)
	}
	if err != nil {
		if errs.Is(err, errs.KindNotFound) {
			w.fail(rw, r, err)
			return
		}
		p := Page{Values: map[string]any{"verb": verb, "ci": ref}}
		status := cmdbFailed(err, "Not related", map[string]string{"kind": "rel_verb", "ci": "rel_ci"}, &p)
		if status == 0 {
			w.fail(rw, r, err)
			return
		}
		w.cmdbRenderPage(rw, r, id, n, p, status)
		return
	}
	redirectWithFlash(rw, r, cmdbURL(n)+"#relationships", fmt.Sprintf("Related: %s %s.", rel.Label, rel.CI.Name))
}

// cmdbResolve finds the CI an agent named: by exact name (letter case
// ignored), by "#id", or by the only CI whose name holds the text or whose
// unique attribute (host name, serial number...) is the text. None or
// several are refused, naming the field "ci".
func (w *Web) cmdbResolve(ctx context.Context, ref string) (cmdb.CI, error) {
	if ref == "" {
		return cmdb.CI{}, errs.Invalid("ci", "type the name of a CI, a unique value of it such as its host name, or its #id")
	}
	if num, ok := strings.CutPrefix(ref, "#"); ok {
		if n, err := strconv.ParseInt(num, 10, 64); err == nil && n > 0 {
			ci, err := w.store.CI(ctx, n)
			if errs.Is(err, errs.KindNotFound) {
				return ci, errs.Invalid("ci", "there is no CI #%d", n)
			}
			return ci, err
		}
	}
	page, err := w.store.CIs(ctx, store.CIFilter{Text: ref, Limit: store.MaxPage})
	if err != nil {
		return cmdb.CI{}, err
	}
	var exact []cmdb.CI
	for _, ci := range page.CIs {
		if strings.EqualFold(ci.Name, ref) {
			exact = append(exact, ci)
		}
	}
	describe := func(list []cmdb.CI) string {
		var parts []string
		for _, ci := range list[:min(len(list), 5)] {
			parts = append(parts, fmt.Sprintf("%s (%s, #%d)", ci.Name, ci.Type, ci.ID))
		}
		s := strings.Join(parts, ", ")
		if len(list) > 5 {
			s += "…"
		}
		return s
	}
	switch {
	case len(exact) == 1:
		return exact[0], nil
	case len(exact) > 1:
		return cmdb.CI{}, errs.Invalid("ci", "%d CIs are named %q: %s; enter the one you mean as #id", len(exact), ref, describe(exact))
	case page.Total == 1:
		return page.CIs[0], nil
	case page.Total == 0:
		return cmdb.CI{}, errs.Invalid("ci", "no CI is named %q or has it as a host name, serial number or other unique value", ref)
	}
	return cmdb.CI{}, errs.Invalid("ci", "%d CIs match %q: %s; enter the full name, or #id", page.Total, ref, describe(page.CIs))
}

func (w *Web) cmdbUnrelate(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ctx := r.Context()
	n, ok1 := pathID(r, "id")
	relID, ok2 := pathID(r, "rel")
	if !ok1 || !ok2 {
		w.notFound(rw, r, id)
		return
	}
	rels, err := w.store.Relationships(ctx, n)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	i := slices.IndexFunc(rels, func(rel cmdb.Relationship) bool { return rel.ID == relID })
	if i < 0 {
		// Removed already, perhaps from the other CI's page.
		redirectWithFlash(rw, r, cmdbURL(n)+"#relationships", "That relationship was removed already.")
		return
	}
	if err := w.store.DeleteRelationship(ctx, id.Actor, n, relID); err != nil {
		w.fail(rw, r, err)
		return
	}
	redirectWithFlash(rw, r, cmdbURL(n)+"#relationships", fmt.Sprintf("Removed: %s %s.", rels[i].Label, rels[i].CI.Name))
}

// Deleting a CI.

type cmdbDeleteView struct {
	CI            cmdb.CI
	Relationships int
	Services      []catalog.Service
	Tickets       []ticket.Ticket
}

func (w *Web) cmdbDeletePage(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	w.cmdbRenderDelete(rw, r, id, Page{}, http.StatusOK)
}

func (w *Web) cmdbRenderDelete(rw http.ResponseWriter, r *http.Request, id auth.Identity, p Page, status int) {
	ctx := r.Context()
	ci, _, ok := w.cmdbLoad(rw, r)
	if !ok {
		return
	}
	v := cmdbDeleteView{CI: ci}
	rels, err := w.store.Relationships(ctx, ci.ID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.Relationships = len(rels)
	if v.Services, err = w.store.CIServices(ctx, ci.ID); err != nil {
		w.fail(rw, r, err)
		return
	}
	if v.Tickets, err = w.store.CITickets(ctx, id.Actor, ci.ID, 5); err != nil {
		w.fail(rw, r, err)
		return
	}
	p.Title, p.Section, p.Identity, p.Data = "Delete "+ci.Name, "agent", id, v
	w.render(rw, r, status, "cmdb_delete", p)
}

// cmdbDelete deletes a CI, as any agent may (the store's rule): its
// relationships and links to services go with it; one that tickets name
// is refused, to be retired instead.
func (w *Web) cmdbDelete(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ctx := r.Context()
	n, ok := pathID(r, "id")
	if !ok {
		w.notFound(rw, r, id)
		return
	}
	ci, err := w.store.CI(ctx, n)
	if err == nil {
		err = w.store.DeleteCI(ctx, id.Actor, n)
	}
	if err != nil {
		var p Page
		status := cmdbFailed(err, "Not deleted", nil, &p)
		if status == 0 {
			w.fail(rw, r, err)
			return
		}
		w.cmdbRenderDelete(rw, r, id, p, status)
		return
	}
	redirectWithFlash(rw, r, "/agent/cmdb", "CI "+ci.Name+" deleted.")
}
