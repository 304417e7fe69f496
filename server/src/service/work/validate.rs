//! Checks on estimate and time input that need nothing from the store.

use portal_proto::pb;
use tonic::Status;

use crate::domain::input::parse_date;
use crate::domain::work::{TimeInput, minutes_between, utc_day};
use crate::service::input;
use crate::service::status::invalid;

/// The most an amount may be: 100 million in whole units.
const MAX_CENTS: i64 = 10_000_000_000;
/// The longest one entry may be: a day.
const MAX_MINUTES: i64 = 24 * 60;
/// How far in the future an entry may end (clocks differ a little).
const FUTURE_SLACK_MS: i64 = 5 * 60_000;

pub fn amount_cents(cents: i64) -> Result<i64, Status> {
    if cents <= 0 {
        return Err(invalid("amount_cents", "must be more than 0"));
    }
    if cents > MAX_CENTS {
        return Err(invalid("amount_cents", "at most 100,000,000.00"));
    }
    Ok(cents)
}

/// An estimate's last day: a real date, today or later (UTC); empty = none.
pub fn expires_on(s: &str, now: i64) -> Result<Option<String>, Status> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let d = parse_date(s).ok_or_else(|| invalid("expires_on", "not a valid date (YYYY-MM-DD)"))?;
    let d = d.format("%Y-%m-%d").to_string();
    if d < utc_day(now) {
        return Err(invalid("expires_on", "must not be in the past"));
    }
    Ok(Some(d))
}

/// Time as logged: a start and an end, or a duration (ending at `ended_at`,
/// or now); at most a day, not ending in the future.
pub fn time(t: Option<&pb::TimeInput>, now: i64) -> Result<TimeInput, Status> {
    let t = t.ok_or_else(|| invalid("time", "required"))?;
    let work_type_id = input::id("time.work_type_id", t.work_type_id)?;
    let started_at = input::time("time.started_at", t.started_at.as_ref())?;
    let ended_at = input::time("time.ended_at", t.ended_at.as_ref())?;
    let note = input::long_text("time.note", &t.note, false)?;
    let (started_at, ended_at, minutes) = match (started_at, ended_at, t.minutes) {
        (Some(_), _, m) if m > 0 => {
            return Err(invalid(
                "time.minutes",
                "give a duration or a start and an end, not both",
            ));
        }
        (Some(_), None, _) => return Err(invalid("time.ended_at", "required with a start")),
        (Some(start), Some(end), _) => {
            if end <= start {
                return Err(invalid("time.ended_at", "must be after the start"));
            }
            (Some(start), end, minutes_between(start, end))
        }
        (None, _, 0) => {
            return Err(invalid(
                "time.minutes",
                "give a duration, or a start and an end",
            ));
        }
        (None, end, m) => (None, end.unwrap_or(now), i64::from(m)),
    };
    if minutes > MAX_MINUTES {
        return Err(invalid("time.minutes", "at most 24 hours in one entry"));
    }
    if ended_at > now + FUTURE_SLACK_MS {
        return Err(invalid("time.ended_at", "must not be in the future"));
    }
    Ok(TimeInput {
        work_type_id,
        started_at,
        ended_at,
        minutes,
        billable: t.billable,
        note,
        note_public: t.note_public,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost_types::Timestamp;

    fn at(ms: i64) -> Option<Timestamp> {
        crate::service::convert::opt_timestamp(Some(ms))
    }

    fn field(r: Result<TimeInput, Status>) -> String {
        r.unwrap_err()
            .message()
            .split(':')
            .next()
            .unwrap_or("")
            .to_owned()
    }

    #[test]
    fn time_is_a_span_or_a_duration_never_both_nor_too_long() {
        let now = 10 * 3_600_000;
        let base = pb::TimeInput {
            work_type_id: 1,
            ..Default::default()
        };
        let span = pb::TimeInput {
            started_at: at(now - 3_600_000),
            ended_at: at(now - 1_800_000),
            ..base.clone()
        };
        assert_eq!(time(Some(&span), now).unwrap().minutes, 30);
        let duration = pb::TimeInput {
            minutes: 45,
            ..base.clone()
        };
        let d = time(Some(&duration), now).unwrap();
        assert_eq!((d.started_at, d.ended_at, d.minutes), (None, now, 45));
        let both = pb::TimeInput {
            minutes: 5,
            ..span.clone()
        };
        assert_eq!(field(time(Some(&both), now)), "time.minutes");
        assert_eq!(field(time(Some(&base), now)), "time.minutes");
        let backwards = pb::TimeInput {
            started_at: at(now - 1_000),
            ended_at: at(now - 2_000),
            ..base.clone()
        };
        assert_eq!(field(time(Some(&backwards), now)), "time.ended_at");
        let future = pb::TimeInput {
            minutes: 5,
            ended_at: at(now + 3_600_000),
            ..base.clone()
        };
        assert_eq!(field(time(Some(&future), now)), "time.ended_at");
        let long = pb::TimeInput {
            minutes: 1441,
            ..base.clone()
        };
        assert_eq!(field(time(Some(&long), now)), "time.minutes");
        let no_type = pb::TimeInput {
            work_type_id: 0,
            ..duration
        };
        assert_eq!(field(time(Some(&no_type), now)), "time.work_type_id");
        assert_eq!(field(time(None, now)), "time");
    }

    #[test]
    fn amounts_are_positive_cents_and_expiry_not_past() {
        assert!(amount_cents(0).is_err());
        assert_eq!(amount_cents(1).unwrap(), 1);
        let day = 20_000 * 86_400_000;
        assert!(expires_on(&utc_day(day - 86_400_000), day).is_err());
        assert_eq!(expires_on(&utc_day(day), day).unwrap(), Some(utc_day(day)));
        assert_eq!(expires_on(" ", day).unwrap(), None);
        assert!(expires_on("2026-02-30", day).is_err());
    }
}
