package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
)

// The CMDB's pages in the agent workspace: the list of configuration items,
// a CI's page with its attributes, relationships, services, tickets and
// history, and the forms that create, change and delete CIs. This file has
// the routes, what the pages share and the list; cmdb_form.go has the forms,
// cmdb_ci.go a CI's page.

func (w *Web) cmdbRoutes() {
	agent := func(pattern string, h func(http.ResponseWriter, *http.Request, auth.Identity)) {
		w.mux.Handle(pattern, w.page(directory.RoleAgent, withForm(h)))
	}
	agent("GET /agent/cmdb", w.cmdbList)
	agent("GET /agent/cmdb/new", w.cmdbNew)
	agent("POST /agent/cmdb/new", w.cmdbCreate)
	agent("GET /agent/cmdb/{id}", w.cmdbShow)
	agent("GET /agent/cmdb/{id}/edit", w.cmdbEdit)
	agent("POST /agent/cmdb/{id}/edit", w.cmdbUpdate)
	agent("GET /agent/cmdb/{id}/delete", w.cmdbDeletePage)
	agent("POST /agent/cmdb/{id}/delete", w.cmdbDelete)
	agent("POST /agent/cmdb/{id}/relationships", w.cmdbRelate)
	agent("POST /agent/cmdb/{id}/relationships/{rel}/delete", w.cmdbUnrelate)
}

func cmdbURL(id int64) string { return "/agent/cmdb/" + strconv.FormatInt(id, 10) }

// cmdbTypes is every CI type by id, for names, ancestry and schemas.
type cmdbTypes struct {
	list []cmdb.CIType // by name, as the store lists them
	byID map[int64]cmdb.CIType
}

func (w *Web) cmdbTypes(ctx context.Context) (cmdbTypes, error) {
	list, err := w.store.CITypes(ctx)
	if err != nil {
		return cmdbTypes{}, err
	}
	ts := cmdbTypes{list: list, byID: make(map[int64]cmdb.CIType, len(list))}
	for _, t := range list {
		ts.byID[t.ID] = t
	}
	return ts, nil
}

// lookup finds a type by key, or by id.
func (ts cmdbTypes) lookup(ref string) (cmdb.CIType, bool) {
	ref = strings.TrimSpace(ref)
	for _, t := range ts.list {
		if t.Key == ref {
			return t, true
		}
	}
	if n, err := strconv.ParseInt(ref, 10, 64); err == nil {
		t, ok := ts.byID[n]
		return t, ok
	}
	return cmdb.CIType{}, false
}

// ancestry names a type and its ancestors, the type first: "Linux server ›
// Server › Hardware".
func (ts cmdbTypes) ancestry(id int64) string {
	var names []string
	for steps := 0; id != 0 && steps <= len(ts.list); steps++ {
		t, ok := ts.byID[id]
		if !ok {
			break
		}
		names = append(names, t.Name)
		id = t.ParentID
	}
	return strings.Join(names, " › ")
}

// cmdbOption is an option of a select.
type cmdbOption struct {
	Value, Label string
	Selected     bool
}

// options lists the types as a tree for a select: each root by name, its
// subtypes beneath it, indented. The value is the type's key.
func (ts cmdbTypes) options(selected int64) []cmdbOption {
	children := map[int64][]cmdb.CIType{}
	for _, t := range ts.list {
		parent := t.ParentID
		if _, ok := ts.byID[parent]; !ok {
			parent = 0
		}
		children[parent] = append(children[parent], t)
	}
	var out []cmdbOption
	var walk func(parent int64, depth int)
	walk = func(parent int64, depth int) {
		if depth > len(ts.list) {
			return
		}
		for _, t := range children[parent] {
			label := t.Name
			if depth > 0 {
				// Non-breaking spaces: a select collapses ordinary ones.
				label = strings.Repeat("\u00a0\u00a0\u00a0", depth) + "└ " + t.Name
			}
			out = append(out, cmdbOption{Value: t.Key, Label: label, Selected: t.ID == selected})
			walk(t.ID, depth+1)
		}
	}
	walk(0, 0)
	return out
}

// attribute finds the label and type of an attribute key, in the schema of
// type id first and then in any type's, for history entries of attributes
// a CI's type no longer has.
func (ts cmdbTypes) attribute(typeID int64, key string) (cmdb.SchemaAttribute, bool) {
	if t, ok := ts.byID[typeID]; ok {
		for _, a := range t.Schema {
			if a.Key == key {
				return a, true
			}
		}
	}
	for _, t := range ts.list {
		for _, a := range t.Attributes {
			if a.Key == key {
				return cmdb.SchemaAttribute{Attribute: a, DefinedBy: t.Key}, true
			}
		}
	}
	return cmdb.SchemaAttribute{}, false
}

