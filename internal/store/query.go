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

	"github.com/jackc/pgx/v5"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/cql"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

type locationKey struct{}

// InLocation gives a context whose queries read dates, and startOfDay()
// and its kin, in loc: the time zone of the person asking or of the desk.
// Without it queries use the server's time zone.
func InLocation(ctx context.Context, loc *time.Location) context.Context {
	return context.WithValue(ctx, locationKey{}, loc)
}

func queryLocation(ctx context.Context) *time.Location {
	if loc, ok := ctx.Value(locationKey{}).(*time.Location); ok && loc != nil {
		return loc
	}
	return time.Local
}

// SearchTickets lists the tickets the actor may see that match the query q
// (see internal/cql), a page at a time, in the query's order. A mistake in
// the query is an invalid error on field "q" that tells the line and
// column.
func (s *Store) SearchTickets(ctx context.Context, actor directory.Actor, q string, limit, offset int) (TicketPage, error) {
	page := TicketPage{Tickets: []ticket.Ticket{}, Limit: limit, Offset: offset}
	if page.Limit <= 0 {
		page.Limit = 50
	}
	if page.Limit > MaxPage {
		page.Limit = MaxPage
	}
	if page.Offset < 0 {
		page.Offset = 0
	}
	c := s.reader(ctx)
	parsed, sql, err := c.compileQuery(q, actor.UserID, !actor.Role.Staff())
	if err != nil {
		return page, err
	}
	// The access rule in its indexed shape; a query of one's own requests
	// also lists an agent's requests on services they do not serve.
	var f TicketFilter
	if parsed.PinsReporterToCurrentUser() {
		f.ReporterID = actor.UserID
	}
	cond, listedArgs := listedTickets(actor, f)
	w := ` WHERE ` + cond + ` AND ` + sql.Where
	args := append(slices.Clone(listedArgs), sql.Args...)
	if err := c.row(`SELECT COUNT(*) FROM tickets t`+w, c.planEachTime(args)...).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("count tickets: %w", err)
	}
	if page.Total == 0 || page.Offset >= page.Total {
		return page, nil
	}
	if textLast, err := c.textLast(parsed, sql, page.Total); err != nil {
		return page, err
	} else if textLast {
		_, sql, err = c.compileQueryWith(q, actor.UserID, !actor.Role.Staff(), true)
		if err != nil {
			return page, err
		}
		args = append(listedArgs, sql.Args...)
		w = ` WHERE ` + cond + ` AND ` + sql.Where
	}
	// The page's ids first, then their rows: sorting ids alone lets an
	// index cover the sort, where sorting whole rows with their joins
	// reads every match from the table (ten times as long at 1 000 000
	// tickets on SQLite).
	args = append(append(args, sql.OrderArgs...), page.Limit, page.Offset)
	ids, err := c.ids(`SELECT t.id FROM tickets t`+w+` ORDER BY `+sql.OrderBy+` LIMIT ? OFFSET ?`, c.planEachTime(args)...)
	if err != nil {
		return page, fmt.Errorf("search tickets: %w", err)
	}
	if len(ids) == 0 {
		return page, nil
	}
	rows, err := c.query(`SELECT `+ticketColumns+ticketJoins+` WHERE t.id IN (`+placeholders(len(ids))+`)`, int64Args(ids)...)
	if err != nil {
		return page, fmt.Errorf("search tickets: %w", err)
	}
	defer rows.Close()
	byID := make(map[int64]ticket.Ticket, len(ids))
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return page, err
		}
		byID[t.ID] = t
	}
	if err := rows.Err(); err != nil {
		return page, err
	}
	for _, id := range ids {
		if t, ok := byID[id]; ok { // a ticket cannot go, but be safe
			page.Tickets = append(page.Tickets, t)
		}
	}
	return page, nil
}

