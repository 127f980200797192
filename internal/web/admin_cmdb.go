package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
)

// adminCMDBRoutes registers the admin pages of the CMDB: the CI types with
// their attribute schema, the import of CIs from files, and the parts of the
// service page that say which CIs a service is built on and which customer
// organizations use it.
func (w *Web) adminCMDBRoutes() {
	imp := &cmdbImporter{Web: w, uploads: newImportUploads(importUploadTTL, importUploadsMax)}
	admin := func(pattern string, h func(rw http.ResponseWriter, r *http.Request, id auth.Identity)) {
		w.mux.Handle(pattern, w.page(directory.RoleAdmin, withForm(h)))
	}
	admin("GET /admin/ci-types", w.adminCITypes)
	admin("POST /admin/ci-types", w.adminCITypeCreate)
	admin("GET /admin/ci-types/{id}", w.adminCIType)
	admin("POST /admin/ci-types/{id}", w.adminCITypeUpdate)

	admin("GET /admin/cmdb/import", imp.importPage)
	admin("POST /admin/cmdb/import", imp.importPost)
	admin("POST /admin/cmdb/import/confirm", imp.importConfirm)

	admin("POST /admin/services/{id}/cis", w.adminServiceCILink)
	admin("POST /admin/services/{id}/cis/remove", w.adminServiceCIUnlink)
	admin("POST /admin/services/{id}/organizations", w.adminServiceOrganizations)
}

var attrTypes = []option{
	{string(cmdb.AttrText), "Text"},
	{string(cmdb.AttrNumber), "Number"},
	{string(cmdb.AttrDate), "Date"},
	{string(cmdb.AttrBoolean), "Yes / no"},
	{string(cmdb.AttrSelect), "Select (one option)"},
	{string(cmdb.AttrReference), "Reference to a CI"},
	{string(cmdb.AttrPerson), "Person"},
	{string(cmdb.AttrURL), "URL"},
	{string(cmdb.AttrIP), "IP address"},
}

func ciTypePath(id int64) string { return "/admin/ci-types/" + strconv.FormatInt(id, 10) }

// --- The type hierarchy -------------------------------------------------------

// ciTypeNode is one type of the tree, with its subtypes.
type ciTypeNode struct {
	cmdb.CIType
	Own, Inherited int // attributes
	CIs, AllCIs    int // CIs of this very type; with those of its subtypes
	Children       []ciTypeNode
}

// Summary says what the type holds: "2 own attributes, 9 inherited · 3 CIs (5 with subtypes)".
func (n ciTypeNode) Summary() string {
	s := plural(n.Own, "own attribute")
	if n.Inherited > 0 {
		s += ", " + strconv.Itoa(n.Inherited) + " inherited"
	}
	s += " · " + plural(n.CIs, "CI")
	if n.AllCIs != n.CIs {
		s += " (" + strconv.Itoa(n.AllCIs) + " with subtypes)"
	}
	return s
}

// ciTypeList is the data of the CI types page: the tree and the form that
// creates a type.
type ciTypeList struct {
	Roots   []ciTypeNode
	Parents []option
}

func (w *Web) adminCITypes(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	w.renderCITypes(rw, r, id, http.StatusOK, map[string]any{}, nil)
}

