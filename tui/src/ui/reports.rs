//! Reports: one report of `ReportService.GetReport` at a time
//! (docs/REPORTS.md), as a chart and a table, for a period and, for staff,
//! a company; `x` saves it as CSV.

use crossterm::event::{KeyCode, KeyEvent};
use portal_proto::pb;
use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Bar, BarChart, BarGroup, Block, Cell, Chart, Dataset, GraphType, Paragraph, Row, Table,
};

use super::form::{Field, Form};
use super::popup::{Popup, PromptField, PromptPopup, Submit, Then, expand_home};
use super::{Ctx, Effects, HelpLines, Screen, format, help_line, plain_help};
use crate::action::{ApiError, Reply, ReportCall, Request};
use crate::keys::Cmd;

/// Every report, in the order `[` and `]` step through them, with its
/// name on screen and on the command line.
pub const KINDS: [(pb::ReportKind, &str, &str); 16] = [
    (
        pb::ReportKind::RequestsByMonth,
        "Service requests, this year and last",
        "requests",
    ),
    (pb::ReportKind::ByStatus, "Tickets by status", "by-status"),
    (
        pb::ReportKind::ByPriority,
        "Tickets by priority",
        "by-priority",
    ),
    (
        pb::ReportKind::ByServiceType,
        "Tickets by service type",
        "by-service",
    ),
    (pb::ReportKind::BySite, "Tickets by site", "by-site"),
    (
        pb::ReportKind::ByContact,
        "Tickets by contact",
        "by-contact",
    ),
    (
        pb::ReportKind::SlaByMonth,
        "SLA compliance by month",
        "sla-monthly",
    ),
    (
        pb::ReportKind::SlaByPriority,
        "SLA compliance by priority",
        "sla-priority",
    ),
    (
        pb::ReportKind::ResponseTimes,
        "Response and resolution times",
        "times",
    ),
    (pb::ReportKind::OpenAging, "Open tickets by age", "aging"),
    (
        pb::ReportKind::AgreementHours,
        "Agreement hours by month",
        "agreement-hours",
    ),
    (
        pb::ReportKind::InvoiceAging,
        "Invoice aging",
        "invoice-aging",
    ),
    (pb::ReportKind::TimeLogged, "Time logged (staff)", "time"),
    (
        pb::ReportKind::SatisfactionByMonth,
        "Customer satisfaction by month",
        "satisfaction",
    ),
    (
        pb::ReportKind::SatisfactionByTechnician,
        "Customer satisfaction by technician (staff)",
        "satisfaction-technicians",
    ),
    (
        pb::ReportKind::SatisfactionByCompany,
        "Customer satisfaction by company (staff)",
        "satisfaction-companies",
    ),
];

/// Which popup's answer `on_answer` gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Picking {
    Report,
    Company,
}

#[derive(Debug, Clone, Default)]
pub struct Reports {
    /// Index into `KINDS`.
    pub kind: usize,
    /// The period asked for, as typed (empty: the server's default).
    pub from: String,
    pub to: String,
    /// Staff: the company (0 = all) and its name.
    pub company: (i64, String),
    pub report: Option<pb::Report>,
    /// The first table row shown.
    pub offset: usize,
    picking: Option<Picking>,
}

impl Reports {
    pub fn request(&self) -> pb::ReportRequest {
        pb::ReportRequest {
            kind: KINDS[self.kind].0.into(),
            from: self.from.clone(),
            to: self.to.clone(),
            company_id: self.company.0,
        }
    }

    pub fn load(&self, fx: &mut Effects) {
        fx.send(ReportCall::Get(self.request()));
    }

    /// The reports `ctx`'s caller may ask for, as indexes into `KINDS`:
    /// staff time is staff's; money (agreements, invoices) is client
    /// Managers' and Admins' and provider Admins'.
    fn kinds(ctx: &Ctx) -> Vec<usize> {
        let money = !ctx.is_staff() || ctx.is_admin();
        (0..KINDS.len())
            .filter(|&i| match KINDS[i].0 {
                pb::ReportKind::TimeLogged
                | pb::ReportKind::SatisfactionByTechnician
                | pb::ReportKind::SatisfactionByCompany => ctx.is_staff(),
                pb::ReportKind::AgreementHours | pb::ReportKind::InvoiceAging => money,
                _ => true,
            })
            .collect()
    }

    fn step(&mut self, by: isize, ctx: &Ctx, fx: &mut Effects) {
        let kinds = Self::kinds(ctx);
        let n = kinds.len();
        let at = kinds.iter().position(|&k| k == self.kind).unwrap_or(0);
        self.kind = kinds[(at + n).wrapping_add_signed(by) % n];
        self.offset = 0;
        self.load(fx);
    }

