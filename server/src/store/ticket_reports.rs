//! The ticket reports of `ReportService.GetReport` (docs/REPORTS.md): each
//! one SQL query over the tickets raised in the period, of one company or
//! all, answered as a `Table`.

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::{DateTime, Datelike, NaiveDate};
use rusqlite::types::Value;
use rusqlite::{Connection, Row, params_from_iter};

use super::Result;
use super::sla::settings;
use super::tally::{label, tally};
use crate::domain::TicketStatus;
use crate::domain::reports::{Period, Table, Unit, basis_points, midnight_ms, percentile};
use crate::domain::sla::BusinessCalendar;

/// Grouped lists (sites, contacts) keep their busiest rows.
pub const MAX_GROUPS: usize = 100;

const DAY_MS: i64 = 86_400_000;

/// The UTC date of day number `day` since 1970-01-01.
fn day_of(day: i64) -> Option<NaiveDate> {
    DateTime::from_timestamp_millis(day.checked_mul(DAY_MS)?).map(|t| t.date_naive())
}

/// Which tickets a report counts: raised in `[start, end)`, of `company`
/// (None: every company).
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    pub company: Option<i64>,
    pub start: i64,
    pub end: i64,
}

impl Scope {
    pub fn new(company: Option<i64>, period: Period) -> Self {
        let (start, end) = period.range_ms();
        Self {
            company,
            start,
            end,
        }
    }

    /// The WHERE clause over `tickets t` and its arguments.
    fn clause(&self) -> (String, Vec<Value>) {
        let mut sql = "t.created_at >= ? AND t.created_at < ?".to_owned();
        let mut args = vec![Value::Integer(self.start), Value::Integer(self.end)];
        if let Some(c) = self.company {
            sql.push_str(" AND t.company_id = ?");
            args.push(Value::Integer(c));
        }
        (sql, args)
    }
}

fn rows<T>(
    conn: &Connection,
    sql: &str,
    args: &[Value],
    f: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let out = stmt
        .query_map(params_from_iter(args.iter()), f)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(out)
}

/// Tickets raised per month, the year of the period's end against the one
/// before (the period's start is not used).
pub fn requests_by_month(conn: &Connection, company: Option<i64>, to: NaiveDate) -> Result<Table> {
    let year = to.year();
    let first = NaiveDate::from_ymd_opt(year - 1, 1, 1).unwrap_or(to);
    let next = NaiveDate::from_ymd_opt(year + 1, 1, 1).unwrap_or(to);
    let scope = Scope {
        company,
        start: midnight_ms(first),
        end: midnight_ms(next),
    };
    let (clause, args) = scope.clause();
    // Per UTC day, then per month: no date arithmetic on every ticket.
    let per_day = tally(
        conn,
        &format!("SELECT t.created_at / {DAY_MS} FROM tickets t WHERE {clause}"),
        &args,
        |r| Ok((r.get::<_, i64>(0)?, [1])),
    )?;
    let mut counts: HashMap<(i32, u32), i64> = HashMap::new();
    for (day, [n]) in per_day {
        if let Some(d) = day_of(day) {
            *counts.entry((d.year(), d.month())).or_default() += n;
        }
    }
    let (last, this) = ((year - 1).to_string(), year.to_string());
    let mut table = Table::new(
        format!("Service requests, {year} against {}", year - 1),
        &[
            ("month", Unit::Text),
            (&last, Unit::Count),
            (&this, Unit::Count),
        ],
    );
    for month in 1..=12 {
        let of = |y: i32| counts.get(&(y, month)).copied().unwrap_or(0);
        table.push(format!("{month:02}"), vec![of(year - 1), of(year)]);
    }
    Ok(table)
}

/// Which column a breakdown groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakdown {
    Status,
    Priority,
    ServiceType,
    Site,
    Contact,
}

