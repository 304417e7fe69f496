//! Agreements, invoices and payments as `pb` messages.

use portal_proto::pb;

use super::{opt_timestamp, timestamp};
use crate::domain::money::{Agreement, Invoice, InvoiceLine, Payment, low_hours, zone_day};
use crate::domain::subscriptions::Subscription;

fn day(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// An agreement with its used minutes (`today` in the provider's zone).
pub fn agreement(
    a: Agreement,
    used: i64,
    today: chrono::NaiveDate,
    low_percent: u32,
) -> pb::Agreement {
    let left = (a.prepaid_minutes - used).max(0);
    let active = a.covers_day(today);
    let renews_on = a.renews_on(today).map(day).unwrap_or_default();
    pb::Agreement {
        id: a.id,
        company_id: a.company_id,
        company_name: a.company_name,
        title: a.title,
        kind: a.kind,
        start_date: day(a.start_date),
        end_date: a.end_date.map(day).unwrap_or_default(),
        monthly_amount_cents: a.monthly_amount_cents,
        prepaid_minutes: a.prepaid_minutes,
        used_minutes: used,
        left_minutes: left,
        work_type_ids: a.work_types.iter().map(|(id, _)| *id).collect(),
        work_type_names: a.work_types.into_iter().map(|(_, name)| name).collect(),
        renews_on,
        renews: a.renews,
        active,
        low_hours: active && low_hours(a.prepaid_minutes, left, low_percent),
    }
}

pub fn invoice(i: Invoice, today: &str) -> pb::Invoice {
    pb::Invoice {
        overdue: i.overdue(today),
        id: i.id,
        number: i.number,
        company_id: i.company_id,
        company_name: i.company_name,
        period: i.period,
        issued_on: i.issued_on,
        due_on: i.due_on,
        subtotal_cents: i.subtotal_cents,
        tax_rate_basis_points: i.tax_rate_basis_points,
        tax_cents: i.tax_cents,
        total_cents: i.total_cents,
        paid_cents: i.paid_cents,
        pending_cents: i.pending_cents,
        balance_cents: i.balance_cents,
        status: i.status,
        void_reason: i.void_reason,
    }
}

pub fn line(l: InvoiceLine) -> pb::InvoiceLine {
    pb::InvoiceLine {
        id: l.id,
        kind: l.kind,
        description: l.description,
        quantity: l.quantity,
        unit_price_cents: l.unit_price_cents,
        amount_cents: l.amount_cents,
        agreement_id: l.agreement_id.unwrap_or_default(),
        agreement_title: l.agreement_title,
        ticket_number: l.ticket_id.unwrap_or_default(),
        estimate_id: l.estimate_id.unwrap_or_default(),
    }
}

pub fn payment(p: Payment) -> pb::Payment {
    pb::Payment {
        id: p.id,
        invoice_number: p.invoice_number,
        company_id: p.company_id,
        company_name: p.company_name,
        amount_cents: p.amount_cents,
        method: p.method,
        reference: p.reference,
        state: p.state,
        submitted_by: p.submitted_by,
        submitted_at: Some(timestamp(p.submitted_at)),
        decided_by: p.decided_by,
        decided_at: opt_timestamp(p.decided_at),
        reject_reason: p.reject_reason,
    }
}

/// A subscription as of `today` (both in the provider's zone).
pub fn subscription(
    s: Subscription,
    today: chrono::NaiveDate,
    zone: chrono_tz::Tz,
) -> pb::Subscription {
    pb::Subscription {
        renews_on: day(s.renews_on(today)),
        term_cents: s.term_cents(),
        renews_soon: s.renews_soon(today),
        cancelled: !s.active(),
        cancelled_on: s
            .cancelled_at
            .map(|ms| day(zone_day(zone, ms)))
            .unwrap_or_default(),
        id: s.id,
        company_id: s.company_id,
        company_name: s.company_name,
        name: s.name,
        kind: s.kind,
        quantity: s.quantity,
        term_months: s.term_months,
        unit_price_cents: s.unit_price_cents,
        billed_by_run: s.billed_by_run,
    }
}
