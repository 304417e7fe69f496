//! SLA due times: minutes counted on a 24×7 or business-hours clock.
//! Business hours, weekdays and holidays are those of the provider's time
//! zone; due times are instants (UTC milliseconds).

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone};
use chrono_tz::Tz;

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
    match clock {
        Clock::None => None,
        Clock::Always => Some(start + minutes * MINUTE_MS),
        Clock::Business => Some(add_business_minutes(start, minutes, hours)),
    }
}

fn add_business_minutes(start: i64, minutes: i64, hours: &BusinessHours) -> i64 {
    let usable = hours.days.iter().any(|d| *d) && hours.end_minute > hours.start_minute;
    let Some(first) = hours.zone.timestamp_millis_opt(start).single() else {
        return start + minutes * MINUTE_MS;
    };
    if !usable {
        return start + minutes * MINUTE_MS;
    }
    let mut left = minutes * MINUTE_MS;
    let mut date = first.date_naive();
    // Ten years of days is far beyond any target; the bound only guards
    // against a calendar made entirely of holidays.
    for _ in 0..3660 {
        if is_business_day(date, hours) {
            let open = instant(hours.zone, date, hours.start_minute);
            let close = instant(hours.zone, date, hours.end_minute);
            let from = start.max(open);
            if from < close {
                if left <= close - from {
                    return from + left;
                }
                left -= close - from;
            }
        }
        let Some(next) = date.checked_add_days(Days::new(1)) else {
            break;
        };
        date = next;
    }
    start + minutes * MINUTE_MS
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