func cmdbStatusOptions(selected string, blank string) []cmdbOption {
	var out []cmdbOption
	if blank != "" {
		out = append(out, cmdbOption{Label: blank})
	}
	for _, s := range cmdb.Statuses {
		out = append(out, cmdbOption{Value: string(s), Label: upperFirst(string(s)), Selected: string(s) == selected})
	}
	return out
}

func cmdbCriticalityOptions(selected string, blank string) []cmdbOption {
	var out []cmdbOption
	if blank != "" {
		out = append(out, cmdbOption{Label: blank})
	}
	for _, c := range cmdb.Criticalities {
		out = append(out, cmdbOption{Value: string(c), Label: upperFirst(string(c)), Selected: string(c) == selected})
	}
	return out
}

func cmdbTeamOptions(teams []directory.Team, selected int64, blank string) []cmdbOption {
	out := []cmdbOption{{Label: blank}}
	for _, t := range teams {
		out = append(out, cmdbOption{Value: strconv.FormatInt(t.ID, 10), Label: t.Name, Selected: t.ID == selected})
	}
	return out
}

// The list of CIs.

const cmdbPageSize = 50

// cmdbColumns are the list's columns. A column sorts when the store can
// order by its key (store.CISortFields).
var cmdbColumns = []struct {
	Key, Label, Class string
	Asc               bool // the first click sorts ascending
}{
	{"name", "Name", "col-summary", true},
	{"type", "Type", "col-type", true},
	{"status", "Status", "col-status", true},
	{"criticality", "Criticality", "col-priority", false},
	{"owner_team", "Owner team", "col-team opt", true},
	{"updated", "Updated", "col-updated", false},
}

// cmdbOrdered tells a query with its own order.
var cmdbOrdered = regexp.MustCompile(`(?i)\bORDER\s+BY\b`)

// cmdbListState is what the list's URL says: query, filters, order, page.
type cmdbListState struct {
	query, text         string
	typeKey, status     string
	criticality, teamID string
	sort, order         string // empty for the default, by name
	page                int
}

func (s cmdbListState) url() string {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("q", s.query)
	set("type", s.typeKey)
	set("status", s.status)
	set("criticality", s.criticality)
	set("team", s.teamID)
	set("text", s.text)
	if s.sort != "" {
		set("sort", s.sort)
		set("order", s.order)
	}
	if s.page > 1 {
		q.Set("page", strconv.Itoa(s.page))
	}
	if len(q) == 0 {
		return "/agent/cmdb"
	}
	return "/agent/cmdb?" + q.Encode()
}

// cmdbRow is a CI of the list with its type's ancestry.
type cmdbRow struct {
	cmdb.CI
	Ancestry string
}

type cmdbListView struct {
	Query, Text      string
	QueryError       string
	Filtered         bool // a filter or query narrows the list
	Types            []cmdbOption
	Statuses         []cmdbOption
	Criticalities    []cmdbOption
	Teams            []cmdbOption
	Sort, Order      string
	Columns          []agentColumn
	Rows             []cmdbRow
	Range            string
	PrevURL, NextURL string
}

