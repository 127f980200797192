package web

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/sla"
	"github.com/cairn-itsm/cairn/internal/store"
)

// SLAs in the workspace: the panel of a ticket's clocks, the SLA column of
// queues, and the report of goals met. The admin pages of calendars and
// metrics are in sla_admin.go.

// slaRoutes registers the SLA report for agents and the SLA admin pages.
func (w *Web) slaRoutes() {
	w.mux.HandleFunc("GET /agent/reports/sla", w.page(directory.RoleAgent, w.slaReport))
	w.slaAdminRoutes()
}

// slaCell is a ticket's SLA state as a queue shows it.
type slaCell struct {
	State string // breached, warning, running, paused, met; "" without a clock with a goal
	Label string
	Due   string // "due in 2h 5m", "over by 40m"
	At    time.Time
}

var slaStateLabels = map[string]string{"breached": "Breached", "warning": "At risk", "running": "On track", "paused": "Paused", "met": "Met"}

func newSLACell(st store.SLAState, now time.Time) slaCell {
	c := slaCell{State: st.State, Label: slaStateLabels[st.State], At: st.Deadline}
	if !st.Deadline.IsZero() && st.State != "met" {
		if d := st.Deadline.Sub(now); d >= 0 {
			c.Due = "due in " + slaWallTime(d)
		} else {
			c.Due = "over by " + slaWallTime(-d)
		}
	}
	return c
}

// slaWorkTime writes working time in hours and minutes: "26h 5m". Days
// would mislead: a working day is as long as its calendar says.
func slaWorkTime(d time.Duration) string {
	d = d.Round(time.Minute)
	if d < 0 {
		d = -d
	}
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h == 0:
		return fmt.Sprintf("%dm", m)
	case m == 0:
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dh %dm", h, m)
}

