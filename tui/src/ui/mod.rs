//! Screens and the pieces they share. Each screen is a component
//! ([`Screen`]): it keeps its state, handles its keys, says what it wants
//! (requests, popups, navigation) through [`Effects`], draws itself, and takes
//! the server's answers to what it asked.

pub mod account;
pub mod admin_views;
pub mod agreements;
pub mod audit;
pub mod backup;
pub mod billing;
pub mod chat;
pub mod checks;
pub mod companies;
pub mod form;
pub mod format;
pub mod help;
pub mod home;
pub mod input;
pub mod invoices;
pub mod knowledge;
pub mod login;
pub mod markdown;
pub mod my_time;
pub mod palette;
pub mod popup;
pub mod reports;
pub mod requests;
pub mod rows;
pub mod sessions;
pub mod settings;
pub mod settings_forms;
pub mod sla;
pub mod ssh_keys;
pub mod statusline;
pub mod subscriptions;
pub mod suggestions;
pub mod team;
pub mod text_box;
pub mod ticket_detail;
pub mod ticket_form;
pub mod ticket_work;
pub mod tickets;
pub mod triage;
pub mod users;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use crossterm::event::KeyEvent;
use portal_proto::pb;
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};

use crate::action::{ApiError, Reply, Request};
use crate::keys::{Cmd, KeyMap};
use crate::theme::Theme;

/// What every screen may read while handling a key or drawing.
pub struct Ctx<'a> {
    pub theme: &'a Theme,
    pub keys: &'a KeyMap,
    /// "Now", injected so drawing is deterministic.
    pub now: DateTime<Utc>,
    /// The zone times are shown in.
    pub tz: Tz,
    pub me: &'a pb::Identity,
    pub catalog: &'a Catalog,
}

/// Reference data fetched once after sign-in: the service types for the
/// new-ticket form and filters, the company (sites, PO rule) and its contacts.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub loaded: bool,
    pub service_types: Vec<pb::ServiceType>,
    pub company: Option<pb::Company>,
    pub contacts: Vec<pb::Contact>,
    /// Staff: the companies a ticket may be raised for.
    pub companies: Vec<pb::Company>,
    /// Staff: who tickets may be assigned to.
    pub staff: Vec<pb::StaffMember>,
}

impl Catalog {
    /// Service types in picker order: by sort order, "Other" last.
    pub fn ordered_types(&self) -> Vec<&pb::ServiceType> {
        let mut types: Vec<&pb::ServiceType> =
            self.service_types.iter().filter(|t| t.active).collect();
        types.sort_by_key(|t| {
            (
                t.name.eq_ignore_ascii_case("other"),
                t.sort_order,
                t.name.clone(),
            )
        });
        types
    }

    pub fn contact_name(contact: &pb::Contact) -> String {
        let d = contact.details.clone().unwrap_or_default();
        let name = format!("{} {}", d.first_name, d.last_name)
            .trim()
            .to_owned();
        if name.is_empty() {
            contact.email.clone()
        } else {
            name
        }
    }
}

impl Ctx<'_> {
    pub fn is_staff(&self) -> bool {
        self.me.staff
    }

    /// Client Admins and Managers (and staff) see the whole company.
    pub fn is_manager(&self) -> bool {
        self.me.staff
            || matches!(
                self.me.access(),
                pb::AccessLevel::Manager | pb::AccessLevel::Admin
            )
    }

    pub fn is_admin(&self) -> bool {
        (!self.me.staff && self.me.access() == pb::AccessLevel::Admin)
            || (self.me.staff && self.me.role() == pb::StaffRole::Admin)
    }
}

