//! My Account: profile, phones, address, notification preferences and the
//! password; the Users list, Invoices and Agreements for client Admins and
//! Managers live beside it.

use crossterm::event::{KeyCode, KeyEvent};
use portal_proto::pb::{self, PhoneKind};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::agreements::Agreements;
use super::companies::preferences_popup;
use super::form::{Field, FieldId, Form, FormEvent};
use super::invoices::Invoices;
use super::my_time::MyTime;
use super::popup::{Popup, PromptPopup, Submit, Then};
use super::sessions::Sessions;
use super::ssh_keys::SshKeys;
use super::subscriptions::Subscriptions;
use super::team::Team;
use super::users::Users;
use super::{Catalog, Ctx, Effects, HelpLines, Screen, format, help_line, plain_help};
use crate::action::{AccountCall, ApiError, Reply, Request, TicketCall};
use crate::keys::Cmd;

const PHONES: [(PhoneKind, &str); 6] = [
    (PhoneKind::Direct, "Direct phone"),
    (PhoneKind::Home, "Home phone"),
    (PhoneKind::Mobile, "Mobile"),
    (PhoneKind::Pager, "Pager"),
    (PhoneKind::Fax, "Fax"),
    (PhoneKind::FaxHome, "Fax (home)"),
];

/// What a person may be e-mailed about.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Notice {
    TicketCreated,
    StaffReply,
    StatusChanged,
    TicketCompleted,
    Invoices,
}

const NOTIFY: [(Notice, &str); 5] = [
    (Notice::TicketCreated, "Ticket created"),
    (Notice::StaffReply, "Staff replies"),
    (Notice::StatusChanged, "Status changes"),
    (Notice::TicketCompleted, "Ticket completed"),
    (Notice::Invoices, "Invoices"),
];

/// The fields of a person's contact details: My Account's edit form, and
/// the user an Admin or Manager edits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DetailsField {
    FirstName,
    LastName,
    Title,
    HomeEmail,
    PrivateEmail,
    Phone(PhoneKind),
    Extension(PhoneKind),
    UseCompanyAddress,
    Line1,
    Line2,
    City,
    Region,
    PostalCode,
    Country,
    Notify(Notice),
    Save,
}

impl FieldId for DetailsField {
    fn server_name(self) -> Option<&'static str> {
        match self {
            Self::FirstName => Some("details.first_name"),
            Self::LastName => Some("details.last_name"),
            Self::Title => Some("details.title"),
            Self::HomeEmail => Some("details.home_email"),
            Self::PrivateEmail => Some("details.private_email"),
            Self::Line1 => Some("details.address.line1"),
            Self::Line2 => Some("details.address.line2"),
            Self::City => Some("details.address.city"),
            Self::Region => Some("details.address.region"),
            Self::PostalCode => Some("details.address.postal_code"),
            Self::Country => Some("details.address.country"),
            // The server names all phones at once ("details.phones").
            Self::Phone(_)
            | Self::Extension(_)
            | Self::UseCompanyAddress
            | Self::Notify(_)
            | Self::Save => None,
        }
    }
}

/// The fields of the change-password prompt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PasswordField {
    Current,
    New,
    Repeat,
}

impl FieldId for PasswordField {
    fn server_name(self) -> Option<&'static str> {
        match self {
            Self::Current => Some("current_password"),
            Self::New => Some("new_password"),
            Self::Repeat => None,
        }
    }
}

/// What the Account tab shows.
#[derive(Debug, Clone, Default)]
pub enum View {
    #[default]
    Profile,
    /// My details in a form.
    Editing(Box<Editing>),
    Users,
    Invoices,
    Agreements,
    Subscriptions,
    /// Staff: my time by week or day.
    MyTime,
    /// Where I am signed in.
    Sessions,
    /// The public keys that sign me in through `ssh`.
    SshKeys,
    /// Clients: "Our account team".
    Team,
}

/// The details form, whether it is being saved, and the server's refusal.
#[derive(Debug, Clone)]
pub struct Editing {
    pub form: Form,
    pub saving: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Account {
    pub profile: Option<pb::MyProfile>,
    pub view: View,
    pub users: Users,
    pub invoices: Invoices,
    pub agreements: Agreements,
    pub subscriptions: Subscriptions,
    pub my_time: MyTime,
    pub sessions: Sessions,
    pub ssh_keys: SshKeys,
    pub team: Team,
    pub scroll: u16,
}

fn notifications(n: pb::NotificationPreferences) -> [bool; 5] {
    [
        n.ticket_created,
        n.staff_reply,
        n.status_changed,
        n.ticket_completed,
        n.invoices,
    ]
}

impl Account {
    pub fn load(&self, fx: &mut Effects) {
        fx.send(AccountCall::Profile);
    }

