//! The app: state, key routing (popup → focused tab → global keys), replies
//! from the server, drawing, and the one tokio loop that drives it all.

use std::time::Duration;

use chrono::{DateTime, FixedOffset, Offset, Utc};
use crossterm::event::{Event, EventStream, KeyCode, KeyEvent, KeyEventKind};
use futures::StreamExt;
use portal_proto::pb::{self, TicketStatus};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Tabs};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::action::{Action, ApiError, ListId, Reply, Request};
use crate::client::Client;
use crate::editor;
use crate::keys::{Cmd, KeyMap, is_ctrl};
use crate::theme::Theme;
use crate::ui::account::{self, Account};
use crate::ui::home::Home;
use crate::ui::login::Login;
use crate::ui::popup::{Confirm, Outcome, Pick, Popup, Prompt, PromptPopup, expand_home};
use crate::ui::reports::Reports;
use crate::ui::statusline::{self, Status};
use crate::ui::ticket_detail::TicketDetail;
use crate::ui::ticket_form::TicketForm;
use crate::ui::tickets::TicketList;
use crate::ui::{Catalog, Ctx, Effects, Level, Nav, TabId, form::Field, format, help, users};

/// Signed out or in.
pub enum Phase {
    Login(Login),
    Main(Box<Main>),
}

/// Everything a signed-in person has open.
pub struct Main {
    pub me: pb::Identity,
    pub tabs: Vec<TabId>,
    pub tab: TabId,
    pub catalog: Catalog,
    pub home: Home,
    pub tickets: TicketList,
    pub detail: Option<TicketDetail>,
    /// The list an open ticket goes back to.
    pub back_to: TabId,
    pub form: Option<TicketForm>,
    pub triage: TicketList,
    pub reports: Reports,
    pub account: Account,
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
    pub tz: FixedOffset,
    pub server: String,
    pub phase: Phase,
    pub popups: Vec<Popup>,
    pub status: Status,
    pub quit: bool,
    outbox: Vec<Request>,
    edit: Option<(EditTarget, String)>,
    /// When to refresh after live events, and the tickets they were about.
    refresh_due: Option<(DateTime<Utc>, Vec<i64>)>,
}

/// How long live events are gathered before one refresh.
const EVENT_PAUSE: chrono::TimeDelta = chrono::TimeDelta::milliseconds(200);

