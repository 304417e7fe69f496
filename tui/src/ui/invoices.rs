//! Invoices (docs/MONEY.md "Invoices" and "Payments"): the list, filtered
//! by status and issue dates, sorted and paged, and one invoice with its
//! lines, totals and payments. From an invoice a client Manager or Admin
//! pays and anyone who sees it saves it as PDF or text; provider Admins
//! record payments, confirm or reject pending ones, void and e-mail it.
//! Client Managers and Admins have it on the Account tab, staff on Billing.

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent};
use portal_proto::pb::{self, InvoiceStatus, PaymentMethod, PaymentState};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Wrap};

use super::form::{Field, FieldId, Form};
use super::popup::{Popup, PromptField, PromptPopup, Submit, Then, expand_home};
use super::{Ctx, Effects, HelpLines, format, help_line, moved, plain_help, rows};
use crate::action::{BillingCall, BillingReply, Reply, Request};
use crate::keys::Cmd;
use crate::money::{money, parse_money};
use crate::page_size::PageSize;

/// Invoices asked for at a time.
/// Ask for the next page when the selection is this close to the end.
const PREFETCH: usize = 10;

/// The status filter's choices and the statuses each asks for.
const STATUSES: [(&str, &[InvoiceStatus]); 4] = [
    ("All", &[]),
    (
        "Unpaid",
        &[InvoiceStatus::Unpaid, InvoiceStatus::PartiallyPaid],
    ),
    ("Paid", &[InvoiceStatus::Paid]),
    ("Void", &[InvoiceStatus::Void]),
];

const SORTS: [(pb::InvoiceSort, &str); 5] = [
    (pb::InvoiceSort::Unspecified, "issue date"),
    (pb::InvoiceSort::Number, "number"),
    (pb::InvoiceSort::Due, "due date"),
    (pb::InvoiceSort::Total, "total"),
    (pb::InvoiceSort::Balance, "balance"),
];

pub const METHODS: [(PaymentMethod, &str); 5] = [
    (PaymentMethod::Check, "Check"),
    (PaymentMethod::Ach, "ACH"),
    (PaymentMethod::Card, "Card"),
    (PaymentMethod::Paypal, "PayPal"),
    (PaymentMethod::Other, "Other"),
];

pub fn status(s: InvoiceStatus) -> &'static str {
    match s {
        InvoiceStatus::Unpaid => "Unpaid",
        InvoiceStatus::PartiallyPaid => "Part paid",
        InvoiceStatus::Paid => "Paid",
        InvoiceStatus::Void => "Void",
        InvoiceStatus::Unspecified => "—",
    }
}

pub fn method(m: PaymentMethod) -> &'static str {
    METHODS
        .iter()
        .find(|(k, _)| *k == m)
        .map_or("—", |(_, name)| name)
}

pub fn payment_state(s: PaymentState) -> &'static str {
    match s {
        PaymentState::Pending => "pending",
        PaymentState::Confirmed => "confirmed",
        PaymentState::Rejected => "rejected",
        PaymentState::Unspecified => "—",
    }
}

/// `2026-11-30` as typed, or the field's error.
pub fn check_date(form: &mut Form, field: impl super::form::FieldRef) -> String {
    let text = form.text(field);
    if !text.is_empty() && NaiveDate::parse_from_str(&text, "%Y-%m-%d").is_err() {
        form.set_error(field, "a date like 2026-11-30");
    }
    text
}

/// Which invoices the list shows, in which order.
#[derive(Debug, Clone, Default)]
pub struct InvoiceFilter {
    /// Index into [`STATUSES`].
    pub status: usize,
    pub from: String,
    pub to: String,
    /// Staff: one company's, 0 for all.
    pub company_id: i64,
    /// Index into [`SORTS`].
    pub sort: usize,
    pub ascending: bool,
}

/// One invoice on show.
#[derive(Debug, Clone, Default)]
pub struct OpenInvoice {
    pub number: i64,
    pub detail: Option<pb::InvoiceDetail>,
    pub scroll: u16,
    /// It is being saved: the file's answer is ours.
    pub saving: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Invoices {
    /// Staff see every company's, with a company column and filter.
    pub staff: bool,
    pub filter: InvoiceFilter,
    pub rows: Vec<pb::Invoice>,
    pub total: u64,
    pub balance_cents: i64,
    pub next_cursor: String,
    pub seq: u64,
    pub loading: bool,
    pub loaded: bool,
    pub state: TableState,
    pub open: Option<OpenInvoice>,
    pub page_size: PageSize,
}

/// The fields of the invoice prompts, named as the server names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InvoiceField {
    Status,
    From,
    To,
    Company,
    Amount,
    Method,
    Reference,
    Reason,
}

