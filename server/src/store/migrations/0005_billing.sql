-- Agreements, invoices, payments and the billing settings (docs/MONEY.md).
-- Every amount is integer cents, every duration whole minutes.

ALTER TABLE provider_settings ADD COLUMN tax_rate_basis_points INTEGER NOT NULL DEFAULT 0
    CHECK (tax_rate_basis_points BETWEEN 0 AND 10000);
ALTER TABLE provider_settings ADD COLUMN low_hours_percent INTEGER NOT NULL DEFAULT 20
    CHECK (low_hours_percent BETWEEN 0 AND 100);

CREATE TABLE agreements (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    title TEXT NOT NULL,
    kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 5), -- pb::AgreementKind
    start_date TEXT NOT NULL,  -- YYYY-MM-DD
    end_date TEXT,             -- YYYY-MM-DD inclusive; NULL = open-ended
    monthly_amount_cents INTEGER NOT NULL CHECK (monthly_amount_cents >= 0),
    prepaid_minutes INTEGER NOT NULL CHECK (prepaid_minutes >= 0),
    renews INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX agreements_company ON agreements (company_id, start_date, id);

CREATE TABLE agreement_work_types (
    agreement_id INTEGER NOT NULL REFERENCES agreements (id),
    work_type_id INTEGER NOT NULL REFERENCES work_types (id),
    PRIMARY KEY (agreement_id, work_type_id)
) WITHOUT ROWID;

-- Prepaid minutes a billed time entry drew from an agreement, fixed when
-- billing marked the entry billed. Unbilled entries draw as computed.
CREATE TABLE time_draws (
    time_entry_id INTEGER NOT NULL REFERENCES time_entries (id),
    agreement_id INTEGER NOT NULL REFERENCES agreements (id),
    minutes INTEGER NOT NULL CHECK (minutes > 0),
    PRIMARY KEY (time_entry_id, agreement_id)
) WITHOUT ROWID;
CREATE INDEX time_draws_agreement ON time_draws (agreement_id);

-- Unbilled billable time of a company in the order it draws on prepaid hours.
CREATE INDEX time_entries_undrawn ON time_entries (company_id, ended_at, id)
    WHERE billable = 1 AND billed_at IS NULL;

CREATE TABLE invoices (
    id INTEGER PRIMARY KEY,
    number INTEGER NOT NULL UNIQUE,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    period TEXT NOT NULL,        -- YYYY-MM billed
    issued_on TEXT NOT NULL,     -- YYYY-MM-DD
    due_on TEXT NOT NULL,        -- YYYY-MM-DD
    subtotal_cents INTEGER NOT NULL CHECK (subtotal_cents >= 0),
    tax_rate_basis_points INTEGER NOT NULL,
    tax_cents INTEGER NOT NULL CHECK (tax_cents >= 0),
    total_cents INTEGER NOT NULL CHECK (total_cents = subtotal_cents + tax_cents),
    paid_cents INTEGER NOT NULL DEFAULT 0 CHECK (paid_cents BETWEEN 0 AND total_cents),
    pending_cents INTEGER NOT NULL DEFAULT 0 CHECK (pending_cents >= 0),
    created_at INTEGER NOT NULL,
    voided_at INTEGER,
    voided_by TEXT NOT NULL DEFAULT '',
    void_reason TEXT NOT NULL DEFAULT '',
    -- A void invoice is owed nothing.
    balance_cents INTEGER GENERATED ALWAYS AS (
        CASE WHEN voided_at IS NULL THEN total_cents - paid_cents ELSE 0 END
    ) VIRTUAL,
    -- pb::InvoiceStatus: 1 unpaid, 2 partially paid, 3 paid, 4 void.
    status INTEGER GENERATED ALWAYS AS (
        CASE WHEN voided_at IS NOT NULL THEN 4
             WHEN paid_cents >= total_cents THEN 3
             WHEN paid_cents > 0 THEN 2 ELSE 1 END
    ) VIRTUAL
);
CREATE INDEX invoices_company_issued ON invoices (company_id, issued_on, number);
CREATE INDEX invoices_issued ON invoices (issued_on, number);
CREATE INDEX invoices_company_status_due ON invoices (company_id, status, due_on, number);

-- One line per company, period, source and part: a run can never bill a
-- source twice. source_kind: 1 recurring (source: agreement), 2 labour
-- (source: ticket; part: the agreement drawn on, 0 = non-contract), 3
-- project (source: estimate), 4 product.
CREATE TABLE invoice_lines (
    id INTEGER PRIMARY KEY,
    invoice_id INTEGER NOT NULL REFERENCES invoices (id),
    company_id INTEGER NOT NULL REFERENCES companies (id),
    period TEXT NOT NULL,
    kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 4),
    source_id INTEGER NOT NULL,
    source_part INTEGER NOT NULL DEFAULT 0,
    description TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0),
    amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
    agreement_id INTEGER REFERENCES agreements (id),
    ticket_id INTEGER REFERENCES tickets (id),
    estimate_id INTEGER REFERENCES estimates (id),
    UNIQUE (company_id, period, kind, source_id, source_part)
);
CREATE INDEX invoice_lines_invoice ON invoice_lines (invoice_id, id);
-- An estimate is billed once, whatever the period.
CREATE UNIQUE INDEX invoice_lines_estimate ON invoice_lines (estimate_id)
    WHERE estimate_id IS NOT NULL;

-- state: 1 pending, 2 confirmed, 3 rejected (pb::PaymentState).
CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    invoice_id INTEGER NOT NULL REFERENCES invoices (id),
    company_id INTEGER NOT NULL REFERENCES companies (id),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    method INTEGER NOT NULL CHECK (method BETWEEN 1 AND 5),
    reference TEXT NOT NULL DEFAULT '',
    idempotency_key TEXT NOT NULL,
    state INTEGER NOT NULL CHECK (state BETWEEN 1 AND 3),
    submitted_by TEXT NOT NULL,
    submitted_at INTEGER NOT NULL,
    decided_by TEXT NOT NULL DEFAULT '',
    decided_at INTEGER,
    reject_reason TEXT NOT NULL DEFAULT '',
    UNIQUE (invoice_id, idempotency_key)
);
CREATE INDEX payments_company ON payments (company_id, id);
CREATE INDEX payments_state ON payments (state, id);