func (w *Web) cmdbList(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ctx := r.Context()
	in := r.URL.Query()
	st := cmdbListState{query: strings.TrimSpace(in.Get("q")), text: strings.TrimSpace(in.Get("text")),
		typeKey: in.Get("type"), status: in.Get("status"), criticality: in.Get("criticality"), teamID: in.Get("team"),
		sort: in.Get("sort"), order: in.Get("order")}
	if _, ok := store.CISortFields[st.sort]; !ok {
		st.sort, st.order = "", ""
	}
	if st.sort != "" && st.order != "desc" {
		st.order = "asc"
	}
	st.page, _ = strconv.Atoi(in.Get("page"))
	st.page = max(st.page, 1)
	if len(st.query) > 2000 {
		st.query = st.query[:2000]
	}

	types, err := w.cmdbTypes(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	teams, err := w.store.Teams(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	f := store.CIFilter{Query: st.query, Text: st.text, Sort: st.sort, Descending: st.order == "desc",
		Limit: cmdbPageSize, Offset: (st.page - 1) * cmdbPageSize}
	p := Page{Title: "CMDB", Section: "agent", Identity: id}
	status := http.StatusOK
	// A filter the page did not offer (an old link, a deleted type) is
	// reported, not silently dropped.
	refuse := func(msg string) {
		p.Error, status = msg, http.StatusUnprocessableEntity
	}
	var typeID int64
	if st.typeKey != "" {
		if t, ok := types.lookup(st.typeKey); ok {
			typeID, f.TypeID = t.ID, t.ID
		} else {
			refuse(fmt.Sprintf("There is no CI type %q.", st.typeKey))
		}
	}
	if st.status != "" {
		if s := cmdb.Status(st.status); s.Valid() {
			f.Statuses = []cmdb.Status{s}
		} else {
			refuse(fmt.Sprintf("%q is not a CI status.", st.status))
		}
	}
	if st.criticality != "" {
		if c := cmdb.Criticality(st.criticality); c.Valid() {
			f.Criticalities = []cmdb.Criticality{c}
		} else {
			refuse(fmt.Sprintf("%q is not a criticality.", st.criticality))
		}
	}
	var teamID int64
	if st.teamID != "" {
		n, err := strconv.ParseInt(st.teamID, 10, 64)
		if err != nil || !slices.ContainsFunc(teams, func(t directory.Team) bool { return t.ID == n }) {
			refuse(fmt.Sprintf("There is no team %q.", st.teamID))
		} else {
			teamID, f.OwnerTeamID = n, n
		}
	}
	v := cmdbListView{
		Query: st.query, Text: st.text, Sort: st.sort, Order: st.order,
		Filtered:      st.query != "" || st.text != "" || st.typeKey != "" || st.status != "" || st.criticality != "" || st.teamID != "",
		Types:         types.options(typeID),
		Statuses:      cmdbStatusOptions(st.status, "Any status"),
		Criticalities: cmdbCriticalityOptions(st.criticality, "Any criticality"),
		Teams:         cmdbTeamOptions(teams, teamID, "Any team"),
	}

	var list store.CIPage
	if p.Error == "" {
		list, err = w.store.CIs(ctx, f)
		if e, ok := errs.As(err); ok && e.Kind == errs.KindInvalid {
			if e.Field == "q" {
				v.QueryError = upperFirst(e.Message)
			} else {
				p.Error = humanMessage(e)
			}
			status, err = http.StatusUnprocessableEntity, nil
		}
		if err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	for _, ci := range list.CIs {
		v.Rows = append(v.Rows, cmdbRow{CI: ci, Ancestry: types.ancestry(ci.TypeID)})
	}

	// Unless a column is clicked, the list is by name or by the query's
	// own ORDER BY, which no column mark stands for.
	effSort, effDesc := "name", false
	switch {
	case st.sort != "":
		effSort, effDesc = st.sort, st.order == "desc"
	case cmdbOrdered.MatchString(st.query):
		effSort = ""
	}
	for _, c := range cmdbColumns {
		col := agentColumn{Key: c.Key, Label: c.Label, Class: c.Class}
		if _, ok := store.CISortFields[c.Key]; ok {
			next := st
			next.sort, next.order, next.page = c.Key, "desc", 1
			if c.Asc {
				next.order = "asc"
			}
			if c.Key == effSort {
				col.AriaSort, col.Mark, next.order = "ascending", "▲", "desc"
				if effDesc {
					col.AriaSort, col.Mark, next.order = "descending", "▼", "asc"
				}
			}
			col.URL = next.url()
		}
		v.Columns = append(v.Columns, col)
	}
	switch {
	case list.Total == 0:
		v.Range = "No CIs"
	case len(list.CIs) == 0:
		v.Range = "Nothing on this page, of " + agentThousands(list.Total)
	default:
		v.Range = fmt.Sprintf("%s-%s of %s", agentThousands(list.Offset+1), agentThousands(list.Offset+len(list.CIs)), agentThousands(list.Total))
	}
	if st.page > 1 {
		prev := st
		prev.page = min(st.page-1, max(1, (list.Total+cmdbPageSize-1)/cmdbPageSize))
		v.PrevURL = prev.url()
	}
	if list.Offset+len(list.CIs) < list.Total {
		next := st
		next.page++
		v.NextURL = next.url()
	}
	p.Data = v
	w.render(rw, r, status, "cmdb_list", p)
}

// cmdbFailed puts a refused command on page p: its message next to the field
// when the page shows that field (fields maps the store's field names to
// the page's), else for the whole page after what (such as "Not saved").
// It gives the status to answer with, or 0 when the error is no form's
// fault.
func cmdbFailed(err error, what string, fields map[string]string, p *Page) int {
	e, ok := errs.As(err)
	if !ok {
		return 0
	}
	var status int
	switch e.Kind {
	case errs.KindInvalid:
		status = http.StatusUnprocessableEntity
	case errs.KindConflict:
		status = http.StatusConflict
	default:
		return 0
	}
	if key, ok := fields[e.Field]; ok && e.Field != "" {
		if p.Errors == nil {
			p.Errors = map[string]string{}
		}
		p.Errors[key] = humanMessage(e)
		p.Error = what + ": please correct the marked field."
		return status
	}
	p.Error = what + ": " + incidentMessage(e)
	return status
}
