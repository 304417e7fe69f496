//! Replies from the server and live events: the app keeps the ones about
//! the session itself (signing in and out, the catalog) and hands the rest
//! to the prompt or the screens that asked.

use std::rc::Rc;

use chrono_tz::Tz;
use portal_proto::pb;

use super::{App, EVENT_PAUSE, Main, Phase, TicketsView};
use crate::action::{
    AccountCall, Action, ApiError, AuthCall, ListId, Reply, Request, TicketCall, WorkCall,
};
use crate::ui::account::Account;
use crate::ui::billing::Billing;
use crate::ui::companies::Companies;
use crate::ui::home::Home;
use crate::ui::login::Login;
use crate::ui::popup::Popup;
use crate::ui::reports::Reports;
use crate::ui::tickets::TicketList;
use crate::ui::{Catalog, Ctx, Effects, Screen, TabId};

impl App {
    pub fn handle_action(&mut self, action: Action) {
        let mut fx = Effects::default();
        match action {
            Action::Reply(reply) => {
                self.status.pending = self.status.pending.saturating_sub(1);
                // A call that could not reach the server says the connection
                // is down at once; one that got through says it is back.
                match &*reply {
                    Reply::Failed { error, .. } if error.is_connection() => {
                        self.connected(false, &mut fx);
                    }
                    Reply::Failed { .. } => {}
                    _ if self.status.connected == Some(false) => self.connected(true, &mut fx),
                    _ => {}
                }
                self.on_reply(*reply, &mut fx);
            }
            Action::Event(event) => self.on_event(&event, &mut fx),
            Action::SessionEnded => self.session_ended(),
            Action::Connected(up) => self.connected(up, &mut fx),
        }
        self.apply(fx);
    }

    /// The connection went down or came back; back, everything open is
    /// fetched again, so what changed meanwhile shows.
    fn connected(&mut self, up: bool, fx: &mut Effects) {
        if !matches!(self.phase, Phase::Main(_)) {
            return;
        }
        let was = self.status.connected;
        self.status.connected = Some(up);
        if up && was == Some(false) {
            fx.ok("Reconnected");
            self.refresh_visible(fx);
        } else if !up && was != Some(false) {
            fx.error("Connection lost; retrying…");
        }
    }

    pub(super) fn on_event(&mut self, event: &pb::Event, fx: &mut Effects) {
        // One's own changes were already said when the server took them.
        let mine = self
            .me()
            .is_some_and(|me| !event.actor_name.is_empty() && event.actor_name == me.display_name);
        if event.kind() == pb::EventKind::Resync {
            fx.info("Some live updates were missed; refreshing");
        } else if event.kind() == pb::EventKind::AssignedToMe {
            // Said loudly, and the queue follows even when not on show.
            fx.ok(event.summary.clone());
            if let Phase::Main(main) = &mut self.phase
                && main.triage.loaded
                && main.tab != TabId::Triage
            {
                main.triage.reload(fx);
            }
        } else if !mine {
            let actor = if event.actor_name.is_empty() {
                String::new()
            } else {
                format!(" ({})", event.actor_name)
            };
            // Some summaries name the ticket themselves; money events
            // name their invoice; the library's are about no ticket.
            let number = format!("#{}", event.ticket_number);
            let text = if event.invoice_number > 0
                || event.ticket_number == 0
                || event.summary.starts_with(&number)
            {
                format!("{}{actor}", event.summary)
            } else {
                format!("{number} {}{actor}", event.summary)
            };
            fx.info(text);
        }
        // A burst of events makes one refresh, shortly after the first.
        let due = self.now + EVENT_PAUSE;
        let pending = self.refresh_due.get_or_insert((due, Vec::new()));
        if !pending.1.contains(&event.ticket_number) {
            pending.1.push(event.ticket_number);
        }
    }

    /// Refreshes what the events since the last refresh touched: the open
    /// ticket if it was one of them, else the screen on show.
    pub(super) fn refresh_after_events(&mut self, fx: &mut Effects) {
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
        // Home's counts follow every change, one's own too.
        if main.tab != TabId::Home {
            main.home.refresh(fx);
        }
        if let Some(ticket) = main.detail() {
            if numbers.contains(&ticket.number) {
                ticket.load(fx);
            }
            if main.ticket_on_show() {
                return;
            }
        }
        main.screen(main.tab).refresh(fx);
    }

