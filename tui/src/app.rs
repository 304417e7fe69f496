//! The app: state, key routing (popup → focused tab → global keys), replies
//! from the server, drawing, and the one tokio loop that drives it all.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use crossterm::event::{
    DisableMouseCapture, EnableMouseCapture, Event, EventStream, KeyCode, KeyEvent, KeyEventKind,
};
use futures::StreamExt;
use portal_proto::pb;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Tabs};
use tokio::sync::mpsc::UnboundedReceiver;

mod mouse;
mod popups;
mod replies;

use crate::action::{Action, AuthCall, Request, TicketCall};
use crate::client::Client;
use crate::keys::{Cmd, KeyMap, is_ctrl};
use crate::theme::Theme;
use crate::ui::account::Account;
use crate::ui::billing::Billing;
use crate::ui::companies::Companies;
use crate::ui::home::Home;
use crate::ui::knowledge::Knowledge;
use crate::ui::login::{Login, SignInField};
use crate::ui::palette::{self, Palette};
use crate::ui::popup::{Popup, Then};
use crate::ui::reports::Reports;
use crate::ui::statusline::{self, Status};
use crate::ui::ticket_detail::TicketDetail;
use crate::ui::ticket_form::TicketForm;
use crate::ui::ticket_work;
use crate::ui::tickets::TicketList;
use crate::ui::{Catalog, Ctx, Effects, Level, Nav, Screen, TabId, help};
use crate::{editor, local_files};

/// Signed out or in.
pub enum Phase {
    Login(Login),
    Main(Box<Main>),
}

/// Everything a signed-in person has open.
pub struct Main {
    pub me: pb::Identity,
    /// The provider's zone: times are shown as its staff see them.
    pub tz: Tz,
    pub tabs: Vec<TabId>,
    pub tab: TabId,
    /// Shared with each key's [`Ctx`] while a screen is borrowed mutably.
    pub catalog: Rc<Catalog>,
    pub home: Home,
    /// A ticket opened from Home: shown on the Home tab, Esc goes back to it.
    pub home_ticket: Option<Box<TicketDetail>>,
    pub tickets: TicketList,
    pub view: TicketsView,
    pub triage: TicketList,
    pub reports: Reports,
    pub companies: Companies,
    pub account: Account,
    /// Staff: every company's money.
    pub billing: Billing,
}

/// What the Tickets tab shows.
pub enum TicketsView {
    List,
    /// One ticket; Esc goes back to the list it was opened from.
    Detail {
        ticket: Box<TicketDetail>,
        back_to: TabId,
    },
    New(Box<TicketForm>),
    /// The knowledge library; Esc goes back to the list.
    Knowledge(Box<Knowledge>),
}

impl Main {
    /// The open ticket: the one over Home while Home is on show, else the
    /// one on the Tickets tab.
    pub fn detail(&self) -> Option<&TicketDetail> {
        match (&self.home_ticket, &self.view) {
            (Some(ticket), _) if self.tab == TabId::Home => Some(ticket),
            (_, TicketsView::Detail { ticket, .. }) => Some(ticket),
            _ => None,
        }
    }

    /// Whether the tab on show is a ticket.
    pub fn ticket_on_show(&self) -> bool {
        match self.tab {
            TabId::Home => self.home_ticket.is_some(),
            TabId::Tickets => matches!(self.view, TicketsView::Detail { .. }),
            _ => false,
        }
    }

    /// The screen a tab shows: one line per tab.
    fn screen(&mut self, tab: TabId) -> &mut dyn Screen {
        match tab {
            TabId::Home => match &mut self.home_ticket {
                Some(ticket) => &mut **ticket,
                None => &mut self.home,
            },
            TabId::Tickets => match &mut self.view {
                TicketsView::List => &mut self.tickets,
                TicketsView::Detail { ticket, .. } => &mut **ticket,
                TicketsView::New(form) => &mut **form,
                TicketsView::Knowledge(library) => &mut **library,
            },
            TabId::Triage => &mut self.triage,
            TabId::Reports => &mut self.reports,
            TabId::Companies => &mut self.companies,
            TabId::Account => &mut self.account,
            TabId::Billing => &mut self.billing,
        }
    }

