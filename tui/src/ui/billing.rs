//! The staff Billing tab (docs/MONEY.md): every company's invoices, the
//! payments waiting for a decision, agreements, subscriptions, the month's billing run
//! (preview, then run) and the billing settings. Staff read; provider
//! Admins act.

use chrono::{Months, NaiveDate};
use crossterm::event::{KeyCode, KeyEvent};
use portal_proto::pb;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use super::agreements::Agreements;
use super::form::{Field, FieldId, Form};
use super::invoices::{Invoices, method, reject_popup};
use super::popup::{Popup, PromptPopup, Submit, Then};
use super::subscriptions::Subscriptions;
use super::{Ctx, Effects, HelpLines, Screen, format, help_line, moved, plain_help, rows};
use crate::action::{ApiError, BillingCall, BillingReply, Reply, Request, WorkCall};
use crate::keys::Cmd;
use crate::money::{money, parse_money};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Section {
    #[default]
    Invoices,
    Payments,
    Agreements,
    Subscriptions,
    Run,
    Settings,
}

const SECTIONS: [(Section, &str); 6] = [
    (Section::Invoices, "Invoices"),
    (Section::Payments, "Pending payments"),
    (Section::Agreements, "Agreements"),
    (Section::Subscriptions, "Subscriptions"),
    (Section::Run, "Billing run"),
    (Section::Settings, "Settings"),
];

/// The fields of the settings form, named as the server names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SettingsField {
    LabourRate,
    Tax,
    LowHours,
}

impl FieldId for SettingsField {
    fn server_name(self) -> Option<&'static str> {
        Some(match self {
            Self::LabourRate => "labour_rate_cents",
            Self::Tax => "tax_rate_basis_points",
            Self::LowHours => "low_hours_percent",
        })
    }
}

/// The month a run is for, as `YYYY-MM`, or how to move it.
#[derive(Debug, Clone, Default)]
pub struct RunState {
    pub month: String,
    /// The last preview or run of `month`.
    pub result: Option<pb::BillingRun>,
    pub asked: bool,
    pub state: TableState,
}

#[derive(Debug, Clone)]
pub struct Billing {
    pub section: Section,
    pub invoices: Invoices,
    pub agreements: Agreements,
    pub subscriptions: Subscriptions,
    pub pending: Vec<pb::Payment>,
    pub pending_loaded: bool,
    pub pending_state: TableState,
    pub run: RunState,
    pub settings: Option<pb::BillingSettings>,
}

impl Default for Billing {
    fn default() -> Self {
        Self {
            section: Section::Invoices,
            invoices: Invoices::new(true),
            agreements: Agreements::new(true),
            subscriptions: Subscriptions::new(true),
            pending: Vec::new(),
            pending_loaded: false,
            pending_state: TableState::default(),
            run: RunState::default(),
            settings: None,
        }
    }
}

/// `2026-11` moved by `by` months.
pub fn shift_month(month: &str, by: i32) -> Option<String> {
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok()?;
    let moved = if by < 0 {
        first.checked_sub_months(Months::new(by.unsigned_abs()))
    } else {
        first.checked_add_months(Months::new(by.unsigned_abs()))
    }?;
    Some(moved.format("%Y-%m").to_string())
}

impl Billing {
    /// Entering the tab: the section on show is fetched again.
    pub fn enter(&mut self, fx: &mut Effects) {
        self.load_section(fx);
    }

    fn load_section(&mut self, fx: &mut Effects) {
        match self.section {
            Section::Invoices => self.invoices.load(fx),
            Section::Payments => fx.send(BillingCall::Pending),
            Section::Agreements => {
                if self.agreements.work_types.is_empty() {
                    fx.send(WorkCall::WorkTypes);
                }
                self.agreements.load(fx);
            }
            Section::Subscriptions => self.subscriptions.load(fx),
            Section::Run => {}
            Section::Settings => fx.send(BillingCall::Settings),
        }
    }

    /// An invoice named elsewhere (a pending payment, Home).
    pub fn show_invoice(&mut self, number: i64, fx: &mut Effects) {
        self.section = Section::Invoices;
        self.invoices.open_invoice(number, fx);
    }

    pub fn show_unpaid_invoices(&mut self, fx: &mut Effects) {
        self.section = Section::Invoices;
        self.invoices.show_unpaid(fx);
    }

    pub fn show_agreement(&mut self, id: i64, fx: &mut Effects) {
        self.section = Section::Agreements;
        self.agreements.open = Some((id, None));
        self.load_section(fx);
    }

