//! Reports: what `ReportService` serves so far, ticket statistics.

use crossterm::event::KeyEvent;
use portal_proto::pb;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Cell, Paragraph, Row, Table};

use super::{Ctx, Effects, HelpLines, Screen, format, help_line};
use crate::action::{Reply, ReportCall};
use crate::keys::Cmd;

#[derive(Debug, Clone, Default)]
pub struct Reports {
    pub stats: Option<pb::TicketStats>,
}

impl Reports {
    pub fn load(fx: &mut Effects) {
        fx.send(ReportCall::Stats);
    }
}

impl Screen for Reports {
    fn title(&self) -> &'static str {
        "Reports"
    }

    fn help(&self, ctx: &Ctx) -> HelpLines {
        vec![help_line(ctx.keys, Cmd::Refresh, "refresh")]
    }

    fn handle_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        if ctx.keys.is(Cmd::Refresh, key) {
            Self::load(fx);
            return true;
        }
        false
    }

    fn on_reply(&mut self, reply: &Reply, _ctx: &Ctx, _fx: &mut Effects) {
        if let Reply::Stats(stats) = reply {
            self.stats = Some(stats.clone());
        }
    }

    fn refresh(&mut self, fx: &mut Effects) {
        Self::load(fx);
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let Some(stats) = &self.stats else {
            frame.render_widget(
                Paragraph::new(Line::styled(" Loading statistics…", theme.muted)),
                area,
            );
            return;
        };
        let [chart, bottom] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(11)]).areas(area);
        render_chart(frame, chart, stats, ctx);

        let [totals, by_status] =
            Layout::horizontal([Constraint::Length(30), Constraint::Fill(1)]).areas(bottom);
        let row = |label: &str, value: u64| {
            Line::from(vec![
                Span::styled(format!(" {label:<18}"), theme.muted),
                Span::styled(format!("{value:>7}"), theme.accent),
            ])
        };
        let created: u64 = stats.by_month.iter().map(|m| m.created).sum();
        let completed: u64 = stats.by_month.iter().map(|m| m.completed).sum();
        frame.render_widget(
            Paragraph::new(vec![
                row("Open now", stats.open),
                row("Waiting on client", stats.awaiting_client),
                row("Created this month", stats.created_this_month),
                row("Created this year", stats.created_this_year),
                row(&format!("Created, {} mo.", stats.by_month.len()), created),
                row(
                    &format!("Completed, {} mo.", stats.by_month.len()),
                    completed,
                ),
            ])
            .block(
                Block::bordered()
                    .border_style(theme.border)
                    .title(Line::styled(" Totals ", theme.title)),
            ),
            totals,
        );
        let total: u64 = stats.by_status.iter().map(|s| s.count).sum::<u64>().max(1);
        let room = u64::from(by_status.width.saturating_sub(2 + 19 + 7 + 6));
        let rows = stats.by_status.iter().map(|s| {
            // Rounded to the nearest: 1 of 34 is 3%.
            let share = (s.count * 100 + total / 2) / total;
            let bar = "█".repeat((share * room / 100) as usize);
            Row::new(vec![
                Cell::from(format::status(s.status())),
                Cell::from(format!("{:>6}", s.count)),
                Cell::from(Span::styled(format!("{bar} {share}%"), theme.bar)),
            ])
        });
        let table = Table::new(
            rows,
            [
                Constraint::Length(19),
                Constraint::Length(7),
                Constraint::Fill(1),
            ],
        )
        .block(
            Block::bordered()
                .border_style(theme.border)
                .title(Line::styled(" By status ", theme.title)),
        );
        frame.render_widget(table, by_status);
    }
}

/// Created and completed side by side per month, the latest months that
/// fit (the current one always), told apart by place as well as colour,
/// and no numbers drawn over the bars: the latest month's are in the title.
fn render_chart(frame: &mut Frame, area: Rect, stats: &pb::TicketStats, ctx: &Ctx) {
    let theme = ctx.theme;
    let inner = area.width.saturating_sub(2);
    let months = stats.by_month.len().max(1) as u16;
    // A month takes two bars, each followed by a gap, and the gap to the
    // next month.
    let bar_width = ((inner / months).saturating_sub(3) / 2).clamp(1, 4);
    let shown = usize::from(inner / (2 * bar_width + 3)).min(stats.by_month.len());
    let skip = stats.by_month.len() - shown;
    let bar = |value: u64, style| {
        Bar::default()
            .value(value)
            .style(style)
            .text_value(String::new())
    };
    let groups: Vec<BarGroup> = stats
        .by_month
        .iter()
        .skip(skip)
        .map(|m| {
            BarGroup::default()
                .label(Line::from(format::month_label(&m.month, bar_width * 2 + 1)))
                .bars(&[bar(m.created, theme.bar), bar(m.completed, theme.ok)])
        })
        .collect();
    let mut title = vec![
        Span::styled(" By month: ", theme.title),
        Span::styled("left ▌ created", theme.bar),
        Span::styled(" · ", theme.muted),
        Span::styled("right ▐ completed ", theme.ok),
    ];
    if let Some(last) = stats.by_month.last() {
        title.push(Span::styled(
            format!(
                "· {}: {} / {} ",
                format::month_label(&last.month, 3),
                last.created,
                last.completed
            ),
            theme.muted,
        ));
    }
    let mut barchart = BarChart::default()
        .block(
            Block::bordered()
                .border_style(theme.border)
                .title(Line::from(title)),
        )
        .bar_width(bar_width)
        .bar_gap(1)
        .group_gap(1);
    for group in groups {
        barchart = barchart.data(group);
    }
    frame.render_widget(barchart, area);
}
