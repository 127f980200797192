package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// Impact analysis in the workspace: what fails with a CI (upstream) or
// what it needs (downstream), as a graph drawn on the server and a table
// of every item with the path that explains it; the same for the CIs a
// ticket names; and the ticket page's panel that links CIs to a ticket.

func (w *Web) impactRoutes() {
	agent := func(pattern string, h func(http.ResponseWriter, *http.Request, auth.Identity)) {
		w.mux.HandleFunc(pattern, w.page(directory.RoleAgent, h))
	}
	agent("GET /agent/cmdb/{id}/impact", w.impactCIPage)
	agent("GET /agent/tickets/{key}/impact", w.impactTicketPage)
	agent("POST /agent/tickets/{key}/cis", w.impactLinkCI)
	agent("POST /agent/tickets/{key}/cis/{id}/delete", w.impactUnlinkCI)
}

func impactCIURL(id int64) string { return "/agent/cmdb/" + strconv.FormatInt(id, 10) }

// impactLinks gives the pages the graph and table link to: every CI's, and
// a service's admin page for admins.
func impactLinks(viewer directory.Actor) impactLinker {
	return func(kind string, id int64) string {
		switch {
		case kind == cmdb.ItemCI:
			return impactCIURL(id)
		case kind == cmdb.ItemService && viewer.Role == directory.RoleAdmin:
			return "/admin/services/" + strconv.FormatInt(id, 10)
		}
		return ""
	}
}

// impactDepths are the limits the page offers, besides all; any from 1 to
// cmdb.MaxDepth is accepted.
var impactDepths = []int{1, 2, 3, 5}

// impactDepth reads a depth limit: "all" (or nothing) for none, else a
// number of steps between CIs.
func impactDepth(s string) (int, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || s == "all" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > cmdb.MaxDepth {
		return 0, errs.Invalid("depth", "must be a number of steps from 1 to %d, or all", cmdb.MaxDepth)
	}
	return n, nil
}

func impactDepthValue(depth int) string {
	if depth == 0 {
		return "all"
	}
	return strconv.Itoa(depth)
}

type impactChoice struct {
	Label, URL string
	Current    bool
}

type impactPathStep struct{ Verb, Name, Href string }

// impactRow is one line of the table, or a CI named by a ticket.
type impactRow struct {
	Kind  string
	ID    int64
	Name  string
	Href  string
	Sub   string // type and criticality, or the service's status
	Depth int
	Path  []impactPathStep
}

type impactGroup struct {
	ID, Title string
	Rows      []impactRow
}

// impactPageView is the impact page, for one CI or for a ticket's CIs.
type impactPageView struct {
	Heading    string
	CI         *cmdb.CI // the CI page's start
	Ticket     *ticket.Ticket
	TicketURL  string
	Starts     []impactRow // a ticket's CIs
	Action     string      // this page, for the controls
	Directions []impactChoice
	Direction  string
	Depths     []agentOption
	Analysed   bool
	Counts     string // "3 CIs, 1 service, 1 organization"
	Listed     string // "showing the nearest 1000 of 4000 CIs" when the list is cut
	Nothing    string // said instead of the graph when nothing is reached
	Graph      impactGraph
	GraphTitle string
	GraphDesc  string
	GraphNote  string
	Groups     []impactGroup
}

// impactControls fills the direction toggle and the depth select.
func (v *impactPageView) impactControls(dir cmdb.Direction, depth int, withDirection bool) {
	v.Direction = string(dir)
	current := impactDepthValue(depth)
	depths := slices.Clone(impactDepths)
	if depth > 0 && !slices.Contains(depths, depth) {
		// A depth typed into the address stays selected.
		depths = append(depths, depth)
		slices.Sort(depths)
	}
	for _, d := range depths {
		v.Depths = append(v.Depths, agentOption{Value: strconv.Itoa(d), Label: plural(d, "step"), Selected: d == depth})
	}
	v.Depths = append(v.Depths, agentOption{Value: "all", Label: "All", Selected: depth == 0})
	if !withDirection {
		return
	}
	for _, d := range []cmdb.Direction{cmdb.Upstream, cmdb.Downstream} {
		label := "Upstream: what depends on it"
		if d == cmdb.Downstream {
			label = "Downstream: what it depends on"
		}
		u := v.Action + "?direction=" + string(d) + "&depth=" + url.QueryEscape(current)
		v.Directions = append(v.Directions, impactChoice{Label: label, URL: u, Current: d == dir})
	}
}