// MatchTickets tells which of the tickets ids match the query q, ignoring
// access control: the SLA engine picks goals with it. Every id is in the
// answer. currentUser() is nobody here.
func (s *Store) MatchTickets(ctx context.Context, q string, ticketIDs []int64) (map[int64]bool, error) {
	out := make(map[int64]bool, len(ticketIDs))
	for _, id := range ticketIDs {
		out[id] = false
	}
	if len(ticketIDs) == 0 {
		return out, nil
	}
	c := s.reader(ctx)
	_, sql, err := c.compileQuery(q, 0, false)
	if err != nil {
		return nil, err
	}
	const chunk = 500
	for start := 0; start < len(ticketIDs); start += chunk {
		ids := ticketIDs[start:min(start+chunk, len(ticketIDs))]
		matched, err := c.ids(`SELECT t.id FROM tickets t WHERE t.id IN (`+placeholders(len(ids))+`) AND `+sql.Where,
			c.planEachTime(append(int64Args(ids), sql.Args...))...)
		if err != nil {
			return nil, fmt.Errorf("match tickets: %w", err)
		}
		for _, id := range matched {
			out[id] = true
		}
	}
	return out, nil
}

// ValidateQuery checks a query that a form saves (a queue, an SLA goal):
// nil when it parses and names only what exists.
func (s *Store) ValidateQuery(ctx context.Context, q string) error {
	_, _, err := s.reader(ctx).compileQuery(q, 0, false)
	return err
}

// compileQuery parses and compiles q for this engine, looking names up in
// the database. user is who runs it (0 for nobody); customer keeps a
// customer's query to what customers may read.
// textLastShare is the share of all tickets (1 in textLastShare) a
// full-text search must match for its page to be read newest first,
// checking each ticket against the matches (see cql.Options.TextLast):
// the walk then reads about 50 × textLastShare tickets at most, where
// starting from the matches reads every one of them. Measured at 1 000 000
// tickets on SQLite, a word in 7 % of them: 170 ms from the matches, 21 ms
// newest first; for a word in 0.06 %, newest first would read them all.
const textLastShare = 100

// textLast tells whether a SQLite page of query parsed, which matched
// total tickets, is cheaper read newest first: it searches the full-text
// index, keeps the default order (which an index serves), and matches at
// least one ticket in textLastShare.
func (c *conn) textLast(parsed *cql.Query, compiled cql.SQL, total int) (bool, error) {
	if c.s.engine != SQLite || !compiled.FullText || len(parsed.OrderBy) > 0 {
		return false, nil
	}
	// A bare MAX(id) is one step down the primary key; wrapped in
	// COALESCE, SQLite scanned an index (4 ms at 1 000 000 tickets).
	var top sql.NullInt64
	if err := c.row(`SELECT MAX(id) FROM tickets`).Scan(&top); err != nil {
		return false, err
	}
	return int64(total)*textLastShare >= top.Int64, nil
}

func (c *conn) compileQuery(q string, user int64, customer bool) (*cql.Query, cql.SQL, error) {
	return c.compileQueryWith(q, user, customer, false)
}

func (c *conn) compileQueryWith(q string, user int64, customer, textLast bool) (*cql.Query, cql.SQL, error) {
	parsed, err := cql.Parse(q)
	if err != nil {
		return nil, cql.SQL{}, queryError(err)
	}
	dialect := cql.SQLite
	if c.s.engine == Postgres {
		dialect = cql.PostgreSQL
	}
	names := &queryNames{c: c, user: user, loc: queryLocation(c.ctx), ids: map[string][]int64{}, names: map[cql.Entity][]string{}}
	sql, err := cql.Compile(parsed, cql.Options{Dialect: dialect, Resolver: names, Customer: customer, TextLast: textLast})
	if err != nil {
		return nil, cql.SQL{}, queryError(err)
	}
	return parsed, sql, nil
}

// planEachTime makes PostgreSQL plan a query for its arguments each time
// it runs. pgx prepares and caches statements, and after five runs
// PostgreSQL may switch to a generic plan, made without the arguments: it
// cannot tell a rare searched word from a common one, nor a customer's few
// tickets from a whole desk's, and its plan for text ~ took 50-700 ms where
// one made for the arguments takes 2-80 ms (1 000 000 tickets).
func (c *conn) planEachTime(args []any) []any {
	if c.s.engine != Postgres {
		return args
	}
	return append([]any{pgx.QueryExecModeExec}, args...)
}

func queryError(err error) error {
	var qe *cql.Error
	if errors.As(err, &qe) {
		return errs.Invalid("q", "%s", qe.Error())
	}
	return fmt.Errorf("query: %w", err)
}

// queryNames looks up the names a query uses, once each per query.
type queryNames struct {
	c            *conn
	user         int64
	loc          *time.Location
	ids          map[string][]int64
	names        map[cql.Entity][]string
	fields       []cql.CustomField
	fieldsLoaded bool
}

