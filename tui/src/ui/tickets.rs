//! Ticket lists: the Tickets tab and the staff's Triage queue. Pages are
//! asked for as the selection nears the end (keyset cursors), never all.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use crossterm::event::{KeyCode, KeyEvent};
use portal_proto::pb::{self, StatusGroup, TicketSort, TicketStatus};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, List, ListItem, ListState, Paragraph, Row, Table, TableState};

use super::chat;
use super::form::{Field, FieldId, Form};
use super::input::LineInput;
use super::popup::{Popup, PromptPopup, Submit, Then};
use super::triage::Asking;
use super::{
    Catalog, Ctx, Effects, HelpLines, Nav, Screen, format, help_line, moved, plain_help, sla,
};
use crate::action::{AccountCall, ApiError, ListId, Reply, Request, TicketCall};
use crate::keys::Cmd;
use crate::page_size::PageSize;

/// The pause in typing after which the text filter is sent.
const SEARCH_PAUSE: TimeDelta = TimeDelta::milliseconds(250);
/// Ask for the next page when the selection is this close to the end.
const PREFETCH: usize = 10;

const GROUPS: [(StatusGroup, &str); 4] = [
    (StatusGroup::Open, "Open"),
    (StatusGroup::Completed, "Completed"),
    (StatusGroup::Closed, "Closed"),
    (StatusGroup::All, "All"),
];
const STATUSES: [TicketStatus; 8] = [
    TicketStatus::New,
    TicketStatus::InProgress,
    TicketStatus::WaitingOnClient,
    TicketStatus::Scheduled,
    TicketStatus::Completed,
    TicketStatus::Closed,
    TicketStatus::Cancelled,
    TicketStatus::NoActionRequired,
];

/// The filters of a list, as sent to `ListTickets`.
/// The fields of the filter panel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FilterField {
    Group,
    Status,
    Number,
    Company,
    Contact,
    Priority,
    Type,
    From,
    To,
    Apply,
}

impl FieldId for FilterField {}

#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub text: String,
    pub group: StatusGroup,
    pub status: TicketStatus,
    pub number: i64,
    /// Staff: one company's tickets; 0 = all.
    pub company_id: i64,
    pub contact_id: i64,
    pub priority: i32,
    pub service_type_id: i64,
    pub created_from: String,
    pub created_to: String,
    /// Staff: tickets this staff member is assigned to (primary or other).
    pub assigned_staff_id: i64,
    pub unassigned: bool,
    /// Staff: only tickets whose next deadline has passed.
    pub breached: bool,
    /// Staff: only tickets whose chat waits for an answer.
    pub chat_waiting: bool,
}

impl Default for Filter {
    fn default() -> Self {
        Self {
            text: String::new(),
            group: StatusGroup::Open,
            status: TicketStatus::Unspecified,
            number: 0,
            company_id: 0,
            contact_id: 0,
            priority: 0,
            service_type_id: 0,
            created_from: String::new(),
            created_to: String::new(),
            assigned_staff_id: 0,
            unassigned: false,
            breached: false,
            chat_waiting: false,
        }
    }
}

#[derive(Debug, Clone)]
#[allow(clippy::struct_excessive_bools)] // independent flags, not states
pub struct TicketList {
    pub id: ListId,
    pub page_size: PageSize,
    pub rows: Vec<pb::Ticket>,
    pub total: u64,
    /// The server stopped counting at `total` (a broad search): shown as "1000+".
    pub total_is_lower_bound: bool,
    pub next_cursor: String,
    pub loading: bool,
    pub loaded: bool,
    pub seq: u64,
    pub state: TableState,
    pub summary: bool,
    pub filter: Filter,
    pub search: Option<LineInput>,
    /// When the typed text filter is to be sent.
    pub search_due: Option<DateTime<Utc>>,
    /// The order shown and asked for; a text filter never changes it.
    pub sort: TicketSort,
    pub descending: bool,
    /// Staff: the contacts of companies asked for so far, by company, for
    /// the filter panel's Contact choice.
    pub company_contacts: BTreeMap<i64, Vec<pb::Contact>>,
    /// Staff: the companies whose contacts the filter panel waits for.
    pub panel_waits_for: Vec<i64>,
    /// The contacts the open filter panel offers, in its order.
    pub offered_contacts: Vec<i64>,
    /// Where the rows were last drawn, for mouse clicks.
    pub rows_area: Rect,
    /// Triage: the caller's saved views, by name.
    pub views: Vec<pb::SavedView>,
    /// Triage: what the open pick popup asked.
    pub asking: Asking,
}

