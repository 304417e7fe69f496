-- Portal store, version 1. Times are UTC unix milliseconds; money is integer cents.

CREATE TABLE provider_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL DEFAULT 'UTC',
    business_days TEXT NOT NULL DEFAULT '12345', -- ISO weekdays, Monday = 1
    business_start_minute INTEGER NOT NULL DEFAULT 480,
    business_end_minute INTEGER NOT NULL DEFAULT 1020,
    labour_rate_cents INTEGER NOT NULL DEFAULT 15000,
    payment_terms_days INTEGER NOT NULL DEFAULT 0,
    currency TEXT NOT NULL DEFAULT 'USD',
    auto_close_days INTEGER NOT NULL DEFAULT 7
);

CREATE TABLE holidays (
    day TEXT PRIMARY KEY, -- YYYY-MM-DD
    name TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE sla_targets (
    priority INTEGER PRIMARY KEY CHECK (priority BETWEEN 1 AND 5),
    name TEXT NOT NULL,
    response_minutes INTEGER,   -- NULL: as scheduled
    resolution_minutes INTEGER,
    clock TEXT NOT NULL CHECK (clock IN ('24x7', 'business', 'none'))
);

CREATE TABLE companies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '{}', -- JSON
    payment_terms_days INTEGER NOT NULL DEFAULT 0,
    require_po INTEGER NOT NULL DEFAULT 0,
    users_see_all INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX companies_name ON companies (name COLLATE NOCASE);

CREATE TABLE sites (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX sites_company ON sites (company_id);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    email TEXT NOT NULL UNIQUE COLLATE NOCASE, -- login e-mail
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    home_email TEXT NOT NULL DEFAULT '',
    private_email TEXT NOT NULL DEFAULT '',
    phones TEXT NOT NULL DEFAULT '[]', -- JSON [{kind, number, extension}]
    use_company_address INTEGER NOT NULL DEFAULT 1,
    address TEXT NOT NULL DEFAULT '{}',
    notifications TEXT NOT NULL DEFAULT '{}',
    access TEXT NOT NULL DEFAULT 'none' CHECK (access IN ('none', 'user', 'manager', 'admin')),
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    last_login_at INTEGER
);
CREATE INDEX contacts_company ON contacts (company_id, last_name, first_name, id);

CREATE TABLE contact_related_companies (
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    company_id INTEGER NOT NULL REFERENCES companies (id),
    PRIMARY KEY (contact_id, company_id)
) WITHOUT ROWID;

CREATE TABLE company_default_subscribers (
    company_id INTEGER NOT NULL REFERENCES companies (id),
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    PRIMARY KEY (company_id, contact_id)
) WITHOUT ROWID;

CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('technician', 'dispatcher', 'admin')),
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    last_login_at INTEGER
);

-- A person who can sign in: kind 'contact' or 'staff', subject_id its id.
CREATE TABLE credentials (
    kind TEXT NOT NULL CHECK (kind IN ('contact', 'staff')),
    subject_id INTEGER NOT NULL,
    password_hash TEXT NOT NULL, -- argon2id PHC string
    must_change INTEGER NOT NULL DEFAULT 0,
    failed_count INTEGER NOT NULL DEFAULT 0,
    failed_window_start INTEGER,
    locked_until INTEGER,
    changed_at INTEGER NOT NULL,
    PRIMARY KEY (kind, subject_id)
) WITHOUT ROWID;

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    token_hash BLOB NOT NULL UNIQUE, -- SHA-256 of the token; the token itself is never stored
    kind TEXT NOT NULL,
    subject_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL -- absolute expiry
);
CREATE INDEX sessions_subject ON sessions (kind, subject_id);

CREATE TABLE refresh_tokens (
    id INTEGER PRIMARY KEY,
    token_hash BLOB NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    subject_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX refresh_subject ON refresh_tokens (kind, subject_id);

CREATE TABLE pending_requests (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('password_reset', 'access')),
    company_id INTEGER NOT NULL REFERENCES companies (id),
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    message TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    resolved_at INTEGER,
    resolved_by TEXT,
    approved INTEGER
);
CREATE INDEX pending_open ON pending_requests (company_id, resolved_at);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    company_id INTEGER,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_action ON audit_log (action, id);
CREATE INDEX audit_company ON audit_log (company_id, id);

CREATE TABLE service_types (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    description TEXT NOT NULL DEFAULT '',
    sort_order INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    fields TEXT NOT NULL DEFAULT '[]' -- JSON [{key, label, kind, required, choices}]
);

