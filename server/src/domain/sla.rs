//! SLA due times: minutes counted on a 24×7 or business-hours clock.
//! Business hours, weekdays and holidays are those of the provider's time
//! zone; due times are instants (UTC milliseconds).
//!
//! A ticket's clock ([`SlaClock`]) counts the time used so far; it stops
//! while the ticket waits on the client, and each deadline is "now plus
//! what is left of its target" (docs/TICKETS.md, "SLA").

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone};
use chrono_tz::Tz;

use super::TicketStatus;

/// Which minutes count towards a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    Always,
    Business,
    /// No due time ("as scheduled").
    None,
}

impl Clock {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "24x7" => Some(Self::Always),
            "business" => Some(Self::Business),
            "none" => Some(Self::None),
            _ => None,
        }
    }
}

/// One priority's targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaTarget {
    pub response_minutes: Option<i64>,
    pub resolution_minutes: Option<i64>,
    pub clock: Clock,
}

/// The provider's working week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessHours {
    /// Monday first.
    pub days: [bool; 7],
    /// Minutes after local midnight.
    pub start_minute: i64,
    pub end_minute: i64,
    pub holidays: Vec<NaiveDate>,
    pub zone: Tz,
}

impl Default for BusinessHours {
    /// Monday to Friday, 08:00–17:00, UTC.
    fn default() -> Self {
        Self {
            days: [true, true, true, true, true, false, false],
            start_minute: 8 * 60,
            end_minute: 17 * 60,
            holidays: Vec::new(),
            zone: Tz::UTC,
        }
    }
}

const MINUTE_MS: i64 = 60_000;

impl SlaTarget {
    /// `(response due, resolution due)` for a ticket raised at `start`.
    pub fn due(&self, start: i64, hours: &BusinessHours) -> (Option<i64>, Option<i64>) {
        let at = |m: Option<i64>| m.and_then(|m| add_minutes(start, m, self.clock, hours));
        (at(self.response_minutes), at(self.resolution_minutes))
    }
}

/// `start` plus `minutes` counted on `clock`.
pub fn add_minutes(start: i64, minutes: i64, clock: Clock, hours: &BusinessHours) -> Option<i64> {
    add_ms(start, minutes * MINUTE_MS, clock, hours)
}

/// `start` plus `ms` milliseconds counted on `clock`: the first instant at
/// which that much clock time has passed.
pub fn add_ms(start: i64, ms: i64, clock: Clock, hours: &BusinessHours) -> Option<i64> {
    match clock {
        Clock::None => None,
        Clock::Always => Some(start + ms),
        Clock::Business => Some(add_business_ms(start, ms, hours)),
    }
}

/// The clock time counted from `from` to `to` (0 when `to` is not later).
/// The inverse of [`add_ms`]: `elapsed(s, add_ms(s, m)) == m`.
pub fn elapsed(from: i64, to: i64, clock: Clock, hours: &BusinessHours) -> i64 {
    if to <= from {
        return 0;
    }
    match clock {
        Clock::None => 0,
        Clock::Always => to - from,
        Clock::Business => business_days(from, hours).map_or(to - from, |(days, horizon)| {
            let mut counted = 0;
            for (open, close) in days {
                if open >= to {
                    break;
                }
                counted += close.min(to) - open.max(from);
            }
            counted + (to - horizon.max(from)).max(0)
        }),
    }
}

/// Business time between many pairs of instants of one span, each in
/// O(log days) instead of a walk over the days between them: the span's
/// business hours are laid out once with their running total (the ticket
/// reports measure hundreds of thousands of tickets this way). Gives
/// exactly what [`elapsed`] gives on the business clock.
pub struct BusinessCalendar<'h> {
    hours: &'h BusinessHours,
    span: (i64, i64),
    /// Each business stretch `[open, close)` of the span, in order, with
    /// the business time of the span before it; None when the calendar
    /// has no working time (then every minute counts, as in [`elapsed`]).
    stretches: Option<Vec<(i64, i64, i64)>>,
}

