package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// Relationships lists a CI's relationships, each read from this CI, by
// verb and then by the other CI's name.
func (s *Store) Relationships(ctx context.Context, ciID int64) ([]cmdb.Relationship, error) {
	c := s.reader(ctx)
	ts, err := c.typeSet()
	if err != nil {
		return nil, err
	}
	if _, err := c.ci(ts, ciID); err != nil {
		return nil, err
	}
	return c.relationships(ts, ciID)
}

func (c *conn) relationships(ts *cmdb.TypeSet, ciID int64) ([]cmdb.Relationship, error) {
	// Two halves, so that each end is read through its own index.
	rows, err := c.query(`SELECT x.id, x.source_id, x.target_id, x.kind, x.created_at, o.id, o.name, o.type_id, o.status, o.criticality
		FROM (SELECT id, source_id, target_id, kind, created_at, target_id AS other FROM ci_relationships WHERE source_id = ?
			UNION ALL
			SELECT id, source_id, target_id, kind, created_at, source_id AS other FROM ci_relationships WHERE target_id = ?) x
		JOIN cis o ON o.id = x.other
		ORDER BY x.kind, lower(o.name), x.id`, ciID, ciID)
	if err != nil {
		return nil, fmt.Errorf("relationships of ci %d: %w", ciID, err)
	}
	defer rows.Close()
	out := []cmdb.Relationship{}
	for rows.Next() {
		var r cmdb.Relationship
		var kind, status, crit string
		var created int64
		if err := rows.Scan(&r.ID, &r.SourceID, &r.TargetID, &kind, &created, &r.CI.ID, &r.CI.Name, &r.CI.TypeID, &status, &crit); err != nil {
			return nil, err
		}
		r.Kind, r.CreatedAt = cmdb.RelKind(kind), fromMillis(created)
		r.CI.Status, r.CI.Criticality = cmdb.Status(status), cmdb.Criticality(crit)
		t, _ := ts.ByID(r.CI.TypeID)
		r.CI.Type = t.Name
		r.Verb = r.Kind.VerbFrom(r.SourceID == ciID)
		r.Label = r.Verb.Label()
		out = append(out, r)
	}
	return out, rows.Err()
}

