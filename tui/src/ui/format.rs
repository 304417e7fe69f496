//! How values read on screen.

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use portal_proto::pb::{self, TicketStatus};

pub fn status(status: TicketStatus) -> &'static str {
    match status {
        TicketStatus::Unspecified => "—",
        TicketStatus::New => "New",
        TicketStatus::InProgress => "In Progress",
        TicketStatus::WaitingOnClient => "Waiting on Client",
        TicketStatus::Scheduled => "Scheduled",
        TicketStatus::Completed => "Completed",
        TicketStatus::Closed => "Closed",
        TicketStatus::Cancelled => "Cancelled",
        TicketStatus::NoActionRequired => "No Action Required",
    }
}

/// `value`, or a dash when it is empty: an unset field reads as unset.
pub fn or_dash(value: String) -> String {
    if value.is_empty() {
        "—".to_owned()
    } else {
        value
    }
}

pub fn priority(p: i32) -> &'static str {
    match p {
        1 => "1 Critical",
        2 => "2 High",
        3 => "3 Medium",
        4 => "4 Low",
        5 => "5 Planned",
        _ => "—",
    }
}

pub fn access(level: pb::AccessLevel) -> &'static str {
    match level {
        pb::AccessLevel::Unspecified | pb::AccessLevel::None => "No access",
        pb::AccessLevel::User => "User",
        pb::AccessLevel::Manager => "Manager",
        pb::AccessLevel::Admin => "Admin",
    }
}

pub fn role(role: pb::StaffRole) -> &'static str {
    match role {
        pb::StaffRole::Unspecified => "Staff",
        pb::StaffRole::Technician => "Technician",
        pb::StaffRole::Dispatcher => "Dispatcher",
        pb::StaffRole::Admin => "Provider Admin",
    }
}

/// Who someone is, e.g. "Admin" or "Technician".
pub fn who(me: &pb::Identity) -> &'static str {
    if me.staff {
        role(me.role())
    } else {
        access(me.access())
    }
}

/// Who is assigned: "Primary (+ Other, Other)", or "Unassigned".
pub fn assigned(t: &pb::Ticket) -> String {
    let mut label = if t.assigned_staff_name.is_empty() {
        "Unassigned".to_owned()
    } else {
        t.assigned_staff_name.clone()
    };
    if !t.other_assignees.is_empty() {
        let others: Vec<&str> = t.other_assignees.iter().map(|a| a.name.as_str()).collect();
        label = format!("{label} (+ {})", others.join(", "));
    }
    label
}

pub fn to_datetime(ts: Option<&prost_types::Timestamp>) -> Option<DateTime<Utc>> {
    let ts = ts?;
    if ts.seconds == 0 && ts.nanos == 0 {
        return None;
    }
    DateTime::from_timestamp(ts.seconds, ts.nanos.max(0) as u32)
}

