package web

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/cairn-itsm/cairn/internal/cmdb"
)

// The impact graph: a layered drawing of an impact analysis, laid out here
// and written as SVG by the template impact_graph (templates/_impact.html).
// The starts stand in column 0 and every item in the column of its depth;
// since each item's path reaches it from an item one step nearer, its
// parent is always in the column before, and each edge spans one gap.

// impactGraphCap is the most nodes a graph draws: beyond it the drawing is
// no longer readable, and the table lists everything anyway.
const impactGraphCap = 150

// The geometry of the drawing, in SVG user units (CSS pixels).
const (
	impactNodeW   = 190
	impactNodeH   = 44
	impactGapX    = 70 // between columns, where the edges run
	impactGapY    = 12
	impactPad     = 12
	impactNameMax = 24 // characters of a name that fit in a node
)

// impactGraph is a laid-out impact graph.
type impactGraph struct {
	Width, Height int
	Columns       int
	Nodes         []impactNode
	Edges         []impactEdge
	Drawn, Total  int // nodes drawn, of the starts and items there are
}

// Capped reports whether the graph leaves items out.
func (g impactGraph) Capped() bool { return g.Drawn < g.Total }

// impactNode is one drawn start, CI, service or organization.
type impactNode struct {
	Key         string // kind and id: "ci:12"
	Kind        string // cmdb.ItemCI, ItemService or ItemOrganization
	ID          int64
	Start       bool
	Column, Row int
	X, Y, W, H  int
	TextX       int
	NameY, SubY int
	Name        string // in full, for the node's <title>
	Label       string // the name shortened to fit
	Sub         string // the type, and a CI's criticality
	Class       string
	Href        string // "" when the viewer has no page to go to
}

// impactEdge is a step of a path: from the node nearer the start to the
// one it reaches.
type impactEdge struct {
	From, To string // node keys
	D        string // the SVG path
	Title    string // the step as a sentence: "db01 is depended on by CRM"
}

// impactLinker gives the page of a CI, service or organization, or "" for
// none.
type impactLinker func(kind string, id int64) string

func impactKey(kind string, id int64) string { return kind + ":" + fmt.Sprint(id) }

// impactKindRank orders the kinds within a column.
func impactKindRank(kind string) int {
	switch kind {
	case cmdb.ItemCI:
		return 0
	case cmdb.ItemService:
		return 1
	}
	return 2
}