/// A screen of the signed-in app. The app gives keys to the screen on top,
/// every reply to every open screen (each acts only on answers to what it
/// asked: its list id and sequence number, its ticket number), and a popup's
/// [`popup::Then::Answer`] back to the screen that opened it.
pub trait Screen {
    /// The name the help popup shows.
    fn title(&self) -> &'static str;
    fn help(&self, ctx: &Ctx) -> HelpLines;
    /// True when the key was the screen's; false lets global keys have it.
    fn handle_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool;
    fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx);
    /// An answer from the server.
    fn on_reply(&mut self, _reply: &Reply, _ctx: &Ctx, _fx: &mut Effects) {}
    /// A request failed; `request` tells whether this screen asked.
    fn on_failed(&mut self, _request: &Request, _error: &ApiError, _fx: &mut Effects) {}
    /// The choice made in a popup this screen opened.
    fn on_answer(&mut self, _answer: usize, _ctx: &Ctx, _fx: &mut Effects) {}
    /// A prompt this screen opened with [`popup::Submit::ToScreen`] was sent;
    /// true when it is done with (the prompt closes).
    fn on_form(&mut self, _form: &mut form::Form, _ctx: &Ctx, _fx: &mut Effects) -> bool {
        false
    }
    /// Fetch again what is on screen (live changes, a reconnect).
    fn refresh(&mut self, _fx: &mut Effects) {}
    /// A left click at (`column`, `row`) of the terminal: a list selects
    /// the row there.
    fn click(&mut self, _column: u16, _row: u16, _ctx: &Ctx, _fx: &mut Effects) {}
    /// Whether something typed here would be lost on quitting.
    fn unsaved(&self) -> bool {
        false
    }
}

/// Where to go next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Nav {
    Tab(TabId),
    OpenTicket(i64),
    NewTicket,
    /// The Tickets tab showing what waits on the client.
    TicketsWaiting,
    /// The Tickets tab showing the closed tickets (Home's "rate N closed
    /// tickets").
    TicketsToRate,
    /// A ticket with its chat open (docs/TICKETS.md, "Chat").
    OpenChat(i64),
    /// Back from a ticket or form to the list.
    TicketList,
    /// An invoice, by number: Account for clients, Billing for staff.
    OpenInvoice(i64),
    /// The invoices still to pay, listed: Account or Billing.
    UnpaidInvoices,
    /// An agreement's burn-down, by id.
    OpenAgreement(i64),
    /// The subscriptions: Account for clients, Billing for staff.
    Subscriptions,
    /// The knowledge library (on the Tickets tab).
    Knowledge,
    /// "Our account team" (on the Account tab).
    Team,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TabId {
    Home,
    Tickets,
    Triage,
    Reports,
    Companies,
    Account,
    Billing,
}

impl TabId {
    pub fn title(self) -> &'static str {
        match self {
            TabId::Home => "Home",
            TabId::Tickets => "Tickets",
            TabId::Triage => "Triage",
            TabId::Reports => "Reports",
            TabId::Companies => "Companies",
            TabId::Account => "Account",
            TabId::Billing => "Billing",
        }
    }
}

/// How loud a status-line message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Ok,
    Error,
}

