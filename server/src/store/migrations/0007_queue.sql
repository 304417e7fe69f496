-- The queue (docs/TICKETS.md, "Assignees" and "Saved views").

-- Staff assigned to a ticket besides its primary assignee
-- (tickets.assigned_staff_id); each of them has it in their queue.
CREATE TABLE ticket_assignees (
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    staff_id INTEGER NOT NULL REFERENCES staff (id),
    added_at INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, staff_id)
) WITHOUT ROWID;
CREATE INDEX ticket_assignees_staff ON ticket_assignees (staff_id, ticket_id);

-- A staff member's named Triage filters and sort, kept on the server so
-- they follow the user between machines.
CREATE TABLE saved_views (
    id INTEGER PRIMARY KEY,
    staff_id INTEGER NOT NULL REFERENCES staff (id),
    name TEXT NOT NULL,
    unassigned INTEGER NOT NULL DEFAULT 0,
    mine INTEGER NOT NULL DEFAULT 0,
    company_id INTEGER REFERENCES companies (id),
    priority INTEGER,
    breached INTEGER NOT NULL DEFAULT 0,
    sort TEXT NOT NULL, -- the TicketSort, as JSON
    descending INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (staff_id, name)
);