func (w *Web) renderCITypes(rw http.ResponseWriter, r *http.Request, id auth.Identity, status int, values map[string]any, fail *formFailure) {
	ctx := r.Context()
	types, err := w.store.CITypes(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	// Types are tens, so a count per type is cheap; a count includes the
	// subtypes, and a type's own CIs are what its subtypes do not hold.
	all := make(map[int64]int, len(types))
	for _, t := range types {
		page, err := w.store.CIs(ctx, store.CIFilter{TypeID: t.ID, Limit: 1})
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		all[t.ID] = page.Total
	}
	children := map[int64][]cmdb.CIType{}
	for _, t := range types {
		children[t.ParentID] = append(children[t.ParentID], t)
	}
	var grow func(parent int64, depth int) []ciTypeNode
	grow = func(parent int64, depth int) []ciTypeNode {
		var out []ciTypeNode
		if depth > len(types) {
			return out // the store refuses cycles; this only guards the recursion
		}
		for _, t := range children[parent] {
			n := ciTypeNode{CIType: t, Own: len(t.Attributes), Inherited: len(t.Schema) - len(t.Attributes), AllCIs: all[t.ID]}
			n.Children = grow(t.ID, depth+1)
			n.CIs = n.AllCIs
			for _, c := range n.Children {
				n.CIs -= c.AllCIs
			}
			out = append(out, n)
		}
		return out
	}
	data := ciTypeList{Roots: grow(0, 0)}
	for _, t := range types {
		data.Parents = append(data.Parents, option{strconv.FormatInt(t.ID, 10), t.Name})
	}
	p := adminPage(id, "CI types", data)
	p.Values = values
	if fail != nil {
		fail.apply(&p)
	}
	w.render(rw, r, status, "admin_ci_types", p)
}

func (w *Web) adminCITypeCreate(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	values := map[string]any{
		"name": r.PostFormValue("name"), "key": r.PostFormValue("key"),
		"parent": r.PostFormValue("parent"), "description": r.PostFormValue("description"),
	}
	parent, err := formID(r.PostFormValue("parent"))
	if err != nil {
		f := invalid("parent", "Choose a type from the list.")
		w.renderCITypes(rw, r, id, f.Status, values, &f)
		return
	}
	t, err := w.store.CreateCIType(r.Context(), id.Actor, cmdb.CIType{
		Name: r.PostFormValue("name"), Key: strings.TrimSpace(r.PostFormValue("key")), ParentID: parent,
		Description: strings.TrimSpace(r.PostFormValue("description")),
	})
	if err != nil {
		f, ok := asFormFailure(err, "name", "key", "parent", "description")
		if !ok {
			w.fail(rw, r, err)
			return
		}
		w.renderCITypes(rw, r, id, f.Status, values, &f)
		return
	}
	redirectWithFlash(rw, r, ciTypePath(t.ID), "CI type "+t.Name+" created. Now give it its attributes.")
}

// --- One type and its attributes -----------------------------------------------

// attrRow is one row of a type's attribute list as the form shows it. Path
// is the prefix of its posted names and of its error keys ("attributes[2].").
type attrRow struct {
	Path                               string
	Key, Label, Type, Options, RefType string
	Help                               string
	Required, Unique, Remove           bool
	New                                bool // the empty row that adds an attribute
	First, Last                        bool // no move up, no move down
	Invalid                            bool // one of its fields has an error
	Index                              int
}

// inheritedAttr is an attribute a type has from an ancestor.
type inheritedAttr struct {
	cmdb.SchemaAttribute
	TypeLabel string
	FromID    int64
	From      string
}

// ciTypeView is the data of a type's page.
type ciTypeView struct {
	Type      cmdb.CIType // as stored
	Parents   []option    // the types it may extend: not itself nor its subtypes
	RefTypes  []option    // the types a reference may point to, by key
	AttrTypes []option
	Inherited []inheritedAttr
	Rows      []attrRow
	Subtypes  []cmdb.CIType
	CIs       int // CIs of the type and its subtypes
}

func (w *Web) loadCIType(rw http.ResponseWriter, r *http.Request, id auth.Identity) (cmdb.CIType, bool) {
	tid, ok := pathID(r, "id")
	if !ok {
		w.notFound(rw, r, id)
		return cmdb.CIType{}, false
	}
	t, err := w.store.CIType(r.Context(), strconv.FormatInt(tid, 10))
	if err != nil {
		w.fail(rw, r, err)
		return t, false
	}
	return t, true
}

func (w *Web) adminCIType(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	t, ok := w.loadCIType(rw, r, id)
	if !ok {
		return
	}
	values := map[string]any{"name": t.Name, "description": t.Description, "parent": idString(t.ParentID)}
	w.renderCIType(rw, r, id, http.StatusOK, t, values, storedRows(t), nil)
}

// storedRows gives the rows of a type's own attributes as saved.
func storedRows(t cmdb.CIType) []attrRow {
	rows := make([]attrRow, 0, len(t.Attributes)+1)
	for _, a := range t.Attributes {
		rows = append(rows, attrRow{Key: a.Key, Label: a.Label, Type: string(a.Type), Options: strings.Join(a.Options, "\n"),
			RefType: a.RefType, Help: a.Help, Required: a.Required, Unique: a.Unique})
	}
	return rows
}

// renderCIType shows a type's page: stored is the type as saved; values
// and rows what the form shows (what was posted, after a refusal).
func (w *Web) renderCIType(rw http.ResponseWriter, r *http.Request, id auth.Identity, status int,
	stored cmdb.CIType, values map[string]any, rows []attrRow, fail *formFailure) {
	ctx := r.Context()
	types, err := w.store.CITypes(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	ts, err := cmdb.NewTypeSet(types)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	page, err := w.store.CIs(ctx, store.CIFilter{TypeID: stored.ID, Limit: 1})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := ciTypeView{Type: stored, AttrTypes: attrTypes, CIs: page.Total}
	subtree := ts.Subtree(stored.ID)
	for _, t := range types {
		if !slices.Contains(subtree, t.ID) {
			v.Parents = append(v.Parents, option{strconv.FormatInt(t.ID, 10), t.Name})
		}
		if t.ParentID == stored.ID {
			v.Subtypes = append(v.Subtypes, t)
		}
		v.RefTypes = append(v.RefTypes, option{t.Key, t.Name})
	}
	for _, a := range stored.Schema {
		if a.DefinedBy == stored.Key {
			continue
		}
		from, _ := ts.Lookup(a.DefinedBy)
		v.Inherited = append(v.Inherited, inheritedAttr{SchemaAttribute: a, TypeLabel: label(attrTypes, string(a.Type)), FromID: from.ID, From: from.Name})
	}
	// The form always ends with an empty row that adds an attribute.
	if len(rows) == 0 || !rows[len(rows)-1].New {
		rows = append(rows, attrRow{New: true, Type: string(cmdb.AttrText)})
	}
	last := len(rows) - 2 // the last row that is not the new one
	for i := range rows {
		rows[i].Index = i
		rows[i].Path = "attributes[" + strconv.Itoa(i) + "]."
		rows[i].First, rows[i].Last = i == 0, i >= last
		if fail != nil {
			for k := range fail.Errors {
				rows[i].Invalid = rows[i].Invalid || strings.HasPrefix(k, rows[i].Path)
			}
		}
	}
	v.Rows = rows
	p := adminPage(id, "CI type "+stored.Name, v)
	p.Values = values
	if fail != nil {
		fail.apply(&p)
	}
	w.render(rw, r, status, "admin_ci_type", p)
}

// maxAttrRows bounds the rows a posted attribute list may have: the store
// takes 100 attributes, plus the empty row.
const maxAttrRows = 101

// attrRowsFromForm reads the posted attribute list, in the posted order.
// An empty key is made from the label, as the store makes a type's key
// from its name. A missing or odd row count refuses the post rather than
// take it for an empty list, which would remove every attribute.
func attrRowsFromForm(r *http.Request) ([]attrRow, *formFailure) {
	n, err := strconv.Atoi(r.PostFormValue("rows"))
	if err != nil || n < 0 || n > maxAttrRows {
		f := formFailure{Status: http.StatusUnprocessableEntity, Error: "Not saved: the attribute list did not come through whole. Reload the page and try again."}
		return nil, &f
	}
	rows := make([]attrRow, 0, n)
	for i := range n {
		at := "attributes[" + strconv.Itoa(i) + "]."
		get := func(k string) string { return strings.TrimSpace(r.PostFormValue(at + k)) }
		row := attrRow{
			Key: get("key"), Label: get("label"), Type: get("type"), Options: r.PostFormValue(at + "options"),
			RefType: get("ref_type"), Help: get("help"), Required: get("required") != "", Unique: get("unique") != "",
			Remove: get("remove") != "", New: get("new") != "",
		}
		if row.New && row.Key == "" && row.Label == "" {
			continue // the empty row, left empty
		}
		if row.Key == "" && row.Label != "" {
			row.Key = cmdb.Slug(row.Label)
		}
		row.New = false
		rows = append(rows, row)
	}
	return rows, nil
}

// moveRow applies a "move" button ("3:up", "3:down") to the rows. It
// reports the label of the moved attribute, or "" when there was no move.
func moveRow(rows []attrRow, move string) string {
	at, dir, ok := strings.Cut(move, ":")
	i, err := strconv.Atoi(at)
	if !ok || err != nil || i < 0 || i >= len(rows) {
		return ""
	}
	j := i - 1
	if dir == "down" {
		j = i + 1
	}
	if j < 0 || j >= len(rows) {
		return ""
	}
	rows[i], rows[j] = rows[j], rows[i]
	return rows[j].Label
}

// attrsFromRows gives the attributes the rows ask for, and for each the
// index of its row, so that an error about attributes[j] is shown at its
// row. Options mean something only for select attributes and a target type
// only for references, so they are dropped for other types rather than
// refused when an admin changes an attribute's type.
func attrsFromRows(rows []attrRow) ([]cmdb.Attribute, []int) {
	attrs := []cmdb.Attribute{}
	var at []int
	for i, row := range rows {
		if row.Remove {
			continue
		}
		a := cmdb.Attribute{Key: row.Key, Label: row.Label, Type: cmdb.AttrType(row.Type), Required: row.Required,
			Unique: row.Unique, Help: row.Help}
		if a.Type == cmdb.AttrSelect {
			for _, line := range strings.Split(row.Options, "\n") {
				if line = strings.TrimSpace(line); line != "" {
					a.Options = append(a.Options, line)
				}
			}
		}
		if a.Type == cmdb.AttrReference {
			a.RefType = row.RefType
		}
		attrs = append(attrs, a)
		at = append(at, i)
	}
	return attrs, at
}

// atRow puts an error about attributes[j] on the row that attribute came
// from.
func atRow(err error, rowOf []int) error {
	e, ok := errs.As(err)
	if !ok || !strings.HasPrefix(e.Field, "attributes[") {
		return err
	}
	rest := e.Field[len("attributes["):]
	end := strings.IndexByte(rest, ']')
	if end < 0 {
		return err
	}
	j, convErr := strconv.Atoi(rest[:end])
	if convErr != nil || j < 0 || j >= len(rowOf) {
		return err
	}
	copied := *e
	copied.Field = "attributes[" + strconv.Itoa(rowOf[j]) + "]" + rest[end+1:]
	return &copied
}

// rowFields lists the error keys the attribute rows show.
func rowFields(rows []attrRow) []string {
	out := []string{"name", "description", "parent"}
	for i := range rows {
		at := "attributes[" + strconv.Itoa(i) + "]."
		for _, k := range []string{"key", "label", "type", "options", "ref_type", "help", "required", "unique"} {
			out = append(out, at+k)
		}
	}
	return out
}

func (w *Web) adminCITypeUpdate(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	t, ok := w.loadCIType(rw, r, id)
	if !ok {
		return
	}
	values := map[string]any{"name": r.PostFormValue("name"), "description": r.PostFormValue("description"), "parent": r.PostFormValue("parent")}
	rows, fail := attrRowsFromForm(r)
	if fail != nil {
		w.renderCIType(rw, r, id, fail.Status, t, values, storedRows(t), fail)
		return
	}
	moved := moveRow(rows, r.PostFormValue("move"))
	parent, err := formID(r.PostFormValue("parent"))
	if err != nil {
		f := invalid("parent", "Choose a type from the list.")
		w.renderCIType(rw, r, id, f.Status, t, values, rows, &f)
		return
	}
	attrs, rowOf := attrsFromRows(rows)
	next := cmdb.CIType{ID: t.ID, Key: t.Key, Name: r.PostFormValue("name"), Description: strings.TrimSpace(r.PostFormValue("description")),
		ParentID: parent, Attributes: attrs}
	saved, err := w.store.UpdateCIType(r.Context(), id.Actor, next)
	if err != nil {
		f, ok := asFormFailure(atRow(err, rowOf), rowFields(rows)...)
		if !ok {
			w.fail(rw, r, err)
			return
		}
		w.renderCIType(rw, r, id, f.Status, t, values, rows, &f)
		return
	}
	msg := "CI type " + saved.Name + " saved."
	if moved != "" {
		msg = "Attribute " + moved + " moved; CI type " + saved.Name + " saved."
	}
	redirectWithFlash(rw, r, ciTypePath(saved.ID)+"#attributes", msg)
}

// --- Services: the CIs they are built on, the organizations that use them ------

// serviceCMDB is the part of the service page about the CMDB.
type serviceCMDB struct {
	CIs           []cmdb.CIRef
	Organizations []directory.Organization // all of them, to choose from
	OrgIDs        []string                 // the ones that use the service
	LinkName      string                   // what was typed in the link form, kept after a refusal
	Candidates    []cmdb.CIRef             // the CIs a refused name may have meant
}

// serviceLinkKey carries a refused link's state from the link handler to
// the service page, which the catalogue's renderService draws.
type serviceLinkKey struct{}

type serviceLinkState struct {
	name       string
	candidates []cmdb.CIRef
}

// serviceCMDBSection reads the service page's CMDB part.
func (w *Web) serviceCMDBSection(r *http.Request, serviceID int64) (*serviceCMDB, error) {
	ctx := r.Context()
	cis, err := w.store.ServiceCIs(ctx, serviceID)
	if err != nil {
		return nil, err
	}
	orgs, err := w.store.Organizations(ctx)
	if err != nil {
		return nil, err
	}
	using, err := w.store.ServiceOrganizations(ctx, serviceID)
	if err != nil {
		return nil, err
	}
	s := &serviceCMDB{CIs: cis, Organizations: orgs, OrgIDs: []string{}}
	for _, o := range using {
		s.OrgIDs = append(s.OrgIDs, strconv.FormatInt(o.ID, 10))
	}
	if st, ok := ctx.Value(serviceLinkKey{}).(serviceLinkState); ok {
		s.LinkName, s.Candidates = st.name, st.candidates
	}
	return s, nil
}

func servicePath(id int64) string { return "/admin/services/" + strconv.FormatInt(id, 10) }

// maxNameScan bounds how many CIs whose name holds the typed text are read
// to find those named exactly so.
const maxNameScan = 5 * store.MaxPage

// cisNamed finds the CIs named name, letter case ignored, and a few others
// it may have meant: CIs whose name holds it, or with a unique attribute
// (host name, serial number) equal to it.
func (w *Web) cisNamed(ctx context.Context, name string) (exact, near []cmdb.CIRef, err error) {
	for offset := 0; offset < maxNameScan; offset += store.MaxPage {
		page, err := w.store.CIs(ctx, store.CIFilter{Text: name, Limit: store.MaxPage, Offset: offset})
		if err != nil {
			return nil, nil, err
		}
		for _, ci := range page.CIs {
			ref := cmdb.CIRef{ID: ci.ID, Name: ci.Name, TypeID: ci.TypeID, Type: ci.Type, Status: ci.Status, Criticality: ci.Criticality}
			if strings.EqualFold(ci.Name, name) {
				exact = append(exact, ref)
			} else if len(near) < 5 {
				near = append(near, ref)
			}
		}
		if offset+len(page.CIs) >= page.Total {
			break
		}
	}
	return exact, near, nil
}

// adminServiceCILink links a CI to a service: by name ("ci"), or by id
// ("ci_id") when the admin chose among CIs of the same name.
func (w *Web) adminServiceCILink(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ctx := r.Context()
	sid, ok := pathID(r, "id")
	if !ok {
		w.notFound(rw, r, id)
		return
	}
	svc, err := w.store.Service(ctx, sid)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	name := strings.TrimSpace(r.PostFormValue("ci"))
	refuse := func(f formFailure, candidates []cmdb.CIRef) {
		if len(f.Errors) > 0 {
			f.Error = "No CI was linked: please correct the marked field."
		}
		r = r.WithContext(context.WithValue(ctx, serviceLinkKey{}, serviceLinkState{name: name, candidates: candidates}))
		w.renderService(rw, r, id, f.Status, svc, &f)
	}
	ciID, err := formID(r.PostFormValue("ci_id"))
	if err != nil {
		refuse(invalid("ci", "Choose a CI from the list."), nil)
		return
	}
	if ciID == 0 {
		if name == "" {
			refuse(invalid("ci", "Give the name of a CI."), nil)
			return
		}
		exact, near, err := w.cisNamed(ctx, name)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		switch len(exact) {
		case 0:
			msg := "No CI is named “" + name + "”."
			if len(near) > 0 {
				msg += " Did you mean one of those below?"
			}
			refuse(invalid("ci", msg), near)
			return
		case 1:
			ciID = exact[0].ID
		default:
			refuse(invalid("ci", strconv.Itoa(len(exact))+" CIs are named “"+name+"”: choose one below."), exact)
			return
		}
	}
	ref, err := w.store.LinkServiceCI(ctx, id.Actor, sid, ciID)
	if err != nil {
		f, ok := asFormFailure(err, "ci")
		if !ok {
			w.fail(rw, r, err)
			return
		}
		refuse(f, nil)
		return
	}
	redirectWithFlash(rw, r, servicePath(sid)+"#built-on", "Service "+svc.Name+" is now built on "+ref.Name+".")
}

func (w *Web) adminServiceCIUnlink(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ctx := r.Context()
	sid, ok := pathID(r, "id")
	if !ok {
		w.notFound(rw, r, id)
		return
	}
	svc, err := w.store.Service(ctx, sid)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	ciID, err := formID(r.PostFormValue("ci_id"))
	if err != nil || ciID == 0 {
		w.notFound(rw, r, id)
		return
	}
	err = w.store.UnlinkServiceCI(ctx, id.Actor, sid, ciID)
	if errs.Is(err, errs.KindNotFound) {
		// Someone unlinked it meanwhile: what was asked for is done.
		redirectWithFlash(rw, r, servicePath(sid)+"#built-on", "That CI was not linked to "+svc.Name+" any more.")
		return
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	redirectWithFlash(rw, r, servicePath(sid)+"#built-on", "Link removed: "+svc.Name+" is no longer built on that CI.")
}

func (w *Web) adminServiceOrganizations(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ctx := r.Context()
	sid, ok := pathID(r, "id")
	if !ok {
		w.notFound(rw, r, id)
		return
	}
	svc, err := w.store.Service(ctx, sid)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	ids, err := formIDs(r.PostForm["organization_ids"])
	if err == nil {
		err = w.store.SetServiceOrganizations(ctx, id.Actor, sid, ids)
	}
	if err != nil {
		if e, ok := errs.As(err); ok && e.Kind == errs.KindInvalid {
			w.renderService(rw, r, id, http.StatusUnprocessableEntity, svc, &formFailure{
				Status: http.StatusUnprocessableEntity, Error: "Not saved: please correct the marked field.",
				Errors: map[string]string{"organization_ids": "Choose organizations from the list; one of them no longer exists."}})
			return
		}
		w.fail(rw, r, err)
		return
	}
	redirectWithFlash(rw, r, servicePath(sid)+"#customers", "Customer organizations of "+svc.Name+" saved.")
}
