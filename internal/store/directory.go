package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// CreateOrganization adds a customer organization.
func (s *Store) CreateOrganization(ctx context.Context, actor directory.Actor, name string) (directory.Organization, error) {
	name, err := directory.ValidateName("name", name)
	if err != nil {
		return directory.Organization{}, err
	}
	var o directory.Organization
	err = s.inTx(ctx, func(c *conn) error {
		id, err := c.insert(`INSERT INTO organizations (name, created_at) VALUES (?, ?)`, name, millis(c.now))
		if isUnique(err) {
			return &errs.Error{Kind: errs.KindConflict, Code: "duplicate", Field: "name", Message: fmt.Sprintf("an organization named %q exists already", name)}
		}
		if err != nil {
			return fmt.Errorf("create organization: %w", err)
		}
		o = directory.Organization{ID: id, Name: name, CreatedAt: c.now}
		return c.appendEvent("organization", id, "organization.created", actor, o)
	})
	return o, err
}

// Organizations lists every organization by name.
func (s *Store) Organizations(ctx context.Context) ([]directory.Organization, error) {
	rows, err := s.reader(ctx).query(`SELECT id, name, created_at FROM organizations ORDER BY lower(name)`)
	if err != nil {
		return nil, fmt.Errorf("list organizations: %w", err)
	}
	defer rows.Close()
	var out []directory.Organization
	for rows.Next() {
		var o directory.Organization
		var created int64
		if err := rows.Scan(&o.ID, &o.Name, &created); err != nil {
			return nil, err
		}
		o.CreatedAt = fromMillis(created)
		out = append(out, o)
	}
	return out, rows.Err()
}

// OrganizationByName finds an organization, letter case ignored.
func (s *Store) OrganizationByName(ctx context.Context, name string) (directory.Organization, error) {
	var o directory.Organization
	var created int64
	err := s.reader(ctx).row(`SELECT id, name, created_at FROM organizations WHERE lower(name) = lower(?)`, strings.TrimSpace(name)).Scan(&o.ID, &o.Name, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return o, errs.NotFound("no organization named %q", name)
	}
	o.CreatedAt = fromMillis(created)
	return o, err
}

// NewUser is what creating a user takes. PasswordHash may be empty: the
// user then signs in only with API tokens until a password is set.
type NewUser struct {
	Email          string
	Name           string
	Role           directory.Role
	OrganizationID int64
	PasswordHash   string
}

