//! Time entries, timers, "My time", work types and the time settings.

use chrono::{Datelike, Days, NaiveDate, TimeZone};
use chrono_tz::Tz;
use portal_proto::pb;
use rusqlite::Connection;
use tonic::{Request, Status};

use super::super::authn::caller;
use super::super::events::TicketEvent;
use super::super::input;
use super::super::outcome::Outcome;
use super::super::status::invalid;
use super::super::tickets::{author, visible};
use super::{Work, conv, event, staff_id, validate};
use crate::domain::AuditAction;
use crate::domain::tickets::Author;
use crate::domain::work::TimeEntry;
use crate::policy::{self, Denied};
use crate::store::audit::{self, AuditEvent};
use crate::store::time_entries::{self, Owner};
use crate::store::{StoreError, now_ms, timers, work_settings, work_types};

/// The event of a time entry logged, changed or deleted on ticket `number`
/// (time entries are told to staff only).
fn time_changed(
    conn: &Connection,
    number: i64,
    by: &Author,
    summary: String,
    now: i64,
) -> Outcome<TicketEvent> {
    event(
        conn,
        (number, true),
        pb::EventKind::TimeEntryChanged,
        by,
        summary,
        now,
    )
}

/// The start of a local day in `zone`, as UTC milliseconds.
fn day_start(zone: Tz, d: NaiveDate) -> i64 {
    let midnight = d.and_time(chrono::NaiveTime::MIN);
    zone.from_local_datetime(&midnight)
        .earliest()
        // A zone whose midnight is skipped starts the day an hour later.
        .or_else(|| {
            zone.from_local_datetime(&(midnight + chrono::TimeDelta::hours(1)))
                .earliest()
        })
        .map_or(0, |t| t.timestamp_millis())
}

/// Sums a week of entries into its seven days (`monday` first).
fn day_totals(zone: Tz, monday: NaiveDate, entries: &[TimeEntry]) -> Vec<pb::DayTotal> {
    (0..7)
        .filter_map(|i| monday.checked_add_days(Days::new(i)))
        .map(|d| {
            let (from, to) = (
                day_start(zone, d),
                d.succ_opt().map_or(i64::MAX, |n| day_start(zone, n)),
            );
            let of_day = entries
                .iter()
                .filter(|e| e.ended_at >= from && e.ended_at < to);
            let (mut minutes, mut billable) = (0, 0);
            for e in of_day {
                minutes += e.minutes;
                if e.billable {
                    billable += e.minutes;
                }
            }
            pb::DayTotal {
                date: d.format("%Y-%m-%d").to_string(),
                minutes: u32::try_from(minutes).unwrap_or(u32::MAX),
                billable_minutes: u32::try_from(billable).unwrap_or(u32::MAX),
            }
        })
        .collect()
}

impl Work {
    pub(super) async fn log(
        &self,
        request: Request<pb::LogTimeRequest>,
    ) -> Result<pb::TimeEntry, Status> {
        let who = caller(&request)?.clone();
        let req = request.into_inner();
        let number = input::id("number", req.number)?;
        let now = now_ms();
        let time = validate::time(req.time.as_ref(), now)?;
        let by = author(&who);
        let me = staff_id(&who.principal);
        let (entry, told) = self
            .state
            .write(move |conn| {
                let facts = visible(conn, number, &who.principal)?;
                policy::log_time(&who.principal, &facts)?;
                active_work_type(conn, time.work_type_id)?;
                let owner = Owner {
                    ticket_id: number,
                    company_id: facts.company_id,
                    staff_id: by.id,
                    staff_name: &by.name,
                };
                let entry = time_entries::add(conn, owner, &time, now)?;
                let summary = format!("{} logged {} min on #{number}", by.name, entry.minutes);
                let told = time_changed(conn, number, &by, summary, now)?;
                Ok((entry, told))
            })
            .await?;
        self.state.events.publish(told);
        Ok(conv::time_entry(entry, me, false, String::new()))
    }

    pub(super) async fn update(
        &self,
        request: Request<pb::UpdateTimeEntryRequest>,
    ) -> Result<pb::TimeEntry, Status> {
        let who = caller(&request)?.clone();
        let req = request.into_inner();
        let id = input::id("id", req.id)?;
        let now = now_ms();
        let time = validate::time(req.time.as_ref(), now)?;
        let by = author(&who);
        let me = staff_id(&who.principal);
        let (entry, told) = self
            .state
            .write(move |conn| {
                let number = own_entry(conn, &who.principal, id)?;
                if time_entries::get(conn, id)?.is_some_and(|e| e.work_type_id != time.work_type_id)
                {
                    active_work_type(conn, time.work_type_id)?;
                }
                let entry = time_entries::update(conn, id, &time, now)?;
                let summary = format!("{} changed time on #{number}", by.name);
                let told = time_changed(conn, number, &by, summary, now)?;
                Ok((entry, told))
            })
            .await?;
        self.state.events.publish(told);
        Ok(conv::time_entry(entry, me, false, String::new()))
    }