// AddRelationship relates a CI to another, with a verb read from the first
// ("this CI hosts that one" is verb hosts): any verb of cmdb.Verbs. The
// relationship is stored once, with its kind, whichever end it was made
// from. Cycles are allowed: the data says what is, and impact analysis
// copes with them.
func (s *Store) AddRelationship(ctx context.Context, actor directory.Actor, ciID int64, verb string, otherID int64) (cmdb.Relationship, error) {
	if err := mustStaff(actor, "edit CIs"); err != nil {
		return cmdb.Relationship{}, err
	}
	kind, thisIsSource, err := cmdb.ParseVerb(verb)
	if err != nil {
		return cmdb.Relationship{}, err
	}
	if otherID == ciID {
		return cmdb.Relationship{}, errs.Invalid("ci", "a CI cannot be related to itself")
	}
	var out cmdb.Relationship
	err = s.inTx(ctx, func(c *conn) error {
		ts, err := c.typeSet()
		if err != nil {
			return err
		}
		this, err := c.ci(ts, ciID)
		if err != nil {
			return err
		}
		other, err := c.ci(ts, otherID)
		if errs.Is(err, errs.KindNotFound) {
			return errs.Invalid("ci", "no CI with id %d", otherID)
		}
		if err != nil {
			return err
		}
		src, dst := this, other
		if !thisIsSource || (kind.Symmetric() && other.ID < this.ID) {
			src, dst = other, this
		}
		id, err := c.insert(`INSERT INTO ci_relationships (source_id, target_id, kind, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
			src.ID, dst.ID, string(kind), nullID(actor.UserID), millis(c.now))
		if isUnique(err) {
			return errs.Conflict("duplicate", "%q %s %q already", this.Name, kind.VerbFrom(thisIsSource).Label(), other.Name)
		}
		if err != nil {
			return fmt.Errorf("relate ci %d: %w", ciID, err)
		}
		if err := c.bumpGraph(); err != nil {
			return err
		}
		out = cmdb.Relationship{ID: id, Kind: kind, SourceID: src.ID, TargetID: dst.ID, CI: ciRef(other), CreatedAt: c.now}
		out.Verb = kind.VerbFrom(src.ID == this.ID)
		out.Label = out.Verb.Label()
		for _, end := range []struct{ self, peer cmdb.CI }{{src, dst}, {dst, src}} {
			err := c.appendEvent("ci", end.self.ID, cmdb.EventRelated, actor, map[string]any{
				"relationship_id": id, "kind": kind, "verb": kind.VerbFrom(end.self.ID == src.ID), "ci_id": end.peer.ID, "ci": end.peer.Name,
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

func ciRef(ci cmdb.CI) cmdb.CIRef {
	return cmdb.CIRef{ID: ci.ID, Name: ci.Name, TypeID: ci.TypeID, Type: ci.Type, Status: ci.Status, Criticality: ci.Criticality}
}

// DeleteRelationship removes one of a CI's relationships.
func (s *Store) DeleteRelationship(ctx context.Context, actor directory.Actor, ciID, relID int64) error {
	if err := mustStaff(actor, "edit CIs"); err != nil {
		return err
	}
	return s.inTx(ctx, func(c *conn) error {
		ts, err := c.typeSet()
		if err != nil {
			return err
		}
		rels, err := c.relationships(ts, ciID)
		if err != nil {
			return err
		}
		for _, r := range rels {
			if r.ID == relID {
				return c.removeRelationship(actor, ciID, r)
			}
		}
		return errs.NotFound("CI %d has no relationship %d", ciID, relID)
	})
}

// removeRelationship deletes r, as read from ciID, and records it at both ends.
func (c *conn) removeRelationship(actor directory.Actor, ciID int64, r cmdb.Relationship) error {
	if _, err := c.exec(`DELETE FROM ci_relationships WHERE id = ?`, r.ID); err != nil {
		return fmt.Errorf("delete relationship %d: %w", r.ID, err)
	}
	if err := c.bumpGraph(); err != nil {
		return err
	}
	var name string
	if err := c.row(`SELECT name FROM cis WHERE id = ?`, ciID).Scan(&name); err != nil {
		return err
	}
	if err := c.appendEvent("ci", ciID, cmdb.EventUnrelated, actor, map[string]any{
		"relationship_id": r.ID, "kind": r.Kind, "verb": r.Verb, "ci_id": r.CI.ID, "ci": r.CI.Name,
	}); err != nil {
		return err
	}
	return c.appendEvent("ci", r.CI.ID, cmdb.EventUnrelated, actor, map[string]any{
		"relationship_id": r.ID, "kind": r.Kind, "verb": r.Kind.VerbFrom(r.SourceID == r.CI.ID), "ci_id": ciID, "ci": name,
	})
}

const ciRefColumns = `ci.id, ci.name, ci.type_id, ci.status, ci.criticality`

func (c *conn) ciRefs(ts *cmdb.TypeSet, query string, args ...any) ([]cmdb.CIRef, error) {
	rows, err := c.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []cmdb.CIRef{}
	for rows.Next() {
		var r cmdb.CIRef
		var status, crit string
		if err := rows.Scan(&r.ID, &r.Name, &r.TypeID, &status, &crit); err != nil {
			return nil, err
		}
		r.Status, r.Criticality = cmdb.Status(status), cmdb.Criticality(crit)
		t, _ := ts.ByID(r.TypeID)
		r.Type = t.Name
		out = append(out, r)
	}
	return out, rows.Err()
}

// ServiceCIs lists the CIs a catalogue service is built on, by name.
func (s *Store) ServiceCIs(ctx context.Context, serviceID int64) ([]cmdb.CIRef, error) {
	c := s.reader(ctx)
	if _, err := c.service(serviceID); err != nil {
		return nil, err
	}
	ts, err := c.typeSet()
	if err != nil {
		return nil, err
	}
	return c.ciRefs(ts, `SELECT `+ciRefColumns+` FROM service_cis sc JOIN cis ci ON ci.id = sc.ci_id
		WHERE sc.service_id = ? ORDER BY lower(ci.name), ci.id`, serviceID)
}

// CIServices lists the catalogue services built directly on a CI, by name.
func (s *Store) CIServices(ctx context.Context, ciID int64) ([]catalog.Service, error) {
	c := s.reader(ctx)
	ts, err := c.typeSet()
	if err != nil {
		return nil, err
	}
	if _, err := c.ci(ts, ciID); err != nil {
		return nil, err
	}
	ids, err := c.ids(`SELECT sc.service_id FROM service_cis sc JOIN services s ON s.id = sc.service_id
		WHERE sc.ci_id = ? ORDER BY lower(s.name)`, ciID)
	if err != nil {
		return nil, err
	}
	out := []catalog.Service{}
	for _, id := range ids {
		svc, err := c.service(id)
		if err != nil {
			return nil, err
		}
		out = append(out, svc)
	}
	return out, nil
}

// LinkServiceCI records that a catalogue service is built on a CI: the
// service is then upstream of the CI in impact analysis.
func (s *Store) LinkServiceCI(ctx context.Context, actor directory.Actor, serviceID, ciID int64) (cmdb.CIRef, error) {
	if err := mustStaff(actor, "edit CIs"); err != nil {
		return cmdb.CIRef{}, err
	}
	var out cmdb.CIRef
	err := s.inTx(ctx, func(c *conn) error {
		svc, err := c.service(serviceID)
		if err != nil {
			return err
		}
		ts, err := c.typeSet()
		if err != nil {
			return err
		}
		ci, err := c.ci(ts, ciID)
		if errs.Is(err, errs.KindNotFound) {
			return errs.Invalid("ci", "no CI with id %d", ciID)
		}
		if err != nil {
			return err
		}
		_, err = c.exec(`INSERT INTO service_cis (service_id, ci_id, created_by, created_at) VALUES (?, ?, ?, ?)`,
			serviceID, ciID, nullID(actor.UserID), millis(c.now))
		if isUnique(err) {
			return errs.Conflict("duplicate", "service %q is linked to CI %q already", svc.Name, ci.Name)
		}
		if err != nil {
			return fmt.Errorf("link service %d to ci %d: %w", serviceID, ciID, err)
		}
		out = ciRef(ci)
		if err := c.appendEvent("service", serviceID, cmdb.EventServiceCILinked, actor, map[string]any{"ci_id": ci.ID, "ci": ci.Name}); err != nil {
			return err
		}
		return c.appendEvent("ci", ciID, cmdb.EventServiceLinked, actor, map[string]any{"service_id": svc.ID, "service": svc.Name})
	})
	return out, err
}

// UnlinkServiceCI removes the link between a service and a CI.
func (s *Store) UnlinkServiceCI(ctx context.Context, actor directory.Actor, serviceID, ciID int64) error {
	if err := mustStaff(actor, "edit CIs"); err != nil {
		return err
	}
	return s.inTx(ctx, func(c *conn) error {
		if _, err := c.service(serviceID); err != nil {
			return err
		}
		var name string
		err := c.row(`SELECT ci.name FROM service_cis sc JOIN cis ci ON ci.id = sc.ci_id WHERE sc.service_id = ? AND sc.ci_id = ?`, serviceID, ciID).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.NotFound("service %d is not linked to CI %d", serviceID, ciID)
		}
		if err != nil {
			return err
		}
		return c.unlinkServiceCI(actor, serviceID, cmdb.CI{ID: ciID, Name: name})
	})
}

func (c *conn) unlinkServiceCI(actor directory.Actor, serviceID int64, ci cmdb.CI) error {
	var svcName string
	if err := c.row(`SELECT name FROM services WHERE id = ?`, serviceID).Scan(&svcName); err != nil {
		return err
	}
	if _, err := c.exec(`DELETE FROM service_cis WHERE service_id = ? AND ci_id = ?`, serviceID, ci.ID); err != nil {
		return fmt.Errorf("unlink service %d from ci %d: %w", serviceID, ci.ID, err)
	}
	if err := c.appendEvent("service", serviceID, cmdb.EventServiceCIUnlink, actor, map[string]any{"ci_id": ci.ID, "ci": ci.Name}); err != nil {
		return err
	}
	return c.appendEvent("ci", ci.ID, cmdb.EventServiceUnlinked, actor, map[string]any{"service_id": serviceID, "service": svcName})
}

// ServiceOrganizations lists the customer organizations that use a
// service, by name.
func (s *Store) ServiceOrganizations(ctx context.Context, serviceID int64) ([]directory.Organization, error) {
	c := s.reader(ctx)
	if _, err := c.service(serviceID); err != nil {
		return nil, err
	}
	rows, err := c.query(`SELECT o.id, o.name, o.created_at FROM service_organizations so JOIN organizations o ON o.id = so.organization_id
		WHERE so.service_id = ? ORDER BY lower(o.name)`, serviceID)
	if err != nil {
		return nil, fmt.Errorf("organizations of service %d: %w", serviceID, err)
	}
	defer rows.Close()
	out := []directory.Organization{}
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

// SetServiceOrganizations replaces the customer organizations that use a
// service. Impact analysis reports them when the service is affected.
func (s *Store) SetServiceOrganizations(ctx context.Context, actor directory.Actor, serviceID int64, orgIDs []int64) error {
	if err := mustAdmin(actor, "change the catalogue"); err != nil {
		return err
	}
	return s.inTx(ctx, func(c *conn) error {
		if _, err := c.service(serviceID); err != nil {
			return err
		}
		if _, err := c.exec(`DELETE FROM service_organizations WHERE service_id = ?`, serviceID); err != nil {
			return err
		}
		for i, id := range orgIDs {
			if err := c.mustExist("organizations", fmt.Sprintf("organization_ids[%d]", i), id); err != nil {
				return err
			}
			if _, err := c.exec(`INSERT INTO service_organizations (service_id, organization_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, serviceID, id); err != nil {
				return fmt.Errorf("service organizations: %w", err)
			}
		}
		if orgIDs == nil {
			orgIDs = []int64{}
		}
		return c.appendEvent("service", serviceID, cmdb.EventServiceOrgsSet, actor, map[string]any{"organization_ids": orgIDs})
	})
}