    /// The subscriptions, from Home's renewal reminder.
    pub fn show_subscriptions(&mut self, fx: &mut Effects) {
        self.section = Section::Subscriptions;
        self.load_section(fx);
    }

    /// Whether an invoice or agreement is open over its list.
    fn detail_open(&self) -> bool {
        match self.section {
            Section::Invoices => self.invoices.open.is_some(),
            Section::Agreements => self.agreements.open.is_some(),
            _ => false,
        }
    }

    fn month(&mut self, ctx: &Ctx) -> String {
        if self.run.month.is_empty() {
            self.run.month = ctx.now.with_timezone(&ctx.tz).format("%Y-%m").to_string();
        }
        self.run.month.clone()
    }

    fn payments_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        let selected = self.pending_state.selected().unwrap_or(0);
        if let Some(to) = moved(ctx.keys, key, selected, self.pending.len(), 10) {
            self.pending_state.select(Some(to));
            return true;
        }
        let Some(p) = self
            .pending_state
            .selected()
            .and_then(|i| self.pending.get(i))
            .cloned()
        else {
            return false;
        };
        match key.code {
            KeyCode::Enter => self.show_invoice(p.invoice_number, fx),
            _ if ctx.is_admin() && ctx.keys.is(Cmd::Approve, key) => {
                fx.popup = Some(Popup::confirm(
                    "Confirm payment?",
                    format!(
                        "{} by {} ({}) from {} on invoice {}.",
                        money(p.amount_cents),
                        method(p.method()),
                        p.reference,
                        p.company_name,
                        p.invoice_number
                    ),
                    Then::send(BillingCall::Confirm { id: p.id }),
                ));
            }
            _ if ctx.is_admin() && ctx.keys.is(Cmd::Decline, key) => {
                fx.popup = Some(reject_popup(&p));
            }
            _ => return false,
        }
        true
    }

    fn run_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        let month = self.month(ctx);
        let by = match key.code {
            KeyCode::Char('[') => -1,
            KeyCode::Char(']') => 1,
            _ => 0,
        };
        if by != 0 {
            if let Some(m) = shift_month(&month, by) {
                self.run.month = m;
                self.run.result = None;
            }
            return true;
        }
        if !ctx.is_admin() {
            return false;
        }
        if ctx.keys.is(Cmd::PreviewRun, key) {
            self.run.asked = true;
            fx.send(BillingCall::Run { month, run: false });
        } else if ctx.keys.is(Cmd::RunBilling, key) {
            let what = match &self.run.result {
                Some(r) if r.preview && r.month == month => format!(
                    "The preview bills {} for {} compan{} ({} lines). Bill {month} now?",
                    money(r.total_cents),
                    r.companies,
                    if r.companies == 1 { "y" } else { "ies" },
                    r.lines
                ),
                _ => format!("Bill {month} for every company? (p previews it first.)"),
            };
            fx.popup = Some(Popup::confirm(
                "Run billing?",
                what,
                Then::send(BillingCall::Run { month, run: true }),
            ));
        } else {
            let selected = self.run.state.selected().unwrap_or(0);
            let len = self.run.result.as_ref().map_or(0, |r| r.invoices.len());
            let Some(to) = moved(ctx.keys, key, selected, len, 10) else {
                return false;
            };
            self.run.state.select(Some(to));
        }
        true
    }

    fn settings_popup(settings: &pb::BillingSettings) -> Popup {
        Popup::Prompt(
            PromptPopup::new(
                "Billing settings",
                Submit::send(settings_request),
                vec![
                    Field::line(
                        SettingsField::LabourRate,
                        "Labour per hour",
                        &money(settings.labour_rate_cents),
                    )
                    .required(),
                    Field::line(
                        SettingsField::Tax,
                        "Tax %",
                        &money(i64::from(settings.tax_rate_basis_points)),
                    )
                    .required(),
                    Field::line(
                        SettingsField::LowHours,
                        "Warn below % left",
                        &settings.low_hours_percent.to_string(),
                    )
                    .required(),
                ],
            )
            .hint(format!(
                "Amounts in {}; tax like 8.25, 0 for none",
                settings.currency
            )),
        )
    }

    fn render_sections(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let mut spans = vec![Span::raw(" ")];
        for (section, name) in SECTIONS {
            let style = if section == self.section {
                theme.tab_active
            } else {
                theme.muted
            };
            spans.push(Span::styled(format!(" {name} "), style));
        }
        spans.push(Span::styled("  ←/→", theme.muted));
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
    }

    fn render_payments(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let [header, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        let sum: i64 = self.pending.iter().map(|p| p.amount_cents).sum();
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(" Waiting for confirmation ", theme.title),
                Span::styled(
                    format!("· {} · {}", self.pending.len(), money(sum)),
                    theme.muted,
                ),
            ])),
            header,
        );
        let widths = [
            Constraint::Length(7),
            Constraint::Fill(1),
            Constraint::Length(12),
            Constraint::Length(7),
            Constraint::Fill(1),
            Constraint::Length(10),
        ];
        let fit = format::column_widths(&widths, body.width);
        let rows = self.pending.iter().map(|p| {
            Row::new(vec![
                Cell::from(p.invoice_number.to_string()),
                Cell::from(format::fit(&p.company_name, fit[1])),
                Cell::from(Line::from(money(p.amount_cents)).right_aligned()),
                Cell::from(method(p.method())),
                Cell::from(format::fit(&p.reference, fit[4])),
                Cell::from(format::short_time(p.submitted_at.as_ref(), ctx.now, ctx.tz)),
            ])
        });
        let table = Table::new(rows, widths)
            .header(
                Row::new([
                    "Invoice",
                    "Company",
                    "      Amount",
                    "Method",
                    "Reference",
                    "Sent",
                ])
                .style(theme.muted),
            )
            .row_highlight_style(theme.selected);
        frame.render_stateful_widget(table, body, &mut self.pending_state);
        if self.pending.is_empty() {
            rows::empty_note(
                frame,
                body,
                self.pending_loaded,
                ("No payment waits for confirmation.", "Loading…"),
                theme.muted,
            );
        }
        let hints: &[&str] = if ctx.is_admin() {
            &["Y confirm", "N reject", "Enter invoice"]
        } else {
            &["Enter invoice"]
        };
        let hints = format::hints(hints, usize::from(footer.width));
        frame.render_widget(Paragraph::new(Line::styled(hints, theme.muted)), footer);
    }

    fn render_run(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let month = self.month(ctx);
        let [header, summary, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(2),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        let title = format!(" Billing for {month} ");
        let about = format::fit(
            "· recurring charges a month ahead, labour of completed tickets",
            usize::from(header.width).saturating_sub(title.chars().count()),
        );
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(title, theme.title),
                Span::styled(about, theme.muted),
            ])),
            header,
        );
        let said = match &self.run.result {
            Some(r) if r.month == month && r.invoices.is_empty() => Line::styled(
                format!(" Nothing to bill for {month}: it is billed already, or nothing is due"),
                theme.muted,
            ),
            Some(r) if r.month == month => {
                let verb = if r.preview { "Would bill" } else { "Billed" };
                Line::styled(
                    format!(
                        " {verb} {} for {} compan{}, {} lines",
                        money(r.total_cents),
                        r.companies,
                        if r.companies == 1 { "y" } else { "ies" },
                        r.lines
                    ),
                    if r.preview { theme.accent } else { theme.ok },
                )
            }
            _ if self.run.asked => Line::styled(" Asking…", theme.muted),
            _ => Line::styled(
                " p previews what a run would bill; nothing is written until b bills it.",
                theme.muted,
            ),
        };
        frame.render_widget(Paragraph::new(said), summary);
        let invoices = self
            .run
            .result
            .as_ref()
            .filter(|r| r.month == month)
            .map(|r| r.invoices.clone())
            .unwrap_or_default();
        let widths = [
            Constraint::Fill(1),
            Constraint::Length(8),
            Constraint::Length(6),
            Constraint::Length(14),
        ];
        let company_width = format::column_widths(&widths, body.width)[0];
        let rows = invoices.iter().map(|d| {
            let i = d.invoice.clone().unwrap_or_default();
            let number = if i.number > 0 {
                i.number.to_string()
            } else {
                "new".to_owned()
            };
            Row::new(vec![
                Cell::from(format::fit(&i.company_name, company_width)),
                Cell::from(number),
                Cell::from(d.lines.len().to_string()),
                Cell::from(Line::from(money(i.total_cents)).right_aligned()),
            ])
        });
        let table = Table::new(rows, widths)
            .header(Row::new(["Company", "Invoice", "Lines", "         Total"]).style(theme.muted))
            .row_highlight_style(theme.selected);
        frame.render_stateful_widget(table, body, &mut self.run.state);
        let hints: &[&str] = if ctx.is_admin() {
            &["[ ] month", "p preview", "b bill"]
        } else {
            &["[ ] month", "provider Admins run billing"]
        };
        let hints = format::hints(hints, usize::from(footer.width));
        frame.render_widget(Paragraph::new(Line::styled(hints, theme.muted)), footer);
    }

    fn render_settings(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let Some(s) = &self.settings else {
            frame.render_widget(
                Paragraph::new(Line::styled(" Loading the settings…", theme.muted)),
                area,
            );
            return;
        };
        let row = |label: &str, value: String| {
            Line::from(vec![
                Span::styled(format!("   {label:<30}"), theme.muted),
                Span::styled(value, theme.text),
            ])
        };
        let tax = if s.tax_rate_basis_points == 0 {
            "none".to_owned()
        } else {
            format!("{} %", money(i64::from(s.tax_rate_basis_points)))
        };
        let mut lines = vec![
            Line::styled(" Billing settings", theme.title),
            row(
                "Non-contract labour per hour",
                format!("{} {}", money(s.labour_rate_cents), s.currency),
            ),
            row("Tax", tax),
            row(
                "Home warns below",
                format!("{} % of prepaid hours left", s.low_hours_percent),
            ),
            Line::default(),
        ];
        if ctx.is_admin() {
            lines.push(Line::styled(" e edits them", theme.muted));
        }
        frame.render_widget(Paragraph::new(lines), area);
    }
}

