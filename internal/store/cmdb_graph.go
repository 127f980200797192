package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/cairn-itsm/cairn/internal/cmdb"
)

// Impact analysis walks the relationships that carry impact (depends_on,
// runs_on). At 100 000 CIs and 500 000 relationships, an index seek per
// CI reached costs 2-5 µs in the database: fine for the few thousand CIs
// upstream of a server, too slow for a core switch that nearly everything
// depends on. So each process keeps those relationships in memory, in both
// directions, and walks them there.
//
// Every command that changes relationships bumps cmdb_generation in its
// own transaction. An analysis reads the counter (one indexed row) and
// uses the graph in memory when it is of that generation; otherwise it
// reads the graph again. Processes sharing one PostgreSQL thus never walk
// a graph older than the last committed change.

// maxDenseID bounds the CI ids the graph indexes by array, and a walk keeps
// its books by (24 bytes an id); beyond, the walk goes to the database.
// Ids are dense: CIs are never deleted outright.
const maxDenseID = 1 << 21

// impactGraph is the impact-carrying relationships of one generation, as
// compressed sparse rows by CI id: up[id] lists the CIs that depend on or
// run on id, down[id] those that id depends or runs on, each sorted by id.
type impactGraph struct {
	generation int64
	up, down   adjacency
}

type adjacency struct {
	offset []int32 // edges of id: to[offset[id]:offset[id+1]]
	to     []int64
	kind   []cmdb.RelKind
}

// maxID is the largest CI id the graph holds.
func (g *impactGraph) maxID() int64 { return int64(len(g.up.offset)) - 2 }

func (a *adjacency) edges(id int64) (lo, hi int32) {
	if id < 0 || id+1 >= int64(len(a.offset)) {
		return 0, 0
	}
	return a.offset[id], a.offset[id+1]
}

// expander walks the graph: the frontier comes sorted and each CI's edges
// are sorted, so the edges come in the order cmdb.Traverse asks for.
func (g *impactGraph) expander(up bool) cmdb.Expander {
	adj := &g.down
	if up {
		adj = &g.up
	}
	return func(frontier []int64, emit func(cmdb.Edge)) error {
		for _, id := range frontier {
			lo, hi := adj.edges(id)
			for i := lo; i < hi; i++ {
				emit(cmdb.Edge{From: id, To: adj.to[i], Kind: adj.kind[i]})
			}
		}
		return nil
	}
}

// buildAdjacency makes the rows of one direction from (from, to, kind)
// triples.
func buildAdjacency(maxID int64, from, to []int64, kinds []cmdb.RelKind) adjacency {
	a := adjacency{offset: make([]int32, maxID+2), to: make([]int64, len(from)), kind: make([]cmdb.RelKind, len(from))}
	for _, f := range from {
		a.offset[f+1]++
	}
	for i := 1; i < len(a.offset); i++ {
		a.offset[i] += a.offset[i-1]
	}
	next := slices.Clone(a.offset)
	for i, f := range from {
		a.to[next[f]], a.kind[next[f]] = to[i], kinds[i]
		next[f]++
	}
	for id := int64(0); id <= maxID; id++ {
		lo, hi := a.offset[id], a.offset[id+1]
		if hi-lo > 1 {
			sortRow(a.to[lo:hi], a.kind[lo:hi])
		}
	}
	return a
}

func sortRow(to []int64, kind []cmdb.RelKind) {
	type e struct {
		to   int64
		kind cmdb.RelKind
	}
	row := make([]e, len(to))
	for i := range to {
		row[i] = e{to[i], kind[i]}
	}
	slices.SortFunc(row, func(a, b e) int {
		if a.to != b.to {
			if a.to < b.to {
				return -1
			}
			return 1
		}
		if a.kind < b.kind {
			return -1
		}
		if a.kind > b.kind {
			return 1
		}
		return 0
	})
	for i := range row {
		to[i], kind[i] = row[i].to, row[i].kind
	}
}