impl TicketList {
    pub fn new(id: ListId) -> Self {
        let triage = id == ListId::Triage;
        Self {
            id,
            page_size: PageSize::default(),
            rows: Vec::new(),
            total: 0,
            total_is_lower_bound: false,
            next_cursor: String::new(),
            loading: false,
            loaded: false,
            seq: 0,
            state: TableState::default(),
            summary: false,
            filter: Filter::default(),
            search: None,
            search_due: None,
            sort: if triage {
                TicketSort::NextDue
            } else {
                TicketSort::Updated
            },
            descending: !triage,
            company_contacts: BTreeMap::new(),
            panel_waits_for: Vec::new(),
            offered_contacts: Vec::new(),
            rows_area: Rect::default(),
            views: Vec::new(),
            asking: Asking::Sort,
        }
    }

    fn query(&self, cursor: String, page_size: u32) -> pb::ListTicketsRequest {
        let f = &self.filter;
        pb::ListTicketsRequest {
            text: f.text.trim().to_owned(),
            status_group: f.group.into(),
            status: f.status.into(),
            number: f.number,
            company_id: f.company_id,
            contact_id: f.contact_id,
            priority: f.priority,
            service_type_id: f.service_type_id,
            created_from: f.created_from.clone(),
            created_to: f.created_to.clone(),
            assigned_staff_id: f.assigned_staff_id,
            unassigned: f.unassigned,
            breached: f.breached,
            chat_waiting: f.chat_waiting,
            sort: self.sort.into(),
            descending: self.descending,
            page: Some(pb::PageRequest { page_size, cursor }),
            ..Default::default()
        }
    }

    /// Asks for the first page again (as many rows as are loaded, so a
    /// refresh keeps the place).
    pub fn reload(&mut self, fx: &mut Effects) {
        if self.id == ListId::Triage && !self.loaded {
            fx.send(TicketCall::SavedViews);
        }
        self.seq += 1;
        self.loading = true;
        let size = (self.rows.len() as u32).clamp(self.page_size.0, 200);
        fx.send(TicketCall::List {
            list: self.id,
            seq: self.seq,
            append: false,
            query: self.query(String::new(), size),
        });
    }

    /// Starts over from the top after a filter or sort change.
    pub(super) fn restart(&mut self, fx: &mut Effects) {
        self.rows.clear();
        self.next_cursor.clear();
        self.state.select(None);
        *self.state.offset_mut() = 0;
        self.reload(fx);
    }

    fn fetch_more(&mut self, fx: &mut Effects) {
        if self.loading || self.next_cursor.is_empty() {
            return;
        }
        let near_end = self.state.selected().unwrap_or(0) + PREFETCH >= self.rows.len();
        if near_end {
            self.seq += 1;
            self.loading = true;
            fx.send(TicketCall::List {
                list: self.id,
                seq: self.seq,
                append: true,
                query: self.query(self.next_cursor.clone(), self.page_size.0),
            });
        }
    }

    /// A page arrived; stale pages (an older `seq`) are dropped.
    pub fn on_page(&mut self, seq: u64, append: bool, page: pb::ListTicketsResponse) {
        if seq != self.seq {
            return;
        }
        self.loading = false;
        self.loaded = true;
        if append {
            self.rows.extend(page.tickets);
        } else {
            self.rows = page.tickets;
        }
        self.total = page.total;
        self.total_is_lower_bound = page.total_is_lower_bound;
        self.next_cursor = page.next_cursor;
        let selected = match self.state.selected() {
            _ if self.rows.is_empty() => None,
            Some(i) => Some(i.min(self.rows.len() - 1)),
            None => Some(0),
        };
        self.state.select(selected);
    }

    /// Sends the text filter once typing has paused.
    pub fn on_tick(&mut self, now: DateTime<Utc>, fx: &mut Effects) {
        if self.search_due.is_some_and(|due| now >= due) {
            self.flush_search(fx);
        }
    }

    fn flush_search(&mut self, fx: &mut Effects) {
        if self.search_due.take().is_some() {
            self.restart(fx);
        }
    }

    /// Shows only the tickets waiting on the client.
    pub fn show_waiting(&mut self, fx: &mut Effects) {
        self.filter = Filter {
            group: StatusGroup::Open,
            status: TicketStatus::WaitingOnClient,
            ..Filter::default()
        };
        self.restart(fx);
    }

    /// The closed tickets, where those still to rate are.
    pub fn show_closed(&mut self, fx: &mut Effects) {
        self.filter = Filter {
            group: StatusGroup::Closed,
            status: TicketStatus::Closed,
            ..Filter::default()
        };
        self.restart(fx);
    }