impl<'h> BusinessCalendar<'h> {
    /// The calendar of `[start, end]`. A span longer than the horizon is
    /// not laid out: its pairs are measured one by one.
    pub fn new(hours: &'h BusinessHours, start: i64, end: i64) -> Self {
        const DAY_MS: i64 = 86_400_000;
        let short = end.saturating_sub(start) < (HORIZON_DAYS as i64 - 2) * DAY_MS;
        let stretches = business_days(start, hours).map(|(days, _)| {
            let mut before = 0;
            days.take_while(|(open, _)| short && *open < end)
                .map(|(open, close)| {
                    let stretch = (open, close, before);
                    before += close - open;
                    stretch
                })
                .collect()
        });
        Self {
            hours,
            span: (start, end),
            stretches: stretches.filter(|_| short),
        }
    }

    /// Business time from `from` to `to`, as `elapsed(from, to, Business)`.
    pub fn elapsed(&self, from: i64, to: i64) -> i64 {
        let (start, end) = self.span;
        match &self.stretches {
            _ if to <= from => 0,
            Some(stretches) if from >= start && to <= end => {
                let upto = |t: i64| {
                    let i = stretches.partition_point(|(open, _, _)| *open < t);
                    i.checked_sub(1).map_or(0, |i| {
                        let (open, close, before) = stretches[i];
                        before + t.min(close) - open
                    })
                };
                upto(to) - upto(from)
            }
            _ => elapsed(from, to, Clock::Business, self.hours),
        }
    }
}

/// How far ahead business days are looked for: ten years of days is far
/// beyond any target on any usable calendar; beyond it every minute counts
/// (the same for `add_ms` and `elapsed`, so each stays the other's inverse).
const HORIZON_DAYS: u64 = 3660;

/// The business hours `[open, close)` from `start` on, day by day, the
/// first one cut to begin at `start`, up to the horizon (also returned);
/// None when the calendar has no working time at all (then every minute
/// counts).
fn business_days(
    start: i64,
    hours: &BusinessHours,
) -> Option<(impl Iterator<Item = (i64, i64)>, i64)> {
    let usable = hours.days.iter().any(|d| *d) && hours.end_minute > hours.start_minute;
    let first = hours.zone.timestamp_millis_opt(start).single()?;
    if !usable {
        return None;
    }
    let first = first.date_naive();
    let horizon = first
        .checked_add_days(Days::new(HORIZON_DAYS))
        .map_or(i64::MAX, |day| instant(hours.zone, day, 0));
    let mut date = Some(first);
    let days = std::iter::from_fn(move || {
        let day = date?;
        date = day.checked_add_days(Days::new(1));
        Some(day)
    })
    .take(HORIZON_DAYS as usize)
    .filter(|day| is_business_day(*day, hours))
    .filter_map(move |day| {
        let open = instant(hours.zone, day, hours.start_minute);
        let close = instant(hours.zone, day, hours.end_minute);
        let from = start.max(open);
        (from < close).then_some((from, close))
    });
    Some((days, horizon))
}

fn add_business_ms(start: i64, ms: i64, hours: &BusinessHours) -> i64 {
    let Some((days, horizon)) = business_days(start, hours) else {
        return start + ms;
    };
    let mut left = ms;
    for (from, close) in days {
        if left <= close - from {
            return from + left;
        }
        left -= close - from;
    }
    horizon.max(start).saturating_add(left)
}

/// The instant of `minute` after midnight on `date` in `zone`. A local time
/// skipped by a clock change counts from the end of the gap; one repeated
/// counts from its first occurrence.
fn instant(zone: Tz, date: NaiveDate, minute: i64) -> i64 {
    let local = NaiveDateTime::new(date, NaiveTime::MIN) + TimeDelta::minutes(minute);
    (0..=180)
        .step_by(15)
        .find_map(|skip| {
            zone.from_local_datetime(&(local + TimeDelta::minutes(skip)))
                .earliest()
        })
        .map_or(local.and_utc().timestamp_millis(), |t| t.timestamp_millis())
}