    /// "Our account team", fetched afresh.
    pub fn show_team(&mut self, fx: &mut Effects) {
        self.view = View::Team;
        self.team.load(fx);
    }

    pub fn help(&self, ctx: &Ctx) -> HelpLines {
        if let View::Editing(_) = self.view {
            return vec![
                plain_help("Tab/Shift-Tab", "next / previous field"),
                plain_help("Space", "tick a box"),
                plain_help("Ctrl-S", "save"),
                plain_help("Esc", "leave (asks when something changed)"),
            ];
        }
        match self.view {
            View::Users => return self.users.help(ctx),
            View::Invoices => return self.invoices.help(ctx),
            View::Agreements => return self.agreements.help(ctx),
            View::Subscriptions => return self.subscriptions.help(ctx),
            View::MyTime => return MyTime::help(ctx),
            View::Sessions => return Sessions::help(ctx),
            View::SshKeys => return SshKeys::help(ctx),
            View::Team => return Team::help(ctx),
            _ => {}
        }
        let mut lines = vec![
            help_line(ctx.keys, Cmd::Edit, "edit my details"),
            help_line(ctx.keys, Cmd::Password, "change my password"),
            help_line(
                ctx.keys,
                Cmd::Sessions,
                "my sessions: where I am signed in, sign out there",
            ),
            help_line(
                ctx.keys,
                Cmd::SshKeys,
                "my SSH keys: open the portal with `ssh`, no password",
            ),
            plain_help("↑/↓ j/k", "scroll"),
        ];
        if ctx.is_staff() {
            lines.push(help_line(ctx.keys, Cmd::MyTime, "my time by week and day"));
        } else {
            lines.push(help_line(
                ctx.keys,
                Cmd::Team,
                "our account team: who looks after us, after-hours line",
            ));
        }
        if ctx.is_admin() && !ctx.is_staff() {
            lines.push(help_line(
                ctx.keys,
                Cmd::Preferences,
                "the company's preferences",
            ));
        }
        if ctx.is_manager() && !ctx.is_staff() {
            lines.push(help_line(ctx.keys, Cmd::Users, "the company's users"));
            lines.push(help_line(ctx.keys, Cmd::Invoices, "the company's invoices"));
            lines.push(help_line(
                ctx.keys,
                Cmd::Agreements,
                "agreements and prepaid hours",
            ));
            lines.push(help_line(
                ctx.keys,
                Cmd::Subscriptions,
                "subscriptions and renewals; request a change",
            ));
        }
        lines.push(help_line(
            ctx.keys,
            Cmd::Logout,
            "sign out (and forget this computer)",
        ));
        lines
    }

    /// A key on my details' form: Esc asks before dropping edits.
    fn editing_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) {
        let View::Editing(editing) = &mut self.view else {
            return;
        };
        if editing.saving {
            return;
        }
        let form = &mut editing.form;
        match form.handle_key(key) {
            FormEvent::Cancel if form.is_dirty() => {
                fx.popup = Some(Popup::confirm(
                    "Discard changes?",
                    "Your edits will be lost.",
                    Then::Answer(DISCARD_EDITS),
                ));
            }
            FormEvent::Cancel => self.view = View::Profile,
            FormEvent::Submit => self.save(ctx, fx),
            _ => {}
        }
    }

