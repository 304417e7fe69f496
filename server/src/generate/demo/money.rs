//! The demo's money: agreements for every company (Harbor Dental Group's
//! labour block nearly used up), billable time on their tickets, four
//! months of billing runs made by the real billing code, and payments that
//! leave invoices in every status, one payment still pending; and the
//! companies' subscriptions.

use chrono::{Datelike as _, Days, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;
use rusqlite::{Connection, params};

use super::clock::{DAY, HOUR, MINUTE};
use super::people::People;
use crate::domain::money::{AgreementInput, Month, PaymentState, day_start, zone_day};
use crate::domain::subscriptions::SubscriptionInput;
use crate::domain::work::TimeInput;
use crate::store::billing_run::{self, RunBy};
use crate::store::payments::{self, NewPayment};
use crate::store::time_entries::{self, Owner};
use crate::store::{Result, agreements, billing_settings, invoices, subscriptions};

/// Months of billing runs the demo has made.
const RUNS: u32 = 5;
/// The provider Admin who runs billing and records payments.
const ADMIN: &str = "paula@keystone.example";

pub fn insert(conn: &Connection, people: &People, rng: &mut StdRng, now: i64) -> Result<()> {
    let zone = billing_settings::get(conn)?.zone;
    let today = zone_day(zone, now);
    let types: Vec<i64> = conn
        .prepare("SELECT id FROM work_types ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let months_ago = |n: u32| {
        today
            .checked_sub_months(chrono::Months::new(n))
            .and_then(|d| d.with_day0(0))
            .unwrap_or(today)
    };
    for (i, c) in people.companies.iter().enumerate() {
        let harbor = i == 0;
        let monthly = [240_000, 180_000, 95_000, 150_000][i % 4];
        agreements::create(
            conn,
            &AgreementInput {
                company_id: c.id,
                title: "Managed services".into(),
                kind: 1,
                start_date: months_ago(14),
                // A year's term, over two months ago: it runs on, renewed.
                end_date: months_ago(2).pred_opt(),
                monthly_amount_cents: monthly,
                prepaid_minutes: 200 * 60,
                work_type_ids: types.iter().take(2).copied().collect(),
                renews: true,
            },
            now - 420 * DAY,
        )?;
        if harbor || i == 2 {
            agreements::create(
                conn,
                &AgreementInput {
                    company_id: c.id,
                    title: "Pre-purchased labour block".into(),
                    kind: 4,
                    start_date: months_ago(5),
                    end_date: Some(months_ago(5).with_year(today.year() + 1).unwrap_or(today)),
                    monthly_amount_cents: 0,
                    prepaid_minutes: if harbor { 70 * 60 } else { 100 * 60 },
                    work_type_ids: types.clone(),
                    renews: false,
                },
                now - 150 * DAY,
            )?;
        }
        if i == 1 {
            agreements::create(
                conn,
                &AgreementInput {
                    company_id: c.id,
                    title: "Hosted e-mail".into(),
                    kind: 3,
                    start_date: months_ago(10),
                    end_date: None,
                    monthly_amount_cents: 12_500,
                    prepaid_minutes: 0,
                    work_type_ids: Vec::new(),
                    renews: true,
                },
                now - 300 * DAY,
            )?;
        }
    }
    time(conn, people, &types, rng, (now - 200 * DAY, now))?;
    let mut first = Month::of(today);
    for _ in 0..RUNS {
        first = first.prev();
    }
    runs(conn, first, RUNS, ADMIN, now)?;
    pay(conn, people.companies.first().map_or(0, |c| c.id), now)?;
    subscriptions(conn, people, today, now)
}

/// Licences and services for every company, recorded after the runs so the
/// invoices above stay as they are: Harbor's Microsoft 365 renews within
/// 90 days (Home says so) and is billed by the run.
fn subscriptions(conn: &Connection, people: &People, today: NaiveDate, now: i64) -> Result<()> {
    let on = |days: u64| today.checked_add_days(Days::new(days)).unwrap_or(today);
    for (i, c) in people.companies.iter().enumerate() {
        let harbor = i == 0;
        let add = |name: &str, kind: i32, quantity: i64, term_months: u32, renews_on, unit, run| {
            subscriptions::create(
                conn,
                &SubscriptionInput {
                    company_id: c.id,
                    name: name.into(),
                    kind,
                    quantity,
                    term_months,
                    renews_on,
                    unit_price_cents: unit,
                    billed_by_run: run,
                },
                now - 200 * DAY,
            )
            .map(drop)
        };
        let seats = [24, 12, 8, 15][i % 4];
        let m365 = if harbor {
            on(45)
        } else {
            on(120 + 30 * i as u64)
        };
        add(
            "Microsoft 365 Business Standard",
            1,
            seats,
            12,
            m365,
            15_000,
            true,
        )?;
        add(
            "Endpoint protection",
            1,
            seats + 4,
            1,
            on(10 + i as u64),
            450,
            true,
        )?;
        if harbor || i == 2 {
            add("Cloud backup, 1 TB", 2, 1, 36, on(400), 108_000, false)?;
        }
    }
    Ok(())
}

/// A ticket time is logged on: id, company, assignee, created, completed.
type Worked = (i64, i64, Option<i64>, i64, Option<i64>);

/// One to three billable entries (and now and then a no-charge one) on each
/// ticket worked since `since`, ending before it was completed.
fn time(
    conn: &Connection,
    people: &People,
    types: &[i64],
    rng: &mut StdRng,
    (since, now): (i64, i64),
) -> Result<()> {
    let tickets: Vec<Worked> = conn
        .prepare(
            "SELECT id, company_id, assigned_staff_id, created_at, completed_at FROM tickets
             WHERE created_at >= ?1 AND status IN (2, 3, 4, 5, 6) ORDER BY id",
        )?
        .query_map([since], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let techs: Vec<_> = people.staff.iter().filter(|s| s.role != "admin").collect();
    for (ticket, company, assigned, created, completed) in tickets {
        let Some(fallback) = techs.get(rng.gen_range(0..techs.len().max(1))) else {
            continue;
        };
        let staff = assigned
            .and_then(|id| people.staff.iter().find(|s| s.id == id))
            .unwrap_or(fallback);
        let end = completed.unwrap_or(created + 2 * DAY).max(created + HOUR);
        for n in 0..rng.gen_range(1..=3) {
            let minutes = 15 * rng.gen_range(2..=12);
            let ended_at = (created + (end - created) * (n + 1) / 4 + 13 * MINUTE).min(now - HOUR);
            let input = TimeInput {
                work_type_id: types[rng.gen_range(0..types.len().min(3))],
                started_at: Some(ended_at - minutes * MINUTE),
                ended_at,
                minutes,
                billable: rng.gen_range(0..10) > 0,
                note: "Worked on the ticket.".into(),
                note_public: true,
            };
            let owner = Owner {
                ticket_id: ticket,
                company_id: company,
                staff_id: staff.id,
                staff_name: &staff.name,
            };
            time_entries::add(conn, owner, &input, ended_at)?;
        }
    }
    Ok(())
}

/// `count` monthly billing runs from `first` on, each made by `actor` at 9:00
/// on the 1st of the next month (or `now`, if that is earlier).
pub(crate) fn runs(
    conn: &Connection,
    first: Month,
    count: u32,
    actor: &str,
    now: i64,
) -> Result<()> {
    let zone = billing_settings::get(conn)?.zone;
    let mut month = first;
    for _ in 0..count {
        let issued = month.next().first_day();
        let at = (day_start(zone, issued) + 9 * HOUR).min(now);
        let by = RunBy {
            actor,
            now: at,
            today: issued,
        };
        billing_run::run(conn, month, None, false, by)?;
        month = month.next();
    }
    Ok(())
}

/// Pays the invoices: older ones in full; Harbor's of three runs ago in
/// part, of two runs ago with a payment pending, of the last run not at
/// all; the others' of the last two runs not at all; one early invoice of
/// another company is void.
fn pay(conn: &Connection, harbor: i64, now: i64) -> Result<()> {
    let all: Vec<(i64, i64, i64, i64, String)> = conn
        .prepare(
            "SELECT id, number, company_id, total_cents, period FROM invoices ORDER BY number",
        )?
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let periods: Vec<&String> = {
        let mut p: Vec<&String> = all.iter().map(|i| &i.4).collect();
        p.dedup();
        p
    };
    let recent: Vec<&String> = periods.iter().rev().take(3).copied().collect();
    let [last, before, third] = recent[..] else {
        return Ok(());
    };
    let mut voided = false;
    for (id, number, company, total, period) in &all {
        let record = |amount: i64, state: PaymentState, by: &str, key: String| {
            payments::record(
                conn,
                &NewPayment {
                    invoice_id: *id,
                    company_id: *company,
                    amount_cents: amount,
                    method: if state == PaymentState::Pending { 3 } else { 1 },
                    reference: &format!("{}", 4100 + number),
                    idempotency_key: &key,
                    state,
                    by,
                },
                now - 3 * DAY,
            )
            .map(drop)
        };
        if *total == 0 {
            continue;
        }
        let key = format!("demo-pay-{number}");
        if period == last || (period == before && *company != harbor) {
            continue;
        }
        if !voided && *company != harbor {
            let reason = "Billed at the wrong rate; replaced by a credit note";
            invoices::void(conn, *id, ADMIN, reason, now - 20 * DAY)?;
            voided = true;
        } else if period == before {
            record(
                total / 2,
                PaymentState::Pending,
                "alice@harbor.example",
                key,
            )?;
        } else if period == third && *company == harbor {
            record(total / 3, PaymentState::Confirmed, ADMIN, key)?;
        } else {
            record(*total, PaymentState::Confirmed, ADMIN, key)?;
        }
    }
    conn.execute(
        "UPDATE payments SET submitted_at = ?1 WHERE state = ?2",
        params![now - 2 * HOUR, PaymentState::Pending as i32],
    )?;
    Ok(())
}