    fn period_popup(&self) -> Popup {
        let base = self.request();
        Popup::Prompt(
            PromptPopup::new(
                "Period",
                Submit::send(move |form: &mut Form| {
                    Some(ReportCall::Get(pb::ReportRequest {
                        from: form.raw(PromptField::From).trim().to_owned(),
                        to: form.raw(PromptField::To).trim().to_owned(),
                        ..base.clone()
                    }))
                }),
                vec![
                    Field::line(PromptField::From, "From", &self.from),
                    Field::line(PromptField::To, "To", &self.to),
                ],
            )
            .hint("YYYY-MM or YYYY-MM-DD; empty: the last twelve months"),
        )
    }

    fn export_popup(report: &pb::Report) -> Popup {
        let (header, rows) = cells(report, Shown::Csv);
        let mut csv = csv_line(&header);
        for row in &rows {
            csv.push_str(&csv_line(row));
        }
        let name = KINDS
            .iter()
            .find(|k| i32::from(k.0) == report.kind)
            .map_or("report", |k| k.2);
        Popup::Prompt(
            PromptPopup::new(
                "Export as CSV",
                Submit::send(move |form: &mut Form| {
                    let path = expand_home(form.raw(PromptField::Path).trim());
                    if path.is_empty() {
                        form.set_error(PromptField::Path, "where to?");
                        return None;
                    }
                    Some(ReportCall::SaveCsv {
                        csv: csv.clone(),
                        path: path.into(),
                    })
                }),
                vec![Field::line(
                    PromptField::Path,
                    "Save as",
                    &format!("~/{name}-{}-{}.csv", report.from, report.to),
                )],
            )
            .hint("Tab completes the path; an existing file is never overwritten")
            .with_path_completion(),
        )
    }

    fn company_popup(&mut self, ctx: &Ctx) -> Popup {
        self.picking = Some(Picking::Company);
        let mut items = vec![("All companies".to_owned(), Then::Answer(0))];
        items.extend(
            ctx.catalog
                .companies
                .iter()
                .enumerate()
                .map(|(i, c)| (c.name.clone(), Then::Answer(i + 1))),
        );
        let selected = ctx
            .catalog
            .companies
            .iter()
            .position(|c| c.id == self.company.0)
            .map_or(0, |i| i + 1);
        Popup::pick("Company", items).selecting(selected)
    }
}

