//! What a billing run bills for one company and month (docs/MONEY.md
//! "Billing runs and invoices"), and issuing it. A plan is read only; a run
//! issues every plan in one write, so a run is all or nothing, and the
//! lines' unique key (company, period, source) means nothing is billed twice
//! (a subscription's renewal: once whatever the period, keyed by its date).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use super::audit::{self, AuditEvent};
use super::invoices::{self, NewInvoice};
use super::{Result, agreements, subscriptions};
use crate::domain::AuditAction;
use crate::domain::money::{
    BillingSettings, Draw, Invoice, InvoiceLine, LineKind, Month, NewLine, day_start, hours,
    labour_cents,
};
use crate::domain::subscriptions::{date_key, term_label};

/// A company a run bills: id, name, payment terms in days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Billed {
    pub id: i64,
    pub name: String,
    pub terms_days: i64,
}

impl Billed {
    /// The due day of an invoice issued on `issued`: the company's terms
    /// (0 = on receipt).
    pub fn due_on(&self, issued: NaiveDate) -> NaiveDate {
        issued
            .checked_add_days(chrono::Days::new(
                u64::try_from(self.terms_days).unwrap_or(0),
            ))
            .unwrap_or(issued)
    }
}

/// What one company's run would bill.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub lines: Vec<NewLine>,
    /// Draws the billed time makes on prepaid hours, fixed when issued.
    pub draws: Vec<Draw>,
    /// Time entries the run marks billed.
    pub entry_ids: Vec<i64>,
    /// Subscriptions whose renewals it bills, with their renewals billed
    /// since the anchor once it is issued.
    pub renewals: Vec<(i64, u32)>,
}

/// Active companies (or the one asked for), by id.
pub fn companies(conn: &Connection, company_id: Option<i64>) -> Result<Vec<Billed>> {
    conn.prepare_cached(
        "SELECT id, name, payment_terms_days FROM companies
         WHERE active = 1 AND (?1 IS NULL OR id = ?1) ORDER BY id",
    )?
    .query_map([company_id], |r| {
        Ok(Billed {
            id: r.get(0)?,
            name: r.get(1)?,
            terms_days: r.get(2)?,
        })
    })?
    .collect::<rusqlite::Result<Vec<_>>>()
    .map_err(Into::into)
}

fn line(kind: LineKind, source: (i64, i64), line: InvoiceLine) -> NewLine {
    NewLine {
        kind,
        source_id: source.0,
        source_part: source.1,
        line,
    }
}

/// Next month's recurring charges of the company's agreements.
fn recurring(conn: &Connection, company_id: i64, month: Month) -> Result<Vec<NewLine>> {
    let billed = month.next();
    let period = month.to_string();
    let mut already = conn.prepare_cached(
        "SELECT 1 FROM invoice_lines
         WHERE company_id = ?1 AND period = ?2 AND kind = 1 AND source_id = ?3",
    )?;
    let mut out = Vec::new();
    let today = month.first_day();
    for a in agreements::list(conn, Some(company_id), true, today)? {
        if a.monthly_amount_cents == 0 || !a.runs_in(billed) {
            continue;
        }
        if already
            .query_row(params![company_id, period, a.id], |_| Ok(()))
            .optional()?
            .is_some()
        {
            continue;
        }
        out.push(line(
            LineKind::Recurring,
            (a.id, 0),
            InvoiceLine {
                id: 0,
                kind: LineKind::Recurring as i32,
                description: format!("{} — {}", a.title, billed.label()),
                quantity: 1,
                unit_price_cents: a.monthly_amount_cents,
                amount_cents: a.monthly_amount_cents,
                agreement_id: Some(a.id),
                agreement_title: a.title.clone(),
                ticket_id: None,
                estimate_id: None,
            },
        ));
    }
    Ok(out)
}

/// The company's subscription renewals due by the month's last day and not
/// yet billed: one PRODUCT line each, keyed by the renewal date.
fn renewals(conn: &Connection, company_id: i64, month: Month, plan: &mut Plan) -> Result<()> {
    for sub in subscriptions::list(conn, Some(company_id), false)? {
        let due = sub.due_through(month.last_day());
        if due.is_empty() {
            continue;
        }
        for d in &due {
            plan.lines.push(line(
                LineKind::Product,
                (sub.id, date_key(*d)),
                InvoiceLine {
                    id: 0,
                    kind: LineKind::Product as i32,
                    description: format!(
                        "{} — {} renewal on {}",
                        sub.name,
                        term_label(sub.term_months),
                        d.format("%Y-%m-%d")
                    ),
                    quantity: sub.quantity,
                    unit_price_cents: sub.unit_price_cents,
                    amount_cents: sub.term_cents(),
                    agreement_id: None,
                    agreement_title: String::new(),
                    ticket_id: None,
                    estimate_id: None,
                },
            ));
        }
        let count = u32::try_from(due.len()).unwrap_or(u32::MAX);
        plan.renewals
            .push((sub.id, sub.renewals_billed.saturating_add(count)));
    }
    Ok(())
}

