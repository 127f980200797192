package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/store"
)

var roles = []option{
	{string(directory.RoleCustomer), "Customer"},
	{string(directory.RoleAgent), "Agent"},
	{string(directory.RoleAdmin), "Admin"},
}

const peoplePerPage = 50

// --- People -----------------------------------------------------------------

type personRow struct {
	directory.User
	RoleLabel    string
	Organization string
	Teams        []string
}

type peopleList struct {
	Rows          []personRow
	Roles         []option
	Organizations []directory.Organization
	Page          int
	Prev, Next    string // links to the neighbouring pages; empty at the ends
}

// directoryNames loads the names of organizations and teams, and which
// teams each user is in.
func (w *Web) directoryNames(ctx context.Context) (orgs []directory.Organization, orgNames names, teamsOf map[int64][]string, err error) {
	orgs, err = w.store.Organizations(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	orgNames = names{}
	for _, o := range orgs {
		orgNames[o.ID] = o.Name
	}
	teams, err := w.store.Teams(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	teamsOf = map[int64][]string{}
	for _, t := range teams {
		for _, uid := range t.MemberIDs {
			teamsOf[uid] = append(teamsOf[uid], t.Name)
		}
	}
	return orgs, orgNames, teamsOf, nil
}

func (w *Web) adminPeople(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ctx := r.Context()
	q := r.URL.Query()
	f := store.UserFilter{Role: directory.Role(q.Get("role"))}
	if f.Role != "" && !f.Role.Valid() {
		f.Role = ""
	}
	f.OrganizationID, _ = formID(q.Get("org"))
	page, err := strconv.Atoi(q.Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	// One more than a page tells whether there is a next page.
	f.Limit, f.Offset = peoplePerPage+1, (page-1)*peoplePerPage
	users, err := w.store.Users(ctx, f)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	orgs, orgNames, teamsOf, err := w.directoryNames(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	data := peopleList{Roles: roles, Organizations: orgs, Page: page}
	link := func(page int) string {
		v := url.Values{}
		if f.Role != "" {
			v.Set("role", string(f.Role))
		}
		if f.OrganizationID != 0 {
			v.Set("org", strconv.FormatInt(f.OrganizationID, 10))
		}
		if page > 1 {
			v.Set("page", strconv.Itoa(page))
		}
		return withQuery("/admin/people", v)
	}
	if len(users) > peoplePerPage {
		users = users[:peoplePerPage]
		data.Next = link(page + 1)
	}
	if page > 1 {
		data.Prev = link(page - 1)
	}
	for _, u := range users {
		data.Rows = append(data.Rows, personRow{User: u, RoleLabel: label(roles, string(u.Role)),
			Organization: orgNames[u.OrganizationID], Teams: teamsOf[u.ID]})
	}
	p := adminPage(id, "People", data)
	p.Values = map[string]any{"role": string(f.Role), "org": idString(f.OrganizationID)}
	w.render(rw, r, http.StatusOK, "admin_people", p)
}

type personForm struct {
	Roles         []option
	Organizations []directory.Organization
}

func (w *Web) adminPersonNew(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	w.renderPersonNew(rw, r, id, http.StatusOK, map[string]any{"role": string(directory.RoleCustomer)}, nil)
}

func (w *Web) renderPersonNew(rw http.ResponseWriter, r *http.Request, id auth.Identity, status int, values map[string]any, fail *formFailure) {
	orgs, err := w.store.Organizations(r.Context())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := adminPage(id, "New person", personForm{Roles: roles, Organizations: orgs})
	p.Values = values
	if fail != nil {
		fail.apply(&p)
	}
	w.render(rw, r, status, "admin_person_new", p)
}

func (w *Web) adminPersonCreate(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	// The password is never sent back to the browser.
	values := map[string]any{
		"email": r.PostFormValue("email"), "name": r.PostFormValue("name"),
		"role": r.PostFormValue("role"), "organization": r.PostFormValue("organization"),
	}
	shown := []string{"email", "name", "role", "organization", "password"}
	fail := func(err error) {
		f, ok := asFormFailure(err, shown...)
		if !ok {
			w.fail(rw, r, err)
			return
		}
		w.renderPersonNew(rw, r, id, f.Status, values, &f)
	}
	nu := store.NewUser{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Role: directory.Role(r.PostFormValue("role"))}
	// Check the fields before spending a password hash on them.
	if _, err := directory.NewUser(nu.Email, nu.Name, nu.Role); err != nil {
		fail(err)
		return
	}
	org, err := formID(r.PostFormValue("organization"))
	if err != nil {
		f := invalid("organization", "Choose an organization from the list.")
		w.renderPersonNew(rw, r, id, f.Status, values, &f)
		return
	}
	nu.OrganizationID = org
	if nu.PasswordHash, err = hashNewPassword(r.PostFormValue("password")); err != nil {
		f := invalid("password", err.Error())
		w.renderPersonNew(rw, r, id, f.Status, values, &f)
		return
	}
	u, err := w.store.CreateUser(r.Context(), id.Actor, nu)
	if err != nil {
		fail(err)
		return
	}
	redirectWithFlash(rw, r, personPath(u.ID), u.Name+" can now sign in as "+u.Email+".")
}

type passwordError string

func (e passwordError) Error() string { return string(e) }

// hashNewPassword checks and hashes a password an admin sets.
func hashNewPassword(pw string) (string, error) {
	if len(pw) < 8 {
		return "", passwordError("Use at least 8 characters.")
	}
	if len(pw) > 1024 {
		return "", passwordError("Use at most 1024 characters.")
	}
	return auth.HashPassword(pw)
}

func personPath(id int64) string { return "/admin/people/" + strconv.FormatInt(id, 10) }

type personView struct {
	User         directory.User
	RoleLabel    string
	Organization string
	Teams        []string
}

func (w *Web) adminPerson(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	w.renderPerson(rw, r, id, http.StatusOK, nil)
}

func (w *Web) renderPerson(rw http.ResponseWriter, r *http.Request, id auth.Identity, status int, fail *formFailure) {
	uid, ok := pathID(r, "id")
	if !ok {
		w.notFound(rw, r, id)
		return
	}
	u, err := w.store.User(r.Context(), uid)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	_, orgNames, teamsOf, err := w.directoryNames(r.Context())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := adminPage(id, u.Name, personView{User: u, RoleLabel: label(roles, string(u.Role)), Organization: orgNames[u.OrganizationID], Teams: teamsOf[u.ID]})
	if fail != nil {
		fail.apply(&p)
	}
	w.render(rw, r, status, "admin_person", p)
}

func (w *Web) adminPersonPassword(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	uid, ok := pathID(r, "id")
	if !ok {
		w.notFound(rw, r, id)
		return
	}
	pw := r.PostFormValue("password")
	if pw != r.PostFormValue("password_again") {
		f := invalid("password_again", "The two passwords differ.")
		w.renderPerson(rw, r, id, f.Status, &f)
		return
	}
	hash, err := hashNewPassword(pw)
	if err != nil {
		f := invalid("password", err.Error())
		w.renderPerson(rw, r, id, f.Status, &f)
		return
	}
	if err := w.store.SetPassword(r.Context(), id.Actor, uid, hash); err != nil {
		w.fail(rw, r, err)
		return
	}
	redirectWithFlash(rw, r, personPath(uid), "New password set. Pass it on by a safe channel.")
}

// --- Organizations ------------------------------------------------------------

type organizationRow struct {
	directory.Organization
	Members int
	Link    string
}

func (w *Web) adminOrganizations(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	w.renderOrganizations(rw, r, id, http.StatusOK, map[string]any{}, nil)
}

func (w *Web) renderOrganizations(rw http.ResponseWriter, r *http.Request, id auth.Identity, status int, values map[string]any, fail *formFailure) {
	ctx := r.Context()
	orgs, err := w.store.Organizations(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	users, err := w.allUsers(ctx, store.UserFilter{})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	members := map[int64]int{}
	for _, u := range users {
		members[u.OrganizationID]++
	}
	rows := make([]organizationRow, len(orgs))
	for i, o := range orgs {
		rows[i] = organizationRow{Organization: o, Members: members[o.ID],
			Link: withQuery("/admin/people", url.Values{"org": {strconv.FormatInt(o.ID, 10)}})}
	}
	p := adminPage(id, "Organizations", rows)
	p.Values = values
	if fail != nil {
		fail.apply(&p)
	}
	w.render(rw, r, status, "admin_organizations", p)
}

func (w *Web) adminOrganizationCreate(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	o, err := w.store.CreateOrganization(r.Context(), id.Actor, r.PostFormValue("name"))
	if err != nil {
		f, ok := asFormFailure(err, "name")
		if !ok {
			w.fail(rw, r, err)
			return
		}
		w.renderOrganizations(rw, r, id, f.Status, map[string]any{"name": r.PostFormValue("name")}, &f)
		return
	}
	redirectWithFlash(rw, r, "/admin/organizations", "Organization "+o.Name+" created.")
}

// --- Teams --------------------------------------------------------------------

type teamRow struct {
	directory.Team
	Members []string
}

type teamList struct {
	Rows  []teamRow
	Staff []directory.User
}

// staff lists the people who may be in a team: agents and admins.
func (w *Web) staff(ctx context.Context) ([]directory.User, error) {
	agents, err := w.allUsers(ctx, store.UserFilter{Role: directory.RoleAgent})
	if err != nil {
		return nil, err
	}
	admins, err := w.allUsers(ctx, store.UserFilter{Role: directory.RoleAdmin})
	if err != nil {
		return nil, err
	}
	all := append(agents, admins...)
	slices.SortFunc(all, func(a, b directory.User) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return all, nil
}

func (w *Web) adminTeams(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	w.renderTeams(rw, r, id, http.StatusOK, map[string]any{}, nil)
}

func (w *Web) renderTeams(rw http.ResponseWriter, r *http.Request, id auth.Identity, status int, values map[string]any, fail *formFailure) {
	ctx := r.Context()
	teams, err := w.store.Teams(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	staff, err := w.staff(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	people := names{}
	for _, u := range staff {
		people[u.ID] = u.Name
	}
	data := teamList{Staff: staff}
	for _, t := range teams {
		data.Rows = append(data.Rows, teamRow{Team: t, Members: people.list(t.MemberIDs)})
	}
	p := adminPage(id, "Teams", data)
	p.Values = values
	if fail != nil {
		fail.apply(&p)
	}
	w.render(rw, r, status, "admin_teams", p)
}

func (w *Web) adminTeamCreate(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	values := map[string]any{"name": r.PostFormValue("name"), "member_ids": r.PostForm["member_ids"]}
	members, err := formIDs(r.PostForm["member_ids"])
	if err != nil {
		f := invalid("member_ids", "Choose members from the list.")
		w.renderTeams(rw, r, id, f.Status, values, &f)
		return
	}
	t, err := w.store.CreateTeam(r.Context(), id.Actor, r.PostFormValue("name"), members)
	if err != nil {
		f, ok := asFormFailure(err, "name")
		if !ok {
			w.fail(rw, r, err)
			return
		}
		w.renderTeams(rw, r, id, f.Status, values, &f)
		return
	}
	redirectWithFlash(rw, r, "/admin/teams", "Team "+t.Name+" created.")
}

type teamView struct {
	Team  directory.Team
	Staff []directory.User
}

func (w *Web) adminTeam(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	w.renderTeam(rw, r, id, http.StatusOK, nil, nil)
}

// renderTeam shows a team's members form; checked overrides the stored
// members after a failed save.
func (w *Web) renderTeam(rw http.ResponseWriter, r *http.Request, id auth.Identity, status int, checked []string, fail *formFailure) {
	ctx := r.Context()
	tid, ok := pathID(r, "id")
	if !ok {
		w.notFound(rw, r, id)
		return
	}
	teams, err := w.store.Teams(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	i := slices.IndexFunc(teams, func(t directory.Team) bool { return t.ID == tid })
	if i < 0 {
		w.notFound(rw, r, id)
		return
	}
	staff, err := w.staff(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if checked == nil {
		checked = idStrings(teams[i].MemberIDs)
	}
	p := adminPage(id, "Team "+teams[i].Name, teamView{Team: teams[i], Staff: staff})
	p.Values = map[string]any{"member_ids": checked}
	if fail != nil {
		fail.apply(&p)
	}
	w.render(rw, r, status, "admin_team", p)
}

func (w *Web) adminTeamMembers(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	tid, ok := pathID(r, "id")
	if !ok {
		w.notFound(rw, r, id)
		return
	}
	checked := r.PostForm["member_ids"]
	if checked == nil {
		checked = []string{}
	}
	members, err := formIDs(checked)
	if err == nil {
		err = w.store.SetTeamMembers(r.Context(), id.Actor, tid, members)
	}
	if err != nil {
		f, ok := asFormFailure(err)
		if !ok {
			w.fail(rw, r, err)
			return
		}
		w.renderTeam(rw, r, id, f.Status, checked, &f)
		return
	}
	redirectWithFlash(rw, r, "/admin/teams", "Members saved.")
}
