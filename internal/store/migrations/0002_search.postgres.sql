-- Full-text search over tickets, PostgreSQL's half (0002_search.sqlite.sql
-- is SQLite's). The search indexer (search.go) fills it from the event log;
-- queries read it through internal/cql.
--
-- One document per ticket with the 'simple' configuration (no stemming,
-- any language). Weights tell the parts apart: A summary, B description,
-- C public comments, D internal notes; a customer's search filters D out.
CREATE TABLE ticket_search (
    ticket_id BIGINT PRIMARY KEY REFERENCES tickets (id),
    document tsvector NOT NULL
);
CREATE INDEX ticket_search_document ON ticket_search USING GIN (document);

-- How far the indexer has read the event log, and the ids below that it
-- has not seen yet (an event may commit after one with a higher id).
CREATE TABLE search_position (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_event_id BIGINT NOT NULL,
    pending TEXT NOT NULL DEFAULT '[]'
);
INSERT INTO search_position (id, last_event_id) VALUES (1, 0);

-- Queues list the open tickets of an agent's services by priority or by
-- date: with the sort key in the index, a page of ids is read from the
-- index alone (search pages read ids first; see query.go). At 1 000 000
-- tickets on SQLite this took such a page from 150 ms to 3 ms.
CREATE INDEX tickets_service_category_priority ON tickets (service_id, status_category, priority_rank, id);
CREATE INDEX tickets_service_category_created ON tickets (service_id, status_category, created_at, id);
