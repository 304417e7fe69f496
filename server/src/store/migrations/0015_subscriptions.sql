-- Subscriptions: licences and services the provider records for a company
-- (docs/MONEY.md "Subscriptions and renewals"). Amounts in cents.

CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    name TEXT NOT NULL,
    kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 2), -- pb::SubscriptionKind
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    term_months INTEGER NOT NULL CHECK (term_months IN (1, 12, 24, 36, 48, 60)),
    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0),
    -- The renewal date as last set (YYYY-MM-DD); the renewals that follow
    -- are this date plus whole terms, so a 31st never drifts to the 28th.
    renewal_anchor TEXT NOT NULL,
    -- Renewals the billing run has billed since the anchor: the next one
    -- billed is the anchor plus this many terms.
    renewals_billed INTEGER NOT NULL DEFAULT 0 CHECK (renewals_billed >= 0),
    billed_by_run INTEGER NOT NULL DEFAULT 0,
    cancelled_at INTEGER,
    cancelled_by TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX subscriptions_company ON subscriptions (company_id, id);

-- A renewal is a PRODUCT line (kind 4) whose source is the subscription and
-- whose part is the renewal date as YYYYMMDD: billed once, whatever the run.
CREATE UNIQUE INDEX invoice_lines_renewal ON invoice_lines (source_id, source_part)
    WHERE kind = 4;

-- When a person's profile or account was last changed, and the name of who
-- changed it (My Account shows it). NULL: not changed since this migration.
ALTER TABLE contacts ADD COLUMN updated_at INTEGER;
ALTER TABLE contacts ADD COLUMN updated_by TEXT NOT NULL DEFAULT '';
ALTER TABLE staff ADD COLUMN updated_at INTEGER;
ALTER TABLE staff ADD COLUMN updated_by TEXT NOT NULL DEFAULT '';

-- The requester's phone and e-mail as corrected on the new-ticket form, for
-- this ticket only ('' = as in the profile). Staff see them on the ticket.
ALTER TABLE tickets ADD COLUMN contact_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN contact_email TEXT NOT NULL DEFAULT '';
