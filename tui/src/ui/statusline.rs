//! The bottom line: spinner and last message on the left; who is signed in,
//! the company and the connection on the right.

use portal_proto::pb;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Level, format};
use crate::theme::Theme;

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

/// What the status line shows.
#[derive(Debug, Clone, Default)]
pub struct Status {
    pub message: Option<(Level, String)>,
    /// `None` before the live-update stream first answers.
    pub connected: Option<bool>,
    /// Calls under way.
    pub pending: usize,
    pub tick: usize,
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
    let mut right = Vec::new();
    if let Some(me) = me {
        let company = if me.company_name.is_empty() {
            String::new()
        } else {
            format!(" · {}", me.company_name)
        };
        right.push(Span::styled(
            format!("{} ({}){company} · ", me.email, format::who(me)),
            base,
        ));
    }
    right.push(Span::styled(format!("{conn_text} "), conn_style));
    let right = Line::from(right);
    let right_width = (right.width() as u16).min(area.width / 2 + 10);
    let [left_area, right_area] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(right_width)]).areas(area);

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
        left.push(Span::styled(text.clone(), style));
    }
    frame.render_widget(Paragraph::new(Line::from(left)).style(base), left_area);
    frame.render_widget(
        Paragraph::new(right).style(base).right_aligned(),
        right_area,
    );
}