// TicketCIs lists the CIs a ticket names, by name. The ticket must be one
// the actor may see, and the actor an agent.
func (s *Store) TicketCIs(ctx context.Context, actor directory.Actor, key string) ([]cmdb.CIRef, error) {
	c := s.reader(ctx)
	t, err := c.staffTicket(actor, key, "see a ticket's CIs")
	if err != nil {
		return nil, err
	}
	ts, err := c.typeSet()
	if err != nil {
		return nil, err
	}
	return c.ciRefs(ts, `SELECT `+ciRefColumns+` FROM ticket_cis tc JOIN cis ci ON ci.id = tc.ci_id
		WHERE tc.ticket_id = ? ORDER BY lower(ci.name), ci.id`, t.ID)
}

// staffTicket reads a ticket the actor may see; customers are refused
// after that, so that a hidden ticket still answers "not found".
func (c *conn) staffTicket(actor directory.Actor, key, what string) (ticket.Ticket, error) {
	t, err := c.ticket(actor, key)
	if err != nil {
		return t, err
	}
	return t, mustStaff(actor, what)
}

// LinkTicketCI records that a ticket is about a CI: an incident's affected
// CI, a change's target. The events are internal: customers do not see
// them in the ticket's history.
func (s *Store) LinkTicketCI(ctx context.Context, actor directory.Actor, key string, ciID int64) (cmdb.CIRef, error) {
	var out cmdb.CIRef
	err := s.inTx(ctx, func(c *conn) error {
		t, err := c.staffTicket(actor, key, "link CIs to tickets")
		if err != nil {
			return err
		}
		ts, err := c.typeSet()
		if err != nil {
			return err
		}
		ci, err := c.ci(ts, ciID)
		if errs.Is(err, errs.KindNotFound) {
			return errs.Invalid("ci", "no CI with id %d", ciID)
		}
		if err != nil {
			return err
		}
		_, err = c.exec(`INSERT INTO ticket_cis (ticket_id, ci_id, created_by, created_at) VALUES (?, ?, ?, ?)`, t.ID, ci.ID, nullID(actor.UserID), millis(c.now))
		if isUnique(err) {
			return errs.Conflict("duplicate", "%s names CI %q already", t.Key, ci.Name)
		}
		if err != nil {
			return fmt.Errorf("link %s to ci %d: %w", t.Key, ci.ID, err)
		}
		out = ciRef(ci)
		if err := c.appendEvent("ticket", t.ID, cmdb.EventTicketCILinked, actor, map[string]any{"ci_id": ci.ID, "ci": ci.Name, "internal": true}); err != nil {
			return err
		}
		return c.appendEvent("ci", ci.ID, cmdb.EventTicketLinked, actor, map[string]any{"ticket": t.Key, "ticket_type": t.Type})
	})
	return out, err
}