impl Screen for Reports {
    fn title(&self) -> &'static str {
        "Reports"
    }

    fn help(&self, ctx: &Ctx) -> HelpLines {
        let mut lines = vec![
            plain_help("[ ]  ← →", "previous or next report"),
            plain_help("enter", "choose a report"),
            plain_help("p", "period"),
        ];
        if ctx.is_staff() {
            lines.push(plain_help("c", "company"));
        }
        lines.extend([
            help_line(ctx.keys, Cmd::Down, "scroll the table"),
            help_line(ctx.keys, Cmd::Export, "export as CSV"),
            help_line(ctx.keys, Cmd::Refresh, "refresh"),
        ]);
        lines
    }

    fn handle_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        let keys = ctx.keys;
        match key.code {
            KeyCode::Char(']') | KeyCode::Right => self.step(1, ctx, fx),
            KeyCode::Char('[') | KeyCode::Left => self.step(-1, ctx, fx),
            KeyCode::Enter => {
                self.picking = Some(Picking::Report);
                let kinds = Self::kinds(ctx);
                let items = kinds
                    .iter()
                    .map(|&i| (KINDS[i].1.to_owned(), Then::Answer(i)))
                    .collect();
                let at = kinds.iter().position(|&k| k == self.kind).unwrap_or(0);
                fx.popup = Some(Popup::pick("Report", items).selecting(at));
            }
            KeyCode::Char('p') => fx.popup = Some(self.period_popup()),
            KeyCode::Char('c') if ctx.is_staff() => fx.popup = Some(self.company_popup(ctx)),
            _ if keys.is(Cmd::Export, key) => match &self.report {
                Some(_) if !fx.may_use_files() => {}
                Some(r) => fx.popup = Some(Self::export_popup(r)),
                None => fx.info("Nothing to export yet"),
            },
            _ if keys.is(Cmd::Refresh, key) => self.load(fx),
            _ if keys.is(Cmd::Down, key) => self.offset += 1,
            _ if keys.is(Cmd::Up, key) => self.offset = self.offset.saturating_sub(1),
            _ if keys.is(Cmd::Top, key) => self.offset = 0,
            _ => return false,
        }
        true
    }

    fn on_answer(&mut self, answer: usize, ctx: &Ctx, fx: &mut Effects) {
        match self.picking.take() {
            Some(Picking::Report) => {
                if Self::kinds(ctx).contains(&answer) {
                    self.kind = answer;
                }
                self.offset = 0;
            }
            Some(Picking::Company) => {
                self.company = match answer.checked_sub(1) {
                    Some(i) => ctx
                        .catalog
                        .companies
                        .get(i)
                        .map(|c| (c.id, c.name.clone()))
                        .unwrap_or_default(),
                    None => (0, String::new()),
                };
            }
            None => return,
        }
        self.load(fx);
    }

    fn on_reply(&mut self, reply: &Reply, _ctx: &Ctx, fx: &mut Effects) {
        match reply {
            Reply::Report { request, report } => {
                // Only the report on show: the period prompt's answer too,
                // not one overtaken by another key.
                let current = self.request();
                if request.kind != current.kind || request.company_id != current.company_id {
                    return;
                }
                self.from.clone_from(&request.from);
                self.to.clone_from(&request.to);
                self.report = Some(report.clone());
                fx.close_prompt = true;
            }
            Reply::Downloaded { path, bytes } if path.extension().is_some_and(|e| e == "csv") => {
                fx.close_prompt = true;
                fx.ok(format::saved(path, *bytes));
            }
            _ => {}
        }
    }

    fn on_failed(&mut self, request: &Request, error: &ApiError, fx: &mut Effects) {
        if let Request::Report(ReportCall::Get(_)) = request {
            fx.error(error.message.clone());
        }
    }

    fn refresh(&mut self, fx: &mut Effects) {
        self.load(fx);
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let [title, about, body] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Fill(1),
        ])
        .areas(area);
        let (kind_title, period) = match &self.report {
            Some(r) => (r.title.clone(), format!("{} – {}", r.from, r.to)),
            None => (KINDS[self.kind].1.to_owned(), "…".to_owned()),
        };
        frame.render_widget(
            Paragraph::new(Line::styled(format!(" {kind_title}"), theme.title)),
            title,
        );
        let hints = if ctx.is_staff() {
            "[ ] report  p period  c company  x CSV "
        } else {
            "[ ] report  p period  x CSV "
        };
        if title.width as usize > kind_title.chars().count() + hints.len() + 2 {
            frame.render_widget(
                Paragraph::new(Line::styled(hints, theme.muted).right_aligned()),
                title,
            );
        }
        let mut spans = vec![
            Span::styled(" Period ", theme.muted),
            Span::styled(period, theme.accent),
        ];
        if ctx.is_staff() {
            let company = if self.company.0 == 0 {
                "all companies"
            } else {
                &self.company.1
            };
            spans.push(Span::styled("   Company ", theme.muted));
            spans.push(Span::styled(company.to_owned(), theme.accent));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), about);
        let Some(report) = &self.report else {
            frame.render_widget(
                Paragraph::new(Line::styled(" Loading the report…", theme.muted)),
                body,
            );
            return;
        };
        let rows = report.rows.len() as u16;
        // Bars take the room they need, lines half the screen; the table
        // the rest.
        let chart_height = match report.kind() {
            pb::ReportKind::RequestsByMonth
            | pb::ReportKind::SlaByMonth
            | pb::ReportKind::SatisfactionByMonth => body.height / 2,
            _ => (rows + 2).clamp(3, body.height / 2),
        };
        let [chart, table] =
            Layout::vertical([Constraint::Length(chart_height), Constraint::Fill(1)]).areas(body);
        let table_height = table.height;
        render_chart(frame, chart, report, ctx);
        self.offset = self.offset.min(
            report
                .rows
                .len()
                .saturating_sub(usize::from(table_height.saturating_sub(4))),
        );
        render_table(frame, table, report, self.offset, ctx);
    }
}

/// How values are written: for people (the tab, the CLI's table) or for
/// spreadsheets (CSV: plain numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Screen,
    Csv,
}

/// One value of a column of `unit`: minutes as h:mm on screen, basis
/// points as a percentage with two decimals, cents and hundredths (an
/// average score) with two.
pub fn value(v: i64, unit: pb::ReportUnit, style: Shown) -> String {
    let hundredths = |v: i64| {
        let sign = if v < 0 { "-" } else { "" };
        format!("{sign}{}.{:02}", v.abs() / 100, v.abs() % 100)
    };
    match (unit, style) {
        (pb::ReportUnit::BasisPoints, Shown::Screen) => format!("{}%", hundredths(v)),
        (pb::ReportUnit::BasisPoints | pb::ReportUnit::Cents | pb::ReportUnit::Hundredths, _) => {
            hundredths(v)
        }
        (pb::ReportUnit::Minutes, Shown::Screen) => format!("{}:{:02}", v / 60, v.abs() % 60),
        _ => v.to_string(),
    }
}