    pub fn selected_number(&self) -> Option<i64> {
        self.state
            .selected()
            .and_then(|i| self.rows.get(i))
            .map(|t| t.number)
    }

    /// Moving the selection; false when the key is not a move.
    fn move_key(&mut self, key: &KeyEvent, ctx: &Ctx) -> bool {
        let selected = self.state.selected().unwrap_or(0);
        let page = if self.summary { 5 } else { 15 };
        let to = moved(ctx.keys, key, selected, self.rows.len(), page);
        if to.is_some() {
            self.state.select(to);
        }
        to.is_some()
    }

    fn sorts(ctx: &Ctx) -> Vec<TicketSort> {
        let mut sorts = vec![
            TicketSort::Number,
            TicketSort::Title,
            TicketSort::Status,
            TicketSort::Priority,
            TicketSort::Contact,
            TicketSort::Updated,
            TicketSort::Created,
        ];
        if ctx.is_staff() {
            sorts.extend([TicketSort::Company, TicketSort::NextDue]);
        }
        sorts
    }

    pub fn set_sort(&mut self, sort: TicketSort, fx: &mut Effects) {
        if self.sort == sort {
            self.descending = !self.descending;
        } else {
            self.sort = sort;
            self.descending = matches!(
                sort,
                TicketSort::Updated | TicketSort::Created | TicketSort::Number
            );
        }
        self.restart(fx);
    }

    /// Opens the filter panel; staff first fetch the contacts of the
    /// companies on show and of the chosen one, and get it when they came.
    fn open_filter_panel(&mut self, ctx: &Ctx, fx: &mut Effects) {
        if !ctx.is_staff() {
            fx.popup = Some(self.filter_panel(ctx));
            return;
        }
        let mut wanted: Vec<i64> = self.rows.iter().map(|t| t.company_id).collect();
        wanted.push(self.filter.company_id);
        wanted.sort_unstable();
        wanted.dedup();
        wanted.retain(|id| *id > 0 && !self.company_contacts.contains_key(id));
        if wanted.is_empty() {
            fx.popup = Some(self.filter_panel(ctx));
            return;
        }
        for company_id in &wanted {
            fx.send(AccountCall::CompanyContacts {
                company_id: *company_id,
            });
        }
        self.panel_waits_for = wanted;
        fx.info("Loading the companies' contacts…");
    }

    /// One company's contacts came (or could not be had): the panel opens
    /// once none is awaited.
    fn contacts_came(&mut self, company_id: i64, ctx: &Ctx, fx: &mut Effects) {
        let before = self.panel_waits_for.len();
        self.panel_waits_for.retain(|id| *id != company_id);
        if before > 0 && self.panel_waits_for.is_empty() {
            fx.popup = Some(self.filter_panel(ctx));
        }
    }

