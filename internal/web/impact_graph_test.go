package web

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/cairn-itsm/cairn/internal/cmdb"
)

// impactBuilder makes analyses for layout tests: each item is reached from
// one already made, the way the store's paths are.
type impactBuilder struct {
	imp   cmdb.Impact
	paths map[string][]cmdb.ImpactStep
}

func newImpactBuilder(starts ...string) *impactBuilder {
	b := &impactBuilder{paths: map[string][]cmdb.ImpactStep{}}
	for i, name := range starts {
		id := int64(i + 1)
		b.imp.Start = append(b.imp.Start, cmdb.CIRef{ID: id, Name: name, Type: "Server", Criticality: cmdb.CriticalityHigh})
		b.paths[name] = []cmdb.ImpactStep{{Kind: cmdb.ItemCI, ID: id, Name: name}}
	}
	return b
}

// add makes an item of a kind named name, reached from the item named from.
func (b *impactBuilder) add(kind string, id int64, name, verb, from string) {
	prev, ok := b.paths[from]
	if !ok {
		panic("no item " + from)
	}
	v := cmdb.Verb(verb)
	path := append(slices.Clone(prev), cmdb.ImpactStep{Verb: v, Label: v.Label(), Kind: kind, ID: id, Name: name})
	b.paths[name] = path
	it := cmdb.ImpactItem{Kind: kind, ID: id, Name: name, Depth: len(path) - 1, Path: path}
	switch kind {
	case cmdb.ItemCI:
		it.Type, it.Criticality = "Application", cmdb.CriticalityMedium
		b.imp.CIs = append(b.imp.CIs, it)
		b.imp.TotalCIs++
	case cmdb.ItemService:
		b.imp.Services = append(b.imp.Services, it)
	default:
		b.imp.Organizations = append(b.imp.Organizations, it)
	}
}

// payments is db01 with two applications on it, a web front on one of
// them, the service built on that one and the organization it serves.
func paymentsImpact() cmdb.Impact {
	b := newImpactBuilder("db01")
	b.add(cmdb.ItemCI, 11, "payments-api", "depended_on_by", "db01")
	b.add(cmdb.ItemCI, 12, "billing", "depended_on_by", "db01")
	b.add(cmdb.ItemCI, 13, "web-front", "depended_on_by", "payments-api")
	b.add(cmdb.ItemCI, 14, "reports", "depended_on_by", "billing")
	b.add(cmdb.ItemCI, 15, "audit", "depended_on_by", "billing")
	b.add(cmdb.ItemService, 21, "Payments", "supports", "payments-api")
	b.add(cmdb.ItemOrganization, 31, "Finance dept", "serves", "Payments")
	b.imp.Direction = cmdb.Upstream
	return b.imp
}

func testLinks(kind string, id int64) string {
	if kind == cmdb.ItemCI {
		return fmt.Sprintf("/agent/cmdb/%d", id)
	}
	return ""
}

// checkLayout checks what every layout must hold: nodes inside the
// drawing and apart, each non-start node joined to one parent in the
// column before, and edges that run from the parent's right side to the
// child's left.
func checkLayout(t *testing.T, g impactGraph) {
	t.Helper()
	nodes := map[string]impactNode{}
	for _, n := range g.Nodes {
		if _, dup := nodes[n.Key]; dup {
			t.Errorf("node %s drawn twice", n.Key)
		}
		nodes[n.Key] = n
		if n.X < 0 || n.Y < 0 || n.X+n.W > g.Width || n.Y+n.H > g.Height || n.W <= 0 || n.H <= 0 {
			t.Errorf("node %s at %d,%d %dx%d is outside the drawing of %dx%d", n.Key, n.X, n.Y, n.W, n.H, g.Width, g.Height)
		}
		if n.Start != (n.Column == 0) {
			t.Errorf("node %s: start %v in column %d", n.Key, n.Start, n.Column)
		}
	}
	for i, a := range g.Nodes {
		for _, b := range g.Nodes[i+1:] {
			if a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H {
				t.Errorf("nodes %s (%d,%d) and %s (%d,%d) overlap", a.Key, a.X, a.Y, b.Key, b.X, b.Y)
			}
		}
	}
	into := map[string]int{}
	for _, e := range g.Edges {
		from, ok1 := nodes[e.From]
		to, ok2 := nodes[e.To]
		if !ok1 || !ok2 {
			t.Errorf("edge %s → %s joins a node that is not drawn", e.From, e.To)
			continue
		}
		into[e.To]++
		if to.Column != from.Column+1 {
			t.Errorf("edge %s → %s goes from column %d to %d", e.From, e.To, from.Column, to.Column)
		}
		want := fmt.Sprintf("M%d %d C", from.X+from.W, from.Y+from.H/2)
		end := fmt.Sprintf(" %d %d", to.X, to.Y+to.H/2)
		if !strings.HasPrefix(e.D, want) || !strings.HasSuffix(e.D, end) {
			t.Errorf("edge %s → %s is drawn as %q: want it from %q to %q", e.From, e.To, e.D, want, end)
		}
		if !strings.Contains(e.Title, from.Name) || !strings.Contains(e.Title, to.Name) {
			t.Errorf("edge %s → %s has the title %q", e.From, e.To, e.Title)
		}
	}
	for _, n := range g.Nodes {
		if want := map[bool]int{true: 0, false: 1}[n.Start]; into[n.Key] != want {
			t.Errorf("node %s has %d edges into it, want %d", n.Key, into[n.Key], want)
		}
	}
	if g.Drawn != len(g.Nodes) {
		t.Errorf("Drawn %d, but %d nodes", g.Drawn, len(g.Nodes))
	}
}