// layoutImpact lays out an analysis as a graph of at most limit nodes, the
// nearest first. The result depends only on the analysis, not on the order
// of its lists.
func layoutImpact(imp cmdb.Impact, limit int, link impactLinker) impactGraph {
	if link == nil {
		link = func(string, int64) string { return "" }
	}
	starts := slices.Clone(imp.Start)
	slices.SortFunc(starts, func(a, b cmdb.CIRef) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.ID, b.ID))
	})
	items := make([]cmdb.ImpactItem, 0, len(imp.CIs)+len(imp.Services)+len(imp.Organizations))
	items = append(append(append(items, imp.CIs...), imp.Services...), imp.Organizations...)
	// Nearest first, so that a cap keeps the nearest; a parent is always
	// one step nearer than its child, so it comes first.
	slices.SortFunc(items, func(a, b cmdb.ImpactItem) int {
		return cmp.Or(cmp.Compare(a.Depth, b.Depth), cmp.Compare(impactKindRank(a.Kind), impactKindRank(b.Kind)),
			strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.ID, b.ID))
	})

	g := impactGraph{Total: len(starts) + len(items)}
	byKey := map[string]int{} // node key -> index in g.Nodes
	parents := map[string]string{}
	titles := map[string]string{}
	add := func(n impactNode) {
		byKey[n.Key] = len(g.Nodes)
		g.Nodes = append(g.Nodes, n)
	}
	for _, s := range starts {
		if len(g.Nodes) >= limit {
			break
		}
		k := impactKey(cmdb.ItemCI, s.ID)
		if _, dup := byKey[k]; dup {
			continue
		}
		add(impactNode{Key: k, Kind: cmdb.ItemCI, ID: s.ID, Start: true, Name: s.Name, Sub: impactSub(cmdb.ItemCI, s.Type, s.Criticality),
			Class: "impact-start impact-kind-ci impact-crit-" + string(s.Criticality), Href: link(cmdb.ItemCI, s.ID)})
	}
	for _, it := range items {
		if len(g.Nodes) >= limit {
			break
		}
		k := impactKey(it.Kind, it.ID)
		if _, dup := byKey[k]; dup || len(it.Path) < 2 || it.Depth < 1 {
			continue
		}
		prev, last := it.Path[len(it.Path)-2], it.Path[len(it.Path)-1]
		pk := impactKey(prev.Kind, prev.ID)
		p, ok := byKey[pk]
		if !ok || g.Nodes[p].Column != it.Depth-1 {
			// Its parent is not drawn (beyond a list's limit or the cap):
			// the table still lists it.
			continue
		}
		class := "impact-kind-" + it.Kind
		if it.Kind == cmdb.ItemCI {
			class += " impact-crit-" + string(it.Criticality)
		}
		add(impactNode{Key: k, Kind: it.Kind, ID: it.ID, Column: it.Depth, Name: it.Name, Sub: impactSub(it.Kind, it.Type, it.Criticality),
			Class: class, Href: link(it.Kind, it.ID)})
		parents[k] = pk
		titles[k] = prev.Name + " " + last.Label + " " + it.Name
	}
	g.Drawn = len(g.Nodes)

	// Order each column by the row of the parent, then kind and name, so
	// that siblings sit together and edges cross little; the starts are
	// sorted by name already.
	columns := [][]int{}
	for i, n := range g.Nodes {
		for n.Column >= len(columns) {
			columns = append(columns, nil)
		}
		columns[n.Column] = append(columns[n.Column], i)
	}
	for c, col := range columns {
		if c > 0 {
			slices.SortStableFunc(col, func(a, b int) int {
				na, nb := g.Nodes[a], g.Nodes[b]
				return cmp.Or(cmp.Compare(g.Nodes[byKey[parents[na.Key]]].Row, g.Nodes[byKey[parents[nb.Key]]].Row),
					cmp.Compare(impactKindRank(na.Kind), impactKindRank(nb.Kind)),
					strings.Compare(strings.ToLower(na.Name), strings.ToLower(nb.Name)), cmp.Compare(na.ID, nb.ID))
			})
		}
		for row, i := range col {
			g.Nodes[i].Row = row
		}
	}
	g.Columns = len(columns)

	// Each column is centred on the tallest one.
	rows := 0
	for _, col := range columns {
		rows = max(rows, len(col))
	}
	pitch := impactNodeH + impactGapY
	g.Width = 2*impactPad + g.Columns*impactNodeW + max(g.Columns-1, 0)*impactGapX
	g.Height = 2*impactPad + rows*pitch - impactGapY
	if rows == 0 {
		g.Height = 2 * impactPad
	}
	for _, col := range columns {
		top := impactPad + (rows-len(col))*pitch/2
		for _, i := range col {
			n := &g.Nodes[i]
			n.W, n.H = impactNodeW, impactNodeH
			n.X = impactPad + n.Column*(impactNodeW+impactGapX)
			n.Y = top + n.Row*pitch
			n.TextX, n.NameY, n.SubY = n.X+10, n.Y+18, n.Y+35
			n.Label = impactShorten(n.Name, impactNameMax)
		}
	}

	// Edges in the order of their target, top to bottom, column by column.
	for _, col := range columns {
		for _, i := range col {
			n := g.Nodes[i]
			pk, ok := parents[n.Key]
			if !ok {
				continue
			}
			p := g.Nodes[byKey[pk]]
			x1, y1 := p.X+p.W, p.Y+p.H/2
			x2, y2 := n.X, n.Y+n.H/2
			mid := (x1 + x2) / 2
			g.Edges = append(g.Edges, impactEdge{From: pk, To: n.Key, Title: titles[n.Key],
				D: fmt.Sprintf("M%d %d C%d %d %d %d %d %d", x1, y1, mid, y1, mid, y2, x2, y2)})
		}
	}
	return g
}

// impactSub is a node's second line: "Database · critical", "Service".
func impactSub(kind, typ string, crit cmdb.Criticality) string {
	switch kind {
	case cmdb.ItemService:
		return "Service"
	case cmdb.ItemOrganization:
		return "Organization"
	}
	if crit == "" {
		return typ
	}
	return typ + " · " + string(crit)
}

// impactShorten cuts s to at most n characters, marking the cut.
func impactShorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
