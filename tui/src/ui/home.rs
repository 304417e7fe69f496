//! Home: welcome, alerts, statistics, tickets by month and open tickets.

use crossterm::event::{KeyCode, KeyEvent};
use portal_proto::pb;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, List, ListItem, ListState, Paragraph};

use super::{Ctx, Effects, HelpLines, Nav, Screen, TabId, format, help_line, plain_help};
use crate::action::{ListId, Reply, ReportCall, TicketCall};
use crate::keys::Cmd;

/// How many open tickets Home asks for.
const OPEN_ON_HOME: u32 = 20;

#[derive(Debug, Clone, Default)]
pub struct Home {
    pub stats: Option<pb::TicketStats>,
    pub open: Vec<pb::Ticket>,
    pub open_total: u64,
    pub selected: usize,
    pub seq: u64,
}

/// One selectable line of Home.
enum Item<'a> {
    Waiting(u64),
    Ticket(&'a pb::Ticket),
}

impl Home {
    pub fn load(&mut self, fx: &mut Effects) {
        self.seq += 1;
        fx.send(ReportCall::Stats);
        fx.send(TicketCall::List {
            list: ListId::Home,
            seq: self.seq,
            append: false,
            query: pb::ListTicketsRequest {
                status_group: pb::StatusGroup::Open.into(),
                sort: pb::TicketSort::Updated.into(),
                descending: true,
                page: Some(pb::PageRequest {
                    page_size: OPEN_ON_HOME,
                    cursor: String::new(),
                }),
                ..Default::default()
            },
        });
    }

    fn items(&self) -> Vec<Item<'_>> {
        let mut items = Vec::new();
        if let Some(stats) = &self.stats
            && stats.awaiting_client > 0
        {
            items.push(Item::Waiting(stats.awaiting_client));
        }
        items.extend(self.open.iter().map(Item::Ticket));
        items
    }

    fn alert_line(&self, ctx: &Ctx) -> Line<'static> {
        let theme = ctx.theme;
        match &self.stats {
            None => Line::styled(" Loading…", theme.muted),
            Some(s) if s.awaiting_client > 0 => Line::from(vec![
                Span::styled(" ⚠ ", theme.warn),
                Span::styled(
                    format!(
                        "{} ticket{} waiting on {}",
                        s.awaiting_client,
                        if s.awaiting_client == 1 {
                            " is"
                        } else {
                            "s are"
                        },
                        if ctx.is_staff() { "clients" } else { "you" }
                    ),
                    theme.warn,
                ),
            ]),
            Some(_) => Line::styled(" ✓ Nothing needs your attention", theme.ok),
        }
    }

    fn render_stats(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let block = Block::bordered()
            .border_style(theme.border)
            .title(Line::styled(" Tickets ", theme.title));
        let row = |label: &str, value: Option<u64>| {
            Line::from(vec![
                Span::styled(format!(" {label:<12}"), theme.muted),
                Span::styled(
                    value.map_or_else(|| "…".to_owned(), |v| format!("{v:>6}")),
                    theme.accent,
                ),
            ])
        };
        let s = self.stats.as_ref();
        let lines = vec![
            row("Open", s.map(|s| s.open)),
            row("Waiting", s.map(|s| s.awaiting_client)),
            row("This month", s.map(|s| s.created_this_month)),
            row("This year", s.map(|s| s.created_this_year)),
        ];
        frame.render_widget(Paragraph::new(lines).block(block), area);
    }

    fn render_chart(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let block = Block::bordered()
            .border_style(theme.border)
            .title(Line::styled(" Created by month ", theme.title));
        let Some(stats) = &self.stats else {
            frame.render_widget(block, area);
            return;
        };
        let inner_width = area.width.saturating_sub(2);
        let months = stats.by_month.len().max(1) as u16;
        let bar_width = (inner_width / months).saturating_sub(1).clamp(1, 5);
        let bars: Vec<Bar> = stats
            .by_month
            .iter()
            .map(|m| {
                Bar::default()
                    .value(m.created)
                    .label(Line::from(format::month_label(&m.month, bar_width)))
                    .style(theme.bar)
                    .value_style(theme.selected)
            })
            .collect();
        let chart = BarChart::default()
            .block(block)
            .data(BarGroup::default().bars(&bars))
            .bar_width(bar_width)
            .bar_gap(1);
        frame.render_widget(chart, area);
    }

    fn render_list(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let title = format!(" Open tickets ({}) ", self.open_total);
        let block = Block::bordered()
            .border_style(theme.border)
            .title(Line::styled(title, theme.title));
        let width = usize::from(area.width.saturating_sub(4));
        let items: Vec<ListItem> = self
            .items()
            .iter()
            .map(|item| match item {
                Item::Waiting(n) => ListItem::new(Line::styled(
                    format!(
                        "⚠ {n} waiting on {} — Enter lists them",
                        if ctx.is_staff() { "clients" } else { "you" }
                    ),
                    theme.warn,
                )),
                Item::Ticket(t) => {
                    let status = format::status(t.status());
                    let updated = format::short_time(t.updated_at.as_ref(), ctx.now, ctx.tz);
                    let head = format!("#{:<6}", t.number);
                    let tail = format!(" {status:<17} {updated:>10}");
                    let title_width = width.saturating_sub(head.len() + tail.chars().count());
                    ListItem::new(Line::from(vec![
                        Span::styled(head, theme.accent),
                        Span::styled(
                            format!("{:<title_width$}", format::fit(&t.title, title_width)),
                            theme.text,
                        ),
                        Span::styled(tail, theme.muted),
                    ]))
                }
            })
            .collect();
        let mut state =
            ListState::default().with_selected((!items.is_empty()).then_some(self.selected));
        let empty = items.is_empty();
        let list = List::new(items)
            .block(block)
            .highlight_style(theme.selected);
        frame.render_stateful_widget(list, area, &mut state);
        if empty && self.stats.is_some() {
            let inner = Rect {
                x: area.x + 2,
                y: area.y + 1,
                width: area.width.saturating_sub(4),
                height: 1,
            };
            frame.render_widget(
                Paragraph::new(Line::styled("No open tickets. n raises one.", theme.muted)),
                inner,
            );
        }
    }
}