// UnlinkTicketCI removes a CI from a ticket.
func (s *Store) UnlinkTicketCI(ctx context.Context, actor directory.Actor, key string, ciID int64) error {
	return s.inTx(ctx, func(c *conn) error {
		t, err := c.staffTicket(actor, key, "link CIs to tickets")
		if err != nil {
			return err
		}
		var name string
		err = c.row(`SELECT ci.name FROM ticket_cis tc JOIN cis ci ON ci.id = tc.ci_id WHERE tc.ticket_id = ? AND tc.ci_id = ?`, t.ID, ciID).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.NotFound("%s does not name CI %d", t.Key, ciID)
		}
		if err != nil {
			return err
		}
		if _, err := c.exec(`DELETE FROM ticket_cis WHERE ticket_id = ? AND ci_id = ?`, t.ID, ciID); err != nil {
			return fmt.Errorf("unlink %s from ci %d: %w", t.Key, ciID, err)
		}
		if err := c.appendEvent("ticket", t.ID, cmdb.EventTicketCIUnlinked, actor, map[string]any{"ci_id": ciID, "ci": name, "internal": true}); err != nil {
			return err
		}
		return c.appendEvent("ci", ciID, cmdb.EventTicketUnlinked, actor, map[string]any{"ticket": t.Key, "ticket_type": t.Type})
	})
}

// CITickets lists, newest first, the tickets that name a CI and that the
// actor may see; at most limit of them (0: 50, at most MaxPage).
func (s *Store) CITickets(ctx context.Context, actor directory.Actor, ciID int64, limit int) ([]ticket.Ticket, error) {
	if err := mustStaff(actor, "see the CMDB"); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, MaxPage)
	c := s.reader(ctx)
	var one int
	err := c.row(`SELECT 1 FROM cis WHERE id = ? AND deleted_at IS NULL`, ciID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.NotFound("no CI with id %d", ciID)
	}
	if err != nil {
		return nil, err
	}
	cond, args := visibleTickets(actor)
	rows, err := c.query(`SELECT `+ticketColumns+ticketJoins+` JOIN ticket_cis tc ON tc.ticket_id = t.id
		WHERE tc.ci_id = ? AND `+cond+` ORDER BY t.created_at DESC, t.id DESC LIMIT ?`,
		append(append([]any{ciID}, args...), limit)...)
	if err != nil {
		return nil, fmt.Errorf("tickets of ci %d: %w", ciID, err)
	}
	defer rows.Close()
	out := []ticket.Ticket{}
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
