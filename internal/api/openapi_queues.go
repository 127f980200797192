package api

import (
	"maps"
	"slices"

	"github.com/cairn-itsm/cairn/internal/queue"
	"github.com/cairn-itsm/cairn/internal/sla"
	"github.com/cairn-itsm/cairn/internal/store"
)

// The OpenAPI description of queues.go and sla.go: queues, a ticket's SLA
// clocks, calendars, metrics with goals and the SLA report.

// oaQueueTags are the tags of these operations.
var oaQueueTags = []obj{
	{"name": "Queues", "description": "The agent workspace's queues: named queries in Cairn's query language, shared by the desk, with the columns they show and their order."},
	{"name": "SLAs", "description": "Service level agreements: working calendars, metrics with goals chosen by query, where each ticket's clocks stand, and the report of goals met."},
}

// oaWithQueueSchemas adds the schemas of queues and SLAs to the others.
func oaWithQueueSchemas(schemas obj) obj {
	maps.Copy(schemas, oaQueueSchemas())
	return schemas
}

func oaQueueSchemas() obj {
	var columns, sorts []string
	for _, c := range queue.Columns {
		columns = append(columns, c.Key)
		if c.Sort != "" {
			sorts = append(sorts, c.Sort+" asc", c.Sort+" desc")
		}
	}
	triggers := []sla.TriggerKind{sla.OnCreated, sla.OnCategoryEntered, sla.OnCategoryLeft, sla.OnStatusEntered, sla.OnStatusLeft, sla.OnAgentPublicComment, sla.OnResolved}
	interval := oaObject("A stretch of time; end is absent while it lasts.", obj{"start": oaTime(""), "end": oaTime("")}, "start")
	return obj{
		"QueueColumn": oaEnum("A column of a queue's table.", columns...),
		"Queue": oaObject("A queue of the agent workspace, shared by every agent and admin.", obj{
			"id":   oaID(""),
			"slug": obj{"type": "string", "maxLength": queue.MaxSlug, "pattern": "^[a-z][a-z0-9-]*$", "description": "Names the queue in the workspace's URLs (`/agent/queues/<slug>`) and in this API instead of the id."},
			"name": obj{"type": "string", "maxLength": queue.MaxName},
			"query": obj{"type": "string", "description": "The query in Cairn's query language that chooses the tickets, and with `ORDER BY` their order. " +
				"Empty: every ticket the agent may see. `currentUser()` is whoever looks at the queue."},
			"columns":    oaArray(oaSchema("QueueColumn"), "The columns shown, in order; always holds `key`."),
			"sort":       obj{"type": "string", "enum": append([]string{""}, sorts...), "description": "The order when the query has no `ORDER BY`: `<column> asc|desc`. Empty: the query's order, else newest first."},
			"position":   obj{"type": "integer", "minimum": 0, "description": "Where the queue is in the sidebar, 0 first."},
			"created_by": oaID("Who made the queue; absent for the built-in ones."),
		}, "id", "slug", "name", "query", "columns", "sort", "position"),
		"SLAStatus": oaObject("Where one metric's clock of a ticket stands now. Durations are working time in seconds.", obj{
			"metric_id":         oaID(""),
			"metric":            oaString("The metric's name."),
			"goal_id":           oaID("The goal that applies; absent when no goal matches the ticket (measured without a target)."),
			"target_seconds":    oaInt("The goal's target."),
			"calendar_id":       oaID("The calendar the clock counts on."),
			"calendar":          oaString("Its name."),
			"warn_percent":      oaInt("The share of the target at which the clock warns."),
			"state":             oaEnum("The clock.", sla.NotStarted, sla.Running, sla.Paused, sla.Stopped),
			"cycle":             oaInt("Which cycle is measured: a metric that restarts on reopening counts cycles from 1."),
			"started_at":        oaTime(""),
			"stopped_at":        oaTime(""),
			"paused":            oaArray(interval, "When the clock was paused in this cycle."),
			"elapsed_seconds":   oaInt("Working time counted."),
			"remaining_seconds": oaInt("Target less elapsed; negative once over. Absent without a goal."),
			"deadline":          oaTime("When the clock breaches or breached; absent when it cannot as it stands (paused, or stopped within its goal)."),
			"warn_at":           oaTime("When the warning share is or was reached."),
			"breached":          oaBool("The clock ran past its deadline."),
			"warning":           oaBool("Past the warning share, not breached, not stopped."),
			"met":               oaBool("Stopped within its goal."),
		}, "metric_id", "metric", "state", "cycle", "paused", "elapsed_seconds", "breached", "warning", "met"),
		"Holiday": oaObject("A day without working time.", obj{
			"date": obj{"type": "string", "description": "`YYYY-MM-DD` once, or `MM-DD` every year (`02-29` in leap years only).", "examples": []string{"2025-04-18", "12-25"}},
			"name": obj{"type": "string", "maxLength": sla.MaxCalendarName},
		}, "date"),
		"Calendar": oaObject("When SLA clocks count: working windows per weekday in a time zone, less holidays.", obj{
			"id":        oaID(""),
			"name":      obj{"type": "string", "maxLength": sla.MaxCalendarName},
			"time_zone": obj{"type": "string", "description": "An IANA time zone such as `Europe/London`.", "examples": []string{"Europe/London"}},
			"hours": obj{"type": "object", "description": "Weekday (`monday` … `sunday`) to its working windows in local wall-clock time, such as `[\"09:00-12:00\", \"13:00-17:30\"]`. " +
				"A day not listed is not worked; `00:00-24:00` is the whole day; windows of a day may not overlap.",
				"additionalProperties": oaArray(obj{"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9]$"}, "")},
			"holidays":   oaArray(oaSchema("Holiday"), ""),
			"created_at": oaTime(""),
			"updated_at": oaTime(""),
		}, "id", "name", "time_zone", "hours", "holidays", "created_at", "updated_at"),
		"SLATrigger": oaObject("An event that starts or stops a clock.", obj{
			"on":    oaEnum("What happens.", triggers...),
			"value": oaString("The category (`to_do`, `in_progress`, `done`) or status name of the *_entered and *_left triggers."),
		}, "on"),
		"SLAPause": oaObject("A state during which the clock does not count: one status (by name) or one category.", obj{
			"status":   oaString(""),
			"category": oaSchema("StatusCategory"),
		}),
		"SLAConditions": oaObject("When a metric's clock starts, pauses and stops, and what a start does after a stop.", obj{
			"start":  oaArray(oaSchema("SLATrigger"), "At least one."),
			"pause":  oaArray(oaSchema("SLAPause"), ""),
			"stop":   oaArray(oaSchema("SLATrigger"), "At least one."),
			"reopen": oaEnum("`none`: the first stop is final; `resume`: count on from where it stopped; `restart`: a new cycle from zero.", sla.ReopenNone, sla.ReopenResume, sla.ReopenRestart),
		}, "start", "pause", "stop", "reopen"),
		"SLAGoal": oaObject("A target for the tickets its query matches, counted on a calendar.", obj{
			"id":             oaID(""),
			"query":          obj{"type": "string", "maxLength": sla.MaxQuery, "description": "In Cairn's query language; empty matches every ticket."},
			"target_seconds": obj{"type": "integer", "minimum": 1, "maximum": int64(sla.MaxTarget.Seconds()), "description": "Working time."},
			"calendar_id":    oaID(""),
			"calendar":       oaString("The calendar's name."),
			"warn_percent":   obj{"type": "integer", "minimum": 0, "maximum": 99, "description": "Warn at this share of the target; 0 never."},
		}, "id", "query", "target_seconds", "calendar_id", "warn_percent"),
		"SLAMetric": oaObject("A measured stretch of a ticket's life, such as the time to first response, with its goals; the first goal whose query matches the ticket applies.", obj{
			"id":         oaID(""),
			"name":       obj{"type": "string", "maxLength": sla.MaxMetricName},
			"conditions": oaSchema("SLAConditions"),
			"active":     oaBool("Inactive metrics measure nothing."),
			"goals":      oaArray(oaSchema("SLAGoal"), "In order."),
			"created_at": oaTime(""),
			"updated_at": oaTime(""),
		}, "id", "name", "conditions", "active", "goals", "created_at", "updated_at"),
		"SLAReportRow": oaObject("The clocks of one metric (and group) that stopped in the period with a goal.", obj{
			"metric_id":               oaID(""),
			"metric":                  oaString(""),
			"group_id":                oaInt("The service or team; absent (0) when grouped by metric, or for tickets without a team."),
			"group":                   oaString("Its name."),
			"total":                   oaInt(""),
			"met":                     oaInt(""),
			"breached":                oaInt(""),
			"met_percent":             obj{"type": "number", "minimum": 0, "maximum": 100},
			"average_elapsed_seconds": oaInt("Average working time the clocks ran."),
		}, "metric_id", "metric", "total", "met", "breached", "met_percent", "average_elapsed_seconds"),
		"SLAReport": oaObject("The SLA report of a period.", obj{
			"from":     oaTime("The period's start (included)."),
			"to":       oaTime("Its end (excluded)."),
			"group_by": obj{"type": "string", "enum": []string{"metric", "service", "team"}},
			"rows":     oaArray(oaSchema("SLAReportRow"), "By metric name, then group."),
		}, "from", "to", "group_by", "rows"),
	}
}