impl FieldId for InvoiceField {
    fn server_name(self) -> Option<&'static str> {
        match self {
            Self::From => Some("issued_from"),
            Self::To => Some("issued_to"),
            Self::Company => Some("company_id"),
            Self::Amount => Some("amount_cents"),
            Self::Method => Some("method"),
            Self::Reference => Some("reference"),
            Self::Reason => Some("reason"),
            Self::Status => None,
        }
    }
}

/// [`Then::Answer`]s of the sort pick: the index into [`SORTS`].
const SORT_ANSWER: usize = 100;

impl Invoices {
    pub fn new(staff: bool) -> Self {
        Self {
            staff,
            ..Self::default()
        }
    }

    /// The invoices still to pay (unpaid or partly paid), from the top.
    pub fn show_unpaid(&mut self, fx: &mut Effects) {
        self.open = None;
        self.filter.status = STATUSES
            .iter()
            .position(|(name, _)| *name == "Unpaid")
            .unwrap_or_default();
        self.rows.clear();
        self.state.select(Some(0));
        self.load(fx);
    }

    /// The first page, as the filter says; a refresh keeps the place.
    pub fn load(&mut self, fx: &mut Effects) {
        let size = (self.rows.len() as u32).clamp(self.page_size.0, 200);
        self.ask(String::new(), size, fx);
        if let Some(open) = &self.open {
            fx.send(BillingCall::Invoice {
                number: open.number,
            });
        }
    }

    fn ask(&mut self, cursor: String, page_size: u32, fx: &mut Effects) {
        self.seq += 1;
        self.loading = true;
        let f = &self.filter;
        fx.send(BillingCall::Invoices {
            seq: self.seq,
            append: !cursor.is_empty(),
            query: pb::ListInvoicesRequest {
                company_id: f.company_id,
                statuses: STATUSES[f.status].1.iter().map(|s| (*s).into()).collect(),
                issued_from: f.from.clone(),
                issued_to: f.to.clone(),
                sort: SORTS[f.sort].0.into(),
                ascending: f.ascending,
                page: Some(pb::PageRequest { page_size, cursor }),
            },
        });
    }

    /// Opens invoice `number` (from Home, or the list).
    pub fn open_invoice(&mut self, number: i64, fx: &mut Effects) {
        self.open = Some(OpenInvoice {
            number,
            ..OpenInvoice::default()
        });
        fx.send(BillingCall::Invoice { number });
    }

    fn selected(&self) -> Option<&pb::Invoice> {
        self.state.selected().and_then(|i| self.rows.get(i))
    }

    fn fetch_more(&mut self, fx: &mut Effects) {
        let at = self.state.selected().unwrap_or(0);
        if !self.loading && !self.next_cursor.is_empty() && at + PREFETCH >= self.rows.len() {
            self.ask(self.next_cursor.clone(), self.page_size.0, fx);
        }
    }

    pub fn help(&self, ctx: &Ctx) -> HelpLines {
        let Some(open) = &self.open else {
            return vec![
                plain_help("↑/↓ j/k PgUp/PgDn", "move; more load as you go"),
                plain_help("Enter", "open the invoice"),
                help_line(ctx.keys, Cmd::FilterPanel, "filter by status and dates"),
                help_line(ctx.keys, Cmd::Sort, "sort"),
                help_line(ctx.keys, Cmd::ReverseSort, "reverse the order"),
                help_line(ctx.keys, Cmd::PageSize, "invoices a page: 25, 50, 100"),
                help_line(ctx.keys, Cmd::Refresh, "refresh"),
                plain_help("Esc", "back"),
            ];
        };
        let mut lines = vec![
            plain_help("↑/↓ j/k PgUp/PgDn g/G", "scroll"),
            help_line(ctx.keys, Cmd::Export, "save as PDF or text"),
        ];
        let detail = open.detail.as_ref();
        if Self::may_pay(ctx, detail) {
            let what = if ctx.is_staff() {
                "record a payment received"
            } else {
                "pay"
            };
            lines.push(help_line(ctx.keys, Cmd::Pay, what));
        }
        if ctx.is_staff() && ctx.is_admin() {
            lines.extend([
                help_line(ctx.keys, Cmd::Approve, "confirm the pending payment"),
                help_line(ctx.keys, Cmd::Decline, "reject the pending payment"),
                help_line(ctx.keys, Cmd::Void, "void the invoice"),
            ]);
        }
        if ctx.is_staff() {
            lines.push(help_line(
                ctx.keys,
                Cmd::EmailInvoice,
                "e-mail it to the billing contact",
            ));
        }
        lines.push(plain_help("Esc", "back to the list"));
        lines
    }

