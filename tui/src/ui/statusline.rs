//! The bottom line: spinner and last message on the left; who is signed in,
//! the company and the connection on the right.

use chrono::{DateTime, Utc};
use portal_proto::pb;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Level, format};
use crate::theme::Theme;

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];
/// Room the message keeps at least before the right side gives up detail.
const MESSAGE_ROOM: usize = 24;
/// Less room than this for who is signed in, and it is left out.
const WHO_ROOM: usize = 8;

/// How long a message stays; errors a little longer, to be read.
const MESSAGE_FOR: chrono::TimeDelta = chrono::TimeDelta::seconds(5);
const ERROR_FOR: chrono::TimeDelta = chrono::TimeDelta::seconds(10);

/// What the status line shows.
#[derive(Debug, Clone, Default)]
pub struct Status {
    pub message: Option<(Level, String)>,
    /// When the message goes.
    pub message_until: Option<DateTime<Utc>>,
    /// `None` before the live-update stream first answers.
    pub connected: Option<bool>,
    /// Calls under way.
    pub pending: usize,
    /// Staff: the running timer's ticket and elapsed time, e.g. `#12 0:04:10`.
    pub timer: Option<String>,
    pub tick: usize,
}

impl Status {
    /// Shows `message` from `now` for a few seconds.
    pub fn say(&mut self, message: (Level, String), now: DateTime<Utc>) {
        let lasts = if message.0 == Level::Error {
            ERROR_FOR
        } else {
            MESSAGE_FOR
        };
        self.message = Some(message);
        self.message_until = Some(now + lasts);
    }

    /// A new session, or none: no message and no connection yet; calls
    /// under way still count.
    pub fn reset(&mut self) {
        self.message = None;
        self.message_until = None;
        self.connected = None;
    }

    /// Drops an error on show: what it said went wrong with a form is
    /// answered once the form goes through.
    pub fn clear_error(&mut self) {
        if matches!(self.message, Some((Level::Error, _))) {
            self.message = None;
            self.message_until = None;
        }
    }

    /// Drops the message once its time is up; true when it went.
    pub fn expire(&mut self, now: DateTime<Utc>) -> bool {
        if self.message_until.is_some_and(|until| now >= until) {
            self.message = None;
            self.message_until = None;
            return true;
        }
        false
    }
}

/// Who is signed in, as detailed as `room` allows.
fn who(me: &pb::Identity, room: usize) -> String {
    let role = format::who(me);
    let name = me.display_name.chars().count();
    let candidates = [
        format!("{} ({role}) · {}", me.display_name, me.company_name),
        format!("{} · {}", me.display_name, me.company_name),
        // The company, shortened, rather than not at all.
        format!(
            "{} · {}",
            me.display_name,
            format::fit(&me.company_name, room.saturating_sub(name + 3).max(6))
        ),
        me.display_name.clone(),
    ];
    candidates
        .into_iter()
        .map(|c| c.trim_end_matches(" · ").to_owned())
        .find(|c| c.chars().count() <= room)
        .unwrap_or_else(|| format::fit(&me.display_name, room))
}

pub fn render(
    frame: &mut Frame,
    area: Rect,
    status: &Status,
    me: Option<&pb::Identity>,
    theme: &Theme,
) {
    let base = theme.status_bar;
    let (conn_text, conn_style) = match status.connected {
        Some(true) => ("● online", base.patch(theme.ok)),
        Some(false) => ("○ reconnecting…", base.patch(theme.warn)),
        None => ("◌ connecting", base.patch(theme.muted)),
    };
    // The message has the room it needs first (never less than
    // MESSAGE_ROOM): who is signed in shows in what is left, or not at all
    // while a long message is up; the timer and the connection always show.
    let message = status
        .message
        .as_ref()
        .map_or(0, |(_, text)| text.chars().count() + 4);
    let timer = status.timer.as_ref().map(|t| format!("⏱ {t} │ "));
    let fixed = conn_text.chars().count() + 2 + timer.as_ref().map_or(0, |t| t.chars().count());
    let keep = message.max(MESSAGE_ROOM);
    // Who is signed in adds " │ " and a margin.
    let room = usize::from(area.width).saturating_sub(keep + fixed + 4);
    let mut right = Vec::new();
    if let Some(timer) = timer {
        right.push(Span::styled(timer, base.patch(theme.warn)));
    }
    if let Some(me) = me.filter(|_| room >= WHO_ROOM) {
        right.push(Span::styled(format!("{} │ ", who(me, room)), base));
    }
    // Before sign-in there is no live connection to speak of.
    if me.is_some() {
        right.push(Span::styled(format!("{conn_text} "), conn_style));
    }
    let right = Line::from(right);
    let [left_area, right_area] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(right.width() as u16 + 1),
    ])
    .areas(area);

    let spinner = if status.pending > 0 {
        SPINNER[status.tick % SPINNER.len()]
    } else {
        " "
    };
    let mut left = vec![Span::styled(
        format!(" {spinner} "),
        base.patch(theme.accent),
    )];
    if let Some((level, text)) = &status.message {
        let style = match level {
            Level::Info => base,
            Level::Ok => base.patch(theme.ok),
            Level::Error => base.patch(theme.error),
        };
        let width = usize::from(left_area.width).saturating_sub(4);
        left.push(Span::styled(format::fit(text, width), style));
    }
    frame.render_widget(Paragraph::new(Line::from(left)).style(base), left_area);
    frame.render_widget(
        Paragraph::new(right).style(base).right_aligned(),
        right_area,
    );
}