    pub(super) async fn delete(
        &self,
        request: Request<pb::TimeEntryRef>,
    ) -> Result<pb::Empty, Status> {
        let who = caller(&request)?.clone();
        let id = input::id("id", request.get_ref().id)?;
        let now = now_ms();
        let by = author(&who);
        let told = self
            .state
            .write(move |conn| {
                let number = own_entry(conn, &who.principal, id)?;
                time_entries::delete(conn, id)?;
                let summary = format!("{} deleted time on #{number}", by.name);
                time_changed(conn, number, &by, summary, now)
            })
            .await?;
        self.state.events.publish(told);
        Ok(pb::Empty {})
    }

    pub(super) async fn my_time(
        &self,
        request: &Request<pb::ListMyTimeRequest>,
    ) -> Result<pb::MyTime, Status> {
        let who = caller(request)?;
        policy::track_time(&who.principal)?;
        let me = staff_id(&who.principal).unwrap_or_default();
        let week_of = request.get_ref().week_of.trim().to_owned();
        let asked = if week_of.is_empty() {
            None
        } else {
            Some(
                crate::domain::input::parse_date(&week_of)
                    .ok_or_else(|| invalid("week_of", "not a valid date (YYYY-MM-DD)"))?,
            )
        };
        let now = now_ms();
        self.state
            .read(move |conn| {
                let zone = work_settings::get(conn)?.zone;
                let day = asked.unwrap_or_else(|| {
                    zone.timestamp_millis_opt(now)
                        .single()
                        .map_or(NaiveDate::MIN, |t| t.date_naive())
                });
                let monday = day
                    .checked_sub_days(Days::new(u64::from(day.weekday().num_days_from_monday())))
                    .unwrap_or(day);
                let end = monday.checked_add_days(Days::new(7)).unwrap_or(monday);
                let range = (day_start(zone, monday), day_start(zone, end));
                let rows = time_entries::of_staff(conn, me, range)?;
                let entries: Vec<TimeEntry> = rows.iter().map(|(e, _)| e.clone()).collect();
                Ok(pb::MyTime {
                    days: day_totals(zone, monday, &entries),
                    entries: rows
                        .into_iter()
                        .map(|(e, title)| conv::time_entry(e, Some(me), false, title))
                        .collect(),
                })
            })
            .await
    }

    pub(super) fn timer(&self, request: &Request<pb::Empty>) -> Result<pb::TimerState, Status> {
        let who = caller(request)?;
        policy::track_time(&who.principal)?;
        let me = staff_id(&who.principal).unwrap_or_default();
        let timer = self.state.read_inline(|conn| Ok(timers::get(conn, me)?))?;
        Ok(conv::timer(timer, None))
    }

    pub(super) async fn start(
        &self,
        request: &Request<pb::StartTimerRequest>,
    ) -> Result<pb::TimerState, Status> {
        let who = caller(request)?.clone();
        policy::track_time(&who.principal)?;
        let number = input::id("number", request.get_ref().number)?;
        let me = staff_id(&who.principal).unwrap_or_default();
        let now = now_ms();
        let timer = self
            .state
            .write(move |conn| {
                let facts = visible(conn, number, &who.principal)?;
                policy::log_time(&who.principal, &facts)?;
                Ok(timers::start(conn, me, number, now)?)
            })
            .await?;
        Ok(conv::timer(Some(timer), None))
    }

    pub(super) async fn stop(
        &self,
        request: &Request<pb::Empty>,
    ) -> Result<pb::TimerState, Status> {
        let who = caller(request)?;
        policy::track_time(&who.principal)?;
        let me = staff_id(&who.principal).unwrap_or_default();
        let now = now_ms();
        let timer = self
            .state
            .write(move |conn| Ok(timers::stop(conn, me)?))
            .await?;
        Ok(conv::timer(Some(timer), Some(now)))
    }

