//! Home: welcome, alerts, statistics, tickets by month and open tickets;
//! for client Managers and Admins also unpaid invoices, the amount due,
//! agreements running low on prepaid hours and subscriptions renewing
//! within 90 days.

use crossterm::event::{KeyCode, KeyEvent};
use portal_proto::pb;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, List, ListItem, ListState, Paragraph};

use super::form::{Field, Form};
use super::popup::{Popup, PromptField, PromptPopup, Submit};
use super::{
    Ctx, Effects, HelpLines, Nav, Screen, TabId, format, help_line, moved, plain_help, ticket_work,
};
use crate::action::{
    ApiError, BillingCall, BillingReply, ListId, Reply, ReportCall, Request, TicketCall, WorkCall,
};
use crate::keys::Cmd;
use crate::money::money;
use crate::page_size::PageSize;

/// Ask for the next page when the selection is this close to the end.
const PREFETCH: usize = 10;

#[derive(Debug, Clone, Default)]
pub struct Home {
    pub stats: Option<pb::TicketStats>,
    pub open: Vec<pb::Ticket>,
    pub open_total: u64,
    /// Where the next page of open tickets starts; empty on the last.
    pub next_cursor: String,
    pub loading: bool,
    pub selected: usize,
    pub seq: u64,
    /// Where the list's lines were last drawn, and the first one shown,
    /// for mouse clicks.
    pub rows_area: Rect,
    pub offset: usize,
    /// A client Manager or Admin: estimates wait for its decision.
    pub decides_estimates: bool,
    pub awaiting_estimates: Vec<pb::Estimate>,
    /// A client Manager or Admin: invoices and agreements are theirs to see.
    pub sees_money: bool,
    pub billing: Option<pb::BillingSummary>,
    /// Open tickets asked for at a time.
    pub page_size: PageSize,
}

