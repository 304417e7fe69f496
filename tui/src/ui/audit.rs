//! The audit log, newest first, for Admins: a client Admin's company, or
//! every company for a provider Admin. Filtered by person (part of the
//! e-mail), action (a prefix such as "login") and days; older pages load on
//! demand.

use chrono::{NaiveDate, TimeZone};
use chrono_tz::Tz;
use crossterm::event::KeyEvent;
use portal_proto::pb;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

use super::form::{Field, FieldId, Form};
use super::popup::{Popup, PromptPopup, Submit};
use super::rows::{Chrome, Rows};
use super::{Ctx, Effects, HelpLines, format, help_line, plain_help};
use crate::action::{AdminCall, AuditQuery, Reply};
use crate::keys::Cmd;
use crate::page_size::PageSize;

/// The fields of the filter form.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AuditField {
    Person,
    Action,
    From,
    To,
    Show,
}

impl FieldId for AuditField {
    fn server_name(self) -> Option<&'static str> {
        match self {
            Self::Person => Some("actor"),
            Self::Action => Some("action"),
            Self::From => Some("since"),
            Self::To => Some("until"),
            Self::Show => None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Audit {
    pub list: Rows<pb::AuditEntry>,
    pub query: AuditQuery,
    /// The filter as typed (days as `YYYY-MM-DD`), to show and edit again.
    pub typed: [String; 4],
    /// Where the next older page starts; empty when there is none.
    pub next_cursor: String,
    pub page_size: PageSize,
}

impl Audit {
    pub fn load(&self, fx: &mut Effects) {
        fx.send(AdminCall::Audit {
            query: self.query.clone(),
            cursor: String::new(),
            page_size: self.page_size.0,
        });
    }

    pub fn help(ctx: &Ctx) -> HelpLines {
        vec![
            plain_help("↑/↓ j/k g/G PgUp/PgDn", "move"),
            help_line(ctx.keys, Cmd::Filter, "filter by person, action and days"),
            help_line(ctx.keys, Cmd::OlderTimeline, "load older entries"),
            help_line(ctx.keys, Cmd::PageSize, "entries a page: 25, 50, 100"),
            plain_help("Esc", "back"),
            help_line(ctx.keys, Cmd::Refresh, "refresh"),
        ]
    }

    pub fn handle_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        if self.list.handle_move(key, ctx) {
            return true;
        }
        if ctx.keys.is(Cmd::Filter, key) {
            fx.popup = Some(self.filter_popup());
        } else if ctx.keys.is(Cmd::OlderTimeline, key) {
            if self.next_cursor.is_empty() {
                fx.info("No older entries");
            } else {
                fx.send(AdminCall::Audit {
                    query: self.query.clone(),
                    cursor: self.next_cursor.clone(),
                    page_size: self.page_size.0,
                });
            }
        } else if ctx.keys.is(Cmd::PageSize, key) {
            self.page_size = self.page_size.next();
            fx.page_size_chosen("audit", self.page_size);
            self.load(fx);
        } else if ctx.keys.is(Cmd::Refresh, key) {
            self.load(fx);
        } else {
            return false;
        }
        true
    }

    fn filter_popup(&self) -> Popup {
        use AuditField as F;
        let [person, action, from, to] = &self.typed;
        Popup::Prompt(
            PromptPopup::new(
                "Filter the audit log",
                Submit::ToScreen,
                vec![
                    Field::line(F::Person, "Person (part of e-mail)", person),
                    Field::line(F::Action, "Action starts with", action),
                    Field::line(F::From, "From day (YYYY-MM-DD)", from),
                    Field::line(F::To, "To day, included", to),
                    Field::button(F::Show, "Show"),
                ],
            )
            .hint("Leave a field empty to not filter by it."),
        )
    }

    /// The filter form was sent: check its days, then load the first page.
    pub fn on_form(&mut self, form: &mut Form, ctx: &Ctx, fx: &mut Effects) -> bool {
        use AuditField as F;
        form.clear_errors();
        let since = day_start(form, F::From, ctx.tz, 0);
        let until = day_start(form, F::To, ctx.tz, 1);
        if form.has_errors() {
            form.focus_first_error();
            return false;
        }
        self.typed = [F::Person, F::Action, F::From, F::To].map(|f| form.text(f));
        self.query = AuditQuery {
            actor: form.text(F::Person),
            action: form.text(F::Action),
            since,
            until,
        };
        self.list = Rows::default();
        self.load(fx);
        true
    }

    pub fn on_reply(&mut self, reply: &Reply) {
        if let Reply::Audit { query, first, page } = reply
            && **query == self.query
        {
            let mut rows = if *first {
                Vec::new()
            } else {
                std::mem::take(&mut self.list.rows)
            };
            rows.extend(page.entries.iter().cloned());
            self.list.set(rows);
            self.next_cursor.clone_from(&page.next_cursor);
        }
    }

    pub fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let filter = self
            .typed
            .iter()
            .zip(["by", "action", "from", "to"])
            .filter(|(value, _)| !value.is_empty())
            .map(|(value, label)| format!("{label} {value}"))
            .collect::<Vec<_>>();
        let mut heading = vec![
            Span::styled(" Audit log ", theme.title),
            Span::styled(format!("· {} shown", self.list.rows.len()), theme.muted),
        ];
        if !self.next_cursor.is_empty() {
            heading.push(Span::styled(" (o for older)", theme.muted));
        }
        if !filter.is_empty() {
            heading.push(Span::styled(
                format!(" · {}", filter.join(", ")),
                theme.accent,
            ));
        }
        let chrome = Chrome {
            heading: Line::from(heading),
            empty: "No entries match.",
            hints: &["/ filter", "o older", "Esc back"],
        };
        let columns: (&[&str], &[Constraint]) = (
            &["When", "Who", "Action", "About", "Detail"],
            &[
                Constraint::Length(16),
                Constraint::Fill(2),
                Constraint::Length(18),
                Constraint::Fill(2),
                Constraint::Fill(1),
            ],
        );
        let tz = ctx.tz;
        self.list.render(frame, area, ctx, chrome, columns, |e, w| {
            Row::new(vec![
                Cell::from(format::time(e.at.as_ref(), tz)),
                Cell::from(format::fit(&format::or_dash(e.actor.clone()), w[1])),
                Cell::from(Span::styled(format::fit(&e.action, w[2]), theme.accent)),
                Cell::from(format::fit(&e.subject, w[3])),
                Cell::from(format::fit(&e.detail, w[4])),
            ])
        });
    }
}

/// The start of the day typed in `field` (plus `days_after`) in `tz`; an
/// error beside the field when it is not a day.
fn day_start(
    form: &mut Form,
    field: AuditField,
    tz: Tz,
    days_after: u64,
) -> Option<prost_types::Timestamp> {
    let text = form.text(field);
    if text.is_empty() {
        return None;
    }
    let start = NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.checked_add_days(chrono::Days::new(days_after)))
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|t| tz.from_local_datetime(&t).earliest());
    let Some(start) = start else {
        form.set_error(field, "a day as YYYY-MM-DD");
        return None;
    };
    Some(prost_types::Timestamp {
        seconds: start.timestamp(),
        nanos: 0,
    })
}