    /// Who the Contact choice offers: a client's company's contacts; for
    /// staff, those of the companies fetched, by company, then name.
    fn contact_choices<'a>(&'a self, ctx: &'a Ctx) -> Vec<(String, &'a pb::Contact)> {
        if !ctx.is_staff() {
            return ctx
                .catalog
                .contacts
                .iter()
                .map(|c| (Catalog::contact_name(c), c))
                .collect();
        }
        let chosen = self.filter.company_id;
        let mut choices: Vec<(String, &pb::Contact)> = self
            .company_contacts
            .iter()
            .filter(|(id, _)| chosen == 0 || **id == chosen)
            .flat_map(|(_, contacts)| contacts)
            .filter(|c| c.active || c.id == self.filter.contact_id)
            .map(|c| {
                let name = format!("{} · {}", Catalog::contact_name(c), c.company_name);
                (name, c)
            })
            .collect();
        choices.sort_by(|a, b| (&a.1.company_name, &a.0).cmp(&(&b.1.company_name, &b.0)));
        choices
    }

    fn filter_panel(&mut self, ctx: &Ctx) -> Popup {
        let catalog = ctx.catalog;
        let choices = self.contact_choices(ctx);
        let mut contacts = vec!["Anyone".to_owned()];
        contacts.extend(choices.iter().map(|(name, _)| name.clone()));
        let contact = choices
            .iter()
            .position(|(_, c)| c.id == self.filter.contact_id)
            .map_or(0, |i| i + 1);
        let offered: Vec<i64> = choices.iter().map(|(_, c)| c.id).collect();
        self.offered_contacts = offered;
        let f = &self.filter;
        let group = GROUPS.iter().position(|(g, _)| *g == f.group).unwrap_or(0);
        let mut statuses = vec!["Any".to_owned()];
        statuses.extend(STATUSES.iter().map(|s| format::status(*s).to_owned()));
        let status = STATUSES
            .iter()
            .position(|s| *s == f.status)
            .map_or(0, |i| i + 1);
        let mut priorities = vec!["Any".to_owned()];
        priorities.extend((1..=5).map(|p| format::priority(p).to_owned()));
        let mut types = vec!["Any".to_owned()];
        let ordered = catalog.ordered_types();
        types.extend(ordered.iter().map(|t| t.name.clone()));
        let service_type = ordered
            .iter()
            .position(|t| t.id == f.service_type_id)
            .map_or(0, |i| i + 1);
        let number = if f.number > 0 {
            f.number.to_string()
        } else {
            String::new()
        };
        let mut fields = vec![
            Field::choice(
                FilterField::Group,
                "Status group",
                GROUPS.iter().map(|(_, n)| (*n).to_owned()).collect(),
                group,
            ),
            Field::choice(FilterField::Status, "Status", statuses, status),
            Field::line(FilterField::Number, "Number", &number),
        ];
        if ctx.is_staff() {
            let mut companies = vec!["Any".to_owned()];
            companies.extend(catalog.companies.iter().map(|c| c.name.clone()));
            let company = catalog
                .companies
                .iter()
                .position(|c| c.id == f.company_id)
                .map_or(0, |i| i + 1);
            fields.push(Field::choice(
                FilterField::Company,
                "Company",
                companies,
                company,
            ));
        }
        fields.extend([
            Field::choice(FilterField::Contact, "Contact", contacts, contact),
            Field::choice(
                FilterField::Priority,
                "Priority",
                priorities,
                f.priority as usize,
            ),
            Field::choice(FilterField::Type, "Service type", types, service_type),
            Field::line(FilterField::From, "Created from", &f.created_from),
            Field::line(FilterField::To, "Created to", &f.created_to),
            Field::button(FilterField::Apply, "Apply"),
        ]);
        Popup::Prompt(
            PromptPopup::new("Filter tickets", Submit::ToScreen, fields)
                .hint("←/→ change a choice · dates as YYYY-MM-DD")
                .width(60),
        )
    }

    /// Applies the filter panel; false (with errors in the form) when a
    /// value is not valid.
    pub fn apply_filter_panel(
        &mut self,
        form: &mut Form,
        catalog: &Catalog,
        fx: &mut Effects,
    ) -> bool {
        form.clear_errors();
        let number = form
            .text(FilterField::Number)
            .trim_start_matches('#')
            .to_owned();
        let number = if number.is_empty() {
            0
        } else if let Ok(n) = number.parse::<i64>() {
            n
        } else {
            form.set_error(FilterField::Number, "a ticket number, e.g. 1234");
            0
        };
        for id in [FilterField::From, FilterField::To] {
            let date = form.text(id);
            if !date.is_empty()
                && let Some(problem) = super::checks::date_problem(&date)
            {
                form.set_error(id, problem);
            }
        }
        if form.has_errors() {
            form.focus_first_error();
            return false;
        }
        let ordered = catalog.ordered_types();
        self.filter = Filter {
            text: self.filter.text.clone(),
            group: GROUPS
                .get(form.choice(FilterField::Group))
                .map_or(StatusGroup::Open, |(g, _)| *g),
            status: form
                .choice(FilterField::Status)
                .checked_sub(1)
                .and_then(|i| STATUSES.get(i))
                .copied()
                .unwrap_or_default(),
            number,
            company_id: form
                .choice(FilterField::Company)
                .checked_sub(1)
                .and_then(|i| catalog.companies.get(i))
                .map_or(0, |c| c.id),
            contact_id: form
                .choice(FilterField::Contact)
                .checked_sub(1)
                .and_then(|i| self.offered_contacts.get(i))
                .copied()
                .unwrap_or(0),
            priority: form.choice(FilterField::Priority) as i32,
            service_type_id: form
                .choice(FilterField::Type)
                .checked_sub(1)
                .and_then(|i| ordered.get(i))
                .map_or(0, |t| t.id),
            created_from: form.text(FilterField::From),
            created_to: form.text(FilterField::To),
            // The quick filters are not on the panel: they stay.
            assigned_staff_id: self.filter.assigned_staff_id,
            unassigned: self.filter.unassigned,
            breached: self.filter.breached,
            chat_waiting: self.filter.chat_waiting,
        };
        self.restart(fx);
        true
    }

    fn describe(&self) -> String {
        let f = &self.filter;
        let mut parts = vec![
            GROUPS
                .iter()
                .find(|(g, _)| *g == f.group)
                .map_or("All", |(_, n)| n)
                .to_owned(),
        ];
        if f.status != TicketStatus::Unspecified {
            parts.push(format::status(f.status).to_owned());
        }
        if f.number > 0 {
            parts.push(format!("#{}", f.number));
        }
        if f.priority > 0 {
            parts.push(format!("P{}", f.priority));
        }
        if f.company_id > 0 {
            parts.push("company".to_owned());
        }
        if f.assigned_staff_id > 0 {
            parts.push("mine".to_owned());
        }
        if f.unassigned {
            parts.push("unassigned".to_owned());
        }
        if f.breached {
            parts.push("breached".to_owned());
        }
        if f.chat_waiting {
            parts.push("chats waiting".to_owned());
        }
        if f.contact_id > 0 {
            parts.push("contact".to_owned());
        }
        if f.service_type_id > 0 {
            parts.push("type".to_owned());
        }
        if !f.created_from.is_empty() || !f.created_to.is_empty() {
            parts.push(format!("{}…{}", f.created_from, f.created_to));
        }
        parts.join(" · ")
    }

    fn render_table(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let triage = self.id == ListId::Triage;
        // Only the rows on screen are built, however many pages are loaded.
        let (window, mut state) = self.window(usize::from(area.height.saturating_sub(1)));
        self.rows_area = Rect {
            y: area.y + 1,
            height: area.height.saturating_sub(1),
            ..area
        };
        let shown = &self.rows[window];
        let fifth_of = |t: &pb::Ticket| {
            if triage {
                t.company_name.clone()
            } else {
                t.contact_name.clone()
            }
        };
        // The trailing columns: Triage's next deadline; the lists' update
        // time (when there is room) and whose move and when.
        let wide = area.width >= 100;
        let (fifth_head, trailing): (&str, &[(&str, usize)]) = if triage {
            ("Company", &[("Next due", 13)])
        } else if wide {
            ("Contact", &[("Updated", 10), ("Due", 12)])
        } else {
            ("Contact", &[("Due", 11)])
        };
        let trailing_width: usize = trailing.iter().map(|(_, w)| w + 1).sum();
        // The title and the fifth column share what the fixed columns leave:
        // each gets what it needs when that fits, else the title gives way
        // down to a fair share for the fifth.
        let fixed = 6 + 18 + 2 + trailing_width + 4;
        let spare = usize::from(area.width).saturating_sub(fixed);
        let longest = |f: &dyn Fn(&pb::Ticket) -> String, head: &str| {
            shown
                .iter()
                .map(|t| f(t).chars().count())
                .chain([head.chars().count()])
                .max()
                .unwrap_or(0)
        };
        let title_need = longest(&|t| t.title.clone(), "Title");
        let fifth_need = longest(&fifth_of, fifth_head);
        let fair = if area.width >= 100 { 22 } else { 14 };
        let fifth_width = fifth_need.min(spare.saturating_sub(title_need).max(fair));
        let title_width = spare.saturating_sub(fifth_width);
        let mut header = vec!["#", "Title", "Status", "P", fifth_head];
        header.extend(trailing.iter().map(|(h, _)| *h));
        let mut widths = vec![
            Constraint::Length(6),
            Constraint::Length(title_width as u16),
            Constraint::Length(18),
            Constraint::Length(2),
            Constraint::Length(fifth_width as u16),
        ];
        widths.extend(trailing.iter().map(|(_, w)| Constraint::Length(*w as u16)));
        let rows = shown.iter().map(|t| {
            let pstyle = if t.priority <= 2 {
                theme.error
            } else {
                theme.text
            };
            let mut cells = vec![
                Cell::from(Span::styled(format!("#{}", t.number), theme.accent)),
                title_cell(t, title_width, ctx),
                Cell::from(format::status(t.status())),
                Cell::from(Span::styled(t.priority.to_string(), pstyle)),
                Cell::from(format::fit(&fifth_of(t), fifth_width)),
            ];
            if !triage && wide {
                cells.push(Cell::from(format::short_time(
                    t.updated_at.as_ref(),
                    ctx.now,
                    ctx.tz,
                )));
            }
            cells.push(Cell::from(sla::due_cell(t, ctx)));
            Row::new(cells)
        });
        let table = Table::new(rows, widths)
            .header(Row::new(header).style(theme.muted))
            .row_highlight_style(theme.selected)
            .block(Block::new());
        frame.render_stateful_widget(table, area, &mut state);
    }

    /// The loaded rows that fit in `visible` lines, scrolled so the selection
    /// shows, and the selection within them.
    fn window(&mut self, visible: usize) -> (std::ops::Range<usize>, TableState) {
        let visible = visible.max(1);
        let selected = self.state.selected();
        let mut offset = self.state.offset();
        if let Some(s) = selected {
            if s < offset {
                offset = s;
            } else if s >= offset + visible {
                offset = s + 1 - visible;
            }
        }
        offset = offset.min(self.rows.len().saturating_sub(visible));
        *self.state.offset_mut() = offset;
        let end = (offset + visible).min(self.rows.len());
        (
            offset..end,
            TableState::default().with_selected(selected.map(|s| s - offset)),
        )
    }

    fn render_summary(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let width = usize::from(area.width.saturating_sub(2));
        let (window, state) = self.window(usize::from(area.height / 4));
        self.rows_area = area;
        let items: Vec<ListItem> = self.rows[window]
            .iter()
            .map(|t| {
                let updated = format::short_time(t.updated_at.as_ref(), ctx.now, ctx.tz);
                let desc = t.description.lines().next().unwrap_or_default();
                ListItem::new(vec![
                    Line::from(vec![
                        Span::styled(format!("#{} ", t.number), theme.accent),
                        Span::styled(format::fit(&t.title, width.saturating_sub(8)), theme.title),
                    ]),
                    summary_facts(t, &updated, width, theme.text),
                    Line::styled(
                        format!("  {}", format::fit(desc, width.saturating_sub(2))),
                        theme.muted,
                    ),
                    Line::default(),
                ])
            })
            .collect();
        let mut state = ListState::default().with_selected(state.selected());
        frame.render_stateful_widget(
            List::new(items).highlight_style(theme.selected),
            area,
            &mut state,
        );
    }
}