/// Tickets raised in the period and how many of them are still open, per
/// status, priority, service type, site or contact (the busiest
/// `MAX_GROUPS` of the last two).
pub fn breakdown(conn: &Connection, scope: &Scope, by: Breakdown) -> Result<Table> {
    let (clause, args) = scope.clause();
    let (title, name, key, name_sql) = match by {
        Breakdown::Status => ("Tickets by status", "status", "t.status", ""),
        Breakdown::Priority => (
            "Tickets by priority",
            "priority",
            "t.priority",
            "SELECT name FROM sla_targets WHERE priority = ?1",
        ),
        Breakdown::ServiceType => (
            "Tickets by service type",
            "service type",
            "t.service_type_id",
            "SELECT name FROM service_types WHERE id = ?1",
        ),
        Breakdown::Site => (
            "Tickets by site",
            "site",
            "t.site_id",
            "SELECT c.name || ': ' || g.name FROM sites g
             JOIN companies c ON c.id = g.company_id WHERE g.id = ?1",
        ),
        Breakdown::Contact => (
            "Tickets by contact",
            "contact",
            "t.contact_id",
            "SELECT g.first_name || ' ' || g.last_name || ' (' || c.name || ')' FROM contacts g
             JOIN companies c ON c.id = g.company_id WHERE g.id = ?1",
        ),
    };
    let counts = tally(
        conn,
        &format!("SELECT {key}, t.status_group = 1 FROM tickets t WHERE {clause}"),
        &args,
        |r| Ok((r.get::<_, Option<i64>>(0)?, [1, r.get::<_, i64>(1)?])),
    )?;
    let mut groups: Vec<(Option<i64>, [i64; 2])> = counts.into_iter().collect();
    match by {
        Breakdown::Status | Breakdown::Priority => groups.sort_unstable_by_key(|g| g.0),
        // The busiest first; then named after, each name looked up once.
        _ => groups.sort_unstable_by_key(|(k, [n, _])| (std::cmp::Reverse(*n), *k)),
    }
    groups.truncate(MAX_GROUPS);
    let mut table = Table::new(
        title,
        &[
            (name, Unit::Text),
            ("tickets", Unit::Count),
            ("open", Unit::Count),
        ],
    );
    for (k, [n, open]) in groups {
        let named = |conn| -> Result<String> {
            Ok(match k {
                Some(k) => label(conn, name_sql, &Value::Integer(k))?.unwrap_or_default(),
                None => String::new(),
            })
        };
        let text = match by {
            Breakdown::Status => k
                .and_then(TicketStatus::from_i64)
                .map_or("?", TicketStatus::label)
                .to_owned(),
            Breakdown::Priority => format!("{} {}", k.unwrap_or_default(), named(conn)?),
            Breakdown::Site => Some(named(conn)?)
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "(no site)".to_owned()),
            _ => named(conn)?,
        };
        table.push(text, vec![n, open]);
    }
    Ok(table)
}

/// How SLA compliance is grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaBy {
    Month,
    Priority,
}

/// Response and resolution targets met, of those decided by `now` (met,
/// or passed unmet), per month raised or per priority, from the due times
/// stored with each ticket.
pub fn sla_compliance(
    conn: &Connection,
    scope: &Scope,
    period: Period,
    by: SlaBy,
    now: i64,
) -> Result<Table> {
    let (clause, scope_args) = scope.clause();
    let (title, name, key) = match by {
        SlaBy::Month => (
            "SLA compliance by month",
            "month",
            format!("t.created_at / {DAY_MS}"),
        ),
        SlaBy::Priority => (
            "SLA compliance by priority",
            "priority",
            "t.priority".into(),
        ),
    };
    // Decided and met, worked out here: cheaper than four expressions
    // in SQL for every ticket of the period.
    let decided =
        |due: Option<i64>, done: Option<i64>| due.is_some_and(|d| done.is_some() || d < now);
    let met = |due: Option<i64>, done: Option<i64>| due.zip(done).is_some_and(|(d, at)| at <= d);
    let counts = tally(
        conn,
        &format!(
            "SELECT {key}, t.response_due_at, t.responded_at, t.resolution_due_at, t.completed_at
             FROM tickets t WHERE {clause}"
        ),
        &scope_args,
        |r| {
            let [response_due, responded, resolution_due, completed] =
                [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?];
            Ok((
                r.get::<_, i64>(0)?,
                [
                    decided(response_due, responded).into(),
                    met(response_due, responded).into(),
                    decided(resolution_due, completed).into(),
                    met(resolution_due, completed).into(),
                ],
            ))
        },
    )?;
    // Labelled: months as YYYY-MM, priorities with their names, in order.
    let mut found: Vec<(String, [i64; 4])> = Vec::new();
    let mut keys: Vec<i64> = counts.keys().copied().collect();
    keys.sort_unstable();
    for k in keys {
        let text = match by {
            SlaBy::Month => day_of(k).map_or_else(String::new, |d| d.format("%Y-%m").to_string()),
            SlaBy::Priority => {
                let name = label(
                    conn,
                    "SELECT name FROM sla_targets WHERE priority = ?1",
                    &Value::Integer(k),
                )?;
                format!("{k} {}", name.unwrap_or_default())
            }
        };
        let add = counts[&k];
        match found.last_mut() {
            Some((last, sum)) if *last == text => {
                for (s, x) in sum.iter_mut().zip(add) {
                    *s += x;
                }
            }
            _ => found.push((text, add)),
        }
    }
    let mut table = Table::new(
        title,
        &[
            (name, Unit::Text),
            ("responses due", Unit::Count),
            ("answered in time", Unit::Count),
            ("response met", Unit::BasisPoints),
            ("resolutions due", Unit::Count),
            ("resolved in time", Unit::Count),
            ("resolution met", Unit::BasisPoints),
        ],
    );
    let figures = |[rd, rm, sd, sm]: [i64; 4]| {
        vec![rd, rm, basis_points(rm, rd), sd, sm, basis_points(sm, sd)]
    };
    match by {
        // Every month of the period, those without tickets too.
        SlaBy::Month => {
            for month in period.months() {
                let counts = found
                    .iter()
                    .find(|(m, _)| *m == month)
                    .map_or([0; 4], |f| f.1);
                table.push(month, figures(counts));
            }
        }
        SlaBy::Priority => {
            for (label, counts) in found {
                table.push(label, figures(counts));
            }
        }
    }
    Ok(table)
}

