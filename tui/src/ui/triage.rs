//! Triage's quick filters — one key each, shown in a filter bar — and the
//! saved views that name a filter and sort (docs/TICKETS.md, "Saved
//! views"). "My queue" is the mine filter: a Technician's Triage opens on it.

use crossterm::event::KeyEvent;
use portal_proto::pb::{self, TicketSort};
use ratatui::text::{Line, Span};

use super::form::{Field, Form};
use super::popup::{Popup, PromptField, PromptPopup, Submit, Then};
use super::tickets::{Filter, TicketList, sort_label};
use super::{Ctx, Effects, format};
use crate::action::TicketCall;
use crate::keys::Cmd;

/// Which question a Triage popup asked, so its answer goes to the right place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Asking {
    #[default]
    Sort,
    Company,
    Priority,
    View,
}

impl TicketList {
    /// The quick filter and view keys; false when the key is none of them.
    pub(super) fn queue_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        let keys = ctx.keys;
        let f = &mut self.filter;
        if keys.is(Cmd::QueueMine, key) {
            f.assigned_staff_id = if f.assigned_staff_id == 0 {
                ctx.me.id
            } else {
                0
            };
            f.unassigned = false;
        } else if keys.is(Cmd::QueueUnassigned, key) {
            f.unassigned = !f.unassigned;
            f.assigned_staff_id = 0;
        } else if keys.is(Cmd::QueueBreached, key) {
            f.breached = !f.breached;
        } else if keys.is(Cmd::QueueChats, key) {
            f.chat_waiting = !f.chat_waiting;
        } else if keys.is(Cmd::QueueCompany, key) {
            self.pick_company(ctx, fx);
            return true;
        } else if keys.is(Cmd::QueuePriority, key) {
            let items = std::iter::once("Any priority".to_owned())
                .chain((1..=5).map(|p| format::priority(p).to_owned()))
                .enumerate()
                .map(|(i, label)| (label, Then::Answer(i)))
                .collect();
            let at = usize::try_from(self.filter.priority).unwrap_or(0);
            self.asking = Asking::Priority;
            fx.popup = Some(Popup::pick("Priority", items).selecting(at));
            return true;
        } else if keys.is(Cmd::SaveView, key) {
            fx.popup = Some(self.save_prompt());
            return true;
        } else if keys.is(Cmd::Views, key) {
            self.pick_view(fx);
            return true;
        } else {
            return false;
        }
        self.restart(fx);
        true
    }

    fn pick_company(&mut self, ctx: &Ctx, fx: &mut Effects) {
        let companies = &ctx.catalog.companies;
        let items = std::iter::once("Any company".to_owned())
            .chain(companies.iter().map(|c| c.name.clone()))
            .enumerate()
            .map(|(i, name)| (name, Then::Answer(i)))
            .collect();
        let at = companies
            .iter()
            .position(|c| c.id == self.filter.company_id)
            .map_or(0, |i| i + 1);
        self.asking = Asking::Company;
        fx.popup = Some(Popup::pick("Company", items).selecting(at));
    }

    /// A Triage popup's answer; false when it was not one of these.
    pub(super) fn queue_answer(&mut self, answer: usize, ctx: &Ctx, fx: &mut Effects) -> bool {
        match self.asking {
            Asking::Sort => return false,
            Asking::Company => {
                self.filter.company_id = answer
                    .checked_sub(1)
                    .and_then(|i| ctx.catalog.companies.get(i))
                    .map_or(0, |c| c.id);
            }
            Asking::Priority => self.filter.priority = i32::try_from(answer).unwrap_or(0),
            Asking::View => {
                let Some(view) = self.views.get(answer).cloned() else {
                    return true;
                };
                self.apply_view(&view, ctx);
                fx.info(format!("View “{}”", view.name));
            }
        }
        self.asking = Asking::Sort;
        self.restart(fx);
        true
    }

    /// Shows saved view `id` (chosen in the palette).
    pub fn show_view(&mut self, id: i64, ctx: &Ctx, fx: &mut Effects) {
        if let Some(view) = self.views.iter().find(|v| v.id == id).cloned() {
            self.apply_view(&view, ctx);
            fx.info(format!("View “{}”", view.name));
            self.restart(fx);
        }
    }

    fn apply_view(&mut self, v: &pb::SavedView, ctx: &Ctx) {
        self.filter = Filter {
            assigned_staff_id: if v.mine { ctx.me.id } else { 0 },
            unassigned: v.unassigned,
            company_id: v.company_id,
            priority: v.priority,
            breached: v.breached,
            ..Filter::default()
        };
        self.sort = v.sort();
        self.descending = v.descending;
    }

    /// The current quick filters and sort, as a view called `name`.
    fn as_view(&self, name: String) -> pb::SavedView {
        let f = &self.filter;
        pb::SavedView {
            id: 0,
            name,
            unassigned: f.unassigned,
            mine: f.assigned_staff_id != 0,
            company_id: f.company_id,
            priority: f.priority,
            breached: f.breached,
            sort: self.sort.into(),
            descending: self.descending,
        }
    }

    fn save_prompt(&self) -> Popup {
        let this = self.as_view(String::new());
        Popup::Prompt(PromptPopup::new(
            "Save this view as",
            Submit::send(move |form: &mut Form| {
                form.check_required().then(|| {
                    TicketCall::SaveView(pb::SavedView {
                        name: form.text(PromptField::Text),
                        ..this.clone()
                    })
                })
            }),
            vec![Field::line(PromptField::Text, "Name", "").required()],
        ))
    }

    fn pick_view(&mut self, fx: &mut Effects) {
        if self.views.is_empty() {
            fx.info("No saved views yet: W saves the filters and sort on show");
            return;
        }
        let items = self
            .views
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let actions = Popup::pick(
                    format!("View “{}”", v.name),
                    vec![
                        ("Show it".to_owned(), Then::Answer(i)),
                        (
                            "Delete it".to_owned(),
                            Then::send(TicketCall::DeleteView { id: v.id }),
                        ),
                    ],
                );
                (
                    format!("{} · {}", v.name, view_summary(v)),
                    Then::Open(Box::new(actions)),
                )
            })
            .collect();
        self.asking = Asking::View;
        fx.popup = Some(Popup::pick("Saved views", items));
    }

    /// The filter bar: each quick filter's key and whether it is on
    /// (● on, ○ off: readable without colour).
    pub(super) fn filter_bar(&self, ctx: &Ctx, width: usize) -> Line<'static> {
        let theme = ctx.theme;
        let f = &self.filter;
        let company = ctx
            .catalog
            .companies
            .iter()
            .find(|c| c.id == f.company_id)
            .map_or_else(|| "company".to_owned(), |c| c.name.clone());
        let priority = if f.priority > 0 {
            format!("P{}", f.priority)
        } else {
            "priority".to_owned()
        };
        let items = [
            (Cmd::QueueUnassigned, "unassigned".to_owned(), f.unassigned),
            (Cmd::QueueMine, "mine".to_owned(), f.assigned_staff_id != 0),
            (
                Cmd::QueueCompany,
                format::fit(&company, 18),
                f.company_id != 0,
            ),
            (Cmd::QueuePriority, priority, f.priority != 0),
            (Cmd::QueueBreached, "breached".to_owned(), f.breached),
            (Cmd::QueueChats, "chats".to_owned(), f.chat_waiting),
        ];
        let mut spans = vec![Span::raw(" ")];
        let mut used = 1;
        for (cmd, label, on) in items {
            let text = format!(
                "{} {} {label}  ",
                ctx.keys.label(cmd),
                if on { "●" } else { "○" }
            );
            used += text.chars().count();
            spans.push(Span::styled(
                text,
                if on { theme.accent } else { theme.muted },
            ));
        }
        let views = format!(
            "{} views · {} save",
            ctx.keys.label(Cmd::Views),
            ctx.keys.label(Cmd::SaveView)
        );
        if used + views.chars().count() <= width {
            spans.push(Span::styled(views, theme.muted));
        }
        Line::from(spans)
    }
}

/// What a saved view shows, in words: "mine · breached · by Next due".
fn view_summary(v: &pb::SavedView) -> String {
    let mut parts = Vec::new();
    if v.mine {
        parts.push("mine".to_owned());
    }
    if v.unassigned {
        parts.push("unassigned".to_owned());
    }
    if v.company_id != 0 {
        parts.push("one company".to_owned());
    }
    if v.priority != 0 {
        parts.push(format!("P{}", v.priority));
    }
    if v.breached {
        parts.push("breached".to_owned());
    }
    let sort: TicketSort = v.sort();
    parts.push(format!("by {}", sort_label(sort)));
    parts.join(" · ")
}
