//! Replies from the server and live events: where each one goes.

use chrono_tz::Tz;
use portal_proto::pb;

use super::{App, EVENT_PAUSE, Main, Phase};
use crate::action::{AccountCall, Action, ApiError, AuthCall, ListId, Reply, Request, TicketCall};
use crate::ui::account::Account;
use crate::ui::home::Home;
use crate::ui::login::Login;
use crate::ui::popup::{Popup, Prompt};
use crate::ui::reports::Reports;
use crate::ui::statusline::Status;
use crate::ui::tickets::TicketList;
use crate::ui::{Catalog, Effects, Level, Nav, TabId, format};

impl App {
    pub fn handle_action(&mut self, action: Action) {
        let mut fx = Effects::default();
        match action {
            Action::Reply(reply) => {
                self.status.pending = self.status.pending.saturating_sub(1);
                self.on_reply(*reply, &mut fx);
            }
            Action::Event(event) => self.on_event(&event, &mut fx),
            Action::SessionEnded => self.session_ended(),
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

    pub(super) fn on_event(&mut self, event: &pb::Event, fx: &mut Effects) {
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
        if let Some(detail) = main.detail.as_ref().filter(|d| numbers.contains(&d.number)) {
            detail.load(fx);
        }
        self.refresh_lists(fx);
    }

    /// Reloads the list on screen, if a list is on screen.
    pub(super) fn refresh_lists(&mut self, fx: &mut Effects) {
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

    pub(super) fn refresh_visible(&mut self, fx: &mut Effects) {
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

    pub(super) fn enter_main(&mut self, me: pb::Identity, fx: &mut Effects) {
        let mut tabs = vec![TabId::Home, TabId::Tickets];
        if me.staff {
            tabs.push(TabId::Triage);
        }
        tabs.extend([TabId::Reports, TabId::Account]);
        let mut main = Main {
            // The server names a zone it knows; UTC only if it is too old to.
            tz: me.time_zone.parse().unwrap_or(Tz::UTC),
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
        fx.send(TicketCall::FormData);
        fx.info(format!("Signed in as {}", main.me.display_name));
        self.popups.clear();
        self.phase = Phase::Main(Box::new(main));
    }

    pub(super) fn on_reply(&mut self, reply: Reply, fx: &mut Effects) {
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
                staff,
            } => {
                main.catalog = Catalog {
                    loaded: true,
                    service_types,
                    company: company.map(|c| *c),
                    contacts,
                    companies,
                    staff,
                };
                if let Some(form) = &mut main.form {
                    form.on_catalog(&main.catalog);
                }
            }
            Reply::Changed { number, what } => {
                self.close_prompt();
                fx.ok(format!("#{number}: {what}"));
                self.reload_detail(number, fx);
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

    pub(super) fn neutral(&mut self, text: String) {
        self.close_prompt();
        self.popups.push(Popup::info("Thank you", vec![text]));
    }

    pub(super) fn reload_detail(&mut self, number: i64, fx: &mut Effects) {
        if let Phase::Main(main) = &mut self.phase
            && let Some(detail) = main.detail.as_ref().filter(|d| d.number == number)
        {
            detail.load(fx);
        }
    }

    /// Closes the prompt that was waiting for the server.
    pub(super) fn close_prompt(&mut self) {
        if matches!(self.popups.last(), Some(Popup::Prompt(p)) if p.sending) {
            self.popups.pop();
        }
    }

    /// Whether the sending prompt on top made `request`.
    pub(super) fn prompt_matches(&self, request: &Request) -> bool {
        let Some(Popup::Prompt(p)) = self.popups.last() else {
            return false;
        };
        p.sending
            && matches!(
                (&p.what, request),
                (
                    Prompt::Post { .. },
                    Request::Ticket(TicketCall::AddPost { .. })
                ) | (
                    Prompt::Attach { .. },
                    Request::Ticket(TicketCall::Upload { .. })
                ) | (
                    Prompt::AddTask { .. },
                    Request::Ticket(TicketCall::AddTask { .. })
                ) | (
                    Prompt::SavePath { .. },
                    Request::Ticket(TicketCall::Download { .. })
                ) | (
                    Prompt::StatusNote { .. },
                    Request::Ticket(TicketCall::ChangeStatus { .. })
                ) | (
                    Prompt::ForgotPassword,
                    Request::Auth(AuthCall::ForgotPassword { .. })
                ) | (
                    Prompt::RequestAccess,
                    Request::Auth(AuthCall::RequestAccess { .. })
                ) | (
                    Prompt::ChangePassword,
                    Request::Account(AccountCall::ChangePassword { .. })
                ) | (Prompt::AddUser, Request::Account(AccountCall::AddUser(_)))
                    | (
                        Prompt::EditUser { .. },
                        Request::Account(AccountCall::UpdateUser(_))
                    )
            )
    }

    /// The prompt stays open with what was typed and the server's answer.
    pub(super) fn prompt_failed(&mut self, error: &ApiError) {
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

    /// Back to sign-in, saying why.
    fn session_ended(&mut self) {
        self.popups.clear();
        let mut login = Login::new(self.server.clone(), false);
        login.error = Some("Your session has ended; please sign in again.".to_owned());
        self.phase = Phase::Login(login);
    }

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
        let Phase::Main(main) = &mut self.phase else {
            return;
        };
        match request {
            Request::Ticket(TicketCall::CreateTicket(_)) => {
                if let Some(form) = &mut main.form {
                    form.on_failed(error);
                }
            }
            Request::Account(AccountCall::UpdateProfile(_)) => main.account.on_save_failed(error),
            Request::Ticket(TicketCall::List {
                list: ListId::Tickets,
                ..
            }) => main.tickets.on_failed(),
            Request::Ticket(TicketCall::List {
                list: ListId::Triage,
                ..
            }) => main.triage.on_failed(),
            Request::Ticket(TicketCall::Get { number }) => {
                if let Some(open) = main.detail.as_mut().filter(|d| d.number == *number) {
                    open.error = Some(error.text());
                }
            }
            Request::Ticket(TicketCall::OlderTimeline { .. }) => {
                if let Some(open) = &mut main.detail {
                    open.loading_older = false;
                }
            }
            _ => {}
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