    /// Client Managers and Admins pay; provider Admins record payments.
    fn may_pay(ctx: &Ctx, detail: Option<&pb::InvoiceDetail>) -> bool {
        let open = detail
            .and_then(|d| d.invoice.as_ref())
            .is_some_and(|i| i.status() != InvoiceStatus::Void && i.balance_cents > 0);
        let allowed = if ctx.is_staff() {
            ctx.is_admin()
        } else {
            ctx.is_manager()
        };
        open && allowed
    }

    /// True when the key was the list's or the invoice's; Esc on the list
    /// is left to the screen holding it.
    pub fn handle_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        if self.open.is_some() {
            return self.invoice_key(key, ctx, fx);
        }
        let selected = self.state.selected().unwrap_or(0);
        if let Some(to) = moved(ctx.keys, key, selected, self.rows.len(), 10) {
            self.state.select(Some(to));
            self.fetch_more(fx);
            return true;
        }
        match key.code {
            KeyCode::Enter => {
                if let Some(number) = self.selected().map(|i| i.number) {
                    self.open_invoice(number, fx);
                }
            }
            _ if ctx.keys.is(Cmd::FilterPanel, key) => fx.popup = Some(self.filter_popup(ctx)),
            _ if ctx.keys.is(Cmd::Sort, key) => {
                let items = SORTS
                    .iter()
                    .enumerate()
                    .map(|(i, (_, name))| (format!("By {name}"), Then::Answer(SORT_ANSWER + i)))
                    .collect();
                fx.popup = Some(Popup::pick("Sort invoices", items).selecting(self.filter.sort));
            }
            _ if ctx.keys.is(Cmd::ReverseSort, key) => {
                self.filter.ascending = !self.filter.ascending;
                self.state.select(Some(0));
                self.load(fx);
            }
            _ if ctx.keys.is(Cmd::PageSize, key) => {
                self.page_size = self.page_size.next();
                fx.page_size_chosen("invoices", self.page_size);
                self.rows.clear();
                self.state.select(Some(0));
                self.load(fx);
            }
            _ if ctx.keys.is(Cmd::Refresh, key) => self.load(fx),
            _ => return false,
        }
        true
    }

    fn invoice_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        let Some(open) = &mut self.open else {
            return false;
        };
        let number = open.number;
        let invoice = open.detail.as_ref().and_then(|d| d.invoice.clone());
        let pending = open.detail.as_ref().and_then(|d| {
            d.payments
                .iter()
                .find(|p| p.state() == PaymentState::Pending)
                .cloned()
        });
        let admin = ctx.is_staff() && ctx.is_admin();
        match key.code {
            KeyCode::Esc => {
                self.open = None;
                self.load(fx);
            }
            _ if let Some(to) = super::scrolled(ctx.keys, key, open.scroll) => open.scroll = to,
            _ if ctx.keys.is(Cmd::Export, key) => {
                if fx.may_use_files() {
                    open.saving = true;
                    fx.popup = Some(save_pick(number));
                }
            }
            _ if ctx.keys.is(Cmd::Pay, key) => match invoice {
                Some(i) if Self::may_pay(ctx, open.detail.as_ref()) => {
                    fx.popup = Some(pay_popup(&i, ctx.is_staff()));
                }
                Some(i) if i.balance_cents <= 0 || i.status() == InvoiceStatus::Void => {
                    fx.info(format!("Invoice {number} has nothing to pay"));
                }
                _ => fx.info("Only Managers and Admins pay invoices"),
            },
            _ if admin && ctx.keys.is(Cmd::Approve, key) => match pending {
                Some(p) => {
                    fx.popup = Some(Popup::confirm(
                        "Confirm payment?",
                        format!(
                            "{} by {} ({}) on invoice {number}: it counts against the balance.",
                            money(p.amount_cents),
                            method(p.method()),
                            p.reference
                        ),
                        Then::send(BillingCall::Confirm { id: p.id }),
                    ));
                }
                None => fx.info("No payment waits for confirmation"),
            },
            _ if admin && ctx.keys.is(Cmd::Decline, key) => match pending {
                Some(p) => fx.popup = Some(reject_popup(&p)),
                None => fx.info("No payment waits for confirmation"),
            },
            _ if admin && ctx.keys.is(Cmd::Void, key) => match invoice {
                Some(i) if i.status() != InvoiceStatus::Void => {
                    fx.popup = Some(void_popup(number));
                }
                _ => fx.info(format!("Invoice {number} is void already")),
            },
            _ if ctx.is_staff() && ctx.keys.is(Cmd::EmailInvoice, key) => {
                fx.popup = Some(Popup::confirm(
                    "E-mail the invoice?",
                    format!("Invoice {number} goes to the company's billing contact."),
                    Then::send(BillingCall::Email { number }),
                ));
            }
            _ if ctx.keys.is(Cmd::Refresh, key) => self.load(fx),
            _ => return false,
        }
        true
    }

    fn filter_popup(&self, ctx: &Ctx) -> Popup {
        let f = &self.filter;
        let mut fields = vec![
            Field::choice(
                InvoiceField::Status,
                "Status",
                STATUSES.iter().map(|(n, _)| (*n).to_owned()).collect(),
                f.status,
            ),
            Field::line(InvoiceField::From, "Issued from", &f.from),
            Field::line(InvoiceField::To, "Issued to", &f.to),
        ];
        if self.staff {
            let companies = &ctx.catalog.companies;
            let mut names = vec!["All companies".to_owned()];
            names.extend(companies.iter().map(|c| c.name.clone()));
            let at = companies
                .iter()
                .position(|c| c.id == f.company_id)
                .map_or(0, |i| i + 1);
            fields.push(Field::choice(InvoiceField::Company, "Company", names, at));
        }
        Popup::Prompt(
            PromptPopup::new("Filter invoices", Submit::ToScreen, fields)
                .hint("←/→ change a choice · dates like 2026-11-30, empty for any"),
        )
    }

    /// The filter prompt was sent: check its dates and ask again.
    pub fn on_form(&mut self, form: &mut Form, ctx: &Ctx, fx: &mut Effects) -> bool {
        form.clear_errors();
        let from = check_date(form, InvoiceField::From);
        let to = check_date(form, InvoiceField::To);
        if form.has_errors() {
            form.focus_first_error();
            return false;
        }
        let company = form.choice(InvoiceField::Company);
        self.filter.status = form.choice(InvoiceField::Status).min(STATUSES.len() - 1);
        self.filter.from = from;
        self.filter.to = to;
        self.filter.company_id = match company.checked_sub(1) {
            Some(i) if self.staff => ctx.catalog.companies.get(i).map_or(0, |c| c.id),
            _ => 0,
        };
        self.state.select(Some(0));
        self.load(fx);
        true
    }

    pub fn on_answer(&mut self, answer: usize, fx: &mut Effects) {
        if let Some(i) = answer.checked_sub(SORT_ANSWER)
            && i < SORTS.len()
        {
            self.filter.sort = i;
            self.state.select(Some(0));
            self.load(fx);
        }
    }

    pub fn on_reply(&mut self, reply: &Reply, fx: &mut Effects) {
        match reply {
            Reply::Billing(billing) => self.on_billing(billing, fx),
            Reply::Downloaded { path, bytes } if self.open.as_ref().is_some_and(|o| o.saving) => {
                if let Some(open) = &mut self.open {
                    open.saving = false;
                }
                fx.close_prompt = true;
                fx.ok(format::saved(path, *bytes));
            }
            _ => {}
        }
    }

    fn on_billing(&mut self, reply: &BillingReply, fx: &mut Effects) {
        let open_number = self.open.as_ref().map(|o| o.number);
        match reply {
            BillingReply::Invoices { seq, append, page } if *seq == self.seq => {
                self.loading = false;
                self.loaded = true;
                self.total = page.total;
                self.balance_cents = page.balance_cents;
                if *append {
                    self.rows.extend(page.invoices.iter().cloned());
                } else {
                    self.rows.clone_from(&page.invoices);
                }
                self.next_cursor.clone_from(&page.next_cursor);
                let at = self.state.selected().unwrap_or(0);
                self.state
                    .select((!self.rows.is_empty()).then(|| at.min(self.rows.len() - 1)));
            }
            BillingReply::Invoice(detail) => {
                if let Some(open) = &mut self.open
                    && detail.invoice.as_ref().map(|i| i.number) == Some(open.number)
                {
                    open.detail = Some(detail.clone());
                }
            }
            BillingReply::InvoiceChanged { number, what } if Some(*number) == open_number => {
                fx.close_prompt = true;
                fx.ok(format!("Invoice {number} {what}"));
                self.load(fx);
            }
            BillingReply::Payment(p) if Some(p.invoice_number) == open_number => {
                fx.close_prompt = true;
                let amount = money(p.amount_cents);
                fx.ok(match p.state() {
                    PaymentState::Pending => {
                        format!("Payment of {amount} sent, pending")
                    }
                    PaymentState::Confirmed => format!("Payment of {amount} confirmed"),
                    _ => format!("Payment of {amount} rejected"),
                });
                self.load(fx);
            }
            _ => {}
        }
    }

    pub fn on_failed(&mut self, request: &Request) {
        match request {
            Request::Billing(BillingCall::Invoices { .. }) => self.loading = false,
            Request::Billing(BillingCall::Export { .. }) => {
                if let Some(open) = &mut self.open {
                    open.saving = false;
                }
            }
            _ => {}
        }
    }

    pub fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        if let Some(open) = &mut self.open {
            render_invoice(frame, area, open, ctx);
            return;
        }
        let theme = ctx.theme;
        let [header, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        let f = &self.filter;
        let mut filter = STATUSES[f.status].0.to_lowercase();
        if !f.from.is_empty() || !f.to.is_empty() {
            filter = format!("{filter} · issued {}…{}", f.from, f.to);
        }
        if let Some(c) = ctx.catalog.companies.iter().find(|c| c.id == f.company_id) {
            filter = format!("{filter} · {}", c.name);
        }
        let arrow = if f.ascending { "↑" } else { "↓" };
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(" Invoices ", theme.title),
                Span::styled(format!("· {} ", self.total), theme.muted),
                Span::styled(
                    format!("· {} due ", money(self.balance_cents)),
                    theme.accent,
                ),
                Span::styled(
                    format!("· {filter} · by {} {arrow}", SORTS[f.sort].1),
                    theme.muted,
                ),
            ])),
            header,
        );
        // Staff at under 100 columns: the company's name gets the room of
        // the issue date (numbers increase with it, so the order shows).
        let issued = !self.staff || body.width >= 100;
        let mut widths = vec![Constraint::Length(7)];
        let mut head = vec!["Number"];
        if self.staff {
            widths.push(Constraint::Fill(1));
            head.push("Company");
        }
        if issued {
            widths.push(Constraint::Length(10));
            head.push("Issued");
        }
        widths.extend([
            Constraint::Length(10),
            Constraint::Length(12),
            Constraint::Length(12),
            Constraint::Length(11),
        ]);
        head.extend(["Due", "       Total", "     Balance", "Status"]);
        let company_width = format::column_widths(&widths, body.width)[1];
        let rows = self.rows.iter().map(|i| {
            let state = match i.status() {
                InvoiceStatus::Paid => Span::styled(status(i.status()), theme.ok),
                InvoiceStatus::Void => Span::styled(status(i.status()), theme.muted),
                s if i.overdue => Span::styled(format!("{} ⚠", status(s)), theme.warn),
                s => Span::styled(status(s), theme.text),
            };
            let mut cells = vec![Cell::from(i.number.to_string())];
            if self.staff {
                cells.push(Cell::from(format::fit(&i.company_name, company_width)));
            }
            if issued {
                cells.push(Cell::from(i.issued_on.clone()));
            }
            cells.extend([
                Cell::from(i.due_on.clone()),
                Cell::from(Line::from(money(i.total_cents)).right_aligned()),
                Cell::from(Line::from(money(i.balance_cents)).right_aligned()),
                Cell::from(state),
            ]);
            Row::new(cells)
        });
        let table = Table::new(rows, widths)
            .header(Row::new(head).style(theme.muted))
            .row_highlight_style(theme.selected);
        frame.render_stateful_widget(table, body, &mut self.state);
        if self.rows.is_empty() {
            rows::empty_note(
                frame,
                body,
                self.loaded,
                ("No invoices match.", "Loading invoices…"),
                theme.muted,
            );
        }
        let mut hints = vec!["Enter open", "f filter", "s sort", "S reverse"];
        // On Account, Esc goes back to the profile; Billing has no back.
        if !self.staff {
            hints.push("Esc back");
        }
        let hints = format::hints(&hints, usize::from(footer.width));
        frame.render_widget(Paragraph::new(Line::styled(hints, theme.muted)), footer);
    }
}

