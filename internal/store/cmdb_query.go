package store

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/cql"
)

// Queries over CIs (docs/cmdb-query.md): internal/cql compiles them, and
// looks up what they name here.

// compileCIQuery parses and compiles a query over CIs for this engine. A
// mistake in it is an invalid error on field "q" that tells the line and
// column.
func (c *conn) compileCIQuery(ts *cmdb.TypeSet, q string) (cql.SQL, error) {
	parsed, err := cql.ParseCI(q)
	if err != nil {
		return cql.SQL{}, queryError(err)
	}
	dialect := cql.SQLite
	if c.s.engine == Postgres {
		dialect = cql.PostgreSQL
	}
	names := &ciQueryNames{
		queryNames: &queryNames{c: c, loc: queryLocation(c.ctx), ids: map[string][]int64{}, names: map[cql.Entity][]string{}},
		ts:         ts,
	}
	sql, err := cql.CompileCI(parsed, cql.CIOptions{Dialect: dialect, Resolver: names})
	if err != nil {
		return cql.SQL{}, queryError(err)
	}
	return sql, nil
}

// ciQueryNames looks up the names a query over CIs uses: teams and people
// as ticket queries do, CI types, CIs, and the CIs related to others.
type ciQueryNames struct {
	*queryNames
	ts *cmdb.TypeSet
}

// CITypes gives the types the listing read.
func (r *ciQueryNames) CITypes() (*cmdb.TypeSet, error) { return r.ts, nil }

// CIs finds the CIs named ref, letter case ignored, or else the CI whose
// id it is. Names need not be unique: a name stands for every CI that has
// it.
func (r *ciQueryNames) CIs(ref string) ([]int64, error) {
	ids, err := r.c.ids(`SELECT id FROM cis WHERE lower(name) = lower(?) AND deleted_at IS NULL ORDER BY id`, ref)
	if err != nil {
		return nil, fmt.Errorf("look up CI %q: %w", ref, err)
	}
	if len(ids) > 0 {
		return ids, nil
	}
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil || id <= 0 {
		return nil, nil
	}
	if ids, err = r.c.ids(`SELECT id FROM cis WHERE id = ? AND deleted_at IS NULL`, id); err != nil {
		return nil, fmt.Errorf("look up CI %d: %w", id, err)
	}
	return ids, nil
}

// Related gives the CIs related to from. The transitive relations walk
// the impact graph the process keeps in memory (cmdb_graph.go), breadth
// first with cmdb.Traverse, which reaches each CI once: a cycle ends the
// walk. At 100 000 CIs, the CIs upstream of a core switch (nearly all of
// them) are found in milliseconds, where a recursive query takes seconds.
// The direct relations are one indexed query.
func (r *ciQueryNames) Related(rel cql.Relation, from []int64, depth int) ([]int64, error) {
	c := r.c
	if !rel.Transitive() {
		var q string
		args := []any{}
		switch rel {
		case cql.ConnectsTo: // symmetric: stored either way round
			cond, arg := c.inIDs("target_id", from)
			cond2, arg2 := c.inIDs("source_id", from)
			q = `SELECT source_id FROM ci_relationships WHERE kind = 'connects_to' AND ` + cond +
				` UNION SELECT target_id FROM ci_relationships WHERE kind = 'connects_to' AND ` + cond2
			args = append(args, arg, arg2)
		case cql.OwnedBy:
			cond, arg := c.inIDs("target_id", from)
			q = `SELECT source_id FROM ci_relationships WHERE kind = 'owned_by' AND ` + cond
			args = append(args, arg)
		case cql.Owns:
			cond, arg := c.inIDs("source_id", from)
			q = `SELECT target_id FROM ci_relationships WHERE kind = 'owned_by' AND ` + cond
			args = append(args, arg)
		default:
			return nil, fmt.Errorf("ci query: unknown relation %d", rel)
		}
		ids, err := c.ids(q, args...)
		if err != nil {
			return nil, fmt.Errorf("ci query: related CIs: %w", err)
		}
		ids = slices.DeleteFunc(ids, func(id int64) bool { return slices.Contains(from, id) })
		slices.Sort(ids)
		return ids, nil
	}
	up := rel == cql.DependsOn || rel == cql.RunsOn
	expand, maxID := c.expander(up), int64(0)
	g, err := c.s.impactGraph(c.ctx)
	if err != nil {
		return nil, err
	}
	if g != nil {
		expand, maxID = g.expander(up), g.maxID()
		for _, id := range from {
			maxID = max(maxID, id)
		}
	}
	if rel == cql.RunsOn || rel == cql.Hosts {
		expand = onlyKind(expand, cmdb.RelRunsOn)
	}
	reach, err := cmdb.Traverse(from, depth, expand, maxID)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(reach.Order[len(reach.Starts):])
	slices.Sort(out)
	return out, nil
}

// onlyKind keeps the edges of one kind of relationship.
func onlyKind(expand cmdb.Expander, kind cmdb.RelKind) cmdb.Expander {
	return func(frontier []int64, emit func(cmdb.Edge)) error {
		return expand(frontier, func(e cmdb.Edge) {
			if e.Kind == kind {
				emit(e)
			}
		})
	}
}
