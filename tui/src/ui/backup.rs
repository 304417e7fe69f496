//! The scheduled backups as the provider Admin's Settings show them: where
//! they go, how often, and when the last good one was taken, with a warning
//! when it is older than twice the schedule (a backup or more was missed).

use chrono::{DateTime, Utc};
use portal_proto::pb;
use ratatui::text::{Line, Span};

use super::{Ctx, format};

/// What the last backup says about the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// No backup directory is set: the server takes none.
    Off,
    /// Scheduled, but none has passed its check (one is taken at start).
    None,
    /// The last good one is within twice the schedule.
    Fresh,
    /// The last good one is older than twice the schedule.
    Stale,
}

impl Verdict {
    pub fn of(status: &pb::BackupStatus, now: DateTime<Utc>) -> Self {
        if !status.scheduled {
            return Self::Off;
        }
        let Some(at) = format::to_datetime(status.last_backup_at.as_ref()) else {
            return Self::None;
        };
        // Whole seconds are precise enough for a schedule counted in hours.
        #[allow(clippy::cast_possible_truncation)]
        let allowed = (status.every_hours * 2.0 * 3600.0) as i64;
        if (now - at).num_seconds() > allowed {
            Self::Stale
        } else {
            Self::Fresh
        }
    }

    /// Worth a mark next to the section's name.
    pub fn warns(self) -> bool {
        matches!(self, Self::None | Self::Stale)
    }
}

/// "24 h", "1.5 h": the schedule as the Admin set it.
fn hours(h: f64) -> String {
    if h.fract() == 0.0 {
        format!("{h:.0} h")
    } else {
        format!("{h} h")
    }
}

/// The section's text.
pub fn lines(status: &pb::BackupStatus, ctx: &Ctx) -> Vec<Line<'static>> {
    let theme = ctx.theme;
    let verdict = Verdict::of(status, ctx.now);
    if verdict == Verdict::Off {
        return vec![
            Line::styled(" Scheduled backups are off.", theme.warn),
            Line::from(" The server takes none until it is started with --backup-dir."),
        ];
    }
    let last = status.last_backup_at.as_ref();
    let when = match verdict {
        Verdict::None => Span::styled("none has passed its check yet", theme.warn),
        _ => Span::raw(format!(
            "{} {} ({})",
            format::time(last, ctx.tz),
            format::zone(ctx.tz, ctx.now),
            format::relative(last, ctx.now)
        )),
    };
    let mut lines = vec![
        Line::from(vec![Span::raw(" Last good backup  "), when]),
        Line::from(format!(
            " Schedule          every {}, the newest {} kept",
            hours(status.every_hours),
            status.keep
        )),
        Line::from(format!(" Directory         {}", status.directory)),
        Line::default(),
    ];
    match verdict {
        Verdict::Stale => lines.extend([
            Line::styled(
                format!(
                    " ⚠ Older than twice the schedule ({}): a backup was missed.",
                    hours(status.every_hours * 2.0)
                ),
                theme.warn,
            ),
            Line::styled(
                "   Backups fail, or the server was down: see its log.",
                theme.warn,
            ),
        ]),
        Verdict::None => lines.extend([
            Line::styled(" ⚠ The server takes one when it starts.", theme.warn),
            Line::styled("   See its log for why none passed.", theme.warn),
        ]),
        Verdict::Fresh | Verdict::Off => {
            lines.push(Line::styled(" Backups are on schedule.", theme.ok));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(now: DateTime<Utc>, hours_ago: i64) -> pb::BackupStatus {
        let t = now - chrono::Duration::hours(hours_ago);
        pb::BackupStatus {
            scheduled: true,
            directory: "/var/backups/portal".into(),
            every_hours: 24.0,
            keep: 7,
            last_backup_at: Some(prost_types::Timestamp {
                seconds: t.timestamp(),
                nanos: 0,
            }),
        }
    }

    #[test]
    fn a_backup_older_than_twice_the_schedule_is_stale() {
        let now = Utc::now();
        assert_eq!(Verdict::of(&at(now, 47), now), Verdict::Fresh);
        assert_eq!(Verdict::of(&at(now, 49), now), Verdict::Stale);
        let none = pb::BackupStatus {
            last_backup_at: None,
            ..at(now, 0)
        };
        assert_eq!(Verdict::of(&none, now), Verdict::None);
        let off = pb::BackupStatus {
            scheduled: false,
            ..none
        };
        assert_eq!(Verdict::of(&off, now), Verdict::Off);
        assert!(Verdict::Stale.warns() && Verdict::None.warns());
        assert!(!Verdict::Fresh.warns() && !Verdict::Off.warns());
    }
}
