-- Chat (docs/TICKETS.md, "Chat"): since when a client's chat message on
-- the ticket waits for staff's answer. Triage lists the waiting chats
-- from the partial index.
ALTER TABLE tickets ADD COLUMN chat_waiting_since INTEGER;
CREATE INDEX tickets_chat_waiting ON tickets (chat_waiting_since)
    WHERE chat_waiting_since IS NOT NULL;
