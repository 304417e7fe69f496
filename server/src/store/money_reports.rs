//! The money reports of `ReportService.GetReport` (docs/REPORTS.md):
//! prepaid hours per agreement and month, and unpaid invoices by how long
//! they are overdue. Minutes and integer cents only.

use chrono::NaiveDate;
use chrono_tz::Tz;
use rusqlite::Connection;

use super::Result;
use super::agreements::{self, company_draws, used_by_month};
use crate::domain::money::{Month, burn_down};
use crate::domain::reports::{Period, Table, Unit};

/// Each agreement with prepaid minutes that runs in the period (of one
/// company or all), month by month: minutes bought, drawn in the month
/// and left at its end. The draws are those billing would use
/// (docs/MONEY.md "Agreements"); months are the provider's zone's.
pub fn agreement_hours(
    conn: &Connection,
    company: Option<i64>,
    period: Period,
    zone: Tz,
    today: NaiveDate,
) -> Result<Table> {
    let (first, last) = (Month::of(period.from), Month::of(period.to));
    let running: Vec<_> = agreements::list(conn, company, true, today)?
        .into_iter()
        .filter(|a| {
            a.prepaid_minutes > 0
                && a.start_date <= period.to
                && a.runs_until().is_none_or(|end| end >= period.from)
        })
        .collect();
    let mut table = Table::new(
        "Agreement hours by month",
        &[
            ("company", Unit::Text),
            ("agreement", Unit::Text),
            ("month", Unit::Text),
            ("bought", Unit::Minutes),
            ("used", Unit::Minutes),
            ("left", Unit::Minutes),
        ],
    );
    // The list is by company: each company's draws are worked out once.
    let mut draws = (0, Vec::new());
    for a in running {
        if draws.0 != a.company_id {
            draws = (a.company_id, company_draws(conn, a.company_id, zone)?.0);
        }
        let used = used_by_month(&draws.1, a.id, zone);
        let end = a.runs_until().map_or(today, |end| end.min(today));
        for m in burn_down(
            a.prepaid_minutes,
            Month::of(a.start_date),
            Month::of(end),
            &used,
        ) {
            if m.month < first || m.month > last {
                continue;
            }
            table.rows.push((
                vec![a.company_name.clone(), a.title.clone(), m.month.to_string()],
                vec![a.prepaid_minutes, m.used, m.left],
            ));
        }
    }
    Ok(table)
}

/// Days overdue that end each bucket of the invoice aging; the last is
/// open.
const AGING: [(&str, i64, i64); 5] = [
    ("current", i64::MIN, 0),
    ("1–30 days", 1, 30),
    ("31–60 days", 31, 60),
    ("61–90 days", 61, 90),
    ("over 90 days", 91, i64::MAX),
];

