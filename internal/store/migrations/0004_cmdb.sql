-- The configuration management database: CI types with their attributes,
-- CIs, relationships between them, and the links from catalogue services
-- and tickets to CIs.

-- A type's own attributes are one JSON document, read and validated with
-- the other types (inheritance) and edited as a whole.
CREATE TABLE ci_types (
    id {{id}},
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    parent_id BIGINT REFERENCES ci_types (id),
    attributes TEXT NOT NULL DEFAULT '[]',
    built_in BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX ci_types_name ON ci_types (lower(name));
CREATE INDEX ci_types_parent ON ci_types (parent_id);

-- A deleted CI keeps its row (deleted_at set) and loses its relationships
-- and links: ids are never reused, so the event log's history of a CI
-- stays its own, and references to it can still be shown by name.
CREATE TABLE cis (
    id {{id}},
    type_id BIGINT NOT NULL REFERENCES ci_types (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('planned', 'live', 'maintenance', 'retired')),
    criticality TEXT NOT NULL CHECK (criticality IN ('low', 'medium', 'high', 'critical')),
    owner_team_id BIGINT REFERENCES teams (id),
    attributes TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX cis_name ON cis (lower(name), id);
CREATE INDEX cis_type_name ON cis (type_id, lower(name), id);
CREATE INDEX cis_owner_team ON cis (owner_team_id);

-- The values of unique attributes, one row per value, so that the database
-- itself refuses a duplicate. scope_type_id is the type that declares the
-- attribute: its CIs and those of its subtypes share the scope. Values are
-- compared in lower case (cmdb.Canonical).
CREATE TABLE ci_unique_values (
    scope_type_id BIGINT NOT NULL REFERENCES ci_types (id),
    attr_key TEXT NOT NULL,
    value TEXT NOT NULL,
    ci_id BIGINT NOT NULL REFERENCES cis (id),
    PRIMARY KEY (scope_type_id, attr_key, value)
);
CREATE INDEX ci_unique_values_ci ON ci_unique_values (ci_id);
-- Quick search finds a CI by any unique value: host name, serial number...
CREATE INDEX ci_unique_values_value ON ci_unique_values (value);

-- A relationship is stored once, read from its source with its kind and
-- from its target with the inverse verb. A symmetric kind (connects_to) is
-- stored with the smaller id as source.
CREATE TABLE ci_relationships (
    id {{id}},
    source_id BIGINT NOT NULL REFERENCES cis (id),
    target_id BIGINT NOT NULL REFERENCES cis (id),
    kind TEXT NOT NULL CHECK (kind IN ('depends_on', 'runs_on', 'connects_to', 'owned_by')),
    created_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    CHECK (source_id <> target_id),
    UNIQUE (source_id, target_id, kind)
);
-- Listing a CI's relationships and impact analysis read by either end:
-- the unique index serves the source, this one the target. Each covers the
-- traversal (one seek per CI reached, the kind read from the index).
CREATE INDEX ci_relationships_target ON ci_relationships (target_id, source_id, kind);

-- Bumped by every command that changes relationships, in its transaction:
-- a process that keeps the impact graph in memory reads it again when the
-- value moved.
CREATE TABLE cmdb_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO cmdb_generation (id, value) VALUES (1, 0);

-- The CIs a catalogue service is built on.
CREATE TABLE service_cis (
    service_id BIGINT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    ci_id BIGINT NOT NULL REFERENCES cis (id),
    created_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (service_id, ci_id)
);
CREATE INDEX service_cis_ci ON service_cis (ci_id);

-- The customer organizations that use a catalogue service: those an
-- outage of the service affects.
CREATE TABLE service_organizations (
    service_id BIGINT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    PRIMARY KEY (service_id, organization_id)
);
CREATE INDEX service_organizations_organization ON service_organizations (organization_id);

-- The CIs a ticket is about: an incident's affected CIs, a change's
-- targets.
CREATE TABLE ticket_cis (
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    ci_id BIGINT NOT NULL REFERENCES cis (id),
    created_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, ci_id)
);
CREATE INDEX ticket_cis_ci ON ticket_cis (ci_id);
