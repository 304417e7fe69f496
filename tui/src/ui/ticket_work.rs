//! The ticket detail's estimates, sign-off and time (docs/TICKETS.md
//! "Estimates" and "Sign-off", docs/MONEY.md "Time entries"): their
//! sections, their keys and their prompts, and the staff member's timer.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use crossterm::event::KeyEvent;
use portal_proto::pb::{self, EstimateState};
use ratatui::text::{Line, Span};

use super::form::{Field, FieldId, Form};
use super::popup::{Popup, PromptPopup, Submit, Then};
use super::{Ctx, Effects, HelpLines, format, help_line};
use crate::action::{Reply, WorkCall};
use crate::keys::Cmd;
pub use crate::money::money;
use crate::money::parse_money;

/// What the detail knows of a ticket's work, and of the timer.
#[derive(Debug, Clone, Default)]
pub struct WorkPanel {
    pub work: Option<pb::TicketWork>,
    /// Staff: the work types time may be logged as.
    pub work_types: Vec<pb::WorkType>,
    /// Staff: the caller's running timer, on any ticket.
    pub timer: Option<pb::TimerState>,
}

/// The fields of the work prompts, named as the server names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WorkField {
    Description,
    Amount,
    Expires,
    Comment,
    FullName,
    WorkType,
    Start,
    End,
    Minutes,
    Billable,
    Note,
    NotePublic,
}

impl FieldId for WorkField {
    fn server_name(self) -> Option<&'static str> {
        Some(match self {
            Self::Description => "description",
            Self::Amount => "amount_cents",
            Self::Expires => "expires_on",
            Self::Comment => "comment",
            Self::FullName => "full_name",
            Self::WorkType => "time.work_type_id",
            Self::Start => "time.started_at",
            Self::End => "time.ended_at",
            Self::Minutes => "time.minutes",
            Self::Note => "time.note",
            Self::Billable | Self::NotePublic => return None,
        })
    }
}

