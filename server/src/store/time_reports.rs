//! The staff-time report of `ReportService.GetReport` (docs/REPORTS.md):
//! minutes logged per technician and work type, billable against not.

use rusqlite::Connection;
use rusqlite::types::Value;

use super::Result;
use super::tally::{label, tally};
use crate::domain::reports::{Period, Table, Unit};

/// Time entries that ended in the period, on one company's tickets or
/// all, summed per staff member and work type.
pub fn time_logged(conn: &Connection, company: Option<i64>, period: Period) -> Result<Table> {
    let (start, end) = period.range_ms();
    let mut args = vec![Value::Integer(start), Value::Integer(end)];
    let mut clause = "e.ended_at >= ? AND e.ended_at < ?".to_owned();
    if let Some(c) = company {
        clause.push_str(" AND e.company_id = ?");
        args.push(Value::Integer(c));
    }
    let sums = tally(
        conn,
        &format!(
            "SELECT e.staff_id, e.work_type_id, e.billable, e.minutes
             FROM time_entries e WHERE {clause}"
        ),
        &args,
        |r| {
            let minutes = r.get::<_, i64>(3)?;
            let split = if r.get::<_, bool>(2)? {
                [minutes, 0]
            } else {
                [0, minutes]
            };
            Ok(((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?), split))
        },
    )?;
    let mut found = Vec::with_capacity(sums.len());
    for ((staff, work_type), [billable, other]) in sums {
        let who = label(
            conn,
            "SELECT first_name || ' ' || last_name FROM staff WHERE id = ?1",
            &Value::Integer(staff),
        )?;
        let work = label(
            conn,
            "SELECT name FROM work_types WHERE id = ?1",
            &Value::Integer(work_type),
        )?;
        if let (Some(who), Some(work)) = (who, work) {
            found.push((vec![who, work], vec![billable, other, billable + other]));
        }
    }
    found.sort_unstable();
    let mut table = Table::new(
        "Time logged by technician and work type",
        &[
            ("technician", Unit::Text),
            ("work type", Unit::Text),
            ("billable", Unit::Minutes),
            ("not billable", Unit::Minutes),
            ("total", Unit::Minutes),
        ],
    );
    table.rows = found;
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::*;
    use chrono::NaiveDate;

    #[test]
    fn time_is_summed_per_technician_and_work_type_in_the_period() {
        let (_dir, conn) = temp_conn();
        let a = raw_ticket(&conn, COMPANY_A, UMA, "a", 0);
        let b = raw_ticket(&conn, COMPANY_B, BOB, "b", 0);
        let day: i64 = 86_400_000;
        let march: i64 = 1_772_323_200_000; // 2026-03-01 00:00 UTC
        conn.execute_batch(&format!(
            "INSERT INTO work_types (id, name) VALUES (10, 'Remote'), (11, 'On site');
             INSERT INTO time_entries (ticket_id, company_id, staff_id, staff_name, work_type_id,
               ended_at, minutes, billable, created_at, updated_at) VALUES
               ({a}, 1, 1, 'Tom', 10, {m1}, 60, 1, 0, 0),
               ({a}, 1, 1, 'Tom', 10, {m1}, 30, 0, 0, 0),
               ({a}, 1, 1, 'Tom', 11, {m2}, 90, 1, 0, 0),
               ({b}, 2, 2, 'Dina', 10, {m1}, 15, 1, 0, 0),
               ({a}, 1, 1, 'Tom', 10, {before}, 45, 1, 0, 0);",
            m1 = march + day,
            m2 = march + 30 * day,
            before = march - 1,
        ))
        .unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        let march = Period::parse("2026-03", "2026-03", today).unwrap();
        let rows = |company| {
            time_logged(&conn, company, march)
                .unwrap()
                .rows
                .into_iter()
                .map(|(l, v)| (l.join("/"), v))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            rows(None),
            vec![
                ("Dina Disp/Remote".to_owned(), vec![15, 0, 15]),
                ("Tom Tech/On site".to_owned(), vec![90, 0, 90]),
                ("Tom Tech/Remote".to_owned(), vec![60, 30, 90]),
            ]
        );
        assert_eq!(rows(Some(COMPANY_A)).len(), 2);
    }
}
