package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/sla"
	"github.com/cairn-itsm/cairn/internal/store"
)

// SLAs: where a ticket's clocks stand, the calendars and metrics admins
// define, and the report of goals met.

func (a *API) ticketSLAs(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	sts, err := a.store.TicketSLAs(r.Context(), id.Actor, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"slas": sts})
	return nil
}

// calendarBody is a working calendar as clients write it.
type calendarBody struct {
	Name     string              `json:"name"`
	TimeZone string              `json:"time_zone"`
	Hours    map[string][]string `json:"hours"`
	Holidays []sla.Holiday       `json:"holidays"`
}

func (b calendarBody) calendar() sla.Calendar {
	return sla.Calendar{Name: b.Name, TimeZone: b.TimeZone, Hours: b.Hours, Holidays: b.Holidays}
}

func (a *API) listCalendars(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	cals, err := a.store.Calendars(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"calendars": cals})
	return nil
}

func (a *API) getCalendar(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	n, err := pathID(r, "id")
	if err != nil {
		return err
	}
	cal, err := a.store.Calendar(r.Context(), n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cal)
	return nil
}

func (a *API) createCalendar(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in calendarBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	cal, err := a.store.CreateCalendar(r.Context(), id.Actor, in.calendar())
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/sla/calendars/"+strconv.FormatInt(cal.ID, 10))
	writeJSON(w, http.StatusCreated, cal)
	return nil
}

func (a *API) updateCalendar(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	n, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in calendarBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	cal := in.calendar()
	cal.ID = n
	cal, err = a.store.UpdateCalendar(r.Context(), id.Actor, cal)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cal)
	return nil
}

// metricBody is an SLA metric as clients write it. active defaults to
// true; goals are replaced by the list given, in its order (keep a goal's
// id to change it in place).
type metricBody struct {
	Name       string         `json:"name"`
	Conditions sla.Conditions `json:"conditions"`
	Active     *bool          `json:"active"`
	Goals      []goalBody     `json:"goals"`
}

// goalBody is one goal of a metric; warn_percent defaults to 75.
type goalBody struct {
	ID            int64  `json:"id"`
	Query         string `json:"query"`
	TargetSeconds int64  `json:"target_seconds"`
	CalendarID    int64  `json:"calendar_id"`
	WarnPercent   *int   `json:"warn_percent"`
}

func (b metricBody) metric() sla.Metric {
	m := sla.Metric{Name: b.Name, Conditions: b.Conditions, Active: b.Active == nil || *b.Active, Goals: []sla.Goal{}}
	for _, g := range b.Goals {
		warn := sla.DefaultWarnPct
		if g.WarnPercent != nil {
			warn = *g.WarnPercent
		}
		m.Goals = append(m.Goals, sla.Goal{ID: g.ID, Query: g.Query, Target: time.Duration(g.TargetSeconds) * time.Second,
			CalendarID: g.CalendarID, WarnPercent: warn})
	}
	return m
}

func (a *API) listSLAMetrics(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	ms, err := a.store.SLAMetrics(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"metrics": ms})
	return nil
}

func (a *API) getSLAMetric(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	n, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := a.store.SLAMetric(r.Context(), n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (a *API) createSLAMetric(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	var in metricBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	m, err := a.store.CreateSLAMetric(r.Context(), id.Actor, in.metric())
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/sla/metrics/"+strconv.FormatInt(m.ID, 10))
	writeJSON(w, http.StatusCreated, m)
	return nil
}

func (a *API) updateSLAMetric(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	n, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in metricBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	m := in.metric()
	m.ID = n
	m, err = a.store.UpdateSLAMetric(r.Context(), id.Actor, m)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// slaReportAnswer is the SLA report with the period it covers.
type slaReportAnswer struct {
	From    time.Time            `json:"from"`
	To      time.Time            `json:"to"`
	GroupBy string               `json:"group_by"`
	Rows    []store.SLAReportRow `json:"rows"`
}

// slaReport counts the clocks that stopped from from to to (the last 30
// days by default) and met their goal, per metric and group.
func (a *API) slaReport(w http.ResponseWriter, r *http.Request, id auth.Identity) error {
	q := r.URL.Query()
	if err := knownParams(q, "from", "to", "group_by"); err != nil {
		return err
	}
	f, err := reportPeriod(q.Get("from"), q.Get("to"), time.Now())
	if err != nil {
		return err
	}
	f.GroupBy = q.Get("group_by")
	if f.GroupBy == "" {
		f.GroupBy = "metric"
	}
	rows, err := a.store.SLAReport(r.Context(), id.Actor, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, slaReportAnswer{From: f.From, To: f.To, GroupBy: f.GroupBy, Rows: rows})
	return nil
}

// reportPeriod reads a report's period: from and to as RFC 3339 times or
// dates (a date as to includes that day); to defaults to now and from to
// 30 days before to.
func reportPeriod(from, to string, now time.Time) (store.SLAReportFilter, error) {
	var f store.SLAReportFilter
	f.To = now.UTC().Truncate(time.Second)
	if to = strings.TrimSpace(to); to != "" {
		t, err := parseTime(to)
		if err != nil {
			return f, errs.Invalid("to", "must be a date (2006-01-02) or an RFC 3339 time")
		}
		if len(to) == len(time.DateOnly) {
			t = t.AddDate(0, 0, 1)
		}
		f.To = t.UTC()
	}
	f.From = f.To.AddDate(0, 0, -30)
	if from = strings.TrimSpace(from); from != "" {
		t, err := parseTime(from)
		if err != nil {
			return f, errs.Invalid("from", "must be a date (2006-01-02) or an RFC 3339 time")
		}
		f.From = t.UTC()
	}
	if !f.To.After(f.From) {
		return f, errs.Invalid("to", "must be after from")
	}
	return f, nil
}