    pub fn handle_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        if let View::Editing(_) = self.view {
            self.editing_key(key, ctx, fx);
            return true;
        }
        if let View::Users = self.view {
            if key.code == KeyCode::Esc || ctx.keys.is(Cmd::Users, key) {
                self.view = View::Profile;
                return true;
            }
            return self.users.handle_key(key, ctx, fx);
        }
        if let View::Invoices = self.view {
            if key.code == KeyCode::Esc && self.invoices.open.is_none() {
                self.view = View::Profile;
                return true;
            }
            return self.invoices.handle_key(key, ctx, fx);
        }
        if let View::Agreements = self.view {
            if key.code == KeyCode::Esc && self.agreements.open.is_none() {
                self.view = View::Profile;
                return true;
            }
            return self.agreements.handle_key(key, ctx, fx);
        }
        if let View::Subscriptions = self.view {
            return self.subscriptions_key(key, ctx, fx);
        }
        if let View::MyTime = self.view {
            if key.code == KeyCode::Esc {
                self.view = View::Profile;
                return true;
            }
            return self.my_time.handle_key(key, ctx, fx);
        }
        if let View::Sessions = self.view {
            if key.code == KeyCode::Esc || ctx.keys.is(Cmd::Sessions, key) {
                self.view = View::Profile;
                return true;
            }
            return self.sessions.handle_key(key, ctx, fx);
        }
        if let View::SshKeys = self.view {
            if key.code == KeyCode::Esc || ctx.keys.is(Cmd::SshKeys, key) {
                self.view = View::Profile;
                return true;
            }
            return self.ssh_keys.handle_key(key, ctx, fx);
        }
        if let View::Team = self.view {
            if key.code == KeyCode::Esc || ctx.keys.is(Cmd::Team, key) {
                self.view = View::Profile;
                return true;
            }
            return self.team.handle_key(key, ctx, fx);
        }
        match key.code {
            _ if let Some(to) = super::scrolled(ctx.keys, key, self.scroll) => self.scroll = to,
            _ if ctx.keys.is(Cmd::Edit, key) => match &self.profile {
                Some(profile) => {
                    self.view = View::Editing(Box::new(Editing {
                        form: profile_form(profile, ctx.is_staff()),
                        saving: false,
                        error: None,
                    }));
                }
                None => fx.info("Your profile is still loading"),
            },
            _ if ctx.keys.is(Cmd::Password, key) => fx.popup = Some(password_popup()),
            _ if ctx.keys.is(Cmd::Sessions, key) => {
                self.view = View::Sessions;
                self.sessions.load(fx);
            }
            _ if ctx.keys.is(Cmd::SshKeys, key) => {
                self.view = View::SshKeys;
                self.ssh_keys.load(fx);
            }
            _ if ctx.keys.is(Cmd::Team, key) && !ctx.is_staff() => self.show_team(fx),
            _ if ctx.keys.is(Cmd::MyTime, key) && ctx.is_staff() => {
                self.view = View::MyTime;
                self.my_time.open(fx);
            }
            _ if ctx.keys.is(Cmd::Preferences, key) && ctx.is_admin() && !ctx.is_staff() => {
                match &ctx.catalog.company {
                    Some(c) => fx.popup = Some(preferences_popup(c, &ctx.catalog.contacts)),
                    None => fx.info("The company is still loading"),
                }
            }
            _ if ctx.keys.is(Cmd::Users, key) && ctx.is_manager() && !ctx.is_staff() => {
                self.view = View::Users;
                if !self.users.loaded {
                    self.users.load(fx);
                }
            }
            _ if ctx.keys.is(Cmd::Invoices, key) && ctx.is_manager() && !ctx.is_staff() => {
                self.view = View::Invoices;
                self.invoices.load(fx);
            }
            _ if ctx.keys.is(Cmd::Agreements, key) && ctx.is_manager() && !ctx.is_staff() => {
                self.view = View::Agreements;
                self.agreements.load(fx);
            }
            _ if ctx.keys.is(Cmd::Subscriptions, key) && ctx.is_manager() && !ctx.is_staff() => {
                self.show_subscriptions(fx);
            }
            _ if ctx.keys.is(Cmd::Refresh, key) => self.load(fx),
            _ => return false,
        }
        true
    }

    fn save(&mut self, ctx: &Ctx, fx: &mut Effects) {
        let View::Editing(editing) = &mut self.view else {
            return;
        };
        let form = &mut editing.form;
        form.clear_errors();
        editing.error = None;
        form.check_required();
        if !ctx.is_staff() {
            check_details(form);
        }
        if form.has_errors() {
            form.focus_first_error();
            return;
        }
        let old = self
            .profile
            .as_ref()
            .and_then(|p| p.contact.as_ref())
            .and_then(|c| c.details.clone())
            .unwrap_or_default();
        let details = if ctx.is_staff() {
            pb::ContactDetails {
                first_name: form.text(DetailsField::FirstName),
                last_name: form.text(DetailsField::LastName),
                ..old
            }
        } else {
            details_from_form(form)
        };
        editing.saving = true;
        fx.send(AccountCall::UpdateProfile(details));
    }

    /// An invoice opened from Home.
    pub fn show_invoice(&mut self, number: i64, fx: &mut Effects) {
        self.view = View::Invoices;
        self.invoices.open_invoice(number, fx);
    }

    /// The invoices to pay, from Home.
    pub fn show_unpaid_invoices(&mut self, fx: &mut Effects) {
        self.view = View::Invoices;
        self.invoices.show_unpaid(fx);
    }

    /// An agreement opened from Home.
    pub fn show_agreement(&mut self, id: i64, fx: &mut Effects) {
        self.view = View::Agreements;
        self.agreements.open = Some((id, None));
        self.agreements.load(fx);
    }

    /// A key on the subscriptions: Esc goes back to the profile.
    fn subscriptions_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        if key.code == KeyCode::Esc {
            self.view = View::Profile;
            return true;
        }
        self.subscriptions.handle_key(key, ctx, fx)
    }

    /// The subscriptions, also from Home's renewal reminder.
    pub fn show_subscriptions(&mut self, fx: &mut Effects) {
        self.view = View::Subscriptions;
        self.subscriptions.load(fx);
    }

    /// My profile arrived: loaded, or saved from the form.
    pub fn on_profile(&mut self, profile: pb::MyProfile, fx: &mut Effects) {
        if matches!(&self.view, View::Editing(e) if e.saving) {
            fx.ok("Your details are saved");
            self.view = View::Profile;
        }
        self.profile = Some(profile);
    }

    pub fn on_save_failed(&mut self, error: &ApiError) {
        let View::Editing(editing) = &mut self.view else {
            return;
        };
        editing.saving = false;
        if !editing.form.place_error(error) {
            editing.error = Some(error.text());
        }
    }

    pub fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let theme = ctx.theme;
        if let View::Editing(editing) = &self.view {
            let block = Block::bordered()
                .border_style(theme.focus_border)
                .title(Line::styled(" Edit my details ", theme.title));
            let inner = block.inner(area);
            frame.render_widget(block, area);
            let [top, body, footer] = Layout::vertical([
                Constraint::Length(1),
                Constraint::Fill(1),
                Constraint::Length(1),
            ])
            .areas(inner);
            let line = match (&editing.error, editing.saving) {
                (Some(e), _) => Line::styled(format!("✗ {e}"), theme.error),
                (None, true) => Line::styled("Saving…", theme.muted),
                _ => Line::default(),
            };
            frame.render_widget(Paragraph::new(line), top);
            editing.form.render(frame, body, theme, !editing.saving);
            frame.render_widget(
                Paragraph::new(Line::styled(
                    "Tab next · Space tick · Ctrl-S save · Esc leave",
                    theme.muted,
                )),
                footer,
            );
            return;
        }
        match self.view {
            View::Users => return self.users.render(frame, area, ctx),
            View::Invoices => return self.invoices.render(frame, area, ctx),
            View::Agreements => return self.agreements.render(frame, area, ctx),
            View::Subscriptions => return self.subscriptions.render(frame, area, ctx),
            View::MyTime => return self.my_time.render(frame, area, ctx),
            View::Sessions => return self.sessions.render(frame, area, ctx),
            View::SshKeys => return self.ssh_keys.render(frame, area, ctx),
            View::Team => return self.team.render(frame, area, ctx),
            _ => {}
        }
        let Some(profile) = &self.profile else {
            frame.render_widget(
                Paragraph::new(Line::styled(" Loading your profile…", theme.muted)),
                area,
            );
            return;
        };
        let [body, footer] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        let lines = profile_lines(profile, ctx);
        let height = lines.len() as u16;
        self.scroll = self.scroll.min(height.saturating_sub(body.height));
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .scroll((self.scroll, 0)),
            body,
        );
        let mut hints = vec!["e edit", "p password"];
        if ctx.is_staff() {
            hints.push("t my time");
        }
        if ctx.is_admin() && !ctx.is_staff() {
            hints.push("o preferences");
        }
        if ctx.is_manager() && !ctx.is_staff() {
            hints.extend(["u users", "i invoices", "a agreements", "S subscriptions"]);
        }
        // Sessions, signing out and SSH keys last: the narrowest screens
        // show the company's pages first (`?` lists every key).
        hints.extend(["s sessions", "L sign out", "K SSH keys"]);
        let hints = format::hints(&hints, usize::from(footer.width));
        frame.render_widget(Paragraph::new(Line::styled(hints, theme.muted)), footer);
    }
}