/// The header and rows of a report as text.
pub fn cells(report: &pb::Report, style: Shown) -> (Vec<String>, Vec<Vec<String>>) {
    let labels = report
        .columns
        .iter()
        .filter(|c| c.unit() == pb::ReportUnit::Text)
        .count();
    let header = report
        .columns
        .iter()
        .map(|c| match (c.unit(), style) {
            (pb::ReportUnit::BasisPoints, Shown::Csv) => format!("{} %", c.name),
            (pb::ReportUnit::Minutes, Shown::Csv) => format!("{} (minutes)", c.name),
            _ => c.name.clone(),
        })
        .collect();
    let rows = report
        .rows
        .iter()
        .map(|row| {
            let mut cells = row.labels.clone();
            cells.resize(labels, String::new());
            cells.extend(
                row.values
                    .iter()
                    .zip(&report.columns[labels..])
                    .map(|(v, c)| value(*v, c.unit(), style)),
            );
            cells
        })
        .collect();
    (header, rows)
}

/// A CSV line (RFC 4180 quoting), with its line end.
pub fn csv_line(cells: &[String]) -> String {
    let quoted: Vec<String> = cells
        .iter()
        .map(|c| {
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.clone()
            }
        })
        .collect();
    format!("{}\n", quoted.join(","))
}

/// The value column a report's chart shows: the first, except the share
/// met (SLA by priority), the median response (times), the total (time
/// logged, invoice aging) and the minutes used (agreement hours).
fn charted(report: &pb::Report) -> usize {
    match report.kind() {
        pb::ReportKind::SlaByPriority | pb::ReportKind::TimeLogged => 2,
        pb::ReportKind::InvoiceAging => 5,
        pb::ReportKind::ResponseTimes
        | pb::ReportKind::AgreementHours
        | pb::ReportKind::SatisfactionByTechnician
        | pb::ReportKind::SatisfactionByCompany => 1,
        _ => 0,
    }
}

fn render_chart(frame: &mut Frame, area: Rect, report: &pb::Report, ctx: &Ctx) {
    match report.kind() {
        pb::ReportKind::RequestsByMonth => line_chart(frame, area, report, &[0, 1], ctx),
        pb::ReportKind::SlaByMonth => line_chart(frame, area, report, &[2, 5], ctx),
        // The trend: the average score month by month.
        pb::ReportKind::SatisfactionByMonth => line_chart(frame, area, report, &[1], ctx),
        _ => bar_chart(frame, area, report, ctx),
    }
}

/// The label columns' count: values start after them.
fn label_count(report: &pb::Report) -> usize {
    report
        .columns
        .iter()
        .filter(|c| c.unit() == pb::ReportUnit::Text)
        .count()
}

/// Month by month: one line per value column in `series`.
fn line_chart(frame: &mut Frame, area: Rect, report: &pb::Report, series: &[usize], ctx: &Ctx) {
    let theme = ctx.theme;
    let labels = label_count(report);
    let styles = [theme.bar, theme.ok];
    // An average of no ratings is no point of the trend: such months are
    // left out, and the line joins the months either side.
    let no_ratings = |r: &pb::ReportRow| {
        report.kind() == pb::ReportKind::SatisfactionByMonth && r.values.first() == Some(&0)
    };
    let points: Vec<Vec<(f64, f64)>> = series
        .iter()
        .map(|&s| {
            report
                .rows
                .iter()
                .enumerate()
                .filter(|(_, r)| !no_ratings(r))
                .map(|(i, r)| (i as f64, r.values.get(s).copied().unwrap_or(0) as f64))
                .collect()
        })
        .collect();
    let max = points.iter().flatten().map(|p| p.1).fold(1.0_f64, f64::max);
    let unit = report
        .columns
        .get(labels + series[0])
        .map_or(pb::ReportUnit::Count, pb::ReportColumn::unit);
    // Scores run from 1.00 to 5.00: the whole scale, so the trend reads true.
    let (low, max, low_label) = if unit == pb::ReportUnit::Hundredths {
        (100.0, 500.0, value(100, unit, Shown::Screen))
    } else {
        (0.0, max, "0".to_owned())
    };
    let datasets = series
        .iter()
        .zip(&points)
        .zip(styles)
        .map(|((&s, data), style)| {
            Dataset::default()
                .name(
                    report
                        .columns
                        .get(labels + s)
                        .map_or("", |c| c.name.as_str()),
                )
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(style)
                .data(data)
        })
        .collect();
    // The legend: each line's name in its colour.
    let mut legend = vec![Span::raw(" ")];
    for (&s, style) in series.iter().zip(styles) {
        let name = report
            .columns
            .get(labels + s)
            .map_or("", |c| c.name.as_str());
        legend.push(Span::styled(format!("── {name} "), style));
    }
    let first = report.rows.first().map_or("", |r| r.labels[0].as_str());
    let last = report.rows.last().map_or("", |r| r.labels[0].as_str());
    let chart = Chart::new(datasets)
        .block(
            Block::bordered()
                .border_style(theme.border)
                .title(Line::from(legend)),
        )
        .hidden_legend_constraints((Constraint::Length(0), Constraint::Length(0)))
        .x_axis(
            Axis::default()
                .style(theme.muted)
                .bounds([0.0, report.rows.len().saturating_sub(1).max(1) as f64])
                .labels([first.to_owned(), last.to_owned()]),
        )
        .y_axis(
            Axis::default()
                .style(theme.muted)
                .bounds([low, max])
                .labels([low_label, value(max as i64, unit, Shown::Screen)]),
        );
    frame.render_widget(chart, area);
}

