//! Subscriptions (docs/MONEY.md "Subscriptions and renewals"): a provider
//! Admin's records, the renewals a billing run bills, and the service type
//! a client's change request opens its ticket with.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Result, StoreError, catalog};
use crate::domain::subscriptions::{Change, Subscription, SubscriptionInput};
use crate::domain::tickets::{FieldDef, FieldKind, ServiceType};

const SELECT: &str = "SELECT s.id, s.company_id, c.name, s.name, s.kind, s.quantity,
        s.term_months, s.unit_price_cents, s.renewal_anchor, s.renewals_billed,
        s.billed_by_run, s.cancelled_at
    FROM subscriptions s JOIN companies c ON c.id = s.company_id";

/// The service type a change request opens its ticket with.
pub const CHANGE_SERVICE_TYPE: &str = "Subscription change";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Subscription> {
    let anchor: String = r.get(8)?;
    Ok(Subscription {
        id: r.get(0)?,
        company_id: r.get(1)?,
        company_name: r.get(2)?,
        name: r.get(3)?,
        kind: r.get(4)?,
        quantity: r.get(5)?,
        term_months: r.get(6)?,
        unit_price_cents: r.get(7)?,
        anchor: NaiveDate::parse_from_str(&anchor, "%Y-%m-%d").map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(8, rusqlite::types::Type::Text, Box::new(e))
        })?,
        renewals_billed: r.get(9)?,
        billed_by_run: r.get(10)?,
        cancelled_at: r.get(11)?,
    })
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Subscription>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE s.id = ?1"))?
        .query_row([id], from_row)
        .optional()?)
}

/// A company's subscriptions (None: every company's), by company and name;
/// without cancelled ones unless `include_cancelled`.
pub fn list(
    conn: &Connection,
    company_id: Option<i64>,
    include_cancelled: bool,
) -> Result<Vec<Subscription>> {
    conn.prepare_cached(&format!(
        "{SELECT} WHERE (?1 IS NULL OR s.company_id = ?1)
           AND (?2 OR s.cancelled_at IS NULL)
         ORDER BY c.name, s.company_id, s.name COLLATE NOCASE, s.id"
    ))?
    .query_map(params![company_id, include_cancelled], from_row)?
    .collect::<rusqlite::Result<Vec<_>>>()
    .map_err(Into::into)
}

pub fn create(conn: &Connection, s: &SubscriptionInput, now: i64) -> Result<Subscription> {
    let company: Option<i64> = conn
        .prepare_cached("SELECT id FROM companies WHERE id = ?1")?
        .query_row([s.company_id], |r| r.get(0))
        .optional()?;
    if company.is_none() {
        return Err(StoreError::invalid("company_id", "no such company"));
    }
    conn.prepare_cached(
        "INSERT INTO subscriptions (company_id, name, kind, quantity, term_months,
            unit_price_cents, renewal_anchor, billed_by_run, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
    )?
    .execute(params![
        s.company_id,
        s.name,
        s.kind,
        s.quantity,
        s.term_months,
        s.unit_price_cents,
        day(s.renews_on),
        s.billed_by_run,
        now
    ])?;
    get(conn, conn.last_insert_rowid())?.ok_or(StoreError::NotFound)
}

/// Changes a subscription. A new renewal date or term starts the schedule
/// again from that date; otherwise the billed renewals stand.
pub fn update(
    conn: &Connection,
    old: &Subscription,
    s: &SubscriptionInput,
    (today, now): (NaiveDate, i64),
) -> Result<Subscription> {
    if s.company_id != old.company_id {
        return Err(StoreError::invalid(
            "company_id",
            "a subscription's company cannot change",
        ));
    }
    let same_schedule = s.term_months == old.term_months && s.renews_on == old.renews_on(today);
    let (anchor, billed) = if same_schedule {
        (old.anchor, old.renewals_billed)
    } else {
        (s.renews_on, 0)
    };
    conn.prepare_cached(
        "UPDATE subscriptions SET name = ?2, kind = ?3, quantity = ?4, term_months = ?5,
            unit_price_cents = ?6, renewal_anchor = ?7, renewals_billed = ?8,
            billed_by_run = ?9, updated_at = ?10
         WHERE id = ?1",
    )?
    .execute(params![
        old.id,
        s.name,
        s.kind,
        s.quantity,
        s.term_months,
        s.unit_price_cents,
        day(anchor),
        billed,
        s.billed_by_run,
        now
    ])?;
    get(conn, old.id)?.ok_or(StoreError::NotFound)
}

/// Cancels an active subscription: it renews no more.
pub fn cancel(conn: &Connection, id: i64, by: &str, now: i64) -> Result<Subscription> {
    let changed = conn
        .prepare_cached(
            "UPDATE subscriptions SET cancelled_at = ?2, cancelled_by = ?3, updated_at = ?2
             WHERE id = ?1 AND cancelled_at IS NULL",
        )?
        .execute(params![id, now, by])?;
    if changed == 0 {
        return Err(StoreError::FailedPrecondition(
            "the subscription is cancelled already".into(),
        ));
    }
    get(conn, id)?.ok_or(StoreError::NotFound)
}

/// Records that a run billed a subscription's renewals up to `billed`
/// (counted from its anchor), so its renewal date moves on.
pub fn mark_billed(conn: &Connection, id: i64, billed: u32) -> Result<()> {
    conn.prepare_cached("UPDATE subscriptions SET renewals_billed = ?2 WHERE id = ?1")?
        .execute(params![id, billed])?;
    Ok(())
}

