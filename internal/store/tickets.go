package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// NewTicket is what raising a ticket takes. Service and RequestType are ids
// or names. Zero values mean "not given".
type NewTicket struct {
	Type           string
	Service        string
	RequestType    string
	Summary        string
	Description    string
	Priority       string
	Impact         string
	Urgency        string
	Fields         map[string]any
	Channel        ticket.Channel
	ReporterID     int64 // staff may raise a ticket for someone else
	OrganizationID int64 // share with this organization
	AssigneeID     int64
	TeamID         int64
}

// CreateTicket validates and raises a ticket in one transaction: number,
// row and ticket.created event.
func (s *Store) CreateTicket(ctx context.Context, actor directory.Actor, in NewTicket) (ticket.Ticket, error) {
	var t ticket.Ticket
	var err error
	if t.Summary, err = ticket.CleanSummary(in.Summary); err != nil {
		return t, err
	}
	if t.Description, err = ticket.CleanDescription(in.Description); err != nil {
		return t, err
	}
	if !actor.Role.Staff() {
		for field, set := range map[string]bool{"priority": in.Priority != "", "assignee": in.AssigneeID != 0, "team": in.TeamID != 0, "reporter": in.ReporterID != 0 && in.ReporterID != actor.UserID} {
			if set {
				return t, errs.Invalid(field, "only agents may set the %s", field)
			}
		}
	}
	if in.Impact != "" {
		l, ok := ticket.ParseLevel(in.Impact)
		if !ok {
			return t, errs.Invalid("impact", "must be one of high, medium, low")
		}
		t.Impact = l
	}
	if in.Urgency != "" {
		l, ok := ticket.ParseLevel(in.Urgency)
		if !ok {
			return t, errs.Invalid("urgency", "must be one of high, medium, low")
		}
		t.Urgency = l
	}
	if in.Priority != "" {
		p, ok := ticket.ParsePriority(in.Priority)
		if !ok {
			return t, errs.Invalid("priority", "must be one of Highest, High, Medium, Low, Lowest")
		}
		t.Priority = p
	}
	if in.Channel == "" {
		in.Channel = ticket.ChannelAPI
	}
	if !ticket.ValidChannel(in.Channel) {
		return t, errs.Invalid("channel", "must be one of portal, email, api, agent")
	}
	t.Channel = in.Channel
	if strings.TrimSpace(in.Service) == "" {
		return t, errs.Required("service")
	}
	if in.Type != "" && !ticket.ValidType(in.Type) {
		return t, errs.Invalid("type", "must be one of incident, service_request, problem, change")
	}
	t.Type = ticket.Type(in.Type)

	err = s.inTx(ctx, func(c *conn) error {
		svc, err := c.serviceRef(in.Service)
		if errs.Is(err, errs.KindNotFound) {
			return errs.Invalid("service", "%s", err.Error())
		}
		if err != nil {
			return err
		}
		if svc.Status != catalog.ServiceLive && !actor.Role.Staff() {
			return errs.Invalid("service", "service %q does not take requests (it is %s)", svc.Name, svc.Status)
		}
		if svc.Status == catalog.ServiceRetired {
			return errs.Invalid("service", "service %q is retired", svc.Name)
		}
		t.ServiceID, t.Service = svc.ID, svc.Name

		var form []catalog.Field
		if strings.TrimSpace(in.RequestType) != "" {
			rt, err := c.requestTypeRef(svc.ID, in.RequestType)
			if err != nil {
				return err
			}
			if rt.ServiceID != svc.ID {
				return errs.Invalid("request_type", "request type %q belongs to another service", rt.Name)
			}
			if rt.Internal && !actor.Role.Staff() {
				return errs.Invalid("request_type", "request type %q is raised by agents only", rt.Name)
			}
			if t.Type == "" {
				t.Type = ticket.Type(rt.TicketType)
			} else if string(t.Type) != rt.TicketType {
				return errs.Invalid("type", "request type %q raises a %s, not a %s", rt.Name, rt.TicketType, t.Type)
			}
			t.RequestTypeID, t.RequestType, form = rt.ID, rt.Name, rt.Fields
		}
		if t.Type == "" {
			return errs.Required("type")
		}
		if len(form) == 0 && len(in.Fields) > 0 {
			for k := range in.Fields {
				return errs.Invalid("fields."+k, "only a request type's form has fields; name a request_type")
			}
		}
		t.Fields, err = catalog.ValidateValues(form, in.Fields, c.staffOrUserExists(false))
		if err != nil {
			return err
		}

		t.ReporterID = actor.UserID
		if in.ReporterID != 0 {
			t.ReporterID = in.ReporterID
		}
		reporter, err := c.user(t.ReporterID)
		if err != nil {
			return errs.Invalid("reporter", "no user with id %d", t.ReporterID)
		}
		t.Reporter, t.ReporterEmail = reporter.Name, reporter.Email
		if in.OrganizationID != 0 {
			if !actor.Role.Staff() && in.OrganizationID != actor.OrganizationID {
				return errs.Invalid("organization", "you can share a request only with your own organization")
			}
			if err := c.mustExist("organizations", "organization", in.OrganizationID); err != nil {
				return err
			}
			t.OrganizationID = in.OrganizationID
		}
		if in.AssigneeID != 0 {
			if t.Assignee, err = c.assignable("assignee", in.AssigneeID, svc.ID); err != nil {
				return err
			}
			t.AssigneeID = in.AssigneeID
		}
		t.TeamID = in.TeamID
		if t.TeamID == 0 {
			t.TeamID = svc.OwnerTeamID
		} else if err := c.mustExist("teams", "team", t.TeamID); err != nil {
			return err
		}

		if t.Priority == "" {
			t.Priority = ticket.PriorityMedium
			if t.Type == ticket.TypeIncident {
				if t.Priority, err = c.matrixPriority(t.Impact, t.Urgency); err != nil {
					return err
				}
			}
		}
		wf, err := c.defaultWorkflow(t.Type)
		if err != nil {
			return err
		}
		st, err := statusOf(wf, wf.Initial)
		if err != nil {
			return err
		}
		t.WorkflowID, t.Status, t.StatusCategory = wf.ID, st.Name, st.Category
		t.CreatedAt, t.UpdatedAt = c.now, c.now

		var deskID, number int64
		var deskKey string
		err = c.row(`UPDATE desks SET next_number = next_number + 1 WHERE id = (SELECT desk_id FROM services WHERE id = ?)
			RETURNING id, key, next_number - 1`, svc.ID).Scan(&deskID, &deskKey, &number)
		if err != nil {
			return fmt.Errorf("number ticket: %w", err)
		}
		t.Key = fmt.Sprintf("%s-%d", deskKey, number)
		fields, _ := json.Marshal(t.Fields)
		t.ID, err = c.insert(`INSERT INTO tickets (key, desk_id, number, type, request_type_id, service_id, summary, description,
			reporter_id, organization_id, assignee_id, team_id, workflow_id, status, status_category, priority, priority_rank,
			impact, urgency, fields, channel, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.Key, deskID, number, string(t.Type), nullID(t.RequestTypeID), t.ServiceID, t.Summary, t.Description,
			t.ReporterID, nullID(t.OrganizationID), nullID(t.AssigneeID), nullID(t.TeamID), t.WorkflowID, t.Status,
			string(t.StatusCategory), string(t.Priority), t.Priority.Rank(), string(t.Impact), string(t.Urgency),
			string(fields), string(t.Channel), millis(c.now), millis(c.now))
		if err != nil {
			return fmt.Errorf("insert ticket: %w", err)
		}
		if err := c.appendEvent("ticket", t.ID, ticket.EventCreated, actor, createdEvent(t)); err != nil {
			return err
		}
		return c.requestCreated(t)
	})
	if err != nil {
		return ticket.Ticket{}, err
	}
	// Names of organization and team are filled by reading back, so that
	// the answer is exactly what a later GET shows.
	return s.Ticket(ctx, directory.System, t.Key)
}

// createdEvent is what the log keeps of a new ticket: its fields, not the
// display names that may change later.
func createdEvent(t ticket.Ticket) map[string]any {
	return map[string]any{
		"key": t.Key, "type": t.Type, "service_id": t.ServiceID, "request_type_id": t.RequestTypeID,
		"summary": t.Summary, "reporter_id": t.ReporterID, "organization_id": t.OrganizationID,
		"assignee_id": t.AssigneeID, "team_id": t.TeamID, "status": t.Status, "status_category": t.StatusCategory,
		"priority": t.Priority, "impact": t.Impact, "urgency": t.Urgency, "channel": t.Channel, "fields": t.Fields,
	}
}

func (c *conn) user(id int64) (directory.User, error) {
	u, err := scanUser(c.row(`SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, errs.NotFound("no user with id %d", id)
	}
	return u, err
}

// assignable checks that user id may work a ticket of the service: an
// active admin, or an active agent of a team that serves it (anyone else
// could not even see the ticket). It gives the name.
func (c *conn) assignable(field string, id, serviceID int64) (string, error) {
	u, err := c.user(id)
	if errs.Is(err, errs.KindNotFound) {
		return "", errs.Invalid(field, "no user with id %d", id)
	}
	if err != nil {
		return "", err
	}
	if !u.Role.Staff() || !u.Active {
		return "", errs.Invalid(field, "%s is not an active agent", u.Email)
	}
	if u.Role == directory.RoleAgent {
		var one int
		err := c.row(`SELECT 1 FROM service_teams st JOIN team_members tm ON tm.team_id = st.team_id
			WHERE st.service_id = ? AND tm.user_id = ?`, serviceID, id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return "", errs.Invalid(field, "%s is in no team that serves this service", u.Email)
		}
		if err != nil {
			return "", err
		}
	}
	return u.Name, nil
}

func (c *conn) staffOrUserExists(staffOnly bool) catalog.UserExists {
	return func(id int64) bool {
		u, err := c.user(id)
		return err == nil && u.Active && (!staffOnly || u.Role.Staff())
	}
}

const ticketColumns = `t.id, t.key, t.type, COALESCE(t.request_type_id, 0), t.service_id, t.summary, t.description,
	t.reporter_id, COALESCE(t.organization_id, 0), COALESCE(t.assignee_id, 0), COALESCE(t.team_id, 0), t.workflow_id,
	t.status, t.status_category, t.priority, t.impact, t.urgency, t.resolution, t.fields, t.channel,
	t.created_at, t.updated_at, t.resolved_at,
	s.name, COALESCE(rt.name, ''), r.name, r.email, COALESCE(a.name, ''), COALESCE(o.name, ''), COALESCE(tm.name, '')`

const ticketJoins = ` FROM tickets t
	JOIN services s ON s.id = t.service_id
	JOIN users r ON r.id = t.reporter_id
	LEFT JOIN request_types rt ON rt.id = t.request_type_id
	LEFT JOIN users a ON a.id = t.assignee_id
	LEFT JOIN organizations o ON o.id = t.organization_id
	LEFT JOIN teams tm ON tm.id = t.team_id`

func scanTicket(sc interface{ Scan(...any) error }) (ticket.Ticket, error) {
	var t ticket.Ticket
	var typ, cat, prio, impact, urgency, fields, channel string
	var created, updated int64
	var resolved sql.NullInt64
	err := sc.Scan(&t.ID, &t.Key, &typ, &t.RequestTypeID, &t.ServiceID, &t.Summary, &t.Description,
		&t.ReporterID, &t.OrganizationID, &t.AssigneeID, &t.TeamID, &t.WorkflowID,
		&t.Status, &cat, &prio, &impact, &urgency, &t.Resolution, &fields, &channel,
		&created, &updated, &resolved,
		&t.Service, &t.RequestType, &t.Reporter, &t.ReporterEmail, &t.Assignee, &t.Organization, &t.Team)
	if err != nil {
		return t, err
	}
	t.Type, t.StatusCategory, t.Priority = ticket.Type(typ), ticket.Category(cat), ticket.Priority(prio)
	t.Impact, t.Urgency, t.Channel = ticket.Level(impact), ticket.Level(urgency), ticket.Channel(channel)
	t.CreatedAt, t.UpdatedAt = fromMillis(created), fromMillis(updated)
	if resolved.Valid {
		r := fromMillis(resolved.Int64)
		t.ResolvedAt = &r
	}
	if err := json.Unmarshal([]byte(fields), &t.Fields); err != nil {
		return t, fmt.Errorf("ticket %s: fields: %w", t.Key, err)
	}
	return t, nil
}

// Ticket finds a ticket by key, if the actor may see it.
func (s *Store) Ticket(ctx context.Context, actor directory.Actor, key string) (ticket.Ticket, error) {
	return s.reader(ctx).ticket(actor, key)
}

func (c *conn) ticket(actor directory.Actor, key string) (ticket.Ticket, error) {
	cond, args := visibleTickets(actor)
	key = strings.ToUpper(strings.TrimSpace(key))
	t, err := scanTicket(c.row(`SELECT `+ticketColumns+ticketJoins+` WHERE t.key = ? AND `+cond, append([]any{key}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return t, errs.NotFound("no ticket %s", key)
	}
	if err != nil {
		return t, fmt.Errorf("ticket %s: %w", key, err)
	}
	return t, nil
}

// TicketFilter narrows and orders a ticket listing. Empty fields do not filter.
type TicketFilter struct {
	Statuses       []string
	Categories     []ticket.Category
	Types          []ticket.Type
	Priorities     []ticket.Priority
	ServiceID      int64
	RequestTypeID  int64
	AssigneeID     int64
	Unassigned     bool
	ReporterID     int64
	OrganizationID int64
	TeamID         int64
	Text           string // in summary or description
	CreatedAfter   time.Time
	CreatedBefore  time.Time
	UpdatedAfter   time.Time
	ResolvedAfter  time.Time
	Sort           string // a key of SortFields
	Ascending      bool
	Limit, Offset  int
}

// SortFields are the orders a listing accepts.
var SortFields = map[string]string{
	"created":  "t.created_at",
	"updated":  "t.updated_at",
	"priority": "t.priority_rank",
	"key":      "t.id",
	"status":   "t.status",
	"summary":  "t.summary",
	"resolved": "t.resolved_at",
}

// MaxPage is the largest page a listing returns.
const MaxPage = 200

// TicketPage is one page of a listing, with the number of all matches.
type TicketPage struct {
	Tickets []ticket.Ticket `json:"tickets"`
	Total   int             `json:"total"`
	Limit   int             `json:"limit"`
	Offset  int             `json:"offset"`
}

// Tickets lists the tickets the actor may see that match the filter.
func (s *Store) Tickets(ctx context.Context, actor directory.Actor, f TicketFilter) (TicketPage, error) {
	page := TicketPage{Tickets: []ticket.Ticket{}, Limit: f.Limit, Offset: f.Offset}
	if page.Limit <= 0 {
		page.Limit = 50
	}
	if page.Limit > MaxPage {
		page.Limit = MaxPage
	}
	if page.Offset < 0 {
		page.Offset = 0
	}
	order, ok := SortFields[f.Sort]
	if f.Sort == "" {
		order, ok = SortFields["created"], true
	}
	if !ok {
		return page, errs.Invalid("sort", "cannot sort by %q", f.Sort)
	}
	dir := " DESC"
	if f.Ascending {
		dir = " ASC"
	}
	w, args := ticketWhere(actor, f)
	c := s.reader(ctx)
	if err := c.row(`SELECT COUNT(*) FROM tickets t`+w, args...).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("count tickets: %w", err)
	}
	if page.Total == 0 || page.Offset >= page.Total {
		return page, nil
	}
	rows, err := c.query(`SELECT `+ticketColumns+ticketJoins+w+` ORDER BY `+order+dir+`, t.id`+dir+` LIMIT ? OFFSET ?`,
		append(args, page.Limit, page.Offset)...)
	if err != nil {
		return page, fmt.Errorf("list tickets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return page, err
		}
		page.Tickets = append(page.Tickets, t)
	}
	return page, rows.Err()
}

// ticketWhere builds the WHERE clause of a listing: the actor's visibility
// and every filter given.
func ticketWhere(actor directory.Actor, f TicketFilter) (string, []any) {
	cond, args := listedTickets(actor, f)
	where := []string{cond}
	in := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		where = append(where, col+" IN ("+placeholders(len(vals))+")")
		for _, v := range vals {
			args = append(args, v)
		}
	}
	eq := func(col string, v int64) {
		if v != 0 {
			where = append(where, col+" = ?")
			args = append(args, v)
		}
	}
	in("t.status", f.Statuses)
	in("t.status_category", asStrings(f.Categories))
	in("t.type", asStrings(f.Types))
	if len(f.Priorities) > 0 {
		// By rank, so that the priority index serves filter and sort at once.
		ranks := make([]any, len(f.Priorities))
		for i, p := range f.Priorities {
			ranks[i] = p.Rank()
		}
		where = append(where, "t.priority_rank IN ("+placeholders(len(ranks))+")")
		args = append(args, ranks...)
	}
	eq("t.service_id", f.ServiceID)
	eq("t.request_type_id", f.RequestTypeID)
	eq("t.assignee_id", f.AssigneeID)
	eq("t.reporter_id", f.ReporterID)
	eq("t.organization_id", f.OrganizationID)
	eq("t.team_id", f.TeamID)
	if f.Unassigned {
		where = append(where, "t.assignee_id IS NULL")
	}
	if f.Text != "" {
		where = append(where, "(lower(t.summary) LIKE ? ESCAPE '\\' OR lower(t.description) LIKE ? ESCAPE '\\')")
		pat := "%" + likeEscape(strings.ToLower(f.Text)) + "%"
		args = append(args, pat, pat)
	}
	for _, tc := range []struct {
		col, op string
		t       time.Time
	}{{"t.created_at", ">=", f.CreatedAfter}, {"t.created_at", "<", f.CreatedBefore}, {"t.updated_at", ">=", f.UpdatedAfter}, {"t.resolved_at", ">=", f.ResolvedAfter}} {
		if !tc.t.IsZero() {
			where = append(where, tc.col+" "+tc.op+" ?")
			args = append(args, millis(tc.t))
		}
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// CountTickets counts the tickets the actor may see that match the filter;
// queue counts use it. Sort and paging are ignored.
func (s *Store) CountTickets(ctx context.Context, actor directory.Actor, f TicketFilter) (int, error) {
	w, args := ticketWhere(actor, f)
	var n int
	if err := s.reader(ctx).row(`SELECT COUNT(*) FROM tickets t`+w, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count tickets: %w", err)
	}
	return n, nil
}

func asStrings[T ~string](vals []T) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = string(v)
	}
	return out
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
