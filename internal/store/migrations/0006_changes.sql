-- Change enablement and service request fulfilment: change records beside
-- change tickets, the standard change library, approval rules and the
-- approvals they ask for (changes and service requests alike), freeze
-- windows, deployments reported by pipelines, and fulfilment tasks.

-- Settings of change enablement, one JSON value per key: the risk
-- questionnaire, the gated environments, the approval link secret.
CREATE TABLE change_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The standard change library: pre-approved work with a preset risk.
CREATE TABLE change_templates (
    id {{id}},
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    implementation_plan TEXT NOT NULL DEFAULT '',
    backout_plan TEXT NOT NULL DEFAULT '',
    risk TEXT NOT NULL CHECK (risk IN ('low', 'medium', 'high', 'critical')),
    service_id BIGINT REFERENCES services (id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX change_templates_name ON change_templates (lower(name));

-- What a change ticket adds to a ticket. A change ticket raised through
-- the generic ticket API has no row until its change details are first
-- written; until then it reads as an unplanned normal change.
CREATE TABLE changes (
    ticket_id BIGINT PRIMARY KEY REFERENCES tickets (id),
    change_type TEXT NOT NULL CHECK (change_type IN ('standard', 'normal', 'emergency')),
    template_id BIGINT REFERENCES change_templates (id),
    planned_start BIGINT,
    planned_end BIGINT,
    implementation_plan TEXT NOT NULL DEFAULT '',
    backout_plan TEXT NOT NULL DEFAULT '',
    risk_level TEXT NOT NULL DEFAULT '',
    risk TEXT NOT NULL DEFAULT '',   -- the assessment with its explanation (JSON)
    outcome TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('', 'success', 'failed', 'backed_out')),
    review TEXT NOT NULL DEFAULT '', -- the post-implementation review (JSON)
    reviewed_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK (planned_end IS NULL OR planned_start < planned_end)
);
-- The calendar reads changes by window; gating by approved window.
CREATE INDEX changes_window ON changes (planned_start, planned_end);
CREATE INDEX changes_outcome ON changes (outcome, reviewed_at);

-- The services and CIs a change touches, as last worked out when its plan
-- was saved, its risk assessed or it was submitted: the ticket's service,
-- the other services the plan names (source planned) and the services its
-- CIs carry (source ci). Collisions and gating read these.
CREATE TABLE change_services (
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    service_id BIGINT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    source TEXT NOT NULL CHECK (source IN ('ticket', 'planned', 'ci')),
    PRIMARY KEY (ticket_id, service_id)
);
CREATE INDEX change_services_service ON change_services (service_id, ticket_id);

CREATE TABLE change_cis (
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    ci_id BIGINT NOT NULL REFERENCES cis (id),
    PRIMARY KEY (ticket_id, ci_id)
);
CREATE INDEX change_cis_ci ON change_cis (ci_id, ticket_id);

-- Approval rules: change rules (request_type_id NULL) choose approvers by
-- change type and risk; a request type's rules make its requests wait for
-- approval. A rule's approvers are a team, the owner teams of the services
-- or CIs, named users, or the user a form field names.
CREATE TABLE approval_rules (
    id {{id}},
    name TEXT NOT NULL,
    request_type_id BIGINT REFERENCES request_types (id) ON DELETE CASCADE,
    change_types TEXT NOT NULL DEFAULT '[]',
    min_risk TEXT NOT NULL DEFAULT '' CHECK (min_risk IN ('', 'low', 'medium', 'high', 'critical')),
    approver TEXT NOT NULL CHECK (approver IN ('team', 'service_owner', 'ci_owner', 'users', 'field')),
    team_id BIGINT REFERENCES teams (id),
    user_ids TEXT NOT NULL DEFAULT '[]',
    field_key TEXT NOT NULL DEFAULT '',
    quorum TEXT NOT NULL CHECK (quorum IN ('all', 'any', 'count')),
    quorum_count INTEGER NOT NULL DEFAULT 0,
    decline_vetoes BOOLEAN NOT NULL DEFAULT TRUE,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    position INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX approval_rules_request_type ON approval_rules (request_type_id);

-- A step is one rule applied to one ticket, with its quorum copied so
-- that editing the rule later does not change a running approval. Its
-- approvers were resolved when it was made.
CREATE TABLE approval_steps (
    id {{id}},
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    rule_id BIGINT REFERENCES approval_rules (id) ON DELETE SET NULL,
    name TEXT NOT NULL,
    quorum TEXT NOT NULL CHECK (quorum IN ('all', 'any', 'count')),
    quorum_count INTEGER NOT NULL DEFAULT 0,
    decline_vetoes BOOLEAN NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined', 'canceled')),
    note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    decided_at BIGINT
);
CREATE INDEX approval_steps_ticket ON approval_steps (ticket_id, status, id);

CREATE TABLE approvals (
    id {{id}},
    step_id BIGINT NOT NULL REFERENCES approval_steps (id),
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    approver_id BIGINT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined', 'canceled')),
    comment TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    decided_at BIGINT,
    UNIQUE (step_id, approver_id)
);
CREATE INDEX approvals_approver ON approvals (approver_id, status, id);
CREATE INDEX approvals_ticket ON approvals (ticket_id, approver_id);

-- Freeze windows: no changes on these services (or all) in this period.
CREATE TABLE freeze_windows (
    id {{id}},
    name TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    all_services BOOLEAN NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    CHECK (starts_at < ends_at)
);
CREATE INDEX freeze_windows_window ON freeze_windows (starts_at, ends_at);

CREATE TABLE freeze_window_services (
    freeze_id BIGINT NOT NULL REFERENCES freeze_windows (id) ON DELETE CASCADE,
    service_id BIGINT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    PRIMARY KEY (freeze_id, service_id)
);

-- Deployments reported by CI/CD pipelines. A run is one row: started, then
-- succeeded or failed.
CREATE TABLE deployments (
    id {{id}},
    pipeline TEXT NOT NULL,
    environment TEXT NOT NULL,
    version TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('started', 'succeeded', 'failed')),
    commit_sha TEXT NOT NULL DEFAULT '',
    link TEXT NOT NULL DEFAULT '',
    service_id BIGINT NOT NULL REFERENCES services (id),
    change_id BIGINT REFERENCES tickets (id),
    gated BOOLEAN NOT NULL,
    reported_by BIGINT REFERENCES users (id),
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX deployments_service ON deployments (service_id, started_at, id);
CREATE INDEX deployments_change ON deployments (change_id, started_at, id);
CREATE INDEX deployments_run ON deployments (pipeline, environment, version, service_id, status);

-- A request type's task plan: task templates for teams, by stage.
CREATE TABLE fulfilment_plans (
    id {{id}},
    request_type_id BIGINT NOT NULL REFERENCES request_types (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    stage INTEGER NOT NULL CHECK (stage >= 1),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    team_id BIGINT NOT NULL REFERENCES teams (id),
    UNIQUE (request_type_id, position)
);

-- A request's fulfilment tasks, made from its type's plan.
CREATE TABLE fulfilment_tasks (
    id {{id}},
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    number INTEGER NOT NULL,
    stage INTEGER NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    team_id BIGINT NOT NULL REFERENCES teams (id),
    status TEXT NOT NULL CHECK (status IN ('waiting', 'open', 'done', 'canceled')),
    note TEXT NOT NULL DEFAULT '',
    done_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    opened_at BIGINT,
    done_at BIGINT,
    UNIQUE (ticket_id, number)
);
CREATE INDEX fulfilment_tasks_team ON fulfilment_tasks (team_id, status, id);