/// Today's unpaid balances (unpaid and partially paid invoices; pending
/// payments do not count) per company, in buckets of days past the due
/// day: `current` is not yet overdue. With every company, a last `total`
/// row.
pub fn invoice_aging(conn: &Connection, company: Option<i64>, today: NaiveDate) -> Result<Table> {
    let buckets: Vec<String> = AGING
        .iter()
        .map(|(_, lo, hi)| {
            format!("sum(CASE WHEN i.late BETWEEN {lo} AND {hi} THEN i.balance_cents ELSE 0 END)")
        })
        .collect();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT c.name, {}, sum(i.balance_cents)
         FROM (SELECT company_id, balance_cents,
                      CAST(julianday(?1) - julianday(due_on) AS INTEGER) AS late
               FROM invoices
               WHERE status IN (1, 2) AND balance_cents > 0
                 AND (?2 IS NULL OR company_id = ?2)) AS i
         JOIN companies c ON c.id = i.company_id
         GROUP BY i.company_id ORDER BY c.name, i.company_id",
        buckets.join(", ")
    ))?;
    let mut columns = vec![("company", Unit::Text)];
    columns.extend(AGING.iter().map(|(name, ..)| (*name, Unit::Cents)));
    columns.push(("total", Unit::Cents));
    let mut table = Table::new("Invoice aging: unpaid balances by days overdue", &columns);
    let today = today.format("%Y-%m-%d").to_string();
    let found = stmt.query_map(rusqlite::params![today, company], |r| {
        let mut values = Vec::with_capacity(AGING.len() + 1);
        for i in 1..=AGING.len() + 1 {
            values.push(r.get::<_, i64>(i)?);
        }
        Ok((r.get::<_, String>(0)?, values))
    })?;
    let mut total = vec![0; AGING.len() + 1];
    for row in found {
        let (name, values) = row?;
        for (t, v) in total.iter_mut().zip(&values) {
            *t += v;
        }
        table.push(name, values);
    }
    if company.is_none() {
        table.push("total", total);
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn rows(t: &Table) -> Vec<String> {
        t.rows
            .iter()
            .map(|(l, v)| format!("{}: {v:?}", l.join(" / ")))
            .collect()
    }

    #[test]
    fn invoices_fall_in_buckets_of_days_overdue_per_company() {
        let (_dir, conn) = temp_conn();
        // Due on: today (current), 1, 30, 31, 90, 91 days ago; one paid,
        // one void, one partly paid.
        conn.execute_batch(
            "INSERT INTO invoices (number, company_id, period, issued_on, due_on, subtotal_cents,
               tax_rate_basis_points, tax_cents, total_cents, paid_cents, created_at, voided_at) VALUES
               (1, 1, '2026-01', '2026-01-01', '2026-04-01', 100, 0, 0, 100, 0, 0, NULL),
               (2, 1, '2026-01', '2026-01-01', '2026-03-31', 200, 0, 0, 200, 0, 0, NULL),
               (3, 1, '2026-01', '2026-01-01', '2026-03-02', 400, 0, 0, 400, 0, 0, NULL),
               (4, 1, '2026-01', '2026-01-01', '2026-03-01', 800, 0, 0, 800, 300, 0, NULL),
               (5, 2, '2026-01', '2026-01-01', '2026-01-01', 1600, 0, 0, 1600, 0, 0, NULL),
               (6, 2, '2026-01', '2026-01-01', '2025-12-31', 3200, 0, 0, 3200, 0, 0, NULL),
               (7, 2, '2026-01', '2026-01-01', '2025-12-31', 5000, 0, 0, 5000, 5000, 0, NULL),
               (8, 2, '2026-01', '2026-01-01', '2025-12-31', 7000, 0, 0, 7000, 0, 0, 1);",
        )
        .unwrap();
        let today = d(2026, 4, 1);
        let all = invoice_aging(&conn, None, today).unwrap();
        assert_eq!(
            rows(&all),
            [
                "Alpha: [100, 600, 500, 0, 0, 1200]",
                "Beta: [0, 0, 0, 1600, 3200, 4800]",
                "total: [100, 600, 500, 1600, 3200, 6000]",
            ]
        );
        let one = invoice_aging(&conn, Some(COMPANY_B), today).unwrap();
        assert_eq!(rows(&one), ["Beta: [0, 0, 0, 1600, 3200, 4800]"]);
    }

    #[test]
    fn agreement_hours_run_month_by_month_within_the_period() {
        let (_dir, conn) = temp_conn();
        let a = raw_ticket(&conn, COMPANY_A, UMA, "a", 0);
        let day: i64 = 86_400_000;
        let jan: i64 = 1_767_225_600_000; // 2026-01-01 00:00 UTC
        conn.execute_batch(&format!(
            "UPDATE provider_settings SET time_zone = 'UTC';
             INSERT INTO work_types (id, name) VALUES (10, 'Remote');
             INSERT INTO agreements (id, company_id, title, kind, start_date, end_date,
               monthly_amount_cents, prepaid_minutes, created_at, updated_at)
               VALUES (1, 1, 'Block', 4, '2026-01-01', NULL, 0, 600, 0, 0),
                      (2, 1, 'No hours', 1, '2026-01-01', NULL, 100, 0, 0, 0);
             INSERT INTO agreement_work_types VALUES (1, 10);
             INSERT INTO time_entries (id, ticket_id, company_id, staff_id, staff_name,
               work_type_id, ended_at, minutes, billable, created_at, updated_at, billed_at) VALUES
               (1, {a}, 1, 1, 'Tom', 10, {e1}, 120, 1, 0, 0, 1),
               (2, {a}, 1, 1, 'Tom', 10, {e2}, 90, 1, 0, 0, NULL),
               (3, {a}, 1, 1, 'Tom', 10, {e3}, 30, 0, 0, 0, NULL);
             INSERT INTO time_draws (time_entry_id, agreement_id, minutes, ended_at)
               VALUES (1, 1, 120, {e1});",
            e1 = jan + 10 * day,
            e2 = jan + 40 * day,
            e3 = jan + 41 * day,
        ))
        .unwrap();
        let today = d(2026, 3, 15);
        let period = Period::parse("2026-02", "2026-12", today).unwrap();
        let t = agreement_hours(&conn, None, period, Tz::UTC, today).unwrap();
        // January's 120 are before the period but count in what is left.
        assert_eq!(
            rows(&t),
            [
                "Alpha / Block / 2026-02: [600, 90, 390]",
                "Alpha / Block / 2026-03: [600, 0, 390]",
            ]
        );
        let none = agreement_hours(&conn, Some(COMPANY_B), period, Tz::UTC, today).unwrap();
        assert!(none.rows.is_empty());
    }
}
