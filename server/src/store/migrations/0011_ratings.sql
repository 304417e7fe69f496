-- Customer satisfaction (docs/TICKETS.md "Ratings", docs/REPORTS.md).

-- Timeline kind 8: the requester's rating. SQLite cannot change a CHECK in
-- place, so the table is rebuilt with the same columns (as 0002 did).
CREATE TABLE timeline_v3 (
    id INTEGER PRIMARY KEY CHECK (id >> 20 = ticket_id AND (id & 1048575) > 0),
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 8),
    at INTEGER NOT NULL,
    author_kind TEXT NOT NULL CHECK (author_kind IN ('contact', 'staff', 'system')),
    author_id INTEGER,
    author_name TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    from_value TEXT NOT NULL DEFAULT '',
    to_value TEXT NOT NULL DEFAULT ''
);
INSERT INTO timeline_v3 SELECT id, ticket_id, kind, at, author_kind, author_id, author_name,
    body, from_value, to_value FROM timeline;
DROP TABLE timeline;
ALTER TABLE timeline_v3 RENAME TO timeline;
-- Only discussion and resolution posts are indexed (a rating's comment is
-- the rating's own, like an estimate's text).
CREATE TRIGGER timeline_search_insert AFTER INSERT ON timeline WHEN new.kind IN (1, 2) BEGIN
    INSERT INTO ticket_search (rowid, body) VALUES (new.id, new.body);
END;

-- A requester's rating of a closed ticket: at most one per ticket. The
-- company and the technician (the ticket's primary assignee then) are kept
-- as they were when it was rated, for the reports.
CREATE TABLE ratings (
    ticket_id INTEGER PRIMARY KEY REFERENCES tickets (id),
    company_id INTEGER NOT NULL REFERENCES companies (id),
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    contact_name TEXT NOT NULL,
    staff_id INTEGER REFERENCES staff (id),
    staff_name TEXT NOT NULL DEFAULT '',
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment TEXT NOT NULL DEFAULT '',
    rated_at INTEGER NOT NULL
);
CREATE INDEX ratings_rated ON ratings (rated_at, ticket_id);
CREATE INDEX ratings_company_rated ON ratings (company_id, rated_at, ticket_id);
CREATE INDEX ratings_staff_rated ON ratings (staff_id, rated_at, ticket_id);
