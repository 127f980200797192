package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// CreateService adds a catalogue entry. Its owner team is always among the
// teams that work its tickets.
func (s *Store) CreateService(ctx context.Context, actor directory.Actor, svc catalog.Service) (catalog.Service, error) {
	if err := svc.Validate(); err != nil {
		return svc, err
	}
	svc.TeamIDs = withOwner(svc.OwnerTeamID, svc.TeamIDs)
	err := s.inTx(ctx, func(c *conn) error {
		if err := c.checkTeams(svc.OwnerTeamID, svc.TeamIDs); err != nil {
			return err
		}
		id, err := c.insert(`INSERT INTO services (desk_id, name, description, owner_team_id, status, created_at)
			VALUES ((SELECT MIN(id) FROM desks), ?, ?, ?, ?, ?)`,
			svc.Name, svc.Description, nullID(svc.OwnerTeamID), string(svc.Status), millis(c.now))
		if isUnique(err) {
			return &errs.Error{Kind: errs.KindConflict, Code: "duplicate", Field: "name", Message: fmt.Sprintf("a service named %q exists already", svc.Name)}
		}
		if err != nil {
			return fmt.Errorf("create service: %w", err)
		}
		svc.ID, svc.CreatedAt = id, c.now
		if err := c.setServiceTeams(id, svc.TeamIDs); err != nil {
			return err
		}
		return c.appendEvent("service", id, "service.created", actor, svc)
	})
	return svc, err
}

// UpdateService replaces a service's editable fields.
func (s *Store) UpdateService(ctx context.Context, actor directory.Actor, svc catalog.Service) (catalog.Service, error) {
	if err := svc.Validate(); err != nil {
		return svc, err
	}
	svc.TeamIDs = withOwner(svc.OwnerTeamID, svc.TeamIDs)
	err := s.inTx(ctx, func(c *conn) error {
		old, err := c.service(svc.ID)
		if err != nil {
			return err
		}
		if err := c.checkTeams(svc.OwnerTeamID, svc.TeamIDs); err != nil {
			return err
		}
		_, err = c.exec(`UPDATE services SET name = ?, description = ?, owner_team_id = ?, status = ? WHERE id = ?`,
			svc.Name, svc.Description, nullID(svc.OwnerTeamID), string(svc.Status), svc.ID)
		if isUnique(err) {
			return &errs.Error{Kind: errs.KindConflict, Code: "duplicate", Field: "name", Message: fmt.Sprintf("a service named %q exists already", svc.Name)}
		}
		if err != nil {
			return fmt.Errorf("update service: %w", err)
		}
		if _, err := c.exec(`DELETE FROM service_teams WHERE service_id = ?`, svc.ID); err != nil {
			return err
		}
		if err := c.setServiceTeams(svc.ID, svc.TeamIDs); err != nil {
			return err
		}
		svc.CreatedAt = old.CreatedAt
		return c.appendEvent("service", svc.ID, "service.updated", actor, map[string]any{"from": old, "to": svc})
	})
	return svc, err
}

func withOwner(owner int64, teams []int64) []int64 {
	out := slices.Clone(teams)
	if owner != 0 && !slices.Contains(out, owner) {
		out = append([]int64{owner}, out...)
	}
	if out == nil {
		out = []int64{}
	}
	return out
}

func (c *conn) checkTeams(owner int64, teams []int64) error {
	if owner != 0 {
		if err := c.mustExist("teams", "owner_team_id", owner); err != nil {
			return err
		}
	}
	for i, id := range teams {
		if err := c.mustExist("teams", fmt.Sprintf("team_ids[%d]", i), id); err != nil {
			return err
		}
	}
	return nil
}