fn profile_lines(profile: &pb::MyProfile, ctx: &Ctx) -> Vec<Line<'static>> {
    let theme = ctx.theme;
    let heading = |t: &str| Line::styled(format!(" {t}"), theme.title);
    let row = |label: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("   {label:<16}"), theme.muted),
            Span::styled(format::or_dash(value), theme.text),
        ])
    };
    let me = profile.identity.clone().unwrap_or_default();
    let mut lines = vec![
        heading("My Account"),
        row("Name", me.display_name.clone()),
        row("Sign-in e-mail", me.email.clone()),
    ];
    lines.push(row("Access", format::who(&me).to_owned()));
    if !me.company_name.is_empty() {
        lines.push(row("Company", me.company_name.clone()));
    }
    // Unknown for a profile not changed since that was recorded.
    if let Some(at) = &profile.updated_at {
        let updated = format!(
            "{} by {}",
            format::time(Some(at), ctx.tz),
            format::or_dash(profile.updated_by.clone())
        );
        lines.push(row("Last updated", updated));
    }
    let Some(contact) = &profile.contact else {
        return lines;
    };
    let d = contact.details.clone().unwrap_or_default();
    lines.push(row("Title", d.title.clone()));
    lines.push(row("Home e-mail", d.home_email.clone()));
    lines.push(row("Private e-mail", d.private_email.clone()));
    lines.push(Line::default());
    lines.push(heading("Phones"));
    if d.phones.is_empty() {
        lines.push(Line::styled("   none", theme.muted));
    }
    for phone in &d.phones {
        let label = PHONES
            .iter()
            .find(|(k, _)| *k == phone.kind())
            .map_or("Phone", |(_, l)| l);
        let ext = if phone.extension.is_empty() {
            String::new()
        } else {
            format!(" ext. {}", phone.extension)
        };
        lines.push(row(label, format!("{}{ext}", phone.number)));
    }
    lines.push(Line::default());
    lines.push(heading("Address"));
    let address = if d.use_company_address {
        profile.company_address.clone()
    } else {
        d.address.clone()
    }
    .unwrap_or_default();
    if d.use_company_address {
        lines.push(Line::styled("   (the company's address)", theme.muted));
    }
    for part in [&address.line1, &address.line2] {
        if !part.is_empty() {
            lines.push(Line::styled(format!("   {part}"), theme.text));
        }
    }
    let city = [
        &address.city,
        &address.region,
        &address.postal_code,
        &address.country,
    ]
    .iter()
    .filter(|s| !s.is_empty())
    .map(|s| s.as_str())
    .collect::<Vec<_>>()
    .join(", ");
    if !city.is_empty() {
        lines.push(Line::styled(format!("   {city}"), theme.text));
    }
    lines.push(Line::default());
    lines.push(heading("E-mail me about"));
    let on = notifications(d.notifications.unwrap_or_default());
    for ((_, label), on) in NOTIFY.iter().zip(on) {
        lines.push(Line::from(vec![
            Span::styled(if on { "   [x] " } else { "   [ ] " }, theme.accent),
            Span::styled((*label).to_owned(), theme.text),
        ]));
    }
    if ctx.is_admin() {
        lines.extend(company_preference_lines(ctx, &row));
    }
    lines
}

