//! Subscriptions (docs/MONEY.md "Subscriptions and renewals"): licences
//! and services with their quantity, term, renewal date and price. Client
//! Managers and Admins have them on the Account tab and request a change
//! there (a ticket); staff see every company's on Billing, where provider
//! Admins create, edit and cancel them.

use crossterm::event::KeyEvent;
use portal_proto::pb::{self, SubscriptionChange, SubscriptionKind};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use super::form::{Field, FieldId, Form};
use super::invoices::check_date;
use super::popup::{Popup, PromptPopup, Submit, Then};
use super::{Ctx, Effects, HelpLines, format, help_line, moved, plain_help, rows};
use crate::action::{BillingCall, BillingReply, Reply, Request};
use crate::keys::Cmd;
use crate::money::{money, parse_money};

const KINDS: [(SubscriptionKind, &str); 2] = [
    (SubscriptionKind::Licence, "Licence"),
    (SubscriptionKind::Service, "Service"),
];

/// The terms a subscription may have, in months.
const TERMS: [(u32, &str); 6] = [
    (1, "Monthly"),
    (12, "Yearly"),
    (24, "2 years"),
    (36, "3 years"),
    (48, "4 years"),
    (60, "5 years"),
];

const CHANGES: [(SubscriptionChange, &str); 4] = [
    (SubscriptionChange::MoreSeats, "More seats"),
    (SubscriptionChange::FewerSeats, "Fewer seats"),
    (SubscriptionChange::CancelAtRenewal, "Cancel at renewal"),
    (SubscriptionChange::Upgrade, "Upgrade"),
];

pub fn term(months: u32) -> String {
    TERMS.iter().find(|(m, _)| *m == months).map_or_else(
        || format!("{months} months"),
        |(_, name)| (*name).to_owned(),
    )
}

fn kind(k: SubscriptionKind) -> &'static str {
    KINDS
        .iter()
        .find(|(x, _)| *x == k)
        .map_or("—", |(_, name)| name)
}

#[derive(Debug, Clone, Default)]
pub struct Subscriptions {
    /// Staff see every company's; provider Admins change them.
    pub staff: bool,
    /// Staff: one company's (its page on the Companies tab); 0 = all.
    pub company_id: i64,
    pub rows: Vec<pb::Subscription>,
    pub loaded: bool,
    pub state: TableState,
}

/// The fields of the change-request form, named as the server names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChangeField {
    Change,
    Quantity,
    Note,
    Po,
}

impl FieldId for ChangeField {
    fn server_name(self) -> Option<&'static str> {
        Some(match self {
            Self::Change => "change",
            Self::Quantity => "requested_quantity",
            Self::Note => "note",
            Self::Po => "po_number",
        })
    }
}

/// The fields of a provider Admin's subscription form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SubscriptionField {
    Company,
    Name,
    Kind,
    Quantity,
    Term,
    RenewsOn,
    UnitPrice,
    BilledByRun,
}

impl FieldId for SubscriptionField {
    fn server_name(self) -> Option<&'static str> {
        Some(match self {
            Self::Company => "subscription.company_id",
            Self::Name => "subscription.name",
            Self::Kind => "subscription.kind",
            Self::Quantity => "subscription.quantity",
            Self::Term => "subscription.term_months",
            Self::RenewsOn => "subscription.renews_on",
            Self::UnitPrice => "subscription.unit_price_cents",
            Self::BilledByRun => return None,
        })
    }
}

impl Subscriptions {
    pub fn new(staff: bool) -> Self {
        Self {
            staff,
            ..Self::default()
        }
    }

    /// Staff: one company's, on its page of the Companies tab.
    pub fn of_company(company_id: i64) -> Self {
        Self {
            staff: true,
            company_id,
            ..Self::default()
        }
    }

    pub fn load(&self, fx: &mut Effects) {
        fx.send(BillingCall::Subscriptions {
            company_id: self.company_id,
        });
    }

    fn selected(&self) -> Option<&pb::Subscription> {
        self.state.selected().and_then(|i| self.rows.get(i))
    }

    fn admin(&self, ctx: &Ctx) -> bool {
        self.staff && ctx.is_admin()
    }

