package web

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/ticket"
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
	Statuses      []option
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

// peopleStatuses are the choices of the people list's status filter.
var peopleStatuses = []option{{"active", "Active"}, {"inactive", "Inactive"}}

func (w *Web) adminPeople(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ctx := r.Context()
	q := r.URL.Query()
	f := store.UserFilter{Role: directory.Role(q.Get("role"))}
	if f.Role != "" && !f.Role.Valid() {
		f.Role = ""
	}
	f.OrganizationID, _ = formID(q.Get("org"))
	status := q.Get("status")
	switch status {
	case "active", "inactive":
		active := status == "active"
		f.Active = &active
	default:
		status = ""
	}
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
	data := peopleList{Roles: roles, Statuses: peopleStatuses, Organizations: orgs, Page: page}
	link := func(page int) string {
		v := url.Values{}
		if f.Role != "" {
			v.Set("role", string(f.Role))
		}
		if f.OrganizationID != 0 {
			v.Set("org", strconv.FormatInt(f.OrganizationID, 10))
		}
		if status != "" {
			v.Set("status", status)
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
	p.Values = map[string]any{"role": string(f.Role), "org": idString(f.OrganizationID), "status": status}
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
	User          directory.User
	RoleLabel     string
	Organization  string
	Teams         []string
	Roles         []option
	Organizations []directory.Organization
	Self          bool   // the admin looking is this person
	OpenAssigned  int    // tickets not done that are assigned to them
	OpenLink      string // a queue search for those tickets; empty without the "open" queue
	History       []personEvent
}

// personEvent is one entry of a person's history as the page shows it.
type personEvent struct {
	Actor string
	At    time.Time
	Lines []string
}

func (w *Web) adminPerson(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	w.renderPerson(rw, r, id, http.StatusOK, nil, nil)
}

// renderPerson shows a person's page; values overrides the stored fields in
// the edit form after a failed save.
func (w *Web) renderPerson(rw http.ResponseWriter, r *http.Request, id auth.Identity, status int, values map[string]any, fail *formFailure) {
	ctx := r.Context()
	uid, ok := pathID(r, "id")
	if !ok {
		w.notFound(rw, r, id)
		return
	}
	u, err := w.store.User(ctx, uid)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	orgs, orgNames, teamsOf, err := w.directoryNames(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	teams, err := w.store.Teams(ctx)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v := personView{User: u, RoleLabel: label(roles, string(u.Role)), Organization: orgNames[u.OrganizationID], Teams: teamsOf[u.ID],
		Roles: roles, Organizations: orgs, Self: u.ID == id.User.ID}
	open, err := w.store.Tickets(ctx, id.Actor, store.TicketFilter{AssigneeID: u.ID,
		Categories: []ticket.Category{ticket.CategoryToDo, ticket.CategoryInProgress}, Limit: 1})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.OpenAssigned = open.Total
	if v.OpenAssigned > 0 {
		if _, err := w.store.QueueBySlug(ctx, "open"); err == nil {
			v.OpenLink = withQuery("/agent/queues/open", url.Values{"q": {`assignee = "` + u.Email + `"`}, "cql": {"1"}})
		}
	}
	events, err := w.store.UserHistory(ctx, id.Actor, u.ID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v.History = personHistory(events, orgNames, teamNames(teams))
	p := adminPage(id, u.Name, v)
	p.Values = map[string]any{"name": u.Name, "email": u.Email, "role": string(u.Role), "organization": idString(u.OrganizationID)}
	maps.Copy(p.Values, values)
	if fail != nil {
		fail.apply(&p)
	}
	w.render(rw, r, status, "admin_person", p)
}

// personHistory writes a person's events as sentences, newest first.
func personHistory(events []store.UserEvent, orgs, teams names) []personEvent {
	org := func(v any) string {
		n, _ := v.(float64)
		if n == 0 {
			return "none"
		}
		if name, ok := orgs[int64(n)]; ok {
			return name
		}
		return "organization " + strconv.FormatInt(int64(n), 10)
	}
	count := func(v any, one, many string) string {
		n, _ := v.(float64)
		if n == 1 {
			return one
		}
		return strconv.Itoa(int(n)) + " " + many
	}
	out := make([]personEvent, 0, len(events))
	for _, ev := range slices.Backward(events) {
		e := personEvent{Actor: ev.Actor, At: ev.CreatedAt}
		switch ev.Type {
		case store.EventUserCreated:
			e.Lines = []string{"created the account as " + strings.ToLower(label(roles, fmt.Sprint(ev.Data["role"])))}
		case store.EventUserPasswordSet:
			line := "set a new password"
			if n, _ := ev.Data["sessions_ended"].(float64); n > 0 {
				line += ", which signed them out of " + count(n, "one browser", "browsers")
			}
			e.Lines = []string{line}
		case store.EventUserUpdated:
			for _, c := range ev.Changes {
				switch c.Field {
				case "active":
					if c.To == false {
						line := "deactivated them"
						if n, _ := ev.Data["sessions_ended"].(float64); n > 0 {
							line += " and signed them out of " + count(n, "one browser", "browsers")
						}
						e.Lines = append(e.Lines, line)
					} else {
						e.Lines = append(e.Lines, "reactivated them")
					}
				case "organization_id":
					e.Lines = append(e.Lines, fmt.Sprintf("changed the organization from %s to %s", org(c.From), org(c.To)))
				case "role":
					e.Lines = append(e.Lines, fmt.Sprintf("changed the role from %s to %s",
						strings.ToLower(label(roles, fmt.Sprint(c.From))), strings.ToLower(label(roles, fmt.Sprint(c.To)))))
				default:
					e.Lines = append(e.Lines, fmt.Sprintf("changed the %s from %v to %v", c.Field, c.From, c.To))
				}
			}
			if left, _ := ev.Data["teams_left"].([]any); len(left) > 0 {
				var ns []string
				for _, t := range left {
					n, _ := t.(float64)
					ns = append(ns, cmp.Or(teams[int64(n)], "team "+strconv.FormatInt(int64(n), 10)))
				}
				e.Lines = append(e.Lines, "took them out of "+strings.Join(ns, ", "))
			}
			if keys, _ := ev.Data["tickets_unassigned"].([]any); len(keys) > 0 {
				var ks []string
				for _, k := range keys {
					ks = append(ks, fmt.Sprint(k))
				}
				e.Lines = append(e.Lines, "unassigned their open tickets "+strings.Join(ks, ", "))
			}
		case "token.created":
			e.Lines = []string{fmt.Sprintf("made the API token %q", fmt.Sprint(ev.Data["name"]))}
		case "token.deleted":
			e.Lines = []string{"revoked an API token"}
		default:
			e.Lines = []string{ev.Type}
		}
		out = append(out, e)
	}
	return out
}

// adminPersonUpdate saves the edit form: name, email, role, organization.
// Whether the person is active is changed by its own button.
func (w *Web) adminPersonUpdate(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	uid, ok := pathID(r, "id")
	if !ok {
		w.notFound(rw, r, id)
		return
	}
	values := map[string]any{
		"name": r.PostFormValue("name"), "email": r.PostFormValue("email"),
		"role": r.PostFormValue("role"), "organization": r.PostFormValue("organization"),
	}
	before, err := w.store.User(r.Context(), uid)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	org, err := formID(r.PostFormValue("organization"))
	if err != nil {
		f := invalid("organization", "Choose an organization from the list.")
		w.renderPerson(rw, r, id, f.Status, values, &f)
		return
	}
	teamsBefore, openBefore, err := w.personWork(r.Context(), id, before)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	u, err := w.store.UpdateUser(r.Context(), id.Actor, uid, store.UserPatch{Name: r.PostFormValue("name"), Email: r.PostFormValue("email"),
		Role: directory.Role(r.PostFormValue("role")), OrganizationID: org, Active: before.Active})
	if err != nil {
		f, ok := asFormFailure(err, "name", "email", "role", "organization")
		if !ok {
			w.fail(rw, r, err)
			return
		}
		w.renderPerson(rw, r, id, f.Status, values, &f)
		return
	}
	msg := "Saved."
	if before.Role.Staff() && !u.Role.Staff() && teamsBefore+openBefore > 0 {
		var done []string
		if teamsBefore > 0 {
			done = append(done, "they left "+plural(teamsBefore, "team"))
		}
		if openBefore > 0 {
			done = append(done, plural(openBefore, "open ticket")+" went back to the queues unassigned")
		}
		msg = fmt.Sprintf("Saved. %s is a customer now: %s.", u.Name, strings.Join(done, ", and "))
	}
	redirectWithFlash(rw, r, personPath(u.ID), msg)
}

// personWork tells how many teams a person is in and how many open tickets
// are assigned to them, for the message after a role change.
func (w *Web) personWork(ctx context.Context, id auth.Identity, u directory.User) (teams, open int, err error) {
	a, err := w.store.Actor(ctx, u)
	if err != nil {
		return 0, 0, err
	}
	page, err := w.store.Tickets(ctx, id.Actor, store.TicketFilter{AssigneeID: u.ID,
		Categories: []ticket.Category{ticket.CategoryToDo, ticket.CategoryInProgress}, Limit: 1})
	return len(a.TeamIDs), page.Total, err
}

// adminPersonActive deactivates or reactivates a person. Deactivating asks
// the admin to tick a box saying they understand what it does.
func (w *Web) adminPersonActive(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
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
	active := r.PostFormValue("active") == "true"
	if !active && r.PostFormValue("confirm") != "yes" {
		f := invalid("confirm", "Tick the box to confirm that you mean it.")
		f.Error = "Not deactivated: please confirm."
		w.renderPerson(rw, r, id, f.Status, nil, &f)
		return
	}
	u, err = w.store.UpdateUser(r.Context(), id.Actor, uid, store.UserPatch{Name: u.Name, Email: u.Email, Role: u.Role,
		OrganizationID: u.OrganizationID, Active: active})
	if err != nil {
		f, ok := asFormFailure(err, "active")
		if !ok {
			w.fail(rw, r, err)
			return
		}
		w.renderPerson(rw, r, id, f.Status, nil, &f)
		return
	}
	msg := u.Name + " is active again: they can sign in, their API tokens work and they can be assigned tickets."
	if !active {
		msg = u.Name + " is deactivated: their sessions ended, their API tokens are refused and they can no longer be assigned tickets or asked for approval."
	}
	redirectWithFlash(rw, r, personPath(u.ID), msg)
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
		w.renderPerson(rw, r, id, f.Status, nil, &f)
		return
	}
	hash, err := hashNewPassword(pw)
	if err != nil {
		f := invalid("password", err.Error())
		w.renderPerson(rw, r, id, f.Status, nil, &f)
		return
	}
	// Setting a password signs the person out everywhere. An admin who sets
	// their own is signed in again here, with a new session.
	if err := w.store.SetPassword(r.Context(), id.Actor, uid, hash); err != nil {
		w.fail(rw, r, err)
		return
	}
	if uid == id.User.ID && id.Method == auth.MethodSession {
		if err := w.auth.StartSession(rw, r, uid); err != nil {
			w.fail(rw, r, err)
			return
		}
		redirectWithFlash(rw, r, personPath(uid), "New password set. Your other browsers were signed out.")
		return
	}
	redirectWithFlash(rw, r, personPath(uid), "New password set. Their sessions ended; pass it on by a safe channel.")
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