/// A ticket whose time a run bills: completed (or closed) before `end`.
fn done_ticket(conn: &Connection, id: i64, end: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT title FROM tickets WHERE id = ?1 AND status IN (5, 6)
               AND coalesce(completed_at, closed_at, updated_at) < ?2",
        )?
        .query_row(params![id, end], |r| r.get(0))
        .optional()?)
}

/// Labour of the company's tickets completed before `end`: per ticket, a
/// line per agreement it drew on, and the rest as non-contract labour.
fn labour(
    conn: &Connection,
    company_id: i64,
    end: i64,
    s: &BillingSettings,
    plan: &mut Plan,
) -> Result<()> {
    let (draws, work) = agreements::company_draws(conn, company_id, s.zone)?;
    // Per ticket: its entries' minutes, in ticket order.
    let mut tickets: BTreeMap<i64, Vec<(i64, i64)>> = BTreeMap::new();
    for (w, _) in &work {
        tickets
            .entry(w.ticket_id)
            .or_default()
            .push((w.entry_id, w.minutes));
    }
    let of_entry: HashMap<i64, Vec<Draw>> = draws.iter().fold(HashMap::new(), |mut m, d| {
        m.entry(d.draw.entry_id)
            .or_insert_with(Vec::new)
            .push(d.draw);
        m
    });
    let titles: HashMap<i64, String> =
        agreements::list(conn, Some(company_id), true, NaiveDate::MIN)?
            .into_iter()
            .map(|a| (a.id, a.title))
            .collect();
    for (ticket, entries) in tickets {
        let Some(title) = done_ticket(conn, ticket, end)? else {
            continue;
        };
        let mut per_agreement: BTreeMap<i64, i64> = BTreeMap::new();
        let mut rest = 0;
        for (entry, minutes) in entries {
            let mut left = minutes;
            for d in of_entry.get(&entry).into_iter().flatten() {
                *per_agreement.entry(d.agreement_id).or_default() += d.minutes;
                left -= d.minutes;
                plan.draws.push(*d);
            }
            rest += left;
            plan.entry_ids.push(entry);
        }
        for (agreement, minutes) in per_agreement {
            let name = titles.get(&agreement).map_or("", String::as_str);
            plan.lines.push(line(
                LineKind::Labour,
                (ticket, agreement),
                InvoiceLine {
                    id: 0,
                    kind: LineKind::Labour as i32,
                    description: format!("#{ticket} {title} — {} h from {name}", hours(minutes)),
                    quantity: minutes,
                    unit_price_cents: 0,
                    amount_cents: 0,
                    agreement_id: Some(agreement),
                    agreement_title: name.to_owned(),
                    ticket_id: Some(ticket),
                    estimate_id: None,
                },
            ));
        }
        if rest > 0 {
            plan.lines.push(line(
                LineKind::Labour,
                (ticket, 0),
                InvoiceLine {
                    id: 0,
                    kind: LineKind::Labour as i32,
                    description: format!("#{ticket} {title} — {} h labour", hours(rest)),
                    quantity: rest,
                    unit_price_cents: s.labour_rate_cents,
                    amount_cents: labour_cents(rest, s.labour_rate_cents),
                    agreement_id: None,
                    agreement_title: String::new(),
                    ticket_id: Some(ticket),
                    estimate_id: None,
                },
            ));
        }
    }
    Ok(())
}

/// Approved estimates of tickets completed before `end`, not billed yet.
fn projects(conn: &Connection, company_id: i64, end: i64) -> Result<Vec<NewLine>> {
    conn.prepare_cached(
        "SELECT e.id, e.ticket_id, t.title, e.description, e.amount_cents
         FROM estimates e JOIN tickets t ON t.id = e.ticket_id
         WHERE e.company_id = ?1 AND e.state = 'approved' AND t.status IN (5, 6)
           AND coalesce(t.completed_at, t.closed_at, t.updated_at) < ?2
           AND NOT EXISTS (SELECT 1 FROM invoice_lines l WHERE l.estimate_id = e.id)
         ORDER BY e.id",
    )?
    .query_map(params![company_id, end], |r| {
        let (id, ticket, title, what, amount): (i64, i64, String, String, i64) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
        Ok(line(
            LineKind::Project,
            (id, 0),
            InvoiceLine {
                id: 0,
                kind: LineKind::Project as i32,
                description: format!("#{ticket} {title} — estimate: {what}"),
                quantity: 1,
                unit_price_cents: amount,
                amount_cents: amount,
                agreement_id: None,
                agreement_title: String::new(),
                ticket_id: Some(ticket),
                estimate_id: Some(id),
            },
        ))
    })?
    .collect::<rusqlite::Result<Vec<_>>>()
    .map_err(Into::into)
}

