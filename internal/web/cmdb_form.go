package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
)

// Creating and changing a CI: the form is made from the schema of the CI's
// type, inherited attributes first. Inputs of attributes are named
// attributes.<key>, as the store names its errors, so that a refusal lands
// next to its field.

// Above these numbers a reference or a person is typed rather than chosen
// from a select.
const (
	cmdbMaxCIChoices     = store.MaxPage
	cmdbMaxPeopleChoices = 500
)

// cmdbField is an attribute as the form shows it.
type cmdbField struct {
	Name        string // the input's name: attributes.<key>
	ID          string // the input's id
	Label, Help string
	// Kind is the input: text, number, date, boolean, select, url, ip;
	// choice (a select of CIs or people), ci (a CI's name or id typed) or
	// person (an email typed).
	Kind     string
	Required bool
	Value    string
	Options  []cmdbOption
	Note     string // what a typed reference stands for now
}

// cmdbFieldGroup is the attributes one type of the ancestry declares.
type cmdbFieldGroup struct {
	Legend string
	Fields []cmdbField
}

type cmdbNewView struct {
	Types   []cmdbOption
	Choices []cmdbTypeChoice
}

// cmdbTypeChoice is a type on the page that asks which type a new CI is.
type cmdbTypeChoice struct {
	Key, Name, Description, Ancestry string
	Depth                            int // how many types up its root is
}

type cmdbFormView struct {
	Editing                        bool
	CI                             cmdb.CI // the CI changed; zero when creating
	Type                           cmdb.CIType
	Ancestry                       string
	TypeChanged                    bool
	Dropped                        []string // labels of values a change of type drops
	Types                          []cmdbOption
	Name, Description              string
	Statuses, Criticalities, Teams []cmdbOption
	Groups                         []cmdbFieldGroup
	Action, Cancel                 string
}

// cmdbFormFields maps the store's field names to the form's: the same,
// for the fields the form of type t shows.
func cmdbFormFields(t cmdb.CIType) map[string]string {
	m := map[string]string{"owner_team_id": "owner_team"}
	for _, k := range []string{"name", "type", "description", "status", "criticality", "owner_team"} {
		m[k] = k
	}
	for _, a := range t.Schema {
		m["attributes."+a.Key] = "attributes." + a.Key
	}
	return m
}

// cmdbPosted reads a posted form: the CI's own fields and the attributes of
// schema, as typed.
func cmdbPosted(r *http.Request, schema []cmdb.SchemaAttribute) map[string]string {
	out := map[string]string{}
	for _, k := range []string{"name", "status", "criticality", "owner_team"} {
		out[k] = r.PostFormValue(k)
	}
	// Browsers send a textarea's line breaks as CRLF; the store keeps LF.
	out["description"] = strings.ReplaceAll(r.PostFormValue("description"), "\r\n", "\n")
	for _, a := range schema {
		out["attributes."+a.Key] = r.PostFormValue("attributes." + a.Key)
	}
	return out
}

// cmdbValues gives a CI's values as the form shows them.
func cmdbValues(ci cmdb.CI) map[string]string {
	out := map[string]string{"name": ci.Name, "description": ci.Description, "status": string(ci.Status),
		"criticality": string(ci.Criticality), "owner_team": ""}
	if ci.OwnerTeamID != 0 {
		out["owner_team"] = strconv.FormatInt(ci.OwnerTeamID, 10)
	}
	for k, v := range ci.Attributes {
		out["attributes."+k] = cmdbFormValue(v)
	}
	return out
}

// cmdbFormValue writes a stored value for an input.
func cmdbFormValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// cmdbChoices reads, once per page, what reference and person inputs offer.
type cmdbChoices struct {
	w      *Web
	ctx    context.Context
	types  cmdbTypes
	cis    map[string]store.CIPage // by the key of the referenced type
	people []directory.User
	many   bool // too many people for a select
	read   bool
}

func (c *cmdbChoices) ciChoices(refType string) (store.CIPage, error) {
	if page, ok := c.cis[refType]; ok {
		return page, nil
	}
	t, ok := c.types.lookup(refType)
	if !ok {
		return store.CIPage{}, fmt.Errorf("reference to unknown CI type %q", refType)
	}
	page, err := c.w.store.CIs(c.ctx, store.CIFilter{TypeID: t.ID, Limit: cmdbMaxCIChoices})
	if err != nil {
		return page, err
	}
	c.cis[refType] = page
	return page, nil
}

