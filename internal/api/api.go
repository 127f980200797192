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
		{"PATCH /api/v1/users/{id}", ad, a.updateUser},
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

		// Change enablement and service request fulfilment (changes.go).
		{"GET /api/v1/change-calendar", ag, a.changeCalendar},
		{"POST /api/v1/changes", ag, a.createChange},
		{"GET /api/v1/changes/{key}", ag, a.getChange},
		{"PATCH /api/v1/changes/{key}", ag, a.planChange},
		{"POST /api/v1/changes/{key}/risk", ag, a.assessChange},
		{"POST /api/v1/changes/{key}/submit", ag, a.submitChange},
		{"POST /api/v1/changes/{key}/review", ag, a.reviewChange},
		{"GET /api/v1/change-success-rate", ag, a.changeSuccessRate},
		{"GET /api/v1/change-templates", ag, a.listChangeTemplates},
		{"POST /api/v1/change-templates", ad, a.createChangeTemplate},
		{"PUT /api/v1/change-templates/{id}", ad, a.updateChangeTemplate},
		{"GET /api/v1/risk-model", ag, a.getRiskModel},
		{"PUT /api/v1/risk-model", ad, a.putRiskModel},
		{"GET /api/v1/change-settings", ag, a.getChangeSettings},
		{"PUT /api/v1/change-settings", ad, a.putChangeSettings},
		{"GET /api/v1/freeze-windows", ag, a.listFreezeWindows},
		{"POST /api/v1/freeze-windows", ad, a.createFreezeWindow},
		{"DELETE /api/v1/freeze-windows/{id}", ad, a.deleteFreezeWindow},
		{"GET /api/v1/approval-rules", ag, a.listApprovalRules},
		{"POST /api/v1/approval-rules", ad, a.createApprovalRule},
		{"PUT /api/v1/approval-rules/{id}", ad, a.updateApprovalRule},
		{"DELETE /api/v1/approval-rules/{id}", ad, a.deleteApprovalRule},
		{"GET /api/v1/approvals", c, a.myApprovals},
		{"GET /api/v1/tickets/{key}/approvals", c, a.ticketApprovals},
		{"POST /api/v1/tickets/{key}/approvals", c, a.decideApproval},
		{"POST /api/v1/deployments", ag, a.recordDeployment},
		{"GET /api/v1/deployments", ag, a.listDeployments},
		{"GET /api/v1/request-types/{id}/fulfilment", ag, a.getFulfilment},
		{"PUT /api/v1/request-types/{id}/tasks", ad, a.putTaskPlan},
		{"GET /api/v1/tickets/{key}/tasks", c, a.listTicketTasks},
		{"GET /api/v1/tasks", ag, a.listTeamTasks},
		{"POST /api/v1/tasks/{id}/complete", ag, a.completeTask},

		// The CMDB (cmdb.go): agents work with CIs, admins define types.
		{"GET /api/v1/ci-types", ag, a.listCITypes},
		{"POST /api/v1/ci-types", ad, a.createCIType},
		{"GET /api/v1/ci-types/{id}", ag, a.getCIType},
		{"PUT /api/v1/ci-types/{id}", ad, a.updateCIType},
		{"GET /api/v1/cis", ag, a.listCIs},
		{"POST /api/v1/cis", ag, a.createCI},
		{"GET /api/v1/cis/{id}", ag, a.getCI},
		{"PATCH /api/v1/cis/{id}", ag, a.updateCI},
		{"DELETE /api/v1/cis/{id}", ag, a.deleteCI},
		{"GET /api/v1/cis/{id}/history", ag, a.ciHistory},
		{"GET /api/v1/cis/{id}/relationships", ag, a.listRelationships},
		{"POST /api/v1/cis/{id}/relationships", ag, a.addRelationship},
		{"DELETE /api/v1/cis/{id}/relationships/{rel}", ag, a.deleteRelationship},
		{"GET /api/v1/cis/{id}/impact", ag, a.ciImpact},
		{"GET /api/v1/cis/{id}/services", ag, a.ciServices},
		{"GET /api/v1/cis/{id}/tickets", ag, a.ciTickets},
		{"GET /api/v1/services/{id}/cis", ag, a.listServiceCIs},
		{"POST /api/v1/services/{id}/cis", ag, a.linkServiceCI},
		{"DELETE /api/v1/services/{id}/cis/{ci}", ag, a.unlinkServiceCI},
		{"GET /api/v1/services/{id}/organizations", ag, a.listServiceOrganizations},
		{"PUT /api/v1/services/{id}/organizations", ad, a.setServiceOrganizations},
		{"GET /api/v1/tickets/{key}/cis", ag, a.listTicketCIs},
		{"POST /api/v1/tickets/{key}/cis", ag, a.linkTicketCI},
		{"DELETE /api/v1/tickets/{key}/cis/{id}", ag, a.unlinkTicketCI},
		{"GET /api/v1/tickets/{key}/impact", ag, a.ticketImpact},
		{"POST /api/v1/cmdb/import", ad, a.importCIs},

		// Incident and problem management (practices_incidents.go).
		{"GET /api/v1/priority-matrix", ad, a.getPriorityMatrix},
		{"PUT /api/v1/priority-matrix", ad, a.putPriorityMatrix},
		{"GET /api/v1/incident-settings", ag, a.getIncidentSettings},
		{"PUT /api/v1/incident-settings", ad, a.putIncidentSettings},
		{"POST /api/v1/incidents/{key}/reopen", c, a.reopenIncident},
		{"GET /api/v1/incidents/{key}/major", ag, a.getMajorIncident},
		{"POST /api/v1/incidents/{key}/major", ag, a.declareMajorIncident},
		{"DELETE /api/v1/incidents/{key}/major", ag, a.endMajorIncident},
		{"GET /api/v1/major-incidents", ag, a.listMajorIncidents},
		{"GET /api/v1/incidents/{key}/communications", c, a.listCommunications},
		{"POST /api/v1/incidents/{key}/communications", ag, a.postCommunication},
		{"GET /api/v1/incidents/{key}/affected-services", c, a.getAffectedServices},
		{"PUT /api/v1/incidents/{key}/affected-services", ag, a.setAffectedServices},
		{"GET /api/v1/incidents/{key}/causes", ag, a.listIncidentCauses},
		{"POST /api/v1/incidents/{key}/causes", ag, a.addIncidentCause},
		{"GET /api/v1/problems/{key}/analysis", ag, a.getProblemAnalysis},
		{"PUT /api/v1/problems/{key}/analysis", ag, a.putProblemAnalysis},
		{"GET /api/v1/problems/{key}/incidents", ag, a.listProblemIncidents},
		{"POST /api/v1/problems/{key}/resolve", ag, a.resolveProblem},
		{"POST /api/v1/problems/group", ag, a.groupIncidents},
		{"GET /api/v1/known-errors", ag, a.listKnownErrors},
		{"POST /api/v1/known-errors", ag, a.createKnownError},
		{"GET /api/v1/known-errors/{id}", ag, a.getKnownError},
		{"PUT /api/v1/known-errors/{id}", ag, a.updateKnownError},
		{"POST /api/v1/known-errors/{id}/apply", ag, a.applyKnownError},

		// Queues and SLAs (queues.go, sla.go).
		{"GET /api/v1/queues", ag, a.listQueues},
		{"POST /api/v1/queues", ag, a.createQueue},
		{"GET /api/v1/queues/{id}", ag, a.getQueue},
		{"PUT /api/v1/queues/{id}", ag, a.updateQueue},
		{"DELETE /api/v1/queues/{id}", ag, a.deleteQueue},
		{"GET /api/v1/queues/{id}/tickets", ag, a.queueTickets},
		{"GET /api/v1/tickets/{key}/slas", ag, a.ticketSLAs},
		{"GET /api/v1/sla/calendars", ag, a.listCalendars},
		{"POST /api/v1/sla/calendars", ad, a.createCalendar},
		{"GET /api/v1/sla/calendars/{id}", ag, a.getCalendar},
		{"PUT /api/v1/sla/calendars/{id}", ad, a.updateCalendar},
		{"GET /api/v1/sla/metrics", ag, a.listSLAMetrics},
		{"POST /api/v1/sla/metrics", ad, a.createSLAMetric},
		{"GET /api/v1/sla/metrics/{id}", ag, a.getSLAMetric},
		{"PUT /api/v1/sla/metrics/{id}", ad, a.updateSLAMetric},
		{"GET /api/v1/reports/sla", ag, a.slaReport},
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