/// The service type "Subscription change", created on first use with its
/// fields (a provider Admin may then edit it like any other; one renamed
/// away is created again).
pub fn change_service_type(conn: &Connection) -> Result<i64> {
    let found: Option<i64> = conn
        .prepare_cached("SELECT id FROM service_types WHERE name = ?1 AND active")?
        .query_row([CHANGE_SERVICE_TYPE], |r| r.get(0))
        .optional()?;
    if let Some(id) = found {
        return Ok(id);
    }
    let field = |key: &str, label: &str, kind, choices: Vec<String>| FieldDef {
        key: key.into(),
        label: label.into(),
        kind,
        required: false,
        choices,
    };
    let fields = vec![
        field("subscription", "Subscription", FieldKind::Text, vec![]),
        field(
            "change",
            "Change asked for",
            FieldKind::Choice,
            Change::ALL.iter().map(|c| c.label().to_owned()).collect(),
        ),
        field(
            "current_quantity",
            "Current quantity",
            FieldKind::Text,
            vec![],
        ),
        field(
            "requested_quantity",
            "Requested quantity",
            FieldKind::Text,
            vec![],
        ),
    ];
    let saved = catalog::save(
        conn,
        &ServiceType {
            id: 0,
            name: CHANGE_SERVICE_TYPE.into(),
            description: "More or fewer seats, an upgrade, or cancelling at renewal.".into(),
            sort_order: 900,
            active: true,
            fields,
        },
    );
    match saved {
        Ok(st) => Ok(st.id),
        // An inactive type of that name: use it again.
        Err(StoreError::Invalid { .. }) => conn
            .prepare_cached("UPDATE service_types SET active = 1 WHERE name = ?1 RETURNING id")?
            .query_row([CHANGE_SERVICE_TYPE], |r| r.get(0))
            .map_err(Into::into),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Month;
    use crate::store::billing_run::{self, RunBy};
    use crate::store::testing::{COMPANY_A, temp_conn};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn run(conn: &Connection, month: &str, preview: bool) -> i64 {
        let by = RunBy {
            actor: "paula@p.example",
            now: 1,
            today: d("2026-12-01"),
        };
        let billed =
            billing_run::run(conn, Month::parse(month).unwrap(), None, preview, by).unwrap();
        billed
            .iter()
            .flat_map(|(_, lines)| lines)
            .filter(|l| l.kind == 4)
            .map(|l| l.amount_cents)
            .sum()
    }

    #[test]
    fn a_renewal_is_billed_once_by_the_run_covering_its_date_then_moves_on() {
        let (_dir, conn) = temp_conn();
        conn.execute(
            "INSERT INTO provider_settings (id, name) VALUES (1, 'P')",
            [],
        )
        .unwrap();
        let input = SubscriptionInput {
            company_id: COMPANY_A,
            name: "Office seats".into(),
            kind: 1,
            quantity: 10,
            term_months: 12,
            renews_on: d("2026-11-15"),
            unit_price_cents: 2_500,
            billed_by_run: true,
        };
        let sub = create(&conn, &input, 0).unwrap();
        let not_billed = SubscriptionInput {
            name: "Backup".into(),
            billed_by_run: false,
            ..input.clone()
        };
        create(&conn, &not_billed, 0).unwrap();
        // October's run does not cover the renewal; a preview writes nothing.
        assert_eq!(run(&conn, "2026-10", false), 0);
        assert_eq!(run(&conn, "2026-11", true), 25_000);
        assert_eq!(run(&conn, "2026-11", false), 25_000);
        // Again, and December's: nothing twice.
        assert_eq!(run(&conn, "2026-11", false), 0);
        assert_eq!(run(&conn, "2026-12", false), 0);
        let after = get(&conn, sub.id).unwrap().unwrap();
        assert_eq!(after.renews_on(d("2026-12-01")), d("2027-11-15"));
        let lines: i64 = conn
            .query_row(
                "SELECT count(*) FROM invoice_lines WHERE kind = 4",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(lines, 1);
        // A new date starts the schedule again; an unchanged one keeps it.
        let kept = update(
            &conn,
            &after,
            &input_on(&input, "2027-11-15"),
            (d("2026-12-01"), 2),
        );
        assert_eq!(kept.unwrap().renewals_billed, 1);
        let moved = get(&conn, sub.id).unwrap().unwrap();
        let moved = update(
            &conn,
            &moved,
            &input_on(&input, "2027-01-31"),
            (d("2026-12-01"), 3),
        );
        assert_eq!(moved.unwrap().renews_on(d("2026-12-01")), d("2027-01-31"));
    }

    fn input_on(input: &SubscriptionInput, day: &str) -> SubscriptionInput {
        SubscriptionInput {
            renews_on: d(day),
            ..input.clone()
        }
    }

    #[test]
    fn the_change_type_is_made_once_and_found_after() {
        let (_dir, conn) = temp_conn();
        let id = change_service_type(&conn).unwrap();
        assert_eq!(change_service_type(&conn).unwrap(), id);
        let st = catalog::get(&conn, id).unwrap().unwrap();
        assert_eq!(st.fields.len(), 4);
        conn.execute("UPDATE service_types SET active = 0 WHERE id = ?1", [id])
            .unwrap();
        assert_eq!(change_service_type(&conn).unwrap(), id);
    }
}