impl Screen for Home {
    fn title(&self) -> &'static str {
        "Home"
    }

    fn help(&self, ctx: &Ctx) -> HelpLines {
        vec![
            plain_help("↑/↓ j/k", "move"),
            plain_help("Enter", "open the alert or ticket"),
            help_line(ctx.keys, Cmd::NewTicket, "new ticket"),
            help_line(ctx.keys, Cmd::Refresh, "refresh"),
        ]
    }

    fn handle_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        let count = self.items().len();
        match key.code {
            _ if ctx.keys.is(Cmd::Down, key) => {
                self.selected = (self.selected + 1).min(count.saturating_sub(1));
            }
            _ if ctx.keys.is(Cmd::Up, key) => self.selected = self.selected.saturating_sub(1),
            KeyCode::Enter => match self.items().get(self.selected) {
                Some(Item::Waiting(_)) => fx.nav = Some(Nav::TicketsWaiting),
                Some(Item::Ticket(t)) => fx.nav = Some(Nav::OpenTicket(t.number)),
                None => fx.nav = Some(Nav::Tab(TabId::Tickets)),
            },
            _ if ctx.keys.is(Cmd::NewTicket, key) => fx.nav = Some(Nav::NewTicket),
            _ if ctx.keys.is(Cmd::Refresh, key) => self.load(fx),
            _ => return false,
        }
        true
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let [welcome, top, list] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Length(9),
            Constraint::Fill(1),
        ])
        .areas(area);
        let company = if ctx.me.company_name.is_empty() {
            String::new()
        } else {
            format!(" · {}", ctx.me.company_name)
        };
        let greeting = vec![
            Line::from(vec![
                Span::styled(format!(" Welcome, {}", ctx.me.display_name), theme.title),
                Span::styled(company, theme.muted),
            ]),
            self.alert_line(ctx),
        ];
        frame.render_widget(Paragraph::new(greeting), welcome);

        let [stats_area, chart_area] =
            Layout::horizontal([Constraint::Length(24), Constraint::Fill(1)]).areas(top);
        self.render_stats(frame, stats_area, ctx);
        self.render_chart(frame, chart_area, ctx);
        self.render_list(frame, list, ctx);
    }

    fn on_reply(&mut self, reply: &Reply, _ctx: &Ctx, _fx: &mut Effects) {
        match reply {
            Reply::Stats(stats) => self.stats = Some(stats.clone()),
            Reply::Tickets {
                list: ListId::Home,
                seq,
                page,
                ..
            } if *seq == self.seq => {
                self.open_total = page.total;
                self.open.clone_from(&page.tickets);
            }
            _ => {}
        }
    }

    fn refresh(&mut self, fx: &mut Effects) {
        self.load(fx);
    }
}