-- The ticket's id is its number.
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    site_id INTEGER REFERENCES sites (id),
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    service_type_id INTEGER NOT NULL REFERENCES service_types (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    fields TEXT NOT NULL DEFAULT '[]', -- JSON [{key, value}]
    priority INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 5),
    -- 1 New, 2 In Progress, 3 Waiting on Client, 4 Scheduled, 5 Completed,
    -- 6 Closed, 7 Cancelled, 8 No Action Required
    status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 8),
    status_group INTEGER GENERATED ALWAYS AS (
        CASE WHEN status <= 4 THEN 1 WHEN status = 5 THEN 2 ELSE 3 END
    ) VIRTUAL, -- 1 open, 2 completed, 3 closed
    emergency INTEGER NOT NULL DEFAULT 0,
    due_date TEXT, -- YYYY-MM-DD
    po_number TEXT NOT NULL DEFAULT '',
    board TEXT NOT NULL DEFAULT 'Service Desk',
    assigned_staff_id INTEGER REFERENCES staff (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    responded_at INTEGER,
    completed_at INTEGER,
    closed_at INTEGER,
    response_due_at INTEGER,
    resolution_due_at INTEGER
);
CREATE INDEX tickets_company_group_updated ON tickets (company_id, status_group, updated_at, id);
CREATE INDEX tickets_company_updated ON tickets (company_id, updated_at, id);
CREATE INDEX tickets_contact_updated ON tickets (contact_id, updated_at, id);
CREATE INDEX tickets_updated ON tickets (updated_at, id);
-- Triage order: tickets without a response target last (the expression
-- store::ticket_list sorts by).
CREATE INDEX tickets_group_response_due
    ON tickets (status_group, coalesce(response_due_at, 9223372036854775807), id);

CREATE TABLE ticket_subscribers (
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    PRIMARY KEY (ticket_id, contact_id)
) WITHOUT ROWID;
CREATE INDEX ticket_subscribers_contact ON ticket_subscribers (contact_id, ticket_id);

-- Append-only history. kind: 1 discussion, 2 resolution, 3 internal note,
-- 4 status change, 5 priority change, 6 assignment change.
-- An entry's id is its ticket's id * 2^20 plus its ordinal in that ticket
-- (from 1), so a ticket's timeline is one range of the table, read without an
-- index; a ticket holds at most 2^20 - 1 entries.
CREATE TABLE timeline (
    id INTEGER PRIMARY KEY CHECK (id >> 20 = ticket_id AND (id & 1048575) > 0),
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 6),
    at INTEGER NOT NULL,
    author_kind TEXT NOT NULL CHECK (author_kind IN ('contact', 'staff', 'system')),
    author_id INTEGER,
    author_name TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    from_value TEXT NOT NULL DEFAULT '',
    to_value TEXT NOT NULL DEFAULT ''
);

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    text TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    done_by TEXT NOT NULL DEFAULT '',
    done_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX tasks_ticket ON tasks (ticket_id, id);

-- Attachment bytes, stored once per distinct content.
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY, -- hex
    size INTEGER NOT NULL,
    data BLOB NOT NULL
);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    title TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    uploader_kind TEXT NOT NULL,
    uploader_id INTEGER NOT NULL,
    uploader_name TEXT NOT NULL,
    uploaded_at INTEGER NOT NULL
);
CREATE INDEX attachments_ticket ON attachments (ticket_id, id);

-- Full-text index over ticket titles and descriptions and public posts.
-- The rowid names the ticket as timeline ids do: ticket id * 2^20 for title
-- and description, a public post's own id for the post. A search finds
-- tickets (rowid >> 20) without touching timeline, and `ORDER BY rowid DESC`
-- (served by FTS5 without sorting) lists the newest tickets first.
-- Contentless: the text lives in tickets and timeline only.
CREATE VIRTUAL TABLE ticket_search USING fts5 (
    body,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER tickets_search_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO ticket_search (rowid, body) VALUES (new.id << 20, new.title || char(10) || new.description);
END;

CREATE TRIGGER tickets_search_update AFTER UPDATE OF title, description ON tickets BEGIN
    DELETE FROM ticket_search WHERE rowid = old.id << 20;
    INSERT INTO ticket_search (rowid, body) VALUES (new.id << 20, new.title || char(10) || new.description);
END;

-- Internal notes (kind 3) are never indexed.
CREATE TRIGGER timeline_search_insert AFTER INSERT ON timeline WHEN new.kind IN (1, 2) BEGIN
    INSERT INTO ticket_search (rowid, body) VALUES (new.id, new.body);
END;
