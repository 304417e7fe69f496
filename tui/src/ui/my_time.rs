//! "My time" on the Account tab, for staff (docs/MONEY.md "Time entries"):
//! the caller's time entries by week or by day, with day and week totals,
//! from `WorkService.ListMyTime`; its own unbilled entries are changed or
//! deleted from here.

use chrono::{Datelike, Days, NaiveDate};
use crossterm::event::{KeyCode, KeyEvent};
use portal_proto::pb;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, TableState};

use super::ticket_work::{TimeForm, changeable, delete_time_popup, minutes, time_popup};
use super::{Ctx, Effects, HelpLines, Nav, format, help_line, moved, plain_help};
use crate::action::{Reply, WorkCall};
use crate::keys::Cmd;

#[derive(Debug, Clone, Default)]
pub struct MyTime {
    /// The week last asked for, by any day of it; empty: this week.
    asked: String,
    pub time: Option<pb::MyTime>,
    /// The day shown alone (0 = Monday); `None`: the whole week.
    day: Option<usize>,
    /// Where the day view lands once the week it moved to arrives.
    day_after_load: Option<usize>,
    pub work_types: Vec<pb::WorkType>,
    state: TableState,
}

/// The date of `day` (YYYY-MM-DD), if the server sent a valid one.
fn date(day: &pb::DayTotal) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&day.date, "%Y-%m-%d").ok()
}

/// `h:mm` for the day strip.
fn clock(m: u32) -> String {
    format!("{}:{:02}", m / 60, m % 60)
}

impl MyTime {
    /// Opens on this week.
    pub fn open(&mut self, fx: &mut Effects) {
        self.asked.clear();
        self.day = None;
        self.load(fx);
        if self.work_types.is_empty() {
            fx.send(WorkCall::WorkTypes);
        }
    }

    pub fn load(&self, fx: &mut Effects) {
        fx.send(WorkCall::MyTime {
            week_of: self.asked.clone(),
        });
    }

    /// The Monday of the week on show.
    fn monday(&self) -> Option<NaiveDate> {
        self.time.as_ref()?.days.first().and_then(date)
    }

    /// Asks for the week `weeks` away from the one on show.
    fn move_week(&mut self, forward: bool, fx: &mut Effects) {
        let Some(monday) = self.monday() else {
            return;
        };
        let week = Days::new(7);
        let to = if forward {
            monday.checked_add_days(week)
        } else {
            monday.checked_sub_days(week)
        };
        if let Some(to) = to {
            self.asked = to.format("%Y-%m-%d").to_string();
            self.load(fx);
        }
    }

    /// The day view's next or previous day, across weeks.
    fn move_day(&mut self, day: usize, forward: bool, fx: &mut Effects) {
        match (day, forward) {
            (6, true) => {
                self.day_after_load = Some(0);
                self.move_week(true, fx);
            }
            (0, false) => {
                self.day_after_load = Some(6);
                self.move_week(false, fx);
            }
            (d, true) => self.day = Some(d + 1),
            (d, false) => self.day = Some(d - 1),
        }
        self.state.select(Some(0));
    }

    /// The entries on show: the week's, or the chosen day's.
    fn shown(&self, ctx: &Ctx) -> Vec<&pb::TimeEntry> {
        let Some(time) = &self.time else {
            return Vec::new();
        };
        let day = self.day.and_then(|d| time.days.get(d)).and_then(date);
        time.entries
            .iter()
            .filter(|e| day.is_none() || day == Some(Self::local_date(e, ctx)))
            .collect()
    }

    /// The day an entry counts on: the day it ended, in the provider's zone.
    fn local_date(e: &pb::TimeEntry, ctx: &Ctx) -> NaiveDate {
        format::to_datetime(e.ended_at.as_ref())
            .map_or(NaiveDate::MIN, |t| t.with_timezone(&ctx.tz).date_naive())
    }

