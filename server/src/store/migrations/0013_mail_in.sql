-- Mail in (docs/MAIL.md, "Replies by e-mail").
-- Keys the server keeps for itself, created on first use: `mail_reply`
-- signs the reply addresses of outgoing ticket mail.
CREATE TABLE server_keys (
    name TEXT PRIMARY KEY,
    key BLOB NOT NULL
);
-- The contact a ticket message went to, so the sender can give it a reply
-- address of its own.
ALTER TABLE mail_outbox ADD COLUMN contact_id INTEGER;
-- Every message received, by its Message-ID: a message delivered twice
-- (a sending server retrying after a lost answer) is acted on once, and
-- new tickets by mail are counted per sender to stop loops.
CREATE TABLE mail_received (
    message_id TEXT PRIMARY KEY,
    received_at INTEGER NOT NULL,
    sender TEXT NOT NULL,
    outcome TEXT NOT NULL,        -- 'posted', 'opened' or 'dropped'
    ticket_id INTEGER
);
CREATE INDEX mail_received_by_sender ON mail_received (sender, received_at);
