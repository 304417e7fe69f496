-- The SLA clock and each ticket's next deadline (docs/TICKETS.md, "SLA").

ALTER TABLE provider_settings ADD COLUMN sla_at_risk_percent INTEGER NOT NULL DEFAULT 25
    CHECK (sla_at_risk_percent BETWEEN 1 AND 99);

-- Clock time used (milliseconds) counted up to sla_counted_at; the clock
-- stops while a ticket waits on the client.
ALTER TABLE tickets ADD COLUMN sla_used_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN sla_counted_at INTEGER;
-- The next deadline: 1 response, 2 resolution; next_due_at is NULL while
-- the clock is stopped short of it, next_risk_at when it turns at risk.
ALTER TABLE tickets ADD COLUMN next_due_kind INTEGER CHECK (next_due_kind IN (1, 2));
ALTER TABLE tickets ADD COLUMN next_due_at INTEGER;
ALTER TABLE tickets ADD COLUMN next_risk_at INTEGER;

-- Tickets of earlier stores: counted from creation, next deadline as the
-- stored due times say.
UPDATE tickets SET
    sla_counted_at = created_at,
    next_due_kind = CASE
        WHEN status > 4 THEN NULL
        WHEN responded_at IS NULL AND response_due_at IS NOT NULL THEN 1
        WHEN resolution_due_at IS NOT NULL THEN 2 END,
    next_due_at = CASE
        WHEN status > 4 THEN NULL
        WHEN responded_at IS NULL AND response_due_at IS NOT NULL THEN response_due_at
        ELSE resolution_due_at END;
UPDATE tickets SET next_risk_at = next_due_at WHERE next_due_at IS NOT NULL;

-- Triage order: the next deadline, tickets without one last (the
-- expression store::ticket_list sorts by).
DROP INDEX tickets_group_response_due;
CREATE INDEX tickets_group_next_due
    ON tickets (status_group, coalesce(next_due_at, 9223372036854775807), id);
