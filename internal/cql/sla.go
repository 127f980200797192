package cql

import (
	"strings"
)

// The sla field asks where a ticket's SLA clocks stand, as the SLA worker
// last wrote them in ticket_sla (migrations 0003_sla and 0007_queues):
// "sla = breached" holds when a clock of an active metric is late now,
// "sla IN (warning, breached)" when one is at risk or late. Times compare
// with the query's now, so a running clock whose deadline has passed is
// breached before the worker records it.
//
// Clocks that have not stopped belong to open tickets and are few; a
// partial index of them serves breached, warning, running and paused, as a
// set of ticket ids. Stopped clocks pile up with the desk's history, so
// stopped, met and missed look up the clocks of each ticket instead (the
// primary key), which stays cheap when other conditions choose the
// tickets.

// slaState is one value of the sla field: the condition it puts on a
// ticket_sla row ts (? is now) and whether it is about stopped clocks.
type slaState struct {
	cond    string
	stopped bool
}

var slaStates = map[string]slaState{
	"breached": {cond: "ts.deadline_at <= ?"},
	"warning":  {cond: "(ts.warn_at <= ? AND (ts.deadline_at IS NULL OR ts.deadline_at > ?))"},
	"running":  {cond: "ts.state = 'running'"},
	"paused":   {cond: "ts.state = 'paused'"},
	"stopped":  {stopped: true},
	"met":      {cond: "(ts.target_ms > 0 AND ts.deadline_at IS NULL)", stopped: true},
	"missed":   {cond: "ts.deadline_at IS NOT NULL", stopped: true},
}

// slaNames are the values in the order messages list them.
var slaNames = []string{"breached", "warning", "running", "paused", "stopped", "met", "missed"}

var slaAliases = map[string]string{"at risk": "warning", "at_risk": "warning", "at-risk": "warning", "atrisk": "warning", "warn": "warning"}

// slaActive keeps to the clocks of active metrics: a clock of a metric
// made inactive stays as it was. Written as EXISTS, it cannot lead the
// planner to the metric's index instead of the deadline's (SQLite did so
// with "metric_id IN (SELECT ...)", at four times the cost).
const slaActive = "EXISTS (SELECT 1 FROM sla_metrics m WHERE m.id = ts.metric_id AND m.active)"

// slaSort orders by the nearest deadline of a clock that has not stopped:
// the most overdue first, then the soonest due; tickets without one last.
const slaSort = "(SELECT MIN(ts.deadline_at) FROM ticket_sla ts WHERE ts.ticket_id = t.id AND ts.state <> 'stopped' AND " + slaActive + ")"

// slaValue reads one value of the sla field.
func slaValue(v Value) (string, error) {
	if v.Kind == ValueWord || v.Kind == ValueString {
		name := strings.ToLower(strings.TrimSpace(v.Text))
		if a, ok := slaAliases[name]; ok {
			name = a
		}
		if _, ok := slaStates[name]; ok {
			return name, nil
		}
	}
	if v.Kind == ValueFunc {
		return "", errorAt(v.At, "%s() cannot be compared with sla", v.Text)
	}
	return "", errorAt(v.At, "%s is not an SLA state: use breached, warning (or \"at risk\"), running, paused, stopped, met or missed%s",
		v, didYouMean(v.Text, append(slaNames, "at risk")))
}

// sla compiles sla = and IN: the ticket has a clock in any of the states.
// SLAs are the desk's business, so customers may not ask.
func (c *compiler) sla(cl *Clause) (string, bool, error) {
	if c.o.Customer {
		return "", false, errorAt(cl.Field.At, "only agents may ask about SLAs")
	}
	asked := map[string]bool{}
	for _, v := range items(cl.Value) {
		name, err := slaValue(v)
		if err != nil {
			return "", false, err
		}
		asked[name] = true
	}
	var open, stopped []string
	anyStopped := false
	for _, name := range slaNames {
		if !asked[name] {
			continue
		}
		st := slaStates[name]
		switch {
		case st.stopped && st.cond == "":
			anyStopped = true
		case st.stopped:
			stopped = append(stopped, st.cond)
		default:
			for range strings.Count(st.cond, "?") {
				c.arg(c.now.UnixMilli())
			}
			open = append(open, st.cond)
		}
	}
	var parts []string
	if len(open) > 0 {
		parts = append(parts, "t.id IN (SELECT ts.ticket_id FROM ticket_sla ts WHERE ts.state <> 'stopped' AND "+orParts(open)+" AND "+slaActive+")")
	}
	if anyStopped || len(stopped) > 0 {
		cond := ""
		if !anyStopped {
			cond = " AND " + orParts(stopped)
		}
		parts = append(parts, "EXISTS (SELECT 1 FROM ticket_sla ts WHERE ts.ticket_id = t.id AND ts.state = 'stopped'"+cond+" AND "+slaActive+")")
	}
	return orParts(parts), false, nil
}
