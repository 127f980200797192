package api

import (
	"bufio"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
)

// The CMDB is for staff: agents read and edit CIs and their links, admins
// define CI types, the customers of services and imports. Customers get 403
// from the guard on every CMDB route, ticket ones included.

func (a *API) listCITypes(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	types, err := a.store.CITypes(r.Context())
	if err != nil {
		return err
	}
	if types == nil {
		types = []cmdb.CIType{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"ci_types": types})
	return nil
}

// getCIType takes the type's id or key in the path.
func (a *API) getCIType(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	t, err := a.store.CIType(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

type ciTypeBody struct {
	Key         string           `json:"key"`
	Name        string           `json:"name"`
	Description string           `json:"description"`
	Parent      ref              `json:"parent"`
	Attributes  []cmdb.Attribute `json:"attributes"`
}

func (a *API) ciTypeFrom(r *http.Request, in ciTypeBody) (cmdb.CIType, error) {
	t := cmdb.CIType{Key: in.Key, Name: in.Name, Description: in.Description, Attributes: in.Attributes}
	if in.Parent != "" {
		p, err := a.store.CIType(r.Context(), string(in.Parent))
		if errs.Is(err, errs.KindNotFound) {
			return t, errs.Invalid("parent", "no CI type %q", in.Parent)
		}
		if err != nil {
			return t, err
		}
		t.ParentID = p.ID
	}
	return t, nil
}

func (a *API) createCIType(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in ciTypeBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	t, err := a.ciTypeFrom(r, in)
	if err != nil {
		return err
	}
	t, err = a.store.CreateCIType(r.Context(), id.Actor, t)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, t)
	return nil
}

// updateCIType replaces a type's definition; the key cannot change.
func (a *API) updateCIType(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	old, err := a.store.CIType(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	var in ciTypeBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	t, err := a.ciTypeFrom(r, in)
	if err != nil {
		return err
	}
	t.ID = old.ID
	t, err = a.store.UpdateCIType(r.Context(), id.Actor, t)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

// listCIs filters with query parameters; lists take commas
// (status=live,maintenance). q is a query in Cairn's query language
// (docs/cmdb-query.md): the other filters narrow its result further, and
// sort, when given, replaces its ORDER BY.
func (a *API) listCIs(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	q := r.URL.Query()
	if err := knownParams(q, "type", "status", "criticality", "owner_team", "q", "text", "sort", "order", "limit", "offset"); err != nil {
		return err
	}
	f := store.CIFilter{Query: q.Get("q"), Text: strings.TrimSpace(q.Get("text")), Sort: q.Get("sort")}
	if v := q.Get("type"); v != "" {
		t, err := a.store.CIType(r.Context(), v)
		if errs.Is(err, errs.KindNotFound) {
			return errs.Invalid("type", "no CI type %q", v)
		}
		if err != nil {
			return err
		}
		f.TypeID = t.ID
	}
	for _, s := range list(q.Get("status")) {
		st := cmdb.Status(strings.ToLower(s))
		if !st.Valid() {
			return errs.Invalid("status", "%q is not a CI status", s)
		}
		f.Statuses = append(f.Statuses, st)
	}
	for _, c := range list(q.Get("criticality")) {
		cr := cmdb.Criticality(strings.ToLower(c))
		if !cr.Valid() {
			return errs.Invalid("criticality", "%q is not a criticality", c)
		}
		f.Criticalities = append(f.Criticalities, cr)
	}
	var err error
	if v := q.Get("owner_team"); v != "" {
		if f.OwnerTeamID, err = a.teamRef(r, "owner_team", ref(v)); err != nil {
			return err
		}
	}
	switch q.Get("order") {
	case "", "asc":
	case "desc":
		f.Descending = true
	default:
		return errs.Invalid("order", "must be asc or desc")
	}
	if f.Limit, f.Offset, err = paging(q.Get("limit"), q.Get("offset"), store.MaxPage); err != nil {
		return err
	}
	page, err := a.store.CIs(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (a *API) getCI(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	cid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ci, err := a.store.CI(r.Context(), cid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ci)
	return nil
}

type ciBody struct {
	Name        string         `json:"name"`
	Type        ref            `json:"type"`
	Description string         `json:"description"`
	Status      string         `json:"status"`
	Criticality string         `json:"criticality"`
	OwnerTeam   ref            `json:"owner_team"`
	Attributes  map[string]any `json:"attributes"`
}

func (a *API) createCI(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in ciBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	nc := store.NewCI{Name: in.Name, Type: string(in.Type), Description: in.Description, Status: in.Status,
		Criticality: in.Criticality, Attributes: in.Attributes}
	if in.OwnerTeam != "" {
		tid, err := a.teamRef(r, "owner_team", in.OwnerTeam)
		if err != nil {
			return err
		}
		nc.OwnerTeamID = tid
	}
	ci, err := a.store.CreateCI(r.Context(), id.Actor, nc)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/cis/%d", ci.ID))
	writeJSON(w, http.StatusCreated, ci)
	return nil
}

type ciPatchBody struct {
	Name        optional[string]         `json:"name"`
	Type        optional[ref]            `json:"type"`
	Description optional[string]         `json:"description"`
	Status      optional[string]         `json:"status"`
	Criticality optional[string]         `json:"criticality"`
	OwnerTeam   optional[ref]            `json:"owner_team"`
	Attributes  optional[map[string]any] `json:"attributes"`
}

func (a *API) updateCI(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	cid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in ciPatchBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	for field, null := range map[string]bool{"name": in.Name.Null, "type": in.Type.Null, "status": in.Status.Null, "criticality": in.Criticality.Null} {
		if null {
			return errs.Invalid(field, "cannot be null")
		}
	}
	p := store.CIPatch{Name: in.Name.ptr(), Status: in.Status.ptr(), Criticality: in.Criticality.ptr(), Attributes: in.Attributes.Value}
	if in.Type.Set {
		t := string(in.Type.Value)
		p.Type = &t
	}
	if in.Description.Set {
		d := in.Description.Value // null clears
		p.Description = &d
	}
	if in.OwnerTeam.Set {
		var tid int64
		if !in.OwnerTeam.Null && in.OwnerTeam.Value != "" {
			if tid, err = a.teamRef(r, "owner_team", in.OwnerTeam.Value); err != nil {
				return err
			}
		}
		p.OwnerTeamID = &tid
	}
	ci, err := a.store.UpdateCI(r.Context(), id.Actor, cid, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ci)
	return nil
}

func (a *API) deleteCI(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	cid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.store.DeleteCI(r.Context(), id.Actor, cid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) ciHistory(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	cid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	evs, err := a.store.CIHistory(r.Context(), id.Actor, cid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": evs})
	return nil
}

func (a *API) listRelationships(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	cid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rels, err := a.store.Relationships(r.Context(), cid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"relationships": rels})
	return nil
}

// ciLinkBody names a CI by id: {"ci": 12}.
type ciLinkBody struct {
	CI int64 `json:"ci"`
}

func (in ciLinkBody) check() error {
	if in.CI <= 0 {
		return errs.Required("ci")
	}
	return nil
}

// addRelationship takes {"kind": "hosts", "ci": 12}: "this CI hosts CI 12".
func (a *API) addRelationship(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	cid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Kind string `json:"kind"`
		CI   int64  `json:"ci"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Kind == "" {
		return errs.Required("kind")
	}
	if in.CI <= 0 {
		return errs.Required("ci")
	}
	rel, err := a.store.AddRelationship(r.Context(), id.Actor, cid, in.Kind, in.CI)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, rel)
	return nil
}

func (a *API) deleteRelationship(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	cid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rid, err := pathID(r, "rel")
	if err != nil {
		return err
	}
	if err := a.store.DeleteRelationship(r.Context(), id.Actor, cid, rid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// impactParams reads depth (1 to cmdb.MaxDepth; absent: no limit) and limit.
func impactParams(r *http.Request) (depth, limit int, err error) {
	q := r.URL.Query()
	if v := q.Get("depth"); v != "" {
		if depth, err = strconv.Atoi(v); err != nil || depth < 1 || depth > cmdb.MaxDepth {
			return 0, 0, errs.Invalid("depth", "must be a number from 1 to %d", cmdb.MaxDepth)
		}
	}
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > store.MaxImpactLimit {
			return 0, 0, errs.Invalid("limit", "must be a number from 1 to %d", store.MaxImpactLimit)
		}
	}
	return depth, limit, nil
}

func (a *API) ciImpact(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	cid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := knownParams(r.URL.Query(), "direction", "depth", "limit"); err != nil {
		return err
	}
	dir, err := cmdb.ParseDirection(r.URL.Query().Get("direction"))
	if err != nil {
		return err
	}
	depth, limit, err := impactParams(r)
	if err != nil {
		return err
	}
	imp, err := a.store.Impact(r.Context(), store.ImpactQuery{CIIDs: []int64{cid}, Direction: dir, Depth: depth, Limit: limit})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, imp)
	return nil
}

func (a *API) ciServices(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	cid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	svcs, err := a.store.CIServices(r.Context(), cid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"services": svcs})
	return nil
}

func (a *API) ciTickets(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	cid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := knownParams(r.URL.Query(), "limit"); err != nil {
		return err
	}
	limit, _, err := paging(r.URL.Query().Get("limit"), "", store.MaxPage)
	if err != nil {
		return err
	}
	tks, err := a.store.CITickets(r.Context(), id.Actor, cid, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"tickets": tks})
	return nil
}

func (a *API) listServiceCIs(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	sid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	cis, err := a.store.ServiceCIs(r.Context(), sid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"cis": cis})
	return nil
}

func (a *API) linkServiceCI(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	sid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in ciLinkBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	ci, err := a.store.LinkServiceCI(r.Context(), id.Actor, sid, in.CI)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, ci)
	return nil
}

func (a *API) unlinkServiceCI(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	sid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	cid, err := pathID(r, "ci")
	if err != nil {
		return err
	}
	if err := a.store.UnlinkServiceCI(r.Context(), id.Actor, sid, cid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listServiceOrganizations(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	sid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	orgs, err := a.store.ServiceOrganizations(r.Context(), sid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"organizations": orgs})
	return nil
}

func (a *API) setServiceOrganizations(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	sid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		OrganizationIDs []int64 `json:"organization_ids"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := a.store.SetServiceOrganizations(r.Context(), id.Actor, sid, in.OrganizationIDs); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listTicketCIs(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	cis, err := a.store.TicketCIs(r.Context(), id.Actor, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"cis": cis})
	return nil
}

func (a *API) linkTicketCI(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in ciLinkBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	ci, err := a.store.LinkTicketCI(r.Context(), id.Actor, r.PathValue("key"), in.CI)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, ci)
	return nil
}

func (a *API) unlinkTicketCI(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	cid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.store.UnlinkTicketCI(r.Context(), id.Actor, r.PathValue("key"), cid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) ticketImpact(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	if err := knownParams(r.URL.Query(), "depth"); err != nil {
		return err
	}
	depth, _, err := impactParams(r)
	if err != nil {
		return err
	}
	imp, err := a.store.TicketImpact(r.Context(), id.Actor, r.PathValue("key"), depth)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, imp)
	return nil
}

// MaxImportBody is the largest file an import takes: about 200 000 rows.
const MaxImportBody = 64 << 20

// importCIs takes a CSV or JSON file as the body (text/csv or
// application/json; without a type, the first byte tells) and answers the
// report, 200 whether the rows were imported or not: the report says which.
func (a *API) importCIs(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	q := r.URL.Query()
	if err := knownParams(q, "dry_run", "atomic", "match", "format"); err != nil {
		return err
	}
	opt := store.ImportOptions{}
	for name, dst := range map[string]*bool{"dry_run": &opt.DryRun, "atomic": &opt.Atomic} {
		if v := q.Get(name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return errs.Invalid(name, "must be true or false")
			}
			*dst = b
		}
	}
	var err error
	if opt.Match, err = cmdb.ParseMatch(q.Get("match")); err != nil {
		return err
	}
	body := bufio.NewReader(http.MaxBytesReader(w, r.Body, MaxImportBody))
	format := q.Get("format")
	switch format {
	case "":
		mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		head, _ := body.Peek(512)
		format = cmdb.DetectFormat(mediaType, "", head)
	case cmdb.FormatCSV, cmdb.FormatJSON:
	default:
		return errs.Invalid("format", "must be csv or json")
	}
	recs, err := cmdb.ReadImport(body, format)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) || (err != nil && strings.Contains(err.Error(), "request body too large")) {
		return &errs.Error{Kind: errs.KindTooLarge, Code: "too_large", Message: fmt.Sprintf("the file is larger than %d MiB; split it", MaxImportBody>>20)}
	}
	if err != nil {
		return err
	}
	rep, err := a.store.ImportCIs(r.Context(), id.Actor, recs, opt)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}
