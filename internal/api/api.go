// Package api is Cairn's native JSON API under /api/v1: short handlers that
// decode, check who is asking, call the store and encode.
package api

import (
	"log/slog"
	"net/http"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
)

// API serves /api/v1.
type API struct {
	store *store.Store
	auth  *auth.Authenticator
	log   *slog.Logger
	mux   *http.ServeMux
}

// New builds the API's routes.
func New(s *store.Store, a *auth.Authenticator, log *slog.Logger) *API {
	api := &API{store: s, auth: a, log: log, mux: http.NewServeMux()}
	for _, rt := range api.routes() {
		api.mux.Handle(rt.pattern, api.guard(rt.role, rt.handler))
	}
	api.mux.HandleFunc("GET /api/v1/openapi.json", serveOpenAPI)
	// Every other path under /api/ is answered in the API's error shape,
	// not with the plain-text 404 of the server's mux.
	api.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		api.fail(w, r, errs.NotFound("no such endpoint: %s %s", r.Method, r.URL.Path))
	})
	return api
}

// ServeHTTP serves the API.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// route is one endpoint with the least role that may call it.
type route struct {
	pattern string
	role    directory.Role
	handler handlerFunc
}

// handlerFunc is an endpoint: it gets who is asking and returns an error to
// be answered in the API's error shape.
type handlerFunc func(w http.ResponseWriter, r *http.Request, id auth.Identity) error

// Routes lists every endpoint; the OpenAPI test checks each is documented.
func (a *API) routes() []route {
	c, ag, ad := directory.RoleCustomer, directory.RoleAgent, directory.RoleAdmin
	return []route{
		{"GET /api/v1/me", c, a.me},
		{"GET /api/v1/me/tokens", c, a.listTokens},
		{"POST /api/v1/me/tokens", c, a.createToken},
		{"DELETE /api/v1/me/tokens/{id}", c, a.deleteToken},

		{"GET /api/v1/services", c, a.listServices},
		{"POST /api/v1/services", ad, a.createService},
		{"GET /api/v1/services/{id}", c, a.getService},
		{"PUT /api/v1/services/{id}", ad, a.updateService},
		{"GET /api/v1/request-types", c, a.listRequestTypes},
		{"POST /api/v1/request-types", ad, a.createRequestType},
		{"GET /api/v1/request-types/{id}", c, a.getRequestType},
		{"PUT /api/v1/request-types/{id}", ad, a.updateRequestType},
		{"GET /api/v1/workflows", ag, a.listWorkflows},
		{"GET /api/v1/workflows/{id}", ag, a.getWorkflow},
		{"PUT /api/v1/workflows/{id}", ad, a.updateWorkflow},

		{"GET /api/v1/organizations", ag, a.listOrganizations},
		{"POST /api/v1/organizations", ad, a.createOrganization},
		{"GET /api/v1/users", ag, a.listUsers},
		{"POST /api/v1/users", ad, a.createUser},
		{"GET /api/v1/users/{id}", ag, a.getUser},
		{"GET /api/v1/teams", ag, a.listTeams},
		{"POST /api/v1/teams", ad, a.createTeam},
		{"PUT /api/v1/teams/{id}/members", ad, a.setTeamMembers},

		{"GET /api/v1/tickets", c, a.listTickets},
		{"POST /api/v1/tickets", c, a.createTicket},
		{"GET /api/v1/tickets/{key}", c, a.getTicket},
		{"PATCH /api/v1/tickets/{key}", c, a.updateTicket},
		{"GET /api/v1/tickets/{key}/transitions", c, a.listTransitions},
		{"POST /api/v1/tickets/{key}/transitions", c, a.transition},
		{"GET /api/v1/tickets/{key}/comments", c, a.listComments},
		{"POST /api/v1/tickets/{key}/comments", c, a.addComment},
		{"GET /api/v1/tickets/{key}/history", c, a.history},
		{"GET /api/v1/tickets/{key}/links", c, a.listLinks},
		{"POST /api/v1/tickets/{key}/links", ag, a.addLink},
		{"DELETE /api/v1/tickets/{key}/links/{id}", ag, a.deleteLink},
		{"GET /api/v1/tickets/{key}/attachments", c, a.listAttachments},
		{"POST /api/v1/tickets/{key}/attachments", c, a.addAttachment},
		{"GET /api/v1/tickets/{key}/attachments/{id}", c, a.getAttachment},
	}
}

// guard authenticates, checks CSRF for cookie sessions and the least role,
// then runs the handler. Anonymous calls get 401; too weak a role gets 403.
func (a *API) guard(least directory.Role, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := a.auth.Identify(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if id.Method == auth.MethodNone {
			a.fail(w, r, &errs.Error{Kind: errs.KindUnauthorized, Code: "unauthorized", Message: "sign in with an API token: Authorization: Bearer <token>"})
			return
		}
		if err := auth.CheckCSRF(r, id); err != nil {
			a.fail(w, r, err)
			return
		}
		if !atLeast(id.Actor.Role, least) {
			a.fail(w, r, errs.Forbidden("this needs the %s role", least))
			return
		}
		r = r.WithContext(auth.WithIdentity(r.Context(), id))
		if err := h(w, r, id); err != nil {
			a.fail(w, r, err)
		}
	})
}

func atLeast(have, least directory.Role) bool {
	rank := map[directory.Role]int{directory.RoleCustomer: 1, directory.RoleAgent: 2, directory.RoleAdmin: 3}
	return rank[have] >= rank[least]
}
