-- SSH public keys that sign their owner in through the SSH gateway
-- (docs/GATEWAY.md). Only public keys are kept. `key_data` is the key
-- without its comment ("ssh-ed25519 AAAA…"): one key belongs to one person.
CREATE TABLE ssh_keys (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('contact', 'staff')),
    subject_id INTEGER NOT NULL,
    algorithm TEXT NOT NULL,
    key_data TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    added_at INTEGER NOT NULL,
    last_used_at INTEGER
);
CREATE INDEX ssh_keys_owner ON ssh_keys (kind, subject_id);
