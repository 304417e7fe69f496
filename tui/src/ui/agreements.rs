//! Agreements (docs/MONEY.md "Agreements"): the list with hours purchased,
//! used and left, and one agreement with its burn-down by month and the
//! forecast of the day its prepaid hours run out. Client Managers and Admins
//! have it on the Account tab; staff on Billing, where provider Admins
//! create and edit agreements.

use crossterm::event::{KeyCode, KeyEvent};
use portal_proto::pb::{self, AgreementKind};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Cell, Paragraph, Row, Table, TableState};

use super::form::{Field, FieldId, Form};
use super::invoices::check_date;
use super::popup::{Popup, PromptPopup, Submit};
use super::{Ctx, Effects, HelpLines, format, help_line, moved, plain_help, rows};
use crate::action::{BillingCall, BillingReply, Reply};
use crate::keys::Cmd;
use crate::money::{money, parse_money};

const KINDS: [(AgreementKind, &str); 5] = [
    (AgreementKind::ManagedServices, "Managed services"),
    (AgreementKind::CoLocation, "Co-location"),
    (AgreementKind::Email, "E-mail"),
    (AgreementKind::LabourBlock, "Labour block"),
    (AgreementKind::Other, "Other"),
];

pub fn kind(k: AgreementKind) -> &'static str {
    KINDS
        .iter()
        .find(|(x, _)| *x == k)
        .map_or("—", |(_, name)| name)
}

/// `12 h` or `12 h 30 min` from minutes; negative (overdrawn) too.
pub fn hours(minutes: i64) -> String {
    let text = super::ticket_work::minutes(minutes.unsigned_abs().min(u64::from(u32::MAX)) as u32);
    if minutes < 0 {
        format!("-{text}")
    } else {
        text
    }
}

/// `4:30 h` from minutes, for table columns.
fn short_hours(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "" };
    let m = minutes.unsigned_abs();
    if m.is_multiple_of(60) {
        format!("{sign}{} h", m / 60)
    } else {
        format!("{sign}{}:{:02} h", m / 60, m % 60)
    }
}

/// The dates an agreement runs, `2026-01-01 – open` when it has no end; one
/// that renews runs to the end of its current term, the day before it
/// renews.
fn dates(a: &pb::Agreement) -> String {
    let term_end = chrono::NaiveDate::parse_from_str(&a.renews_on, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.pred_opt())
        .map(|d| d.format("%Y-%m-%d").to_string());
    let end = match &term_end {
        Some(end) => end,
        None if a.end_date.is_empty() => "open",
        None => &a.end_date,
    };
    format!("{} – {end}", a.start_date)
}

/// Whether and when it renews.
fn renewal(a: &pb::Agreement) -> String {
    match (a.renews, a.renews_on.as_str()) {
        (false, _) => "does not renew".to_owned(),
        (true, "") => "renews".to_owned(),
        (true, on) => format!("renews {on}"),
    }
}

#[derive(Debug, Clone, Default)]
pub struct Agreements {
    /// Staff see every company's; provider Admins change them.
    pub staff: bool,
    pub rows: Vec<pb::Agreement>,
    pub loaded: bool,
    pub state: TableState,
    /// The agreement on show, and its detail once it came.
    pub open: Option<(i64, Option<pb::AgreementDetail>)>,
    /// Staff: the work types an agreement may cover.
    pub work_types: Vec<pb::WorkType>,
}

/// The fields of the agreement form, named as the server names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AgreementField {
    Company,
    Title,
    Kind,
    Start,
    End,
    Monthly,
    Hours,
    WorkType(i64),
    Renews,
}

impl FieldId for AgreementField {
    fn server_name(self) -> Option<&'static str> {
        Some(match self {
            Self::Company => "agreement.company_id",
            Self::Title => "agreement.title",
            Self::Kind => "agreement.kind",
            Self::Start => "agreement.start_date",
            Self::End => "agreement.end_date",
            Self::Monthly => "agreement.monthly_amount_cents",
            Self::Hours => "agreement.prepaid_minutes",
            Self::WorkType(_) => "agreement.work_type_ids",
            Self::Renews => return None,
        })
    }
}