func (c *conn) setServiceTeams(serviceID int64, teams []int64) error {
	for _, id := range teams {
		if _, err := c.exec(`INSERT INTO service_teams (service_id, team_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, serviceID, id); err != nil {
			return fmt.Errorf("service teams: %w", err)
		}
	}
	return nil
}

// Services lists the catalogue by name; onlyLive keeps what customers may use.
func (s *Store) Services(ctx context.Context, onlyLive bool) ([]catalog.Service, error) {
	q := `SELECT id, name, description, COALESCE(owner_team_id, 0), status, created_at FROM services`
	if onlyLive {
		q += ` WHERE status = 'live'`
	}
	q += ` ORDER BY lower(name)`
	c := s.reader(ctx)
	rows, err := c.query(q)
	if err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	var out []catalog.Service
	for rows.Next() {
		svc, err := scanService(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, svc)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	teams, err := c.serviceTeams()
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].TeamIDs = teams[out[i].ID]
		if out[i].TeamIDs == nil {
			out[i].TeamIDs = []int64{}
		}
	}
	return out, nil
}

func (c *conn) serviceTeams() (map[int64][]int64, error) {
	rows, err := c.query(`SELECT service_id, team_id FROM service_teams ORDER BY team_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]int64{}
	for rows.Next() {
		var sid, tid int64
		if err := rows.Scan(&sid, &tid); err != nil {
			return nil, err
		}
		out[sid] = append(out[sid], tid)
	}
	return out, rows.Err()
}

func scanService(sc interface{ Scan(...any) error }) (catalog.Service, error) {
	var svc catalog.Service
	var status string
	var created int64
	err := sc.Scan(&svc.ID, &svc.Name, &svc.Description, &svc.OwnerTeamID, &status, &created)
	svc.Status = catalog.ServiceStatus(status)
	svc.CreatedAt = fromMillis(created)
	return svc, err
}

// Service finds a service by id.
func (s *Store) Service(ctx context.Context, id int64) (catalog.Service, error) {
	return s.reader(ctx).service(id)
}

func (c *conn) service(id int64) (catalog.Service, error) {
	svc, err := scanService(c.row(`SELECT id, name, description, COALESCE(owner_team_id, 0), status, created_at FROM services WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return svc, errs.NotFound("no service with id %d", id)
	}
	if err != nil {
		return svc, err
	}
	rows, err := c.query(`SELECT team_id FROM service_teams WHERE service_id = ? ORDER BY team_id`, id)
	if err != nil {
		return svc, err
	}
	defer rows.Close()
	svc.TeamIDs = []int64{}
	for rows.Next() {
		var tid int64
		if err := rows.Scan(&tid); err != nil {
			return svc, err
		}
		svc.TeamIDs = append(svc.TeamIDs, tid)
	}
	return svc, rows.Err()
}

// serviceRef finds a service by id ("12") or by name, letter case ignored.
func (c *conn) serviceRef(ref string) (catalog.Service, error) {
	ref = strings.TrimSpace(ref)
	var id int64
	if _, err := fmt.Sscan(ref, &id); err == nil && fmt.Sprint(id) == ref {
		return c.service(id)
	}
	err := c.row(`SELECT id FROM services WHERE lower(name) = lower(?)`, ref).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return catalog.Service{}, errs.NotFound("no service named %q", ref)
	}
	if err != nil {
		return catalog.Service{}, err
	}
	return c.service(id)
}

// ServiceByRef finds a service by id or name.
func (s *Store) ServiceByRef(ctx context.Context, ref string) (catalog.Service, error) {
	return s.reader(ctx).serviceRef(ref)
}

// CreateRequestType adds a request type with its form.
func (s *Store) CreateRequestType(ctx context.Context, actor directory.Actor, rt catalog.RequestType) (catalog.RequestType, error) {
	if err := rt.Validate(ticket.ValidType); err != nil {
		return rt, err
	}
	err := s.inTx(ctx, func(c *conn) error {
		if err := c.mustExist("services", "service", rt.ServiceID); err != nil {
			return err
		}
		form, _ := json.Marshal(rt.Fields)
		id, err := c.insert(`INSERT INTO request_types (service_id, name, description, ticket_type, fields, internal, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			rt.ServiceID, rt.Name, rt.Description, rt.TicketType, string(form), rt.Internal, millis(c.now))
		if isUnique(err) {
			return &errs.Error{Kind: errs.KindConflict, Code: "duplicate", Field: "name", Message: fmt.Sprintf("the service has a request type named %q already", rt.Name)}
		}
		if err != nil {
			return fmt.Errorf("create request type: %w", err)
		}
		rt.ID, rt.CreatedAt = id, c.now
		return c.appendEvent("request_type", id, "request_type.created", actor, rt)
	})
	return rt, err
}

// UpdateRequestType replaces a request type's name, description, type and form.
// Values already submitted on tickets stay as they were.
func (s *Store) UpdateRequestType(ctx context.Context, actor directory.Actor, rt catalog.RequestType) (catalog.RequestType, error) {
	if err := rt.Validate(ticket.ValidType); err != nil {
		return rt, err
	}
	err := s.inTx(ctx, func(c *conn) error {
		old, err := c.requestType(rt.ID)
		if err != nil {
			return err
		}
		if err := c.mustExist("services", "service", rt.ServiceID); err != nil {
			return err
		}
		form, _ := json.Marshal(rt.Fields)
		_, err = c.exec(`UPDATE request_types SET service_id = ?, name = ?, description = ?, ticket_type = ?, fields = ?, internal = ? WHERE id = ?`,
			rt.ServiceID, rt.Name, rt.Description, rt.TicketType, string(form), rt.Internal, rt.ID)
		if isUnique(err) {
			return &errs.Error{Kind: errs.KindConflict, Code: "duplicate", Field: "name", Message: fmt.Sprintf("the service has a request type named %q already", rt.Name)}
		}
		if err != nil {
			return fmt.Errorf("update request type: %w", err)
		}
		rt.CreatedAt = old.CreatedAt
		return c.appendEvent("request_type", rt.ID, "request_type.updated", actor, map[string]any{"from": old, "to": rt})
	})
	return rt, err
}

const requestTypeColumns = `rt.id, rt.service_id, rt.name, rt.description, rt.ticket_type, rt.fields, rt.internal, rt.created_at`

func scanRequestType(sc interface{ Scan(...any) error }) (catalog.RequestType, error) {
	var rt catalog.RequestType
	var form string
	var created int64
	if err := sc.Scan(&rt.ID, &rt.ServiceID, &rt.Name, &rt.Description, &rt.TicketType, &form, &rt.Internal, &created); err != nil {
		return rt, err
	}
	rt.CreatedAt = fromMillis(created)
	if err := json.Unmarshal([]byte(form), &rt.Fields); err != nil {
		return rt, fmt.Errorf("request type %d: form: %w", rt.ID, err)
	}
	return rt, nil
}

// RequestTypes lists request types, of one service when serviceID is set;
// forCustomers keeps what customers may use: request types of live
// services that are not internal.
func (s *Store) RequestTypes(ctx context.Context, serviceID int64, forCustomers bool) ([]catalog.RequestType, error) {
	q := `SELECT ` + requestTypeColumns + ` FROM request_types rt JOIN services s ON s.id = rt.service_id WHERE 1=1`
	var args []any
	if serviceID != 0 {
		q += ` AND rt.service_id = ?`
		args = append(args, serviceID)
	}
	if forCustomers {
		q += ` AND s.status = 'live' AND NOT rt.internal`
	}
	q += ` ORDER BY lower(s.name), rt.id`
	rows, err := s.reader(ctx).query(q, args...)
	if err != nil {
		return nil, fmt.Errorf("list request types: %w", err)
	}
	defer rows.Close()
	var out []catalog.RequestType
	for rows.Next() {
		rt, err := scanRequestType(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, rt)
	}
	return out, rows.Err()
}

// RequestType finds a request type by id.
func (s *Store) RequestType(ctx context.Context, id int64) (catalog.RequestType, error) {
	return s.reader(ctx).requestType(id)
}

func (c *conn) requestType(id int64) (catalog.RequestType, error) {
	rt, err := scanRequestType(c.row(`SELECT `+requestTypeColumns+` FROM request_types rt WHERE rt.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return rt, errs.NotFound("no request type with id %d", id)
	}
	return rt, err
}

// requestTypeRef finds a request type by id or by name within a service.
func (c *conn) requestTypeRef(serviceID int64, ref string) (catalog.RequestType, error) {
	ref = strings.TrimSpace(ref)
	var id int64
	if _, err := fmt.Sscan(ref, &id); err != nil || fmt.Sprint(id) != ref {
		err := c.row(`SELECT id FROM request_types WHERE service_id = ? AND lower(name) = lower(?)`, serviceID, ref).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return catalog.RequestType{}, errs.Invalid("request_type", "the service has no request type %q", ref)
		}
		if err != nil {
			return catalog.RequestType{}, err
		}
	}
	rt, err := c.requestType(id)
	if errs.Is(err, errs.KindNotFound) {
		return rt, errs.Invalid("request_type", "no request type with id %d", id)
	}
	return rt, err
}