/// One selectable line of Home.
enum Item<'a> {
    Waiting(u64),
    /// The caller's closed tickets still to rate.
    ToRate(u64),
    Invoice(&'a pb::Invoice),
    /// More than one invoice to pay: one line for them all, so the open
    /// tickets still have room.
    Invoices(&'a pb::BillingSummary),
    LowHours(&'a pb::Agreement),
    /// A subscription renewing within 90 days.
    Renewal(&'a pb::Subscription),
    Ticket(&'a pb::Ticket),
}

impl Home {
    pub fn load(&mut self, fx: &mut Effects) {
        fx.send(ReportCall::Stats);
        if self.decides_estimates {
            fx.send(WorkCall::Awaiting);
        }
        self.load_money(fx);
        // As many as are loaded, so a refresh keeps the place.
        let size = (self.open.len() as u32).clamp(self.page_size.0, 200);
        self.ask(String::new(), size, fx);
    }

    /// Unpaid invoices and low hours: on entering Home, and after changes.
    pub fn load_money(&self, fx: &mut Effects) {
        if self.sees_money {
            fx.send(BillingCall::Summary);
        }
    }

    fn ask(&mut self, cursor: String, page_size: u32, fx: &mut Effects) {
        self.seq += 1;
        self.loading = true;
        fx.send(TicketCall::List {
            list: ListId::Home,
            seq: self.seq,
            append: !cursor.is_empty(),
            query: pb::ListTicketsRequest {
                status_group: pb::StatusGroup::Open.into(),
                sort: pb::TicketSort::Updated.into(),
                descending: true,
                page: Some(pb::PageRequest { page_size, cursor }),
                ..Default::default()
            },
        });
    }

    /// The next page when the selection nears the end of those loaded.
    fn fetch_more(&mut self, fx: &mut Effects) {
        if !self.loading
            && !self.next_cursor.is_empty()
            && self.selected + PREFETCH >= self.items().len()
        {
            self.ask(self.next_cursor.clone(), self.page_size.0, fx);
        }
    }

    fn items(&self) -> Vec<Item<'_>> {
        let mut items = Vec::new();
        if let Some(stats) = &self.stats
            && stats.awaiting_client > 0
        {
            items.push(Item::Waiting(stats.awaiting_client));
        }
        if let Some(billing) = &self.billing {
            if billing.unpaid.len() > 1 {
                items.push(Item::Invoices(billing));
            } else {
                items.extend(billing.unpaid.iter().map(Item::Invoice));
            }
            items.extend(billing.low_hours.iter().map(Item::LowHours));
            items.extend(billing.renewals.iter().map(Item::Renewal));
        }
        // After what waits on them and what they owe: the tickets to rate.
        if let Some(stats) = &self.stats
            && stats.awaiting_rating > 0
        {
            items.push(Item::ToRate(stats.awaiting_rating));
        }
        items.extend(self.open.iter().map(Item::Ticket));
        items
    }

    fn alert_line(&self, ctx: &Ctx) -> Line<'static> {
        let theme = ctx.theme;
        if let Some(first) = self.awaiting_estimates.first() {
            let n = self.awaiting_estimates.len();
            let text = format!(
                "{n} estimate{} your decision: #{} {} {}",
                if n == 1 { " awaits" } else { "s await" },
                first.ticket_number,
                ticket_work::money(first.amount_cents),
                first.ticket_title
            );
            return Line::from(vec![
                Span::styled(" ⚠ ", theme.warn),
                Span::styled(text, theme.warn),
            ]);
        }
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
            Some(s) if s.awaiting_rating > 0 => Line::from(vec![
                Span::styled(" ★ ", theme.accent),
                Span::styled(rate_text(s.awaiting_rating), theme.accent),
            ]),
            Some(_) => Line::styled(" ✓ Nothing needs your attention", theme.ok),
        }
    }

    /// What is owed, for those who see money.
    fn money_line(&self, ctx: &Ctx) -> Line<'static> {
        let theme = ctx.theme;
        let Some(b) = &self.billing else {
            return Line::styled(" Invoices: loading…", theme.muted);
        };
        if b.unpaid_invoices == 0 {
            return Line::styled(" ✓ No unpaid invoices", theme.ok);
        }
        let mut spans = vec![
            Span::styled(" $ ", theme.accent),
            Span::styled(
                format!(
                    "{} unpaid invoice{} · {} due",
                    b.unpaid_invoices,
                    if b.unpaid_invoices == 1 { "" } else { "s" },
                    money(b.amount_due_cents)
                ),
                theme.accent,
            ),
        ];
        if b.overdue_cents > 0 {
            spans.push(Span::styled(
                format!(" · ⚠ {} overdue", money(b.overdue_cents)),
                theme.warn,
            ));
        }
        Line::from(spans)
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
        // No numbers over the bars: the latest month's is in the title.
        let latest = self
            .stats
            .as_ref()
            .and_then(|s| s.by_month.last())
            .map_or_else(String::new, |m| {
                format!("· {}: {} ", format::month_label(&m.month, 3), m.created)
            });
        let block = Block::bordered()
            .border_style(theme.border)
            .title(Line::from(vec![
                Span::styled(" Created by month ", theme.title),
                Span::styled(latest, theme.muted),
            ]));
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
                    .text_value(String::new())
            })
            .collect();
        let chart = BarChart::default()
            .block(block)
            .data(BarGroup::default().bars(&bars))
            .bar_width(bar_width)
            .bar_gap(1);
        frame.render_widget(chart, area);
    }

    fn render_list(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let title = format!(
            " Open tickets ({}) · times {} ",
            self.open_total,
            format::zone(ctx.tz, ctx.now)
        );
        let block = Block::bordered()
            .border_style(theme.border)
            .title(Line::styled(title, theme.title));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [head, rows] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);
        let width = usize::from(inner.width);
        let (number, title, tail) = columns(width, "#", "Title", "Status", "Updated");
        frame.render_widget(
            Paragraph::new(Line::styled(format!("{number}{title}{tail}"), theme.muted)),
            head,
        );
        let items: Vec<ListItem> = self
            .items()
            .iter()
            .map(|item| list_item(item, ctx, width))
            .collect();
        let empty = items.is_empty();
        let mut state = ListState::default().with_selected((!empty).then_some(self.selected));
        frame.render_stateful_widget(
            List::new(items).highlight_style(theme.selected),
            rows,
            &mut state,
        );
        self.rows_area = rows;
        self.offset = state.offset();
        if empty && self.stats.is_some() {
            frame.render_widget(
                Paragraph::new(Line::styled(" No open tickets. n raises one.", theme.muted)),
                rows,
            );
        }
    }
}