impl Agreements {
    pub fn new(staff: bool) -> Self {
        Self {
            staff,
            ..Self::default()
        }
    }

    pub fn load(&mut self, fx: &mut Effects) {
        fx.send(BillingCall::Agreements { company_id: 0 });
        if let Some((id, _)) = &self.open {
            fx.send(BillingCall::Agreement { id: *id });
        }
    }

    fn selected(&self) -> Option<&pb::Agreement> {
        self.state.selected().and_then(|i| self.rows.get(i))
    }

    fn admin(&self, ctx: &Ctx) -> bool {
        self.staff && ctx.is_admin()
    }

    pub fn help(&self, ctx: &Ctx) -> HelpLines {
        let mut lines = if self.open.is_some() {
            vec![plain_help("Esc", "back to the list")]
        } else {
            vec![
                plain_help("↑/↓ j/k", "move"),
                plain_help("Enter", "the agreement's burn-down and forecast"),
                plain_help("Esc", "back"),
            ]
        };
        if self.admin(ctx) {
            lines.push(help_line(ctx.keys, Cmd::NewAgreement, "new agreement"));
            lines.push(help_line(ctx.keys, Cmd::Edit, "edit the agreement"));
        }
        lines.push(help_line(ctx.keys, Cmd::Refresh, "refresh"));
        lines
    }

