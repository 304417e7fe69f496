//! Ratings: a requester's 1–5 rating of a closed ticket, at most one per
//! ticket (docs/TICKETS.md, "Ratings"), and the satisfaction reports
//! (docs/REPORTS.md).

use std::collections::HashMap;

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

use super::timeline::{self, Change};
use super::{Result, StoreError};
use crate::domain::ratings::{Rating, Scores};
use crate::domain::reports::{Period, Table, Unit};
use crate::domain::tickets::{Author, TimelineKind};

const SELECT: &str = "SELECT r.ticket_id, r.company_id, r.contact_id, r.contact_name,
        r.staff_id, r.staff_name, r.score, r.comment, r.rated_at, c.name, t.title
    FROM ratings r
    JOIN companies c ON c.id = r.company_id
    JOIN tickets t ON t.id = r.ticket_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Rating> {
    Ok(Rating {
        ticket_id: r.get(0)?,
        company_id: r.get(1)?,
        contact_id: r.get(2)?,
        contact_name: r.get(3)?,
        staff_id: r.get(4)?,
        staff_name: r.get(5)?,
        score: r.get(6)?,
        comment: r.get(7)?,
        rated_at: r.get(8)?,
        company_name: r.get(9)?,
        ticket_title: r.get(10)?,
    })
}

/// Stores a rating; a second one for the same ticket is `AlreadyExists`.
pub fn record(conn: &Connection, r: &Rating) -> Result<()> {
    if get(conn, r.ticket_id)?.is_some() {
        return Err(StoreError::AlreadyExists(format!(
            "#{} was rated already; a ticket is rated once",
            r.ticket_id
        )));
    }
    conn.prepare_cached(
        "INSERT INTO ratings (ticket_id, company_id, contact_id, contact_name, staff_id,
            staff_name, score, comment, rated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        r.ticket_id,
        r.company_id,
        r.contact_id,
        r.contact_name,
        r.staff_id,
        r.staff_name,
        r.score,
        r.comment,
        r.rated_at
    ])?;
    Ok(())
}

/// Stores `r` with its timeline entry ("4/5" and the comment) by the
/// requester `by`, at `r.rated_at`.
pub fn rate(conn: &Connection, r: &Rating, by: &Author) -> Result<()> {
    record(conn, r)?;
    let stars = format!("{}/5", r.score);
    let change = Change {
        kind: TimelineKind::Rating,
        body: &r.comment,
        from: "",
        to: &stars,
    };
    timeline::append(conn, r.ticket_id, by, change, r.rated_at)?;
    Ok(())
}

/// The ticket's rating, if it was rated.
pub fn get(conn: &Connection, ticket_id: i64) -> Result<Option<Rating>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE r.ticket_id = ?1"))?
        .query_row([ticket_id], from_row)
        .optional()?)
}

/// Ratings newest first, of `company` and/or `staff` (None: any), after the
/// `(rated_at, ticket_id)` of the previous page; `limit` rows.
pub fn list(
    conn: &Connection,
    (company, staff): (Option<i64>, Option<i64>),
    before: Option<(i64, i64)>,
    limit: usize,
) -> Result<Vec<Rating>> {
    let mut sql = format!("{SELECT} WHERE 1 = 1");
    let mut args = Vec::new();
    if let Some(c) = company {
        sql.push_str(" AND r.company_id = ?");
        args.push(Value::Integer(c));
    }
    if let Some(s) = staff {
        sql.push_str(" AND r.staff_id = ?");
        args.push(Value::Integer(s));
    }
    if let Some((at, id)) = before {
        sql.push_str(" AND (r.rated_at, r.ticket_id) < (?, ?)");
        args.extend([Value::Integer(at), Value::Integer(id)]);
    }
    sql.push_str(" ORDER BY r.rated_at DESC, r.ticket_id DESC LIMIT ?");
    args.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    let list = conn
        .prepare(&sql)?
        .query_map(params_from_iter(args.iter()), from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(list)
}

/// How many of `contact_id`'s own tickets were closed since `since` and are
/// not rated yet: Home's "rate N closed tickets".
pub fn awaiting(conn: &Connection, contact_id: i64, since: i64) -> Result<u64> {
    let n: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM tickets t
             WHERE t.contact_id = ?1 AND t.status = 6 AND t.closed_at >= ?2
               AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.ticket_id = t.id)",
        )?
        .query_row(params![contact_id, since], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// How a satisfaction report groups the ratings given in its period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SatisfactionBy {
    Month,
    Technician,
    Company,
}

const SCORE_COLUMNS: [(&str, Unit); 7] = [
    ("ratings", Unit::Count),
    ("average", Unit::Hundredths),
    ("1", Unit::Count),
    ("2", Unit::Count),
    ("3", Unit::Count),
    ("4", Unit::Count),
    ("5", Unit::Count),
];