/// The header or a row of the open tickets: number, title, status and
/// when it was updated, laid out in `width` columns.
fn columns(
    width: usize,
    number: &str,
    title: &str,
    status: &str,
    updated: &str,
) -> (String, String, String) {
    let title_width = width.saturating_sub(7 + 1 + 17 + 1 + 10);
    (
        format!("{number:<7}"),
        format!("{:<title_width$}", format::fit(title, title_width)),
        format!(" {status:<17} {updated:>10}"),
    )
}

/// One line of Home's list: an alert or an open ticket.
fn list_item(item: &Item<'_>, ctx: &Ctx, width: usize) -> ListItem<'static> {
    let theme = ctx.theme;
    match item {
        Item::Waiting(n) => ListItem::new(Line::styled(
            format::fit(
                &format!(
                    "⚠ {n} waiting on {} — Enter lists them",
                    if ctx.is_staff() { "clients" } else { "you" }
                ),
                width,
            ),
            theme.warn,
        )),
        Item::ToRate(n) => ListItem::new(Line::styled(
            format::fit(&format!("★ {} — Enter lists them", rate_text(*n)), width),
            theme.accent,
        )),
        Item::Invoice(i) => {
            let overdue = if i.overdue { " · overdue" } else { "" };
            let text = format!(
                "$ Invoice {} · {} to pay · due {}{overdue} — Enter opens it",
                i.number,
                money(i.balance_cents),
                i.due_on
            );
            let style = if i.overdue { theme.warn } else { theme.accent };
            ListItem::new(Line::styled(format::fit(&text, width), style))
        }
        Item::Invoices(b) => {
            let overdue = if b.overdue_cents > 0 {
                format!(" · {} overdue", money(b.overdue_cents))
            } else {
                String::new()
            };
            let text = format!(
                "$ {} invoices to pay · {}{overdue} — Enter lists them",
                b.unpaid_invoices,
                money(b.amount_due_cents)
            );
            let style = if b.overdue_cents > 0 {
                theme.warn
            } else {
                theme.accent
            };
            ListItem::new(Line::styled(format::fit(&text, width), style))
        }
        Item::LowHours(a) => {
            let text = format!(
                "⚠ {}: {} left of {} — Enter shows the burn-down",
                a.title,
                super::agreements::hours(a.left_minutes),
                super::agreements::hours(a.prepaid_minutes)
            );
            ListItem::new(Line::styled(format::fit(&text, width), theme.warn))
        }
        Item::Renewal(s) => {
            let text = format!(
                "↻ {} renews {} · {} — Enter shows subscriptions",
                s.name,
                s.renews_on,
                money(s.term_cents)
            );
            ListItem::new(Line::styled(format::fit(&text, width), theme.accent))
        }
        Item::Ticket(t) => {
            let updated = format::short_time(t.updated_at.as_ref(), ctx.now, ctx.tz);
            let (number, title, tail) = columns(
                width,
                &format!("#{}", t.number),
                &t.title,
                format::status(t.status()),
                &updated,
            );
            ListItem::new(Line::from(vec![
                Span::styled(number, theme.accent),
                Span::styled(title, theme.text),
                Span::styled(tail, theme.muted),
            ]))
        }
    }
}

impl Screen for Home {
    fn title(&self) -> &'static str {
        "Home"
    }

    fn help(&self, ctx: &Ctx) -> HelpLines {
        vec![
            plain_help("↑/↓ j/k PgUp/PgDn", "move; more tickets load as you go"),
            plain_help("g/G Home/End", "first / last loaded"),
            plain_help("Enter", "open the alert or ticket"),
            help_line(ctx.keys, Cmd::NewTicket, "new ticket"),
            help_line(
                ctx.keys,
                Cmd::Chat,
                "chat with us: a live conversation, kept on a new ticket",
            ),
            help_line(ctx.keys, Cmd::Refresh, "refresh"),
            help_line(ctx.keys, Cmd::PageSize, "open tickets a page: 25, 50, 100"),
        ]
    }

    fn handle_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        if let Some(to) = moved(ctx.keys, key, self.selected, self.items().len(), 10) {
            self.selected = to;
            self.fetch_more(fx);
            return true;
        }
        match key.code {
            KeyCode::Enter => match self.items().get(self.selected) {
                Some(Item::Waiting(_)) => fx.nav = Some(Nav::TicketsWaiting),
                Some(Item::ToRate(_)) => fx.nav = Some(Nav::TicketsToRate),
                Some(Item::Invoice(i)) => fx.nav = Some(Nav::OpenInvoice(i.number)),
                Some(Item::Invoices(_)) => fx.nav = Some(Nav::UnpaidInvoices),
                Some(Item::LowHours(a)) => fx.nav = Some(Nav::OpenAgreement(a.id)),
                Some(Item::Renewal(_)) => fx.nav = Some(Nav::Subscriptions),
                Some(Item::Ticket(t)) => fx.nav = Some(Nav::OpenTicket(t.number)),
                None => fx.nav = Some(Nav::Tab(TabId::Tickets)),
            },
            _ if ctx.keys.is(Cmd::NewTicket, key) => fx.nav = Some(Nav::NewTicket),
            _ if ctx.keys.is(Cmd::Chat, key) && !ctx.is_staff() => {
                fx.popup = Some(chat_prompt(ctx));
            }
            _ if ctx.keys.is(Cmd::Refresh, key) => self.load(fx),
            _ if ctx.keys.is(Cmd::PageSize, key) => {
                self.page_size = self.page_size.next();
                fx.page_size_chosen(ListId::Home.name(), self.page_size);
                self.open.clear();
                self.selected = 0;
                self.load(fx);
            }
            _ => return false,
        }
        true
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let [welcome, top, list] = Layout::vertical([
            Constraint::Length(2 + u16::from(self.sees_money)),
            Constraint::Length(9),
            Constraint::Fill(1),
        ])
        .areas(area);
        let company = if ctx.me.company_name.is_empty() {
            String::new()
        } else {
            format!(" · {}", ctx.me.company_name)
        };
        let hello = format!(" Welcome, {}", ctx.me.display_name);
        // Where help is found besides tickets, as long as the line has room.
        let (k, t) = (ctx.keys.label(Cmd::Knowledge), ctx.keys.label(Cmd::Team));
        let pages = if ctx.is_staff() {
            vec![format!("{k} knowledge ")]
        } else {
            vec![
                format!("{k} knowledge · {t} our account team "),
                format!("{k} knowledge · {t} team "),
            ]
        };
        let used = hello.chars().count() + company.chars().count();
        let room = usize::from(welcome.width).saturating_sub(used);
        let pages = pages
            .into_iter()
            .find(|p| p.chars().count() < room)
            .map(|p| format!("{p:>room$}"))
            .unwrap_or_default();
        let mut greeting = vec![
            Line::from(vec![
                Span::styled(hello, theme.title),
                Span::styled(company, theme.muted),
                Span::styled(pages, theme.muted),
            ]),
            self.alert_line(ctx),
        ];
        if self.sees_money {
            greeting.push(self.money_line(ctx));
        }
        frame.render_widget(Paragraph::new(greeting), welcome);

        let [stats_area, chart_area] =
            Layout::horizontal([Constraint::Length(24), Constraint::Fill(1)]).areas(top);
        self.render_stats(frame, stats_area, ctx);
        self.render_chart(frame, chart_area, ctx);
        self.render_list(frame, list, ctx);
    }

    fn on_reply(&mut self, reply: &Reply, _ctx: &Ctx, fx: &mut Effects) {
        match reply {
            Reply::Stats(stats) => self.stats = Some(stats.clone()),
            Reply::AwaitingEstimates(list) => self.awaiting_estimates.clone_from(list),
            Reply::Created(t) if t.chat_waiting_since.is_some() => {
                fx.close_prompt = true;
                fx.nav = Some(Nav::OpenChat(t.number));
            }
            Reply::Billing(billing) => match &**billing {
                BillingReply::Summary(summary) => {
                    self.billing = Some(summary.clone());
                    self.selected = self.selected.min(self.items().len().saturating_sub(1));
                }
                // A payment sent from an invoice changes what is due.
                BillingReply::Payment(_) => self.load_money(fx),
                _ => {}
            },
            Reply::Tickets {
                list: ListId::Home,
                seq,
                append,
                page,
            } if *seq == self.seq => {
                self.loading = false;
                self.open_total = page.total;
                if *append {
                    self.open.extend(page.tickets.iter().cloned());
                } else {
                    self.open.clone_from(&page.tickets);
                }
                self.next_cursor.clone_from(&page.next_cursor);
                self.selected = self.selected.min(self.items().len().saturating_sub(1));
            }
            _ => {}
        }
    }

    fn on_failed(&mut self, request: &Request, _error: &ApiError, _fx: &mut Effects) {
        if matches!(
            request,
            Request::Ticket(TicketCall::List {
                list: ListId::Home,
                ..
            })
        ) {
            self.loading = false;
        }
    }

    fn refresh(&mut self, fx: &mut Effects) {
        self.load(fx);
    }

    /// A click selects the line; a click on the selected line opens it.
    fn click(&mut self, column: u16, row: u16, ctx: &Ctx, fx: &mut Effects) {
        if !self
            .rows_area
            .contains(ratatui::layout::Position::new(column, row))
        {
            return;
        }
        let index = self.offset + usize::from(row - self.rows_area.y);
        if index >= self.items().len() {
            return;
        }
        if index == self.selected {
            let enter = KeyEvent::new(KeyCode::Enter, crossterm::event::KeyModifiers::NONE);
            self.handle_key(&enter, ctx, fx);
        } else {
            self.selected = index;
            self.fetch_more(fx);
        }
    }
}

/// Home's question about the closed tickets still to rate
/// (docs/TICKETS.md, "Ratings").
fn rate_text(n: u64) -> String {
    format!(
        "Rate {n} closed ticket{}: how did we do?",
        if n == 1 { "" } else { "s" }
    )
}

/// "Chat with us" (docs/TICKETS.md, "Chat"): the first message opens a
/// ticket of the default type, shown with its chat on.
fn chat_prompt(ctx: &Ctx) -> Popup {
    let provider = if ctx.me.provider_name.is_empty() {
        "us"
    } else {
        ctx.me.provider_name.as_str()
    };
    Popup::Prompt(
        PromptPopup::new(
            format!("Chat with {provider}"),
            Submit::send(|form: &mut Form| {
                form.check_required().then(|| {
                    let message = form.text(PromptField::Text);
                    TicketCall::CreateTicket(pb::CreateTicketRequest {
                        title: format!("Chat: {}", format::fit(&message, 70)),
                        description: message,
                        chat: true,
                        ..Default::default()
                    })
                })
            }),
            vec![Field::line(PromptField::Text, "Message", "").required()],
        )
        .hint("The conversation is kept on a new ticket")
        .width(72),
    )
}
