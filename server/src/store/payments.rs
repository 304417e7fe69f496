//! Payments against invoices. The same idempotency key on the same invoice
//! is one payment (a unique key); the invoice's pending and paid cents move
//! in the same transaction.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Result, StoreError, invoices};
use crate::domain::money::{Payment, PaymentState};

const COLUMNS: &str = "p.id, i.number, p.company_id, c.name, p.amount_cents, p.method,
        p.reference, p.state, p.submitted_by, p.submitted_at, p.decided_by, p.decided_at,
        p.reject_reason";
const FROM: &str = "FROM payments p JOIN invoices i ON i.id = p.invoice_id
        JOIN companies c ON c.id = p.company_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Payment> {
    Ok(Payment {
        id: r.get(0)?,
        invoice_number: r.get(1)?,
        company_id: r.get(2)?,
        company_name: r.get(3)?,
        amount_cents: r.get(4)?,
        method: r.get(5)?,
        reference: r.get(6)?,
        state: r.get(7)?,
        submitted_by: r.get(8)?,
        submitted_at: r.get(9)?,
        decided_by: r.get(10)?,
        decided_at: r.get(11)?,
        reject_reason: r.get(12)?,
    })
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Payment>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} {FROM} WHERE p.id = ?1"))?
        .query_row([id], from_row)
        .optional()?)
}

/// The payment already recorded on this invoice with this key.
pub fn by_key(conn: &Connection, invoice_id: i64, key: &str) -> Result<Option<Payment>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} {FROM} WHERE p.invoice_id = ?1 AND p.idempotency_key = ?2"
        ))?
        .query_row(params![invoice_id, key], from_row)
        .optional()?)
}

/// A payment as submitted.
pub struct NewPayment<'a> {
    pub invoice_id: i64,
    pub company_id: i64,
    pub amount_cents: i64,
    pub method: i32,
    pub reference: &'a str,
    pub idempotency_key: &'a str,
    pub state: PaymentState,
    pub by: &'a str,
}

/// Records a payment (pending, or confirmed at once) and moves the
/// invoice's cents. The caller has checked the amount against the balance.
pub fn record(conn: &Connection, p: &NewPayment<'_>, now: i64) -> Result<Payment> {
    let confirmed = p.state == PaymentState::Confirmed;
    conn.prepare_cached(
        "INSERT INTO payments (invoice_id, company_id, amount_cents, method, reference,
            idempotency_key, state, submitted_by, submitted_at, decided_by, decided_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        p.invoice_id,
        p.company_id,
        p.amount_cents,
        p.method,
        p.reference,
        p.idempotency_key,
        p.state as i32,
        p.by,
        now,
        if confirmed { p.by } else { "" },
        confirmed.then_some(now)
    ])?;
    let id = conn.last_insert_rowid();
    if confirmed {
        invoices::add_payment_cents(conn, p.invoice_id, 0, p.amount_cents)?;
    } else {
        invoices::add_payment_cents(conn, p.invoice_id, p.amount_cents, 0)?;
    }
    get(conn, id)?.ok_or(StoreError::NotFound)
}

/// Confirms or rejects a pending payment.
pub fn decide(
    conn: &Connection,
    id: i64,
    state: PaymentState,
    by: &str,
    reason: &str,
    now: i64,
) -> Result<Payment> {
    let (invoice_id, amount): (i64, i64) = conn
        .prepare_cached(
            "UPDATE payments SET state = ?2, decided_by = ?3, decided_at = ?4, reject_reason = ?5
             WHERE id = ?1 AND state = 1 RETURNING invoice_id, amount_cents",
        )?
        .query_row(params![id, state as i32, by, now, reason], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?
        .ok_or_else(|| StoreError::FailedPrecondition("this payment was decided already".into()))?;
    let paid = if state == PaymentState::Confirmed {
        amount
    } else {
        0
    };
    invoices::add_payment_cents(conn, invoice_id, -amount, paid)?;
    get(conn, id)?.ok_or(StoreError::NotFound)
}

/// An invoice's payments, oldest first.
pub fn of_invoice(conn: &Connection, invoice_id: i64) -> Result<Vec<Payment>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} {FROM} WHERE p.invoice_id = ?1 ORDER BY p.id"
    ))?
    .query_map([invoice_id], from_row)?
    .collect::<rusqlite::Result<Vec<_>>>()
    .map_err(Into::into)
}

/// Newest first, one page: `before` is the id the previous page ended at.
pub fn list(
    conn: &Connection,
    invoice_id: Option<i64>,
    company_id: Option<i64>,
    states: &[i32],
    before: Option<i64>,
    limit: u32,
) -> Result<Vec<Payment>> {
    let states = if states.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = states.iter().map(ToString::to_string).collect();
        format!(" AND p.state IN ({})", list.join(", "))
    };
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} {FROM} WHERE (?1 IS NULL OR p.invoice_id = ?1)
           AND (?2 IS NULL OR p.company_id = ?2) AND (?3 IS NULL OR p.id < ?3){states}
         ORDER BY p.id DESC LIMIT {limit}"
    ))?
    .query_map(params![invoice_id, company_id, before], from_row)?
    .collect::<rusqlite::Result<Vec<_>>>()
    .map_err(Into::into)
}
