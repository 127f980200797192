package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// ImpactQuery asks for an impact analysis from one or more CIs.
type ImpactQuery struct {
	CIIDs     []int64
	Direction cmdb.Direction // default upstream
	Depth     int            // relationship hops between CIs; 0: no limit
	Limit     int            // most CIs listed; 0: DefaultImpactLimit
}

// Limits on the CIs an impact analysis lists; it reaches all of them.
const (
	DefaultImpactLimit = 1000
	MaxImpactLimit     = 10000
)

// impactChunk is how many CIs one query of the traversal expands.
const impactChunk = 5000

// Impact analyses what depends on the given CIs (upstream: what fails with
// them) or what they depend on (downstream). The walk follows depends_on
// and runs_on (cmdb.RelKind.CarriesImpact) breadth first, over the graph
// the process keeps in memory (cmdb_graph.go), and reaches each CI once by
// a shortest path, so cycles are harmless. Upstream, it then adds the catalogue services
// built on any CI reached, and the customer organizations of those
// services (service_organizations); the depth limit counts hops between
// CIs only, and services and organizations of the CIs reached are always
// given. Each item comes with the path that explains it.
func (s *Store) Impact(ctx context.Context, q ImpactQuery) (cmdb.Impact, error) {
	c := s.reader(ctx)
	ts, err := c.typeSet()
	if err != nil {
		return cmdb.Impact{}, err
	}
	for _, id := range q.CIIDs {
		if _, err := c.ciName(id); err != nil {
			return cmdb.Impact{}, err
		}
	}
	return c.impact(ts, q)
}

func (c *conn) ciName(id int64) (string, error) {
	names, err := c.strings(`SELECT name FROM cis WHERE id = ? AND deleted_at IS NULL`, id)
	if err != nil {
		return "", err
	}
	if len(names) == 0 {
		return "", notFoundCI(id)
	}
	return names[0], nil
}

