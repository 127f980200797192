package store

import (
	"github.com/cairn-itsm/cairn/internal/directory"
)

// visibleTickets is the SQL condition (over tickets aliased t) for the tickets
// an actor may see:
//   - admins see everything;
//   - agents see the tickets of the services their teams serve (the list is
//     read with the actor, so the planner sees plain values and uses the
//     service indexes);
//   - customers see what they reported and what is shared with their
//     organization.
//
// Every ticket read goes through it, so a hidden ticket answers "not found".
func visibleTickets(a directory.Actor) (string, []any) {
	switch a.Role {
	case directory.RoleAdmin:
		return "1=1", nil
	case directory.RoleAgent:
		if len(a.ServiceIDs) == 0 {
			return "1=0", nil
		}
		return "t.service_id IN (" + placeholders(len(a.ServiceIDs)) + ")", int64Args(a.ServiceIDs)
	case directory.RoleCustomer:
		return `(t.reporter_id = ? OR t.organization_id = ?)`, []any{a.UserID, a.OrganizationID}
	}
	return "1=0", nil
}