func TestImpactLayout(t *testing.T) {
	g := layoutImpact(paymentsImpact(), impactGraphCap, testLinks)
	checkLayout(t, g)
	if g.Total != 8 || g.Drawn != 8 || g.Capped() || g.Columns != 4 {
		t.Fatalf("total %d, drawn %d, capped %v, %d columns; want 8, 8, false, 4", g.Total, g.Drawn, g.Capped(), g.Columns)
	}
	// Column by column, top to bottom: the children of the parent higher up
	// come first, whatever their names.
	var got []string
	for _, n := range g.Nodes {
		got = append(got, fmt.Sprintf("%d/%d %s", n.Column, n.Row, n.Name))
	}
	slices.Sort(got)
	want := []string{"0/0 db01", "1/0 billing", "1/1 payments-api", "2/0 audit", "2/1 reports", "2/2 web-front", "2/3 Payments", "3/0 Finance dept"}
	if !slices.Equal(got, want) {
		t.Errorf("columns and rows:\n got %q\nwant %q", got, want)
	}
	byName := map[string]impactNode{}
	for _, n := range g.Nodes {
		byName[n.Name] = n
	}
	for name, want := range map[string]struct{ class, href, sub string }{
		"db01":         {"impact-start impact-kind-ci impact-crit-high", "/agent/cmdb/1", "Server · high"},
		"payments-api": {"impact-kind-ci impact-crit-medium", "/agent/cmdb/11", "Application · medium"},
		"Payments":     {"impact-kind-service", "", "Service"},
		"Finance dept": {"impact-kind-organization", "", "Organization"},
	} {
		n := byName[name]
		if n.Class != want.class || n.Href != want.href || n.Sub != want.sub {
			t.Errorf("%s: class %q, href %q, sub %q; want %q, %q, %q", name, n.Class, n.Href, n.Sub, want.class, want.href, want.sub)
		}
	}
	var titles []string
	for _, e := range g.Edges {
		titles = append(titles, e.Title)
	}
	for _, want := range []string{"db01 is depended on by payments-api", "payments-api supports Payments", "Payments serves Finance dept"} {
		if !slices.Contains(titles, want) {
			t.Errorf("no edge titled %q in %q", want, titles)
		}
	}
	// The columns are centred on the tallest: the lone start sits level
	// with the middle of column 2.
	if mid := g.Height / 2; byName["db01"].Y > mid || byName["db01"].Y+byName["db01"].H < mid {
		t.Errorf("the start at y %d..%d is not centred in a drawing %d high", byName["db01"].Y, byName["db01"].Y+byName["db01"].H, g.Height)
	}
}