    pub(super) fn work_types(
        &self,
        request: &Request<pb::ListWorkTypesRequest>,
    ) -> Result<pb::ListWorkTypesResponse, Status> {
        let who = caller(request)?;
        policy::track_time(&who.principal)?;
        let include_retired = request.get_ref().include_retired;
        if include_retired {
            policy::administer_provider(&who.principal)?;
        }
        let list = self
            .state
            .read_inline(|conn| Ok(work_types::list(conn, include_retired)?))?;
        Ok(pb::ListWorkTypesResponse {
            work_types: list.into_iter().map(conv::work_type).collect(),
        })
    }

    /// A provider Admin's change to the work types, audited.
    async fn edit_type(
        &self,
        who: &crate::domain::Caller,
        change: impl FnOnce(
            &rusqlite::Connection,
        ) -> crate::store::Result<Option<crate::domain::work::WorkType>>
        + Send
        + 'static,
    ) -> Result<pb::WorkType, Status> {
        policy::administer_provider(&who.principal)?;
        let who = who.clone();
        let now = now_ms();
        let changed = self
            .state
            .write(move |conn| {
                let w = change(conn)?.ok_or(Denied::NotFound)?;
                let record = AuditEvent::by(&who, AuditAction::WorkTypeChanged, &w.name, None);
                audit::record(
                    conn,
                    now,
                    &AuditEvent {
                        detail: if w.active { "active" } else { "retired" }.into(),
                        ..record
                    },
                )?;
                Ok(w)
            })
            .await?;
        Ok(conv::work_type(changed))
    }

    pub(super) async fn create_type(
        &self,
        request: &Request<pb::CreateWorkTypeRequest>,
    ) -> Result<pb::WorkType, Status> {
        let who = caller(request)?;
        let name = input::text("name", &request.get_ref().name, 100, true)?;
        self.edit_type(who, move |conn| work_types::create(conn, &name).map(Some))
            .await
    }

    pub(super) async fn rename_type(
        &self,
        request: &Request<pb::RenameWorkTypeRequest>,
    ) -> Result<pb::WorkType, Status> {
        let who = caller(request)?;
        let id = input::id("id", request.get_ref().id)?;
        let name = input::text("name", &request.get_ref().name, 100, true)?;
        self.edit_type(who, move |conn| work_types::rename(conn, id, &name))
            .await
    }

    pub(super) async fn retire_type(
        &self,
        request: &Request<pb::SetWorkTypeActiveRequest>,
    ) -> Result<pb::WorkType, Status> {
        let who = caller(request)?;
        let id = input::id("id", request.get_ref().id)?;
        let active = request.get_ref().active;
        self.edit_type(who, move |conn| work_types::set_active(conn, id, active))
            .await
    }

    /// Reads the time settings (staff), or changes them (`set`, provider
    /// Admins; audited).
    pub(super) async fn settings<T>(
        &self,
        request: &Request<T>,
        set: Option<bool>,
    ) -> Result<pb::WorkSettings, Status> {
        let who = caller(request)?.clone();
        policy::track_time(&who.principal)?;
        let Some(on) = set else {
            let s = self
                .state
                .read_inline(|conn| Ok(work_settings::get(conn)?))?;
            return Ok(pb::WorkSettings {
                clients_see_time: s.clients_see_time,
            });
        };
        policy::administer_provider(&who.principal)?;
        let now = now_ms();
        self.state
            .write(move |conn| {
                work_settings::set_clients_see_time(conn, on)?;
                let record = AuditEvent {
                    detail: format!("clients_see_time = {on}"),
                    ..AuditEvent::by(
                        &who,
                        AuditAction::WorkSettingsChanged,
                        "time settings",
                        None,
                    )
                };
                audit::record(conn, now, &record)?;
                Ok(())
            })
            .await?;
        Ok(pb::WorkSettings {
            clients_see_time: on,
        })
    }
}

/// Refuses a work type that does not exist or is retired.
fn active_work_type(conn: &rusqlite::Connection, id: i64) -> Result<(), StoreError> {
    if work_types::is_active(conn, id)? {
        Ok(())
    } else {
        Err(StoreError::invalid(
            "time.work_type_id",
            "no such active work type",
        ))
    }
}

/// The ticket of a time entry the caller logged, after checking it may see
/// it (NOT_FOUND otherwise) and that it is its own.
fn own_entry(
    conn: &rusqlite::Connection,
    p: &crate::domain::Principal,
    id: i64,
) -> super::Outcome<i64> {
    let entry = time_entries::get(conn, id)?.ok_or(Denied::NotFound)?;
    let facts = visible(conn, entry.ticket_id, p)?;
    policy::change_time_entry(p, &facts, entry.staff_id)?;
    Ok(entry.ticket_id)
}
