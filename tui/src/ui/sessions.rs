//! My sessions, on the Account tab: where I am signed in (client, address,
//! when signed in and last used), this one marked. One can be ended after a
//! confirmation, or every other one at once.

use crossterm::event::KeyEvent;
use portal_proto::pb;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use super::popup::{Popup, Then};
use super::{Ctx, Effects, HelpLines, format, help_line, moved, plain_help};
use crate::action::{AccountCall, Reply};
use crate::keys::Cmd;

#[derive(Debug, Clone, Default)]
pub struct Sessions {
    pub rows: Vec<pb::MySession>,
    pub loaded: bool,
    pub state: TableState,
}

/// How a session's client shows: its own name, or "unknown".
fn client(s: &pb::MySession) -> String {
    if s.client.is_empty() {
        "unknown client".to_owned()
    } else {
        s.client.clone()
    }
}

impl Sessions {
    pub fn load(&self, fx: &mut Effects) {
        fx.send(AccountCall::Sessions);
    }

    fn selected(&self) -> Option<&pb::MySession> {
        self.state.selected().and_then(|i| self.rows.get(i))
    }

    pub fn help(ctx: &Ctx) -> HelpLines {
        vec![
            plain_help("↑/↓ j/k g/G PgUp/PgDn", "move"),
            help_line(ctx.keys, Cmd::Delete, "sign the selected session out"),
            help_line(
                ctx.keys,
                Cmd::SignOutOthers,
                "sign out everywhere else (keeps this session)",
            ),
            help_line(ctx.keys, Cmd::Logout, "sign this session out"),
            help_line(ctx.keys, Cmd::Refresh, "refresh"),
            plain_help("Esc", "back to My Account"),
        ]
    }

    pub fn handle_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        let i = self.state.selected().unwrap_or(0);
        if let Some(to) = moved(ctx.keys, key, i, self.rows.len(), 10) {
            self.state.select(Some(to));
            return true;
        }
        match key.code {
            _ if ctx.keys.is(Cmd::Delete, key) => match self.selected() {
                Some(s) if s.current => {
                    fx.info("That is this session: L signs it out");
                }
                Some(s) => {
                    let signed_in = format::short_time(s.signed_in_at.as_ref(), ctx.now, ctx.tz);
                    let from = if s.address.is_empty() {
                        String::new()
                    } else {
                        format!(" from {}", s.address)
                    };
                    fx.popup = Some(Popup::confirm(
                        "Sign this session out?",
                        format!(
                            "{}{from}, signed in {signed_in}, is signed out at once \
                             and must sign in again.",
                            client(s)
                        ),
                        Then::send(AccountCall::RevokeSession { id: s.id }),
                    ));
                }
                None => {}
            },
            _ if ctx.keys.is(Cmd::SignOutOthers, key) => {
                let others = self.rows.iter().filter(|s| !s.current).count();
                if others == 0 {
                    fx.info("You are signed in nowhere else");
                } else {
                    fx.popup = Some(Popup::confirm(
                        "Sign out everywhere else?",
                        format!(
                            "{others} other session{} signed out at once; this one stays.",
                            if others == 1 { " is" } else { "s are" }
                        ),
                        Then::send(AccountCall::SignOutEverywhere { keep_current: true }),
                    ));
                }
            }
            _ if ctx.keys.is(Cmd::Refresh, key) => self.load(fx),
            _ => return false,
        }
        true
    }

    pub fn on_reply(&mut self, reply: &Reply, fx: &mut Effects) {
        match reply {
            Reply::Sessions(rows) => {
                self.loaded = true;
                self.rows.clone_from(rows);
                let selected = (!self.rows.is_empty())
                    .then(|| self.state.selected().unwrap_or(0).min(self.rows.len() - 1));
                self.state.select(selected);
            }
            Reply::SessionRevoked { .. } => {
                fx.ok("The session is signed out");
                self.load(fx);
            }
            Reply::SignedOutEverywhere { ended, .. } => {
                fx.ok(match ended {
                    0 => "You were signed in nowhere else".to_owned(),
                    1 => "1 other session is signed out".to_owned(),
                    n => format!("{n} other sessions are signed out"),
                });
                self.load(fx);
            }
            _ => {}
        }
    }

    pub fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let [header, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(" My sessions ", theme.title),
                Span::styled(format!("· {} · ", self.rows.len()), theme.muted),
                Span::styled("● this session ", theme.ok),
                Span::styled(
                    format!("· times {}", format::zone(ctx.tz, ctx.now)),
                    theme.muted,
                ),
            ])),
            header,
        );
        if self.loaded {
            let rows = self.rows.iter().map(|s| {
                // A mark in front, not a note behind: a long client name
                // would cut the note off at 80 columns.
                let mark = if s.current { "● " } else { "  " };
                Row::new(vec![
                    Cell::from(Line::from(vec![
                        Span::styled(mark, theme.ok),
                        Span::styled(client(s), theme.text),
                    ])),
                    Cell::from(if s.address.is_empty() {
                        "—".to_owned()
                    } else {
                        s.address.clone()
                    }),
                    Cell::from(format::short_time(s.signed_in_at.as_ref(), ctx.now, ctx.tz)),
                    Cell::from(format::short_time(s.last_used_at.as_ref(), ctx.now, ctx.tz)),
                ])
            });
            let widths = [
                Constraint::Fill(2),
                Constraint::Fill(1),
                Constraint::Length(12),
                Constraint::Length(12),
            ];
            let table = Table::new(rows, widths)
                .header(
                    Row::new(["Client", "Address", "Signed in", "Last used"]).style(theme.muted),
                )
                .row_highlight_style(theme.selected);
            frame.render_stateful_widget(table, body, &mut self.state);
        } else {
            frame.render_widget(
                Paragraph::new(Line::styled(" Loading your sessions…", theme.muted)),
                body,
            );
        }
        let hints = format::hints(
            &["Esc back", "d sign out", "X sign out everywhere else"],
            usize::from(footer.width),
        );
        frame.render_widget(Paragraph::new(Line::styled(hints, theme.muted)), footer);
    }
}