/// `2026-11-20 14:03` in the display zone; empty when unset.
pub fn time(ts: Option<&prost_types::Timestamp>, tz: Tz) -> String {
    to_datetime(ts)
        .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// The zone's short name as it is now, e.g. `EST` or `UTC`: said once on a
/// screen that shows times.
pub fn zone(tz: Tz, now: DateTime<Utc>) -> String {
    now.with_timezone(&tz).format("%Z").to_string()
}

/// Short form for lists: `14:03` today, `Nov 20` this year, else `2025-11-20`.
pub fn short_time(ts: Option<&prost_types::Timestamp>, now: DateTime<Utc>, tz: Tz) -> String {
    let Some(t) = to_datetime(ts) else {
        return String::new();
    };
    let (t, now) = (t.with_timezone(&tz), now.with_timezone(&tz));
    if t.date_naive() == now.date_naive() {
        t.format("%H:%M").to_string()
    } else if t.year() == now.year() {
        t.format("%b %d").to_string()
    } else {
        t.format("%Y-%m-%d").to_string()
    }
}

/// The widths a table `width` wide gives columns of these constraints (at
/// ratatui's spacing of one between columns), so a cell's text can be
/// fitted to its column.
pub fn column_widths(constraints: &[ratatui::layout::Constraint], width: u16) -> Vec<usize> {
    ratatui::layout::Layout::horizontal(constraints.iter().copied())
        .spacing(1)
        .split(ratatui::layout::Rect::new(0, 0, width, 1))
        .iter()
        .map(|r| usize::from(r.width))
        .collect()
}

/// "in 35 min", "2 h ago" relative to now. Part of a minute counts as a
/// minute, so a moment just past reads "1 min ago", never "in 0 min".
pub fn relative(ts: Option<&prost_types::Timestamp>, now: DateTime<Utc>) -> String {
    let Some(t) = to_datetime(ts) else {
        return String::new();
    };
    let seconds = (t - now).num_seconds();
    let minutes = if seconds > 0 {
        (seconds + 59) / 60
    } else {
        -(((-seconds) + 59) / 60).max(1)
    };
    let span = |m: i64| {
        if m < 60 {
            format!("{m} min")
        } else if m < 48 * 60 {
            format!("{} h", m / 60)
        } else {
            format!("{} d", m / (24 * 60))
        }
    };
    if minutes >= 0 {
        format!("in {}", span(minutes))
    } else {
        format!("{} ago", span(-minutes))
    }
}

#[allow(clippy::cast_precision_loss)] // one decimal is shown
/// What a save says: the path, shortened to `~/…` under the home folder
/// so the status line has room for it, and the size.
pub fn saved(path: &std::path::Path, bytes: u64) -> String {
    let shown = std::env::var_os("HOME")
        .and_then(|home| path.strip_prefix(home).ok())
        .map_or_else(
            || path.display().to_string(),
            |rest| format!("~/{}", rest.display()),
        );
    format!("Saved {shown} ({})", self::bytes(bytes))
}

pub fn bytes(n: u64) -> String {
    if n < 1024 {
        format!("{n} B")
    } else if n < 1024 * 1024 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", n as f64 / (1024.0 * 1024.0))
    }
}

/// `2026-11` → `Nov` (cut to `width` characters).
pub fn month_label(month: &str, width: u16) -> String {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let name = month
        .split_once('-')
        .and_then(|(_, m)| m.parse::<usize>().ok())
        .and_then(|m| NAMES.get(m.wrapping_sub(1)))
        .copied()
        .unwrap_or("?");
    name.chars().take(usize::from(width)).collect()
}

/// Cuts `text` to `width` characters, ending with `…` when cut.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// `text` broken into lines of at most `width` columns at spaces, each
/// starting with `indent`, so wrapped lines keep the indent of the first.
/// A word longer than a line is cut across lines.
pub fn wrap(text: &str, indent: &str, width: usize) -> Vec<String> {
    let room = width.saturating_sub(indent.chars().count()).max(10);
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        let mut used = 0;
        for word in paragraph.split(' ') {
            let mut word: Vec<char> = word.chars().collect();
            while used + usize::from(used > 0) + word.len() > room {
                if used > 0 {
                    lines.push(format!("{indent}{line}"));
                    line.clear();
                    used = 0;
                } else {
                    let rest = word.split_off(room);
                    lines.push(format!("{indent}{}", word.iter().collect::<String>()));
                    word = rest;
                }
            }
            if used > 0 {
                line.push(' ');
                used += 1;
            }
            line.extend(&word);
            used += word.len();
        }
        lines.push(format!("{indent}{line}"));
    }
    lines
}

/// A key-hint bar for `width` columns: hints are listed most needed first
/// and those that do not fit are left out; the help key is always there.
pub fn hints(hints: &[&str], width: usize) -> String {
    hints_with(hints, "? help", width)
}

