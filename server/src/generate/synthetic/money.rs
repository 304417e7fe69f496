//! The money of a synthetic store (docs/MONEY.md), at the scale of its
//! tickets, so billing, invoices and payments can be measured
//! (docs/BENCHMARKS.md):
//! - every company has a managed-services agreement, its monthly amount and
//!   prepaid hours in proportion to its expected tickets (the prepaid hours
//!   cover about half of its time for six months, so most companies also
//!   pay non-contract labour), and every fifth also a pre-purchased block
//!   of labour hours;
//! - the staff logged time on every ticket worked in the last `MONTHS`
//!   months: one to three entries of 30 minutes to 3 hours, one in ten
//!   no-charge;
//! - the billing runs of those months were made by the real billing code on
//!   the 1st of each next month, except for the last whole month, left for
//!   the benchmark to bill;
//! - clients paid most older invoices, fewer of the newest; a few payments
//!   wait for confirmation and a few invoices are void.

use std::collections::HashMap;

use chrono::NaiveDate;
use rand::Rng;
use rusqlite::{Connection, params};

use super::{DAY, MINUTE, SIZE_EXPONENT, State};
use crate::domain::money::{AgreementInput, Month, PaymentState, day_start, zone_day};
use crate::domain::work::TimeInput;
use crate::generate::demo::money::runs;
use crate::store::payments::{self, NewPayment};
use crate::store::time_entries::{self, Owner};
use crate::store::{self, agreements, billing_settings, invoices};

/// Months of logged time; all but the last whole one are billed.
const MONTHS: u32 = 7;
/// The provider Admin who runs billing and records payments.
const ADMIN: &str = "bench-admin@provider.example";
const HOUR: i64 = 60 * MINUTE;

/// What was made, for gen's progress line.
#[derive(Debug, Default)]
pub struct Made {
    pub agreements: usize,
    pub time_entries: usize,
    pub invoices: usize,
    pub payments: usize,
}

pub fn insert(conn: &Connection, s: &mut State) -> store::Result<Made> {
    let zone = billing_settings::get(conn)?.zone;
    let today = zone_day(zone, s.now);
    let mut first = Month::of(today);
    for _ in 0..MONTHS {
        first = first.prev();
    }
    let mut made = Made {
        agreements: agreements_of_companies(conn, s, first, today)?,
        ..Made::default()
    };
    made.time_entries = time(conn, s, day_start(zone, first.first_day()))?;
    runs(conn, first, MONTHS - 1, ADMIN, s.now)?;
    (made.invoices, made.payments) = pay(conn, s)?;
    Ok(made)
}

/// The company's expected tickets a month, from its weight.
fn tickets_a_month(s: &State, rank: usize) -> f64 {
    let weights: f64 = s.company_weights.last().copied().unwrap_or(1.0);
    let share = (rank as f64 + 1.0).powf(-SIZE_EXPONENT) / weights;
    let months = s.span as f64 / (30.4 * DAY as f64);
    share * s.total as f64 / months.max(1.0)
}