// slaWallTime writes elapsed clock time in its two largest units: "2d 3h".
func slaWallTime(d time.Duration) string {
	d = d.Round(time.Minute)
	days, h, m := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case days > 0 && h > 0:
		return fmt.Sprintf("%dd %dh", days, h)
	case days > 0:
		return fmt.Sprintf("%dd", days)
	}
	return slaWorkTime(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

// slaPanelItem is one metric's clock on the ticket page.
type slaPanelItem struct {
	Metric      string
	Goal        string // "4h on Business hours"; empty without a goal
	Elapsed     string
	Remaining   string // "1h 20m left", "40m over"
	State       sla.State
	StateLabel  string
	Result      string // breached, met, warning, ok, none: the badge
	ResultLabel string
	Tone        string // ok, warn, bad, muted: the colour of the time left and the bar
	Spent       int    // percent of the target spent, 0 to 100, for the bar
	Deadline    time.Time
	DeadlineIs  string // "due", "was due", "breached at", "stopped"
	Paused      int    // pauses in this cycle
	Cycle       int
}

var slaClockLabels = map[sla.State]string{sla.NotStarted: "Not started", sla.Running: "Running", sla.Paused: "Paused", sla.Stopped: "Stopped"}

// slaPanel reads a ticket's clocks for its page. A goal whose query no
// longer works (it names a service since renamed) is told in the panel,
// not by failing the page: problem is then set.
func (w *Web) slaPanel(ctx context.Context, actor directory.Actor, key string) (items []slaPanelItem, problem string, err error) {
	sts, err := w.store.TicketSLAs(ctx, actor, key)
	if e, ok := errs.As(err); ok && e.Kind == errs.KindInvalid {
		return nil, "The SLA goals cannot be matched: " + lowerFirst(e.Message) + ". An admin can correct them in Admin → SLAs.", nil
	}
	if err != nil {
		return nil, "", err
	}
	items = make([]slaPanelItem, 0, len(sts))
	for _, st := range sts {
		items = append(items, newSLAPanelItem(st))
	}
	return items, "", nil
}

func newSLAPanelItem(st sla.Status) slaPanelItem {
	it := slaPanelItem{Metric: st.Metric, Elapsed: slaWorkTime(st.Elapsed), State: st.State, StateLabel: slaClockLabels[st.State],
		Deadline: st.Deadline, Paused: len(st.Paused), Cycle: st.Cycle}
	if st.GoalID == 0 {
		it.Result, it.ResultLabel, it.Tone = "none", "No goal", "muted"
		return it
	}
	it.Goal = slaWorkTime(st.Target)
	if st.Calendar != "" {
		it.Goal += " on " + st.Calendar
	}
	if st.Target > 0 {
		it.Spent = int(math.Min(100, math.Max(0, float64(st.Elapsed)*100/float64(st.Target))))
	}
	if st.Remaining >= 0 {
		it.Remaining = slaWorkTime(st.Remaining) + " left"
	} else {
		it.Remaining = slaWorkTime(-st.Remaining) + " over"
	}
	switch {
	case st.Breached:
		it.Result, it.ResultLabel, it.Tone = "breached", "Breached", "bad"
	case st.Met:
		it.Result, it.ResultLabel, it.Tone = "met", "Met", "ok"
	case st.Warning:
		it.Result, it.ResultLabel, it.Tone = "warning", "At risk", "warn"
	case st.State == sla.NotStarted:
		it.Result, it.ResultLabel, it.Tone = "none", "Not started", "muted"
	default:
		it.Result, it.ResultLabel, it.Tone = "ok", "On track", "ok"
	}
	switch {
	case st.Deadline.IsZero():
	case st.Breached:
		it.DeadlineIs = "Breached at"
	default:
		it.DeadlineIs = "Due"
	}
	if st.State == sla.Stopped {
		it.Remaining = ""
		if st.Remaining < 0 {
			it.Remaining = slaWorkTime(-st.Remaining) + " over"
		}
	}
	return it
}

// The report.

// slaReportView is the SLA report page.
type slaReportView struct {
	From, To  string // the form's dates
	GroupBy   string
	Groups    []agentOption
	Rows      []slaReportRow
	Chart     slaChart // met % per row
	Trend     slaTrend // met % per metric and period
	Period    string   // "week", or "4 weeks" over half a year
	Empty     bool
	RangeNote string
}

type slaReportRow struct {
	store.SLAReportRow
	Percent string
	Average string
	Tone    string
}

// slaChart is a horizontal bar chart of met percentages, laid out here so
// that the template only draws: one bar per row.
type slaChart struct {
	Width, Height int
	GridEnd       int // where the grid lines end
	AxisY         int // the baseline of the axis labels
	Bars          []slaBar
	Ticks         []slaTick
}

type slaBar struct {
	Label       string
	Y, W, TextY int
	Value       string
	Tone        string
}

type slaTick struct {
	X     int
	Label string
}

// slaTrend is a column chart: for each period a group of columns, one per
// metric.
type slaTrend struct {
	Width, Height int
	Periods       []slaPeriod
	Metrics       []slaLegend
	Ticks         []slaTick // y axis
	Base          int       // y of 0%
}

type slaPeriod struct {
	Label   string
	X       int
	Columns []slaColumn
}

type slaColumn struct {
	X, Y, W, H int
	Class      string
	Title      string
}

type slaLegend struct {
	Name  string
	Class string
}

const (
	slaChartWidth = 640 // the bars' full length, in SVG units
	slaRowHeight  = 40  // a label line and a bar
	slaBarHeight  = 16
)

func (w *Web) slaReport(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	in := r.URL.Query()
	now := time.Now()
	v := slaReportView{GroupBy: in.Get("group_by")}
	if v.GroupBy == "" {
		v.GroupBy = "metric"
	}
	p := Page{Title: "SLA report", Section: "agent", Identity: id}
	f, field, err := slaPeriodOf(in.Get("from"), in.Get("to"), now)
	if err != nil {
		p.Errors = map[string]string{field: err.Error()}
	}
	f.GroupBy = v.GroupBy
	// The form shows the period as typed, or as taken when left out.
	v.From, v.To = cmp.Or(in.Get("from"), f.From.Format(time.DateOnly)), cmp.Or(in.Get("to"), f.To.AddDate(0, 0, -1).Format(time.DateOnly))
	for _, g := range []agentOption{{Value: "metric", Label: "Metric"}, {Value: "service", Label: "Metric and service"}, {Value: "team", Label: "Metric and team"}} {
		g.Selected = g.Value == v.GroupBy
		v.Groups = append(v.Groups, g)
	}
	status := http.StatusOK
	if p.Errors == nil {
		rows, err := w.store.SLAReport(r.Context(), id.Actor, f)
		if e, ok := errs.As(err); ok && e.Kind == errs.KindInvalid {
			p.Errors, err = map[string]string{e.Field: humanMessage(e)}, nil
		}
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		for _, row := range rows {
			v.Rows = append(v.Rows, slaReportRow{SLAReportRow: row, Percent: fmt.Sprintf("%.1f%%", row.MetPercent),
				Average: slaWorkTime(time.Duration(row.AverageElapsedSec) * time.Second), Tone: slaTone(row.MetPercent)})
		}
		v.Chart = slaBarChart(v.Rows)
		if v.Trend, v.Period, err = w.slaTrendOf(r.Context(), id.Actor, f); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	if p.Errors != nil {
		status = http.StatusUnprocessableEntity
	}
	v.Empty = len(v.Rows) == 0
	p.Data = v
	w.render(rw, r, status, "sla_report", p)
}

// slaPeriodOf reads the report's dates, both included; the default is the
// last 30 days. The error names the form field at fault.
func slaPeriodOf(from, to string, now time.Time) (store.SLAReportFilter, string, error) {
	var f store.SLAReportFilter
	loc := now.Location()
	y, m, d := now.Date()
	f.To = time.Date(y, m, d, 0, 0, 0, 0, loc).AddDate(0, 0, 1)
	if to = strings.TrimSpace(to); to != "" {
		t, err := time.ParseInLocation(time.DateOnly, to, loc)
		if err != nil {
			return f, "to", fmt.Errorf("%q is not a date like 2026-01-31.", to)
		}
		f.To = t.AddDate(0, 0, 1)
	}
	f.From = f.To.AddDate(0, 0, -30)
	if from = strings.TrimSpace(from); from != "" {
		t, err := time.ParseInLocation(time.DateOnly, from, loc)
		if err != nil {
			return f, "from", fmt.Errorf("%q is not a date like 2026-01-01.", from)
		}
		f.From = t
	}
	if !f.To.After(f.From) {
		return f, "to", fmt.Errorf("The last day comes before the first.")
	}
	if f.To.Sub(f.From) > 3*366*24*time.Hour {
		return f, "from", fmt.Errorf("A report covers at most three years.")
	}
	return f, "", nil
}

func slaTone(pct float64) string {
	switch {
	case pct >= 90:
		return "ok"
	case pct >= 75:
		return "warn"
	}
	return "bad"
}

func slaBarChart(rows []slaReportRow) slaChart {
	c := slaChart{Width: slaChartWidth + 60, Height: len(rows)*slaRowHeight + 24}
	c.GridEnd, c.AxisY = c.Height-18, c.Height-4
	for i, r := range rows {
		label := r.Metric
		if r.Group != "" || r.GroupID != 0 {
			label += " · " + agentOr(r.Group, "no team")
		}
		y := i * slaRowHeight
		c.Bars = append(c.Bars, slaBar{Label: label, TextY: y + 14, Y: y + 19,
			W: int(math.Round(r.MetPercent * slaChartWidth / 100)), Value: r.Percent, Tone: r.Tone})
	}
	for _, pct := range []int{0, 25, 50, 75, 100} {
		c.Ticks = append(c.Ticks, slaTick{X: pct * slaChartWidth / 100, Label: fmt.Sprintf("%d%%", pct)})
	}
	return c
}

// slaTrendOf reports met % per metric and week within the report's
// period; over 26 weeks, per as many weeks as keep it to 26 columns.
func (w *Web) slaTrendOf(ctx context.Context, actor directory.Actor, f store.SLAReportFilter) (slaTrend, string, error) {
	weeks := int(math.Ceil(f.To.Sub(f.From).Hours() / (24 * 7)))
	per := max(1, (weeks+25)/26)
	step := time.Duration(per) * 7 * 24 * time.Hour
	period := "week"
	if per > 1 {
		period = fmt.Sprintf("%d weeks", per)
	}
	points, err := w.store.SLATrend(ctx, actor, f.From, f.To, step)
	if err != nil {
		return slaTrend{}, period, err
	}
	var starts []time.Time
	for at := f.From; at.Before(f.To); at = at.Add(step) {
		starts = append(starts, at)
	}
	var metrics []string
	for _, p := range points {
		if !slices.Contains(metrics, p.Metric) {
			metrics = append(metrics, p.Metric)
		}
	}
	const height, top, base, left = 200, 10, 170, 44
	colW := 14
	groupW := max(len(metrics), 1)*colW + 16
	t := slaTrend{Width: left + len(starts)*groupW + 10, Height: height, Base: base}
	for i, name := range metrics {
		t.Metrics = append(t.Metrics, slaLegend{Name: name, Class: fmt.Sprintf("sla-series-%d", i%6)})
	}
	for _, pct := range []int{0, 50, 100} {
		t.Ticks = append(t.Ticks, slaTick{X: base - pct*(base-top)/100, Label: fmt.Sprintf("%d%%", pct)})
	}
	for i, at := range starts {
		label := at.Format("2 Jan")
		p := slaPeriod{Label: label, X: left + i*groupW + groupW/2}
		for j, name := range metrics {
			for _, pt := range points {
				if pt.Metric != name || !pt.Start.Equal(at) || pt.Total == 0 {
					continue
				}
				pct := float64(pt.Met) * 100 / float64(pt.Total)
				h := int(math.Round(pct * float64(base-top) / 100))
				p.Columns = append(p.Columns, slaColumn{X: left + i*groupW + 8 + j*colW, Y: base - h, W: colW - 3, H: h,
					Class: t.Metrics[j].Class, Title: fmt.Sprintf("%s, %s from %s: %.1f%% met (%d of %d)", name, period, label, pct, pt.Met, pt.Total)})
			}
		}
		t.Periods = append(t.Periods, p)
	}
	return t, period, nil
}