// IDs finds records by name, letter case ignored; users by email or name.
func (r *queryNames) IDs(e cql.Entity, name string) ([]int64, error) {
	key := fmt.Sprintf("%d\x00%s", e, strings.ToLower(name))
	if ids, ok := r.ids[key]; ok {
		return ids, nil
	}
	var q string
	arg := name
	switch e {
	case cql.EntityService:
		q = `SELECT id FROM services WHERE lower(name) = lower(?)`
	case cql.EntityRequestType:
		q = `SELECT id FROM request_types WHERE lower(name) = lower(?) ORDER BY id`
	case cql.EntityTeam:
		q = `SELECT id FROM teams WHERE lower(name) = lower(?)`
	case cql.EntityOrganization:
		q = `SELECT id FROM organizations WHERE lower(name) = lower(?)`
	case cql.EntityUser:
		if strings.Contains(name, "@") {
			q, arg = `SELECT id FROM users WHERE email = ?`, strings.ToLower(name)
		} else {
			q = `SELECT id FROM users WHERE lower(name) = lower(?) ORDER BY id`
		}
	default:
		return nil, fmt.Errorf("look up %s: not by id", e)
	}
	ids, err := r.c.ids(q, arg)
	if err != nil {
		return nil, fmt.Errorf("look up %s %q: %w", e, name, err)
	}
	r.ids[key] = ids
	return ids, nil
}

// Names lists names for hints. Users are too many to list.
func (r *queryNames) Names(e cql.Entity) ([]string, error) {
	if names, ok := r.names[e]; ok {
		return names, nil
	}
	var q string
	switch e {
	case cql.EntityService:
		q = `SELECT name FROM services ORDER BY id`
	case cql.EntityRequestType:
		q = `SELECT DISTINCT name FROM request_types ORDER BY name`
	case cql.EntityTeam:
		q = `SELECT name FROM teams ORDER BY id`
	case cql.EntityOrganization:
		q = `SELECT name FROM organizations ORDER BY id`
	default:
		return nil, nil
	}
	rows, err := r.c.query(q)
	if err != nil {
		return nil, fmt.Errorf("list %s names: %w", e, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	r.names[e] = out
	return out, nil
}

// Statuses lists the statuses of every workflow.
func (r *queryNames) Statuses() ([]ticket.Status, error) {
	rows, err := r.c.query(`SELECT definition FROM workflows ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("statuses: %w", err)
	}
	defer rows.Close()
	var out []ticket.Status
	for rows.Next() {
		var def string
		if err := rows.Scan(&def); err != nil {
			return nil, err
		}
		var w struct {
			Statuses []ticket.Status `json:"statuses"`
		}
		if err := json.Unmarshal([]byte(def), &w); err != nil {
			return nil, fmt.Errorf("statuses: %w", err)
		}
		out = append(out, w.Statuses...)
	}
	return out, rows.Err()
}

// TeamMembers gives the members of the team named team.
func (r *queryNames) TeamMembers(team string) ([]int64, bool, error) {
	teams, err := r.IDs(cql.EntityTeam, team)
	if err != nil || len(teams) == 0 {
		return nil, false, err
	}
	ids, err := r.c.ids(`SELECT user_id FROM team_members WHERE team_id = ? ORDER BY user_id`, teams[0])
	if err != nil {
		return nil, false, fmt.Errorf("members of team %q: %w", team, err)
	}
	return ids, true, nil
}

// CustomFields lists the fields of every request type's form.
func (r *queryNames) CustomFields() ([]cql.CustomField, error) {
	if r.fieldsLoaded {
		return r.fields, nil
	}
	rows, err := r.c.query(`SELECT fields FROM request_types ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("custom fields: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		var form []catalog.Field
		if err := json.Unmarshal([]byte(raw), &form); err != nil {
			return nil, fmt.Errorf("custom fields: %w", err)
		}
		for _, f := range form {
			r.fields = append(r.fields, cql.CustomField{Key: f.Key, Label: f.Label, Type: f.Type, Options: f.Options})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	r.fieldsLoaded = true
	return r.fields, nil
}

// CurrentUser is who runs the query.
func (r *queryNames) CurrentUser() int64 { return r.user }

// Now is the store's clock.
func (r *queryNames) Now() time.Time { return r.c.now }

// Location is the time zone of the query's dates.
func (r *queryNames) Location() *time.Location { return r.loc }