fn agreements_of_companies(
    conn: &Connection,
    s: &State,
    first: Month,
    today: NaiveDate,
) -> store::Result<usize> {
    let types: Vec<i64> = conn
        .prepare("SELECT id FROM work_types ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    // Not before the store's history begins.
    let store_began = Month::of(zone_day(billing_settings::get(conn)?.zone, s.start));
    let start = first.first_day().max(store_began.first_day());
    let mut made = 0;
    for (rank, company) in s.companies.iter().enumerate() {
        let monthly = tickets_a_month(s, rank);
        // About an hour a ticket for six months, in whole hours.
        let prepaid_hours = (monthly * 6.0).round().max(10.0) as i64;
        agreements::create(
            conn,
            &AgreementInput {
                company_id: company.id,
                title: "Managed services".into(),
                kind: 1,
                start_date: start,
                end_date: None,
                monthly_amount_cents: 25_000 + (monthly * 25.0).round() as i64 * 100,
                prepaid_minutes: prepaid_hours * 60,
                work_type_ids: types.iter().take(2).copied().collect(),
                renews: true,
            },
            s.start,
        )?;
        made += 1;
        if rank % 5 == 2 {
            agreements::create(
                conn,
                &AgreementInput {
                    company_id: company.id,
                    title: "Pre-purchased labour block".into(),
                    kind: 4,
                    start_date: start,
                    end_date: today.checked_add_months(chrono::Months::new(12)),
                    monthly_amount_cents: 0,
                    prepaid_minutes: (prepaid_hours / 3).max(5) * 60,
                    work_type_ids: types.clone(),
                    renews: false,
                },
                s.start,
            )?;
            made += 1;
        }
    }
    Ok(made)
}

/// A ticket time is logged on: id, company, assignee, created, completed.
type Worked = (i64, i64, i64, i64, Option<i64>);

/// One to three entries on each ticket worked (In Progress to Closed)
/// created since `since`, ending before it was completed.
fn time(conn: &Connection, s: &mut State, since: i64) -> store::Result<usize> {
    let types: Vec<i64> = conn
        .prepare("SELECT id FROM work_types WHERE active = 1 ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let names: HashMap<i64, &str> = s.techs.iter().map(|(id, n)| (*id, n.as_str())).collect();
    let latest = s.now - HOUR;
    let tickets: Vec<Worked> = conn
        .prepare(
            "SELECT id, company_id, assigned_staff_id, created_at, completed_at FROM tickets
             WHERE created_at >= ?1 AND created_at < ?2 AND status BETWEEN 2 AND 6
               AND assigned_staff_id IS NOT NULL
             ORDER BY id",
        )?
        .query_map([since, latest - HOUR], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let rng = &mut s.rng;
    let mut made = 0;
    for (ticket, company, staff, created, completed) in tickets {
        let Some(&staff_name) = names.get(&staff) else {
            continue;
        };
        let end = completed.unwrap_or(latest).max(created + HOUR);
        for n in 0..rng.gen_range(1..=3) {
            let minutes = 15 * rng.gen_range(2..=12);
            let ended_at = (created + (end - created) * (n + 1) / 4 + 13 * MINUTE).min(latest);
            let input = TimeInput {
                work_type_id: types[rng.gen_range(0..types.len().min(3))],
                started_at: Some(ended_at - minutes * MINUTE),
                ended_at,
                minutes,
                billable: rng.gen_range(0..10) > 0,
                note: "Worked on the ticket.".into(),
                note_public: rng.gen_bool(0.5),
            };
            let owner = Owner {
                ticket_id: ticket,
                company_id: company,
                staff_id: staff,
                staff_name,
            };
            time_entries::add(conn, owner, &input, ended_at)?;
            made += 1;
        }
    }
    Ok(made)
}

/// Payments on the invoices of the runs: of the newest run 40 % paid and
/// 5 % waiting for confirmation; of the one before 85 % paid and 5 % half
/// paid; of older ones 97 % paid, 1 % half paid, 0.5 % void.
fn pay(conn: &Connection, s: &mut State) -> store::Result<(usize, usize)> {
    let all: Vec<(i64, i64, i64, i64, String, String)> = conn
        .prepare(
            "SELECT id, number, company_id, total_cents, period, issued_on FROM invoices
             ORDER BY number",
        )?
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let newest = all.iter().map(|i| i.4.clone()).max().unwrap_or_default();
    let before = all
        .iter()
        .map(|i| i.4.clone())
        .filter(|p| *p < newest)
        .max()
        .unwrap_or_default();
    let zone = billing_settings::get(conn)?.zone;
    let rng = &mut s.rng;
    let mut made = 0;
    for (id, number, company, total, period, issued_on) in &all {
        if *total == 0 {
            continue;
        }
        let issued =
            NaiveDate::parse_from_str(issued_on, "%Y-%m-%d").map_or(s.now, |d| day_start(zone, d));
        let at = (issued + rng.gen_range(1..28) * DAY + rng.gen_range(8..17) * HOUR).min(s.now);
        let r: f64 = rng.r#gen();
        let (state, amount) = if *period == newest {
            match r {
                r if r < 0.40 => (PaymentState::Confirmed, *total),
                r if r < 0.45 => (PaymentState::Pending, *total),
                _ => continue,
            }
        } else if *period == before {
            match r {
                r if r < 0.85 => (PaymentState::Confirmed, *total),
                r if r < 0.90 => (PaymentState::Confirmed, total / 2),
                _ => continue,
            }
        } else {
            match r {
                r if r < 0.97 => (PaymentState::Confirmed, *total),
                r if r < 0.98 => (PaymentState::Confirmed, total / 2),
                r if r < 0.985 => {
                    let reason = "Billed at the wrong rate; replaced by a credit note";
                    invoices::void(conn, *id, ADMIN, reason, at)?;
                    continue;
                }
                _ => continue,
            }
        };
        let pending = state == PaymentState::Pending;
        let client_admin: String = if pending {
            conn.query_row(
                "SELECT email FROM contacts WHERE company_id = ?1 AND access = 'admin'
                 ORDER BY id LIMIT 1",
                params![company],
                |r| r.get(0),
            )?
        } else {
            ADMIN.to_owned()
        };
        payments::record(
            conn,
            &NewPayment {
                invoice_id: *id,
                company_id: *company,
                amount_cents: amount,
                method: if pending {
                    3
                } else {
                    [1, 2, 2][rng.gen_range(0..3)]
                },
                reference: &format!("REF-{number}"),
                idempotency_key: &format!("gen-pay-{number}"),
                state,
                by: &client_admin,
            },
            at,
        )?;
        made += 1;
    }
    Ok((all.len(), made))
}