/// What a run for `month` would bill the company; writes nothing.
pub fn plan(conn: &Connection, company_id: i64, month: Month, s: &BillingSettings) -> Result<Plan> {
    let end = day_start(s.zone, month.next().first_day());
    let mut plan = Plan {
        lines: recurring(conn, company_id, month)?,
        ..Plan::default()
    };
    labour(conn, company_id, end, s, &mut plan)?;
    plan.lines.extend(projects(conn, company_id, end)?);
    renewals(conn, company_id, month, &mut plan)?;
    Ok(plan)
}

/// Issues a plan as one invoice (None when it bills nothing), fixes its
/// draws and marks its time billed.
pub fn issue(
    conn: &Connection,
    company: &Billed,
    month: Month,
    plan: &Plan,
    (today, tax_rate_basis_points): (NaiveDate, u32),
    now: i64,
) -> Result<Option<Invoice>> {
    if plan.lines.is_empty() {
        return Ok(None);
    }
    let due = company.due_on(today);
    let invoice = invoices::issue(
        conn,
        &NewInvoice {
            company_id: company.id,
            period: &month.to_string(),
            issued_on: &today.format("%Y-%m-%d").to_string(),
            due_on: &due.format("%Y-%m-%d").to_string(),
            tax_rate_basis_points,
            lines: &plan.lines,
        },
        now,
    )?;
    agreements::record_draws(conn, &plan.draws)?;
    let mut billed = conn.prepare_cached(
        "UPDATE time_entries SET billed_at = ?2 WHERE id = ?1 AND billed_at IS NULL",
    )?;
    for id in &plan.entry_ids {
        billed.execute(params![id, now])?;
    }
    for (id, count) in &plan.renewals {
        subscriptions::mark_billed(conn, *id, *count)?;
    }
    Ok(Some(invoice))
}

/// What a run (or its preview) answers: one invoice per company it bills.
pub type Billing = Vec<(Invoice, Vec<InvoiceLine>)>;

/// Who runs billing, for the audit log, and when.
#[derive(Debug, Clone, Copy)]
pub struct RunBy<'a> {
    pub actor: &'a str,
    pub now: i64,
    /// The issue day of its invoices (today in the provider's zone).
    pub today: NaiveDate,
}

/// Bills `month` for every active company (or one): in one write, so all
/// of it or none of it is stored; `preview` writes nothing and answers the
/// invoices (numbered 0) a run would issue.
pub fn run(
    conn: &Connection,
    month: Month,
    company_id: Option<i64>,
    preview: bool,
    by: RunBy<'_>,
) -> Result<Billing> {
    let s = super::billing_settings::get(conn)?;
    let mut out = Vec::new();
    for company in companies(conn, company_id)? {
        let plan = plan(conn, company.id, month, &s)?;
        if plan.lines.is_empty() {
            continue;
        }
        if preview {
            out.push(planned(
                &company,
                month,
                &plan,
                by.today,
                s.tax_rate_basis_points,
            ));
            continue;
        }
        let Some(invoice) = issue(
            conn,
            &company,
            month,
            &plan,
            (by.today, s.tax_rate_basis_points),
            by.now,
        )?
        else {
            continue;
        };
        audit::record(
            conn,
            by.now,
            &AuditEvent {
                actor: by.actor.to_owned(),
                action: AuditAction::InvoiceIssued,
                subject: format!("invoice {}", invoice.number),
                company_id: Some(company.id),
                detail: format!("{month}: {} cents", invoice.total_cents),
            },
        )?;
        let lines = invoices::lines(conn, invoice.id)?;
        out.push((invoice, lines));
    }
    if !preview {
        let total: i64 = out.iter().map(|(i, _)| i.total_cents).sum();
        audit::record(
            conn,
            by.now,
            &AuditEvent {
                actor: by.actor.to_owned(),
                action: AuditAction::BillingRun,
                subject: month.to_string(),
                company_id,
                detail: format!("{} invoices, {total} cents", out.len()),
            },
        )?;
    }
    Ok(out)
}

/// The invoice a plan would issue, unnumbered.
fn planned(
    company: &Billed,
    month: Month,
    plan: &Plan,
    today: NaiveDate,
    tax_rate: u32,
) -> (Invoice, Vec<InvoiceLine>) {
    let subtotal: i64 = plan.lines.iter().map(|l| l.line.amount_cents).sum();
    let tax = crate::domain::money::tax_cents(subtotal, tax_rate);
    let due = company.due_on(today);
    let invoice = Invoice {
        id: 0,
        number: 0,
        company_id: company.id,
        company_name: company.name.clone(),
        period: month.to_string(),
        issued_on: today.format("%Y-%m-%d").to_string(),
        due_on: due.format("%Y-%m-%d").to_string(),
        subtotal_cents: subtotal,
        tax_rate_basis_points: tax_rate,
        tax_cents: tax,
        total_cents: subtotal + tax,
        paid_cents: 0,
        pending_cents: 0,
        balance_cents: subtotal + tax,
        status: 1,
        void_reason: String::new(),
    };
    (invoice, plan.lines.iter().map(|l| l.line.clone()).collect())
}
