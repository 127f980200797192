package api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// Incident and problem management: the priority matrix and incident rules,
// reopening, major incidents and their communication log, affected
// services and causes of incidents, problems' root cause analysis and
// incidents, and known errors.

// Settings.

// matrixBody is the priority matrix as JSON: impact, then urgency, to a
// priority, in any letter case.
type matrixBody map[string]map[string]string

func (a *API) getPriorityMatrix(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	m, err := a.store.PriorityMatrix(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (a *API) putPriorityMatrix(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in matrixBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	m := ticket.Matrix{}
	for impact, row := range in {
		il, ok := ticket.ParseLevel(impact)
		if !ok {
			return errs.Invalid(impact, "is not an impact; use high, medium or low")
		}
		m[il] = map[ticket.Level]ticket.Priority{}
		for urgency, prio := range row {
			field := string(il) + "." + urgency
			ul, ok := ticket.ParseLevel(urgency)
			if !ok {
				return errs.Invalid(field, "is not an urgency; use high, medium or low")
			}
			p, ok := ticket.ParsePriority(prio)
			if !ok {
				return errs.Invalid(field, "must be one of Highest, High, Medium, Low, Lowest")
			}
			m[il][ul] = p
		}
	}
	saved, err := a.store.SetPriorityMatrix(r.Context(), id.Actor, m)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, saved)
	return nil
}

func (a *API) getIncidentSettings(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	st, err := a.store.IncidentSettings(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (a *API) putIncidentSettings(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in ticket.IncidentSettings
	if err := decode(w, r, &in); err != nil {
		return err
	}
	st, err := a.store.SetIncidentSettings(r.Context(), id.Actor, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// Incidents.

type reopenBody struct {
	Comment string `json:"comment"`
}

// reopenIncident reopens a resolved incident or, past the reopen window,
// raises a new one linked to it; the answer says which.
func (a *API) reopenIncident(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in reopenBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	res, err := a.store.ReopenIncident(r.Context(), id.Actor, r.PathValue("key"), in.Comment)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (a *API) getMajorIncident(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	m, found, err := a.store.MajorIncident(r.Context(), id.Actor, r.PathValue("key"))
	if err != nil {
		return err
	}
	if !found {
		return errs.NotFound("%s was never declared a major incident", strings.ToUpper(r.PathValue("key")))
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

type declareMajorBody struct {
	Reason string `json:"reason"`
}

func (a *API) declareMajorIncident(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in declareMajorBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	m, err := a.store.DeclareMajorIncident(r.Context(), id.Actor, r.PathValue("key"), in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

func (a *API) endMajorIncident(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	m, err := a.store.EndMajorIncident(r.Context(), id.Actor, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (a *API) listMajorIncidents(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	list, err := a.store.MajorIncidents(r.Context(), id.Actor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"major_incidents": list})
	return nil
}

func (a *API) listCommunications(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	log, err := a.store.Communications(r.Context(), id.Actor, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"communications": log})
	return nil
}

type communicationBody struct {
	Audience string `json:"audience"`
	Message  string `json:"message"`
}

func (a *API) postCommunication(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in communicationBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c, err := a.store.PostCommunication(r.Context(), id.Actor, r.PathValue("key"), ticket.Audience(in.Audience), in.Message)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (a *API) getAffectedServices(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	list, err := a.store.AffectedServices(r.Context(), id.Actor, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"services": list})
	return nil
}

type affectedServicesBody struct {
	Services []ref `json:"services"`
}

func (a *API) setAffectedServices(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in affectedServicesBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	refs := make([]string, len(in.Services))
	for i, s := range in.Services {
		refs[i] = string(s)
	}
	list, err := a.store.SetAffectedServices(r.Context(), id.Actor, r.PathValue("key"), refs)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"services": list})
	return nil
}

func (a *API) listIncidentCauses(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	list, err := a.store.IncidentCauses(r.Context(), id.Actor, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"causes": list})
	return nil
}

type causeBody struct {
	Ticket string `json:"ticket"`
}

func (a *API) addIncidentCause(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in causeBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c, err := a.store.LinkIncidentCause(r.Context(), id.Actor, r.PathValue("key"), in.Ticket)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

// Problems.

func (a *API) getProblemAnalysis(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	an, err := a.store.ProblemAnalysis(r.Context(), id.Actor, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, an)
	return nil
}

type analysisBody struct {
	Symptoms  string       `json:"symptoms"`
	RootCause string       `json:"root_cause"`
	Method    string       `json:"method"`
	Whys      []ticket.Why `json:"whys"`
	Notes     string       `json:"notes"`
}

func (a *API) putProblemAnalysis(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in analysisBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	an, err := a.store.SaveProblemAnalysis(r.Context(), id.Actor, r.PathValue("key"), ticket.Analysis{
		Symptoms: in.Symptoms, RootCause: in.RootCause, Method: ticket.AnalysisMethod(in.Method), Whys: in.Whys, Notes: in.Notes})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, an)
	return nil
}

func (a *API) listProblemIncidents(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	list, err := a.store.ProblemIncidents(r.Context(), id.Actor, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"incidents": list})
	return nil
}

type resolveProblemBody struct {
	Cascade    string `json:"cascade"`
	Resolution string `json:"resolution"`
	Comment    string `json:"comment"`
}

func (a *API) resolveProblem(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in resolveProblemBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	cascade, err := ticket.ParseCascade(in.Cascade)
	if err != nil {
		return err
	}
	res, err := a.store.ResolveProblem(r.Context(), id.Actor, r.PathValue("key"), cascade, in.Resolution, in.Comment)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

type newProblemBody struct {
	Summary     string `json:"summary"`
	Description string `json:"description"`
	Service     ref    `json:"service"`
}

type groupBody struct {
	Incidents  []string        `json:"incidents"`
	Problem    string          `json:"problem"`
	NewProblem *newProblemBody `json:"new_problem"`
}

func (a *API) groupIncidents(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in groupBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	var np *store.NewProblem
	if in.NewProblem != nil {
		np = &store.NewProblem{Summary: in.NewProblem.Summary, Description: in.NewProblem.Description, Service: string(in.NewProblem.Service)}
	}
	res, err := a.store.GroupIncidents(r.Context(), id.Actor, in.Incidents, in.Problem, np)
	if e, ok := errs.As(err); ok && np != nil && (e.Field == "summary" || e.Field == "description" || e.Field == "service") {
		e.Field = "new_problem." + e.Field
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// Known errors.

func (a *API) listKnownErrors(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	q := r.URL.Query()
	if err := knownParams(q, "q", "status", "problem", "limit", "offset"); err != nil {
		return err
	}
	f := store.KnownErrorFilter{Text: q.Get("q"), Problem: q.Get("problem")}
	for _, s := range list(q.Get("status")) {
		st := ticket.KnownErrorStatus(strings.ToLower(s))
		if !ticket.ValidKnownErrorStatus(st) {
			return errs.Invalid("status", "%q is not a known error status; use active, fixed or retired", s)
		}
		f.Statuses = append(f.Statuses, st)
	}
	var err error
	if f.Limit, f.Offset, err = paging(q.Get("limit"), q.Get("offset"), store.MaxPage); err != nil {
		return err
	}
	page, err := a.store.KnownErrors(r.Context(), id.Actor, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

type knownErrorBody struct {
	Problem    string `json:"problem"`
	Title      string `json:"title"`
	Symptoms   string `json:"symptoms"`
	Workaround string `json:"workaround"`
	Status     string `json:"status"`
}

func (b knownErrorBody) record() ticket.KnownError {
	return ticket.KnownError{Title: b.Title, Symptoms: b.Symptoms, Workaround: b.Workaround, Status: ticket.KnownErrorStatus(strings.ToLower(b.Status))}
}

func (a *API) createKnownError(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in knownErrorBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Problem) == "" {
		return errs.Required("problem")
	}
	k, err := a.store.CreateKnownError(r.Context(), id.Actor, in.Problem, in.record())
	if errs.Is(err, errs.KindNotFound) {
		return errs.Invalid("problem", "no problem %s", strings.ToUpper(strings.TrimSpace(in.Problem)))
	}
	if e, ok := errs.As(err); ok && e.Code == "wrong_type" {
		return errs.Invalid("problem", "%s", e.Message)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/known-errors/%d", k.ID))
	writeJSON(w, http.StatusCreated, k)
	return nil
}

func (a *API) getKnownError(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	kid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	k, err := a.store.KnownError(r.Context(), id.Actor, kid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, k)
	return nil
}

type knownErrorUpdateBody struct {
	Title      string `json:"title"`
	Symptoms   string `json:"symptoms"`
	Workaround string `json:"workaround"`
	Status     string `json:"status"`
}

func (a *API) updateKnownError(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	kid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in knownErrorUpdateBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	k, err := a.store.UpdateKnownError(r.Context(), id.Actor, kid, knownErrorBody{Title: in.Title, Symptoms: in.Symptoms,
		Workaround: in.Workaround, Status: in.Status}.record())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, k)
	return nil
}

type applyKnownErrorBody struct {
	Incident string `json:"incident"`
	Internal bool   `json:"internal"`
}

// applyKnownError posts the workaround on an incident and links the
// incident to the known error's problem.
func (a *API) applyKnownError(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	kid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in applyKnownErrorBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	// The known error answers 404; an incident the caller cannot see is a
	// bad field of the body.
	if _, err := a.store.KnownError(r.Context(), id.Actor, kid); err != nil {
		return err
	}
	res, err := a.store.ApplyKnownError(r.Context(), id.Actor, kid, in.Incident, in.Internal)
	if errs.Is(err, errs.KindNotFound) {
		return errs.Invalid("incident", "no incident %s", strings.ToUpper(strings.TrimSpace(in.Incident)))
	}
	if e, ok := errs.As(err); ok && e.Code == "wrong_type" {
		return errs.Invalid("incident", "%s", e.Message)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