func (c *cmdbChoices) peopleChoices() ([]directory.User, bool, error) {
	if !c.read {
		us, err := c.w.store.Users(c.ctx, store.UserFilter{Limit: cmdbMaxPeopleChoices + 1})
		if err != nil {
			return nil, false, err
		}
		c.people, c.many, c.read = us, len(us) > cmdbMaxPeopleChoices, true
	}
	return c.people, c.many, nil
}

// field makes the input of attribute a with the value given.
func (c *cmdbChoices) field(a cmdb.SchemaAttribute, value string) (cmdbField, error) {
	f := cmdbField{Name: "attributes." + a.Key, ID: "ci-attr-" + a.Key, Label: a.Label, Help: a.Help, Required: a.Required,
		Kind: string(a.Type), Value: value}
	switch a.Type {
	case cmdb.AttrIP:
		f.Kind = "ip"
	case cmdb.AttrBoolean:
		f.Options = []cmdbOption{{Value: "true", Label: "Yes", Selected: value == "true"}, {Value: "false", Label: "No", Selected: value == "false"}}
	case cmdb.AttrSelect:
		for _, o := range a.Options {
			f.Options = append(f.Options, cmdbOption{Value: o, Label: o, Selected: strings.EqualFold(o, value)})
		}
	case cmdb.AttrReference:
		page, err := c.ciChoices(a.RefType)
		if err != nil {
			return f, err
		}
		if page.Total > len(page.CIs) {
			f.Kind = "ci"
			if n, err := strconv.ParseInt(value, 10, 64); err == nil {
				if ci, err := c.w.store.CI(c.ctx, n); err == nil {
					f.Note = "#" + value + " is " + ci.Name + "."
				}
			}
			return f, nil
		}
		f.Kind = "choice"
		found := false
		for _, ci := range page.CIs {
			label := ci.Name
			if ci.TypeKey != a.RefType {
				label += " (" + ci.Type + ")"
			}
			id := strconv.FormatInt(ci.ID, 10)
			found = found || id == value
			f.Options = append(f.Options, cmdbOption{Value: id, Label: label, Selected: id == value})
		}
		if value != "" && !found {
			// A CI deleted since, kept until someone changes the value.
			f.Options = append(f.Options, cmdbOption{Value: value, Label: "#" + value + " (no longer in the CMDB)", Selected: true})
		}
	case cmdb.AttrPerson:
		people, many, err := c.peopleChoices()
		if err != nil {
			return f, err
		}
		if many {
			f.Kind = "person"
			if n, err := strconv.ParseInt(value, 10, 64); err == nil {
				if u, err := c.w.store.User(c.ctx, n); err == nil {
					f.Value = u.Email
				}
			}
			return f, nil
		}
		f.Kind = "choice"
		found := false
		for _, u := range people {
			id := strconv.FormatInt(u.ID, 10)
			if !u.Active && id != value {
				continue
			}
			found = found || id == value
			f.Options = append(f.Options, cmdbOption{Value: id, Label: u.Name + " <" + u.Email + ">", Selected: id == value})
		}
		if value != "" && !found {
			f.Options = append(f.Options, cmdbOption{Value: value, Label: value, Selected: true})
		}
	}
	return f, nil
}

// cmdbGroups makes the inputs of type t's schema, grouped by the type that
// declares them, with the values given.
func (w *Web) cmdbGroups(ctx context.Context, types cmdbTypes, t cmdb.CIType, values map[string]string) ([]cmdbFieldGroup, error) {
	c := &cmdbChoices{w: w, ctx: ctx, types: types, cis: map[string]store.CIPage{}}
	var out []cmdbFieldGroup
	for _, a := range t.Schema {
		f, err := c.field(a, values["attributes."+a.Key])
		if err != nil {
			return nil, err
		}
		legend := t.Name
		if owner, ok := types.lookup(a.DefinedBy); ok {
			legend = owner.Name
		}
		if n := len(out); n > 0 && out[n-1].Legend == legend {
			out[n-1].Fields = append(out[n-1].Fields, f)
		} else {
			out = append(out, cmdbFieldGroup{Legend: legend, Fields: []cmdbField{f}})
		}
	}
	return out, nil
}