/// A client Admin's view of the company's preferences (`o` changes them).
fn company_preference_lines(
    ctx: &Ctx,
    row: &dyn Fn(&str, String) -> Line<'static>,
) -> Vec<Line<'static>> {
    let Some(company) = &ctx.catalog.company else {
        return Vec::new();
    };
    let p = company.preferences.clone().unwrap_or_default();
    let yes = |on: bool| if on { "yes" } else { "no" }.to_owned();
    let subscribers: Vec<String> = ctx
        .catalog
        .contacts
        .iter()
        .filter(|c| p.default_subscriber_ids.contains(&c.id))
        .map(Catalog::contact_name)
        .collect();
    vec![
        Line::default(),
        Line::styled(" Company preferences", ctx.theme.title),
        row("PO required", yes(p.require_po_number)),
        row("Users see all", yes(p.users_see_all_tickets)),
        row("Subscribed", subscribers.join(", ")),
    ]
}

fn profile_form(profile: &pb::MyProfile, staff: bool) -> Form {
    if staff {
        let s = profile.staff.clone().unwrap_or_default();
        return Form::new(vec![
            Field::line(DetailsField::FirstName, "First name", &s.first_name).required(),
            Field::line(DetailsField::LastName, "Last name", &s.last_name).required(),
            Field::button(DetailsField::Save, "Save"),
        ]);
    }
    let d = profile
        .contact
        .as_ref()
        .and_then(|c| c.details.clone())
        .unwrap_or_default();
    let mut fields = vec![
        Field::line(DetailsField::FirstName, "First name", &d.first_name).required(),
        Field::line(DetailsField::LastName, "Last name", &d.last_name).required(),
        Field::line(DetailsField::Title, "Title", &d.title),
        Field::line(DetailsField::HomeEmail, "Home e-mail", &d.home_email),
        Field::line(
            DetailsField::PrivateEmail,
            "Private e-mail",
            &d.private_email,
        ),
    ];
    for (kind, label) in PHONES {
        let phone = d
            .phones
            .iter()
            .find(|p| p.kind() == kind)
            .cloned()
            .unwrap_or_default();
        fields.push(Field::line(DetailsField::Phone(kind), label, &phone.number));
        fields.push(Field::line(
            DetailsField::Extension(kind),
            "  ext.",
            &phone.extension,
        ));
    }
    let a = d.address.clone().unwrap_or_default();
    fields.extend([
        Field::toggle(
            DetailsField::UseCompanyAddress,
            "Use company address",
            d.use_company_address,
        ),
        Field::line(DetailsField::Line1, "Address", &a.line1),
        Field::line(DetailsField::Line2, "Address 2", &a.line2),
        Field::line(DetailsField::City, "City", &a.city),
        Field::line(DetailsField::Region, "State/region", &a.region),
        Field::line(DetailsField::PostalCode, "Postal code", &a.postal_code),
        Field::line(DetailsField::Country, "Country", &a.country),
    ]);
    let on = notifications(d.notifications.unwrap_or_default());
    for ((notice, label), on) in NOTIFY.iter().zip(on) {
        fields.push(Field::toggle(
            DetailsField::Notify(*notice),
            &format!("Mail: {label}"),
            on,
        ));
    }
    fields.push(Field::button(DetailsField::Save, "Save"));
    Form::new(fields)
}