fn render_invoice(frame: &mut Frame, area: Rect, open: &mut OpenInvoice, ctx: &Ctx) {
    let theme = ctx.theme;
    let [body, footer] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    let Some(detail) = &open.detail else {
        frame.render_widget(
            Paragraph::new(Line::styled(
                format!(" Loading invoice {}…", open.number),
                theme.muted,
            )),
            body,
        );
        return;
    };
    let lines = invoice_lines(detail, ctx, usize::from(body.width));
    let height = lines.len() as u16;
    open.scroll = open.scroll.min(height.saturating_sub(body.height));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((open.scroll, 0)),
        body,
    );
    let invoice = detail.invoice.clone().unwrap_or_default();
    let payable = invoice.status() != InvoiceStatus::Void && invoice.balance_cents > 0;
    let mut hints = vec!["Esc back", "x save"];
    if payable && ctx.is_staff() && ctx.is_admin() {
        hints.push("$ record payment");
    } else if payable && !ctx.is_staff() && ctx.is_manager() {
        hints.push("$ pay");
    }
    let pending = detail
        .payments
        .iter()
        .any(|p| p.state() == PaymentState::Pending);
    if ctx.is_staff() && ctx.is_admin() {
        if pending {
            hints.extend(["Y confirm", "N reject"]);
        }
        hints.push("V void");
    }
    if ctx.is_staff() {
        hints.push("M e-mail");
    }
    let hints = format::hints_with(&hints, "? keys", usize::from(footer.width));
    frame.render_widget(Paragraph::new(Line::styled(hints, theme.muted)), footer);
}