// cmdbRenderForm shows the form of a CI of type t: a new one when ci is
// nil. p carries errors of a refused post.
func (w *Web) cmdbRenderForm(rw http.ResponseWriter, r *http.Request, id auth.Identity, types cmdbTypes, t cmdb.CIType, ci *cmdb.CI, values map[string]string, p Page, status int) {
	ctx := r.Context()
	teams, err := w.store.Teams(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	teamID, _ := strconv.ParseInt(values["owner_team"], 10, 64)
	v := cmdbFormView{Type: t, Ancestry: types.ancestry(t.ID), Types: types.options(t.ID), Name: values["name"], Description: values["description"],
		Statuses: cmdbStatusOptions(values["status"], ""), Criticalities: cmdbCriticalityOptions(values["criticality"], ""),
		Teams: cmdbTeamOptions(teams, teamID, "No owner team"), Action: "/agent/cmdb/new", Cancel: "/agent/cmdb"}
	if ci != nil {
		v.Editing, v.CI, v.TypeChanged = true, *ci, t.ID != ci.TypeID
		v.Action, v.Cancel = cmdbURL(ci.ID)+"/edit", cmdbURL(ci.ID)
		if v.TypeChanged {
			inSchema := map[string]bool{}
			for _, a := range t.Schema {
				inSchema[a.Key] = true
			}
			old := types.byID[ci.TypeID]
			for _, a := range old.Schema {
				if _, has := ci.Attributes[a.Key]; has && !inSchema[a.Key] {
					v.Dropped = append(v.Dropped, a.Label)
				}
			}
		}
	}
	if v.Groups, err = w.cmdbGroups(ctx, types, t, values); err != nil {
		w.fail(rw, r, err)
		return
	}
	p.Section, p.Identity, p.Data = "agent", id, v
	p.Title = "New " + strings.ToLower(t.Name)
	if ci != nil {
		p.Title = "Edit " + ci.Name
	}
	w.render(rw, r, status, "cmdb_form", p)
}

// cmdbNew asks for the new CI's type first, then shows that type's form.
func (w *Web) cmdbNew(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	types, err := w.cmdbTypes(r.Context())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	ref := r.URL.Query().Get("type")
	if ref == "" {
		w.cmdbRenderChooser(rw, r, id, types, http.StatusOK, "")
		return
	}
	t, ok := types.lookup(ref)
	if !ok {
		w.cmdbRenderChooser(rw, r, id, types, http.StatusUnprocessableEntity, fmt.Sprintf("There is no CI type %q: choose one of the list.", ref))
		return
	}
	values := map[string]string{"status": string(cmdb.StatusLive), "criticality": string(cmdb.CriticalityMedium)}
	w.cmdbRenderForm(rw, r, id, types, t, nil, values, Page{}, http.StatusOK)
}

func (w *Web) cmdbRenderChooser(rw http.ResponseWriter, r *http.Request, id auth.Identity, types cmdbTypes, status int, msg string) {
	v := cmdbNewView{Types: types.options(0)}
	for _, o := range v.Types {
		t, _ := types.lookup(o.Value)
		anc := types.ancestry(t.ID)
		v.Choices = append(v.Choices, cmdbTypeChoice{Key: t.Key, Name: t.Name, Description: t.Description, Ancestry: anc,
			Depth: strings.Count(anc, " › ")})
	}
	w.render(rw, r, status, "cmdb_new", Page{Title: "New CI", Section: "agent", Identity: id, Error: msg, Data: v})
}

// cmdbInput turns the posted values of type t's form into attribute values:
// every attribute of the schema, empty ones as nil (removed).
func cmdbInput(t cmdb.CIType, values map[string]string) map[string]any {
	out := make(map[string]any, len(t.Schema))
	for _, a := range t.Schema {
		if v := strings.TrimSpace(values["attributes."+a.Key]); v != "" {
			out[a.Key] = v
		} else {
			out[a.Key] = nil
		}
	}
	return out
}

// cmdbTeam reads the owner team's select.
func cmdbTeam(v string) (int64, error) {
	n, err := formID(v)
	if err != nil {
		return 0, errs.Invalid("owner_team", "choose a team of the list")
	}
	return n, nil
}

func (w *Web) cmdbCreate(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ctx := r.Context()
	types, err := w.cmdbTypes(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	t, ok := types.lookup(r.PostFormValue("type"))
	if !ok {
		w.cmdbRenderChooser(rw, r, id, types, http.StatusUnprocessableEntity, "Choose the type of the new CI.")
		return
	}
	values := cmdbPosted(r, t.Schema)
	in := store.NewCI{Name: values["name"], Type: t.Key, Description: values["description"], Status: values["status"],
		Criticality: values["criticality"], Attributes: map[string]any{}}
	for k, v := range cmdbInput(t, values) {
		if v != nil { // a new CI has nothing to remove
			in.Attributes[k] = v
		}
	}
	var ci cmdb.CI
	in.OwnerTeamID, err = cmdbTeam(values["owner_team"])
	if err == nil {
		ci, err = w.store.CreateCI(ctx, id.Actor, in)
	}
	if err != nil {
		var p Page
		status := cmdbFailed(err, "Not saved", cmdbFormFields(t), &p)
		if status == 0 {
			w.fail(rw, r, err)
			return
		}
		w.cmdbRenderForm(rw, r, id, types, t, nil, values, p, status)
		return
	}
	redirectWithFlash(rw, r, cmdbURL(ci.ID), "CI "+ci.Name+" created.")
}

// cmdbEdit shows the form of a CI; ?type= shows it for another type, to
// change the CI's type.
func (w *Web) cmdbEdit(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ci, types, ok := w.cmdbLoad(rw, r)
	if !ok {
		return
	}
	t := types.byID[ci.TypeID]
	if ref := r.URL.Query().Get("type"); ref != "" {
		other, ok := types.lookup(ref)
		if !ok {
			w.cmdbRenderForm(rw, r, id, types, t, &ci, cmdbValues(ci), Page{Error: fmt.Sprintf("There is no CI type %q.", ref)}, http.StatusUnprocessableEntity)
			return
		}
		t = other
	}
	w.cmdbRenderForm(rw, r, id, types, t, &ci, cmdbValues(ci), Page{}, http.StatusOK)
}

func (w *Web) cmdbUpdate(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ctx := r.Context()
	ci, types, ok := w.cmdbLoad(rw, r)
	if !ok {
		return
	}
	t := types.byID[ci.TypeID]
	if ref := r.PostFormValue("type"); ref != "" {
		other, ok := types.lookup(ref)
		if !ok {
			p := Page{Errors: map[string]string{"type": fmt.Sprintf("There is no CI type %q.", ref)}, Error: "Not saved: please correct the marked field."}
			w.cmdbRenderForm(rw, r, id, types, t, &ci, cmdbPosted(r, t.Schema), p, http.StatusUnprocessableEntity)
			return
		}
		t = other
	}
	values := cmdbPosted(r, t.Schema)
	name, desc, status, crit := values["name"], values["description"], values["status"], values["criticality"]
	patch := store.CIPatch{Name: &name, Description: &desc, Status: &status, Criticality: &crit, Attributes: cmdbInput(t, values)}
	if t.ID != ci.TypeID {
		patch.Type = &t.Key
	}
	teamID, err := cmdbTeam(values["owner_team"])
	patch.OwnerTeamID = &teamID
	var saved cmdb.CI
	if err == nil {
		saved, err = w.store.UpdateCI(ctx, id.Actor, ci.ID, patch)
	}
	if err != nil {
		var p Page
		code := cmdbFailed(err, "Not saved", cmdbFormFields(t), &p)
		if code == 0 {
			w.fail(rw, r, err)
			return
		}
		w.cmdbRenderForm(rw, r, id, types, t, &ci, values, p, code)
		return
	}
	msg := "CI " + saved.Name + " saved."
	if saved.UpdatedAt.Equal(ci.UpdatedAt) {
		msg = "Nothing changed."
	}
	redirectWithFlash(rw, r, cmdbURL(ci.ID), msg)
}

// cmdbLoad reads the CI of the path and the types, or answers the request.
func (w *Web) cmdbLoad(rw http.ResponseWriter, r *http.Request) (cmdb.CI, cmdbTypes, bool) {
	n, ok := pathID(r, "id")
	if !ok {
		w.notFound(rw, r, auth.From(r.Context()))
		return cmdb.CI{}, cmdbTypes{}, false
	}
	ci, err := w.store.CI(r.Context(), n)
	if err != nil {
		w.fail(rw, r, err)
		return ci, cmdbTypes{}, false
	}
	types, err := w.cmdbTypes(r.Context())
	if err != nil {
		w.fail(rw, r, err)
		return ci, types, false
	}
	return ci, types, true
}