impl Screen for TicketList {
    fn title(&self) -> &'static str {
        if self.id == ListId::Triage {
            "Triage"
        } else {
            "Tickets"
        }
    }

    fn help(&self, ctx: &Ctx) -> HelpLines {
        let mut lines = vec![
            plain_help("↑/↓ j/k PgUp/PgDn", "move; more tickets load as you go"),
            plain_help("g/G Home/End", "first / last loaded"),
            plain_help(
                "P (priority)",
                "1 Critical, 2 High, 3 Medium, 4 Low, 5 Planned",
            ),
            plain_help("Enter", "open the ticket"),
            help_line(
                ctx.keys,
                Cmd::Filter,
                "filter by text (Enter keeps, Esc clears)",
            ),
            help_line(
                ctx.keys,
                Cmd::FilterPanel,
                "filters: status, number, contact, priority, type, dates",
            ),
            help_line(ctx.keys, Cmd::Sort, "sort by a column"),
            help_line(ctx.keys, Cmd::ReverseSort, "reverse the sort"),
            help_line(ctx.keys, Cmd::ToggleView, "list / summary view"),
            help_line(ctx.keys, Cmd::PageSize, "tickets a page: 25, 50, 100"),
        ];
        if self.id == ListId::Triage {
            lines.extend([
                help_line(
                    ctx.keys,
                    Cmd::QueueMine,
                    "my queue: tickets I am assigned to",
                ),
                help_line(
                    ctx.keys,
                    Cmd::QueueUnassigned,
                    "only tickets nobody is assigned to",
                ),
                help_line(ctx.keys, Cmd::QueueCompany, "one company's tickets"),
                help_line(ctx.keys, Cmd::QueuePriority, "one priority's tickets"),
                help_line(ctx.keys, Cmd::QueueBreached, "only breached tickets"),
                help_line(
                    ctx.keys,
                    Cmd::QueueChats,
                    "only tickets whose chat waits for an answer",
                ),
                help_line(
                    ctx.keys,
                    Cmd::SaveView,
                    "save these filters and sort as a view",
                ),
                help_line(ctx.keys, Cmd::Views, "saved views: show or delete one"),
            ]);
        }
        lines.extend([
            help_line(ctx.keys, Cmd::NewTicket, "new ticket"),
            help_line(ctx.keys, Cmd::Refresh, "refresh"),
        ]);
        lines
    }

    fn handle_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        if let Some(search) = &mut self.search {
            match key.code {
                KeyCode::Enter => {
                    self.search = None;
                    self.flush_search(fx);
                }
                KeyCode::Esc => {
                    self.search = None;
                    self.search_due = None;
                    self.filter.text.clear();
                    self.restart(fx);
                }
                KeyCode::Down | KeyCode::Up => {
                    self.search = None;
                    self.flush_search(fx);
                    return self.handle_key(key, ctx, fx);
                }
                _ => {
                    if search.handle(key) && search.value() != self.filter.text {
                        self.filter.text = search.value().to_owned();
                        // Ask once typing pauses, not on every key.
                        self.search_due = Some(ctx.now + SEARCH_PAUSE);
                    }
                }
            }
            return true;
        }
        if self.move_key(key, ctx) {
            self.fetch_more(fx);
            return true;
        }
        if self.id == ListId::Triage && self.queue_key(key, ctx, fx) {
            return true;
        }
        match key.code {
            KeyCode::Enter => {
                if let Some(number) = self.selected_number() {
                    fx.nav = Some(Nav::OpenTicket(number));
                }
            }
            KeyCode::Esc if self.filter != Filter::default() && self.id != ListId::Triage => {
                self.filter = Filter::default();
                fx.info("Filters cleared");
                self.restart(fx);
            }
            _ if ctx.keys.is(Cmd::Filter, key) => {
                self.search = Some(LineInput::new(self.filter.text.clone()));
            }
            _ if ctx.keys.is(Cmd::FilterPanel, key) => self.open_filter_panel(ctx, fx),
            _ if ctx.keys.is(Cmd::Sort, key) => {
                let sorts = Self::sorts(ctx);
                let now = sorts.iter().position(|s| *s == self.sort).unwrap_or(0);
                let items = sorts
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (sort_label(*s).to_owned(), Then::Answer(i)))
                    .collect();
                self.asking = Asking::Sort;
                fx.popup = Some(Popup::pick("Sort by", items).selecting(now));
            }
            _ if ctx.keys.is(Cmd::ReverseSort, key) => {
                self.descending = !self.descending;
                self.restart(fx);
            }
            _ if ctx.keys.is(Cmd::ToggleView, key) => self.summary = !self.summary,
            _ if ctx.keys.is(Cmd::NewTicket, key) => fx.nav = Some(Nav::NewTicket),
            _ if ctx.keys.is(Cmd::Refresh, key) => self.reload(fx),
            _ if ctx.keys.is(Cmd::PageSize, key) => {
                self.page_size = self.page_size.next();
                fx.page_size_chosen(self.id.name(), self.page_size);
                self.restart(fx);
            }
            _ => return false,
        }
        self.fetch_more(fx);
        true
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        let triage = self.id == ListId::Triage;
        let [header, bar, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(u16::from(triage)),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        if triage {
            let line = self.filter_bar(ctx, usize::from(bar.width));
            frame.render_widget(Paragraph::new(line), bar);
        }
        let (sort, descending) = (self.sort, self.descending);
        let arrow = if descending { "↓" } else { "↑" };
        let title = match self.id {
            ListId::Triage if self.filter.assigned_staff_id == ctx.me.id => "My queue",
            ListId::Triage => "Triage",
            _ => "Tickets",
        };
        let mut spans = vec![
            Span::styled(format!(" {title} "), theme.title),
            Span::styled(format!("{} ", self.describe()), theme.text),
            Span::styled(
                format!(
                    "· {} of {}{} ",
                    self.rows.len(),
                    self.total,
                    if self.total_is_lower_bound { "+" } else { "" }
                ),
                theme.muted,
            ),
            Span::styled(
                format!(
                    "· {} {arrow} · times {}",
                    sort_label(sort),
                    format::zone(ctx.tz, ctx.now)
                ),
                theme.muted,
            ),
        ];
        if self.loading {
            spans.push(Span::styled(" · loading…", theme.muted));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), header);

        if self.summary {
            self.render_summary(frame, body, ctx);
        } else {
            self.render_table(frame, body, ctx);
        }
        if self.loaded && self.rows.is_empty() {
            let msg = if self.filter == Filter::default() {
                "No tickets here yet."
            } else {
                "No ticket matches these filters."
            };
            let inner = Rect {
                x: body.x + 2,
                y: body.y + 2,
                width: body.width.saturating_sub(4),
                height: 1,
            };
            frame.render_widget(Paragraph::new(Line::styled(msg, theme.muted)), inner);
        }

        let footer_line = if let Some(search) = &self.search {
            let mut line = search.line(
                usize::from(footer.width.saturating_sub(9)),
                true,
                false,
                theme.text,
            );
            line.spans
                .insert(0, Span::styled(" Filter/ ", theme.accent));
            line
        } else {
            let text_filter = if self.filter.text.is_empty() {
                String::new()
            } else {
                format!(" “{}” ·", self.filter.text)
            };
            Line::from(vec![
                Span::styled(text_filter.clone(), theme.accent),
                Span::styled(
                    format::hints(
                        &[
                            "Enter open",
                            "/ filter",
                            "f filters",
                            "s sort",
                            "v view",
                            "n new",
                        ],
                        usize::from(footer.width).saturating_sub(text_filter.chars().count()),
                    ),
                    theme.muted,
                ),
            ])
        };
        frame.render_widget(Paragraph::new(footer_line), footer);
    }

    fn on_reply(&mut self, reply: &Reply, ctx: &Ctx, fx: &mut Effects) {
        match reply {
            Reply::Tickets {
                list,
                seq,
                append,
                page,
            } if *list == self.id => self.on_page(*seq, *append, page.clone()),
            Reply::SavedViews(views) if self.id == ListId::Triage => self.views.clone_from(views),
            Reply::ViewSaved { name, views } if self.id == ListId::Triage => {
                self.views.clone_from(views);
                fx.close_prompt = true;
                fx.ok(format!("View “{name}” saved"));
            }
            Reply::CompanyContacts {
                company_id,
                contacts,
            } if ctx.is_staff() => {
                self.company_contacts.insert(*company_id, contacts.clone());
                self.contacts_came(*company_id, ctx, fx);
            }
            _ => {}
        }
    }

    fn on_failed(&mut self, request: &Request, error: &ApiError, fx: &mut Effects) {
        match request {
            Request::Ticket(TicketCall::List { list, .. }) if *list == self.id => {
                self.loading = false;
            }
            Request::Account(AccountCall::CompanyContacts { company_id })
                if self.panel_waits_for.contains(company_id) =>
            {
                // The panel waits no more; `f` asks again.
                self.panel_waits_for.clear();
                fx.error(format!("Contacts not loaded: {}", error.text()));
            }
            _ => {}
        }
    }

    /// The sort picked from [`TicketList::sorts`].
    fn on_answer(&mut self, answer: usize, ctx: &Ctx, fx: &mut Effects) {
        if self.queue_answer(answer, ctx, fx) {
            return;
        }
        if let Some(sort) = Self::sorts(ctx).get(answer) {
            self.set_sort(*sort, fx);
        }
    }

    /// The filter panel.
    fn on_form(&mut self, form: &mut Form, ctx: &Ctx, fx: &mut Effects) -> bool {
        self.apply_filter_panel(form, ctx.catalog, fx)
    }

    fn refresh(&mut self, fx: &mut Effects) {
        self.reload(fx);
    }

    /// A click selects the row; a click on the selected row opens it.
    fn click(&mut self, column: u16, row: u16, _ctx: &Ctx, fx: &mut Effects) {
        let area = self.rows_area;
        if !area.contains(ratatui::layout::Position::new(column, row)) {
            return;
        }
        let lines_per_row = if self.summary { 4 } else { 1 };
        let index = self.state.offset() + usize::from(row - area.y) / lines_per_row;
        if index >= self.rows.len() {
            return;
        }
        if self.state.selected() == Some(index) {
            if let Some(number) = self.selected_number() {
                fx.nav = Some(Nav::OpenTicket(number));
            }
        } else {
            self.state.select(Some(index));
            self.fetch_more(fx);
        }
    }
}