    /// Fetches again what is open (after a reconnect): Home, the open
    /// ticket, and the screen on show.
    pub(super) fn refresh_visible(&mut self, fx: &mut Effects) {
        if let Phase::Main(main) = &mut self.phase {
            if main.tab != TabId::Home {
                main.home.refresh(fx);
            }
            if let Some(ticket) = main.detail()
                && main.tab != TabId::Tickets
            {
                ticket.load(fx);
            }
            main.screen(main.tab).refresh(fx);
        }
    }

    pub(super) fn enter_main(&mut self, me: pb::Identity, fx: &mut Effects) {
        let mut tabs = vec![TabId::Home, TabId::Tickets];
        if me.staff {
            tabs.push(TabId::Triage);
        }
        // Reports: client Managers and Admins, Dispatchers and provider
        // Admins (docs/ROLES.md).
        let reports = if me.staff {
            me.role() != pb::StaffRole::Technician
        } else {
            me.access() >= pb::AccessLevel::Manager
        };
        if reports {
            tabs.push(TabId::Reports);
        }
        tabs.push(TabId::Account);
        // Money is for provider Admins among staff (docs/ROLES.md).
        if me.staff && me.role() == pb::StaffRole::Admin {
            tabs.push(TabId::Billing);
        }
        if me.staff {
            tabs.push(TabId::Companies);
        }
        let decides_estimates = !me.staff && me.access() >= pb::AccessLevel::Manager;
        let mut main = Main {
            // The server names a zone it knows; UTC only if it is too old to.
            tz: me.time_zone.parse().unwrap_or(Tz::UTC),
            me,
            tabs,
            tab: TabId::Home,
            catalog: Rc::default(),
            home: Home {
                decides_estimates,
                // Client Managers and Admins: staff have the Billing tab.
                sees_money: decides_estimates,
                ..Home::default()
            },
            home_ticket: None,
            tickets: TicketList::new(ListId::Tickets),
            view: TicketsView::List,
            triage: TicketList::new(ListId::Triage),
            reports: Reports::default(),
            companies: Companies::default(),
            account: Account::default(),
            billing: Billing::default(),
        };
        let size = |list| crate::page_size::of(&self.page_sizes, list);
        main.home.page_size = size("home");
        main.tickets.page_size = size("tickets");
        main.triage.page_size = size("triage");
        main.account.invoices.page_size = size("invoices");
        main.billing.invoices.page_size = size("invoices");
        main.companies.admin.audit.page_size = size("audit");
        // A Technician's Triage opens on their queue (docs/TICKETS.md).
        if main.me.staff && main.me.role() == pb::StaffRole::Technician {
            main.triage.filter.assigned_staff_id = main.me.id;
        }
        main.home.load(fx);
        main.tickets.reload(fx);
        main.account.load(fx);
        fx.send(TicketCall::FormData);
        if main.me.staff {
            fx.send(WorkCall::GetTimer);
        }
        self.popups.clear();
        self.status.reset();
        self.phase = Phase::Main(Box::new(main));
    }

    pub(super) fn on_reply(&mut self, reply: Reply, fx: &mut Effects) {
        if let Reply::Failed { request, error } = &reply
            && self.prompt_asked(request)
        {
            if self.prompt_failed(error) {
                fx.error("Not sent: see the field marked ✗");
            } else {
                fx.error(error.text());
            }
            return;
        }
        if let Phase::Login(_) = &self.phase {
            self.login_reply(reply, fx);
            return;
        }
        match reply {
            Reply::SignedIn { .. } | Reply::NotRemembered { .. } | Reply::PasswordPolicy(_) => {}
            Reply::Neutral(text) => self.neutral(text),
            Reply::PasswordChanged => {
                self.close_prompt();
                fx.ok("Your password is changed");
            }
            Reply::SignedOut => self.signed_out(),
            // Who I am follows my own changes (the welcome, the status line).
            Reply::Profile(ref profile) => {
                if let (Phase::Main(main), Some(me)) = (&mut self.phase, &profile.identity) {
                    main.me = me.clone();
                }
                self.each_screen(fx, |screen, ctx, fx| screen.on_reply(&reply, ctx, fx));
            }
            Reply::FormData {
                ref service_types,
                ref company,
                ref contacts,
                ref companies,
                ref staff,
            } => {
                if let Phase::Main(main) = &mut self.phase {
                    main.catalog = Rc::new(Catalog {
                        loaded: true,
                        service_types: service_types.clone(),
                        company: company.as_deref().cloned(),
                        contacts: contacts.clone(),
                        companies: companies.clone(),
                        staff: staff.clone(),
                    });
                }
                // The new-ticket form, if open, takes the catalog from its Ctx.
                self.each_screen(fx, |screen, ctx, fx| screen.on_reply(&reply, ctx, fx));
            }
            Reply::Failed { request, error } => self.on_failed(&request, &error, fx),
            // The status line shows the timer; the screens take it too.
            Reply::Timer(ref t) | Reply::TimerStopped(ref t) => {
                self.timer = t.running.then(|| t.clone());
                self.each_screen(fx, |screen, ctx, fx| screen.on_reply(&reply, ctx, fx));
            }
            reply => self.each_screen(fx, |screen, ctx, fx| screen.on_reply(&reply, ctx, fx)),
        }
    }