/// `1 h 30 min` from minutes.
pub fn minutes(m: u32) -> String {
    match (m / 60, m % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// Whole minutes from `90`, `1h30`, `1h`, `45m`.
fn parse_minutes(s: &str) -> Option<u32> {
    let s = s.trim().to_lowercase().replace(' ', "");
    if let Some((h, m)) = s.split_once('h') {
        let m = m.trim_end_matches("min").trim_end_matches('m');
        let m = if m.is_empty() {
            0
        } else {
            m.parse::<u32>().ok()?
        };
        return h.parse::<u32>().ok()?.checked_mul(60)?.checked_add(m);
    }
    s.trim_end_matches("min").trim_end_matches('m').parse().ok()
}

/// A local time typed as `YYYY-MM-DD HH:MM`, or `HH:MM` for today.
pub fn parse_local(s: &str, tz: Tz, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let s = s.trim();
    let local = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
        .ok()
        .or_else(|| {
            let today: NaiveDate = now.with_timezone(&tz).date_naive();
            NaiveTime::parse_from_str(s, "%H:%M")
                .ok()
                .map(|t| today.and_time(t))
        })?;
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

pub fn timestamp(t: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: t.timestamp(),
        nanos: 0,
    }
}

/// `0:12:34` since the timer started.
pub fn elapsed(timer: &pb::TimerState, now: DateTime<Utc>) -> String {
    let secs = format::to_datetime(timer.started_at.as_ref())
        .map_or(0, |t| (now - t).num_seconds().max(0));
    format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

/// What the time form is for.
#[derive(Debug, Clone, Copy)]
pub enum TimeForm<'a> {
    /// New time on ticket number.
    Log(i64),
    /// The running timer's time. The form is prefilled with the timer's
    /// start and now; the server's timer stops only when the form is saved
    /// (`WorkCall::LogTimer`), so cancelling it leaves the timer running.
    Timer(&'a pb::TimerState),
    /// One of the caller's own unbilled entries.
    Edit(&'a pb::TimeEntry),
}

/// What saving the time form asks for (kept by its submit).
#[derive(Debug, Clone, Copy)]
enum TimeTarget {
    Log(i64),
    Timer(i64),
    Edit { id: i64, number: i64 },
}

/// The time form: a work type, a start and an end or a duration, billable,
/// a note.
pub fn time_popup(
    purpose: TimeForm,
    types: &[pb::WorkType],
    (tz, now): (Tz, DateTime<Utc>),
) -> Popup {
    let mut type_ids: Vec<i64> = types.iter().map(|t| t.id).collect();
    let mut names: Vec<String> = types.iter().map(|t| t.name.clone()).collect();
    let at = |t: Option<&prost_types::Timestamp>| format::time(t, tz);
    let (mut start, mut end, mut mins, mut type_index) =
        (String::new(), String::new(), String::new(), 0);
    let (mut billable, mut note, mut public) = (true, String::new(), false);
    let target = match purpose {
        TimeForm::Log(number) => TimeTarget::Log(number),
        TimeForm::Timer(t) => {
            start = at(t.started_at.as_ref());
            end = at(Some(&timestamp(now)));
            TimeTarget::Timer(t.ticket_number)
        }
        TimeForm::Edit(e) => {
            // A retired work type stays the entry's until changed.
            type_index = type_ids
                .iter()
                .position(|id| *id == e.work_type_id)
                .unwrap_or_else(|| {
                    type_ids.push(e.work_type_id);
                    names.push(e.work_type_name.clone());
                    type_ids.len() - 1
                });
            if e.started_at.is_some() {
                start = at(e.started_at.as_ref());
            } else {
                mins = e.minutes.to_string();
            }
            end = at(e.ended_at.as_ref());
            (billable, public) = (e.billable, e.note_public);
            note.clone_from(&e.note);
            TimeTarget::Edit {
                id: e.id,
                number: e.ticket_number,
            }
        }
    };
    let fields = vec![
        Field::choice(WorkField::WorkType, "Work type", names, type_index),
        Field::line(WorkField::Start, "Start", &start),
        Field::line(WorkField::End, "End", &end),
        Field::line(WorkField::Minutes, "Or minutes", &mins),
        Field::toggle(WorkField::Billable, "Billable", billable),
        Field::multi(WorkField::Note, "Note", &note),
        Field::toggle(WorkField::NotePublic, "Client sees note", public),
    ];
    let submit = Submit::send(move |form: &mut Form| {
        let time = time_input(form, &type_ids, tz, now)?;
        Some(match target {
            TimeTarget::Log(number) => WorkCall::LogTime { number, time },
            TimeTarget::Timer(number) => WorkCall::LogTimer { number, time },
            TimeTarget::Edit { id, number } => WorkCall::UpdateTime { id, number, time },
        })
    });
    let times = "times YYYY-MM-DD HH:MM or HH:MM; minutes 90 or 1h30";
    let (title, hint) = match target {
        TimeTarget::Log(number) => (format!("Log time on #{number}"), times),
        TimeTarget::Timer(number) => (
            format!("Stop the timer on #{number}: log its time"),
            "saving stops the timer; Esc keeps it running",
        ),
        TimeTarget::Edit { number, .. } => (format!("Change time on #{number}"), times),
    };
    Popup::Prompt(PromptPopup::new(title, submit, fields).hint(hint).width(72))
}

/// Whether the caller may still change entry `e`: its own, not billed.
pub fn changeable(e: &pb::TimeEntry) -> bool {
    e.mine && !e.billed
}

/// `1 h 30 min of Remote support on #1042, 2026-11-20 10:30`.
fn entry_summary(e: &pb::TimeEntry, tz: Tz) -> String {
    format!(
        "{} of {} on #{}, {}",
        minutes(e.minutes),
        e.work_type_name,
        e.ticket_number,
        format::time(e.ended_at.as_ref(), tz)
    )
}

/// Asks before deleting one of the caller's entries.
pub fn delete_time_popup(e: &pb::TimeEntry, tz: Tz) -> Popup {
    Popup::confirm(
        "Delete this time?",
        format!("{}. It cannot be undone.", entry_summary(e, tz)),
        Then::send(WorkCall::DeleteTime {
            id: e.id,
            number: e.ticket_number,
        }),
    )
}

/// Edit or delete one of the caller's entries.
fn entry_popup(e: &pb::TimeEntry, types: &[pb::WorkType], when: (Tz, DateTime<Utc>)) -> Popup {
    Popup::pick(
        entry_summary(e, when.0),
        vec![
            (
                "Change it".to_owned(),
                Then::Open(Box::new(time_popup(TimeForm::Edit(e), types, when))),
            ),
            (
                "Delete it".to_owned(),
                Then::Open(Box::new(delete_time_popup(e, when.0))),
            ),
        ],
    )
}

/// The form's time, or its errors marked.
fn time_input(
    form: &mut Form,
    type_ids: &[i64],
    tz: Tz,
    now: DateTime<Utc>,
) -> Option<pb::TimeInput> {
    let Some(work_type_id) = type_ids.get(form.choice(WorkField::WorkType)).copied() else {
        form.set_error(WorkField::WorkType, "no work types: ask a provider Admin");
        return None;
    };
    let (start, end, mins) = (
        form.text(WorkField::Start),
        form.text(WorkField::End),
        form.text(WorkField::Minutes),
    );
    let mut time = pb::TimeInput {
        work_type_id,
        billable: form.on(WorkField::Billable),
        note: form.text(WorkField::Note),
        note_public: form.on(WorkField::NotePublic),
        ..Default::default()
    };
    if mins.is_empty() {
        let Some(s) = parse_local(&start, tz, now) else {
            form.set_error(
                WorkField::Start,
                "a start (YYYY-MM-DD HH:MM or HH:MM), or minutes below",
            );
            return None;
        };
        let Some(e) = parse_local(&end, tz, now) else {
            form.set_error(WorkField::End, "an end (YYYY-MM-DD HH:MM or HH:MM)");
            return None;
        };
        if e == s {
            // A timer stopped within the minute it started: the least the
            // server records, one minute, ending then.
            time.minutes = 1;
        } else {
            time.started_at = Some(timestamp(s));
        }
        time.ended_at = Some(timestamp(e));
    } else {
        let Some(m) = parse_minutes(&mins) else {
            form.set_error(WorkField::Minutes, "whole minutes: 90 or 1h30");
            return None;
        };
        time.minutes = m;
        if !end.is_empty() {
            let Some(e) = parse_local(&end, tz, now) else {
                form.set_error(
                    WorkField::End,
                    "when the work ended (YYYY-MM-DD HH:MM or HH:MM)",
                );
                return None;
            };
            time.ended_at = Some(timestamp(e));
        }
    }
    Some(time)
}

fn propose_popup(number: i64) -> Popup {
    let submit = Submit::send(move |form: &mut Form| {
        if !form.check_required() {
            return None;
        }
        let Some(amount_cents) = parse_money(&form.text(WorkField::Amount)) else {
            form.set_error(WorkField::Amount, "an amount such as 450 or 1,200.50");
            return None;
        };
        Some(WorkCall::Propose {
            number,
            description: form.text(WorkField::Description),
            amount_cents,
            expires_on: form.text(WorkField::Expires),
        })
    });
    let fields = vec![
        Field::multi(WorkField::Description, "Description", "").required(),
        Field::line(WorkField::Amount, "Amount", "").required(),
        Field::line(WorkField::Expires, "Decide by", ""),
    ];
    Popup::Prompt(
        PromptPopup::new(format!("Propose an estimate on #{number}"), submit, fields)
            .hint("decide by: YYYY-MM-DD, or empty for no limit")
            .width(72),
    )
}

fn decide_popup(number: i64, e: &pb::Estimate, approve: bool) -> Popup {
    let estimate_id = e.id;
    let verb = if approve { "Approve" } else { "Decline" };
    let submit = Submit::send(move |form: &mut Form| {
        Some(WorkCall::Decide {
            number,
            estimate_id,
            approve,
            comment: form.text(WorkField::Comment),
        })
    });
    let title = format!(
        "{verb} {} — {}",
        money(e.amount_cents),
        format::fit(&e.description, 40)
    );
    Popup::Prompt(
        PromptPopup::new(
            title,
            submit,
            vec![Field::multi(WorkField::Comment, "Comment", "")],
        )
        .hint("a comment is optional")
        .width(72),
    )
}

fn sign_off_popup(number: i64, name: &str) -> Popup {
    let submit = Submit::send(move |form: &mut Form| {
        form.check_required().then(|| WorkCall::SignOff {
            number,
            full_name: form.text(WorkField::FullName),
            comment: form.text(WorkField::Comment),
        })
    });
    let fields = vec![
        Field::line(WorkField::FullName, "Full name", "").required(),
        Field::multi(WorkField::Comment, "Comment", ""),
    ];
    Popup::Prompt(
        PromptPopup::new(
            format!("Sign off #{number}: the work is done"),
            submit,
            fields,
        )
        .hint(format!(
            "type your full name ({name}) to sign; the ticket closes"
        ))
        .width(72),
    )
}

impl WorkPanel {
    /// Asks for the ticket's work.
    pub fn load(&self, number: i64, fx: &mut Effects) {
        fx.send(WorkCall::Get { number });
    }

    fn permissions(&self) -> pb::WorkPermissions {
        self.work
            .as_ref()
            .and_then(|w| w.permissions)
            .unwrap_or_default()
    }

    /// The oldest estimate still waiting for a decision.
    fn pending(&self) -> Option<&pb::Estimate> {
        self.work
            .iter()
            .flat_map(|w| &w.estimates)
            .find(|e| e.state() == EstimateState::Pending)
    }

    pub fn handle_key(&mut self, number: i64, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        let p = self.permissions();
        let keys = ctx.keys;
        if keys.is(Cmd::Timer, key) && p.can_log_time {
            match &self.timer {
                Some(t) => {
                    fx.popup = Some(time_popup(
                        TimeForm::Timer(t),
                        &self.work_types,
                        (ctx.tz, ctx.now),
                    ));
                }
                None => fx.send(WorkCall::StartTimer { number }),
            }
        } else if keys.is(Cmd::LogTime, key) && p.can_log_time {
            fx.popup = Some(time_popup(
                TimeForm::Log(number),
                &self.work_types,
                (ctx.tz, ctx.now),
            ));
        } else if keys.is(Cmd::EditTime, key) && p.can_log_time {
            self.pick_own_entry(number, ctx, fx);
        } else if keys.is(Cmd::Estimate, key) && p.can_propose_estimate {
            fx.popup = Some(propose_popup(number));
        } else if (keys.is(Cmd::Approve, key) || keys.is(Cmd::Decline, key))
            && p.can_decide_estimates
        {
            match self.pending() {
                Some(e) => fx.popup = Some(decide_popup(number, e, keys.is(Cmd::Approve, key))),
                None => fx.info("No estimate awaits a decision"),
            }
        } else if keys.is(Cmd::SignOff, key) && p.can_sign_off {
            fx.popup = Some(sign_off_popup(number, &ctx.me.display_name));
        } else {
            return false;
        }
        true
    }

    /// The caller's own unbilled entries on the ticket, to change or delete.
    fn pick_own_entry(&self, number: i64, ctx: &Ctx, fx: &mut Effects) {
        let when = (ctx.tz, ctx.now);
        let own: Vec<&pb::TimeEntry> = self
            .work
            .iter()
            .flat_map(|w| &w.time_entries)
            .filter(|e| changeable(e))
            .collect();
        fx.popup = match own.as_slice() {
            [] => {
                fx.info(format!("You have no unbilled time on #{number}"));
                return;
            }
            [one] => Some(entry_popup(one, &self.work_types, when)),
            many => Some(Popup::pick(
                format!("Your unbilled time on #{number}"),
                many.iter()
                    .map(|e| {
                        let popup = entry_popup(e, &self.work_types, when);
                        (entry_summary(e, ctx.tz), Then::Open(Box::new(popup)))
                    })
                    .collect(),
            )),
        };
    }

    /// Takes the replies about work; true when `reply` was one.
    pub fn on_reply(&mut self, number: i64, reply: &Reply, fx: &mut Effects) -> bool {
        match reply {
            Reply::Work { number: n, work } if *n == number => {
                self.work = Some((**work).clone());
                // Who may log time keeps a timer and needs the work types:
                // asked for once.
                if self.work_types.is_empty() && self.permissions().can_log_time {
                    fx.send(WorkCall::GetTimer);
                    fx.send(WorkCall::WorkTypes);
                }
            }
            Reply::WorkTypes(types) => self.work_types.clone_from(types),
            Reply::Timer(t) => {
                self.timer = t.running.then(|| t.clone());
                if t.running && t.ticket_number == number {
                    fx.ok(format!("Timer started on #{number}"));
                }
            }
            // The timer's time is logged and the timer stopped.
            Reply::TimerStopped(t) => {
                self.timer = None;
                fx.close_prompt = true;
                fx.ok(format!("#{}: time logged, timer stopped", t.ticket_number));
                if t.ticket_number == number {
                    self.load(number, fx);
                }
            }
            _ => return false,
        }
        true
    }

    pub fn help(&self, ctx: &Ctx) -> HelpLines {
        let p = self.permissions();
        let mut lines = Vec::new();
        if p.can_log_time {
            lines.push(help_line(ctx.keys, Cmd::Timer, "start or stop your timer"));
            lines.push(help_line(ctx.keys, Cmd::LogTime, "log time"));
            lines.push(help_line(
                ctx.keys,
                Cmd::EditTime,
                "change or delete my unbilled time here",
            ));
        }
        if p.can_propose_estimate {
            lines.push(help_line(ctx.keys, Cmd::Estimate, "propose an estimate"));
        }
        if p.can_decide_estimates {
            lines.push(help_line(
                ctx.keys,
                Cmd::Approve,
                "approve the waiting estimate",
            ));
            lines.push(help_line(
                ctx.keys,
                Cmd::Decline,
                "decline the waiting estimate",
            ));
        }
        if p.can_sign_off {
            lines.push(help_line(
                ctx.keys,
                Cmd::SignOff,
                "sign off: the work is done",
            ));
        }
        lines
    }

    pub fn hints(&self) -> Vec<&'static str> {
        let p = self.permissions();
        let mut hints = Vec::new();
        if p.can_sign_off {
            hints.push("O sign off");
        }
        if p.can_decide_estimates && self.pending().is_some() {
            hints.extend(["Y approve", "N decline"]);
        }
        if p.can_log_time {
            hints.push(if self.timer.is_some() {
                "m stop timer"
            } else {
                "m timer"
            });
            hints.push("l log time");
        }
        hints
    }

    /// The sections, under the ticket's other ones.
    pub fn lines(&self, ctx: &Ctx, heading: &dyn Fn(&str) -> Line<'static>) -> Vec<Line<'static>> {
        let theme = ctx.theme;
        let Some(w) = &self.work else {
            return Vec::new();
        };
        let mut lines = Vec::new();
        if !w.estimates.is_empty() {
            lines.push(heading("Estimates"));
        }
        for e in &w.estimates {
            let (state, style) = match e.state() {
                EstimateState::Approved => ("approved", theme.ok),
                EstimateState::Declined => ("declined", theme.error),
                EstimateState::Expired => ("expired", theme.muted),
                _ => ("awaiting decision", theme.warn),
            };
            let decided = if e.decided_by.is_empty() {
                String::new()
            } else {
                format!(
                    " by {} {}",
                    e.decided_by,
                    format::time(e.decided_at.as_ref(), ctx.tz)
                )
            };
            lines.push(Line::from(vec![
                Span::styled(format!(" {} ", money(e.amount_cents)), theme.text),
                Span::styled(format!("{state}{decided}"), style),
            ]));
            lines.push(Line::styled(format!("   {}", e.description), theme.text));
            let by = format!(
                "   proposed by {} {}",
                e.proposed_by,
                format::time(e.proposed_at.as_ref(), ctx.tz)
            );
            let until = if e.expires_on.is_empty() {
                String::new()
            } else {
                format!(" · decide by {}", e.expires_on)
            };
            lines.push(Line::styled(format!("{by}{until}"), theme.muted));
            if !e.comment.is_empty() {
                lines.push(Line::styled(format!("   “{}”", e.comment), theme.text));
            }
        }
        if let Some(s) = &w.sign_off {
            lines.push(heading("Sign-off"));
            lines.push(Line::styled(
                format!(
                    " Signed “{}” by {} {}",
                    s.typed_name,
                    s.signer_name,
                    format::time(s.signed_at.as_ref(), ctx.tz)
                ),
                theme.ok,
            ));
            if !s.comment.is_empty() {
                lines.push(Line::styled(format!("   “{}”", s.comment), theme.text));
            }
            if !s.resolution.is_empty() {
                lines.push(Line::styled(
                    format!("   accepted: {}", s.resolution),
                    theme.muted,
                ));
            }
        }
        if !w.time_entries.is_empty() {
            lines.push(heading(&format!(
                "Time · {} billable",
                minutes(w.billable_minutes)
            )));
        }
        for t in &w.time_entries {
            let charge = if t.billable { "billable" } else { "no charge" };
            lines.push(Line::from(vec![
                Span::styled(
                    format!(" {} ", format::time(t.ended_at.as_ref(), ctx.tz)),
                    theme.muted,
                ),
                Span::styled(
                    format!(
                        "{} · {} · {} · {charge}",
                        minutes(t.minutes),
                        t.work_type_name,
                        t.staff_name
                    ),
                    theme.text,
                ),
            ]));
            if !t.note.is_empty() {
                let shown = if ctx.is_staff() && !t.note_public {
                    " (internal)"
                } else {
                    ""
                };
                lines.push(Line::styled(format!("   {}{shown}", t.note), theme.muted));
            }
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_minutes_read_as_typed() {
        assert_eq!(parse_money("1,200.5"), Some(120_050));
        assert_eq!(parse_money("450"), Some(45_000));
        assert_eq!(parse_money("4.505"), None);
        assert_eq!(parse_money("abc"), None);
        assert_eq!(money(120_050), "1,200.50");
        assert_eq!(parse_minutes("1h30"), Some(90));
        assert_eq!(parse_minutes("90"), Some(90));
        assert_eq!(parse_minutes("2h"), Some(120));
        assert_eq!(parse_minutes("45m"), Some(45));
        assert_eq!(parse_minutes("x"), None);
        assert_eq!(minutes(90), "1 h 30 min");
    }

    #[test]
    fn local_times_are_read_in_the_display_zone() {
        let now = Utc.with_ymd_and_hms(2026, 3, 10, 15, 0, 0).unwrap();
        let tz: Tz = "America/Chicago".parse().unwrap();
        let t = parse_local("09:30", tz, now).unwrap();
        assert_eq!(t, Utc.with_ymd_and_hms(2026, 3, 10, 14, 30, 0).unwrap());
        let t = parse_local("2026-03-09 08:00", tz, now).unwrap();
        assert_eq!(t, Utc.with_ymd_and_hms(2026, 3, 9, 13, 0, 0).unwrap());
        assert!(parse_local("9.30", tz, now).is_none());
    }
}
