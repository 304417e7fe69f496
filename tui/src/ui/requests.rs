//! Pending forgot-password and access requests, for whoever resolves them:
//! staff (every company's) and a client Admin (its own company's).

use crossterm::event::{KeyCode, KeyEvent};
use portal_proto::pb::{self, AccessLevel, PendingRequestKind};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

use super::popup::{Popup, Then};
use super::rows::{Chrome, Rows};
use super::users::temporary_password_lines;
use super::{Ctx, Effects, HelpLines, format, help_line, plain_help};
use crate::action::{AdminCall, Reply};
use crate::keys::Cmd;

#[derive(Debug, Clone, Default)]
pub struct Requests {
    pub list: Rows<pb::PendingRequest>,
}

fn kind(r: &pb::PendingRequest) -> &'static str {
    match r.kind() {
        PendingRequestKind::PasswordReset => "password",
        PendingRequestKind::Access => "access",
        PendingRequestKind::Unspecified => "?",
    }
}

impl Requests {
    pub fn load(fx: &mut Effects) {
        fx.send(AdminCall::PendingRequests);
    }

    pub fn help(ctx: &Ctx) -> HelpLines {
        vec![
            plain_help("↑/↓ j/k", "move"),
            help_line(
                ctx.keys,
                Cmd::Approve,
                "approve (a new password, or access at a level)",
            ),
            help_line(ctx.keys, Cmd::Decline, "dismiss"),
            plain_help("Esc", "back"),
            help_line(ctx.keys, Cmd::Refresh, "refresh"),
        ]
    }

    pub fn handle_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        if self.list.handle_move(key, ctx) {
            return true;
        }
        let Some(r) = self.list.selected() else {
            if ctx.keys.is(Cmd::Refresh, key) {
                Self::load(fx);
                return true;
            }
            return false;
        };
        let who = if r.contact_name.is_empty() {
            r.email.clone()
        } else {
            format!("{} <{}>", r.contact_name, r.email)
        };
        match key.code {
            _ if ctx.keys.is(Cmd::Approve, key) || key.code == KeyCode::Enter => {
                fx.popup = Some(approve_popup(r, &who));
            }
            _ if ctx.keys.is(Cmd::Decline, key) => {
                fx.popup = Some(Popup::confirm(
                    "Dismiss the request?",
                    format!("{who} is told nothing; the request is closed."),
                    Then::send(AdminCall::ResolveRequest {
                        id: r.id,
                        approve: false,
                        access: AccessLevel::Unspecified,
                    }),
                ));
            }
            _ if ctx.keys.is(Cmd::Refresh, key) => Self::load(fx),
            _ => return false,
        }
        true
    }

    pub fn on_reply(&mut self, reply: &Reply, fx: &mut Effects) {
        match reply {
            Reply::PendingRequests(rows) => self.list.set(rows.clone()),
            Reply::RequestResolved {
                id,
                approve,
                temporary_password,
            } => {
                let Some(i) = self.list.rows.iter().position(|r| r.id == *id) else {
                    return;
                };
                let done = self.list.rows.remove(i);
                let rest = std::mem::take(&mut self.list.rows);
                self.list.set(rest);
                if temporary_password.is_empty() {
                    fx.ok(if *approve {
                        format!("{}: approved", done.email)
                    } else {
                        format!("{}: dismissed", done.email)
                    });
                } else {
                    fx.popup = Some(Popup::info(
                        "Request approved",
                        temporary_password_lines(&done.email, temporary_password),
                    ));
                }
            }
            _ => {}
        }
    }

    pub fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let heading = Line::from(vec![
            Span::styled(" Pending requests ", theme.title),
            Span::styled(
                format!("· {} · oldest first", self.list.rows.len()),
                theme.muted,
            ),
        ]);
        let chrome = Chrome {
            heading,
            empty: "Nothing waits: no password or access requests.",
            hints: &["Y approve", "N dismiss", "Esc back"],
        };
        let columns: (&[&str], &[Constraint]) = (
            &["Kind", "Who", "Company", "Message", "Asked"],
            &[
                Constraint::Length(8),
                Constraint::Fill(2),
                Constraint::Fill(1),
                Constraint::Fill(2),
                Constraint::Length(10),
            ],
        );
        let (now, tz) = (ctx.now, ctx.tz);
        self.list.render(frame, area, ctx, chrome, columns, |r, w| {
            let who = if r.contact_name.is_empty() {
                r.email.clone()
            } else {
                format!("{} <{}>", r.contact_name, r.email)
            };
            Row::new(vec![
                Cell::from(Span::styled(kind(r), theme.accent)),
                Cell::from(format::fit(&who, w[1])),
                Cell::from(format::fit(&r.company_name, w[2])),
                Cell::from(format::fit(&r.message.replace('\n', " "), w[3])),
                Cell::from(format::short_time(r.created_at.as_ref(), now, tz)),
            ])
        });
    }
}

/// Approving: a reset gives a new temporary password; access is granted at
/// the level picked.
fn approve_popup(r: &pb::PendingRequest, who: &str) -> Popup {
    let resolve = |access| {
        Then::send(AdminCall::ResolveRequest {
            id: r.id,
            approve: true,
            access,
        })
    };
    if r.kind() == PendingRequestKind::PasswordReset {
        return Popup::confirm(
            "Reset the password?",
            format!("{who} gets a temporary password, shown to you once."),
            resolve(AccessLevel::Unspecified),
        );
    }
    let items = [AccessLevel::User, AccessLevel::Manager, AccessLevel::Admin]
        .into_iter()
        .map(|level| (format!("Grant {}", format::access(level)), resolve(level)))
        .collect();
    Popup::pick(format!("Access for {who}"), items)
}