/// The settings the form says, or its fields marked.
fn settings_request(form: &mut Form) -> Option<BillingCall> {
    use SettingsField as F;
    form.clear_errors();
    let rate = parse_money(&form.text(F::LabourRate));
    if rate.is_none() {
        form.set_error(F::LabourRate, "an amount like 150.00");
    }
    // 8.25 % is 825 basis points: the same two decimals as money.
    let tax = parse_money(&form.text(F::Tax)).and_then(|t| u32::try_from(t).ok());
    if tax.is_none_or(|t| t > 10_000) {
        form.set_error(F::Tax, "a percentage like 8.25");
    }
    let low: Option<u32> = form.text(F::LowHours).parse().ok().filter(|p| *p <= 100);
    if low.is_none() {
        form.set_error(F::LowHours, "a whole percentage, 0 to 100");
    }
    if form.has_errors() {
        return None;
    }
    Some(BillingCall::SaveSettings(pb::BillingSettings {
        labour_rate_cents: rate.unwrap_or_default(),
        tax_rate_basis_points: tax.unwrap_or_default(),
        low_hours_percent: low.unwrap_or_default(),
        currency: String::new(),
    }))
}

impl Screen for Billing {
    fn title(&self) -> &'static str {
        "Billing"
    }

    fn help(&self, ctx: &Ctx) -> HelpLines {
        let mut lines = match self.section {
            Section::Invoices => self.invoices.help(ctx),
            Section::Agreements => self.agreements.help(ctx),
            Section::Subscriptions => self.subscriptions.help(ctx),
            Section::Payments => {
                let mut l = vec![
                    plain_help("↑/↓ j/k", "move"),
                    plain_help("Enter", "open the invoice"),
                ];
                if ctx.is_admin() {
                    l.push(help_line(ctx.keys, Cmd::Approve, "confirm the payment"));
                    l.push(help_line(
                        ctx.keys,
                        Cmd::Decline,
                        "reject it, with a reason",
                    ));
                }
                l
            }
            Section::Run => {
                let mut l = vec![plain_help("[ / ]", "previous / next month")];
                if ctx.is_admin() {
                    l.push(help_line(ctx.keys, Cmd::PreviewRun, "preview the run"));
                    l.push(help_line(ctx.keys, Cmd::RunBilling, "bill the month"));
                }
                l
            }
            Section::Settings => {
                if ctx.is_admin() {
                    vec![help_line(ctx.keys, Cmd::Edit, "edit the settings")]
                } else {
                    Vec::new()
                }
            }
        };
        if !self.detail_open() {
            lines.insert(
                0,
                plain_help(
                    "←/→",
                    "Invoices, payments, agreements, subscriptions, run, settings",
                ),
            );
        }
        lines
    }

    fn handle_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        if !self.detail_open() {
            let step = if ctx.keys.is(Cmd::NextSection, key) {
                1
            } else if ctx.keys.is(Cmd::PrevSection, key) {
                SECTIONS.len() - 1
            } else {
                0
            };
            if step > 0 {
                let at = SECTIONS
                    .iter()
                    .position(|(s, _)| *s == self.section)
                    .unwrap_or(0);
                self.section = SECTIONS[(at + step) % SECTIONS.len()].0;
                self.load_section(fx);
                return true;
            }
        }
        if ctx.keys.is(Cmd::Refresh, key) {
            self.load_section(fx);
            return true;
        }
        match self.section {
            Section::Invoices => self.invoices.handle_key(key, ctx, fx),
            Section::Agreements => self.agreements.handle_key(key, ctx, fx),
            Section::Subscriptions => self.subscriptions.handle_key(key, ctx, fx),
            Section::Payments => self.payments_key(key, ctx, fx),
            Section::Run => self.run_key(key, ctx, fx),
            Section::Settings => match &self.settings {
                Some(s) if ctx.is_admin() && ctx.keys.is(Cmd::Edit, key) => {
                    fx.popup = Some(Self::settings_popup(s));
                    true
                }
                _ => false,
            },
        }
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let [sections, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
        self.render_sections(frame, sections, ctx);
        match self.section {
            Section::Invoices => self.invoices.render(frame, body, ctx),
            Section::Agreements => self.agreements.render(frame, body, ctx),
            Section::Subscriptions => self.subscriptions.render(frame, body, ctx),
            Section::Payments => self.render_payments(frame, body, ctx),
            Section::Run => self.render_run(frame, body, ctx),
            Section::Settings => self.render_settings(frame, body, ctx),
        }
    }

    fn on_reply(&mut self, reply: &Reply, ctx: &Ctx, fx: &mut Effects) {
        if !ctx.is_staff() {
            return;
        }
        self.invoices.on_reply(reply, fx);
        self.agreements.on_reply(reply, fx);
        self.subscriptions.on_reply(reply, fx);
        let Reply::Billing(billing) = reply else {
            return;
        };
        match &**billing {
            BillingReply::Pending(payments) => {
                self.pending_loaded = true;
                self.pending.clone_from(payments);
                let at = self.pending_state.selected().unwrap_or(0);
                self.pending_state
                    .select((!payments.is_empty()).then(|| at.min(payments.len() - 1)));
            }
            // A decision from the list (the invoice's own view says it
            // when the invoice is open).
            BillingReply::Payment(p) if self.section == Section::Payments => {
                fx.close_prompt = true;
                fx.ok(format!(
                    "Payment of {} on invoice {} is {}",
                    money(p.amount_cents),
                    p.invoice_number,
                    super::invoices::payment_state(p.state())
                ));
                fx.send(BillingCall::Pending);
            }
            BillingReply::Settings(s) => self.settings = Some(s.clone()),
            BillingReply::SettingsSaved(s) => {
                fx.close_prompt = true;
                fx.ok("Billing settings saved");
                self.settings = Some(s.clone());
            }
            BillingReply::Run(run) => {
                self.run.asked = false;
                if !run.preview && run.invoices.is_empty() {
                    fx.ok(format!("Nothing new to bill for {}", run.month));
                } else if !run.preview {
                    fx.ok(format!(
                        "Billed {}: {} invoices, {}",
                        run.month,
                        run.invoices.len(),
                        money(run.total_cents)
                    ));
                }
                self.run.result = Some(run.clone());
                self.run
                    .state
                    .select((!run.invoices.is_empty()).then_some(0));
            }
            _ => {}
        }
    }

    fn on_failed(&mut self, request: &Request, _error: &ApiError, _fx: &mut Effects) {
        self.invoices.on_failed(request);
        if let Request::Billing(BillingCall::Run { .. }) = request {
            self.run.asked = false;
        }
    }

    fn on_answer(&mut self, answer: usize, _ctx: &Ctx, fx: &mut Effects) {
        if self.section == Section::Invoices {
            self.invoices.on_answer(answer, fx);
        }
    }

    fn on_form(&mut self, form: &mut Form, ctx: &Ctx, fx: &mut Effects) -> bool {
        self.section == Section::Invoices && self.invoices.on_form(form, ctx, fx)
    }

    fn refresh(&mut self, fx: &mut Effects) {
        self.load_section(fx);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_step_across_years() {
        assert_eq!(shift_month("2026-01", -1).as_deref(), Some("2025-12"));
        assert_eq!(shift_month("2026-12", 1).as_deref(), Some("2027-01"));
        assert_eq!(shift_month("nope", 1), None);
    }

    #[test]
    fn settings_read_tax_as_basis_points() {
        let mut form = Form::new(vec![
            Field::line(SettingsField::LabourRate, "", "150"),
            Field::line(SettingsField::Tax, "", "8.25"),
            Field::line(SettingsField::LowHours, "", "20"),
        ]);
        let Some(BillingCall::SaveSettings(s)) = settings_request(&mut form) else {
            panic!("settings");
        };
        assert_eq!(
            (
                s.labour_rate_cents,
                s.tax_rate_basis_points,
                s.low_hours_percent
            ),
            (15_000, 825, 20)
        );
        form.set_text(SettingsField::Tax, "100.01");
        assert_eq!(settings_request(&mut form), None);
    }
}
