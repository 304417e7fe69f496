//! Ticket figures over what a scope may see.

use chrono::{Datelike, Months, NaiveDate, TimeZone, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use super::Result;
use super::ticket_list::scope_clause;
use crate::domain::TicketScope;
use crate::domain::TicketStatus;
use crate::domain::tickets::TicketStats;

fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn ms(d: NaiveDate) -> i64 {
    Utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN))
        .timestamp_millis()
}

/// Open, created this month and year, awaiting the client, by status, and
/// `months` months of created and completed counts ending with the month
/// of `now` (UTC), every month present.
pub fn ticket_stats(
    conn: &Connection,
    scope: &TicketScope,
    company_id: Option<i64>,
    months: u32,
    now: i64,
) -> Result<TicketStats> {
    let mut args = Vec::new();
    let mut where_sql = format!("WHERE {}", scope_clause(conn, scope, &mut args)?.0);
    if let Some(c) = company_id {
        where_sql.push_str(" AND t.company_id = ?");
        args.push(Value::Integer(c));
    }
    let today = Utc
        .timestamp_millis_opt(now)
        .single()
        .unwrap_or_default()
        .date_naive();
    let this_month = month_start(today);
    let this_year = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(this_month);
    let first_month = this_month
        .checked_sub_months(Months::new(months.saturating_sub(1)))
        .unwrap_or(this_month);

    let mut out = TicketStats::default();
    {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT t.status, count(*) FROM tickets t {where_sql} GROUP BY t.status ORDER BY t.status"
        ))?;
        let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
        })?;
        for row in rows {
            let (status, count) = row?;
            let Some(status) = TicketStatus::from_i64(status) else {
                continue;
            };
            let count = count.max(0) as u64;
            if status.is_open() {
                out.open += count;
            }
            if status == TicketStatus::WaitingOnClient {
                out.awaiting_client = count;
            }
            out.by_status.push((status, count));
        }
    }

    let month_of = |column: &str| {
        format!(
            "SELECT strftime('%Y-%m', t.{column} / 1000, 'unixepoch'), count(*)
             FROM tickets t {where_sql} AND t.{column} >= ? GROUP BY 1"
        )
    };
    let since = ms(first_month.min(this_year));
    let mut month_args = args.clone();
    month_args.push(Value::Integer(since));
    let counts = |sql: String| -> Result<Vec<(String, u64)>> {
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(params_from_iter(month_args.iter()), |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    };
    let created_by_month = counts(month_of("created_at"))?;
    let completed_by_month = counts(month_of("completed_at"))?;
    let label = |d: NaiveDate| d.format("%Y-%m").to_string();
    let find =
        |list: &[(String, u64)], m: &str| list.iter().find(|(k, _)| k == m).map_or(0, |(_, n)| *n);
    let this_label = label(this_month);
    out.created_this_month = find(&created_by_month, &this_label);
    let year_prefix = format!("{:04}-", today.year());
    out.created_this_year = created_by_month
        .iter()
        .filter(|(m, _)| m.starts_with(&year_prefix))
        .map(|(_, n)| n)
        .sum();
    let mut month = first_month;
    while month <= this_month {
        let m = label(month);
        out.by_month.push((
            m.clone(),
            find(&created_by_month, &m),
            find(&completed_by_month, &m),
        ));
        month = month
            .checked_add_months(Months::new(1))
            .unwrap_or(this_month + chrono::Days::new(40));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::*;

    #[test]
    fn stats_count_by_month_with_empty_months_and_respect_scope() {
        let (_dir, conn) = temp_conn();
        let at = |y, m, d| ms(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        let now = at(2026, 3, 15);
        let a = raw_ticket(&conn, COMPANY_A, UMA, "a", at(2026, 3, 2));
        raw_ticket(&conn, COMPANY_A, ALICE, "b", at(2026, 1, 10));
        raw_ticket(&conn, COMPANY_A, ALICE, "c", at(2025, 12, 31));
        raw_ticket(&conn, COMPANY_B, BOB, "d", at(2026, 3, 3));
        conn.execute(
            "UPDATE tickets SET status = 5, completed_at = ?2 WHERE id = ?1",
            rusqlite::params![a, at(2026, 3, 4)],
        )
        .unwrap();
        conn.execute("UPDATE tickets SET status = 3 WHERE id = 2", [])
            .unwrap();
        let company = TicketScope::Company {
            company_id: COMPANY_A,
            contact_id: ALICE,
        };
        let s = ticket_stats(&conn, &company, None, 4, now).unwrap();
        assert_eq!((s.open, s.awaiting_client), (2, 1));
        assert_eq!((s.created_this_month, s.created_this_year), (1, 2));
        assert_eq!(
            s.by_month,
            vec![
                ("2025-12".into(), 1, 0),
                ("2026-01".into(), 1, 0),
                ("2026-02".into(), 0, 0),
                ("2026-03".into(), 1, 1)
            ]
        );
        assert_eq!(
            s.by_status,
            vec![
                (TicketStatus::New, 1),
                (TicketStatus::WaitingOnClient, 1),
                (TicketStatus::Completed, 1)
            ]
        );
        let own = TicketScope::Own { contact_id: UMA };
        assert_eq!(ticket_stats(&conn, &own, None, 1, now).unwrap().open, 0);
        let all = ticket_stats(&conn, &TicketScope::All, Some(COMPANY_B), 1, now).unwrap();
        assert_eq!((all.open, all.by_month.len()), (1, 1));
    }
}