    /// True when the key was taken; Esc on the list is left to the screen
    /// holding it.
    pub fn handle_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        if self.admin(ctx) && ctx.keys.is(Cmd::NewAgreement, key) {
            if self.work_types.is_empty() {
                fx.send(crate::action::WorkCall::WorkTypes);
            }
            fx.popup = Some(self.form_popup(None, ctx));
            return true;
        }
        if self.admin(ctx) && ctx.keys.is(Cmd::Edit, key) {
            let chosen = match &self.open {
                Some((_, Some(d))) => d.agreement.clone(),
                Some((_, None)) => None,
                None => self.selected().cloned(),
            };
            if let Some(a) = chosen {
                fx.popup = Some(self.form_popup(Some(&a), ctx));
            }
            return true;
        }
        if ctx.keys.is(Cmd::Refresh, key) {
            self.load(fx);
            return true;
        }
        if self.open.is_some() {
            if key.code == KeyCode::Esc {
                self.open = None;
                return true;
            }
            return false;
        }
        let selected = self.state.selected().unwrap_or(0);
        if let Some(to) = moved(ctx.keys, key, selected, self.rows.len(), 10) {
            self.state.select(Some(to));
            return true;
        }
        if key.code == KeyCode::Enter
            && let Some(id) = self.selected().map(|a| a.id)
        {
            self.open = Some((id, None));
            fx.send(BillingCall::Agreement { id });
            return true;
        }
        false
    }

    fn form_popup(&self, agreement: Option<&pb::Agreement>, ctx: &Ctx) -> Popup {
        let a = agreement.cloned().unwrap_or_default();
        let companies = &ctx.catalog.companies;
        let company = companies
            .iter()
            .position(|c| c.id == a.company_id)
            .unwrap_or(0);
        let kind_at = KINDS.iter().position(|(k, _)| *k == a.kind()).unwrap_or(0);
        let mut fields = vec![
            Field::choice(
                AgreementField::Company,
                "Company",
                companies.iter().map(|c| c.name.clone()).collect(),
                company,
            ),
            Field::line(AgreementField::Title, "Title", &a.title).required(),
            Field::choice(
                AgreementField::Kind,
                "Kind",
                KINDS.iter().map(|(_, n)| (*n).to_owned()).collect(),
                kind_at,
            ),
            Field::line(AgreementField::Start, "Starts", &a.start_date).required(),
            Field::line(AgreementField::End, "Ends", &a.end_date),
            // None is left empty, so what is typed is not appended to a "0".
            Field::line(
                AgreementField::Monthly,
                "Monthly amount",
                &none_empty(a.monthly_amount_cents, money),
            ),
            Field::line(
                AgreementField::Hours,
                "Prepaid hours",
                &none_empty(a.prepaid_minutes / 60, |h| h.to_string()),
            ),
        ];
        for t in self.work_types.iter().filter(|t| t.active) {
            let on = a.work_type_ids.contains(&t.id);
            fields.push(Field::toggle(
                AgreementField::WorkType(t.id),
                &format!("Covers {}", t.name),
                on,
            ));
        }
        fields.push(Field::toggle(AgreementField::Renews, "Renews", a.renews));
        let id = a.id;
        let ids: Vec<(i64, i64)> = companies
            .iter()
            .enumerate()
            .map(|(i, c)| (i as i64, c.id))
            .collect();
        let types: Vec<i64> = self.work_types.iter().map(|t| t.id).collect();
        let title = if id == 0 {
            "New agreement".to_owned()
        } else {
            format!("Edit agreement: {}", a.title)
        };
        Popup::Prompt(
            PromptPopup::new(
                title,
                Submit::send(move |form: &mut Form| agreement_request(form, id, &ids, &types)),
                fields,
            )
            .hint("Dates like 2026-01-01, an empty end is open-ended")
            .width(70),
        )
    }

    pub fn on_reply(&mut self, reply: &Reply, fx: &mut Effects) {
        match reply {
            Reply::WorkTypes(types) => self.work_types.clone_from(types),
            Reply::Billing(b) => match &**b {
                BillingReply::Agreements(rows) => {
                    self.loaded = true;
                    self.rows.clone_from(rows);
                    let at = self.state.selected().unwrap_or(0);
                    self.state
                        .select((!self.rows.is_empty()).then(|| at.min(self.rows.len() - 1)));
                }
                BillingReply::Agreement(detail) => {
                    if let Some((id, shown)) = &mut self.open
                        && detail.agreement.as_ref().map(|a| a.id) == Some(*id)
                    {
                        *shown = Some(detail.clone());
                    }
                }
                BillingReply::AgreementSaved(a) => {
                    fx.close_prompt = true;
                    fx.ok(format!("Agreement “{}” saved", a.title));
                    self.load(fx);
                }
                _ => {}
            },
            _ => {}
        }
    }

    pub fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        if let Some((id, detail)) = &self.open {
            match detail {
                Some(d) => render_detail(frame, area, d, ctx, self.admin(ctx)),
                None => frame.render_widget(
                    Paragraph::new(Line::styled(
                        format!(" Loading agreement {id}…"),
                        ctx.theme.muted,
                    )),
                    area,
                ),
            }
            return;
        }
        let theme = ctx.theme;
        let [header, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        let low = self.rows.iter().filter(|a| a.low_hours).count();
        let mut head = vec![
            Span::styled(" Agreements ", theme.title),
            Span::styled(format!("· {} ", self.rows.len()), theme.muted),
        ];
        if low > 0 {
            head.push(Span::styled(format!("· ⚠ {low} low on hours"), theme.warn));
        }
        frame.render_widget(Paragraph::new(Line::from(head)), header);
        let mut widths = Vec::new();
        let mut names = Vec::new();
        if self.staff {
            widths.push(Constraint::Fill(1));
            names.push("Company");
        }
        widths.extend([
            Constraint::Fill(1),
            Constraint::Length(16),
            Constraint::Length(23),
            Constraint::Length(9),
            Constraint::Length(9),
            Constraint::Length(11),
        ]);
        names.extend(["Title", "Kind", "Dates", "Bought", "Used", "Left"]);
        // At 80 columns the kind gives way to the hours.
        if area.width < 100 {
            let skip = usize::from(self.staff) + 1;
            widths[skip] = Constraint::Length(0);
        }
        // Names too long for their column end in "…" rather than mid-word.
        let fit = super::format::column_widths(&widths, body.width);
        let (company_width, title_width) = if self.staff {
            (fit[0], fit[1])
        } else {
            (0, fit[0])
        };
        let rows = self.rows.iter().map(|a| {
            let left = Span::styled(
                format!(
                    "{}{}",
                    short_hours(a.left_minutes),
                    if a.low_hours { " ⚠" } else { "" }
                ),
                if a.low_hours { theme.warn } else { theme.text },
            );
            let mut cells = Vec::new();
            if self.staff {
                cells.push(Cell::from(super::format::fit(
                    &a.company_name,
                    company_width,
                )));
            }
            cells.extend([
                Cell::from(super::format::fit(&a.title, title_width)),
                Cell::from(kind(a.kind())),
                Cell::from(dates(a)),
                Cell::from(short_hours(a.prepaid_minutes)),
                Cell::from(short_hours(a.used_minutes)),
                Cell::from(left),
            ]);
            let style = if a.active { theme.text } else { theme.muted };
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
                ("No agreements.", "Loading agreements…"),
                theme.muted,
            );
        }
        let mut hints = vec!["Enter burn-down"];
        if self.admin(ctx) {
            hints.extend(["n new", "e edit"]);
        }
        if !self.staff {
            hints.push("Esc back");
        }
        let hints = format::hints(&hints, usize::from(footer.width));
        frame.render_widget(Paragraph::new(Line::styled(hints, theme.muted)), footer);
    }
}

