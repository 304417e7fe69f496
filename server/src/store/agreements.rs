//! Agreements and the prepaid minutes billable time draws from them
//! (docs/MONEY.md "Agreements" and "Labour").

use std::collections::HashMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Result, StoreError};
use crate::domain::money::{Agreement, AgreementInput, Block, Draw, Month, Work, draw, zone_day};

const SELECT: &str = "SELECT a.id, a.company_id, c.name, a.title, a.kind, a.start_date,
        a.end_date, a.monthly_amount_cents, a.prepaid_minutes, a.renews
    FROM agreements a JOIN companies c ON c.id = a.company_id";

fn date(r: &Row<'_>, i: usize) -> rusqlite::Result<NaiveDate> {
    let s: String = r.get(i)?;
    NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Agreement> {
    Ok(Agreement {
        id: r.get(0)?,
        company_id: r.get(1)?,
        company_name: r.get(2)?,
        title: r.get(3)?,
        kind: r.get(4)?,
        start_date: date(r, 5)?,
        end_date: match r.get_ref(6)? {
            rusqlite::types::ValueRef::Null => None,
            _ => Some(date(r, 6)?),
        },
        monthly_amount_cents: r.get(7)?,
        prepaid_minutes: r.get(8)?,
        renews: r.get(9)?,
        work_types: Vec::new(),
    })
}

fn with_work_types(conn: &Connection, mut a: Agreement) -> Result<Agreement> {
    a.work_types = conn
        .prepare_cached(
            "SELECT w.id, w.name FROM agreement_work_types aw
             JOIN work_types w ON w.id = aw.work_type_id
             WHERE aw.agreement_id = ?1 ORDER BY w.name, w.id",
        )?
        .query_map([a.id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(a)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Agreement>> {
    let a = conn
        .prepare_cached(&format!("{SELECT} WHERE a.id = ?1"))?
        .query_row([id], from_row)
        .optional()?;
    a.map(|a| with_work_types(conn, a)).transpose()
}

/// A company's agreements (None: every company's), by company and start;
/// without those that ended before `today` unless `include_ended` (one that
/// renews has not ended).
pub fn list(
    conn: &Connection,
    company_id: Option<i64>,
    include_ended: bool,
    today: NaiveDate,
) -> Result<Vec<Agreement>> {
    let today = today.format("%Y-%m-%d").to_string();
    let rows = conn
        .prepare_cached(&format!(
            "{SELECT} WHERE (?1 IS NULL OR a.company_id = ?1)
               AND (?2 OR a.renews OR a.end_date IS NULL OR a.end_date >= ?3)
             ORDER BY c.name, a.company_id, a.start_date, a.id"
        ))?
        .query_map(params![company_id, include_ended, today], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(|a| with_work_types(conn, a)).collect()
}

fn check_refs(conn: &Connection, a: &AgreementInput) -> Result<()> {
    let company: Option<i64> = conn
        .prepare_cached("SELECT id FROM companies WHERE id = ?1")?
        .query_row([a.company_id], |r| r.get(0))
        .optional()?;
    if company.is_none() {
        return Err(StoreError::invalid("company_id", "no such company"));
    }
    for id in &a.work_type_ids {
        let found: Option<i64> = conn
            .prepare_cached("SELECT id FROM work_types WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        if found.is_none() {
            return Err(StoreError::invalid(
                "work_type_ids",
                format!("no such work type: {id}"),
            ));
        }
    }
    Ok(())
}

fn set_work_types(conn: &Connection, id: i64, ids: &[i64]) -> Result<()> {
    conn.prepare_cached("DELETE FROM agreement_work_types WHERE agreement_id = ?1")?
        .execute([id])?;
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO agreement_work_types (agreement_id, work_type_id) VALUES (?1, ?2)",
    )?;
    for w in ids {
        insert.execute([id, *w])?;
    }
    Ok(())
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub fn create(conn: &Connection, a: &AgreementInput, now: i64) -> Result<Agreement> {
    check_refs(conn, a)?;
    conn.prepare_cached(
        "INSERT INTO agreements (company_id, title, kind, start_date, end_date,
            monthly_amount_cents, prepaid_minutes, renews, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
    )?
    .execute(params![
        a.company_id,
        a.title,
        a.kind,
        day(a.start_date),
        a.end_date.map(day),
        a.monthly_amount_cents,
        a.prepaid_minutes,
        a.renews,
        now
    ])?;
    let id = conn.last_insert_rowid();
    set_work_types(conn, id, &a.work_type_ids)?;
    get(conn, id)?.ok_or(StoreError::NotFound)
}

/// Changes an agreement; its company never changes (bills and drawn time
/// hang off it).
pub fn update(conn: &Connection, id: i64, a: &AgreementInput, now: i64) -> Result<Agreement> {
    check_refs(conn, a)?;
    let drawn = drawn_minutes(conn, id)?;
    if a.prepaid_minutes < drawn {
        return Err(StoreError::invalid(
            "prepaid_minutes",
            format!("{drawn} minutes were billed against it already; at least that many"),
        ));
    }
    let changed = conn
        .prepare_cached(
            "UPDATE agreements SET title = ?2, kind = ?3, start_date = ?4, end_date = ?5,
                monthly_amount_cents = ?6, prepaid_minutes = ?7, renews = ?8, updated_at = ?9
             WHERE id = ?1 AND company_id = ?10",
        )?
        .execute(params![
            id,
            a.title,
            a.kind,
            day(a.start_date),
            a.end_date.map(day),
            a.monthly_amount_cents,
            a.prepaid_minutes,
            a.renews,
            now,
            a.company_id
        ])?;
    if changed == 0 {
        return Err(StoreError::invalid(
            "company_id",
            "an agreement's company cannot change",
        ));
    }
    set_work_types(conn, id, &a.work_type_ids)?;
    get(conn, id)?.ok_or(StoreError::NotFound)
}

fn drawn_minutes(conn: &Connection, agreement_id: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT coalesce(sum(minutes), 0) FROM time_draws WHERE agreement_id = ?1")?
        .query_row([agreement_id], |r| r.get(0))?)
}

/// A draw with when its time entry ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimedDraw {
    pub draw: Draw,
    pub ended_at: i64,
}

/// The minutes drawn from one agreement in each provider-zone month.
pub fn used_by_month(draws: &[TimedDraw], agreement_id: i64, zone: Tz) -> HashMap<Month, i64> {
    let mut by_month = HashMap::new();
    for d in draws.iter().filter(|d| d.draw.agreement_id == agreement_id) {
        *by_month
            .entry(Month::of(zone_day(zone, d.ended_at)))
            .or_default() += d.draw.minutes;
    }
    by_month
}

/// A company's draws, and its unbilled work with when each entry ended.
pub type CompanyDraws = (Vec<TimedDraw>, Vec<(Work, i64)>);

/// Every draw on a company's agreements: those billing fixed, then its
/// unbilled billable time drawn on what is left, in the order it ended.
/// Also answers the unbilled work, for billing.
pub fn company_draws(conn: &Connection, company_id: i64, zone: Tz) -> Result<CompanyDraws> {
    let mut blocks = conn
        .prepare_cached(
            // A renewing agreement's hours run on past its end date
            // (`Agreement::runs_until`).
            "SELECT a.id, a.start_date, CASE WHEN a.renews THEN NULL ELSE a.end_date END,
                a.prepaid_minutes - coalesce((SELECT sum(d.minutes) FROM time_draws d
                                              WHERE d.agreement_id = a.id), 0)
             FROM agreements a WHERE a.company_id = ?1 AND a.prepaid_minutes > 0
             ORDER BY a.start_date, a.id",
        )?
        .query_map([company_id], |r| {
            Ok(Block {
                agreement_id: r.get(0)?,
                start_date: date(r, 1)?,
                end_date: match r.get_ref(2)? {
                    rusqlite::types::ValueRef::Null => None,
                    _ => Some(date(r, 2)?),
                },
                work_type_ids: Vec::new(),
                left: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for b in &mut blocks {
        b.work_type_ids = conn
            .prepare_cached(
                "SELECT work_type_id FROM agreement_work_types WHERE agreement_id = ?1",
            )?
            .query_map([b.agreement_id], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
    }
    let mut draws = conn
        .prepare_cached(
            "SELECT d.time_entry_id, d.agreement_id, d.minutes, d.ended_at
             FROM agreements a JOIN time_draws d ON d.agreement_id = a.id
             WHERE a.company_id = ?1",
        )?
        .query_map([company_id], |r| {
            Ok(TimedDraw {
                draw: Draw {
                    entry_id: r.get(0)?,
                    agreement_id: r.get(1)?,
                    minutes: r.get(2)?,
                },
                ended_at: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let work = unbilled_work(conn, company_id, zone)?;
    let plain: Vec<Work> = work.iter().map(|(w, _)| *w).collect();
    let ended: HashMap<i64, i64> = work.iter().map(|(w, at)| (w.entry_id, *at)).collect();
    draws.extend(draw(&mut blocks, &plain).into_iter().map(|d| TimedDraw {
        draw: d,
        ended_at: ended.get(&d.entry_id).copied().unwrap_or_default(),
    }));
    Ok((draws, work))
}

/// A company's unbilled billable time, in the order it ended, with the
/// instant it ended.
fn unbilled_work(conn: &Connection, company_id: i64, zone: Tz) -> Result<Vec<(Work, i64)>> {
    conn.prepare_cached(
        "SELECT id, ticket_id, work_type_id, ended_at, minutes FROM time_entries
         WHERE company_id = ?1 AND billable = 1 AND billed_at IS NULL
         ORDER BY ended_at, id",
    )?
    .query_map([company_id], |r| {
        let ended_at: i64 = r.get(3)?;
        Ok((
            Work {
                entry_id: r.get(0)?,
                ticket_id: r.get(1)?,
                work_type_id: r.get(2)?,
                day: zone_day(zone, ended_at),
                minutes: r.get(4)?,
            },
            ended_at,
        ))
    })?
    .collect::<rusqlite::Result<Vec<_>>>()
    .map_err(Into::into)
}

/// Fixes billed entries' draws, each with when its entry ended.
pub fn record_draws(conn: &Connection, draws: &[Draw]) -> Result<()> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO time_draws (time_entry_id, agreement_id, minutes, ended_at)
         VALUES (?1, ?2, ?3, (SELECT ended_at FROM time_entries WHERE id = ?1))",
    )?;
    for d in draws {
        insert.execute(params![d.entry_id, d.agreement_id, d.minutes])?;
    }
    Ok(())
}
