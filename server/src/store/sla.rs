//! The SLA settings (targets, business hours, holidays, time zone) and
//! each ticket's SLA clock and next deadline, kept in step with every
//! change (docs/TICKETS.md, "SLA").

use rusqlite::{Connection, OptionalExtension, params};

use super::{Result, StoreError};
use crate::domain::TicketStatus;
use crate::domain::input::parse_date;
use crate::domain::sla::{BusinessHours, Clock, SlaClock, SlaTarget, TicketClock, clock_runs};

/// A priority's target as stored, with its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedTarget {
    pub priority: i32,
    pub name: String,
    pub target: SlaTarget,
}

/// Everything the deadlines are computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaSettings {
    pub targets: Vec<NamedTarget>,
    pub hours: BusinessHours,
    /// Holiday names, beside `hours.holidays` (same order).
    pub holiday_names: Vec<String>,
    pub at_risk_percent: i64,
}

impl SlaSettings {
    pub fn target(&self, priority: i32) -> Option<SlaTarget> {
        self.targets
            .iter()
            .find(|t| t.priority == priority)
            .map(|t| t.target)
    }
}

fn clock_name(clock: Clock) -> &'static str {
    match clock {
        Clock::Always => "24x7",
        Clock::Business => "business",
        Clock::None => "none",
    }
}

