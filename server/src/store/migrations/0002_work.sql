-- Estimates, sign-offs, work types, time entries and running timers
-- (docs/TICKETS.md "Estimates" and "Sign-off", docs/MONEY.md "Time entries").

-- Timeline kind 7: an estimate proposed, approved or declined. SQLite cannot
-- change a CHECK in place, so the table is rebuilt with the same columns.
CREATE TABLE timeline_v2 (
    id INTEGER PRIMARY KEY CHECK (id >> 20 = ticket_id AND (id & 1048575) > 0),
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 7),
    at INTEGER NOT NULL,
    author_kind TEXT NOT NULL CHECK (author_kind IN ('contact', 'staff', 'system')),
    author_id INTEGER,
    author_name TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    from_value TEXT NOT NULL DEFAULT '',
    to_value TEXT NOT NULL DEFAULT ''
);
INSERT INTO timeline_v2 SELECT id, ticket_id, kind, at, author_kind, author_id, author_name,
    body, from_value, to_value FROM timeline;
DROP TABLE timeline;
ALTER TABLE timeline_v2 RENAME TO timeline;
-- Internal notes (kind 3) are never indexed; nor are estimates (their text
-- is the estimate's own).
CREATE TRIGGER timeline_search_insert AFTER INSERT ON timeline WHEN new.kind IN (1, 2) BEGIN
    INSERT INTO ticket_search (rowid, body) VALUES (new.id, new.body);
END;

-- Whether clients see the billable time logged on their tickets.
ALTER TABLE provider_settings ADD COLUMN clients_see_time INTEGER NOT NULL DEFAULT 0;

-- A price staff propose on a ticket, approved or declined by a client
-- Manager or Admin. Approved rows are what billing reads.
CREATE TABLE estimates (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    company_id INTEGER NOT NULL REFERENCES companies (id), -- the ticket's
    description TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    expires_on TEXT, -- YYYY-MM-DD: the last day it may be decided (UTC)
    proposed_by INTEGER NOT NULL REFERENCES staff (id),
    proposed_by_name TEXT NOT NULL,
    proposed_at INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'declined')),
    decided_by INTEGER REFERENCES contacts (id),
    decided_by_name TEXT NOT NULL DEFAULT '',
    decided_at INTEGER,
    comment TEXT NOT NULL DEFAULT ''
);
CREATE INDEX estimates_ticket ON estimates (ticket_id, id);
CREATE INDEX estimates_company_state ON estimates (company_id, state, id);

-- A client's acceptance of a Completed ticket, which closed it. Closed is
-- final, so a ticket has at most one.
CREATE TABLE signoffs (
    ticket_id INTEGER PRIMARY KEY REFERENCES tickets (id),
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    contact_name TEXT NOT NULL, -- the signer's name on record then
    typed_name TEXT NOT NULL,   -- what the signer typed
    comment TEXT NOT NULL DEFAULT '',
    signed_at INTEGER NOT NULL,
    resolution_entry_id INTEGER, -- the latest resolution post then, if any
    resolution TEXT NOT NULL DEFAULT '' -- its text, as accepted
);

-- Kinds of work time is logged as; provider Admins edit the list.
CREATE TABLE work_types (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX work_types_name ON work_types (name COLLATE NOCASE);

-- Time staff logged on a ticket. A duration-only entry has no start; its
-- end is when it was logged. `billed_at` is set by billing: a billed entry
-- is never changed again.
CREATE TABLE time_entries (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    company_id INTEGER NOT NULL REFERENCES companies (id), -- the ticket's
    staff_id INTEGER NOT NULL REFERENCES staff (id),
    staff_name TEXT NOT NULL,
    work_type_id INTEGER NOT NULL REFERENCES work_types (id),
    started_at INTEGER,
    ended_at INTEGER NOT NULL,
    minutes INTEGER NOT NULL CHECK (minutes > 0),
    billable INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    note_public INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    billed_at INTEGER
);
CREATE INDEX time_entries_ticket ON time_entries (ticket_id, id);
CREATE INDEX time_entries_staff ON time_entries (staff_id, ended_at, id);
CREATE INDEX time_entries_unbilled ON time_entries (company_id, id) WHERE billed_at IS NULL;

-- At most one running timer per staff member, kept by the server so it
-- survives the client quitting.
CREATE TABLE timers (
    staff_id INTEGER PRIMARY KEY REFERENCES staff (id),
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    started_at INTEGER NOT NULL
) WITHOUT ROWID;
