//! How a ticket stands against its SLA, in words and marks: whose move it
//! is, the next deadline and its state (a symbol as well as a colour, so
//! NO_COLOR still shows it), and the emergency marker.

use chrono::{DateTime, Utc};
use portal_proto::pb::{self, SlaDeadline, WhoseMove};
use ratatui::style::Style;
use ratatui::text::Span;

use super::{Ctx, format};
use crate::theme::Theme;

/// A ticket's next deadline as of `now`, from the times the server keeps
/// (its `sla_state` is as of the reply; this one follows the clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// No deadline running: none set, the clock stopped, or not open.
    None,
    OnTime,
    AtRisk,
    Breached,
}

pub fn state(t: &pb::Ticket, now: DateTime<Utc>) -> State {
    match format::to_datetime(t.next_due_at.as_ref()) {
        None => State::None,
        Some(due) if now >= due => State::Breached,
        Some(_) if format::to_datetime(t.next_risk_at.as_ref()).is_some_and(|r| now >= r) => {
            State::AtRisk
        }
        Some(_) => State::OnTime,
    }
}

/// The symbol and style of a state.
pub fn mark(state: State, theme: &Theme) -> (&'static str, Style) {
    match state {
        State::None => (" ", theme.muted),
        State::OnTime => ("●", theme.ok),
        State::AtRisk => ("▲", theme.warn),
        State::Breached => ("✖", theme.error),
    }
}

/// The marks before a ticket's whose-move line: its state's symbol, after
/// the pause symbol when the clock is stopped on a deadline already
/// missed ("‖ ✖").
pub fn marks(t: &pb::Ticket, now: DateTime<Utc>, theme: &Theme) -> (String, Style) {
    let state = state(t, now);
    let (symbol, style) = mark(state, theme);
    if paused_breached(t, state) {
        (format!("‖ {symbol}"), style)
    } else {
        (symbol.to_owned(), style)
    }
}

/// Waiting on the client (the clock stopped) with its deadline already
/// missed: the breach stays on show beside the pause.
fn paused_breached(t: &pb::Ticket, state: State) -> bool {
    t.whose_move() == WhoseMove::Client && state == State::Breached
}

/// What is due next: "answer" (the first response) or "fix" (resolution).
fn due_word(t: &pb::Ticket) -> &'static str {
    match t.next_due_kind() {
        SlaDeadline::Response => "answer",
        SlaDeadline::Resolution | SlaDeadline::None => "fix",
    }
}

/// "due in 42 min" / "was due 2 h ago".
fn due_when(t: &pb::Ticket, now: DateTime<Utc>) -> String {
    let when = format::relative(t.next_due_at.as_ref(), now);
    if when.ends_with("ago") {
        format!("was due {when}")
    } else {
        format!("due {when}")
    }
}

/// Whose move it is, as the caller reads it: for clients "waiting on you"
/// or "with {provider}: answer due in 42 min"; for staff the same from the
/// provider's side. Nothing is said to be due once it has been met.
pub fn whose_move(t: &pb::Ticket, ctx: &Ctx) -> String {
    let staff = ctx.me.staff;
    let provider = if ctx.me.provider_name.is_empty() {
        "the service desk"
    } else {
        ctx.me.provider_name.as_str()
    };
    match t.whose_move() {
        WhoseMove::Nobody => String::new(),
        WhoseMove::Client => {
            let what = if t.status() == pb::TicketStatus::Completed {
                "sign off or reject the work"
            } else {
                "an answer"
            };
            let waiting = if staff {
                format!("Waiting on the client: {what} (SLA clock stopped)")
            } else {
                format!("Waiting on you: {what}")
            };
            if paused_breached(t, state(t, ctx.now)) {
                format!("{waiting} · {} {}", due_word(t), due_when(t, ctx.now))
            } else {
                waiting
            }
        }
        WhoseMove::Provider => {
            let with = if staff {
                "With us".to_owned()
            } else {
                format!("With {provider}")
            };
            if t.next_due_at.is_some() {
                format!("{with}: {} {}", due_word(t), due_when(t, ctx.now))
            } else {
                with
            }
        }
    }
}

/// The short deadline cell of a list row: "✖ 12 min ago", "▲ in 9 min",
/// "● in 2 h", "‖ you" (waiting on the client), "‖ ✖ breached" (waiting,
/// but the deadline was missed before), "" (none).
pub fn due_cell(t: &pb::Ticket, ctx: &Ctx) -> Span<'static> {
    let theme = ctx.theme;
    let state = state(t, ctx.now);
    let (symbol, style) = mark(state, theme);
    if paused_breached(t, state) {
        return Span::styled(format!("‖ {symbol} breached"), style);
    }
    if t.whose_move() == WhoseMove::Client && t.next_due_at.is_none() {
        let who = if ctx.me.staff { "client" } else { "you" };
        return Span::styled(format!("‖ {who}"), theme.muted);
    }
    if state == State::None {
        return Span::raw("");
    }
    Span::styled(
        format!(
            "{symbol} {}",
            format::relative(t.next_due_at.as_ref(), ctx.now)
        ),
        style,
    )
}

/// The emergency marker before a title; empty for other tickets.
pub fn emergency(t: &pb::Ticket, theme: &Theme) -> Span<'static> {
    if t.emergency {
        Span::styled("‼ ", theme.error)
    } else {
        Span::raw("")
    }
}
