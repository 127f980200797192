package api

import (
	"net/http"
	"strconv"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
)

func (a *API) me(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	writeJSON(w, http.StatusOK, map[string]any{"user": id.User, "team_ids": orEmpty(id.Actor.TeamIDs)})
	return nil
}

func orEmpty(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

func (a *API) listTokens(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	toks, err := a.store.Tokens(r.Context(), id.User.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": toks})
	return nil
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	secret := auth.NewSecret(auth.TokenPrefix)
	tok, err := a.store.CreateToken(r.Context(), id.Actor, id.User.ID, in.Name, auth.HashSecret(secret), secret[:len(auth.TokenPrefix)+4])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": tok, "secret": secret})
	return nil
}

func (a *API) deleteToken(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	tid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.store.DeleteToken(r.Context(), id.Actor, id.User.ID, tid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listOrganizations(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	orgs, err := a.store.Organizations(r.Context())
	if err != nil {
		return err
	}
	if orgs == nil {
		orgs = []directory.Organization{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"organizations": orgs})
	return nil
}

func (a *API) createOrganization(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	o, err := a.store.CreateOrganization(r.Context(), id.Actor, in.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, o)
	return nil
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	q := r.URL.Query()
	if err := knownParams(q, "role", "organization", "active", "limit", "offset"); err != nil {
		return err
	}
	f := store.UserFilter{Role: directory.Role(q.Get("role"))}
	if f.Role != "" && !f.Role.Valid() {
		return errs.Invalid("role", "must be one of customer, agent, admin")
	}
	if v := q.Get("active"); v != "" {
		active, err := strconv.ParseBool(v)
		if err != nil {
			return errs.Invalid("active", "must be true or false")
		}
		f.Active = &active
	}
	if v := q.Get("organization"); v != "" {
		oid, err := a.organizationRef(r, ref(v))
		if err != nil {
			return err
		}
		f.OrganizationID = oid
	}
	var err error
	if f.Limit, f.Offset, err = paging(q.Get("limit"), q.Get("offset"), 1000); err != nil {
		return err
	}
	users, err := a.store.Users(r.Context(), f)
	if err != nil {
		return err
	}
	if users == nil {
		users = []directory.User{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": users})
	return nil
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	uid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := a.store.User(r.Context(), uid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in struct {
		Email        string `json:"email"`
		Name         string `json:"name"`
		Role         string `json:"role"`
		Organization ref    `json:"organization"`
		Password     string `json:"password"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	nu := store.NewUser{Email: in.Email, Name: in.Name, Role: directory.Role(in.Role)}
	if in.Organization != "" {
		oid, err := a.organizationRef(r, in.Organization)
		if err != nil {
			return err
		}
		nu.OrganizationID = oid
	}
	if in.Password != "" {
		hash, err := auth.HashPassword(in.Password)
		if err != nil {
			return errs.Invalid("password", "must be at least 8 characters")
		}
		nu.PasswordHash = hash
	}
	u, err := a.store.CreateUser(r.Context(), id.Actor, nu)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

// updateUserBody is what PATCH /api/v1/users/{id} takes: the fields to
// change, the others left as they are.
type updateUserBody struct {
	Email        optional[string] `json:"email"`
	Name         optional[string] `json:"name"`
	Role         optional[string] `json:"role"`
	Organization optional[ref]    `json:"organization"`
	Active       optional[bool]   `json:"active"`
}

func (a *API) updateUser(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	uid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in updateUserBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		null bool
	}{{"email", in.Email.Null}, {"name", in.Name.Null}, {"role", in.Role.Null}, {"active", in.Active.Null}} {
		if f.null {
			return errs.Invalid(f.name, "cannot be null")
		}
	}
	u, err := a.store.User(r.Context(), uid)
	if err != nil {
		return err
	}
	p := store.UserPatch{Email: u.Email, Name: u.Name, Role: u.Role, OrganizationID: u.OrganizationID, Active: u.Active}
	if in.Email.Set {
		p.Email = in.Email.Value
	}
	if in.Name.Set {
		p.Name = in.Name.Value
	}
	if in.Role.Set {
		p.Role = directory.Role(in.Role.Value)
	}
	if in.Active.Set {
		p.Active = in.Active.Value
	}
	if in.Organization.Set {
		p.OrganizationID = 0
		if !in.Organization.Null && in.Organization.Value != "" {
			if p.OrganizationID, err = a.organizationRef(r, in.Organization.Value); err != nil {
				return err
			}
		}
	}
	if u, err = a.store.UpdateUser(r.Context(), id.Actor, uid, p); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (a *API) listTeams(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	teams, err := a.store.Teams(r.Context())
	if err != nil {
		return err
	}
	if teams == nil {
		teams = []directory.Team{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"teams": teams})
	return nil
}

func (a *API) createTeam(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in struct {
		Name      string  `json:"name"`
		MemberIDs []int64 `json:"member_ids"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	t, err := a.store.CreateTeam(r.Context(), id.Actor, in.Name, in.MemberIDs)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (a *API) setTeamMembers(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	tid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		MemberIDs []int64 `json:"member_ids"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := a.store.SetTeamMembers(r.Context(), id.Actor, tid, in.MemberIDs); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// organizationRef resolves an organization by id or name.
func (a *API) organizationRef(r *http.Request, x ref) (int64, error) {
	if n, ok := x.id(); ok {
		return n, nil
	}
	o, err := a.store.OrganizationByName(r.Context(), string(x))
	if errs.Is(err, errs.KindNotFound) {
		return 0, errs.Invalid("organization", "no organization named %q", x)
	}
	return o.ID, err
}

// userRef resolves a user by id or email.
func (a *API) userRef(r *http.Request, field string, x ref) (int64, error) {
	if n, ok := x.id(); ok {
		return n, nil
	}
	u, err := a.store.UserByEmail(r.Context(), string(x))
	if errs.Is(err, errs.KindNotFound) {
		return 0, errs.Invalid(field, "no user %q", x)
	}
	return u.ID, err
}

// teamRef resolves a team by id or name. Ids are checked here too, so that
// an unknown one is reported under the request's own field name.
func (a *API) teamRef(r *http.Request, field string, x ref) (int64, error) {
	teams, err := a.store.Teams(r.Context())
	if err != nil {
		return 0, err
	}
	n, isID := x.id()
	for _, t := range teams {
		if (isID && t.ID == n) || equalFold(t.Name, string(x)) {
			return t.ID, nil
		}
	}
	if isID {
		return 0, errs.Invalid(field, "no team with id %d", n)
	}
	return 0, errs.Invalid(field, "no team named %q", x)
}

func paging(limit, offset string, max int) (int, int, error) {
	l, o := 50, 0
	var err error
	if limit != "" {
		if l, err = strconv.Atoi(limit); err != nil || l < 1 || l > max {
			return 0, 0, errs.Invalid("limit", "must be a number from 1 to %d", max)
		}
	}
	if offset != "" {
		if o, err = strconv.Atoi(offset); err != nil || o < 0 {
			return 0, 0, errs.Invalid("offset", "must be a number of 0 or more")
		}
	}
	return l, o, nil
}