/// The provider's SLA settings.
pub fn settings(conn: &Connection) -> Result<SlaSettings> {
    let targets = conn
        .prepare_cached(
            "SELECT priority, name, response_minutes, resolution_minutes, clock
             FROM sla_targets ORDER BY priority",
        )?
        .query_map([], |r| {
            Ok(NamedTarget {
                priority: r.get(0)?,
                name: r.get(1)?,
                target: SlaTarget {
                    response_minutes: r.get(2)?,
                    resolution_minutes: r.get(3)?,
                    clock: Clock::parse(&r.get::<_, String>(4)?).unwrap_or(Clock::Always),
                },
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut hours = BusinessHours::default();
    let mut at_risk_percent = 25;
    let row = conn
        .prepare_cached(
            "SELECT business_days, business_start_minute, business_end_minute, time_zone,
                    sla_at_risk_percent
             FROM provider_settings WHERE id = 1",
        )?
        .query_row([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })
        .optional()?;
    if let Some((days, start, end, zone, risk)) = row {
        // Zones are checked when saved; UTC only covers a store edited by hand.
        hours.zone = zone.parse().unwrap_or(chrono_tz::Tz::UTC);
        hours.days = [false; 7];
        for d in days.bytes().filter(|b| (b'1'..=b'7').contains(b)) {
            hours.days[usize::from(d - b'1')] = true;
        }
        hours.start_minute = start;
        hours.end_minute = end;
        at_risk_percent = risk;
    }
    let mut names = Vec::new();
    let mut stmt = conn.prepare_cached("SELECT day, name FROM holidays ORDER BY day")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (day, name) = row?;
        if let Some(d) = parse_date(&day) {
            hours.holidays.push(d);
            names.push(name);
        }
    }
    Ok(SlaSettings {
        targets,
        hours,
        holiday_names: names,
        at_risk_percent,
    })
}

/// Replaces the settings. The caller brings open tickets' clocks up to
/// date first (`count_open`) and recomputes them after (`recompute_open`).
pub fn save_settings(conn: &Connection, s: &SlaSettings) -> Result<()> {
    conn.execute("DELETE FROM sla_targets", [])?;
    for t in &s.targets {
        conn.prepare_cached(
            "INSERT INTO sla_targets (priority, name, response_minutes, resolution_minutes, clock)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            t.priority,
            t.name,
            t.target.response_minutes,
            t.target.resolution_minutes,
            clock_name(t.target.clock)
        ])?;
    }
    let days: String = (0..7)
        .filter(|i| s.hours.days[*i])
        .map(|i| char::from(b'1' + i as u8))
        .collect();
    let changed = conn.execute(
        "UPDATE provider_settings SET business_days = ?1, business_start_minute = ?2,
            business_end_minute = ?3, time_zone = ?4, sla_at_risk_percent = ?5 WHERE id = 1",
        params![
            days,
            s.hours.start_minute,
            s.hours.end_minute,
            s.hours.zone.name(),
            s.at_risk_percent
        ],
    )?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    conn.execute("DELETE FROM holidays", [])?;
    for (day, name) in s.hours.holidays.iter().zip(&s.holiday_names) {
        conn.prepare_cached("INSERT INTO holidays (day, name) VALUES (?1, ?2)")?
            .execute(params![day.format("%Y-%m-%d").to_string(), name])?;
    }
    Ok(())
}

/// The SLA columns of one ticket.
struct Row {
    priority: i32,
    status: TicketStatus,
    responded: bool,
    clock: SlaClock,
    before: (Option<i64>, Option<i64>),
}

fn row(conn: &Connection, number: i64) -> Result<Row> {
    conn.prepare_cached(
        "SELECT priority, status, responded_at IS NOT NULL, sla_used_ms,
                coalesce(sla_counted_at, created_at), response_due_at, resolution_due_at
         FROM tickets WHERE id = ?1",
    )?
    .query_row([number], |r| {
        Ok(Row {
            priority: r.get(0)?,
            status: TicketStatus::from_i64(r.get(1)?).unwrap_or(TicketStatus::New),
            responded: r.get(2)?,
            clock: SlaClock {
                used_ms: r.get(3)?,
                counted_at: r.get(4)?,
            },
            before: (r.get(5)?, r.get(6)?),
        })
    })
    .optional()?
    .ok_or(StoreError::NotFound)
}

/// Brings a ticket's clock up to `now` under its current status, priority
/// and `settings`: before anything that changes how it counts.
pub fn count(conn: &Connection, number: i64, now: i64, settings: &SlaSettings) -> Result<()> {
    let r = row(conn, number)?;
    let clock = settings.target(r.priority).map_or(Clock::None, |t| t.clock);
    let runs = clock_runs(r.status);
    let counted = r.clock.advance(now, runs, clock, &settings.hours);
    conn.prepare_cached("UPDATE tickets SET sla_used_ms = ?2, sla_counted_at = ?3 WHERE id = ?1")?
        .execute(params![number, counted.used_ms, counted.counted_at])?;
    Ok(())
}

/// Recomputes a ticket's deadlines from its counted clock, after a change.
pub fn recompute(conn: &Connection, number: i64, settings: &SlaSettings) -> Result<()> {
    let r = row(conn, number)?;
    let d = TicketClock {
        clock: r.clock,
        status: r.status,
        responded: r.responded,
        before: r.before,
    }
    .deadlines(
        settings.target(r.priority),
        &settings.hours,
        settings.at_risk_percent,
    );
    conn.prepare_cached(
        "UPDATE tickets SET response_due_at = ?2, resolution_due_at = ?3, next_due_kind = ?4,
            next_due_at = ?5, next_risk_at = ?6 WHERE id = ?1",
    )?
    .execute(params![
        number,
        d.response_due,
        d.resolution_due,
        d.next_kind.map(|k| k as i64),
        d.next_due,
        d.next_risk_from
    ])?;
    Ok(())
}

/// Runs `change` on a ticket with its clock counted up to `now` before and
/// its deadlines recomputed after.
pub fn around<T>(
    conn: &Connection,
    number: i64,
    now: i64,
    change: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let settings = settings(conn)?;
    count(conn, number, now, &settings)?;
    let done = change()?;
    recompute(conn, number, &settings)?;
    Ok(done)
}

/// Counts a ticket's clock again from its timeline, one status change at a
/// time as the server makes them (`around`), then up to `now`. For tickets
/// written straight into the store (the demo's), so that their waits on the
/// client stop the clock as they would have. The priority is the ticket's
/// present one throughout.
pub fn replay(conn: &Connection, number: i64, now: i64, settings: &SlaSettings) -> Result<()> {
    let (created, status): (i64, i64) = conn
        .prepare_cached("SELECT created_at, status FROM tickets WHERE id = ?1")?
        .query_row([number], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let changes: Vec<(i64, String)> = conn
        .prepare_cached(
            "SELECT at, to_value FROM timeline WHERE ticket_id = ?1 AND kind = 4 ORDER BY at, id",
        )?
        .query_map([number], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut set_status = conn.prepare_cached("UPDATE tickets SET status = ?2 WHERE id = ?1")?;
    conn.prepare_cached(
        "UPDATE tickets SET status = ?2, sla_used_ms = 0, sla_counted_at = created_at,
            response_due_at = NULL, resolution_due_at = NULL WHERE id = ?1",
    )?
    .execute(params![number, TicketStatus::New as i64])?;
    recompute(conn, number, settings)?;
    for (at, label) in changes {
        let to = TicketStatus::ALL.into_iter().find(|s| s.label() == label);
        if let Some(to) = to {
            count(conn, number, at.max(created), settings)?;
            set_status.execute(params![number, to as i64])?;
            recompute(conn, number, settings)?;
        }
    }
    // The row's status stands, whatever the timeline said last.
    count(conn, number, now, settings)?;
    set_status.execute(params![number, status])?;
    recompute(conn, number, settings)
}

/// The open tickets (numbers).
fn open_tickets(conn: &Connection) -> Result<Vec<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM tickets WHERE status_group = 1 ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Replaces the settings at `now`: open tickets' clocks are counted under
/// the old settings up to `now`, and their deadlines not yet reached are
/// recomputed under the new ones; returns how many tickets were open.
pub fn change_settings(conn: &Connection, new: &SlaSettings, now: i64) -> Result<usize> {
    let old = settings(conn)?;
    let open = open_tickets(conn)?;
    for n in &open {
        count(conn, *n, now, &old)?;
    }
    save_settings(conn, new)?;
    let new = settings(conn)?;
    for n in &open {
        recompute(conn, *n, &new)?;
    }
    Ok(open.len())
}

/// Open tickets whose next deadline turned at risk or was breached in
/// `(after, upto]`, with the deadline's kind and due time.
pub fn turned(conn: &Connection, after: i64, upto: i64) -> Result<Vec<(i64, i64, i64)>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, next_due_kind, next_due_at FROM tickets
             WHERE status_group = 1 AND next_due_at IS NOT NULL
               AND ((next_due_at > ?1 AND next_due_at <= ?2)
                 OR (next_risk_at > ?1 AND next_risk_at <= ?2))
             ORDER BY id",
        )?
        .query_map([after, upto], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::*;
    use crate::store::tickets::{self, Mover};

    const MIN: i64 = 60_000;

    fn critical(conn: &Connection, at: i64) -> i64 {
        raw_ticket(conn, COMPANY_A, UMA, "down", at);
        let n = conn.last_insert_rowid();
        tickets::set_priority(conn, n, 1, at).unwrap();
        n
    }

    #[test]
    fn new_settings_move_only_deadlines_not_yet_reached() {
        let (_dir, conn) = temp_conn();
        conn.execute(
            "INSERT INTO provider_settings (id, name) VALUES (1, 'P')",
            [],
        )
        .unwrap();
        let late = critical(&conn, 0);
        let fresh = critical(&conn, 100 * MIN);
        let before = tickets::load(&conn, late).unwrap();
        assert_eq!(before.next_due_at, Some(60 * MIN));
        // At 110 min the response target becomes 30 minutes and at risk
        // means less than half left.
        let mut s = settings(&conn).unwrap();
        s.targets[0].target.response_minutes = Some(30);
        s.at_risk_percent = 50;
        assert_eq!(change_settings(&conn, &s, 110 * MIN).unwrap(), 2);
        // Breached at 60 min: that stays history.
        assert_eq!(
            tickets::load(&conn, late).unwrap().next_due_at,
            Some(60 * MIN)
        );
        // 10 of the new 30 minutes used: due at 130 min, at risk from 115.
        let t = tickets::load(&conn, fresh).unwrap();
        assert_eq!(
            (t.next_due_at, t.next_risk_at),
            (Some(130 * MIN), Some(115 * MIN))
        );
        assert_eq!(settings(&conn).unwrap(), s);
        // The sweep finds each change once, in the window it happened.
        let found = |a, b| {
            turned(&conn, a, b)
                .unwrap()
                .into_iter()
                .map(|(n, _, _)| n)
                .collect::<Vec<_>>()
        };
        assert_eq!(found(110 * MIN, 114 * MIN), Vec::<i64>::new());
        assert_eq!(found(114 * MIN, 116 * MIN), vec![fresh]);
        assert_eq!(found(116 * MIN, 130 * MIN), vec![fresh]);
        assert_eq!(found(130 * MIN, 200 * MIN), Vec::<i64>::new());
        // Waiting on the client: nothing runs, nothing is announced.
        tickets::set_status(
            &conn,
            fresh,
            TicketStatus::WaitingOnClient,
            Mover::Staff,
            111 * MIN,
        )
        .unwrap();
        assert_eq!(found(110 * MIN, 200 * MIN), Vec::<i64>::new());
    }
}
