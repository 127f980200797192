package cmdb

import (
	"fmt"
	"slices"
	"testing"
)

// graph is an expander over edges given as "from to" pairs, in either
// direction.
type graph map[int64][]Edge

func newGraph(kind RelKind, pairs ...[2]int64) graph {
	g := graph{}
	for _, p := range pairs {
		g[p[0]] = append(g[p[0]], Edge{From: p[0], To: p[1], Kind: kind})
	}
	return g
}

func (g graph) expand(frontier []int64, emit func(Edge)) error {
	var out []Edge
	for _, id := range frontier {
		out = append(out, g[id]...)
	}
	SortEdges(out)
	for _, e := range out {
		emit(e)
	}
	return nil
}

func pathString(r *Reach, id int64) string {
	s := ""
	for _, e := range r.Path(id) {
		s += fmt.Sprintf("%d>%d ", e.From, e.To)
	}
	return s
}

func TestTraverse(t *testing.T) {
	// 1 -> 2 -> 3 -> 1 (a cycle), 2 -> 4, 4 -> 5, 3 -> 5, 6 alone.
	g := newGraph(RelDependsOn, [2]int64{1, 2}, [2]int64{2, 3}, [2]int64{3, 1}, [2]int64{2, 4}, [2]int64{4, 5}, [2]int64{3, 5})
	for _, maxID := range []int64{0, 10} {
		r, err := Traverse([]int64{1}, 0, g.expand, maxID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(r.Order, []int64{1, 2, 3, 4, 5}) {
			t.Errorf("maxID %d: order %v", maxID, r.Order)
		}
		// 5 is two hops from 2 through 3 and through 4: the smaller id wins.
		if got := pathString(r, 5); got != "1>2 2>3 3>5 " {
			t.Errorf("maxID %d: path to 5 %q", maxID, got)
		}
		if d, ok := r.Depth(5); !ok || d != 3 {
			t.Errorf("depth of 5: %d %v", d, ok)
		}
		if _, ok := r.Depth(6); ok {
			t.Error("6 reached")
		}
		if r.Index(4) != 3 || len(r.Path(1)) != 0 {
			t.Errorf("index of 4 %d, path to the start %v", r.Index(4), r.Path(1))
		}
		d1, _ := Traverse([]int64{1}, 1, g.expand, maxID)
		if !slices.Equal(d1.Order, []int64{1, 2}) {
			t.Errorf("depth 1: %v", d1.Order)
		}
		two, _ := Traverse([]int64{4, 3, 4}, 0, g.expand, maxID)
		if !slices.Equal(two.Starts, []int64{4, 3}) || !slices.Equal(two.Order, []int64{4, 3, 1, 5, 2}) {
			t.Errorf("two starts: starts %v order %v", two.Starts, two.Order)
		}
	}
	if _, err := Traverse([]int64{1}, 0, g.expand, 3); err == nil {
		t.Error("an edge beyond maxID was accepted")
	}
}

func TestVerbs(t *testing.T) {
	for _, k := range RelKinds {
		for _, out := range []bool{true, false} {
			v := k.VerbFrom(out)
			kind, src, err := ParseVerb(string(v))
			if err != nil || kind != k || (src != out && !k.Symmetric()) {
				t.Errorf("%s from source %v: verb %s parses as %s %v %v", k, out, v, kind, src, err)
			}
			if v.Label() == "" || v.Label() == string(v) && v != VerbHosts && v != VerbOwns {
				t.Errorf("verb %s has label %q", v, v.Label())
			}
		}
	}
	if _, err := ParseDirection("sideways"); err == nil {
		t.Error("sideways")
	}
	if d, _ := ParseDirection(""); d != Upstream {
		t.Error("default direction")
	}
}