/// Business minutes from raising to the first response and to completion:
/// how many, the median and the 90th percentile, per priority and for all,
/// of the tickets raised in the period. The minutes count the provider's
/// business hours (docs/TICKETS.md, "SLA"), whatever the priority's clock.
pub fn response_times(conn: &Connection, scope: &Scope, now: i64) -> Result<Table> {
    let hours = settings(conn)?.hours;
    let (clause, args) = scope.clause();
    // Laid out to now, which every answer and completion precedes, so the
    // rows are measured as they stream past instead of being held first (a
    // year of a large provider's tickets is hundreds of thousands); a pair
    // outside the span is still measured exactly, one by one.
    let calendar = BusinessCalendar::new(&hours, scope.start, now.max(scope.end));
    let minutes = |from: i64, to: i64| calendar.elapsed(from, to) / 60_000;
    // Per priority 1–5, then all.
    let mut response: [Vec<i64>; 6] = Default::default();
    let mut resolution: [Vec<i64>; 6] = Default::default();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT t.priority, t.created_at, t.responded_at, t.completed_at
         FROM tickets t
         WHERE {clause} AND (t.responded_at IS NOT NULL OR t.completed_at IS NOT NULL)"
    ))?;
    let mut found = stmt.query(params_from_iter(args.iter()))?;
    while let Some(r) = found.next()? {
        let (priority, created): (i64, i64) = (r.get(0)?, r.get(1)?);
        let p = usize::try_from(priority.clamp(1, 5) - 1).unwrap_or(0);
        if let Some(at) = r.get::<_, Option<i64>>(2)? {
            let m = minutes(created, at);
            response[p].push(m);
            response[5].push(m);
        }
        if let Some(at) = r.get::<_, Option<i64>>(3)? {
            let m = minutes(created, at);
            resolution[p].push(m);
            resolution[5].push(m);
        }
    }
    let mut table = Table::new(
        "Response and resolution times (business minutes)",
        &[
            ("priority", Unit::Text),
            ("answered", Unit::Count),
            ("response median", Unit::Minutes),
            ("response 90th", Unit::Minutes),
            ("resolved", Unit::Count),
            ("resolution median", Unit::Minutes),
            ("resolution 90th", Unit::Minutes),
        ],
    );
    for (i, (resp, res)) in response.iter_mut().zip(resolution.iter_mut()).enumerate() {
        if resp.is_empty() && res.is_empty() && i < 5 {
            continue;
        }
        resp.sort_unstable();
        res.sort_unstable();
        let label = if i == 5 {
            "all".to_owned()
        } else {
            (i + 1).to_string()
        };
        table.push(
            label,
            vec![
                resp.len() as i64,
                percentile(resp, 50),
                percentile(resp, 90),
                res.len() as i64,
                percentile(res, 50),
                percentile(res, 90),
            ],
        );
    }
    Ok(table)
}

/// The open tickets' ages as of `now`, in buckets of days (the lower bound
/// of each; the period does not apply: it is today's backlog).
pub const AGE_BUCKETS: [(i64, &str); 6] = [
    (0, "under 1 day"),
    (1, "1-3 days"),
    (3, "3-7 days"),
    (7, "7-30 days"),
    (30, "30-90 days"),
    (90, "90+ days"),
];