    /// Every open screen: each sees every reply and takes its own.
    fn screens(&mut self) -> Vec<&mut dyn Screen> {
        let mut screens: Vec<&mut dyn Screen> = vec![
            &mut self.home,
            &mut self.tickets,
            &mut self.triage,
            &mut self.reports,
            &mut self.companies,
            &mut self.account,
            &mut self.billing,
        ];
        match &mut self.view {
            TicketsView::List => {}
            TicketsView::Detail { ticket, .. } => screens.push(&mut **ticket),
            TicketsView::New(form) => screens.push(&mut **form),
            TicketsView::Knowledge(library) => screens.push(&mut **library),
        }
        if let Some(ticket) = &mut self.home_ticket {
            screens.push(&mut **ticket);
        }
        screens
    }

    fn shared(&self) -> Shared {
        Shared {
            me: self.me.clone(),
            tz: self.tz,
            catalog: Rc::clone(&self.catalog),
        }
    }
}

/// What a [`Ctx`] borrows from [`Main`], owned so that a screen of `Main`
/// can be borrowed mutably beside it.
struct Shared {
    me: pb::Identity,
    tz: Tz,
    catalog: Rc<Catalog>,
}

impl Shared {
    fn ctx<'a>(&'a self, theme: &'a Theme, keys: &'a KeyMap, now: DateTime<Utc>) -> Ctx<'a> {
        Ctx {
            theme,
            keys,
            now,
            tz: self.tz,
            me: &self.me,
            catalog: &self.catalog,
        }
    }
}

/// Where text edited in `$EDITOR` goes back to.
#[derive(Debug, Clone, Copy)]
enum EditTarget {
    TicketForm(usize),
    Prompt(usize),
}

pub struct App {
    pub theme: Theme,
    pub keys: KeyMap,
    pub now: DateTime<Utc>,
    pub server: String,
    pub phase: Phase,
    pub popups: Vec<Popup>,
    pub status: Status,
    /// Staff: the running timer (kept by the server).
    pub timer: Option<pb::TimerState>,
    pub quit: bool,
    outbox: Vec<Request>,
    edit: Option<(EditTarget, String)>,
    /// When to refresh after live events, and the tickets they were about.
    refresh_due: Option<(DateTime<Utc>, Vec<i64>)>,
    /// The command palette, over everything while open.
    palette: Option<Palette>,
    /// Items per page by list, as the config file has them.
    pub page_sizes: BTreeMap<String, u32>,
    /// Where page sizes are remembered; None keeps them for this run only
    /// (tests, the SSH gateway).
    pub config_path: Option<PathBuf>,
}

/// How long live events are gathered before one refresh.
const EVENT_PAUSE: chrono::TimeDelta = chrono::TimeDelta::milliseconds(200);

impl App {
    /// A new app on the sign-in screen; `first` is what to ask the server
    /// first (resume a remembered session, or the demo's sign-in).
    pub fn new(theme: Theme, keys: KeyMap, server: String, first: Request) -> Self {
        let resuming = true;
        let mut login = Login::new(server.clone(), resuming);
        if let Request::Auth(AuthCall::Login { email, .. }) = &first {
            login.form.set_text(SignInField::Email, email);
        }
        Self {
            theme,
            keys,
            now: Utc::now(),
            server,
            phase: Phase::Login(login),
            popups: Vec::new(),
            status: Status::default(),
            timer: None,
            quit: false,
            outbox: vec![first],
            edit: None,
            refresh_due: None,
            palette: None,
            page_sizes: BTreeMap::new(),
            config_path: None,
        }
    }

    /// Requests to start now; each will answer with one reply.
    pub fn take_requests(&mut self) -> Vec<Request> {
        self.status.pending += self.outbox.len();
        std::mem::take(&mut self.outbox)
    }

    /// Text to edit in `$EDITOR`, if a form asked for it.
    pub fn take_external_edit(&mut self) -> Option<String> {
        self.edit.as_ref().map(|(_, text)| text.clone())
    }

    /// Hands `text` to `$EDITOR` at the next turn of the event loop, where
    /// the editor may run (not over the SSH gateway).
    fn ask_editor(&mut self, target: EditTarget, text: String, fx: &mut Effects) {
        match local_files::check() {
            Ok(()) => self.edit = Some((target, text)),
            Err(refused) => fx.refused(refused),
        }
    }

