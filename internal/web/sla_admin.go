package web

import (
	"cmp"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/sla"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// The admin pages of SLAs: working calendars, and metrics with their goals.

func (w *Web) slaAdminRoutes() {
	admin := func(pattern string, h func(rw http.ResponseWriter, r *http.Request, id auth.Identity)) {
		w.mux.Handle(pattern, w.page(directory.RoleAdmin, withForm(h)))
	}
	admin("GET /admin/sla", func(rw http.ResponseWriter, r *http.Request, _ auth.Identity) {
		http.Redirect(rw, r, "/admin/sla/metrics", http.StatusSeeOther)
	})
	admin("GET /admin/sla/calendars", w.slaCalendars)
	admin("GET /admin/sla/calendars/new", w.slaCalendarNew)
	admin("POST /admin/sla/calendars/new", w.slaCalendarSave)
	admin("GET /admin/sla/calendars/{id}", w.slaCalendarEdit)
	admin("POST /admin/sla/calendars/{id}", w.slaCalendarSave)
	admin("GET /admin/sla/metrics", w.slaMetrics)
	admin("GET /admin/sla/metrics/new", w.slaMetricNew)
	admin("POST /admin/sla/metrics/new", w.slaMetricSave)
	admin("GET /admin/sla/metrics/{id}", w.slaMetricEdit)
	admin("POST /admin/sla/metrics/{id}", w.slaMetricSave)
}

// slaFailure puts a rejected SLA command on its form: the store's field
// (such as goals[2].query) mapped to the form's by field, or to the whole
// page when the form does not show it.
func slaFailure(p *Page, err error, field func(string) (string, string)) bool {
	e, ok := errs.As(err)
	if !ok || (e.Kind != errs.KindInvalid && e.Kind != errs.KindConflict) {
		return false
	}
	p.Error = "Not saved: please correct the marked field."
	msg := queueSentence(humanMessage(e))
	key, prefix := "", ""
	if e.Field != "" {
		key, prefix = field(e.Field)
	}
	if e.Kind == errs.KindConflict && key == "" {
		key = "name"
	}
	if key == "" {
		p.Error = "Not saved: " + strings.TrimSpace(e.Field+" "+lowerFirst(msg))
		return true
	}
	p.Errors = map[string]string{key: prefix + msg}
	return true
}

// Calendars.

// slaTimeZones are offered by the calendar form; a calendar's own zone is
// added when it is not among them.
var slaTimeZones = []string{
	"UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Amsterdam", "Europe/Brussels",
	"Europe/Madrid", "Europe/Rome", "Europe/Zurich", "Europe/Vienna", "Europe/Stockholm", "Europe/Oslo", "Europe/Copenhagen",
	"Europe/Helsinki", "Europe/Warsaw", "Europe/Prague", "Europe/Budapest", "Europe/Athens", "Europe/Bucharest", "Europe/Istanbul",
	"Europe/Kyiv", "Europe/Moscow", "Africa/Casablanca", "Africa/Lagos", "Africa/Cairo", "Africa/Johannesburg", "Africa/Nairobi",
	"Asia/Dubai", "Asia/Karachi", "Asia/Kolkata", "Asia/Dhaka", "Asia/Bangkok", "Asia/Jakarta", "Asia/Singapore", "Asia/Kuala_Lumpur",
	"Asia/Manila", "Asia/Hong_Kong", "Asia/Shanghai", "Asia/Taipei", "Asia/Seoul", "Asia/Tokyo", "Australia/Perth", "Australia/Adelaide",
	"Australia/Brisbane", "Australia/Sydney", "Australia/Melbourne", "Pacific/Auckland", "Pacific/Honolulu", "America/Anchorage",
	"America/Los_Angeles", "America/Vancouver", "America/Denver", "America/Phoenix", "America/Chicago", "America/Mexico_City",
	"America/New_York", "America/Toronto", "America/Halifax", "America/Bogota", "America/Lima", "America/Santiago",
	"America/Argentina/Buenos_Aires", "America/Sao_Paulo",
}

// slaWeekdays are the rows of the calendar form, Monday first.
var slaWeekdays = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

type slaCalendarItem struct {
	sla.Calendar
	Week     []slaDayHours
	Holidays int
}

type slaDayHours struct {
	Day, Label, Windows string
}

func slaWeek(cal sla.Calendar) []slaDayHours {
	var out []slaDayHours
	for _, d := range slaWeekdays {
		out = append(out, slaDayHours{Day: d, Label: upperFirst(d), Windows: strings.Join(cal.Hours[d], ", ")})
	}
	return out
}

func (w *Web) slaCalendars(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	cals, err := w.store.Calendars(r.Context())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	var items []slaCalendarItem
	for _, c := range cals {
		items = append(items, slaCalendarItem{Calendar: c, Week: slaWeek(c), Holidays: len(c.Holidays)})
	}
	w.render(rw, r, http.StatusOK, "sla_calendars", adminPage(id, "SLA calendars", items))
}

// slaCalendarView is the calendar form.
type slaCalendarView struct {
	ID       int64
	Name     string
	Zones    []agentOption
	Week     []slaDayHours
	Holidays string // one a line: "12-25 Christmas Day"
}

func slaCalendarForm(cal sla.Calendar) slaCalendarView {
	v := slaCalendarView{ID: cal.ID, Name: cal.Name, Week: slaWeek(cal)}
	zones := slaTimeZones
	if cal.TimeZone != "" && !slices.Contains(zones, cal.TimeZone) {
		zones = append([]string{cal.TimeZone}, zones...)
	}
	for _, z := range zones {
		v.Zones = append(v.Zones, agentOption{Value: z, Label: strings.ReplaceAll(z, "_", " "), Selected: z == cal.TimeZone})
	}
	var lines []string
	for _, h := range cal.Holidays {
		lines = append(lines, strings.TrimSpace(h.Date+" "+h.Name))
	}
	v.Holidays = strings.Join(lines, "\n")
	return v
}

func (w *Web) slaCalendarNew(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	cal := sla.WorkingWeek("", "Europe/London", "09:00-17:00")
	w.render(rw, r, http.StatusOK, "sla_calendar", adminPage(id, "New calendar", slaCalendarForm(cal)))
}

func (w *Web) slaCalendarEdit(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	n, ok := pathID(r, "id")
	if !ok {
		w.notFound(rw, r, id)
		return
	}
	cal, err := w.store.Calendar(r.Context(), n)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.render(rw, r, http.StatusOK, "sla_calendar", adminPage(id, cal.Name, slaCalendarForm(cal)))
}

var slaWindowSep = regexp.MustCompile(`[\s,;]+`)

// slaCalendarFromForm reads the calendar form: windows of a day separated
// by commas or spaces, holidays one a line, date first.
func slaCalendarFromForm(r *http.Request) sla.Calendar {
	f := r.PostForm
	cal := sla.Calendar{Name: f.Get("name"), TimeZone: f.Get("time_zone"), Hours: map[string][]string{}, Holidays: []sla.Holiday{}}
	for _, d := range slaWeekdays {
		for _, win := range slaWindowSep.Split(strings.TrimSpace(f.Get("hours."+d)), -1) {
			if win != "" {
				cal.Hours[d] = append(cal.Hours[d], win)
			}
		}
	}
	for _, line := range strings.Split(f.Get("holidays"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		date, name, _ := strings.Cut(line, " ")
		cal.Holidays = append(cal.Holidays, sla.Holiday{Date: date, Name: strings.TrimSpace(name)})
	}
	return cal
}

var slaIndexed = regexp.MustCompile(`^(\w+)\[(\d+)\](?:\.(\w+))?$`)

func (w *Web) slaCalendarSave(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	cal := slaCalendarFromForm(r)
	var err error
	if r.PathValue("id") != "" {
		n, ok := pathID(r, "id")
		if !ok {
			w.notFound(rw, r, id)
			return
		}
		cal.ID = n
	}
	typed := cal // as typed, for the form when it fails
	typed.Hours = map[string][]string{}
	for d, ws := range cal.Hours {
		typed.Hours[d] = slices.Clone(ws)
	}
	var saved sla.Calendar
	if cal.ID == 0 {
		saved, err = w.store.CreateCalendar(r.Context(), id.Actor, cal)
	} else {
		saved, err = w.store.UpdateCalendar(r.Context(), id.Actor, cal)
	}
	if err != nil {
		p := adminPage(id, agentOr(typed.Name, "New calendar"), slaCalendarForm(typed))
		if !slaFailure(&p, err, slaCalendarField(typed)) {
			w.fail(rw, r, err)
			return
		}
		status := http.StatusUnprocessableEntity
		if errs.Is(err, errs.KindConflict) {
			status = http.StatusConflict
		}
		w.render(rw, r, status, "sla_calendar", p)
		return
	}
	redirectWithFlash(rw, r, "/admin/sla/calendars", "Calendar “"+saved.Name+"” saved.")
}

// slaCalendarField maps a calendar's error field to the form's: a window
// to its weekday, a holiday to the holidays box with its line.
func slaCalendarField(cal sla.Calendar) func(string) (string, string) {
	return func(field string) (string, string) {
		switch {
		case field == "name", field == "time_zone", field == "hours":
			return field, ""
		case strings.HasPrefix(field, "hours."):
			day, _, _ := strings.Cut(strings.TrimPrefix(field, "hours."), "[")
			return "hours." + strings.ToLower(day), ""
		}
		if m := slaIndexed.FindStringSubmatch(field); m != nil && m[1] == "holidays" {
			n, _ := strconv.Atoi(m[2])
			return "holidays", fmt.Sprintf("Line %d: ", n+1)
		}
		return "", ""
	}
}

// Metrics.

type slaMetricItem struct {
	sla.Metric
	Starts, Stops, Pauses string
	Targets               []string // each goal's target, as working time
}

func slaTriggerText(ts []sla.Trigger) string {
	var out []string
	for _, t := range ts {
		out = append(out, strings.TrimSpace(slaTriggerLabels[t.On]+" "+t.Value))
	}
	return strings.Join(out, "; ")
}

var slaTriggerLabels = map[sla.TriggerKind]string{
	sla.OnCreated: "raised", sla.OnCategoryEntered: "enters category", sla.OnCategoryLeft: "leaves category",
	sla.OnStatusEntered: "enters status", sla.OnStatusLeft: "leaves status", sla.OnAgentPublicComment: "an agent replies", sla.OnResolved: "resolved",
}

var slaTriggerOrder = []sla.TriggerKind{sla.OnCreated, sla.OnAgentPublicComment, sla.OnResolved, sla.OnCategoryEntered, sla.OnCategoryLeft, sla.OnStatusEntered, sla.OnStatusLeft}

func (w *Web) slaMetrics(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	ms, err := w.store.SLAMetrics(r.Context())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	var items []slaMetricItem
	for _, m := range ms {
		var pauses []string
		for _, p := range m.Conditions.Pause {
			pauses = append(pauses, agentOr(p.Status, string(p.Category)))
		}
		item := slaMetricItem{Metric: m, Starts: slaTriggerText(m.Conditions.Start), Stops: slaTriggerText(m.Conditions.Stop), Pauses: strings.Join(pauses, "; ")}
		for _, g := range m.Goals {
			item.Targets = append(item.Targets, slaWorkTime(g.Target))
		}
		items = append(items, item)
	}
	w.render(rw, r, http.StatusOK, "sla_metrics", adminPage(id, "SLA metrics", items))
}

// slaMetricView is the metric form: every row as typed, with room for one
// more trigger, pause and goal.
type slaMetricView struct {
	ID       int64
	Name     string
	Active   bool
	Start    []slaTriggerRow
	Stop     []slaTriggerRow
	Pause    []slaPauseRow
	Reopen   []agentOption
	Goals    []slaGoalRow
	Triggers []agentOption
}

type slaTriggerRow struct {
	Index int
	On    []agentOption
	Value string
}

type slaPauseRow struct {
	Index int
	Kind  string // status or category
	Value string
}

type slaGoalRow struct {
	Index                int
	ID                   int64
	Order, Query, Target string
	Warn                 string
	Calendars            []agentOption
}

func (w *Web) slaMetricForm(r *http.Request, m sla.Metric) (slaMetricView, error) {
	cals, err := w.store.Calendars(r.Context())
	if err != nil {
		return slaMetricView{}, err
	}
	v := slaMetricView{ID: m.ID, Name: m.Name, Active: m.Active}
	trigger := func(i int, t sla.Trigger) slaTriggerRow {
		row := slaTriggerRow{Index: i, Value: t.Value, On: []agentOption{{Value: "", Label: "—", Selected: t.On == ""}}}
		for _, k := range slaTriggerOrder {
			row.On = append(row.On, agentOption{Value: string(k), Label: upperFirst(slaTriggerLabels[k]), Selected: t.On == k})
		}
		return row
	}
	for i, t := range append(slices.Clone(m.Conditions.Start), sla.Trigger{}) {
		v.Start = append(v.Start, trigger(i, t))
	}
	for i, t := range append(slices.Clone(m.Conditions.Stop), sla.Trigger{}) {
		v.Stop = append(v.Stop, trigger(i, t))
	}
	for i, p := range append(slices.Clone(m.Conditions.Pause), sla.PauseWhile{}) {
		row := slaPauseRow{Index: i, Kind: "status", Value: p.Status}
		if p.Category != "" {
			row.Kind, row.Value = "category", string(p.Category)
		}
		v.Pause = append(v.Pause, row)
	}
	for _, o := range []struct{ v, l string }{{"none", "Stays stopped: the first stop is final"}, {"resume", "Counts on from where it stopped"}, {"restart", "Starts a new cycle from zero"}} {
		v.Reopen = append(v.Reopen, agentOption{Value: o.v, Label: o.l, Selected: string(m.Conditions.Reopen) == o.v || (m.Conditions.Reopen == "" && o.v == "none")})
	}
	goals := append(slices.Clone(m.Goals), sla.Goal{WarnPercent: sla.DefaultWarnPct})
	for i, g := range goals {
		row := slaGoalRow{Index: i, ID: g.ID, Order: strconv.Itoa(i + 1), Query: g.Query, Warn: strconv.Itoa(g.WarnPercent)}
		if g.Target > 0 {
			row.Target = slaWorkTime(g.Target)
		}
		if i == len(goals)-1 {
			row.Order = ""
		}
		for _, c := range cals {
			row.Calendars = append(row.Calendars, agentOption{Value: strconv.FormatInt(c.ID, 10), Label: c.Name, Selected: c.ID == g.CalendarID})
		}
		v.Goals = append(v.Goals, row)
	}
	return v, nil
}

func (w *Web) slaMetricNew(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	m := sla.Metric{Active: true, Conditions: sla.Conditions{Start: []sla.Trigger{{On: sla.OnCreated}}, Stop: []sla.Trigger{{On: sla.OnResolved}}, Reopen: sla.ReopenNone}}
	v, err := w.slaMetricForm(r, m)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.render(rw, r, http.StatusOK, "sla_metric", adminPage(id, "New SLA metric", v))
}

func (w *Web) slaMetricEdit(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	n, ok := pathID(r, "id")
	if !ok {
		w.notFound(rw, r, id)
		return
	}
	m, err := w.store.SLAMetric(r.Context(), n)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v, err := w.slaMetricForm(r, m)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.render(rw, r, http.StatusOK, "sla_metric", adminPage(id, m.Name, v))
}

var slaTargetPattern = regexp.MustCompile(`^(?:(\d{1,4})\s*h)?\s*(?:(\d{1,6})\s*m(?:in)?)?$`)

// slaParseTarget reads working time as "4h", "1h 30m" or "90m".
func slaParseTarget(s string) (time.Duration, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	m := slaTargetPattern.FindStringSubmatch(s)
	if s == "" || m == nil {
		return 0, false
	}
	h, _ := strconv.Atoi(m[1])
	min, _ := strconv.Atoi(m[2])
	return time.Duration(h)*time.Hour + time.Duration(min)*time.Minute, true
}

// slaMetricFromForm reads the metric form. Blank and removed rows are left
// out and goals put in the order of their numbers. A value the form cannot
// read (a target such as "soon") is reported by its form field.
func slaMetricFromForm(r *http.Request) (sla.Metric, *errs.Error) {
	f := r.PostForm
	m := sla.Metric{Name: f.Get("name"), Active: f.Get("active") != "", Conditions: sla.Conditions{Reopen: sla.Reopen(f.Get("reopen"))}, Goals: []sla.Goal{}}
	var bad *errs.Error
	for _, list := range []struct {
		name string
		dst  *[]sla.Trigger
	}{{"start", &m.Conditions.Start}, {"stop", &m.Conditions.Stop}} {
		for i := 0; f.Has(fmt.Sprintf("%s.%d.on", list.name, i)); i++ {
			on, val := f.Get(fmt.Sprintf("%s.%d.on", list.name, i)), f.Get(fmt.Sprintf("%s.%d.value", list.name, i))
			if on == "" && strings.TrimSpace(val) == "" {
				continue
			}
			if k := sla.TriggerKind(on); k == sla.OnCategoryEntered || k == sla.OnCategoryLeft {
				val = slaCategory(val)
			}
			*list.dst = append(*list.dst, sla.Trigger{On: sla.TriggerKind(on), Value: val})
		}
	}
	m.Conditions.Pause = []sla.PauseWhile{}
	for i := 0; f.Has(fmt.Sprintf("pause.%d.kind", i)); i++ {
		val := strings.TrimSpace(f.Get(fmt.Sprintf("pause.%d.value", i)))
		if val == "" {
			continue
		}
		p := sla.PauseWhile{Status: val}
		if f.Get(fmt.Sprintf("pause.%d.kind", i)) == "category" {
			p = sla.PauseWhile{Category: ticket.Category(slaCategory(val))}
		}
		m.Conditions.Pause = append(m.Conditions.Pause, p)
	}
	type goalRow struct {
		g     sla.Goal
		order int
	}
	var goals []goalRow
	for i := 0; f.Has(fmt.Sprintf("goals.%d.query", i)); i++ {
		key := func(k string) string { return fmt.Sprintf("goals.%d.%s", i, k) }
		idText, query, target := f.Get(key("id")), f.Get(key("query")), strings.TrimSpace(f.Get(key("target")))
		if f.Get(key("remove")) != "" || (idText == "" && strings.TrimSpace(query) == "" && target == "") {
			continue
		}
		g := sla.Goal{Query: query}
		g.ID, _ = strconv.ParseInt(idText, 10, 64)
		g.CalendarID, _ = strconv.ParseInt(f.Get(key("calendar")), 10, 64)
		d, ok := slaParseTarget(target)
		if !ok && bad == nil {
			bad = errs.Invalid(key("target"), "write the target as working time, such as 4h, 1h 30m or 45m")
		}
		g.Target = d
		warn, err := strconv.Atoi(strings.TrimSpace(f.Get(key("warn"))))
		if err != nil && bad == nil {
			bad = errs.Invalid(key("warn"), "write the warning share as a whole percentage, such as 75")
		}
		g.WarnPercent = warn
		order, err := strconv.Atoi(strings.TrimSpace(f.Get(key("order"))))
		if err != nil {
			order = math.MaxInt32
		}
		goals = append(goals, goalRow{g, order})
	}
	slices.SortStableFunc(goals, func(a, b goalRow) int { return cmp.Compare(a.order, b.order) })
	for _, g := range goals {
		m.Goals = append(m.Goals, g.g)
	}
	return m, bad
}

// slaCategory reads a status category as people write it: "To Do", to_do.
func slaCategory(s string) string {
	norm := strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(s)))
	if norm == "todo" {
		norm = "to_do"
	}
	return norm
}

