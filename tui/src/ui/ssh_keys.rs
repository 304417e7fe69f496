//! My SSH keys, on the Account tab: the public keys that open the portal
//! through the SSH gateway without a password (algorithm, fingerprint,
//! comment, when added and last used), and the gateway's own host key so
//! one can check what `ssh` shows the first time. A key is added by pasting
//! its public key line, and removed after a confirmation.

use crossterm::event::KeyEvent;
use portal_proto::pb;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Wrap};

use super::form::{Field, Form};
use super::popup::{Popup, PromptField, PromptPopup, Submit, Then};
use super::{Ctx, Effects, HelpLines, format, help_line, moved, plain_help};
use crate::action::{AccountCall, ApiError, Reply, Request};
use crate::keys::Cmd;
use crate::theme::Theme;

#[derive(Debug, Clone, Default)]
pub struct SshKeys {
    pub rows: Vec<pb::SshKey>,
    /// The gateway's host key fingerprint; empty when there is no gateway.
    pub host_key: String,
    pub loaded: bool,
    /// Why the keys could not be listed.
    pub error: Option<String>,
    pub state: TableState,
}

/// Below this width a key takes two lines: the fingerprint whole, then
/// the algorithm and comment.
const ONE_LINE_WIDTH: u16 = 110;

/// How a key is named in a question: its comment, else its fingerprint.
fn name(key: &pb::SshKey) -> &str {
    if key.comment.is_empty() {
        &key.fingerprint
    } else {
        &key.comment
    }
}

impl SshKeys {
    pub fn load(&self, fx: &mut Effects) {
        fx.send(AccountCall::SshKeys);
    }

    fn selected(&self) -> Option<&pb::SshKey> {
        self.state.selected().and_then(|i| self.rows.get(i))
    }

    pub fn help(ctx: &Ctx) -> HelpLines {
        vec![
            plain_help("↑/↓ j/k g/G PgUp/PgDn", "move"),
            help_line(
                ctx.keys,
                Cmd::AddSshKey,
                "add a key: paste its public key line",
            ),
            help_line(ctx.keys, Cmd::Delete, "remove the selected key"),
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
            _ if ctx.keys.is(Cmd::AddSshKey, key) => fx.popup = Some(add_popup()),
            _ if ctx.keys.is(Cmd::Delete, key) => {
                if let Some(k) = self.selected() {
                    fx.popup = Some(Popup::confirm(
                        "Remove this SSH key?",
                        format!(
                            "{} ({}) no longer signs you in through `ssh`.",
                            name(k),
                            k.algorithm
                        ),
                        Then::send(AccountCall::RemoveSshKey { id: k.id }),
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
            Reply::SshKeys(list) => {
                self.loaded = true;
                self.error = None;
                self.rows.clone_from(&list.keys);
                self.host_key.clone_from(&list.host_key_fingerprint);
                let selected = (!self.rows.is_empty())
                    .then(|| self.state.selected().unwrap_or(0).min(self.rows.len() - 1));
                self.state.select(selected);
            }
            Reply::SshKeyAdded(key) => {
                fx.close_prompt = true;
                fx.ok(format!("Your key {} is added", key.fingerprint));
                self.load(fx);
            }
            Reply::SshKeyRemoved { .. } => {
                fx.ok("The key is removed");
                self.load(fx);
            }
            _ => {}
        }
    }

    pub fn on_failed(&mut self, request: &Request, error: &ApiError) {
        if let Request::Account(AccountCall::SshKeys) = request {
            self.error = Some(error.text());
        }
    }

    pub fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let [header, host, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(2),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(" My SSH keys ", theme.title),
                Span::styled(
                    format!(
                        "· {} · times {}",
                        self.rows.len(),
                        format::zone(ctx.tz, ctx.now)
                    ),
                    theme.muted,
                ),
            ])),
            header,
        );
        if self.loaded {
            frame.render_widget(Paragraph::new(self.host_line(theme)), host);
        }
        match (&self.error, self.loaded) {
            (Some(e), _) => frame.render_widget(
                Paragraph::new(Line::styled(format!(" ✗ {e}"), theme.error)),
                body,
            ),
            (None, false) => frame.render_widget(
                Paragraph::new(Line::styled(" Loading your SSH keys…", theme.muted)),
                body,
            ),
            (None, true) if self.rows.is_empty() => frame.render_widget(
                Paragraph::new(empty_lines(theme)).wrap(Wrap { trim: false }),
                body.inner(Margin::new(1, 0)),
            ),
            (None, true) => self.render_table(frame, body, ctx),
        }
        let hints = format::hints(
            &["Esc back", "a add", "d remove"],
            usize::from(footer.width),
        );
        frame.render_widget(Paragraph::new(Line::styled(hints, theme.muted)), footer);
    }