fn is_business_day(date: NaiveDate, hours: &BusinessHours) -> bool {
    hours.days[date.weekday().num_days_from_monday() as usize] && !hours.holidays.contains(&date)
}

/// Whether a ticket in `status` runs its SLA clock: not while it waits on
/// the client, and not once the provider has completed it.
pub fn clock_runs(status: TicketStatus) -> bool {
    matches!(
        status,
        TicketStatus::New | TicketStatus::InProgress | TicketStatus::Scheduled
    )
}

/// Whose move a ticket in `status` is (docs/TICKETS.md, "Whose move").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhoseMove {
    Provider,
    Client,
    /// Closed, cancelled, or nothing to do.
    Nobody,
}

pub fn whose_move(status: TicketStatus) -> WhoseMove {
    match status {
        TicketStatus::New | TicketStatus::InProgress | TicketStatus::Scheduled => {
            WhoseMove::Provider
        }
        TicketStatus::WaitingOnClient | TicketStatus::Completed => WhoseMove::Client,
        TicketStatus::Closed | TicketStatus::Cancelled | TicketStatus::NoActionRequired => {
            WhoseMove::Nobody
        }
    }
}

/// A ticket's SLA clock: the clock time used so far, counted up to
/// `counted_at`. Both targets count from the same start on the same clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaClock {
    pub used_ms: i64,
    pub counted_at: i64,
}

impl SlaClock {
    pub fn start(at: i64) -> Self {
        Self {
            used_ms: 0,
            counted_at: at,
        }
    }

    /// The count brought up to `now`; `runs` says whether the clock ran
    /// since the last count (the status the ticket had meanwhile).
    #[must_use]
    pub fn advance(self, now: i64, runs: bool, clock: Clock, hours: &BusinessHours) -> Self {
        if now <= self.counted_at {
            return self;
        }
        let used = if runs {
            elapsed(self.counted_at, now, clock, hours)
        } else {
            0
        };
        Self {
            used_ms: self.used_ms + used,
            counted_at: now,
        }
    }

    /// The instant a target of `minutes` is reached, seen at `counted_at`:
    /// None when there is no target, or while the clock is stopped and the
    /// target is not yet reached. A target already reached keeps the
    /// instant it was reached at (`before`), never moved by a later change.
    pub fn due(
        self,
        minutes: Option<i64>,
        runs: bool,
        before: Option<i64>,
        (clock, hours): (Clock, &BusinessHours),
    ) -> Option<i64> {
        let budget = minutes.filter(|_| clock != Clock::None)? * MINUTE_MS;
        if self.used_ms >= budget {
            return Some(
                before
                    .filter(|b| *b <= self.counted_at)
                    .unwrap_or(self.counted_at),
            );
        }
        if !runs {
            return None;
        }
        add_ms(self.counted_at, budget - self.used_ms, clock, hours)
    }

    /// When less than `at_risk_percent` of a target of `minutes` is left;
    /// `counted_at` if that is already so.
    pub fn risk_from(
        self,
        minutes: i64,
        at_risk_percent: i64,
        (clock, hours): (Clock, &BusinessHours),
    ) -> Option<i64> {
        let budget = minutes * MINUTE_MS;
        let safe = budget - budget * at_risk_percent.clamp(0, 100) / 100;
        add_ms(self.counted_at, (safe - self.used_ms).max(0), clock, hours)
    }
}

/// Which deadline a ticket's next one is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineKind {
    Response = 1,
    Resolution = 2,
}

impl DeadlineKind {
    pub fn from_i64(n: i64) -> Option<Self> {
        match n {
            1 => Some(Self::Response),
            2 => Some(Self::Resolution),
            _ => None,
        }
    }
}

/// How a ticket stands against its next deadline at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaState {
    /// No deadline running (no target, clock stopped, or not open).
    None,
    OnTime,
    /// Less than the configured share of the target is left.
    AtRisk,
    Breached,
}