/// Ratings given in `period` (of `company`, None: all), by month (every
/// month of the period, oldest first), by technician or by company (the
/// most rated first): count, average ×100 and each score's count.
pub fn satisfaction(
    conn: &Connection,
    company: Option<i64>,
    period: Period,
    by: SatisfactionBy,
) -> Result<Table> {
    let (start, end) = period.range_ms();
    let key = match by {
        SatisfactionBy::Month => "strftime('%Y-%m', r.rated_at / 1000, 'unixepoch')",
        SatisfactionBy::Technician => "coalesce(nullif(r.staff_name, ''), '(unassigned)')",
        SatisfactionBy::Company => "c.name",
    };
    let mut sql = format!(
        "SELECT {key}, r.score, count(*) FROM ratings r JOIN companies c ON c.id = r.company_id
         WHERE r.rated_at >= ?1 AND r.rated_at < ?2"
    );
    let mut args = vec![Value::Integer(start), Value::Integer(end)];
    if let Some(c) = company {
        sql.push_str(" AND r.company_id = ?3");
        args.push(Value::Integer(c));
    }
    sql.push_str(" GROUP BY 1, 2");
    let mut groups: HashMap<String, Scores> = HashMap::new();
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(args.iter()))?;
    while let Some(row) = rows.next()? {
        let (name, score, n): (String, i64, i64) = (row.get(0)?, row.get(1)?, row.get(2)?);
        groups.entry(name).or_default().add(score, n);
    }
    let (title, label) = match by {
        SatisfactionBy::Month => ("Customer satisfaction by month", "month"),
        SatisfactionBy::Technician => ("Customer satisfaction by technician", "technician"),
        SatisfactionBy::Company => ("Customer satisfaction by company", "company"),
    };
    let mut columns = vec![(label, Unit::Text)];
    columns.extend(SCORE_COLUMNS);
    let mut table = Table::new(title, &columns);
    if by == SatisfactionBy::Month {
        for month in period.months() {
            let scores = groups.get(&month).copied().unwrap_or_default();
            table.push(month, scores.values());
        }
    } else {
        let mut list: Vec<(String, Scores)> = groups.into_iter().collect();
        list.sort_by(|a, b| b.1.count().cmp(&a.1.count()).then_with(|| a.0.cmp(&b.0)));
        for (name, scores) in list {
            table.push(name, scores.values());
        }
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::*;

    fn rating(ticket_id: i64, score: i64, rated_at: i64) -> Rating {
        Rating {
            ticket_id,
            company_id: COMPANY_A,
            contact_id: UMA,
            contact_name: "Uma Ulm".into(),
            staff_id: Some(TOM),
            staff_name: "Tom Tech".into(),
            score,
            comment: "quick".into(),
            rated_at,
            company_name: String::new(),
            ticket_title: String::new(),
        }
    }

    #[test]
    fn a_ticket_is_rated_once_and_read_back_with_its_names() {
        let (_dir, conn) = temp_conn();
        let t = raw_ticket(&conn, COMPANY_A, UMA, "Printer jam", 0);
        assert_eq!(get(&conn, t).unwrap(), None);
        record(&conn, &rating(t, 4, 10)).unwrap();
        let got = get(&conn, t).unwrap().unwrap();
        assert_eq!((got.score, got.ticket_title.as_str()), (4, "Printer jam"));
        assert!(!got.company_name.is_empty());
        assert!(matches!(
            record(&conn, &rating(t, 5, 11)),
            Err(StoreError::AlreadyExists(_))
        ));
        assert_eq!(get(&conn, t).unwrap().unwrap().score, 4);
    }

    #[test]
    fn reports_count_average_and_spread_by_month() {
        let (_dir, conn) = temp_conn();
        // 2026-01-15 and 2026-02-15, UTC.
        let (jan, feb) = (1_768_435_200_000, 1_771_113_600_000);
        for (score, at) in [(5, jan), (4, jan), (2, feb)] {
            let t = raw_ticket(&conn, COMPANY_A, UMA, "t", 0);
            record(&conn, &rating(t, score, at)).unwrap();
        }
        let period = Period::parse("2026-01", "2026-03", chrono::NaiveDate::MIN).unwrap();
        let table = satisfaction(&conn, None, period, SatisfactionBy::Month).unwrap();
        let rows: Vec<(&str, &[i64])> = table
            .rows
            .iter()
            .map(|(l, v)| (l[0].as_str(), v.as_slice()))
            .collect();
        assert_eq!(
            rows,
            [
                ("2026-01", &[2, 450, 0, 0, 0, 1, 1][..]),
                ("2026-02", &[1, 200, 0, 1, 0, 0, 0][..]),
                ("2026-03", &[0, 0, 0, 0, 0, 0, 0][..]),
            ]
        );
        let by_tech = satisfaction(&conn, Some(COMPANY_B), period, SatisfactionBy::Technician);
        assert!(by_tech.unwrap().rows.is_empty());
        let by_tech = satisfaction(&conn, None, period, SatisfactionBy::Technician).unwrap();
        assert_eq!(
            by_tech.rows,
            vec![(vec!["Tom Tech".to_owned()], vec![3, 367, 0, 1, 0, 1, 1])]
        );
        let list = list(&conn, (Some(COMPANY_A), Some(TOM)), None, 2).unwrap();
        assert_eq!(list.iter().map(|r| r.score).collect::<Vec<_>>(), [2, 4]);
    }
}
