package store

import (
	"github.com/cairn-itsm/cairn/internal/directory"
)

// visibleTickets is the SQL condition (over tickets aliased t) for the tickets
// an actor may see:
//   - admins see everything;
//   - agents see the tickets of the services their teams serve, and any
//     ticket they are assigned to or reported;
//   - customers see what they reported and what is shared with their
//     organization.
//
// Every ticket read goes through it, so a hidden ticket answers "not found".
func visibleTickets(a directory.Actor) (string, []any) {
	switch a.Role {
	case directory.RoleAdmin:
		return "1=1", nil
	case directory.RoleAgent:
		return `(t.service_id IN (SELECT st.service_id FROM service_teams st JOIN team_members tm ON tm.team_id = st.team_id WHERE tm.user_id = ?)
			OR t.assignee_id = ? OR t.reporter_id = ?)`, []any{a.UserID, a.UserID, a.UserID}
	case directory.RoleCustomer:
		return `(t.reporter_id = ? OR t.organization_id = ?)`, []any{a.UserID, a.OrganizationID}
	}
	return "1=0", nil
}