    /// The editor is done: the text goes back where it came from.
    pub fn finish_external_edit(&mut self, result: Result<String, String>) {
        let Some((target, _)) = self.edit.take() else {
            return;
        };
        let text = match result {
            Ok(text) => text,
            Err(e) => {
                self.status.say((Level::Error, e), self.now);
                return;
            }
        };
        match target {
            EditTarget::TicketForm(i) => {
                if let Phase::Main(main) = &mut self.phase
                    && let TicketsView::New(form) = &mut main.view
                {
                    form.form.set_text_at(i, text.trim_end());
                }
            }
            EditTarget::Prompt(i) => {
                if let Some(Popup::Prompt(p)) = self.popups.last_mut() {
                    p.form.set_text_at(i, text.trim_end());
                }
            }
        }
    }

    /// Called every tick; true when the screen should be drawn again.
    pub fn tick(&mut self, now: DateTime<Utc>) -> bool {
        self.status.tick = self.status.tick.wrapping_add(1);
        let minute_changed = now.timestamp() / 60 != self.now.timestamp() / 60;
        self.now = now;
        let mut fx = Effects::default();
        if let Phase::Main(main) = &mut self.phase {
            main.tickets.on_tick(now, &mut fx);
            main.triage.on_tick(now, &mut fx);
        }
        self.refresh_after_events(&mut fx);
        let sent = !fx.requests.is_empty();
        self.apply(fx);
        let expired = self.status.expire(now);
        self.status.pending > 0 || minute_changed || sent || expired
    }

    fn me(&self) -> Option<&pb::Identity> {
        match &self.phase {
            Phase::Main(main) => Some(&main.me),
            Phase::Login(_) => None,
        }
    }

    // ── keys ────────────────────────────────────────────────────────────