/// What a key handler asks the app to do.
#[derive(Default)]
pub struct Effects {
    pub requests: Vec<Request>,
    pub popup: Option<popup::Popup>,
    pub nav: Option<Nav>,
    pub message: Option<(Level, String)>,
    /// Open `$EDITOR` on this text; the result goes back to the focused form field.
    pub external_edit: Option<String>,
    /// The prompt that sent a request is done: its answer came.
    pub close_prompt: bool,
    /// A list's new page size, to remember in the config file.
    pub page_size: Option<(&'static str, u32)>,
    pub quit: bool,
}

impl Effects {
    pub fn send(&mut self, request: impl Into<Request>) {
        self.requests.push(request.into());
    }
    /// A list's page size was chosen: say so, and remember it.
    pub fn page_size_chosen(&mut self, list: &'static str, size: crate::page_size::PageSize) {
        self.page_size = Some((list, size.0));
        self.info(format!("{} a page", size.0));
    }
    pub fn info(&mut self, text: impl Into<String>) {
        self.message = Some((Level::Info, text.into()));
    }
    pub fn ok(&mut self, text: impl Into<String>) {
        self.message = Some((Level::Ok, text.into()));
    }
    pub fn error(&mut self, text: impl Into<String>) {
        self.message = Some((Level::Error, text.into()));
    }
    /// Whether a key that reads or saves a local file may go on; when not
    /// (the SSH gateway), says why.
    pub fn may_use_files(&mut self) -> bool {
        let allowed = crate::local_files::check();
        if let Err(refused) = allowed {
            self.refused(refused);
        }
        allowed.is_ok()
    }
    /// Says, whole, why a local file or the editor cannot be used here.
    pub fn refused(&mut self, refused: crate::local_files::Refused) {
        self.popup = Some(popup::Popup::info("Over SSH", refused.lines()));
    }
}

/// The keys a screen lists in its help, as (keys, what they do).
pub type HelpLines = Vec<(String, String)>;

pub fn help_line(keys: &KeyMap, cmd: Cmd, text: &str) -> (String, String) {
    (keys.label(cmd), text.to_owned())
}

pub fn plain_help(keys: &str, text: &str) -> (String, String) {
    (keys.to_owned(), text.to_owned())
}

/// Where a selection among `len` rows moves on `key` (the Down, Up,
/// PageDown, PageUp, Top and Bottom commands, `page` rows a page); `None`
/// when the key is not a move or there is nothing to select.
pub fn moved(
    keys: &KeyMap,
    key: &KeyEvent,
    selected: usize,
    len: usize,
    page: usize,
) -> Option<usize> {
    if len == 0 {
        return None;
    }
    let to = if keys.is(Cmd::Down, key) {
        selected + 1
    } else if keys.is(Cmd::Up, key) {
        selected.saturating_sub(1)
    } else if keys.is(Cmd::PageDown, key) {
        selected + page
    } else if keys.is(Cmd::PageUp, key) {
        selected.saturating_sub(page)
    } else if keys.is(Cmd::Top, key) {
        0
    } else if keys.is(Cmd::Bottom, key) {
        len
    } else {
        return None;
    };
    Some(to.min(len - 1))
}

/// Where a view scrolled to `scroll` lines goes on `key` (the same move
/// commands, ten lines a page); `None` when the key is not a move. Bottom
/// is as far as it goes: the drawing clamps it to the last screenful.
pub fn scrolled(keys: &KeyMap, key: &KeyEvent, scroll: u16) -> Option<u16> {
    Some(if keys.is(Cmd::Down, key) {
        scroll.saturating_add(1)
    } else if keys.is(Cmd::Up, key) {
        scroll.saturating_sub(1)
    } else if keys.is(Cmd::PageDown, key) {
        scroll.saturating_add(10)
    } else if keys.is(Cmd::PageUp, key) {
        scroll.saturating_sub(10)
    } else if keys.is(Cmd::Top, key) {
        0
    } else if keys.is(Cmd::Bottom, key) {
        u16::MAX
    } else {
        return None;
    })
}

/// A rectangle of at most `width`×`height` centred in `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::scrolled;
    use crate::keys::KeyMap;

    #[test]
    fn scrolling_keys_move_by_a_line_a_page_or_to_an_end() {
        let keys = KeyMap::default();
        let at = |code| scrolled(&keys, &KeyEvent::new(code, KeyModifiers::NONE), 5);
        assert_eq!(at(KeyCode::Down), Some(6));
        assert_eq!(at(KeyCode::Char('k')), Some(4));
        assert_eq!(at(KeyCode::PageDown), Some(15));
        assert_eq!(at(KeyCode::PageUp), Some(0));
        assert_eq!(at(KeyCode::Char('g')), Some(0));
        assert_eq!(at(KeyCode::End), Some(u16::MAX));
        assert_eq!(at(KeyCode::Char('x')), None);
    }
}