/// The contact details as the form now says.
/// Marks every field of the details form the server would refuse (its
/// rules are in server/src/service/input.rs), so all of them show at once
/// rather than only the first the server names.
pub fn check_details(form: &mut Form) {
    use DetailsField as F;
    for field in [F::HomeEmail, F::PrivateEmail] {
        let email = form.text(field);
        if !email.is_empty() && !email.contains('@') {
            form.set_error(field, "not an e-mail address");
        }
    }
    for (kind, _) in PHONES {
        let number = form.text(F::Phone(kind));
        let extension = form.text(F::Extension(kind));
        if !number.is_empty()
            && let Some(problem) = super::checks::phone_problem(&number)
        {
            form.set_error(F::Phone(kind), problem);
        } else if number.chars().count() > MAX_PHONE {
            form.set_error(F::Phone(kind), format!("at most {MAX_PHONE} characters"));
        }
        if extension.is_empty() {
            continue;
        }
        if number.is_empty() {
            form.set_error(F::Extension(kind), "an extension needs a number");
        } else if extension.len() > MAX_EXTENSION || !extension.chars().all(|c| c.is_ascii_digit())
        {
            form.set_error(
                F::Extension(kind),
                format!("at most {MAX_EXTENSION} digits"),
            );
        }
    }
}

/// The longest phone number and extension the server takes.
const MAX_PHONE: usize = 40;
const MAX_EXTENSION: usize = 10;

pub fn details_from_form(form: &Form) -> pb::ContactDetails {
    use DetailsField as F;
    let phones = PHONES
        .iter()
        .filter_map(|&(kind, _)| {
            let number = form.text(F::Phone(kind));
            (!number.is_empty()).then(|| pb::Phone {
                kind: kind.into(),
                number,
                extension: form.text(F::Extension(kind)),
            })
        })
        .collect();
    let notify = |notice| form.on(F::Notify(notice));
    pb::ContactDetails {
        first_name: form.text(F::FirstName),
        last_name: form.text(F::LastName),
        title: form.text(F::Title),
        home_email: form.text(F::HomeEmail),
        private_email: form.text(F::PrivateEmail),
        phones,
        use_company_address: form.on(F::UseCompanyAddress),
        address: Some(pb::Address {
            line1: form.text(F::Line1),
            line2: form.text(F::Line2),
            city: form.text(F::City),
            region: form.text(F::Region),
            postal_code: form.text(F::PostalCode),
            country: form.text(F::Country),
        }),
        notifications: Some(pb::NotificationPreferences {
            ticket_created: notify(Notice::TicketCreated),
            staff_reply: notify(Notice::StaffReply),
            status_changed: notify(Notice::StatusChanged),
            ticket_completed: notify(Notice::TicketCompleted),
            invoices: notify(Notice::Invoices),
        }),
    }
}