/// Open tickets now, by age: how many, and how many wait on the client.
pub fn open_aging(conn: &Connection, company: Option<i64>, now: i64) -> Result<Table> {
    const DAY: i64 = 86_400_000;
    let mut case = String::from("CASE");
    for (i, (days, _)) in AGE_BUCKETS.iter().enumerate().skip(1).rev() {
        let _ = write!(case, " WHEN ? - t.created_at >= {} THEN {i}", days * DAY);
    }
    case.push_str(" ELSE 0 END");
    let mut args = vec![Value::Integer(now); AGE_BUCKETS.len() - 1];
    let mut clause = "t.status_group = 1".to_owned();
    if let Some(c) = company {
        clause.push_str(" AND t.company_id = ?");
        args.push(Value::Integer(c));
    }
    let found = rows(
        conn,
        &format!(
            "SELECT {case}, count(*), sum(t.status = {})
             FROM tickets t WHERE {clause} GROUP BY 1",
            TicketStatus::WaitingOnClient as i64
        ),
        &args,
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        },
    )?;
    let mut table = Table::new(
        "Open tickets by age",
        &[
            ("age", Unit::Text),
            ("open", Unit::Count),
            ("waiting on client", Unit::Count),
        ],
    );
    for (i, (_, label)) in AGE_BUCKETS.iter().enumerate() {
        let (n, waiting) = found
            .iter()
            .find(|f| usize::try_from(f.0) == Ok(i))
            .map_or((0, 0), |f| (f.1, f.2));
        table.push(*label, vec![n, waiting]);
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::*;
    use chrono::NaiveDateTime;

    /// `"2026-03-02 09:00"` (UTC) in milliseconds.
    fn at(s: &str) -> i64 {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
            .unwrap()
            .and_utc()
            .timestamp_millis()
    }

    fn period(from: &str, to: &str) -> Period {
        Period::parse(from, to, NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()).unwrap()
    }

    fn set(conn: &Connection, id: i64, sql: &str) {
        conn.execute(&format!("UPDATE tickets SET {sql} WHERE id = ?1"), [id])
            .unwrap();
    }

    fn values(t: &Table) -> Vec<(String, Vec<i64>)> {
        t.rows
            .iter()
            .map(|(l, v)| (l.join(" / "), v.clone()))
            .collect()
    }

    #[test]
    fn requests_by_month_and_breakdowns_count_the_period_and_company() {
        let (_dir, conn) = temp_conn();
        raw_ticket(&conn, COMPANY_A, UMA, "a", at("2025-03-03 10:00"));
        let done = raw_ticket(&conn, COMPANY_A, ALICE, "b", at("2025-03-31 23:59"));
        set(&conn, done, "status = 5, priority = 1, site_id = 1");
        raw_ticket(&conn, COMPANY_A, UMA, "c", at("2026-01-01 00:00"));
        raw_ticket(&conn, COMPANY_B, BOB, "d", at("2026-02-10 12:00"));
        let to = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        let t = requests_by_month(&conn, Some(COMPANY_A), to).unwrap();
        assert_eq!(t.columns[1].0, "2025");
        assert_eq!(t.rows.len(), 12);
        assert_eq!(t.rows[0], (vec!["01".to_owned()], vec![0, 1]));
        assert_eq!(t.rows[1].1, vec![0, 0]);
        assert_eq!(t.rows[2].1, vec![2, 0]);
        let all = requests_by_month(&conn, None, to).unwrap();
        assert_eq!(all.rows[1].1, vec![0, 1]);

        let scope = Scope::new(Some(COMPANY_A), period("2025-01", "2025-12"));
        let by = |b| values(&breakdown(&conn, &scope, b).unwrap());
        assert_eq!(
            by(Breakdown::Status),
            vec![
                ("New".to_owned(), vec![1, 1]),
                ("Completed".to_owned(), vec![1, 0])
            ]
        );
        assert_eq!(
            by(Breakdown::Priority),
            vec![
                ("1 Critical".to_owned(), vec![1, 0]),
                ("3 Medium".to_owned(), vec![1, 1])
            ]
        );
        assert_eq!(
            by(Breakdown::ServiceType),
            vec![("Hardware".to_owned(), vec![2, 1])]
        );
        assert_eq!(
            by(Breakdown::Site),
            vec![
                ("(no site)".to_owned(), vec![1, 1]),
                ("Alpha: Alpha HQ".to_owned(), vec![1, 0])
            ]
        );
        assert_eq!(
            by(Breakdown::Contact),
            vec![
                ("Alice Able (Alpha)".to_owned(), vec![1, 0]),
                ("Uma Ulm (Alpha)".to_owned(), vec![1, 1])
            ]
        );
        let all = Scope::new(None, period("2026-01", "2026-12"));
        assert_eq!(
            values(&breakdown(&conn, &all, Breakdown::Status).unwrap()),
            vec![("New".to_owned(), vec![2, 2])]
        );
    }

    /// Monday 2 March 2026: four tickets at 09:00 UTC (business hours
    /// 08:00–17:00 Monday to Friday), one on Friday at 16:00, one in April.
    fn sla_tickets(conn: &Connection) {
        for (title, created) in [
            ("met", "2026-03-02 09:00"),
            ("late", "2026-03-02 09:00"),
            ("silent", "2026-03-02 09:00"),
            ("friday", "2026-03-06 16:00"),
            ("april", "2026-04-01 11:00"),
        ] {
            let id = raw_ticket(conn, COMPANY_A, UMA, title, at(created));
            set(
                conn,
                id,
                "response_due_at = created_at + 3600000,
                 resolution_due_at = created_at + 3 * 86400000",
            );
        }
        set(
            conn,
            1,
            &format!(
                "responded_at = {}, completed_at = {}, status = 5",
                at("2026-03-02 09:30"),
                at("2026-03-03 10:00")
            ),
        );
        set(
            conn,
            2,
            &format!("responded_at = {}, status = 3", at("2026-03-02 11:00")),
        );
        set(
            conn,
            4,
            &format!("responded_at = {}", at("2026-03-09 08:30")),
        );
    }

    #[test]
    fn sla_compliance_counts_targets_decided_by_now() {
        let (_dir, conn) = temp_conn();
        sla_tickets(&conn);
        let now = at("2026-04-01 11:30");
        let p = period("2026-02", "2026-04");
        let scope = Scope::new(Some(COMPANY_A), p);
        let t = sla_compliance(&conn, &scope, p, SlaBy::Month, now).unwrap();
        // Responses: met on time, late, never, friday's late; April's not
        // yet due. Resolutions: one met, three passed, April's not due.
        assert_eq!(
            values(&t),
            vec![
                ("2026-02".to_owned(), vec![0, 0, 0, 0, 0, 0]),
                ("2026-03".to_owned(), vec![4, 1, 2500, 4, 1, 2500]),
                ("2026-04".to_owned(), vec![0, 0, 0, 0, 0, 0]),
            ]
        );
        let t = sla_compliance(&conn, &scope, p, SlaBy::Priority, now).unwrap();
        assert_eq!(
            values(&t),
            vec![("3 Medium".to_owned(), vec![4, 1, 2500, 4, 1, 2500])]
        );
        let other = Scope::new(Some(COMPANY_B), p);
        let t = sla_compliance(&conn, &other, p, SlaBy::Month, now).unwrap();
        assert!(t.rows.iter().all(|(_, v)| v.iter().all(|n| *n == 0)));
    }

    #[test]
    fn response_times_count_business_minutes_median_and_90th() {
        let (_dir, conn) = temp_conn();
        sla_tickets(&conn);
        let scope = Scope::new(None, period("2026-03", "2026-03"));
        let t = response_times(&conn, &scope, at("2026-04-01 00:00")).unwrap();
        // Responses 30, 120 and 90 (Friday 16:00 to Monday 08:30) business
        // minutes; one resolution of 600 (Monday 09:00 to Tuesday 10:00).
        assert_eq!(
            values(&t),
            vec![
                ("3".to_owned(), vec![3, 90, 120, 1, 600, 600]),
                ("all".to_owned(), vec![3, 90, 120, 1, 600, 600]),
            ]
        );
        // A `now` before the answers (a clock set back) lays the calendar
        // out too short: the pairs past it are measured one by one, the same.
        let early = response_times(&conn, &scope, at("2026-03-01 00:00")).unwrap();
        assert_eq!(values(&early), values(&t));
    }

    #[test]
    fn open_tickets_age_in_buckets_as_of_now() {
        let (_dir, conn) = temp_conn();
        sla_tickets(&conn);
        let t = open_aging(&conn, Some(COMPANY_A), at("2026-04-01 12:00")).unwrap();
        assert_eq!(
            t.rows.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>(),
            vec![
                vec![1, 0],
                vec![0, 0],
                vec![0, 0],
                vec![1, 0],
                vec![2, 1],
                vec![0, 0]
            ]
        );
        let none = open_aging(&conn, Some(COMPANY_B), at("2026-04-01 12:00")).unwrap();
        assert!(none.rows.iter().all(|(_, v)| v[0] == 0));
    }
}