// graphCache holds a store's impact graph, read again when stale by one
// caller while the others wait for it.
type graphCache struct {
	mu      sync.Mutex
	graph   *impactGraph
	loading chan struct{}
}

// graphCache is the store's cache of the impact graph.
func (s *Store) graphCache() *graphCache { return &s.graphs }

// bumpGraph records, in a command's transaction, that relationships changed.
func (c *conn) bumpGraph() error {
	if _, err := c.exec(`UPDATE cmdb_generation SET value = value + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("cmdb generation: %w", err)
	}
	return nil
}

func (c *conn) generation() (int64, error) {
	var g int64
	if err := c.row(`SELECT value FROM cmdb_generation WHERE id = 1`).Scan(&g); err != nil {
		return 0, fmt.Errorf("cmdb generation: %w", err)
	}
	return g, nil
}

// impactGraph gives the graph of the current generation, reading it when
// the one in memory is older; nil when the ids are too sparse to index.
func (s *Store) impactGraph(ctx context.Context) (*impactGraph, error) {
	gc := s.graphCache()
	for {
		gen, err := s.reader(ctx).generation()
		if err != nil {
			return nil, err
		}
		gc.mu.Lock()
		if g := gc.graph; g != nil && g.generation == gen {
			gc.mu.Unlock()
			return g, nil
		}
		if wait := gc.loading; wait != nil {
			gc.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		done := make(chan struct{})
		gc.loading = done
		gc.mu.Unlock()

		g, err := s.loadImpactGraph(ctx)
		gc.mu.Lock()
		gc.loading = nil
		if err == nil && g != nil && (gc.graph == nil || g.generation > gc.graph.generation) {
			gc.graph = g
		}
		gc.mu.Unlock()
		close(done)
		if err != nil || g == nil {
			return nil, err
		}
		if g.generation >= gen {
			return g, nil
		}
	}
}

// errUnstable says that relationships changed while the graph was read.
var errUnstable = errors.New("cmdb graph changed while read")

// loadImpactGraph reads the impact-carrying relationships. The generation
// is read before and after them: when it moved, the rows may mix two
// generations and are read again. nil means "walk the database".
func (s *Store) loadImpactGraph(ctx context.Context) (*impactGraph, error) {
	for range 3 {
		g, err := s.readImpactGraph(ctx)
		if !errors.Is(err, errUnstable) {
			return g, err
		}
	}
	return nil, nil // changing fast: this analysis walks the database

}

func (s *Store) readImpactGraph(ctx context.Context) (*impactGraph, error) {
	c := s.reader(ctx)
	before, err := c.generation()
	if err != nil {
		return nil, err
	}
	var maxID sql.NullInt64
	if err := c.row(`SELECT MAX(id) FROM cis`).Scan(&maxID); err != nil {
		return nil, fmt.Errorf("cmdb graph: %w", err)
	}
	if maxID.Int64 > maxDenseID {
		return nil, nil
	}
	rows, err := c.query(`SELECT source_id, target_id, kind FROM ci_relationships WHERE kind IN ('depends_on', 'runs_on')`)
	if err != nil {
		return nil, fmt.Errorf("cmdb graph: %w", err)
	}
	var src, dst []int64
	var kinds []cmdb.RelKind
	top := maxID.Int64
	for rows.Next() {
		var a, b int64
		var k string
		if err := rows.Scan(&a, &b, &k); err != nil {
			rows.Close()
			return nil, err
		}
		kind := cmdb.RelDependsOn
		if k == string(cmdb.RelRunsOn) {
			kind = cmdb.RelRunsOn
		}
		src, dst, kinds = append(src, a), append(dst, b), append(kinds, kind)
		top = max(top, a, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cmdb graph: %w", err)
	}
	after, err := c.generation()
	if err != nil {
		return nil, err
	}
	if after != before {
		return nil, errUnstable
	}
	if top > maxDenseID {
		return nil, nil
	}
	return &impactGraph{
		generation: before,
		up:         buildAdjacency(top, dst, src, kinds),
		down:       buildAdjacency(top, src, dst, kinds),
	}, nil
}
