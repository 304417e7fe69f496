//! Time arithmetic for the generated history: business hours and SLA due
//! times. The demo provider's zone (America/Chicago) is taken as a fixed
//! UTC-6 and holidays are ignored: close enough for plausible demo data.

use chrono::DateTime;

pub const MINUTE: i64 = 60_000;
pub const HOUR: i64 = 60 * MINUTE;
pub const DAY: i64 = 24 * HOUR;

const OFFSET: i64 = -6 * HOUR;
const OPEN: i64 = 8 * 60;
const CLOSE: i64 = 17 * 60;

fn local_day_and_minute(t: i64) -> (i64, i64) {
    let local = t + OFFSET;
    (local.div_euclid(DAY), local.rem_euclid(DAY) / MINUTE)
}

/// Days since 1970-01-01 (a Thursday) is a Monday to Friday.
fn is_weekday(day: i64) -> bool {
    (day + 3).rem_euclid(7) < 5
}

fn at(day: i64, minute: i64) -> i64 {
    day * DAY + minute * MINUTE - OFFSET
}

/// `t` moved to business hours, never later: a time outside them maps to a
/// time on the same or an earlier business day, keeping its position within
/// the day so the result still looks random.
pub fn business_time(t: i64) -> i64 {
    let (mut day, minute) = local_day_and_minute(t);
    if is_weekday(day) && (OPEN..CLOSE).contains(&minute) {
        return t;
    }
    let inside = OPEN + minute * (CLOSE - OPEN) / (24 * 60);
    if !(is_weekday(day) && minute >= CLOSE) {
        day -= 1;
        while !is_weekday(day) {
            day -= 1;
        }
    }
    at(day, inside) + (t.rem_euclid(MINUTE))
}

/// `t` plus `minutes` on the given SLA clock ("24x7", "business", "none").
pub fn add_on_clock(t: i64, minutes: i64, clock: &str) -> Option<i64> {
    match clock {
        "24x7" => Some(t + minutes * MINUTE),
        "business" => {
            let (mut day, mut minute) = local_day_and_minute(t);
            let mut left = minutes;
            loop {
                if is_weekday(day) && minute < CLOSE {
                    let from = minute.max(OPEN);
                    if from + left <= CLOSE {
                        return Some(at(day, from + left));
                    }
                    left -= CLOSE - from;
                }
                day += 1;
                minute = 0;
            }
        }
        _ => None,
    }
}

/// The local calendar date of `t`, `YYYY-MM-DD`.
pub fn date(t: i64) -> String {
    DateTime::from_timestamp_millis(t + OFFSET)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// The start of the local calendar month containing `t`.
pub fn month_start(t: i64) -> i64 {
    let (day, _) = local_day_and_minute(t);
    let day_of_month = DateTime::from_timestamp_millis(t + OFFSET)
        .map_or(1, |d| i64::from(chrono::Datelike::day(&d)));
    at(day - (day_of_month - 1), 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-03-02 is a Monday; 14:00 UTC is 08:00 at UTC-6.
    const MONDAY_8AM: i64 = 1_772_460_000_000;

    #[test]
    fn business_time_never_moves_later_and_lands_inside_hours() {
        assert_eq!(date(MONDAY_8AM), "2026-03-02");
        for i in 0..2000 {
            let t = MONDAY_8AM + i * 37 * MINUTE;
            let b = business_time(t);
            assert!(b <= t);
            let (day, minute) = local_day_and_minute(b);
            assert!(is_weekday(day) && (OPEN..CLOSE).contains(&minute), "{i}");
        }
    }

    #[test]
    fn business_clock_skips_nights_and_weekends() {
        let friday_4pm = MONDAY_8AM + 4 * DAY + 8 * HOUR;
        assert_eq!(
            add_on_clock(friday_4pm, 60, "business"),
            Some(friday_4pm + HOUR)
        );
        // 2 h from Friday 16:00 is Monday 09:00.
        assert_eq!(
            add_on_clock(friday_4pm, 120, "business"),
            Some(MONDAY_8AM + 7 * DAY + HOUR)
        );
        assert_eq!(
            add_on_clock(friday_4pm, 60, "24x7"),
            Some(friday_4pm + HOUR)
        );
        assert_eq!(add_on_clock(friday_4pm, 60, "none"), None);
        assert_eq!(
            month_start(MONDAY_8AM + 3 * DAY),
            MONDAY_8AM - DAY - 8 * HOUR
        );
    }
}
