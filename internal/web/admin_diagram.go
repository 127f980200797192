package web

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/cairn-itsm/cairn/internal/ticket"
)

// diagram is a workflow drawn as boxes (statuses, in a column per category)
// and arrows (transitions), ready for the template's inline SVG.
type diagram struct {
	ViewBox       string // "x y width height": curves may bend outside the grid of boxes
	Width, Height int
	Boxes         []diagramBox
	Arrows        []diagramArrow
}

type diagramBox struct {
	X, Y, W, H   int
	TextX, TextY int
	Name         string
	Category     string
	Initial      bool
}

type diagramArrow struct {
	Path           string // SVG path data
	LabelX, LabelY int
	Label          string
	Title          string
	Any            bool // from any status
	bezier         [3]point
}

type point struct{ x, y float64 }

// rect is an area of the drawing, for keeping curves and labels off boxes.
type rect struct{ x0, y0, x1, y1 float64 }

func (r rect) contains(p point) bool { return p.x >= r.x0 && p.x <= r.x1 && p.y >= r.y0 && p.y <= r.y1 }

func (r rect) overlaps(o rect) bool { return r.x0 < o.x1 && o.x0 < r.x1 && r.y0 < o.y1 && o.y0 < r.y1 }

const (
	boxW, boxH = 170, 40
	colGap     = 190
	rowGap     = 70
	diagramPad = 24
	anyRoom    = 40 // room above the boxes for "from any status" arrows
)

// drawWorkflow lays statuses out in three columns (to do, in progress,
// done), top to bottom in their order, and draws each transition from each
// of its source statuses as a curve bent to the right of its direction, so
// that A→B and B→A do not overlap, and bent further when it would cross a
// box. A transition's name labels one of its arrows, where the label covers
// no box and no other label; every arrow has it as a tooltip.
func drawWorkflow(wf ticket.Workflow) diagram {
	var d diagram
	var cols [][]ticket.Status
	for _, c := range categories {
		var col []ticket.Status
		for _, s := range wf.Statuses {
			if string(s.Category) == c.Value {
				col = append(col, s)
			}
		}
		if len(col) > 0 {
			cols = append(cols, col)
		}
	}
	top := 0
	if slices.ContainsFunc(wf.Transitions, func(t ticket.Transition) bool { return len(t.From) == 0 }) {
		top = anyRoom
	}
	centre := map[string]point{}
	var boxes []rect
	rows := 0
	for ci, col := range cols {
		for ri, s := range col {
			x := diagramPad + ci*(boxW+colGap)
			y := diagramPad + top + ri*(boxH+rowGap)
			d.Boxes = append(d.Boxes, diagramBox{X: x, Y: y, W: boxW, H: boxH, TextX: x + boxW/2, TextY: y + boxH/2 + 5,
				Name: s.Name, Category: string(s.Category), Initial: strings.EqualFold(s.Name, wf.Initial)})
			centre[strings.ToLower(s.Name)] = point{float64(x + boxW/2), float64(y + boxH/2)}
			boxes = append(boxes, rect{float64(x) - 4, float64(y) - 4, float64(x+boxW) + 4, float64(y+boxH) + 4})
		}
		rows = max(rows, len(col))
	}
	d.Width = 2*diagramPad + len(cols)*boxW + max(len(cols)-1, 0)*colGap
	d.Height = 2*diagramPad + top + rows*boxH + max(rows-1, 0)*rowGap
	labels := slices.Clone(boxes) // labels keep off boxes and off each other
	pairs := map[[2]string]int{}
	for _, t := range wf.Transitions {
		to, ok := centre[strings.ToLower(t.To)]
		if !ok {
			continue
		}
		if len(t.From) == 0 {
			y := to.y - boxH/2
			a := diagramArrow{
				Path:   fmt.Sprintf("M%.0f %.0f L%.0f %.0f", to.x, y-anyRoom+8, to.x, y-2),
				LabelX: int(to.x) + 6, LabelY: int(y) - anyRoom + 18, Label: t.Name + " (from any)",
				Title: fmt.Sprintf("%s: from any status to %s", t.Name, t.To), Any: true,
			}
			labels = append(labels, labelRect(point{float64(a.LabelX), float64(a.LabelY)}, a.Label, false))
			d.Arrows = append(d.Arrows, a)
			continue
		}
		first := len(d.Arrows)
		for _, f := range t.From {
			from, ok := centre[strings.ToLower(f)]
			if !ok || strings.EqualFold(f, t.To) {
				continue
			}
			key := [2]string{strings.ToLower(f), strings.ToLower(t.To)}
			n := pairs[key]
			pairs[key]++
			d.Arrows = append(d.Arrows, curve(from, to, n, boxes, fmt.Sprintf("%s: %s → %s", t.Name, f, t.To)))
		}
		if len(d.Arrows) > first {
			labels = placeLabel(d.Arrows[first:], t.Name, labels)
		}
	}
	// Grow the view to hold the bends of the curves and their labels.
	minX, minY, maxX, maxY := 0.0, 0.0, float64(d.Width), float64(d.Height)
	for _, a := range d.Arrows {
		if a.Any {
			continue
		}
		for _, p := range []point{at(a.bezier, .25), at(a.bezier, .5), at(a.bezier, .75)} {
			minX, maxX = math.Min(minX, p.x-8), math.Max(maxX, p.x+8)
			minY, maxY = math.Min(minY, p.y-8), math.Max(maxY, p.y+8)
		}
		if a.Label != "" {
			r := labelRect(point{float64(a.LabelX), float64(a.LabelY)}, a.Label, true)
			minX, maxX = math.Min(minX, r.x0-4), math.Max(maxX, r.x1+4)
			minY, maxY = math.Min(minY, r.y0-4), math.Max(maxY, r.y1+4)
		}
	}
	d.Width, d.Height = int(math.Ceil(maxX-minX)), int(math.Ceil(maxY-minY))
	d.ViewBox = fmt.Sprintf("%.0f %.0f %d %d", minX, minY, d.Width, d.Height)
	return d
}

