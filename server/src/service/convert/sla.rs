//! SLA settings: domain <-> pb, with the checks a sent setting must pass
//! (each refusal names its field and changes nothing).

use portal_proto::pb;
use tonic::Status;

use crate::domain::input::parse_date;
use crate::domain::sla::{BusinessHours, Clock, SlaTarget};
use crate::service::input;
use crate::service::status::invalid;
use crate::store::sla::{NamedTarget, SlaSettings};

/// A year of minutes: the longest target.
const MAX_TARGET_MINUTES: i64 = 366 * 24 * 60;
const MAX_HOLIDAYS: usize = 400;

pub fn settings_to_pb(s: &SlaSettings) -> pb::SlaSettings {
    pb::SlaSettings {
        targets: s
            .targets
            .iter()
            .map(|t| pb::SlaTargetSetting {
                priority: t.priority,
                name: t.name.clone(),
                response_minutes: t.target.response_minutes.unwrap_or(0),
                resolution_minutes: t.target.resolution_minutes.unwrap_or(0),
                clock: match t.target.clock {
                    Clock::Always => pb::SlaClock::Always,
                    Clock::Business => pb::SlaClock::Business,
                    Clock::None => pb::SlaClock::None,
                }
                .into(),
            })
            .collect(),
        time_zone: s.hours.zone.name().to_owned(),
        business_days: (1..=7).filter(|d| s.hours.days[*d as usize - 1]).collect(),
        business_start_minute: s.hours.start_minute as i32,
        business_end_minute: s.hours.end_minute as i32,
        holidays: s
            .hours
            .holidays
            .iter()
            .zip(&s.holiday_names)
            .map(|(day, name)| pb::Holiday {
                day: day.format("%Y-%m-%d").to_string(),
                name: name.clone(),
            })
            .collect(),
        at_risk_percent: s.at_risk_percent as i32,
    }
}

fn minutes(field: &str, m: i64) -> Result<Option<i64>, Status> {
    if !(0..=MAX_TARGET_MINUTES).contains(&m) {
        return Err(invalid(
            field,
            format!("0 (no target) to {MAX_TARGET_MINUTES} minutes"),
        ));
    }
    Ok((m > 0).then_some(m))
}

fn target(i: usize, t: &pb::SlaTargetSetting) -> Result<NamedTarget, Status> {
    let field = |name: &str| format!("targets[{i}].{name}");
    let clock = match pb::SlaClock::try_from(t.clock) {
        Ok(pb::SlaClock::Always) => Clock::Always,
        Ok(pb::SlaClock::Business) => Clock::Business,
        Ok(pb::SlaClock::None) => Clock::None,
        _ => return Err(invalid(&field("clock"), "24×7, business hours or none")),
    };
    Ok(NamedTarget {
        priority: t.priority,
        name: input::text(&field("name"), &t.name, 50, true)?,
        target: SlaTarget {
            response_minutes: minutes(&field("response_minutes"), t.response_minutes)?,
            resolution_minutes: minutes(&field("resolution_minutes"), t.resolution_minutes)?,
            clock,
        },
    })
}

/// Checks sent settings; the first bad field is named.
pub fn settings_from_pb(s: &pb::SlaSettings) -> Result<SlaSettings, Status> {
    let mut priorities: Vec<i32> = s.targets.iter().map(|t| t.priority).collect();
    priorities.sort_unstable();
    if priorities != [1, 2, 3, 4, 5] {
        return Err(invalid("targets", "one target for each priority 1 to 5"));
    }
    let mut targets = s
        .targets
        .iter()
        .enumerate()
        .map(|(i, t)| target(i, t))
        .collect::<Result<Vec<_>, _>>()?;
    targets.sort_by_key(|t| t.priority);
    let zone = s
        .time_zone
        .trim()
        .parse()
        .map_err(|_| invalid("time_zone", "not a known time zone, e.g. America/Chicago"))?;
    let mut days = [false; 7];
    for d in &s.business_days {
        let slot = usize::try_from(*d - 1)
            .ok()
            .and_then(|i| days.get_mut(i))
            .ok_or_else(|| invalid("business_days", "weekdays 1 (Monday) to 7 (Sunday)"))?;
        if *slot {
            return Err(invalid("business_days", "a weekday named twice"));
        }
        *slot = true;
    }
    if !days.contains(&true) {
        return Err(invalid("business_days", "at least one working day"));
    }
    let (start, end) = (
        i64::from(s.business_start_minute),
        i64::from(s.business_end_minute),
    );
    if !(0..1440).contains(&start) {
        return Err(invalid(
            "business_start_minute",
            "0 to 1439 (minutes after midnight)",
        ));
    }
    if end <= start || end > 1440 {
        return Err(invalid(
            "business_end_minute",
            "after the start, at most 1440",
        ));
    }
    if s.holidays.len() > MAX_HOLIDAYS {
        return Err(invalid("holidays", format!("at most {MAX_HOLIDAYS}")));
    }
    let mut holidays: Vec<(chrono::NaiveDate, String)> = Vec::new();
    for (i, h) in s.holidays.iter().enumerate() {
        let day = parse_date(h.day.trim())
            .ok_or_else(|| invalid(&format!("holidays[{i}].day"), "a date as YYYY-MM-DD"))?;
        if holidays.iter().any(|(d, _)| *d == day) {
            return Err(invalid(
                &format!("holidays[{i}].day"),
                "that day is listed twice",
            ));
        }
        holidays.push((
            day,
            input::text(&format!("holidays[{i}].name"), &h.name, 100, true)?,
        ));
    }
    holidays.sort();
    if !(1..=99).contains(&s.at_risk_percent) {
        return Err(invalid("at_risk_percent", "1 to 99"));
    }
    Ok(SlaSettings {
        targets,
        hours: BusinessHours {
            days,
            start_minute: start,
            end_minute: end,
            holidays: holidays.iter().map(|(d, _)| *d).collect(),
            zone,
        },
        holiday_names: holidays.into_iter().map(|(_, n)| n).collect(),
        at_risk_percent: i64::from(s.at_risk_percent),
    })
}