func (c *conn) impact(ts *cmdb.TypeSet, q ImpactQuery) (cmdb.Impact, error) {
	if q.Direction == "" {
		q.Direction = cmdb.Upstream
	}
	if q.Depth < 0 || q.Depth > cmdb.MaxDepth {
		q.Depth = 0
	}
	if q.Limit <= 0 {
		q.Limit = DefaultImpactLimit
	}
	q.Limit = min(q.Limit, MaxImpactLimit)
	up := q.Direction == cmdb.Upstream
	out := cmdb.Impact{Direction: q.Direction, Depth: q.Depth, Start: []cmdb.CIRef{}, CIs: []cmdb.ImpactItem{},
		Services: []cmdb.ImpactItem{}, Organizations: []cmdb.ImpactItem{}}

	if len(q.CIIDs) == 0 {
		return out, nil
	}
	expand, maxID := c.expander(up), int64(0)
	g, err := c.s.impactGraph(c.ctx)
	if err != nil {
		return out, err
	}
	if g != nil {
		expand, maxID = g.expander(up), g.maxID()
		for _, id := range q.CIIDs {
			maxID = max(maxID, id)
		}
	}
	reach, err := cmdb.Traverse(q.CIIDs, q.Depth, expand, maxID)
	if err != nil {
		return out, err
	}
	reached := reach.Order[len(reach.Starts):]
	out.TotalCIs = len(reached)
	listed := reached[:min(len(reached), q.Limit)]
	out.Truncated = len(listed) < len(reached)

	// Upstream: the services built on any CI reached, each through the
	// nearest of them, and the organizations of those services.
	type via struct {
		ci    int64
		depth int
		rank  int
	}
	var svcVia map[int64]via
	var orgVia map[int64]int64 // organization -> service
	need := map[int64]bool{}
	for _, id := range reach.Order[:len(reach.Starts)+len(listed)] {
		need[id] = true
	}
	if up {
		links, err := c.pairs(`SELECT service_id, ci_id FROM service_cis`)
		if err != nil {
			return out, err
		}
		svcVia = map[int64]via{}
		for _, l := range links {
			d, ok := reach.Depth(l[1])
			if !ok {
				continue
			}
			v := via{l[1], d, reach.Index(l[1])}
			if old, seen := svcVia[l[0]]; !seen || v.rank < old.rank {
				svcVia[l[0]] = v
			}
		}
		for _, v := range svcVia {
			for _, e := range reach.Path(v.ci) {
				need[e.From], need[e.To] = true, true
			}
			need[v.ci] = true
		}
		if len(svcVia) > 0 {
			orgs, err := c.pairs(`SELECT service_id, organization_id FROM service_organizations`)
			if err != nil {
				return out, err
			}
			orgVia = map[int64]int64{}
			for _, l := range orgs {
				v, ok := svcVia[l[0]]
				if !ok {
					continue
				}
				if old, seen := orgVia[l[1]]; !seen || v.rank < svcVia[old].rank || (v.rank == svcVia[old].rank && l[0] < old) {
					orgVia[l[1]] = l[0]
				}
			}
		}
	}

	refs, err := c.ciRefsByID(ts, mapKeys(need))
	if err != nil {
		return out, err
	}
	for _, id := range reach.Starts {
		out.Start = append(out.Start, refs[id])
	}
	pathTo := func(id int64) []cmdb.ImpactStep {
		start := reach.Path(id)
		first := id
		if len(start) > 0 {
			first = start[0].From
		}
		steps := []cmdb.ImpactStep{{Kind: cmdb.ItemCI, ID: first, Name: refs[first].Name}}
		for _, e := range start {
			v := e.Kind.VerbFrom(!up)
			steps = append(steps, cmdb.ImpactStep{Verb: v, Label: v.Label(), Kind: cmdb.ItemCI, ID: e.To, Name: refs[e.To].Name})
		}
		return steps
	}
	for _, id := range listed {
		r := refs[id]
		d, _ := reach.Depth(id)
		out.CIs = append(out.CIs, cmdb.ImpactItem{Kind: cmdb.ItemCI, ID: id, Name: r.Name, TypeID: r.TypeID, Type: r.Type,
			Status: string(r.Status), Criticality: r.Criticality, Depth: d, Path: pathTo(id)})
	}
	sortItems(out.CIs)
	if len(svcVia) == 0 {
		return out, nil
	}

	svcIDs := mapKeys(svcVia)
	svcs, err := c.namedRows(`SELECT id, name, status FROM services WHERE id IN (`+placeholders(len(svcIDs))+`)`, int64Args(svcIDs)...)
	if err != nil {
		return out, err
	}
	svcItem := map[int64]cmdb.ImpactItem{}
	for _, id := range svcIDs {
		v := svcVia[id]
		path := pathTo(v.ci)
		path = append(path, cmdb.ImpactStep{Verb: cmdb.VerbSupports, Label: cmdb.VerbSupports.Label(), Kind: cmdb.ItemService, ID: id, Name: svcs[id][0]})
		item := cmdb.ImpactItem{Kind: cmdb.ItemService, ID: id, Name: svcs[id][0], Status: svcs[id][1], Depth: v.depth + 1, Path: path}
		svcItem[id] = item
		out.Services = append(out.Services, item)
	}
	sortItems(out.Services)
	if len(orgVia) == 0 {
		return out, nil
	}
	orgIDs := mapKeys(orgVia)
	orgs, err := c.namedRows(`SELECT id, name, '' FROM organizations WHERE id IN (`+placeholders(len(orgIDs))+`)`, int64Args(orgIDs)...)
	if err != nil {
		return out, err
	}
	for _, id := range orgIDs {
		svc := svcItem[orgVia[id]]
		path := append(slices.Clone(svc.Path), cmdb.ImpactStep{Verb: cmdb.VerbServes, Label: cmdb.VerbServes.Label(), Kind: cmdb.ItemOrganization, ID: id, Name: orgs[id][0]})
		out.Organizations = append(out.Organizations, cmdb.ImpactItem{Kind: cmdb.ItemOrganization, ID: id, Name: orgs[id][0], Depth: svc.Depth + 1, Path: path})
	}
	sortItems(out.Organizations)
	return out, nil
}

func sortItems(items []cmdb.ImpactItem) {
	slices.SortFunc(items, func(a, b cmdb.ImpactItem) int {
		return cmp.Or(cmp.Compare(a.Depth, b.Depth), strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.ID, b.ID))
	})
}