fn line_kind(kind: pb::InvoiceLineKind) -> &'static str {
    match kind {
        pb::InvoiceLineKind::Recurring => "Recurring",
        pb::InvoiceLineKind::Labour => "Labour",
        pb::InvoiceLineKind::Project => "Project",
        pb::InvoiceLineKind::Product => "Product",
        pb::InvoiceLineKind::Unspecified => "",
    }
}

/// An invoice as lines: head, lines, totals, payments, void reason.
fn invoice_lines(detail: &pb::InvoiceDetail, ctx: &Ctx, width: usize) -> Vec<Line<'static>> {
    let theme = ctx.theme;
    let i = detail.invoice.clone().unwrap_or_default();
    let mut state = status(i.status()).to_owned();
    if i.overdue && i.status() != InvoiceStatus::Void {
        state.push_str(" · overdue");
    }
    let state_style = match i.status() {
        InvoiceStatus::Paid => theme.ok,
        InvoiceStatus::Void => theme.muted,
        _ if i.overdue => theme.warn,
        _ => theme.accent,
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!(" Invoice {} ", i.number), theme.title),
            Span::styled(format!("· {} · ", i.company_name), theme.muted),
            Span::styled(state, state_style),
        ]),
        // The balance up here too, so a long invoice shows it unscrolled.
        Line::from(vec![
            Span::styled(
                format!(
                    " Period {} · issued {} · due {} · ",
                    i.period, i.issued_on, i.due_on
                ),
                theme.muted,
            ),
            Span::styled(format!("balance {}", money(i.balance_cents)), state_style),
        ]),
    ];
    if i.status() == InvoiceStatus::Void {
        lines.push(Line::styled(
            format!(" Void: {}", i.void_reason),
            theme.warn,
        ));
    }
    lines.push(Line::default());
    // Kind 10, quantity 10, unit 12, amount 12, spaces 4: the rest describes.
    let described = width.saturating_sub(10 + 10 + 12 + 12 + 5).max(10);
    let row = |kind: &str, what: &str, qty: &str, unit: &str, amount: &str| {
        format!(
            " {kind:<10}{:<described$} {qty:>10}{unit:>12}{amount:>12}",
            format::fit(what, described)
        )
    };
    lines.push(Line::styled(
        row("Kind", "Description", "Qty", "Unit", "Amount"),
        theme.muted,
    ));
    for l in &detail.lines {
        let labour = l.kind() == pb::InvoiceLineKind::Labour;
        let qty = if labour {
            crate::ui::ticket_work::minutes(l.quantity.max(0) as u32)
        } else {
            l.quantity.to_string()
        };
        // Prepaid hours paid for it: no rate, its agreement on a line of
        // its own below.
        let covered = labour && l.agreement_id > 0;
        let unit = if covered {
            "prepaid".to_owned()
        } else if labour {
            format!("{}/h", money(l.unit_price_cents))
        } else {
            money(l.unit_price_cents)
        };
        let what = if l.ticket_number > 0 && !l.description.contains('#') {
            format!("#{} {}", l.ticket_number, l.description)
        } else {
            l.description.clone()
        };
        lines.push(Line::styled(
            row(
                line_kind(l.kind()),
                &what,
                &qty,
                &unit,
                &money(l.amount_cents),
            ),
            theme.text,
        ));
        if covered {
            let by = format!("covered by {}", l.agreement_title);
            lines.push(Line::styled(
                format!("{:11}{}", "", format::fit(&by, described + 22)),
                theme.muted,
            ));
        }
    }
    if detail.lines.is_empty() {
        lines.push(Line::styled(" No lines.", theme.muted));
    }
    lines.push(Line::default());
    // The totals' amounts stand under the lines' amounts.
    let label_width = (described + 46).saturating_sub(14);
    let total = |label: &str, cents: i64| format!("{label:>label_width$}{:>14}", money(cents));
    lines.push(Line::styled(
        total("Subtotal", i.subtotal_cents),
        theme.text,
    ));
    if i.tax_rate_basis_points > 0 {
        let tax = format!("Tax {} %", money(i64::from(i.tax_rate_basis_points)));
        lines.push(Line::styled(total(&tax, i.tax_cents), theme.text));
    }
    lines.push(Line::styled(total("Total", i.total_cents), theme.title));
    lines.push(Line::styled(total("Paid", i.paid_cents), theme.text));
    if i.pending_cents > 0 {
        lines.push(Line::styled(
            total("Awaiting confirmation", i.pending_cents),
            theme.muted,
        ));
    }
    lines.push(Line::styled(total("Balance", i.balance_cents), state_style));
    lines.push(Line::default());
    lines.extend(payment_lines(&detail.payments, ctx, width));
    lines
}