    pub fn handle_key(&mut self, key: KeyEvent) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        if is_ctrl(&key, 'c') {
            self.ctrl_c();
            return;
        }
        if let Some(palette) = &mut self.palette {
            match palette.handle_key(&key) {
                palette::Outcome::Stay => {}
                palette::Outcome::Close => self.palette = None,
                palette::Outcome::Run(choice) => {
                    self.palette = None;
                    self.run_choice(choice);
                }
            }
            return;
        }
        let mut fx = Effects::default();
        if let Some(popup) = self.popups.last_mut() {
            let outcome = popup.handle_key(&key, &self.keys);
            self.on_popup(outcome, &mut fx);
        } else {
            match &mut self.phase {
                Phase::Login(login) => {
                    if key.code == KeyCode::F(1) {
                        fx.popup = Some(Popup::help("Keys: sign in", login.help()));
                    } else {
                        login.handle_key(&key, &mut fx);
                    }
                }
                Phase::Main(_) => self.main_key(&key, &mut fx),
            }
        }
        self.apply(fx);
    }

    /// Ctrl-C quits, but asks first when something typed would be lost; a
    /// second Ctrl-C at that question quits anyway.
    fn ctrl_c(&mut self) {
        let asked = matches!(
            self.popups.last(),
            Some(Popup::Confirm { then, .. }) if matches!(**then, Then::Quit)
        );
        if asked || !self.unsaved() {
            self.quit = true;
            return;
        }
        self.popups.push(Popup::confirm(
            "Quit?",
            "What you typed will be lost. Ctrl-C again quits.",
            Then::Quit,
        ));
    }

    /// Whether a prompt or a screen holds typed text that quitting loses.
    fn unsaved(&mut self) -> bool {
        let typed = |p: &Popup| matches!(p, Popup::Prompt(prompt) if prompt.form.is_dirty());
        if self.popups.iter().any(typed) {
            return true;
        }
        match &mut self.phase {
            Phase::Main(main) => main.screens().iter().any(|s| s.unsaved()),
            Phase::Login(_) => false,
        }
    }

    fn main_key(&mut self, key: &KeyEvent, fx: &mut Effects) {
        let Phase::Main(main) = &mut self.phase else {
            return;
        };
        let shared = main.shared();
        let ctx = shared.ctx(&self.theme, &self.keys, self.now);
        // F1 opens help even where typing takes every other key.
        if key.code != KeyCode::F(1) && main.screen(main.tab).handle_key(key, &ctx, fx) {
            if let TicketsView::New(form) = &main.view
                && let Some(text) = fx.external_edit.take()
            {
                let target = EditTarget::TicketForm(form.form.focus);
                self.ask_editor(target, text, fx);
            }
            return;
        }
        let keys = &self.keys;
        if keys.is(Cmd::Quit, key) {
            fx.quit = true;
        } else if keys.is(Cmd::Help, key) || key.code == KeyCode::F(1) {
            let screen = main.screen(main.tab);
            let lines = screen.help(&ctx);
            fx.popup = Some(help::popup(screen.title(), lines, keys, &main.tabs));
        } else if keys.is(Cmd::NextTab, key) || keys.is(Cmd::PrevTab, key) {
            let n = main.tabs.len();
            let i = main.tabs.iter().position(|t| *t == main.tab).unwrap_or(0);
            let next = if keys.is(Cmd::NextTab, key) {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            fx.nav = Some(Nav::Tab(main.tabs[next]));
        } else if keys.is(Cmd::Knowledge, key) {
            fx.nav = Some(Nav::Knowledge);
        } else if keys.is(Cmd::Team, key) {
            fx.nav = Some(Nav::Team);
        } else if keys.is(Cmd::Logout, key) {
            fx.popup = Some(Popup::confirm(
                "Sign out?",
                if crate::local_files::over_ssh() {
                    "You will be signed out of this SSH session."
                } else {
                    "You will be signed out and this computer forgets you."
                },
                Then::send(AuthCall::Logout),
            ));
        } else if keys.is(Cmd::Palette, key) {
            let views: Vec<(i64, String)> = main
                .triage
                .views
                .iter()
                .map(|v| (v.id, v.name.clone()))
                .collect();
            self.palette = Some(Palette::new(keys, &main.tabs).with_views(&views));
        } else if let KeyCode::Char(c @ '1'..='9') = key.code
            && let Some(tab) = main.tabs.get(usize::from(c as u8 - b'1'))
        {
            fx.nav = Some(Nav::Tab(*tab));
        }
    }

    /// Runs what was chosen in the palette: a command as its key press.
    fn run_choice(&mut self, choice: palette::Choice) {
        let mut fx = Effects::default();
        match choice {
            // Pages of their own open from anywhere, whatever a screen
            // makes of their keys.
            palette::Choice::Command(Cmd::Knowledge) => fx.nav = Some(Nav::Knowledge),
            palette::Choice::Command(Cmd::Team) => fx.nav = Some(Nav::Team),
            palette::Choice::Command(cmd) => {
                if let Some(key) = self.keys.press(cmd) {
                    self.handle_key(key);
                }
                return;
            }
            palette::Choice::Go(tab) => fx.nav = Some(Nav::Tab(tab)),
            palette::Choice::Ticket(number) => fx.nav = Some(Nav::OpenTicket(number)),
            palette::Choice::View(id) => {
                if let Phase::Main(main) = &mut self.phase {
                    let shared = main.shared();
                    let ctx = shared.ctx(&self.theme, &self.keys, self.now);
                    main.triage.show_view(id, &ctx, &mut fx);
                    fx.nav = Some(Nav::Tab(TabId::Triage));
                }
            }
        }
        self.apply(fx);
    }

    /// Carries out what a handler asked for.
    fn apply(&mut self, fx: Effects) {
        // The same request twice in one go (a reply and a reconnect both
        // reloading the ticket) is asked once.
        for request in fx.requests {
            if !self.outbox.contains(&request) {
                self.outbox.push(request);
            }
        }
        if fx.close_prompt {
            self.close_prompt();
        }
        if let Some(popup) = fx.popup {
            self.popups.push(popup);
        }
        if let Some(message) = fx.message {
            self.status.say(message, self.now);
        }
        if fx.quit {
            self.quit = true;
        }
        if let Some(nav) = fx.nav {
            self.navigate(&nav);
        }
        if let Some((list, size)) = fx.page_size {
            self.remember_page_size(list, size);
        }
    }

    /// A list's page size, for the rest of this run and (with a config
    /// file) the next.
    fn remember_page_size(&mut self, list: &str, size: u32) {
        self.page_sizes.insert(list.to_owned(), size);
        if let Some(path) = &self.config_path
            && let Err(e) = crate::page_size::remember(path, list, size)
        {
            self.status.say((Level::Error, e), self.now);
        }
    }

    fn navigate(&mut self, nav: &Nav) {
        let Phase::Main(main) = &mut self.phase else {
            return;
        };
        let mut fx = Effects::default();
        // A chat is its ticket, opened with the chat on show.
        let chat = matches!(nav, Nav::OpenChat(_));
        match *nav {
            Nav::Tab(tab) => {
                main.tab = tab;
                match tab {
                    TabId::Reports if main.reports.report.is_none() => main.reports.load(&mut fx),
                    TabId::Triage if !main.triage.loaded => main.triage.reload(&mut fx),
                    TabId::Home => main.home.load_money(&mut fx),
                    TabId::Account => main.account.refresh(&mut fx),
                    TabId::Billing => main.billing.enter(&mut fx),
                    TabId::Companies if !main.companies.list.loaded => main.companies.load(&mut fx),
                    _ => {}
                }
            }
            Nav::OpenTicket(number) | Nav::OpenChat(number) if main.tab == TabId::Home => {
                // Home stays the tab; Esc goes back to it.
                let ticket = Box::new(TicketDetail::new(number).chatting(chat));
                ticket.load(&mut fx);
                main.home_ticket = Some(ticket);
            }
            Nav::TicketList if main.tab == TabId::Home && main.home_ticket.is_some() => {
                main.home_ticket = None;
                main.home.load(&mut fx);
            }
            Nav::OpenTicket(number) | Nav::OpenChat(number) => {
                // Esc goes back to the list the ticket was opened from.
                let back_to = if main.tab == TabId::Triage {
                    TabId::Triage
                } else {
                    TabId::Tickets
                };
                main.tab = TabId::Tickets;
                let ticket = Box::new(TicketDetail::new(number).chatting(chat));
                ticket.load(&mut fx);
                main.view = TicketsView::Detail { ticket, back_to };
            }
            Nav::NewTicket => {
                main.tab = TabId::Tickets;
                main.view = TicketsView::New(Box::new(TicketForm::new(&main.catalog)));
                if !main.catalog.loaded {
                    fx.send(TicketCall::FormData);
                }
            }
            Nav::OpenInvoice(number) if main.me.staff => {
                main.tab = TabId::Billing;
                main.billing.show_invoice(number, &mut fx);
            }
            Nav::OpenInvoice(number) => {
                main.tab = TabId::Account;
                main.account.show_invoice(number, &mut fx);
            }
            Nav::UnpaidInvoices if main.me.staff => {
                main.tab = TabId::Billing;
                main.billing.show_unpaid_invoices(&mut fx);
            }
            Nav::UnpaidInvoices => {
                main.tab = TabId::Account;
                main.account.show_unpaid_invoices(&mut fx);
            }
            Nav::OpenAgreement(id) if main.me.staff => {
                main.tab = TabId::Billing;
                main.billing.show_agreement(id, &mut fx);
            }
            Nav::OpenAgreement(id) => {
                main.tab = TabId::Account;
                main.account.show_agreement(id, &mut fx);
            }
            Nav::Subscriptions if main.me.staff => {
                main.tab = TabId::Billing;
                main.billing.show_subscriptions(&mut fx);
            }
            Nav::Subscriptions => {
                main.tab = TabId::Account;
                main.account.show_subscriptions(&mut fx);
            }
            Nav::Knowledge => {
                main.tab = TabId::Tickets;
                let mut library = Box::new(Knowledge {
                    page_size: crate::page_size::of(&self.page_sizes, "knowledge"),
                    ..Knowledge::default()
                });
                library.load(&mut fx);
                main.view = TicketsView::Knowledge(library);
            }
            // Staff have no team of their own: each company's is on Companies.
            Nav::Team if main.me.staff => {
                main.tab = TabId::Companies;
                if !main.companies.list.loaded {
                    main.companies.load(&mut fx);
                }
                fx.info("Choose a company and press T for its account team");
            }
            Nav::Team => {
                main.tab = TabId::Account;
                main.account.show_team(&mut fx);
            }
            Nav::TicketsWaiting => {
                main.tab = TabId::Tickets;
                main.view = TicketsView::List;
                main.tickets.show_waiting(&mut fx);
            }
            Nav::TicketsToRate => {
                main.tab = TabId::Tickets;
                main.view = TicketsView::List;
                main.tickets.show_closed(&mut fx);
            }
            Nav::TicketList => match std::mem::replace(&mut main.view, TicketsView::List) {
                TicketsView::Detail {
                    back_to: TabId::Triage,
                    ..
                } => {
                    main.tab = TabId::Triage;
                    main.triage.reload(&mut fx);
                }
                _ => main.tickets.reload(&mut fx),
            },
        }
        self.apply(fx);
    }

    // ── drawing ─────────────────────────────────────────────────────────

    pub fn render(&mut self, frame: &mut Frame) {
        let [top, body, bottom] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(frame.area());
        let theme = &self.theme;
        match &mut self.phase {
            Phase::Login(login) => {
                frame.render_widget(
                    Paragraph::new(Line::from(vec![
                        Span::styled(" Portal ", theme.tab_active),
                        Span::styled("  F1 help", theme.muted),
                    ]))
                    .style(theme.status_bar),
                    top,
                );
                login.render(frame, body, theme);
            }
            Phase::Main(main) => {
                render_tabs(frame, top, main, theme);
                let shared = main.shared();
                let ctx = shared.ctx(theme, &self.keys, self.now);
                main.screen(main.tab).render(frame, body, &ctx);
            }
        }
        let me = self.me().cloned();
        self.status.timer = self
            .timer
            .as_ref()
            .map(|t| format!("#{} {}", t.ticket_number, ticket_work::elapsed(t, self.now)));
        statusline::render(frame, bottom, &self.status, me.as_ref(), &self.theme);
        for popup in &mut self.popups {
            popup.render(frame, &self.theme);
        }
        if let Some(palette) = &self.palette {
            palette.render(frame, &self.theme);
        }
    }
}