func oaQueueOperations() []oaOp {
	queueParam := oaPathParam("id", "The queue's id or slug.", obj{"type": "string", "examples": []string{"7", "mine"}})
	queueBody := oaJSONBody(oaInput("", obj{
		"name":     obj{"type": "string", "maxLength": queue.MaxName},
		"slug":     obj{"type": "string", "maxLength": queue.MaxSlug, "description": "Absent or empty: made from the name when created, kept when changed."},
		"query":    obj{"type": "string", "description": "See Queue."},
		"columns":  oaArray(oaSchema("QueueColumn"), "Absent: key, summary, reporter, assignee, status, priority, service, created, updated."),
		"sort":     obj{"type": "string", "description": "`<column> asc|desc`, or empty; refused when the query has `ORDER BY`."},
		"position": obj{"type": "integer", "minimum": 0, "description": "Where it goes in the sidebar; the others shift. Absent: last for a new queue, unchanged for an edited one."},
	}, "name"))
	calendarParam := oaIDParam("calendar")
	calendarBody := oaJSONBody(oaInput("", obj{
		"name":      obj{"type": "string", "maxLength": sla.MaxCalendarName},
		"time_zone": obj{"type": "string", "description": "An IANA time zone."},
		"hours":     obj{"type": "object", "description": "See Calendar.", "additionalProperties": oaArray(obj{"type": "string"}, "")},
		"holidays":  oaArray(oaSchema("Holiday"), ""),
	}, "name", "time_zone", "hours"))
	metricParam := oaIDParam("SLA metric")
	metricBody := oaJSONBody(oaInput("", obj{
		"name":       obj{"type": "string", "maxLength": sla.MaxMetricName},
		"conditions": oaSchema("SLAConditions"),
		"active":     oaBool("Default true."),
		"goals": oaArray(oaInput("", obj{
			"id":             oaID("Keep a goal's id to change it in place; goals left out are removed."),
			"query":          obj{"type": "string", "maxLength": sla.MaxQuery},
			"target_seconds": obj{"type": "integer", "minimum": 1},
			"calendar_id":    oaID(""),
			"warn_percent":   obj{"type": "integer", "minimum": 0, "maximum": 99, "default": sla.DefaultWarnPct},
		}, "target_seconds", "calendar_id"), "In order: the first whose query matches a ticket applies."),
	}, "name", "conditions"))
	metricErrors := map[int]string{
		409: "Another metric has this name (code `duplicate`).",
		422: "A field breaks a rule; `field` names it, such as `conditions.start[0].value`, `goals[1].query` (with the query's line and column) or `goals[0].calendar_id`.",
	}
	return []oaOp{
		{
			pattern: "GET /api/v1/queues", id: "listQueues", tag: "Queues", summary: "List queues",
			description: "Every queue, in sidebar order. With `counts=true` each carries `count`, the number of tickets the caller sees in it.",
			params:      []obj{oaQuery("counts", "Count each queue's tickets.", obj{"type": "boolean", "default": false})},
			status:      200, okDesc: "The queues.", ok: oaObject("", obj{"queues": oaArray(obj{"allOf": []obj{oaSchema("Queue"),
				oaObject("", obj{"count": oaInt("With counts=true: the tickets the caller sees in the queue.")})}}, "")}, "queues"),
			errors: map[int]string{400: "An unknown query parameter (code `unknown_parameter`).", 422: "`counts` is not true or false."},
		},
		{
			pattern: "POST /api/v1/queues", id: "createQueue", tag: "Queues", summary: "Create a queue",
			description: "The queue is shared with every agent and admin. Its query is checked like `q` of the ticket listing; a mistake is reported on `query` with its line and column. " +
				"The answer's `Location` header is the queue's URL.",
			body:   queueBody,
			status: 201, okDesc: "The new queue.", ok: oaSchema("Queue"),
			okHeaders: obj{"Location": obj{"description": "`/api/v1/queues/{id}`.", "schema": obj{"type": "string"}}},
			errors:    map[int]string{409: "Another queue has this name or slug (code `duplicate`, `field` says which).", 422: ""},
		},
		{
			pattern: "GET /api/v1/queues/{id}", id: "getQueue", tag: "Queues", summary: "Get a queue",
			params: []obj{queueParam},
			status: 200, okDesc: "The queue.", ok: oaSchema("Queue"),
		},
		{
			pattern: "PUT /api/v1/queues/{id}", id: "updateQueue", tag: "Queues", summary: "Change a queue",
			description: "Replaces the name, query, columns and sort; `position` moves it, `slug` renames its URL.",
			params:      []obj{queueParam},
			body:        queueBody,
			status:      200, okDesc: "The queue as changed.", ok: oaSchema("Queue"),
			errors: map[int]string{409: "Another queue has this name or slug (code `duplicate`).", 422: ""},
		},
		{
			pattern: "DELETE /api/v1/queues/{id}", id: "deleteQueue", tag: "Queues", summary: "Delete a queue",
			description: "Removes the queue for everyone.",
			params:      []obj{queueParam},
			status:      204, okDesc: "Deleted.",
		},
		{
			pattern: "GET /api/v1/queues/{id}/tickets", id: "listQueueTickets", tag: "Queues", summary: "List a queue's tickets",
			description: "The tickets of the queue the caller may see, one page at a time, in the queue's order unless `sort` asks for another. " +
				"`currentUser()` in its query is the caller.",
			params: []obj{queueParam,
				oaQuery("sort", "Another order than the queue's.", obj{"type": "string", "enum": slices.Sorted(maps.Keys(store.SortFields))}),
				oaQuery("order", "The direction of sort.", obj{"type": "string", "enum": []string{"asc", "desc"}, "default": "desc"}),
				oaLimit(store.MaxPage), oaOffset()},
			status: 200, okDesc: "One page of tickets.", ok: oaSchema("TicketPage"),
			errors: map[int]string{400: "An unknown query parameter (code `unknown_parameter`).", 422: "A parameter is invalid, or the queue's query names something that is gone (`field` `query`)."},
		},
		{
			pattern: "GET /api/v1/tickets/{key}/slas", id: "listTicketSLAs", tag: "SLAs", summary: "Where a ticket's SLA clocks stand",
			description: "One entry per active metric: the goal that applies, the clock's state, elapsed and remaining working time, the deadline and whether it is met, at risk or breached. " +
				"Running clocks are measured now, without waiting for the SLA worker; stopped ones keep the result they stopped with.",
			params: []obj{oaKeyParam},
			status: 200, okDesc: "The ticket's clocks.", ok: oaWrap("slas", "SLAStatus"),
		},
		{
			pattern: "GET /api/v1/sla/calendars", id: "listCalendars", tag: "SLAs", summary: "List calendars",
			status: 200, okDesc: "The calendars, by name.", ok: oaWrap("calendars", "Calendar"),
		},
		{
			pattern: "POST /api/v1/sla/calendars", id: "createCalendar", tag: "SLAs", summary: "Create a calendar",
			description: "Validation errors name the field: `time_zone`, `hours.monday[1]`, `holidays[0].date`. The answer's `Location` header is the calendar's URL.",
			body:        calendarBody,
			status:      201, okDesc: "The new calendar, in canonical form (windows sorted, weekdays in lower case).", ok: oaSchema("Calendar"),
			okHeaders: obj{"Location": obj{"description": "`/api/v1/sla/calendars/{id}`.", "schema": obj{"type": "string"}}},
			errors:    map[int]string{409: "Another calendar has this name (code `duplicate`).", 422: ""},
		},
		{
			pattern: "GET /api/v1/sla/calendars/{id}", id: "getCalendar", tag: "SLAs", summary: "Get a calendar",
			params: []obj{calendarParam},
			status: 200, okDesc: "The calendar.", ok: oaSchema("Calendar"),
		},
		{
			pattern: "PUT /api/v1/sla/calendars/{id}", id: "updateCalendar", tag: "SLAs", summary: "Change a calendar",
			description: "Replaces the name, time zone, hours and holidays. Clocks counted on it that have not stopped are recalculated by the SLA worker; stopped ones keep their result.",
			params:      []obj{calendarParam},
			body:        calendarBody,
			status:      200, okDesc: "The calendar as changed.", ok: oaSchema("Calendar"),
			errors: map[int]string{409: "Another calendar has this name (code `duplicate`).", 422: ""},
		},
		{
			pattern: "GET /api/v1/sla/metrics", id: "listSLAMetrics", tag: "SLAs", summary: "List SLA metrics",
			description: "Every metric, active or not, with its goals in order.",
			status:      200, okDesc: "The metrics.", ok: oaWrap("metrics", "SLAMetric"),
		},
		{
			pattern: "POST /api/v1/sla/metrics", id: "createSLAMetric", tag: "SLAs", summary: "Create an SLA metric",
			description: "Measures the tickets raised from now on and those open now; tickets already done are not measured. Goal queries are checked with the query language. " +
				"The answer's `Location` header is the metric's URL.",
			body:   metricBody,
			status: 201, okDesc: "The new metric.", ok: oaSchema("SLAMetric"),
			okHeaders: obj{"Location": obj{"description": "`/api/v1/sla/metrics/{id}`.", "schema": obj{"type": "string"}}},
			errors:    metricErrors,
		},
		{
			pattern: "GET /api/v1/sla/metrics/{id}", id: "getSLAMetric", tag: "SLAs", summary: "Get an SLA metric",
			params: []obj{metricParam},
			status: 200, okDesc: "The metric with its goals.", ok: oaSchema("SLAMetric"),
		},
		{
			pattern: "PUT /api/v1/sla/metrics/{id}", id: "updateSLAMetric", tag: "SLAs", summary: "Change an SLA metric",
			description: "Replaces the name, conditions, active flag and goals. Clocks of the metric that have not stopped are recalculated; stopped ones keep their result.",
			params:      []obj{metricParam},
			body:        metricBody,
			status:      200, okDesc: "The metric as changed.", ok: oaSchema("SLAMetric"),
			errors: metricErrors,
		},
		{
			pattern: "GET /api/v1/reports/sla", id: "slaReport", tag: "SLAs", summary: "SLA report",
			description: "Per metric (and service or team), how many clocks that stopped in the period had a goal, how many met it, and their average working time. " +
				"Agents count the tickets of their services.",
			params: []obj{
				oaQuery("from", "The period's start: a date (midnight UTC) or an RFC 3339 time. Default: 30 days before `to`.", obj{"type": "string", "examples": []string{"2026-01-01"}}),
				oaQuery("to", "The period's end: an RFC 3339 time, or a date, which includes that day. Default: now.", obj{"type": "string", "examples": []string{"2026-01-31"}}),
				oaQuery("group_by", "Group the rows by metric alone, or by metric and the ticket's service or team.", obj{"type": "string", "enum": []string{"metric", "service", "team"}, "default": "metric"}),
			},
			status: 200, okDesc: "The report.", ok: oaSchema("SLAReport"),
			errors: map[int]string{400: "An unknown query parameter (code `unknown_parameter`).", 422: "A bad date, `to` not after `from`, or an unknown `group_by`; `field` names it."},
		},
	}
}
