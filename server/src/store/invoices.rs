//! Invoices and their lines. Balance and status are generated columns:
//! the balance is the total less confirmed payments (nothing for a void
//! invoice), so they can never disagree with the payments.

use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

use super::{Result, StoreError};
use crate::domain::money::{INVOICE_VOID, Invoice, InvoiceLine, NewLine};

const COLUMNS: &str = "i.id, i.number, i.company_id, c.name, i.period, i.issued_on, i.due_on,
        i.subtotal_cents, i.tax_rate_basis_points, i.tax_cents, i.total_cents, i.paid_cents,
        i.pending_cents, i.balance_cents, i.status, i.void_reason";
const FROM: &str = "FROM invoices i JOIN companies c ON c.id = i.company_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Invoice> {
    Ok(Invoice {
        id: r.get(0)?,
        number: r.get(1)?,
        company_id: r.get(2)?,
        company_name: r.get(3)?,
        period: r.get(4)?,
        issued_on: r.get(5)?,
        due_on: r.get(6)?,
        subtotal_cents: r.get(7)?,
        tax_rate_basis_points: r.get(8)?,
        tax_cents: r.get(9)?,
        total_cents: r.get(10)?,
        paid_cents: r.get(11)?,
        pending_cents: r.get(12)?,
        balance_cents: r.get(13)?,
        status: r.get(14)?,
        void_reason: r.get(15)?,
    })
}

pub fn by_number(conn: &Connection, number: i64) -> Result<Option<Invoice>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} {FROM} WHERE i.number = ?1"))?
        .query_row([number], from_row)
        .optional()?)
}

pub fn lines(conn: &Connection, invoice_id: i64) -> Result<Vec<InvoiceLine>> {
    conn.prepare_cached(
        "SELECT l.id, l.kind, l.description, l.quantity, l.unit_price_cents, l.amount_cents,
            l.agreement_id, l.ticket_id, l.estimate_id, coalesce(a.title, '')
         FROM invoice_lines l LEFT JOIN agreements a ON a.id = l.agreement_id
         WHERE l.invoice_id = ?1 ORDER BY l.id",
    )?
    .query_map([invoice_id], |r| {
        Ok(InvoiceLine {
            id: r.get(0)?,
            kind: r.get(1)?,
            description: r.get(2)?,
            quantity: r.get(3)?,
            unit_price_cents: r.get(4)?,
            amount_cents: r.get(5)?,
            agreement_id: r.get(6)?,
            agreement_title: r.get(9)?,
            ticket_id: r.get(7)?,
            estimate_id: r.get(8)?,
        })
    })?
    .collect::<rusqlite::Result<Vec<_>>>()
    .map_err(Into::into)
}

/// What a new invoice is: its company and dates, its lines and tax.
pub struct NewInvoice<'a> {
    pub company_id: i64,
    pub period: &'a str,
    pub issued_on: &'a str,
    pub due_on: &'a str,
    pub tax_rate_basis_points: u32,
    pub lines: &'a [NewLine],
}

/// Issues an invoice with the next number. A line whose source was billed
/// for the period already fails the unique key, and the write rolls back.
pub fn issue(conn: &Connection, inv: &NewInvoice<'_>, now: i64) -> Result<Invoice> {
    let subtotal: i64 = inv.lines.iter().map(|l| l.line.amount_cents).sum();
    let tax = crate::domain::money::tax_cents(subtotal, inv.tax_rate_basis_points);
    conn.prepare_cached(
        "INSERT INTO invoices (number, company_id, period, issued_on, due_on, subtotal_cents,
            tax_rate_basis_points, tax_cents, total_cents, created_at)
         VALUES ((SELECT coalesce(max(number), 1000) + 1 FROM invoices),
            ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        inv.company_id,
        inv.period,
        inv.issued_on,
        inv.due_on,
        subtotal,
        inv.tax_rate_basis_points,
        tax,
        subtotal + tax,
        now
    ])?;
    let id = conn.last_insert_rowid();
    let mut insert = conn.prepare_cached(
        "INSERT INTO invoice_lines (invoice_id, company_id, period, kind, source_id, source_part,
            description, quantity, unit_price_cents, amount_cents, agreement_id, ticket_id,
            estimate_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    for l in inv.lines {
        insert.execute(params![
            id,
            inv.company_id,
            inv.period,
            l.kind as i32,
            l.source_id,
            l.source_part,
            l.line.description,
            l.line.quantity,
            l.line.unit_price_cents,
            l.line.amount_cents,
            l.line.agreement_id,
            l.line.ticket_id,
            l.line.estimate_id
        ])?;
    }
    let number: i64 = conn
        .prepare_cached("SELECT number FROM invoices WHERE id = ?1")?
        .query_row([id], |r| r.get(0))?;
    by_number(conn, number)?.ok_or(StoreError::NotFound)
}

/// Voids an invoice that has no payments; it stays, with its reason.
pub fn void(conn: &Connection, id: i64, by: &str, reason: &str, now: i64) -> Result<()> {
    let changed = conn
        .prepare_cached(
            "UPDATE invoices SET voided_at = ?2, voided_by = ?3, void_reason = ?4
             WHERE id = ?1 AND voided_at IS NULL AND paid_cents = 0 AND pending_cents = 0",
        )?
        .execute(params![id, now, by, reason])?;
    if changed == 0 {
        return Err(StoreError::FailedPrecondition(
            "only an invoice that is not void and has no confirmed or pending payments can be voided; reject or refund its payments first".into(),
        ));
    }
    Ok(())
}

