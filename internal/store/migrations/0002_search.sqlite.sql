-- Full-text search over tickets, SQLite's half (0002_search.postgres.sql is
-- PostgreSQL's). The search indexer (search.go) fills it from the event
-- log; queries read it through internal/cql.
--
-- One FTS5 row per ticket, its rowid the ticket id. Internal notes have a
-- column of their own so that a customer's search leaves them out. The
-- table keeps no copy of the text (content=''): tickets and comments hold
-- it already; contentless_delete lets the indexer replace a row.
CREATE VIRTUAL TABLE ticket_search USING fts5 (
    summary, description, comments, notes,
    tokenize = 'unicode61 remove_diacritics 2',
    content = '', contentless_delete = 1
);

-- How far the indexer has read the event log, and the ids below that it
-- has not seen yet (an event may commit after one with a higher id).
CREATE TABLE search_position (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_event_id BIGINT NOT NULL,
    pending TEXT NOT NULL DEFAULT '[]'
);
INSERT INTO search_position (id, last_event_id) VALUES (1, 0);

-- Queues list the open tickets of an agent's services, or of all
-- services, by priority or by date: with the filters and the sort key in
-- one index, the count and the page's ids are read from the index alone
-- (search pages read ids first; see query.go). At 1 000 000 tickets on
-- SQLite these took such queues from 150-260 ms to 2-8 ms.
CREATE INDEX tickets_service_category_priority ON tickets (service_id, status_category, priority_rank, id);
CREATE INDEX tickets_service_category_created ON tickets (service_id, status_category, created_at, id);
CREATE INDEX tickets_category_priority ON tickets (status_category, priority_rank, created_at, id);