// slaMetricField maps a metric's error field to the form, which shows the
// metric's lists in order from row 0: goals[2].target_seconds is the
// target of goal row 2.
func slaMetricField(field string) (string, string) {
	switch field {
	case "name", "conditions.reopen", "conditions.start", "conditions.stop":
		return strings.TrimPrefix(field, "conditions."), ""
	}
	m := slaIndexed.FindStringSubmatch(strings.TrimPrefix(field, "conditions."))
	if m == nil {
		return "", ""
	}
	row, rest := m[2], m[3]
	switch m[1] {
	case "pause":
		return "pause." + row, ""
	case "goals":
		sub := map[string]string{"target_seconds": "target", "calendar_id": "calendar", "warn_percent": "warn"}[rest]
		return "goals." + row + "." + cmp.Or(sub, "query"), ""
	case "start", "stop":
		if rest == "on" {
			return m[1] + "." + row + ".on", ""
		}
		return m[1] + "." + row + ".value", ""
	}
	return "", ""
}

func (w *Web) slaMetricSave(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	m, bad := slaMetricFromForm(r)
	if r.PathValue("id") != "" {
		n, ok := pathID(r, "id")
		if !ok {
			w.notFound(rw, r, id)
			return
		}
		m.ID = n
	}
	typed := m
	typed.Goals = slices.Clone(m.Goals)
	var err error = bad
	var saved sla.Metric
	if bad == nil {
		if m.ID == 0 {
			saved, err = w.store.CreateSLAMetric(r.Context(), id.Actor, m)
		} else {
			saved, err = w.store.UpdateSLAMetric(r.Context(), id.Actor, m)
		}
	}
	if err == nil {
		redirectWithFlash(rw, r, "/admin/sla/metrics", "SLA metric “"+saved.Name+"” saved.")
		return
	}
	// Show the rows as typed, in the order saved, with the error by its row.
	v, ferr := w.slaMetricForm(r, typed)
	if ferr != nil {
		w.fail(rw, r, ferr)
		return
	}
	p := adminPage(id, agentOr(typed.Name, "New SLA metric"), v)
	mapField := slaMetricField
	if bad != nil {
		// The form's own rows, as typed, keep their numbers.
		mapField = func(f string) (string, string) { return f, "" }
		v.Goals = slaTypedGoals(r, v.Goals)
		p.Data = v
	}
	if !slaFailure(&p, err, mapField) {
		w.fail(rw, r, err)
		return
	}
	status := http.StatusUnprocessableEntity
	if errs.Is(err, errs.KindConflict) {
		status = http.StatusConflict
	}
	w.render(rw, r, status, "sla_metric", p)
}

// slaTypedGoals gives the goal rows exactly as posted, for a value the
// form itself could not read (a target such as "soon").
func slaTypedGoals(r *http.Request, tmpl []slaGoalRow) []slaGoalRow {
	f := r.PostForm
	var cals []agentOption
	if len(tmpl) > 0 {
		cals = tmpl[0].Calendars
	}
	var out []slaGoalRow
	for i := 0; f.Has(fmt.Sprintf("goals.%d.query", i)); i++ {
		key := func(k string) string { return f.Get(fmt.Sprintf("goals.%d.%s", i, k)) }
		row := slaGoalRow{Index: i, Order: key("order"), Query: key("query"), Target: key("target"), Warn: key("warn")}
		row.ID, _ = strconv.ParseInt(key("id"), 10, 64)
		for _, c := range cals {
			c.Selected = c.Value == key("calendar")
			row.Calendars = append(row.Calendars, c)
		}
		out = append(out, row)
	}
	return out
}