/// The tab bar and the two keys everyone needs.
fn render_tabs(frame: &mut Frame, area: Rect, main: &Main, theme: &Theme) {
    let titles: Vec<Line> = main
        .tabs
        .iter()
        .enumerate()
        .map(|(i, t)| Line::from(format!("{} {}", i + 1, t.title())))
        .collect();
    let selected = main.tabs.iter().position(|t| *t == main.tab);
    // Each title is padded by a space either side, with a divider between;
    // the key hints give way, "q quit" first, when the tabs need the room.
    let needed = titles
        .iter()
        .map(|t| t.width() + 3)
        .sum::<usize>()
        .saturating_sub(1);
    let room = usize::from(area.width).saturating_sub(needed);
    let keys = [("? help  q quit ", 16u16), ("? help ", 8), ("", 0)]
        .into_iter()
        .find(|(_, width)| usize::from(*width) <= room)
        .unwrap_or(("", 0));
    let [tabs_area, keys_area] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(keys.1)]).areas(area);
    frame.render_widget(
        Tabs::new(titles)
            .select(selected)
            .style(theme.status_bar)
            .highlight_style(theme.tab_active)
            .divider("│"),
        tabs_area,
    );
    frame.render_widget(
        Paragraph::new(Line::styled(keys.0, theme.status_bar))
            .style(theme.status_bar)
            .right_aligned(),
        keys_area,
    );
}