/// One horizontal bar per row, as many as fit.
fn bar_chart(frame: &mut Frame, area: Rect, report: &pb::Report, ctx: &Ctx) {
    let theme = ctx.theme;
    let labels = label_count(report);
    let column = charted(report);
    let unit = report
        .columns
        .get(labels + column)
        .map_or(pb::ReportUnit::Count, pb::ReportColumn::unit);
    let room = usize::from(area.height.saturating_sub(2));
    // The figure goes beside its label, right-aligned, not over the bar,
    // where it hid a short bar and ran into a long one.
    let rows: Vec<(String, String, i64)> = report
        .rows
        .iter()
        .take(room)
        .map(|r| {
            let v = r.values.get(column).copied().unwrap_or(0);
            (r.labels.join(" · "), value(v, unit, Shown::Screen), v)
        })
        .collect();
    let label_width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let value_width = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
    let bars: Vec<Bar> = rows
        .into_iter()
        .map(|(label, shown, v)| {
            Bar::default()
                .value(u64::try_from(v).unwrap_or(0))
                .label(Line::from(format!(
                    "{label:<label_width$} {shown:>value_width$} "
                )))
                .text_value(String::new())
                .style(theme.bar)
        })
        .collect();
    let name = report
        .columns
        .get(labels + column)
        .map_or("", |c| c.name.as_str());
    let chart = BarChart::default()
        .block(
            Block::bordered()
                .border_style(theme.border)
                .title(Line::styled(format!(" {name} "), theme.title)),
        )
        .direction(Direction::Horizontal)
        .bar_width(1)
        .bar_gap(0)
        .data(BarGroup::default().bars(&bars));
    frame.render_widget(chart, area);
}

fn render_table(frame: &mut Frame, area: Rect, report: &pb::Report, offset: usize, ctx: &Ctx) {
    let theme = ctx.theme;
    let (header, rows) = cells(report, Shown::Screen);
    // Headers wrap onto two lines at their first space.
    let split = |h: &str| match h.split_once(' ') {
        Some((a, b)) => (a.to_owned(), b.to_owned()),
        None => (h.to_owned(), String::new()),
    };
    let labels = label_count(report);
    let widths: Vec<Constraint> = header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let (a, b) = split(h);
            let values = rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
            let w = a.chars().count().max(b.chars().count()).max(values) as u16;
            Constraint::Length(if i < labels { w.min(30) } else { w })
        })
        .collect();
    let head = Row::new(header.iter().enumerate().map(|(i, h)| {
        let (a, b) = split(h);
        let align = |s: String| {
            if i < labels {
                Line::from(s)
            } else {
                Line::from(s).right_aligned()
            }
        };
        Cell::from(vec![align(a), align(b)])
    }))
    .height(2)
    .style(theme.title);
    let body = rows.into_iter().skip(offset).map(|r| {
        Row::new(r.into_iter().enumerate().map(|(i, c)| {
            if i < labels {
                Cell::from(c)
            } else {
                Cell::from(Line::from(c).right_aligned())
            }
        }))
    });
    let table = Table::new(body, widths)
        .header(head)
        .column_spacing(1)
        .block(Block::bordered().border_style(theme.border));
    frame.render_widget(table, area);
}