    pub fn help(&self, ctx: &Ctx) -> HelpLines {
        let mut lines = vec![plain_help("↑/↓ j/k", "move"), plain_help("Esc", "back")];
        if !self.staff {
            lines.push(help_line(
                ctx.keys,
                Cmd::RequestChange,
                "request a change: seats, upgrade, cancel at renewal",
            ));
        }
        if self.admin(ctx) {
            lines.push(help_line(ctx.keys, Cmd::NewAgreement, "new subscription"));
            lines.push(help_line(ctx.keys, Cmd::Edit, "edit the subscription"));
            lines.push(help_line(ctx.keys, Cmd::Delete, "cancel the subscription"));
        }
        lines.push(help_line(ctx.keys, Cmd::Refresh, "refresh"));
        lines
    }

    /// True when the key was taken; Esc is left to the screen holding it.
    pub fn handle_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        let selected = self.state.selected().unwrap_or(0);
        if let Some(to) = moved(ctx.keys, key, selected, self.rows.len(), 10) {
            self.state.select(Some(to));
            return true;
        }
        if ctx.keys.is(Cmd::Refresh, key) {
            self.load(fx);
            return true;
        }
        if !self.staff && ctx.keys.is(Cmd::RequestChange, key) {
            match self.selected() {
                Some(s) if s.cancelled => fx.info("That subscription is cancelled"),
                Some(s) => fx.popup = Some(change_popup(s)),
                None => fx.info("No subscription to change"),
            }
            return true;
        }
        if !self.admin(ctx) {
            return false;
        }
        if ctx.keys.is(Cmd::NewAgreement, key) {
            fx.popup = Some(form_popup(None, ctx));
        } else if ctx.keys.is(Cmd::Edit, key) {
            if let Some(s) = self.selected() {
                fx.popup = Some(form_popup(Some(s), ctx));
            }
        } else if ctx.keys.is(Cmd::Delete, key) {
            if let Some(s) = self.selected().filter(|s| !s.cancelled) {
                let call = BillingCall::CancelSubscription { id: s.id };
                fx.popup = Some(Popup::confirm(
                    format!("Cancel {}?", s.name),
                    "It renews no more and stays listed as cancelled.",
                    Then::Send(Box::new(Request::Billing(call))),
                ));
            }
        } else {
            return false;
        }
        true
    }

    pub fn on_reply(&mut self, reply: &Reply, fx: &mut Effects) {
        let Reply::Billing(b) = reply else {
            return;
        };
        match &**b {
            BillingReply::Subscriptions { company_id, rows } if *company_id == self.company_id => {
                self.loaded = true;
                self.rows.clone_from(rows);
                let at = self.state.selected().unwrap_or(0);
                self.state
                    .select((!self.rows.is_empty()).then(|| at.min(self.rows.len() - 1)));
            }
            BillingReply::SubscriptionSaved(s) => {
                fx.close_prompt = true;
                let what = if s.cancelled { "cancelled" } else { "saved" };
                fx.ok(format!("Subscription “{}” {what}", s.name));
                self.load(fx);
            }
            BillingReply::ChangeRequested(t) => {
                fx.close_prompt = true;
                fx.ok(format!("Ticket #{} opened: {}", t.number, t.title));
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
        let soon = self.rows.iter().filter(|s| s.renews_soon).count();
        let mut head = vec![
            Span::styled(" Subscriptions ", theme.title),
            Span::styled(format!("· {} ", self.rows.len()), theme.muted),
        ];
        if soon > 0 {
            head.push(Span::styled(
                format!("· ⚠ {soon} renewing within 90 days"),
                theme.warn,
            ));
        }
        frame.render_widget(Paragraph::new(Line::from(head)), header);
        // Staff's list of every company's names the company of each.
        let company_column = self.staff && self.company_id == 0;
        let mut widths = Vec::new();
        let mut names = Vec::new();
        if company_column {
            widths.push(Constraint::Fill(1));
            names.push("Company");
        }
        widths.extend([
            Constraint::Fill(2),
            Constraint::Length(8),
            Constraint::Length(6),
            Constraint::Length(8),
            Constraint::Length(21),
            Constraint::Length(12),
        ]);
        names.extend(["Name", "Kind", "   Qty", "Term", "Renews", "   Per term"]);
        // At 80 columns the kind gives way to the rest.
        if area.width < 100 {
            widths[usize::from(company_column) + 1] = Constraint::Length(0);
        }
        // Names too long for their column end in "…".
        let fit = format::column_widths(&widths, body.width);
        let (company_width, name_width) = if company_column {
            (fit[0], fit[1])
        } else {
            (0, fit[0])
        };
        let rows = self.rows.iter().map(|s| {
            let renews = if s.cancelled {
                Span::styled(format!("cancelled {}", s.cancelled_on), theme.muted)
            } else if s.renews_soon {
                Span::styled(format!("{} ⚠", s.renews_on), theme.warn)
            } else {
                Span::styled(s.renews_on.clone(), theme.text)
            };
            let mut cells = Vec::new();
            if company_column {
                cells.push(Cell::from(format::fit(&s.company_name, company_width)));
            }
            cells.extend([
                Cell::from(format::fit(&s.name, name_width)),
                Cell::from(kind(s.kind())),
                Cell::from(format!("{:>6}", s.quantity)),
                Cell::from(term(s.term_months)),
                Cell::from(renews),
                Cell::from(format!("{:>12}", money(s.term_cents))),
            ]);
            let style = if s.cancelled { theme.muted } else { theme.text };
            Row::new(cells).style(style)
        });
        let table = Table::new(rows, widths)
            .header(Row::new(names).style(theme.muted))
            .row_highlight_style(theme.selected);
        frame.render_stateful_widget(table, body, &mut self.state);
        if self.rows.is_empty() {
            rows::empty_note(
                frame,
                body,
                self.loaded,
                ("No subscriptions.", "Loading subscriptions…"),
                theme.muted,
            );
        }
        let mut hints = Vec::new();
        if !self.staff {
            hints.push("r request a change");
        }
        if !self.staff || self.company_id != 0 {
            hints.push("Esc back");
        }
        if self.admin(ctx) {
            hints.extend(["n new", "e edit", "d cancel"]);
        }
        let hints = format::hints(&hints, usize::from(footer.width));
        frame.render_widget(Paragraph::new(Line::styled(hints, theme.muted)), footer);
    }
}

/// The change-request form for `s`: what is asked, the quantity wanted
/// (prefilled with today's), a note and a PO number.
fn change_popup(s: &pb::Subscription) -> Popup {
    let id = s.id;
    let current = s.quantity;
    Popup::Prompt(
        PromptPopup::new(
            format!("Request a change: {}", s.name),
            Submit::send(move |form: &mut Form| change_request(form, id, current)),
            vec![
                Field::choice(
                    ChangeField::Change,
                    "Change",
                    CHANGES.iter().map(|(_, n)| (*n).to_owned()).collect(),
                    0,
                ),
                Field::line(
                    ChangeField::Quantity,
                    "Quantity wanted",
                    &current.to_string(),
                ),
                Field::multi(ChangeField::Note, "Note", ""),
                Field::line(ChangeField::Po, "PO number", ""),
            ],
        )
        .hint(format!(
            "Now {current}, {} at {} · renews {} · opens a ticket",
            term(s.term_months).to_lowercase(),
            money(s.term_cents),
            s.renews_on
        ))
        .width(70),
    )
}

/// The request the form says, or its fields marked.
fn change_request(form: &mut Form, id: i64, current: i64) -> Option<BillingCall> {
    use ChangeField as F;
    form.clear_errors();
    let change = CHANGES
        .get(form.choice(F::Change))
        .map_or(SubscriptionChange::MoreSeats, |(c, _)| *c);
    let quantity = match change {
        SubscriptionChange::CancelAtRenewal => Some(0),
        _ => form.text(F::Quantity).trim().parse::<i64>().ok(),
    };
    match (change, quantity) {
        (_, None) => form.set_error(F::Quantity, "a whole number"),
        (SubscriptionChange::MoreSeats, Some(q)) if q <= current => {
            form.set_error(F::Quantity, format!("more than {current}"));
        }
        (SubscriptionChange::FewerSeats, Some(q)) if q < 1 || q >= current => {
            form.set_error(F::Quantity, format!("fewer than {current}, at least 1"));
        }
        (SubscriptionChange::Upgrade, _) if form.text(F::Note).trim().is_empty() => {
            form.set_error(F::Note, "say what to upgrade to");
        }
        _ => {}
    }
    if form.has_errors() {
        form.focus_first_error();
        return None;
    }
    Some(BillingCall::RequestChange(pb::SubscriptionChangeRequest {
        subscription_id: id,
        change: change.into(),
        requested_quantity: quantity.unwrap_or_default(),
        note: form.text(F::Note),
        po_number: form.text(F::Po),
    }))
}

/// A provider Admin's form: a new subscription, or `sub` to change.
fn form_popup(sub: Option<&pb::Subscription>, ctx: &Ctx) -> Popup {
    let s = sub.cloned().unwrap_or_else(|| pb::Subscription {
        quantity: 1,
        term_months: 12,
        ..Default::default()
    });
    let companies = &ctx.catalog.companies;
    let company = companies
        .iter()
        .position(|c| c.id == s.company_id)
        .unwrap_or(0);
    let kind_at = KINDS.iter().position(|(k, _)| *k == s.kind()).unwrap_or(0);
    let term_at = TERMS
        .iter()
        .position(|(m, _)| *m == s.term_months)
        .unwrap_or(1);
    let price = if s.unit_price_cents == 0 {
        String::new()
    } else {
        money(s.unit_price_cents)
    };
    let fields = vec![
        Field::choice(
            SubscriptionField::Company,
            "Company",
            companies.iter().map(|c| c.name.clone()).collect(),
            company,
        ),
        Field::line(SubscriptionField::Name, "Name", &s.name).required(),
        Field::choice(
            SubscriptionField::Kind,
            "Kind",
            KINDS.iter().map(|(_, n)| (*n).to_owned()).collect(),
            kind_at,
        ),
        Field::line(
            SubscriptionField::Quantity,
            "Quantity",
            &s.quantity.to_string(),
        )
        .required(),
        Field::choice(
            SubscriptionField::Term,
            "Term",
            TERMS.iter().map(|(_, n)| (*n).to_owned()).collect(),
            term_at,
        ),
        Field::line(SubscriptionField::RenewsOn, "Renews on", &s.renews_on).required(),
        Field::line(SubscriptionField::UnitPrice, "Unit price a term", &price),
        Field::toggle(
            SubscriptionField::BilledByRun,
            "Billing run bills renewals",
            s.billed_by_run,
        ),
    ];
    let id = s.id;
    let ids: Vec<i64> = companies.iter().map(|c| c.id).collect();
    let title = if id == 0 {
        "New subscription".to_owned()
    } else {
        format!("Edit subscription: {}", s.name)
    };
    Popup::Prompt(
        PromptPopup::new(
            title,
            Submit::send(move |form: &mut Form| subscription_request(form, id, &ids)),
            fields,
        )
        .hint("Renews on like 2027-01-31; the price is per unit and term")
        .width(70),
    )
}

fn subscription_request(form: &mut Form, id: i64, companies: &[i64]) -> Option<BillingCall> {
    use SubscriptionField as F;
    form.clear_errors();
    form.check_required();
    let renews_on = check_date(form, F::RenewsOn);
    let quantity = form.text(F::Quantity).trim().parse::<i64>().ok();
    if quantity.is_none_or(|q| q < 1) {
        form.set_error(F::Quantity, "a whole number, at least 1");
    }
    let price = form.text(F::UnitPrice);
    let price = if price.trim().is_empty() {
        Some(0)
    } else {
        parse_money(&price)
    };
    if price.is_none() {
        form.set_error(F::UnitPrice, "an amount like 12.50");
    }
    let company_id = companies.get(form.choice(F::Company)).copied();
    if company_id.is_none() {
        form.set_error(F::Company, "no company to choose");
    }
    if form.has_errors() {
        return None;
    }
    let kind = KINDS
        .get(form.choice(F::Kind))
        .map_or(SubscriptionKind::Licence, |(k, _)| *k);
    Some(BillingCall::SaveSubscription {
        id,
        input: pb::SubscriptionInput {
            company_id: company_id.unwrap_or_default(),
            name: form.text(F::Name),
            kind: kind.into(),
            quantity: quantity.unwrap_or_default(),
            term_months: TERMS.get(form.choice(F::Term)).map_or(12, |(m, _)| *m),
            renews_on,
            unit_price_cents: price.unwrap_or_default(),
            billed_by_run: form.on(F::BilledByRun),
        },
    })
}