func (w *Web) impactCIPage(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ciID, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		w.notFound(rw, r, id)
		return
	}
	ci, err := w.store.CI(r.Context(), ciID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	q := r.URL.Query()
	v := impactPageView{Heading: "Impact of " + ci.Name, CI: &ci, Action: impactCIURL(ci.ID) + "/impact"}
	p := Page{Title: "Impact of " + ci.Name, Section: "agent", Identity: id, Data: &v}
	dir, dirErr := cmdb.ParseDirection(q.Get("direction"))
	depth, depthErr := impactDepth(q.Get("depth"))
	if dirErr != nil {
		dir = cmdb.Upstream
	}
	v.impactControls(dir, depth, true)
	if msg := impactRefused(dirErr, depthErr); msg != "" {
		p.Error = msg
		w.render(rw, r, http.StatusUnprocessableEntity, "impact_page", p)
		return
	}
	imp, err := w.store.Impact(r.Context(), store.ImpactQuery{CIIDs: []int64{ci.ID}, Direction: dir, Depth: depth})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.impactAnalysis(imp, ci.Name, id.Actor)
	w.render(rw, r, http.StatusOK, "impact_page", p)
}

func (w *Web) impactTicketPage(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	t, err := w.store.Ticket(r.Context(), id.Actor, r.PathValue("key"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := impactPageView{Ticket: &t, TicketURL: agentTicketURL(t.Key), Action: agentTicketURL(t.Key) + "/impact"}
	v.Heading = "What " + t.Key + " affects"
	if t.Type == ticket.TypeChange {
		v.Heading = "Blast radius of " + t.Key
	}
	p := Page{Title: v.Heading, Section: "agent", Identity: id, Data: &v}
	// A ticket's impact is always upstream: what fails with its CIs.
	depth, depthErr := impactDepth(r.URL.Query().Get("depth"))
	v.impactControls(cmdb.Upstream, depth, false)
	if msg := impactRefused(depthErr); msg != "" {
		p.Error = msg
		w.render(rw, r, http.StatusUnprocessableEntity, "impact_page", p)
		return
	}
	ti, err := w.store.TicketImpact(r.Context(), id.Actor, t.Key, depth)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	link := impactLinks(id.Actor)
	var names []string
	for _, c := range ti.CIs {
		v.Starts = append(v.Starts, impactRow{Kind: cmdb.ItemCI, ID: c.ID, Name: c.Name, Href: link(cmdb.ItemCI, c.ID),
			Sub: impactSub(cmdb.ItemCI, c.Type, c.Criticality)})
		names = append(names, c.Name)
	}
	if len(ti.CIs) == 0 {
		v.Analysed = true
		v.Nothing = t.Key + " names no CIs yet: link them in the ticket's Configuration items panel."
		w.render(rw, r, http.StatusOK, "impact_page", p)
		return
	}
	v.impactAnalysis(ti.Impact, impactList(names, 3), id.Actor)
	w.render(rw, r, http.StatusOK, "impact_page", p)
}

// impactRefused turns refused parameters into one message for the page.
func impactRefused(refused ...error) string {
	var msgs []string
	for _, err := range refused {
		if e, ok := errs.As(err); ok {
			msgs = append(msgs, agentFieldMessage(e))
		}
	}
	return strings.Join(msgs, " ")
}

// impactAnalysis fills the counts, graph and table of an analysis from
// the CIs called from.
func (v *impactPageView) impactAnalysis(imp cmdb.Impact, from string, viewer directory.Actor) {
	v.Analysed = true
	up := imp.Direction != cmdb.Downstream
	v.Counts = plural(imp.TotalCIs, "CI")
	if up {
		v.Counts += ", " + plural(len(imp.Services), "service") + ", " + plural(len(imp.Organizations), "organization")
	}
	if imp.Truncated {
		v.Listed = fmt.Sprintf("showing the nearest %d of %d CIs", len(imp.CIs), imp.TotalCIs)
	}
	if imp.TotalCIs == 0 && len(imp.Services) == 0 {
		v.Nothing = "Nothing depends on " + from
		if !up {
			v.Nothing = from + " depends on nothing"
		}
		if imp.Depth > 0 {
			v.Nothing += fmt.Sprintf(" within %s", plural(imp.Depth, "step"))
		}
		v.Nothing += "."
		return
	}
	link := impactLinks(viewer)
	v.Graph = layoutImpact(imp, impactGraphCap, link)
	way := "upstream: what fails with it"
	if !up {
		way = "downstream: what it needs to work"
	}
	v.GraphTitle = "Impact graph of " + from
	v.GraphDesc = fmt.Sprintf("From %s %s. %s, each joined to the item before it on its path. The table below lists every item with its path.", from, way, v.Counts)
	if v.Graph.Capped() {
		v.GraphNote = fmt.Sprintf("The graph shows the nearest %d of %d; the table lists them all.", v.Graph.Drawn, v.Graph.Total)
	}
	row := func(it cmdb.ImpactItem) impactRow {
		out := impactRow{Kind: it.Kind, ID: it.ID, Name: it.Name, Href: link(it.Kind, it.ID), Depth: it.Depth,
			Sub: impactSub(it.Kind, it.Type, it.Criticality)}
		if it.Kind == cmdb.ItemService && it.Status != "" {
			out.Sub += " · " + it.Status
		}
		for _, s := range it.Path {
			out.Path = append(out.Path, impactPathStep{Verb: s.Label, Name: s.Name, Href: link(s.Kind, s.ID)})
		}
		return out
	}
	group := func(id, title string, items []cmdb.ImpactItem) {
		g := impactGroup{ID: id, Title: title}
		for _, it := range items {
			g.Rows = append(g.Rows, row(it))
		}
		v.Groups = append(v.Groups, g)
	}
	group("impact-cis", "CIs", imp.CIs)
	if up {
		group("impact-services", "Services", imp.Services)
		group("impact-organizations", "Organizations", imp.Organizations)
	}
}

// impactList names a few things: "a, b, c and 4 more".
func impactList(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:n], ", ") + fmt.Sprintf(" and %d more", len(names)-n)
}