// expander reads the next level of a traversal: upstream, the sources of
// the relationships that end at the frontier; downstream, their targets.
func (c *conn) expander(up bool) cmdb.Expander {
	col := "source_id"
	if up {
		col = "target_id"
	}
	return func(frontier []int64, emit func(cmdb.Edge)) error {
		var out []cmdb.Edge
		for chunk := range slices.Chunk(frontier, impactChunk) {
			cond, arg := c.inIDs(col, chunk)
			rows, err := c.query(`SELECT source_id, target_id, kind FROM ci_relationships WHERE `+cond+` AND kind IN ('depends_on', 'runs_on')`, arg)
			if err != nil {
				return fmt.Errorf("impact: %w", err)
			}
			for rows.Next() {
				var src, dst int64
				var kind string
				if err := rows.Scan(&src, &dst, &kind); err != nil {
					rows.Close()
					return err
				}
				if up {
					out = append(out, cmdb.Edge{From: dst, To: src, Kind: cmdb.RelKind(kind)})
				} else {
					out = append(out, cmdb.Edge{From: src, To: dst, Kind: cmdb.RelKind(kind)})
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		cmdb.SortEdges(out)
		for _, e := range out {
			emit(e)
		}
		return nil
	}
}

// inIDs is the condition "col is one of ids" with the ids as one
// parameter: a JSON array read by json_each on SQLite, an array on
// PostgreSQL. The statement stays short whatever the number of ids, so it
// is parsed quickly and a few queries expand thousands of CIs.
func (c *conn) inIDs(col string, ids []int64) (string, any) {
	var b strings.Builder
	b.Grow(8 * len(ids))
	open, end := "[", "]"
	if c.s.engine == Postgres {
		open, end = "{", "}"
	}
	b.WriteString(open)
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	b.WriteString(end)
	if c.s.engine == Postgres {
		return col + " = ANY(?::bigint[])", b.String()
	}
	return col + " IN (SELECT value FROM json_each(?))", b.String()
}

// ciRefsByID reads CIs by id, deleted ones included, in chunks.
func (c *conn) ciRefsByID(ts *cmdb.TypeSet, ids []int64) (map[int64]cmdb.CIRef, error) {
	out := make(map[int64]cmdb.CIRef, len(ids))
	for chunk := range slices.Chunk(ids, impactChunk) {
		cond, arg := c.inIDs("ci.id", chunk)
		refs, err := c.ciRefs(ts, `SELECT `+ciRefColumns+` FROM cis ci WHERE `+cond, arg)
		if err != nil {
			return nil, err
		}
		for _, r := range refs {
			out[r.ID] = r
		}
	}
	return out, nil
}

// pairs runs a query of two integer columns.
func (c *conn) pairs(query string, args ...any) ([][2]int64, error) {
	rows, err := c.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]int64
	for rows.Next() {
		var p [2]int64
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// namedRows runs a query of an id and two text columns.
func (c *conn) namedRows(query string, args ...any) (map[int64][2]string, error) {
	rows, err := c.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][2]string{}
	for rows.Next() {
		var id int64
		var v [2]string
		if err := rows.Scan(&id, &v[0], &v[1]); err != nil {
			return nil, err
		}
		out[id] = v
	}
	return out, rows.Err()
}

func mapKeys[V any](m map[int64]V) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TicketImpact is what a ticket's CIs affect.
type TicketImpact struct {
	Ticket string      `json:"ticket"`
	Type   ticket.Type `json:"type"`
	// Scope says how to read Impact: "affected" for an incident (the
	// services and customer organizations its CIs affect), "blast_radius"
	// for a change (everything its CIs could take down).
	Scope  string       `json:"scope"`
	CIs    []cmdb.CIRef `json:"cis"` // the CIs the ticket names
	Impact cmdb.Impact  `json:"impact"`
}

// The scopes of a ticket's impact.
const (
	ScopeAffected    = "affected"
	ScopeBlastRadius = "blast_radius"
)

// TicketImpact analyses upstream from the CIs a ticket names: for an
// incident (or a problem or request), the services and organizations
// affected; for a change, its blast radius. Agents only, on tickets they
// may see.
func (s *Store) TicketImpact(ctx context.Context, actor directory.Actor, key string, depth int) (TicketImpact, error) {
	c := s.reader(ctx)
	t, err := c.staffTicket(actor, key, "see the CMDB")
	if err != nil {
		return TicketImpact{}, err
	}
	out := TicketImpact{Ticket: t.Key, Type: t.Type, Scope: ScopeAffected, CIs: []cmdb.CIRef{}}
	if t.Type == ticket.TypeChange {
		out.Scope = ScopeBlastRadius
	}
	// Most tickets name no CI, and the agent's ticket page asks on every
	// load: answer those without reading the CI types.
	named, err := c.ids(`SELECT ci_id FROM ticket_cis WHERE ticket_id = ? LIMIT 1`, t.ID)
	if err != nil {
		return out, err
	}
	if len(named) == 0 {
		out.Impact, err = c.impact(nil, ImpactQuery{Direction: cmdb.Upstream, Depth: depth})
		return out, err
	}
	ts, err := c.typeSet()
	if err != nil {
		return TicketImpact{}, err
	}
	if out.CIs, err = c.ciRefs(ts, `SELECT `+ciRefColumns+` FROM ticket_cis tc JOIN cis ci ON ci.id = tc.ci_id
		WHERE tc.ticket_id = ? ORDER BY lower(ci.name), ci.id`, t.ID); err != nil {
		return out, err
	}
	ids := make([]int64, len(out.CIs))
	for i, r := range out.CIs {
		ids[i] = r.ID
	}
	out.Impact, err = c.impact(ts, ImpactQuery{CIIDs: ids, Direction: cmdb.Upstream, Depth: depth})
	return out, err
}
