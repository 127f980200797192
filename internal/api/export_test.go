package api

import "github.com/cairn-itsm/cairn/internal/directory"

// RouteRoles gives the least role of every route by its pattern, so that the
// access-control matrix of the external tests can iterate the real route
// table: a new route without a row there fails the test.
func RouteRoles() map[string]directory.Role {
	out := map[string]directory.Role{}
	for _, rt := range (&API{}).routes() {
		out[rt.pattern] = rt.role
	}
	return out
}