/// One agreement: its facts, then the hours left at the end of each month
/// as bars, with the forecast in the chart's title.
fn render_detail(frame: &mut Frame, area: Rect, d: &pb::AgreementDetail, ctx: &Ctx, admin: bool) {
    let theme = ctx.theme;
    let a = d.agreement.clone().unwrap_or_default();
    let [facts, chart, footer] = Layout::vertical([
        Constraint::Length(5),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let covers = if a.work_type_names.is_empty() {
        "no work types".to_owned()
    } else {
        a.work_type_names.join(", ")
    };
    let renews = renewal(&a);
    let left_style = if a.low_hours { theme.warn } else { theme.ok };
    let lines = vec![
        Line::from(vec![
            Span::styled(format!(" {} ", a.title), theme.title),
            Span::styled(
                format!("· {} · {}", kind(a.kind()), a.company_name),
                theme.muted,
            ),
        ]),
        Line::styled(
            format!(
                " {} · {renews} · {} a month",
                dates(&a),
                money(a.monthly_amount_cents)
            ),
            theme.text,
        ),
        Line::from(vec![
            Span::styled(
                format!(
                    " Hours bought {} · used {} · ",
                    hours(a.prepaid_minutes),
                    hours(a.used_minutes)
                ),
                theme.text,
            ),
            Span::styled(
                format!(
                    "left {}{}",
                    hours(a.left_minutes),
                    if a.low_hours { " ⚠ running low" } else { "" }
                ),
                left_style,
            ),
        ]),
        Line::styled(
            format::fit(&format!(" Covers {covers}"), usize::from(facts.width)),
            theme.muted,
        ),
        Line::styled(
            forecast(d),
            if a.low_hours {
                theme.warn
            } else {
                theme.accent
            },
        ),
    ];
    frame.render_widget(Paragraph::new(lines), facts);
    let block = Block::bordered()
        .border_style(theme.border)
        .title(Line::from(vec![
            Span::styled(" Hours left at each month's end ", theme.title),
            Span::styled("· forecast dimmed ", theme.muted),
        ]));
    if d.burn_down.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(" No months yet.", theme.muted)).block(block),
            chart,
        );
    } else {
        // The months so far, then the forecast (dimmed) until the hours
        // run out; the latest that fit, each bar at least 3 wide.
        let mut months: Vec<(String, i64, bool)> = d
            .burn_down
            .iter()
            .map(|m| (m.month.clone(), m.left_minutes, false))
            .collect();
        months.extend(projection(d));
        let inner = chart.width.saturating_sub(2);
        let fit = usize::from((inner / 4).max(1));
        let months = &months[months.len().saturating_sub(fit)..];
        let bar_width = (inner / months.len().max(1) as u16)
            .saturating_sub(1)
            .clamp(3, 7);
        let bars: Vec<Bar> = months
            .iter()
            .map(|(month, left, forecast)| {
                Bar::default()
                    .value(left.max(&0).unsigned_abs() / 60)
                    .text_value(format!("{}", left / 60))
                    .label(Line::from(format::month_label(month, bar_width)))
                    .style(if *forecast { theme.muted } else { theme.bar })
            })
            .collect();
        let widget = BarChart::default()
            .block(block)
            .data(BarGroup::default().bars(&bars))
            .bar_width(bar_width)
            .bar_gap(1);
        frame.render_widget(widget, chart);
    }
    let mut hints = vec!["Esc back"];
    if admin {
        hints.push("e edit");
    }
    let hints = format::hints(&hints, usize::from(footer.width));
    frame.render_widget(Paragraph::new(Line::styled(hints, theme.muted)), footer);
}

