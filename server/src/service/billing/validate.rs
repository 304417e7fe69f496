//! Checks of BillingService input. Every refusal names its field (nested
//! as the wire message nests it: `agreement.title`).

use chrono::NaiveDate;
use portal_proto::pb;
use tonic::Status;

use super::super::input;
use super::super::status::invalid;
use crate::domain::Invalid;
use crate::domain::input::parse_date;
use crate::domain::input::{Max, multi_line};
use crate::domain::money::{AGREEMENT_KINDS, AgreementInput, Month, PAYMENT_METHODS};
use crate::domain::subscriptions::{Change, SUBSCRIPTION_KINDS, SubscriptionInput, TERMS};

/// At most a million a month: a typo's guard, not a business rule.
const MAX_MONTHLY_CENTS: i64 = 100_000_000;
/// At most 100,000 prepaid hours.
const MAX_PREPAID_MINUTES: i64 = 6_000_000;
/// At most 10,000.00 an hour.
const MAX_RATE_CENTS: i64 = 1_000_000;
/// At most 10 million a payment.
const MAX_PAYMENT_CENTS: i64 = 1_000_000_000;
const MAX_TITLE: usize = 200;
const MAX_REASON: usize = 500;
const MAX_REFERENCE: usize = 100;
/// At most 100,000 seats or units.
const MAX_QUANTITY: i64 = 100_000;
/// At most a million per unit and term.
const MAX_UNIT_CENTS: i64 = 100_000_000;
const MAX_NOTE: usize = 2000;

fn name(prefix: &str, field: &str) -> String {
    if prefix.is_empty() {
        field.to_owned()
    } else {
        format!("{prefix}.{field}")
    }
}

pub fn date(field: &str, value: &str, required: bool) -> Result<Option<NaiveDate>, Status> {
    let value = value.trim();
    if value.is_empty() {
        return if required {
            Err(invalid(field, "required"))
        } else {
            Ok(None)
        };
    }
    parse_date(value)
        .map(Some)
        .ok_or_else(|| invalid(field, "not a valid date (YYYY-MM-DD)"))
}

/// An agreement's fields, `prefix` naming the message that holds them.
pub fn agreement(prefix: &str, a: Option<&pb::AgreementInput>) -> Result<AgreementInput, Status> {
    let a = a.ok_or_else(|| invalid(prefix, "required"))?;
    let f = |field| name(prefix, field);
    let start_date = date(&f("start_date"), &a.start_date, true)?.unwrap_or_default();
    let end_date = date(&f("end_date"), &a.end_date, false)?;
    if end_date.is_some_and(|end| end < start_date) {
        return Err(invalid(&f("end_date"), "before the start date"));
    }
    if !AGREEMENT_KINDS.contains(&a.kind) {
        return Err(invalid(&f("kind"), "choose a kind of agreement"));
    }
    if !(0..=MAX_MONTHLY_CENTS).contains(&a.monthly_amount_cents) {
        return Err(invalid(
            &f("monthly_amount_cents"),
            format!("between 0 and {MAX_MONTHLY_CENTS} cents"),
        ));
    }
    if !(0..=MAX_PREPAID_MINUTES).contains(&a.prepaid_minutes) {
        return Err(invalid(
            &f("prepaid_minutes"),
            format!("between 0 and {MAX_PREPAID_MINUTES} minutes"),
        ));
    }
    let mut work_type_ids = Vec::with_capacity(a.work_type_ids.len());
    for &id in &a.work_type_ids {
        input::id(&f("work_type_ids"), id)?;
        if !work_type_ids.contains(&id) {
            work_type_ids.push(id);
        }
    }
    Ok(AgreementInput {
        company_id: input::id(&f("company_id"), a.company_id)?,
        title: input::text(&f("title"), &a.title, MAX_TITLE, true)?,
        kind: a.kind,
        start_date,
        end_date,
        monthly_amount_cents: a.monthly_amount_cents,
        prepaid_minutes: a.prepaid_minutes,
        work_type_ids,
        renews: a.renews,
    })
}

/// A subscription's fields, `prefix` naming the message that holds them.
pub fn subscription(
    prefix: &str,
    s: Option<&pb::SubscriptionInput>,
) -> Result<SubscriptionInput, Status> {
    let s = s.ok_or_else(|| invalid(prefix, "required"))?;
    let f = |field| name(prefix, field);
    let company_id = input::id(&f("company_id"), s.company_id)?;
    let name = input::text(&f("name"), &s.name, MAX_TITLE, true)?;
    if !SUBSCRIPTION_KINDS.contains(&s.kind) {
        return Err(invalid(&f("kind"), "choose licence or service"));
    }
    if !(1..=MAX_QUANTITY).contains(&s.quantity) {
        return Err(invalid(
            &f("quantity"),
            format!("between 1 and {MAX_QUANTITY}"),
        ));
    }
    if !TERMS.contains(&s.term_months) {
        return Err(invalid(
            &f("term_months"),
            "1 (monthly), 12 (yearly), or 24, 36, 48 or 60 (multi-year)",
        ));
    }
    let renews_on = date(&f("renews_on"), &s.renews_on, true)?.unwrap_or_default();
    if !(0..=MAX_UNIT_CENTS).contains(&s.unit_price_cents) {
        return Err(invalid(
            &f("unit_price_cents"),
            format!("between 0 and {MAX_UNIT_CENTS} cents"),
        ));
    }
    Ok(SubscriptionInput {
        company_id,
        name,
        kind: s.kind,
        quantity: s.quantity,
        term_months: s.term_months,
        renews_on,
        unit_price_cents: s.unit_price_cents,
        billed_by_run: s.billed_by_run,
    })
}

