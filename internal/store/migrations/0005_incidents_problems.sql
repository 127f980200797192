-- Incident and problem management: the admin's rules for incidents, major
-- incidents with their communication log, the services an incident affects
-- beyond its own, problems' root cause analysis, and known errors.

-- Settings of the practices, one JSON document per name
-- ("priority_matrix", "incident_rules"); a missing row means the default.
CREATE TABLE practice_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_by BIGINT REFERENCES users (id),
    updated_at BIGINT NOT NULL
);

-- An incident's major-incident flag. Ending it keeps the row (active false)
-- so that the view can say who declared and ended it; the event log keeps
-- every declaration.
CREATE TABLE major_incidents (
    ticket_id BIGINT PRIMARY KEY REFERENCES tickets (id),
    active BOOLEAN NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    declared_by BIGINT REFERENCES users (id),
    declared_at BIGINT NOT NULL,
    ended_by BIGINT REFERENCES users (id),
    ended_at BIGINT
);
CREATE INDEX major_incidents_active ON major_incidents (active, declared_at);

-- The communication log: stakeholder updates, apart from the comments.
CREATE TABLE incident_communications (
    id {{id}},
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    audience TEXT NOT NULL CHECK (audience IN ('internal', 'customers')),
    message TEXT NOT NULL,
    author_id BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX incident_communications_ticket ON incident_communications (ticket_id, id);

-- Services a ticket affects besides its own (tickets.service_id).
CREATE TABLE ticket_services (
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    service_id BIGINT NOT NULL REFERENCES services (id),
    created_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, service_id)
);
CREATE INDEX ticket_services_service ON ticket_services (service_id);

-- A problem's root cause analysis; whys is a JSON list of
-- {"question", "answer"}.
CREATE TABLE problem_analysis (
    ticket_id BIGINT PRIMARY KEY REFERENCES tickets (id),
    symptoms TEXT NOT NULL DEFAULT '',
    root_cause TEXT NOT NULL DEFAULT '',
    method TEXT NOT NULL CHECK (method IN ('five_whys', 'free_form')),
    whys TEXT NOT NULL DEFAULT '[]',
    notes TEXT NOT NULL DEFAULT '',
    updated_by BIGINT REFERENCES users (id),
    updated_at BIGINT NOT NULL
);

-- Known errors: a problem's cause is known, and this is how to work
-- around it. Agents search them while working incidents.
CREATE TABLE known_errors (
    id {{id}},
    problem_id BIGINT NOT NULL REFERENCES tickets (id),
    title TEXT NOT NULL,
    symptoms TEXT NOT NULL DEFAULT '',
    workaround TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'fixed', 'retired')),
    created_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX known_errors_problem ON known_errors (problem_id, id);
CREATE INDEX known_errors_status ON known_errors (status, updated_at, id);
