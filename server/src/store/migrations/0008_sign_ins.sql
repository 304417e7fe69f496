-- Sign-ins: one per Login, carried on by the refresh tokens it hands out,
-- so a person can list the places they are signed in and end any of them.
-- AUTOINCREMENT: an id once ended is never given to a later sign-in.
CREATE TABLE sign_ins (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    subject_id INTEGER NOT NULL,
    client TEXT NOT NULL DEFAULT '',   -- as the client names itself ("portal 0.1 CLI")
    address TEXT NOT NULL DEFAULT '',  -- the source IP address of the last sign-in or refresh
    signed_in_at INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL      -- the last sign-in or refresh; sessions keep their own
);
CREATE INDEX sign_ins_subject ON sign_ins (kind, subject_id);

ALTER TABLE sessions ADD COLUMN sign_in_id INTEGER;
ALTER TABLE refresh_tokens ADD COLUMN sign_in_id INTEGER;
CREATE INDEX sessions_sign_in ON sessions (sign_in_id);
CREATE INDEX refresh_sign_in ON refresh_tokens (sign_in_id);

-- The sessions open at the upgrade become sign-ins of their own (same ids).
INSERT INTO sign_ins (id, kind, subject_id, signed_in_at, last_used_at)
    SELECT id, kind, subject_id, created_at, last_seen_at FROM sessions;
UPDATE sessions SET sign_in_id = id;