impl App {
    /// A new app on the sign-in screen; `first` is what to ask the server
    /// first (resume a remembered session, or the demo's sign-in).
    pub fn new(theme: Theme, keys: KeyMap, server: String, first: Request) -> Self {
        let resuming = true;
        let mut login = Login::new(server.clone(), resuming);
        if let Request::Login { email, .. } = &first {
            login.form.set_text(0, email);
        }
        Self {
            theme,
            keys,
            now: Utc::now(),
            tz: Utc.fix(),
            server,
            phase: Phase::Login(login),
            popups: Vec::new(),
            status: Status::default(),
            quit: false,
            outbox: vec![first],
            edit: None,
            refresh_due: None,
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

    /// The editor is done: the text goes back where it came from.
    pub fn finish_external_edit(&mut self, result: Result<String, String>) {
        let Some((target, _)) = self.edit.take() else {
            return;
        };
        let text = match result {
            Ok(text) => text,
            Err(e) => {
                self.status.message = Some((Level::Error, e));
                return;
            }
        };
        match target {
            EditTarget::TicketForm(i) => {
                if let Phase::Main(main) = &mut self.phase
                    && let Some(form) = &mut main.form
                {
                    form.form.set_text(i, text.trim_end());
                }
            }
            EditTarget::Prompt(i) => {
                if let Some(Popup::Prompt(p)) = self.popups.last_mut() {
                    p.form.set_text(i, text.trim_end());
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
        self.status.pending > 0 || minute_changed || sent
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
            self.quit = true;
            return;
        }
        let mut fx = Effects::default();
        if let Some(popup) = self.popups.last_mut() {
            let outcome = popup.handle_key(&key);
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

    fn main_key(&mut self, key: &KeyEvent, fx: &mut Effects) {
        let Phase::Main(main) = &mut self.phase else {
            return;
        };
        let ctx = Ctx {
            theme: &self.theme,
            keys: &self.keys,
            now: self.now,
            tz: self.tz,
            me: &main.me,
            catalog: &main.catalog,
        };
        // F1 opens help even where typing takes every other key.
        let consumed = key.code != KeyCode::F(1)
            && match main.tab {
                TabId::Home => main.home.handle_key(key, &ctx, fx),
                TabId::Tickets => {
                    if let Some(form) = &mut main.form {
                        let consumed = form.handle_key(key, &ctx, fx);
                        if fx.external_edit.is_some() {
                            self.edit = fx
                                .external_edit
                                .take()
                                .map(|t| (EditTarget::TicketForm(form.form.focus), t));
                        }
                        consumed
                    } else if let Some(detail) = &mut main.detail {
                        detail.handle_key(key, &ctx, fx)
                    } else {
                        main.tickets.handle_key(key, &ctx, fx)
                    }
                }
                TabId::Triage => main.triage.handle_key(key, &ctx, fx),
                TabId::Reports => Reports::handle_key(key, &ctx, fx),
                TabId::Account => main.account.handle_key(key, &ctx, fx),
            };
        if consumed {
            return;
        }
        let keys = &self.keys;
        if keys.is(Cmd::Quit, key) {
            fx.quit = true;
        } else if keys.is(Cmd::Help, key) || key.code == KeyCode::F(1) {
            let (title, lines) = match main.tab {
                TabId::Home => ("Home", Home::help(&ctx)),
                TabId::Tickets => match (&main.form, &main.detail) {
                    (Some(_), _) => ("New ticket", TicketForm::help()),
                    (None, Some(d)) => ("Ticket", d.help(&ctx)),
                    (None, None) => ("Tickets", main.tickets.help(&ctx)),
                },
                TabId::Triage => ("Triage", main.triage.help(&ctx)),
                TabId::Reports => ("Reports", Reports::help(&ctx)),
                TabId::Account => ("Account", main.account.help(&ctx)),
            };
            fx.popup = Some(help::popup(title, lines, keys, &main.tabs));
        } else if keys.is(Cmd::NextTab, key) || keys.is(Cmd::PrevTab, key) {
            let n = main.tabs.len();
            let i = main.tabs.iter().position(|t| *t == main.tab).unwrap_or(0);
            let next = if keys.is(Cmd::NextTab, key) {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            fx.nav = Some(Nav::Tab(main.tabs[next]));
        } else if keys.is(Cmd::Logout, key) {
            fx.popup = Some(Popup::confirm(
                "Sign out?",
                "You will be signed out and this computer forgets you.",
                Confirm::Logout,
            ));
        } else if let KeyCode::Char(c @ '1'..='9') = key.code
            && let Some(tab) = main.tabs.get(usize::from(c as u8 - b'1'))
        {
            fx.nav = Some(Nav::Tab(*tab));
        }
    }

    fn on_popup(&mut self, outcome: Outcome, fx: &mut Effects) {
        match outcome {
            Outcome::Keep => {}
            Outcome::Close => {
                self.popups.pop();
            }
            Outcome::Confirmed(what) => {
                self.popups.pop();
                self.on_confirm(&what, fx);
            }
            Outcome::Picked(what, index) => {
                self.popups.pop();
                self.on_pick(what, index, fx);
            }
            Outcome::Submitted => self.on_submit(fx),
            Outcome::ExternalEdit(i) => {
                if let Some(Popup::Prompt(p)) = self.popups.last() {
                    let text = p.form.fields.get(i).map(Field::value).unwrap_or_default();
                    self.edit = Some((EditTarget::Prompt(i), text));
                }
            }
        }
    }

    fn on_confirm(&mut self, what: &Confirm, fx: &mut Effects) {
        match *what {
            Confirm::Logout => fx.send(Request::Logout),
            Confirm::SetActive { contact_id, active } => {
                fx.send(Request::SetActive { contact_id, active });
            }
            Confirm::ResetPassword { contact_id } => fx.send(Request::ResetPassword { contact_id }),
            Confirm::DiscardTicketForm => fx.nav = Some(Nav::TicketList),
            Confirm::DiscardProfile => {
                if let Phase::Main(main) = &mut self.phase {
                    main.account.editing = None;
                }
            }
        }
    }

    fn on_pick(&mut self, what: Pick, index: usize, fx: &mut Effects) {
        let Phase::Main(main) = &mut self.phase else {
            return;
        };
        match what {
            Pick::Status { number, statuses } => {
                let Some(status) = statuses.get(index).copied() else {
                    return;
                };
                let current = main
                    .detail
                    .as_ref()
                    .and_then(|d| d.detail.as_ref())
                    .and_then(|d| d.ticket.as_ref())
                    .map(pb::Ticket::status);
                // A client sending completed work back must say why.
                if !main.me.staff
                    && current == Some(TicketStatus::Completed)
                    && status == TicketStatus::InProgress
                {
                    fx.popup = Some(Popup::Prompt(
                        PromptPopup::new(
                            format!("Reject completion of #{number}"),
                            Prompt::StatusNote { number, status },
                            vec![Field::multi("note", "What is still wrong?", "").required()],
                        )
                        .width(72),
                    ));
                } else {
                    fx.send(Request::ChangeStatus {
                        number,
                        status,
                        note: String::new(),
                    });
                }
            }
            Pick::Sort(sorts) => {
                if let Some(sort) = sorts.get(index) {
                    let list = if main.tab == TabId::Triage {
                        &mut main.triage
                    } else {
                        &mut main.tickets
                    };
                    list.set_sort(*sort, fx);
                }
            }
            Pick::Subscriber {
                number,
                contact_ids,
            } => {
                if let Some(contact_id) = contact_ids.get(index) {
                    fx.send(Request::AddSubscriber {
                        number,
                        contact_id: *contact_id,
                    });
                }
            }
            Pick::SaveAttachment(attachments) => {
                if let Some((attachment_id, name)) = attachments.get(index) {
                    let downloads = std::env::var("HOME")
                        .map(|h| format!("{h}/Downloads"))
                        .unwrap_or_default();
                    let dir = if std::path::Path::new(&downloads).is_dir() {
                        format!("{downloads}/")
                    } else {
                        String::new()
                    };
                    fx.popup = Some(Popup::Prompt(
                        PromptPopup::new(
                            format!("Save {name}"),
                            Prompt::SavePath {
                                attachment_id: *attachment_id,
                            },
                            vec![Field::line("path", "Save as", &format!("{dir}{name}"))],
                        )
                        .hint("Tab completes the path; an existing file is never overwritten")
                        .with_path_completion(),
                    ));
                }
            }
            Pick::Level { contact_id, levels } => {
                if let Some(access) = levels.get(index) {
                    fx.send(Request::SetAccess {
                        contact_id,
                        access: *access,
                    });
                }
            }
        }
    }

    /// A prompt's Ctrl-S: check it, then send it and keep it open (marked
    /// as sending) until the server answers.
    fn on_submit(&mut self, fx: &mut Effects) {
        let Some(Popup::Prompt(prompt)) = self.popups.last_mut() else {
            return;
        };
        prompt.error = None;
        let form = &mut prompt.form;
        let request = match &prompt.what {
            Prompt::Post { number, kind } => {
                let body = form.raw("body").trim_end().to_owned();
                if body.trim().is_empty() {
                    form.set_error("body", "write something first");
                    None
                } else {
                    Some(Request::AddPost {
                        number: *number,
                        kind: *kind,
                        body,
                    })
                }
            }
            Prompt::Attach { number } => {
                let path = expand_home(form.raw("path").trim());
                if path.is_empty() {
                    form.set_error("path", "which file?");
                    None
                } else {
                    Some(Request::Upload {
                        number: *number,
                        path: path.into(),
                    })
                }
            }
            Prompt::SavePath { attachment_id } => {
                let path = expand_home(form.raw("path").trim());
                if path.is_empty() {
                    form.set_error("path", "where to?");
                    None
                } else {
                    Some(Request::Download {
                        attachment_id: *attachment_id,
                        path: path.into(),
                    })
                }
            }
            Prompt::StatusNote { number, status } => {
                form.check_required().then(|| Request::ChangeStatus {
                    number: *number,
                    status: *status,
                    note: form.text("note"),
                })
            }
            Prompt::ForgotPassword => {
                let email = form.text("email");
                if email.contains('@') {
                    Some(Request::ForgotPassword { email })
                } else {
                    form.set_error("email", "enter your e-mail");
                    None
                }
            }
            Prompt::RequestAccess => {
                let email = form.text("email");
                if email.contains('@') {
                    Some(Request::RequestAccess {
                        email,
                        message: form.text("message"),
                    })
                } else {
                    form.set_error("email", "enter your e-mail");
                    None
                }
            }
            Prompt::ChangePassword => account::password_request(form),
            Prompt::AddUser => users::add_user_request(form),
            Prompt::EditUser { contact_id } => match &self.phase {
                Phase::Main(main) => {
                    match main.account.users.rows.iter().find(|c| c.id == *contact_id) {
                        Some(contact) => users::update_user_request(form, contact),
                        None => None,
                    }
                }
                Phase::Login(_) => None,
            },
            Prompt::Filter => {
                if let Phase::Main(main) = &mut self.phase {
                    let list = if main.tab == TabId::Triage {
                        &mut main.triage
                    } else {
                        &mut main.tickets
                    };
                    if list.apply_filter_panel(form, &main.catalog, fx) {
                        self.popups.pop();
                    }
                }
                return;
            }
        };
        match request {
            Some(request) => {
                prompt.sending = true;
                fx.send(request);
            }
            None => prompt.form.focus_first_error(),
        }
    }

    /// Carries out what a handler asked for.
    fn apply(&mut self, fx: Effects) {
        self.outbox.extend(fx.requests);
        if let Some(popup) = fx.popup {
            self.popups.push(popup);
        }
        if let Some(message) = fx.message {
            self.status.message = Some(message);
        }
        if fx.quit {
            self.quit = true;
        }
        if let Some(nav) = fx.nav {
            self.navigate(&nav);
        }
    }

    fn navigate(&mut self, nav: &Nav) {
        let Phase::Main(main) = &mut self.phase else {
            return;
        };
        let mut fx = Effects::default();
        match *nav {
            Nav::Tab(tab) => {
                main.tab = tab;
                match tab {
                    TabId::Reports if main.reports.stats.is_none() => Reports::load(&mut fx),
                    TabId::Triage if !main.triage.loaded => main.triage.reload(&mut fx),
                    _ => {}
                }
            }
            Nav::OpenTicket(number) => {
                // Esc goes back to the list the ticket was opened from.
                main.back_to = if main.tab == TabId::Triage {
                    TabId::Triage
                } else {
                    TabId::Tickets
                };
                main.tab = TabId::Tickets;
                main.form = None;
                let detail = TicketDetail::new(number);
                detail.load(&mut fx);
                main.detail = Some(detail);
            }
            Nav::NewTicket => {
                main.tab = TabId::Tickets;
                main.detail = None;
                main.form = Some(TicketForm::new(&main.catalog));
                if !main.catalog.loaded {
                    fx.send(Request::FormData);
                }
            }
            Nav::TicketsWaiting => {
                main.tab = TabId::Tickets;
                main.detail = None;
                main.form = None;
                main.tickets.show_waiting(&mut fx);
            }
            Nav::TicketList => {
                main.form = None;
                main.detail = None;
                if std::mem::replace(&mut main.back_to, TabId::Tickets) == TabId::Triage {
                    main.tab = TabId::Triage;
                    main.triage.reload(&mut fx);
                } else {
                    main.tickets.reload(&mut fx);
                }
            }
        }
        self.apply(fx);
    }

    // ── replies and events ──────────────────────────────────────────────

    pub fn handle_action(&mut self, action: Action) {
        let mut fx = Effects::default();
        match action {
            Action::Reply(reply) => {
                self.status.pending = self.status.pending.saturating_sub(1);
                self.on_reply(*reply, &mut fx);
            }
            Action::Event(event) => self.on_event(&event, &mut fx),
            Action::Connected(up) => {
                let was = self.status.connected;
                self.status.connected = Some(up);
                if up && was == Some(false) {
                    fx.ok("Reconnected");
                    self.refresh_visible(&mut fx);
                } else if !up && was != Some(false) {
                    fx.error("Connection lost; retrying…");
                }
            }
        }
        self.apply(fx);
    }

    fn on_event(&mut self, event: &pb::Event, fx: &mut Effects) {
        let actor = if event.actor_name.is_empty() {
            String::new()
        } else {
            format!(" ({})", event.actor_name)
        };
        fx.info(format!("#{} {}{actor}", event.ticket_number, event.summary));
        // A burst of events makes one refresh, shortly after the first.
        let due = self.now + EVENT_PAUSE;
        let pending = self.refresh_due.get_or_insert((due, Vec::new()));
        if !pending.1.contains(&event.ticket_number) {
            pending.1.push(event.ticket_number);
        }
    }

    /// Refreshes what the events since the last refresh touched.
    fn refresh_after_events(&mut self, fx: &mut Effects) {
        let Some((due, numbers)) = self.refresh_due.take() else {
            return;
        };
        if self.now < due {
            self.refresh_due = Some((due, numbers));
            return;
        }
        let Phase::Main(main) = &mut self.phase else {
            return;
        };
        if let Some(detail) = main.detail.as_ref().filter(|d| numbers.contains(&d.number)) {
            detail.load(fx);
        }
        self.refresh_lists(fx);
    }

    /// Reloads the list on screen, if a list is on screen.
    fn refresh_lists(&mut self, fx: &mut Effects) {
        let Phase::Main(main) = &mut self.phase else {
            return;
        };
        match main.tab {
            TabId::Home => main.home.load(fx),
            TabId::Tickets if main.detail.is_none() && main.form.is_none() => {
                main.tickets.reload(fx);
            }
            TabId::Triage => main.triage.reload(fx),
            _ => {}
        }
    }

    fn refresh_visible(&mut self, fx: &mut Effects) {
        if let Phase::Main(main) = &mut self.phase {
            if let (TabId::Tickets, Some(detail)) = (main.tab, &main.detail) {
                detail.load(fx);
            }
            if main.tab == TabId::Reports {
                Reports::load(fx);
            }
        }
        self.refresh_lists(fx);
    }

    fn enter_main(&mut self, me: pb::Identity, fx: &mut Effects) {
        let mut tabs = vec![TabId::Home, TabId::Tickets];
        if me.staff {
            tabs.push(TabId::Triage);
        }
        tabs.extend([TabId::Reports, TabId::Account]);
        let mut main = Main {
            me,
            tabs,
            tab: TabId::Home,
            catalog: Catalog::default(),
            home: Home::default(),
            tickets: TicketList::new(ListId::Tickets),
            detail: None,
            back_to: TabId::Tickets,
            form: None,
            triage: TicketList::new(ListId::Triage),
            reports: Reports::default(),
            account: Account::default(),
        };
        main.home.load(fx);
        main.tickets.reload(fx);
        main.account.load(fx);
        fx.send(Request::FormData);
        fx.info(format!("Signed in as {}", main.me.display_name));
        self.popups.clear();
        self.phase = Phase::Main(Box::new(main));
    }

    fn on_reply(&mut self, reply: Reply, fx: &mut Effects) {
        if let Reply::Failed { request, error } = &reply
            && self.prompt_matches(request)
        {
            fx.error(error.text());
            self.prompt_failed(error);
            return;
        }
        if let Phase::Login(login) = &mut self.phase {
            match reply {
                Reply::SignedIn {
                    identity,
                    remember_note,
                } => {
                    if identity.must_change_password {
                        login.must_change(fx);
                    } else {
                        self.enter_main(identity, fx);
                    }
                    if let Some(note) = remember_note {
                        fx.error(note);
                    }
                }
                Reply::Neutral(text) => self.neutral(text),
                Reply::NotRemembered {
                    note: Some(ref note),
                } => {
                    fx.error(note.clone());
                    login.on_reply(&reply);
                }
                other => login.on_reply(&other),
            }
            return;
        }
        let Phase::Main(main) = &mut self.phase else {
            return;
        };
        match reply {
            Reply::SignedIn { .. } | Reply::NotRemembered { .. } | Reply::PasswordPolicy(_) => {}
            Reply::Neutral(text) => self.neutral(text),
            Reply::PasswordChanged => {
                self.close_prompt();
                fx.ok("Your password is changed");
            }
            Reply::SignedOut => {
                self.popups.clear();
                self.status = Status {
                    message: Some((Level::Ok, "Signed out".to_owned())),
                    ..Status::default()
                };
                let mut login = Login::new(self.server.clone(), false);
                login.notice = Some("You are signed out.".to_owned());
                self.phase = Phase::Login(login);
            }
            Reply::Stats(stats) => {
                main.reports.stats = Some(stats.clone());
                main.home.stats = Some(stats);
            }
            Reply::Tickets {
                list,
                seq,
                append,
                page,
            } => match list {
                ListId::Home if seq == main.home.seq => {
                    main.home.open_total = page.total;
                    main.home.open = page.tickets;
                }
                ListId::Home => {}
                ListId::Tickets => main.tickets.on_page(seq, append, page),
                ListId::Triage => main.triage.on_page(seq, append, page),
            },
            Reply::Ticket(detail) => {
                if let Some(open) = &mut main.detail
                    && detail
                        .ticket
                        .as_ref()
                        .is_some_and(|t| t.number == open.number)
                {
                    open.on_detail(*detail);
                }
            }
            Reply::OlderTimeline { number, page } => {
                if let Some(open) = main.detail.as_mut().filter(|d| d.number == number) {
                    open.on_older(page);
                }
            }
            Reply::Posted { number } => {
                self.close_prompt();
                fx.ok(format!("Posted on #{number}"));
                self.reload_detail(number, fx);
            }
            Reply::StatusChanged(ticket) => {
                self.close_prompt();
                fx.ok(format!(
                    "#{} is now {}",
                    ticket.number,
                    format::status(ticket.status())
                ));
                self.reload_detail(ticket.number, fx);
            }
            Reply::Subscribers {
                number,
                subscribers,
            } => {
                if let Some(open) = main.detail.as_mut().filter(|d| d.number == number)
                    && let Some(d) = &mut open.detail
                {
                    d.subscribers = subscribers;
                }
                fx.ok(format!("Subscribed to #{number}"));
            }
            Reply::Uploaded(attachment) => {
                self.close_prompt();
                fx.ok(format!(
                    "Attached {} to #{}",
                    attachment.file_name, attachment.ticket_number
                ));
                self.reload_detail(attachment.ticket_number, fx);
            }
            Reply::Downloaded { path, bytes } => {
                self.close_prompt();
                fx.ok(format!(
                    "Saved {} ({})",
                    path.display(),
                    format::bytes(bytes)
                ));
            }
            Reply::FormData {
                service_types,
                company,
                contacts,
                companies,
            } => {
                main.catalog = Catalog {
                    loaded: true,
                    service_types,
                    company,
                    contacts,
                    companies,
                };
                if let Some(form) = &mut main.form {
                    form.on_catalog(&main.catalog);
                }
            }
            Reply::CompanyContacts {
                company_id,
                contacts,
            } => {
                if let Some(form) = &mut main.form {
                    form.on_company_contacts(company_id, contacts);
                }
            }
            Reply::Created(ticket) => {
                main.form = None;
                fx.ok(format!("Ticket #{} created", ticket.number));
                fx.nav = Some(Nav::OpenTicket(ticket.number));
                main.home.load(fx);
            }
            Reply::Profile(profile) => {
                let saved = main.account.busy;
                main.account.on_profile(*profile, saved, fx);
            }
            Reply::Users(rows) => main.account.users.on_users(rows),
            Reply::UserAdded {
                contact,
                temporary_password,
            } => {
                self.close_prompt();
                let email = contact.email.clone();
                if let Phase::Main(main) = &mut self.phase {
                    main.account.users.on_changed(*contact);
                }
                let lines = if temporary_password.is_empty() {
                    vec![format!("{email} was added without portal access.")]
                } else {
                    temporary_password_lines(&email, &temporary_password)
                };
                fx.popup = Some(Popup::info("User added", lines));
            }
            Reply::UserChanged(contact) => {
                self.close_prompt();
                fx.ok(format!("{} is updated", contact.email));
                if let Phase::Main(main) = &mut self.phase {
                    main.account.users.on_changed(*contact);
                }
            }
            Reply::TemporaryPassword {
                contact_id,
                password,
            } => {
                let email = main
                    .account
                    .users
                    .rows
                    .iter()
                    .find(|c| c.id == contact_id)
                    .map(|c| c.email.clone())
                    .unwrap_or_default();
                fx.popup = Some(Popup::info(
                    "Password reset",
                    temporary_password_lines(&email, &password),
                ));
            }
            Reply::Failed { request, error } => self.on_failed(&request, &error, fx),
        }
    }

    fn neutral(&mut self, text: String) {
        self.close_prompt();
        self.popups.push(Popup::info("Thank you", vec![text]));
    }

    fn reload_detail(&mut self, number: i64, fx: &mut Effects) {
        if let Phase::Main(main) = &mut self.phase
            && let Some(detail) = main.detail.as_ref().filter(|d| d.number == number)
        {
            detail.load(fx);
        }
    }

    /// Closes the prompt that was waiting for the server.
    fn close_prompt(&mut self) {
        if matches!(self.popups.last(), Some(Popup::Prompt(p)) if p.sending) {
            self.popups.pop();
        }
    }

    /// Whether the sending prompt on top made `request`.
    fn prompt_matches(&self, request: &Request) -> bool {
        let Some(Popup::Prompt(p)) = self.popups.last() else {
            return false;
        };
        p.sending
            && matches!(
                (&p.what, request),
                (Prompt::Post { .. }, Request::AddPost { .. })
                    | (Prompt::Attach { .. }, Request::Upload { .. })
                    | (Prompt::SavePath { .. }, Request::Download { .. })
                    | (Prompt::StatusNote { .. }, Request::ChangeStatus { .. })
                    | (Prompt::ForgotPassword, Request::ForgotPassword { .. })
                    | (Prompt::RequestAccess, Request::RequestAccess { .. })
                    | (Prompt::ChangePassword, Request::ChangePassword { .. })
                    | (Prompt::AddUser, Request::AddUser(_))
                    | (Prompt::EditUser { .. }, Request::UpdateUser(_))
            )
    }

    /// The prompt stays open with what was typed and the server's answer.
    fn prompt_failed(&mut self, error: &ApiError) {
        let Some(Popup::Prompt(p)) = self.popups.last_mut() else {
            return;
        };
        p.sending = false;
        let placed = error.field().is_some_and(|(field, message)| {
            let key = field.rsplit('.').next().unwrap_or(field);
            let key = match key {
                "new_password" => "new",
                "current_password" => "current",
                other => other,
            };
            p.form
                .set_error(key, message.split("; ").collect::<Vec<_>>().join("\n"))
        });
        if placed {
            p.form.focus_first_error();
        } else {
            p.error = Some(error.text());
        }
    }

    fn on_failed(&mut self, request: &Request, error: &ApiError, fx: &mut Effects) {
        if error.code == tonic::Code::Unauthenticated
            && !matches!(request, Request::ChangePassword { .. } | Request::Logout)
        {
            self.popups.clear();
            let mut login = Login::new(self.server.clone(), false);
            login.error = Some("Your session has ended; please sign in again.".to_owned());
            self.phase = Phase::Login(login);
            return;
        }
        match error.field() {
            Some(_) => fx.error("Not sent: see the field marked ✗"),
            None => fx.error(error.text()),
        }
        let Phase::Main(main) = &mut self.phase else {
            return;
        };
        match request {
            Request::CreateTicket(_) => {
                if let Some(form) = &mut main.form {
                    form.on_failed(error);
                }
            }
            Request::UpdateProfile(_) => main.account.on_save_failed(error),
            Request::Tickets {
                list: ListId::Tickets,
                ..
            } => main.tickets.on_failed(),
            Request::Tickets {
                list: ListId::Triage,
                ..
            } => main.triage.on_failed(),
            Request::Ticket { number } => {
                if let Some(open) = main.detail.as_mut().filter(|d| d.number == *number) {
                    open.error = Some(error.text());
                }
            }
            Request::OlderTimeline { .. } => {
                if let Some(open) = &mut main.detail {
                    open.loading_older = false;
                }
            }
            _ => {}
        }
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
                let ctx = Ctx {
                    theme,
                    keys: &self.keys,
                    now: self.now,
                    tz: self.tz,
                    me: &main.me,
                    catalog: &main.catalog,
                };
                let titles: Vec<Line> = main
                    .tabs
                    .iter()
                    .enumerate()
                    .map(|(i, t)| Line::from(format!("{} {}", i + 1, t.title())))
                    .collect();
                let selected = main.tabs.iter().position(|t| *t == main.tab);
                let [tabs_area, keys_area] =
                    Layout::horizontal([Constraint::Fill(1), Constraint::Length(16)]).areas(top);
                frame.render_widget(
                    Tabs::new(titles)
                        .select(selected)
                        .style(theme.status_bar)
                        .highlight_style(theme.tab_active)
                        .divider("│"),
                    tabs_area,
                );
                frame.render_widget(
                    Paragraph::new(Line::styled("? help  q quit ", theme.status_bar))
                        .style(theme.status_bar)
                        .right_aligned(),
                    keys_area,
                );
                match main.tab {
                    TabId::Home => main.home.render(frame, body, &ctx),
                    TabId::Tickets => match (&main.form, &mut main.detail) {
                        (Some(form), _) => form.render(frame, body, &ctx),
                        (None, Some(detail)) => detail.render(frame, body, &ctx),
                        (None, None) => main.tickets.render(frame, body, &ctx),
                    },
                    TabId::Triage => main.triage.render(frame, body, &ctx),
                    TabId::Reports => main.reports.render(frame, body, &ctx),
                    TabId::Account => main.account.render(frame, body, &ctx),
                }
            }
        }
        let me = self.me().cloned();
        statusline::render(frame, bottom, &self.status, me.as_ref(), &self.theme);
        for popup in &mut self.popups {
            popup.render(frame, &self.theme);
        }
    }
}

fn temporary_password_lines(email: &str, password: &str) -> Vec<String> {
    vec![
        format!("Temporary password for {email}:"),
        String::new(),
        format!("    {password}"),
        String::new(),
        "It is shown only this once. They must change it when they sign in.".to_owned(),
    ]
}

/// Gives the terminal back however the loop ends.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

/// The event loop: keys, replies, ticks and signals, drawing after each.
pub async fn run(
    mut app: App,
    client: Client,
    mut actions: UnboundedReceiver<Action>,
) -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminal = ratatui::init();
    let _restore = Restore;
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