// curve draws a quadratic Bézier from box centre a to box centre b, clipped
// to the two boxes' edges. It bends to the right of its direction, more for
// the nth arrow of the same pair, and tries wider bends on either side
// until it crosses no other box.
func curve(a, b point, n int, boxes []rect, title string) diagramArrow {
	dx, dy := b.x-a.x, b.y-a.y
	length := math.Hypot(dx, dy)
	base := 18 + 0.12*length + float64(n)*16
	if math.Abs(dx) < 1 { // same column: swing around the boxes between
		base = boxW/2 + 14 + 0.08*length + float64(n)*16
	}
	normal := point{-dy / length, dx / length}
	bent := func(k float64) [3]point {
		c := point{(a.x+b.x)/2 + normal.x*base*k, (a.y+b.y)/2 + normal.y*base*k}
		return [3]point{clip(a, c), c, clip(b, c)}
	}
	bz := bent(1) // the gentlest bend, when no bend clears the boxes
	for _, k := range []float64{1, 1.8, -1, -1.8, 2.6, -2.6, 3.4, -3.4} {
		if try := bent(k); !crosses(try, boxes, a, b) {
			bz = try
			break
		}
	}
	return diagramArrow{
		Path:  fmt.Sprintf("M%.0f %.0f Q%.0f %.0f %.0f %.0f", bz[0].x, bz[0].y, bz[1].x, bz[1].y, bz[2].x, bz[2].y),
		Title: title, bezier: bz,
	}
}

// at is the point of a quadratic Bézier at t.
func at(bz [3]point, t float64) point {
	u := 1 - t
	return point{u*u*bz[0].x + 2*u*t*bz[1].x + t*t*bz[2].x, u*u*bz[0].y + 2*u*t*bz[1].y + t*t*bz[2].y}
}

// crosses reports whether a curve passes through a box other than those of
// its ends (whose centres are a and b).
func crosses(bz [3]point, boxes []rect, a, b point) bool {
	for _, r := range boxes {
		if r.contains(a) || r.contains(b) {
			continue
		}
		for t := 0.05; t < 1; t += 0.05 {
			if r.contains(at(bz, t)) {
				return true
			}
		}
	}
	return false
}

// labelRect approximates the area a label's text covers.
func labelRect(p point, text string, centred bool) rect {
	w := 6.2*float64(len([]rune(text))) + 6
	x0 := p.x - 3
	if centred {
		x0 = p.x - w/2
	}
	return rect{x0, p.y - 12, x0 + w, p.y + 4}
}

// placeLabel puts a transition's name on the first spot along its arrows,
// shortest arrow first, where it covers nothing placed so far; failing
// that, on the middle of the shortest arrow.
func placeLabel(arrows []diagramArrow, name string, taken []rect) []rect {
	order := make([]int, len(arrows))
	for i := range order {
		order[i] = i
	}
	length := func(a diagramArrow) float64 {
		return math.Hypot(a.bezier[2].x-a.bezier[0].x, a.bezier[2].y-a.bezier[0].y)
	}
	slices.SortStableFunc(order, func(i, j int) int { return int(length(arrows[i]) - length(arrows[j])) })
	free := func(r rect) bool {
		return !slices.ContainsFunc(taken, func(o rect) bool { return o.overlaps(r) })
	}
	for _, i := range order {
		for _, t := range []float64{.5, .4, .6, .3, .7} {
			p := at(arrows[i].bezier, t)
			p.y += 4
			if r := labelRect(p, name, true); free(r) {
				arrows[i].Label, arrows[i].LabelX, arrows[i].LabelY = name, int(p.x), int(p.y)
				return append(taken, r)
			}
		}
	}
	p := at(arrows[order[0]].bezier, .5)
	p.y += 4
	arrows[order[0]].Label, arrows[order[0]].LabelX, arrows[order[0]].LabelY = name, int(p.x), int(p.y)
	return append(taken, labelRect(p, name, true))
}

// clip finds where the line from a box's centre c towards p leaves the box.
func clip(c, p point) point {
	dx, dy := p.x-c.x, p.y-c.y
	if dx == 0 && dy == 0 {
		return c
	}
	t := math.Inf(1)
	if dx != 0 {
		t = math.Min(t, (boxW/2+3)/math.Abs(dx))
	}
	if dy != 0 {
		t = math.Min(t, (boxH/2+3)/math.Abs(dy))
	}
	return point{c.x + dx*t, c.y + dy*t}
}