/// [`hints`] ending with `help` (`F1 help` where `?` is typed text).
pub fn hints_with(hints: &[&str], help: &str, width: usize) -> String {
    let mut line = String::from(" ");
    for hint in hints {
        let needed = line.chars().count() + hint.chars().count() + 3 + help.chars().count();
        if needed > width {
            break;
        }
        line.push_str(hint);
        line.push_str(" · ");
    }
    line.push_str(help);
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> prost_types::Timestamp {
        let t = DateTime::parse_from_rfc3339(s).expect("valid");
        prost_types::Timestamp {
            seconds: t.timestamp(),
            nanos: 0,
        }
    }

    #[test]
    fn times_read_relative_to_now() {
        let now = DateTime::parse_from_rfc3339("2026-11-20T12:00:00Z")
            .expect("valid")
            .to_utc();
        let utc = Tz::UTC;
        assert_eq!(
            short_time(Some(&ts("2026-11-20T09:15:00Z")), now, utc),
            "09:15"
        );
        assert_eq!(
            short_time(Some(&ts("2026-03-02T09:15:00Z")), now, utc),
            "Mar 02"
        );
        assert_eq!(
            short_time(Some(&ts("2025-03-02T09:15:00Z")), now, utc),
            "2025-03-02"
        );
        assert_eq!(
            relative(Some(&ts("2026-11-20T12:35:00Z")), now),
            "in 35 min"
        );
        assert_eq!(relative(Some(&ts("2026-11-20T09:00:00Z")), now), "3 h ago");
        // A deadline just reached is past, not "in 0 min".
        assert_eq!(
            relative(Some(&ts("2026-11-20T12:00:00Z")), now),
            "1 min ago"
        );
        assert_eq!(
            relative(Some(&ts("2026-11-20T11:59:30Z")), now),
            "1 min ago"
        );
        assert_eq!(relative(Some(&ts("2026-11-20T12:00:20Z")), now), "in 1 min");
        assert_eq!(time(None, utc), "");
    }

    #[test]
    fn times_are_shown_in_the_providers_zone_across_clock_changes() {
        let zone: Tz = "America/New_York".parse().expect("a zone");
        // Summer (UTC-4) and winter (UTC-5) in the same zone.
        assert_eq!(
            time(Some(&ts("2026-07-01T13:30:00Z")), zone),
            "2026-07-01 09:30"
        );
        assert_eq!(
            time(Some(&ts("2026-12-01T13:30:00Z")), zone),
            "2026-12-01 08:30"
        );
        // Late evening there is still yesterday, though it is today in UTC.
        let now = DateTime::parse_from_rfc3339("2026-11-21T02:00:00Z")
            .expect("valid")
            .to_utc();
        assert_eq!(
            short_time(Some(&ts("2026-11-21T01:00:00Z")), now, zone),
            "20:00"
        );
        assert_eq!(
            short_time(Some(&ts("2026-11-20T12:00:00Z")), now, zone),
            "07:00"
        );
    }

    #[test]
    fn wrapped_lines_keep_the_indent() {
        assert_eq!(
            wrap("one two three four five six", "   ", 15),
            ["   one two", "   three four", "   five six"]
        );
        assert_eq!(wrap("a\n\nb", " ", 20), [" a", " ", " b"]);
        assert_eq!(
            wrap("abcdefghijklmnopqrstuvwxyz", "  ", 12),
            ["  abcdefghij", "  klmnopqrst", "  uvwxyz"]
        );
    }

    #[test]
    fn hints_fit_by_priority_and_keep_help() {
        let all = ["Esc back", "r reply", "c status", "p priority"];
        assert_eq!(
            hints(&all, 80),
            " Esc back · r reply · c status · p priority · ? help"
        );
        assert_eq!(hints(&all, 30), " Esc back · r reply · ? help");
        assert_eq!(hints(&all, 5), " ? help");
    }

    #[test]
    fn fit_cuts_with_an_ellipsis() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
    }
}