    /// The gateway's host key, to check against what `ssh` shows.
    fn host_line(&self, theme: &Theme) -> Line<'static> {
        if self.host_key.is_empty() {
            Line::styled(" This server runs no SSH gateway", theme.muted)
        } else {
            Line::from(vec![
                Span::styled(" Gateway host key: ", theme.muted),
                Span::styled(self.host_key.clone(), theme.accent),
            ])
        }
    }

    fn render_table(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let when = |t: Option<&prost_types::Timestamp>| format::short_time(t, ctx.now, ctx.tz);
        let last_used = |k: &pb::SshKey| match &k.last_used_at {
            Some(t) => when(Some(t)),
            None => "never".to_owned(),
        };
        let one_line = area.width >= ONE_LINE_WIDTH;
        let rows = self.rows.iter().map(|k| {
            let comment = format::or_dash(k.comment.clone());
            let times = [
                Cell::from(when(k.added_at.as_ref())),
                Cell::from(last_used(k)),
            ];
            if one_line {
                let cells = [
                    Cell::from(k.algorithm.clone()),
                    Cell::from(Span::styled(k.fingerprint.clone(), theme.text)),
                    Cell::from(comment),
                ];
                Row::new(cells.into_iter().chain(times))
            } else {
                let key = Text::from(vec![
                    Line::styled(k.fingerprint.clone(), theme.text),
                    Line::styled(format!("{} · {comment}", k.algorithm), theme.muted),
                ]);
                Row::new([Cell::from(key)].into_iter().chain(times)).height(2)
            }
        });
        let (widths, titles): (Vec<Constraint>, &[&str]) = if one_line {
            (
                vec![
                    Constraint::Length(20),
                    Constraint::Length(50),
                    Constraint::Fill(1),
                    Constraint::Length(10),
                    Constraint::Length(10),
                ],
                &["Algorithm", "Fingerprint", "Comment", "Added", "Last used"],
            )
        } else {
            (
                vec![
                    Constraint::Fill(1),
                    Constraint::Length(10),
                    Constraint::Length(10),
                ],
                &["Key", "Added", "Last used"],
            )
        };
        let table = Table::new(rows, widths)
            .header(Row::new(titles.iter().copied()).style(theme.muted))
            .row_highlight_style(theme.selected);
        frame.render_stateful_widget(table, area, &mut self.state);
    }
}

/// What keys are for, when there are none yet.
fn empty_lines(theme: &Theme) -> Vec<Line<'static>> {
    vec![
        Line::styled("You have no SSH keys yet.", theme.text),
        Line::default(),
        Line::styled(
            "Add your SSH public key (~/.ssh/id_ed25519.pub) to open the portal",
            theme.text,
        ),
        Line::styled("with `ssh <host>` without a password.", theme.text),
        Line::default(),
        Line::styled(
            "Press a and paste the whole line of the .pub file.",
            theme.muted,
        ),
    ]
}

fn add_popup() -> Popup {
    Popup::Prompt(
        PromptPopup::new(
            "Add an SSH key",
            Submit::send(add_request),
            vec![Field::line(PromptField::PublicKey, "Public key", "").required()],
        )
        .hint("Paste the line of your .pub file, e.g. ssh-ed25519 AAAA… you@laptop")
        .width(90),
    )
}

fn add_request(form: &mut Form) -> Option<AccountCall> {
    form.clear_errors();
    form.check_required().then(|| AccountCall::AddSshKey {
        public_key: form.text(PromptField::PublicKey),
    })
}