/// The payments made against an invoice, one a line.
fn payment_lines(payments: &[pb::Payment], ctx: &Ctx, width: usize) -> Vec<Line<'static>> {
    let theme = ctx.theme;
    let mut lines = Vec::new();
    lines.push(Line::styled(" Payments", theme.title));
    if payments.is_empty() {
        lines.push(Line::styled("   none yet", theme.muted));
    }
    for p in payments {
        let when = format::short_time(p.submitted_at.as_ref(), ctx.now, ctx.tz);
        let mut text = format!(
            "   {when:>10}  {:<7}{:>12}  {:<10} {}",
            method(p.method()),
            money(p.amount_cents),
            payment_state(p.state()),
            p.reference
        );
        if p.state() == PaymentState::Rejected && !p.reject_reason.is_empty() {
            text = format!("{text} · {}", p.reject_reason);
        }
        if !p.submitted_by.is_empty() {
            text = format!("{text} · {}", p.submitted_by);
        }
        let text = format::fit(&text, width);
        let style = match p.state() {
            PaymentState::Confirmed => theme.ok,
            PaymentState::Pending => theme.warn,
            _ => theme.muted,
        };
        lines.push(Line::styled(text, style));
    }
    lines
}

/// Save as PDF or plain text.
fn save_pick(number: i64) -> Popup {
    let items = [
        ("Invoice as PDF", pb::ExportFormat::Pdf, "pdf"),
        ("Invoice as plain text", pb::ExportFormat::Text, "txt"),
    ]
    .into_iter()
    .map(|(label, format, extension)| {
        let save = Then::Open(Box::new(save_popup(number, format, extension)));
        (label.to_owned(), save)
    })
    .collect();
    Popup::pick(format!("Save invoice {number}"), items)
}

