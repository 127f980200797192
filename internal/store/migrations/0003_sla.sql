-- SLAs: working calendars, metrics with their goals, each ticket's clocks,
-- and the leases and log positions of background jobs. Times are Unix
-- milliseconds (UTC); durations are milliseconds unless named _seconds.

-- A calendar is one document: hours (JSON, weekday -> ["09:00-17:00"]) and
-- holidays (JSON, [{"date": "12-25"}]) are read and validated together.
CREATE TABLE calendars (
    id {{id}},
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    hours TEXT NOT NULL,
    holidays TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX calendars_name ON calendars (lower(name));

-- conditions is JSON: {"start": [...], "pause": [...], "stop": [...], "reopen": "..."}.
-- A metric measures the tickets open when it was created and those raised
-- after it: since_event_id is the last event then.
CREATE TABLE sla_metrics (
    id {{id}},
    name TEXT NOT NULL,
    conditions TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    since_event_id BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX sla_metrics_name ON sla_metrics (lower(name));

-- A metric's goals apply in position order: the first whose query matches.
CREATE TABLE sla_goals (
    id {{id}},
    metric_id BIGINT NOT NULL REFERENCES sla_metrics (id),
    position INTEGER NOT NULL,
    query TEXT NOT NULL DEFAULT '',
    target_seconds BIGINT NOT NULL CHECK (target_seconds > 0),
    calendar_id BIGINT NOT NULL REFERENCES calendars (id),
    warn_percent INTEGER NOT NULL DEFAULT 75 CHECK (warn_percent >= 0 AND warn_percent < 100)
);
CREATE INDEX sla_goals_metric ON sla_goals (metric_id, position);
CREATE INDEX sla_goals_calendar ON sla_goals (calendar_id);

-- One clock per ticket and metric, as the SLA worker last computed it.
-- goal_id, target_ms, calendar_id and warn_percent are the goal that
-- applies; a stopped clock keeps them even when the goal changes later.
-- deadline_at is when the clock breaches or breached, NULL while it cannot
-- (paused or stopped within its goal, or no goal): for a stopped clock it
-- is set exactly when the clock breached. warn_at is when the warning share
-- is reached, NULL for stopped clocks. breached_at and warned_at are when
-- the worker recorded the breach and the warning (sla.breached,
-- sla.warning events); the partial indexes make finding what is due a
-- range scan. dirty counts changes of goals, calendars or conditions not
-- yet applied to a clock that has not stopped.
CREATE TABLE ticket_sla (
    ticket_id BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    metric_id BIGINT NOT NULL REFERENCES sla_metrics (id),
    goal_id BIGINT REFERENCES sla_goals (id) ON DELETE SET NULL,
    target_ms BIGINT NOT NULL DEFAULT 0,
    calendar_id BIGINT REFERENCES calendars (id),
    warn_percent INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL CHECK (state IN ('not_started', 'running', 'paused', 'stopped')),
    cycle INTEGER NOT NULL DEFAULT 0,
    elapsed_ms BIGINT NOT NULL DEFAULT 0,
    started_at BIGINT,
    stopped_at BIGINT,
    deadline_at BIGINT,
    warn_at BIGINT,
    breached_at BIGINT,
    warned_at BIGINT,
    dirty INTEGER NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, metric_id)
);
CREATE INDEX ticket_sla_due ON ticket_sla (deadline_at) WHERE breached_at IS NULL;
CREATE INDEX ticket_sla_warn ON ticket_sla (warn_at) WHERE warned_at IS NULL;
CREATE INDEX ticket_sla_dirty ON ticket_sla (ticket_id) WHERE dirty <> 0;
CREATE INDEX ticket_sla_stopped ON ticket_sla (metric_id, stopped_at);
CREATE INDEX ticket_sla_goal ON ticket_sla (goal_id);

-- A job taken with a lease runs in one process at a time: the owner holds
-- it until expires_at, renews it while it works, and anyone may take it
-- once it has expired.
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- How far a job has read the event log: the last event id, and the ids
-- below it that were missing when read (on PostgreSQL a transaction can
-- commit after one that took a higher id), as JSON {"id": first_seen_ms},
-- read again until they appear or are old enough to be rollbacks.
CREATE TABLE event_cursors (
    name TEXT PRIMARY KEY,
    last_id BIGINT NOT NULL DEFAULT 0,
    pending TEXT NOT NULL DEFAULT '{}',
    updated_at BIGINT NOT NULL
);