/// The summary's facts line: what does not fit is cut with "…", but the
/// date is always whole ("updated Nov 2" must never stand for Nov 28).
fn summary_facts(t: &pb::Ticket, updated: &str, width: usize, style: Style) -> Line<'static> {
    let date = format!(" · updated {updated}");
    let facts = format!(
        "  {} · {} · {} · {}",
        format::status(t.status()),
        format::priority(t.priority),
        t.contact_name,
        t.service_type_name
    );
    let room = width.saturating_sub(date.chars().count());
    Line::styled(format!("{}{date}", format::fit(&facts, room)), style)
}

pub fn sort_label(sort: TicketSort) -> &'static str {
    match sort {
        TicketSort::Number => "Number",
        TicketSort::Title => "Title",
        TicketSort::Status => "Status",
        TicketSort::Priority => "Priority",
        TicketSort::Contact => "Contact",
        TicketSort::Unspecified | TicketSort::Updated => "Updated",
        TicketSort::Created => "Created",
        TicketSort::Company => "Company",
        TicketSort::NextDue => "Next due",
    }
}

/// A ticket's title, after its emergency mark and its waiting chat, if any.
fn title_cell(t: &pb::Ticket, width: usize, ctx: &Ctx) -> Cell<'static> {
    let marks = [sla::emergency(t, ctx.theme), chat::waiting_marker(t, ctx)];
    let used: usize = marks.iter().map(Span::width).sum();
    let mut spans = marks.to_vec();
    spans.push(Span::raw(format::fit(&t.title, width.saturating_sub(used))));
    Cell::from(Line::from(spans))
}
