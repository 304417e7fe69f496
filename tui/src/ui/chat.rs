//! A ticket's chat (docs/TICKETS.md, "Chat"): its public posts as a
//! conversation, oldest at the top and the newest just above a line to
//! type in. The ticket reloads on each live event about it, so the other
//! side's messages appear as they are sent, with nothing to refresh.

use crossterm::event::{KeyCode, KeyEvent};
use portal_proto::pb::{self, TimelineKind};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::input::LineInput;
use super::{Ctx, Effects, format};
use crate::action::TicketCall;

#[derive(Debug, Clone, Default)]
pub struct Chat {
    input: LineInput,
    /// The message on its way: the line empties once the server took it.
    sending: bool,
}

/// What a key did in the chat.
pub enum ChatKey {
    Handled,
    /// Back to the ticket.
    Leave,
}

impl Chat {
    pub fn handle_key(&mut self, number: i64, key: &KeyEvent, fx: &mut Effects) -> ChatKey {
        match key.code {
            KeyCode::Esc => return ChatKey::Leave,
            KeyCode::Enter => {
                let body = self.input.value().trim().to_owned();
                if !body.is_empty() && !self.sending {
                    self.sending = true;
                    fx.send(TicketCall::AddPost {
                        number,
                        kind: pb::PostKind::Discussion,
                        body,
                        chat: true,
                    });
                }
            }
            _ => {
                self.input.handle(key);
            }
        }
        ChatKey::Handled
    }

    /// The server took the message, or refused it (the line stays).
    pub fn sent(&mut self, ok: bool) {
        if std::mem::take(&mut self.sending) && ok {
            self.input.set("");
        }
    }

    /// `timeline` is newest first, as the ticket keeps it.
    pub fn render(
        &self,
        frame: &mut Frame,
        area: Rect,
        (ticket, timeline): (Option<&pb::Ticket>, &[pb::TimelineEntry]),
        ctx: &Ctx,
    ) {
        let theme = ctx.theme;
        let [head, body, input, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        let title = ticket.map_or_else(String::new, |t| {
            let waiting = waited(t, ctx).map_or_else(String::new, |w| format!(" · waiting {w}"));
            format!(" Chat on #{}{waiting} · {}", t.number, t.title)
        });
        frame.render_widget(
            Paragraph::new(Line::styled(
                format::fit(&title, usize::from(head.width)),
                theme.title,
            )),
            head,
        );
        let lines = conversation(ticket, timeline, ctx, body.width);
        let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
        let total = u16::try_from(paragraph.line_count(body.width)).unwrap_or(u16::MAX);
        // The newest message sits just above the line typed in, as in any
        // chat: a short conversation at the bottom, a long one scrolled.
        let scroll = total.saturating_sub(body.height);
        let [_, shown] = Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length(total.min(body.height)),
        ])
        .areas(body);
        frame.render_widget(paragraph.scroll((scroll, 0)), shown);
        let prompt = Span::styled(" › ", theme.accent);
        let width = usize::from(input.width.saturating_sub(3));
        let mut typed = self.input.line(width, true, false, theme.text);
        typed.spans.insert(0, prompt);
        frame.render_widget(Paragraph::new(typed), input);
        let hints = if self.sending {
            "sending…"
        } else {
            "Enter send · Esc back to the ticket"
        };
        frame.render_widget(
            Paragraph::new(Line::styled(format!(" {hints}"), theme.muted)),
            footer,
        );
    }
}

/// The conversation, oldest first: the ticket's description as its
/// requester's first message (a chat from Home starts there), then the
/// public posts; who and when on one line, the text under it.
fn conversation(
    ticket: Option<&pb::Ticket>,
    timeline: &[pb::TimelineEntry],
    ctx: &Ctx,
    width: u16,
) -> Vec<Line<'static>> {
    let theme = ctx.theme;
    let opening = ticket
        .filter(|t| !t.description.trim().is_empty())
        .map(|t| {
            (
                t.created_at.as_ref(),
                t.contact_name.clone(),
                false,
                t.description.as_str(),
            )
        });
    let posts = timeline
        .iter()
        .rev()
        .filter(|e| {
            matches!(
                e.kind(),
                TimelineKind::Discussion | TimelineKind::Resolution
            )
        })
        .map(|e| {
            (
                e.at.as_ref(),
                e.author_name.clone(),
                e.author_is_staff,
                e.body.as_str(),
            )
        });
    let mut lines = Vec::new();
    for (at, name, staff, body) in opening.into_iter().chain(posts) {
        let (who, style) = if staff {
            (format!("{name} (staff)"), theme.ok)
        } else {
            (name, theme.accent)
        };
        lines.push(Line::from(vec![
            Span::styled(format!(" {} ", format::time(at, ctx.tz)), theme.muted),
            Span::styled(who, style),
        ]));
        lines.extend(
            format::wrap(body, "   ", usize::from(width))
                .into_iter()
                .map(|l| Line::styled(l, theme.text)),
        );
    }
    if lines.is_empty() {
        lines.push(Line::styled(
            " No messages yet: type one below.",
            theme.muted,
        ));
    }
    lines
}

/// How long the ticket's chat has waited for an answer, shortly: "5m",
/// "2h", "3d"; `None` when nothing waits.
fn waited(t: &pb::Ticket, ctx: &Ctx) -> Option<String> {
    let since = format::to_datetime(t.chat_waiting_since.as_ref())?;
    let minutes = (ctx.now - since).num_minutes().max(0);
    Some(match minutes {
        m if m < 60 => format!("{m}m"),
        m if m < 48 * 60 => format!("{}h", m / 60),
        m => format!("{}d", m / (24 * 60)),
    })
}

/// "chat 5m · " before the title of a ticket whose chat waits for an
/// answer (in words, so it reads without colour); nothing otherwise.
pub fn waiting_marker(t: &pb::Ticket, ctx: &Ctx) -> Span<'static> {
    waited(t, ctx).map_or_else(
        || Span::raw(""),
        |w| Span::styled(format!("chat {w} · "), ctx.theme.warn),
    )
}
