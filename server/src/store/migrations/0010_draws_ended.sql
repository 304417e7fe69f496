-- Each draw on prepaid hours keeps when its time entry ended. The
-- burn-down (the agreement-hours report, the Agreements screen, billing)
-- reads every draw of an agreement by month; looking each one's entry up
-- cost more than the rest of the report over every company. A drawn entry
-- is billed and can no longer be edited or deleted (docs/MONEY.md), so the
-- copy never goes stale.
ALTER TABLE time_draws ADD COLUMN ended_at INTEGER NOT NULL DEFAULT 0;
UPDATE time_draws SET ended_at = (
    SELECT e.ended_at FROM time_entries e WHERE e.id = time_draws.time_entry_id
);
DROP INDEX time_draws_agreement;
CREATE INDEX time_draws_agreement ON time_draws (agreement_id, ended_at, time_entry_id, minutes);
DROP INDEX time_entries_ended;