// CreateUser adds a user.
func (s *Store) CreateUser(ctx context.Context, actor directory.Actor, in NewUser) (directory.User, error) {
	u, err := directory.NewUser(in.Email, in.Name, in.Role)
	if err != nil {
		return u, err
	}
	u.OrganizationID = in.OrganizationID
	err = s.inTx(ctx, func(c *conn) error {
		if u.OrganizationID != 0 {
			if err := c.mustExist("organizations", "organization", u.OrganizationID); err != nil {
				return err
			}
		}
		u.CreatedAt = c.now
		id, err := c.insert(`INSERT INTO users (email, name, role, organization_id, password_hash, active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			u.Email, u.Name, string(u.Role), nullID(u.OrganizationID), in.PasswordHash, true, millis(c.now))
		if isUnique(err) {
			return &errs.Error{Kind: errs.KindConflict, Code: "duplicate", Field: "email", Message: fmt.Sprintf("a user with email %s exists already", u.Email)}
		}
		if err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		u.ID = id
		return c.appendEvent("user", id, EventUserCreated, actor, u)
	})
	return u, err
}

// UserPatch is the editable record of a user; UpdateUser sets every field
// as given. OrganizationID 0 means none.
type UserPatch struct {
	Name           string
	Email          string
	Role           directory.Role
	OrganizationID int64
	Active         bool
}

// UserChange is one field an edit of a user changed, as the user's
// history shows it.
type UserChange struct {
	Field string `json:"field"`
	From  any    `json:"from"`
	To    any    `json:"to"`
}

// The events that creating and changing people record: in the user's
// stream, and in a team's when a member leaves it.
const (
	EventUserCreated     = "user.created"
	EventUserUpdated     = "user.updated"
	EventUserPasswordSet = "user.password_set"
	EventTeamMemberLeft  = "team.member_removed"
)

// UpdateUser changes a user; only admins may. The fields are checked as
// CreateUser checks them. Nobody may take away their own admin role or
// deactivate themselves, and the last active admin stays one, so that
// somebody can always administer Cairn.
//
// Deactivating ends the user's sessions; their API tokens are kept but
// refused while they are inactive, and they can no longer be made assignee
// or approver. Their tickets keep them as reporter and assignee.
//
// Making a customer of an agent or admin takes them out of their teams and
// unassigns their open tickets (resolved and closed ones keep them), so
// that the work goes back to the teams' queues instead of waiting on
// someone who cannot see it. Each of these is recorded in the team's or
// ticket's history, all in the same transaction.
func (s *Store) UpdateUser(ctx context.Context, actor directory.Actor, id int64, p UserPatch) (directory.User, error) {
	if actor.Role != directory.RoleAdmin {
		return directory.User{}, errs.Forbidden("only admins may change people")
	}
	next, err := directory.NewUser(p.Email, p.Name, p.Role)
	if err != nil {
		return directory.User{}, err
	}
	next.ID, next.OrganizationID, next.Active = id, p.OrganizationID, p.Active
	err = s.inTx(ctx, func(c *conn) error {
		cur, err := c.user(id)
		if err != nil {
			return err
		}
		next.CreatedAt = cur.CreatedAt
		if next.OrganizationID != 0 {
			if err := c.mustExist("organizations", "organization", next.OrganizationID); err != nil {
				return err
			}
		}
		if err := c.keepAnAdmin(actor, cur, next); err != nil {
			return err
		}
		changes := userChanges(cur, next)
		if len(changes) == 0 {
			return nil
		}
		_, err = c.exec(`UPDATE users SET email = ?, name = ?, role = ?, organization_id = ?, active = ? WHERE id = ?`,
			next.Email, next.Name, string(next.Role), nullID(next.OrganizationID), next.Active, id)
		if isUnique(err) {
			return &errs.Error{Kind: errs.KindConflict, Code: "duplicate", Field: "email", Message: fmt.Sprintf("a user with email %s exists already", next.Email)}
		}
		if err != nil {
			return fmt.Errorf("update user %d: %w", id, err)
		}
		data := map[string]any{"changes": changes}
		if cur.Active && !next.Active {
			ended, err := c.endSessions(id)
			if err != nil {
				return err
			}
			data["sessions_ended"] = ended
		}
		if cur.Role.Staff() && !next.Role.Staff() {
			teams, err := c.leaveTeams(actor, id, next.Role)
			if err != nil {
				return err
			}
			keys, err := c.unassignOpen(actor, id)
			if err != nil {
				return err
			}
			if len(teams) > 0 {
				data["teams_left"] = teams
			}
			if len(keys) > 0 {
				data["tickets_unassigned"] = keys
			}
		}
		return c.appendEvent("user", id, EventUserUpdated, actor, data)
	})
	if err != nil {
		return directory.User{}, err
	}
	return next, nil
}

// keepAnAdmin refuses an edit that would leave Cairn without an active
// admin, or by which an admin would demote or deactivate themselves.
func (c *conn) keepAnAdmin(actor directory.Actor, cur, next directory.User) error {
	self := actor.UserID != 0 && actor.UserID == cur.ID
	if self && cur.Role == directory.RoleAdmin && next.Role != directory.RoleAdmin {
		return errs.Invalid("role", "you cannot take away your own admin role; another admin can")
	}
	if self && cur.Active && !next.Active {
		return errs.Invalid("active", "you cannot deactivate yourself; another admin can")
	}
	if cur.Role != directory.RoleAdmin || !cur.Active || (next.Role == directory.RoleAdmin && next.Active) {
		return nil
	}
	// On PostgreSQL two admins demoting each other at once would each see
	// the other still active: lock the active admins, in one order so that
	// the two wait for each other instead of deadlocking.
	lock := ""
	if c.s.engine == Postgres {
		lock = " FOR UPDATE"
	}
	admins, err := c.ids(`SELECT id FROM users WHERE role = 'admin' AND active ORDER BY id` + lock)
	if err != nil {
		return fmt.Errorf("active admins: %w", err)
	}
	if slices.ContainsFunc(admins, func(a int64) bool { return a != cur.ID }) {
		return nil
	}
	field := "role"
	if next.Role == directory.RoleAdmin {
		field = "active"
	}
	return errs.Invalid(field, "%s is the last active admin; make someone else an admin first", cur.Email)
}

// userChanges lists the fields that differ, by the names the API uses.
func userChanges(a, b directory.User) []UserChange {
	var out []UserChange
	add := func(field string, from, to any) {
		if from != to {
			out = append(out, UserChange{Field: field, From: from, To: to})
		}
	}
	add("name", a.Name, b.Name)
	add("email", a.Email, b.Email)
	add("role", string(a.Role), string(b.Role))
	add("organization_id", a.OrganizationID, b.OrganizationID)
	add("active", a.Active, b.Active)
	return out
}

// leaveTeams takes a user who is no longer staff out of every team, with an
// event in each team's stream, and gives the teams' ids.
func (c *conn) leaveTeams(actor directory.Actor, userID int64, role directory.Role) ([]int64, error) {
	teams, err := c.ids(`SELECT team_id FROM team_members WHERE user_id = ? ORDER BY team_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("teams of user %d: %w", userID, err)
	}
	if _, err := c.exec(`DELETE FROM team_members WHERE user_id = ?`, userID); err != nil {
		return nil, fmt.Errorf("remove user %d from teams: %w", userID, err)
	}
	for _, tid := range teams {
		err := c.appendEvent("team", tid, EventTeamMemberLeft, actor, map[string]any{
			"user_id": userID, "reason": "role changed to " + string(role)})
		if err != nil {
			return nil, err
		}
	}
	return teams, nil
}

// unassignOpen unassigns a user's tickets that are not done, each with an
// update in the ticket's history as if an agent had cleared the assignee,
// and gives their keys.
func (c *conn) unassignOpen(actor directory.Actor, userID int64) ([]string, error) {
	rows, err := c.query(`SELECT id, key FROM tickets WHERE assignee_id = ? AND status_category <> ? ORDER BY id`,
		userID, string(ticket.CategoryDone))
	if err != nil {
		return nil, fmt.Errorf("open tickets of user %d: %w", userID, err)
	}
	var ids []int64
	var keys []string
	for rows.Next() {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			rows.Close()
			return nil, err
		}
		ids, keys = append(ids, id), append(keys, key)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, id := range ids {
		if _, err := c.exec(`UPDATE tickets SET assignee_id = NULL, updated_at = ? WHERE id = ?`, millis(c.now), id); err != nil {
			return nil, fmt.Errorf("unassign %s: %w", keys[i], err)
		}
		changes := []ticket.Change{{Field: "assignee_id", From: userID, To: int64(0)}}
		if err := c.appendEvent("ticket", id, ticket.EventUpdated, actor, map[string]any{"changes": changes}); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// UserEvent is one entry of a user's history: created, edited, a password
// set, an API token made or revoked.
type UserEvent struct {
	ID        int64
	Type      string
	ActorID   int64
	Actor     string
	Changes   []UserChange
	Data      map[string]any // what else the event holds
	CreatedAt time.Time
}

// UserHistory gives a user's event log, oldest first; only admins may read it.
func (s *Store) UserHistory(ctx context.Context, actor directory.Actor, id int64) ([]UserEvent, error) {
	if actor.Role != directory.RoleAdmin {
		return nil, errs.Forbidden("only admins may read the history of people")
	}
	c := s.reader(ctx)
	if err := c.mustExist("users", "user", id); err != nil {
		return nil, errs.NotFound("no user with id %d", id)
	}
	rows, err := c.query(`SELECT e.id, e.type, COALESCE(e.actor_id, 0), COALESCE(u.name, 'Cairn'), e.data, e.created_at
		FROM events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE e.stream = 'user' AND e.stream_id = ? ORDER BY e.id`, id)
	if err != nil {
		return nil, fmt.Errorf("history of user %d: %w", id, err)
	}
	defer rows.Close()
	out := []UserEvent{}
	for rows.Next() {
		var ev UserEvent
		var data string
		var created int64
		if err := rows.Scan(&ev.ID, &ev.Type, &ev.ActorID, &ev.Actor, &data, &created); err != nil {
			return nil, err
		}
		ev.CreatedAt = fromMillis(created)
		var payload struct {
			Changes []UserChange `json:"changes"`
		}
		if err := json.Unmarshal([]byte(data), &payload); err != nil {
			return nil, fmt.Errorf("event %d: %w", ev.ID, err)
		}
		ev.Changes = payload.Changes
		if err := json.Unmarshal([]byte(data), &ev.Data); err != nil {
			return nil, fmt.Errorf("event %d: %w", ev.ID, err)
		}
		delete(ev.Data, "changes")
		out = append(out, ev)
	}
	return out, rows.Err()
}

// mustExist answers an invalid-field error when the referenced row is missing.
func (c *conn) mustExist(table, field string, id int64) error {
	var one int
	err := c.row(`SELECT 1 FROM `+table+` WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.Invalid(field, "no %s with id %d", field, id)
	}
	return err
}

const userColumns = `id, email, name, role, COALESCE(organization_id, 0), active, created_at`

func scanUser(sc interface{ Scan(...any) error }) (directory.User, error) {
	var u directory.User
	var role string
	var created int64
	err := sc.Scan(&u.ID, &u.Email, &u.Name, &role, &u.OrganizationID, &u.Active, &created)
	u.Role = directory.Role(role)
	u.CreatedAt = fromMillis(created)
	return u, err
}

// User finds a user by id.
func (s *Store) User(ctx context.Context, id int64) (directory.User, error) {
	u, err := scanUser(s.reader(ctx).row(`SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, errs.NotFound("no user with id %d", id)
	}
	return u, err
}

// UserByEmail finds a user by email address, letter case ignored.
func (s *Store) UserByEmail(ctx context.Context, email string) (directory.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	u, err := scanUser(s.reader(ctx).row(`SELECT `+userColumns+` FROM users WHERE email = ?`, email))
	if errors.Is(err, sql.ErrNoRows) {
		return u, errs.NotFound("no user with email %s", email)
	}
	return u, err
}

// PasswordHash gives the stored password hash of an active user.
func (s *Store) PasswordHash(ctx context.Context, email string) (directory.User, string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	var hash string
	var u directory.User
	var role string
	var created int64
	err := s.reader(ctx).row(`SELECT `+userColumns+`, password_hash FROM users WHERE email = ? AND active`, email).
		Scan(&u.ID, &u.Email, &u.Name, &role, &u.OrganizationID, &u.Active, &created, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return u, "", errs.NotFound("no active user with email %s", email)
	}
	u.Role = directory.Role(role)
	u.CreatedAt = fromMillis(created)
	return u, hash, err
}

// SetPassword replaces a user's password hash and ends every session of
// theirs: whoever knew the old password is signed out with it. (A page that
// lets people change their own password signs the browser in again.)
func (s *Store) SetPassword(ctx context.Context, actor directory.Actor, userID int64, hash string) error {
	return s.inTx(ctx, func(c *conn) error {
		res, err := c.exec(`UPDATE users SET password_hash = ? WHERE id = ?`, hash, userID)
		if err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.NotFound("no user with id %d", userID)
		}
		ended, err := c.endSessions(userID)
		if err != nil {
			return err
		}
		return c.appendEvent("user", userID, EventUserPasswordSet, actor, map[string]any{"sessions_ended": ended})
	})
}

// UserFilter narrows a user listing. Active nil lists active and inactive
// users alike.
type UserFilter struct {
	Role           directory.Role
	OrganizationID int64
	Active         *bool
	Limit, Offset  int
}

// Users lists users by name.
func (s *Store) Users(ctx context.Context, f UserFilter) ([]directory.User, error) {
	q := `SELECT ` + userColumns + ` FROM users WHERE 1=1`
	var args []any
	if f.Role != "" {
		q += ` AND role = ?`
		args = append(args, string(f.Role))
	}
	if f.OrganizationID != 0 {
		q += ` AND organization_id = ?`
		args = append(args, f.OrganizationID)
	}
	if f.Active != nil {
		if *f.Active {
			q += ` AND active`
		} else {
			q += ` AND NOT active`
		}
	}
	if f.Limit <= 0 {
		f.Limit = 1000
	}
	q += ` ORDER BY lower(name), id LIMIT ? OFFSET ?`
	args = append(args, f.Limit, f.Offset)
	rows, err := s.reader(ctx).query(q, args...)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []directory.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CreateTeam adds a team of agents.
func (s *Store) CreateTeam(ctx context.Context, actor directory.Actor, name string, memberIDs []int64) (directory.Team, error) {
	name, err := directory.ValidateName("name", name)
	if err != nil {
		return directory.Team{}, err
	}
	t := directory.Team{Name: name, MemberIDs: memberIDs}
	if t.MemberIDs == nil {
		t.MemberIDs = []int64{}
	}
	err = s.inTx(ctx, func(c *conn) error {
		id, err := c.insert(`INSERT INTO teams (name, created_at) VALUES (?, ?)`, name, millis(c.now))
		if isUnique(err) {
			return &errs.Error{Kind: errs.KindConflict, Code: "duplicate", Field: "name", Message: fmt.Sprintf("a team named %q exists already", name)}
		}
		if err != nil {
			return fmt.Errorf("create team: %w", err)
		}
		t.ID, t.CreatedAt = id, c.now
		if err := c.setMembers(id, t.MemberIDs); err != nil {
			return err
		}
		return c.appendEvent("team", id, "team.created", actor, t)
	})
	return t, err
}

// SetTeamMembers replaces the members of a team.
func (s *Store) SetTeamMembers(ctx context.Context, actor directory.Actor, teamID int64, memberIDs []int64) error {
	return s.inTx(ctx, func(c *conn) error {
		if err := c.mustExist("teams", "team", teamID); err != nil {
			return errs.NotFound("no team with id %d", teamID)
		}
		if _, err := c.exec(`DELETE FROM team_members WHERE team_id = ?`, teamID); err != nil {
			return err
		}
		if err := c.setMembers(teamID, memberIDs); err != nil {
			return err
		}
		return c.appendEvent("team", teamID, "team.members_set", actor, map[string]any{"member_ids": memberIDs})
	})
}

func (c *conn) setMembers(teamID int64, memberIDs []int64) error {
	for i, uid := range memberIDs {
		var role string
		err := c.row(`SELECT role FROM users WHERE id = ?`, uid).Scan(&role)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.Invalid(fmt.Sprintf("member_ids[%d]", i), "no user with id %d", uid)
		}
		if err != nil {
			return err
		}
		if !directory.Role(role).Staff() {
			return errs.Invalid(fmt.Sprintf("member_ids[%d]", i), "user %d is a customer; teams hold agents and admins", uid)
		}
		if _, err := c.exec(`INSERT INTO team_members (team_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, teamID, uid); err != nil {
			return fmt.Errorf("add team member: %w", err)
		}
	}
	return nil
}

// Teams lists every team with its members.
func (s *Store) Teams(ctx context.Context) ([]directory.Team, error) {
	c := s.reader(ctx)
	rows, err := c.query(`SELECT id, name, created_at FROM teams ORDER BY lower(name)`)
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	var out []directory.Team
	byID := map[int64]int{}
	for rows.Next() {
		var t directory.Team
		var created int64
		if err := rows.Scan(&t.ID, &t.Name, &created); err != nil {
			rows.Close()
			return nil, err
		}
		t.CreatedAt = fromMillis(created)
		t.MemberIDs = []int64{}
		byID[t.ID] = len(out)
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = c.query(`SELECT team_id, user_id FROM team_members ORDER BY user_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var tid, uid int64
		if err := rows.Scan(&tid, &uid); err != nil {
			return nil, err
		}
		if i, ok := byID[tid]; ok {
			out[i].MemberIDs = append(out[i].MemberIDs, uid)
		}
	}
	return out, rows.Err()
}

// Actor loads who a signed-in user is, with their teams and the services
// those teams serve, for access checks.
func (s *Store) Actor(ctx context.Context, u directory.User) (directory.Actor, error) {
	a := directory.Actor{UserID: u.ID, Name: u.Name, Role: u.Role, OrganizationID: u.OrganizationID}
	if !u.Role.Staff() {
		return a, nil
	}
	c := s.reader(ctx)
	var err error
	if a.TeamIDs, err = c.ids(`SELECT team_id FROM team_members WHERE user_id = ? ORDER BY team_id`, u.ID); err != nil {
		return a, fmt.Errorf("teams of user %d: %w", u.ID, err)
	}
	a.ServiceIDs, err = c.ids(`SELECT DISTINCT st.service_id FROM service_teams st JOIN team_members tm ON tm.team_id = st.team_id
		WHERE tm.user_id = ? ORDER BY st.service_id`, u.ID)
	if err != nil {
		return a, fmt.Errorf("services of user %d: %w", u.ID, err)
	}
	return a, nil
}

// ids runs a query of one integer column.
func (c *conn) ids(query string, args ...any) ([]int64, error) {
	rows, err := c.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
