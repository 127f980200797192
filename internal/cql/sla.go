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
// Each value is compiled in the shape its tickets are cheapest to find in,
// on SQLite especially, which runs a query as written:
//
//   - warning and paused are rare by nature (a clock is at risk only
//     between its warning share and its deadline): their clocks are read
//     from a partial index, by warning time or by state, as a set of
//     ticket ids;
//   - breached and running can be most of the open tickets (a desk that
//     falls behind has its breaches pile up): each ticket the query's
//     other conditions choose looks up its clocks that have not stopped,
//     in a partial index by ticket, so that a count that stops early
//     (Store.CountQueryUpTo) stops early here too;
//   - stopped, met and missed pile up with the desk's history: each ticket
//     looks up its stopped clocks by the primary key.

// slaState is one value of the sla field: the condition it puts on a
// ticket_sla row ts (? is now) and how its tickets are found.
type slaState struct {
	cond  string
	shape slaShape
}

type slaShape int

const (
	slaSet     slaShape = iota // clocks that have not stopped, as a set of ticket ids
	slaProbe                   // each ticket's clocks that have not stopped
	slaStopped                 // each ticket's stopped clocks
)

var slaStates = map[string]slaState{
	"breached": {cond: "ts.deadline_at <= ?", shape: slaProbe},
	"warning":  {cond: "(ts.warn_at <= ? AND (ts.deadline_at IS NULL OR ts.deadline_at > ?))", shape: slaSet},
	"running":  {cond: "ts.state = 'running'", shape: slaProbe},
	"paused":   {cond: "ts.state = 'paused'", shape: slaSet},
	"stopped":  {shape: slaStopped},
	"met":      {cond: "(ts.target_ms > 0 AND ts.deadline_at IS NULL)", shape: slaStopped},
	"missed":   {cond: "ts.deadline_at IS NOT NULL", shape: slaStopped},
}

// slaNames are the values in the order messages list them.
var slaNames = []string{"breached", "warning", "running", "paused", "stopped", "met", "missed"}

var slaAliases = map[string]string{"at risk": "warning", "at_risk": "warning", "at-risk": "warning", "atrisk": "warning", "warn": "warning"}

// slaActive keeps to the clocks of active metrics: a clock of a metric
// made inactive stays as it was. Where a ticket's clocks are looked up by
// the ticket, the active metrics are a list both engines read once. In a
// set of clocks read by time or state, the same list led SQLite to the
// metric's index instead (four times the cost), so there the condition is
// written per clock (slaActiveEach), which no index can serve.
const (
	slaActive     = "ts.metric_id IN (SELECT m.id FROM sla_metrics m WHERE m.active)"
	slaActiveEach = "EXISTS (SELECT 1 FROM sla_metrics m WHERE m.id = ts.metric_id AND m.active)"
)

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
	var set, probe, stopped []string
	anyStopped := false
	for _, name := range slaNames {
		if !asked[name] {
			continue
		}
		st := slaStates[name]
		if st.shape == slaStopped && st.cond == "" {
			anyStopped = true
			continue
		}
		switch st.shape {
		case slaSet:
			set = append(set, st.cond)
		case slaProbe:
			probe = append(probe, st.cond)
		default:
			stopped = append(stopped, st.cond)
		}
	}
	// Each part adds the arguments of its conditions as it is written, in
	// the order the parts appear.
	now := c.now.UnixMilli()
	var parts []string
	args := func(conds []string) {
		for _, cond := range conds {
			for range strings.Count(cond, "?") {
				c.arg(now)
			}
		}
	}
	if len(set) > 0 {
		args(set)
		parts = append(parts, "t.id IN (SELECT ts.ticket_id FROM ticket_sla ts WHERE ts.state <> 'stopped' AND "+orParts(set)+" AND "+slaActiveEach+")")
	}
	if len(probe) > 0 {
		args(probe)
		parts = append(parts, "EXISTS (SELECT 1 FROM ticket_sla ts WHERE ts.ticket_id = t.id AND ts.state <> 'stopped' AND "+orParts(probe)+" AND "+slaActive+")")
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