/// Gives the terminal back however the loop ends.
struct Restore {
    mouse: bool,
}

impl Drop for Restore {
    fn drop(&mut self) {
        if self.mouse {
            // Best effort: the terminal is being given back anyway.
            let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
        }
        ratatui::restore();
    }
}

/// The event loop: keys, replies, ticks and signals, drawing after each.
pub async fn run(
    mut app: App,
    client: Client,
    mut actions: UnboundedReceiver<Action>,
    mouse: bool,
) -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminal = ratatui::init();
    let _restore = Restore { mouse };
    if mouse {
        crossterm::execute!(std::io::stdout(), EnableMouseCapture)?;
    }
    let mut events = EventStream::new();
    let mut ticker = tokio::time::interval(Duration::from_millis(100));
    let mut term = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    loop {
        for request in app.take_requests() {
            client.dispatch(request);
        }
        if let Some(text) = app.take_external_edit() {
            drop(events);
            ratatui::restore();
            let result = editor::edit(&text);
            terminal = ratatui::init();
            if mouse {
                crossterm::execute!(std::io::stdout(), EnableMouseCapture)?;
            }
            terminal.clear()?;
            events = EventStream::new();
            app.finish_external_edit(result);
        }
        if app.quit {
            break;
        }
        terminal.draw(|frame| app.render(frame))?;
        loop {
            let redraw = tokio::select! {
                event = events.next() => match event {
                    Some(Ok(Event::Key(key))) => { app.handle_key(key); true }
                    Some(Ok(Event::Mouse(event))) => { app.handle_mouse(event); true }
                    Some(Ok(Event::Resize(..))) => true,
                    Some(Ok(_)) => false,
                    Some(Err(e)) => return Err(e.into()),
                    None => { app.quit = true; true }
                },
                Some(action) = actions.recv() => { app.handle_action(action); true }
                _ = ticker.tick() => app.tick(Utc::now()),
                _ = term.recv() => { app.quit = true; true }
                _ = hangup.recv() => { app.quit = true; true }
            };
            if redraw {
                break;
            }
        }
    }
    Ok(())
}