pub fn password_popup() -> Popup {
    Popup::Prompt(PromptPopup::new(
        "Change password",
        Submit::send(password_request),
        vec![
            Field::secret(PasswordField::Current, "Current password").required(),
            Field::secret(PasswordField::New, "New password").required(),
            Field::secret(PasswordField::Repeat, "Repeat it").required(),
        ],
    ))
}

/// Checks the password form; the request when it is fine.
pub fn password_request(form: &mut Form) -> Option<AccountCall> {
    form.clear_errors();
    if form.check_required() && form.raw(PasswordField::New) != form.raw(PasswordField::Repeat) {
        form.set_error(PasswordField::Repeat, "does not match");
    }
    if form.has_errors() {
        form.focus_first_error();
        return None;
    }
    Some(AccountCall::ChangePassword {
        current: form.raw(PasswordField::Current),
        new: form.raw(PasswordField::New),
    })
}

/// [`Then::Answer`] of the "discard changes?" question.
const DISCARD_EDITS: usize = 0;

impl Screen for Account {
    fn title(&self) -> &'static str {
        "Account"
    }

    fn help(&self, ctx: &Ctx) -> HelpLines {
        Account::help(self, ctx)
    }

    fn handle_key(&mut self, key: &KeyEvent, ctx: &Ctx, fx: &mut Effects) -> bool {
        Account::handle_key(self, key, ctx, fx)
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        Account::render(self, frame, area, ctx);
    }

    fn on_reply(&mut self, reply: &Reply, ctx: &Ctx, fx: &mut Effects) {
        self.sessions.on_reply(reply, fx);
        self.ssh_keys.on_reply(reply, fx);
        self.team.on_reply(reply, ctx);
        // Staff have their money on the Billing tab.
        if ctx.is_staff() {
            self.my_time.on_reply(reply, fx);
        } else {
            self.invoices.on_reply(reply, fx);
            self.agreements.on_reply(reply, fx);
            self.subscriptions.on_reply(reply, fx);
        }
        match reply {
            Reply::Profile(profile) => self.on_profile((**profile).clone(), fx),
            // A client Admin saved the company's preferences: the new-ticket
            // form follows them (the PO rule, who is subscribed).
            Reply::CompanySaved(_) if !ctx.is_staff() => {
                fx.close_prompt = true;
                fx.ok("The company's preferences are saved");
                fx.send(TicketCall::FormData);
            }
            reply => self.users.on_reply(reply, ctx, fx),
        }
    }

    fn on_failed(&mut self, request: &Request, error: &ApiError, _fx: &mut Effects) {
        if let Request::Account(AccountCall::UpdateProfile(_)) = request {
            self.on_save_failed(error);
        }
        self.invoices.on_failed(request);
        self.ssh_keys.on_failed(request, error);
        self.team.on_failed(request, error);
    }

    fn on_answer(&mut self, answer: usize, _ctx: &Ctx, fx: &mut Effects) {
        match self.view {
            View::Invoices => self.invoices.on_answer(answer, fx),
            View::Editing(_) if answer == DISCARD_EDITS => self.view = View::Profile,
            _ => {}
        }
    }

    fn on_form(&mut self, form: &mut Form, ctx: &Ctx, fx: &mut Effects) -> bool {
        matches!(self.view, View::Invoices) && self.invoices.on_form(form, ctx, fx)
    }

    fn refresh(&mut self, fx: &mut Effects) {
        match self.view {
            View::Invoices => self.invoices.load(fx),
            View::Agreements => self.agreements.load(fx),
            View::MyTime => self.my_time.load(fx),
            View::Sessions => self.sessions.load(fx),
            View::SshKeys => self.ssh_keys.load(fx),
            View::Team => self.team.load(fx),
            _ => {}
        }
    }

    fn unsaved(&self) -> bool {
        matches!(&self.view, View::Editing(e) if e.form.is_dirty())
    }
}