func TestImpactLayoutDeterministic(t *testing.T) {
	imp := paymentsImpact()
	want := layoutImpact(imp, impactGraphCap, testLinks)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		shuffled := imp
		shuffled.CIs = slices.Clone(imp.CIs)
		shuffled.Services = slices.Clone(imp.Services)
		shuffled.Organizations = slices.Clone(imp.Organizations)
		rng.Shuffle(len(shuffled.CIs), func(i, j int) { shuffled.CIs[i], shuffled.CIs[j] = shuffled.CIs[j], shuffled.CIs[i] })
		if got := layoutImpact(shuffled, impactGraphCap, testLinks); !reflect.DeepEqual(got, want) {
			t.Fatalf("the layout depends on the order of the lists:\n got %+v\nwant %+v", got, want)
		}
	}
}

// bigImpact is a tree of n CIs under two starts, three children to a
// parent, with a service on every fifth CI and an organization on each
// service.
func bigImpact(n int) cmdb.Impact {
	b := newImpactBuilder("core-a", "core-b")
	names := []string{"core-a", "core-b"}
	for i := range n {
		name := fmt.Sprintf("ci-%04d", i)
		b.add(cmdb.ItemCI, int64(100+i), name, "depended_on_by", names[i/3])
		names = append(names, name)
		if i%5 == 0 {
			svc := "svc-" + name
			b.add(cmdb.ItemService, int64(10000+i), svc, "supports", name)
			b.add(cmdb.ItemOrganization, int64(20000+i), "org-"+name, "serves", svc)
		}
	}
	return b.imp
}

func TestImpactLayoutCap(t *testing.T) {
	imp := bigImpact(400)
	g := layoutImpact(imp, impactGraphCap, testLinks)
	checkLayout(t, g)
	total := len(imp.Start) + len(imp.CIs) + len(imp.Services) + len(imp.Organizations)
	if len(g.Nodes) != impactGraphCap || g.Drawn != impactGraphCap || g.Total != total || !g.Capped() {
		t.Fatalf("drawn %d (%d nodes) of %d, capped %v; want %d of %d", g.Drawn, len(g.Nodes), g.Total, g.Capped(), impactGraphCap, total)
	}
	// The nearest are kept: nothing left out is nearer than something drawn.
	drawn := map[string]bool{}
	deepest := 0
	for _, n := range g.Nodes {
		drawn[n.Key] = true
		deepest = max(deepest, n.Column)
	}
	for _, list := range [][]cmdb.ImpactItem{imp.CIs, imp.Services, imp.Organizations} {
		for _, it := range list {
			if !drawn[impactKey(it.Kind, it.ID)] && it.Depth < deepest {
				t.Errorf("%s at depth %d is left out, but depth %d is drawn", it.Name, it.Depth, deepest)
			}
		}
	}
	if small := layoutImpact(imp, 10, testLinks); len(small.Nodes) != 10 {
		t.Errorf("a cap of 10 drew %d nodes", len(small.Nodes))
	}
}

// An item whose parent is not in the lists (a service found through a CI
// beyond the list's limit) is left out of the drawing, not drawn loose.
func TestImpactLayoutMissingParent(t *testing.T) {
	b := newImpactBuilder("db01")
	b.add(cmdb.ItemCI, 11, "app", "depended_on_by", "db01")
	b.add(cmdb.ItemCI, 12, "far", "depended_on_by", "app")
	b.add(cmdb.ItemService, 21, "Far service", "supports", "far")
	b.imp.CIs = b.imp.CIs[:1] // "far" beyond the list's limit
	g := layoutImpact(b.imp, impactGraphCap, testLinks)
	checkLayout(t, g)
	if g.Drawn != 2 || g.Total != 3 {
		t.Errorf("drawn %d of %d, want 2 of 3", g.Drawn, g.Total)
	}
}

func TestImpactLayoutEmptyAndShortNames(t *testing.T) {
	g := layoutImpact(cmdb.Impact{}, impactGraphCap, nil)
	if len(g.Nodes) != 0 || len(g.Edges) != 0 || g.Width <= 0 || g.Height <= 0 {
		t.Errorf("an empty analysis: %+v", g)
	}
	long := strings.Repeat("x", 30) + "-database-server"
	b := newImpactBuilder(long)
	g = layoutImpact(b.imp, impactGraphCap, nil)
	if n := g.Nodes[0]; n.Name != long || n.Label != strings.Repeat("x", impactNameMax-1)+"…" || n.Href != "" {
		t.Errorf("a long name: name %q, label %q, href %q", n.Name, n.Label, n.Href)
	}
}