    fn selected<'a>(&self, shown: &[&'a pb::TimeEntry]) -> Option<&'a pb::TimeEntry> {
        self.state.selected().and_then(|i| shown.get(i).copied())
    }

    pub fn handle_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        let keys = ctx.keys;
        let shown = self.shown(ctx);
        let at = self.state.selected().unwrap_or(0);
        if let Some(to) = moved(keys, key, at, shown.len(), 10) {
            self.state.select(Some(to));
            return true;
        }
        let entry = self.selected(&shown).cloned();
        if keys.is(Cmd::NextSection, key) || keys.is(Cmd::PrevSection, key) {
            let forward = keys.is(Cmd::NextSection, key);
            match self.day {
                Some(day) => self.move_day(day, forward, fx),
                None => self.move_week(forward, fx),
            }
        } else if keys.is(Cmd::ToggleView, key) {
            self.day = match self.day {
                Some(_) => None,
                None => Some(self.today_index(ctx)),
            };
            self.state.select(Some(0));
        } else if key.code == KeyCode::Enter {
            if let Some(e) = entry {
                fx.nav = Some(Nav::OpenTicket(e.ticket_number));
            }
        } else if keys.is(Cmd::Edit, key) || keys.is(Cmd::Delete, key) {
            match entry {
                Some(e) if changeable(&e) => {
                    fx.popup = Some(if keys.is(Cmd::Edit, key) {
                        time_popup(TimeForm::Edit(&e), &self.work_types, (ctx.tz, ctx.now))
                    } else {
                        delete_time_popup(&e, ctx.tz)
                    });
                }
                Some(_) => fx.info("This time is billed: it can no longer change"),
                None => fx.info("No time selected"),
            }
        } else if keys.is(Cmd::Refresh, key) {
            self.load(fx);
        } else {
            return false;
        }
        true
    }

    /// Today's place in the week on show, else Monday's.
    fn today_index(&self, ctx: &Ctx) -> usize {
        let today = ctx.now.with_timezone(&ctx.tz).date_naive();
        match self.monday() {
            Some(monday) if monday <= today => {
                let days = (today - monday).num_days();
                usize::try_from(days).ok().filter(|d| *d < 7).unwrap_or(0)
            }
            _ => 0,
        }
    }

    pub fn on_reply(&mut self, reply: &Reply, fx: &mut Effects) {
        match reply {
            Reply::MyTime { week_of, time } if *week_of == self.asked => {
                self.time = Some((**time).clone());
                if let Some(day) = self.day_after_load.take() {
                    self.day = Some(day);
                }
                let len = time.entries.len();
                let at = self
                    .state
                    .selected()
                    .unwrap_or(0)
                    .min(len.saturating_sub(1));
                self.state.select(Some(at));
            }
            Reply::WorkTypes(types) => self.work_types.clone_from(types),
            Reply::TimeChanged { number, what } if self.time.is_some() => {
                fx.close_prompt = true;
                fx.ok(format!("#{number}: {what}"));
                self.load(fx);
            }
            _ => {}
        }
    }

    pub fn help(ctx: &Ctx) -> HelpLines {
        vec![
            plain_help("←/→", "previous / next week (or day)"),
            help_line(ctx.keys, Cmd::ToggleView, "by day / by week"),
            plain_help("↑/↓ j/k", "choose an entry"),
            plain_help("Enter", "open its ticket"),
            help_line(ctx.keys, Cmd::Edit, "change the entry (until billed)"),
            help_line(ctx.keys, Cmd::Delete, "delete the entry (until billed)"),
            help_line(ctx.keys, Cmd::Refresh, "reload"),
            plain_help("Esc", "back to my account"),
        ]
    }

    fn heading(&self, ctx: &Ctx) -> Line<'static> {
        let theme = ctx.theme;
        let Some(time) = &self.time else {
            return Line::styled(" My time · loading…", theme.muted);
        };
        let (what, total, billable) = match self.day.and_then(|d| time.days.get(d)) {
            Some(day) => (
                date(day).map_or_else(String::new, |d| d.format("%A %-d %b %Y").to_string()),
                day.minutes,
                day.billable_minutes,
            ),
            None => (
                self.monday().map_or_else(String::new, |d| {
                    d.format("week of Mon %-d %b %Y").to_string()
                }),
                time.days.iter().map(|d| d.minutes).sum(),
                time.days.iter().map(|d| d.billable_minutes).sum(),
            ),
        };
        Line::from(vec![
            Span::styled(" My time ", theme.title),
            Span::styled(format!("· {what} · "), theme.muted),
            Span::styled(minutes(total), theme.text),
            Span::styled(format!(" · {} billable", minutes(billable)), theme.muted),
        ])
    }

    /// The week's days with their totals; the day on show marked.
    fn day_strip(&self, ctx: &Ctx) -> Line<'static> {
        let theme = ctx.theme;
        let mut spans = vec![Span::raw(" ")];
        for (i, day) in self.time.iter().flat_map(|t| &t.days).enumerate() {
            let name = date(day).map_or_else(String::new, |d| d.weekday().to_string());
            let style = if self.day == Some(i) {
                theme.selected
            } else if day.minutes == 0 {
                theme.muted
            } else {
                theme.text
            };
            spans.push(Span::styled(
                format!("{name} {}", clock(day.minutes)),
                style,
            ));
            spans.push(Span::raw("  "));
        }
        Line::from(spans)
    }

    pub fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let [top, strip, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        frame.render_widget(Paragraph::new(self.heading(ctx)), top);
        frame.render_widget(Paragraph::new(self.day_strip(ctx)), strip);
        let shown = self.shown(ctx);
        if shown.is_empty() {
            let text = match (&self.time, self.day) {
                (None, _) => " Loading…",
                (Some(_), Some(_)) => " No time logged this day.",
                (Some(_), None) => " No time logged this week.",
            };
            frame.render_widget(Paragraph::new(Line::styled(text, theme.muted)), body);
        } else {
            let rows = shown.iter().map(|e| Self::row(e, ctx));
            let widths = [
                Constraint::Length(10),
                Constraint::Length(11),
                Constraint::Fill(1),
                Constraint::Length(16),
                Constraint::Length(11),
                Constraint::Length(9),
            ];
            let table = Table::new(rows, widths)
                .header(
                    Row::new(["Day", "Time", "Ticket", "Work type", "Length", "Charge"])
                        .style(theme.muted),
                )
                .row_highlight_style(theme.selected);
            frame.render_stateful_widget(table, body, &mut self.state);
        }
        let by = if self.day.is_some() {
            "v by week"
        } else {
            "v by day"
        };
        let move_by = if self.day.is_some() {
            "←/→ day"
        } else {
            "←/→ week"
        };
        let hints = format::hints(
            &[
                "Esc back",
                move_by,
                by,
                "Enter ticket",
                "e change",
                "d delete",
            ],
            usize::from(footer.width),
        );
        frame.render_widget(Paragraph::new(Line::styled(hints, theme.muted)), footer);
    }

    fn row(e: &pb::TimeEntry, ctx: &Ctx) -> Row<'static> {
        let at = |t: Option<&prost_types::Timestamp>| {
            format::to_datetime(t).map_or_else(String::new, |t| {
                t.with_timezone(&ctx.tz).format("%H:%M").to_string()
            })
        };
        let span = match &e.started_at {
            Some(s) => format!("{}–{}", at(Some(s)), at(e.ended_at.as_ref())),
            None => format!("     –{}", at(e.ended_at.as_ref())),
        };
        let charge = match (e.billable, e.billed) {
            (_, true) => "billed",
            (true, false) => "billable",
            (false, false) => "no charge",
        };
        Row::new(vec![
            Self::local_date(e, ctx).format("%a %-d %b").to_string(),
            span,
            format!("#{} {}", e.ticket_number, e.ticket_title),
            e.work_type_name.clone(),
            minutes(e.minutes),
            charge.to_owned(),
        ])
    }
}