/// Where to save it: a path to confirm, prefilled in the home folder.
fn save_popup(number: i64, format: pb::ExportFormat, extension: &str) -> Popup {
    Popup::Prompt(
        PromptPopup::new(
            format!("Save invoice {number}"),
            Submit::send(move |form: &mut Form| {
                let path = expand_home(form.raw(PromptField::Path).trim());
                if path.is_empty() {
                    form.set_error(PromptField::Path, "where to?");
                    return None;
                }
                Some(BillingCall::Export {
                    number,
                    format,
                    path: path.into(),
                })
            }),
            vec![Field::line(
                PromptField::Path,
                "Save as",
                &format!("~/invoice-{number}.{extension}"),
            )],
        )
        .hint("Tab completes the path; an existing file is never overwritten")
        .with_path_completion(),
    )
}

/// A new idempotency key: one per pay form, so however often the form is
/// sent (a double key press, a retry after a timeout) one payment is made.
pub fn idempotency_key() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// The pay form: the amount prefilled with the balance, the method and a
/// reference. Staff record a payment received outside the portal with it.
fn pay_popup(invoice: &pb::Invoice, staff: bool) -> Popup {
    let number = invoice.number;
    let key = idempotency_key();
    let owed = (invoice.balance_cents - invoice.pending_cents).max(0);
    let title = if staff {
        format!("Record a payment of invoice {number}")
    } else {
        format!("Pay invoice {number}")
    };
    let hint = if staff {
        "Recorded as received: it counts at once".to_owned()
    } else {
        format!(
            "Balance {}; the provider confirms the payment",
            money(invoice.balance_cents)
        )
    };
    Popup::Prompt(
        PromptPopup::new(
            title,
            Submit::send(move |form: &mut Form| pay_request(form, number, &key)),
            vec![
                Field::line(InvoiceField::Amount, "Amount", &money(owed)).required(),
                Field::choice(
                    InvoiceField::Method,
                    "Method",
                    METHODS.iter().map(|(_, n)| (*n).to_owned()).collect(),
                    1,
                ),
                Field::line(InvoiceField::Reference, "Reference", ""),
            ],
        )
        .hint(hint),
    )
}

