-- Mail outbox: one row per message and recipient, written in the same
-- transaction as the change that causes it (docs/MAIL.md). The sender
-- marks a row sent, or schedules its next attempt, or gives up on it.
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,          -- what caused it, e.g. 'ticket.created'
    recipient TEXT NOT NULL,     -- one e-mail address
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    ticket_id INTEGER,           -- the ticket it is about, if any
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    sent_at INTEGER,
    failed_at INTEGER            -- gave up after the last attempt
);
-- What the sender picks next: unsent, not given up, by due time.
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at, id)
    WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX mail_outbox_failed ON mail_outbox (id) WHERE failed_at IS NOT NULL;