/// Moves `pending` and `paid` cents by these amounts (a payment recorded,
/// confirmed or rejected).
pub fn add_payment_cents(conn: &Connection, id: i64, pending: i64, paid: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE invoices SET pending_cents = pending_cents + ?2, paid_cents = paid_cents + ?3
         WHERE id = ?1",
    )?
    .execute(params![id, pending, paid])?;
    Ok(())
}

/// How a list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Issued,
    Number,
    Due,
    Total,
    Balance,
}

impl Sort {
    fn column(self) -> &'static str {
        match self {
            Self::Issued => "i.issued_on",
            Self::Number => "i.number",
            Self::Due => "i.due_on",
            Self::Total => "i.total_cents",
            Self::Balance => "i.balance_cents",
        }
    }

    /// The row's value of the sort column, as a cursor keeps it.
    pub fn key(self, i: &Invoice) -> serde_json::Value {
        match self {
            Self::Issued => i.issued_on.clone().into(),
            Self::Number => i.number.into(),
            Self::Due => i.due_on.clone().into(),
            Self::Total => i.total_cents.into(),
            Self::Balance => i.balance_cents.into(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub company_id: Option<i64>,
    /// pb::InvoiceStatus numbers; empty = all.
    pub statuses: Vec<i32>,
    pub issued_from: Option<String>,
    pub issued_to: Option<String>,
}

fn where_clause(f: &Filter) -> (Vec<String>, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value;
    let mut conds = vec!["1 = 1".to_owned()];
    let mut args: Vec<Value> = Vec::new();
    if let Some(c) = f.company_id {
        args.push(Value::Integer(c));
        conds.push(format!("i.company_id = ?{}", args.len()));
    }
    if !f.statuses.is_empty() {
        let list: Vec<String> = f.statuses.iter().map(ToString::to_string).collect();
        conds.push(format!("i.status IN ({})", list.join(", ")));
    }
    if let Some(from) = &f.issued_from {
        args.push(Value::Text(from.clone()));
        conds.push(format!("i.issued_on >= ?{}", args.len()));
    }
    if let Some(to) = &f.issued_to {
        args.push(Value::Text(to.clone()));
        conds.push(format!("i.issued_on <= ?{}", args.len()));
    }
    (conds, args)
}

/// One page: `after` is the last row's (sort value, number) of the page before.
pub fn list(
    conn: &Connection,
    f: &Filter,
    (sort, ascending): (Sort, bool),
    after: Option<(serde_json::Value, i64)>,
    limit: u32,
) -> Result<Vec<Invoice>> {
    use rusqlite::types::Value;
    let (mut conds, mut args) = where_clause(f);
    let col = sort.column();
    let (cmp, dir) = if ascending {
        (">", "ASC")
    } else {
        ("<", "DESC")
    };
    if let Some((key, number)) = after {
        let key = match key {
            serde_json::Value::String(s) => Value::Text(s),
            serde_json::Value::Number(n) => Value::Integer(n.as_i64().unwrap_or_default()),
            _ => Value::Null,
        };
        args.push(key);
        args.push(Value::Integer(number));
        let (k, n) = (args.len() - 1, args.len());
        conds.push(format!("({col}, i.number) {cmp} (?{k}, ?{n})"));
    }
    let sql = conds.join(" AND ");
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} {FROM} WHERE {sql} ORDER BY {col} {dir}, i.number {dir} LIMIT {limit}"
    ))?
    .query_map(params_from_iter(args), from_row)?
    .collect::<rusqlite::Result<Vec<_>>>()
    .map_err(Into::into)
}

/// How many invoices match, and their summed balance.
pub fn totals(conn: &Connection, f: &Filter) -> Result<(u64, i64)> {
    let (conds, args) = where_clause(f);
    let sql = conds.join(" AND ");
    Ok(conn
        .prepare_cached(&format!(
            "SELECT count(*), coalesce(sum(i.balance_cents), 0) FROM invoices i WHERE {sql}"
        ))?
        .query_row(params_from_iter(args), |r| {
            Ok((u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0), r.get(1)?))
        })?)
}

/// The first `limit` invoices with something owed (None: every
/// company's), oldest due first.
pub fn unpaid(conn: &Connection, company_id: Option<i64>, limit: u32) -> Result<Vec<Invoice>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} {FROM} WHERE (?1 IS NULL OR i.company_id = ?1) AND i.status IN (1, 2)
         ORDER BY i.due_on, i.number LIMIT {limit}"
    ))?
    .query_map([company_id], from_row)?
    .collect::<rusqlite::Result<Vec<_>>>()
    .map_err(Into::into)
}

/// Unpaid invoices (None: every company's): how many, what they owe, and
/// what of that is past due (`today` is YYYY-MM-DD).
pub fn owed(conn: &Connection, company_id: Option<i64>, today: &str) -> Result<(u32, i64, i64)> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*), coalesce(sum(balance_cents), 0),
                coalesce(sum(CASE WHEN due_on < ?2 THEN balance_cents ELSE 0 END), 0)
             FROM invoices WHERE (?1 IS NULL OR company_id = ?1) AND status IN (1, 2)",
        )?
        .query_row(params![company_id, today], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?)
}

/// Whether the invoice is void.
pub fn is_void(i: &Invoice) -> bool {
    i.status == INVOICE_VOID
}

/// Where a company's invoices are e-mailed: its first active Admin with
/// portal access (docs/MONEY.md "Who").
pub fn billing_contact(conn: &Connection, company_id: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT email FROM contacts WHERE company_id = ?1 AND access = 'admin' AND active = 1
             ORDER BY id LIMIT 1",
        )?
        .query_row([company_id], |r| r.get(0))
        .optional()?)
}
