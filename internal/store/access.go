package store

import (
	"github.com/cairn-itsm/cairn/internal/directory"
)

// visibleTickets is the SQL condition (over tickets aliased t) for the tickets
// an actor may see:
//   - admins see everything;
//   - agents see the tickets of the services their teams serve (the list is
//     read with the actor, so the planner sees plain values), and the
//     requests they raised themselves;
//   - customers see what they reported and what is shared with their
//     organization.
//
// Every read of a ticket goes through it, so a hidden ticket answers "not
// found". Listings use listedTickets, which is the same rule in a shape the
// indexes serve.
func visibleTickets(a directory.Actor) (string, []any) {
	switch a.Role {
	case directory.RoleAdmin:
		return "1=1", nil
	case directory.RoleAgent:
		if len(a.ServiceIDs) == 0 {
			return "t.reporter_id = ?", []any{a.UserID}
		}
		return "(t.service_id IN (" + placeholders(len(a.ServiceIDs)) + ") OR t.reporter_id = ?)", append(int64Args(a.ServiceIDs), a.UserID)
	case directory.RoleCustomer:
		return "(t.reporter_id = ? OR t.organization_id = ?)", []any{a.UserID, a.OrganizationID}
	}
	return "1=0", nil
}

// listedTickets is visibleTickets for a listing with filter f. An agent's
// queues list the tickets of their services; their own requests on other
// services are listed when they filter by themselves as reporter (as the
// portal's "my requests" does). Leaving the OR out keeps every queue on an
// index: with it, a sort by priority over 100 000 tickets took 15 times as
// long on SQLite.
func listedTickets(a directory.Actor, f TicketFilter) (string, []any) {
	if a.Role.Valid() && a.UserID != 0 && f.ReporterID == a.UserID {
		return "1=1", nil // the filter itself keeps to the actor's own requests
	}
	if a.Role == directory.RoleAgent {
		if len(a.ServiceIDs) == 0 {
			return "1=0", nil
		}
		return "t.service_id IN (" + placeholders(len(a.ServiceIDs)) + ")", int64Args(a.ServiceIDs)
	}
	return visibleTickets(a)
}
