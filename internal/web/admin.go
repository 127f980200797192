package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
)

// adminRoutes registers the admin pages under /admin and the personal
// settings under /settings.
func (w *Web) adminRoutes() {
	admin := func(pattern string, h func(rw http.ResponseWriter, r *http.Request, id auth.Identity)) {
		w.mux.Handle(pattern, w.page(directory.RoleAdmin, withForm(h)))
	}
	admin("GET /admin", w.adminOverview)

	admin("GET /admin/services", w.adminServices)
	admin("GET /admin/services/new", w.adminServiceNew)
	admin("POST /admin/services/new", w.adminServiceCreate)
	admin("GET /admin/services/{id}", w.adminServiceEdit)
	admin("POST /admin/services/{id}", w.adminServiceUpdate)

	admin("GET /admin/request-types", w.adminRequestTypes)
	admin("GET /admin/request-types/new", w.adminRequestTypeNew)
	admin("POST /admin/request-types/new", w.adminRequestTypeCreate)
	admin("GET /admin/request-types/{id}", w.adminRequestType)
	admin("POST /admin/request-types/{id}", w.adminRequestTypeUpdate)
	admin("POST /admin/request-types/{id}/fields", w.adminFieldSave)
	admin("POST /admin/request-types/{id}/fields/remove", w.adminFieldRemove)
	admin("POST /admin/request-types/{id}/fields/move", w.adminFieldMove)
	admin("POST /admin/request-types/{id}/fields/order", w.adminFieldOrder)

	admin("GET /admin/workflows", w.adminWorkflows)
	admin("GET /admin/workflows/{id}", w.adminWorkflow)
	admin("POST /admin/workflows/{id}", w.adminWorkflowSettings)
	admin("POST /admin/workflows/{id}/statuses", w.adminStatusAdd)
	admin("POST /admin/workflows/{id}/statuses/edit", w.adminStatusEdit)
	admin("POST /admin/workflows/{id}/statuses/remove", w.adminStatusRemove)
	admin("POST /admin/workflows/{id}/transitions", w.adminTransitionSave)
	admin("POST /admin/workflows/{id}/transitions/remove", w.adminTransitionRemove)

	admin("GET /admin/people", w.adminPeople)
	admin("GET /admin/people/new", w.adminPersonNew)
	admin("POST /admin/people/new", w.adminPersonCreate)
	admin("GET /admin/people/{id}", w.adminPerson)
	admin("POST /admin/people/{id}", w.adminPersonUpdate)
	admin("POST /admin/people/{id}/active", w.adminPersonActive)
	admin("POST /admin/people/{id}/password", w.adminPersonPassword)

	admin("GET /admin/organizations", w.adminOrganizations)
	admin("POST /admin/organizations", w.adminOrganizationCreate)

	admin("GET /admin/teams", w.adminTeams)
	admin("POST /admin/teams", w.adminTeamCreate)
	admin("GET /admin/teams/{id}", w.adminTeam)
	admin("POST /admin/teams/{id}/members", w.adminTeamMembers)

	w.settingsRoutes()
}

// overview is what GET /admin shows: how much of each thing there is.
type overview struct {
	Services, RequestTypes, Workflows, People, Organizations, Teams int
}