/// A change request as asked, before it meets the subscription.
pub struct ChangeInput {
    pub subscription_id: i64,
    pub change: Change,
    pub requested_quantity: i64,
    pub note: String,
    pub po_number: String,
}

pub fn change(r: &pb::SubscriptionChangeRequest) -> Result<ChangeInput, Status> {
    let subscription_id = input::id("subscription_id", r.subscription_id)?;
    let change = Change::from_i32(r.change).ok_or_else(|| {
        invalid(
            "change",
            "choose more seats, fewer seats, cancel at renewal or upgrade",
        )
    })?;
    if !(0..=MAX_QUANTITY).contains(&r.requested_quantity) {
        return Err(invalid(
            "requested_quantity",
            format!("between 0 and {MAX_QUANTITY}"),
        ));
    }
    let note = multi_line("note", &r.note, Max::Chars(MAX_NOTE), false)?;
    if change == Change::Upgrade && note.trim().is_empty() {
        return Err(invalid("note", "required: say what to upgrade to"));
    }
    Ok(ChangeInput {
        subscription_id,
        change,
        requested_quantity: r.requested_quantity,
        note,
        po_number: input::text("po_number", &r.po_number, 50, false)?,
    })
}

/// The requested quantity against the current one: more seats asks for
/// more, fewer for fewer (at least 1); cancelling asks for none.
pub fn requested_quantity(c: &ChangeInput, current: i64) -> Result<i64, Invalid> {
    let q = c.requested_quantity;
    match c.change {
        Change::MoreSeats if q <= current => Err(Invalid::new(
            "requested_quantity",
            format!("more than the current {current}"),
        )),
        Change::FewerSeats if q < 1 || q >= current => Err(Invalid::new(
            "requested_quantity",
            format!("fewer than the current {current}, at least 1"),
        )),
        Change::CancelAtRenewal => Ok(0),
        Change::Upgrade if q == 0 => Ok(current),
        _ => Ok(q),
    }
}

/// A billing month, not after `current`.
pub fn month(value: &str, current: Month) -> Result<Month, Status> {
    let m = Month::parse(value.trim()).ok_or_else(|| invalid("month", "not a month (YYYY-MM)"))?;
    if m > current {
        return Err(invalid("month", "a month not yet begun cannot be billed"));
    }
    Ok(m)
}

/// Invoice statuses to filter by.
pub fn statuses(values: &[i32]) -> Result<Vec<i32>, Status> {
    for &s in values {
        if pb::InvoiceStatus::try_from(s).is_err() || s == 0 {
            return Err(invalid("statuses", format!("no such status: {s}")));
        }
    }
    Ok(values.to_vec())
}

/// Payment states to filter by.
pub fn states(values: &[i32]) -> Result<Vec<i32>, Status> {
    for &s in values {
        if pb::PaymentState::try_from(s).is_err() || s == 0 {
            return Err(invalid("states", format!("no such state: {s}")));
        }
    }
    Ok(values.to_vec())
}

/// A reason a person gives (voiding, rejecting).
pub fn reason(value: &str, required: bool) -> Result<String, Status> {
    input::text("reason", value, MAX_REASON, required)
}

/// A payment as submitted: amount, method, reference and key.
pub struct PaymentInput {
    pub number: i64,
    pub amount_cents: i64,
    pub method: i32,
    pub reference: String,
    pub key: String,
}

pub fn payment(p: &pb::SubmitPaymentRequest) -> Result<PaymentInput, Status> {
    let number = input::id("invoice_number", p.invoice_number)?;
    if !(1..=MAX_PAYMENT_CENTS).contains(&p.amount_cents) {
        return Err(invalid(
            "amount_cents",
            format!("between 1 and {MAX_PAYMENT_CENTS} cents"),
        ));
    }
    if !PAYMENT_METHODS.contains(&p.method) {
        return Err(invalid("method", "choose a payment method"));
    }
    let key = p.idempotency_key.as_str();
    let key_ok =
        (8..=64).contains(&key.chars().count()) && key.chars().all(|c| c.is_ascii_graphic());
    if !key_ok {
        return Err(invalid(
            "idempotency_key",
            "8 to 64 printable characters without spaces",
        ));
    }
    Ok(PaymentInput {
        number,
        amount_cents: p.amount_cents,
        method: p.method,
        reference: input::text("reference", &p.reference, MAX_REFERENCE, false)?,
        key: key.to_owned(),
    })
}

/// The billing settings a provider Admin saves.
pub fn settings(s: &pb::BillingSettings) -> Result<(i64, u32, u32), Status> {
    if !(0..=MAX_RATE_CENTS).contains(&s.labour_rate_cents) {
        return Err(invalid(
            "labour_rate_cents",
            format!("between 0 and {MAX_RATE_CENTS} cents"),
        ));
    }
    if s.tax_rate_basis_points > 10_000 {
        return Err(invalid("tax_rate_basis_points", "at most 10000 (100 %)"));
    }
    if s.low_hours_percent > 100 {
        return Err(invalid("low_hours_percent", "at most 100"));
    }
    Ok((
        s.labour_rate_cents,
        s.tax_rate_basis_points,
        s.low_hours_percent,
    ))
}
