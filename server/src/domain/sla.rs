//! SLA due times: minutes counted on a 24×7 or business-hours clock.
//!
//! Business hours are taken as UTC for now; the provider's time zone is
//! stored but not yet applied (no time-zone database is linked in).

use chrono::{Datelike, NaiveDate, TimeZone, Utc};

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
    pub start_minute: i64,
    pub end_minute: i64,
    pub holidays: Vec<NaiveDate>,
}

impl Default for BusinessHours {
    /// Monday to Friday, 08:00–17:00.
    fn default() -> Self {
        Self {
            days: [true, true, true, true, true, false, false],
            start_minute: 8 * 60,
            end_minute: 17 * 60,
            holidays: Vec::new(),
        }
    }
}

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 24 * 60 * MINUTE_MS;

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
    let open = hours.start_minute * MINUTE_MS;
    let close = hours.end_minute * MINUTE_MS;
    let usable = hours.days.iter().any(|d| *d) && close > open;
    if !usable {
        return start + minutes * MINUTE_MS;
    }
    let mut left = minutes * MINUTE_MS;
    let mut day = start.div_euclid(DAY_MS) * DAY_MS;
    let mut now = start;
    // Ten years of days is far beyond any target; the bound only guards
    // against a calendar made entirely of holidays.
    for _ in 0..3660 {
        if is_business_day(day, hours) {
            let from = now.max(day + open);
            let until = day + close;
            if from < until {
                if left <= until - from {
                    return from + left;
                }
                left -= until - from;
            }
        }
        day += DAY_MS;
        now = day;
    }
    start + minutes * MINUTE_MS
}

fn is_business_day(day_ms: i64, hours: &BusinessHours) -> bool {
    let Some(date) = Utc.timestamp_millis_opt(day_ms).single() else {
        return false;
    };
    let date = date.date_naive();
    hours.days[date.weekday().num_days_from_monday() as usize] && !hours.holidays.contains(&date)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