// The ticket page's Configuration items panel.

// impactPanelView is the panel: the CIs the ticket names, and what they
// affect (a change: its blast radius).
type impactPanelView struct {
	Key         string
	CIs         []impactRow
	BlastRadius bool
	Summary     string
	ImpactURL   string
}

// impactPanel reads the panel of a ticket's page; nil for customers.
func (w *Web) impactPanel(ctx context.Context, actor directory.Actor, t ticket.Ticket) (*impactPanelView, error) {
	if !actor.Role.Staff() {
		return nil, nil
	}
	ti, err := w.store.TicketImpact(ctx, actor, t.Key, 0)
	if err != nil {
		return nil, fmt.Errorf("impact of %s: %w", t.Key, err)
	}
	v := &impactPanelView{Key: t.Key, BlastRadius: ti.Scope == store.ScopeBlastRadius, ImpactURL: agentTicketURL(t.Key) + "/impact"}
	for _, c := range ti.CIs {
		v.CIs = append(v.CIs, impactRow{Kind: cmdb.ItemCI, ID: c.ID, Name: c.Name, Href: impactCIURL(c.ID), Sub: impactSub(cmdb.ItemCI, c.Type, c.Criticality)})
	}
	if len(ti.CIs) == 0 {
		return v, nil
	}
	imp := ti.Impact
	if v.BlastRadius {
		v.Summary = fmt.Sprintf("Blast radius: %s, %s, %s", plural(imp.TotalCIs, "CI"), plural(len(imp.Services), "service"), plural(len(imp.Organizations), "organization"))
		return v, nil
	}
	named := func(items []cmdb.ImpactItem, unit string) string {
		s := plural(len(items), unit)
		if len(items) == 0 {
			return s
		}
		names := make([]string, len(items))
		for i, it := range items {
			names[i] = it.Name
		}
		return s + " (" + impactList(names, 5) + ")"
	}
	v.Summary = "Affected: " + named(imp.Services, "service") + ", " + named(imp.Organizations, "customer organization")
	return v, nil
}

func (w *Web) impactLinkCI(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	key, typed := r.PathValue("key"), r.PostFormValue("ci")
	ci, err := w.cmdbResolve(r.Context(), strings.TrimSpace(typed))
	var ref cmdb.CIRef
	if err == nil {
		ref, err = w.store.LinkTicketCI(r.Context(), id.Actor, key, ci.ID)
	}
	if err != nil {
		w.agentFormFailed(rw, r, id, key, err, agentTicketForm{name: "cis", values: map[string]any{"ci": typed}})
		return
	}
	redirectWithFlash(rw, r, agentTicketURL(key)+"#cis", "Linked CI "+ref.Name+".")
}

func (w *Web) impactUnlinkCI(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	key := r.PathValue("key")
	ciID, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		w.notFound(rw, r, id)
		return
	}
	linked, err := w.store.TicketCIs(r.Context(), id.Actor, key)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	name := ""
	for _, c := range linked {
		if c.ID == ciID {
			name = c.Name
		}
	}
	if name == "" {
		// Already gone, perhaps unlinked in another tab.
		redirectWithFlash(rw, r, agentTicketURL(key)+"#cis", "That CI is not linked to "+strings.ToUpper(key)+".")
		return
	}
	if err := w.store.UnlinkTicketCI(r.Context(), id.Actor, key, ciID); err != nil {
		w.fail(rw, r, err)
		return
	}
	redirectWithFlash(rw, r, agentTicketURL(key)+"#cis", "Unlinked CI "+name+".")
}