/// The months after the last one at the recent rate of use, until the
/// hours run out (a year at most): (month, minutes left, forecast).
fn projection(d: &pb::AgreementDetail) -> Vec<(String, i64, bool)> {
    let rate = d.recent_minutes_per_month;
    let Some(last) = d.burn_down.last() else {
        return Vec::new();
    };
    if rate <= 0 || d.runs_out_on.is_empty() {
        return Vec::new();
    }
    let mut month = last.month.clone();
    let mut left = last.left_minutes;
    let mut months = Vec::new();
    while left > 0 && months.len() < 12 {
        let Some(next) = super::billing::shift_month(&month, 1) else {
            break;
        };
        left = (left - rate).max(0);
        month = next;
        months.push((month.clone(), left, true));
    }
    months
}

/// The forecast as a sentence.
fn forecast(d: &pb::AgreementDetail) -> String {
    let rate = hours(d.recent_minutes_per_month);
    if d.runs_out_on.is_empty() {
        if d.recent_minutes_per_month > 0 {
            format!(" Using {rate} a month lately")
        } else {
            " No recent use: no run-out forecast".to_owned()
        }
    } else {
        format!(
            " At {rate} a month (last 3 months) the hours run out about {}",
            d.runs_out_on
        )
    }
}

/// A zero amount or count shows as an empty field.
fn none_empty(value: i64, show: impl Fn(i64) -> String) -> String {
    if value == 0 {
        String::new()
    } else {
        show(value)
    }
}

/// An empty field means zero; anything else must parse.
fn empty_none(text: &str, parse: impl Fn(&str) -> Option<i64>) -> Option<i64> {
    if text.trim().is_empty() {
        Some(0)
    } else {
        parse(text)
    }
}

/// The agreement the form says, or its fields marked.
fn agreement_request(
    form: &mut Form,
    id: i64,
    companies: &[(i64, i64)],
    types: &[i64],
) -> Option<BillingCall> {
    use AgreementField as F;
    form.clear_errors();
    form.check_required();
    let start_date = check_date(form, F::Start);
    let end_date = check_date(form, F::End);
    let monthly = empty_none(&form.text(F::Monthly), parse_money);
    if monthly.is_none() {
        form.set_error(F::Monthly, "an amount like 1,200.00");
    }
    let prepaid = empty_none(&form.text(F::Hours), |t| t.parse::<i64>().ok());
    if prepaid.is_none() {
        form.set_error(F::Hours, "whole hours, like 20");
    }
    let company_id = companies
        .iter()
        .find(|(i, _)| *i == form.choice(F::Company) as i64)
        .map(|(_, id)| *id);
    if company_id.is_none() {
        form.set_error(F::Company, "no company to choose");
    }
    if form.has_errors() {
        return None;
    }
    let kind = KINDS
        .get(form.choice(F::Kind))
        .map_or(AgreementKind::Other, |(k, _)| *k);
    Some(BillingCall::SaveAgreement {
        id,
        input: pb::AgreementInput {
            company_id: company_id.unwrap_or_default(),
            title: form.text(F::Title),
            kind: kind.into(),
            start_date,
            end_date,
            monthly_amount_cents: monthly.unwrap_or_default(),
            prepaid_minutes: prepaid.unwrap_or_default().saturating_mul(60),
            work_type_ids: types
                .iter()
                .copied()
                .filter(|t| form.on(F::WorkType(*t)))
                .collect(),
            renews: form.on(F::Renews),
        },
    })
}