func (w *Web) adminOverview(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ctx := r.Context()
	var o overview
	svcs, err := w.store.Services(ctx, false)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	rts, err := w.store.RequestTypes(ctx, 0, false)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	wfs, err := w.store.Workflows(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	orgs, err := w.store.Organizations(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	teams, err := w.store.Teams(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	people, err := w.allUsers(ctx, store.UserFilter{})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	o.Services, o.RequestTypes, o.Workflows = len(svcs), len(rts), len(wfs)
	o.Organizations, o.Teams, o.People = len(orgs), len(teams), len(people)
	w.render(rw, r, http.StatusOK, "admin_overview", Page{Title: "Admin", Section: "admin", Identity: id, Data: o})
}

// allUsers pages through the users a filter selects. The store has no count
// query, so the overview and the organization list read them all.
func (w *Web) allUsers(ctx context.Context, f store.UserFilter) ([]directory.User, error) {
	const batch = 1000
	var out []directory.User
	for offset := 0; ; offset += batch {
		f.Limit, f.Offset = batch, offset
		us, err := w.store.Users(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, us...)
		if len(us) < batch {
			return out, nil
		}
	}
}

// withForm parses a posted form before the handler reads it: the CSRF
// check reads the form only when no token header came, and the handlers
// read repeated fields (checkboxes) from r.PostForm directly.
func withForm(h func(rw http.ResponseWriter, r *http.Request, id auth.Identity)) func(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	return func(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
		if r.Method == http.MethodPost {
			if err := r.ParseForm(); err != nil {
				http.Error(rw, "The form could not be read: "+err.Error(), http.StatusBadRequest)
				return
			}
		}
		h(rw, r, id)
	}
}

// blameItem puts an error about one item of a list on item i instead. The
// stored items are valid among themselves, so when changing item i makes
// the list invalid at item j (a key used twice is found at the later of
// the two), it is item i's input that needs fixing.
func blameItem(err error, list string, i int) error {
	e, ok := errs.As(err)
	if !ok || !strings.HasPrefix(e.Field, list+"[") {
		return err
	}
	rest := e.Field[len(list)+1:]
	end := strings.IndexByte(rest, ']')
	if end < 0 {
		return err
	}
	copied := *e
	copied.Field = list + "[" + strconv.Itoa(i) + "]" + rest[end+1:]
	return &copied
}

// adminPage fills in what every admin page shares.
func adminPage(id auth.Identity, title string, data any) Page {
	return Page{Title: title, Section: "admin", Identity: id, Data: data, Values: map[string]any{}}
}

// formFailure is a rejected command as a form shows it: messages keyed by
// the field path the domain names ("name", "fields[2].options") and the
// status to answer with.
type formFailure struct {
	Status int
	Errors map[string]string
	Error  string
}

// asFormFailure turns a validation or conflict error into messages for the
// form; ok is false for any other error, which the page then fails with.
// A field the form does not show (not in shown) is reported for the whole
// page, so that no message is ever lost.
func asFormFailure(err error, shown ...string) (formFailure, bool) {
	e, ok := errs.As(err)
	if !ok || (e.Kind != errs.KindInvalid && e.Kind != errs.KindConflict) {
		return formFailure{}, false
	}
	f := formFailure{Status: http.StatusUnprocessableEntity, Error: "Not saved: please correct the marked field."}
	if e.Kind == errs.KindConflict {
		f.Status = http.StatusConflict
	}
	msg := humanMessage(e)
	if e.Field != "" && slices.Contains(shown, e.Field) {
		f.Errors = map[string]string{e.Field: msg}
		return f, true
	}
	if e.Field != "" {
		f.Error = "Not saved: " + e.Field + " " + strings.TrimSuffix(lowerFirst(msg), ".") + "."
	} else {
		f.Error = "Not saved: " + msg
	}
	return f, true
}

// apply puts a failure on a page.
func (f formFailure) apply(p *Page) {
	p.Errors, p.Error = f.Errors, f.Error
}

// humanMessage writes an error as a sentence for the side of a form field.
func humanMessage(e *errs.Error) string {
	if e.Code == "required_field" {
		return "This is required."
	}
	msg := upperFirst(e.Message)
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// invalid reports a bad form value found by the page itself (a number that
// does not parse, a password too short) the way the domain reports its own.
func invalid(field, msg string) formFailure {
	return formFailure{Status: http.StatusUnprocessableEntity, Error: "Not saved: please correct the marked field.",
		Errors: map[string]string{field: msg}}
}

// pathID reads a numeric path parameter; a bad one is simply not found.
func pathID(r *http.Request, name string) (int64, bool) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return n, err == nil && n > 0
}

// formID reads an optional id from a form or query value; empty is 0.
func formID(v string) (int64, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, errs.Invalid("id", "%q is not an id", v)
	}
	return n, nil
}

// formIDs reads the ids of a group of checkboxes.
func formIDs(vals []string) ([]int64, error) {
	out := []int64{}
	for _, v := range vals {
		n, err := formID(v)
		if err != nil {
			return nil, err
		}
		if n != 0 && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// idStrings writes ids as the strings checkboxes compare against.
func idStrings(ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strconv.FormatInt(id, 10)
	}
	return out
}

// withQuery adds a query to a path.
func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// names maps ids to names for display.
type names map[int64]string

func teamNames(teams []directory.Team) names {
	m := names{}
	for _, t := range teams {
		m[t.ID] = t.Name
	}
	return m
}

// list names the given ids, in their order, skipping unknown ones.
func (n names) list(ids []int64) []string {
	var out []string
	for _, id := range ids {
		if s, ok := n[id]; ok {
			out = append(out, s)
		}
	}
	return out
}