/// The payment the form says, with the form's key; `None` with the
/// amount marked when it is not one.
fn pay_request(form: &mut Form, number: i64, key: &str) -> Option<BillingCall> {
    form.clear_errors();
    let amount = parse_money(&form.text(InvoiceField::Amount));
    match amount {
        Some(cents) if cents > 0 => {}
        Some(_) => form.set_error(InvoiceField::Amount, "more than 0.00"),
        None => form.set_error(InvoiceField::Amount, "an amount like 12.34"),
    }
    if form.has_errors() {
        return None;
    }
    let method = METHODS
        .get(form.choice(InvoiceField::Method))
        .map_or(PaymentMethod::Other, |(m, _)| *m);
    Some(BillingCall::Pay(pb::SubmitPaymentRequest {
        invoice_number: number,
        amount_cents: amount.unwrap_or_default(),
        method: method.into(),
        reference: form.text(InvoiceField::Reference),
        idempotency_key: key.to_owned(),
    }))
}

fn void_popup(number: i64) -> Popup {
    Popup::Prompt(
        PromptPopup::new(
            format!("Void invoice {number}"),
            Submit::send(move |form: &mut Form| {
                form.clear_errors();
                form.check_required().then(|| BillingCall::Void {
                    number,
                    reason: form.text(InvoiceField::Reason),
                })
            }),
            vec![Field::line(InvoiceField::Reason, "Reason", "").required()],
        )
        .hint("The invoice stays visible, with this reason"),
    )
}

/// Rejecting a pending payment, with the reason the client reads.
pub fn reject_popup(p: &pb::Payment) -> Popup {
    let id = p.id;
    Popup::Prompt(
        PromptPopup::new(
            format!(
                "Reject {} on invoice {}",
                money(p.amount_cents),
                p.invoice_number
            ),
            Submit::send(move |form: &mut Form| {
                form.clear_errors();
                form.check_required().then(|| BillingCall::Reject {
                    id,
                    reason: form.text(InvoiceField::Reason),
                })
            }),
            vec![Field::line(InvoiceField::Reason, "Reason", "").required()],
        )
        .hint(format!(
            "{} · {} · {}",
            method(p.method()),
            p.reference,
            p.company_name
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pay_form_sends_its_one_key_however_often_it_is_sent() {
        let invoice = pb::Invoice {
            number: 1007,
            balance_cents: 150_000,
            pending_cents: 20_000,
            ..Default::default()
        };
        let Popup::Prompt(prompt) = pay_popup(&invoice, false) else {
            panic!("a prompt");
        };
        let Submit::Send(make) = prompt.submit.clone() else {
            panic!("sends");
        };
        let mut form = prompt.form.clone();
        assert_eq!(form.text(InvoiceField::Amount), "1,300.00");
        let first = make(&mut form).expect("a request");
        let again = make(&mut form).expect("a request");
        assert_eq!(first, again);
        let Request::Billing(BillingCall::Pay(pay)) = first else {
            panic!("a payment");
        };
        assert_eq!(pay.amount_cents, 130_000);
        assert_eq!(pay.method(), PaymentMethod::Ach);
        assert!(pay.idempotency_key.len() >= 8 && pay.idempotency_key.len() <= 64);
        // Another form is another payment.
        let Popup::Prompt(other) = pay_popup(&invoice, false) else {
            panic!("a prompt");
        };
        let Submit::Send(make_other) = other.submit.clone() else {
            panic!("sends");
        };
        let Some(Request::Billing(BillingCall::Pay(second))) = make_other(&mut other.form.clone())
        else {
            panic!("a payment");
        };
        assert_ne!(second.idempotency_key, pay.idempotency_key);
    }

    #[test]
    fn the_pay_form_refuses_what_is_not_an_amount() {
        let mut form = Form::new(vec![
            Field::line(InvoiceField::Amount, "Amount", "12.345"),
            Field::choice(InvoiceField::Method, "Method", vec!["Check".into()], 0),
            Field::line(InvoiceField::Reference, "Reference", ""),
        ]);
        assert_eq!(pay_request(&mut form, 1, "k"), None);
        assert!(form.has_errors());
        form.set_text(InvoiceField::Amount, "0");
        assert_eq!(pay_request(&mut form, 1, "k"), None);
    }
}
