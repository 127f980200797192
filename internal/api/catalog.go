package api

import (
	"net/http"
	"strings"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

func equalFold(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// Customers see only live services and their request types; staff see all.
func (a *API) listServices(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	svcs, err := a.store.Services(r.Context(), !id.Actor.Role.Staff())
	if err != nil {
		return err
	}
	if svcs == nil {
		svcs = []catalog.Service{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"services": svcs})
	return nil
}

func (a *API) getService(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	sid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	svc, err := a.store.Service(r.Context(), sid)
	if err != nil {
		return err
	}
	if !id.Actor.Role.Staff() && svc.Status != catalog.ServiceLive {
		return errs.NotFound("no service with id %d", sid)
	}
	writeJSON(w, http.StatusOK, svc)
	return nil
}

type serviceBody struct {
	Name        string  `json:"name"`
	Description string  `json:"description"`
	OwnerTeam   ref     `json:"owner_team"`
	TeamIDs     []int64 `json:"team_ids"`
	Status      string  `json:"status"`
}

func (a *API) serviceFrom(r *http.Request, in serviceBody) (catalog.Service, error) {
	svc := catalog.Service{Name: in.Name, Description: in.Description, TeamIDs: in.TeamIDs, Status: catalog.ServiceStatus(in.Status)}
	if in.OwnerTeam != "" {
		tid, err := a.teamRef(r, "owner_team", in.OwnerTeam)
		if err != nil {
			return svc, err
		}
		svc.OwnerTeamID = tid
	}
	return svc, nil
}

func (a *API) createService(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in serviceBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	svc, err := a.serviceFrom(r, in)
	if err != nil {
		return err
	}
	svc, err = a.store.CreateService(r.Context(), id.Actor, svc)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, svc)
	return nil
}

func (a *API) updateService(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	sid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in serviceBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	svc, err := a.serviceFrom(r, in)
	if err != nil {
		return err
	}
	svc.ID = sid
	svc, err = a.store.UpdateService(r.Context(), id.Actor, svc)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, svc)
	return nil
}

func (a *API) listRequestTypes(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	if err := knownParams(r.URL.Query(), "service"); err != nil {
		return err
	}
	var serviceID int64
	if v := r.URL.Query().Get("service"); v != "" {
		svc, err := a.store.ServiceByRef(r.Context(), v)
		if err != nil {
			return errs.Invalid("service", "no service %q", v)
		}
		serviceID = svc.ID
	}
	rts, err := a.store.RequestTypes(r.Context(), serviceID, !id.Actor.Role.Staff())
	if err != nil {
		return err
	}
	if rts == nil {
		rts = []catalog.RequestType{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"request_types": rts})
	return nil
}

func (a *API) getRequestType(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	rid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rt, err := a.store.RequestType(r.Context(), rid)
	if err != nil {
		return err
	}
	if !id.Actor.Role.Staff() {
		svc, err := a.store.Service(r.Context(), rt.ServiceID)
		if err != nil || svc.Status != catalog.ServiceLive || rt.Internal {
			return errs.NotFound("no request type with id %d", rid)
		}
	}
	writeJSON(w, http.StatusOK, rt)
	return nil
}

type requestTypeBody struct {
	Service     ref             `json:"service"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	TicketType  string          `json:"ticket_type"`
	Internal    bool            `json:"internal"`
	Fields      []catalog.Field `json:"fields"`
}

func (a *API) requestTypeFrom(r *http.Request, in requestTypeBody) (catalog.RequestType, error) {
	rt := catalog.RequestType{Name: in.Name, Description: in.Description, TicketType: in.TicketType, Internal: in.Internal, Fields: in.Fields}
	if in.Service == "" {
		return rt, errs.Required("service")
	}
	svc, err := a.store.ServiceByRef(r.Context(), string(in.Service))
	if err != nil {
		return rt, errs.Invalid("service", "no service %q", in.Service)
	}
	rt.ServiceID = svc.ID
	return rt, nil
}

func (a *API) createRequestType(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in requestTypeBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	rt, err := a.requestTypeFrom(r, in)
	if err != nil {
		return err
	}
	rt, err = a.store.CreateRequestType(r.Context(), id.Actor, rt)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, rt)
	return nil
}

func (a *API) updateRequestType(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	rid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in requestTypeBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	rt, err := a.requestTypeFrom(r, in)
	if err != nil {
		return err
	}
	rt.ID = rid
	rt, err = a.store.UpdateRequestType(r.Context(), id.Actor, rt)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rt)
	return nil
}

func (a *API) listWorkflows(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	wfs, err := a.store.Workflows(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"workflows": wfs})
	return nil
}

func (a *API) getWorkflow(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	wid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	wf, err := a.store.Workflow(r.Context(), wid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wf)
	return nil
}

func (a *API) updateWorkflow(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	wid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var wf ticket.Workflow
	if err := decode(w, r, &wf); err != nil {
		return err
	}
	if wf.ID != 0 && wf.ID != wid {
		return errs.Invalid("id", "does not match the workflow in the path")
	}
	wf.ID = wid
	wf, err = a.store.UpdateWorkflow(r.Context(), id.Actor, wf)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wf)
	return nil
}