/// The state at `now` of a deadline due at `due`, at risk from `risk_from`.
pub fn state_at(due: Option<i64>, risk_from: Option<i64>, now: i64) -> SlaState {
    match due {
        None => SlaState::None,
        Some(due) if now >= due => SlaState::Breached,
        Some(_) if risk_from.is_some_and(|r| now >= r) => SlaState::AtRisk,
        Some(_) => SlaState::OnTime,
    }
}

/// A ticket's deadlines as computed at its clock's `counted_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Deadlines {
    pub response_due: Option<i64>,
    pub resolution_due: Option<i64>,
    /// The next deadline: the response until there is one, then the
    /// resolution; None once the ticket is not open or has no target.
    pub next_kind: Option<DeadlineKind>,
    /// None while the clock is stopped short of it.
    pub next_due: Option<i64>,
    pub next_risk_from: Option<i64>,
}

/// What a ticket's deadlines are computed from.
#[derive(Debug, Clone, Copy)]
pub struct TicketClock {
    pub clock: SlaClock,
    pub status: TicketStatus,
    pub responded: bool,
    /// The deadlines stored before: those already reached or met stay.
    pub before: (Option<i64>, Option<i64>),
}

impl TicketClock {
    /// The deadlines under `target` (of the ticket's priority), `hours` and
    /// the at-risk share. A ticket that is not open keeps what it had.
    pub fn deadlines(
        &self,
        target: Option<SlaTarget>,
        hours: &BusinessHours,
        at_risk_percent: i64,
    ) -> Deadlines {
        let kept = Deadlines {
            response_due: self.before.0,
            resolution_due: self.before.1,
            ..Deadlines::default()
        };
        let Some(target) = target.filter(|_| self.status.is_open()) else {
            return kept;
        };
        let on = (target.clock, hours);
        let runs = clock_runs(self.status);
        let response_due = if self.responded {
            self.before.0
        } else {
            self.clock
                .due(target.response_minutes, runs, self.before.0, on)
        };
        let resolution_due = self
            .clock
            .due(target.resolution_minutes, runs, self.before.1, on);
        let next = match (
            self.responded,
            target.response_minutes,
            target.resolution_minutes,
        ) {
            _ if target.clock == Clock::None => None,
            (false, Some(m), _) => Some((DeadlineKind::Response, m, response_due)),
            (_, _, Some(m)) => Some((DeadlineKind::Resolution, m, resolution_due)),
            _ => None,
        };
        let Some((kind, minutes, due)) = next else {
            return Deadlines {
                response_due,
                resolution_due,
                ..Deadlines::default()
            };
        };
        let risk = due.and_then(|d| {
            if d <= self.clock.counted_at {
                Some(d)
            } else {
                self.clock.risk_from(minutes, at_risk_percent, on)
            }
        });
        Deadlines {
            response_due,
            resolution_due,
            next_kind: Some(kind),
            next_due: due,
            next_risk_from: risk,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn ms(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn business_minutes_skip_nights_weekends_and_holidays() {
        let mut hours = BusinessHours::default();
        // Friday 16:30 + 60 min = Monday 08:30.
        let fri = ms(2026, 3, 6, 16, 30);
        assert_eq!(
            add_minutes(fri, 60, Clock::Business, &hours),
            Some(ms(2026, 3, 9, 8, 30))
        );
        // Saturday 10:00 + 60 = Monday 09:00.
        assert_eq!(
            add_minutes(ms(2026, 3, 7, 10, 0), 60, Clock::Business, &hours),
            Some(ms(2026, 3, 9, 9, 0))
        );
        // Early morning starts at opening time.
        assert_eq!(
            add_minutes(ms(2026, 3, 9, 6, 0), 30, Clock::Business, &hours),
            Some(ms(2026, 3, 9, 8, 30))
        );
        // Three business days of 540 minutes from Monday 08:00 = Wednesday 17:00.
        assert_eq!(
            add_minutes(ms(2026, 3, 9, 8, 0), 1620, Clock::Business, &hours),
            Some(ms(2026, 3, 11, 17, 0))
        );
        hours
            .holidays
            .push(NaiveDate::from_ymd_opt(2026, 3, 9).unwrap());
        assert_eq!(
            add_minutes(fri, 60, Clock::Business, &hours),
            Some(ms(2026, 3, 10, 8, 30))
        );
        assert_eq!(
            add_minutes(fri, 60, Clock::Always, &hours),
            Some(fri + 3_600_000)
        );
        assert_eq!(add_minutes(fri, 60, Clock::None, &hours), None);
    }

    #[test]
    fn business_hours_are_the_providers_local_hours() {
        let hours = BusinessHours {
            zone: chrono_tz::America::Chicago,
            ..BusinessHours::default()
        };
        // Monday 2026-03-02 14:30 UTC is 08:30 in Chicago (CST, UTC-6):
        // 60 minutes later is 09:30 local, 15:30 UTC.
        assert_eq!(
            add_minutes(ms(2026, 3, 2, 14, 30), 60, Clock::Business, &hours),
            Some(ms(2026, 3, 2, 15, 30))
        );
        // Friday 16:30 local (22:30 UTC) + 60 = Monday 08:30 local.
        assert_eq!(
            add_minutes(ms(2026, 3, 6, 22, 30), 60, Clock::Business, &hours),
            Some(ms(2026, 3, 9, 13, 30)) // CDT from 8 March: UTC-5
        );
        // Saturday 03:00 UTC is still Friday 21:00 in Chicago: after hours,
        // so the clock starts Monday at 08:00 local.
        assert_eq!(
            add_minutes(ms(2026, 3, 7, 3, 0), 30, Clock::Business, &hours),
            Some(ms(2026, 3, 9, 13, 30))
        );
        // The day clocks go forward opens at local 08:00 all the same.
        let sunday_open = BusinessHours {
            days: [true; 7],
            start_minute: 2 * 60 + 30, // 02:30 does not exist on 8 March
            ..hours
        };
        assert_eq!(
            add_minutes(ms(2026, 3, 8, 7, 0), 15, Clock::Business, &sunday_open),
            Some(ms(2026, 3, 8, 8, 15)) // from 03:00 CDT = 08:00 UTC
        );
    }
}

/// Found by the property test: on a calendar of one working hour a week,
/// a long target outran the ten years of days looked at, and its due time
/// fell back to wall-clock time that the clock itself did not count.
#[cfg(test)]
#[test]
fn a_target_beyond_the_horizon_stays_the_inverse_of_the_count() {
    use chrono::Utc;
    let hours = BusinessHours {
        days: [true, false, false, false, false, false, false],
        start_minute: 5 * 60,
        end_minute: 6 * 60,
        ..BusinessHours::default()
    };
    let start = Utc
        .with_ymd_and_hms(2026, 3, 5, 0, 0, 0)
        .unwrap()
        .timestamp_millis();
    for ms in [1_882_800_001, 366 * 24 * 60 * MINUTE_MS] {
        let due = add_ms(start, ms, Clock::Business, &hours).unwrap();
        assert_eq!(elapsed(start, due, Clock::Business, &hours), ms);
    }
}

/// The SLA clock against a minute-by-minute count (docs/TICKETS.md, "SLA").
#[cfg(test)]
mod clock_tests {
    use chrono::{Timelike, Utc};
    use proptest::prelude::*;

    use super::*;

    const HOUR: i64 = 60 * MINUTE_MS;

    fn p1() -> SlaTarget {
        SlaTarget {
            response_minutes: Some(60),
            resolution_minutes: Some(240),
            clock: Clock::Always,
        }
    }

    fn at(clock: SlaClock, status: TicketStatus, responded: bool) -> TicketClock {
        TicketClock {
            clock,
            status,
            responded,
            before: (None, None),
        }
    }

    #[test]
    fn waiting_on_the_client_stops_the_clock_and_keeps_what_is_left() {
        let hours = BusinessHours::default();
        let c = SlaClock::start(0);
        let d = at(c, TicketStatus::New, false).deadlines(Some(p1()), &hours, 25);
        assert_eq!(d.response_due, Some(HOUR));
        assert_eq!(d.next_kind, Some(DeadlineKind::Response));
        // At risk with less than 25 % (15 of 60 minutes) left.
        assert_eq!(d.next_risk_from, Some(45 * MINUTE_MS));
        // Responded at 10 min, waiting on the client from 30 min...
        let c = c.advance(30 * MINUTE_MS, true, Clock::Always, &hours);
        let paused = at(c, TicketStatus::WaitingOnClient, true).deadlines(Some(p1()), &hours, 25);
        assert_eq!(
            (paused.next_kind, paused.next_due),
            (Some(DeadlineKind::Resolution), None)
        );
        // ...until 5 h: 210 of the 240 minutes are left.
        let c = c.advance(5 * HOUR, false, Clock::Always, &hours);
        assert_eq!(c.used_ms, 30 * MINUTE_MS);
        let resumed = at(c, TicketStatus::InProgress, true).deadlines(Some(p1()), &hours, 25);
        assert_eq!(resumed.next_due, Some(5 * HOUR + 210 * MINUTE_MS));
        assert_eq!(
            state_at(resumed.next_due, resumed.next_risk_from, 6 * HOUR),
            SlaState::OnTime
        );
        assert_eq!(
            state_at(resumed.next_due, resumed.next_risk_from, 8 * HOUR),
            SlaState::AtRisk
        );
        assert_eq!(
            state_at(resumed.next_due, resumed.next_risk_from, 9 * HOUR),
            SlaState::Breached
        );
    }

    #[test]
    fn a_deadline_reached_stays_where_it_was_reached() {
        let hours = BusinessHours::default();
        let c = SlaClock::start(0).advance(2 * HOUR, true, Clock::Always, &hours);
        let mut t = at(c, TicketStatus::WaitingOnClient, false);
        t.before = (Some(HOUR), Some(4 * HOUR));
        let d = t.deadlines(Some(p1()), &hours, 25);
        // Breached at 1 h, before the pause: the pause does not undo it.
        assert_eq!((d.response_due, d.next_due), (Some(HOUR), Some(HOUR)));
        assert_eq!(d.resolution_due, None);
        // A met response stays as it was; a ticket no longer open keeps all.
        t.responded = true;
        assert_eq!(t.deadlines(Some(p1()), &hours, 25).response_due, Some(HOUR));
        t.status = TicketStatus::Completed;
        let done = t.deadlines(Some(p1()), &hours, 25);
        assert_eq!(
            (done.resolution_due, done.next_kind),
            (Some(4 * HOUR), None)
        );
    }

    /// Whether the minute starting at `t` is a business minute, read off
    /// the local clock: the count the day-by-day arithmetic must match.
    fn business_minute(t: i64, hours: &BusinessHours) -> bool {
        let local = hours
            .zone
            .timestamp_millis_opt(t)
            .single()
            .expect("a valid instant");
        let minute = i64::from(local.hour() * 60 + local.minute());
        is_business_day(local.date_naive(), hours)
            && minute >= hours.start_minute
            && minute < hours.end_minute
    }

    fn counted(from: i64, to: i64, hours: &BusinessHours) -> i64 {
        (from / MINUTE_MS..to / MINUTE_MS)
            .filter(|m| business_minute(m * MINUTE_MS, hours))
            .count() as i64
            * MINUTE_MS
    }

    fn hours_strategy() -> impl Strategy<Value = BusinessHours> {
        let zones = prop::sample::select(vec![
            Tz::UTC,
            chrono_tz::America::Chicago,
            chrono_tz::Europe::Berlin,
            chrono_tz::Australia::Sydney,
            // Half-hour clock changes; changes at local midnight.
            chrono_tz::Australia::Lord_Howe,
            chrono_tz::America::Santiago,
            chrono_tz::America::Havana,
        ]);
        (
            zones,
            prop::array::uniform7(any::<bool>()),
            5 * 60..11 * 60_i64,
            60..10 * 60_i64,
            prop::collection::vec(0..40_u64, 0..4),
        )
            .prop_map(|(zone, mut days, start, length, holidays)| {
                days[0] = true;
                BusinessHours {
                    days,
                    start_minute: start,
                    end_minute: (start + length).min(23 * 60),
                    holidays: holidays
                        .into_iter()
                        .filter_map(|d| {
                            NaiveDate::from_ymd_opt(2026, 3, 1)?.checked_add_days(Days::new(d))
                        })
                        .collect(),
                    zone,
                }
            })
    }

    /// Starts near the clock changes of 2026 (March, April, September,
    /// October and November).
    fn start_strategy() -> impl Strategy<Value = i64> {
        let anchors = prop::sample::select(vec![
            Utc.with_ymd_and_hms(2026, 3, 5, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 3, 26, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 9, 3, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 10, 22, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 10, 29, 0, 0, 0).unwrap(),
        ]);
        (anchors, 0..7 * 24 * 60_i64).prop_map(|(a, m)| a.timestamp_millis() + m * MINUTE_MS)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Running and stopped stretches, counted at every change: the
        /// clock holds exactly the business minutes of the running ones
        /// (nothing lost, nothing counted twice), and the deadline it gives
        /// is that many business minutes after the last count.
        #[test]
        fn stops_and_starts_never_lose_or_double_count(
            hours in hours_strategy(),
            start in start_strategy(),
            stretches in prop::collection::vec((0..2_000_i64, any::<bool>()), 1..8),
            left in 1..1_500_i64,
        ) {
            let mut clock = SlaClock::start(start);
            let mut expected = 0;
            let mut t = start;
            for (minutes, runs) in &stretches {
                let end = t + minutes * MINUTE_MS;
                // A count in the middle changes nothing.
                let mid = clock.advance(t + minutes / 2 * MINUTE_MS, *runs, Clock::Business, &hours);
                clock = clock.advance(end, *runs, Clock::Business, &hours);
                prop_assert_eq!(
                    mid.advance(end, *runs, Clock::Business, &hours),
                    clock
                );
                if *runs {
                    expected += counted(t, end, &hours);
                }
                t = end;
            }
            prop_assert_eq!(clock.used_ms, expected);
            let minutes = expected / MINUTE_MS + left;
            let due = clock
                .due(Some(minutes), true, None, (Clock::Business, &hours))
                .expect("a business target has a due time");
            prop_assert_eq!(counted(t, due, &hours), left * MINUTE_MS);
            prop_assert!(business_minute(due - MINUTE_MS, &hours));
            // Seen again later while running, the deadline does not move.
            let later = clock.advance(i64::midpoint(t, due) / MINUTE_MS * MINUTE_MS, true, Clock::Business, &hours);
            prop_assert_eq!(
                later.due(Some(minutes), true, None, (Clock::Business, &hours)),
                Some(due)
            );
        }

        /// The laid-out calendar agrees with the day-by-day count for any
        /// pair in its span, and outside it.
        #[test]
        fn the_calendar_measures_as_elapsed(
            hours in hours_strategy(),
            start in start_strategy(),
            pairs in prop::collection::vec((0..400 * 24 * 60_i64, 0..400 * 24 * 60_i64), 1..20),
        ) {
            let end = start + 300 * 24 * 60 * MINUTE_MS;
            let calendar = BusinessCalendar::new(&hours, start, end);
            for (a, b) in pairs {
                let (from, to) = (start + a * MINUTE_MS - 7, start + b * MINUTE_MS);
                prop_assert_eq!(
                    calendar.elapsed(from, to),
                    elapsed(from, to, Clock::Business, &hours),
                    "from {} to {}", from, to
                );
            }
        }

        #[test]
        fn elapsed_undoes_add(
            hours in hours_strategy(),
            start in start_strategy(),
            ms in 0..5_000_000_000_i64,
        ) {
            let due = add_ms(start, ms, Clock::Business, &hours).expect("a due time");
            prop_assert_eq!(elapsed(start, due, Clock::Business, &hours), ms);
        }
    }
}