    /// Hands something to every open screen with the context they draw with.
    fn each_screen(
        &mut self,
        fx: &mut Effects,
        mut each: impl FnMut(&mut dyn Screen, &Ctx, &mut Effects),
    ) {
        let Phase::Main(main) = &mut self.phase else {
            return;
        };
        let shared = main.shared();
        let ctx = shared.ctx(&self.theme, &self.keys, self.now);
        for screen in main.screens() {
            each(screen, &ctx, fx);
        }
    }

    /// Replies while signed out go to the sign-in screen.
    fn login_reply(&mut self, reply: Reply, fx: &mut Effects) {
        let Phase::Login(login) = &mut self.phase else {
            return;
        };
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
    }

    fn signed_out(&mut self) {
        self.timer = None;
        self.popups.clear();
        self.status.reset();
        let mut login = Login::new(self.server.clone(), false);
        login.notice = Some("You signed out. Sign in again whenever you like.".to_owned());
        self.phase = Phase::Login(login);
    }

    pub(super) fn neutral(&mut self, text: String) {
        self.close_prompt();
        self.popups.push(Popup::info("Thank you", vec![text]));
    }

    /// Closes the prompt that was waiting for the server.
    pub(super) fn close_prompt(&mut self) {
        if matches!(self.popups.last(), Some(Popup::Prompt(p)) if p.sent.is_some()) {
            self.popups.pop();
            self.status.clear_error();
        }
    }

    /// Whether the prompt on top sent `request` and waits for its answer.
    pub(super) fn prompt_asked(&self, request: &Request) -> bool {
        matches!(self.popups.last(), Some(Popup::Prompt(p)) if p.sent.as_deref() == Some(request))
    }

    /// The prompt stays open with what was typed and the server's answer;
    /// true when the answer went beside a field.
    pub(super) fn prompt_failed(&mut self, error: &ApiError) -> bool {
        let Some(Popup::Prompt(p)) = self.popups.last_mut() else {
            return false;
        };
        p.sent = None;
        let placed = p.form.place_error(error);
        if !placed {
            p.error = Some(error.text());
        }
        placed
    }

    /// Back to sign-in, saying why. Once signed out (on purpose, say, when
    /// the live-update stream notices the session is gone) there is nothing
    /// to end.
    fn session_ended(&mut self) {
        if matches!(self.phase, Phase::Login(_)) {
            return;
        }
        self.popups.clear();
        self.status.reset();
        let mut login = Login::new(self.server.clone(), false);
        login.error = Some("Your session has ended; please sign in again.".to_owned());
        self.phase = Phase::Login(login);
    }

    /// A failed call: the session may be over; else say so, and let the
    /// screen that asked keep its state right.
    pub(super) fn on_failed(&mut self, request: &Request, error: &ApiError, fx: &mut Effects) {
        if error.code == tonic::Code::Unauthenticated
            && !matches!(
                request,
                Request::Account(AccountCall::ChangePassword { .. })
                    | Request::Auth(AuthCall::Logout)
            )
        {
            self.session_ended();
            return;
        }
        match error.field() {
            Some(_) => fx.error("Not sent: see the field marked ✗"),
            None => fx.error(error.text()),
        }
        self.each_screen(fx, |screen, _, fx| screen.on_failed(request, error, fx));
    }
}
