package cmdb

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/cairn-itsm/cairn/internal/errs"
)

// Direction is which way an impact analysis follows relationships.
type Direction string

// The directions of an impact analysis.
const (
	// Upstream is what fails when a CI fails: the CIs that depend on it or
	// run on it, transitively, the catalogue services built on any of
	// them, and the customer organizations of those services.
	Upstream Direction = "upstream"
	// Downstream is what a CI needs to work: what it depends on and runs
	// on, transitively.
	Downstream Direction = "downstream"
)

// ParseDirection reads a direction; "" gives upstream.
func ParseDirection(s string) (Direction, error) {
	switch Direction(strings.ToLower(strings.TrimSpace(s))) {
	case "", Upstream:
		return Upstream, nil
	case Downstream:
		return Downstream, nil
	}
	return "", errs.Invalid("direction", "must be upstream or downstream")
}

// MaxDepth is the deepest an impact analysis may be limited to; deeper is
// the same as no limit.
const MaxDepth = 100

// Edge is a relationship as a traversal follows it: To is reached from
// From, which was reached before.
type Edge struct {
	From, To int64
	Kind     RelKind
}

// Expander gives, through emit, the edges that lead on from a frontier of
// reached CIs, in the direction of the traversal. It is called once per
// level with the frontier sorted by id, and emits the edges ordered as the
// frontier is, then by To and Kind, so that the walk is the same every
// time (SortEdges orders edges so).
type Expander func(frontier []int64, emit func(Edge)) error

// Reach is what a traversal reached: each CI once, with its distance from
// the start and the edge that first reached it.
type Reach struct {
	Starts []int64
	Order  []int64 // nearest first; starts first of all
	seen   map[int64]reached
	dense  []reached // instead of seen when ids are bounded; index 0 is "not reached"
}

// reached is kept small: a walk may hold one per CI id.
type reached struct {
	from         int64 // the CI it was reached from
	depth, index int32 // index is the position in Order plus one
	kind         uint8 // of the edge, as an index of RelKinds
}

func (x reached) via(to int64) Edge { return Edge{From: x.from, To: to, Kind: RelKinds[x.kind]} }

func kindIndex(k RelKind) uint8 {
	for i, v := range RelKinds {
		if v == k {
			return uint8(i)
		}
	}
	return 0
}

func (r *Reach) get(id int64) (reached, bool) {
	if r.dense != nil {
		if id < 0 || id >= int64(len(r.dense)) {
			return reached{}, false
		}
		x := r.dense[id]
		return x, x.index > 0
	}
	x, ok := r.seen[id]
	return x, ok
}

func (r *Reach) put(id int64, x reached) {
	if r.dense != nil {
		r.dense[id] = x
		return
	}
	r.seen[id] = x
}

// Depth gives how many hops from a start a CI was reached, and whether it
// was.
func (r *Reach) Depth(id int64) (int, bool) {
	x, ok := r.get(id)
	return int(x.depth), ok
}

// Index gives a reached CI's position in Order.
func (r *Reach) Index(id int64) int {
	x, _ := r.get(id)
	return int(x.index) - 1
}

// Traverse walks breadth first from the starts, up to depth levels (0: no
// limit). Each CI is expanded once, so cycles in the data end the walk
// rather than loop; each CI is reached by a shortest path, the one through
// the smallest ids when several are as short. maxID, when above 0, says
// that every id is at most maxID, and lets the walk keep its books in an
// array rather than a map.
func Traverse(starts []int64, depth int, expand Expander, maxID int64) (*Reach, error) {
	r := &Reach{}
	if maxID > 0 {
		r.dense = make([]reached, maxID+1)
	} else {
		r.seen = make(map[int64]reached, 1024)
	}
	var frontier []int64
	for _, id := range starts {
		if _, seen := r.get(id); !seen && (r.dense == nil || (id >= 0 && id <= maxID)) {
			r.Order = append(r.Order, id)
			r.put(id, reached{index: int32(len(r.Order))})
			r.Starts = append(r.Starts, id)
			frontier = append(frontier, id)
		}
	}
	for level := 1; len(frontier) > 0 && (depth <= 0 || level <= depth); level++ {
		slices.Sort(frontier)
		var next []int64
		var bad error
		err := expand(frontier, func(e Edge) {
			if r.dense != nil && (e.To < 0 || e.To > maxID) {
				bad = fmt.Errorf("impact: CI %d is beyond the bound %d", e.To, maxID)
				return
			}
			if _, seen := r.get(e.To); seen {
				return
			}
			r.Order = append(r.Order, e.To)
			r.put(e.To, reached{from: e.From, depth: int32(level), index: int32(len(r.Order)), kind: kindIndex(e.Kind)})
			next = append(next, e.To)
		})
		if err == nil {
			err = bad
		}
		if err != nil {
			return nil, err
		}
		frontier = next
	}
	return r, nil
}

// SortEdges orders edges as an Expander gives them: by From, To and Kind.
func SortEdges(edges []Edge) {
	slices.SortFunc(edges, func(a, b Edge) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To), strings.Compare(string(a.Kind), string(b.Kind)))
	})
}

// Path gives the edges from a start to id, in the order they are walked.
func (r *Reach) Path(id int64) []Edge {
	var out []Edge
	for {
		x, ok := r.get(id)
		if !ok || x.depth == 0 {
			break
		}
		out = append(out, x.via(id))
		id = x.from
	}
	slices.Reverse(out)
	return out
}

// What an impact item is.
const (
	ItemCI           = "ci"
	ItemService      = "service"
	ItemOrganization = "organization"
)

// ImpactStep is one step of the path that explains an impact: the record
// reached and how the step before relates to it ("db01" "is depended on by"
// "CRM").
type ImpactStep struct {
	Verb  Verb   `json:"verb,omitempty"`  // empty on the first step
	Label string `json:"label,omitempty"` // the verb for people
	Kind  string `json:"kind"`            // ci, service or organization
	ID    int64  `json:"id"`
	Name  string `json:"name"`
}

// ImpactItem is one CI, catalogue service or organization an analysis
// reached, with the shortest path that explains why.
type ImpactItem struct {
	Kind        string       `json:"kind"` // ci, service or organization
	ID          int64        `json:"id"`
	Name        string       `json:"name"`
	TypeID      int64        `json:"type_id,omitempty"`     // CIs
	Type        string       `json:"type,omitempty"`        // CIs: the type's name
	Status      string       `json:"status,omitempty"`      // CIs and services
	Criticality Criticality  `json:"criticality,omitempty"` // CIs
	Depth       int          `json:"depth"`                 // steps from the start
	Path        []ImpactStep `json:"path"`
}

// Impact is the answer of an impact analysis.
type Impact struct {
	Direction     Direction    `json:"direction"`
	Depth         int          `json:"depth"` // the limit asked for; 0: none
	Start         []CIRef      `json:"start"`
	CIs           []ImpactItem `json:"cis"` // the starts not included
	Services      []ImpactItem `json:"services"`
	Organizations []ImpactItem `json:"organizations"`
	TotalCIs      int          `json:"total_cis"` // reached, even beyond the limit of the list
	Truncated     bool         `json:"truncated"` // cis lists only the nearest TotalCIs
}
