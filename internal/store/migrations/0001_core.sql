-- The core service desk. {{id}} and {{blob}} are written per engine by
-- migrate.go; everything else is SQL both SQLite and PostgreSQL accept.
-- Times are Unix milliseconds (UTC) so that both engines compare them alike.

CREATE TABLE organizations (
    id {{id}},
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX organizations_name ON organizations (lower(name));

CREATE TABLE users (
    id {{id}},
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('customer', 'agent', 'admin')),
    organization_id BIGINT REFERENCES organizations (id),
    password_hash TEXT NOT NULL DEFAULT '',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL
);
CREATE INDEX users_organization ON users (organization_id);

CREATE TABLE teams (
    id {{id}},
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX teams_name ON teams (lower(name));

CREATE TABLE team_members (
    team_id BIGINT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);

-- A desk numbers its tickets: key "IT" gives IT-1, IT-2...
CREATE TABLE desks (
    id {{id}},
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    next_number BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE services (
    id {{id}},
    desk_id BIGINT NOT NULL REFERENCES desks (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    owner_team_id BIGINT REFERENCES teams (id),
    status TEXT NOT NULL CHECK (status IN ('pipeline', 'live', 'retired')),
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX services_name ON services (lower(name));

CREATE TABLE service_teams (
    service_id BIGINT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    team_id BIGINT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    PRIMARY KEY (service_id, team_id)
);
CREATE INDEX service_teams_team ON service_teams (team_id);

-- A workflow's statuses and transitions are one document: they are read
-- and validated together and edited as a whole.
CREATE TABLE workflows (
    id {{id}},
    name TEXT NOT NULL,
    ticket_type TEXT NOT NULL,
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    definition TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX workflows_default ON workflows (ticket_type) WHERE is_default;

CREATE TABLE request_types (
    id {{id}},
    service_id BIGINT NOT NULL REFERENCES services (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    ticket_type TEXT NOT NULL,
    fields TEXT NOT NULL DEFAULT '[]',
    internal BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX request_types_name ON request_types (service_id, lower(name));

CREATE TABLE tickets (
    id {{id}},
    key TEXT NOT NULL UNIQUE,
    desk_id BIGINT NOT NULL REFERENCES desks (id),
    number BIGINT NOT NULL,
    type TEXT NOT NULL,
    request_type_id BIGINT REFERENCES request_types (id),
    service_id BIGINT NOT NULL REFERENCES services (id),
    summary TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    reporter_id BIGINT NOT NULL REFERENCES users (id),
    organization_id BIGINT REFERENCES organizations (id),
    assignee_id BIGINT REFERENCES users (id),
    team_id BIGINT REFERENCES teams (id),
    workflow_id BIGINT NOT NULL REFERENCES workflows (id),
    status TEXT NOT NULL,
    status_category TEXT NOT NULL,
    priority TEXT NOT NULL,
    priority_rank INTEGER NOT NULL,
    impact TEXT NOT NULL DEFAULT '',
    urgency TEXT NOT NULL DEFAULT '',
    resolution TEXT NOT NULL DEFAULT '',
    fields TEXT NOT NULL DEFAULT '{}',
    channel TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    resolved_at BIGINT
);
-- Listings sort by one of these columns with id as the tie-breaker, and
-- filter mostly by service (agents' visibility), category, assignee and
-- reporter (customers' visibility).
CREATE INDEX tickets_created ON tickets (created_at, id);
CREATE INDEX tickets_updated ON tickets (updated_at, id);
CREATE INDEX tickets_resolved ON tickets (resolved_at, id);
CREATE INDEX tickets_priority ON tickets (priority_rank, id);
CREATE INDEX tickets_service_created ON tickets (service_id, created_at, id);
CREATE INDEX tickets_service_category ON tickets (service_id, status_category, assignee_id);
CREATE INDEX tickets_service_priority ON tickets (service_id, priority_rank, id);
CREATE INDEX tickets_assignee_category ON tickets (assignee_id, status_category);
CREATE INDEX tickets_category_created ON tickets (status_category, created_at, id);
CREATE INDEX tickets_assignee_created ON tickets (assignee_id, created_at, id);
CREATE INDEX tickets_reporter_created ON tickets (reporter_id, created_at, id);
CREATE INDEX tickets_organization_created ON tickets (organization_id, created_at, id);
CREATE INDEX tickets_team ON tickets (team_id);

CREATE TABLE comments (
    id {{id}},
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    author_id BIGINT NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    internal BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX comments_ticket ON comments (ticket_id, id);

CREATE TABLE ticket_links (
    id {{id}},
    source_id BIGINT NOT NULL REFERENCES tickets (id),
    target_id BIGINT NOT NULL REFERENCES tickets (id),
    kind TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    UNIQUE (source_id, target_id, kind)
);
CREATE INDEX ticket_links_target ON ticket_links (target_id);

-- File contents are stored once per SHA-256, however often they are attached.
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    data {{blob}} NOT NULL
);

CREATE TABLE attachments (
    id {{id}},
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    uploaded_by BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX attachments_ticket ON attachments (ticket_id);

-- The event log: every command appends here in its own transaction.
-- History, and later SLA clocks, search and notifications, read it.
CREATE TABLE events (
    id {{id}},
    stream TEXT NOT NULL,
    stream_id BIGINT NOT NULL,
    type TEXT NOT NULL,
    actor_id BIGINT REFERENCES users (id),
    data TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL
);
CREATE INDEX events_stream ON events (stream, stream_id, id);

CREATE TABLE api_tokens (
    id {{id}},
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- One desk to start with; its key prefixes every ticket key.
INSERT INTO desks (key, name, next_number) VALUES ('IT', 'IT service desk', 1);
